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

use crate::agents::caller::AgentCaller;
use crate::bounds::REASONER_LANES;
use crate::bus::{Bus, OutRecord};
use crate::dialogue::hear;
use crate::dialogue::{Ctx, DialogueConfig, Effect, Heard, decide};
use crate::envelope::Envelope;
use crate::laned::LaneWork;
use crate::llm::{LlmConfig, LlmReasoner};
use crate::nlu::{Parse, Understand};
use crate::reading::Reading;
use crate::recorder::{Recorder, TrackError};
use crate::registry::DomainRegistry;
use crate::role::{Feed, NodeCtx, Role, RoleError};
use crate::store::{SessionStore, StoreError};
use crate::supervisor::ChildSpec;
use errand_schemas::topics::{AGENT_CMD, AGENT_OUT_CLARIFY, TRANSCRIPT};
use errand_schemas::{LastTurn, SessionState, Utterance};
use std::sync::Arc;

/// The reasoner's work on each utterance; it runs as a
/// [`LanedWorker`](crate::laned::LanedWorker), one session per lane.
#[derive(Clone)]
pub struct Reasoner {
    pub nlu: Arc<dyn Understand>,
    pub registry: DomainRegistry,
    /// Records lifecycle steps.
    pub recorder: Recorder,
    /// Where questions and commands are published.
    pub bus: Arc<dyn Bus>,
    pub sessions: Arc<dyn SessionStore>,
    pub config: DialogueConfig,
    /// Reads utterances instead of `nlu` when an endpoint is configured.
    pub llm: Option<Arc<LlmReasoner>>,
    /// Quotes and cancellations from the domain agents.
    pub agents: AgentCaller,
    /// What errand reads itself (typos, amounts, places, times, acts).
    pub reading: Arc<Reading>,
}

impl LaneWork for Reasoner {
    type Payload = Utterance;

    fn key(utterance: &Utterance) -> &str {
        utterance.session_id.as_str()
    }

    fn span(u: &Utterance) -> tracing::Span {
        tracing::info_span!("reason", trace_id = %u.trace_id, session_id = %u.session_id)
    }

    async fn handle(&self, envelope: Envelope<Utterance>) {
        match reason(self, envelope.payload()).await {
            Ok(()) => envelope.ack(),
            Err(e) => envelope.fail(e.code(), e),
        }
    }
}

/// The reasoner role: a laned [`Reasoner`] fed from `transcript`.
pub struct ReasonerRole {
    pub nlu: Arc<dyn Understand>,
    /// The LLM reasoner's endpoint: when set, the model reads utterances
    /// and `nlu` is its fallback.
    pub llm: Option<LlmConfig>,
    pub dialogue: DialogueConfig,
}

impl Role for ReasonerRole {
    fn name(&self) -> &'static str {
        "reasoner"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let settings = |message: String| RoleError::Settings {
            role: "reasoner",
            message,
        };
        let llm = match &self.llm {
            Some(config) => {
                tracing::info!(
                    llm.base_url = %config.masked_base_url(),
                    llm.model = %config.model,
                    llm.fallback = config.fallback.as_str(),
                    "the LLM reasoner reads utterances"
                );
                let llm = LlmReasoner::new(config.clone(), &ctx.registry, self.nlu.clone())
                    .map_err(|e| settings(e.to_string()))?;
                Some(Arc::new(llm))
            }
            None => None,
        };
        let time_zone = Reading::time_zone(&self.dialogue.time_zone)
            .map_err(|e| settings(format!("ERRAND_TIME_ZONE: {e}")))?;
        let work = Reasoner {
            nlu: self.nlu.clone(),
            registry: ctx.registry.clone(),
            recorder: ctx.recorder.clone(),
            bus: ctx.bus.clone(),
            sessions: ctx.stores.sessions.clone(),
            config: self.dialogue.clone(),
            llm,
            agents: ctx.agents(),
            reading: Arc::new(Reading::new(&ctx.registry, time_zone)),
        };
        Ok(ctx.laned(
            "reasoner",
            work,
            REASONER_LANES,
            Feed::group("errand-reasoner", vec![TRANSCRIPT.into()]),
        ))
    }
}

/// Reasons one utterance and carries out its effects. The decision and the
/// new dialogue state are saved together; a redelivered utterance (same
/// `utterance_id`) replays the saved effects instead of deciding again (nor
/// asking the model again).
pub async fn reason(args: &Reasoner, utterance: &Utterance) -> Result<(), TrackError> {
    let mut effects = None;
    let desk = desk::AgentDesk {
        agents: &args.agents,
        states: args.recorder.store.as_ref(),
        registry: &args.registry,
    };
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
            let saved = serde_json::from_str::<Vec<Effect>>(&last.effects).map_err(|e| {
                TrackError::Agent(errand_schemas::ErrorBody::new(
                    errand_schemas::ErrorCode::ProcessingFailed,
                    format!("the saved decision is unreadable: {e}"),
                ))
            })?;
            let mut saved = saved;
            Effect::number(&mut saved, last.seq);
            effects = Some(saved);
            break;
        }
        if session.heard(&utterance.utterance_id) {
            tracing::info!("an utterance reasoned before: nothing to do again");
            return Ok(());
        }
        let now = args.recorder.clock.now_ms();
        let (heard, llm_turn) = listen(args, utterance, &session, now).await;
        tracing::debug!(
            action = %heard.action,
            act = ?heard.act,
            confidence = heard.parse.confidence,
            "heard"
        );
        let ctx = Ctx {
            registry: &args.registry,
            config: &args.config,
            desk: &desk,
            now_ms: now,
        };
        let decided = decide(&mut session, utterance, &heard, &ctx)
            .await
            .map_err(TrackError::Agent)?;
        match (&llm_turn, &args.llm) {
            (Some((llm, turn)), _) => {
                llm.remember(&mut session.chat, &utterance.text, turn, &decided)
            }
            (None, Some(llm)) => llm.note(&mut session.chat, &utterance.text, &decided),
            (None, None) => {}
        }
        let saved = serde_json::to_string(&decided).map_err(|e| {
            TrackError::Agent(errand_schemas::ErrorBody::new(
                errand_schemas::ErrorCode::Internal,
                format!("the decision could not be saved: {e}"),
            ))
        })?;
        session.take_turn(LastTurn {
            utterance_id: utterance.utterance_id.clone(),
            effects: saved,
            numbered: Effect::seen(&decided),
            seq: 0,
        });
        match args.sessions.save(&session).await {
            Ok(stored) => {
                let mut decided = decided;
                let first = stored.last_turn.as_ref().map_or(0, |t| t.seq);
                Effect::number(&mut decided, first);
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
                args.recorder.record(*step).await?;
            }
            Effect::Clarify(question) => {
                // A reply alone or a question, for every gateway.
                args.bus
                    .publish(OutRecord::json(
                        AGENT_OUT_CLARIFY,
                        question.session_id.as_str(),
                        &question,
                    ))
                    .await?;
            }
            Effect::Dispatch(command) => {
                tracing::info!(trace_id = %command.trace_id, domain = command.domain(), "dispatching");
                args.bus
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

/// Hears an utterance: errand's own reading, then the LLM or the offline
/// reader for what is asked, grounded in the words.
async fn listen<'a>(
    args: &'a Reasoner,
    utterance: &Utterance,
    session: &SessionState,
    now_ms: u64,
) -> (Heard, Option<(&'a LlmReasoner, crate::llm::LlmTurn)>) {
    if utterance.act.is_some() {
        return (Heard::from(Parse::out_of_scope()), None);
    }
    let Some(llm) = &args.llm else {
        let heard = hear::offline(
            &args.reading,
            &args.registry,
            args.nlu.as_ref(),
            &utterance.text,
            session,
            now_ms,
        );
        return (heard, None);
    };
    let prepared = hear::prepare(&args.reading, &utterance.text);
    let target = hear::target(&prepared, session);
    let (parse, action, reply, llm_turn) = match &prepared.request {
        None => {
            let parse = Parse::out_of_scope();
            let action = parse.intent.as_str().to_owned();
            (parse, action, None, None)
        }
        Some(text) => {
            let turn = llm.hear(text, session.open.as_ref(), &session.chat).await;
            let heard = turn.heard.clone();
            (
                heard.parse,
                heard.action,
                heard.reply,
                Some((llm.as_ref(), turn)),
            )
        }
    };
    let heard = hear::finish(
        &args.reading,
        &args.registry,
        prepared,
        parse,
        action,
        reply,
        target.as_ref(),
        None,
        now_ms,
    );
    (heard, llm_turn)
}

mod desk {
    //! The dialogue's [`Desk`]: quotes and cancellations through the agents'
    //! process groups, command states from the state store.

    use crate::agents::caller::AgentCaller;
    use crate::dialogue::Desk;
    use crate::registry::{DomainRegistry, unpriced};
    use crate::store::StateStore;
    use async_trait::async_trait;
    use errand_schemas::{
        CancelResult, Command, CommandState, ErrorBody, ErrorCode, Placed, Refusal, Summary,
        TraceId,
    };

    pub struct AgentDesk<'a> {
        pub agents: &'a AgentCaller,
        pub states: &'a dyn StateStore,
        pub registry: &'a DomainRegistry,
    }

    #[async_trait]
    impl Desk for AgentDesk<'_> {
        async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody> {
            // A service outside errand takes its commands from agent.cmd
            // and prices nothing ahead.
            if self.registry.is_external(command.domain()) {
                return Ok(Ok(unpriced(command)));
            }
            self.agents.quote(command).await
        }

        async fn cancel(
            &self,
            placed: &Placed,
            user_id: &str,
        ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
            if self.registry.is_external(&placed.domain) {
                return Ok(Err(ErrorBody::new(
                    ErrorCode::CancelNotSupported,
                    format!(
                        "I can't cancel a {} request once it is placed.",
                        placed.domain
                    ),
                )));
            }
            self.agents
                .cancel(&placed.domain, &placed.trace_id, user_id)
                .await
        }

        async fn status(&self, trace_id: &TraceId) -> Result<Option<CommandState>, ErrorBody> {
            self.states
                .get(trace_id)
                .await
                .map_err(|e| ErrorBody::new(ErrorCode::StateUnavailable, e.to_string()))
        }
    }
}
