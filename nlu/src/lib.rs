//! # errand-nlu
//!
//! errand's offline reader: from an utterance to an intent and slots. It
//! knows nothing of actors, buses or stores.
//!
//! [`Understand`] is the seam: the [`TrainedNlu`] (the committed model,
//! `models/nlu.model`, over the [`RuleNlu`]'s phrase patterns) is the
//! default, and an LLM reasoner can stand behind the same trait. What is
//! sold comes through a [`Catalog`] into the [`Lexicon`]. The model reads
//! meaning through the [`encoder`]'s token table (`models/tokens.table`,
//! distilled from a pretrained sentence encoder at training time), and
//! learns registered domains from their marked-up [`examples`]. Training,
//! distilling and evaluation ([`NluModel::train`], [`encoder::distil`],
//! [`read_lines`]) are here too; the `errand nlu` verbs call them.

mod augment;
mod classifier;
mod data;
pub mod encoder;
pub mod examples;
mod features;
mod lexicon;
mod mlp;
mod model;
mod rng;
mod rules;
mod tagger;
mod tokens;
mod trained;
pub mod words;

pub use data::{LabelledLine, read_lines};
pub use lexicon::{Catalog, Lexicon};
pub use model::{FoundSlot, ModelError, NluModel, TrainOptions};
pub use rules::RuleNlu;
pub use trained::TrainedNlu;

use errand_schemas::{SlotMap, SlotValue};

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

    /// The parse, and its slot values exactly as written (name, text), the
    /// way labelled data writes them: a slot said twice appears twice. By
    /// default the text of the parse's own slots.
    fn parse_verbatim(&self, text: &str, context: &Context) -> (Parse, Vec<(String, String)>) {
        let parse = self.parse(text, context);
        let slots = if context.open_action.is_some() {
            let mut slots = parse.answer.clone();
            if parse.intent.as_str() == context.open_action.as_deref().unwrap_or_default() {
                for (k, v) in &parse.slots {
                    slots.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            slots
        } else {
            parse.slots.clone()
        };
        let verbatim = written(&slots);
        (parse, verbatim)
    }
}

/// Slot values as text: items by name, numbers in digits.
fn written(slots: &SlotMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in slots {
        match value {
            SlotValue::Text(t) => out.push((name.clone(), t.clone())),
            SlotValue::Number(n) => out.push((name.clone(), n.to_string())),
            SlotValue::Items(items) => {
                out.extend(items.iter().map(|i| (name.clone(), i.name.clone())));
            }
        }
    }
    out
}
