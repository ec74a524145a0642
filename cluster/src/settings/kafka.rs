//! The bus on Kafka (or Redpanda).

use super::values::at_least;
use super::values::number;
use errand_actors::bus::KafkaConfig;
use secrecy::{ExposeSecret, SecretString};

const AT_LEAST_ONE: &str = "expected a whole number of at least 1";

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Kafka")]
pub struct Kafka {
    /// Kafka/Redpanda bootstrap servers, host:port,host:port [default: (unset:
    /// in-memory bus)]
    #[arg(long, env = "ERRAND_KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,
    /// prefix of every topic name [default: (none)]
    #[arg(long, env = "ERRAND_KAFKA_TOPIC_PREFIX")]
    pub kafka_topic_prefix: Option<String>,
    /// partitions of the topics errand creates
    #[arg(long, env = "ERRAND_KAFKA_PARTITIONS", default_value = "4",
        value_parser = at_least(1i32, AT_LEAST_ONE))]
    pub kafka_partitions: i32,
    /// replication factor of the topics errand creates
    #[arg(long, env = "ERRAND_KAFKA_REPLICATION", default_value = "1",
        value_parser = at_least(1i32, AT_LEAST_ONE))]
    pub kafka_replication: i32,
    /// producer linger.ms [default: (0 on a node alone, 1 otherwise)]
    #[arg(long, env = "ERRAND_KAFKA_LINGER_MS",
        value_parser = number::<u32>("expected milliseconds"))]
    pub kafka_linger_ms: Option<u32>,
    /// consumer fetch.wait.max.ms [default: (500 on a node alone, 5
    /// otherwise)]
    #[arg(long, env = "ERRAND_KAFKA_FETCH_WAIT_MS",
        value_parser = number::<u32>("expected milliseconds"))]
    pub kafka_fetch_wait_ms: Option<u32>,
    /// hand records published here to this node's own consumers that own
    /// their partition, without a broker round trip (true or false)
    #[arg(long, env = "ERRAND_KAFKA_HANDOFF", default_value = "true",
        action = clap::ArgAction::Set,
        value_parser = number::<bool>("expected true or false"))]
    pub kafka_handoff: bool,
    /// plaintext, ssl, sasl_plaintext or sasl_ssl [default: plaintext]
    #[arg(long, env = "ERRAND_KAFKA_SECURITY_PROTOCOL")]
    pub kafka_security_protocol: Option<String>,
    /// PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 [default: (none)]
    #[arg(long, env = "ERRAND_KAFKA_SASL_MECHANISM")]
    pub kafka_sasl_mechanism: Option<String>,
    /// SASL user [default: (none)]
    #[arg(long, env = "ERRAND_KAFKA_SASL_USERNAME")]
    pub kafka_sasl_username: Option<String>,
    /// SASL password (never logged) [default: (none)]
    #[arg(long, env = "ERRAND_KAFKA_SASL_PASSWORD")]
    pub kafka_sasl_password: Option<SecretString>,
    /// CA certificate file for TLS to the broker [default: (system roots)]
    #[arg(long, env = "ERRAND_KAFKA_SSL_CA_LOCATION")]
    pub kafka_ssl_ca_location: Option<String>,
    /// librdkafka debug contexts, e.g. cgrp,topic (logged to stderr) [default:
    /// (none)]
    #[arg(long, env = "ERRAND_KAFKA_DEBUG")]
    pub kafka_debug: Option<String>,
}

/// How long a consumer's fetch may wait at the broker for records, and how
/// long the producer lingers to batch them, on a node `alone`.
///
/// A node alone (every role, no cluster, no external agents) waits for no
/// record it did not write itself, and, with the handoff on, those it
/// hands to its own consumers in process: its fetches carry nothing a turn
/// waits for, so they wait long and cost the broker little. A node with peers or external agents
/// waits for their records: a broker that polls for new records while a
/// fetch waits (nisshi does, every half of what is left of the wait) would
/// hold them for up to half the wait, so it waits briefly.
pub fn waits(alone: bool) -> (u32, u32) {
    if alone { (500, 0) } else { (5, 1) }
}

impl Kafka {
    /// The broker, when one is set; `alone` as in [`waits`].
    pub(super) fn config(&self, alone: bool) -> Option<KafkaConfig> {
        let mut kafka = KafkaConfig::new(self.kafka_brokers.clone()?);
        kafka.topic_prefix = self.kafka_topic_prefix.clone().unwrap_or_default();
        kafka.partitions = self.kafka_partitions;
        kafka.replication = self.kafka_replication;
        // Without the handoff a node fetches back its own records too.
        let (fetch_wait_ms, linger_ms) = waits(alone && self.kafka_handoff);
        kafka.linger_ms = self.kafka_linger_ms.unwrap_or(linger_ms);
        kafka.fetch_wait_ms = self.kafka_fetch_wait_ms.unwrap_or(fetch_wait_ms);
        kafka.handoff = self.kafka_handoff;
        let password = self.kafka_sasl_password.as_ref();
        for (setting, value) in [
            ("security.protocol", self.kafka_security_protocol.clone()),
            ("sasl.mechanism", self.kafka_sasl_mechanism.clone()),
            ("sasl.username", self.kafka_sasl_username.clone()),
            (
                "sasl.password",
                password.map(|p| p.expose_secret().to_owned()),
            ),
            ("ssl.ca.location", self.kafka_ssl_ca_location.clone()),
            ("debug", self.kafka_debug.clone()),
        ] {
            if let Some(value) = value {
                kafka.client.push((setting.to_owned(), value));
            }
        }
        Some(kafka)
    }
}
