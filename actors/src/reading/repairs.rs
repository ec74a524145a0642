//! A count, a time or a kind of car corrected as it is said: "2 milks,
//! sorry 3, and a loaf", "at 6pm no actually 7pm", "xl no premium from
//! home". The word said after the correction takes the place of the last
//! word of its kind before it, and the words go on from there; anything
//! else after a correction (a thing, a place) is left to the dialogue's
//! own readers of corrections.

use super::markers::Markers;
use super::words::number;
use std::sync::LazyLock;

/// What people say between a word and the word that corrects it. A bare
/// "no" counts only before a word of the same kind ("2 pizzas no 3"),
/// never before a thing ("a burger no onions": a note).
const MARKERS: &[&str] = &[
    ", no actually ",
    " no actually ",
    ", actually ",
    ", sorry ",
    " sorry ",
    ", no ",
    " no ",
    ", make that ",
    " make that ",
    ", i mean ",
    " i mean ",
    ", or rather ",
    " or rather ",
    ", no wait ",
    " no wait ",
    ", sorry i meant ",
    " sorry i meant ",
    ", i meant ",
    " i meant ",
];

/// Kinds of car, as people say them.
const CARS: &[&str] = &[
    "standard",
    "xl",
    "premium",
    "shared",
    "executive",
    "exec",
    "luxury",
    "pool",
];

/// Whether `word` is a kind of car as people say it ("premium", "xl").
pub fn is_car(word: &str) -> bool {
    CARS.contains(&word.trim().to_ascii_lowercase().as_str())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Count,
    Clock,
    Car,
}

/// The words with the corrected word in place of the one it corrects,
/// or `None` when no count, time or car is corrected.
pub fn in_place(text: &str) -> Option<String> {
    // ASCII case only, so positions in `lower` are positions in `text`.
    static MARKED: LazyLock<Markers> = LazyLock::new(|| Markers::new(MARKERS));
    let lower = text.to_ascii_lowercase();
    let (at, len) = (MARKED.words_in(&lower))
        .map(|(marker, at)| (at, marker.len()))
        .filter(|(at, _)| *at > 0)
        // (The last one said, as long as it goes: ", sorry i meant ".)
        .max_by_key(|(at, len)| (*at + *len, *len))?;
    let before = &text[..at];
    let mut after = &text[at + len..];
    for lead in ["make it ", "make that ", "it's ", "its "] {
        if after.len() >= lead.len() && after[..lead.len()].eq_ignore_ascii_case(lead) {
            after = &after[lead.len()..];
        }
    }
    let end = after.find([' ', ',', '.', ';', '!']).unwrap_or(after.len());
    let said = &after[..end];
    let rest = &after[end..];
    // "3 breads" after the correction is a thing said again, not a count.
    let next = rest
        .trim_start_matches([',', '.', ';', '!', ' '])
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let goes_on = next.is_empty()
        || rest.starts_with([',', '.', ';', '!'])
        || matches!(
            next.as_str(),
            "and"
                | "to"
                | "from"
                | "please"
                | "instead"
                | "then"
                | "for"
                | "at"
                | "thanks"
                | "tomorrow"
                | "today"
                | "tonight"
        );
    if !goes_on {
        return None;
    }
    let words: Vec<&str> = before.split(' ').collect();
    // The last word of that kind before the correction (a bare number is
    // a clock after "at", a count elsewhere; a bare number corrects a
    // clock when no count was said: "at 7pm no wait 8").
    let last_of = |kind: Kind| {
        (0..words.len()).rev().find(|&k| {
            let bare = words[k].trim_end_matches([',', '.', ';', '!']);
            let at = k > 0 && words[k - 1].eq_ignore_ascii_case("at");
            kind_of(bare, at) == Some(kind)
                || (kind == Kind::Clock && at && kind_of(bare, false) == Some(Kind::Count))
        })
    };
    let k = match kind_of(said, false)? {
        Kind::Count => last_of(Kind::Count).or_else(|| last_of(Kind::Clock)),
        kind => last_of(kind),
    }?;
    let tail = &words[k][words[k].trim_end_matches([',', '.', ';', '!']).len()..];
    let mut out: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    out[k] = format!("{said}{tail}");
    Some(format!(
        "{}{rest}",
        out.join(" ").trim_end_matches([',', ' '])
    ))
}

/// The kind of one word: a count ("3", "three"), a clock time ("7pm",
/// "18:30", or a number said after "at"), a kind of car.
fn kind_of(word: &str, after_at: bool) -> Option<Kind> {
    let lower = word.to_ascii_lowercase();
    if CARS.contains(&lower.as_str()) {
        return Some(Kind::Car);
    }
    let clock = lower
        .strip_suffix("am")
        .or_else(|| lower.strip_suffix("pm"))
        .map(|c| (c, true))
        .unwrap_or((&lower, false));
    let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
    let timed = match clock.0.split_once([':', '.']) {
        Some((h, m)) => digits(h) && m.len() == 2 && digits(m),
        None => clock.1 && digits(clock.0),
    };
    if timed || matches!(lower.as_str(), "noon" | "midday" | "midnight") {
        return Some(Kind::Clock);
    }
    let counted =
        (digits(&lower) || number(&lower).is_some()) && !matches!(lower.as_str(), "a" | "an");
    match (counted, after_at) {
        (true, true) => Some(Kind::Clock),
        (true, false) => Some(Kind::Count),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::in_place;

    #[test]
    fn a_count_a_time_or_a_car_corrected_as_said_takes_the_place_of_its_own() {
        let fixed = |text: &str| in_place(text);
        assert_eq!(
            fixed("2 milks, sorry 3, and a loaf to home").as_deref(),
            Some("3 milks, and a loaf to home")
        );
        assert_eq!(
            fixed("2 milks, no 3, and a loaf").as_deref(),
            Some("3 milks, and a loaf")
        );
        assert_eq!(
            fixed("2 burgers, make that 3, to home").as_deref(),
            Some("3 burgers, to home")
        );
        assert_eq!(
            fixed("book a cab from home to work at 6pm no actually 7pm").as_deref(),
            Some("book a cab from home to work at 7pm")
        );
        assert_eq!(
            fixed("taxi to work at 8, sorry 9am, from home").as_deref(),
            Some("taxi to work at 9am, from home")
        );
        assert_eq!(
            fixed("xl no premium from home to work").as_deref(),
            Some("premium from home to work")
        );
        assert_eq!(
            fixed("3 eggs boxes sorry 2 and some butter").as_deref(),
            Some("2 eggs boxes and some butter")
        );
        assert_eq!(
            fixed("cab from home to work at 5 no 6").as_deref(),
            Some("cab from home to work at 6")
        );
        assert_eq!(
            fixed("a cab home at 7pm no wait 8").as_deref(),
            Some("a cab home at 8")
        );
        assert_eq!(
            fixed("taxi to work at 6pm, sorry I meant 6am tomorrow").as_deref(),
            Some("taxi to work at 6am tomorrow")
        );
    }

    #[test]
    fn anything_else_after_a_correction_is_left_alone() {
        assert_eq!(in_place("a burger no onions to home"), None);
        assert_eq!(in_place("2 margheritas, sorry 3 pepperonis, to work"), None);
        assert_eq!(in_place("a cab for 2 no luggage"), None);
        assert_eq!(in_place("no 3"), None);
        // Nothing of the kind before it.
        assert_eq!(in_place("a pizza, sorry 7pm"), None);
    }
}
