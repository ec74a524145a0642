//! The gateway: where it listens, who may use it, what it accepts.

use super::values::{self, number};
use crate::config::ConfigError;
use errand_gateway::Limits;
use errand_gateway::auth::{Auth, JwtConfig};
use secrecy::{ExposeSecret, SecretString};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Gateway")]
pub struct Gateway {
    /// where the gateway listens
    #[arg(long, env = "ERRAND_LISTEN", default_value = "127.0.0.1:8080",
        value_parser = values::address)]
    pub listen: SocketAddr,
    /// static bearer tokens, token:subject pairs separated by commas (never
    /// logged) [default: (none: auth off)]
    #[arg(long, env = "ERRAND_AUTH_TOKENS", value_parser = values::tokens)]
    pub auth_tokens: Option<SecretString>,
    /// HMAC secret of HS256 JWTs (sub and exp required; never logged)
    /// [default: (none: auth off)]
    #[arg(long, env = "ERRAND_AUTH_JWT_SECRET", value_parser = values::jwt_secret)]
    pub auth_jwt_secret: Option<SecretString>,
    /// the aud a JWT must carry [default: (not checked)]
    #[arg(long, env = "ERRAND_AUTH_JWT_AUDIENCE")]
    pub auth_jwt_audience: Option<String>,
    /// origins browser requests that act, stream or open a socket may come
    /// from, comma-separated [default: (the gateway's own; any with auth on)]
    #[arg(long, env = "ERRAND_ALLOWED_ORIGINS", value_delimiter = ',',
        value_parser = values::item)]
    pub allowed_origins: Vec<String>,
    /// characters in one utterance
    #[arg(long, env = "ERRAND_MAX_UTTERANCE_CHARS", default_value = "1000",
        value_parser = number::<usize>("expected a whole number"))]
    pub max_utterance_chars: usize,
    /// bytes in one WebSocket message
    #[arg(long, env = "ERRAND_MAX_FRAME_BYTES", default_value = "65536",
        value_parser = number::<usize>("expected bytes"))]
    pub max_frame_bytes: usize,
    /// utterances per second one session may send (sustained)
    #[arg(long, env = "ERRAND_RATE_PER_SECOND", default_value = "2",
        value_parser = number::<f64>("expected a number"))]
    pub rate_per_second: f64,
    /// utterances one session may send at once
    #[arg(long, env = "ERRAND_RATE_BURST", default_value = "20",
        value_parser = number::<f64>("expected a number"))]
    pub rate_burst: f64,
    /// open sockets per client address
    #[arg(long, env = "ERRAND_MAX_SOCKETS_PER_CLIENT", default_value = "256",
        value_parser = number::<usize>("expected a whole number"))]
    pub max_sockets_per_client: usize,
    /// a socket silent this long is closed
    #[arg(long, env = "ERRAND_IDLE_TIMEOUT_SECS", default_value = "300",
        value_parser = number::<u64>("expected seconds"))]
    pub idle_timeout_secs: u64,
    /// the longest recording /v1/ws/mic takes
    #[arg(long, env = "ERRAND_MAX_AUDIO_SECONDS", default_value = "30",
        value_parser = number::<u32>("expected whole seconds"))]
    pub max_audio_seconds: u32,
    /// the largest recording /v1/ws/mic takes, in bytes
    #[arg(long, env = "ERRAND_MAX_AUDIO_BYTES", default_value = "2097152",
        value_parser = number::<usize>("expected bytes"))]
    pub max_audio_bytes: usize,
}

impl Gateway {
    /// Static tokens and JWTs, when configured.
    pub(super) fn auth(&self) -> Result<Auth, ConfigError> {
        let mut auth = Auth::default();
        if let Some(tokens) = &self.auth_tokens {
            auth.tokens = Auth::parse_tokens(tokens.expose_secret())
                .map_err(|why| ConfigError::invalid("ERRAND_AUTH_TOKENS", "***", why))?;
        }
        auth.jwt = self.auth_jwt_secret.as_ref().map(|secret| JwtConfig {
            secret: secret.expose_secret().as_bytes().to_vec(),
            audience: self.auth_jwt_audience.clone(),
        });
        Ok(auth)
    }

    pub(super) fn limits(&self) -> Result<Limits, ConfigError> {
        if self.rate_burst < 1.0 || self.rate_per_second <= 0.0 {
            return Err(ConfigError::invalid(
                "ERRAND_RATE_BURST",
                format!("{}/{}", self.rate_per_second, self.rate_burst),
                "the rate must be positive and the burst at least 1",
            ));
        }
        Ok(Limits {
            max_utterance_chars: self.max_utterance_chars,
            max_frame_bytes: self.max_frame_bytes,
            utterances_per_second: self.rate_per_second,
            utterance_burst: self.rate_burst,
            max_sockets_per_client: self.max_sockets_per_client,
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_audio_seconds: self.max_audio_seconds,
            max_audio_bytes: self.max_audio_bytes,
        })
    }
}
