//! The embedded simulated tenant: a loopback HTTP server that speaks the real Microsoft Graph
//! security and Entra ID token wire formats, so `vigil --demo`, tests and benchmarks exercise
//! the production client. It deliberately shares no code with `crate::graph`.
//!
//! Routes (login and Graph share one base URL):
//! `POST /{tenant}/oauth2/v2.0/token`, `POST /{tenant}/oauth2/v2.0/devicecode`,
//! `GET /{tenant}/v2.0/.well-known/openid-configuration`;
//! under `/v1.0` and `/beta`: `security/incidents[/{id}[/comments|/alerts]]`,
//! `security/alerts_v2[/{id}[/comments]]`, `users/{id}/sendMail`, `me/sendMail`, `{users/{id},me}/mailFolders/sentitems/messages`, `me`;
//! beta only: `security/incidentTasks[/{id}]`;
//! control: `/_sim/stats`, `/_sim/mail`, `/_sim/tick`, `/_sim/approve?user_code=`,
//! `/_sim/faults`, `/_sim/device`.

mod auth;
mod control;
mod evidence;
mod faults;
mod generate;
mod graph_mw;
mod http;
mod hunt;
mod live;
mod mail;
mod model;
mod odata;
mod pools;
mod render;
mod routes;
mod state;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use auth::{DELEGATED_USER, DEVICE_CODE_INTERVAL};
pub use faults::FaultSpec;

use graph_mw::G;
use render::Ver;
use state::{AuthState, FaultState, Shared, Tenant, lock};

/// Tenant id of the simulated tenant.
pub const DEMO_TENANT_ID: &str = "8d2e1f0c-5b7a-4c3e-9f61-2a4b6c8d0e1f";
/// Application (client) id registered in the simulated tenant.
pub const DEMO_CLIENT_ID: &str = "5f0c9a7e-3d21-4b8e-a6f4-0e9d8c7b6a51";
/// Client secret accepted by the simulated tenant (public, demo only).
pub const DEMO_CLIENT_SECRET: &str = "vigil-demo-secret";

/// Configuration of a simulated tenant.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Number of incidents generated at start.
    pub incidents: usize,
    /// Seed for all generated data.
    pub seed: u64,
    /// Faults to inject on Graph routes.
    pub faults: FaultSpec,
    /// Run "other analyst" activity in the background.
    pub live: bool,
    /// Time between two rounds of live activity.
    pub activity_every: Duration,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// `expires_in` of issued access tokens.
    pub token_lifetime: Duration,
    /// Largest page a list returns (`$top` is clamped to it); also the default page size.
    pub max_page: usize,
    /// Approve device codes on their second poll without user action.
    pub auto_approve_device_code: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            incidents: 300,
            seed: 7,
            faults: FaultSpec::default(),
            live: true,
            activity_every: Duration::from_secs(20),
            tenant_id: DEMO_TENANT_ID.into(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            token_lifetime: Duration::from_secs(3600),
            max_page: 100,
            auto_approve_device_code: false,
        }
    }
}

/// Request counters of a running simulator.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SimStats {
    /// All requests except `/_sim/`.
    pub requests: u64,
    /// Requests per `"METHOD /route/{param}"`.
    pub by_route: BTreeMap<String, u64>,
    /// Successful PATCHes (incidents, alerts, tasks).
    pub patches: u64,
    /// Successful comment POSTs.
    pub comments_posted: u64,
    /// 429 responses sent.
    pub throttled: u64,
    /// Faults of any kind injected.
    pub faults_injected: u64,
    /// Calls to the token and devicecode endpoints.
    pub token_requests: u64,
}

/// A running simulator. Dropping it leaves the server running until the runtime ends;
/// call [`SimHandle::shutdown`] to stop it.
pub struct SimHandle {
    /// Bound address (the real port when started with port 0).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    server: JoinHandle<()>,
    live: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT`: both the Graph base (append `/v1.0`) and the login base.
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    /// Snapshot of the request counters.
    pub fn stats(&self) -> SimStats {
        lock(&self.shared.stats).clone()
    }

    /// Mail accepted by `sendMail`, oldest first.
    pub fn sent_mail(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.mail).clone()
    }

    /// Every successful PATCH (incidents, alerts, tasks) as `(path, body)`, oldest first; the
    /// path is `/{v1.0|beta}/security/{collection}/{id}` and the body is the JSON received.
    pub fn patch_log(&self) -> Vec<(String, serde_json::Value)> {
        lock(&self.shared.patch_log).clone()
    }

    /// Replaces the fault spec (also resets the 429 burst counter to `f.burst_429`).
    pub fn set_faults(&self, f: FaultSpec) {
        let mut st = lock(&self.shared.faults);
        st.burst_left = f.burst_429;
        st.spec = f;
    }

    /// Approves a pending device code by its user code; false if none matches.
    pub fn approve_device_code(&self, user_code: &str) -> bool {
        auth::approve(&self.shared, user_code)
    }

    /// Every incident's id and `lastUpdateDateTime` as the Graph API renders them now.
    pub fn incident_versions(&self) -> Vec<(String, String)> {
        lock(&self.shared.tenant)
            .incidents
            .iter()
            .map(|i| (i.id.to_string(), i.last_update.render()))
            .collect()
    }

    /// Every alert's id and `lastUpdateDateTime` as the Graph API renders them now.
    pub fn alert_versions(&self) -> Vec<(String, String)> {
        lock(&self.shared.tenant)
            .incidents
            .iter()
            .flat_map(|i| i.alerts.iter())
            .map(|a| (a.id.clone(), a.last_update.render()))
            .collect()
    }

    /// Applies one round of "other analyst" activity now.
    pub fn tick_activity(&self) {
        live::tick(&mut lock(&self.shared.tenant));
    }

    /// Stops the server and the activity task.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        if let Some(l) = self.live {
            l.abort();
        }
        let abort = self.server.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), self.server)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

fn graph_router(shared: Arc<Shared>, ver: Ver) -> Router {
    let g = G { shared, ver };
    let mut r = Router::new()
        .route("/security/incidents", get(routes::list_incidents))
        .route("/security/incidents/$count", get(routes::count_incidents))
        .route(
            "/security/incidents/{id}",
            get(routes::get_incident).patch(routes::patch_incident),
        )
        .route(
            "/security/incidents/{id}/comments",
            post(routes::post_incident_comment),
        )
        .route(
            "/security/incidents/{id}/alerts",
            get(routes::incident_alerts),
        )
        .route("/security/alerts_v2", get(routes::list_alerts))
        .route(
            "/security/alerts_v2/{id}",
            get(routes::get_alert).patch(routes::patch_alert),
        )
        .route(
            "/security/alerts_v2/{id}/comments",
            post(routes::post_alert_comment),
        )
        .route("/users/{id}/sendMail", post(mail::send_user))
        .route("/me/sendMail", post(mail::send_me))
        .route(
            "/users/{id}/mailFolders/sentitems/messages",
            get(mail::sent_items_user),
        )
        .route(
            "/me/mailFolders/sentitems/messages",
            get(mail::sent_items_me),
        )
        .route("/me", get(mail::me))
        .route("/security/runHuntingQuery", post(hunt::run_hunting_query));
    if ver == Ver::Beta {
        r = r
            .route("/security/incidentTasks", get(routes::list_tasks))
            .route(
                "/security/incidentTasks/{id}",
                get(routes::get_task).patch(routes::patch_task),
            );
    }
    r.fallback(segment_not_found)
        .layer(axum::middleware::from_fn_with_state(
            g.clone(),
            graph_mw::graph_mw,
        ))
        .with_state(g)
}

async fn segment_not_found(
    axum::Extension(ids): axum::Extension<http::ReqIds>,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let seg = uri.path().rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    http::bad_request(
        &format!("Resource not found for the segment '{seg}'."),
        &ids,
    )
}

fn app(shared: Arc<Shared>) -> Router {
    let login = Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(auth::token))
        .route("/{tenant}/oauth2/v2.0/devicecode", post(auth::devicecode))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(auth::openid),
        )
        .route("/_sim/stats", get(control::stats))
        .route("/_sim/mail", get(control::mail))
        .route("/_sim/tick", post(control::tick))
        .route("/_sim/approve", post(control::approve))
        .route("/_sim/faults", post(control::set_faults))
        .route(
            "/_sim/device",
            get(control::device_page).post(control::device_submit),
        )
        .with_state(shared.clone());
    Router::new()
        .nest("/v1.0", graph_router(shared.clone(), Ver::V1))
        .nest("/beta", graph_router(shared.clone(), Ver::Beta))
        .merge(login)
        .layer(axum::middleware::from_fn_with_state(
            shared,
            http::ids_and_stats,
        ))
}

/// Starts a simulator on `listen` (port 0 picks a free port) and returns at once.
pub async fn start(cfg: SimConfig, listen: SocketAddr) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let anchor = jiff::Timestamp::now().as_second();
    let tenant = Tenant::new(cfg.seed, cfg.incidents, anchor);
    let faults = FaultState {
        burst_left: cfg.faults.burst_429,
        spec: cfg.faults.clone(),
        rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0xFA17),
    };
    let shared = Arc::new(Shared {
        cfg: cfg.clone(),
        addr,
        tenant: Mutex::new(tenant),
        auth: Mutex::new(AuthState::default()),
        faults: Mutex::new(faults),
        stats: Mutex::new(SimStats::default()),
        mail: Mutex::new(Vec::new()),
        patch_log: Mutex::new(Vec::new()),
    });
    let cancel = CancellationToken::new();
    let router = app(shared.clone());
    let stop = cancel.clone();
    let server = tokio::spawn(async move {
        let r = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(e) = r {
            tracing::warn!("simulated tenant stopped: {e}");
        }
    });
    let live = if cfg.live && !cfg.activity_every.is_zero() {
        let s = shared.clone();
        let every = cfg.activity_every;
        let stop = cancel.clone();
        Some(tokio::spawn(async move {
            let mut iv = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = iv.tick() => live::tick(&mut lock(&s.tenant)),
                }
            }
        }))
    } else {
        None
    };
    Ok(SimHandle {
        addr,
        shared,
        cancel,
        server,
        live,
    })
}

/// Runs a simulator until Ctrl-C or SIGTERM, printing the base URL and demo credentials
/// hint to stderr.
pub async fn run_standalone(cfg: SimConfig, listen: SocketAddr) -> anyhow::Result<()> {
    let demo_secret = cfg.client_secret == DEMO_CLIENT_SECRET;
    let (tenant, client, n, faults) = (
        cfg.tenant_id.clone(),
        cfg.client_id.clone(),
        cfg.incidents,
        cfg.faults.to_string(),
    );
    let h = start(cfg, listen).await?;
    let base = h.base_url();
    eprintln!("vigil simulated tenant listening on {base} ({n} incidents, faults: {faults})");
    eprintln!("  VIGIL_GRAPH_URL={base} VIGIL_LOGIN_URL={base}");
    eprintln!("  VIGIL_TENANT_ID={tenant} VIGIL_CLIENT_ID={client}");
    if demo_secret {
        eprintln!(
            "  client secret: the public demo secret '{DEMO_CLIENT_SECRET}' (set VIGIL_CLIENT_SECRET)"
        );
    } else {
        eprintln!("  client secret: the custom secret you configured");
    }
    eprintln!("  device code sign-in: open {base}/_sim/device; stats at {base}/_sim/stats");
    wait_for_signal().await;
    eprintln!("vigil simulated tenant: shutting down");
    h.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
