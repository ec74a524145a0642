//! How much a node keeps in memory: the in-memory stores of the embedded
//! default (without Redis) and the gateway's sessions and replay. Each is
//! bounded by count and age; the oldest go first.

use super::values::at_least;
use errand_actors::bounds;
use errand_actors::store::memory::MemoryLimits;
use errand_gateway::HubLimits;
use std::time::Duration;

const POSITIVE: &str = "expected a positive whole number";

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Memory")]
pub struct Memory {
    /// commands whose state is kept in memory without Redis (the oldest
    /// written go first; each for ERRAND_STATE_TTL_SECS)
    #[arg(long, env = "ERRAND_MEMORY_COMMANDS", default_value_t = bounds::MEMORY_COMMANDS,
        value_parser = at_least(1usize, POSITIVE))]
    pub memory_commands: usize,
    /// dialogue sessions kept in memory without Redis (each for
    /// ERRAND_SESSION_TTL_SECS after its last turn)
    #[arg(long, env = "ERRAND_MEMORY_SESSIONS", default_value_t = bounds::MEMORY_SESSIONS,
        value_parser = at_least(1usize, POSITIVE))]
    pub memory_sessions: usize,
    /// idempotency records (agents', REST keys, utterance ids) kept in
    /// memory without Redis, each for 7 days
    #[arg(long, env = "ERRAND_MEMORY_KEYS", default_value_t = bounds::MEMORY_KEYS,
        value_parser = at_least(1usize, POSITIVE))]
    pub memory_keys: usize,
    /// sessions a gateway remembers for numbering and replay; past it the
    /// one idle longest with no socket open is forgotten
    #[arg(long, env = "ERRAND_HUB_SESSIONS", default_value_t = bounds::HUB_SESSIONS,
        value_parser = at_least(1usize, POSITIVE))]
    pub hub_sessions: usize,
    /// a session with no socket open is forgotten by its gateway after this
    /// long without an event
    #[arg(long, env = "ERRAND_HUB_IDLE_SECS", default_value_t = bounds::HUB_IDLE.as_secs(),
        value_parser = at_least(1u64, POSITIVE))]
    pub hub_idle_secs: u64,
    /// events a gateway keeps per session for a client that resumes
    #[arg(long, env = "ERRAND_REPLAY_EVENTS", default_value_t = bounds::SESSION_REPLAY,
        value_parser = at_least(1usize, POSITIVE))]
    pub replay_events: usize,
    /// bytes of events a gateway keeps per session for a client that resumes
    #[arg(long, env = "ERRAND_REPLAY_BYTES", default_value_t = bounds::SESSION_REPLAY_BYTES,
        value_parser = at_least(1usize, POSITIVE))]
    pub replay_bytes: usize,
}

impl Memory {
    /// The in-memory stores' bounds; their ages are the Redis ones.
    pub(super) fn stores(&self, redis: &super::Redis) -> MemoryLimits {
        MemoryLimits {
            commands: self.memory_commands,
            command_ttl: Duration::from_secs(redis.state_ttl_secs),
            sessions: self.memory_sessions,
            session_ttl: Duration::from_secs(redis.session_ttl_secs),
            keys: self.memory_keys,
            ..MemoryLimits::default()
        }
    }

    pub(super) fn hub(&self) -> HubLimits {
        HubLimits {
            sessions: self.hub_sessions,
            idle: Duration::from_secs(self.hub_idle_secs),
            replay_events: self.replay_events,
            replay_bytes: self.replay_bytes,
        }
    }
}
