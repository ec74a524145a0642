//! The axum application. [`routes`] is the one list of routes: the router
//! and the OpenAPI document are both made from it, each handler's
//! `#[utoipa::path]` describing itself; [`app`] adds the page, the
//! fallback and the middleware; [`ops_app`] is what a node that is not a
//! gateway serves; [`serve`] runs either on a listener until shutdown.

use crate::error::{ApiError, problem};
use crate::ops::{Ops, RequestCounts};
use crate::state::AppState;
use crate::{commands, ops, services, sessions, web, ws_text};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use errand_schemas::{ErrorBody, ErrorCode};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document's frame: its title and the bearer scheme routes refer to.
#[derive(OpenApi)]
#[openapi(
    info(title = "errand", description = "A conversational command backend."),
    modifiers(&BearerScheme)
)]
struct Frame;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A static token or an HS256 JWT (when authentication is on)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every documented route, with the document made from their handlers.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Frame::openapi())
        .routes(routes!(ws_text::upgrade))
        .routes(routes!(ws_text::upgrade_mic))
        .routes(routes!(sessions::hello))
        .routes(routes!(sessions::post_utterance))
        .routes(routes!(sessions::session_events))
        .routes(routes!(commands::command))
        .routes(routes!(commands::cancel_command))
        .routes(routes!(commands::food_orders))
        .routes(routes!(commands::ride_bookings))
        .routes(routes!(commands::mart_orders))
        .routes(routes!(commands::food_quote))
        .routes(routes!(commands::ride_quote))
        .routes(routes!(commands::mart_quote))
        .routes(routes!(services::payment_charges))
        .routes(routes!(services::location_resolve))
        .routes(routes!(ops::cluster))
        .routes(routes!(ops::tree))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
}

/// The OpenAPI 3.1 document of the HTTP surface (`/v1/openapi.json`).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = routes().split_for_parts();
    document.paths.paths.insert(
        "/v1/openapi.json".into(),
        utoipa::openapi::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This document"))
                .tag("operations")
                .response(
                    "200",
                    utoipa::openapi::ResponseBuilder::new().description("OpenAPI 3.1"),
                ),
        ),
    );
    document.info.version = env!("CARGO_PKG_VERSION").into();
    document
}

/// The HTTP and WebSocket routes, the page, and the middleware that
/// counts requests and turns every refusal into problem+json.
pub fn app(state: AppState) -> Router {
    let (router, _) = routes().split_for_parts();
    let document = Arc::new(document());
    let router = router
        .route(
            "/v1/openapi.json",
            get(move || async move { axum::Json(document.as_ref().clone()) }),
        )
        .route("/", get(web::index))
        .route("/app.js", get(web::script))
        .route("/app.css", get(web::style));
    let router = router.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::origin::guard,
    ));
    finish(router, state.ops.requests.clone()).with_state(state)
}

/// What a node that is not a gateway serves where it is told to listen:
/// liveness, readiness, metrics and the cluster (the same handlers as a
/// gateway's).
pub fn ops_app(ops: Ops) -> Router {
    let (router, _) = OpenApiRouter::new()
        .routes(routes!(ops::cluster))
        .routes(routes!(ops::tree))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .split_for_parts();
    finish(router, ops.requests.clone()).with_state(ops)
}

/// The fallbacks and the middleware every app has.
fn finish<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    requests: Arc<RequestCounts>,
) -> Router<S> {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            requests,
            count_requests,
        ))
        .layer(axum::middleware::from_fn(problems_for_rejections))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}

/// Serves `router` on `listener` until `shutdown` turns `true`; open
/// sockets are told and closed, requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
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

/// Turns the plain-text refusals of axum's own extractors (a query or a
/// path errand cannot read, a body over the limit) into problem+json with
/// a stable code.
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
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "Send the body as application/json.",
        ),
        _ => (ErrorCode::InvalidMessage, "The request is not valid."),
    };
    problem(status, ErrorBody::new(code, detail))
}

async fn count_requests(
    State(requests): State<Arc<RequestCounts>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    requests.count(&route, response.status().as_u16());
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found("No such route.")
}

async fn method_not_allowed() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorBody::new(
            ErrorCode::MethodNotAllowed,
            "This route does not take that method.",
        ),
    )
}
