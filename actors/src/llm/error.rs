//! What can go wrong talking to the model. None of it reaches the person:
//! the reasoner falls back (see [`super::Fallback`]).

use async_openai::error::OpenAIError;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// 401 or 403: the key is wrong or lacks access. Not retried.
    #[error("the model endpoint refused the credentials (HTTP {status})")]
    Unauthorized { status: u16 },
    /// Any other 4xx (a 429 for an exhausted quota too): retrying will not
    /// help. Not retried.
    #[error("the model endpoint rejected the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    /// 429. Retried.
    #[error("the model endpoint is rate limiting (HTTP 429)")]
    RateLimited,
    /// 5xx. Retried.
    #[error("the model endpoint failed (HTTP {status})")]
    Server { status: u16 },
    /// No answer within the attempt's timeout. Retried.
    #[error("no answer from the model within {0:?}")]
    Timeout(Duration),
    /// The connection failed. Retried.
    #[error("cannot reach the model endpoint: {0}")]
    Transport(String),
    /// An answer errand cannot read (not JSON, no choice). Not retried.
    #[error("unreadable answer from the model endpoint: {0}")]
    BadResponse(String),
    /// The client could not be built.
    #[error("invalid model endpoint configuration: {0}")]
    Config(String),
}

impl LlmError {
    /// Whether another attempt may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            LlmError::RateLimited
                | LlmError::Server { .. }
                | LlmError::Timeout(_)
                | LlmError::Transport(_)
        )
    }

    /// A stable name for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            LlmError::Unauthorized { .. } => "unauthorized",
            LlmError::Rejected { .. } => "rejected",
            LlmError::RateLimited => "rate_limited",
            LlmError::Server { .. } => "server_error",
            LlmError::Timeout(_) => "timeout",
            LlmError::Transport(_) => "transport",
            LlmError::BadResponse(_) => "bad_response",
            LlmError::Config(_) => "config",
        }
    }
}

/// Longest piece of an endpoint's message kept in an error.
const MESSAGE_CHARS: usize = 300;

impl From<OpenAIError> for LlmError {
    fn from(e: OpenAIError) -> Self {
        match e {
            OpenAIError::ApiError(response) => {
                let status = response.status_code.as_u16();
                let error = &response.api_error;
                let no_quota = [error.code.as_deref(), error.r#type.as_deref()]
                    .contains(&Some("insufficient_quota"));
                match status {
                    401 | 403 => LlmError::Unauthorized { status },
                    429 if !no_quota => LlmError::RateLimited,
                    500.. => LlmError::Server { status },
                    _ => LlmError::Rejected {
                        status,
                        message: response
                            .api_error
                            .message
                            .chars()
                            .take(MESSAGE_CHARS)
                            .collect(),
                    },
                }
            }
            OpenAIError::Reqwest(e) if e.is_timeout() => LlmError::Timeout(Duration::ZERO),
            OpenAIError::Reqwest(e) => match e.status() {
                Some(status) if status.as_u16() == 429 => LlmError::RateLimited,
                Some(status) if status.is_server_error() => LlmError::Server {
                    status: status.as_u16(),
                },
                _ => LlmError::Transport(e.without_url().to_string()),
            },
            OpenAIError::JSONDeserialize(e, _) => LlmError::BadResponse(e.to_string()),
            OpenAIError::InvalidArgument(m) => LlmError::Config(m),
            other => LlmError::BadResponse(other.to_string().chars().take(MESSAGE_CHARS).collect()),
        }
    }
}
