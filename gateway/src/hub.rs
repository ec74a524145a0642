//! [`SessionHub`]: the sockets of every session on this gateway, the
//! session's event sequence (`seq`), and its recent events for replay.
//!
//! Every event for a session goes through [`SessionHub::push`], which
//! numbers it, remembers it (the last [`SESSION_REPLAY`] events) and sends it to
//! each socket of the session. Redelivered lifecycle steps (the bus delivers
//! at least once) are recognised and not shown twice. A socket whose buffer
//! is full is slow; it loses events rather than slowing the others, and can
//! ask for them again with `resume`.

use errand_schemas::{ClientEvent, ServerEvent, SessionId, Status, StatusUpdate, TraceId};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

use errand_actors::bounds::{SESSION_REPLAY, SOCKET_BUFFER};

#[derive(Default)]
struct Session {
    seq: u64,
    sockets: Vec<(u64, mpsc::Sender<ClientEvent>)>,
    recent: VecDeque<ClientEvent>,
    seen: HashSet<(TraceId, Status, u32)>,
    seen_order: VecDeque<(TraceId, Status, u32)>,
}

/// A socket's registration; dropping it leaves the session.
pub struct Subscription {
    pub session_id: SessionId,
    pub id: u64,
    pub events: mpsc::Receiver<ClientEvent>,
    hub: SessionHub,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.leave(&self.session_id, self.id);
    }
}

#[derive(Clone, Default)]
pub struct SessionHub {
    sessions: Arc<Mutex<HashMap<SessionId, Session>>>,
    errors: Arc<Mutex<std::collections::BTreeMap<&'static str, u64>>>,
    next_id: Arc<AtomicU64>,
    sockets: Arc<AtomicU64>,
}

impl SessionHub {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SessionId, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a socket on `session_id`.
    pub fn join(&self, session_id: &SessionId) -> Subscription {
        let (tx, rx) = mpsc::channel(SOCKET_BUFFER);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(session_id.clone())
            .or_default()
            .sockets
            .push((id, tx));
        self.sockets.fetch_add(1, Ordering::Relaxed);
        Subscription {
            session_id: session_id.clone(),
            id,
            events: rx,
            hub: self.clone(),
        }
    }

    fn leave(&self, session_id: &SessionId, id: u64) {
        let mut sessions = self.lock();
        if let Some(s) = sessions.get_mut(session_id) {
            s.sockets.retain(|(sid, _)| *sid != id);
        }
        self.sockets.fetch_sub(1, Ordering::Relaxed);
    }

    /// Open sockets on this gateway.
    pub fn socket_count(&self) -> u64 {
        self.sockets.load(Ordering::Relaxed)
    }

    /// Pushes one lifecycle step (its `status` event, then its `reply`),
    /// unless this step was pushed before (a redelivery).
    pub fn push_step(&self, update: &StatusUpdate) {
        {
            let mut sessions = self.lock();
            let session = sessions.entry(update.session_id.clone()).or_default();
            let key = (update.trace_id.clone(), update.status, update.turn);
            if !session.seen.insert(key.clone()) {
                return;
            }
            session.seen_order.push_back(key);
            if session.seen_order.len() > SESSION_REPLAY
                && let Some(old) = session.seen_order.pop_front()
            {
                session.seen.remove(&old);
            }
        }
        for event in ServerEvent::from_status(update) {
            self.push(&update.session_id, event, None);
        }
    }

    /// Error events sent so far, by code.
    pub fn errors_by_code(&self) -> Vec<(&'static str, u64)> {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect()
    }

    /// Numbers `event` and sends it to every socket of the session (or only
    /// to socket `only`).
    pub fn push(
        &self,
        session_id: &SessionId,
        event: ServerEvent,
        only: Option<u64>,
    ) -> ClientEvent {
        if let ServerEvent::Error { code, .. } = &event {
            *self
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(code.as_str())
                .or_default() += 1;
        }
        let mut sessions = self.lock();
        let session = sessions.entry(session_id.clone()).or_default();
        session.seq += 1;
        let numbered = ClientEvent {
            seq: session.seq,
            event,
        };
        session.recent.push_back(numbered.clone());
        if session.recent.len() > SESSION_REPLAY {
            session.recent.pop_front();
        }
        for (id, tx) in &session.sockets {
            if only.is_some_and(|o| o != *id) {
                continue;
            }
            if tx.try_send(numbered.clone()).is_err() {
                tracing::warn!(session_id = %session_id, socket = id, "slow socket dropped an event");
            }
        }
        numbered
    }

    /// The session's remembered events after `after_seq`.
    pub fn replay(&self, session_id: &SessionId, after_seq: u64) -> Vec<ClientEvent> {
        self.lock()
            .get(session_id)
            .map(|s| {
                s.recent
                    .iter()
                    .filter(|e| e.seq > after_seq)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}
