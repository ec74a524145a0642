//! [`SessionHub`]: the sockets of every session on this gateway, the
//! numbering of the session's events (`seq`, see [`crate::order`]), and
//! its recent events for replay.
//!
//! Every event for a session goes through the hub, which numbers it,
//! remembers it (the last [`SESSION_REPLAY`] events, at most
//! [`SESSION_REPLAY_BYTES`]; partial voice transcripts are only echoed) and
//! sends it to each socket of the session. Steps and questions come
//! numbered from the state store and are shown in that order on every
//! gateway ([`SessionHub::push_step`], [`SessionHub::push_question`]);
//! redelivered ones are recognised and not shown twice. A socket whose
//! buffer is full is slow; it loses events rather than slowing the others,
//! and can ask for them again with `resume`.
//!
//! Memory is bounded: a session with no socket open is forgotten after
//! [`HUB_IDLE`] without an event, and beyond [`HUB_SESSIONS`] sessions the
//! socketless one idle longest goes first.
//!
//! `seq` never goes back for a client: shared events take their numbers
//! from the session's counter (kept with the session in the store), and a
//! client that resumes (`after_seq`, `Last-Event-ID`) raises the floor of
//! what this gateway gives next, even if it restarted or forgot the
//! session.

use crate::order::{GAP_WAIT, Group, Order};
use errand_schemas::{
    Clarification, ClientEvent, ServerEvent, SessionId, Status, StatusUpdate, TraceId,
};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

use errand_actors::bounds::{
    HUB_IDLE, HUB_SESSIONS, SESSION_REPLAY, SESSION_REPLAY_BYTES, SOCKET_BUFFER,
};
use tokio::time::Instant;

struct Session {
    order: Order,
    sockets: Vec<(u64, mpsc::Sender<Arc<ClientEvent>>)>,
    /// Events for replay, with their size in bytes.
    recent: VecDeque<(Arc<ClientEvent>, usize)>,
    recent_bytes: usize,
    seen: HashSet<(TraceId, Status, u32)>,
    seen_order: VecDeque<(TraceId, Status, u32)>,
    /// Utterances on their way to the bus whose `ack` is not sent yet: an
    /// event of one of these traces sends the `ack` first.
    unacked: Vec<TraceId>,
    /// The last event or socket.
    active: Instant,
}

impl Default for Session {
    fn default() -> Self {
        Self {
            order: Order::default(),
            sockets: Vec::new(),
            recent: VecDeque::new(),
            recent_bytes: 0,
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            unacked: Vec::new(),
            active: Instant::now(),
        }
    }
}

/// Sessions, with the time of the last sweep for forgotten ones.
struct Sessions {
    map: HashMap<SessionId, Session>,
    swept: Instant,
}

impl Default for Sessions {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            swept: Instant::now(),
        }
    }
}

impl Sessions {
    /// The session, remembered from now on; forgets idle ones first when
    /// it is time to (see the module's documentation).
    fn entry(&mut self, id: &SessionId, limits: &HubLimits) -> &mut Session {
        if !self.map.contains_key(id) {
            self.forget_idle(limits);
        }
        let session = self.map.entry(id.clone()).or_default();
        session.active = Instant::now();
        session
    }

    fn forget_idle(&mut self, limits: &HubLimits) {
        let now = Instant::now();
        if now.duration_since(self.swept) >= limits.idle / 16 {
            self.swept = now;
            self.map
                .retain(|_, s| !s.sockets.is_empty() || now.duration_since(s.active) < limits.idle);
        }
        if self.map.len() >= limits.sessions {
            // The oldest eighth of the socketless ones at once, so a flood
            // of new sessions costs one pass per eighth, not one per session.
            // (Sessions with a socket open are bounded by the socket limits.)
            let mut idle: Vec<(Instant, SessionId)> = (self.map.iter())
                .filter(|(_, s)| s.sockets.is_empty())
                .map(|(id, s)| (s.active, id.clone()))
                .collect();
            let gone = (self.map.len() / 8).max(1).min(idle.len());
            if gone > 0 {
                idle.select_nth_unstable_by_key(gone - 1, |(at, _)| *at);
                for (_, id) in &idle[..gone] {
                    self.map.remove(id);
                }
            }
        }
    }
}

/// How much the hub remembers.
#[derive(Clone, Copy, Debug)]
pub struct HubLimits {
    pub sessions: usize,
    pub idle: std::time::Duration,
    pub replay_events: usize,
    pub replay_bytes: usize,
}

impl Default for HubLimits {
    fn default() -> Self {
        Self {
            sessions: HUB_SESSIONS,
            idle: HUB_IDLE,
            replay_events: SESSION_REPLAY,
            replay_bytes: SESSION_REPLAY_BYTES,
        }
    }
}

/// A socket's registration; dropping it leaves the session.
pub struct Subscription {
    pub session_id: SessionId,
    pub id: u64,
    /// Shared with the replay buffer and the session's other sockets (a
    /// socket's queue is then a few bytes an event, not a whole event).
    pub events: mpsc::Receiver<Arc<ClientEvent>>,
    hub: SessionHub,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.leave(&self.session_id, self.id);
    }
}

#[derive(Clone, Default)]
pub struct SessionHub {
    sessions: Arc<Mutex<Sessions>>,
    limits: HubLimits,
    errors: Arc<Mutex<std::collections::BTreeMap<&'static str, u64>>>,
    next_id: Arc<AtomicU64>,
    sockets: Arc<AtomicU64>,
}

impl SessionHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// A hub that remembers no more than `limits` say.
    pub fn with_limits(limits: HubLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Sessions remembered now.
    pub fn session_count(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a socket on `session_id`.
    pub fn join(&self, session_id: &SessionId) -> Subscription {
        let (tx, rx) = mpsc::channel(SOCKET_BUFFER);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(session_id, &self.limits)
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
        if let Some(s) = sessions.map.get_mut(session_id) {
            s.sockets.retain(|(sid, _)| *sid != id);
            s.active = Instant::now();
        }
        self.sockets.fetch_sub(1, Ordering::Relaxed);
    }

    /// Open sockets on this gateway.
    pub fn socket_count(&self) -> u64 {
        self.sockets.load(Ordering::Relaxed)
    }

    /// Pushes one lifecycle step (its `status` event, then its `reply`),
    /// in its place among the session's events, unless this step was
    /// pushed before (a redelivery).
    pub fn push_step(&self, update: &StatusUpdate) {
        {
            let mut sessions = self.lock();
            let session = sessions.entry(&update.session_id, &self.limits);
            let key = (update.trace_id.clone(), update.status, update.turn);
            if !session.seen.insert(key.clone()) {
                return;
            }
            session.seen_order.push_back(key);
            if session.seen_order.len() > self.limits.replay_events
                && let Some(old) = session.seen_order.pop_front()
            {
                session.seen.remove(&old);
            }
        }
        self.push_numbered(
            &update.session_id,
            update.seq,
            ServerEvent::from_status(update),
        );
    }

    /// Pushes a question (or words alone) in its place among the session's
    /// events, unless it was pushed before.
    pub fn push_question(&self, question: &Clarification) {
        let events = ServerEvent::from_question(question);
        self.push_numbered(&question.session_id, question.seq, events);
    }

    /// Events of one shared step or question numbered `n` (0: not
    /// numbered, shown as local events).
    fn push_numbered(&self, session_id: &SessionId, n: u64, events: Vec<ServerEvent>) {
        if n == 0 {
            for event in events {
                self.push(session_id, event, None);
            }
            return;
        }
        let may_wait = tokio::runtime::Handle::try_current().is_ok();
        let wait = {
            let mut sessions = self.lock();
            let session = sessions.entry(session_id, &self.limits);
            let was_holding = session.order.holding();
            let now = Instant::now();
            let mut groups = session.order.arrive(n, events, now);
            if !may_wait {
                groups.extend(session.order.release_due(now + GAP_WAIT));
            }
            self.show(session_id, session, groups);
            !was_holding && session.order.holding()
        };
        if wait {
            self.release_later(session_id);
        }
    }

    /// After [`GAP_WAIT`], shows what still waits for a missing number.
    fn release_later(&self, session_id: &SessionId) {
        let hub = self.clone();
        let session_id = session_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(GAP_WAIT).await;
            let again = {
                let mut sessions = hub.lock();
                let Some(session) = sessions.map.get_mut(&session_id) else {
                    return;
                };
                let groups = session.order.release_due(Instant::now());
                if let Some((n, _)) = groups.first() {
                    tracing::debug!(session_id = %session_id, shown = n, "gave up waiting for an earlier event number");
                }
                hub.show(&session_id, session, groups);
                session.order.holding()
            };
            if again {
                hub.release_later(&session_id);
            }
        });
    }

    /// Numbers and sends groups of shared events; an `ack` still due for
    /// a group's trace goes first.
    fn show(&self, session_id: &SessionId, session: &mut Session, groups: Vec<Group>) {
        for (n, events) in groups {
            let due = (events.iter())
                .find_map(ServerEvent::trace_id)
                .filter(|trace| take(&mut session.unacked, trace))
                .cloned();
            if let Some(trace) = due {
                let seq = session.order.local();
                self.deliver(session_id, session, ack(session_id, &trace), seq, None);
            }
            let base = session.order.base(n, events.len());
            for (event, seq) in events.into_iter().zip(base..) {
                self.deliver(session_id, session, event, seq, None);
            }
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

    /// An utterance of `trace_id` is about to go on the bus: its `ack`
    /// comes before any other event of that trace, even one the reasoner
    /// sends before the publish returns. [`SessionHub::ack`] sends it if
    /// nothing did; [`SessionHub::unexpect_ack`] withdraws it.
    pub fn expect_ack(&self, session_id: &SessionId, trace_id: &TraceId) {
        let mut sessions = self.lock();
        let session = sessions.entry(session_id, &self.limits);
        if !session.unacked.contains(trace_id) {
            session.unacked.push(trace_id.clone());
        }
    }

    /// Sends the `ack` of `trace_id` unless an event of the trace already
    /// brought it.
    pub fn ack(&self, session_id: &SessionId, trace_id: &TraceId) {
        let due =
            (self.lock().map.get_mut(session_id)).is_some_and(|s| take(&mut s.unacked, trace_id));
        if due {
            self.push(session_id, ack(session_id, trace_id), None);
        }
    }

    /// The utterance of `trace_id` did not reach the bus: no `ack`.
    pub fn unexpect_ack(&self, session_id: &SessionId, trace_id: &TraceId) {
        if let Some(s) = self.lock().map.get_mut(session_id) {
            take(&mut s.unacked, trace_id);
        }
    }

    /// Numbers `event` and sends it to every socket of the session (or only
    /// to socket `only`); an `ack` still due for its trace goes first.
    pub fn push(
        &self,
        session_id: &SessionId,
        event: ServerEvent,
        only: Option<u64>,
    ) -> Arc<ClientEvent> {
        let due = (event.trace_id())
            .filter(|_| !matches!(event, ServerEvent::Ack { .. }))
            .and_then(|trace| {
                let mut sessions = self.lock();
                let session = sessions.map.get_mut(session_id)?;
                take(&mut session.unacked, trace).then(|| trace.clone())
            });
        if let Some(trace) = due {
            self.push_now(session_id, ack(session_id, &trace), None);
        }
        self.push_now(session_id, event, only)
    }

    fn push_now(
        &self,
        session_id: &SessionId,
        event: ServerEvent,
        only: Option<u64>,
    ) -> Arc<ClientEvent> {
        let mut sessions = self.lock();
        let session = sessions.entry(session_id, &self.limits);
        let seq = session.order.local();
        self.deliver(session_id, session, event, seq, only)
    }

    /// Remembers `event` as `seq` and sends it to every socket of the
    /// session (or only to socket `only`).
    fn deliver(
        &self,
        session_id: &SessionId,
        session: &mut Session,
        event: ServerEvent,
        seq: u64,
        only: Option<u64>,
    ) -> Arc<ClientEvent> {
        if let ServerEvent::Error { code, .. } = &event {
            *self
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(code.as_str())
                .or_default() += 1;
        }
        // Partial transcripts are shown as they come, not kept for replay.
        let kept = !matches!(
            event,
            ServerEvent::Transcript {
                is_final: false,
                ..
            }
        );
        let numbered = Arc::new(ClientEvent { seq, event });
        if kept {
            let bytes = serde_json::to_vec(&*numbered).map_or(0, |b| b.len());
            session.recent.push_back((numbered.clone(), bytes));
            session.recent_bytes += bytes;
            while session.recent.len() > self.limits.replay_events
                || session.recent_bytes > self.limits.replay_bytes
            {
                let Some((_, gone)) = session.recent.pop_front() else {
                    break;
                };
                session.recent_bytes -= gone;
            }
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

    /// The session's remembered events after `after_seq`, for a client
    /// that has seen the rest: what this gateway numbers next is above
    /// `after_seq`.
    pub fn replay(&self, session_id: &SessionId, after_seq: u64) -> Vec<Arc<ClientEvent>> {
        let mut sessions = self.lock();
        let session = sessions.entry(session_id, &self.limits);
        session.order.seen_up_to(after_seq);
        (session.recent.iter())
            .filter(|(e, _)| e.seq > after_seq)
            .map(|(e, _)| e.clone())
            .collect()
    }

    /// Sends the remembered events after `after_seq` again, as they were
    /// numbered, to socket `only` (a `resume` on an open socket).
    pub fn resend(&self, session_id: &SessionId, after_seq: u64, only: u64) {
        let missed = self.replay(session_id, after_seq);
        let sessions = self.lock();
        let Some((_, tx)) = (sessions.map.get(session_id))
            .and_then(|s| s.sockets.iter().find(|(id, _)| *id == only))
        else {
            return;
        };
        for event in missed {
            if tx.try_send(event).is_err() {
                tracing::warn!(session_id = %session_id, socket = only, "slow socket dropped a resent event");
            }
        }
    }
}

fn ack(session_id: &SessionId, trace_id: &TraceId) -> ServerEvent {
    ServerEvent::Ack {
        trace_id: trace_id.clone(),
        session_id: session_id.clone(),
    }
}

/// Removes `item` from `list`: whether it was there.
fn take(list: &mut Vec<TraceId>, item: &TraceId) -> bool {
    let before = list.len();
    list.retain(|t| t != item);
    list.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn id(name: &str) -> SessionId {
        SessionId(name.to_owned())
    }

    fn reply(text: &str) -> ServerEvent {
        ServerEvent::Reply {
            trace_id: TraceId("t".into()),
            text: text.to_owned(),
        }
    }

    fn limits() -> HubLimits {
        HubLimits {
            sessions: 16,
            ..HubLimits::default()
        }
    }

    #[tokio::test]
    async fn beyond_the_limit_the_idle_sessions_are_forgotten_and_open_ones_kept() {
        let hub = SessionHub::with_limits(limits());
        let mut open = hub.join(&id("open"));
        for n in 0..1_000 {
            hub.push(&id(&format!("s{n}")), reply("hello"), None);
        }
        assert!(hub.session_count() <= 16, "{}", hub.session_count());
        hub.push(&id("open"), reply("still here"), None);
        let got = open.events.recv().await.unwrap();
        assert!(matches!(got.event, ServerEvent::Reply { ref text, .. } if text == "still here"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_session_with_no_socket_is_forgotten_after_its_idle_time() {
        let hub = SessionHub::with_limits(limits());
        hub.push(&id("a"), reply("one"), None);
        let socket = hub.join(&id("b"));
        tokio::time::advance(HUB_IDLE + Duration::from_secs(1)).await;
        hub.push(&id("c"), reply("two"), None);
        let mut left: Vec<String> = hub.lock().map.keys().map(|k| k.0.clone()).collect();
        left.sort();
        assert_eq!(left, ["b", "c"], "a is forgotten, b has a socket");
        drop(socket);
    }

    #[test]
    fn partial_transcripts_are_echoed_not_kept_and_replay_is_bounded_in_bytes() {
        let hub = SessionHub::with_limits(HubLimits {
            replay_bytes: 64 * 1024,
            ..limits()
        });
        let s = id("talk");
        let mut socket = hub.join(&s);
        let partial = ServerEvent::Transcript {
            text: "x".repeat(60_000),
            is_final: false,
        };
        hub.push(&s, partial, None);
        assert!(socket.events.try_recv().is_ok(), "the partial is echoed");
        assert!(hub.replay(&s, 0).is_empty(), "and not kept");
        for _ in 0..40 {
            hub.push(&s, reply(&"y".repeat(10_000)), None);
        }
        let kept = hub.replay(&s, 0);
        let bytes: usize = kept
            .iter()
            .map(|e| serde_json::to_vec(e).unwrap().len())
            .sum();
        assert!(bytes <= 64 * 1024, "{bytes} bytes kept");
        assert!(!kept.is_empty());
    }

    #[test]
    fn seq_never_goes_back_for_a_client_that_resumes_on_a_fresh_gateway() {
        let first = SessionHub::new();
        let mut step = StatusUpdate::new(TraceId("t".into()), id("a"), "demo", Status::Received, 1);
        step.seq = 1_781_600_000_000;
        first.push_step(&step);
        let seen = first.push(&id("a"), reply("one"), None).seq;
        // A gateway that restarted, or forgot the session: the client says
        // what it saw.
        let again = SessionHub::new();
        assert!(again.replay(&id("a"), seen).is_empty());
        let next = again.push(&id("a"), reply("two"), None).seq;
        step.status = Status::Understood;
        step.seq += 1;
        again.push_step(&step);
        let shared = again.replay(&id("a"), next);
        assert!(next > seen, "{seen} {next}");
        assert_eq!(shared[0].seq, step.seq * crate::order::STRIDE, "{shared:?}");
        assert!(shared[0].seq < (1u64 << 53), "exact in JavaScript");
    }

    #[tokio::test(start_paused = true)]
    async fn steps_and_questions_show_in_their_numbered_order_on_every_gateway() {
        let (a, b) = (SessionHub::new(), SessionHub::new());
        let session = id("s");
        let mut on_a = a.join(&session);
        let step = |status, seq| StatusUpdate {
            seq,
            ..StatusUpdate::new(TraceId("t".into()), id("s"), "demo", status, 1)
        };
        let question = Clarification {
            trace_id: TraceId("t".into()),
            session_id: id("s"),
            user_id: "demo".into(),
            intent: "order_food".into(),
            missing: vec!["address".into()],
            question: "Where to?".into(),
            turn: 1,
            reply: None,
            summary: None,
            seq: 12,
        };
        // A sees the question before the step it follows; B in order.
        a.push_step(&step(Status::Received, 10));
        a.push_question(&question);
        a.push_step(&step(Status::AwaitingClarification, 11));
        b.push_step(&step(Status::Received, 10));
        b.push_step(&step(Status::AwaitingClarification, 11));
        b.push_question(&question);
        b.push_question(&question); // a redelivery
        let seqs = |hub: &SessionHub| -> Vec<u64> {
            hub.replay(&session, 0).iter().map(|e| e.seq).collect()
        };
        assert_eq!(seqs(&a), seqs(&b));
        let mut got = Vec::new();
        while let Ok(e) = on_a.events.try_recv() {
            got.push(e.seq);
        }
        assert!(got.is_sorted() && got.len() == seqs(&a).len(), "{got:?}");
        // A client that saw the step on A resumes on B: only the question.
        let after = 11 * crate::order::STRIDE;
        let missed = b.replay(&session, after);
        assert!(
            missed.iter().all(|e| e.seq >= 12 * crate::order::STRIDE),
            "{missed:?}"
        );
        assert!(matches!(missed[0].event, ServerEvent::Clarify { .. }));
        // A number that never comes is given up after the wait.
        a.push_step(&step(Status::Dispatched, 14));
        assert!(on_a.events.try_recv().is_err(), "waits for 13");
        tokio::time::sleep(GAP_WAIT * 2).await;
        let late = on_a.events.recv().await.unwrap();
        assert_eq!(late.seq, 14 * crate::order::STRIDE);
    }

    #[tokio::test]
    async fn an_ack_comes_before_any_event_of_its_trace_and_only_once() {
        let hub = SessionHub::new();
        let session = id("a");
        let mut sub = hub.join(&session);
        let trace = TraceId("t-1".into());
        hub.expect_ack(&session, &trace);
        // The reasoner answers before the publish returned.
        hub.push(
            &session,
            ServerEvent::Reply {
                trace_id: trace.clone(),
                text: "no".into(),
            },
            None,
        );
        hub.ack(&session, &trace);
        let first = sub.events.recv().await.unwrap();
        let second = sub.events.recv().await.unwrap();
        assert!(matches!(first.event, ServerEvent::Ack { .. }), "{first:?}");
        assert!(
            matches!(second.event, ServerEvent::Reply { .. }),
            "{second:?}"
        );
        assert!(sub.events.try_recv().is_err(), "one ack");
        // A publish that failed sends none.
        let other = TraceId("t-2".into());
        hub.expect_ack(&session, &other);
        hub.unexpect_ack(&session, &other);
        hub.push(
            &session,
            ServerEvent::Reply {
                trace_id: other.clone(),
                text: "x".into(),
            },
            None,
        );
        hub.ack(&session, &other);
        let only = sub.events.recv().await.unwrap();
        assert!(matches!(only.event, ServerEvent::Reply { .. }), "{only:?}");
        assert!(sub.events.try_recv().is_err());
    }
}
