//! Every Redis key errand writes, with its TTL, in one place.
//!
//! The part in braces is the hash tag: on a Redis Cluster all keys of one
//! command (or one session) hash to the same slot, so a script may touch them
//! together.
//!
//! | key | holds | TTL |
//! | --- | --- | --- |
//! | `state:{<trace_id>}` | [`CommandState`](crate::CommandState) as JSON | none while open; 7 days after the final status |
//! | `session:{<session_id>}` | [`SessionState`](crate::SessionState) as JSON | 30 minutes after the last turn |
//! | `seq:{<session_id>}` | the session's event counter: the last number a step or a question took (it starts at the clock in ms, then counts by one) | 30 minutes after the last use |
//! | `idem:{<trace_id>}:<scope>` | the first result of a command in `scope` (`food`, `payment`, ...) | 7 days |
//! | `deadlines` | sorted set: open trace ids by deadline | members removed at their final status |
//! | `deadletters` | hash: dead-letter id to [`DeadLetter`](crate::DeadLetter) JSON (without Kafka) | none |
//! | `fanout:<topic>` | pub/sub channel carrying `agent.status` and `agent.out.clarify` to every gateway (without Kafka) | — |
//!
//! A prefix (none by default) goes in front of every key.

/// Builds keys with an optional prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn state(&self, trace_id: &str) -> String {
        format!("{}state:{{{trace_id}}}", self.prefix)
    }

    pub fn session(&self, session_id: &str) -> String {
        format!("{}session:{{{session_id}}}", self.prefix)
    }

    /// The session's event counter (see `StatusUpdate::seq`), in the
    /// session's hash slot.
    pub fn seq(&self, session_id: &str) -> String {
        format!("{}seq:{{{session_id}}}", self.prefix)
    }

    pub fn idempotency(&self, trace_id: &str, scope: &str) -> String {
        format!("{}idem:{{{trace_id}}}:{scope}", self.prefix)
    }

    pub fn deadlines(&self) -> String {
        format!("{}deadlines", self.prefix)
    }

    pub fn dead_letters(&self) -> String {
        format!("{}deadletters", self.prefix)
    }

    /// The pub/sub channel that fans `topic` out to every gateway.
    pub fn fanout(&self, topic: &str) -> String {
        format!("{}fanout:{topic}", self.prefix)
    }
}

/// Default TTLs, in seconds.
pub mod ttl {
    /// How long a command's state is kept after its final status.
    pub const STATE_AFTER_FINAL_SECS: u64 = 7 * 24 * 3600;
    /// How long a session's dialogue state lives after its last turn.
    pub const SESSION_SECS: u64 = 30 * 60;
    /// How long an idempotency record is kept.
    pub const IDEMPOTENCY_SECS: u64 = 7 * 24 * 3600;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_hash_tags() {
        let keys = Keys::default();
        assert_eq!(keys.state("abc"), "state:{abc}");
        assert_eq!(keys.session("s1"), "session:{s1}");
        assert_eq!(keys.seq("s1"), "seq:{s1}");
        assert_eq!(keys.idempotency("abc", "food"), "idem:{abc}:food");
        assert_eq!(Keys::new("dev:").state("x"), "dev:state:{x}");
    }
}
