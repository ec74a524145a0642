//! `/v1/ws/text` and `/v1/ws/mic`: the client sockets. One JSON event per
//! server frame. A client frame that does not start with `{` is a plain
//! utterance; one that does must be valid JSON of a known `type`. Bad input
//! gets an `error` event with a stable code and the socket stays open.
//!
//! On `/v1/ws/mic` a client sends speech transcripts
//! (`{"type":"transcript","text":...,"final":false|true}`): partials are
//! echoed back as `transcript` events so a screen can show them, finals are
//! echoed and reasoned like typed text.

use crate::error::problem;
use crate::extract::{Caller, ClientAddr};
use crate::front::Said;
use crate::hub::Subscription;
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use errand_schemas::client::read_frame;
use errand_schemas::{
    Act, ClientEvent, ClientRequest, ErrorBody, ErrorCode, ServerEvent, SessionId,
};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    /// Continue this session (a new one is assigned when absent).
    pub session: Option<String>,
    /// Replay the session's events after this sequence number first.
    pub after_seq: Option<u64>,
}

/// Which socket a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Text,
    Mic,
}

impl Channel {
    fn path(self) -> &'static str {
        match self {
            Channel::Text => "/v1/ws/text",
            Channel::Mic => "/v1/ws/mic",
        }
    }
}

/// WebSocket: utterances in, events out.
#[utoipa::path(
    get,
    path = "/v1/ws/text",
    tag = "conversation",
    params(
        ("session" = Option<String>, Query, description = "The session to join (a new one when absent)"),
        ("token" = Option<String>, Query, description = "A bearer token, for clients that cannot set headers"),
    ),
    responses(
        (status = 101, description = "Switching protocols; each server frame is one client event", body = ClientEvent),
        (status = 401, description = "No valid token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "An origin not allowed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sockets from this client", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn upgrade(
    ws: WebSocketUpgrade,
    caller: Caller,
    client: ClientAddr,
    query: Query<SocketQuery>,
    state: State<AppState>,
) -> Response {
    upgrade_channel(Channel::Text, ws, caller, client, query, state)
}

/// WebSocket: speech transcripts (or audio) in, events out.
#[utoipa::path(
    get,
    path = "/v1/ws/mic",
    tag = "conversation",
    params(
        ("session" = Option<String>, Query, description = "The session to join (a new one when absent)"),
        ("token" = Option<String>, Query, description = "A bearer token, for clients that cannot set headers"),
    ),
    responses(
        (status = 101, description = "Switching protocols; each server frame is one client event", body = ClientEvent),
        (status = 401, description = "No valid token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "An origin not allowed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sockets from this client", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn upgrade_mic(
    ws: WebSocketUpgrade,
    caller: Caller,
    client: ClientAddr,
    query: Query<SocketQuery>,
    state: State<AppState>,
) -> Response {
    upgrade_channel(Channel::Mic, ws, caller, client, query, state)
}

fn upgrade_channel(
    channel: Channel,
    ws: WebSocketUpgrade,
    caller: Caller,
    ClientAddr(ip): ClientAddr,
    Query(query): Query<SocketQuery>,
    State(state): State<AppState>,
) -> Response {
    // An empty `?session=` asks for a new session like none; one that is
    // too long is refused rather than silently replaced.
    let session_id = match query.session.filter(|s| !s.is_empty()) {
        Some(raw) => match crate::sessions::session_of(&state, &caller, &raw) {
            Ok(id) => id,
            Err(e) => return e.into_response(),
        },
        None => caller.session(&state.ops.door, &SessionId::generate().0),
    };
    let user = caller.subject;
    let max = state.front.limits.max_sockets_per_client;
    let Some(permit) = state.clients.open(ip, max) else {
        return problem(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorBody::new(
                ErrorCode::RateLimited,
                format!("This client holds {max} sockets already."),
            ),
        );
    };
    let max = state.front.limits.max_frame_bytes;
    // Small buffers: an idle socket should cost kilobytes, not the
    // 128 KiB tungstenite reserves by default (see the idle_sockets bench);
    // the read buffer grows for a bigger frame.
    // Frames up to 16 times the limit are read and refused with an error
    // event (the socket stays open); beyond that the protocol closes it (1009).
    ws.max_message_size(max * 16)
        .max_frame_size(max * 16)
        .read_buffer_size(1024)
        .write_buffer_size(4 * 1024)
        .on_upgrade(move |socket| async move {
            // The socket and the state boxed, and the handling of a frame
            // (below): an idle socket's future is 1.5 KB, not 8.3.
            let (socket, state) = (Box::new(socket), Box::new(state));
            serve(channel, socket, state, user, session_id, query.after_seq).await;
            drop(permit);
        })
}

async fn serve(
    channel: Channel,
    socket: Box<WebSocket>,
    state: Box<AppState>,
    user: String,
    session_id: SessionId,
    after_seq: Option<u64>,
) {
    let (mut sink, mut stream) = (*socket).split();
    let mut sub: Subscription = state.front.hub.join(&session_id);
    let mut shutdown = state.shutdown.clone();
    tracing::debug!(session_id = %session_id, "socket open");
    if let Some(after) = after_seq {
        for event in state.front.hub.replay(&session_id, after) {
            if send(&mut sink, &event).await.is_err() {
                return;
            }
        }
    }
    let idle = state.front.limits.idle_timeout;
    let mut idle_deadline = tokio::time::Instant::now() + idle;
    // The recording in progress on the microphone socket (binary frames
    // until `audio_end`), and whether it already went over the limit.
    let mut audio: Vec<u8> = Vec::new();
    let mut audio_over = false;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(idle_deadline) => {
                let _ = sink.send(Message::Close(Some(CloseFrame {
                    code: 1000,
                    reason: Utf8Bytes::from_static("idle timeout"),
                }))).await;
                break;
            }
            event = sub.events.recv() => {
                let Some(event) = event else { break };
                if send_ready(&mut sink, &event, &mut sub.events).await.is_err() {
                    break;
                }
            }
            frame = stream.next() => {
                idle_deadline = tokio::time::Instant::now() + idle;
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Binary(bytes))) if channel == Channel::Mic => {
                        if state.stt.is_none() {
                            state.front.hub.push(&session_id, ServerEvent::error(
                                ErrorCode::SpeechUnavailable,
                                "Audio needs a speech-to-text service (ERRAND_STT_URL), and none is configured; send transcript events instead.",
                                None,
                            ), Some(sub.id));
                        } else if audio.len() + bytes.len() > state.front.limits.max_audio_bytes {
                            if !audio_over {
                                state.front.hub.push(&session_id, ServerEvent::error(
                                    ErrorCode::AudioTooLong,
                                    format!("The recording is over {} bytes; it is dropped.", state.front.limits.max_audio_bytes),
                                    None,
                                ), Some(sub.id));
                            }
                            audio_over = true;
                            audio.clear();
                        } else if !audio_over {
                            audio.extend_from_slice(&bytes);
                        }
                        continue;
                    }
                    Some(Ok(Message::Binary(bytes))) => match String::from_utf8(bytes.to_vec()) {
                        Ok(text) => text,
                        Err(_) => {
                            state.front.hub.push(&session_id, ServerEvent::error(
                                ErrorCode::NotUtf8,
                                format!("Binary frames must hold UTF-8 text on {}.", channel.path()),
                                None,
                            ), Some(sub.id));
                            continue;
                        }
                    },
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Ok(_)) => continue, // ping and pong are answered by axum
                    Some(Err(e)) => {
                        tracing::debug!(session_id = %session_id, error = %e, "socket error");
                        if let Some((code, reason, event)) = refused_frame(e) {
                            if let Some(event) = event {
                                let event = state.front.hub.push(&session_id, event, Some(sub.id));
                                let _ = send(&mut sink, &event).await;
                            }
                            let _ = sink.send(Message::Close(Some(CloseFrame {
                                code,
                                reason: Utf8Bytes::from_static(reason),
                            }))).await;
                        }
                        break;
                    }
                };
                if text.len() > state.front.limits.max_frame_bytes {
                    state.front.hub.push(&session_id, ServerEvent::error(
                        ErrorCode::FrameTooLarge,
                        format!("The frame has {} bytes; the limit is {}.", text.len(), state.front.limits.max_frame_bytes),
                        None,
                    ), Some(sub.id));
                    continue;
                }
                if channel == Channel::Mic
                    && state.stt.is_some()
                    && matches!(read_frame(&text), Ok(ClientRequest::AudioEnd))
                {
                    let recording = std::mem::take(&mut audio);
                    if !std::mem::replace(&mut audio_over, false) {
                        listen((*state).clone(), user.clone(), session_id.clone(), sub.id, recording);
                    }
                    continue;
                }
                // Boxed: its future (an utterance's whole way to the bus)
                // is big, and unboxed it would be part of every idle
                // socket's (see the idle_sockets bench).
                Box::pin(handle(channel, &state, &user, &session_id, sub.id, &text)).await;
            }
            _ = shutdown.changed() => {
                let _ = sink.send(Message::Close(Some(CloseFrame {
                    code: 1001,
                    reason: Utf8Bytes::from_static("errand is shutting down"),
                }))).await;
                break;
            }
        }
    }
    tracing::debug!(session_id = %session_id, "socket closed");
}

async fn handle(
    channel: Channel,
    state: &AppState,
    user: &str,
    session_id: &SessionId,
    socket: u64,
    text: &str,
) {
    let hub = &state.front.hub;
    let request = match (channel, read_frame(text)) {
        // A plain text frame on the microphone socket is a final transcript.
        (Channel::Mic, Ok(ClientRequest::Utterance { text, .. }))
            if !text.trim_start().starts_with('{') =>
        {
            Ok(ClientRequest::Transcript {
                text,
                is_final: true,
            })
        }
        (_, request) => request,
    };
    match request {
        Ok(ClientRequest::Utterance { text, id }) => {
            let said = Said::typed(&text).with_id(id.as_deref());
            let _ = (state.front)
                .submit(session_id, user, said, Some(socket))
                .await;
        }
        Ok(ClientRequest::Transcript { text, is_final }) => {
            hub.push(
                session_id,
                ServerEvent::Transcript {
                    text: text.clone(),
                    is_final,
                },
                None,
            );
            if is_final {
                let _ = state
                    .front
                    .submit(session_id, user, Said::spoken(&text), Some(socket))
                    .await;
            }
        }
        Ok(ClientRequest::Confirm { trace_id }) => {
            let _ = state
                .front
                .press(session_id, user, &trace_id, Act::Confirm, Some(socket))
                .await;
        }
        Ok(ClientRequest::Cancel { trace_id }) => {
            let _ = state
                .front
                .press(session_id, user, &trace_id, Act::Cancel, Some(socket))
                .await;
        }
        Ok(ClientRequest::Resume { after_seq }) => hub.resend(session_id, after_seq, socket),
        Ok(ClientRequest::AudioEnd) => {
            let (code, message) = match channel {
                Channel::Text => (ErrorCode::InvalidMessage, "Audio goes to /v1/ws/mic."),
                Channel::Mic => (
                    ErrorCode::SpeechUnavailable,
                    "Audio needs a speech-to-text service (ERRAND_STT_URL), and none is configured.",
                ),
            };
            hub.push(
                session_id,
                ServerEvent::error(code, message, None),
                Some(socket),
            );
        }
        Err(e) => {
            hub.push(
                session_id,
                ServerEvent::error(e.code, e.message, None),
                Some(socket),
            );
        }
    }
}

/// What a socket says before it closes on a frame the protocol itself
/// refuses: its close code and reason, and the error event that comes
/// first. `None` for a connection that is simply gone.
fn refused_frame(error: axum::Error) -> Option<(u16, &'static str, Option<ServerEvent>)> {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    match *error.into_inner().downcast::<Error>().ok()? {
        Error::Utf8(_) => Some((
            1007,
            "text frames must be UTF-8",
            Some(ServerEvent::error(
                ErrorCode::NotUtf8,
                "A text frame held bytes that are not UTF-8; the socket is closed (1007).",
                None,
            )),
        )),
        Error::Capacity(CapacityError::MessageTooLong { size, max_size }) => Some((
            1009,
            "message too big",
            Some(ServerEvent::error(
                ErrorCode::FrameTooLarge,
                format!(
                    "The frame has {size} bytes, over the {max_size} a socket reads; the socket is closed (1009)."
                ),
                None,
            )),
        )),
        Error::Capacity(_) => Some((1009, "message too big", None)),
        Error::Protocol(_) => Some((1002, "protocol error", None)),
        _ => None,
    }
}

async fn send<S>(sink: &mut S, event: &ClientEvent) -> Result<(), axum::Error>
where
    S: futures_util::Sink<Message, Error = axum::Error> + Unpin,
{
    sink.send(text_frame(event)).await
}

/// Most events a socket writes in one go.
const WRITE_BATCH: usize = 16;

/// Sends `event` and the events already queued behind it (up to
/// [`WRITE_BATCH`]) in one write: the steps of a turn come close
/// together, and one system call for all of them costs a fraction of one
/// each.
async fn send_ready<S>(
    sink: &mut S,
    event: &ClientEvent,
    queue: &mut tokio::sync::mpsc::Receiver<Arc<ClientEvent>>,
) -> Result<(), axum::Error>
where
    S: futures_util::Sink<Message, Error = axum::Error> + Unpin,
{
    sink.feed(text_frame(event)).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(next) = queue.try_recv() else { break };
        sink.feed(text_frame(&next)).await?;
    }
    sink.flush().await
}

fn text_frame(event: &ClientEvent) -> Message {
    let json = serde_json::to_string(event).unwrap_or_default();
    Message::Text(json.into())
}

/// Writes a finished recording down (in a task of its own, so the socket
/// keeps serving events), echoes the transcript, and reasons it like a
/// final transcript. Every failure is an error event with its code.
fn listen(state: AppState, user: String, session_id: SessionId, socket: u64, recording: Vec<u8>) {
    tokio::spawn(async move {
        let hub = &state.front.hub;
        let fail = |code: ErrorCode, message: String| {
            hub.push(
                &session_id,
                ServerEvent::error(code, message, None),
                Some(socket),
            );
        };
        let Some(stt) = state.stt.clone() else {
            return fail(
                ErrorCode::SpeechUnavailable,
                "Speech-to-text is not configured.".into(),
            );
        };
        if recording.is_empty() {
            return fail(
                ErrorCode::InvalidMessage,
                "No audio was received before audio_end.".into(),
            );
        }
        let limits = &state.front.limits;
        let wav = match crate::audio::prepare(
            &recording,
            limits.max_audio_seconds,
            limits.max_audio_bytes,
        ) {
            Ok(wav) => wav,
            Err(e) => return fail(e.code, e.message),
        };
        let started = std::time::Instant::now();
        match stt.transcribe(wav).await {
            Ok(text) if text.trim().is_empty() => {
                fail(
                    ErrorCode::AudioUnreadable,
                    "No speech was heard in the recording.".into(),
                );
            }
            Ok(text) => {
                tracing::info!(session_id = %session_id, ms = started.elapsed().as_millis() as u64, "transcribed");
                hub.push(
                    &session_id,
                    ServerEvent::Transcript {
                        text: text.clone(),
                        is_final: true,
                    },
                    None,
                );
                let _ = state
                    .front
                    .submit(&session_id, &user, Said::spoken(&text), Some(socket))
                    .await;
            }
            Err(e) => {
                tracing::warn!(session_id = %session_id, error = %e, "speech-to-text failed");
                fail(
                    ErrorCode::SpeechUnavailable,
                    format!("Speech-to-text failed: {e}"),
                );
            }
        }
    });
}
