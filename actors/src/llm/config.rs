//! How to reach the model and what to do when it fails.

use std::time::Duration;

/// What answers the person when the model cannot (after its retries).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fallback {
    /// The offline reader reads the turn instead.
    #[default]
    Offline,
    /// A polite "try again in a moment" (declined, or the open question
    /// asked again).
    Decline,
}

impl Fallback {
    pub fn as_str(self) -> &'static str {
        match self {
            Fallback::Offline => "offline",
            Fallback::Decline => "decline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "offline" => Some(Fallback::Offline),
            "decline" => Some(Fallback::Decline),
            _ => None,
        }
    }
}

/// An OpenAI-compatible chat completions endpoint.
#[derive(Clone, PartialEq, Eq)]
pub struct LlmConfig {
    /// The API base, e.g. `https://api.openai.com/v1`: requests go to
    /// `{base_url}/chat/completions`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; never logged or shown.
    pub api_key: Option<String>,
    pub model: String,
    /// The longest one attempt may take.
    pub timeout: Duration,
    /// Attempts after the first, on 429, 5xx, a timeout or a broken
    /// connection (never on 400 or 401).
    pub retries: u32,
    /// The wait before the first retry; doubled each time (at most 16 times
    /// this), with jitter.
    pub backoff: Duration,
    pub fallback: Fallback,
    /// Turns of the conversation sent with each request (0: none).
    pub history_turns: usize,
}

impl LlmConfig {
    pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

    /// The defaults for the endpoint at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim().trim_end_matches('/').to_owned(),
            api_key: None,
            model: Self::DEFAULT_MODEL.into(),
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(250),
            fallback: Fallback::Offline,
            history_turns: 8,
        }
    }

    /// The base URL with any user and password in it masked.
    pub fn masked_base_url(&self) -> String {
        let Some((scheme, rest)) = self.base_url.split_once("://") else {
            return self.base_url.clone();
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        match authority.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}{path}"),
            None => self.base_url.clone(),
        }
    }
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.masked_base_url())
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("fallback", &self.fallback)
            .field("history_turns", &self.history_turns)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_hidden() {
        let mut c = LlmConfig::new("https://user:pw@llm.example/v1/");
        c.api_key = Some("sk-secret".into());
        assert_eq!(c.base_url, "https://user:pw@llm.example/v1");
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("sk-secret") && !shown.contains("pw"),
            "{shown}"
        );
        assert_eq!(c.masked_base_url(), "https://***@llm.example/v1");
        assert_eq!(
            LlmConfig::new("http://127.0.0.1:1/v1").masked_base_url(),
            "http://127.0.0.1:1/v1"
        );
        assert_eq!(Fallback::parse("decline"), Some(Fallback::Decline));
        assert_eq!(Fallback::parse("maybe"), None);
    }
}
