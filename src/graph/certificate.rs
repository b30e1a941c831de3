//! The certificate credential: an RSA private key and the certificate it belongs to, read from
//! PEM (two files or one holding both) or a DER certificate, and checked to be a pair before
//! any sign-in.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PSS_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::{PemObject as _, SectionKind};

/// A private key with the certificate it belongs to (the one registered on the app).
#[derive(Clone)]
pub struct CertificateKey {
    key: Arc<RsaKeyPair>,
    certificate_der: Vec<u8>,
}

impl fmt::Debug for CertificateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateKey")
            .field("x5t#S256", &self.thumbprint_s256())
            .finish_non_exhaustive()
    }
}

impl CertificateKey {
    /// Reads the certificate (PEM or DER; in a chain, the one the key belongs to) and the
    /// unencrypted RSA private key (PKCS#8 or PKCS#1, PEM or DER). `cert_name` and `key_name`
    /// name the files in messages (they may be the same file). A key that does not belong to
    /// any certificate in the file is refused. Messages never contain key material.
    pub fn from_files(
        cert: &[u8],
        cert_name: &str,
        key: &[u8],
        key_name: &str,
    ) -> Result<Self, String> {
        let certificates = certificates(cert, cert_name)?;
        let key = private_key(key, key_name)?;
        let public = key
            .public_key()
            .as_der()
            .map_err(|_| format!("{key_name}: the private key's public half cannot be encoded"))?;
        let rsa_public = key.public_key().as_ref();
        let mut unreadable = None;
        for der in certificates {
            let spki = match webpki::EndEntityCert::try_from(&CertificateDer::from(der.as_slice()))
            {
                Ok(cert) => cert.subject_public_key_info(),
                Err(e) => {
                    unreadable = Some(e);
                    continue;
                }
            };
            if spki_holds(spki.as_ref(), public.as_ref(), rsa_public) {
                return Ok(Self {
                    key: Arc::new(key),
                    certificate_der: der,
                });
            }
        }
        Err(match unreadable {
            Some(e) => format!("{cert_name}: the certificate cannot be read as X.509 ({e})"),
            None => format!(
                "the private key in {key_name} does not belong to the certificate in \
                 {cert_name} (their public keys differ); Entra ID would refuse every sign-in"
            ),
        })
    }

    /// DER bytes of the certificate.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// `x5t#S256`: base64url (no padding) of the certificate's SHA-256.
    pub fn thumbprint_s256(&self) -> String {
        URL_SAFE_NO_PAD.encode(digest(&SHA256, &self.certificate_der))
    }

    /// The public key as a PKCS#1 `RSAPublicKey` (DER), e.g. to verify signatures.
    pub fn public_key_der(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// RSASSA-PSS with SHA-256 (JWT `PS256`) over `message`.
    pub fn sign_ps256(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PSS_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| "signing with the private key failed".to_owned())?;
        Ok(signature)
    }
}

/// True when the certificate's SubjectPublicKeyInfo is this key's: equal to its X.509 encoding,
/// or (other algorithm identifiers, e.g. RSASSA-PSS) ending in the bit string
/// `00 || RSAPublicKey`.
fn spki_holds(spki: &[u8], public_x509: &[u8], rsa_public: &[u8]) -> bool {
    if spki == public_x509 {
        return true;
    }
    spki.len() > rsa_public.len()
        && spki.ends_with(rsa_public)
        && spki[spki.len() - rsa_public.len() - 1] == 0
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// A DER encoding starts with a SEQUENCE tag.
fn looks_like_der(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x30)
}

/// The PEM sections of `bytes`, in order; a syntax error names the file only.
fn sections(bytes: &[u8], name: &str) -> Result<Vec<(SectionKind, Vec<u8>)>, String> {
    <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| format!("{name} is not valid PEM (a damaged BEGIN/END block or base64)"))
}

/// The certificates in a PEM file, or the one certificate of a DER file.
fn certificates(bytes: &[u8], name: &str) -> Result<Vec<Vec<u8>>, String> {
    if !is_pem(bytes) {
        if looks_like_der(bytes) {
            return Ok(vec![bytes.to_vec()]);
        }
        return Err(format!(
            "{name} is neither a PEM nor a DER certificate (vigil reads \
             -----BEGIN CERTIFICATE----- blocks, or DER)"
        ));
    }
    let certs: Vec<Vec<u8>> = sections(bytes, name)?
        .into_iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| der)
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "{name} holds no certificate (no -----BEGIN CERTIFICATE----- block)"
        ));
    }
    Ok(certs)
}

/// The RSA private key in a PEM (PKCS#8 or PKCS#1) or DER file.
fn private_key(bytes: &[u8], name: &str) -> Result<RsaKeyPair, String> {
    let unusable = |why: &str| format!("{name}: the private key {why}");
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    // PKCS#8 `ENCRYPTED PRIVATE KEY` blocks, and OpenSSL's legacy encrypted PKCS#1 headers.
    if contains(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || contains(b"Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "{name}: the private key is encrypted; vigil needs it unencrypted in a file only you \
             can read: openssl pkey -in {name} -out KEY.pem && chmod 600 KEY.pem"
        ));
    }
    if !is_pem(bytes) {
        if looks_like_der(bytes) {
            return RsaKeyPair::from_pkcs8(bytes)
                .or_else(|_| RsaKeyPair::from_der(bytes))
                .map_err(|_| unusable("is not an RSA key in PKCS#8 or PKCS#1 DER form"));
        }
        return Err(format!(
            "{name} holds no private key (vigil reads PEM -----BEGIN PRIVATE KEY----- or \
             -----BEGIN RSA PRIVATE KEY----- blocks)"
        ));
    }
    for (kind, der) in sections(bytes, name)? {
        match kind {
            SectionKind::PrivateKey => {
                return RsaKeyPair::from_pkcs8(&der).map_err(|_| {
                    unusable("is not an RSA key (Entra certificate sign-in here needs RSA)")
                });
            }
            SectionKind::RsaPrivateKey => {
                return RsaKeyPair::from_der(&der)
                    .map_err(|_| unusable("(BEGIN RSA PRIVATE KEY) cannot be read"));
            }
            SectionKind::EcPrivateKey => {
                return Err(unusable("is an EC key; vigil signs with RSA (PS256)"));
            }
            _ => {}
        }
    }
    Err(format!(
        "{name} holds no private key (no -----BEGIN PRIVATE KEY----- or \
         -----BEGIN RSA PRIVATE KEY----- block); name the key with private_key_file or add it \
         to the file"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_PKCS1: &str = include_str!("../../tests/fixtures/test_key_pkcs1.pem");
    const KEY_PKCS8: &str = include_str!("../../tests/fixtures/test_key_pkcs8.pem");
    const CERT: &str = include_str!("../../tests/fixtures/test_cert.pem");
    const THUMB_HEX: &str = include_str!("../../tests/fixtures/test_cert.sha256");

    #[test]
    fn pkcs1_and_pkcs8_give_the_same_pair_and_thumbprint() {
        let hex: String = digest(&SHA256, &certificates(CERT.as_bytes(), "c").unwrap()[0])
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, THUMB_HEX.trim());
        let a =
            CertificateKey::from_files(CERT.as_bytes(), "c", KEY_PKCS1.as_bytes(), "k").unwrap();
        let b =
            CertificateKey::from_files(CERT.as_bytes(), "c", KEY_PKCS8.as_bytes(), "k").unwrap();
        assert_eq!(a.thumbprint_s256(), b.thumbprint_s256());
        assert_eq!(a.public_key_der(), b.public_key_der());
    }

    #[test]
    fn garbage_is_named_without_echoing_it() {
        let e =
            CertificateKey::from_files(CERT.as_bytes(), "c", b"not a key", "k.pem").unwrap_err();
        assert!(e.contains("k.pem holds no private key"), "{e}");
        let e =
            CertificateKey::from_files(b"no cert", "c.pem", KEY_PKCS8.as_bytes(), "k").unwrap_err();
        assert!(e.contains("c.pem is neither"), "{e}");
        let broken = "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n";
        let e = CertificateKey::from_files(broken.as_bytes(), "c.pem", KEY_PKCS8.as_bytes(), "k")
            .unwrap_err();
        assert!(e.contains("c.pem is not valid PEM"), "{e}");
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let e = CertificateKey::from_files(CERT.as_bytes(), "c", encrypted.as_bytes(), "k.pem")
            .unwrap_err();
        assert!(e.contains("encrypted") && e.contains("openssl pkey"), "{e}");
        assert!(!e.contains("AAAA"), "{e}");
    }

    #[test]
    fn debug_shows_the_thumbprint_not_the_key() {
        let k =
            CertificateKey::from_files(CERT.as_bytes(), "c", KEY_PKCS8.as_bytes(), "k").unwrap();
        let shown = format!("{k:?}");
        assert!(shown.contains(&k.thumbprint_s256()), "{shown}");
        assert!(!shown.contains("MII"), "{shown}");
    }
}
