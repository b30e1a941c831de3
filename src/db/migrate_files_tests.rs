use super::*;
use crate::experts::{DeliveryStatus, DraftStore, InquiryStore};
use crate::sync::outbox::Outbox;

/// A copy of `tests/fixtures/state-before-db` (files in the format vigil wrote before the
/// database) in a fresh state directory.
fn old_state() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-before-db");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&src, dir.path());
    dir
}

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

#[test]
fn the_fixture_is_what_the_file_stores_read() {
    // Guards the fixture itself: the pre-database loaders read every file in it.
    let dir = old_state();
    let (ob, warn) = Outbox::load(dir.path().join("outbox.json"));
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(ob.entries().len(), 4);
    let inq = InquiryStore::open(dir.path().join("inquiries.json")).unwrap();
    assert!(inq.recovered().is_none());
    assert_eq!(inq.list().len(), 1);
    let (drafts, errors) = DraftStore::open(dir.path().join("drafts"))
        .unwrap()
        .list_with_errors();
    assert_eq!(drafts.len(), 1);
    assert_eq!(errors.len(), 1, "broken.json is corrupt on purpose");
}

#[test]
fn everything_pending_is_imported_once_and_the_files_renamed() {
    let dir = old_state();
    let opened = Db::open(dir.path()).unwrap();
    let db = opened.db;
    let m = migrate(&db, dir.path()).unwrap();
    assert_eq!(
        (m.outbox, m.inquiries, m.drafts, m.comment_drafts),
        (4, 1, 1, 2)
    );
    assert_eq!(m.notices.len(), 1, "{:?}", m.notices);
    assert!(m.notices[0].contains("broken.json"), "{:?}", m.notices);

    // The outbox: all four writes, comments and mail uncertain, the conflict still there,
    // the failed comment pending again (as a reload of the file did).
    let (ob, warn) = Outbox::load_db(db.clone());
    assert!(warn.is_none(), "{warn:?}");
    let ops: Vec<u64> = ob.entries().iter().map(|e| e.op).collect();
    assert_eq!(ops, vec![4, 7, 9, 12]);
    assert!(ob.entries()[1].uncertain && !ob.entries()[1].failed);
    assert_eq!(ob.entries()[1].last_error.as_deref(), Some("timed out"));
    assert!(ob.entries()[2].uncertain, "a mail may have gone out");
    assert_eq!(ob.conflicts().count(), 1);

    let inq = InquiryStore::open_db(db.clone()).unwrap();
    let i = inq.get("0b6f3c1e-2f4a-4d3e-9a55-2e3f5a1b7c90").unwrap();
    assert_eq!(
        i.status(crate::experts::Channel::Email),
        Some(&DeliveryStatus::Pending { op: 9, note: None })
    );
    assert_eq!(
        inq.delivery_of_op(9).map(|(_, c)| c),
        Some(crate::experts::Channel::Email)
    );

    let drafts = DraftStore::open_db(db.clone());
    assert_eq!(
        drafts.load("incident:9").unwrap().body,
        "Half-written question about FS01"
    );
    assert_eq!(
        super::super::comment_drafts::get(&db, "incident:9")
            .unwrap()
            .as_deref(),
        Some("Escalated to tier 2,\nwaiting on")
    );
    assert_eq!(
        super::super::comment_drafts::get(&db, "alert:da637_-1")
            .unwrap()
            .as_deref(),
        Some("false positive: test box")
    );

    // Renamed, never deleted; the corrupt draft moved aside.
    for f in [
        "outbox.json",
        "inquiries.json",
        "drafts/incident%3A9.json",
        "drafts/comments/incident-9.txt",
        "drafts/comments/alert-da637_-1.txt",
    ] {
        assert!(!dir.path().join(f).exists(), "{f} still in use");
        assert!(dir.path().join(format!("{f}.migrated")).exists(), "{f}");
    }
    assert!(dir.path().join("drafts/broken.json.corrupt").exists());
    let recorded: i64 = db
        .with(|c| c.query_row("SELECT COUNT(*) FROM migrated", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(recorded, 5);

    // A second start finds nothing to import.
    let again = migrate(&db, dir.path()).unwrap();
    assert_eq!(again.outbox + again.inquiries + again.drafts, 0);
    assert_eq!(super::super::outbox::count(&db).unwrap(), 4);
}

#[test]
fn a_file_already_recorded_is_moved_aside_not_imported_twice() {
    let dir = old_state();
    let db = Db::open(dir.path()).unwrap().db;
    migrate(&db, dir.path()).unwrap();
    // The write settles; then the old file reappears (a crash before the rename).
    super::super::outbox::apply(&db, &[], &[4]).unwrap();
    std::fs::rename(
        dir.path().join("outbox.json.migrated"),
        dir.path().join("outbox.json"),
    )
    .unwrap();
    let m = migrate(&db, dir.path()).unwrap();
    assert_eq!(m.outbox, 0);
    assert!(m.notices.iter().any(|n| n.contains("already imported")));
    assert_eq!(
        super::super::outbox::count(&db).unwrap(),
        3,
        "op 4 is not replayed again"
    );
    assert!(!dir.path().join("outbox.json").exists());
    assert!(dir.path().join("outbox.json.migrated").exists());
}

#[test]
fn an_op_id_the_database_holds_is_renumbered_not_lost() {
    let dir = old_state();
    let db = Db::open(dir.path()).unwrap().db;
    super::super::outbox::apply(&db, &[(7, "{}".into())], &[]).unwrap();
    let m = migrate(&db, dir.path()).unwrap();
    assert_eq!(m.outbox, 4);
    assert_eq!(super::super::outbox::count(&db).unwrap(), 5);
}

#[test]
fn a_corrupt_outbox_is_reported_and_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("outbox.json"), b"{not json").unwrap();
    let db = Db::open(dir.path()).unwrap().db;
    let m = migrate(&db, dir.path()).unwrap();
    assert!(m.notices[0].contains("moved to"), "{:?}", m.notices);
    assert!(!dir.path().join("outbox.json").exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("outbox.json.corrupt-")),
        "{names:?}"
    );
}
