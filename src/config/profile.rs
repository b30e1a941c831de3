//! `[profiles.NAME]`: tenants, credentials and clouds, and their resolution (file + `VIGIL_*`
//! environment overrides) into a [`ResolvedProfile`] the Graph client can use.

use std::net::IpAddr;
use std::path::PathBuf;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use url::{Host, Url};

use super::Config;
use super::error::ConfigError;

/// Environment variable overriding the Graph base URL.
pub const ENV_GRAPH_URL: &str = "VIGIL_GRAPH_URL";
/// Environment variable overriding the sign-in (authority) base URL.
pub const ENV_LOGIN_URL: &str = "VIGIL_LOGIN_URL";
/// Environment variable overriding the tenant id.
pub const ENV_TENANT_ID: &str = "VIGIL_TENANT_ID";
/// Environment variable overriding the application (client) id.
pub const ENV_CLIENT_ID: &str = "VIGIL_CLIENT_ID";
/// Environment variable holding a client secret (overrides the profile's secret source).
pub const ENV_CLIENT_SECRET: &str = "VIGIL_CLIENT_SECRET";

/// How vigil signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// App-only: client id + client secret (client credentials grant).
    ClientSecret,
    /// App-only: client id + certificate (signed JWT assertion).
    Certificate,
    /// Delegated: device-code sign-in by the analyst (`vigil login`), refresh token cached.
    DeviceCode,
}

impl AuthKind {
    /// The configuration spelling (`client-secret`, `certificate`, `device-code`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::ClientSecret => "client-secret",
            AuthKind::Certificate => "certificate",
            AuthKind::DeviceCode => "device-code",
        }
    }
}

/// The Microsoft cloud a tenant lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
pub enum Cloud {
    /// Worldwide (including Microsoft 365 GCC).
    #[default]
    #[serde(rename = "global", alias = "gcc")]
    Global,
    /// US Government GCC High (L4).
    #[serde(rename = "usgov", alias = "gcc-high")]
    UsGov,
    /// US Government DoD (L5).
    #[serde(rename = "usgov-dod", alias = "dod")]
    UsGovDod,
}

impl Cloud {
    /// The configuration spelling (`global`, `usgov`, `usgov-dod`).
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usgov",
            Cloud::UsGovDod => "usgov-dod",
        }
    }

    /// Microsoft Graph base URL (with trailing `/`, without API version).
    pub fn graph_base(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com/",
            Cloud::UsGov => "https://graph.microsoft.us/",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us/",
        }
    }

    /// OAuth scope of a token for this cloud's Microsoft Graph (app-only form).
    pub fn graph_scope(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com/.default",
            Cloud::UsGov => "https://graph.microsoft.us/.default",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us/.default",
        }
    }

    /// Entra ID sign-in (authority) base URL, with trailing `/`.
    pub fn login_base(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com/",
            Cloud::UsGov | Cloud::UsGovDod => "https://login.microsoftonline.us/",
        }
    }
}

/// Base URL of the Defender portal for a cloud (no trailing `/`), for "open in portal" links.
pub fn portal_base(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Global => "https://security.microsoft.com",
        Cloud::UsGov => "https://security.microsoft.us",
        Cloud::UsGovDod => "https://security.apps.mil",
    }
}

/// Where a client secret is read from. Holds only the *location*, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretSource {
    /// An environment variable (by name).
    Env(String),
    /// A file whose content (minus a trailing newline) is the secret.
    File(PathBuf),
}

impl SecretSource {
    /// Human description, e.g. `environment variable VIGIL_CLIENT_SECRET`.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(name) => format!("environment variable {name}"),
            SecretSource::File(path) => format!("file {}", path.display()),
        }
    }
}

/// `[profiles.NAME]` as written in the file. Every field is optional here; the environment can
/// supply or override some, and [`resolve_profile`] checks that the result is complete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    /// Directory (tenant) id: GUID or verified domain.
    #[serde(deserialize_with = "de_opt_ident")]
    pub tenant_id: Option<String>,
    /// Application (client) id of the app registration.
    #[serde(deserialize_with = "de_opt_ident")]
    pub client_id: Option<String>,
    /// Sign-in method; inferred when absent (secret → client-secret, certificate → certificate,
    /// otherwise device-code).
    pub auth: Option<AuthKind>,
    /// Name of the environment variable that holds the client secret.
    #[serde(deserialize_with = "de_opt_env_name")]
    pub client_secret_env: Option<String>,
    /// File that holds the client secret (should be mode 0600).
    pub client_secret_file: Option<PathBuf>,
    /// Certificate for certificate auth (PEM or DER; may also hold the private key).
    pub certificate_file: Option<PathBuf>,
    /// Private key for certificate auth (PEM, mode 0600); defaults to `certificate_file`.
    pub private_key_file: Option<PathBuf>,
    /// National cloud (default `global`).
    pub cloud: Option<Cloud>,
    /// Graph base URL override (e.g. a local simulator).
    #[serde(deserialize_with = "de_opt_endpoint")]
    pub graph_url: Option<Url>,
    /// Sign-in base URL override.
    #[serde(deserialize_with = "de_opt_endpoint")]
    pub login_url: Option<Url>,
    /// OAuth scope override (default: the cloud's Graph scope, whatever `graph_url` says).
    #[serde(deserialize_with = "de_opt_scope")]
    pub scope: Option<String>,
    /// Never send mutations for this profile.
    pub read_only: bool,
    /// Overrides `[sync] poll_interval_secs` for this profile.
    #[serde(deserialize_with = "super::settings::de_opt_poll_interval")]
    pub poll_interval_secs: Option<u64>,
}

/// A complete, validated profile: everything the auth and Graph client code needs.
/// Contains no secret (only [`SecretSource`]), so `Debug` is safe to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedProfile {
    /// Profile name (`default` when built from the environment only).
    pub name: String,
    /// Tenant id or domain.
    pub tenant_id: String,
    /// Application (client) id.
    pub client_id: String,
    /// Sign-in method.
    pub auth: AuthKind,
    /// Where the client secret comes from (for `client-secret`; `None` otherwise is possible).
    pub secret_source: Option<SecretSource>,
    /// `(certificate file, private key file)` for `certificate`; the same path twice when one
    /// file holds both.
    pub cert: Option<(PathBuf, PathBuf)>,
    /// The cloud (decides default hosts and the portal link base).
    pub cloud: Cloud,
    /// Graph base URL, ending in `/`, without the API version (the client appends `v1.0/…`).
    pub graph_url: Url,
    /// Sign-in base URL, ending in `/` (the client appends `{tenant}/oauth2/v2.0/token`).
    pub login_url: Url,
    /// Mutations disabled by the profile (the `--read-only` flag is OR-ed in by the caller).
    pub read_only: bool,
    /// OAuth scope: the `scope` key, else the cloud's (`https://graph.microsoft.com/.default`, …),
    /// never derived from `graph_url`; plus ` offline_access` for device code.
    pub scope: String,
}

/// Checks a Graph/sign-in base URL: `https://` anywhere, `http://` only to a loopback host
/// (127.0.0.0/8, ::1, `localhost`); no credentials, query or fragment. Returns it normalised
/// to end in `/`.
pub fn validate_endpoint(raw: &str) -> Result<Url, String> {
    let mut url = Url::parse(raw.trim()).map_err(|e| format!("not a valid URL ({e})"))?;
    let host = url
        .host()
        .ok_or_else(|| "URL has no host".to_owned())?
        .to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(format!(
                "plain http:// is only allowed for loopback hosts (127.0.0.1, ::1, localhost), \
                 not {host}; use https://"
            ));
        }
        other => return Err(format!("unsupported scheme {other:?}; use https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("URL must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("URL must not contain a query or fragment".to_owned());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn is_loopback_host(host: &Host<String>) -> bool {
    match host {
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    }
}

/// Tenant and client ids go into URL paths and form fields: GUIDs or domain names only.
fn validate_ident(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if s.len() > 253
        || !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        || s.starts_with('.')
    {
        return Err(
            "must be a GUID or a domain name (letters, digits, '-' and '.' only)".to_owned(),
        );
    }
    Ok(s.to_owned())
}

/// An environment variable name. The value is never echoed: people paste the secret itself here.
fn validate_env_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(
            "must be the NAME of an environment variable (letters, digits, '_'), \
             not the secret itself; value not shown"
                .to_owned(),
        )
    }
}

/// A space-separated list of OAuth scopes: printable ASCII, not blank.
fn validate_scope(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("must not be empty (leave the key out for the cloud's default)".to_owned());
    }
    if s.len() > 1024 || !s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err("must be space-separated OAuth scopes in printable ASCII".to_owned());
    }
    Ok(s.to_owned())
}

fn de_opt_scope<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    validate_scope(&s).map(Some).map_err(D::Error::custom)
}

fn de_opt_ident<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    validate_ident(&s).map(Some).map_err(D::Error::custom)
}

fn de_opt_env_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    validate_env_name(&s).map(Some).map_err(D::Error::custom)
}

fn de_opt_endpoint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
    let s = String::deserialize(d)?;
    validate_endpoint(&s).map(Some).map_err(D::Error::custom)
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads a `VIGIL_*` variable; empty (or blank) counts as unset.
fn env_var(env: Env<'_>, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

fn env_invalid(var: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        origin: format!("environment variable {var}"),
        key: var.to_owned(),
        message,
    }
}

/// Resolves the profile to use: `name` (from `--profile`), else the file's `default_profile`,
/// else the only profile in the file, else one built from `VIGIL_*` variables alone. The
/// environment overrides (`VIGIL_GRAPH_URL`, `VIGIL_LOGIN_URL`, `VIGIL_TENANT_ID`,
/// `VIGIL_CLIENT_ID`, `VIGIL_CLIENT_SECRET`) win over the file.
///
/// With neither a profile nor environment configuration this returns
/// [`ConfigError::NotConfigured`] (naming the config file path resolved from `env`).
pub fn resolve_profile(
    cfg: Option<&Config>,
    name: Option<&str>,
    env: Env<'_>,
) -> Result<ResolvedProfile, ConfigError> {
    let origin = cfg
        .and_then(|c| c.source.as_ref())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "configuration".to_owned());
    let empty = std::collections::BTreeMap::new();
    let profiles = cfg.map(|c| &c.profiles).unwrap_or(&empty);

    let chosen: Option<String> = match name {
        Some(n) => Some(n.to_owned()),
        None => match cfg.and_then(|c| c.default_profile.clone()) {
            Some(d) => Some(d),
            None if profiles.len() == 1 => profiles.keys().next().cloned(),
            None if profiles.len() > 1 => {
                return Err(ConfigError::Invalid {
                    origin,
                    key: "default_profile".to_owned(),
                    message: format!(
                        "{} profiles are defined ({}); choose one with --profile NAME or set \
                         default_profile",
                        profiles.len(),
                        profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            None => None,
        },
    };

    let file_profile: Option<&ProfileConfig> = match &chosen {
        Some(n) => match profiles.get(n) {
            Some(p) => Some(p),
            None if !profiles.is_empty() => {
                return Err(ConfigError::UnknownProfile {
                    name: n.clone(),
                    available: profiles.keys().cloned().collect(),
                });
            }
            None => None,
        },
        None => None,
    };
    let profile_name = chosen.unwrap_or_else(|| "default".to_owned());
    let key = |field: &str| format!("profiles.{profile_name}.{field}");
    let fp = file_profile.cloned().unwrap_or_default();

    let env_tenant = env_var(env, ENV_TENANT_ID)
        .map(|v| validate_ident(&v).map_err(|m| env_invalid(ENV_TENANT_ID, m)))
        .transpose()?;
    let env_client = env_var(env, ENV_CLIENT_ID)
        .map(|v| validate_ident(&v).map_err(|m| env_invalid(ENV_CLIENT_ID, m)))
        .transpose()?;

    if file_profile.is_none() && env_tenant.is_none() && env_client.is_none() {
        return Err(ConfigError::NotConfigured {
            config_file: default_config_file(env),
        });
    }
    let missing = |field: &str, var: &str| {
        if file_profile.is_some() {
            ConfigError::Invalid {
                origin: origin.clone(),
                key: key(field),
                message: format!("missing; set {field} in the profile or {var}"),
            }
        } else {
            env_invalid(
                var,
                format!(
                    "not set (needed together with the other VIGIL_* variables, or define [profiles.{profile_name}] in the config file)"
                ),
            )
        }
    };
    let tenant_id = env_tenant
        .or(fp.tenant_id.clone())
        .ok_or_else(|| missing("tenant_id", ENV_TENANT_ID))?;
    let client_id = env_client
        .or(fp.client_id.clone())
        .ok_or_else(|| missing("client_id", ENV_CLIENT_ID))?;

    let cloud = fp.cloud.unwrap_or_default();
    let graph_url = match env_var(env, ENV_GRAPH_URL) {
        Some(v) => validate_endpoint(&v).map_err(|m| env_invalid(ENV_GRAPH_URL, m))?,
        None => match &fp.graph_url {
            Some(u) => u.clone(),
            None => builtin_url(cloud.graph_base())?,
        },
    };
    let login_url = match env_var(env, ENV_LOGIN_URL) {
        Some(v) => validate_endpoint(&v).map_err(|m| env_invalid(ENV_LOGIN_URL, m))?,
        None => match &fp.login_url {
            Some(u) => u.clone(),
            None => builtin_url(cloud.login_base())?,
        },
    };

    let file_secret = match (&fp.client_secret_env, &fp.client_secret_file) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::Invalid {
                origin,
                key: key("client_secret_env"),
                message: "set either client_secret_env or client_secret_file, not both".to_owned(),
            });
        }
        (Some(var), None) => Some(SecretSource::Env(var.clone())),
        (None, Some(path)) => Some(SecretSource::File(path.clone())),
        (None, None) => None,
    };
    let secret_source = if env_var(env, ENV_CLIENT_SECRET).is_some() {
        Some(SecretSource::Env(ENV_CLIENT_SECRET.to_owned()))
    } else {
        file_secret
    };

    let cert = match (&fp.certificate_file, &fp.private_key_file) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        // One PEM file holding both the certificate and its key.
        (Some(c), None) => Some((c.clone(), c.clone())),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ConfigError::Invalid {
                origin,
                key: key("certificate_file"),
                message: "certificate auth needs certificate_file (private_key_file may be \
                          left out when the certificate file also holds the key)"
                    .to_owned(),
            });
        }
    };

    let auth = fp.auth.unwrap_or(if secret_source.is_some() {
        AuthKind::ClientSecret
    } else if cert.is_some() {
        AuthKind::Certificate
    } else {
        AuthKind::DeviceCode
    });
    match auth {
        AuthKind::ClientSecret if secret_source.is_none() => {
            return Err(ConfigError::Invalid {
                origin,
                key: key("auth"),
                message: format!(
                    "auth = \"client-secret\" needs client_secret_env or client_secret_file in \
                     the profile, or {ENV_CLIENT_SECRET} in the environment"
                ),
            });
        }
        AuthKind::Certificate if cert.is_none() => {
            return Err(ConfigError::Invalid {
                origin,
                key: key("auth"),
                message: "auth = \"certificate\" needs certificate_file (and private_key_file \
                          unless the certificate file also holds the key)"
                    .to_owned(),
            });
        }
        _ => {}
    }

    // The resource the token is for comes from the cloud (or the `scope` key), never from
    // graph_url: a proxy or test server in front of Graph does not change it.
    let mut scope = fp
        .scope
        .clone()
        .unwrap_or_else(|| cloud.graph_scope().to_owned());
    if auth == AuthKind::DeviceCode && !scope.split_whitespace().any(|s| s == "offline_access") {
        scope.push_str(" offline_access");
    }

    Ok(ResolvedProfile {
        name: profile_name,
        tenant_id,
        client_id,
        auth,
        secret_source,
        cert,
        cloud,
        graph_url,
        login_url,
        read_only: fp.read_only,
        scope,
    })
}

fn builtin_url(s: &str) -> Result<Url, ConfigError> {
    Url::parse(s).map_err(|e| ConfigError::Invalid {
        origin: "built-in cloud table".to_owned(),
        key: s.to_owned(),
        message: e.to_string(),
    })
}

fn default_config_file(env: Env<'_>) -> PathBuf {
    crate::paths::resolve(env, None)
        .map(|p| p.config_file)
        .unwrap_or_else(|_| PathBuf::from("~/.config/vigil/config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for ok in [
            "http://127.0.0.1:8787",
            "http://127.9.9.9/",
            "http://[::1]:80/x/",
            "http://LOCALHOST:1",
            "https://graph.microsoft.com",
        ] {
            assert!(validate_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://[::2]",
            "ftp://127.0.0.1",
            "https://user:pw@graph.microsoft.com",
            "https://graph.microsoft.com/?x=1",
            "not a url",
        ] {
            assert!(validate_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoint_path_gets_trailing_slash() {
        let u = validate_endpoint("http://127.0.0.1:8787/graph").unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:8787/graph/");
    }

    #[test]
    fn env_name_error_does_not_echo_value() {
        let err = validate_env_name("s3cr3t~value.with.dots").unwrap_err();
        assert!(!err.contains("s3cr3t"));
        assert!(validate_env_name("VIGIL_CONTOSO_SECRET").is_ok());
        assert!(validate_env_name("1ABC").is_err());
    }

    #[test]
    fn ident_rejects_path_characters() {
        assert!(validate_ident("contoso.onmicrosoft.com").is_ok());
        assert!(validate_ident("72f988bf-86f1-41af-91ab-2d7cd011db47").is_ok());
        assert!(validate_ident("../common").is_err());
        assert!(validate_ident("a/b").is_err());
        assert!(validate_ident(" ").is_err());
    }

    #[test]
    fn portal_bases() {
        assert_eq!(portal_base(Cloud::Global), "https://security.microsoft.com");
        assert_eq!(portal_base(Cloud::UsGov), "https://security.microsoft.us");
        assert_eq!(portal_base(Cloud::UsGovDod), "https://security.apps.mil");
    }
}
