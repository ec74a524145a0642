//! A restaurant named in a food order. A known one is found by its name
//! ("Luigi's Pizzeria", "from Luigi's", "Sakura"); an unknown one is what
//! follows "from" when it is neither a place nor only dishes ("two
//! margherita pizzas from Pizza Palace"): it is the restaurant the person
//! named, never an item and never swapped for another without asking.

use super::amounts::Menu;
use super::places::Mention;
use super::words::Words;
use crate::agents::{item_key, normalize};

/// Words that end a restaurant's name after "from".
const STOPS: &[&str] = &[
    "to",
    "for",
    "please",
    "delivered",
    "deliver",
    "and",
    "at",
    "by",
    "tonight",
    "tomorrow",
    "now",
    "asap",
    "with",
    "then",
    "in",
    "on",
    "thanks",
    "thank",
    "instead",
    "send",
    "sent",
];

/// A restaurant said in an utterance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The catalog's name when known, else the words as written.
    pub name: String,
    pub known: bool,
    pub from: usize,
    pub to: usize,
}

/// The restaurants of the catalogs, to find them by name.
#[derive(Clone, Debug, Default)]
pub struct Restaurants {
    /// (name's words, a short form people use, the name).
    names: Vec<(Vec<String>, Option<String>, String)>,
    /// (a word of what one restaurant is, the name): its cuisine
    /// ("indian") or a word of its dishes no other has ("sushi"), for "the
    /// sushi place", "from the indian".
    kinds: Vec<(String, String)>,
}

/// Whether `word` beside a restaurant's short form would make it part of
/// another name: not a word of asking, a stop, a dish or a pointer.
fn inside_a_name(word: &str, menu: &Menu) -> bool {
    const AROUND: &[&str] = &[
        "from",
        "at",
        "the",
        "order",
        "get",
        "me",
        "us",
        "a",
        "an",
        "i",
        "want",
        "like",
        "some",
        "with",
        "is",
        "in",
        "on",
        "of",
        "try",
        "use",
        "go",
        "instead",
        "again",
        "actually",
        "then",
        "or",
        "but",
        "also",
        "what's",
        "whats",
        "menu",
        "s",
        "'s",
        "does",
        "do",
        "have",
        "has",
        "place",
        "restaurant",
        "please",
        "thanks",
    ];
    // ("luigi's two pepperoni": a count starts the order, not a name.)
    !(STOPS.contains(&word)
        || AROUND.contains(&word)
        || menu.names(word).is_some()
        || super::words::number(word).is_some())
}

impl Restaurants {
    /// `names` are the restaurants; a first word that is no dish (`menu`)
    /// and no everyday word is a short form ("Luigi's", "Sakura").
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>, menu: &Menu) -> Self {
        const EVERYDAY: &[&str] = &["the", "green", "bean", "big", "little", "golden", "royal"];
        let names = names
            .into_iter()
            .map(|name| {
                let words: Vec<String> = normalize(name).split(' ').map(str::to_owned).collect();
                let short = words
                    .first()
                    .filter(|w| {
                        w.len() >= 4
                            && words.len() > 1
                            && !EVERYDAY.contains(&w.as_str())
                            && menu.names(w).is_none()
                    })
                    .cloned();
                (words, short, name.to_owned())
            })
            .collect();
        Self {
            names,
            kinds: Vec::new(),
        }
    }

    /// The same, knowing what each restaurant is: its cuisine, and the
    /// words of its dishes that no other restaurant's dishes have.
    pub fn with_kinds<'a>(
        mut self,
        merchants: impl IntoIterator<Item = (&'a str, &'a str, Vec<&'a str>)>,
    ) -> Self {
        let merchants: Vec<(&str, &str, Vec<&str>)> = merchants.into_iter().collect();
        let words_of = |dishes: &[&str]| -> Vec<String> {
            (dishes.iter())
                .flat_map(|d| normalize(d).split(' ').map(item_key).collect::<Vec<_>>())
                .filter(|w| w.len() >= 4)
                .collect()
        };
        for (at, (name, kind, dishes)) in merchants.iter().enumerate() {
            let others: Vec<String> = (merchants.iter().enumerate())
                .filter(|(k, _)| *k != at)
                .flat_map(|(_, (_, _, d))| words_of(d))
                .collect();
            let mut own: Vec<String> = words_of(dishes)
                .into_iter()
                .filter(|w| !others.contains(w))
                .collect();
            own.sort();
            own.dedup();
            own.push(normalize(kind));
            self.kinds
                .extend(own.into_iter().map(|w| (w, (*name).to_owned())));
        }
        self
    }

    /// Whether `words` name a restaurant by what it is ("order from the
    /// indian place").
    pub fn named_by_kind(&self, words: &Words) -> bool {
        let keys: Vec<String> = words.norm().iter().map(|w| normalize(w)).collect();
        self.of_a_kind(&keys).is_some()
    }

    /// "the sushi place", "the indian", "from the chinese": the restaurant
    /// of that kind, when one is.
    fn of_a_kind(&self, keys: &[String]) -> Option<Named> {
        const PLACE: &[&str] = &["place", "restaurant", "takeaway", "joint", "shop", "one"];
        (0..keys.len()).find_map(|i| {
            if keys[i] != "the" {
                return None;
            }
            let word = keys.get(i + 1)?;
            let (_, name) = self.kinds.iter().find(|(k, _)| *k == item_key(word))?;
            let place = keys.get(i + 2).is_some_and(|w| PLACE.contains(&w.as_str()));
            let from = i > 0 && matches!(keys[i - 1].as_str(), "from" | "at");
            (place || from).then(|| Named {
                name: name.clone(),
                known: true,
                from: i,
                to: i + 2 + usize::from(place),
            })
        })
    }

    /// The restaurant `words` name, outside the places found in them.
    pub fn find(&self, words: &Words, menu: &Menu, places: &[Mention]) -> Option<Named> {
        let keys: Vec<String> = words.norm().iter().map(|w| normalize(w)).collect();
        for i in 0..keys.len() {
            for (name, short, full) in &self.names {
                let end = i + name.len();
                if end <= keys.len() && keys[i..end] == name[..] {
                    return Some(Named {
                        name: full.clone(),
                        known: true,
                        from: i,
                        to: end,
                    });
                }
                // A short form alone, not inside a longer name errand
                // does not know ("golden dragon palace" is no Dragon Wok).
                let short_form = short.as_ref().is_some_and(|s| {
                    keys[i] == *s
                        || keys[i].strip_suffix('s') == Some(s.as_str())
                        || s.strip_suffix('s') == Some(keys[i].as_str())
                });
                let said_short = short_form
                    && (i == 0 || !inside_a_name(&keys[i - 1], menu))
                    && keys
                        .get(i + 1)
                        .is_none_or(|next| !inside_a_name(next, menu));
                if said_short {
                    return Some(Named {
                        name: full.clone(),
                        known: true,
                        from: i,
                        to: i + 1,
                    });
                }
            }
        }
        if let Some(named) = self.of_a_kind(&keys) {
            return Some(named);
        }
        // "from X": a restaurant errand does not know, unless X is a place
        // or only dishes.
        let from = keys.iter().position(|k| k == "from")?;
        let start = from + 1;
        if places
            .iter()
            .any(|p| p.from <= start && start < p.to && p.known)
        {
            return None;
        }
        let mut end = start;
        while end < keys.len() && !STOPS.contains(&keys[end].as_str()) {
            end += 1;
        }
        let said = &keys[start..end];
        let said = match said.first().map(String::as_str) {
            Some("the") => &said[1..],
            _ => said,
        };
        let dishes_only = said
            .iter()
            .all(|w| menu.names(w).is_some() || item_key(w).is_empty());
        // "from there", "from them": no name at all.
        const POINTING: &[&str] = &[
            "there",
            "here",
            "them",
            "it",
            "that",
            "this",
            "same",
            "anywhere",
            "somewhere",
            "wherever",
            "any",
            "you",
            "me",
            "my",
            "your",
        ];
        let pointing = said.first().is_some_and(|w| POINTING.contains(&w.as_str()));
        if said.is_empty() || dishes_only || pointing || said.len() > 5 {
            return None;
        }
        let first = end - said.len();
        Some(Named {
            name: words.span(first, end).to_owned(),
            known: false,
            from: first,
            to: end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::places::Places;

    fn restaurants() -> (Restaurants, Menu) {
        let menu = Menu::new(
            ["margherita pizza", "cheeseburger", "sushi platter"],
            [
                ("pizza", "margherita pizza"),
                ("burger", "cheeseburger"),
                ("sushi", "sushi platter"),
            ],
        );
        let r = Restaurants::new(
            [
                "Luigi's Pizzeria",
                "Burger Barn",
                "Sakura Sushi",
                "Green Bowl",
            ],
            &menu,
        )
        // (As the catalogs give them.)
        .with_kinds([
            ("Luigi's Pizzeria", "italian", vec!["margherita pizza"]),
            ("Sakura Sushi", "japanese", vec!["sushi platter"]),
            ("Burger Barn", "american", vec!["cheeseburger"]),
        ]);
        (r, menu)
    }

    fn find(text: &str) -> Option<(String, bool)> {
        let (r, menu) = restaurants();
        let words = Words::new(text);
        let places = Places::default().mentions(&words);
        r.find(&words, &menu, &places).map(|n| (n.name, n.known))
    }

    #[test]
    fn restaurants_by_what_they_are() {
        assert_eq!(
            find("from the sushi place"),
            Some(("Sakura Sushi".into(), true))
        );
        assert_eq!(
            find("the italian one"),
            Some(("Luigi's Pizzeria".into(), true))
        );
        assert_eq!(
            find("from the american"),
            Some(("Burger Barn".into(), true))
        );
        // (Not a kind alone, with no place nor "from": "the pizza".)
        assert_eq!(find("i want the pizza"), None);
    }

    #[test]
    fn known_restaurants_by_name_or_short_form() {
        assert_eq!(
            find("a pizza from Luigi's Pizzeria"),
            Some(("Luigi's Pizzeria".into(), true))
        );
        assert_eq!(
            find("a pizza from luigis"),
            Some(("Luigi's Pizzeria".into(), true))
        );
        assert_eq!(
            find("sushi from Sakura to work"),
            Some(("Sakura Sushi".into(), true))
        );
        assert_eq!(
            find("a cheeseburger from burger barn"),
            Some(("Burger Barn".into(), true))
        );
    }

    #[test]
    fn unknown_restaurants_after_from() {
        assert_eq!(
            find("two margherita pizzas from Pizza Palace to 10 Downing Street"),
            Some(("Pizza Palace".into(), false))
        );
        assert_eq!(
            find("a burger from McDonald's"),
            Some(("McDonald's".into(), false))
        );
        assert_eq!(
            find("order chow mein from golden sakura palace to 12 fleet street"),
            Some(("golden sakura palace".into(), false)),
            "a short form inside another name"
        );
    }

    #[test]
    fn places_and_dishes_are_no_restaurants() {
        assert_eq!(find("a burger from home"), None);
        assert_eq!(find("order me a burger"), None);
        assert_eq!(find("a ride from the airport"), None);
        assert_eq!(find("a lasagna from there to work"), None);
        assert_eq!(find("a pizza from anywhere"), None);
    }
}
