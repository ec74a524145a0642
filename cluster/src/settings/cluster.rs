//! This node in a cluster: its name and roles, where it meets its peers,
//! how they trust each other, how soon a silent peer is suspected.

use super::values::{self, at_least};
use crate::config::ConfigError;
use crate::mesh::{ClusterOptions, TlsFiles};
use crate::roles::Role;
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

const MILLIS: &str = "expected milliseconds, at least 1";

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Cluster")]
pub struct Cluster {
    /// this node's name in the cluster (unique per node) [default:
    /// (node-<random>)]
    #[arg(long = "name", env = "ERRAND_NODE_NAME", value_parser = values::item)]
    pub node_name: Option<String>,
    /// the roles this node runs, comma-separated
    #[arg(long, env = "ERRAND_ROLES",
        default_value = "gateway,reasoner,router,agents,tracker,errors",
        value_parser = values::roles)]
    pub roles: BTreeSet<Role>,
    /// HOST:PORT where the node listens for peers [default: (unset: no
    /// cluster)]
    #[arg(long, env = "ERRAND_CLUSTER_LISTEN", value_parser = values::peer_address)]
    pub cluster_listen: Option<SocketAddr>,
    /// the host peers use to reach this node [default: (the listen host)]
    #[arg(long, env = "ERRAND_CLUSTER_ADVERTISE")]
    pub cluster_advertise: Option<String>,
    /// HOST:PORT of nodes to join through, comma-separated [default: (none)]
    #[arg(long = "seed", env = "ERRAND_CLUSTER_SEEDS", value_delimiter = ',',
        value_parser = values::seed)]
    pub cluster_seeds: Vec<String>,
    /// the secret every node of the cluster shares (never logged) [default:
    /// (required with a cluster)]
    #[arg(long, env = "ERRAND_CLUSTER_COOKIE")]
    pub cluster_cookie: Option<SecretString>,
    /// a file holding the cookie instead [default: (none)]
    #[arg(long, env = "ERRAND_CLUSTER_COOKIE_FILE")]
    pub cluster_cookie_file: Option<PathBuf>,
    /// the deployment's name: nodes of one cluster share it
    #[arg(long, env = "ERRAND_CLUSTER_NAME", default_value = "errand")]
    pub cluster_name: String,
    /// PEM certificate chain of this node; with _KEY and _CA, nodes talk TLS
    /// and verify each other [default: (none: plain TCP)]
    #[arg(long, env = "ERRAND_CLUSTER_TLS_CERT")]
    pub cluster_tls_cert: Option<PathBuf>,
    /// PEM private key of this node [default: (none)]
    #[arg(long, env = "ERRAND_CLUSTER_TLS_KEY")]
    pub cluster_tls_key: Option<PathBuf>,
    /// PEM CA that signs every node's certificate [default: (none)]
    #[arg(long, env = "ERRAND_CLUSTER_TLS_CA")]
    pub cluster_tls_ca: Option<PathBuf>,
    /// how often a node asks its peers for a heartbeat
    #[arg(long, env = "ERRAND_HEARTBEAT_MS", default_value = "500",
        value_parser = at_least(1u64, MILLIS))]
    pub heartbeat_ms: u64,
    /// a peer silent this long is suspected down and its agents skipped
    #[arg(long, env = "ERRAND_HEARTBEAT_TIMEOUT_MS", default_value = "3000",
        value_parser = at_least(1u64, MILLIS))]
    pub heartbeat_timeout_ms: u64,
}

impl Cluster {
    /// Joining a cluster, when the node listens for peers.
    pub(super) fn options(&self) -> Result<Option<ClusterOptions>, ConfigError> {
        let Some(listen) = self.cluster_listen else {
            return Ok(None);
        };
        let cookie = match (&self.cluster_cookie, &self.cluster_cookie_file) {
            (Some(cookie), _) => cookie.expose_secret().to_owned(),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(|c| c.trim().to_owned())
                .map_err(|e| {
                    ConfigError::invalid("ERRAND_CLUSTER_COOKIE_FILE", path.display(), e)
                })?,
            (None, None) => String::new(),
        };
        if cookie.len() < 8 {
            return Err(ConfigError::invalid(
                "ERRAND_CLUSTER_COOKIE",
                "***",
                "a cluster needs a shared cookie of at least 8 characters \
                 (ERRAND_CLUSTER_COOKIE or ERRAND_CLUSTER_COOKIE_FILE)",
            ));
        }
        let tls = match (
            &self.cluster_tls_cert,
            &self.cluster_tls_key,
            &self.cluster_tls_ca,
        ) {
            (None, None, None) => None,
            (Some(cert), Some(key), Some(ca)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                ca: ca.clone(),
            }),
            _ => {
                return Err(ConfigError::invalid(
                    "ERRAND_CLUSTER_TLS_CERT",
                    "(partial)",
                    "TLS needs all three of ERRAND_CLUSTER_TLS_CERT, _KEY and _CA",
                ));
            }
        };
        if self.heartbeat_timeout_ms <= self.heartbeat_ms {
            return Err(ConfigError::invalid(
                "ERRAND_HEARTBEAT_TIMEOUT_MS",
                self.heartbeat_timeout_ms,
                "must be longer than ERRAND_HEARTBEAT_MS",
            ));
        }
        Ok(Some(ClusterOptions {
            listen,
            advertise: self.cluster_advertise.clone(),
            seeds: super::listed(&self.cluster_seeds),
            cookie,
            tls,
            heartbeat: Duration::from_millis(self.heartbeat_ms),
            heartbeat_timeout: Duration::from_millis(self.heartbeat_timeout_ms),
        }))
    }
}
