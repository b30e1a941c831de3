//! Who "me" is: with device-code sign-in the signed-in account (`GET /me`), then the
//! `[user] aliases` of the configuration; the demo analyst in `--demo`.

use std::time::Duration;

use serde_json::Value;

use crate::graph::auth::Credential;
use crate::graph::client::Client;
use crate::graph::error::log_safe;

/// How long start-up waits for `GET /me` before going on with the configured aliases.
const ME_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest account name accepted from the service (a UPN is at most 113 characters).
const MAX_ACCOUNT_LEN: usize = 320;

/// The aliases that make up the store's identity. The signed-in account comes first, since the
/// first alias is the one "assign to me" writes; then the configured aliases (without
/// case-insensitive duplicates). App-only sign-in has no account: the aliases alone.
pub async fn identity_aliases(client: &Client, configured: &[String], demo: bool) -> Vec<String> {
    let mut aliases = Vec::new();
    if matches!(
        client.authenticator().config().credential,
        Credential::DeviceCode
    ) {
        aliases.extend(signed_in_account(client).await);
    }
    for alias in configured {
        push_unique(&mut aliases, alias);
    }
    if demo && aliases.is_empty() {
        aliases.push(crate::sim::DELEGATED_USER.to_string());
    }
    aliases
}

/// `userPrincipalName` and `mail` of `GET /v1.0/me`; nothing (logged) when it fails.
async fn signed_in_account(client: &Client) -> Vec<String> {
    match tokio::time::timeout(ME_TIMEOUT, client.get_json(crate::graph::resources::ME)).await {
        Ok(Ok(me)) => account_names(&me),
        Ok(Err(e)) => {
            tracing::warn!(error = %log_safe(&e.to_string()), "cannot read the signed-in account; \"me\" is the configured aliases only");
            Vec::new()
        }
        Err(_) => {
            tracing::warn!(
                "reading the signed-in account timed out; \"me\" is the configured aliases only"
            );
            Vec::new()
        }
    }
}

/// The account names of a `user` object worth matching owners against.
fn account_names(me: &Value) -> Vec<String> {
    let mut names = Vec::new();
    for key in ["userPrincipalName", "mail"] {
        if let Some(name) = me.get(key).and_then(Value::as_str).filter(|n| plausible(n)) {
            push_unique(&mut names, name);
        }
    }
    names
}

/// Service data: only a non-empty, bounded name without control characters is used.
fn plausible(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty() && name.len() <= MAX_ACCOUNT_LEN && !name.chars().any(char::is_control)
}

fn push_unique(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_skip_duplicates_and_hostile_values() {
        let me = serde_json::json!({"userPrincipalName": "A@x.com", "mail": "a@X.com"});
        assert_eq!(account_names(&me), ["A@x.com"]);
        let me = serde_json::json!({"userPrincipalName": "a\u{1b}]0;x\u{7}@x", "mail": null});
        assert!(account_names(&me).is_empty());
    }
}
