//! The state tracker: records the end of every command. It consumes the
//! domain outputs (`agent.out.<domain>`, produced by the router or by an
//! external agent) and records `confirmed` or `failed` with the result,
//! which the [`Tracker`] announces on `agent.status`. Results run in
//! parallel lanes, one session per lane.

use crate::envelope::Envelope;
use crate::lanes::Lanes;
use crate::tracking::Tracker;
use errand_schemas::{AgentResult, Outcome, Status, StatusUpdate};
use ractor::{Actor, ActorProcessingErr, ActorRef};

pub enum TrackerMessage {
    Result(Envelope<AgentResult>),
}

impl ractor::Message for TrackerMessage {}

pub struct StateTracker;

pub struct TrackerState {
    lanes: Option<Lanes<Envelope<AgentResult>>>,
}

/// Lanes of the state tracker.
pub const LANES: usize = 64;

impl Actor for StateTracker {
    type Msg = TrackerMessage;
    type State = TrackerState;
    type Arguments = Tracker;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        tracker: Tracker,
    ) -> Result<Self::State, ActorProcessingErr> {
        let lanes = Lanes::new(LANES, move |envelope: Envelope<AgentResult>| {
            let tracker = tracker.clone();
            async move {
                let step = final_step(envelope.payload());
                match tracker.record(step).await {
                    Ok(_) => envelope.ack(),
                    Err(e) => envelope.fail(e.code(), e),
                }
            }
        });
        Ok(TrackerState { lanes: Some(lanes) })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(lanes) = state.lanes.take() {
            lanes.drain(std::time::Duration::from_secs(10)).await;
        }
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let TrackerMessage::Result(envelope) = message;
        if let Some(lanes) = &mut state.lanes {
            let key = envelope.payload().session_id.to_string();
            lanes.dispatch(&key, envelope);
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
