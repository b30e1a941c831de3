//! The production Graph client against the embedded simulated tenant over real loopback HTTP:
//! paging, Retry-After, 401 → one re-acquire, malformed records and unknown enums kept, and the
//! device-code flow end to end.

use std::sync::Arc;
use std::time::{Duration, Instant};
use vigil::graph::auth::{AuthConfig, Authenticator, Credential};
use vigil::graph::client::{Client, ClientConfig};
use vigil::graph::model::{Incident, IncidentStatus, parse_page};
use vigil::sim::{FaultSpec, SimConfig};
use vigil::start::connect;

fn cfg(incidents: usize, faults: &str) -> SimConfig {
    SimConfig {
        incidents,
        live: false,
        faults: FaultSpec::parse(faults).unwrap(),
        max_page: 20,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn pages_cover_every_incident_once_with_exactly_the_pages_needed() {
    let demo = connect::demo(cfg(250, "")).await.unwrap();
    let mut next = Some("/v1.0/security/incidents?$top=20".to_string());
    let mut ids = std::collections::BTreeSet::new();
    let mut pages = 0;
    while let Some(url) = next {
        let page = parse_page::<Incident>(demo.client.get_json(&url).await.unwrap()).unwrap();
        pages += 1;
        assert!(page.bad.is_empty());
        for i in page.items {
            assert!(ids.insert(i.id.clone()), "incident {} seen twice", i.id);
        }
        next = page.next_link;
    }
    assert_eq!(ids.len(), 250);
    assert_eq!(pages, 13, "250 incidents at 20 a page need 13 requests");
    assert_eq!(demo.client.stats().requests, 13);
    let sim = demo.sim.stats();
    assert_eq!(sim.by_route.get("GET /v1.0/security/incidents"), Some(&13));
    assert_eq!(
        sim.requests,
        13 + sim.token_requests,
        "nothing but pages and one sign-in"
    );
}

#[tokio::test]
async fn retry_after_is_waited_out_in_full() {
    let demo = connect::demo(cfg(5, "429-burst=1,retry-after=1"))
        .await
        .unwrap();
    let t0 = Instant::now();
    let v = demo
        .client
        .get_json("/v1.0/security/incidents")
        .await
        .unwrap();
    let waited = t0.elapsed();
    assert!(v["value"].as_array().is_some());
    assert!(
        waited >= Duration::from_millis(1000),
        "retried after {waited:?}, before Retry-After"
    );
    assert_eq!(demo.sim.stats().throttled, 1);
    assert_eq!(demo.client.stats().throttled, 1);
}

#[tokio::test]
async fn expired_token_triggers_exactly_one_reacquire() {
    let demo = connect::demo(cfg(5, "expire-tokens=1s")).await.unwrap();
    demo.client
        .get_json("/v1.0/security/incidents")
        .await
        .unwrap();
    assert_eq!(demo.sim.stats().token_requests, 1);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    demo.client
        .get_json("/v1.0/security/incidents")
        .await
        .unwrap();
    assert_eq!(
        demo.sim.stats().token_requests,
        2,
        "one re-acquire after the 401"
    );
}

#[tokio::test]
async fn one_bad_record_never_drops_the_page() {
    // Every page carries one corrupted record; most corruptions (an id object, an invalid
    // timestamp) make the record unparseable, others (a numeric severity) are kept as unknown.
    let demo = connect::demo(cfg(200, "bad-record=1")).await.unwrap();
    let mut next = Some("/v1.0/security/incidents?$top=20".to_string());
    let mut bad = 0;
    while let Some(url) = next {
        let page = parse_page::<Incident>(demo.client.get_json(&url).await.unwrap()).unwrap();
        assert_eq!(page.items.len() + page.bad.len(), 20, "nothing is dropped");
        assert!(page.bad.len() <= 1);
        assert!(
            page.bad.iter().all(|b| b.raw.is_object()),
            "bad records are kept raw"
        );
        bad += page.bad.len();
        next = page.next_link;
    }
    assert!(bad > 0, "the fault plants unparseable records");
}

#[tokio::test]
async fn unknown_enum_members_are_kept_as_raw_values() {
    let demo = connect::demo(cfg(40, "unknown-enum=1")).await.unwrap();
    let page = parse_page::<Incident>(
        demo.client
            .get_json("/v1.0/security/incidents?$top=20&$expand=alerts")
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        page.bad.is_empty(),
        "unknown enums must not reject records: {:?}",
        page.bad
    );
    let unknown_status = page
        .items
        .iter()
        .filter(|i| matches!(i.status, IncidentStatus::Other(_)))
        .count();
    let unknown_evidence = page
        .items
        .iter()
        .flat_map(|i| i.alerts.iter().flatten())
        .flat_map(|a| a.evidence.iter())
        .filter(|e| !e.verdict.is_known() || !e.is_known_type())
        .count();
    assert!(
        unknown_status + unknown_evidence > 0,
        "the fault injects unknown members"
    );
}

#[tokio::test]
async fn device_code_sign_in_end_to_end() {
    let sim = vigil::sim::start(
        SimConfig {
            incidents: 3,
            live: false,
            auto_approve_device_code: true,
            ..SimConfig::default()
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap();
    let base = url::Url::parse(&sim.base_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("tokens.json");
    let ccfg = ClientConfig {
        graph_url: base.clone(),
        ..ClientConfig::default()
    };
    let auth = Arc::new(Authenticator::new(
        AuthConfig {
            login_url: base.clone(),
            tenant_id: vigil::sim::DEMO_TENANT_ID.into(),
            client_id: vigil::sim::DEMO_CLIENT_ID.into(),
            scope: format!("{base}.default offline_access"),
            credential: Credential::DeviceCode,
            cache_path: Some(cache.clone()),
        },
        ccfg.http_client().unwrap(),
    ));
    let mut shown = None;
    auth.device_code_login(|p| shown = Some((p.user_code.clone(), p.verification_uri.clone())))
        .await
        .unwrap();
    let (code, uri) = shown.expect("the prompt is shown");
    assert!(!code.is_empty());
    assert!(uri.starts_with(&sim.base_url()));
    let client = Client::new(ccfg, auth).unwrap();
    let me = client.get_json("/v1.0/security/incidents").await.unwrap();
    assert_eq!(me["value"].as_array().map(|a| a.len()), Some(3));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

/// A profile whose `graph_url` and `login_url` point at the simulator still asks for a token
/// for Microsoft Graph (the cloud's scope), and the simulator grants it, app-only and delegated.
#[tokio::test]
async fn profile_pointing_at_the_simulator_signs_in_with_the_cloud_scope() {
    let sim = vigil::sim::start(
        SimConfig {
            incidents: 2,
            live: false,
            auto_approve_device_code: true,
            ..SimConfig::default()
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap();
    let base = sim.base_url();
    for auth in ["client-secret", "device-code"] {
        let text = format!(
            "[profiles.sim]\ntenant_id = \"{}\"\nclient_id = \"{}\"\nauth = \"{auth}\"\n\
             client_secret_env = \"SIM_SECRET\"\ngraph_url = \"{base}\"\nlogin_url = \"{base}\"\n",
            vigil::sim::DEMO_TENANT_ID,
            vigil::sim::DEMO_CLIENT_ID,
        );
        let cfg = vigil::config::parse(&text, std::path::Path::new("/c/config.toml")).unwrap();
        let profile = vigil::config::resolve_profile(Some(&cfg), None, &|_| None).unwrap();
        assert!(
            profile
                .scope
                .starts_with("https://graph.microsoft.com/.default"),
            "{auth}: {}",
            profile.scope
        );
        let credential = match auth {
            "client-secret" => Credential::ClientSecret(vigil::sim::DEMO_CLIENT_SECRET.into()),
            _ => Credential::DeviceCode,
        };
        let client = connect::client(connect::ConnectSpec {
            graph_url: profile.graph_url.clone(),
            login_url: profile.login_url.clone(),
            tenant_id: profile.tenant_id.clone(),
            client_id: profile.client_id.clone(),
            scope: profile.scope.clone(),
            credential,
            token_cache: None,
            budget_per_minute: 0,
        })
        .unwrap();
        if auth == "device-code" {
            client
                .authenticator()
                .device_code_login(|_| {})
                .await
                .unwrap();
        }
        let v = client.get_json("/v1.0/security/incidents").await.unwrap();
        assert_eq!(v["value"].as_array().map(Vec::len), Some(2), "{auth}");
    }
}

/// With device-code sign-in "me" is the signed-in account (from `GET /me`), plus the
/// configured aliases; app-only sign-in has no account and keeps the aliases alone.
#[tokio::test]
async fn device_code_identity_is_the_signed_in_account_plus_aliases() {
    let sim = vigil::sim::start(
        SimConfig {
            incidents: 1,
            live: false,
            auto_approve_device_code: true,
            ..SimConfig::default()
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .unwrap();
    let base = url::Url::parse(&sim.base_url()).unwrap();
    let spec = |credential| connect::ConnectSpec {
        graph_url: base.clone(),
        login_url: base.clone(),
        tenant_id: vigil::sim::DEMO_TENANT_ID.into(),
        client_id: vigil::sim::DEMO_CLIENT_ID.into(),
        scope: "https://graph.microsoft.com/.default offline_access".into(),
        credential,
        token_cache: None,
        budget_per_minute: 0,
    };
    let configured = vec!["Sam.Alias@Contoso.com".to_string()];

    let delegated = connect::client(spec(Credential::DeviceCode)).unwrap();
    delegated
        .authenticator()
        .device_code_login(|_| {})
        .await
        .unwrap();
    let aliases = vigil::start::me::identity_aliases(&delegated, &configured, false).await;
    assert_eq!(
        aliases,
        [vigil::sim::DELEGATED_USER, "Sam.Alias@Contoso.com"],
        "the signed-in account first (it is the one assignments use), then the aliases"
    );
    let store = vigil::store::Store::new(vigil::store::Identity::new(aliases));
    assert!(
        store
            .identity()
            .is_me(&vigil::sim::DELEGATED_USER.to_uppercase())
    );

    let app_only = connect::client(spec(Credential::ClientSecret(
        vigil::sim::DEMO_CLIENT_SECRET.into(),
    )))
    .unwrap();
    assert_eq!(
        vigil::start::me::identity_aliases(&app_only, &configured, false).await,
        configured
    );
}

#[tokio::test]
async fn throttling_wait_is_visible_while_it_runs() {
    let demo = connect::demo(cfg(5, "429-burst=1,retry-after=2"))
        .await
        .unwrap();
    let client = demo.client.clone();
    let req = tokio::spawn(async move { client.get_json("/v1.0/security/incidents").await });
    // The 429 arrives at once; the 2 s wait then runs inside the client.
    let mut seen = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(t) = demo.client.throttled_until() {
            seen = Some(t);
            break;
        }
    }
    let until = seen.expect("throttled_until is set during the Retry-After wait");
    assert!(until > jiff::Timestamp::now());
    req.await.unwrap().unwrap();
    assert!(
        demo.client.throttled_until().is_none(),
        "cleared once the wait is over"
    );
}
