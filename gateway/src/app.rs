//! The axum application: [`app`] builds the router; [`serve`] runs it on a
//! listener until shutdown.

use crate::front::Front;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use errand_actors::bus::Bus;
use errand_schemas::codec::to_json;
use errand_schemas::{ErrorBody, ErrorCode, TraceId};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub front: Front,
    pub bus: Arc<dyn Bus>,
    /// The subject of unauthenticated sessions.
    pub user_id: String,
    /// Turns `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

/// The HTTP and WebSocket routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/ws/text", get(crate::ws_text::upgrade))
        .route("/v1/commands/{trace_id}", get(command))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` turns `true`; open sockets
/// are told and closed, requests in flight finish.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let mut shutdown = state.shutdown.clone();
    let router = app(state);
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        })
        .await
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

async fn command(State(state): State<AppState>, Path(trace_id): Path<String>) -> Response {
    match state.front.tracker.store.get(&TraceId(trace_id)).await {
        Ok(Some(command)) => json_response(StatusCode::OK, &command),
        Ok(None) => problem(
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

async fn healthz() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.front.tracker.store.ready().await;
    let bus = state.bus.ready().await;
    let status = if store && bus {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    json_response(
        status,
        &serde_json::json!({"ready": store && bus, "store": store, "bus": bus}),
    )
}

/// Prometheus text: consumer lag per group and topic, open sockets,
/// errors sent to clients by code, readiness.
async fn metrics(State(state): State<AppState>) -> Response {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP errand_consumer_lag Records a consumer group has not committed yet."
    );
    let _ = writeln!(out, "# TYPE errand_consumer_lag gauge");
    for (group, topic, lag) in state.bus.lags() {
        let _ = writeln!(
            out,
            "errand_consumer_lag{{group=\"{group}\",topic=\"{topic}\"}} {lag}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP errand_sockets Open client sockets on this gateway."
    );
    let _ = writeln!(out, "# TYPE errand_sockets gauge");
    let _ = writeln!(out, "errand_sockets {}", state.front.hub.socket_count());
    let _ = writeln!(
        out,
        "# HELP errand_client_errors_total Error events sent to clients, by code."
    );
    let _ = writeln!(out, "# TYPE errand_client_errors_total counter");
    for (code, count) in state.front.hub.errors_by_code() {
        let _ = writeln!(out, "errand_client_errors_total{{code=\"{code}\"}} {count}");
    }
    let ready = state.front.tracker.store.ready().await && state.bus.ready().await;
    let _ = writeln!(
        out,
        "# HELP errand_ready Whether this node is ready (store and bus)."
    );
    let _ = writeln!(out, "# TYPE errand_ready gauge");
    let _ = writeln!(out, "errand_ready {}", u8::from(ready));
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
