//! The LLM reasoner: a model behind an OpenAI-compatible API reads
//! utterances.

use super::values::{self, Url, at_least, number};
use errand_actors::llm::{Fallback, LlmConfig};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "LLM reasoner")]
pub struct Llm {
    /// an OpenAI-compatible API base (e.g. https://api.openai.com/v1): a
    /// model reads utterances with tool calling [default: (unset: the offline
    /// reader)]
    #[arg(long, env = "ERRAND_LLM_BASE_URL",
        value_parser = values::http_url("https://api.openai.com/v1"))]
    pub llm_base_url: Option<Url>,
    /// bearer key of the LLM endpoint (never logged) [default: (none)]
    #[arg(long, env = "ERRAND_LLM_API_KEY")]
    pub llm_api_key: Option<SecretString>,
    /// the model to ask
    #[arg(long, env = "ERRAND_LLM_MODEL", default_value = "gpt-4o-mini",
        value_parser = values::item)]
    pub llm_model: String,
    /// the longest one model call may take
    #[arg(long, env = "ERRAND_LLM_TIMEOUT_MS", default_value = "10000",
        value_parser = at_least(1u64, "expected milliseconds, at least 1"))]
    pub llm_timeout_ms: u64,
    /// retries of a model call after a 429, a 5xx, a timeout or a broken
    /// connection (never after a 400 or 401)
    #[arg(long, env = "ERRAND_LLM_RETRIES", default_value = "2",
        value_parser = values::retries)]
    pub llm_retries: u32,
    /// when the model fails: offline (the offline reader reads the utterance)
    /// or decline (the person is asked to try again)
    #[arg(long, env = "ERRAND_LLM_FALLBACK", default_value = "offline",
        value_parser = values::fallback)]
    pub llm_fallback: Fallback,
    /// turns of the session's conversation sent with each model call
    #[arg(long, env = "ERRAND_LLM_HISTORY", default_value = "8",
        value_parser = number::<usize>("expected a whole number of turns"))]
    pub llm_history: usize,
}

impl Llm {
    /// The model's endpoint, when a base URL is set.
    pub(super) fn config(&self) -> Option<LlmConfig> {
        let mut llm = LlmConfig::new(self.llm_base_url.as_ref()?.0.clone());
        llm.api_key = self
            .llm_api_key
            .as_ref()
            .map(|k| k.expose_secret().to_owned());
        llm.model = self.llm_model.clone();
        llm.timeout = Duration::from_millis(self.llm_timeout_ms);
        llm.retries = self.llm_retries;
        llm.fallback = self.llm_fallback;
        llm.history_turns = self.llm_history;
        Some(llm)
    }
}
