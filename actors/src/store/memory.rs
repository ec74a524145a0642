//! In-memory stores: one mutex-guarded map per kind. Same semantics as the
//! Redis stores (atomic transitions, optimistic sessions, first-write-wins
//! idempotency), none of the durability. Each map is bounded by count and
//! age ([`MemoryLimits`]): what was written longest ago is forgotten first,
//! as Redis forgets by TTL.

use super::aging::Aging;
use super::{
    Applied, DeadLetterStore, IdempotencyStore, Opening, SessionStore, StateStore, StoreError,
    TurnWrite,
};
use crate::bus::RedisChannel;
use async_trait::async_trait;
use errand_schemas::keys::ttl;
use errand_schemas::{CommandState, DeadLetter, SessionId, SessionState, StatusUpdate, TraceId};
use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How many dead letters are kept in memory (oldest dropped first).
const MAX_DEAD_LETTERS: usize = 10_000;

/// How much the in-memory stores keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryLimits {
    /// Commands' states, and how long each is kept after its last step.
    pub commands: usize,
    pub command_ttl: Duration,
    /// Dialogue sessions, and how long each lives after its last turn.
    pub sessions: usize,
    pub session_ttl: Duration,
    /// Idempotency records (agents', REST keys, utterance ids).
    pub keys: usize,
    pub key_ttl: Duration,
}

impl Default for MemoryLimits {
    fn default() -> Self {
        Self {
            commands: crate::bounds::MEMORY_COMMANDS,
            command_ttl: Duration::from_secs(ttl::STATE_AFTER_FINAL_SECS),
            sessions: crate::bounds::MEMORY_SESSIONS,
            session_ttl: Duration::from_secs(ttl::SESSION_SECS),
            keys: crate::bounds::MEMORY_KEYS,
            key_ttl: Duration::from_secs(ttl::IDEMPOTENCY_SECS),
        }
    }
}

pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_limits(MemoryLimits::default())
    }
}

struct Inner {
    states: Aging<TraceId, CommandState>,
    /// Open commands by deadline.
    deadlines: BTreeSet<(u64, TraceId)>,
    sessions: Aging<SessionId, SessionState>,
    /// Each session's event counter (see [`super::reserve`]).
    counters: Aging<SessionId, u64>,
    idempotency: Aging<String, Vec<u8>>,
    dead_letters: Vec<DeadLetter>,
}

impl MemoryStore {
    /// Stores that keep no more than `limits` say.
    pub fn with_limits(limits: MemoryLimits) -> Self {
        Self {
            inner: Mutex::new(Inner {
                states: Aging::new(limits.commands, limits.command_ttl),
                deadlines: BTreeSet::new(),
                sessions: Aging::new(limits.sessions, limits.session_ttl),
                counters: Aging::new(limits.sessions, limits.session_ttl),
                idempotency: Aging::new(limits.keys, limits.key_ttl),
                dead_letters: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl MemoryStore {
    /// [`SessionStore::save`] of a state the caller gives up: one copy
    /// kept, the other returned.
    fn save_owned(&self, mut saved: SessionState) -> Result<SessionState, StoreError> {
        let mut inner = self.lock();
        let stored = (inner.sessions.get(&saved.session_id)).map_or(0, |s| s.version);
        if stored != saved.version {
            return Err(StoreError::Conflict);
        }
        saved.version += 1;
        if let Some(turn) = saved.last_turn.as_mut().filter(|t| t.numbered > 0) {
            turn.seq = inner.reserve(&saved.session_id, u64::from(turn.numbered));
        }
        inner
            .sessions
            .insert(saved.session_id.clone(), saved.clone());
        Ok(saved)
    }
}

impl Inner {
    /// Applies `step` to its command's state (see [`StateStore::apply`]).
    fn apply(&mut self, step: &StatusUpdate) -> Applied {
        let (mut applied, before) = match self.states.get(&step.trace_id).cloned() {
            None => (Applied::Moved(CommandState::from_first(step)), None),
            Some(mut state) => {
                let before = state.deadline_ms;
                if state.apply(step) {
                    (Applied::Moved(state), before)
                } else if super::is_duplicate(&state, step) {
                    (Applied::Duplicate(state), before)
                } else {
                    (Applied::Stale(state), before)
                }
            }
        };
        if let Applied::Moved(state) = &mut applied {
            state.seq = match step.seq {
                0 => self.reserve(&step.session_id, 1),
                reserved => reserved,
            };
            if let Some(d) = before {
                self.deadlines.remove(&(d, state.trace_id.clone()));
            }
            if let Some(d) = state.deadline_ms {
                self.deadlines.insert((d, state.trace_id.clone()));
            }
            let forgotten = self.states.insert(state.trace_id.clone(), state.clone());
            for (trace_id, state) in forgotten {
                if let Some(d) = state.deadline_ms {
                    self.deadlines.remove(&(d, trace_id));
                }
            }
        }
        applied
    }

    /// The first of `count` new event numbers of `session`.
    fn reserve(&mut self, session: &SessionId, count: u64) -> u64 {
        let last = self.counters.get(session).copied();
        let (first, last) = super::reserve(last, errand_schemas::now_ms(), count);
        self.counters.insert(session.clone(), last);
        first
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn apply(&self, step: &StatusUpdate) -> Result<Applied, StoreError> {
        Ok(self.lock().apply(step))
    }

    async fn get(&self, trace_id: &TraceId) -> Result<Option<CommandState>, StoreError> {
        Ok(self.lock().states.get(trace_id).cloned())
    }

    async fn overdue(&self, now_ms: u64, limit: usize) -> Result<Vec<CommandState>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .deadlines
            .iter()
            .take_while(|(d, _)| *d <= now_ms)
            .filter_map(|(_, t)| inner.states.get(t).cloned())
            .take(limit)
            .collect())
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn load(&self, session_id: &SessionId) -> Result<Option<SessionState>, StoreError> {
        Ok(self.lock().sessions.get(session_id).cloned())
    }

    async fn open_command(&self, session_id: &SessionId) -> Result<Option<TraceId>, StoreError> {
        Ok(self
            .lock()
            .sessions
            .get(session_id)
            .and_then(|s| s.open.as_ref().map(|o| o.trace_id.clone())))
    }

    /// As the trait's, `received` applied under the same lock, and the
    /// session's version as read (a reasoner then starts the turn from its
    /// own copy).
    async fn open_or_receive(
        &self,
        session_id: &SessionId,
        received: &StatusUpdate,
        announce: Option<(&RedisChannel, &[u8])>,
    ) -> Result<(Opening, u64), StoreError> {
        // (Nothing is announced: only Redis fans out.)
        let _ = announce;
        let mut inner = self.lock();
        let session = inner.sessions.get(session_id);
        let version = session.map_or(0, |s| s.version);
        let opening = match session.and_then(|s| s.open.as_ref()) {
            Some(open) => Opening::Open(open.trace_id.clone()),
            None => Opening::Received {
                applied: Box::new(inner.apply(received)),
                announced: false,
            },
        };
        Ok((opening, version))
    }

    async fn save(&self, state: &SessionState) -> Result<SessionState, StoreError> {
        self.save_owned(state.clone())
    }

    async fn save_turn(
        &self,
        state: SessionState,
        writes: &[TurnWrite<'_>],
    ) -> Result<(SessionState, Option<Vec<Applied>>), StoreError> {
        let _ = writes;
        Ok((self.save_owned(state)?, None))
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().idempotency.get(key).cloned())
    }

    async fn put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut inner = self.lock();
        if let Some(stored) = inner.idempotency.get(key) {
            return Ok(stored.clone());
        }
        inner.idempotency.insert(key.to_owned(), value.to_vec());
        Ok(value.to_vec())
    }
}

#[async_trait]
impl DeadLetterStore for MemoryStore {
    async fn put(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if inner.dead_letters.iter().any(|d| d.id == letter.id) {
            return Ok(());
        }
        inner.dead_letters.push(letter.clone());
        if inner.dead_letters.len() > MAX_DEAD_LETTERS {
            inner.dead_letters.remove(0);
        }
        Ok(())
    }

    async fn list(&self) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(self.lock().dead_letters.clone())
    }

    async fn get(&self, id: &str) -> Result<Option<DeadLetter>, StoreError> {
        Ok(self
            .lock()
            .dead_letters
            .iter()
            .find(|d| d.id == id)
            .cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_schemas::Status;

    fn step(status: Status, deadline: Option<u64>) -> StatusUpdate {
        StatusUpdate {
            deadline_ms: deadline,
            ..StatusUpdate::new("t1".into(), "s1".into(), "demo", status, 1)
        }
    }

    #[tokio::test]
    async fn deadlines_follow_the_state() {
        let store = MemoryStore::default();
        store
            .apply(&step(Status::Received, Some(100)))
            .await
            .unwrap();
        assert_eq!(store.overdue(100, 10).await.unwrap().len(), 1);
        assert!(matches!(
            store.apply(&step(Status::Received, None)).await.unwrap(),
            Applied::Duplicate(_)
        ));
        store.apply(&step(Status::Confirmed, None)).await.unwrap();
        assert!(store.overdue(1_000, 10).await.unwrap().is_empty());
        assert!(matches!(
            store.apply(&step(Status::Dispatched, None)).await.unwrap(),
            Applied::Stale(_)
        ));
    }

    #[tokio::test]
    async fn sessions_refuse_a_stale_save() {
        let store = MemoryStore::default();
        let fresh = SessionState::new("s".into(), "demo");
        let saved = store.save(&fresh).await.unwrap();
        assert_eq!(saved.version, 1);
        assert_eq!(store.save(&fresh).await, Err(StoreError::Conflict));
        assert_eq!(store.save(&saved).await.unwrap().version, 2);
    }

    #[tokio::test]
    async fn the_stores_forget_the_oldest_beyond_their_limits() {
        let store = MemoryStore::with_limits(MemoryLimits {
            commands: 2,
            sessions: 2,
            keys: 2,
            ..MemoryLimits::default()
        });
        for t in ["t1", "t2", "t3"] {
            let first = StatusUpdate {
                deadline_ms: Some(100),
                ..StatusUpdate::new(t.into(), "s1".into(), "demo", Status::Received, 1)
            };
            store.apply(&first).await.unwrap();
        }
        assert_eq!(StateStore::get(&store, &"t1".into()).await.unwrap(), None);
        assert!(
            StateStore::get(&store, &"t3".into())
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            store.overdue(1_000, 10).await.unwrap().len(),
            2,
            "the deadline went with it"
        );
        for s in ["a", "b", "c"] {
            store
                .save(&SessionState::new(s.into(), "demo"))
                .await
                .unwrap();
        }
        assert_eq!(store.load(&"a".into()).await.unwrap(), None);
        for k in ["k1", "k2", "k3"] {
            store.put_if_absent(k, b"v").await.unwrap();
        }
        assert_eq!(IdempotencyStore::get(&store, "k1").await.unwrap(), None);
        assert_eq!(store.put_if_absent("k3", b"w").await.unwrap(), b"v");
    }
}
