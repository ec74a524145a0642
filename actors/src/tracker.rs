//! The state tracker: records the end of every command its agent's host
//! has not. It consumes the domain outputs (`agent.out.<domain>`, produced
//! by the router or by an external agent) and records `confirmed` or
//! `failed` with the result, which the [`Recorder`] announces on
//! `agent.status`; a result whose host recorded its step as it kept it
//! (the `errand-recorded` header) is only acknowledged. Results run in
//! parallel lanes, one session per lane.

use crate::bounds::{SWEEP_BATCH, TRACKER_LANES};
use crate::envelope::Envelope;
use crate::laned::LaneWork;
use crate::recorder::{Recorder, final_step};
use crate::registry::DomainRegistry;
use crate::role::{Feed, NodeCtx, Role, RoleError};
use crate::supervisor::ChildSpec;
use crate::sweeper::{Sweeper, SweeperArgs};
use errand_schemas::AgentResult;
use errand_schemas::topics::{agent_out, headers};
use std::time::Duration;

/// The state tracker's work on each result; it runs as a
/// [`LanedWorker`](crate::laned::LanedWorker), one session per lane.
pub struct StateTracker {
    pub recorder: Recorder,
    /// Whose results are trusted to say their step is recorded: the
    /// domains whose agents run in errand's hosts (an external agent's
    /// service writes its records itself).
    pub registry: DomainRegistry,
}

impl LaneWork for StateTracker {
    type Payload = AgentResult;

    fn key(result: &AgentResult) -> &str {
        result.session_id.as_str()
    }

    fn span(result: &AgentResult) -> tracing::Span {
        tracing::info_span!("track", trace_id = %result.trace_id, session_id = %result.session_id, domain = %result.domain)
    }

    async fn handle(&self, envelope: Envelope<AgentResult>) {
        let result = envelope.payload();
        if envelope.record().header(headers::RECORDED) == Some("1")
            && !self.registry.is_external(&result.domain)
        {
            // Its agent's host recorded the step as it kept the result.
            envelope.ack();
            return;
        }
        let step = final_step(result);
        match self.recorder.record(step).await {
            Ok(_) => envelope.ack(),
            Err(e) => envelope.fail(e.code(), e),
        }
    }
}

/// The tracker role: a laned [`StateTracker`] fed from every domain's
/// output, and the deadline [`Sweeper`].
pub struct TrackerRole {
    /// How often the sweeper looks for overdue commands.
    pub sweep_every: Duration,
}

impl Role for TrackerRole {
    fn name(&self) -> &'static str {
        "tracker"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let topics = ctx.registry.domains().map(agent_out).collect();
        let mut children = ctx.laned(
            "tracker",
            StateTracker {
                recorder: ctx.recorder.clone(),
                registry: ctx.registry.clone(),
            },
            TRACKER_LANES,
            Feed::group("errand-tracker", topics),
        );
        let sweeper = SweeperArgs {
            recorder: ctx.recorder.clone(),
            every: self.sweep_every,
            batch: SWEEP_BATCH,
            results: Some((ctx.stores.idempotency.clone(), ctx.keys.clone())),
        };
        children.push(ChildSpec::new::<Sweeper, _>("sweeper", None, move || {
            (Sweeper, sweeper.clone())
        }));
        Ok(children)
    }
}
