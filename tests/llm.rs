//! The LLM reasoner through the whole stack, against a real HTTP fake of an
//! OpenAI-compatible endpoint (`wiremock`) that returns scripted answers
//! and records what errand sent.

use errand_actors::llm::{Fallback, LlmConfig, UNAVAILABLE};
use errand_actors::nlu::{Context, Intent, Parse, Understand};
use errand_harness::{TestStack, llm_config, secs};
use errand_schemas::topics::{AGENT_CMD, AGENT_OUT_CLARIFY, TRANSCRIPT};
use errand_schemas::{
    Clarification, Command, SlotMap, SlotValue, TraceId, Utterance, UtteranceSource,
};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers each request with the next scripted answer; the last one
/// answers every request after it.
struct Script(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut script = self.0.lock().unwrap();
        if script.len() > 1 {
            script.pop_front().unwrap()
        } else {
            script.front().cloned().unwrap()
        }
    }
}

/// A fake endpoint serving `/v1/chat/completions` with `answers`.
async fn fake(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(Script(Mutex::new(answers.into())))
        .mount(&server)
        .await;
    server
}

/// The offline reader of these tests: whatever is said, it hears a
/// standard cab from home to the airport. A turn it read is easy to tell
/// from one the model read.
struct CabReader;

impl Understand for CabReader {
    fn parse(&self, _: &str, _: &Context) -> Parse {
        let mut slots = SlotMap::new();
        slots.insert("pickup".into(), SlotValue::Text("home".into()));
        slots.insert("destination".into(), SlotValue::Text("the airport".into()));
        Parse {
            intent: Intent::BookRide,
            confidence: 1.0,
            slots,
            ..Parse::out_of_scope()
        }
    }
}

/// A stack whose reasoner asks `server`, with [`CabReader`] as its
/// offline reader.
async fn stack_on(server: &MockServer, fallback: Fallback) -> TestStack {
    stack_with(server, |c| c.fallback = fallback).await
}

/// As [`stack_on`], with `configure` applied to the LLM settings.
async fn stack_with(server: &MockServer, configure: impl FnOnce(&mut LlmConfig)) -> TestStack {
    let mut config = llm_config(&format!("{}/v1", server.uri()));
    configure(&mut config);
    TestStack::start_with(move |o| {
        o.nlu = Arc::new(CabReader);
        o.llm = Some(config);
    })
    .await
}

fn completion(message: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }))
}

/// A tool call; `arguments` is sent as the text it is (maybe not JSON).
fn call(id: &str, name: &str, arguments: &str) -> Value {
    json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
}

fn calls(calls: Vec<Value>) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": null, "tool_calls": calls}))
}

fn text(content: &str) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": content}))
}

fn error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": {"message": message, "type": "error", "param": null, "code": null}
    }))
}

/// The JSON bodies errand sent, in order.
async fn sent(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.body_json::<Value>().unwrap())
        .collect()
}

fn messages_with_role<'a>(body: &'a Value, role: &str) -> Vec<&'a Value> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == role)
        .collect()
}

#[tokio::test]
async fn llm_asks_for_the_missing_address_then_orders_with_the_tool_result_in_the_history() {
    let server = fake(vec![
        calls(vec![call(
            "call_1",
            "order_food",
            r#"{"item":[{"name":"cheeseburger","quantity":2}]}"#,
        )]),
        calls(vec![call(
            "call_2",
            "order_food",
            r#"{"address":"221B Baker Street"}"#,
        )]),
    ])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut person = stack.client("s-llm-burger");
    let trace = person
        .say("I'd love two burgers")
        .await
        .unwrap()
        .to_string();
    let question = person.expect_type("clarify", secs(5)).await;
    assert_eq!(question["trace_id"], trace.as_str());
    assert_eq!(question["intent"], "order_food");
    assert_eq!(question["missing"], json!(["address"]));
    assert_eq!(question["question"], "Where should I deliver it?");

    let same = person.say("221B Baker Street").await.unwrap().to_string();
    assert_eq!(same, trace, "the answer continues the open command");
    // The same confirmation as with the offline reader, priced by the agent.
    let confirm = person.approve(&trace).await;
    assert_eq!(
        confirm["question"],
        "Order 2 × cheeseburger from Burger Barn to 221B Baker Street for £20.97?"
    );
    assert_eq!(confirm["summary"]["total"], 2097);
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["result"]["items"][0]["name"], "cheeseburger");
    assert_eq!(done["result"]["items"][0]["quantity"], 2);
    assert_eq!(done["result"]["address"], "221B Baker Street");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].headers.get("authorization").unwrap(),
        "Bearer test-key"
    );
    let bodies = sent(&server).await;
    assert_eq!(
        bodies.len(),
        2,
        "one model call per turn; the yes is errand's to read"
    );
    let first = &bodies[0];
    assert_eq!(first["model"], "fake-model");
    assert_eq!(first["tool_choice"], "auto");
    let tools = first["tools"].as_array().unwrap();
    let names: Vec<&str> = tools
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["order_food", "order_mart", "book_ride", "cancel_request"],
        "one function per registered action, and cancel"
    );
    for tool in tools {
        assert_eq!(tool["type"], "function");
        assert_eq!(tool["function"]["parameters"]["type"], "object");
    }
    let food = &tools[0]["function"]["parameters"]["properties"];
    assert_eq!(food["item"]["type"], "array");
    assert_eq!(
        food["item"]["items"]["properties"]["name"]["type"],
        "string"
    );
    assert_eq!(
        food["item"]["items"]["properties"]["quantity"]["type"],
        "integer"
    );
    assert_eq!(food["address"]["type"], "string");
    let ride = &tools[2]["function"]["parameters"]["properties"];
    assert_eq!(ride["seats"]["type"], "integer");
    assert_eq!(ride["ride_type"]["enum"][1], "shared");
    assert_eq!(first["messages"][0]["role"], "system");
    let last = first["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["role"], "user");
    assert_eq!(last["content"], "I'd love two burgers");

    // The second turn carries the first: the model's call and errand's
    // answer to it under the same tool_call_id.
    let second = &bodies[1];
    let assistant = messages_with_role(second, "assistant");
    assert_eq!(assistant[0]["tool_calls"][0]["id"], "call_1");
    let results = messages_with_role(second, "tool");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["tool_call_id"], "call_1");
    assert_eq!(results[0]["content"], "asked the person for: address");
    let last = second["messages"].as_array().unwrap().last().unwrap();
    assert_eq!(last["content"], "221B Baker Street");
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_several_tool_calls_carry_out_the_first_known_and_answer_every_call() {
    let server = fake(vec![
        calls(vec![
            call("call_a", "check_weather", r#"{"city":"London"}"#),
            call(
                "call_b",
                "book_ride",
                r#"{"pickup":"home","destination":"the airport","ride_type":"premium"}"#,
            ),
            call(
                "call_c",
                "order_food",
                r#"{"item":[{"name":"pizza","quantity":1}],"address":"home"}"#,
            ),
        ]),
        text("You're welcome!"),
    ])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut commands = stack.watch(AGENT_CMD).await;
    let mut person = stack.client("s-llm-several");
    let trace = person
        .say("a premium cab to the airport and a pizza, and what's the weather")
        .await
        .unwrap()
        .to_string();
    person.approve(&trace).await;
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["domain"], "ride");
    assert_eq!(done["result"]["ride_type"], "premium");
    let one: Command = commands
        .next_matching(secs(5), |_: &Command| true)
        .await
        .unwrap();
    assert_eq!(one.action.name(), "book_ride");
    assert!(
        commands.next(secs(1)).await.is_none(),
        "only the first known call is dispatched"
    );

    let next = person
        .say("and the weather, then?")
        .await
        .unwrap()
        .to_string();
    let done = person.final_status(&next).await;
    assert_eq!(done["status"], "declined");
    let reply = person
        .expect(secs(5), "the model's words", |e| {
            e["type"] == "reply" && e["trace_id"] == next.as_str()
        })
        .await;
    assert_eq!(reply["text"], "You're welcome!");

    let bodies = sent(&server).await;
    let results = messages_with_role(&bodies[1], "tool");
    let answered: Vec<(&str, &str)> = results
        .iter()
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap(),
                m["content"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(answered.len(), 3, "every call is answered: {answered:?}");
    assert_eq!(answered[0].0, "call_a");
    assert!(answered[0].1.contains("no function check_weather"));
    assert_eq!(answered[1].0, "call_b");
    assert!(
        answered[1].1.starts_with("asked the person to confirm"),
        "{answered:?}"
    );
    assert_eq!(answered[2].0, "call_c");
    assert!(answered[2].1.starts_with("not done"), "{answered:?}");
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_malformed_arguments_become_questions_never_commands() {
    let server = fake(vec![
        // Not JSON at all.
        calls(vec![call("call_1", "order_food", r#"{"item": [{"name": "#)]),
        // JSON, with every value of the wrong type.
        calls(vec![call(
            "call_2",
            "book_ride",
            r#"{"pickup": 12, "destination": ["the airport"], "seats": "two", "ride_type": "limo"}"#,
        )]),
        // A quantity that is not a whole number drops that item only.
        calls(vec![call(
            "call_3",
            "order_mart",
            r#"{"item":[{"name":"milk","quantity":1.5}],"address":"home"}"#,
        )]),
    ])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut commands = stack.watch(AGENT_CMD).await;

    let mut person = stack.client("s-llm-bad-json");
    person.say("I'd like to order some food").await.unwrap();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["intent"], "order_food");
    assert_eq!(q["missing"], json!(["item", "address"]));
    assert_eq!(q["question"], "What would you like to order?");

    let mut person = stack.client("s-llm-bad-types");
    person.say("I need a cab").await.unwrap();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["intent"], "book_ride");
    assert_eq!(q["missing"], json!(["pickup", "destination"]));

    let mut person = stack.client("s-llm-bad-quantity");
    person.say("I need some groceries").await.unwrap();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["intent"], "order_mart");
    assert_eq!(q["missing"], json!(["item"]));

    assert!(
        commands.next(secs(1)).await.is_none(),
        "nothing was dispatched"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_a_text_answer_is_what_the_person_gets() {
    let server = fake(vec![text(
        "I can't check the weather, but I can order food, book rides or get groceries.",
    )])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut commands = stack.watch(AGENT_CMD).await;
    let mut person = stack.client("s-llm-text");
    let trace = person
        .say("what's the weather tomorrow")
        .await
        .unwrap()
        .to_string();
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "declined");
    let reply = person.expect_type("reply", secs(5)).await;
    assert_eq!(
        reply["text"],
        "I can't check the weather, but I can order food, book rides or get groceries."
    );
    assert!(commands.next(secs(1)).await.is_none());
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_cancel_request_cancels_the_open_command() {
    let server = fake(vec![
        calls(vec![call(
            "call_1",
            "book_ride",
            r#"{"destination":"Paddington"}"#,
        )]),
        calls(vec![call("call_2", "cancel_request", "{}")]),
    ])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut person = stack.client("s-llm-cancel");
    let trace = person
        .say("get me a taxi to Paddington")
        .await
        .unwrap()
        .to_string();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["missing"], json!(["pickup"]));
    person.say("forget it").await.unwrap();
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "cancelled");
    let reply = person.expect_type("reply", secs(5)).await;
    assert_eq!(reply["text"], "OK, I've cancelled the ride.");
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_401_and_400_fall_back_to_the_offline_reader_at_once() {
    for status in [401, 400] {
        let server = fake(vec![error(status, "Incorrect API key provided")]).await;
        let stack = stack_on(&server, Fallback::Offline).await;
        let mut person = stack.client("s-llm-401");
        let trace = person.say("the usual, please").await.unwrap().to_string();
        person.approve(&trace).await;
        let done = person.final_status(&trace).await;
        assert_eq!(done["status"], "confirmed", "{done}");
        assert_eq!(done["domain"], "ride", "the offline reader heard a cab");
        assert_eq!(done["result"]["destination"]["name"], "Heathrow Airport");
        assert_eq!(sent(&server).await.len(), 1, "a {status} is not retried");
        stack.shutdown().await;
    }
}

#[tokio::test]
async fn llm_a_model_slower_than_the_timeout_falls_back_in_bounded_time() {
    let slow = calls(vec![call(
        "call_1",
        "order_food",
        r#"{"item":[{"name":"pizza","quantity":1}]}"#,
    )])
    .set_delay(secs(5));
    let server = fake(vec![slow]).await;
    let stack = stack_with(&server, |c| {
        c.timeout = std::time::Duration::from_millis(300);
        c.retries = 1;
    })
    .await;
    let mut person = stack.client("s-llm-slow");
    let started = std::time::Instant::now();
    let trace = person.say("the usual, please").await.unwrap().to_string();
    person.approve(&trace).await;
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["domain"], "ride", "the offline reader answered");
    assert!(
        started.elapsed() < secs(4),
        "two attempts of 300 ms, not the model's 5 s: {:?}",
        started.elapsed()
    );
    assert_eq!(sent(&server).await.len(), 2, "the attempt and one retry");
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_429_is_retried_and_the_model_answers() {
    let server = fake(vec![
        error(429, "Rate limit reached"),
        calls(vec![call(
            "call_1",
            "book_ride",
            r#"{"pickup":"home","destination":"the airport","ride_type":"xl"}"#,
        )]),
    ])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut person = stack.client("s-llm-429");
    let trace = person
        .say("I need to get to the airport from home")
        .await
        .unwrap()
        .to_string();
    person.approve(&trace).await;
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    // Only the model's call said xl: the offline reader hears a standard cab.
    assert_eq!(done["result"]["ride_type"], "xl");
    assert_eq!(sent(&server).await.len(), 2, "retried once after the 429");
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_500s_fall_back_and_the_person_still_gets_an_answer() {
    let server = fake(vec![error(500, "internal error")]).await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut person = stack.client("s-llm-500");
    let trace = person.say("the usual, please").await.unwrap().to_string();
    person.approve(&trace).await;
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["domain"], "ride", "the offline reader heard a cab");
    assert_eq!(
        sent(&server).await.len(),
        3,
        "the first attempt and two retries, then the offline reader"
    );
    stack.shutdown().await;

    // With the fallback set to decline, the person is asked to try again.
    let server = fake(vec![error(503, "overloaded")]).await;
    let stack = stack_on(&server, Fallback::Decline).await;
    let mut person = stack.client("s-llm-503");
    let trace = person.say("the usual, please").await.unwrap().to_string();
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "declined");
    let reply = person.expect_type("reply", secs(5)).await;
    assert_eq!(reply["text"], UNAVAILABLE);
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_a_registered_domain_is_offered_and_served_without_prompt_edits() {
    let server = fake(vec![calls(vec![call(
        "call_1",
        "order_medicine",
        r#"{"medicine":"ibuprofen","address":"home"}"#,
    )])])
    .await;
    let config = llm_config(&format!("{}/v1", server.uri()));
    let stack = TestStack::start_with(move |o| {
        o.registry.register(crate::domains::PharmacyAgent);
        o.nlu = Arc::new(CabReader);
        o.llm = Some(config);
    })
    .await;
    let mut person = stack.client("s-llm-pharmacy");
    let trace = person
        .say("I need some ibuprofen at home")
        .await
        .unwrap()
        .to_string();
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["details"]["medicine"], "ibuprofen");
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(done["domain"], "pharmacy");
    assert_eq!(done["result"]["medicine"], "ibuprofen");
    let body = &sent(&server).await[0];
    let medicine = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == "order_medicine")
        .expect("the pharmacy's action is offered");
    assert_eq!(
        medicine["function"]["parameters"]["properties"]["medicine"]["type"],
        "string"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn llm_a_redelivered_utterance_is_not_asked_again() {
    let server = fake(vec![calls(vec![call(
        "call_1",
        "book_ride",
        r#"{"destination":"the airport"}"#,
    )])])
    .await;
    let stack = stack_on(&server, Fallback::Offline).await;
    let mut questions = stack.watch(AGENT_OUT_CLARIFY).await;
    let utterance = Utterance {
        utterance_id: "u-redelivered".into(),
        trace_id: TraceId::generate(),
        session_id: "s-llm-redelivery".into(),
        user_id: "demo".into(),
        text: "a cab to the airport".into(),
        source: UtteranceSource::Text,
        received_at_ms: 0,
        session_version: 0,
        act: None,
    };
    for _ in 0..2 {
        stack
            .publish(TRANSCRIPT, utterance.session_id.as_str(), &utterance)
            .await;
        let q: Clarification = questions
            .next_matching(secs(5), |_: &Clarification| true)
            .await
            .expect("the question (replayed the second time)");
        assert_eq!(q.missing, ["pickup"]);
    }
    assert_eq!(sent(&server).await.len(), 1, "the model was asked once");
    stack.shutdown().await;
}

/// Against a real endpoint: `ERRAND_LLM_API_KEY` (and optionally
/// `ERRAND_LLM_BASE_URL`, default OpenAI's, and `ERRAND_LLM_MODEL`). Run
/// with `cargo nextest run --run-ignored only -E 'test(llm_live)'`.
#[tokio::test]
#[ignore = "needs a real model: set ERRAND_LLM_API_KEY"]
async fn llm_live_orders_a_burger_in_two_turns() {
    // Ignored by default; asked for by name, it must really run.
    let key = std::env::var("ERRAND_LLM_API_KEY")
        .expect("the live test needs ERRAND_LLM_API_KEY (it is ignored unless asked for)");
    let base =
        std::env::var("ERRAND_LLM_BASE_URL").unwrap_or_else(|_| "https://api.openai.com/v1".into());
    let mut config = llm_config(&base);
    config.api_key = Some(key);
    config.model = std::env::var("ERRAND_LLM_MODEL")
        .unwrap_or_else(|_| errand_actors::llm::LlmConfig::DEFAULT_MODEL.into());
    config.timeout = secs(30);
    config.fallback = Fallback::Decline;
    let stack = TestStack::start_with(move |o| o.llm = Some(config)).await;
    let mut person = stack.client("s-llm-live");
    let trace = person
        .say("order me two cheeseburgers")
        .await
        .unwrap()
        .to_string();
    let question = person.expect_type("clarify", secs(60)).await;
    assert_eq!(question["missing"], json!(["address"]), "{question}");
    person.say("221B Baker Street").await.unwrap();
    let done = person
        .expect(secs(60), "the final status", |e| {
            e["type"] == "status"
                && e["trace_id"] == trace.as_str()
                && ["confirmed", "failed", "declined", "cancelled"]
                    .contains(&e["status"].as_str().unwrap_or(""))
        })
        .await;
    assert_eq!(done["status"], "confirmed", "{done}");
    stack.shutdown().await;
}

#[tokio::test]
async fn a_turn_is_never_decided_on_a_session_another_node_has_moved_on() {
    use errand_harness::redis::{shared_url, unique_prefix};
    // Each turn asks the model once: a turn decided on a session another
    // node had moved on from would ask it twice (once on the old session,
    // once more after its save found the newer one).
    let server = fake(vec![text("Hello!"), text("Fine, thanks."), text("Bye!")]).await;
    let (prefix, url) = (unique_prefix(), shared_url());
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let config = llm_config(&format!("{}/v1", server.uri()));
        let node = TestStack::start_with_redis(&url, &prefix, move |o| {
            o.nlu = Arc::new(CabReader);
            o.llm = Some(config);
        });
        nodes.push(node.await);
    }
    let (b, a) = (nodes.pop().unwrap(), nodes.pop().unwrap());
    let mut at_a = a.client("s-two-nodes");
    let mut at_b = b.client("s-two-nodes");
    at_a.say("I like turtles").await.unwrap();
    assert_eq!(at_a.expect_type("reply", secs(5)).await["text"], "Hello!");
    at_b.say("my cat is asleep").await.unwrap();
    // (Each socket of the session sees every reply, the other node's too.)
    (at_b.expect(secs(5), "b's reply", |e| e["text"] == "Fine, thanks.")).await;
    // Node a last saved the session two turns ago.
    at_a.say("the sky is grey today").await.unwrap();
    (at_a.expect(secs(5), "a's second reply", |e| e["text"] == "Bye!")).await;
    assert_eq!(
        sent(&server).await.len(),
        3,
        "the model was asked once a turn"
    );
    a.shutdown().await;
    b.shutdown().await;
}
