//! The deadline sweeper: every command has a deadline (30 s by default,
//! armed when it is received); one still without a final status when its
//! deadline passes is failed with `deadline_exceeded` and the person is
//! told, so nothing waits forever on a silent agent. A command waiting for
//! the person's answer has a longer deadline (the session's lifetime) and is
//! cancelled instead when it passes.
//!
//! The sweeper and the command's agent agree on one outcome: the failure
//! is written where the agent keeps its first result (first write wins),
//! so an agent that answered first is recorded instead of a false failure,
//! and an agent that gets the command later (a backlog, a link that
//! healed) finds the failure and never places it.

use crate::recorder::Recorder;
use crate::recorder::final_step;
use crate::store::IdempotencyStore;
use errand_schemas::codec::{from_json, to_json};
use errand_schemas::keys::Keys;
use errand_schemas::{AgentResult, CommandState, Outcome};
use errand_schemas::{ErrorBody, ErrorCode, Status, StatusUpdate};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::sync::Arc;
use std::time::Duration;

pub enum SweeperMessage {
    /// Look for overdue commands now.
    Sweep,
}

impl ractor::Message for SweeperMessage {}

pub struct Sweeper;

#[derive(Clone)]
pub struct SweeperArgs {
    pub recorder: Recorder,
    pub every: Duration,
    /// Overdue commands handled per sweep at most.
    pub batch: usize,
    /// Where agents keep their first results: an overdue command whose
    /// agent did answer (its announcement is late) ends with that answer,
    /// never with a false failure.
    pub results: Option<(Arc<dyn IdempotencyStore>, Keys)>,
}

impl Actor for Sweeper {
    type Msg = SweeperMessage;
    type State = SweeperArgs;
    type Arguments = SweeperArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SweeperArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.send_after(args.every, || SweeperMessage::Sweep);
        Ok(args)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        args: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let SweeperMessage::Sweep = message;
        sweep(&args.recorder, args.batch, args.results.as_ref()).await;
        // The next sweep a period after this one ends: sweeps never pile up.
        myself.send_after(args.every, || SweeperMessage::Sweep);
        Ok(())
    }
}

/// The error of a command past its deadline.
pub fn deadline_exceeded() -> ErrorBody {
    ErrorBody::new(
        ErrorCode::DeadlineExceeded,
        "The request did not complete in time.",
    )
}

/// What a command's agent answers once its deadline passed: a failure,
/// unless it answered first (see the module's documentation).
pub fn overdue_result(state: &CommandState, domain: &str, now_ms: u64) -> AgentResult {
    AgentResult {
        trace_id: state.trace_id.clone(),
        session_id: state.session_id.clone(),
        user_id: state.user_id.clone(),
        domain: domain.to_owned(),
        outcome: Outcome::Failed {
            error: deadline_exceeded(),
        },
        reply: "Sorry, that took too long, so I've stopped it. Please try again.".into(),
        at_ms: now_ms,
    }
}

/// Settles an overdue command with its agent: the agent's first result if
/// it stored one, else the deadline's failure, stored where the agent
/// would find it. `None` when the command has no agent yet or the store
/// cannot be reached (the command is then failed all the same).
async fn settle(
    state: &CommandState,
    now_ms: u64,
    results: Option<&(Arc<dyn IdempotencyStore>, Keys)>,
) -> Option<AgentResult> {
    let (store, keys) = results?;
    let domain = state.domain.as_deref()?;
    let failure = overdue_result(state, domain, now_ms);
    let key = keys.idempotency(state.trace_id.as_str(), domain);
    match store.put_if_absent(&key, &to_json(&failure)).await {
        Ok(first) => from_json(&first).ok(),
        Err(e) => {
            tracing::warn!(trace_id = %state.trace_id, error = %e, "cannot settle an overdue command with its agent");
            None
        }
    }
}

/// Ends every overdue command; returns how many it ended.
pub async fn sweep(
    recorder: &Recorder,
    batch: usize,
    results: Option<&(Arc<dyn IdempotencyStore>, Keys)>,
) -> usize {
    let now = recorder.clock.now_ms();
    let overdue = match recorder.store.overdue(now, batch).await {
        Ok(overdue) => overdue,
        Err(e) => {
            tracing::warn!(error = %e, "sweeper cannot read deadlines");
            return 0;
        }
    };
    let mut ended = 0;
    for state in overdue {
        if !state.status.is_waiting()
            && let Some(result) = settle(&state, now, results).await
        {
            if matches!(result.outcome, Outcome::Confirmed { .. }) {
                tracing::info!(trace_id = %state.trace_id, "overdue, but its agent had answered: recording the answer");
            } else {
                tracing::warn!(trace_id = %state.trace_id, session_id = %state.session_id, status = %state.status, "deadline passed");
            }
            match recorder.record(final_step(&result)).await {
                Ok(_) => ended += 1,
                Err(e) => {
                    tracing::warn!(trace_id = %state.trace_id, error = %e, "cannot end an overdue command")
                }
            }
            continue;
        }
        let waiting = state.status.is_waiting();
        let base = StatusUpdate::new(
            state.trace_id.clone(),
            state.session_id.clone(),
            state.user_id.clone(),
            if waiting {
                Status::Cancelled
            } else {
                Status::Failed
            },
            state.turn,
        );
        let step = if waiting {
            StatusUpdate {
                reply: Some("I didn't hear back, so I've dropped that request.".into()),
                ..base
            }
        } else {
            StatusUpdate {
                error: Some(deadline_exceeded()),
                reply: Some(
                    "Sorry, that took too long, so I've stopped it. Please try again.".into(),
                ),
                domain: state.domain.clone(),
                ..base
            }
        };
        tracing::warn!(trace_id = %state.trace_id, session_id = %state.session_id, status = %state.status, "deadline passed");
        match recorder.record(step).await {
            Ok(_) => ended += 1,
            Err(e) => {
                tracing::warn!(trace_id = %state.trace_id, error = %e, "cannot end an overdue command")
            }
        }
    }
    ended
}
