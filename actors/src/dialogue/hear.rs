//! From what a person said to a [`Heard`]: typos fixed, the conversational
//! act read, the reader's request grounded in the words (see
//! [`crate::reading`]), what the words give the open command, and a second
//! request said in the same breath ("a burger to work and a cab from home
//! to the airport") split off to be taken after the first.

use super::Heard;
use crate::nlu::{Context, Parse, Understand};
use crate::reading::Reading;
use crate::reading::acts::{self, Act};
use crate::reading::amounts;
use crate::reading::markers::Markers;
use crate::registry::{DomainRegistry, SlotKind};
use errand_schemas::{ItemRequest, OpenCommand, Queued, SessionState, SlotMap, SlotValue};

/// The first reading of an utterance, before any reader: the text with
/// typos fixed, its act, and the words a reader should read (after "no,"
/// for a change).
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Every word said, typos fixed.
    pub whole: String,
    /// What of them counts ("no wait, just bread" is "just bread").
    pub text: String,
    pub act: Option<Act>,
    /// What the request reader reads; `None` when the act says it all
    /// (a yes, a question) and no reader is needed.
    pub request: Option<String>,
}

pub fn prepare(reading: &Reading, text: &str) -> Prepared {
    let whole = without_fillers(&reading.fix(text));
    let whole = held_on(&whole).unwrap_or(whole);
    let whole = without_heading(&whole).unwrap_or(whole);
    let whole = held_back(reading, &whole).unwrap_or(whole);
    let whole = a_cup_of(&whole).unwrap_or(whole);
    let text = but_then(&whole).unwrap_or_else(|| whole.clone());
    let text = dropped_midway(reading, &text).unwrap_or(text);
    let text = crate::reading::repairs::in_place(&text).unwrap_or(text);
    let text = corrected_midway(reading, &text).unwrap_or(text);
    let text = one_of_them(reading, &text).unwrap_or(text);
    let text = one_of_the_named(&text).unwrap_or(text);
    let text = amounts::sized(&text).unwrap_or(text);
    let text = amounts::sizes_for_all(&text).unwrap_or(text);
    let text = amounts::kinds_of_one_thing(&text, |name| reading.sells_a(name)).unwrap_or(text);
    let text = amounts::measured_packs(&text).unwrap_or(text);
    let text = amounts::noted_between_commas(&text).unwrap_or(text);
    let text = amounts::numbered_list(&text).unwrap_or(text);
    let text = made_so_after(&text).unwrap_or(text);
    let text = without_other_times(&text).unwrap_or(text);
    let text = more_counted(&text).unwrap_or(text);
    let text = travel_said(&text).unwrap_or(text);
    let text = clock_for(&text).unwrap_or(text);
    let text = texted_to(&text).unwrap_or(text);
    let text = diet_asked(&text).unwrap_or(text);
    let mut act = acts::read(&text);
    // "how long does it take to get from home to Gatwick by cab", "how
    // long to heathrow from work": the ride priced, its journey time said
    // with it (never a question about an order).
    if let Some(trip) = journey_asked(&text) {
        act = Some(Act::Price(format!("a cab {trip}")));
    }
    if let Some(Act::DeliversTo { place, known }) = &mut act {
        *known = reading.places(place).iter().any(|m| m.known);
    }
    // "what's the cheapest cab to Heathrow?": a ride has no shelf, its
    // quote answers.
    // ("book me the cheapest cab home": a booking of the cheapest kind.)
    let lower = text.to_lowercase();
    let asked = acts::without_courtesy(&lower);
    let books = [
        "book ",
        "get me ",
        "call me ",
        "order me ",
        "send me ",
        "i need ",
        "i want ",
    ]
    .iter()
    .any(|p| asked.starts_with(p));
    if let Some(Act::Cheapest(what)) = &act
        && (reading.claims(&format!("get me a {what}"))).is_some_and(|a| reading.menu(a).is_none())
        && books
    {
        return Prepared {
            whole,
            act: None,
            request: Some(text.clone()),
            text,
        };
    }
    if let Some(Act::Cheapest(what)) = &act
        && (reading.claims(&format!("get me a {what}"))).is_some_and(|a| reading.menu(a).is_none())
    {
        // (The cheapest of a ride is its cheapest kind: "cheapest" is a
        // word of its choices.)
        return Prepared {
            whole,
            act: Some(Act::Price(what.clone())),
            request: Some(format!("the cheapest {what}")),
            text,
        };
    }
    // "how much is a taxi from home to Gatwick?": no catalog prices a
    // ride, its quote does, so the words are read as the request they
    // price (and nothing is booked: the act stays a question).
    // ("how much would premium be": a kind of car, priced as a ride.)
    let what = match &act {
        Some(Act::Price(what)) if crate::reading::repairs::is_car(without_article(what)) => {
            Some(Act::Price(format!("a {} ride", without_article(what))))
        }
        _ => None,
    };
    // ("would gatwick be cheaper?" of a ride: the ride there.)
    let what = what.or_else(|| match &act {
        Some(Act::Price(what)) if place_alone(reading, what) => {
            Some(Act::Price(format!("a cab to {}", what.trim())))
        }
        _ => None,
    });
    let act = what.or(act);
    // ("how much was my taxi": what it came to, never a fare asked.)
    if let Some(Act::Price(what)) = &act
        && !what.starts_with("my ")
        && let Some(action) = (reading.claims(what))
            .or_else(|| reading.claims(&format!("i need {}", without_article(what))))
        && reading.menu(action).is_none()
    {
        let what = what.clone();
        return Prepared {
            whole,
            text,
            act,
            request: Some(what),
        };
    }
    let request = match &act {
        None => Some(text.clone()),
        Some(Act::Instead(rest)) => Some(rest.clone()),
        // "cancel the cab and order me a pizza": the pizza is read too.
        // (Said whole: what follows the cancel is not part of `text`.)
        Some(Act::CancelPlaced(_)) => super::asked_next(&whole).map(str::to_owned),
        Some(_) => None,
    };
    Prepared {
        whole,
        text,
        act,
        request,
    }
}

/// Where a reference to a list is said (from, to), the dishes it picks
/// (each its name and merchant), and how many of each.
type Picked<'a> = (usize, usize, Vec<(String, &'a str)>, u32);

/// "the second one", "number 3", "the greek one", "the first two", "two
/// of the third one", "the first and the third", said right after a list
/// of dishes was shown (`shown`, each "<dish> from <merchant>"): those
/// dishes, by name (and, with nothing open, from their merchant: "the
/// second one to home" orders it there).
fn picked_from_menu(text: &str, shown: &[String], open: bool) -> Option<String> {
    if shown.is_empty() {
        return None;
    }
    let dishes: Vec<(&str, &str)> = (shown.iter())
        .filter_map(|line| line.rsplit_once(" from "))
        .collect();
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    if w.len() > 12 || dishes.is_empty() {
        return None;
    }
    let word = |i: usize| w.get(i).map_or("", String::as_str);
    let nth = |said: &str| -> Option<usize> {
        let n = match said {
            "first" | "1st" => 1,
            "second" | "2nd" => 2,
            "third" | "3rd" => 3,
            "fourth" | "4th" => 4,
            "fifth" | "5th" => 5,
            "sixth" | "6th" => 6,
            "seventh" | "7th" => 7,
            "eighth" | "8th" => 8,
            "ninth" | "9th" => 9,
            "tenth" | "10th" => 10,
            "last" => dishes.len(),
            _ => return None,
        };
        (1..=dishes.len()).contains(&n).then_some(n - 1)
    };
    let dish = |k: usize| (dishes[k].0.to_owned(), dishes[k].1);
    // The dish a word names, when it names one dish of the list only; of
    // several dishes of one merchant ("the chicken one" at Taj Mahal),
    // the word itself, of that merchant (its kitchen reads it).
    let named_by = |said: &str| {
        let named: Vec<usize> = (dishes.iter().enumerate())
            .filter(|(_, (dish, _))| dish.split(' ').any(|x| crate::agents::item_key(x) == said))
            .map(|(k, _)| k)
            .collect();
        match named[..] {
            _ if said.len() < 3 => None,
            [k] => Some(dish(k)),
            [k, ..] if named.iter().all(|&j| dishes[j].1 == dishes[k].1) => {
                Some((said.to_owned(), dishes[k].1))
            }
            _ => None,
        }
    };
    let ones = |k: usize| usize::from(matches!(word(k), "one" | "ones"));
    // Each reference: where it is said, the dishes, how many of each.
    let mut picked: Vec<Picked<'_>> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let the = usize::from(i > 0 && word(i - 1) == "the");
        // ("the 2nd and 3rd": an ordinal after one, without "the".)
        let listed =
            (picked.last()).is_some_and(|(_, to, ..)| *to + 1 == i && word(i - 1) == "and");
        let found = if matches!(word(i), "number" | "num")
            && let Some(n) = crate::reading::words::number(word(i + 1))
            && (1..=dishes.len() as u32).contains(&n)
        {
            Some((i - the, i + 2, vec![dish(n as usize - 1)]))
        } else if let Some(k) = nth(word(i))
            && (the == 1 || ones(i + 1) == 1 || listed)
        {
            // "the first two": that many from the first.
            match crate::reading::words::number(word(i + 1)) {
                Some(n) if k == 0 && (2..=dishes.len() as u32).contains(&n) => Some((
                    i - the,
                    i + 2 + ones(i + 2),
                    (0..n as usize).map(dish).collect(),
                )),
                _ => Some((i - the, i + 1 + ones(i + 1), vec![dish(k)])),
            }
        } else if the == 1
            && let Some(named) = named_by(word(i))
            && (ones(i + 1) == 1 || i + 1 == w.len())
        {
            // "the greek one", "the hawaiian".
            Some((i - 1, i + 1 + ones(i + 1), vec![named]))
        } else {
            None
        };
        let Some((mut from, mut to, which)) = found else {
            i += 1;
            continue;
        };
        // "two of the third one", "the hawaiian one x2".
        let mut count = 1;
        if from >= 2
            && word(from - 1) == "of"
            && let Some(n) = crate::reading::words::number(word(from - 2))
        {
            count = n;
            from -= 2;
        }
        if let Some(n) = word(to)
            .strip_prefix('x')
            .and_then(crate::reading::words::number)
        {
            count = n;
            to += 1;
        }
        picked.push((from, to, which, count));
        i = to;
    }
    let (_, last_to, ..) = *picked.last()?;
    let mut out = Vec::new();
    let mut at = 0;
    let mut merchants = Vec::new();
    for (from, to, which, count) in &picked {
        out.push(words.span(at, *from).trim().to_owned());
        let named: Vec<String> = (which.iter())
            .map(|(name, merchant)| {
                merchants.push(*merchant);
                match count {
                    1 => name.clone(),
                    n => format!("{n} {name}"),
                }
            })
            .collect();
        out.push(named.join(" and "));
        at = *to;
    }
    merchants.dedup();
    // (A word for several dishes is its merchant's to read, open or not.)
    let bare = (picked.iter().flat_map(|(_, _, which, _)| which))
        .any(|(name, merchant)| !dishes.contains(&(name.as_str(), *merchant)));
    if let [merchant] = merchants[..]
        && (!open || bare)
    {
        out.push(format!("from {merchant}"));
    }
    out.push(words.span(last_to, w.len()).trim().to_owned());
    out.retain(|part| !part.is_empty());
    Some(out.join(" "))
}

/// "add a lemonade to that order", "put some chips on it too", of an
/// order placed with nothing open: the words without where the thing goes,
/// which is that order (never an address called "that order").
fn onto_the_order(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let adds = ["add ", "put ", "throw in", "chuck in", "stick ", "include "]
        .iter()
        .any(|verb| lower.contains(verb));
    adds.then(|| the_order_named_at(text))
        .flatten()
        .and_then(|at| text.get(..at))
}

/// "add a coke to my burger order", "put a lemonade on the pizza order",
/// of the order under way: said as "add a coke" (the order named by what
/// is in it is where the thing goes, never more of that thing).
fn onto_the_order_of_a_kind(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let at = order_of_a_kind_at(without_tail(&lower))?;
    let said = &lower[..at];
    if said.contains("add ") {
        return Some(said.to_owned());
    }
    ["put ", "throw in ", "chuck in ", "stick ", "include "]
        .iter()
        .find_map(|verb| {
            let from = said.find(verb)?;
            Some(format!("add {}", &said[from + verb.len()..]))
        })
}

/// Words without what people say after a correction ("home sorry",
/// "garlic bread actually", "gatwick please").
fn without_trailing_courtesy(said: &str) -> &str {
    let mut said = said.trim();
    while let Some(rest) = [" sorry", " actually", " please", " instead", " thanks"]
        .iter()
        .find_map(|tail| said.strip_suffix(tail))
    {
        said = rest.trim_end();
    }
    said
}

/// "the same for my friend", "and the same again for her, to work": as
/// much again of everything, said as "double everything" (with what
/// follows it).
fn same_for_another(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let said = acts::without_courtesy(lower.trim());
    let said = said.strip_prefix("the ").unwrap_or(said);
    let rest = ["same again for ", "same for "]
        .iter()
        .find_map(|lead| said.strip_prefix(lead))?;
    let (who, tail) = match rest.find([',', '.']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let who = who.trim_end_matches(" too").trim_end_matches(" please");
    (who.split_whitespace().count() <= 3 && !who.chars().any(|c| c.is_ascii_digit()))
        .then(|| format!("double everything{tail}"))
}

/// "oh no wrong address, it should be 7 Oak Street", "no that's the wrong
/// destination - gatwick": said as "change the address to 7 Oak Street"
/// (never a dish made with "no wrong address", never the other place of
/// a ride changed).
fn wrong_one(text: &str) -> Option<String> {
    const OPENERS: &[&str] = &[
        "oh", "oops", "sorry", "no", "nope", "nah", "wait", "actually", "hmm", "uh", "um", "ah",
    ];
    const SAYING: &[&str] = &[
        "that's the",
        "thats the",
        "that is the",
        "it's the",
        "its the",
        "you have the",
        "you've got the",
        "you got the",
        "that's a",
        "thats a",
        "the",
    ];
    /// What is wrong, longest first, and the slot it is said as.
    const WHAT: &[(&str, &str)] = &[
        ("delivery address", "address"),
        ("pickup address", "pickup"),
        ("pick up address", "pickup"),
        ("pickup location", "pickup"),
        ("pickup time", "time"),
        ("pick up time", "time"),
        ("drop off", "destination"),
        ("pick up", "pickup"),
        ("address", "address"),
        ("destination", "destination"),
        ("dropoff", "destination"),
        ("pickup", "pickup"),
        ("location", "address"),
        ("time", "time"),
    ];
    const LEADS: &[&str] = &[
        "it should be",
        "it was meant to be",
        "it's meant to be",
        "its meant to be",
        "should be",
        "meant to be",
        "it's actually",
        "its actually",
        "it's",
        "its",
        "it is",
        "i meant",
        "i said",
        "make it",
        "change it to",
        "the right one is",
        "the correct one is",
        "use",
        "to",
    ];
    // (Most turns say no "wrong": nothing to lower-case then.)
    if !said_anywhere(text, "wrong") {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.trim_start();
    loop {
        let before = rest;
        for opener in OPENERS {
            if let Some(after) = words_after(rest, opener) {
                rest = after.trim_start_matches([',', ' ']);
            }
        }
        if rest == before {
            break;
        }
    }
    for saying in SAYING {
        if let Some(after) = words_after(rest, saying) {
            rest = after;
            break;
        }
    }
    rest = words_after(rest, "wrong")?;
    let (what, slot) = WHAT.iter().find_map(|(what, slot)| {
        let after = rest.strip_prefix(what)?;
        after.starts_with([',', '.', ';', '-', ' ', '!']).then(|| {
            (
                after.trim_start_matches([',', '.', ';', '-', ' ', '!']),
                *slot,
            )
        })
    })?;
    let mut what = what;
    for lead in LEADS {
        if let Some(after) = words_after(what, lead) {
            what = after;
            break;
        }
    }
    let what = what.trim_end_matches(['.', '!', ' ']);
    if what.is_empty() {
        return None;
    }
    // (The words as said, in their own case: ASCII lower case keeps
    // every byte where it was.)
    let at = what.as_ptr() as usize - lower.as_ptr() as usize;
    Some(format!(
        "change the {slot} to {}",
        &text[at..at + what.len()]
    ))
}

/// "hold on", "hold on, is it halal": a pause, said as "hang on" is
/// (never "hold the pickles", how a dish is made).
fn held_on(text: &str) -> Option<String> {
    let rest = text.get(7..)?;
    (text[..7].eq_ignore_ascii_case("hold on") && !rest.starts_with(|c: char| c.is_alphanumeric()))
        .then(|| format!("hang on{rest}"))
}

/// "a cup of coffee", "two mugs of tea": a drink made to be drunk, from
/// a café (said as "a coffee"), never a jar of it from the shop.
fn a_cup_of(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let (at, len) = ["cups of ", "cup of ", "mugs of ", "mug of "]
        .iter()
        .find_map(|cup| lower.find(cup).map(|at| (at, cup.len())))?;
    let drink = &lower[at + len..];
    let drunk = ["coffee", "tea", "hot chocolate", "cocoa"].iter().any(|d| {
        drink.starts_with(d) && !drink[d.len()..].starts_with(|c: char| c.is_alphabetic())
    });
    // ("a cup of coffee" is "a coffee"; "2 cups of tea", "2 tea".)
    drunk.then(|| format!("{}{}", &text[..at], &text[at + len..]))
}

/// "a burger, hold the fries": no fries, when what is held back is a
/// thing of its own on a menu (said as "no fries", how the burger comes;
/// "hold the pineapple" stays the pizza's note as said).
fn held_back(reading: &Reading, text: &str) -> Option<String> {
    let at = text.to_ascii_lowercase().find(", hold the ")?;
    let rest = &text[at + ", hold the ".len()..];
    let thing = rest.split([',', '.', ';']).next()?;
    let thing = thing.split(" to ").next()?.trim();
    (reading.is_a_name(thing) || reading.names_any_thing(&format!("a {thing}")))
        .then(|| format!("{}, no {rest}", &text[..at]))
}

/// "i need to get to guys hospital from home", "take me to the barbican":
/// a journey asked for without a car named, said as a ride ("i need a
/// ride to ..."), so a place errand does not know is asked about rather
/// than the request refused.
fn travel_said(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let lead = [
        "i need to get to ",
        "i have to get to ",
        "i've got to get to ",
        "ive got to get to ",
        "i need to go to ",
        "i want to go to ",
        "take me to ",
        "get me to ",
    ]
    .iter()
    .find(|lead| lower.starts_with(*lead))?;
    Some(format!("i need a ride to {}", &text[lead.len()..]))
}

/// "a cheezburger 2 home pls": "2" texted for "to" between a thing and
/// home or work (never "order 2 home", "2 burgers home").
fn texted_to(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split(' ').collect();
    let at = (1..tokens.len().saturating_sub(1)).find(|&i| {
        let before = tokens[i - 1].to_ascii_lowercase();
        let after = tokens[i + 1].to_ascii_lowercase();
        let after = after.trim_end_matches([',', '.', '!', '?']);
        tokens[i] == "2"
            && matches!(after, "home" | "work")
            && before.len() > 2
            && before.chars().all(|c| c.is_ascii_alphabetic())
            && !matches!(
                before.as_str(),
                "order"
                    | "get"
                    | "buy"
                    | "book"
                    | "send"
                    | "bring"
                    | "deliver"
                    | "need"
                    | "want"
                    | "just"
                    | "for"
                    | "of"
                    | "the"
                    | "make"
                    | "and"
                    | "another"
            )
    })?;
    let mut out: Vec<&str> = tokens.clone();
    out[at] = "to";
    Some(out.join(" "))
}

/// "a taxi to heathrow for 5 tomorrow morning", "a cab for 4 tomorrow": a
/// clock time said with "for" before a day, with no other time said, is
/// when the ride is ("at 5 tomorrow morning"), never how many go.
fn clock_for(text: &str) -> Option<String> {
    if !text.to_ascii_lowercase().contains("for ") {
        return None;
    }
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let ride = w.iter().any(|x| {
        matches!(
            x.as_str(),
            "taxi" | "cab" | "ride" | "car" | "uber" | "lift" | "minicab" | "pickup"
        )
    });
    let clock = |x: &str| {
        (x.strip_suffix("am").or_else(|| x.strip_suffix("pm")))
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_digit() || c == ':'))
    };
    let timed = w.iter().any(|x| x == "at" || x == "oclock" || clock(x));
    if !ride || timed {
        return None;
    }
    // ("a taxi for 9 from home", "for 9 o clock": no car takes nine, so 9
    // is the hour.)
    let no_party = |i: usize| {
        !matches!(
            w.get(i + 1).map(String::as_str),
            Some(
                "people"
                    | "persons"
                    | "passengers"
                    | "adults"
                    | "of"
                    | "seats"
                    | "pax"
                    | "ppl"
                    | "minutes"
                    | "mins"
                    | "min"
                    | "hours"
                    | "hour"
                    | "hrs"
                    | "seater"
            )
        )
    };
    let at = (1..w.len()).find(|&i| {
        let n = crate::reading::words::number(&w[i]);
        w[i - 1] == "for"
            && (n.is_some_and(|n| (1..=12).contains(&n))
                && matches!(
                    w.get(i + 1).map(String::as_str),
                    Some("tomorrow" | "tonight" | "today" | "this" | "in" | "o")
                )
                || n.is_some_and(|n| (9..=12).contains(&n)) && no_party(i))
    })?;
    Some(format!(
        "{} at {}",
        words.span(0, at - 1).trim_end(),
        words.span(at, w.len())
    ))
}

/// "some bananas too, like 6", "a few bananas, say 5": the count said
/// after the things, as if said before them ("6 bananas too").
fn counted_after_all(text: &str) -> Option<String> {
    const ROUGHLY: &[&str] = &["like", "say", "about", "around", "maybe", "roughly"];
    const SOME: &[&str] = &[
        "some",
        "a few",
        "a couple of",
        "a couple",
        "a handful of",
        "a bunch of",
    ];
    let lower = text.to_ascii_lowercase();
    // ", like 6", ", say 5 or so": its place, and where it ends.
    let (comma, end, n) = lower.match_indices(", ").find_map(|(comma, _)| {
        let rest = &lower[comma + 2..];
        let said = ROUGHLY.iter().find_map(|r| words_after(rest, r))?;
        let number = said.split([' ', ',', '.', '!']).next()?;
        let n = crate::reading::words::number(number).filter(|n| (1..100).contains(n))?;
        let mut end = lower.len() - said.len() + number.len();
        if let Some(after) = lower[end..].strip_prefix(" or so") {
            end = lower.len() - after.len();
        }
        Some((comma, end, n))
    })?;
    let before = &lower[..comma];
    // What "some" said of things right before it ("some bananas too").
    let (some_at, some) = SOME
        .iter()
        .filter_map(|some| {
            let at = before.rfind(&format!("{some} "))?;
            (at == 0 || before[..at].ends_with(' ')).then_some((at, *some))
        })
        .max()?;
    let things = &before[some_at + some.len() + 1..];
    // (Only things: "some bananas too", never "some milk and bread".)
    let plural = things.split(' ').next()?;
    if things.split(' ').count() > 3 || !plural.ends_with('s') || plural.ends_with("ss") {
        return None;
    }
    Some(format!(
        "{}{n} {}{}",
        &text[..some_at],
        &text[some_at + some.len() + 1..comma],
        &text[end..]
    ))
}

/// "a couple more hot chocolates", "a few more": as counted ("2 more"),
/// so they are added to those there.
fn more_counted(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let (at, len, n) = [
        ("a couple more ", 2),
        ("couple more ", 2),
        ("a couple of more ", 2),
        ("a few more ", 3),
    ]
    .iter()
    .find_map(|(said, n)| lower.find(said).map(|at| (at, said.len(), n)))?;
    Some(format!("{}{n} more {}", &text[..at], &text[at + len..]))
}

/// "a taxi to stansted on friday at 4am, flight at 7": the time of
/// something else (a flight, a train, a meeting), said in a clause of
/// its own after the request, is no time for the ride; the clause goes.
fn without_other_times(text: &str) -> Option<String> {
    const EVENTS: &[&str] = &[
        "flight",
        "flights",
        "train",
        "plane",
        "meeting",
        "appointment",
        "reservation",
        "check-in",
        "show",
        "interview",
    ];
    let clauses: Vec<&str> = text.split(',').collect();
    if clauses.len() < 2 {
        return None;
    }
    let other = |clause: &str| {
        let words = crate::reading::words::Words::new(clause);
        let w = words.norm();
        w.iter().any(|x| EVENTS.contains(&x.as_str()))
            && w.iter().any(|x| x == "at")
            && !w.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "cab" | "taxi" | "car" | "ride" | "from" | "to" | "pick" | "driver" | "book"
                )
            })
    };
    // ("I have a meeting at 3pm tomorrow, book a cab to work at 2pm
    // tomorrow": before the request too.)
    let kept: Vec<&str> = clauses.iter().filter(|c| !other(c)).copied().collect();
    if kept.is_empty() {
        return None;
    }
    // (Only when the request has a time of its own: "a taxi to gatwick,
    // my flight is at 9am" asks when to leave.)
    let request = kept.join(",").trim().to_owned();
    let timed = crate::reading::words::Words::new(&request)
        .norm()
        .iter()
        .any(|x| {
            x == "at"
                || x == "in"
                || x.ends_with("am") && x.starts_with(|c: char| c.is_ascii_digit())
                || x.ends_with("pm") && x.starts_with(|c: char| c.is_ascii_digit())
        });
    (kept.len() < clauses.len() && timed).then_some(request)
}

/// "a hot dog and fries, make the fries large": the size said of a thing
/// named before, put before it ("a hot dog and large fries"), so the
/// fries are not ordered twice.
fn made_so_after(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let (at, lead) = [", make the ", " and make the ", ". make the "]
        .iter()
        .find_map(|lead| lower.find(lead).map(|at| (at, lead.len())))?;
    let rest = &lower[at + lead..];
    let end = rest.find([',', '.', ';']).unwrap_or(rest.len());
    let words: Vec<&str> = rest[..end].split_whitespace().collect();
    let first_size = words
        .iter()
        .position(|w| amounts::is_size(w) || *w == "extra")?;
    let (named, how) = words.split_at(first_size);
    let how: Vec<&str> = how
        .iter()
        .copied()
        .take_while(|w| !matches!(*w, "please" | "thanks"))
        .collect();
    if named.is_empty() || !amounts::sizes_only(how.iter().copied()) {
        return None;
    }
    let named = named.join(" ");
    let before = &lower[..at];
    let mut occurs = before.rfind(&format!(" {named}"))? + 1;
    // Where the thing's name starts: "the curry" of "a red curry" is
    // made mild before "red" (up to three words back).
    let starts_a_thing = |at: usize| {
        let head = before[..at].trim_end();
        let prior = head.rsplit(' ').next().unwrap_or_default();
        prior.is_empty()
            || head.ends_with([',', '.', ':'])
            || matches!(prior, "a" | "an" | "and" | "some" | "the" | "with" | "plus")
            || crate::reading::words::number(prior).is_some()
    };
    for _ in 0..3 {
        if starts_a_thing(occurs) {
            break;
        }
        occurs = before[..occurs].trim_end().rfind(' ')? + 1;
    }
    if !starts_a_thing(occurs) {
        return None;
    }
    Some(format!(
        "{}{} {}{}",
        &text[..occurs],
        how.join(" "),
        &text[occurs..at],
        &text[at + lead + end..]
    ))
}

/// The trip of "how long does it take to get from home to Gatwick by
/// cab" or "how long would a taxi to heathrow take" ("from home to
/// Gatwick", "to heathrow"), when a question asks how long a journey
/// takes; not "how long will my pizza take to get here".
fn journey_asked(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase()
    };
    let [how, long, ..] = words.as_slice() else {
        return None;
    };
    if bare(how) != "how" || bare(long) != "long" {
        return None;
    }
    const NOT_A_TRIP: &[&str] = &[
        "deliver", "delivery", "order", "food", "here", "arrive", "cook", "wait",
    ];
    if words.iter().any(|w| NOT_A_TRIP.contains(&bare(w).as_str())) {
        return None;
    }
    // The trip starts at its first "from" or "to" that is not "to get",
    // "to drive", "to go".
    let start = (2..words.len()).find(|&i| match bare(words[i]).as_str() {
        "from" => true,
        "to" => words
            .get(i + 1)
            .is_some_and(|next| !matches!(bare(next).as_str(), "get" | "drive" | "go" | "travel")),
        _ => false,
    })?;
    let mut trip: Vec<&str> = words[start..].to_vec();
    // What follows the places: "by cab", "in a taxi", "take", "?".
    const AFTER: &[&str] = &[
        "by", "in", "a", "cab", "taxi", "car", "uber", "take", "ride",
    ];
    while trip.len() > 2
        && trip
            .last()
            .is_some_and(|w| AFTER.contains(&bare(w).as_str()))
    {
        trip.pop();
    }
    let trip = trip.join(" ");
    let trip = trip.trim_end_matches(['?', '.', '!', ' ']);
    (trip.split_whitespace().count() >= 2).then(|| trip.to_owned())
}

/// The words without the sounds people make while they think ("a cab
/// from um work", "uh two pizzas"), as dictation writes them.
fn without_fillers(text: &str) -> String {
    const FILLERS: &[&str] = &["um", "umm", "uh", "uhh", "erm", "uhm", "hmm"];
    let kept: Vec<&str> = text
        .split(' ')
        .filter(|w| {
            let bare = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            !FILLERS.contains(&bare.as_str())
        })
        .collect();
    if kept.is_empty() {
        return text.to_owned();
    }
    // Speech around the request: "hey so", "basically", a trailing
    // "yeah", "like" before a time ("like in an hour").
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let mut kept = kept;
    // (Only before a request of a few words: "hey so i need a car ...".)
    while kept.len() > 3 && matches!(bare(kept[0]).as_str(), "hey" | "so" | "basically") {
        kept.remove(0);
    }
    let tag = |w: &str| matches!(bare(w).as_str(), "yeah" | "yea" | "ya" | "innit");
    while kept.len() > 3 && kept.last().is_some_and(|w| tag(w)) {
        kept.pop();
    }
    // ("just one samosa actually": the "actually" said last.)
    if kept.len() > 2 && kept.last().is_some_and(|w| bare(w) == "actually") {
        kept.pop();
    }
    let kept: Vec<&str> = (kept.iter().enumerate())
        .filter(|(i, w)| {
            let next = kept.get(i + 1).map(|n| bare(n)).unwrap_or_default();
            let like_before_time = bare(w) == "like"
                && (matches!(next.as_str(), "in" | "at" | "around" | "about")
                    || next.starts_with(|c: char| c.is_ascii_digit()));
            // ("some garlic bread yeah to my house".)
            let tag_before_place = *i > 0 && tag(w) && matches!(next.as_str(), "to" | "for");
            !like_before_time && !tag_before_place
        })
        .map(|(_, w)| *w)
        .collect();
    kept.join(" ")
}

/// The change the last turn said of "the pizza", when it asked which of
/// two pizzas it meant, said again of the one now named: "the hawaiian",
/// "hawaiian one", "the second", asked "Which pizza do you mean: the
/// margherita pizza or the hawaiian pizza?" of "change the pizza to a
/// pepperoni". `None` for anything but a line named alone.
fn which_answered(text: &str, session: &SessionState, open: &OpenCommand) -> Option<String> {
    let said = (session.said.as_ref()).filter(|said| said.trace_id == open.trace_id)?;
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let (kind, several) = super::which_of(&said.text, lines)?;
    let kind = kind.as_str();
    let options: Vec<&str> = several.iter().map(|line| line.name.as_str()).collect();
    let words = crate::reading::words::Words::new(text);
    let answer: Vec<&str> = (words.norm().iter())
        .map(String::as_str)
        .filter(|w| {
            !matches!(
                *w,
                "the" | "one" | "please" | "that" | "i" | "mean" | "oh" | "sorry"
            )
        })
        .filter(|w| *w != kind)
        .collect();
    const ORDINALS: &[&str] = &["first", "second", "third", "fourth"];
    let picked = match answer.as_slice() {
        [] => return None,
        ["last"] => options.last().copied(),
        [ordinal] if ORDINALS.contains(ordinal) => {
            let at = ORDINALS.iter().position(|o| o == ordinal)?;
            options.get(at).copied()
        }
        _ if answer.len() <= 3 => {
            let holds = |option: &str, word: &str| option.split(' ').any(|o| o == word);
            let named: Vec<&str> = (options.iter().copied())
                .filter(|option| answer.iter().all(|w| holds(option, w)))
                .collect();
            match named.as_slice() {
                [one] => Some(*one),
                _ => None,
            }
        }
        _ => None,
    }?;
    let (at, len) = [
        format!("one of the {kind}s"),
        format!("the {kind}"),
        format!("one {kind}"),
    ]
    .iter()
    .find_map(|said_kind| Some((said.text.find(said_kind.as_str())?, said_kind.len())))?;
    Some(format!(
        "{}the {picked}{}",
        &said.text[..at],
        &said.text[at + len..]
    ))
}

/// "swap the white bread for brown", "change the large pizza to a small
/// one", "brown instead of the white bread": the kind said alone is of the
/// thing swapped ("brown bread"), never a thing called "brown". Lower
/// case; `None` when the new part names more than a kind.
fn kind_swapped_alone(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let (old, new) = super::swapped_parts(&lower)?;
    let kinds = crate::reading::amounts::size_words();
    let word = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
            .to_owned()
    };
    let head = old.split_whitespace().map(word).next_back()?;
    let said: Vec<String> = new.split_whitespace().map(word).collect();
    let lead = (said.iter())
        .take_while(|w| matches!(w.as_str(), "a" | "an" | "some" | "the"))
        .count();
    let tail = (said.iter().rev())
        .take_while(|w| matches!(w.as_str(), "please" | "instead" | "one" | "ones" | ""))
        .count();
    let kind = said.get(lead..said.len().saturating_sub(tail))?;
    let a_kind = |w: &String| kinds.contains(&w.as_str()) || amounts::says_made_of(w);
    if kind.is_empty()
        || kind.len() > 2
        || !kind.iter().all(a_kind)
        || a_kind(&head)
        // ("change it to large": no thing named.)
        || matches!(head.as_str(), "it" | "that" | "this" | "them" | "one" | "mine" | "order")
        // ("swap one of the burritos for a beef one": one of several,
        // which the swap itself reads.)
        || old.split_whitespace().any(|w| w == "one" || crate::reading::words::number(w).is_some())
    {
        return None;
    }
    let at = new.as_ptr() as usize - lower.as_ptr() as usize;
    let lead_words: Vec<&str> = new.split_whitespace().take(lead).collect();
    let made = format!("{} {} {head}", lead_words.join(" "), kind.join(" "));
    Some(format!(
        "{}{}{}",
        &lower[..at],
        made.trim_start(),
        &lower[at + new.len()..]
    ))
}

/// "same address", "to the same place as before", asked where an order
/// goes after another was placed: where that one went.
fn same_place(text: &str, session: &SessionState) -> Option<String> {
    let open = session.open.as_ref()?;
    let asked = open.missing.first()?;
    if !matches!(asked.as_str(), "address" | "pickup" | "destination") {
        return None;
    }
    let lower = text.to_lowercase();
    let said = acts::without_courtesy(lower.trim().trim_end_matches(['.', '!', ' ']));
    let said = [" please", " pls", " thanks", " thank you"]
        .iter()
        .find_map(|tail| said.strip_suffix(tail))
        .unwrap_or(said);
    let said = said.strip_prefix("to ").unwrap_or(said);
    let said = said.strip_prefix("the ").unwrap_or(said);
    let said = [
        "as before",
        "as last time",
        "as the last one",
        "as the last order",
        "again",
    ]
    .iter()
    .find_map(|tail| said.strip_suffix(tail))
    .unwrap_or(said)
    .trim();
    if !matches!(
        said,
        "same address" | "same place" | "same" | "same one" | "same as"
    ) {
        return None;
    }
    (session.placed.iter().rev())
        .filter_map(|placed| placed.summary.as_ref())
        .find_map(|summary| {
            summary
                .address
                .clone()
                .or_else(|| summary.destination.clone())
        })
}

/// "something vegetarian please", "i fancy something veggie": asked as
/// "anything vegetarian?", which the menus answer as far as they can.
fn diet_asked(text: &str) -> Option<String> {
    if !said_anywhere(text, "veg") {
        return None;
    }
    const LEADS: &[&str] = &[
        "i want",
        "i'd like",
        "id like",
        "get me",
        "order me",
        "order",
        "can i get",
        "can i have",
        "i fancy",
        "fancy",
        "i feel like",
        "i'm in the mood for",
        "im in the mood for",
    ];
    let lower = text.to_lowercase();
    let mut said = acts::without_courtesy(lower.trim().trim_end_matches(['.', '!', '?', ' ']));
    for lead in LEADS {
        if let Some(rest) = words_after(said, lead) {
            said = rest;
            break;
        }
    }
    let said = [" please", " pls", " tonight", " to eat", " food"]
        .iter()
        .fold(said, |said, tail| said.strip_suffix(tail).unwrap_or(said));
    let diet = ["something ", "anything "]
        .iter()
        .find_map(|lead| said.strip_prefix(lead))?;
    match diet {
        "vegetarian" | "veggie" => Some("anything vegetarian?".to_owned()),
        "vegan" => Some("anything vegan?".to_owned()),
        _ => None,
    }
}

/// Whether `text` holds `part` (ASCII lower case), in any case, without
/// lower-casing a copy of it.
fn said_anywhere(text: &str, part: &str) -> bool {
    (text.as_bytes().windows(part.len())).any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
}

/// "shopping list: milk, bread, eggs", "weekly shop please - ...": the
/// things, without the heading that names the list.
fn without_heading(text: &str) -> Option<String> {
    const HEADING: &[&str] = &[
        "my",
        "the",
        "our",
        "this",
        "here's",
        "heres",
        "here",
        "is",
        "shopping",
        "grocery",
        "groceries",
        "list",
        "weekly",
        "week's",
        "weeks",
        "shop",
        "please",
        "pls",
        "order",
        "for",
        "today",
        "tonight",
        "tomorrow",
    ];
    let (heading, rest) = text.split_once([':', '-'])?;
    let words: Vec<String> = (heading.split_whitespace())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let names_a_list = words
        .iter()
        .any(|w| matches!(w.as_str(), "list" | "shop" | "shopping" | "groceries"));
    let rest = rest.trim();
    (names_a_list && !rest.is_empty() && words.iter().all(|w| HEADING.contains(&w.as_str())))
        .then(|| rest.to_owned())
}

/// "no, make it a large", "nah make that two": what follows the no, when
/// it says how the order is to be made.
fn no_then_a_change(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let rest = [
        "no", "nah", "nope", "no no", "no wait", "no, wait", "actually",
    ]
    .iter()
    .filter_map(|no| lower.strip_prefix(no))
    .filter(|rest| rest.starts_with([',', ' ', '.']))
    .min_by_key(|rest| rest.len())?
    .trim_start_matches([',', ' ', '.']);
    let change = [
        "make it ",
        "make that ",
        "make them ",
        "make the ",
        "change it ",
        "change that ",
    ]
    .iter()
    .any(|lead| rest.starts_with(lead));
    if change {
        return Some(text[text.len() - rest.len()..].to_owned());
    }
    // ("no, large", "nope, a large one please": a size, said as "make
    // it large".)
    let words: Vec<&str> = (rest
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!')))
    .filter(|w| !w.is_empty())
    .collect();
    let said: Vec<&str> = (words.iter().copied())
        .filter(|w| {
            !matches!(
                *w,
                "a" | "an" | "one" | "please" | "pls" | "thanks" | "actually"
            )
        })
        .collect();
    // ("actually beef", of a chicken burrito: what it is made of.)
    let made_of = said.len() == 1 && amounts::says_made_of(said[0]);
    if !said.is_empty() && said.len() <= 2 && (made_of || amounts::sizes_only(said.iter().copied()))
    {
        return Some(format!("make it {}", said.join(" ")));
    }
    // ("no two of them", "no, 3 please": how many, said as "make it two".)
    let count = words
        .first()
        .and_then(|w| crate::reading::words::number(w))?;
    let rest_ok = words[1..].iter().all(|w| {
        matches!(
            *w,
            "of" | "them" | "those" | "please" | "pls" | "thanks" | "actually"
        )
    });
    (rest_ok && (1..100).contains(&count)).then(|| format!("make it {count}"))
}

/// "yeah but make it two", "ok but to work": what follows a yes with "but"
/// is a change, not a yes.
fn but_then(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let rest = ["yes", "yeah", "yep", "ok", "okay", "sure", "fine"]
        .iter()
        .find_map(|yes| lower.strip_prefix(yes))?
        .trim_start_matches([',', ' ']);
    // "yes but make it two"; "yes, and a cola", "yes please, with fries":
    // what follows adds to it.
    let rest = rest
        .trim_start_matches("please")
        .trim_start_matches([',', ' ']);
    let rest = match rest.strip_prefix("but ") {
        Some(rest) => rest.trim_start_matches([',', ' ']),
        None if ["and ", "also ", "plus ", "with "]
            .iter()
            .any(|l| rest.starts_with(l)) =>
        {
            rest
        }
        None => return None,
    };
    // ASCII lower case keeps lengths, so the original's tail is cut there.
    let cut = text.len() - rest.len();
    (!rest.is_empty() && text.is_char_boundary(cut)).then(|| text[cut..].to_owned())
}

/// "bread, butter and jam... no wait, just bread and butter, to home": what
/// follows a correction said midway, when it asks for something on its
/// own, with the first part's places when it names none.
fn corrected_midway(reading: &Reading, text: &str) -> Option<String> {
    const MARKERS: &[&str] = &[
        "no wait",
        "oh wait",
        "wait no",
        "no sorry",
        "sorry i mean",
        "sorry i meant",
        "i mean",
        "i meant",
        "actually no",
        "no actually",
        ", actually",
        ". actually",
        ", sorry",
        ". sorry",
        "or rather",
        "or actually",
        "wait, no",
        "no, wait",
        "actually, no",
        "no, actually",
        "no, sorry",
        "scratch that",
        // "lasagna for home actually make it the carbonara".
        " actually make it",
        " actually make that",
        // "a cheeseburger and a cola, make that 2 colas".
        ", make that",
        // "a cheeseburger, no make it a hamburger, to home".
        ", no make it",
        ", no make that",
        ", no, make it",
        ", no, make that",
    ];
    static MARKED: std::sync::LazyLock<Markers> =
        std::sync::LazyLock::new(|| Markers::new(MARKERS));
    // ASCII case only: a position in `lower` is then the same in `text`
    // (full lowercasing changes lengths: "İ" grows, the Kelvin sign
    // shrinks, and `text` would be cut inside a character).
    let lower = text.to_ascii_lowercase();
    // "forget the groceries, just order me a pizza": what follows the
    // dropping is the request.
    let dropped = ["forget ", "never mind", "scratch ", "cancel ", "no "]
        .iter()
        .any(|p| lower.starts_with(p));
    // (The last said, the longest of those starting there.)
    let (at, len) = (MARKED.words_in(&lower))
        .filter(|(_, at)| *at > 0)
        .map(|(marker, at)| (at, marker.len()))
        .max()
        .or_else(|| {
            dropped
                .then(|| lower.find(", ").map(|at| (at, 2)))
                .flatten()
        })
        // "a cab to heathrow, no gatwick, from home": a place for a place
        // (never "a burger, no onions", which is how it is made).
        .or_else(|| {
            let at = lower.find(", no ")?;
            let said = lower[at + 5..].split([',', '.', ';']).next()?;
            place_alone(reading, without_trailing_courtesy(said)).then_some((at, 5))
        })?;
    let rest = text[at + len..]
        .trim_start_matches([',', '.', ' ', ':', '-'])
        .trim();
    // ("just the pizza": that alone, never the pizza said again beside
    // the rest.)
    let only = ["just ", "only "]
        .iter()
        .any(|lead| rest.to_ascii_lowercase().starts_with(lead));
    // ("just bread", "make it a vegetarian one")
    let rest = [
        "just ",
        "Just ",
        "make it ",
        "make that ",
        "Make it ",
        "Make that ",
    ]
    .iter()
    .find_map(|lead| rest.strip_prefix(lead))
    .unwrap_or(rest);
    let first = &text[..at];
    // "milk, eggs, actually not eggs, bread": the eggs taken back, the
    // list going on.
    if let Some(not) = rest
        .strip_prefix("not ")
        .or_else(|| rest.strip_prefix("Not "))
        && let Some((thing, going_on)) = not.split_once(',').or(Some((not, "")))
        && reading.names_any_thing(thing.trim())
    {
        let said = format!("{first}. scratch the {}. {}", thing.trim(), going_on.trim());
        return dropped_midway(reading, said.trim_end_matches([' ', '.'])).map(|kept| {
            // (The clauses joined again as a list.)
            kept.replace(". ", ", ")
        });
    }
    // "no fries, onion rings instead": one thing for another.
    let an_extra = [
        "extra ", "with ", "without ", "no ", "light ", "easy ", "hold ", "add ",
    ]
    .iter()
    .any(|lead| rest.to_lowercase().starts_with(lead));
    if let Some(old) = lower[..at].strip_prefix("no ")
        && old.split_whitespace().count() <= 3
        && !an_extra
        && reading.names_any_thing(old)
        && reading.names_any_thing(rest)
    {
        let new = rest.trim_end_matches(['.', '!']).trim_end();
        let new = new.strip_suffix(" instead").unwrap_or(new);
        let new = new.strip_suffix(" please").unwrap_or(new);
        return Some(format!("{new} instead of the {}", &text[3..at]));
    }
    // "3 margheritas and 1 pepperoni, oh wait make that 2 margheritas":
    // a thing said again with another amount takes its own place.
    if let Some(again) = said_again(reading, first, rest).filter(|_| !only) {
        return Some(again);
    }
    if rest.split_whitespace().count() < 2 || reading.claims(rest).is_none() {
        return replaced_midway(reading, first, rest);
    }
    let mut out = rest.to_owned();
    // The restaurant said first, for a dish of the same kind of order.
    if let Some(action) = reading.claims(rest)
        && !reading.names_restaurant(rest, action)
        && let Some(restaurant) = reading.restaurant_said(first, action)
    {
        out.push_str(&format!(" from {restaurant}"));
    }
    if !reading.places(rest).iter().any(|m| m.known) {
        for m in reading.places(first).into_iter().filter(|m| m.known) {
            if let Some(after) = m
                .after
                .filter(|a| matches!(a.as_str(), "to" | "from" | "at" | "for"))
            {
                out.push_str(&format!(" {after} {}", m.text));
            }
        }
    }
    Some(out)
}

/// "a hamburger and a hot dog. scratch the hot dog. to home": a thing
/// said, then taken back in a clause of its own, is not asked for (the
/// words without it and without that clause). Only when something else
/// was asked for.
fn dropped_midway(reading: &Reading, text: &str) -> Option<String> {
    use crate::reading::words::Words;
    const LEADS: &[&str] = &[
        "scratch the ",
        "forget the ",
        "drop the ",
        "remove the ",
        "take off the ",
        "skip the ",
        "minus the ",
        "without the ",
        "no more ",
        "no ",
    ];
    // ASCII case only, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    for lead in LEADS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(lead) {
            let at = from + found;
            from = at + lead.len();
            // ("no wait, make that 3 miso soups", "no actually 6 dumplings":
            // a correction, read by `corrected_midway`.)
            let next = lower[from..].split([' ', ',']).next().unwrap_or_default();
            if *lead == "no "
                && matches!(
                    next,
                    "wait" | "actually" | "sorry" | "i" | "make" | "hang" | "scratch"
                )
            {
                continue;
            }
            // At the start of a clause ("..., scratch the hot dog", "...
            // actually no fries", "... - oh and forget the butter").
            // ("..., oh wait, no onion rings": the words of the pause go
            // too.)
            const STOPS: &[char] = &[',', '.', ';', '!', '-'];
            let mut before = lower[..at].trim_end();
            while let Some(b) = ["actually", "wait", "sorry", "oh", "and"]
                .iter()
                .find_map(|w| before.trim_end_matches(STOPS).trim_end().strip_suffix(w))
                .filter(|b| b.is_empty() || b.ends_with(' ') || b.ends_with(STOPS))
            {
                before = b.trim_end();
            }
            let before = before.trim_end_matches(STOPS).trim_end();
            // (Set off by a stop from what was said before it.)
            if !lower[before.len()..at].contains(STOPS) {
                continue;
            }
            let end = lower[from..]
                .find([',', '.', ';', '!'])
                .map_or(lower.len(), |e| from + e);
            let thing = without_trailing_courtesy(text[from..end].trim());
            let first = text[..before.len()].trim_end_matches([',', '.', ';', '!', '-', ' ']);
            let Some((a, b)) = reading.same_thing(first, thing) else {
                continue;
            };
            let said = Words::new(first);
            let (mut start, stop) = (said.words.get(a)?.start, said.words.get(b - 1)?.end);
            // With the "and" or comma that joined it.
            let head = first[..start].trim_end();
            if let Some(cut) = head.strip_suffix(" and").or_else(|| head.strip_suffix(',')) {
                start = cut.len();
            }
            let kept = format!("{}{}", &first[..start], &first[stop..]);
            reading.last_thing(&kept)?;
            return Some(format!("{kept}{}", &text[end..]));
        }
    }
    None
}

/// A thing said after a correction that was said before it, with its
/// amount: the words with the one said before replaced ("3 margheritas
/// and 1 pepperoni, oh wait make that 2 margheritas, to work" is "2
/// margheritas and 1 pepperoni, to work"). Only when something else was
/// said too (else the correction says it all).
fn said_again(reading: &Reading, first: &str, rest: &str) -> Option<String> {
    use crate::reading::words::Words;
    let (said, tail) = match rest.find([',', '.', ';']) {
        Some(at) => (rest[..at].trim(), &rest[at..]),
        None => (rest.trim(), ""),
    };
    let first = first.trim_end_matches([',', '.', ';', ' ']);
    let (from, to) = reading.same_thing(first, said)?;
    let before = Words::new(first);
    let (start, end) = (before.words.get(from)?.start, before.words.get(to - 1)?.end);
    // Nothing else said: the correction's own reading does.
    let others = Words::new(&format!("{} {}", &first[..start], &first[end..]));
    reading.last_thing(others.text.as_str())?;
    Some(format!("{}{said}{}{tail}", &first[..start], &first[end..]))
}

/// "a taxi to gatwick, sorry heathrow, from home", "pepperoni pizza, no
/// actually hawaiian, to work": a place or a thing said again after a
/// correction takes the place of the last one said before it; the words
/// after it stay.
fn replaced_midway(reading: &Reading, first: &str, rest: &str) -> Option<String> {
    use crate::reading::words::Words;
    let (said, tail) = match rest.find([',', '.', ';']) {
        Some(at) => (rest[..at].trim(), &rest[at..]),
        None => (rest.trim(), ""),
    };
    let said = said.strip_prefix("to ").unwrap_or(said);
    // ("to work, no home sorry".)
    let said = without_trailing_courtesy(said);
    let first = first.trim_end_matches([',', '.', ';', ' ']);
    // "sorry gatwick not heathrow": the place it is not is named.
    if let Some((new, old)) = said.split_once(" not ")
        && place_alone(reading, new)
        && let Some(at) = first
            .to_ascii_lowercase()
            .rfind(&old.trim().to_ascii_lowercase())
        && place_alone(reading, old)
    {
        let end = at + old.trim().len();
        return Some(format!("{}{new}{}{tail}", &first[..at], &first[end..]));
    }
    let before = Words::new(first);
    let span = |from: usize, to: usize| {
        let (a, b) = (
            before.words.get(from)?,
            before.words.get(to.checked_sub(1)?)?,
        );
        Some((a.start, b.end))
    };
    // "a hawaiian pizza, actually no, make it a vegetarian one": the one
    // is of the last thing's kind (its last word) when the menu has such a
    // dish; else it is the last thing ("a large one").
    let of_kind = said
        .strip_suffix(" one")
        .zip(reading.last_thing(first))
        .and_then(|(kind, (from, to))| {
            let kind = without_article(kind);
            let dish = format!("{kind} {}", before.norm().get(to - 1)?);
            Some(match reading.is_a_name(&dish) {
                true => dish,
                false => format!("{kind} {}", before.span(from, to)),
            })
        });
    let said = of_kind.as_deref().unwrap_or(said);
    // ("cab from work to home, no wait from euston": the pickup.)
    let (end_named, said) = match said.strip_prefix("from ") {
        Some(rest) => (Some("from"), rest),
        None => (None, said),
    };
    let (start, end, said) = if place_alone(reading, said) {
        // (Of several places, the last of the said one's kind: "to
        // heathrow from home, sorry i mean gatwick" is Gatwick for
        // Heathrow.)
        use crate::reading::places::kind_of;
        let known: Vec<_> = (reading.places(first).into_iter())
            .filter(|m| m.known)
            .collect();
        let kind = kind_of(said);
        let by_end =
            end_named.and_then(|end| (known.iter()).rfind(|m| m.after.as_deref() == Some(end)));
        let last = by_end
            .or_else(|| (known.iter()).rfind(|m| kind.is_some() && kind_of(&m.text) == kind))
            .or(known.last())?;
        let (start, end) = span(last.from, last.to)?;
        (start, end, said)
    } else if reading.names_any_thing(said) && Words::new(said).len() <= 4 {
        let (from, to) = reading.last_thing(first)?;
        let (start, end) = span(from, to)?;
        // The amount said before the last thing stays ("the lasagna, or
        // actually the carbonara").
        (start, end, without_article(said))
    } else if Words::new(said).len() == 1 && amounts::count(&Words::new(said)).is_some() {
        // "2 cheeseburgers, no wait, 3": the count of the last thing.
        let (from, _) = reading.last_thing(first)?;
        let at = (0..from)
            .rev()
            .find(|&i| crate::reading::words::number(&before.norm()[i]).is_some())
            .filter(|&i| from - i <= 2)?;
        let (start, end) = span(at, at + 1)?;
        (start, end, said)
    } else {
        return None;
    };
    Some(format!("{}{said}{}{tail}", &first[..start], &first[end..]))
}

/// "two burgers to home, one of them veggie", "2 pizzas, one vegetarian":
/// one of the things counted is another dish of their kind, so it is one
/// fewer of them and one of that dish ("1 burgers to home and one veggie
/// burger"). Only when the menu has that dish.
fn one_of_them(reading: &Reading, text: &str) -> Option<String> {
    use crate::reading::words::{Words, number};
    const MARKERS: &[(&str, u32)] = &[
        (", one of them ", 1),
        (", 1 of them ", 1),
        (", 2 of them ", 2),
        (", one of those ", 1),
        (", one of which ", 1),
        (" and one of them ", 1),
        (" but one of them ", 1),
        (", one ", 1),
        (" but one ", 1),
        // "2 cheeseburgers, 1 without pickles".
        (", 1 ", 1),
        (" but 1 ", 1),
        // "3 lattes, two with oat milk".
        (", two of them ", 2),
        (", two ", 2),
        (", 2 ", 2),
        (" but two ", 2),
        (", three ", 3),
        (", 3 ", 3),
    ];
    // ASCII case only, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    // ("2 cheeseburgers one without pickles": said without a comma, how
    // the one is made says it.)
    let unmarked = || {
        ["with", "without", "no", "extra"].iter().find_map(|how| {
            let at = lower.find(&format!(" one {how} "))?;
            Some((at, " one ".len(), 1))
        })
    };
    let (at, len, made) = MARKERS
        .iter()
        .find_map(|(m, n)| lower.find(m).map(|at| (at, m.len(), *n)))
        .or_else(unmarked)?;
    let after = &text[at + len..];
    let (clause, tail) = match after.find([',', '.', ';']) {
        Some(end) => (&after[..end], &after[end..]),
        None => (after, ""),
    };
    // ("... but one without pineapple from luigis to home": where from and
    // where to are the order's.)
    let (clause, tail) = match [" from ", " to ", " delivered ", " for "]
        .iter()
        .filter_map(|w| clause.to_ascii_lowercase().find(w))
        .min()
    {
        Some(end) => (&after[..end], &after[end..]),
        None => (clause, tail),
    };
    let first = &text[..at];
    let before = Words::new(first);
    let (from, to) = reading.last_thing(first)?;
    let head = before.norm().get(to - 1)?;
    let thing = before.span(from, to);
    // ("two large pepperonis, one with extra cheese": each of them large.)
    let sized_from = (0..from)
        .rev()
        .take_while(|&i| crate::reading::amounts::is_size(&before.norm()[i]))
        .last()
        .unwrap_or(from);
    let sizes = before.span(sized_from, from).trim().to_owned();
    // "2 coffees, one black one with milk", "two lattes, one with oat milk
    // and one with soy": each one of them told apart.
    let parts = one_by_one(clause);
    let made = if made == 1 { parts.len() as u32 } else { made };
    let mut dishes = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let other = (parts.len() == 2).then(|| parts[1 - i].as_str());
        // (Three or more told apart each say how theirs is made.)
        let other = other.or_else(|| (parts.len() > 2).then_some(""));
        let dish = made_so(reading, thing, head, part, other)?;
        dishes.push(match sizes.is_empty() {
            true => dish,
            false => format!("{sizes} {dish}"),
        });
    }
    let count_at = sized_from.checked_sub(1)?;
    // ("2 x hawaiian pizza", "2x hawaiian pizza".)
    let count_at = match before.norm()[count_at].as_str() {
        "x" => count_at.checked_sub(1)?,
        _ => count_at,
    };
    let said_count = &before.norm()[count_at];
    let counted =
        number(said_count.strip_suffix('x').unwrap_or(said_count)).filter(|n| *n >= made)?;
    // Every one of them another dish: none left as first said.
    let rest = counted - made;
    if rest == 0 && parts.len() == 1 {
        return None;
    }
    let count = &before.words[count_at];
    let said = match (made, dishes.as_slice()) {
        (1, [dish]) => format!("one {dish}"),
        (n, [dish]) => format!("{n} {dish}"),
        (_, dishes) => (dishes.iter().map(|d| format!("one {d}")))
            .collect::<Vec<_>>()
            .join(" and "),
    };
    let lead = match rest {
        0 => String::new(),
        n => format!("{}{}{} and ", &first[..count.start], n, &first[count.end..]),
    };
    let lead = if rest == 0 {
        format!(
            "{}{said}{}",
            &first[..count.start],
            &first[to_end(&before, to)..]
        )
    } else {
        format!("{lead}{said}")
    };
    Some(format!("{lead}{tail}"))
}

/// The byte where word `to` starts in `words`' text (its end when `to` is
/// past the last word).
fn to_end(words: &crate::reading::words::Words, to: usize) -> usize {
    words.words.get(to - 1).map_or(0, |w| w.end)
}

/// "2 lasagnas and a garlic bread, one of the lasagnas without cheese":
/// one of the things counted before, named again, made so ("1 lasagnas
/// and one lasagnas without cheese and a garlic bread").
fn one_of_the_named(text: &str) -> Option<String> {
    use crate::reading::words::{Words, number};
    let key = crate::agents::item_key;
    let lower = text.to_ascii_lowercase();
    let (at, len) = [", one of the ", " and one of the ", " but one of the "]
        .iter()
        .find_map(|m| lower.find(m).map(|at| (at, m.len())))?;
    let after = &text[at + len..];
    let (clause, tail) = match after.find([',', '.', ';']) {
        Some(end) => (&after[..end], &after[end..]),
        None => (after, ""),
    };
    let (thing, made) = clause.trim().split_once(' ')?;
    let made = made.trim();
    let extra = ["with ", "without ", "no ", "extra "]
        .iter()
        .any(|opener| made.to_ascii_lowercase().starts_with(opener));
    if !extra || made.split_whitespace().count() > 5 {
        return None;
    }
    let first = &text[..at];
    let words = Words::new(first);
    let w = words.norm();
    let k = (1..w.len()).find(|&k| key(&w[k]) == key(thing))?;
    let n = number(&w[k - 1]).filter(|n| *n >= 2)?;
    let (count, named) = (&words.words[k - 1], &words.words[k]);
    Some(format!(
        "{}{} {} and one {} {made}{}{tail}",
        &first[..count.start],
        n - 1,
        &first[named.start..named.end],
        &first[named.start..named.end],
        &first[named.end..],
    ))
}

/// What each one of them is, said after "one" ("black one with milk",
/// "with oat milk and one with soy"): the descriptions, the leading "a"
/// or "should be" left out.
fn one_by_one(clause: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = clause.trim();
    loop {
        let next = [" and one ", " & one ", " one "]
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, m.len())))
            .min();
        let (part, more) = match next {
            Some((at, len)) => (&rest[..at], Some(&rest[at + len..])),
            None => (rest, None),
        };
        let mut kind = part.trim();
        for lead in ["should be ", "is ", "to be ", "being ", "as ", "a ", "an "] {
            kind = kind.strip_prefix(lead).unwrap_or(kind);
        }
        parts.push(kind.strip_suffix(" one").unwrap_or(kind).trim().to_owned());
        match more {
            Some(more) => rest = more.trim(),
            None => return parts,
        }
    }
}

/// The dish one of them is: "with oat milk" is the thing counted made so,
/// "veggie" the veggie one of its kind (only when the menu has it). A bare
/// "without" takes what the other one is with ("one with cheese and one
/// without").
fn made_so(
    reading: &Reading,
    thing: &str,
    head: &str,
    part: &str,
    other: Option<&str>,
) -> Option<String> {
    let borrowed;
    let part = match (part, other.and_then(|o| o.split_once(' '))) {
        ("without", Some(("with", what))) => {
            borrowed = format!("without {what}");
            borrowed.as_str()
        }
        ("with", Some(("without" | "no", what))) => {
            borrowed = format!("with {what}");
            borrowed.as_str()
        }
        _ => part,
    };
    // "two lattes, one with oat milk": the same dish, made so.
    let extra = ["with ", "without ", "no ", "extra "]
        .iter()
        .any(|opener| part.starts_with(opener));
    let most = if extra { 5 } else { 2 };
    if part.is_empty() || part.split_whitespace().count() > most {
        return None;
    }
    if extra {
        return Some(format!("{thing} {part}"));
    }
    // "3 lattes, 1 of them decaf": a size or kind of the thing counted.
    let its_own = |w: &str| thing.split(' ').any(|t| t.eq_ignore_ascii_case(w));
    if crate::reading::amounts::sizes_only(part.split_whitespace())
        && !part.split_whitespace().any(its_own)
    {
        return Some(format!("{part} {thing}"));
    }
    let dish = format!("{part} {head}");
    // Not a dish, or the very dish counted ("two veggie burgers, one veggie").
    let key = crate::agents::item_key;
    if reading.is_a_name(&dish) && key(thing) != key(&dish) {
        return Some(dish);
    }
    // "one mild and one hot", "one black one with milk": told apart by how
    // each is made, when no one of them is a thing of its own ("one cola
    // and one lemonade").
    (other.is_some_and(|o| !reading.is_a_name(o)) && !reading.is_a_name(part))
        .then(|| format!("{part} {thing}"))
}

/// "no tomato please", "extra cheese on that", "with extra milk" said
/// to an open order: how its line is to be made, said with the line
/// ("1 cheeseburger no tomato"), so it is read as a note of that line and
/// never as a new order of tomatoes. The line is the order's only one, or
/// the one the words name ("no onions on the burger").
fn extras_for(text: &str, open: &OpenCommand) -> Option<String> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let moved = made_the_line(text, lines);
    let text = moved.as_deref().unwrap_or(text);
    let extra = Extra::said(text)?;
    // ("no onions on the burger" of onion rings and a burger: the
    // burger's, though the onions name the rings.)
    // (The line the words name best: "large on the pepperoni pizza" is the
    // pepperoni's, though "pizza" names the margherita too.)
    let named = (lines.iter().enumerate())
        .filter(|(_, line)| extra.names(line) && !extra.takes_off(line))
        .max_by_key(|(at, line)| (extra.naming(line), std::cmp::Reverse(*at)))
        .map(|(_, line)| line);
    if named.is_none() && lines.iter().any(|line| extra.takes_off(line)) {
        return None;
    }
    let line = match (lines, named) {
        (_, Some(line)) | ([line], None) => line,
        _ => return None,
    };
    let note = extra.note();
    // ("mild": said before the dish, as sizes are: "1 mild red curry".)
    let said = match crate::reading::amounts::sizes_only(note.split_whitespace()) {
        true => format!("{} {note} {}", line.quantity, line.name),
        false => format!("{} {} {note}", line.quantity, line.name),
    };
    // "no eggs, and add some fries": the line so made, and the rest added.
    Some(match extra.then_added() {
        Some(added) => format!("{said}, add {added}"),
        None => said,
    })
}

/// "make the curry mild", "can you make the latte large please": how a
/// line the words name is to be made, said after it ("mild on the
/// curry"), so it reads as that line's note.
fn made_the_line(text: &str, lines: &[ItemRequest]) -> Option<String> {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let at = w
        .windows(2)
        .position(|p| p[0] == "make" && matches!(p[1].as_str(), "the" | "my" | "that"))?
        + 2;
    let named = (at..w.len())
        .take_while(|&i| lines.iter().any(|line| super::names_line(line, &w[i], &[])))
        .count();
    if named == 0 {
        return None;
    }
    let how: Vec<&str> = w[at + named..]
        .iter()
        .map(String::as_str)
        .take_while(|x| !matches!(*x, "please" | "thanks"))
        .collect();
    crate::reading::amounts::sizes_only(how.iter().copied())
        .then(|| format!("{} on the {}", how.join(" "), w[at..at + named].join(" ")))
}

/// "actually 2 of those and one fries", "take one off and add a hot dog",
/// of an order of one line: the line by its name ("actually 2
/// cheeseburger and one fries", "1 cheeseburger and add a hot dog"), so
/// it is counted rather than replaced by what comes with it.
fn those_of_the_line(text: &str, open: &OpenCommand) -> Option<String> {
    let [line] = open.slots.get("item").and_then(SlotValue::as_items)? else {
        return None;
    };
    let lower = text.to_ascii_lowercase();
    for pointer in [" of those", " of them", " of these", " of that"] {
        let Some(at) = lower.find(pointer) else {
            continue;
        };
        // (Only with more asked after it: "2 of those" alone, or "one of
        // them pepperoni", is read as it is.)
        let rest = lower[at + pointer.len()..].trim_start();
        if !(rest.starts_with("and ") || rest.starts_with(", ") || rest.starts_with("plus ")) {
            return None;
        }
        let before = lower[..at].trim_end();
        let count = before.rsplit(' ').next()?;
        let n = crate::reading::words::number(count).filter(|n| *n > 0)?;
        let start = before.len() - count.len();
        return Some(format!(
            "{}{n} {}{}",
            &text[..start],
            line.name,
            &text[at + pointer.len()..]
        ));
    }
    // "take one off", "one less": one fewer of the only line.
    for (off, by) in [("take one off", 1), ("one less", 1), ("take 1 off", 1)] {
        if let Some(at) = lower.find(off)
            && line.quantity > by
        {
            return Some(format!(
                "{}make it {} {}{}",
                &text[..at],
                line.quantity - by,
                line.name,
                &text[at + off.len()..]
            ));
        }
    }
    None
}

/// "one large and one small", "make it 1 decaf, 1 regular", of a line of
/// 2 lattes: each made as said, as many as said ("1 large pepperoni pizza
/// and 1 small pepperoni pizza"), never one of them dropped. The line is
/// the only one of several, or the only line.
fn each_made_so(text: &str, open: &OpenCommand) -> Option<String> {
    use crate::reading::{amounts, words::number};
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let w: Vec<&str> = (words.norm().iter().map(String::as_str))
        .skip_while(|x| {
            matches!(
                *x,
                "make"
                    | "it"
                    | "them"
                    | "can"
                    | "could"
                    | "you"
                    | "please"
                    | "actually"
                    | "oh"
                    | "ok"
                    | "so"
                    | "no"
                    | "wait"
            )
        })
        .filter(|x| !matches!(*x, "please" | "thanks" | "instead"))
        .collect();
    // Each count, then how that many are made: "one large", "2 small".
    let mut each: Vec<(u32, Vec<&str>)> = Vec::new();
    for x in w {
        match number(x).filter(|n| *n > 0 && *n < 20) {
            Some(n) => each.push((n, Vec::new())),
            None if x == "and" => {}
            None => each.last_mut()?.1.push(x),
        }
    }
    let made =
        |how: &[&str]| (1..=2).contains(&how.len()) && amounts::sizes_only(how.iter().copied());
    if each.len() < 2 || !each.iter().all(|(_, how)| made(how)) {
        return None;
    }
    let line = the_several(lines)?;
    // (A size the line had gives way to the one said; another note stays.)
    let kept = (line.note.as_deref())
        .filter(|n| !amounts::sizes_only(n.split([' ', ','])))
        .map_or(String::new(), |note| format!(" ({note})"));
    let said: Vec<String> = (each.iter())
        .map(|(n, how)| format!("{n} {} {}{kept}", how.join(" "), line.name))
        .collect();
    Some(said.join(" and "))
}

/// The line that "one of them", "one large and one small" speak of
/// unnamed: the only line, or the only one of several with two or more
/// ("one of them" of 2 burgers and fries: the burgers).
fn the_several(lines: &[ItemRequest]) -> Option<&ItemRequest> {
    if let [one] = lines {
        return Some(one);
    }
    let mut several = lines.iter().filter(|l| l.quantity >= 2);
    match (several.next(), several.next()) {
        (Some(line), None) => Some(line),
        _ => None,
    }
}

/// "one of them with no peanuts", "make one of them decaf", "one with oat
/// milk", of a line of two or more: that many less one as they were, and
/// one made so ("1 pad thai and 1 pad thai with no peanuts").
fn one_of_the_line(text: &str, open: &OpenCommand) -> Option<String> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    let mut at = (w.iter())
        .take_while(|x| {
            matches!(
                x.as_str(),
                "make"
                    | "can"
                    | "could"
                    | "you"
                    | "please"
                    | "actually"
                    | "oh"
                    | "and"
                    | "but"
                    | "swap"
                    | "switch"
                    | "change"
            )
        })
        .count();
    // "one of them", or "3 of them" (with "of").
    let k = match w.get(at).map(String::as_str) {
        Some("one") => 1,
        Some(n) if w.get(at + 1).is_some_and(|x| x == "of") => {
            crate::reading::words::number(n).filter(|n| *n > 1)?
        }
        _ => return None,
    };
    at += 1;
    // "of them", "of those", "of the pad thais".
    let mut named: Option<&ItemRequest> = None;
    if w.get(at).map(String::as_str) == Some("of") {
        at += 1;
        match w.get(at).map(String::as_str) {
            Some("them" | "those" | "these") => at += 1,
            Some("the") => {
                at += 1;
                let start = at;
                while at < w.len() && lines.iter().any(|l| super::names_line(l, &w[at], &[])) {
                    at += 1;
                }
                if at == start {
                    return None;
                }
                named = lines
                    .iter()
                    .find(|l| w[start..at].iter().any(|x| super::names_line(l, x, &[])));
            }
            _ => return None,
        }
    } else if k == 1 {
        // "make one margherita large": the line named without "of the".
        let start = at;
        while at < w.len() && lines.iter().any(|l| super::names_line(l, &w[at], &[])) {
            at += 1;
        }
        named = (lines.iter())
            .filter(|l| l.quantity >= 2)
            .find(|l| w[start..at].iter().any(|x| super::names_line(l, x, &[])));
        if at > start && named.is_none() {
            return None;
        }
    }
    let line = match named {
        Some(line) => line,
        None => the_several(lines)?,
    };
    // "swap one of the burritos for a beef one": what it becomes.
    if matches!(w.get(at).map(String::as_str), Some("for" | "to" | "into"))
        && matches!(w.get(at + 1).map(String::as_str), Some("a" | "an"))
        && w.last().is_some_and(|x| x == "one")
        && w.len() == at + 4
    {
        let kind = words.span(at + 2, at + 3).trim().to_lowercase();
        let head = line.name.rsplit(' ').next()?;
        return (line.quantity >= 2 && k == 1 && line.name.contains(' '))
            .then(|| format!("{} {} and 1 {kind} {head}", line.quantity - 1, line.name));
    }
    // "one of the pizzas should be a margherita", "one of them can be
    // veggie": as if said "make one of them ...".
    match (
        w.get(at).map(String::as_str),
        w.get(at + 1).map(String::as_str),
    ) {
        (Some("should" | "can" | "could" | "will" | "to" | "must"), Some("be")) => at += 2,
        (Some("is" | "as"), _) => at += 1,
        _ => {}
    }
    // ("make one of them a large": the size.)
    if matches!(w.get(at).map(String::as_str), Some("a" | "an"))
        && w.get(at + 1)
            .is_some_and(|x| crate::reading::amounts::is_size(x))
        && w.len() == at + 2
    {
        at += 1;
    }
    // "make one of the naans a garlic one": one of that kind.
    if k == 1
        && line.quantity >= 2
        && matches!(w.get(at).map(String::as_str), Some("a" | "an"))
        && w.len() == at + 3
        && w[at + 2] == "one"
    {
        let kind = words.span(at + 1, at + 2).trim().to_lowercase();
        let head = line.name.rsplit(' ').next()?;
        return Some(format!(
            "{} {} and 1 {kind} {head}",
            line.quantity - 1,
            line.name
        ));
    }
    let rest = words.span(at, words.len()).trim();
    let first = w.get(at).map(String::as_str)?;
    // "make one of them a veggie burger": one another dish of its kind;
    // "make one of the pizzas a margherita": one that dish.
    let a_dish = (at + 2..=at + 4).contains(&w.len())
        && !w[at + 1..].iter().any(|x| {
            crate::reading::amounts::is_size(x) || matches!(x.as_str(), "one" | "bit" | "little")
        });
    if matches!(first, "a" | "an")
        && k == 1
        && line.quantity >= 2
        && let Some(head) = line.name.rsplit(' ').next()
        && (a_dish
            || w.last().is_some_and(|last| {
                let last = crate::agents::item_key(last);
                last.len() >= 4 && (head.ends_with(&last) || last.ends_with(head))
            }))
    {
        let dish = words.span(at + 1, words.len()).trim().to_lowercase();
        return Some(format!("{} {} and 1 {dish}", line.quantity - 1, line.name));
    }
    let made = matches!(first, "with" | "without" | "no" | "extra" | "hold")
        || crate::reading::amounts::is_size(first);
    // "make one of them beef" of 2 chicken burritos: one beef burrito (the
    // kitchen says whether it has one), never beef from the shop.
    if !made
        && k == 1
        && line.quantity >= 2
        && line.name.contains(' ')
        && rest.split_whitespace().count() == 1
        && crate::reading::words::number(first).is_none()
        && !matches!(first, "please" | "too" | "as" | "instead")
        && let Some(head) = line.name.rsplit(' ').next()
    {
        return Some(format!(
            "{} {} and 1 {} {head}",
            line.quantity - 1,
            line.name,
            rest.to_lowercase()
        ));
    }
    if line.quantity < 2 || !made || rest.is_empty() || k >= line.quantity {
        return None;
    }
    // "one of them mild, the other thai hot": each made as said.
    let lower = rest.to_lowercase();
    let other = [
        ", the other ",
        " and the other ",
        ", the others ",
        " and the others ",
        ", other ",
    ]
    .iter()
    .find_map(|j| lower.split_once(j));
    if let Some((one, other)) = other.filter(|_| k == 1) {
        let made = |how: &str| {
            let how = how.trim().trim_end_matches(['.', '!', ' ']);
            let last = how.rsplit(' ').next().unwrap_or_default();
            match crate::reading::amounts::is_size(last) {
                true => format!("{how} {}", line.name),
                false => format!("{} {how}", line.name),
            }
        };
        return Some(format!(
            "1 {} and {} {}",
            made(one),
            line.quantity - 1,
            made(other)
        ));
    }
    // ("two large margheritas", then "one should be small": the other
    // stays large; "one with extra cheese": that one large too.)
    let sized_note = (line.note.as_deref())
        .filter(|n| crate::reading::amounts::sizes_only(n.split([' ', ','])))
        .map(str::to_owned);
    let as_was = match (&sized_note, &line.note) {
        (Some(size), _) => format!("{size} {}", line.name),
        (None, Some(note)) => format!("{} ({note})", line.name),
        (None, None) => line.name.clone(),
    };
    let one = match crate::reading::amounts::is_size(first) {
        // ("1 decaf latte": a size or kind goes before its thing.)
        true => match (&sized_note, &line.note) {
            (None, Some(note)) => format!("{k} {} {} ({note})", rest.to_lowercase(), line.name),
            _ => format!("{k} {} {}", rest.to_lowercase(), line.name),
        },
        false => match &sized_note {
            Some(size) => format!("{k} {size} {} {}", line.name, rest.to_lowercase()),
            None => format!("{k} {} {}", line.name, rest.to_lowercase()),
        },
    };
    Some(format!("{} {as_was} and {one}", line.quantity - k))
}

/// How many cars the words ask for ("two cars", "2 taxis"): 0 when they
/// count none.
fn cars_asked(text: &str) -> u32 {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    (1..w.len())
        .filter(|&i| {
            matches!(
                w[i].as_str(),
                "cars" | "taxis" | "cabs" | "ubers" | "vehicles" | "rides"
            )
        })
        .filter_map(|i| crate::reading::words::number(&w[i - 1]))
        .max()
        .unwrap_or(0)
}

/// "large", "make it a large", "a double please", whatever was asked: the
/// size of the order's one line ("1 large latte"), when no dish of the
/// menu is that size of it (`made_into` goes first).
fn sized(text: &str, open: &OpenCommand) -> Option<String> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let said: Vec<&str> = (words.norm().iter().map(String::as_str))
        .filter(|w| {
            !matches!(
                *w,
                "make"
                    | "it"
                    | "a"
                    | "an"
                    | "one"
                    | "please"
                    | "pls"
                    | "thanks"
                    | "actually"
                    | "oh"
                    | "ok"
                    | "and"
            )
        })
        .collect();
    let [line] = lines else {
        return None;
    };
    let sizes = !said.is_empty()
        && said.iter().all(|w| crate::reading::amounts::is_size(w))
        && said
            .iter()
            .any(|w| matches!(*w, "small" | "medium" | "large" | "regular"));
    // ("a double", never "double it": twice as many.)
    let measure = said.len() == 1
        && matches!(said[0], "double" | "triple" | "single")
        && (words.norm().windows(2)).any(|p| p[0] == "a" && p[1] == said[0]);
    (sizes || measure).then(|| format!("{} {} {}", line.quantity, said.join(" "), line.name))
}

/// "i dont want the salmon, get chicken breast", "no salmon actually,
/// chicken breast instead", of an order of several lines: said as "swap
/// the salmon for chicken breast", so only that line changes. `None`
/// unless what is refused names a line and something follows.
fn refused_then(text: &str, open: &OpenCommand) -> Option<String> {
    const REFUSE: &[&str] = &[
        "actually i don't want ",
        "actually i dont want ",
        "i don't want ",
        "i dont want ",
        "don't want ",
        "dont want ",
        "actually no ",
        "actually not ",
        "no ",
        "not ",
    ];
    const THEN: &[&str] = &[
        ", get ",
        ", i'll have ",
        ", give me ",
        ", can i have ",
        ", can i get ",
        ", ",
        " but ",
        "; ",
        " get ",
    ];
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    if lines.len() < 2 {
        return None;
    }
    let lower = text.to_lowercase();
    let rest = REFUSE.iter().find_map(|lead| lower.strip_prefix(lead))?;
    let (at, len) = THEN
        .iter()
        .filter_map(|sep| rest.find(sep).map(|at| (at, sep.len())))
        .min_by_key(|(at, len)| (*at, std::cmp::Reverse(*len)))?;
    let old = rest[..at].trim_end_matches(" actually").trim();
    let old = old.strip_prefix("the ").unwrap_or(old);
    let new = rest[at + len..]
        .trim()
        .trim_end_matches(['.', '!'])
        .trim_end_matches(" instead")
        .trim_end_matches(" please")
        .trim();
    let new = new.strip_prefix("actually ").unwrap_or(new);
    // ("no cereal, add yogurt x2": the yogurt for the cereal, as counted.)
    let new = ["add ", "and ", "get ", "just "]
        .iter()
        .fold(new, |new, lead| new.strip_prefix(lead).unwrap_or(new));
    let counted = (new.rsplit_once(" x"))
        .filter(|(_, n)| crate::reading::words::number(n).is_some())
        .map(|(thing, n)| format!("{n} {thing}"));
    let new = counted.as_deref().unwrap_or(new);
    let names = |line: &ItemRequest| old.split(' ').any(|w| super::names_line(line, w, &[]));
    let named = lines.iter().filter(|line| names(line)).count();
    (named == 1 && !new.is_empty() && new.split(' ').count() <= 5)
        .then(|| format!("swap the {old} for {new}"))
}

/// Answering what instead of a thing no shop or kitchen has: "nothing,
/// skip it" and "never mind the bleach just the rest" said as "skip it"
/// is (the rest kept), "never mind the curry just the naan" as "just the
/// naan". A thing dismissed that names no line of the order ("forget
/// the curry", asked what instead of a lamb vindaloo) is the one asked
/// about: nothing instead of it, the rest kept. `None` for anything else.
fn nothing_instead(text: &str, lines: &[ItemRequest]) -> Option<String> {
    // "nothing, skip it", "no thanks, just those": nothing instead.
    const NOTHING: &[&str] = &[
        "nothing",
        "nothing else",
        "no",
        "nah",
        "no thanks",
        "no thank you",
        "none",
        "skip it",
        "skip that",
        "forget it",
        "leave it",
        "just those",
        "just that",
        "just them",
        "just the rest",
        "that's all",
        "thats all",
        "that's it",
        "thats it",
        "it's fine",
        "its fine",
        "fine",
        "ok",
        "okay",
    ];
    let lower = text.to_lowercase();
    let clauses: Vec<&str> = (lower.split([',', '.', '!', ';']))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if clauses.len() > 1 && clauses.iter().all(|c| NOTHING.contains(c)) {
        return Some("skip it".to_owned());
    }
    // "the burger is fine", "nevermind, the burger is ok": only lines
    // already on the order named, so nothing instead (never those lines
    // again). ("just the burger" keeps only it, below.)
    if names_only_lines(&lower, lines) {
        return Some("skip it".to_owned());
    }
    // ("never mind, just the burger" as "never mind just the burger".)
    let lower =
        lower
            .replacen("never mind,", "never mind", 1)
            .replacen("nevermind,", "nevermind", 1);
    const DISMISS: &[&str] = &[
        "never mind ",
        "nevermind ",
        "forget ",
        "skip ",
        "drop ",
        "scrap ",
        "leave out ",
        "don't bother with ",
        "dont bother with ",
        "no need for ",
    ];
    let lower = lower
        .trim()
        .trim_start_matches("oh ")
        .trim_start_matches("ok ");
    let rest = DISMISS.iter().find_map(|lead| lower.strip_prefix(lead))?;
    // ("never mind just the curry": what is kept, said at once.)
    let just = match rest.strip_prefix("just ") {
        Some(_) => Some(0),
        None => rest.find(" just "),
    };
    let Some(at) = just else {
        // ("forget the naan" names a line: taken off as any line is; "the
        // rest" and "the order" are no thing asked about.)
        const NO_THING: &[&str] = &[
            "rest",
            "others",
            "order",
            "whole order",
            "whole thing",
            "lot",
        ];
        let thing = rest
            .trim_end_matches(['.', '!', ' '])
            .strip_prefix("the ")?;
        let names_a_line = (thing.split(' '))
            .any(|word| lines.iter().any(|line| super::names_line(line, word, &[])));
        return (!names_a_line && !NO_THING.contains(&thing)).then(|| "skip it".to_owned());
    };
    let kept = rest[at..].trim_start_matches([',', ' ']);
    // ("never mind the bleach just the rest": nothing instead; "never
    // mind, just the naan": only the naan, as "just the naan" is.)
    Some(match NOTHING.contains(&kept) {
        true => "skip it".to_owned(),
        false if kept.starts_with("just ") => kept.to_owned(),
        false => format!("just {kept}"),
    })
}

/// Whether the words name lines of `lines` and nothing else, as what
/// stays: "the burger is fine", "never mind, just the curry" (never "2
/// more burgers", "another curry").
fn names_only_lines(lower: &str, lines: &[ItemRequest]) -> bool {
    const AROUND: &[&str] = &[
        "never",
        "mind",
        "nevermind",
        "no",
        "nah",
        "ok",
        "okay",
        "oh",
        "actually",
        "then",
        "just",
        "only",
        "the",
        "my",
        "is",
        "are",
        "fine",
        "ok",
        "enough",
        "will",
        "do",
        "please",
        "thanks",
        "all",
        "alone",
        "on",
        "its",
        "own",
        "stick",
        "with",
        "keep",
        "that's",
        "thats",
        "it's",
        "leave",
        "it",
        "at",
        "i'll",
        "ill",
        "have",
    ];
    let words: Vec<&str> = (lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!')))
    .filter(|w| !w.is_empty())
    .collect();
    // (By name, or by its kind: "the curry" of a chicken tikka masala.)
    if lower.contains("just ") || lower.contains("only ") {
        return false;
    }
    let names = |w: &str| {
        let key = crate::agents::item_key(w);
        lines.iter().any(|line| {
            super::names_line(line, w, &[])
                || (crate::agents::catalog::FOOD_KINDS.iter())
                    .any(|(kind, things)| *kind == key && things.contains(&line.name.as_str()))
        })
    };
    words.iter().any(|w| names(w)) && words.iter().all(|w| names(w) || AROUND.contains(w))
}

/// "and some milk too", "rice as well", "also a coke", "plus chips": a
/// thing added to the order under way, said as "add some milk" is.
/// `None` for anything else (a thing without a word of adding, or more
/// than a few words of it).
fn added_alone(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let mut said = lower.trim().trim_end_matches(['.', '!', '?', ' ']);
    let mut adding = false;
    for tail in [" too", " as well", " also", " please"] {
        if let Some(rest) = said.strip_suffix(tail) {
            said = rest.trim_end_matches([',', ' ']);
            adding |= tail != " please";
        }
    }
    for lead in ["and ", "also ", "plus ", "oh and ", "oh also "] {
        if let Some(rest) = said.strip_prefix(lead) {
            said = rest;
            adding = true;
        }
    }
    // ("and make the milk two", "and actually just one": a change.)
    const NO_THING: &[&str] = &[
        "add", "make", "change", "swap", "remove", "take", "drop", "cancel", "actually", "just",
        "only", "no", "not", "instead", "it", "that", "them", "those", "yes", "yeah", "ok", "okay",
        "less", "fewer", "more", "to", "from", "for", "at", "with", "without",
    ];
    let words: Vec<&str> = said.split_whitespace().collect();
    let plain = said
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '\'' || c == '-');
    let a_thing = (1..=4).contains(&words.len()) && !words.iter().any(|w| NO_THING.contains(w));
    (adding && plain && a_thing).then(|| format!("add {said}"))
}

/// "get me a coffee, flat white", "a curry - the korma", "can i get a
/// burger? a double cheeseburger": a kind said, then at once which of it.
/// The line the kind became (the kitchen's choice of it, or the kind
/// itself), when the line after it is a dish of that kind; `None` else.
fn kind_then_dish(text: &str, items: &[ItemRequest]) -> Option<usize> {
    use crate::agents::catalog::{FOOD_KINDS, FOOD_SYNONYMS};
    let lower = text.to_lowercase();
    (0..items.len().saturating_sub(1)).find(|&i| {
        let (line, next) = (&items[i], &items[i + 1]);
        // The kind the line was said as: a kind itself ("curry"), or a
        // word of a kind the menus take for one dish ("coffee" for the
        // latte); never a dish by its own name ("kung pao chicken, sweet
        // and sour chicken" lists two).
        let kinds: Vec<&str> = (FOOD_KINDS.iter())
            .map(|(kind, _)| *kind)
            .filter(|kind| *kind == line.name)
            .chain(
                (FOOD_SYNONYMS.iter())
                    .filter(|(w, to)| *to == line.name || *w == line.name)
                    .map(|(w, _)| *w),
            )
            .filter(|kind| !kind.contains(' '))
            .collect();
        let of_it = (FOOD_KINDS.iter())
            .any(|(kind, dishes)| *kind == line.name && dishes.contains(&next.name.as_str()));
        // ("a burger, a cheeseburger and fries" lists two burgers: a comma
        // then "a" is a list.)
        let listed = |rest: &str| {
            let next = rest.split_whitespace().next().unwrap_or_default();
            matches!(next, "a" | "an" | "some" | "and" | "plus" | "also")
                || crate::reading::words::number(next).is_some()
        };
        // (The kind said before the dish it became: "one margherita and
        // one hawaiian pizza, to work" says "pizza" of the hawaiian.)
        let next_at = (next.name.split(' '))
            .filter(|w| !kinds.contains(w))
            .filter_map(|w| lower.find(w))
            .min()
            .unwrap_or(usize::MAX);
        let said_so = kinds.iter().any(|kind| {
            [",", " -", "?", "."].iter().any(|stop| {
                let said = format!("{kind}{stop}");
                (lower.match_indices(&said)).any(|(at, _)| {
                    at < next_at && (*stop != "," || !listed(&lower[at + said.len()..]))
                })
            })
        });
        line.quantity == 1
            && line.note.is_none()
            && line.name != next.name
            && said_so
            && (of_it || super::same_kind(&line.name, &next.name))
    })
}

/// "and a milkshake?", "what about a cappuccino", "how about the
/// eggs?", right after a price was asked: the price of that thing too,
/// said as "how much is a milkshake?" is. `None` unless the words are a
/// thing a catalog names and nothing more.
fn price_too(reading: &Reading, text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let said = lower.trim();
    let asks = said.ends_with('?');
    let said = said.trim_end_matches(['?', '.', '!', ' ']);
    let (lead, thing) = ["and what about ", "what about ", "how about ", "and "]
        .iter()
        .find_map(|lead| said.strip_prefix(lead).map(|rest| (*lead, rest)))?;
    // ("and some milk", said without a question: more of an order.)
    if *lead == *"and " && !asks {
        return None;
    }
    let plain = (1..=4).contains(&thing.split_whitespace().count())
        && thing
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '\'');
    (plain && reading.names_any_thing(thing)).then(|| format!("how much is {thing}?"))
}

/// "whats the cheapest option", "what's the cheapest ride?" of a command
/// with kinds to choose from (a ride's car): its cheapest kind, said as
/// "make it shared" is (the kind its spec calls the cheapest), never the
/// cheapest thing a shop sells.
fn cheapest_kind(registry: &DomainRegistry, text: &str, open: &OpenCommand) -> Option<String> {
    const GENERIC: &[&str] = &[
        "option", "options", "one", "ride", "car", "cab", "taxi", "way", "choice", "kind", "type",
    ];
    if !text.to_lowercase().contains("cheap") {
        return None;
    }
    let (_, spec) = registry.action(&open.action)?;
    let kind = (spec.slots.iter())
        .flat_map(|s| s.aliases.iter())
        .find_map(|(words, kind)| (words == "cheapest").then_some(kind))?;
    match acts::read(text) {
        Some(Act::Cheapest(what)) if GENERIC.contains(&what.as_str()) => {
            Some(format!("make it {kind}"))
        }
        _ => None,
    }
}

/// "actually i've got eggs already", "we have milk already": said as "i
/// already have eggs" is (a line the person needs no more). `None` for
/// anything else.
fn had_already(text: &str) -> Option<String> {
    const HAVE: &[&str] = &[
        "i've got ",
        "ive got ",
        "i have got ",
        "i got ",
        "i have ",
        "we've got ",
        "weve got ",
        "we have got ",
        "we have ",
        "got ",
    ];
    let lower = text.to_lowercase();
    let said = acts::without_courtesy(lower.trim()).trim_end_matches(['.', '!', ' ']);
    let said = said.strip_suffix(" already")?;
    let thing = HAVE.iter().find_map(|have| said.strip_prefix(have))?;
    let plain = (1..=4).contains(&thing.split_whitespace().count())
        && thing.chars().all(|c| c.is_alphabetic() || c == ' ');
    plain.then(|| format!("i already have {thing}"))
}

/// "actually make it 30 minutes", "can we do an hour instead", "change the
/// time to 45 mins from now", of a command with a time: that long from now,
/// said as "in 30 minutes" is. `None` for anything but a length of time.
fn from_now(registry: &DomainRegistry, text: &str, open: &OpenCommand) -> Option<String> {
    const LEADS: &[&str] = &[
        "no ",
        "make it ",
        "make that ",
        "change it to ",
        "change the time to ",
        "we do ",
        "we make it ",
        "do ",
        "let's do ",
        "lets do ",
        "let's say ",
        "lets say ",
        "say ",
    ];
    const TAILS: &[&str] = &[" instead", " please", " then", " from now", " time"];
    let timed = (registry.action(&open.action))
        .is_some_and(|(_, spec)| spec.slots.iter().any(|s| s.kind == SlotKind::Time));
    if !timed {
        return None;
    }
    let lower = text.to_lowercase();
    let mut said = lower.trim().trim_end_matches(['.', '!', '?', ' ']);
    loop {
        let before = said;
        said = acts::without_courtesy(said);
        said = LEADS
            .iter()
            .find_map(|l| said.strip_prefix(l))
            .unwrap_or(said);
        said = TAILS
            .iter()
            .find_map(|t| said.strip_suffix(t))
            .unwrap_or(said);
        said = said.trim_matches([',', ' ']);
        if said == before {
            break;
        }
    }
    crate::reading::when::is_a_length(said).then(|| format!("in {said}"))
}

/// "remove the onions", "take the pickles off", "ditch the mayo" at an
/// order of one line that they do not name, or "remove the onions from
/// the burger" at any order: what a line is made without, said as "no
/// onions (on the burger)" is. `None` for a line named, a thing the shop
/// sells, a request waiting after this one, or more than a couple of words
/// of a thing.
fn left_off_a_line(reading: &Reading, text: &str, session: &SessionState) -> Option<String> {
    const LEADS: &[&str] = &[
        "remove the ",
        "take off the ",
        "take out the ",
        "take the ",
        "leave out the ",
        "leave off the ",
        "leave the ",
        "get rid of the ",
        "drop the ",
        "ditch the ",
        "lose the ",
        "scratch the ",
        "skip the ",
        "nix the ",
        "cut the ",
    ];
    // ("take the order", "drop the whole thing": no thing of a line.)
    const NO_THING: &[&str] = &[
        "order",
        "rest",
        "lot",
        "whole",
        "everything",
        "it",
        "that",
        "them",
        "cab",
        "taxi",
        "ride",
        "car",
        "shopping",
        "groceries",
        "food",
    ];
    let open = session
        .open
        .as_ref()
        .filter(|_| session.queued.is_empty())?;
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let lower = text.to_lowercase();
    let said = acts::without_courtesy(lower.trim()).trim_end_matches(['.', '!', ' ']);
    let said = said.strip_suffix(" please").unwrap_or(said);
    let (lead, rest) = LEADS
        .iter()
        .find_map(|lead| said.strip_prefix(lead).map(|rest| (*lead, rest)))?;
    // "take the onions off", "leave the mayo out": the verb's end.
    let rest = match lead {
        "take the " | "leave the " => (rest.strip_suffix(" off"))
            .or_else(|| rest.strip_suffix(" out"))
            .or_else(|| rest.contains(" off the ").then_some(rest))?,
        _ => rest,
    };
    let names = |words: &str| {
        (words.split_whitespace()).any(|w| lines.iter().any(|l| super::names_line(l, w, &[])))
    };
    // "the onions from the burger", "the pickles off the cheeseburger".
    let (thing, on) = match [" from the ", " off the ", " on the ", " in the "]
        .iter()
        .find_map(|by| rest.split_once(by))
    {
        Some((thing, line)) if names(line) => (thing, Some(line)),
        Some(_) => return None,
        None if lines.len() == 1 => (rest, None),
        None => return None,
    };
    let words: Vec<&str> = thing.split_whitespace().collect();
    let plain = (1..=2).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().all(char::is_alphabetic) && !NO_THING.contains(w));
    // ("remove the fries" of a burger alone: the shop's fries, not on
    // the order, are no way of making the burger.)
    let sold = (reading.menu(&open.action)).is_some_and(|menu| menu.names(thing).is_some());
    if !plain || names(thing) || sold {
        return None;
    }
    Some(match on {
        Some(line) => format!("no {thing} on the {line}"),
        None => format!("no {thing}"),
    })
}

/// "add a tiramisu and remove one margherita", "one less margherita,
/// and add a tiramisu": changes to an order shown for a yes, said one
/// after the other, each its own clause. Each is heard and made in turn,
/// as if said alone; `None` unless there are two or more and each starts
/// as a change does. A list of things ("add a coke and a tiramisu") is
/// one change.
pub fn edits_one_by_one(text: &str, session: &SessionState) -> Option<Vec<String>> {
    const EDITS: &[&str] = &[
        "add",
        "remove",
        "take",
        "drop",
        "delete",
        "make",
        "change",
        "swap",
        "switch",
        "replace",
        "lose",
        "plus",
        "one less",
        "one more",
        "get rid",
        "double",
        "the same for",
        "same for",
        "the same again for",
        "same again for",
    ];
    const LEADS: &[&str] = &[
        "actually", "oh", "ok", "okay", "also", "and", "then", "please",
    ];
    // ("home and make it 2", asked where: the answer, then the change;
    // "cheeseburger and fries to home, actually make the burger a double",
    // with nothing open: the request, then the change.)
    let answer_first = match session.open.as_ref().map(|open| open.stage) {
        Some(errand_schemas::Stage::Confirming) => false,
        Some(errand_schemas::Stage::Asking) | None => true,
        Some(errand_schemas::Stage::Cancelling) => return None,
    };
    let starts_an_edit = |clause: &str| {
        let mut rest = clause.trim_start();
        while let Some(lead) = LEADS.iter().find(|lead| {
            rest.strip_prefix(**lead)
                .is_some_and(|after| after.starts_with([' ', ',']))
        }) {
            rest = rest[lead.len()..].trim_start_matches([' ', ',']);
        }
        EDITS.iter().any(|edit| {
            rest.strip_prefix(edit)
                .is_some_and(|after| after.is_empty() || after.starts_with(' '))
        })
    };
    let lower = text.to_lowercase();
    // ("a burger and fries, and the same for my friend, to home": where
    // it goes is the request's.)
    let lower = match (lower
        .find(", and the same for ")
        .or_else(|| lower.find(", the same for ")))
    .and_then(|at| Some((at, at + 2 + lower[at + 2..].find(", ")?)))
    {
        Some((at, tail)) => format!("{}{}{}", &lower[..at], &lower[tail..], &lower[at..tail]),
        None => lower,
    };
    let mut clauses: Vec<String> = Vec::new();
    let mut rest = lower.as_str();
    loop {
        // The next joint after which a change starts.
        let next = [
            ", and then ",
            ", and ",
            " and then ",
            " and ",
            ", then ",
            " then ",
            ", ",
            "; ",
        ]
        .iter()
        .flat_map(|joint| {
            rest.match_indices(joint)
                .map(move |(at, _)| (at, joint.len()))
        })
        .filter(|&(at, len)| starts_an_edit(&rest[at + len..]))
        .min();
        match next {
            Some((at, len)) => {
                clauses.push(rest[..at].trim().to_owned());
                rest = &rest[at + len..];
            }
            None => {
                clauses.push(rest.trim().to_owned());
                break;
            }
        }
    }
    let edits = clauses.iter().skip(usize::from(answer_first));
    (clauses.len() > 1 && edits.clone().all(|c| starts_an_edit(c))).then_some(clauses)
}

/// "change the milk to 2", "set eggs to 3": a line's new count, said as
/// "make the milk 2" is.
fn counted_to(text: &str, open: &OpenCommand) -> Option<String> {
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let w: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let ["change" | "set" | "update", rest @ ..] = w.as_slice() else {
        return None;
    };
    let [named @ .., "to", n] = rest else {
        return None;
    };
    let n = crate::reading::words::number(n)?;
    let named: Vec<&str> = (named.iter().copied())
        .filter(|x| !matches!(*x, "the" | "my"))
        .collect();
    let line = lines
        .iter()
        .find(|line| !named.is_empty() && named.iter().all(|x| super::names_line(line, x, &[])))?;
    Some(format!("make the {} {n}", line.name))
}

/// Whether the words point at the open order as what they go with ("can
/// I also get some rice with that", "add a coke to it", "and a side of
/// fries on the side"): a change to it, whatever shop sells the thing.
pub fn goes_with_the_open(text: &str) -> bool {
    the_order_named_at(text).is_some()
}

/// Where words end by naming the order under way as where a thing goes
/// ("some chips with that", "a lemonade to that order"): the byte at which
/// that naming starts.
fn the_order_named_at(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let lower = without_tail(&lower);
    [
        " with that",
        " with it",
        " with this",
        " to that",
        " to it",
        " to this",
        " to the order",
        " to my order",
        " to that order",
        " to this order",
        " to our order",
        " to the basket",
        " to my basket",
        " on the side",
        " on that",
        " on it",
    ]
    .iter()
    .find_map(|tail| lower.strip_suffix(tail).map(str::len))
    .or_else(|| order_of_a_kind_at(lower))
}

/// Words without the courtesy and punctuation they end with ("... to
/// that please", "... on it too?").
fn without_tail(lower: &str) -> &str {
    lower
        .trim_end_matches(['?', '.', '!', ' '])
        .trim_end_matches(" please")
        .trim_end_matches(" thanks")
        .trim_end_matches(" too")
        .trim_end_matches(" as well")
        .trim_end_matches(',')
}

/// "to my burger order", "on the pizza order", "onto our grocery order":
/// where the words end by naming an order by what is in it, the byte at
/// which that naming starts (of `lower`, lower case and trimmed).
fn order_of_a_kind_at(lower: &str) -> Option<usize> {
    let named = |rest: &str| {
        let words: Vec<&str> = rest.split_whitespace().collect();
        (3..=5).contains(&words.len())
            && matches!(words[0], "the" | "my" | "our" | "that" | "this")
            && matches!(words.last(), Some(&("order" | "basket")))
    };
    [" to ", " on ", " onto ", " into ", " in "]
        .iter()
        .flat_map(|by| lower.match_indices(by).map(move |(at, _)| (at, by.len())))
        .filter(|&(at, len)| named(&lower[at + len..]))
        .map(|(at, _)| at)
        .min()
}

/// "can we do 4 instead", "make the cab 9": another hour for a command
/// booked for a time, said as "make it 4 instead" is.
/// "two more people", "one more person is joining", "my colleague is
/// coming too", of a ride: the party so many more, said as a count ("we're
/// 3"). Without a count said before, the party was one.
fn more_people(text: &str, open: &OpenCommand) -> Option<String> {
    use crate::reading::words::{Words, number};
    if !open.slots.contains_key("destination") {
        return None;
    }
    let words = Words::new(text);
    let w = words.norm();
    let counted = (0..w.len().saturating_sub(2)).find_map(|i| {
        let n = match w[i].as_str() {
            "a" | "an" | "one" => 1,
            word => number(word)?,
        };
        (w[i + 1] == "more"
            && matches!(
                w[i + 2].as_str(),
                "people" | "person" | "passengers" | "passenger" | "of" | "adults" | "kids"
            ))
        .then_some(n)
    });
    let joined = || {
        let said = w.join(" ");
        let comes = [
            "coming too",
            "coming as well",
            "coming with me",
            "coming with us",
            "joining us",
            "joining me",
            "is joining",
            "are joining",
            "is coming",
            "tagging along",
        ]
        .iter()
        .any(|p| said.contains(p));
        // ("my wife and my son are coming too": two.)
        comes.then(|| if said.contains(" and ") { 2 } else { 1 })
    };
    let more = counted.or_else(joined)?;
    let now = open
        .slots
        .get("seats")
        .and_then(SlotValue::as_number)
        .unwrap_or(1);
    Some(format!("we're {}", now + more))
}

/// "oh and I have 3 big suitcases" at a ride's confirmation: its bags, so
/// a car too small for them is changed ("with 3 large bags").
fn more_bags(text: &str, open: &OpenCommand) -> Option<String> {
    if !open.slots.contains_key("destination") {
        return None;
    }
    let words = crate::reading::words::Words::new(text);
    // ("there's 5 of us and one bag": the people too.)
    let said = crate::reading::seats(&words, &[]).filter(|n| *n > 1);
    let people = said.or_else(|| open.slots.get("seats").and_then(SlotValue::as_number));
    let bags = crate::reading::bags(&words, people)?;
    Some(match said {
        Some(people) => format!("for {people} people with {bags} large bags"),
        None => format!("with {bags} large bags"),
    })
}

fn another_hour(text: &str, open: &OpenCommand) -> Option<String> {
    use crate::reading::words::{Words, number};
    if open.slots.contains_key("item") || !open.slots.contains_key("pickup_at") {
        return None;
    }
    let words = Words::new(text);
    let w: Vec<&str> = (words.norm().iter().map(String::as_str))
        .filter(|x| !matches!(*x, "please" | "instead" | "then" | "actually" | "oh" | "ok"))
        .collect();
    let said = match w.as_slice() {
        ["can" | "could", "we", "do" | "make" | "say", said @ ..]
        | ["lets" | "let's", "do" | "say", said @ ..]
        | ["do" | "say", said @ ..]
        | [
            "change" | "move",
            "the" | "my",
            "time" | "pickup",
            "to",
            said @ ..,
        ]
        | ["change" | "move" | "push", "it", "to", said @ ..]
        | [
            "can" | "could",
            "you",
            "change" | "move" | "push",
            "it",
            "to",
            said @ ..,
        ]
        | [
            "can" | "could",
            "you",
            "change" | "move",
            "the" | "it",
            "time",
            "to",
            said @ ..,
        ]
        | [
            "make",
            "the",
            "cab" | "taxi" | "ride" | "car" | "pickup" | "time",
            said @ ..,
        ] => said,
        ["make", "it" | "that", rest @ ..]
            if matches!(rest.first(), Some(&("half" | "quarter"))) =>
        {
            rest
        }
        _ => return None,
    };
    let is_hour = |hour: &str| {
        let clock = hour.trim_end_matches("am").trim_end_matches("pm");
        let plain = clock.parse::<u32>().ok().or_else(|| number(clock));
        plain.is_some_and(|h| (1..=12).contains(&h))
            || clock.split_once(':').is_some_and(|(h, m)| {
                h.parse::<u32>().is_ok_and(|h| h <= 23) && m.parse::<u32>().is_ok_and(|m| m < 60)
            })
    };
    // "4", "5:30", "half 5", "quarter past 6", "quarter to 7".
    let time = match said {
        [hour] if is_hour(hour) => hour.to_string(),
        ["half", hour] if is_hour(hour) => format!("half {hour}"),
        ["half", "past", hour] | ["quarter", "past" | "to", hour] if is_hour(hour) => {
            said.join(" ")
        }
        _ => return None,
    };
    // (An hour alone is read as one; "half 5" after "at".)
    match said {
        [_] => Some(format!("make it {time} instead")),
        _ => Some(format!("make it at {time} instead")),
    }
}

/// "gatwick not heathrow", "not heathrow, gatwick", "to work, not
/// home": what is said instead of what it is not, said alone.
fn not_that(reading: &Reading, text: &str) -> Option<String> {
    // ASCII case only, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase();
    let trimmed = lower.trim_start();
    let said = match trimmed.strip_prefix("not ") {
        // "not heathrow, gatwick".
        Some(rest) => {
            let comma = rest.find(',')?;
            let start = text.len() - rest.len() + comma + 1;
            (rest[..comma].split_whitespace().count() <= 3).then(|| text[start..].trim())?
        }
        None => {
            let at = lower.find(", not ").or_else(|| lower.find(" not "))?;
            // "no wait, not the milk": only the taking back is said.
            let before = lower[..at].split(|c: char| !c.is_alphanumeric());
            if before.clone().any(|w| !w.is_empty())
                && before.filter(|w| !w.is_empty()).all(|w| {
                    matches!(
                        w,
                        "no" | "nope" | "nah" | "wait" | "actually" | "oh" | "sorry" | "hmm"
                    )
                })
            {
                let rest = text[at..].trim_start_matches([',', ' ']);
                return not_that(reading, rest).or_else(|| Some(rest.to_owned()));
            }
            let not = &lower[at..].trim_start_matches(',').trim_start()["not ".len()..];
            let not = not.trim_end_matches(['.', '!', '?']);
            // "gatwick not heathrow", never "i do not want it".
            let short = not.split_whitespace().count() <= 3;
            // (Or an hour: "make the cab 9 not 8".)
            let hour =
                crate::reading::words::number(not.trim_end_matches("am").trim_end_matches("pm"))
                    .is_some();
            (short
                && (hour
                    || reading.places(not).iter().any(|m| m.known)
                    || reading.names_any_thing(not)))
            .then(|| text[..at].trim())?
        }
    };
    (!said.is_empty()).then(|| said.to_owned())
}

/// "make the burger a double", "make it a large", "can the latte be
/// decaf": a line made into another dish of its kind ("change the
/// cheeseburger to double cheeseburger") or given a size ("1 large latte").
fn made_into(reading: &Reading, text: &str, open: &OpenCommand) -> Option<String> {
    use crate::reading::words::{Words, number};
    const SIZES: &[&str] = &[
        "large", "small", "medium", "regular", "big", "grande", "tall",
    ];
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = Words::new(text);
    let w: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let w: Vec<&str> = w
        .into_iter()
        .skip_while(|x| {
            matches!(
                *x,
                "can" | "could" | "you" | "please" | "actually" | "oh" | "and" | "ok"
            )
        })
        .filter(|x| !matches!(*x, "please" | "thanks" | "instead"))
        .collect();
    // "make <what> (a) <into>", "can <what> be (a) <into>", "change <what>
    // to (a) <into>".
    let (what, into) = match w.as_slice() {
        // "make that chicken", "make them chicken ones".
        ["make", what @ ("it" | "that" | "them" | "those"), rest @ ..]
            if rest.first().is_some_and(|x| !matches!(*x, "a" | "an")) =>
        {
            (std::slice::from_ref(what), rest)
        }
        ["make", rest @ ..] => {
            let at = rest.iter().position(|x| matches!(*x, "a" | "an"))?;
            (&rest[..at], &rest[at + 1..])
        }
        ["change" | "switch" | "turn", rest @ ..] => {
            let at = rest.iter().position(|x| matches!(*x, "to" | "into"))?;
            let into = &rest[at + 1..];
            let into = leading_article_off(into);
            (&rest[..at], into)
        }
        rest if rest.contains(&"be") => {
            let be = rest.iter().position(|x| *x == "be")?;
            let into = &rest[be + 1..];
            let into = leading_article_off(into);
            (&rest[..be], into)
        }
        _ => return None,
    };
    // "make it a beef one": the one is the line.
    let into = (into.strip_suffix(&["one"]))
        .or(into.strip_suffix(&["ones"]))
        .unwrap_or(into);
    // ("a double" is a dish, not two.)
    let amount = |x: &str| {
        number(x).is_some() && !matches!(x, "double" | "triple" | "single")
            || matches!(x, "dozen" | "couple" | "pair" | "half" | "few")
            || amounts::is_unit(x)
    };
    if into.is_empty() || into.len() > 2 || into.iter().any(|x| amount(x)) {
        return None;
    }
    let what: Vec<&str> = what
        .iter()
        .copied()
        .filter(|x| !matches!(*x, "the" | "my"))
        .collect();
    // A line by its words as said, or as priced ("the cheeseburger" of a
    // burger asked for).
    let priced = (open.summary.as_ref())
        .map(|s| s.items.as_slice())
        .filter(|items| items.len() == lines.len())
        .unwrap_or_default();
    let line = match (what.as_slice(), lines) {
        (["it"] | ["that"] | ["them"] | ["those"], [one]) => one,
        (named, _) if !named.is_empty() => {
            let by_name =
                |line: &ItemRequest| named.iter().any(|x| super::names_line(line, x, &[]));
            let as_priced = |k: usize| {
                priced
                    .get(k)
                    .is_some_and(|p| by_name(&ItemRequest::new(p.name.clone(), p.quantity)))
            };
            (0..lines.len())
                .find(|&k| by_name(&lines[k]) || as_priced(k))
                .map(|k| &lines[k])?
        }
        _ => return None,
    };
    // The line by its menu name ("cheeseburger", not "burger").
    let named = (lines.iter().position(|l| std::ptr::eq(l, line)))
        .and_then(|k| priced.get(k))
        .map_or(line.name.as_str(), |p| p.name.as_str());
    // "change the large pizza to a small pizza": the thing named again
    // after its size is the line.
    let head = crate::agents::item_key(named);
    let head = head.rsplit(' ').next().unwrap_or_default();
    let into = match into.split_last() {
        Some((last, rest)) if !rest.is_empty() && crate::agents::item_key(last) == head => rest,
        _ => into,
    };
    let into = into.join(" ");
    // A thing of its own ("make that a margherita") is read as said; a
    // word another shop sells ("beef") is no thing of this order's own.
    let own = (reading.menu(&open.action)).is_some_and(|menu| menu.names(&into).is_some());
    if own
        || reading.names_any_thing(&into) && !reading.says_a_word_of_the_menu(&into, &open.action)
    {
        return None;
    }
    let last = crate::agents::item_key(named);
    let last = last.rsplit(' ').next()?;
    let dish = format!("{into} {last}");
    // A size or kind of it ("large", "hot", "decaf") is its note.
    if (into.split(' ')).all(|x| SIZES.contains(&x) || amounts::is_size(x)) {
        return Some(format!("{} {into} {}", line.quantity, line.name));
    }
    // "a double" of a drink no menu has a double of: a double espresso,
    // its note.
    if matches!(into.as_str(), "double" | "triple" | "single") && !reading.is_a_name(&dish) {
        return Some(format!("{} {into} {}", line.quantity, line.name));
    }
    // A kind the menu has of another dish ("beef" of the beef taco) is
    // asked for as said, for the shop to say whether it has it.
    (reading.is_a_name(&dish) || reading.says_a_word_of_the_menu(&into, &open.action))
        .then(|| format!("change the {} to {dish}", line.name))
}

/// `said` without its article ("a double" is "double").
fn leading_article_off<'a, 'b>(said: &'a [&'b str]) -> &'a [&'b str] {
    (said.strip_prefix(&["a"]))
        .or(said.strip_prefix(&["an"]))
        .unwrap_or(said)
}

/// "add a milkshake and make the burger a double": the clause that makes
/// a line into another, rewritten as [`made_into`] does, the rest kept.
fn made_into_in_a_clause(reading: &Reading, text: &str, open: &OpenCommand) -> Option<String> {
    let clauses: Vec<&str> = text.split(" and ").collect();
    if clauses.len() < 2 {
        return None;
    }
    let mut changed = false;
    let rewritten: Vec<String> = clauses
        .iter()
        .map(|clause| match made_into(reading, clause, open) {
            Some(made) => {
                changed = true;
                made
            }
            None => (*clause).to_owned(),
        })
        .collect();
    changed.then(|| rewritten.join(" and "))
}

/// The extra said to an open order of several lines that names none of
/// them ("no onions please" at a burger and fries): which is asked.
pub fn extra_for_no_line(text: &str, open: &OpenCommand) -> Option<String> {
    let extra = Extra::said(text)?;
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    (lines.len() > 1
        && !lines
            .iter()
            .any(|line| extra.names(line) || extra.takes_off(line)))
    .then(|| extra.note())
}

/// How every line of an order of several is to be made: "make them both
/// large", "all large please", "extra cheese on both", "large for all of
/// them". The note, or `None` when the words say it of no line in
/// particular (or name one).
pub fn extra_for_every_line(text: &str, open: &OpenCommand) -> Option<String> {
    const EVERY: &[&str] = &["both", "all", "each", "every", "everything"];
    const AROUND: &[&str] = &[
        "make",
        "them",
        "both",
        "all",
        "each",
        "every",
        "everything",
        "of",
        "please",
        "for",
        "on",
        "it",
        "can",
        "could",
        "you",
        "i",
        "have",
        "actually",
        "oh",
        "and",
        "the",
        "ones",
        "be",
        "should",
        "to",
        "want",
        "like",
        "id",
        "we",
        "thanks",
    ];
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    if lines.len() < 2 {
        return None;
    }
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    // ("make the pizzas large", of two pizzas and nothing else: every
    // line, by the word each is.)
    let all_of_them =
        |x: &String| x.ends_with('s') && lines.iter().all(|line| super::names_line(line, x, &[]));
    if !w
        .iter()
        .any(|x| EVERY.contains(&x.as_str()) || all_of_them(x))
        || w.iter()
            .any(|x| !all_of_them(x) && lines.iter().any(|line| super::names_line(line, x, &[])))
    {
        return None;
    }
    if let Some(extra) = Extra::said(text) {
        return Some(extra.note());
    }
    let rest: Vec<&str> = (w.iter())
        .filter(|x| !AROUND.contains(&x.as_str()) && !all_of_them(x))
        .map(String::as_str)
        .collect();
    amounts::sizes_only(rest.iter().copied()).then(|| rest.join(" "))
}

/// How a line is to be made, said on its own ("extra cheese on that
/// please"): the words, and where the extra starts and ends in them.
struct Extra {
    words: crate::reading::words::Words,
    start: usize,
    end: usize,
}

impl Extra {
    fn said(text: &str) -> Option<Self> {
        const LEADS: &[&str] = &[
            "oh", "and", "also", "actually", "sorry", "ok", "okay", "please", "but", "can",
            "could", "i", "id", "we", "get", "have", "make", "it", "you", "do", "like", "want",
            "put", "add", "just",
        ];
        let words = crate::reading::words::Words::new(text);
        let w = words.norm();
        let start = w.iter().position(|x| !LEADS.contains(&x.as_str()))?;
        let next = w.get(start + 1).map_or("", String::as_str);
        // ("mild please", "make it extra hot": a size or spice alone.)
        let sizes_alone = crate::reading::amounts::sizes_only(
            (w[start..].iter())
                .map(String::as_str)
                .take_while(|x| !matches!(*x, "please" | "thanks" | "on" | "for")),
        );
        let opens = match w[start].as_str() {
            "no" | "without" | "extra" => true,
            x if crate::reading::amounts::is_size(x) => sizes_alone,
            "with" => !matches!(next, "me" | "us" | "it" | "that" | "my" | "your" | "the"),
            "hold" | "easy" | "light" => matches!(next, "the" | "on"),
            _ => false,
        };
        // "no, to work", "no thanks", "no wait": no extra.
        let not_an_extra = matches!(
            next,
            "to" | "from"
                | "at"
                | "thanks"
                | "thank"
                | "i"
                | "it"
                | "that"
                | "wait"
                | "sorry"
                | "actually"
                | "not"
                | "need"
                | "problem"
                | "worries"
                | "way"
                | "more"
                | "longer"
                | "one"
                | "thats"
                | "change"
                | "cancel"
                | "make"
                | "just"
                | "let's"
                | "lets"
                | "can"
                | "could"
                | "send"
                | "switch"
                | "swap"
                | "forget"
                | "scratch"
                | "instead"
        ) || words.text[..words.words.get(start + 1)?.start].contains(',');
        if !opens || not_an_extra {
            return None;
        }
        // It ends where what it is on, or a please, begins ("extra cheese
        // on that please", "no onions on the burger").
        let words_at = &words.words;
        let end = (start + 1..w.len())
            .find(|&i| {
                // A comma ends it too ("no eggs, and add some juice"),
                // unless another extra follows ("no onions, extra cheese").
                words.text[words_at[i - 1].end..words_at[i].start].contains([',', '.', ';'])
                    && !matches!(w[i].as_str(), "no" | "without" | "extra" | "with" | "hold")
                    || matches!(w[i].as_str(), "please" | "thanks" | "thank" | "cheers")
                    || (matches!(w[i].as_str(), "on" | "to" | "for")
                        && w.get(i + 1).is_some_and(|x| {
                            matches!(
                                x.as_str(),
                                "that"
                                    | "it"
                                    | "them"
                                    | "those"
                                    | "the"
                                    | "this"
                                    | "my"
                                    | "both"
                                    | "all"
                            )
                        }))
            })
            .unwrap_or(w.len());
        Some(Self { words, start, end })
    }

    fn note(&self) -> String {
        self.words.span(self.start, self.end).to_owned()
    }

    /// What a clause after the extra adds ("no eggs, and add some fries":
    /// "some fries"), when it adds something.
    fn then_added(&self) -> Option<&str> {
        let at = self.words.words.get(self.end)?.start;
        let mut rest = self.words.text[at..].trim();
        while let Some(r) = [
            "and ",
            "also ",
            "plus ",
            "then ",
            "can you ",
            "could you ",
            "please ",
        ]
        .iter()
        .find_map(|lead| rest.strip_prefix(lead))
        {
            rest = r.trim_start();
        }
        let first = rest.split(' ').next().unwrap_or_default();
        match first {
            "add" | "throw" => rest
                .split_once(' ')
                .map(|(_, r)| r.trim_start_matches("in ")),
            "a" | "an" | "some" => Some(rest),
            _ if crate::reading::words::number(first).is_some() => Some(rest),
            _ => None,
        }
        .map(|r| r.trim_end_matches(['.', '!', ' ']))
        .filter(|r| !r.is_empty())
    }

    /// Whether the words around the extra name `line` ("no onions on the
    /// burger").
    fn names(&self, line: &ItemRequest) -> bool {
        self.naming(line) > 0
    }

    /// How many of the words around the extra name `line` ("the pepperoni
    /// pizza": two of the pepperoni pizza, one of the margherita pizza).
    fn naming(&self, line: &ItemRequest) -> usize {
        let w = self.words.norm();
        (w[self.end..].iter().chain(&w[..self.start]))
            .filter(|x| super::names_line(line, x, &[]))
            .count()
    }

    /// Whether the extra's own words name `line` ("no burger", "without
    /// the fries"): a line taken off, no extra.
    fn takes_off(&self, line: &ItemRequest) -> bool {
        let w = self.words.norm();
        w[self.start + 1..self.end]
            .iter()
            .any(|x| super::names_line(line, x, &[]))
    }
}

/// `text` without the article it starts with.
fn without_article(text: &str) -> &str {
    ["a ", "an ", "the ", "A ", "An ", "The "]
        .iter()
        .find_map(|article| text.strip_prefix(article))
        .unwrap_or(text)
}

/// What a reader heard of things to buy, kept when the request goes to
/// another shop (so "wine" is refused by name, never dropped).
fn things_only(slots: &SlotMap) -> SlotMap {
    slots
        .iter()
        .filter(|(_, v)| matches!(v, SlotValue::Items(_)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The command the words of `prepared` may change: the open one, or right
/// after one was offered and not placed, that one ("no", then "make it
/// 7am"), or right after an order, the one just placed ("make it two").
pub fn target(
    reading: &Reading,
    prepared: &Prepared,
    session: &SessionState,
) -> Option<OpenCommand> {
    session.open.clone().or_else(|| {
        let request = prepared.request.as_deref()?;
        // A change, or the last order again with something changed ("the
        // same again but to work"), is read against what it changes; so is
        // a place alone after a price asked ("how much is a cab to
        // heathrow?", then "from home").
        let change = acts::is_change(request)
            || matches!(prepared.act, Some(Act::Instead(_)))
            || (session.offered.is_some() && place_alone(reading, request));
        if !change {
            return super::orders_again(request)
                .then(|| session.placed.last().map(super::reopened))
                .flatten();
        }
        (session.refused.clone())
            .or_else(|| session.offered.clone())
            .or_else(|| super::placed_named(session, request).map(super::reopened))
    })
}

/// Hears `text` in `session` offline: errand's own reading and the offline
/// reader `nlu`, as the reasoner does without an LLM.
pub fn offline(
    reading: &Reading,
    registry: &DomainRegistry,
    nlu: &dyn Understand,
    text: &str,
    session: &SessionState,
    now_ms: u64,
) -> Heard {
    let held = held_on(text);
    let text = held.as_deref().unwrap_or(text);
    let wrong = wrong_one(text);
    let text = wrong.as_deref().unwrap_or(text);
    let counted = counted_after_all(text);
    let text = counted.as_deref().unwrap_or(text);
    let same = same_place(text, session);
    let text = same.as_deref().unwrap_or(text);
    // "the hawaiian", asked which pizza "change the pizza to a pepperoni"
    // meant: that change, of the hawaiian pizza.
    let which = session
        .open
        .as_ref()
        .and_then(|open| which_answered(text, session, open));
    let text = which.as_deref().unwrap_or(text);
    // "swap the white bread for brown": brown bread.
    let kind = session.open.as_ref().and_then(|_| kind_swapped_alone(text));
    let text = kind.as_deref().unwrap_or(text);
    // "no, make it a large", at an order: the change, as if said alone.
    let changed = session.open.as_ref().and_then(|_| no_then_a_change(text));
    let text = changed.as_deref().unwrap_or(text);
    // "the second one", right after a menu was shown: that dish.
    let picked = picked_from_menu(text, &session.menu_shown, session.open.is_some());
    let text = picked.as_deref().unwrap_or(text);
    // "the same for my friend", at an order: every line twice.
    let same = session.open.as_ref().and_then(|_| same_for_another(text));
    let text = same.as_deref().unwrap_or(text);
    let back_asked_for = back_changed(reading, text, session, now_ms)
        .or_else(|| (session.open.as_ref()).and_then(|open| way_back(reading, text, open, now_ms)));
    // "can I add a lemonade to that order": the order is no place.
    // (With an order open, `goes_with_the_open` reads it.)
    let onto = (session.open.is_none() && !session.placed.is_empty())
        .then(|| onto_the_order(text))
        .flatten();
    let text = onto.unwrap_or(text);
    // "add a coke to my burger order", "put a lemonade on the pizza
    // order", at an order: more of it, never another burger.
    let onto_kind = session
        .open
        .as_ref()
        .and_then(|_| onto_the_order_of_a_kind(text));
    let text = onto_kind.as_deref().unwrap_or(text);
    // What a ride under way must carry, as first said (before any reading
    // below): "i have a pram".
    let carried = (session.open.as_ref())
        .filter(|open| open.slots.contains_key("destination"))
        .and_then(|_| crate::reading::instructions::carried_alone(text));
    // ("add one of those too", asked the price of a thing at an order's
    // confirmation: that thing added to it.)
    let adds = |text: &str| {
        let lower = text.to_lowercase();
        lower.starts_with("add ")
            || lower.contains(" add ")
            || lower
                .trim_end_matches(['.', '!', '?', ' '])
                .ends_with(" too")
            || lower.contains(" as well")
            || lower.contains("also")
    };
    let followed = (session.asked_about.as_deref())
        .filter(|_| session.open.is_none() || adds(text))
        .and_then(|thing| follow_up(reading, text, thing));
    let text = followed.as_deref().unwrap_or(text);
    // ("and a milkshake?", "what about a cappuccino", asked the price of
    // fries: the milkshake's price asked too.)
    let priced_too = (session.asked_about.as_ref())
        .filter(|_| session.open.is_none())
        .and_then(|_| price_too(reading, text));
    let text = priced_too.as_deref().unwrap_or(text);
    // "actually i dont want salmon, get chicken breast", "no salmon
    // actually, chicken breast instead": a line swapped, the rest kept.
    let swapped_line = session
        .open
        .as_ref()
        .and_then(|open| refused_then(text, open));
    let text = swapped_line.as_deref().unwrap_or(text);
    // "and some milk too", "rice as well" at an order: said as "add".
    let added = session.open.as_ref().and_then(|_| added_alone(text));
    let text = added.as_deref().unwrap_or(text);
    let cheapest = (session.open.as_ref()).and_then(|open| cheapest_kind(registry, text, open));
    let text = cheapest.as_deref().unwrap_or(text);
    // ("i dont want eggs anymore": no eggs, now.)
    let text = match &session.open {
        Some(_) => (text.trim_end_matches(['.', '!', ' ']))
            .strip_suffix(" anymore")
            .or_else(|| {
                text.trim_end_matches(['.', '!', ' '])
                    .strip_suffix(" any more")
            })
            .unwrap_or(text),
        None => text,
    };
    let had = session.open.as_ref().and_then(|_| had_already(text));
    let text = had.as_deref().unwrap_or(text);
    let left_off = left_off_a_line(reading, text, session);
    let text = left_off.as_deref().unwrap_or(text);
    let later = (session.open.as_ref()).and_then(|open| from_now(registry, text, open));
    let text = later.as_deref().unwrap_or(text);
    // "never mind the curry just the naan", asked what instead of a
    // thing no kitchen has: only the naan.
    let refused = (session.open.as_ref())
        .filter(|open| open.stage == errand_schemas::Stage::Asking)
        .filter(|open| open.missing.iter().any(|m| m == "item"))
        .and_then(|open| open.slots.get("item").and_then(SlotValue::as_items))
        .filter(|lines| lines.len() > 1)
        .and_then(|lines| nothing_instead(text, lines));
    let text = refused.as_deref().unwrap_or(text);
    // "yes but no onions": what follows the yes is the change, read as if
    // said alone.
    let but = session.open.as_ref().and_then(|_| but_then(text));
    let text = but.as_deref().unwrap_or(text);
    let cheapest = super::answers::cheapest_ordered(text, registry);
    let text = cheapest.as_deref().unwrap_or(text);
    // "cancel the cab and book one for 10 instead": the booking moved.
    let moved = rebooked(reading, text, session);
    let text = moved.as_deref().unwrap_or(text);
    let one_line = cancels_a_line(text, session);
    let text = one_line.as_deref().unwrap_or(text);
    let waiting_only = only_the_waiting(text, session);
    let text = waiting_only.as_deref().unwrap_or(text);
    // "book me one back at 6" after a ride: the ride back.
    let back = ride_back(text, session);
    let text = back.as_ref().map_or(text, |(back, _)| back.as_str());
    // ("make it a large" of the order just placed: a change of it.)
    let placed = (session.open.is_none())
        .then(|| super::placed_named(session, text).filter(|_| acts::is_change(text)))
        .flatten();
    // "change the 8am one to 7am": the ride named by its time is "it",
    // and the time left is the new one.
    let retimed = placed.and_then(|placed| super::its_time_as_it(text, placed));
    let text = retimed.as_deref().unwrap_or(text);
    let changing = (session.open.clone()).or_else(|| {
        let placed = placed?;
        if super::another_ride(text, placed) {
            return None;
        }
        // (With its priced lines: "the cheeseburger" of a burger asked for.)
        let mut open = super::reopened(placed);
        open.summary = placed.summary.clone();
        Some(open)
    });
    // "make the hawaiian medium too": a change of it like the one before,
    // never one more of it.
    let like_before = changing.as_ref().and_then(|_| {
        let lower = text.trim_end_matches(['.', '!']).to_lowercase();
        let changes = ["make ", "change ", "switch "]
            .iter()
            .any(|lead| lower.starts_with(lead));
        let rest = lower
            .strip_suffix(" too")
            .or_else(|| lower.strip_suffix(" as well"))?;
        // ("make it another burger as well": one more, as said.)
        let more = (rest.split_whitespace()).any(|w| matches!(w, "another" | "more" | "extra"));
        (changes && !more).then(|| rest.to_owned())
    });
    let text = like_before.as_deref().unwrap_or(text);
    let noted = changing.as_ref().and_then(|open| {
        // "make the cab 9 not 8": what is said instead, read on.
        let corrected = not_that(reading, text);
        let said = corrected.as_deref().unwrap_or(text);
        each_made_so(said, open)
            .or_else(|| one_of_the_line(said, open))
            .or_else(|| those_of_the_line(said, open))
            .or_else(|| extras_for(said, open))
            .or_else(|| made_into(reading, said, open))
            .or_else(|| made_into_in_a_clause(reading, said, open))
            .or_else(|| sized(said, open))
            .or_else(|| counted_to(said, open))
            .or_else(|| another_hour(said, open))
            .or_else(|| more_people(said, open))
            .or_else(|| more_bags(said, open))
            .or(corrected.clone())
    });
    // (Of an order placed, the words made a change so they stay one.)
    let noted = match noted {
        Some(made) if session.open.is_none() && !acts::is_change(&made) => {
            Some(format!("{made} instead"))
        }
        noted => noted,
    };
    let text = noted.as_deref().unwrap_or(text);
    // "cancel the water, keep the pad thai": what is kept asks nothing.
    let lower = text.to_ascii_lowercase();
    let text = match lower.starts_with("cancel ") || lower.starts_with("please cancel ") {
        true => super::without_kept(text),
        false => text,
    };
    // "a latte to work, leave it with reception": what the courier is
    // told, no thing nor place (the words kept when nothing else is said).
    // ("i have a pram" at a ride's confirmation: the driver is told.)
    let told = crate::reading::instructions::said(text)
        .or_else(|| Some((String::new(), carried.clone()?)));
    let text = match &told {
        Some((kept, _)) if !kept.trim().is_empty() => kept.as_str(),
        _ => text,
    };
    // "coffee, and if there's no coffee get tea": the tea no order of its
    // own, but the coffee's second choice.
    let backup = crate::reading::backups::said(text);
    let text = backup.as_ref().map_or(text, |(kept, _)| kept.as_str());
    let prepared = prepare(reading, text);
    let target = target(reading, &prepared, session);
    let parse = match &prepared.request {
        Some(request) => nlu.parse(request, &context(target.as_ref())),
        None => Parse::out_of_scope(),
    };
    let action = parse.intent.as_str().to_owned();
    let mut heard = finish(
        reading,
        registry,
        prepared,
        parse,
        action,
        None,
        target.as_ref(),
        Some(nlu),
        now_ms,
    );
    heard.way_back = back_asked_for;
    // How a line is made changes that line.
    heard.change |= noted.is_some();
    // "a coffee, flat white": the coffee is the flat white.
    if let Some(SlotValue::Items(items)) = heard.parse.slots.get_mut("item")
        && let Some(at) = kind_then_dish(text, items)
    {
        items.remove(at);
    }
    // "2 cabs from home to work": one car booked at a time, the next
    // asked for after it, the same (never one car for two).
    let cars = cars_asked(text);
    // (Unless each is said: "2 cabs, one from home and one from work".)
    if session.open.is_none()
        && heard.action == RIDE
        && heard.more.is_empty()
        && (2..=4).contains(&cars)
    {
        let next = Queued {
            action: RIDE.into(),
            slots: heard.parse.slots.clone(),
        };
        for _ in 1..cars {
            heard.more.insert(0, next.clone());
        }
    }
    // "a return taxi from home to work", "a round trip to the airport":
    // the ride back comes next, when asked.
    if session.open.is_none() && heard.action == RIDE && heard.more.is_empty() && return_asked(text)
    {
        let back = SlotMap::from([(RETURN_OF.to_owned(), SlotValue::Text(String::new()))]);
        heard.more.push(Queued {
            action: RIDE.into(),
            slots: back,
        });
    }
    // "can we get two cars" of a ride: one car is booked at a time, so
    // the people in this one are asked (never "for 2").
    if let Some(open) = &session.open
        && open.slots.contains_key("destination")
        && cars_asked(text) > 1
    {
        heard.for_open = SlotMap::new();
        heard.parse.answer = SlotMap::new();
        heard.action = crate::nlu::Intent::OutOfScope.as_str().to_owned();
        heard.reply = Some(
            "I book one car at a time, and you can book the next one straight after: how \
             many people are in this one?"
                .into(),
        );
    }
    // "the usual", "same as last time" with nothing ordered before: said
    // so, rather than "I can't help with that".
    if !heard.in_scope()
        && heard.reply.is_none()
        && session.open.is_none()
        && session.placed.is_empty()
        && super::orders_again(text)
    {
        heard.reply = Some(
            "I don't have an earlier order of yours to repeat: tell me what you'd like, \
             for example \"a cheeseburger to home\"."
                .into(),
        );
    }
    if let Some((kept, said)) = &told {
        let takes = |action: &str| {
            (registry.action(action)).is_some_and(|(_, spec)| spec.slot("instructions").is_some())
        };
        // ("i have a pram" at a ride: the ride's, whatever else was heard.)
        let of_the_ride = kept.is_empty()
            && carried.as_deref() == Some(said.as_str())
            && session
                .open
                .as_ref()
                .is_some_and(|open| takes(&open.action));
        let said = SlotValue::Text(said.clone());
        if of_the_ride {
            heard.for_open.insert("instructions".into(), said);
            heard.change = true;
        } else if heard.in_scope() && takes(&heard.action) {
            // (Of the order under way: a change of it.)
            if session
                .open
                .as_ref()
                .is_some_and(|open| open.action == heard.action)
            {
                heard.for_open.insert("instructions".into(), said.clone());
                heard.change = true;
            }
            heard.parse.slots.insert("instructions".into(), said);
        } else if let Some(open) = &session.open
            && takes(&open.action)
        {
            // Said alone at an open order: a change of it.
            heard.for_open.insert("instructions".into(), said);
            if kept.trim().is_empty() || !heard.in_scope() {
                heard.change = true;
            }
            // ("tell the driver i'm at the o2": where the driver finds
            // them, no new place of the ride.)
            if kept.trim().is_empty()
                && let Some((_, spec)) = registry.action(&open.action)
            {
                for place in spec.places() {
                    heard.for_open.remove(place);
                }
            }
        } else if !heard.in_scope()
            && heard.reply.is_none()
            && let Some(placed) = session.placed.last()
        {
            // Said after the order went: honestly, too late to pass on.
            let to = match placed.slots.contains_key("destination") {
                true => "driver",
                false => "courier",
            };
            heard.reply = Some(format!(
                "That order is already placed, so I can't pass a message to the {to} now. \
                 Next time, say it with the order and I'll put it in."
            ));
        }
    }
    if let Some((_, backup)) = &backup {
        let is_thing = |text: &str| reading.is_a_name(text);
        if !backup.attach(&mut heard.parse.slots, is_thing) {
            backup.attach(&mut heard.for_open, is_thing);
        }
    }
    // ("8pm", answering when the ride back of a ride booked for tomorrow
    // leaves: tomorrow's, after the ride there.)
    if let Some(there) = session
        .open
        .as_ref()
        .and_then(|open| ride_there(session, open))
        && let Some(SlotValue::Text(when)) = heard.for_open.get("pickup_at")
        && let Some(later) = reading.days_after(when, &there)
    {
        heard
            .for_open
            .insert("pickup_at".into(), SlotValue::Text(later));
    }
    // The ride back leaves after the ride there ("at 6" of a 9am ride is
    // the evening's).
    if let Some((said, Some(out))) = &back
        && let Some(SlotValue::Text(home)) = heard.parse.slots.get("pickup_at")
        && let Some(later) = reading.after(home, out, said, now_ms)
    {
        heard
            .parse
            .slots
            .insert("pickup_at".into(), SlotValue::Text(later));
    }
    heard
}

/// How long after the ride there its ride back is said to be, in minutes:
/// "3 hours later", "after 2 hours", "in 90 minutes".
fn minutes_later(said: &str) -> Option<i64> {
    let said = said.trim();
    crate::reading::when::moved_by(said)
        .or_else(|| {
            let span = said.strip_prefix("in ")?;
            crate::reading::when::moved_by(&format!("{span} later"))
        })
        .filter(|m| *m > 0)
}

/// The time of a ride back said as how long after the ride there at `out`
/// (RFC 3339): "3 hours later", "after 2 hours", "in 90 minutes" are
/// "on 2026-06-16 at 5:00pm" of a ride there at 2pm, in `out`'s offset.
fn back_by(said: &str, out: &str) -> Option<String> {
    let minutes = minutes_later(said)?;
    // (The clock time as said, its offset dropped: the same offset.)
    let there = out.parse::<jiff::civil::DateTime>().ok()?;
    let back = there.checked_add(jiff::ToSpan::minutes(minutes)).ok()?;
    Some(back.strftime("on %Y-%m-%d at %-I:%M%P").to_string())
}

/// When the ride there leaves, of `open` asking when its ride back does:
/// a ride booked from where `open` goes to where it starts, leaving
/// later than now.
fn ride_there(session: &SessionState, open: &OpenCommand) -> Option<String> {
    if !open.missing.iter().any(|m| m == "pickup_at") {
        return None;
    }
    let text = |slot: &str| open.slots.get(slot).and_then(SlotValue::as_text);
    let (pickup, destination) = (text("pickup")?, text("destination")?);
    (session.placed.iter().rev())
        .filter(|placed| placed.domain == "ride")
        .filter_map(|placed| placed.summary.as_ref())
        .find(|summary| {
            (summary.pickup.as_deref()).is_some_and(|p| p.eq_ignore_ascii_case(destination))
                && (summary.destination.as_deref()).is_some_and(|d| d.eq_ignore_ascii_case(pickup))
        })?
        .pickup_at
        .clone()
}

/// "book me one back at 6", "and a cab back later" right after a ride:
/// a ride from where it goes to where it came from, as words, and when
/// the ride there leaves. `None` for anything else. ("and back 3 hours
/// later": the words say no time, and the ride there's time is moved by
/// the minutes, see [`back_by`].)
fn ride_back(text: &str, session: &SessionState) -> Option<(String, Option<String>)> {
    const ASKING: &[&str] = &[
        "book me",
        "book",
        "get me",
        "i need",
        "i'll need",
        "i want",
        "i'd like",
        "and",
        "can i get",
        "can you book",
        "could you book",
        "also",
        "please",
        // ("actually I also need one back on thursday at 8pm")
        "actually",
        "oh",
        "i also need",
        "i'll also need",
        "ill also need",
        "we also need",
        "we need",
        "i also want",
    ];
    const BACK_RIDES: &[&str] = &[
        "one back",
        "a ride back",
        "a cab back",
        "a taxi back",
        "a car back",
        "an uber back",
        "the ride back",
        "the return journey",
        "a return journey",
        "the return",
        "a return",
        "the way back",
        // ("and back at 6", right after the ride there.)
        "back",
    ];
    if session.open.is_some() {
        return None;
    }
    let placed = session.placed.last().filter(|p| p.domain == "ride")?;
    let summary = placed.summary.as_ref()?;
    let (pickup, destination) = (summary.pickup.as_ref()?, summary.destination.as_ref()?);
    let lower = text.trim().to_lowercase();
    let mut rest = lower.as_str();
    while let Some(after) = ASKING.iter().find_map(|lead| words_after(rest, lead)) {
        rest = after;
    }
    let rest = BACK_RIDES.iter().find_map(|core| words_after(rest, core))?;
    // Only when ("at 6", "later"), or home again: nothing else of its own.
    if rest.split_whitespace().count() > 5 || rest.contains(" from ") || rest.starts_with("from ") {
        return None;
    }
    let rest = rest.strip_prefix("home").map_or(rest, str::trim);
    // ("a ride back please", "one back too": nothing said of when.)
    let rest = ["please", "pls", "thanks", "too", "as well", "thank you"]
        .iter()
        .fold(rest.trim(), |rest, tail| {
            rest.strip_suffix(tail).map_or(rest, str::trim)
        });
    // "3 hours later", "in 2 hours": that long after the ride there.
    if let Some(out) = &summary.pickup_at
        && let Some(at) = back_by(rest, out)
    {
        return Some((
            format!("a ride from {destination} to {pickup} {at}"),
            summary.pickup_at.clone(),
        ));
    }
    // "later", or nothing, with no time said: when is asked (as after a
    // meeting), never a car sent now to where the person is not yet.
    let later = rest.trim().is_empty()
        || rest.split_whitespace().any(|w| w == "later")
            && !rest.chars().any(|c| c.is_ascii_digit());
    let rest = if later { "after im done" } else { rest };
    Some((
        format!("a ride from {destination} to {pickup} {rest}")
            .trim()
            .to_owned(),
        summary.pickup_at.clone(),
    ))
}

/// "cancel the cab and book one for 10 instead", "cancel my taxi, get me
/// one at 9am": a placed order cancelled and booked again, changed, which
/// is that order changed (one confirmation, the first refunded as the new
/// one is placed). Said as such a change, or `None` when nothing is placed,
/// nothing is booked again, or what is booked is another kind of thing
/// ("cancel the cab and order me a pizza").
fn rebooked(reading: &Reading, text: &str, session: &SessionState) -> Option<String> {
    if session.open.is_some() || session.placed.is_empty() {
        return None;
    }
    let lower = text.to_lowercase();
    let lower = acts::without_courtesy(lower.trim());
    let rest = lower.strip_prefix("cancel ")?;
    let (named, again) = [" and then ", " and ", ", then ", ", ", " then "]
        .iter()
        .filter_map(|sep| rest.split_once(sep))
        .min_by_key(|(named, _)| named.len())?;
    let named_words: Vec<&str> = named.split_whitespace().collect();
    if !(1..=4).contains(&named_words.len())
        || !matches!(named_words[0], "the" | "my" | "that" | "this" | "it")
    {
        return None;
    }
    let again = again.trim_start_matches("just ").trim();
    let books = [
        "book ", "get ", "order ", "make it ", "send ", "i'll ", "ill ", "rebook ",
    ]
    .iter()
    .any(|lead| again.starts_with(lead));
    let placed = super::placed_named(session, named)?;
    let others = (["book_ride", "order_food", "order_mart"].iter())
        .filter(|action| **action != placed.action)
        .any(|action| super::names_its_kind(action, again));
    // (A ride again names no dish or grocery; an order of food or
    // groceries is one changed only when it says "instead": "cancel the
    // pizza and order me a burger" may be two orders.)
    let fits = match placed.action.as_str() {
        "book_ride" => !reading.names_any_thing(again),
        _ => again.split_whitespace().any(|w| w == "instead"),
    };
    if !books || others || !fits {
        return None;
    }
    // ("book another to gatwick": one in its place.)
    let again = again
        .replace("another one", "one")
        .replace("another", "one");
    Some(match again.split_whitespace().any(|w| w == "instead") {
        true => again,
        false => format!("{again} instead"),
    })
}

/// "cancel the samosa" of a placed lassi and samosa: that line taken off
/// (the order changed, through its confirmation), never the whole order.
/// The words as a removal, or `None` when they name no line of a placed
/// order of several, or all of its lines.
/// "just the pizza", "only the pizza then", at a burger's confirmation
/// with the pizza waiting behind it: the burger is not wanted, said as
/// "forget the hamburger" (the pizza then comes next, once). `None` when
/// the words name a line of the open order, or no waiting thing.
fn only_the_waiting(text: &str, session: &SessionState) -> Option<String> {
    let open = session.open.as_ref()?;
    let lines = open.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(text);
    let w: Vec<&str> = (words.norm().iter())
        .map(String::as_str)
        .skip_while(|w| matches!(*w, "no" | "actually" | "oh" | "sorry" | "ok" | "okay"))
        .filter(|w| !matches!(*w, "the" | "please" | "then" | "thanks"))
        .collect();
    let (lead, named) = w.split_first()?;
    if !matches!(*lead, "just" | "only") || named.is_empty() || named.len() > 3 {
        return None;
    }
    let names = |line: &ItemRequest| named.iter().any(|w| super::names_line(line, w, &[]));
    let waiting = (session.queued.iter())
        .filter_map(|q| q.slots.get("item").and_then(SlotValue::as_items))
        .any(|items| items.iter().any(names));
    (waiting && !lines.iter().any(names)).then(|| {
        let open: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        format!("forget the {}", open.join(" and the "))
    })
}

fn cancels_a_line(text: &str, session: &SessionState) -> Option<String> {
    // ("cancel the hawaiian, keep the margherita": what is kept is no
    // line cancelled.)
    let lower = super::without_kept(text).to_lowercase();
    let lower = acts::without_courtesy(lower.trim());
    // "actually I don't need the eggs anymore": no longer needed.
    let unneeded = [
        "don't need ",
        "dont need ",
        "no longer need ",
        "don't want ",
        "dont want ",
    ]
    .iter()
    .find_map(|lead| lower.split_once(lead).map(|(_, rest)| rest));
    let rest = ["cancel the ", "cancel my ", "cancel "]
        .iter()
        .find_map(|lead| lower.strip_prefix(lead))
        .or(unneeded)?
        .trim_end_matches(['.', '!', '?'])
        .trim_end_matches(" please")
        .trim_end_matches(" anymore")
        .trim_end_matches(" any more")
        .trim();
    let rest = rest.strip_prefix("the ").unwrap_or(rest);
    if session.open.is_some() {
        return None;
    }
    let placed = session.placed.last()?;
    let lines = placed.slots.get("item").and_then(SlotValue::as_items)?;
    let words = crate::reading::words::Words::new(rest);
    let named = (lines.iter())
        .filter(|line| words.norm().iter().any(|w| super::names_line(line, w, &[])))
        .count();
    if unneeded.is_some() && named == lines.len() {
        // (All of it: that order cancelled.)
        return Some("cancel my order".to_owned());
    }
    (lines.len() > 1 && named > 0 && named < lines.len()).then(|| format!("remove the {rest}"))
}

/// "How much is a latte?", then "get me two to work", "I'll take one",
/// "order it to home": the thing just asked about, ordered without being
/// named. The words with the thing put in, or `None` when they name a
/// thing of their own or order nothing.
fn follow_up(reading: &Reading, text: &str, thing: &str) -> Option<String> {
    use crate::reading::words::{Words, number};
    const TAKING: &[&str] = &[
        "order", "get", "buy", "take", "want", "like", "have", "grab", "send", "bring", "need",
        "i'll", "i'd", "add",
    ];
    if reading.names_any_thing(text) {
        return None;
    }
    let words = Words::new(text);
    let w = words.norm();
    let counted = |i: usize| {
        number(&w[i]).is_some_and(|n| (1..=50).contains(&n))
            && (i == 0 || !matches!(w[i - 1].as_str(), "at" | "in" | "for" | "number" | "by"))
            && w.get(i + 1).is_none_or(|next| {
                !matches!(
                    next.as_str(),
                    "pm" | "am" | "minutes" | "mins" | "hours" | "o'clock"
                )
            })
    };
    let at = (0..w.len()).find(|&i| {
        counted(i) || matches!(w[i].as_str(), "it" | "them" | "those" | "some" | "one")
    })?;
    // Asked for ("get me", "I'll take"), or said alone, after a yes at most
    // ("two please", "yes please, one box to home").
    let accepting = w[..at].iter().all(|x| {
        matches!(
            x.as_str(),
            "yes"
                | "yeah"
                | "yep"
                | "ok"
                | "okay"
                | "great"
                | "sure"
                | "cool"
                | "perfect"
                | "lovely"
                | "please"
                | "then"
                | "just"
        )
    });
    if !(accepting || w.iter().any(|x| TAKING.contains(&x.as_str()))) {
        return None;
    }
    // "one of those": one of the thing; "one box": a box of the thing.
    let mut next = at + 1;
    if w.get(next).is_some_and(|x| x == "of")
        && w.get(next + 1)
            .is_some_and(|x| matches!(x.as_str(), "them" | "those" | "these"))
    {
        next += 2;
    }
    let amount = match w[at].as_str() {
        "it" | "them" | "those" => String::new(),
        _ => format!("{} ", words.words[at].text),
    };
    let unit = w
        .get(next)
        .filter(|x| amounts::is_unit(x))
        .map(|_| format!("{} of ", words.words[next].text));
    if unit.is_some() {
        next += 1;
    }
    let rest = words.words.get(next).map_or("", |x| &text[x.start..]);
    let said = format!("order {amount}{}{thing} {rest}", unit.unwrap_or_default());
    Some(said.trim_end().to_owned())
}

pub fn context(open: Option<&OpenCommand>) -> Context {
    Context {
        open_action: open.map(|o| o.action.clone()),
        missing: open.map(|o| o.missing.clone()).unwrap_or_default(),
    }
}

/// Completes a [`Heard`]: grounds the reader's `parse` (of
/// `prepared.request`), reads what the words give the open command, and
/// splits off further requests when `split_with` (the offline reader) is
/// given. Without it a model read the words: errand's reading then only
/// fills what the model left out.
#[allow(clippy::too_many_arguments)]
pub fn finish(
    reading: &Reading,
    registry: &DomainRegistry,
    prepared: Prepared,
    parse: Parse,
    action: String,
    reply: Option<String>,
    open: Option<&OpenCommand>,
    split_with: Option<&dyn Understand>,
    now_ms: u64,
) -> Heard {
    let request = prepared.request.clone().unwrap_or_default();
    let mut heard = Heard {
        parse,
        action,
        reply,
        act: prepared.act.clone(),
        text: request.clone(),
        for_open: SlotMap::new(),
        change: matches!(prepared.act, Some(Act::Instead(_))) || acts::is_change(&request),
        more: Vec::new(),
        unscheduled: false,
        passed: false,
        no_such_time: None,
        said_as: Vec::new(),
        in_open_words: false,
        way_back: None,
    };
    if prepared.request.is_none() {
        return heard;
    }
    // Two requests in one breath: each part read on its own.
    let mut first_text = request.clone();
    if let Some(reader) = split_with
        // (A journey the reader took for none is a ride when it comes
        // back: "a return journey from home to camden, ..., coming back
        // at 6pm".)
        && (heard.action == RIDE || !heard.in_scope())
        && let Some((there, back)) = split_return(reader, reading, &request, now_ms)
    {
        heard.action = RIDE.into();
        heard.parse = there.1;
        first_text = there.2;
        heard.more.push(back);
    } else if let Some(reader) = split_with
        // Things listed without asking count too ("milk, butter and a
        // cheeseburger to home"), and so do two requests the reader took
        // for none, being of two shops ("a latte to work and also some
        // milk"): each part must be a request on its own.
        && let Some((first, rest)) = split(reader, reading, registry, &request)
    {
        heard.parse = first.1;
        heard.action = first.0;
        first_text = first.2;
        // ("a cab to work at 8am tomorrow, and another from work to
        // home": the second car not sent now, its time asked.)
        let first_later = heard.action == RIDE
            && (reading.ground(&first_text, RIDE, &mut SlotMap::new(), now_ms))
                .is_some_and(|said| Reading::is_later(&said, now_ms));
        for (action, parse, text) in rest {
            let mut slots = parse.slots;
            let said = reading.ground(&text, &action, &mut slots, now_ms);
            if first_later && action == RIDE && said.is_none() {
                slots.insert(WHEN_ASKED.into(), SlotValue::Text(String::new()));
            }
            // ("a latte to work and a pizza to home at 9pm": the pizza
            // cannot wait till 9, which its confirmation will say.)
            let untimed = (registry.action(&action))
                .is_some_and(|(_, spec)| !spec.slots.iter().any(|s| s.kind == SlotKind::Time));
            if untimed && said.is_some_and(|said| Reading::is_later(&said, now_ms)) {
                slots.insert(LATER_SAID.into(), SlotValue::Text(String::new()));
            }
            heard.more.push(Queued { action, slots });
        }
        // The first part's place, as its words say it (the reader may
        // have missed it; the part is grounded later).
        if let Some((_, spec)) = registry.action(&heard.action)
            && let [place] = spec.places()[..]
            && !heard.parse.slots.contains_key(place)
        {
            let mut grounded = heard.parse.slots.clone();
            reading.ground(&first_text, &heard.action, &mut grounded, now_ms);
            if let Some(value) = grounded.remove(place) {
                heard.parse.slots.insert(place.to_owned(), value);
            }
        }
        share_delivery(
            registry,
            &heard.action,
            &mut heard.parse.slots,
            &mut heard.more,
        );
    }
    let model = split_with.is_none();
    // A request of a domain the trained reader does not know, as the
    // domain's examples show it ("I need some ibuprofen delivered to
    // work"): that domain's, whatever the reader made of the words. With a
    // command open, only when it names a value the examples gave (an answer
    // may resemble them too).
    if !model && heard.reply.is_none() {
        let taught = match open {
            Some(_) => reading.taught_by_name(&first_text),
            None => reading.taught(&first_text),
        };
        if let Some(action) = taught.filter(|a| *a != heard.action) {
            heard.action = action.to_owned();
            heard.parse.slots = SlotMap::new();
            heard.parse.confidence = heard.parse.confidence.max(0.5);
        }
    }
    // A shop's things asked of another ("I need nappies" read as food),
    // or of what sells nothing ("sushi for 4 people" read as a ride): the
    // shop that sells them.
    // ("a chicken from taj mahal", "a coffee from bean scene": the
    // kitchen named has the say, never the shop.)
    let kitchen_named = heard.parse.slots.contains_key("restaurant");
    if heard.in_scope()
        && !kitchen_named
        && let Some(other) = reading.claims(&first_text).filter(|a| *a != heard.action)
    {
        // Another shop's menu names more of the words, or this one none.
        let wrong = reading.menu(other).is_some()
            || reading.menu(&heard.action).is_some() && {
                let mut mine = SlotMap::new();
                reading.ground(&first_text, &heard.action, &mut mine, now_ms);
                !mine.contains_key("item")
            };
        if wrong {
            heard.action = other.to_owned();
            heard.parse.slots = things_only(&heard.parse.slots);
        }
    }
    // Things to buy said without asking ("2 litres of milk and a dozen
    // eggs", "a burger and fries to work"): an order all the same.
    if !heard.in_scope()
        && heard.reply.is_none()
        && heard.more.is_empty()
        && let Some(action) = reading.claims_a_serving(&first_text)
    {
        heard.action = action.to_owned();
        heard.parse.slots = things_only(&heard.parse.slots);
        heard.parse.confidence = 0.5;
    }
    // A dish by name to a place ("order me a lobster thermidor to work"):
    // the restaurants say whether any has it.
    if !heard.in_scope()
        && heard.reply.is_none()
        && heard.more.is_empty()
        && let Some((action, dish)) = reading.ordered_dish(&first_text)
    {
        heard.action = action.to_owned();
        heard.parse.slots = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new(dish, 1)]),
        )]);
        heard.parse.confidence = 0.5;
    }
    // "what's the best burger in London?", "I love sushi": about errand's
    // things, asking for nothing.
    // ("no need for a cab, I'm walking": the whole words, whose "no" the
    // request was read without.)
    let no_need =
        matches!(prepared.act, Some(Act::Instead(_))) && acts::not_a_request(&prepared.whole);
    if heard.in_scope()
        && heard.more.is_empty()
        && open.is_none()
        && (acts::not_a_request(&first_text)
            || crate::reading::keeps_a_note(&first_text)
            || no_need)
    {
        heard.action = crate::nlu::Intent::OutOfScope.as_str().to_owned();
        heard.parse = Parse::out_of_scope();
    }
    let said_time = match (heard.in_scope(), model) {
        (false, _) => None,
        (true, true) => reading.fill(&first_text, &heard.action, &mut heard.parse.slots, now_ms),
        (true, false) => reading.ground(&first_text, &heard.action, &mut heard.parse.slots, now_ms),
    };
    // ("... and back at 11pm for 5 people": the party travels both ways.)
    if let Some(back) = (heard.more.iter()).find(|q| q.slots.contains_key(RETURN_OF)) {
        for party in ["seats", "bags"] {
            if let Some(value) = back.slots.get(party) {
                (heard.parse.slots)
                    .entry(party.into())
                    .or_insert_with(|| value.clone());
            }
        }
    }
    if let Some(open) = open {
        // "gatwick" alone at a confirmation: its place corrected.
        if open.stage == errand_schemas::Stage::Confirming
            && heard.act.is_none()
            && (place_alone(reading, &request) || one_more(&request, open))
        {
            heard.change = true;
        }
        heard.said_as = said_as(reading, &open.action, &prepared.whole);
        heard.in_open_words = heard.more.is_empty()
            && heard.action != open.action
            && (reading.sells(&request, &open.action)
                || heard.change
                    && request.split_whitespace().count() <= 6
                    && reading.says_a_word_of_the_menu(&request, &open.action));
        let (slots, passed) = for_open(reading, registry, &heard, open, model, now_ms);
        heard.for_open = slots;
        heard.passed = passed;
        if let Some(swapped) = swapped(registry, open, &request) {
            heard.for_open = swapped;
            heard.change = true;
            heard.act = None;
        } else if let Some(flat) = with_flat(registry, open, &request) {
            // The flat's number is no count of anything.
            heard.for_open = flat;
            heard.change = false;
            heard.act = None;
        }
    }
    heard.passed = heard.passed || said_time.as_ref().is_some_and(|said| said.said.passed);
    let untimed = |action: &str| {
        (registry.action(action))
            .is_some_and(|(_, spec)| !spec.slots.iter().any(|s| s.kind == SlotKind::Time))
    };
    // "a cab at 25:00": a time the words could not give, for the open
    // command or the new one, whichever takes a time.
    let timed = |action: &str| registry.action(action).is_some() && !untimed(action);
    if said_time.is_none() && (timed(&heard.action) || open.is_some_and(|o| timed(&o.action))) {
        heard.no_such_time = crate::reading::when::no_such_clock(&request);
    }
    heard.unscheduled =
        said_time.is_some_and(|said| Reading::is_later(&said, now_ms)) && untimed(&heard.action);
    // "can it come at 7pm instead" of an open meal: a time it cannot take.
    if let Some(open) = open
        && !heard.in_scope()
        && untimed(&open.action)
    {
        let mut scratch = SlotMap::new();
        heard.unscheduled = (reading.ground(&request, &open.action, &mut scratch, now_ms))
            .is_some_and(|said| Reading::is_later(&said, now_ms));
    }
    heard
}

/// "milk and a cheeseburger to home", "a latte to work and also some
/// milk": where one delivery goes, one beside it that says nowhere goes
/// too, the later place first (a ride's ends are no delivery's address,
/// and a part that names its own place keeps it).
fn share_delivery(
    registry: &DomainRegistry,
    first: &str,
    first_slots: &mut SlotMap,
    rest: &mut [Queued],
) {
    let delivery = |action: &str| match registry.action(action) {
        Some((_, spec)) => match spec.places()[..] {
            [one] => Some(one.to_owned()),
            _ => None,
        },
        None => None,
    };
    let mut parts: Vec<(Option<String>, &mut SlotMap)> = vec![(delivery(first), first_slots)];
    parts.extend(rest.iter_mut().map(|q| (delivery(&q.action), &mut q.slots)));
    // Said last, it goes back; said first ("a latte to work and also some
    // milk"), it goes on.
    for backwards in [true, false] {
        let mut said: Option<(String, SlotValue)> = None;
        let mut order: Vec<&mut (Option<String>, &mut SlotMap)> = parts.iter_mut().collect();
        if backwards {
            order.reverse();
        }
        for (slot, slots) in order {
            let Some(slot) = slot else {
                said = None;
                continue;
            };
            match (slots.get(slot.as_str()), &said) {
                (Some(value), _) => said = Some((slot.clone(), value.clone())),
                (None, Some((name, value))) if name == slot => {
                    slots.insert(slot.clone(), value.clone());
                }
                _ => {}
            }
        }
    }
}

/// Each word of `text` inside a name `action`'s menu knows, with the
/// thing it names ("coke" and "cola"), said wanted or not.
fn said_as(reading: &Reading, action: &str, text: &str) -> Vec<(String, String)> {
    let Some(menu) = reading.menu(action) else {
        return Vec::new();
    };
    let words = crate::reading::words::Words::new(text);
    let keys: Vec<String> = (words.norm().iter())
        .map(|w| crate::agents::item_key(w))
        .collect();
    let mut said = Vec::new();
    for i in 0..keys.len() {
        if let Some((len, name)) = menu.at(&keys, i) {
            said.extend(
                keys[i..i + len]
                    .iter()
                    .map(|k| (k.clone(), name.to_owned())),
            );
        }
        // "forget the drink": a word of a kind names each thing of it.
        said.extend(
            (menu.of_kind(&keys[i]).into_iter()).map(|name| (keys[i].clone(), name.to_owned())),
        );
    }
    said
}

/// "no, the other way round", of a journey with both its ends: the ends
/// swapped.
fn swapped(registry: &DomainRegistry, open: &OpenCommand, text: &str) -> Option<SlotMap> {
    let (_, spec) = registry.action(&open.action)?;
    let [from, to] = spec.places()[..] else {
        return None;
    };
    let (a, b) = (open.slots.get(from)?, open.slots.get(to)?);
    if !acts::swaps_ends(text) {
        return None;
    }
    let mut slots = SlotMap::new();
    slots.insert(from.to_owned(), b.clone());
    slots.insert(to.to_owned(), a.clone());
    Some(slots)
}

/// "it's flat 2 by the way", of a delivery with its address: the flat
/// put before the address ("Flat 2, 221B Baker Street").
fn with_flat(registry: &DomainRegistry, open: &OpenCommand, text: &str) -> Option<SlotMap> {
    let (_, spec) = registry.action(&open.action)?;
    let [slot] = spec.places()[..] else {
        return None;
    };
    let flat = flat_said(text)?;
    // The address as the agent found it ("home" is 221B Baker Street).
    let address = (open.summary.as_ref())
        .and_then(|s| s.address.clone())
        .or_else(|| open.slots.get(slot)?.as_text().map(str::to_owned))?;
    if address.to_lowercase().contains(&flat.to_lowercase()) {
        return None;
    }
    let mut slots = SlotMap::new();
    slots.insert(
        slot.to_owned(),
        SlotValue::Text(format!("{flat}, {address}")),
    );
    Some(slots)
}

/// "it's flat 2 by the way", "apartment 4B", "oh and it's apt 3": the
/// flat, said alone ("Flat 2").
fn flat_said(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '!' | '?'))
        .filter(|w| !w.is_empty())
        .collect();
    const AROUND: &[&str] = &[
        "it's", "its", "it", "is", "oh", "and", "also", "sorry", "actually", "by", "the", "way",
        "btw", "please", "that's", "thats", "i'm", "im", "in", "at", "number", "no",
    ];
    let at = words
        .iter()
        .position(|w| matches!(*w, "flat" | "apartment" | "apt" | "unit" | "suite"))?;
    let number = words.get(at + 1)?;
    let short = number.len() <= 4 && number.chars().any(|c| c.is_ascii_digit());
    let rest = words
        .iter()
        .enumerate()
        .all(|(i, w)| i == at || i == at + 1 || AROUND.contains(w));
    (short && rest).then(|| format!("Flat {}", number.to_uppercase()))
}

/// What the words give the open command: the reader's slots when it heard
/// the same action, its answers to the question, grounded; and for a
/// question about a place or a dish, the bare answer ("my mum's house")
/// so the agent can say whether it knows it.
fn for_open(
    reading: &Reading,
    registry: &DomainRegistry,
    heard: &Heard,
    open: &OpenCommand,
    model: bool,
    now_ms: u64,
) -> (SlotMap, bool) {
    let mut slots = SlotMap::new();
    // "remind me to buy eggs" at the bread's confirmation: no change to it.
    if !heard.in_scope() && crate::reading::keeps_a_note(&heard.text) {
        return (slots, false);
    }
    if heard.action == open.action {
        slots.extend(heard.parse.slots.clone());
    }
    if heard.action == open.action || !heard.in_scope() || heard.change {
        slots.extend(heard.parse.answer.clone());
    }
    let said = if model && heard.action == open.action {
        reading.fill(&heard.text, &open.action, &mut slots, now_ms)
    } else {
        reading.ground(&heard.text, &open.action, &mut slots, now_ms)
    };
    let Some((_, spec)) = registry.action(&open.action) else {
        return (slots, false);
    };
    // "make it 8 instead": an hour alone, of a command with a time.
    let timed = spec.slots.iter().find(|s| {
        s.kind == SlotKind::Time && open.slots.contains_key(&s.name) && !slots.contains_key(&s.name)
    });
    // ("5", asked how many people: a count, never 5 o'clock.)
    let asked_a_count = open.stage == errand_schemas::Stage::Asking
        && (open.missing.first()).is_some_and(|m| {
            m == "quantity" || spec.slot(m).is_some_and(|s| s.kind == SlotKind::Number)
        });
    let said = match (said, timed) {
        (None, Some(slot)) if !open.slots.contains_key("item") && !asked_a_count => {
            let found = reading.hour_alone(&heard.text, now_ms);
            if let Some(found) = &found {
                slots.insert(slot.name.clone(), SlotValue::Text(found.rfc3339.clone()));
            }
            found
        }
        (said, _) => said,
    };
    // "sorry, saturday", "make it 5:30": a day alone or a time of day alone
    // changes only that of the time the command has.
    if let Some(found) = &said {
        for slot in spec.slots.iter().filter(|s| s.kind == SlotKind::Time) {
            let before = open.slots.get(&slot.name).and_then(SlotValue::as_text);
            if let (Some(before), Some(SlotValue::Text(now))) = (before, slots.get(&slot.name))
                && *now == found.rfc3339
                && let Some(changed) = reading.changed_time(found, before)
            {
                slots.insert(slot.name.clone(), SlotValue::Text(changed));
            }
        }
    }
    // "push it back an hour", "30 mins earlier": the time it has, moved.
    for slot in spec.slots.iter().filter(|s| s.kind == SlotKind::Time) {
        if let Some(before) = open.slots.get(&slot.name).and_then(SlotValue::as_text)
            && let Some(moved) = reading.moved_time(&heard.text, before)
        {
            slots.insert(slot.name.clone(), SlotValue::Text(moved));
        }
    }
    // A place said alone as a correction ("actually, gatwick"): the policy
    // decides which place it changes.
    let places = spec.places();
    if heard.change && !places.iter().any(|p| slots.contains_key(*p)) {
        let asked = open
            .missing
            .iter()
            .find(|m| places.contains(&m.as_str()))
            .map(String::as_str)
            .or(places.first().copied());
        if let (Some(asked), Some(place)) = (
            asked,
            reading.places(&heard.text).into_iter().find(|m| m.known),
        ) {
            slots.insert(asked.to_owned(), SlotValue::Text(place.text));
        }
    }
    // A question ("is it going to rain later?") names no place errand
    // does not know.
    if heard.text.trim_end().ends_with('?') {
        let known: Vec<String> = reading
            .places(&heard.text)
            .into_iter()
            .filter(|m| m.known)
            .map(|m| m.text.to_lowercase())
            .collect();
        spec.drop_places(&mut slots, |v| !known.contains(&v.to_lowercase()));
    }
    // "now" answers when, never where.
    spec.drop_places(&mut slots, crate::reading::when::is_now);
    // "fine, six then" to "How many people are travelling?", whatever a
    // reader made of it.
    if let Some(asked) = open.missing.first().and_then(|m| spec.slot(m))
        && asked.kind == SlotKind::Number
        && !slots.contains_key(&asked.name)
        && heard.text.split_whitespace().count() <= 6
        && let Some(n) =
            crate::reading::amounts::count(&crate::reading::words::Words::new(&heard.text))
    {
        slots.insert(asked.name.clone(), SlotValue::Number(n));
    }
    // "forget the bin bags", "no bin bags": lines of the order no menu
    // knows (so no reading finds them, or a reader takes all the words
    // for a thing), named whole.
    if let Some(slot) = spec.slots.iter().find(|s| s.kind == SlotKind::Items)
        && let Some(lines) = open.slots.get(&slot.name).and_then(SlotValue::as_items)
    {
        let padded = |text: &str| {
            let words = crate::reading::words::Words::new(text);
            let keys: Vec<String> = (words.norm().iter())
                .map(|w| crate::agents::item_key(w))
                .collect();
            format!(" {} ", keys.join(" "))
        };
        let known = |name: &str| {
            (reading.menu(&open.action)).is_some_and(|menu| menu.names(name).is_some())
        };
        let said = padded(&heard.text);
        let mut named: Vec<ItemRequest> = (lines.iter())
            .filter(|line| !known(&line.name) && said.contains(&padded(&line.name)))
            .cloned()
            .collect();
        // ("forget the vindaloo" of a lamb vindaloo: the one such line by
        // a word of its own.)
        let unknown: Vec<&ItemRequest> = lines.iter().filter(|l| !known(&l.name)).collect();
        let by_a_word = match unknown.as_slice() {
            [line] => {
                named.is_empty()
                    && super::takes_off(&heard.text.to_lowercase())
                    && line.name.split(' ').count() > 1
                    && (line.name.split(' '))
                        .any(|w| w.len() > 3 && said.contains(&format!(" {w} ")))
            }
            _ => false,
        };
        if by_a_word {
            named.extend(unknown.iter().map(|line| (*line).clone()));
        }
        let heard_items = slots.get(&slot.name).and_then(SlotValue::as_items);
        let holds_them = heard_items.is_none_or(|items| {
            items.iter().all(|item| {
                let said = padded(&item.name);
                !known(&item.name)
                    && (named.iter()).any(|line| {
                        said.contains(&padded(&line.name)) && said != padded(&line.name)
                    })
            })
        });
        if !named.is_empty() && (holds_them || by_a_word) {
            slots.insert(slot.name.clone(), SlotValue::Items(named));
        }
    }
    // A bare answer to the question asked ("I'm allergic to peanuts" is
    // none: the allergy goes on the order).
    if let Some(asked) = open.missing.first().and_then(|m| spec.slot(m))
        && slots.is_empty()
        && !heard.change
        && (!heard.in_scope() || heard.action == open.action)
        && crate::reading::allergies::said(&crate::reading::words::Words::new(&heard.text))
            .is_none()
    {
        let mentions = reading.places(&heard.text);
        match asked.kind {
            SlotKind::Place if !crate::reading::when::is_now(&heard.text) => {
                let place = mentions
                    .iter()
                    .find(|m| m.known)
                    .or(mentions.first())
                    .map(|m| m.text.clone())
                    .or_else(|| bare(&heard.text));
                if let Some(place) = place {
                    slots.insert(asked.name.clone(), SlotValue::Text(place));
                }
            }
            SlotKind::Items => {
                if let Some(text) = bare(&heard.text)
                    .filter(|t| t.split_whitespace().count() <= 5)
                    .filter(|t| crate::reading::names_a_thing(t))
                {
                    slots.insert(
                        asked.name.clone(),
                        SlotValue::Items(vec![ItemRequest::new(strip_article(&text), 1)]),
                    );
                }
            }
            SlotKind::Text if asked.choices.is_empty() => {
                if let Some(text) = bare(&heard.text) {
                    slots.insert(asked.name.clone(), SlotValue::Text(text));
                }
            }
            // "home", asked when to leave: the place still missing, and
            // when is asked again.
            SlotKind::Time => {
                let unsaid = spec
                    .slots
                    .iter()
                    .find(|s| s.kind == SlotKind::Place && !open.slots.contains_key(&s.name));
                if let (Some(slot), Some(place)) = (unsaid, mentions.iter().find(|m| m.known))
                    && bare(&heard.text).is_some()
                {
                    slots.insert(slot.name.clone(), SlotValue::Text(place.text.clone()));
                }
            }
            _ => {}
        }
    }
    // "work to heathrow", asked where from: the place said first, without
    // a word before it, answers; the other goes where its word says.
    if let Some(asked) = open.missing.first().and_then(|m| spec.slot(m))
        && asked.kind == SlotKind::Place
        && !slots.contains_key(&asked.name)
        && let Some(first) = reading.places(&heard.text).into_iter().next()
        && first.known
        && first.from == 0
        && first.after.is_none()
        && !(slots.values()).any(|v| {
            v.as_text()
                .is_some_and(|t| t.eq_ignore_ascii_case(&first.text))
        })
    {
        slots.insert(asked.name.clone(), SlotValue::Text(first.text));
    }
    // "gatwick", asked where from, of a ride to "the airport": which
    // airport, not where from.
    if let Some(asked) = open.missing.first()
        && let Some(place) = slots.get(asked).and_then(SlotValue::as_text)
        && let Some(meant) = which_of_a_kind(spec, open, place)
        && meant != asked
        && !slots.contains_key(meant)
        && let Some(place) = slots.remove(asked)
    {
        slots.insert(meant.clone(), place);
    }
    // A time taken as said that had passed today ("at 7pm" at 7:05pm).
    let passed = said.as_ref().is_some_and(|found| {
        found.said.passed
            && (spec.slots.iter().filter(|s| s.kind == SlotKind::Time))
                .any(|s| slots.get(&s.name).and_then(SlotValue::as_text) == Some(&found.rfc3339))
    });
    (slots, passed)
}

/// The place slot of `open` said as a kind of place ("the airport") that
/// `place` is one of ("gatwick", asked where from): which one was meant,
/// not where else.
fn which_of_a_kind<'a>(
    spec: &'a crate::registry::ActionSpec,
    open: &OpenCommand,
    place: &str,
) -> Option<&'a String> {
    // (Airports only: few ride from one airport to another, but many from
    // one station to another.)
    const KINDS: &[&str] = &["airport"];
    let landmark = crate::agents::catalog::LANDMARKS
        .iter()
        .find(|(name, aliases, ..)| {
            let said = place.to_lowercase();
            name.to_lowercase() == said || aliases.contains(&said.as_str())
        })?;
    let kind = KINDS
        .iter()
        .find(|k| landmark.0.to_lowercase().ends_with(*k))?;
    spec.slots.iter().map(|s| &s.name).find(|name| {
        (open.slots.get(*name).and_then(SlotValue::as_text)).is_some_and(|said| {
            let said = said.to_lowercase();
            let said = said.trim_start_matches("the ").trim();
            said == *kind || said == format!("{kind}s")
        })
    })
}

/// Whether `text` is a known place and nothing more ("gatwick", "sorry,
/// Gatwick", "no, work please").
fn place_alone(reading: &Reading, text: &str) -> bool {
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lower = text.to_lowercase();
    let rest = [
        "no ",
        "no, ",
        "sorry ",
        "sorry, ",
        "i meant ",
        "actually ",
        "actually, ",
    ]
    .iter()
    .fold(lower.as_str(), |t, lead| t.strip_prefix(lead).unwrap_or(t));
    // ("pick me up at Paddington" says which end it is.)
    if ["pick me up", "pick us up", "i'm at ", "i am at "]
        .iter()
        .any(|end| rest.starts_with(end))
    {
        return false;
    }
    let Some(said) = bare(rest) else {
        return false;
    };
    reading
        .places(&said)
        .iter()
        .any(|m| m.known && m.text.eq_ignore_ascii_case(said.trim()))
}

/// "one more", "2 more please", "another one": more of the order's one
/// thing, said at its confirmation (of an order of several, which is
/// unclear).
fn one_more(text: &str, open: &OpenCommand) -> bool {
    let lines = open.slots.get("item").and_then(SlotValue::as_items);
    lines.is_some_and(|lines| lines.len() == 1) && more_of_it(text)
}

/// The words of `text`, as `Words::norm` gives them, but those
/// `skipped` ("please", "actually"...): what short changes are read from.
pub(crate) fn words_but(text: &str, skipped: &[&str]) -> Vec<String> {
    (crate::reading::words::Words::new(text).norm().iter())
        .filter(|w| !skipped.contains(&w.as_str()))
        .cloned()
        .collect()
}

/// "one more", "2 more please", "another one": more of something not
/// named.
pub(crate) fn more_of_it(text: &str) -> bool {
    let w = words_but(text, &["please", "and", "actually", "oh", "make", "it"]);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    match w.as_slice() {
        [n, "more"] => crate::reading::words::number(n).is_some_and(|n| n > 0),
        ["another", "one"] | ["another"] => true,
        _ => false,
    }
}

/// "make it 3", "change that to two", "make it 0": a count set for a line
/// the words do not name.
pub(crate) fn sets_a_count(text: &str) -> Option<u32> {
    let w = words_but(
        text,
        &["please", "actually", "oh", "ok", "okay", "then", "no"],
    );
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    let n = match w.as_slice() {
        ["make" | "change", "it" | "that", n] | ["make" | "change", "it" | "that", "to", n] => n,
        _ => return None,
    };
    match *n {
        "none" | "zero" => Some(0),
        n => crate::reading::words::number(n),
    }
}

/// An answer without "it's", "deliver to", "please" and the like; `None`
/// for something that reads as a sentence or a question, not an answer.
fn bare(text: &str) -> Option<String> {
    let mut t = text.trim().trim_end_matches(['.', '!']).trim().to_owned();
    if t.ends_with('?') || t.split_whitespace().count() > 7 {
        return None;
    }
    let lower = t.to_lowercase();
    for prefix in [
        "please deliver it to ",
        "deliver it to ",
        "deliver to ",
        "send it to ",
        "bring it to ",
        "my address is ",
        "the address is ",
        "address is ",
        "it's ",
        "it is ",
        "its ",
        "to ",
        "at ",
        "from ",
        "i'm at ",
        "i am at ",
        "i'm going to ",
        "i want to go to ",
        "going to ",
        "pick me up at ",
        "pick me up from ",
        "take me to ",
        "i live at ",
        "i'd like ",
        "i would like ",
        "i want ",
        "um ",
        "uh ",
    ] {
        if lower.starts_with(prefix) {
            t = t[prefix.len()..].to_owned();
            break;
        }
    }
    let t = t
        .trim_end_matches(", please")
        .trim_end_matches(" please")
        .trim_end_matches(", thanks")
        .trim_end_matches(" thanks")
        .trim()
        .to_owned();
    (!t.is_empty()).then_some(t)
}

fn strip_article(text: &str) -> String {
    for article in ["a ", "an ", "the ", "some "] {
        if let Some(rest) = text.strip_prefix(article) {
            return rest.to_owned();
        }
    }
    text.to_owned()
}

type Part = (String, Parse, String);

const RIDE: &str = "book_ride";

/// The slot a ride back carries while it waits: the trace of the ride
/// there, whose ends it takes the other way round (empty until that ride
/// is started; see `Turn::next_queued`).
pub const RETURN_OF: &str = "return_of";

/// Minutes after the ride there that its ride back is asked for ("and back
/// 3 hours later"), until the ride there's time is known ([`back_at`]).
pub const LATER_BY: &str = "later_by";

/// The slot a waiting request carries when it said a later time that its
/// action cannot take ("... and a pizza to home at 9pm"): its
/// confirmation says it would come now (see `Turn::next_queued`).
pub const LATER_SAID: &str = "later_said";

/// The slot a waiting ride carries when it said no time beside a ride
/// booked for later ("a cab to work at 8am tomorrow, and another from
/// work to home"): when is asked, never a car sent now.
pub const WHEN_ASKED: &str = "when_asked";

/// What asks for the ride back, after the ride there ("and back at 11",
/// "then pick me up at midnight"); longest first.
const BACK: &[&str] = &[
    "and then",
    "then",
    "and",
    "can you",
    "could you",
    "please",
    "i need",
    "i'll need",
    "i will need",
    "i want",
    "i'd like",
    "get me",
    "bring me",
    "take me",
    "book me",
    "book",
];
const BACK_CORE: &[&str] = &[
    "another one back",
    "one back",
    "a return journey",
    "the return journey",
    "a return trip",
    "the return trip",
    "a ride back",
    "the ride back",
    "a cab back",
    "a taxi back",
    "a car back",
    "an uber back",
    "the way back",
    // ("a return from heathrow on sunday at 8pm".)
    "a return",
    "the return",
    "pick me up again",
    "pick me up after",
    "pick me up later",
    "pick me up",
    "collect me",
    "coming back",
    "come back",
    "going back",
    "go back",
    "heading back",
    "head back",
    "a return",
    "the return",
    "return",
    "back",
];

/// "a cab to the O2 at 7 and back at 11": the ride there, and the ride
/// back as a request waiting for it (when it is, and where to if said),
/// when the words after the last joint ask only to come back. A ride back
/// asked for a time before the ride there is the same hour later on.
fn split_return(
    reader: &dyn Understand,
    reading: &Reading,
    text: &str,
    now_ms: u64,
) -> Option<(Part, Queued)> {
    let lower = text.to_ascii_lowercase();
    let joined = [", and ", " and ", ", then ", " then ", ", ", ". "]
        .iter()
        .filter_map(|joint| lower.rfind(joint).map(|at| (at, at + joint.len())))
        .max();
    // ("... tomorrow 9am back wednesday 5pm": the way back said without
    // a joint, when no joint says it.)
    let unjoined = [" back ", " coming back ", " returning "]
        .iter()
        .filter_map(|joint| lower.rfind(joint).map(|at| (at, at + 1)))
        .max();
    let (left, right, mut back) = [joined, unjoined].into_iter().flatten().find_map(|cut| {
        let right = &lower[cut.1..];
        Some((
            text[..cut.0].trim_end_matches([',', ' ']),
            right,
            back_asked(reading, right, now_ms)?,
        ))
    })?;
    let parse = reader.parse(left, &Context::default());
    // ("premium to work tomorrow 8:15 from home": a car type says ride.)
    // ("book a return journey from home to camden, leaving at 10am
    // saturday, coming back at 6pm": a journey somewhere is a ride.)
    let journey = || {
        let words = crate::reading::words::Words::new(left);
        (words.norm().iter()).any(|w| matches!(w.as_str(), "journey" | "trip" | "return"))
            && (reading.places(left).iter()).any(|m| m.known && m.after.as_deref() == Some("to"))
    };
    if reading.claims(left).unwrap_or(parse.intent.as_str()) != RIDE
        && !names_a_car(left)
        && !journey()
    {
        return None;
    }
    let mut there = parse.slots.clone();
    reading.ground(left, RIDE, &mut there, now_ms);
    if let (Some(SlotValue::Text(out)), Some(SlotValue::Text(home))) =
        (there.get("pickup_at"), back.get("pickup_at"))
        && let Some(later) = reading.after(home, out, right, now_ms)
    {
        back.insert("pickup_at".into(), SlotValue::Text(later));
    }
    back_at(reading, &mut back, &there, now_ms);
    let back = Queued {
        action: RIDE.into(),
        slots: back,
    };
    Some(((RIDE.into(), parse, left.trim().to_owned()), back))
}

/// The ride back asked for "3 hours later": that long after the ride
/// there's time, when `there` says it; else it waits in [`LATER_BY`] for
/// the ride there to be booked (its time may still be asked).
fn back_at(reading: &Reading, back: &mut SlotMap, there: &SlotMap, now_ms: u64) {
    let Some(out) = there.get("pickup_at").and_then(SlotValue::as_text) else {
        return;
    };
    let Some(minutes) = back.get(LATER_BY).and_then(SlotValue::as_number) else {
        return;
    };
    if let Some(at) = reading.minutes_after(Some(out), i64::from(minutes), now_ms) {
        back.remove(LATER_BY);
        back.insert("pickup_at".into(), SlotValue::Text(at));
    }
}

/// Whether a ride is asked for there and back in one word: "a return
/// taxi", "return trip", "a round trip" (the way back itself unsaid).
fn return_asked(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w = words.norm();
    !w.iter().any(|x| x == "back")
        && w.windows(2).any(|p| {
            (p[0] == "return"
                && matches!(
                    p[1].as_str(),
                    "taxi" | "cab" | "ride" | "trip" | "journey" | "car" | "uber"
                ))
                || (p[0] == "round" && p[1] == "trip")
        })
}

/// "back at 11", "a return from heathrow", "the way back too at 6": a
/// ride back asked for in lower-case words, and only that (when, and
/// where to if said): its slots, marked as the ride back of the one
/// before it.
fn back_asked(reading: &Reading, words: &str, now_ms: u64) -> Option<SlotMap> {
    let mut rest = words.trim_end_matches(['.', '!', '?', ' ']).trim();
    for lead in BACK {
        if let Some(after) = words_after(rest, lead) {
            rest = after;
        }
    }
    let core = BACK_CORE.iter().find_map(|core| words_after(rest, core))?;
    // "back 3 hours later", "back home after 2 hours": how long after the
    // ride there.
    let later = minutes_later(core);
    let rest = [
        "again",
        "afterwards",
        "after",
        "later",
        "please",
        "too",
        "as well",
    ]
    .iter()
    .fold(core, |rest, word| words_after(rest, word).unwrap_or(rest));
    if rest.split_whitespace().count() > 6 {
        return None;
    }
    let mut back = SlotMap::new();
    // "back home at 10": where the ride back goes, said as its destination.
    let to = match rest.starts_with("to ") || rest.starts_with("from ") {
        true => rest.to_owned(),
        false => format!("to {rest}"),
    };
    let when = reading.ground(&to, RIDE, &mut back, now_ms);
    // Only when and where to: "and back" asks nothing else.
    // A place errand knows, never what follows "back" in "bring me back
    // a coffee".
    let place = (back.remove("destination").or_else(|| back.remove("pickup"))).filter(|place| {
        place
            .as_text()
            .is_some_and(|text| reading.places(text).iter().any(|m| m.known))
    });
    // (How many travel, and in what: "back at 11pm for 5 people".)
    let party = |k: &String| matches!(k.as_str(), "seats" | "bags" | "ride_type");
    if back.keys().any(|k| k != "pickup_at" && !party(k))
        || (!rest.is_empty()
            && when.is_none()
            && later.is_none()
            && place.is_none()
            && !back.keys().any(party))
    {
        return None;
    }
    if let Some(minutes) = later.and_then(|m| u32::try_from(m).ok()) {
        back.remove("pickup_at");
        back.insert(LATER_BY.into(), SlotValue::Number(minutes));
    }
    // ("a return from heathrow": where the ride back starts.)
    let slot = match rest.starts_with("from ") {
        true => "pickup",
        false => "destination",
    };
    if let Some(place) = place {
        back.insert(slot.into(), place);
    }
    back.insert(RETURN_OF.into(), SlotValue::Text(String::new()));
    Some(back)
}

/// "and back at 6", "can you book the way back too at 6", said of a ride
/// being asked about or confirmed: its ride back, to be asked after it
/// (never this ride moved to 6).
fn way_back(reading: &Reading, text: &str, open: &OpenCommand, now_ms: u64) -> Option<Queued> {
    if !open.slots.contains_key("destination") {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let said = acts::without_courtesy(lower.trim());
    let said = ["and ", "also ", "plus "]
        .iter()
        .fold(said, |said, lead| said.strip_prefix(lead).unwrap_or(said));
    // (Saying "back" or "return": "pick me up from work instead" moves
    // this ride's pickup.)
    if !said
        .split_whitespace()
        .any(|w| matches!(w, "back" | "return"))
    {
        return None;
    }
    let mut back = back_asked(reading, said, now_ms)?;
    // ("back at 11" of a ride at 7pm: 11pm.)
    if let (Some(SlotValue::Text(out)), Some(SlotValue::Text(home))) =
        (open.slots.get("pickup_at"), back.get("pickup_at"))
        && let Some(later) = reading.after(home, out, said, now_ms)
    {
        back.insert("pickup_at".into(), SlotValue::Text(later));
    }
    back_at(reading, &mut back, &open.slots, now_ms);
    Some(Queued {
        action: RIDE.into(),
        slots: back,
    })
}

/// "make the return 11:30 instead", "the ride back should be premium",
/// said while the ride there is asked about and its ride back waits: that
/// ride back, changed as said (never the ride there).
fn back_changed(
    reading: &Reading,
    text: &str,
    session: &SessionState,
    now_ms: u64,
) -> Option<Queued> {
    /// What names the ride back; longest first.
    const NAMES: &[&str] = &[
        "the return journey",
        "the return trip",
        "the return ride",
        "the journey back",
        "the trip back",
        "the ride back",
        "the way back",
        "the cab back",
        "the taxi back",
        "the car back",
        "the ride home",
        "the return",
        "coming back",
        "return",
    ];
    session.open.as_ref()?.slots.get("destination")?;
    let back = session.queued.first()?;
    if back.action != RIDE || !back.slots.contains_key(RETURN_OF) {
        return None;
    }
    let lower = text.trim().to_lowercase();
    let (at, name) = NAMES.iter().find_map(|name| {
        let at = lower.find(name)?;
        let end = at + name.len();
        let whole = (at == 0 || lower[..at].ends_with(' '))
            && (end == lower.len() || lower[end..].starts_with([' ', ',', '.', '!', '?']));
        whole.then_some((at, *name))
    })?;
    let rest = format!("{} {}", &lower[..at], &lower[at + name.len()..]);
    let mut said = SlotMap::new();
    let when = reading.ground(&rest, RIDE, &mut said, now_ms);
    said.retain(|k, _| matches!(k.as_str(), "pickup_at" | "ride_type" | "seats" | "bags"));
    // ("make the return 11:30": the time of day it has, changed.)
    if let (Some(found), Some(SlotValue::Text(before))) = (&when, back.slots.get("pickup_at"))
        && said.contains_key("pickup_at")
        && let Some(changed) = reading.changed_time(found, before)
    {
        said.insert("pickup_at".into(), SlotValue::Text(changed));
    }
    if said.is_empty() {
        return None;
    }
    let mut changed = back.clone();
    changed.slots.extend(said);
    Some(changed)
}

/// Whether the words name a car or a ride ("premium to work", "a cab").
fn names_a_car(text: &str) -> bool {
    let words = crate::reading::words::Words::new(text);
    let w: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    acts::placed_domain(&w) == Some("ride")
        || w.iter()
            .any(|x| matches!(*x, "premium" | "executive" | "xl"))
}

/// The day `text` names by a word ("tomorrow", "saturday"), if any.
fn day_of(text: &str) -> Option<&'static str> {
    const DAYS: &[&str] = &[
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let words = crate::reading::words::Words::new(text);
    (words.norm().iter()).find_map(|w| DAYS.iter().find(|d| **d == w.as_str()).copied())
}

/// The words of `text` after `lead`, when it starts with all of them.
fn words_after<'a>(text: &'a str, lead: &str) -> Option<&'a str> {
    let after = text.strip_prefix(lead)?;
    (after.is_empty() || after.starts_with(' ')).then(|| after.trim_start())
}

/// Splits `text` at an "and" (or "then", "also") where both sides are
/// requests of different actions. Returns the first and the rest.
fn split(
    reader: &dyn Understand,
    reading: &Reading,
    registry: &DomainRegistry,
    text: &str,
) -> Option<(Part, Vec<Part>)> {
    // ASCII case only, so that a cut found in `lower` is one in `text`.
    let lower = text.to_ascii_lowercase();
    let joints = [
        ", and then ",
        " and then ",
        ", and ",
        " and also ",
        " and ",
        ", then ",
        " then ",
        "; ",
        " also ",
        " plus ",
    ];
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for joint in joints {
        let mut from = 0;
        while let Some(at) = lower[from..].find(joint) {
            let start = from + at;
            if !cuts
                .iter()
                .any(|(s, e)| start < *e && start + joint.len() > *s)
            {
                cuts.push((start, start + joint.len()));
            }
            from = start + joint.len();
        }
    }
    // The last joint first: "a curry and naan to work then a cab home"
    // splits at "then"; each side may split again.
    cuts.sort();
    cuts.reverse();
    let context = Context::default();
    // Each part as the reader hears it, or as the things it names say
    // ("a kung pao chicken" is a dish, whatever a reader makes of
    // "chicken").
    let read = |part: &str| -> Option<Part> {
        // ("remove the milk" asks for no milk.)
        if super::takes_off(&part.trim().to_lowercase()) {
            return None;
        }
        let parse = reader.parse(part, &context);
        let action = match reading.claims(part) {
            Some(claimed) => claimed.to_owned(),
            None if parse.intent.in_scope() => parse.intent.as_str().to_owned(),
            None => return None,
        };
        registry
            .action(&action)
            .is_some()
            .then(|| (action, parse, part.trim().to_owned()))
    };
    // Where a ride part goes, when the words say it (a place errand may
    // not know: "the hilton").
    let goes_to = |part: &str| {
        reading
            .places(part)
            .into_iter()
            .rfind(|m| m.after.as_deref() == Some("to"))
            .map(|m| m.text)
    };
    for (start, end) in cuts {
        let left = &text[..start];
        // After a ride, "one from euston to home at 6" and "another to the
        // gym" are rides too, and "(on) to the hilton" is a ride on from
        // where the first goes.
        let then = lower[start..end].contains("then");
        let ride_on = |right: &str| -> Option<String> {
            let lower = right.trim_start().to_ascii_lowercase();
            let rest = ["one ", "another one ", "another ", "a second one "]
                .iter()
                .find_map(|lead| lower.strip_prefix(lead));
            let on = ["to ", "on to ", "onto "]
                .iter()
                .find_map(|lead| lower.strip_prefix(lead));
            let cut = right.len() - right.trim_start().len();
            // ("... and then one home at 6": from where the first went.)
            let then_from = (then && !rest.is_some_and(|r| r.contains("from ")))
                .then(|| goes_to(left))
                .flatten();
            match (rest, on) {
                (Some(rest), _) => Some(match then_from {
                    Some(from) => {
                        let said = &right[cut + lower.len() - rest.len()..];
                        let said = said.strip_prefix("back ").unwrap_or(said);
                        let ride = match said.to_ascii_lowercase().starts_with("to ") {
                            true => format!("a ride from {from} {said}"),
                            false => format!("a ride from {from} to {said}"),
                        };
                        // ("... tomorrow morning and then one home at 6pm":
                        // the day of the first.)
                        match day_of(left).filter(|_| day_of(&ride).is_none()) {
                            Some(day) => format!("{ride} {day}"),
                            None => ride,
                        }
                    }
                    None => format!("a ride {}", &right[cut + lower.len() - rest.len()..]),
                }),
                (None, Some(rest)) => Some(format!(
                    "a ride from {} to {}",
                    goes_to(left)?,
                    &right[cut + lower.len() - rest.len()..]
                )),
                (None, None) => None,
            }
            .filter(|_| {
                reading
                    .claims(left)
                    .unwrap_or(reader.parse(left, &context).intent.as_str())
                    == RIDE
            })
        };
        // "for me and 3 friends": who travels, no request of its own.
        let me_and = lower[..start].trim_end().rsplit(' ').next() == Some("me")
            && amounts::company(&crate::reading::words::Words::new(&lower)).is_some();
        if me_and {
            continue;
        }
        let rewritten = ride_on(&text[end..]);
        let right = rewritten.as_deref().unwrap_or(&text[end..]);
        // A part of one word is no request, unless it names a thing
        // ("milk and a taxi to work").
        let too_short =
            |part: &str| part.split_whitespace().count() < 2 && reading.claims(part).is_none();
        // "I love pizza and taxis are expensive": a part that asks for
        // nothing is no request of its own.
        if too_short(left)
            || too_short(right)
            || acts::not_a_request(left)
            || acts::not_a_request(right)
        {
            continue;
        }
        let (Some(first), Some(second)) = (read(left), read(right)) else {
            continue;
        };
        // "2 of us and 3 big suitcases": the ride's luggage, no request.
        if first.0 == RIDE
            && crate::reading::luggage_said(&crate::reading::words::Words::new(right))
            && goes_to(right).is_none()
        {
            continue;
        }
        // "milk and 6 eggs" is one grocery order, whatever a reader makes
        // of "6 eggs": the rest names only what the first part's shop sells.
        // Nor is "nachos and guac from Taco Loco to home": the rest names
        // a restaurant that has what the first part asks for.
        // "a bottle of wine and some cheese": a part naming nothing its
        // shop sells, beside another shop's order, is part of that order
        // (and refused there by name).
        // Nor is "a curry and pilau rice": rice a shop sells is not the
        // pilau rice said (the restaurants refuse it by name). Nor "a
        // curry and rice": a kind of the first part's things.
        let unknown_things = |action: &str, part: &str, other: &str| {
            reading.menu(action).is_some()
                && reading.menu(other).is_some()
                && (!reading.sells(part, action) || reading.more_than_sold(part, action))
        };
        // ("some milk from the mart": a shop no restaurant is.)
        let restaurant_for_both = |action: &str| {
            reading.names_known_restaurant(right, action) && reading.sells(left, action)
        };
        // Nor is "some coffee and sugar": the shop of the rest sells the
        // first part's things too.
        // Nor is "and make one of them extra cheese": a change to the first.
        let changes_first = {
            let r = right.trim_start().to_lowercase();
            [
                "make ", "change ", "swap ", "switch ", "with ", "without ", "but ", "no ",
            ]
            .iter()
            .any(|p| r.starts_with(p))
        };
        // "a cab from home to euston at 9 and then one from euston to home
        // at 6": two rides, each going somewhere of its own.
        // ("... to work at 8 and then one home at 6": home, said with no
        // "to", is where the second goes.)
        let goes_home = |part: &str| {
            goes_to(part).or_else(|| {
                (reading.places(part).into_iter())
                    .find(|m| m.known && m.after.as_deref() != Some("from"))
                    .map(|m| m.text)
            })
        };
        // ("one from home to victoria and one from work to victoria": two
        // rides from two places.)
        let comes_from = |part: &str| {
            (reading.places(part).into_iter())
                .find(|m| m.after.as_deref() == Some("from"))
                .map(|m| m.text.to_lowercase())
        };
        let two_rides = first.0 == RIDE
            && second.0 == RIDE
            && (matches!((goes_to(left), goes_home(right)),
                (Some(a), Some(b)) if a.to_lowercase() != b.to_lowercase())
                || matches!((comes_from(left), comes_from(right)),
                    (Some(a), Some(b)) if a != b));
        // "a burger from burger barn and a pizza from luigi's": an order
        // from each.
        let restaurant = |part: &str| reading.restaurant_said(part, &first.0);
        let two_restaurants = first.0 == second.0
            && reading.names_known_restaurant(left, &first.0)
            && reading.names_known_restaurant(right, &first.0)
            && matches!((restaurant(left), restaurant(right)),
                (Some(a), Some(b)) if a.to_lowercase() != b.to_lowercase());
        // "send milk to home and bread to work": an order to each place.
        let two_places = first.0 == second.0
            && first.0 != RIDE
            && matches!((goes_to(left), goes_to(right)),
                (Some(a), Some(b)) if a.to_lowercase() != b.to_lowercase());
        if !two_rides
            && !two_restaurants
            && !two_places
            && (first.0 == second.0
                || changes_first
                || reading.claims(right) == Some(first.0.as_str())
                || restaurant_for_both(&first.0)
                || restaurant_for_both(&second.0)
                // (Not "a pizza and a garlic bread and also some milk": the
                // garlic bread is no bread of the shop's.)
                || (reading.sells(left, &second.0)
                    && reading.sells_all(left, &second.0)
                    && !reading.names_better(left, &first.0, &second.0))
                // ("milk, bread, eggs and some coffee": the mart's coffee.)
                || (first.0 != RIDE && reading.sells(right, &first.0))
                || unknown_things(&first.0, left, &second.0)
                || unknown_things(&second.0, right, &first.0)
                || reading.kinds_only(right, &first.0, &second.0))
        {
            continue;
        }
        // ("..., both at 7pm tmrw": the time of each ride.)
        let right_lower = right.to_ascii_lowercase();
        let both = (right_lower.find("both ").map(|k| right[k + 5..].trim())).filter(|t| {
            ["at ", "on ", "tomorrow", "tmrw", "today", "tonight", "in "]
                .iter()
                .any(|w| t.to_ascii_lowercase().starts_with(w))
        });
        let first = match both.filter(|_| two_rides) {
            Some(time) => {
                read(&format!("{} {time}", left.trim_end_matches([',', ' ']))).unwrap_or(first)
            }
            None => first,
        };
        let (first, mut rest) = match split(reader, reading, registry, left) {
            Some((a, more)) => (a, more),
            None => (first, Vec::new()),
        };
        match split(reader, reading, registry, right) {
            Some((a, more)) => rest.extend(std::iter::once(a).chain(more)),
            None => rest.push(second),
        }
        return Some((first, rest));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::mart::MartAgent;
    use crate::agents::ride::RideAgent;
    use crate::nlu::TrainedNlu;

    #[test]
    fn a_flat_said_alone() {
        for (text, flat) in [
            ("it's flat 2 by the way", "Flat 2"),
            ("oh and it's apartment 4b", "Flat 4B"),
            ("flat 3 please", "Flat 3"),
            ("sorry, apt 12", "Flat 12"),
        ] {
            assert_eq!(flat_said(text).as_deref(), Some(flat), "{text}");
        }
        for text in [
            "the flat is nice",
            "flat white please",
            "2 flat whites",
            "unit",
        ] {
            assert_eq!(flat_said(text), None, "{text}");
        }
    }

    #[test]
    fn a_ride_there_and_back_is_two_rides() {
        let (_, reading) = built_in();
        let reader = TrainedNlu::embedded(crate::agents::catalog::lexicon()).expect("the model");
        // Tuesday 16 June 2026, 9am in London.
        let now = 1_781_596_800_000;
        let back = |text: &str| split_return(&reader, &reading, text, now);
        let (there, queued) = back("cab from home to the o2 at 7pm and back at 11").expect("split");
        assert_eq!(there.2, "cab from home to the o2 at 7pm");
        assert_eq!(queued.action, RIDE);
        assert_eq!(
            queued.slots.get("pickup_at").and_then(SlotValue::as_text),
            Some("2026-06-16T23:00:00+01:00")
        );
        assert_eq!(
            queued.slots.get(RETURN_OF).and_then(SlotValue::as_text),
            Some("")
        );
        let (_, queued) = back("taxi to work, then back home at 6pm").expect("split");
        assert_eq!(
            queued.slots.get("destination").and_then(SlotValue::as_text),
            Some("home")
        );
        let (there, _) =
            back("book a cab from home to heathrow and another one back at 9pm").expect("split");
        assert_eq!(there.2, "book a cab from home to heathrow");
        let (_, queued) = back("uber to gatwick and pick me up again").expect("split");
        assert!(!queued.slots.contains_key("pickup_at"));
        // The party travels both ways; a time with pm said stays pm.
        let (_, queued) =
            back("a cab from home to heathrow tomorrow at 6am and back at 9pm for 5 people")
                .expect("split");
        assert_eq!(
            queued.slots.get("pickup_at").and_then(SlotValue::as_text),
            Some("2026-06-17T21:00:00+01:00")
        );
        assert_eq!(queued.slots.get("seats"), Some(&SlotValue::Number(5)));
        let (there, queued) = back(
            "book a return journey from home to camden, leaving at 10am saturday, coming back at 6pm",
        )
        .expect("split");
        assert_eq!(
            there.2,
            "book a return journey from home to camden, leaving at 10am saturday"
        );
        assert_eq!(
            queued.slots.get("pickup_at").and_then(SlotValue::as_text),
            Some("2026-06-20T18:00:00+01:00")
        );
        for text in [
            "cab from home to euston and then to the airport",
            "a ride to soho and bring me back a coffee",
            "two pizzas to home and back at 11",
            "a cab to heathrow",
        ] {
            assert!(back(text).is_none(), "{text}");
        }
    }

    /// The three built-in domains and errand's reading of them.
    fn built_in() -> (DomainRegistry, Reading) {
        let registry = DomainRegistry::new()
            .with(FoodAgent::simulated())
            .with(RideAgent::simulated())
            .with(MartAgent::simulated());
        let tz = Reading::time_zone("Europe/London").expect("london");
        let reading = Reading::new(&registry, tz);
        (registry, reading)
    }

    #[test]
    fn a_with_said_last_with_nothing_after_it_is_no_panic() {
        let (registry, reading) = built_in();
        let nlu = TrainedNlu::embedded(crate::agents::catalog::lexicon()).expect("the model");
        let session = SessionState::new("s".into(), "demo");
        for text in [
            "fries with",
            "pepperoni pizza with",
            "whats the sushi platter come with",
            "a burger plus",
            "a latte extra",
        ] {
            offline(&reading, &registry, &nlu, text, &session, 0);
        }
    }

    #[test]
    fn every_beginning_of_what_the_conversations_say_is_no_panic() {
        // Each utterance of the conversation tests, cut after each of its
        // words ("fries with" was a panic once): heard alone, and at an
        // order waiting for its yes.
        let (registry, reading) = built_in();
        let nlu = TrainedNlu::embedded(crate::agents::catalog::lexicon()).expect("the model");
        let fresh = SessionState::new("s".into(), "demo");
        let mut open = fresh.clone();
        open.open = Some(OpenCommand::asking(
            errand_schemas::TraceId::from("t"),
            "order_food".into(),
            SlotMap::from([(
                "item".to_owned(),
                SlotValue::Items(vec![
                    ItemRequest::new("cheeseburger", 1),
                    ItemRequest::new("fries", 1),
                ]),
            )]),
            Vec::new(),
            String::new(),
            1,
        ));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/conversations");
        let mut said = Vec::new();
        for entry in std::fs::read_dir(dir).expect("the conversations") {
            let text = std::fs::read_to_string(entry.expect("a file").path()).expect("a file");
            said.extend(text.lines().filter_map(|line| {
                let quoted = line.strip_prefix("say = \"")?.strip_suffix('"')?;
                Some(quoted.replace("\\\"", "\""))
            }));
        }
        assert!(said.len() > 1000, "{} utterances", said.len());
        for text in &said {
            let cuts = text.match_indices(' ').map(|(at, _)| at);
            for end in cuts.chain([text.len()]) {
                for session in [&fresh, &open] {
                    offline(&reading, &registry, &nlu, &text[..end], session, 0);
                }
            }
        }
    }

    #[test]
    fn letters_that_change_length_in_lower_case_are_no_panic() {
        // "İ" lowercases to 3 bytes from 2, the Kelvin sign to 1 from 3:
        // a correction or a joint found in the lowercased words cut these
        // inside a character.
        let (registry, reading) = built_in();
        let nlu = TrainedNlu::embedded(crate::agents::catalog::lexicon()).expect("the model");
        let session = SessionState::new("s".into(), "demo");
        let kelvin = "\u{212A}\u{212A}\u{212A}\u{212A} actually no a pizza to work";
        assert_eq!(
            prepare(&reading, kelvin).request.as_deref(),
            Some("a pizza to work")
        );
        for text in [
            kelvin,
            "order a burger \u{130}\u{130} i mean éé pizza to work",
            "a burger \u{212A}\u{212A} and a pizza to work",
            "milk é\u{212A} and eggs",
        ] {
            offline(&reading, &registry, &nlu, text, &session, 0);
        }
    }

    #[test]
    fn a_value_said_again_after_a_correction_replaces_the_last_one() {
        let (_, reading) = built_in();
        let fixed = |text: &str| corrected_midway(&reading, text);
        assert_eq!(
            fixed("taxi to gatwick, sorry heathrow, from home now").as_deref(),
            Some("taxi to heathrow, from home now")
        );
        assert_eq!(
            fixed("pepperoni pizza, no actually hawaiian, to work").as_deref(),
            Some("hawaiian, to work")
        );
        assert_eq!(
            fixed("order 2 cheeseburgers to home, no wait, 3").as_deref(),
            Some("order 3 cheeseburgers to home")
        );
        // "One" is of the last thing's kind.
        assert_eq!(
            fixed("a hawaiian pizza from luigi's to home, actually no, make it a vegetarian one")
                .as_deref(),
            Some("a vegetarian pizza from luigi's to home")
        );
        assert_eq!(
            fixed("a pepperoni pizza to work, actually no, a large one").as_deref(),
            Some("a large pepperoni pizza to work")
        );
        assert_eq!(
            fixed("the lasagna, or actually the carbonara").as_deref(),
            Some("the carbonara")
        );
        // A request said again keeps the restaurant and the places said first.
        assert_eq!(
            fixed("the lasagna from luigi's, or actually the carbonara, to home").as_deref(),
            Some("the carbonara, to home from luigi's")
        );
        // Nothing said again: as it was.
        assert_eq!(fixed("book a cab to heathrow, sorry to bother you"), None);
    }

    #[test]
    fn a_thing_taken_back_midway_is_not_asked_for() {
        let (_, reading) = built_in();
        let dropped = |text: &str| dropped_midway(&reading, text);
        assert_eq!(
            dropped("get me a hamburger and a hot dog. scratch the hot dog. to home").as_deref(),
            Some("get me a hamburger. to home")
        );
        assert_eq!(
            dropped("a burger, fries and a coke, actually no coke, to work").as_deref(),
            Some("a burger, fries, to work")
        );
        // An extra, a correction, or the only thing: as said.
        assert_eq!(dropped("two margheritas, no olives, to work"), None);
        assert_eq!(dropped("bread, butter and jam, no wait, just bread"), None);
        assert_eq!(dropped("a coke, actually no coke"), None);
    }

    #[test]
    fn one_of_the_things_counted_may_be_another_dish_of_their_kind() {
        let (_, reading) = built_in();
        let split = |text: &str| one_of_them(&reading, text);
        assert_eq!(
            split("two burgers to home, one of them veggie").as_deref(),
            Some("1 burgers to home and one veggie burgers")
        );
        assert_eq!(
            split("2 burgers for me and my wife to home, one veggie").as_deref(),
            Some("1 burgers for me and my wife to home and one veggie burgers")
        );
        assert_eq!(
            split("3 pizzas, one of them should be a pepperoni, to work").as_deref(),
            Some("2 pizzas and one pepperoni pizzas, to work")
        );
        assert_eq!(
            split("two lattes, one with oat milk, to work").as_deref(),
            Some("1 lattes and one lattes with oat milk, to work")
        );
        // A size or spice of one of them: that one made so.
        assert_eq!(
            split("two burgers to home, one of them spicy").as_deref(),
            Some("1 burgers to home and one spicy burgers")
        );
        // No such dish, no count, or a thing of its own: as said.
        assert_eq!(split("a burger to home, one veggie"), None);
        assert_eq!(split("two burgers, one cola"), None);
        assert_eq!(split("book a cab to home, one more thing"), None);
    }

    #[test]
    fn the_thing_asked_about_is_ordered_without_being_named() {
        let (_, reading) = built_in();
        let put = |text: &str, thing: &str| follow_up(&reading, text, thing);
        assert_eq!(
            put("order 2 to home", "milk").as_deref(),
            Some("order 2 milk to home")
        );
        assert_eq!(
            put("ok get me one to work", "latte").as_deref(),
            Some("order one latte to work")
        );
        assert_eq!(
            put("great, I'll take two", "latte").as_deref(),
            Some("order two latte")
        );
        assert_eq!(
            put("order it to work", "latte").as_deref(),
            Some("order latte to work")
        );
        assert_eq!(
            put("get me some", "milk").as_deref(),
            Some("order some milk")
        );
        assert_eq!(
            put("I'll have one of those please", "latte").as_deref(),
            Some("order one latte please")
        );
        assert_eq!(
            put("two please", "latte").as_deref(),
            Some("order two latte please")
        );
        assert_eq!(
            put("yes please, one box to home", "eggs").as_deref(),
            Some("order one box of eggs to home")
        );
        // A thing of its own, a ride, a time or nothing ordered: as said.
        assert_eq!(put("get me a burger instead", "latte"), None);
        assert_eq!(put("book a cab to the airport", "latte"), None);
        assert_eq!(put("that's too expensive", "latte"), None);
        assert_eq!(put("what about at 5pm", "latte"), None);
    }
}
