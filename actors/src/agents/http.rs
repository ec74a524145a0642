//! [`HttpAgent`]: a domain served by an external HTTP service with the same
//! contract as errand's REST adapters (`POST /v1/food/orders`,
//! `POST /v1/ride/bookings`, `POST /v1/mart/orders`, or
//! `POST /v1/<domain>/<action>` for other domains). This is how a real
//! provider plugs in: configure the domain's base URL and the router sends
//! its commands there.
//!
//! The command's trace id goes as the `Idempotency-Key`, so a retried
//! command is the same request to the provider. A 2xx answer is the result;
//! a problem+json answer with a `code` is the provider's refusal; anything
//! else (unreachable, 5xx without a code) is transient and retried.
//!
//! Prices before the confirmation come from the same route with `/quote`
//! (`POST /v1/food/orders/quote`): a 2xx answer is the summary, a problem
//! with a `code` (and a `slot`, an `offer`) the refusal. A provider without
//! that route (404, 405) is confirmed unpriced.
//!
//! A placed command is cancelled with `POST /v1/commands/{trace_id}/cancel`
//! (as errand's own route, the trace id also as the `Idempotency-Key`): a
//! 2xx answer is the cancellation (a `CancelResult` in the body, or the
//! whole order given back); a provider without the route (404, 405, 501)
//! cannot cancel (`cancel_not_supported`).

use super::Services;
use crate::registry::{DomainAgent, DomainSpec};
use async_trait::async_trait;
use errand_schemas::{
    Action, AgentResult, CancelResult, Command, ErrorBody, ErrorCode, Offer, Outcome, Refusal,
    ResultBody, SlotMap, Summary,
};
use std::time::Duration;

pub struct HttpAgent {
    spec: DomainSpec,
    base_url: String,
    client: reqwest::Client,
}

impl HttpAgent {
    /// `spec` is the domain's (usually the built-in agent's); `base_url`
    /// like `https://provider.example`.
    pub fn new(
        spec: DomainSpec,
        base_url: impl Into<String>,
        timeout: Duration,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            spec,
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            client,
        })
    }

    fn request(&self, command: &Command) -> (String, serde_json::Value) {
        let body = |v: serde_json::Result<serde_json::Value>| v.unwrap_or_default();
        match &command.action {
            Action::OrderFood(o) => (
                format!("{}/v1/food/orders", self.base_url),
                body(serde_json::to_value(o)),
            ),
            Action::BookRide(r) => (
                format!("{}/v1/ride/bookings", self.base_url),
                body(serde_json::to_value(r)),
            ),
            Action::OrderMart(m) => (
                format!("{}/v1/mart/orders", self.base_url),
                body(serde_json::to_value(m)),
            ),
            Action::Custom(c) => (
                format!("{}/v1/{}/{}", self.base_url, c.domain, c.name),
                serde_json::to_value(&c.slots).unwrap_or_default(),
            ),
        }
    }
}

/// The whole of a placed command given back.
fn given_back(placed: &AgentResult) -> CancelResult {
    let (cancelled, refund, currency, charge_id) = match &placed.outcome {
        Outcome::Confirmed {
            result: ResultBody::Order(o),
        } => (&o.order_id, o.total, &o.currency, &o.charge_id),
        Outcome::Confirmed {
            result: ResultBody::Ride(r),
        } => (&r.booking_id, r.fare, &r.currency, &r.charge_id),
        _ => {
            return CancelResult {
                cancelled: placed.trace_id.to_string(),
                refund: 0,
                currency: String::new(),
                charge_id: String::new(),
            };
        }
    };
    CancelResult {
        cancelled: cancelled.clone(),
        refund,
        currency: currency.clone(),
        charge_id: charge_id.clone(),
    }
}

fn transient(message: String) -> ErrorBody {
    ErrorBody::new(ErrorCode::AgentUnavailable, message)
}

#[async_trait]
impl DomainAgent for HttpAgent {
    fn spec(&self) -> DomainSpec {
        self.spec.clone()
    }

    async fn quote(&self, command: &Command, _: &Services) -> Result<Summary, Refusal> {
        let (url, body) = self.request(command);
        let answer = self
            .post(&format!("{url}/quote"), command, &body)
            .await
            .map_err(Refusal::fatal)?;
        match answer {
            (status, _) if status.as_u16() == 404 || status.as_u16() == 405 => {
                Ok(crate::registry::unpriced(command))
            }
            (status, json) if status.is_success() => serde_json::from_value(json).map_err(|e| {
                Refusal::fatal(transient(format!("the provider's quote is not valid: {e}")))
            }),
            (status, json) => {
                let error = self.refusal(status, &json)?;
                let mut refusal = Refusal::from(error);
                if let Some(slot) = json["slot"].as_str() {
                    refusal.slot = Some(slot.to_owned());
                }
                if let Ok(slots) = serde_json::from_value::<SlotMap>(json["offer"].clone()) {
                    refusal.offer = Some(Offer { slots });
                }
                Err(refusal)
            }
        }
    }

    async fn execute(&self, command: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        let (url, body) = self.request(command);
        let (status, json) = self.post(&url, command, &body).await?;
        if status.is_success() {
            return serde_json::from_value(json).map_err(|e| {
                ErrorBody::new(
                    ErrorCode::ProcessingFailed,
                    format!("the provider's result is not valid: {e}"),
                )
            });
        }
        Err(self
            .refusal(status, &json)
            .unwrap_or_else(|transient| transient))
    }

    async fn cancel(
        &self,
        placed: &AgentResult,
        _now_ms: u64,
        _: &Services,
    ) -> Result<CancelResult, ErrorBody> {
        let trace = placed.trace_id.as_str();
        let url = format!("{}/v1/commands/{trace}/cancel", self.base_url);
        let (status, json) = self.post_keyed(&url, trace, &serde_json::json!({})).await?;
        match status.as_u16() {
            404 | 405 | 501 => Err(ErrorBody::new(
                ErrorCode::CancelNotSupported,
                format!("The {} provider cannot cancel.", self.spec.name),
            )),
            _ if status.is_success() => {
                Ok(serde_json::from_value(json).unwrap_or_else(|_| given_back(placed)))
            }
            _ => Err(self
                .refusal(status, &json)
                .unwrap_or_else(|transient| transient)),
        }
    }

    async fn withdraw(&self, command: &Command, _: &Services) -> Result<(), ErrorBody> {
        let trace = command.trace_id.as_str();
        let url = format!("{}/v1/commands/{trace}/cancel", self.base_url);
        let (status, json) = self.post_keyed(&url, trace, &serde_json::json!({})).await?;
        match status.as_u16() {
            // Nothing placed under that key (or nothing to cancel with).
            404 => Ok(()),
            405 | 501 => Err(ErrorBody::new(
                ErrorCode::CancelNotSupported,
                format!("The {} provider cannot cancel.", self.spec.name),
            )),
            _ if status.is_success() => Ok(()),
            _ => Err(self
                .refusal(status, &json)
                .unwrap_or_else(|transient| transient)),
        }
    }

    fn confirmation(&self, result: &ResultBody) -> String {
        match result {
            ResultBody::Order(o) => {
                super::order_confirmation(&format!("Your order from {}", o.merchant), o)
            }
            ResultBody::Ride(r) => format!(
                "Your ride to {} is booked: {}, arriving in about {} minutes.",
                r.destination.name,
                super::format_money(r.fare, &r.currency),
                r.eta_minutes
            ),
            ResultBody::Cancellation(_) | ResultBody::Other(_) => "Done.".into(),
        }
    }
}

impl HttpAgent {
    /// Posts `body` for `command`; the status and the JSON answer.
    async fn post(
        &self,
        url: &str,
        command: &Command,
        body: &serde_json::Value,
    ) -> Result<(reqwest::StatusCode, serde_json::Value), ErrorBody> {
        self.post_keyed(url, command.trace_id.as_str(), body).await
    }

    /// Posts `body` with `key` as its `Idempotency-Key`.
    async fn post_keyed(
        &self,
        url: &str,
        key: &str,
        body: &serde_json::Value,
    ) -> Result<(reqwest::StatusCode, serde_json::Value), ErrorBody> {
        let response = self
            .client
            .post(url)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                transient(format!(
                    "the {} provider is unreachable: {e}",
                    self.spec.name
                ))
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            transient(format!(
                "the {} provider's answer was cut: {e}",
                self.spec.name
            ))
        })?;
        Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
    }

    /// A refusal with a stable code is an answer (`Ok`); anything else is
    /// transient (`Err`) and retried.
    fn refusal(
        &self,
        status: reqwest::StatusCode,
        json: &serde_json::Value,
    ) -> Result<ErrorBody, ErrorBody> {
        match serde_json::from_value::<ErrorCode>(json["code"].clone()) {
            Ok(code) if !status.is_server_error() || code != ErrorCode::Internal => {
                Ok(ErrorBody::new(
                    code,
                    json["detail"]
                        .as_str()
                        .unwrap_or("The provider refused.")
                        .to_owned(),
                ))
            }
            _ => Err(transient(format!(
                "the {} provider answered {status}",
                self.spec.name
            ))),
        }
    }
}
