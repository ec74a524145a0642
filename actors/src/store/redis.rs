//! Redis stores: command state, sessions, idempotency records and dead
//! letters, for any number of nodes sharing one Redis (or Redis Cluster).
//!
//! Keys and TTLs are listed in `errand_schemas::keys`. Every call has a
//! timeout (1 second by default); an unreachable Redis is a
//! [`StoreError::Unavailable`], never a hang and never a silent fallback to
//! memory. The connection reconnects by itself (with backoff) when Redis
//! comes back.
//!
//! Round trips per operation: applying a step is one script call (the
//! transition rule runs inside Redis, atomically, and updates the deadline
//! index and publishes the step to the other nodes in the same call; on a
//! Redis Cluster the index and the publication are further calls);
//! loading or saving a session, or reading its open command, is one; an
//! idempotency check-and-set is one (`SET NX GET`). [`RedisStore::round_trips`] counts them.

use super::{
    Applied, DeadLetterStore, Guard, Guarded, IdempotencyStore, Opening, SessionStore, StateStore,
    StoreError, TurnWrite, apply_guarded_in_two,
};
use crate::bus::RedisChannel;
use async_trait::async_trait;
use errand_schemas::keys::{Keys, ttl};
use errand_schemas::{
    CommandState, DeadLetter, HistoryEntry, SessionId, SessionState, Status, StatusUpdate, TraceId,
};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, Pipeline, RedisFuture, Script, Value};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How to reach Redis and how long things live there.
#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// `redis://[:password@]host:port[/db]` or `rediss://...`; several
    /// comma-separated URLs mean a Redis Cluster.
    pub url: String,
    /// Put in front of every key (none by default).
    pub prefix: String,
    /// The longest any one call may take.
    pub timeout: Duration,
    /// How long a command's state is kept after its final status.
    pub state_ttl: Duration,
    /// How long a session lives after its last turn.
    pub session_ttl: Duration,
    pub idempotency_ttl: Duration,
}

impl RedisConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: String::new(),
            timeout: Duration::from_secs(1),
            state_ttl: Duration::from_secs(ttl::STATE_AFTER_FINAL_SECS),
            session_ttl: Duration::from_secs(ttl::SESSION_SECS),
            idempotency_ttl: Duration::from_secs(ttl::IDEMPOTENCY_SECS),
        }
    }

    /// The URL with its password masked, for logs.
    pub fn masked_url(&self) -> String {
        self.url
            .split(',')
            .map(mask_password)
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn mask_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// A single Redis or a Redis Cluster.
#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(cmd, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(cmd, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// The transition rule of [`CommandState::apply`], inside Redis, as a Lua
/// function of its keys and arguments (the scripts below call it). Keep the
/// two in step: `tests` checks every pair of statuses against the Rust rule.
/// A step that moves the command takes the session's next event number
/// (`KEYS[3]`, see [`super::reserve`]) unless it brings one reserved.
const APPLY_FN: &str = r#"
local function apply(KEYS, ARGV)
local key = KEYS[1]
local status, rank, turn = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local final = ARGV[4] == '1'
local cur = redis.call('HMGET', key, 'status', 'rank', 'turn', 'history', 'seq')
local outcome, cur_turn
local fields = {'status', status, 'rank', rank, 'updated_at_ms', ARGV[5]}
if not cur[1] then
  outcome, cur_turn = 'moved', turn
  for _, v in ipairs({'trace_id', ARGV[6], 'session_id', ARGV[7], 'user_id', ARGV[8],
    'created_at_ms', ARGV[5], 'turn', turn}) do table.insert(fields, v) end
else
  -- Ranks by name (not the stored rank field), as Status::rank has them.
  local ranks = {received = 0, awaiting_clarification = 1, understood = 2,
    awaiting_confirmation = 3, dispatched = 4, confirmed = 5}
  local dialogue = {awaiting_clarification = true, understood = true, awaiting_confirmation = true}
  local cur_rank = ranks[cur[1]] or 6
  cur_turn = tonumber(cur[3] or '0')
  local moved
  if cur[1] == 'confirmed' then
    moved = status == 'cancelled'
  elseif cur_rank >= 6 then
    moved = false
  elseif dialogue[cur[1]] and dialogue[status] and turn > cur_turn then
    moved = true
  else
    moved = rank > cur_rank
  end
  if moved then
    outcome = 'moved'
  elseif cur[1] == status and (cur_turn == turn or final) then
    -- A redelivery (`super::is_duplicate`): a final step in any turn.
    outcome = 'duplicate'
  else
    outcome = 'stale'
  end
end
local seq = cur[5] or '0'
if outcome == 'moved' then
  if turn > cur_turn then
    table.insert(fields, 'turn'); table.insert(fields, turn)
  end
  local names = {'intent', 'slots', 'domain', 'result', 'error'}
  for i, name in ipairs(names) do
    local v = ARGV[8 + i]
    if v ~= '' then table.insert(fields, name); table.insert(fields, v) end
  end
  local given = ARGV[17]
  if given == '0' and KEYS[3] then
    if redis.call('EXISTS', KEYS[3]) == 1 then
      given = redis.call('INCR', KEYS[3])
    else
      given = ARGV[5]
      redis.call('SET', KEYS[3], given)
    end
    redis.call('PEXPIRE', KEYS[3], ARGV[18])
  end
  if given ~= '0' then
    seq = string.format('%.0f', given)
    table.insert(fields, 'seq'); table.insert(fields, seq)
  end
  if final then
    redis.call('HDEL', key, 'deadline_ms')
  elseif ARGV[14] ~= '' then
    table.insert(fields, 'deadline_ms'); table.insert(fields, ARGV[14])
  end
  local h = cur[4]
  if not h or h == '[]' then h = '[' .. ARGV[16] .. ']' else h = string.sub(h, 1, -2) .. ',' .. ARGV[16] .. ']' end
  table.insert(fields, 'history'); table.insert(fields, h)
  redis.call('HSET', key, unpack(fields))
  if final then redis.call('PEXPIRE', key, ARGV[15]) end
  if KEYS[2] then
    if final then
      redis.call('ZREM', KEYS[2], ARGV[6])
    elseif ARGV[14] ~= '' then
      redis.call('ZADD', KEYS[2], ARGV[14], ARGV[6])
    end
  end
end
if ARGV[19] and ARGV[19] ~= '' and outcome ~= 'stale' then
  -- The announcement, with the step's number, to every node.
  local message = ARGV[20]
  if seq ~= '0' then message = message .. ',"seq":' .. seq end
  redis.call('PUBLISH', ARGV[19], message .. ARGV[21])
end
return {outcome, redis.call('HGETALL', key)}
end
"#;

/// Applies one step: [`APPLY_FN`] on the script's keys and arguments.
const APPLY: &str = "return apply(KEYS, ARGV)";

/// Saves a session if its stored version is still the expected one, and
/// reserves `ARGV[5]` event numbers for the turn (`KEYS[2]`, the session's
/// counter): `{1, first}` (first is 0 when none), or `{0, 0}` on a
/// conflict. The open command's trace id (`ARGV[7]`) is kept beside the
/// JSON, for a gateway to read alone.
const SAVE_FN: &str = r#"
local function save_session(KEYS, ARGV)
local v = redis.call('HGET', KEYS[1], 'version') or '0'
if v ~= ARGV[1] then return nil end
local n, first = tonumber(ARGV[5]), 0
if n > 0 then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    first = redis.call('INCRBY', KEYS[2], n) - n + 1
  else
    first = tonumber(ARGV[6])
    redis.call('SET', KEYS[2], first + n - 1)
  end
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3], 'turn_seq', first, 'open', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return first
end
"#;

/// Saves a session: [`SAVE_FN`] on the script's keys and arguments.
const SAVE_SESSION: &str = r#"
local first = save_session(KEYS, ARGV)
if not first then return {0, 0} end
return {1, first}
"#;

/// A reasoner's turn in one call: the session saved as [`SAVE_SESSION`]
/// does, then (only if it saved) each of the turn's writes in order.
/// `KEYS`: the session, its counter, the deadline index, then each step's
/// state. `ARGV`: the save's seven, then per write its kind and its place
/// among the turn's numbered events, and for a `step` the 21 arguments of
/// [`APPLY_FN`] (its number replaced by the reserved one), for a `say` a
/// channel and the record around its number. Returns `{1, first, {outcome
/// and state of each step}}`, or `{0, 0, {}}` on a conflict.
const TURN: &str = r#"
local first = save_session({KEYS[1], KEYS[2]}, ARGV)
if not first then return {0, 0, {}} end
local applied, i, k = {}, 8, 4
while i <= #ARGV do
  local seq = string.format('%.0f', first + tonumber(ARGV[i + 1]))
  if ARGV[i] == 'step' then
    local a = {unpack(ARGV, i + 2, i + 22)}
    a[17] = seq
    table.insert(applied, apply({KEYS[k], KEYS[3], KEYS[2]}, a))
    k, i = k + 1, i + 23
  else
    redis.call('PUBLISH', ARGV[i + 2], ARGV[i + 3] .. ',"seq":' .. seq .. ARGV[i + 4])
    i = i + 5
  end
end
return {1, first, applied}
"#;

/// A gateway taking an utterance: the session's open command, or (when it
/// has none) the new command's `received` step applied, and the session's
/// version. `KEYS`: the session, then [`APPLY_FN`]'s three; `ARGV`:
/// [`APPLY_FN`]'s. Returns `{'open', trace_id, version}`, `{'received',
/// {outcome, state}, version}`, or `{'older', '', version}` for a session
/// saved before its open command was kept beside it.
const OPEN_OR_RECEIVE: &str = r#"
local open = redis.call('HMGET', KEYS[1], 'open', 'version')
local version = open[2] or '0'
if open[1] and open[1] ~= '' then return {'open', open[1], version} end
if not open[1] and open[2] then return {'older', '', version} end
return {'received', apply({KEYS[2], KEYS[3], KEYS[4]}, ARGV), version}
"#;

/// An agent host's step with its idempotency record (see
/// [`super::StateStore::apply_guarded`]): `KEYS[1]` the record, then
/// [`APPLY_FN`]'s three; `ARGV`: `get` or `keep`, the value to keep and its
/// time to live in ms, then [`APPLY_FN`]'s. Returns `{'kept', {value}}`
/// when a value was kept before (the step is not applied), or what
/// [`APPLY_FN`] returns.
const GUARDED: &str = r#"
local first
if ARGV[1] == 'keep' then
  first = redis.call('SET', KEYS[1], ARGV[2], 'NX', 'GET', 'PX', ARGV[3])
else
  first = redis.call('GET', KEYS[1])
end
if first then return {'kept', {first}} end
return apply({KEYS[2], KEYS[3], KEYS[4]}, {unpack(ARGV, 4)})
"#;

/// The next of a session's event numbers (a Redis Cluster's second call,
/// when the state is in another slot than the counter).
const NEXT_SEQ: &str = r#"
local seq
if redis.call('EXISTS', KEYS[1]) == 1 then
  seq = redis.call('INCR', KEYS[1])
else
  seq = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], seq)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return seq
"#;

/// All four stores on one Redis connection (cheap to clone).
#[derive(Clone)]
pub struct RedisStore {
    conn: Conn,
    cluster: bool,
    keys: Keys,
    config: RedisConfig,
    apply: Arc<Script>,
    save_session: Arc<Script>,
    turn: Arc<Script>,
    open_or_receive: Arc<Script>,
    guarded: Arc<Script>,
    next_seq: Arc<Script>,
    round_trips: Arc<AtomicU64>,
}

/// A connection to one Redis server that reconnects by itself, each call
/// and each reconnection bounded by `timeout`: what the store and the
/// fan-out talk to Redis through, so both recover when Redis comes back.
pub async fn managed(
    client: redis::Client,
    timeout: std::time::Duration,
) -> redis::RedisResult<ConnectionManager> {
    ConnectionManager::new_with_config(
        client,
        ConnectionManagerConfig::new()
            .set_connection_timeout(timeout)
            .set_response_timeout(timeout)
            .set_number_of_retries(2)
            .set_max_delay(1_000),
    )
    .await
}

impl RedisStore {
    /// Connects (one attempt, within the timeout); afterwards the connection
    /// reconnects by itself.
    pub async fn connect(config: RedisConfig) -> Result<Self, StoreError> {
        let urls: Vec<&str> = config
            .url
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let unavailable = |e: redis::RedisError| {
            StoreError::Unavailable(format!(
                "cannot connect to Redis at {}: {e}",
                config.masked_url()
            ))
        };
        let connect = async {
            if urls.len() > 1 {
                let client = redis::cluster::ClusterClient::builder(urls.clone())
                    .connection_timeout(config.timeout)
                    .response_timeout(config.timeout)
                    .build()
                    .map_err(unavailable)?;
                Ok(Conn::Cluster(
                    client.get_async_connection().await.map_err(unavailable)?,
                ))
            } else {
                let client = redis::Client::open(urls.first().copied().unwrap_or_default())
                    .map_err(unavailable)?;
                let manager = managed(client, config.timeout).await.map_err(unavailable)?;
                Ok(Conn::Single(manager))
            }
        };
        let conn = tokio::time::timeout(config.timeout * 3, connect)
            .await
            .map_err(|_| {
                StoreError::Unavailable(format!("Redis at {} did not answer", config.masked_url()))
            })??;
        Ok(Self {
            cluster: matches!(conn, Conn::Cluster(_)),
            conn,
            keys: Keys::new(config.prefix.clone()),
            config,
            apply: Arc::new(Script::new(&format!("{APPLY_FN}\n{APPLY}"))),
            save_session: Arc::new(Script::new(&format!("{SAVE_FN}\n{SAVE_SESSION}"))),
            turn: Arc::new(Script::new(&format!("{APPLY_FN}\n{SAVE_FN}\n{TURN}"))),
            open_or_receive: Arc::new(Script::new(&format!("{APPLY_FN}\n{OPEN_OR_RECEIVE}"))),
            guarded: Arc::new(Script::new(&format!("{APPLY_FN}\n{GUARDED}"))),
            next_seq: Arc::new(Script::new(NEXT_SEQ)),
            round_trips: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Round trips made to Redis so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// One round trip with the timeout.
    async fn call<T, F>(&self, op: impl FnOnce(Conn) -> F) -> Result<T, StoreError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        match tokio::time::timeout(self.config.timeout, op(self.conn.clone())).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(StoreError::Unavailable(format!("Redis: {e}"))),
            Err(_) => Err(StoreError::Unavailable(format!(
                "Redis did not answer within {:?}",
                self.config.timeout
            ))),
        }
    }

    fn ms(d: Duration) -> u64 {
        d.as_millis() as u64
    }
}

/// Builds the state from the fields of its hash.
fn state_from_hash(fields: HashMap<String, String>) -> Result<Option<CommandState>, StoreError> {
    if fields.is_empty() {
        return Ok(None);
    }
    let corrupt =
        |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("{what}: {e}"));
    let text = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let number = |name: &str| fields.get(name).and_then(|v| v.parse::<u64>().ok());
    let json = |name: &str| -> Result<Option<serde_json::Value>, StoreError> {
        match fields.get(name) {
            Some(v) if !v.is_empty() => serde_json::from_str(v)
                .map(Some)
                .map_err(|e| corrupt(name, &e)),
            _ => Ok(None),
        }
    };
    let status: Status = serde_json::from_value(serde_json::Value::String(text("status")))
        .map_err(|e| corrupt("status", &e))?;
    let history: Vec<HistoryEntry> = serde_json::from_str(
        &fields
            .get("history")
            .cloned()
            .unwrap_or_else(|| "[]".into()),
    )
    .map_err(|e| corrupt("history", &e))?;
    Ok(Some(CommandState {
        trace_id: TraceId(text("trace_id")),
        session_id: SessionId(text("session_id")),
        user_id: text("user_id"),
        status,
        turn: number("turn").unwrap_or(0) as u32,
        intent: fields.get("intent").cloned().filter(|s| !s.is_empty()),
        slots: decode(json("slots")?, "slots")?,
        domain: fields.get("domain").cloned().filter(|s| !s.is_empty()),
        result: decode(json("result")?, "result")?,
        error: decode(json("error")?, "error")?,
        deadline_ms: number("deadline_ms"),
        created_at_ms: number("created_at_ms").unwrap_or(0),
        updated_at_ms: number("updated_at_ms").unwrap_or(0),
        history,
        seq: number("seq").unwrap_or(0),
    }))
}

fn decode<T: serde::de::DeserializeOwned>(
    value: Option<serde_json::Value>,
    what: &str,
) -> Result<Option<T>, StoreError> {
    value
        .map(|v| serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{what}: {e}"))))
        .transpose()
}

fn json_or_empty<T: serde::Serialize>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map(|v| String::from_utf8(errand_schemas::codec::to_json(v)).unwrap_or_default())
        .unwrap_or_default()
}

impl RedisStore {
    /// Applies `step` (the APPLY script), publishing `announce` (a channel
    /// and the message up to its closing braces) when the step counts.
    async fn apply_step(
        &self,
        step: &StatusUpdate,
        announce: Option<(&str, Vec<u8>)>,
    ) -> Result<Applied, StoreError> {
        let key = self.keys.state(step.trace_id.as_str());
        let deadlines = self.keys.deadlines();
        let counter = self.keys.seq(step.session_id.as_str());
        let mut invocation = self.apply.key(&key);
        if !self.cluster {
            invocation.key(&deadlines).key(&counter);
        }
        self.apply_args(&mut invocation, step);
        if let Some((channel, message)) = announce {
            invocation.arg(channel).arg(message).arg("}}");
        }
        let (outcome, flat): (String, Vec<String>) = self
            .call(|mut conn| async move { invocation.invoke_async(&mut conn).await })
            .await?;
        let mut applied = applied(&outcome, flat)?;
        let Applied::Moved(state) = &mut applied else {
            return Ok(applied);
        };
        if self.cluster && step.seq == 0 {
            // On a cluster the counter lives in the session's slot: the
            // number, then the state's note of it.
            let mut next = self.next_seq.key(&counter);
            next.arg(step.at_ms).arg(Self::ms(self.config.session_ttl));
            let seq: u64 = self
                .call(|mut conn| async move { next.invoke_async(&mut conn).await })
                .await?;
            let key = key.clone();
            self.call(|mut conn| async move {
                redis::cmd("HSET")
                    .arg(&key)
                    .arg("seq")
                    .arg(seq)
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await?;
            state.seq = seq;
        }
        if self.cluster {
            // On a cluster the index lives in another slot: a second call.
            let trace = step.trace_id.to_string();
            if step.status.is_final() {
                self.call(|mut conn| async move {
                    redis::cmd("ZREM")
                        .arg(&deadlines)
                        .arg(&trace)
                        .query_async::<()>(&mut conn)
                        .await
                })
                .await?;
            } else if let Some(deadline) = step.deadline_ms {
                self.call(|mut conn| async move {
                    redis::cmd("ZADD")
                        .arg(&deadlines)
                        .arg(deadline)
                        .arg(&trace)
                        .query_async::<()>(&mut conn)
                        .await
                })
                .await?;
            }
        }
        Ok(applied)
    }

    /// The 18 arguments of [`APPLY_FN`] for `step` (the announcement's
    /// three follow them).
    fn apply_args(&self, invocation: &mut redis::ScriptInvocation<'_>, step: &StatusUpdate) {
        let entry = HistoryEntry {
            status: step.status,
            at_ms: step.at_ms,
            turn: step.turn,
        };
        invocation
            .arg(step.status.as_str())
            .arg(step.status.rank())
            .arg(step.turn)
            .arg(if step.status.is_final() { "1" } else { "0" })
            .arg(step.at_ms)
            .arg(step.trace_id.as_str())
            .arg(step.session_id.as_str())
            .arg(&step.user_id)
            .arg(step.intent.clone().unwrap_or_default())
            .arg(json_or_empty(&step.slots))
            .arg(step.domain.clone().unwrap_or_default())
            .arg(json_or_empty(&step.result))
            .arg(json_or_empty(&step.error))
            .arg(step.deadline_ms.map(|d| d.to_string()).unwrap_or_default())
            .arg(Self::ms(self.config.state_ttl))
            .arg(String::from_utf8(errand_schemas::codec::to_json(&entry)).unwrap_or_default())
            .arg(step.seq)
            .arg(Self::ms(self.config.session_ttl));
    }
}

/// `saved` as a save script left it: `ok` is 1 when it saved, `first` the
/// first event number it reserved for the turn.
fn numbered(mut saved: SessionState, ok: i64, first: u64) -> Result<SessionState, StoreError> {
    if ok != 1 {
        return Err(StoreError::Conflict);
    }
    if let Some(turn) = saved.last_turn.as_mut() {
        turn.seq = first;
    }
    Ok(saved)
}

/// `record` as published on `channel` (marked as this node's), up to its
/// two closing braces: a script adds the number and the braces.
fn message_head(channel: &RedisChannel, record: &[u8]) -> Vec<u8> {
    let mut message = channel.prefix.clone();
    message.extend_from_slice(&record[..record.len().saturating_sub(2)]);
    message
}

/// What [`APPLY_FN`] returned: its outcome and the state's fields.
fn applied(outcome: &str, flat: Vec<String>) -> Result<Applied, StoreError> {
    let mut fields = HashMap::with_capacity(flat.len() / 2);
    let mut flat = flat.into_iter();
    while let (Some(k), Some(v)) = (flat.next(), flat.next()) {
        fields.insert(k, v);
    }
    let state = state_from_hash(fields)?
        .ok_or_else(|| StoreError::Corrupt("state vanished while applying".into()))?;
    Ok(match outcome {
        "moved" => Applied::Moved(state),
        "duplicate" => Applied::Duplicate(state),
        _ => Applied::Stale(state),
    })
}

#[async_trait]
impl StateStore for RedisStore {
    async fn apply(&self, step: &StatusUpdate) -> Result<Applied, StoreError> {
        self.apply_step(step, None).await
    }

    async fn apply_announcing(
        &self,
        step: &StatusUpdate,
        channel: &RedisChannel,
        record: &[u8],
    ) -> Result<(Applied, bool), StoreError> {
        if !self.can_announce(channel, record) {
            return Ok((self.apply(step).await?, false));
        }
        let message = message_head(channel, record);
        let applied = (self.apply_step(step, Some((&channel.channel, message)))).await?;
        Ok((applied, true))
    }

    async fn apply_guarded(
        &self,
        kept: &dyn IdempotencyStore,
        guard: Guard<'_>,
        step: &StatusUpdate,
        announce: Option<(&RedisChannel, &[u8])>,
    ) -> Result<Guarded, StoreError> {
        // One script only where the record and the state share this
        // server: `kept` is this store, and no cluster spreads the keys.
        let own = std::ptr::addr_eq(kept as *const dyn IdempotencyStore, self as *const Self);
        if self.cluster || !own {
            return apply_guarded_in_two(self, kept, guard, step, announce).await;
        }
        let mut invocation = self.guarded.key(guard.key());
        invocation
            .key(self.keys.state(step.trace_id.as_str()))
            .key(self.keys.deadlines())
            .key(self.keys.seq(step.session_id.as_str()));
        match guard {
            Guard::Unkept { .. } => invocation.arg("get").arg("").arg(0),
            Guard::Keep { value, .. } => {
                (invocation.arg("keep").arg(value)).arg(Self::ms(self.config.idempotency_ttl))
            }
        };
        self.apply_args(&mut invocation, step);
        let announced = match announce {
            Some((channel, record)) if self.can_announce(channel, record) => {
                let message = message_head(channel, record);
                invocation.arg(&channel.channel).arg(message).arg("}}");
                true
            }
            _ => false,
        };
        let (outcome, flat): (String, Vec<Vec<u8>>) = self
            .call(|mut conn| async move { invocation.invoke_async(&mut conn).await })
            .await?;
        if outcome == "kept" {
            let first = flat.into_iter().next();
            return first
                .map(Guarded::Kept)
                .ok_or_else(|| StoreError::Corrupt("a kept value without its value".into()));
        }
        let flat = flat
            .into_iter()
            .map(String::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Guarded::Applied {
            applied: Box::new(applied(&outcome, flat)?),
            announced,
        })
    }

    async fn get(&self, trace_id: &TraceId) -> Result<Option<CommandState>, StoreError> {
        let key = self.keys.state(trace_id.as_str());
        let fields: HashMap<String, String> =
            self.call(|mut conn| async move {
                redis::cmd("HGETALL").arg(&key).query_async(&mut conn).await
            })
            .await?;
        state_from_hash(fields)
    }

    async fn overdue(&self, now_ms: u64, limit: usize) -> Result<Vec<CommandState>, StoreError> {
        let deadlines = self.keys.deadlines();
        let traces: Vec<String> = self
            .call(|mut conn| {
                let deadlines = deadlines.clone();
                async move {
                    redis::cmd("ZRANGEBYSCORE")
                        .arg(&deadlines)
                        .arg("-inf")
                        .arg(now_ms)
                        .arg("LIMIT")
                        .arg(0)
                        .arg(limit)
                        .query_async(&mut conn)
                        .await
                }
            })
            .await?;
        let mut overdue = Vec::new();
        for trace in traces {
            match StateStore::get(self, &TraceId(trace.clone())).await? {
                Some(state) if !state.status.is_final() => overdue.push(state),
                // Ended (or expired) since: clean the index.
                _ => {
                    let deadlines = deadlines.clone();
                    self.call(|mut conn| async move {
                        redis::cmd("ZREM")
                            .arg(&deadlines)
                            .arg(&trace)
                            .query_async::<()>(&mut conn)
                            .await
                    })
                    .await?;
                }
            }
        }
        Ok(overdue)
    }

    async fn ready(&self) -> bool {
        self.call(
            |mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await },
        )
        .await
        .is_ok()
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, session_id: &SessionId) -> Result<Option<SessionState>, StoreError> {
        let key = self.keys.session(session_id.as_str());
        let (json, turn_seq): (Option<String>, Option<u64>) = self
            .call(|mut conn| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("json")
                    .arg("turn_seq")
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        let Some(json) = json else {
            return Ok(None);
        };
        let mut state: SessionState = errand_schemas::codec::from_json(json.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("session: {e}")))?;
        // The numbers the save reserved are not in the JSON written with it.
        if let Some(turn) = state.last_turn.as_mut() {
            turn.seq = turn_seq.unwrap_or(0);
        }
        Ok(Some(state))
    }

    async fn open_command(&self, session_id: &SessionId) -> Result<Option<TraceId>, StoreError> {
        let key = self.keys.session(session_id.as_str());
        let (open, version): (Option<String>, Option<String>) = self
            .call(|mut conn| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("open")
                    .arg("version")
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        match (open, version) {
            (Some(open), _) => Ok(Some(open).filter(|o| !o.is_empty()).map(TraceId)),
            (None, None) => Ok(None),
            // Saved before sessions kept their open command on the side.
            (None, Some(_)) => Ok(self
                .load(session_id)
                .await?
                .and_then(|s| s.open.map(|o| o.trace_id))),
        }
    }

    async fn open_or_receive(
        &self,
        session_id: &SessionId,
        received: &StatusUpdate,
        announce: Option<(&RedisChannel, &[u8])>,
    ) -> Result<(Opening, u64), StoreError> {
        if self.cluster || !announce.is_none_or(|(c, r)| self.can_announce(c, r)) {
            return Ok((self.open_command(session_id).await?.into(), 0));
        }
        let mut invocation = self
            .open_or_receive
            .key(self.keys.session(session_id.as_str()));
        invocation
            .key(self.keys.state(received.trace_id.as_str()))
            .key(self.keys.deadlines())
            .key(self.keys.seq(received.session_id.as_str()));
        self.apply_args(&mut invocation, received);
        if let Some((channel, record)) = announce {
            (invocation.arg(&channel.channel))
                .arg(message_head(channel, record))
                .arg("}}");
        }
        let (what, value, version): (String, Value, u64) = self
            .call(|mut conn| async move { invocation.invoke_async(&mut conn).await })
            .await?;
        let corrupt = |e: redis::RedisError| StoreError::Corrupt(format!("opening: {e}"));
        let opening = match what.as_str() {
            "open" => Opening::Open(TraceId(redis::from_redis_value(&value).map_err(corrupt)?)),
            "received" => {
                let (outcome, flat): (String, Vec<String>) =
                    redis::from_redis_value(&value).map_err(corrupt)?;
                Opening::Received {
                    applied: Box::new(applied(&outcome, flat)?),
                    announced: announce.is_some(),
                }
            }
            _ => self.open_command(session_id).await?.into(),
        };
        Ok((opening, version))
    }

    async fn save(&self, state: &SessionState) -> Result<SessionState, StoreError> {
        let mut saved = state.clone();
        saved.version += 1;
        let mut invocation = self.save_session.prepare_invoke();
        self.save_keys_and_args(&mut invocation, state.version, &saved);
        let (ok, first): (i64, u64) = self
            .call(|mut conn| async move { invocation.invoke_async(&mut conn).await })
            .await?;
        numbered(saved, ok, first)
    }

    async fn save_turn(
        &self,
        state: SessionState,
        writes: &[TurnWrite<'_>],
    ) -> Result<(SessionState, Option<Vec<Applied>>), StoreError> {
        // One script only where every key and channel is on this one Redis.
        let one_call = !self.cluster
            && writes.iter().all(|w| match *w {
                TurnWrite::Step { announce, .. } => {
                    announce.is_none_or(|(c, r)| self.can_announce(c, r))
                }
                TurnWrite::Say {
                    channel, record, ..
                } => self.can_announce(channel, record),
            });
        if !one_call {
            return Ok((self.save(&state).await?, None));
        }
        let expected = state.version;
        let mut saved = state;
        saved.version += 1;
        let mut invocation = self.turn.prepare_invoke();
        self.save_keys_and_args(&mut invocation, expected, &saved);
        invocation.key(self.keys.deadlines());
        for write in writes {
            match *write {
                TurnWrite::Step {
                    step,
                    offset,
                    announce,
                } => {
                    invocation
                        .key(self.keys.state(step.trace_id.as_str()))
                        .arg("step")
                        .arg(offset);
                    self.apply_args(&mut invocation, step);
                    match announce {
                        Some((channel, record)) => {
                            (invocation.arg(&channel.channel))
                                .arg(message_head(channel, record))
                                .arg("}}");
                        }
                        None => {
                            invocation.arg("").arg("").arg("");
                        }
                    }
                }
                TurnWrite::Say {
                    channel,
                    record,
                    offset,
                } => {
                    invocation
                        .arg("say")
                        .arg(offset)
                        .arg(&channel.channel)
                        .arg(message_head(channel, record))
                        .arg("}}");
                }
            }
        }
        let (ok, first, steps): (i64, u64, Vec<(String, Vec<String>)>) = self
            .call(|mut conn| async move { invocation.invoke_async(&mut conn).await })
            .await?;
        let saved = numbered(saved, ok, first)?;
        let applied = steps
            .into_iter()
            .map(|(outcome, flat)| applied(&outcome, flat))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((saved, Some(applied)))
    }
}

impl RedisStore {
    /// Whether a script of this store can publish `record` on `channel`:
    /// the channel is on this one Redis (not a cluster), and the record a
    /// JSON object ending in its payload's object, for the script to put
    /// the number in before the two closing braces.
    fn can_announce(&self, channel: &RedisChannel, record: &[u8]) -> bool {
        !self.cluster && channel.url == self.config.url && record.ends_with(b"}}")
    }

    /// The session's key and counter, and the seven arguments of
    /// [`SAVE_FN`]: `saved` (its version raised) replaces `expected`.
    fn save_keys_and_args(
        &self,
        invocation: &mut redis::ScriptInvocation<'_>,
        expected: u64,
        saved: &SessionState,
    ) {
        let json = String::from_utf8(errand_schemas::codec::to_json(saved)).unwrap_or_default();
        let numbered = saved.last_turn.as_ref().map_or(0, |t| t.numbered);
        invocation
            .key(self.keys.session(saved.session_id.as_str()))
            .key(self.keys.seq(saved.session_id.as_str()))
            .arg(expected)
            .arg(saved.version)
            .arg(json)
            .arg(Self::ms(self.config.session_ttl))
            .arg(numbered)
            .arg(errand_schemas::now_ms())
            .arg(saved.open.as_ref().map_or("", |o| o.trace_id.as_str()));
    }
}

#[async_trait]
impl IdempotencyStore for RedisStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_owned();
        self.call(
            |mut conn| async move { redis::cmd("GET").arg(&key).query_async(&mut conn).await },
        )
        .await
    }

    async fn put_if_absent(&self, key: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.put_if_absent_for(key, value, self.config.idempotency_ttl)
            .await
    }

    async fn put_if_absent_for(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<Vec<u8>, StoreError> {
        let key = key.to_owned();
        let ttl = Self::ms(ttl);
        let value = value.to_vec();
        let stored = value.clone();
        let previous: Option<Vec<u8>> = self
            .call(|mut conn| async move {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(stored)
                    .arg("NX")
                    .arg("GET")
                    .arg("PX")
                    .arg(ttl)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        Ok(previous.unwrap_or(value))
    }
}

#[async_trait]
impl DeadLetterStore for RedisStore {
    async fn put(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        let key = self.keys.dead_letters();
        let json = errand_schemas::codec::to_json(letter);
        let id = letter.id.clone();
        self.call(|mut conn| async move {
            redis::cmd("HSETNX")
                .arg(&key)
                .arg(&id)
                .arg(json)
                .query_async::<()>(&mut conn)
                .await
        })
        .await
    }

    async fn list(&self) -> Result<Vec<DeadLetter>, StoreError> {
        let key = self.keys.dead_letters();
        let all: Vec<Vec<u8>> =
            self.call(|mut conn| async move {
                redis::cmd("HVALS").arg(&key).query_async(&mut conn).await
            })
            .await?;
        let mut letters: Vec<DeadLetter> = all
            .iter()
            .filter_map(|j| errand_schemas::codec::from_json(j).ok())
            .collect();
        letters.sort_by_key(|l| l.at_ms);
        Ok(letters)
    }

    async fn get(&self, id: &str) -> Result<Option<DeadLetter>, StoreError> {
        let key = self.keys.dead_letters();
        let id = id.to_owned();
        let json: Option<Vec<u8>> = self
            .call(|mut conn| async move {
                redis::cmd("HGET")
                    .arg(&key)
                    .arg(&id)
                    .query_async(&mut conn)
                    .await
            })
            .await?;
        json.map(|j| {
            errand_schemas::codec::from_json(&j).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
        .transpose()
    }
}

impl super::Stores {
    /// All four in Redis.
    pub fn redis(store: RedisStore) -> Self {
        let store = Arc::new(store);
        Self {
            state: store.clone(),
            sessions: store.clone(),
            idempotency: store.clone(),
            dead_letters: store,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        let c = RedisConfig::new("redis://:secret@localhost:6379/0,rediss://user:pw@h:1");
        assert_eq!(
            c.masked_url(),
            "redis://***@localhost:6379/0,rediss://***@h:1"
        );
        assert_eq!(RedisConfig::new("redis://h:1").masked_url(), "redis://h:1");
    }
}
