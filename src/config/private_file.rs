//! Reading files that hold a credential (client secret, private key): refused, as ssh refuses a
//! private key, when group or others may access them.

use std::io::Read as _;
use std::path::Path;

/// True if a Unix mode lets group or others read, write or execute the file.
pub(crate) fn loose_permissions(mode: u32) -> bool {
    mode & 0o077 != 0
}

/// Reads a credential file of at most `max_len` bytes. Refuses anything but a regular file, a
/// larger file, and (on Unix) a file group or others may access; the message (which the caller
/// prefixes with the file's name) gives its mode and the fix (`chmod 600 FILE`). Messages never
/// contain the content.
pub fn read_private_file(path: &Path, max_len: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("is not a regular file".to_owned());
    }
    if meta.len() > max_len {
        return Err(format!(
            "is larger than {max_len} bytes; is this the right file?"
        ));
    }
    check_mode(path, &meta)?;
    let mut content = Vec::new();
    file.take(max_len)
        .read_to_end(&mut content)
        .map_err(|e| e.to_string())?;
    Ok(content)
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if loose_permissions(mode) {
        return Err(format!(
            "has mode {mode:o} and is accessible to other users; refused (as ssh refuses such a \
             private key). Fix: chmod 600 {}",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_modes() {
        assert!(!loose_permissions(0o600));
        assert!(!loose_permissions(0o400));
        assert!(loose_permissions(0o644));
        assert!(loose_permissions(0o604));
        assert!(loose_permissions(0o640));
    }
}
