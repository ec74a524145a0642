//! Words with their places in the text, and number words: shared by the
//! rule reader and the trained model.

/// One word of the utterance with where it stands in the original text.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// Lower case, letters and digits only.
    pub norm: String,
    pub start: usize,
    pub end: usize,
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || ((c == '\'' || c == '’') && current.is_some()) {
            let entry = current.get_or_insert_with(|| (i, String::new()));
            if c.is_alphanumeric() {
                entry.1.extend(c.to_lowercase());
            }
        } else if let Some((start, norm)) = current.take() {
            tokens.push(Token {
                norm,
                start,
                end: i,
            });
        }
    }
    if let Some((start, norm)) = current {
        tokens.push(Token {
            norm,
            start,
            end: text.len(),
        });
    }
    // A trailing apostrophe belongs to no word ("drivers'").
    tokens
}

pub(crate) fn number_word(word: &str) -> Option<u32> {
    Some(match word {
        "a" | "an" | "one" | "single" => 1,
        "two" | "couple" | "pair" => 2,
        "three" | "few" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" | "dozen" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        _ => {
            let digits = word.trim_end_matches('x');
            if !digits.is_empty() && digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit())
            {
                return digits.parse().ok();
            }
            return None;
        }
    })
}

/// Where a clock time that starts at word `i` ends: "16:15", "6pm", "6 pm",
/// "7 o'clock", "noon". Dates and durations are not clock times.
pub(crate) fn clock_end(text: &str, tokens: &[Token], i: usize) -> Option<usize> {
    let word = tokens.get(i)?.norm.as_str();
    if matches!(word, "noon" | "midnight") {
        return Some(i + 1);
    }
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    let rest = &word[digits..];
    let suffix = |end: usize| {
        tokens
            .get(end)
            .filter(|t| matches!(t.norm.as_str(), "am" | "pm" | "oclock"))
            .map_or(end, |_| end + 1)
    };
    if (1..=2).contains(&digits) && rest.is_empty() {
        // "16:15": hours, a colon, two digits of minutes.
        if let Some(minutes) = tokens.get(i + 1)
            && minutes.norm.len() == 2
            && minutes.norm.chars().all(|c| c.is_ascii_digit())
            && text[tokens[i].end..minutes.start].trim() == ":"
        {
            return Some(suffix(i + 2));
        }
        return (suffix(i + 1) > i + 1).then_some(i + 2);
    }
    if (1..=4).contains(&digits) && matches!(rest, "am" | "pm") {
        return Some(i + 1);
    }
    // "six pm", "five thirty am"
    if number_word(word).is_some_and(|n| n <= 12) && digits == 0 {
        let mut end = i + 1;
        if tokens
            .get(end)
            .is_some_and(|t| matches!(t.norm.as_str(), "fifteen" | "thirty" | "fortyfive"))
        {
            end += 1;
        }
        let with = suffix(end);
        return (with > end).then_some(with);
    }
    None
}

/// Whether word `i` is part of a clock time (so not a count of seats or of
/// things).
pub(crate) fn in_clock(text: &str, tokens: &[Token], i: usize) -> bool {
    (i.saturating_sub(1)..=i).any(|start| clock_end(text, tokens, start).is_some_and(|end| end > i))
}

/// Whether a sentence or clause ends between word `i - 1` and word `i`
/// ("the fez club. Can you help?").
pub(crate) fn clause_break(text: &str, tokens: &[Token], i: usize) -> bool {
    i > 0
        && i < tokens.len()
        && text[tokens[i - 1].end..tokens[i].start].contains(['.', '?', '!', ',', ';'])
}

/// Units of time: a number before one says how long ("in two hours"),
/// never how many seats or things.
pub(crate) const DURATIONS: &[&str] = &[
    "hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "second", "seconds", "day",
    "days", "week", "weeks", "month", "months", "year", "years",
];

/// Words after a number that make it no count of things: arithmetic,
/// money, measures, people, and what ends a phrase.
const NOT_COUNTED: &[&str] = &[
    "and", "or", "plus", "minus", "times", "x", "divided", "over", "by", "to", "from", "of",
    "more", "in", "on", "at", "is", "are", "it", "too", "also", "as", "equals", "percent", "am",
    "pm", "oclock", "dollars", "dollar", "pounds", "euros", "cents", "degrees", "miles", "km",
    "people", "persons", "please", "for", "with", "now", "then", "thanks", "thank",
];

/// Whether word `at` can be a thing counted by the number before it ("3
/// pies"), not arithmetic, a unit, a time or the end ("add 5 and 89",
/// "in 2 hours", "add 5 please").
pub(crate) fn counts_a_thing(tokens: &[Token], at: usize) -> bool {
    tokens.get(at).is_some_and(|t| {
        t.norm.chars().all(char::is_alphabetic)
            && number_word(&t.norm).is_none()
            && !NOT_COUNTED.contains(&t.norm.as_str())
            && !DURATIONS.contains(&t.norm.as_str())
    })
}

/// Whether any of `words` is said.
pub(crate) fn mentions(tokens: &[Token], words: &[&str]) -> bool {
    tokens.iter().any(|t| words.contains(&t.norm.as_str()))
}
