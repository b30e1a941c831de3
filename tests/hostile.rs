//! Hostile data: arbitrary filter text, arbitrary JSON trees through the Graph models, 1 MB
//! strings through the sanitiser and the screens, an alert with 10,000 evidence items, and
//! JSON nested 10,000 deep. Nothing may panic, overflow the stack or reach the screen raw.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Map, Value, json};
use vigil::graph::model::{Alert, Evidence, Incident, parse_page};
use vigil::store::{Identity, Query, Store};
use vigil::sync::{Update, UpsertSource};
use vigil::ui::app::{App, AppConfig};
use vigil::ui::fixture;
use vigil::ui::keymap::Context;
use vigil::ui::sanitize::sanitize;

// ---------------------------------------------------------------------------------------------
// The filter language
// ---------------------------------------------------------------------------------------------

/// Filter-like text: real keys, values, quotes, negation, commas and junk.
fn filter_text() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("sev:".to_string()),
        Just("status:".to_string()),
        Just("owner:".to_string()),
        Just("tag:".to_string()),
        Just("source:".to_string()),
        Just("class:".to_string()),
        Just("det:".to_string()),
        Just("age:".to_string()),
        Just("created:".to_string()),
        Just("experts:".to_string()),
        Just("id:".to_string()),
        Just("prio:".to_string()),
        Just("new:".to_string()),
        Just("high".to_string()),
        Just("me".to_string()),
        Just("none".to_string()),
        Just("<24h".to_string()),
        Just(">=7d".to_string()),
        Just("yes".to_string()),
        Just("\"".to_string()),
        Just("-".to_string()),
        Just("!".to_string()),
        Just(",".to_string()),
        Just(" ".to_string()),
        Just(":".to_string()),
        "[a-z0-9]{1,6}",
        any::<String>(),
    ];
    prop::collection::vec(word, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn query_parse_never_panics_and_describe_reparses(text in prop_oneof![any::<String>(), filter_text()]) {
        if let Ok(q) = Query::parse(&text) {
            let described = q.describe();
            let again = Query::parse(&described);
            prop_assert!(again.is_ok(), "{described:?} (from {text:?}) does not re-parse: {again:?}");
            prop_assert_eq!(again.unwrap(), q, "describe() of {:?} is {:?}", text, described);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Graph models on arbitrary JSON
// ---------------------------------------------------------------------------------------------

/// Keys the models look at, so arbitrary trees reach deep into the deserialisers.
const KEYS: &[&str] = &[
    "id",
    "status",
    "severity",
    "displayName",
    "title",
    "assignedTo",
    "classification",
    "determination",
    "customTags",
    "systemTags",
    "comments",
    "comment",
    "alerts",
    "evidence",
    "@odata.type",
    "createdDateTime",
    "lastUpdateDateTime",
    "processCommandLine",
    "imageFile",
    "fileDetails",
    "userAccount",
    "verdict",
    "roles",
    "remediationStatus",
    "additionalData",
    "value",
    "@odata.nextLink",
    "@odata.count",
    "priorityScore",
    "mitreTechniques",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<u64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        prop_oneof![
            Just("#microsoft.graph.security.processEvidence"),
            Just("#microsoft.graph.security.deviceEvidence"),
            Just("#microsoft.graph.security.fileEvidence"),
            Just("#microsoft.graph.security.userEvidence"),
            Just("#microsoft.graph.security.ipEvidence"),
            Just("#microsoft.graph.security.urlEvidence"),
            Just("#microsoft.graph.security.mailboxEvidence"),
            Just("active"),
            Just("high"),
            Just("2026-01-01T00:00:00Z"),
            Just("9999-99-99T99:99:99Z"),
            Just("unknownFutureValue"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        let key = prop_oneof![
            prop::sample::select(KEYS).prop_map(str::to_string),
            any::<String>(),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn models_never_panic_on_arbitrary_json(v in tree()) {
        let _ = serde_json::from_value::<Incident>(v.clone());
        let _ = serde_json::from_value::<Alert>(v.clone());
        let ev = Evidence::from_value(v.clone());
        let _ = (ev.summary(), ev.entities(), ev.type_label().len());
        let wrapped = json!({ "value": [v.clone(), v.clone()], "@odata.nextLink": v.clone() });
        let page = parse_page::<Incident>(wrapped.clone());
        if let Ok(p) = page {
            prop_assert_eq!(p.items.len() + p.bad.len(), 2, "a record was dropped");
        }
        let _ = parse_page::<Alert>(wrapped);
        let _ = parse_page::<Incident>(v);
    }

    #[test]
    fn incident_shaped_json_parses_or_is_reported(v in tree(), id in "[0-9]{1,6}") {
        // An object with a valid id and arbitrary other fields: parsed, or kept as a bad record.
        let mut rec = match v { Value::Object(m) => m, other => {
            let mut m = Map::new();
            m.insert("additionalData".into(), other);
            m
        }};
        rec.insert("id".into(), Value::String(id.clone()));
        let page = parse_page::<Incident>(json!({ "value": [Value::Object(rec)] })).unwrap();
        prop_assert_eq!(page.items.len() + page.bad.len(), 1);
        if let Some(b) = page.bad.first() {
            prop_assert_eq!(b.id.as_deref(), Some(id.as_str()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Huge values through the screens
// ---------------------------------------------------------------------------------------------

const MB: usize = 1 << 20;

/// About 1 MB of hostile text: escape sequences, bidi overrides, CR/LF, wide and combining
/// characters.
fn megabyte() -> String {
    let unit =
        "evil \u{1b}]0;pwned\u{7}\u{1b}[31m red \u{202e}exe.gpj\r\n한국어 e\u{301} 👩‍💻 \u{0}\t";
    let mut s = String::with_capacity(MB + unit.len());
    while s.len() < MB {
        s.push_str(unit);
    }
    s
}

fn draw(app: &mut App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    t.draw(|f| app.render(f)).unwrap();
    t
}

fn screen(t: &Terminal<TestBackend>) -> String {
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

fn assert_clean(t: &Terminal<TestBackend>) {
    for cell in t.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "raw control reached the screen: {:?}",
            cell.symbol()
        );
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// A store holding `incident` (and its alerts) as an initial load.
fn app_with(incident: Value) -> App {
    let inc: Incident = serde_json::from_value(incident).unwrap();
    let mut store = Store::new(Identity::new(["me@contoso.com"]));
    store.apply(Update::Incidents {
        items: vec![inc],
        source: UpsertSource::Initial,
    });
    App::new(store, AppConfig::default(), fixture::now())
}

/// Queue → incident → alerts section → first alert → evidence section → first evidence item,
/// rendering every screen on the way.
fn walk_to_evidence(app: &mut App) -> Vec<Terminal<TestBackend>> {
    let mut shots = vec![draw(app)];
    key(app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Incident);
    shots.push(draw(app));
    key(app, KeyCode::Tab);
    shots.push(draw(app));
    key(app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Alert);
    shots.push(draw(app));
    key(app, KeyCode::Tab);
    shots.push(draw(app));
    key(app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Evidence);
    shots.push(draw(app));
    shots
}

fn process_evidence(cmd: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.security.processEvidence",
        "processCommandLine": cmd,
        "processId": 4242,
        "imageFile": { "fileName": cmd, "filePath": "C:\\Windows\\System32" },
        "userAccount": { "accountName": cmd, "domainName": "CONTOSO" },
        "verdict": "malicious",
        "roles": ["attacker"],
    })
}

fn incident_with(title: &str, evidence: Vec<Value>) -> Value {
    json!({
        "id": "4711", "status": "active", "severity": "high",
        "displayName": title, "assignedTo": title, "customTags": [title],
        "createdDateTime": "2026-01-01T00:00:00Z", "lastUpdateDateTime": "2026-01-02T00:00:00Z",
        "comments": [{ "comment": title, "createdByDisplayName": title }],
        "alerts": [{
            "id": "da-1", "incidentId": "4711", "title": title, "description": title,
            "status": "new", "severity": "high", "evidence": evidence,
        }]
    })
}

#[test]
fn megabyte_strings_are_sanitised() {
    let big = megabyte();
    let out = sanitize(&big);
    assert!(
        !out.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "controls survive sanitising"
    );
    assert!(out.contains("pwned"), "visible text is kept");
}

#[test]
fn megabyte_title_and_command_line_render_on_every_screen() {
    let big = megabyte();
    let mut app = app_with(incident_with(&big, vec![process_evidence(&big)]));
    assert_eq!(app.view_ids().len(), 1);
    let shots = walk_to_evidence(&mut app);
    for t in &shots {
        assert_clean(t);
    }
    assert!(
        screen(&shots[0]).contains("evil"),
        "the queue row shows the (sanitised) title"
    );
    assert!(
        screen(&shots[5]).contains("4242"),
        "the evidence detail is on screen"
    );
}

#[test]
fn alert_with_ten_thousand_evidence_items_renders() {
    let evidence: Vec<Value> = (0..10_000)
        .map(|i| process_evidence(&format!("powershell.exe -enc item{i}")))
        .collect();
    let mut app = app_with(incident_with("many evidence", evidence));
    assert_eq!(app.store().alerts("4711")[0].evidence.len(), 10_000);
    let shots = walk_to_evidence(&mut app);
    for t in &shots {
        assert_clean(t);
    }
    assert!(
        screen(&shots[4]).contains("item0"),
        "the evidence list shows its first item"
    );
    // Scroll far down the list and open an item there.
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.context(), Context::Alert);
    for _ in 0..50 {
        key(&mut app, KeyCode::PageDown);
    }
    let t = draw(&mut app);
    assert_clean(&t);
    assert!(
        !screen(&t).contains("item0 "),
        "paging moved through the list"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.context(), Context::Evidence);
    assert_clean(&draw(&mut app));
}

// ---------------------------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------------------------

/// `{"n":{"n":…{"n":1}…}}` nested `depth` objects deep, as text (built without recursion).
fn nested_text(depth: usize) -> String {
    let mut s = String::with_capacity(depth * 6 + 1);
    for _ in 0..depth {
        s.push_str("{\"n\":");
    }
    s.push('1');
    for _ in 0..depth {
        s.push('}');
    }
    s
}

#[test]
fn json_nested_ten_thousand_deep_is_refused_or_skipped_never_a_stack_overflow() {
    let deep = nested_text(10_000);
    // As a generic tree, serde_json refuses the depth (recursion limit) instead of recursing.
    let err = serde_json::from_str::<Value>(&deep).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
    // A typed incident skips an unknown deep member without recursing ...
    let inc = format!("{{\"id\":\"2\",\"status\":\"active\",\"additionalData\":{deep}}}");
    assert_eq!(serde_json::from_str::<Incident>(&inc).unwrap().id, "2");
    // ... and an alert, which keeps `additionalData`, gets an error, not a crash.
    let alert = format!("{{\"id\":\"a\",\"additionalData\":{deep}}}");
    let err = serde_json::from_str::<Alert>(&alert).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
    // The client's capped parser keeps both records, with the deep part cut.
    for text in [&inc, &alert] {
        let v = vigil::graph::json_depth::from_slice(text.as_bytes()).unwrap();
        assert!(v["additionalData"].is_object());
    }
}

/// A one-shot Graph stand-in on loopback: a token endpoint and one incidents page.
async fn serve_page(page: String) -> String {
    use axum::Router;
    use axum::routing::{get, post};
    let token = || async {
        axum::Json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "t"}))
    };
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route(
            "/v1.0/security/incidents",
            get(move || async move { ([("content-type", "application/json")], page) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_record_nested_ten_thousand_deep_costs_neither_the_page_nor_the_stack() {
    use vigil::graph::auth::{AuthConfig, Authenticator, Credential};
    use vigil::graph::client::{Client, ClientConfig};
    let deep = nested_text(10_000);
    let page = format!(
        "{{\"value\":[{{\"id\":\"1\",\"status\":\"active\"}},\
         {{\"id\":\"2\",\"status\":\"active\",\"severity\":\"high\",\"alerts\":[{{\"id\":\"a2\",\
         \"additionalData\":{deep},\"evidence\":[{{\"@odata.type\":\"#microsoft.graph.security.ipEvidence\",\
         \"ipAddress\":\"10.0.0.1\",\"tree\":{deep}}}]}}]}},{{\"id\":\"3\",\"status\":\"active\"}}]}}"
    );
    let base = url::Url::parse(&serve_page(page).await).unwrap();
    let cfg = ClientConfig {
        graph_url: base.clone(),
        max_retries: 0,
        budget_per_minute: 0,
        ..ClientConfig::default()
    };
    let auth = std::sync::Arc::new(Authenticator::new(
        AuthConfig {
            login_url: base.clone(),
            tenant_id: "t".into(),
            client_id: "c".into(),
            scope: "s".into(),
            credential: Credential::ClientSecret("x".to_string().into()),
            cache_path: None,
        },
        cfg.http_client().unwrap(),
    ));
    let client = Client::new(cfg, auth).unwrap();
    let body = client
        .get_json("/v1.0/security/incidents")
        .await
        .expect("one deep record must not make the page unreadable");
    let page = parse_page::<Incident>(body).unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["1", "2", "3"],
        "the whole page is kept: {:?}",
        page.bad
    );
    let alert = &page.items[1].alerts.as_ref().unwrap()[0];
    let text = serde_json::to_string(&alert.additional_data).unwrap();
    assert!(
        text.contains(vigil::graph::json_depth::CUT),
        "the cut is marked"
    );

    // The evidence page shows the (cut) tree, depth-capped again for the screen.
    let inc = serde_json::to_value(&page.items[1]).unwrap();
    let mut app = app_with(inc);
    for t in walk_to_evidence(&mut app) {
        assert_clean(&t);
    }
}

#[test]
fn evidence_json_tree_is_depth_capped() {
    // 100 levels: within what the JSON parser accepts, far beyond what a screen can show.
    let deep: Value = serde_json::from_str(&nested_text(100)).unwrap();
    let mut ev = process_evidence("cmd.exe");
    ev["additionalData"] = deep;
    let mut app = app_with(incident_with("deep evidence", vec![ev]));
    let shots = walk_to_evidence(&mut app);
    for t in &shots {
        assert_clean(t);
    }
    // Scroll through the whole detail document: it must end well before 100 levels.
    let mut lines_with_n = 0;
    let mut last = String::new();
    for _ in 0..20 {
        let t = draw(&mut app);
        let s = screen(&t);
        if s == last {
            break;
        }
        lines_with_n += s.matches("n:").count();
        last = s;
        key(&mut app, KeyCode::PageDown);
    }
    assert!(lines_with_n > 5, "the nested tree is shown");
    assert!(
        lines_with_n < 60,
        "the tree is cut off long before 100 levels ({lines_with_n} levels shown)"
    );
    assert!(last.contains('…'), "the cut is marked");
}
