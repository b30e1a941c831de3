//! Shared mutable state of a running simulator.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use super::faults::FaultSpec;
use super::generate::{self, BASE_ID};
use super::model::{Incident, Task};
use super::{SimConfig, SimStats};

/// Locks a mutex, recovering the data if a holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Who a token belongs to.
#[derive(Clone, Debug)]
pub struct Identity {
    /// UPN for delegated tokens, client id for app tokens.
    pub name: String,
    pub delegated: bool,
}

impl Identity {
    /// Value written to `lastModifiedBy`.
    pub fn modified_by(&self) -> String {
        format!("API-App:{}", self.name)
    }
}

/// An issued access token.
pub struct Token {
    pub identity: Identity,
    pub issued: Instant,
    pub expires: Instant,
}

/// A pending device-code sign-in.
pub struct DeviceCode {
    pub user_code: String,
    pub scope: String,
    pub expires: Instant,
    pub interval_secs: u64,
    pub last_poll: Option<Instant>,
    pub polls: u32,
    pub approved: bool,
}

/// Token-endpoint state.
#[derive(Default)]
pub struct AuthState {
    pub tokens: HashMap<String, Token>,
    pub refresh: HashMap<String, Identity>,
    pub device_codes: HashMap<String, DeviceCode>,
}

/// Fault spec plus its random source and burst counter.
pub struct FaultState {
    pub spec: FaultSpec,
    pub rng: ChaCha8Rng,
    pub burst_left: u32,
}

impl FaultState {
    /// Draws with probability `p`.
    pub fn roll(&mut self, p: f64) -> bool {
        use rand::Rng;
        p > 0.0 && self.rng.random::<f64>() < p
    }
}

/// The tenant's data.
pub struct Tenant {
    pub incidents: Vec<Incident>,
    pub alert_idx: HashMap<String, (usize, usize)>,
    pub tasks: Vec<Task>,
    pub live_rng: ChaCha8Rng,
    pub rounds: u64,
}

impl Tenant {
    /// Generates the tenant.
    pub fn new(seed: u64, n: usize, anchor_secs: i64) -> Tenant {
        let g = generate::generate(seed, n, anchor_secs);
        let mut t = Tenant {
            incidents: g.incidents,
            alert_idx: HashMap::new(),
            tasks: g.tasks,
            live_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_AC71_u64),
            rounds: 0,
        };
        t.reindex();
        t
    }

    /// Rebuilds the alert id index.
    pub fn reindex(&mut self) {
        self.alert_idx.clear();
        for (i, inc) in self.incidents.iter().enumerate() {
            for (j, a) in inc.alerts.iter().enumerate() {
                self.alert_idx.insert(a.id.clone(), (i, j));
            }
        }
    }

    /// Vector index of incident `id` (ids are sequential from `BASE_ID`).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        let n: u64 = id.trim().parse().ok()?;
        let i = usize::try_from(n.checked_sub(BASE_ID)?).ok()?;
        (i < self.incidents.len()).then_some(i)
    }

    /// Id for the next new incident.
    pub fn next_id(&self) -> u64 {
        BASE_ID + self.incidents.len() as u64
    }
}

/// Everything a running simulator shares between requests.
pub struct Shared {
    pub cfg: SimConfig,
    pub addr: SocketAddr,
    pub tenant: Mutex<Tenant>,
    pub auth: Mutex<AuthState>,
    pub faults: Mutex<FaultState>,
    pub stats: Mutex<SimStats>,
    pub mail: Mutex<Vec<Value>>,
    /// Every successful PATCH: (request path, body as received), oldest first.
    pub patch_log: Mutex<Vec<(String, Value)>>,
}

impl Shared {
    /// Records a successful PATCH body (for tests asserting exactly what was sent).
    pub fn record_patch(&self, path: String, body: &[u8]) {
        let v = serde_json::from_slice(body).unwrap_or(Value::Null);
        lock(&self.patch_log).push((path, v));
    }
}

impl Shared {
    /// `http://127.0.0.1:PORT` (unspecified listen addresses map to loopback).
    pub fn base_url(&self) -> String {
        let mut a = self.addr;
        if a.ip().is_unspecified() {
            a.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{a}")
    }
}
