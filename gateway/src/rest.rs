//! The REST adapters: each domain's action over plain HTTP, forwarded to its
//! agent (wherever it runs) and answered with the result object itself.
//!
//! | route | body | answer |
//! | --- | --- | --- |
//! | `POST /v1/food/orders` | `{"items":[{"name","quantity"}],"address", "restaurant"?, "cuisine"?}` | 201, the order (`order_id`, `items`, `total`, `currency`, `eta_minutes`) |
//! | `POST /v1/ride/bookings` | `{"pickup","destination","ride_type"?,"seats"?,"pickup_at"?}` | 201, the booking |
//! | `POST /v1/mart/orders` | `{"items":[...],"address"}` | 201, the order |
//! | `POST /v1/payment/charges` | `{"amount","currency","description"?}` | 201, the charge |
//! | `GET /v1/location/resolve?q=` | | 200, the place |
//! | `POST /v1/food/orders/quote` (and `/v1/ride/bookings/quote`, `/v1/mart/orders/quote`) | as above | 200, the priced summary; 422 with `code`, `slot` and `offer` when it cannot be placed |
//!
//! An `Idempotency-Key` header is scoped to its subject and route and kept
//! for 24 hours: the same key with the same body returns the same result
//! (the command's trace id is derived from the key, and agents are
//! idempotent by trace id); the same key with a different body is a 409
//! (`idempotency_conflict`). Bad bodies are 400 with a problem+json code;
//! an agent's refusal (unknown place, out of stock, over the cap) is 422.

use crate::app::{AppState, problem, status_of};
use crate::auth::Caller;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use errand_actors::agents::food::validate_items;
use errand_actors::agents::payment::ChargeRequest;
use errand_actors::agents::stable_id;
use errand_actors::recorder::final_step;
use errand_schemas::codec::to_json;
use errand_schemas::{
    Action, Command, ErrorBody, ErrorCode, FoodOrder, MartOrder, Outcome, RideBooking, SessionId,
    Status, StatusUpdate, TraceId,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

fn created<T: serde::Serialize>(value: &T) -> Response {
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        to_json(value),
    )
        .into_response()
}

/// A body of type `T`, or the 400 that explains why not.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        let code = if e.is_syntax() || e.is_eof() {
            ErrorCode::MalformedJson
        } else {
            ErrorCode::InvalidMessage
        };
        Box::new(problem(
            StatusCode::BAD_REQUEST,
            ErrorBody::new(code, format!("Invalid request body: {e}.")),
        ))
    })
}

fn bad(message: impl Into<String>) -> Box<Response> {
    Box::new(problem(
        StatusCode::BAD_REQUEST,
        ErrorBody::new(ErrorCode::InvalidMessage, message),
    ))
}

/// The trace id of a request: derived from its `Idempotency-Key` (after
/// checking the key was not used for a different body), or new.
async fn trace_for(
    state: &AppState,
    user: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
) -> Result<TraceId, Box<Response>> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(TraceId::generate());
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| bad("An Idempotency-Key is 1 to 255 visible characters."))?;
    let scoped = format!("{user}:{route}:{key}");
    // The canonical form of the body, so formatting does not matter.
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let fingerprint = stable_id("body", &canonical).into_bytes();
    let stored = state
        .idempotency
        .put_if_absent_for(
            &state.keys.idempotency(&scoped, "http"),
            &fingerprint,
            IDEMPOTENCY_TTL,
        )
        .await
        .map_err(|e| {
            Box::new(problem(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorBody::new(ErrorCode::StateUnavailable, e.to_string()),
            ))
        })?;
    if stored != fingerprint {
        return Err(Box::new(problem(
            StatusCode::CONFLICT,
            ErrorBody::new(
                ErrorCode::IdempotencyConflict,
                "This Idempotency-Key was used for a different request.",
            ),
        )));
    }
    Ok(TraceId(stable_id("http", &scoped)))
}

/// Runs `action` through its domain's agent and answers with its result.
async fn forward(
    state: &AppState,
    user: &str,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    action: Action,
) -> Response {
    let trace_id = match trace_for(state, user, headers, route, body).await {
        Ok(t) => t,
        Err(response) => return *response,
    };
    let domain = action.domain().to_owned();
    let command = Command {
        trace_id: trace_id.clone(),
        session_id: SessionId(format!("rest-{user}")),
        user_id: user.to_owned(),
        action,
        issued_at_ms: errand_schemas::now_ms(),
        turn: 0,
        deadline_ms: None,
    };
    let tracker = &state.front.recorder;
    let dispatched = StatusUpdate {
        domain: Some(domain.clone()),
        deadline_ms: Some(tracker.clock.now_ms() + state.front.command_deadline.as_millis() as u64),
        ..StatusUpdate::new(
            trace_id,
            command.session_id.clone(),
            command.user_id.clone(),
            Status::Dispatched,
            0,
        )
    };
    if let Err(e) = tracker.record(dispatched).await {
        return problem(
            status_of(e.code()),
            ErrorBody::new(e.code(), "The state store is unavailable."),
        );
    }
    let result = match state.agents.call(&command, &domain).await {
        Ok(result) => result,
        Err((code, message)) => return problem(status_of(code), ErrorBody::new(code, message)),
    };
    if let Err(e) = tracker.record(final_step(&result)).await {
        tracing::warn!(error = %e, "cannot record a REST command's result");
    }
    match result.outcome {
        Outcome::Confirmed { result } => created(&result),
        Outcome::Failed { error } => {
            let status = match status_of(error.code) {
                StatusCode::BAD_REQUEST => StatusCode::UNPROCESSABLE_ENTITY,
                other => other,
            };
            problem(status, error)
        }
    }
}

/// Prices `action` with its domain's agent, without side effects.
async fn quote(state: &AppState, user: &str, action: Action) -> Response {
    let command = Command {
        trace_id: TraceId::generate(),
        session_id: SessionId(format!("rest-{user}")),
        user_id: user.to_owned(),
        action,
        issued_at_ms: errand_schemas::now_ms(),
        turn: 0,
        deadline_ms: None,
    };
    match state.agents.quote(&command).await {
        Ok(Ok(summary)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            to_json(&summary),
        )
            .into_response(),
        Ok(Err(refusal)) => {
            // A problem, with the slot to change and what errand could offer.
            let body = serde_json::json!({
                "type": format!("https://errand.dev/problems/{}", refusal.error.code),
                "title": refusal.error.code.as_str(),
                "status": 422,
                "code": refusal.error.code,
                "detail": refusal.error.message,
                "slot": refusal.slot,
                "offer": refusal.offer.map(|o| o.slots),
            });
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                [(header::CONTENT_TYPE, "application/problem+json")],
                body.to_string(),
            )
                .into_response()
        }
        Err(e) => problem(status_of(e.code), e),
    }
}

/// Parses a body of type `T`, checks it, and prices the action it makes.
async fn priced<T: DeserializeOwned>(
    state: &AppState,
    caller: &Caller,
    body: &[u8],
    check: fn(&T) -> Result<(), String>,
    action: fn(T) -> Action,
) -> Response {
    let value: T = match parse(body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    if let Err(why) = check(&value) {
        return *bad(why);
    }
    quote(state, &caller.subject, action(value)).await
}

pub async fn food_quote(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let check = |o: &FoodOrder| items_and_address(&o.items, &o.address);
    priced(&state, &caller, &body, check, Action::OrderFood).await
}

pub async fn ride_quote(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    priced(&state, &caller, &body, ride_check, Action::BookRide).await
}

pub async fn mart_quote(State(state): State<AppState>, caller: Caller, body: Bytes) -> Response {
    let check = |o: &MartOrder| items_and_address(&o.items, &o.address);
    priced(&state, &caller, &body, check, Action::OrderMart).await
}

fn ride_check(r: &RideBooking) -> Result<(), String> {
    if r.pickup.trim().is_empty() || r.destination.trim().is_empty() {
        return Err("A pickup and a destination are required.".to_owned());
    }
    Ok(())
}

/// Parses a body of type `T`, checks it, and forwards the action it makes.
async fn adapt<T: DeserializeOwned>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
    route: &str,
    check: fn(&T) -> Result<(), String>,
    action: fn(T) -> Action,
) -> Response {
    let value: T = match parse(body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    if let Err(why) = check(&value) {
        return *bad(why);
    }
    forward(state, &caller.subject, headers, route, body, action(value)).await
}

fn items_and_address(items: &[errand_schemas::ItemRequest], address: &str) -> Result<(), String> {
    validate_items(items).map_err(|e| e.message)?;
    if address.trim().is_empty() {
        return Err("An address is required.".into());
    }
    Ok(())
}

pub async fn food_orders(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let check = |o: &FoodOrder| items_and_address(&o.items, &o.address);
    adapt(
        &state,
        &caller,
        &headers,
        &body,
        "food/orders",
        check,
        Action::OrderFood,
    )
    .await
}

pub async fn ride_bookings(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    adapt(
        &state,
        &caller,
        &headers,
        &body,
        "ride/bookings",
        ride_check,
        Action::BookRide,
    )
    .await
}

pub async fn mart_orders(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let check = |o: &MartOrder| items_and_address(&o.items, &o.address);
    adapt(
        &state,
        &caller,
        &headers,
        &body,
        "mart/orders",
        check,
        Action::OrderMart,
    )
    .await
}

#[derive(serde::Deserialize)]
struct ChargeBody {
    amount: i64,
    currency: String,
    #[serde(default)]
    description: String,
}

fn no_agents() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorBody::new(
            ErrorCode::AgentUnavailable,
            "This node runs no payment or location service.",
        ),
    )
}

pub async fn payment_charges(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let charge: ChargeBody = match parse(&body) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if charge.currency.len() != 3 || !charge.currency.chars().all(|c| c.is_ascii_uppercase()) {
        return *bad("A currency is an ISO 4217 code such as GBP.");
    }
    let trace_id =
        match trace_for(&state, &caller.subject, &headers, "payment/charges", &body).await {
            Ok(t) => t,
            Err(r) => return *r,
        };
    let Some(services) = &state.services else {
        return no_agents();
    };
    let request = ChargeRequest {
        idempotency_key: trace_id.0,
        user_id: caller.subject.clone(),
        amount: charge.amount,
        currency: charge.currency,
        description: charge.description,
    };
    match services.charge(request).await {
        Ok(charge) => created(&charge),
        Err(e) => {
            let status = match status_of(e.code) {
                StatusCode::BAD_REQUEST => StatusCode::UNPROCESSABLE_ENTITY,
                other => other,
            };
            problem(status, e)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ResolveQuery {
    q: Option<String>,
}

pub async fn location_resolve(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ResolveQuery>,
) -> Response {
    let Some(q) = query.q.filter(|q| !q.trim().is_empty() && q.len() <= 200) else {
        return *bad("Give the place to resolve as ?q= (1 to 200 characters).");
    };
    let Some(services) = &state.services else {
        return no_agents();
    };
    match services.resolve(&q, &caller.subject).await {
        Ok(place) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            to_json(&place),
        )
            .into_response(),
        Err(e) if e.code == ErrorCode::UnknownPlace => problem(StatusCode::NOT_FOUND, e),
        Err(e) => problem(status_of(e.code), e),
    }
}
