//! The router: takes commands from `agent.cmd`, finds the domain's agent
//! through its process group (preferring one on this node, spreading load
//! over the rest), and publishes the agent's result on
//! `agent.out.<domain>`. The agent's host records `dispatched` and the
//! result's step (see [`crate::agents::host`]); the result's record says so
//! (its `errand-recorded` header), so the state tracker does not record it
//! again. For an external agent, which reads `agent.cmd` itself, the router
//! records `dispatched`.
//!
//! Commands run in parallel lanes, one session per lane, so a conversation
//! keeps its order; its ingress window bounds how many are in flight. An
//! agent that does not answer within `call_timeout`, or is not running, fails the envelope, so the command is retried and finally
//! dead-lettered (agents are idempotent, so a retry never orders twice).

use crate::agents::caller::AgentCaller;
use crate::bounds::ROUTER_LANES;
use crate::bus::{Bus, OutRecord};
use crate::envelope::Envelope;
use crate::laned::LaneWork;
use crate::recorder::Recorder;
use crate::registry::DomainRegistry;
use crate::role::{Feed, NodeCtx, Role, RoleError};
use crate::supervisor::ChildSpec;
use errand_schemas::topics::{AGENT_CMD, agent_out, headers};
use errand_schemas::{Command, ErrorBody, ErrorCode, Status, StatusUpdate};
use std::sync::Arc;

/// The router's work on each command; it runs as a
/// [`LanedWorker`](crate::laned::LanedWorker), one session per lane.
pub struct Router {
    pub registry: DomainRegistry,
    pub recorder: Recorder,
    /// Where agents' results are published.
    pub bus: Arc<dyn Bus>,
    pub agents: AgentCaller,
}

impl LaneWork for Router {
    type Payload = Command;

    fn key(command: &Command) -> &str {
        command.session_id.as_str()
    }

    fn span(command: &Command) -> tracing::Span {
        tracing::info_span!("route", trace_id = %command.trace_id, session_id = %command.session_id, domain = %command.domain())
    }

    async fn handle(&self, envelope: Envelope<Command>) {
        self.route(envelope).await
    }
}

/// The router role: a laned [`Router`] fed from `agent.cmd`.
pub struct RouterRole;

impl Role for RouterRole {
    fn name(&self) -> &'static str {
        "router"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let work = Router {
            registry: ctx.registry.clone(),
            recorder: ctx.recorder.clone(),
            bus: ctx.bus.clone(),
            agents: ctx.agents(),
        };
        Ok(ctx.laned(
            "router",
            work,
            ROUTER_LANES,
            Feed::group("errand-router", vec![AGENT_CMD.into()]),
        ))
    }
}

impl Router {
    async fn route(&self, envelope: Envelope<Command>) {
        let command = envelope.payload().clone();
        let domain = command.domain().to_owned();
        let recorder = &self.recorder;
        let step = |status| {
            StatusUpdate::new(
                command.trace_id.clone(),
                command.session_id.clone(),
                command.user_id.clone(),
                status,
                command.turn,
            )
        };
        if self.registry.spec(&domain).is_none() {
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
            match recorder.record(failed).await {
                Ok(_) => envelope.ack(),
                Err(e) => envelope.fail(e.code(), e),
            }
            return;
        }
        if self.registry.is_external(&domain) {
            // Its service reads agent.cmd itself and answers on agent.out.<domain>.
            let dispatched = StatusUpdate {
                domain: Some(domain.clone()),
                deadline_ms: command.deadline_ms,
                ..step(Status::Dispatched)
            };
            match recorder.record(dispatched).await {
                Ok(_) => envelope.ack(),
                Err(e) => envelope.fail(e.code(), e),
            }
            return;
        }
        let executed = match self.agents.call(&command, &domain).await {
            Ok(executed) => executed,
            Err((code, message)) => {
                envelope.fail(code, message);
                return;
            }
        };
        let session = command.session_id.as_str();
        let mut out = OutRecord::json(agent_out(&domain), session, &executed.result);
        if executed.recorded {
            out.set_header(headers::RECORDED, "1");
        }
        match self.bus.publish(out).await {
            Ok(()) => envelope.ack(),
            Err(e) => envelope.fail(ErrorCode::BusUnavailable, e),
        }
    }
}
