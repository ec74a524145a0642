//! The effective configuration a node runs with ([`Config`]), made from the
//! settings ([`crate::settings`], which load and check it) at start.

use crate::mesh::ClusterOptions;
use crate::roles::Role;
use errand_actors::bus::KafkaConfig;
use errand_actors::dialogue::ConfirmPolicy;
use errand_actors::llm::LlmConfig;
use errand_actors::speech::SpeechConfig;
use errand_actors::store::redis::RedisConfig;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

/// A setting errand cannot run with. `name` is its variable; `value` never
/// holds a secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid {
        name: String,
        value: String,
        why: String,
    },
}

impl ConfigError {
    pub fn invalid(
        name: impl Into<String>,
        value: impl std::fmt::Display,
        why: impl std::fmt::Display,
    ) -> Self {
        ConfigError::Invalid {
            name: name.into(),
            value: value.to_string(),
            why: why.to_string(),
        }
    }
}

/// The effective configuration.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub redis: Option<RedisConfig>,
    /// What the in-memory stores keep (without Redis).
    pub memory: errand_actors::store::memory::MemoryLimits,
    /// What the gateway remembers of sessions.
    pub hub: errand_gateway::HubLimits,
    pub kafka: Option<KafkaConfig>,
    pub external_domains: Vec<String>,
    pub auth: errand_gateway::auth::Auth,
    pub allowed_origins: Vec<String>,
    pub limits: errand_gateway::Limits,
    /// Domains served by external HTTP services: (domain, base URL).
    pub http_agents: Vec<(String, String)>,
    pub command_deadline: Duration,
    pub max_charge: i64,
    /// When a command is confirmed before it is placed.
    pub confirm: ConfirmPolicy,
    /// The sessions' time zone (IANA name, checked at start).
    pub time_zone: String,
    /// The LLM reasoner's endpoint, when one is configured.
    pub llm: Option<LlmConfig>,
    /// Speech-to-text, when configured.
    pub stt: Option<SpeechConfig>,
    pub node_name: Option<String>,
    pub roles: BTreeSet<Role>,
    /// The deployment's name (the process-group scope).
    pub cluster_name: String,
    /// Joining a cluster, when a cluster address is set.
    pub cluster: Option<ClusterOptions>,
}

/// Addresses, names and roles; secrets (in Redis URLs, tokens, the Kafka
/// client settings, keys, the cookie) are left out.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("redis", &self.redis.as_ref().map(RedisConfig::masked_url))
            .field("kafka", &self.kafka.as_ref().map(|k| &k.brokers))
            .field("auth", &self.auth.enabled())
            .field("llm", &self.llm)
            .field("stt", &self.stt.as_ref().map(|s| &s.base_url))
            .field("node_name", &self.node_name)
            .field("roles", &self.roles)
            .field("cluster_name", &self.cluster_name)
            .field("cluster", &self.cluster.as_ref().map(|c| c.listen))
            .finish_non_exhaustive()
    }
}
