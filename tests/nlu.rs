//! `errand nlu` as a user runs it, on the shared real utterances
//! (`../shared/data/nlu/`): the built-in model's scores, a held-out run of
//! the training command, the committed model's reproducibility, and
//! `predict`'s output.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nlu")
}

fn files(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| data().join(format!("{n}.jsonl")).display().to_string())
        .collect()
}

fn every_file() -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(data())
        .expect("../shared/data/nlu is beside the project")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| p.display().to_string())
        .collect();
    all.sort();
    all
}

fn errand(args: &[&str], more: &[String]) -> Output {
    let out = Command::new(errand_harness::errand_binary())
        .args(args)
        .args(more)
        .output()
        .expect("errand runs");
    assert!(
        out.status.success(),
        "errand {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

fn f(v: &Value, path: &[&str]) -> f64 {
    path.iter()
        .fold(v, |v, k| &v[*k])
        .as_f64()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
}

#[test]
fn eval_on_the_dev_files_prints_every_score() {
    let r = report(&errand(&["nlu", "eval"], &every_file()));
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
        assert!(r.get(key).is_some(), "{key} missing from {r}");
    }
    for intent in ["order_food", "book_ride", "order_mart", "out_of_scope"] {
        for score in ["precision", "recall", "f1"] {
            assert!(f(&r, &["intents", intent, score]) > 0.0, "{intent} {score}");
        }
    }
    // The built-in model was trained on these files: this guards against
    // a model or reader that regresses, not a measure of generalisation.
    assert!(f(&r, &["macro_f1"]) >= 0.95, "{r}");
    assert!(f(&r, &["oos_false_accept"]) <= 0.005, "{r}");
    assert!(f(&r, &["near_domain_false_accept"]) <= 0.005, "{r}");
    assert!(f(&r, &["slots", "f1"]) >= 0.85, "{r}");
}

/// Trained on the train splits alone, scored on the dev and validation
/// splits and on two sources it never saw (MultiWOZ, SLURP).
#[test]
fn a_model_trained_without_the_dev_files_generalises() {
    let dir = std::env::temp_dir().join(format!("errand-nlu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("heldout.model");
    let mut args = files(&["clinc_train", "multidogo_train", "sgd_train", "snips_train"]);
    args.extend(["--out".to_owned(), model.display().to_string()]);
    errand(&["nlu", "train"], &args);
    let mut args = files(&[
        "clinc_val",
        "multidogo_dev",
        "sgd_dev",
        "snips_validate",
        "multiwoz_val",
        "slurp_devel",
    ]);
    args.extend(["--model".to_owned(), model.display().to_string()]);
    let r = report(&errand(&["nlu", "eval"], &args));
    std::fs::remove_dir_all(&dir).ok();
    eprintln!("held out: {r}");
    assert!(f(&r, &["oos_false_accept"]) <= 0.01, "{r}");
    assert!(f(&r, &["near_domain_false_accept"]) <= 0.01, "{r}");
    assert!(f(&r, &["macro_f1"]) >= 0.82, "{r}");
    assert!(f(&r, &["slots", "f1"]) >= 0.65, "{r}");
}

#[test]
fn the_committed_model_is_what_the_training_command_makes() {
    let dir = std::env::temp_dir().join(format!("errand-nlu-repro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("nlu.model");
    let mut args = every_file();
    args.extend(["--out".to_owned(), model.display().to_string()]);
    errand(&["nlu", "train"], &args);
    let made = std::fs::read(&model).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let committed =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("nlu/models/nlu.model")).unwrap();
    assert!(
        made == committed,
        "nlu/models/nlu.model is stale: retrain with the command in nlu/models/README.md"
    );
}

/// `errand nlu predict ... | head -1`: the reader goes away after a line,
/// and errand stops without a panic.
#[test]
fn predict_stops_quietly_when_its_reader_goes_away() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // More output than a pipe holds, so errand is still writing when the
    // reader goes.
    let probes = Path::new(env!("CARGO_MANIFEST_DIR")).join("nlu/probes/development.jsonl");
    let lines = std::fs::read_to_string(probes).unwrap().repeat(20);
    let dir = std::env::temp_dir().join(format!("errand-nlu-head-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("lines.jsonl");
    std::fs::write(&input, lines).unwrap();
    let mut child = Command::new(errand_harness::errand_binary())
        .args(["nlu", "predict"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("errand runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"intent\""), "{first}");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn predict_prints_one_line_per_input_line() {
    let dir = std::env::temp_dir().join(format!("errand-nlu-predict-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("lines.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id": "a", "text": "order me a burger", "intent": "order_food"}"#,
            "\n",
            r#"{"id": 7, "text": "what's the weather in Paris", "intent": "out_of_scope"}"#,
            "\n",
            r#"{"id": "c", "text": "I need two seats.", "intent": "book_ride", "context_dependent": true}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = errand(&["nlu", "predict"], &[input.display().to_string()]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["intent"], "order_food");
    assert_eq!(lines[0]["slots"]["item"], "burger");
    assert!(lines[0]["latency_us"].is_u64());
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["intent"], "out_of_scope");
    assert_eq!(lines[1]["slots"], serde_json::json!({}));
    // Read as an answer inside a ride dialogue.
    assert_eq!(lines[2]["intent"], "book_ride");
    assert_eq!(lines[2]["slots"]["seats"], "two");

    std::fs::write(
        &input,
        "{\"text\": \"fine\", \"intent\": \"out_of_scope\"}\nnot json\n",
    )
    .unwrap();
    let bad = Command::new(errand_harness::errand_binary())
        .args(["nlu", "eval"])
        .arg(&input)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("lines.jsonl:2"),
        "names the bad line: {message}"
    );
}
