//! Command latency and throughput of a three-node cluster (gateway, brain
//! and agents on separate `errand node` processes, so every command crosses
//! nodes twice and the broker several times) against one node running
//! every role, both on Redis and a Kafka-protocol broker. Latency is the
//! server's: a command's first step (received) to its confirmation.
//!
//! `cargo bench --bench cluster_latency`; ERRAND_BENCH_COMMANDS (300) and
//! ERRAND_BENCH_RATE (50 per second) change the load;
//! ERRAND_BENCH_REDIS_URL and ERRAND_BENCH_KAFKA_BROKERS use running
//! servers instead of private ones.

use errand_harness::cluster::{LoadReport, TestCluster, run_load};
use errand_harness::kafka::Nisshi;
use errand_harness::redis::RedisServer;
use std::time::Duration;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn measure(
    redis: &str,
    brokers: &str,
    nodes: &[(&str, &str)],
    count: usize,
    rate: f64,
) -> LoadReport {
    let mut cluster = TestCluster::new(redis, brokers);
    // One-turn commands placed once understood: the latency of the
    // pipeline, without a confirmation turn.
    cluster.env.push(("ERRAND_CONFIRM".into(), "never".into()));
    // Orders and bookings go to a provider that keeps a ledger of every call.
    cluster.use_ledger_provider(errand_harness::ledger::LedgerProvider::start().await);
    for (name, roles) in nodes {
        cluster.spawn(name, roles);
    }
    let up: Vec<(&str, &str)> = nodes.iter().map(|(n, _)| (*n, "up")).collect();
    if let Err(status) = cluster.await_nodes(&up, Duration::from_secs(60)).await {
        panic!("nodes did not meet: {status}\n{}", cluster.logs());
    }
    assert!(
        cluster.await_ready(Duration::from_secs(60)).await,
        "{}",
        cluster.logs()
    );
    // Warm up: connections, consumer groups, the first Lua script loads.
    run_load(&cluster, 20, 20.0, Duration::from_secs(60), |_| {}).await;
    run_load(&cluster, count, rate, Duration::from_secs(120), |_| {}).await
}

fn line(label: &str, r: &LoadReport) {
    println!(
        "{label:<34} confirmed {:>4}/{:<4} p50 {:>5} ms  p99 {:>5} ms  {:>6.1} commands/s",
        r.confirmed,
        r.acknowledged,
        r.latency(0.50),
        r.latency(0.99),
        r.throughput()
    );
}

#[tokio::main]
async fn main() {
    let count = env("ERRAND_BENCH_COMMANDS", 300usize);
    let rate = env("ERRAND_BENCH_RATE", 50.0f64);
    let (_redis, redis_url) = match std::env::var("ERRAND_BENCH_REDIS_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let server = RedisServer::start();
            let url = server.url();
            (Some(server), url)
        }
    };
    let (_broker, brokers) = match std::env::var("ERRAND_BENCH_KAFKA_BROKERS") {
        Ok(b) => (None, b),
        Err(_) => {
            let broker = Nisshi::start();
            let brokers = broker.brokers();
            (Some(broker), brokers)
        }
    };
    println!("{count} one-turn commands at {rate}/s, each on a session of its own");
    let one = measure(
        &redis_url,
        &brokers,
        &[("solo", "gateway,reasoner,router,agents,tracker,errors")],
        count,
        rate,
    )
    .await;
    line("one node, every role", &one);
    let three = measure(
        &redis_url,
        &brokers,
        &[
            ("edge", "gateway"),
            ("brain", "reasoner,router,tracker,errors"),
            ("hands", "agents"),
        ],
        count,
        rate,
    )
    .await;
    line("three nodes (gateway|brain|agents)", &three);
}
