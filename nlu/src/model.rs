//! The trained reader's model: the intent classifier and the slot tagger,
//! how they are trained from labelled lines, and their compact file format
//! (weights quantised to 16 bits, zeros skipped).

use super::augment;
use super::classifier::{Linear, LinearTraining};
use super::data::{LabelledLine, align};
use super::encoder::Table;
use super::features::{self, Mark, names_no_thing};
use super::mlp::{Mlp, MlpTraining};
use super::rules::{PLACE_STOPS, STREET_KINDS};
use super::tagger::{self, LABELS, SLOTS, TaggedLine, Tagger};
use super::tokens::{
    DURATIONS, Token, clause_break, counts_a_thing, in_clock, number_word, tokenize,
};
use super::{Context, Intent, Lexicon, RuleNlu, Understand};
use std::sync::Arc;

/// The slots each intent may have.
pub(crate) fn intent_slots(intent: Intent) -> &'static [&'static str] {
    match intent {
        Intent::OrderFood => &["item", "quantity", "restaurant", "cuisine", "address"],
        Intent::BookRide => &["pickup", "destination", "ride_type", "seats", "time"],
        Intent::OrderMart => &["item", "quantity", "address"],
        Intent::OutOfScope => &[],
    }
}

fn allowed(intent: Intent) -> [bool; LABELS] {
    let mut out = [false; LABELS];
    out[0] = true;
    for name in intent_slots(intent) {
        if let Some(slot) = SLOTS.iter().position(|s| s == name) {
            out[tagger::begin(slot)] = true;
            out[tagger::begin(slot) + 1] = true;
        }
    }
    out
}

fn class(intent: Intent) -> usize {
    Intent::ALL.iter().position(|i| *i == intent).unwrap_or(3)
}

/// The bar for a ride that names its vehicle, for an order the rule reader
/// sees too, and for goods asked for in so many words (see
/// [`NluModel::intent`]).
const EVEN_CHANCE: f32 = 0.5;

/// What the rule reader made of an utterance, which the model reads as a
/// feature and which sets how sure the model must be.
pub(crate) struct RuleHint {
    /// The rule reader's intent.
    pub intent: Intent,
    /// Whether the rules found the thing asked for (a dish or goods they
    /// know).
    pub named: bool,
    /// Whether someone asks to be driven
    /// ([`super::rules::asks_for_a_lift`]).
    pub lift: bool,
    /// Whether the line opens by asking to buy a thing
    /// ([`super::rules::asks_to_buy_a_thing`]) that the catalogs sell.
    pub buys: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NluModel {
    /// Food, ride, mart or out of scope, from the words (hashed).
    pub(crate) intent: Linear,
    /// The same from the utterance's meaning (its vector in `table`); the
    /// intent's probabilities are the two's mean, this head weighing
    /// `head_weight`.
    pub(crate) head: Mlp,
    pub head_weight: f32,
    pub(crate) table: Arc<Table>,
    pub(crate) tagger: Tagger,
    /// An in-scope intent is taken only when its probability reaches this;
    /// below it the line is out of scope (errand asks rather than guesses).
    pub threshold: f32,
}

/// How a model is trained. The defaults are what the committed model used.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    pub intent_bits: u32,
    pub intent_epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Extra weight of out-of-scope lines close to errand's domains.
    pub near_domain_weight: f32,
    /// How strongly rare intents are weighted up (0: not at all, 1: to balance).
    pub balance: f32,
    pub tagger_bits: u32,
    pub tagger_epochs: usize,
    /// How many generated shopping lines to add (see `augment`).
    pub generated: usize,
    /// How many generated rides, meals and near misses to add, of each (see
    /// `augment::request_lines`).
    pub generated_requests: usize,
    /// The weight of a generated line.
    pub generated_weight: f32,
    pub threshold: f32,
    pub seed: u64,
    /// The meaning head's hidden units, epochs, Adam's rate, L2 penalty and
    /// mini-batch.
    pub head_hidden: usize,
    pub head_epochs: usize,
    pub head_learning_rate: f32,
    pub head_l2: f32,
    pub head_batch: usize,
    /// How much the meaning head weighs in the intent's probabilities (0 to
    /// 1; the words' model weighs the rest).
    pub head_weight: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            intent_bits: 18,
            intent_epochs: 8,
            // Chosen on held-out files: 0.5 underfit (macro-F1 0.86 against
            // 0.90 held out), 8 no better than 4.
            learning_rate: 4.0,
            l2: 1e-6,
            near_domain_weight: 2.0,
            balance: 0.5,
            tagger_bits: 20,
            tagger_epochs: 8,
            generated: 600,
            generated_requests: 300,
            generated_weight: 0.3,
            // The model is sure of itself (probabilities near 0 or 1), so a
            // high bar costs little recall: held out, 0.9 took macro-F1 from
            // 0.952 to 0.959 and halved the false accepts against 0.35.
            threshold: 0.9,
            seed: 7,
            head_hidden: 256,
            head_epochs: 20,
            head_learning_rate: 1e-3,
            head_l2: 1e-3,
            head_batch: 200,
            head_weight: 0.5,
        }
    }
}

/// A slot value found in a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundSlot {
    pub name: &'static str,
    pub value: String,
    /// The words it covers.
    pub from: usize,
    pub to: usize,
}

impl NluModel {
    /// Trains on labelled lines: the intent model on stand-alone lines, the
    /// tagger on every in-scope line whose slots are labelled verbatim.
    pub fn train(
        lines: &[LabelledLine],
        options: &TrainOptions,
        lexicon: &Lexicon,
        table: Arc<Table>,
    ) -> Self {
        let rules = RuleNlu::new(Arc::new(lexicon.clone()));
        let mut counts = [0usize; 4];
        let mut intent_examples = Vec::new();
        let mut sentences: Vec<Vec<f32>> = Vec::new();
        let mut tagged = Vec::new();
        let mut generated = augment::shopping_lines(options.generated, options.seed, lexicon);
        generated.extend(augment::request_lines(
            options.generated_requests,
            options.seed,
        ));
        let real = lines.len();
        for (k, line) in lines.iter().chain(&generated).enumerate() {
            let Some(intent) = Intent::parse(&line.intent) else {
                continue;
            };
            let tokens = tokenize(&line.text);
            if tokens.is_empty() {
                continue;
            }
            let marks = features::marks(lexicon, &tokens);
            if !line.context_dependent {
                let weight = if k >= real {
                    options.generated_weight
                } else if line.near_domain {
                    options.near_domain_weight
                } else {
                    1.0
                };
                if k < real {
                    counts[class(intent)] += 1;
                }
                let hint = rules.parse(&line.text, &Context::default()).intent;
                intent_examples.push((
                    features::utterance(&tokens, &marks, hint.as_str()),
                    class(intent),
                    weight,
                ));
                sentences.push(table.sentence(&line.text));
            }
            if intent.in_scope()
                && line.slots_annotated
                && let Some(spans) = align(line, &tokens)
            {
                tagged.push(TaggedLine {
                    features: word_features(
                        &line.text,
                        &tokens,
                        &marks,
                        &features::senses(&table, &tokens),
                        intent,
                    ),
                    labels: tagger::labels(tokens.len(), &spans),
                    allowed: allowed(intent),
                });
            }
        }
        let total: usize = counts.iter().sum();
        let balance: Vec<f32> = counts
            .iter()
            .map(|&n| (total as f32 / (4.0 * n.max(1) as f32)).powf(options.balance))
            .collect();
        for example in &mut intent_examples {
            example.2 *= balance[example.1];
        }
        let training = LinearTraining {
            bits: options.intent_bits,
            epochs: options.intent_epochs,
            learning_rate: options.learning_rate,
            l2: options.l2,
            seed: options.seed,
        };
        let intent = Linear::train(&intent_examples, 4, &training);
        let meanings: Vec<(&[f32], usize, f32)> = sentences
            .iter()
            .zip(&intent_examples)
            .map(|(v, (_, class, weight))| (v.as_slice(), *class, *weight))
            .collect();
        let head = Mlp::train(
            &meanings,
            table.dims(),
            4,
            &MlpTraining {
                hidden: options.head_hidden,
                epochs: options.head_epochs,
                learning_rate: options.head_learning_rate,
                l2: options.head_l2,
                batch: options.head_batch,
                seed: options.seed,
            },
        );
        let tagger = Tagger::train(
            &tagged,
            options.tagger_bits,
            options.tagger_epochs,
            options.seed,
        );
        Self {
            intent,
            head,
            head_weight: options.head_weight,
            table,
            tagger,
            threshold: options.threshold,
        }
    }

    /// The intent and how sure it is: the likeliest in-scope intent if it
    /// reaches the threshold, otherwise out of scope.
    pub(crate) fn intent(
        &self,
        text: &str,
        tokens: &[Token],
        marks: &[Mark],
        hint: &RuleHint,
    ) -> (Intent, f32) {
        if tokens.is_empty() {
            return (Intent::OutOfScope, 1.0);
        }
        let words =
            self.intent
                .probabilities(&features::utterance(tokens, marks, hint.intent.as_str()));
        let meaning = self.head.probabilities(&self.table.sentence(text));
        let w = self.head_weight;
        let p: Vec<f32> = words
            .iter()
            .zip(&meaning)
            .map(|(a, b)| (1.0 - w) * a + w * b)
            .collect();
        let best = (0..3).fold(0, |a, b| if p[b] > p[a] { b } else { a });
        let best_intent = Intent::ALL[best];
        // A named vehicle all but settles a ride: in the data, 6 of the
        // 2,000 lines that name one ask for no ride. So a ride that names
        // one, or asks to be picked up, needs only an even chance.
        let ride = best_intent == Intent::BookRide && hint.lift;
        // So does an order both readers see, when the rules know the dish
        // or the goods from the catalog: "I would like the salmon sushi roll
        // and miso soup", "get me a pack of AA batteries". (The meaning head
        // has seen few goods, 120 real grocery orders, and would otherwise
        // hold back a common one; held out this costs a false grocery call
        // or two in CLINC's 3,000 other lines.)
        let agreed_order = matches!(best_intent, Intent::OrderFood | Intent::OrderMart)
            && hint.intent == best_intent
            && hint.named;
        // And so do goods asked for in so many words, when the catalogs
        // sell them: "buy baby wipes", "order some wet wipes". The meaning
        // head knows few goods and holds back ones it never saw (p 0.6 to
        // 0.9). Held out (unseen sources) this took grocery recall from
        // 0.85 to 0.90 at precision 0.895 to 0.900; with goods run out of
        // (`has_run_out`), the probe lines' goods went from 46 to 56 of 80
        // (development) and 34 to 43 of 60 (sealed), with no new false
        // accept there.
        let bought = best_intent == Intent::OrderMart && hint.buys;
        let threshold = if ride || agreed_order || bought {
            self.threshold.min(EVEN_CHANCE)
        } else {
            self.threshold
        };
        if p[best] >= threshold {
            (Intent::ALL[best], p[best])
        } else {
            (Intent::OutOfScope, p[3])
        }
    }

    /// The slots of `intent` in the text, verbatim, in text order.
    pub(crate) fn slots(
        &self,
        text: &str,
        tokens: &[Token],
        marks: &[Mark],
        intent: Intent,
    ) -> Vec<FoundSlot> {
        if !intent.in_scope() || tokens.is_empty() {
            return Vec::new();
        }
        let senses = features::senses(&self.table, tokens);
        let features = word_features(text, tokens, marks, &senses, intent);
        let labels = self.tagger.decode(&features, &allowed(intent));
        let mut spans: Vec<tagger::Span> = tagger::spans(&labels)
            .into_iter()
            .filter_map(|s| tidy(s, text, tokens))
            .collect();
        count_items(&mut spans, text, tokens);
        spans
            .into_iter()
            .map(|s| FoundSlot {
                name: SLOTS[s.slot],
                value: text[tokens[s.from].start..tokens[s.to - 1].end].to_owned(),
                from: s.from,
                to: s.to,
            })
            .collect()
    }
}

/// A tagged span as the reader gives it. The hours and minutes of "16:15"
/// count neither seats nor things nor places, and a place ends where its
/// time or the next clause starts ("Royal Standard leaving by 13:30").
fn tidy(mut span: tagger::Span, text: &str, tokens: &[Token]) -> Option<tagger::Span> {
    let clock = |i: usize| in_clock(text, tokens, i);
    // "in one hour", "2 minutes": how long, not how many.
    let duration = tokens
        .get(span.to)
        .is_some_and(|t| DURATIONS.contains(&t.norm.as_str()));
    match SLOTS[span.slot] {
        "quantity" | "seats" if duration => None,
        // "order some takeaway food": no dish is named yet.
        "item" if (span.from..span.to).all(|i| names_no_thing(&tokens[i].norm)) => None,
        "quantity" => (!(span.from..span.to).any(clock)).then_some(span),
        // A car seats a few: "#35" or "35" is a number of something else.
        "seats" => {
            let few = (span.from..span.to).all(|i| {
                number_word(&tokens[i].norm).is_none_or(|n| n <= 12)
                    && !text[..tokens[i].start].ends_with('#')
            });
            // "by 5", "at 6": when, not how many.
            let when = span.from.checked_sub(1).is_some_and(|i| {
                matches!(
                    tokens[i].norm.as_str(),
                    "by" | "at" | "until" | "till" | "before" | "after" | "around"
                )
            });
            (few && !when && !(span.from..span.to).any(clock)).then_some(span)
        }
        "pickup" | "destination" | "address" | "restaurant" => {
            if clock(span.from) {
                return None;
            }
            if let Some(cut) = (span.from + 1..span.to).find(|&i| {
                let word = tokens[i].norm.as_str();
                clock(i)
                    // "Bed and Breakfast": the tagger knows names with "and".
                    || (PLACE_STOPS.contains(&word) && word != "and")
                    || (word == "at" && i + 1 < span.to && clock(i + 1))
                    || clause_break(text, tokens, i)
            }) {
                span.to = cut;
            }
            // "2455 Bennett Valley Road": a street's name ends with its kind,
            // a word or two on.
            if SLOTS[span.slot] != "restaurant"
                && let Some(kind) = (span.to..tokens.len().min(span.to + 3))
                    .take_while(|&i| {
                        let word = tokens[i].norm.as_str();
                        !clause_break(text, tokens, i)
                            && !PLACE_STOPS.contains(&word)
                            && word.chars().all(char::is_alphabetic)
                    })
                    .find(|&i| STREET_KINDS.contains(&tokens[i].norm.as_str()))
            {
                span.to = kind + 1;
            }
            Some(span)
        }
        _ => Some(span),
    }
}

/// A number said right before an item is how many ("and 4 cokes"), when
/// the tagger did not say so itself.
fn count_items(spans: &mut Vec<tagger::Span>, text: &str, tokens: &[Token]) {
    let item = SLOTS.iter().position(|s| *s == "item");
    let quantity = SLOTS.iter().position(|s| *s == "quantity");
    let (Some(item), Some(quantity)) = (item, quantity) else {
        return;
    };
    let mut counted = Vec::new();
    for s in spans.iter().filter(|s| s.slot == item && s.from > 0) {
        let before = s.from - 1;
        let word = tokens[before].norm.as_str();
        let number = number_word(word).is_some() && !matches!(word, "a" | "an");
        let taken = spans.iter().any(|t| t.from <= before && before < t.to);
        if number && !taken && !in_clock(text, tokens, before) {
            counted.push(tagger::Span {
                slot: quantity,
                from: before,
                to: s.from,
            });
        }
    }
    // "3 pies": a count the tagger found with nothing counted after it
    // counts the words that follow, up to a stop ("2 blue moon beer with
    // it").
    for q in spans.iter().filter(|s| s.slot == quantity) {
        let from = q.to;
        let free = |i: usize| !spans.iter().any(|t| t.from <= i && i < t.to);
        let thing = |i: usize| {
            counts_a_thing(tokens, i)
                && tokens
                    .get(i)
                    .is_some_and(|t| !PLACE_STOPS.contains(&t.norm.as_str()))
        };
        if !thing(from) || !free(from) {
            continue;
        }
        let mut to = from + 1;
        while to < from + 4 && thing(to) && free(to) && !clause_break(text, tokens, to) {
            to += 1;
        }
        // "1 meat eater pizza": the tagger's item comes a word or two on;
        // "2 bags of rice": bags hold the thing counted.
        if spans.iter().any(|s| s.slot == item && s.from == to)
            || (from..to).all(|i| names_no_thing(&tokens[i].norm))
        {
            continue;
        }
        counted.push(tagger::Span {
            slot: item,
            from,
            to,
        });
    }
    spans.extend(counted);
    spans.sort_by_key(|s| s.from);
}

fn word_features(
    text: &str,
    tokens: &[Token],
    marks: &[Mark],
    senses: &[u64],
    intent: Intent,
) -> Vec<Vec<u64>> {
    (0..tokens.len())
        .map(|i| features::word_window(text, tokens, i, intent.as_str(), marks, senses))
        .collect()
}

/// Why a model file cannot be read.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("not an errand NLU model (bad magic)")]
    Magic,
    #[error("unsupported NLU model version {0}")]
    Version(u32),
    #[error("the NLU model file is truncated or corrupt ({0})")]
    Corrupt(&'static str),
}

const MAGIC: &[u8; 8] = b"ERRNLU\x00\x00";
const VERSION: u32 = 2;

impl NluModel {
    /// The file format: magic, version, threshold, then each table
    /// quantised to 16 bits with its scale, as (gap, value) pairs of its
    /// non-zero entries.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.threshold.to_le_bytes());
        out.extend_from_slice(&self.intent.bits.to_le_bytes());
        out.extend_from_slice(&(self.intent.classes as u32).to_le_bytes());
        write_table(&mut out, &self.intent.bias);
        write_table(&mut out, &self.intent.weights);
        out.extend_from_slice(&self.tagger.bits.to_le_bytes());
        write_table(&mut out, &self.tagger.transitions);
        write_table(&mut out, &self.tagger.weights);
        out.extend_from_slice(&self.head_weight.to_le_bytes());
        out.extend_from_slice(&(self.head.inputs as u32).to_le_bytes());
        out.extend_from_slice(&(self.head.hidden as u32).to_le_bytes());
        write_table(&mut out, &self.head.w1);
        write_table(&mut out, &self.head.b1);
        write_table(&mut out, &self.head.w2);
        write_table(&mut out, &self.head.b2);
        out
    }

    /// A model file, over the token table built into the binary.
    pub fn decode(bytes: &[u8]) -> Result<Self, ModelError> {
        Self::decode_with(bytes, Table::embedded()?)
    }

    /// A model file, over `table` (the one it was trained with).
    pub fn decode_with(bytes: &[u8], table: Arc<Table>) -> Result<Self, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        r.header(MAGIC, VERSION)?;
        let threshold = r.f32()?;
        let bits = r.u32()?;
        let classes = r.u32()? as usize;
        if !(1..=24).contains(&bits) || classes != 4 {
            return Err(ModelError::Corrupt("intent shape"));
        }
        let bias = r.table(classes)?;
        let weights = r.table((1usize << bits) * classes)?;
        let tagger_bits = r.u32()?;
        if !(1..=26).contains(&tagger_bits) {
            return Err(ModelError::Corrupt("tagger shape"));
        }
        let transitions = r.table((LABELS + 1) * LABELS)?;
        let tagger_weights = r.table(1usize << tagger_bits)?;
        let head_weight = r.f32()?;
        if !(0.0..=1.0).contains(&head_weight) {
            return Err(ModelError::Corrupt("head weight"));
        }
        let inputs = r.u32()? as usize;
        let hidden = r.u32()? as usize;
        if inputs != table.dims() || !(1..=4096).contains(&hidden) {
            return Err(ModelError::Corrupt("head shape (another token table?)"));
        }
        let head = Mlp {
            inputs,
            hidden,
            classes,
            w1: r.table(inputs * hidden)?,
            b1: r.table(hidden)?,
            w2: r.table(hidden * classes)?,
            b2: r.table(classes)?,
        };
        if r.at != bytes.len() {
            return Err(ModelError::Corrupt("trailing bytes"));
        }
        Ok(Self {
            intent: Linear {
                bits,
                classes,
                bias,
                weights,
            },
            head,
            head_weight,
            table,
            tagger: Tagger {
                bits: tagger_bits,
                weights: tagger_weights,
                transitions,
            },
            threshold,
        })
    }
}

fn write_table(out: &mut Vec<u8>, values: &[f32]) {
    let max = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
    let quantised: Vec<(usize, i16)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i, (v / scale).round() as i16))
        .filter(|(_, q)| *q != 0)
        .collect();
    out.extend_from_slice(&(values.len() as u32).to_le_bytes());
    out.extend_from_slice(&scale.to_le_bytes());
    out.extend_from_slice(&(quantised.len() as u32).to_le_bytes());
    let mut last = 0usize;
    for (i, q) in quantised {
        let mut gap = (i - last) as u64;
        last = i;
        loop {
            let byte = (gap & 0x7f) as u8;
            gap >>= 7;
            if gap == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(&q.to_le_bytes());
    }
}

/// A cursor over a file's bytes; every read checks its length.
pub(crate) struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl Reader<'_> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .ok_or(ModelError::Corrupt("length"))?;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or(ModelError::Corrupt("truncated"))?;
        self.at = end;
        Ok(slice)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        self.take(N)?
            .try_into()
            .map_err(|_| ModelError::Corrupt("truncated"))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array()?))
    }

    /// A file's magic and version, as this build writes them.
    pub(crate) fn header(&mut self, magic: &[u8; 8], version: u32) -> Result<(), ModelError> {
        if self.take(8)? != magic {
            return Err(ModelError::Magic);
        }
        match self.u32()? {
            v if v == version => Ok(()),
            v => Err(ModelError::Version(v)),
        }
    }

    fn table(&mut self, expected: usize) -> Result<Vec<f32>, ModelError> {
        let len = self.u32()? as usize;
        if len != expected {
            return Err(ModelError::Corrupt("table length"));
        }
        let scale = self.f32()?;
        if !scale.is_finite() || !(scale * 32767.0).is_finite() {
            return Err(ModelError::Corrupt("table scale"));
        }
        let count = self.u32()? as usize;
        let mut values = vec![0.0f32; len];
        let mut at = 0usize;
        for _ in 0..count {
            let mut gap = 0u64;
            let mut shift = 0;
            loop {
                let [byte] = self.array::<1>()?;
                gap |= u64::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
                shift += 7;
                if shift > 35 {
                    return Err(ModelError::Corrupt("gap"));
                }
            }
            at = at
                .checked_add(gap as usize)
                .filter(|&i| i < len)
                .ok_or(ModelError::Corrupt("index"))?;
            values[at] = f32::from(i16::from_le_bytes(self.array()?)) * scale;
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tidied(text: &str, slot: &str, from: usize, to: usize) -> Option<String> {
        let tokens = tokenize(text);
        let slot = SLOTS.iter().position(|s| *s == slot).expect("a slot");
        tidy(tagger::Span { slot, from, to }, text, &tokens)
            .map(|s| text[tokens[s.from].start..tokens[s.to - 1].end].to_owned())
    }

    #[test]
    fn tidy_mends_the_taggers_spans() {
        // A street's name runs on to its kind, not past a stop.
        let text = "a ride to 2455 bennett valley road please";
        assert_eq!(
            tidied(text, "destination", 3, 5).as_deref(),
            Some("2455 bennett valley road")
        );
        let text = "a ride to the station and then road trip";
        assert_eq!(
            tidied(text, "destination", 4, 5).as_deref(),
            Some("station")
        );
        // "By 5" is when; "for 5" may be seats.
        assert_eq!(tidied("a taxi there by 5", "seats", 4, 5), None);
        assert_eq!(tidied("a taxi for 5", "seats", 3, 4).as_deref(), Some("5"));
        // Meals, groceries and bags are no items.
        assert_eq!(tidied("order dinner for two", "item", 1, 2), None);
        assert_eq!(tidied("2 bags of rice", "item", 1, 2), None);
    }
}
