//! A second choice said with a thing: "coffee, and if there's no coffee
//! get tea", "salmon, or chicken breast if there's no salmon", "oat milk,
//! and if they're out any milk is fine". The second choice is no thing of
//! its own: it goes with the first as its line's note
//! ([`crate::agents::backup_note`]), and the shop takes it only when the
//! first is out.

use super::markers::Markers;
use super::words::Words;
use crate::agents::{backup_note, item_key};
use errand_schemas::{SlotMap, SlotValue};
use std::sync::LazyLock;

/// What is taken when a thing is out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backup {
    /// The thing it stands in for, as said ("coffee"); `None` when the
    /// words leave it to the thing before them ("if they're out").
    pub of: Option<String>,
    /// The second choice, as said ("tea").
    pub instead: String,
}

/// How "not there" is said after "if": what follows, if anything, is the
/// thing that may be out.
const OUT: &[&str] = &[
    // (A pronoun for the thing before: "if they don't have it".)
    "if they don't have it",
    "if they dont have it",
    "if they don't have them",
    "if they dont have them",
    "if they don't have any",
    "if they dont have any",
    "if they haven't got it",
    "if they haven't got any",
    "if you can't get it",
    "if you cant get it",
    "if you can't get them",
    "if you can't find it",
    "if you cant find it",
    "if it's not there",
    "if they've run out",
    "if there's no ",
    "if there is no ",
    "if there isn't any ",
    "if there aren't any ",
    "if there's none of ",
    "if they have no ",
    "if they've no ",
    "if they don't have any ",
    "if they don't have ",
    "if they dont have ",
    "if they haven't got any ",
    "if they haven't got ",
    "if you can't get ",
    "if you cant get ",
    "if they're out of ",
    "if theyre out of ",
    "if they are out of ",
    "if it's out of ",
    "if out of ",
    "if no ",
    "if not ",
    "if there's none",
    "if there are none",
    "if there isn't any",
    "if there aren't any",
    "if they're out",
    "if theyre out",
    "if they are out",
    "if it's out",
    "if it's not available",
    "if it isn't available",
    "if unavailable",
    "if not available",
    "if none",
];

/// Words around the second choice that say nothing of it.
const LEADS: &[&str] = &[
    "then ",
    "get ",
    "just get ",
    "get me ",
    "grab ",
    "buy ",
    "i'll take ",
    "i'll have ",
    "use ",
    "go for ",
    "any ",
    "some ",
    "a ",
    "an ",
];
const TAILS: &[&str] = &[
    " instead",
    " is fine",
    " is ok",
    " is okay",
    " will do",
    " then",
    " please",
    " is good",
    " works",
    " would be fine",
    " would do",
];

/// The words without their second choice, and the choice; `None` when
/// none is said.
pub fn said(text: &str) -> Option<(String, Backup)> {
    // "oat milk or if not normal milk", "oat milk, if not normal milk":
    // the second choice after "if not", as "if they're out" says it.
    let lower = text.to_ascii_lowercase();
    let or_if_not = [" or if not, ", " or if not ", ", if not, ", ", if not "]
        .iter()
        .find_map(|m| lower.find(m).map(|at| (at, m.len())))
        .filter(|_| lower.len() == text.len());
    let rewritten;
    let text = match or_if_not {
        Some((at, len)) => {
            rewritten = format!("{} and if they're out {}", &text[..at], &text[at + len..]);
            rewritten.as_str()
        }
        None => text,
    };
    // ASCII case only, so positions in `lower` are positions in `text`.
    let lower = text.to_ascii_lowercase().replace('’', "'");
    if lower.len() != text.len() {
        return None;
    }
    static OUT_AT: LazyLock<Markers> = LazyLock::new(|| Markers::new(OUT));
    let (marker, at) = OUT_AT.first_in(&lower)?;
    let after = at + marker.len();
    // The thing that may be out, when one is named: up to a stop or a verb.
    let (of, rest_at) = if marker.ends_with(' ') {
        let tail = &lower[after..];
        let end = [
            ",", ".", ";", " get ", " then ", " just ", " grab ", " buy ", " - ",
        ]
        .iter()
        .filter_map(|s| tail.find(s))
        .min()
        .unwrap_or(tail.len());
        let of = text[after..after + end].trim();
        let of = strip_leads(of);
        ((!of.is_empty()).then(|| of.to_owned()), after + end)
    } else {
        (None, after)
    };
    let rest = &lower[rest_at..];
    let rest_text = &text[rest_at..];
    // "salmon, or chicken breast if there's no salmon", "soy milk, oat if
    // they don't have soy": the choice right before the "if", the clause
    // ending there.
    let before = lower[..at].trim_end();
    let opens = [", or ", " or ", ", "]
        .iter()
        .filter_map(|s| before.rfind(s).map(|k| (k, s.len())))
        .max();
    let clause_ends = rest.trim_start().is_empty()
        || rest.trim_start().starts_with(['.', ',', ';', '!'])
        || rest.trim_start().starts_with("- ");
    if let Some((k, len)) = opens
        && clause_ends
    {
        let choice = clean(&text[k + len..before.len()]);
        if !choice.is_empty() && choice.split_whitespace().count() <= 4 {
            let kept = format!("{}{}", &text[..k], &text[rest_at..]);
            return Some((
                tidy(&kept),
                Backup {
                    of,
                    instead: choice,
                },
            ));
        }
    }
    // "if there's no coffee get tea instead", "if you can't get rice, pasta
    // is fine": the choice after the condition, to the end of its sentence.
    let body = rest_text.trim_start_matches([',', ' ']);
    let skipped = rest_text.len() - body.len();
    let end = body.find(['.', ';', '!', ',']).unwrap_or(body.len());
    let choice = clean(&body[..end]);
    if choice.is_empty() || choice.split_whitespace().count() > 4 {
        return None;
    }
    // The clause goes from its joining words ("and if", "- if", ", if").
    let start = [", and ", " and ", ", or ", " or ", " - ", ", ", ". "]
        .iter()
        .find_map(|j| lower[..at].ends_with(j).then(|| at - j.len()))
        .unwrap_or(at);
    let kept = format!("{}{}", &text[..start], &text[rest_at + skipped + end..]);
    Some((
        tidy(&kept),
        Backup {
            of,
            instead: choice,
        },
    ))
}

/// The choice without the words around it ("get tea instead" is "tea").
fn clean(choice: &str) -> String {
    let mut choice = strip_leads(choice.trim());
    loop {
        let lower = choice.to_ascii_lowercase();
        let Some(tail) = TAILS.iter().find(|t| lower.ends_with(*t)) else {
            break;
        };
        choice = choice[..choice.len() - tail.len()].trim_end();
    }
    choice.trim_end_matches(['.', '!', '?']).trim().to_owned()
}

fn strip_leads(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(lead) = LEADS
        .iter()
        .find(|l| text.to_ascii_lowercase().starts_with(*l))
    {
        text = text[lead.len()..].trim_start();
    }
    text
}

/// `text` without the doubled spaces and the stray stops a cut leaves.
fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    joined
        .replace(" .", ".")
        .replace(" ,", ",")
        .replace(",.", ".")
        .trim_matches([',', ' '])
        .to_owned()
}

impl Backup {
    /// Gives the line it stands in for its note: the line named by what
    /// may be out, else the only line, else the last. When what may be
    /// out is no thing of its own (`is_thing`) but a kind of it, the
    /// second choice is that thing of the other kind: "oat" for soy of
    /// "soy milk" is oat milk. Returns whether a line took it.
    pub fn attach(&self, slots: &mut SlotMap, is_thing: impl Fn(&str) -> bool) -> bool {
        let Some(SlotValue::Items(items)) = slots.get_mut("item") else {
            return false;
        };
        let of = self.of.as_deref().map(item_key);
        let named = of.as_deref().and_then(|of| {
            items.iter().position(|i| {
                let name = item_key(&i.name);
                name == of || name.split(' ').any(|w| w == of)
            })
        });
        let Some(at) = named.or(items.len().checked_sub(1)) else {
            return false;
        };
        let line = &mut items[at];
        let instead = match of.as_deref() {
            Some(of)
                if !self.instead.contains(' ')
                    && item_key(&line.name) != of
                    && !is_thing(of)
                    && !is_thing(&self.instead) =>
            {
                let words = Words::new(&line.name);
                let w = words.norm();
                if w.iter().any(|w| item_key(w) == of) {
                    // "soy milk" of the line: that word swapped.
                    let swapped: Vec<&str> = (w.iter())
                        .map(|w| match item_key(w) == of {
                            true => self.instead.as_str(),
                            false => w.as_str(),
                        })
                        .collect();
                    swapped.join(" ")
                } else {
                    // "milk (soy)": the other kind of milk.
                    format!("{} {}", self.instead, line.name)
                }
            }
            _ => self.instead.clone(),
        };
        let note = backup_note(&instead);
        line.note = Some(match line.note.take() {
            Some(before) => format!("{before}, {note}"),
            None => note,
        });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str) -> Option<(String, Option<String>, String)> {
        said(text).map(|(rest, b)| (rest, b.of, b.instead))
    }

    #[test]
    fn a_second_choice_after_the_condition() {
        assert_eq!(
            cut("some coffee to home, if no coffee get tea instead"),
            Some((
                "some coffee to home".into(),
                Some("coffee".into()),
                "tea".into()
            ))
        );
        assert_eq!(
            cut("rice to home - if you can't get rice, pasta is fine"),
            Some(("rice to home".into(), Some("rice".into()), "pasta".into()))
        );
        assert_eq!(
            cut("oat milk to home and if they're out, any milk is fine"),
            Some(("oat milk to home".into(), None, "milk".into()))
        );
        assert_eq!(
            cut("milk to home. if there's no milk, get orange juice"),
            Some((
                "milk to home".into(),
                Some("milk".into()),
                "orange juice".into()
            ))
        );
    }

    #[test]
    fn a_second_choice_before_the_condition() {
        assert_eq!(
            cut("send salmon home, or chicken breast if there's no salmon"),
            Some((
                "send salmon home".into(),
                Some("salmon".into()),
                "chicken breast".into()
            ))
        );
        assert_eq!(
            cut("soy milk please, oat if they don't have soy. home"),
            Some((
                "soy milk please. home".into(),
                Some("soy".into()),
                "oat".into()
            ))
        );
    }

    #[test]
    fn words_without_a_second_choice_are_as_said() {
        assert_eq!(cut("milk and eggs to home"), None);
        assert_eq!(cut("a cab if it's not raining"), None);
        assert_eq!(cut("if you can, get me a latte"), None);
    }

    #[test]
    fn the_note_goes_on_the_line_that_may_be_out() {
        use errand_schemas::ItemRequest;
        let mut slots = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![
                ItemRequest::new("soy milk", 1),
                ItemRequest::new("bread", 1),
            ]),
        )]);
        let (_, backup) = said("soy milk and bread, oat if they don't have soy").unwrap();
        assert!(backup.attach(&mut slots, |t| ["milk", "bread"].contains(&t)));
        let Some(SlotValue::Items(items)) = slots.get("item") else {
            panic!("items");
        };
        assert_eq!(
            items[0].note.as_deref(),
            Some(backup_note("oat milk").as_str())
        );
        assert_eq!(items[1].note, None);
    }
}
