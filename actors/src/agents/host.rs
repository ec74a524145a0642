//! [`AgentHost`]: the actor that runs one domain agent.
//!
//! It joins the process group `agent.<domain>` so the router finds it (on
//! this node or another), and makes every agent idempotent by `trace_id`:
//! the first result of a command is stored before it is returned, and a
//! redelivered command gets that result back without running again. A
//! cancellation is kept the same way, beside the result it cancels. Quotes
//! have no side effects and are not kept.
//!
//! The host records the command's `dispatched` as it looks for a first
//! result, and the final step (`confirmed` or `failed`) as it keeps one,
//! each in the store's same round trip where it can
//! ([`crate::store::StateStore::apply_guarded`]): a command run here costs
//! three calls to the store, the payment's charge included, not five.

use super::Services;
use super::wire::{
    AgentReply, CancelReply, CancelRequest, Executed, QuoteReply, Wire, WireCommand,
};
use crate::clock::Clock;
use crate::recorder::{Recorder, TrackError, final_step};
use crate::registry::DomainAgent;
use crate::store::{Applied, Guard, Guarded, IdempotencyStore};
use errand_schemas::codec::{from_json, to_json};
use errand_schemas::keys::Keys;
use errand_schemas::{
    AgentResult, CancelResult, Command, ErrorBody, ErrorCode, Outcome, Refusal, Status,
    StatusUpdate, Summary,
};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::sync::Arc;
use tracing::Instrument;

/// The process group of a domain's agents.
pub fn agent_group(domain: &str) -> String {
    format!("agent.{domain}")
}

#[derive(ractor_cluster_derive::RactorClusterMessage)]
pub enum AgentMessage {
    /// Carry out a command; the reply is its (first) result.
    /// `Err` is a transient failure (a service or store was unreachable):
    /// nothing was stored, and the command should be retried. It travels
    /// between nodes (see [`super::wire`]).
    #[rpc]
    Execute(WireCommand, RpcReplyPort<AgentReply>),
    /// Price a command without placing it (see [`DomainAgent::quote`]).
    #[rpc]
    Quote(WireCommand, RpcReplyPort<QuoteReply>),
    /// Cancel a command this domain placed (see [`DomainAgent::cancel`]).
    #[rpc]
    Cancel(Wire<CancelRequest>, RpcReplyPort<CancelReply>),
}

pub struct AgentHost;

#[derive(Clone)]
pub struct AgentHostArgs {
    pub agent: Arc<dyn DomainAgent>,
    pub domain: String,
    pub services: Services,
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Records the command's `dispatched` and final steps.
    pub recorder: Recorder,
    pub keys: Keys,
    /// The process-group scope (one per errand deployment).
    pub scope: String,
}

impl Actor for AgentHost {
    type Msg = AgentMessage;
    type State = AgentHostArgs;
    type Arguments = AgentHostArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: AgentHostArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        ractor::pg::join_scoped(
            args.scope.clone(),
            agent_group(&args.domain),
            vec![myself.get_cell()],
        );
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        // A peer speaking another version: tell the caller.
        let unreadable = |e: String| ErrorBody::new(ErrorCode::ProcessingFailed, e);
        let domain = state.domain.as_str();
        match message {
            AgentMessage::Execute(wire, reply) => {
                let span = hop(domain, &wire);
                let result = match wire.value {
                    Ok(command) => execute_once(state, command).instrument(span).await,
                    Err(e) => Err(unreadable(e)),
                };
                let _ = reply.send(Wire::new(result));
            }
            AgentMessage::Quote(wire, reply) => {
                let span = hop(domain, &wire);
                let result = match wire.value {
                    Ok(command) => quote(state, &command).instrument(span).await,
                    Err(e) => Err(unreadable(e)),
                };
                let _ = reply.send(Wire::new(result));
            }
            AgentMessage::Cancel(wire, reply) => {
                let span = hop(domain, &wire);
                let result = match wire.value {
                    Ok(request) => cancel_once(state, &request).instrument(span).await,
                    Err(e) => Err(unreadable(e)),
                };
                let _ = reply.send(Wire::new(result));
            }
        }
        Ok(())
    }
}

/// The span a call is handled in (`agent`, around the operation's own
/// span): a child of the caller's span.
fn hop<T>(domain: &str, wire: &Wire<T>) -> tracing::Span {
    let span = tracing::info_span!("agent", domain);
    crate::spans::follow(&span, wire.traceparent.as_deref());
    span
}

/// Whether a failure is transient (worth retrying) rather than an answer.
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::AgentUnavailable | ErrorCode::StateUnavailable | ErrorCode::BusUnavailable
    )
}

/// Runs `command` unless it ran before; returns the first result either
/// way, and whether its final step is recorded.
pub async fn execute_once(state: &AgentHostArgs, command: Command) -> Result<Executed, ErrorBody> {
    let key = state
        .keys
        .idempotency(command.trace_id.as_str(), &state.domain);
    let dispatched = StatusUpdate {
        domain: Some(state.domain.clone()),
        deadline_ms: command.deadline_ms,
        ..StatusUpdate::new(
            command.trace_id.clone(),
            command.session_id.clone(),
            command.user_id.clone(),
            Status::Dispatched,
            command.turn,
        )
    };
    let guarded = (state.recorder)
        .record_guarded(&*state.idempotency, Guard::Unkept { key: &key }, dispatched)
        .await
        .map_err(unrecorded)?;
    let applied = match guarded {
        Guarded::Kept(bytes) => {
            // An unreadable first result is an error, never a second order.
            let first: AgentResult = stored(&bytes, &command.trace_id)?;
            tracing::info!(trace_id = %command.trace_id, domain = %state.domain, "redelivered command: returning the first result");
            withdraw_if_unknown(state, &command, &key, &first).await;
            return Ok(Executed {
                result: first,
                recorded: false,
            });
        }
        Guarded::Applied { applied, .. } => applied,
    };
    if let Some(ended) = ended_before(&applied) {
        // It ended while it waited for a host (its question's deadline
        // passed, or it was dead-lettered): the person was told so, and
        // it is not carried out.
        tracing::warn!(trace_id = %command.trace_id, domain = %state.domain, status = %ended, "the command ended before it was carried out");
        let error = ErrorBody::new(
            ErrorCode::ProcessingFailed,
            format!("the command had ended ({ended}) before it was carried out"),
        );
        let refused = failed(&command, &state.domain, error, &state.services.clock);
        return keep_first(state, &key, &refused).await;
    }
    let now = state.services.clock.now_ms();
    if command.deadline_ms.is_some_and(|deadline| now > deadline) {
        // The person is told it failed (by the sweeper, or by this answer):
        // placing it now would charge them for it.
        tracing::warn!(trace_id = %command.trace_id, domain = %state.domain, "past its deadline: not carried out");
        let late = failed(
            &command,
            &state.domain,
            crate::sweeper::deadline_exceeded(),
            &state.services.clock,
        );
        let first = keep_first(state, &key, &late).await?;
        withdraw_if_unknown(state, &command, &key, &first.result).await;
        return Ok(first);
    }
    let span = tracing::info_span!("execute", trace_id = %command.trace_id, session_id = %command.session_id, domain = %state.domain);
    let outcome = state
        .agent
        .execute(&command, &state.services)
        .instrument(span)
        .await;
    let result = match outcome {
        Ok(body) => {
            let reply = state.agent.confirmation(&body);
            AgentResult {
                trace_id: command.trace_id.clone(),
                session_id: command.session_id.clone(),
                user_id: command.user_id.clone(),
                domain: state.domain.clone(),
                outcome: Outcome::Confirmed { result: body },
                reply,
                at_ms: state.services.clock.now_ms(),
            }
        }
        Err(error) if is_transient(error.code) => {
            // The provider may have placed it all the same (its answer was
            // lost): remembered, so a failure declared meanwhile takes it
            // back (see `withdraw_if_unknown`).
            let _ = state
                .idempotency
                .put_if_absent(&unknown_key(&key), b"1")
                .await;
            return Err(error);
        }
        Err(error) => failed(&command, &state.domain, error, &state.services.clock),
    };
    let first = keep_first(state, &key, &result).await?;
    if first.result.outcome != result.outcome
        && matches!(result.outcome, Outcome::Confirmed { .. })
        && !matches!(first.result.outcome, Outcome::Confirmed { .. })
    {
        // Its deadline was declared while the provider placed it: the
        // person was told it failed, so it is undone.
        undo(state, &result).await;
    }
    Ok(first)
}

/// Where a call whose answer never came is remembered.
fn unknown_key(key: &str) -> String {
    format!("{key}.unanswered")
}

/// When the command ended failed but an earlier call's answer was lost,
/// takes back whatever that call may have placed (once).
async fn withdraw_if_unknown(
    state: &AgentHostArgs,
    command: &Command,
    key: &str,
    first: &AgentResult,
) {
    if matches!(first.outcome, Outcome::Confirmed { .. }) {
        return;
    }
    let unknown = unknown_key(key);
    let withdrawn = format!("{key}.withdrawn");
    let is_kept = |found: Result<Option<Vec<u8>>, _>| matches!(found, Ok(Some(_)));
    if !is_kept(state.idempotency.get(&unknown).await)
        || is_kept(state.idempotency.get(&withdrawn).await)
    {
        return;
    }
    match state.agent.withdraw(command, &state.services).await {
        Ok(()) => {
            tracing::warn!(trace_id = %command.trace_id, domain = %state.domain, "a call whose answer was lost: whatever it placed is taken back");
            let _ = state.idempotency.put_if_absent(&withdrawn, b"1").await;
        }
        Err(error) => {
            tracing::error!(trace_id = %command.trace_id, domain = %state.domain, code = %error.code, error = %error.message, "a call whose answer was lost may have placed an order errand reported failed, and it cannot be taken back")
        }
    }
}

/// Stores `result` unless a first one is stored, and records its final
/// step when it was; returns the first. Whoever stores first wins; a
/// racing run answers with that result (and leaves its step to the state
/// tracker).
async fn keep_first(
    state: &AgentHostArgs,
    key: &str,
    result: &AgentResult,
) -> Result<Executed, ErrorBody> {
    let value = to_json(result);
    let guarded = (state.recorder)
        .record_guarded(
            &*state.idempotency,
            Guard::Keep { key, value: &value },
            final_step(result),
        )
        .await
        .map_err(unrecorded)?;
    match guarded {
        Guarded::Kept(first) => Ok(Executed {
            result: stored(&first, &result.trace_id)?,
            recorded: false,
        }),
        Guarded::Applied { applied, .. } => {
            if matches!(result.outcome, Outcome::Confirmed { .. })
                && ended_before(&applied).is_some()
            {
                // It ended while the provider placed it (cancelled at its
                // question's deadline, or dead-lettered): the person was
                // told so, so it is undone.
                undo(state, result).await;
            }
            Ok(Executed {
                result: result.clone(),
                recorded: true,
            })
        }
    }
}

/// The status the command had already ended in, when `applied` (a step of
/// the host's) found it so: nothing a host does may move it on.
fn ended_before(applied: &Applied) -> Option<Status> {
    match applied {
        Applied::Stale(now) if now.status.is_final() => Some(now.status),
        _ => None,
    }
}

/// A step that could not be recorded: a transient failure, retried.
fn unrecorded(e: TrackError) -> ErrorBody {
    ErrorBody::new(e.code(), e.to_string())
}

/// Cancels what was placed for a command already failed.
async fn undo(state: &AgentHostArgs, placed: &AgentResult) {
    let now = state.services.clock.now_ms();
    match state.agent.cancel(placed, now, &state.services).await {
        Ok(cancelled) => {
            tracing::warn!(trace_id = %placed.trace_id, domain = %state.domain, refund = cancelled.refund, "placed after its deadline was declared: cancelled")
        }
        Err(error) => {
            tracing::error!(trace_id = %placed.trace_id, domain = %state.domain, code = %error.code, error = %error.message, "placed after its deadline was declared, and it cannot be cancelled: the provider holds an order errand reported failed")
        }
    }
}

/// Prices `command`; `Err` is a transient failure (a service was
/// unreachable), a refusal is an answer.
pub async fn quote(
    state: &AgentHostArgs,
    command: &Command,
) -> Result<Result<Summary, Refusal>, ErrorBody> {
    let span = tracing::info_span!("quote", trace_id = %command.trace_id, session_id = %command.session_id, domain = %state.domain);
    match state
        .agent
        .quote(command, &state.services)
        .instrument(span)
        .await
    {
        Err(refusal) if is_transient(refusal.code()) => Err(refusal.error),
        answer => Ok(answer),
    }
}

/// Cancels the command `request` names unless it was cancelled before;
/// returns the first answer either way. `Err` is a transient failure.
pub async fn cancel_once(
    state: &AgentHostArgs,
    request: &CancelRequest,
) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
    let trace = request.trace_id.as_str();
    let unavailable =
        |e: crate::store::StoreError| ErrorBody::new(ErrorCode::StateUnavailable, e.to_string());
    let key = state
        .keys
        .idempotency(trace, &format!("{}.cancel", state.domain));
    if let Some(bytes) = state.idempotency.get(&key).await.map_err(unavailable)? {
        return stored(&bytes, &request.trace_id);
    }
    let placed = match (state.idempotency)
        .get(&state.keys.idempotency(trace, &state.domain))
        .await
        .map_err(unavailable)?
    {
        Some(bytes) => Some(stored::<AgentResult>(&bytes, &request.trace_id)?),
        None => None,
    };
    let placed = placed.filter(|placed| placed.user_id == request.user_id);
    let answer = match placed {
        None => Err(ErrorBody::new(
            ErrorCode::NotFound,
            "There is no placed order to cancel.",
        )),
        Some(placed) => {
            let span = tracing::info_span!("cancel", trace_id = %placed.trace_id, session_id = %placed.session_id, domain = %state.domain);
            let now = state.services.clock.now_ms();
            match state
                .agent
                .cancel(&placed, now, &state.services)
                .instrument(span)
                .await
            {
                Err(e) if is_transient(e.code) => return Err(e),
                answer => answer,
            }
        }
    };
    // Only a cancellation that happened is final; "too late" or "nothing
    // placed" may be asked again and answered anew.
    if answer.is_err() {
        return Ok(answer);
    }
    let first = state
        .idempotency
        .put_if_absent(&key, &to_json(&answer))
        .await
        .map_err(unavailable)?;
    stored(&first, &request.trace_id)
}

/// A result this domain stored for `trace_id`, read back. An unreadable
/// record is an error the command's retries and its person see: errand
/// never runs a command again because it cannot read what it did.
fn stored<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    trace_id: &errand_schemas::TraceId,
) -> Result<T, ErrorBody> {
    from_json(bytes).map_err(|e| {
        tracing::error!(%trace_id, error = %e, "an unreadable idempotency record");
        ErrorBody::new(
            ErrorCode::ProcessingFailed,
            format!("the stored result of {trace_id} is unreadable: {e}"),
        )
    })
}

fn failed(command: &Command, domain: &str, error: ErrorBody, clock: &Clock) -> AgentResult {
    let reply = format!("Sorry, I couldn't do that: {}", error.message);
    AgentResult {
        trace_id: command.trace_id.clone(),
        session_id: command.session_id.clone(),
        user_id: command.user_id.clone(),
        domain: domain.to_owned(),
        outcome: Outcome::Failed { error },
        reply,
        at_ms: clock.now_ms(),
    }
}
