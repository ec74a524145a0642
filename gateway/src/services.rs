//! The services behind the domains over plain HTTP: a charge with the
//! payment service and a place resolved by the location service, where
//! this node runs them.

use crate::commands::trace_for;
use crate::error::{ApiError, Problem};
use crate::extract::{Caller, Json};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use errand_actors::agents::Services;
use errand_actors::agents::payment::ChargeRequest;
use errand_schemas::{Charge, ErrorBody, ErrorCode, Place};
use serde::{Deserialize, Serialize};

/// A charge to take.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChargeBody {
    /// Minor units.
    pub amount: i64,
    /// ISO 4217, such as GBP.
    pub currency: String,
    #[serde(default)]
    pub description: String,
}

fn services(state: &AppState) -> Result<&Services, ApiError> {
    state.services.as_ref().ok_or_else(|| {
        ApiError::Code(ErrorBody::new(
            ErrorCode::AgentUnavailable,
            "This node runs no payment or location service.",
        ))
    })
}

/// Charge (idempotent with `Idempotency-Key`).
#[utoipa::path(
    post,
    path = "/v1/payment/charges",
    tag = "services",
    request_body = ChargeBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "The same key with the same body returns the same charge (24 hours)")),
    responses(
        (status = 201, description = "The charge", body = Charge),
        (status = 400, description = "A body errand cannot read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key was used for a different body", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Declined, or over the cap", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No payment service here", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn payment_charges(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Json(charge): Json<ChargeBody>,
) -> Result<(StatusCode, axum::Json<Charge>), ApiError> {
    if charge.currency.len() != 3 || !charge.currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(ApiError::invalid(
            "A currency is an ISO 4217 code such as GBP.",
        ));
    }
    let trace_id = trace_for(
        &state,
        &caller.subject,
        &headers,
        "payment/charges",
        &charge,
    )
    .await?;
    let request = ChargeRequest {
        idempotency_key: trace_id.0,
        user_id: caller.subject.clone(),
        amount: charge.amount,
        currency: charge.currency,
        description: charge.description,
    };
    let charge = services(&state)?
        .charge(request)
        .await
        .map_err(ApiError::Refused)?;
    Ok((StatusCode::CREATED, axum::Json(charge)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// A place name or an address (1 to 200 characters).
    q: Option<String>,
}

/// Resolve a place name or address.
#[utoipa::path(
    get,
    path = "/v1/location/resolve",
    tag = "services",
    params(ResolveQuery),
    responses(
        (status = 200, description = "The place", body = Place),
        (status = 400, description = "No query", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such place", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "No location service here", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ())
)]
pub async fn location_resolve(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ResolveQuery>,
) -> Result<axum::Json<Place>, ApiError> {
    let q = query
        .q
        .filter(|q| !q.trim().is_empty() && q.len() <= 200)
        .ok_or_else(|| {
            ApiError::invalid("Give the place to resolve as ?q= (1 to 200 characters).")
        })?;
    match services(&state)?.resolve(&q, &caller.subject).await {
        Ok(place) => Ok(axum::Json(place)),
        Err(e) if e.code == ErrorCode::UnknownPlace => Err(ApiError::NotFound(e)),
        Err(e) => Err(ApiError::Code(e)),
    }
}
