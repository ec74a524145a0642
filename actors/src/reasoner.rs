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
//! again (asking the model again: the conversation changed). A reasoner
//! keeps the sessions it saved ([`RecentSessions`]) and starts a session's
//! next turn from its own copy, the save finding out when another node took
//! a turn since. A store that can (Redis) saves the session, applies the
//! turn's steps and publishes its question in one atomic call
//! ([`SessionStore::save_turn`]). Utterances run in parallel lanes, one
//! session per lane, so a slow model call holds up its own conversation
//! only; the ingress window bounds how many are in flight.

use crate::agents::caller::AgentCaller;
use crate::bounds::{REASONER_LANES, REASONER_SESSIONS};
use crate::bus::{Bus, OutRecord, RedisChannel};
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
use crate::store::aging::Aging;
use crate::store::{Applied, SessionStore, StoreError, TurnWrite};
use crate::supervisor::ChildSpec;
use errand_schemas::topics::{AGENT_CMD, AGENT_OUT_CLARIFY, TRANSCRIPT};
use errand_schemas::{Command, LastTurn, SessionId, SessionState, StatusUpdate, Utterance};
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
    /// Where questions fan out through Redis pub/sub, if they do (the
    /// store then publishes a turn's questions as it saves the turn).
    pub clarify_fanout: Option<RedisChannel>,
    /// Sessions as this node last saved them.
    pub recent: Arc<RecentSessions>,
}

/// Sessions as this reasoner last saved them, so a session's next turn
/// starts without loading it. A copy is used only when it is the version
/// the gateway read as it took the utterance ([`Utterance::session_version`]):
/// a copy that another node's turn left behind is never decided on (a
/// decision may cancel a placed order before its save is checked), it is
/// loaded instead. A session's turns run one at a time on a node, so a
/// turn takes its session out and puts the saved one back.
pub struct RecentSessions(std::sync::Mutex<Aging<SessionId, SessionState>>);

impl Default for RecentSessions {
    fn default() -> Self {
        Self(std::sync::Mutex::new(Aging::new(
            REASONER_SESSIONS,
            std::time::Duration::from_secs(errand_schemas::keys::ttl::SESSION_SECS),
        )))
    }
}

impl RecentSessions {
    /// The session as last saved here, if it is kept at `version` (0: the
    /// version is not known, and the copy is not used).
    fn take(&self, session_id: &SessionId, version: u64) -> Option<SessionState> {
        let mut recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let kept = recent.remove(session_id)?;
        (version != 0 && kept.version == version).then_some(kept)
    }

    fn keep(&self, session: SessionState) {
        let mut recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        recent.insert(session.session_id.clone(), session);
    }
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
            clarify_fanout: ctx.bus.redis_fanout(AGENT_OUT_CLARIFY),
            recent: Default::default(),
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
/// new dialogue state are saved together (with the steps and questions, by
/// a store that can); a redelivered utterance (same `utterance_id`)
/// replays the saved effects instead of deciding again (nor asking the
/// model again).
pub async fn reason(args: &Reasoner, utterance: &Utterance) -> Result<(), TrackError> {
    let mut effects = None;
    // What the store wrote with the session, when it did.
    let mut done = None;
    let desk = desk::AgentDesk {
        agents: &args.agents,
        states: args.recorder.store.as_ref(),
        registry: &args.registry,
    };
    for attempt in 0..8 {
        // The session as this node last saved it, if that is the version
        // the gateway saw when it took the utterance.
        let recent = match attempt {
            0 => (args.recent).take(&utterance.session_id, utterance.session_version),
            _ => None,
        };
        let mut session = match recent {
            Some(session) => session,
            None => (args.sessions.load(&utterance.session_id).await?).unwrap_or_else(|| {
                SessionState::new(utterance.session_id.clone(), utterance.user_id.clone())
            }),
        };
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
        let ctx = Ctx {
            registry: &args.registry,
            config: &args.config,
            desk: &desk,
            now_ms: now,
        };
        let edits = (args.llm.is_none() && utterance.act.is_none())
            .then(|| hear::edits_one_by_one(&utterance.text, &session))
            .flatten();
        let (heard, llm_turn) = match edits {
            Some(edits) => edited_one_by_one(args, utterance, &mut session, &edits, &ctx).await?,
            None => listen(args, utterance, &session, now).await,
        };
        tracing::debug!(
            action = %heard.action,
            act = ?heard.act,
            confidence = heard.parse.confidence,
            "heard"
        );
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
        let writes = Writes::of(args, &decided);
        let saved = args.sessions.save_turn(session, &writes.turn()).await;
        let fanned_out = writes.fanned_out();
        drop(writes);
        match saved {
            Ok((stored, written)) => {
                let mut decided = decided;
                let first = stored.last_turn.as_ref().map_or(0, |t| t.seq);
                args.recent.keep(stored);
                Effect::number(&mut decided, first);
                effects = Some(decided);
                done = written.map(|applied| (fanned_out, applied));
                break;
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some(effects) = effects else {
        return Err(StoreError::Conflict.into());
    };
    match done {
        Some((fanned_out, applied)) => carry_out_saved(args, effects, fanned_out, applied).await,
        None => carry_out(args, effects).await,
    }
}

/// Carries out a turn's effects one after the other (as a replay does).
async fn carry_out(args: &Reasoner, effects: Vec<Effect>) -> Result<(), TrackError> {
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
            Effect::Dispatch(command) => dispatch(args, &command).await?,
        }
    }
    Ok(())
}

/// Carries out a turn's effects whose steps the store applied with the
/// session (`applied`, in order) and whose steps and questions it published
/// to the other nodes where `fanned_out` says (in order of the seen ones):
/// what is left is this node's share of them, and the dispatch. The steps
/// and questions go out together, each waiting for its own acknowledgement
/// only (every gateway shows them in the order of their numbers); the
/// dispatch follows once they are all acknowledged, so nothing of the
/// command's placing can overtake the turn's own steps.
async fn carry_out_saved(
    args: &Reasoner,
    effects: Vec<Effect>,
    fanned_out: Vec<bool>,
    applied: Vec<Applied>,
) -> Result<(), TrackError> {
    let mut applied = applied.into_iter();
    let mut fanned_out = fanned_out.into_iter();
    let mut sending: Vec<Sending<'_>> = Vec::with_capacity(effects.len());
    let mut dispatches = Vec::new();
    for effect in effects {
        match effect {
            Effect::Record(step) => {
                let out = fanned_out.next().unwrap_or(false);
                let Some(applied) = applied.next() else {
                    let e = StoreError::Corrupt("a step of the turn was not applied".into());
                    return Err(e.into());
                };
                sending.push(Box::pin(async move {
                    args.recorder.settle(*step, &applied, out).await
                }));
            }
            Effect::Clarify(question) => {
                let record =
                    OutRecord::json(AGENT_OUT_CLARIFY, question.session_id.as_str(), &question);
                let out = fanned_out.next().unwrap_or(false);
                sending.push(Box::pin(async move {
                    match out {
                        true => args.bus.deliver_here(record).await?,
                        false => args.bus.publish(record).await?,
                    }
                    Ok(())
                }));
            }
            Effect::Dispatch(command) => dispatches.push(command),
        }
    }
    futures_util::future::try_join_all(sending).await?;
    for command in dispatches {
        dispatch(args, &command).await?;
    }
    Ok(())
}

/// One of a turn's records on its way.
type Sending<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), TrackError>> + Send + 'a>>;

async fn dispatch(args: &Reasoner, command: &Command) -> Result<(), TrackError> {
    tracing::info!(trace_id = %command.trace_id, domain = command.domain(), "dispatching");
    args.bus
        .publish(OutRecord::json(
            AGENT_CMD,
            command.session_id.as_str(),
            command,
        ))
        .await?;
    Ok(())
}

/// A decided turn's steps and questions as the store writes them with the
/// session: each step, announced on the status fan-out when there is one,
/// and each question on the questions' fan-out when there is one (a
/// question without one is published by the bus afterwards).
struct Writes<'a> {
    /// Per seen effect: the step or question, its unnumbered record, and
    /// where the record fans out.
    seen: Vec<(Seen<'a>, Vec<u8>, Option<&'a RedisChannel>)>,
}

enum Seen<'a> {
    Step(&'a StatusUpdate),
    Question,
}

impl<'a> Writes<'a> {
    fn of(args: &'a Reasoner, decided: &'a [Effect]) -> Self {
        let seen = decided
            .iter()
            .filter_map(|effect| match effect {
                Effect::Record(step) => {
                    let channel = args.recorder.fanout();
                    let record = match channel {
                        Some(_) => Recorder::unnumbered(step).value,
                        None => Vec::new(),
                    };
                    Some((Seen::Step(step), record, channel))
                }
                Effect::Clarify(question) => {
                    let channel = args.clarify_fanout.as_ref();
                    let record = match channel {
                        Some(_) => {
                            OutRecord::json(
                                AGENT_OUT_CLARIFY,
                                question.session_id.as_str(),
                                question,
                            )
                            .value
                        }
                        None => Vec::new(),
                    };
                    Some((Seen::Question, record, channel))
                }
                Effect::Dispatch(_) => None,
            })
            .collect();
        Self { seen }
    }

    /// What the store writes: every step, and the questions that fan out.
    fn turn(&self) -> Vec<TurnWrite<'_>> {
        (self.seen.iter().zip(0u64..))
            .filter_map(|((seen, record, channel), offset)| match seen {
                Seen::Step(step) => Some(TurnWrite::Step {
                    step,
                    offset,
                    announce: channel.map(|c| (c, record.as_slice())),
                }),
                Seen::Question => channel.map(|channel| TurnWrite::Say {
                    channel,
                    record,
                    offset,
                }),
            })
            .collect()
    }

    /// Per seen effect, whether the store fanned it out.
    fn fanned_out(&self) -> Vec<bool> {
        self.seen.iter().map(|(_, _, c)| c.is_some()).collect()
    }
}

/// Hears an utterance: errand's own reading, then the LLM or the offline
/// reader for what is asked, grounded in the words.
/// Makes each change of `edits` but the last to the order shown for a
/// yes in `session`, as if said alone, and hears the last, which the
/// turn decides: "add a tiramisu and remove one margherita". What the
/// changes before the last would have said is not said (the last one's
/// question shows the order with them all). When a change does anything
/// but change the order (it places, cancels or asks something else), the
/// session is left as it was and the words are heard whole.
async fn edited_one_by_one<'a>(
    args: &'a Reasoner,
    utterance: &Utterance,
    session: &mut SessionState,
    edits: &[String],
    ctx: &Ctx<'_>,
) -> Result<(Heard, Option<(&'a LlmReasoner, crate::llm::LlmTurn)>), TrackError> {
    let Some((last, before)) = edits.split_last() else {
        return Ok(listen(args, utterance, session, ctx.now_ms).await);
    };
    let mut open = session.open.as_ref().map(|o| o.trace_id.clone());
    // (A request said first may still ask something: "a burger and fries,
    // and the same for my friend" asks where, with both doubled.)
    let requested = open.is_none();
    let mut edited = session.clone();
    for edit in before {
        let said = Utterance {
            text: edit.clone(),
            ..utterance.clone()
        };
        let (heard, _) = listen(args, &said, &edited, ctx.now_ms).await;
        let effects = decide(&mut edited, &said, &heard, ctx)
            .await
            .map_err(TrackError::Agent)?;
        // (A request said first, with nothing open: the command it opened
        // is the one the changes are of.)
        if open.is_none() {
            open = edited.open.as_ref().map(|o| o.trace_id.clone());
        }
        let still_open = (edited.open.as_ref()).is_some_and(|o| {
            Some(&o.trace_id) == open.as_ref()
                && (o.stage == errand_schemas::Stage::Confirming
                    || requested && o.stage == errand_schemas::Stage::Asking)
        });
        let only_asked = effects.iter().all(|effect| match effect {
            Effect::Clarify(question) => {
                question.trace_id == utterance.trace_id || Some(&question.trace_id) == open.as_ref()
            }
            Effect::Record(step) => Some(&step.trace_id) == open.as_ref(),
            Effect::Dispatch(_) => false,
        });
        if !still_open || !only_asked {
            tracing::debug!(%edit, "a change said with others did more than change the order: heard whole");
            return Ok(listen(args, utterance, session, ctx.now_ms).await);
        }
    }
    edited.turns = session.turns;
    *session = edited;
    let said = Utterance {
        text: last.clone(),
        ..utterance.clone()
    };
    Ok(listen(args, &said, session, ctx.now_ms).await)
}

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
    let target = hear::target(&args.reading, &prepared, session);
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
