//! Redis round trips per command.
//!
//! Runs whole dialogues through an embedded node whose state lives in a
//! real Redis and counts the round trips errand makes (each call, script or
//! pipeline is one) and the commands Redis executed (`INFO commandstats`).
//!
//! ```sh
//! redis-server --port 6390 --save '' --daemonize yes
//! ERRAND_BENCH_REDIS_URL=redis://127.0.0.1:6390 cargo bench --bench redis_round_trips
//! ```
//!
//! Without `ERRAND_BENCH_REDIS_URL` it starts a `redis-server` of its own.

use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_harness::redis::{RedisServer, redis_cli, unique_prefix};
use errand_harness::{TestStack, secs, test_options};
use std::time::Instant;

const DIALOGUES: usize = 200;

/// How many PUBLISH commands Redis has run (the status fan-out).
fn publishes(port: u16) -> u64 {
    redis_cli(port, &["info", "commandstats"])
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_publish:calls="))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let own;
    let url = match std::env::var("ERRAND_BENCH_REDIS_URL") {
        Ok(url) => url,
        Err(_) => {
            own = RedisServer::start_with(&["--appendonly", "no"]);
            own.url()
        }
    };
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL");
    let mut config = RedisConfig::new(&url);
    config.prefix = unique_prefix();
    let store = RedisStore::connect(config.clone())
        .await
        .expect("Redis is reachable");
    let mut options = test_options();
    options
        .use_redis_store(store.clone(), config)
        .await
        .expect("Redis is reachable");
    let stack = TestStack::start_with_options(options).await;

    for (name, turns) in [
        (
            "burger dialogue (3 turns: ask for the address, confirm, order)",
            vec!["order me a burger", "221B Baker Street", "yes"],
        ),
        (
            "cab in one utterance, then yes",
            vec!["book a cab from home to the airport", "yes"],
        ),
        (
            "declined (out of scope)",
            vec!["what's the weather tomorrow"],
        ),
    ] {
        let trips_before = store.round_trips();
        let publishes_before = publishes(port);
        let started = Instant::now();
        for i in 0..DIALOGUES {
            let mut person = stack.client(&format!("bench-{name}-{i}"));
            let mut trace = None;
            for (n, text) in turns.iter().enumerate() {
                trace = Some(person.say(text).await.expect("accepted"));
                if n + 1 < turns.len() {
                    // Answer once asked (a question or the confirmation),
                    // as a person does.
                    person
                        .expect(secs(10), "a question", |e| {
                            e["type"] == "clarify" || e["type"] == "confirm"
                        })
                        .await;
                }
            }
            let trace = trace.expect("a trace");
            // The final status as the person sees it (no extra reads).
            person
                .expect(secs(10), "a final status", |e| {
                    e["type"] == "status"
                        && e["trace_id"] == trace.as_str()
                        && ["confirmed", "failed", "declined", "cancelled"]
                            .contains(&e["status"].as_str().unwrap_or(""))
                })
                .await;
        }
        let elapsed = started.elapsed();
        let trips = store.round_trips() - trips_before;
        let fanout = publishes(port) - publishes_before;
        println!(
            "{name}: {:.1} state round trips + {:.1} fan-out publishes per command ({} commands, {:.2} ms each)",
            trips as f64 / DIALOGUES as f64,
            fanout as f64 / DIALOGUES as f64,
            DIALOGUES,
            elapsed.as_secs_f64() * 1000.0 / DIALOGUES as f64,
        );
    }
    stack.shutdown().await;
}
