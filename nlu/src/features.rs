//! Hashed features. The intent model reads words, word pairs and character
//! n-grams of the whole utterance; the slot tagger reads a window of word
//! features around each word. Features are 64-bit FNV-1a hashes of their
//! names, so the model stores no vocabulary and an unseen word costs
//! nothing.

use super::Lexicon;
use super::encoder::{SENSE_WIDTHS, Table};
use super::tokens::{Token, number_word};
use crate::words::item_key;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hash of a feature: its kind and its parts.
pub(crate) fn hash(kind: &str, parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    for part in std::iter::once(kind).chain(parts.iter().copied()) {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        h ^= 0xff;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash of a feature whose part is a number.
fn hash_number(kind: &str, part: &str, number: u64) -> u64 {
    let mut h = hash(kind, &[part]);
    for b in number.to_le_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Each word's [`Table::sense`], looked up once per utterance.
pub(crate) fn senses(table: &Table, tokens: &[Token]) -> Vec<u64> {
    tokens.iter().map(|t| table.sense(&t.norm)).collect()
}

/// A word as the models see it: digits collapse to one shape, so "12" and
/// "40" are the same word.
fn word(token: &Token) -> &str {
    if token.norm.chars().all(|c| c.is_ascii_digit()) {
        "<num>"
    } else {
        &token.norm
    }
}

/// Catalog knowledge the data cannot have, per word: whether the word (or
/// the pair it starts) is something errand's food catalog, its mart, or
/// everyday shopping sells.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mark {
    food: bool,
    mart: bool,
    goods: bool,
}

impl Mark {
    fn any(self) -> bool {
        self.food || self.mart || self.goods
    }

    /// Whether a shop sells it: the mart, or everyday shopping.
    pub(crate) fn sold(self) -> bool {
        self.mart || self.goods
    }
}

/// Words for food that name no dish.
pub(crate) const MEAL_WORDS: &[&str] = &["food", "meal", "meals", "takeout", "takeaway"];

/// Words for things in general, meals and containers: like [`MEAL_WORDS`],
/// never an item by themselves ("order dinner for two", "get me some
/// groceries", "2 bags of rice").
const NOT_AN_ITEM: &[&str] = &[
    "foods",
    "something",
    "anything",
    "stuff",
    "thing",
    "things",
    "item",
    "items",
    "order",
    "delivery",
    "some",
    "breakfast",
    "brunch",
    "lunch",
    "dinner",
    "supper",
    "grocery",
    "groceries",
    "shopping",
    "bag",
    "bags",
    "bottle",
    "bottles",
    "box",
    "boxes",
    "pack",
    "packs",
    "packet",
    "packets",
    "can",
    "cans",
    "jar",
    "jars",
    "carton",
    "cartons",
    "piece",
    "pieces",
];

/// Words that name a ride's vehicle: a cab to the hotel is still a cab.
pub(crate) const VEHICLES: &[&str] = &["taxi", "taxis", "cab", "cabs", "uber", "ubers", "lyft"];

/// Whether the word names no thing to order by itself ([`MEAL_WORDS`],
/// [`NOT_AN_ITEM`]).
pub(crate) fn names_no_thing(word: &str) -> bool {
    MEAL_WORDS.contains(&word) || NOT_AN_ITEM.contains(&word)
}

/// The letters of a word that starts with letters and has digits
/// ("iphone7" is "iphone"); `None` for a plain word, a number or "6pm".
fn letters_of(word: &str) -> Option<String> {
    if !word.starts_with(char::is_alphabetic) || !word.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let letters: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    (letters.chars().count() >= 2).then_some(letters)
}

/// Each word's [`Mark`], looked up once per utterance.
pub(crate) fn marks(lexicon: &Lexicon, tokens: &[Token]) -> Vec<Mark> {
    (0..tokens.len())
        .map(|i| {
            let one =
                item_key(&letters_of(&tokens[i].norm).unwrap_or_else(|| tokens[i].norm.clone()));
            let two = tokens
                .get(i + 1)
                .map(|next| item_key(&format!("{} {}", tokens[i].norm, next.norm)));
            let has = |set: &std::collections::BTreeSet<String>| {
                set.contains(&one) || two.as_ref().is_some_and(|t| set.contains(t))
            };
            // A cuisine or a word for a meal is food too ("order me
            // chinese food"), though no dish.
            let meal = lexicon.cuisines.contains(&tokens[i].norm)
                || MEAL_WORDS.contains(&tokens[i].norm.as_str());
            Mark {
                food: meal || has(&lexicon.food),
                mart: has(&lexicon.mart),
                goods: has(&lexicon.goods),
            }
        })
        .collect()
}

/// The intent model's features of a whole utterance. `hint` is the rule
/// reader's intent: hand-written cues generalise to phrasings the data
/// lacks, and the model learns how far to trust them.
pub(crate) fn utterance(tokens: &[Token], marks: &[Mark], hint: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len() * 16 + 4);
    out.push(hash("bias", &[]));
    for _ in 0..4 {
        out.push(hash("rule", &[hint]));
    }
    let words: Vec<&str> = tokens.iter().map(word).collect();
    let mut previous = "<s>";
    for (i, w) in words.iter().enumerate() {
        out.push(hash("w", &[w]));
        // "iphone7", "ps4": a model number is the thing it numbers.
        if let Some(letters) = letters_of(w) {
            out.push(hash("w", &[&letters]));
            out.push(hash("w", &["<model>"]));
        }
        out.push(hash("b", &[previous, w]));
        previous = w;
        let padded: Vec<char> = std::iter::once('<')
            .chain(w.chars())
            .chain(std::iter::once('>'))
            .collect();
        for n in 3..=5 {
            for gram in padded.windows(n) {
                let gram: String = gram.iter().collect();
                out.push(hash("c", &[&gram]));
            }
        }
        // Taxi, cab, Uber...: one feature learned from all of them, so the
        // rarer words are as sure a sign of a ride as the common ones.
        if VEHICLES.contains(w) {
            out.push(hash("lex", &["vehicle"]));
        }
        let mark = marks[i];
        if mark.food {
            out.push(hash("lex", &["food"]));
        }
        if mark.mart {
            out.push(hash("lex", &["mart"]));
        }
        if mark.goods {
            out.push(hash("lex", &["goods"]));
            out.push(hash("lex", &["goods"]));
            out.push(hash("lex", &["goods"]));
        }
    }
    out.push(hash("b", &[previous, "</s>"]));
    out
}

/// The shape of a word as written: "Xx", "x", "X", "d", "d:d"...
fn shape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_alphabetic() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        if !out.ends_with(s) {
            out.push(s);
        }
    }
    out
}

/// The punctuation between two words, without spaces ("" when there is none).
fn punctuation(between: &str) -> String {
    between
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(3)
        .collect()
}

/// The tagger's features of word `i`, given the intent the line has (or
/// the dialogue is in).
pub(crate) fn word_window(
    text: &str,
    tokens: &[Token],
    i: usize,
    intent: &str,
    marks: &[Mark],
    senses: &[u64],
) -> Vec<u64> {
    let at = |k: isize| -> &str {
        let j = i as isize + k;
        if j < 0 {
            "<s>"
        } else if j as usize >= tokens.len() {
            "</s>"
        } else {
            word(&tokens[j as usize])
        }
    };
    let w = at(0);
    let raw = &text[tokens[i].start..tokens[i].end];
    let chars: Vec<char> = w.chars().collect();
    let prefix: String = chars.iter().take(3).collect();
    let suffix: String = chars[chars.len().saturating_sub(3)..].iter().collect();
    let shape = shape(raw);
    let neighbour = |k: isize| {
        let j = i as isize + k;
        (j >= 0 && (j as usize) < tokens.len()).then(|| &tokens[j as usize])
    };
    let neighbour_shape = |k: isize| {
        neighbour(k).map_or_else(|| "-".to_owned(), |t| self::shape(&text[t.start..t.end]))
    };
    let neighbour_suffix = |k: isize| {
        neighbour(k).map_or_else(String::new, |t| {
            let chars: Vec<char> = t.norm.chars().collect();
            chars[chars.len().saturating_sub(3)..].iter().collect()
        })
    };
    let mut out = vec![
        hash("bias", &[]),
        hash("w", &[w]),
        hash("p3", &[&prefix]),
        hash("s3", &[&suffix]),
        hash("shape", &[&shape]),
        hash("w-1", &[at(-1)]),
        hash("w+1", &[at(1)]),
        hash("w-2", &[at(-2)]),
        hash("w+2", &[at(2)]),
        hash("w-1w", &[at(-1), w]),
        hash("ww+1", &[w, at(1)]),
        hash("w-2w-1", &[at(-2), at(-1)]),
        hash("w+1w+2", &[at(1), at(2)]),
        hash("w-1w+1", &[at(-1), at(1)]),
        hash("shape-1", &[&neighbour_shape(-1)]),
        hash("shape+1", &[&neighbour_shape(1)]),
        hash("s3-1", &[&neighbour_suffix(-1)]),
        hash("s3+1", &[&neighbour_suffix(1)]),
        hash("i", &[intent]),
        hash("iw", &[intent, w]),
        hash("iw-1", &[intent, at(-1)]),
        hash("iw+1", &[intent, at(1)]),
        hash("ishape", &[intent, &shape]),
    ];
    // The punctuation around the word: a sentence's end closes a span, a
    // colon joins a clock time's hours and minutes.
    let next_start = tokens.get(i + 1).map_or(text.len(), |t| t.start);
    let after = punctuation(&text[tokens[i].end..next_start]);
    let before = punctuation(&text[i.checked_sub(1).map_or(0, |j| tokens[j].end)..tokens[i].start]);
    out.push(hash("after", &[&after]));
    out.push(hash("before", &[&before]));
    out.push(hash("iafter", &[intent, &after]));
    if number_word(&tokens[i].norm).is_some() {
        out.push(hash("number", &[intent]));
    }
    if i == 0 {
        out.push(hash("first", &[intent]));
    }
    if i + 1 == tokens.len() {
        out.push(hash("last", &[intent]));
    }
    let mark = marks[i];
    if mark.food {
        out.push(hash("lexfood", &[intent]));
    }
    if mark.mart {
        out.push(hash("lexmart", &[intent]));
    }
    if mark.goods {
        out.push(hash("lexgoods", &[intent]));
    }
    if i > 0 && marks[i - 1].any() {
        out.push(hash("lexprev", &[intent]));
    }
    // What the word and its neighbours mean (their places on the token
    // table's first axes): a place, a dish or a time the data never named
    // reads like the ones it did.
    let sense = senses[i];
    let first = |code: u64, axes: usize| code & ((1u64 << (2 * axes)) - 1);
    out.push(hash_number("e4", "", first(sense, 4)));
    out.push(hash_number("e8", "", first(sense, 8)));
    out.push(hash_number("e16", "", sense));
    out.push(hash_number("ie4", intent, first(sense, 4)));
    for axis in 0..SENSE_WIDTHS {
        let level = (sense >> (2 * axis)) & 3;
        if level != 0 {
            out.push(hash_number("ea", "", (axis as u64) << 2 | level));
        }
    }
    if i > 0 {
        out.push(hash_number("e8-1", "", first(senses[i - 1], 8)));
    }
    if let Some(next) = senses.get(i + 1) {
        out.push(hash_number("e8+1", "", first(*next, 8)));
    }
    out
}
