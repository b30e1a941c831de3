//! On-disk token cache: one JSON file, mode 0600, replaced atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Cache file content. Holds secrets: no `Debug`, never logged.
#[derive(Serialize, Deserialize, Clone, Default)]
pub(crate) struct CacheFile {
    pub tenant_id: String,
    pub client_id: String,
    pub scope: String,
    #[serde(default)]
    pub access_token: Option<String>,
    /// Unix seconds.
    #[serde(default)]
    pub expires_at: i64,
    /// Unix seconds after which the access token should be renewed (0: `expires_at` − 5 min).
    #[serde(default)]
    pub refresh_after: i64,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Reads the cache; missing, unreadable or corrupt files give `None` (corruption is warned about).
/// An existing file with permissions wider than 0600 is tightened first.
pub(crate) fn load(path: &Path) -> Option<CacheFile> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "token cache unreadable; ignoring it");
            return None;
        }
    };
    tighten_permissions(path);
    match serde_json::from_slice::<CacheFile>(&bytes) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "token cache is corrupt; ignoring it");
            None
        }
    }
}

/// Writes the cache atomically (temp file with mode 0600 in the same directory, fsync, rename).
pub(crate) fn save(path: &Path, content: &CacheFile) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let json = serde_json::to_vec_pretty(content).map_err(std::io::Error::other)?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&json)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

#[cfg(unix)]
fn tighten_permissions(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
        && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    {
        tracing::warn!(path = %path.display(), error = %e, "cannot restrict token cache permissions");
    }
}

#[cfg(not(unix))]
fn tighten_permissions(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CacheFile {
        CacheFile {
            tenant_id: "t".into(),
            client_id: "c".into(),
            scope: "s".into(),
            access_token: Some("at".into()),
            expires_at: 42,
            refresh_after: 40,
            refresh_token: Some("rt".into()),
        }
    }

    #[test]
    fn roundtrip_and_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/tokens.json");
        save(&path, &sample()).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.access_token.as_deref(), Some("at"));
        assert_eq!(back.refresh_token.as_deref(), Some("rt"));
        assert_eq!(back.expires_at, 42);
        std::fs::write(&path, b"{ not json").unwrap();
        assert!(load(&path).is_none());
        // No temp files left behind.
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        save(&path, &sample()).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(&path).is_some());
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
