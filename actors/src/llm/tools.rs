//! What the model is offered: one function per registered action, its
//! parameters a JSON Schema generated from the action's slots, plus
//! `cancel_request`; and a short system prompt. A newly registered domain
//! shows up here with no prompt edit.

use crate::registry::{ActionSpec, DomainRegistry, SlotKind, SlotSpec};
use async_openai::types::chat::{ChatCompletionTool, ChatCompletionTools, FunctionObject};
use errand_schemas::OpenCommand;
use serde_json::{Value, json};

/// The function that cancels the request being put together.
pub const CANCEL: &str = "cancel_request";

pub const SYSTEM_PROMPT: &str = "You are errand, an assistant that carries out requests with \
the functions you are given, and nothing else. When the person asks for something a function \
does, call it with only the details they gave or that the conversation makes clear: never \
invent an address, a place, an item or a quantity; errand asks the person for whatever is \
missing. When they answer one of errand's questions, call the same function again with the \
answer. When they want to stop, call cancel_request. When the request is something no function \
does, answer in one short sentence that you cannot help with it.";

/// Every function the model may call, in registry order.
pub fn tools(registry: &DomainRegistry) -> Vec<ChatCompletionTools> {
    let mut tools: Vec<ChatCompletionTools> = registry
        .domains()
        .filter_map(|name| registry.spec(name))
        .flat_map(|domain| domain.actions.iter().map(move |a| (domain, a)))
        .map(|(domain, action)| {
            function(
                &action.name,
                &format!("{} ({})", action.description, domain.description),
                parameters(action),
            )
        })
        .collect();
    tools.push(function(
        CANCEL,
        "Cancel the request being put together (the person said never mind, cancel, stop).",
        json!({"type": "object", "properties": {}, "additionalProperties": false}),
    ));
    tools
}

fn function(name: &str, description: &str, parameters: Value) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            parameters: Some(parameters),
            strict: None,
        },
    })
}

/// The JSON Schema of an action's arguments. Required slots are not
/// `required` in the schema: a model pushed to fill one would guess it,
/// and errand would rather ask the person.
pub fn parameters(action: &ActionSpec) -> Value {
    let properties: serde_json::Map<String, Value> = action
        .slots
        .iter()
        .map(|slot| (slot.name.clone(), slot_schema(slot)))
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

fn slot_schema(slot: &SlotSpec) -> Value {
    let description = if slot.required {
        format!(
            "{} (needed: leave it out if the person has not said it)",
            slot.description
        )
    } else {
        slot.description.clone()
    };
    match slot.kind {
        SlotKind::Text | SlotKind::Place if !slot.choices.is_empty() => json!({
            "type": "string",
            "enum": slot.choices,
            "description": description,
        }),
        SlotKind::Text | SlotKind::Place => json!({
            "type": "string",
            "minLength": 1,
            "description": description,
        }),
        SlotKind::Time => json!({
            "type": "string",
            "minLength": 1,
            "description": format!("{description}: as the person said it (\"tomorrow at 5pm\", \"in 20 minutes\")"),
        }),
        SlotKind::Number => json!({
            "type": "integer",
            "minimum": 0,
            "description": description,
        }),
        SlotKind::Items => json!({
            "type": "array",
            "minItems": 1,
            "description": description,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "description": "what, e.g. cheeseburger"},
                    "quantity": {"type": "integer", "minimum": 1, "description": "how many"},
                    "note": {"type": "string", "description": "sizes and extras as said, e.g. large, no onions"},
                },
                "required": ["name", "quantity"],
                "additionalProperties": false,
            },
        }),
    }
}

/// What the model is told about the request being put together, if any.
pub fn open_note(open: &OpenCommand) -> String {
    let slots = serde_json::to_string(&open.slots).unwrap_or_default();
    format!(
        "Being put together: {} with {slots}. errand just asked the person for: {}. If they \
         answer, call {} again with what they said.",
        open.action,
        open.missing.join(", "),
        open.action
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agents::food::FoodAgent;
    use crate::agents::ride::RideAgent;

    #[test]
    fn one_function_per_action_with_typed_parameters() {
        let registry = DomainRegistry::new()
            .with(FoodAgent::simulated())
            .with(RideAgent::simulated());
        let tools = serde_json::to_value(tools(&registry)).unwrap();
        let names: Vec<&str> = tools
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["order_food", "book_ride", CANCEL]);
        assert_eq!(tools[0]["type"], "function");
        let food = &tools[0]["function"]["parameters"];
        assert_eq!(food["properties"]["item"]["type"], "array");
        assert_eq!(
            food["properties"]["item"]["items"]["properties"]["quantity"]["type"],
            "integer"
        );
        assert_eq!(food["properties"]["address"]["type"], "string");
        assert!(food.get("required").is_none());
        let ride = &tools[1]["function"]["parameters"];
        assert_eq!(ride["properties"]["seats"]["type"], "integer");
        assert_eq!(
            ride["properties"]["ride_type"]["enum"],
            json!(["standard", "shared", "xl", "premium"])
        );
    }
}
