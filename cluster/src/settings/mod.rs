//! Every setting errand reads, as one typed struct ([`Settings`]): each a
//! field with its flag, its variable (`ERRAND_…`), its default and its
//! meaning, grouped in sections (one module each). A value comes from the
//! flag, else the environment, else the TOML file `--config` (or
//! `ERRAND_CONFIG`) names, else the default ([`load`]); the settings then
//! make the [`Config`] a node runs with. `errand env` and `errand config
//! show` are generated from the same struct ([`show()`]).
//!
//! A setting that is a secret is a [`SecretString`](secrecy::SecretString):
//! `Debug` never prints it, and neither do errors or `errand config show`.
//!
//! The fields' doc comments are the settings' help, printed as written.
#![allow(rustdoc::invalid_html_tags, rustdoc::bare_urls)]

mod cluster;
mod dialogue;
mod gateway;
mod kafka;
mod llm;
pub mod load;
mod memory;
mod redis;
pub mod show;
mod speech;
pub mod values;

pub use cluster::Cluster;
pub use dialogue::Dialogue;
pub use gateway::Gateway;
pub use kafka::Kafka;
pub use llm::Llm;
pub use load::{Flags, parse_command_line, process_env, read_file};
pub use memory::Memory;
pub use redis::Redis;
pub use show::{show, variables};
pub use speech::Speech;

use crate::config::{Config, ConfigError};
use crate::roles::Role;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
pub struct Settings {
    /// a TOML file of these settings (keys without ERRAND_, lower case;
    /// tables join with _); the environment wins [default: (none)]
    #[arg(long, env = "ERRAND_CONFIG")]
    pub config: Option<PathBuf>,
    /// log filter (tracing syntax); logs go to stderr
    // errand reads it from the environment as it starts, before the others.
    #[arg(long, env = "ERRAND_LOG", default_value = "info", hide = true)]
    pub log: String,
    /// OTLP/HTTP endpoint spans are exported to (e.g. http://localhost:4318,
    /// or a full URL ending /v1/traces): one trace per command, across topics
    /// and nodes [default: (none): no export]
    // Read from the environment as errand starts, with ERRAND_LOG.
    #[arg(long, env = "ERRAND_OTLP_ENDPOINT", hide = true)]
    pub otlp_endpoint: Option<String>,
    #[command(flatten)]
    pub gateway: Gateway,
    #[command(flatten)]
    pub redis: Redis,
    #[command(flatten)]
    pub memory: Memory,
    #[command(flatten)]
    pub kafka: Kafka,
    #[command(flatten)]
    pub dialogue: Dialogue,
    #[command(flatten)]
    pub llm: Llm,
    #[command(flatten)]
    pub speech: Speech,
    #[command(flatten)]
    pub cluster: Cluster,
}

impl Settings {
    /// Every setting as clap declares it: its flag, variable, default and
    /// meaning.
    pub fn command() -> clap::Command {
        use clap::Args;
        Self::augment_args(clap::Command::new("errand").no_binary_name(true))
    }

    /// Flags over `env` over the TOML file over defaults, each value checked.
    pub fn load(flags: &Flags, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        load::settings(&load::matches(flags, env)?)
    }
}

impl TryFrom<Settings> for Config {
    type Error = ConfigError;

    /// Checks what one setting alone cannot (a cluster's cookie, the TLS
    /// files together, the heartbeats, the rate and burst).
    fn try_from(s: Settings) -> Result<Self, ConfigError> {
        let external_domains = listed(&s.dialogue.external_domains);
        // A node alone waits for no record another process writes.
        let alone = s.cluster.cluster_listen.is_none()
            && s.cluster.roles.len() == Role::ALL.len()
            && external_domains.is_empty();
        Ok(Config {
            listen: s.gateway.listen,
            redis: s.redis.config(),
            memory: s.memory.stores(&s.redis),
            hub: s.memory.hub(),
            kafka: s.kafka.config(alone),
            external_domains,
            auth: s.gateway.auth()?,
            allowed_origins: listed(&s.gateway.allowed_origins),
            limits: s.gateway.limits()?,
            http_agents: s.dialogue.http_agents()?,
            command_deadline: Duration::from_secs(s.dialogue.command_deadline_secs.max(1)),
            max_charge: s.dialogue.max_charge,
            confirm: s.dialogue.confirm,
            time_zone: s.dialogue.time_zone.clone(),
            llm: s.llm.config(),
            stt: s.speech.config(),
            node_name: s.cluster.node_name.clone(),
            roles: s.cluster.roles.clone(),
            cluster_name: s.cluster.cluster_name.clone(),
            cluster: s.cluster.options()?,
        })
    }
}

/// A list's items without the empty ones (`a,,b` or a trailing comma).
fn listed(items: &[String]) -> Vec<String> {
    items.iter().filter(|i| !i.is_empty()).cloned().collect()
}

impl Config {
    /// The environment over the TOML file `ERRAND_CONFIG` names.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&Flags::default(), process_env)
    }

    /// `flags` over the environment (read through `env`; tests pass their
    /// own) over the TOML file (`--config` or `ERRAND_CONFIG`), validated.
    pub fn load(flags: &Flags, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Settings::load(flags, &env)?.try_into()
    }
}

/// `gateway,agents` to roles.
pub fn parse_roles(list: &str) -> Result<BTreeSet<Role>, ConfigError> {
    values::roles(list).map_err(|why| ConfigError::invalid("ERRAND_ROLES", list, why))
}

#[cfg(test)]
mod tests;
