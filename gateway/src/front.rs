//! [`Front`]: what every entry point (WebSocket, REPL, REST) does with an
//! utterance. It validates the text, gives it a trace id (or continues the
//! session's open one while a clarification is pending), records `received`,
//! acknowledges it to the session, and publishes it on `transcript` keyed by
//! `session_id`.

use crate::hub::SessionHub;
use errand_actors::bus::{Bus, OutRecord};
use errand_actors::recorder::Recorder;
use errand_actors::spans;
use errand_actors::store::{IdempotencyStore, Opening, SessionStore};
use errand_schemas::keys::Keys;
use errand_schemas::topics::{AGENT_CMD, TRANSCRIPT};
use errand_schemas::{
    Act, Command, ErrorBody, ErrorCode, ServerEvent, SessionId, Status, StatusUpdate, TraceId,
    Utterance, UtteranceSource,
};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// Input limits.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Characters in one utterance.
    pub max_utterance_chars: usize,
    /// Bytes in one WebSocket message.
    pub max_frame_bytes: usize,
    /// Utterances per second one session may send (token bucket rate)...
    pub utterances_per_second: f64,
    /// ...and how many it may send at once (bucket size).
    pub utterance_burst: f64,
    /// Open sockets one client address may hold.
    pub max_sockets_per_client: usize,
    /// A socket with no client frame for this long is closed.
    pub idle_timeout: Duration,
    /// The longest recording `/v1/ws/mic` takes, in seconds...
    pub max_audio_seconds: u32,
    /// ...and in bytes.
    pub max_audio_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_utterance_chars: 1000,
            max_frame_bytes: 64 * 1024,
            utterances_per_second: 2.0,
            utterance_burst: 20.0,
            max_sockets_per_client: 256,
            idle_timeout: Duration::from_secs(300),
            max_audio_seconds: 30,
            max_audio_bytes: 2 * 1024 * 1024,
        }
    }
}

/// Utterances per session, limited with `governor`: GCRA, the same as a
/// token bucket of `burst` that refills at `rate` a second.
///
/// The quota is the one `allow` is called with (the node's [`Limits`]),
/// built on first use; a call with another rate or burst starts afresh with
/// it. Sessions are keys of a DashMap; once it holds more than
/// [`RateLimiter::MAX_SESSIONS`], those whose allowance is full again (as if
/// never seen) are dropped.
#[derive(Default)]
pub struct RateLimiter {
    keyed: std::sync::RwLock<Option<Arc<Keyed>>>,
}

/// One quota's limiter.
struct Keyed {
    rate: f64,
    burst: f64,
    limiter: governor::RateLimiter<
        SessionId,
        governor::state::keyed::DashMapStateStore<SessionId>,
        TokioClock,
        governor::middleware::NoOpMiddleware<Duration>,
    >,
}

/// Tokio's clock for `governor`, so a test with paused time sees the
/// allowance refill as time advances.
#[derive(Clone)]
struct TokioClock {
    start: tokio::time::Instant,
}

impl governor::clock::Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

impl Keyed {
    fn new(rate: f64, burst: f64) -> Self {
        // Clamped so that governor's nanosecond arithmetic cannot overflow:
        // at least one a day, at most 100,000 at once.
        let period = if rate > 0.0 {
            Duration::try_from_secs_f64(1.0 / rate).unwrap_or(RateLimiter::LONGEST_PERIOD)
        } else {
            RateLimiter::LONGEST_PERIOD
        }
        .clamp(Duration::from_nanos(1), RateLimiter::LONGEST_PERIOD);
        let cells = if burst >= 1.0 {
            burst.min(RateLimiter::MAX_BURST as f64) as u32
        } else {
            1
        };
        let quota = governor::Quota::with_period(period)
            .unwrap_or_else(|| governor::Quota::per_second(std::num::NonZeroU32::MIN))
            .allow_burst(std::num::NonZeroU32::new(cells).unwrap_or(std::num::NonZeroU32::MIN));
        let clock = TokioClock {
            start: tokio::time::Instant::now(),
        };
        Self {
            rate,
            burst,
            limiter: governor::RateLimiter::dashmap_with_clock(quota, clock),
        }
    }
}

impl RateLimiter {
    /// Sessions kept before the idle ones are dropped.
    pub const MAX_SESSIONS: usize = 20_000;
    /// The slowest refill: one utterance a day.
    const LONGEST_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);
    /// The largest burst.
    const MAX_BURST: u32 = 100_000;

    /// Takes one from `session`'s allowance (`burst` at once, refilled at
    /// `rate` a second); `false` when it has none left.
    pub fn allow(&self, session: &SessionId, rate: f64, burst: f64) -> bool {
        let keyed = self.keyed(rate, burst);
        let allowed = keyed.limiter.check_key(session).is_ok();
        if keyed.limiter.len() > Self::MAX_SESSIONS {
            keyed.limiter.retain_recent();
            keyed.limiter.shrink_to_fit();
        }
        allowed
    }

    /// The limiter for this quota.
    fn keyed(&self, rate: f64, burst: f64) -> Arc<Keyed> {
        let same = |k: &&Arc<Keyed>| {
            k.rate.to_bits() == rate.to_bits() && k.burst.to_bits() == burst.to_bits()
        };
        if let Some(keyed) = self
            .keyed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(same)
        {
            return keyed.clone();
        }
        let mut slot = self.keyed.write().unwrap_or_else(|e| e.into_inner());
        match slot.as_ref().filter(same) {
            Some(keyed) => keyed.clone(),
            None => slot.insert(Arc::new(Keyed::new(rate, burst))).clone(),
        }
    }

    /// Sessions remembered now.
    pub fn sessions(&self) -> usize {
        self.keyed
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, |k| k.limiter.len())
    }
}

/// How long a client's utterance id is remembered: a retry within it gets
/// the first attempt's trace.
pub const UTTERANCE_ID_TTL: Duration = Duration::from_secs(24 * 3600);

/// Something said, as a client sent it.
#[derive(Clone, Copy, Debug)]
pub struct Said<'a> {
    pub text: &'a str,
    pub source: UtteranceSource,
    /// The client's id for it (`id` on a socket, `Idempotency-Key` over
    /// HTTP): a retry with the same id is the same turn.
    pub id: Option<&'a str>,
}

impl<'a> Said<'a> {
    /// Typed text.
    pub fn typed(text: &'a str) -> Self {
        Self {
            text,
            source: UtteranceSource::Text,
            id: None,
        }
    }

    /// A final speech transcript.
    pub fn spoken(text: &'a str) -> Self {
        Self {
            source: UtteranceSource::Voice,
            ..Self::typed(text)
        }
    }

    /// With the client's id for it.
    pub fn with_id(self, id: Option<&'a str>) -> Self {
        Self { id, ..self }
    }
}

/// The turn an utterance takes: what a retry with the same id gets again.
#[derive(serde::Serialize, serde::Deserialize)]
struct Turn {
    trace_id: TraceId,
    first: bool,
    utterance_id: String,
    /// A digest of the words.
    words: String,
}

#[derive(Clone)]
pub struct Front {
    pub hub: SessionHub,
    /// Records lifecycle steps.
    pub recorder: Recorder,
    /// Where utterances are published.
    pub bus: Arc<dyn Bus>,
    pub sessions: Arc<dyn SessionStore>,
    /// Remembers clients' utterance ids.
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub keys: Keys,
    pub limits: Limits,
    /// Deadline of a new command.
    pub command_deadline: Duration,
    pub rate: Arc<RateLimiter>,
}

impl Front {
    /// Checks an utterance's text; returns it trimmed.
    pub fn validate<'a>(&self, text: &'a str) -> Result<&'a str, ErrorBody> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::EmptyUtterance,
                "The utterance is empty.",
            ));
        }
        let chars = text.chars().count();
        if chars > self.limits.max_utterance_chars {
            return Err(ErrorBody::new(
                ErrorCode::UtteranceTooLong,
                format!(
                    "The utterance has {chars} characters; the limit is {}.",
                    self.limits.max_utterance_chars
                ),
            ));
        }
        Ok(text)
    }

    /// Accepts an utterance for `session_id`: returns its trace id once
    /// `received` is recorded (for a new command) and it is on the bus.
    /// Errors are also pushed to the session (to socket `socket`, if given).
    pub async fn submit(
        &self,
        session_id: &SessionId,
        user_id: &str,
        said: Said<'_>,
        socket: Option<u64>,
    ) -> Result<TraceId, ErrorBody> {
        let result = self.accept(session_id, user_id, said).await;
        match &result {
            Ok(trace_id) => self.hub.ack(session_id, trace_id),
            Err(e) => {
                self.hub.push(
                    session_id,
                    ServerEvent::error(e.code, e.message.clone(), None),
                    socket,
                );
            }
        }
        result
    }

    async fn accept(
        &self,
        session_id: &SessionId,
        user_id: &str,
        said: Said<'_>,
    ) -> Result<TraceId, ErrorBody> {
        let text = self.validate(said.text)?;
        if !self.rate.allow(
            session_id,
            self.limits.utterances_per_second,
            self.limits.utterance_burst,
        ) {
            return Err(ErrorBody::new(
                ErrorCode::RateLimited,
                format!(
                    "Too many messages: at most {} a second (bursts of {}). Please slow down.",
                    self.limits.utterances_per_second, self.limits.utterance_burst
                ),
            ));
        }
        // The one place a conversation's trace ids are minted.
        let minted = TraceId::generate();
        let received = self.received(&minted, session_id, user_id);
        // Without an utterance id nothing is claimed: the session's open
        // command is read and, when there is none, the new command's
        // `received` recorded, in one round trip.
        let fanout = (self.recorder.fanout()).map(|c| (c, Recorder::unnumbered(&received).value));
        let announce = match (said.id, &fanout) {
            (None, Some((channel, record))) => Some((*channel, record.as_slice())),
            _ => None,
        };
        let (opening, session_version) = match said.id {
            None => {
                self.sessions
                    .open_or_receive(session_id, &received, announce)
                    .await
            }
            Some(_) => (self.sessions.open_command(session_id).await).map(|open| (open.into(), 0)),
        }
        .map_err(|e| unavailable(ErrorCode::StateUnavailable, &e))?;
        let (trace_id, first, recorded) = match opening {
            Opening::Open(open) => (open, false, None),
            Opening::NotOpen => (minted, true, None),
            Opening::Received { applied, announced } => (minted, true, Some((applied, announced))),
        };
        let mut turn = Turn {
            trace_id,
            first,
            utterance_id: TraceId::generate().0,
            words: errand_actors::agents::stable_id("words", text),
        };
        if let Some(id) = said.id {
            // A retry takes the turn its first attempt took, and is sent
            // again in case the first never reached the bus.
            turn = self.claim(session_id, id, turn).await?;
        }
        let Turn {
            trace_id,
            first,
            utterance_id,
            ..
        } = turn;
        let span = tracing::info_span!(parent: None, "utterance", trace_id = %trace_id, session_id = %session_id);
        spans::start_command(&span, &trace_id, first);
        async {
            // Before anything of the command can reach the hub (its
            // `received` step among it), so the `ack` leads.
            self.hub.expect_ack(session_id, &trace_id);
            if first {
                let recorded = match recorded {
                    Some((applied, announced)) => {
                        self.recorder.settle(received, &applied, announced).await
                    }
                    // A claimed turn's trace (this attempt's or an earlier one's).
                    None => (self.recorder)
                        .record(self.received(&trace_id, session_id, user_id))
                        .await
                        .map(drop),
                };
                if let Err(e) = recorded {
                    self.hub.unexpect_ack(session_id, &trace_id);
                    return Err(unavailable(e.code(), &e));
                }
            }
            let utterance = Utterance {
                utterance_id,
                trace_id: trace_id.clone(),
                session_id: session_id.clone(),
                user_id: user_id.to_owned(),
                text: text.to_owned(),
                source: said.source,
                received_at_ms: self.recorder.clock.now_ms(),
                session_version,
                act: None,
            };
            if let Err(e) = (self.bus)
                .publish(OutRecord::json(TRANSCRIPT, session_id.as_str(), &utterance))
                .await
            {
                self.hub.unexpect_ack(session_id, &trace_id);
                return Err(unavailable(ErrorCode::BusUnavailable, &e));
            }
            tracing::info!(trace_id = %trace_id, session_id = %session_id, "utterance accepted");
            Ok(trace_id.clone())
        }
        .instrument(span)
        .await
    }
}

impl Front {
    /// The first step of a command the gateway starts.
    fn received(&self, trace_id: &TraceId, session_id: &SessionId, user_id: &str) -> StatusUpdate {
        let now = self.recorder.clock.now_ms();
        StatusUpdate {
            deadline_ms: Some(now + self.command_deadline.as_millis() as u64),
            at_ms: now,
            ..StatusUpdate::new(
                trace_id.clone(),
                session_id.clone(),
                user_id,
                Status::Received,
                0,
            )
        }
    }

    /// Claims the client's utterance `id` in the session for `turn`, or
    /// finds the turn an earlier attempt with the same `id` claimed (for
    /// [`UTTERANCE_ID_TTL`]). The same `id` with other words is a conflict.
    async fn claim(&self, session_id: &SessionId, id: &str, turn: Turn) -> Result<Turn, ErrorBody> {
        if id.is_empty() || id.len() > 255 {
            return Err(ErrorBody::new(
                ErrorCode::InvalidMessage,
                "An utterance id has 1 to 255 characters.",
            ));
        }
        let key = (self.keys).idempotency(&format!("{session_id}:{id}"), "utterance");
        let ours = serde_json::to_vec(&turn).expect("a turn serialises");
        let stored = (self.idempotency)
            .put_if_absent_for(&key, &ours, UTTERANCE_ID_TTL)
            .await
            .map_err(|e| unavailable(ErrorCode::StateUnavailable, &e))?;
        let claimed: Turn = serde_json::from_slice(&stored).map_err(|e| {
            ErrorBody::new(
                ErrorCode::StateUnavailable,
                format!("The record of utterance id {id} is unreadable ({e})."),
            )
        })?;
        if claimed.words != turn.words {
            return Err(ErrorBody::new(
                ErrorCode::IdempotencyConflict,
                "This utterance id was used for different words in this session.",
            ));
        }
        if stored != ours {
            tracing::info!(session_id = %session_id, trace_id = %claimed.trace_id, "a retried utterance");
        }
        Ok(claimed)
    }

    /// Hands a command made outside the conversation (a REST adapter's) to
    /// the router on `agent.cmd`, as the reasoner hands its own; `first`
    /// when errand has not seen the command before (not a retry).
    pub async fn dispatch(&self, command: &Command, first: bool) -> Result<(), ErrorBody> {
        let span = tracing::info_span!(parent: None, "rest_command", trace_id = %command.trace_id, domain = command.domain());
        spans::start_command(&span, &command.trace_id, first);
        async {
            self.bus
                .publish(OutRecord::json(
                    AGENT_CMD,
                    command.session_id.as_str(),
                    command,
                ))
                .await
                .map_err(|e| unavailable(ErrorCode::BusUnavailable, &e))?;
            tracing::info!(trace_id = %command.trace_id, domain = command.domain(), "command handed to the router");
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// A button pressed on the person's screen (Confirm or Cancel) for
    /// `trace_id`: it answers that command only, whatever else is open.
    pub async fn press(
        &self,
        session_id: &SessionId,
        user_id: &str,
        trace_id: &TraceId,
        act: Act,
        socket: Option<u64>,
    ) -> Result<(), ErrorBody> {
        let result = self.publish_press(session_id, user_id, trace_id, act).await;
        if let Err(e) = &result {
            self.hub.push(
                session_id,
                ServerEvent::error(e.code, e.message.clone(), Some(trace_id.clone())),
                socket,
            );
        }
        result
    }

    async fn publish_press(
        &self,
        session_id: &SessionId,
        user_id: &str,
        trace_id: &TraceId,
        act: Act,
    ) -> Result<(), ErrorBody> {
        if trace_id.as_str().is_empty() || trace_id.as_str().len() > 128 {
            return Err(ErrorBody::new(
                ErrorCode::InvalidMessage,
                "A trace id has 1 to 128 characters.",
            ));
        }
        if !self.rate.allow(
            session_id,
            self.limits.utterances_per_second,
            self.limits.utterance_burst,
        ) {
            return Err(ErrorBody::new(
                ErrorCode::RateLimited,
                "Too many messages. Please slow down.",
            ));
        }
        let utterance = Utterance {
            utterance_id: TraceId::generate().0,
            trace_id: trace_id.clone(),
            session_id: session_id.clone(),
            user_id: user_id.to_owned(),
            text: match act {
                Act::Confirm => "confirm".into(),
                Act::Cancel => "cancel".into(),
            },
            source: UtteranceSource::Text,
            received_at_ms: self.recorder.clock.now_ms(),
            session_version: 0,
            act: Some(act),
        };
        let span = tracing::info_span!(parent: None, "press", trace_id = %trace_id, session_id = %session_id);
        spans::start_command(&span, trace_id, false);
        self.bus
            .publish(OutRecord::json(TRANSCRIPT, session_id.as_str(), &utterance))
            .instrument(span)
            .await
            .map_err(|e| unavailable(ErrorCode::BusUnavailable, &e))?;
        tracing::info!(trace_id = %trace_id, session_id = %session_id, act = ?act, "button pressed");
        Ok(())
    }
}

fn unavailable(code: ErrorCode, e: &dyn std::fmt::Display) -> ErrorBody {
    tracing::warn!(code = %code, error = %e, "cannot accept an utterance");
    let message = match code {
        ErrorCode::StateUnavailable => "The state store is unavailable; please try again shortly.",
        ErrorCode::BusUnavailable => "The message bus is unavailable; please try again shortly.",
        _ => "errand cannot take requests right now.",
    };
    ErrorBody::new(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: &str) -> SessionId {
        SessionId(name.to_owned())
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_then_the_sustained_rate_per_session() {
        let limiter = RateLimiter::default();
        let a = session("a");
        for _ in 0..3 {
            assert!(limiter.allow(&a, 0.1, 3.0));
        }
        assert!(!limiter.allow(&a, 0.1, 3.0), "the burst is spent");
        assert!(limiter.allow(&session("b"), 0.1, 3.0), "b has its own");
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(!limiter.allow(&a, 0.1, 3.0), "not yet ten seconds");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(limiter.allow(&a, 0.1, 3.0), "one every ten seconds");
        assert!(!limiter.allow(&a, 0.1, 3.0));
        // Refilled to the burst, no further.
        tokio::time::advance(Duration::from_secs(3600)).await;
        for _ in 0..3 {
            assert!(limiter.allow(&a, 0.1, 3.0));
        }
        assert!(!limiter.allow(&a, 0.1, 3.0));
        // A fractional burst rounds down, as a bucket that never holds a
        // whole second token.
        for _ in 0..2 {
            assert!(limiter.allow(&session("c"), 1.0, 2.5));
        }
        assert!(!limiter.allow(&session("c"), 1.0, 2.5));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_sessions_are_forgotten_past_the_bound() {
        let limiter = RateLimiter::default();
        for i in 0..RateLimiter::MAX_SESSIONS {
            assert!(limiter.allow(&session(&i.to_string()), 1000.0, 1.0));
        }
        assert_eq!(limiter.sessions(), RateLimiter::MAX_SESSIONS);
        tokio::time::advance(Duration::from_millis(10)).await;
        assert!(limiter.allow(&session("busy"), 1000.0, 1.0));
        assert_eq!(limiter.sessions(), 1, "only the busy one is kept");
        assert!(
            !limiter.allow(&session("busy"), 1000.0, 1.0),
            "and still limited"
        );
    }

    #[test]
    fn odd_quotas_do_not_panic() {
        let limiter = RateLimiter::default();
        let a = session("a");
        for (rate, burst) in [
            (0.0, 0.0),
            (-1.0, 5.0),
            (f64::NAN, f64::NAN),
            (f64::INFINITY, f64::INFINITY),
            (1e-30, 1e30),
            (1e30, 1.0),
        ] {
            limiter.allow(&a, rate, burst);
            limiter.allow(&a, rate, burst);
        }
        assert!(limiter.allow(&session("b"), 1e30, 1.0));
    }
}
