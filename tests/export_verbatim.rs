//! `vigil export` writes each record byte for byte as Graph sent it: the real binary, through
//! the real client, against a small Graph stand-in on 127.0.0.1 that answers with fixed bytes
//! (escapes, number spellings, short timestamps and properties vigil does not model included).

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::path::Path;
use std::process::Command;

/// An incident with what a re-serialisation would change: an escaped `é` and `/`, `1.50`, a
/// big integer, short fractions, `@odata.type`, and properties vigil does not model.
const INCIDENT_HEAD: &str = r##"{"@odata.type":"#microsoft.graph.security.incident","id":"41","displayName":"Caf\u00e9 \/ ops","priorityScore":1.50,"createdDateTime":"2026-12-06T03:00:16Z","lastUpdateDateTime":"2026-12-06T03:00:16.1Z","vendorExtension":{"b":[1,2.0e1],"a":null},"big":123456789012345678901234567890"##;
const ALERTS: &str = r##"[{"@odata.type":"#microsoft.graph.security.alert","id":"da41","createdDateTime":"2026-12-06T03:00:16Z","newAlertProperty":true}]"##;
/// A record vigil's model cannot read (id of the wrong type, severity a number).
const UNREADABLE: &str =
    r#"{"id":{"value":"42"},"severity":3,"lastUpdateDateTime":20260101,"alerts":[]}"#;

fn json(status: StatusCode, body: String) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
    headers.insert(header::RETRY_AFTER, "0".parse().unwrap());
    (status, headers, body).into_response()
}

/// How the stand-in answers.
#[derive(Clone, Copy)]
enum Mode {
    /// Alerts inside the listed incidents.
    Expanded,
    /// An expanded listing answers 503, so the client lists without alerts and reads them per
    /// incident.
    PerIncident,
    /// As `PerIncident`, but the per-incident read is refused (403).
    PerIncidentRefused,
}

/// Serves a token to anyone, and the incidents as `mode` says.
async fn serve(mode: Mode) -> String {
    let expand_fails = !matches!(mode, Mode::Expanded);
    let listing = move |RawQuery(q): RawQuery| async move {
        let expanded = q.unwrap_or_default().contains("expand");
        match (expanded, expand_fails) {
            (true, true) => json(StatusCode::SERVICE_UNAVAILABLE, "{}".into()),
            (true, false) => json(
                StatusCode::OK,
                format!(
                    "{{\"@odata.context\":\"x\",\"value\":[ {INCIDENT_HEAD},\"alerts\":{ALERTS}}} ,\n{UNREADABLE}]}}"
                ),
            ),
            (false, _) => json(StatusCode::OK, format!("{{\"value\":[{INCIDENT_HEAD}}}]}}")),
        }
    };
    let one = move |RawQuery(_): RawQuery| async move {
        match mode {
            Mode::PerIncidentRefused => json(
                StatusCode::FORBIDDEN,
                r#"{"error":{"code":"Forbidden","message":"no access to this incident"}}"#.into(),
            ),
            _ => json(
                StatusCode::OK,
                format!("{{\"id\":\"41\",\"alerts\":{ALERTS}}}"),
            ),
        }
    };
    let token = || async {
        json(
            StatusCode::OK,
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":"stand-in"}"#.into(),
        )
    };
    let app = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .route("/v1.0/security/incidents", get(listing))
        .route("/v1.0/security/incidents/{id}", get(one));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn export(home: &Path, url: &str, args: &[&str]) -> (String, String, Option<i32>) {
    let dir = home.join("config/vigil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.p]\ntenant_id = \"contoso.example\"\nclient_id = \"c\"\n\
             auth = \"client-secret\"\nclient_secret_env = \"VIGIL_TEST_SECRET\"\n\
             graph_url = \"{url}\"\nlogin_url = \"{url}\"\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("VIGIL_TEST_SECRET", "s")
        .arg("export")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn expanded_records_are_written_byte_for_byte() {
    let url = serve(Mode::Expanded).await;
    let home = tempfile::tempdir().unwrap();
    let (o, err, code) = tokio::task::spawn_blocking(move || export(home.path(), &url, &[]))
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        o,
        format!("{INCIDENT_HEAD},\"alerts\":{ALERTS}}}\n{UNREADABLE}\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_loaded_per_incident_are_added_byte_for_byte() {
    let url = serve(Mode::PerIncident).await;
    let home = tempfile::tempdir().unwrap();
    let (o, err, code) = tokio::task::spawn_blocking(move || export(home.path(), &url, &[]))
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(o, format!("{INCIDENT_HEAD},\"alerts\":{ALERTS}}}\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn alerts_that_cannot_be_loaded_make_the_export_fail_and_say_which() {
    let url = serve(Mode::PerIncidentRefused).await;
    let home = tempfile::tempdir().unwrap();
    let (o, err, code) = tokio::task::spawn_blocking({
        let home = home.path().to_path_buf();
        move || export(&home, &url, &[])
    })
    .await
    .unwrap();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        o,
        format!("{INCIDENT_HEAD}}}\n"),
        "the record is still written"
    );
    assert!(
        err.contains("1 incident(s) written without their alerts: 41"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_export_does_not_replace_the_output_file() {
    let url = serve(Mode::PerIncidentRefused).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("out.ndjson");
    std::fs::write(&file, "previous\n").unwrap();
    let (_, err, code) = tokio::task::spawn_blocking({
        let home = home.path().to_path_buf();
        let target = file.to_str().unwrap().to_string();
        move || export(&home, &url, &["-o", &target])
    })
    .await
    .unwrap();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("left unchanged"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous\n");
}
