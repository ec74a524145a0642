//! The fanout actor: this gateway's consumer of `agent.status` and
//! `agent.out.clarify` (in a consumer group of its own, so every gateway
//! sees every event and pushes it to whichever sockets it holds).

use crate::hub::SessionHub;
use errand_actors::envelope::Envelope;
use errand_schemas::{Clarification, ServerEvent, StatusUpdate};
use ractor::{Actor, ActorProcessingErr, ActorRef};

pub enum FanoutMessage {
    Status(Envelope<StatusUpdate>),
    Clarify(Envelope<Clarification>),
}

impl ractor::Message for FanoutMessage {}

pub struct Fanout;

impl Actor for Fanout {
    type Msg = FanoutMessage;
    type State = SessionHub;
    type Arguments = SessionHub;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        hub: SessionHub,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(hub)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        hub: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            FanoutMessage::Status(envelope) => {
                hub.push_step(envelope.payload());
                envelope.ack();
            }
            FanoutMessage::Clarify(envelope) => {
                let q = envelope.payload();
                for event in ServerEvent::from_question(q) {
                    hub.push(&q.session_id, event, None);
                }
                envelope.ack();
            }
        }
        Ok(())
    }
}
