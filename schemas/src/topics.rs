//! Topic names. Every record is keyed by `session_id`, so one conversation
//! stays in order on one partition.
//!
//! | topic | value | producer | consumers |
//! | --- | --- | --- | --- |
//! | `transcript` | [`Utterance`](crate::Utterance) | gateway | reasoner |
//! | `agent.cmd` | [`Command`](crate::Command) | reasoner, replay | router (or an external agent) |
//! | `agent.out.<domain>` | [`AgentResult`](crate::AgentResult) | router, external agents | state tracker |
//! | `agent.out.clarify` | [`Clarification`](crate::Clarification) | reasoner | every gateway |
//! | `agent.status` | [`StatusUpdate`](crate::StatusUpdate) | tracker, gateway, reasoner, router | every gateway |
//! | `agent.error` | [`DeadLetter`](crate::DeadLetter) | any node's retrier | error handler |

pub const TRANSCRIPT: &str = "transcript";
pub const AGENT_CMD: &str = "agent.cmd";
pub const AGENT_OUT_FOOD: &str = "agent.out.food";
pub const AGENT_OUT_RIDE: &str = "agent.out.ride";
pub const AGENT_OUT_MART: &str = "agent.out.mart";
pub const AGENT_OUT_CLARIFY: &str = "agent.out.clarify";
pub const AGENT_STATUS: &str = "agent.status";
pub const AGENT_ERROR: &str = "agent.error";

/// The output topic of a domain: `agent.out.<domain>`.
pub fn agent_out(domain: &str) -> String {
    format!("agent.out.{domain}")
}

/// The domain of an output topic, if `topic` is one (`agent.out.clarify` is not).
pub fn domain_of(topic: &str) -> Option<&str> {
    topic
        .strip_prefix("agent.out.")
        .filter(|d| *d != "clarify" && !d.is_empty())
}

/// Record headers errand sets.
pub mod headers {
    /// Delivery attempt of this record (1 for the first).
    pub const ATTEMPT: &str = "errand-attempt";
    /// W3C trace context.
    pub const TRACEPARENT: &str = "traceparent";
    pub const CONTENT_TYPE: &str = "content-type";
    pub const SCHEMA_VERSION: &str = "errand-schema-version";
    /// On an `agent.out.<domain>` record: its final step is recorded
    /// already (by the agent's host, as it kept the result).
    pub const RECORDED: &str = "errand-recorded";
    /// On a record a node handed to its own subscriptions as it wrote it:
    /// an id by which they know, and skip, the copy they fetch.
    pub const HANDOFF: &str = "errand-handoff";
}
