//! Private-state file helpers: a 0700 directory and atomic 0600 writes
//! (temp file + fsync + rename + directory fsync).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and parents) and restricts it to the owner (0700 on Unix).
pub(crate) fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a uniquely named 0600 temp file in the same directory,
/// fsync, rename over `path`, then fsync the directory. Readers see the old or the new file,
/// never a partial one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", uuid::Uuid::new_v4().simple()));
    let result = (|| {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    // Persist the rename itself; some filesystems refuse to open directories, which is fine.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Reads a file of at most `limit` bytes; larger files are an `InvalidData` error.
pub(crate) fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let meta = fs::metadata(path)?;
    if meta.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("file is {} bytes, over the {limit}-byte limit", meta.len()),
        ));
    }
    fs::read(path)
}

/// Moves a corrupt file aside to `<name>.corrupt` (or `<name>.corrupt-<n>` if taken) and
/// returns the new path.
pub(crate) fn quarantine(path: &Path) -> io::Result<std::path::PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut target = dir.join(format!("{name}.corrupt"));
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("{name}.corrupt-{n}"));
        n += 1;
    }
    fs::rename(path, &target)?;
    Ok(target)
}
