//! End-to-end latency through a Kafka-protocol broker at a fixed rate.
//!
//! Food commands are published on `agent.cmd` at `RATE` per second for
//! `SECONDS`; each one goes router → food agent → `agent.out.food` → state
//! tracker → `agent.status` (three trips through the broker). The latency
//! of a command is from its publish to the arrival of its `confirmed`
//! status at a separate consumer. State is in memory, so this measures the
//! bus.
//!
//! ```sh
//! cargo bench --bench kafka_latency                       # starts its own nisshi
//! ERRAND_BENCH_KAFKA_BROKERS=127.0.0.1:9092 cargo bench --bench kafka_latency
//! ERRAND_BENCH_RATE=500 ERRAND_BENCH_SECONDS=20 cargo bench --bench kafka_latency
//! ```

use errand_actors::bus::{Bus, KafkaBus, KafkaConfig, OutRecord, StartAt};
use errand_cluster::Role;
use errand_harness::TestStack;
use errand_harness::kafka::{Nisshi, unique_topic_prefix};
use errand_schemas::codec::decode_record;
use errand_schemas::topics::{AGENT_CMD, AGENT_STATUS};
use errand_schemas::{
    Action, Command, FoodOrder, ItemRequest, SessionId, Status, StatusUpdate, TraceId,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let rate = env("ERRAND_BENCH_RATE", 1000);
    let seconds = env("ERRAND_BENCH_SECONDS", 10);
    let own;
    let brokers = match std::env::var("ERRAND_BENCH_KAFKA_BROKERS") {
        Ok(b) => b,
        Err(_) => {
            own = Nisshi::start();
            own.brokers()
        }
    };
    let prefix = unique_topic_prefix();
    // The roles a command passes through (no gateway or reasoner: the
    // commands go straight onto agent.cmd).
    let stack = TestStack::start_with_kafka(&brokers, &prefix, |o| {
        o.window = 512;
        o.roles = [Role::Router, Role::Agents, Role::Tracker, Role::Errors].into();
    })
    .await;

    let mut config = KafkaConfig::new(&brokers);
    config.topic_prefix = prefix.clone();
    let client = Arc::new(KafkaBus::connect(config).expect("a Kafka client"));
    let mut statuses = client
        .subscribe_from("bench", &[AGENT_STATUS.to_owned()], StartAt::Latest)
        .await
        .expect("subscribed");
    // Warm the producer up (its id and the topic's metadata) before timing.
    client
        .publish(OutRecord::json("bench.warmup", "warmup", &"warmup"))
        .await
        .expect("the broker takes records");
    let sent: Arc<Mutex<HashMap<TraceId, Instant>>> = Arc::default();
    let total = (rate * seconds) as usize;

    let receiver = {
        let sent = sent.clone();
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(total);
            while latencies.len() < total {
                let Ok(Some(d)) =
                    tokio::time::timeout(Duration::from_secs(30), statuses.next()).await
                else {
                    break;
                };
                d.ack.ack();
                let Ok(update) = decode_record::<StatusUpdate>(&d.record.value) else {
                    continue;
                };
                if update.status == Status::Dispatched
                    && std::env::var("ERRAND_BENCH_TRACE").is_ok()
                    && let Some(at) = sent
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get(&update.trace_id)
                {
                    eprintln!("dispatched after {:?}", at.elapsed());
                }
                if update.status == Status::Confirmed
                    && let Some(at) = sent
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&update.trace_id)
                {
                    if std::env::var("ERRAND_BENCH_TRACE").is_ok() {
                        eprintln!("confirmed after {:?}", at.elapsed());
                    }
                    latencies.push(at.elapsed());
                }
            }
            latencies
        })
    };

    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for i in 0..total {
        tick.tick().await;
        let command = Command {
            trace_id: TraceId::generate(),
            session_id: SessionId(format!("bench-{}", i % 64)),
            user_id: "demo".into(),
            action: Action::OrderFood(FoodOrder {
                items: vec![ItemRequest::new("cheeseburger", 1)],
                restaurant: None,
                cuisine: None,
                address: "home".into(),
                instructions: None,
            }),
            issued_at_ms: 0,
            turn: 1,
            deadline_ms: None,
        };
        sent.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(command.trace_id.clone(), Instant::now());
        let client = client.clone();
        tokio::spawn(async move {
            let record = OutRecord::json(AGENT_CMD, command.session_id.as_str(), &command);
            if let Err(e) = client.publish(record).await {
                eprintln!("publish failed: {e}");
            }
        });
    }
    let offered = started.elapsed();
    let mut latencies = receiver.await.expect("the receiver ends");
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!(
        "{} of {} commands confirmed, offered at {:.0}/s over {:.1} s",
        latencies.len(),
        total,
        total as f64 / offered.as_secs_f64(),
        offered.as_secs_f64()
    );
    println!(
        "end-to-end latency (ms): p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    stack.shutdown().await;
}
