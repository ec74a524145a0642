//! The stores behind traits: command state, dialogue sessions, idempotency
//! records and dead letters. The embedded default keeps them in memory
//! ([`memory`]); production keeps them in Redis. Actors only see the traits.

pub mod aging;
pub mod memory;
pub mod redis;

use crate::bus::RedisChannel;
use async_trait::async_trait;
use errand_schemas::{CommandState, DeadLetter, SessionId, SessionState, StatusUpdate, TraceId};
use std::sync::Arc;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    /// The store cannot be reached (or did not answer in time).
    #[error("state store unavailable: {0}")]
    Unavailable(String),
    /// Optimistic concurrency: someone saved in between.
    #[error("concurrent update")]
    Conflict,
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

/// The session's event counter: `count` more numbers after `last` (the
/// last one given, if the counter exists), as `(first, new last)`. A new
/// counter starts at the clock in ms, so a counter that was forgotten (or a
/// store that lost it) starts above the numbers it gave before, unless the
/// session had more events than milliseconds passed.
pub fn reserve(last: Option<u64>, now_ms: u64, count: u64) -> (u64, u64) {
    let first = last.map_or(now_ms.max(1), |l| l + 1);
    (first, first + count.max(1) - 1)
}

/// Whether `step`, which did not move `state`, is a redelivery of the step
/// that brought it there: the same status in the same turn, or the same
/// final status in any (a result's final step does not know its
/// dialogue's turn, [`crate::recorder::final_step`], and must be announced
/// again when it is recorded again). Redis's script has the same rule.
pub fn is_duplicate(state: &CommandState, step: &StatusUpdate) -> bool {
    state.status == step.status && (state.turn == step.turn || step.status.is_final())
}

/// What applying a step did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The step moved the command forward.
    Moved(CommandState),
    /// The step was already applied (a redelivery): same status and turn.
    Duplicate(CommandState),
    /// The step would move the command backwards; nothing changed.
    Stale(CommandState),
}

impl Applied {
    pub fn state(&self) -> &CommandState {
        match self {
            Applied::Moved(s) | Applied::Duplicate(s) | Applied::Stale(s) => s,
        }
    }

    /// Whether the step should be announced (again): it moved the command,
    /// or it is a redelivery of the step that did.
    pub fn announce(&self) -> bool {
        matches!(self, Applied::Moved(_) | Applied::Duplicate(_))
    }
}

/// The lifecycle of every command (`state:{trace_id}`).
#[async_trait]
pub trait StateStore: Send + Sync + 'static {
    /// Applies `step` atomically under the one transition rule
    /// ([`CommandState::apply`]).
    async fn apply(&self, step: &StatusUpdate) -> Result<Applied, StoreError>;

    /// As [`StateStore::apply`], and when the step counts
    /// ([`Applied::announce`]) publishes `record` (the step's topic record,
    /// without its event number) on `channel` in the same round trip, with
    /// the number the store gave the step. Returns whether it published: a
    /// store that cannot (the default) leaves the announcement to the bus.
    async fn apply_announcing(
        &self,
        step: &StatusUpdate,
        channel: &RedisChannel,
        record: &[u8],
    ) -> Result<(Applied, bool), StoreError> {
        let _ = (channel, record);
        Ok((self.apply(step).await?, false))
    }

    /// Applies `step` (announcing it as [`StateStore::apply_announcing`]
    /// does when `announce` is given) only if `guard` lets it, judged on
    /// `kept`'s records: the agent host's "has this command a first result
    /// already?" and "keep this result first" with the step each goes with.
    /// A store whose own idempotency records `kept` is does both in one
    /// round trip, atomically; the default makes two calls.
    async fn apply_guarded(
        &self,
        kept: &dyn IdempotencyStore,
        guard: Guard<'_>,
        step: &StatusUpdate,
        announce: Option<(&RedisChannel, &[u8])>,
    ) -> Result<Guarded, StoreError> {
        apply_guarded_in_two(self, kept, guard, step, announce).await
    }

    async fn get(&self, trace_id: &TraceId) -> Result<Option<CommandState>, StoreError>;

    /// Open commands whose deadline is at or before `now_ms`, oldest first.
    async fn overdue(&self, now_ms: u64, limit: usize) -> Result<Vec<CommandState>, StoreError>;

    /// Whether the store is reachable.
    async fn ready(&self) -> bool {
        true
    }
}

/// When [`StateStore::apply_guarded`] applies its step.
#[derive(Debug, Clone, Copy)]
pub enum Guard<'a> {
    /// Only when nothing is kept under `key` yet.
    Unkept { key: &'a str },
    /// Keep `value` under `key` (as [`IdempotencyStore::put_if_absent`]
    /// does) unless something is kept there, and apply the step only when
    /// `value` was kept.
    Keep { key: &'a str, value: &'a [u8] },
}

impl Guard<'_> {
    fn key(&self) -> &str {
        match self {
            Guard::Unkept { key } | Guard::Keep { key, .. } => key,
        }
    }
}

/// What [`StateStore::apply_guarded`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Guarded {
    /// Something else was kept under the key first: that value, and the
    /// step was not applied.
    Kept(Vec<u8>),
    /// The step was applied: how, and whether the store announced it.
    Applied {
        applied: Box<Applied>,
        announced: bool,
    },
}

/// [`StateStore::apply_guarded`] in two calls: the guard on `kept`, then
/// the step. Without the atomicity of one call, a crash between the two
/// leaves a value kept and its step not applied; whoever reads the value
/// applies its step again (steps are idempotent).
pub async fn apply_guarded_in_two<S: StateStore + ?Sized>(
    store: &S,
    kept: &dyn IdempotencyStore,
    guard: Guard<'_>,
    step: &StatusUpdate,
    announce: Option<(&RedisChannel, &[u8])>,
) -> Result<Guarded, StoreError> {
    let first = match guard {
        Guard::Unkept { key } => kept.get(key).await?,
        Guard::Keep { key, value } => {
            let first = kept.put_if_absent(key, value).await?;
            (first != value).then_some(first)
        }
    };
    if let Some(first) = first {
        return Ok(Guarded::Kept(first));
    }
    let (applied, announced) = match announce {
        Some((channel, record)) => store.apply_announcing(step, channel, record).await?,
        None => (store.apply(step).await?, false),
    };
    Ok(Guarded::Applied {
        applied: Box::new(applied),
        announced,
    })
}

/// Dialogue state per session (`session:{session_id}`), saved with
/// optimistic concurrency.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    async fn load(&self, session_id: &SessionId) -> Result<Option<SessionState>, StoreError>;

    /// The trace id of the session's open command, if it has one: what a
    /// gateway needs of a session to take an utterance (without reading
    /// the whole dialogue).
    async fn open_command(&self, session_id: &SessionId) -> Result<Option<TraceId>, StoreError> {
        Ok(self
            .load(session_id)
            .await?
            .and_then(|s| s.open.map(|o| o.trace_id)))
    }

    /// As [`SessionStore::open_command`], and when the session has no open
    /// command, applies `received` (the first step of the command the
    /// utterance starts) in the same round trip, announcing it as
    /// [`StateStore::apply_announcing`] does when `announce` is given. A
    /// store that cannot (the default) answers [`Opening::NotOpen`] and the
    /// caller records the step. Also returns the session's version as it
    /// read it (0: no session, or not read).
    async fn open_or_receive(
        &self,
        session_id: &SessionId,
        received: &StatusUpdate,
        announce: Option<(&RedisChannel, &[u8])>,
    ) -> Result<(Opening, u64), StoreError> {
        let _ = (received, announce);
        Ok((self.open_command(session_id).await?.into(), 0))
    }

    /// Saves `state` if the stored version is still `state.version` (0 for a
    /// new session); returns the saved state with its version raised, or
    /// [`StoreError::Conflict`].
    async fn save(&self, state: &SessionState) -> Result<SessionState, StoreError>;

    /// As [`SessionStore::save`] (taking the state, which a turn has no
    /// more use for), and once saved, writes the turn's steps and
    /// announcements (`writes`, numbered from the first event number the
    /// save reserves) in the same round trip, atomically with the save.
    /// Returns each step's outcome in order, or `None` when this store
    /// cannot (the default: it saves alone and the caller records them).
    async fn save_turn(
        &self,
        state: SessionState,
        writes: &[TurnWrite<'_>],
    ) -> Result<(SessionState, Option<Vec<Applied>>), StoreError> {
        let _ = writes;
        Ok((self.save(&state).await?, None))
    }
}

/// What [`SessionStore::open_or_receive`] found and did.
#[derive(Debug, Clone, PartialEq)]
pub enum Opening {
    /// The session's open command: the utterance continues it.
    Open(TraceId),
    /// No command was open, and `received` is applied: how, and whether
    /// the store announced it to the other nodes.
    Received {
        applied: Box<Applied>,
        announced: bool,
    },
    /// No command is open; `received` is not recorded.
    NotOpen,
}

impl From<Option<TraceId>> for Opening {
    /// The session's open command, if it has one (nothing recorded).
    fn from(open: Option<TraceId>) -> Self {
        open.map_or(Opening::NotOpen, Opening::Open)
    }
}

/// What a reasoner's turn writes with its session (see
/// [`SessionStore::save_turn`]). `offset` is the write's place among the
/// turn's numbered events: its number is the turn's first plus `offset`.
#[derive(Debug, Clone, Copy)]
pub enum TurnWrite<'a> {
    /// A lifecycle step to apply, and when given, its topic record
    /// (unnumbered) to publish on the channel if the step counts.
    Step {
        step: &'a StatusUpdate,
        offset: u64,
        announce: Option<(&'a RedisChannel, &'a [u8])>,
    },
    /// A record (unnumbered) to publish on the channel with its number.
    Say {
        channel: &'a RedisChannel,
        record: &'a [u8],
        offset: u64,
    },
}

/// First results by key, so a redelivered command returns what the first
/// delivery produced.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Stores `value` unless the key exists; returns the value that is stored
    /// afterwards (the existing one if there was one).
    async fn put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// As [`IdempotencyStore::put_if_absent`], kept for `ttl` (the memory
    /// store keeps everything for the life of the process).
    async fn put_if_absent_for(
        &self,
        key: &str,
        value: &[u8],
        ttl: std::time::Duration,
    ) -> Result<Vec<u8>, StoreError> {
        let _ = ttl;
        self.put_if_absent(key, value).await
    }
}

/// Dead letters kept for inspection and replay.
#[async_trait]
pub trait DeadLetterStore: Send + Sync + 'static {
    async fn put(&self, letter: &DeadLetter) -> Result<(), StoreError>;
    async fn list(&self) -> Result<Vec<DeadLetter>, StoreError>;
    async fn get(&self, id: &str) -> Result<Option<DeadLetter>, StoreError>;
}

/// The stores one node uses.
#[derive(Clone)]
pub struct Stores {
    pub state: Arc<dyn StateStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub dead_letters: Arc<dyn DeadLetterStore>,
}

impl Stores {
    /// All four in memory (the embedded default).
    pub fn memory() -> Self {
        Self::memory_with(memory::MemoryLimits::default())
    }

    /// All four in memory, keeping no more than `limits` say.
    pub fn memory_with(limits: memory::MemoryLimits) -> Self {
        let store = Arc::new(memory::MemoryStore::with_limits(limits));
        Self {
            state: store.clone(),
            sessions: store.clone(),
            idempotency: store.clone(),
            dead_letters: store,
        }
    }
}
