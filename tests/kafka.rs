//! The command lifecycle on real topics: librdkafka's in-process
//! MockCluster for the bus's semantics, and the `nisshi` broker (a separate
//! process) end to end, with plain Kafka clients reading and writing the
//! topics as another service would.

use async_trait::async_trait;
use errand_actors::agents::Services;
use errand_actors::agents::food::{FoodAgent, SimulatedRestaurants};
use errand_actors::bus::{Bus, KafkaBus, KafkaConfig, OutRecord};
use errand_actors::registry::{ActionSpec, DomainAgent, DomainSpec};
use errand_harness::kafka::{shared_brokers, unique_topic_prefix};
use errand_harness::{TestStack, secs};
use errand_schemas::topics::{AGENT_CMD, AGENT_ERROR};
use errand_schemas::{
    Action, AgentResult, Command, CustomAction, DeadLetter, ErrorBody, FoodOrder, ItemRequest,
    ResultBody, SessionId, Status, TraceId,
};
use rdkafka::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

fn food_command(session: &str) -> Command {
    Command {
        trace_id: TraceId::generate(),
        session_id: SessionId(session.into()),
        user_id: "demo".into(),
        action: Action::OrderFood(FoodOrder {
            items: vec![ItemRequest::new("burger", 2)],
            restaurant: None,
            cuisine: None,
            address: "home".into(),
            instructions: None,
        }),
        issued_at_ms: 0,
        turn: 1,
        deadline_ms: None,
    }
}

/// A plain Kafka consumer, as a service in another language would run.
fn plain_consumer(brokers: &str, topics: &[String]) -> StreamConsumer {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("reader-{}", TraceId::generate()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    consumer.subscribe(&refs).unwrap();
    consumer
}

/// A record as a plain consumer reads it.
struct Read {
    topic: String,
    partition: i32,
    key: String,
    value: serde_json::Value,
    headers: HashMap<String, String>,
}

/// Every record until `quiet` passes with none.
async fn drain(consumer: &StreamConsumer, quiet: Duration) -> Vec<Read> {
    let mut out = Vec::new();
    while let Ok(Ok(m)) = tokio::time::timeout(quiet, consumer.recv()).await {
        let headers = m
            .headers()
            .map(|h| {
                h.iter()
                    .map(|h| {
                        (
                            h.key.to_owned(),
                            String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Read {
            topic: m.topic().to_owned(),
            partition: m.partition(),
            key: String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned(),
            value: serde_json::from_slice(m.payload().unwrap_or_default()).unwrap_or_default(),
            headers,
        });
    }
    out
}

#[tokio::test]
async fn the_bus_on_a_mock_cluster_keeps_order_and_redelivers_what_was_not_acknowledged() {
    let mock = rdkafka::mocking::MockCluster::new(1).unwrap();
    mock.create_topic("t", 2, 1).unwrap();
    let bus = KafkaBus::connect(KafkaConfig::new(mock.bootstrap_servers())).unwrap();
    let topics = vec!["t".to_owned()];
    let mut sub = bus.subscribe("g", &topics).await.unwrap();
    for i in 0..12 {
        let record = OutRecord {
            topic: "t".into(),
            key: format!("k{}", i % 3),
            value: i.to_string().into_bytes(),
            headers: vec![],
        };
        bus.publish(record).await.unwrap();
    }
    let mut seen: HashMap<String, Vec<u32>> = HashMap::new();
    let mut held = None;
    for _ in 0..12 {
        // The mock's consumer joins slowly on a loaded machine.
        let d = tokio::time::timeout(secs(60), sub.next())
            .await
            .expect("a record")
            .expect("open");
        let v: u32 = String::from_utf8(d.record.value.clone())
            .unwrap()
            .parse()
            .unwrap();
        seen.entry(d.record.key.clone()).or_default().push(v);
        if v == 4 {
            held = Some(d); // delivered, never acknowledged
        } else {
            d.ack.ack();
        }
    }
    for values in seen.values() {
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "per-key order: {values:?}"
        );
    }
    let held = held.unwrap();
    let held_key = held.record.key.clone();
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await; // let the last commit go out
    drop(sub);
    let mut again = bus.subscribe("g", &topics).await.unwrap();
    let first = tokio::time::timeout(secs(30), again.next())
        .await
        .expect("redelivery")
        .expect("open");
    assert_eq!(
        first.record.value, b"4",
        "the unacknowledged record comes again"
    );
    assert_eq!(first.record.key, held_key);
}

#[tokio::test]
async fn the_burger_dialogue_on_a_real_broker_leaves_readable_records_with_trace_headers() {
    let brokers = shared_brokers();
    let prefix = unique_topic_prefix();
    let stack = TestStack::start_with_kafka(&brokers, &prefix, |_| {}).await;
    let mut person = stack.client("kafka-burger");
    let trace = person.say("order me a burger").await.unwrap();
    let q = person.expect_type("clarify", secs(20)).await;
    assert_eq!(q["missing"][0], "address");
    person.say("221B Baker Street").await.unwrap();
    person.approve(trace.as_str()).await;
    let done = person
        .expect_status(trace.as_str(), "confirmed", secs(20))
        .await;
    assert!(done["result"]["order_id"].is_string());

    let topics: Vec<String> = ["transcript", "agent.cmd", "agent.out.food", "agent.status"]
        .iter()
        .map(|t| format!("{prefix}{t}"))
        .collect();
    let reader = plain_consumer(&brokers, &topics);
    let records = drain(&reader, secs(5)).await;
    let hex = trace.as_str().replace('-', "");
    let mut partitions = Vec::new();
    for topic in &topics {
        let mine: Vec<_> = records
            .iter()
            .filter(|r| &r.topic == topic && r.value["data"]["trace_id"] == trace.as_str())
            .collect();
        assert!(!mine.is_empty(), "a record of the dialogue on {topic}");
        partitions.push((topic, mine[0].partition));
        for Read {
            partition: at,
            key,
            value,
            headers,
            ..
        } in &mine
        {
            assert_eq!(key, "kafka-burger", "keyed by session");
            assert_eq!(*at, mine[0].partition, "one session, one partition");
            // Each was handed to this node's roles as it was written.
            assert!(
                headers.contains_key("errand-handoff"),
                "{topic}: {headers:?}"
            );
            assert_eq!(value["v"], 1, "versioned envelope");
            let parent = headers.get("traceparent").expect("traceparent header");
            assert!(parent.starts_with(&format!("00-{hex}-")), "{parent}");
            assert_eq!(
                headers.get("content-type").map(String::as_str),
                Some("application/json")
            );
            assert_eq!(
                headers.get("errand-schema-version").map(String::as_str),
                Some("1")
            );
        }
    }
    // The roles of this one node handed every record above to each
    // other in process, as it was written.
    let handed: std::collections::BTreeMap<String, u64> =
        stack.node.options.bus.handed_over().into_iter().collect();
    for topic in &topics {
        assert!(
            handed.get(topic.strip_prefix(&prefix).unwrap()) > Some(&0),
            "records of {topic} handed over in process: {handed:?}"
        );
    }
    // Consumer lag is sampled and exported (GET /metrics renders it).
    let deadline = tokio::time::Instant::now() + secs(15);
    let reasoner = format!("{prefix}errand-reasoner");
    loop {
        let lags = stack.node.options.bus.lags();
        if let Some((_, _, lag)) = lags
            .iter()
            .find(|(g, t, _)| *g == reasoner && t == "transcript")
        {
            assert_eq!(*lag, 0, "everything the reasoner read is committed");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no lag sample: {lags:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stack.shutdown().await;
    // errand picks a record's partition itself (to hand it over before the
    // broker answers), as a plain producer with librdkafka's default
    // partitioner does.
    let plain: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .unwrap();
    for (topic, errands) in partitions {
        let delivered = plain
            .send(
                FutureRecord::to(topic).key("kafka-burger").payload("{}"),
                secs(10),
            )
            .await
            .unwrap();
        assert_eq!(
            delivered.partition, errands,
            "the session's partition of {topic}"
        );
    }
}

#[tokio::test]
async fn the_same_command_twice_on_agent_cmd_places_one_order() {
    let prefix = unique_topic_prefix();
    let restaurants = Arc::new(SimulatedRestaurants::default());
    let provider = restaurants.clone();
    let stack = TestStack::start_with_kafka(&shared_brokers(), &prefix, move |o| {
        o.registry.register(FoodAgent::with_provider(provider));
    })
    .await;
    let command = food_command("twice");
    // Another producer delivers it twice, byte for byte.
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", shared_brokers())
        .create()
        .unwrap();
    let value = errand_schemas::codec::encode_record(&command);
    for _ in 0..2 {
        producer
            .send(
                FutureRecord::to(&format!("{prefix}agent.cmd"))
                    .key("twice")
                    .payload(&value),
                secs(5),
            )
            .await
            .unwrap();
    }
    let mut outputs = stack.watch("agent.out.food").await;
    let a: AgentResult = outputs
        .next_matching(secs(20), |r: &AgentResult| r.trace_id == command.trace_id)
        .await
        .unwrap();
    let b: AgentResult = outputs
        .next_matching(secs(20), |r: &AgentResult| r.trace_id == command.trace_id)
        .await
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(restaurants.calls(), 1, "the kitchen was asked once");
    assert_eq!(restaurants.placed_count(), 1, "exactly one order");
    let state = stack.await_final(&command.trace_id, secs(10)).await;
    assert_eq!(state.status, Status::Confirmed);
    stack.shutdown().await;
}

/// Always fails: panics on every command.
struct AlwaysFails;

#[async_trait]
impl DomainAgent for AlwaysFails {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "broken".into(),
            description: "always fails".into(),
            actions: vec![ActionSpec {
                name: "break".into(),
                description: String::new(),
                slots: vec![],
            }],
            ..DomainSpec::default()
        }
    }

    async fn execute(&self, _: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        panic!("this agent always fails")
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        String::new()
    }
}

use errand_harness::errand_binary;

#[tokio::test]
async fn a_record_that_always_fails_is_dead_lettered_listed_and_replayed() {
    let brokers = shared_brokers();
    let prefix = unique_topic_prefix();
    let stack = TestStack::start_with_kafka(&brokers, &prefix, |o| {
        o.registry.register(AlwaysFails);
    })
    .await;
    let command = Command {
        action: Action::Custom(CustomAction {
            domain: "broken".into(),
            name: "break".into(),
            slots: Default::default(),
        }),
        ..food_command("doomed")
    };
    let mut letters = stack.watch(AGENT_ERROR).await;
    stack.publish(AGENT_CMD, "doomed", &command).await;
    let letter: DeadLetter = letters
        .next_matching(secs(30), |l: &DeadLetter| {
            l.trace_id.as_ref() == Some(&command.trace_id)
        })
        .await
        .expect("a dead letter");
    assert_eq!(letter.attempts, 3, "after the configured attempts");
    assert_eq!(letter.source_topic, AGENT_CMD);
    assert_eq!(letter.key, "doomed", "under the original key");
    assert!(!letter.node.is_empty());
    let state = stack
        .await_status(&command.trace_id, Status::Failed, secs(10))
        .await;
    assert!(state.error.is_some());

    let env = [
        ("ERRAND_KAFKA_BROKERS", brokers.as_str()),
        ("ERRAND_KAFKA_TOPIC_PREFIX", prefix.as_str()),
    ];
    let list = std::process::Command::new(errand_binary())
        .args(["dlq", "list"])
        .envs(env)
        .output()
        .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let text = String::from_utf8(list.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&letter.id))
        .unwrap_or_else(|| panic!("listed: {text}"));
    for part in ["agent.cmd", "doomed", "3", "stopped while handling"] {
        assert!(line.contains(part), "{part} in {line}");
    }

    let mut commands = stack.watch(AGENT_CMD).await;
    let replay = std::process::Command::new(errand_binary())
        .args(["dlq", "replay", &letter.id])
        .envs(env)
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let again: Command = commands
        .next_matching(secs(20), |c: &Command| c.trace_id == command.trace_id)
        .await
        .expect("re-injected on agent.cmd");
    assert_eq!(again, command);
    stack.shutdown().await;
}

#[tokio::test]
async fn an_external_service_serves_a_domain_over_the_topics() {
    let brokers = shared_brokers();
    let prefix = unique_topic_prefix();
    let stack = TestStack::start_with_kafka(&brokers, &prefix, |o| {
        o.registry.register_external(DomainSpec {
            name: "pharmacy".into(),
            description: "external".into(),
            ..DomainSpec::default()
        });
    })
    .await;
    // The external service: a plain Kafka consumer and producer, speaking
    // the documented JSON contract.
    let service = tokio::spawn({
        let brokers = brokers.clone();
        let prefix = prefix.clone();
        async move {
            let consumer = plain_consumer(&brokers, &[format!("{prefix}agent.cmd")]);
            let producer: FutureProducer = ClientConfig::new()
                .set("bootstrap.servers", &brokers)
                .create()
                .unwrap();
            loop {
                let message = consumer.recv().await.unwrap();
                let record: serde_json::Value =
                    serde_json::from_slice(message.payload().unwrap()).unwrap();
                let command = &record["data"];
                if command["domain"] != "pharmacy" {
                    continue;
                }
                let result = serde_json::json!({"v": 1, "data": {
                    "trace_id": command["trace_id"], "session_id": command["session_id"], "user_id": command["user_id"],
                    "domain": "pharmacy", "outcome": "confirmed",
                    "result": {"order_id": "RX-1", "medicine": command["slots"]["medicine"], "eta_minutes": 20},
                    "reply": "Your medicine is on its way.", "at_ms": 1
                }});
                let key = command["session_id"].as_str().unwrap().to_owned();
                producer
                    .send(
                        FutureRecord::to(&format!("{prefix}agent.out.pharmacy"))
                            .key(&key)
                            .payload(&result.to_string()),
                        secs(5),
                    )
                    .await
                    .unwrap();
                return;
            }
        }
    });
    let command = Command {
        action: Action::Custom(CustomAction {
            domain: "pharmacy".into(),
            name: "order_medicine".into(),
            slots: [(
                "medicine".to_owned(),
                errand_schemas::SlotValue::Text("ibuprofen".into()),
            )]
            .into(),
        }),
        ..food_command("external")
    };
    let mut person = stack.client("external");
    stack.publish(AGENT_CMD, "external", &command).await;
    let done = person
        .expect_status(command.trace_id.as_str(), "confirmed", secs(30))
        .await;
    assert_eq!(done["domain"], "pharmacy");
    assert_eq!(done["result"]["medicine"], "ibuprofen");
    let reply = person.expect_type("reply", secs(5)).await;
    assert_eq!(reply["text"], "Your medicine is on its way.");
    service.await.unwrap();
    let history: Vec<Status> = stack
        .state(&command.trace_id)
        .await
        .unwrap()
        .history
        .iter()
        .map(|h| h.status)
        .collect();
    assert_eq!(history, [Status::Dispatched, Status::Confirmed]);
    stack.shutdown().await;
}

/// `errand up` as a separate process, on Kafka and Redis.
struct NodeProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl NodeProcess {
    fn start(env: &[(&str, String)], port: u16) -> Self {
        let child = std::process::Command::new(errand_binary())
            .arg("up")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("ERRAND_LISTEN", format!("127.0.0.1:{port}"))
            .env("ERRAND_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Self {
            child,
            addr: ([127, 0, 0, 1], port).into(),
        }
    }

    async fn await_ready(&self) {
        let deadline = tokio::time::Instant::now() + secs(60);
        loop {
            if http_status(self.addr, "/readyz").await == Some(200) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "errand up was not ready within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL: no goodbye, no final commit
        let _ = self.child.wait();
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn http_status(addr: std::net::SocketAddr, path: &str) -> Option<u16> {
    errand_harness::http::request(addr, "GET", path, &[], "")
        .await
        .map(|r| r.status)
}

/// Says `text` on a fresh session over a real WebSocket; the trace id of its ack.
async fn say_over_socket(addr: std::net::SocketAddr, session: &str, text: &str) -> Option<TraceId> {
    use futures_util::{SinkExt, StreamExt};
    let url = format!("ws://{addr}/v1/ws/text?session={session}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.ok()?;
    ws.send(tokio_tungstenite::tungstenite::Message::text(text))
        .await
        .ok()?;
    let deadline = tokio::time::Instant::now() + secs(10);
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let tokio_tungstenite::tungstenite::Message::Text(t) = frame {
            let event: serde_json::Value = serde_json::from_str(&t).ok()?;
            if event["type"] == "ack" {
                return event["trace_id"].as_str().map(|t| TraceId(t.to_owned()));
            }
        }
    }
    None
}

#[tokio::test]
async fn a_node_killed_mid_stream_resumes_without_losing_or_doubling_an_order() {
    use errand_actors::store::StateStore;
    let brokers = shared_brokers();
    let topic_prefix = unique_topic_prefix();
    let redis_prefix = errand_harness::redis::unique_prefix();
    // Bookings counted where they arrive: at a provider outside errand.
    let provider = errand_harness::ledger::LedgerProvider::start().await;
    let env = [
        ("ERRAND_HTTP_AGENTS", provider.agents_setting()),
        ("ERRAND_KAFKA_BROKERS", brokers.clone()),
        ("ERRAND_KAFKA_TOPIC_PREFIX", topic_prefix.clone()),
        ("ERRAND_REDIS_URL", errand_harness::redis::shared_url()),
        ("ERRAND_REDIS_PREFIX", redis_prefix.clone()),
        // Patient under a loaded machine: this test is about loss, not speed.
        ("ERRAND_COMMAND_DEADLINE_SECS", "120".to_owned()),
        // One utterance per person, placed as soon as it is understood:
        // the point is the pipeline under a kill, not the conversation.
        ("ERRAND_CONFIRM", "never".to_owned()),
    ];
    let mut node = NodeProcess::start(&env, errand_harness::redis::free_port());
    node.await_ready().await;

    // Forty people at once; the node dies (SIGKILL) after the 12th ack,
    // with the others in every stage of the pipeline.
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..40 {
        let (addr, acks) = (node.addr, acks.clone());
        tokio::spawn(async move {
            let trace = say_over_socket(
                addr,
                &format!("crash-{i}"),
                "book a cab from home to the airport",
            )
            .await;
            let _ = acks.send(trace);
        });
    }
    drop(acks);
    let mut acknowledged = Vec::new();
    while let Some(ack) = acked.recv().await {
        if let Some(trace) = ack {
            acknowledged.push(trace);
            if acknowledged.len() == 12 {
                node.kill();
            }
        }
    }
    assert!(
        acknowledged.len() >= 12,
        "{} acknowledged",
        acknowledged.len()
    );

    // It comes back and picks up from the committed offsets.
    let node = NodeProcess::start(&env, errand_harness::redis::free_port());
    node.await_ready().await;
    let mut config =
        errand_actors::store::redis::RedisConfig::new(errand_harness::redis::shared_url());
    config.prefix = redis_prefix;
    let store = errand_actors::store::redis::RedisStore::connect(config)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + secs(60);
    for trace in &acknowledged {
        loop {
            let state = store.get(trace).await.unwrap();
            if let Some(state) = state.filter(|s| s.status.is_final()) {
                assert_eq!(
                    state.status,
                    Status::Confirmed,
                    "{trace} was lost: {state:?}"
                );
                let confirmations = state
                    .history
                    .iter()
                    .filter(|h| h.status == Status::Confirmed)
                    .count();
                assert_eq!(confirmations, 1);
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{trace} never ended after the restart"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // The provider placed every acknowledged booking once, whatever was
    // called again after the kill.
    let ledger = provider.ledger();
    for trace in &acknowledged {
        assert_eq!(
            ledger.placed.get(trace.as_str()),
            Some(&1),
            "{trace} booked once: {ledger:?}"
        );
    }
    drop(node);
}

#[tokio::test]
async fn the_cab_dialogue_on_a_mock_cluster() {
    let mock = rdkafka::mocking::MockCluster::new(1).unwrap();
    for topic in [
        "transcript",
        "agent.cmd",
        "agent.out.clarify",
        "agent.status",
        "agent.error",
        "agent.out.food",
        "agent.out.ride",
        "agent.out.mart",
    ] {
        mock.create_topic(topic, 2, 1).unwrap();
    }
    let stack = TestStack::start_with_kafka(&mock.bootstrap_servers(), "", |_| {}).await;
    let mut person = stack.client("mock-cab");
    let trace = person
        .say("book a cab from home to the airport")
        .await
        .unwrap();
    person.approve(trace.as_str()).await;
    let done = person
        .expect_status(trace.as_str(), "confirmed", secs(30))
        .await;
    assert!(done["result"]["booking_id"].is_string());
    stack.shutdown().await;
}

/// The broker killed and started again (empty: this nisshi keeps topics in
/// memory) while errand runs: errand says it is not ready, then, without a
/// restart, recreates its topics and producer, rejoins its groups, says it
/// is ready and takes orders again.
#[tokio::test]
async fn a_broker_restart_is_survived_without_restarting_errand() {
    use errand_harness::http::{await_ready, get};
    let mut broker = errand_harness::kafka::Nisshi::start();
    let stack =
        TestStack::start_with_kafka(&broker.brokers(), &unique_topic_prefix(), |_| {}).await;
    let addr = stack.http_addr();
    let mut person = stack.client("s-before");
    let trace = person.say("order me a burger").await.unwrap();
    person.expect_type("clarify", secs(10)).await;

    broker.stop();
    let deadline = std::time::Instant::now() + secs(15);
    while get(addr, "/readyz").await.status != 503 {
        assert!(
            std::time::Instant::now() < deadline,
            "/readyz said ready with the broker down"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    broker.start_again();
    assert!(
        await_ready(addr, secs(60)).await,
        "/readyz never said ready again: {}",
        get(addr, "/readyz").await.body
    );

    // The open dialogue goes on, and a new one is ordered.
    let same = person.say("221B Baker Street").await.unwrap();
    assert_eq!(same, trace);
    person.approve(trace.as_str()).await;
    person
        .expect_status(trace.as_str(), "confirmed", secs(30))
        .await;
    let mut after = stack.client("s-after");
    let new = after
        .say("order me 2 cheeseburgers to 221B Baker Street")
        .await
        .unwrap();
    after.approve(new.as_str()).await;
    after
        .expect_status(new.as_str(), "confirmed", secs(30))
        .await;
    stack.shutdown().await;
}
