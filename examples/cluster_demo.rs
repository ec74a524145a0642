//! The cluster demo `scripts/cluster-demo` runs: three `errand node`
//! processes on loopback (an edge node with the gateway, reasoner, router,
//! tracker and error handler; two agents nodes), a dialogue across them,
//! `errand cluster status`, load with one agents node killed under it, the
//! status again, and the counts as the last line.
//!
//! Needs ERRAND_TEST_REDIS_URL and ERRAND_TEST_KAFKA_BROKERS (the script
//! starts both). Arguments: commands (90), commands per second (15).

use errand_harness::cluster::{TestCluster, run_load};
use std::time::{Duration, Instant};

fn status(cluster: &TestCluster) {
    let out = std::process::Command::new(errand_harness::errand_binary())
        .args(["cluster", "status", "--url"])
        .arg(format!("http://{}", cluster.gateway()))
        .output();
    match out {
        Ok(out) => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => eprintln!("errand cluster status: {e}"),
    }
}

/// The command's status once it is one of `wanted` (or what it was after
/// 40 s).
async fn status_of(cluster: &TestCluster, trace: &str, wanted: &[&str]) -> String {
    match cluster
        .await_command(trace, wanted, Duration::from_secs(40))
        .await
    {
        Ok(state) => state["status"].as_str().unwrap_or_default().to_owned(),
        Err(last) => format!("{} (still, after 40 s)", last["status"]),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(90);
    let rate: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(15.0);
    let redis = std::env::var("ERRAND_TEST_REDIS_URL")?;
    let brokers = std::env::var("ERRAND_TEST_KAFKA_BROKERS")?;

    let mut cluster = TestCluster::new(&redis, &brokers);
    // Commands are placed once understood (no confirmation): the demo is
    // about losing a node, not the conversation.
    cluster.env.push(("ERRAND_CONFIRM".into(), "never".into()));
    // Orders and bookings go to a provider that keeps a ledger of every call.
    cluster.use_ledger_provider(errand_harness::ledger::LedgerProvider::start().await);
    cluster.spawn("edge", "gateway,reasoner,router,tracker,errors");
    cluster.spawn("agents-a", "agents");
    cluster.spawn("agents-b", "agents");
    let all = [("edge", "up"), ("agents-a", "up"), ("agents-b", "up")];
    if let Err(last) = cluster.await_nodes(&all, Duration::from_secs(60)).await {
        return Err(format!("the nodes did not meet: {last}\n{}", cluster.logs()).into());
    }
    if !cluster.await_ready(Duration::from_secs(60)).await {
        return Err(format!("the gateway is not ready\n{}", cluster.logs()).into());
    }
    println!("== three nodes (logs in {})", cluster.dir.display());
    status(&cluster);

    println!("== a dialogue: gateway and reasoner on edge, the kitchen on an agents node");
    let trace = cluster
        .say("demo-burger", "order me a burger")
        .await
        .ok_or("the gateway did not acknowledge the order")?;
    let asked = status_of(&cluster, &trace, &["awaiting_clarification", "declined"]).await;
    println!("you: order me a burger   -> {asked}");
    cluster.say("demo-burger", "221B Baker Street").await;
    let done = status_of(&cluster, &trace, &["confirmed", "failed"]).await;
    println!("you: 221B Baker Street   -> {done}");

    println!(
        "== {count} commands at {rate}/s; agents-a is killed (SIGKILL) after {}",
        count / 3
    );
    let started = Instant::now();
    let report = run_load(&cluster, count, rate, Duration::from_secs(90), |k| {
        if k == count / 3 {
            cluster.signal("agents-a", "KILL");
            println!("   killed agents-a after command {k}");
        }
    })
    .await;
    println!("   done in {:.1} s", started.elapsed().as_secs_f64());
    let two = [("edge", "up"), ("agents-b", "up")];
    let _ = cluster.await_nodes(&two, Duration::from_secs(10)).await;
    println!("== the two that remain");
    status(&cluster);
    println!(
        "{}",
        serde_json::json!({
            "acknowledged": report.acknowledged,
            "confirmed": report.confirmed,
            "failed": report.failed,
            "lost": report.lost,
            "doubled": report.doubled,
            "provider_calls_max": report.provider_calls_max,
        })
    );
    Ok(())
}
