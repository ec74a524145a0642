//! What crosses the cluster when a router or a reasoner calls an agent on
//! another node: the request and the agent's answer, in bincode, with the
//! sender's trace context (see [`crate::spans`]). A message that does not
//! decode becomes an error the agent or the caller reports, never a panic
//! (ractor would allow one here).

use errand_schemas::codec::{from_bincode, to_bincode};
use errand_schemas::{AgentResult, CancelResult, Command, ErrorBody, Refusal, Summary, TraceId};
use ractor::BytesConvertable;

/// A value on its way between nodes; `Err` when it could not be read (a
/// peer speaking another version).
#[derive(Clone, Debug)]
pub struct Wire<T> {
    pub value: Result<T, String>,
    /// The sending span's W3C `traceparent`, when it has one: the span
    /// that handles the value is its child.
    pub traceparent: Option<String>,
}

impl<T> Wire<T> {
    /// `value`, sent from the current span.
    pub fn new(value: T) -> Self {
        Self {
            value: Ok(value),
            traceparent: crate::spans::current(),
        }
    }

    /// A value that could not be sent or read, and why.
    pub fn broken(why: impl Into<String>) -> Self {
        Self {
            value: Err(why.into()),
            traceparent: None,
        }
    }
}

/// A command on its way to an agent.
pub type WireCommand = Wire<Command>;

/// An agent's answer: `Err` is a transient failure (see
/// [`super::host::AgentMessage`]), worth retrying.
pub type AgentReply = Wire<Result<Executed, ErrorBody>>;

/// A command's first result, as its agent host answers it.
#[derive(Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct Executed {
    pub result: AgentResult,
    /// The host recorded the result's final step as it kept the result
    /// (in one round trip where the store allows), so the state tracker
    /// has nothing left to record. `false` for a result found kept (a
    /// redelivery, or a deadline declared meanwhile): its step is recorded
    /// again, which is harmless.
    pub recorded: bool,
}

/// A quote's answer: a summary or a refusal, or a transient failure.
pub type QuoteReply = Wire<Result<Result<Summary, Refusal>, ErrorBody>>;

/// A cancellation's answer: what was refunded or why it cannot be, or a
/// transient failure.
pub type CancelReply = Wire<Result<Result<CancelResult, ErrorBody>, ErrorBody>>;

/// Which placed command to cancel, and for whom.
#[derive(Clone, Debug, PartialEq, bincode::Encode, bincode::Decode)]
pub struct CancelRequest {
    pub trace_id: TraceId,
    /// Only the user who placed it may cancel it.
    pub user_id: String,
}

impl<T: bincode::Encode + bincode::Decode<()>> BytesConvertable for Wire<T> {
    /// The value or the error, as one bincode `Result`: a value that cannot
    /// be encoded crosses as the error that says why, so the far side
    /// reports it (with a code) instead of reading nothing.
    fn into_bytes(self) -> Vec<u8> {
        match to_bincode(&(self.value, self.traceparent)) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "a cluster message could not be encoded; the far side is told");
                let told: (Result<(), String>, Option<String>) =
                    (Err(format!("the sender could not encode it: {e}")), None);
                // A Result of a String always encodes.
                to_bincode(&told).unwrap_or_default()
            }
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        match from_bincode::<(Result<T, String>, Option<String>)>(&bytes) {
            // A peer's error always says something, even when it said nothing.
            Ok((Err(why), traceparent)) if why.trim().is_empty() => Self {
                value: Err("the peer sent an error without a reason".into()),
                traceparent,
            },
            Ok((value, traceparent)) => Self { value, traceparent },
            Err(e) => Self::broken(format!("an unreadable message: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(WireCommand::from_bytes(vec![1, 2, 3]).value.is_err());
        assert!(WireCommand::from_bytes(Vec::new()).value.is_err());
        assert!(AgentReply::from_bytes(vec![9; 7]).value.is_err());
        assert!(QuoteReply::from_bytes(vec![9; 7]).value.is_err());
    }

    #[test]
    fn an_error_without_a_reason_still_says_why() {
        // Found by the cluster_message fuzz target: Err("") from a peer.
        let told = WireCommand::from_bytes(vec![1, 0, 0]);
        assert_eq!(
            told.value.unwrap_err(),
            "the peer sent an error without a reason"
        );
    }

    #[test]
    fn an_error_crosses_as_itself() {
        let broken: WireCommand = Wire::broken("the sender could not encode it: x");
        let back = WireCommand::from_bytes(broken.into_bytes());
        assert_eq!(back.value.unwrap_err(), "the sender could not encode it: x");
    }

    #[test]
    fn a_refusal_crosses_intact() {
        let refusal = Refusal::of(
            "restaurant",
            ErrorBody::new(
                errand_schemas::ErrorCode::UnknownRestaurant,
                "I don't know X.",
            ),
        );
        let reply: QuoteReply = Wire::new(Ok(Err(refusal.clone())));
        let back = QuoteReply::from_bytes(reply.into_bytes());
        assert_eq!(back.value, Ok(Ok(Err(refusal))));
    }

    #[test]
    fn the_senders_trace_context_crosses() {
        let sent = WireCommand {
            value: Err("x".into()),
            traceparent: Some("00-01a20cf0161b776f886aaa11e4f56c4d-00f067aa0ba902b7-01".into()),
        };
        let back = WireCommand::from_bytes(sent.clone().into_bytes());
        assert_eq!(back.traceparent, sent.traceparent);
    }
}
