//! The ride agent: fares from the distance between geocoded points and the
//! ride type, a charge, a booking.

use super::{CURRENCY, Services, distance_m, format_money, stable_id};
use crate::bounds::{PROVIDER_MEMORY, PROVIDER_ORDERS};
use crate::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use crate::store::aging::Aging;
use async_trait::async_trait;
use errand_schemas::{
    Action, AgentResult, CancelResult, Command, ErrorBody, ErrorCode, Outcome, Place, Refusal,
    ResultBody, RideBooking, RideResult, RideType, Summary,
};
use std::sync::{Arc, Mutex};

/// A priced ride.
#[derive(Clone, Debug, PartialEq)]
pub struct RideQuote {
    pub fare: i64,
    pub distance_m: u32,
}

/// What a ride-hailing integration implements.
#[async_trait]
pub trait RideProvider: Send + Sync + 'static {
    async fn quote(
        &self,
        pickup: &Place,
        destination: &Place,
        ride_type: RideType,
        seats: u32,
    ) -> Result<RideQuote, ErrorBody>;

    /// Books the ride (again for the same id: the first booking). Returns
    /// the minutes until the car reaches the pickup.
    async fn book(
        &self,
        booking_id: &str,
        pickup: &Place,
        ride_type: RideType,
        instructions: Option<&str>,
    ) -> Result<u32, ErrorBody>;

    /// Cancels the booking (again for the same id: no change).
    async fn cancel(&self, booking_id: &str) -> Result<(), ErrorBody>;
}

/// Fares: a base plus a rate per kilometre of road (straight line × 1.3),
/// scaled by the ride type, with a minimum.
pub struct SimulatedRides {
    /// Bookings made (by booking id, with the car's minutes away) and
    /// cancelled: the last [`PROVIDER_ORDERS`] of each.
    bookings: Mutex<Aging<String, u32>>,
    cancelled: Mutex<Aging<String, ()>>,
    told: super::Told,
}

impl Default for SimulatedRides {
    fn default() -> Self {
        Self {
            bookings: Mutex::new(Aging::new(PROVIDER_ORDERS, PROVIDER_MEMORY)),
            cancelled: Mutex::new(Aging::new(PROVIDER_ORDERS, PROVIDER_MEMORY)),
            told: super::Told::default(),
        }
    }
}

impl SimulatedRides {
    /// What the driver of `booking_id` was asked, as the booking told it.
    pub fn instructions(&self, booking_id: &str) -> Option<String> {
        self.told.get(booking_id)
    }

    /// Bookings cancelled so far (each booking id once).
    pub fn cancelled_count(&self) -> usize {
        self.cancelled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }
}

/// Large bags or suitcases each ride type's boot takes.
pub fn boot(ride_type: RideType) -> u32 {
    match ride_type {
        RideType::Shared => 1,
        RideType::Standard | RideType::Premium => 2,
        RideType::Xl => 6,
    }
}

/// Seats each ride type offers.
pub fn capacity(ride_type: RideType) -> u32 {
    match ride_type {
        RideType::Shared => 2,
        RideType::Standard | RideType::Premium => 4,
        RideType::Xl => 6,
    }
}

#[async_trait]
impl RideProvider for SimulatedRides {
    async fn quote(
        &self,
        pickup: &Place,
        destination: &Place,
        ride_type: RideType,
        seats: u32,
    ) -> Result<RideQuote, ErrorBody> {
        if seats == 0 || seats > capacity(ride_type) {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                format!(
                    "A {} ride takes 1 to {} passengers, not {seats}.",
                    ride_type.as_str(),
                    capacity(ride_type)
                ),
            ));
        }
        let road_m = distance_m(pickup, destination) * 1.3;
        if road_m < 50.0 {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                "The pickup and the destination are the same place.",
            ));
        }
        let (percent, minimum) = match ride_type {
            RideType::Shared => (75, 400),
            RideType::Standard => (100, 500),
            RideType::Xl => (150, 800),
            RideType::Premium => (200, 1200),
        };
        let base = 250.0 + road_m / 1000.0 * 125.0;
        let fare = ((base * f64::from(percent) / 100.0).round() as i64).max(minimum);
        Ok(RideQuote {
            fare,
            distance_m: road_m.round() as u32,
        })
    }

    async fn book(
        &self,
        booking_id: &str,
        _pickup: &Place,
        ride_type: RideType,
        instructions: Option<&str>,
    ) -> Result<u32, ErrorBody> {
        let mut bookings = self.bookings.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(eta) = bookings.get(booking_id) {
            return Ok(*eta);
        }
        self.told.record(booking_id, instructions);
        // A car 2 to 9 minutes away, chosen by the booking id.
        let spread = booking_id.bytes().map(u32::from).sum::<u32>() % 8;
        let eta = 2 + spread + u32::from(ride_type == RideType::Premium);
        bookings.insert(booking_id.to_owned(), eta);
        Ok(eta)
    }

    async fn cancel(&self, booking_id: &str) -> Result<(), ErrorBody> {
        self.cancelled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(booking_id.to_owned(), ());
        Ok(())
    }
}

/// The most passengers any car takes.
pub const MOST_SEATS: u32 = 6;

/// Speeds for a ride's time on the road (km/h): its first
/// [`TOWN_KM`] in town, the rest on the faster roads out of it, so an
/// airport run is not timed as if it crawled through the centre all the
/// way (Baker Street to Gatwick, about 54 km of road: 1 hour 21 minutes).
const TOWN_KM_PER_HOUR: f64 = 20.0;
const OPEN_ROAD_KM_PER_HOUR: f64 = 48.0;
const TOWN_KM: f64 = 8.0;

/// Minutes on the road for `distance_m` of road, at least 5.
pub fn journey_minutes(distance_m: u32) -> u32 {
    let km = f64::from(distance_m) / 1000.0;
    let town = km.min(TOWN_KM);
    let hours = town / TOWN_KM_PER_HOUR + (km - town) / OPEN_ROAD_KM_PER_HOUR;
    ((hours * 60.0).round() as u32).max(5)
}

/// How far ahead a ride may be booked.
pub const FURTHEST_AHEAD_MS: u64 = 30 * 24 * 3_600_000;

/// The ride type that seats `seats` and takes `bags` when `asked` does
/// not: an XL up to [`MOST_SEATS`] and its boot, with the reason to give.
pub fn fitting_type(
    asked: RideType,
    seats: u32,
    bags: u32,
) -> Result<(RideType, Option<String>), ErrorBody> {
    if seats == 0 {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            "A ride needs at least one passenger.",
        ));
    }
    if bags > boot(RideType::Xl) {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            format!(
                "The largest car takes {} large bags, not {bags}.",
                boot(RideType::Xl)
            ),
        ));
    }
    // "4 of us with 4 suitcases": a boot too small is a bigger car.
    if seats <= capacity(asked) && bags > boot(asked) {
        let fits = match asked {
            RideType::Shared if bags <= boot(RideType::Standard) => RideType::Standard,
            _ => RideType::Xl,
        };
        if fits != asked {
            let why = format!(
                "{}, because a {} car takes {} large {} and you have {bags}.",
                match fits {
                    RideType::Xl => "An XL".to_owned(),
                    other => format!("A {} car", other.as_str()),
                },
                asked.as_str(),
                boot(asked),
                if boot(asked) == 1 { "bag" } else { "bags" },
            );
            return Ok((fits, Some(why)));
        }
    }
    if seats <= capacity(asked) {
        return Ok((asked, None));
    }
    if seats > MOST_SEATS {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            format!("The largest car takes {MOST_SEATS} people, not {seats}."),
        ));
    }
    // A shared car too small is a standard one while that seats them
    // (the next cheapest), else an XL.
    let (fits, article) = match asked {
        RideType::Shared if seats <= capacity(RideType::Standard) => (RideType::Standard, "A"),
        _ => (RideType::Xl, "An"),
    };
    let why = format!(
        "{article} {}, because a {} car takes {} and you are {seats}.",
        match fits {
            RideType::Xl => "XL".to_owned(),
            other => format!("{} car", other.as_str()),
        },
        asked.as_str(),
        capacity(asked)
    );
    Ok((fits, Some(why)))
}

/// Checks a requested pickup time: RFC 3339, not past, at most 30 days
/// ahead. Returns it in milliseconds since the epoch.
pub fn check_pickup_at(pickup_at: &str, now_ms: u64) -> Result<u64, ErrorBody> {
    let at: jiff::Timestamp = pickup_at.parse().map_err(|_| {
        ErrorBody::new(
            ErrorCode::InvalidCommand,
            format!("\"{pickup_at}\" is not a time (RFC 3339, e.g. 2026-12-03T17:00:00Z)."),
        )
    })?;
    let at_ms = u64::try_from(at.as_millisecond()).unwrap_or(0);
    // A minute's grace: "now" said a moment ago is not the past.
    if at_ms + 60_000 < now_ms {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            "That time has already passed.",
        ));
    }
    if at_ms > now_ms + FURTHEST_AHEAD_MS {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            "I can book a ride at most 30 days ahead.",
        ));
    }
    Ok(at_ms)
}

/// The `ride` domain.
pub struct RideAgent {
    provider: Arc<dyn RideProvider>,
}

/// A ride resolved and priced as it would be booked.
struct PricedRide {
    pickup: Place,
    destination: Place,
    ride_type: RideType,
    why: Option<String>,
    quote: RideQuote,
}

impl RideAgent {
    pub fn new(provider: impl RideProvider) -> Self {
        Self {
            provider: Arc::new(provider),
        }
    }

    async fn price(
        &self,
        ride: &RideBooking,
        user_id: &str,
        services: &Services,
    ) -> Result<PricedRide, Refusal> {
        let pickup = services
            .resolve(&ride.pickup, user_id)
            .await
            .map_err(|e| super::place_refusal("pickup", e))?;
        let destination = services
            .resolve(&ride.destination, user_id)
            .await
            .map_err(|e| super::place_refusal("destination", e))?;
        if distance_m(&pickup, &destination) * 1.3 < 50.0 {
            return Err(Refusal::of(
                "destination",
                ErrorBody::new(
                    ErrorCode::InvalidCommand,
                    format!("{} is where the ride would start.", destination.name),
                ),
            ));
        }
        if let Some(at) = &ride.pickup_at {
            check_pickup_at(at, services.clock.now_ms())
                .map_err(|e| Refusal::of("pickup_at", e))?;
        }
        let (ride_type, why) = fitting_type(ride.ride_type, ride.seats, ride.bags)
            .map_err(|e| Refusal::of("seats", e))?;
        let quote = self
            .provider
            .quote(&pickup, &destination, ride_type, ride.seats)
            .await
            .map_err(Refusal::fatal)?;
        Ok(PricedRide {
            pickup,
            destination,
            ride_type,
            why,
            quote,
        })
    }

    pub fn simulated() -> Self {
        Self::new(SimulatedRides::default())
    }
}

#[async_trait]
impl DomainAgent for RideAgent {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "ride".into(),
            description: "Books rides (taxi, cab) between two places.".into(),
            actions: vec![ActionSpec {
                name: "book_ride".into(),
                description: "Book a ride from a pickup to a destination.".into(),
                slots: vec![
                    SlotSpec::required(
                        "pickup",
                        SlotKind::Place,
                        "where to be picked up",
                        "Where should the driver pick you up?",
                    ),
                    SlotSpec::required(
                        "destination",
                        SlotKind::Place,
                        "where to go",
                        "Where would you like to go?",
                    ),
                    SlotSpec::optional(
                        "ride_type",
                        SlotKind::Text,
                        "standard, shared, xl or premium",
                    )
                    .one_of(&RideType::ALL.map(RideType::as_str))
                    .also_called(&[
                        ("regular", "standard"),
                        // A London black cab is the everyday taxi.
                        ("black cab", "standard"),
                        ("black taxi", "standard"),
                        ("normal", "standard"),
                        ("share", "shared"),
                        ("carpool", "shared"),
                        ("big car", "xl"),
                        ("large car", "xl"),
                        ("bigger car", "xl"),
                        ("minivan", "xl"),
                        ("people carrier", "xl"),
                        ("van", "xl"),
                        ("minibus", "xl"),
                        ("mpv", "xl"),
                        ("suv", "xl"),
                        ("estate", "xl"),
                        ("limo", "premium"),
                        ("limousine", "premium"),
                        ("luxury", "premium"),
                        ("executive", "premium"),
                        ("exec", "premium"),
                        ("lux", "premium"),
                        ("posh", "premium"),
                        ("fancy", "premium"),
                        ("cheapest", "shared"),
                        ("cheaper", "shared"),
                    ])
                    .asking("Which kind of car: standard, shared, XL or premium?"),
                    SlotSpec::optional("seats", SlotKind::Number, "how many passengers")
                        .asking("How many people are travelling?"),
                    SlotSpec::optional(
                        "bags",
                        SlotKind::Number,
                        "how many large bags or suitcases travel too",
                    )
                    .asking("How many large bags or suitcases?"),
                    super::instructions_slot("driver"),
                    SlotSpec::optional("pickup_at", SlotKind::Time, "when, if not now")
                        .asking("When should the driver come?"),
                ],
            }],
            examples: vec![
                "book a cab from [home](pickup) to [the airport](destination)".into(),
                "get me a taxi to [King's Cross](destination)".into(),
                "I need a ride from [work](pickup) to [Heathrow](destination)".into(),
                "call me [an XL](ride_type) to [the station](destination) for [5](seats)".into(),
            ],
            words: [
                "ride", "taxi", "cab", "minicab", "uber", "lyft", "lift", "car", "driver", "seater",
            ]
            .map(str::to_owned)
            .to_vec(),
            ..DomainSpec::default()
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::BookRide(ride) = &command.action else {
            return Err(wrong_action(command));
        };
        let PricedRide {
            pickup,
            destination,
            ride_type,
            quote,
            ..
        } = self
            .price(ride, &command.user_id, services)
            .await
            .map_err(|r| r.error)?;
        let booking_id = stable_id("RB", command.trace_id.as_str());
        let description = format!("{} ride", ride_type.as_str());
        let (charge, eta) = services
            .charge_then(command, quote.fare, description, || {
                (self.provider).book(
                    &booking_id,
                    &pickup,
                    ride_type,
                    ride.instructions.as_deref(),
                )
            })
            .await?;
        Ok(ResultBody::Ride(RideResult {
            booking_id,
            pickup,
            destination,
            ride_type,
            seats: ride.seats,
            fare: quote.fare,
            currency: CURRENCY.into(),
            distance_m: quote.distance_m,
            eta_minutes: eta,
            charge_id: charge.charge_id,
            pickup_at: ride.pickup_at.clone(),
        }))
    }

    fn confirmation(&self, result: &ResultBody) -> String {
        match result {
            ResultBody::Ride(r) => {
                let when = match &r.pickup_at {
                    Some(at) => format!("the driver will be there {}", super::say_time(at)),
                    None => format!("the driver arrives in about {} minutes", r.eta_minutes),
                };
                format!(
                    "Your {} ride from {} to {} is booked: {}, and {when}.",
                    r.ride_type.label(),
                    r.pickup.name,
                    r.destination.name,
                    format_money(r.fare, &r.currency),
                )
            }
            _ => "Your ride is booked.".into(),
        }
    }

    async fn quote(&self, command: &Command, services: &Services) -> Result<Summary, Refusal> {
        let Action::BookRide(ride) = &command.action else {
            return Err(Refusal::fatal(wrong_action(command)));
        };
        let priced = self.price(ride, &command.user_id, services).await?;
        Ok(Summary {
            domain: "ride".into(),
            pickup: Some(priced.pickup.name),
            destination: Some(priced.destination.name),
            ride_type: Some(priced.ride_type),
            seats: Some(ride.seats),
            pickup_at: ride.pickup_at.clone(),
            fare: Some(priced.quote.fare),
            currency: Some(CURRENCY.into()),
            journey_minutes: Some(journey_minutes(priced.quote.distance_m)),
            notes: priced.why.into_iter().collect(),
            instructions: ride.instructions.clone(),
            ..Summary::default()
        })
    }

    /// A ride may be cancelled until the car reaches the pickup (the booked
    /// time, or the driver's arrival for a ride now).
    async fn cancel(
        &self,
        placed: &AgentResult,
        now_ms: u64,
        services: &Services,
    ) -> Result<CancelResult, ErrorBody> {
        let Outcome::Confirmed {
            result: ResultBody::Ride(ride),
        } = &placed.outcome
        else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                "Only a booked ride can be cancelled.",
            ));
        };
        let pickup_ms = ride
            .pickup_at
            .as_deref()
            .and_then(|at| at.parse::<jiff::Timestamp>().ok())
            .and_then(|at| u64::try_from(at.as_millisecond()).ok())
            .unwrap_or(placed.at_ms + u64::from(ride.eta_minutes) * 60_000);
        if now_ms >= pickup_ms {
            return Err(ErrorBody::new(
                ErrorCode::TooLateToCancel,
                format!(
                    "It's too late to cancel: the driver has already picked you up at {}.",
                    ride.pickup.name
                ),
            ));
        }
        self.provider.cancel(&ride.booking_id).await?;
        let charge = services.void(&ride.charge_id).await?;
        Ok(CancelResult {
            cancelled: ride.booking_id.clone(),
            refund: charge.amount,
            currency: charge.currency,
            charge_id: charge.charge_id,
        })
    }
}

fn wrong_action(command: &Command) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::InvalidCommand,
        format!("the ride agent cannot {}", command.action.name()),
    )
}

#[cfg(test)]
mod tests {
    use super::journey_minutes;

    #[test]
    fn a_journey_is_timed_in_town_then_on_the_open_road() {
        // Across the centre: 3 km in town.
        assert_eq!(journey_minutes(3_000), 9);
        // Never under five minutes, however short.
        assert_eq!(journey_minutes(400), 5);
        // An airport run leaves town: Heathrow (27 km) under an hour,
        // Gatwick (54 km) under an hour and a half.
        assert_eq!(journey_minutes(27_000), 48);
        assert_eq!(journey_minutes(54_000), 82);
    }
}
