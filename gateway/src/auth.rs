//! Authentication: who is asking.
//!
//! Off (the default): every request is the user `demo`. On, a request
//! carries a bearer token, in the `Authorization` header or (for WebSocket
//! clients that cannot set headers) a `token` query parameter. A token is
//! either one of a static list (`ERRAND_AUTH_TOKENS=tokenA:alice,tokenB:bob`)
//! or an HMAC-signed JWT (`ERRAND_AUTH_JWT_SECRET`): algorithm pinned to
//! HS256, `sub` required, `exp` enforced, `aud` checked when configured.
//! A subject sees only its own sessions and commands. Tokens never appear in
//! logs or errors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use errand_schemas::{ErrorBody, ErrorCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// Static tokens: token to subject.
    pub tokens: HashMap<String, String>,
    pub jwt: Option<JwtConfig>,
}

#[derive(Clone)]
pub struct JwtConfig {
    pub secret: Vec<u8>,
    pub audience: Option<String>,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"***")
            .field("audience", &self.audience)
            .finish()
    }
}

fn unauthorized(message: &str) -> ErrorBody {
    ErrorBody::new(ErrorCode::Unauthorized, message)
}

impl Auth {
    /// Whether requests must carry a token.
    pub fn enabled(&self) -> bool {
        !self.tokens.is_empty() || self.jwt.is_some()
    }

    /// Parses `tokenA:alice,tokenB:bob`.
    pub fn parse_tokens(list: &str) -> Result<HashMap<String, String>, String> {
        let mut tokens = HashMap::new();
        for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((token, subject)) = pair.split_once(':') else {
                return Err("expected token:subject pairs separated by commas".into());
            };
            if token.is_empty() || subject.is_empty() {
                return Err("a token and its subject cannot be empty".into());
            }
            tokens.insert(token.to_owned(), subject.to_owned());
        }
        Ok(tokens)
    }

    /// The subject of a request bearing `token` (`default` when auth is off).
    pub fn subject(
        &self,
        token: Option<&str>,
        default: &str,
        now_secs: u64,
    ) -> Result<String, ErrorBody> {
        if !self.enabled() {
            return Ok(default.to_owned());
        }
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("A bearer token is required."))?;
        if let Some(subject) = self.tokens.get(token) {
            return Ok(subject.clone());
        }
        match &self.jwt {
            Some(jwt) if token.matches('.').count() == 2 => jwt.verify(token, now_secs),
            _ => Err(unauthorized("The token is not valid.")),
        }
    }
}

impl JwtConfig {
    /// Verifies an HS256 JWT and returns its `sub`.
    pub fn verify(&self, token: &str, now_secs: u64) -> Result<String, ErrorBody> {
        let invalid = || unauthorized("The token is not valid.");
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let header: serde_json::Value = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice(&h).ok())
            .ok_or_else(invalid)?;
        if header["alg"] != "HS256" {
            return Err(unauthorized("Only HS256 tokens are accepted."));
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).map_err(|_| invalid())?;
        mac.update(&token.as_bytes()[..token.rfind('.').unwrap_or(0)]);
        mac.verify_slice(&signature).map_err(|_| invalid())?;
        let claims: serde_json::Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or_else(invalid)?;
        let exp = claims["exp"]
            .as_u64()
            .ok_or_else(|| unauthorized("The token has no expiry."))?;
        if exp <= now_secs {
            return Err(unauthorized("The token has expired."));
        }
        if let Some(audience) = &self.audience {
            let matches = match &claims["aud"] {
                serde_json::Value::String(a) => a == audience,
                serde_json::Value::Array(list) => list.iter().any(|a| a == audience.as_str()),
                _ => false,
            };
            if !matches {
                return Err(unauthorized("The token is not for this service."));
            }
        }
        claims["sub"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| unauthorized("The token has no subject."))
    }
}

/// Signs an HS256 JWT (for tests and tools).
pub fn sign_hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// The bearer token of a request: the `Authorization` header, else `?token=`.
pub fn bearer<'a>(
    headers: &'a axum::http::HeaderMap,
    query_token: Option<&'a str>,
) -> Option<&'a str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .or(query_token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt() -> Auth {
        Auth {
            tokens: HashMap::new(),
            jwt: Some(JwtConfig {
                secret: b"s3cret".to_vec(),
                audience: Some("errand".into()),
            }),
        }
    }

    #[test]
    fn jwts_are_checked() {
        let auth = jwt();
        let good = sign_hs256(b"s3cret", &json!({"sub":"alice","exp":2000,"aud":"errand"}));
        assert_eq!(auth.subject(Some(&good), "demo", 1000).unwrap(), "alice");
        assert!(auth.subject(Some(&good), "demo", 2000).is_err(), "expired");
        let wrong_key = sign_hs256(b"other", &json!({"sub":"alice","exp":2000,"aud":"errand"}));
        assert!(auth.subject(Some(&wrong_key), "demo", 1000).is_err());
        let wrong_aud = sign_hs256(
            b"s3cret",
            &json!({"sub":"alice","exp":2000,"aud":"elsewhere"}),
        );
        assert!(auth.subject(Some(&wrong_aud), "demo", 1000).is_err());
        let none_alg = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"sub":"mallory","exp":9999999999}"#)
        );
        assert!(
            auth.subject(Some(&none_alg), "demo", 1000).is_err(),
            "alg pinned"
        );
        assert!(auth.subject(None, "demo", 1000).is_err());
        assert_eq!(Auth::default().subject(None, "demo", 0).unwrap(), "demo");
        let tokens = Auth {
            tokens: Auth::parse_tokens("a:alice, b:bob").unwrap(),
            jwt: None,
        };
        assert_eq!(tokens.subject(Some("b"), "demo", 0).unwrap(), "bob");
        assert!(Auth::parse_tokens("nocolon").is_err());
    }
}

/// The authenticated caller of a request (the `demo` user with auth off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
}

impl Caller {
    /// The session id a caller's `session` names: with auth on, sessions
    /// live in the subject's own namespace, so no one reaches another's.
    pub fn session(&self, state: &crate::AppState, session: &str) -> errand_schemas::SessionId {
        if state.auth.enabled() {
            errand_schemas::SessionId(format!("{}:{session}", self.subject))
        } else {
            errand_schemas::SessionId(session.to_owned())
        }
    }
}

impl axum::extract::FromRequestParts<crate::AppState> for Caller {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let query_token = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
        let now = errand_schemas::now_ms() / 1000;
        state
            .auth
            .subject(bearer(&parts.headers, query_token), &state.user_id, now)
            .map(|subject| Caller { subject })
            .map_err(|e| crate::app::problem(axum::http::StatusCode::UNAUTHORIZED, e))
    }
}
