//! Redis round trips per dialogue.
//!
//! Runs whole dialogues through an embedded node whose state lives in a
//! real Redis (statuses fanned out through its pub/sub, as `errand up` with
//! `ERRAND_REDIS_URL` does) and counts what Redis received from errand: a
//! `MONITOR` connection sees every request (a script's own calls are marked
//! `lua` and not counted: the script is one round trip). Each dialogue is
//! answered as a person does, one turn after the other; each is counted as
//! a session's first, and again as the session's next (the load
//! generator's sessions repeat their dialogue).
//!
//! ```sh
//! cargo bench --bench redis_round_trips
//! ```
//!
//! With `ERRAND_BENCH_REDIS_URL=redis://127.0.0.1:PORT` it uses that Redis
//! instead of starting a `redis-server` of its own.

use errand_actors::dialogue::ConfirmPolicy;
use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_harness::redis::{RedisServer, unique_prefix};
use errand_harness::{Person, TestStack, secs, test_options};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

const DIALOGUES: usize = 200;

struct Scenario {
    name: &'static str,
    confirm: ConfirmPolicy,
    turns: &'static [&'static str],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "burger, 2 turns, confirmation off (the load generator's dialogue)",
        confirm: ConfirmPolicy::Never,
        turns: &["order me a burger", "221B Baker Street"],
    },
    Scenario {
        name: "burger, 3 turns (address, then yes)",
        confirm: ConfirmPolicy::Always,
        turns: &["order me a burger", "221B Baker Street", "yes"],
    },
    Scenario {
        name: "cab in one utterance, then yes",
        confirm: ConfirmPolicy::Always,
        turns: &["book a cab from home to the airport", "yes"],
    },
    Scenario {
        name: "declined (out of scope)",
        confirm: ConfirmPolicy::Always,
        turns: &["what's the weather tomorrow"],
    },
];

/// Requests Redis received from clients, by command, while `MONITOR` ran.
struct Monitor {
    child: std::process::Child,
    lines: std::thread::JoinHandle<BTreeMap<String, u64>>,
}

impl Monitor {
    fn start(port: u16) -> Self {
        let mut child = Command::new("redis-cli")
            .args(["-p", &port.to_string(), "monitor"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("redis-cli runs");
        let out = child.stdout.take().expect("its output");
        let lines = std::thread::spawn(move || {
            let mut counts = BTreeMap::new();
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                // `1700000000.123456 [0 127.0.0.1:5555] "EVALSHA" ...`;
                // a script's own calls say `[0 lua]`.
                let Some((client, rest)) = line.split_once("] ") else {
                    continue;
                };
                if client.ends_with(" lua") {
                    continue;
                }
                let command = rest.split('"').nth(1).unwrap_or_default().to_uppercase();
                *counts.entry(command).or_insert(0) += 1;
            }
            counts
        });
        // MONITOR answers OK before it streams; give it a moment.
        std::thread::sleep(std::time::Duration::from_millis(200));
        Self { child, lines }
    }

    fn stop(mut self) -> BTreeMap<String, u64> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.lines.join().expect("the reader ends")
    }
}

/// One dialogue of `scenario`, answered as a person does.
async fn dialogue(person: &mut Person, scenario: &Scenario) {
    let mut trace = None;
    for (n, text) in scenario.turns.iter().enumerate() {
        trace = Some(person.say(text).await.expect("accepted"));
        if n + 1 < scenario.turns.len() {
            person
                .expect(secs(10), "a question", |e| {
                    e["type"] == "clarify" || e["type"] == "confirm"
                })
                .await;
        }
    }
    let trace = trace.expect("a trace");
    person
        .expect(secs(10), "a final status", |e| {
            e["type"] == "status"
                && e["trace_id"] == trace.as_str()
                && ["confirmed", "failed", "declined", "cancelled"]
                    .contains(&e["status"].as_str().unwrap_or(""))
        })
        .await;
}

/// `DIALOGUES` people, each in a session of their own.
fn people(stack: &TestStack, round: &str) -> Vec<Person> {
    (0..DIALOGUES)
        .map(|i| stack.client(&format!("bench-{round}-{i}")))
        .collect()
}

/// Each person's next dialogue, one after the other.
async fn run(people: &mut [Person], scenario: &Scenario) {
    for person in people {
        dialogue(person, scenario).await;
    }
}

/// What Redis received per dialogue, by command, as one line.
fn per_dialogue(counts: &BTreeMap<String, u64>) -> String {
    let total: u64 = counts.values().sum();
    let each: Vec<String> = counts
        .iter()
        .map(|(c, n)| format!("{c} {:.1}", *n as f64 / DIALOGUES as f64))
        .collect();
    format!(
        "{:.1} round trips per dialogue ({})",
        total as f64 / DIALOGUES as f64,
        each.join(", ")
    )
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
    for scenario in SCENARIOS {
        let mut config = RedisConfig::new(&url);
        config.prefix = unique_prefix();
        let store = RedisStore::connect(config.clone())
            .await
            .expect("Redis is reachable");
        let mut options = test_options();
        options.dialogue.confirm = scenario.confirm;
        options.limits.utterances_per_second = 1e9;
        options.limits.utterance_burst = 1e9;
        options
            .use_redis_store(store, config)
            .await
            .expect("Redis is reachable");
        let stack = TestStack::start_with_options(options).await;
        // Timed without MONITOR (it slows Redis down), then counted: each
        // a session's first dialogue, then its next one (as the load
        // generator's sessions repeat theirs).
        let mut timed = people(&stack, "timed");
        let started = Instant::now();
        run(&mut timed, scenario).await;
        let elapsed = started.elapsed();
        let mut counted = people(&stack, "counted");
        let monitor = Monitor::start(port);
        run(&mut counted, scenario).await;
        let first = monitor.stop();
        let monitor = Monitor::start(port);
        run(&mut counted, scenario).await;
        let next = monitor.stop();
        stack.shutdown().await;
        println!(
            "{}: a session's first: {}; its next: {}; {:.2} ms per dialogue, one at a time",
            scenario.name,
            per_dialogue(&first),
            per_dialogue(&next),
            elapsed.as_secs_f64() * 1000.0 / DIALOGUES as f64,
        );
    }
}
