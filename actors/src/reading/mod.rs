//! What errand reads itself in every utterance, whichever reader (the
//! offline one or an LLM) found the request: typos and emoji
//! ([`spelling`]), items with their amounts and notes ([`amounts`]),
//! restaurants ([`merchants`]), places ([`places`]), times ([`when`]), a
//! count, time or car corrected as it is said ([`repairs`]), and
//! the conversation's own acts: yes, no, questions, cancelling a placed
//! order ([`acts`]), and the requests of domains the trained reader does
//! not know, as their examples show them ([`examples`]).
//!
//! [`Reading::ground`] checks a reader's slots against the words: a
//! quantity binds to its own item, a named restaurant is the restaurant
//! (never an item), a unit is an amount (never an item), a time becomes
//! `pickup_at`. The vocabulary comes from the registered domains'
//! catalogs, so a new domain's goods are read too.

pub mod acts;
pub mod allergies;
pub mod amounts;
pub mod backups;
pub mod examples;
pub mod instructions;
pub mod markers;
pub mod merchants;
pub mod places;
pub mod repairs;
pub mod spelling;
pub mod when;
pub mod words;

use crate::agents::catalog::{LANDMARKS, STREETS};
use crate::registry::{DomainRegistry, SlotKind};
use amounts::Menu;
use errand_schemas::{ItemRequest, SlotMap, SlotValue};
use examples::{Taken, Taught};
use merchants::Restaurants;
use places::{Mention, Places};
use spelling::Speller;
use std::collections::BTreeMap;
use words::{Words, number};

pub use jiff::tz::TimeZone;

/// Everything the reading needs, built once from the registry.
#[derive(Clone)]
pub struct Reading {
    speller: Speller,
    /// The menu of each action that takes items (by action name).
    menus: BTreeMap<String, Menu>,
    /// The restaurants of each action that takes a restaurant.
    restaurants: BTreeMap<String, Restaurants>,
    /// The kinds of its shops ("chinese", "indian") of each action that
    /// takes a cuisine.
    cuisines: BTreeMap<String, Vec<String>>,
    places: Places,
    /// What the domains' examples teach.
    taught: Taught,
    /// The sessions' time zone.
    pub tz: TimeZone,
    registry: DomainRegistry,
}

impl Reading {
    pub fn new(registry: &DomainRegistry, tz: TimeZone) -> Self {
        let mut menus = BTreeMap::new();
        let mut restaurants = BTreeMap::new();
        let mut cuisines = BTreeMap::new();
        let mut vocabulary: Vec<String> = Vec::new();
        for (domain, agent) in registry.agents() {
            let catalog = agent.catalog();
            let Some(spec) = registry.spec(domain) else {
                continue;
            };
            let names: Vec<&str> = catalog
                .merchants
                .iter()
                .flat_map(|m| m.items.iter().map(|(n, _)| n.as_str()))
                .collect();
            let menu = Menu::new(
                names.iter().copied(),
                catalog
                    .aliases
                    .iter()
                    .map(|(a, n)| (a.as_str(), n.as_str())),
            )
            .packed(catalog.packs.iter().map(|(n, size)| (n.as_str(), *size)))
            .portioned(catalog.portions.iter().map(|(n, size)| (n.as_str(), *size)))
            .kinds(
                (catalog.kinds.iter())
                    .map(|(kind, names)| (kind.as_str(), names.iter().map(String::as_str))),
            )
            .varieties(
                (catalog.varieties.iter()).map(|(variety, name)| (variety.as_str(), name.as_str())),
            );
            vocabulary.extend(names.iter().map(|n| (*n).to_owned()));
            vocabulary.extend(catalog.aliases.iter().map(|(a, _)| a.clone()));
            vocabulary.extend(catalog.varieties.iter().map(|(v, _)| v.clone()));
            vocabulary.extend(catalog.merchants.iter().map(|m| m.name.clone()));
            vocabulary.extend(catalog.merchants.iter().map(|m| m.kind.clone()));
            for action in &spec.actions {
                if action.slots.iter().any(|s| s.kind == SlotKind::Items) {
                    menus.insert(action.name.clone(), menu.clone());
                }
                if action.slot("cuisine").is_some() {
                    let kinds = catalog.merchants.iter().map(|m| m.kind.to_lowercase());
                    cuisines.insert(action.name.clone(), kinds.collect::<Vec<_>>());
                }
                if action.slot("restaurant").is_some() {
                    restaurants.insert(
                        action.name.clone(),
                        Restaurants::new(catalog.merchants.iter().map(|m| m.name.as_str()), &menu)
                            .with_kinds(catalog.merchants.iter().map(|m| {
                                let dishes = m.items.iter().map(|(n, _)| n.as_str()).collect();
                                (m.name.as_str(), m.kind.as_str(), dishes)
                            })),
                    );
                }
            }
        }
        // (What no catalog names, each menu knows: "salt and pepper".)
        let known: std::collections::BTreeSet<String> =
            menus.values().flat_map(Menu::words).collect();
        for menu in menus.values_mut() {
            menu.know_elsewhere(&known);
        }
        vocabulary.extend(LANDMARKS.iter().flat_map(|(n, aliases, _, _)| {
            std::iter::once((*n).to_owned()).chain(aliases.iter().map(|a| (*a).to_owned()))
        }));
        vocabulary.extend(STREETS.iter().map(|(n, _, _)| (*n).to_owned()));
        vocabulary.extend(amounts::size_words().iter().map(|w| (*w).to_owned()));
        Self {
            speller: Speller::new(vocabulary.iter().map(String::as_str)),
            menus,
            restaurants,
            cuisines,
            places: Places::default(),
            taught: Taught::new(registry),
            tz,
            registry: registry.clone(),
        }
    }

    /// The time zone named `name` (IANA, "Europe/London").
    pub fn time_zone(name: &str) -> Result<TimeZone, String> {
        TimeZone::get(name).map_err(|e| format!("unknown time zone {name:?}: {e}"))
    }

    /// `text` with typos corrected and emoji as words.
    pub fn fix(&self, text: &str) -> String {
        joined_words(&self.speller.fix(text))
    }

    /// Whether a time said ([`Reading::ground`]'s) is more than an hour
    /// away ("at 7pm" at noon, "tomorrow"), not about now ("tonight" at
    /// 7pm).
    pub fn is_later(said: &when::Found, now_ms: u64) -> bool {
        said.rfc3339
            .parse::<jiff::Timestamp>()
            .is_ok_and(|at| at.as_millisecond() - timestamp(now_ms).as_millisecond() > 3_600_000)
    }

    /// The first time `words` say outside the known `places` in them: a
    /// house number is no time ("to 15 Abbey Road" is not 3pm), so the
    /// time is looked for again after the place.
    fn time_said(&self, words: &Words, places: &[Mention], now_ms: u64) -> Option<when::Found> {
        // (Its own words, not a place between them: "tomorrow from home to
        // King's Cross at 6" is tomorrow's 6.)
        let within = |found: &when::Found| {
            let holds = |p: &Mention, k: usize| p.from <= k && k < p.to;
            places
                .iter()
                .find(|p| p.known && (holds(p, found.from) || holds(p, found.to - 1)))
                .map(|p| p.to)
        };
        // "20 bananas", "18 eggs": a count of things, not a clock time.
        let counts_a_thing = |found: &when::Found| {
            let w = words.norm();
            found.to == found.from + 1
                && number(&w[found.from]).is_some()
                && w.get(found.to).is_some_and(|next| {
                    next.chars().all(char::is_alphabetic)
                        && !matches!(
                            next.as_str(),
                            "am" | "pm"
                                | "oclock"
                                | "o'clock"
                                | "tonight"
                                | "tomorrow"
                                | "today"
                                | "sharp"
                                | "ish"
                                | "please"
                                | "thanks"
                                | "then"
                                | "instead"
                                | "latest"
                                | "at"
                                | "on"
                                | "from"
                                | "to"
                                | "and"
                                | "for"
                        )
                })
        };
        // A time inside a place or a count is none: look on after it.
        let skip =
            |found: &when::Found| within(found).or(counts_a_thing(found).then_some(found.to));
        let mut time = when::find(&words.text, timestamp(now_ms), &self.tz);
        for _ in 0..4 {
            let Some(after) = time.as_ref().and_then(skip) else {
                return time;
            };
            time = words.words.get(after).and_then(|w| {
                let mut later = when::find(&words.text[w.start..], timestamp(now_ms), &self.tz)?;
                later.from += after;
                later.to += after;
                Some(later)
            });
        }
        time.filter(|found| skip(found).is_none())
    }

    /// Whether `text` names something a menu or shelf has.
    pub fn names_any_thing(&self, text: &str) -> bool {
        self.menus.values().any(|menu| names_known(text, menu))
    }

    /// Whether `text` is, word for word, a name some menu has for a thing
    /// ("vegetarian pizza", "veggie pizza"; not "large pizza").
    pub fn is_a_name(&self, text: &str) -> bool {
        self.menus.values().any(|menu| menu.names(text).is_some())
    }

    /// Where `text` names, with its amount, the thing `said` names (word
    /// indices `from..to`): "3 margheritas" in "3 margheritas and 1
    /// pepperoni" for "2 margheritas".
    pub fn same_thing(&self, text: &str, said: &str) -> Option<(usize, usize)> {
        let (words, again) = (Words::new(text), Words::new(said));
        self.menus.values().find_map(|menu| {
            let wanted = amounts::items(&again, menu, &vec![false; again.len()]);
            let [wanted] = &wanted[..] else {
                return None;
            };
            amounts::items(&words, menu, &vec![false; words.len()])
                .into_iter()
                .find(|f| f.known && wanted.known && f.item.name == wanted.item.name)
                .map(|f| (f.from, f.to))
        })
    }

    /// Where the last thing any menu has is named in `text` (word indices
    /// `from..to` of its words).
    pub fn last_thing(&self, text: &str) -> Option<(usize, usize)> {
        let words = Words::new(text);
        let taken = vec![false; words.len()];
        self.menus
            .values()
            .flat_map(|menu| amounts::items(&words, menu, &taken))
            .filter(|f| f.known)
            .map(|f| (f.to - f.named_by, f.to))
            .max_by_key(|(_, to)| *to)
    }

    /// The menu of `action`, if it takes items.
    pub fn menu(&self, action: &str) -> Option<&Menu> {
        self.menus.get(action)
    }

    /// The action `text` asks for when a reader heard none: the one whose
    /// menu names the things said, when only one does ("2 litres of milk
    /// and a dozen eggs" is the mart's), or the one of a domain named with
    /// a request ("I need groceries").
    pub fn claims(&self, text: &str) -> Option<&str> {
        self.claims_as(text, false)
    }

    /// As [`Reading::claims`], and one thing a restaurant and a shop both
    /// sell, said alone as a serving ("coffee to work", "a coffee
    /// please"), is the restaurant's; bought ("buy coffee") or by the pack,
    /// the shop's. For words no reader heard as a request.
    pub fn claims_a_serving(&self, text: &str) -> Option<&str> {
        self.claims_as(text, true)
    }

    fn claims_as(&self, text: &str, serving: bool) -> Option<&str> {
        /// What people say near errand's domains that no order is: a table
        /// to book, tickets, recipes, a car to rent...
        const NO_ORDER: &[&str] = &[
            "table",
            "tables",
            "reservation",
            "reservations",
            "reserve",
            "ticket",
            "tickets",
            "flight",
            "flights",
            "train",
            "trains",
            "bus",
            "hotel",
            "recipe",
            "recipes",
            "weather",
            "review",
            "reviews",
            "rating",
            "ratings",
            "hours",
            "open",
            "rent",
            "rental",
            "hire",
            "insurance",
            "repair",
            "wash",
            "parking",
            "calories",
            "nutrition",
            "cook",
            "cooking",
            "bake",
            "job",
            "list",
            "remind",
            "reminder",
            "alarm",
            "timer",
        ];
        const ASKING_ABOUT: &[&str] = &[
            "how", "what", "why", "when", "where", "who", "which", "is", "are", "does", "do", "did",
        ];
        let words = Words::new(text);
        let w = words.norm();
        if note_kept(w) {
            return None;
        }
        let mentions = self.places.mentions(&words);
        // "the train station" is a place, not a train.
        let in_place = |i: usize| mentions.iter().any(|m| m.known && m.from <= i && i < m.to);
        // (A question asks about things unless it asks for them: "could
        // I get bread delivered home?".)
        // ("3 eggs for a recipe": what the things are for asks nothing.)
        let for_what = |i: usize| (i.saturating_sub(4).max(2)..i).any(|j| w[j] == "for");
        // (A long list is still a list: "2 pints semi skimmed, a loaf of
        // sourdough, 6 eggs, ...".)
        let listed = text.matches(',').count() >= 3;
        if (words.len() > 18 && !listed)
            || (text.contains('?') && !acts::asks_politely(text))
            || w.iter()
                .enumerate()
                .any(|(i, x)| NO_ORDER.contains(&x.as_str()) && !in_place(i) && !for_what(i))
            || w.first()
                .is_some_and(|x| ASKING_ABOUT.contains(&x.as_str()))
        {
            return None;
        }
        // "eggs for breakfast": a meal the things are for names no domain
        // when a shop names the things ("order something for dinner" does).
        let purposes = self.named_domain(&words, true);
        if let Some(action) = self.named_domain(&words, false) {
            return Some(action);
        }
        if let Some((action, _)) = self.taught_at(&words) {
            return Some(action);
        }
        // "from Canary Wharf to the O2": getting somewhere is a ride.
        let said = |preposition: &str| {
            mentions
                .iter()
                .any(|m| m.known && m.after.as_deref() == Some(preposition))
        };
        // "I need to get to Heathrow", "take me to King's Cross": going
        // somewhere, the verb's only object the people going ("get some
        // delivered to my office" sends things).
        let going = mentions.iter().any(|m| {
            // "take me home", "get us home from Soho": home, the verb's
            // object, said without "to".
            let home = m.known
                && m.from >= 2
                && m.text.eq_ignore_ascii_case("home")
                && matches!(w[m.from - 2].as_str(), "get" | "take" | "drive" | "run")
                && matches!(w[m.from - 1].as_str(), "me" | "us" | "them");
            // "need to get home", "how do I get home".
            let home = home
                || m.known
                    && m.from >= 2
                    && m.text.eq_ignore_ascii_case("home")
                    && w[m.from - 1] == "get"
                    && matches!(w[m.from - 2].as_str(), "to" | "i" | "me" | "us" | "we");
            home || m.known
                && m.after.as_deref() == Some("to")
                && (1..=3).any(|k| {
                    m.from > k
                        && matches!(
                            w[m.from - 1 - k].as_str(),
                            "get" | "go" | "take" | "drive" | "head" | "travel" | "lift" | "ride"
                        )
                        && w[m.from - k..m.from - 1].iter().all(|x| {
                            matches!(
                                x.as_str(),
                                "me" | "us" | "them" | "over" | "back" | "down" | "up" | "straight"
                            )
                        })
                })
        });
        let ride = self
            .registry
            .domains()
            .filter_map(|d| self.registry.spec(d))
            .find_map(|spec| {
                spec.actions.iter().find(|a| {
                    a.slot("pickup").is_some_and(|s| s.kind == SlotKind::Place)
                        && a.slot("destination")
                            .is_some_and(|s| s.kind == SlotKind::Place)
                })
            });
        // "book me an XL to Stansted", "a premium from Soho": one of the
        // ride's own choices, right before where it goes or comes from.
        let chosen = ride.is_some_and(|action| {
            mentions.iter().any(|m| {
                m.known
                    && matches!(m.after.as_deref(), Some("to" | "from"))
                    && m.from >= 3
                    && matches!(w[m.from - 3].as_str(), "a" | "an")
                    && action.slots.iter().any(|s| {
                        let word = w[m.from - 2].as_str();
                        s.choices.iter().any(|c| c == word)
                            || s.aliases.iter().any(|(alias, _)| alias == word)
                    })
            })
        });
        // "chinese for 2 to home": a kind of meal, with where it goes or
        // whom it is for.
        let delivered = said("to");
        let for_some = (1..w.len()).any(|i| w[i - 1] == "for" && number(&w[i]).is_some());
        // (Never "a cab from the italian embassy": a word of a place.)
        let placed = |i: usize| mentions.iter().any(|m| m.from <= i && i < m.to);
        let riding = w.iter().any(|x| {
            matches!(
                x.as_str(),
                "cab" | "taxi" | "ride" | "car" | "uber" | "lift" | "driver"
            )
        });
        // ("thai food", "chinese takeaway", "indian please": a cuisine
        // asked for.)
        let food_said = w
            .iter()
            .any(|x| matches!(x.as_str(), "food" | "takeaway" | "takeout"))
            || (w.len() <= 2
                && w.get(1)
                    .is_none_or(|x| matches!(x.as_str(), "please" | "pls")));
        // ("order from the indian place": that restaurant's order.)
        if !riding
            && let Some((action, _)) =
                (self.restaurants.iter()).find(|(_, r)| r.named_by_kind(&words))
        {
            return Some(action.as_str());
        }
        if (delivered || for_some || food_said)
            && !riding
            && let Some((action, _)) = (self.cuisines.iter())
                .find(|(_, kinds)| (0..w.len()).any(|i| a_cuisine_said(w, i, kinds) && !placed(i)))
        {
            return Some(action.as_str());
        }
        // "big car home to heathrow", "a 7 seater work to soho": a car,
        // where it starts right after it, and where it goes.
        let car_then = said("to")
            && ride.is_some_and(|action| {
                mentions.iter().any(|m| {
                    m.known && m.from >= 1 && {
                        let word = w[m.from - 1].as_str();
                        // ("car to airport": the car, then where it goes.)
                        let car_to = word == "to"
                            && m.from >= 2
                            && places::RIDES.contains(&w[m.from - 2].as_str());
                        car_to
                            || places::RIDES.contains(&word)
                            || m.after
                                .as_deref()
                                .is_some_and(|a| places::RIDES.contains(&a))
                            || action.slots.iter().any(|s| {
                                s.choices.iter().any(|c| c == word)
                                    || s.aliases.iter().any(|(alias, _)| alias == word)
                            })
                    }
                })
            });
        // "home to paddington", "2 of us, home to heathrow": a place, then
        // "to" another, said of nothing else.
        let place_to_place = mentions.iter().any(|a| {
            a.known
                && a.after.as_deref() != Some("to")
                && mentions
                    .iter()
                    .any(|b| b.known && b.after.as_deref() == Some("to") && b.from == a.to + 1)
        });
        // "ride home from kings cross", "a cab home from soho": a ride
        // word, where it goes right after it, and where it starts.
        let ride_home_from = said("from")
            && mentions.iter().any(|m| {
                m.known
                    && m.after
                        .as_deref()
                        .is_some_and(|a| places::RIDES.contains(&a))
            });
        let journey = (said("from") && said("to"))
            || going
            || chosen
            || car_then
            || place_to_place
            || ride_home_from;
        if journey && let Some(action) = ride {
            return Some(action.name.as_str());
        }
        let taken = vec![false; words.len()];
        // How much of the words a menu's things take: the words, the words
        // naming them, and fewer things before more.
        // (Then how many are called by their own names: "pasta x3, coffee,
        // tea" is the shop's pasta, coffee and tea, not a carbonara, a
        // latte and a tea.)
        type Covered = (usize, usize, std::cmp::Reverse<usize>, usize);
        let mut best: Option<(&str, Covered)> = None;
        let mut tie = false;
        let mut tied: Vec<&str> = Vec::new();
        let menus: Vec<(&str, Vec<amounts::Found>)> = self
            .menus
            .iter()
            .map(|(action, menu)| {
                let found = amounts::items(&words, menu, &taken);
                (
                    action.as_str(),
                    found
                        .into_iter()
                        .filter(|f| f.known || f.made_of_other)
                        .collect(),
                )
            })
            .collect();
        // "butter chicken and rice": words one menu reads as one thing are
        // that thing, not several things of another ("butter" and
        // "chicken" of the mart).
        let menus: Vec<(&str, Vec<amounts::Found>)> = (menus.iter())
            .map(|(action, found)| {
                let inside_longer = |f: &amounts::Found| {
                    menus.iter().any(|(other, theirs)| {
                        other != action
                            && theirs.iter().any(|g| {
                                g.known
                                    && g.from <= f.from
                                    && f.to <= g.to
                                    && g.named_by > f.named_by
                            })
                    })
                };
                // "latte oat milk", "a cappuccino, skimmed milk": milk said
                // with a coffee is the coffee's, never the mart's.
                let holds_another = |f: &amounts::Found| {
                    f.item.name == "milk"
                        && menus.iter().any(|(other, theirs)| {
                            other != action
                                && theirs.iter().any(|g| {
                                    // (Right after it, or taking it as a note:
                                    // "milk (cappuccino skimmed)".)
                                    g.known
                                        && ((g.to <= f.from && f.from <= g.to + 1)
                                            || (f.from <= g.from
                                                && g.to <= f.to
                                                && (f.item.note.as_deref()).is_some_and(|n| {
                                                    n.contains(g.item.name.as_str())
                                                })))
                                        && crate::agents::catalog::FOOD_KINDS.iter().any(
                                            |(kind, things)| {
                                                *kind == "coffee"
                                                    && things.contains(&g.item.name.as_str())
                                            },
                                        )
                                })
                        })
                };
                let kept = found
                    .iter()
                    .filter(|f| !inside_longer(f) && !holds_another(f))
                    .cloned();
                (*action, kept.collect())
            })
            .collect();
        // "bread for sandwiches": what another shop's thing is for.
        let for_another = |action: &str, f: &amounts::Found| {
            let mut k = f.from;
            if k > 0
                && matches!(
                    w[k - 1].as_str(),
                    "the" | "a" | "an" | "my" | "our" | "some"
                )
            {
                k -= 1;
            }
            k > 0
                && w[k - 1] == "for"
                && menus
                    .iter()
                    .any(|(other, found)| *other != action && found.iter().any(|g| g.to == k - 1))
        };
        for (action, found) in &menus {
            // How many words this menu's things take (with their amounts
            // and extras: "a cheeseburger, no onions" is no onion order),
            // then how many name them ("2 tacos beef" are beef tacos, not
            // beef of a kind "tacos").
            let own_name = |f: &amounts::Found| {
                crate::agents::item_key(words.span(f.to - f.named_by, f.to))
                    == crate::agents::item_key(&f.item.name)
            };
            let found = found.iter().filter(|f| !for_another(action, f)).fold(
                (0, 0, std::cmp::Reverse(0_usize), 0),
                |(all, named, things, own), f| {
                    (
                        all + f.to - f.from,
                        named + f.named_by,
                        std::cmp::Reverse(things.0 + 1),
                        own + usize::from(own_name(f)),
                    )
                },
            );
            // (A thing alone is a serving when a meal's menu has it:
            // "coffee to work", below.)
            let found = match found {
                (all, named, things, _) if things.0 < 2 => (all, named, things, 0),
                found => found,
            };
            // The same words read as fewer things say more ("butter
            // chicken" is one dish, not butter and chicken).
            match best {
                _ if found.0 == 0 => {}
                Some((_, n)) if n == found => {
                    tie = true;
                    tied.push(*action);
                }
                Some((_, n)) if n > found => {}
                _ => {
                    best = Some((action, found));
                    tie = false;
                    tied = vec![*action];
                }
            }
        }
        if tie && let Some(shop) = self.packaged(&words) {
            return Some(shop);
        }
        // (A serving: one thing, neither bought nor packed.)
        let bought = w.iter().any(|x| {
            matches!(
                x.as_str(),
                "buy" | "groceries" | "grocery" | "shopping" | "shop" | "supermarket" | "mart"
            )
        });
        let one_thing = best.is_some_and(|(_, (_, _, things, _))| things.0 == 1);
        if tie
            && serving
            && one_thing
            && !bought
            && let Some(meal) = (tied.iter()).find(|a| self.cuisines.iter().any(|(c, _)| c == *a))
        {
            return Some(meal);
        }
        // "a 6 pack of beer and some crisps": goods by the pack, for the
        // shop to say whether it has them.
        (best.filter(|_| !tie).map(|(action, _)| action))
            .or(purposes)
            .or_else(|| self.packaged(&words))
    }

    /// The action of a domain the trained reader does not know that `text`
    /// asks for, as the domain's examples show it (see [`examples`]).
    pub fn taught(&self, text: &str) -> Option<&str> {
        self.taught_at(&Words::new(text)).map(|(action, _)| action)
    }

    /// Like [`Reading::taught`], only when `text` names a value the
    /// examples gave (a request resembling them is not enough: an answer
    /// to an open question may resemble them too).
    pub fn taught_by_name(&self, text: &str) -> Option<&str> {
        self.taught_at(&Words::new(text))
            .filter(|(_, why)| *why == Taken::Named)
            .map(|(action, _)| action)
    }

    fn taught_at(&self, words: &Words) -> Option<(&str, Taken)> {
        if self.taught.is_empty() {
            return None;
        }
        let places = self.places.mentions(words);
        self.taught.action(words, &places, |text| {
            self.menus.values().any(|menu| names_known(text, menu))
        })
    }

    /// "a jar of sauce", "a bag of rice": things in packs are the
    /// grocer's (the domain that names itself with "groceries").
    fn packaged(&self, words: &Words) -> Option<&str> {
        let w = words.norm();
        let packed = (1..w.len()).any(|i| PACKS.contains(&w[i - 1].as_str()) && w[i] == "of")
            || w.iter()
                .any(|x| matches!(x.as_str(), "litre" | "litres" | "kilo" | "kilos" | "kg"));
        if !packed {
            return None;
        }
        self.registry
            .domains()
            .filter_map(|d| self.registry.spec(d))
            .find(|spec| {
                spec.words
                    .iter()
                    .any(|x| x == "groceries" || x == "grocery")
            })
            .and_then(|spec| spec.actions.first())
            .map(|a| a.name.as_str())
    }

    /// "I need groceries", "get me a taxi": a domain's word, asked for.
    ///
    /// A domain's word after "for" ("eggs for breakfast") is what the
    /// things are for, and names the domain only with `purposes`.
    fn named_domain(&self, words: &Words, purposes: bool) -> Option<&str> {
        // Asking, as the examples' reader hears it, or wanting a meal.
        const WANTING: &[&str] = &[
            "hungry",
            "starving",
            "famished",
            "peckish",
            "fancy",
            "craving",
            "takeaway",
            "takeout",
            "something",
        ];
        const NOT: &[&str] = &["not", "don't", "dont", "never", "no"];
        // "cat food", "baby food": a thing on a shelf, not a meal.
        const FED: &[&str] = &[
            "cat", "cats", "dog", "dogs", "pet", "pets", "puppy", "kitten", "baby", "babies",
            "bird", "fish", "rabbit", "hamster",
        ];
        let w = words.norm();
        let asking =
            |x: &String| examples::ASKING.contains(&x.as_str()) || WANTING.contains(&x.as_str());
        if !w.iter().any(asking) || w.iter().any(|x| NOT.contains(&x.as_str())) {
            return None;
        }
        // ("for dinner", "for the party", "for tonight's dinner".)
        let purpose = |i: usize| {
            (1..=2).any(|k| i >= k && w[i - k] == "for")
                && (i < 2
                    || w[i - 1] == "for"
                    || w[i - 1].ends_with("'s")
                    || matches!(
                        w[i - 1].as_str(),
                        "the" | "my" | "our" | "this" | "tonight" | "tomorrow" | "sunday"
                    ))
        };
        let names = |word: &str| {
            (0..w.len()).any(|i| {
                w[i] == word
                    && (i == 0 || !FED.contains(&w[i - 1].as_str()))
                    && (purposes || !purpose(i))
            })
        };
        let mut named = self
            .registry
            .domains()
            .filter_map(|d| self.registry.spec(d))
            .filter(|spec| {
                let cuisine = (spec.actions.iter())
                    .filter_map(|a| self.cuisines.get(&a.name))
                    .any(|kinds| (0..w.len()).any(|i| a_cuisine_said(w, i, kinds)));
                cuisine || spec.words.iter().any(|word| names(word))
            });
        let spec = named.next()?;
        if named.next().is_some() {
            return None;
        }
        spec.actions.first().map(|a| a.name.as_str())
    }

    /// "order me a lobster thermidor to work": something ordered by name
    /// to a known place, that no menu has. Dishes are what people order
    /// delivered by name, so it goes to the action that takes a
    /// restaurant, whose agent says none has it.
    pub fn ordered_dish(&self, text: &str) -> Option<(&str, String)> {
        const BEFORE: &[&str] = &[
            "please", "can", "could", "would", "you", "i", "i'd", "i'll", "like", "to", "want",
            "just", "id",
        ];
        let words = Words::new(text);
        let w = words.norm();
        let start = w
            .iter()
            .take_while(|x| BEFORE.contains(&x.as_str()))
            .count();
        // "order me X to work", or just "a soup to work please".
        let asked = match w.get(start).map(String::as_str) {
            Some("order") => start + 1,
            Some("a" | "an" | "some") if start == 0 => start,
            _ => return None,
        };
        if text.contains('?') {
            return None;
        }
        let delivered = self
            .places
            .mentions(&words)
            .into_iter()
            .find(|m| m.known && matches!(m.after.as_deref(), Some("to" | "at")))?;
        let from = (asked..delivered.from)
            .find(|i| !matches!(w[*i].as_str(), "me" | "us" | "a" | "an" | "some" | "the"))?;
        let to = delivered.from.saturating_sub(1);
        let said: Vec<&str> = (from..to).map(|i| w[i].as_str()).collect();
        // "a ride to work" names a domain, not a dish.
        let names_domain = self
            .registry
            .domains()
            .filter_map(|d| self.registry.spec(d))
            .any(|spec| spec.words.iter().any(|word| said.contains(&word.as_str())));
        if names_domain || said.is_empty() {
            return None;
        }
        let action = self.restaurants.keys().next()?;
        Some((action.as_str(), words.span(from, to).to_lowercase()))
    }

    /// Whether `text` names one of `action`'s restaurants ("from Taco
    /// Loco").
    pub fn names_restaurant(&self, text: &str, action: &str) -> bool {
        let words = Words::new(text);
        let places = self.places.mentions(&words);
        match (self.restaurants.get(action), self.menus.get(action)) {
            (Some(restaurants), Some(menu)) => restaurants.find(&words, menu, &places).is_some(),
            _ => false,
        }
    }

    /// The words naming one of `action`'s restaurants in `text`, as said
    /// ("luigi's").
    pub fn restaurant_said(&self, text: &str, action: &str) -> Option<String> {
        let words = Words::new(text);
        let places = self.places.mentions(&words);
        let named =
            (self.restaurants.get(action)?).find(&words, self.menus.get(action)?, &places)?;
        Some(words.span(named.from, named.to).to_owned())
    }

    /// Whether `text` says a word of a thing on `action`'s menu ("beef" of
    /// the beef taco, "white" of the flat white): said as a correction of
    /// that action's order, a variant of it, never another shop's.
    pub fn says_a_word_of_the_menu(&self, text: &str, action: &str) -> bool {
        let Some(menu) = self.menus.get(action) else {
            return false;
        };
        let words = Words::new(text);
        // ("a cab to Parsons Green" names no green curry; "hot" is a size.)
        let places = self.places.mentions(&words);
        let placed = |i: usize| places.iter().any(|m| m.from <= i && i < m.to);
        (0..words.len())
            .filter(|&i| !placed(i) && !amounts::is_size(&words.norm()[i]))
            .map(|i| crate::agents::item_key(&words.norm()[i]))
            .any(|w| w.len() >= 3 && menu.has_word(&w))
    }

    /// Whether `text` names a restaurant of `action` that errand knows.
    pub fn names_known_restaurant(&self, text: &str, action: &str) -> bool {
        let words = Words::new(text);
        let places = self.places.mentions(&words);
        match (self.restaurants.get(action), self.menus.get(action)) {
            (Some(restaurants), Some(menu)) => restaurants
                .find(&words, menu, &places)
                .is_some_and(|named| named.known),
            _ => false,
        }
    }

    /// Whether `text` is, word for word, the name of a thing some menu
    /// has ("beef taco"), or a name it is known by.
    pub fn sells_a(&self, text: &str) -> bool {
        self.menus.values().any(|menu| menu.names(text).is_some())
    }

    /// Whether `text` names something on `action`'s menu.
    pub fn sells(&self, text: &str, action: &str) -> bool {
        self.menus
            .get(action)
            .is_some_and(|menu| names_known(text, menu))
    }

    /// Whether `action`'s menu sells every thing `text` asks for, as said
    /// ("milk and bread"; not "a pepperoni pizza and a garlic bread" of a
    /// shop that sells garlic and bread, but no pizza).
    pub fn sells_all(&self, text: &str, action: &str) -> bool {
        let Some(menu) = self.menus.get(action) else {
            return false;
        };
        let found = amounts::items(&Words::new(text), menu, &[]);
        !found.is_empty() && found.iter().all(|f| f.known) && !self.more_than_sold(text, action)
    }

    /// Whether `action`'s menu reads `text` better than `other`'s does:
    /// as fewer things, or by more of their names' words ("a pepperoni
    /// pizza, a garlic bread": two dishes of the pizzeria), every one of
    /// them known.
    pub fn names_better(&self, text: &str, action: &str, other: &str) -> bool {
        let (Some(menu), Some(theirs)) = (self.menus.get(action), self.menus.get(other)) else {
            return false;
        };
        let words = Words::new(text);
        let ours = amounts::items(&words, menu, &[]);
        let others = amounts::items(&words, theirs, &[]);
        // ("a garlic bread": the pizzeria's by two words of its name, the
        // shop's bread by one, "garlic" only a note of it.)
        let named = |found: &[amounts::Found]| found.iter().map(|f| f.named_by).sum::<usize>();
        !ours.is_empty()
            && ours.iter().all(|f| f.known)
            && (ours.len() < others.len() || named(&ours) > named(&others))
    }

    /// Whether every thing `text` names on `read_as`'s menu is only a kind
    /// of thing on `action`'s ("rice" beside a curry is the restaurant's
    /// rice, not the mart's).
    pub fn kinds_only(&self, text: &str, action: &str, read_as: &str) -> bool {
        let (Some(menu), Some(other)) = (self.menus.get(action), self.menus.get(read_as)) else {
            return false;
        };
        let found = amounts::items(&Words::new(text), other, &[]);
        !found.is_empty()
            && found
                .iter()
                .all(|f| f.known && menu.is_kind(&crate::agents::item_key(&f.item.name)))
    }

    /// Whether `text` says more of a thing than `action`'s menu sells: a
    /// word the menu does not know right before a thing it does ("pilau
    /// rice" of a shop that sells rice), so the thing said is another.
    pub fn more_than_sold(&self, text: &str, action: &str) -> bool {
        let Some(menu) = self.menus.get(action) else {
            return false;
        };
        let words = Words::new(text);
        let norm = words.norm();
        let found = amounts::items(&words, menu, &[]);
        found.iter().any(|f| {
            let start = f.to - f.named_by;
            let Some(before) = start.checked_sub(1).filter(|_| start == f.from) else {
                return false;
            };
            let word = norm[before].as_str();
            // "milk, butter": a list, not a kind of butter.
            let between = &text[words.words[before].end..words.words[start].start];
            let listed = between.contains([',', '&', ';', '/'])
                || found.iter().any(|g| (g.from..g.to).contains(&before));
            !listed
                && word.chars().all(char::is_alphabetic)
                && f.known
                && !amounts::is_unit(word)
                && words::number(word).is_none()
                && !NOT_A_MODIFIER.contains(&word)
        })
    }

    /// Places said in `text`.
    pub fn places(&self, text: &str) -> Vec<Mention> {
        self.places.mentions(&Words::new(text))
    }

    /// `found` said as a change to the time `before` (see [`when::change`]).
    pub fn changed_time(&self, found: &when::Found, before: &str) -> Option<String> {
        when::change(found, before, &self.tz)
    }

    /// `later`, the time `said_in` says, made to follow `before` (see
    /// [`when::after`]); with no time found there, as if am or pm were
    /// unsaid.
    pub fn after(&self, later: &str, before: &str, said_in: &str, now_ms: u64) -> Option<String> {
        let said = when::find(said_in, timestamp(now_ms), &self.tz).map_or(
            when::Said {
                clock: true,
                ambiguous: true,
                ..when::Said::default()
            },
            |found| found.said,
        );
        when::after(later, before, said, &self.tz)
    }

    /// `later` moved by whole days to follow `before` (see
    /// [`when::days_after`]).
    pub fn days_after(&self, later: &str, before: &str) -> Option<String> {
        when::days_after(later, before, &self.tz)
    }

    /// The time `before` moved as `text` says ("an hour later"; see
    /// [`when::moved`]).
    pub fn moved_time(&self, text: &str, before: &str) -> Option<String> {
        when::moved(text, before, &self.tz)
    }

    /// `minutes` after the time `before` (RFC 3339), or after `now_ms`
    /// when there is none.
    pub fn minutes_after(&self, before: Option<&str>, minutes: i64, now_ms: u64) -> Option<String> {
        when::minutes_after(before, minutes, timestamp(now_ms), &self.tz)
    }

    /// A clock time said alone as a change ("make it 8 instead", "9:30
    /// please"), as found at `now_ms`.
    pub fn hour_alone(&self, text: &str, now_ms: u64) -> Option<when::Found> {
        let words = Words::new(text);
        let said: Vec<&str> = (words.norm().iter())
            .map(String::as_str)
            .filter(|w| {
                !matches!(
                    *w,
                    "make"
                        | "it"
                        | "instead"
                        | "please"
                        | "actually"
                        | "no"
                        | "sorry"
                        | "change"
                        | "to"
                        | "at"
                        | "for"
                        | "then"
                        | "can"
                        | "you"
                        | "could"
                )
            })
            .collect();
        let [hour] = said.as_slice() else {
            return None;
        };
        let clock = hour.split(':').next().and_then(number);
        if !clock.is_some_and(|h| (1..=12).contains(&h)) {
            return None;
        }
        when::find(&format!("at {hour}"), timestamp(now_ms), &self.tz)
    }

    /// The time `text` asks for, in RFC 3339 (see [`when`]).
    pub fn time(&self, text: &str, now_ms: u64) -> Option<String> {
        when::parse(text, timestamp(now_ms), &self.tz)
    }

    /// Completes what a model heard: the words fill only the slots it left
    /// out (its reading of the rest stands), and a time it wrote becomes
    /// RFC 3339.
    pub fn fill(
        &self,
        text: &str,
        action: &str,
        slots: &mut SlotMap,
        now_ms: u64,
    ) -> Option<when::Found> {
        let mut read = SlotMap::new();
        let said = self.ground(text, action, &mut read, now_ms);
        let time = slots
            .get("pickup_at")
            .or_else(|| slots.get("time"))
            .and_then(SlotValue::as_text)
            .map(str::to_owned);
        slots.remove("time");
        if let Some(said) = time {
            match self.time(&said, now_ms) {
                Some(at) => slots.insert("pickup_at".into(), SlotValue::Text(at)),
                None => slots.remove("pickup_at"),
            };
        }
        for (name, value) in read {
            // ("eggs and frozen peas": the words' list, when it holds every
            // thing the reader heard and more.)
            if let (Some(SlotValue::Items(heard)), SlotValue::Items(listed)) =
                (slots.get(&name), &value)
            {
                let key = |i: &ItemRequest| crate::agents::item_key(&i.name);
                let holds = heard
                    .iter()
                    .all(|h| listed.iter().any(|l| key(l) == key(h)));
                if holds && listed.len() > heard.len() {
                    slots.insert(name, value);
                    continue;
                }
            }
            slots.entry(name).or_insert(value);
        }
        said
    }

    /// Checks and completes `slots`, what a reader heard `text` ask for
    /// `action`, against the words themselves. Returns the time the words
    /// say, whether or not the action takes one.
    pub fn ground(
        &self,
        text: &str,
        action: &str,
        slots: &mut SlotMap,
        now_ms: u64,
    ) -> Option<when::Found> {
        let (_, spec) = self.registry.action(action)?;
        let words = Words::new(text);
        let menu = self.menus.get(action);
        let mut places = self.places.mentions(&words);
        // "add some milk to my order": a pointer is no place.
        places.retain(|m| !is_pointer(&m.text));
        // "upgrade to premium": one of a slot's choices is no place.
        places.retain(|m| m.known || !spec.is_a_choice(&m.text));
        // "change the fries to onion rings": a dish after "to" is no place.
        if let Some(menu) = menu {
            places.retain(|m| m.known || !names_known(&m.text, menu));
        }
        // "allergic to peanuts" sends nothing to "peanuts".
        let allergy = allergies::said(&words);
        if let Some(a) = &allergy {
            places.retain(|m| m.to <= a.from || a.to <= m.from);
            spec.drop_places(slots, |v| a.note.contains(&v.to_lowercase()));
        }
        let mut taken = vec![false; words.len()];
        let mut take = |from: usize, to: usize| {
            for t in taken.iter_mut().take(to).skip(from) {
                *t = true;
            }
        };
        if let Some(a) = &allergy {
            take(a.from, a.to);
        }
        // A named restaurant is the restaurant, whatever the reader made of it.
        if let (Some(restaurants), Some(menu)) = (self.restaurants.get(action), menu)
            && let Some(named) = restaurants.find(&words, menu, &places)
        {
            take(named.from, named.to);
            // Nor is it a place ("from sakura" answering "where to?").
            let said = words.span(named.from, named.to).to_lowercase();
            spec.drop_places(slots, |v| said.contains(&v.to_lowercase()));
            slots.insert("restaurant".into(), SlotValue::Text(named.name));
        }
        for place in &places {
            take(place.from, place.to);
        }
        // "a pizza to SW1A 1AA": where it goes to is no restaurant,
        // whatever the reader made of it.
        if let Some(SlotValue::Text(restaurant)) = slots.get("restaurant")
            && (places.iter()).any(|m| {
                m.after.as_deref() == Some("to") && m.text.eq_ignore_ascii_case(restaurant.trim())
            })
        {
            slots.remove("restaurant");
        }
        // A time is when, never a place, an amount or a thing ("a pizza
        // to home at 7pm" of an action that takes no time).
        let time = self.time_said(&words, &places, now_ms);
        if let Some(found) = &time {
            take(found.from, found.to);
        }
        let said = time.clone();
        let time = time.filter(|_| spec.slots.iter().any(|s| s.kind == SlotKind::Time));
        let taught = self.taught.values(action, &words, &places);
        for slot in &spec.slots {
            match slot.kind {
                SlotKind::Items => {
                    if let Some(menu) = menu {
                        ground_items(&words, menu, &taken, slots, &slot.name);
                    }
                    // "i'm vegetarian, get me a burger": the veggie one of
                    // its kind, when no thing said is one already.
                    if let (Some(menu), Some(SlotValue::Items(lines))) =
                        (menu, slots.get_mut(&slot.name))
                        && words.norm().iter().any(|x| {
                            matches!(x.as_str(), "vegetarian" | "veggie" | "vegan" | "veg")
                        })
                        && !lines.iter().any(|l| l.name.contains("veg"))
                    {
                        for line in lines.iter_mut() {
                            // (Only a dish said by its kind, "a burger": "a
                            // chicken burger" stays as named.)
                            let head = crate::agents::item_key(
                                line.name.rsplit(' ').next().unwrap_or_default(),
                            );
                            let by_kind = !line.name.contains(' ') && menu.all_of(&head).len() > 1;
                            if !by_kind {
                                continue;
                            }
                            if let Some(veggie) =
                                menu.all_of(&head).into_iter().find(|n| n.contains("veg"))
                            {
                                line.name = veggie;
                            }
                        }
                    }
                    // The allergy goes with every thing, whichever it was
                    // said beside.
                    if let (Some(a), Some(SlotValue::Items(lines))) =
                        (&allergy, slots.get_mut(&slot.name))
                    {
                        for line in lines.iter_mut() {
                            line.note = Some(allergies::noted(line.note.take(), &a.note));
                        }
                    }
                }
                SlotKind::Time => {
                    // "get me to Heathrow by 9am": when to be there, not
                    // when to leave; asked (see `when::deferred`).
                    if time
                        .as_ref()
                        .is_some_and(|f| (f.from..f.to).any(|k| when::by_the_time(words.norm(), k)))
                    {
                        slots.remove(&slot.name);
                    } else if let Some(found) = &time {
                        slots.insert(slot.name.clone(), SlotValue::Text(found.rfc3339.clone()));
                    } else if let Some(said) = slots
                        .get(&slot.name)
                        .or_else(|| slots.get("time"))
                        .and_then(SlotValue::as_text)
                        .map(str::to_owned)
                    {
                        // What a model or the tagger wrote: read it as a time, or drop it.
                        match self.time(&said, now_ms) {
                            Some(at) => slots.insert(slot.name.clone(), SlotValue::Text(at)),
                            None => slots.remove(&slot.name),
                        };
                    }
                    slots.remove("time");
                }
                // A choice said in the words ("a premium car", "a luxury
                // one") is the choice, whatever the reader made of it.
                SlotKind::Text if !slot.choices.is_empty() => {
                    // ("not an xl, just a normal one": the one not ruled out.)
                    let w = words.norm();
                    let ruled_out = |i: usize| {
                        (i >= 1 && matches!(w[i - 1].as_str(), "not" | "no"))
                            || (i >= 2
                                && w[i - 2] == "not"
                                && matches!(w[i - 1].as_str(), "a" | "an" | "the"))
                    };
                    // ("1 large suitcase", "2 big bags": the bag's size, no car's.)
                    let of_a_bag = |i: usize| {
                        w.get(i + 1).is_some_and(|next| {
                            matches!(
                                next.as_str(),
                                "suitcase"
                                    | "suitcases"
                                    | "bag"
                                    | "bags"
                                    | "case"
                                    | "cases"
                                    | "luggage"
                                    | "holdall"
                                    | "rucksack"
                                    | "backpack"
                                    | "box"
                                    | "boxes"
                            )
                        })
                    };
                    let said = (0..words.len())
                        .filter(|i| !taken[*i] && !ruled_out(*i) && !of_a_bag(*i))
                        .find_map(|i| slot.choice_at(&words, i));
                    let bag_words = (0..w.len()).any(|i| {
                        of_a_bag(i)
                            && (slot.choice_at(&words, i).is_some()
                                || matches!(w[i].as_str(), "large" | "big" | "huge" | "massive"))
                    });
                    if said.is_none() && bag_words {
                        slots.remove(&slot.name);
                    } else if let Some((_, choice)) = said {
                        slots.insert(slot.name.clone(), SlotValue::Text(choice.to_owned()));
                    } else if let Some(value) = slots.get(&slot.name).and_then(SlotValue::as_text) {
                        // The reader's value, as one of the choices or not at all.
                        let value = Words::new(value);
                        match (0..value.len()).find_map(|i| slot.choice_at(&value, i)) {
                            Some((_, choice)) => {
                                slots.insert(slot.name.clone(), SlotValue::Text(choice.to_owned()));
                            }
                            None => {
                                slots.remove(&slot.name);
                            }
                        }
                    }
                }
                // What a domain's examples taught: a learned value named is
                // the value; one where the examples put it fills a gap.
                SlotKind::Text => {
                    if let Some(value) = taught.iter().find(|v| v.slot == slot.name)
                        && (value.learned || !slots.contains_key(&slot.name))
                    {
                        slots.insert(slot.name.clone(), SlotValue::Text(value.text.clone()));
                    }
                }
                // How many travel only as the words say it ("for 3", "3 of
                // us"): never a number inside a place ("terminal 5").
                SlotKind::Number if slot.name == "seats" => match seats(&words, &taken) {
                    Some(n) => {
                        slots.insert("seats".into(), SlotValue::Number(n));
                    }
                    None => {
                        slots.remove("seats");
                    }
                },
                // "with 4 large suitcases", "plus luggage" (a bag each).
                SlotKind::Number if slot.name == "bags" => {
                    let people = slots.get("seats").and_then(SlotValue::as_number);
                    match bags(&words, people) {
                        Some(n) => slots.insert("bags".into(), SlotValue::Number(n)),
                        None => slots.remove("bags"),
                    };
                }
                _ => {}
            }
        }
        // "add fries to that": a pointer is no place; nor is "premium" of
        // "upgrade to premium".
        spec.drop_places(slots, is_pointer);
        spec.drop_places(slots, |v| spec.is_a_choice(v));
        // Nor "5 passengers" of "change it to 5 passengers".
        spec.drop_places(slots, |v| {
            let w = Words::new(v);
            let w = w.norm();
            w.len() == 2
                && number(&w[0]).is_some()
                && matches!(
                    w[1].as_str(),
                    "passengers" | "people" | "seats" | "persons" | "adults"
                )
        });
        // A reader's place that is a dish ("switch it to a cappuccino"
        // read as where to deliver) is no place.
        if let Some(menu) = menu {
            let known: Vec<String> = places
                .iter()
                .filter(|m| m.known)
                .map(|m| m.text.to_lowercase())
                .collect();
            spec.drop_places(slots, |v| {
                !known.contains(&v.to_lowercase()) && names_known(v, menu)
            });
        }
        ground_places(spec, &places, slots);
        self.ground_cuisine(&words, &places, action, slots);
        // What the action does not take ("quantity", the tagger's "time").
        slots.retain(|name, _| spec.slot(name).is_some());
        said
    }

    /// "a chinese", "some thai food", "I fancy an indian": the kind of
    /// shop to order from, never a thing ordered.
    fn ground_cuisine(&self, words: &Words, places: &[Mention], action: &str, slots: &mut SlotMap) {
        let Some(kinds) = self.cuisines.get(action) else {
            return;
        };
        let w = words.norm();
        // ("pad thai" is a dish, not a cuisine.)
        let dishes = (self.menus.get(action))
            .map(|menu| amounts::items(words, menu, &[]))
            .unwrap_or_default();
        let in_dish = |i: usize| dishes.iter().any(|f| f.known && f.from <= i && i < f.to);
        // ("to the italian embassy" is a place.)
        let in_place = |i: usize| places.iter().any(|m| m.from <= i && i < m.to);
        let Some(kind) = (0..w.len())
            .find(|&i| kinds.contains(&w[i]) && !in_dish(i) && !in_place(i))
            .map(|i| &w[i])
        else {
            return;
        };
        if !slots.contains_key("cuisine") {
            slots.insert("cuisine".into(), SlotValue::Text(kind.clone()));
        }
        let meal = |name: &str| {
            let key = crate::agents::item_key(name);
            key == *kind
                || key.strip_prefix(kind.as_str()).is_some_and(|rest| {
                    matches!(rest.trim(), "food" | "takeaway" | "takeout" | "meal")
                })
        };
        if let Some(SlotValue::Items(items)) = slots.get_mut("item") {
            items.retain(|item| !meal(&item.name));
            if items.is_empty() {
                slots.remove("item");
            }
        }
    }
}

/// Whether a place said is only a pointer at something ("add fries to
/// that", "to my order").
fn is_pointer(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "that"
            | "it"
            | "this"
            | "them"
            | "there"
            | "here"
            | "the order"
            | "my order"
            | "the basket"
            | "my basket"
    )
}

/// Words before a thing that say nothing of what the thing is.
const NOT_A_MODIFIER: &[&str] = &[
    "a", "an", "the", "some", "any", "me", "us", "i", "get", "buy", "order", "want", "need",
    "like", "and", "of", "please", "also", "plus", "with", "more", "another", "few", "just",
    "only", "to", "for", "my", "our", "your", "can", "you", "grab", "pick", "up", "then", "or",
];

/// Whether word `i` of `w` is one of `kinds` said as a meal ("a chinese",
/// "some thai food", "indian for 2"), never a word of another thing ("the
/// italian embassy", "italian sausages").
fn a_cuisine_said(w: &[String], i: usize, kinds: &[String]) -> bool {
    kinds.contains(&w[i])
        && w.get(i + 1).is_none_or(|next| {
            matches!(
                next.as_str(),
                "food"
                    | "takeaway"
                    | "takeout"
                    | "meal"
                    | "tonight"
                    | "please"
                    | "for"
                    | "to"
                    | "delivered"
                    | "then"
                    | "and"
                    | "pls"
                    | "now"
            )
        })
}

/// Whether `text` names something `menu` has.
fn names_known(text: &str, menu: &Menu) -> bool {
    amounts::items(&Words::new(text), menu, &[])
        .iter()
        .any(|f| f.known)
}

fn timestamp(now_ms: u64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(now_ms as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The menu's items replace the reader's where the words name them; an
/// item the reader found that the menu does not know stays (so the agent
/// can say it has none), without its amount words.
fn ground_items(words: &Words, menu: &Menu, taken: &[bool], slots: &mut SlotMap, name: &str) {
    let found = amounts::items(words, menu, taken);
    let heard: Vec<ItemRequest> = slots
        .get(name)
        .and_then(SlotValue::as_items)
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.from, f.to)).collect();
    let found_names: Vec<String> = found
        .iter()
        .filter(|f| f.known)
        .map(|f| crate::agents::item_key(&f.item.name))
        .collect();
    let covered = |item: &ItemRequest| {
        let item_words = Words::new(&item.name);
        let first = item_words.norm().first().cloned().unwrap_or_default();
        // The reader's item is one of the found ones (or holds one: "curry.
        // chicken korma" under a heading), or inside a restaurant, a place
        // or an amount.
        let key = crate::agents::item_key(&item.name);
        menu.names(&item.name).is_some()
            || found_names
                .iter()
                .any(|n| key.ends_with(n.as_str()) && key.len() > n.len())
            // ("taco" of "one of each taco": the kind of a dish found.)
            || found_names.iter().any(|n| n.rsplit(' ').next() == Some(key.as_str()))
            // ("free" of "6 free-range eggs": a part of a word found.)
            || words.norm().iter().enumerate().any(|(i, w)| {
                (*w == first || w.split('-').any(|part| part == first))
                    && (taken.get(i).copied().unwrap_or(false)
                        || spans.iter().any(|(from, to)| *from <= i && i < *to))
            })
    };
    let mut items: Vec<ItemRequest> = found.into_iter().map(|f| f.item).collect();
    // "toilet paper and washing up liquid" read as one item is two: each
    // part is found on the menu or stays for the agent to refuse.
    let heard = heard.iter().flat_map(split_list);
    for item in heard {
        let Some(mut item) = before_taken(words, taken, item) else {
            continue;
        };
        // ("add rice", "and chips": the asking word is no part of it.)
        for lead in ["add ", "and ", "also ", "plus "] {
            if let Some(rest) = item.name.strip_prefix(lead) {
                item.name = rest.to_owned();
            }
        }
        // ("litre bottle" of "a 2 litre bottle of milk": what a thing
        // comes in is no thing.)
        let measure = |w: &String| amounts::UNITS.contains(&w.as_str()) || number(w).is_some();
        if covered(&item) || Words::new(&item.name).norm().iter().all(measure) {
            continue;
        }
        if !spans.is_empty()
            && (aside(words, &item.name, &spans) || for_found(words, &item.name, &spans))
        {
            continue;
        }
        let cleaned = said_in_full(words, menu, taken, strip_amount(&item));
        if names_a_thing(&cleaned.name) && !items.iter().any(|i| i.name == cleaned.name) {
            items.push(cleaned);
        }
    }
    // "milk, bacon and beans": the other things of a list with a thing
    // of the menu in it are things too, for the shop to refuse by name.
    if spans.iter().any(|_| !found_names.is_empty()) {
        for other in listed_beside(words, &spans, taken) {
            let mut other = strip_amount(&other);
            for article in ["a ", "an ", "some ", "the "] {
                if let Some(rest) = other.name.strip_prefix(article) {
                    other.name = rest.to_owned();
                }
            }
            let key = crate::agents::item_key(&other.name);
            // (Not again as part of a thing heard: "brownie" of "chocolate
            // brownie".)
            let heard_already = items.iter().any(|i| {
                let k = crate::agents::item_key(&i.name);
                k == key || key.contains(&k) || k.contains(&key)
            });
            if names_a_thing(&other.name) && !heard_already && menu.names(&other.name).is_none() {
                items.push(other);
            }
        }
    }
    // "we want tacos, 2 chicken tacos each", "pizza, a margherita": the
    // kind said of the order, then which, is that one thing.
    let kinds_restated: Vec<String> = (items.iter())
        .filter(|item| {
            item.quantity == 1
                && !item.name.contains(' ')
                && said_generically(words, &item.name, &items)
                && items.iter().any(|other| {
                    other.name.contains(' ')
                        && other.name.rsplit(' ').next() == Some(item.name.as_str())
                })
        })
        .map(|item| item.name.clone())
        .collect();
    items.retain(|item| !kinds_restated.contains(&item.name));
    // "swap the butter for margarine": the new thing, which no reader
    // knew, stays for the shop to refuse (the swap was otherwise lost).
    if let Some(new) = swapped_for_unknown(words, taken, &spans)
        && menu.names(&new.name).is_none()
        && !items.iter().any(|i| i.name == new.name)
    {
        items.push(new);
    }
    let kind_said = ["restaurant", "cuisine"]
        .iter()
        .any(|k| slots.contains_key(*k));
    if items.is_empty()
        && !kind_said
        && let Some(alone) = asked_for_alone(words, taken).filter(|i| menu.names(&i.name).is_none())
    {
        items.push(alone);
    }
    if items.is_empty() {
        slots.remove(name);
    } else {
        slots.insert(name.to_owned(), SlotValue::Items(items));
    }
}

/// Whether the kind `kind` ("taco") is said with no count nor article
/// ("tacos", "want pizza"), as what the order is of rather than one more.
/// (Never the last word of another of `items`: "burger" of "veggie
/// burger".)
fn said_generically(words: &Words, kind: &str, items: &[ItemRequest]) -> bool {
    let w = words.norm();
    let of_another = |i: usize| {
        (items.iter()).any(|other| {
            let key = crate::agents::item_key(&other.name);
            key != kind && key.ends_with(&format!("{} {kind}", crate::agents::item_key(&w[i - 1])))
        })
    };
    (0..w.len()).any(|i| {
        crate::agents::item_key(&w[i]) == kind
            && (i == 0
                || !matches!(w[i - 1].as_str(), "a" | "an" | "one" | "another" | "more")
                    && number(&w[i - 1]).is_none()
                    && !of_another(i))
    })
}

/// The thing a found one is swapped for, when nothing was found there:
/// "swap the butter for margarine", "change the milk to kefir" (up to a
/// place, a time or the end).
fn swapped_for_unknown(
    words: &Words,
    taken: &[bool],
    spans: &[(usize, usize)],
) -> Option<ItemRequest> {
    if !amounts::swaps(words) {
        return None;
    }
    let w = words.norm();
    let is_taken = |i: usize| taken.get(i).copied().unwrap_or(false);
    let found = |i: usize| spans.iter().any(|(from, to)| *from <= i && i < *to);
    let joint = (spans.iter().map(|(_, to)| *to)).find(|&to| {
        matches!(
            w.get(to).map(String::as_str),
            Some("for" | "to" | "with" | "into")
        )
    })?;
    let mut from = joint + 1;
    while from < w.len() && matches!(w[from].as_str(), "a" | "an" | "some" | "the") {
        from += 1;
    }
    let to = (from..w.len())
        .find(|&i| is_taken(i) || found(i) || NOT_IN_A_THING.contains(&w[i].as_str()))
        .unwrap_or(w.len());
    let name = words.span(from, to).to_lowercase();
    let nothing_found_after = (to..w.len()).all(|i| !found(i));
    ((1..=3).contains(&(to - from)) && nothing_found_after && names_a_thing(&name))
        .then(|| ItemRequest::new(name, 1))
}

/// The one thing asked for when neither reader nor menu knew it: the
/// words after "buy", "order", "get me", "need" up to a place, a time or
/// the end ("buy hummus", "order some tahini to home"), so the shop or
/// kitchen can say it has none rather than ask what was wanted. Words
/// that name no thing in particular ("food", "groceries", "dinner") are
/// no such thing: what is wanted is asked.
fn asked_for_alone(words: &Words, taken: &[bool]) -> Option<ItemRequest> {
    const ASKS: &[&str] = &[
        "buy", "order", "get", "need", "want", "grab", "add", "plus", "have",
    ];
    const AFTER_ASK: &[&str] = &["me", "us", "some", "a", "an", "any", "more", "also"];
    const NO_THING_IN_PARTICULAR: &[&str] = &[
        "food",
        "groceries",
        "grocery",
        "shopping",
        "shop",
        "meal",
        "dinner",
        "lunch",
        "breakfast",
        "brunch",
        "supper",
        "takeaway",
        "takeout",
        "supplies",
        "essentials",
        "bits",
        "items",
        "delivery",
        "delivered",
        "note",
        "notes",
        "message",
        "comment",
        "instruction",
        "instructions",
        "ride",
        "cab",
        "taxi",
        "car",
        "lift",
    ];
    let w = words.norm();
    // ("and some rice", "also rice": added, as after "add".)
    // ("rice too", "some chips as well": added, said alone.)
    let too = w.last().is_some_and(|x| x == "too")
        || w.len() >= 2 && w[w.len() - 2] == "as" && w[w.len() - 1] == "well";
    let mut from = match (w.iter().rposition(|x| ASKS.contains(&x.as_str())))
        .or_else(|| matches!(w.first()?.as_str(), "and" | "also").then_some(0))
    {
        Some(ask) => ask + 1,
        None if too => 0,
        None => return None,
    };
    while from < w.len() && AFTER_ASK.contains(&w[from].as_str()) {
        from += 1;
    }
    let is_taken = |i: usize| taken.get(i).copied().unwrap_or(false);
    let to = (from..w.len())
        .find(|&i| is_taken(i) || NOT_IN_A_THING.contains(&w[i].as_str()))
        .unwrap_or(w.len());
    let rest_ok = (to..w.len()).all(|i| {
        is_taken(i)
            || matches!(
                w[i].as_str(),
                "to" | "at"
                    | "for"
                    | "from"
                    | "please"
                    | "pls"
                    | "delivered"
                    | "now"
                    | "asap"
                    | "too"
                    | "as"
                    | "well"
                    | "also"
                    | "thanks"
            )
    });
    let name = words.span(from, to).to_lowercase();
    ((1..=3).contains(&(to - from))
        && rest_ok
        && !(from..to).any(|i| NO_THING_IN_PARTICULAR.contains(&w[i].as_str()))
        && names_a_thing(&name))
    .then(|| ItemRequest::new(name, 1))
}

/// Words no thing of a list has: a thing's part of a list stops at them.
const NOT_IN_A_THING: &[&str] = &[
    "to",
    "from",
    "for",
    "at",
    "in",
    "on",
    "by",
    "with",
    "without",
    "no",
    "i",
    "me",
    "my",
    "you",
    "your",
    "we",
    "us",
    "our",
    "it",
    "is",
    "are",
    "was",
    "be",
    "need",
    "want",
    "get",
    "buy",
    "order",
    "please",
    "pls",
    "thanks",
    "can",
    "could",
    "would",
    "will",
    "send",
    "deliver",
    "delivered",
    "bring",
    "home",
    "work",
    "now",
    "today",
    "tonight",
    "tomorrow",
    "asap",
    "also",
    "too",
    "then",
    "but",
    "or",
    "not",
    "don't",
    "dont",
    "just",
    "only",
    "what",
    "how",
    "when",
    "where",
    "why",
    "if",
    "the",
    "this",
    "that",
    "there",
    "here",
    "all",
    "everything",
    "anything",
    "something",
    "stuff",
    "things",
    "else",
    "more",
    "other",
    "instead",
    "actually",
    "same",
    "x",
    "minus",
    "remove",
    "take",
    "off",
    "drop",
    "i'm",
    "im",
    "i'd",
    "id",
    "i'll",
    "ill",
    "making",
    "make",
    "made",
    "both",
    "each",
    "they",
    "them",
    "he",
    "she",
    "his",
    "her",
    "their",
    "its",
    "it's",
    "that's",
    "thats",
    "have",
    "has",
    "had",
    "got",
    "like",
    "love",
    "as",
    "of",
    // Greetings and the sounds around a list ("hi, milk and eggs").
    "hi",
    "hey",
    "hello",
    "ok",
    "okay",
    "yes",
    "yeah",
    "so",
    "great",
    "cool",
    "perfect",
    "lovely",
    "awesome",
    "brilliant",
    "sure",
    "alright",
    "fine",
    "well",
    "wow",
];

/// The parts of a list ("milk, bacon and beans", "eggs and frozen peas")
/// beside the things found at `spans` that name something short and
/// nothing else: no verb, no place, no time, nothing found or taken.
fn listed_beside(words: &Words, spans: &[(usize, usize)], taken: &[bool]) -> Vec<ItemRequest> {
    let w = words.norm();
    let joins = |i: usize| {
        matches!(w[i].as_str(), "and" | "&" | "plus")
            || i > 0 && words.text[words.words[i - 1].end..words.words[i].start].contains(',')
    };
    // The parts between the joints, from the first thing found on.
    let first = spans.iter().map(|(from, _)| *from).min().unwrap_or(0);
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut start = first;
    for i in first + 1..=w.len() {
        if i == w.len() || joins(i) {
            parts.push((start, i));
            start = if i < w.len() && matches!(w[i].as_str(), "and" | "&" | "plus") {
                i + 1
            } else {
                i
            };
            // (", and": one joint.)
            if start < w.len() && matches!(w[start].as_str(), "and" | "&" | "plus") {
                start += 1;
            }
        }
    }
    let mut out: Vec<ItemRequest> = leading_parts(words, first, taken)
        .into_iter()
        .filter(|&(_, to)| !made_with(&w[to - 1]))
        .map(|(from, to)| ItemRequest::new(words.span(from, to).to_lowercase(), 1))
        .collect();
    for (from, to) in parts {
        // (The list ends where it goes: "... and beans to home, making guac
        // tonight" has nothing more after "home".)
        if from > 0 && (0..from).any(|i| taken.get(i).copied().unwrap_or(false)) {
            break;
        }
        let mut from = from;
        while from < to && matches!(w[from].as_str(), "and" | "&" | "plus") {
            from += 1;
        }
        // ("a bag of frozen peas": the thing, after what it comes in.)
        let mut body = from;
        if body < to && (amounts::counts(&w[body]) || w[body] == "some") {
            body += 1;
        }
        if body + 2 < to && PACKS.contains(&w[body].as_str()) && w[body + 1] == "of" {
            body += 2;
        } else {
            body = from;
        }
        // (A part stops at the first word no thing has: "beans to home".)
        let end = (body..to)
            .find(|&i| NOT_IN_A_THING.contains(&w[i].as_str()) && !matches!(w[i].as_str(), "the"))
            .unwrap_or(to);
        let overlaps = spans.iter().any(|(a, b)| *a < to && from < *b)
            || (from..end).any(|i| taken.get(i).copied().unwrap_or(false));
        let words_of_it = end.saturating_sub(body);
        if overlaps || words_of_it == 0 || words_of_it > 4 {
            continue;
        }
        // A part cut short by a verb or a place is no thing of the list
        // ("and take me home"), unless only a place or a please follows.
        let tail_ok = (end..to).all(|i| {
            matches!(
                w[i].as_str(),
                "to" | "home" | "work" | "please" | "pls" | "thanks" | "asap" | "now" | "too"
            ) || taken.get(i).copied().unwrap_or(false)
        });
        if !tail_ok || made_with(&w[end - 1]) {
            continue;
        }
        // ("2 tins of tinned tomatoes": the thing, counted.)
        let counted = (body > from).then(|| number(&w[from])).flatten();
        out.push(ItemRequest::new(
            words.span(body, end).to_lowercase(),
            counted.unwrap_or(1),
        ));
    }
    out
}

/// Whether a part of a list ending in `last` says how the thing before it
/// is made, not another thing: "flat white, oat milk", "a latte, extra
/// shot".
fn made_with(last: &str) -> bool {
    matches!(
        last,
        "milk"
            | "shot"
            | "shots"
            | "sugar"
            | "sugars"
            | "syrup"
            | "cream"
            | "foam"
            | "ice"
            | "sauce"
            | "dressing"
            | "mayo"
            | "ketchup"
            | "cheese"
            | "side"
    )
}

/// The parts of a list said before its first thing found, at `first`:
/// "hummus, pasta and cheese", "buy tahini and pasta". Each runs back
/// from its joint to a comma, the start, or a word that asks for things
/// ("get", "need", "some"); a part led by any other word is no part of the
/// list ("for the party, crisps and dip").
fn leading_parts(words: &Words, first: usize, taken: &[bool]) -> Vec<(usize, usize)> {
    const ASKS: &[&str] = &[
        "get", "buy", "order", "need", "want", "me", "us", "grab", "pick", "up", "please", "pls",
        "also", "plus", "and", "some",
    ];
    const WORDS_OF_A_THING: usize = 3;
    let w = words.norm();
    let comma_before =
        |i: usize| i > 0 && words.text[words.words[i - 1].end..words.words[i].start].contains(',');
    let joint = |i: usize| matches!(w[i].as_str(), "and" | "&" | "plus");
    let ends_a_thing = |i: usize| {
        taken.get(i).copied().unwrap_or(false)
            || joint(i)
            || NOT_IN_A_THING.contains(&w[i].as_str())
            || ASKS.contains(&w[i].as_str()) && w[i] != "some"
            || w[i]
                .chars()
                .any(|c| !c.is_alphanumeric() && c != '\'' && c != '-')
    };
    let mut parts = Vec::new();
    let mut end = first;
    loop {
        // The joint before `end`: "X and <end>", "X, <end>".
        let to = if end > 0 && joint(end - 1) {
            end - 1
        } else if comma_before(end) {
            end
        } else {
            break;
        };
        let mut from = to;
        while from > 0
            && !ends_a_thing(from - 1)
            && (from == to || !comma_before(from))
            && to - from < WORDS_OF_A_THING + 1
        {
            from -= 1;
        }
        let led = from == 0 || comma_before(from) || ASKS.contains(&w[from - 1].as_str());
        if from == to || to - from > WORDS_OF_A_THING || !led {
            break;
        }
        parts.push((from, to));
        if !(comma_before(from) || from > 0 && joint(from - 1)) {
            break;
        }
        end = from;
    }
    parts.reverse();
    parts
}

/// A reader's item without the words the grounding took for something
/// else (a restaurant, a place, a time) and what leads to them: "bolognese
/// from luigi's" is "bolognese". `None` when nothing is left.
fn before_taken(words: &Words, taken: &[bool], item: ItemRequest) -> Option<ItemRequest> {
    let said = Words::new(&item.name);
    let n = said.len();
    let Some(at) = words.find(&said.norm().join(" ")).filter(|_| n > 0) else {
        return Some(item);
    };
    let Some(cut) = (at..at + n).find(|&i| taken.get(i).copied().unwrap_or(false)) else {
        return Some(item);
    };
    let keys = words.norm();
    let mut end = cut;
    while end > at
        && matches!(
            keys[end - 1].as_str(),
            "from" | "at" | "to" | "in" | "for" | "of" | "round" | "over"
        )
    {
        end -= 1;
    }
    (end > at).then(|| ItemRequest {
        name: words.span(at, end).to_lowercase(),
        ..item
    })
}

/// Whether the reader's item `name` is what a found thing is for ("bread
/// for sandwiches", "tomatoes for the pasta sauce"), unless one thing is
/// swapped for another ("change the milk for oat milk").
fn for_found(words: &Words, name: &str, spans: &[(usize, usize)]) -> bool {
    let said = Words::new(name);
    let w = words.norm();
    let Some(mut at) = words
        .find(&said.norm().join(" "))
        .filter(|_| !said.is_empty())
    else {
        return false;
    };
    if at > 0
        && matches!(
            w[at - 1].as_str(),
            "the" | "a" | "an" | "my" | "our" | "some"
        )
    {
        at -= 1;
    }
    at > 0
        && w[at - 1] == "for"
        && spans.iter().any(|(_, to)| *to == at - 1)
        && !amounts::swaps(words)
}

/// Whether the reader's item `name` stands in a clause of its own that
/// asks for nothing ("i run a nursery, i need 30 packs of nappies"): no
/// item found there and no word of asking.
fn aside(words: &Words, name: &str, spans: &[(usize, usize)]) -> bool {
    const ASKING: &[&str] = &[
        "need", "want", "order", "get", "buy", "send", "bring", "deliver", "like", "add", "also",
        "and", "plus", "with", "grab", "fetch", "pick", "some", "please",
    ];
    let said = Words::new(name);
    let n = said.len();
    let keys = words.norm();
    let Some(at) = words.find(&said.norm().join(" ")).filter(|_| n > 0) else {
        return false;
    };
    let stop = |i: usize| {
        i > 0
            && words.text[words.words[i - 1].end..words.words[i].start]
                .contains([',', '.', ';', '!'])
    };
    let mut from = at;
    while from > 0 && !stop(from) {
        from -= 1;
    }
    let mut to = at + n;
    while to < keys.len() && !stop(to) {
        to += 1;
    }
    let clause_found = spans.iter().any(|(a, b)| *a < to && from < *b);
    let clause_asks = keys[from..to].iter().any(|w| ASKING.contains(&w.as_str()));
    // "pad thai, green curry, 2 satay": a count and the thing, one more
    // of a list.
    let counted = at <= from + 1 && {
        let count = keys[from].strip_suffix('x').unwrap_or(&keys[from]);
        words::number(count).is_some_and(|n| n > 0)
    };
    let whole = from == 0 && to == keys.len();
    !whole && !clause_found && !clause_asks && !counted
}

/// A reader's item as the words say it in full: "chicken" read from
/// "a chicken katsu" is "chicken katsu" (see [`amounts::continues_dish`]).
fn said_in_full(words: &Words, menu: &Menu, taken: &[bool], item: ItemRequest) -> ItemRequest {
    let said = Words::new(&item.name);
    let n = said.len();
    let keys = words.norm();
    let Some(at) = words.find(&said.norm().join(" ")).filter(|_| n > 0) else {
        return item;
    };
    let item_keys: Vec<String> = keys.iter().map(|w| crate::agents::item_key(w)).collect();
    let mut end = at + n;
    while end < keys.len()
        && !taken.get(end).copied().unwrap_or(false)
        && amounts::continues_dish(&keys[end])
        && menu.at(&item_keys, end).is_none()
    {
        end += 1;
    }
    if end == at + n {
        return item;
    }
    ItemRequest {
        name: words.span(at, end).to_lowercase(),
        ..item
    }
}

/// Whether a reader's item names something at all: not only words of
/// asking and sending ("some sent", "it", "get me").
pub(crate) fn names_a_thing(name: &str) -> bool {
    const NO_THING: &[&str] = &[
        // The sounds of thinking ("milk, bread, oh and some eggs").
        "oh",
        "ah",
        "um",
        "erm",
        "hmm",
        "uh",
        "whatever",
        "surprise",
        "dunno",
        "idk",
        "choose",
        "pick",
        "sent",
        "send",
        // "sent round", "brought over": where the sending goes.
        "round",
        "over",
        "get",
        "got",
        "some",
        "it",
        "them",
        "that",
        "this",
        "one",
        "ones",
        "delivered",
        "deliver",
        "bring",
        "brought",
        "please",
        "order",
        "buy",
        "need",
        "want",
        "more",
        "stuff",
        "thing",
        "things",
        "something",
        "anything",
        "me",
        "my",
        "us",
        "the",
        "a",
        "an",
        "any",
        "of",
        "too",
        "also",
        "and",
        "else",
        // "one each", "like 4": how many.
        "each",
        "everyone",
        "everybody",
        "like",
        "about",
        "around",
    ];
    Words::new(name)
        .norm()
        .iter()
        .any(|w| !NO_THING.contains(&w.as_str()) && number(w).is_none())
}

/// An item whose name lists several ("bread, butter and jam") as one
/// item each; the quantity said before the list goes with its first.
fn split_list(item: &ItemRequest) -> Vec<ItemRequest> {
    let words = Words::new(&item.name);
    let w = words.norm();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, word) in w.iter().enumerate() {
        let joins = matches!(word.as_str(), "and" | "plus");
        let comma =
            i > 0 && item.name[words.words[i - 1].end..words.words[i].start].contains([',', '&']);
        if joins || comma {
            if i > start {
                parts.push((start, i));
            }
            start = if joins { i + 1 } else { i };
        }
    }
    if parts.is_empty() {
        return vec![item.clone()];
    }
    if start < w.len() {
        parts.push((start, w.len()));
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(n, (from, to))| ItemRequest {
            name: words.span(from, to).to_owned(),
            quantity: if n == 0 { item.quantity } else { 1 },
            note: None,
        })
        .filter(|i| !i.name.is_empty())
        .collect()
}

/// "litres of milk" -> "milk"; "2 bags of rice" -> 2 "rice".
fn strip_amount(item: &ItemRequest) -> ItemRequest {
    let words = Words::new(&item.name);
    let w = words.norm();
    let mut start = 0;
    let mut quantity = item.quantity;
    if let Some(n) = w.first().and_then(|f| number(f)) {
        quantity = n;
        start = 1;
    }
    if let Some(of) = w.iter().position(|x| x == "of")
        && of >= start
        && of + 1 < w.len()
        && of <= start + 1
    {
        start = of + 1;
    }
    // "beans x4", "crisps 2x", "crisps x 2": the count written after.
    let mut end = words.len();
    let times = |x: &str| {
        let digits = x.strip_prefix('x').or_else(|| x.strip_suffix('x'))?;
        digits.parse::<u32>().ok().filter(|n| (1..=99).contains(n))
    };
    if end > start + 1
        && let Some(n) = times(&w[end - 1])
    {
        quantity = n;
        end -= 1;
    } else if end > start + 2
        && w[end - 2] == "x"
        && let Some(n) = number(&w[end - 1])
    {
        quantity = n;
        end -= 2;
    }
    ItemRequest {
        name: words.span(start, end).to_owned(),
        quantity: quantity.max(1),
        note: item.note.clone(),
    }
}

/// Whether the words ask for a note kept rather than an order ("remind me
/// to buy eggs", "add milk to my shopping list", "jot down milk and eggs
/// for later", "don't let me forget to get milk"): errand keeps no notes,
/// so nothing they name is ordered.
pub fn keeps_a_note(text: &str) -> bool {
    note_kept(Words::new(text).norm())
}

/// [`keeps_a_note`] of words already read.
fn note_kept(w: &[String]) -> bool {
    let phrase = |p: &[&str]| {
        w.windows(p.len())
            .any(|x| x.iter().zip(p).all(|(a, b)| a == b))
    };
    // ("order everything on my shopping list": the list ordered.)
    let ordered = w
        .iter()
        .any(|x| matches!(x.as_str(), "order" | "buy" | "get" | "deliver"))
        && (0..w.len()).any(|i| {
            matches!(w[i].as_str(), "on" | "from" | "off" | "in")
                && w[i + 1..w.len().min(i + 4)].iter().any(|x| x == "list")
        });
    w.iter().any(|x| {
        matches!(x.as_str(), "remind" | "reminder" | "reminders" | "jot") || x == "list" && !ordered
    }) || phrase(&["note", "down"])
        || phrase(&["make", "a", "note"])
        || phrase(&["write", "down"])
        || phrase(&["let", "me", "forget"])
}

/// What things come in ("a jar of sauce", "a bag of rice").
const PACKS: &[&str] = &[
    "jar", "jars", "bag", "bags", "bottle", "bottles", "tin", "tins", "can", "cans", "pack",
    "packs", "packet", "packets", "carton", "cartons", "box", "boxes", "loaf", "litre", "litres",
    "kilo", "kilos", "kg",
];

/// Luggage a boot must take.
const BAGS: &[&str] = &[
    "suitcase",
    "suitcases",
    "bag",
    "bags",
    "cases",
    "luggage",
    "holdall",
    "holdalls",
    "rucksacks",
    "backpacks",
    "skis",
    "pram",
    "buggy",
    "stroller",
    "pushchair",
];

/// Luggage that goes on a lap or a footwell: said, never counted.
const HAND_LUGGAGE: &[&str] = &["carry-on", "carry-ons", "carryon", "carryons"];

/// Whether the words speak of luggage ("3 big suitcases", "2 carry-ons").
pub(crate) fn luggage_said(words: &Words) -> bool {
    (words.norm().iter()).any(|w| BAGS.contains(&w.as_str()) || HAND_LUGGAGE.contains(&w.as_str()))
}

/// The large bags travelling with a ride: "4 large suitcases", "a big
/// suitcase", "a couple of bags", "lots of luggage" (at least 3); luggage
/// not counted ("plus luggage", "golf bags", "a pram") is a bag for each
/// of the `people`.
pub(crate) fn bags(words: &Words, people: Option<u32>) -> Option<u32> {
    const SIZES: &[&str] = &[
        "large",
        "big",
        "heavy",
        "huge",
        "massive",
        "full",
        "golf",
        "ski",
        "of",
        "sized",
        "full-size",
    ];
    let w = words.norm();
    let (mut counted, mut loose) = (0, false);
    for i in (0..w.len()).filter(|&i| BAGS.contains(&w[i].as_str())) {
        let mut j = i;
        while j > 0 && SIZES.contains(&w[j - 1].as_str()) {
            j -= 1;
        }
        let before = |k: usize| j.checked_sub(k).map_or("", |at| w[at].as_str());
        match before(1) {
            "couple" => counted += 2,
            "lots" | "loads" | "plenty" => counted += 3,
            "a" | "an" | "one" | "my" | "her" | "his" => counted += 1,
            word => match number(word) {
                Some(n) if n <= 20 => counted += n,
                _ => loose = true,
            },
        }
    }
    match (counted, loose) {
        (0, false) => None,
        (0, true) => Some(people.unwrap_or(1).max(1)),
        (n, _) => Some(n),
    }
}

/// "for 3 people", "3 passengers", "there are 4 of us", "a party of 5".
pub(crate) fn seats(words: &Words, taken: &[bool]) -> Option<u32> {
    let w = words.norm();
    if let Some(n) = parties(w, taken) {
        return Some(n);
    }
    // "for 9" is 9 o'clock as often as nine people, unless the time is
    // said elsewhere ("a taxi for 9 at 7pm").
    let clock = |x: &str| {
        x.strip_suffix("am")
            .or_else(|| x.strip_suffix("pm"))
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_digit() || c == ':'))
    };
    let timed = (0..w.len()).any(|j| {
        clock(&w[j])
            || (w[j] == "at"
                && w.get(j + 1)
                    .is_some_and(|x| number(x).is_some() || clock(x)))
    });
    let most = if timed { 20 } else { 8 };
    for i in 0..w.len() {
        if taken.get(i).copied().unwrap_or(false) {
            continue;
        }
        let Some(n) = number(&w[i]) else { continue };
        let next = w.get(i + 1).map(String::as_str).unwrap_or("");
        let after = w.get(i + 2).map(String::as_str).unwrap_or("");
        // "for 3" alone (not "for 3pm", not "for 3 hours").
        let ends = matches!(
            next,
            "" | "please"
                | "thanks"
                | "person"
                | "of"
                | "from"
                | "to"
                | "into"
                | "going"
                // "for 5 with luggage", "for 3 and 2 bags", "for 4 at 6pm".
                | "with"
                | "and"
                | "plus"
                | "at"
                | "tomorrow"
                | "tonight"
                | "today"
                | "now"
        );
        // "with my 2 kids": them and the one asking.
        if i >= 2
            && w[i - 2] == "with"
            && matches!(w[i - 1].as_str(), "my" | "our")
            && matches!(
                next,
                "kids" | "children" | "friends" | "mates" | "colleagues" | "sons" | "daughters"
            )
        {
            return (n > 0).then_some(n + 1);
        }
        if matches!(
            next,
            "people"
                | "persons"
                | "passengers"
                | "adults"
                | "seats"
                | "pax"
                | "guys"
                | "ppl"
                | "peeps"
                | "folks"
                | "travellers"
                | "travelers"
                // "a 6 seater": a car for 6.
                | "seater"
        ) || (next == "of" && after == "us")
            || (i >= 1 && w[i - 1] == "for" && ends && (1..=most).contains(&n))
            || (i >= 2
                && w[i - 1] == "of"
                && matches!(w[i - 2].as_str(), "party" | "family" | "group"))
            || (i >= 2 && w[i - 2] == "we" && w[i - 1] == "are")
            || (i >= 1 && matches!(w[i - 1].as_str(), "we're" | "were") && (1..=8).contains(&n))
        {
            return (n > 0).then_some(n);
        }
    }
    amounts::company(words)
}

/// Words read as one, as they are written with a hyphen or as the thing
/// they say: "gluten free bread" and "free range eggs" (what a thing is
/// made without, or how), "a 12\" margherita" and "12 inch" (a size,
/// "12-inch", never twelve pizzas), "a tin of tomatoes" ("tinned": never
/// fresh ones; a can may hold a drink, a tin never does), "6 piece"
/// ("6-piece": the pieces of a portion), "coke zero" ("sugar-free coke").
fn joined_words(text: &str) -> String {
    const SOFT_DRINKS: &[&str] = &["coke", "cola", "pepsi", "sprite", "fanta", "lemonade"];
    const MADE_WITHOUT: &[&str] = &[
        "gluten", "lactose", "dairy", "sugar", "nut", "fat", "egg", "wheat", "caffeine", "alcohol",
    ];
    let inches = |n: &str| !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit());
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let lower = word.to_ascii_lowercase();
        let next = words
            .get(i + 1)
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        let marked = ["\"", "”", "''"]
            .iter()
            .find_map(|mark| word.strip_suffix(mark))
            .filter(|n| inches(n));
        let (joined, taken) = match (marked, lower.as_str(), next.as_str()) {
            (Some(n), _, _) => (format!("{n}-inch"), 1),
            (None, n, "inch" | "inches") if inches(n) => (format!("{word}-inch"), 2),
            (None, made, "free") if MADE_WITHOUT.contains(&made) => {
                (format!("{word}-{}", words[i + 1]), 2)
            }
            (None, "free", "range") => (format!("{word}-{}", words[i + 1]), 2),
            // "a 6 piece wings": how many pieces a portion is, one word.
            (None, n, "piece") if inches(n) => (format!("{word}-piece"), 2),
            // "a coke zero", "zero sugar cola": a sugar-free drink, never
            // the count "zero".
            (None, "zero", "sugar") => ("sugar-free".to_owned(), 2),
            (None, drink, "zero") if SOFT_DRINKS.contains(&drink) => {
                (format!("sugar-free {word}"), 2)
            }
            (None, drink, "zeros") if SOFT_DRINKS.contains(&drink) => {
                (format!("sugar-free {word}s"), 2)
            }
            (None, "tin" | "tins", "of") => ("tinned".to_owned(), 2),
            _ => (word.to_owned(), 1),
        };
        out.push(joined);
        i += taken;
    }
    out.join(" ")
}

/// "2 adults 3 kids", "two adults and a baby", "four of us plus a
/// baby": a party said in groups, all of them. `None` for one group.
fn parties(w: &[String], taken: &[bool]) -> Option<u32> {
    const GROUPS: &[&str] = &[
        "adults",
        "adult",
        "kids",
        "kid",
        "children",
        "child",
        "babies",
        "baby",
        "infants",
        "infant",
        "toddlers",
        "toddler",
        "teens",
        "teenagers",
        "teenager",
        "seniors",
        "people",
        "persons",
        "passengers",
    ];
    let mut groups = Vec::new();
    for i in 0..w.len() {
        if taken.get(i).copied().unwrap_or(false) {
            continue;
        }
        let n = match w[i].as_str() {
            "a" | "an" | "one" => 1,
            word => match number(word) {
                Some(n) => n,
                None => continue,
            },
        };
        let next = w.get(i + 1).map(String::as_str).unwrap_or("");
        let after = w.get(i + 2).map(String::as_str).unwrap_or("");
        if GROUPS.contains(&next) || (next == "of" && after == "us") {
            groups.push(n);
        }
    }
    (groups.len() >= 2)
        .then(|| groups.iter().sum::<u32>())
        .filter(|n| (1..=20).contains(n))
}

/// Places by their prepositions: for a ride, "from X" is the pickup and
/// "to X" the destination; for a delivery, "to X" or "at X" is the
/// address. A place the words show replaces what the reader guessed.
fn ground_places(spec: &crate::registry::ActionSpec, places: &[Mention], slots: &mut SlotMap) {
    let has = |name: &str| spec.slot(name).is_some_and(|s| s.kind == SlotKind::Place);
    // A reader's place that is a time ("change the time to 10pm") is none.
    slots.retain(|name, value| !(has(name) && value.as_text().is_some_and(places::only_a_time)));
    // A reader's place with words around a known one is that place ("221B
    // Baker Street because that is where I live").
    for (name, value) in slots.iter_mut() {
        if !has(name) {
            continue;
        }
        let Some(text) = value.as_text().map(str::to_lowercase) else {
            continue;
        };
        let inside = places
            .iter()
            .filter(|p| p.known && text.contains(&p.text.to_lowercase()))
            .max_by_key(|p| p.text.len());
        if let Some(p) = inside
            && p.text.len() < text.len()
        {
            *value = SlotValue::Text(p.text.clone());
        }
    }
    let after = |words: &[&str]| {
        places
            .iter()
            .filter(|p| p.after.as_deref().is_some_and(|a| words.contains(&a)))
            .max_by_key(|p| p.known)
    };
    if has("pickup") && has("destination") {
        // "a cab home to Gatwick": a known place right after the ride,
        // with the way there said after it, is where it starts.
        let ride_from = after(places::RIDES).filter(|p| {
            p.known
                && places
                    .iter()
                    .any(|q| q.from > p.from && q.after.as_deref() == Some("to"))
        });
        // The reader's guess of the same words as the other end is not one
        // ("change the pickup to work" is no ride to work).
        let same = |slots: &SlotMap, name: &str, p: &Mention| {
            (slots.get(name).and_then(SlotValue::as_text))
                .is_some_and(|v| v.eq_ignore_ascii_case(&p.text))
        };
        // "home to paddington": a known place right before "to" another.
        let place_to = places.iter().find(|p| {
            p.known
                && p.after.as_deref() != Some("to")
                && (places.iter())
                    .any(|q| q.known && q.after.as_deref() == Some("to") && q.from == p.to + 1)
        });
        let from = after(&["from"]).or(ride_from).or(place_to);
        if let Some(p) = from {
            if same(slots, "destination", p) {
                slots.remove("destination");
            }
            slots.insert("pickup".into(), SlotValue::Text(p.text.clone()));
        }
        // "to the party at Shoreditch": the known place where the unknown
        // one is, the way there.
        let to = after(&["to", "towards", "for"]).map(|p| {
            places
                .iter()
                .find(|q| {
                    !p.known
                        && q.known
                        && q.from == p.to + 1
                        && matches!(q.after.as_deref(), Some("at" | "in" | "near" | "by"))
                })
                .unwrap_or(p)
        });
        // "take me home", "get us home": where the people are taken; "a
        // car home from work": where the car goes, when it comes from
        // somewhere else.
        let to = to
            .or_else(|| after(&["me", "us", "them"]).filter(|p| p.known))
            .or_else(|| {
                after(places::RIDES).filter(|p| p.known && from.is_some_and(|f| f.from != p.from))
            })
            // "need to get home".
            .or_else(|| after(&["get"]).filter(|p| p.known && p.text.eq_ignore_ascii_case("home")));
        if let Some(p) = to.filter(|p| p.known || !slots.contains_key("destination")) {
            if from.is_none() && same(slots, "pickup", p) {
                slots.remove("pickup");
            }
            slots.insert("destination".into(), SlotValue::Text(p.text.clone()));
        }
        // "pick me up at X", "I'm at X".
        if !slots.contains_key("pickup")
            && let Some(p) =
                after(&["at"]).filter(|p| p.known && to.is_none_or(|t| t.from != p.from))
        {
            slots.insert("pickup".into(), SlotValue::Text(p.text.clone()));
        }
        return;
    }
    if has("address") {
        // "to X", "at X", "delivered X"; or any place the gazetteer knows
        // that is not where something comes from.
        let said = after(&[
            "to",
            "at",
            "deliver",
            "delivered",
            "send",
            "bring",
            "it",
            "in",
        ]);
        let known = places
            .iter()
            .find(|p| p.known && p.after.as_deref() != Some("from"));
        // "I'm at my mum's, 5 Acacia Avenue": the place errand can find,
        // over one it cannot.
        let place = match said {
            Some(p) if p.known => Some(p),
            _ => known.or(said.filter(|_| !slots.contains_key("address"))),
        };
        if let Some(p) = place {
            slots.insert("address".into(), SlotValue::Text(p.text.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::mart::MartAgent;
    use crate::agents::ride::RideAgent;

    fn reading() -> Reading {
        let registry = DomainRegistry::new()
            .with(FoodAgent::simulated())
            .with(RideAgent::simulated())
            .with(MartAgent::simulated());
        Reading::new(
            &registry,
            Reading::time_zone("Europe/London").expect("london"),
        )
    }

    /// Wednesday 2 December 2026, 10:00 in London.
    const NOW: u64 = 1_796_205_600_000;

    fn ground(action: &str, text: &str, slots: SlotMap) -> SlotMap {
        let mut slots = slots;
        reading().ground(text, action, &mut slots, NOW);
        slots
    }

    fn items(slots: &SlotMap) -> Vec<(String, u32)> {
        slots
            .get("item")
            .and_then(SlotValue::as_items)
            .unwrap_or_default()
            .iter()
            .map(|i| (i.name.clone(), i.quantity))
            .collect()
    }

    fn text<'a>(slots: &'a SlotMap, name: &str) -> Option<&'a str> {
        slots.get(name).and_then(SlotValue::as_text)
    }

    #[test]
    fn a_named_restaurant_is_never_an_item() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![
                ItemRequest::new("margherita pizzas", 2),
                ItemRequest::new("Pizza Palace", 1),
            ]),
        )]);
        let slots = ground(
            "order_food",
            "two margherita pizzas from Pizza Palace to 10 Downing Street",
            heard,
        );
        assert_eq!(items(&slots), [("margherita pizza".to_owned(), 2)]);
        assert_eq!(text(&slots, "restaurant"), Some("Pizza Palace"));
        assert_eq!(text(&slots, "address"), Some("10 Downing Street"));
    }

    #[test]
    fn quantities_and_units() {
        let slots = ground("order_food", "two cheeseburgers and fries", SlotMap::new());
        assert_eq!(
            items(&slots),
            [("cheeseburger".to_owned(), 2), ("fries".to_owned(), 1)]
        );
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new("litres", 2)]),
        )]);
        let slots = ground("order_mart", "2 litres of milk", heard);
        assert_eq!(items(&slots), [("milk".to_owned(), 2)]);
    }

    #[test]
    fn a_ride_with_people_and_a_time() {
        let slots = ground(
            "book_ride",
            "book a ride for 3 people from home to gatwick at 5pm tomorrow",
            SlotMap::from([(
                "destination".to_owned(),
                SlotValue::Text("gatwick at 5pm".into()),
            )]),
        );
        assert_eq!(text(&slots, "pickup"), Some("home"));
        assert_eq!(text(&slots, "destination"), Some("gatwick"));
        assert_eq!(slots.get("seats"), Some(&SlotValue::Number(3)));
        assert_eq!(text(&slots, "pickup_at"), Some("2026-12-03T17:00:00+00:00"));
        let terminal = ground(
            "book_ride",
            "uber to heathrow terminal 5 from my house",
            SlotMap::from([("seats".to_owned(), SlotValue::Number(5))]),
        );
        assert_eq!(terminal.get("seats"), None, "terminal 5 is a place");
        let two = ground(
            "book_ride",
            "book a taxi for two from the office to soho",
            SlotMap::new(),
        );
        assert_eq!(two.get("seats"), Some(&SlotValue::Number(2)));
    }

    #[test]
    fn a_house_number_is_no_time() {
        for said in [
            "cab from home to 15 Abbey Road",
            "a cab from home to 23 Fleet Street",
        ] {
            let slots = ground("book_ride", said, SlotMap::new());
            assert_eq!(slots.get("pickup_at"), None, "{said}");
        }
        let slots = ground(
            "book_ride",
            "a cab from home to 23 Fleet Street at 9am",
            SlotMap::new(),
        );
        assert!(
            text(&slots, "pickup_at").is_some_and(|t| t.contains("T09:00")),
            "{slots:?}"
        );
    }

    #[test]
    fn a_flat_is_part_of_its_address() {
        for said in [
            "order a burger to flat 3, 12 Abbey Road",
            "a burger to 12 Abbey Road, flat 3 please",
        ] {
            let slots = ground("order_food", said, SlotMap::new());
            let address = text(&slots, "address").unwrap_or_default().to_lowercase();
            assert!(
                address.contains("flat 3") && address.contains("12 abbey road"),
                "{said}: {address}"
            );
        }
    }

    #[test]
    fn a_time_more_than_an_hour_away_is_said() {
        let r = reading();
        // 2026-06-16 12:00 and 19:30 in London (BST).
        let noon = 1_781_607_600_000;
        let evening = noon + 7 * 3_600_000 + 1_800_000;
        let later = |text: &str, action: &str, now: u64| {
            r.ground(text, action, &mut SlotMap::new(), now)
                .is_some_and(|said| Reading::is_later(&said, now))
        };
        assert!(later("a pizza at 7pm", "order_food", noon));
        assert!(later("a curry tonight", "order_food", noon));
        assert!(!later("a curry tonight", "order_food", evening));
        assert!(!later("a pizza now", "order_food", noon));
        assert!(later("milk tomorrow", "order_mart", evening));
        // A house number is no time.
        assert!(!later("a pizza to 15 Abbey Road", "order_food", noon));
    }

    #[test]
    fn a_time_to_be_there_by_is_no_pickup_time() {
        for said in [
            "get me to heathrow by 9am",
            "I need to be at gatwick tomorrow by 7",
            "a cab from home to the airport, no later than 6pm",
        ] {
            let slots = ground("book_ride", said, SlotMap::new());
            assert_eq!(slots.get("pickup_at"), None, "{said}");
            assert!(when::deferred(said), "{said}");
        }
        let at = ground("book_ride", "a cab to heathrow at 9am", SlotMap::new());
        assert!(at.contains_key("pickup_at"));
        assert!(!when::deferred("a cab to heathrow at 9am"));
    }

    #[test]
    fn the_known_place_where_an_unknown_one_is_is_the_way_there() {
        let party = ground(
            "book_ride",
            "book a taxi to the party at shoreditch",
            SlotMap::new(),
        );
        assert_eq!(text(&party, "destination"), Some("shoreditch"));
        assert_eq!(party.get("pickup"), None);
        let after = ground(
            "book_ride",
            "book a taxi to the after party at shoreditch",
            SlotMap::new(),
        );
        assert_eq!(text(&after, "destination"), Some("shoreditch"));
        // Said apart, "at" is still where to pick up.
        let at = ground(
            "book_ride",
            "I'm at shoreditch, take me to soho",
            SlotMap::new(),
        );
        assert_eq!(text(&at, "pickup"), Some("shoreditch"));
        assert_eq!(text(&at, "destination"), Some("soho"));
    }

    #[test]
    fn the_kind_of_car_is_read_from_the_words() {
        let kind =
            |text: &str, heard: SlotMap| text_owned(&ground("book_ride", text, heard), "ride_type");
        assert_eq!(
            kind("book a premium car from euston to waterloo", SlotMap::new()),
            Some("premium".into())
        );
        assert_eq!(
            kind("a luxury cab to the airport", SlotMap::new()),
            Some("premium".into())
        );
        assert_eq!(
            kind("an uber xl to soho", SlotMap::new()),
            Some("xl".into())
        );
        assert_eq!(kind("a cab to soho", SlotMap::new()), None);
        let made_up =
            SlotMap::from([("ride_type".to_owned(), SlotValue::Text("spaceship".into()))]);
        assert_eq!(kind("a cab to soho", made_up), None, "only a choice stays");
    }

    fn text_owned(slots: &SlotMap, name: &str) -> Option<String> {
        text(slots, name).map(str::to_owned)
    }

    #[test]
    fn a_readers_dish_is_taken_as_said_in_full() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new("chicken", 1)]),
        )]);
        let slots = ground("order_food", "order a chicken katsu to home", heard);
        assert_eq!(items(&slots), [("chicken katsu".to_owned(), 1)]);
    }

    #[test]
    fn a_dish_is_no_address() {
        let heard = SlotMap::from([("address".to_owned(), SlotValue::Text("a cappuccino".into()))]);
        let slots = ground("order_food", "switch it to a cappuccino", heard);
        assert_eq!(text(&slots, "address"), None);
        assert_eq!(items(&slots), [("cappuccino".to_owned(), 1)]);
    }

    #[test]
    fn what_is_said_aside_is_no_item() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new("nursery", 1)]),
        )]);
        let slots = ground(
            "order_mart",
            "i run a nursery, i need 30 packs of nappies delivered to 3 upper street",
            heard,
        );
        assert_eq!(items(&slots), [("diapers".to_owned(), 30)]);
    }

    #[test]
    fn what_a_thing_is_for_is_no_item() {
        for (said, heard, thing) in [
            ("buy bread for sandwiches", "sandwiches", "bread"),
            ("get tomatoes for the pasta sauce", "pasta sauce", "tomato"),
            ("get flour for pancakes", "pancakes", "flour"),
        ] {
            let heard = SlotMap::from([(
                "item".to_owned(),
                SlotValue::Items(vec![ItemRequest::new(thing, 1), ItemRequest::new(heard, 1)]),
            )]);
            let slots = ground("order_mart", said, heard);
            assert_eq!(items(&slots), [(thing.to_owned(), 1)], "{said}");
        }
    }

    #[test]
    fn words_of_sending_are_no_item() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![
                ItemRequest::new("loo roll", 1),
                ItemRequest::new("some sent", 1),
            ]),
        )]);
        let slots = ground(
            "order_mart",
            "i'm out of loo roll, can you get some sent to my house",
            heard,
        );
        assert_eq!(items(&slots), [("toilet paper".to_owned(), 1)]);
    }

    #[test]
    fn words_of_sending_somewhere_are_no_item_either() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![
                ItemRequest::new("loo roll", 1),
                ItemRequest::new("sent round", 1),
            ]),
        )]);
        let slots = ground(
            "order_mart",
            "could I get some loo roll sent round to my place",
            heard,
        );
        assert_eq!(items(&slots), [("toilet paper".to_owned(), 1)]);
    }

    #[test]
    fn an_unknown_dish_stays_for_the_agent_to_refuse() {
        let heard = SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new("unicorn steak", 1)]),
        )]);
        let slots = ground("order_food", "order me a unicorn steak", heard);
        assert_eq!(items(&slots), [("unicorn steak".to_owned(), 1)]);
    }

    #[test]
    fn things_of_a_list_before_the_first_known_stay_for_the_shop_to_refuse() {
        for (said, expected) in [
            (
                "hummus, pasta, cheese to home",
                vec!["hummus", "pasta", "cheese"],
            ),
            ("buy tahini and milk to home", vec!["tahini", "milk"]),
            (
                "can you get me some tahini, bread and milk",
                vec!["tahini", "bread", "milk"],
            ),
            // A part led by another word is no thing of the list.
            ("for the party, crisps and milk", vec!["crisps", "milk"]),
            ("hi, milk and eggs to home", vec!["milk", "eggs"]),
        ] {
            let slots = ground("order_mart", said, SlotMap::new());
            let mut names: Vec<String> = items(&slots).into_iter().map(|(n, _)| n).collect();
            names.sort();
            let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
            expected.sort();
            assert_eq!(names, expected, "{said}");
        }
    }

    #[test]
    fn what_is_asked_when_no_reader_knew() {
        let r = reading();
        assert_eq!(
            r.claims("order a kung pao chicken and egg fried rice to home"),
            Some("order_food"),
            "two dishes, not the mart's chicken and rice"
        );
        assert_ne!(
            r.claims("order a chicken katsu to home"),
            Some("order_mart")
        );
        // Things sent somewhere are no ride, even after "get".
        assert_eq!(
            r.claims("we're out of loo roll, could you get some delivered to my office"),
            Some("order_mart")
        );
        assert_eq!(r.claims("please take me to the airport"), Some("book_ride"));
        for going_home in [
            "take me home from the office",
            "get me home from soho",
            "can you take us home",
        ] {
            assert_eq!(r.claims(going_home), Some("book_ride"), "{going_home}");
        }
        assert_ne!(r.claims("bring me home a pizza"), Some("book_ride"));
        // The car's kind, one of the ride's choices, names the ride.
        for kind in ["book me an xl to stansted", "a premium from soho please"] {
            assert_eq!(r.claims(kind), Some("book_ride"), "{kind}");
        }
        assert_ne!(r.claims("an xl pizza to home"), Some("book_ride"));
        assert_eq!(
            r.ordered_dish("order me a lobster thermidor to work"),
            Some(("order_food", "lobster thermidor".to_owned()))
        );
        assert_eq!(r.ordered_dish("order me to work"), None);
        assert_eq!(
            r.ordered_dish("a soup to work please"),
            Some(("order_food", "soup".to_owned()))
        );
        assert_eq!(r.ordered_dish("a ride to work"), None);
        assert_eq!(r.ordered_dish("what's the weather at work"), None);
        assert_eq!(
            r.claims("2 litres of milk and a dozen eggs"),
            Some("order_mart")
        );
        assert_eq!(r.claims("a burger and fries to work"), Some("order_food"));
        assert_eq!(r.claims("2 tacos beef to home"), Some("order_food"));
        // The same words as one dish or as two groceries: the dish.
        assert_eq!(r.claims("butter chicken to home"), Some("order_food"));
        assert_eq!(r.claims("chicken and butter to home"), Some("order_mart"));
        assert_eq!(r.claims("I need groceries"), Some("order_mart"));
        // Food for a pet or a baby is no meal.
        assert_eq!(r.claims("buy cat food"), None);
        assert_eq!(r.claims("I need thai food"), Some("order_food"));
        // What the things are for: the shop that sells them.
        assert_eq!(r.claims("get eggs for breakfast"), Some("order_mart"));
        assert_eq!(r.claims("buy rice for dinner"), Some("order_mart"));
        assert_eq!(
            r.claims("buy bread for sandwiches to home"),
            Some("order_mart")
        );
        assert_eq!(r.claims("get flour for the pancakes"), Some("order_mart"));
        assert_eq!(r.claims("a latte for my wife"), Some("order_food"));
        assert_eq!(r.claims("order something for dinner"), Some("order_food"));
        assert_eq!(r.claims("I'm hungry"), Some("order_food"));
        assert_eq!(
            r.claims("i need to get from canary wharf to the o2 arena"),
            Some("book_ride")
        );
        assert_eq!(r.claims("I don't need groceries"), None);
        assert_eq!(r.claims("how much is the milk?"), None);
        assert_eq!(r.claims("I went shopping yesterday"), None);
        assert_eq!(
            r.claims("book a table for two at an italian restaurant"),
            None
        );
        assert_eq!(r.claims("give me a recipe for pancakes"), None);
        assert_eq!(r.claims("I need to rent a car"), None);
    }

    #[test]
    fn typos_and_emoji() {
        let r = reading();
        assert_eq!(r.fix("ordr me a buger"), "order me a burger");
        assert_eq!(r.fix("book a taxii to gatwik"), "book a taxi to gatwick");
        assert_eq!(r.fix("🍕 to work"), "pizza to work");
        assert_eq!(
            r.fix("a cheesburger and chipps"),
            "a cheeseburger and chips"
        );
    }
}
