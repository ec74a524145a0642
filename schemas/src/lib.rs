//! # errand-schemas
//!
//! Every type that crosses a process boundary in errand lives here: what the
//! gateway publishes, what the reasoner emits, what domain agents answer, what
//! the state tracker stores and what a client sees on its socket. Keeping them
//! in one crate means a Kafka consumer in another service, a Redis key reader
//! and the cluster's wire format all agree on one definition.
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`ids`] | `TraceId`, `SessionId`, and the clock (`now_ms`) |
//! | [`command`] | the utterance and the command with typed slots per action |
//! | [`result`] | what a domain agent answers: orders, rides, cancellations, errors |
//! | [`quote`] | a command priced before money moves (`Summary`), or why it can't be placed (`Refusal`) |
//! | [`status`] | the lifecycle (`Status`), one step (`StatusUpdate`) and the stored `CommandState` |
//! | [`slots`] | a slot's value (`SlotValue`, `SlotMap`) and a requested item (`ItemRequest`) |
//! | [`dialogue`] | the session's dialogue state and the clarification question |
//! | [`chat`] | a session's bounded conversation with the LLM reasoner |
//! | [`error`] | stable error codes and the dead-letter record |
//! | [`client`] | what a client sends and receives on its socket |
//! | [`topics`] | topic names |
//! | [`keys`] | Redis key builders and their TTLs |
//! | [`codec`] | JSON (Kafka, clients) and bincode 2 (cluster) codecs |
//! | [`json`] | a JSON value that also travels through bincode |
//! | [`json_schema`] | JSON Schemas of the topic values (committed in `schemas/json/`) |
//!
//! Money is always an integer amount in minor units (cents) beside an
//! ISO 4217 currency code.

pub mod chat;
pub mod client;
pub mod codec;
pub mod command;
pub mod dialogue;
pub mod error;
pub mod ids;
pub mod json;
pub mod json_schema;
pub mod keys;
pub mod quote;
pub mod result;
pub mod slots;
pub mod status;
pub mod topics;

pub use chat::{ChatMessage, ChatRole, ChatToolCall};
pub use client::{ClientEvent, ClientRequest, ServerEvent};
pub use codec::CodecError;
pub use command::{
    Act, Action, Command, CustomAction, FoodOrder, MartOrder, RideBooking, RideType, Utterance,
    UtteranceSource,
};
pub use dialogue::{
    Clarification, LastTurn, OpenCommand, Placed, Queued, Said, SessionState, Stage,
};
pub use error::{DeadLetter, ErrorBody, ErrorCode};
pub use ids::{SessionId, TraceId, now_ms};
pub use json::Json;
pub use quote::{Offer, Refusal, Summary};
pub use result::{
    AgentResult, CancelResult, Charge, ChargeStatus, LineItem, OrderResult, Outcome, Place,
    ResultBody, RideResult,
};
pub use slots::{ItemRequest, SlotMap, SlotValue};
pub use status::{CommandState, HistoryEntry, Status, StatusUpdate};

#[cfg(test)]
mod proptests;

/// For `skip_serializing_if`: a number left at zero is not written.
#[allow(clippy::trivially_copy_pass_by_ref)]
pub(crate) fn is_zero(n: &u64) -> bool {
    *n == 0
}
