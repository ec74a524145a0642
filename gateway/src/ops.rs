//! What operators and clients ask of a node rather than of a conversation:
//! liveness, readiness, metrics, the cluster, what errand can do.

use crate::error::{ApiError, Problem};
use crate::extract::{Caller, Door};
use crate::hub::SessionHub;
use axum::extract::{FromRef, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use errand_actors::bus::Bus;
use errand_actors::recorder::Recorder;
use errand_actors::supervisor::{Health, TreeNode};
use errand_schemas::{ErrorBody, ErrorCode};
use serde::Serialize;
use std::sync::Arc;

/// What every node serves over HTTP, a gateway or not.
#[derive(Clone)]
pub struct Ops {
    /// The state store (readiness) and the command latencies.
    pub recorder: Recorder,
    pub bus: Arc<dyn Bus>,
    /// The node's roles, running or not.
    pub roles: Health,
    /// The cluster as this node sees it (`GET /v1/cluster`).
    pub cluster: ClusterView,
    /// HTTP requests answered, by route and status.
    pub requests: Arc<RequestCounts>,
    pub door: Door,
    /// The gateway's sessions, where this node runs the gateway role
    /// (open sockets and errors sent, in `/metrics`).
    pub hub: Option<SessionHub>,
}

impl FromRef<Ops> for Door {
    fn from_ref(ops: &Ops) -> Door {
        ops.door.clone()
    }
}

/// Nodes, roles, health and last heartbeat, as JSON.
pub type ClusterView = Arc<dyn Fn() -> serde_json::Value + Send + Sync>;

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
pub async fn readyz(State(ops): State<Ops>) -> (StatusCode, axum::Json<Readiness>) {
    let store = ops.recorder.store.ready().await;
    let bus = ops.bus.ready().await;
    let roles_down = ops.roles.down();
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
pub async fn cluster(State(ops): State<Ops>, _caller: Caller) -> axum::Json<serde_json::Value> {
    axum::Json((ops.cluster)())
}

/// The node's supervision tree as it runs: each role's supervisor and
/// children, whether each runs and how often it was started again.
#[utoipa::path(
    get,
    path = "/v1/tree",
    tag = "operations",
    responses(
        (status = 200, description = "The tree: name, detail, running, restarts, children", body = errand_schemas::Json),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The root supervisor is not running", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn tree(
    State(ops): State<Ops>,
    _caller: Caller,
) -> Result<axum::Json<TreeNode>, ApiError> {
    ops.roles.tree().await.map(axum::Json).ok_or_else(|| {
        ApiError::Code(ErrorBody::new(
            ErrorCode::ShuttingDown,
            "The node's supervision tree is not running.",
        ))
    })
}

/// Prometheus text: consumer lag per group and topic, open sockets,
/// errors sent to clients by code, command latency, HTTP requests,
/// readiness. What is read at scrape time goes into a recorder made for
/// this scrape, so a group or topic no longer there is not shown.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain")))]
pub async fn metrics(State(ops): State<Ops>) -> impl IntoResponse {
    let ready = ops.recorder.store.ready().await && ops.bus.ready().await;
    let scrape = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&scrape, || {
        metrics::describe_gauge!(
            "errand_consumer_lag",
            "Records a consumer group has not committed yet."
        );
        for (group, topic, lag) in ops.bus.lags() {
            metrics::gauge!("errand_consumer_lag", "group" => group, "topic" => topic)
                .set(lag as f64);
        }
        metrics::describe_counter!(
            "errand_bus_handed_over_total",
            "Records handed to a consumer of this node in process, not fetched back from the broker."
        );
        for (topic, count) in ops.bus.handed_over() {
            metrics::counter!("errand_bus_handed_over_total", "topic" => topic).absolute(count);
        }
        if let Some(hub) = &ops.hub {
            metrics::describe_gauge!("errand_sockets", "Open client sockets on this gateway.");
            metrics::gauge!("errand_sockets").set(hub.socket_count() as f64);
            metrics::describe_counter!(
                "errand_client_errors_total",
                "Error events sent to clients, by code."
            );
            for (code, count) in hub.errors_by_code() {
                metrics::counter!("errand_client_errors_total", "code" => code).absolute(count);
            }
        }
        metrics::describe_gauge!(
            "errand_ready",
            "Whether this node is ready (store and bus)."
        );
        metrics::gauge!("errand_ready").set(f64::from(u8::from(ready)));
    });
    let mut out = scrape.handle().render();
    out.push_str(&ops.recorder.latency.render());
    out.push_str(&ops.requests.render());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
}
