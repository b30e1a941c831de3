//! Building a signed-in Graph client: from a profile (real tenant) or from the embedded
//! simulated tenant (`--demo`). Both go through the same `graph::Client` code path.

use crate::graph::auth::{AuthConfig, Authenticator, Credential};
use crate::graph::client::{Client, ClientConfig};
use crate::graph::error::GraphError;
use crate::sim::{self, SimConfig, SimHandle};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

/// Everything needed to reach one tenant.
pub struct ConnectSpec {
    pub graph_url: Url,
    pub login_url: Url,
    pub tenant_id: String,
    pub client_id: String,
    pub scope: String,
    pub credential: Credential,
    pub token_cache: Option<PathBuf>,
    pub budget_per_minute: u32,
}

/// Builds the authenticator and client (no network yet: the first request signs in).
pub fn client(spec: ConnectSpec) -> Result<Client, GraphError> {
    client_with_timeout(spec, None)
}

/// As [`client`], with a whole-request timeout other than the default (`[sync]
/// request_timeout_secs`).
pub fn client_with_timeout(
    spec: ConnectSpec,
    timeout: Option<std::time::Duration>,
) -> Result<Client, GraphError> {
    let defaults = ClientConfig::default();
    let cfg = ClientConfig {
        graph_url: spec.graph_url,
        budget_per_minute: spec.budget_per_minute,
        timeout: timeout.unwrap_or(defaults.timeout),
        ..defaults
    };
    let http = cfg.http_client()?;
    let auth = Arc::new(Authenticator::new(
        AuthConfig {
            login_url: spec.login_url,
            tenant_id: spec.tenant_id,
            client_id: spec.client_id,
            scope: spec.scope,
            credential: spec.credential,
            cache_path: spec.token_cache,
        },
        http,
    ));
    Client::new(cfg, auth)
}

/// A running demo: the simulated tenant on loopback and a client signed in to it with client
/// credentials (the demo secret never leaves the process).
pub struct Demo {
    pub sim: SimHandle,
    pub client: Client,
    pub tenant_id: String,
}

/// Starts the simulated tenant on an ephemeral loopback port and connects to it.
pub async fn demo(cfg: SimConfig) -> anyhow::Result<Demo> {
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let tenant_id = cfg.tenant_id.clone();
    let client_id = cfg.client_id.clone();
    let secret = cfg.client_secret.clone();
    let sim = sim::start(cfg, listen).await?;
    let base = Url::parse(&sim.base_url())?;
    let client = client(ConnectSpec {
        graph_url: base.clone(),
        login_url: base.clone(),
        tenant_id: tenant_id.clone(),
        client_id,
        scope: crate::config::Cloud::Global.graph_scope().to_owned(),
        credential: Credential::ClientSecret(secret.into()),
        token_cache: None,
        budget_per_minute: 0,
    })
    .map_err(|e| anyhow::anyhow!("demo client: {e}"))?;
    Ok(Demo {
        sim,
        client,
        tenant_id,
    })
}
