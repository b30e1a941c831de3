//! Ask Defender Experts and Defender Experts notifications (issue 5), end to end: the console
//! `App` driven by keys, its effects carried out against the real sync engine and Graph client,
//! the engine's updates fed back, and the embedded simulated tenant as the service. Assertions
//! are made on what the simulator recorded (mail, comments, PATCHes) and on the inquiry file.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use vigil::experts::outbox::SUBJECT_PREFIX;
use vigil::experts::tasks::IncidentTask;
use vigil::experts::{Channel, DeliveryStatus, Inquiry, InquiryStore};
use vigil::graph::auth::{AuthConfig, Authenticator, Credential};
use vigil::graph::client::{Client, ClientConfig};
use vigil::graph::model::Timestamp;
use vigil::sim::{self, FaultSpec, SimConfig, SimHandle};
use vigil::store::{Identity, Store};
use vigil::sync::{self, Command, EngineConfig, EngineHandle, Update, UpsertSource};
use vigil::ui::app::{App, AppConfig, Effect, ExpertsConfig};
use vigil::ui::experts_ui::BETA_MISSING;
use vigil::ui::experts_ui::{AskExpertsPane, NotificationView};

const EXPERTS_TO: &str = "defender-experts@contoso.com";

fn client(sim: &SimHandle) -> Client {
    let base = Url::parse(&sim.base_url()).unwrap();
    let cfg = ClientConfig {
        graph_url: base.clone(),
        timeout: Duration::from_secs(10),
        budget_per_minute: 0,
        ..ClientConfig::default()
    };
    let auth = Arc::new(Authenticator::new(
        AuthConfig {
            login_url: base.clone(),
            tenant_id: sim::DEMO_TENANT_ID.into(),
            client_id: sim::DEMO_CLIENT_ID.into(),
            scope: format!("{base}.default"),
            credential: Credential::ClientSecret(sim::DEMO_CLIENT_SECRET.to_string().into()),
            cache_path: None,
        },
        cfg.http_client().unwrap(),
    ));
    Client::new(cfg, auth).unwrap()
}

fn app_config(dir: &Path, channels: Vec<Channel>) -> AppConfig {
    AppConfig {
        experts: ExpertsConfig {
            channels,
            email_to: Some(EXPERTS_TO.into()),
            reply_to: vec!["soc@contoso.com".into()],
            mailbox: sim::DELEGATED_USER.into(),
            tenant_id: Some(sim::DEMO_TENANT_ID.into()),
            drafts_dir: Some(dir.join("drafts")),
            inquiries_path: Some(dir.join("inquiries.json")),
            ..ExpertsConfig::default()
        },
        ..AppConfig::default()
    }
}

fn ev(k: &str) -> KeyEvent {
    match k {
        "enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        "esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
        "ctrl-s" => KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
        s if s.chars().count() == 1 => {
            let c = s.chars().next().unwrap();
            let m = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(KeyCode::Char(c), m)
        }
        other => panic!("unknown key {other}"),
    }
}

/// The console, the engine it talks to and the simulator behind it.
struct Rig {
    sim: SimHandle,
    client: Client,
    engine: EngineHandle,
    app: App,
    /// Clipboard copies the app asked for: (what, text).
    copies: Vec<(String, String)>,
    /// Every update the engine sent, in order.
    log: Vec<Update>,
}

impl Rig {
    async fn start(sim_cfg: SimConfig, app_cfg: AppConfig, engine_cfg: EngineConfig) -> Rig {
        let sim = sim::start(sim_cfg, ([127, 0, 0, 1], 0).into())
            .await
            .unwrap();
        let client = client(&sim);
        let engine = sync::spawn(Arc::new(client.clone()), engine_cfg);
        let store = Store::new(Identity::new(vec![sim::DELEGATED_USER.to_string()]));
        let app = App::new(store, app_cfg, Timestamp::now());
        let mut rig = Rig {
            sim,
            client,
            engine,
            app,
            copies: Vec::new(),
            log: Vec::new(),
        };
        rig.settle("the initial load", |r| {
            r.log
                .iter()
                .any(|u| matches!(u, Update::LoadComplete { .. }))
        })
        .await;
        rig
    }

    /// Carries out effects the way the console's event loop does.
    fn carry_out(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::SendCommand(c) => self.engine.commands.send(c).unwrap(),
                Effect::Copy { text, what } => {
                    self.app.report_copy(&what, Ok("OSC 52".into()));
                    self.copies.push((what, text));
                }
                Effect::Bell | Effect::ClearScreen | Effect::Suspend => {}
                Effect::Quit => panic!("the app quit"),
            }
        }
    }

    fn key(&mut self, k: &str) {
        let fx = self.app.handle_key(ev(k));
        self.carry_out(fx);
    }

    fn typed(&mut self, s: &str) {
        for c in s.chars() {
            let fx = self
                .app
                .handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            self.carry_out(fx);
        }
    }

    /// Applies engine updates to the app (carrying out what they cause) until `done`.
    async fn settle(&mut self, what: &str, done: impl Fn(&Rig) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.engine.updates.recv()).await {
                Ok(Some(u)) => {
                    self.log.push(u.clone());
                    let fx = self.app.apply_update(u);
                    self.carry_out(fx);
                }
                other => panic!(
                    "waiting for {what}: {:?}; notification: {:?}",
                    other
                        .map(|o| o.map(|u| format!("{u:?}").chars().take(200).collect::<String>())),
                    self.app.toast()
                ),
            }
        }
    }

    fn screen(&mut self) -> String {
        let mut t = Terminal::new(TestBackend::new(140, 45)).unwrap();
        t.draw(|f| self.app.render(f)).unwrap();
        format!("{}", t.backend())
    }

    /// Shows every incident and selects `id` through the filter line.
    fn select(&mut self, id: &str) {
        self.key(":");
        self.typed("view all");
        self.key("enter");
        self.key("/");
        while !self.app.input_text().unwrap_or("").is_empty() {
            let fx = self
                .app
                .handle_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
            self.carry_out(fx);
        }
        self.typed(&format!("id:{id}"));
        self.key("enter");
        if self.app.selected_id() != Some(id) {
            panic!("{id} not selected:\n{}", self.screen());
        }
    }

    /// Drops the engine and the console as a `kill -9` would (no shutdown work) and starts new
    /// ones on the same simulator and state files; waits for their initial load.
    async fn restart(self, app_cfg: AppConfig, engine_cfg: EngineConfig) -> Rig {
        self.engine.task.abort();
        let Rig { sim, client, .. } = self;
        let engine = sync::spawn(Arc::new(client.clone()), engine_cfg);
        let store = Store::new(Identity::new(vec![sim::DELEGATED_USER.to_string()]));
        let app = App::new(store, app_cfg, Timestamp::now());
        let mut rig = Rig {
            sim,
            client,
            engine,
            app,
            copies: Vec::new(),
            log: Vec::new(),
        };
        rig.settle("the initial load", |r| {
            r.log
                .iter()
                .any(|u| matches!(u, Update::LoadComplete { .. }))
        })
        .await;
        rig
    }

    async fn stop(self) {
        self.engine.task.abort();
        self.sim.shutdown().await;
    }
}

fn sim_cfg(incidents: usize) -> SimConfig {
    SimConfig {
        incidents,
        live: false,
        ..SimConfig::default()
    }
}

fn inquiries(path: &PathBuf) -> Vec<Inquiry> {
    InquiryStore::open(path).unwrap().list()
}

fn all_sent(inq: &Inquiry, channels: &[Channel]) -> bool {
    channels
        .iter()
        .all(|c| matches!(inq.status(*c), Some(DeliveryStatus::Sent { .. })))
}

/// Compose on a Defender Experts incident and send through email, incident comment and portal:
/// the mail reaches the simulator's mailbox, the comment lands on the incident once, the portal
/// text is copied, and the inquiry file records all three as sent.
#[tokio::test]
async fn ask_defender_experts_delivers_on_all_three_channels() {
    let dir = tempfile::tempdir().unwrap();
    let channels = vec![Channel::Email, Channel::IncidentComment, Channel::Portal];
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), channels.clone()),
        EngineConfig::default(),
    )
    .await;
    let id = "1001";
    r.select(id);
    assert!(r.app.store().incident(id).unwrap().experts, "1001 is a DEN");
    r.key("e");
    assert!(r.app.modal_as::<AskExpertsPane>().is_some());
    let question = "Was the PowerShell download on this host part of the attack?";
    r.typed(question);
    r.key("ctrl-s");
    r.key("y");
    assert!(r.app.modal().is_none(), "the pane closed on send");

    let path = dir.path().join("inquiries.json");
    r.settle("all three deliveries", |_| {
        inquiries(&path)
            .first()
            .is_some_and(|i| all_sent(i, &channels))
    })
    .await;

    // Email: exactly one, from the configured mailbox, to the experts, with the question.
    let mail = r.sim.sent_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    let m = &mail[0];
    assert_eq!(m["from"], json!(sim::DELEGATED_USER));
    let subject = m["message"]["subject"].as_str().unwrap();
    assert!(subject.starts_with(SUBJECT_PREFIX), "{subject}");
    assert!(subject.contains(id), "{subject}");
    assert_eq!(
        m["message"]["toRecipients"],
        json!([{"emailAddress": {"address": EXPERTS_TO}}])
    );
    assert_eq!(
        m["message"]["replyTo"][0]["emailAddress"]["address"],
        json!("soc@contoso.com")
    );
    let body = m["message"]["body"]["content"].as_str().unwrap();
    assert!(body.starts_with(question), "{body}");
    let inq = &inquiries(&path)[0];
    assert!(body.contains(&inq.id), "the mail carries the inquiry id");

    // Comment: one copy on the incident in the simulator.
    let inc = r
        .client
        .get_json(&format!("/v1.0/security/incidents/{id}"))
        .await
        .unwrap();
    let with_question: Vec<&Value> = inc["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["comment"].as_str().unwrap().contains(question))
        .collect();
    assert_eq!(with_question.len(), 1, "{:?}", inc["comments"]);
    assert_eq!(r.sim.stats().comments_posted, 1);

    // Portal: the hand-off text was copied, with the question and the incident link.
    let (what, text) = r
        .copies
        .iter()
        .find(|(w, _)| w == "Ask Defender Experts inquiry")
        .expect("portal copy");
    assert!(!what.is_empty());
    assert!(text.contains(question), "{text}");
    assert!(
        text.contains(&format!("https://security.microsoft.com/incidents/{id}")),
        "{text}"
    );
    r.stop().await;
}

/// Issue 11.3: an inquiry sent by email and incident comment during an outage (every request
/// answers 500) stays pending in the outbox, shown as retrying, not failed; `R` re-sends
/// nothing; when the service is back the engine delivers each exactly once (an attempt that
/// may have landed is looked for first) and the inquiry shows both delivered.
#[tokio::test]
async fn an_inquiry_sent_during_an_outage_is_delivered_once_when_the_service_returns() {
    let dir = tempfile::tempdir().unwrap();
    let channels = vec![Channel::Email, Channel::IncidentComment];
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), channels.clone()),
        quick_polls(dir.path()),
    )
    .await;
    let path = dir.path().join("inquiries.json");
    let id = "1004";
    r.select(id);
    r.key("e");
    let question = "Can you confirm the scope of this notification?";
    r.typed(question);
    r.sim.set_faults(FaultSpec {
        p500: 1.0,
        ..FaultSpec::default()
    });
    r.key("ctrl-s");
    r.key("y");
    r.settle("both channels retrying in the outbox", |_| {
        inquiries(&path).first().is_some_and(|i| {
            channels.iter().all(|c| {
                matches!(
                    i.status(*c),
                    Some(DeliveryStatus::Pending { note: Some(_), .. })
                )
            })
        })
    })
    .await;
    assert!(r.sim.sent_mail().is_empty());

    // R while they are still in the outbox sends nothing and says so.
    r.key("I");
    r.key("g");
    let fx = r.app.handle_key(ev("R"));
    assert!(
        !sends_a_delivery(&fx),
        "R must not send a second copy: {fx:?}"
    );
    r.carry_out(fx);
    let s = r.screen();
    assert!(s.contains("still in the outbox"), "{s}");
    r.key("esc");

    r.sim.set_faults(FaultSpec::default());
    r.settle("both channels delivered", |_| {
        inquiries(&path)
            .first()
            .is_some_and(|i| all_sent(i, &channels))
    })
    .await;
    assert_eq!(r.sim.sent_mail().len(), 1, "one mail");
    assert_eq!(comments_with(&r, id, question).await, 1, "one comment");

    // Delivered: R sends nothing.
    r.key("I");
    r.key("g");
    let fx = r.app.handle_key(ev("R"));
    assert!(!sends_a_delivery(&fx), "{fx:?}");
    r.carry_out(fx);
    r.stop().await;
}

/// Issue 11.3: killed while an inquiry's email and comment wait in the outbox (outage), then
/// started again from the same state directory: both are delivered exactly once without a key
/// press.
#[tokio::test]
async fn queued_inquiry_deliveries_resume_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let channels = vec![Channel::Email, Channel::IncidentComment];
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), channels.clone()),
        quick_polls(dir.path()),
    )
    .await;
    let path = dir.path().join("inquiries.json");
    let id = "1004";
    r.select(id);
    r.key("e");
    let question = "Did this reach the finance share too?";
    r.typed(question);
    r.sim.set_faults(FaultSpec {
        p500: 1.0,
        ..FaultSpec::default()
    });
    r.key("ctrl-s");
    r.key("y");
    r.settle("both deliveries waiting in the outbox", |r| {
        r.log
            .iter()
            .any(|u| matches!(u, Update::Status(s) if s.outbox_failed + s.outbox_pending >= 2))
    })
    .await;
    // "kill -9": the engine and the console vanish without any shutdown work; the service is
    // back when vigil starts again.
    r.sim.set_faults(FaultSpec::default());
    let mut r = r
        .restart(
            app_config(dir.path(), channels.clone()),
            quick_polls(dir.path()),
        )
        .await;
    r.settle("both channels delivered after the restart", |_| {
        inquiries(&path)
            .first()
            .is_some_and(|i| all_sent(i, &channels))
    })
    .await;
    assert_eq!(r.sim.sent_mail().len(), 1, "one mail");
    assert_eq!(comments_with(&r, id, question).await, 1, "one comment");
    r.stop().await;
}

/// Issue 11.3: killed after the outbox settled but before the inquiry file was updated: the
/// channels still name outbox ops the outbox no longer holds. On start they are re-queued as
/// uncertain: Sent Items and the incident's comments are checked, nothing is sent twice, and
/// the inquiry ends delivered.
#[tokio::test]
async fn deliveries_settled_unseen_before_a_crash_are_found_not_resent() {
    let dir = tempfile::tempdir().unwrap();
    let channels = vec![Channel::Email, Channel::IncidentComment];
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), channels.clone()),
        quick_polls(dir.path()),
    )
    .await;
    let path = dir.path().join("inquiries.json");
    let id = "1004";
    r.select(id);
    r.key("e");
    let question = "Is the second host in scope?";
    r.typed(question);
    r.key("ctrl-s");
    r.key("y");
    r.settle("both channels delivered", |_| {
        inquiries(&path)
            .first()
            .is_some_and(|i| all_sent(i, &channels))
    })
    .await;
    // Rewind the inquiry file to "carried by outbox ops" (the outbox has long settled them).
    let mut store = InquiryStore::open(&path).unwrap();
    let inquiry_id = store.list()[0].id.clone();
    for (n, c) in channels.iter().enumerate() {
        let status = DeliveryStatus::Pending {
            op: 4_242 + n as u64,
            note: None,
        };
        store.update_delivery(&inquiry_id, *c, status).unwrap();
    }
    drop(store);
    let mut r = r
        .restart(
            app_config(dir.path(), channels.clone()),
            quick_polls(dir.path()),
        )
        .await;
    r.settle("both channels found delivered", |_| {
        inquiries(&path)
            .first()
            .is_some_and(|i| all_sent(i, &channels))
    })
    .await;
    assert_eq!(r.sim.sent_mail().len(), 1, "no second mail");
    assert_eq!(
        comments_with(&r, id, question).await,
        1,
        "no second comment"
    );
    let stats = r.sim.stats();
    assert_eq!(
        stats
            .by_route
            .get("GET /v1.0/users/{id}/mailFolders/sentitems/messages"),
        Some(&1),
        "Sent Items were checked: {:?}",
        stats.by_route
    );
    r.stop().await;
}

/// Polls every 200 ms (so writes retry soon after the service returns) with the outbox in `dir`.
fn quick_polls(dir: &Path) -> EngineConfig {
    EngineConfig {
        poll_interval: Duration::from_millis(200),
        outbox_path: Some(dir.join("outbox.json")),
        ..EngineConfig::default()
    }
}

/// True when the effects send an inquiry delivery (a comment or a mail).
fn sends_a_delivery(fx: &[Effect]) -> bool {
    fx.iter().any(|e| {
        matches!(
            e,
            Effect::SendCommand(
                Command::Write { .. } | Command::Requeue { .. } | Command::SendMail { .. }
            )
        )
    })
}

/// How many comments on incident `id` in the simulator contain `text`.
async fn comments_with(r: &Rig, id: &str, text: &str) -> usize {
    let inc = r
        .client
        .get_json(&format!("/v1.0/security/incidents/{id}"))
        .await
        .unwrap();
    inc["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["comment"].as_str().unwrap_or("").contains(text))
        .count()
}

/// `n` on a DEN opens the notification view and loads the beta fields: recommendations and
/// hunting queries appear and the "unavailable" line does not.
#[tokio::test]
async fn beta_fields_load_for_a_defender_experts_incident() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), vec![Channel::Portal]),
        EngineConfig::default(),
    )
    .await;
    let id = "1009";
    r.select(id);
    r.key("enter");
    r.key("n");
    assert!(r.app.modal_as::<NotificationView>().is_some());
    assert!(
        r.screen().contains(BETA_MISSING),
        "the list read had no beta fields"
    );
    r.settle("the beta read", |r| {
        match r.app.modal_as::<NotificationView>() {
            Some(v) => v.details().beta_available,
            _ => false,
        }
    })
    .await;
    let Some(v) = r.app.modal_as::<NotificationView>() else {
        unreachable!()
    };
    let d = v.details().clone();
    assert!(d.recommendations.is_some(), "{d:?}");
    assert!(!d.hunting_queries.is_empty(), "{d:?}");
    let inc = &r.app.store().incident(id).unwrap().incident;
    assert!(inc.recommended_actions.is_some());
    let s = r.screen();
    assert!(!s.contains(BETA_MISSING), "{s}");
    assert!(
        r.sim
            .stats()
            .by_route
            .contains_key("GET /beta/security/incidents/{id}")
    );
    r.stop().await;
}

/// With beta refused by configuration the view says the fields are unavailable and no beta
/// request is made; a non-DEN read through beta has no DEN fields and `n` refuses it.
#[tokio::test]
async fn beta_fields_absent_when_refused_or_not_a_den() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rig::start(
        sim_cfg(40),
        app_config(dir.path(), vec![Channel::Portal]),
        EngineConfig {
            beta_for_experts: false,
            ..EngineConfig::default()
        },
    )
    .await;
    let id = "1001";
    r.select(id);
    r.key("enter");
    r.key("n");
    let reads_before = r.log.len();
    r.settle("the v1.0 re-read", |r| {
        r.log[reads_before..].iter().any(|u| {
            matches!(u, Update::Incidents { items, source: UpsertSource::Single } if items.iter().any(|i| i.id == id))
        })
    })
    .await;
    let s = r.screen();
    assert!(s.contains(BETA_MISSING), "{s}");
    let routes = r.sim.stats().by_route;
    assert!(routes.contains_key("GET /v1.0/security/incidents/{id}"));
    assert!(
        !routes.keys().any(|k| k.contains("/beta/")),
        "no beta request: {routes:?}"
    );
    r.key("esc");
    r.key("esc");

    // A non-DEN read through beta (by a beta-enabled engine) carries no DEN fields.
    let beta_engine = sync::spawn(Arc::new(r.client.clone()), EngineConfig::default());
    let mut beta_engine = beta_engine;
    let plain = r
        .app
        .store()
        .entries()
        .find(|e| !e.experts)
        .map(|e| e.incident.id.clone())
        .unwrap();
    beta_engine
        .commands
        .send(Command::LoadIncident {
            incident_id: plain.clone(),
            beta: true,
        })
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let loaded = loop {
        match tokio::time::timeout_at(deadline, beta_engine.updates.recv()).await {
            Ok(Some(Update::Incidents {
                items,
                source: UpsertSource::Single,
            })) if items.iter().any(|i| i.id == plain) => {
                break items.into_iter().find(|i| i.id == plain).unwrap();
            }
            Ok(Some(_)) => {}
            other => panic!("no single read: {other:?}"),
        }
    };
    beta_engine.task.abort();
    assert!(loaded.recommended_actions.is_none());
    assert!(
        loaded
            .recommended_hunting_queries
            .as_deref()
            .unwrap_or(&[])
            .is_empty()
    );
    assert!(
        r.sim
            .stats()
            .by_route
            .contains_key("GET /beta/security/incidents/{id}")
    );
    // And the console does not offer a notification view for it.
    r.select(&plain);
    r.key("enter");
    r.key("n");
    assert!(r.app.modal().is_none());
    assert!(
        r.app
            .toast()
            .unwrap()
            .contains("not a Defender Experts notification")
    );
    r.stop().await;
}

/// Managed-response tasks: the notification view lists a DEN's tasks; completing one from the
/// view PATCHes exactly its status and the reload shows it completed.
#[tokio::test]
async fn tasks_are_listed_and_completing_one_is_reflected_on_reload() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rig::start(
        sim_cfg(300),
        app_config(dir.path(), vec![Channel::Portal]),
        EngineConfig::default(),
    )
    .await;
    // Find an open task on an incident the console has loaded.
    let all = r
        .client
        .get_json("/beta/security/incidentTasks?$top=500&$expand=incident")
        .await
        .unwrap();
    let task = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t["status"] != json!("completed")
                && r.app
                    .store()
                    .incident(t["incident"]["id"].as_str().unwrap())
                    .is_some()
        })
        .cloned()
        .expect("the simulated tenant has an open task");
    let task_id = task["id"].as_str().unwrap().to_string();
    let incident_id = task["incident"]["id"].as_str().unwrap().to_string();
    let name = task["displayName"].as_str().unwrap().to_string();

    r.select(&incident_id);
    r.key("enter");
    r.key("n");
    let start = r.log.len();
    r.settle("the tasks and the beta fields", |r| {
        let tasks = r.log[start..]
            .iter()
            .any(|u| matches!(u, Update::Tasks { incident_id: i, .. } if *i == incident_id));
        let beta = r
            .app
            .modal_as::<NotificationView>()
            .is_some_and(|v| v.details().beta_available);
        tasks && beta
    })
    .await;
    let listed: Vec<IncidentTask> = r.log[start..]
        .iter()
        .find_map(|u| match u {
            Update::Tasks { tasks, .. } => Some(tasks.clone()),
            _ => None,
        })
        .unwrap();
    let pos = listed
        .iter()
        .position(|t| t.raw["id"] == json!(task_id))
        .expect("the open task is listed");
    let s = r.screen();
    assert!(s.contains(&name[..name.len().min(20)]), "{s}");

    // Select it (hunting queries come first in the view) and mark it completed.
    let Some(v) = r.app.modal_as::<NotificationView>() else {
        panic!("notification view expected")
    };
    let queries = v.details().hunting_queries.len();
    r.key("g");
    for _ in 0..queries + pos {
        r.key("j");
    }
    r.key("x");
    let mark = r.log.len();
    r.settle("the reload after the update", |r| {
        let updated = r.log[mark..].iter().position(
            |u| matches!(u, Update::TaskUpdated { task_id: t, result: Ok(_), .. } if *t == task_id),
        );
        updated.is_some_and(|at| {
            r.log[mark + at..]
                .iter()
                .any(|u| matches!(u, Update::Tasks { .. }))
        })
    })
    .await;
    let reloaded = r.log[mark..]
        .iter()
        .rev()
        .find_map(|u| match u {
            Update::Tasks { tasks, .. } => Some(tasks.clone()),
            _ => None,
        })
        .unwrap();
    let t = reloaded
        .iter()
        .find(|t| t.raw["id"] == json!(task_id))
        .unwrap();
    assert_eq!(t.raw["status"], json!("completed"), "reflected on reload");
    let path = format!("/beta/security/incidentTasks/{task_id}");
    let patched: Vec<Value> = r
        .sim
        .patch_log()
        .into_iter()
        .filter(|(p, _)| *p == path)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(patched, vec![json!({"status": "completed"})]);
    let server = r.client.get_json(&path).await.unwrap();
    assert_eq!(server["status"], json!("completed"));
    r.stop().await;
}
