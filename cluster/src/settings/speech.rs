//! Speech to text, for audio on /v1/ws/mic.

use super::values::{self, Url};
use errand_actors::speech::SpeechConfig;
use secrecy::{ExposeSecret, SecretString};

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Speech to text")]
pub struct Speech {
    /// an OpenAI-compatible API base for /audio/transcriptions (e.g. the
    /// local scripts/stt server); audio on /v1/ws/mic is written down there
    /// [default: (unset: no audio)]
    #[arg(long, env = "ERRAND_STT_URL",
        value_parser = values::http_url("http://127.0.0.1:8178/v1"))]
    pub stt_url: Option<Url>,
    /// the transcription model to ask
    #[arg(long, env = "ERRAND_STT_MODEL", default_value = "whisper-1",
        value_parser = values::item)]
    pub stt_model: String,
    /// bearer key of the speech-to-text endpoint (never logged) [default:
    /// (none)]
    #[arg(long, env = "ERRAND_STT_API_KEY")]
    pub stt_api_key: Option<SecretString>,
}

impl Speech {
    /// Speech to text, when its URL is set.
    pub(super) fn config(&self) -> Option<SpeechConfig> {
        let mut stt = SpeechConfig::new(self.stt_url.as_ref()?.0.clone());
        stt.api_key = self
            .stt_api_key
            .as_ref()
            .map(|k| k.expose_secret().to_owned());
        stt.model = self.stt_model.clone();
        Some(stt)
    }
}
