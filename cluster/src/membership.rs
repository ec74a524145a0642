//! What this node knows of the cluster: every peer it has heard from, its
//! roles, its protocol version, when it last answered a heartbeat, and
//! whether it is up, suspected down (silent past the timeout: a hung or
//! stopped process, not only a closed socket), gone, or refused.

use ractor::BytesConvertable;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The cluster protocol: nodes exchange it in every heartbeat and refuse a
/// peer that speaks another, so a rolling upgrade never garbles messages.
/// Bump it when a message that crosses nodes changes shape.
pub const PROTOCOL_VERSION: u32 = 4;

/// What a node says of itself in each heartbeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub name: String,
    pub roles: Vec<String>,
    pub protocol: u32,
    /// The cluster address peers reach it on.
    pub cluster_addr: String,
    /// Its HTTP address, when it serves one.
    pub http: Option<String>,
    pub started_ms: u64,
}

/// An announcement on the wire: JSON, and `None` when unreadable (a peer of
/// another version), never a panic.
#[derive(Clone, Debug)]
pub struct WireAnnouncement(pub Option<Announcement>);

impl BytesConvertable for WireAnnouncement {
    fn into_bytes(self) -> Vec<u8> {
        serde_json::to_vec(&self.0).unwrap_or_default()
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(serde_json::from_slice(&bytes).ok().flatten())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Answered within the timeout.
    Up,
    /// Connected but silent past the timeout: its agents are skipped.
    Suspect,
    /// Speaks another protocol version: disconnected.
    Refused,
}

#[derive(Clone, Debug, Serialize)]
pub struct Peer {
    #[serde(flatten)]
    pub announcement: Announcement,
    /// The id this node's cluster layer gives the peer's session.
    #[serde(skip)]
    pub node_id: u64,
    pub health: Health,
    pub last_heartbeat_ms: u64,
}

/// The shared view: written by the heartbeat actor, read by the router (to
/// skip agents) and by `GET /v1/cluster`.
#[derive(Clone, Default)]
pub struct Membership {
    inner: Arc<Mutex<View>>,
}

#[derive(Default)]
struct View {
    me: Option<Announcement>,
    peers: BTreeMap<String, Peer>,
}

impl Membership {
    pub fn new(me: Announcement) -> Self {
        let membership = Self::default();
        membership.lock().me = Some(me);
        membership
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, View> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn me(&self) -> Option<Announcement> {
        self.lock().me.clone()
    }

    /// A heartbeat answered by `node_id`. Returns the previous health (None
    /// for a peer heard for the first time).
    pub fn heard(&self, node_id: u64, announcement: Announcement, now_ms: u64) -> Option<Health> {
        let mut view = self.lock();
        let health = if announcement.protocol == PROTOCOL_VERSION {
            Health::Up
        } else {
            Health::Refused
        };
        let previous = view.peers.get(&announcement.name).map(|p| p.health);
        // A node that comes back has a new session id: the name is the key.
        view.peers.insert(
            announcement.name.clone(),
            Peer {
                announcement,
                node_id,
                health,
                last_heartbeat_ms: now_ms,
            },
        );
        previous
    }

    /// Marks peers silent for longer than `timeout_ms` as suspect; returns
    /// the names newly suspected.
    pub fn expire(&self, now_ms: u64, timeout_ms: u64) -> Vec<String> {
        let mut view = self.lock();
        let mut newly = Vec::new();
        for (name, peer) in &mut view.peers {
            if peer.health == Health::Up
                && now_ms.saturating_sub(peer.last_heartbeat_ms) > timeout_ms
            {
                peer.health = Health::Suspect;
                newly.push(name.clone());
            }
        }
        newly
    }

    /// Suspected peers silent for longer than `after_ms`: their sessions
    /// are closed, so they are dialled again (a connection that lost its
    /// way, a half-open socket, may otherwise linger for the kernel's
    /// quarter of an hour).
    pub fn long_silent(&self, now_ms: u64, after_ms: u64) -> Vec<(u64, String)> {
        let view = self.lock();
        (view.peers.iter())
            .filter(|(_, p)| {
                p.health == Health::Suspect && now_ms.saturating_sub(p.last_heartbeat_ms) > after_ms
            })
            .map(|(name, p)| (p.node_id, name.clone()))
            .collect()
    }

    /// The session to `node_id` closed: the peer left the cluster (if it
    /// comes back, it is heard again under a new session id).
    pub fn gone(&self, node_id: u64) -> Option<String> {
        let mut view = self.lock();
        let name = view
            .peers
            .iter()
            .find(|(_, p)| p.node_id == node_id && p.health != Health::Refused)
            .map(|(name, _)| name.clone())?;
        view.peers.remove(&name);
        Some(name)
    }

    /// Whether agents on `node_id` may be called: only on a peer that is up
    /// (or not heard from yet: a just-connected peer gets a first chance).
    pub fn usable(&self, node_id: u64) -> bool {
        let view = self.lock();
        view.peers
            .values()
            .filter(|p| p.node_id == node_id)
            .all(|p| p.health == Health::Up)
    }

    /// The node and its peers, for `GET /v1/cluster` and `errand cluster
    /// status`.
    pub fn status(&self, now_ms: u64) -> serde_json::Value {
        let view = self.lock();
        let mut nodes = Vec::new();
        if let Some(me) = &view.me {
            let mut entry = serde_json::to_value(me).unwrap_or_default();
            entry["health"] = "up".into();
            entry["self"] = true.into();
            entry["last_heartbeat_ms"] = now_ms.into();
            nodes.push(entry);
        }
        for peer in view.peers.values() {
            let mut entry = serde_json::to_value(peer).unwrap_or_default();
            entry["self"] = false.into();
            entry["heartbeat_age_ms"] = now_ms.saturating_sub(peer.last_heartbeat_ms).into();
            nodes.push(entry);
        }
        serde_json::json!({ "protocol": PROTOCOL_VERSION, "nodes": nodes })
    }

    /// The ids of the peers whose sessions should be closed (refused).
    pub fn refused_ids(&self) -> Vec<u64> {
        self.lock()
            .peers
            .values()
            .filter(|p| p.health == Health::Refused)
            .map(|p| p.node_id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, protocol: u32) -> Announcement {
        Announcement {
            name: name.into(),
            roles: vec!["agents".into()],
            protocol,
            cluster_addr: "127.0.0.1:1".into(),
            http: None,
            started_ms: 0,
        }
    }

    #[test]
    fn a_silent_peer_is_suspected_and_skipped_until_it_answers_again() {
        let m = Membership::new(node("me", PROTOCOL_VERSION));
        assert!(m.usable(7), "a peer not yet heard from gets a chance");
        m.heard(7, node("b", PROTOCOL_VERSION), 1_000);
        assert!(m.usable(7));
        assert!(m.expire(3_000, 3_000).is_empty());
        assert_eq!(m.expire(4_500, 3_000), ["b"]);
        assert!(!m.usable(7));
        assert_eq!(
            m.heard(7, node("b", PROTOCOL_VERSION), 5_000),
            Some(Health::Suspect)
        );
        assert!(m.usable(7));
        // It leaves, and restarts: a new session id under the same name.
        assert_eq!(m.gone(7).as_deref(), Some("b"));
        assert_eq!(m.status(5_500)["nodes"].as_array().map(Vec::len), Some(1));
        m.heard(9, node("b", PROTOCOL_VERSION), 6_000);
        assert!(m.usable(9));
        let status = m.status(6_000);
        assert_eq!(status["nodes"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn a_peer_silent_long_past_the_timeout_is_to_be_dialled_again() {
        let m = Membership::new(node("me", PROTOCOL_VERSION));
        m.heard(7, node("b", PROTOCOL_VERSION), 1_000);
        m.heard(8, node("c", PROTOCOL_VERSION), 1_000);
        m.expire(4_500, 3_000);
        m.heard(8, node("c", PROTOCOL_VERSION), 9_000);
        assert!(m.long_silent(9_000, 9_000).is_empty(), "not yet");
        assert_eq!(m.long_silent(10_001, 9_000), [(7, "b".to_owned())]);
    }

    #[test]
    fn another_protocol_version_is_refused() {
        let m = Membership::new(node("me", PROTOCOL_VERSION));
        m.heard(3, node("old", PROTOCOL_VERSION + 1), 0);
        assert!(!m.usable(3));
        assert_eq!(m.refused_ids(), [3]);
        assert!(
            WireAnnouncement::from_bytes(b"garbage".to_vec())
                .0
                .is_none()
        );
    }
}
