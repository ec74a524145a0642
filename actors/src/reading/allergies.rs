//! An allergy said anywhere in the words: "I'm allergic to nuts, can I
//! get a kung pao chicken", "I have a peanut allergy. pad thai to home",
//! "satay to home, severe peanut allergy in the house", "(nut allergy)".
//! It goes with every thing ordered, as its note, so the kitchen is told
//! whatever line it was said beside; and the allergen is never a place
//! ("allergic to peanuts" delivers nothing to "peanuts").

use super::words::Words;

/// What people are allergic to.
const ALLERGENS: &[&str] = &[
    "nuts",
    "nut",
    "peanuts",
    "peanut",
    "tree",
    "shellfish",
    "fish",
    "gluten",
    "wheat",
    "dairy",
    "milk",
    "lactose",
    "eggs",
    "egg",
    "soy",
    "soya",
    "sesame",
    "celery",
    "mustard",
    "sulphites",
    "lupin",
    "molluscs",
    "crustaceans",
    "prawns",
    "prawn",
    "shrimp",
    "seafood",
    "coconut",
    "almonds",
    "almond",
    "cashews",
    "cashew",
    "walnuts",
    "pistachios",
    "hazelnuts",
    "pecans",
];

/// An allergy said in `words`: its note ("allergic to nuts", "peanut
/// allergy") and the words it takes (`from..to`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allergy {
    pub note: String,
    pub from: usize,
    pub to: usize,
}

/// The first allergy `words` say, if any.
pub fn said(words: &Words) -> Option<Allergy> {
    let w = words.norm();
    let allergen = |i: usize| w.get(i).is_some_and(|x| ALLERGENS.contains(&x.as_str()));
    // ("allergic to pineapple": whatever follows "allergic to", one word.)
    let something = |i: usize| {
        w.get(i).is_some_and(|x| {
            x.len() >= 3
                && x.chars().all(char::is_alphabetic)
                && !matches!(
                    x.as_str(),
                    "the" | "any" | "some" | "all" | "things" | "stuff" | "cats" | "dogs"
                )
        })
    };
    for i in 0..w.len() {
        match w[i].as_str() {
            // "allergic to nuts", "intolerant to lactose", "an allergy to
            // sesame": the allergens after it, joined by "and" or "or".
            "allergic" | "intolerant" | "allergy" | "allergies"
                if w.get(i + 1).is_some_and(|x| x == "to")
                    && (allergen(i + 2) || w[i] == "allergic" && something(i + 2)) =>
            {
                let mut to = i + 3;
                while allergen(to)
                    || (matches!(w.get(to).map(String::as_str), Some("and" | "or"))
                        && allergen(to + 1))
                {
                    to += 1;
                }
                let what = words.span(i + 2, to).to_lowercase();
                return Some(Allergy {
                    note: format!("allergic to {what}"),
                    from: i,
                    to,
                });
            }
            // "a peanut allergy", "tree nut allergies", "lactose
            // intolerant", "gluten intolerance".
            "allergy" | "allergies" | "intolerance" | "intolerant" if i > 0 && allergen(i - 1) => {
                let mut from = i - 1;
                while from > 0 && allergen(from - 1) {
                    from -= 1;
                }
                return Some(Allergy {
                    note: words.span(from, i + 1).to_lowercase(),
                    from,
                    to: i + 1,
                });
            }
            "coeliac" | "celiac" => {
                return Some(Allergy {
                    note: "coeliac: no gluten".into(),
                    from: i,
                    to: i + 1,
                });
            }
            _ => {}
        }
    }
    None
}

/// `note` with the allergy's `said` beside it, unless it says it already.
pub fn noted(note: Option<String>, said: &str) -> String {
    match note {
        Some(note) if note.contains("allerg") || note.contains(said) => note,
        Some(note) if !note.is_empty() => format!("{note}, {said}"),
        _ => said.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::said;
    use crate::reading::words::Words;

    fn note(text: &str) -> Option<String> {
        said(&Words::new(text)).map(|a| a.note)
    }

    #[test]
    fn an_allergy_is_read_wherever_it_is_said() {
        assert_eq!(
            note("I'm allergic to nuts, can I get a kung pao chicken delivered home").as_deref(),
            Some("allergic to nuts")
        );
        assert_eq!(
            note("I have a peanut allergy. pad thai to home please").as_deref(),
            Some("peanut allergy")
        );
        assert_eq!(
            note("satay to home, severe tree nut allergy in the house").as_deref(),
            Some("tree nut allergy")
        );
        assert_eq!(
            note("pad thai (nut allergy) to home").as_deref(),
            Some("nut allergy")
        );
        assert_eq!(
            note("allergic to shellfish and sesame").as_deref(),
            Some("allergic to shellfish and sesame")
        );
        assert_eq!(
            note("I'm lactose intolerant").as_deref(),
            Some("lactose intolerant")
        );
        assert_eq!(
            note("my son is coeliac").as_deref(),
            Some("coeliac: no gluten")
        );
    }

    #[test]
    fn no_allergy_without_an_allergen() {
        assert_eq!(note("a pad thai to home"), None);
        assert_eq!(note("are there allergy labels"), None);
        assert_eq!(note("allergic to cats"), None);
        assert_eq!(
            note("my son is allergic to pineapple").as_deref(),
            Some("allergic to pineapple")
        );
    }
}
