//! The dialogue policy: given the session's state and what the person just
//! said, decide what happens. Pure logic, no I/O: the
//! [reasoner](crate::reasoner) loads the session, calls [`decide`], saves
//! the session and carries out the [`Effect`]s.
//!
//! - Something required missing: ask for it (`awaiting_clarification`), and
//!   read the next turn as the answer ("221B Baker Street", "two seats").
//! - A correction ("actually make it two burgers") changes the open command.
//! - A cancel ("never mind") cancels the open command.
//! - A clear request of another domain mid-dialogue drops the open command
//!   and starts the new one under a new trace id.
//! - Out of scope: a polite reply and `declined`; nothing is dispatched.
//!
//! The policy reads a [`Heard`]: the offline reader's [`Parse`] as it is, or
//! what the [LLM reasoner](crate::llm) made of a tool call (which may name
//! any registered action, and may bring the model's own words).

use crate::nlu::{Context, Intent, Parse};
use crate::registry::{DomainRegistry, build_action};
use errand_schemas::{
    Clarification, Command, OpenCommand, SessionState, SlotMap, SlotValue, Status, StatusUpdate,
    TraceId, Utterance,
};
use std::time::Duration;

fn record(step: StatusUpdate) -> Effect {
    Effect::Record(Box::new(step))
}

/// What the reasoner must do after a turn, in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    Record(Box<StatusUpdate>),
    Clarify(Clarification),
    Dispatch(Command),
}

#[derive(Clone, Debug)]
pub struct DialogueConfig {
    /// How long a command may take from understood to its final status.
    pub command_deadline: Duration,
    /// How long an open question waits for the person.
    pub clarification_timeout: Duration,
}

impl Default for DialogueConfig {
    fn default() -> Self {
        Self {
            command_deadline: Duration::from_secs(30),
            clarification_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// What a turn heard: a [`Parse`], the action it asks for, and the model's
/// own words when an LLM answered in text instead of calling a tool.
#[derive(Clone, Debug, PartialEq)]
pub struct Heard {
    pub parse: Parse,
    /// The action asked for (`order_food`, or any registered domain's
    /// action), or `out_of_scope`. The offline reader's intent names it;
    /// an LLM may name an action the [`Intent`] enum does not know.
    pub action: String,
    /// Said instead of the stock decline, or before the open question is
    /// asked again.
    pub reply: Option<String>,
}

impl Heard {
    pub fn in_scope(&self) -> bool {
        !self.action.is_empty() && self.action != Intent::OutOfScope.as_str()
    }
}

impl From<Parse> for Heard {
    fn from(parse: Parse) -> Self {
        Self {
            action: parse.intent.as_str().to_owned(),
            parse,
            reply: None,
        }
    }
}

/// What the dialogue waits for while `open` is open: the offline reader's
/// context.
pub fn context(open: Option<&OpenCommand>) -> Context {
    Context {
        open_action: open.map(|o| o.action.clone()),
        missing: open.map(|o| o.missing.clone()).unwrap_or_default(),
    }
}

pub const DECLINE: &str =
    "Sorry, I can't help with that. I can order food, book rides and get groceries delivered.";

fn describe(action: &str) -> &'static str {
    match action {
        "order_food" => "food order",
        "book_ride" => "ride",
        "order_mart" => "grocery order",
        _ => "request",
    }
}

struct Turn<'a> {
    utterance: &'a Utterance,
    turn: u32,
    now_ms: u64,
    config: &'a DialogueConfig,
}

impl Turn<'_> {
    fn step(&self, trace_id: &TraceId, status: Status) -> StatusUpdate {
        StatusUpdate {
            at_ms: self.now_ms,
            ..StatusUpdate::new(
                trace_id.clone(),
                self.utterance.session_id.clone(),
                self.utterance.user_id.clone(),
                status,
                self.turn,
            )
        }
    }

    fn deadline(&self, d: Duration) -> Option<u64> {
        Some(self.now_ms + d.as_millis() as u64)
    }
}

/// Decides one turn. Updates `session` (turn count, open command, recent
/// commands) and returns the effects to carry out.
pub fn decide(
    session: &mut SessionState,
    utterance: &Utterance,
    heard: &Heard,
    registry: &DomainRegistry,
    config: &DialogueConfig,
    now_ms: u64,
) -> Vec<Effect> {
    let parse = &heard.parse;
    session.turns += 1;
    session.updated_at_ms = now_ms;
    let t = Turn {
        utterance,
        turn: session.turns,
        now_ms,
        config,
    };
    let mut effects = Vec::new();
    // The gateway gave this utterance the trace of the command that was open
    // when it arrived; if that command has closed since (another turn
    // completed it), this utterance starts a command of its own.
    let reused = session.open.as_ref().map(|o| &o.trace_id) != Some(&utterance.trace_id)
        && session.recent.contains(&utterance.trace_id);
    let fresh;
    let trace = if reused {
        fresh = TraceId::generate();
        effects.push(record(StatusUpdate {
            deadline_ms: t.deadline(config.command_deadline),
            ..t.step(&fresh, Status::Received)
        }));
        &fresh
    } else {
        &utterance.trace_id
    };

    if parse.cancel {
        match session.open.take() {
            Some(open) => {
                effects.push(record(StatusUpdate {
                    reply: Some(format!(
                        "OK, I've cancelled the {}.",
                        describe(&open.action)
                    )),
                    ..t.step(&open.trace_id, Status::Cancelled)
                }));
                if open.trace_id != *trace {
                    effects.push(record(t.step(trace, Status::Cancelled)));
                }
            }
            None => effects.push(record(StatusUpdate {
                reply: Some("OK. There was nothing open to cancel.".into()),
                ..t.step(trace, Status::Cancelled)
            })),
        }
        return effects;
    }

    // Only an utterance given the open command's trace answers it: one sent
    // before the question was even asked (it raced the previous turn) is a
    // request of its own. The open command stays open unless the new one
    // needs a question of its own.
    let mut open = session.open.take();
    let earlier = open.take_if(|o| o.trace_id != *trace);
    let (action, trace_id, slots) = match open {
        Some(open) => {
            let switch = heard.in_scope() && heard.action != open.action && parse.confidence >= 0.4;
            if switch {
                effects.push(record(StatusUpdate {
                    reply: Some(format!("OK, I've dropped the {}.", describe(&open.action))),
                    ..t.step(&open.trace_id, Status::Cancelled)
                }));
                let new_trace = if *trace == open.trace_id {
                    let fresh = TraceId::generate();
                    effects.push(record(StatusUpdate {
                        deadline_ms: t.deadline(config.command_deadline),
                        ..t.step(&fresh, Status::Received)
                    }));
                    fresh
                } else {
                    trace.clone()
                };
                (heard.action.clone(), new_trace, parse.slots.clone())
            } else if parse.answer.is_empty()
                && (heard.action != open.action || parse.slots.is_empty())
            {
                // Not an answer: ask again, and keep the command open.
                let Some((_, spec)) = registry.action(&open.action) else {
                    return decline(&t, &open.trace_id, session, None, effects);
                };
                let again = spec.question(&open.missing);
                let question = match heard.reply.as_deref().map(str::trim) {
                    Some(reply) if reply.ends_with('?') => reply.to_owned(),
                    Some(reply) if !reply.is_empty() => format!("{reply} {again}"),
                    _ => format!("Sorry, I didn't get that. {again}"),
                };
                return ask(
                    &t,
                    session,
                    open.trace_id,
                    open.action.clone(),
                    open.slots,
                    open.missing,
                    question,
                    effects,
                );
            } else {
                let mut slots = open.slots.clone();
                if heard.action == open.action {
                    merge(&mut slots, &parse.slots);
                }
                merge(&mut slots, &parse.answer);
                (open.action, open.trace_id, slots)
            }
        }
        None => {
            session.open.clone_from(&earlier);
            if !heard.in_scope() {
                return decline(&t, trace, session, heard.reply.as_deref(), effects);
            }
            (heard.action.clone(), trace.clone(), parse.slots.clone())
        }
    };

    let Some((domain, spec)) = registry.action(&action) else {
        return decline(&t, &trace_id, session, heard.reply.as_deref(), effects);
    };
    let missing = spec.missing(&slots);
    if !missing.is_empty() {
        let question = spec.question(&missing);
        return ask(
            &t, session, trace_id, action, slots, missing, question, effects,
        );
    }
    session.remember(&trace_id);
    let domain = domain.name.clone();
    effects.push(record(StatusUpdate {
        intent: Some(action.clone()),
        slots: Some(slots.clone()),
        domain: Some(domain.clone()),
        deadline_ms: t.deadline(config.command_deadline),
        ..t.step(&trace_id, Status::Understood)
    }));
    effects.push(Effect::Dispatch(Command {
        trace_id,
        session_id: utterance.session_id.clone(),
        user_id: utterance.user_id.clone(),
        action: build_action(&domain, &action, &slots),
        issued_at_ms: now_ms,
        turn: t.turn,
    }));
    effects
}

/// Merges newly heard slots into the command's: a bare quantity ("make it
/// two") changes the quantity of a single item; anything else replaces.
fn merge(slots: &mut SlotMap, heard: &SlotMap) {
    for (name, value) in heard {
        if name == "quantity" {
            if let (Some(SlotValue::Items(items)), Some(q)) =
                (slots.get_mut("item"), value.as_number())
                && items.len() == 1
            {
                items[0].quantity = q;
            }
            continue;
        }
        slots.insert(name.clone(), value.clone());
    }
}

#[allow(clippy::too_many_arguments)]
fn ask(
    t: &Turn<'_>,
    session: &mut SessionState,
    trace_id: TraceId,
    action: String,
    slots: SlotMap,
    missing: Vec<String>,
    question: String,
    mut effects: Vec<Effect>,
) -> Vec<Effect> {
    if let Some(replaced) = session.open.take_if(|o| o.trace_id != trace_id) {
        effects.push(record(StatusUpdate {
            reply: Some(format!(
                "OK, I've dropped the {}.",
                describe(&replaced.action)
            )),
            ..t.step(&replaced.trace_id, Status::Cancelled)
        }));
    }
    session.remember(&trace_id);
    effects.push(record(StatusUpdate {
        intent: Some(action.clone()),
        slots: Some(slots.clone()),
        deadline_ms: t.deadline(t.config.clarification_timeout),
        ..t.step(&trace_id, Status::AwaitingClarification)
    }));
    effects.push(Effect::Clarify(Clarification {
        trace_id: trace_id.clone(),
        session_id: t.utterance.session_id.clone(),
        user_id: t.utterance.user_id.clone(),
        intent: action.clone(),
        missing: missing.clone(),
        question,
        turn: t.turn,
    }));
    session.open = Some(OpenCommand {
        trace_id,
        action,
        slots,
        missing,
        turn: t.turn,
    });
    effects
}

/// Declines with `reply` (the model's words) or the stock [`DECLINE`].
fn decline(
    t: &Turn<'_>,
    trace_id: &TraceId,
    session: &mut SessionState,
    reply: Option<&str>,
    mut effects: Vec<Effect>,
) -> Vec<Effect> {
    session.remember(trace_id);
    let reply = reply.map(str::trim).filter(|r| !r.is_empty());
    effects.push(record(StatusUpdate {
        intent: Some(Intent::OutOfScope.as_str().into()),
        reply: Some(reply.unwrap_or(DECLINE).into()),
        ..t.step(trace_id, Status::Declined)
    }));
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::nlu::{RuleNlu, Understand};
    use errand_schemas::UtteranceSource;

    fn utterance(trace: &TraceId, text: &str) -> Utterance {
        Utterance {
            utterance_id: TraceId::generate().0,
            trace_id: trace.clone(),
            session_id: "s".into(),
            user_id: "demo".into(),
            text: text.into(),
            source: UtteranceSource::Text,
            received_at_ms: 0,
        }
    }

    fn turn(session: &mut SessionState, trace: &TraceId, text: &str) -> Vec<Effect> {
        let registry = DomainRegistry::new().with(FoodAgent::simulated());
        let context = context(session.open.as_ref());
        let parse = RuleNlu::new().parse(text, &context);
        decide(
            session,
            &utterance(trace, text),
            &Heard::from(parse),
            &registry,
            &DialogueConfig::default(),
            1_000,
        )
    }

    #[test]
    fn effects_survive_a_json_round_trip() {
        let mut session = SessionState::new("s".into(), "demo");
        let trace = TraceId::generate();
        let mut effects = turn(&mut session, &trace, "order me 2 burgers");
        effects.extend(turn(&mut session, &trace, "221B Baker Street"));
        assert!(effects.iter().any(|e| matches!(e, Effect::Dispatch(_))));
        let json = serde_json::to_string(&effects).unwrap();
        let back: Vec<Effect> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, effects);
    }

    #[test]
    fn a_models_own_words_replace_the_stock_ones() {
        let registry = DomainRegistry::new().with(FoodAgent::simulated());
        let config = DialogueConfig::default();
        let said = |words: &str| Heard {
            reply: Some(words.into()),
            ..Heard::from(Parse::out_of_scope())
        };
        let mut session = SessionState::new("s".into(), "demo");
        let trace = TraceId::generate();
        let effects = decide(
            &mut session,
            &utterance(&trace, "hi"),
            &said("I only run errands."),
            &registry,
            &config,
            1_000,
        );
        let replies: Vec<_> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(s) => s.reply.clone(),
                _ => None,
            })
            .collect();
        assert_eq!(replies, ["I only run errands."]);

        let trace = TraceId::generate();
        turn(&mut session, &trace, "order me a burger");
        let questions = |effects: Vec<Effect>| -> Vec<String> {
            effects
                .into_iter()
                .filter_map(|e| match e {
                    Effect::Clarify(q) => Some(q.question),
                    _ => None,
                })
                .collect()
        };
        let effects = decide(
            &mut session,
            &utterance(&trace, "hmm"),
            &said("Sure."),
            &registry,
            &config,
            1_000,
        );
        assert_eq!(questions(effects), ["Sure. Where should I deliver it?"]);
        let effects = decide(
            &mut session,
            &utterance(&trace, "hmm"),
            &said("Home or work?"),
            &registry,
            &config,
            1_000,
        );
        assert_eq!(questions(effects), ["Home or work?"]);
    }

    #[test]
    fn a_late_turn_on_a_closed_command_starts_its_own() {
        let mut session = SessionState::new("s".into(), "demo");
        let trace = TraceId::generate();
        turn(&mut session, &trace, "order me a burger");
        turn(&mut session, &trace, "221B Baker Street");
        // A second answer that raced the first arrives for the same trace.
        let effects = turn(&mut session, &trace, "221B Baker Street");
        let touched: Vec<&TraceId> = effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(s) => Some(&s.trace_id),
                _ => None,
            })
            .collect();
        assert!(!touched.is_empty());
        assert!(
            !touched.contains(&&trace),
            "the dispatched command is left alone: {effects:?}"
        );
    }
}
