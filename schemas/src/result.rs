//! What a domain agent answers, on `agent.out.<domain>`.

use crate::error::ErrorBody;
use crate::ids::{SessionId, TraceId};
use crate::json::Json;
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// One line of an order.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct LineItem {
    pub name: String,
    pub quantity: u32,
    /// Minor units of the order's currency.
    pub unit_price: i64,
    /// What the person asked of this line ("large", "no onions").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A confirmed food or mart order.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct OrderResult {
    pub order_id: String,
    pub items: Vec<LineItem>,
    /// Minor units: the sum of the lines plus `delivery_fee`.
    pub total: i64,
    pub currency: String,
    pub eta_minutes: u32,
    /// Who prepares it (the restaurant, or the store).
    pub merchant: String,
    #[serde(default)]
    pub delivery_fee: i64,
    /// The resolved delivery address.
    pub address: String,
    /// The payment charge behind the order.
    pub charge_id: String,
}

/// A place with coordinates, as the location service resolved it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Place {
    pub name: String,
    #[cfg_attr(test, proptest(strategy = "-90.0f64..90.0"))]
    pub lat: f64,
    #[cfg_attr(test, proptest(strategy = "-180.0f64..180.0"))]
    pub lon: f64,
}

/// A confirmed ride.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct RideResult {
    pub booking_id: String,
    pub pickup: Place,
    pub destination: Place,
    pub ride_type: crate::command::RideType,
    pub seats: u32,
    /// Minor units.
    pub fare: i64,
    pub currency: String,
    pub distance_m: u32,
    /// Minutes until the car reaches the pickup.
    pub eta_minutes: u32,
    pub charge_id: String,
    /// RFC 3339: when the car is booked for, if not now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_at: Option<String>,
}

/// A placed command cancelled: what the provider was told and what was
/// given back.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct CancelResult {
    /// The order or booking cancelled (`order_id`, `booking_id`).
    pub cancelled: String,
    /// Minor units given back to the person.
    pub refund: i64,
    pub currency: String,
    /// The charge voided or refunded.
    pub charge_id: String,
}

/// The result object of a confirmed command, as a client sees it: its fields
/// sit at the top level (`order_id` or `booking_id`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(untagged)]
pub enum ResultBody {
    Order(OrderResult),
    Ride(RideResult),
    /// A placed command, cancelled.
    Cancellation(CancelResult),
    /// A custom domain's result.
    Other(Json),
}

/// Success or failure of one command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Confirmed { result: ResultBody },
    Failed { error: ErrorBody },
}

/// A domain agent's answer, published on `agent.out.<domain>` keyed by `session_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct AgentResult {
    pub trace_id: TraceId,
    pub session_id: SessionId,
    pub user_id: String,
    pub domain: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// What to tell the person.
    pub reply: String,
    pub at_ms: u64,
}

/// Whether a charge's money is taken or given back.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChargeStatus {
    Captured,
    Voided,
}

/// A charge the payment service took (`POST /v1/payment/charges`).
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charge {
    pub charge_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    pub user_id: String,
    pub status: ChargeStatus,
}
