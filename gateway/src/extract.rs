//! What handlers take from a request: the authenticated [`Caller`], the
//! client's address ([`ClientAddr`]) and a JSON body ([`Json`]) whose
//! refusals are [`ApiError`]s.

use crate::auth::{Auth, bearer};
use crate::error::{ApiError, problem};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use errand_schemas::SessionId;
use serde::de::DeserializeOwned;

/// Who may come in: the tokens a request must carry (none when
/// authentication is off) and the subject of every request while it is.
#[derive(Clone, Debug, Default)]
pub struct Door {
    pub auth: std::sync::Arc<Auth>,
    pub user_id: std::sync::Arc<str>,
}

impl Door {
    pub fn new(auth: Auth, user_id: &str) -> Self {
        Self {
            auth: std::sync::Arc::new(auth),
            user_id: user_id.into(),
        }
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
    pub fn session(&self, door: &Door, session: &str) -> SessionId {
        if door.auth.enabled() {
            // The subject escaped, so the first `:` always ends it: subject
            // "a:b" with session "c" is never subject "a" with session "b:c".
            let subject = self.subject.replace('%', "%25").replace(':', "%3A");
            SessionId(format!("{subject}:{session}"))
        } else {
            SessionId(session.to_owned())
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    Door: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let door = Door::from_ref(state);
        let query_token = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("token=")));
        let now = errand_schemas::now_ms() / 1000;
        door.auth
            .subject(bearer(&parts.headers, query_token), &door.user_id, now)
            .map(|subject| Caller { subject })
            .map_err(|e| problem(StatusCode::UNAUTHORIZED, e))
    }
}

/// The client's address, when the server knows it.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A JSON body of type `T` (sent as `application/json`); a body errand
/// cannot read is a 400 `malformed_json` or `invalid_message`, another
/// content type a 415.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(Json(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_with_a_colon_never_reaches_another_subjects_sessions() {
        let auth = Auth {
            tokens: [("t".to_owned(), "alice".to_owned())].into(),
            jwt: None,
        };
        let door = Door {
            auth: std::sync::Arc::new(auth),
            user_id: "demo".into(),
        };
        let caller = |subject: &str| Caller {
            subject: subject.to_owned(),
        };
        let alice = caller("alice").session(&door, "x:y");
        let tricky = caller("alice:x").session(&door, "y");
        assert_ne!(alice, tricky);
        assert_ne!(
            caller("a%3Ab").session(&door, "c"),
            caller("a:b").session(&door, "c")
        );
        assert_eq!(alice.0, "alice:x:y");
    }
}
