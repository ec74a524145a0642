//! The gateway role: the [`Fanout`] that pushes `agent.status` and
//! `agent.out.clarify` to this gateway's sockets, and the HTTP
//! [`Listener`]; and [`OpsRole`], the listener of a node that is not a
//! gateway. The front door ([`crate::Front`]) and the session hub exist
//! only where this role runs.

use crate::fanout::{Fanout, FanoutArgs, FanoutMessage};
use crate::listener::{Bound, Listener, ListenerArgs};
use crate::ops::Ops;
use crate::state::AppState;
use errand_actors::bus::StartAt;
use errand_actors::role::{Feed, NodeCtx, Role, RoleError};
use errand_actors::slot::ActorSlot;
use errand_actors::supervisor::ChildSpec;
use errand_schemas::topics::{AGENT_OUT_CLARIFY, AGENT_STATUS};
use std::net::SocketAddr;
use tokio::sync::watch;

#[derive(Clone)]
pub struct GatewayRole {
    pub state: AppState,
    /// Where the HTTP listener binds; none: in-process clients only.
    pub listen: Option<SocketAddr>,
    /// The address it bound.
    pub bound: Bound,
}

impl GatewayRole {
    pub fn new(state: AppState, listen: Option<SocketAddr>) -> Self {
        Self {
            state,
            listen,
            bound: Bound::default(),
        }
    }
}

impl Role for GatewayRole {
    fn name(&self) -> &'static str {
        "gateway"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let slot = ActorSlot::<FanoutMessage>::new();
        let args = FanoutArgs {
            hub: self.state.front.hub.clone(),
            waiters: self.state.waiters.clone(),
        };
        // Every gateway sees every event: a consumer group of its own, from
        // what is new.
        let feed = |what: &str, topic: &str| Feed {
            group: format!("errand-gateway-{}-{what}", ctx.node_name),
            topics: vec![topic.into()],
            start: StartAt::Latest,
        };
        let mut children = vec![
            ChildSpec::new::<Fanout, _>("fanout", Some(slot.clone()), move || {
                (Fanout, args.clone())
            }),
            ctx.ingress(
                "gateway.status",
                feed("status", AGENT_STATUS),
                slot.clone(),
                FanoutMessage::Status,
                |m| match m {
                    FanoutMessage::Status(e) => Some(e),
                    FanoutMessage::Clarify(_) => None,
                },
            ),
            ctx.ingress(
                "gateway.clarify",
                feed("clarify", AGENT_OUT_CLARIFY),
                slot,
                FanoutMessage::Clarify,
                |m| match m {
                    FanoutMessage::Clarify(e) => Some(e),
                    FanoutMessage::Status(_) => None,
                },
            ),
        ];
        if let Some(listen) = self.listen {
            children.push(listener(
                crate::app::app(self.state.clone()),
                self.state.shutdown.clone(),
                listen,
                &self.bound,
            ));
        }
        Ok(children)
    }
}

/// The HTTP listener of a node that is not a gateway but was told where to
/// listen: liveness, readiness, metrics and the cluster
/// ([`crate::app::ops_app`]).
#[derive(Clone)]
pub struct OpsRole {
    pub ops: Ops,
    pub listen: SocketAddr,
    pub shutdown: watch::Receiver<bool>,
    /// The address it bound.
    pub bound: Bound,
}

impl Role for OpsRole {
    fn name(&self) -> &'static str {
        "http"
    }

    fn children(&self, _ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let app = crate::app::ops_app(self.ops.clone());
        Ok(vec![listener(
            app,
            self.shutdown.clone(),
            self.listen,
            &self.bound,
        )])
    }
}

/// The listener child serving `router` on `listen`.
fn listener(
    router: axum::Router,
    shutdown: watch::Receiver<bool>,
    listen: SocketAddr,
    bound: &Bound,
) -> ChildSpec {
    let args = ListenerArgs {
        router,
        shutdown,
        listen,
        bound: bound.clone(),
    };
    ChildSpec::new::<Listener, _>("http", None, move || (Listener, args.clone()))
        .with_detail(listen.to_string())
}
