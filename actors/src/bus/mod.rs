//! The bus: topics of keyed records, behind a trait.
//!
//! Semantics every implementation keeps (the in-memory one here, the Kafka
//! bridges in production):
//! - a record is delivered **at least once** to each consumer group that
//!   subscribes to its topic;
//! - records with the same key keep their order (one key, one partition);
//! - a record counts as done only when its consumer acknowledges it
//!   ([`AckToken::ack`]). A group commits the acknowledged prefix of each
//!   partition; what was delivered but not acknowledged is delivered again
//!   to whoever owns the partition next.

#[cfg(feature = "kafka")]
pub mod kafka;
mod memory;
mod redis_pubsub;
mod routed;

#[cfg(feature = "kafka")]
pub use kafka::{KafkaBus, KafkaConfig};
pub use memory::MemoryBus;
pub use redis_pubsub::RedisFanout;
pub use routed::RoutedBus;

use async_trait::async_trait;
use errand_schemas::codec::{self, CONTENT_TYPE, SCHEMA_VERSION};
use errand_schemas::topics::headers;
use serde::Serialize;
use std::fmt;

/// A record read from a topic.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    pub topic: String,
    pub partition: u32,
    pub offset: u64,
    pub key: String,
    pub value: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("topic", &self.topic)
            .field("partition", &self.partition)
            .field("offset", &self.offset)
            .field("key", &self.key)
            .field("len", &self.value.len())
            .finish()
    }
}

impl Record {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The delivery attempt this record is (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.header(headers::ATTEMPT)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1)
    }

    /// The same record, to be published again as attempt `attempt`.
    pub fn to_retry(&self, attempt: u32) -> OutRecord {
        let mut out = OutRecord {
            topic: self.topic.clone(),
            key: self.key.clone(),
            value: self.value.clone(),
            headers: self.headers.clone(),
        };
        out.set_header(headers::ATTEMPT, attempt.to_string());
        out
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A record to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutRecord {
    pub topic: String,
    pub key: String,
    pub value: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl OutRecord {
    /// A topic value in errand's versioned JSON envelope, with the content
    /// type and schema version headers, and the current span's trace
    /// context (`traceparent`, see [`crate::spans`]) when it has one.
    pub fn json<T: Serialize>(topic: impl Into<String>, key: impl Into<String>, value: &T) -> Self {
        let mut headers = vec![
            (headers::CONTENT_TYPE.to_owned(), CONTENT_TYPE.to_owned()),
            (
                headers::SCHEMA_VERSION.to_owned(),
                SCHEMA_VERSION.to_string(),
            ),
        ];
        crate::spans::inject(&mut headers);
        Self {
            topic: topic.into(),
            key: key.into(),
            value: codec::encode_record(value),
            headers,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.headers.push((name.to_owned(), value)),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BusError {
    #[error("the bus is unavailable: {0}")]
    Unavailable(String),
    #[error("the bus is closed")]
    Closed,
    #[error("invalid topic or record: {0}")]
    Invalid(String),
}

/// Where a consumer group with no committed offsets starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StartAt {
    /// The oldest retained record (the roles' groups: nothing is skipped).
    #[default]
    Earliest,
    /// Records published from now on (each gateway's own group).
    Latest,
}

/// Publishes records and opens subscriptions.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Publishes one record; returns once the bus has taken responsibility for it.
    async fn publish(&self, record: OutRecord) -> Result<(), BusError>;

    /// Joins consumer `group` for `topics`. Members of one group share the
    /// partitions; every group sees every record.
    async fn subscribe(
        &self,
        group: &str,
        topics: &[String],
    ) -> Result<Box<dyn Subscription>, BusError>;

    /// As [`Bus::subscribe`], choosing where a new group starts.
    async fn subscribe_from(
        &self,
        group: &str,
        topics: &[String],
        start: StartAt,
    ) -> Result<Box<dyn Subscription>, BusError> {
        let _ = start;
        self.subscribe(group, topics).await
    }

    /// Makes sure `topics` exist (a broker creates the missing ones).
    async fn prepare(&self, topics: &[String]) -> Result<(), BusError> {
        let _ = topics;
        Ok(())
    }

    /// Whether the bus can currently take and deliver records.
    async fn ready(&self) -> bool {
        true
    }

    /// Consumer lag: (group, topic, records not yet committed).
    fn lags(&self) -> Vec<(String, String, i64)> {
        Vec::new()
    }

    /// Records handed to a subscription of this node in process instead
    /// of being fetched back from the broker, by topic, since start.
    fn handed_over(&self) -> Vec<(String, u64)> {
        Vec::new()
    }

    /// Where `topic` fans out through Redis pub/sub, for a Redis store that
    /// can publish a record in the same round trip that writes it (see
    /// [`crate::store::StateStore::apply_announcing`]); `None` when the
    /// bus carries `topic` otherwise.
    fn redis_fanout(&self, topic: &str) -> Option<RedisChannel> {
        let _ = topic;
        None
    }

    /// Delivers `record` to this node's subscribers only: the store already
    /// fanned it out to the other nodes ([`Bus::redis_fanout`]).
    async fn deliver_here(&self, record: OutRecord) -> Result<(), BusError> {
        self.publish(record).await
    }
}

/// A topic's Redis pub/sub channel, and how a message on it is marked as
/// coming from this node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisChannel {
    /// The Redis it is on (the first URL of a cluster's list).
    pub url: String,
    pub channel: String,
    /// Put in front of the record on the channel.
    pub prefix: Vec<u8>,
}

/// One member of a consumer group.
#[async_trait]
pub trait Subscription: Send {
    /// The next record, in partition order; `None` once the bus is closed.
    async fn next(&mut self) -> Option<Delivery>;
}

/// A delivered record and the token that acknowledges it.
pub struct Delivery {
    pub record: Record,
    pub ack: AckToken,
}

/// Acknowledges one delivered record. Dropping it without [`AckToken::ack`]
/// leaves the record uncommitted: it is delivered again after a restart or
/// rebalance.
pub struct AckToken {
    inner: Option<Box<dyn FnOnce() + Send>>,
}

impl AckToken {
    pub fn new(ack: impl FnOnce() + Send + 'static) -> Self {
        Self {
            inner: Some(Box::new(ack)),
        }
    }

    /// A token that acknowledges nothing (records not read from a bus).
    pub fn none() -> Self {
        Self { inner: None }
    }

    /// Marks the record done.
    pub fn ack(mut self) {
        if let Some(ack) = self.inner.take() {
            ack();
        }
    }
}

impl fmt::Debug for AckToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AckToken")
    }
}

/// Kafka's default-like partitioner: a stable hash of the key.
pub fn partition_for(key: &str, partitions: u32) -> u32 {
    // FNV-1a: stable across processes and versions.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.as_bytes() {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % partitions.max(1)
}
