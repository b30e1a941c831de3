//! Certificate sign-in is checked at start: the key must belong to the certificate, one PEM
//! file may hold both, a DER certificate is read, and a key file others can read is refused.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use base64::Engine as _;
use vigil::config::{self, ResolvedProfile};
use vigil::start::launch;

const CERT: &str = include_str!("fixtures/test_cert.pem");
const KEY_PKCS8: &str = include_str!("fixtures/test_key_pkcs8.pem");
const KEY_PKCS1: &str = include_str!("fixtures/test_key_pkcs1.pem");

fn write(path: &Path, content: &[u8], mode: u32) {
    std::fs::write(path, content).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn profile(files: &str) -> ResolvedProfile {
    let text = format!("[profiles.c]\ntenant_id = \"t\"\nclient_id = \"c\"\n{files}");
    let cfg = config::parse(&text, Path::new("/c/config.toml")).unwrap();
    config::resolve_profile(Some(&cfg), None, &|_| None).unwrap()
}

fn files(cert: &Path, key: Option<&Path>) -> String {
    let mut s = format!("certificate_file = {:?}\n", cert.display().to_string());
    if let Some(key) = key {
        s.push_str(&format!(
            "private_key_file = {:?}\n",
            key.display().to_string()
        ));
    }
    s
}

/// A fresh RSA key that is not the certificate's, as PKCS#8 PEM.
fn other_key_pem() -> String {
    use aws_lc_rs::encoding::AsDer as _;
    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = key.as_der().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

#[test]
fn matching_pkcs8_and_pkcs1_keys_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    write(&cert, CERT.as_bytes(), 0o644);
    for key_pem in [KEY_PKCS8, KEY_PKCS1] {
        let key = dir.path().join("key.pem");
        write(&key, key_pem.as_bytes(), 0o600);
        launch::credential_for(&profile(&files(&cert, Some(&key)))).unwrap();
    }
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("other.key.pem");
    write(&cert, CERT.as_bytes(), 0o644);
    write(&key, other_key_pem().as_bytes(), 0o600);
    let err = launch::credential_for(&profile(&files(&cert, Some(&key))))
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not belong to the certificate"), "{err}");
    assert!(err.contains(&key.display().to_string()), "{err}");
    assert!(err.contains(&cert.display().to_string()), "{err}");
}

#[test]
fn one_pem_file_holding_certificate_and_key_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let both = dir.path().join("both.pem");
    for content in [format!("{KEY_PKCS8}{CERT}"), format!("{CERT}{KEY_PKCS1}")] {
        write(&both, content.as_bytes(), 0o600);
        // The same file named twice, and the key file left out.
        launch::credential_for(&profile(&files(&both, Some(&both)))).unwrap();
        let p = profile(&files(&both, None));
        assert_eq!(p.auth, config::AuthKind::Certificate);
        launch::credential_for(&p).unwrap();
    }
    // It holds a key, so it must be private too.
    write(&both, format!("{CERT}{KEY_PKCS8}").as_bytes(), 0o644);
    let err = launch::credential_for(&profile(&files(&both, None)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("chmod 600"), "{err}");
}

#[test]
fn a_certificate_file_without_a_key_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    write(&cert, CERT.as_bytes(), 0o600);
    let err = launch::credential_for(&profile(&files(&cert, None)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("private key"), "{err}");
    assert!(err.contains("private_key_file"), "{err}");
}

#[test]
fn a_der_certificate_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let b64: String = CERT.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let cert = dir.path().join("cert.der");
    let key = dir.path().join("key.pem");
    write(&cert, &der, 0o644);
    write(&key, KEY_PKCS8.as_bytes(), 0o600);
    launch::credential_for(&profile(&files(&cert, Some(&key)))).unwrap();
}

#[test]
fn a_key_file_readable_by_others_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    write(&cert, CERT.as_bytes(), 0o644);
    write(&key, KEY_PKCS8.as_bytes(), 0o640);
    let err = launch::credential_for(&profile(&files(&cert, Some(&key))))
        .unwrap_err()
        .to_string();
    assert!(err.contains("640"), "{err}");
    assert!(
        err.contains(&format!("chmod 600 {}", key.display())),
        "{err}"
    );
    assert!(!err.contains("BEGIN"), "{err}");
}
