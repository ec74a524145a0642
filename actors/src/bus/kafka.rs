//! [`KafkaBus`]: the bus on Kafka or Redpanda (any Kafka-protocol broker),
//! through `rdkafka` with the librdkafka it bundles.
//!
//! Egress: an idempotent producer (`acks=all`) whose records carry the
//! headers `traceparent` (W3C trace context: the publishing span's, see
//! [`crate::spans`], or else the command's root), `content-type` and
//! `errand-schema-version`.
//!
//! Ingress: one consumer per subscription, in the caller's consumer group
//! (prefixed like the topics), with automatic commits off. A record's offset is committed only once it
//! is acknowledged: each partition commits up to its oldest record still in
//! flight (so a gap never skips one), every few milliseconds, and on
//! revocation before the partitions go to another member. When the
//! subscriber stops reading (its window is full), the consumer pauses its
//! partitions until there is room again. Lag per group and topic is
//! sampled every few seconds ([`Bus::lags`]).
//!
//! In-process handoff: a record published here whose partition a
//! subscription of this same bus owns (its group gave it the partition, or
//! it reads every partition) is handed to that subscription at once, while
//! the broker writes it, instead of after the broker's acknowledgement and
//! a fetch: roles on one node pass work to each other without waiting for
//! the broker, and every record is still on its topic for other nodes,
//! external agents, audit and replay. The bus picks the partition itself
//! (the CRC-32 of the key, as librdkafka's default partitioner does), so
//! it knows whose the record is before the broker answers, and marks the
//! record with a header (`errand-handoff`) by which the subscription
//! knows, and skips, the copy it fetches later. A handed record is in
//! flight from its handover to its acknowledgement, and a partition never
//! commits past what its consumer has fetched, so a crash before the chain
//! is done replays it from the topic (handlers are idempotent); the
//! publisher still waits for the broker's acknowledgement, so what it
//! acknowledges in turn is on the topic. `KafkaConfig::handoff` turns the
//! handoff off.

use super::{AckToken, Bus, BusError, Delivery, OutRecord, Record, StartAt, Subscription};
use async_trait::async_trait;
use errand_schemas::topics::headers;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How to reach the broker and shape the topics.
#[derive(Clone, Debug)]
pub struct KafkaConfig {
    /// `host:port,host:port`.
    pub brokers: String,
    /// Put in front of every topic name (none by default).
    pub topic_prefix: String,
    /// Partitions of the topics errand creates.
    pub partitions: i32,
    /// Replication factor of the topics errand creates.
    pub replication: i32,
    /// The producer's `linger.ms`.
    pub linger_ms: u32,
    /// The consumer's `fetch.wait.max.ms`.
    pub fetch_wait_ms: u32,
    /// Hand records published here to this node's own subscriptions that
    /// own their partition (see the module's documentation).
    pub handoff: bool,
    /// Further librdkafka settings (security.protocol, sasl.*, ssl.*), set
    /// on every client.
    pub client: Vec<(String, String)>,
    /// This node, as `client.id`.
    pub client_id: String,
}

impl KafkaConfig {
    pub fn new(brokers: impl Into<String>) -> Self {
        Self {
            brokers: brokers.into(),
            topic_prefix: String::new(),
            partitions: 4,
            replication: 1,
            linger_ms: 1,
            fetch_wait_ms: 5,
            handoff: true,
            client: Vec::new(),
            client_id: "errand".into(),
        }
    }

    fn base(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.client_id)
            .set("socket.nagle.disable", "true");
        for (k, v) in &self.client {
            config.set(k, v);
        }
        config
    }

    fn topic(&self, name: &str) -> String {
        format!("{}{name}", self.topic_prefix)
    }

    fn strip<'a>(&self, name: &'a str) -> &'a str {
        name.strip_prefix(&self.topic_prefix).unwrap_or(name)
    }
}

fn unavailable(e: KafkaError) -> BusError {
    BusError::Unavailable(format!("Kafka: {e}"))
}

/// Consumer lag by (group, topic), sampled.
pub type Lags = Arc<Mutex<BTreeMap<(String, String), i64>>>;

pub struct KafkaBus {
    config: KafkaConfig,
    /// The producer and its generation: replaced when it fails (see
    /// [`KafkaBus::recover`]).
    producer: Mutex<(u64, FutureProducer)>,
    /// The topics [`Bus::prepare`] was asked for: made again if the broker
    /// loses them.
    prepared: Mutex<BTreeSet<String>>,
    /// One recovery at a time.
    recovering: tokio::sync::Mutex<()>,
    /// The producer was replaced since the broker last worked.
    renewed: AtomicBool,
    /// Counts the broker's losses errand recovered from; a subscription
    /// started before the latest ends, so its ingress starts it again
    /// (new consumer, new group membership) under supervision.
    epoch: Arc<AtomicU64>,
    /// Per subscription: has it received its partitions (or learnt it has none)?
    rebalanced: Arc<Mutex<Vec<Arc<AtomicBool>>>>,
    lags: Lags,
    /// This bus's subscriptions, for the in-process handoff.
    locals: Mutex<Vec<Local>>,
    /// Records handed over in process, by topic (full name).
    handed: Handovers,
    /// Partitions per topic (full name), as the broker last said.
    partition_counts: Mutex<HashMap<String, i32>>,
    /// This bus among all that write to the broker: the first half of the
    /// id of each record it hands over, the second a count.
    instance: String,
    handed_ids: AtomicU64,
}

type Handovers = Arc<Mutex<BTreeMap<String, u64>>>;

/// A subscription of this bus, as the handoff sees it.
struct Local {
    /// Its topics' full names.
    topics: Vec<String>,
    /// The partitions it owns now.
    owned: Owned,
    /// To its pump.
    handoff: mpsc::Sender<Handoff>,
}

/// The partitions a subscription owns: (full topic name, partition).
type Owned = Arc<Mutex<BTreeSet<(String, i32)>>>;

/// What the publisher tells a subscription's pump.
enum Handoff {
    /// A record published here, for a subscription that owns its
    /// partition, as the broker writes it.
    Record(Handed),
    /// A record handed over that the broker never wrote: no copy of it
    /// will be fetched.
    Lost { at: (String, i32), id: String },
}

struct Handed {
    record: Record,
    /// Its full topic name and partition.
    at: (String, i32),
    /// Its `errand-handoff` header.
    id: String,
}

impl KafkaBus {
    /// Creates the producer (nothing is sent until the first record).
    pub fn connect(config: KafkaConfig) -> Result<Self, BusError> {
        Ok(Self {
            producer: Mutex::new((0, new_producer(&config)?)),
            config,
            prepared: Mutex::default(),
            recovering: tokio::sync::Mutex::new(()),
            renewed: AtomicBool::new(false),
            epoch: Arc::default(),
            rebalanced: Arc::default(),
            lags: Arc::default(),
            locals: Mutex::default(),
            handed: Arc::default(),
            partition_counts: Mutex::default(),
            instance: errand_schemas::TraceId::generate().0,
            handed_ids: AtomicU64::new(0),
        })
    }

    /// Hands `record`, about to be written to `partition` of `topic` with
    /// the handoff header `id`, to each subscription here that owns that
    /// partition; returns their pumps, to be told if the broker never
    /// writes it. One whose queue is full fetches it from the broker
    /// instead.
    fn hand_over(
        &self,
        record: &OutRecord,
        topic: &str,
        partition: i32,
        id: &str,
    ) -> Vec<mpsc::Sender<Handoff>> {
        let mut locals = lock(&self.locals);
        locals.retain(|l| !l.handoff.is_closed());
        let at = (topic.to_owned(), partition);
        let mut handed = Vec::new();
        for local in locals.iter() {
            if !local.topics.iter().any(|t| t == topic) || !lock(&local.owned).contains(&at) {
                continue;
            }
            let mut headers = record.headers.clone();
            headers.push((headers::HANDOFF.to_owned(), id.to_owned()));
            let record = Handed {
                record: Record {
                    topic: record.topic.clone(),
                    partition: partition as u32,
                    // Not known until the broker answers.
                    offset: 0,
                    key: record.key.clone(),
                    value: record.value.clone(),
                    headers,
                },
                at: at.clone(),
                id: id.to_owned(),
            };
            if local.handoff.try_send(Handoff::Record(record)).is_ok() {
                handed.push(local.handoff.clone());
            }
        }
        handed
    }

    /// The partition this bus writes `key` to in `topic` (a full name):
    /// the CRC-32 of the key modulo the topic's partitions, as librdkafka's
    /// default partitioner picks it. `None` (librdkafka picks, and no
    /// subscription here is handed the record) for an empty key, a
    /// partitioner of one's own, or a topic whose partitions the broker
    /// does not tell.
    async fn partition_for(&self, topic: &str, key: &str) -> Option<i32> {
        if key.is_empty() || self.config.client.iter().any(|(k, _)| k == "partitioner") {
            return None;
        }
        let known = lock(&self.partition_counts).get(topic).copied();
        let count = match known {
            Some(count) => count,
            None => {
                let producer = self.producer();
                let name = topic.to_owned();
                let count = tokio::task::spawn_blocking(move || {
                    let metadata = producer
                        .client()
                        .fetch_metadata(Some(&name), Duration::from_secs(1))
                        .ok()?;
                    let topic = metadata.topics().first()?;
                    let count = topic.partitions().len() as i32;
                    (topic.error().is_none() && count > 0).then_some(count)
                })
                .await
                .ok()
                .flatten()?;
                lock(&self.partition_counts).insert(topic.to_owned(), count);
                count
            }
        };
        Some((crc32(key.as_bytes()) % count as u32) as i32)
    }

    fn producer(&self) -> FutureProducer {
        lock(&self.producer).1.clone()
    }

    /// Puts the bus right after the broker failed: the producer is replaced
    /// when it failed fatally (an idempotent producer the broker no longer
    /// knows, after the broker restarted) or when generation `failed` could
    /// not send (and nobody replaced it since), and prepared topics the
    /// broker lost are created again. Whether the bus is usable now.
    async fn recover(&self, failed: Option<u64>) -> bool {
        let _one = self.recovering.lock().await;
        let (generation, producer) = lock(&self.producer).clone();
        // Topics gone: the broker restarted without them, and does not know
        // the idempotent producer either.
        let lost = self.missing_topics().await.is_some_and(|m| !m.is_empty());
        let why = match producer.client().fatal_error() {
            Some((code, reason)) => Some(format!("it failed fatally ({code:?}: {reason})")),
            None if failed == Some(generation) => Some("it could not send".to_owned()),
            None if lost => Some("the broker lost the topics".to_owned()),
            None => None,
        };
        if let Some(why) = why {
            tracing::warn!(reason = %why, "creating a new Kafka producer");
            lock(&self.partition_counts).clear();
            match new_producer(&self.config) {
                Ok(fresh) => {
                    *lock(&self.producer) = (generation + 1, fresh);
                    self.renewed.store(true, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot create a Kafka producer yet");
                    return false;
                }
            }
        }
        let topics: Vec<String> = lock(&self.prepared).iter().cloned().collect();
        match self.create_missing(&topics).await {
            Ok(()) => {
                if self.renewed.swap(false, Ordering::Relaxed) {
                    let epoch = self.epoch.fetch_add(1, Ordering::Relaxed) + 1;
                    tracing::warn!(epoch, "the broker is back; subscriptions start again");
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "the broker is not usable yet");
                false
            }
        }
    }

    /// Prepared topics the broker does not show; `None` when it cannot be
    /// asked.
    async fn missing_topics(&self) -> Option<Vec<String>> {
        let names: Vec<String> = lock(&self.prepared)
            .iter()
            .map(|t| self.config.topic(t))
            .collect();
        let producer = self.producer();
        tokio::task::spawn_blocking(move || {
            let metadata = producer
                .client()
                .fetch_metadata(None, Duration::from_secs(1))
                .ok()?;
            let seen: std::collections::HashSet<&str> = (metadata.topics().iter())
                .filter(|t| t.error().is_none() && !t.partitions().is_empty())
                .map(|t| t.name())
                .collect();
            Some(
                names
                    .iter()
                    .filter(|n| !seen.contains(n.as_str()))
                    .cloned()
                    .collect(),
            )
        })
        .await
        .ok()
        .flatten()
    }

    /// Creates the `topics` the broker does not have, and waits until its
    /// metadata shows them.
    async fn create_missing(&self, topics: &[String]) -> Result<(), BusError> {
        let admin: AdminClient<DefaultClientContext> =
            self.config.base().create().map_err(unavailable)?;
        let names: Vec<String> = topics.iter().map(|t| self.config.topic(t)).collect();
        // Only the missing ones (listing all topics never auto-creates one).
        let producer = self.producer();
        let existing: std::collections::HashSet<String> = tokio::task::spawn_blocking(move || {
            producer
                .client()
                .fetch_metadata(None, Duration::from_secs(10))
                .map(|m| m.topics().iter().map(|t| t.name().to_owned()).collect())
        })
        .await
        .map_err(|e| BusError::Unavailable(e.to_string()))?
        .map_err(unavailable)?;
        let missing: Vec<&String> = names.iter().filter(|n| !existing.contains(*n)).collect();
        let new: Vec<NewTopic<'_>> = missing
            .iter()
            .map(|n| {
                NewTopic::new(
                    n,
                    self.config.partitions,
                    TopicReplication::Fixed(self.config.replication),
                )
            })
            .collect();
        let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let results = if new.is_empty() {
            Vec::new()
        } else {
            admin
                .create_topics(&new, &options)
                .await
                .map_err(unavailable)?
        };
        for result in results {
            match result {
                Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((topic, code)) => {
                    return Err(BusError::Unavailable(format!(
                        "cannot create topic {topic}: {code}"
                    )));
                }
            }
        }
        // Wait until the broker's metadata shows them: a consumer that
        // subscribes to a topic it does not see yet waits for the next
        // metadata refresh before it joins its group.
        let producer = self.producer();
        tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            for name in &names {
                loop {
                    let seen = producer
                        .client()
                        .fetch_metadata(Some(name), Duration::from_secs(2))
                        .ok()
                        .and_then(|m| {
                            m.topics()
                                .first()
                                .map(|t| t.error().is_none() && !t.partitions().is_empty())
                        })
                        .unwrap_or(false);
                    if seen {
                        break;
                    }
                    if std::time::Instant::now() > deadline {
                        return Err(BusError::Unavailable(format!(
                            "topic {name} did not appear"
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| BusError::Unavailable(e.to_string()))?
    }

    pub fn config(&self) -> &KafkaConfig {
        &self.config
    }
}

fn new_producer(config: &KafkaConfig) -> Result<FutureProducer, BusError> {
    config
        .base()
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", config.linger_ms.to_string())
        .set("message.timeout.ms", "10000")
        .create()
        .map_err(unavailable)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn trace_of(value: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(value).ok()?;
    let data = json.get("data").unwrap_or(&json);
    data.get("trace_id")?.as_str().map(str::to_owned)
}

#[async_trait]
impl Bus for KafkaBus {
    async fn publish(&self, mut record: OutRecord) -> Result<(), BusError> {
        if record.header(headers::TRACEPARENT).is_none()
            && let Some(trace) = trace_of(&record.value)
        {
            record.set_header(headers::TRACEPARENT, crate::spans::of_command(&trace));
        }
        // One copied from a record read before (the retrier's, `errand dlq
        // replay`'s) is not this record's.
        record.headers.retain(|(k, _)| k != headers::HANDOFF);
        let topic = self.config.topic(&record.topic);
        let partition = match self.config.handoff {
            true => self.partition_for(&topic, &record.key).await,
            false => None,
        };
        // Handed over before the broker has it: the subscriptions here work
        // while it writes.
        let mut handed = Vec::new();
        if let Some(partition) = partition {
            let id = format!(
                "{}.{}",
                self.instance,
                self.handed_ids.fetch_add(1, Ordering::Relaxed)
            );
            handed = self.hand_over(&record, &topic, partition, &id);
            if !handed.is_empty() {
                record.set_header(headers::HANDOFF, id);
            }
        }
        let mut kafka_headers = OwnedHeaders::new_with_capacity(record.headers.len());
        for (key, value) in &record.headers {
            kafka_headers = kafka_headers.insert(Header {
                key,
                value: Some(value.as_bytes()),
            });
        }
        let message = || {
            let message = FutureRecord::to(&topic)
                .key(record.key.as_bytes())
                .payload(&record.value)
                .headers(kafka_headers.clone());
            match partition {
                Some(partition) => message.partition(partition),
                None => message,
            }
        };
        let started = std::time::Instant::now();
        let (generation, producer) = lock(&self.producer).clone();
        let mut sent = producer
            .send(message(), Duration::from_secs(10))
            .await
            .map_err(|(e, _)| unavailable(e));
        if let Err(e) = &sent {
            // Once more, with a new producer and the topics made again.
            tracing::warn!(topic = %topic, error = %e, "publish failed");
            if self.recover(Some(generation)).await {
                sent = self
                    .producer()
                    .send(message(), Duration::from_secs(10))
                    .await
                    .map_err(|(e, _)| unavailable(e));
            }
        }
        tracing::trace!(topic = %topic, elapsed_us = started.elapsed().as_micros() as u64, "published");
        if sent.is_err()
            && let Some(id) = record.header(headers::HANDOFF)
        {
            for pump in handed {
                let at = (topic.clone(), partition.unwrap_or_default());
                let id = id.to_owned();
                let _ = pump.try_send(Handoff::Lost { at, id });
            }
        }
        sent.map(drop)
    }

    async fn subscribe(
        &self,
        group: &str,
        topics: &[String],
    ) -> Result<Box<dyn Subscription>, BusError> {
        self.subscribe_from(group, topics, StartAt::Earliest).await
    }

    async fn subscribe_from(
        &self,
        group: &str,
        topics: &[String],
        start: StartAt,
    ) -> Result<Box<dyn Subscription>, BusError> {
        // Groups carry the topic prefix too: deployments sharing a broker
        // under different prefixes never share a group.
        let group = &self.config.topic(group);
        let tracker = Arc::new(Mutex::new(Offsets::default()));
        let rebalanced = Arc::new(AtomicBool::new(false));
        let owned = Owned::default();
        let context = Context {
            tracker: tracker.clone(),
            rebalanced: rebalanced.clone(),
            owned: owned.clone(),
            group: group.to_owned(),
        };
        let consumer: StreamConsumer<Context> = self
            .config
            .base()
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set(
                "auto.offset.reset",
                match start {
                    StartAt::Earliest => "earliest",
                    StartAt::Latest => "latest",
                },
            )
            .set("fetch.wait.max.ms", self.config.fetch_wait_ms.to_string())
            .set("session.timeout.ms", "6000")
            .set("heartbeat.interval.ms", "500")
            .set("queued.max.messages.kbytes", "4096")
            .set("topic.metadata.refresh.interval.ms", "1000")
            // Low latency: no long back-off after an empty or failed fetch.
            .set("fetch.error.backoff.ms", "10")
            .set("fetch.queue.backoff.ms", "10")
            .create_with_context(context)
            .map_err(unavailable)?;
        let names: Vec<String> = topics.iter().map(|t| self.config.topic(t)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        match start {
            StartAt::Earliest => consumer.subscribe(&refs).map_err(unavailable)?,
            StartAt::Latest => {
                // Every partition, from its end as of now: whatever is
                // published once this returns is seen. (These consumers read
                // everything anyway; a group would only add a race between
                // joining and looking up the end.)
                let consumer = Arc::new(consumer);
                let c = consumer.clone();
                let all = names.clone();
                let tpl = tokio::task::spawn_blocking(move || ends(&c, &all))
                    .await
                    .map_err(|e| BusError::Unavailable(e.to_string()))??;
                consumer.assign(&tpl).map_err(unavailable)?;
                lock(&owned).extend(
                    tpl.elements()
                        .iter()
                        .map(|e| (e.topic().to_owned(), e.partition())),
                );
                rebalanced.store(true, Ordering::Relaxed);
                return Ok(self.start_pump(consumer, tracker, rebalanced, group, names));
            }
        }
        Ok(self.start_pump(Arc::new(consumer), tracker, rebalanced, group, names))
    }
    /// Creates the topics that are missing (existing ones are left as they
    /// are), and creates them again whenever the broker loses them.
    async fn prepare(&self, topics: &[String]) -> Result<(), BusError> {
        lock(&self.prepared).extend(topics.iter().cloned());
        self.create_missing(topics).await
    }

    fn handed_over(&self) -> Vec<(String, u64)> {
        lock(&self.handed)
            .iter()
            .map(|(t, n)| (self.config.strip(t).to_owned(), *n))
            .collect()
    }

    fn lags(&self) -> Vec<(String, String, i64)> {
        lock(&self.lags)
            .iter()
            .map(|((g, t), l)| (g.clone(), t.clone(), *l))
            .collect()
    }

    /// Ready once the producer works and reaches the broker, every
    /// prepared topic exists, and every subscription has its partitions.
    /// What is wrong with the producer or the topics is put right on the
    /// way (see [`KafkaBus::recover`]).
    async fn ready(&self) -> bool {
        let fatal = self.producer().client().fatal_error().is_some();
        let Some(missing) = self.missing_topics().await else {
            return false; // the broker cannot be reached
        };
        if (fatal || !missing.is_empty()) && !self.recover(None).await {
            return false;
        }
        lock(&self.rebalanced)
            .iter()
            .all(|r| r.load(Ordering::Relaxed))
    }
}

impl KafkaBus {
    fn start_pump(
        &self,
        consumer: Arc<StreamConsumer<Context>>,
        tracker: Arc<Mutex<Offsets>>,
        rebalanced: Arc<AtomicBool>,
        group: &str,
        topics: Vec<String>,
    ) -> Box<dyn Subscription> {
        {
            let mut flags = lock(&self.rebalanced);
            // Those of ended subscriptions are held by nothing else.
            flags.retain(|r| Arc::strong_count(r) > 1);
            flags.push(rebalanced.clone());
        }
        let born = self.epoch.load(Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(crate::bounds::KAFKA_FETCHED);
        let (handoff, handed) = mpsc::channel(crate::bounds::KAFKA_FETCHED);
        lock(&self.locals).push(Local {
            topics,
            owned: consumer.context().owned.clone(),
            handoff,
        });
        // Acks are bounded by the ingress windows: one per record delivered.
        let (ack_tx, ack_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(pump(
            consumer.clone(),
            tracker,
            tx,
            ack_tx,
            ack_rx,
            (handed, self.handed.clone()),
            self.config.clone(),
            group.to_owned(),
            self.lags.clone(),
            (self.epoch.clone(), born),
        ));
        Box::new(KafkaSubscription {
            rx,
            task,
            consumer,
            rebalanced,
            epoch: (self.epoch.clone(), born),
        })
    }
}

/// Every partition of `topics` at its current end.
fn ends(
    consumer: &StreamConsumer<Context>,
    topics: &[String],
) -> Result<TopicPartitionList, BusError> {
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        let metadata = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .map_err(unavailable)?;
        for t in metadata.topics() {
            for p in t.partitions() {
                let (_, high) = consumer
                    .fetch_watermarks(topic, p.id(), Duration::from_secs(10))
                    .map_err(unavailable)?;
                tpl.add_partition_offset(topic, p.id(), Offset::Offset(high))
                    .map_err(unavailable)?;
            }
        }
    }
    Ok(tpl)
}

/// Offsets in flight per partition: what may be committed.
#[derive(Default)]
struct Offsets {
    partitions: HashMap<(String, i32), PartitionOffsets>,
}

#[derive(Default)]
struct PartitionOffsets {
    /// Delivered, not yet acknowledged.
    in_flight: BTreeSet<i64>,
    /// The highest offset fetched from the broker.
    high: Option<i64>,
    /// Handed over in process, by their `errand-handoff` id, until they
    /// are both fetched and acknowledged.
    handed: HashMap<String, Handover>,
    /// The offset last committed.
    committed: Option<i64>,
}

/// Where a record handed over in process stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Handover {
    /// Its copy not fetched yet (so its offset is not known), and
    /// acknowledged or not.
    Unfetched { acked: bool },
    /// Its copy fetched at this offset, and not acknowledged yet.
    Fetched(i64),
}

impl PartitionOffsets {
    /// The next offset to consume once everything before it is done: never
    /// past what was fetched (a record handed over ahead of the fetch is
    /// past it).
    fn commit_point(&self) -> Option<i64> {
        let fetched = self.high? + 1;
        Some(
            self.in_flight
                .first()
                .map_or(fetched, |o| (*o).min(fetched)),
        )
    }

    /// Takes a record handed over in process: whether it is new.
    fn hand(&mut self, id: &str) -> bool {
        if self.handed.contains_key(id) {
            return false;
        }
        (self.handed).insert(id.to_owned(), Handover::Unfetched { acked: false });
        true
    }

    /// Takes a fetched record, with its `errand-handoff` header if it has
    /// one: whether to deliver it (it was not handed over), now in flight
    /// if so. The copy of a handed record still unacknowledged holds the
    /// commit back from here on.
    fn fetch(&mut self, offset: i64, handoff: Option<&str>) -> bool {
        self.high = Some(self.high.map_or(offset, |h| h.max(offset)));
        if let Some(id) = handoff
            && let Some(handover) = self.handed.get_mut(id)
        {
            match *handover {
                Handover::Unfetched { acked: true } => {
                    self.handed.remove(id);
                }
                Handover::Unfetched { acked: false } => {
                    *handover = Handover::Fetched(offset);
                    self.in_flight.insert(offset);
                }
                Handover::Fetched(_) => {}
            }
            return false;
        }
        self.in_flight.insert(offset);
        true
    }

    /// A handed record is acknowledged.
    fn handed_done(&mut self, id: &str) {
        match self.handed.get(id).copied() {
            Some(Handover::Unfetched { .. }) => {
                (self.handed).insert(id.to_owned(), Handover::Unfetched { acked: true });
            }
            Some(Handover::Fetched(offset)) => {
                self.in_flight.remove(&offset);
                self.handed.remove(id);
            }
            None => {}
        }
    }

    /// A handed record the broker never wrote: no copy will come.
    fn lost(&mut self, id: &str) {
        if matches!(self.handed.get(id), Some(Handover::Unfetched { .. })) {
            self.handed.remove(id);
        }
    }
}

impl Offsets {
    /// The commit points that moved since the last commit.
    fn due(&mut self, only: Option<&TopicPartitionList>) -> TopicPartitionList {
        let mut list = TopicPartitionList::new();
        for ((topic, partition), p) in self.partitions.iter_mut() {
            if let Some(only) = only
                && only.find_partition(topic, *partition).is_none()
            {
                continue;
            }
            if let Some(point) = p.commit_point()
                && p.committed != Some(point)
                && list
                    .add_partition_offset(topic, *partition, Offset::Offset(point))
                    .is_ok()
            {
                p.committed = Some(point);
            }
        }
        list
    }
}

struct Context {
    tracker: Arc<Mutex<Offsets>>,
    rebalanced: Arc<AtomicBool>,
    /// The partitions assigned now.
    owned: Owned,
    group: String,
}

impl ClientContext for Context {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, facility: &str, message: &str) {
        use rdkafka::config::RDKafkaLogLevel as L;
        match level {
            L::Emerg | L::Alert | L::Critical | L::Error => {
                tracing::error!(target: "librdkafka", group = %self.group, facility, "{message}")
            }
            L::Warning => {
                tracing::warn!(target: "librdkafka", group = %self.group, facility, "{message}")
            }
            L::Notice | L::Info => {
                tracing::info!(target: "librdkafka", group = %self.group, facility, "{message}")
            }
            L::Debug => {
                tracing::debug!(target: "librdkafka", group = %self.group, facility, "{message}")
            }
        }
    }
}

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(revoked) = rebalance {
            // Commit what is done before the partitions move; what is still
            // in flight will be delivered again to their next owner.
            let mut tracker = lock(&self.tracker);
            let due = tracker.due(Some(revoked));
            if due.count() > 0
                && let Err(e) = consumer.commit(&due, CommitMode::Sync)
            {
                tracing::warn!(group = %self.group, error = %e, "commit on revocation failed");
            }
            let mut owned = lock(&self.owned);
            for element in revoked.elements() {
                let partition = (element.topic().to_owned(), element.partition());
                owned.remove(&partition);
                tracker.partitions.remove(&partition);
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(assigned) => {
                tracing::info!(group = %self.group, partitions = assigned.count(), "partitions assigned");
                lock(&self.owned).extend(
                    assigned
                        .elements()
                        .iter()
                        .map(|e| (e.topic().to_owned(), e.partition())),
                );
                self.rebalanced.store(true, Ordering::Relaxed);
            }
            Rebalance::Revoke(_) => self.rebalanced.store(false, Ordering::Relaxed),
            Rebalance::Error(e) => {
                tracing::warn!(group = %self.group, error = %e, "rebalance error")
            }
        }
    }
}

/// A delivered record acknowledged: fetched at an offset, or handed over
/// with an id.
enum Acked {
    Fetched((String, i32), i64),
    Handed((String, i32), String),
}

#[allow(clippy::too_many_arguments)]
async fn pump(
    consumer: Arc<StreamConsumer<Context>>,
    tracker: Arc<Mutex<Offsets>>,
    tx: mpsc::Sender<Delivery>,
    ack_tx: mpsc::UnboundedSender<Acked>,
    mut acks: mpsc::UnboundedReceiver<Acked>,
    (mut handed, handovers): (mpsc::Receiver<Handoff>, Handovers),
    config: KafkaConfig,
    group: String,
    lags: Lags,
    (epoch, born): (Arc<AtomicU64>, u64),
) {
    let mut commit_every = tokio::time::interval(Duration::from_millis(20));
    let mut sample_every = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            message = consumer.recv() => {
                let message = match message {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!(group = %group, error = %e, "consume error");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                // Every handover is taken before any fetch: one is queued
                // before its record is written, so a copy fetched now was
                // handed over (if at all) already.
                while let Ok(handoff) = handed.try_recv() {
                    if !take_handoff(&consumer, &tracker, &tx, &ack_tx, handoff, &handovers).await {
                        return;
                    }
                }
                let topic = message.topic().to_owned();
                let (partition, offset) = (message.partition(), message.offset());
                let age_ms = message
                    .timestamp()
                    .to_millis()
                    .map(|created| errand_schemas::now_ms() as i64 - created);
                tracing::trace!(group = %group, topic = %topic, partition, offset, age_ms, "record");
                let record = Record {
                    topic: config.strip(&topic).to_owned(),
                    partition: partition as u32,
                    offset: offset as u64,
                    key: message.key().map(|k| String::from_utf8_lossy(k).into_owned()).unwrap_or_default(),
                    value: message.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                    headers: message
                        .headers()
                        .map(|h| {
                            h.iter()
                                .map(|h| (h.key.to_owned(), h.value.map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default()))
                                .collect()
                        })
                        .unwrap_or_default(),
                };
                drop(message);
                let at = (topic, partition);
                let new = lock(&tracker)
                    .partitions
                    .entry(at.clone())
                    .or_default()
                    .fetch(offset, record.header(headers::HANDOFF));
                if !new {
                    tracing::trace!(group = %group, topic = %at.0, partition, offset, "fetched a record handed over before");
                    continue;
                }
                let acker = ack_tx.clone();
                let ack = AckToken::new(move || {
                    let _ = acker.send(Acked::Fetched(at, offset));
                });
                if !deliver(&consumer, &tx, Delivery { record, ack }).await {
                    return;
                }
            }
            Some(handoff) = handed.recv() => {
                if !take_handoff(&consumer, &tracker, &tx, &ack_tx, handoff, &handovers).await {
                    return;
                }
            }
            acked = acks.recv() => {
                let mut tracker = lock(&tracker);
                match acked {
                    Some(Acked::Fetched(at, offset)) => {
                        if let Some(p) = tracker.partitions.get_mut(&at) {
                            p.in_flight.remove(&offset);
                        }
                    }
                    Some(Acked::Handed(at, id)) => {
                        if let Some(p) = tracker.partitions.get_mut(&at) {
                            p.handed_done(&id);
                        }
                    }
                    None => {}
                }
            }
            _ = commit_every.tick() => {
                if epoch.load(Ordering::Relaxed) != born {
                    // The broker lost its state: its offsets mean nothing now.
                    tracing::warn!(group = %group, "ending a subscription from before the broker's restart");
                    return;
                }
                let due = lock(&tracker).due(None);
                if due.count() > 0
                    && let Err(e) = consumer.commit(&due, CommitMode::Async)
                {
                    tracing::warn!(group = %group, error = %e, "commit failed");
                }
            }
            _ = sample_every.tick() => {
                let consumer = consumer.clone();
                let group = group.clone();
                let lags = lags.clone();
                let config = config.clone();
                tokio::task::spawn_blocking(move || sample_lag(&consumer, &group, &config, &lags));
            }
        }
    }
}

/// Takes what a publisher here handed over: a record is delivered, as a
/// fetched one is (unless its partition has moved since); a lost one is
/// forgotten. `false` once the subscriber is gone.
async fn take_handoff(
    consumer: &StreamConsumer<Context>,
    tracker: &Mutex<Offsets>,
    tx: &mpsc::Sender<Delivery>,
    ack_tx: &mpsc::UnboundedSender<Acked>,
    handoff: Handoff,
    handovers: &Handovers,
) -> bool {
    let h = match handoff {
        Handoff::Record(h) => h,
        Handoff::Lost { at, id } => {
            if let Some(p) = lock(tracker).partitions.get_mut(&at) {
                p.lost(&id);
            }
            return true;
        }
    };
    // Partitions change hands only in this task (while it fetches), so
    // ownership still holds here.
    if !lock(consumer.context().owned.as_ref()).contains(&h.at) {
        return true;
    }
    let new = lock(tracker)
        .partitions
        .entry(h.at.clone())
        .or_default()
        .hand(&h.id);
    if !new {
        return true;
    }
    *lock(handovers).entry(h.at.0.clone()).or_default() += 1;
    let acker = ack_tx.clone();
    let (at, id) = (h.at, h.id);
    let ack = AckToken::new(move || {
        let _ = acker.send(Acked::Handed(at, id));
    });
    deliver(
        consumer,
        tx,
        Delivery {
            record: h.record,
            ack,
        },
    )
    .await
}

/// Gives the subscriber a record now in flight; pauses fetching while its
/// window is full. `false` once it is gone.
async fn deliver(
    consumer: &StreamConsumer<Context>,
    tx: &mpsc::Sender<Delivery>,
    delivery: Delivery,
) -> bool {
    match tx.try_send(delivery) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(delivery)) => {
            // The subscriber's window is full: stop fetching.
            let assignment = consumer.assignment().ok();
            if let Some(a) = &assignment {
                let _ = consumer.pause(a);
            }
            if tx.send(delivery).await.is_err() {
                return false;
            }
            if let Some(a) = &assignment {
                let _ = consumer.resume(a);
            }
            true
        }
    }
}

/// The CRC-32 (IEEE, as zlib and librdkafka compute it) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn sample_lag(consumer: &StreamConsumer<Context>, group: &str, config: &KafkaConfig, lags: &Lags) {
    let Ok(assignment) = consumer.assignment() else {
        return;
    };
    let Ok(committed) = consumer.committed_offsets(assignment, Duration::from_secs(1)) else {
        return;
    };
    let mut by_topic: BTreeMap<String, i64> = BTreeMap::new();
    for element in committed.elements() {
        let Ok((_, high)) =
            consumer.fetch_watermarks(element.topic(), element.partition(), Duration::from_secs(1))
        else {
            continue;
        };
        let done = match element.offset() {
            Offset::Offset(o) => o,
            _ => 0,
        };
        *by_topic
            .entry(config.strip(element.topic()).to_owned())
            .or_default() += (high - done).max(0);
    }
    let mut lags = lock(lags);
    for (topic, lag) in by_topic {
        lags.insert((group.to_owned(), topic), lag);
    }
}

struct KafkaSubscription {
    rx: mpsc::Receiver<Delivery>,
    task: JoinHandle<()>,
    consumer: Arc<StreamConsumer<Context>>,
    rebalanced: Arc<AtomicBool>,
    /// The bus's epoch, and the one this subscription started in.
    epoch: (Arc<AtomicU64>, u64),
}

#[async_trait]
impl Subscription for KafkaSubscription {
    async fn next(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }
}

impl Drop for KafkaSubscription {
    fn drop(&mut self) {
        self.task.abort();
        // Commit what is done before leaving the group (unless the broker
        // lost its state since: the offsets would point into other topics).
        let due = lock(&self.consumer.context().tracker).due(None);
        let (epoch, born) = &self.epoch;
        if due.count() > 0 && epoch.load(Ordering::Relaxed) == *born {
            let _ = self.consumer.commit(&due, CommitMode::Sync);
        }
        self.consumer.unsubscribe();
        self.rebalanced.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_handed_over_is_delivered_once_and_commits_wait_for_its_fetch() {
        let mut p = PartitionOffsets::default();
        assert!(p.fetch(3, None), "fetched from the broker");
        p.in_flight.remove(&3);
        // "a" is handed over, and done, before the broker has written it.
        assert!(p.hand("a"));
        assert!(!p.hand("a"), "one record is handed over once");
        p.handed_done("a");
        assert_eq!(p.commit_point(), Some(4), "never past what was fetched");
        // It was written at 5, after 4 (published elsewhere).
        assert!(p.fetch(4, None));
        assert!(
            !p.fetch(5, Some("a")),
            "the copy of a handed record is skipped"
        );
        assert_eq!(p.commit_point(), Some(4), "4 is in flight");
        p.in_flight.remove(&4);
        assert_eq!(p.commit_point(), Some(6));
        assert!(p.handed.is_empty(), "nothing is kept of it");
        // "b" is fetched (at 6) before it is done: it holds the commit back.
        assert!(p.hand("b"));
        assert!(!p.fetch(6, Some("b")));
        assert_eq!(p.commit_point(), Some(6));
        p.handed_done("b");
        assert_eq!(p.commit_point(), Some(7));
        assert!(p.handed.is_empty());
        // Another node's id is not ours: delivered.
        assert!(p.fetch(7, Some("elsewhere")));
        // "c" never reached the broker: forgotten.
        assert!(p.hand("c"));
        p.lost("c");
        assert!(p.handed.is_empty());
    }

    #[test]
    fn the_partition_is_librdkafkas_default_crc32_of_the_key() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn commits_stop_at_the_oldest_record_in_flight() {
        let mut offsets = Offsets::default();
        let p = offsets.partitions.entry(("t".into(), 0)).or_default();
        p.in_flight.extend([5, 6, 7]);
        p.high = Some(7);
        p.in_flight.remove(&6);
        p.in_flight.remove(&7);
        let due = offsets.due(None);
        assert_eq!(
            due.find_partition("t", 0).unwrap().offset(),
            Offset::Offset(5)
        );
        offsets
            .partitions
            .get_mut(&("t".into(), 0))
            .unwrap()
            .in_flight
            .remove(&5);
        let due = offsets.due(None);
        assert_eq!(
            due.find_partition("t", 0).unwrap().offset(),
            Offset::Offset(8)
        );
        assert_eq!(offsets.due(None).count(), 0, "nothing new to commit");
    }
}
