//! `errand dlq list` and `errand dlq replay <id>`: the dead letters on
//! `agent.error`, read by any Kafka client from the topic itself (or, with
//! Redis and no broker, from the dead-letter store).

use errand_actors::bus::{Bus, KafkaBus, KafkaConfig, OutRecord};
use errand_schemas::DeadLetter;
use errand_schemas::codec::{CONTENT_TYPE, SCHEMA_VERSION, decode_record};
use errand_schemas::topics::{AGENT_ERROR, headers};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum DlqError {
    #[error("Kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error(transparent)]
    Bus(#[from] errand_actors::bus::BusError),
    #[error("no dead letter with id {0}")]
    NotFound(String),
    #[error("dead letter {0} held bytes that are not UTF-8; it cannot be replayed faithfully")]
    Lossy(String),
    #[error("reading {0} timed out")]
    Timeout(String),
}

/// Every dead letter on `agent.error`, oldest first.
pub async fn list(config: &KafkaConfig) -> Result<Vec<DeadLetter>, DlqError> {
    let config = config.clone();
    tokio::task::spawn_blocking(move || read_topic(&config))
        .await
        .unwrap_or_else(|e| Err(DlqError::Timeout(e.to_string())))
}

fn read_topic(config: &KafkaConfig) -> Result<Vec<DeadLetter>, DlqError> {
    let topic = format!("{}{AGENT_ERROR}", config.topic_prefix);
    let mut client = ClientConfig::new();
    client
        .set("bootstrap.servers", &config.brokers)
        .set(
            "group.id",
            format!("errand-dlq-{}", errand_schemas::TraceId::generate()),
        )
        .set("enable.auto.commit", "false");
    for (k, v) in &config.client {
        client.set(k, v);
    }
    let consumer: BaseConsumer = client.create()?;
    let metadata = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
    let mut assignment = TopicPartitionList::new();
    let mut remaining = std::collections::HashMap::new();
    for t in metadata.topics() {
        for p in t.partitions() {
            let (low, high) = consumer.fetch_watermarks(&topic, p.id(), Duration::from_secs(10))?;
            if high > low {
                remaining.insert(p.id(), high);
                assignment.add_partition_offset(&topic, p.id(), Offset::Beginning)?;
            }
        }
    }
    let mut letters = Vec::new();
    if remaining.is_empty() {
        return Ok(letters);
    }
    consumer.assign(&assignment)?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !remaining.is_empty() {
        if Instant::now() > deadline {
            return Err(DlqError::Timeout(topic));
        }
        let Some(message) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let message = message?;
        if let Some(payload) = message.payload()
            && let Ok(letter) = decode_record::<DeadLetter>(payload)
        {
            letters.push(letter);
        }
        if remaining
            .get(&message.partition())
            .is_some_and(|high| message.offset() + 1 >= *high)
        {
            remaining.remove(&message.partition());
        }
    }
    letters.sort_by_key(|l| l.at_ms);
    Ok(letters)
}

/// One line per dead letter: id, source topic, key, error, attempts.
pub fn line(letter: &DeadLetter) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}",
        letter.id,
        letter.source_topic,
        letter.key,
        letter.error.replace(['\t', '\n'], " "),
        letter.attempts
    )
}

/// The original record of `letter`, to publish again (as a first attempt).
pub fn original(letter: &DeadLetter) -> Result<OutRecord, DlqError> {
    if letter.payload_lossy {
        return Err(DlqError::Lossy(letter.id.clone()));
    }
    Ok(OutRecord {
        topic: letter.source_topic.clone(),
        key: letter.key.clone(),
        value: letter.payload.clone().into_bytes(),
        headers: vec![
            (headers::CONTENT_TYPE.into(), CONTENT_TYPE.into()),
            (headers::SCHEMA_VERSION.into(), SCHEMA_VERSION.to_string()),
            (headers::ATTEMPT.into(), "1".into()),
        ],
    })
}

/// Re-injects dead letter `id` on its source topic.
pub async fn replay(config: &KafkaConfig, id: &str) -> Result<DeadLetter, DlqError> {
    let letters = list(config).await?;
    let letter = letters
        .into_iter()
        .find(|l| l.id == id)
        .ok_or_else(|| DlqError::NotFound(id.to_owned()))?;
    let bus = KafkaBus::connect(config.clone())?;
    bus.publish(original(&letter)?).await?;
    Ok(letter)
}
