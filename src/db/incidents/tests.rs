use super::*;

fn inc(id: &str, updated: &str, title: &str, alerts: Option<&[&str]>) -> Incident {
    serde_json::from_value(serde_json::json!({
        "id": id, "status": "active", "severity": "high", "displayName": title,
        "lastUpdateDateTime": updated,
        "alerts": alerts.map(|ids| ids.iter().map(|a| serde_json::json!({
            "id": a, "title": format!("alert {a} ").repeat(20), "evidence": [
                {"@odata.type": "#microsoft.graph.security.futureEvidence", "z": 1}]
        })).collect::<Vec<_>>())
    }))
    .unwrap()
}

#[test]
fn a_page_round_trips_with_its_alerts_and_unknown_evidence() {
    let db = Db::open_in_memory().unwrap();
    let page = vec![
        inc("1", "2026-01-01T00:00:00Z", "one", Some(&["a2", "a1"])),
        inc("2", "2026-01-02T00:00:00Z", "two", None),
    ];
    write_incidents(&db, &page).unwrap();
    let mut back = load_incidents(&db).unwrap();
    back.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(back.len(), 2);
    assert!(
        back.iter().all(|i| i.alerts.is_none()),
        "rows come without alerts"
    );
    assert_eq!(back[0].display_name.as_deref(), Some("one"));
    let alerts = load_alerts(&db, "1").unwrap().unwrap();
    let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a2", "a1"], "the service's order is kept");
    assert_eq!(alerts[0].evidence[0].raw()["z"], 1);
    assert_eq!(load_alerts(&db, "2").unwrap(), None, "never stored");
    assert_eq!(load_alerts(&db, "9").unwrap(), None);
}

#[test]
fn a_listing_without_alerts_keeps_the_stored_ones_and_a_newer_version_wins() {
    let db = Db::open_in_memory().unwrap();
    write_incidents(
        &db,
        &[inc("1", "2026-01-01T00:00:00Z", "old", Some(&["a1"]))],
    )
    .unwrap();
    write_incidents(&db, &[inc("1", "2026-01-03T00:00:00Z", "new", None)]).unwrap();
    let back = load_incidents(&db).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].display_name.as_deref(), Some("new"));
    assert_eq!(load_alerts(&db, "1").unwrap().unwrap().len(), 1);
    write_alerts(&db, "1", &[]).unwrap();
    assert_eq!(load_alerts(&db, "1").unwrap(), Some(vec![]));
}

#[test]
fn pruning_forgets_incidents_older_than_the_window_with_their_alerts() {
    let db = Db::open_in_memory().unwrap();
    write_incidents(
        &db,
        &[
            inc("1", "2026-01-01T00:00:00Z", "old", Some(&["a1"])),
            inc("2", "2026-03-01T00:00:00Z", "kept", Some(&["a2"])),
        ],
    )
    .unwrap();
    let cut = Timestamp::parse("2026-02-01T00:00:00Z").unwrap();
    assert_eq!(prune_before(&db, cut).unwrap(), 1);
    assert_eq!(count(&db).unwrap(), 1);
    let left: i64 = db
        .with(|c| c.query_row("SELECT count(*) FROM alerts", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(left, 1);
}

#[test]
fn large_records_are_compressed_small_ones_are_not() {
    let big =
        serde_json::to_vec(&inc("1", "2026-01-01T00:00:00Z", &"x".repeat(400), None)).unwrap();
    let (blob, codec) = encode(&big);
    assert!(codec != Codec::Plain && blob.len() < big.len());
    assert_eq!(decode(&blob, codec).unwrap(), big);
    let (blob, codec) = encode(b"{}");
    assert_eq!(codec, Codec::Plain);
    assert_eq!(blob, b"{}");
}

#[test]
fn the_most_recently_updated_come_first_and_one_can_be_read_alone() {
    let db = Db::open_in_memory().unwrap();
    write_incidents(
        &db,
        &[
            inc("1", "2026-01-01T00:00:00Z", "old", None),
            inc("2", "2026-03-01T00:00:00Z", "newest", None),
            inc("3", "2026-02-01T00:00:00Z", "middle", None),
        ],
    )
    .unwrap();
    let recent: Vec<String> = load_recent(&db, 2)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(recent, ["2", "3"]);
    assert_eq!(ids_by_update(&db).unwrap(), ["2", "3", "1"]);
    let one = db.with(|c| read_incident(c, "3")).unwrap().unwrap();
    assert_eq!(one.display_name.as_deref(), Some("middle"));
    assert!(db.with(|c| read_incident(c, "9")).unwrap().is_none());
}

#[test]
fn rows_of_a_version_1_database_with_lz4_records_read_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let old = inc("7", "2026-01-01T00:00:00Z", "from before", Some(&["a7"]));
    {
        let c = Connection::open(dir.path().join(super::super::FILE_NAME)).unwrap();
        c.execute_batch(super::super::schema::MIGRATIONS[0])
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        let bare = Incident {
            alerts: None,
            ..old.clone()
        };
        let json = serde_json::to_vec(&bare).unwrap();
        c.execute(
            "INSERT INTO incidents(id, last_update, alerts_known, lz4, json)
             VALUES ('7', '2026-01-01T00:00:00Z', 1, 1, ?1)",
            [lz4_flex::block::compress_prepend_size(&json)],
        )
        .unwrap();
        let alerts = old.alerts.clone().unwrap();
        c.execute(
            "INSERT INTO alerts(id, incident_id, lz4, json) VALUES ('a7', '7', 0, ?1)",
            [serde_json::to_vec(&alerts[0]).unwrap()],
        )
        .unwrap();
    }
    let db = Db::open(dir.path()).unwrap().db;
    let loaded = load_incidents(&db).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].display_name.as_deref(), Some("from before"));
    assert_eq!(load_alerts(&db, "7").unwrap(), old.alerts);
    // A newer version of it is written with the current codec, next to the old rows.
    write_incidents(&db, std::slice::from_ref(&old)).unwrap();
    let codec: i64 = db
        .with(|c| {
            c.query_row("SELECT codec FROM incidents WHERE id = '7'", [], |r| {
                r.get(0)
            })
        })
        .unwrap();
    assert_eq!(codec, Codec::ZstdDictV1.column());
    assert_eq!(load_alerts(&db, "7").unwrap(), old.alerts);
}
