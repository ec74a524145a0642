//! What the registered domains' examples teach the offline reading: a
//! domain the trained reader was never trained on is understood from the
//! examples in its spec (see [`crate::registry::DomainSpec::examples`]).
//!
//! Every domain's examples are learned (an [`errand_nlu::examples::Learner`]
//! per node), the built-in ones too, so that a request nearer a built-in
//! example than a registered domain's is not that domain's. Only actions
//! the trained reader does not know are taken from the examples: the
//! trained reader's own intents stay its own.
//!
//! An utterance is taken as such an action ([`Taught::action`]) when, not
//! negated and not asking about something:
//!
//! - it names a value the examples gave one of the action's slots
//!   ("ibuprofen") while asking for something or resembling the examples,
//!   and no built-in menu sells that value; or
//! - it resembles the action's examples more than any other's (the cosine
//!   of word, word pair and character trigram features, values and places
//!   masked, at least [`SIMILAR`]), no built-in menu names anything in it,
//!   and a value stands where the examples put one.
//!
//! Its slot values ([`Taught::values`]) are the learned values named, or
//! the words where the examples put the slot. Places are never read here:
//! they are masked and left to [`super::places`].

use super::places::Mention;
use super::words::Words;
use crate::nlu::Intent;
use crate::nlu::examples::{Learner, Match, Value};
use crate::registry::{DomainRegistry, SlotKind};
use std::collections::{BTreeMap, BTreeSet};

/// How near the nearest example a request must be to be taken on its
/// resemblance alone.
pub const SIMILAR: f32 = 0.5;

/// How near the nearest example a request naming a learned value must be
/// when it has no word of asking.
pub const NAMED_SIMILAR: f32 = 0.25;

/// Words of asking for something.
pub(crate) const ASKING: &[&str] = &[
    "need",
    "want",
    "get",
    "order",
    "book",
    "buy",
    "send",
    "bring",
    "please",
    "like",
    "call",
    "grab",
    "fetch",
    "arrange",
    "deliver",
    "delivered",
    "can",
    "could",
    "would",
    "i'd",
    "id",
    "gimme",
    "give",
];

const NOT: &[&str] = &["not", "don't", "dont", "never", "no", "without"];

/// Words that open a question about something, not a request.
const ASKING_ABOUT: &[&str] = &[
    "how", "what", "what's", "whats", "why", "when", "where", "who", "which", "is", "are", "does",
    "do", "did",
];

/// Why an utterance was taken as an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// It names a value the examples gave.
    Named,
    /// It resembles the examples.
    Similar,
}

/// The examples learned, and the actions they teach.
#[derive(Clone, Debug, Default)]
pub struct Taught {
    learner: Learner,
    /// Actions the trained reader does not know, with examples.
    taught: BTreeSet<String>,
    /// Each taught action's slots that are read here (not places).
    slots: BTreeSet<(String, String)>,
    /// Each taught action's domain words ("medicine"): no value.
    words: BTreeMap<String, Vec<String>>,
}

impl Taught {
    pub fn new(registry: &DomainRegistry) -> Self {
        let mut taught = Self::default();
        for spec in registry.domains().filter_map(|d| registry.spec(d)) {
            for read in spec.read_examples() {
                let action = read.action;
                let outside: Vec<&str> = action
                    .slots
                    .iter()
                    .filter(|s| !matches!(s.kind, SlotKind::Text) || !s.choices.is_empty())
                    .map(|s| s.name.as_str())
                    .collect();
                taught.learner.learn(&action.name, &read.example, &outside);
                if Intent::parse(&action.name).is_none() {
                    taught.taught.insert(action.name.clone());
                    taught.words.insert(action.name.clone(), spec.words.clone());
                    taught.slots.extend(
                        action
                            .slots
                            .iter()
                            .filter(|s| !outside.contains(&s.name.as_str()))
                            .map(|s| (action.name.clone(), s.name.clone())),
                    );
                }
            }
        }
        taught
    }

    /// Whether no domain outside the trained reader's has examples.
    pub fn is_empty(&self) -> bool {
        self.taught.is_empty()
    }

    /// The action `words` ask for as a domain's examples show it, and why;
    /// `sold` says whether a built-in menu names something in a text.
    pub fn action(
        &self,
        words: &Words,
        places: &[Mention],
        sold: impl Fn(&str) -> bool,
    ) -> Option<(&str, Taken)> {
        if self.is_empty() {
            return None;
        }
        let w = words.norm();
        if w.is_empty()
            || w.iter().any(|x| NOT.contains(&x.as_str()))
            || w.first()
                .is_some_and(|x| ASKING_ABOUT.contains(&x.as_str()))
        {
            return None;
        }
        let asks = w.iter().any(|x| ASKING.contains(&x.as_str()));
        let found = spans(words, places);
        let matches = self.learner.read(&words.text, &found);
        let ours = |m: &&Match| self.taught.contains(&m.label);
        // A learned value named, asked for, that no menu sells.
        let named = matches
            .iter()
            .filter(ours)
            .filter(|m| asks || m.similarity >= NAMED_SIMILAR)
            .find(|m| m.named.iter().any(|v| !sold(&v.text)));
        if let Some(m) = named {
            tracing::debug!(action = %m.label, similarity = m.similarity, "a learned value named");
            return self.name(&m.label).map(|a| (a, Taken::Named));
        }
        // Nearest this action's examples, a value where they put one, and
        // nothing a menu sells.
        let best = matches.first().filter(ours)?;
        let runner_up = matches.get(1).map_or(0.0, |m| m.similarity);
        if best.similarity < SIMILAR || best.similarity <= runner_up || sold(&words.text) {
            return None;
        }
        let has_slots = self.slots.iter().any(|(a, _)| *a == best.label);
        if has_slots && self.values(&best.label, words, places).is_empty() {
            return None;
        }
        tracing::debug!(action = %best.label, similarity = best.similarity, "like the examples");
        self.name(&best.label).map(|a| (a, Taken::Similar))
    }

    /// `action`'s slot values in `words` (places aside): the learned values
    /// named, or the words where the examples put them.
    pub fn values(&self, action: &str, words: &Words, places: &[Mention]) -> Vec<Value> {
        if !self.taught.contains(action) {
            return Vec::new();
        }
        self.learner
            .values(action, &words.text, &spans(words, places))
            .into_iter()
            .filter(|v| self.slots.contains(&(action.to_owned(), v.slot.clone())))
            .filter(|v| v.learned || self.names_a_value(action, &v.text))
            .collect()
    }

    /// Whether words read by their position name a value: not only the
    /// domain's own words ("some medicine") or words of asking.
    fn names_a_value(&self, action: &str, text: &str) -> bool {
        let own = self.words.get(action).map_or(&[][..], Vec::as_slice);
        super::names_a_thing(text)
            && Words::new(text)
                .norm()
                .iter()
                .any(|w| !own.iter().any(|o| o == w))
    }

    fn name(&self, action: &str) -> Option<&str> {
        self.taught.get(action).map(String::as_str)
    }
}

/// The places' byte spans.
fn spans(words: &Words, places: &[Mention]) -> Vec<(usize, usize)> {
    places
        .iter()
        .filter(|m| m.from < m.to && m.to <= words.words.len())
        .map(|m| (words.words[m.from].start, words.words[m.to - 1].end))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Reading;
    use crate::agents::Services;
    use crate::agents::food::FoodAgent;
    use crate::agents::mart::MartAgent;
    use crate::agents::ride::RideAgent;
    use crate::registry::{
        ActionSpec, DomainAgent, DomainRegistry, DomainSpec, ExampleError, SlotKind, SlotSpec,
    };
    use async_trait::async_trait;
    use errand_schemas::{Command, ErrorBody, ResultBody, SlotMap, SlotValue};

    /// A pharmacy like the README's: its examples mark their slots.
    struct Pharmacy(Vec<&'static str>);

    #[async_trait]
    impl DomainAgent for Pharmacy {
        fn spec(&self) -> DomainSpec {
            DomainSpec {
                name: "pharmacy".into(),
                description: "Delivers over-the-counter medicine.".into(),
                actions: vec![ActionSpec {
                    name: "order_medicine".into(),
                    description: "Order medicine for delivery.".into(),
                    slots: vec![
                        SlotSpec::required("medicine", SlotKind::Text, "what", "Which medicine?"),
                        SlotSpec::required("address", SlotKind::Place, "where", "Where to?"),
                    ],
                }],
                examples: self.0.iter().map(|e| (*e).to_owned()).collect(),
                words: vec!["medicine".into(), "pharmacy".into()],
                ..DomainSpec::default()
            }
        }

        async fn execute(&self, _: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
            Ok(ResultBody::Other(errand_schemas::Json(serde_json::json!(
                {}
            ))))
        }

        fn confirmation(&self, _: &ResultBody) -> String {
            "Your medicine is on its way.".into()
        }
    }

    const EXAMPLES: &[&str] = &[
        "order [ibuprofen](medicine) to [work](address)",
        "I need some [paracetamol](medicine) at [home](address)",
        "can you send [antihistamines](medicine) to [the office](address)",
        "get me some [plasters](medicine) delivered [home](address)",
    ];

    fn registry(examples: &[&'static str]) -> DomainRegistry {
        DomainRegistry::new()
            .with(FoodAgent::simulated())
            .with(RideAgent::simulated())
            .with(MartAgent::simulated())
            .with(Pharmacy(examples.to_vec()))
    }

    fn reading() -> Reading {
        let tz = Reading::time_zone("Europe/London").expect("london");
        Reading::new(&registry(EXAMPLES), tz)
    }

    /// The action `text` is taken as, and its slots grounded.
    fn read(r: &Reading, text: &str) -> Option<(String, SlotMap)> {
        let action = r.taught(text)?.to_owned();
        let mut slots = SlotMap::new();
        r.ground(text, &action, &mut slots, 0);
        Some((action, slots))
    }

    fn text<'a>(slots: &'a SlotMap, name: &str) -> Option<&'a str> {
        slots.get(name).and_then(SlotValue::as_text)
    }

    #[test]
    fn a_learned_medicine_asked_for_is_the_pharmacys_with_its_place() {
        let r = reading();
        let (action, slots) = read(&r, "I need some ibuprofen delivered to work").expect("taken");
        assert_eq!(action, "order_medicine");
        assert_eq!(text(&slots, "medicine"), Some("ibuprofen"));
        assert_eq!(text(&slots, "address"), Some("work"));
        // Through the same door as every other reading.
        assert_eq!(
            r.claims("could you bring Paracetamol to my house"),
            Some("order_medicine")
        );
    }

    #[test]
    fn a_paraphrase_with_an_unknown_medicine_is_read_where_the_examples_put_it() {
        let r = reading();
        let (action, slots) = read(&r, "please order aspirin to the office").expect("taken");
        assert_eq!(action, "order_medicine");
        assert_eq!(text(&slots, "medicine"), Some("aspirin"));
        assert_eq!(text(&slots, "address"), Some("the office"));
        let (_, slots) = read(&r, "can you get me some cough syrup at home").expect("taken");
        assert_eq!(text(&slots, "medicine"), Some("cough syrup"));
        let (_, slots) = read(&r, "could you order some antacids to home please").expect("taken");
        assert_eq!(text(&slots, "medicine"), Some("antacids"));
        // The domain's own word is no medicine.
        assert_eq!(r.claims("I need some medicine"), Some("order_medicine"));
        let mut slots = SlotMap::new();
        r.ground("I need some medicine", "order_medicine", &mut slots, 0);
        assert_eq!(text(&slots, "medicine"), None);
    }

    #[test]
    fn other_requests_are_not_the_pharmacys() {
        let r = reading();
        for text in [
            "book a cab to the airport",
            "what's the weather",
            "what's the weather at work",
            "order me a burger",
            "I need some milk delivered to work",
            "get me a taxi to king's cross",
            "I don't need ibuprofen",
            "how much is ibuprofen",
        ] {
            assert_eq!(r.taught(text), None, "{text}");
        }
        assert_eq!(r.claims("a burger and fries to work"), Some("order_food"));
        assert_eq!(r.claims("I need groceries"), Some("order_mart"));
    }

    #[test]
    fn a_malformed_example_is_kept_as_plain_text() {
        let examples = &[
            "order [ibuprofen to [work](address)",
            "send [x](dosage) home",
        ];
        let registry = registry(examples);
        let spec = registry.spec("pharmacy").expect("registered");
        assert!(matches!(
            spec.check_examples(),
            Err(ExampleError::Markup { .. })
        ));
        let read = spec.read_examples();
        assert_eq!(read[0].example.text, examples[0], "plain text, as written");
        assert!(matches!(
            &read[1].error,
            Some(ExampleError::UnknownSlot { slot, .. }) if slot == "dosage"
        ));
        let shown: Vec<String> = spec.shown_examples().collect();
        assert_eq!(shown, [examples[0], "send x home"]);
        // The node still reads: the domain's words still name it.
        let tz = Reading::time_zone("Europe/London").expect("london");
        let r = Reading::new(&registry, tz);
        assert_eq!(r.claims("I need some medicine"), Some("order_medicine"));
    }
}
