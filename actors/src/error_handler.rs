//! The error handler: consumes `agent.error`. For every dead letter it keeps
//! the record for replay, marks its command `failed` and tells the person.

use crate::bounds::ERROR_LANES;
use crate::envelope::Envelope;
use crate::laned::LaneWork;
use crate::recorder::Recorder;
use crate::retrier::public_code;
use crate::role::{Feed, NodeCtx, Role, RoleError};
use crate::store::DeadLetterStore;
use crate::supervisor::ChildSpec;
use errand_schemas::topics::AGENT_ERROR;
use errand_schemas::{DeadLetter, ErrorBody, ErrorCode, Status, StatusUpdate};
use std::sync::Arc;

/// The error handler's work on each dead letter; it runs as a
/// [`LanedWorker`](crate::laned::LanedWorker).
pub struct ErrorHandler {
    pub recorder: Recorder,
    pub dead_letters: Arc<dyn DeadLetterStore>,
}

/// The errors role: the [`ErrorHandler`] fed from `agent.error`.
pub struct ErrorsRole;

impl Role for ErrorsRole {
    fn name(&self) -> &'static str {
        "errors"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let work = ErrorHandler {
            recorder: ctx.recorder.clone(),
            dead_letters: ctx.stores.dead_letters.clone(),
        };
        Ok(ctx.laned(
            "error_handler",
            work,
            ERROR_LANES,
            Feed::group("errand-errors", vec![AGENT_ERROR.into()]),
        ))
    }
}

impl LaneWork for ErrorHandler {
    type Payload = DeadLetter;

    fn key(letter: &DeadLetter) -> &str {
        &letter.key
    }

    fn span(letter: &DeadLetter) -> tracing::Span {
        tracing::info_span!("dead_letter", source_topic = %letter.source_topic, key = %letter.key)
    }

    async fn handle(&self, envelope: Envelope<DeadLetter>) {
        let letter = envelope.payload().clone();
        if let Err(e) = self.dead_letters.put(&letter).await {
            envelope.fail(ErrorCode::StateUnavailable, e);
            return;
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
            if let Err(e) = self.recorder.record(step).await {
                envelope.fail(e.code(), e);
                return;
            }
        }
        tracing::info!(id = %letter.id, topic = %letter.source_topic, "dead letter kept for replay");
        envelope.ack();
    }
}
