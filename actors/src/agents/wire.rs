//! What crosses the cluster when a router or a reasoner calls an agent on
//! another node: the request and the agent's answer, in bincode. A message
//! that does not decode becomes an error the agent or the caller reports,
//! never a panic (ractor would allow one here).

use errand_schemas::codec::{from_bincode, to_bincode};
use errand_schemas::{AgentResult, CancelResult, Command, ErrorBody, Refusal, Summary, TraceId};
use ractor::BytesConvertable;

/// A value on its way between nodes; `Err` when it could not be read (a
/// peer speaking another version).
#[derive(Clone, Debug)]
pub struct Wire<T>(pub Result<T, String>);

impl<T> Wire<T> {
    pub fn new(value: T) -> Self {
        Self(Ok(value))
    }
}

/// A command on its way to an agent.
pub type WireCommand = Wire<Command>;

/// An agent's answer: `Err` is a transient failure (see
/// [`super::host::AgentMessage`]), worth retrying.
pub type AgentReply = Wire<Result<AgentResult, ErrorBody>>;

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
        match to_bincode(&self.0) {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "a cluster message could not be encoded; the far side is told");
                let told: Result<(), String> = Err(format!("the sender could not encode it: {e}"));
                // A Result of a String always encodes.
                to_bincode(&told).unwrap_or_default()
            }
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        match from_bincode::<Result<T, String>>(&bytes) {
            Ok(sent) => Self(sent),
            Err(e) => Self(Err(format!("an unreadable message: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(WireCommand::from_bytes(vec![1, 2, 3]).0.is_err());
        assert!(WireCommand::from_bytes(Vec::new()).0.is_err());
        assert!(AgentReply::from_bytes(vec![9; 7]).0.is_err());
        assert!(QuoteReply::from_bytes(vec![9; 7]).0.is_err());
    }

    #[test]
    fn an_error_crosses_as_itself() {
        let broken: WireCommand = Wire(Err("the sender could not encode it: x".into()));
        let back = WireCommand::from_bytes(broken.into_bytes());
        assert_eq!(back.0.unwrap_err(), "the sender could not encode it: x");
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
        assert_eq!(back.0, Ok(Ok(Err(refusal))));
    }
}
