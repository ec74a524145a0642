//! State in Redis.

use super::values::{self, Url, at_least};
use errand_actors::store::redis::RedisConfig;
use std::time::Duration;

const POSITIVE: &str = "expected a positive whole number";

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Redis")]
pub struct Redis {
    /// redis:// or rediss:// URL (with AUTH as redis://:password@host);
    /// several comma-separated URLs mean a Redis Cluster [default: (unset: in
    /// memory)]
    #[arg(long, env = "ERRAND_REDIS_URL", value_parser = values::redis_url)]
    pub redis_url: Option<Url>,
    /// prefix of every Redis key [default: (none)]
    #[arg(long, env = "ERRAND_REDIS_PREFIX")]
    pub redis_prefix: Option<String>,
    /// the longest one Redis call may take
    #[arg(long, env = "ERRAND_REDIS_TIMEOUT_MS", default_value = "1000",
        value_parser = at_least(1u64, POSITIVE))]
    pub redis_timeout_ms: u64,
    /// how long a session's dialogue state lives after its last turn
    #[arg(long, env = "ERRAND_SESSION_TTL_SECS", default_value = "1800",
        value_parser = at_least(1u64, POSITIVE))]
    pub session_ttl_secs: u64,
    /// how long a command's state is kept after its final status
    #[arg(long, env = "ERRAND_STATE_TTL_SECS", default_value = "604800",
        value_parser = at_least(1u64, POSITIVE))]
    pub state_ttl_secs: u64,
}

impl Redis {
    /// Redis, when a URL is set.
    pub(super) fn config(&self) -> Option<RedisConfig> {
        let mut redis = RedisConfig::new(self.redis_url.as_ref()?.0.clone());
        redis.prefix = self.redis_prefix.clone().unwrap_or_default();
        redis.timeout = Duration::from_millis(self.redis_timeout_ms);
        redis.session_ttl = Duration::from_secs(self.session_ttl_secs);
        redis.state_ttl = Duration::from_secs(self.state_ttl_secs);
        Some(redis)
    }
}
