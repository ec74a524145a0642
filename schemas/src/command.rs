//! What a person said ([`Utterance`], on `transcript`) and what errand decided
//! to do about it ([`Command`], on `agent.cmd`).

use crate::ids::{SessionId, TraceId};
use crate::slots::{ItemRequest, SlotMap};
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Where an utterance came from.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    Default,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum UtteranceSource {
    /// Typed text (`/v1/ws/text`, REST, REPL).
    #[default]
    Text,
    /// A final transcript of speech (`/v1/ws/mic`).
    Voice,
}

/// One thing a person said, published on `transcript` keyed by `session_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Utterance {
    /// Unique per utterance: a redelivered record carries the same id, so
    /// its turn is not reasoned twice.
    #[serde(default)]
    pub utterance_id: String,
    /// The command this utterance starts, or continues while a clarification is open.
    pub trace_id: TraceId,
    pub session_id: SessionId,
    /// The authenticated subject (`demo` without authentication).
    pub user_id: String,
    pub text: String,
    #[serde(default)]
    pub source: UtteranceSource,
    /// When the gateway accepted it.
    pub received_at_ms: u64,
    /// The session's version as the gateway saw it when it took the
    /// utterance (0: not known). A reasoner that saved that very version
    /// starts the turn from its own copy instead of loading the session.
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub session_version: u64,
    /// A button the person pressed instead of typing: it answers the
    /// confirmation (or cancels the placed command) of `trace_id` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
}

/// A button on the person's screen.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum Act {
    /// Yes to the confirmation of the trace.
    Confirm,
    /// No to its confirmation, or cancel it if it was placed.
    Cancel,
}

/// `order_food`: items from a restaurant (or any that serves them), delivered.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct FoodOrder {
    pub items: Vec<ItemRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restaurant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cuisine: Option<String>,
    /// A street address or a saved place name (`home`, `work`).
    pub address: String,
    /// What the person asked the courier ("leave it with reception").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

/// Ride classes a provider offers.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    Default,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum RideType {
    #[default]
    Standard,
    Shared,
    Xl,
    Premium,
}

impl RideType {
    pub const ALL: [RideType; 4] = [
        RideType::Standard,
        RideType::Shared,
        RideType::Xl,
        RideType::Premium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RideType::Standard => "standard",
            RideType::Shared => "shared",
            RideType::Xl => "xl",
            RideType::Premium => "premium",
        }
    }

    /// As a person reads it ("XL").
    pub fn label(self) -> &'static str {
        match self {
            RideType::Xl => "XL",
            other => other.as_str(),
        }
    }

    /// Parses the canonical name (`standard`, `shared`, `xl`, `premium`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// `book_ride`: from a pickup to a destination.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct RideBooking {
    pub pickup: String,
    pub destination: String,
    #[serde(default)]
    pub ride_type: RideType,
    #[serde(default = "one")]
    pub seats: u32,
    /// Large bags and suitcases travelling too (0: none said); a car too
    /// small for them is an XL.
    #[serde(default, skip_serializing_if = "no_bags")]
    pub bags: u32,
    /// When, in RFC 3339 with its offset ("2026-12-03T17:00:00+00:00");
    /// `None` means now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_at: Option<String>,
    /// What the person asked the driver ("I'll be at door 3").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

fn one() -> u32 {
    1
}

fn no_bags(bags: &u32) -> bool {
    *bags == 0
}

/// `order_mart`: groceries and household items, delivered.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct MartOrder {
    pub items: Vec<ItemRequest>,
    pub address: String,
    /// What the person asked the courier ("ring the bell").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

/// An action of a domain registered at run time (anything beyond food, ride
/// and mart): its slots travel as a map, and its agent validates them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct CustomAction {
    pub domain: String,
    pub name: String,
    #[serde(default)]
    pub slots: SlotMap,
}

/// What to do, with typed slots per action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    OrderFood(FoodOrder),
    BookRide(RideBooking),
    OrderMart(MartOrder),
    Custom(CustomAction),
}

impl Action {
    /// The domain whose agent carries the action out.
    pub fn domain(&self) -> &str {
        match self {
            Action::OrderFood(_) => "food",
            Action::BookRide(_) => "ride",
            Action::OrderMart(_) => "mart",
            Action::Custom(c) => &c.domain,
        }
    }

    /// The action's name (the intent that produced it).
    pub fn name(&self) -> &str {
        match self {
            Action::OrderFood(_) => "order_food",
            Action::BookRide(_) => "book_ride",
            Action::OrderMart(_) => "order_mart",
            Action::Custom(c) => &c.name,
        }
    }
}

/// A command on `agent.cmd`, keyed by `session_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Command {
    pub trace_id: TraceId,
    pub session_id: SessionId,
    pub user_id: String,
    #[serde(flatten)]
    pub action: Action,
    /// When the reasoner issued it.
    #[serde(default)]
    pub issued_at_ms: u64,
    /// The dialogue turn that completed it.
    #[serde(default)]
    pub turn: u32,
    /// When it must have reached a final status (ms since epoch): the
    /// deadline is armed with it when `dispatched` is recorded (by the
    /// agent's host, or by the router for an external agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
}

impl Command {
    pub fn domain(&self) -> &str {
        self.action.domain()
    }
}
