//! Advanced hunting end to end over loopback HTTP: the production Graph client and the engine
//! against the simulator's `runHuntingQuery` — results with typed columns, the KQL subset, the
//! service's error shape for the rest, the per-minute limit, the CPU-quota 429, cancelling.

use std::sync::Arc;
use std::time::Duration;

use vigil::graph::error::ErrorKind;
use vigil::graph::hunting::{self, ColumnType};
use vigil::sim::{FaultSpec, SimConfig};
use vigil::start::connect;
use vigil::sync::{Command, EngineConfig, Update};

fn cfg(faults: &str) -> SimConfig {
    SimConfig {
        incidents: 80,
        live: false,
        faults: FaultSpec::parse(faults).unwrap(),
        ..SimConfig::default()
    }
}

fn col(r: &hunting::HuntResult, name: &str) -> usize {
    r.columns
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", r.columns))
}

#[tokio::test]
async fn every_documented_table_answers_with_typed_columns() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for (table, must) in [
        ("AlertInfo", ["AlertId", "Title", "Severity"]),
        ("AlertEvidence", ["AlertId", "EntityType", "DeviceName"]),
        (
            "DeviceProcessEvents",
            ["DeviceName", "FileName", "ProcessCommandLine"],
        ),
        (
            "DeviceNetworkEvents",
            ["DeviceName", "RemoteIP", "RemoteUrl"],
        ),
        (
            "EmailEvents",
            ["SenderFromAddress", "RecipientEmailAddress", "Subject"],
        ),
        (
            "IdentityLogonEvents",
            ["AccountName", "ActionType", "IPAddress"],
        ),
    ] {
        let r = hunting::run(&demo.client, &format!("{table} | take 5"))
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert_eq!(r.columns[0].name, "Timestamp", "{table}");
        assert_eq!(r.columns[0].kind, ColumnType::DateTime, "{table}");
        for m in must {
            col(&r, m);
        }
        assert!(
            !r.rows.is_empty() && r.rows.len() <= 5,
            "{table}: {}",
            r.rows.len()
        );
    }
}

#[tokio::test]
async fn the_kql_subset_filters_projects_counts_and_orders() {
    let demo = connect::demo(cfg("")).await.unwrap();
    let all = hunting::run(&demo.client, "AlertInfo").await.unwrap();
    let sev = col(&all, "Severity");
    let high = all.rows.iter().filter(|r| r[sev] == "High").count();
    assert!(high > 0);

    let r = hunting::run(
        &demo.client,
        "AlertInfo | where Severity == \"High\" and Timestamp > ago(30d) | project AlertId, Severity",
    )
    .await
    .unwrap();
    assert_eq!(r.columns.len(), 2);
    assert_eq!(r.rows.len(), high);

    let r = hunting::run(
        &demo.client,
        "AlertInfo | summarize count() by Severity | order by count_ desc",
    )
    .await
    .unwrap();
    assert_eq!(r.columns[1].name, "count_");
    assert!(r.columns[1].kind.is_numeric());
    let counts: Vec<u64> = r.rows.iter().map(|x| x[1].as_u64().unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>() as usize, all.rows.len());
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    let r = hunting::run(
        &demo.client,
        "AlertEvidence | where EntityType in (\"Machine\", \"User\") | limit 3",
    )
    .await
    .unwrap();
    let et = col(&r, "EntityType");
    assert!(r.rows.iter().all(|x| x[et] == "Machine" || x[et] == "User"));
    assert_eq!(r.rows.len(), 3);
}

#[tokio::test]
async fn unsupported_kql_gets_graphs_bad_request_naming_it() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for (q, needle) in [
        ("AlertInfo | join (AlertEvidence) on AlertId", "'join'"),
        ("NoSuchTable | take 1", "'NoSuchTable'"),
        ("AlertInfo | project Nope", "'Nope'"),
    ] {
        let e = hunting::run(&demo.client, q).await.unwrap_err();
        assert_eq!(e.status, Some(400), "{q}");
        assert!(e.code_is("BadRequest"), "{q}: {}", e.code);
        assert!(e.message.contains(needle), "{q}: {}", e.message);
        assert!(hunting::failure_message(&e).contains(needle));
    }
}

#[tokio::test]
async fn the_46th_call_in_a_minute_is_refused_and_not_retried() {
    let demo = connect::demo(cfg("")).await.unwrap();
    for _ in 0..hunting::CALLS_PER_MINUTE {
        hunting::run(&demo.client, "AlertInfo | take 1")
            .await
            .unwrap();
    }
    let e = hunting::run(&demo.client, "AlertInfo | take 1")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("45"), "{}", e.message);
    assert_eq!(
        demo.sim
            .stats()
            .by_route
            .get("POST /v1.0/security/runHuntingQuery"),
        Some(&46),
        "the refused call is not retried"
    );
}

#[tokio::test]
async fn the_cpu_quota_429_comes_back_with_its_message() {
    let demo = connect::demo(cfg("hunt-cpu-quota=1")).await.unwrap();
    let e = hunting::run(&demo.client, "AlertInfo").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert!(e.message.contains("CPU quota"), "{}", e.message);
    assert!(hunting::failure_message(&e).starts_with("throttled (429): "));
    assert!(
        hunting::run(&demo.client, "AlertInfo | take 1")
            .await
            .is_ok()
    );
}

async fn next_hunt_update(
    updates: &mut tokio::sync::mpsc::UnboundedReceiver<Update>,
    within: Duration,
) -> Option<Update> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Some(u @ (Update::HuntResult { .. } | Update::HuntFailed { .. }))) => {
                return Some(u);
            }
            Ok(Some(_)) => continue,
            _ => return None,
        }
    }
}

#[tokio::test]
async fn the_engine_runs_a_hunt_beside_polling_and_cancel_drops_it() {
    let demo = connect::demo(cfg("")).await.unwrap();
    let mut h = vigil::sync::spawn(Arc::new(demo.client.clone()), EngineConfig::default());
    h.commands
        .send(Command::Hunt {
            id: 1,
            query: "EmailEvents | project SenderFromAddress, Subject | take 4".into(),
        })
        .unwrap();
    match next_hunt_update(&mut h.updates, Duration::from_secs(20)).await {
        Some(Update::HuntResult { id, result }) => {
            assert_eq!(id, 1);
            assert_eq!(result.columns.len(), 2);
            assert_eq!(result.rows.len(), 4);
            assert!(
                result
                    .rows
                    .iter()
                    .all(|r| r[0].as_str().is_some_and(|s| s.contains('@')))
            );
        }
        other => panic!("{other:?}"),
    }
    h.commands
        .send(Command::Hunt {
            id: 2,
            query: "AlertInfo | where".into(),
        })
        .unwrap();
    match next_hunt_update(&mut h.updates, Duration::from_secs(20)).await {
        Some(Update::HuntFailed {
            id: 2,
            message,
            throttled: false,
        }) => {
            assert!(message.contains("HTTP 400"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A slow answer, cancelled: nothing comes back for it.
    demo.sim.set_faults(FaultSpec {
        latency: Duration::from_millis(1500),
        ..FaultSpec::default()
    });
    h.commands
        .send(Command::Hunt {
            id: 3,
            query: "AlertInfo | take 1".into(),
        })
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.commands.send(Command::CancelHunt).unwrap();
    assert_eq!(
        next_hunt_update(&mut h.updates, Duration::from_secs(3)).await,
        None
    );
    let _ = h.commands.send(Command::Shutdown);
}

// ----- the screen, driven through App -----

mod screen {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use serde_json::json;
    use vigil::graph::hunting::{Column, ColumnType, HuntResult};
    use vigil::sync::{Command, Update};
    use vigil::ui::app::{App, AppConfig, Effect};
    use vigil::ui::fixture;
    use vigil::ui::hunt::HuntScreen;

    fn app(state: &std::path::Path) -> App {
        let mut config = AppConfig::default();
        config.experts.drafts_dir = Some(state.join("drafts"));
        App::new(fixture::store(false), config, fixture::now())
    }

    fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        app.handle_key(KeyEvent::new(code, mods))
    }

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        press(app, code, KeyModifiers::NONE)
    }

    fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
        press(app, KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn chars(app: &mut App, s: &str) {
        for c in s.chars() {
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            press(app, KeyCode::Char(c), m);
        }
    }

    fn screen(app: &mut App, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| app.render(f)).unwrap();
        for cell in t.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "{:?}",
                cell.symbol()
            );
        }
        t.backend().to_string()
    }

    fn hunt_sent(effects: &[Effect]) -> Option<(u64, String)> {
        effects.iter().find_map(|e| match e {
            Effect::SendCommand(Command::Hunt { id, query }) => Some((*id, query.clone())),
            _ => None,
        })
    }

    fn result() -> HuntResult {
        let col = |n: &str, k: ColumnType, t: &str| Column {
            name: n.into(),
            kind: k,
            type_name: t.into(),
        };
        HuntResult {
            columns: vec![
                col("Timestamp", ColumnType::DateTime, "DateTime"),
                col("DeviceName", ColumnType::String, "String"),
                col("ProcessCommandLine", ColumnType::String, "String"),
                col("ProcessId", ColumnType::Integer, "Int64"),
            ],
            rows: vec![
                vec![
                    json!("2026-12-05T10:00:00Z"),
                    json!("wks-014.corp.contoso.com"),
                    json!("powershell.exe -enc SQBFAFgA \u{1b}]0;pwned\u{7}"),
                    json!(4242),
                ],
                vec![
                    json!("2026-12-04T09:30:00Z"),
                    json!("srv-db-02.corp.contoso.com"),
                    json!("cmd.exe /c whoami, \"net user\""),
                    json!(77),
                ],
            ],
            truncated: false,
        }
    }

    /// Opens the screen with `H`, types `query`, runs it; the id sent.
    fn run(app: &mut App, query: &str) -> u64 {
        chars(app, "H");
        assert!(app.modal_as::<HuntScreen>().is_some());
        chars(app, query);
        let fx = ctrl(app, 's');
        let (id, sent) = hunt_sent(&fx).expect("ctrl-s sends the query");
        assert_eq!(sent, query);
        id
    }

    #[test]
    fn h_types_a_query_ctrl_s_runs_it_and_the_table_shows_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let id = run(&mut app, "DeviceProcessEvents | take 2");
        assert!(screen(&mut app, 120, 30).contains("running"));
        app.apply_update(Update::HuntResult {
            id,
            result: result(),
        });
        let s = screen(&mut app, 120, 30);
        assert!(s.contains("wks-014.corp.contoso.com"), "{s}");
        assert!(s.contains("srv-db-02"), "{s}");
        assert!(s.contains("rows 2 / 100,000"), "{s}");
        assert!(s.contains("last 30 days"), "{s}");
        assert!(s.contains("calls left this minute: 44/45"), "{s}");
        assert!(s.contains("\\x1b"), "the escape is shown, not sent: {s}");
        // Enter shows the row whole; y copies the selected cell, sanitised.
        key(&mut app, KeyCode::Enter);
        let s = screen(&mut app, 120, 30);
        assert!(s.contains("ProcessId (Int64): 4242"), "{s}");
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Right);
        key(&mut app, KeyCode::Right);
        let fx = key(&mut app, KeyCode::Char('y'));
        match fx.as_slice() {
            [Effect::Copy { text, .. }] => {
                assert!(text.starts_with("powershell.exe -enc"), "{text}");
                assert!(
                    !text.contains('\u{1b}') && !text.contains('\u{7}'),
                    "{text:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        // The query is in the history file, private.
        let hist = std::fs::read_to_string(dir.path().join("hunt_history.json")).unwrap();
        assert!(hist.contains("DeviceProcessEvents | take 2"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(dir.path().join("hunt_history.json")).unwrap();
            assert_eq!(m.permissions().mode() & 0o777, 0o600);
        }
        // Esc goes back to the editor, then closes; H again recalls the last query.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
        assert!(app.modal().is_none());
        chars(&mut app, "H");
        assert!(screen(&mut app, 120, 30).contains("DeviceProcessEvents | take 2"));
    }

    #[test]
    fn esc_cancels_a_running_query_and_its_late_answer_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let id = run(&mut app, "AlertInfo");
        let fx = key(&mut app, KeyCode::Esc);
        assert_eq!(fx, vec![Effect::SendCommand(Command::CancelHunt)]);
        assert!(
            app.modal_as::<HuntScreen>().is_some(),
            "the screen stays open"
        );
        app.apply_update(Update::HuntResult {
            id,
            result: result(),
        });
        let s = screen(&mut app, 120, 30);
        assert!(s.contains("query cancelled"), "{s}");
        assert!(!s.contains("wks-014"), "{s}");
    }

    #[test]
    fn failures_show_the_service_message_and_429s_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let id = run(&mut app, "AlertInfo");
        app.apply_update(Update::HuntFailed {
            id,
            message: "throttled (429): Advanced hunting CPU quota exceeded".into(),
            throttled: true,
        });
        let s = screen(&mut app, 120, 30);
        assert!(
            s.contains("429 throttled (429): Advanced hunting CPU quota"),
            "{s}"
        );
    }

    #[test]
    fn export_writes_csv_and_ndjson_privately() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let id = run(&mut app, "DeviceProcessEvents");
        app.apply_update(Update::HuntResult {
            id,
            result: result(),
        });
        for name in ["rows.csv", "rows.ndjson"] {
            let path = dir.path().join(name);
            chars(&mut app, &format!(":export {}", path.display()));
            key(&mut app, KeyCode::Enter);
            let s = screen(&mut app, 160, 30);
            assert!(s.contains("2 rows written"), "{s}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let m = std::fs::metadata(&path).unwrap();
                assert_eq!(m.permissions().mode() & 0o777, 0o600);
            }
        }
        let csv = std::fs::read_to_string(dir.path().join("rows.csv")).unwrap();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("Timestamp,DeviceName,ProcessCommandLine,ProcessId")
        );
        assert_eq!(
            lines.nth(1),
            Some(
                "2026-12-04T09:30:00Z,srv-db-02.corp.contoso.com,\"cmd.exe /c whoami, \"\"net user\"\"\",77"
            )
        );
        let nd = std::fs::read_to_string(dir.path().join("rows.ndjson")).unwrap();
        let first: serde_json::Value = serde_json::from_str(nd.lines().next().unwrap()).unwrap();
        assert_eq!(first["ProcessId"], 4242);
        assert_eq!(first["DeviceName"], "wks-014.corp.contoso.com");
        assert_eq!(nd.lines().count(), 2);
    }

    #[test]
    fn hunt_command_and_starting_points_from_the_open_incident() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        key(&mut app, KeyCode::Enter);
        chars(&mut app, ":hunt");
        key(&mut app, KeyCode::Enter);
        assert!(app.modal_as::<HuntScreen>().is_some());
        ctrl(&mut app, 't');
        let s = screen(&mut app, 160, 40);
        assert!(s.contains("Starting points"), "{s}");
        assert!(s.contains("Evidence of alert"), "{s}");
        key(&mut app, KeyCode::Enter);
        let s = screen(&mut app, 160, 40);
        assert!(s.contains("AlertEvidence"), "{s}");
        let fx = ctrl(&mut app, 's');
        let (_, q) = hunt_sent(&fx).unwrap();
        assert!(q.starts_with("AlertEvidence\n| where AlertId == \""), "{q}");
    }

    #[test]
    fn snapshots_at_80x24_and_200x50() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = app(dir.path());
        let id = run(&mut app, "DeviceProcessEvents | take 2");
        app.apply_update(Update::HuntResult {
            id,
            result: result(),
        });
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| app.render(f)).unwrap();
        insta::assert_snapshot!("hunt_80x24", t.backend());
        let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
        t.draw(|f| app.render(f)).unwrap();
        insta::assert_snapshot!("hunt_200x50", t.backend());
    }
}
