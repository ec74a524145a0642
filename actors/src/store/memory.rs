//! In-memory stores: one mutex-guarded map per kind. Same semantics as the
//! Redis stores (atomic transitions, optimistic sessions, first-write-wins
//! idempotency), none of the durability.

use super::{Applied, DeadLetterStore, IdempotencyStore, SessionStore, StateStore, StoreError};
use async_trait::async_trait;
use errand_schemas::{CommandState, DeadLetter, SessionId, SessionState, StatusUpdate, TraceId};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

/// How many dead letters are kept in memory (oldest dropped first).
const MAX_DEAD_LETTERS: usize = 10_000;

#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    states: HashMap<TraceId, CommandState>,
    /// Open commands by deadline.
    deadlines: BTreeSet<(u64, TraceId)>,
    sessions: HashMap<SessionId, SessionState>,
    idempotency: HashMap<String, Vec<u8>>,
    dead_letters: Vec<DeadLetter>,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn apply(&self, step: &StatusUpdate) -> Result<Applied, StoreError> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let (applied, before) = match inner.states.get_mut(&step.trace_id) {
            None => {
                let state = CommandState::from_first(step);
                inner.states.insert(step.trace_id.clone(), state.clone());
                (Applied::Moved(state), None)
            }
            Some(state) => {
                let before = state.deadline_ms;
                if state.apply(step) {
                    (Applied::Moved(state.clone()), before)
                } else if state.status == step.status && state.turn == step.turn {
                    (Applied::Duplicate(state.clone()), before)
                } else {
                    (Applied::Stale(state.clone()), before)
                }
            }
        };
        if let Applied::Moved(state) = &applied {
            if let Some(d) = before {
                inner.deadlines.remove(&(d, state.trace_id.clone()));
            }
            if let Some(d) = state.deadline_ms {
                inner.deadlines.insert((d, state.trace_id.clone()));
            }
        }
        Ok(applied)
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

    async fn save(&self, state: &SessionState) -> Result<SessionState, StoreError> {
        let mut inner = self.lock();
        let stored = inner
            .sessions
            .get(&state.session_id)
            .map(|s| s.version)
            .unwrap_or(0);
        if stored != state.version {
            return Err(StoreError::Conflict);
        }
        let mut saved = state.clone();
        saved.version += 1;
        inner
            .sessions
            .insert(state.session_id.clone(), saved.clone());
        Ok(saved)
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.lock().idempotency.get(key).cloned())
    }

    async fn put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .lock()
            .idempotency
            .entry(key.to_owned())
            .or_insert_with(|| value.to_vec())
            .clone())
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
}
