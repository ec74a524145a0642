//! A conversation over plain HTTP: what errand can do, say something with a
//! POST, follow the session's events as Server-Sent Events.

use crate::error::{ApiError, Problem, problem};
use crate::extract::{Caller, ClientAddr, Json};
use crate::front::Said;
use crate::state::{AppState, Hello};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use errand_schemas::codec::to_json;
use errand_schemas::{ClientEvent, ErrorBody, ErrorCode, SessionId, TraceId};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Something said.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct UtteranceBody {
    pub text: String,
}

/// An utterance taken: its command's trace id; the events follow on the
/// session's sockets and event stream.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Accepted {
    pub trace_id: TraceId,
    pub session_id: SessionId,
}

/// What a client shows first, with whether errand hears speech and wants a
/// token.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Welcome {
    #[serde(flatten)]
    pub hello: Hello,
    /// Speech-to-text is configured (the page shows Speak).
    pub speech: bool,
    /// Requests need a bearer token.
    pub auth: bool,
}

/// What errand can do, things to try, whether it hears speech and wants a
/// token (a client's first screen).
#[utoipa::path(get, path = "/v1/hello", tag = "conversation", responses((status = 200, description = "What errand can do", body = Welcome)))]
pub async fn hello(State(state): State<AppState>) -> axum::Json<Welcome> {
    axum::Json(Welcome {
        hello: (*state.hello).clone(),
        speech: state.stt.is_some(),
        auth: state.ops.door.auth.enabled(),
    })
}

/// A session id from a path: 1 to 128 characters, in the caller's
/// namespace.
pub(crate) fn session_of(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<SessionId, ApiError> {
    if raw.is_empty() || raw.len() > 128 {
        return Err(ApiError::invalid("A session id has 1 to 128 characters."));
    }
    Ok(caller.session(&state.ops.door, raw))
}

/// Say something over plain HTTP: 202 with the trace id once `received`
/// is recorded.
#[utoipa::path(
    post,
    path = "/v1/sessions/{session_id}/utterances",
    tag = "conversation",
    params(
        ("session_id" = String, Path, description = "The session (1 to 128 characters)"),
        ("Idempotency-Key" = Option<String>, Header, description = "The client's id for this utterance: a retry with the same key gets the same trace and is not reasoned twice"),
    ),
    request_body = UtteranceBody,
    responses(
        (status = 202, description = "Accepted; events follow", body = Accepted),
        (status = 400, description = "An empty utterance or a body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for other words in this session", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many, too fast", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "errand cannot take it now", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn post_utterance(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<UtteranceBody>,
) -> Result<(StatusCode, axum::Json<Accepted>), ApiError> {
    let session_id = session_of(&state, &caller, &session_id)?;
    let id = match headers.get("idempotency-key") {
        Some(key) => Some(key.to_str().map_err(|_| {
            ApiError::invalid("An Idempotency-Key is 1 to 255 visible characters.")
        })?),
        None => None,
    };
    let said = Said::typed(&body.text).with_id(id);
    let trace_id = (state.front)
        .submit(&session_id, &caller.subject, said, None)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(Accepted {
            trace_id,
            session_id,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Replay the events after this `seq` first (as `Last-Event-ID` does).
    after_seq: Option<u64>,
}

/// A session's events as Server-Sent Events (`id` is the event's `seq`; a
/// client that reconnects with `Last-Event-ID` or `?after_seq=` gets what
/// it missed first).
#[utoipa::path(
    get,
    path = "/v1/sessions/{session_id}/events",
    tag = "conversation",
    params(("session_id" = String, Path, description = "The session"), EventsQuery),
    responses(
        (status = 200, description = "text/event-stream of client events", body = ClientEvent, content_type = "text/event-stream"),
        (status = 400, description = "A session id errand cannot take", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sockets and streams from this client", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn session_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    Query(query): Query<EventsQuery>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session_id = session_of(&state, &caller, &session_id)?;
    // A stream holds a socket like a WebSocket does, and counts against
    // the same per-client limit.
    let max = state.front.limits.max_sockets_per_client;
    let Some(permit) = state.clients.open(ip, max) else {
        return Ok(problem(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorBody::new(
                ErrorCode::RateLimited,
                format!("This client holds {max} sockets already."),
            ),
        ));
    };
    let after = query.after_seq.or_else(|| {
        headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    });
    let hub = state.front.hub.clone();
    let sub = hub.join(&session_id);
    let missed = after
        .map(|a| hub.replay(&session_id, a))
        .unwrap_or_default();
    let mut shutdown = state.shutdown.clone();
    let live = futures_util::stream::unfold((sub, permit), |(mut sub, permit)| async move {
        sub.events.recv().await.map(|event| (event, (sub, permit)))
    });
    let events = futures_util::stream::iter(missed)
        .chain(live)
        .map(|event: Arc<ClientEvent>| {
            let kind = serde_json::to_value(&event)
                .ok()
                .and_then(|v| v["type"].as_str().map(str::to_owned))
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>(
                Event::default()
                    .id(event.seq.to_string())
                    .event(kind)
                    .data(String::from_utf8(to_json(&event)).unwrap_or_default()),
            )
        })
        .take_until(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}
