//! Reading a client secret from its [`SecretSource`] (environment variable or file).

use std::io::Read;

use secrecy::SecretString;

use super::error::ConfigError;
use super::profile::SecretSource;

/// Largest secret file accepted; anything bigger is certainly the wrong file.
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// Reads the secret. Trailing newlines (`\n`, `\r\n`) are removed; an empty secret is an
/// error. A secret file readable by group or others is accepted but logged as a warning.
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
            let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
            let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
            if !meta.is_file() {
                return Err(fail("is not a regular file".to_owned()));
            }
            if meta.len() > MAX_SECRET_FILE {
                return Err(fail(format!(
                    "is larger than {MAX_SECRET_FILE} bytes; is this the right file?"
                )));
            }
            warn_if_loose(path, &meta);
            let mut s = String::new();
            file.take(MAX_SECRET_FILE)
                .read_to_string(&mut s)
                .map_err(|e| fail(e.to_string()))?;
            s
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

/// True if a Unix mode lets group or others read (or write) the file.
pub(crate) fn loose_permissions(mode: u32) -> bool {
    mode & 0o077 != 0
}

#[cfg(unix)]
fn warn_if_loose(path: &std::path::Path, meta: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if loose_permissions(mode) {
        tracing::warn!(
            path = %path.display(),
            mode = format_args!("{mode:o}"),
            "client secret file is accessible to other users; run chmod 600 on it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_loose(_path: &std::path::Path, _meta: &std::fs::Metadata) {}

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
    fn loose_secret_file_is_read_with_a_warning() {
        use std::os::unix::fs::PermissionsExt;
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        std::fs::write(&path, "hunter2\n").unwrap();
        let read = |mode: u32| {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let buf = Buf::default();
            let sink = buf.clone();
            let sub = tracing_subscriber::fmt()
                .with_writer(move || sink.clone())
                .with_ansi(false)
                .finish();
            let secret = tracing::subscriber::with_default(sub, || {
                read_secret(&SecretSource::File(path.clone()), &|_| None).unwrap()
            });
            let log = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
            (secret, log)
        };
        let (secret, log) = read(0o644);
        assert_eq!(secrecy::ExposeSecret::expose_secret(&secret), "hunter2");
        assert!(log.contains("chmod 600"), "{log}");
        assert!(!log.contains("hunter2"), "{log}");
        let (_, log) = read(0o600);
        assert!(log.is_empty(), "{log}");
    }

    #[test]
    fn loose_modes() {
        assert!(!loose_permissions(0o600));
        assert!(!loose_permissions(0o400));
        assert!(loose_permissions(0o644));
        assert!(loose_permissions(0o604));
        assert!(loose_permissions(0o640));
    }
}
