//! The ride agent: fares from the distance between geocoded points and the
//! ride type, a charge, a booking.

use super::{CURRENCY, Services, distance_m, format_money, stable_id};
use crate::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use async_trait::async_trait;
use errand_schemas::{
    Action, Command, ErrorBody, ErrorCode, Place, ResultBody, RideBooking, RideResult, RideType,
};
use std::collections::HashMap;
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
    ) -> Result<u32, ErrorBody>;
}

/// Fares: a base plus a rate per kilometre of road (straight line × 1.3),
/// scaled by the ride type, with a minimum.
pub struct SimulatedRides {
    bookings: Mutex<HashMap<String, u32>>,
}

impl Default for SimulatedRides {
    fn default() -> Self {
        Self {
            bookings: Mutex::new(HashMap::new()),
        }
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
    ) -> Result<u32, ErrorBody> {
        let mut bookings = self.bookings.lock().unwrap_or_else(|e| e.into_inner());
        let eta = *bookings.entry(booking_id.to_owned()).or_insert_with(|| {
            // A car 2 to 9 minutes away, chosen by the booking id.
            let spread = booking_id.bytes().map(u32::from).sum::<u32>() % 8;
            2 + spread + u32::from(ride_type == RideType::Premium)
        });
        Ok(eta)
    }
}

/// The `ride` domain.
pub struct RideAgent {
    provider: Arc<dyn RideProvider>,
}

impl RideAgent {
    pub fn new(provider: impl RideProvider) -> Self {
        Self {
            provider: Arc::new(provider),
        }
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
                    .one_of(&RideType::ALL.map(RideType::as_str)),
                    SlotSpec::optional("seats", SlotKind::Number, "how many passengers"),
                    SlotSpec::optional("time", SlotKind::Text, "when, if not now"),
                ],
            }],
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::BookRide(ride) = &command.action else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                format!("the ride agent cannot {}", command.action.name()),
            ));
        };
        let RideBooking {
            pickup,
            destination,
            ride_type,
            seats,
            ..
        } = ride;
        let pickup = services.resolve(pickup, &command.user_id).await?;
        let destination = services.resolve(destination, &command.user_id).await?;
        let quote = self
            .provider
            .quote(&pickup, &destination, *ride_type, *seats)
            .await?;
        let booking_id = stable_id("RB", command.trace_id.as_str());
        let description = format!("{} ride", ride_type.as_str());
        let (charge, eta) = services
            .charge_then(command, quote.fare, description, || {
                self.provider.book(&booking_id, &pickup, *ride_type)
            })
            .await?;
        Ok(ResultBody::Ride(RideResult {
            booking_id,
            pickup,
            destination,
            ride_type: *ride_type,
            seats: *seats,
            fare: quote.fare,
            currency: CURRENCY.into(),
            distance_m: quote.distance_m,
            eta_minutes: eta,
            charge_id: charge.charge_id,
        }))
    }

    fn confirmation(&self, result: &ResultBody) -> String {
        match result {
            ResultBody::Ride(r) => format!(
                "Your {} ride from {} to {} is booked: {}, and the driver arrives in about {} minutes.",
                r.ride_type.as_str(),
                r.pickup.name,
                r.destination.name,
                format_money(r.fare, &r.currency),
                r.eta_minutes
            ),
            _ => "Your ride is booked.".into(),
        }
    }
}
