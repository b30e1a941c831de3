//! Signed JWT client assertion for the certificate credential (Entra ID, PS256 + `x5t#S256`).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::RsaPrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::pss::BlindedSigningKey;
use rsa::rand_core::OsRng;
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use sha2::{Digest as _, Sha256};

use super::error::{ErrorKind, GraphError};

/// Assertion lifetime after `nbf` (seconds).
pub const ASSERTION_LIFETIME_SECS: i64 = 600;

/// Builds a `client_assertion` JWT: header `{"alg":"PS256","typ":"JWT","x5t#S256":…}`, claims
/// `aud`, `iss`=`sub`=`client_id`, `jti` (UUID v4), `nbf`=`iat`=`now`, `exp`=`now`+10 min.
///
/// `private_key_pem` may be PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`);
/// `certificate_pem` is the certificate uploaded to the app registration.
pub fn build_client_assertion(
    private_key_pem: &str,
    certificate_pem: &str,
    audience: &str,
    client_id: &str,
    now_unix: i64,
) -> Result<String, GraphError> {
    let key = parse_private_key(private_key_pem)?;
    let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(certificate_der(certificate_pem)?));
    let header = serde_json::json!({ "alg": "PS256", "typ": "JWT", "x5t#S256": thumbprint });
    let claims = serde_json::json!({
        "aud": audience,
        "iss": client_id,
        "sub": client_id,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now_unix,
        "iat": now_unix,
        "exp": now_unix + ASSERTION_LIFETIME_SECS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signer = BlindedSigningKey::<Sha256>::new(key);
    let signature = signer
        .try_sign_with_rng(&mut OsRng, signing_input.as_bytes())
        .map_err(|e| {
            GraphError::new(
                ErrorKind::Auth,
                format!("signing the client assertion failed: {e}"),
            )
        })?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    ))
}

fn parse_private_key(pem: &str) -> Result<RsaPrivateKey, GraphError> {
    RsaPrivateKey::from_pkcs8_pem(pem.trim())
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem.trim()))
        .map_err(|_| {
            GraphError::new(
                ErrorKind::Config,
                "certificate private key is not an unencrypted RSA key in PKCS#8 or PKCS#1 PEM form",
            )
        })
}

/// DER bytes of the first `CERTIFICATE` block of a PEM file.
pub fn certificate_der(pem: &str) -> Result<Vec<u8>, GraphError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let bad = |why: &str| GraphError::new(ErrorKind::Config, format!("certificate PEM: {why}"));
    let start = pem
        .find(BEGIN)
        .ok_or_else(|| bad("no BEGIN CERTIFICATE block"))?
        + BEGIN.len();
    let len = pem[start..]
        .find(END)
        .ok_or_else(|| bad("no END CERTIFICATE line"))?;
    let b64: String = pem[start..start + len]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = STANDARD.decode(b64).map_err(|_| bad("invalid base64"))?;
    if der.is_empty() {
        return Err(bad("empty certificate"));
    }
    Ok(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_PKCS1: &str = include_str!("../../tests/fixtures/test_key_pkcs1.pem");
    const KEY_PKCS8: &str = include_str!("../../tests/fixtures/test_key_pkcs8.pem");
    const CERT: &str = include_str!("../../tests/fixtures/test_cert.pem");

    #[test]
    fn accepts_pkcs1_and_pkcs8() {
        for key in [KEY_PKCS1, KEY_PKCS8] {
            let jwt = build_client_assertion(key, CERT, "aud", "cid", 1_700_000_000).unwrap();
            assert_eq!(jwt.split('.').count(), 3);
        }
    }

    #[test]
    fn rejects_garbage() {
        let e = build_client_assertion("not a key", CERT, "a", "c", 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        let e = build_client_assertion(KEY_PKCS8, "no cert", "a", "c", 0).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            certificate_der("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----").is_err()
        );
    }
}
