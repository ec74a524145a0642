//! What is ordered and how much of it: each quantity binds to the item
//! right after it ("two cheeseburgers and fries" is 2 cheeseburgers and 1
//! fries), counts and units are read as amounts, never as items ("2 litres
//! of milk", "a bag of rice", "a couple of lattes", "some bananas"), and
//! sizes and extras stay with their line as a note ("a large pepperoni
//! pizza with extra cheese", "a burger with no onions").
//!
//! Items are matched against a [`Menu`]: a catalog's names and the words
//! people use for them, compared word by word in the singular.

use super::words::{Words, number};
use crate::agents::item_key;
use errand_schemas::ItemRequest;
use std::collections::HashMap;

/// The names a catalog sells, as word keys, and what each means.
#[derive(Clone, Debug, Default)]
pub struct Menu {
    /// The catalog's names, in its order.
    names: Vec<String>,
    /// (the phrase's singular words, the catalog's name), longest first.
    phrases: Vec<(Vec<String>, String)>,
    /// Items sold only by the pack, and how many one holds.
    packs: Vec<(String, u32)>,
    /// Dishes served as a portion of several pieces, and how many.
    portions: Vec<(String, u32)>,
    /// Words of a kind ("coffee"), and the catalog's names of that kind.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    /// Words of any catalog's names (this one's and the other domains'):
    /// a word none has is no thing errand sells.
    known_anywhere: std::collections::BTreeSet<String>,
    /// Phrases naming a variety of an item ("hovis"), kept as its note.
    varieties: Vec<Vec<String>>,
    /// Each phrase's first word, and the phrases it starts (positions in
    /// `phrases`, longest first): `at` looks only at those.
    by_first: HashMap<String, Vec<usize>>,
    /// Each phrase's words joined by spaces, and its position in `phrases`.
    whole: HashMap<String, usize>,
}

impl Menu {
    /// A menu of `names` and `aliases` (alias, name).
    pub fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        aliases: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let names: Vec<&str> = names.into_iter().collect();
        let keyed: Vec<Vec<String>> = names.iter().map(|n| key_words(n)).collect();
        // A kind of dish ("curry", "pizza": words of other dishes than the
        // default it stands for) stays the kind, for the shop to choose:
        // "a curry" from Bangkok Street is its green curry.
        let kind = |alias: &[String], name: &str| {
            let target = key_words(name);
            keyed
                .iter()
                .any(|k| *k != target && alias.iter().all(|a| k.contains(a)))
        };
        // "smoothies" is keyed "smoothy", never "smoothie": a name ending
        // in "ie" is said in the plural too.
        let plurals: Vec<(String, &str)> = (names.iter())
            .filter(|n| n.ends_with("ie"))
            .map(|n| (format!("{n}s"), *n))
            .collect();
        let mut phrases: Vec<(Vec<String>, String)> = names
            .iter()
            .map(|n| (key_words(n), (*n).to_owned()))
            .chain(plurals.iter().map(|(p, n)| (key_words(p), (*n).to_owned())))
            .chain(aliases.into_iter().map(|(alias, name)| {
                let words = key_words(alias);
                let means = if kind(&words, name) {
                    words.join(" ")
                } else {
                    name.to_owned()
                };
                (words, means)
            }))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        phrases.dedup_by(|a, b| a.0 == b.0);
        let mut ordered: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if !ordered.iter().any(|n| n == name) {
                ordered.push(name.to_owned());
            }
        }
        Self {
            names: ordered,
            known_anywhere: Default::default(),
            phrases,
            packs: Vec::new(),
            portions: Vec::new(),
            kinds: Vec::new(),
            varieties: Vec::new(),
            by_first: HashMap::new(),
            whole: HashMap::new(),
        }
        .indexed()
    }

    /// The menu with its phrases indexed by first word and whole, once
    /// they are all in and in order.
    fn indexed(mut self) -> Self {
        self.by_first.clear();
        self.whole.clear();
        for (at, (phrase, _)) in self.phrases.iter().enumerate() {
            if let Some(first) = phrase.first() {
                self.by_first.entry(first.clone()).or_default().push(at);
            }
            self.whole.entry(phrase.join(" ")).or_insert(at);
        }
        self
    }

    /// The menu, with words that name a variety of an item, said alone for
    /// it (variety, name): "a loaf of hovis" is bread, noted "hovis".
    pub fn varieties<'a>(
        mut self,
        varieties: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        // ("semi skimmed" is two words, "semi-skimmed" one.)
        let said = varieties.into_iter().flat_map(|(variety, name)| {
            let joined = vec![item_key(&variety.replace(' ', "-"))];
            [(key_words(variety), name), (joined, name)]
        });
        for (words, name) in said {
            if words.is_empty() || self.phrases.iter().any(|(p, _)| *p == words) {
                continue;
            }
            self.varieties.push(words.clone());
            self.phrases.push((words, name.to_owned()));
        }
        (self.phrases).sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        self.indexed()
    }

    /// Whether `phrase` names a variety of its item ("hovis").
    fn is_variety(&self, phrase: &[String]) -> bool {
        self.varieties.iter().any(|v| v[..] == *phrase)
    }

    /// The menu, with words that say what kind of thing an item is (kind,
    /// the names of that kind).
    pub fn kinds<'a>(
        mut self,
        kinds: impl IntoIterator<Item = (&'a str, impl IntoIterator<Item = &'a str>)>,
    ) -> Self {
        self.kinds = kinds
            .into_iter()
            .map(|(kind, names)| {
                (
                    key_words(kind),
                    names.into_iter().map(str::to_owned).collect(),
                )
            })
            .filter(|(kind, _)| !kind.is_empty())
            .collect();
        self
    }

    /// How many words at `at` of `keys` say the kind of `name` ("coffee"
    /// after "espresso"); 0 when none do.
    fn kind_at(&self, keys: &[String], at: usize, name: &str) -> usize {
        self.kinds
            .iter()
            .find(|(kind, names)| {
                keys.get(at..at + kind.len()) == Some(kind.as_slice())
                    && names.iter().any(|n| n == name)
            })
            .map_or(0, |(kind, _)| kind.len())
    }

    /// Whether `name` is of the kind `kind` says ("curry": the chicken
    /// korma).
    fn is_kind_of(&self, kind: &str, name: &str) -> bool {
        self.kinds
            .iter()
            .any(|(k, names)| k.join(" ") == kind && names.iter().any(|n| n == name))
    }

    /// The names whose last word is `head` ("taco": the beef taco and the
    /// chicken taco), or of the kind it says ("curry").
    pub(crate) fn all_of(&self, head: &str) -> Vec<String> {
        let mut names: Vec<String> = (self.phrases.iter())
            .filter(|(words, name)| {
                words.last().is_some_and(|w| w == head) && key_words(name) == **words
            })
            .map(|(_, name)| name.clone())
            .collect();
        names.extend(self.of_kind(head).into_iter().map(str::to_owned));
        // (Only the dishes themselves, never the kind's own word.)
        names.retain(|name| key_words(name) != [head]);
        names.sort();
        names.dedup();
        names
    }

    /// Whether `key` alone is a word of a kind of thing ("rice", "drink").
    /// The names of the kind `key` says alone ("drink": cola, lemonade...).
    pub(crate) fn of_kind(&self, key: &str) -> Vec<&str> {
        (self.kinds.iter())
            .filter(|(kind, _)| kind.len() == 1 && kind[0] == key)
            .flat_map(|(_, names)| names.iter().map(String::as_str))
            .collect()
    }

    pub(crate) fn is_kind(&self, key: &str) -> bool {
        self.kinds
            .iter()
            .any(|(kind, _)| kind.len() == 1 && kind[0] == key)
    }

    /// The menu, with items sold only by the pack (name, how many one holds).
    pub fn packed<'a>(mut self, packs: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        self.packs = packs
            .into_iter()
            .filter(|(_, size)| *size > 1)
            .map(|(name, size)| (name.to_owned(), size))
            .collect();
        self
    }

    /// The menu, with dishes served as a portion of several pieces (name,
    /// pieces in one).
    pub fn portioned<'a>(mut self, portions: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        self.portions = portions
            .into_iter()
            .filter(|(_, size)| *size > 1)
            .map(|(name, size)| (name.to_owned(), size))
            .collect();
        self
    }

    /// How many portions of `name` a count said before it is: the pieces
    /// when it is more than half a portion or a dozen ("a dozen chicken
    /// wings" are two portions of 6, "10 wings" two), else the portions
    /// ("2 chicken wings" are two), and always the portions when written
    /// as a multiple ("2x satay").
    fn portions(&self, name: &str, quantity: u32, amount: &[String]) -> Option<u32> {
        let (_, size) = self.portions.iter().find(|(item, _)| item == name)?;
        let times = amount.iter().any(|w| {
            w.len() > 1
                && (w.ends_with('x') || w.starts_with('x'))
                && w.trim_matches('x').parse::<u32>().is_ok()
        });
        // ("2 6-piece wings", "a 12-piece wings": portions by their pieces.)
        let each = amount.iter().find_map(|w| pieces_each(w));
        // ("a few churros", "a couple of wings": a portion's worth.)
        let vague = amount
            .iter()
            .any(|w| matches!(w.as_str(), "few" | "couple" | "several" | "pair"));
        if let Some(each) = each {
            return Some(quantity.saturating_mul(each).div_ceil(*size).max(1));
        }
        let pieces = !times
            && (vague || quantity.saturating_mul(2) > *size || amount.iter().any(|w| w == "dozen"));
        Some(match pieces {
            true => quantity.div_ceil(*size),
            false => quantity,
        })
    }

    /// How many of the things `quantity` packs of `name` are, said as the
    /// things (`amount`: the words of the amount): "6 eggs" and "a dozen
    /// eggs" are one box of 12, "2 boxes of eggs" two.
    /// A thing sold one by one, said by the pack ("a six pack of cola"),
    /// is as many as the packs hold.
    fn packs(&self, name: &str, quantity: u32, amount: &[String]) -> u32 {
        if amount.iter().all(|w| !is_unit(w) || w == "dozen")
            && let Some(portions) = self.portions(name, quantity, amount)
        {
            return portions;
        }
        let size = self
            .packs
            .iter()
            .find(|(item, _)| item == name)
            .map(|p| p.1);
        let Some(unit) = amount.iter().position(|w| w != "dozen" && is_unit(w)) else {
            return size.map_or(quantity, |size| quantity.div_ceil(size));
        };
        // ("a 2 litre bottle of cola" is one bottle.)
        let pack = matches!(
            amount[unit].as_str(),
            "pack" | "packs" | "pk" | "pks" | "case"
        ) || sized_pack(&amount[unit]).is_some();
        // ("wings, 12 pieces": the pieces of a dish served by the portion.)
        if matches!(amount[unit].as_str(), "piece" | "pieces")
            && let Some((_, each)) = self.portions.iter().find(|(item, _)| item == name)
        {
            return quantity.div_ceil(*each).max(1);
        }
        // ("18 rolls of toilet paper": the pieces a pack holds, two packs.)
        let pieces = matches!(amount[unit].as_str(), "roll" | "rolls" | "piece" | "pieces");
        if let (Some(size), true) = (size, pieces) {
            return quantity.div_ceil(size);
        }
        if size.is_none() && !pack {
            return quantity;
        }
        let size = size.unwrap_or(1);
        // "a 24 pack of eggs", "2 12-packs": packs of another size, as the
        // things they hold.
        let said_size = sized_pack(&amount[unit]).or_else(|| {
            unit.checked_sub(1)
                .and_then(|k| number(&amount[k]))
                .filter(|_| unit >= 2 && counts(&amount[unit - 2]))
        });
        match said_size {
            Some(each) if each > 1 => quantity.saturating_mul(each).div_ceil(size),
            _ => quantity,
        }
    }

    /// `n` of `name` said after it ("eggs x 24", "eggs, 24 of them"):
    /// for a thing sold by the pack, a count of at least half a pack
    /// counts the things ("x 24" is two boxes of 12), a smaller one packs
    /// ("eggs x 2" is two boxes).
    fn counted_after(&self, name: &str, n: u32) -> u32 {
        match self.packs.iter().find(|(item, _)| item == name) {
            Some((_, size)) if n.saturating_mul(2) >= *size => n.div_ceil(*size),
            _ => n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The dish of the kind `kind` ("burger", "pizza", "curry") to order
    /// when `ruled` rules one of that kind out ("a burger but not a
    /// cheeseburger"): the plainest other of that kind (fewest words), the
    /// catalog's first among equals; `None` when nothing of the kind is
    /// ruled out, or nothing else is of it.
    fn other_of_kind(&self, kind: &str, ruled: &[String]) -> Option<&str> {
        let head = kind.split_whitespace().last()?;
        let of_it = |name: &str| {
            key_words(name).last().is_some_and(|w| w.ends_with(head)) || self.is_kind_of(kind, name)
        };
        // ("double cheeseburger" is as ruled out as the cheeseburger.)
        let is_ruled = |name: &str| {
            let words = key_words(name);
            ruled
                .iter()
                .any(|r| r == name || key_words(r).iter().all(|w| words.contains(w)))
        };
        if !ruled.iter().any(|r| of_it(r)) {
            return None;
        }
        (self.names.iter())
            .filter(|name| of_it(name) && !is_ruled(name))
            .min_by_key(|name| name.split_whitespace().count())
            .map(String::as_str)
    }

    /// The longest phrase of the menu at word `i` of `keys`: its length in
    /// words and the catalog's name.
    pub fn at(&self, keys: &[String], i: usize) -> Option<(usize, &str)> {
        let starting = self.by_first.get(keys.get(i)?)?;
        starting.iter().find_map(|&at| {
            let (phrase, name) = &self.phrases[at];
            let end = i + phrase.len();
            (end <= keys.len() && keys[i..end] == phrase[..])
                .then_some((phrase.len(), name.as_str()))
        })
    }

    /// The words of its names and aliases.
    pub fn words(&self) -> impl Iterator<Item = String> + '_ {
        self.phrases
            .iter()
            .flat_map(|(phrase, _)| phrase.iter().cloned())
    }

    /// The menu, knowing `words` of other catalogs too.
    pub fn know_elsewhere(&mut self, words: &std::collections::BTreeSet<String>) {
        self.known_anywhere = words.clone();
    }

    /// Whether `key` is a word of any catalog's names, or of this menu's.
    fn known_anywhere(&self, key: &str) -> bool {
        self.known_anywhere.contains(key) || self.has_word(key)
    }

    /// Whether `key` is a word of a name or alias on the menu.
    pub fn has_word(&self, key: &str) -> bool {
        (self.phrases.iter()).any(|(phrase, _)| phrase.iter().any(|w| w == key))
    }

    /// Whether `text` names something on the menu.
    pub fn names(&self, text: &str) -> Option<&str> {
        // (`item_key` leaves single spaces between words, none around.)
        let at = *self.whole.get(&item_key(text))?;
        Some(self.phrases[at].1.as_str())
    }
}

fn key_words(text: &str) -> Vec<String> {
    item_key(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One item found in an utterance, and the words it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub item: ItemRequest,
    pub from: usize,
    pub to: usize,
    /// The menu has it; `false` for a longer dish that only starts with a
    /// menu's word ("chicken katsu"): kept as said, for the agent to refuse.
    pub known: bool,
    /// How many words name the item (not its amount).
    pub named_by: usize,
    /// A dish of the menu's made of something else ("lamb biryani" where
    /// the biryani is vegetable): not known, but of this menu's kind.
    pub made_of_other: bool,
}

/// Words that may follow an item without making it another dish.
const AFTER_ITEM: &[&str] = &[
    "to",
    // "the usual minus the butter": what is ruled out follows.
    "minus",
    "excluding",
    // "one each", "like 4": how many, never a thing.
    "each",
    "everyone",
    "everybody",
    "like",
    // "a pizza round to mine", "some milk over to work".
    "round",
    "over",
    "from",
    "for",
    "and",
    "with",
    "without",
    "please",
    "pls",
    "times",
    "delivered",
    "deliver",
    "sent",
    "send",
    "at",
    "in",
    "on",
    "by",
    "asap",
    "then",
    "but",
    "also",
    "as",
    "or",
    "plus",
    "now",
    "tonight",
    "tomorrow",
    "today",
    "this",
    "that",
    "these",
    "those",
    "it",
    "them",
    "me",
    "us",
    "my",
    "our",
    "your",
    "here",
    "there",
    "thanks",
    "thank",
    "cheers",
    "too",
    "each",
    "instead",
    "again",
    "anymore",
    "only",
    "just",
    "right",
    "away",
    "soon",
    "quickly",
    "the",
    "a",
    "an",
    "some",
    "is",
    "are",
    "will",
    "would",
    "can",
    "could",
    "if",
    "when",
    "because",
    "since",
    "into",
    "over",
    "up",
    "off",
    "out",
    "not",
    "no",
    "any",
    "all",
    "both",
    "straight",
    "home",
    "work",
    "office",
    "delivery",
    "order",
    "ordered",
    "get",
    "bring",
    "brought",
    "want",
    "need",
    "like",
    "make",
    "you",
    "we",
    "i",
    "should",
    "i'd",
    "i'm",
    "let's",
    "okay",
    "ok",
    "yes",
    "thx",
    "ta",
    "mate",
    "fillet",
    "fillets",
    "portion",
    "portions",
    "steak",
    "steaks",
    "breast",
    "breasts",
    "multipack",
    "asap",
    "quick",
];

/// Amounts said as units: the number before them counts the item.
pub(crate) const UNITS: &[&str] = &[
    "litre",
    "litres",
    "liter",
    "liters",
    "l",
    "ml",
    "kg",
    "kilo",
    "kilos",
    "kilogram",
    "kilograms",
    "g",
    "gram",
    "grams",
    "lb",
    "lbs",
    "bottle",
    "bottles",
    "bag",
    "bags",
    "box",
    "boxes",
    "pack",
    "packs",
    "packet",
    "packets",
    "loaf",
    "loaves",
    "carton",
    "cartons",
    "can",
    "cans",
    "tin",
    "tins",
    "jar",
    "jars",
    "bunch",
    "bunches",
    "tub",
    "tubs",
    "pint",
    "pints",
    "dozen",
    "roll",
    "rolls",
    "slice",
    "slices",
    "piece",
    "pieces",
    "portion",
    "portions",
    "serving",
    "servings",
    "order",
    "orders",
    "cup",
    "cups",
    "glass",
    "glasses",
    "plate",
    "plates",
    "pot",
    "pots",
    "punnet",
    "punnets",
    "bar",
    "bars",
    "tube",
    "tubes",
];

/// Units that hold several of a thing, whose number before them is how
/// many each holds ("a 12 pack").
const PACKAGES: &[&str] = &[
    "pack",
    "packs",
    "box",
    "boxes",
    "case",
    "cases",
    "crate",
    "crates",
    "multipack",
];

/// Units that measure one thing only, said alone for it ("3 loaves").
const MEASURES_ONE_THING: &[(&str, &str)] = &[
    ("loaf", "bread"),
    ("loaves", "bread"),
    ("pint", "milk"),
    ("pints", "milk"),
];

/// The sizes and kinds errand reads before an item, as words to spell
/// ("halal" is never "hall").
pub(crate) fn size_words() -> &'static [&'static str] {
    SIZES
}

/// Sizes and kinds said before an item.
const SIZES: &[&str] = &[
    "small",
    "medium",
    "large",
    "regular",
    "big",
    "huge",
    "spicy",
    "mild",
    "hot",
    "iced",
    "decaf",
    "vegan",
    "skinny",
    "diet",
    "extra-large",
    "jumbo",
    "mini",
    "fresh",
    "cold",
    // Flavours and kinds: "a chocolate milkshake", "an oat latte", "AA
    // batteries".
    "aa",
    "aaa",
    "chocolate",
    "vanilla",
    "strawberry",
    "caramel",
    "mint",
    "oat",
    "almond",
    "soya",
    "soy",
    "coconut",
    "salted",
    "sparkling",
    "still",
    "frozen",
    "organic",
    "wholemeal",
    "brown",
    "white",
    "semi-skimmed",
    "semi",
    "skimmed",
    "full-fat",
    "low-fat",
    // What it is made without: "lactose-free milk", "sugar-free cola"
    // ("gluten free" is joined so as it is read: `Reading::fix`).
    "lactose-free",
    "dairy-free",
    "sugar-free",
    "nut-free",
    "fat-free",
    "egg-free",
    "wheat-free",
    "caffeine-free",
    "alcohol-free",
    "halal",
    "kosher",
    "whole",
    "free-range",
    "boneless",
    "gluten-free",
];

/// Words that start an extra after an item ("with extra cheese").
const EXTRA_OPENERS: &[&str] = &[
    "with", "without", "no", "extra", "hold", "plus", "light", "easy",
];

/// Words that end an extra.
const EXTRA_ENDS: &[&str] = &[
    "and",
    "to",
    "from",
    "for",
    "delivered",
    "deliver",
    "please",
    "at",
    "by",
    "asap",
    "then",
    "but",
    "also",
    "as",
    "sent",
    "send",
    "in",
    "thanks",
    "tonight",
    "tomorrow",
    "now",
];

/// The items of the menu said in `words`, outside the words `taken` marks
/// (a restaurant's or a place's name), each with its quantity and note.
pub fn items(words: &Words, menu: &Menu, taken: &[bool]) -> Vec<Found> {
    let keys: Vec<String> = words.norm().iter().map(|w| item_key(w)).collect();
    let free = |i: usize| !taken.get(i).copied().unwrap_or(false);
    let mut found: Vec<Found> = Vec::new();
    // The names said to be ruled out ("not a cheeseburger").
    let mut ruled: Vec<String> = Vec::new();
    // Where the last thing ruled out ends.
    let mut ruled_to: Option<usize> = None;
    let mut i = 0;
    while i < keys.len() {
        if !free(i) {
            i += 1;
            continue;
        }
        let at = menu
            .at(&keys, i)
            .map(|(len, name)| {
                // "a pizza hawaiian", "a burger cheese": the thing, then a
                // kind only the whole name has, is that name.
                let next = keys
                    .get(i + len)
                    .filter(|_| free(i + len) && !gap_ends_a_clause(words, i + len - 1, i + len));
                match next.and_then(|k| menu.names(&format!("{k} {}", keys[i..i + len].join(" "))))
                {
                    Some(full) => (len + 1, full),
                    None => (len, name),
                }
            })
            .or_else(|| {
                // "two margherita pizzas and one hawaiian": a kind alone,
                // counted, is one of the thing named before it.
                let last = found.last().filter(|f| f.known)?;
                let head = last.item.name.split_whitespace().last()?;
                (i > 0 && counts(&words.norm()[i - 1])).then_some(())?;
                menu.names(&format!("{} {head}", keys[i]))
                    .map(|full| (1, full))
            });
        let Some((len, name)) = at else {
            // "a salmon roll" where the rolls are california, tuna and
            // spring: what a dish is made of, then a kind of dish the menu
            // has, is a dish the menu has not, kept as said for the
            // kitchen to refuse (never the shop's salmon).
            let floor = found.last().map_or(0, |f| f.to);
            if let Some(head) = keys.get(i + 1)
                && free(i)
                && free(i + 1)
                && !gap_has_stop(words, i, i + 1)
                && says_made_of(&words.norm()[i])
                && menu.at(&keys, i + 1).is_none()
                && !menu.all_of(head).is_empty()
            {
                let (quantity, from, _) = amount_before(words, i, floor);
                found.push(Found {
                    item: ItemRequest::new(words.span(i, i + 2).to_lowercase(), quantity),
                    from,
                    to: i + 2,
                    known: false,
                    named_by: 2,
                    made_of_other: true,
                });
                i += 2;
                continue;
            }
            i += 1;
            continue;
        };
        if (i..i + len).any(|k| !free(k)) {
            i += 1;
            continue;
        }
        let floor = found.last().map_or(0, |f| f.to);
        // "lamb biryani" when the biryani is vegetable: made of something
        // else, another dish, kept as said.
        let before = (i > floor && free(i - 1) && !gap_has_stop(words, i - 1, i))
            .then(|| words.norm()[i - 1].as_str());
        let kept_otherwise = before.is_some_and(|word| {
            KEPT.contains(&word) && !name.split_whitespace().any(|part| part == word)
        });
        // "salt and pepper chicken": two words no menu has, joined by
        // "and" right before a thing, make another dish, kept as said
        // (never the shop's chicken).
        let joined_before = i >= floor + 3
            && (i - 3..i).all(free)
            && keys[i - 2] == "and"
            && !gap_has_stop(words, i - 3, i)
            && [i - 3, i - 1].iter().all(|&k| {
                let word = &words.norm()[k];
                describes(word)
                    && !is_size(word)
                    && !says_made_of(word)
                    && !menu.known_anywhere(&keys[k])
            });
        let other_dish =
            joined_before || kept_otherwise || before.is_some_and(|word| made_of_other(word, name));
        let start = match (joined_before, other_dish) {
            (true, _) => i - 3,
            (false, true) => i - 1,
            (false, false) => i,
        };
        let (quantity, from, mut sizes) = amount_before(words, start, floor);
        // "a chocolate muffin" where the muffin is blueberry, "a greek
        // salad" where it is caesar: a kind said of a thing whose menu
        // name has a kind of its own is another dish, never a note on it.
        let varied = !other_dish && said_of_another_kind(menu, &keys[i..i + len], name, &sizes);
        let other_dish = other_dish || varied;
        let start = if varied {
            i - std::mem::take(&mut sizes).len()
        } else {
            start
        };
        // "an espresso coffee", "ramen noodles": the word of its kind
        // right after a thing is the same thing.
        let kind = match free(i + len) && !gap_has_stop(words, i + len - 1, i + len) {
            true => menu.kind_at(&keys, i + len, name),
            false => 0,
        };
        let len = len + kind;
        // "chicken katsu" is no chicken: a dish that goes on past the
        // menu's words is another dish, kept as said.
        let mut end = i + len;
        while end < keys.len()
            && free(end)
            && !gap_has_stop(words, end - 1, end)
            && continues_dish(&words.norm()[end])
            && menu.at(&keys, end).is_none()
        {
            end += 1;
        }
        let known = end == i + len && !other_dish;
        let quantity = if known {
            menu.packs(name, quantity, &words.norm()[from..i])
        } else {
            quantity
        };
        // "milk for the coffee", "chicken for the curry": what the last
        // thing is for is no thing asked for, unless one is swapped for
        // another ("swap the fries for onion rings").
        if let Some(last) = found
            .last_mut()
            .filter(|last| for_the(words, last.to, from) && !swaps(words))
        {
            last.to = end;
            i = end;
            continue;
        }
        // "a burrito with no sour cream and extra guac", "nachos with
        // extra guacamole": how the dish before is made, no thing more
        // ("a burger and an extra fries" is one).
        if extra_of_the_last(words, found.last(), i) {
            i = end;
            continue;
        }
        // "anything but pepperoni", "not pizza, a burger", "a burger
        // instead of fries": what is ruled out is no thing asked for.
        // ("not the margherita or the pepperoni": both.)
        let or_ruled = ruled_to.is_some_and(|to| {
            let gap = &keys[to.min(from)..from];
            gap.iter().any(|x| x == "or" || x == "nor")
                && gap
                    .iter()
                    .all(|x| matches!(x.as_str(), "or" | "nor" | "the" | "a" | "an"))
        });
        if or_ruled || ruled_out(words, from) {
            if known {
                ruled.push(name.to_owned());
            }
            ruled_to = Some(end);
            i = end;
            continue;
        }
        if known
            && let Some(last) = found.last_mut().filter(|last| {
                let said = &keys[last.to - last.named_by..last.to];
                let next_to = last.to == i && !gap_ends_a_clause(words, i - 1, i);
                // "a pizza with pepperoni": the kind, with the thing.
                let with = i == last.to + 1 && keys[last.to] == "with";
                last.known
                    && from == i
                    && ((next_to && (last.item.name == name || names_its_kind(said, name)))
                        || (with && names_its_kind(said, name)))
            })
        {
            // "2 pizzas margherita", "two pizzas, margherita", "a pizza
            // pepperoni", "a coffee latte": the kind after the thing (or the
            // thing named again) is the same thing, with the thing's amount.
            name.clone_into(&mut last.item.name);
            last.named_by = end - (last.to - last.named_by);
            last.to = end;
            i = end;
            continue;
        }
        found.push(Found {
            item: ItemRequest {
                name: if known {
                    name.to_owned()
                } else {
                    words.span(start, end).to_lowercase()
                },
                quantity,
                note: None,
            },
            from,
            to: end,
            known,
            named_by: end - i,
            made_of_other: other_dish && !kept_otherwise,
        });
        let len = end - i;
        // "a loaf of hovis": the variety said is the bread's note.
        let variety = (known && menu.is_variety(&keys[i..i + len]))
            .then(|| words.span(i, i + len).to_lowercase());
        // "nappies size 4": a size by its number, after the thing.
        // (Not "milk, 500g pack of cheese": the cheese's.)
        let size_after = (words.norm().get(i + len))
            .filter(|w| numbered_size(w))
            .filter(|_| !gap_has_stop(words, i + len - 1, i + len))
            .filter(|_| {
                let next = words.norm().get(i + len + 1).map(String::as_str);
                !matches!(next, Some("pack" | "packs" | "of"))
            })
            .cloned();
        let note: Vec<String> = (sizes.into_iter().chain(size_after.clone()))
            .map(|s| s.replace("size-", "size "))
            .chain(variety)
            .collect();
        if let Some(last) = found.last_mut() {
            if !note.is_empty() {
                last.item.note = Some(note.join(" "));
            }
            if size_after.is_some() {
                last.to += 1;
            }
        }
        i += len + usize::from(size_after.is_some());
    }
    // "2 pizzas: a margherita and a pepperoni", "fancy a curry. chicken
    // korma", "2 pizzas, one margherita one hawaiian": a heading, not a
    // thing more.
    let heads = |k: usize| {
        let head = &found[k];
        let said: Vec<String> = head.item.name.split_whitespace().map(item_key).collect();
        let gap = words
            .words
            .get(head.to.saturating_sub(1))
            .zip(words.words.get(head.to))
            .map_or("", |(a, b)| &words.text[a.end..b.start]);
        // The word said for it alone ("pizzas", "a curry").
        let kind = keys[head.to - head.named_by..head.to].join(" ");
        // Said by its kind ("coffees" for the latte), not by its name.
        let by_kind = kind != said.join(" ");
        let of_its_kind = |f: &Found| {
            (by_kind || f.item.name != head.item.name)
                && (names_its_kind(&said, &f.item.name)
                    || names_its_kind(std::slice::from_ref(&kind), &f.item.name)
                    || menu.is_kind_of(&kind, &f.item.name))
        };
        let rest = &found[k + 1..];
        let counted = head.item.quantity > 1
            && rest.iter().all(&of_its_kind)
            && rest.iter().map(|f| f.item.quantity).sum::<u32>() == head.item.quantity;
        // ("a pizza. pepperoni too": two; "pizza for 3: one pepperoni ...
        // plus 3 lemonades" adds the lemonades, not the pizza.)
        let upto = match rest.iter().position(|f| !of_its_kind(f)) {
            None => words.len(),
            Some(0) => head.to,
            Some(p) => rest[p - 1].to,
        };
        let adds = words.norm()[head.to..upto.max(head.to)]
            .iter()
            .any(|w| matches!(w.as_str(), "too" | "also" | "another" | "plus" | "well"));
        // ("pizza for 3 people: one pepperoni": the heading runs to its
        // colon.)
        let colon_before_next = rest.first().is_some_and(|next| {
            words
                .words
                .get(head.to.saturating_sub(1))
                .zip(words.words.get(next.from))
                .is_some_and(|(a, b)| {
                    let between = &words.text[a.end..b.start];
                    between.contains([':', '–']) || between.contains(" - ")
                })
        });
        // "in the mood for pizza, can I get a pepperoni", "I fancy a
        // curry, get me a butter chicken": the kind, then a dish of it
        // asked for in words of their own.
        let asked_for = rest.first().is_some_and(|next| {
            of_its_kind(next)
                && words.norm()[head.to..next.from].iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "get" | "have" | "order" | "want" | "like" | "take" | "grab"
                    )
                })
        });
        // "in the mood for pizza, a hawaiian one": the dish said as one of
        // the kind.
        let one_of_it = rest.first().is_some_and(|next| {
            of_its_kind(next) && words.norm().get(next.to).is_some_and(|w| w == "one")
        });
        // "fancy a curry tonight, butter chicken and naans": the kind
        // craved, then, after a comma, a dish of it.
        let craved = words.norm()[..head.from].iter().any(|w| {
            matches!(
                w.as_str(),
                "fancy" | "fancying" | "craving" | "crave" | "mood" | "feel" | "feeling"
            )
        });
        let then_a_dish = craved
            && rest.first().is_some_and(|next| {
                of_its_kind(next)
                    && words.text[words.words[head.to - 1].end..words.words[next.from].start]
                        .contains(',')
                    && !words.norm()[head.to..next.from]
                        .iter()
                        .any(|w| matches!(w.as_str(), "and" | "also" | "plus" | "with" | "too"))
            });
        let apart =
            (gap.contains([':', '.', '!', '-', '–']) || asked_for || one_of_it || then_a_dish)
                && !adds
                || counted;
        head.known && head.named_by == 1 && apart && rest.iter().any(of_its_kind)
            || (gap.contains(':') || colon_before_next && !adds) && rest.iter().any(of_its_kind)
    };
    if let Some(k) = (0..found.len()).find(|&k| heads(k)) {
        // ("2 large pizzas, one pepperoni one hawaiian": both large.)
        let head = found.remove(k);
        if let Some(note) = head.item.note {
            for f in found[k..].iter_mut().filter(|f| f.item.note.is_none()) {
                f.item.note = Some(note.clone());
            }
        }
    }
    // "a burger but not a cheeseburger", "not a margherita, just a
    // pizza": the kind said is another dish of it than the one ruled out,
    // never the kind's usual dish.
    // ("a coffee but not a latte": the word said for the latte is the
    // kind.)
    for f in found.iter_mut().filter(|f| f.known && !ruled.is_empty()) {
        let said = keys[f.to - f.named_by..f.to].join(" ");
        let kind = match menu.names.contains(&f.item.name) {
            false => f.item.name.clone(),
            true if ruled.contains(&f.item.name) && said != key_words(&f.item.name).join(" ") => {
                said
            }
            true => continue,
        };
        if let Some(other) = menu.other_of_kind(&kind, &ruled) {
            other.clone_into(&mut f.item.name);
        }
    }
    counts_after(words, menu, taken, &mut found);
    // Extras after each item, up to the next item or the end of its phrase.
    for k in 0..found.len() {
        let limit = found.get(k + 1).map_or(words.len(), |next| next.from);
        let extras = extras_after(words, found[k].to, limit, taken);
        if let Some((extra, to)) = extras {
            let note = match found[k].item.note.take() {
                Some(sizes) => format!("{sizes}, {extra}"),
                None => extra,
            };
            found[k].item.note = Some(note);
            found[k].to = to;
        }
    }
    // "hamburger to home, no onions", "green curry to home (mild
    // please)": a note set off at the end, after where it goes or a
    // please, is the one item's.
    for k in 0..found.len() {
        let limit = found.get(k + 1).map_or(words.len(), |next| next.from);
        if let Some((note, _)) = set_off_note(words, found[k].to, limit) {
            let f = &mut found[k];
            f.item.note = Some(match f.item.note.take() {
                Some(sizes) if !sizes.contains(&note) => format!("{sizes}, {note}"),
                Some(sizes) => sizes,
                None => note,
            });
        }
    }
    // "x2 on the naan", "x3 of the samosas": the count said first.
    let w = words.norm();
    for f in &mut found {
        let at = |k: usize| {
            f.from
                .checked_sub(k)
                .and_then(|i| w.get(i))
                .map(String::as_str)
        };
        let times = |x: &str| {
            x.strip_prefix('x')
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n > 0)
        };
        let n = match (at(3), at(2), at(1)) {
            (Some(x), Some("on" | "of" | "for"), Some("the")) => times(x),
            (_, Some(x), Some("on" | "of" | "for")) => times(x),
            _ => None,
        };
        if let Some(n) = n {
            f.item.quantity = match f.known {
                true => menu.counted_after(&f.item.name, n),
                false => n,
            };
        }
    }
    // "x2", "x 2" or "times two" after an item (or after the form it
    // comes in: "salmon fillets x2", "sourdough loaves x2").
    const FORMS: &[&str] = &[
        "fillet", "fillets", "loaf", "loaves", "piece", "pieces", "slice", "slices", "portion",
        "portions", "steak", "steaks", "bottle", "bottles", "pack", "packs", "packet", "packets",
        "tin", "tins", "can", "cans", "bag", "bags", "box", "boxes", "jar", "jars", "carton",
        "cartons", "tub", "tubs", "bunch", "bunches",
    ];
    for f in &mut found {
        let w = words.norm();
        let form = (w.get(f.to)).is_some_and(|x| FORMS.contains(&x.as_str()))
            && !gap_has_stop(words, f.to - 1, f.to)
            && (w.get(f.to + 1)).is_some_and(|x| {
                x == "x" || x == "times" || x.strip_prefix('x').and_then(number).is_some()
            });
        let Some(next) = w.get(f.to + usize::from(form)) else {
            continue;
        };
        f.to += usize::from(form);
        let times = next
            .strip_prefix('x')
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| *n > 0)
            .map(|n| (n, 1))
            .or_else(|| {
                let n = w.get(f.to + 1).and_then(|n| number(n)).filter(|n| *n > 0);
                n.filter(|_| matches!(next.as_str(), "x" | "times"))
                    .map(|n| (n, 2))
            });
        // "make the milk 2": a count that ends the words.
        let last = (f.to + 1..w.len()).all(|k| {
            matches!(
                w[k].as_str(),
                "please" | "pls" | "instead" | "thanks" | "then" | "now"
            )
        });
        let ending = number(next).filter(|n| *n > 0 && last).map(|n| (n, 1));
        if let Some((n, took)) = times.or(ending) {
            f.item.quantity = match f.known {
                true => menu.counted_after(&f.item.name, n),
                false => n,
            };
            f.to += took;
        }
    }
    // "a latte to work x2", "a hamburger to home times 2": a multiple at
    // the very end, after where it goes, counts the one thing said.
    if let [only] = found.as_mut_slice()
        && only.item.quantity == 1
        && let Some(n) = multiple_at_end(words, only.to, &free)
    {
        only.item.quantity = match only.known {
            true => menu.counted_after(&only.item.name, n),
            false => n,
        };
    }
    // "burgers for the team, 5 of them", "pizzas margherita, two of them":
    // a count of "them" after the things, said apart from the next thing,
    // counts the things named last (for things sold by the pack, as the
    // things: "eggs, 24 of them" is two boxes).
    let w = words.norm();
    for k in 0..w.len().saturating_sub(2) {
        let of_them = w[k + 1] == "of" && matches!(w[k + 2].as_str(), "them" | "those" | "these");
        let ends = w
            .get(k + 3)
            .is_none_or(|next| gap_has_stop(words, k + 2, k + 3) || !continues_dish(next));
        let Some(n) = number(&w[k]).filter(|n| *n > 0 && of_them && ends) else {
            continue;
        };
        if let Some(last) = found.iter_mut().rev().find(|f| f.to <= k) {
            // ("churros, 12 of them": pieces of a portion, as a count
            // said before them would be.)
            let pieces = menu.portions(&last.item.name, n, &[]);
            last.item.quantity = match (last.known, pieces) {
                (true, Some(portions)) => portions,
                (true, None) => menu.counted_after(&last.item.name, n),
                (false, _) => n,
            };
        }
    }
    // "2 kormas with a naan each": one for each of the things before;
    // "there are 4 of us, a pepperoni pizza each": one for each of them.
    // ("lunch for 3 at work, a poke bowl each", "me and my mate: a naan
    // each": the people said anywhere.)
    let w = words.norm();
    let us = (0..w.len().saturating_sub(2)).find_map(|k| {
        (w[k + 1] == "of" && w[k + 2] == "us")
            .then(|| number(&w[k]))
            .flatten()
    });
    let people = us
        .or_else(|| company(words))
        .or_else(|| party(words))
        .or_else(|| {
            (1..w.len()).find_map(|k| {
                let next = w.get(k + 1).map_or("", String::as_str);
                (w[k - 1] == "for"
                    && !matches!(next, "am" | "pm" | "hours" | "hour" | "minutes" | "mins"))
                .then(|| number(&w[k]))
                .flatten()
            })
        })
        .filter(|n| (2..=20).contains(n));
    for k in 0..found.len() {
        let each = w.get(found[k].to).is_some_and(|x| x == "each");
        if !each {
            continue;
        }
        // "4 of us, 2 chicken tacos each": so many for every one.
        if found[k].item.quantity != 1 {
            if let Some(n) = people {
                found[k].item.quantity *= n;
            }
            continue;
        }
        let with_the = k > 0
            && w[found[k - 1].to..found[k].from]
                .iter()
                .any(|x| x == "with");
        let n = match with_the {
            true => Some(found[k - 1].item.quantity),
            false => people,
        };
        let Some(n) = n else { continue };
        found[k].item.quantity = n;
        // "butter chicken and a naan each": every thing of its list, back
        // to the list's start.
        if !with_the {
            let mut j = k;
            while j > 0
                && found[j - 1].item.quantity == 1
                && !gap_has_stop(words, found[j - 1].to.saturating_sub(1), found[j].from)
                && w[found[j - 1].to..found[j].from]
                    .iter()
                    .all(|x| matches!(x.as_str(), "and" | "a" | "an" | "with" | "plus" | "some"))
            {
                found[j - 1].item.quantity = n;
                j -= 1;
            }
        }
    }
    // "shampoo and toothpaste, 2 of each": every thing named before it;
    // "two of each: nigiri and a california roll", "2 of each of the
    // burger and the shake": every thing named after it, when none was
    // before.
    for k in 0..w.len().saturating_sub(2) {
        let each = w[k + 1] == "of" && matches!(w[k + 2].as_str(), "each" | "both" | "everything");
        let Some(n) = number(&w[k]).filter(|n| *n > 0 && each) else {
            continue;
        };
        let before = found.iter().any(|f| f.to <= k);
        for f in found
            .iter_mut()
            .filter(|f| if before { f.to <= k } else { f.from > k + 2 })
        {
            f.item.quantity = match f.known {
                true => menu.counted_after(&f.item.name, n),
                false => n,
            };
        }
    }
    // "cheeseburger and milkshake x2 each": the count of the last, and
    // "each", go for every thing of the list.
    if let Some(last) = found.last()
        && found.len() > 1
        && w.get(last.to).is_some_and(|x| x == "each")
        && !taken.get(last.to).copied().unwrap_or(false)
        && company(words).is_none()
    {
        let n = last.item.quantity;
        let start = last.from;
        for f in found
            .iter_mut()
            .filter(|f| f.to <= start && f.item.quantity == 1)
        {
            f.item.quantity = match f.known {
                true => menu.counted_after(&f.item.name, n),
                false => n,
            };
        }
    }
    // "one of each taco", "2 of each curry": every dish of that kind
    // (not "two of each, burger barn to work": a clause of its own).
    for k in 0..w.len().saturating_sub(3) {
        let Some(n) = number(&w[k]).filter(|n| *n > 0) else {
            continue;
        };
        let clause_ends = gap_has_stop(words, k + 2, k + 3)
            || (words.words.get(k + 2)).is_some_and(|x| words.text[x.end..].starts_with(':'));
        if w[k + 1] != "of" || w[k + 2] != "each" || clause_ends {
            continue;
        }
        let names = menu.all_of(&item_key(&w[k + 3]));
        if names.len() < 2 {
            continue;
        }
        // (Whatever was read of the kind's word goes: "taco", "beef taco".)
        let of_it = |f: &Found| f.from <= k + 3 && k + 3 < f.to;
        let from = found
            .iter()
            .filter(|f| of_it(f))
            .map(|f| f.from)
            .fold(k, usize::min);
        let to = found
            .iter()
            .filter(|f| of_it(f))
            .map(|f| f.to)
            .fold(k + 4, usize::max);
        found.retain(|f| !of_it(f));
        let place = found
            .iter()
            .position(|f| f.from >= to)
            .unwrap_or(found.len());
        for (j, name) in names.into_iter().enumerate() {
            found.insert(
                place + j,
                Found {
                    item: ItemRequest::new(name, n),
                    from,
                    to,
                    known: true,
                    named_by: 1,
                    made_of_other: false,
                },
            );
        }
        break;
    }
    // "a curry and pilau rice": a word of a kind of thing the menu does not
    // name alone, after words it does not know, is a dish asked for, known
    // or not.
    let w = words.norm();
    for i in 1..w.len() {
        let inside = |k: usize| found.iter().any(|f| f.from <= k && k < f.to);
        if !menu.is_kind(&keys[i]) || !free(i) || inside(i) || menu.at(&keys, i).is_some() {
            continue;
        }
        let unknown = |k: usize| {
            free(k)
                && !inside(k)
                && continues_dish(&w[k])
                && describes(&w[k])
                && menu.at(&keys, k).is_none()
                && !gap_has_stop(words, k, k + 1)
        };
        let mut start = i;
        while start > 0 && i - start < 2 && unknown(start - 1) {
            start -= 1;
        }
        let introduced = introduces(words, start);
        // "add a drink", "and a dessert": the kind alone, for the shop
        // to choose one of.
        let alone = start == i && i > 0 && matches!(w[i - 1].as_str(), "a" | "an" | "some");
        if (start == i && !alone) || !introduced {
            continue;
        }
        said_unknown(words, &mut found, start, i + 1);
    }
    // "make it 3 loaves", "2 pints please": a unit said alone for the one
    // thing it measures, when the menu sells that thing.
    let w = words.norm();
    for i in 0..w.len() {
        let Some((_, thing)) = MEASURES_ONE_THING.iter().find(|(unit, _)| *unit == w[i]) else {
            continue;
        };
        let Some(name) = menu.names(thing) else {
            continue;
        };
        let said_alone = w.get(i + 1).is_none_or(|next| next != "of")
            && !found.iter().any(|f| f.from <= i + 1 && i < f.to);
        // ("a loaf" is bread; "a pint" alone may be a beer.)
        let counted = i > 0
            && (number(&w[i - 1]).is_some()
                || matches!(w[i - 1].as_str(), "a" | "an") && *thing == "bread");
        if !free(i) || !said_alone || !counted {
            continue;
        }
        let (quantity, from, _) = amount_before(words, i, 0);
        let at = found.partition_point(|f| f.from < from);
        found.insert(
            at,
            Found {
                item: ItemRequest::new(name.to_owned(), quantity),
                from,
                to: i + 1,
                known: true,
                named_by: 1,
                made_of_other: false,
            },
        );
    }
    let w = words.norm();
    // "a jar of sauce": whatever follows a pack and "of" is a thing asked
    // for, known or not (the shop then says it has none). So is what
    // follows a count written as lists write it ("2x satay", "2 x satay").
    for i in 0..w.len().saturating_sub(1) {
        let packed = UNITS.contains(&w[i].as_str())
            && !matches!(
                w[i].as_str(),
                "order" | "piece" | "pieces" | "slice" | "slices"
            )
            && w[i + 1] == "of";
        let listed = listed_count(w, i);
        let start = match (packed, listed) {
            (true, _) => i + 2,
            (false, Some((_, took))) => i + took,
            (false, None) => continue,
        };
        if start >= w.len() || !free(start) || found.iter().any(|f| f.from <= start && start < f.to)
        {
            continue;
        }
        let mut end = start;
        while end < w.len()
            && free(end)
            && (end == start || !gap_has_stop(words, end - 1, end))
            && continues_dish(&w[end])
        {
            end += 1;
        }
        if end == start {
            continue;
        }
        said_unknown(words, &mut found, start, end);
    }
    // "carbonara and garlic bread", "garlic bread and carbonara": words
    // the menu does not know, listed with a thing it has, are a thing
    // asked for, known or not (so the shop can say it has none).
    let w = words.norm();
    let joined_at = |k: usize| k < w.len() && w[k] == "and";
    let colon =
        |k: usize| k > 0 && words.text[words.words[k - 1].end..words.words[k].start].contains(':');
    let mut listed = Vec::new();
    for f in &found {
        // Before: "<intro> X and <thing>".
        if f.from >= 2 && w[f.from - 1] == "and" {
            listed.push((f.from - 1, false));
        }
        // After: "<thing> and X", "<thing>, X".
        if f.to < w.len() && joined_at(f.to) {
            listed.push((f.to + usize::from(w[f.to] == "and"), true));
        }
    }
    for (at, forward) in listed {
        let inside = |k: usize| found.iter().any(|g| g.from <= k && k < g.to);
        let unknown = |k: usize| {
            free(k)
                && !inside(k)
                && continues_dish(&w[k])
                && describes(&w[k])
                && menu.at(&keys, k).is_none()
        };
        let (start, end) = if forward {
            // Past its amount ("and 2 tiramisu", "and a tiramisu", "and a
            // couple of poppadoms", "and a few poppadoms").
            let mut at = at;
            while at < w.len()
                && (number(&w[at]).is_some()
                    || matches!(
                        w[at].as_str(),
                        "a" | "an" | "some" | "few" | "couple" | "pair"
                    )
                    || at > 0 && w[at] == "of" && matches!(w[at - 1].as_str(), "couple" | "pair"))
            {
                at += 1;
            }
            let mut end = at;
            while end < w.len()
                && end - at < 3
                && unknown(end)
                && !(end > at && gap_has_stop(words, end - 1, end))
            {
                end += 1;
            }
            // "kitchen roll", "bin bags": a unit word after a describing
            // one is what the thing is, not its amount ("a roll of" is).
            let head = end > at
                && end < w.len()
                && is_unit(&w[end])
                && free(end)
                && !inside(end)
                && !gap_has_stop(words, end - 1, end)
                && w.get(end + 1).is_none_or(|next| next != "of");
            if head {
                end += 1;
            }
            let ends = end == w.len()
                || w[end] == "and"
                || gap_has_stop(words, end - 1, end)
                || matches!(w[end].as_str(), "to" | "from" | "for" | "please");
            if !ends {
                continue;
            }
            (at, end)
        } else {
            // ("bread, jam, and batteries": a comma before the "and" of
            // a list's last thing ends no thing.)
            let listed_comma = |k: usize| {
                k == at && words.text[words.words[k - 1].end..words.words[k].start].trim() == ","
            };
            let mut start = at;
            while start > 0
                && at - start < 3
                && unknown(start - 1)
                && (!gap_has_stop(words, start - 1, start) || listed_comma(start))
                && !colon(start)
            {
                start -= 1;
            }
            (start, at)
        };
        // (Nothing after a list's last "and": no thing.)
        if start >= end {
            continue;
        }
        let introduced = introduces(words, start);
        let head = forward && end > start + 1 && is_unit(&w[end - 1]);
        let words_unknown = start..end - usize::from(head);
        if !introduced || words_unknown.clone().any(|k| !unknown(k)) {
            continue;
        }
        said_unknown(words, &mut found, start, end);
    }
    compound_things(words, menu, &mut found);
    found
}

/// Things that are said in the singular, right before another thing,
/// to say what that thing is made of: "apple juice", "banana bread",
/// "chicken soup" (a list of them says each: "apple, banana").
const MAKES_A_THING: &[&str] = &[
    "apple",
    "banana",
    "orange",
    "lemon",
    "lime",
    "strawberry",
    "coconut",
    "tomato",
    "potato",
    "onion",
    "carrot",
    "mushroom",
    "avocado",
    "egg",
    "chicken",
    "beef",
    "pork",
    "lamb",
    "fish",
    "peanut",
];

/// "apple juice", "banana bread", "egg noodles": a thing said in the
/// singular right before another is what that other is made of, and the
/// two are one thing, kept as said (the shop says whether it has it),
/// never an apple and the shop's juice.
fn compound_things(words: &Words, menu: &Menu, found: &mut Vec<Found>) {
    let w = words.norm();
    let mut k = 0;
    while k + 1 < found.len() {
        let (first, second) = (&found[k], &found[k + 1]);
        let made_of = &w[first.to - 1];
        let then = &w[second.from];
        // ("apple bananas", "tomato potato onion": a list of such things.)
        let joined = first.to == second.from
            && first.named_by == 1
            && !gap_has_stop(words, first.to - 1, second.from)
            && MAKES_A_THING.contains(&made_of.as_str())
            && !MAKES_A_THING.contains(&then.as_str())
            && !MAKES_A_THING.contains(&then.trim_end_matches('s'));
        if !joined {
            k += 1;
            continue;
        }
        let said = words.span(first.to - 1, second.to).to_lowercase();
        let (known, name) = match menu.names(&said) {
            Some(name) => (true, name.to_owned()),
            None => (false, said),
        };
        let merged = Found {
            item: ItemRequest::new(name, first.item.quantity),
            from: first.from,
            to: second.to,
            known,
            named_by: second.to - (first.to - 1),
            // (Not the shop's own, but of its kind.)
            made_of_other: !known,
        };
        found.splice(k..k + 2, [merged]);
        k += 1;
    }
}

/// Puts a thing no menu name covers, said at words `start..end`, among
/// `found` in its place, with the amount said before it: the shop then
/// says it has none, by name.
fn said_unknown(words: &Words, found: &mut Vec<Found>, start: usize, end: usize) {
    let floor = (found.iter())
        .filter(|f| f.to <= start)
        .map(|f| f.to)
        .max()
        .unwrap_or(0);
    let (quantity, from, _) = amount_before(words, start, floor);
    let at = found.partition_point(|f| f.from < from);
    found.insert(
        at,
        Found {
            item: ItemRequest {
                name: words.span(start, end).to_lowercase(),
                quantity,
                note: None,
            },
            from,
            to: end,
            known: false,
            named_by: end - start,
            made_of_other: false,
        },
    );
}

/// Whether words said from `start` are said as a thing is: first, or
/// after an article, a count, a joint, a word of asking, a comma or a
/// colon ("and pilau rice", "order carbonara", never "i have rice").
fn introduces(words: &Words, start: usize) -> bool {
    let w = words.norm();
    start == 0
        || gap_has_stop(words, start - 1, start)
        || words.text[words.words[start - 1].end..words.words[start].start].contains(':')
        || number(&w[start - 1]).is_some()
        || start >= 2 && w[start - 1] == "of" && matches!(w[start - 2].as_str(), "couple" | "pair")
        || matches!(
            w[start - 1].as_str(),
            "a" | "an"
                | "some"
                | "few"
                | "several"
                | "the"
                | "and"
                | "with"
                | "plus"
                | "order"
                | "get"
                | "want"
                | "need"
                | "have"
                | "buy"
                | "like"
                | "grab"
                | "fetch"
                | "send"
                | "me"
                | "us"
        )
}

/// What a dish is made of, in groups of the words that say the same.
const MADE_OF: &[&[&str]] = &[
    &["chicken"],
    &["beef"],
    &["lamb"],
    &["pork"],
    &["duck"],
    &["turkey"],
    &["ham"],
    &["bacon"],
    &["fish"],
    &["salmon"],
    &["tuna"],
    &["prawn", "prawns", "shrimp"],
    &["tofu"],
    &["paneer"],
    &["halloumi"],
    &["mushroom", "mushrooms"],
    &["veggie", "vegetable", "vegetables", "vegetarian", "vegan"],
    // Another thing altogether: "peanut butter" is no butter, "sweet
    // potatoes" no potatoes.
    &["peanut", "peanuts"],
    &["sweet"],
];

/// How big a thing is made: never what kind of thing it is.
const HOW_BIG: &[&str] = &[
    "small",
    "medium",
    "large",
    "regular",
    "big",
    "huge",
    "extra",
    "extra-large",
    "jumbo",
    "mini",
];

/// Whether `word` says how big a thing is made ("small", "extra-large").
pub(crate) fn says_how_big(word: &str) -> bool {
    HOW_BIG.contains(&word)
}

/// Words said before a thing that, besides how big it is, never make it
/// another dish: how hot, how served, how made.
const SAME_DISH: &[&str] = &[
    "spicy", "mild", "hot", "iced", "cold", "warm", "fresh", "toasted", "plain", "decaf", "skinny",
    "halal", "kosher",
];

/// Whether the kinds said before the `said` words of a thing (`sizes`)
/// name another kind than the menu gives it: "muffin" is the menu's
/// "blueberry muffin", so a "chocolate muffin" is another muffin; and the
/// menu's burritos are chicken and beef, so a "bean burrito" is neither.
/// Only when the menu's name adds a kind to the words said ("pizza" of
/// "margherita pizza"; not "chips" of "fries"), or the words are a kind
/// of several of its dishes.
fn said_of_another_kind(menu: &Menu, said: &[String], name: &str, sizes: &[String]) -> bool {
    let named = key_words(name);
    let adds_a_kind = named.len() > said.len() && named.ends_with(said);
    let of_several = matches!(said, [head] if menu.all_of(head).len() > 1);
    (adds_a_kind || of_several)
        && sizes.iter().any(|s| {
            // (What it is made of that its name says too is no other kind:
            // "veggie" of the vegetable biryani.)
            let same_made_of = says_made_of(s) && !made_of_other(s, name);
            let same_kind = says_how_big(s)
                || SAME_DISH.contains(&s.as_str())
                || s.ends_with("-free")
                || numbered_size(s)
                || named.contains(s)
                || same_made_of;
            !same_kind
        })
}

/// Words that say a thing is kept another way than the menu's ("frozen
/// chips" are no fries, "tinned tomatoes" no fresh ones): another thing,
/// of no menu that lacks it.
const KEPT: &[&str] = &["frozen", "tinned", "canned"];

/// Whether `word`, said right before the menu's `name`, says the dish is
/// made of something its name does not ("lamb" before the vegetable
/// biryani, "prawn" before the chicken ramen).
/// Whether `word` says what a dish is made of ("beef", "veggie", "prawn").
pub(crate) fn says_made_of(word: &str) -> bool {
    MADE_OF.iter().any(|group| group.contains(&word))
}

fn made_of_other(word: &str, name: &str) -> bool {
    let Some(group) = MADE_OF.iter().find(|g| g.contains(&word)) else {
        return false;
    };
    !name.split_whitespace().any(|part| group.contains(&part))
}

/// A count at `i` written as a list writes it ("2x", "2 x"): the count and
/// how many words it takes.
/// "milk 2, bread 1", "eggs 3 bacon 2": counts written after their
/// things, as a list is. A count right after a thing and before a comma,
/// an "and" or the end is that thing's; with no commas ("milk 2 bread 2")
/// the last thing's count at the end says every count is after its thing.
fn counts_after(words: &Words, menu: &Menu, taken: &[bool], found: &mut [Found]) {
    let w = words.norm();
    let plain = |i: usize| {
        (w.get(i)).is_some_and(|x| x.bytes().all(|b| b.is_ascii_digit()))
            && !taken.get(i).copied().unwrap_or(false)
            && number(&w[i]).is_some_and(|n| n > 0 && n < 100)
    };
    let ends_at = |t: usize| {
        t + 1 == w.len()
            || gap_has_stop(words, t, t + 1)
            || matches!(
                w[t + 1].as_str(),
                "and" | "to" | "please" | "thanks" | "for" | "home" | "delivered"
            )
    };
    let counted = |f: &Found, n: u32| menu.packs(&f.item.name, n, &[]);
    // Without commas: every thing after the first counted by the number
    // before it, which is the thing before's, and a number at the end.
    if let (Some(first), Some(last)) = (found.first(), found.last())
        && found.len() > 1
        && !plain(first.from)
        && first.item.quantity == 1
        && plain(last.to)
        && ends_at(last.to)
        && found
            .windows(2)
            .all(|p| p[1].from == p[0].to && plain(p[1].from))
    {
        for k in 0..found.len() {
            let at = if k + 1 < found.len() {
                found[k + 1].from
            } else {
                found[k].to
            };
            let n = number(&w[at]).unwrap_or(1);
            found[k].item.quantity = counted(&found[k], n);
            if k + 1 < found.len() {
                found[k + 1].from += 1;
            } else {
                found[k].to += 1;
            }
        }
        return;
    }
    // ("milk 2 bottles", "water, 6 bottles", "milk 2 pints", "eggs 2
    // dozen": the count's unit goes with it.)
    let unit = |i: usize| {
        w.get(i)
            .is_some_and(|x| is_unit(x) && !matches!(x.as_str(), "order" | "orders"))
    };
    for k in 0..found.len() {
        let t = found[k].to;
        let next_from = found.get(k + 1).map_or(w.len(), |f| f.from);
        let boxed = unit(t + 1) && t + 1 < next_from && ends_at(t + 1);
        if found[k].item.quantity == 1
            && !plain(found[k].from)
            && plain(t)
            && t < next_from
            && (ends_at(t) || boxed)
        {
            let n = number(&w[t]).unwrap_or(1);
            let name = &found[k].item.name;
            found[k].item.quantity = match boxed {
                // ("eggs 2 dozen" are 24 eggs.)
                true if w[t + 1] == "dozen" => menu.packs(name, n.saturating_mul(12), &[]),
                true if found[k].known => menu.packs(name, n, &w[t..t + 2]),
                true => n,
                false => counted(&found[k], n),
            };
            found[k].to = if boxed { t + 2 } else { t + 1 };
        }
    }
}

/// A multiple that ends the words after word `after` ("x2", "x 2",
/// "times 2", "2x", "twice", then a "please" at most; "to work, x2"
/// too), each of its words `free`.
fn multiple_at_end(words: &Words, after: usize, free: &impl Fn(usize) -> bool) -> Option<u32> {
    let w = words.norm();
    let mut end = w.len();
    while end > after && matches!(w[end - 1].as_str(), "please" | "pls" | "thanks" | "thx") {
        end -= 1;
    }
    let word = |i: usize| w.get(i).map_or("", String::as_str);
    let counted = |n: u32| (n > 1 && n < 100).then_some(n);
    let (n, from) = match end.checked_sub(after + 2) {
        // ("fries to home twice".)
        _ if end > after + 1 && word(end - 1) == "twice" => (2, end - 1),
        Some(_) if matches!(word(end - 2), "x" | "times") => (number(word(end - 1))?, end - 2),
        _ if end > after + 1 => {
            let last = word(end - 1);
            let n = (last.strip_prefix('x').or_else(|| last.strip_suffix('x')))
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(number)?;
            (n, end - 1)
        }
        _ => return None,
    };
    (from..end).all(free).then_some(())?;
    counted(n)
}

fn listed_count(w: &[String], i: usize) -> Option<(u32, usize)> {
    let glued = w[i].strip_suffix('x').and_then(number).filter(|n| *n > 0);
    let apart = number(&w[i])
        .filter(|n| *n > 0 && w.get(i + 1).is_some_and(|x| x == "x"))
        .map(|n| (n, 2));
    glued.map(|n| (n, 1)).or(apart)
}

/// Whether `word`, right after a menu's words, makes the dish another
/// one ("katsu" after "chicken"), rather than ending it.
pub fn continues_dish(word: &str) -> bool {
    word.len() >= 3
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && !AFTER_ITEM.contains(&word)
        && !is_size(word)
        && !UNITS.contains(&word)
        && !EXTRA_OPENERS.contains(&word)
        && !EXTRA_ENDS.contains(&word)
        && number(word).is_none()
}

/// The quantity said before the item at `at` (not before `floor`), where
/// the amount starts, and the sizes said between.
fn amount_before(words: &Words, at: usize, floor: usize) -> (u32, usize, Vec<String>) {
    let w = words.norm();
    // ("latte 2, croissant", "eggs 2 dozen, milk": the count before the
    // comma is the thing's before it.)
    if at > floor && gap_has_stop(words, at - 1, at) {
        return (1, at, Vec::new());
    }
    let mut i = at;
    let mut sizes = Vec::new();
    // Sizes right before the item ("large", "extra large").
    while i > floor && is_size(&w[i - 1]) {
        sizes.insert(0, w[i - 1].clone());
        i -= 1;
    }
    if i > floor && w[i - 1] == "extra" && !sizes.is_empty() {
        sizes.insert(0, "extra".into());
        i -= 1;
    }
    // "2 6-piece wings": how many pieces each portion is, never a count.
    if i > floor && pieces_each(&w[i - 1]).is_some() {
        i -= 1;
    }
    // A kind no list has, between a count and the item ("two garlic
    // naans", "3 peshwari naans", "an oat milk latte", "a well done
    // burger"): a note of the item, the count its own. (Not "3 lemons,
    // salmon": a list's thing of its own.)
    let described = (1..=3).find(|&k| {
        i > floor + k
            && counts(&w[i - k - 1])
            && (i - k..i).all(|j| describes(&w[j]) && !gap_has_stop(words, j, j + 1))
    });
    if let Some(k) = described {
        for j in (i - k..i).rev() {
            sizes.insert(0, w[j].clone());
        }
        i -= k;
    } else if i >= floor + 2 && w[i - 1] == "more" && counts(&w[i - 2]) {
        // "2 more naans" are 2.
        i -= 1;
    } else if i >= floor + 3
        && matches!(w[i - 1].as_str(), "the" | "those" | "these")
        && w[i - 2] == "of"
        && number(&w[i - 3]).is_some_and(|n| n > 1)
    {
        // "2 of the pepperoni pizzas", "three of those naans": as many.
        i -= 2;
    }
    // "a dozen and a half eggs": eighteen.
    if i >= floor + 5
        && w[i - 4..i] == ["dozen", "and", "a", "half"]
        && matches!(w[i - 5].as_str(), "a" | "one")
    {
        return (18, i - 5, sizes);
    }
    // "a dozen dumplings", "half a dozen samosas", "two dozen".
    if i > floor && w[i - 1] == "dozen" {
        let d = i - 1;
        let before = |k: usize| (d >= floor + k).then(|| w[d - k].as_str());
        return match (before(2), before(1)) {
            (Some("half"), Some("a")) => (6, d - 2, sizes),
            (_, Some("a" | "one")) => (12, d - 1, sizes),
            (_, Some(n)) if number(n).is_some_and(|n| n > 0 && n < 10) => {
                (12 * number(n).unwrap_or(1), d - 1, sizes)
            }
            _ => (12, d, sizes),
        };
    }
    // "2 litres of", "a bag of", "2 boxes of".
    let mut unit = false;
    if i > floor && w[i - 1] == "of" {
        if i >= floor + 2 && is_unit(&w[i - 2]) {
            unit = true;
            i -= 2;
        } else if i >= floor + 3 && w[i - 3] == "a" && w[i - 2] == "couple" {
            return (2, i - 3, sizes);
        } else if i >= floor + 2 && matches!(w[i - 2].as_str(), "couple" | "pair") {
            let start = if i >= floor + 3 && w[i - 3] == "a" {
                i - 3
            } else {
                i - 2
            };
            return (2, start, sizes);
        }
    } else if i > floor && is_unit(&w[i - 1]) && w[i - 1] != "order" {
        // "2 litre milk", "a dozen eggs".
        unit = true;
        i -= 1;
    }
    // "two 500g packs of pasta": how much each holds, between the count
    // and the pack.
    let sized_before_item = sizes.len();
    if unit {
        while i > floor && measured(&w[i - 1]) {
            sizes.insert(0, w[i - 1].clone());
            i -= 1;
        }
    }
    if i == floor {
        let start = match sizes.len() > sized_before_item {
            true => i,
            false => at - sizes.len(),
        };
        return (1, start, sizes);
    }
    let before = w[i - 1].as_str();
    let counted = |n: u32, start: usize| (n, start, sizes.clone());
    match before {
        "a" | "an" | "one" | "single" | "another" => counted(1, i - 1),
        "some" if !unit => counted(1, i - 1),
        "few" if !unit => {
            let start = if i >= floor + 2 && w[i - 2] == "a" {
                i - 2
            } else {
                i - 1
            };
            counted(3, start)
        }
        "couple" | "pair" => {
            let start = if i >= floor + 2 && w[i - 2] == "a" {
                i - 2
            } else {
                i - 1
            };
            counted(2, start)
        }
        "half" if w.get(i).map(String::as_str) == Some("dozen") => counted(1, i - 1),
        // "a couple of pints of milk", "a few bags of ice".
        "of" if unit
            && i >= floor + 2
            && matches!(w[i - 2].as_str(), "couple" | "pair" | "few") =>
        {
            let n = if w[i - 2] == "few" { 3 } else { 2 };
            let start = if i >= floor + 3 && w[i - 3] == "a" {
                i - 3
            } else {
                i - 2
            };
            counted(n, start)
        }
        // "2x margherita", "2 x margherita", as a list is written.
        word if word
            .strip_suffix('x')
            .and_then(number)
            .is_some_and(|n| n > 0) =>
        {
            counted(word.strip_suffix('x').and_then(number).unwrap_or(1), i - 1)
        }
        // "x2 pad thai" (never the "x3," that ends "pasta x3, coffee").
        word if word
            .strip_prefix('x')
            .and_then(number)
            .is_some_and(|n| n > 0 && n < 100)
            && !gap_has_stop(words, i - 1, i) =>
        {
            counted(word.strip_prefix('x').and_then(number).unwrap_or(1), i - 1)
        }
        "x" if i >= floor + 2 && number(&w[i - 2]).is_some_and(|n| n > 0) => {
            counted(number(&w[i - 2]).unwrap_or(1), i - 2)
        }
        // "twenty four bottles".
        word if i >= floor + 2
            && number(word).is_some_and(|n| (1..10).contains(&n))
            && super::words::tens(&w[i - 2]).is_some() =>
        {
            let n = super::words::tens(&w[i - 2]).unwrap_or(0) + number(word).unwrap_or(0);
            counted(n, i - 2)
        }
        // "2 x 4 pints of milk": two of four pints, eight pints; "2 x 12
        // packs of eggs": two packs (the number before a pack is its size).
        word if unit
            && number(word).is_some_and(|n| n > 0)
            && i >= floor + 3
            && w[i - 2] == "x"
            && number(&w[i - 3]).is_some_and(|n| n > 0) =>
        {
            let each = match PACKAGES.contains(&w[i].as_str()) {
                true => 1,
                false => number(word).unwrap_or(1),
            };
            counted(number(&w[i - 3]).unwrap_or(1).saturating_mul(each), i - 3)
        }
        // "a 12 pack of eggs", "2 six packs of cola": the number before
        // the pack is its size, the count before it how many.
        word if unit && number(word).is_some() && i >= floor + 2 && counts(&w[i - 2]) => {
            counted(number(&w[i - 2]).unwrap_or(1).max(1), i - 2)
        }
        word => match number(word).filter(|n| *n > 0) {
            // A clock time ("at 5 pizzas" is not) or a house number stays;
            // so does the count of the thing before a comma ("milk 2,
            // bread").
            Some(n)
                if !(i >= floor + 2 && matches!(w[i - 2].as_str(), "at" | "number")
                    || i > floor + 1 && gap_has_stop(words, i - 1, i)) =>
            {
                counted(n, i - 1)
            }
            _ => (1, if unit { i } else { at - sizes.len() }, sizes.clone()),
        },
    }
}

/// Whether `word` can say what kind an item is: a word of letters, not
/// one of asking, pointing, joining or amounting ("more", "of", "those").
fn describes(word: &str) -> bool {
    const NOT_A_KIND: &[&str] = &[
        "and",
        "or",
        "with",
        "the",
        "to",
        "from",
        "for",
        "me",
        "us",
        "some",
        "of",
        "my",
        "our",
        "your",
        "please",
        "get",
        "order",
        "buy",
        "want",
        "need",
        "like",
        "add",
        "also",
        "then",
        "plus",
        "more",
        "other",
        "others",
        "those",
        "these",
        "them",
        "their",
        "each",
        "x",
        "times",
        "dozen",
        "lots",
        "lot",
        "few",
        "couple",
        "pair",
        "at",
        "by",
        "in",
        "on",
        "less",
        "same",
        "another",
        "different",
        "separate",
        "whole",
        "half",
        "nothing",
        "else",
        "anything",
        "everything",
        "that",
        "all",
    ];
    // What a number measures is no count: "a 9 volt battery", "a 12 inch
    // pizza".
    const MEASURES: &[&str] = &[
        "volt", "volts", "watt", "watts", "amp", "amps", "mah", "inch", "inches", "foot", "feet",
        "metre", "metres", "meter", "meters", "cm", "mm", "gb", "tb", "percent", "degree",
        "degrees", "ply", "count", "year", "years", "month", "months", "day", "days", "week",
        "weeks", "hour", "hours", "minute", "minutes", "person", "people", "seater", "pound",
        "pounds", "quid", "dollar", "dollars", "euro", "euros", "pence", "ounce", "ounces", "oz",
        "calorie", "calories", "piece", "pieces", "layer", "tier", "storey",
    ];
    word.len() >= 3
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && !NOT_A_KIND.contains(&word)
        && !MEASURES.contains(&word)
        && !UNITS.contains(&word)
        && number(word).is_none()
}

/// Whether `word` is a count said before an item ("two", "3", "a").
/// Whether `word` is a unit or a pack ("litres", "box", "12-pack").
/// Whether `word` says a size or kind of a thing ("large", "decaf",
/// "iced"), kept as its note.
pub(crate) fn is_size(word: &str) -> bool {
    SIZES.contains(&word) || numbered_size(word)
}

/// Whether `words` say only how a thing is made: sizes and kinds
/// ("mild", "extra hot", "large and iced"), at least one of them.
pub(crate) fn sizes_only<'a>(words: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for word in words {
        let word = word.to_lowercase();
        match is_size(&word) {
            true => any = true,
            false if matches!(word.as_str(), "extra" | "and") => {}
            false => return false,
        }
    }
    any
}

/// A size said by its number, as [`sized`] joins it: "size-4" (nappies),
/// "size-10" (clothes). Never a count.
/// The pieces a word says a portion is ("6-piece", "12pc").
fn pieces_each(word: &str) -> Option<u32> {
    let n = (word.strip_suffix("-piece"))
        .or_else(|| word.strip_suffix("pc"))
        .or_else(|| word.strip_suffix("-pc"))?;
    n.parse::<u32>().ok().filter(|n| *n > 0 && *n <= 100)
}

fn numbered_size(word: &str) -> bool {
    word.strip_prefix("size-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        || measured(word)
}

/// "a chicken tikka masala, mild, and 2 naans", "a pizza, gluten-free,
/// to home": how a thing is made, set off by commas, is that thing's note
/// (said in brackets after it), never a thing of its own.
pub fn noted_between_commas(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(',').collect();
    let mut out = String::new();
    let mut changed = false;
    for (k, part) in parts.iter().enumerate() {
        let how = part.trim().trim_end_matches(['.', '!']);
        let how = ["please", "pls", "thanks"].iter().fold(how, |how, tail| {
            how.strip_suffix(tail).unwrap_or(how).trim_end()
        });
        let how = how.strip_prefix("and ").unwrap_or(how);
        // ("gluten free" is "gluten-free".)
        let joined = how.replace(" free", "-free");
        if k > 0 && !out.trim().is_empty() && sizes_only(joined.split_whitespace()) {
            out.push_str(&format!(" ({joined})"));
            changed = true;
            continue;
        }
        if k > 0 {
            out.push(',');
        }
        out.push_str(part);
    }
    changed.then_some(out)
}

/// "500g pasta", "2 x 1kg rice": a measure said of a thing with no pack
/// named is a pack of it from the shop ("500g pack of pasta"), never a
/// dish of that name; `None` when no measure stands alone.
pub fn measured_packs(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split(' ').collect();
    let mut out = Vec::with_capacity(tokens.len() + 2);
    let mut changed = false;
    for (i, token) in tokens.iter().enumerate() {
        out.push(*token);
        let next = tokens.get(i + 1).map(|t| t.to_ascii_lowercase());
        if measured(&token.to_ascii_lowercase())
            && next
                .as_deref()
                .is_some_and(|n| n.chars().all(|c| c.is_alphabetic()) && !is_unit(n) && n != "of")
        {
            out.extend(["pack", "of"]);
            changed = true;
        }
        // ("milk, 500g of cheese": the cheese's measure, never the milk's.)
        let listed = i > 0 && (tokens[i - 1].ends_with(',') || tokens[i - 1] == "and");
        if listed && measured(&token.to_ascii_lowercase()) && next.as_deref() == Some("of") {
            out.push("pack");
            changed = true;
        }
    }
    changed.then(|| out.join(" "))
}

/// "500g", "330ml", "2l", "1.5kg": how much one of a thing holds, a size
/// of it (never a count).
fn measured(word: &str) -> bool {
    let unit_at = word
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|at| *at > 0);
    unit_at.is_some_and(|at| {
        word[..at].bytes().any(|b| b.is_ascii_digit())
            && matches!(
                &word[at..],
                "g" | "kg"
                    | "ml"
                    | "l"
                    | "cl"
                    | "ltr"
                    | "oz"
                    | "lb"
                    | "lbs"
                    | "litre"
                    | "litres"
                    | "-inch"
            )
    })
}

/// "1. milk 2. tea 3. sugar", "1) bread 2) eggs": a numbered list, its
/// numbers no counts. Only numbers that run 1, 2, 3... in order, each
/// with its "." or ")", are taken for the list's.
pub fn numbered_list(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let marker = |t: &str| {
        t.strip_suffix(['.', ')'])
            .and_then(|n| n.parse::<u32>().ok())
    };
    let mut next = 1;
    let mut marks = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if marker(t) == Some(next) {
            marks.push(i);
            next += 1;
        }
    }
    if marks.len() < 2 {
        return None;
    }
    let out: Vec<&str> = (tokens.iter().enumerate())
        .map(|(i, t)| match marks.contains(&i) {
            true if i == marks[0] => "",
            true => ",",
            false => t,
        })
        .collect();
    let joined = out.join(" ").replace(" ,", ",");
    Some(joined.trim().to_owned())
}

/// "size 4 nappies", "pampers size 5": each size said by its number
/// joined into one word ("size-4"), so the number is never read as how
/// many.
pub fn sized(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let numbered = |w: &str| {
        let n = w.trim_end_matches([',', '.', '!', '?', '+']);
        !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit())
    };
    let at = (0..words.len().saturating_sub(1))
        .filter(|&i| words[i].eq_ignore_ascii_case("size") && numbered(words[i + 1]))
        .collect::<Vec<_>>();
    if at.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        if at.contains(&i) {
            out.push(format!("size-{}", words[i + 1].replace('+', "")));
            i += 2;
        } else {
            out.push(words[i].to_owned());
            i += 1;
        }
    }
    Some(out.join(" "))
}

/// "a small and a large pepperoni pizza", "one chocolate, one vanilla
/// milkshake", "one beef and one chicken taco": sizes or kinds of one
/// thing said before it once, each its own line ("a small pepperoni pizza
/// and a large pepperoni pizza"). A word that is no size is a kind only
/// when `names` says the thing with it before is a thing sold ("beef
/// taco"), so "a milk and a chicken taco" stays as said.
pub fn kinds_of_one_thing(text: &str, names: impl Fn(&str) -> bool) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    if let Some(said) = kinds_said_bare(&words, &names) {
        return Some(said);
    }
    let bare = |i: usize| {
        words.get(i).map_or(String::new(), |w| {
            w.trim_end_matches([',', '.', '!', '?']).to_lowercase()
        })
    };
    let counted = |i: usize| counts(&bare(i));
    // (A size or kind, its count before it.)
    let kind = |i: usize| {
        let word = bare(i);
        i >= 1
            && counted(i - 1)
            && !word.is_empty()
            && (word.chars().all(|c| c.is_alphabetic() || c == '-') || numbered_size(&word))
            && !counts(&word)
            && !AFTER_ITEM.contains(&word.as_str())
            && !matches!(word.as_str(), "more" | "of" | "or" | "other" | "each")
    };
    // The first of them, right before "and", "or" or a comma.
    let first = (1..words.len().saturating_sub(3)).find(|&i| {
        kind(i)
            && !words[i].ends_with(['.', '!', '?'])
            && match (words[i].ends_with(','), bare(i + 1).as_str()) {
                (true, _) => kind(i + 2),
                (false, "and" | "or") => kind(i + 3),
                _ => false,
            }
    })?;
    let mut last = if words[first].ends_with(',') {
        first + 2
    } else {
        first + 3
    };
    // ("a small, a medium and a large pizza")
    while last + 3 < words.len()
        && !words[last].ends_with(['.', '!', '?'])
        && matches!(bare(last + 1).as_str(), "and" | "or")
        && kind(last + 3)
    {
        last += 3;
    }
    // The thing: the words after the last one, up to what follows a thing.
    let thing_from = last + 1;
    let mut thing_to = thing_from;
    while thing_to < words.len() {
        let word = bare(thing_to);
        if AFTER_ITEM.contains(&word.as_str()) || word.is_empty() {
            break;
        }
        thing_to += 1;
        if words[thing_to - 1].ends_with([',', '.', '!', '?']) {
            break;
        }
    }
    if thing_to == thing_from || words[last].ends_with([',', '.', '!', '?']) {
        return None;
    }
    let thing = words[thing_from..thing_to]
        .join(" ")
        .trim_end_matches([',', '.', '!', '?'])
        .to_owned();
    let said_last = words[thing_to - 1];
    let ending = &said_last[said_last.trim_end_matches([',', '.', '!', '?']).len()..];
    // Each count and size or kind, the thing after it.
    let mut lines = Vec::new();
    for i in (first..=last).filter(|&i| kind(i)) {
        let word = bare(i);
        if !is_size(&word) && !names(&format!("{word} {thing}")) {
            return None;
        }
        lines.push(format!("{} {word} {thing}", bare(i - 1)));
    }
    let (said_last, init) = lines.split_last()?;
    if init.is_empty() {
        return None;
    }
    let said = format!("{} and {said_last}{ending}", init.join(", "));
    let mut out: Vec<String> = words[..first - 1].iter().map(|w| (*w).to_owned()).collect();
    out.push(said);
    out.extend(words[thing_to..].iter().map(|w| (*w).to_owned()));
    Some(out.join(" "))
}

/// "beef and chicken tacos", "salmon and tuna rolls": two kinds of one
/// thing said bare before it, each a thing sold ("beef taco"), are one
/// of each (never the mart's beef and a chicken taco).
fn kinds_said_bare(words: &[&str], names: &impl Fn(&str) -> bool) -> Option<String> {
    let bare = |i: usize| words.get(i).map_or(String::new(), |w| w.to_lowercase());
    let plain = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_alphabetic());
    // ("a beef and chicken taco": one of each.)
    let one = |w: &str| matches!(w, "a" | "an" | "one");
    let at = (0..words.len().saturating_sub(3)).find(|&i| {
        let (first, second, thing) = (bare(i), bare(i + 2), bare(i + 3));
        let thing = thing.trim_end_matches([',', '.', '!', '?']);
        bare(i + 1) == "and"
            && plain(&first)
            && plain(&second)
            && !counts(&first)
            && !counts(&second)
            && (i == 0 || !counts(&bare(i - 1)) || one(&bare(i - 1)))
            && !words[i].ends_with(',')
            && {
                let sold = |kind: &str| {
                    names(&format!("{kind} {thing}"))
                        || (thing.strip_suffix('s'))
                            .is_some_and(|one| names(&format!("{kind} {one}")))
                };
                // ("salmon and tuna rolls" where the rolls are tuna and
                // california: a salmon roll, for the kitchen to refuse,
                // never the shop's salmon.)
                let made_of = |kind: &str| says_made_of(kind);
                (sold(&first) || sold(&second))
                    && [first.as_str(), second.as_str()]
                        .iter()
                        .all(|kind| sold(kind) || made_of(kind))
            }
    })?;
    let thing = words[at + 3];
    let mut out: Vec<String> = words[..at].iter().map(|w| (*w).to_owned()).collect();
    let each = match at.checked_sub(1).map(bare) {
        Some(counted) if one(&counted) => "a ",
        _ => "",
    };
    out.push(format!(
        "{} {thing} and {each}{} {thing}",
        words[at],
        words[at + 2]
    ));
    out.extend(words[at + 4..].iter().map(|w| (*w).to_owned()));
    Some(out.join(" "))
}

/// "a margherita and a pepperoni, both large", "2 lattes and a mocha,
/// all decaf": the sizes or kinds said of every thing of a list said
/// before each ("a large margherita and a large pepperoni").
pub fn sizes_for_all(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let (at, lead) = [", both ", ", all ", " both ", " all of them "]
        .iter()
        .find_map(|lead| lower.find(lead).map(|at| (at, lead.len())))?;
    let after = &text[at + lead..];
    let end = after.find([',', '.', '!', '?']).unwrap_or(after.len());
    let said = after[..end].trim();
    let kinds: Vec<&str> = said.split(' ').collect();
    if kinds.is_empty()
        || kinds.len() > 3
        || !kinds
            .iter()
            .all(|k| is_size(&k.to_ascii_lowercase()) || k.contains('-'))
    {
        return None;
    }
    // Each thing of the list before, by the count that starts it.
    let before = &text[..at];
    let mut out = Vec::new();
    let mut things = 0;
    let mut starts = true;
    for word in before.split(' ') {
        out.push(word.to_owned());
        let bare = word.trim_end_matches(',').to_ascii_lowercase();
        if starts && counts(&bare) {
            out.push(said.to_owned());
            things += 1;
            starts = false;
        }
        if bare == "and" || word.ends_with(',') {
            starts = true;
        }
    }
    if things < 2 {
        return None;
    }
    let rest = &after[end..];
    Some(format!("{}{rest}", out.join(" ")))
}

pub(crate) fn is_unit(word: &str) -> bool {
    UNITS.contains(&word) || sized_pack(word).is_some()
}

/// The size of a pack said in one word: "12-pack", "6-packs", "24pk".
fn sized_pack(word: &str) -> Option<u32> {
    let digits = word.find(|c: char| !c.is_ascii_digit())?;
    let rest = word[digits..].trim_start_matches('-');
    matches!(rest, "pack" | "packs" | "pk" | "pks")
        .then(|| word[..digits].parse().ok())
        .flatten()
        .filter(|n| *n > 0)
}

/// Whether the thing at word `i` is said as "extra" in how the thing
/// `last` is made: "with extra guac", "with no sour cream and extra guac"
/// (never "an extra fries", nor after a stop).
fn extra_of_the_last(words: &Words, last: Option<&Found>, i: usize) -> bool {
    let w = words.norm();
    let Some(last) = last.filter(|last| last.to + 1 < i) else {
        return false;
    };
    w[i - 1] == "extra"
        && !counts(&w[i - 2])
        && matches!(w[last.to].as_str(), "with" | "without" | "no" | "hold")
        && (last.to..i).all(|k| k == last.to || !gap_ends_a_clause(words, k - 1, k))
}

pub(crate) fn counts(word: &str) -> bool {
    matches!(word, "a" | "an") || number(word).is_some_and(|n| n > 0)
}

/// Words after "no" or "with" that make it no extra ("no wait", "no
/// thanks", "no, make it two").
const NO_EXTRA_AFTER: &[&str] = &[
    "wait", "sorry", "actually", "thanks", "thank", "i", "make", "not", "that",
];

/// "with extra cheese", "no onions", "without mayo and with ketchup"
/// after word `from`, before `limit`: the note and where it ends.
fn extras_after(
    words: &Words,
    from: usize,
    limit: usize,
    taken: &[bool],
) -> Option<(String, usize)> {
    let w = words.norm();
    // "a burger but no pickles": the "but" leads to the extra.
    let from = match w.get(from).map(String::as_str) {
        Some("but")
            if w.get(from + 1)
                .is_some_and(|x| EXTRA_OPENERS.contains(&x.as_str())) =>
        {
            from + 1
        }
        _ => from,
    };
    if from >= limit || !EXTRA_OPENERS.contains(&w[from].as_str()) {
        return None;
    }
    // ("replace the butter with margarine": what comes in its place.)
    if w[from] == "with"
        && w.iter()
            .any(|x| matches!(x.as_str(), "replace" | "substitute"))
    {
        return None;
    }
    // A punctuation mark between the item and the opener ends the item,
    // unless it only sets off the extra ("two margheritas, no olives").
    // ("a burger, hold the pickles": how it comes.)
    let sets_off = |at: usize| {
        (matches!(w[at].as_str(), "no" | "without" | "with" | "extra")
            && w.get(at + 1)
                .is_some_and(|n| !NO_EXTRA_AFTER.contains(&n.as_str())))
            || (w[at] == "hold" && w.get(at + 1).is_some_and(|n| n == "the"))
    };
    let set_off = sets_off(from);
    if from > 0 && gap_has_stop(words, from - 1, from) && !set_off {
        return None;
    }
    let mut to = from + 1;
    while to < limit
        && !taken.get(to).copied().unwrap_or(false)
        && !EXTRA_ENDS.contains(&w[to].as_str())
        && !gap_has_stop(words, to - 1, to)
    {
        to += 1;
    }
    // "and" or a comma between two extras keeps going ("no onions and
    // extra pickles", "no onions, extra cheese").
    loop {
        let step = if to + 1 < limit
            && w[to] == "and"
            && EXTRA_OPENERS.contains(&w[to + 1].as_str())
            && w[to + 1] != "with"
        {
            2
        } else if to < limit
            && gap_has_stop(words, to - 1, to)
            && w[to] != "with"
            && sets_off(to)
            && !taken.get(to).copied().unwrap_or(false)
        {
            1
        } else {
            break;
        };
        to += step;
        while to < limit
            && !EXTRA_ENDS.contains(&w[to].as_str())
            && !gap_has_stop(words, to - 1, to)
        {
            to += 1;
        }
    }
    // "with" alone, or "with me", is no extra; nor are the words that lead
    // to another thing ("with a side of fries").
    let note = words.span(from, to).trim().to_owned();
    let leads_on = w[from + 1..to].iter().all(|x| {
        matches!(
            x.as_str(),
            "a" | "an" | "some" | "side" | "sides" | "of" | "portion"
        )
    });
    // ("hold the pineapple", "without the mayo" are extras; "with the
    // fries" leads to another thing.)
    // ("fries with", said last, has nothing after it.)
    let the_thing = w.get(from + 1).is_some_and(|x| x == "the")
        && matches!(w[from].as_str(), "with" | "plus" | "extra");
    if to == from + 1
        || leads_on
        || matches!(w[from + 1].as_str(), "me" | "us" | "it" | "that")
        || the_thing
    {
        return None;
    }
    Some((note.to_lowercase(), to))
}

/// The last clause of `words` after word `after`, set off by a stop or a
/// bracket, when it says how a dish is made ("no onions", "mild please",
/// "I'm allergic to nuts"): the note and where it ends.
fn set_off_note(words: &Words, after: usize, limit: usize) -> Option<(String, usize)> {
    const OPENS: &[&str] = &[
        "no", "without", "extra", "hold", "light", "easy", "mild", "spicy", "medium", "allergic",
        "gluten", "dairy", "nut",
    ];
    let w = words.norm();
    let set_off = |i: usize| {
        words.text[words.words[i - 1].end..words.words[i].start]
            .contains([',', '.', ';', '(', ')', '-'])
    };
    let starts = (after.max(1)..limit).filter(|&i| set_off(i));
    starts.into_iter().find_map(|start| {
        let mut from = start;
        while from < limit
            && matches!(
                w[from].as_str(),
                "but" | "and" | "im" | "i'm" | "i" | "am" | "m"
            )
        {
            from += 1;
        }
        let mut to = (from + 1..limit).find(|&i| set_off(i)).unwrap_or(limit);
        while to > from
            && matches!(
                w[to - 1].as_str(),
                "please" | "pls" | "plz" | "thanks" | "thank" | "you" | "cheers" | "and"
            )
        {
            to -= 1;
        }
        let first = w.get(from)?.as_str();
        let next = w
            .get(from + 1)
            .filter(|_| from + 1 < to)
            .map(String::as_str);
        // ("no rush", "no worries", "no need": no note.)
        let no_note = next.is_some_and(|n| {
            NO_EXTRA_AFTER.contains(&n)
                || matches!(
                    n,
                    "rush" | "worries" | "problem" | "need" | "more" | "longer" | "to"
                )
        });
        // ("a lamb curry (hot)", "a pizza, gluten-free,": one word of how
        // it comes, set off, is its note.)
        // (Not "milk, 500g pack of cheese": a size said of the next thing.)
        let one_size = to == from + 1 && is_size(first) && (to == w.len() || set_off(to));
        let opens = (OPENS.contains(&first) || one_size) && (first == "allergic" || !no_note);
        let whole = next.is_some() || matches!(first, "mild" | "spicy" | "medium") || one_size;
        (opens && whole).then(|| {
            (
                words
                    .span(from, to)
                    .trim_end_matches([')', '.', '!'])
                    .to_lowercase(),
                to,
            )
        })
    })
}

/// Whether the text between words `a` and `b` has a stop (a comma, a full
/// stop, a semicolon).
/// Whether the thing said from word `at` is ruled out: "not pizza",
/// "anything but pepperoni", "everything except the fries", "a burger
/// instead of fries", "rather than sushi", "a burger no fries" (never the
/// "no" that answers: "no, the double").
fn ruled_out(words: &Words, at: usize) -> bool {
    let w = words.norm();
    let mut k = at;
    while k > 0 && matches!(w[k - 1].as_str(), "the" | "a" | "an" | "any" | "some") {
        k -= 1;
    }
    // ("not, the burger": no longer about it.)
    if k == 0 || gap_has_stop(words, k - 1, k) {
        return false;
    }
    let word = |j: usize| w.get(j).map(String::as_str).unwrap_or("");
    // "I have milk at home, just need cereal", "I've got eggs and butter
    // already": what the person has, in a clause of its own that asks
    // for nothing.
    let mut start = k;
    while start > 0
        && !gap_has_stop(words, start - 1, start)
        && !matches!(word(start - 1), "but" | "so" | "just" | "only")
    {
        start -= 1;
    }
    let has = match (word(start), word(start + 1), word(start + 2)) {
        ("i" | "we", "have" | "got", _) => Some(start + 2),
        ("i" | "we", "already", "have" | "got") => Some(start + 3),
        ("i've" | "ive" | "we've" | "weve", "got" | "already", _) => Some(start + 2),
        _ => None,
    };
    if let Some(from) = has
        && from <= k
        && !w[from..k].iter().any(|x| {
            matches!(
                x.as_str(),
                "need" | "want" | "get" | "buy" | "order" | "grab" | "send" | "to" | "run" | "ran"
            )
        })
    {
        return true;
    }
    let before = k - 1;
    match word(before) {
        "not" | "except" => true,
        "no" => before > 0,
        // ("any pizza but the hawaiian".)
        "but" => {
            before > 0
                && (matches!(word(before - 1), "anything" | "everything" | "all")
                    || w[..before].iter().any(|x| x == "any"))
        }
        "of" => before > 0 && word(before - 1) == "instead",
        "than" => before > 0 && word(before - 1) == "rather",
        // "don't buy eggs, get some milk instead".
        "buy" | "order" | "get" | "need" | "want" => {
            before > 0 && matches!(word(before - 1), "don't" | "dont" | "not" | "never")
        }
        // "don't bother with onions", "no need for onions".
        "with" | "for" => {
            before > 1
                && matches!(
                    (word(before - 2), word(before - 1)),
                    ("don't" | "dont" | "not", "bother") | ("no", "need")
                )
        }
        "skip" | "without" | "minus" | "excluding" => true,
        // "i've already got eggs so i just need milk".
        "got" | "have" | "bought" => before > 0 && word(before - 1) == "already",
        _ => false,
    }
}

/// Whether the words `said` of a thing ("pizzas") are all words of the menu's
/// `name` ("margherita pizza"): the thing, then its kind.
fn names_its_kind(said: &[String], name: &str) -> bool {
    let kind: Vec<String> = name.split_whitespace().map(item_key).collect();
    !said.is_empty() && said.iter().all(|w| kind.contains(w)) && said.len() < kind.len()
}

/// Whether the words from `after` to `at` are "for" and an article or a
/// possessive at most ("for the", "for my", "for a").
fn for_the(words: &Words, after: usize, at: usize) -> bool {
    let w = words.norm();
    let Some(gap) = w.get(after..at) else {
        return false;
    };
    gap.first().is_some_and(|x| x == "for")
        && gap[1..].iter().all(|x| {
            matches!(
                x.as_str(),
                "the" | "a" | "an" | "my" | "our" | "his" | "her" | "their" | "your" | "some"
            )
        })
}

/// Whether the words swap one thing for another.
pub(crate) fn swaps(words: &Words) -> bool {
    words.norm().iter().any(|x| {
        matches!(
            x.as_str(),
            "swap" | "change" | "replace" | "exchange" | "switch" | "trade" | "instead"
        )
    })
}

/// Whether the words `a` and `b` are in clauses of their own: a full stop,
/// a semicolon, "!" or "?" between them (a comma only sets off).
fn gap_ends_a_clause(words: &Words, a: usize, b: usize) -> bool {
    let (Some(first), Some(second)) = (words.words.get(a), words.words.get(b)) else {
        return false;
    };
    words.text[first.end..second.start].contains(['.', ';', '!', '?'])
}

fn gap_has_stop(words: &Words, a: usize, b: usize) -> bool {
    let (Some(first), Some(second)) = (words.words.get(a), words.words.get(b)) else {
        return false;
    };
    words.text[first.end..second.start].contains([',', '.', ';', '!', '?'])
}

/// A count read from an answer or a correction: "two", "2", "a couple",
/// "half a dozen", "a dozen"; not the house number of an address ("deliver
/// it to 10 Downing Street instead").
pub fn count(words: &Words) -> Option<u32> {
    let w = words.norm();
    let keys: Vec<String> = w.iter().map(|k| crate::agents::normalize(k)).collect();
    for i in 0..w.len() {
        if w[i] == "couple" || w[i] == "pair" {
            return Some(2);
        }
        if w[i] == "dozen" {
            // "half a dozen", "half dozen": six; "a dozen and a half":
            // eighteen.
            let half =
                (i >= 1 && w[i - 1] == "half") || (i >= 2 && w[i - 1] == "a" && w[i - 2] == "half");
            let and_a_half = w
                .get(i + 1..i + 4)
                .is_some_and(|x| x == ["and", "a", "half"]);
            return Some(match (half, and_a_half) {
                (true, _) => 6,
                (false, true) => 18,
                (false, false) => 12,
            });
        }
        if let Some(n) = number(&w[i]).filter(|n| *n > 0) {
            // Not a clock time, an address or a price.
            let next = w.get(i + 1).map(String::as_str).unwrap_or("");
            let prev = if i > 0 { w[i - 1].as_str() } else { "" };
            if next == "dozen" {
                return Some(n.saturating_mul(12));
            }
            // ("flat 3", "terminal 5": which, not how many.)
            let which = matches!(
                prev,
                "flat"
                    | "apartment"
                    | "apt"
                    | "unit"
                    | "suite"
                    | "floor"
                    | "room"
                    | "terminal"
                    | "platform"
                    | "gate"
            );
            if matches!(next, "pm" | "am" | "o'clock" | "minutes" | "mins" | "hours")
                || matches!(prev, "at" | "by" | "in")
                || which
                || next.chars().next().is_some_and(char::is_uppercase)
                || super::places::street_address(&keys, i).is_some()
            {
                continue;
            }
            return Some(n);
        }
    }
    None
}

/// How a thing named `name` was said when no count says how many of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uncounted {
    /// As more than one ("some bananas", "potatoes"): the word said.
    Plural(String),
    /// By its weight ("a kilo of potatoes", "500g tomatoes"): the word
    /// said for the thing.
    Weighed(String),
    /// By the bag or the bunch ("a bag of potatoes"): the word said.
    Bagged(String),
}

/// Weights: a thing sold one by one is never bought by them.
const WEIGHTS: &[&str] = &[
    "kg",
    "kilo",
    "kilos",
    "kilogram",
    "kilograms",
    "g",
    "gram",
    "grams",
    "lb",
    "lbs",
    "pound",
    "pounds",
];

/// Whether `words` say `name` (a thing sold one by one, named in the
/// singular) as more than one or by weight, without a count: "some
/// bananas", "get me potatoes", "a kilo of onions", "500g tomatoes".
/// `None` when a count or an article says how many ("3 bananas", "a
/// few apples", "an apple"), or when the name itself is plural ("eggs").
pub fn uncounted(words: &Words, name: &str) -> Option<Uncounted> {
    let w = words.norm();
    let named: Vec<&str> = name.split_whitespace().collect();
    let last = *named.last()?;
    let n = named.len();
    for i in n - 1..w.len() {
        let said = w[i].as_str();
        if said == last || !said.ends_with('s') || item_key(said) != item_key(last) {
            continue;
        }
        let start = i + 1 - n;
        if (start..i).any(|k| item_key(&w[k]) != item_key(named[k - start])) {
            continue;
        }
        let before = |k: usize| start.checked_sub(k).map(|at| w[at].as_str());
        // "a kilo of potatoes", "500g tomatoes", "2 pounds of apples".
        let weight = |word: Option<&str>| {
            word.is_some_and(|x| {
                WEIGHTS.contains(&x.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.'))
            })
        };
        let said = w[start..=i].join(" ");
        if weight(before(1)) || before(1) == Some("of") && weight(before(2)) {
            return Some(Uncounted::Weighed(said));
        }
        // "a bag of potatoes", "a bunch of bananas": sold one by one.
        if before(1) == Some("of")
            && before(2).is_some_and(|x| {
                matches!(
                    x,
                    "bag" | "bags" | "bunch" | "bunches" | "net" | "punnet" | "sack"
                )
            })
        {
            return Some(Uncounted::Bagged(said));
        }
        // "a couple of apples", "2 dozen of them" count them; "a bag of
        // apples", "lots of apples" do not.
        let counts = |x: &str| {
            number(x).is_some()
                || matches!(
                    x,
                    "a" | "an" | "one" | "few" | "couple" | "pair" | "several" | "dozen"
                )
                || x.strip_suffix('x').and_then(number).is_some()
        };
        let counted = match before(1) {
            Some("of") => {
                before(2).is_some_and(|x| matches!(x, "couple" | "pair" | "few" | "dozen"))
            }
            Some(x) => counts(x) || matches!(x, "another" | "the" | "those" | "these" | "x"),
            None => false,
        };
        let counted_after = w
            .get(i + 1)
            .is_some_and(|x| x == "x" || x.strip_prefix('x').and_then(number).is_some());
        return (!counted && !counted_after).then_some(Uncounted::Plural(said));
    }
    None
}

/// How many people a meal is for, when the words say so without counting
/// the food: "pizza for 4 people", "sushi for the two of us", "burgers for
/// three", "curry for a family of 5". `None` when a count or an article
/// says how many of the thing ("2 pizzas for 4 people", "a pizza for 4
/// people"), or for a clock time ("pizza for 7").
pub fn party(words: &Words) -> Option<u32> {
    let w = words.norm();
    let word = |i: usize| w.get(i).map(String::as_str).unwrap_or("");
    let people = |i: usize| {
        matches!(
            word(i),
            "people" | "persons" | "guests" | "adults" | "kids" | "children" | "friends"
        ) || (word(i) == "of" && word(i + 1) == "us")
    };
    let mut found = None;
    for i in 0..w.len() {
        if word(i) != "for" {
            continue;
        }
        // "for the four of us", "for a family of 5".
        let (at, needs_people) = match (word(i + 1), word(i + 2), word(i + 3)) {
            ("the", _, _) => (i + 2, true),
            ("a", "family", "of") | ("a", "party", "of") | ("a", "group", "of") => (i + 4, false),
            _ => (i + 1, false),
        };
        let Some(n) = super::words::number(word(at)).filter(|n| (2..=50).contains(n)) else {
            continue;
        };
        // ("pad thai for 2 to home" as "for two": people, where a clock
        // would say "at"; never "for 2 at 7pm", "for 2" at the end.)
        let spelled = !word(at).bytes().all(|b| b.is_ascii_digit());
        let ends = matches!(word(at + 1), "" | "to" | "please" | "delivered" | "tonight");
        let ends_said = matches!(word(at + 1), "to" | "please" | "delivered");
        if people(at + 1) || (!needs_people && (at > i + 1 || (spelled && ends) || ends_said)) {
            found = Some((i, n));
            break;
        }
    }
    let (at, n) = found?;
    let before = Words::new(&w[..at].join(" "));
    let counted = count(&before).is_some()
        || before
            .norm()
            .iter()
            .any(|w| matches!(w.as_str(), "a" | "an" | "one"));
    (!counted).then_some(n)
}

/// People, counted one by one after a "me and" ("me and 5 friends" is
/// 6, "me and my wife and 2 kids" 4, "me, my wife and 4 suitcases" 2):
/// how many travel. `None` when no "me and" says so.
pub fn company(words: &Words) -> Option<u32> {
    const PEOPLE: &[&str] = &[
        "friends",
        "friend",
        "mates",
        "mate",
        "kids",
        "kid",
        "children",
        "child",
        "colleagues",
        "colleague",
        "people",
        "others",
        "guys",
        "pals",
        "adults",
        "sons",
        "daughters",
        "family",
        "guests",
        "passengers",
    ];
    const ONE: &[&str] = &[
        "wife",
        "husband",
        "partner",
        "friend",
        "mate",
        "mum",
        "mom",
        "dad",
        "son",
        "daughter",
        "boyfriend",
        "girlfriend",
        "brother",
        "sister",
        "colleague",
        "boss",
        "kid",
        "child",
        "fiance",
        "fiancee",
        "grandma",
        "grandad",
        "grandpa",
        "nan",
        "baby",
    ];
    let w = words.norm();
    let at = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    // "me and my wife", "me, my husband and our 3 kids", "me + 4 friends",
    // "myself and my two kids".
    let me = (0..w.len()).find(|&i| {
        matches!(w[i].as_str(), "me" | "myself")
            && (matches!(at(i + 1), "and" | "plus" | "my" | "our")
                || super::words::number(at(i + 1)).is_some() && PEOPLE.contains(&at(i + 2)))
    })?;
    let mut count = 1;
    let mut i = me + 1;
    loop {
        let j = if matches!(at(i), "and" | "plus" | "with") {
            i + 1
        } else {
            i
        };
        match (at(j), at(j + 1)) {
            ("my" | "a" | "our", one) if ONE.contains(&one) => {
                count += 1;
                i = j + 2;
            }
            ("my" | "our", n)
                if super::words::number(n).is_some() && PEOPLE.contains(&at(j + 2)) =>
            {
                count += super::words::number(n).unwrap_or(0);
                i = j + 3;
            }
            (n, people) if PEOPLE.contains(&people) => {
                let Some(n) = super::words::number(n).filter(|n| (1..=20).contains(n)) else {
                    break;
                };
                count += n;
                i = j + 2;
            }
            _ => break,
        }
    }
    (count > 1).then_some(count)
}

/// Whether a count is said per person: "one each", "two per person",
/// "one for everyone", "one for each of us".
pub fn for_everyone(words: &Words) -> bool {
    let w = words.norm();
    w.iter()
        .any(|w| matches!(w.as_str(), "each" | "everyone" | "everybody"))
        || w.windows(2)
            .any(|p| p[0] == "per" && matches!(p[1].as_str(), "person" | "head"))
}

/// Whether the words ask for none of something, with no other count:
/// "make it 0", "zero burgers", "make that none".
pub fn none_of(words: &Words) -> bool {
    let w = words.norm();
    w.iter()
        .any(|w| matches!(w.as_str(), "0" | "zero" | "none"))
        && count(words).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_said_of_all_are_said_of_each() {
        let cases = [
            (
                "a margherita and a pepperoni, both large, to home",
                Some("a large margherita and a large pepperoni, to home"),
            ),
            (
                "2 lattes and a mocha, all decaf",
                Some("2 decaf lattes and a decaf mocha"),
            ),
            ("a margherita and a pepperoni, both to home", None),
            ("a large margherita, both of us", None),
        ];
        for (said, read) in cases {
            assert_eq!(sizes_for_all(said).as_deref(), read, "{said}");
        }
    }

    #[test]
    fn sizes_and_kinds_of_one_thing_are_each_a_line_of_it() {
        let cases = [
            (
                "a small and a large pepperoni pizza to home",
                Some("a small pepperoni pizza and a large pepperoni pizza to home"),
            ),
            (
                "one chocolate, one vanilla milkshake please",
                Some("one chocolate milkshake and one vanilla milkshake please"),
            ),
            (
                "2 small and 1 large fries.",
                Some("2 small fries and 1 large fries."),
            ),
            (
                "get a small, a medium and a large latte to work",
                Some("get a small latte, a medium latte and a large latte to work"),
            ),
            (
                "one beef and one chicken taco to home",
                Some("one beef taco and one chicken taco to home"),
            ),
            ("a hot and sour soup", None),
            ("a large pizza and a small coke", None),
            ("a small and a large", None),
            (
                "a 10-inch and a 12-inch margherita to home",
                Some("a 10-inch margherita and a 12-inch margherita to home"),
            ),
            // (No "milk taco" is sold.)
            ("a milk and a chicken taco", None),
            (
                "beef and chicken tacos to home",
                Some("beef tacos and chicken tacos to home"),
            ),
            ("milk and chicken tacos", None),
            ("a burger and a chicken taco to work", None),
            (
                "a beef and chicken taco",
                Some("a beef taco and a chicken taco"),
            ),
            // A filling no taco is sold with, beside one that is.
            (
                "salmon and chicken tacos",
                Some("salmon tacos and chicken tacos"),
            ),
            ("salmon and milk tacos", None),
            ("bacon and egg tacos", None),
        ];
        let sold = |name: &str| matches!(name, "beef taco" | "chicken taco");
        for (said, read) in cases {
            assert_eq!(kinds_of_one_thing(said, sold).as_deref(), read, "{said}");
        }
    }

    #[test]
    fn a_measure_is_a_size_and_says_a_pack() {
        for word in ["500g", "330ml", "2l", "1.5kg"] {
            assert!(measured(word), "{word}");
        }
        for word in ["500", "g", "2nd", "x2", "10am"] {
            assert!(!measured(word), "{word}");
        }
        assert_eq!(
            measured_packs("2 x 500g pasta to home").as_deref(),
            Some("2 x 500g pack of pasta to home")
        );
        assert_eq!(measured_packs("two 500g packs of pasta"), None);
        assert_eq!(
            noted_between_commas("a tikka masala, mild please, and 2 naans").as_deref(),
            Some("a tikka masala (mild), and 2 naans")
        );
        assert_eq!(noted_between_commas("milk, eggs, and bread"), None);
    }

    fn food() -> Menu {
        Menu::new(
            [
                "cheeseburger",
                "fries",
                "margherita pizza",
                "pepperoni pizza",
                "latte",
                "cola",
                "poke bowl",
            ],
            [
                ("burger", "cheeseburger"),
                ("pizza", "margherita pizza"),
                ("margherita", "margherita pizza"),
                ("coke", "cola"),
                ("chips", "fries"),
            ],
        )
    }

    fn mart() -> Menu {
        Menu::new(
            [
                "milk",
                "eggs",
                "rice",
                "banana",
                "bread",
                "water",
                "toilet paper",
            ],
            [
                ("a dozen eggs", "eggs"),
                ("loo roll", "toilet paper"),
                ("egg", "eggs"),
                ("chicken", "chicken breast"),
            ],
        )
    }

    fn read(text: &str, menu: &Menu) -> Vec<(String, u32, Option<String>)> {
        let words = Words::new(text);
        items(&words, menu, &[])
            .into_iter()
            .map(|f| (f.item.name, f.item.quantity, f.item.note))
            .collect()
    }

    fn plain(name: &str, quantity: u32) -> (String, u32, Option<String>) {
        (name.to_owned(), quantity, None)
    }

    #[test]
    fn packs_of_things_sold_one_by_one() {
        for (text, n) in [
            ("a six pack of cola", 6),
            ("2 six packs of cola", 12),
            ("six pack of cola", 6),
            ("a 4-pack of cola", 4),
            ("2 packs of cola", 2),
            ("a 2 litre bottle of cola", 1),
            ("x2 cola", 2),
        ] {
            assert_eq!(read(text, &food()), [plain("cola", n)], "{text}");
        }
    }

    #[test]
    fn two_words_joined_before_a_thing_make_another_dish() {
        assert_eq!(
            read("salt and pepper chicken", &mart()),
            [plain("salt and pepper chicken", 1)]
        );
        // Things of the list, each its own.
        assert_eq!(
            read("rice and bread and chicken", &mart()),
            [
                plain("rice", 1),
                plain("bread", 1),
                plain("chicken breast", 1)
            ]
        );
        assert_eq!(
            read("milk, bread and chicken", &mart()),
            [
                plain("milk", 1),
                plain("bread", 1),
                plain("chicken breast", 1)
            ]
        );
    }

    #[test]
    fn pieces_of_a_dish_served_by_the_portion() {
        let menu = Menu::new(["chicken wings", "cola"], [("wings", "chicken wings")])
            .portioned([("chicken wings", 6)]);
        for (text, n) in [
            ("a dozen chicken wings", 2),
            ("12 wings", 2),
            ("10 chicken wings", 2),
            ("4 wings", 1),
            ("2 chicken wings", 2),
            ("3 chicken wings", 3),
            ("2x chicken wings", 2),
            ("chicken wings", 1),
            // Pieces said vaguely are a portion's worth.
            ("a few wings", 1),
            ("a couple of wings", 1),
            ("several chicken wings", 1),
            // Portions said by their pieces.
            ("2 6-piece wings", 2),
            ("a 6-piece chicken wings", 1),
            ("a 12-piece wings", 2),
            ("wings 12 pieces", 2),
            ("chicken wings, 6 pieces", 1),
            ("wings, 12 of them", 2),
        ] {
            assert_eq!(read(text, &menu), [plain("chicken wings", n)], "{text}");
        }
        // Only the dish served by the portion.
        assert_eq!(read("12 colas", &menu), [plain("cola", 12)]);
    }

    #[test]
    fn a_thing_named_by_a_unit_word() {
        assert_eq!(
            read("fries and kitchen roll", &food()),
            [plain("fries", 1), plain("kitchen roll", 1)]
        );
        assert_eq!(
            read("a coke and bin bags", &food()),
            [plain("cola", 1), plain("bin bags", 1)]
        );
        // A unit before "of" is an amount.
        assert_eq!(
            read("fries and a bag of cola", &food()),
            [plain("fries", 1), plain("cola", 1)]
        );
    }

    #[test]
    fn what_is_ruled_out_is_not_asked_for() {
        for (text, expected) in [
            ("a pizza, anything but pepperoni", vec![plain("pizza", 1)]),
            ("a pizza", vec![plain("pizza", 1)]),
            ("not pizza, a burger", vec![plain("cheeseburger", 1)]),
            ("a burger instead of fries", vec![plain("cheeseburger", 1)]),
            (
                "a burger and a coke, not the fries",
                vec![plain("cheeseburger", 1), plain("cola", 1)],
            ),
            (
                "a burger no fries",
                vec![("cheeseburger".into(), 1, Some("no fries".into()))],
            ),
            ("everything except the fries", vec![]),
            // A "no" that answers, or set off, rules nothing out.
            ("no, the cheeseburger", vec![plain("cheeseburger", 1)]),
            ("not. a burger", vec![plain("cheeseburger", 1)]),
        ] {
            assert_eq!(read(text, &food()), expected, "{text}");
        }
        // The kind said, with one of it ruled out, is another of it.
        let menu = Menu::new(
            [
                "double cheeseburger",
                "cheeseburger",
                "veggie burger",
                "hamburger",
                "margherita pizza",
                "pepperoni pizza",
            ],
            [
                ("burger", "cheeseburger"),
                ("pizza", "margherita pizza"),
                ("margherita", "margherita pizza"),
            ],
        );
        for (text, expected) in [
            ("a burger but not a cheeseburger", "hamburger"),
            ("not a cheeseburger, just a burger", "hamburger"),
            ("a pizza but not a margherita", "pepperoni pizza"),
            ("a burger", "burger"),
            ("a burger, no fries", "burger"),
            ("any pizza but the margherita", "pepperoni pizza"),
            (
                "a burger but not a cheeseburger or a hamburger",
                "veggie burger",
            ),
        ] {
            let names: Vec<String> = read(text, &menu).into_iter().map(|l| l.0).collect();
            assert_eq!(names, [expected], "{text}");
        }
    }

    #[test]
    fn each_quantity_binds_to_its_item() {
        assert_eq!(
            read("two cheeseburgers and fries", &food()),
            [plain("cheeseburger", 2), plain("fries", 1)]
        );
        assert_eq!(
            read("a burger, 3 cokes and 2 portions of chips", &food()),
            [
                plain("cheeseburger", 1),
                plain("cola", 3),
                plain("fries", 2)
            ]
        );
        assert_eq!(read("a couple of lattes", &food()), [plain("latte", 2)]);
        assert_eq!(read("burger x2", &food()), [plain("cheeseburger", 2)]);
        assert_eq!(
            read("2 x margherita, 1 x cola", &food()),
            [plain("margherita pizza", 2), plain("cola", 1)]
        );
        // Made of something else: another dish, as said.
        let menu = Menu::new(
            [
                "vegetable biryani",
                "chicken ramen",
                "cheeseburger",
                "veggie burger",
            ],
            [
                ("biryani", "vegetable biryani"),
                ("ramen", "chicken ramen"),
                ("burger", "cheeseburger"),
            ],
        );
        assert_eq!(read("a lamb biryani", &menu), [plain("lamb biryani", 1)]);
        assert_eq!(read("2 prawn ramen", &menu), [plain("prawn ramen", 2)]);
        assert_eq!(
            read("2 veggie biryani", &menu),
            [("vegetable biryani".to_owned(), 2, Some("veggie".to_owned()))]
        );
        assert_eq!(read("a chicken ramen", &menu), [plain("chicken ramen", 1)]);
        assert_eq!(read("a veggie burger", &menu), [plain("veggie burger", 1)]);
        assert_eq!(read("a bacon burger", &menu), [plain("bacon burger", 1)]);
        // A word of a kind after words the menu does not know: a dish
        // asked for, known or not.
        let curries = Menu::new(["chicken tikka masala", "egg fried rice"], [])
            .kinds([("rice", ["egg fried rice"])]);
        assert_eq!(
            read("a chicken tikka masala and pilau rice", &curries),
            [plain("chicken tikka masala", 1), plain("pilau rice", 1)]
        );
        assert_eq!(read("2 jasmine rice", &curries), [plain("jasmine rice", 2)]);
        assert_eq!(read("can i have rice", &curries), []);
        assert_eq!(
            read("egg fried rice", &curries),
            [plain("egg fried rice", 1)]
        );
        // A heading names the kind of what follows, and is no thing more.
        let menu = Menu::new(
            [
                "margherita pizza",
                "hawaiian pizza",
                "chicken korma",
                "chicken tikka masala",
                "naan",
            ],
            [
                ("pizza", "margherita pizza"),
                ("hawaiian", "hawaiian pizza"),
                ("curry", "chicken tikka masala"),
            ],
        )
        .kinds([("curry", ["chicken korma", "chicken tikka masala"])]);
        assert_eq!(
            read("2 pizzas, one margherita one hawaiian", &menu),
            [plain("margherita pizza", 1), plain("hawaiian pizza", 1)]
        );
        assert_eq!(
            read("fancy a curry. chicken korma with 2 naans", &menu),
            [plain("chicken korma", 1), plain("naan", 2)]
        );
        assert_eq!(
            read("a curry and a chicken korma", &menu),
            [plain("chicken tikka masala", 1), plain("chicken korma", 1)]
        );
        // The kind said, then a dish of it asked for in words of their own.
        assert_eq!(
            read("i fancy a curry, get me a chicken korma", &menu),
            [plain("chicken korma", 1)]
        );
        assert_eq!(
            read("in the mood for pizza, can i get a hawaiian", &menu),
            [plain("hawaiian pizza", 1)]
        );
        assert_eq!(
            read("a curry, and can i also get a chicken korma", &menu),
            [plain("chicken tikka masala", 1), plain("chicken korma", 1)]
        );
        // A list that ends with its "and" is no panic.
        assert_eq!(read("pizza and", &menu), [plain("pizza", 1)]);
        assert_eq!(
            read(
                "in the mood for pizza, a hawaiian one please, to work",
                &menu
            ),
            [plain("hawaiian pizza", 1)]
        );
        assert_eq!(
            read(
                "fancy a curry tonight, chicken korma and a couple of naans",
                &menu
            ),
            [plain("chicken korma", 1), plain("naan", 2)]
        );
        // Listed, not craved: both.
        assert_eq!(
            read("a curry tonight, a chicken korma and a naan", &menu),
            [
                plain("chicken tikka masala", 1),
                plain("chicken korma", 1),
                plain("naan", 1)
            ]
        );
        assert_eq!(
            read("a curry, can i get a naan", &menu),
            [plain("chicken tikka masala", 1), plain("naan", 1)]
        );
        let coffees = Menu::new(["latte", "flat white"], [("coffee", "latte")])
            .kinds([("coffee", ["latte", "flat white"])]);
        assert_eq!(
            read("two coffees, a latte and a flat white", &coffees),
            [plain("latte", 1), plain("flat white", 1)]
        );
        // Listed with a thing the menu has: a thing asked for, known or not.
        let italian = Menu::new(
            ["garlic bread", "margherita pizza"],
            [("pizza", "margherita pizza")],
        );
        assert_eq!(
            read("order from luigis: carbonara and garlic bread", &italian),
            [plain("carbonara", 1), plain("garlic bread", 1)]
        );
        assert_eq!(
            read("a pizza and 2 tiramisu please", &italian),
            [plain("margherita pizza", 1), plain("tiramisu", 2)]
        );
        assert_eq!(
            read("a pizza and make it large", &italian),
            [plain("margherita pizza", 1)]
        );
        assert_eq!(
            read("a pizza to work and hurry", &italian),
            [plain("margherita pizza", 1)]
        );
        // What a list counts is asked for, known or not.
        assert_eq!(
            read("1x burger, 2x onion bhaji, 3 x cola", &food()),
            [
                plain("cheeseburger", 1),
                plain("onion bhaji", 2),
                plain("cola", 3)
            ]
        );
        assert_eq!(
            read("make the fries 2 please", &food()),
            [plain("fries", 2)]
        );
        assert_eq!(
            read("fries 2 cokes", &food()),
            [plain("fries", 1), plain("cola", 2)]
        );
    }

    #[test]
    fn a_variety_said_alone_is_its_item_with_the_variety_as_its_note() {
        let menu = mart().varieties([("hovis", "bread"), ("semi skimmed", "milk")]);
        assert_eq!(
            read("a loaf of Hovis and 2 pints of semi-skimmed", &menu),
            [
                ("bread".into(), 1, Some("hovis".into())),
                ("milk".into(), 2, Some("semi-skimmed".into()))
            ]
        );
        // Said with its item, the variety is said once.
        assert_eq!(
            read("semi skimmed milk x2", &menu),
            [("milk".into(), 2, Some("semi skimmed".into()))]
        );
        // A thing no shelf has after a unit is still asked for, for the
        // shop to say it has none.
        assert_eq!(read("2 pints of lager", &menu), [plain("lager", 2)]);
    }

    #[test]
    fn company_counts_the_people_after_me_and() {
        let company = |text: &str| company(&Words::new(text));
        assert_eq!(company("for me and 5 friends"), Some(6));
        assert_eq!(company("me and my wife and 2 kids"), Some(4));
        assert_eq!(company("me and my wife and 4 suitcases"), Some(2));
        assert_eq!(company("me and 3 mates with golf clubs"), Some(4));
        assert_eq!(company("pick me and the bags up at 6"), None);
        assert_eq!(company("a cab for me"), None);
    }

    #[test]
    fn units_are_amounts_never_items() {
        assert_eq!(read("2 litres of milk", &mart()), [plain("milk", 2)]);
        // The kind of milk, whole: "semi skimmed" is no skimmed.
        assert_eq!(
            read("semi skimmed milk x2", &mart()),
            [("milk".into(), 2, Some("semi skimmed".into()))]
        );
        assert_eq!(read("a bag of rice", &mart()), [plain("rice", 1)]);
        assert_eq!(read("a dozen eggs", &mart()), [plain("eggs", 1)]);
        assert_eq!(read("some bananas", &mart()), [plain("banana", 1)]);
        assert_eq!(
            read("3 bottles of water and a loaf of bread", &mart()),
            [plain("water", 3), plain("bread", 1)]
        );
        assert_eq!(read("loo roll", &mart()), [plain("toilet paper", 1)]);
        // Written as a list: two of four pints.
        assert_eq!(read("2 x 4 pints of milk", &mart()), [plain("milk", 8)]);
        // A count and its unit after the thing, as a list writes them.
        let packed = mart().packed([("eggs", 12)]);
        for (text, name, n) in [
            ("milk 2 pints", "milk", 2),
            ("milk, 2 litres", "milk", 2),
            ("milk 2 bottles", "milk", 2),
            ("eggs 2 dozen", "eggs", 2),
            ("eggs, 2 boxes", "eggs", 2),
        ] {
            assert_eq!(read(text, &packed), [plain(name, n)], "{text}");
        }
        // A count before a comma is the thing's before it.
        for (text, first, n) in [
            ("eggs 2 dozen, milk", "eggs", 2),
            ("milk 2, bread", "milk", 2),
            ("bread 2, milk 2 pints", "bread", 2),
        ] {
            let read = read(text, &packed);
            assert_eq!(read.first(), Some(&plain(first, n)), "{text}");
            assert_eq!(read.len(), 2, "{text}");
            assert!(read[1].1 <= 2, "{text}");
        }
        // A multiple at the very end counts the one thing said.
        for (text, n) in [
            ("bread to home x2", 2),
            ("bread to home x 2 please", 2),
            ("bread to home, times 3", 3),
            ("bread to home 2x", 2),
            ("bread to home twice", 2),
            ("bread to home twice please", 2),
            ("bread at 6 x", 1),
        ] {
            assert_eq!(read(text, &mart()), [plain("bread", n)], "{text}");
        }
    }

    #[test]
    fn a_kind_between_the_count_and_the_item_is_a_note() {
        let menu = Menu::new(["naan", "chicken tikka masala"], []);
        assert_eq!(
            read("a chicken tikka masala and two garlic naans", &menu),
            [
                plain("chicken tikka masala", 1),
                ("naan".to_owned(), 2, Some("garlic".to_owned()))
            ]
        );
        assert_eq!(read("2 more naans", &menu), [plain("naan", 2)]);
        assert_eq!(read("2 of those naans", &menu), [plain("naan", 2)]);
        // A number that measures the thing is no count.
        let menu = Menu::new(["batteries"], [("battery", "batteries")]);
        assert_eq!(read("a 9 volt battery", &menu), [plain("batteries", 1)]);
    }

    #[test]
    fn things_sold_by_the_pack_are_counted_in_packs() {
        let menu = mart().packed([("eggs", 12)]);
        assert_eq!(read("get me 6 eggs", &menu), [plain("eggs", 1)]);
        assert_eq!(read("an egg", &menu), [plain("eggs", 1)]);
        assert_eq!(read("a dozen eggs", &menu), [plain("eggs", 1)]);
        assert_eq!(read("two dozen eggs", &menu), [plain("eggs", 2)]);
        assert_eq!(read("2 boxes of eggs", &menu), [plain("eggs", 2)]);
        assert_eq!(read("a carton of eggs", &menu), [plain("eggs", 1)]);
        assert_eq!(read("a 12 pack of eggs", &menu), [plain("eggs", 1)]);
        assert_eq!(read("a 24 pack of eggs", &menu), [plain("eggs", 2)]);
        assert_eq!(read("2 six packs of eggs", &menu), [plain("eggs", 1)]);
        assert_eq!(
            read("18 eggs and 2 bananas", &menu),
            [plain("eggs", 2), plain("banana", 2)]
        );
        assert_eq!(read("2 12-packs of eggs", &menu), [plain("eggs", 2)]);
        assert_eq!(read("a 36-pack of eggs", &menu), [plain("eggs", 3)]);
        assert_eq!(read("a dozen and a half eggs", &menu), [plain("eggs", 2)]);
        // A count after the thing: at least half a pack counts eggs.
        assert_eq!(read("eggs x 24", &menu), [plain("eggs", 2)]);
        assert_eq!(read("eggs x2", &menu), [plain("eggs", 2)]);
        assert_eq!(read("eggs, 24 of them", &menu), [plain("eggs", 2)]);
        assert_eq!(read("milk x 3", &menu), [plain("milk", 3)]);
        assert_eq!(read("milk times two", &menu), [plain("milk", 2)]);
        assert_eq!(
            read("twenty four bottles of water", &menu),
            [plain("water", 24)]
        );
        assert_eq!(read("twenty-five bananas", &menu), [plain("banana", 25)]);
        assert_eq!(read("thirty two eggs", &menu), [plain("eggs", 3)]);
    }

    #[test]
    fn the_word_of_a_things_kind_after_it_is_the_same_thing() {
        let menu = Menu::new(
            [
                "latte",
                "espresso",
                "croissant",
                "chow mein",
                "chicken ramen",
            ],
            [
                ("coffee", "latte"),
                ("noodles", "chow mein"),
                ("ramen", "chicken ramen"),
            ],
        )
        .kinds([
            ("coffee", ["latte", "espresso"].to_vec()),
            ("noodles", ["chow mein", "chicken ramen"].to_vec()),
        ]);
        assert_eq!(read("an espresso coffee", &menu), [plain("espresso", 1)]);
        assert_eq!(read("2 ramen noodles", &menu), [plain("chicken ramen", 2)]);
        assert_eq!(
            read("an espresso coffee and a croissant", &menu),
            [plain("espresso", 1), plain("croissant", 1)]
        );
        // Apart, or of another kind, it is a thing of its own.
        assert_eq!(
            read("an espresso, coffee", &menu),
            [plain("espresso", 1), plain("latte", 1)]
        );
        assert_eq!(
            read("a croissant coffee", &menu),
            [plain("croissant", 1), plain("latte", 1)]
        );
        assert_eq!(
            read("an espresso and a coffee", &menu),
            [plain("espresso", 1), plain("latte", 1)]
        );
    }

    #[test]
    fn a_count_of_them_after_the_things_counts_them() {
        assert_eq!(
            read("order burgers for the team, 5 of them", &food()),
            [plain("cheeseburger", 5)]
        );
        assert_eq!(
            read("pizzas margherita, two of them, to my place", &food()),
            [plain("margherita pizza", 2)]
        );
        assert_eq!(
            read("fries and lattes, three of those", &food()),
            [plain("fries", 1), plain("latte", 3)]
        );
    }

    #[test]
    fn a_kind_only_the_whole_name_has() {
        let menu = Menu::new(
            ["margherita pizza", "hawaiian pizza", "cheeseburger"],
            [
                ("pizza", "margherita pizza"),
                ("burger", "cheeseburger"),
                ("cheese burger", "cheeseburger"),
            ],
        );
        assert_eq!(
            read("3 pizzas hawaiian", &menu),
            [plain("hawaiian pizza", 3)]
        );
        assert_eq!(read("a burger cheese", &menu), [plain("cheeseburger", 1)]);
        assert_eq!(
            read("two margherita pizzas and one hawaiian", &menu),
            [plain("margherita pizza", 2), plain("hawaiian pizza", 1)]
        );
        // Not without a count: "hawaiian" alone may be anything.
        assert_eq!(
            read("a margherita pizza, hawaiian style", &menu),
            [plain("margherita pizza", 1)]
        );
    }

    #[test]
    fn a_heading_is_no_item() {
        let menu = Menu::new(
            ["margherita pizza", "pepperoni pizza", "cola"],
            [
                ("pizza", "margherita pizza"),
                ("pepperoni", "pepperoni pizza"),
            ],
        );
        assert_eq!(
            read("2 pizzas: 1 margherita pizza and 1 pepperoni", &menu),
            [plain("margherita pizza", 1), plain("pepperoni pizza", 1)]
        );
        assert_eq!(
            read("a pizza and a pepperoni pizza", &menu),
            [plain("pizza", 1), plain("pepperoni pizza", 1)]
        );
    }

    #[test]
    fn what_a_thing_is_for_is_no_item() {
        let menu = Menu::new(["milk", "coffee", "fries", "onion rings"], []);
        assert_eq!(read("buy milk for the coffee", &menu), [plain("milk", 1)]);
        assert_eq!(
            read("2 milk for my coffee and some fries", &menu),
            [plain("milk", 2), plain("fries", 1)]
        );
        assert_eq!(
            read("swap the fries for onion rings", &menu),
            [plain("fries", 1), plain("onion rings", 1)]
        );
    }

    #[test]
    fn a_thing_then_its_kind_is_one_item() {
        assert_eq!(
            read("order 2 pizzas margherita", &food()),
            [plain("margherita pizza", 2)]
        );
        let menu = Menu::new(
            ["margherita pizza", "pepperoni pizza", "cola"],
            [
                ("pizza", "margherita pizza"),
                ("pepperoni", "pepperoni pizza"),
                ("coke", "cola"),
            ],
        );
        assert_eq!(
            read("a pizza pepperoni and a coke", &menu),
            [plain("pepperoni pizza", 1), plain("cola", 1)]
        );
        assert_eq!(
            read("two pizzas, pepperoni", &menu),
            [plain("pepperoni pizza", 2)]
        );
        assert_eq!(read("a coke cola", &menu), [plain("cola", 1)]);
        assert_eq!(
            read("2 pizzas with pepperoni", &menu),
            [plain("pepperoni pizza", 2)]
        );
        assert_eq!(
            read("a pizza with a coke", &menu),
            [plain("pizza", 1), plain("cola", 1)]
        );
        // Two things said apart stay two (a pizza of a menu with two is
        // left for the agent to ask which).
        assert_eq!(
            read("a pizza. pepperoni too", &menu),
            [plain("pizza", 1), plain("pepperoni pizza", 1)]
        );
        assert_eq!(
            read("a coke and a coke", &menu),
            [plain("cola", 1), plain("cola", 1)]
        );
        assert_eq!(
            read("a pizza and a pepperoni pizza", &menu),
            [plain("pizza", 1), plain("pepperoni pizza", 1)]
        );
    }

    #[test]
    fn a_kind_of_dish_stays_the_kind() {
        let menu = Menu::new(
            ["chicken tikka masala", "green curry", "cheeseburger"],
            [
                ("curry", "chicken tikka masala"),
                ("cheese burger", "cheeseburger"),
            ],
        );
        assert_eq!(read("a curry to home", &menu), [plain("curry", 1)]);
        assert_eq!(read("a cheese burger", &menu), [plain("cheeseburger", 1)]);
    }

    #[test]
    fn a_dish_that_goes_on_is_another_dish() {
        let found = items(&Words::new("order a chicken katsu to home"), &mart(), &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].item.name, "chicken katsu");
        assert!(!found[0].known, "the mart has chicken, not chicken katsu");
        assert_eq!(
            read("a burger meal please", &food()),
            [plain("burger meal", 1)]
        );
        assert_eq!(
            read("a burger and fries to home", &food()),
            [plain("cheeseburger", 1), plain("fries", 1)]
        );
    }

    #[test]
    fn sizes_and_extras_are_notes() {
        assert_eq!(
            read("a large pepperoni pizza with extra cheese", &food()),
            [(
                "pepperoni pizza".to_owned(),
                1,
                Some("large, with extra cheese".to_owned())
            )]
        );
        assert_eq!(
            read("2 burgers with no onions and a coke", &food()),
            [
                (
                    "cheeseburger".to_owned(),
                    2,
                    Some("with no onions".to_owned())
                ),
                plain("cola", 1)
            ]
        );
        assert_eq!(
            read("two large margheritas, no olives, to work", &food()),
            [(
                "margherita pizza".to_owned(),
                2,
                Some("large, no olives".to_owned())
            )]
        );
        assert_eq!(
            read("a cheeseburger, no onions, extra cheese, to home", &food()),
            [(
                "cheeseburger".to_owned(),
                1,
                Some("no onions, extra cheese".to_owned())
            )]
        );
        assert_eq!(read("a dozen lattes", &food()), [plain("latte", 12)]);
        assert_eq!(
            read("some rice and a jar of sauce", &mart()),
            [plain("rice", 1), plain("sauce", 1)],
            "a thing in a pack, unknown"
        );
        // Nothing said in a list is dropped for being unknown: the shop
        // says it has none.
        assert_eq!(
            read("bread, jam, and a bottle of water", &mart()),
            [plain("bread", 1), plain("jam", 1), plain("water", 1)],
            "a comma before the list's last and"
        );
        assert_eq!(
            read("bread, jam, and a pack of batteries", &mart()),
            [plain("bread", 1), plain("jam", 1), plain("batteries", 1)],
            "the last thing unknown too"
        );
        assert_eq!(
            read("3 bananas and nothing else", &mart()),
            [plain("banana", 3)]
        );
        assert_eq!(
            read("a burger and a couple of pickles", &food()),
            [plain("cheeseburger", 1), plain("pickles", 2)]
        );
        assert_eq!(
            read("fries and a few nuggets", &food()),
            [plain("fries", 1), plain("nuggets", 3)]
        );
        assert_eq!(
            read("bread and water, 2 of each", &mart()),
            [plain("bread", 2), plain("water", 2)]
        );
        // "one of each pizza": every pizza of the menu.
        assert_eq!(
            read("one of each pizza to home", &food()),
            [plain("margherita pizza", 1), plain("pepperoni pizza", 1)]
        );
        assert_eq!(read("2 rice portions", &mart()), [plain("rice", 2)]);
        assert_eq!(read("half a dozen colas", &food()), [plain("cola", 6)]);
        assert_eq!(read("a dozen eggs", &mart()), [plain("eggs", 1)], "a box");
        assert_eq!(
            read("a chocolate latte", &food()),
            [("latte".to_owned(), 1, Some("chocolate".to_owned()))]
        );
        assert_eq!(
            read("a burger with fries", &food()),
            [plain("cheeseburger", 1), plain("fries", 1)]
        );
    }

    #[test]
    fn taken_words_are_no_items() {
        let words = Words::new("two margherita pizzas from Pizza Palace");
        let taken = [false, false, false, false, true, true];
        let found: Vec<_> = items(&words, &food(), &taken)
            .into_iter()
            .map(|f| (f.item.name, f.item.quantity))
            .collect();
        assert_eq!(found, [("margherita pizza".to_owned(), 2)]);
    }

    #[test]
    fn things_said_as_more_than_one_without_a_count() {
        use Uncounted::{Bagged, Plural, Weighed};
        for (said, name, how) in [
            (
                "some bananas to home",
                "banana",
                Some(Plural("bananas".into())),
            ),
            ("get me potatoes", "potato", Some(Plural("potatoes".into()))),
            ("a bag of apples", "apple", Some(Bagged("apples".into()))),
            (
                "a kilo of potatoes",
                "potato",
                Some(Weighed("potatoes".into())),
            ),
            ("2 kilos of onions", "onion", Some(Weighed("onions".into()))),
            ("500g tomatoes", "tomato", Some(Weighed("tomatoes".into()))),
            (
                "chicken breasts",
                "chicken breast",
                Some(Plural("chicken breasts".into())),
            ),
            ("3 bananas", "banana", None),
            ("a few apples", "apple", None),
            ("a couple of apples", "apple", None),
            ("apples x 4", "apple", None),
            ("a banana", "banana", None),
            ("some eggs", "eggs", None),
            ("bananas", "orange", None),
        ] {
            assert_eq!(uncounted(&Words::new(said), name), how, "{said}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(count(&Words::new("make it two")), Some(2));
        for (said, n) in [
            ("pizza for 4 people", Some(4)),
            ("order sushi for the two of us to work", Some(2)),
            ("burgers for three", Some(3)),
            ("a curry for a family of 5", None),
            ("curry for a family of 5", Some(5)),
            ("2 pizzas for 4 people", None),
            ("a pizza for 4 people", None),
            ("pizza for 7", None),
            ("pizza for 7pm", None),
            ("a table for 4 people", None),
        ] {
            assert_eq!(party(&Words::new(said)), n, "{said}");
        }
        for none in ["make it 0", "zero burgers", "make that none"] {
            assert!(none_of(&Words::new(none)), "{none}");
        }
        for some in ["make it 2", "none of them 3", "burgers"] {
            assert!(!none_of(&Words::new(some)), "{some}");
        }
        assert_eq!(count(&Words::new("a dozen")), Some(12));
        assert_eq!(count(&Words::new("make it two dozen")), Some(24));
        assert_eq!(count(&Words::new("half a dozen")), Some(6));
        assert_eq!(count(&Words::new("a dozen and a half")), Some(18));
        assert_eq!(count(&Words::new("at 5pm")), None);
        assert_eq!(count(&Words::new("for 4 people")), Some(4));
        assert_eq!(
            count(&Words::new(
                "actually deliver it to 10 downing street instead"
            )),
            None
        );
        assert_eq!(count(&Words::new("no, send it to 3 station road")), None);
        assert_eq!(count(&Words::new("make it 3 to 5 bank street")), Some(3));
    }
}
