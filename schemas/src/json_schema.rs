//! JSON Schemas of every topic's value, generated from the Rust types, so a
//! service in another language can produce and consume the topics. The
//! generated files are committed in `schemas/json/`; a test fails when they
//! and the types drift apart. To refresh them after changing a type:
//!
//! ```sh
//! ERRAND_BLESS=1 cargo test -p errand-schemas json_schema
//! ```

use crate::{AgentResult, Clarification, Command, DeadLetter, StatusUpdate, Utterance};
use schemars::JsonSchema;

/// A topic value: errand's versioned envelope around `T`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct Envelope<T> {
    /// Schema version of `data` (1).
    v: u16,
    data: T,
}

fn schema_of<T: JsonSchema>(topic: &str) -> String {
    let mut schema = schemars::schema_for!(Envelope<T>);
    schema.insert(
        "title".into(),
        serde_json::Value::String(format!("errand topic {topic}")),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// (file name, schema) for every topic. `agent.out.<domain>` topics share
/// one schema.
pub fn topic_schemas() -> Vec<(&'static str, String)> {
    vec![
        (
            "transcript.schema.json",
            schema_of::<Utterance>("transcript"),
        ),
        ("agent.cmd.schema.json", schema_of::<Command>("agent.cmd")),
        (
            "agent.out.domain.schema.json",
            schema_of::<AgentResult>("agent.out.<domain>"),
        ),
        (
            "agent.out.clarify.schema.json",
            schema_of::<Clarification>("agent.out.clarify"),
        ),
        (
            "agent.status.schema.json",
            schema_of::<StatusUpdate>("agent.status"),
        ),
        (
            "agent.error.schema.json",
            schema_of::<DeadLetter>("agent.error"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn json_schemas_match_the_committed_files() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("json");
        let bless = std::env::var("ERRAND_BLESS").is_ok_and(|v| v == "1");
        let mut stale = Vec::new();
        for (name, schema) in topic_schemas() {
            let path = dir.join(name);
            if bless {
                std::fs::write(&path, &schema).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(schema.as_str()) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "the committed JSON Schemas {stale:?} differ from the types; \
             run ERRAND_BLESS=1 cargo test -p errand-schemas json_schema and commit schemas/json"
        );
    }

    #[test]
    fn records_validate_against_their_schema_shape() {
        // Spot check: the command schema names the action tag and the slots.
        let (_, command) = &topic_schemas()[1];
        for needle in [
            "\"action\"",
            "order_food",
            "book_ride",
            "order_mart",
            "trace_id",
            "\"v\"",
        ] {
            assert!(command.contains(needle), "{needle}");
        }
    }
}
