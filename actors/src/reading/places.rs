//! Places named in an utterance: saved places ("home", "the office"),
//! landmarks and streets the gazetteer knows ("gatwick", "King's Cross"),
//! street addresses ("221B Baker Street", "14 Elm Road"), and what follows
//! "to" or "from" otherwise ("to my mum's house"), so an answer with words
//! around it still gives its place ("221B Baker Street because that is
//! where I live").

use super::words::Words;
use crate::agents::catalog::{LANDMARKS, SAVED_PLACE_ALIASES, STREET_KINDS, STREETS};
use crate::agents::normalize;

/// Words that end a place said after "to" or "from".
const STOPS: &[&str] = &[
    "to",
    "from",
    "for",
    "please",
    "tomorrow",
    "tonight",
    "today",
    "now",
    "asap",
    "with",
    "and",
    "by",
    "thanks",
    "thank",
    "then",
    "instead",
    "at",
    "in",
    "on",
    "because",
    "since",
    "as",
    "which",
    "that",
    "where",
    "so",
    "but",
    "around",
    "before",
    "after",
    "leaving",
    "departing",
    "arriving",
    "pick",
    "picking",
    "going",
    "i",
    "it's",
    "its",
    "it",
    "thx",
    "cheers",
    "plz",
    "pls",
    "right",
    "quickly",
    "soon",
    "asap",
    "ok",
    "okay",
];

/// The gazetteer's names, as words.
#[derive(Clone, Debug)]
pub struct Places {
    names: Vec<Vec<String>>,
}

impl Default for Places {
    fn default() -> Self {
        let mut names: Vec<Vec<String>> = LANDMARKS
            .iter()
            .flat_map(|(name, aliases, _, _)| std::iter::once(*name).chain(aliases.iter().copied()))
            .chain(STREETS.iter().map(|(name, _, _)| *name))
            .chain(SAVED_PLACE_ALIASES.iter().map(|(alias, _)| *alias))
            .map(|n| normalize(n).split(' ').map(str::to_owned).collect())
            .collect();
        names.sort_by(|a: &Vec<String>, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        names.dedup();
        Self { names }
    }
}

/// A place said in an utterance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// As written ("221B Baker Street", "my mum's house").
    pub text: String,
    pub from: usize,
    pub to: usize,
    /// The gazetteer knows it, or it is a street address.
    pub known: bool,
    /// The word before it ("to", "from", "at"...), if any.
    pub after: Option<String>,
}

/// What kind of place `text` names, to tell which of several places a
/// correction replaces ("to heathrow from home, sorry gatwick": an airport
/// for an airport): "saved" for the person's own places (home, work), the
/// last word of a landmark's name ("airport", "station", "hospital"), or
/// `None` for anything else.
pub fn kind_of(text: &str) -> Option<String> {
    let said = normalize(text.trim());
    let said = said.strip_prefix("the ").unwrap_or(&said);
    if SAVED_PLACE_ALIASES
        .iter()
        .any(|(alias, _)| normalize(alias) == said)
    {
        return Some("saved".to_owned());
    }
    LANDMARKS.iter().find_map(|(name, aliases, _, _)| {
        let named = std::iter::once(*name)
            .chain(aliases.iter().copied())
            .any(|n| {
                let n = normalize(n);
                n.strip_prefix("the ").unwrap_or(&n) == said
            });
        named.then(|| name.rsplit(' ').next().unwrap_or(name).to_lowercase())
    })
}

impl Places {
    /// The known place whose words start at `i`: how many words.
    fn known_at(&self, keys: &[String], i: usize) -> Option<usize> {
        // "the airport": the article is part of some names, not of others.
        self.names.iter().find_map(|name| {
            let end = i + name.len();
            (end <= keys.len() && keys[i..end] == name[..]).then_some(name.len())
        })
    }

    /// Every place said in `words`, in order.
    pub fn mentions(&self, words: &Words) -> Vec<Mention> {
        let keys: Vec<String> = words.norm().iter().map(|w| normalize(w)).collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < keys.len() {
            let after = said_before(words, &keys, i);
            // "flat 3, 12 Abbey Road": the flat with its street address.
            let unit = flat_at(&keys, i);
            if let Some(len) = street_address(&keys, i + unit) {
                let mut end = i + unit + len;
                // "12 Abbey Road, flat 3".
                if unit == 0 {
                    end += flat_at(&keys, end);
                }
                // "12 Oxford Rd, Manchester M1 5QA": its town and postcode.
                end += town_at(words, &keys, end);
                found.push(self.mention(words, i, end, true, after));
                i = end;
                continue;
            }
            let start = if keys[i] == "the" && i + 1 < keys.len() {
                i + 1
            } else {
                i
            };
            if let Some(len) = self.known_at(&keys, i).or_else(|| {
                self.known_at(&keys, start)
                    .map(|len| len + start - i)
                    .filter(|_| start > i)
            }) {
                // "victoria park", "london bridge hospital", "wembley
                // arena": another place of the known one's name, which
                // errand does not know; never the known one.
                let other = other_place_of_the_name(&keys, i, i + len);
                found.push(self.mention(words, i, i + len + other, other == 0, after));
                i += len + other;
                continue;
            }
            // Anything after "to" or "from" up to a stop.
            if i > 0
                && matches!(keys[i - 1].as_str(), "to" | "from")
                && !STOPS.contains(&keys[i].as_str())
                && !changes_to(&keys, i)
            {
                let mut end = i;
                // "the after party": a word of time that names the thing.
                let named = |end: usize| {
                    matches!(keys[end].as_str(), "after" | "before")
                        && end > i
                        && matches!(keys[end - 1].as_str(), "the" | "a" | "an")
                };
                while end < keys.len()
                    && (!STOPS.contains(&keys[end].as_str()) || named(end))
                    && !gap_has_stop(words, end)
                    && self.known_at(&keys, end).is_none()
                    && !(end > i && keys[end] == "at" && says_when(keys.get(end + 1)))
                {
                    end += 1;
                }
                // "st mary's hospital paddington": a place of a kind, and
                // the known one it is in, is the place of that kind.
                if end > i
                    && end < keys.len()
                    && (KINDS_OF_PLACE.contains(&keys[end - 1].as_str())
                        || STREET_KINDS.contains(&keys[end - 1].as_str()))
                    && !gap_has_stop(words, end)
                    && let Some(len) = self.known_at(&keys, end)
                {
                    end += len;
                }
                // "quarter to nine", "ten to 5": a time, not a place.
                let clock = keys[i..end].iter().all(|k| says_when(Some(k)));
                if end > i && !is_no_place(&keys[i..end]) && !clock {
                    found.push(self.mention(words, i, end, false, after));
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        // "the place near the park": a place beside another is not it.
        found.retain(|m| !beside(&keys, m.from));
        found
    }

    fn mention(
        &self,
        words: &Words,
        from: usize,
        to: usize,
        known: bool,
        after: Option<String>,
    ) -> Mention {
        Mention {
            text: words.span(from, to).to_owned(),
            from,
            to,
            known,
            after,
        }
    }
}

/// The word before word `i`, as a preposition: "home -> lhr" and "home >
/// lhr" go to, and so does a texted "2" after a ride ("taxi 2 euston").
fn said_before(words: &Words, keys: &[String], i: usize) -> Option<String> {
    if i == 0 {
        return None;
    }
    let gap = &words.text[words.words[i - 1].end..words.words[i].start];
    if gap.contains('>') || gap.contains('→') {
        return Some("to".into());
    }
    let ride = |k: usize| RIDES.contains(&keys[k].as_str());
    if keys[i - 1] == "2" && i >= 2 && ride(i - 2) {
        return Some("to".into());
    }
    if let Some(end) = ride_end_named(keys, i - 1) {
        return Some(end.into());
    }
    // "a cab please, home to stansted": the ride's word, said with a
    // "please" between.
    if matches!(keys[i - 1].as_str(), "please" | "pls" | "plz") && i >= 2 && ride(i - 2) {
        return Some(keys[i - 2].clone());
    }
    Some(keys[i - 1].clone())
}

/// "change the pickup to work", "the drop-off point is Soho" (a hyphen
/// joins a key's words with a space), "make the
/// destination gatwick": the end of a ride named before word `k`, as the
/// preposition that says it ("from" the pickup, "to" the destination).
fn ride_end_named(keys: &[String], k: usize) -> Option<&'static str> {
    let word = |j: usize| keys.get(j).map(String::as_str).unwrap_or("");
    // The words joining the name to the place.
    let mut j = k + 1;
    while j > 0
        && matches!(
            word(j - 1),
            "to" | "is" | "be" | "should" | "will" | "as" | "at" | "outside"
        )
    {
        j -= 1;
    }
    if j > 0 && matches!(word(j - 1), "point" | "location" | "address" | "spot") {
        j -= 1;
    }
    match (word(j.wrapping_sub(2)), word(j.wrapping_sub(1))) {
        (_, "pickup" | "pick up" | "collection") | ("pick", "up") => Some("from"),
        // "pick me up at Paddington", "drop me off at Victoria", "drop us
        // at the hotel".
        ("me" | "us", "up") if word(j.wrapping_sub(3)) == "pick" => Some("from"),
        ("me" | "us", "off") if word(j.wrapping_sub(3)) == "drop" => Some("to"),
        ("drop", "me" | "us") => Some("to"),
        (_, "destination" | "dropoff" | "drop off") | ("drop", "off") => Some("to"),
        _ => None,
    }
}

/// Words for a ride: a place right after one is where it starts ("a cab
/// home to Gatwick").
pub const RIDES: &[&str] = &[
    "cab", "taxi", "ride", "uber", "lift", "car", "minicab", "cabs", "taxis", "rides", "seater",
    "minibus", "van", "xl", "suv", "limo",
];

/// How many words name a flat at word `i` ("flat 3", "apartment 12b"):
/// 0 for none.
fn flat_at(keys: &[String], i: usize) -> usize {
    let unit = keys
        .get(i)
        .is_some_and(|k| matches!(k.as_str(), "flat" | "apartment" | "apt" | "unit" | "suite"));
    let number = keys
        .get(i + 1)
        .is_some_and(|k| k.len() <= 4 && k.starts_with(|c: char| c.is_ascii_digit()));
    if unit && number { 2 } else { 0 }
}

/// The town and postcode after a street address ending before word `i`
/// ("…, Manchester M1 5QA", "…, leeds", "… SW1A 2AA"): how many words.
fn town_at(words: &Words, keys: &[String], i: usize) -> usize {
    const NO_TOWN: &[&str] = &[
        "no", "without", "extra", "pls", "plz", "cheers", "ta", "x", "yes", "yeah", "ok", "okay",
        "thx", "quick", "quickly", "fast", "soon", "sorry", "actually", "oh", "but", "or", "i",
        "it", "its", "it's", "we", "my", "me", "is", "the", "a", "an", "one", "two", "cash",
        "card", "door", "ring", "leave", "knock", "call", "text",
    ];
    // "SW1A", "M1", "OX1", then "2AA", "5QA".
    let postcode_at = |k: usize| {
        let (Some(out), Some(inw)) = (keys.get(k), keys.get(k + 1)) else {
            return false;
        };
        let out_ok = (2..=4).contains(&out.len())
            && out.starts_with(|c: char| c.is_ascii_alphabetic())
            && out.chars().any(|c| c.is_ascii_digit())
            && out.chars().all(|c| c.is_ascii_alphanumeric());
        let b = inw.as_bytes();
        out_ok
            && b.len() == 3
            && b[0].is_ascii_digit()
            && b[1..].iter().all(u8::is_ascii_alphabetic)
    };
    let mut k = i;
    if k < keys.len() && gap_has_stop(words, k) && !gap_ends_sentence(words, k) {
        while k < keys.len()
            && k < i + 2
            && keys[k].chars().all(|c| c.is_ascii_alphabetic())
            && !STOPS.contains(&keys[k].as_str())
            && !NO_TOWN.contains(&keys[k].as_str())
            && !says_when(Some(&keys[k]))
            && !postcode_at(k)
            && (k == i || !gap_has_stop(words, k))
        {
            k += 1;
        }
    }
    if postcode_at(k) && (k == i || !gap_has_stop(words, k) || k > i) {
        k += 2;
    }
    k - i
}

/// A full stop, question or exclamation mark before word `i`.
fn gap_ends_sentence(words: &Words, i: usize) -> bool {
    i > 0 && words.text[words.words[i - 1].end..words.words[i].start].contains(['.', '!', '?'])
}

/// A comma or a full stop before word `i` ends a phrase.
fn gap_has_stop(words: &Words, i: usize) -> bool {
    i > 0
        && words.text[words.words[i - 1].end..words.words[i].start]
            .contains([',', '.', ';', '!', '?'])
}

/// Whether `text` says only a time ("10pm", "half 7", "6:30 am"): no
/// place, whatever word came before it.
pub fn only_a_time(text: &str) -> bool {
    let words = Words::new(text);
    let w = words.norm();
    !w.is_empty()
        && w.iter()
            .all(|x| says_when(Some(x)) || matches!(x.as_str(), "am" | "pm" | "past" | "to"))
}

/// Words that say what kind of place a name is ("hospital", "park",
/// "road"): said after a known place's name, they make another place of
/// that name ("Victoria Park" is not Victoria Station). A station's,
/// airport's or terminal's word says the same place again, and is none.
const KINDS_OF_PLACE: &[&str] = &[
    "hospital",
    "clinic",
    "surgery",
    "park",
    "gardens",
    "garden",
    "green",
    "common",
    "heath",
    "hill",
    "bridge",
    "arena",
    "stadium",
    "corner",
    "town",
    "express",
    "hotel",
    "inn",
    "hall",
    "house",
    "palace",
    "museum",
    "gallery",
    "theatre",
    "theater",
    "cinema",
    "church",
    "abbey",
    "cathedral",
    "school",
    "college",
    "university",
    "uni",
    "library",
    "pier",
    "wharf",
    "market",
    "centre",
    "center",
    "mall",
    "tower",
    "building",
    "estate",
    "gate",
    "embankment",
    "pub",
    "club",
    "gym",
    "zoo",
    "way",
];

/// How many words after the known place at `from..to` make it another
/// place of that name: a kind of place ("victoria park", "waterloo
/// bridge"), or a street's ("westminster bridge road"), within a word of
/// it ("camden high street"), which the known place's name does not hold
/// already. 0 when none do.
fn other_place_of_the_name(keys: &[String], from: usize, to: usize) -> usize {
    let kind = |k: usize| {
        keys.get(k).is_some_and(|w| {
            (KINDS_OF_PLACE.contains(&w.as_str()) || STREET_KINDS.contains(&w.as_str()))
                && !keys[from..to].contains(w)
        })
    };
    // Home and work are no name another place shares.
    let saved = SAVED_PLACE_ALIASES
        .iter()
        .any(|(alias, _)| normalize(alias) == keys[from..to].join(" "));
    let plain = |k: usize| {
        keys.get(k)
            .is_some_and(|w| w.chars().all(char::is_alphabetic) && !STOPS.contains(&w.as_str()))
    };
    let first = if kind(to) {
        to
    } else if plain(to) && kind(to + 1) {
        to + 1
    } else {
        return 0;
    };
    if saved {
        return 0;
    }
    let mut end = first + 1;
    while kind(end) {
        end += 1;
    }
    end - to
}

/// Whether `word` starts a time after "at" ("at quarter to nine", "at 5").
fn says_when(word: Option<&String>) -> bool {
    word.is_some_and(|w| {
        w.starts_with(|c: char| c.is_ascii_digit())
            || super::words::number(w).is_some()
            || matches!(
                w.as_str(),
                "quarter" | "half" | "noon" | "midday" | "midnight"
            )
    })
}

/// Whether `text` asks for a stop on the way ("to Heathrow via King's
/// Cross", "stopping at the shop", "with a stop in Soho", "pick up my
/// friend on the way"): a ride errand books goes straight to its
/// destination, and says so.
pub fn asks_for_a_stop(text: &str) -> bool {
    let words = Words::new(text);
    let w = words.norm();
    let word = |k: usize| w.get(k).map(String::as_str).unwrap_or("");
    let before = |i: usize| i.checked_sub(1).map_or("", word);
    (0..w.len()).any(|i| match word(i) {
        "via" => i > 0,
        "en" => word(i + 1) == "route",
        "stop" | "stops" | "stopping" | "stopover" => {
            matches!(word(i + 1), "at" | "in" | "by" | "off" | "on" | "for")
                || matches!(before(i), "a" | "one" | "two" | "quick")
        }
        "way" => before(i) == "the" && i >= 2 && word(i - 2) == "on",
        _ => false,
    })
}

/// "switch it to a cappuccino", "change to premium": what follows is the
/// new thing, not a place (a known place still is one: "change it to
/// home").
fn changes_to(keys: &[String], i: usize) -> bool {
    // "is it going to rain", "I want to eat": a verb after "to".
    const INTEND: &[&str] = &[
        "going", "want", "wants", "need", "needs", "have", "has", "got", "like", "able", "used",
        "about", "supposed", "trying", "try",
    ];
    if i >= 2 && keys[i - 1] == "to" && INTEND.contains(&keys[i - 2].as_str()) {
        return true;
    }
    const CHANGE: &[&str] = &[
        "switch", "change", "changed", "swap", "upgrade", "make", "turn",
    ];
    const WHAT: &[&str] = &["it", "that", "this", "them", "one", "mine", "order"];
    i >= 2
        && keys[i - 1] == "to"
        && (CHANGE.contains(&keys[i - 2].as_str())
            || (i >= 3
                && WHAT.contains(&keys[i - 2].as_str())
                && CHANGE.contains(&keys[i - 3].as_str())))
}

/// Whether the place at `i` is said as a landmark beside the place meant
/// ("near the park", "next to the station", "round the corner from home").
fn beside(keys: &[String], i: usize) -> bool {
    const NEAR: &[&str] = &[
        "near", "nearby", "beside", "behind", "opposite", "around", "round", "past",
    ];
    let before = |k: usize| i >= k && NEAR.contains(&keys[i - k].as_str());
    before(1)
        || (before(2) && matches!(keys[i - 1].as_str(), "the" | "from"))
        || (i >= 2
            && matches!(keys[i - 1].as_str(), "to" | "from")
            && matches!(
                keys[i - 2].as_str(),
                "next" | "close" | "corner" | "opposite" | "away"
            ))
}

/// "go", "take me", "pick me up": verbs after "to", not places.
fn is_no_place(keys: &[String]) -> bool {
    const VERBS: &[&str] = &[
        "go", "get", "take", "pick", "book", "be", "come", "order", "have", "buy", "send",
        "deliver", "eat", "make", "see", "know", "me", "us", "change", "cancel", "do", "add",
    ];
    /// Words that are no place on their own.
    const ALONE: &[&str] = &[
        "a",
        "an",
        "some",
        "two",
        "my",
        "the",
        "this",
        "that",
        "your",
        "you",
        "there",
        "here",
        "both",
        "all",
        "everything",
        "them",
        "each",
        "either",
        "neither",
    ];
    keys.first().is_some_and(|k| VERBS.contains(&k.as_str()))
        || (keys.len() == 1 && ALONE.contains(&keys[0].as_str()))
}

/// "221b baker street", "10 downing st", "14 elm road": a house number,
/// then up to four words ending in a street kind. Returns its length.
pub(crate) fn street_address(keys: &[String], i: usize) -> Option<usize> {
    let first = keys.get(i)?;
    if !first.chars().next().is_some_and(|c| c.is_ascii_digit()) || first.len() > 5 {
        return None;
    }
    // "1x", "2x": a count ("1x pad thai, 1x green curry"), no house.
    if first.ends_with('x') {
        return None;
    }
    let mut end = i + 1;
    while end < keys.len() && end <= i + 5 {
        // ("1 mild green curry": a dish, whose colour is no street.)
        const DISH_AFTER: &[&str] = &[
            "curry",
            "curries",
            "tea",
            "teas",
            "salad",
            "salads",
            "juice",
            "smoothie",
            "smoothies",
            "bowl",
            "bowls",
            "beans",
            "pepper",
            "peppers",
            "pesto",
            "olives",
            "apple",
            "apples",
            "chilli",
            "chillies",
            "lentils",
            "onion",
            "onions",
        ];
        let dish = keys
            .get(end + 1)
            .is_some_and(|n| DISH_AFTER.contains(&n.as_str()));
        if STREET_KINDS.contains(&keys[end].as_str()) && end > i + 1 && !dish {
            return Some(end + 1 - i);
        }
        // ("2 lattes, 1 green tea": another count, no street's words.)
        if STOPS.contains(&keys[end].as_str()) || keys[end].bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        end += 1;
    }
    // A known street without its kind spelled out ("10 Piccadilly").
    STREETS
        .iter()
        .map(|(name, _, _)| normalize(name))
        .find(|name| {
            let n: Vec<&str> = name.split(' ').collect();
            i + 1 + n.len() <= keys.len()
                && keys[i + 1..i + 1 + n.len()]
                    .iter()
                    .zip(&n)
                    .all(|(k, w)| k == w)
        })
        .map(|name| name.split(' ').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_has_a_kind_to_be_corrected_by() {
        assert_eq!(kind_of("gatwick").as_deref(), Some("airport"));
        assert_eq!(kind_of("the airport").as_deref(), Some("airport"));
        assert_eq!(kind_of("Euston").as_deref(), Some("station"));
        assert_eq!(kind_of("home").as_deref(), Some("saved"));
        assert_eq!(kind_of("the office").as_deref(), Some("saved"));
        assert_eq!(kind_of("my aunt's house"), None);
    }

    fn read(text: &str) -> Vec<(String, bool, Option<String>)> {
        Places::default()
            .mentions(&Words::new(text))
            .into_iter()
            .map(|m| (m.text, m.known, m.after))
            .collect()
    }

    fn known(text: &str, after: Option<&str>) -> (String, bool, Option<String>) {
        (text.to_owned(), true, after.map(str::to_owned))
    }

    #[test]
    fn places_with_words_around_them() {
        assert_eq!(
            read("221B Baker Street because that is where I live"),
            [known("221B Baker Street", None)]
        );
        assert_eq!(
            read("book a ride from home to gatwick at 5pm"),
            [known("home", Some("from")), known("gatwick", Some("to"))]
        );
        assert_eq!(
            read("deliver it to 14 Elm Road please"),
            [known("14 Elm Road", Some("to"))]
        );
        assert_eq!(read("to the office"), [known("the office", Some("to"))]);
        // An arrow, or a texted "2" after a ride, goes to.
        assert_eq!(
            read("cab home -> lhr"),
            [known("home", Some("cab")), known("lhr", Some("to"))]
        );
        assert_eq!(read("taxi 2 euston"), [known("euston", Some("to"))]);
        assert!(
            read("2 euston")
                .iter()
                .all(|m| m.2.as_deref() != Some("to"))
        );
        // A count written "1x" is no house number.
        assert_eq!(
            read("1x pad thai, 1x green curry to work"),
            [known("work", Some("to"))]
        );
        assert_eq!(read("the airport"), [known("the airport", None)]);
    }

    #[test]
    fn a_stop_on_the_way() {
        for text in [
            "cab from home to heathrow via kings cross",
            "taxi to soho stopping at euston",
            "a ride to work with a quick stop at the shop",
            "pick up my friend on the way",
            "a cab to gatwick, stop off in croydon",
            "a cab to the airport, picking up a friend en route",
        ] {
            assert!(asks_for_a_stop(text), "{text}");
        }
        for text in [
            "a cab to the bus stop",
            "taxi to the way inn",
            "via",
            "get me a cab to heathrow",
            "stop",
        ] {
            assert!(!asks_for_a_stop(text), "{text}");
        }
    }

    #[test]
    fn a_street_address_runs_on_to_its_town_and_postcode() {
        for (text, place) in [
            (
                "to 12 Oxford Rd, Manchester M1 5QA please",
                "12 Oxford Rd, Manchester M1 5QA",
            ),
            ("45 Oak Road, leeds", "45 Oak Road, leeds"),
            ("a burger to 12 oak road SW1A 2AA", "12 oak road SW1A 2AA"),
            // Not a town: a note, a time.
            ("a burger to 12 oak road, no onions", "12 oak road"),
            ("a cab from 12 oak road, tomorrow at 9", "12 oak road"),
        ] {
            assert_eq!(read(text)[0].0, place, "{text}");
        }
    }

    #[test]
    fn a_time_is_no_place() {
        for text in ["10pm", "half 7", "6:30 am", "quarter to 9"] {
            assert!(only_a_time(text), "{text}");
        }
        for text in ["10 downing street", "pm's office", "", "heathrow"] {
            assert!(!only_a_time(text), "{text}");
        }
    }

    #[test]
    fn an_end_of_the_ride_named_before_its_place() {
        for (text, after) in [
            ("change pickup to work", "from"),
            ("change the pick up to home", "from"),
            ("the pick-up point should be gatwick", "from"),
            ("make the destination gatwick", "to"),
            ("change the drop off to soho", "to"),
            ("dropoff is heathrow", "to"),
            ("pick me up at home", "from"),
            ("drop me off at victoria", "to"),
            ("drop us at the o2", "to"),
        ] {
            let found = read(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].2.as_deref(), Some(after), "{text}");
        }
    }

    #[test]
    fn unknown_places_after_to_or_from() {
        assert_eq!(
            read("to my mum's house"),
            [("my mum's house".to_owned(), false, Some("to".to_owned()))]
        );
        assert_eq!(read("I want to go home"), [known("home", Some("go"))]);
        assert!(read("order me a burger").is_empty());
        assert!(read("switch it to a cappuccino").is_empty());
        assert!(read("the place near the park").is_empty());
        assert!(read("the house next to the station").is_empty());
        assert!(read("change to premium").is_empty());
        assert!(read("is it going to rain later?").is_empty());
        assert_eq!(
            read("to maltby market at quarter to nine"),
            [("maltby market".to_owned(), false, Some("to".to_owned()))]
        );
        assert_eq!(read("I'm going to gatwick"), [known("gatwick", Some("to"))]);
        assert_eq!(read("change it to home"), [known("home", Some("to"))]);
    }
}
