//! The router: takes commands from `agent.cmd`, finds the domain's agent
//! through its process group (preferring one on this node, spreading load
//! over the rest), records `dispatched`, and publishes the agent's result on
//! `agent.out.<domain>`.
//!
//! Bound: one command at a time per router; its ingress window bounds the
//! mailbox. An agent that does not answer within `call_timeout`, or is not
//! running, fails the envelope, so the command is retried and finally
//! dead-lettered (agents are idempotent, so a retry never orders twice).

use crate::agents::host::{AgentMessage, agent_group};
use crate::bus::OutRecord;
use crate::envelope::Envelope;
use crate::registry::DomainRegistry;
use crate::tracking::Tracker;
use errand_schemas::topics::agent_out;
use errand_schemas::{Command, ErrorBody, ErrorCode, Status, StatusUpdate};
use ractor::rpc::CallResult;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef};
use std::time::Duration;
use tracing::Instrument;

pub enum RouterMessage {
    Command(Envelope<Command>),
}

impl ractor::Message for RouterMessage {}

pub struct Router;

#[derive(Clone)]
pub struct RouterArgs {
    pub registry: DomainRegistry,
    pub tracker: Tracker,
    pub scope: String,
    pub call_timeout: Duration,
}

pub struct RouterState {
    args: RouterArgs,
    next: usize,
}

impl Actor for Router {
    type Msg = RouterMessage;
    type State = RouterState;
    type Arguments = RouterArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: RouterArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(RouterState { args, next: 0 })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let RouterMessage::Command(envelope) = message;
        let command = envelope.payload();
        let span = tracing::info_span!("route", trace_id = %command.trace_id, session_id = %command.session_id, domain = %command.domain());
        state.route(envelope).instrument(span).await;
        Ok(())
    }
}

impl RouterState {
    /// A member of the domain's group: local ones first, round robin.
    fn pick(&mut self, domain: &str) -> Option<ActorCell> {
        let members = ractor::pg::get_scoped_members(&self.args.scope, &agent_group(domain));
        let local: Vec<_> = members
            .iter()
            .filter(|c| c.get_id().is_local())
            .cloned()
            .collect();
        let pool = if local.is_empty() { members } else { local };
        if pool.is_empty() {
            return None;
        }
        self.next = self.next.wrapping_add(1);
        Some(pool[self.next % pool.len()].clone())
    }

    async fn route(&mut self, envelope: Envelope<Command>) {
        let command = envelope.payload().clone();
        let domain = command.domain().to_owned();
        let tracker = self.args.tracker.clone();
        let step = |status| {
            StatusUpdate::new(
                command.trace_id.clone(),
                command.session_id.clone(),
                command.user_id.clone(),
                status,
                command.turn,
            )
        };
        if self.args.registry.spec(&domain).is_none() {
            let error = ErrorBody::new(
                ErrorCode::UnknownDomain,
                format!("errand has no \"{domain}\" domain"),
            );
            let failed = StatusUpdate {
                reply: Some(format!("Sorry, I can't handle {domain} requests.")),
                error: Some(error),
                domain: Some(domain.clone()),
                ..step(Status::Failed)
            };
            match tracker.record(failed).await {
                Ok(_) => envelope.ack(),
                Err(e) => envelope.fail(e.code(), e),
            }
            return;
        }
        let dispatched = StatusUpdate {
            domain: Some(domain.clone()),
            ..step(Status::Dispatched)
        };
        if let Err(e) = tracker.record(dispatched).await {
            envelope.fail(e.code(), e);
            return;
        }
        let Some(agent) = self.pick(&domain) else {
            envelope.fail(
                ErrorCode::AgentUnavailable,
                format!("no {domain} agent is running"),
            );
            return;
        };
        let agent: ActorRef<AgentMessage> = agent.into();
        let call = agent
            .call(
                |reply| AgentMessage::Execute(command.clone(), reply),
                Some(self.args.call_timeout),
            )
            .await;
        let result = match call {
            Ok(CallResult::Success(Ok(result))) => result,
            Ok(CallResult::Success(Err(transient))) => {
                envelope.fail(transient.code, transient.message);
                return;
            }
            Ok(CallResult::Timeout) => {
                envelope.fail(
                    ErrorCode::AgentUnavailable,
                    format!("the {domain} agent did not answer in time"),
                );
                return;
            }
            Ok(CallResult::SenderError) | Err(_) => {
                envelope.fail(
                    ErrorCode::ProcessingFailed,
                    format!("the {domain} agent stopped while handling the command"),
                );
                return;
            }
        };
        let out = OutRecord::json(agent_out(&domain), command.session_id.as_str(), &result);
        match tracker.bus.publish(out).await {
            Ok(()) => envelope.ack(),
            Err(e) => envelope.fail(ErrorCode::BusUnavailable, e),
        }
    }
}
