//! `vigil export --follow -o FILE`: lines appended to FILE (created 0600), reopened after
//! SIGHUP so logrotate can move the file away and the next lines go to a new one.

use super::follow::FollowOutput;
use std::fs::{File, OpenOptions};
use std::io::{self, LineWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// An append-only output file that reopens itself when `reopen` is raised.
#[derive(Debug)]
pub struct AppendFile {
    path: PathBuf,
    file: LineWriter<File>,
    reopen: Arc<AtomicBool>,
}

impl AppendFile {
    /// Opens (or creates, 0600) `path` for appending; raising `reopen` (a SIGHUP handler does)
    /// makes the next [`FollowOutput::maintain`] open the path again.
    pub fn open(path: &Path, reopen: Arc<AtomicBool>) -> io::Result<AppendFile> {
        Ok(AppendFile {
            path: path.to_path_buf(),
            file: LineWriter::new(open_append(path)?),
            reopen,
        })
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

impl Write for AppendFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl FollowOutput for AppendFile {
    fn maintain(&mut self) -> io::Result<()> {
        if self.reopen.swap(false, Ordering::SeqCst) {
            self.file.flush()?;
            self.file = LineWriter::new(open_append(&self.path)?);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn lines_are_appended_to_a_private_file_and_a_rotated_file_is_replaced_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.ndjson");
        std::fs::write(&path, "earlier\n").unwrap();
        let flag = Arc::new(AtomicBool::new(false));
        let mut out = AppendFile::open(&path, flag.clone()).unwrap();
        out.write_all(b"one\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "earlier\none\n");
        let rotated = dir.path().join("feed.ndjson.1");
        std::fs::rename(&path, &rotated).unwrap();
        out.maintain().unwrap();
        out.write_all(b"two\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&rotated).unwrap(),
            "earlier\none\ntwo\n"
        );
        flag.store(true, Ordering::SeqCst);
        out.maintain().unwrap();
        out.write_all(b"three\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
