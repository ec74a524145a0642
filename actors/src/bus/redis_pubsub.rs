//! [`RedisFanout`]: topics fanned out to every subscriber through Redis
//! pub/sub, so a gateway on any node can push a status to the socket it
//! holds, whichever node processed the command.
//!
//! Pub/sub delivers at most once and to every subscriber, whatever its
//! group: it carries only the fan-out topics (`agent.status`,
//! `agent.out.clarify`), whose consumers are every gateway anyway, and whose
//! loss a client recovers from (the state is in Redis:
//! `GET /v1/commands/{trace_id}`). A subscription reconnects by itself when
//! Redis comes back.
//!
//! Records published on this node reach this node's subscribers directly
//! (in process, never lost to a pub/sub reconnect); Redis carries them to
//! the other nodes, each of which skips its own.

use super::{AckToken, Bus, BusError, Delivery, OutRecord, Record, Subscription};
use crate::store::redis::managed;
use async_trait::async_trait;
use errand_schemas::keys::Keys;
use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

pub struct RedisFanout {
    url: String,
    client: redis::Client,
    conn: ConnectionManager,
    keys: Keys,
    timeout: Duration,
    /// Marks this node's messages on the channel.
    origin: String,
    /// This node's own records, for its own subscribers.
    local: broadcast::Sender<(String, Vec<u8>)>,
}

/// Separates the origin from the record on the channel.
const SEPARATOR: u8 = 0x1f;

impl RedisFanout {
    pub async fn connect(url: &str, keys: Keys, timeout: Duration) -> Result<Self, BusError> {
        let unavailable =
            |e: redis::RedisError| BusError::Unavailable(format!("Redis pub/sub: {e}"));
        let client = redis::Client::open(url).map_err(unavailable)?;
        let conn = tokio::time::timeout(timeout * 3, managed(client.clone(), timeout))
            .await
            .map_err(|_| BusError::Unavailable("Redis pub/sub did not answer".into()))?
            .map_err(unavailable)?;
        Ok(Self {
            url: url.to_owned(),
            client,
            conn,
            keys,
            timeout,
            origin: errand_schemas::TraceId::generate().0,
            local: broadcast::channel(crate::bounds::REDIS_LOCAL).0,
        })
    }
}

#[async_trait]
impl Bus for RedisFanout {
    async fn publish(&self, record: OutRecord) -> Result<(), BusError> {
        let channel = self.keys.fanout(&record.topic);
        let mut message = Vec::with_capacity(self.origin.len() + 1 + record.value.len());
        message.extend_from_slice(self.origin.as_bytes());
        message.push(SEPARATOR);
        message.extend_from_slice(&record.value);
        // No local subscriber yet is fine: nobody is listening here.
        let _ = self.local.send((record.topic, record.value));
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("PUBLISH");
        cmd.arg(channel).arg(message);
        let publish = cmd.query_async::<i64>(&mut conn);
        match tokio::time::timeout(self.timeout, publish).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(BusError::Unavailable(format!("Redis publish: {e}"))),
            Err(_) => Err(BusError::Unavailable("Redis publish timed out".into())),
        }
    }

    fn redis_fanout(&self, topic: &str) -> Option<super::RedisChannel> {
        let mut prefix = self.origin.as_bytes().to_vec();
        prefix.push(SEPARATOR);
        Some(super::RedisChannel {
            url: self.url.clone(),
            channel: self.keys.fanout(topic),
            prefix,
        })
    }

    async fn deliver_here(&self, record: OutRecord) -> Result<(), BusError> {
        let _ = self.local.send((record.topic, record.value));
        Ok(())
    }

    async fn subscribe(
        &self,
        _group: &str,
        topics: &[String],
    ) -> Result<Box<dyn Subscription>, BusError> {
        let (tx, rx) = mpsc::channel(crate::bounds::REDIS_RECEIVED);
        let channels: Vec<(String, String)> = topics
            .iter()
            .map(|t| (self.keys.fanout(t), t.clone()))
            .collect();
        let client = self.client.clone();
        let origin = self.origin.clone();
        let local = self.local.subscribe();
        let (subscribed_tx, subscribed) = tokio::sync::oneshot::channel();
        let mut subscribed_tx = Some(subscribed_tx);
        let task = tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            let mut offset = 0u64;
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        let mut ok = true;
                        for (channel, _) in &channels {
                            ok &= pubsub.subscribe(channel).await.is_ok();
                        }
                        if ok {
                            backoff = Duration::from_millis(100);
                            if let Some(tx) = subscribed_tx.take() {
                                let _ = tx.send(());
                            }
                            let mut messages = pubsub.into_on_message();
                            while let Some(message) = messages.next().await {
                                let channel = message.get_channel_name().to_owned();
                                let topic = channels
                                    .iter()
                                    .find(|(c, _)| *c == channel)
                                    .map(|(_, t)| t.clone())
                                    .unwrap_or(channel);
                                let payload = message.get_payload_bytes();
                                let Some(split) = payload.iter().position(|b| *b == SEPARATOR)
                                else {
                                    continue;
                                };
                                if &payload[..split] == origin.as_bytes() {
                                    continue; // delivered in process already
                                }
                                offset += 1;
                                let record = Record {
                                    topic,
                                    partition: 0,
                                    offset,
                                    key: String::new(),
                                    value: payload[split + 1..].to_vec(),
                                    headers: Vec::new(),
                                };
                                let delivery = Delivery {
                                    record,
                                    ack: AckToken::none(),
                                };
                                if tx.send(delivery).await.is_err() {
                                    return;
                                }
                            }
                        }
                        tracing::warn!("Redis pub/sub connection lost; reconnecting");
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot reach Redis pub/sub; retrying"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        });
        // Return once subscribed, so nothing published after this is missed
        // (if Redis is down, the task keeps trying in the background).
        let _ = tokio::time::timeout(self.timeout * 3, subscribed).await;
        Ok(Box::new(FanoutSubscription {
            rx,
            local,
            topics: topics.to_vec(),
            task,
        }))
    }

    async fn ready(&self) -> bool {
        let mut conn = self.conn.clone();
        let cmd = redis::cmd("PING");
        let ping = cmd.query_async::<String>(&mut conn);
        matches!(tokio::time::timeout(self.timeout, ping).await, Ok(Ok(_)))
    }
}

struct FanoutSubscription {
    /// From the other nodes, through Redis.
    rx: mpsc::Receiver<Delivery>,
    /// From this node.
    local: broadcast::Receiver<(String, Vec<u8>)>,
    topics: Vec<String>,
    task: JoinHandle<()>,
}

#[async_trait]
impl Subscription for FanoutSubscription {
    async fn next(&mut self) -> Option<Delivery> {
        loop {
            tokio::select! {
                remote = self.rx.recv() => return remote,
                local = self.local.recv() => match local {
                    Ok((topic, value)) if self.topics.contains(&topic) => {
                        let record = Record {
                            topic,
                            partition: 0,
                            offset: 0,
                            key: String::new(),
                            value,
                            headers: Vec::new(),
                        };
                        return Some(Delivery { record, ack: AckToken::none() });
                    }
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "a slow fan-out subscriber missed events");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}

impl Drop for FanoutSubscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}
