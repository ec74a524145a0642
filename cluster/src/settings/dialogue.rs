//! Commands: how long they may take, what they may cost, when the person
//! confirms them, and which agents outside errand serve some domains.

use super::values::{self, number};
use crate::config::ConfigError;
use errand_actors::dialogue::ConfirmPolicy;

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Commands")]
pub struct Dialogue {
    /// domains served by external HTTP services with errand's REST contract,
    /// domain=https://host pairs [default: (none)]
    #[arg(long, env = "ERRAND_HTTP_AGENTS", value_delimiter = ',',
        value_parser = values::http_agent)]
    pub http_agents: Vec<String>,
    /// domains served by external agents over agent.cmd and
    /// agent.out.<domain>, comma-separated [default: (none)]
    #[arg(long, env = "ERRAND_EXTERNAL_DOMAINS", value_delimiter = ',',
        value_parser = values::item)]
    pub external_domains: Vec<String>,
    /// how long a command may take before it is failed
    #[arg(long, env = "ERRAND_COMMAND_DEADLINE_SECS", default_value = "30",
        value_parser = number::<u64>("expected seconds"))]
    pub command_deadline_secs: u64,
    /// the largest charge for one order, in minor units
    #[arg(long, env = "ERRAND_MAX_CHARGE", default_value = "50000",
        value_parser = number::<i64>("expected minor units"))]
    pub max_charge: i64,
    /// when a command is confirmed before it is placed: always, above:<minor
    /// units> or never
    #[arg(long, env = "ERRAND_CONFIRM", default_value = "always")]
    pub confirm: ConfirmPolicy,
    /// the sessions' time zone (IANA), for times like "at 5pm tomorrow"
    #[arg(long, env = "ERRAND_TIME_ZONE", default_value = "Europe/London",
        value_parser = values::time_zone)]
    pub time_zone: String,
}

impl Dialogue {
    /// (domain, base URL) of each external HTTP service.
    pub(super) fn http_agents(&self) -> Result<Vec<(String, String)>, ConfigError> {
        let mut agents = Vec::new();
        for pair in self.http_agents.iter().filter(|p| !p.is_empty()) {
            let (domain, url) = pair.split_once('=').ok_or_else(|| {
                ConfigError::invalid("ERRAND_HTTP_AGENTS", pair, "expected domain=url")
            })?;
            agents.push((domain.trim().to_owned(), url.trim().to_owned()));
        }
        Ok(agents)
    }
}
