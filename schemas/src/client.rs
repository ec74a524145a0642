//! What a client sends ([`ClientRequest`]) and receives ([`ClientEvent`]) on
//! its socket: one JSON object per frame.

use crate::dialogue::Clarification;
use crate::error::{ErrorBody, ErrorCode};
use crate::ids::{SessionId, TraceId};
use crate::quote::Summary;
use crate::result::ResultBody;
use crate::status::{Status, StatusUpdate};
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Client to server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientRequest {
    /// Something the person typed. `id`, chosen by the client, makes a
    /// retry safe: the same `id` in the session gets the first attempt's
    /// trace and is never reasoned twice.
    Utterance {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A speech transcript (`/v1/ws/mic`): partials are echoed, finals reasoned.
    Transcript {
        text: String,
        #[serde(rename = "final")]
        is_final: bool,
    },
    /// Ends a run of binary audio frames (`/v1/ws/mic`).
    AudioEnd,
    /// Replays the session's events after `after_seq` (reconnecting clients).
    Resume { after_seq: u64 },
    /// The Confirm button: yes to the confirmation of `trace_id`.
    Confirm { trace_id: TraceId },
    /// The Cancel button: no to the confirmation of `trace_id`, or cancel
    /// it if it was placed.
    Cancel { trace_id: TraceId },
}

/// Server to client, before a sequence number is assigned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    /// The utterance was accepted.
    Ack {
        trace_id: TraceId,
        session_id: SessionId,
    },
    /// A voice transcript, echoed so a screen can show it.
    Transcript {
        text: String,
        #[serde(rename = "final")]
        is_final: bool,
    },
    /// Something required is missing.
    Clarify {
        trace_id: TraceId,
        intent: String,
        missing: Vec<String>,
        question: String,
    },
    /// The command is ready and priced: errand waits for a yes, a no or a
    /// change.
    Confirm {
        trace_id: TraceId,
        question: String,
        #[cfg_attr(
            test,
            proptest(
                strategy = "proptest::strategy::Strategy::boxed(proptest::prelude::any::<Summary>())"
            )
        )]
        summary: Summary,
    },
    /// A lifecycle step.
    Status {
        trace_id: TraceId,
        status: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        domain: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<ResultBody>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorBody>,
    },
    /// What to show or speak to the person.
    Reply { trace_id: TraceId, text: String },
    /// Bad input or a failure; the socket stays open.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trace_id: Option<TraceId>,
    },
}

impl ServerEvent {
    pub fn error(code: ErrorCode, message: impl Into<String>, trace_id: Option<TraceId>) -> Self {
        ServerEvent::Error {
            code,
            message: message.into(),
            trace_id,
        }
    }

    /// The events a record on `agent.out.clarify` stands for: its `reply`
    /// first, if any; then `confirm` when it carries a summary, `clarify`
    /// otherwise, unless the question is empty (words alone).
    pub fn from_question(q: &Clarification) -> Vec<ServerEvent> {
        let mut events = Vec::new();
        if let Some(text) = &q.reply {
            events.push(ServerEvent::Reply {
                trace_id: q.trace_id.clone(),
                text: text.clone(),
            });
        }
        if q.question.is_empty() {
            return events;
        }
        events.push(match &q.summary {
            Some(summary) => ServerEvent::Confirm {
                trace_id: q.trace_id.clone(),
                question: q.question.clone(),
                summary: summary.clone(),
            },
            None => ServerEvent::Clarify {
                trace_id: q.trace_id.clone(),
                intent: q.intent.clone(),
                missing: q.missing.clone(),
                question: q.question.clone(),
            },
        });
        events
    }

    /// The `status` event (and, when the step says something, the `reply`
    /// after it) for one lifecycle step.
    pub fn from_status(update: &StatusUpdate) -> Vec<ServerEvent> {
        let mut events = vec![ServerEvent::Status {
            trace_id: update.trace_id.clone(),
            status: update.status,
            domain: update.domain.clone(),
            result: update.result.clone(),
            error: update.error.clone(),
        }];
        if let Some(text) = &update.reply {
            events.push(ServerEvent::Reply {
                trace_id: update.trace_id.clone(),
                text: text.clone(),
            });
        }
        events
    }

    /// The trace this event belongs to, if any.
    pub fn trace_id(&self) -> Option<&TraceId> {
        match self {
            ServerEvent::Ack { trace_id, .. }
            | ServerEvent::Clarify { trace_id, .. }
            | ServerEvent::Confirm { trace_id, .. }
            | ServerEvent::Status { trace_id, .. }
            | ServerEvent::Reply { trace_id, .. } => Some(trace_id),
            ServerEvent::Error { trace_id, .. } => trace_id.as_ref(),
            ServerEvent::Transcript { .. } => None,
        }
    }
}

/// Server to client: an event with its place in the session's sequence.
/// `seq` grows with every event of a session and never goes back; every
/// gateway gives a session's steps and questions the same `seq`, so a
/// client that reconnects anywhere can ask for what it missed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ClientEvent {
    pub seq: u64,
    #[serde(flatten)]
    pub event: ServerEvent,
}

/// The request types a client may send.
const KNOWN_TYPES: &[&str] = &[
    "utterance",
    "transcript",
    "audio_end",
    "resume",
    "confirm",
    "cancel",
];

/// Reads one client text frame.
pub fn read_frame(text: &str) -> Result<ClientRequest, ErrorBody> {
    if !text.trim_start().starts_with('{') {
        return Ok(ClientRequest::Utterance {
            text: text.to_owned(),
            id: None,
        });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        ErrorBody::new(
            ErrorCode::MalformedJson,
            format!("The frame is not valid JSON ({e})."),
        )
    })?;
    let Some(kind) = value
        .get("type")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
    else {
        return Err(ErrorBody::new(
            ErrorCode::InvalidMessage,
            "A JSON frame needs a string field \"type\".",
        ));
    };
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        return Err(ErrorBody::new(
            ErrorCode::UnknownType,
            format!(
                "Unknown message type \"{}\".",
                kind.chars().take(40).collect::<String>()
            ),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        ErrorBody::new(
            ErrorCode::InvalidMessage,
            format!("Invalid \"{kind}\" message: {e}."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(
            read_frame("order me a burger").unwrap(),
            ClientRequest::Utterance {
                text: "order me a burger".into(),
                id: None
            }
        );
        assert_eq!(
            read_frame(r#"{"type":"utterance","text":"hi"}"#).unwrap(),
            ClientRequest::Utterance {
                text: "hi".into(),
                id: None
            }
        );
        assert_eq!(
            read_frame("{nope").unwrap_err().code,
            ErrorCode::MalformedJson
        );
        assert_eq!(
            read_frame(r#"{"type":"dance"}"#).unwrap_err().code,
            ErrorCode::UnknownType
        );
        assert_eq!(
            read_frame(r#"{"text":"hi"}"#).unwrap_err().code,
            ErrorCode::InvalidMessage
        );
        assert_eq!(
            read_frame(r#"{"type":"utterance","text":5}"#)
                .unwrap_err()
                .code,
            ErrorCode::InvalidMessage
        );
    }
}
