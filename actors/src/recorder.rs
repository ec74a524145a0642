//! [`Recorder`]: records lifecycle steps. Every role that knows a step (the
//! gateway: received; the reasoner: understood, awaiting clarification,
//! declined, cancelled; an agent host: dispatched, and confirmed or failed
//! with the first result it keeps; the router: dispatched to an external
//! agent; the state tracker: an external agent's confirmed and failed, or a
//! result whose step is not recorded yet) records it through this one
//! handle: the step is applied to the
//! state store under the transition rule, and announced on `agent.status`
//! when it moved the command forward (or is a redelivery of the step that
//! did, so a crash between the two never loses the announcement). The
//! store numbers the step among its session's events; the announcement
//! carries that number, so every gateway shows it in the same place.

use crate::bus::{Bus, BusError, OutRecord, RedisChannel};
use crate::clock::Clock;
use crate::store::{Applied, Guard, Guarded, IdempotencyStore, StateStore, StoreError};
use errand_schemas::topics::AGENT_STATUS;
use errand_schemas::{AgentResult, ErrorBody, ErrorCode, Outcome, Status, StatusUpdate};
use std::sync::Arc;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TrackError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bus(#[from] BusError),
    /// An agent did not answer a quote or a cancellation.
    #[error("{0}")]
    Agent(ErrorBody),
}

impl TrackError {
    /// The code a client sees for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            TrackError::Store(_) => ErrorCode::StateUnavailable,
            TrackError::Bus(_) => ErrorCode::BusUnavailable,
            TrackError::Agent(e) => e.code,
        }
    }
}

#[derive(Clone)]
pub struct Recorder {
    pub store: Arc<dyn StateStore>,
    pub bus: Arc<dyn Bus>,
    pub clock: Clock,
    /// Observed when a command reaches its final status on this node.
    pub latency: crate::metrics::CommandLatency,
    /// Where `agent.status` fans out through Redis pub/sub, if it does
    /// (looked up once: the bus does not change).
    fanout: Option<Arc<RedisChannel>>,
}

impl Recorder {
    pub fn new(store: Arc<dyn StateStore>, bus: Arc<dyn Bus>, clock: Clock) -> Self {
        Self {
            fanout: bus.redis_fanout(AGENT_STATUS).map(Arc::new),
            store,
            bus,
            clock,
            latency: Default::default(),
        }
    }

    /// Applies `step` and announces it when it counts.
    pub async fn record(&self, step: StatusUpdate) -> Result<Applied, TrackError> {
        // Statuses fanned out through the store's own Redis go out in the
        // round trip that records them; this node's subscribers then get
        // them from here.
        let (applied, fanned_out) = match &self.fanout {
            Some(channel) => {
                let unnumbered = Self::unnumbered(&step);
                self.store
                    .apply_announcing(&step, channel, &unnumbered.value)
                    .await?
            }
            None => (self.store.apply(&step).await?, false),
        };
        self.settle(step, &applied, fanned_out).await?;
        Ok(applied)
    }

    /// As [`Recorder::record`], only if `guard` lets it (see
    /// [`StateStore::apply_guarded`]): [`Guarded::Kept`] with the value
    /// found kept under its key when one was (the step then is not
    /// recorded).
    pub async fn record_guarded(
        &self,
        kept: &dyn IdempotencyStore,
        guard: Guard<'_>,
        step: StatusUpdate,
    ) -> Result<Guarded, TrackError> {
        let unnumbered = self.fanout.as_ref().map(|_| Self::unnumbered(&step));
        let announce = (self.fanout.as_deref()).zip(unnumbered.as_ref().map(|r| &r.value[..]));
        match self
            .store
            .apply_guarded(kept, guard, &step, announce)
            .await?
        {
            Guarded::Kept(first) => Ok(Guarded::Kept(first)),
            Guarded::Applied { applied, announced } => {
                self.settle(step, &applied, announced).await?;
                Ok(Guarded::Applied { applied, announced })
            }
        }
    }

    /// Where `agent.status` fans out through Redis pub/sub, if it does: a
    /// store that records a step there announces it in the same round trip.
    pub fn fanout(&self) -> Option<&RedisChannel> {
        self.fanout.as_deref()
    }

    /// The step's topic record without its event number (the store puts
    /// the number in).
    pub fn unnumbered(step: &StatusUpdate) -> OutRecord {
        let key = step.session_id.as_str();
        match step.seq {
            0 => OutRecord::json(AGENT_STATUS, key, step),
            _ => OutRecord::json(
                AGENT_STATUS,
                key,
                &StatusUpdate {
                    seq: 0,
                    ..step.clone()
                },
            ),
        }
    }

    /// What follows applying `step`: its latency observed when it ended the
    /// command, and its announcement when it counts, on this node only
    /// when the store already `fanned_out` it to the others.
    pub async fn settle(
        &self,
        step: StatusUpdate,
        applied: &Applied,
        fanned_out: bool,
    ) -> Result<(), TrackError> {
        tracing::debug!(
            trace_id = %step.trace_id,
            session_id = %step.session_id,
            status = %step.status,
            moved = matches!(applied, Applied::Moved(_)),
            "lifecycle step"
        );
        if let Applied::Moved(state) = &applied
            && state.status.is_final()
        {
            let domain = state.domain.as_deref().unwrap_or("none");
            let ms = state.updated_at_ms.saturating_sub(state.created_at_ms);
            self.latency.observe(domain, state.status.as_str(), ms);
        }
        if applied.announce() {
            // With the session event number the store gave it (the same
            // again for a redelivery).
            let step = StatusUpdate {
                seq: applied.state().seq,
                ..step
            };
            let record = OutRecord::json(AGENT_STATUS, step.session_id.as_str(), &step);
            if fanned_out {
                self.bus.deliver_here(record).await?;
            } else {
                self.bus.publish(record).await?;
            }
        }
        Ok(())
    }
}

/// The final lifecycle step an agent's result stands for.
pub fn final_step(result: &AgentResult) -> StatusUpdate {
    let (status, result_body, error) = match &result.outcome {
        Outcome::Confirmed { result } => (Status::Confirmed, Some(result.clone()), None),
        Outcome::Failed { error } => (Status::Failed, None, Some(error.clone())),
    };
    StatusUpdate {
        domain: Some(result.domain.clone()),
        result: result_body,
        error,
        reply: Some(result.reply.clone()).filter(|r| !r.is_empty()),
        ..StatusUpdate::new(
            result.trace_id.clone(),
            result.session_id.clone(),
            result.user_id.clone(),
            status,
            0,
        )
    }
}
