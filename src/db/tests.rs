use super::*;

fn tables(db: &Db) -> Vec<String> {
    db.with(|c| {
        let mut st =
            c.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect()
    })
    .unwrap_or_default()
}

#[test]
fn a_new_database_has_every_table_and_private_modes() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("profiles").join("p");
    let opened = Db::open(&state).unwrap();
    assert!(opened.warning.is_none());
    let names = tables(&opened.db);
    for t in [
        "alerts",
        "comment_drafts",
        "incidents",
        "inquiries",
        "inquiry_drafts",
        "meta",
        "migrated",
        "outbox",
    ] {
        assert!(names.iter().any(|n| n == t), "missing table {t}: {names:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&state), 0o700);
        assert_eq!(mode(&state.join(FILE_NAME)), 0o600);
    }
    let version: i64 = opened
        .db
        .with(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
        .unwrap();
    assert_eq!(version, schema::current_version());
}

#[test]
fn a_second_vigil_on_the_same_profile_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let first = Db::open(dir.path()).unwrap();
    first
        .db
        .with(|c| c.execute("INSERT INTO meta(key, value) VALUES ('k', 'v')", []))
        .unwrap();
    match Db::open(dir.path()) {
        Err(DbError::InUse { path }) => {
            assert_eq!(path, dir.path().join(FILE_NAME));
            let msg = DbError::InUse { path }.to_string();
            assert!(msg.contains("another vigil"), "{msg}");
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    drop(first);
    let again = Db::open(dir.path()).unwrap();
    let v: String = again
        .db
        .with(|c| c.query_row("SELECT value FROM meta WHERE key='k'", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(v, "v");
}

#[test]
fn a_damaged_file_is_moved_aside_and_said() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(FILE_NAME),
        b"this is not a database at all, not even close",
    )
    .unwrap();
    let opened = Db::open(dir.path()).unwrap();
    let warning = opened.warning.expect("a warning");
    assert!(warning.contains("moved to"), "{warning}");
    let aside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert!(tables(&opened.db).iter().any(|t| t == "outbox"));
}

#[test]
fn a_file_from_a_newer_vigil_is_moved_aside_not_downgraded() {
    let dir = tempfile::tempdir().unwrap();
    {
        let c = Connection::open(dir.path().join(FILE_NAME)).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let opened = Db::open(dir.path()).unwrap();
    assert!(opened.warning.unwrap().contains("newer"));
}
