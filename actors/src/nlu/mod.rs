//! Natural-language understanding: from an utterance to an intent and slots.
//!
//! [`Understand`] is the seam: the offline [`RuleNlu`] (lexicons built from
//! the domain catalogs, plus phrase patterns) is the default, and an LLM
//! reasoner can stand behind the same trait. The dialogue policy
//! ([`crate::dialogue`]) decides what to do with a [`Parse`].

mod lexicon;
mod rules;

pub use lexicon::Lexicon;
pub use rules::RuleNlu;

use errand_schemas::SlotMap;

/// The intents errand knows offline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    OrderFood,
    BookRide,
    OrderMart,
    OutOfScope,
}

impl Intent {
    pub const ALL: [Intent; 4] = [
        Intent::OrderFood,
        Intent::BookRide,
        Intent::OrderMart,
        Intent::OutOfScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::OrderFood => "order_food",
            Intent::BookRide => "book_ride",
            Intent::OrderMart => "order_mart",
            Intent::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.as_str() == name)
    }

    pub fn in_scope(self) -> bool {
        self != Intent::OutOfScope
    }
}

/// What the dialogue is waiting for, if anything.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The action of the open command (`order_food`, ...).
    pub open_action: Option<String>,
    /// The slots the last question asked for.
    pub missing: Vec<String>,
}

/// What an utterance means.
#[derive(Clone, Debug, PartialEq)]
pub struct Parse {
    pub intent: Intent,
    /// 0 to 1: how sure the intent is.
    pub confidence: f32,
    pub slots: SlotMap,
    /// "never mind", "cancel that".
    pub cancel: bool,
    /// "actually make it two", "no, to the office": changes the open command.
    pub correction: bool,
    /// Slots read as the answer to the open question (context only).
    pub answer: SlotMap,
}

impl Parse {
    pub fn out_of_scope() -> Self {
        Self {
            intent: Intent::OutOfScope,
            confidence: 1.0,
            slots: SlotMap::new(),
            cancel: false,
            correction: false,
            answer: SlotMap::new(),
        }
    }
}

/// Reads an utterance.
pub trait Understand: Send + Sync + 'static {
    fn parse(&self, text: &str, context: &Context) -> Parse;
}
