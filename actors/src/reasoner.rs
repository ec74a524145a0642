//! The reasoner: reads utterances from `transcript`, keeps each session's
//! dialogue state, and either asks for what is missing
//! (`agent.out.clarify`), dispatches a command (`agent.cmd`), or declines.
//!
//! Each utterance is read by the offline reader, or by the
//! [LLM reasoner](crate::llm) when one is configured (falling back to the
//! offline reader when the model fails); the [dialogue
//! policy](crate::dialogue) decides either way.
//!
//! Sessions are saved with optimistic concurrency: two turns of one session
//! racing (on two nodes) never lose an update; the loser reloads and decides
//! again (asking the model again: the conversation changed). Utterances run
//! in parallel lanes, one session per lane, so a slow model call holds up
//! its own conversation only; the ingress window bounds how many are in
//! flight.

use crate::bus::OutRecord;
use crate::dialogue::{DialogueConfig, Effect, Heard, context, decide};
use crate::envelope::Envelope;
use crate::lanes::Lanes;
use crate::llm::LlmReasoner;
use crate::nlu::Understand;
use crate::registry::DomainRegistry;
use crate::store::{SessionStore, StoreError};
use crate::tracking::{TrackError, Tracker};
use errand_schemas::topics::{AGENT_CMD, AGENT_OUT_CLARIFY};
use errand_schemas::{LastTurn, SessionState, Utterance};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

pub enum ReasonerMessage {
    Utterance(Envelope<Utterance>),
}

impl ractor::Message for ReasonerMessage {}

pub struct Reasoner;

#[derive(Clone)]
pub struct ReasonerArgs {
    pub nlu: Arc<dyn Understand>,
    pub registry: DomainRegistry,
    pub tracker: Tracker,
    pub sessions: Arc<dyn SessionStore>,
    pub config: DialogueConfig,
    /// Reads utterances instead of `nlu` when an endpoint is configured.
    pub llm: Option<Arc<LlmReasoner>>,
    /// Parallel lanes (sessions spread over them).
    pub lanes: usize,
}

pub struct ReasonerState {
    lanes: Option<Lanes<Envelope<Utterance>>>,
}

impl Actor for Reasoner {
    type Msg = ReasonerMessage;
    type State = ReasonerState;
    type Arguments = ReasonerArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: ReasonerArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let count = args.lanes;
        let args = Arc::new(args);
        let lanes = Lanes::new(count, move |envelope: Envelope<Utterance>| {
            let args = args.clone();
            let u = envelope.payload();
            let span =
                tracing::info_span!("reason", trace_id = %u.trace_id, session_id = %u.session_id);
            async move {
                match reason(&args, envelope.payload()).await {
                    Ok(()) => envelope.ack(),
                    Err(e) => envelope.fail(e.code(), e),
                }
            }
            .instrument(span)
        });
        Ok(ReasonerState { lanes: Some(lanes) })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(lanes) = state.lanes.take() {
            lanes.drain(Duration::from_secs(10)).await;
        }
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let ReasonerMessage::Utterance(envelope) = message;
        if let Some(lanes) = &mut state.lanes {
            let key = envelope.payload().session_id.to_string();
            lanes.dispatch(&key, envelope);
        }
        Ok(())
    }
}

/// Reasons one utterance and carries out its effects. The decision and the
/// new dialogue state are saved together; a redelivered utterance (same
/// `utterance_id`) replays the saved effects instead of deciding again (nor
/// asking the model again).
pub async fn reason(args: &ReasonerArgs, utterance: &Utterance) -> Result<(), TrackError> {
    let mut effects = None;
    for _ in 0..8 {
        let mut session = args
            .sessions
            .load(&utterance.session_id)
            .await?
            .unwrap_or_else(|| {
                SessionState::new(utterance.session_id.clone(), utterance.user_id.clone())
            });
        if let Some(last) = &session.last_turn
            && !utterance.utterance_id.is_empty()
            && last.utterance_id == utterance.utterance_id
        {
            tracing::info!("redelivered utterance: replaying its effects");
            effects = Some(serde_json::from_str::<Vec<Effect>>(&last.effects).unwrap_or_default());
            break;
        }
        let (heard, llm_turn) = match &args.llm {
            Some(llm) => {
                let turn = llm
                    .hear(&utterance.text, session.open.as_ref(), &session.chat)
                    .await;
                (turn.heard.clone(), Some((llm, turn)))
            }
            None => {
                let parse = args
                    .nlu
                    .parse(&utterance.text, &context(session.open.as_ref()));
                (Heard::from(parse), None)
            }
        };
        tracing::debug!(
            action = %heard.action,
            confidence = heard.parse.confidence,
            "parsed"
        );
        let now = args.tracker.clock.now_ms();
        let decided = decide(
            &mut session,
            utterance,
            &heard,
            &args.registry,
            &args.config,
            now,
        );
        if let Some((llm, turn)) = &llm_turn {
            llm.remember(&mut session.chat, &utterance.text, turn, &decided);
        }
        session.last_turn = Some(LastTurn {
            utterance_id: utterance.utterance_id.clone(),
            effects: serde_json::to_string(&decided).unwrap_or_default(),
        });
        match args.sessions.save(&session).await {
            Ok(_) => {
                effects = Some(decided);
                break;
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some(effects) = effects else {
        return Err(StoreError::Conflict.into());
    };
    for effect in effects {
        match effect {
            Effect::Record(step) => {
                args.tracker.record(*step).await?;
            }
            Effect::Clarify(question) => {
                args.tracker
                    .bus
                    .publish(OutRecord::json(
                        AGENT_OUT_CLARIFY,
                        question.session_id.as_str(),
                        &question,
                    ))
                    .await?;
            }
            Effect::Dispatch(command) => {
                tracing::info!(trace_id = %command.trace_id, domain = command.domain(), "dispatching");
                args.tracker
                    .bus
                    .publish(OutRecord::json(
                        AGENT_CMD,
                        command.session_id.as_str(),
                        &command,
                    ))
                    .await?;
            }
        }
    }
    Ok(())
}
