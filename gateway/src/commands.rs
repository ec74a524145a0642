//! Commands over plain HTTP: each domain's action handed to the router like
//! any other command (the HTTP → `agent.cmd` bridge), answered with its
//! result once its final status comes back; prices without placing; a
//! command's state; cancelling one.
//!
//! An `Idempotency-Key` header is scoped to its subject and route and kept
//! for 24 hours: the same key with the same body answers as the first
//! request did (the command's trace id is derived from the key, and agents
//! are idempotent by trace id); the same key with a different body is a 409
//! (`idempotency_conflict`). Bad bodies are 400 with a problem+json code;
//! an agent's refusal (unknown place, out of stock, over the cap) is 422.

use crate::error::{ApiError, Problem};
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use errand_actors::agents::food::validate_items;
use errand_actors::agents::stable_id;
use errand_schemas::{
    Act, Action, Command, CommandState, ErrorBody, ErrorCode, FoodOrder, ItemRequest, MartOrder,
    ResultBody, RideBooking, SessionId, Status, StatusUpdate, Summary, TraceId,
};
use serde::Serialize;
use std::time::Duration;

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

/// How much longer than its deadline a caller waits for a command's final
/// status (the sweeper's own period).
const DEADLINE_GRACE: Duration = Duration::from_secs(2);

type Created<T> = (StatusCode, axum::Json<T>);

fn unavailable() -> ApiError {
    ApiError::Code(ErrorBody::new(
        ErrorCode::StateUnavailable,
        "The state store is unavailable.",
    ))
}

/// The trace id of a request: derived from its `Idempotency-Key` (after
/// checking the key was not used for a different body), or new.
pub(crate) async fn trace_for<T: Serialize>(
    state: &AppState,
    user: &str,
    headers: &HeaderMap,
    route: &str,
    body: &T,
) -> Result<TraceId, ApiError> {
    let Some(key) = headers.get("idempotency-key") else {
        return Ok(TraceId::generate());
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| ApiError::invalid("An Idempotency-Key is 1 to 255 visible characters."))?;
    let scoped = format!("{user}:{route}:{key}");
    // The body as errand read it, so formatting does not matter.
    let canonical = serde_json::to_string(body).unwrap_or_default();
    let fingerprint = stable_id("body", &canonical).into_bytes();
    let stored = state
        .idempotency
        .put_if_absent_for(
            &state.keys.idempotency(&scoped, "http"),
            &fingerprint,
            IDEMPOTENCY_TTL,
        )
        .await
        .map_err(|e| ApiError::Code(ErrorBody::new(ErrorCode::StateUnavailable, e.to_string())))?;
    if stored != fingerprint {
        return Err(ApiError::Conflict(ErrorBody::new(
            ErrorCode::IdempotencyConflict,
            "This Idempotency-Key was used for a different request.",
        )));
    }
    Ok(TraceId(stable_id("http", &scoped)))
}

/// Hands `action` to the router and answers with its result.
async fn place(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    route: &str,
    action: Action,
) -> Result<Created<ResultBody>, ApiError> {
    let trace_id = trace_for(state, &caller.subject, headers, route, &action).await?;
    // Waiting from before the command can end, so its end is never missed.
    let waiter = state.waiters.wait_for(&trace_id);
    let store = &state.front.recorder.store;
    let known = store.get(&trace_id).await.map_err(|_| unavailable())?;
    if let Some(ended) = known.as_ref().filter(|c| c.status.is_final()) {
        // A retry of a command that ended: it answers as it ended.
        return answer(ended.status, ended.result.clone(), ended.error.clone());
    }
    let now = state.front.recorder.clock.now_ms();
    let deadline = state.front.command_deadline;
    let command = Command {
        trace_id,
        session_id: SessionId(format!("rest-{}", caller.subject)),
        user_id: caller.subject.clone(),
        action,
        issued_at_ms: now,
        turn: 0,
        deadline_ms: Some(now + deadline.as_millis() as u64),
    };
    state.front.dispatch(&command, known.is_none()).await?;
    let ended = waiter
        .finished(deadline + DEADLINE_GRACE)
        .await
        .ok_or(ApiError::Deadline)?;
    answer(ended.status, ended.result, ended.error)
}

/// A command's final status as an HTTP answer.
fn answer(
    status: Status,
    result: Option<ResultBody>,
    error: Option<ErrorBody>,
) -> Result<Created<ResultBody>, ApiError> {
    match (status, result, error) {
        (Status::Confirmed, Some(result), _) => Ok((StatusCode::CREATED, axum::Json(result))),
        (_, _, Some(error)) => Err(ApiError::Refused(error)),
        (status, _, None) => Err(ApiError::Refused(ErrorBody::new(
            ErrorCode::ProcessingFailed,
            format!("The command ended {status} without a result."),
        ))),
    }
}

fn items_and_address(items: &[ItemRequest], address: &str) -> Result<(), ApiError> {
    validate_items(items).map_err(|e| ApiError::invalid(e.message))?;
    if address.trim().is_empty() {
        return Err(ApiError::invalid("An address is required."));
    }
    Ok(())
}

fn ride_check(ride: &RideBooking) -> Result<(), ApiError> {
    if ride.pickup.trim().is_empty() || ride.destination.trim().is_empty() {
        return Err(ApiError::invalid(
            "A pickup and a destination are required.",
        ));
    }
    Ok(())
}

/// Order food: placed at once (no confirmation: the caller decided).
#[utoipa::path(
    post,
    path = "/v1/food/orders",
    tag = "commands",
    request_body = FoodOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key with the same body answers as the first request did (24 hours)")),
    responses(
        (status = 201, description = "The order", body = ResultBody),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for a different body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The agent refused it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "errand cannot take it now", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "No result within the deadline", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn food_orders(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(order): Json<FoodOrder>,
) -> Result<Created<ResultBody>, ApiError> {
    items_and_address(&order.items, &order.address)?;
    place(
        &state,
        &caller,
        &headers,
        "food/orders",
        Action::OrderFood(order),
    )
    .await
}

/// Book a ride: booked at once.
#[utoipa::path(
    post,
    path = "/v1/ride/bookings",
    tag = "commands",
    request_body = RideBooking,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key with the same body answers as the first request did (24 hours)")),
    responses(
        (status = 201, description = "The booking", body = ResultBody),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for a different body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The agent refused it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "errand cannot take it now", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "No result within the deadline", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn ride_bookings(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(ride): Json<RideBooking>,
) -> Result<Created<ResultBody>, ApiError> {
    ride_check(&ride)?;
    place(
        &state,
        &caller,
        &headers,
        "ride/bookings",
        Action::BookRide(ride),
    )
    .await
}

/// Order groceries: placed at once.
#[utoipa::path(
    post,
    path = "/v1/mart/orders",
    tag = "commands",
    request_body = MartOrder,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key with the same body answers as the first request did (24 hours)")),
    responses(
        (status = 201, description = "The order", body = ResultBody),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for a different body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The agent refused it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "errand cannot take it now", body = Problem, content_type = "application/problem+json"),
        (status = 504, description = "No result within the deadline", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn mart_orders(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(order): Json<MartOrder>,
) -> Result<Created<ResultBody>, ApiError> {
    items_and_address(&order.items, &order.address)?;
    place(
        &state,
        &caller,
        &headers,
        "mart/orders",
        Action::OrderMart(order),
    )
    .await
}

/// Prices `action` with its domain's agent, without side effects.
async fn quote(
    state: &AppState,
    caller: &Caller,
    action: Action,
) -> Result<axum::Json<Summary>, ApiError> {
    let command = Command {
        trace_id: TraceId::generate(),
        session_id: SessionId(format!("rest-{}", caller.subject)),
        user_id: caller.subject.clone(),
        action,
        issued_at_ms: state.front.recorder.clock.now_ms(),
        turn: 0,
        deadline_ms: None,
    };
    match state.agents.quote(&command).await? {
        Ok(summary) => Ok(axum::Json(summary)),
        Err(refusal) => Err(ApiError::Unquotable(Box::new(refusal))),
    }
}

/// Price a food order without placing it.
#[utoipa::path(
    post,
    path = "/v1/food/orders/quote",
    tag = "commands",
    request_body = FoodOrder,
    responses(
        (status = 200, description = "The priced summary", body = Summary),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cannot be placed: the `slot` to change and an `offer`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No agent answers", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn food_quote(
    State(state): State<AppState>,
    caller: Caller,
    Json(order): Json<FoodOrder>,
) -> Result<axum::Json<Summary>, ApiError> {
    items_and_address(&order.items, &order.address)?;
    quote(&state, &caller, Action::OrderFood(order)).await
}

/// Price a ride without booking it.
#[utoipa::path(
    post,
    path = "/v1/ride/bookings/quote",
    tag = "commands",
    request_body = RideBooking,
    responses(
        (status = 200, description = "The priced summary", body = Summary),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cannot be booked: the `slot` to change and an `offer`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No agent answers", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn ride_quote(
    State(state): State<AppState>,
    caller: Caller,
    Json(ride): Json<RideBooking>,
) -> Result<axum::Json<Summary>, ApiError> {
    ride_check(&ride)?;
    quote(&state, &caller, Action::BookRide(ride)).await
}

/// Price a grocery order without placing it.
#[utoipa::path(
    post,
    path = "/v1/mart/orders/quote",
    tag = "commands",
    request_body = MartOrder,
    responses(
        (status = 200, description = "The priced summary", body = Summary),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cannot be placed: the `slot` to change and an `offer`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No agent answers", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn mart_quote(
    State(state): State<AppState>,
    caller: Caller,
    Json(order): Json<MartOrder>,
) -> Result<axum::Json<Summary>, ApiError> {
    items_and_address(&order.items, &order.address)?;
    quote(&state, &caller, Action::OrderMart(order)).await
}

/// The caller's own command `trace_id` (another subject's does not exist,
/// as far as the caller knows).
async fn own_command(
    state: &AppState,
    caller: &Caller,
    trace_id: &TraceId,
) -> Result<CommandState, ApiError> {
    match state.front.recorder.store.get(trace_id).await {
        Ok(Some(command)) if command.user_id == caller.subject => Ok(command),
        Ok(_) => Err(ApiError::not_found("No command with that trace id.")),
        Err(e) => {
            tracing::warn!(error = %e, "status lookup failed");
            Err(unavailable())
        }
    }
}

/// A command's status and history.
#[utoipa::path(
    get,
    path = "/v1/commands/{trace_id}",
    tag = "commands",
    params(("trace_id" = String, Path, description = "The command's trace id")),
    responses(
        (status = 200, description = "The command", body = CommandState),
        (status = 404, description = "No such command of this caller", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The state store is unavailable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn command(
    State(state): State<AppState>,
    caller: Caller,
    Path(trace_id): Path<String>,
) -> Result<axum::Json<CommandState>, ApiError> {
    own_command(&state, &caller, &TraceId(trace_id))
        .await
        .map(axum::Json)
}

/// Cancel a command: a placed one with its provider (the charge voided or
/// refunded), or one still being put together (the conversation drops
/// it); answers with the command's state.
#[utoipa::path(
    post,
    path = "/v1/commands/{trace_id}/cancel",
    tag = "commands",
    params(("trace_id" = String, Path, description = "The command's trace id")),
    responses(
        (status = 200, description = "The command, cancelled", body = CommandState),
        (status = 202, description = "Accepted: the conversation is dropping it", body = CommandState),
        (status = 404, description = "No such command of this caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It already ended, is being placed, or is past its cancellation window", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The provider refused", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "errand cannot do it now", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn cancel_command(
    State(state): State<AppState>,
    caller: Caller,
    Path(trace_id): Path<String>,
) -> Result<(StatusCode, axum::Json<CommandState>), ApiError> {
    let trace_id = TraceId(trace_id);
    let command = own_command(&state, &caller, &trace_id).await?;
    let ended = |why: String| ApiError::Conflict(ErrorBody::new(ErrorCode::InvalidCommand, why));
    match command.status {
        Status::Cancelled => Ok((StatusCode::OK, axum::Json(command))),
        Status::Confirmed => cancel_placed(&state, &caller, command).await,
        Status::Dispatched => Err(ended(
            "It is being placed right now; try again in a moment.".into(),
        )),
        Status::Failed | Status::Declined | Status::Answered => {
            Err(ended(format!("It already ended: {}.", command.status)))
        }
        Status::Received
        | Status::AwaitingClarification
        | Status::Understood
        | Status::AwaitingConfirmation => {
            // Still in the conversation: the dialogue drops it, as the
            // page's Cancel button does.
            let waiter = state.waiters.wait_for(&trace_id);
            state
                .front
                .press(
                    &command.session_id,
                    &caller.subject,
                    &trace_id,
                    Act::Cancel,
                    None,
                )
                .await?;
            let _ = waiter.finished(Duration::from_secs(5)).await;
            let command = own_command(&state, &caller, &trace_id).await?;
            let answered = if command.status.is_final() {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            };
            Ok((answered, axum::Json(command)))
        }
    }
}

/// Cancels a placed command with its provider and records the refund.
async fn cancel_placed(
    state: &AppState,
    caller: &Caller,
    command: CommandState,
) -> Result<(StatusCode, axum::Json<CommandState>), ApiError> {
    let domain = command.domain.clone().unwrap_or_default();
    let trace_id = command.trace_id.clone();
    let cancelled = match state
        .agents
        .cancel(&domain, &trace_id, &caller.subject)
        .await?
    {
        Ok(cancelled) => cancelled,
        Err(refusal) if refusal.code == ErrorCode::TooLateToCancel => {
            return Err(ApiError::Conflict(refusal));
        }
        Err(refusal) => return Err(ApiError::Refused(refusal)),
    };
    let step = StatusUpdate {
        domain: Some(domain),
        reply: Some(format!(
            "Cancelled: {} will be refunded.",
            errand_actors::agents::format_money(cancelled.refund, &cancelled.currency)
        )),
        result: Some(ResultBody::Cancellation(cancelled)),
        ..StatusUpdate::new(
            trace_id.clone(),
            command.session_id.clone(),
            command.user_id.clone(),
            Status::Cancelled,
            command.turn,
        )
    };
    state
        .front
        .recorder
        .record(step)
        .await
        .map_err(|e| ApiError::Code(ErrorBody::new(e.code(), e.to_string())))?;
    let command = own_command(state, caller, &trace_id).await?;
    Ok((StatusCode::OK, axum::Json(command)))
}
