//! State machines under random sequences (proptest): the command
//! lifecycle, as the in-memory store and the Redis store apply it (they
//! must agree step by step, and neither may leave a final status), and the
//! dialogue, where whatever a person says in whatever order, no command is
//! placed without a yes to its confirmation, and none twice.

use errand_actors::store::memory::MemoryStore;
use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_actors::store::{Applied, StateStore};
use errand_harness::TestStack;
use errand_harness::redis::{shared_url, unique_prefix};
use errand_schemas::{Status, StatusUpdate, TraceId};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

const STATUSES: [Status; 10] = [
    Status::Received,
    Status::AwaitingClarification,
    Status::Understood,
    Status::AwaitingConfirmation,
    Status::Dispatched,
    Status::Confirmed,
    Status::Failed,
    Status::Declined,
    Status::Cancelled,
    Status::Answered,
];

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// What a store answered, in a form both stores can be compared by.
fn outcome(applied: &Applied) -> (&'static str, Status, u32) {
    let (kind, state) = match applied {
        Applied::Moved(s) => ("moved", s),
        Applied::Duplicate(s) => ("duplicate", s),
        Applied::Stale(s) => ("stale", s),
    };
    (kind, state.status, state.turn)
}

#[test]
fn lifecycle_the_memory_and_redis_stores_agree_on_every_sequence_of_steps() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let redis = rt.block_on(async {
        let mut config = RedisConfig::new(shared_url());
        config.prefix = unique_prefix();
        RedisStore::connect(config).await.unwrap()
    });
    let steps = proptest::collection::vec(
        (proptest::sample::select(STATUSES.to_vec()), 0u32..3),
        1..14,
    );
    runner(96)
        .run(&steps, |steps| {
            rt.block_on(async {
                let memory = MemoryStore::default();
                let trace = TraceId::generate();
                let mut ended: Option<Status> = None;
                for (i, (status, turn)) in steps.iter().enumerate() {
                    let step = StatusUpdate {
                        deadline_ms: Some(1_000 + i as u64),
                        at_ms: 1_000 + i as u64,
                        ..StatusUpdate::new(trace.clone(), "s".into(), "demo", *status, *turn)
                    };
                    let mine = outcome(&memory.apply(&step).await.unwrap());
                    let theirs = outcome(&redis.apply(&step).await.unwrap());
                    prop_assert_eq!(mine, theirs, "step {} of {:?}", i, steps);
                    // A final status stays, but for a placed order cancelled.
                    if let Some(done) = ended {
                        let allowed = done == Status::Confirmed && mine.1 == Status::Cancelled;
                        prop_assert!(
                            mine.1 == done || allowed,
                            "{:?} left for {:?} at step {} of {:?}",
                            done,
                            mine.1,
                            i,
                            steps
                        );
                    }
                    if mine.1.is_final() {
                        ended = Some(mine.1);
                    }
                }
                let (a, b) = (
                    memory.get(&trace).await.unwrap().unwrap(),
                    redis.get(&trace).await.unwrap().unwrap(),
                );
                prop_assert_eq!((a.status, a.turn), (b.status, b.turn));
                prop_assert_eq!(a.history.len(), b.history.len());
                Ok(())
            })
        })
        .unwrap();
}

/// What a person may say, in any order (a yes more often than the rest).
const SAID: [&str; 16] = [
    "yes",
    "yes",
    "order me a burger",
    "221B Baker Street",
    "yes",
    "no",
    "make it two",
    "book a ride from home to the airport",
    "cancel my last order",
    "what's the weather",
    "buy milk and eggs",
    "actually a pizza",
    "hello",
    "work",
    "yes please",
    "nope",
];

const YES: [&str; 2] = ["yes", "yes please"];

/// One thing in a session's timeline: said, or shown.
#[derive(Debug)]
enum Seen {
    Said(&'static str),
    Shown(Value),
}

#[test]
fn dialogue_nothing_is_placed_without_a_yes_to_its_confirmation_or_twice() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stack = rt.block_on(TestStack::start());
    let words = proptest::collection::vec(proptest::sample::select(SAID.to_vec()), 1..10);
    let placed = std::sync::atomic::AtomicUsize::new(0);
    runner(48)
        .run(&words, |words| {
            rt.block_on(async {
                let mut person = stack.client(&format!("prop-{}", TraceId::generate()));
                let mut timeline = Vec::new();
                for text in &words {
                    let said = person.say(text).await;
                    timeline.push(Seen::Said(text));
                    if let Err(e) = &said {
                        prop_assert!(!e.code.as_str().is_empty());
                    }
                    // Everything this turn brings, until a quiet 150 ms.
                    while let Some(event) = person.next(Duration::from_millis(150)).await {
                        timeline.push(Seen::Shown(event));
                    }
                }
                let confirmed = check(&timeline)?;
                placed.fetch_add(confirmed, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
        })
        .unwrap();
    rt.block_on(stack.shutdown());
    assert!(
        placed.into_inner() > 0,
        "no sequence placed anything: the property was never exercised"
    );
}

/// Every `confirmed` follows a `confirm` of its trace and a yes said after
/// it; no trace is confirmed twice. How many were confirmed.
fn check(timeline: &[Seen]) -> Result<usize, TestCaseError> {
    let mut asked: HashMap<String, usize> = HashMap::new();
    let mut confirmed = HashSet::new();
    for (i, seen) in timeline.iter().enumerate() {
        let Seen::Shown(event) = seen else { continue };
        let trace = event["trace_id"].as_str().unwrap_or_default().to_owned();
        match (event["type"].as_str(), event["status"].as_str()) {
            (Some("confirm"), _) => {
                asked.insert(trace, i);
            }
            (Some("status"), Some("confirmed")) => {
                let yes_after_ask = asked.get(&trace).is_some_and(|&at| {
                    timeline[at..i]
                        .iter()
                        .any(|s| matches!(s, Seen::Said(t) if YES.contains(t)))
                });
                prop_assert!(
                    yes_after_ask,
                    "{} was placed without a yes to its confirmation:\n{:#?}",
                    trace,
                    timeline
                );
                prop_assert!(
                    confirmed.insert(trace.clone()),
                    "{} was placed twice:\n{:#?}",
                    trace,
                    timeline
                );
            }
            _ => {}
        }
    }
    Ok(confirmed.len())
}
