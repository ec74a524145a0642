//! Authentication: who is asking.
//!
//! Off (the default): every request is the user `demo`. On, a request
//! carries a bearer token, in the `Authorization` header or (for WebSocket
//! clients that cannot set headers) a `token` query parameter. A token is
//! either one of a static list (`ERRAND_AUTH_TOKENS=tokenA:alice,tokenB:bob`)
//! or an HMAC-signed JWT (`ERRAND_AUTH_JWT_SECRET`), checked with
//! `jsonwebtoken`: algorithm pinned to HS256, `sub` required, `exp`
//! enforced (no leeway: a token is expired from its `exp` second on), `nbf`
//! honoured with [`NBF_LEEWAY_SECS`] for the issuer's clock, `aud` checked
//! when configured.
//! A subject sees only its own sessions and commands. Tokens never appear in
//! logs or errors.

use errand_schemas::{ErrorBody, ErrorCode};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
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

/// How far in the future a JWT's `nbf` may be and the token still be taken:
/// the issuer's clock may run a little ahead of this node's. `exp` has no
/// leeway.
pub const NBF_LEEWAY_SECS: u64 = 30;

/// The claims errand reads from a JWT. All optional here, so that a missing
/// one is reported by name (`jsonwebtoken` checks `sub`, `exp` and `aud` are
/// present before they are used).
#[derive(serde::Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    exp: Option<u64>,
    #[serde(default)]
    nbf: Option<u64>,
}

impl JwtConfig {
    /// What `jsonwebtoken` checks: the algorithm, the signature, that `sub`
    /// and `exp` (and `aud`, when configured) are there, and the audience.
    /// Times are checked by [`JwtConfig::verify`] against its `now_secs`.
    fn validation(&self) -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        match &self.audience {
            Some(audience) => {
                validation.set_required_spec_claims(&["sub", "exp", "aud"]);
                validation.set_audience(&[audience]);
            }
            None => {
                validation.set_required_spec_claims(&["sub", "exp"]);
                validation.validate_aud = false;
            }
        }
        validation
    }

    /// Verifies an HS256 JWT and returns its `sub`.
    pub fn verify(&self, token: &str, now_secs: u64) -> Result<String, ErrorBody> {
        let decoded = jsonwebtoken::decode::<Claims>(
            token,
            &DecodingKey::from_secret(&self.secret),
            &self.validation(),
        )
        .map_err(|e| {
            unauthorized(match e.kind() {
                ErrorKind::InvalidAlgorithm => "Only HS256 tokens are accepted.",
                ErrorKind::MissingRequiredClaim(claim) if claim == "exp" => {
                    "The token has no expiry."
                }
                ErrorKind::MissingRequiredClaim(claim) if claim == "sub" => {
                    "The token has no subject."
                }
                ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                    "The token is not for this service."
                }
                ErrorKind::InvalidAudience => "The token is not for this service.",
                _ => "The token is not valid.",
            })
        })?;
        let claims = decoded.claims;
        let exp = claims
            .exp
            .ok_or_else(|| unauthorized("The token has no expiry."))?;
        if exp <= now_secs {
            return Err(unauthorized("The token has expired."));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now_secs.saturating_add(NBF_LEEWAY_SECS))
        {
            return Err(unauthorized("The token is not valid yet."));
        }
        claims
            .sub
            .filter(|s| !s.is_empty())
            .ok_or_else(|| unauthorized("The token has no subject."))
    }
}

/// Signs an HS256 JWT (for tests and tools); empty if it cannot be encoded.
pub fn sign_hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_default()
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
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
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

    fn message(auth: &Auth, token: &str, now: u64) -> String {
        let error = auth.subject(Some(token), "demo", now).unwrap_err();
        assert_eq!(error.code, ErrorCode::Unauthorized);
        error.message
    }

    #[test]
    fn a_jwt_not_valid_yet_is_refused_within_a_leeway() {
        let auth = jwt();
        let later = sign_hs256(
            b"s3cret",
            &json!({"sub":"alice","exp":9000,"nbf":5000,"aud":"errand"}),
        );
        assert_eq!(message(&auth, &later, 1000), "The token is not valid yet.");
        assert_eq!(
            message(&auth, &later, 5000 - NBF_LEEWAY_SECS - 1),
            "The token is not valid yet."
        );
        assert_eq!(
            auth.subject(Some(&later), "demo", 5000 - NBF_LEEWAY_SECS)
                .unwrap(),
            "alice",
            "a clock a little behind the issuer's"
        );
        assert_eq!(auth.subject(Some(&later), "demo", 5000).unwrap(), "alice");
    }

    #[test]
    fn jwt_refusals_say_why() {
        let auth = jwt();
        let sign = |claims: serde_json::Value| sign_hs256(b"s3cret", &claims);
        assert_eq!(
            message(&auth, &sign(json!({"sub":"alice","aud":"errand"})), 1000),
            "The token has no expiry."
        );
        assert_eq!(
            message(&auth, &sign(json!({"exp":2000,"aud":"errand"})), 1000),
            "The token has no subject."
        );
        assert_eq!(
            message(
                &auth,
                &sign(json!({"sub":"","exp":2000,"aud":"errand"})),
                1000
            ),
            "The token has no subject."
        );
        assert_eq!(
            message(&auth, &sign(json!({"sub":"alice","exp":2000})), 1000),
            "The token is not for this service.",
            "an audience is configured, so the token must name one"
        );
        assert_eq!(
            message(
                &auth,
                &sign(json!({"sub":"alice","exp":2000,"aud":"x"})),
                1000
            ),
            "The token is not for this service."
        );
        let listed = sign(json!({"sub":"alice","exp":2000,"aud":["x","errand"]}));
        assert_eq!(auth.subject(Some(&listed), "demo", 1000).unwrap(), "alice");
        assert_eq!(
            message(
                &auth,
                &sign(json!({"sub":"alice","exp":2000,"aud":"errand"})),
                2001
            ),
            "The token has expired."
        );
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &json!({"sub":"alice","exp":2000,"aud":"errand"}),
            &EncodingKey::from_secret(b"s3cret"),
        )
        .unwrap();
        assert_eq!(
            message(&auth, &hs512, 1000),
            "Only HS256 tokens are accepted."
        );
        let wrong_key = sign_hs256(b"other", &json!({"sub":"alice","exp":2000,"aud":"errand"}));
        assert_eq!(message(&auth, &wrong_key, 1000), "The token is not valid.");
        assert_eq!(message(&auth, "a.b.c", 1000), "The token is not valid.");
        assert_eq!(
            message(&auth, "not-a-token", 1000),
            "The token is not valid."
        );

        // Without a configured audience, `aud` is not looked at.
        let any_audience = Auth {
            tokens: HashMap::new(),
            jwt: Some(JwtConfig {
                secret: b"s3cret".to_vec(),
                audience: None,
            }),
        };
        for claims in [
            json!({"sub":"alice","exp":2000}),
            json!({"sub":"alice","exp":2000,"aud":"elsewhere"}),
        ] {
            assert_eq!(
                any_audience
                    .subject(Some(&sign(claims)), "demo", 1000)
                    .unwrap(),
                "alice"
            );
        }
    }
}
