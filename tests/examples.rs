//! The examples as a user runs them: piped input, `--json` output.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// An example binary built beside this test binary (`cargo test` and
/// `cargo nextest` build the examples with the tests).
fn example(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().unwrap();
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join("examples").join(name);
    assert!(path.exists(), "{} is built with the tests", path.display());
    path
}

fn run(name: &str, args: &[&str], input: &str) -> Vec<Value> {
    let mut child = Command::new(example(name))
        .args(args)
        .env("ERRAND_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{name} exits cleanly");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("stdout line is JSON ({e}): {l}"))
        })
        .collect()
}

#[test]
fn repl_json_runs_the_burger_dialogue() {
    let events = run(
        "repl",
        &["--json"],
        "order me a burger\n221B Baker Street\n",
    );
    let clarify = events
        .iter()
        .find(|e| e["type"] == "clarify")
        .expect("a clarify");
    assert!(
        clarify["missing"]
            .as_array()
            .unwrap()
            .contains(&Value::from("address"))
    );
    let trace = &clarify["trace_id"];
    let done = events
        .iter()
        .find(|e| e["type"] == "status" && e["status"] == "confirmed" && &e["trace_id"] == trace)
        .expect("confirmed for the same trace");
    for field in ["order_id", "items", "total", "currency", "eta_minutes"] {
        assert!(!done["result"][field].is_null(), "{field}");
    }
}

#[tokio::test]
async fn repl_talks_to_a_running_gateway() {
    let stack = errand_harness::TestStack::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/v1/ws/text", listener.local_addr().unwrap());
    let server = tokio::spawn(errand_gateway::serve(listener, stack.node.app_state()));
    let events = tokio::task::spawn_blocking(move || {
        run(
            "repl",
            &["--json", "--url", &url],
            "book a cab from home to the airport\n",
        )
    })
    .await
    .unwrap();
    let done = events
        .iter()
        .find(|e| e["type"] == "status" && e["status"] == "confirmed")
        .expect("the ride is confirmed through the gateway");
    assert!(done["result"]["booking_id"].is_string());
    server.abort();
    stack.shutdown().await;
}

#[test]
fn command_repl_json_confirms_a_food_command() {
    let events = run(
        "command_repl",
        &["--json"],
        "food 2 cheeseburger to 221B Baker Street\n",
    );
    let done = events
        .iter()
        .find(|e| e["type"] == "status" && e["status"] == "confirmed")
        .expect("a confirmed status");
    for field in ["order_id", "items", "total", "currency", "eta_minutes"] {
        assert!(!done["result"][field].is_null(), "{field}");
    }
    assert_eq!(done["result"]["items"][0]["quantity"], 2);
}
