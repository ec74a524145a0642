//! Dialogues through the gateway front, as a person has them.

use errand_harness::{TestStack, secs};

#[tokio::test]
async fn the_burger_dialogue_asks_for_the_address_then_orders() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-burger");
    let trace = person.say("order me a burger").await.unwrap().to_string();
    let ack = person.expect_type("ack", secs(5)).await;
    assert_eq!(ack["trace_id"], trace.as_str());
    let question = person.expect_type("clarify", secs(5)).await;
    assert_eq!(question["trace_id"], trace.as_str());
    assert_eq!(question["intent"], "order_food");
    assert_eq!(question["missing"], serde_json::json!(["address"]));

    let same = person.say("221B Baker Street").await.unwrap().to_string();
    assert_eq!(same, trace, "the answer continues the open command");
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["merchant"], "Burger Barn");
    assert_eq!(confirm["summary"]["total"], 1198);
    assert_eq!(
        confirm["question"],
        "Order 1 × cheeseburger from Burger Barn to 221B Baker Street for £11.98?"
    );
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed");
    for field in ["order_id", "items", "total", "currency", "eta_minutes"] {
        assert!(
            !done["result"][field].is_null(),
            "result has {field}: {done}"
        );
    }
    let reply = person.expect_type("reply", secs(5)).await;
    assert!(reply["text"].as_str().unwrap().contains("Burger Barn"));

    let state = stack.state(&trace.as_str().into()).await.unwrap();
    let history: Vec<String> = state.history.iter().map(|h| h.status.to_string()).collect();
    assert_eq!(
        history,
        [
            "received",
            "awaiting_clarification",
            "understood",
            "awaiting_confirmation",
            "dispatched",
            "confirmed"
        ]
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_cab_from_home_to_the_airport_is_booked() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-cab");
    let trace = person
        .say("book a cab from home to the airport")
        .await
        .unwrap()
        .to_string();
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["destination"], "Heathrow Airport");
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert!(done["result"]["booking_id"].is_string());
    assert!(done["result"]["fare"].as_i64().unwrap() > 0);
    assert!(done["result"]["eta_minutes"].as_u64().is_some());
    stack.shutdown().await;
}

#[tokio::test]
async fn out_of_scope_is_declined_politely_and_nothing_is_dispatched() {
    let stack = TestStack::start().await;
    let mut commands = stack.watch(errand_schemas::topics::AGENT_CMD).await;
    let mut person = stack.client("s-weather");
    for text in [
        "what's the weather tomorrow",
        "book a table for two at an italian restaurant",
    ] {
        let trace = person.say(text).await.unwrap().to_string();
        let done = person.final_status(&trace).await;
        assert_eq!(done["status"], "declined", "{text}");
        let reply = person.expect_type("reply", secs(5)).await;
        assert!(reply["text"].as_str().unwrap().starts_with("Sorry"));
    }
    assert!(
        commands.next(secs(1)).await.is_none(),
        "nothing was dispatched"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_correction_changes_the_open_order() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-correct");
    let trace = person.say("order me a burger").await.unwrap().to_string();
    person.expect_type("clarify", secs(5)).await;
    person.say("actually make it two burgers").await.unwrap();
    let again = person.expect_type("clarify", secs(5)).await;
    assert_eq!(again["missing"], serde_json::json!(["address"]));
    person.say("to the office").await.unwrap();
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["items"][0]["quantity"], 2);
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["result"]["items"][0]["quantity"], 2);
    assert_eq!(done["result"]["address"], "1 Canada Square");
    stack.shutdown().await;
}

#[tokio::test]
async fn never_mind_cancels_the_open_command() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-cancel");
    let trace = person
        .say("get me a taxi to Paddington")
        .await
        .unwrap()
        .to_string();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["missing"], serde_json::json!(["pickup"]));
    person.say("never mind").await.unwrap();
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "cancelled");
    // The next utterance starts a new command.
    let next = person.say("buy milk and eggs").await.unwrap().to_string();
    assert_ne!(next, trace);
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["intent"], "order_mart");
    person.say("home").await.unwrap();
    person.approve(&next).await;
    assert_eq!(person.final_status(&next).await["status"], "confirmed");
    stack.shutdown().await;
}

#[tokio::test]
async fn switching_domain_mid_dialogue_drops_the_first_and_serves_the_second() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-switch");
    let food = person.say("I want a pizza").await.unwrap().to_string();
    person.expect_type("clarify", secs(5)).await;
    person
        .say("actually book me a cab from work to King's Cross")
        .await
        .unwrap();
    let dropped = person.final_status(&food).await;
    assert_eq!(dropped["status"], "cancelled");
    let confirm = person.expect_confirm().await;
    assert_ne!(confirm["trace_id"], food.as_str());
    person.say("yes").await.unwrap();
    let ride = person
        .expect(secs(10), "the ride confirmed", |e| {
            e["type"] == "status" && e["status"] == "confirmed" && e["trace_id"] != food.as_str()
        })
        .await;
    assert_eq!(ride["domain"], "ride");
    assert_eq!(
        ride["result"]["destination"]["name"],
        "King's Cross Station"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn context_answers_fill_the_missing_slot() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-seats");
    let trace = person
        .say("I need an xl cab to the airport")
        .await
        .unwrap()
        .to_string();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["missing"], serde_json::json!(["pickup"]));
    person.say("from 10 Downing Street").await.unwrap();
    person.approve(&trace).await;
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["result"]["pickup"]["name"], "10 Downing Street");
    assert_eq!(done["result"]["ride_type"], "xl");
    stack.shutdown().await;
}

#[tokio::test]
async fn bad_utterances_get_stable_error_codes() {
    let stack = TestStack::start().await;
    let mut person = stack.client("s-bad");
    assert_eq!(
        person.say("   ").await.unwrap_err().code.as_str(),
        "empty_utterance"
    );
    let e = person.expect_type("error", secs(2)).await;
    assert_eq!(e["code"], "empty_utterance");
    let long = "burger ".repeat(400);
    assert_eq!(
        person.say(&long).await.unwrap_err().code.as_str(),
        "utterance_too_long"
    );
    let e = person.expect_type("error", secs(2)).await;
    assert_eq!(e["code"], "utterance_too_long");
    stack.shutdown().await;
}

/// The conversations under `tests/conversations/`, through `errand test`
/// (an errand in its own process, talked to over `/v1/ws/text`), on a
/// Tuesday morning in London whenever they run: "tonight" and "at 9" are
/// then always ahead.
#[test]
fn the_conversation_files_pass() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::process::Command::new(errand_harness::errand_binary())
        .args([
            "test",
            "tests/conversations",
            "--now",
            "2026-06-16T09:00:00+01:00",
        ])
        .current_dir(root)
        .env("ERRAND_LOG", "warn")
        .output()
        .expect("the errand binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default().to_owned();
    assert!(
        output.status.success(),
        "{last}\n{}",
        stdout
            .lines()
            .filter(|l| !l.starts_with("ok "))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let passed: usize = last
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    assert!(passed >= 150, "at least 150 conversations: {last}");
}
