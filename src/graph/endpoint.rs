//! Base URL rules shared by the Graph client and the authenticator.

use std::net::IpAddr;

use url::{Host, Url};

use super::error::{ErrorKind, GraphError};

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Accepts `https://` anywhere and `http://` only for loopback hosts (the simulated tenant).
pub fn check_base_url(url: &Url, what: &str) -> Result<(), GraphError> {
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(GraphError::new(
            ErrorKind::Config,
            format!("{what} {url} is not a base URL"),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(GraphError::new(
            ErrorKind::Config,
            format!("{what} must not contain credentials"),
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(GraphError::new(
            ErrorKind::Config,
            format!("{what} {url}: plain http is only allowed for loopback hosts; use https"),
        )),
        other => Err(GraphError::new(
            ErrorKind::Config,
            format!("{what}: unsupported scheme {other}"),
        )),
    }
}

/// `base` (which may carry a path prefix) with `path` appended; `path` must start with `/`.
pub fn append_path(base: &Url, path: &str) -> Result<Url, GraphError> {
    if !path.starts_with('/') {
        return Err(GraphError::new(
            ErrorKind::Config,
            format!("relative path must start with '/': {path}"),
        ));
    }
    let joined = format!("{}{}", base.as_str().trim_end_matches('/'), path);
    let url = Url::parse(&joined)
        .map_err(|e| GraphError::new(ErrorKind::Config, format!("invalid URL {joined}: {e}")))?;
    if url.origin() != base.origin() {
        return Err(GraphError::new(
            ErrorKind::Config,
            format!("path {path} escapes {base}"),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scheme_rules() {
        assert!(check_base_url(&u("https://graph.microsoft.com"), "graph_url").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:1",
            "http://LOCALHOST:3",
        ] {
            assert!(check_base_url(&u(ok), "graph_url").is_ok(), "{ok}");
        }
        for bad in [
            "http://graph.microsoft.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://127.0.0.1",
        ] {
            let e = check_base_url(&u(bad), "graph_url").unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config, "{bad}");
        }
        assert!(check_base_url(&u("https://user:pw@graph.microsoft.com"), "graph_url").is_err());
    }

    #[test]
    fn append_keeps_prefix_and_refuses_escape() {
        let base = u("http://127.0.0.1:9/prefix/");
        assert_eq!(
            append_path(&base, "/v1.0/x?$top=5").unwrap().as_str(),
            "http://127.0.0.1:9/prefix/v1.0/x?$top=5"
        );
        let root = u("https://graph.microsoft.com");
        assert!(append_path(&root, "@evil.com/").is_err());
        assert!(append_path(&root, "v1.0/x").is_err());
        let e = append_path(&u("https://graph.microsoft.com"), "/x").unwrap();
        assert_eq!(e.host_str(), Some("graph.microsoft.com"));
    }
}
