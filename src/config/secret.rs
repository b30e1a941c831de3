//! Reading a client secret from its [`SecretSource`] (environment variable or file).

use secrecy::SecretString;

use super::error::ConfigError;
use super::private_file::read_private_file;
use super::profile::SecretSource;

/// Largest secret file accepted; anything bigger is certainly the wrong file.
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// Reads the secret. Trailing newlines (`\n`, `\r\n`) are removed; an empty secret is an
/// error. A secret file group or others may access is refused, naming its mode and the fix.
/// Error messages describe the source, never the value.
pub fn read_secret(
    src: &SecretSource,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SecretString, ConfigError> {
    let fail = |message: String| ConfigError::Secret {
        source_desc: src.describe(),
        message,
    };
    let mut raw = match src {
        SecretSource::Env(name) => env(name).ok_or_else(|| fail("is not set".to_owned()))?,
        SecretSource::File(path) => {
            let bytes = read_private_file(path, MAX_SECRET_FILE).map_err(fail)?;
            String::from_utf8(bytes).map_err(|_| fail("is not UTF-8 text".to_owned()))?
        }
    };
    strip_newline(&mut raw);
    if raw.trim().is_empty() {
        return Err(fail("is empty".to_owned()));
    }
    Ok(SecretString::from(raw))
}

fn strip_newline(s: &mut String) {
    let keep = s.trim_end_matches(['\r', '\n']).len();
    s.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_stripping_keeps_inner_content() {
        let mut s = "abc\r\n".to_owned();
        strip_newline(&mut s);
        assert_eq!(s, "abc");
        let mut s = " a b\n\n".to_owned();
        strip_newline(&mut s);
        assert_eq!(s, " a b");
    }

    #[cfg(unix)]
    #[test]
    fn loose_secret_file_is_refused_naming_file_mode_and_fix() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "hunter2\n").unwrap();
        let read = |mode: u32| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            read_secret(&SecretSource::File(path.clone()), &|_| None)
        };
        for mode in [0o644, 0o640, 0o604] {
            let err = read(mode).unwrap_err().to_string();
            let shown = path.display().to_string();
            assert!(err.contains(&shown), "{err}");
            assert!(err.contains(&format!("{mode:o}")), "{err}");
            assert!(err.contains(&format!("chmod 600 {shown}")), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
        let secret = read(0o600).unwrap();
        assert_eq!(secrecy::ExposeSecret::expose_secret(&secret), "hunter2");
        assert!(read(0o400).is_ok());
    }
}
