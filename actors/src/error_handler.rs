//! The error handler: consumes `agent.error`. For every dead letter it keeps
//! the record for replay, marks its command `failed` and tells the person.

use crate::envelope::Envelope;
use crate::retrier::public_code;
use crate::store::DeadLetterStore;
use crate::tracking::Tracker;
use errand_schemas::{DeadLetter, ErrorBody, ErrorCode, Status, StatusUpdate};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::sync::Arc;

pub enum ErrorHandlerMessage {
    DeadLetter(Envelope<DeadLetter>),
}

impl ractor::Message for ErrorHandlerMessage {}

pub struct ErrorHandler;

#[derive(Clone)]
pub struct ErrorHandlerArgs {
    pub tracker: Tracker,
    pub dead_letters: Arc<dyn DeadLetterStore>,
}

impl Actor for ErrorHandler {
    type Msg = ErrorHandlerMessage;
    type State = ErrorHandlerArgs;
    type Arguments = ErrorHandlerArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: ErrorHandlerArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let ErrorHandlerMessage::DeadLetter(envelope) = message;
        let letter = envelope.payload().clone();
        if let Err(e) = state.dead_letters.put(&letter).await {
            envelope.fail(ErrorCode::StateUnavailable, e);
            return Ok(());
        }
        if let (Some(trace_id), Some(session_id)) = (&letter.trace_id, &letter.session_id) {
            let step = StatusUpdate {
                error: Some(ErrorBody::new(
                    public_code(letter.code),
                    "errand could not complete this request.",
                )),
                reply: Some(
                    "Sorry, something went wrong on our side and I couldn't complete that. Nothing was ordered twice; please try again.".into(),
                ),
                ..StatusUpdate::new(
                    trace_id.clone(),
                    session_id.clone(),
                    letter.user_id.clone().unwrap_or_default(),
                    Status::Failed,
                    0,
                )
            };
            if let Err(e) = state.tracker.record(step).await {
                envelope.fail(e.code(), e);
                return Ok(());
            }
        }
        tracing::info!(id = %letter.id, topic = %letter.source_topic, "dead letter kept for replay");
        envelope.ack();
        Ok(())
    }
}
