//! # errand's actor-level test harness
//!
//! For anyone who writes an agent or changes an actor: start the whole tree
//! (or one actor) with fakes around it, inject records, await events with
//! timeouts (never sleeps), and assert on the lifecycle.
//!
//! ```no_run
//! # async fn demo() {
//! use errand_harness::{TestStack, secs};
//! let stack = TestStack::start().await;
//! let mut person = stack.client("s1");
//! person.say("order me a burger").await.unwrap();
//! let question = person.expect_type("clarify", secs(5)).await;
//! assert_eq!(question["missing"][0], "address");
//! # }
//! ```
//!
//! - [`TestStack`]: the embedded node (in-memory bus and stores, fast
//!   retries, a fast sweeper), with [`TestStack::publish`] to inject records
//!   on any topic, [`TestStack::watch`] to await records on a topic, and
//!   [`TestStack::await_status`] to wait for a command's status.
//! - [`Person`]: an in-process client of the gateway; its events are the JSON
//!   a socket would get.
//! - [`failure_probe`]: a fake retrier, for testing one actor's envelopes.
//! - [`llm_config`]: the LLM reasoner pointed at a fake endpoint.
//! - [`redis`]: real `redis-server`s (shared, private, or a cluster).
//! - [`kafka`]: a real Kafka-protocol broker (`nisshi`).
//! - [`http`]: a plain HTTP client for the gateway's routes.
//! - [`ledger`]: an external food and ride provider that keeps a ledger of
//!   every call, to count side effects where they arrive.

pub mod cluster;
pub mod http;
pub mod kafka;
pub mod ledger;
pub mod redis;

use errand_actors::bus::{Bus, MemoryBus, OutRecord, Record, Subscription};
use errand_actors::envelope::{Envelope, Failure, FailureSink};
use errand_actors::retrier::{RetrierMessage, RetryPolicy};
use errand_cluster::{Node, NodeOptions};
use errand_gateway::local::LocalClient;
use errand_schemas::codec::decode_record;
use errand_schemas::{CommandState, Status, StatusUpdate, TraceId};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub use errand_cluster;
pub use errand_schemas;

/// Logs of the stacks a test starts, to the test's output, filtered by
/// `ERRAND_LOG` (nothing by default).
pub fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = std::env::var("ERRAND_LOG").unwrap_or_else(|_| "off".into());
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .try_init();
    });
}

/// The `errand` binary of this build, built first if needed (so a test
/// never runs a stale one).
pub fn errand_binary() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let mut dir = std::env::current_exe().expect("the test binary's path");
            dir.pop();
            // Tests run from target/<profile>/deps, examples and benches
            // from target/<profile>/examples or deps.
            if dir.ends_with("deps") || dir.ends_with("examples") {
                dir.pop();
            }
            let profile_dir = dir.clone();
            let target_dir = dir
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            let release = profile_dir.ends_with("release");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = std::process::Command::new(cargo);
            build
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "errand-cluster",
                    "--bin",
                    "errand",
                    "--target-dir",
                ])
                .arg(&target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if release {
                build.arg("--release");
            }
            let status = build.status().expect("cargo runs");
            assert!(status.success(), "building the errand binary failed");
            profile_dir.join("errand")
        })
        .clone()
}

/// `n` seconds.
pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Options a test stack starts with: the embedded default, with retries and
/// sweeps fast enough for tests.
pub fn test_options() -> NodeOptions {
    init_logs();
    let mut options = NodeOptions::embedded();
    options.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(20),
        multiplier: 2,
        max_backoff: Duration::from_millis(200),
    };
    options.sweep_every = Duration::from_millis(100);
    options.call_timeout = Duration::from_secs(5);
    options.listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    options
}

/// The LLM reasoner's settings for a fake (or real) endpoint at `base_url`
/// (`http://127.0.0.1:PORT/v1`): short timeouts and fast retries. Set it
/// with `TestStack::start_with(|o| o.llm = Some(llm_config(url)))`.
pub fn llm_config(base_url: &str) -> errand_actors::llm::LlmConfig {
    let mut config = errand_actors::llm::LlmConfig::new(base_url);
    config.model = "fake-model".into();
    config.api_key = Some("test-key".into());
    config.timeout = Duration::from_secs(3);
    config.retries = 2;
    config.backoff = Duration::from_millis(10);
    config
}

/// A running embedded node with handles for tests.
pub struct TestStack {
    pub node: Node,
    pub bus: MemoryBus,
}

impl TestStack {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with `configure` applied to [`test_options`] (register a
    /// domain, swap a provider, shorten a deadline...). The bus is always a
    /// fresh [`MemoryBus`] the harness can inspect.
    pub async fn start_with(configure: impl FnOnce(&mut NodeOptions)) -> Self {
        let bus = MemoryBus::new(4);
        let mut options = test_options();
        options.bus = Arc::new(bus.clone());
        configure(&mut options);
        let node = Node::start(options).await.expect("the node starts");
        Self { node, bus }
    }

    /// A stack whose state lives in the Redis at `url`, under `prefix`
    /// (fan-out through Redis pub/sub too).
    pub async fn start_with_redis(
        url: &str,
        prefix: &str,
        configure: impl FnOnce(&mut NodeOptions),
    ) -> Self {
        let mut config = errand_actors::store::redis::RedisConfig::new(url);
        config.prefix = prefix.to_owned();
        Self::start_with_redis_config(config, configure).await
    }

    /// A stack on the Kafka-protocol broker at `brokers`, its topics named
    /// with `topic_prefix`.
    pub async fn start_with_kafka(
        brokers: &str,
        topic_prefix: &str,
        configure: impl FnOnce(&mut NodeOptions),
    ) -> Self {
        let mut config = errand_actors::bus::KafkaConfig::new(brokers);
        config.topic_prefix = topic_prefix.to_owned();
        if let Ok(debug) = std::env::var("ERRAND_KAFKA_DEBUG") {
            config.client.push(("debug".into(), debug));
        }
        let mut options = test_options();
        config.client_id = options.node_name.clone();
        options.bus =
            Arc::new(errand_actors::bus::KafkaBus::connect(config).expect("a Kafka client"));
        configure(&mut options);
        let stack = Self::start_with_options(options).await;
        stack.await_ready(Duration::from_secs(60)).await;
        stack
    }

    /// Waits until the bus and the store are ready (with Kafka: every
    /// consumer has its partitions), as a load balancer would.
    pub async fn await_ready(&self, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.node.options.bus.ready().await && self.node.recorder.store.ready().await {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "not ready within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Starts with exactly `options` (whatever bus they name; the harness
    /// inspects a fresh [`MemoryBus`] only when the options use it).
    pub async fn start_with_options(options: NodeOptions) -> Self {
        let bus = MemoryBus::new(4);
        let node = Node::start(options).await.expect("the node starts");
        Self { node, bus }
    }

    pub async fn start_with_redis_config(
        config: errand_actors::store::redis::RedisConfig,
        configure: impl FnOnce(&mut NodeOptions),
    ) -> Self {
        let bus = MemoryBus::new(4);
        let mut options = test_options();
        options.bus = Arc::new(bus.clone());
        options.use_redis(config).await.expect("Redis is reachable");
        configure(&mut options);
        let node = Node::start(options).await.expect("the node starts");
        Self { node, bus }
    }

    /// A person talking to the gateway on `session_id`.
    pub fn client(&self, session_id: &str) -> Person {
        Person {
            inner: self
                .node
                .client(session_id)
                .expect("this node runs the gateway role"),
        }
    }

    /// Injects `value` on `topic` under `key`, as any producer would.
    pub async fn publish<T: Serialize>(&self, topic: &str, key: &str, value: &T) {
        self.node
            .options
            .bus
            .publish(OutRecord::json(topic, key, value))
            .await
            .expect("publish");
    }

    /// Injects raw bytes on `topic` (for undecodable records).
    pub async fn publish_raw(&self, topic: &str, key: &str, value: &[u8]) {
        self.node
            .options
            .bus
            .publish(OutRecord {
                topic: topic.into(),
                key: key.into(),
                value: value.to_vec(),
                headers: vec![],
            })
            .await
            .expect("publish");
    }

    /// Watches `topic` from its oldest retained record, in a consumer group
    /// of its own.
    pub async fn watch(&self, topic: &str) -> TopicWatch {
        TopicWatch::on(self.node.options.bus.as_ref(), topic).await
    }

    pub async fn state(&self, trace_id: &TraceId) -> Option<CommandState> {
        self.node
            .recorder
            .store
            .get(trace_id)
            .await
            .expect("state store")
    }

    /// Waits until `trace_id` has `status` (now or in its history); panics
    /// after `timeout` with what it has instead.
    pub async fn await_status(
        &self,
        trace_id: &TraceId,
        status: Status,
        timeout: Duration,
    ) -> CommandState {
        self.await_state(trace_id, timeout, &format!("reach {status}"), |s| {
            s.history.iter().any(|h| h.status == status)
        })
        .await
    }

    /// Waits until `trace_id` has a final status.
    pub async fn await_final(&self, trace_id: &TraceId, timeout: Duration) -> CommandState {
        self.await_state(trace_id, timeout, "end", |s| s.status.is_final())
            .await
    }

    /// Waits until the stored state of `trace_id` satisfies `done`, woken by
    /// each step announced on `agent.status`.
    pub async fn await_state(
        &self,
        trace_id: &TraceId,
        timeout: Duration,
        what: &str,
        done: impl Fn(&CommandState) -> bool,
    ) -> CommandState {
        // Watch first, then look: a step announced in between is not missed.
        let mut watch = self.watch(errand_schemas::topics::AGENT_STATUS).await;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(state) = self.state(trace_id).await
                && done(&state)
            {
                return state;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                panic!(
                    "{trace_id} did not {what} within {timeout:?}; it is {:?}",
                    self.state(trace_id).await.map(|s| s.status)
                );
            }
            // Woken by the next step of this trace, or after a moment in case
            // the announcement went by unseen (pub/sub is at most once).
            let _ = watch
                .next_matching::<StatusUpdate>(left.min(Duration::from_millis(200)), |u| {
                    u.trace_id == *trace_id
                })
                .await;
        }
    }

    /// Where the node's HTTP API listens (a free loopback port).
    pub fn http_addr(&self) -> std::net::SocketAddr {
        self.node
            .http_addr()
            .expect("the gateway's listener is bound (test options listen on 127.0.0.1:0)")
    }

    pub async fn shutdown(self) {
        self.node.shutdown().await;
    }
}

/// Records of one topic, as a consumer group of their own sees them.
pub struct TopicWatch {
    sub: Box<dyn Subscription>,
}

impl TopicWatch {
    /// Watches `topic` of `bus` in a consumer group of its own.
    pub async fn on(bus: &dyn Bus, topic: &str) -> TopicWatch {
        let group = format!("harness-{}", TraceId::generate());
        TopicWatch {
            sub: bus
                .subscribe(&group, &[topic.to_owned()])
                .await
                .expect("subscribe"),
        }
    }

    /// The next record, acknowledged, or `None` after `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Option<Record> {
        let delivery = tokio::time::timeout(timeout, self.sub.next())
            .await
            .ok()??;
        delivery.ack.ack();
        Some(delivery.record)
    }

    /// The next value of type `T` that satisfies `matches`, within `timeout`.
    pub async fn next_matching<T: DeserializeOwned>(
        &mut self,
        timeout: Duration,
        mut matches: impl FnMut(&T) -> bool,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let record = self.next(left).await?;
            if let Ok(value) = decode_record::<T>(&record.value)
                && matches(&value)
            {
                return Some(value);
            }
        }
    }

    /// Every value of type `T` that arrives within `window`.
    pub async fn collect<T: DeserializeOwned>(&mut self, window: Duration) -> Vec<T> {
        let deadline = tokio::time::Instant::now() + window;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let Some(record) = self.next(left).await else {
                return out;
            };
            if let Ok(value) = decode_record::<T>(&record.value) {
                out.push(value);
            }
        }
    }
}

/// A person at a client: what they say, and the events (as JSON) they get.
pub struct Person {
    inner: LocalClient,
}

impl Person {
    pub async fn say(&self, text: &str) -> Result<TraceId, errand_schemas::ErrorBody> {
        self.inner.say(text).await
    }

    /// The next event as the JSON a socket would carry.
    pub async fn next(&mut self, timeout: Duration) -> Option<serde_json::Value> {
        let event = self.inner.next(timeout).await?;
        serde_json::to_value(event).ok()
    }

    /// The next event satisfying `matches`; panics after `timeout`, listing
    /// what arrived instead.
    pub async fn expect(
        &mut self,
        timeout: Duration,
        what: &str,
        mut matches: impl FnMut(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(event) if matches(&event) => return event,
                Some(event) => seen.push(event),
                None => panic!("no {what} within {timeout:?}; got {seen:#?}"),
            }
        }
    }

    /// The next event of `type`.
    pub async fn expect_type(&mut self, kind: &str, timeout: Duration) -> serde_json::Value {
        self.expect(timeout, kind, |e| e["type"] == kind).await
    }

    /// The next `status` event of `trace_id` with `status`.
    pub async fn expect_status(
        &mut self,
        trace_id: &str,
        status: &str,
        timeout: Duration,
    ) -> serde_json::Value {
        self.expect(timeout, &format!("status {status} of {trace_id}"), |e| {
            e["type"] == "status" && e["trace_id"] == trace_id && e["status"] == status
        })
        .await
    }

    /// The final `status` event of `trace_id` (confirmed, failed, declined,
    /// cancelled or answered), within 10 s.
    pub async fn final_status(&mut self, trace_id: &str) -> serde_json::Value {
        self.expect(secs(10), &format!("final status of {trace_id}"), |e| {
            e["type"] == "status"
                && e["trace_id"] == trace_id
                && ["confirmed", "failed", "declined", "cancelled", "answered"]
                    .contains(&e["status"].as_str().unwrap_or(""))
        })
        .await
    }

    /// Waits for the confirmation of `trace_id` and says yes to it; returns
    /// the `confirm` event (its `summary` is what will be placed).
    pub async fn approve(&mut self, trace_id: &str) -> serde_json::Value {
        let confirm = self
            .expect(secs(10), &format!("the confirmation of {trace_id}"), |e| {
                e["type"] == "confirm" && e["trace_id"] == trace_id
            })
            .await;
        self.say("yes").await.expect("a yes is accepted");
        confirm
    }

    /// The next confirmation, whatever its trace.
    pub async fn expect_confirm(&mut self) -> serde_json::Value {
        self.expect_type("confirm", secs(10)).await
    }
}

/// A fake retrier: every failure an envelope reports comes out of the
/// returned channel.
pub async fn failure_probe() -> (FailureSink, mpsc::UnboundedReceiver<Failure>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (actor, _) = Actor::spawn(None, Probe, tx).await.expect("probe starts");
    (FailureSink::of(actor), rx)
}

struct Probe;

impl Actor for Probe {
    type Msg = RetrierMessage;
    type State = mpsc::UnboundedSender<Failure>;
    type Arguments = mpsc::UnboundedSender<Failure>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        tx: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(tx)
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        tx: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let (RetrierMessage::Failed(f) | RetrierMessage::Due(f)) = message;
        let _ = tx.send(f);
        Ok(())
    }
}

/// An envelope around `payload`, as if read from `topic`, reporting to `sink`.
pub fn envelope<T: Serialize>(
    topic: &str,
    key: &str,
    payload: T,
    sink: &FailureSink,
) -> Envelope<T> {
    let record = Record {
        topic: topic.into(),
        partition: 0,
        offset: 0,
        key: key.into(),
        value: errand_schemas::codec::encode_record(&payload),
        headers: vec![],
    };
    Envelope::new(
        payload,
        record,
        errand_actors::bus::AckToken::none(),
        sink.clone(),
        None,
    )
}
