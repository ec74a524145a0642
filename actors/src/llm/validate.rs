//! A tool call's arguments checked against the action's slot specs. What
//! fits is kept; what does not (a wrong type, a value out of range, an
//! unknown name, arguments that are not JSON) is dropped and noted, never
//! repaired by guessing. A dropped required slot is then missing, and the
//! dialogue asks the person for it.

use crate::registry::{ActionSpec, SlotKind, SlotSpec};
use errand_schemas::{ItemRequest, SlotMap, SlotValue};
use serde_json::Value;

/// Longest text value kept.
const MAX_TEXT_CHARS: usize = 200;
/// Most items kept in one slot.
const MAX_ITEMS: usize = 50;

/// The slots that passed, and what was dropped and why.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    pub slots: SlotMap,
    pub problems: Vec<String>,
}

/// Checks `arguments` (the model's JSON text) against `action`.
pub fn check(action: &ActionSpec, arguments: &str) -> Checked {
    let mut checked = Checked::default();
    let arguments = arguments.trim();
    let value = if arguments.is_empty() {
        Value::Object(Default::default())
    } else {
        match serde_json::from_str::<Value>(arguments) {
            Ok(value) => value,
            Err(_) => {
                checked
                    .problems
                    .push("the arguments are not valid JSON".into());
                return checked;
            }
        }
    };
    let Value::Object(fields) = value else {
        checked
            .problems
            .push("the arguments are not a JSON object".into());
        return checked;
    };
    for (name, value) in fields {
        let Some(spec) = action.slot(&name) else {
            checked.problems.push(format!("{name}: no such argument"));
            continue;
        };
        if value.is_null() {
            continue;
        }
        match slot_value(spec, &value, &mut checked.problems) {
            Some(v) => {
                checked.slots.insert(name, v);
            }
            None => checked
                .problems
                .push(format!("{name}: dropped, expected {}", expected(spec))),
        }
    }
    checked
}

fn expected(spec: &SlotSpec) -> String {
    match spec.kind {
        SlotKind::Text | SlotKind::Place if !spec.choices.is_empty() => {
            format!("one of {}", spec.choices.join(", "))
        }
        SlotKind::Text | SlotKind::Place | SlotKind::Time => "a non-empty string".into(),
        SlotKind::Number => "a whole number".into(),
        SlotKind::Items => "a list of {name, quantity} with whole quantities of at least 1".into(),
    }
}

fn slot_value(spec: &SlotSpec, value: &Value, problems: &mut Vec<String>) -> Option<SlotValue> {
    match spec.kind {
        SlotKind::Text | SlotKind::Place | SlotKind::Time => {
            let text = text(value)?;
            if spec.choices.is_empty() {
                return Some(SlotValue::Text(text));
            }
            spec.choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&text))
                .map(|c| SlotValue::Text(c.clone()))
        }
        SlotKind::Number => count(value, 0).map(SlotValue::Number),
        SlotKind::Items => {
            let list = value.as_array()?;
            let mut items = Vec::new();
            for (i, entry) in list.iter().enumerate() {
                let item = entry.as_object().and_then(|o| {
                    let name = text(o.get("name")?)?;
                    let quantity = count(o.get("quantity")?, 1)?;
                    let note = match o.get("note") {
                        None => None,
                        Some(note) => Some(text(note)?),
                    };
                    let known = o
                        .keys()
                        .all(|k| k == "name" || k == "quantity" || k == "note");
                    known.then_some(ItemRequest {
                        note,
                        ..ItemRequest::new(name, quantity)
                    })
                });
                match item {
                    Some(item) if items.len() < MAX_ITEMS => items.push(item),
                    Some(_) => problems.push(format!("{}[{i}]: too many items", spec.name)),
                    None => problems.push(format!(
                        "{}[{i}]: dropped, expected {{name, quantity}} with a whole quantity of at least 1",
                        spec.name
                    )),
                }
            }
            (!items.is_empty()).then_some(SlotValue::Items(items))
        }
    }
}

fn text(value: &Value) -> Option<String> {
    let text = value.as_str()?.trim();
    (!text.is_empty() && text.chars().count() <= MAX_TEXT_CHARS).then(|| text.to_owned())
}

/// A JSON integer (not a float, not a string) of at least `min` that fits
/// a `u32`.
fn count(value: &Value, min: u32) -> Option<u32> {
    let n = u32::try_from(value.as_u64()?).ok()?;
    (n >= min).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::ride::RideAgent;
    use crate::registry::{DomainAgent, DomainRegistry};

    fn food() -> ActionSpec {
        FoodAgent::simulated().spec().actions.remove(0)
    }

    fn items(pairs: &[(&str, u32)]) -> SlotValue {
        SlotValue::Items(
            pairs
                .iter()
                .map(|(n, q)| ItemRequest::new(*n, *q))
                .collect(),
        )
    }

    #[test]
    fn good_arguments_become_slots() {
        let c = check(
            &food(),
            r#"{"item":[{"name":"cheeseburger","quantity":2}],"address":" 221B Baker Street "}"#,
        );
        assert!(c.problems.is_empty(), "{c:?}");
        assert_eq!(c.slots["item"], items(&[("cheeseburger", 2)]));
        assert_eq!(
            c.slots["address"],
            SlotValue::Text("221B Baker Street".into())
        );
    }

    #[test]
    fn bad_values_are_dropped_not_repaired() {
        let c = check(
            &food(),
            r#"{"item":[{"name":"burger","quantity":"2"},{"name":"fries","quantity":1.5},{"name":"cola","quantity":0},{"name":"pie","quantity":1}],"address":42,"tip":5}"#,
        );
        assert_eq!(c.slots.get("item"), Some(&items(&[("pie", 1)])));
        assert!(!c.slots.contains_key("address"));
        assert_eq!(c.problems.len(), 5, "{:?}", c.problems);
        let c = check(&food(), r#"{"item": "burger", "address": ""}"#);
        assert!(c.slots.is_empty(), "{c:?}");
        assert!(check(&food(), "{\"item\": [").slots.is_empty());
        assert!(check(&food(), "[1, 2]").slots.is_empty());
        assert_eq!(check(&food(), "").problems, Vec::<String>::new());
    }

    #[test]
    fn choices_and_numbers() {
        let registry = DomainRegistry::new().with(RideAgent::simulated());
        let (_, ride) = registry.action("book_ride").unwrap();
        let c = check(ride, r#"{"ride_type":"XL","seats":3,"pickup":"home"}"#);
        assert_eq!(c.slots["ride_type"], SlotValue::Text("xl".into()));
        assert_eq!(c.slots["seats"], SlotValue::Number(3));
        let c = check(ride, r#"{"ride_type":"limo","seats":-1}"#);
        assert!(c.slots.is_empty(), "{c:?}");
        let c = check(ride, r#"{"seats":5000000000}"#);
        assert!(c.slots.is_empty(), "{c:?}");
    }
}
