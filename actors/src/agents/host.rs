//! [`AgentHost`]: the actor that runs one domain agent.
//!
//! It joins the process group `agent.<domain>` so the router finds it (on
//! this node or another), and makes every agent idempotent by `trace_id`:
//! the first result of a command is stored before it is returned, and a
//! redelivered command gets that result back without running again.

use super::Services;
use super::wire::{AgentReply, WireCommand};
use crate::registry::DomainAgent;
use crate::store::IdempotencyStore;
use errand_schemas::codec::{from_json, to_json};
use errand_schemas::keys::Keys;
use errand_schemas::{AgentResult, Command, ErrorBody, ErrorCode, Outcome};
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
}

pub struct AgentHost;

#[derive(Clone)]
pub struct AgentHostArgs {
    pub agent: Arc<dyn DomainAgent>,
    pub domain: String,
    pub services: Services,
    pub idempotency: Arc<dyn IdempotencyStore>,
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
        match message {
            AgentMessage::Execute(WireCommand(command), reply) => {
                let result = match command {
                    Ok(command) => execute_once(state, command).await,
                    // A peer speaking another version: tell the caller.
                    Err(unreadable) => Err(ErrorBody::new(ErrorCode::ProcessingFailed, unreadable)),
                };
                let _ = reply.send(AgentReply(result));
            }
        }
        Ok(())
    }
}

/// Whether a failure is transient (worth retrying) rather than an answer.
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::AgentUnavailable | ErrorCode::StateUnavailable | ErrorCode::BusUnavailable
    )
}

/// Runs `command` unless it ran before; returns the first result either way.
pub async fn execute_once(
    state: &AgentHostArgs,
    command: Command,
) -> Result<AgentResult, ErrorBody> {
    let key = state
        .keys
        .idempotency(command.trace_id.as_str(), &state.domain);
    match state.idempotency.get(&key).await {
        Ok(Some(bytes)) => match from_json::<AgentResult>(&bytes) {
            Ok(first) => {
                tracing::info!(trace_id = %command.trace_id, domain = %state.domain, "redelivered command: returning the first result");
                return Ok(first);
            }
            Err(e) => {
                tracing::error!(trace_id = %command.trace_id, error = %e, "corrupt idempotency record; running again")
            }
        },
        Ok(None) => {}
        Err(e) => return Err(ErrorBody::new(ErrorCode::StateUnavailable, e.to_string())),
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
                at_ms: errand_schemas::now_ms(),
            }
        }
        Err(error) if is_transient(error.code) => return Err(error),
        Err(error) => failed(&command, &state.domain, error),
    };
    match state
        .idempotency
        .put_if_absent(&key, &to_json(&result))
        .await
    {
        Ok(stored) => Ok(from_json(&stored).unwrap_or(result)),
        Err(e) => Err(ErrorBody::new(ErrorCode::StateUnavailable, e.to_string())),
    }
}

fn failed(command: &Command, domain: &str, error: ErrorBody) -> AgentResult {
    let reply = format!("Sorry, I couldn't do that: {}", error.message);
    AgentResult {
        trace_id: command.trace_id.clone(),
        session_id: command.session_id.clone(),
        user_id: command.user_id.clone(),
        domain: domain.to_owned(),
        outcome: Outcome::Failed { error },
        reply,
        at_ms: errand_schemas::now_ms(),
    }
}
