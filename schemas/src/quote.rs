//! Before money moves: a command priced by its agent without side effects
//! ([`Summary`], shown in the `confirm` event), or the reason it cannot be
//! placed as it stands ([`Refusal`], turned into a question the person can
//! answer).

use crate::command::RideType;
use crate::error::{ErrorBody, ErrorCode};
use crate::result::LineItem;
use crate::slots::SlotMap;
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// A command as it will be placed, priced. Food and mart orders fill
/// `merchant`, `items`, `delivery_fee`, `total` and `address`; a ride fills
/// `pickup`, `destination`, `ride_type`, `seats`, `pickup_at` (when a time
/// was asked for) and `fare`. A domain that cannot price ahead leaves the
/// prices out and lists what it was asked in `details`.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Summary {
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<LineItem>(), 0..3)"
        )
    )]
    pub items: Vec<LineItem>,
    /// Minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_fee: Option<i64>,
    /// Minor units: the lines plus the delivery fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ride_type: Option<RideType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    /// RFC 3339, when the ride was asked for a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_at: Option<String>,
    /// Minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fare: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eta_minutes: Option<u32>,
    /// A ride's time on the road once picked up, estimated from its
    /// distance ("how long will the journey take?").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journey_minutes: Option<u32>,
    /// What the agent chose or could not do, said with the question ("An
    /// XL seats 5; a standard car takes 4.", "Burger Barn can't do extra
    /// cheese.").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<String>(), 0..2)")
    )]
    pub notes: Vec<String>,
    /// What the person asked the courier or driver ("leave it with
    /// reception"), passed on with the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// An unpriced command's slots, as the person gave them.
    #[serde(default, skip_serializing_if = "SlotMap::is_empty")]
    #[cfg_attr(test, proptest(value = "SlotMap::new()"))]
    pub details: SlotMap,
}

impl Summary {
    /// The amount the person will pay, if the agent priced it.
    pub fn amount(&self) -> Option<i64> {
        self.total.or(self.fare)
    }
}

/// What the person could say yes to instead: a change to the command
/// ("Luigi's Pizzeria has margherita pizza: order from there?").
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Offer {
    /// The slots a yes sets.
    #[cfg_attr(test, proptest(value = "SlotMap::new()"))]
    pub slots: SlotMap,
}

/// Why a command cannot be placed as it stands, and what would fix it.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Refusal {
    /// The code and the sentence the person is told ("I don't know Pizza
    /// Palace.").
    pub error: ErrorBody,
    /// The slot the person should change (`item`, `restaurant`, `address`,
    /// `pickup`, `destination`, `seats`...); `None` when nothing they could
    /// say would fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// A change errand can propose, taken by a yes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
}

impl Refusal {
    /// A refusal the person fixes by changing `slot`.
    pub fn of(slot: &str, error: ErrorBody) -> Self {
        Self {
            error,
            slot: Some(slot.to_owned()),
            offer: None,
        }
    }

    /// A refusal nothing said in the conversation can fix.
    pub fn fatal(error: ErrorBody) -> Self {
        Self {
            error,
            slot: None,
            offer: None,
        }
    }

    pub fn offering(mut self, slots: SlotMap) -> Self {
        self.offer = Some(Offer { slots });
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl From<ErrorBody> for Refusal {
    /// The slot a refusal of this code is about, when the code says it.
    fn from(error: ErrorBody) -> Self {
        let slot = match error.code {
            ErrorCode::UnknownItem | ErrorCode::OutOfStock => Some("item"),
            ErrorCode::UnknownRestaurant => Some("restaurant"),
            ErrorCode::UnknownPlace => Some("address"),
            _ => None,
        };
        Self {
            error,
            slot: slot.map(str::to_owned),
            offer: None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}
