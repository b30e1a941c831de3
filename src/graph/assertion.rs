//! Signed JWT client assertion for the certificate credential (Entra ID, PS256 + `x5t#S256`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::certificate::CertificateKey;
use super::error::{ErrorKind, GraphError};

/// Assertion lifetime after `nbf` (seconds).
pub const ASSERTION_LIFETIME_SECS: i64 = 600;

/// Builds a `client_assertion` JWT: header `{"alg":"PS256","typ":"JWT","x5t#S256":…}`, claims
/// `aud`, `iss`=`sub`=`client_id`, `jti` (UUID v4), `nbf`=`iat`=`now`, `exp`=`now`+10 min,
/// signed (RSASSA-PSS, SHA-256) with the key of `cert`.
pub fn build_client_assertion(
    cert: &CertificateKey,
    audience: &str,
    client_id: &str,
    now_unix: i64,
) -> Result<String, GraphError> {
    let header =
        serde_json::json!({ "alg": "PS256", "typ": "JWT", "x5t#S256": cert.thumbprint_s256() });
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
    let signature = cert.sign_ps256(signing_input.as_bytes()).map_err(|e| {
        GraphError::new(
            ErrorKind::Auth,
            format!("signing the client assertion failed: {e}"),
        )
    })?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};

    const KEY_PKCS1: &str = include_str!("../../tests/fixtures/test_key_pkcs1.pem");
    const KEY_PKCS8: &str = include_str!("../../tests/fixtures/test_key_pkcs8.pem");
    const CERT: &str = include_str!("../../tests/fixtures/test_cert.pem");

    #[test]
    fn signs_with_pkcs1_and_pkcs8_keys_and_the_signature_verifies() {
        for key in [KEY_PKCS1, KEY_PKCS8] {
            let cert =
                CertificateKey::from_files(CERT.as_bytes(), "c", key.as_bytes(), "k").unwrap();
            let jwt = build_client_assertion(&cert, "aud", "cid", 1_700_000_000).unwrap();
            let parts: Vec<&str> = jwt.split('.').collect();
            assert_eq!(parts.len(), 3);
            let signed = format!("{}.{}", parts[0], parts[1]);
            let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
            let public = UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, cert.public_key_der());
            public.verify(signed.as_bytes(), &sig).unwrap();
            assert!(public.verify(b"tampered", &sig).is_err());
        }
    }
}
