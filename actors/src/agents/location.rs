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
            .replace(" st", " street")
            .replace(" rd", " road")
            .replace(" ave", " avenue")
            .replace(" streetreet", " street");
        let (number, street) = match q.split_once(' ') {
            Some((first, rest)) if first.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                (Some(first), rest)
            }
            _ => (None, q.as_str()),
        };
        let (_, base) = self.streets.iter().find(|(name, _)| name == street)?;
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
