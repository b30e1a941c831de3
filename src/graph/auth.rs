//! Access tokens from Entra ID: client secret, certificate assertion, device code (+ refresh),
//! with a single-flight in-memory cache and an optional 0600 cache file.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use tokio::sync::Mutex;

use super::assertion::build_client_assertion;
use super::certificate::CertificateKey;
use super::endpoint::check_base_url;
use super::error::{ErrorKind, GraphError, excerpt, log_safe, parse_error_body};
use super::token_cache::{self, CacheFile};

mod device_code;

/// Renew this long before expiry (capped at half the token lifetime).
const REFRESH_MARGIN_SECS: i64 = 300;
/// Largest token endpoint answer we read.
const MAX_TOKEN_BODY: usize = 1 << 20;

/// How vigil proves its identity to Entra ID.
#[derive(Clone, Debug)]
pub enum Credential {
    /// Confidential client with a shared secret (client credentials grant).
    ClientSecret(SecretString),
    /// Confidential client with a certificate (signed JWT assertion, PS256): the key and the
    /// certificate registered on the app, checked to be a pair.
    Certificate(CertificateKey),
    /// Public client, delegated sign-in via [`Authenticator::device_code_login`], then refresh tokens.
    DeviceCode,
    /// A fixed bearer token (tests and the demo).
    StaticToken(SecretString),
}

/// Where and as whom to obtain tokens.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Entra host, e.g. `https://login.microsoftonline.com` (http only for loopback).
    pub login_url: url::Url,
    /// Tenant GUID or domain.
    pub tenant_id: String,
    /// Application (client) id.
    pub client_id: String,
    /// e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
    /// The credential.
    pub credential: Credential,
    /// Token cache file (JSON, mode 0600); `None` keeps tokens in memory only.
    pub cache_path: Option<PathBuf>,
}

/// What to show the user during a device-code sign-in. Server text: sanitise before display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePrompt {
    /// Code to type at the verification page.
    pub user_code: String,
    /// Page to open, e.g. `https://microsoft.com/devicelogin`.
    pub verification_uri: String,
    /// Entra's ready-made instruction sentence.
    pub message: String,
    /// Seconds until the code expires.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
}

struct Access {
    token: SecretString,
    expires_at: i64,
    refresh_after: i64,
}

#[derive(Default)]
struct State {
    access: Option<Access>,
    refresh: Option<SecretString>,
    cache_loaded: bool,
}

/// Hands out bearer tokens; share it behind an `Arc`.
pub struct Authenticator {
    cfg: AuthConfig,
    http: reqwest::Client,
    state: Mutex<State>,
    poll_unit: Duration,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("login_url", &self.cfg.login_url.as_str())
            .field("tenant_id", &self.cfg.tenant_id)
            .field("client_id", &self.cfg.client_id)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Creates an authenticator; nothing is fetched until [`Authenticator::token`].
    pub fn new(cfg: AuthConfig, http: reqwest::Client) -> Self {
        Self {
            cfg,
            http,
            state: Mutex::new(State::default()),
            poll_unit: Duration::from_secs(1),
        }
    }

    /// Length of one "second" of the device-code `interval` / `expires_in` (default 1 s).
    /// Only tests shorten it.
    #[doc(hidden)]
    pub fn with_poll_unit(mut self, unit: Duration) -> Self {
        self.poll_unit = unit;
        self
    }

    /// The configuration this authenticator was built with.
    pub fn config(&self) -> &AuthConfig {
        &self.cfg
    }

    /// A valid access token: cached, renewed ~5 minutes before expiry. Concurrent callers share
    /// one acquisition.
    pub async fn token(&self) -> Result<SecretString, GraphError> {
        let mut st = self.state.lock().await;
        self.load_cache_once(&mut st).await;
        if let Some(a) = &st.access
            && now_unix() < a.refresh_after
        {
            return Ok(a.token.clone());
        }
        self.acquire(&mut st).await
    }

    /// Drops the cached access token (after a 401) so the next [`Authenticator::token`]
    /// re-acquires; a refresh token is kept.
    pub async fn invalidate(&self) {
        let mut st = self.state.lock().await;
        if st.access.take().is_some() {
            self.save_cache(&st).await;
        }
    }

    /// Like [`Authenticator::invalidate`], but only if `rejected` is still the cached token, so a
    /// burst of 401s for one token triggers one re-acquisition.
    pub(crate) async fn invalidate_if_current(&self, rejected: &SecretString) {
        let mut st = self.state.lock().await;
        let same = st
            .access
            .as_ref()
            .is_some_and(|a| a.token.expose_secret() == rejected.expose_secret());
        if same {
            st.access = None;
            self.save_cache(&st).await;
        }
    }

    async fn acquire(&self, st: &mut State) -> Result<SecretString, GraphError> {
        let cfg = &self.cfg;
        let answer = match &cfg.credential {
            Credential::StaticToken(t) => {
                st.access = Some(Access {
                    token: t.clone(),
                    expires_at: i64::MAX,
                    refresh_after: i64::MAX,
                });
                return Ok(t.clone());
            }
            Credential::DeviceCode => {
                let Some(refresh) = st.refresh.clone() else {
                    return Err(GraphError::new(
                        ErrorKind::Auth,
                        "not signed in: run the device-code login first",
                    ));
                };
                let scope = self.delegated_scope();
                let form = [
                    ("grant_type", "refresh_token"),
                    ("client_id", cfg.client_id.as_str()),
                    ("scope", scope.as_str()),
                    ("refresh_token", refresh.expose_secret()),
                ];
                match self.post_form("token", &form).await {
                    Ok(a) => a,
                    Err(e) if e.code_is("invalid_grant") => {
                        st.refresh = None;
                        st.access = None;
                        self.save_cache(st).await;
                        return Err(reword(
                            e,
                            "the sign-in has expired or was revoked; run the device-code login again",
                        ));
                    }
                    Err(e) => return Err(e),
                }
            }
            Credential::ClientSecret(secret) => {
                let form = [
                    ("client_id", cfg.client_id.as_str()),
                    ("scope", cfg.scope.as_str()),
                    ("client_secret", secret.expose_secret()),
                    ("grant_type", "client_credentials"),
                ];
                self.post_form("token", &form).await?
            }
            Credential::Certificate(cert) => {
                let audience = self.endpoint("token")?;
                let assertion =
                    build_client_assertion(cert, audience.as_str(), &cfg.client_id, now_unix())?;
                let form = [
                    ("client_id", cfg.client_id.as_str()),
                    ("scope", cfg.scope.as_str()),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                    ("grant_type", "client_credentials"),
                ];
                self.post_form("token", &form).await?
            }
        };
        self.store(st, &answer)?;
        self.save_cache(st).await;
        st.access.as_ref().map(|a| a.token.clone()).ok_or_else(|| {
            GraphError::new(ErrorKind::Auth, "token endpoint returned no access token")
        })
    }

    /// Records a successful token answer in memory (caller persists it).
    fn store(&self, st: &mut State, answer: &Value) -> Result<(), GraphError> {
        let token = str_of(answer, "access_token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                GraphError::new(ErrorKind::Auth, "token endpoint returned no access_token")
            })?;
        let lifetime = secs_of(answer, "expires_in")
            .unwrap_or(3599)
            .min(i64::MAX as u64 / 4) as i64;
        let now = now_unix();
        let margin = REFRESH_MARGIN_SECS.min(lifetime / 2);
        st.access = Some(Access {
            token: SecretString::from(token),
            expires_at: now + lifetime,
            refresh_after: now + lifetime - margin,
        });
        if let Some(rt) = str_of(answer, "refresh_token").filter(|t| !t.is_empty()) {
            st.refresh = Some(SecretString::from(rt));
        }
        Ok(())
    }

    /// `{login}/{tenant}/oauth2/v2.0/{leaf}`.
    fn endpoint(&self, leaf: &str) -> Result<url::Url, GraphError> {
        check_base_url(&self.cfg.login_url, "login_url")?;
        let tenant = &self.cfg.tenant_id;
        if tenant.is_empty()
            || !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        {
            return Err(GraphError::new(
                ErrorKind::Config,
                "tenant_id must be a GUID or a domain name",
            ));
        }
        let base = self.cfg.login_url.as_str().trim_end_matches('/');
        url::Url::parse(&format!("{base}/{tenant}/oauth2/v2.0/{leaf}"))
            .map_err(|e| GraphError::new(ErrorKind::Config, format!("invalid login_url: {e}")))
    }

    fn delegated_scope(&self) -> String {
        let scope = self.cfg.scope.trim();
        if scope.split_whitespace().any(|s| s == "offline_access") {
            scope.to_string()
        } else {
            format!("{scope} offline_access")
        }
    }

    /// POSTs a form to a token-service endpoint; non-2xx answers become `ErrorKind::Auth`.
    async fn post_form(&self, leaf: &str, form: &[(&str, &str)]) -> Result<Value, GraphError> {
        let url = self.endpoint(leaf)?;
        let resp = self
            .http
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| transport_error(&e, leaf))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = read_limited(resp, MAX_TOKEN_BODY)
            .await
            .map_err(|e| transport_error(&e, leaf))?;
        tracing::debug!(endpoint = leaf, status, "token service answered");
        if (200..300).contains(&status) {
            return serde_json::from_slice(&body).map_err(|_| {
                GraphError::new(
                    ErrorKind::Decode,
                    format!(
                        "token endpoint sent invalid JSON: {}",
                        excerpt(&String::from_utf8_lossy(&body), 80)
                    ),
                )
                .with_status(status)
            });
        }
        Err(token_error(status, &headers, &body))
    }

    async fn load_cache_once(&self, st: &mut State) {
        if st.cache_loaded {
            return;
        }
        st.cache_loaded = true;
        let Some(path) = self.cfg.cache_path.clone() else {
            return;
        };
        if matches!(self.cfg.credential, Credential::StaticToken(_)) {
            return;
        }
        let loaded = tokio::task::spawn_blocking(move || token_cache::load(&path))
            .await
            .ok()
            .flatten();
        let Some(c) = loaded else { return };
        if c.tenant_id != self.cfg.tenant_id
            || c.client_id != self.cfg.client_id
            || c.scope != self.cfg.scope
        {
            tracing::debug!("token cache belongs to another tenant/client/scope; ignoring it");
            return;
        }
        if let Some(at) = c.access_token.filter(|t| !t.is_empty()) {
            let refresh_after = if c.refresh_after > 0 {
                c.refresh_after
            } else {
                c.expires_at - REFRESH_MARGIN_SECS
            };
            st.access = Some(Access {
                token: SecretString::from(at),
                expires_at: c.expires_at,
                refresh_after,
            });
        }
        if matches!(self.cfg.credential, Credential::DeviceCode) {
            st.refresh = c
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(SecretString::from);
        }
    }

    async fn save_cache(&self, st: &State) {
        let Some(path) = self.cfg.cache_path.clone() else {
            return;
        };
        if matches!(self.cfg.credential, Credential::StaticToken(_)) {
            return;
        }
        let content = CacheFile {
            tenant_id: self.cfg.tenant_id.clone(),
            client_id: self.cfg.client_id.clone(),
            scope: self.cfg.scope.clone(),
            access_token: st
                .access
                .as_ref()
                .map(|a| a.token.expose_secret().to_string()),
            expires_at: st.access.as_ref().map_or(0, |a| a.expires_at),
            refresh_after: st.access.as_ref().map_or(0, |a| a.refresh_after),
            refresh_token: st.refresh.as_ref().map(|r| r.expose_secret().to_string()),
        };
        let shown = path.display().to_string();
        match tokio::task::spawn_blocking(move || token_cache::save(&path, &content)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(path = %shown, error = %e, "cannot write token cache"),
            Err(e) => tracing::warn!(path = %shown, error = %e, "token cache writer failed"),
        }
    }
}

/// Reads a response body, refusing more than `limit` bytes.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if out.len() + chunk.len() > limit {
            out.extend_from_slice(&chunk[..limit.saturating_sub(out.len())]);
            break;
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn transport_error(e: &reqwest::Error, leaf: &str) -> GraphError {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    GraphError::new(kind, format!("token service ({leaf}) unreachable: {e}"))
}

/// Entra error answer → `ErrorKind::Auth`, with a hint for AADSTS7000218.
fn token_error(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8]) -> GraphError {
    let mut e = parse_error_body(status, headers, body);
    e.kind = ErrorKind::Auth;
    let codes: Vec<u64> = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error_codes").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    if codes.contains(&7_000_218) || e.message.contains("AADSTS7000218") {
        e.message = format!(
            "the app registration is not a public client: enable \"Allow public client flows\" \
             (Entra admin center → App registrations → Authentication) for device-code sign-in. {}",
            e.message
        );
    } else if codes.contains(&700_025) || e.message.contains("AADSTS700025") {
        e.message = format!(
            "the app is a public client and must not send a secret. {}",
            e.message
        );
    }
    tracing::debug!(status, code = %log_safe(&e.code), "token service refused the request");
    e
}

fn reword(mut e: GraphError, what: &str) -> GraphError {
    e.message = if e.message.is_empty() {
        what.to_string()
    } else {
        format!("{what} ({})", e.message)
    };
    e
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Seconds given as a JSON number or a numeric string (old endpoints send strings).
fn secs_of(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn clamp_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(login: &str, tenant: &str) -> AuthConfig {
        AuthConfig {
            login_url: url::Url::parse(login).unwrap(),
            tenant_id: tenant.into(),
            client_id: "cid".into(),
            scope: "https://graph.microsoft.com/.default".into(),
            credential: Credential::DeviceCode,
            cache_path: None,
        }
    }

    #[test]
    fn endpoint_shape_and_validation() {
        let a = Authenticator::new(
            cfg(
                "https://login.microsoftonline.us/",
                "contoso.onmicrosoft.com",
            ),
            reqwest::Client::new(),
        );
        assert_eq!(
            a.endpoint("token").unwrap().as_str(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        let bad = Authenticator::new(
            cfg("https://login.microsoftonline.com", "../x"),
            reqwest::Client::new(),
        );
        assert_eq!(bad.endpoint("token").unwrap_err().kind, ErrorKind::Config);
        let http = Authenticator::new(
            cfg("http://login.microsoftonline.com", "t"),
            reqwest::Client::new(),
        );
        assert_eq!(http.endpoint("token").unwrap_err().kind, ErrorKind::Config);
    }

    #[test]
    fn delegated_scope_adds_offline_access_once() {
        let mut c = cfg("https://login.microsoftonline.com", "t");
        assert_eq!(
            Authenticator::new(c.clone(), reqwest::Client::new()).delegated_scope(),
            "https://graph.microsoft.com/.default offline_access"
        );
        c.scope = "a offline_access".into();
        assert_eq!(
            Authenticator::new(c, reqwest::Client::new()).delegated_scope(),
            "a offline_access"
        );
    }

    #[test]
    fn aadsts7000218_gets_a_hint() {
        let body = br#"{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.","error_codes":[7000218]}"#;
        let e = token_error(401, &reqwest::header::HeaderMap::new(), body);
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.code, "invalid_client");
        assert!(
            e.message.contains("Allow public client flows"),
            "{}",
            e.message
        );
        assert!(e.message.contains("AADSTS7000218"));
    }

    #[test]
    fn lenient_seconds() {
        let v = serde_json::json!({"a": 5, "b": "3599", "c": 2.5, "d": -1, "e": null});
        assert_eq!(secs_of(&v, "a"), Some(5));
        assert_eq!(secs_of(&v, "b"), Some(3599));
        assert_eq!(secs_of(&v, "c"), Some(2));
        assert_eq!(secs_of(&v, "d"), None);
        assert_eq!(secs_of(&v, "e"), None);
    }

    #[test]
    fn debug_does_not_leak_secrets() {
        let mut c = cfg("https://login.microsoftonline.com", "t");
        c.credential = Credential::ClientSecret(SecretString::from("hunter2"));
        assert!(!format!("{c:?}").contains("hunter2"));
        let a = Authenticator::new(c, reqwest::Client::new());
        assert!(!format!("{a:?}").contains("hunter2"));
    }
}
