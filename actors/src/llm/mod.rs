//! The LLM reasoner: when an OpenAI-compatible endpoint is configured, the
//! model reads each utterance instead of the offline reader, with tool
//! calling. It turns (utterance, open command, bounded history) into the
//! same [`Heard`] the dialogue policy ([`crate::dialogue::decide`]) reads
//! for the offline reader, so questions, corrections, cancels and dispatch
//! stay in one place.
//!
//! - The model is offered one function per registered action
//!   ([`tools`]), `tool_choice: auto`.
//! - A tool call's arguments are checked against the action's slot specs
//!   ([`validate`]): what does not fit is dropped, so a missing or bad
//!   argument ends as a question to the person, never as a guess.
//! - Several tool calls: the first one errand knows (an action or
//!   `cancel_request`) is carried out; every other call is answered "not
//!   done" on the next turn (the first 8 calls are read, the rest ignored).
//! - No tool call: the model's words are the answer (a decline when nothing
//!   is open; said before the open question is asked again otherwise).
//! - The model fails (after bounded retries, [`client`]): the offline
//!   reader reads the turn, or errand says to try again
//!   ([`Fallback`]). The person always gets an answer.
//! - The conversation is kept in the session, bounded ([`history`]), and
//!   each tool call is answered with a `tool` message (its `tool_call_id`)
//!   saying what errand did: "asked the person for: address",
//!   "dispatched", "declined", "cancelled".
//!
//! The reasoner saves the decision with the session, so a redelivered
//! utterance replays it and the model is not asked twice.

pub mod client;
pub mod config;
pub mod error;
pub mod history;
pub mod tools;
pub mod validate;

pub use client::ChatClient;
pub use config::{Fallback, LlmConfig};
pub use error::LlmError;

use crate::dialogue::{Effect, Heard, context};
use crate::nlu::{Intent, Parse, Understand};
use crate::registry::DomainRegistry;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionResponseMessage, ChatCompletionToolChoiceOption,
    ChatCompletionTools, CreateChatCompletionRequest, ToolChoiceOptions,
};
use errand_schemas::{ChatMessage, ChatToolCall, OpenCommand, SlotMap};
use std::sync::Arc;
use std::time::Instant;

/// What the person hears when the model fails and the fallback is
/// [`Fallback::Decline`].
pub const UNAVAILABLE: &str =
    "Sorry, I can't take requests right now. Please try again in a moment.";

/// Most tool calls of one answer errand reads (and keeps in the history).
const MAX_CALLS: usize = 8;

/// How sure errand is of a tool call's intent (above the dialogue's bar
/// for switching to another domain).
const TOOL_CALL_CONFIDENCE: f32 = 0.9;

/// The model behind the reasoner.
pub struct LlmReasoner {
    client: ChatClient,
    config: LlmConfig,
    registry: DomainRegistry,
    tools: Vec<ChatCompletionTools>,
    offline: Arc<dyn Understand>,
}

/// One turn as the model (or the fallback) read it.
#[derive(Clone, Debug)]
pub struct LlmTurn {
    pub heard: Heard,
    /// What the model answered; `None` when the fallback read the turn.
    answer: Option<Answer>,
}

#[derive(Clone, Debug)]
struct Answer {
    content: String,
    calls: Vec<ChatToolCall>,
    /// The call carried out, with what its arguments lost.
    chosen: Option<(usize, Vec<String>)>,
}

impl LlmReasoner {
    /// A reasoner for `config`'s endpoint offering `registry`'s actions;
    /// `offline` reads the turns the model cannot.
    pub fn new(
        config: LlmConfig,
        registry: &DomainRegistry,
        offline: Arc<dyn Understand>,
    ) -> Result<Self, LlmError> {
        Ok(Self {
            client: ChatClient::new(&config)?,
            tools: tools::tools(registry),
            registry: registry.clone(),
            config,
            offline,
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// Reads `text`, said while `open` (if any) waits for an answer, after
    /// `history`. Never fails: when the model does, the fallback reads it.
    pub async fn hear(
        &self,
        text: &str,
        open: Option<&OpenCommand>,
        history: &[ChatMessage],
    ) -> LlmTurn {
        let request = self.request(text, open, history);
        let started = Instant::now();
        match self.client.complete(&request).await {
            Ok(completion) => {
                let turn = self.read(completion.message, open);
                tracing::info!(
                    llm.model = %self.config.model,
                    llm.attempts = completion.attempts,
                    llm.latency_ms = started.elapsed().as_millis() as u64,
                    llm.action = %turn.heard.action,
                    llm.tool_calls = turn.answer.as_ref().map_or(0, |a| a.calls.len()),
                    "model read the utterance"
                );
                turn
            }
            Err(e) => {
                tracing::warn!(
                    llm.model = %self.config.model,
                    llm.error = e.code(),
                    llm.latency_ms = started.elapsed().as_millis() as u64,
                    llm.fallback = self.config.fallback.as_str(),
                    "model unavailable: {e}; falling back"
                );
                self.fallback(text, open)
            }
        }
    }

    /// The chat completion request for one turn.
    pub fn request(
        &self,
        text: &str,
        open: Option<&OpenCommand>,
        history: &[ChatMessage],
    ) -> CreateChatCompletionRequest {
        let mut messages = vec![history::system(tools::SYSTEM_PROMPT)];
        let mut kept = history.to_vec();
        history::trim(&mut kept, self.config.history_turns);
        messages.extend(kept.iter().map(history::to_request));
        if let Some(open) = open {
            messages.push(history::system(&tools::open_note(open)));
        }
        messages.push(history::to_request(&ChatMessage::user(history::clip(
            text,
            history::MAX_CONTENT_CHARS,
        ))));
        CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages,
            tools: Some(self.tools.clone()),
            tool_choice: Some(ChatCompletionToolChoiceOption::Mode(
                ToolChoiceOptions::Auto,
            )),
            ..Default::default()
        }
    }

    /// Reads the model's answer.
    fn read(&self, message: ChatCompletionResponseMessage, open: Option<&OpenCommand>) -> LlmTurn {
        let content = message
            .content
            .filter(|c| !c.trim().is_empty())
            .or(message.refusal)
            .map(|c| history::clip(c.trim(), history::MAX_CONTENT_CHARS))
            .unwrap_or_default();
        // Only function calls: errand offers no other kind of tool.
        let calls: Vec<ChatToolCall> = message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .filter_map(|call| match call {
                ChatCompletionMessageToolCalls::Function(f) => Some(f),
                ChatCompletionMessageToolCalls::Custom(_) => None,
            })
            .take(MAX_CALLS)
            .enumerate()
            .map(|(i, f)| ChatToolCall {
                id: if f.id.is_empty() {
                    format!("call_{i}")
                } else {
                    f.id
                },
                name: f.function.name,
                arguments: history::clip(&f.function.arguments, history::MAX_CONTENT_CHARS * 2),
            })
            .collect();
        let chosen = calls
            .iter()
            .position(|c| c.name == tools::CANCEL || self.registry.action(&c.name).is_some());
        let Some(index) = chosen else {
            let heard = Heard {
                reply: (!content.is_empty()).then(|| content.clone()),
                ..Heard::from(Parse::out_of_scope())
            };
            return LlmTurn {
                heard,
                answer: Some(Answer {
                    content,
                    calls,
                    chosen: None,
                }),
            };
        };
        let call = &calls[index];
        let (heard, problems) = if call.name == tools::CANCEL {
            let action = open.map_or(Intent::OutOfScope.as_str(), |o| o.action.as_str());
            let parse = Parse {
                cancel: true,
                ..tool_parse(action, SlotMap::new())
            };
            (heard(parse, action), Vec::new())
        } else {
            let checked = self
                .registry
                .action(&call.name)
                .map(|(_, spec)| validate::check(spec, &call.arguments))
                .unwrap_or_default();
            if !checked.problems.is_empty() {
                tracing::info!(
                    llm.function = %call.name,
                    llm.problems = ?checked.problems,
                    "model arguments dropped"
                );
            }
            (
                heard(tool_parse(&call.name, checked.slots), &call.name),
                checked.problems,
            )
        };
        LlmTurn {
            heard,
            answer: Some(Answer {
                content,
                calls,
                chosen: Some((index, problems)),
            }),
        }
    }

    fn fallback(&self, text: &str, open: Option<&OpenCommand>) -> LlmTurn {
        let heard = match self.config.fallback {
            Fallback::Offline => Heard::from(self.offline.parse(text, &context(open))),
            Fallback::Decline => Heard {
                reply: Some(UNAVAILABLE.into()),
                ..Heard::from(Parse::out_of_scope())
            },
        };
        LlmTurn {
            heard,
            answer: None,
        }
    }

    /// Adds the turn to the session's conversation: what the person said,
    /// what the model answered, and what errand did with each tool call
    /// (`effects`); then keeps the last turns only.
    pub fn remember(
        &self,
        chat: &mut Vec<ChatMessage>,
        text: &str,
        turn: &LlmTurn,
        effects: &[Effect],
    ) {
        chat.push(ChatMessage::user(history::clip(
            text,
            history::MAX_CONTENT_CHARS,
        )));
        match &turn.answer {
            None => chat.push(ChatMessage::assistant(history::said(effects), Vec::new())),
            Some(answer) => {
                chat.push(ChatMessage::assistant(
                    answer.content.clone(),
                    answer.calls.clone(),
                ));
                for (i, call) in answer.calls.iter().enumerate() {
                    let result = match &answer.chosen {
                        Some((chosen, problems)) if *chosen == i => {
                            let mut result = history::outcome(effects);
                            if !problems.is_empty() {
                                result.push_str("; ignored: ");
                                result.push_str(&problems.join("; "));
                            }
                            result
                        }
                        _ if self.is_known(&call.name) => {
                            "not done: one request at a time; call it again after this one".into()
                        }
                        _ => format!("not done: there is no function {}", call.name),
                    };
                    chat.push(ChatMessage::tool(
                        call.id.clone(),
                        history::clip(&result, history::MAX_CONTENT_CHARS),
                    ));
                }
            }
        }
        history::trim(chat, self.config.history_turns);
    }

    /// Adds a turn errand read itself (a yes, a question) to the
    /// conversation, so the model knows what happened.
    pub fn note(&self, chat: &mut Vec<ChatMessage>, text: &str, effects: &[Effect]) {
        let turn = LlmTurn {
            heard: Heard::from(Parse::out_of_scope()),
            answer: None,
        };
        self.remember(chat, text, &turn, effects);
    }

    fn is_known(&self, name: &str) -> bool {
        name == tools::CANCEL || self.registry.action(name).is_some()
    }
}

fn tool_parse(action: &str, slots: SlotMap) -> Parse {
    Parse {
        intent: Intent::parse(action).unwrap_or(Intent::OutOfScope),
        confidence: TOOL_CALL_CONFIDENCE,
        slots,
        cancel: false,
        correction: false,
        answer: SlotMap::new(),
    }
}

fn heard(parse: Parse, action: &str) -> Heard {
    Heard {
        action: action.to_owned(),
        ..Heard::from(parse)
    }
}
