//! State in a real `redis-server`: lifecycle and ordering, sessions and
//! their TTL, concurrent turns, idempotency, fan-out across gateways,
//! restarts of Redis and of errand, and a three-node Redis Cluster.

use errand_actors::bus::RedisChannel;
use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_actors::store::{
    Applied, Guard, Guarded, Opening, SessionStore, StateStore, StoreError, TurnWrite, is_duplicate,
};
use errand_harness::redis::{RedisCluster, RedisServer, redis_cli, shared_url, unique_prefix};
use errand_harness::{TestStack, secs};
use errand_schemas::topics::AGENT_CMD;
use errand_schemas::{
    Action, Command, CommandState, FoodOrder, ItemRequest, LastTurn, OpenCommand, ResultBody,
    SessionId, SessionState, Status, StatusUpdate, TraceId,
};
use std::time::Duration;

async fn store(prefix: &str) -> RedisStore {
    let mut config = RedisConfig::new(shared_url());
    config.prefix = prefix.to_owned();
    RedisStore::connect(config).await.unwrap()
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

fn step(trace: &TraceId, status: Status, turn: u32) -> StatusUpdate {
    StatusUpdate::new(trace.clone(), "s".into(), "demo", status, turn)
}

#[tokio::test]
async fn the_transition_rule_in_redis_is_the_rust_rule() {
    let redis = store(&unique_prefix()).await;
    // Every pair of steps, applied to a fresh command in Redis and in Rust.
    for first in Status::ALL {
        // Turn 0: a result's final step (it does not know the turn).
        for (second, turn) in Status::ALL.iter().flat_map(|s| [(*s, 0), (*s, 1), (*s, 2)]) {
            let trace = TraceId::generate();
            let mut rust = CommandState::from_first(&step(&trace, first, 1));
            let before = rust.clone();
            let moved = rust.apply(&step(&trace, second, turn));
            redis.apply(&step(&trace, first, 1)).await.unwrap();
            let applied = redis.apply(&step(&trace, second, turn)).await.unwrap();
            assert_eq!(
                matches!(applied, Applied::Moved(_)),
                moved,
                "{first} then {second} (turn {turn})"
            );
            assert_eq!(
                matches!(applied, Applied::Duplicate(_)),
                !moved && is_duplicate(&before, &step(&trace, second, turn)),
                "{first} then {second} (turn {turn}): a redelivery?"
            );
            let stored = StateStore::get(&redis, &trace).await.unwrap().unwrap();
            assert_eq!(stored.status, rust.status);
            assert_eq!(stored.history.len(), rust.history.len());
        }
    }
}

#[tokio::test]
async fn redis_and_memory_number_a_sessions_events_alike() {
    use errand_actors::store::memory::MemoryStore;
    use errand_schemas::LastTurn;
    let redis = store(&unique_prefix()).await;
    let memory = MemoryStore::default();
    let stores: [(&str, &dyn Both); 2] = [("redis", &redis), ("memory", &memory)];
    for (name, store) in stores {
        let session = SessionId(format!("numbered-{name}"));
        let trace = TraceId::generate();
        let at = |status, turn| StatusUpdate {
            session_id: session.clone(),
            ..step(&trace, status, turn)
        };
        // The first number is the clock (ms), then one by one.
        let before = errand_schemas::now_ms();
        let first = store.apply(&at(Status::Received, 1)).await.unwrap();
        let n = first.state().seq;
        assert!(
            n >= before - 60_000 && n <= errand_schemas::now_ms(),
            "{name}: {n}"
        );
        let again = store.apply(&at(Status::Received, 1)).await.unwrap();
        assert!(matches!(again, Applied::Duplicate(_)), "{name}");
        assert_eq!(
            again.state().seq,
            n,
            "{name}: a redelivery keeps its number"
        );
        // A turn reserves numbers for what it will show; its steps bring them.
        let mut session_state = SessionState::new(session.clone(), "demo");
        session_state.take_turn(LastTurn {
            utterance_id: "u1".into(),
            effects: "[]".into(),
            numbered: 3,
            seq: 0,
        });
        let saved = store.save(&session_state).await.unwrap();
        let reserved = saved.last_turn.as_ref().unwrap().seq;
        assert_eq!(reserved, n + 1, "{name}");
        let loaded = store.load(&session).await.unwrap().unwrap();
        assert_eq!(
            loaded.last_turn.unwrap().seq,
            reserved,
            "{name}: kept for a replay"
        );
        let brought = StatusUpdate {
            seq: reserved,
            ..at(Status::AwaitingClarification, 1)
        };
        assert_eq!(store.apply(&brought).await.unwrap().state().seq, reserved);
        // Others take the numbers after the reserved ones; a stale step none.
        let next = store.apply(&at(Status::Understood, 1)).await.unwrap();
        assert_eq!(next.state().seq, n + 4, "{name}");
        let stale = store.apply(&at(Status::Received, 1)).await.unwrap();
        assert!(matches!(stale, Applied::Stale(_)), "{name}");
        let last = store.apply(&at(Status::Dispatched, 1)).await.unwrap();
        assert_eq!(last.state().seq, n + 5, "{name}");
    }
}

/// Both store traits, to run one test on either store.
trait Both: StateStore + SessionStore {}
impl<T: StateStore + SessionStore> Both for T {}

#[tokio::test]
async fn lifecycle_history_deadlines_and_ttl() {
    let prefix = unique_prefix();
    let redis = store(&prefix).await;
    let trace = TraceId::generate();
    let received = StatusUpdate {
        deadline_ms: Some(1_000),
        ..step(&trace, Status::Received, 0)
    };
    assert!(matches!(
        redis.apply(&received).await.unwrap(),
        Applied::Moved(_)
    ));
    assert!(matches!(
        redis.apply(&received).await.unwrap(),
        Applied::Duplicate(_)
    ));
    assert_eq!(redis.overdue(1_000, 10).await.unwrap().len(), 1);
    let confirmed = StatusUpdate {
        result: Some(ResultBody::Other(errand_schemas::Json(
            serde_json::json!({"ok": 1}),
        ))),
        domain: Some("food".into()),
        ..step(&trace, Status::Confirmed, 1)
    };
    redis
        .apply(&step(&trace, Status::Dispatched, 1))
        .await
        .unwrap();
    redis.apply(&confirmed).await.unwrap();
    assert!(matches!(
        redis
            .apply(&step(&trace, Status::Dispatched, 1))
            .await
            .unwrap(),
        Applied::Stale(_)
    ));
    assert!(
        redis.overdue(u64::MAX / 2, 10).await.unwrap().is_empty(),
        "final commands leave the index"
    );
    let state = StateStore::get(&redis, &trace).await.unwrap().unwrap();
    assert_eq!(state.status, Status::Confirmed);
    assert_eq!(state.domain.as_deref(), Some("food"));
    let seen: Vec<Status> = state.history.iter().map(|h| h.status).collect();
    assert_eq!(
        seen,
        [Status::Received, Status::Dispatched, Status::Confirmed]
    );
    let key = format!("{prefix}state:{{{trace}}}");
    let ttl: i64 = redis_cli(port_of(&shared_url()), &["ttl", &key])
        .parse()
        .unwrap();
    assert!(
        ttl > 6 * 24 * 3600 && ttl <= 7 * 24 * 3600,
        "kept 7 days after the final status ({ttl})"
    );
}

#[tokio::test]
async fn sessions_expire_and_refuse_lost_updates() {
    let prefix = unique_prefix();
    let mut config = RedisConfig::new(shared_url());
    config.prefix = prefix.clone();
    config.session_ttl = Duration::from_millis(600);
    let redis = RedisStore::connect(config).await.unwrap();
    let session = SessionState::new(SessionId("ttl".into()), "demo");
    let saved = redis.save(&session).await.unwrap();
    // A second writer that loaded the same version loses, and must reload.
    assert_eq!(redis.save(&session).await, Err(StoreError::Conflict));
    let mut next = saved.clone();
    next.turns = 5;
    assert_eq!(redis.save(&next).await.unwrap().version, 2);
    assert_eq!(
        redis
            .load(&session.session_id)
            .await
            .unwrap()
            .unwrap()
            .turns,
        5
    );
    // The TTL is real: the session is gone once it passes.
    let deadline = tokio::time::Instant::now() + secs(5);
    while redis.load(&session.session_id).await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session expired"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn concurrent_turns_of_one_session_lose_nothing() {
    let prefix = unique_prefix();
    let a = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let b = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let alice_a = a.client("busy");
    let alice_b = b.client("busy");
    let (x, y) = tokio::join!(
        alice_a.say("what's the weather"),
        alice_b.say("tell me a joke")
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    a.await_final(&x, secs(5)).await;
    b.await_final(&y, secs(5)).await;
    let session = a
        .node
        .options
        .stores
        .sessions
        .load(&SessionId("busy".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.turns, 2, "both turns counted");
    assert!(session.recent.contains(&x) && session.recent.contains(&y));
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_node_builds_on_the_turns_another_node_took_since_it_last_saved_the_session() {
    let prefix = unique_prefix();
    let a = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let b = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let mut at_a = a.client("roaming");
    let mut at_b = b.client("roaming");
    // Node a reasons the first turn (and keeps the session as it saved it)...
    let burger = at_a.say("order me a burger").await.unwrap();
    at_a.expect_type("clarify", secs(10)).await;
    // ...node b the next two...
    assert_eq!(at_b.say("221B Baker Street").await.unwrap(), burger);
    at_b.expect_confirm().await;
    assert_eq!(at_b.say("yes").await.unwrap(), burger);
    assert_eq!(
        b.await_final(&burger, secs(10)).await.status,
        Status::Confirmed
    );
    // ...and node a the fourth: on the session as b left it, not as a saved it.
    let pizza = at_a.say("order me a pizza").await.unwrap();
    assert_ne!(pizza, burger, "the burger is no longer open");
    at_a.expect_type("clarify", secs(10)).await;
    let session = a
        .node
        .options
        .stores
        .sessions
        .load(&SessionId("roaming".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.turns, 4, "every turn counted");
    assert_eq!(session.open.map(|o| o.trace_id), Some(pizza));
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn idempotency_records_make_redelivery_harmless_across_nodes() {
    let prefix = unique_prefix();
    let a = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let b = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let command = Command {
        trace_id: TraceId::generate(),
        session_id: SessionId("idem".into()),
        user_id: "demo".into(),
        action: Action::OrderFood(FoodOrder {
            items: vec![ItemRequest::new("pad thai", 1)],
            restaurant: None,
            cuisine: None,
            address: "home".into(),
            instructions: None,
        }),
        issued_at_ms: 0,
        turn: 1,
        deadline_ms: None,
    };
    // The same command reaches two nodes (a redelivery after a crash).
    a.publish(AGENT_CMD, "idem", &command).await;
    let first = a.await_final(&command.trace_id, secs(5)).await;
    b.publish(AGENT_CMD, "idem", &command).await;
    let mut b_out = b.watch("agent.out.food").await;
    let again: errand_schemas::AgentResult = b_out
        .next_matching(secs(5), |_: &errand_schemas::AgentResult| true)
        .await
        .unwrap();
    let errand_schemas::Outcome::Confirmed { result } = again.outcome else {
        panic!("confirmed")
    };
    assert_eq!(
        Some(result),
        first.result,
        "the second node returns the first result"
    );
    let key = a
        .node
        .options
        .keys
        .idempotency(command.trace_id.as_str(), "food");
    assert!(
        a.node
            .options
            .stores
            .idempotency
            .get(&key)
            .await
            .unwrap()
            .is_some()
    );
    let charges = redis_cli(
        port_of(&shared_url()),
        &["--scan", "--pattern", &format!("{prefix}idem:*:charge")],
    );
    assert_eq!(charges.lines().count(), 1, "one charge");
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn statuses_fan_out_to_a_gateway_on_another_node() {
    let prefix = unique_prefix();
    let a = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let b = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let mut watcher_on_b = b.client("shared-session");
    let speaker_on_a = a.client("shared-session");
    let mut speaker_on_a = speaker_on_a;
    let trace = speaker_on_a
        .say("book a cab from home to Waterloo")
        .await
        .unwrap();
    // The confirmation reaches the other gateway too.
    let confirm = watcher_on_b
        .expect(secs(10), "the confirmation", |e| e["type"] == "confirm")
        .await;
    assert_eq!(confirm["trace_id"], trace.as_str());
    speaker_on_a.approve(trace.as_str()).await;
    let done = watcher_on_b
        .expect_status(trace.as_str(), "confirmed", secs(10))
        .await;
    assert_eq!(done["result"]["destination"]["name"], "Waterloo Station");
    // The step went out in the round trip that recorded it, numbered as
    // the speaker's own gateway numbers it.
    let here = speaker_on_a
        .expect_status(trace.as_str(), "confirmed", secs(10))
        .await;
    assert_eq!(done["seq"], here["seq"]);
    assert!(done["seq"].as_u64().unwrap_or(0) > 0, "numbered: {done}");
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn the_burger_dialogue_survives_a_restart_of_errand() {
    let prefix = unique_prefix();
    let first = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let mut person = first.client("restart");
    let done_trace = person
        .say("book a cab from home to the airport")
        .await
        .unwrap();
    person.approve(done_trace.as_str()).await;
    person
        .expect_status(done_trace.as_str(), "confirmed", secs(5))
        .await;
    let open = person.say("order me a burger").await.unwrap();
    person.expect_type("clarify", secs(5)).await;
    drop(person);
    first.shutdown().await;

    let second = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let before = second
        .state(&done_trace)
        .await
        .expect("the state outlived the process");
    assert_eq!(before.status, Status::Confirmed);
    assert_eq!(before.history.len(), 5);
    let mut person = second.client("restart");
    let continued = person.say("221B Baker Street").await.unwrap();
    assert_eq!(
        continued, open,
        "the open clarification continues where it stopped"
    );
    person.expect_confirm().await;
    drop(person);
    second.shutdown().await;

    // The confirmation waits across a restart too.
    let second = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let mut person = second.client("restart");
    let yes = person.say("yes").await.unwrap();
    assert_eq!(yes, open, "the yes answers the open confirmation");
    let done = person
        .expect_status(open.as_str(), "confirmed", secs(5))
        .await;
    assert!(done["result"]["order_id"].is_string());
    second.shutdown().await;
}

#[tokio::test]
async fn redis_down_means_state_unavailable_quickly_then_recovery() {
    let mut server = RedisServer::start();
    let prefix = unique_prefix();
    let stack = TestStack::start_with_redis(&server.url(), &prefix, |_| {}).await;
    let addr = stack.http_addr();
    let mut person = stack.client("outage");
    let trace = person.say("order me a burger").await.unwrap();
    person.expect_type("clarify", secs(5)).await;

    server.stop();
    let started = tokio::time::Instant::now();
    let error = person.say("221B Baker Street").await.unwrap_err();
    assert_eq!(error.code.as_str(), "state_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered in {:?}",
        started.elapsed()
    );
    let event = person.expect_type("error", secs(2)).await;
    assert_eq!(event["code"], "state_unavailable");
    // Probed through the outage, as a load balancer does: every probe
    // fails, and none leaves a connection that never comes back.
    for _ in 0..5 {
        assert_eq!(http_status(addr, "/readyz").await, 503);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    server.start_again();
    let deadline = tokio::time::Instant::now() + secs(10);
    let continued = loop {
        match person.say("221B Baker Street").await {
            Ok(trace) => break trace,
            Err(e) => {
                assert_eq!(e.code.as_str(), "state_unavailable");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "Redis is back within 10 s"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(continued, trace, "the dialogue continues after the restart");
    person.approve(trace.as_str()).await;
    person
        .expect_status(trace.as_str(), "confirmed", secs(10))
        .await;
    assert_eq!(http_status(addr, "/readyz").await, 200);
    stack.shutdown().await;
}

async fn http_status(addr: std::net::SocketAddr, path: &str) -> u16 {
    errand_harness::http::get(addr, path).await.status
}

#[tokio::test]
async fn a_three_node_redis_cluster() {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .unwrap();
    let mut config = RedisConfig::new(cluster.url());
    // Patient under a loaded test run; the point here is the cluster, not the timeout.
    config.timeout = Duration::from_secs(3);
    let stack = TestStack::start_with_redis_config(config, |_| {}).await;
    let mut person = stack.client("clustered");
    let trace = person.say("order me a burger").await.unwrap();
    person.expect_type("clarify", secs(5)).await;
    person.say("to the office").await.unwrap();
    person.approve(trace.as_str()).await;
    let done = person
        .expect_status(trace.as_str(), "confirmed", secs(10))
        .await;
    assert!(done["result"]["order_id"].is_string());
    let state = stack.state(&trace).await.unwrap();
    assert_eq!(state.history.len(), 6);
    assert!(state.seq > 0, "numbered in the session's slot: {state:?}");
    // Keys spread over the nodes by their hash tags.
    let holders = cluster
        .nodes
        .iter()
        .filter(|n| !n.cli(&["--scan", "--pattern", "*"]).is_empty())
        .count();
    assert!(holders >= 1);
    stack.shutdown().await;
    drop(cluster);
}

#[tokio::test]
async fn errand_trace_prints_the_lifecycle() {
    let prefix = unique_prefix();
    let stack = TestStack::start_with_redis(&shared_url(), &prefix, |_| {}).await;
    let mut person = stack.client("trace-cli");
    let trace = person
        .say("book a cab from home to the airport")
        .await
        .unwrap();
    person.approve(trace.as_str()).await;
    person
        .expect_status(trace.as_str(), "confirmed", secs(5))
        .await;
    let key = format!("{prefix}state:{{{trace}}}");
    assert_eq!(
        redis_cli(port_of(&shared_url()), &["exists", &key]),
        "1",
        "state:{{trace_id}} exists"
    );

    let errand = errand_harness::errand_binary();
    let output = std::process::Command::new(&errand)
        .args(["trace", trace.as_str()])
        .env("ERRAND_REDIS_URL", shared_url())
        .env("ERRAND_REDIS_PREFIX", &prefix)
        .output()
        .expect("the errand binary is built with the tests");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    for status in [
        "received",
        "understood",
        "awaiting_confirmation",
        "dispatched",
        "confirmed",
    ] {
        assert!(text.contains(status), "{status} in:\n{text}");
    }
    assert!(text.contains("booking_id"));
    let missing = std::process::Command::new(&errand)
        .args(["trace", "no-such-trace"])
        .env("ERRAND_REDIS_URL", shared_url())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    stack.shutdown().await;
}

#[tokio::test]
async fn auth_is_required_and_used() {
    let server = RedisServer::start_with(&["--requirepass", "s3cret"]);
    let port = server.port();
    let wrong =
        RedisStore::connect(RedisConfig::new(format!("redis://:nope@127.0.0.1:{port}"))).await;
    let Err(StoreError::Unavailable(message)) = wrong else {
        panic!("a wrong password is refused")
    };
    assert!(
        !message.contains("nope"),
        "the password never appears in errors: {message}"
    );
    let stack =
        TestStack::start_with_redis(&format!("redis://:s3cret@127.0.0.1:{port}"), "", |_| {}).await;
    let mut person = stack.client("auth");
    let trace = person
        .say("book a cab from home to the airport")
        .await
        .unwrap();
    person.approve(trace.as_str()).await;
    person
        .expect_status(trace.as_str(), "confirmed", secs(5))
        .await;
    stack.shutdown().await;
}

/// A channel of this test's own, as the node `node-a` would publish on it.
fn test_channel(prefix: &str, name: &str) -> RedisChannel {
    RedisChannel {
        url: shared_url(),
        channel: format!("{prefix}test:{name}"),
        prefix: b"node-a\x1f".to_vec(),
    }
}

/// The next message on `sub`, if one comes within half a second.
async fn next_message(sub: &mut redis::aio::PubSub) -> Option<String> {
    use futures_util::StreamExt;
    let mut messages = sub.on_message();
    let message = tokio::time::timeout(Duration::from_millis(500), messages.next())
        .await
        .ok()??;
    Some(String::from_utf8_lossy(message.get_payload_bytes()).into_owned())
}

#[tokio::test]
async fn a_turn_is_saved_with_its_steps_and_question_in_one_round_trip_or_not_at_all() {
    let prefix = unique_prefix();
    let redis = store(&prefix).await;
    let (statuses, questions) = (
        test_channel(&prefix, "status"),
        test_channel(&prefix, "clarify"),
    );
    let mut sub = redis::Client::open(shared_url())
        .unwrap()
        .get_async_pubsub()
        .await
        .unwrap();
    sub.subscribe(&statuses.channel).await.unwrap();
    sub.subscribe(&questions.channel).await.unwrap();

    let trace = TraceId::generate();
    let asking = step(&trace, Status::AwaitingClarification, 1);
    let mut session = SessionState::new("s".into(), "demo");
    session.take_turn(LastTurn {
        utterance_id: "u1".into(),
        effects: "[]".into(),
        numbered: 2,
        seq: 0,
    });
    let (status_record, question_record) = (
        br#"{"v":1,"data":{"status":"awaiting_clarification"}}"#.as_slice(),
        br#"{"v":1,"data":{"question":"Where to?"}}"#.as_slice(),
    );
    let writes = [
        TurnWrite::Step {
            step: &asking,
            offset: 0,
            announce: Some((&statuses, status_record)),
        },
        TurnWrite::Say {
            channel: &questions,
            record: question_record,
            offset: 1,
        },
    ];
    let before = redis.round_trips();
    let (saved, applied) = redis.save_turn(session.clone(), &writes).await.unwrap();
    assert_eq!(redis.round_trips(), before + 1, "one round trip");
    let first = saved.last_turn.as_ref().unwrap().seq;
    assert!(first > 0, "the turn's numbers are reserved");
    assert_eq!(saved.version, 1);
    let applied = applied.expect("the store applied the steps");
    let [Applied::Moved(state)] = applied.as_slice() else {
        panic!("one step, moved: {applied:?}");
    };
    assert_eq!(
        (state.status, state.seq),
        (Status::AwaitingClarification, first)
    );
    assert_eq!(
        next_message(&mut sub).await.as_deref(),
        Some(
            format!(
                "node-a\x1f{{\"v\":1,\"data\":{{\"status\":\"awaiting_clarification\",\"seq\":{first}}}}}"
            )
            .as_str()
        )
    );
    assert_eq!(
        next_message(&mut sub).await.as_deref(),
        Some(
            format!(
                "node-a\x1f{{\"v\":1,\"data\":{{\"question\":\"Where to?\",\"seq\":{}}}}}",
                first + 1
            )
            .as_str()
        )
    );
    let stored = redis.load(&"s".into()).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.last_turn.unwrap().seq), (1, first));

    // The same turn saved over a session that moved on: a conflict, and
    // nothing of it is written or said.
    let other = TraceId::generate();
    let late = step(&other, Status::AwaitingClarification, 1);
    let writes = [TurnWrite::Step {
        step: &late,
        offset: 0,
        announce: Some((&statuses, status_record)),
    }];
    assert_eq!(
        redis.save_turn(session, &writes).await.err(),
        Some(StoreError::Conflict)
    );
    assert_eq!(StateStore::get(&redis, &other).await.unwrap(), None);
    assert_eq!(next_message(&mut sub).await, None, "nothing published");
}

#[tokio::test]
async fn a_gateway_reads_the_open_command_or_records_the_new_ones_first_step_in_one_round_trip() {
    let prefix = unique_prefix();
    let redis = store(&prefix).await;
    let session_id: SessionId = "s".into();
    let trace = TraceId::generate();
    let received = step(&trace, Status::Received, 0);

    let before = redis.round_trips();
    let (opening, version) = redis
        .open_or_receive(&session_id, &received, None)
        .await
        .unwrap();
    assert_eq!(redis.round_trips(), before + 1, "one round trip");
    assert_eq!(version, 0, "no session yet");
    let Opening::Received { applied, announced } = opening else {
        panic!("a new session has no open command: {opening:?}");
    };
    assert!(!announced);
    assert_eq!(applied.state().status, Status::Received);
    assert!(
        applied.state().seq > 0,
        "numbered among the session's events"
    );
    assert_eq!(
        StateStore::get(&redis, &trace)
            .await
            .unwrap()
            .unwrap()
            .status,
        Status::Received
    );

    // Once the reasoner saves the command as open, the next utterance
    // continues it and records nothing.
    let mut session = SessionState::new(session_id.clone(), "demo");
    session.open = Some(OpenCommand::asking(
        trace.clone(),
        "order_food".into(),
        Default::default(),
        vec!["address".into()],
        "Where should I deliver it?".into(),
        1,
    ));
    redis.save(&session).await.unwrap();
    let another = TraceId::generate();
    let opening = redis
        .open_or_receive(&session_id, &step(&another, Status::Received, 0), None)
        .await
        .unwrap();
    assert_eq!(opening, (Opening::Open(trace), 1), "with the version read");
    assert_eq!(StateStore::get(&redis, &another).await.unwrap(), None);
}

/// The state a guarded step moved, which the store announced.
fn moved_and_announced(done: Guarded) -> CommandState {
    match done {
        Guarded::Applied {
            applied,
            announced: true,
        } => match *applied {
            Applied::Moved(state) => state,
            other => panic!("the step did not move the command: {other:?}"),
        },
        other => panic!("not applied and announced: {other:?}"),
    }
}

#[tokio::test]
async fn an_agents_step_goes_with_its_first_result_in_one_round_trip() {
    let prefix = unique_prefix();
    let redis = store(&prefix).await;
    let statuses = test_channel(&prefix, "status");
    let mut sub = redis::Client::open(shared_url())
        .unwrap()
        .get_async_pubsub()
        .await
        .unwrap();
    sub.subscribe(&statuses.channel).await.unwrap();
    let trace = TraceId::generate();
    let key = format!("{prefix}test:first:{trace}");
    let record = br#"{"v":1,"data":{"status":"x"}}"#.as_slice();
    let guarded = |guard, status| {
        let (redis, statuses, trace) = (&redis, &statuses, &trace);
        async move {
            let before = redis.round_trips();
            let step = step(trace, status, 1);
            let done = redis
                .apply_guarded(redis, guard, &step, Some((statuses, record)))
                .await
                .unwrap();
            assert_eq!(redis.round_trips(), before + 1, "one round trip");
            done
        }
    };

    // A command's first run: no result yet, so `dispatched` is recorded
    // and announced.
    let state = moved_and_announced(guarded(Guard::Unkept { key: &key }, Status::Dispatched).await);
    assert_eq!(state.status, Status::Dispatched);
    assert!(next_message(&mut sub).await.is_some(), "announced");

    // Its result kept, and its step recorded with it.
    let guard = Guard::Keep {
        key: &key,
        value: b"first",
    };
    let state = moved_and_announced(guarded(guard, Status::Confirmed).await);
    assert_eq!(state.status, Status::Confirmed);
    assert!(next_message(&mut sub).await.is_some(), "announced");

    // A second result is not kept, and its step not recorded; a
    // redelivered command finds the first result and records nothing.
    let guard = Guard::Keep {
        key: &key,
        value: b"second",
    };
    assert_eq!(
        guarded(guard, Status::Failed).await,
        Guarded::Kept(b"first".to_vec())
    );
    assert_eq!(
        guarded(Guard::Unkept { key: &key }, Status::Dispatched).await,
        Guarded::Kept(b"first".to_vec())
    );
    let state = StateStore::get(&redis, &trace).await.unwrap().unwrap();
    assert_eq!(state.status, Status::Confirmed, "nothing after the first");
    assert_eq!(next_message(&mut sub).await, None, "nothing announced");
}

#[tokio::test]
async fn a_dialogue_on_redis_shows_each_step_once_in_order_and_tracks_nothing_twice() {
    let prefix = unique_prefix();
    let stack = TestStack::start_with_redis(&shared_url(), &prefix, |o| {
        o.dialogue.confirm = errand_actors::dialogue::ConfirmPolicy::Never;
    })
    .await;
    let mut person = stack.client("steps");
    let trace = person.say("order me a burger").await.unwrap();
    person.expect_type("clarify", secs(5)).await;
    person.say("221B Baker Street").await.unwrap();
    // What the person sees, in order (the host announces both).
    person
        .expect_status(trace.as_str(), "dispatched", secs(5))
        .await;
    person
        .expect_status(trace.as_str(), "confirmed", secs(5))
        .await;
    let state = stack.await_final(&trace, secs(5)).await;
    let steps: Vec<Status> = state.history.iter().map(|h| h.status).collect();
    assert_eq!(
        steps,
        [
            Status::Received,
            Status::AwaitingClarification,
            Status::Understood,
            Status::Dispatched,
            Status::Confirmed
        ],
        "the agent's host recorded dispatched and confirmed, in order, once each"
    );
    stack.shutdown().await;
}
