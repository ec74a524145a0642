//! [`ApiError`]: every refusal an HTTP handler answers with, as an RFC 9457
//! problem ([`Problem`]) carrying one of errand's stable codes.

use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use errand_schemas::{ErrorBody, ErrorCode, Refusal, SlotMap};
use serde::Serialize;

/// Why a request was not answered with what it asked for.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Answered with the status its code calls for ([`status_of`]).
    #[error("{}", .0.message)]
    Code(ErrorBody),
    /// The command was understood but cannot be carried out (an unknown
    /// place, out of stock, over the cap): 422 where the code names the
    /// client's mistake.
    #[error("{}", .0.message)]
    Refused(ErrorBody),
    /// A price cannot be given: 422 with the slot to change and what errand
    /// could offer instead.
    #[error("{}", .0.error.message)]
    Unquotable(Box<Refusal>),
    /// The request clashes with what is already there (409).
    #[error("{}", .0.message)]
    Conflict(ErrorBody),
    /// No such thing, as far as this caller may know (404).
    #[error("{}", .0.message)]
    NotFound(ErrorBody),
    /// The command ran out of time before it reached a final status (504).
    #[error("no final status within the command's deadline")]
    Deadline,
}

impl ApiError {
    /// A 400 for a request errand cannot read.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Code(ErrorBody::new(ErrorCode::InvalidMessage, message))
    }

    /// A 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(ErrorBody::new(ErrorCode::NotFound, message))
    }
}

impl From<ErrorBody> for ApiError {
    fn from(error: ErrorBody) -> Self {
        Self::Code(error)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let (code, message) = match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => (
                ErrorCode::FrameTooLarge,
                "The request body is over 64 KiB.".to_owned(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                ErrorCode::UnsupportedMediaType,
                "Send the body as application/json.".to_owned(),
            ),
            _ => {
                let code = match &rejection {
                    JsonRejection::JsonSyntaxError(_) => ErrorCode::MalformedJson,
                    _ => ErrorCode::InvalidMessage,
                };
                (
                    code,
                    format!("Invalid request body: {}.", rejection.body_text()),
                )
            }
        };
        Self::Code(ErrorBody::new(code, message))
    }
}

/// An RFC 9457 problem with errand's stable `code`; a refused quote adds the
/// `slot` to change and the `offer` errand could make.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `https://errand.dev/problems/<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The code again, as the problem's title.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    pub code: ErrorCode,
    /// What went wrong, in a sentence for a person.
    pub detail: String,
    /// The slot the person should change (a refused quote).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// The change errand could make instead (a refused quote).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<SlotMap>,
}

impl Problem {
    pub fn new(status: StatusCode, error: ErrorBody) -> Self {
        Self {
            kind: format!("https://errand.dev/problems/{}", error.code),
            title: error.code.as_str().to_owned(),
            status: status.as_u16(),
            code: error.code,
            detail: error.message,
            slot: None,
            offer: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

/// A problem+json response with a stable code.
pub fn problem(status: StatusCode, error: ErrorBody) -> Response {
    Problem::new(status, error).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Code(error) => problem(status_of(error.code), error),
            ApiError::Refused(error) => problem(refused_status(error.code), error),
            ApiError::Unquotable(refusal) => {
                let Refusal { error, slot, offer } = *refusal;
                Problem {
                    slot,
                    offer: offer.map(|o| o.slots),
                    ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, error)
                }
                .into_response()
            }
            ApiError::Conflict(error) => problem(StatusCode::CONFLICT, error),
            ApiError::NotFound(error) => problem(StatusCode::NOT_FOUND, error),
            ApiError::Deadline => problem(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorBody::new(
                    ErrorCode::DeadlineExceeded,
                    "The command did not finish within its deadline; \
                     ask GET /v1/commands/{trace_id} for how it ended.",
                ),
            ),
        }
    }
}

/// The status of a refusal: a client's mistake in a well-formed request is
/// 422, errand's own trouble keeps its status.
fn refused_status(code: ErrorCode) -> StatusCode {
    match status_of(code) {
        StatusCode::BAD_REQUEST => StatusCode::UNPROCESSABLE_ENTITY,
        other => other,
    }
}

/// The HTTP status for an error code a client caused or errand suffered.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::ForbiddenOrigin => StatusCode::FORBIDDEN,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::IdempotencyConflict => StatusCode::CONFLICT,
        ErrorCode::FrameTooLarge | ErrorCode::UtteranceTooLong | ErrorCode::AudioTooLong => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        ErrorCode::SpeechUnavailable
        | ErrorCode::StateUnavailable
        | ErrorCode::BusUnavailable
        | ErrorCode::AgentUnavailable
        | ErrorCode::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        ErrorCode::Internal | ErrorCode::ProcessingFailed => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}
