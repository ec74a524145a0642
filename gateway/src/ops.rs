//! What operators and clients ask of a node rather than of a conversation:
//! liveness, readiness, metrics, the cluster, what errand can do.

use crate::error::Problem;
use crate::extract::Caller;
use crate::state::{AppState, Hello};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

/// Liveness: the process answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Alive {
    /// Always `ok`.
    pub status: &'static str,
}

/// Readiness, and why not.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// The state store answers.
    pub store: bool,
    /// The bus answers.
    pub bus: bool,
    /// Roles of this node their supervisor is starting again (or gave up).
    pub roles_down: Vec<String>,
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

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive", body = Alive)))]
pub async fn healthz() -> axum::Json<Alive> {
    axum::Json(Alive { status: "ok" })
}

/// Ready while the store and the bus answer and every role of the node
/// runs (a role its supervisor is starting again is down).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready, and why", body = Readiness),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, axum::Json<Readiness>) {
    let store = state.front.recorder.store.ready().await;
    let bus = state.bus.ready().await;
    let roles_down = state.roles.down();
    let ready = store && bus && roles_down.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        axum::Json(Readiness {
            ready,
            store,
            bus,
            roles_down,
        }),
    )
}

/// What errand can do, things to try, whether it hears speech and wants a
/// token (a client's first screen).
#[utoipa::path(get, path = "/v1/hello", tag = "conversation", responses((status = 200, description = "What errand can do", body = Welcome)))]
pub async fn hello(State(state): State<AppState>) -> axum::Json<Welcome> {
    axum::Json(Welcome {
        hello: (*state.hello).clone(),
        speech: state.stt.is_some(),
        auth: state.auth.enabled(),
    })
}

/// The cluster's nodes: roles, health, last heartbeat.
#[utoipa::path(
    get,
    path = "/v1/cluster",
    tag = "operations",
    responses(
        (status = 200, description = "The nodes this one knows", body = errand_schemas::Json),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn cluster(
    State(state): State<AppState>,
    _caller: Caller,
) -> axum::Json<serde_json::Value> {
    axum::Json((state.cluster)())
}

/// Prometheus text: consumer lag per group and topic, open sockets,
/// errors sent to clients by code, command latency, HTTP requests,
/// readiness. What is read at scrape time goes into a recorder made for
/// this scrape, so a group or topic no longer there is not shown.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
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
}
