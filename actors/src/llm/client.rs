//! One chat completion, with a timeout per attempt and bounded retries
//! (429, 5xx, timeouts, broken connections) with exponential backoff;
//! 400, 401 and a 429 for an exhausted quota are answered at once.

use super::config::LlmConfig;
use super::error::LlmError;
use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::middleware::ReqwestService;
use async_openai::types::chat::{ChatCompletionResponseMessage, CreateChatCompletionRequest};
use std::time::{Duration, Instant};

/// What the model answered, and how many attempts it took.
#[derive(Debug)]
pub struct Completion {
    pub message: ChatCompletionResponseMessage,
    pub attempts: u32,
}

/// A chat completions client for one endpoint.
#[derive(Clone)]
pub struct ChatClient {
    client: Client<OpenAIConfig>,
    config: LlmConfig,
}

impl ChatClient {
    pub fn new(config: &LlmConfig) -> Result<Self, LlmError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| LlmError::Config(e.to_string()))?;
        // Everything explicit: OpenAIConfig's defaults read OPENAI_* variables.
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.clone())
            .with_api_key(config.api_key.clone().unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        // The plain transport: async-openai's default one retries on its own
        // terms, errand retries in `complete`, bounded by its configuration.
        let client =
            Client::build(http.clone(), openai).with_http_service(ReqwestService::new(http));
        Ok(Self {
            client,
            config: config.clone(),
        })
    }

    /// Sends `request`, retrying what may succeed on another attempt.
    pub async fn complete(
        &self,
        request: &CreateChatCompletionRequest,
    ) -> Result<Completion, LlmError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let started = Instant::now();
            let answer = match tokio::time::timeout(
                self.config.timeout,
                self.client.chat().create(request.clone()),
            )
            .await
            {
                Err(_) => Err(LlmError::Timeout(self.config.timeout)),
                Ok(Err(e)) => Err(match LlmError::from(e) {
                    LlmError::Timeout(_) => LlmError::Timeout(self.config.timeout),
                    e => e,
                }),
                Ok(Ok(response)) => response
                    .choices
                    .into_iter()
                    .next()
                    .map(|choice| choice.message)
                    .ok_or_else(|| LlmError::BadResponse("no choice in the answer".into())),
            };
            let latency_ms = started.elapsed().as_millis() as u64;
            match answer {
                Ok(message) => {
                    tracing::debug!(
                        llm.attempt = attempts,
                        llm.latency_ms = latency_ms,
                        "model answered"
                    );
                    return Ok(Completion { message, attempts });
                }
                Err(e) if e.retryable() && attempts <= self.config.retries => {
                    let wait = backoff(self.config.backoff, attempts);
                    tracing::warn!(
                        llm.attempt = attempts,
                        llm.latency_ms = latency_ms,
                        llm.error = e.code(),
                        llm.retry_in_ms = wait.as_millis() as u64,
                        "model call failed: {e}; retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    tracing::warn!(
                        llm.attempt = attempts,
                        llm.latency_ms = latency_ms,
                        llm.error = e.code(),
                        "model call failed: {e}"
                    );
                    return Err(e);
                }
            }
        }
    }
}

/// The wait after failed attempt `attempt` (1-based): `base` doubled per
/// attempt, at most 16 times `base`, minus up to a quarter of jitter.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let full = base.saturating_mul(1 << attempt.saturating_sub(1).min(4));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let jitter = full.mul_f64(f64::from(nanos % 1000) / 4000.0);
    full.saturating_sub(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let base = Duration::from_millis(100);
        for attempt in 1..10 {
            let wait = backoff(base, attempt);
            let full = base * (1 << (attempt - 1).min(4));
            assert!(wait <= full && wait >= full * 3 / 4, "{attempt}: {wait:?}");
        }
    }
}
