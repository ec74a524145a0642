//! The dialogue policy: given the session's state and what the person just
//! said, decide what happens. The [reasoner](crate::reasoner) loads the
//! session, [hears](hear) the utterance, calls [`decide`], saves the session
//! with the decision and carries out the [`Effect`]s. The policy reads the
//! world only through a [`Desk`] (prices and cancellations from the agents,
//! where a placed command stands), so it is the same whichever reader runs.
//!
//! - **Nothing moves money unasked.** A complete command is priced by its
//!   agent (a quote, no side effects) and shown for confirmation
//!   (`awaiting_confirmation`, a `confirm` event); a yes dispatches it, a no
//!   cancels it, a change updates it and asks again. What the agent refuses
//!   (an unknown dish or restaurant, out of stock, a ride to where it
//!   starts) is a question that lets the person fix it, never a charge.
//!   [`ConfirmPolicy`] (`ERRAND_CONFIRM`) and a domain's spec may waive it.
//! - **Repair, never a dead order.** An answer errand cannot use keeps the
//!   command open and asks again, saying what it did not understand; after
//!   three such answers it cancels and says so.
//! - **Corrections** change the right slot, while asking or at the
//!   confirmation; a clear request of another domain drops the open one.
//! - **Two requests** in one utterance are taken one after the other, each
//!   with its own trace, questions and confirmation.
//! - **After the order**: "cancel my last order" asks, then cancels with the
//!   provider and refunds; "make it two" right after an order amends it (the
//!   old one is cancelled once the new one is confirmed).
//! - **Questions** (greetings, what errand can do, prices, menus, where an
//!   order is) are answered with a reply; nothing is dispatched.
//! - **A double tap is one command**: the same words again within
//!   [`DialogueConfig::double_tap`] are not a second order.

pub mod answers;
pub mod hear;
pub mod phrasing;

use crate::nlu::{Intent, Parse};
use crate::reading::acts::Act;
use crate::registry::{DomainRegistry, SlotKind, build_action};
use async_trait::async_trait;
use errand_schemas::{
    CancelResult, Clarification, Command, CommandState, ErrorBody, ErrorCode, ItemRequest,
    OpenCommand, Placed, Queued, Refusal, ResultBody, RideType, Said, SessionState, SlotMap,
    SlotValue, Stage, Status, StatusUpdate, Summary, TraceId, Utterance,
};
use phrasing::describe;
use std::time::Duration;

pub use hear::context;

/// What the reasoner must do after a turn, in order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    Record(Box<StatusUpdate>),
    /// A question (`clarify`), a confirmation (`confirm`), or words alone
    /// (a `reply`, when the question is empty), on `agent.out.clarify`.
    Clarify(Box<Clarification>),
    Dispatch(Box<Command>),
}

impl Effect {
    /// How many of `effects` the person sees (steps and questions: each
    /// takes one of the session's event numbers).
    pub fn seen(effects: &[Effect]) -> u32 {
        let seen = effects
            .iter()
            .filter(|e| !matches!(e, Effect::Dispatch(_)))
            .count();
        u32::try_from(seen).unwrap_or(u32::MAX)
    }

    /// Gives the seen effects their event numbers, in order, from `first`
    /// (0: none reserved, the store numbers each step it records).
    pub fn number(effects: &mut [Effect], first: u64) {
        if first == 0 {
            return;
        }
        let seen = effects.iter_mut().filter_map(|e| match e {
            Effect::Record(step) => Some(&mut step.seq),
            Effect::Clarify(question) => Some(&mut question.seq),
            Effect::Dispatch(_) => None,
        });
        for (seq, n) in seen.zip(first..) {
            *seq = n;
        }
    }
}

/// When the person confirms a command before it is placed
/// (`ERRAND_CONFIRM`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConfirmPolicy {
    /// Always (the default).
    #[default]
    Always,
    /// When it costs more than this many minor units (a command its agent
    /// cannot price is always confirmed).
    Above(i64),
    /// Never: no quote is taken, the command is placed once complete.
    Never,
}

impl std::str::FromStr for ConfirmPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "always" => Ok(Self::Always),
            "never" => Ok(Self::Never),
            other => other
                .strip_prefix("above:")
                .and_then(|n| n.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .map(Self::Above)
                .ok_or_else(|| {
                    format!("expected always, never or above:<minor units>, not {other:?}")
                }),
        }
    }
}

impl std::fmt::Display for ConfirmPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Always => f.write_str("always"),
            Self::Never => f.write_str("never"),
            Self::Above(n) => write!(f, "above:{n}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DialogueConfig {
    /// How long a command may take from dispatch to its final status.
    pub command_deadline: Duration,
    /// How long an open question or confirmation waits for the person.
    pub clarification_timeout: Duration,
    pub confirm: ConfirmPolicy,
    /// The same words again within this long are the same command.
    pub double_tap: Duration,
    /// Answers in a row errand cannot use before it gives up.
    pub max_repairs: u32,
    /// The sessions' time zone (IANA name), for times like "at 5pm".
    pub time_zone: String,
}

impl Default for DialogueConfig {
    fn default() -> Self {
        Self {
            command_deadline: Duration::from_secs(30),
            clarification_timeout: Duration::from_secs(30 * 60),
            confirm: ConfirmPolicy::Always,
            double_tap: Duration::from_secs(10),
            max_repairs: 3,
            time_zone: "Europe/London".into(),
        }
    }
}

/// Said when a time comes with an order that cannot wait for it.
const UNSCHEDULED: &str =
    "I can't schedule this for later: if you go ahead, it will come as soon as it's ready.";

/// The question's note when the words ask for a ride again and again.
const JUST_THE_FIRST: &str = "I can't book repeating ones yet, so this is just the first.";

/// The confirmation's note when the time said had passed today.
const PASSED: &str = "That time has passed today, so this is for tomorrow.";

/// The confirmation's note when the time asked for cannot be kept.
const NOW_NOT_LATER: &str = "This would come now, not at the time you said.";

/// What is said of a clock time no day has ("25:00", as said): of a new
/// command, which then comes now, or of the open one, whose time stays.
fn no_such_time(said: &str, new: bool) -> String {
    match new {
        true => format!(
            "\"{said}\" is not a time of day, so this is for now: say another time to change it."
        ),
        false => format!("\"{said}\" is not a time of day, so the time is as it was."),
    }
}

/// The note on a ride asked to stop on the way.
const STRAIGHT_THERE: &str = "I can't add stops on the way yet, so this ride goes straight there.";

/// What a turn heard: the conversational act, the reader's request
/// grounded in the words, and what the words give the open command.
#[derive(Clone, Debug, PartialEq)]
pub struct Heard {
    pub parse: Parse,
    /// The action asked for (`order_food`, or any registered domain's
    /// action), or `out_of_scope`. The offline reader's intent names it;
    /// an LLM may name an action the [`Intent`] enum does not know.
    pub action: String,
    /// The model's own words: said instead of the stock decline, or before
    /// the open question is asked again.
    pub reply: Option<String>,
    /// A yes, a no, a question... (see [`Act`]).
    pub act: Option<Act>,
    /// The words the request was read from (typos fixed).
    pub text: String,
    /// What the words give the open command (answers, corrections).
    pub for_open: SlotMap,
    /// The words read as a change ("make it two", "to work instead").
    pub change: bool,
    /// Further requests said in the same utterance, taken in order.
    pub more: Vec<Queued>,
    /// A time was said for an action that takes none ("a pizza to home at
    /// 7pm"): it would come now, which the person is told.
    pub unscheduled: bool,
    /// A clock time said without a day had passed today, so it is
    /// tomorrow's, which the confirmation says.
    pub passed: bool,
    /// A clock time no day has ("at 25:00"), as said, of an action that
    /// takes a time: the person is told it was not taken.
    pub no_such_time: Option<String>,
    /// Words that name a thing of the open command's menu, and the thing
    /// ("coke", "cola"), wanted or ruled out.
    pub said_as: Vec<(String, String)>,
    /// The words speak of the open command's own things ("flat white, oat
    /// milk" at a coffee, "actually beef" at a chicken burrito), whatever
    /// else another shop might make of them.
    pub in_open_words: bool,
    /// The ride back asked for at an open ride ("and back at 6"): taken
    /// after it.
    pub way_back: Option<Queued>,
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
            for_open: parse.answer.clone(),
            parse,
            reply: None,
            act: None,
            text: String::new(),
            change: false,
            more: Vec::new(),
            unscheduled: false,
            passed: false,
            no_such_time: None,
            said_as: Vec::new(),
            in_open_words: false,
            way_back: None,
        }
    }
}

/// What the dialogue asks of the world. `Err` is a transient failure (the
/// agent or the store did not answer): the turn is retried.
#[async_trait]
pub trait Desk: Send + Sync {
    /// Prices `command` without side effects.
    async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody>;

    /// Cancels the placed command, for `user_id`.
    async fn cancel(
        &self,
        placed: &Placed,
        user_id: &str,
    ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody>;

    /// Where a command stands.
    async fn status(&self, trace_id: &TraceId) -> Result<Option<CommandState>, ErrorBody>;
}

/// What a turn decides with.
pub struct Ctx<'a> {
    pub registry: &'a DomainRegistry,
    pub config: &'a DialogueConfig,
    pub desk: &'a dyn Desk,
    pub now_ms: u64,
}

pub const DECLINE: &str =
    "Sorry, I can't help with that. I can order food, book rides and get groceries delivered.";

const DIDNT_GET: &str = "Sorry, I didn't get that.";

/// A request heard beside the one started on `trace`: a ride back learns
/// that `trace` is its ride there.
/// Whether an action is delivered to one place (an address).
fn delivered(
    action: &Option<(&crate::registry::DomainSpec, &crate::registry::ActionSpec)>,
) -> bool {
    action.is_some_and(|(_, spec)| spec.places().len() == 1)
}

/// Whether the words speak of where something is delivered.
fn says_delivery(text: &str) -> bool {
    crate::reading::words::Words::new(text)
        .norm()
        .iter()
        .any(|w| {
            matches!(
                w.as_str(),
                "address" | "deliver" | "delivered" | "delivery" | "deliveries"
            )
        })
}

/// Whether the words change a line of the open order ("swap the rice for
/// chow mein", "replace the milk with oat milk", "change the fries to
/// onion rings"), whatever shop sells what they name.
fn swaps_a_line(text: &str) -> bool {
    let lower = text.to_lowercase();
    let lower = crate::reading::acts::without_courtesy(&lower);
    [
        "swap ",
        "switch ",
        "replace ",
        "substitute ",
        "change the ",
        "change my ",
    ]
    .iter()
    .any(|verb| lower.starts_with(verb))
        && [" for ", " with ", " to "]
            .iter()
            .any(|joint| lower.contains(joint))
}

/// Whether words said name `placed` by a word of its merchant, its things
/// or its places ("the nachos", "the taco loco order", "the airport
/// one").
pub(crate) fn names_placed(words: &[String], placed: &Placed) -> bool {
    const NAMING_NOTHING: &[&str] = &[
        "the", "my", "our", "and", "order", "one", "cancel", "please", "from", "going", "that",
        "this", "ride", "taxi", "cab", "food", "where", "whats", "what", "with", "for", "is",
    ];
    let key = crate::agents::item_key;
    let mut texts: Vec<String> = placed
        .slots
        .values()
        .flat_map(|v| match v {
            SlotValue::Text(t) => vec![t.clone()],
            SlotValue::Items(items) => items.iter().map(|i| i.name.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    if let Some(summary) = &placed.summary {
        texts.extend(summary.merchant.clone());
        texts.extend(summary.items.iter().map(|l| l.name.clone()));
        texts.extend(
            [&summary.destination, &summary.pickup, &summary.address]
                .into_iter()
                .flatten()
                .cloned(),
        );
    }
    let mut theirs: Vec<String> = texts
        .iter()
        .flat_map(|t| key(t).split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    // ("cancel the coffee" of a latte: the kind of a thing ordered.)
    let kinds = crate::agents::catalog::FOOD_KINDS
        .iter()
        .filter(|(_, things)| {
            (texts.iter()).any(|t| things.iter().any(|thing| key(thing) == key(t)))
        });
    theirs.extend(kinds.map(|(kind, _)| key(kind)));
    words.iter().any(|w| {
        let w = key(w);
        w.len() >= 3 && !NAMING_NOTHING.contains(&w.as_str()) && theirs.contains(&w)
    })
}

/// Whether the words name `placed` by the time it was booked for: "the
/// 8am one", "my 6:30 cab", "the morning ride", "cancel tonight's taxi".
/// Only a time said as which one ("the", "my"... before it) names one: a
/// time said otherwise is where a change goes ("move the 8am one to 7am",
/// "make it 8am").
fn said_its_time(words: &[String], placed: &Placed) -> bool {
    its_time_said_at(words, placed).is_some()
}

/// Where the words name `placed` by its time ([`said_its_time`]): the
/// span of "the 8am one", "my 6:30 cab", "the morning ride".
fn its_time_said_at(words: &[String], placed: &Placed) -> Option<std::ops::Range<usize>> {
    let at = placed
        .summary
        .as_ref()
        .and_then(|s| s.pickup_at.as_deref())?;
    let (Some(hour), Some(minute)) = (
        at.get(11..13).and_then(|h| h.parse::<u32>().ok()),
        at.get(14..16).and_then(|m| m.parse::<u32>().ok()),
    ) else {
        return None;
    };
    let i = (0..words.len()).find(|&i| {
        let w = words[i].as_str();
        let which = i > 0
            && matches!(
                words[i - 1].as_str(),
                "the" | "my" | "our" | "that" | "this" | "cancel"
            );
        if !which {
            return false;
        }
        match w {
            "morning" => return hour < 12,
            "afternoon" => return (12..17).contains(&hour),
            "evening" | "tonight" | "tonights" | "night" => return hour >= 17,
            _ => {}
        }
        let (clock, half) = match (w.strip_suffix("am"), w.strip_suffix("pm")) {
            (Some(c), _) => (c, Some(false)),
            (_, Some(c)) => (c, Some(true)),
            _ => match words.get(i + 1).map(String::as_str) {
                Some("am") => (w, Some(false)),
                Some("pm") => (w, Some(true)),
                // A bare number names it only beside "the" or "my" ("the 8
                // one"), never a count ("cancel 2 rides").
                _ if matches!(words[i - 1].as_str(), "the" | "my") => (w, None),
                _ => return false,
            },
        };
        let (h, m) = clock.split_once([':', '.']).unwrap_or((clock, "00"));
        let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>()) else {
            return false;
        };
        if h == 0 || h > 23 || m > 59 || m != minute {
            return false;
        }
        match half {
            Some(pm) if h <= 12 => (h % 12 + if pm { 12 } else { 0 }) == hour,
            _ if h > 12 => h == hour,
            _ => h % 12 == hour % 12,
        }
    })?;
    // With "am" or "pm" said apart, and the word for the ride after it.
    let mut end = i + 1;
    if matches!(words.get(end).map(String::as_str), Some("am" | "pm")) {
        end += 1;
    }
    if matches!(
        words.get(end).map(String::as_str),
        Some("one" | "ride" | "cab" | "taxi" | "car" | "booking" | "pickup" | "trip")
    ) {
        end += 1;
    }
    Some(i - 1..end)
}

/// "change the 8am one to 7am": the words with the ride named by its
/// time said as "it" ("change it to 7am"), so that the time left is the
/// new one. `None` when no time names `placed`.
pub(crate) fn its_time_as_it(text: &str, placed: &Placed) -> Option<String> {
    let words = crate::reading::words::Words::new(text);
    let mut span = its_time_said_at(words.norm(), placed)?;
    // ("cancel tonight's taxi": the verb stays.)
    if words.norm()[span.start] == "cancel" {
        span.start += 1;
    }
    let mut out: Vec<&str> = words.norm()[..span.start]
        .iter()
        .map(String::as_str)
        .collect();
    out.push("it");
    out.extend(words.norm()[span.end..].iter().map(String::as_str));
    Some(out.join(" "))
}

/// How well "to X" and "from Y" in the words match where `placed` goes
/// and comes from ("cancel the ride to heathrow" is not the ride back from
/// it): one point for each.
fn where_it_goes(words: &[String], placed: &Placed) -> usize {
    let key = crate::agents::item_key;
    let Some(summary) = &placed.summary else {
        return 0;
    };
    // The place as the quote found it ("1 Canada Square") or as it was
    // said ("work").
    let named = |slot: &str, found: &Option<String>| -> Vec<String> {
        (found.iter())
            .chain(
                placed
                    .slots
                    .get(slot)
                    .and_then(SlotValue::as_text)
                    .map(str::to_owned)
                    .as_ref(),
            )
            .flat_map(|t| key(t).split(' ').map(str::to_owned).collect::<Vec<_>>())
            .collect()
    };
    let said_after = |preposition: &str, place: Vec<String>| {
        // ("the ride home", "the one home": where it goes, said right after.)
        let ride_then = |i: usize| {
            preposition == "to"
                && matches!(
                    words[i].as_str(),
                    "ride" | "one" | "cab" | "taxi" | "car" | "trip" | "journey"
                )
                && key(&words[i + 1]).len() >= 3
                && place.contains(&key(&words[i + 1]))
        };
        (0..words.len().saturating_sub(1)).any(|i| {
            ride_then(i) || {
                // ("the one going home": to it.)
                (words[i] == preposition
                    || preposition == "to" && matches!(words[i].as_str(), "going" | "heading"))
                    && words[i + 1..]
                        .iter()
                        .take(3)
                        .any(|w| key(w).len() >= 3 && place.contains(&key(w)))
            }
        })
    };
    usize::from(said_after("to", named("destination", &summary.destination)))
        + usize::from(said_after("from", named("pickup", &summary.pickup)))
}

/// "the first one", "the second order", "the outbound one": which of the
/// orders placed, in the order they were placed.
fn ordinal(words: &[String]) -> Option<usize> {
    words.iter().find_map(|w| match w.as_str() {
        "first" | "1st" | "earlier" | "earliest" | "outbound" | "original" => Some(0),
        "second" | "2nd" => Some(1),
        "third" | "3rd" => Some(2),
        _ => None,
    })
}

/// Of the orders placed, the one `text` names ("only one cheeseburger"
/// after a burger and then a pad thai), else the last.
pub(crate) fn placed_named<'a>(session: &'a SessionState, text: &str) -> Option<&'a Placed> {
    let words = crate::reading::words::Words::new(without_kept(text));
    // ("change the taxi to 10pm" after a taxi and then a pizza: the taxi,
    // named by its kind.)
    (session.placed.iter().rev())
        .find(|p| said_its_time(words.norm(), p))
        .or_else(|| (session.placed.iter().rev()).find(|p| names_placed(words.norm(), p)))
        .or_else(|| (session.placed.iter().rev()).find(|p| names_its_kind(&p.action, text)))
        .or(session.placed.last())
}

/// How long ago an order may have been placed for a request heard with
/// it to be delivered where it was.
const JUST_NOW_MS: u64 = 10 * 60 * 1000;

fn back_of(queued: &Queued, trace: &TraceId) -> Queued {
    let mut queued = queued.clone();
    if let Some(SlotValue::Text(there)) = queued.slots.get_mut(hear::RETURN_OF)
        && there.is_empty()
    {
        *there = trace.as_str().to_owned();
    }
    queued
}

/// Decides one turn. Updates `session` and returns the effects to carry
/// out; `Err` is a transient failure of the [`Desk`].
pub async fn decide(
    session: &mut SessionState,
    utterance: &Utterance,
    heard: &Heard,
    ctx: &Ctx<'_>,
) -> Result<Vec<Effect>, ErrorBody> {
    session.turns += 1;
    session.updated_at_ms = ctx.now_ms;
    // What the last turn asked about or offered is only for the turn
    // after it.
    session.asked_about = None;
    session.menu_shown = Vec::new();
    let offered = session.offered.take();
    let refused = session.refused.take();
    let open_at_arrival = session.open.as_ref().map(|o| o.trace_id.clone());
    let mut t = Turn {
        ctx,
        utterance,
        turn: session.turns,
        effects: Vec::new(),
        own_free: utterance.act.is_none()
            && open_at_arrival.as_ref() != Some(&utterance.trace_id)
            && !session.recent.contains(&utterance.trace_id)
            && !session
                .placed
                .iter()
                .any(|p| p.trace_id == utterance.trace_id),
        started: 0,
        led_to: None,
        offered,
        refused,
        unscheduled: false,
        passed: heard.passed,
        no_such_time: heard.no_such_time.clone(),
    };
    if let Some(act) = utterance.act {
        t.button(session, act).await?;
        return Ok(t.effects);
    }
    if t.double_tap(session, heard) {
        t.remember_said(session);
        t.close_own();
        return Ok(t.effects);
    }
    t.hear(session, heard).await?;
    t.remember_said(session);
    t.close_own();
    Ok(t.effects)
}

/// One turn being decided.
struct Turn<'a> {
    ctx: &'a Ctx<'a>,
    utterance: &'a Utterance,
    turn: u32,
    effects: Vec<Effect>,
    /// The utterance's own trace is new and not used yet.
    own_free: bool,
    /// Further commands this turn started (each on a trace derived from
    /// the utterance's).
    started: u32,
    /// The command this turn started or continued.
    led_to: Option<TraceId>,
    /// What the last turn priced and did not place, until this turn takes
    /// it up (a yes or a change).
    offered: Option<OpenCommand>,
    /// What the last turn refused at its confirmation, until this turn
    /// changes it.
    refused: Option<OpenCommand>,
    /// This turn asked for a later time what cannot wait for one.
    unscheduled: bool,
    /// This turn said a time that had passed today ([`Heard::passed`]).
    passed: bool,
    /// This turn said a clock time no day has ([`Heard::no_such_time`]).
    no_such_time: Option<String>,
}

impl Turn<'_> {
    fn step(&self, trace_id: &TraceId, status: Status) -> StatusUpdate {
        StatusUpdate {
            at_ms: self.ctx.now_ms,
            ..StatusUpdate::new(
                trace_id.clone(),
                self.utterance.session_id.clone(),
                self.utterance.user_id.clone(),
                status,
                self.turn,
            )
        }
    }

    fn record(&mut self, step: StatusUpdate) {
        self.effects.push(Effect::Record(Box::new(step)));
    }

    fn deadline(&self, d: Duration) -> Option<u64> {
        Some(self.ctx.now_ms + d.as_millis() as u64)
    }

    /// A trace for something new: the utterance's own while it is unused,
    /// else one derived from it and this turn (recorded `received`), the
    /// same if the turn is decided again.
    fn new_trace(&mut self, session: &mut SessionState) -> TraceId {
        let trace = if std::mem::take(&mut self.own_free) {
            self.utterance.trace_id.clone()
        } else {
            self.started += 1;
            let n = self.turn.saturating_mul(64).saturating_add(self.started);
            let fresh = self.utterance.trace_id.child(n);
            let received = StatusUpdate {
                deadline_ms: self.deadline(self.ctx.config.command_deadline),
                ..self.step(&fresh, Status::Received)
            };
            self.record(received);
            fresh
        };
        session.remember(&trace);
        trace
    }

    /// The utterance's own new trace, if nothing used it, ends `answered`
    /// (it started no command), so no deadline fails it later.
    fn close_own(&mut self) {
        if std::mem::take(&mut self.own_free) {
            let step = self.step(&self.utterance.trace_id.clone(), Status::Answered);
            self.record(step);
        }
    }

    /// Tells the person `text`: the `answered` end of a new trace when
    /// nothing is open, or a reply before the open question again.
    fn answer(&mut self, session: &mut SessionState, text: String) {
        match session.open.clone() {
            Some(open) => self.ask_again(&open, Some(text), None),
            None => {
                let trace = self.new_trace(session);
                let step = StatusUpdate {
                    reply: Some(text),
                    ..self.step(&trace, Status::Answered)
                };
                self.record(step);
            }
        }
    }

    /// Words alone on `trace` (a `reply` event, no question, no status).
    fn say(&mut self, trace: &TraceId, text: String) {
        self.effects.push(Effect::Clarify(Box::new(Clarification {
            trace_id: trace.clone(),
            session_id: self.utterance.session_id.clone(),
            user_id: self.utterance.user_id.clone(),
            intent: String::new(),
            missing: Vec::new(),
            question: String::new(),
            turn: self.turn,
            reply: Some(text),
            summary: None,
            seq: 0,
        })));
    }

    /// The open question again (a confirmation with its summary), after
    /// `reply` and `prefix` if any. No status: nothing moved.
    fn ask_again(&mut self, open: &OpenCommand, reply: Option<String>, prefix: Option<&str>) {
        let question = match prefix {
            Some(p) => format!("{p} {}", open.question),
            None => open.question.clone(),
        };
        self.effects.push(Effect::Clarify(Box::new(Clarification {
            trace_id: open.trace_id.clone(),
            session_id: self.utterance.session_id.clone(),
            user_id: self.utterance.user_id.clone(),
            intent: open.action.clone(),
            missing: open.missing.clone(),
            question,
            turn: self.turn,
            reply,
            summary: open.summary.clone(),
            seq: 0,
        })));
        self.led_to = Some(open.trace_id.clone());
    }

    // --- the turn ----------------------------------------------------------

    /// A typed or spoken turn.
    async fn hear(&mut self, session: &mut SessionState, heard: &Heard) -> Result<(), ErrorBody> {
        let open = session.open.clone();
        // "no worries", "never mind", asked what instead of what the shop
        // refused: the rest of the order, without it.
        if let Some(open) = &open
            && let Some(rest) = without_the_refused(open, &self.utterance.text, heard)
        {
            let mut open = open.clone();
            open.slots.insert("item".into(), SlotValue::Items(rest));
            open.repairs = 0;
            return self.evaluate(session, open, false).await;
        }
        match (&heard.act, open) {
            (Some(Act::Unclear), Some(open)) => {
                self.repair(session, open, DIDNT_GET);
                Ok(())
            }
            (Some(Act::Unclear), None) => {
                let text = format!("{DIDNT_GET} {}", answers::abilities(self.ctx.registry));
                self.answer(session, text);
                Ok(())
            }
            (Some(Act::CancelPlaced(domain)), open) => {
                let open_matches = open.as_ref().is_some_and(|o| {
                    o.stage != Stage::Cancelling
                        && domain.is_none_or(|d| self.domain_of(&o.action) == d)
                });
                // "cancel the cab and order me a pizza": the pizza after.
                let next =
                    (heard.in_scope() && asked_next(&self.utterance.text).is_some()).then(|| {
                        Queued {
                            action: heard.action.clone(),
                            slots: heard.parse.slots.clone(),
                        }
                    });
                match open {
                    Some(open) if open_matches => {
                        self.drop_open(session, &open, "OK, I've cancelled the");
                        self.drop_queued_if_all(session, &open.trace_id);
                        session.queued.extend(next);
                        session.queued.extend(heard.more.iter().cloned());
                        self.next_queued(session).await
                    }
                    _ => {
                        let asked = next.is_some();
                        session.queued.extend(next);
                        session.queued.extend(heard.more.iter().cloned());
                        self.ask_to_cancel(session, *domain).await?;
                        // (Nothing of it to cancel: the request now.)
                        if asked && session.open.is_none() {
                            return self.next_queued(session).await;
                        }
                        Ok(())
                    }
                }
            }
            (Some(Act::Yes), Some(open)) => self.yes(session, open).await,
            (Some(Act::Yes), None) => match self.offered.take() {
                // "ok book it" after its price, "actually yes" after a no.
                Some(offered) => self.take_up(session, offered, None).await,
                None => {
                    self.answer(session, "OK. What can I do for you?".into());
                    Ok(())
                }
            },
            (Some(Act::No), Some(open)) => self.no(session, open).await,
            // "actually, cancel that" right after an order: that order.
            (Some(Act::No), None)
                if !session.placed.is_empty()
                    && crate::reading::words::Words::new(&self.utterance.text)
                        .norm()
                        .iter()
                        .any(|w| w == "cancel") =>
            {
                self.ask_to_cancel(session, None).await
            }
            // "no wait!" right after a yes: the order just placed, asked to
            // be cancelled (never left placed with an "OK").
            (Some(Act::No), None)
                if session
                    .placed
                    .last()
                    .is_some_and(|p| self.ctx.now_ms.saturating_sub(p.at_ms) < JUST_NOW_MS)
                    && crate::reading::words::Words::new(&self.utterance.text)
                        .norm()
                        .iter()
                        .any(|w| matches!(w.as_str(), "wait" | "stop" | "hang" | "hold")) =>
            {
                self.ask_to_cancel(session, None).await
            }
            (Some(Act::No), None) => {
                self.answer(session, "OK.".into());
                Ok(())
            }
            (Some(Act::Price(_)), _) if heard.in_scope() && self.priced_by_quote(&heard.action) => {
                self.fare(session, heard).await
            }
            (
                Some(
                    act @ (Act::Greeting
                    | Act::Thanks
                    | Act::Complaint
                    | Act::Goodbye
                    | Act::Help
                    | Act::Price(_)
                    | Act::AboutDish(_)
                    | Act::Menu(_)
                    | Act::WhoServes(_)
                    | Act::TheyServe(_)
                    | Act::Cheapest(_)
                    | Act::Hours(_)
                    | Act::DeliversTo { .. }
                    | Act::Status),
                ),
                _,
            ) => {
                // The last placed command ("where's my food": the last of
                // its domain), or the one the last turn was about (an
                // order just cancelled).
                let words = crate::reading::words::Words::new(&self.utterance.text);
                let named: Vec<&str> = words.norm().iter().map(String::as_str).collect();
                let domain = crate::reading::acts::placed_domain(&named);
                let last = (session.placed.iter().rev())
                    .find(|p| names_placed(words.norm(), p))
                    .or_else(|| {
                        (session.placed.iter().rev()).find(|p| domain.is_none_or(|d| p.domain == d))
                    })
                    .or(session.placed.last())
                    .map(|p| p.trace_id.clone())
                    .or_else(|| session.said.as_ref().map(|s| s.trace_id.clone()));
                // "what's the status of my orders", "where's everything":
                // each one placed, said in turn.
                let every = matches!(act, Act::Status)
                    && session.placed.len() > 1
                    && named.iter().any(|w| {
                        matches!(
                            *w,
                            "orders" | "bookings" | "everything" | "all" | "rides" | "deliveries"
                        )
                    });
                if every {
                    let mut said = Vec::new();
                    let recent = session.placed.len().saturating_sub(4);
                    for placed in session.placed[recent..].iter().cloned() {
                        let state = self.ctx.desk.status(&placed.trace_id).await?;
                        said.extend(answers::answer(
                            act,
                            self.ctx.registry,
                            session,
                            state.as_ref(),
                            self.ctx.now_ms,
                        ));
                    }
                    self.answer(session, said.join(" "));
                    return Ok(());
                }
                let state = match (act, last) {
                    (Act::Status, Some(trace)) => self.ctx.desk.status(&trace).await?,
                    _ => None,
                };
                let text = answers::answer(
                    act,
                    self.ctx.registry,
                    session,
                    state.as_ref(),
                    self.ctx.now_ms,
                )
                .unwrap_or_default();
                session.asked_about = answers::sold_thing(act, self.ctx.registry);
                session.menu_shown = answers::menu_shown(act, self.ctx.registry, session);
                // After thanks with nothing open, nothing more to ask.
                self.answer(session, text);
                Ok(())
            }
            (_, Some(open)) => self.continue_open(session, open, heard).await,
            (_, None) => self.start(session, heard).await,
        }
    }

    /// A press of Confirm or Cancel on the page, for its trace only.
    async fn button(
        &mut self,
        session: &mut SessionState,
        act: errand_schemas::Act,
    ) -> Result<(), ErrorBody> {
        let trace = self.utterance.trace_id.clone();
        let open = session.open.clone().filter(|o| o.trace_id == trace);
        match (act, open) {
            (errand_schemas::Act::Confirm, Some(open)) if open.stage != Stage::Asking => {
                if let Some(said) = session.said.as_mut().filter(|s| s.trace_id == trace) {
                    said.confirmed_at_ms = Some(self.ctx.now_ms);
                }
                self.yes(session, open).await
            }
            (errand_schemas::Act::Cancel, Some(open)) => self.no(session, open).await,
            (errand_schemas::Act::Cancel, None) => {
                match session.placed.iter().find(|p| p.trace_id == trace).cloned() {
                    Some(placed) => self.cancel_placed(session, placed).await,
                    None => {
                        self.say(&trace, "That isn't waiting for anything to cancel.".into());
                        Ok(())
                    }
                }
            }
            (errand_schemas::Act::Confirm, _) => {
                self.say(
                    &trace,
                    "That is no longer waiting for your confirmation.".into(),
                );
                Ok(())
            }
        }
    }

    /// The same words as the last utterance, moments later: the same
    /// command, said once.
    fn double_tap(&mut self, session: &mut SessionState, heard: &Heard) -> bool {
        let Some(said) = &session.said else {
            return false;
        };
        let window = self.ctx.config.double_tap.as_millis() as u64;
        let recent = |at: u64| self.ctx.now_ms.saturating_sub(at) <= window;
        let same = said.text == normalized(&self.utterance.text)
            && (recent(said.at_ms) || said.confirmed_at_ms.is_some_and(recent));
        // Only a command still open or placed can be tapped twice: one that
        // was dropped may well be asked for again.
        let alive = session
            .open
            .as_ref()
            .is_some_and(|o| o.trace_id == said.trace_id)
            || session.placed.iter().any(|p| p.trace_id == said.trace_id);
        if !same || !alive || heard.act.is_some() {
            return false;
        }
        let trace = said.trace_id.clone();
        match session.open.clone() {
            Some(open) if open.trace_id == trace => {
                self.ask_again(&open, Some("I'm already on it.".into()), None);
            }
            _ => {
                self.answer(session, "That's already on its way.".into());
                self.led_to = Some(trace);
            }
        }
        true
    }

    /// What was said, and the command it led to (none: no double tap can
    /// follow it).
    fn remember_said(&mut self, session: &mut SessionState) {
        let Some(trace) = self.led_to.clone() else {
            session.said = None;
            return;
        };
        let confirmed = session
            .said
            .as_ref()
            .filter(|s| s.trace_id == trace)
            .and_then(|s| s.confirmed_at_ms);
        session.said = Some(Said {
            text: normalized(&self.utterance.text),
            at_ms: self.ctx.now_ms,
            trace_id: trace,
            confirmed_at_ms: confirmed,
        });
    }

    /// Whether `action` is priced only by its quote (no items: a ride).
    fn priced_by_quote(&self, action: &str) -> bool {
        self.ctx
            .registry
            .action(action)
            .is_some_and(|(_, spec)| !spec.slots.iter().any(|s| s.kind == SlotKind::Items))
    }

    /// "how much is a taxi from home to Gatwick?": the quote's price, in
    /// words; nothing is opened or booked.
    async fn fare(&mut self, session: &mut SessionState, heard: &Heard) -> Result<(), ErrorBody> {
        let Some((domain, spec)) = self.ctx.registry.action(&heard.action) else {
            self.answer(session, DECLINE.into());
            return Ok(());
        };
        let domain = domain.name.clone();
        // Priced, never placed: on the utterance's own trace. Offered
        // either way, so what is said next can take it up or complete it
        // ("how much is a cab to heathrow?", then "from home").
        // "how much would premium be?" at a ride's confirmation: that ride,
        // priced so.
        let mut slots = heard.parse.slots.clone();
        if let Some(open) = session.open.as_ref().filter(|o| o.action == heard.action) {
            for (name, value) in &open.slots {
                slots.entry(name.clone()).or_insert_with(|| value.clone());
            }
        }
        let priced = OpenCommand::asking(
            self.utterance.trace_id.clone(),
            heard.action.clone(),
            slots.clone(),
            Vec::new(),
            String::new(),
            self.turn,
        );
        let missing = spec.missing(&slots);
        let complete = missing.is_empty();
        let quote = match complete {
            true => Some(self.ctx.desk.quote(&self.command(&priced, &domain)).await?),
            false => None,
        };
        let text = match quote {
            Some(Err(refusal)) => refusal.error.message,
            quoted => {
                session.offered = Some(OpenCommand {
                    stage: Stage::Confirming,
                    ..priced
                });
                match quoted {
                    Some(Ok(summary)) => phrasing::price_answer(&summary),
                    _ => fare_needs(&missing),
                }
            }
        };
        self.answer(session, text);
        Ok(())
    }

    fn domain_of(&self, action: &str) -> &str {
        self.ctx
            .registry
            .action(action)
            .map(|(d, _)| d.name.as_str())
            .unwrap_or_default()
    }

    // --- starting ----------------------------------------------------------

    /// A command priced or refused and not placed, taken up on a new trace
    /// ("ok book it" after its price, "make it 7am" after a no at its
    /// confirmation, with `heard` the change): through its own
    /// confirmation again.
    async fn take_up(
        &mut self,
        session: &mut SessionState,
        offered: OpenCommand,
        heard: Option<&Heard>,
    ) -> Result<(), ErrorBody> {
        let trace = self.new_trace(session);
        let open = OpenCommand::asking(
            trace,
            offered.action,
            offered.slots,
            Vec::new(),
            String::new(),
            self.turn,
        );
        match heard {
            // (Boxed: a change that is another request starts it anew.)
            Some(heard) => Box::pin(self.continue_open(session, open, heard)).await,
            None => self.evaluate(session, open, false).await,
        }
    }

    /// Nothing is open: a new request, an amendment, or a decline.
    async fn start(&mut self, session: &mut SessionState, heard: &Heard) -> Result<(), ErrorBody> {
        if heard.change
            && let Some(offered) = (self.refused.take()).or_else(|| self.offered.take())
            && (!heard.in_scope() || offered.action == heard.action)
        {
            return self.take_up(session, offered, Some(heard)).await;
        }
        // ("wrong address, it should go to 10 Downing Street" after a meal
        // is the meal's address, whatever a reader made of "go to".)
        if heard.change
            && let Some(placed) = placed_named(session, &self.utterance.text).cloned()
            && !another_ride(&self.utterance.text, &placed)
            && (!heard.in_scope()
                || heard.action == placed.action
                || (delivered(&self.ctx.registry.action(&placed.action))
                    && says_delivery(&self.utterance.text)))
        {
            // "make one of the pizzas a margherita" of a pepperoni and a
            // hawaiian placed: which pizza is asked, as a change of it,
            // never both changed.
            if let Some(which) = (placed.slots.get("item").and_then(SlotValue::as_items))
                .and_then(|lines| which_line(&self.utterance.text, lines))
            {
                let open = self.change_of(session, &placed, placed.slots.clone());
                self.ask(session, open, vec!["item".into()], which, None);
                return Ok(());
            }
            let patch = self.patch(&reopened(&placed), heard);
            if !patch.is_empty() {
                return self.amend(session, placed, heard, patch).await;
            }
        }
        // "change the address", "wrong address", of the order just placed:
        // where it goes asked again, as a change of it.
        if let Some(placed) = session.placed.last().cloned()
            && let Some((_, spec)) = self.ctx.registry.action(&placed.action)
            && let Some(slot) = slot_to_change(&self.utterance.text, spec)
        {
            let mut slots = placed.slots.clone();
            slots.remove(&slot);
            let open = self.change_of(session, &placed, slots);
            // (Asked even when it may be left out: "change the time" of a
            // ride is never a ride now.)
            let question = spec
                .slot(&slot)
                .map(|s| s.question.clone())
                .unwrap_or_default();
            self.ask(session, open, vec![slot], question, None);
            return Ok(());
        }
        // "the same again", "another one": the last order, anew, through
        // its own confirmation (when, if it had a time, is asked again).
        if let Some(last) = session.placed.last().cloned()
            && heard.act.is_none()
            && !heard.parse.slots.contains_key("item")
            && orders_again(&heard.text)
        {
            // "the same again but to work", "same again at 6pm": the places
            // and times said replace the last order's.
            let said = self.patch(&reopened(&last), heard);
            let mut slots = last.slots;
            let mut when = Vec::new();
            if let Some((_, spec)) = self.ctx.registry.action(&last.action) {
                for slot in spec.slots.iter().filter(|s| s.kind == SlotKind::Time) {
                    if slots.remove(&slot.name).is_some() {
                        when.push(slot.name.clone());
                    }
                }
                // "the same again but make it 2": of a one-line order.
                let lower = heard.text.to_lowercase();
                let count = (lower.split_once(" but ")).and_then(|(_, rest)| {
                    crate::reading::amounts::count(&crate::reading::words::Words::new(rest))
                });
                if let (Some(n), Some(SlotValue::Items(items))) = (count, slots.get_mut("item"))
                    && let [line] = items.as_mut_slice()
                {
                    line.quantity = n;
                }
                for slot in (spec.slots.iter())
                    .filter(|s| matches!(s.kind, SlotKind::Place | SlotKind::Time))
                {
                    let cleared = |v: &&SlotValue| matches!(v, SlotValue::Text(t) if t.is_empty());
                    if let Some(value) = said.get(&slot.name).filter(|v| !cleared(v)) {
                        slots.insert(slot.name.clone(), value.clone());
                        when.retain(|w| w != &slot.name);
                    }
                }
            }
            let trace = self.new_trace(session);
            let open = OpenCommand::asking(
                trace,
                last.action,
                slots,
                Vec::new(),
                String::new(),
                self.turn,
            );
            if let Some((_, spec)) = self.ctx.registry.action(&open.action)
                && !when.is_empty()
            {
                let question = spec.question(&when);
                self.ask(session, open, when, question, None);
                return Ok(());
            }
            return self.evaluate(session, open, false).await;
        }
        if !heard.in_scope() {
            self.decline(session, heard.reply.as_deref());
            return Ok(());
        }
        if self.ctx.registry.action(&heard.action).is_none() {
            self.decline(session, heard.reply.as_deref());
            return Ok(());
        }
        let trace = self.new_trace(session);
        session
            .queued
            .extend(heard.more.iter().map(|queued| back_of(queued, &trace)));
        if heard.unscheduled {
            self.say(&trace, UNSCHEDULED.into());
            self.unscheduled = true;
        }
        let open = OpenCommand::asking(
            trace,
            heard.action.clone(),
            heard.parse.slots.clone(),
            Vec::new(),
            String::new(),
            self.turn,
        );
        // "when I land, book me a taxi": when is asked first, never taken
        // to be now.
        if let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && let Some(time) = spec.slots.iter().find(|s| {
                s.kind == crate::registry::SlotKind::Time && !open.slots.contains_key(&s.name)
            })
            && crate::reading::when::deferred(&heard.text)
        {
            let missing = vec![time.name.clone()];
            let question = spec.question(&missing);
            self.ask(session, open, missing, question, None);
            return Ok(());
        }
        self.evaluate(session, open, false).await
    }

    /// The next request said earlier beside another one.
    async fn next_queued(&mut self, session: &mut SessionState) -> Result<(), ErrorBody> {
        if session.open.is_some() || session.queued.is_empty() {
            return Ok(());
        }
        let mut next = session.queued.remove(0);
        let back = next.slots.remove(hear::RETURN_OF);
        let later_by = next
            .slots
            .remove(hear::LATER_BY)
            .and_then(|m| m.as_number());
        if next.slots.remove(hear::LATER_SAID).is_some() {
            self.unscheduled = true;
        }
        let when_asked = next.slots.remove(hear::WHEN_ASKED).is_some();
        if let Some(SlotValue::Text(there)) = &back {
            // The ride back: from where the ride there went, to where it
            // started, in the same car, unless said otherwise. None when
            // the ride there was not booked; asked for whole when which
            // ride it follows is not known.
            let placed = (session.placed.iter().rev())
                .find(|p| !there.is_empty() && p.trace_id.as_str() == there);
            if placed.is_none() && !there.is_empty() {
                self.answer(session, "So I won't book the ride back either.".into());
                return Box::pin(self.next_queued(session)).await;
            }
            // "and back 3 hours later": after the ride there's time, as
            // booked (or when it was booked, for a car sent then).
            if let Some(minutes) = later_by {
                let out = placed.and_then(|p| p.slots.get("pickup_at")?.as_text());
                let since = placed.map_or(self.ctx.now_ms, |p| p.at_ms);
                let since = i64::try_from(since)
                    .ok()
                    .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok());
                if let Some(at) = (crate::reading::Reading::time_zone(&self.ctx.config.time_zone)
                    .ok())
                .zip(since)
                .and_then(|(tz, since)| {
                    crate::reading::when::minutes_after(out, i64::from(minutes), since, &tz)
                }) {
                    next.slots.insert("pickup_at".into(), SlotValue::Text(at));
                }
            }
            if let Some(placed) = placed {
                for (from, to) in [
                    ("destination", "pickup"),
                    ("pickup", "destination"),
                    ("ride_type", "ride_type"),
                    ("seats", "seats"),
                ] {
                    if let Some(value) = placed.slots.get(from)
                        && !next.slots.contains_key(to)
                    {
                        next.slots.insert(to.into(), value.clone());
                    }
                }
            }
        }
        // "a burger from burger barn and a pizza from luigi's", then "to
        // home": the one place the order before it was delivered to, when
        // that was just now.
        if back.is_none()
            && let Some((_, spec)) = self.ctx.registry.action(&next.action)
            && let [place] = spec.places()[..]
            && !next.slots.contains_key(place)
            && let Some(before) = session.placed.last()
            && self.ctx.now_ms.saturating_sub(before.at_ms) < JUST_NOW_MS
            && let Some(value) = before.slots.get(place)
        {
            next.slots.insert(place.to_owned(), value.clone());
        }
        let trace = self.new_trace(session);
        // A ride back heard with this one follows it.
        if back.is_none()
            && let Some(following) = session.queued.first_mut()
        {
            *following = back_of(following, &trace);
        }
        let open = OpenCommand::asking(
            trace,
            next.action,
            next.slots,
            Vec::new(),
            String::new(),
            self.turn,
        );
        // A ride back with no time is not booked for now, while the
        // person is still on the way there: when is asked (so is a ride
        // said with no time beside one booked for later).
        if (back.is_some() || when_asked)
            && let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && let Some(time) = (spec.slots.iter()).find(|s| s.kind == SlotKind::Time)
            && !open.slots.contains_key(&time.name)
        {
            let when = vec![time.name.clone()];
            let question = match back {
                Some(_) => "When should the driver come for the ride back?",
                None => "When should the driver come for this one?",
            };
            self.ask(session, open, when, question.to_owned(), None);
            return Ok(());
        }
        Box::pin(self.evaluate(session, open, false)).await
    }

    fn decline(&mut self, session: &mut SessionState, reply: Option<&str>) {
        let trace = self.new_trace(session);
        let reply = reply.map(str::trim).filter(|r| !r.is_empty());
        let step = StatusUpdate {
            intent: Some(Intent::OutOfScope.as_str().into()),
            reply: Some(reply.unwrap_or(DECLINE).into()),
            ..self.step(&trace, Status::Declined)
        };
        self.record(step);
    }

    // --- the open command --------------------------------------------------

    async fn continue_open(
        &mut self,
        session: &mut SessionState,
        open: OpenCommand,
        heard: &Heard,
    ) -> Result<(), ErrorBody> {
        // A cancel the reader heard (an LLM's cancel_request).
        if heard.parse.cancel && heard.act.is_none() {
            return self.no(session, open).await;
        }
        // "and back at 6": the ride back, after this one.
        if let Some(back) = &heard.way_back
            && open.stage != Stage::Cancelling
        {
            // ("make the return 11:30 instead": the one waiting, changed.)
            let waiting = session.queued.first().is_some_and(|q| {
                q.action == back.action
                    && matches!(
                        q.slots.get(hear::RETURN_OF).and_then(SlotValue::as_text),
                        Some(of) if of.is_empty() || of == open.trace_id.as_str()
                    )
            });
            let said = match waiting {
                true => {
                    session.queued[0] = back_of(back, &open.trace_id);
                    "OK, I've changed the ride back; I'll ask about it once this one is booked."
                }
                false => {
                    session.queued.insert(0, back_of(back, &open.trace_id));
                    "Sure, I'll ask about the ride back once this one is booked."
                }
            };
            self.ask_again(&open, Some(said.into()), None);
            return Ok(());
        }
        if open.stage == Stage::Cancelling {
            // Something else entirely: the placed command stays as it is.
            session.open = None;
            return self.start(session, heard).await;
        }
        // "cancel the pizza, just the sushi", of a pizza with sushi to come
        // from another restaurant: the pizza dropped, the sushi next, as
        // it was.
        if let Some(keep) = keeps_only_what_waits(
            self.ctx.registry,
            session,
            &open,
            &self.utterance.text,
            heard,
        ) {
            session.queued = keep;
            self.drop_open(session, &open, "OK, I've dropped the");
            return self.next_queued(session).await;
        }
        // "change the address", "can i change the pickup time?": what it
        // was is dropped, and it is asked for again.
        if let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && let Some(slot) = slot_to_change(&self.utterance.text, spec)
            && open.slots.contains_key(&slot)
        {
            let mut open = open;
            open.slots.remove(&slot);
            let missing = vec![slot];
            let question = spec.question(&missing);
            self.ask(session, open, missing, question, None);
            return Ok(());
        }
        // "can we stop at work on the way": no stop is added, and no end of
        // the ride moves to where the stop would be.
        // (A "to" of a verb is no place: "we need to stop at work".)
        let lower = [
            "need to ",
            "want to ",
            "have to ",
            "got to ",
            "like to ",
            "going to ",
        ]
        .iter()
        .fold(self.utterance.text.to_lowercase(), |t, verb| {
            t.replace(verb, "")
        });
        if let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && self.straight_there(spec).is_some()
            && !lower.contains(" to ")
            && !lower.contains("from ")
        {
            self.ask_again(&open, Some(STRAIGHT_THERE.into()), None);
            return Ok(());
        }
        // "change the pizza to a pepperoni" of a margherita and a hawaiian:
        // which pizza is asked, never both changed.
        if let Some(which) = (open.slots.get("item").and_then(SlotValue::as_items))
            .and_then(|lines| which_line(&self.utterance.text, lines))
        {
            self.ask_again(&open, Some(which), None);
            return Ok(());
        }
        // "forget the cola", "no cola" of the cola coming next (from another
        // restaurant): off the waiting order, this one asked again.
        if let Some((gone, instead)) = off_the_waiting(session, &open, &self.utterance.text, heard)
        {
            let mut open = open;
            // ("a lemonade instead of the coke": the lemonade on this order.)
            if let Some(item) = instead
                && let Some(SlotValue::Items(lines)) = open.slots.get_mut("item")
            {
                lines.push(item);
                return self.evaluate(session, open, false).await;
            }
            if let Some(summary) = &open.summary {
                open.question = confirming_question(session, &open, summary);
            }
            self.ask_again(&open, Some(format!("OK, no {gone}.")), None);
            session.open = Some(open);
            return Ok(());
        }
        // "drop the burger, get me a cab to work instead": the lines taken
        // off are this order's; the rest is another domain's request,
        // taken next (at once, when nothing of this order is left).
        if heard.in_scope()
            && heard.action != open.action
            && heard.parse.confidence >= 0.4
            && self.ctx.registry.action(&heard.action).is_some()
            && let Some(lines) = named_off(&open, &heard.text, &heard.said_as)
        {
            // ("drop the tea" of milk and tea: the tea is what goes, never
            // a tea from the café after it.)
            let mut slots = heard.parse.slots.clone();
            if let Some(SlotValue::Items(asked)) = slots.get_mut("item") {
                let key = crate::agents::item_key;
                // (Its words, of a line dropped: "rice" of egg fried rice.)
                let dropped = |a: &ItemRequest| {
                    lines.iter().any(|l| {
                        let line = key(&l.name);
                        key(&a.name)
                            .split(' ')
                            .all(|w| line.split(' ').any(|x| x == w))
                    })
                };
                asked.retain(|a| !dropped(a));
                if asked.is_empty() {
                    slots.remove("item");
                }
            }
            let next = Queued {
                action: heard.action.clone(),
                slots,
            };
            let nothing_else = !next.slots.contains_key("item")
                && (self.ctx.registry.action(&next.action))
                    .is_some_and(|(_, spec)| spec.slot("item").is_some());
            let every = (open.slots.get("item").and_then(SlotValue::as_items))
                .is_some_and(|all| all.len() == lines.len());
            let mut open = open;
            if !every {
                let patch = SlotMap::from([("item".to_owned(), SlotValue::Items(lines))]);
                apply(&mut open.slots, patch, heard, open.stage);
            }
            if every || !open.slots.contains_key("item") {
                self.drop_open(session, &open, "OK, I've dropped the");
                if !nothing_else {
                    session.queued.insert(0, next);
                }
                return self.next_queued(session).await;
            }
            if !nothing_else {
                session.queued.insert(0, next);
            }
            open.offer = None;
            open.repairs = 0;
            return self.evaluate(session, open, false).await;
        }
        // "double the fries", "triple it": those lines times two or three;
        // "no coke, just the other two", "just the burger and fries":
        // those lines only. Of this order, whatever shop sells what they
        // name ("only the rice").
        if let Some(lines) = multiplied(&open, &heard.text)
            .or_else(|| for_a_party(&open, &heard.text))
            .or_else(|| kept_lines(&open, &self.utterance.text, &heard.said_as))
            // ("never mind the curry just the naan", asked what instead of
            // a curry: heard as "just the naan", the naan's line as it was.)
            .or_else(|| {
                (heard.text != self.utterance.text)
                    .then(|| kept_lines(&open, &heard.text, &heard.said_as))
                    .flatten()
            })
        {
            let mut open = open;
            open.slots.insert("item".into(), SlotValue::Items(lines));
            open.offer = None;
            open.repairs = 0;
            return self.evaluate(session, open, false).await;
        }
        // "make them both large", "extra cheese on both": every line so.
        if let Some(note) = hear::extra_for_every_line(&self.utterance.text, &open)
            && let Some(lines) = open.slots.get("item").and_then(SlotValue::as_items)
        {
            let lines: Vec<ItemRequest> = (lines.iter())
                .map(|line| ItemRequest {
                    note: Some(crate::reading::allergies::noted(
                        without_a_size(line.note.as_deref(), &note),
                        &note,
                    )),
                    ..line.clone()
                })
                .collect();
            let mut open = open;
            open.slots.insert("item".into(), SlotValue::Items(lines));
            open.repairs = 0;
            return self.evaluate(session, open, false).await;
        }
        // "no onions please" at a burger and fries: on which is asked, and
        // never taken for an order of onions.
        if let Some(extra) = hear::extra_for_no_line(&self.utterance.text, &open)
            && let Some(first) = (open.slots.get("item").and_then(SlotValue::as_items))
                .and_then(|lines| lines.first())
        {
            let which = format!(
                "Which should be {extra}? You can say, for example, \"{extra} on the {}\".",
                first.name
            );
            self.repair(session, open, &which);
            return Ok(());
        }
        let patch = self.patch(&open, heard);
        let goes_with = hear::goes_with_the_open(&self.utterance.text);
        // Another domain's request drops the open command, unless the words
        // read better as a change to it ("no, to work instead" is the open
        // order's address, not a ride to work).
        let switch = heard.in_scope()
            && heard.action != open.action
            // "remove the rice": of this order, whatever shop sells rice
            // (a longer message may go on to ask for something else).
            && !(takes_off(&heard.text.to_lowercase()) && heard.text.split_whitespace().count() <= 5)
            // "add a coke to that": of this order, when it has the thing.
            && !(goes_with && patch.contains_key("item"))
            // "swap the rice for chow mein": a change of this order.
            && !swaps_a_line(&self.utterance.text)
            // "can i have rice as well" at a curry: the kitchen's rice.
            && !of_the_kitchens_kinds(&open, &patch)
            // "actually beef" at a chicken burrito, "flat white, oat milk"
            // at a coffee: a correction in this order's words (unless a
            // kitchen is named: "plus a coffee from bean scene" at the
            // shop's order is the café's).
            && (!heard.in_open_words || heard.parse.slots.contains_key("restaurant"))
            // "wrong address, it should go to 10 Downing Street": where
            // this order is delivered, never a ride there.
            && !(delivered(&self.ctx.registry.action(&open.action))
                && says_delivery(&self.utterance.text))
            && heard.parse.confidence >= 0.4
            && self.ctx.registry.action(&heard.action).is_some()
            // ("add a pint of milk" at a pizza: the mart's milk, after it;
            // "forget it, get me a taxi to work instead": a taxi, named.)
            && (!heard.change
                || heard.parse.slots.len() > patch.len()
                || adds(&heard.text)
                || names_its_kind(&heard.action, &self.utterance.text))
            // A count answering the question asked is no new request.
            && !open.missing.iter().any(|m| {
                matches!(patch.get(m), Some(SlotValue::Number(_)))
            });
        if switch && (adds(&heard.text) || goes_with) {
            // "and add garlic bread to the pizza", the pizza waiting after
            // this ride: onto that request, never a second pizza.
            if heard.more.is_empty()
                && let Some(waiting) =
                    (session.queued.iter_mut()).find(|q| q.action == heard.action)
                && add_to_waiting(waiting, heard)
            {
                let said = format!(
                    "OK, I've added that to the {} that comes next.",
                    phrasing::describe(&heard.action)
                );
                self.ask_again(&open, Some(said), None);
                return Ok(());
            }
            // "also get me some eggs", "some milk with that" (at a burger):
            // the open command stays; the new request is taken after it.
            session.queued.push(Queued {
                action: heard.action.clone(),
                slots: heard.parse.slots.clone(),
            });
            session.queued.extend(heard.more.iter().cloned());
            self.ask_again(&open, Some("Sure, I'll do that next.".into()), None);
            return Ok(());
        }
        // "sushi and a taxi", then, at the sushi's confirmation, "from home
        // to the british museum": the waiting taxi's details, not a new
        // request that drops the sushi.
        if switch
            && heard.more.is_empty()
            && let Some(waiting) = (session.queued.iter_mut()).find(|q| q.action == heard.action)
        {
            for (slot, value) in &heard.parse.slots {
                waiting.slots.insert(slot.clone(), value.clone());
            }
            self.ask_again(&open, Some("OK, I'll do that next.".into()), None);
            return Ok(());
        }
        // "wait, first order some bananas" at a ride's confirmation: the
        // bananas now, the ride after (never dropped unless the words say
        // so); "hang on, I need water too": the ride first, then the water.
        // (At its confirmation only: a question still asked is answered by
        // what is said next, "ok then a lamb curry" after a dish nobody has.)
        if switch && open.stage == Stage::Confirming && !replaces_the_open(&self.utterance.text) {
            if says_first(&self.utterance.text) {
                session.queued.insert(
                    0,
                    Queued {
                        action: open.action.clone(),
                        slots: open.slots.clone(),
                    },
                );
                self.drop_open(session, &open, "OK, that first, then back to the");
                return self.start(session, heard).await;
            }
            session.queued.push(Queued {
                action: heard.action.clone(),
                slots: heard.parse.slots.clone(),
            });
            session.queued.extend(heard.more.iter().cloned());
            self.ask_again(&open, Some("Sure, I'll do that next.".into()), None);
            return Ok(());
        }
        if switch {
            self.drop_open(session, &open, "OK, I've dropped the");
            // Where it was to go still holds ("a lamb curry then", after
            // groceries to home).
            let mut heard = heard.clone();
            if let Some((_, spec)) = self.ctx.registry.action(&heard.action) {
                for slot in spec.slots.iter().filter(|s| s.kind == SlotKind::Place) {
                    if let Some(value) = open.slots.get(&slot.name)
                        && !heard.parse.slots.contains_key(&slot.name)
                    {
                        heard.parse.slots.insert(slot.name.clone(), value.clone());
                    }
                }
            }
            return self.start(session, &heard).await;
        }
        // "make it 3" of an order of several: which line is unclear.
        let lines = open.slots.get("item").and_then(SlotValue::as_items);
        if let Some([.., last]) = lines
            && lines.is_some_and(|l| l.len() > 1)
            && let Some(n) = hear::sets_a_count(&heard.text)
        {
            let which = match n {
                0 => format!(
                    "Which should I take off? You can say, for example, \"no {}\".",
                    last.name
                ),
                n => format!(
                    "Which should be {n}? You can say, for example, \"{n} {}\", or \"{n} of each\".",
                    last.name
                ),
            };
            self.repair(session, open, &which);
            return Ok(());
        }
        let mut patch = patch;
        if patch.is_empty()
            && let Some(lines) = taken_off(&open, &heard.text, &heard.said_as)
        {
            patch.insert("item".into(), SlotValue::Items(lines));
        }
        // "I'm allergic to peanuts", "add a note: nut allergy": the
        // kitchen is told on every line (and what else was said applies).
        let mut open = open;
        if !patch.contains_key("item")
            && let Some(allergy) =
                crate::reading::allergies::said(&crate::reading::words::Words::new(&heard.text))
            && let Some(lines) = open.slots.get("item").and_then(SlotValue::as_items)
        {
            let noted = |line: &ItemRequest| ItemRequest {
                note: Some(crate::reading::allergies::noted(
                    line.note.clone(),
                    &allergy.note,
                )),
                ..line.clone()
            };
            let lines: Vec<ItemRequest> = lines.iter().map(noted).collect();
            open.slots.insert("item".into(), SlotValue::Items(lines));
            if patch.is_empty() {
                open.repairs = 0;
                return self.evaluate(session, open, false).await;
            }
        }
        if patch.is_empty() {
            // "make it 25:00": said so, not "I didn't get that".
            if let Some(said) = &heard.no_such_time {
                self.repair(session, open, &no_such_time(said, false));
                return Ok(());
            }
            if let Some(reply) = heard.reply.clone() {
                // A model's words in place of an answer.
                let question = if reply.trim_end().ends_with('?') {
                    reply
                } else {
                    format!("{reply} {}", open.question)
                };
                let again = OpenCommand {
                    question,
                    ..open.clone()
                };
                self.ask_again(&again, None, None);
                return Ok(());
            }
            // "one more" of an order of several: which is unclear.
            let lines = open.slots.get("item").and_then(SlotValue::as_items);
            if let Some([.., last]) = lines
                && lines.is_some_and(|l| l.len() > 1)
                && hear::more_of_it(&heard.text)
            {
                let which = format!(
                    "More of which? You can say, for example, \"one more {}\".",
                    last.name
                );
                self.repair(session, open, &which);
                return Ok(());
            }
            // "can it come at 7pm instead" of a meal: it cannot.
            if heard.unscheduled {
                self.repair(session, open, UNSCHEDULED);
                return Ok(());
            }
            self.repair(session, open, DIDNT_GET);
            return Ok(());
        }
        let answered: Vec<String> = patch.keys().cloned().collect();
        let asked_again = open.stage == Stage::Asking
            && open.missing.iter().any(|m| answered.contains(m))
            && open.repairs > 0;
        // When to leave, asked because only the words can say it ("get me
        // to Heathrow by 9am"), is asked until answered ("now" answers it).
        let when_asked: Vec<String> = match self.ctx.registry.action(&open.action) {
            Some((_, spec)) if open.stage == Stage::Asking => (open.missing.iter())
                .filter(|m| {
                    spec.slot(m).is_some_and(|s| s.kind == SlotKind::Time) && !answered.contains(m)
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        // "home", asked how many: the place taken, the count still asked.
        let count_unsaid = open.stage == Stage::Asking
            && open.missing == ["quantity"]
            && !patch.is_empty()
            && !patch.contains_key("quantity")
            && !patch.contains_key("item");
        let asked = patch.get("item").cloned();
        let patch = instead_of_refused(&open, patch, &heard.text);
        // "add cheese instead", "another burger": the list is whole
        // already, so the adding words add nothing twice.
        if (adds(&heard.text) || says_more(&heard.text)) && patch.get("item") != asked.as_ref() {
            open.slots.remove("item");
        }
        let before = (open.stage == Stage::Confirming).then(|| open.slots.clone());
        let lines = |open: &OpenCommand| {
            (open.slots.get("item").and_then(SlotValue::as_items)).map_or(0, <[_]>::len)
        };
        let had_lines = lines(&open);
        apply(&mut open.slots, patch, heard, open.stage);
        // "remove the coke" of an order of a coke: nothing is left to
        // order, so the order goes (what waits comes next).
        if had_lines > 0
            && lines(&open) == 0
            && heard.more.is_empty()
            && (takes_off(&self.utterance.text.to_lowercase())
                || takes_off(&heard.text.to_lowercase()))
        {
            self.drop_open(
                session,
                &open,
                "OK, that leaves nothing, so I've dropped the",
            );
            return self.next_queued(session).await;
        }
        // Words at a confirmation that change nothing in it ("scratch the
        // eggs" heard as the eggs again): said so, never the same order
        // shown again as if changed.
        if before.as_ref() == Some(&open.slots) && heard.more.is_empty() {
            let unchanged = format!(
                "That doesn't change the {} as I have it.",
                describe(&open.action)
            );
            self.repair(session, open, &unchanged);
            return Ok(());
        }
        if count_unsaid {
            let question = open.question.clone();
            let missing = open.missing.clone();
            self.ask(session, open, missing, question, None);
            return Ok(());
        }
        open.offer = None;
        if !asked_again {
            open.repairs = 0;
        }
        session.queued.extend(heard.more.iter().cloned());
        let unanswered: Vec<String> = (when_asked.into_iter())
            .filter(|t| !open.slots.contains_key(t))
            .collect();
        if let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && !unanswered.is_empty()
        {
            let mut missing = spec.missing(&open.slots);
            missing.extend(unanswered);
            let question = spec.question(&missing);
            self.ask(session, open, missing, question, None);
            return Ok(());
        }
        self.evaluate(session, open, asked_again).await
    }

    /// What the words change in `open`: its slots, with a bare place moved
    /// to the place it corrects ("I'd like a ride to the airport" ...
    /// "actually, gatwick" changes the destination).
    fn patch(&self, open: &OpenCommand, heard: &Heard) -> SlotMap {
        let mut patch = heard.for_open.clone();
        if heard.change
            && let Some((_, spec)) = self.ctx.registry.action(&open.action)
        {
            let places = spec.places();
            let given: Vec<String> = patch
                .keys()
                .filter(|k| places.contains(&k.as_str()))
                .cloned()
                .collect();
            let prepositions = heard.text.to_lowercase();
            // ("pick me up at work instead", "drop me off at Soho" say which
            // end they change.)
            let names_its_end = (crate::reading::words::Words::new(&prepositions)
                .norm()
                .iter())
            .any(|w| {
                matches!(
                    w.as_str(),
                    "pick" | "pickup" | "picked" | "drop" | "dropoff" | "destination" | "collect"
                )
            })
            // ("actually i'm at euston now": where it starts.)
            || ["i'm at ", "im at ", "i am at ", "we're at ", "we are at "]
                .iter()
                .any(|at| prepositions.contains(at));
            let plain = !prepositions.contains(" to ")
                && !prepositions.contains(" from ")
                && !prepositions.starts_with("to ")
                && !prepositions.starts_with("from ")
                && !names_its_end;
            if given.len() == 1 && plain {
                let value = patch
                    .remove(&given[0])
                    .unwrap_or(SlotValue::Text(String::new()));
                // The place said last is the one corrected: a ride's
                // destination, or the only place slot.
                let target = if places.contains(&"destination")
                    && open.slots.contains_key("destination")
                {
                    "destination".to_owned()
                } else if open.slots.contains_key(&given[0]) || open.missing.contains(&given[0]) {
                    given[0].clone()
                } else {
                    places.first().map(|p| p.to_string()).unwrap_or_default()
                };
                patch.insert(target, value);
            }
        }
        // "one each", "two per person": for everyone, when a yes would have
        // given everyone one ("pizza for 4 people").
        let words = crate::reading::words::Words::new(&heard.text);
        if open.missing.iter().any(|m| m == "quantity")
            && !patch.contains_key("item")
            && crate::reading::amounts::for_everyone(&words)
            && let Some(people) = (open.offer.as_ref())
                .and_then(|o| o.slots.get("quantity"))
                .and_then(SlotValue::as_number)
        {
            let each = crate::reading::amounts::count(&words).unwrap_or(1);
            patch.insert("quantity".into(), SlotValue::Number(each * people));
        }
        // "make it two": a count alone changes the quantity.
        if !patch.contains_key("item")
            && !patch.contains_key("quantity")
            && (heard.change || open.missing.iter().any(|m| m == "quantity"))
            && open.slots.contains_key("item")
            && let Some(n) = {
                let words = crate::reading::words::Words::new(&heard.text);
                // "make it 0": none of it (see `apply`).
                let none = crate::reading::amounts::none_of(&words).then_some(0);
                crate::reading::amounts::count(&words).or(none)
            }
        {
            // "make it a dozen" of eggs sold by the box of 12 is one box.
            let pack = self
                .ctx
                .registry
                .action(&open.action)
                .and_then(|(domain, _)| self.ctx.registry.sold(&domain.name))
                .zip(open.slots.get("item").and_then(SlotValue::as_items))
                .and_then(|(sold, items)| sold.pack(&items.last()?.name));
            let n = match pack {
                Some(size) if heard.text.to_lowercase().contains("dozen") => n.div_ceil(size),
                _ => n,
            };
            patch.insert("quantity".into(), SlotValue::Number(n));
        }
        if !heard.change
            && open.stage == Stage::Asking
            && !open.missing.iter().any(|m| m == "quantity")
        {
            patch.remove("quantity");
        }
        // "actually, I need it right now": the time asked for goes; "now"
        // answers when.
        if let Some((_, spec)) = self.ctx.registry.action(&open.action)
            && crate::reading::when::wants_now(&heard.text)
        {
            for slot in spec
                .slots
                .iter()
                .filter(|s| s.kind == crate::registry::SlotKind::Time)
            {
                let asked = open.stage == Stage::Asking && open.missing.contains(&slot.name);
                if (open.slots.contains_key(&slot.name) || asked) && !patch.contains_key(&slot.name)
                {
                    patch.insert(slot.name.clone(), SlotValue::Text(String::new()));
                }
            }
        }
        patch
    }

    /// The person said yes.
    async fn yes(
        &mut self,
        session: &mut SessionState,
        open: OpenCommand,
    ) -> Result<(), ErrorBody> {
        match open.stage {
            Stage::Confirming => self.place(session, open).await,
            Stage::Cancelling => {
                session.open = None;
                let Some(placed) = (session.placed.iter())
                    .find(|p| p.trace_id == open.trace_id)
                    .cloned()
                else {
                    return Ok(());
                };
                self.cancel_placed(session, placed).await?;
                // "cancel all my rides": the next one asked.
                match open.slots.get(CANCEL_ALL).and_then(SlotValue::as_text) {
                    Some(domain) => {
                        let domain = (!domain.is_empty()).then(|| domain.to_owned());
                        self.ask_to_cancel_one(session, domain.as_deref(), true, true)
                            .await
                    }
                    // ("cancel the cab and order me a pizza": the pizza.)
                    None => self.next_queued(session).await,
                }
            }
            Stage::Asking => match open.offer.clone() {
                Some(offer) => {
                    let mut open = open;
                    for (name, value) in offer.slots {
                        // A count is the one thing's ("pizza for 4
                        // people", then yes: one each).
                        let line = (open.slots.get_mut("item")).and_then(|v| match v {
                            SlotValue::Items(lines) if lines.len() == 1 => lines.last_mut(),
                            _ => None,
                        });
                        match (name.as_str(), value.as_number(), line) {
                            ("quantity", Some(n), Some(line)) => line.quantity = n,
                            _ => {
                                open.slots.insert(name, value);
                            }
                        }
                    }
                    open.offer = None;
                    self.evaluate(session, open, false).await
                }
                None => {
                    self.repair(session, open, DIDNT_GET);
                    Ok(())
                }
            },
        }
    }

    /// The person said no.
    async fn no(&mut self, session: &mut SessionState, open: OpenCommand) -> Result<(), ErrorBody> {
        if open.stage == Stage::Cancelling {
            session.open = None;
            self.say(&open.trace_id, "OK, I haven't cancelled it.".into());
            self.led_to = Some(open.trace_id);
            return self.next_queued(session).await;
        }
        let words = if open.stage == Stage::Confirming {
            "OK, I won't place the"
        } else {
            "OK, I've cancelled the"
        };
        self.drop_open(session, &open, words);
        self.drop_queued_if_all(session, &open.trace_id);
        if open.stage == Stage::Confirming {
            session.refused = Some(open);
        }
        self.next_queued(session).await
    }

    /// "cancel both", "forget all of it", said as the open command is
    /// dropped: what was to come after it is dropped too, and said so.
    fn drop_queued_if_all(&mut self, session: &mut SessionState, trace: &TraceId) {
        if session.queued.is_empty() || !says_all(&self.utterance.text) {
            return;
        }
        let next: Vec<&str> = (session.queued.iter())
            .map(|q| describe(&q.action))
            .collect();
        let next = match next.as_slice() {
            [one] => format!("the {one}"),
            _ => format!("the {} that came next", next.len()),
        };
        session.queued.clear();
        self.say(trace, format!("And I've dropped {next} too."));
    }

    /// Ends the open command `cancelled`, saying `words` + what it was.
    fn drop_open(&mut self, session: &mut SessionState, open: &OpenCommand, words: &str) {
        session.open = None;
        if open.stage == Stage::Cancelling {
            return;
        }
        // (A change of an order placed drops the change, never the order.)
        let reply = match open.replaces {
            Some(_) => format!(
                "OK, I won't change the {}: it stays as it is.",
                describe(&open.action)
            ),
            None => format!("{words} {}.", describe(&open.action)),
        };
        self.end_open(session, open, reply);
    }

    /// Ends the open command `cancelled`, saying `reply`.
    fn end_open(&mut self, session: &mut SessionState, open: &OpenCommand, reply: String) {
        session.open = None;
        let step = StatusUpdate {
            reply: Some(reply),
            ..self.step(&open.trace_id, Status::Cancelled)
        };
        self.record(step);
        self.led_to = Some(open.trace_id.clone());
    }

    /// An answer errand cannot use: ask again, or give up after too many.
    fn repair(&mut self, session: &mut SessionState, mut open: OpenCommand, prefix: &str) {
        open.repairs += 1;
        if open.repairs >= self.ctx.config.max_repairs {
            self.give_up(session, &open);
            return;
        }
        self.ask_again(&open, None, Some(prefix));
        session.open = Some(open);
    }

    fn give_up(&mut self, session: &mut SessionState, open: &OpenCommand) {
        let reply = format!(
            "Sorry, I couldn't work that out, so I've cancelled the {}. You can start again any time.",
            describe(&open.action)
        );
        self.end_open(session, open, reply);
    }

    // --- a complete command ------------------------------------------------

    /// Asks for what is missing, or prices the command and asks to confirm
    /// it (or places it, when confirmation is waived). `answering` is true
    /// when this turn answered a question asked again after a refusal.
    async fn evaluate(
        &mut self,
        session: &mut SessionState,
        mut open: OpenCommand,
        answering: bool,
    ) -> Result<(), ErrorBody> {
        self.led_to = Some(open.trace_id.clone());
        let Some((domain, spec)) = self.ctx.registry.action(&open.action) else {
            session.open = None;
            self.decline(session, None);
            return Ok(());
        };
        let domain = domain.name.clone();
        // "pizza for 4 people": how many for them is asked, not guessed.
        if let Some(people) = self.party_to_feed(spec, &open) {
            let question = format!("How many would you like for the {people} of you?");
            // A yes, or "one each", is one for everyone.
            let each = errand_schemas::Offer {
                slots: SlotMap::from([("quantity".into(), SlotValue::Number(people))]),
            };
            self.ask(session, open, vec!["quantity".into()], question, Some(each));
            return Ok(());
        }
        // "a chicken tikka masala or a butter chicken": which is asked,
        // never both ordered.
        if let Some(SlotValue::Items(lines)) = open.slots.get_mut("item")
            && let Some((a, b)) = either_or(&self.utterance.text, lines)
        {
            let (first, second) = (lines[a].name.clone(), lines[b].name.clone());
            lines.retain(|line| line.name != first && line.name != second);
            if lines.is_empty() {
                open.slots.remove("item");
            }
            let question = format!("Which would you like: the {first} or the {second}?");
            self.ask(session, open, vec!["item".into()], question, None);
            return Ok(());
        }
        // "some bananas", "a kilo of potatoes": how many is asked, never
        // taken as one.
        if let Some((at, question)) = self.how_many(spec, &open) {
            // The count answered is the last line's (see `apply`).
            if let Some(SlotValue::Items(lines)) = open.slots.get_mut("item")
                && at + 1 < lines.len()
            {
                let line = lines.remove(at);
                lines.push(line);
            }
            self.ask(session, open, vec!["quantity".into()], question, None);
            return Ok(());
        }
        // "sushi and a curry": no one restaurant has both, so an order
        // from each, the others taken next, said so.
        if !open.slots.contains_key("restaurant")
            && spec.slot("restaurant").is_some()
            && let Some(lines) = open.slots.get("item").and_then(SlotValue::as_items)
            && let Some(groups) = answers::by_merchant(self.ctx.registry, &domain, lines)
        {
            let said: Vec<String> = (groups.iter())
                .map(|(merchant, lines)| {
                    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
                    format!("{} from {merchant}", phrasing::list(&names))
                })
                .collect();
            self.say(
                &open.trace_id,
                format!(
                    "No one restaurant has all of that, so I'll make it {} orders: {}.",
                    groups.len(),
                    phrasing::list(&said)
                ),
            );
            let mut groups = groups.into_iter();
            if let Some((merchant, lines)) = groups.next() {
                open.slots.insert("item".into(), SlotValue::Items(lines));
                open.slots
                    .insert("restaurant".into(), SlotValue::Text(merchant));
            }
            let others: Vec<Queued> = groups
                .map(|(merchant, lines)| {
                    let mut slots = open.slots.clone();
                    slots.insert("item".into(), SlotValue::Items(lines));
                    slots.insert("restaurant".into(), SlotValue::Text(merchant));
                    Queued {
                        action: open.action.clone(),
                        slots,
                    }
                })
                .collect();
            session.queued.splice(0..0, others);
        }
        let missing = spec.missing(&open.slots);
        if !missing.is_empty() {
            // Something no shop of this domain has is said now, before
            // the address is asked for ("a jar of sauce").
            if let Some(sold) = self.ctx.registry.sold(&domain)
                && let Some((slot, said)) = unsold(spec, &open.slots, sold)
            {
                let question = match kept_beside(&open, &slot, &said) {
                    Some(kept) => format!("{said} {kept}: what would you like instead?"),
                    None => format!("{said} {}", spec.question(std::slice::from_ref(&slot))),
                };
                self.ask(session, open, vec![slot], question, None);
                return Ok(());
            }
            let question = spec.question(&missing);
            // "some chinese food": what to order, with the menu to choose
            // from.
            let text = |name: &str| open.slots.get(name).and_then(SlotValue::as_text);
            let question = match missing.iter().any(|m| m == "item") {
                true => {
                    let (restaurant, cuisine) = (text("restaurant"), text("cuisine"));
                    session.menu_shown =
                        answers::menu_of_dishes(self.ctx.registry, restaurant, cuisine);
                    match answers::menu_of(self.ctx.registry, restaurant, cuisine) {
                        Some(menu) => format!("{menu} {question}"),
                        None => question,
                    }
                }
                false => question,
            };
            // Said now, while it is heard: the next turn's words will not
            // say it again.
            let said_now: Vec<String> = (self.straight_there(spec).into_iter())
                .chain(self.just_the_first(spec))
                .collect();
            let question = match said_now.is_empty() {
                false => format!("{} {question}", said_now.join(" ")),
                true => question,
            };
            self.ask(session, open, missing, question, None);
            return Ok(());
        }
        let command = self.command(&open, &domain);
        let confirm =
            self.ctx.config.confirm != ConfirmPolicy::Never && self.ctx.registry.confirms(&domain);
        if !confirm {
            open.summary = None;
            return self.place(session, open).await;
        }
        match self.ctx.desk.quote(&command).await? {
            Err(refusal) => self.refused(session, open, refusal, answering).await,
            Ok(summary) => {
                let cheap = match self.ctx.config.confirm {
                    ConfirmPolicy::Above(limit) => summary.amount().is_some_and(|a| a <= limit),
                    _ => false,
                };
                let mut summary = summary;
                summary.notes.splice(0..0, self.notes(spec));
                let cheap = cheap && summary.notes.is_empty();
                open.summary = Some(summary);
                if cheap {
                    self.place(session, open).await
                } else {
                    self.confirm(session, open);
                    Ok(())
                }
            }
        }
    }

    /// How many people this turn's words say one thing is for ("pizza for 4
    /// people"), when they do not say how many of it: the count is asked.
    fn party_to_feed(&self, spec: &crate::registry::ActionSpec, open: &OpenCommand) -> Option<u32> {
        let items = spec.slots.iter().find(|s| s.kind == SlotKind::Items)?;
        let lines = open.slots.get(&items.name).and_then(SlotValue::as_items)?;
        if !matches!(lines, [line] if line.quantity == 1)
            || open.missing.iter().any(|m| m == "quantity")
        {
            return None;
        }
        crate::reading::amounts::party(&crate::reading::words::Words::new(&self.utterance.text))
    }

    /// The line whose count is asked, and the question, when this turn's
    /// words say the one thing ordered as more than one ("some bananas"),
    /// or a thing by weight ("a kilo of potatoes"), without a count.
    fn how_many(
        &self,
        spec: &crate::registry::ActionSpec,
        open: &OpenCommand,
    ) -> Option<(usize, String)> {
        use crate::reading::amounts::{Uncounted, uncounted};
        let items = spec.slots.iter().find(|s| s.kind == SlotKind::Items)?;
        let lines = open.slots.get(&items.name).and_then(SlotValue::as_items)?;
        if open.missing.iter().any(|m| m == "quantity") {
            return None;
        }
        let words = crate::reading::words::Words::new(&self.utterance.text);
        // Of several lines, a weight ("1kg of potatoes and 3 onions"), and
        // a plural when it is the list's only one ("some dumplings and a
        // chow mein"): never a question for each of many.
        let plurals = (lines.iter())
            .filter(|line| {
                line.quantity == 1
                    && matches!(uncounted(&words, &line.name), Some(Uncounted::Plural(_)))
            })
            .count();
        // (Not before a thing no catalog has is refused: "lager, ... and
        // some bananas" says first that there is no lager.)
        let sold = (self.ctx.registry.action(&open.action))
            .and_then(|(domain, _)| self.ctx.registry.sold(&domain.name));
        let all_sold = sold.is_some_and(|sold| {
            (lines.iter()).all(|line| sold.keys.contains(&crate::agents::item_key(&line.name)))
        });
        let alone = lines.len() == 1 || (plurals == 1 && all_sold);
        // (By the bag, only when one line is: one question, one answer.)
        let bagged = (lines.iter())
            .filter(|line| matches!(uncounted(&words, &line.name), Some(Uncounted::Bagged(_))))
            .count();
        lines.iter().enumerate().find_map(|(at, line)| {
            let question = match uncounted(&words, &line.name)? {
                Uncounted::Plural(said) if alone && line.quantity == 1 => {
                    format!("How many {said} would you like?")
                }
                Uncounted::Plural(_) => return None,
                Uncounted::Weighed(said) => format!(
                    "{} are sold one by one, not by weight: how many would you like?",
                    answers::capitalised(&said)
                ),
                Uncounted::Bagged(_) if bagged > 1 => return None,
                Uncounted::Bagged(said) => format!(
                    "{} are sold one by one, not by the bag: how many would you like?",
                    answers::capitalised(&said)
                ),
            };
            Some((at, question))
        })
    }

    /// "via King's Cross": errand books direct rides only, and says so
    /// when the words ask for a stop of a command from one place to
    /// another.
    fn straight_there(&self, spec: &crate::registry::ActionSpec) -> Option<String> {
        let journey = spec.places().len() >= 2;
        (journey && crate::reading::places::asks_for_a_stop(&self.utterance.text))
            .then(|| STRAIGHT_THERE.to_owned())
    }

    /// "an electric car", "a tesla": a kind of car none of the choices is,
    /// said so, with the kinds there are.
    fn no_such_car(&self, spec: &crate::registry::ActionSpec) -> Option<String> {
        const KINDS: &[(&str, &str)] = &[
            ("electric", "an electric car"),
            ("ev", "an electric car"),
            ("tesla", "a Tesla"),
            ("hybrid", "a hybrid"),
            ("convertible", "a convertible"),
        ];
        let slot =
            (spec.slots.iter()).find(|s| !s.choices.is_empty() && spec.places().len() >= 2)?;
        let words = crate::reading::words::Words::new(&self.utterance.text);
        let said = (words.norm().iter()).find_map(|w| {
            KINDS
                .iter()
                .find(|(word, _)| word == w)
                .map(|(_, said)| *said)
        })?;
        let kinds: Vec<String> = (slot.choices.iter())
            .map(|c| match c.len() <= 2 {
                true => c.to_uppercase(),
                false => c.clone(),
            })
            .collect();
        Some(format!(
            "I can't choose {said}: the cars are {}.",
            phrasing::list(&kinds)
        ))
    }

    /// "every weekday at 9am": errand books one at a time, and says so
    /// when the words ask for it again and again of a command with a time.
    fn just_the_first(&self, spec: &crate::registry::ActionSpec) -> Option<String> {
        let timed = (spec.slots.iter()).any(|s| s.kind == SlotKind::Time);
        (timed && crate::reading::when::repeats(&self.utterance.text))
            .then(|| JUST_THE_FIRST.to_owned())
    }

    /// What the dialogue says first in a confirmation, where the command
    /// is not quite what the words asked for: only the first of repeated
    /// rides, a meal that comes now though asked for later ("a butter
    /// chicken for tomorrow at 7pm"), a time that has passed today ("at
    /// 7pm" said at 7:05pm), a ride asked to stop on the way ("via King's
    /// Cross"). Any of them makes the confirmation asked.
    fn notes(&self, spec: &crate::registry::ActionSpec) -> Vec<String> {
        let timed = spec.slots.iter().any(|s| s.kind == SlotKind::Time);
        [
            (self.passed && timed).then_some(PASSED),
            self.unscheduled.then_some(NOW_NOT_LATER),
        ]
        .into_iter()
        .flatten()
        .map(str::to_owned)
        .chain(
            (self.no_such_time.as_deref())
                .filter(|_| timed)
                .map(|said| no_such_time(said, true)),
        )
        .chain(self.straight_there(spec))
        .chain(self.no_such_car(spec))
        .chain(self.just_the_first(spec))
        .collect()
    }

    fn command(&self, open: &OpenCommand, domain: &str) -> Command {
        Command {
            trace_id: open.trace_id.clone(),
            session_id: self.utterance.session_id.clone(),
            user_id: self.utterance.user_id.clone(),
            action: build_action(domain, &open.action, &open.slots),
            issued_at_ms: self.ctx.now_ms,
            turn: self.turn,
            deadline_ms: self.deadline(self.ctx.config.command_deadline),
        }
    }

    /// Asks `question` for `missing`.
    fn ask(
        &mut self,
        session: &mut SessionState,
        mut open: OpenCommand,
        missing: Vec<String>,
        question: String,
        offer: Option<errand_schemas::Offer>,
    ) {
        open.stage = Stage::Asking;
        open.summary = None;
        open.missing = missing;
        open.question = question;
        open.offer = offer;
        open.turn = self.turn;
        let step = StatusUpdate {
            intent: Some(open.action.clone()),
            slots: Some(open.slots.clone()),
            deadline_ms: self.deadline(self.ctx.config.clarification_timeout),
            ..self.step(&open.trace_id, Status::AwaitingClarification)
        };
        self.record(step);
        self.ask_again(&open, None, None);
        session.open = Some(open);
    }

    /// Shows the priced command and waits for a yes.
    fn confirm(&mut self, session: &mut SessionState, mut open: OpenCommand) {
        let Some(summary) = open.summary.clone() else {
            return;
        };
        // A change of a placed order that comes to the order as placed
        // ("add a coke", then "never mind"): nothing to cancel and place
        // again.
        if let Some(placed) =
            (open.replaces.as_ref()).and_then(|r| session.placed.iter().find(|p| &p.trace_id == r))
            && placed.slots == open.slots
        {
            let reply = format!(
                "That changes nothing, so your {} stays as it is.",
                describe(&open.action)
            );
            self.end_open(session, &open, reply);
            return;
        }
        let domain = summary.domain.clone();
        open.question = confirming_question(session, &open, &summary);
        open.stage = Stage::Confirming;
        open.missing = Vec::new();
        open.turn = self.turn;
        let understood = StatusUpdate {
            intent: Some(open.action.clone()),
            slots: Some(open.slots.clone()),
            domain: Some(domain),
            ..self.step(&open.trace_id, Status::Understood)
        };
        self.record(understood);
        let waiting = StatusUpdate {
            deadline_ms: self.deadline(self.ctx.config.clarification_timeout),
            ..self.step(&open.trace_id, Status::AwaitingConfirmation)
        };
        self.record(waiting);
        self.ask_again(&open, None, None);
        session.open = Some(open);
    }

    /// The agent cannot place the command as it stands: ask the person to
    /// change what it names, or say plainly that it cannot be done.
    async fn refused(
        &mut self,
        session: &mut SessionState,
        mut open: OpenCommand,
        refusal: Refusal,
        answering: bool,
    ) -> Result<(), ErrorBody> {
        let Some(slot) = refusal.slot.clone() else {
            session.open = None;
            let step = StatusUpdate {
                error: Some(refusal.error.clone()),
                domain: Some(self.domain_of(&open.action).to_owned()),
                reply: Some(format!("Sorry, I can't do that: {}", refusal.error.message)),
                ..self.step(&open.trace_id, Status::Failed)
            };
            self.record(step);
            return self.next_queued(session).await;
        };
        if answering {
            open.repairs += 1;
            if open.repairs >= self.ctx.config.max_repairs {
                self.give_up(session, &open);
                return self.next_queued(session).await;
            }
        } else if open.repairs == 0 && open.stage == Stage::Asking && open.missing.contains(&slot) {
            open.repairs = 1;
        }
        let missing = if refusal.code() == ErrorCode::OverLimit && open.slots.contains_key("item") {
            vec!["quantity".to_owned()]
        } else {
            // Items stay for the answer to refer to ("just the tomatoes
            // then"); any other refused value goes.
            let items = self
                .ctx
                .registry
                .action(&open.action)
                .and_then(|(_, spec)| spec.slot(&slot))
                .is_some_and(|s| s.kind == SlotKind::Items);
            if !items {
                open.slots.remove(&slot);
            }
            vec![slot.clone()]
        };
        let message = refusal.error.message.trim().to_owned();
        let question = if message.ends_with('?') {
            message
        } else if let Some(kept) = kept_beside(&open, &slot, &message) {
            // "Sorry, errand Mart doesn't sell "hovis". 6 × eggs and 1 ×
            // banana stay on the order: what would you like instead?"
            format!("{message} {kept}: what would you like instead?")
        } else {
            let again = self
                .ctx
                .registry
                .action(&open.action)
                .map(|(_, spec)| spec.question(&missing))
                .unwrap_or_default();
            format!("{message} {again}")
        };
        self.ask(session, open, missing, question, refusal.offer);
        Ok(())
    }

    /// Dispatches the command (after cancelling the one it replaces).
    async fn place(
        &mut self,
        session: &mut SessionState,
        mut open: OpenCommand,
    ) -> Result<(), ErrorBody> {
        session.open = None;
        if let Some(replaced) = open.replaces.clone()
            && let Some(placed) = session
                .placed
                .iter()
                .find(|p| p.trace_id == replaced)
                .cloned()
        {
            match self
                .ctx
                .desk
                .cancel(&placed, &self.utterance.user_id)
                .await?
            {
                Ok(result) => self.cancelled(session, &placed, result, None),
                Err(e) => {
                    let step = StatusUpdate {
                        reply: Some(format!("{} So I've left it as it was.", e.message)),
                        ..self.step(&open.trace_id, Status::Cancelled)
                    };
                    self.record(step);
                    return Ok(());
                }
            }
        }
        let Some((domain, _)) = self.ctx.registry.action(&open.action) else {
            return Ok(());
        };
        let domain = domain.name.clone();
        if let Some(summary) = &open.summary {
            pin(&open.action, &mut open.slots, summary);
        }
        if open.stage != Stage::Confirming {
            let understood = StatusUpdate {
                intent: Some(open.action.clone()),
                slots: Some(open.slots.clone()),
                domain: Some(domain.clone()),
                deadline_ms: self.deadline(self.ctx.config.command_deadline),
                ..self.step(&open.trace_id, Status::Understood)
            };
            self.record(understood);
        }
        let command = self.command(&open, &domain);
        self.effects.push(Effect::Dispatch(Box::new(command)));
        session.place(Placed {
            trace_id: open.trace_id.clone(),
            domain,
            action: open.action.clone(),
            slots: open.slots.clone(),
            summary: open.summary.clone(),
            at_ms: self.ctx.now_ms,
        });
        session.remember(&open.trace_id);
        self.led_to = Some(open.trace_id.clone());
        self.next_queued(session).await
    }

    // --- after the order ---------------------------------------------------

    /// "cancel my last order": asks before cancelling a placed command
    /// (the newest of the domain named that is still in force).
    async fn ask_to_cancel(
        &mut self,
        session: &mut SessionState,
        domain: Option<&str>,
    ) -> Result<(), ErrorBody> {
        // "cancel all my rides", "cancel both": each asked in turn.
        let said = crate::reading::words::Words::new(&self.utterance.text);
        let all = (said.norm().iter())
            .any(|w| matches!(w.as_str(), "all" | "both" | "every" | "everything"));
        self.ask_to_cancel_one(session, domain, all, false).await
    }

    /// Asks to cancel the placed command of `domain` the words name; with
    /// `all`, says how many there are and asks for each after the last
    /// (`continuing`: the next after one cancelled, silent when none is
    /// left).
    async fn ask_to_cancel_one(
        &mut self,
        session: &mut SessionState,
        domain: Option<&str>,
        all: bool,
        continuing: bool,
    ) -> Result<(), ErrorBody> {
        let mut placed = None;
        let mut candidates: Vec<Placed> = session
            .placed
            .iter()
            .rev()
            .filter(|p| domain.is_none_or(|d| p.domain == d))
            .cloned()
            .collect();
        // "cancel my order" after a meal and then a ride means the meal: a
        // ride is booked, not ordered. The latest first otherwise.
        let says_order = domain.is_none()
            && crate::reading::words::Words::new(&self.utterance.text)
                .norm()
                .iter()
                .any(|w| w == "order" || w == "orders");
        // "cancel the nachos", "cancel the airport one": the one the words
        // name first (not one they keep: "cancel the water, keep the pad
        // thai").
        let said = crate::reading::words::Words::new(before_asked_next(without_kept(
            &self.utterance.text,
        )));
        candidates.sort_by_key(|p| {
            (
                !said_its_time(said.norm(), p),
                std::cmp::Reverse(where_it_goes(said.norm(), p)),
                !names_placed(said.norm(), p),
                says_order && p.domain == "ride",
            )
        });
        // "cancel the pizza" with no pizza ordered: said so, nothing
        // cancelled.
        if let Some(thing) = answers::thing_named(self.ctx.registry, said.norm())
            && !candidates.iter().any(|p| names_placed(said.norm(), p))
            && !candidates.is_empty()
        {
            let text = format!("You have no {thing} order to cancel.");
            self.answer(session, text);
            return Ok(());
        }
        // "cancel the first one", "the outbound one": by when it was
        // placed.
        if let Some(k) = ordinal(said.norm()) {
            let by_time: Vec<&Placed> = (session.placed.iter())
                .filter(|p| domain.is_none_or(|d| p.domain == d))
                .collect();
            if let Some(chosen) = by_time.get(k).map(|p| (*p).clone()) {
                candidates.retain(|p| p.trace_id != chosen.trace_id);
                candidates.insert(0, chosen);
            }
        }
        let mut live = 0;
        for candidate in candidates {
            let state = self.ctx.desk.status(&candidate.trace_id).await?;
            match state.map(|s| s.status) {
                Some(Status::Cancelled | Status::Failed) => {
                    session.placed.retain(|p| p.trace_id != candidate.trace_id);
                }
                _ => {
                    live += 1;
                    if placed.is_none() {
                        placed = Some(candidate);
                    }
                    if !all {
                        break;
                    }
                }
            }
        }
        if continuing && placed.is_none() {
            return Ok(());
        }
        let Some(placed) = placed else {
            let what = match domain {
                Some("ride") => "ride",
                _ => "order",
            };
            self.answer(session, format!("You have no {what} I can cancel."));
            return Ok(());
        };
        if let Some(open) = session.open.clone() {
            self.drop_open(session, &open, "OK, I've dropped the");
        }
        let open = OpenCommand {
            stage: Stage::Cancelling,
            summary: placed.summary.clone(),
            question: phrasing::cancel_question(&placed),
            turn: self.turn,
            ..reopened(&placed)
        };
        // The question is a `confirm` event for the placed command.
        let summary = open.summary.clone().unwrap_or_else(|| Summary {
            domain: placed.domain.clone(),
            ..Summary::default()
        });
        let mut open = OpenCommand {
            summary: Some(summary),
            ..open
        };
        let mut told = None;
        if all && live > 1 {
            open.slots.insert(
                CANCEL_ALL.into(),
                SlotValue::Text(domain.unwrap_or_default().to_owned()),
            );
            if !continuing {
                let rides = (session.placed.iter())
                    .filter(|p| domain.is_none_or(|d| p.domain == d))
                    .all(|p| p.domain == "ride");
                let what = if rides { "rides" } else { "orders" };
                told = Some(format!(
                    "You have {live} {what} I can cancel: I'll ask about each."
                ));
            }
        } else if continuing {
            open.slots.insert(
                CANCEL_ALL.into(),
                SlotValue::Text(domain.unwrap_or_default().to_owned()),
            );
        }
        self.ask_again(&open, told, None);
        session.open = Some(open);
        Ok(())
    }

    /// Cancels a placed command with its provider and records the refund.
    async fn cancel_placed(
        &mut self,
        session: &mut SessionState,
        placed: Placed,
    ) -> Result<(), ErrorBody> {
        match self
            .ctx
            .desk
            .cancel(&placed, &self.utterance.user_id)
            .await?
        {
            Ok(result) => {
                let reply = format!(
                    "Done: I've cancelled it, and {} will be refunded.",
                    crate::agents::format_money(result.refund, &result.currency)
                );
                self.cancelled(session, &placed, result, Some(reply));
            }
            Err(e) => {
                let text = if e.code == ErrorCode::NotFound {
                    "I couldn't find that order with the provider, so nothing was cancelled."
                        .to_owned()
                } else {
                    e.message
                };
                if self.own_free {
                    self.answer(session, text);
                } else {
                    self.say(&placed.trace_id, text);
                }
            }
        }
        self.led_to = Some(placed.trace_id);
        Ok(())
    }

    fn cancelled(
        &mut self,
        session: &mut SessionState,
        placed: &Placed,
        result: CancelResult,
        reply: Option<String>,
    ) {
        session.placed.retain(|p| p.trace_id != placed.trace_id);
        let reply = reply.unwrap_or_else(|| {
            format!(
                "I've cancelled the first one; {} will be refunded.",
                crate::agents::format_money(result.refund, &result.currency)
            )
        });
        let step = StatusUpdate {
            domain: Some(placed.domain.clone()),
            result: Some(ResultBody::Cancellation(result)),
            reply: Some(reply),
            ..self.step(&placed.trace_id, Status::Cancelled)
        };
        self.record(step);
    }

    /// "make it two", "send it to work instead", right after an order: a
    /// new command from the placed one, changed, through confirmation.
    async fn amend(
        &mut self,
        session: &mut SessionState,
        placed: Placed,
        heard: &Heard,
        patch: SlotMap,
    ) -> Result<(), ErrorBody> {
        let mut slots = placed.slots.clone();
        apply(&mut slots, patch, heard, Stage::Confirming);
        let open = self.change_of(session, &placed, slots);
        self.evaluate(session, open, false).await
    }

    /// A new command of `slots` that, once confirmed, replaces `placed`.
    fn change_of(
        &mut self,
        session: &mut SessionState,
        placed: &Placed,
        slots: SlotMap,
    ) -> OpenCommand {
        let trace = self.new_trace(session);
        OpenCommand {
            replaces: Some(placed.trace_id.clone()),
            ..OpenCommand::asking(
                trace,
                placed.action.clone(),
                slots,
                Vec::new(),
                String::new(),
                self.turn,
            )
        }
    }
}

/// `note` without the size it said, when `new` says another ("make them
/// all large" of a medium pizza: large, never "medium, large").
fn without_a_size(note: Option<&str>, new: &str) -> Option<String> {
    let sized = |said: &str| {
        let words: Vec<&str> = said.split_whitespace().collect();
        !words.is_empty()
            && words
                .iter()
                .all(|w| crate::reading::amounts::says_how_big(w))
    };
    let note = note?;
    if !sized(new) {
        return Some(note.to_owned());
    }
    let kept: Vec<&str> = note.split(", ").filter(|part| !sized(part)).collect();
    (!kept.is_empty()).then(|| kept.join(", "))
}

/// The question that confirms `open` (priced as `summary`): placing it,
/// or changing the placed order it replaces, and what comes next ("milk
/// and a latte to work": the latte is not lost, it comes next).
fn confirming_question(session: &SessionState, open: &OpenCommand, summary: &Summary) -> String {
    let question = match (open.replaces.as_ref())
        .and_then(|r| session.placed.iter().find(|p| &p.trace_id == r))
    {
        Some(placed) => phrasing::amend_question(summary, placed),
        None => phrasing::confirm_question(summary),
    };
    match (session.queued.first()).and_then(|next| phrasing::next_up(next, open)) {
        Some(next) => format!("{question} {}", answers::capitalised(&next)),
        None => question,
    }
}

/// The things of requests waiting behind `open` that the words take off
/// ("forget the cola", "no cola", "remove the milk"), when `open` has none
/// of them: taken off the waiting requests (a request left with nothing
/// is dropped); their names, joined. `None` when the words take nothing
/// of them off.
fn off_the_waiting(
    session: &mut SessionState,
    open: &OpenCommand,
    text: &str,
    heard: &Heard,
) -> Option<(String, Option<ItemRequest>)> {
    let lower = text.to_lowercase();
    // ("a lemonade instead of the coke", "swap the coke for a lemonade":
    // the coke taken off, the lemonade what comes instead.)
    let (old, new) = swapped_parts(&lower).map_or((lower.as_str(), None), |(o, n)| (o, Some(n)));
    let words = crate::reading::words::Words::new(old);
    let said: Vec<String> = words
        .norm()
        .iter()
        .map(|w| crate::agents::item_key(w))
        .collect();
    let bare_no = said
        .first()
        .is_some_and(|w| matches!(w.as_str(), "no" | "without"))
        && said.len() <= 4;
    if !(takes_off(&lower) || bare_no || new.is_some()) {
        return None;
    }
    // (By its name's last word, or as the reader heard it: "coke" of cola.)
    let named = |item: &ItemRequest| {
        let key = crate::agents::item_key(&item.name);
        key.rsplit(' ')
            .next()
            .is_some_and(|last| said.iter().any(|w| w == last))
            || (said.iter()).any(|w| {
                (heard.said_as.iter()).any(|(as_said, name)| as_said == w && *name == item.name)
            })
    };
    let instead = match new {
        Some(new) => {
            let new = crate::reading::words::Words::new(new);
            let item = (heard.parse.slots.get("item").and_then(SlotValue::as_items))?
                .iter()
                .find(|item| (new.norm().iter()).any(|w| names_line(item, w, &heard.said_as)))?;
            Some(item.clone())
        }
        None => None,
    };
    // "forget the cab, just the milk": a waiting request named by what it
    // is, of another kind than this one.
    let called = kind_words;
    // (Not what is kept: "skip the eggs, just the cab".)
    let kept = |i: usize| {
        (i.saturating_sub(2)..i).any(|k| matches!(said[k].as_str(), "just" | "only" | "keep"))
    };
    let by_kind = |q: &Queued| {
        q.action != open.action
            && called(&q.action)
                .iter()
                .any(|c| (0..said.len()).any(|i| said[i] == *c && !kept(i)))
    };
    if instead.is_none()
        && let Some(at) = session.queued.iter().position(by_kind)
    {
        let q = session.queued.remove(at);
        return Some((phrasing::describe(&q.action).to_owned(), None));
    }
    let mine = (open.slots.get("item").and_then(SlotValue::as_items))
        .is_some_and(|lines| lines.iter().any(named));
    if mine {
        return None;
    }
    let mut gone = Vec::new();
    for queued in session.queued.iter_mut() {
        if let Some(SlotValue::Items(items)) = queued.slots.get_mut("item") {
            items.retain(|item| {
                let off = named(item);
                if off {
                    gone.push(item.name.clone());
                }
                !off
            });
        }
    }
    session.queued.retain(
        |q| !matches!(q.slots.get("item"), Some(SlotValue::Items(items)) if items.is_empty()),
    );
    (!gone.is_empty()).then(|| (gone.join(" or "), instead))
}

/// The things heard added to `waiting`, when the words name one of its
/// lines ("add garlic bread to the pizza": the garlic bread, the pizza
/// already there); `false`, and nothing added, otherwise.
fn add_to_waiting(waiting: &mut Queued, heard: &Heard) -> bool {
    let Some(SlotValue::Items(heard_items)) = heard.parse.slots.get("item") else {
        return false;
    };
    let Some(SlotValue::Items(lines)) = waiting.slots.get_mut("item") else {
        return false;
    };
    let there = |item: &ItemRequest| lines.iter().any(|line| line.name == item.name);
    if !heard_items.iter().any(there) {
        return false;
    }
    let new: Vec<ItemRequest> = heard_items.iter().filter(|i| !there(i)).cloned().collect();
    if new.is_empty() {
        return false;
    }
    lines.extend(new);
    true
}

/// "change the pizza to a pepperoni", "remove the pizza", of two lines
/// that are pizzas: the question which one, when the words name several
/// lines by what they are and none by its own name ("the hawaiian pizza",
/// "both pizzas" and "the pizzas" say which).
fn which_line(text: &str, lines: &[ItemRequest]) -> Option<String> {
    let (kind, several) = which_of(text, lines)?;
    let names: Vec<String> = several.iter().map(|l| format!("the {}", l.name)).collect();
    let (last, rest) = names.split_last()?;
    Some(format!(
        "Which {kind} do you mean: {} or {last}?",
        rest.join(", ")
    ))
}

/// What [`which_line`] asks of: the kind said ("pizza") and the lines of
/// that kind, in order.
fn which_of<'a>(text: &str, lines: &'a [ItemRequest]) -> Option<(String, Vec<&'a ItemRequest>)> {
    const EDITS: &[&str] = &[
        "change", "swap", "switch", "replace", "make", "remove", "drop", "forget", "take",
        "cancel", "scrap", "ditch", "lose", "skip",
    ];
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    // (Or any words that take a line off: "get rid of one of the pizzas".)
    let edits = w.iter().any(|x| EDITS.contains(&x.as_str())) || takes_off(&text.to_lowercase());
    if !edits
        || w.iter()
            .any(|x| matches!(x.as_str(), "both" | "all" | "each" | "every"))
    {
        return None;
    }
    let named = |word: &str| -> Vec<&ItemRequest> {
        (lines.iter())
            .filter(|line| names_line(line, word, &[]))
            .collect()
    };
    // The words right after "the" or "one": "the pizza", "one pizza"
    // (never "the pizzas"); or "one of the pizzas".
    let one_of = |i: usize| i >= 3 && w[i - 3] == "one" && w[i - 2] == "of" && w[i - 1] == "the";
    let said: Vec<(String, bool)> = (1..w.len())
        .filter(|&i| matches!(w[i - 1].as_str(), "the" | "one") || one_of(i))
        .map(|i| match one_of(i) {
            true => (w[i].strip_suffix('s').unwrap_or(&w[i]).to_owned(), true),
            false => (w[i].clone(), false),
        })
        .collect();
    let (kind, several) = said.iter().find_map(|(word, plural)| {
        let several = named(word);
        (several.len() > 1 && (*plural || !word.ends_with('s'))).then_some((word, several))
    })?;
    // (A word naming one of them says which: "the hawaiian pizza".)
    if w.iter().any(|x| named(x).len() == 1) {
        return None;
    }
    Some((kind.clone(), several))
}

/// What goes and what comes instead, of "a lemonade instead of the coke"
/// or "swap the coke for a lemonade" (lower case).
fn swapped_parts(lower: &str) -> Option<(&str, &str)> {
    if let Some((new, old)) = lower.split_once(" instead of ") {
        return Some((old, new));
    }
    let said = crate::reading::acts::without_courtesy(lower.trim());
    let rest = ["swap ", "switch ", "replace ", "change "]
        .iter()
        .find_map(|lead| said.strip_prefix(lead))?;
    [" for ", " with ", " to "]
        .iter()
        .find_map(|by| rest.split_once(by))
}

/// The words that name what `action` is ("cab", "taxi" of a ride).
fn kind_words(action: &str) -> &'static [&'static str] {
    match action {
        "book_ride" => &["cab", "taxi", "ride", "car", "uber", "lift"],
        "order_mart" => &["grocery", "groceries", "shopping"],
        "order_food" => &["food", "takeaway", "meal"],
        _ => &[],
    }
}

/// Whether `text` names what `action` is ("get me a taxi to work").
fn names_its_kind(action: &str, text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let kinds = kind_words(action);
    (words.norm().iter()).any(|w| kinds.contains(&w.as_str()))
}

/// Whether the words ask for something in place of what is under way
/// ("forget the cab, get me a pizza", "actually, sushi instead", "never
/// mind the groceries").
fn replaces_the_open(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let lower = text.to_lowercase();
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "instead"
                | "rather"
                | "forget"
                | "scrap"
                | "drop"
                | "cancel"
                | "nevermind"
                | "ditch"
                | "skip"
                | "actually"
                | "no"
                | "nah"
                | "nope"
        )
    }) || [
        "never mind",
        "changed my mind",
        "don't want",
        "dont want",
        "no longer",
        "not the",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// Whether the words put the new request before the open one ("wait,
/// first order some bananas", "before that, get me milk").
fn says_first(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    w.iter().any(|x| matches!(x.as_str(), "first" | "firstly"))
        || text.to_lowercase().contains("before that")
}

/// Whether the words add to what is under way ("also get me some eggs",
/// "and a taxi too") rather than replace it.
fn adds(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let start = w
        .iter()
        .take_while(|x| matches!(x.as_str(), "oh" | "ok" | "okay" | "um" | "and" | "yeah"))
        .count();
    // ("could you also get me garlic bread".)
    let asking = (w.iter().skip(start))
        .take_while(|x| matches!(x.as_str(), "could" | "can" | "would" | "you" | "please"))
        .count();
    // ("add some milk", "can you add a pint of milk": more, whatever shop.)
    let asked_to_add = (w.iter().skip(start).take(3)).any(|x| x == "add");
    let thrown_in = matches!(
        (
            w.get(start).map(String::as_str),
            w.get(start + 1).map(String::as_str)
        ),
        (Some("throw" | "chuck" | "stick"), Some("in"))
    );
    matches!(
        w.get(start + asking).map(String::as_str),
        Some("also" | "plus")
    ) || thrown_in
        || asked_to_add
        || (start > 0 && w[start - 1] == "and")
        || w.last().is_some_and(|x| x == "too")
        || text.to_lowercase().contains(" as well")
}

/// "also a cab from Waterloo to home at 11", "I need another taxi to the
/// airport" after a ride was booked: a ride more, never a change of it.
pub(crate) fn another_ride(text: &str, placed: &Placed) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let vehicle = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "cab" | "cabs" | "taxi" | "taxis" | "ride" | "car" | "uber" | "lyft" | "minicab"
        )
    });
    let more = w.iter().any(|x| matches!(x.as_str(), "another" | "second"))
        || adds(text)
            && !w
                .iter()
                .any(|x| matches!(x.as_str(), "make" | "change" | "switch"));
    // ("cancel the cab and book another to gatwick", "another one
    // instead": one in its place.)
    let in_its_place = (w.iter()).any(|x| matches!(x.as_str(), "cancel" | "instead"));
    placed.slots.contains_key("destination") && vehicle && more && !in_its_place
}

/// The words before what they keep ("cancel the water, keep the pad
/// thai": the pad thai is kept, so it names nothing to change).
pub(crate) fn without_kept(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    [", keep ", " but keep ", " and keep ", ". keep "]
        .iter()
        .filter_map(|k| lower.find(k))
        .min()
        .filter(|at| text.is_char_boundary(*at))
        .map_or(text, |at| &text[..at])
}

/// Where lower-case words go on to ask for something next, and where
/// what is asked starts ("cancel the cab and order me a pizza": " and
/// order", then "order me a pizza").
fn next_asked_at(lower: &str) -> Option<(usize, usize)> {
    ["order", "book", "get", "buy"]
        .iter()
        .flat_map(|verb| {
            [" and then ", " and ", " then ", ", "].map(|lead| {
                let at = lower.find(&format!("{lead}{verb} "))?;
                Some((at, at + lead.len()))
            })
        })
        .flatten()
        .min()
}

/// What words ask for next, after what they name ("cancel my taxi and
/// get me a pizza": "get me a pizza").
pub(crate) fn asked_next(text: &str) -> Option<&str> {
    let (_, from) = next_asked_at(&text.to_ascii_lowercase())?;
    text.get(from..)
        .map(str::trim)
        .filter(|next| !next.is_empty())
}

/// The words before what they ask for next ("cancel the cab and order me
/// a pizza": "cancel the cab", so no pizza is cancelled).
fn before_asked_next(text: &str) -> &str {
    next_asked_at(&text.to_ascii_lowercase())
        .and_then(|(at, _)| text.get(..at))
        .unwrap_or(text)
}

/// A placed command as if it were still open at its confirmation, to read
/// a change to it ("make it two" right after an order).
pub(crate) fn reopened(placed: &Placed) -> OpenCommand {
    OpenCommand {
        stage: Stage::Confirming,
        ..OpenCommand::asking(
            placed.trace_id.clone(),
            placed.action.clone(),
            placed.slots.clone(),
            Vec::new(),
            String::new(),
            0,
        )
    }
}

/// The lines of `open` left when the person lets go of the things the shop
/// refused ("no worries", "never mind", "just the rest", asked what
/// instead); `None` for anything else, or when nothing would be left.
fn without_the_refused(open: &OpenCommand, text: &str, heard: &Heard) -> Option<Vec<ItemRequest>> {
    const LET_GO: &[&str] = &[
        "no worries",
        "no problem",
        "never mind",
        "nevermind",
        "doesn't matter",
        "it doesn't matter",
        "that's fine",
        "thats fine",
        "fine",
        "ok",
        "okay",
        "leave it",
        "skip it",
        "without it",
        "without them",
        "forget it",
        "forget them",
        "just the rest",
        "just those",
        "just that",
        "the rest is fine",
        "nothing",
        "nothing else",
        "none",
    ];
    if open.stage != Stage::Asking || !open.missing.iter().any(|m| m == "item") {
        return None;
    }
    let key = crate::agents::item_key;
    let items = open.slots.get("item").and_then(SlotValue::as_items)?;
    let refused = refused_in(&open.question);
    let kept: Vec<ItemRequest> = (items.iter())
        .filter(|line| !refused.contains(&key(&line.name)))
        .cloned()
        .collect();
    if refused.is_empty() || kept.is_empty() || kept.len() == items.len() {
        return None;
    }
    let said = crate::reading::words::Words::new(text).norm().join(" ");
    let said = said.trim_start_matches("oh ").trim_start_matches("ah ");
    let said = said.trim_end_matches(" then").trim_end_matches(" thanks");
    (LET_GO.contains(&said) || matches!(heard.act, Some(Act::No))).then_some(kept)
}

/// The things a shop refused, as it names them in quotes in its words
/// ("doesn't sell "beer" or "crisps""), keyed.
fn refused_in(said: &str) -> Vec<String> {
    (said.split('"').skip(1).step_by(2))
        .map(crate::agents::item_key)
        .collect()
}

/// What stays of an order when the shop refuses some of its things (named
/// in quotes in its `message`): "6 × eggs and 1 × banana stay on the
/// order". `None` when nothing stays, or the refusal is of no thing.
fn kept_beside(open: &OpenCommand, slot: &str, message: &str) -> Option<String> {
    let key = crate::agents::item_key;
    let items = open.slots.get(slot).and_then(SlotValue::as_items)?;
    let refused = refused_in(message);
    let is_refused = |line: &&ItemRequest| refused.contains(&key(&line.name));
    if !items.iter().any(|line| is_refused(&line)) {
        return None;
    }
    let kept: Vec<String> = (items.iter())
        .filter(|line| !is_refused(line))
        .map(|line| {
            let named = format!("{} × {}", line.quantity, line.name);
            match &line.note {
                Some(note) => format!("{named} ({note})"),
                None => named,
            }
        })
        .collect();
    let verb = if kept.len() == 1 { "stays" } else { "stay" };
    (!kept.is_empty()).then(|| format!("{} {verb} on the order", phrasing::list(&kept)))
}

/// Whether `text` asks for more of a thing: "another burger", "one more
/// latte", "2 more please".
fn says_more(text: &str) -> bool {
    let said = crate::reading::words::Words::new(text);
    said.norm().iter().any(|x| x == "another") || so_many_more(said.norm())
}

/// Whether words count more of a thing: "one more", "2 more", "a couple
/// more", "a few more".
fn so_many_more(w: &[String]) -> bool {
    w.windows(2).any(|p| {
        p[1] == "more"
            && (crate::reading::words::number(&p[0]).is_some()
                || matches!(p[0].as_str(), "couple" | "few"))
    })
}

/// Applies a patch to a command's slots: items are added ("add fries"),
/// changed in place ("make it two burgers") or replaced ("a pizza
/// instead"); a quantity alone changes one item's; anything else replaces.
/// "Luigi's doesn't have \"cola\"", then "a lemonade" (or "lemonade
/// instead"): the things said take the place of the ones refused (named
/// in quotes in the question), and the rest of the order stays ("just
/// bread then" too). Not when a line is named again ("just the pizza":
/// only some are kept).
fn instead_of_refused(open: &OpenCommand, mut patch: SlotMap, text: &str) -> SlotMap {
    let key = crate::agents::item_key;
    let current = open.slots.get("item").and_then(SlotValue::as_items);
    let new = patch.get("item").and_then(SlotValue::as_items);
    let (Some(current), Some(new)) = (current, new) else {
        return patch;
    };
    let refused = refused_in(&open.question);
    let is_refused = |line: &ItemRequest| refused.contains(&key(&line.name));
    if open.stage != Stage::Asking
        || !open.missing.iter().any(|m| m == "item")
        || !current.iter().any(is_refused)
        || current.iter().all(is_refused)
    {
        return patch;
    }
    // ("another burger", "one more cheeseburger": more of a line that
    // stays, in place of the one refused.)
    let staying: Vec<ItemRequest> = current.iter().filter(|c| !is_refused(c)).cloned().collect();
    let more: Option<Vec<ItemRequest>> = says_more(text)
        .then(|| {
            new.iter().try_fold(staying, |mut items, n| {
                let name = match (items.iter()).find(|c| key(&c.name) == key(&n.name)) {
                    Some(same) => same.name.clone(),
                    None => the_line_of_the_kind(&items, &n.name)?.name.clone(),
                };
                let line = items.iter_mut().find(|c| c.name == name)?;
                line.quantity += n.quantity;
                Some(items)
            })
        })
        .flatten();
    if let Some(items) = more {
        patch.insert("item".into(), SlotValue::Items(items));
        return patch;
    }
    if new
        .iter()
        .any(|n| current.iter().any(|c| key(&c.name) == key(&n.name)))
    {
        return patch;
    }
    // ("1 × pizza stays on the order: what would you like instead?", then
    // "margherita": the kind said of the pizza, never a second pizza.)
    let of_its_kind = |c: &ItemRequest, n: &ItemRequest| {
        !c.name.contains(' ') && key(&n.name).rsplit(' ').next() == Some(key(&c.name).as_str())
    };
    let mut new: Vec<ItemRequest> = new.to_vec();
    let mut kept: Vec<ItemRequest> = Vec::new();
    for line in current.iter().filter(|c| !is_refused(c)) {
        match new.iter().position(|n| of_its_kind(line, n)) {
            Some(at) => {
                let mut made = new.remove(at);
                made.quantity = line.quantity;
                kept.push(made);
            }
            None => kept.push(line.clone()),
        }
    }
    let items: Vec<ItemRequest> = kept.into_iter().chain(new).collect();
    patch.insert("item".into(), SlotValue::Items(items));
    patch
}

fn apply(slots: &mut SlotMap, mut patch: SlotMap, heard: &Heard, stage: Stage) {
    let text = heard.text.to_lowercase();
    // "oh and a loaf of bread", "ok also some eggs".
    let mut text = text.trim_start();
    while let Some(rest) = [
        "oh ",
        "oh, ",
        "ok ",
        "ok, ",
        "okay ",
        "okay, ",
        "um ",
        "and oh ",
        "right ",
        "yeah ",
        "actually ",
        "actually, ",
        "sorry ",
        "sorry, ",
        "wait ",
        "wait, ",
        "hmm ",
        "hmm, ",
    ]
    .iter()
    .find_map(|f| text.strip_prefix(f))
    {
        text = rest.trim_start();
    }
    // "oh and make the milk two": a change, not an addition.
    if let Some(rest) = text.strip_prefix("and ")
        && ["make ", "change ", "swap ", "switch ", "set "]
            .iter()
            .any(|verb| rest.starts_with(verb))
    {
        text = rest;
    }
    // "make it two and add onion rings": a count for what is there, then
    // something added.
    let then_add = [
        " and add ",
        ", add ",
        " and also add ",
        " and also ",
        " plus ",
    ]
    .iter()
    .find_map(|j| text.find(j))
    .map(|at| &text[..at]);
    let count_first = then_add.and_then(|first| {
        let words = crate::reading::words::Words::new(first);
        let changes = matches!(
            words.norm().first().map(String::as_str),
            Some("make" | "change")
        );
        changes
            .then(|| crate::reading::amounts::count(&words))
            .flatten()
    });
    let said = crate::reading::words::Words::new(text);
    let said_count = crate::reading::amounts::count(&said);
    // "one more samosa", "2 more spring rolls": that many added.
    let more =
        so_many_more(said.norm()) || (said.norm().windows(2)).any(|w| w == ["another", "one"]);
    // ("and actually just one carbonara": how many, never more.)
    let just_so_many = (said.norm().windows(2)).any(|p| {
        matches!(p[0].as_str(), "just" | "only") && crate::reading::words::number(&p[1]).is_some()
    }) || (said.norm().windows(2))
        .any(|p| p == ["just", "one"] || p == ["only", "one"]);
    let adding = !just_so_many
        && ["add ", "also ", "plus ", "and ", "with "]
            .iter()
            .any(|p| text.starts_with(p))
        // "can you add onion rings to that", "throw in some fries".
        || said.norm().iter().any(|w| w == "add")
        || (said.norm().windows(2)).any(|w| w == ["throw", "in"] || w == ["chuck", "in"])
        // "another burger", "get me another coke".
        || (said.norm().iter().any(|w| w == "another") && !text.contains("instead"))
        || then_add.is_some()
        || more
        // "oh i forgot bread", "i also need milk"; "can i get chips with
        // that".
        || (text.contains("forgot") && !text.contains("cancel"))
        || text.starts_with("i also ")
        // "could you also get me garlic bread".
        || (said.norm().iter().any(|w| w == "also") && !text.contains("instead"))
        // "buy eggs", "we need butter" at the bread's confirmation: more
        // of the shopping, never the bread replaced.
        || (["buy ", "i need ", "we need ", "also need ", "i'll need ", "we'll need "]
            .iter()
            .any(|p| text.starts_with(p))
            && !text.contains("instead")
            && !text.contains(" not "))
        || hear::goes_with_the_open(text)
        || text.contains(" as well")
        || text.ends_with(" too");
    let removing = takes_off(text);
    // "remove one", "take one latte off", "one less burger": fewer of a
    // line, not none of it.
    let fewer = said_count
        .filter(|_| {
            removing
                || text.contains(" less ")
                || text.ends_with(" less")
                || text.contains(" fewer")
        })
        // "remove a chicken taco", "take off an espresso": one of them.
        .or_else(|| {
            let w = said.norm();
            (removing && said_count.is_none())
                .then(|| {
                    w.windows(2)
                        .any(|p| p[0] != "of" && matches!(p[1].as_str(), "a" | "an"))
                })
                .filter(|a| *a)
                .map(|_| 1)
        });
    // "no fries" at a burger and fries: the fries taken off.
    let refused_items = matches!(heard.act, Some(Act::Instead(_)))
        && said_count.is_none()
        && matches!(patch.get("item"), Some(SlotValue::Items(new)) if !new.is_empty()
            && new.iter().all(|n| slots
                .get("item")
                .and_then(SlotValue::as_items)
                .is_some_and(|c| c.len() > new.len() && c.iter().any(|c| c.name == n.name))));
    // "zero fries", "none of the fries": taken off.
    let removing = removing || refused_items || crate::reading::amounts::none_of(&said);
    if let Some(SlotValue::Items(new)) = patch.remove("item") {
        let current: Vec<ItemRequest> = slots
            .get("item")
            .and_then(SlotValue::as_items)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        let before = current.len();
        // "no eggs, and add some fries" at a burger, heard as "1 burger no
        // eggs, add some fries": the line said again with its note is that
        // line so made, and the rest is added to it.
        let (current, new) = restated(current, new, text);
        // "one more taco", "drop one taco", "make that 2 tacos" of chicken
        // tacos: the one line of that kind, never the menu's first taco.
        let new = of_the_one_line(&current, new);
        // "the tomatoes" are the ones already there, as many as before;
        // so is a line named in a swap ("change margherita to pepperoni").
        // (Not "change one latte to a flat white": one of them.)
        let swapping = crate::reading::amounts::swaps(&said)
            && !(said.norm().iter()).any(|w| crate::reading::words::number(w).is_some());
        let new: Vec<ItemRequest> = new
            .into_iter()
            .map(|mut n| {
                if let Some(same) = current.iter().find(|c| c.name == n.name)
                    && n.quantity == 1
                    && said_count.is_none()
                    && (says_the(text, &n.name) || swapping)
                {
                    n.quantity = same.quantity;
                }
                n
            })
            .collect();
        let items = if current.is_empty() {
            new
        } else if let Some(kept) = all_but(text)
            && (removing || text.contains("everything") || text.contains(" all "))
            && let kept = (current.iter())
                .filter(|line| (kept.split_whitespace()).any(|w| names_line(line, w, &[])))
                .cloned()
                .collect::<Vec<_>>()
            && !kept.is_empty()
        {
            // "remove everything except the eggs": the eggs alone stay.
            kept
        } else if let Some(items) = split_line(&current, &new) {
            items
        } else if let Some(items) = by_clause(&current, &new, text) {
            items
        } else if let Some(n) = fewer
            && let Some(items) = fewer_of(&current, &new, n)
        {
            items
        } else if let Some(items) = swap(&current, &new, text) {
            items
        } else if removing {
            // "remove the rice" of an egg fried rice: a line named by its
            // own words.
            let named = |c: &ItemRequest, n: &ItemRequest| {
                c.name == n.name || {
                    let words: Vec<&str> = c.name.split(' ').collect();
                    n.name.split(' ').all(|w| words.contains(&w))
                }
            };
            current
                .into_iter()
                .filter(|c| !new.iter().any(|n| named(c, n)))
                .collect()
        } else if adding {
            let mut items = current;
            for item in new {
                match items.iter_mut().find(|i| i.name == item.name) {
                    Some(same) => same.quantity += item.quantity,
                    None => items.push(item),
                }
            }
            items
        } else if stage == Stage::Confirming
            && !heard.change
            && current.iter().chain(&new).all(|line| a_dish(&line.name))
            && new.iter().all(|n| {
                (current.iter()).all(|c| {
                    !same_kind(&c.name, &n.name) && (on_the_side(&c.name) || on_the_side(&n.name))
                })
            })
        {
            // "lemonade" at a pizza's confirmation, "fries" at a burger, "a
            // croissant" at a latte: had beside it, not instead of it. A
            // dish of a kind already there, or a main at a main, changes
            // the order (never two meals charged for one).
            let mut items = current;
            items.extend(new);
            items
        } else if !heard.change
            && current
                .iter()
                .chain(&new)
                .all(|line| in_the_mart(&line.name))
            && new.iter().all(|n| current.iter().all(|c| c.name != n.name))
        {
            // "milk", then "eggs": a shopping list said a thing at a time
            // is more of it, never the milk replaced ("eggs instead"
            // replaces it).
            let mut items = current;
            items.extend(new);
            items
        } else if stage != Stage::Asking || heard.change {
            // A change names the items it changes, or all of them anew.
            let new = of_the_kind(&current, new, text);
            let all_known = new.iter().all(|n| current.iter().any(|c| c.name == n.name));
            if all_known && new.len() < current.len() {
                let mut items = current;
                for item in new {
                    if let Some(same) = items.iter_mut().find(|i| i.name == item.name) {
                        same.quantity = item.quantity;
                        if item.note.is_some() {
                            same.note = item.note;
                        }
                    }
                }
                items
            } else {
                some_of_them(&current, &new, text)
                    .or_else(|| variants(&current, &new))
                    .or_else(|| kind_swapped(&current, &new))
                    .unwrap_or_else(|| kept_count(&current, new, text))
            }
        } else {
            new
        };
        let mut items = items;
        if let Some(n) = count_first
            && before == 1
            && let Some(first) = items.first_mut()
        {
            first.quantity = n;
        }
        if items.is_empty() {
            // Everything taken off: the question asks what instead.
            slots.remove("item");
        } else {
            slots.insert("item".into(), SlotValue::Items(items));
        }
    }
    // "make it two of each": every line.
    let each = said.norm().iter().any(|w| w == "each") && !adding && fewer.is_none();
    if let Some(q) = patch.get("quantity").and_then(SlotValue::as_number)
        && q > 0
        && each
        && let Some(SlotValue::Items(items)) = slots.get_mut("item")
    {
        for line in items.iter_mut() {
            line.quantity = q;
        }
        patch.remove("quantity");
    }
    let count = patch.remove("quantity").and_then(|v| v.as_number());
    // "make it 0", "make that none": the line a count would change is
    // taken off (with nothing left, the question asks what instead).
    if count == Some(0)
        && fewer.is_none()
        && !more
        && let Some(SlotValue::Items(items)) = slots.get_mut("item")
    {
        items.pop();
        if items.is_empty() {
            slots.remove("item");
        }
    }
    if let Some(q) = count
        && q > 0
        && let Some(SlotValue::Items(items)) = slots.get_mut("item")
        && let Some(last) = items.last_mut()
    {
        last.quantity = match (fewer, more) {
            // "remove one": one fewer, never fewer than one.
            (Some(_), _) => last.quantity.saturating_sub(q).max(1),
            // "one more": one more.
            (None, true) => last.quantity + q,
            (None, false) => q,
        };
    }
    for (name, value) in patch {
        // An empty value takes the slot away ("now" for a time).
        if value.as_text().is_some_and(|t| t.is_empty()) {
            slots.remove(&name);
            continue;
        }
        slots.insert(name, value);
    }
}

/// Whether `word` names `line`: one of the line's words ("fries"), the
/// end of one ("burger" of a cheeseburger), or as the menu knows it
/// (`said_as`: "coke" for the cola).
/// The two lines of `lines` said either side of an "or" ("a chicken
/// tikka masala or a butter chicken", "latte or cappuccino?"): the one
/// named by the words right before it, and the one right after.
fn either_or(text: &str, lines: &[ItemRequest]) -> Option<(usize, usize)> {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let or = (1..w.len().saturating_sub(1)).find(|&i| {
        w[i] == "or"
            && !matches!(
                w[i + 1].as_str(),
                "so" | "two" | "less" | "more" | "something" | "anything"
            )
    })?;
    // (The line most of the words name: "a butter chicken" is the butter
    // chicken, though "chicken" names the tikka masala too.)
    let named = |from: usize, to: usize| {
        let hits = |k: usize| {
            (from..to)
                .filter(|&j| names_line(&lines[k], &w[j], &[]))
                .count()
        };
        (0..lines.len())
            .filter(|&k| hits(k) > 0)
            .max_by_key(|&k| (hits(k), std::cmp::Reverse(k)))
    };
    let before = named(or.saturating_sub(3), or)?;
    let after = named(or + 1, (or + 5).min(w.len()))?;
    (before != after).then_some((before, after))
}

pub(crate) fn names_line(line: &ItemRequest, word: &str, said_as: &[(String, String)]) -> bool {
    let key = crate::agents::item_key(word);
    key.len() >= 3
        && ((line.name.split(' '))
            .map(crate::agents::item_key)
            // ("one" of a calzone is no name of it.)
            .any(|x| x == key || key.len() >= 4 && x.ends_with(key.as_str()))
            || (said_as.iter()).any(|(w, name)| *w == key && *name == line.name))
}

/// "make it for 4 people" of a korma and rice: every line, one each.
/// `None` for one line (a count changes it as any count does), a question
/// ("is it enough for 4 people?"), or a party of no one.
fn for_a_party(open: &OpenCommand, text: &str) -> Option<Vec<ItemRequest>> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let changes = w.iter().any(|x| matches!(x.as_str(), "make" | "change"))
        && !text.trim_end().ends_with('?');
    let people = crate::reading::amounts::party(&words)?;
    (lines.len() > 1 && changes).then(|| {
        (lines.iter())
            .map(|line| ItemRequest {
                quantity: people,
                ..line.clone()
            })
            .collect()
    })
}

/// The lines of `open` after words that multiply some of them ("double
/// the fries", "triple the burgers", "double it", "double the order"): the
/// lines they name, or every line when they name none but say "it", "the
/// order" or "everything". `None` for anything else, or a dish whose name
/// says double ("a double cheeseburger").
fn multiplied(open: &OpenCommand, text: &str) -> Option<Vec<ItemRequest>> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let said = hear::words_but(
        text,
        &["please", "actually", "can", "you", "could", "just", "make"],
    );
    let w: Vec<&str> = said.iter().map(String::as_str).collect();
    let (times, rest) = match w.split_first() {
        Some((&"double", rest)) => (2, rest),
        Some((&"triple", rest)) => (3, rest),
        _ => return None,
    };
    let dish = format!("{} {}", w[0], rest.join(" "));
    if rest.len() > 4 || lines.iter().any(|l| l.name.contains(&dish)) {
        return None;
    }
    let named: Vec<bool> = (lines.iter())
        .map(|line| rest.iter().any(|word| names_line(line, word, &[])))
        .collect();
    let every = !named.contains(&true)
        && rest.iter().all(|x| {
            matches!(
                *x,
                "it" | "that"
                    | "the"
                    | "my"
                    | "order"
                    | "everything"
                    | "all"
                    | "them"
                    | "up"
                    | "both"
                    | "of"
            )
        });
    if !named.contains(&true) && !every {
        return None;
    }
    let mut lines = lines.to_vec();
    for (line, named) in lines.iter_mut().zip(named) {
        if named || every {
            line.quantity = line.quantity.saturating_mul(times);
        }
    }
    Some(lines)
}

/// The lines of `open` that words keeping some and dropping others leave:
/// "no coke, just the other two", "actually no coke", "without the
/// coke", "just the burger and fries", "only the fries". Every clause
/// must drop or keep lines it names ("the other two" and "the rest" keep
/// what is not dropped); `None` when one does something else ("no coke,
/// make it a sprite"), or when nothing or everything would be left. A
/// word names a line by one of the line's words, or as the menu knows it
/// (`said_as`: "coke" for the cola).
fn kept_lines(
    open: &OpenCommand,
    text: &str,
    said_as: &[(String, String)],
) -> Option<Vec<ItemRequest>> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    if lines.len() < 2 {
        return None;
    }
    let names = |line: &ItemRequest, word: &str| names_line(line, word, said_as);
    let mut dropped = vec![false; lines.len()];
    let mut kept: Option<Vec<bool>> = None;
    let lower = text.to_lowercase();
    for clause in lower.split([',', ';', '.', '!']) {
        let words = crate::reading::words::Words::new(clause);
        let w: Vec<&str> = (words.norm().iter())
            .map(String::as_str)
            .skip_while(|w| {
                matches!(
                    *w,
                    "actually" | "oh" | "sorry" | "wait" | "hmm" | "um" | "ok" | "okay" | "so"
                )
            })
            .collect();
        let Some((&lead, rest)) = w.split_first() else {
            continue;
        };
        // "no, not the milk": the "no" says nothing of the lines.
        if rest.is_empty() && matches!(lead, "no" | "nope" | "nah") {
            continue;
        }
        // "no eggs, i have some", "..., we've got loads": why, naming no
        // line, says nothing of the lines either.
        let why = matches!(
            lead,
            "i" | "we" | "i've" | "ive" | "we've" | "weve" | "got" | "already" | "because" | "cos"
        );
        if why
            && !lines
                .iter()
                .any(|line| rest.iter().any(|word| names(line, word)))
        {
            continue;
        }
        let named: Vec<bool> = (lines.iter())
            .map(|line| rest.iter().any(|word| names(line, word)))
            .collect();
        let names_some = named.contains(&true);
        // "no onions on the burger": what is left out of a line, not the
        // line (named only after "on", "in"...).
        let before_on = rest
            .split(|x| matches!(*x, "on" | "in" | "for" | "with" | "from"))
            .next()
            .unwrap_or_default();
        let names_first = (lines.iter()).any(|line| before_on.iter().any(|w| names(line, w)));
        // "no onions on the burger" of onion rings and a burger: what the
        // burger is made without, said of the line after "on".
        let after_on = (rest.iter())
            .position(|x| matches!(*x, "on" | "in" | "for" | "with" | "from"))
            .map_or(&[][..], |at| &rest[at + 1..]);
        let names_after = (lines.iter()).any(|line| {
            after_on.iter().any(|w| names(line, w)) && !before_on.iter().any(|w| names(line, w))
        });
        match lead {
            "no" | "without" | "not" | "minus" | "hold" | "lose" if names_after => {
                return None;
            }
            "no" | "without" | "not" | "minus" | "hold" | "lose" if names_some && !names_first => {
                return None;
            }
            "no" | "without" | "not" | "minus" | "hold" | "lose" if names_some => {
                for (d, n) in dropped.iter_mut().zip(&named) {
                    *d |= n;
                }
            }
            "just" | "only" | "keep" => {
                let others = rest
                    .iter()
                    .any(|x| matches!(*x, "other" | "others" | "rest"));
                // "just one naan": a count of that line, the rest kept
                // ("just another burger": more of it).
                let counted = (rest.iter()).any(|x| {
                    !matches!(*x, "a" | "an") && crate::reading::words::number(x).is_some()
                        || matches!(*x, "another" | "more")
                });
                if counted && names_some {
                    return None;
                } else if others && !names_some {
                    kept = Some(Vec::new());
                } else if names_some && !others {
                    kept = Some(named);
                } else {
                    return None;
                }
            }
            _ => return None,
        }
    }
    let left: Vec<ItemRequest> = match kept {
        // "just the other two": what is not dropped.
        Some(k) if k.is_empty() => (lines.iter().zip(&dropped))
            .filter(|(_, d)| !**d)
            .map(|(line, _)| line.clone())
            .collect(),
        Some(k) => (lines.iter().zip(&k))
            .filter(|(_, k)| **k)
            .map(|(line, _)| line.clone())
            .collect(),
        None => (lines.iter().zip(&dropped))
            .filter(|(_, d)| !**d)
            .map(|(line, _)| line.clone())
            .collect(),
    };
    (!left.is_empty() && left.len() < lines.len()).then_some(left)
}

/// The lines of `open` that words taking something off name by one of
/// their own words ("remove the rice" of an egg fried rice), when they
/// name some but not all.
fn taken_off(
    open: &OpenCommand,
    text: &str,
    said_as: &[(String, String)],
) -> Option<Vec<ItemRequest>> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    named_off(open, text, said_as).filter(|named| named.len() < lines.len())
}

/// The lines of `open` that words taking something off name by one of
/// their own words, all of them perhaps.
fn named_off(
    open: &OpenCommand,
    text: &str,
    said_as: &[(String, String)],
) -> Option<Vec<ItemRequest>> {
    let text = text.to_lowercase();
    if !takes_off(&text) {
        return None;
    }
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let said = crate::reading::words::Words::new(&text);
    let named: Vec<ItemRequest> = (lines.iter())
        .filter(|line| (said.norm().iter()).any(|word| names_line(line, word, said_as)))
        .cloned()
        .collect();
    (!named.is_empty()).then_some(named)
}

/// "1 pad thai and 1 pad thai with no peanuts" of 2 pad thai: the line
/// split into those, as many as it was; `None` unless `new` is only one
/// line of `current` said again in parts.
fn split_line(current: &[ItemRequest], new: &[ItemRequest]) -> Option<Vec<ItemRequest>> {
    let [first, ..] = new else {
        return None;
    };
    let k = current.iter().position(|c| c.name == first.name)?;
    // ("1 chicken burrito and 1 beef burrito" of 2 chicken burritos: the
    // line said again as dishes of its kind.)
    let head = |name: &str| name.rsplit(' ').next().map(str::to_owned);
    let of_its_kind = new.iter().all(|n| head(&n.name) == head(&first.name))
        && new.iter().any(|n| n.name != first.name)
        && !new[1..]
            .iter()
            .any(|n| current.iter().any(|c| c.name == n.name));
    let whole = new.len() >= 2
        && (new.iter().all(|n| n.name == first.name)
            && new.iter().any(|n| n.note != current[k].note)
            || of_its_kind)
        && new.iter().map(|n| n.quantity).sum::<u32>() == current[k].quantity;
    whole.then(|| {
        let mut items = current.to_vec();
        items.splice(k..=k, new.iter().cloned());
        items
    })
}

/// Things heard by their kind alone ("taco") that name one line of
/// `current` by its last word ("chicken taco"), as that line's.
fn of_the_one_line(current: &[ItemRequest], new: Vec<ItemRequest>) -> Vec<ItemRequest> {
    new.into_iter()
        .map(|mut n| {
            if let Some(line) = the_line_of_the_kind(current, &n.name) {
                n.name = line.name.clone();
                if n.note.is_none() {
                    n.note = line.note.clone();
                }
            }
            n
        })
        .collect()
}

/// The one line of `current` that `said` names by its kind, when no line
/// is that very thing: "taco" of a chicken taco, "burger" of a
/// cheeseburger, "coffee" of a latte. A thing sold under its own name
/// ("milk" beside a buttermilk) is never another line.
fn the_line_of_the_kind<'a>(current: &'a [ItemRequest], said: &str) -> Option<&'a ItemRequest> {
    let key = crate::agents::item_key;
    let said = key(said);
    if current.iter().any(|c| key(&c.name) == said) {
        return None;
    }
    let sold_so = on_a_menu(&said) || in_the_mart(&said);
    let things_of_the_kind = (crate::agents::catalog::FOOD_KINDS.iter())
        .find(|(kind, _)| *kind == said)
        .map(|(_, things)| *things);
    let of_the_kind = |line: &str| {
        line.ends_with(&format!(" {said}"))
            || (!sold_so && line.len() > said.len() + 2 && line.ends_with(said.as_str()))
            || things_of_the_kind.is_some_and(|things| things.contains(&line))
    };
    match (current.iter())
        .filter(|c| of_the_kind(&key(&c.name)))
        .collect::<Vec<_>>()
        .as_slice()
    {
        [line] => Some(line),
        _ => None,
    }
}

/// The lines of `current` said again at the start of `text` with a note
/// ("1 burger no eggs, add some fries"), given that note; the rest of
/// `new` is what is added. Unchanged when nothing else is added.
fn restated(
    mut current: Vec<ItemRequest>,
    new: Vec<ItemRequest>,
    text: &str,
) -> (Vec<ItemRequest>, Vec<ItemRequest>) {
    let again = |n: &ItemRequest| {
        n.note.is_some()
            && current
                .iter()
                .any(|c| c.name == n.name && c.quantity == n.quantity)
            && text.starts_with(&format!("{} {} ", n.quantity, n.name.to_lowercase()))
    };
    let (noted, added): (Vec<ItemRequest>, Vec<ItemRequest>) =
        new.iter().cloned().partition(|n| again(n));
    if noted.is_empty() || added.is_empty() {
        return (current, new);
    }
    for line in noted {
        if let Some(same) = current.iter_mut().find(|c| c.name == line.name) {
            same.note = line.note;
        }
    }
    (current, added)
}

/// "add a fruit salad and remove the smoothie", "actually no eggs, and
/// add some orange juice": each thing as the clause it is said in says,
/// when some clauses take lines off and others add. `None` otherwise.
fn by_clause(current: &[ItemRequest], new: &[ItemRequest], text: &str) -> Option<Vec<ItemRequest>> {
    use crate::reading::words::Words;
    let key = crate::agents::item_key;
    let mut clauses: Vec<&str> = vec![text];
    for joint in [", and ", " and ", ", then ", " then ", ", ", ". ", "; "] {
        clauses = clauses.iter().flat_map(|c| c.split(joint)).collect();
    }
    // "add a milkshake and change the burger to double cheeseburger": the
    // one taken off, the other added (a swap alone keeps its count, below).
    let several = clauses.iter().filter(|c| !c.trim().is_empty()).count() > 1;
    let clauses: Vec<String> = clauses
        .iter()
        .flat_map(|clause| {
            let clause = clause.trim();
            let swapped = ["change ", "swap ", "switch ", "replace "]
                .iter()
                .find_map(|lead| clause.strip_prefix(lead))
                .and_then(|rest| {
                    [" to ", " for ", " with ", " into "]
                        .iter()
                        .find_map(|sep| rest.split_once(sep))
                });
            // ("change milk to 2" sets a count: no swap.)
            let swapped = swapped.filter(|(_, new)| {
                crate::reading::words::number(new.trim().trim_end_matches(" please")).is_none()
            });
            match swapped.filter(|_| several) {
                Some((old, new)) => vec![format!("remove {old}"), format!("add {new}")],
                None => vec![clause.to_owned()],
            }
        })
        .collect();
    // Each clause: whether it takes off, and the things it names. ("take
    // off the milk and the bread": a clause of things alone goes on with
    // the one before.)
    let mut before_off = false;
    let read: Vec<(bool, Words)> = clauses
        .iter()
        .map(|clause| {
            let clause = clause.trim();
            let clause = [
                "actually ",
                "oh ",
                "sorry ",
                "wait ",
                "ok ",
                "okay ",
                "and ",
            ]
            .iter()
            .fold(clause, |c, filler| c.strip_prefix(filler).unwrap_or(c));
            let off = takes_off(clause)
                || [
                    "no ",
                    "without ",
                    "minus ",
                    "scratch ",
                    "lose ",
                    "cancel the ",
                ]
                .iter()
                .any(|p| clause.starts_with(p));
            let words = Words::new(clause);
            let things_alone = !words.norm().iter().any(|w| {
                matches!(
                    w.as_str(),
                    "add"
                        | "make"
                        | "change"
                        | "swap"
                        | "switch"
                        | "replace"
                        | "get"
                        | "want"
                        | "need"
                        | "plus"
                        | "also"
                        | "with"
                        | "instead"
                        | "keep"
                        | "extra"
                        | "more"
                        | "another"
                        | "put"
                        | "throw"
                        | "give"
                        | "have"
                        | "bring"
                )
            });
            let off = off || before_off && things_alone;
            before_off = off;
            (off, words)
        })
        .collect();
    // A clause's words name a line by the last word of its name ("the
    // eggs", "the smoothie").
    // (By its last word, unless the word before it there names another
    // of its kind: "1 beef burrito" is no chicken burrito.)
    let names = |words: &Words, item: &ItemRequest| {
        let name = key(&item.name);
        let parts: Vec<&str> = name.split(' ').collect();
        let last = parts.last().copied().unwrap_or_default();
        let w = words.norm();
        w.iter().enumerate().any(|(i, x)| {
            key(x) == last
                && (parts.len() < 2 || i == 0 || {
                    let before = key(&w[i - 1]);
                    parts.contains(&before.as_str())
                        || crate::reading::words::number(&before).is_some()
                        || matches!(
                            before.as_str(),
                            "the" | "a" | "an" | "of" | "those" | "that"
                        )
                })
        })
    };
    let mut taken_off: Vec<&ItemRequest> = current
        .iter()
        .filter(|line| read.iter().any(|(off, words)| *off && names(words, line)))
        .collect();
    // "make it red curry and add a tom yum" of one green curry: the one
    // line made into another thing.
    let made_into = read.iter().any(|(off, words)| {
        let w = words.norm();
        let makes = matches!(
            w.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
            ["make" | "change" | "switch", "it" | "that", ..]
        );
        !off && makes
            && new
                .iter()
                .any(|item| names(words, item) && !current.iter().any(|c| c.name == item.name))
    });
    if let [only] = current
        && made_into
        && taken_off.is_empty()
    {
        taken_off.push(only);
    }
    // (A thing heard is named by any word of it: "a tom yum" of the tom
    // yum soup.)
    let said = |words: &Words, item: &ItemRequest| {
        names(words, item)
            || key(&item.name)
                .split(' ')
                .filter(|part| part.len() >= 3)
                .any(|part| words.norm().iter().any(|w| key(w) == part))
    };
    // "make the milk 2", "change milk to 2", "eggs 3": a clause that sets
    // the count of one line it names.
    let counts = |words: &Words| -> Option<(&ItemRequest, u32)> {
        let w = words.norm();
        let verb = w.first().map(String::as_str);
        let sets = matches!(verb, Some("make" | "change" | "set"))
            || !w.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "add" | "get" | "want" | "need" | "another" | "more" | "plus" | "also"
                )
            });
        let named: Vec<&ItemRequest> = current.iter().filter(|line| names(words, line)).collect();
        let n = crate::reading::amounts::count(words)?;
        match named.as_slice() {
            [line] if sets => Some((*line, n)),
            _ => None,
        }
    };
    let counted: Vec<(&ItemRequest, u32)> = read
        .iter()
        .filter(|(off, _)| !off)
        .filter_map(|(_, words)| counts(words))
        .collect();
    let added: Vec<&ItemRequest> = new
        .iter()
        .filter(|item| {
            read.iter()
                .any(|(off, words)| !off && said(words, item) && counts(words).is_none())
        })
        .filter(|item| {
            !taken_off
                .iter()
                .any(|line| key(&line.name) == key(&item.name))
        })
        .collect();
    let kinds = [
        !taken_off.is_empty(),
        !added.is_empty(),
        !counted.is_empty(),
    ];
    // "add a fruit salad and remove the milk" at groceries: the milk off
    // here, the salad another shop's.
    let only_off = read.len() > 1
        && !taken_off.is_empty()
        && new
            .iter()
            .all(|n| taken_off.iter().any(|off| key(&off.name) == key(&n.name)));
    if kinds.iter().filter(|k| **k).count() < 2 && counted.len() < 2 && !only_off {
        return None;
    }
    let mut items: Vec<ItemRequest> = current
        .iter()
        .filter(|line| !taken_off.iter().any(|off| off.name == line.name))
        .cloned()
        .collect();
    for (line, n) in counted {
        if let Some(same) = items.iter_mut().find(|c| c.name == line.name) {
            same.quantity = n;
        }
    }
    for item in added {
        match items.iter_mut().find(|c| c.name == item.name) {
            Some(same) => same.quantity += item.quantity,
            None => items.push(item.clone()),
        }
    }
    Some(items)
}

/// Whether `text` (lower case) takes something off an order ("remove the
/// rice", "take the fries off", "we already have milk").
pub(crate) fn takes_off(text: &str) -> bool {
    // ("can you take the samosa off", "please remove the rice".)
    let text = crate::reading::acts::without_courtesy(text);
    [
        "remove ",
        "take off ",
        "take out ",
        "drop ",
        "no more ",
        "get rid of ",
        "leave out ",
        "skip ",
        "minus ",
        "forget the ",
        "scrap the ",
        "scratch the ",
        "ditch the ",
        "nix the ",
        "cut the ",
        "lose the ",
        "bin the ",
    ]
    .iter()
    .any(|p| text.starts_with(p))
        || ((text.starts_with("take ") || text.starts_with("leave "))
            && (text.ends_with(" off") || text.ends_with(" out")))
        // "actually i've got cereal, skip it", "we already have milk".
        || [
            "skip it",
            "skip that",
            "skip the",
            "leave it out",
            "don't need",
            "dont need",
            "no need for",
            "not needed",
            "changed my mind about the ",
            "already have",
            "already got",
        ]
        .iter()
        .any(|p| text.contains(p))
        // "i don't want the eggs", "i dont want eggs" (not "i don't want
        // to wait").
        || ["i don't want ", "don't want ", "i dont want ", "dont want ", "i do not want "]
            .iter()
            .find_map(|p| text.strip_prefix(p))
            .is_some_and(|rest| !rest.starts_with("to ") && !rest.starts_with("it "))
        // "actually i've got eggs already".
        || (text.trim_end_matches(['.', '!', ' ']).ends_with(" already")
            && ["got ", "have "].iter().any(|p| text.contains(p)))
}

/// "cancel the pizza, just the sushi", "forget the milk, only the cab":
/// words dropping every line of the open command and keeping a request
/// waiting after it, named by its things. The requests left to come (only
/// those kept), or `None` for anything else.
fn keeps_only_what_waits(
    registry: &DomainRegistry,
    session: &SessionState,
    open: &OpenCommand,
    text: &str,
    heard: &Heard,
) -> Option<Vec<Queued>> {
    if session.queued.is_empty() {
        return None;
    }
    let lower = text.to_lowercase();
    let (dropping, kept) = [", just ", ", only ", " just ", " only "]
        .iter()
        .find_map(|by| lower.split_once(by))?;
    let dropping = crate::reading::acts::without_courtesy(dropping.trim());
    let drops = [
        "cancel ",
        "forget ",
        "drop ",
        "scrap ",
        "skip ",
        "no ",
        "never mind ",
        "remove ",
    ]
    .iter()
    .any(|lead| dropping.starts_with(lead));
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let dropped = crate::reading::words::Words::new(dropping);
    let every = lines
        .iter()
        .all(|line| (dropped.norm().iter()).any(|w| names_line(line, w, &heard.said_as)));
    if !drops || !every {
        return None;
    }
    let kept = crate::reading::words::Words::new(kept);
    // ("no milk, just book the ride": a request is named by its things,
    // or by what its domain is called.)
    let called = |q: &Queued| match q.slots.get("item").and_then(SlotValue::as_items) {
        Some(items) => items
            .iter()
            .any(|item| (kept.norm().iter()).any(|w| names_line(item, w, &heard.said_as))),
        None => registry.action(&q.action).is_some_and(|(domain, _)| {
            (kept.norm().iter()).any(|w| domain.words.iter().any(|d| d == w))
        }),
    };
    let keep: Vec<Queued> = session
        .queued
        .iter()
        .filter(|q| called(q))
        .cloned()
        .collect();
    (!keep.is_empty()).then_some(keep)
}

/// Which of `spec`'s slots the words ask to change without saying to what
/// ("change the address", "can I change the pickup time?", "wrong
/// destination"); `None` when they say more, or name no slot it has.
fn slot_to_change(text: &str, spec: &crate::registry::ActionSpec) -> Option<String> {
    const LEADS: &[&str] = &[
        "change the ",
        "change my ",
        "i want to change the ",
        "i need to change the ",
        "i'd like to change the ",
        "id like to change the ",
        "i change the ",
        "we change the ",
        "you change the ",
        "update the ",
        "edit the ",
        "wrong ",
        "that's the wrong ",
        "thats the wrong ",
        "different ",
        "a different ",
    ];
    let lower = text.to_lowercase();
    let said = crate::reading::acts::without_courtesy(lower.trim());
    let said = said.trim_end_matches(['.', '!', '?', ' ']);
    let said = said.strip_suffix(" please").unwrap_or(said);
    let rest = LEADS.iter().find_map(|lead| said.strip_prefix(lead))?;
    let named = |name: &str| spec.slot(name).map(|s| s.name.clone());
    match rest {
        "address" | "delivery address" | "location" | "place" => {
            named("address").or_else(|| match spec.places()[..] {
                [one] => Some(one.to_owned()),
                _ => None,
            })
        }
        "destination" | "drop off" | "dropoff" | "drop-off" | "drop off address" => {
            named("destination")
        }
        "pickup" | "pick up" | "pick-up" | "pickup address" | "pickup location"
        | "pickup point" | "pick up address" | "pick up point" => named("pickup"),
        "time" | "pickup time" | "pick up time" | "delivery time" => (spec.slots.iter())
            .find(|s| s.kind == SlotKind::Time)
            .map(|s| s.name.clone()),
        _ => None,
    }
}

/// Whether `text` asks for the last order again ("order the same again",
/// "same as last time", "another one please", "repeat my last order"),
/// not about it ("where is my order again?").
fn orders_again(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let has = |phrase: &str| words.find(phrase).is_some();
    let asks = !text.contains('?')
        && !w.first().is_some_and(|x| {
            matches!(
                x.as_str(),
                "what" | "where" | "when" | "how" | "why" | "who" | "is" | "did" | "was" | "cancel"
            )
        })
        && !w
            .iter()
            .any(|x| matches!(x.as_str(), "not" | "don't" | "dont" | "never" | "cancel"));
    asks && (w.iter().any(|x| matches!(x.as_str(), "reorder" | "repeat"))
        || has("same again")
        || has("the same")
        || has("same as")
        || has("another one")
        || has("one more")
        || has("the usual")
        || has("my usual")
        || (has("again")
            && w.iter()
                .any(|x| matches!(x.as_str(), "order" | "get" | "book" | "do"))))
}

/// "Make it two pizzas" after a pepperoni pizza and garlic bread: a kind
/// said alone ("pizzas", which alone the shop would make a margherita) is
/// the one line of that kind, not a new thing.
fn of_the_kind(current: &[ItemRequest], new: Vec<ItemRequest>, text: &str) -> Vec<ItemRequest> {
    use crate::agents::item_key;
    let said: Vec<String> = crate::reading::words::Words::new(text)
        .norm()
        .iter()
        .map(|w| item_key(w))
        .collect();
    new.into_iter()
        .map(|mut n| {
            if current.iter().any(|c| c.name == n.name) {
                return n;
            }
            let words: Vec<String> = n.name.split(' ').map(item_key).collect();
            let Some((head, kinds)) = words.split_last() else {
                return n;
            };
            let only_the_head = said.contains(head) && !kinds.iter().any(|k| said.contains(k));
            if let Some(line) = line_of_kind(current, head)
                && only_the_head
            {
                n.name.clone_from(&line.name);
                if n.note.is_none() {
                    n.note.clone_from(&line.note);
                }
            }
            n
        })
        .collect()
}

/// `n` fewer of the lines `new` names (or of the only line), a line
/// taken off when none is left; `None` when no line is meant.
fn fewer_of(current: &[ItemRequest], new: &[ItemRequest], n: u32) -> Option<Vec<ItemRequest>> {
    let named: Vec<&str> = current
        .iter()
        .filter(|c| new.iter().any(|x| x.name == c.name))
        .map(|c| c.name.as_str())
        .collect();
    let meant: Vec<&str> = match (named.as_slice(), current) {
        ([], [only]) => vec![only.name.as_str()],
        ([], _) => return None,
        _ => named,
    };
    Some(
        current
            .iter()
            .filter_map(|c| {
                if !meant.contains(&c.name.as_str()) {
                    return Some(c.clone());
                }
                (c.quantity > n).then(|| ItemRequest {
                    quantity: c.quantity - n,
                    ..c.clone()
                })
            })
            .collect(),
    )
}

/// "cappuccino" at a latte and a croissant: each new thing in place of
/// the one line of its kind, the other lines kept. `None` unless every
/// new thing has exactly one line of its kind, each its own, and some
/// line is not changed.
fn kind_swapped(current: &[ItemRequest], new: &[ItemRequest]) -> Option<Vec<ItemRequest>> {
    let mut items = current.to_vec();
    let mut changed = vec![false; current.len()];
    for n in new {
        let mut kin = (0..current.len()).filter(|&i| same_kind(&current[i].name, &n.name));
        let (Some(i), None) = (kin.next(), kin.next()) else {
            return None;
        };
        if changed[i] || !on_a_menu(&n.name) {
            return None;
        }
        changed[i] = true;
        let quantity = if n.quantity > 1 {
            n.quantity
        } else {
            current[i].quantity
        };
        items[i] = ItemRequest {
            quantity,
            ..n.clone()
        };
    }
    changed.contains(&false).then_some(items)
}

/// Whether a restaurant of the catalog has `name` on its menu.
fn on_a_menu(name: &str) -> bool {
    (crate::agents::catalog::RESTAURANTS.iter()).any(|r| r.menu.iter().any(|(n, _)| *n == name))
}

/// The slot of a cancellation asked of each of several placed commands
/// ("cancel all my rides"): the domain named, or empty.
const CANCEL_ALL: &str = "cancel_all";

/// What "everything except the eggs", "all of it apart from the bread"
/// keeps: the words after "except" (`None` without "everything" or
/// "all" before it).
fn all_but(text: &str) -> Option<&str> {
    let at = [
        " except ",
        " apart from ",
        " other than ",
        " but ",
        " besides ",
    ]
    .iter()
    .filter_map(|w| text.find(w).map(|at| (at, at + w.len())))
    .min()?;
    let before = &text[..at.0];
    (before.contains("everything") || before.split_whitespace().any(|w| w == "all"))
        .then(|| &text[at.1..])
}

/// Whether a refusal is of everything under way ("cancel both", "forget
/// all of it", "no to everything"), not only what was asked.
fn says_all(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    (words.norm().iter()).any(|w| {
        matches!(
            w.as_str(),
            "everything" | "both" | "all" | "neither" | "lot" | "anything"
        )
    })
}

/// Whether `name` is a grocery (the mart sells it, no restaurant does).
fn in_the_mart(name: &str) -> bool {
    (crate::agents::catalog::MART_ITEMS.iter()).any(|(n, _, _)| *n == name) && !on_a_menu(name)
}

/// Whether `name` is a menu's dish, or a kind of one the kitchen chooses
/// ("burger", "curry").
fn a_dish(name: &str) -> bool {
    use crate::agents::catalog::{FOOD_KINDS, RESTAURANTS};
    on_a_menu(name)
        || FOOD_KINDS.iter().any(|(kind, _)| *kind == name)
        || (RESTAURANTS.iter()).any(|r| {
            r.menu
                .iter()
                .any(|(n, _)| n.rsplit(' ').next() == Some(name))
        })
}

/// Whether every thing of `patch` is, by its kind, a dish of the open
/// order's restaurant ("rice" of the Taj Mahal's pilau rice): said at
/// that order, an addition to it, never another shop's.
fn of_the_kitchens_kinds(open: &OpenCommand, patch: &SlotMap) -> bool {
    use crate::agents::{catalog::RESTAURANTS, item_key};
    let kitchen = (open.summary.as_ref())
        .and_then(|s| s.merchant.as_deref())
        .or_else(|| open.slots.get("restaurant").and_then(SlotValue::as_text));
    let Some(menu) = kitchen
        .and_then(|k| RESTAURANTS.iter().find(|r| r.name.eq_ignore_ascii_case(k)))
        .map(|r| r.menu)
    else {
        return false;
    };
    let things = patch.get("item").and_then(SlotValue::as_items);
    things.is_some_and(|things| {
        !things.is_empty()
            && things.iter().all(|thing| {
                let kind = item_key(&thing.name);
                menu.iter()
                    .any(|(dish, _)| dish.rsplit(' ').next().map(item_key) == Some(kind.clone()))
            })
    })
}

/// Whether a menu's thing is had beside a meal: a drink, a coffee, a
/// dessert or a side ([`crate::agents::catalog::FOOD_SIDES`]).
fn on_the_side(name: &str) -> bool {
    use crate::agents::catalog::{FOOD_KINDS, FOOD_SIDES};
    FOOD_SIDES.contains(&name)
        || (FOOD_KINDS.iter()).any(|(kind, things)| {
            matches!(*kind, "drink" | "coffee" | "dessert") && things.contains(&name)
        })
}

/// Whether two of a menu's things are of one kind: both drinks, both
/// coffees, both curries ([`crate::agents::catalog::FOOD_KINDS`]), or both
/// a pizza or a burger by their last word ("hamburger", "cheeseburger").
fn same_kind(a: &str, b: &str) -> bool {
    use crate::agents::item_key;
    let group = |name: &str| {
        (crate::agents::catalog::FOOD_KINDS.iter())
            .find(|(_, things)| things.contains(&name))
            .map(|(kind, _)| *kind)
    };
    if let (Some(x), Some(y)) = (group(a), group(b)) {
        return x == y;
    }
    let head = |name: &str| {
        name.split(' ')
            .next_back()
            .map(item_key)
            .unwrap_or_default()
    };
    let (x, y) = (head(a), head(b));
    // ("cheeseburger" and "hamburger" end alike.)
    let alike = x
        .bytes()
        .rev()
        .zip(y.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    x == y || alike >= 5
}

/// The one line of `current` that is a `head` (a singular item key): a
/// "pizza" of a margherita pizza, a "burger" of a cheeseburger. `None`
/// when no line or several are.
fn line_of_kind<'a>(current: &'a [ItemRequest], head: &str) -> Option<&'a ItemRequest> {
    use crate::agents::item_key;
    let mut lines = current.iter().filter(|c| {
        c.name
            .split(' ')
            .next_back()
            .map(item_key)
            .is_some_and(|last| {
                last == head || (last.len() > head.len() + 2 && last.ends_with(head))
            })
    });
    match (lines.next(), lines.next()) {
        (Some(line), None) => Some(line),
        _ => None,
    }
}

/// "No, the double cheeseburger" of a cheeseburger and fries, "actually a
/// pepperoni pizza" of a margherita and garlic bread: each new thing is
/// another of one line's kind, and replaces that line only (with its
/// count, unless one is said); the rest stay.
fn variants(current: &[ItemRequest], new: &[ItemRequest]) -> Option<Vec<ItemRequest>> {
    use crate::agents::item_key;
    // A count said ("3 double cheeseburgers") is the new line's.
    let counted = new.iter().any(|n| n.quantity > 1);
    let mut items = current.to_vec();
    let mut replaced = Vec::new();
    for n in new {
        let head = item_key(n.name.split(' ').next_back()?);
        let line = line_of_kind(current, &head).filter(|l| l.name != n.name)?;
        let at = current.iter().position(|c| std::ptr::eq(c, line))?;
        if replaced.contains(&at) {
            return None;
        }
        replaced.push(at);
        let mut n = n.clone();
        if !counted {
            n.quantity = line.quantity;
        }
        items[at] = n;
    }
    // Only when something stays: a change of every line is the order anew.
    (replaced.len() < current.len()).then_some(items)
}

/// "Actually one of them pepperoni", "make one a pepperoni", "change two
/// of those to hawaiian" after 3 margheritas: some of one line become
/// another thing, the rest stay as they were.
fn some_of_them(
    current: &[ItemRequest],
    new: &[ItemRequest],
    text: &str,
) -> Option<Vec<ItemRequest>> {
    use crate::reading::words::number;
    let ([was], [now]) = (current, new) else {
        return None;
    };
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let some = (0..w.len()).find_map(|i| {
        let n = match w[i].as_str() {
            "a" | "an" => None,
            word => number(word).filter(|n| *n > 0),
        }?;
        let next = |k: usize| w.get(i + k).map(String::as_str);
        let of_them =
            next(1) == Some("of") && matches!(next(2), Some("them" | "those" | "these" | "the"));
        let made = i > 0
            && matches!(
                w[i - 1].as_str(),
                "make" | "change" | "turn" | "switch" | "swap"
            )
            && matches!(next(1), Some("a" | "an" | "to" | "into" | "for"));
        (of_them || made).then_some(n)
    })?;
    if now.name == was.name || some >= was.quantity {
        return None;
    }
    let mut rest = was.clone();
    rest.quantity -= some;
    let mut other = now.clone();
    other.quantity = some;
    Some(vec![rest, other])
}

/// "No, make that pepperoni" after 2 margheritas: one thing named anew
/// for one line, with no count, changes what it is, not how many.
fn kept_count(current: &[ItemRequest], mut new: Vec<ItemRequest>, text: &str) -> Vec<ItemRequest> {
    let counted = crate::reading::amounts::count(&crate::reading::words::Words::new(text))
        .is_some()
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| matches!(w, "a" | "an" | "one" | "single"));
    if let ([was], [now]) = (current, new.as_mut_slice())
        && now.quantity == 1
        && was.quantity > 1
        && !counted
    {
        now.quantity = was.quantity;
    }
    new
}

/// The first item of `slots` that nothing in `catalog` can be (its words
/// in no item's or alias's name), with its slot and what to say; `None`
/// for a catalog that lists nothing.
fn unsold(
    spec: &crate::registry::ActionSpec,
    slots: &SlotMap,
    catalog: &crate::registry::Sold,
) -> Option<(String, String)> {
    use crate::agents::item_key;
    let names = &catalog.keys;
    if names.is_empty() {
        return None;
    }
    let sold = |item: &ItemRequest| {
        let key = item_key(&item.name);
        names
            .iter()
            .any(|n| *n == key || key.split(' ').all(|w| n.split(' ').any(|x| x == w)))
    };
    let slot = spec.slots.iter().find(|s| s.kind == SlotKind::Items)?;
    // Every thing not sold, by name: "beer" or "crisps".
    let unsold: Vec<String> = (slots.get(&slot.name).and_then(SlotValue::as_items)?.iter())
        .filter(|i| !sold(i))
        .map(|i| format!("\"{}\"", i.name))
        .collect();
    if unsold.is_empty() {
        return None;
    }
    let things = match unsold.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => unsold.join(""),
    };
    let said = match catalog.merchants.as_slice() {
        [only] => format!("Sorry, {only} doesn't sell {things}."),
        _ => format!("Sorry, none of the places I order from has {things}."),
    };
    Some((slot.name.clone(), said))
}

/// Whether `text` says "the <item>" ("just the tomatoes"): the item as
/// it already is.
fn says_the(text: &str, name: &str) -> bool {
    let first = name.split(' ').next().unwrap_or_default();
    let stem = first.trim_end_matches('s');
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    (1..w.len()).any(|i| w[i - 1] == "the" && w[i].starts_with(stem) && !stem.is_empty())
}

/// "change the fries to onion rings", "swap the latte for a cappuccino",
/// "onion rings instead of the fries": the items named first make way for
/// the others, in their place and (unless a count is said) their
/// quantity. `None` when the words are no such swap.
fn swap(current: &[ItemRequest], new: &[ItemRequest], text: &str) -> Option<Vec<ItemRequest>> {
    // ("can i swap the fries for onion rings", "could you change...".)
    let text = crate::reading::acts::without_courtesy(text);
    // "no fries, onion rings instead", "not the fries but onion rings".
    let no_then = ["no ", "not ", "without "]
        .iter()
        .find_map(|lead| text.strip_prefix(lead))
        .and_then(|rest| {
            let (at, sep) = [", ", " but ", " just ", "; "]
                .iter()
                .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
                .min()?;
            Some((&rest[..at], &rest[at + sep..]))
        });
    // "instead of fries can i have onion rings", "instead of milk get
    // orange juice": what goes, then what comes.
    let instead_first = text.strip_prefix("instead of ").and_then(|rest| {
        let (at, sep) = [
            ", ", " can ", " could ", " get ", " give ", " have ", " i'll ", " i'd ", " i want ",
            " send ", " bring ",
        ]
        .iter()
        .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
        .min()?;
        Some((&rest[..at], &rest[at + sep..]))
    });
    let (old_part, new_part) = if let Some(parts) = instead_first {
        parts
    } else if let Some(at) = text.find(" instead of ") {
        (&text[at + " instead of ".len()..], &text[..at])
    } else if let Some(parts) = no_then {
        parts
    } else if let Some(rest) = text.strip_prefix("make ") {
        // "make the coffee a cappuccino"; "make the fries onion rings":
        // a line named first, then what it becomes.
        let bare = rest.trim_start_matches("the ").trim_start_matches("my ");
        let named = current.iter().find_map(|c| {
            [c.name.clone(), format!("{}s", c.name)]
                .into_iter()
                .find(|name| {
                    bare.strip_prefix(name.as_str())
                        .is_some_and(|r| r.starts_with(' '))
                })
        });
        // Or by words of its name ("make the margheritas pepperoni").
        let by_words = || {
            // Each word with where it ends.
            let mut words: Vec<(usize, &str)> = Vec::new();
            let mut end = 0;
            for word in bare.split(' ') {
                end += word.len();
                words.push((end, word));
                end += 1;
            }
            (1..words.len()).rev().find_map(|k| {
                let holds = |c: &&ItemRequest| {
                    words[..k].iter().all(|(_, w)| {
                        (c.name.split(' '))
                            .any(|n| n.trim_end_matches('s') == w.trim_end_matches('s'))
                    })
                };
                (current.iter().filter(holds).count() == 1).then(|| words[k - 1].0)
            })
        };
        match named.map(|name| name.len()).or_else(by_words) {
            Some(len) => {
                let at = rest.len() - bare.len() + len;
                (&rest[..at], &rest[at + 1..])
            }
            None => {
                let (at, sep) = [" a ", " an ", " into "]
                    .iter()
                    .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
                    .min()?;
                (&rest[..at], &rest[at + sep..])
            }
        }
    } else {
        let rest = ["change ", "swap ", "switch ", "replace ", "substitute "]
            .iter()
            .find_map(|v| text.strip_prefix(v))?;
        let (at, sep) = [" to ", " for ", " with ", " into "]
            .iter()
            .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
            .min()?;
        (&rest[..at], &rest[at + sep..])
    };
    let said_in = |part: &str, name: &str| {
        let part = crate::reading::words::Words::new(part);
        name.split(' ').all(|n| {
            let n = n.trim_end_matches('s');
            part.norm().iter().any(|w| w.trim_end_matches('s') == n)
        })
    };
    // The old thing as named, or by another word the reader knew ("the
    // coffee" of a latte: a thing of the order heard, not said after), or
    // by its kind alone ("the pizza" of a margherita pizza).
    let mut olds: Vec<&ItemRequest> = current
        .iter()
        .filter(|c| {
            said_in(old_part, &c.name)
                || (new.iter().any(|n| n.name == c.name) && !said_in(new_part, &c.name))
        })
        .collect();
    // ("the sweet and sour" of the sweet and sour chicken: a line whose
    // name holds every word said of it, when one does.)
    if olds.is_empty() {
        let said = crate::reading::words::Words::new(old_part);
        let words: Vec<&String> = (said.norm().iter())
            .filter(|w| {
                !matches!(
                    w.as_str(),
                    "the" | "a" | "an" | "my" | "that" | "this" | "and"
                )
            })
            .collect();
        // (One word too, "margheritas" of the margherita pizza.)
        let holding: Vec<&ItemRequest> = (current.iter())
            .filter(|c| {
                !words.is_empty()
                    && words.iter().all(|w| {
                        (c.name.split(' '))
                            .any(|n| n.trim_end_matches('s') == w.trim_end_matches('s'))
                    })
            })
            .collect();
        if let [one] = holding.as_slice() {
            olds.push(one);
        }
    }
    if olds.is_empty()
        && let [head] = crate::reading::words::Words::new(old_part)
            .norm()
            .iter()
            .filter(|w| !matches!(w.as_str(), "the" | "a" | "an" | "my" | "that" | "this"))
            .collect::<Vec<_>>()
            .as_slice()
        && let Some(line) = line_of_kind(current, &crate::agents::item_key(head))
    {
        olds.push(line);
    }
    let said_old = |name: &str| said_in(old_part, name) || olds.iter().any(|o| o.name == name);
    let mut news: Vec<&ItemRequest> = new
        .iter()
        .filter(|n| !said_old(&n.name) && said_in(new_part, &n.name))
        .collect();
    // "muffins" for a blueberry muffin: the one new thing, by another word.
    if news.is_empty() {
        news = new
            .iter()
            .filter(|n| !said_old(&n.name) && !current.iter().any(|c| c.name == n.name))
            .collect();
    }
    let (first_old, _) = olds.split_first()?;
    // "make the milk oat milk", "change the milk to oat milk": the same
    // thing said another way is that line made so.
    // ("swap the white bread for brown bread": the way said after, never
    // the one said before.)
    let made_as_said = |n: &&ItemRequest| {
        (n.note.as_deref()).is_some_and(|note| said_in(new_part, note) && !said_in(old_part, note))
    };
    let made_so = (new.iter())
        .filter(|n| n.note.is_some() && olds.iter().any(|o| o.name == n.name))
        .max_by_key(|n| made_as_said(n));
    if news.is_empty()
        && let Some(made) = made_so
    {
        let made_so = |c: &ItemRequest| match c.name == made.name {
            true => ItemRequest {
                note: made.note.clone(),
                ..c.clone()
            },
            false => c.clone(),
        };
        return Some(current.iter().map(made_so).collect());
    }
    if news.is_empty() {
        return None;
    }
    let counted =
        crate::reading::amounts::count(&crate::reading::words::Words::new(new_part)).is_some();
    // "change one latte to a flat white", "swap one of the lattes for a
    // flat white", of two lattes: so many of the line swapped, the rest
    // kept.
    let some_of = crate::reading::amounts::count(&crate::reading::words::Words::new(old_part))
        .filter(|k| *k < first_old.quantity && !counted && olds.len() == 1);
    let mut items = Vec::new();
    for item in current {
        if std::ptr::eq(item, *first_old) {
            if let Some(k) = some_of {
                items.push(ItemRequest {
                    quantity: first_old.quantity - k,
                    ..(*first_old).clone()
                });
            }
            for n in &news {
                let mut n = (*n).clone();
                if !counted {
                    n.quantity = some_of.unwrap_or(first_old.quantity);
                }
                items.push(n);
            }
        } else if !olds.iter().any(|o| std::ptr::eq(*o, item)) {
            items.push(item.clone());
        }
    }
    Some(items)
}

/// Fixes what the agent chose in the quote into the command, so the
/// placed command is the one confirmed: the restaurant it priced, the
/// ride type that fits.
fn pin(action: &str, slots: &mut SlotMap, summary: &Summary) {
    match action {
        "order_food" => {
            if let Some(merchant) = &summary.merchant {
                slots.insert("restaurant".into(), SlotValue::Text(merchant.clone()));
            }
        }
        "book_ride" => {
            if let Some(kind) = summary
                .ride_type
                .filter(|k| *k != RideType::Standard || slots.contains_key("ride_type"))
            {
                slots.insert("ride_type".into(), SlotValue::Text(kind.as_str().into()));
            }
        }
        _ => {}
    }
}

/// Lower case letters and digits, single spaces: how double taps compare.
fn normalized(text: &str) -> String {
    crate::agents::normalize(text)
}

/// What a fare question needs before it can be priced: "Where from?" when
/// only the pickup is missing ("how much is a cab to heathrow?").
fn fare_needs(missing: &[String]) -> String {
    let then = "and I'll give you the fare before anything is booked.";
    match missing {
        [one] if one == "pickup" => format!("Where from? Tell me where you'd be picked up {then}"),
        [one] if one == "destination" => format!("Where to? Tell me where you're going {then}"),
        _ => format!("Tell me where from and where to, {then}"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn asking_for_the_last_order_again() {
        for said in [
            "order the same again",
            "same as last time please",
            "and another one",
            "repeat my last order",
            "get me the usual",
            "can you order that again",
        ] {
            assert!(super::orders_again(said), "{said}");
        }
        for said in [
            "where is my order again?",
            "cancel the same order",
            "don't order the same again",
            "what did I order last time",
        ] {
            assert!(!super::orders_again(said), "{said}");
        }
    }
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::mart::MartAgent;
    use crate::agents::ride::RideAgent;
    use crate::nlu::{TrainedNlu, Understand};
    use crate::reading::Reading;
    use crate::registry::unpriced;
    use errand_schemas::{CancelResult, UtteranceSource};

    /// Prices everything as asked; refuses "Atlantis"; cancels anything.
    struct Desk;

    #[async_trait]
    impl super::Desk for Desk {
        async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody> {
            let summary = unpriced(command);
            if summary.address.as_deref() == Some("Atlantis") {
                return Ok(Err(Refusal::of(
                    "address",
                    ErrorBody::new(ErrorCode::UnknownPlace, "I couldn't find \"Atlantis\"."),
                )));
            }
            Ok(Ok(Summary {
                total: Some(1000),
                currency: Some("GBP".into()),
                ..summary
            }))
        }

        async fn cancel(
            &self,
            placed: &Placed,
            _: &str,
        ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
            Ok(Ok(CancelResult {
                cancelled: placed.trace_id.to_string(),
                refund: 1000,
                currency: "GBP".into(),
                charge_id: "ch".into(),
            }))
        }

        async fn status(&self, _: &TraceId) -> Result<Option<CommandState>, ErrorBody> {
            Ok(None)
        }
    }

    struct Person {
        session: SessionState,
        registry: DomainRegistry,
        reading: Reading,
        nlu: TrainedNlu,
        config: DialogueConfig,
        now_ms: u64,
    }

    impl Person {
        fn new() -> Self {
            let registry = DomainRegistry::new()
                .with(FoodAgent::simulated())
                .with(RideAgent::simulated())
                .with(MartAgent::simulated());
            let tz = Reading::time_zone("Europe/London").expect("london");
            Self {
                session: SessionState::new("s".into(), "demo"),
                reading: Reading::new(&registry, tz),
                registry,
                nlu: TrainedNlu::embedded(crate::agents::catalog::lexicon()).expect("the model"),
                config: DialogueConfig::default(),
                now_ms: 1_796_205_600_000,
            }
        }

        /// One turn, on the trace the gateway would give it.
        async fn say(&mut self, text: &str) -> Vec<Effect> {
            let trace = self
                .session
                .open
                .as_ref()
                .map(|o| o.trace_id.clone())
                .unwrap_or_else(TraceId::generate);
            let utterance = Utterance {
                utterance_id: TraceId::generate().0,
                trace_id: trace,
                session_id: "s".into(),
                user_id: "demo".into(),
                text: text.into(),
                source: UtteranceSource::Text,
                received_at_ms: self.now_ms,
                session_version: 0,
                act: None,
            };
            let prepared = hear::prepare(&self.reading, text);
            let open = self.session.open.clone();
            let parse = match &prepared.request {
                Some(t) => self.nlu.parse(t, &context(open.as_ref())),
                None => Parse::out_of_scope(),
            };
            let action = parse.intent.as_str().to_owned();
            let heard = hear::finish(
                &self.reading,
                &self.registry,
                prepared,
                parse,
                action,
                None,
                open.as_ref(),
                Some(&self.nlu),
                self.now_ms,
            );
            let ctx = Ctx {
                registry: &self.registry,
                config: &self.config,
                desk: &Desk,
                now_ms: self.now_ms,
            };
            decide(&mut self.session, &utterance, &heard, &ctx)
                .await
                .expect("the desk answers")
        }
    }

    impl Person {
        /// The Confirm button on `trace`.
        async fn press(&mut self, trace: &TraceId) -> Vec<Effect> {
            let utterance = Utterance {
                utterance_id: TraceId::generate().0,
                trace_id: trace.clone(),
                session_id: "s".into(),
                user_id: "demo".into(),
                text: "confirm".into(),
                source: UtteranceSource::Text,
                received_at_ms: self.now_ms,
                session_version: 0,
                act: Some(errand_schemas::Act::Confirm),
            };
            let ctx = Ctx {
                registry: &self.registry,
                config: &self.config,
                desk: &Desk,
                now_ms: self.now_ms,
            };
            let heard = Heard::from(Parse::out_of_scope());
            decide(&mut self.session, &utterance, &heard, &ctx)
                .await
                .expect("the desk answers")
        }
    }

    fn dispatched(effects: &[Effect]) -> usize {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Dispatch(_)))
            .count()
    }

    fn confirms(effects: &[Effect]) -> usize {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Clarify(q) if q.summary.is_some()))
            .count()
    }

    fn statuses(effects: &[Effect]) -> Vec<Status> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Record(s) => Some(s.status),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn the_same_words_within_ten_seconds_are_one_command() {
        let mut p = Person::new();
        let first = p.say("book a cab from home to the airport").await;
        assert_eq!(confirms(&first), 1);
        p.now_ms += 2_000;
        let again = p.say("book a cab from home to the airport").await;
        assert_eq!(
            confirms(&again),
            1,
            "the same question again, no second command"
        );
        assert!(!statuses(&again).contains(&Status::Received));
        p.now_ms += 1_000;
        assert_eq!(dispatched(&p.say("yes").await), 1);
        // After the yes, the same words are a new request.
        p.now_ms += 1_000;
        let new = p.say("book a cab from home to the airport").await;
        assert_eq!(confirms(&new), 1);
        assert!(statuses(&new).contains(&Status::AwaitingConfirmation));
        // Confirmed with the button: the same words moments after the
        // confirmation are still that command; later, a new one.
        p.now_ms += 1_000;
        let trace = p
            .session
            .open
            .as_ref()
            .map(|o| o.trace_id.clone())
            .expect("open");
        assert_eq!(dispatched(&p.press(&trace).await), 1);
        p.now_ms += 5_000;
        let tap = p.say("book a cab from home to the airport").await;
        assert_eq!((confirms(&tap), dispatched(&tap)), (0, 0));
        assert!(statuses(&tap).contains(&Status::Answered));
        p.now_ms += 20_000;
        let later = p.say("book a cab from home to the airport").await;
        assert_eq!(confirms(&later), 1);
    }

    #[tokio::test]
    async fn three_answers_errand_cannot_use_cancel_the_command() {
        let mut p = Person::new();
        p.say("order me a burger").await;
        let first = p.say("to Atlantis").await;
        assert!(statuses(&first).contains(&Status::AwaitingClarification));
        p.now_ms += 1_000;
        let second = p.say("what?").await;
        assert!(!statuses(&second).contains(&Status::Cancelled));
        p.now_ms += 1_000;
        let third = p.say("Atlantis").await;
        assert!(statuses(&third).contains(&Status::Cancelled), "{third:?}");
        assert!(p.session.open.is_none());
    }

    #[tokio::test]
    async fn two_requests_are_taken_one_after_the_other() {
        let mut p = Person::new();
        let first = p
            .say("a burger to work and a cab from home to the airport")
            .await;
        assert_eq!(confirms(&first), 1);
        assert_eq!(
            p.session.open.as_ref().map(|o| o.action.as_str()),
            Some("order_food")
        );
        assert_eq!(p.session.queued.len(), 1);
        p.now_ms += 1_000;
        let yes = p.say("yes").await;
        assert_eq!(dispatched(&yes), 1);
        assert_eq!(confirms(&yes), 1, "the cab's confirmation follows");
        assert_eq!(
            p.session.open.as_ref().map(|o| o.action.as_str()),
            Some("book_ride")
        );
        p.now_ms += 1_000;
        assert_eq!(dispatched(&p.say("yes").await), 1);
        assert!(p.session.open.is_none() && p.session.queued.is_empty());
    }

    #[tokio::test]
    async fn never_places_at_once_and_above_asks_only_for_more() {
        let mut p = Person::new();
        p.config.confirm = ConfirmPolicy::Never;
        let never = p.say("book a cab from home to the airport").await;
        assert_eq!((confirms(&never), dispatched(&never)), (0, 1));
        let mut p = Person::new();
        p.config.confirm = ConfirmPolicy::Above(1_000);
        let cheap = p.say("book a cab from home to the airport").await;
        assert_eq!(
            (confirms(&cheap), dispatched(&cheap)),
            (0, 1),
            "1000 is not above 1000"
        );
        let mut p = Person::new();
        p.config.confirm = ConfirmPolicy::Above(999);
        let dear = p.say("book a cab from home to the airport").await;
        assert_eq!((confirms(&dear), dispatched(&dear)), (1, 0));
        assert_eq!("above:999".parse(), Ok(ConfirmPolicy::Above(999)));
        assert!("sometimes".parse::<ConfirmPolicy>().is_err());
    }
}

#[cfg(test)]
mod changes {
    use super::{line_of_kind, swap, variants};
    use errand_schemas::ItemRequest;

    fn names(items: &[ItemRequest]) -> Vec<(String, u32)> {
        items.iter().map(|i| (i.name.clone(), i.quantity)).collect()
    }

    #[test]
    fn a_swap_replaces_the_item_named_first_and_keeps_its_count() {
        let current = [
            ItemRequest::new("hamburger", 1),
            ItemRequest::new("fries", 2),
        ];
        let heard = [
            ItemRequest::new("fries", 1),
            ItemRequest::new("onion rings", 1),
        ];
        let swapped = swap(&current, &heard, "change the fries to onion rings").unwrap();
        assert_eq!(
            names(&swapped),
            [("hamburger".into(), 1), ("onion rings".into(), 2)]
        );
        let instead = swap(&current, &heard, "onion rings instead of the fries").unwrap();
        assert_eq!(names(&instead), names(&swapped));
        let counted = swap(&current, &heard[..], "swap the fries for 3 onion rings");
        assert!(counted.is_some());
        assert_eq!(
            swap(&current, &heard, "add onion rings"),
            None,
            "no swap in the words"
        );
    }

    #[test]
    fn a_line_named_by_its_kind_alone_is_swapped() {
        let current = [
            ItemRequest::new("margherita pizza", 1),
            ItemRequest::new("garlic bread", 1),
        ];
        let heard = [
            ItemRequest::new("pizza", 1),
            ItemRequest::new("pepperoni pizza", 1),
        ];
        let swapped = swap(&current, &heard, "make the pizza a pepperoni").unwrap();
        assert_eq!(
            names(&swapped),
            [("pepperoni pizza".into(), 1), ("garlic bread".into(), 1)]
        );
        let burgers = [
            ItemRequest::new("cheeseburger", 2),
            ItemRequest::new("fries", 1),
        ];
        assert_eq!(
            line_of_kind(&burgers, "burger").map(|l| l.name.as_str()),
            Some("cheeseburger")
        );
        // Two lines of the kind: neither is "the" one.
        let two = [
            ItemRequest::new("margherita pizza", 1),
            ItemRequest::new("pepperoni pizza", 1),
        ];
        assert_eq!(line_of_kind(&two, "pizza"), None);
        assert_eq!(line_of_kind(&burgers, "ice"), None);
    }

    #[test]
    fn another_of_a_lines_kind_replaces_that_line() {
        let burgers = [
            ItemRequest::new("cheeseburger", 2),
            ItemRequest::new("fries", 1),
        ];
        let double = [ItemRequest::new("double cheeseburger", 1)];
        let changed = variants(&burgers, &double).unwrap();
        assert_eq!(
            names(&changed),
            [("double cheeseburger".into(), 2), ("fries".into(), 1)]
        );
        // A count said is the new line's.
        let three = [ItemRequest::new("double cheeseburger", 3)];
        let changed = variants(&burgers, &three).unwrap();
        assert_eq!(names(&changed)[0], ("double cheeseburger".into(), 3));
        // Another kind, or every line changed, is no variant.
        let pizza = [ItemRequest::new("margherita pizza", 1)];
        assert_eq!(variants(&burgers, &pizza), None);
        let one = [ItemRequest::new("cheeseburger", 1)];
        let all = [ItemRequest::new("double cheeseburger", 1)];
        assert_eq!(variants(&one, &all), None);
    }
}
