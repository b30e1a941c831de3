//! Where vigil keeps things (XDG base directories, Linux semantics), and private file helpers
//! (0700 directories, atomic 0600 writes) shared by the token cache, outbox, drafts and
//! snapshot cache.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::ConfigError;

/// Application directory name under each XDG base directory.
const APP: &str = "vigil";

/// Resolved locations. All of them honour `HOME` and `XDG_*`, so tests can isolate state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// The configuration file (`--config`, else `VIGIL_CONFIG`, else `config_dir/config.toml`).
    pub config_file: PathBuf,
    /// `$XDG_CONFIG_HOME/vigil` (default `~/.config/vigil`).
    pub config_dir: PathBuf,
    /// `$XDG_STATE_HOME/vigil` (default `~/.local/state/vigil`): token cache, outbox, drafts.
    pub state_dir: PathBuf,
    /// `$XDG_DATA_HOME/vigil` (default `~/.local/share/vigil`).
    pub data_dir: PathBuf,
    /// `$XDG_CACHE_HOME/vigil` (default `~/.cache/vigil`): snapshot cache.
    pub cache_dir: PathBuf,
    /// `state_dir/logs`.
    pub log_dir: PathBuf,
    /// `config_dir/themes`: user theme files.
    pub themes_dir: PathBuf,
}

/// Resolves all paths from an injectable environment lookup. `config_override` (from
/// `--config`) wins over `VIGIL_CONFIG`. XDG variables that are empty or relative are ignored,
/// as the XDG spec requires; `HOME` must then be set and absolute.
pub fn resolve(
    env: &dyn Fn(&str) -> Option<String>,
    config_override: Option<&Path>,
) -> Result<Paths, ConfigError> {
    let home = env("HOME")
        .filter(|h| Path::new(h).is_absolute())
        .map(PathBuf::from);
    let base = |var: &'static str, what: &'static str, default: &str| {
        env(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| home.as_ref().map(|h| h.join(default)))
            .map(|p| p.join(APP))
            .ok_or(ConfigError::NoHome { what, var })
    };
    let config_dir = base("XDG_CONFIG_HOME", "configuration", ".config")?;
    let state_dir = base("XDG_STATE_HOME", "state", ".local/state")?;
    let data_dir = base("XDG_DATA_HOME", "data", ".local/share")?;
    let cache_dir = base("XDG_CACHE_HOME", "cache", ".cache")?;
    let config_file = config_override
        .map(Path::to_path_buf)
        .or_else(|| {
            env("VIGIL_CONFIG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| config_dir.join("config.toml"));
    Ok(Paths {
        config_file,
        log_dir: state_dir.join("logs"),
        themes_dir: config_dir.join("themes"),
        config_dir,
        state_dir,
        data_dir,
        cache_dir,
    })
}

/// [`resolve`] with the real process environment.
pub fn from_process_env(config_override: Option<&Path>) -> Result<Paths, ConfigError> {
    resolve(&|k| std::env::var(k).ok(), config_override)
}

impl Paths {
    /// Per-profile state directory: `state_dir/profiles/<sanitised name>`. Names are reduced to
    /// `[A-Za-z0-9._-]` (no leading dot); a name that had to be changed gets a short hash
    /// suffix so that different profiles never share a directory. Not created here: call
    /// [`ensure_private_dir`] before writing into it.
    pub fn profile_state_dir(&self, profile: &str) -> PathBuf {
        self.state_dir.join("profiles").join(safe_name(profile))
    }

    /// Lines for `vigil config-path`: `label<TAB>path`.
    pub fn describe(&self) -> Vec<(&'static str, &Path)> {
        vec![
            ("config_file", &self.config_file),
            ("config_dir", &self.config_dir),
            ("themes_dir", &self.themes_dir),
            ("state_dir", &self.state_dir),
            ("data_dir", &self.data_dir),
            ("cache_dir", &self.cache_dir),
            ("log_dir", &self.log_dir),
        ]
    }
}

/// A file-name-safe form of `name` (profile names, incident and alert ids): ASCII letters,
/// digits, `-`, `_`, `.`; anything changed gets a short hash suffix so distinct names never
/// collide.
pub fn safe_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out != name || out.is_empty() {
        let digest = Sha256::digest(name.as_bytes());
        let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&hex);
    }
    out
}

/// Creates `dir` (and missing parents) with mode 0700, and tightens `dir` itself to 0700 if it
/// already existed with wider permissions.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let meta = fs::metadata(dir)?;
        if meta.permissions().mode() & 0o777 != 0o700 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
}

/// Writes `bytes` to `path` atomically: a 0600 temporary file in the same directory, fsync,
/// rename over `path`, then fsync the directory. A missing parent directory is created 0700.
/// Readers see either the old or the new content, never a mix.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.exists() {
        ensure_private_dir(dir)?;
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = write_new_private(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    sync_dir(dir);
    Ok(())
}

/// Creates an empty file at `path` with mode 0600 unless it exists; an existing file is left
/// as it is.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn write_new_private(tmp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(tmp)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Best effort: make the rename durable. Some filesystems refuse to fsync a directory.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_simple_names() {
        assert_eq!(safe_name("contoso-prod_1"), "contoso-prod_1");
    }

    #[test]
    fn sanitize_never_escapes_and_never_collides() {
        let a = safe_name("../etc");
        assert!(!a.contains('/'));
        assert!(!a.starts_with('.'));
        assert_ne!(safe_name("a/b"), safe_name("a_b"));
        assert_ne!(safe_name("a/b"), safe_name("a?b"));
        assert!(!safe_name("").is_empty());
        assert!(!safe_name("..").starts_with('.'));
    }
}
