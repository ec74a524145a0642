//! The fanout actor: this gateway's consumer of `agent.status` and
//! `agent.out.clarify` (in a consumer group of its own, so every gateway
//! sees every event and pushes it to whichever sockets it holds, and hands
//! a final step to the REST callers waiting for it).

use crate::hub::SessionHub;
use crate::waiters::Waiters;
use errand_actors::envelope::Envelope;
use errand_schemas::{Clarification, StatusUpdate};
use ractor::{Actor, ActorProcessingErr, ActorRef};

pub enum FanoutMessage {
    Status(Envelope<StatusUpdate>),
    Clarify(Envelope<Clarification>),
}

impl ractor::Message for FanoutMessage {}

/// Where the fanout pushes what it reads.
#[derive(Clone)]
pub struct FanoutArgs {
    pub hub: SessionHub,
    pub waiters: Waiters,
}

pub struct Fanout;

impl Actor for Fanout {
    type Msg = FanoutMessage;
    type State = FanoutArgs;
    type Arguments = FanoutArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: FanoutArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(args)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        FanoutArgs { hub, waiters }: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            FanoutMessage::Status(envelope) => {
                hub.push_step(envelope.payload());
                waiters.finish(envelope.payload());
                envelope.ack();
            }
            FanoutMessage::Clarify(envelope) => {
                hub.push_question(envelope.payload());
                envelope.ack();
            }
        }
        Ok(())
    }
}
