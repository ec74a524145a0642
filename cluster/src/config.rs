//! Configuration: one registry of environment variables ([`VARIABLES`]),
//! read and validated at start ([`Config::from_env`]).

use crate::mesh::{ClusterOptions, TlsFiles};
use crate::roles::Role;
use errand_actors::bus::KafkaConfig;
use errand_actors::dialogue::ConfirmPolicy;
use errand_actors::llm::{Fallback, LlmConfig};
use errand_actors::speech::SpeechConfig;
use errand_actors::store::redis::RedisConfig;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

/// Every variable errand reads: name, default, meaning.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "ERRAND_LISTEN",
        "127.0.0.1:8080",
        "where the gateway listens",
    ),
    (
        "ERRAND_LOG",
        "info",
        "log filter (tracing syntax); logs go to stderr",
    ),
    (
        "ERRAND_REDIS_URL",
        "(unset: in memory)",
        "redis:// or rediss:// URL (with AUTH as redis://:password@host); several comma-separated URLs mean a Redis Cluster",
    ),
    ("ERRAND_REDIS_PREFIX", "(none)", "prefix of every Redis key"),
    (
        "ERRAND_REDIS_TIMEOUT_MS",
        "1000",
        "the longest one Redis call may take",
    ),
    (
        "ERRAND_SESSION_TTL_SECS",
        "1800",
        "how long a session's dialogue state lives after its last turn",
    ),
    (
        "ERRAND_STATE_TTL_SECS",
        "604800",
        "how long a command's state is kept after its final status",
    ),
    (
        "ERRAND_KAFKA_BROKERS",
        "(unset: in-memory bus)",
        "Kafka/Redpanda bootstrap servers, host:port,host:port",
    ),
    (
        "ERRAND_KAFKA_TOPIC_PREFIX",
        "(none)",
        "prefix of every topic name",
    ),
    (
        "ERRAND_KAFKA_PARTITIONS",
        "4",
        "partitions of the topics errand creates",
    ),
    (
        "ERRAND_KAFKA_REPLICATION",
        "1",
        "replication factor of the topics errand creates",
    ),
    ("ERRAND_KAFKA_LINGER_MS", "1", "producer linger.ms"),
    (
        "ERRAND_KAFKA_FETCH_WAIT_MS",
        "5",
        "consumer fetch.wait.max.ms",
    ),
    (
        "ERRAND_KAFKA_SECURITY_PROTOCOL",
        "plaintext",
        "plaintext, ssl, sasl_plaintext or sasl_ssl",
    ),
    (
        "ERRAND_KAFKA_SASL_MECHANISM",
        "(none)",
        "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
    ),
    ("ERRAND_KAFKA_SASL_USERNAME", "(none)", "SASL user"),
    (
        "ERRAND_KAFKA_SASL_PASSWORD",
        "(none)",
        "SASL password (never logged)",
    ),
    (
        "ERRAND_KAFKA_SSL_CA_LOCATION",
        "(system roots)",
        "CA certificate file for TLS to the broker",
    ),
    (
        "ERRAND_AUTH_TOKENS",
        "(none: auth off)",
        "static bearer tokens, token:subject pairs separated by commas (never logged)",
    ),
    (
        "ERRAND_AUTH_JWT_SECRET",
        "(none: auth off)",
        "HMAC secret of HS256 JWTs (sub and exp required; never logged)",
    ),
    (
        "ERRAND_AUTH_JWT_AUDIENCE",
        "(not checked)",
        "the aud a JWT must carry",
    ),
    (
        "ERRAND_ALLOWED_ORIGINS",
        "(any)",
        "origins WebSocket upgrades may come from, comma-separated",
    ),
    (
        "ERRAND_MAX_UTTERANCE_CHARS",
        "1000",
        "characters in one utterance",
    ),
    (
        "ERRAND_MAX_FRAME_BYTES",
        "65536",
        "bytes in one WebSocket message",
    ),
    (
        "ERRAND_RATE_PER_SECOND",
        "2",
        "utterances per second one session may send (sustained)",
    ),
    (
        "ERRAND_RATE_BURST",
        "20",
        "utterances one session may send at once",
    ),
    (
        "ERRAND_MAX_SOCKETS_PER_CLIENT",
        "256",
        "open sockets per client address",
    ),
    (
        "ERRAND_IDLE_TIMEOUT_SECS",
        "300",
        "a socket silent this long is closed",
    ),
    (
        "ERRAND_KAFKA_DEBUG",
        "(none)",
        "librdkafka debug contexts, e.g. cgrp,topic (logged to stderr)",
    ),
    (
        "ERRAND_HTTP_AGENTS",
        "(none)",
        "domains served by external HTTP services with errand's REST contract, domain=https://host pairs",
    ),
    (
        "ERRAND_EXTERNAL_DOMAINS",
        "(none)",
        "domains served by external agents over agent.cmd and agent.out.<domain>, comma-separated",
    ),
    (
        "ERRAND_COMMAND_DEADLINE_SECS",
        "30",
        "how long a command may take before it is failed",
    ),
    (
        "ERRAND_MAX_CHARGE",
        "50000",
        "the largest charge for one order, in minor units",
    ),
    (
        "ERRAND_CONFIRM",
        "always",
        "when a command is confirmed before it is placed: always, above:<minor units> or never",
    ),
    (
        "ERRAND_TIME_ZONE",
        "Europe/London",
        "the sessions' time zone (IANA), for times like \"at 5pm tomorrow\"",
    ),
    (
        "ERRAND_LLM_BASE_URL",
        "(unset: the offline reader)",
        "an OpenAI-compatible API base (e.g. https://api.openai.com/v1): a model reads utterances with tool calling",
    ),
    (
        "ERRAND_LLM_API_KEY",
        "(none)",
        "bearer key of the LLM endpoint (never logged)",
    ),
    ("ERRAND_LLM_MODEL", "gpt-4o-mini", "the model to ask"),
    (
        "ERRAND_LLM_TIMEOUT_MS",
        "10000",
        "the longest one model call may take",
    ),
    (
        "ERRAND_LLM_RETRIES",
        "2",
        "retries of a model call after a 429, a 5xx, a timeout or a broken connection (never after a 400 or 401)",
    ),
    (
        "ERRAND_LLM_FALLBACK",
        "offline",
        "when the model fails: offline (the offline reader reads the utterance) or decline (the person is asked to try again)",
    ),
    (
        "ERRAND_LLM_HISTORY",
        "8",
        "turns of the session's conversation sent with each model call",
    ),
    (
        "ERRAND_STT_URL",
        "(unset: no audio)",
        "an OpenAI-compatible API base for /audio/transcriptions (e.g. the local scripts/stt server); audio on /v1/ws/mic is written down there",
    ),
    (
        "ERRAND_STT_MODEL",
        "whisper-1",
        "the transcription model to ask",
    ),
    (
        "ERRAND_STT_API_KEY",
        "(none)",
        "bearer key of the speech-to-text endpoint (never logged)",
    ),
    (
        "ERRAND_MAX_AUDIO_SECONDS",
        "30",
        "the longest recording /v1/ws/mic takes",
    ),
    (
        "ERRAND_MAX_AUDIO_BYTES",
        "2097152",
        "the largest recording /v1/ws/mic takes, in bytes",
    ),
    (
        "ERRAND_CONFIG",
        "(none)",
        "a TOML file of these settings (keys without ERRAND_, lower case; tables join with _); the environment wins",
    ),
    (
        "ERRAND_NODE_NAME",
        "(node-<random>)",
        "this node's name in the cluster (unique per node)",
    ),
    (
        "ERRAND_ROLES",
        "gateway,reasoner,router,agents,tracker,errors",
        "the roles this node runs, comma-separated",
    ),
    (
        "ERRAND_CLUSTER_LISTEN",
        "(unset: no cluster)",
        "HOST:PORT where the node listens for peers",
    ),
    (
        "ERRAND_CLUSTER_ADVERTISE",
        "(the listen host)",
        "the host peers use to reach this node",
    ),
    (
        "ERRAND_CLUSTER_SEEDS",
        "(none)",
        "HOST:PORT of nodes to join through, comma-separated",
    ),
    (
        "ERRAND_CLUSTER_COOKIE",
        "(required with a cluster)",
        "the secret every node of the cluster shares (never logged)",
    ),
    (
        "ERRAND_CLUSTER_COOKIE_FILE",
        "(none)",
        "a file holding the cookie instead",
    ),
    (
        "ERRAND_CLUSTER_NAME",
        "errand",
        "the deployment's name: nodes of one cluster share it",
    ),
    (
        "ERRAND_CLUSTER_TLS_CERT",
        "(none: plain TCP)",
        "PEM certificate chain of this node; with _KEY and _CA, nodes talk TLS and verify each other",
    ),
    (
        "ERRAND_CLUSTER_TLS_KEY",
        "(none)",
        "PEM private key of this node",
    ),
    (
        "ERRAND_CLUSTER_TLS_CA",
        "(none)",
        "PEM CA that signs every node's certificate",
    ),
    (
        "ERRAND_HEARTBEAT_MS",
        "500",
        "how often a node asks its peers for a heartbeat",
    ),
    (
        "ERRAND_HEARTBEAT_TIMEOUT_MS",
        "3000",
        "a peer silent this long is suspected down and its agents skipped",
    ),
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {why}")]
    Invalid {
        name: &'static str,
        value: String,
        why: String,
    },
}

/// The effective configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub redis: Option<RedisConfig>,
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

impl Config {
    /// The environment (over the TOML file `ERRAND_CONFIG` names).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(None, &[])
    }

    /// Reads the variables through `lookup` (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        fn parse<T: std::str::FromStr>(
            lookup: &impl Fn(&str) -> Option<String>,
            name: &'static str,
            default: T,
            why: &str,
        ) -> Result<T, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
                    name,
                    value,
                    why: why.into(),
                }),
            }
        }
        let listen = parse(
            &lookup,
            "ERRAND_LISTEN",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "expected HOST:PORT, e.g. 127.0.0.1:8080",
        )?;
        let redis = match lookup("ERRAND_REDIS_URL") {
            None => None,
            Some(url) => {
                for one in url.split(',') {
                    let one = one.trim();
                    if !(one.starts_with("redis://") || one.starts_with("rediss://")) {
                        return Err(ConfigError::Invalid {
                            name: "ERRAND_REDIS_URL",
                            value: RedisConfig::new(url.clone()).masked_url(),
                            why: "expected redis://HOST:PORT or rediss://HOST:PORT".into(),
                        });
                    }
                }
                let mut redis = RedisConfig::new(url);
                redis.prefix = lookup("ERRAND_REDIS_PREFIX").unwrap_or_default();
                let positive = "expected a positive whole number";
                let ms: u64 = parse(&lookup, "ERRAND_REDIS_TIMEOUT_MS", 1000, positive)?;
                let session: u64 = parse(&lookup, "ERRAND_SESSION_TTL_SECS", 1800, positive)?;
                let state: u64 = parse(&lookup, "ERRAND_STATE_TTL_SECS", 604_800, positive)?;
                for (name, v) in [
                    ("ERRAND_REDIS_TIMEOUT_MS", ms),
                    ("ERRAND_SESSION_TTL_SECS", session),
                    ("ERRAND_STATE_TTL_SECS", state),
                ] {
                    if v == 0 {
                        return Err(ConfigError::Invalid {
                            name,
                            value: "0".into(),
                            why: positive.into(),
                        });
                    }
                }
                redis.timeout = Duration::from_millis(ms);
                redis.session_ttl = Duration::from_secs(session);
                redis.state_ttl = Duration::from_secs(state);
                Some(redis)
            }
        };
        let kafka = match lookup("ERRAND_KAFKA_BROKERS") {
            None => None,
            Some(brokers) => {
                let mut kafka = KafkaConfig::new(brokers);
                kafka.topic_prefix = lookup("ERRAND_KAFKA_TOPIC_PREFIX").unwrap_or_default();
                let whole = "expected a whole number of at least 1";
                kafka.partitions = parse(&lookup, "ERRAND_KAFKA_PARTITIONS", 4, whole)?;
                kafka.replication = parse(&lookup, "ERRAND_KAFKA_REPLICATION", 1, whole)?;
                kafka.linger_ms = parse(
                    &lookup,
                    "ERRAND_KAFKA_LINGER_MS",
                    1,
                    "expected milliseconds",
                )?;
                kafka.fetch_wait_ms = parse(
                    &lookup,
                    "ERRAND_KAFKA_FETCH_WAIT_MS",
                    5,
                    "expected milliseconds",
                )?;
                for (name, v) in [
                    ("ERRAND_KAFKA_PARTITIONS", kafka.partitions),
                    ("ERRAND_KAFKA_REPLICATION", kafka.replication),
                ] {
                    if v < 1 {
                        return Err(ConfigError::Invalid {
                            name,
                            value: v.to_string(),
                            why: whole.into(),
                        });
                    }
                }
                for (name, setting) in [
                    ("ERRAND_KAFKA_SECURITY_PROTOCOL", "security.protocol"),
                    ("ERRAND_KAFKA_SASL_MECHANISM", "sasl.mechanism"),
                    ("ERRAND_KAFKA_SASL_USERNAME", "sasl.username"),
                    ("ERRAND_KAFKA_SASL_PASSWORD", "sasl.password"),
                    ("ERRAND_KAFKA_SSL_CA_LOCATION", "ssl.ca.location"),
                    ("ERRAND_KAFKA_DEBUG", "debug"),
                ] {
                    if let Some(value) = lookup(name) {
                        kafka.client.push((setting.to_owned(), value));
                    }
                }
                Some(kafka)
            }
        };
        let mut auth = errand_gateway::auth::Auth::default();
        if let Some(list) = lookup("ERRAND_AUTH_TOKENS") {
            auth.tokens = errand_gateway::auth::Auth::parse_tokens(&list).map_err(|why| {
                ConfigError::Invalid {
                    name: "ERRAND_AUTH_TOKENS",
                    value: "***".into(),
                    why,
                }
            })?;
        }
        if let Some(secret) = lookup("ERRAND_AUTH_JWT_SECRET") {
            if secret.len() < 16 {
                return Err(ConfigError::Invalid {
                    name: "ERRAND_AUTH_JWT_SECRET",
                    value: "***".into(),
                    why: "use at least 16 bytes".into(),
                });
            }
            auth.jwt = Some(errand_gateway::auth::JwtConfig {
                secret: secret.into_bytes(),
                audience: lookup("ERRAND_AUTH_JWT_AUDIENCE"),
            });
        }
        let allowed_origins = lookup("ERRAND_ALLOWED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let defaults = errand_gateway::Limits::default();
        let limits = errand_gateway::Limits {
            max_utterance_chars: parse(
                &lookup,
                "ERRAND_MAX_UTTERANCE_CHARS",
                defaults.max_utterance_chars,
                "expected a whole number",
            )?,
            max_frame_bytes: parse(
                &lookup,
                "ERRAND_MAX_FRAME_BYTES",
                defaults.max_frame_bytes,
                "expected bytes",
            )?,
            utterances_per_second: parse(
                &lookup,
                "ERRAND_RATE_PER_SECOND",
                defaults.utterances_per_second,
                "expected a number",
            )?,
            utterance_burst: parse(
                &lookup,
                "ERRAND_RATE_BURST",
                defaults.utterance_burst,
                "expected a number",
            )?,
            max_sockets_per_client: parse(
                &lookup,
                "ERRAND_MAX_SOCKETS_PER_CLIENT",
                defaults.max_sockets_per_client,
                "expected a whole number",
            )?,
            idle_timeout: Duration::from_secs(parse(
                &lookup,
                "ERRAND_IDLE_TIMEOUT_SECS",
                defaults.idle_timeout.as_secs(),
                "expected seconds",
            )?),
            max_audio_seconds: parse(
                &lookup,
                "ERRAND_MAX_AUDIO_SECONDS",
                defaults.max_audio_seconds,
                "expected whole seconds",
            )?,
            max_audio_bytes: parse(
                &lookup,
                "ERRAND_MAX_AUDIO_BYTES",
                defaults.max_audio_bytes,
                "expected bytes",
            )?,
        };
        if limits.utterance_burst < 1.0 || limits.utterances_per_second <= 0.0 {
            return Err(ConfigError::Invalid {
                name: "ERRAND_RATE_BURST",
                value: format!(
                    "{}/{}",
                    limits.utterances_per_second, limits.utterance_burst
                ),
                why: "the rate must be positive and the burst at least 1".into(),
            });
        }
        let mut http_agents = Vec::new();
        for pair in lookup("ERRAND_HTTP_AGENTS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some((domain, url))
                    if !domain.is_empty()
                        && (url.starts_with("http://") || url.starts_with("https://")) =>
                {
                    http_agents.push((domain.trim().to_owned(), url.trim().to_owned()));
                }
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "ERRAND_HTTP_AGENTS",
                        value: pair.to_owned(),
                        why: "expected domain=http(s)://host:port pairs separated by commas".into(),
                    });
                }
            }
        }
        let external_domains = lookup("ERRAND_EXTERNAL_DOMAINS")
            .map(|v| {
                v.split(',')
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let deadline: u64 = parse(
            &lookup,
            "ERRAND_COMMAND_DEADLINE_SECS",
            30,
            "expected seconds",
        )?;
        let max_charge: i64 = parse(&lookup, "ERRAND_MAX_CHARGE", 50_000, "expected minor units")?;
        let confirm = match lookup("ERRAND_CONFIRM") {
            None => ConfirmPolicy::Always,
            Some(v) => v.parse().map_err(|why| ConfigError::Invalid {
                name: "ERRAND_CONFIRM",
                value: v.clone(),
                why,
            })?,
        };
        let time_zone = lookup("ERRAND_TIME_ZONE").unwrap_or_else(|| "Europe/London".into());
        if let Err(why) = errand_actors::reading::Reading::time_zone(&time_zone) {
            return Err(ConfigError::Invalid {
                name: "ERRAND_TIME_ZONE",
                value: time_zone,
                why,
            });
        }
        let llm = match lookup("ERRAND_LLM_BASE_URL") {
            None => None,
            Some(url) => {
                let mut llm = LlmConfig::new(url);
                if !(llm.base_url.starts_with("http://") || llm.base_url.starts_with("https://")) {
                    return Err(ConfigError::Invalid {
                        name: "ERRAND_LLM_BASE_URL",
                        value: llm.masked_base_url(),
                        why: "expected http(s)://host[:port]/path, e.g. https://api.openai.com/v1"
                            .into(),
                    });
                }
                llm.api_key = lookup("ERRAND_LLM_API_KEY");
                if let Some(model) = lookup("ERRAND_LLM_MODEL") {
                    llm.model = model.trim().to_owned();
                }
                let ms: u64 = parse(
                    &lookup,
                    "ERRAND_LLM_TIMEOUT_MS",
                    llm.timeout.as_millis() as u64,
                    "expected milliseconds, at least 1",
                )?;
                if ms == 0 {
                    return Err(ConfigError::Invalid {
                        name: "ERRAND_LLM_TIMEOUT_MS",
                        value: "0".into(),
                        why: "expected milliseconds, at least 1".into(),
                    });
                }
                llm.timeout = Duration::from_millis(ms);
                llm.retries = parse(
                    &lookup,
                    "ERRAND_LLM_RETRIES",
                    llm.retries,
                    "expected a whole number",
                )?;
                if llm.retries > 10 {
                    return Err(ConfigError::Invalid {
                        name: "ERRAND_LLM_RETRIES",
                        value: llm.retries.to_string(),
                        why: "expected at most 10".into(),
                    });
                }
                if let Some(value) = lookup("ERRAND_LLM_FALLBACK") {
                    llm.fallback = Fallback::parse(&value).ok_or_else(|| ConfigError::Invalid {
                        name: "ERRAND_LLM_FALLBACK",
                        value,
                        why: "expected offline or decline".into(),
                    })?;
                }
                llm.history_turns = parse(
                    &lookup,
                    "ERRAND_LLM_HISTORY",
                    llm.history_turns,
                    "expected a whole number of turns",
                )?;
                Some(llm)
            }
        };
        let stt = match lookup("ERRAND_STT_URL") {
            None => None,
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let mut stt = SpeechConfig::new(url);
                stt.api_key = lookup("ERRAND_STT_API_KEY");
                if let Some(model) = lookup("ERRAND_STT_MODEL") {
                    stt.model = model.trim().to_owned();
                }
                Some(stt)
            }
            Some(url) => {
                return Err(ConfigError::Invalid {
                    name: "ERRAND_STT_URL",
                    value: url,
                    why: "expected http(s)://host[:port]/path, e.g. http://127.0.0.1:8178/v1"
                        .into(),
                });
            }
        };
        let roles = match lookup("ERRAND_ROLES") {
            None => Role::ALL.into_iter().collect(),
            Some(list) => parse_roles(&list)?,
        };
        Ok(Self {
            listen,
            redis,
            kafka,
            external_domains,
            auth,
            allowed_origins,
            limits,
            http_agents,
            command_deadline: Duration::from_secs(deadline.max(1)),
            max_charge,
            confirm,
            time_zone,
            llm,
            stt,
            node_name: lookup("ERRAND_NODE_NAME").map(|n| n.trim().to_owned()),
            roles,
            cluster_name: lookup("ERRAND_CLUSTER_NAME").unwrap_or_else(|| "errand".into()),
            cluster: cluster_options(&lookup)?,
        })
    }
}

/// `gateway,agents` to roles.
pub fn parse_roles(list: &str) -> Result<BTreeSet<Role>, ConfigError> {
    let mut roles = BTreeSet::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        roles.insert(Role::parse(name).ok_or_else(|| ConfigError::Invalid {
            name: "ERRAND_ROLES",
            value: list.to_owned(),
            why: format!(
                "unknown role {name:?}; the roles are {}",
                Role::ALL.map(Role::as_str).join(", ")
            ),
        })?);
    }
    if roles.is_empty() {
        return Err(ConfigError::Invalid {
            name: "ERRAND_ROLES",
            value: list.to_owned(),
            why: "give at least one role".into(),
        });
    }
    Ok(roles)
}

fn cluster_options(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ClusterOptions>, ConfigError> {
    let Some(listen) = lookup("ERRAND_CLUSTER_LISTEN") else {
        return Ok(None);
    };
    let invalid = |name: &'static str, value: String, why: &str| ConfigError::Invalid {
        name,
        value,
        why: why.into(),
    };
    let listen: SocketAddr = listen.trim().parse().map_err(|_| {
        invalid(
            "ERRAND_CLUSTER_LISTEN",
            listen.clone(),
            "expected HOST:PORT with an IP address, e.g. 127.0.0.1:7001",
        )
    })?;
    if listen.port() == 0 {
        return Err(invalid(
            "ERRAND_CLUSTER_LISTEN",
            listen.to_string(),
            "give a fixed port: peers must be able to find this node again",
        ));
    }
    let seeds: Vec<String> = lookup("ERRAND_CLUSTER_SEEDS")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for seed in &seeds {
        if !seed
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
        {
            return Err(invalid(
                "ERRAND_CLUSTER_SEEDS",
                seed.clone(),
                "expected HOST:PORT",
            ));
        }
    }
    let cookie = match (
        lookup("ERRAND_CLUSTER_COOKIE"),
        lookup("ERRAND_CLUSTER_COOKIE_FILE"),
    ) {
        (Some(cookie), _) => cookie,
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map(|c| c.trim().to_owned())
            .map_err(|e| invalid("ERRAND_CLUSTER_COOKIE_FILE", path, &e.to_string()))?,
        (None, None) => String::new(),
    };
    if cookie.len() < 8 {
        return Err(invalid(
            "ERRAND_CLUSTER_COOKIE",
            "***".into(),
            "a cluster needs a shared cookie of at least 8 characters (ERRAND_CLUSTER_COOKIE or ERRAND_CLUSTER_COOKIE_FILE)",
        ));
    }
    let tls = match (
        lookup("ERRAND_CLUSTER_TLS_CERT"),
        lookup("ERRAND_CLUSTER_TLS_KEY"),
        lookup("ERRAND_CLUSTER_TLS_CA"),
    ) {
        (None, None, None) => None,
        (Some(cert), Some(key), Some(ca)) => Some(TlsFiles {
            cert: cert.into(),
            key: key.into(),
            ca: ca.into(),
        }),
        _ => {
            return Err(invalid(
                "ERRAND_CLUSTER_TLS_CERT",
                "(partial)".into(),
                "TLS needs all three of ERRAND_CLUSTER_TLS_CERT, _KEY and _CA",
            ));
        }
    };
    let ms = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
        match lookup(name) {
            None => Ok(Duration::from_millis(default)),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(Duration::from_millis(n)),
                _ => Err(invalid(name, v, "expected milliseconds, at least 1")),
            },
        }
    };
    let heartbeat = ms("ERRAND_HEARTBEAT_MS", 500)?;
    let heartbeat_timeout = ms("ERRAND_HEARTBEAT_TIMEOUT_MS", 3000)?;
    if heartbeat_timeout <= heartbeat {
        return Err(invalid(
            "ERRAND_HEARTBEAT_TIMEOUT_MS",
            heartbeat_timeout.as_millis().to_string(),
            "must be longer than ERRAND_HEARTBEAT_MS",
        ));
    }
    Ok(Some(ClusterOptions {
        listen,
        advertise: lookup("ERRAND_CLUSTER_ADVERTISE"),
        seeds,
        cookie,
        tls,
        heartbeat,
        heartbeat_timeout,
    }))
}

/// Reads a TOML file of settings into variable names: `listen = "..."` is
/// `ERRAND_LISTEN`, `[cluster] seeds = [...]` is `ERRAND_CLUSTER_SEEDS`
/// (lists join with commas). A key that names no variable is an error.
pub fn read_file(path: &std::path::Path) -> Result<Vec<(String, String)>, ConfigError> {
    let invalid = |why: String| ConfigError::Invalid {
        name: "ERRAND_CONFIG",
        value: path.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
    fn flatten(
        prefix: &str,
        table: &toml::Table,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        for (key, value) in table {
            let name = format!("{prefix}_{}", key.to_uppercase().replace('-', "_"));
            let text = match value {
                toml::Value::Table(inner) => {
                    flatten(&name, inner, out)?;
                    continue;
                }
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| scalar(i).ok_or_else(|| format!("{key:?}: a list of plain values")))
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                other => scalar(other).ok_or_else(|| format!("{key:?}: not a plain value"))?,
            };
            if !VARIABLES.iter().any(|(known, _, _)| *known == name) || name == "ERRAND_CONFIG" {
                return Err(format!("{key:?} is not a setting (errand env lists them)"));
            }
            out.push((name, text));
        }
        Ok(())
    }
    fn scalar(value: &toml::Value) -> Option<String> {
        Some(match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::Array(_) | toml::Value::Table(_) => return None,
        })
    }
    let mut out = Vec::new();
    flatten("ERRAND", &table, &mut out).map_err(invalid)?;
    Ok(out)
}

impl Config {
    /// Command-line `overrides` over the environment over the TOML file
    /// `file` (or `ERRAND_CONFIG`) names, validated.
    pub fn load(
        file: Option<&std::path::Path>,
        overrides: &[(&str, String)],
    ) -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let path = file
            .map(std::path::Path::to_path_buf)
            .or_else(|| env("ERRAND_CONFIG").map(Into::into));
        let settings = match &path {
            Some(path) => read_file(path)?,
            None => Vec::new(),
        };
        Self::from_lookup(|name| {
            let flag = overrides
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone());
            flag.or_else(|| env(name)).or_else(|| {
                settings
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            })
        })
    }

    /// The effective configuration as JSON, secrets masked.
    pub fn show(&self) -> serde_json::Value {
        let masked = |present: bool| if present { "***" } else { "(unset)" };
        serde_json::json!({
            "listen": self.listen.to_string(),
            "redis": self.redis.as_ref().map(|r| serde_json::json!({
                "url": r.masked_url(),
                "prefix": r.prefix,
                "timeout_ms": r.timeout.as_millis() as u64,
                "session_ttl_secs": r.session_ttl.as_secs(),
                "state_ttl_secs": r.state_ttl.as_secs(),
            })),
            "kafka": self.kafka.as_ref().map(|k| serde_json::json!({
                "brokers": k.brokers,
                "topic_prefix": k.topic_prefix,
                "partitions": k.partitions,
                "replication": k.replication,
                "linger_ms": k.linger_ms,
                "fetch_wait_ms": k.fetch_wait_ms,
                "client": k.client.iter().map(|(name, value)| {
                    let secret = name.contains("password") || name.contains("secret");
                    (name.clone(), serde_json::Value::String(if secret { "***".into() } else { value.clone() }))
                }).collect::<serde_json::Map<_, _>>(),
            })),
            "auth": {
                "tokens": masked(!self.auth.tokens.is_empty()),
                "subjects": self.auth.tokens.values().collect::<std::collections::BTreeSet<_>>(),
                "jwt_secret": masked(self.auth.jwt.is_some()),
                "jwt_audience": self.auth.jwt.as_ref().and_then(|j| j.audience.clone()),
            },
            "allowed_origins": self.allowed_origins,
            "limits": {
                "max_utterance_chars": self.limits.max_utterance_chars,
                "max_frame_bytes": self.limits.max_frame_bytes,
                "utterances_per_second": self.limits.utterances_per_second,
                "utterance_burst": self.limits.utterance_burst,
                "max_sockets_per_client": self.limits.max_sockets_per_client,
                "idle_timeout_secs": self.limits.idle_timeout.as_secs(),
                "max_audio_seconds": self.limits.max_audio_seconds,
                "max_audio_bytes": self.limits.max_audio_bytes,
            },
            "http_agents": self.http_agents,
            "external_domains": self.external_domains,
            "command_deadline_secs": self.command_deadline.as_secs(),
            "max_charge": self.max_charge,
            "confirm": self.confirm.to_string(),
            "time_zone": self.time_zone,
            "stt": self.stt.as_ref().map(|s| serde_json::json!({
                "base_url": s.base_url,
                "api_key": masked(s.api_key.is_some()),
                "model": s.model,
            })),
            "node_name": self.node_name,
            "roles": self.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "cluster_name": self.cluster_name,
            "cluster": self.cluster.as_ref().map(|c| serde_json::json!({
                "listen": c.listen.to_string(),
                "advertise": c.advertise,
                "seeds": c.seeds,
                "cookie": masked(!c.cookie.is_empty()),
                "tls": c.tls.as_ref().map(|t| serde_json::json!({
                    "cert": t.cert.display().to_string(),
                    "key": t.key.display().to_string(),
                    "ca": t.ca.display().to_string(),
                })),
                "heartbeat_ms": c.heartbeat.as_millis() as u64,
                "heartbeat_timeout_ms": c.heartbeat_timeout.as_millis() as u64,
            })),
            "llm": self.llm.as_ref().map(|l| serde_json::json!({
                "base_url": l.masked_base_url(),
                "api_key": masked(l.api_key.is_some()),
                "model": l.model,
                "timeout_ms": l.timeout.as_millis() as u64,
                "retries": l.retries,
                "fallback": l.fallback.as_str(),
                "history_turns": l.history_turns,
            })),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_and_validation() {
        let c = from(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.redis.is_none());
        let c = from(&[
            ("ERRAND_REDIS_URL", "redis://:pw@localhost:6379"),
            ("ERRAND_REDIS_TIMEOUT_MS", "250"),
        ])
        .unwrap();
        assert_eq!(c.redis.unwrap().timeout, Duration::from_millis(250));
        let e = from(&[("ERRAND_REDIS_URL", "http://:secret@x")]).unwrap_err();
        assert!(e.to_string().contains("ERRAND_REDIS_URL"));
        assert!(
            !e.to_string().contains("secret"),
            "secrets never appear in errors"
        );
        assert!(from(&[("ERRAND_LISTEN", "nowhere")]).is_err());
        assert!(
            from(&[
                ("ERRAND_REDIS_URL", "redis://h:1"),
                ("ERRAND_SESSION_TTL_SECS", "0")
            ])
            .is_err()
        );
        let shown = from(&[
            ("ERRAND_REDIS_URL", "redis://:hunter2@h:1"),
            ("ERRAND_AUTH_TOKENS", "tok-secret:alice"),
            ("ERRAND_KAFKA_BROKERS", "k:9092"),
            ("ERRAND_KAFKA_SASL_PASSWORD", "pw-secret"),
        ])
        .unwrap()
        .show()
        .to_string();
        for secret in ["hunter2", "tok-secret", "pw-secret"] {
            assert!(!shown.contains(secret), "{secret} masked in {shown}");
        }
        assert!(shown.contains("alice") && shown.contains("k:9092"));
    }

    #[test]
    fn the_llm_reasoner_is_configured_by_its_base_url() {
        assert!(
            from(&[("ERRAND_LLM_API_KEY", "sk-x")])
                .unwrap()
                .llm
                .is_none()
        );
        let c = from(&[
            ("ERRAND_LLM_BASE_URL", "http://127.0.0.1:9/v1/"),
            ("ERRAND_LLM_API_KEY", "sk-very-secret"),
            ("ERRAND_LLM_MODEL", "small"),
            ("ERRAND_LLM_TIMEOUT_MS", "2500"),
            ("ERRAND_LLM_RETRIES", "1"),
            ("ERRAND_LLM_FALLBACK", "decline"),
            ("ERRAND_LLM_HISTORY", "3"),
        ])
        .unwrap();
        let llm = c.llm.clone().unwrap();
        assert_eq!(llm.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(llm.model, "small");
        assert_eq!(llm.timeout, Duration::from_millis(2500));
        assert_eq!((llm.retries, llm.history_turns), (1, 3));
        assert_eq!(llm.fallback, Fallback::Decline);
        let shown = c.show().to_string();
        assert!(!shown.contains("sk-very-secret"), "{shown}");
        assert!(shown.contains("\"api_key\":\"***\""), "{shown}");
        assert!(!format!("{c:?}").contains("sk-very-secret"));
        for bad in [
            ("ERRAND_LLM_BASE_URL", "api.openai.com"),
            ("ERRAND_LLM_FALLBACK", "guess"),
            ("ERRAND_LLM_TIMEOUT_MS", "0"),
            ("ERRAND_LLM_RETRIES", "lots"),
        ] {
            let mut pairs = vec![("ERRAND_LLM_BASE_URL", "http://h/v1")];
            pairs.push(bad);
            let e = from(&pairs).unwrap_err();
            assert!(e.to_string().contains(bad.0), "{e}");
        }
    }

    #[test]
    fn a_cluster_node_from_a_toml_file_with_the_environment_winning() {
        let dir = std::env::temp_dir().join(format!("errand-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("node.toml");
        std::fs::write(
            &file,
            r#"
node_name = "hands"
roles = ["agents", "tracker"]
[cluster]
listen = "127.0.0.1:7003"
seeds = ["127.0.0.1:7001", "127.0.0.1:7002"]
cookie = "a-long-cookie"
[heartbeat]
ms = 250
timeout_ms = 2000
"#,
        )
        .unwrap();
        let settings = read_file(&file).unwrap();
        let lookup = |overrides: &'static [(&'static str, &'static str)]| {
            let settings = settings.clone();
            move |name: &str| {
                overrides
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
                    .or_else(|| {
                        settings
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| v.clone())
                    })
            }
        };
        let config = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(config.node_name.as_deref(), Some("hands"));
        assert_eq!(
            config.roles,
            [Role::Agents, Role::Tracker].into_iter().collect()
        );
        let cluster = config.cluster.clone().unwrap();
        assert_eq!(cluster.seeds, ["127.0.0.1:7001", "127.0.0.1:7002"]);
        assert_eq!(cluster.heartbeat, Duration::from_millis(250));
        let shown = config.show().to_string();
        assert!(
            !shown.contains("a-long-cookie"),
            "the cookie is masked: {shown}"
        );
        let config = Config::from_lookup(lookup(&[("ERRAND_ROLES", "gateway")])).unwrap();
        assert_eq!(config.roles, [Role::Gateway].into_iter().collect());

        std::fs::write(&file, "rolez = [\"agents\"]\n").unwrap();
        let e = read_file(&file).unwrap_err().to_string();
        assert!(e.contains("rolez") && e.contains("not a setting"), "{e}");
        std::fs::write(&file, "roles = [\"chef\"]\n").unwrap();
        let e = Config::from_lookup(lookup_file(&file))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ERRAND_ROLES") && e.contains("chef"), "{e}");
        std::fs::write(&file, "[cluster]\nlisten = \"127.0.0.1:7001\"\n").unwrap();
        let e = Config::from_lookup(lookup_file(&file))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ERRAND_CLUSTER_COOKIE"),
            "a cluster needs a cookie: {e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    fn lookup_file(file: &std::path::Path) -> impl Fn(&str) -> Option<String> {
        let settings = read_file(file).unwrap();
        move |name| {
            settings
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        }
    }
}
