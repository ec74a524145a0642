//! The trained reader, errand's default: the intent and the slots come from
//! the model trained on real utterances (`errand nlu train`); the rule
//! reader still recognises cancellations, corrections and answers inside an
//! open dialogue, and knows the catalogs' item names.

use super::features;
use super::model::{FoundSlot, ModelError, NluModel, RuleHint, intent_slots};
use super::rules::{
    NOT_A_PLACE, STREET_KINDS, asks_for_a_lift, asks_to_buy_a_thing, asks_without_requesting,
    has_run_out, never_an_order, orders_a_list, ride_type,
};
use super::tokens::{Token, counts_a_thing, mentions, number_word, tokenize};
use super::{Context, Intent, Lexicon, Parse, RuleNlu, Understand};
use errand_schemas::{ItemRequest, SlotMap, SlotValue};
use std::sync::Arc;

/// The model committed with errand (see `models/README.md` for how it was
/// trained and the data it was trained on).
const EMBEDDED: &[u8] = include_bytes!("../models/nlu.model");

#[derive(Clone, Debug)]
pub struct TrainedNlu {
    model: Arc<NluModel>,
    rules: RuleNlu,
    lexicon: Arc<Lexicon>,
}

impl TrainedNlu {
    /// `model` reading with `lexicon` (the one it was trained with).
    pub fn new(model: NluModel, lexicon: Arc<Lexicon>) -> Self {
        Self {
            model: Arc::new(model),
            rules: RuleNlu::new(lexicon.clone()),
            lexicon,
        }
    }

    /// The model built into the binary.
    pub fn embedded(lexicon: Arc<Lexicon>) -> Result<Self, ModelError> {
        NluModel::decode(EMBEDDED).map(|model| Self::new(model, lexicon))
    }

    /// A model file trained with `errand nlu train`.
    pub fn from_file(path: &std::path::Path, lexicon: Arc<Lexicon>) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        NluModel::decode(&bytes)
            .map(|model| Self::new(model, lexicon))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    fn slot_map(found: &[FoundSlot]) -> SlotMap {
        let mut slots = SlotMap::new();
        let mut items = Vec::new();
        let mut quantities: Vec<&FoundSlot> = Vec::new();
        for slot in found {
            match slot.name {
                "item" => {
                    // A quantity right before the item ("2 cokes", "two of
                    // the cokes") is its quantity.
                    let quantity = quantities
                        .iter()
                        .rev()
                        .find(|q| q.to <= slot.from && slot.from <= q.to + 2)
                        .and_then(|q| SlotValue::Text(q.value.clone()).as_number())
                        .or_else(|| {
                            slot.value
                                .split_whitespace()
                                .next()
                                .and_then(|w| number_word(&w.to_lowercase()))
                                .filter(|_| slot.value.contains(' '))
                        })
                        .unwrap_or(1);
                    items.push(ItemRequest::new(slot.value.clone(), quantity));
                }
                "quantity" => {
                    quantities.push(slot);
                    add_text(&mut slots, "quantity", &slot.value);
                }
                "ride_type" => {
                    // The dialogue takes a ride type errand offers, never a guess.
                    if let Some(kind) = ride_type(&slot.value) {
                        add_text(&mut slots, "ride_type", kind);
                    }
                }
                name => add_text(&mut slots, name, &slot.value),
            }
        }
        if !items.is_empty() {
            slots.insert("item".into(), SlotValue::Items(items));
        }
        slots
    }
}

/// Slots the data teaches the tagger little or nothing about come from the
/// rule reader, which knows the catalogs and the places: the mart's items
/// (the data has no grocery slots), restaurants, cuisines and delivery
/// addresses (rarely labelled), and a ride's ends when the tagger found
/// none. A tagged item that is really the rule reader's restaurant or
/// address is dropped.
fn merge_rules(
    found: &mut Vec<FoundSlot>,
    rules: &SlotMap,
    intent: Intent,
    text: &str,
    tokens: &[Token],
) {
    let from_rules: &[&'static str] = match intent {
        // The menu's dishes when the tagger found none ("pad thai").
        Intent::OrderFood => &["item", "restaurant", "cuisine", "address"],
        Intent::OrderMart => &["item", "address"],
        Intent::BookRide => &["pickup", "destination", "ride_type", "seats", "time"],
        Intent::OutOfScope => &[],
    };
    // The rules know the shop's goods by name; the tagger may find more
    // ("shampoo and conditioner"), which are kept beside them.
    let goods = intent == Intent::OrderMart && rules.contains_key("item");
    if intent == Intent::OrderFood {
        whole_dishes(found, rules, text, tokens);
    }
    for &name in from_rules {
        let Some(value) = rules.get(name) else {
            continue;
        };
        if found.iter().any(|f| f.name == name) && !(goods && name == "item") {
            continue;
        }
        let texts: Vec<String> = match value {
            SlotValue::Text(t) => vec![t.clone()],
            SlotValue::Number(n) => vec![n.to_string()],
            SlotValue::Items(items) => items.iter().map(|i| i.name.clone()).collect(),
        };
        for value in texts {
            // "the airport": the data names a place without its article.
            let value = match value.get(..4) {
                Some(the) if the.eq_ignore_ascii_case("the ") && name != "item" => {
                    value[4..].to_owned()
                }
                _ => value,
            };
            let span = find(text, &value);
            let overlaps = |f: &FoundSlot, (start, end): (usize, usize)| {
                tokens.get(f.from).is_some_and(|t| t.start < end)
                    && tokens.get(f.to - 1).is_some_and(|t| t.end > start)
            };
            // "From X" is where a ride starts, whatever the tagger says
            // (the data rarely labels a pickup).
            if name == "pickup"
                && let Some(span) = span
            {
                found.retain(|f| f.name != "destination" || !overlaps(f, span));
            }
            // "take me to X", "bring us to X": where a ride goes.
            if name == "destination"
                && let Some(span) = span
                && carried_to(tokens, span.0)
            {
                found.retain(|f| f.name != "pickup" || !overlaps(f, span));
            }
            // A ride type inside a place is part of its name ("Jesus Green
            // Outdoor Pool").
            if (name == "pickup" || name == "destination")
                && let Some(span) = span
            {
                found.retain(|f| f.name != "ride_type" || !overlaps(f, span));
            }
            // Words the tagger gave another slot are not this one.
            let taken = span.is_some_and(|span| {
                found
                    .iter()
                    .any(|f| f.name != "item" && f.name != "quantity" && overlaps(f, span))
            });
            if taken {
                continue;
            }
            let checked = ["address", "pickup", "destination", "cuisine"].contains(&name);
            if checked && !span.is_some_and(|(start, end)| plausible(name, text, start, end)) {
                continue;
            }
            if let Some((start, end)) = span {
                // A tagged item or quantity inside this span was part of
                // this slot all along; and goods the rules know replace a
                // tagged item around them ("AA batteries" is the shop's
                // "batteries").
                found.retain(|f| {
                    let outside = tokens
                        .get(f.from)
                        .is_none_or(|t| t.end <= start || t.start >= end);
                    (f.name != "item" && f.name != "quantity")
                        || (outside && !(goods && f.name == "item" && overlaps(f, (start, end))))
                });
            }
            let from = span
                .and_then(|(start, _)| tokens.iter().position(|t| t.start >= start))
                .unwrap_or(tokens.len());
            let to = span
                .and_then(|(_, end)| tokens.iter().position(|t| t.start >= end))
                .unwrap_or(tokens.len());
            found.push(FoundSlot {
                name,
                value,
                from,
                to,
            });
        }
    }
    found.sort_by_key(|f| f.from);
}

/// Whether the rule reader's request is sure enough to stand against the
/// model's intent. The model learned from the data's phrasings; these are
/// requests it may never have seen phrased so:
/// - against "out of scope": a ride that names its vehicle or asks for a
///   lift ("I need to find a taxi departing from the hotel", "send a car to
///   pick me up"), and food someone orders ("order me chinese food", "get
///   me some food", "can I get a coffee and a croissant"), and groceries
///   or a whole shopping list ordered ("get me some groceries", "order
///   everything on my shopping list"); of the data's 37,000 stand-alone
///   out-of-scope lines, 3 look like the first ("can you call a taxi"), 4
///   like the second ("can I get good tacos anywhere in Austin") and none
///   like the third;
/// - against any intent: errand's own catalog, an item with one of its
///   restaurants ("pad thai from Sakura") or an item to be delivered
///   somewhere ("sushi delivered to 10 Downing Street", "a pizza delivered
///   to my office by noon"), which no line of the data has.
fn decisive(rules: &Parse, model: Intent, tokens: &[Token], lift: bool) -> bool {
    match rules.intent {
        Intent::BookRide => model == Intent::OutOfScope && (lift || a_ride_somewhere(tokens)),
        Intent::OrderFood | Intent::OrderMart => {
            let item = rules.slots.contains_key("item");
            let restaurant = rules.slots.contains_key("restaurant");
            let address = rules.slots.contains_key("address");
            let delivered = mentions(tokens, &["deliver", "delivered", "send", "sent", "bring"]);
            let catalog = item && (restaurant || (address && delivered));
            let against_none = model == Intent::OutOfScope;
            catalog
                || (against_none
                    && rules.intent == Intent::OrderFood
                    && (ordered(tokens) || (item && asked_for(tokens))))
                || (against_none
                    && rules.intent == Intent::OrderMart
                    && (orders_a_list(tokens)
                        || (mentions(tokens, &["groceries", "grocery", "supermarket"])
                            && (ordered(tokens) || asked_for(tokens)))))
        }
        Intent::OutOfScope => false,
    }
}

/// "ride from home to the o2 in 2 hours", "a lift to the station", "a
/// ride home in 10 mins": a ride
/// asked for by name and where it goes, which the model may hold back for
/// the timer's words after it. (Questions about a ride are no request:
/// `asks_without_requesting` has the last word.)
fn a_ride_somewhere(tokens: &[Token]) -> bool {
    let word = |i: usize| tokens.get(i).map_or("", |t| t.norm.as_str());
    tokens.iter().enumerate().any(|(i, t)| {
        matches!(t.norm.as_str(), "ride" | "lift")
            && (i == 0 || matches!(word(i - 1), "a" | "my" | "me" | "us"))
            && matches!(word(i + 1), "to" | "from" | "home")
    })
}

/// Whether the place starting at byte `start` follows "me to" or "us to"
/// (and perhaps "the").
fn carried_to(tokens: &[Token], start: usize) -> bool {
    let Some(mut at) = tokens.iter().position(|t| t.start == start) else {
        return false;
    };
    if at >= 1 && tokens[at - 1].norm == "the" {
        at -= 1;
    }
    at >= 2 && tokens[at - 1].norm == "to" && matches!(tokens[at - 2].norm.as_str(), "me" | "us")
}

/// Asked for: "order" as a verb, not "my order" or "my dinner order"; or
/// "get me", "grab us", "bring me"... ("I'm hungry, get me some food").
fn ordered(tokens: &[Token]) -> bool {
    tokens.iter().enumerate().any(|(i, t)| {
        let verb = t.norm == "order"
            && !tokens[i.saturating_sub(2)..i].iter().any(|before| {
                matches!(
                    before.norm.as_str(),
                    "my" | "the" | "an" | "your" | "our" | "this" | "that" | "whole"
                )
            });
        let fetch = matches!(t.norm.as_str(), "get" | "grab" | "bring" | "fetch")
            && tokens
                .get(i + 1)
                .is_some_and(|next| matches!(next.norm.as_str(), "me" | "us"));
        verb || (fetch && !searching(tokens))
    })
}

/// "Can I get a coffee and a croissant", "could we have two pizzas": a
/// polite order, when the things asked for are dishes the rules know.
fn asked_for(tokens: &[Token]) -> bool {
    tokens.windows(3).any(|w| {
        matches!(w[0].norm.as_str(), "can" | "could" | "may")
            && matches!(w[1].norm.as_str(), "i" | "we")
            && matches!(w[2].norm.as_str(), "get" | "have")
    }) && !searching(tokens)
}

/// Looking for a place to eat or for ideas rather than for food ("I'm
/// searching for a restaurant; get me one that serves pizza", "can I get a
/// good place for afternoon tea", "get me dinner suggestions").
fn searching(tokens: &[Token]) -> bool {
    let has = |words: &[&str]| mentions(tokens, words);
    (has(&["restaurant", "restaurants"]) && has(&["search", "searching", "find", "looking"]))
        || tokens.windows(2).any(|w| {
            matches!(w[0].norm.as_str(), "a" | "good" | "best" | "nice")
                && matches!(w[1].norm.as_str(), "place" | "places" | "spot")
        })
        || has(&[
            "suggest",
            "suggestion",
            "suggestions",
            "recommend",
            "recommendation",
            "recommendations",
        ])
}

/// A tagged dish that is part of a dish on errand's menu is that dish:
/// "pad" of "pad thai".
fn whole_dishes(found: &mut [FoundSlot], rules: &SlotMap, text: &str, tokens: &[Token]) {
    let Some(SlotValue::Items(dishes)) = rules.get("item") else {
        return;
    };
    for dish in dishes {
        let Some((start, end)) = find(text, &dish.name) else {
            continue;
        };
        let (Some(from), Some(to)) = (
            tokens.iter().position(|t| t.start == start),
            tokens.iter().position(|t| t.end == end).map(|i| i + 1),
        ) else {
            continue;
        };
        for f in found.iter_mut() {
            if f.name == "item" && from <= f.from && f.to <= to && (f.from, f.to) != (from, to) {
                f.from = from;
                f.to = to;
                f.value = text[start..end].to_owned();
            }
        }
    }
}

/// Where `value` stands in `text`, ignoring case.
fn find(text: &str, value: &str) -> Option<(usize, usize)> {
    let value = fold(value);
    fold(text).find(&value).map(|at| (at, at + value.len()))
}

/// `s` in lower case wherever that keeps a character's length, so that a
/// position in the result is the same in `s` (a whole lowercasing changes
/// lengths: "İ" grows, the Kelvin sign shrinks, and a span found in it
/// would cut `s` inside a character or run past its end).
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

/// Nouns that name a place without a name (and the kinds of street,
/// [`STREET_KINDS`]).
const PLACE_NOUNS: &[&str] = &[
    "home",
    "house",
    "office",
    "work",
    "airport",
    "station",
    "hotel",
    "place",
    "apartment",
    "flat",
    "school",
    "university",
    "college",
    "hospital",
    "gym",
    "mall",
    "centre",
    "center",
    "downtown",
];

fn is_place_noun(word: &str) -> bool {
    PLACE_NOUNS.contains(&word) || STREET_KINDS.contains(&word)
}

/// What "my" owns that is no place to deliver to ("add 3 sodas to my
/// order list").
const NOT_AN_ADDRESS: &[&str] = &["order", "list", "cart", "basket", "bill", "account", "tab"];

/// Whether a rule reader's place or cuisine at `start..end` looks like one:
/// the rules read "to ..." greedily ("I want to call a cab"), so a place
/// must have a number, a capital, or a place noun, and a cuisine must be
/// followed by a word for food.
fn plausible(name: &str, text: &str, start: usize, end: usize) -> bool {
    let value = &text[start..end];
    let words: Vec<String> = tokenize(value).into_iter().map(|t| t.norm).collect();
    match name {
        "cuisine" => {
            let after = tokenize(&text[end..]);
            after.first().is_some_and(|t| {
                matches!(
                    t.norm.as_str(),
                    "food" | "cuisine" | "restaurant" | "place" | "takeout" | "takeaway"
                )
            })
        }
        "address" => {
            // "221B Baker Street", "my place", "to the office", or anything
            // after "deliver to", "send it to"...
            let before: Vec<String> = tokenize(&text[..start])
                .into_iter()
                .map(|t| t.norm)
                .collect();
            let cue = before.iter().rev().take(4).any(|w| {
                matches!(
                    w.as_str(),
                    "deliver" | "delivered" | "delivery" | "send" | "sent" | "bring" | "address"
                )
            });
            let named = words
                .first()
                .is_some_and(|w| w.chars().any(|c| c.is_ascii_digit()))
                && value.chars().skip(1).any(char::is_uppercase);
            cue || named
                || (words.first().is_some_and(|w| w == "my")
                    && !words
                        .get(1)
                        .is_some_and(|w| NOT_AN_ADDRESS.contains(&w.as_str())))
                || words.iter().any(|w| is_place_noun(w))
        }
        // A ride's ends: the rules no longer read a verb's "to" as a place
        // ("I want to call a cab"), so a short phrase will do ("a taxi to
        // vue cinema").
        _ => {
            value
                .chars()
                .any(|c| c.is_ascii_digit() || c.is_uppercase())
                || words.iter().any(|w| is_place_noun(w))
                || (words.len() <= 6
                    && words
                        .first()
                        .is_some_and(|w| !NOT_A_PLACE.contains(&w.as_str())))
        }
    }
}

/// A slot said twice keeps its first value (the data's lists exist only for
/// items and quantities).
fn add_text(slots: &mut SlotMap, name: &str, value: &str) {
    slots
        .entry(name.to_owned())
        .or_insert_with(|| SlotValue::Text(value.to_owned()));
}

impl Understand for TrainedNlu {
    fn parse(&self, text: &str, context: &Context) -> Parse {
        self.read(text, context).0
    }

    fn parse_verbatim(&self, text: &str, context: &Context) -> (Parse, Vec<(String, String)>) {
        let (parse, found) = self.read(text, context);
        // As in the parse, a slot said twice keeps its first value; only
        // items and their quantities are lists.
        let mut verbatim: Vec<(String, String)> = Vec::new();
        for slot in found {
            let listed = matches!(slot.name, "item" | "quantity");
            if listed || !verbatim.iter().any(|(name, _)| name == slot.name) {
                verbatim.push((slot.name.to_owned(), slot.value));
            }
        }
        (parse, verbatim)
    }
}

impl TrainedNlu {
    /// The parse, and the tagger's verbatim slots: the stand-alone intent's,
    /// or inside a dialogue the open command's (each span where it was
    /// found, as evaluation needs them).
    pub fn read(&self, text: &str, context: &Context) -> (Parse, Vec<FoundSlot>) {
        let tokens = tokenize(text);
        if tokens.is_empty() {
            return (Parse::out_of_scope(), Vec::new());
        }
        let rules = self.rules.parse(text, context);
        let marks = features::marks(&self.lexicon, &tokens);
        let hint = RuleHint {
            intent: rules.intent,
            named: rules.slots.contains_key("item"),
            lift: asks_for_a_lift(&tokens),
            buys: asks_to_buy_a_thing(&tokens) && marks.iter().any(|m| m.sold()),
        };
        let (mut intent, mut confidence) = self.model.intent(text, &tokens, &marks, &hint);
        if intent != rules.intent && decisive(&rules, intent, &tokens, hint.lift) {
            (intent, confidence) = (rules.intent, rules.confidence);
        }
        // Run out of something a shop sells, said outside a dialogue (inside
        // one, "I'm out of the gym at 6" answers it): errand offers to order
        // it, an even chance that the person wants it.
        let ran_out = has_run_out(&tokens)
            .filter(|&thing| marks[thing].sold() && context.open_action.is_none());
        if intent == Intent::OutOfScope && ran_out.is_some() {
            (intent, confidence) = (Intent::OrderMart, 0.5);
        }
        if never_an_order(&tokens)
            || (matches!(intent, Intent::BookRide | Intent::OrderMart)
                && asks_without_requesting(text, &tokens))
        {
            (intent, confidence) = (Intent::OutOfScope, 1.0);
        }
        let mut tagged = self.model.slots(text, &tokens, &marks, intent);
        if let Some(thing) = ran_out {
            // What ran out is the item, not the words before it ("alexa,
            // we've run out of eggs").
            tagged.retain(|f| f.name != "item" || f.from >= thing);
        }
        let mut found = tagged.clone();
        if rules.intent == intent {
            merge_rules(&mut found, &rules.slots, intent, text, &tokens);
        }
        // Numbers with nothing to buy ("can you add 5 and 89") are no
        // order, unless they answer an open question.
        let counts_only = found.iter().any(|f| f.name == "quantity")
            && found
                .iter()
                .all(|f| f.name == "quantity" && !counts_a_thing(&tokens, f.to));
        if counts_only && context.open_action.is_none() {
            (intent, confidence) = (Intent::OutOfScope, 1.0);
            found.clear();
            tagged.clear();
        }
        let slots = Self::slot_map(&found);
        // Inside a dialogue, the rule reader's answer first; then what the
        // tagger reads for the slots that were asked for. Only something the
        // rules took for an answer is one: a new request never is.
        let mut answer = rules.answer;
        let open = context.open_action.as_deref().and_then(Intent::parse);
        let mut verbatim = found;
        if let Some(open) = open {
            // The stand-alone intent is usually the open one: tagged once.
            let heard = if open == intent {
                tagged
            } else {
                self.model.slots(text, &tokens, &marks, open)
            };
            if !rules.cancel && !answer.is_empty() {
                for (name, value) in Self::slot_map(&heard) {
                    // Only what was asked for: the rules read corrections.
                    if intent_slots(open).contains(&name.as_str())
                        && context.missing.contains(&name)
                    {
                        answer.entry(name).or_insert(value);
                    }
                }
            }
            verbatim = heard;
        }
        let parse = Parse {
            intent,
            confidence,
            slots,
            cancel: rules.cancel,
            correction: rules.correction,
            answer,
        };
        (parse, verbatim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_found_where_it_is_even_when_lower_case_changes_lengths() {
        // "İ" lowercases to 3 bytes from 2, the Kelvin sign to 1 from 3.
        assert_eq!(
            find("\u{130}\u{130} Cheeseburger \u{212A}", "cheeseburger"),
            Some((5, 17))
        );
        assert_eq!(find("CAFÉ NERO", "café nero"), Some((0, 10)));
        assert_eq!(find("\u{212A}ebab", "kebab"), None);
    }
}
