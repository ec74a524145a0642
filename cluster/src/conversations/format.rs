//! The conversation test format: TOML files of dialogues with what each
//! turn must bring back.
//!
//! ```toml
//! [[conversation]]
//! name = "a burger: the address is asked, then the order confirmed"
//!
//! [[conversation.turn]]
//! say = "order me a burger"
//! clarify = ["address"]          # a question for exactly these slots
//!
//! [[conversation.turn]]
//! say = "221B Baker Street"
//! confirm = { merchant = "Burger Barn", total = 1198 }
//!
//! [[conversation.turn]]
//! say = "yes"
//! status = "confirmed"
//! result = { items = [{ name = "cheeseburger", quantity = 1 }] }
//! reply = "Burger Barn"
//! ```
//!
//! Tables and lists compare partially (every key given must match; a list
//! must have as many entries, each matching); text compares without regard
//! to case, and `"~words"` means "contains words".

use serde::Deserialize;

/// One file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(rename = "conversation", default)]
    pub conversations: Vec<Conversation>,
}

/// One dialogue on a session of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub name: String,
    /// Free labels (a category: "repair", "questions"...).
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(rename = "turn", default)]
    pub turns: Vec<Turn>,
    /// Commands that must end `confirmed` over the whole conversation
    /// (counted by trace after the last turn).
    #[serde(default)]
    pub confirmed: Option<usize>,
    /// Commands that must end `cancelled` over the whole conversation.
    #[serde(default)]
    pub cancelled: Option<usize>,
}

/// What the person does, and what must come back before the next turn.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    /// Text, sent as an utterance.
    #[serde(default)]
    pub say: Option<String>,
    /// Sends `say` this many times at once (a double tap), 1 by default.
    #[serde(default)]
    pub repeat: Option<u32>,
    /// A button: `confirm` (the last confirmation) or `cancel` (the last
    /// confirmation, or else the last confirmed command).
    #[serde(default)]
    pub press: Option<Press>,
    /// Waits this long before the turn.
    #[serde(default)]
    pub wait_ms: Option<u64>,
    /// A `clarify` event asking for exactly these slots (any order).
    #[serde(default)]
    pub clarify: Option<Vec<String>>,
    /// Words of the `clarify` or `confirm` question.
    #[serde(default)]
    pub question: Option<String>,
    /// A `confirm` event whose summary matches (`true`: any).
    #[serde(default)]
    pub confirm: Option<toml::Value>,
    /// A `status` event with this status.
    #[serde(default)]
    pub status: Option<String>,
    /// The result of that status (or of the last status with one).
    #[serde(default)]
    pub result: Option<toml::Value>,
    /// Each must be in some `reply` of the turn.
    #[serde(default)]
    pub reply: Option<OneOrMany>,
    /// An `error` event with this code.
    #[serde(default)]
    pub error: Option<String>,
    /// Event types (`confirm`, `clarify`, `reply`...) or statuses
    /// (`dispatched`, `declined`...) that must not come back this turn.
    #[serde(default)]
    pub never: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Press {
    Confirm,
    Cancel,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn all(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Whether `actual` has everything `expected` names.
pub fn matches(expected: &toml::Value, actual: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    use toml::Value as T;
    match (expected, actual) {
        (T::Boolean(true), _) if !actual.is_boolean() => !actual.is_null(),
        (T::Table(want), J::Object(got)) => want.iter().all(|(k, v)| {
            got.get(k).is_some_and(|g| matches(v, g))
                || (matches!(v, T::Boolean(false)) && got.get(k).is_none())
        }),
        (T::Array(want), J::Array(got)) => {
            want.len() == got.len() && want.iter().zip(got).all(|(w, g)| matches(w, g))
        }
        (T::String(want), J::String(got)) => match want.strip_prefix('~') {
            Some(part) => got.to_lowercase().contains(&part.to_lowercase()),
            None => want.eq_ignore_ascii_case(got),
        },
        // A place object matches its name ("pickup": {"name": ...}).
        (T::String(_), J::Object(got)) => got.get("name").is_some_and(|n| matches(expected, n)),
        (T::Integer(want), J::Number(got)) => got.as_i64() == Some(*want),
        (T::Float(want), J::Number(got)) => got.as_f64() == Some(*want),
        (T::Boolean(want), J::Bool(got)) => want == got,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_matching() {
        let want: toml::Value = toml::from_str::<toml::Table>(
            r#"x = { merchant = "burger barn", items = [{ name = "cheeseburger" }], address = "~baker" }"#,
        )
        .map(|t| t["x"].clone())
        .unwrap();
        let got = serde_json::json!({
            "merchant": "Burger Barn",
            "items": [{"name": "cheeseburger", "quantity": 1, "unit_price": 899}],
            "address": "221B Baker Street",
            "total": 1198
        });
        assert!(matches(&want, &got));
        let two = serde_json::json!({"merchant": "Burger Barn", "items": [{"name": "cheeseburger"}, {"name": "fries"}], "address": "221B Baker Street"});
        assert!(!matches(&want, &two));
    }

    #[test]
    fn files_parse() {
        let file: File = toml::from_str(
            r#"
            [[conversation]]
            name = "n"
            confirmed = 1
            [[conversation.turn]]
            say = "order me a burger"
            clarify = ["address"]
            [[conversation.turn]]
            press = "confirm"
            never = ["dispatched"]
            "#,
        )
        .unwrap();
        assert_eq!(file.conversations[0].turns.len(), 2);
        assert_eq!(file.conversations[0].turns[1].press, Some(Press::Confirm));
        assert!(toml::from_str::<File>("[[conversation]]\nname = 'x'\nbogus = 1").is_err());
    }
}
