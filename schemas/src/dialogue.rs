//! Dialogue state (`session:{session_id}`) and the clarification question
//! (on `agent.out.clarify`).

use crate::chat::ChatMessage;
use crate::ids::{SessionId, TraceId};
use crate::quote::{Offer, Summary};
use crate::slots::SlotMap;
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// What an open command waits for.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// An answer to a question (`missing` says what was asked).
    #[default]
    Asking,
    /// A yes, a no or a change to the priced `summary`.
    Confirming,
    /// A yes to cancelling the placed command `trace_id`.
    Cancelling,
}

/// A command still being put together: the person has been asked for
/// something (or to confirm it) and the next turn is read as the answer.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct OpenCommand {
    pub trace_id: TraceId,
    /// The action being filled (`order_food`, ...).
    pub action: String,
    pub slots: SlotMap,
    /// The slots asked for in the last question.
    pub missing: Vec<String>,
    /// The dialogue turn of the last step of this command.
    pub turn: u32,
    #[serde(default)]
    pub stage: Stage,
    /// The question last asked, to ask again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub question: String,
    /// The priced command shown for confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::of(proptest::strategy::Strategy::boxed(proptest::prelude::any::<Summary>()))"
        )
    )]
    pub summary: Option<Summary>,
    /// What a yes to the last question sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
    /// Answers in a row errand could not use.
    #[serde(default)]
    pub repairs: u32,
    /// The placed command this one replaces (an amendment): cancelled
    /// when this one is confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<TraceId>,
}

impl OpenCommand {
    /// A command that asks `question` for `missing`.
    pub fn asking(
        trace_id: TraceId,
        action: String,
        slots: SlotMap,
        missing: Vec<String>,
        question: String,
        turn: u32,
    ) -> Self {
        Self {
            trace_id,
            action,
            slots,
            missing,
            turn,
            stage: Stage::Asking,
            question,
            summary: None,
            offer: None,
            repairs: 0,
            replaces: None,
        }
    }
}

/// A request heard beside another ("a burger and a cab home"), waiting for
/// the one before it to be placed or dropped.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Queued {
    pub action: String,
    pub slots: SlotMap,
}

/// A command the person confirmed, kept so they can ask about it, cancel it
/// or change it.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Placed {
    pub trace_id: TraceId,
    pub domain: String,
    pub action: String,
    pub slots: SlotMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::of(proptest::strategy::Strategy::boxed(proptest::prelude::any::<Summary>()))"
        )
    )]
    pub summary: Option<Summary>,
    /// When it was dispatched.
    pub at_ms: u64,
}

/// The session's last typed (or spoken) utterance, to recognise a double tap.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Said {
    /// Lower case, single spaces, no punctuation.
    pub text: String,
    pub at_ms: u64,
    /// The command it started or continued.
    pub trace_id: TraceId,
    /// When that command was confirmed (a yes or the button), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at_ms: Option<u64>,
}

/// The dialogue state of one session.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct SessionState {
    pub session_id: SessionId,
    pub user_id: String,
    /// The command waiting for an answer, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<OpenCommand>,
    /// Utterances reasoned in this session.
    pub turns: u32,
    /// The most recent commands of the session, newest last (bounded).
    #[serde(default)]
    pub recent: Vec<TraceId>,
    /// The last utterance reasoned and what was decided for it, saved with
    /// the session in one write: a redelivered utterance replays these
    /// effects instead of being reasoned again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_turn: Option<LastTurn>,
    /// The ids of the utterances reasoned before the last one, newest last
    /// (bounded): one of them arriving again (a client's retry, a late
    /// redelivery) changes nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(\"[a-z0-9]{1,8}\", 0..3)")
    )]
    pub earlier_utterances: Vec<String>,
    /// The conversation with the LLM reasoner, oldest first, bounded to its
    /// last few turns (empty without one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<ChatMessage>(), 0..4)"
        )
    )]
    pub chat: Vec<ChatMessage>,
    /// Requests heard beside the open one, taken after it, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<Queued>(), 0..2)")
    )]
    pub queued: Vec<Queued>,
    /// The last commands placed, newest last (bounded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<Placed>(), 0..2)")
    )]
    pub placed: Vec<Placed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<Said>,
    /// The thing the last turn asked about and was answered (its price,
    /// who sells it), for a next turn that orders it without naming it
    /// ("how much is a latte?", then "get me two to work").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_about: Option<String>,
    /// The dishes the last turn listed, in order, each "<dish> from
    /// <merchant>", for a next turn that picks from them ("the second
    /// one", "the greek one").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub menu_shown: Vec<String>,
    /// A command the last turn priced and did not place ("how much is a
    /// cab to Gatwick?"): the next turn may take it ("ok book it") or
    /// change it ("and to Heathrow?").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::weighted(0.1, proptest::prelude::any::<OpenCommand>())"
        )
    )]
    pub offered: Option<OpenCommand>,
    /// A command refused at its confirmation last turn: the next turn may
    /// change it ("make it 7am"), never place it with a bare yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::weighted(0.1, proptest::prelude::any::<OpenCommand>())"
        )
    )]
    pub refused: Option<OpenCommand>,
    /// Optimistic-concurrency version: bumped by every save.
    #[serde(default)]
    pub version: u64,
    pub updated_at_ms: u64,
}

impl SessionState {
    /// How many recent trace ids a session keeps.
    pub const RECENT: usize = 10;

    pub fn new(session_id: SessionId, user_id: impl Into<String>) -> Self {
        Self {
            session_id,
            user_id: user_id.into(),
            open: None,
            turns: 0,
            recent: Vec::new(),
            last_turn: None,
            earlier_utterances: Vec::new(),
            chat: Vec::new(),
            queued: Vec::new(),
            placed: Vec::new(),
            said: None,
            asked_about: None,
            menu_shown: Vec::new(),
            offered: None,
            refused: None,
            version: 0,
            updated_at_ms: 0,
        }
    }

    /// How many earlier utterance ids a session keeps.
    pub const EARLIER_UTTERANCES: usize = 32;

    /// Whether the utterance `id` was reasoned in this session.
    pub fn heard(&self, id: &str) -> bool {
        !id.is_empty()
            && (self
                .last_turn
                .as_ref()
                .is_some_and(|t| t.utterance_id == id)
                || self.earlier_utterances.iter().any(|u| u == id))
    }

    /// Makes `turn` the last turn, keeping the one before among the
    /// earlier ones.
    pub fn take_turn(&mut self, turn: LastTurn) {
        if let Some(before) = self.last_turn.replace(turn)
            && !before.utterance_id.is_empty()
        {
            self.earlier_utterances.push(before.utterance_id);
            if self.earlier_utterances.len() > Self::EARLIER_UTTERANCES {
                self.earlier_utterances.remove(0);
            }
        }
    }

    /// How many placed commands a session keeps.
    pub const PLACED: usize = 5;

    /// Remembers a placed command.
    pub fn place(&mut self, placed: Placed) {
        self.placed.retain(|p| p.trace_id != placed.trace_id);
        self.placed.push(placed);
        if self.placed.len() > Self::PLACED {
            self.placed.remove(0);
        }
    }

    /// Remembers `trace_id` as one of the session's recent commands.
    pub fn remember(&mut self, trace_id: &TraceId) {
        if self.recent.last() != Some(trace_id) {
            self.recent.push(trace_id.clone());
        }
        if self.recent.len() > Self::RECENT {
            let excess = self.recent.len() - Self::RECENT;
            self.recent.drain(..excess);
        }
    }
}

/// The last reasoned utterance of a session and its effects (JSON, as the
/// reasoner wrote them).
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct LastTurn {
    pub utterance_id: String,
    pub effects: String,
    /// How many of the effects the person sees (steps and questions): the
    /// session store reserves that many event numbers when it saves the
    /// turn, from [`LastTurn::seq`] on, so a replay numbers them the same.
    #[serde(default)]
    pub numbered: u32,
    /// The first number reserved (set by the store; 0 before the save).
    #[serde(default)]
    pub seq: u64,
}

/// A question for the person, published on `agent.out.clarify`: what is
/// missing (a `clarify` event) or, with a `summary`, whether to place the
/// command as summarised (a `confirm` event).
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Clarification {
    pub trace_id: TraceId,
    pub session_id: SessionId,
    pub user_id: String,
    pub intent: String,
    pub missing: Vec<String>,
    pub question: String,
    pub turn: u32,
    /// Said first, as a `reply` event (an answer to something the person
    /// asked meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// The priced command this question asks to confirm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::option::of(proptest::strategy::Strategy::boxed(proptest::prelude::any::<Summary>()))"
        )
    )]
    pub summary: Option<Summary>,
    /// Where this question stands among its session's events (see
    /// [`crate::StatusUpdate::seq`]). 0: not numbered.
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub seq: u64,
}
