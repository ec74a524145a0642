//! The agents role: payment, location, and one [`AgentHost`] per registered
//! domain, each joined to its domain's process group.

use super::Services;
use super::host::{AgentHost, AgentHostArgs};
use super::location::{Gazetteer, LocationActor};
use super::payment::{PaymentActor, PaymentArgs, PaymentConfig};
use crate::role::{NodeCtx, Role, RoleError};
use crate::slot::ActorSlot;
use crate::supervisor::ChildSpec;

#[derive(Clone)]
pub struct AgentsRole {
    pub payment: PaymentConfig,
    pub gazetteer: Gazetteer,
    /// The payment and location actors' slots, filled as they start: what
    /// the agents (and the gateway's REST adapters) call.
    pub services: Services,
}

impl AgentsRole {
    pub fn new(payment: PaymentConfig, gazetteer: Gazetteer) -> Self {
        Self {
            payment,
            gazetteer,
            services: Services::new(ActorSlot::new(), ActorSlot::new()),
        }
    }
}

impl Role for AgentsRole {
    fn name(&self) -> &'static str {
        "agents"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let payment = PaymentArgs {
            config: self.payment.clone(),
            store: ctx.stores.idempotency.clone(),
            keys: ctx.keys.clone(),
        };
        let gazetteer = self.gazetteer.clone();
        let mut children = vec![
            ChildSpec::new::<PaymentActor, _>(
                "payment",
                Some(self.services.payment.clone()),
                move || (PaymentActor, payment.clone()),
            ),
            ChildSpec::new::<LocationActor, _>(
                "location",
                Some(self.services.location.clone()),
                move || (LocationActor, gazetteer.clone()),
            ),
        ];
        for (domain, agent) in ctx.registry.agents() {
            let args = AgentHostArgs {
                agent,
                domain: domain.to_owned(),
                services: self.services.clone().with_clock(ctx.clock.clone()),
                idempotency: ctx.stores.idempotency.clone(),
                recorder: ctx.recorder.clone(),
                keys: ctx.keys.clone(),
                scope: ctx.scope.clone(),
            };
            for _ in 0..crate::bounds::AGENT_HOSTS {
                let args = args.clone();
                children.push(ChildSpec::new::<AgentHost, _>(domain, None, move || {
                    (AgentHost, args.clone())
                }));
            }
        }
        Ok(children)
    }
}
