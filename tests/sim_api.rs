//! Black-box tests of the simulated tenant over real HTTP on loopback.

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use vigil::sim::{FaultSpec, SimConfig, SimHandle, start};

async fn sim_with(n: usize, seed: u64) -> SimHandle {
    let cfg = SimConfig {
        incidents: n,
        seed,
        live: false,
        ..SimConfig::default()
    };
    start(cfg, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

async fn sim(n: usize) -> SimHandle {
    sim_with(n, 7).await
}

fn token_url(h: &SimHandle) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        h.base_url(),
        SimConfig::default().tenant_id
    )
}

async fn token(c: &Client, h: &SimHandle) -> String {
    let cfg = SimConfig::default();
    let r: Value = c
        .post(token_url(h))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_string()
}

async fn get(c: &Client, tok: &str, url: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let r = c.get(url).bearer_auth(tok).send().await.unwrap();
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn token_issuance_and_rejection() {
    let h = sim(5).await;
    let c = Client::new();
    let cfg = SimConfig::default();
    let r = c
        .post(token_url(&h))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(v["access_token"].as_str().unwrap().len() > 20);

    let r = c
        .post(token_url(&h))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", "wrong"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");
    assert_eq!(v["error_codes"][0], 7000215);
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215")
    );
    assert!(v["trace_id"].is_string() && v["correlation_id"].is_string());

    let r = c
        .post(format!("{}/not-my-tenant/oauth2/v2.0/token", h.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(h.stats().token_requests, 3);
    h.shutdown().await;
}

fn jwt(header: Value, claims: Value) -> String {
    let e = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!(
        "{}.{}.{}",
        e(&header),
        e(&claims),
        URL_SAFE_NO_PAD.encode(b"signature")
    )
}

#[tokio::test]
async fn client_assertion_structure_is_checked() {
    let h = sim(1).await;
    let c = Client::new();
    let cfg = SimConfig::default();
    let now = jiff::Timestamp::now().as_second();
    let hdr = json!({"alg": "PS256", "typ": "JWT", "x5t#S256": "abc"});
    let good_aud = token_url(&h);
    let claims = |aud: &str, exp: i64| json!({"aud": aud, "iss": cfg.client_id, "sub": cfg.client_id, "jti": "1", "nbf": now, "exp": exp});
    let mut codes = Vec::new();
    for assertion in [
        jwt(hdr.clone(), claims(&good_aud, now + 600)),
        jwt(hdr.clone(), claims("https://evil.example/x", now + 600)),
        jwt(hdr.clone(), claims(&good_aud, now - 10)),
        jwt(json!({"alg": "none"}), claims(&good_aud, now + 600)),
    ] {
        let r = c
            .post(token_url(&h))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", cfg.client_id.as_str()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
    }
    assert_eq!(codes, vec![200, 401, 401, 401]);
    h.shutdown().await;
}

#[tokio::test]
async fn graph_requires_a_valid_bearer_token() {
    let h = sim(3).await;
    let c = Client::new();
    let url = format!("{}/v1.0/security/incidents", h.base_url());
    let r = c
        .get(&url)
        .header("client-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("request-id"));
    assert_eq!(r.headers()["client-request-id"], "abc-123");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "InvalidAuthenticationToken");
    let date = v["error"]["innerError"]["date"].as_str().unwrap();
    assert!(!date.ends_with('Z') && date.len() == 19, "{date}");

    let (s, _, _) = get(&c, "not-a-token", &url).await;
    assert_eq!(s, 401);
    let tok = token(&c, &h).await;
    let (s, _, v) = get(&c, &tok, &url).await;
    assert_eq!(s, 200);
    assert_eq!(v["value"].as_array().unwrap().len(), 3);
    h.shutdown().await;
}

#[tokio::test]
async fn expired_tokens_are_refused_under_the_expire_fault() {
    let h = sim(2).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/incidents", h.base_url());
    assert_eq!(get(&c, &tok, &url).await.0, 200);
    h.set_faults(FaultSpec::parse("expire-tokens=0s").unwrap());
    let (s, _, v) = get(&c, &tok, &url).await;
    assert_eq!(s, 401);
    assert!(v["error"]["message"].as_str().unwrap().contains("expired"));
    h.shutdown().await;
}

#[tokio::test]
async fn paging_covers_every_incident_exactly_once() {
    let h = sim(237).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let mut url = format!(
        "{}/v1.0/security/incidents?$top=50&$count=true",
        h.base_url()
    );
    let mut ids = Vec::new();
    let mut pages = 0;
    let mut count = None;
    loop {
        let (s, _, v) = get(&c, &tok, &url).await;
        assert_eq!(s, 200, "{v}");
        count = count.or(v["@odata.count"].as_u64());
        pages += 1;
        for i in v["value"].as_array().unwrap() {
            ids.push(i["id"].as_str().unwrap().to_string());
        }
        match v["@odata.nextLink"].as_str() {
            Some(n) => {
                assert!(n.starts_with("http://") && n.contains("$top=50"), "{n}");
                url = n.to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(count, Some(237));
    assert_eq!(ids.len(), 237);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 237);
    h.shutdown().await;
}

#[tokio::test]
async fn top_is_clamped_to_max_page() {
    let cfg = SimConfig {
        incidents: 30,
        live: false,
        max_page: 10,
        ..SimConfig::default()
    };
    let h = start(cfg, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let c = Client::new();
    let tok = token(&c, &h).await;
    let (_, _, v) = get(
        &c,
        &tok,
        &format!("{}/v1.0/security/incidents?$top=999", h.base_url()),
    )
    .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 10);
    assert!(v["@odata.nextLink"].is_string());
    h.shutdown().await;
}

async fn all_values(c: &Client, tok: &str, url: &str) -> (StatusCode, Vec<Value>, Value) {
    let (s, _, v) = get(c, tok, url).await;
    let items = v["value"].as_array().cloned().unwrap_or_default();
    (s, items, v)
}

#[tokio::test]
async fn filter_supports_documented_properties_and_rejects_others() {
    let h = sim(300).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let base = format!(
        "{}/v1.0/security/incidents?$top=100&$count=true&$filter=",
        h.base_url()
    );

    let (s, items, v) = all_values(&c, &tok, &format!("{base}severity eq 'high'")).await;
    assert_eq!(s, 200);
    let high = v["@odata.count"].as_u64().unwrap();
    assert!(high > 0 && high < 300);
    assert!(items.iter().all(|i| i["severity"] == "high"));

    let cut = "2000-01-01T00:00:00Z";
    let (_, items, _) = all_values(
        &c,
        &tok,
        &format!(
            "{base}createdDateTime ge {cut} and (status eq 'resolved' or status eq 'redirected')"
        ),
    )
    .await;
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["status"] == "resolved" || i["status"] == "redirected")
    );

    // A future cut-off matches nothing.
    let (s, items, _) = all_values(
        &c,
        &tok,
        &format!("{base}lastUpdateDateTime gt 2999-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(items.is_empty());

    for bad in [
        "displayName eq 'x'",
        "bogus eq 'x'",
        "createdDateTime ge '2026-01-01T00:00:00Z'",
        "severity eq 'catastrophic'",
        "startswith(assignedTo,'ana')",
    ] {
        let (s, _, v) = get(&c, &tok, &format!("{base}{bad}")).await;
        assert_eq!(s, 400, "{bad}");
        assert_eq!(v["error"]["code"], "BadRequest", "{bad}");
    }

    // alerts_v2 accepts serviceSource but not investigationState.
    let a = format!("{}/v1.0/security/alerts_v2?$filter=", h.base_url());
    let (s, items, _) = all_values(
        &c,
        &tok,
        &format!("{a}serviceSource eq 'microsoftDefenderForOffice365'"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["serviceSource"] == "microsoftDefenderForOffice365")
    );
    let (s, _, _) = get(&c, &tok, &format!("{a}investigationState eq 'running'")).await;
    assert_eq!(s, 400);
    h.shutdown().await;
}

#[tokio::test]
async fn expand_alerts_includes_alerts_with_evidence() {
    let h = sim(20).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let (s, items, _) = all_values(
        &c,
        &tok,
        &format!(
            "{}/v1.0/security/incidents?$expand=alerts&$top=10",
            h.base_url()
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(items.len(), 10);
    let mut evidence = 0;
    for i in &items {
        let alerts = i["alerts"].as_array().unwrap();
        assert!(!alerts.is_empty());
        for a in alerts {
            assert_eq!(a["incidentId"], i["id"]);
            for e in a["evidence"].as_array().unwrap() {
                assert!(
                    e["@odata.type"]
                        .as_str()
                        .unwrap()
                        .starts_with("#microsoft.graph.security.")
                );
                evidence += 1;
            }
        }
    }
    assert!(evidence > 10);
    let (_, items, _) = all_values(
        &c,
        &tok,
        &format!("{}/v1.0/security/incidents?$top=3", h.base_url()),
    )
    .await;
    assert!(items.iter().all(|i| i.get("alerts").is_none()));

    h.set_faults(FaultSpec::parse("expand-500=5").unwrap());
    let (s, _, v) = get(
        &c,
        &tok,
        &format!(
            "{}/v1.0/security/incidents?$expand=alerts&$top=10",
            h.base_url()
        ),
    )
    .await;
    assert_eq!(s, 500);
    assert_eq!(v["error"]["code"], "InternalServerError");
    let (s, _, _) = get(
        &c,
        &tok,
        &format!(
            "{}/v1.0/security/incidents?$expand=alerts&$top=5",
            h.base_url()
        ),
    )
    .await;
    assert_eq!(s, 200);
    h.shutdown().await;
}

#[tokio::test]
async fn patch_validates_enums_and_updates() {
    let h = sim(10).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/incidents/1000", h.base_url());
    let (_, _, before) = get(&c, &tok, &url).await;
    for bad in [
        json!({"classification": "benignPositive"}),
        json!({"determination": "compromisedUser"}),
        json!({"determination": "clean"}),
        json!({"determination": "insufficientData"}),
        json!({"determination": "confirmedUserActivity"}),
        json!({"status": "awaitingAction"}),
        json!({"severity": 3}),
        json!({"lastUpdateDateTime": "2026-01-01T00:00:00Z"}),
    ] {
        let r = c
            .patch(&url)
            .bearer_auth(&tok)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "InvalidRequestBody", "{bad}");
    }
    assert_eq!(h.stats().patches, 0);

    let body = json!({"classification": "TruePositive", "determination": "MultiStagedAttack", "customTags": ["Demo"], "status": "Resolved"});
    let r = c
        .patch(&url)
        .bearer_auth(&tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["classification"], "truePositive");
    assert_eq!(v["determination"], "multiStagedAttack");
    assert_eq!(v["status"], "resolved");
    assert_eq!(v["customTags"], json!(["Demo"]));
    assert_eq!(
        v["lastModifiedBy"],
        format!("API-App:{}", SimConfig::default().client_id)
    );
    assert_ne!(v["lastUpdateDateTime"], before["lastUpdateDateTime"]);
    let (_, _, after) = get(&c, &tok, &format!("{url}?$expand=alerts")).await;
    assert_eq!(after["classification"], "truePositive");
    assert!(
        after["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["status"] == "resolved")
    );
    assert_eq!(h.stats().patches, 1);

    let r = c
        .patch(format!("{}/v1.0/security/incidents/999999", h.base_url()))
        .bearer_auth(&tok)
        .json(&json!({"assignedTo": "x@contoso.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    h.shutdown().await;
}

#[tokio::test]
async fn comments_post_returns_the_full_list() {
    let h = sim(5).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/incidents/1001", h.base_url());
    let (_, _, inc) = get(&c, &tok, &url).await;
    let prior = inc["comments"].as_array().unwrap().len();
    let mut last = Value::Null;
    for text in ["first note", "second note"] {
        let r = c
            .post(format!("{url}/comments"))
            .bearer_auth(&tok)
            .json(&json!({"@odata.type": "microsoft.graph.security.alertComment", "comment": text}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        last = r.json().await.unwrap();
    }
    let list = last["value"].as_array().unwrap();
    assert_eq!(list.len(), prior + 2);
    assert_eq!(list[prior]["comment"], "first note");
    assert_eq!(list[prior + 1]["comment"], "second note");
    assert!(
        list[prior + 1]["createdByDisplayName"]
            .as_str()
            .unwrap()
            .contains(&SimConfig::default().client_id)
    );
    let r = c
        .post(format!("{url}/comments"))
        .bearer_auth(&tok)
        .json(&json!({"comment": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(h.stats().comments_posted, 2);
    h.shutdown().await;
}

#[tokio::test]
async fn beta_carries_defender_experts_fields_and_tasks() {
    let h = sim(300).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let b = h.base_url();
    // Incident 1001 is always a Defender Experts notification.
    let (_, _, beta) = get(&c, &tok, &format!("{b}/beta/security/incidents/1001")).await;
    let (_, _, v1) = get(&c, &tok, &format!("{b}/v1.0/security/incidents/1001")).await;
    assert!(
        beta["displayName"]
            .as_str()
            .unwrap()
            .starts_with("Defender Experts")
    );
    assert_eq!(beta["systemTags"], json!(["Defender Experts"]));
    assert!(
        beta["recommendedActions"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(beta["recommendedHuntingQueries"][0]["kqlText"].is_string());
    assert!(v1.get("recommendedActions").is_none());
    assert!(v1.get("recommendedHuntingQueries").is_none());

    let (s, tasks, _) = all_values(
        &c,
        &tok,
        &format!("{b}/beta/security/incidentTasks?$expand=incident"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!tasks.is_empty());
    let inc = tasks[0]["incident"]["id"].as_str().unwrap().to_string();
    let (_, mine, _) = all_values(
        &c,
        &tok,
        &format!("{b}/beta/security/incidentTasks?$filter=incidentId eq '{inc}'&$expand=incident"),
    )
    .await;
    assert!(!mine.is_empty() && mine.iter().all(|t| t["incident"]["id"] == inc.as_str()));
    let id = mine[0]["id"].as_str().unwrap();
    let r = c
        .patch(format!("{b}/beta/security/incidentTasks/{id}"))
        .bearer_auth(&tok)
        .json(&json!({"status": "notRelevant"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "notRelevant");
    let (s, _, v) = get(&c, &tok, &format!("{b}/v1.0/security/incidentTasks")).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "BadRequest");
    h.shutdown().await;
}

#[tokio::test]
async fn gated_enum_members_need_the_prefer_header() {
    let h = sim(300).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!(
        "{}/v1.0/security/incidents?$filter=status eq 'awaitingAction'",
        h.base_url()
    );
    let (_, plain, _) = all_values(&c, &tok, &url).await;
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|i| i["status"] == "unknownFutureValue"));
    let r = c
        .get(&url)
        .bearer_auth(&tok)
        .header("Prefer", "include-unknown-enum-members")
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "awaitingAction")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn send_mail_is_validated_and_recorded() {
    let h = sim(1).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/users/soc@contoso.com/sendMail", h.base_url());
    let good = json!({"message": {
        "subject": "Incident 1000 escalation",
        "body": {"contentType": "Text", "content": "Please look."},
        "toRecipients": [{"emailAddress": {"address": "experts@contoso.com"}}]
    }, "saveToSentItems": false});
    let r = c
        .post(&url)
        .bearer_auth(&tok)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mut bad = good.clone();
    bad["message"]["toRecipients"] = json!([]);
    let r = c
        .post(&url)
        .bearer_auth(&tok)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = c
        .post(format!("{}/v1.0/me/sendMail", h.base_url()))
        .bearer_auth(&tok)
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "app tokens cannot use /me");
    let mail = h.sent_mail();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0]["message"]["subject"], "Incident 1000 escalation");
    assert_eq!(mail[0]["from"], "soc@contoso.com");
    h.shutdown().await;
}

#[tokio::test]
async fn throttling_fault_sends_429_with_retry_after() {
    let h = sim(3).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    h.set_faults(FaultSpec::parse("429-burst=2,retry-after=3").unwrap());
    let url = format!("{}/v1.0/security/incidents", h.base_url());
    for _ in 0..2 {
        let (s, hdr, v) = get(&c, &tok, &url).await;
        assert_eq!(s, 429);
        assert_eq!(hdr["retry-after"], "3");
        assert_eq!(v["error"]["code"], "TooManyRequests");
    }
    assert_eq!(get(&c, &tok, &url).await.0, 200);
    let st = h.stats();
    assert_eq!(st.throttled, 2);
    assert!(st.faults_injected >= 2);
    assert_eq!(st.by_route.get("GET /v1.0/security/incidents"), Some(&3));
    h.shutdown().await;
}

fn strip_volatile(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| {
                !k.ends_with("DateTime") && !k.starts_with("@odata.") && k != "sentDateTime"
            });
            m.values_mut().for_each(strip_volatile);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_volatile),
        _ => {}
    }
}

#[tokio::test]
async fn same_seed_gives_the_same_first_page() {
    let c = Client::new();
    let mut pages = Vec::new();
    for seed in [7, 7, 8] {
        let h = sim_with(50, seed).await;
        let tok = token(&c, &h).await;
        let (_, _, mut v) = get(
            &c,
            &tok,
            &format!(
                "{}/v1.0/security/incidents?$top=10&$expand=alerts",
                h.base_url()
            ),
        )
        .await;
        strip_volatile(&mut v);
        pages.push(v);
        h.shutdown().await;
    }
    assert_eq!(pages[0], pages[1]);
    assert_ne!(pages[0], pages[2]);
}

#[tokio::test]
async fn device_code_flow_and_refresh() {
    let h = sim(1).await;
    let c = Client::new();
    let cfg = SimConfig::default();
    let dc: Value = c
        .post(format!(
            "{}/organizations/oauth2/v2.0/devicecode",
            h.base_url()
        ))
        .form(&[
            ("client_id", cfg.client_id.as_str()),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_code = dc["user_code"].as_str().unwrap();
    let device_code = dc["device_code"].as_str().unwrap();
    assert!(
        dc["verification_uri"]
            .as_str()
            .unwrap()
            .ends_with("/_sim/device")
    );
    let poll = || async {
        let r = c
            .post(token_url(&h))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", cfg.client_id.as_str()),
                ("device_code", device_code),
            ])
            .send()
            .await
            .unwrap();
        r.json::<Value>().await.unwrap()
    };
    assert_eq!(poll().await["error"], "authorization_pending");
    assert_eq!(poll().await["error"], "slow_down");
    assert!(!h.approve_device_code("ZZZZ-ZZZZ"));
    assert!(h.approve_device_code(&user_code.to_lowercase()));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let ok = poll().await;
    let access = ok["access_token"].as_str().unwrap();
    let refresh = ok["refresh_token"].as_str().unwrap();
    let (s, _, me) = get(&c, access, &format!("{}/v1.0/me", h.base_url())).await;
    assert_eq!(s, 200);
    assert_eq!(me["userPrincipalName"], vigil::sim::DELEGATED_USER);

    let r: Value = c
        .post(token_url(&h))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", cfg.client_id.as_str()),
            ("refresh_token", refresh),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r["access_token"].is_string());
    assert_ne!(r["access_token"], ok["access_token"]);
    h.shutdown().await;
}

#[tokio::test]
async fn live_activity_bumps_last_update() {
    let h = sim(50).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/incidents?$top=1", h.base_url());
    let (_, _, before) = get(&c, &tok, &url).await;
    h.tick_activity();
    let (_, _, after) = get(&c, &tok, &url).await;
    assert_ne!(
        before["value"][0]["lastUpdateDateTime"],
        after["value"][0]["lastUpdateDateTime"]
    );
    h.shutdown().await;
}

#[tokio::test]
async fn generates_ten_thousand_incidents() {
    let h = sim(10_000).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let (_, _, v) = get(
        &c,
        &tok,
        &format!(
            "{}/v1.0/security/incidents?$top=1&$count=true",
            h.base_url()
        ),
    )
    .await;
    assert_eq!(v["@odata.count"], 10_000);
    h.shutdown().await;
}

#[tokio::test]
async fn body_and_record_faults() {
    let h = sim(20).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/incidents?$top=5", h.base_url());
    let text = |f: &'static str| {
        h.set_faults(FaultSpec::parse(f).unwrap());
        let (c, tok, url) = (c.clone(), tok.clone(), url.clone());
        async move {
            c.get(&url)
                .bearer_auth(&tok)
                .header("Prefer", "include-unknown-enum-members")
                .send()
                .await
                .unwrap()
        }
    };

    let r = text("malformed=1").await;
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());

    let r = text("truncate=1").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.bytes().await.is_err(),
        "a truncated body must fail to read"
    );

    let r = text("503=1,retry-after=2").await;
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");

    let v: Value = text("bad-record=1").await.json().await.unwrap();
    let odd = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            !i["id"].is_string()
                || !i["severity"].is_string()
                || !i["status"].is_string()
                || i["createdDateTime"]
                    .as_str()
                    .is_some_and(|s| !s.starts_with("20"))
        })
        .count();
    assert_eq!(odd, 1);

    let v: Value = text("unknown-enum=1").await.json().await.unwrap();
    assert!(
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "underReview")
    );
    let v: Value = c
        .get(&url)
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "unknownFutureValue")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn auto_approved_device_code_and_control_endpoints() {
    let cfg = SimConfig {
        incidents: 10,
        live: false,
        auto_approve_device_code: true,
        ..SimConfig::default()
    };
    let h = start(cfg.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = Client::new();
    let dc: Value = c
        .post(format!(
            "{}/{}/oauth2/v2.0/devicecode",
            h.base_url(),
            cfg.tenant_id
        ))
        .form(&[
            ("client_id", cfg.client_id.as_str()),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut results = Vec::new();
    for _ in 0..2 {
        let v: Value = c
            .post(token_url(&h))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", cfg.client_id.as_str()),
                ("device_code", dc["device_code"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        results.push(v);
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    assert_eq!(results[0]["error"], "authorization_pending");
    assert!(results[1]["access_token"].is_string(), "{}", results[1]);

    let before: Value = c
        .get(format!("{}/_sim/stats", h.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r: Value = c
        .post(format!("{}/_sim/tick", h.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["activity_rounds"], 1);
    let r = c
        .post(format!("{}/_sim/faults", h.base_url()))
        .body("bogus=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("bogus=1"));
    let after: Value = c
        .get(format!("{}/_sim/stats", h.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["token_requests"], 3);
    assert_eq!(
        before["requests"], after["requests"],
        "/_sim/ calls are not counted"
    );
    h.shutdown().await;
}

/// Every record of a paged list (follows `@odata.nextLink`).
async fn all_pages(c: &Client, tok: &str, first: &str) -> Vec<Value> {
    let (mut out, mut next) = (Vec::new(), Some(first.to_string()));
    while let Some(url) = next.take() {
        let (s, _, v) = get(c, tok, &url).await;
        assert_eq!(s, 200, "{url}: {v}");
        out.extend(v["value"].as_array().cloned().unwrap_or_default());
        next = v["@odata.nextLink"].as_str().map(str::to_string);
    }
    out
}

#[tokio::test]
async fn email_evidence_carries_p1_and_p2_senders_that_vary() {
    let h = sim(300).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let alerts = all_pages(
        &c,
        &tok,
        &format!("{}/v1.0/security/alerts_v2", h.base_url()),
    )
    .await;
    let mails: Vec<&Value> = alerts
        .iter()
        .flat_map(|a| a["evidence"].as_array().into_iter().flatten())
        .filter(|e| e["@odata.type"] == "#microsoft.graph.security.analyzedMessageEvidence")
        .collect();
    assert!(mails.len() >= 5, "only {} emails", mails.len());
    let (mut senders, mut subjects) = (HashSet::new(), HashSet::new());
    for m in &mails {
        assert!(m.get("sender").is_none(), "no `sender` in the schema: {m}");
        for p in ["p1Sender", "p2Sender"] {
            let addr = m[p]["emailAddress"].as_str().unwrap_or_default();
            assert!(addr.contains('@'), "{p}: {m}");
            assert!(m[p]["domainName"].is_string() && m[p]["displayName"].is_string());
        }
        senders.insert(m["p2Sender"]["emailAddress"].as_str().unwrap().to_string());
        subjects.insert(m["subject"].as_str().unwrap().to_string());
    }
    assert!(senders.len() >= 3, "senders: {senders:?}");
    assert!(subjects.len() >= 3, "subjects: {subjects:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn incident_tasks_follow_the_beta_schema() {
    let h = sim(300).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let b = h.base_url();
    let (s, plain, _) = all_values(&c, &tok, &format!("{b}/beta/security/incidentTasks")).await;
    assert_eq!(s, 200);
    assert!(!plain.is_empty());
    for t in &plain {
        assert!(
            t.get("incidentId").is_none(),
            "incidentId is not a property: {t}"
        );
        assert!(t.get("incident").is_none(), "incident only on $expand: {t}");
        assert!(t.get("responseAction").is_some(), "{t}");
    }
    let (s, expanded, _) = all_values(
        &c,
        &tok,
        &format!("{b}/beta/security/incidentTasks?$expand=incident"),
    )
    .await;
    assert_eq!(s, 200);
    let inc = expanded[0]["incident"]["id"].as_str().unwrap().to_string();
    assert_eq!(expanded.len(), plain.len());
    let (s, mine, _) = all_values(
        &c,
        &tok,
        &format!("{b}/beta/security/incidentTasks?$filter=incidentId eq '{inc}'&$expand=incident"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(!mine.is_empty() && mine.iter().all(|t| t["incident"]["id"] == inc.as_str()));
    let (s, _, v) = get(
        &c,
        &tok,
        &format!("{b}/beta/security/incidentTasks?$expand=alerts"),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    h.shutdown().await;
}

#[tokio::test]
async fn alerts_carry_categories_and_investigation_state() {
    let h = sim(20).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let (_, alerts, _) = all_values(
        &c,
        &tok,
        &format!("{}/v1.0/security/alerts_v2?$top=50", h.base_url()),
    )
    .await;
    assert!(!alerts.is_empty());
    for a in &alerts {
        let cats = a["categories"].as_array().expect("categories");
        assert!(!cats.is_empty() && cats.iter().all(Value::is_string), "{a}");
        assert!(a["investigationState"].is_string(), "{a}");
        // What vigil reads from it: the categories and the AIR state.
        let parsed: vigil::graph::model::Alert = serde_json::from_value(a.clone()).unwrap();
        assert!(!parsed.categories.is_empty());
        assert!(parsed.investigation_state.is_some_and(|s| s.is_known()));
    }
    h.shutdown().await;
}

#[tokio::test]
async fn unknown_evidence_type_appears_only_under_its_fault() {
    let h = sim(60).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let url = format!("{}/v1.0/security/alerts_v2", h.base_url());
    let unknown = |alerts: &[Value]| {
        alerts
            .iter()
            .flat_map(|a| a["evidence"].as_array().into_iter().flatten())
            .filter(|e| {
                let t = e["@odata.type"].as_str().unwrap_or_default();
                !vigil::graph::model::Evidence::from_value((*e).clone()).is_known_type()
                    && t.starts_with("#microsoft.graph.security.")
            })
            .count()
    };
    assert_eq!(unknown(&all_pages(&c, &tok, &url).await), 0);
    h.set_faults(FaultSpec::parse("unknown-evidence=1").unwrap());
    let all = all_pages(&c, &tok, &url).await;
    assert!(
        unknown(&all) >= all.len(),
        "every alert carries one under the fault"
    );
    h.set_faults(FaultSpec::default());
    assert_eq!(unknown(&all_pages(&c, &tok, &url).await), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn incident_count_segment_and_select_work() {
    let h = sim(40).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let b = h.base_url();
    let r = c
        .get(format!("{b}/v1.0/security/incidents/$count"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(r.text().await.unwrap().trim(), "40");
    let high = all_pages(
        &c,
        &tok,
        &format!("{b}/v1.0/security/incidents?$filter=severity eq 'high'"),
    )
    .await
    .len();
    let r = c
        .get(format!(
            "{b}/v1.0/security/incidents/$count?$filter=severity eq 'high'"
        ))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap().trim(), high.to_string());

    let (s, items, _) = all_values(
        &c,
        &tok,
        &format!("{b}/v1.0/security/incidents?$select=displayName,severity&$top=5"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(items.len(), 5);
    for i in &items {
        let mut keys: Vec<&str> = i.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["displayName", "id", "severity"], "{i}");
    }
    let (s, _, one) = get(
        &c,
        &tok,
        &format!("{b}/v1.0/security/incidents/1001?$select=status"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(one["status"].is_string() && one.get("displayName").is_none());
    let (s, _, v) = get(
        &c,
        &tok,
        &format!("{b}/v1.0/security/incidents?$select=noSuchProperty"),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["code"], "BadRequest");
    h.shutdown().await;
}

#[tokio::test]
async fn comment_post_with_an_array_body_is_an_empty_payload() {
    let h = sim(5).await;
    let c = Client::new();
    let tok = token(&c, &h).await;
    let b = h.base_url();
    for url in [
        format!("{b}/v1.0/security/incidents/1001/comments"),
        format!("{b}/v1.0/security/alerts_v2/{}/comments", {
            let (_, alerts, _) =
                all_values(&c, &tok, &format!("{b}/v1.0/security/alerts_v2?$top=1")).await;
            alerts[0]["id"].as_str().unwrap().to_string()
        }),
    ] {
        let r = c
            .post(&url)
            .bearer_auth(&tok)
            .json(&json!([{"comment": "in an array"}]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{url}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "BadRequest", "{url}");
        assert_eq!(
            v["error"]["message"],
            "Empty Payload. JSON content expected."
        );
    }
    assert_eq!(h.stats().comments_posted, 0);
    h.shutdown().await;
}
