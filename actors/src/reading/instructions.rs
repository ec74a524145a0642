//! What a person asks the courier or the driver, said with the order:
//! "leave it with reception", "ring the bell", "gate code 4471", "I'll be
//! at door 3", "tell the driver I have a dog", "note for the driver: I'm on
//! the 2nd floor". It is no thing to buy and no place to go: it travels
//! with the order as its `instructions` and is shown in the confirmation.

use super::markers::Markers;
use std::sync::LazyLock;

/// Words that say the rest is for the courier or the driver.
const TOLD: &[&str] = &[
    "note for the delivery driver",
    "note for the driver",
    "note for driver",
    "note to the driver",
    "note for the courier",
    "note for courier",
    "note for the rider",
    "note for delivery",
    "note for the delivery",
    "delivery instructions",
    "delivery note",
    "driver note",
    "instructions for the driver",
    "instructions for the courier",
    "add a note for the driver",
    "add a note for the courier",
    "add a note",
    "add note",
    "note:",
    "tell the delivery driver to",
    "tell the delivery driver that",
    "tell the delivery driver",
    "tell the delivery guy to",
    "tell the delivery person to",
    "tell the driver to",
    "tell the driver that",
    "tell the driver",
    "tell the courier to",
    "tell the courier that",
    "tell the courier",
    "let the driver know that",
    "let the driver know",
    "let the courier know that",
    "let the courier know",
    "ask the driver to",
    "ask the courier to",
    "the driver should",
    "the courier should",
];

/// Words that open an instruction said plainly ("leave it with
/// reception", "ring the bell").
const PLAIN: &[&str] = &[
    // (Never "leave it, I don't need it": nothing to leave anywhere.)
    "leave it with",
    "leave it at",
    "leave it by",
    "leave it on",
    "leave it in",
    "leave it outside",
    "leave it next",
    "leave it behind",
    "leave it under",
    "leave them with",
    "leave them at",
    "leave them by",
    "leave them outside",
    "leave at",
    "leave by",
    "leave outside",
    "ring the bell",
    "ring the doorbell",
    "ring twice",
    "don't ring",
    "dont ring",
    "do not ring",
    "knock",
    "call me when",
    "call me on arrival",
    "text me when",
    "message me when",
    "gate code",
    "door code",
    "the code is",
    "buzzer",
    "buzz flat",
    "buzz me",
    // Where in the building: "to work, 5th floor" (a flat said after a
    // street address is that address's).
    "ground floor",
    "first floor",
    "second floor",
    "third floor",
    "top floor",
    "1st floor",
    "2nd floor",
    "3rd floor",
    "4th floor",
    "5th floor",
    "6th floor",
    "7th floor",
    "8th floor",
    "9th floor",
    "10th floor",
    "ask for ",
    "ask at ",
    "doorbell is broken",
    "doorbell doesn't work",
    "doorbell doesnt work",
    "the bell is broken",
    "bell doesn't work",
    "call me on ",
    "call me if",
    "call me at the door",
    "use the side entrance",
    "use the back door",
    "use the front door",
    "i'm on the",
    "im on the",
    "i am on the",
    "we're on the",
    "need a child seat",
    "need a baby seat",
    "need a booster seat",
    "with a child seat",
    "with a baby seat",
    "with a booster seat",
    "with a car seat",
    "need a car seat",
    "child seat please",
    "i have a dog",
    "i've got a dog",
    "i have a guide dog",
    "i'm in a wheelchair",
    "im in a wheelchair",
    "i use a wheelchair",
    "i have a wheelchair",
];

/// Words that open where the person will wait ("I'll be at door 3"), an
/// instruction only when what follows says a spot, not a place to go.
const WAITING: &[&str] = &[
    "i'll be at",
    "i'll be by",
    "i'll be outside",
    "i'll be waiting",
    "ill be at",
    "ill be waiting",
    "i will be at",
    "i will be waiting",
    "she'll be at",
    "he'll be at",
    "meet me at",
    "meet me by",
];

/// What marks a spot to wait at.
const SPOTS: &[&str] = &[
    "door",
    "gate",
    "entrance",
    "exit",
    "arrivals",
    "reception",
    "lobby",
    "front",
    "back",
    "side",
    "corner",
    "outside",
    "stop",
    "platform",
    "bay",
    "level",
    "floor",
    "terminal",
    "rank",
];

/// The words without their instructions, and the instructions (several
/// joined with "; "); `None` when none are said.
pub fn said(text: &str) -> Option<(String, String)> {
    let lower = text.to_ascii_lowercase().replace('’', "'");
    if lower.len() != text.len() {
        return None;
    }
    let mut kept = text.to_owned();
    let mut told = Vec::new();
    // Each clause once, from the last, so earlier positions stay good.
    while let Some((start, from, end)) = next_clause(&kept.to_ascii_lowercase().replace('’', "'"))
    {
        let said = kept[from..end]
            .trim()
            .trim_start_matches([':', ',', '-'])
            .trim()
            .trim_end_matches(['.', '!', ','])
            .trim()
            .to_owned();
        // ("add a note: nut allergy", "note: extra spicy": the kitchen's,
        // a note of the lines.)
        if for_the_kitchen(&said) {
            return None;
        }
        if !said.is_empty() {
            told.insert(0, said);
        }
        kept = format!("{}{}", kept[..start].trim_end(), &kept[end..]);
    }
    // "a wheelchair accessible cab": the car asked for, said on.
    if told.is_empty() && lower.contains("wheelchair") {
        told.push("wheelchair user: an accessible car, please".to_owned());
    }
    // "a cab for me and my dog", "travelling with my cat in a carrier":
    // the driver is told of the animal.
    let words = super::words::Words::new(&lower);
    let said: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let ride = super::acts::placed_domain(&said) == Some("ride");
    if told.is_empty()
        && ride
        && let Some(pet) = ["dog", "cat", "puppy", "kitten"].iter().find(|pet| {
            [" my ", " a ", " our "]
                .iter()
                .any(|lead| lower.contains(&format!("{lead}{pet}")))
        })
        && !lower.contains("hot dog")
        && !lower.contains("cat food")
        && !lower.contains("dog food")
    {
        told.push(format!("travelling with a {pet}"));
    }
    // "I need a car seat for my toddler", "3 of us and a pram", "with a
    // bike box": what the car must carry or have, told to the driver
    // (once, when no instruction said it already).
    if ride {
        for (said, tell) in carried(&said) {
            if !told.iter().any(|t| t.to_lowercase().contains(said)) {
                told.push(tell);
            }
        }
    }
    // "heathrow terminal 5", "gatwick north terminal": the airport is the
    // place, the terminal what the driver is told.
    if let Some(terminal) = terminal(&lower) {
        told.push(terminal);
    }
    if let Some(flat) = flat_of_a_named_place(&lower) {
        told.push(flat);
    }
    if told.is_empty() {
        return None;
    }
    let kept = kept
        .trim()
        .trim_end_matches([',', '-', ';'])
        .trim()
        .to_owned();
    Some((kept, told.join("; ")))
}

/// What a ride must carry or have, said alone ("i have a pram", "oh and
/// i've got a bike with me") at a ride under way: what the driver is
/// told, if any.
pub fn carried_alone(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let words = super::words::Words::new(&lower);
    let said: Vec<&str> = words.norm().iter().map(String::as_str).collect();
    let told: Vec<String> = carried(&said).into_iter().map(|(_, tell)| tell).collect();
    (!told.is_empty()).then(|| told.join("; "))
}

/// What a ride must carry or have, said with it: each as said (its
/// word) and as the driver is told it.
fn carried(said: &[&str]) -> Vec<(&'static str, String)> {
    const SEATS: &[&str] = &["child", "baby", "booster", "car", "infant"];
    const THINGS: &[(&[&str], &str)] = &[
        (&["pram"], "pram"),
        (&["buggy"], "buggy"),
        (&["pushchair"], "pushchair"),
        (&["stroller"], "stroller"),
        (&["bike", "box"], "bike box"),
        (&["bike"], "bike"),
        (&["bicycle"], "bicycle"),
        (&["golf", "clubs"], "golf clubs"),
        (&["skis"], "skis"),
        (&["surfboard"], "surfboard"),
    ];
    let mut out = Vec::new();
    let seat = (1..said.len()).any(|i| said[i] == "seat" && SEATS.contains(&said[i - 1]))
        || said.contains(&"booster");
    if seat {
        out.push(("seat", "a child seat, please".to_owned()));
    }
    let mut named = Vec::new();
    for (words, name) in THINGS {
        let at = (0..said.len()).find(|&i| said[i..].starts_with(words));
        // ("a bike box" is no bike as well; "a bike ride" no bike.)
        if let Some(at) = at
            && !named.iter().any(|n: &&str| n.contains(words[0]))
            && said.get(at + words.len()) != Some(&"ride")
        {
            named.push(*name);
            out.push((*name, format!("travelling with a {name}")));
        }
    }
    out
}

/// "to home, flat 2", "to work, suite 210": the flat or unit said after
/// a place known by its name, as the courier is told it. (After a street
/// address it is that address's: "10 Elm Road, flat 3".)
fn flat_of_a_named_place(lower: &str) -> Option<String> {
    const UNITS: &[&str] = &["flat", "apartment", "apt", "unit", "suite", "room"];
    let (before, after) = lower.rsplit_once(',')?;
    let mut words = after.split_whitespace();
    let (kind, number) = (words.next()?, words.next()?);
    let number = number.trim_end_matches(['.', '!', '?']);
    let numbered = number.chars().any(|c| c.is_ascii_digit())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    // Where the place is said: after its last "to", or all of it.
    let place = before.rsplit_once(" to ").map_or(before, |(_, p)| p);
    let addressed = place.split_whitespace().any(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            || crate::agents::catalog::STREET_KINDS.contains(&w.trim_matches(','))
    });
    (UNITS.contains(&kind) && numbered && !addressed)
        .then(|| format!("{} {}", capitalised(kind), number.to_ascii_uppercase()))
}

/// The terminal said of an airport ("terminal 5", "north terminal"), as
/// the driver is told it.
fn terminal(lower: &str) -> Option<String> {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "heathrow t5", "lhr t2": the terminal written short, after the
    // airport.
    if let Some(short) = (1..words.len()).find_map(|k| {
        let n = words[k].strip_prefix('t')?;
        let airport = matches!(
            words[k - 1],
            "heathrow" | "lhr" | "gatwick" | "lgw" | "airport"
        );
        (airport && n.len() == 1 && n.chars().all(|c| c.is_ascii_digit()))
            .then(|| format!("Terminal {n}"))
    }) {
        return Some(short);
    }
    let at = words.iter().position(|w| *w == "terminal")?;
    match (at.checked_sub(1).map(|k| words[k]), words.get(at + 1)) {
        (Some(side @ ("north" | "south")), _) => Some(format!("{} Terminal", capitalised(side))),
        (_, Some(n)) if n.len() == 1 && n.chars().all(|c| c.is_ascii_digit()) => {
            Some(format!("Terminal {n}"))
        }
        _ => None,
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Whether a note is how the food is made, not what the courier is told.
fn for_the_kitchen(said: &str) -> bool {
    let words = super::words::Words::new(said);
    let w = words.norm();
    // ("with a child seat": the car's, never the kitchen's.)
    if w.iter().any(|x| x == "seat") {
        return false;
    }
    super::allergies::said(&words).is_some()
        || w.first().is_some_and(|first| {
            matches!(
                first.as_str(),
                "no" | "extra"
                    | "without"
                    | "with"
                    | "mild"
                    | "spicy"
                    | "hot"
                    | "less"
                    | "more"
                    | "vegan"
                    | "vegetarian"
                    | "gluten-free"
                    | "well"
                    | "medium"
                    | "rare"
            )
        })
}

/// The last instruction clause in `lower`: where its joining words start,
/// where what is told starts, and where it ends.
fn next_clause(lower: &str) -> Option<(usize, usize, usize)> {
    let boundary = |at: usize| {
        let before = lower[..at].trim_end();
        before.is_empty()
            || before.ends_with([',', '.', '!', ';', ':', '-', '('])
            || before.ends_with(" and")
            || before.ends_with(" please")
            || before.ends_with(" also")
            || before.ends_with(" oh")
    };
    let mut best: Option<(usize, usize)> = None;
    // The last clause; of two markers of one clause ("add a note for the
    // driver", "note for the driver"), the longer.
    let mut consider = |at: usize, told_from: usize| {
        if best.is_none_or(|(b_at, b_from)| told_from > b_from || told_from == b_from && at < b_at)
        {
            best = Some((at, told_from));
        }
    };
    static TOLD_AT: LazyLock<Markers> = LazyLock::new(|| Markers::new(TOLD));
    static PLAIN_AT: LazyLock<Markers> = LazyLock::new(|| Markers::new(PLAIN));
    static WAITING_AT: LazyLock<Markers> = LazyLock::new(|| Markers::new(WAITING));
    for (marker, at) in TOLD_AT.each_in(lower) {
        if at == 0 || lower.as_bytes()[at - 1] == b' ' || boundary(at) {
            consider(at, at + marker.len());
        }
    }
    for (marker, at) in PLAIN_AT.each_in(lower) {
        // ("a taxi to kings cross with a child seat": a seat asked
        // for ends any sentence.)
        let seat = marker.starts_with("with a ") && marker.ends_with(" seat");
        if boundary(at) || seat && lower.as_bytes().get(at.wrapping_sub(1)) == Some(&b' ') {
            consider(at, at);
        }
    }
    for (marker, at) in WAITING_AT.each_in(lower) {
        let rest = &lower[at + marker.len()..];
        let clause = &rest[..rest.find(['.', '!', ';', ',']).unwrap_or(rest.len())];
        let spot = clause
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| SPOTS.contains(&w));
        if boundary(at) && spot {
            consider(at, at);
        }
    }
    let (at, told_from) = best?;
    // To the end of its sentence (a comma does not end "leave it by the
    // door, thanks" but does end "gate code 4471, and a cola").
    let rest = &lower[told_from..];
    let end = rest
        .find(['.', '!', ';', ')'])
        .or_else(|| rest.find(", and ").filter(|_| at > 0))
        .map_or(lower.len(), |k| told_from + k);
    // "with a car seat from home to euston": a seat ends its clause.
    let end = match lower[at..end].find(" seat") {
        Some(k) if lower[at..].starts_with("with a ") => {
            let seat = at + k + " seat".len();
            seat + lower[seat..end]
                .strip_prefix(" please")
                .map_or(0, |_| " please".len())
        }
        _ => end,
    };
    // The joining words go with it ("..., and ring the bell").
    let start = [
        ", and ",
        " and ",
        ", please ",
        " please ",
        ", ",
        ". ",
        " - ",
        "; ",
    ]
    .iter()
    .find_map(|j| lower[..at].ends_with(j).then(|| at - j.len()))
    .unwrap_or(at);
    Some((start, told_from, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Option<(String, String)> {
        said(text)
    }

    #[test]
    fn a_flat_after_a_place_known_by_name_is_told_and_a_street_address_keeps_its_own() {
        assert_eq!(
            flat_of_a_named_place("a latte to home, flat 2"),
            Some("Flat 2".into())
        );
        assert_eq!(
            flat_of_a_named_place("a burger to work, apartment 4b."),
            Some("Apartment 4B".into())
        );
        assert_eq!(
            flat_of_a_named_place("a latte to 10 elm road, flat 3"),
            None
        );
        assert_eq!(flat_of_a_named_place("to baker street, flat 3"), None);
        assert_eq!(flat_of_a_named_place("a flat white, to home"), None);
        assert_eq!(flat_of_a_named_place("to home, flat white"), None);
    }

    #[test]
    fn instructions_said_with_an_order_are_taken_out_of_it() {
        assert_eq!(
            cut("large latte and a croissant to work, leave it with reception"),
            Some((
                "large latte and a croissant to work".into(),
                "leave it with reception".into()
            ))
        );
        assert_eq!(
            cut(
                "taxi from home to paddington at 9pm. note for driver: please ring the bell, I'm on the 2nd floor"
            ),
            Some((
                "taxi from home to paddington at 9pm".into(),
                "ring the bell; I'm on the 2nd floor".into()
            ))
        );
        assert_eq!(
            cut("taxi from home to victoria station, I'll be at door 3"),
            Some((
                "taxi from home to victoria station".into(),
                "I'll be at door 3".into()
            ))
        );
        assert_eq!(
            cut("add a note for the driver: ring the bell twice"),
            Some(("".into(), "ring the bell twice".into()))
        );
        assert_eq!(
            cut("can you tell the driver to ring the bell"),
            Some(("can you".into(), "ring the bell".into()))
        );
    }

    #[test]
    fn a_seat_asked_for_is_told_wherever_it_is_said() {
        assert_eq!(
            cut("taxi from home to kings cross with a child seat please"),
            Some((
                "taxi from home to kings cross".into(),
                "with a child seat please".into()
            ))
        );
    }

    #[test]
    fn an_animal_riding_along_is_told_to_the_driver() {
        assert_eq!(
            cut("cab for me and my dog from home to hampstead heath").map(|(_, told)| told),
            Some("travelling with a dog".into())
        );
        assert_eq!(cut("a hot dog and a cab home"), None);
        assert_eq!(cut("milk and food for my cat to home"), None);
    }

    #[test]
    fn places_and_plain_requests_are_no_instructions() {
        assert_eq!(cut("I'll be at the airport at 6, book me a cab home"), None);
        assert_eq!(cut("a cab from home to work"), None);
        assert_eq!(cut("leave it, I don't need it"), None);
    }
}
