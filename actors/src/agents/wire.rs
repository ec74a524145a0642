//! What crosses the cluster when the router calls an agent on another node:
//! the command and the agent's answer, in bincode. A message that does not
//! decode becomes an error the agent or the router reports, never a panic
//! (ractor would allow one here).

use errand_schemas::codec::{from_bincode, to_bincode};
use errand_schemas::{AgentResult, Command, ErrorBody, ErrorCode};
use ractor::BytesConvertable;

/// A command on its way to an agent; `Err` when it could not be read.
#[derive(Clone, Debug)]
pub struct WireCommand(pub Result<Command, String>);

/// An agent's answer: its result, or a transient failure (see
/// [`super::host::AgentMessage`]).
#[derive(Clone, Debug)]
pub struct AgentReply(pub Result<AgentResult, ErrorBody>);

impl BytesConvertable for WireCommand {
    fn into_bytes(self) -> Vec<u8> {
        match self.0 {
            Ok(command) => to_bincode(&command).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(from_bincode(&bytes).map_err(|e| format!("an unreadable command: {e}")))
    }
}

impl BytesConvertable for AgentReply {
    fn into_bytes(self) -> Vec<u8> {
        to_bincode(&self.0).unwrap_or_default()
    }

    fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(from_bincode(&bytes).unwrap_or_else(|e| {
            Err(ErrorBody::new(
                ErrorCode::ProcessingFailed,
                format!("an unreadable answer from a remote agent: {e}"),
            ))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(WireCommand::from_bytes(vec![1, 2, 3]).0.is_err());
        assert!(WireCommand::from_bytes(Vec::new()).0.is_err());
        let reply = AgentReply::from_bytes(vec![9; 7]).0;
        assert_eq!(
            reply.err().map(|e| e.code),
            Some(ErrorCode::ProcessingFailed)
        );
    }
}
