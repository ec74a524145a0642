//! The domain agents (food, ride, mart), the services they use (payment,
//! location), and the actor that hosts any agent.
//!
//! Each agent simulates a real provider behind a provider trait
//! ([`food::FoodProvider`], [`ride::RideProvider`], [`mart::MartProvider`]):
//! a real integration implements that trait and keeps the agent's logic
//! (resolve places, price, charge, place, void on failure).

pub mod caller;
pub mod catalog;
pub mod food;
pub mod host;
pub mod http;
pub mod location;
pub mod mart;
pub mod payment;
pub mod ride;
pub mod role;
pub mod wire;

use crate::clock::Clock;
use crate::slot::ActorSlot;
use errand_schemas::{
    AgentResult, CancelResult, Command, ErrorBody, ErrorCode, LineItem, OrderResult, Outcome,
    Place, Refusal, ResultBody,
};
use location::LocationMessage;
use payment::{Charge, ChargeRequest, PaymentMessage};
use ractor::rpc::CallResult;
use std::time::Duration;

/// The currency of the simulated providers.
pub const CURRENCY: &str = "GBP";

/// How long the simulated kitchens and the mart accept a cancellation
/// after an order is placed.
pub const KITCHEN_CANCEL_WINDOW: Duration = Duration::from_secs(120);

/// The sum of the lines, in minor units.
pub fn lines_total(lines: &[LineItem]) -> i64 {
    lines
        .iter()
        .map(|l| l.unit_price * i64::from(l.quantity))
        .sum()
}

/// A place that did not resolve, as a refusal of `slot`: the person is
/// asked for it again.
pub fn place_refusal(slot: &str, error: ErrorBody) -> Refusal {
    if error.code == ErrorCode::UnknownPlace {
        Refusal::of(slot, error)
    } else {
        Refusal::fatal(error)
    }
}

/// Cancels a placed food or mart order within `window` of its placement:
/// the provider (`who`) is told (`tell`, with the order id) and the charge
/// voided, so the person gets the whole total back. The same answer every
/// time it is asked.
pub async fn cancel_order<Fut>(
    placed: &AgentResult,
    now_ms: u64,
    window: Duration,
    who: &str,
    services: &Services,
    tell: impl FnOnce(String) -> Fut,
) -> Result<CancelResult, ErrorBody>
where
    Fut: std::future::Future<Output = Result<(), ErrorBody>>,
{
    let Outcome::Confirmed {
        result: ResultBody::Order(order),
    } = &placed.outcome
    else {
        return Err(ErrorBody::new(
            ErrorCode::InvalidCommand,
            "Only a placed order can be cancelled.",
        ));
    };
    if now_ms > placed.at_ms + window.as_millis() as u64 {
        return Err(ErrorBody::new(
            ErrorCode::TooLateToCancel,
            format!(
                "It's too late to cancel: {who} has started on your order from {}.",
                order.merchant
            ),
        ));
    }
    tell(order.order_id.clone()).await?;
    let charge = services.void(&order.charge_id).await?;
    Ok(CancelResult {
        cancelled: order.order_id.clone(),
        refund: charge.amount,
        currency: charge.currency,
        charge_id: charge.charge_id,
    })
}

/// What agents call: payment and location, wherever they run.
#[derive(Clone)]
pub struct Services {
    pub payment: ActorSlot<PaymentMessage>,
    pub location: ActorSlot<LocationMessage>,
    /// How long a call to a service may take.
    pub timeout: Duration,
    /// The node's clock: what "now" is when an agent judges a time (a
    /// pickup in the past, a cancellation too late).
    pub clock: Clock,
}

impl Services {
    pub fn new(payment: ActorSlot<PaymentMessage>, location: ActorSlot<LocationMessage>) -> Self {
        Self {
            payment,
            location,
            timeout: Duration::from_secs(5),
            clock: Clock::new(),
        }
    }

    /// The same services, judging time by `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    pub async fn resolve(&self, query: &str, user_id: &str) -> Result<Place, ErrorBody> {
        let actor = self.location.get().ok_or_else(|| unavailable("location"))?;
        let (query, user) = (query.to_owned(), user_id.to_owned());
        let result = actor
            .call(
                |reply| LocationMessage::Resolve {
                    query,
                    user_id: user,
                    reply,
                },
                Some(self.timeout),
            )
            .await;
        flatten(result.map_err(|_| unavailable("location")), "location")
    }

    pub async fn charge(&self, request: ChargeRequest) -> Result<Charge, ErrorBody> {
        let actor = self.payment.get().ok_or_else(|| unavailable("payment"))?;
        let result = actor
            .call(
                |reply| PaymentMessage::Charge(request, reply),
                Some(self.timeout),
            )
            .await;
        flatten(result.map_err(|_| unavailable("payment")), "payment")
    }

    /// Charges for `command` (its trace id is the idempotency key), then
    /// runs `fulfil`; when fulfilling fails, the charge is voided and the
    /// failure returned. Every agent that takes money goes through here.
    pub async fn charge_then<T, Fut>(
        &self,
        command: &Command,
        amount: i64,
        description: String,
        fulfil: impl FnOnce() -> Fut,
    ) -> Result<(Charge, T), ErrorBody>
    where
        Fut: std::future::Future<Output = Result<T, ErrorBody>>,
    {
        let charge = self
            .charge(ChargeRequest {
                idempotency_key: command.trace_id.to_string(),
                user_id: command.user_id.clone(),
                amount,
                currency: CURRENCY.into(),
                description,
            })
            .await?;
        match fulfil().await {
            Ok(done) => Ok((charge, done)),
            Err(error) => {
                if let Err(e) = self.void(&charge.charge_id).await {
                    tracing::error!(trace_id = %command.trace_id, charge_id = %charge.charge_id, error = %e, "could not void the charge of a failed command");
                }
                Err(error)
            }
        }
    }

    pub async fn void(&self, charge_id: &str) -> Result<Charge, ErrorBody> {
        let actor = self.payment.get().ok_or_else(|| unavailable("payment"))?;
        let id = charge_id.to_owned();
        let result = actor
            .call(|reply| PaymentMessage::Void(id, reply), Some(self.timeout))
            .await;
        flatten(result.map_err(|_| unavailable("payment")), "payment")
    }
}

fn unavailable(service: &str) -> ErrorBody {
    ErrorBody::new(
        ErrorCode::AgentUnavailable,
        format!("the {service} service is not available right now"),
    )
}

fn flatten<T>(
    result: Result<CallResult<Result<T, ErrorBody>>, ErrorBody>,
    service: &str,
) -> Result<T, ErrorBody> {
    match result? {
        CallResult::Success(inner) => inner,
        CallResult::Timeout => Err(ErrorBody::new(
            ErrorCode::AgentUnavailable,
            format!("the {service} service did not answer in time"),
        )),
        CallResult::SenderError => Err(unavailable(service)),
    }
}

/// "Your order from X is confirmed: 2 × cheeseburger. Total £19.97,
/// arriving in about 25 minutes." (`what` names the order).
pub fn order_confirmation(what: &str, order: &OrderResult) -> String {
    let lines = order
        .items
        .iter()
        .map(|l| match &l.note {
            Some(note) => format!("{} × {} ({note})", l.quantity, l.name),
            None => format!("{} × {}", l.quantity, l.name),
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{what} is confirmed: {lines}. Total {}, arriving in about {} minutes.",
        format_money(order.total, &order.currency),
        order.eta_minutes
    )
}

/// `£12.34` for 1234 minor units of `currency`.
pub fn format_money(amount: i64, currency: &str) -> String {
    let symbol = match currency {
        "GBP" => "£",
        "USD" => "$",
        "EUR" => "€",
        _ => "",
    };
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    if symbol.is_empty() {
        format!("{sign}{}.{:02} {currency}", abs / 100, abs % 100)
    } else {
        format!("{sign}{symbol}{}.{:02}", abs / 100, abs % 100)
    }
}

/// "at 5:00pm on Thursday 3 December" for an RFC 3339 time, read in its
/// own offset (the session's time zone when errand wrote it).
pub fn say_time(rfc3339: &str) -> String {
    let civil = rfc3339
        .get(..19)
        .and_then(|t| t.parse::<jiff::civil::DateTime>().ok());
    match civil {
        Some(t) => {
            let (hour, half) = match t.hour() {
                0 => (12, "am"),
                h @ 1..=11 => (h, "am"),
                12 => (12, "pm"),
                h => (h - 12, "pm"),
            };
            format!(
                "at {hour}:{:02}{half} on {}",
                t.minute(),
                t.strftime("%A %-d %B")
            )
        }
        None => format!("at {rfc3339}"),
    }
}

/// Great-circle distance in metres.
pub fn distance_m(a: &Place, b: &Place) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// A short, stable id for whatever `seed` names: the same command always
/// gets the same order id, so placing it twice finds the first order.
pub fn stable_id(prefix: &str, seed: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{prefix}-{hash:016x}")
}

/// What a simulated provider was asked to tell its courier or driver, by
/// order id (the last [`crate::bounds::PROVIDER_ORDERS`]): where a test
/// sees that the person's instructions reached the provider.
pub struct Told(std::sync::Mutex<crate::store::aging::Aging<String, String>>);

impl Default for Told {
    fn default() -> Self {
        Self(std::sync::Mutex::new(crate::store::aging::Aging::new(
            crate::bounds::PROVIDER_ORDERS,
            crate::bounds::PROVIDER_MEMORY,
        )))
    }
}

impl Told {
    pub fn record(&self, id: &str, instructions: Option<&str>) {
        if let Some(said) = instructions {
            (self.0.lock().unwrap_or_else(|e| e.into_inner()))
                .insert(id.to_owned(), said.to_owned());
        }
    }

    pub fn get(&self, id: &str) -> Option<String> {
        (self.0.lock().unwrap_or_else(|e| e.into_inner()))
            .get(id)
            .cloned()
    }
}

/// The slot of what the person asks a courier or driver.
pub fn instructions_slot(to: &str) -> crate::registry::SlotSpec {
    crate::registry::SlotSpec::optional(
        "instructions",
        crate::registry::SlotKind::Text,
        &format!("what to tell the {to}, e.g. \"leave it with reception\""),
    )
}

/// A line's note that names its second choice, taken only when the line's
/// thing is out ("or tea if there's none"): what the reader writes of
/// "if there's no coffee get tea" and a shop reads back
/// ([`backup_in`]).
pub fn backup_note(instead: &str) -> String {
    format!("or {instead} if there's none")
}

/// The second choice a note names ([`backup_note`]), if any.
pub fn backup_in(note: &str) -> Option<&str> {
    let tail = note.rsplit(", ").next().unwrap_or(note);
    tail.strip_prefix("or ")?.strip_suffix(" if there's none")
}

// How names are matched: the same words for the agents as for the reader.
pub use errand_nlu::words::{item_key, normalize, singular};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(format_money(1198, "GBP"), "£11.98");
        assert_eq!(format_money(5, "XYZ"), "0.05 XYZ");
        assert_eq!(item_key("Cheeseburgers"), "cheeseburger");
        assert_eq!(item_key("Sandwiches"), "sandwich");
        assert_eq!(item_key("Tomatoes"), "tomato");
        assert_eq!(
            normalize("  King's Cross, Station! "),
            "kings cross station"
        );
        assert_eq!(stable_id("F", "a"), stable_id("F", "a"));
        assert_eq!(
            say_time("2026-12-03T17:05:00+00:00"),
            "at 5:05pm on Thursday 3 December"
        );
        assert_eq!(
            say_time("2026-12-04T00:30:00+00:00"),
            "at 12:30am on Friday 4 December"
        );
    }
}
