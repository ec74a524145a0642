//! Stable error codes ([`ErrorCode`]) and the dead-letter record
//! ([`DeadLetter`], on `agent.error`).

use crate::ids::{SessionId, TraceId};
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// The stable codes a client or operator sees. Renaming one is a breaking
/// change: clients switch on them.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // --- bad input from a client ---
    /// A frame that starts with `{` but is not valid JSON.
    MalformedJson,
    /// Valid JSON of a `type` errand does not know.
    UnknownType,
    /// JSON of a known type with missing or wrongly typed fields.
    InvalidMessage,
    /// A binary frame where text was expected, or text that is not UTF-8.
    NotUtf8,
    EmptyUtterance,
    UtteranceTooLong,
    FrameTooLarge,
    /// Audio on `/v1/ws/mic` over the length or size limit.
    AudioTooLong,
    /// Audio that is neither a WAV file nor 16-bit PCM, or that the
    /// speech-to-text service could not read.
    AudioUnreadable,
    RateLimited,
    NotFound,
    /// An `Idempotency-Key` reused with a different request.
    IdempotencyConflict,
    Unauthorized,
    // --- the command could not be carried out ---
    UnknownPlace,
    UnknownItem,
    UnknownRestaurant,
    OutOfStock,
    PaymentDeclined,
    OverLimit,
    InvalidCommand,
    UnknownDomain,
    /// The domain cannot cancel a placed command.
    CancelNotSupported,
    /// The placed command is past its cancellation window.
    TooLateToCancel,
    // --- errand could not do its part ---
    DeadlineExceeded,
    AgentUnavailable,
    ProcessingFailed,
    StateUnavailable,
    BusUnavailable,
    ShuttingDown,
    /// Speech-to-text is not configured or did not answer.
    SpeechUnavailable,
    Internal,
    /// A route asked with a method it does not take (HTTP 405).
    MethodNotAllowed,
    /// A body that is not `application/json` where JSON is required (HTTP 415).
    UnsupportedMediaType,
    /// A browser request from a page of another site, to a route that acts
    /// or streams (HTTP 403; see `ERRAND_ALLOWED_ORIGINS`).
    ForbiddenOrigin,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::InvalidMessage => "invalid_message",
            ErrorCode::NotUtf8 => "not_utf8",
            ErrorCode::EmptyUtterance => "empty_utterance",
            ErrorCode::UtteranceTooLong => "utterance_too_long",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::AudioTooLong => "audio_too_long",
            ErrorCode::AudioUnreadable => "audio_unreadable",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::NotFound => "not_found",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::UnknownPlace => "unknown_place",
            ErrorCode::UnknownItem => "unknown_item",
            ErrorCode::UnknownRestaurant => "unknown_restaurant",
            ErrorCode::OutOfStock => "out_of_stock",
            ErrorCode::PaymentDeclined => "payment_declined",
            ErrorCode::OverLimit => "over_limit",
            ErrorCode::InvalidCommand => "invalid_command",
            ErrorCode::UnknownDomain => "unknown_domain",
            ErrorCode::CancelNotSupported => "cancel_not_supported",
            ErrorCode::TooLateToCancel => "too_late_to_cancel",
            ErrorCode::DeadlineExceeded => "deadline_exceeded",
            ErrorCode::AgentUnavailable => "agent_unavailable",
            ErrorCode::ProcessingFailed => "processing_failed",
            ErrorCode::StateUnavailable => "state_unavailable",
            ErrorCode::BusUnavailable => "bus_unavailable",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::SpeechUnavailable => "speech_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ForbiddenOrigin => "forbidden_origin",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code and a human-readable message; never internals.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// A record that could not be processed after its last attempt, published on
/// `agent.error` under the original record's key and kept for replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct DeadLetter {
    /// Unique id of the dead letter (for `errand dlq replay <id>`).
    pub id: String,
    pub source_topic: String,
    pub key: String,
    /// The original record's value (UTF-8; invalid bytes are replaced and
    /// `payload_lossy` is set).
    pub payload: String,
    #[serde(default)]
    pub payload_lossy: bool,
    /// Why the last attempt failed.
    pub error: String,
    pub code: ErrorCode,
    pub attempts: u32,
    /// The node that gave up on it.
    pub node: String,
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<TraceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}
