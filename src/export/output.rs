//! `vigil export -o FILE`: written to a temporary file (0600) in FILE's directory, synced, and
//! renamed over FILE only when the export succeeded. Until then FILE keeps its previous content;
//! an export that fails removes the temporary file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// An export file being written. Dropped without [`AtomicOutput::commit`], it leaves no trace.
#[derive(Debug)]
pub struct AtomicOutput {
    target: PathBuf,
    tmp: BufWriter<NamedTempFile>,
}

impl AtomicOutput {
    /// Opens a temporary file (mode 0600) beside `target`.
    pub fn create(target: &Path) -> io::Result<Self> {
        let tmp = tempfile::Builder::new()
            .prefix(".vigil-export-")
            .suffix(".tmp")
            .tempfile_in(directory_of(target))?;
        Ok(AtomicOutput {
            target: target.to_path_buf(),
            tmp: BufWriter::new(tmp),
        })
    }

    /// Where the records go until the commit.
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.tmp
    }

    /// Flushes and syncs the temporary file, renames it over the target and syncs the
    /// directory, so the target holds either the old or the complete new export.
    pub fn commit(self) -> io::Result<()> {
        let tmp = self.tmp.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.target).map_err(|e| e.error)?;
        File::open(directory_of(&self.target))?.sync_all()
    }
}

/// The directory a file lives in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_committed_export_replaces_the_file_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.ndjson");
        std::fs::write(&target, "old\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut out = AtomicOutput::create(&target).unwrap();
        out.writer().write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(entries(dir.path()), vec!["out.ndjson"]);
    }

    #[test]
    fn an_uncommitted_export_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.ndjson");
        std::fs::write(&target, "old\n").unwrap();
        let mut out = AtomicOutput::create(&target).unwrap();
        out.writer().write_all(&[b'x'; 100_000]).unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(entries(dir.path()), vec!["out.ndjson"]);
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("out.ndjson")), Path::new("."));
        assert_eq!(directory_of(Path::new("/tmp/x")), Path::new("/tmp"));
    }
}
