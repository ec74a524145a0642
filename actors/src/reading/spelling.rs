//! Typos read as what they mean ("ordr me a buger" is "order me a burger",
//! "taxii" a taxi), without asking "did you mean". A word is corrected only
//! when errand does not know it (it is neither in its own vocabulary, nor
//! among the words people wrote in the labelled data, `models/words.txt`,
//! nor an English word, `models/english.txt`)
//! and it is one edit (two for long words) from a word of errand's own
//! vocabulary: the catalogs' dishes, goods, restaurants and places, and
//! the words of ordering and booking. Emoji dishes read as their dish.

use std::collections::{BTreeMap, HashMap, HashSet};

/// The words people wrote in the labelled data, with their counts.
const DATA_WORDS: &str = include_str!("../../models/words.txt");

/// English words (SCOWL's British English list, see NOTICE): never
/// corrected, so "a garden hose" stays a hose.
const ENGLISH_WORDS: &str = include_str!("../../models/english.txt");

/// Texting shorthand, read as the words it stands for.
const SHORTHAND: &[(&str, &str)] = &[
    ("u", "you"),
    ("ur", "your"),
    ("r", "are"),
    ("wat", "what"),
    ("wot", "what"),
    ("wut", "what"),
    ("pls", "please"),
    ("plz", "please"),
    ("thx", "thanks"),
    ("ty", "thank you"),
    ("cya", "see you"),
    ("tmrw", "tomorrow"),
    ("tmr", "tomorrow"),
    ("stn", "station"),
    ("dbl", "double"),
    ("tmrow", "tomorrow"),
    ("tmoz", "tomorrow"),
    ("tomoz", "tomorrow"),
    ("tomoro", "tomorrow"),
    ("tonite", "tonight"),
    ("wanna", "want to"),
    ("gimme", "give me"),
    ("cn", "can"),
    ("n", "and"),
];

/// Shorthand that starts with a digit ("2moro"), which the word-by-word
/// correction would read as a number and a word.
const DIGIT_SHORTHAND: &[(&str, &str)] = &[
    ("2moro", "tomorrow"),
    ("2morro", "tomorrow"),
    ("2morrow", "tomorrow"),
    ("2mrw", "tomorrow"),
    ("2mro", "tomorrow"),
    ("2day", "today"),
    ("2nite", "tonight"),
    ("2night", "tonight"),
];

/// `text` with each [`DIGIT_SHORTHAND`] word written out.
fn digit_shorthand(text: &str) -> Option<String> {
    let meant = |token: &str| {
        let bare = token.trim_end_matches(|c: char| !c.is_alphanumeric());
        let (_, full) = DIGIT_SHORTHAND
            .iter()
            .find(|(short, _)| bare.eq_ignore_ascii_case(short))?;
        Some(format!("{full}{}", &token[bare.len()..]))
    };
    let tokens: Vec<&str> = text.split(' ').collect();
    if !tokens.iter().any(|t| meant(t).is_some()) {
        return None;
    }
    let out: Vec<String> = (tokens.iter())
        .map(|t| meant(t).unwrap_or_else(|| (*t).to_owned()))
        .collect();
    Some(out.join(" "))
}

/// Words of asking for errands that every vocabulary has.
const ERRAND_WORDS: &[&str] = &[
    "yes",
    "yeah",
    "confirm",
    "order",
    "book",
    "booking",
    "ride",
    "taxi",
    "cab",
    "uber",
    "deliver",
    "delivery",
    "delivered",
    "tomorrow",
    "tonight",
    "morning",
    "afternoon",
    "evening",
    "minutes",
    "hours",
    "airport",
    "station",
    "please",
    "pickup",
    "people",
    "passengers",
    "cancel",
    "groceries",
    "grocery",
    "restaurant",
    "want",
    "would",
    "like",
    "send",
    "bring",
    "home",
    "work",
    "office",
    "instead",
    "actually",
    "change",
    "make",
    "seats",
    "premium",
    "shared",
    "standard",
    "large",
    "medium",
    "small",
    "extra",
    "address",
    "street",
    "road",
    "avenue",
    "square",
    "menu",
    "much",
    "price",
    "thanks",
    "thank",
    "hello",
    "pizza",
    "burger",
    "sushi",
    "coffee",
    "drive",
    "driver",
    "going",
    "from",
    "there",
    "where",
    "what",
    "which",
    "could",
    "should",
    "also",
    "another",
    "another",
];

/// Emoji and the words they stand for.
const EMOJI: &[(&str, &str)] = &[
    ("🍕", "pizza"),
    ("🍔", "burger"),
    ("🍣", "sushi"),
    ("☕", "coffee"),
    ("🌮", "taco"),
    ("🍟", "fries"),
    ("🥗", "salad"),
    ("🍜", "ramen"),
    ("🌯", "burrito"),
    ("🥤", "cola"),
    ("🍝", "spaghetti"),
    ("🍛", "curry"),
    ("🥐", "croissant"),
    ("🌭", "hot dog"),
    ("🥟", "dumpling"),
    ("🍗", "chicken wings"),
    ("🥛", "milk"),
    ("🥚", "eggs"),
    ("🍞", "bread"),
    ("🍌", "banana"),
    ("🍎", "apple"),
    ("🧻", "toilet paper"),
    ("🚕", "taxi"),
    ("🚖", "taxi"),
    ("🚗", "car"),
    ("👍", "yes"),
];

/// Corrects typos against a vocabulary.
#[derive(Clone, Debug)]
pub struct Speller {
    /// Words errand takes as spelled right.
    known: HashSet<String>,
    /// Its own vocabulary, what a typo may become, with how common each is.
    vocabulary: BTreeMap<String, u32>,
    /// Deletion neighbourhoods of the vocabulary: a typo and its word share one.
    deletes: HashMap<String, Vec<String>>,
    /// Names of several words ("garlic bread"): a real word in one of
    /// them that is one letter off ("garlic bred") is that name's word.
    phrases: Vec<Vec<String>>,
    /// Each word of those names, and where it is in which (the name's
    /// position in `phrases`, the word's in the name).
    phrase_words: HashMap<String, Vec<(usize, usize)>>,
    /// How often each word was written in the labelled data.
    seen: HashMap<String, u32>,
}

impl Speller {
    /// A speller whose vocabulary is `words` (catalog names and the like,
    /// split into words) and errand's own words.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        let counts: HashMap<&str, u32> = DATA_WORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let (w, n) = l.split_once(' ')?;
                Some((w, n.parse().ok()?))
            })
            .collect();
        let mut vocabulary = BTreeMap::new();
        let mut phrases = Vec::new();
        for word in words.into_iter().chain(ERRAND_WORDS.iter().copied()) {
            let parts: Vec<String> = word.split_whitespace().map(|w| w.to_lowercase()).collect();
            if (2..=4).contains(&parts.len()) {
                phrases.push(parts);
            }
            for w in word.split_whitespace() {
                let w = w.to_lowercase();
                if w.len() >= 3 && w.chars().all(|c| c.is_alphabetic() || c == '\'') {
                    let n = counts.get(w.as_str()).copied().unwrap_or(0);
                    vocabulary.insert(w, n);
                }
            }
        }
        let mut known: HashSet<String> = counts.keys().map(|w| (*w).to_owned()).collect();
        known.extend(vocabulary.keys().cloned());
        known.extend(
            ENGLISH_WORDS
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(str::to_owned),
        );
        let mut deletes: HashMap<String, Vec<String>> = HashMap::new();
        for word in vocabulary.keys() {
            for d in neighbourhood(word, reach(word.len())) {
                deletes.entry(d).or_default().push(word.clone());
            }
        }
        phrases.sort();
        phrases.dedup();
        let mut phrase_words: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (p, phrase) in phrases.iter().enumerate() {
            for (k, word) in phrase.iter().enumerate() {
                phrase_words.entry(word.clone()).or_default().push((p, k));
            }
        }
        Self {
            phrases,
            phrase_words,
            seen: counts.iter().map(|(w, n)| ((*w).to_owned(), *n)).collect(),
            known,
            vocabulary,
            deletes,
        }
    }

    /// Whether errand knows `word` (lower case).
    pub fn knows(&self, word: &str) -> bool {
        self.known.contains(word)
    }

    /// `text` with emoji as words and typos corrected; everything else as
    /// it was written.
    pub fn fix(&self, text: &str) -> String {
        // A name first, as written ("pad tai" is "pad thai"): a word fixed
        // alone may become another ("tai" a taxi).
        let text = emoji_as_words(text);
        let text = digit_shorthand(&text).unwrap_or(text);
        let text = self.fix_phrases(&text);
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        // Letters glued to a number ("7ish", "24th", "5pm") are its own.
        let mut glued = false;
        let mut last = ' ';
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphabetic() || (c == '\'' && !word.is_empty()) {
                if word.is_empty() {
                    glued = last.is_ascii_digit();
                }
                word.push(c);
                last = c;
                continue;
            }
            if !word.is_empty() {
                // ("N1 2AB", "SW1A": letters before a number are its own
                // too.)
                match glued || c.is_ascii_digit() {
                    true => out.push_str(&word),
                    false => out.push_str(&self.correct(&word)),
                }
                word.clear();
            }
            out.push(c);
            last = c;
        }
        out.pop();
        self.fix_phrases(&out)
    }

    /// "garlic bred" is "garlic bread": in a window that is a name of
    /// several words but for one word one letter off, that word.
    fn fix_phrases(&self, text: &str) -> String {
        let words = super::words::Words::new(text);
        let w = words.norm();
        // The windows that share a word with a name: one word off, a
        // name of two words or more shares at least one.
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for (j, word) in w.iter().enumerate() {
            for &(p, k) in self.phrase_words.get(word).into_iter().flatten() {
                if j >= k && j - k + self.phrases[p].len() <= w.len() {
                    windows.push((p, j - k));
                }
            }
        }
        windows.sort_unstable();
        windows.dedup();
        let mut fixes: Vec<(usize, &str)> = Vec::new();
        for (p, i) in windows {
            let phrase = &self.phrases[p];
            let n = phrase.len();
            // The one word of the window that is not the name's.
            let mut off = (0..n).filter(|k| w[i + k] != phrase[*k]);
            let (Some(k), None) = (off.next(), off.next()) else {
                continue;
            };
            // Only a word people write less often than the name's
            // ("bred", never "place" for "palace").
            let seen = |x: &str| self.seen.get(x).copied().unwrap_or(0);
            if w[i + k].len() >= 3
                && one_edit_apart(&w[i + k], &phrase[k])
                && seen(&w[i + k]) < seen(&phrase[k]).max(1)
                && !fixes.iter().any(|(at, _)| *at == i + k)
            {
                fixes.push((i + k, &phrase[k]));
            }
        }
        if fixes.is_empty() {
            return text.to_owned();
        }
        fixes.sort();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (at, word) in fixes {
            let original = &words.words[at];
            out.push_str(&text[last..original.start]);
            out.push_str(&with_case_of(&original.text, word));
            last = original.end;
        }
        out.push_str(&text[last..]);
        out
    }

    /// The word `word` was meant to be; a plural keeps its "s".
    fn correct(&self, word: &str) -> String {
        let lower = word.to_lowercase();
        // (A letter alone in capitals is a letter: "40 U Street".)
        let capital_letter = word.len() == 1 && word != lower;
        if let Some((_, meant)) = SHORTHAND.iter().find(|(short, _)| *short == lower)
            && !capital_letter
        {
            return (*meant).to_owned();
        }
        // ("UCH", "NHS": letters written in capitals are a name.)
        let acronym = word.len() <= 4 && word.chars().all(|c| c.is_ascii_uppercase());
        if lower.len() < 3 || self.known.contains(&lower) || lower.contains('\'') || acronym {
            return word.to_owned();
        }
        if let Some(stem) = word.strip_suffix('s')
            && let Some(fixed) = self.closest(stem)
        {
            return if fixed.ends_with('s') {
                fixed
            } else {
                format!("{fixed}s")
            };
        }
        self.closest(word).unwrap_or_else(|| word.to_owned())
    }

    /// The vocabulary word nearest to `word`, if one is near enough.
    fn closest(&self, word: &str) -> Option<String> {
        let lower = word.to_lowercase();
        if self.known.contains(&lower) {
            return Some(word.to_owned());
        }
        // Three letters may have swapped two ("yse")...
        if lower.chars().count() == 3 {
            let c: Vec<char> = lower.chars().collect();
            for (a, b) in [(0, 1), (1, 2)] {
                let mut swapped = c.clone();
                swapped.swap(a, b);
                let swapped: String = swapped.into_iter().collect();
                if self.vocabulary.contains_key(&swapped) {
                    return Some(with_case_of(word, &swapped));
                }
            }
        }
        // ...or lost one ("wrk", "hme"); nothing else.
        let limit = if lower.chars().count() == 3 {
            1
        } else {
            reach(lower.len())
        };
        let mut candidates: Vec<&String> = neighbourhood(&lower, limit)
            .iter()
            .filter_map(|d| self.deletes.get(d))
            .flatten()
            .collect();
        candidates.sort();
        candidates.dedup();
        let best = candidates
            .into_iter()
            .map(|c| (distance(&lower, c), c))
            .filter(|(d, c)| {
                if lower.chars().count() == 3 {
                    *d == 1 && c.chars().count() == 4
                } else {
                    *d <= limit.min(reach(c.len()))
                }
            })
            .min_by(|(d1, c1), (d2, c2)| {
                d1.cmp(d2)
                    .then(self.vocabulary[*c2].cmp(&self.vocabulary[*c1]))
                    .then(c1.cmp(c2))
            });
        best.map(|(_, fixed)| with_case_of(word, fixed))
    }
}

/// How many edits a word of `len` letters may be from its vocabulary word.
fn reach(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

fn neighbourhood(word: &str, depth: usize) -> HashSet<String> {
    let mut found = HashSet::from([word.to_owned()]);
    let mut frontier = found.clone();
    for _ in 0..depth {
        frontier = frontier
            .iter()
            .flat_map(|w| {
                let chars: Vec<char> = w.chars().collect();
                (0..chars.len())
                    .map(move |i| chars[..i].iter().chain(&chars[i + 1..]).collect::<String>())
                    .collect::<Vec<_>>()
            })
            .collect();
        found.extend(frontier.iter().cloned());
    }
    found
}

/// Damerau-Levenshtein distance (optimal string alignment).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // The table's rows two back, one back and this one, in turn.
    let mut rows = vec![0usize; 3 * width];
    let at = |i: usize, j: usize| (i % 3) * width + j;
    for (j, cell) in rows[..width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[at(i, 0)] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = d;
        }
    }
    rows[at(a.len(), b.len())]
}

/// Whether `a` and `b` are one edit apart (a [`distance`] of exactly 1: a
/// letter changed, added, dropped, or two side by side swapped), found in
/// one pass without the table.
pub fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = match a.len() <= b.len() {
        true => (a, b),
        false => (b, a),
    };
    let (mut short, mut long) = (a.chars(), b.chars());
    loop {
        match (short.next(), long.next()) {
            (Some(x), Some(y)) if x == y => continue,
            // Past the common start: the rest, after one edit, is equal.
            (Some(x), Some(y)) => {
                let (s, l) = (short.as_str(), long.as_str());
                // A letter changed; one added to the longer; or two side
                // by side swapped ("xy…" against "yx…").
                return s == l
                    || std::iter::once(x).chain(s.chars()).eq(l.chars())
                    || (l.starts_with(x)
                        && s.starts_with(y)
                        && s[y.len_utf8()..] == l[x.len_utf8()..]);
            }
            // The longer one has one letter more, at its end.
            (None, Some(_)) => return long.as_str().is_empty(),
            (None, None) | (Some(_), None) => return false,
        }
    }
}

fn with_case_of(original: &str, fixed: &str) -> String {
    if original.chars().next().is_some_and(char::is_uppercase) {
        let mut c = fixed.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    } else {
        fixed.to_owned()
    }
}

/// Emoji as their words; a run of the same one counts ("🍕🍕" is "2 pizza").
fn emoji_as_words(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for (emoji, word) in EMOJI {
            if rest.starts_with(emoji) {
                let mut count = 0;
                while let Some(after) = rest.strip_prefix(emoji) {
                    // A variation selector may follow ("☕️").
                    rest = after.trim_start_matches('\u{fe0f}');
                    count += 1;
                }
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                if count > 1 {
                    out.push_str(&format!("{count} {word}"));
                } else {
                    out.push_str(word);
                }
                if !rest.starts_with(' ') && !rest.is_empty() {
                    out.push(' ');
                }
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        Speller::new([
            "cheeseburger",
            "burger",
            "margherita pizza",
            "garlic bread",
            "pepperoni pizza",
            "Gatwick Airport",
            "Heathrow Airport",
            "cappuccino",
            "espresso",
            "sandwich",
            "pad thai",
        ])
    }

    #[test]
    fn typos_read_as_meant() {
        let s = speller();
        assert_eq!(
            s.fix("toilet paper and a garden hose"),
            "toilet paper and a garden hose"
        );
        assert_eq!(s.fix("ordr me a buger"), "order me a burger");
        assert_eq!(s.fix("fish n chips"), "fish and chips");
        assert_eq!(s.fix("book a taxii to gatwik"), "book a taxi to gatwick");
        assert_eq!(s.fix("2 chesseburgers"), "2 cheeseburgers");
        assert_eq!(s.fix("a chesseburger"), "a cheeseburger");
        assert_eq!(s.fix("a peperoni piza"), "a pepperoni pizza");
        assert_eq!(s.fix("tommorow at 5"), "tomorrow at 5");
        assert_eq!(s.fix("Airprot please"), "Airport please");
        assert_eq!(s.fix("to wrk"), "to work");
        assert_eq!(s.fix("wat can u do"), "what can you do");
        assert_eq!(s.fix("yse"), "yes");
        assert_eq!(s.fix("a garlic bred please"), "a garlic bread please");
        // The name before the word alone: "tai" would be a taxi.
        assert_eq!(s.fix("pad tai to work"), "pad thai to work");
        assert_eq!(s.fix("the place near the park"), "the place near the park");
    }

    #[test]
    fn words_people_write_are_left_alone() {
        let s = speller();
        for text in [
            "order me a burger",
            "what's the weather like",
            "221B Baker Street",
            "book a table for two",
            "I'd like a ride",
            "a cab at 7ish on the 24th",
            "2x pizza at 5pm",
        ] {
            assert_eq!(s.fix(text), text);
        }
    }

    #[test]
    fn emoji_are_their_dishes() {
        let s = speller();
        assert_eq!(s.fix("🍕 to work"), "pizza to work");
        assert_eq!(s.fix("get me 🍔🍔"), "get me 2 burger");
        assert_eq!(s.fix("a ☕️ please"), "a coffee please");
        assert_eq!(s.fix("sushi🍣"), "sushi sushi");
    }

    #[test]
    fn one_edit_apart_is_a_distance_of_one() {
        let words = [
            "", "a", "ab", "ba", "abc", "acb", "bac", "abd", "abcd", "acbd", "bred", "bread",
            "breads", "brad", "airprot", "airport", "tommorow", "tomorrow", "café", "cafe",
            "cafés", "aéb", "abé",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    one_edit_apart(a, b),
                    distance(a, b) == 1,
                    "{a:?} and {b:?} (distance {})",
                    distance(a, b)
                );
            }
        }
    }

    #[test]
    fn distances() {
        assert_eq!(distance("airprot", "airport"), 1);
        assert_eq!(distance("tommorow", "tomorrow"), 2);
        assert_eq!(distance("", "abc"), 3);
    }
}
