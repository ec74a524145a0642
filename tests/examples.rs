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
        "order me a burger\n221B Baker Street\nyes\n",
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
    let confirm = events
        .iter()
        .find(|e| e["type"] == "confirm" && &e["trace_id"] == trace)
        .expect("a confirmation before the order");
    assert_eq!(confirm["summary"]["merchant"], "Burger Barn");
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
    let url = format!("ws://{}/v1/ws/text", stack.http_addr());
    let events = tokio::task::spawn_blocking(move || {
        run(
            "repl",
            &["--json", "--url", &url],
            "book a cab from home to the airport\nyes\n",
        )
    })
    .await
    .unwrap();
    let done = events
        .iter()
        .find(|e| e["type"] == "status" && e["status"] == "confirmed")
        .expect("the ride is confirmed through the gateway");
    assert!(done["result"]["booking_id"].is_string());
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

#[test]
fn errand_nlu_predict_and_eval_speak_the_data_format() {
    let dir = std::env::temp_dir().join(format!("errand-nlu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lines.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"a","text":"order me two burgers to 221B Baker Street","intent":"order_food","slots":{"item":"burgers","address":"221B Baker Street"},"slots_annotated":true,"context_dependent":false,"near_domain":false}"#, "\n",
            r#"{"id":"b","text":"book a table for two tonight","intent":"out_of_scope","slots":{},"slots_annotated":false,"context_dependent":false,"near_domain":true}"#, "\n",
            r#"{"id":"c","text":"from home please","intent":"book_ride","slots":{"pickup":"home"},"slots_annotated":true,"context_dependent":true,"near_domain":false}"#, "\n",
        ),
    )
    .unwrap();
    let errand = errand_harness::errand_binary();
    let predict = Command::new(&errand)
        .args(["nlu", "predict"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(predict.status.success());
    let lines: Vec<Value> = String::from_utf8(predict.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["intent"], "order_food");
    assert_eq!(lines[0]["slots"]["address"], "221B Baker Street");
    assert_eq!(lines[1]["intent"], "out_of_scope");
    assert_eq!(
        lines[2]["slots"]["pickup"], "home",
        "read as an answer in its dialogue"
    );
    assert!(lines[0]["latency_us"].is_u64());
    let eval = Command::new(&errand)
        .args(["nlu", "eval"])
        .arg(&file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap();
    for key in [
        "macro_f1",
        "accuracy",
        "oos_false_accept",
        "near_domain_false_accept",
        "slots",
        "intents",
        "latency_p99_us",
        "context_dependent",
    ] {
        assert!(!report[key].is_null(), "{key}");
    }
    assert_eq!(report["near_domain_false_accept"], 0.0);
    assert_eq!(report["context_dependent"]["recall"], 1.0);
    let _ = std::fs::remove_dir_all(dir);
}

/// README.md draws the supervision tree `errand up` runs; it is what
/// `errand tree` prints for the default configuration.
#[test]
fn the_readme_draws_the_tree_errand_up_runs() {
    let output = Command::new(errand_harness::errand_binary())
        .arg("tree")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ERRAND_LOG", "off")
        .output()
        .unwrap();
    assert!(output.status.success(), "errand tree exits cleanly");
    let tree = String::from_utf8(output.stdout).unwrap();
    assert!(tree.starts_with("errand\n├── core"), "{tree}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let drawn = readme
        .split("<!-- errand tree -->\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README.md has the drawing");
    assert_eq!(drawn, tree, "README.md's drawing is errand tree's output");
}

#[test]
fn errand_bench_starts_what_its_scenario_needs_and_reports_json() {
    // Redis and a nisshi broker started by the bench itself, stopped after.
    bench_scenario("kafka");
}

#[test]
fn errand_bench_runs_the_dialogues_on_a_three_node_cluster_it_starts() {
    // Redis, nisshi and three errand nodes (gateway; reasoner, router,
    // tracker; agents), the load on the gateway node.
    bench_scenario("cluster");
}

/// `errand bench --scenario <scenario> --json`: whole dialogues, no error,
/// every percentile, the server's RSS.
fn bench_scenario(scenario: &str) {
    let out = Command::new(errand_harness::errand_binary())
        .args(["bench", "--scenario", scenario, "--duration", "2"])
        .args(["--warmup", "1", "--sessions", "2", "--json"])
        .env_remove("ERRAND_REDIS_URL")
        .env_remove("ERRAND_KAFKA_BROKERS")
        .output()
        .expect("errand bench runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert!(
        report["throughput_per_s"].as_f64().unwrap() > 0.0,
        "{report}"
    );
    for p in ["p50", "p90", "p99", "p999", "max"] {
        assert!(
            report["turn_latency_us"][p].as_u64().unwrap() > 0,
            "{report}"
        );
    }
    assert_eq!(report["errors"], serde_json::json!({}), "{report}");
    assert!(report["server_rss_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn a_cluster_node_without_redis_is_refused_with_a_reason() {
    // Its state would be its own: an agent's host on this node would
    // record steps no gateway on another node reads.
    let out = Command::new(errand_harness::errand_binary())
        .args([
            "node",
            "--roles",
            "agents",
            "--cluster-listen",
            "127.0.0.1:7999",
        ])
        .env_remove("ERRAND_REDIS_URL")
        .env("ERRAND_CLUSTER_COOKIE", "a-test-cookie-long-enough")
        .output()
        .expect("errand node runs");
    assert!(!out.status.success(), "refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("share their state in Redis: set ERRAND_REDIS_URL"),
        "{stderr}"
    );
}
