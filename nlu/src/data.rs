//! Labelled utterances in the shared data's format (one JSON object per
//! line: `text`, `intent`, `slots`, `slots_annotated`, `context_dependent`,
//! `near_domain`), and where their slot values stand among the words.

use super::tagger::{SLOTS, Span};
use super::tokens::Token;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Deserialize)]
pub struct LabelledLine {
    #[serde(default)]
    pub id: serde_json::Value,
    pub text: String,
    /// Empty when the line is not labelled (`predict` needs no label;
    /// training skips such lines).
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub slots: BTreeMap<String, serde_json::Value>,
    #[serde(default = "yes")]
    pub slots_annotated: bool,
    #[serde(default)]
    pub context_dependent: bool,
    #[serde(default)]
    pub near_domain: bool,
}

fn yes() -> bool {
    true
}

impl LabelledLine {
    /// Every labelled value: slot name and verbatim text.
    pub fn slot_values(&self) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        for (name, value) in &self.slots {
            match value {
                serde_json::Value::String(s) => out.push((name.as_str(), s.as_str())),
                serde_json::Value::Array(list) => out.extend(
                    list.iter()
                        .filter_map(|v| v.as_str())
                        .map(|s| (name.as_str(), s)),
                ),
                _ => {}
            }
        }
        out
    }
}

/// Reads a JSON-lines file; an unreadable line is an error naming the file
/// and the line.
pub fn read_lines(path: &str) -> Result<Vec<LabelledLine>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", i + 1)))
        .collect()
}

/// The word spans of a line's slot values, or `None` when a value does not
/// fall on word boundaries (such a line cannot teach the tagger). A value
/// given twice is found twice, left to right.
pub(crate) fn align(line: &LabelledLine, tokens: &[Token]) -> Option<Vec<Span>> {
    let lower = line.text.to_lowercase();
    // Lower-casing can move byte offsets in rare scripts; then give up.
    if lower.len() != line.text.len() {
        return None;
    }
    let mut taken = vec![false; tokens.len()];
    let mut spans = Vec::new();
    for (name, value) in line.slot_values() {
        let slot = SLOTS.iter().position(|s| *s == name)?;
        let needle = value.trim().to_lowercase();
        if needle.is_empty() {
            return None;
        }
        let mut found = None;
        for (start, _) in lower.match_indices(&needle) {
            let end = start + needle.len();
            let from = tokens.iter().position(|t| t.start == start);
            let to = tokens.iter().position(|t| t.end == end);
            if let (Some(from), Some(to)) = (from, to)
                && from <= to
                && !taken[from..=to].iter().any(|t| *t)
            {
                found = Some((from, to + 1));
                break;
            }
        }
        let (from, to) = found?;
        taken[from..to].iter_mut().for_each(|t| *t = true);
        spans.push(Span { slot, from, to });
    }
    spans.sort_by_key(|s| s.from);
    Some(spans)
}
