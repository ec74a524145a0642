//! The session's conversation with the model: turned into request
//! messages, extended after each turn (what the person said, what the model
//! answered, and one `tool` message per tool call saying what errand did
//! with it), and cut to the last few turns.

use crate::dialogue::Effect;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, FunctionCall,
};
use errand_schemas::{ChatMessage, ChatRole, Status};

/// Longest message text kept in the history.
pub const MAX_CONTENT_CHARS: usize = 2000;

/// Cuts `text` to `max` characters.
pub fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

pub fn system(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
        content: ChatCompletionRequestSystemMessageContent::Text(text.to_owned()),
        name: None,
    })
}

/// One stored message as a request message.
pub fn to_request(message: &ChatMessage) -> ChatCompletionRequestMessage {
    match message.role {
        ChatRole::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(message.content.clone()),
            name: None,
        }),
        ChatRole::Assistant => {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: (!message.content.is_empty()).then(|| {
                    ChatCompletionRequestAssistantMessageContent::Text(message.content.clone())
                }),
                tool_calls: (!message.tool_calls.is_empty()).then(|| {
                    message
                        .tool_calls
                        .iter()
                        .map(|call| {
                            ChatCompletionMessageToolCalls::Function(
                                ChatCompletionMessageToolCall {
                                    id: call.id.clone(),
                                    function: FunctionCall {
                                        name: call.name.clone(),
                                        arguments: call.arguments.clone(),
                                    },
                                },
                            )
                        })
                        .collect()
                }),
                ..Default::default()
            })
        }
        ChatRole::Tool => ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
            content: ChatCompletionRequestToolMessageContent::Text(message.content.clone()),
            tool_call_id: message.tool_call_id.clone(),
        }),
    }
}

/// Keeps the last `turns` turns of `chat`. A turn starts at a user message,
/// so a tool message never loses the assistant message that called it.
pub fn trim(chat: &mut Vec<ChatMessage>, turns: usize) {
    let starts: Vec<usize> = chat
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == ChatRole::User)
        .map(|(i, _)| i)
        .collect();
    let keep_from = match turns {
        0 => chat.len(),
        n if starts.len() > n => starts[starts.len() - n],
        _ => starts.first().copied().unwrap_or(chat.len()),
    };
    chat.drain(..keep_from);
}

/// What errand did with the turn, as the model's tool call hears it.
pub fn outcome(effects: &[Effect]) -> String {
    if effects.iter().any(|e| matches!(e, Effect::Dispatch(_))) {
        return "dispatched: the person will be told when it is done".into();
    }
    if let Some(question) = effects.iter().find_map(|e| match e {
        Effect::Clarify(q) if !q.question.is_empty() => Some(q),
        _ => None,
    }) {
        if question.summary.is_some() {
            return format!("asked the person to confirm: {}", question.question);
        }
        return format!("asked the person for: {}", question.missing.join(", "));
    }
    let last = effects.iter().rev().find_map(|e| match e {
        Effect::Record(step) if step.status.is_final() => Some(step.status),
        _ => None,
    });
    match last {
        Some(Status::Cancelled) => "cancelled".into(),
        Some(Status::Declined) => "declined".into(),
        Some(status) => status.to_string(),
        None => "nothing done".into(),
    }
}

/// What errand told the person this turn (for a turn the model did not
/// read: it sees it as its own answer).
pub fn said(effects: &[Effect]) -> String {
    let mut parts: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Clarify(q) => {
                let said = [q.reply.as_deref(), Some(q.question.as_str())];
                let said: Vec<&str> = said
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect();
                (!said.is_empty()).then(|| said.join(" "))
            }
            Effect::Record(step) => step.reply.clone(),
            Effect::Dispatch(c) => Some(format!("(dispatched {})", c.action.name())),
        })
        .collect();
    parts.dedup();
    if parts.is_empty() {
        "OK.".into()
    } else {
        clip(&parts.join(" "), MAX_CONTENT_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_schemas::ChatToolCall;

    fn turn(n: usize) -> Vec<ChatMessage> {
        let id = format!("call_{n}");
        vec![
            ChatMessage::user(format!("u{n}")),
            ChatMessage::assistant(
                "",
                vec![ChatToolCall {
                    id: id.clone(),
                    name: "order_food".into(),
                    arguments: "{}".into(),
                }],
            ),
            ChatMessage::tool(id, "asked the person for: item"),
        ]
    }

    #[test]
    fn trimming_keeps_whole_turns() {
        let mut chat: Vec<ChatMessage> = (0..5).flat_map(turn).collect();
        trim(&mut chat, 2);
        assert_eq!(chat.len(), 6);
        assert_eq!(chat[0].content, "u3");
        assert_eq!(chat[2].tool_call_id, "call_3");
        trim(&mut chat, 8);
        assert_eq!(chat.len(), 6);
        trim(&mut chat, 0);
        assert!(chat.is_empty());
        // A history that lost its head never starts with a tool message.
        let mut orphan = turn(1)[1..].to_vec();
        orphan.extend(turn(2));
        trim(&mut orphan, 3);
        assert_eq!(orphan[0].role, ChatRole::User);
    }

    #[test]
    fn stored_messages_become_request_messages() {
        let messages: Vec<_> = turn(7).iter().map(to_request).collect();
        let json = serde_json::to_value(&messages).unwrap();
        assert_eq!(json[0]["role"], "user");
        assert_eq!(json[1]["role"], "assistant");
        assert_eq!(json[1]["tool_calls"][0]["id"], "call_7");
        assert_eq!(json[1]["tool_calls"][0]["type"], "function");
        assert!(json[1].get("content").is_none());
        assert_eq!(json[2]["role"], "tool");
        assert_eq!(json[2]["tool_call_id"], "call_7");
    }
}
