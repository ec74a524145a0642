//! A REST adapter's JSON body (`POST /v1/food/orders`, `/v1/ride/bookings`,
//! `/v1/mart/orders`, `/v1/sessions/{id}/utterances`): decoding never
//! panics, and what decodes writes back to JSON that decodes the same.
#![no_main]

use errand_schemas::{FoodOrder, MartOrder, RideBooking};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(body) = serde_json::from_slice::<T>(data) {
        let json = serde_json::to_vec(&body).expect("a body serialises");
        let again: T = serde_json::from_slice(&json).expect("and reads back");
        assert_eq!(again, body);
    }
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct UtteranceBody {
    text: String,
}

fuzz_target!(|data: &[u8]| {
    round_trip::<FoodOrder>(data);
    round_trip::<RideBooking>(data);
    round_trip::<MartOrder>(data);
    round_trip::<UtteranceBody>(data);
    round_trip::<errand_actors::agents::payment::ChargeRequest>(data);
});
