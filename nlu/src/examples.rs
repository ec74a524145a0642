//! Example utterances with their slots marked inline, and what a reader
//! learns from them.
//!
//! A domain writes what people say to it with each slot value in brackets
//! and the slot's name after it: `"order [ibuprofen](medicine) to
//! [work](address)"`. [`Example::parse`] turns that into the plain text and
//! where each value stands; malformed markup is a [`MarkupError`], never a
//! panic.
//!
//! A [`Learner`] takes examples under a label (an action's name) and
//! learns three things from them: the values each slot took (a small
//! gazetteer: "ibuprofen" is a `medicine`), the words around those values
//! (a value follows "some" or "order" and comes before "delivered" or
//! "to"), and what a request for the label looks like (word, word pair and
//! character trigram features of the example with its values masked).
//! [`Learner::read`] scores an utterance against every label: the cosine
//! of its features, learned values masked the same way, with the nearest
//! example; and the learned values it names. [`Learner::values`] reads a
//! label's slot values from an utterance: a learned value where one is
//! named, otherwise the words where the examples put that slot.
//!
//! It knows nothing of actions or places: slots whose values the caller
//! reads itself (places, say) are named `outside` when an example is
//! learned; their values are masked as one token, as are the spans the
//! caller found in an utterance, and they are never read here.

use crate::features::hash;
use crate::tokens::{Token, tokenize};
use crate::words::singular;
use std::collections::{BTreeMap, BTreeSet};

/// An example utterance: its plain text and its marked slot values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The text without markup ("order ibuprofen to work").
    pub text: String,
    pub spans: Vec<Span>,
}

/// A slot value in an [`Example`]'s text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub slot: String,
    /// Byte offsets in [`Example::text`].
    pub start: usize,
    pub end: usize,
}

/// What is wrong with an example's markup; `at` is a byte offset in the
/// markup as written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarkupError {
    #[error("a value opened with '[' at byte {at} is never closed")]
    UnclosedValue { at: usize },
    #[error("'[' at byte {at} opens a value inside another")]
    NestedValue { at: usize },
    #[error("']' at byte {at} closes no value")]
    StrayBracket { at: usize },
    #[error("the value closed at byte {at} is not followed by its slot in parentheses")]
    MissingSlot { at: usize },
    #[error("the slot name opened with '(' at byte {at} is never closed")]
    UnclosedSlot { at: usize },
    #[error("the slot name at byte {at} ({name:?}) is not letters, digits and '_'")]
    BadSlotName { at: usize, name: String },
    #[error("the value at byte {at} is empty")]
    EmptyValue { at: usize },
}

impl Example {
    /// Reads `markup`: `[value](slot)` marks a value; any other text is
    /// taken as written. Brackets are markup only: a bracket that opens or
    /// closes no value is an error, parentheses elsewhere are text.
    pub fn parse(markup: &str) -> Result<Self, MarkupError> {
        let mut text = String::with_capacity(markup.len());
        let mut spans = Vec::new();
        // Where the open value starts: in the markup and in the text.
        let mut open: Option<(usize, usize)> = None;
        let mut chars = markup.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '[' if open.is_some() => return Err(MarkupError::NestedValue { at }),
                '[' => open = Some((at, text.len())),
                ']' => {
                    let (opened, start) = open.take().ok_or(MarkupError::StrayBracket { at })?;
                    if chars.next_if(|(_, c)| *c == '(').is_none() {
                        return Err(MarkupError::MissingSlot { at });
                    }
                    let name_at = at + 2;
                    let close = markup[name_at..]
                        .find(')')
                        .ok_or(MarkupError::UnclosedSlot { at: at + 1 })?;
                    let name = &markup[name_at..name_at + close];
                    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        return Err(MarkupError::BadSlotName {
                            at: name_at,
                            name: name.to_owned(),
                        });
                    }
                    while chars.next_if(|(i, _)| *i <= name_at + close).is_some() {}
                    // The value without the spaces around it.
                    let value = &text[start..];
                    let lead = value.len() - value.trim_start().len();
                    let trail = value.len() - value.trim_end().len();
                    if value.trim().is_empty() {
                        return Err(MarkupError::EmptyValue { at: opened });
                    }
                    spans.push(Span {
                        slot: name.to_owned(),
                        start: start + lead,
                        end: text.len() - trail,
                    });
                }
                c => text.push(c),
            }
        }
        if let Some((at, _)) = open {
            return Err(MarkupError::UnclosedValue { at });
        }
        Ok(Self { text, spans })
    }

    /// The value `span` marks.
    pub fn value(&self, span: &Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }
}

/// `markup` as a person reads it: without the markup, or as written when
/// the markup is malformed.
pub fn plain(markup: &str) -> String {
    Example::parse(markup).map_or_else(|_| markup.to_owned(), |e| e.text)
}

/// A label's score for an utterance (see [`Learner::read`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub label: String,
    /// 0 to 1: the cosine with the nearest example, slot values masked.
    pub similarity: f32,
    /// The learned values the utterance names, by slot.
    pub named: Vec<Value>,
}

/// A slot value read from an utterance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub slot: String,
    /// As said, in lower case.
    pub text: String,
    /// Byte offsets in the utterance.
    pub start: usize,
    pub end: usize,
    /// A value the examples gave (not one read by its position).
    pub learned: bool,
}

/// What examples taught, by label.
#[derive(Clone, Debug, Default)]
pub struct Learner {
    labels: BTreeMap<String, Label>,
}

#[derive(Clone, Debug, Default)]
struct Label {
    /// Each example's features, slot values masked.
    examples: Vec<BTreeMap<u64, f32>>,
    /// Each slot's learned values, as keys (lower case, singular words).
    values: BTreeMap<String, BTreeSet<Vec<String>>>,
    /// The words right before and right after each slot's values
    /// ([`START`] and [`END`] at the edges).
    before: BTreeMap<String, BTreeSet<String>>,
    after: BTreeMap<String, BTreeSet<String>>,
    /// Every word of the examples outside their values.
    frame: BTreeSet<String>,
    /// Slots the caller reads itself.
    outside: BTreeSet<String>,
}

/// The mask of every value read outside (by the caller).
const FOUND: &str = "<found>";
const START: &str = "<s>";
const END: &str = "</s>";

/// Words that end a value read by its position: joining, asking and
/// sending words, articles, politeness.
const BOUNDARY: &[&str] = &[
    "and",
    "or",
    "plus",
    "with",
    "without",
    "to",
    "at",
    "from",
    "for",
    "in",
    "on",
    "by",
    "of",
    "please",
    "thanks",
    "thank",
    "a",
    "an",
    "the",
    "some",
    "any",
    "me",
    "my",
    "us",
    "our",
    "it",
    "them",
    "i",
    "you",
    "we",
    "need",
    "want",
    "get",
    "order",
    "send",
    "bring",
    "deliver",
    "delivered",
    "buy",
    "now",
    "asap",
    "today",
    "tonight",
    "tomorrow",
    "is",
    "are",
    "be",
    "can",
    "could",
    "would",
];

/// Politeness: said around any request, telling none apart, so no
/// feature.
const FILLER: &[&str] = &[
    "please", "pls", "plz", "kindly", "could", "can", "would", "you", "just", "thanks", "thank",
    "hey", "hi", "um", "uh", "ok", "okay",
];

/// The longest value read by its position, in words.
const MAX_VALUE_WORDS: usize = 4;

impl Learner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was learned.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The labels learned, in order.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.keys().map(String::as_str)
    }

    /// Learns `example` as a way to ask for `label`. The values of the
    /// `outside` slots are read by the caller: masked as one, never
    /// learned as values.
    pub fn learn(&mut self, label: &str, example: &Example, outside: &[&str]) {
        let entry = self.labels.entry(label.to_owned()).or_default();
        entry
            .outside
            .extend(outside.iter().map(|s| (*s).to_owned()));
        let tokens = tokenize(&example.text);
        let mut seq: Vec<String> = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            let span = example
                .spans
                .iter()
                .find(|s| s.start <= tokens[i].start && tokens[i].start < s.end);
            let Some(span) = span else {
                entry.frame.insert(tokens[i].norm.clone());
                seq.push(tokens[i].norm.clone());
                i += 1;
                continue;
            };
            let end = (i..tokens.len())
                .take_while(|j| tokens[*j].start < span.end)
                .last()
                .map_or(i + 1, |j| j + 1);
            let before = i
                .checked_sub(1)
                .map_or(START.to_owned(), |b| tokens[b].norm.clone());
            let after = tokens.get(end).map_or(END.to_owned(), |t| t.norm.clone());
            entry
                .before
                .entry(span.slot.clone())
                .or_default()
                .insert(before);
            entry
                .after
                .entry(span.slot.clone())
                .or_default()
                .insert(after);
            if entry.outside.contains(&span.slot) {
                seq.push(FOUND.to_owned());
            } else {
                entry
                    .values
                    .entry(span.slot.clone())
                    .or_default()
                    .insert(keys(&tokens[i..end]));
                seq.push(mask(&span.slot));
            }
            i = end;
        }
        entry.examples.push(features(&seq));
    }

    /// Every label's score for `text`, the best first. `found` are the
    /// spans (byte offsets) the caller read itself, masked as the outside
    /// slots' values are; each label's own [`Learner::values`] are masked
    /// as its examples' values are.
    pub fn read(&self, text: &str, found: &[(usize, usize)]) -> Vec<Match> {
        let tokens = tokenize(text);
        let weights = self.weights();
        let mut out: Vec<Match> = self
            .labels
            .iter()
            .map(|(name, label)| {
                let values = self.values(name, text, found);
                let seq = masked(&tokens, found, &values);
                let named: Vec<Value> = values.into_iter().filter(|v| v.learned).collect();
                let said = weighted(features(&seq), &weights);
                let similarity = label
                    .examples
                    .iter()
                    .map(|e| cosine(&said, &weighted(e.clone(), &weights)))
                    .fold(0.0_f32, f32::max);
                Match {
                    label: name.clone(),
                    similarity,
                    named,
                }
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        out
    }

    /// `label`'s slot values in `text` (outside slots aside): a learned
    /// value where one is named, otherwise the words where the examples
    /// put the slot (after a word that came before it, up to a word of
    /// the examples' own, a joining word or a `found` span).
    pub fn values(&self, label: &str, text: &str, found: &[(usize, usize)]) -> Vec<Value> {
        let Some(label) = self.labels.get(label) else {
            return Vec::new();
        };
        let tokens = tokenize(text);
        let mut out = label.named(text, &tokens, found);
        let taken = |i: usize, out: &[Value]| {
            let t = &tokens[i];
            out.iter().any(|v| v.start < t.end && t.start < v.end)
                || found.iter().any(|(s, e)| *s < t.end && t.start < *e)
        };
        for slot in label.values.keys() {
            if out.iter().any(|v| &v.slot == slot) {
                continue;
            }
            let (Some(before), after) = (label.before.get(slot), label.after.get(slot)) else {
                continue;
            };
            let ends = |j: usize, out: &[Value]| {
                j >= tokens.len()
                    || taken(j, out)
                    || label.frame.contains(&tokens[j].norm)
                    || BOUNDARY.contains(&tokens[j].norm.as_str())
                    || crate::tokens::clause_break(text, &tokens, j)
            };
            let mut best: Option<(usize, usize, usize)> = None;
            for i in 0..tokens.len() {
                let prev = i.checked_sub(1).map_or(START, |p| tokens[p].norm.as_str());
                if !before.contains(prev)
                    || (i > 0 && crate::tokens::clause_break(text, &tokens, i))
                {
                    continue;
                }
                let mut j = i;
                while j - i < MAX_VALUE_WORDS && !ends(j, &out) {
                    j += 1;
                }
                if j == i || (j < tokens.len() && !ends(j, &out)) {
                    continue;
                }
                let next = tokens.get(j).map_or(END, |t| t.norm.as_str());
                let score = 1 + usize::from(after.is_some_and(|a| a.contains(next)));
                if best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, i, j));
                }
            }
            if let Some((_, i, j)) = best {
                let (start, end) = (tokens[i].start, tokens[j - 1].end);
                out.push(Value {
                    slot: slot.clone(),
                    text: text[start..end].to_lowercase(),
                    start,
                    end,
                    learned: false,
                });
            }
        }
        out
    }

    /// How much each feature tells labels apart: 1 over the square root
    /// of the number of labels whose examples have it.
    fn weights(&self) -> BTreeMap<u64, f32> {
        let mut labels_with: BTreeMap<u64, f32> = BTreeMap::new();
        for label in self.labels.values() {
            let mut seen: BTreeSet<u64> = BTreeSet::new();
            for f in label.examples.iter().flat_map(|e| e.keys()) {
                if seen.insert(*f) {
                    *labels_with.entry(*f).or_default() += 1.0;
                }
            }
        }
        labels_with
            .into_iter()
            .map(|(f, n)| (f, 1.0 / n.sqrt()))
            .collect()
    }
}

impl Label {
    /// The learned values `tokens` name, the longest first, none over a
    /// `found` span or another.
    fn named(&self, text: &str, tokens: &[Token], found: &[(usize, usize)]) -> Vec<Value> {
        let said = keys(tokens);
        let mut candidates: Vec<(usize, usize, &str)> = Vec::new();
        for (slot, values) in &self.values {
            for value in values {
                let n = value.len();
                if n == 0 || n > said.len() {
                    continue;
                }
                for i in 0..=said.len() - n {
                    if said[i..i + n] == value[..] {
                        candidates.push((i, i + n, slot));
                    }
                }
            }
        }
        candidates.sort_by_key(|(i, j, _)| (std::cmp::Reverse(j - i), *i));
        let mut out: Vec<Value> = Vec::new();
        for (i, j, slot) in candidates {
            let (start, end) = (tokens[i].start, tokens[j - 1].end);
            let overlaps = out.iter().any(|v| v.start < end && start < v.end)
                || found.iter().any(|(s, e)| *s < end && start < *e);
            if !overlaps {
                out.push(Value {
                    slot: slot.to_owned(),
                    text: text[start..end].to_lowercase(),
                    start,
                    end,
                    learned: true,
                });
            }
        }
        out
    }
}

/// Words as value keys: lower case, singular.
fn keys(tokens: &[Token]) -> Vec<String> {
    tokens.iter().map(|t| singular(&t.norm)).collect()
}

fn mask(slot: &str) -> String {
    format!("<{slot}>")
}

/// The words of an utterance with `named` values and `found` spans each
/// one mask token.
fn masked(tokens: &[Token], found: &[(usize, usize)], named: &[Value]) -> Vec<String> {
    let mut seq: Vec<String> = Vec::with_capacity(tokens.len());
    let mut last: Option<(usize, usize)> = None;
    for t in tokens {
        let inside = |s: usize, e: usize| s < t.end && t.start < e;
        let span = found
            .iter()
            .find(|(s, e)| inside(*s, *e))
            .map(|(s, e)| ((*s, *e), FOUND.to_owned()))
            .or_else(|| {
                named
                    .iter()
                    .find(|v| inside(v.start, v.end))
                    .map(|v| ((v.start, v.end), mask(&v.slot)))
            });
        match span {
            Some((at, _)) if last == Some(at) => {}
            Some((at, token)) => {
                last = Some(at);
                seq.push(token);
            }
            None => {
                last = None;
                seq.push(t.norm.clone());
            }
        }
    }
    seq
}

/// Words, word pairs (with the edges) and each word's character trigrams
/// (together worth half a word), by hash; politeness aside.
fn features(seq: &[String]) -> BTreeMap<u64, f32> {
    let mut out: BTreeMap<u64, f32> = BTreeMap::new();
    let mut add = |f: u64, w: f32| *out.entry(f).or_default() += w;
    let seq: Vec<&String> = seq
        .iter()
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect();
    for word in &seq {
        add(hash("w", &[word]), 1.0);
        if word.starts_with('<') {
            continue;
        }
        let padded: Vec<char> = format!("#{word}#").chars().collect();
        let grams = padded.len().saturating_sub(2).max(1);
        for g in padded.windows(3) {
            let gram: String = g.iter().collect();
            add(hash("c", &[&gram]), 0.5 / grams as f32);
        }
    }
    let edged: Vec<&str> = std::iter::once(START)
        .chain(seq.iter().map(|w| w.as_str()))
        .chain(std::iter::once(END))
        .collect();
    for pair in edged.windows(2) {
        add(hash("b", pair), 1.0);
    }
    out
}

/// `features` scaled by how much each tells labels apart (1 when no
/// example has it).
fn weighted(mut features: BTreeMap<u64, f32>, weights: &BTreeMap<u64, f32>) -> BTreeMap<u64, f32> {
    for (f, v) in features.iter_mut() {
        *v *= weights.get(f).copied().unwrap_or(1.0);
    }
    features
}

fn cosine(a: &BTreeMap<u64, f32>, b: &BTreeMap<u64, f32>) -> f32 {
    let dot: f32 = a.iter().filter_map(|(f, x)| b.get(f).map(|y| x * y)).sum();
    let norm = |m: &BTreeMap<u64, f32>| m.values().map(|x| x * x).sum::<f32>().sqrt();
    let n = norm(a) * norm(b);
    if n == 0.0 { 0.0 } else { dot / n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(markup: &str) -> Example {
        Example::parse(markup).expect("well-formed markup")
    }

    #[test]
    fn markup_becomes_text_and_spans() {
        let e = example("order [ibuprofen](medicine) to [the office](address)");
        assert_eq!(e.text, "order ibuprofen to the office");
        let values: Vec<(&str, &str)> = e
            .spans
            .iter()
            .map(|s| (s.slot.as_str(), e.value(s)))
            .collect();
        assert_eq!(
            values,
            [("medicine", "ibuprofen"), ("address", "the office")]
        );
        // No markup, spaces inside the brackets, text in parentheses.
        assert_eq!(example("what can you do").spans, []);
        let e = example("[ two plasters ](medicine) (quickly)");
        assert_eq!(e.text, " two plasters  (quickly)");
        assert_eq!(e.value(&e.spans[0]), "two plasters");
        assert_eq!(plain("send [Calpol](medicine) home"), "send Calpol home");
    }

    #[test]
    fn malformed_markup_is_an_error_naming_where() {
        let cases = [
            (
                "order [ibuprofen to work",
                MarkupError::UnclosedValue { at: 6 },
            ),
            (
                "order ibuprofen] to work",
                MarkupError::StrayBracket { at: 15 },
            ),
            (
                "order [ibuprofen] to work",
                MarkupError::MissingSlot { at: 16 },
            ),
            (
                "order [ibuprofen](medicine",
                MarkupError::UnclosedSlot { at: 17 },
            ),
            (
                "order [ibuprofen]() now",
                MarkupError::BadSlotName {
                    at: 18,
                    name: String::new(),
                },
            ),
            (
                "order [ibuprofen](the medicine)",
                MarkupError::BadSlotName {
                    at: 18,
                    name: "the medicine".into(),
                },
            ),
            ("order [ ](medicine)", MarkupError::EmptyValue { at: 6 }),
            ("[a [b](x)](y)", MarkupError::NestedValue { at: 3 }),
            ("ünïcode [é", MarkupError::UnclosedValue { at: 10 }),
        ];
        for (markup, error) in cases {
            assert_eq!(Example::parse(markup), Err(error), "{markup}");
        }
        assert_eq!(
            plain("order [ibuprofen"),
            "order [ibuprofen",
            "shown as written"
        );
    }

    /// A pharmacy among the built-in domains' kinds of request.
    fn learner() -> Learner {
        let mut l = Learner::new();
        for markup in [
            "order [ibuprofen](medicine) to [work](address)",
            "I need some [paracetamol](medicine) at [home](address)",
            "can you get me some [antihistamines](medicine) delivered to [the office](address)",
            "send [plasters](medicine) to [my house](address)",
        ] {
            l.learn("order_medicine", &example(markup), &["address"]);
        }
        for markup in [
            "book a cab from [home](pickup) to [the airport](destination)",
            "get me a taxi to [king's cross](destination)",
        ] {
            l.learn("book_ride", &example(markup), &["pickup", "destination"]);
        }
        l.learn("order_food", &example("order me [a burger](item)"), &[]);
        l.learn("order_mart", &example("buy [milk and eggs](item)"), &[]);
        l
    }

    fn best(l: &Learner, text: &str, found: &[(usize, usize)]) -> Match {
        l.read(text, found).remove(0)
    }

    /// `word`'s span in `text`, as a caller's found place.
    fn at(text: &str, word: &str) -> (usize, usize) {
        let start = text.find(word).expect("the word is there");
        (start, start + word.len())
    }

    #[test]
    fn a_paraphrase_is_nearest_its_label() {
        let l = learner();
        let text = "could I get some ibuprofen delivered to my office";
        let m = best(&l, text, &[at(text, "my office")]);
        assert_eq!(m.label, "order_medicine");
        assert!(m.similarity > 0.5, "{m:?}");
        assert_eq!(m.named[0].text, "ibuprofen");
        assert!(m.named[0].learned);
        // A plural of a learned value is that value.
        let m = best(&l, "please send paracetamols", &[]);
        assert_eq!(m.named[0].slot, "medicine");
    }

    #[test]
    fn unrelated_requests_are_not_the_pharmacys() {
        let l = learner();
        let text = "book a cab to the airport";
        let m = best(&l, text, &[at(text, "the airport")]);
        assert_eq!(m.label, "book_ride");
        let weather = l.read("what's the weather", &[]);
        let pharmacy = weather
            .iter()
            .find(|m| m.label == "order_medicine")
            .expect("every label is scored");
        assert!(pharmacy.similarity < 0.3, "{pharmacy:?}");
        assert!(pharmacy.named.is_empty());
    }

    #[test]
    fn an_unknown_value_is_read_where_the_examples_put_it() {
        let l = learner();
        let text = "I need some aspirin delivered to work";
        let values = l.values("order_medicine", text, &[at(text, "work")]);
        assert_eq!(values.len(), 1, "{values:?}");
        assert_eq!(values[0].slot, "medicine");
        assert_eq!(values[0].text, "aspirin");
        assert!(!values[0].learned);
        let text = "order vitamin c tablets to the office please";
        let values = l.values("order_medicine", text, &[at(text, "the office")]);
        assert_eq!(values[0].text, "vitamin c tablets");
        // A learned value is taken as it is named.
        let values = l.values("order_medicine", "I'd like Paracetamol", &[]);
        assert_eq!(values[0].text, "paracetamol");
        assert!(values[0].learned);
        // Where nothing stands after an opening word, nothing is read.
        assert_eq!(l.values("order_medicine", "I need some", &[]), []);
    }
}
