//! [`AppState`]: what every handler shares: the front door, the agents
//! and services it reaches, the stores, the limits, the node's health.

use crate::extract::Door;
use crate::front::Front;
use crate::ops::Ops;
use crate::waiters::Waiters;
use axum::extract::FromRef;
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub front: Front,
    /// What every node serves: health, readiness, metrics, the cluster,
    /// and who may come in.
    pub ops: Ops,
    /// Domain agents, found through their process groups (REST adapters).
    pub agents: errand_actors::agents::caller::AgentCaller,
    /// Payment and location, when this node runs them.
    pub services: Option<errand_actors::agents::Services>,
    pub idempotency: Arc<dyn errand_actors::store::IdempotencyStore>,
    pub keys: errand_schemas::keys::Keys,
    /// Origins browser requests that act, stream or open a socket may come
    /// from (see [`crate::origin`]; when empty, the gateway's own).
    pub allowed_origins: Vec<String>,
    /// Open sockets per client address.
    pub clients: Arc<ClientSockets>,
    /// Turns `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// Speech-to-text for audio on `/v1/ws/mic`, when configured.
    pub stt: Option<errand_actors::speech::SpeechToText>,
    /// What errand can do, for a client's first screen (`GET /v1/hello`).
    pub hello: Arc<Hello>,
    /// REST callers waiting for their command's final status.
    pub waiters: Waiters,
}

/// What a client shows before the first word: what errand can do and a few
/// things to try, from the registered domains.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Hello {
    /// "I can help with: ..."
    pub greeting: String,
    /// Things to say, one per domain.
    pub examples: Vec<String>,
    pub domains: Vec<HelloDomain>,
}

#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct HelloDomain {
    pub name: String,
    pub description: String,
}

impl Hello {
    pub fn from_registry(registry: &errand_actors::registry::DomainRegistry) -> Self {
        use errand_actors::dialogue::answers;
        Self {
            greeting: answers::abilities(registry),
            examples: answers::examples(registry),
            domains: registry
                .domains()
                .filter_map(|d| registry.spec(d))
                .map(|spec| HelloDomain {
                    name: spec.name.clone(),
                    description: spec.description.clone(),
                })
                .collect(),
        }
    }
}

/// Open sockets per client address, for the per-client limit.
#[derive(Default)]
pub struct ClientSockets {
    open: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One open socket of a client; closing it (dropping this) frees its place.
pub struct SocketPermit {
    clients: Arc<ClientSockets>,
    ip: Option<std::net::IpAddr>,
}

impl ClientSockets {
    /// A place for one more socket of `ip`, unless it holds `max` already.
    pub fn open(
        self: &Arc<Self>,
        ip: Option<std::net::IpAddr>,
        max: usize,
    ) -> Option<SocketPermit> {
        if let Some(ip) = ip {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let count = open.entry(ip).or_default();
            if *count >= max {
                return None;
            }
            *count += 1;
        }
        Some(SocketPermit {
            clients: self.clone(),
            ip,
        })
    }
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        if let Some(ip) = self.ip {
            let mut open = self.clients.open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = open.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&ip);
                }
            }
        }
    }
}

impl FromRef<AppState> for Ops {
    fn from_ref(state: &AppState) -> Ops {
        state.ops.clone()
    }
}

impl FromRef<AppState> for Door {
    fn from_ref(state: &AppState) -> Door {
        state.ops.door.clone()
    }
}
