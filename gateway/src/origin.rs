//! The browser edge: a page of another site must not act for the person
//! whose browser it runs in. A request that carries an `Origin` (browsers
//! send one on cross-site requests, non-browser clients usually none) to a
//! route that acts (any method but GET, HEAD and OPTIONS), opens a socket
//! or streams events is refused with `forbidden_origin` (403) unless the
//! origin is listed in `ERRAND_ALLOWED_ORIGINS`, or, with no list, is the
//! gateway's own (same scheme-less host and port as the request's `Host`).
//! With authentication on and no list, any origin may: a browser does not
//! attach a bearer token by itself.

use crate::error::problem;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use errand_schemas::{ErrorBody, ErrorCode};

/// Middleware: refuses cross-site requests that act or stream.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return next.run(request).await;
    };
    let guarded = acts_or_streams(request.method(), request.headers());
    if guarded && !allowed(&state, origin, request.headers()) {
        tracing::warn!(origin, path = %request.uri().path(), "a request from another site was refused");
        return problem(
            StatusCode::FORBIDDEN,
            ErrorBody::new(
                ErrorCode::ForbiddenOrigin,
                "Requests from this site are not allowed (see ERRAND_ALLOWED_ORIGINS).",
            ),
        );
    }
    next.run(request).await
}

/// A method that changes something, a socket upgrade, or an event stream.
fn acts_or_streams(method: &Method, headers: &HeaderMap) -> bool {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let upgrade = headers.contains_key(header::UPGRADE);
    let stream = (headers.get_all(header::ACCEPT).iter())
        .filter_map(|a| a.to_str().ok())
        .any(|a| a.contains("text/event-stream"));
    !reads || upgrade || stream
}

fn allowed(state: &AppState, origin: &str, headers: &HeaderMap) -> bool {
    if !state.allowed_origins.is_empty() {
        return state.allowed_origins.iter().any(|a| a == origin);
    }
    if state.ops.door.auth.enabled() {
        return true;
    }
    same_origin(origin, headers)
}

/// Whether `origin` (`scheme://host[:port]`) names the host the request
/// was sent to.
fn same_origin(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn host(h: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        headers
    }

    #[test]
    fn the_same_host_and_port_is_the_same_origin() {
        assert!(same_origin(
            "http://127.0.0.1:8080",
            &host("127.0.0.1:8080")
        ));
        assert!(same_origin(
            "https://Errand.example",
            &host("errand.example")
        ));
        assert!(!same_origin("http://evil.example", &host("127.0.0.1:8080")));
        assert!(!same_origin(
            "http://127.0.0.1:9999",
            &host("127.0.0.1:8080")
        ));
        assert!(!same_origin("null", &host("127.0.0.1:8080")));
    }

    #[test]
    fn reading_is_not_guarded_but_acting_and_streaming_are() {
        let plain = HeaderMap::new();
        assert!(!acts_or_streams(&Method::GET, &plain));
        assert!(acts_or_streams(&Method::POST, &plain));
        assert!(acts_or_streams(&Method::DELETE, &plain));
        let mut sse = HeaderMap::new();
        sse.insert(
            header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        );
        assert!(acts_or_streams(&Method::GET, &sse));
        let mut ws = HeaderMap::new();
        ws.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        assert!(acts_or_streams(&Method::GET, &ws));
    }
}
