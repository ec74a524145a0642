//! Speech to text through any OpenAI-compatible `/audio/transcriptions`
//! endpoint (OpenAI's Whisper, or the local faster-whisper server in
//! `scripts/stt/`), with `async-openai`'s audio API.

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::types::audio::{AudioInput, CreateTranscriptionRequest};
use std::time::Duration;

/// Where speech goes to be written down.
#[derive(Clone, Debug)]
pub struct SpeechConfig {
    /// The API base, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// Words to steer the model toward errand's vocabulary.
    pub prompt: String,
    pub timeout: Duration,
}

impl SpeechConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            api_key: None,
            model: "whisper-1".into(),
            prompt: "Order me a burger. Book a cab to the airport. Buy milk and eggs.".into(),
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("speech-to-text did not answer in {0:?}")]
    Timeout(Duration),
    #[error("speech-to-text failed: {0}")]
    Failed(String),
}

#[derive(serde::Deserialize)]
struct Transcript {
    text: String,
}

/// A transcription client for one endpoint.
#[derive(Clone)]
pub struct SpeechToText {
    client: Client<OpenAIConfig>,
    config: SpeechConfig,
}

impl std::fmt::Debug for SpeechToText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechToText")
            .field("base_url", &self.config.base_url)
            .field("model", &self.config.model)
            .finish()
    }
}

impl SpeechToText {
    pub fn new(config: SpeechConfig) -> Self {
        let openai = OpenAIConfig::new()
            .with_api_base(config.base_url.clone())
            .with_api_key(config.api_key.clone().unwrap_or_default())
            .with_org_id("")
            .with_project_id("");
        Self {
            client: Client::with_config(openai),
            config,
        }
    }

    /// The text of a WAV recording.
    pub async fn transcribe(&self, wav: Vec<u8>) -> Result<String, SpeechError> {
        let request = CreateTranscriptionRequest {
            file: AudioInput::from_vec_u8("speech.wav".into(), wav),
            model: self.config.model.clone(),
            language: Some("en".into()),
            prompt: Some(self.config.prompt.clone()),
            ..Default::default()
        };
        // Only `text` is read: servers differ in what else they send.
        let answer: Transcript = tokio::time::timeout(
            self.config.timeout,
            self.client.audio().transcription().create_byot(request),
        )
        .await
        .map_err(|_| SpeechError::Timeout(self.config.timeout))?
        .map_err(|e| SpeechError::Failed(e.to_string()))?;
        Ok(answer.text.trim().to_owned())
    }
}
