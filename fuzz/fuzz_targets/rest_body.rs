//! A REST route's JSON body (`POST /v1/food/orders`, `/v1/ride/bookings`,
//! `/v1/mart/orders` and their quotes, `/v1/sessions/{id}/utterances`,
//! `/v1/payment/charges`), decoded as the gateway's handlers decode it
//! (serde_json into the body type), then checked as the handlers and the
//! agents check it first. Never a panic; a check that refuses says why;
//! what decodes writes back to JSON that decodes the same.
#![no_main]

use errand_actors::agents::food::validate_items;
use errand_actors::agents::payment::ChargeRequest;
use errand_actors::agents::ride::{check_pickup_at, fitting_type};
use errand_schemas::{ErrorBody, FoodOrder, MartOrder, RideBooking};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A Tuesday in June 2026, as "now" for a pickup time.
const NOW_MS: u64 = 1_781_600_000_000;

fn decode<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) -> Option<T> {
    let body = serde_json::from_slice::<T>(data).ok()?;
    let json = serde_json::to_vec(&body).expect("a body serialises");
    let again: T = serde_json::from_slice(&json).expect("and reads back");
    assert_eq!(again, body);
    Some(body)
}

fn refused<T>(checked: Result<T, ErrorBody>) {
    if let Err(error) = checked {
        assert!(!error.message.is_empty(), "{error:?}");
    }
}

/// `gateway::sessions::UtteranceBody` (the gateway is not linked here).
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct UtteranceBody {
    text: String,
}

/// `gateway::services::ChargeBody`.
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct ChargeBody {
    amount: i64,
    currency: String,
    #[serde(default)]
    description: String,
}

fuzz_target!(|data: &[u8]| {
    if let Some(order) = decode::<FoodOrder>(data) {
        refused(validate_items(&order.items));
    }
    if let Some(ride) = decode::<RideBooking>(data) {
        refused(fitting_type(ride.ride_type, ride.seats));
        if let Some(at) = &ride.pickup_at {
            refused(check_pickup_at(at, NOW_MS));
        }
    }
    if let Some(order) = decode::<MartOrder>(data) {
        refused(validate_items(&order.items));
    }
    decode::<UtteranceBody>(data);
    decode::<ChargeBody>(data);
    decode::<ChargeRequest>(data);
});
