//! Generates the README screenshots from real screens: the embedded simulated tenant's seeded
//! data goes through the production Graph client into a Store, the console renders it into a
//! buffer, and the buffer is written as SVG (`screenshots/*.svg`).
//!
//! `cargo run --example screenshots` (then `rsvg-convert -o x.png screenshots/x.svg` to look).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use vigil::graph::model::{Incident, Timestamp, parse_page};
use vigil::sim::{FaultSpec, SimConfig};
use vigil::store::{Identity, Store};
use vigil::sync::{Update, UpsertSource};
use vigil::ui::App;
use vigil::ui::app::AppConfig;
use vigil::ui::color::ColorDepth;
use vigil::ui::svg::buffer_to_svg;
use vigil::ui::theme::{Theme, load_theme};

/// Something drawn over the page (a pane or a modal).
type Overlay<'a> = &'a dyn Fn(&mut ratatui::Frame, &Theme);

const W: u16 = 150;
const H: u16 = 42;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn chars(app: &mut App, s: &str) {
    for c in s.chars() {
        app.handle_key(key(KeyCode::Char(c)));
    }
}

async fn load_incidents() -> anyhow::Result<Vec<Incident>> {
    let demo = vigil::start::connect::demo(SimConfig {
        incidents: 120,
        live: false,
        faults: FaultSpec::default(),
        ..SimConfig::default()
    })
    .await?;
    let mut out = Vec::new();
    let mut next = Some("/v1.0/security/incidents?$expand=alerts&$top=50".to_string());
    while let Some(url) = next {
        let body = demo
            .client
            .get_json(&url)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let page = parse_page::<Incident>(body).map_err(|e| anyhow::anyhow!(e))?;
        out.extend(page.items);
        next = page.next_link;
    }
    // The Defender Experts beta fields for one notification.
    let beta = demo
        .client
        .get_json("/beta/security/incidents/1001?$expand=alerts")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Ok(i) = serde_json::from_value::<Incident>(beta) {
        out.retain(|x| x.id != i.id);
        out.push(i);
    }
    demo.sim.shutdown().await;
    Ok(out)
}

/// Runs one hunting query against a fresh simulated tenant (the same seed as the incidents).
async fn hunt_answer(query: &str) -> anyhow::Result<vigil::graph::hunting::HuntResult> {
    let demo = vigil::start::connect::demo(SimConfig {
        incidents: 120,
        live: false,
        faults: FaultSpec::default(),
        ..SimConfig::default()
    })
    .await?;
    let r = vigil::graph::hunting::run(&demo.client, query)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"));
    demo.sim.shutdown().await;
    r
}

fn new_app(incidents: &[Incident], theme: Theme) -> App {
    let mut store = Store::new(Identity::new([vigil::sim::DELEGATED_USER]));
    store.apply(Update::Incidents {
        items: incidents.to_vec(),
        source: UpsertSource::Initial,
    });
    let now = incidents
        .iter()
        .filter_map(|i| i.last_update_date_time)
        .max()
        .unwrap_or_else(Timestamp::now);
    App::new(
        store,
        AppConfig {
            theme,
            profile_label: "demo · simulated tenant".into(),
            ..AppConfig::default()
        },
        now,
    )
}

fn shoot(app: &mut App, name: &str, title: &str, overlay: Option<Overlay>) -> anyhow::Result<()> {
    let mut term = Terminal::new(TestBackend::new(W, H))?;
    let theme = app.theme().clone();
    term.draw(|f| {
        app.render(f);
        if let Some(o) = overlay {
            o(f, &theme);
        }
    })?;
    let svg = buffer_to_svg(term.backend().buffer(), title);
    let path = Path::new("screenshots").join(format!("{name}.svg"));
    std::fs::write(&path, svg)?;
    println!("wrote {}", path.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    std::fs::create_dir_all("screenshots")?;
    let incidents = load_incidents().await?;
    let theme = |name: &str| load_theme(name, None, ColorDepth::Ansi256).0;

    // Queue.
    let mut app = new_app(&incidents, theme("default"));
    shoot(&mut app, "queue", "vigil — incident queue", None)?;

    // Filter.
    app.handle_key(key(KeyCode::Char('/')));
    chars(&mut app, "sev:high powershell");
    shoot(&mut app, "filter", "vigil — filter", None)?;
    app.handle_key(key(KeyCode::Esc));

    // Incident page of the incident whose alert has the longest process chain, then that alert.
    let procs = |a: &vigil::graph::model::Alert| {
        a.evidence
            .iter()
            .filter(|e| e.odata_type == "processEvidence")
            .count()
    };
    let busy = incidents
        .iter()
        .filter(|i| i.is_open())
        .max_by_key(|i| i.alerts.iter().flatten().map(procs).max().unwrap_or(0))
        .map(|i| i.id.clone())
        .unwrap_or_else(|| "1000".into());
    app.open_incident_page(&busy);
    shoot(&mut app, "incident", "vigil — incident page", None)?;
    let alerts = app.store().alerts(&busy);
    let best = alerts
        .iter()
        .enumerate()
        .max_by_key(|(_, a)| procs(a))
        .map(|(i, _)| i)
        .unwrap_or(0);
    app.handle_key(key(KeyCode::Tab));
    for _ in 0..best {
        app.handle_key(key(KeyCode::Char('j')));
    }
    app.handle_key(key(KeyCode::Enter));
    for _ in 0..2 {
        app.handle_key(key(KeyCode::Tab));
    }
    shoot(&mut app, "alert", "vigil — alert with process tree", None)?;

    // Manage pane over the queue.
    let mut app = new_app(&incidents, theme("default"));
    let target = incidents
        .iter()
        .find(|i| i.id == busy)
        .cloned()
        .into_iter()
        .collect::<Vec<_>>();
    let pane = vigil::ui::triage::ManagePane::new(
        target,
        app.store().owners(),
        app.store().tags(),
        Some(vigil::sim::DELEGATED_USER.into()),
        vec![],
    );
    shoot(
        &mut app,
        "manage",
        "vigil — manage incident",
        Some(&|f, t| pane.render(f, f.area(), t)),
    )?;

    // Defender Experts notification and the Ask Defender Experts pane.
    if let Some(den) = incidents.iter().find(|i| i.id == "1001") {
        let view = vigil::ui::experts_ui::NotificationView::new(den, vec![]);
        shoot(
            &mut app,
            "experts-notification",
            "vigil — Defender Experts notification",
            Some(&|f, t| view.render(f, f.area(), t)),
        )?;
        let alerts: Vec<_> = den.alerts.clone().unwrap_or_default();
        let topic = vigil::experts::context::InquiryTopic::from_incident(den);
        let context = vigil::experts::context::build_context(&topic, Some(den), &alerts);
        let vars = vigil::experts::templates::vars_from(&topic, Some(den), &alerts);
        let link = topic.portal_link("https://security.microsoft.com", den.tenant_id.as_deref());
        let ask = vigil::ui::experts_ui::AskExpertsPane::new(
            topic,
            context,
            None,
            vec!["soc@contoso.com".into()],
            vec![
                vigil::experts::outbox::Channel::Portal,
                vigil::experts::outbox::Channel::IncidentComment,
                vigil::experts::outbox::Channel::Email,
            ],
            "1 of 10 inquiries used this quarter".into(),
            link,
            vars,
        );
        shoot(
            &mut app,
            "ask-experts",
            "vigil — Ask Defender Experts",
            Some(&|f, t| ask.render(f, f.area(), t)),
        )?;
    }

    // Advanced hunting: a real answer from the simulator, shown over the busy incident.
    let lines = [
        "DeviceProcessEvents",
        "| where Timestamp > ago(30d)",
        "| project Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine, InitiatingProcessFileName",
        "| order by Timestamp desc",
    ];
    let answer = hunt_answer(&lines.join("\n")).await?;
    let mut app = new_app(&incidents, theme("default"));
    app.open_incident_page(&busy);
    chars(&mut app, "H");
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            app.handle_key(key(KeyCode::Enter));
        }
        chars(&mut app, l);
    }
    let sent = app.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    if let Some(id) = sent.iter().find_map(|e| match e {
        vigil::ui::app::Effect::SendCommand(vigil::sync::Command::Hunt { id, .. }) => Some(*id),
        _ => None,
    }) {
        app.apply_update(Update::HuntResult { id, result: answer });
        shoot(&mut app, "hunt", "vigil — advanced hunting", None)?;
    }

    // Light and mono themes.
    let mut light = new_app(&incidents, theme("light"));
    shoot(&mut light, "queue-light", "vigil — light theme", None)?;
    let mut mono = new_app(&incidents, load_theme("mono", None, ColorDepth::None).0);
    mono.open_incident_page(&busy);
    shoot(&mut mono, "incident-mono", "vigil — mono theme", None)?;
    Ok(())
}
