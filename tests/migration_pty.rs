//! Upgrading keeps what the analyst had pending: the real `vigil --demo` binary starts on a
//! profile holding the files of a vigil from before the database (`tests/fixtures/
//! state-before-db`); they are imported into the profile's database, renamed `*.migrated`,
//! and a second start imports nothing again.

mod support;

use std::path::{Path, PathBuf};
use support::pty::Pty;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The directory holding the profile's `vigil.db` under `root`.
fn profile_dir(root: &Path) -> PathBuf {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.file_name() == "vigil.db" {
                return dir;
            }
        }
    }
    panic!("no vigil.db under {}", root.display());
}

fn run_once(home: &Path) {
    let mut c = Pty::vigil(home, &["--demo", "--no-cache"]);
    c.wait_for("refreshed");
    c.signal("-TERM");
    c.wait_exit();
}

fn one(db: &Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn old_state_files_are_imported_once_at_start_and_renamed() {
    let home = tempfile::tempdir().unwrap();
    run_once(home.path());
    let dir = profile_dir(&home.path().join("xdg_state_home"));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-before-db");
    copy_tree(&fixture, &dir);

    run_once(home.path());
    let db = dir.join("vigil.db");
    assert_eq!(one(&db, "SELECT COUNT(*) FROM migrated"), 5);
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM inquiry_drafts WHERE id = 'incident:9'"
        ),
        1
    );
    assert_eq!(one(&db, "SELECT COUNT(*) FROM comment_drafts"), 2);
    assert_eq!(
        one(
            &db,
            "SELECT COUNT(*) FROM inquiries WHERE id = '0b6f3c1e-2f4a-4d3e-9a55-2e3f5a1b7c90'"
        ),
        1
    );
    for f in ["outbox.json", "inquiries.json", "drafts/incident%3A9.json"] {
        assert!(!dir.join(f).exists(), "{f} is no longer used");
        assert!(
            dir.join(format!("{f}.migrated")).exists(),
            "{f} kept as .migrated"
        );
    }
    assert!(
        dir.join("drafts/broken.json.corrupt").exists(),
        "the corrupt draft moved aside"
    );

    // A later start finds nothing to import and changes nothing it imported.
    run_once(home.path());
    assert_eq!(one(&db, "SELECT COUNT(*) FROM migrated"), 5);
    assert_eq!(one(&db, "SELECT COUNT(*) FROM comment_drafts"), 2);
    assert!(!dir.join("outbox.json.migrated-1").exists());
}
