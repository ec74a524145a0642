//! A session's conversation with the LLM reasoner, kept (bounded) in its
//! [`SessionState`](crate::SessionState) so the next turn's request carries
//! it: what the person said, what the model answered (text or tool calls),
//! and what errand did with each tool call.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Who said a [`ChatMessage`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    /// The person.
    User,
    /// The model.
    Assistant,
    /// errand, answering one of the model's tool calls.
    Tool,
}

/// One function call the model made.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ChatToolCall {
    /// The model's id of the call; errand's answer carries it back.
    pub id: String,
    /// The function (an action's name, `order_food`, or `cancel_request`).
    pub name: String,
    /// The arguments exactly as the model wrote them (JSON text, maybe not
    /// valid).
    pub arguments: String,
}

/// One message of the conversation.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ChatMessage {
    pub role: ChatRole,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// The model's calls (assistant messages only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<ChatToolCall>(), 0..3)"
        )
    )]
    pub tool_calls: Vec<ChatToolCall>,
    /// The call a tool message answers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tool_call_id: String,
}

impl ChatMessage {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::User,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: String::new(),
        }
    }

    pub fn assistant(content: impl Into<String>, tool_calls: Vec<ChatToolCall>) -> Self {
        Self {
            role: ChatRole::Assistant,
            content: content.into(),
            tool_calls,
            tool_call_id: String::new(),
        }
    }

    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::Tool,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_call_id: tool_call_id.into(),
        }
    }
}
