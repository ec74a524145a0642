//! Location: resolves addresses and place names to coordinates through a
//! small built-in [`Gazetteer`], and keeps saved places (`home`, `work`) per
//! user, seeded for `demo`.

use super::catalog::{DEMO_SAVED_PLACES, LANDMARKS, SAVED_PLACE_ALIASES, STREETS};
use super::normalize;
use errand_schemas::{ErrorBody, ErrorCode, Place};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::collections::HashMap;

/// Places by normalised name, plus saved places per user.
#[derive(Clone, Debug)]
pub struct Gazetteer {
    landmarks: HashMap<String, Place>,
    streets: Vec<(String, Place)>,
    saved: HashMap<(String, String), Place>,
}

impl Default for Gazetteer {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Gazetteer {
    /// The built-in places, with `home` and `work` saved for `demo`.
    pub fn builtin() -> Self {
        let mut landmarks = HashMap::new();
        for (name, aliases, lat, lon) in LANDMARKS {
            let place = Place {
                name: (*name).into(),
                lat: *lat,
                lon: *lon,
            };
            landmarks.insert(normalize(name), place.clone());
            for alias in *aliases {
                landmarks.insert(normalize(alias), place.clone());
            }
        }
        let streets = STREETS
            .iter()
            .map(|(name, lat, lon)| {
                (
                    normalize(name),
                    Place {
                        name: (*name).into(),
                        lat: *lat,
                        lon: *lon,
                    },
                )
            })
            .collect();
        let mut gazetteer = Self {
            landmarks,
            streets,
            saved: HashMap::new(),
        };
        for (name, address, lat, lon) in DEMO_SAVED_PLACES {
            gazetteer.save(
                "demo",
                name,
                Place {
                    name: (*address).into(),
                    lat: *lat,
                    lon: *lon,
                },
            );
        }
        gazetteer
    }

    /// Saves `place` as `name` (`home`, `work`, ...) for `user`.
    pub fn save(&mut self, user: &str, name: &str, place: Place) {
        self.saved.insert((user.to_owned(), normalize(name)), place);
    }

    /// Resolves `query` for `user`: a saved place, a landmark, or a street
    /// address ("221B Baker Street").
    pub fn resolve(&self, query: &str, user: &str) -> Result<Place, ErrorBody> {
        let q = normalize(query);
        let q = q
            .strip_prefix("the ")
            .filter(|rest| !self.landmarks.contains_key(&q) && !rest.is_empty())
            .map(str::to_owned)
            .unwrap_or(q);
        if q.is_empty() {
            return Err(ErrorBody::new(
                ErrorCode::UnknownPlace,
                "No place was given.",
            ));
        }
        let saved_name = SAVED_PLACE_ALIASES
            .iter()
            .find(|(alias, _)| normalize(alias) == q)
            .map(|(_, name)| *name)
            .unwrap_or(q.as_str());
        if let Some(place) = self.saved.get(&(user.to_owned(), saved_name.to_owned())) {
            return Ok(place.clone());
        }
        // A saved place's own address, typed out, is that place.
        if let Some(place) = self
            .saved
            .iter()
            .find(|((owner, _), place)| owner == user && normalize(&place.name) == q)
            .map(|(_, place)| place)
        {
            return Ok(place.clone());
        }
        if let Some(place) = self
            .landmarks
            .get(&q)
            .or_else(|| self.landmarks.get(&format!("the {q}")))
        {
            return Ok(place.clone());
        }
        if let Some(place) = self.street_address(&q, query) {
            return Ok(place);
        }
        // "flat 3, 12 abbey road", "12 abbey road flat 3": the street
        // address finds it, and the flat stays in its name.
        if let Some(street) = without_flat(&q)
            && let Some(place) = self.street_address(&street, &street)
        {
            return Ok(Place {
                name: titled(query.trim()),
                ..place
            });
        }
        // "12 Oxford Rd, Manchester M1 5QA", "5 High St OX1 4AA": the
        // street address finds it, and the town and postcode stay in its
        // name.
        if let Some(street) = without_town(query)
            && let Some(place) = self.street_address(&street, &street)
        {
            return Ok(Place {
                name: titled(query.trim()),
                ..place
            });
        }
        // "Flat 3, 20 Holloway Road, N7 8JG": both.
        if let Some(street) = without_flat(&q).and_then(|street| without_town(&street))
            && let Some(place) = self.street_address(&street, &street)
        {
            return Ok(Place {
                name: titled(query.trim()),
                ..place
            });
        }
        if SAVED_PLACE_ALIASES.iter().any(|(_, n)| *n == saved_name) {
            return Err(ErrorBody::new(
                ErrorCode::UnknownPlace,
                format!("You have no saved place called \"{saved_name}\"."),
            ));
        }
        Err(ErrorBody::new(
            ErrorCode::UnknownPlace,
            format!("I couldn't find \"{}\".", query.trim()),
        ))
    }

    /// "221b baker street", "10 downing st", "baker street".
    fn street_address(&self, q: &str, original: &str) -> Option<Place> {
        let q = q
            .strip_suffix(" london")
            .unwrap_or(q)
            .split(' ')
            .map(|w| match w {
                "st" => "street",
                "rd" => "road",
                "ave" => "avenue",
                "ln" => "lane",
                "sq" => "square",
                _ => w,
            })
            .collect::<Vec<_>>()
            .join(" ");
        let (number, street) = match q.split_once(' ') {
            Some((first, rest)) if first.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                (Some(first), rest)
            }
            _ => (None, q.as_str()),
        };
        let known = self.streets.iter().find(|(name, _)| name == street);
        let base = match known {
            Some((_, base)) => base.clone(),
            // Any house on any street a geocoder would find ("14 Elm
            // Road"): a number, a name, a kind of street. The simulation
            // places it in central London by its name.
            None if number.is_some() && is_street_name(street) => Place {
                name: titled(street),
                lat: 51.49 + f64::from(name_hash(street) % 600) / 10_000.0,
                lon: -0.20 + f64::from(name_hash(street) / 600 % 1_800) / 10_000.0,
            },
            None => return None,
        };
        let house: u32 = number
            .map(|n| {
                n.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        // Spread house numbers along the street, about 10 m apart.
        let offset = f64::from(house % 400) * 0.00009;
        let name = match number {
            Some(_) => titled(original),
            None => base.name.clone(),
        };
        Some(Place {
            name,
            lat: base.lat + offset * 0.3,
            lon: base.lon + offset,
        })
    }
}

/// The street of `query` without the town after its comma or the
/// postcode at its end, normalised; `None` when it has neither.
fn without_town(query: &str) -> Option<String> {
    let street = match query.split_once(',') {
        Some((street, _)) => street,
        None => {
            let words: Vec<&str> = query.split_whitespace().collect();
            let [rest @ .., out, inw] = words.as_slice() else {
                return None;
            };
            let postcode = (2..=4).contains(&out.len())
                && out.starts_with(|c: char| c.is_ascii_alphabetic())
                && out.chars().any(|c| c.is_ascii_digit())
                && inw.len() == 3
                && inw.starts_with(|c: char| c.is_ascii_digit());
            if !postcode || rest.is_empty() {
                return None;
            }
            return Some(normalize(&rest.join(" ")));
        }
    };
    Some(normalize(street))
}

/// `q` (normalised) without a flat said before or after it ("flat 3"),
/// or `None` when it names none.
fn without_flat(q: &str) -> Option<String> {
    let words: Vec<&str> = q.split(' ').collect();
    let flat = |at: usize| {
        matches!(
            words.get(at),
            Some(&("flat" | "apartment" | "apt" | "unit" | "suite"))
        ) && words
            .get(at + 1)
            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
    };
    let n = words.len();
    if n > 2 && flat(0) {
        return Some(words[2..].join(" "));
    }
    if n > 2 && flat(n - 2) {
        return Some(words[..n - 2].join(" "));
    }
    None
}

/// "elm road", "the old kent road": words ending in a kind of street.
fn is_street_name(street: &str) -> bool {
    let words: Vec<&str> = street.split(' ').collect();
    (2..=5).contains(&words.len())
        && words
            .last()
            .is_some_and(|w| super::catalog::STREET_KINDS.contains(w))
        && words.iter().all(|w| w.chars().all(char::is_alphabetic))
}

fn name_hash(name: &str) -> u32 {
    name.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}

/// "221b baker street" -> "221B Baker Street".
fn titled(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                w.to_uppercase()
            } else {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub enum LocationMessage {
    Resolve {
        query: String,
        user_id: String,
        reply: RpcReplyPort<Result<Place, ErrorBody>>,
    },
    SavePlace {
        user_id: String,
        name: String,
        place: Place,
    },
}

impl ractor::Message for LocationMessage {}

/// The location service as an actor.
pub struct LocationActor;

impl Actor for LocationActor {
    type Msg = LocationMessage;
    type State = Gazetteer;
    type Arguments = Gazetteer;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        gazetteer: Gazetteer,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(gazetteer)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        gazetteer: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            LocationMessage::Resolve {
                query,
                user_id,
                reply,
            } => {
                let _ = reply.send(gazetteer.resolve(&query, &user_id));
            }
            LocationMessage::SavePlace {
                user_id,
                name,
                place,
            } => gazetteer.save(&user_id, &name, place),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_places_address_is_that_place() {
        let g = Gazetteer::builtin();
        assert_eq!(
            g.resolve("221b baker street", "demo").unwrap(),
            g.resolve("home", "demo").unwrap()
        );
        assert_eq!(
            g.resolve("1 Canada Square", "demo").unwrap(),
            g.resolve("work", "demo").unwrap()
        );
    }

    #[test]
    fn a_flat_stays_with_its_street_address() {
        let g = Gazetteer::builtin();
        let street = g.resolve("12 abbey road", "demo").unwrap();
        for said in ["flat 3, 12 Abbey Road", "12 Abbey Road, flat 3"] {
            let flat = g.resolve(said, "demo").unwrap();
            assert_eq!(flat.name, titled(said), "{said}");
            assert_eq!((flat.lat, flat.lon), (street.lat, street.lon), "{said}");
        }
        assert!(g.resolve("flat 3", "demo").is_err());
    }

    #[test]
    fn a_town_and_postcode_stay_with_their_street_address() {
        let g = Gazetteer::builtin();
        let street = g.resolve("12 oxford road", "demo").unwrap();
        for said in [
            "12 Oxford Rd, Manchester M1 5QA",
            "12 Oxford Road, Manchester",
            "12 Oxford Road M1 5QA",
        ] {
            let place = g.resolve(said, "demo").unwrap();
            assert_eq!(place.name, titled(said), "{said}");
            assert_eq!((place.lat, place.lon), (street.lat, street.lon), "{said}");
        }
        assert!(g.resolve("somewhere, Manchester", "demo").is_err());
    }

    #[test]
    fn any_street_address_resolves_but_not_a_description() {
        let g = Gazetteer::builtin();
        let elm = g.resolve("14 elm road", "demo").unwrap();
        assert_eq!(elm.name, "14 Elm Road");
        assert_eq!(g.resolve("14 Elm Road", "demo").unwrap(), elm, "stable");
        assert_eq!(
            g.resolve("42 acacia avenue", "demo").unwrap().name,
            "42 Acacia Avenue"
        );
        assert!(g.resolve("42 Acacia Ave", "demo").is_ok());
        for nowhere in ["my mum's house", "Atlantis", "elm road", "14 the thing"] {
            assert_eq!(
                g.resolve(nowhere, "demo").unwrap_err().code,
                ErrorCode::UnknownPlace,
                "{nowhere}"
            );
        }
    }

    #[test]
    fn resolves_saved_places_landmarks_and_addresses() {
        let g = Gazetteer::builtin();
        assert_eq!(g.resolve("home", "demo").unwrap().name, "221B Baker Street");
        assert_eq!(
            g.resolve("the office", "demo").unwrap().name,
            "1 Canada Square"
        );
        assert_eq!(
            g.resolve("the airport", "demo").unwrap().name,
            "Heathrow Airport"
        );
        assert_eq!(
            g.resolve("Heathrow", "demo").unwrap().name,
            "Heathrow Airport"
        );
        assert_eq!(
            g.resolve("221B Baker Street", "x").unwrap().name,
            "221B Baker Street"
        );
        assert_eq!(
            g.resolve("10 Downing St", "x").unwrap().name,
            "10 Downing St"
        );
        assert_eq!(
            g.resolve("Kings Cross", "x").unwrap().name,
            "King's Cross Station"
        );
        let err = g.resolve("Atlantis", "demo").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownPlace);
        assert_eq!(
            g.resolve("home", "alice").unwrap_err().code,
            ErrorCode::UnknownPlace
        );
    }
}
