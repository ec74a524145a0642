//! The axum application: [`app`] builds the router; [`serve`] runs it on a
//! listener until shutdown.

use crate::auth::Caller;
use crate::front::Front;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use errand_actors::bus::Bus;
use errand_schemas::codec::to_json;
use errand_schemas::{
    Act, ClientEvent, ResultBody, SessionId, Status, StatusUpdate, UtteranceSource,
};
use errand_schemas::{ErrorBody, ErrorCode, TraceId};
use futures_util::StreamExt;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub front: Front,
    pub bus: Arc<dyn Bus>,
    /// Domain agents, found through their process groups (REST adapters).
    pub agents: errand_actors::agents::caller::AgentCaller,
    /// Payment and location, when this node runs them.
    pub services: Option<errand_actors::agents::Services>,
    pub idempotency: Arc<dyn errand_actors::store::IdempotencyStore>,
    pub keys: errand_schemas::keys::Keys,
    /// The subject of every request while authentication is off.
    pub user_id: String,
    pub auth: crate::auth::Auth,
    /// Origins a WebSocket upgrade may come from (any when empty).
    pub allowed_origins: Vec<String>,
    /// Open sockets per client address.
    pub clients: Arc<ClientSockets>,
    /// HTTP requests answered, by route and status.
    pub requests: Arc<RequestCounts>,
    /// Turns `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// The cluster as this node sees it (`GET /v1/cluster`).
    pub cluster: ClusterView,
    /// Speech-to-text for audio on `/v1/ws/mic`, when configured.
    pub stt: Option<errand_actors::speech::SpeechToText>,
    /// What errand can do, for a client's first screen (`GET /v1/hello`).
    pub hello: Arc<Hello>,
    /// The node's roles, running or not (`/readyz`).
    pub roles: errand_actors::supervisor::Health,
}

/// What a client shows before the first word: what errand can do and a few
/// things to try, from the registered domains.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Hello {
    /// "I can help with: ..."
    pub greeting: String,
    /// Things to say, one per domain.
    pub examples: Vec<String>,
    pub domains: Vec<HelloDomain>,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct HelloDomain {
    pub name: String,
    pub description: String,
}

impl Hello {
    pub fn from_registry(registry: &errand_actors::registry::DomainRegistry) -> Self {
        use errand_actors::dialogue::answers;
        Self {
            greeting: answers::abilities(registry),
            examples: answers::examples(registry),
            domains: registry
                .domains()
                .filter_map(|d| registry.spec(d))
                .map(|spec| HelloDomain {
                    name: spec.name.clone(),
                    description: spec.description.clone(),
                })
                .collect(),
        }
    }
}

/// Nodes, roles, health and last heartbeat, as JSON.
pub type ClusterView = Arc<dyn Fn() -> serde_json::Value + Send + Sync>;

/// The HTTP and WebSocket routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/ws/text", get(crate::ws_text::upgrade))
        .route("/v1/ws/mic", get(crate::ws_text::upgrade_mic))
        .route("/v1/commands/{trace_id}", get(command))
        .route("/v1/commands/{trace_id}/cancel", post(cancel_command))
        .route("/v1/hello", get(hello))
        .route("/v1/sessions/{session_id}/utterances", post(post_utterance))
        .route("/v1/sessions/{session_id}/events", get(session_events))
        .route("/v1/food/orders", post(crate::rest::food_orders))
        .route("/v1/food/orders/quote", post(crate::rest::food_quote))
        .route("/v1/ride/bookings/quote", post(crate::rest::ride_quote))
        .route("/v1/mart/orders/quote", post(crate::rest::mart_quote))
        .route("/v1/ride/bookings", post(crate::rest::ride_bookings))
        .route("/v1/mart/orders", post(crate::rest::mart_orders))
        .route("/v1/payment/charges", post(crate::rest::payment_charges))
        .route("/v1/location/resolve", get(crate::rest::location_resolve))
        .route("/", get(crate::web::index))
        .route("/app.js", get(crate::web::script))
        .route("/app.css", get(crate::web::style))
        .route("/v1/cluster", get(cluster))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .layer(axum::middleware::from_fn(problems_for_rejections))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` turns `true`; open sockets
/// are told and closed, requests in flight finish.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let mut shutdown = state.shutdown.clone();
    let router = app(state);
    // Small frames go out at once: without TCP_NODELAY each event waits
    // for the client's delayed ACK (about 40 ms).
    let listener = listener.tap_io(|socket| {
        if let Err(error) = socket.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    })
    .await
}

/// Turns axum's own plain-text refusals (a body over the limit, a wrong
/// method, a wrong content type) into problem+json with a stable code.
async fn problems_for_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/problem+json"));
    let status = response.status();
    if is_problem || !status.is_client_error() {
        return response;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::FrameTooLarge, "The request body is over 64 KiB.")
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            (ErrorCode::NotFound, "This route does not take that method.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::InvalidMessage, "Send application/json."),
        _ => (ErrorCode::InvalidMessage, "The request is not valid."),
    };
    problem(status, ErrorBody::new(code, detail))
}

/// Requests answered by (route, status), counted with `metrics` into a
/// recorder of this state's own (no global recorder: several nodes in one
/// process count apart).
pub struct RequestCounts {
    recorder: metrics_exporter_prometheus::PrometheusRecorder,
    handle: metrics_exporter_prometheus::PrometheusHandle,
}

/// The counter's name.
const HTTP_REQUESTS: &str = "errand_http_requests_total";

impl Default for RequestCounts {
    fn default() -> Self {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_counter!(
                HTTP_REQUESTS,
                "HTTP requests answered, by route and status."
            );
        });
        Self {
            handle: recorder.handle(),
            recorder,
        }
    }
}

impl RequestCounts {
    /// Counts one request to `route` answered with `status`.
    pub fn count(&self, route: &str, status: u16) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(
                HTTP_REQUESTS,
                "route" => route.to_owned(),
                "status" => status.to_string()
            )
            .increment(1);
        });
    }

    /// Prometheus text of the counts.
    pub fn render(&self) -> String {
        self.handle.render()
    }
}

async fn count_requests(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    state.requests.count(&route, response.status().as_u16());
    response
}

/// Open sockets per client address, for the per-client limit.
#[derive(Default)]
pub struct ClientSockets {
    open: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One open socket of a client; closing it (dropping this) frees its place.
pub struct SocketPermit {
    clients: Arc<ClientSockets>,
    ip: Option<std::net::IpAddr>,
}

impl ClientSockets {
    /// A place for one more socket of `ip`, unless it holds `max` already.
    pub fn open(
        self: &Arc<Self>,
        ip: Option<std::net::IpAddr>,
        max: usize,
    ) -> Option<SocketPermit> {
        if let Some(ip) = ip {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let count = open.entry(ip).or_default();
            if *count >= max {
                return None;
            }
            *count += 1;
        }
        Some(SocketPermit {
            clients: self.clone(),
            ip,
        })
    }
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        if let Some(ip) = self.ip {
            let mut open = self.clients.open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = open.get_mut(&ip) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&ip);
                }
            }
        }
    }
}

/// The client's address, when the server knows it.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A problem+json response with a stable code.
pub fn problem(status: StatusCode, error: ErrorBody) -> Response {
    let body = serde_json::json!({
        "type": format!("https://errand.dev/problems/{}", error.code),
        "title": error.code.as_str(),
        "status": status.as_u16(),
        "code": error.code,
        "detail": error.message,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        to_json(value),
    )
        .into_response()
}

async fn command(
    State(state): State<AppState>,
    caller: Caller,
    Path(trace_id): Path<String>,
) -> Response {
    match state.front.recorder.store.get(&TraceId(trace_id)).await {
        // Another subject's command does not exist, as far as the caller knows.
        Ok(Some(command)) if command.user_id == caller.subject => {
            json_response(StatusCode::OK, &command)
        }
        Ok(_) => problem(
            StatusCode::NOT_FOUND,
            ErrorBody::new(ErrorCode::NotFound, "No command with that trace id."),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "status lookup failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorBody::new(
                    ErrorCode::StateUnavailable,
                    "The state store is unavailable.",
                ),
            )
        }
    }
}

/// `GET /v1/hello`: what errand can do, whether it hears speech, and
/// whether it wants a token.
async fn hello(State(state): State<AppState>) -> Response {
    let mut value = serde_json::to_value(&*state.hello).unwrap_or_default();
    value["speech"] = state.stt.is_some().into();
    value["auth"] = state.auth.enabled().into();
    json_response(StatusCode::OK, &value)
}

/// `POST /v1/commands/{trace_id}/cancel`: cancels a placed command with its
/// provider (the charge voided or refunded), or drops one still being put
/// together; answers with the command's state.
async fn cancel_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(trace_id): Path<String>,
) -> Response {
    let trace_id = TraceId(trace_id);
    let store = &state.front.recorder.store;
    let unavailable = || {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorBody::new(
                ErrorCode::StateUnavailable,
                "The state store is unavailable.",
            ),
        )
    };
    let command = match store.get(&trace_id).await {
        Ok(Some(command)) if command.user_id == caller.subject => command,
        Ok(_) => {
            return problem(
                StatusCode::NOT_FOUND,
                ErrorBody::new(ErrorCode::NotFound, "No command with that trace id."),
            );
        }
        Err(_) => return unavailable(),
    };
    let ended = |why: &str| {
        problem(
            StatusCode::CONFLICT,
            ErrorBody::new(ErrorCode::InvalidCommand, why),
        )
    };
    match command.status {
        Status::Cancelled => json_response(StatusCode::OK, &command),
        Status::Confirmed => {
            let domain = command.domain.clone().unwrap_or_default();
            match state
                .agents
                .cancel(&domain, &trace_id, &caller.subject)
                .await
            {
                Ok(Ok(result)) => {
                    let step = StatusUpdate {
                        domain: Some(domain),
                        reply: Some(format!(
                            "Cancelled: {} will be refunded.",
                            errand_actors::agents::format_money(result.refund, &result.currency)
                        )),
                        result: Some(ResultBody::Cancellation(result)),
                        ..StatusUpdate::new(
                            trace_id.clone(),
                            command.session_id.clone(),
                            command.user_id.clone(),
                            Status::Cancelled,
                            command.turn,
                        )
                    };
                    if let Err(e) = state.front.recorder.record(step).await {
                        return problem(
                            status_of(e.code()),
                            ErrorBody::new(e.code(), e.to_string()),
                        );
                    }
                    match store.get(&trace_id).await {
                        Ok(Some(command)) => json_response(StatusCode::OK, &command),
                        _ => unavailable(),
                    }
                }
                Ok(Err(refusal)) => {
                    let status = match refusal.code {
                        ErrorCode::TooLateToCancel => StatusCode::CONFLICT,
                        code => match status_of(code) {
                            StatusCode::BAD_REQUEST => StatusCode::UNPROCESSABLE_ENTITY,
                            other => other,
                        },
                    };
                    problem(status, refusal)
                }
                Err(e) => problem(status_of(e.code), e),
            }
        }
        Status::Dispatched => ended("It is being placed right now; try again in a moment."),
        Status::Failed | Status::Declined | Status::Answered => {
            ended(&format!("It already ended: {}.", command.status))
        }
        Status::Received
        | Status::AwaitingClarification
        | Status::Understood
        | Status::AwaitingConfirmation => {
            // Still in the conversation: the dialogue drops it, as the
            // page's Cancel button does.
            if let Err(e) = state
                .front
                .press(
                    &command.session_id,
                    &caller.subject,
                    &trace_id,
                    Act::Cancel,
                    None,
                )
                .await
            {
                return problem(status_of(e.code), e);
            }
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
            loop {
                match store.get(&trace_id).await {
                    Ok(Some(now)) if now.status.is_final() => {
                        return json_response(StatusCode::OK, &now);
                    }
                    Ok(_) if tokio::time::Instant::now() < deadline => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    Ok(Some(now)) => return json_response(StatusCode::ACCEPTED, &now),
                    _ => return unavailable(),
                }
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct UtteranceBody {
    text: String,
}

/// A session id from a path: 1 to 128 characters.
fn session_from(raw: String) -> Result<SessionId, Box<Response>> {
    if raw.is_empty() || raw.len() > 128 {
        return Err(Box::new(problem(
            StatusCode::BAD_REQUEST,
            ErrorBody::new(
                ErrorCode::InvalidMessage,
                "A session id has 1 to 128 characters.",
            ),
        )));
    }
    Ok(SessionId(raw))
}

/// The HTTP status for an error code a client caused or errand suffered.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::FrameTooLarge | ErrorCode::UtteranceTooLong | ErrorCode::AudioTooLong => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        ErrorCode::SpeechUnavailable
        | ErrorCode::StateUnavailable
        | ErrorCode::BusUnavailable
        | ErrorCode::AgentUnavailable
        | ErrorCode::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal | ErrorCode::ProcessingFailed | ErrorCode::DeadlineExceeded => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// `POST /v1/sessions/{session_id}/utterances` with `{"text":...}`: 202 with
/// the trace id once `received` is recorded; the events follow on the
/// session's sockets and on `GET /v1/sessions/{session_id}/events`.
async fn post_utterance(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Response {
    let session_id = match session_from(session_id) {
        Ok(s) => caller.session(&state, &s.0),
        Err(response) => return *response,
    };
    let body: UtteranceBody = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(e) if e.is_syntax() || e.is_eof() => {
            return problem(
                StatusCode::BAD_REQUEST,
                ErrorBody::new(
                    ErrorCode::MalformedJson,
                    format!("The body is not valid JSON ({e})."),
                ),
            );
        }
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                ErrorBody::new(
                    ErrorCode::InvalidMessage,
                    format!("Expected {{\"text\": string}} ({e})."),
                ),
            );
        }
    };
    match state
        .front
        .submit(
            &session_id,
            &caller.subject,
            &body.text,
            UtteranceSource::Text,
            None,
        )
        .await
    {
        Ok(trace_id) => json_response(
            StatusCode::ACCEPTED,
            &serde_json::json!({"trace_id": trace_id, "session_id": session_id}),
        ),
        Err(e) => problem(status_of(e.code), e),
    }
}

#[derive(serde::Deserialize)]
struct EventsQuery {
    after_seq: Option<u64>,
}

/// `GET /v1/sessions/{session_id}/events`: the session's events as
/// Server-Sent Events (`id` is the event's `seq`; a client that reconnects
/// with `Last-Event-ID` or `?after_seq=` gets what it missed first).
async fn session_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(session_id): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let session_id = match session_from(session_id) {
        Ok(s) => caller.session(&state, &s.0),
        Err(response) => return *response,
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
    let live = futures_util::stream::unfold(sub, |mut sub| async move {
        sub.events.recv().await.map(|event| (event, sub))
    });
    let events = futures_util::stream::iter(missed)
        .chain(live)
        .map(|event: ClientEvent| {
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
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, &crate::openapi::document())
}

/// The nodes this one knows, their roles, health and last heartbeat.
async fn cluster(State(state): State<AppState>, _caller: Caller) -> Response {
    json_response(StatusCode::OK, &(state.cluster)())
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

/// Ready while the store and the bus answer and every role of the node
/// runs (a role its supervisor is starting again is down).
async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.front.recorder.store.ready().await;
    let bus = state.bus.ready().await;
    let down = state.roles.down();
    let ready = store && bus && down.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(
        status,
        &serde_json::json!({"ready": ready, "store": store, "bus": bus, "roles_down": down}),
    )
}

/// Prometheus text: consumer lag per group and topic, open sockets,
/// errors sent to clients by code, command latency, HTTP requests,
/// readiness. What is read at scrape time goes into a recorder made for
/// this scrape, so a group or topic no longer there is not shown.
async fn metrics(State(state): State<AppState>) -> Response {
    let ready = state.front.recorder.store.ready().await && state.bus.ready().await;
    let scrape = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&scrape, || {
        metrics::describe_gauge!(
            "errand_consumer_lag",
            "Records a consumer group has not committed yet."
        );
        for (group, topic, lag) in state.bus.lags() {
            metrics::gauge!("errand_consumer_lag", "group" => group, "topic" => topic)
                .set(lag as f64);
        }
        metrics::describe_gauge!("errand_sockets", "Open client sockets on this gateway.");
        metrics::gauge!("errand_sockets").set(state.front.hub.socket_count() as f64);
        metrics::describe_counter!(
            "errand_client_errors_total",
            "Error events sent to clients, by code."
        );
        for (code, count) in state.front.hub.errors_by_code() {
            metrics::counter!("errand_client_errors_total", "code" => code).absolute(count);
        }
        metrics::describe_gauge!(
            "errand_ready",
            "Whether this node is ready (store and bus)."
        );
        metrics::gauge!("errand_ready").set(f64::from(u8::from(ready)));
    });
    let mut out = scrape.handle().render();
    out.push_str(&state.front.recorder.latency.render());
    out.push_str(&state.requests.render());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
        .into_response()
}

async fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        ErrorBody::new(ErrorCode::NotFound, "No such route."),
    )
}
