//! [`LedgerProvider`]: a food and ride provider over HTTP (errand's REST
//! contract, reached with `ERRAND_HTTP_AGENTS`) that keeps a ledger of
//! every call it receives, outside every errand process. Side effects are
//! counted where they arrive: a second call for one command is seen even
//! when it carries the same ids, and an order placed twice is a double
//! however errand reports it.
//!
//! Honest by default, as a provider errand may rely on: one order per
//! `Idempotency-Key` however often it is called (a call that arrives while
//! the first is still being served waits for its answer). Built
//! [`LedgerProvider::ignoring_keys`], it places a new order on every call,
//! as a provider (or an agent) that ignores its idempotency record would.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// What the provider received and did, by `Idempotency-Key` (errand's
/// trace id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Calls received.
    pub calls: BTreeMap<String, u32>,
    /// Orders and bookings placed.
    pub placed: BTreeMap<String, u32>,
}

impl Ledger {
    /// The most calls received for one command.
    pub fn calls_max(&self) -> u32 {
        self.calls.values().copied().max().unwrap_or(0)
    }

    /// Commands placed more than once.
    pub fn doubled(&self) -> Vec<&str> {
        (self.placed.iter())
            .filter(|(_, n)| **n > 1)
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

#[derive(Default)]
struct Book {
    ledger: Ledger,
    /// The answer given for each key once placed.
    answers: BTreeMap<String, Value>,
}

#[derive(Clone)]
struct Shared {
    book: Arc<Mutex<Book>>,
    honour_keys: bool,
}

pub struct LedgerProvider {
    pub addr: SocketAddr,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl LedgerProvider {
    /// An honest provider on a free loopback port (inside a Tokio runtime).
    pub async fn start() -> Self {
        Self::serve(true).await
    }

    /// A provider that places a new order on every call.
    pub async fn ignoring_keys() -> Self {
        Self::serve(false).await
    }

    async fn serve(honour_keys: bool) -> Self {
        let shared = Shared {
            book: Arc::default(),
            honour_keys,
        };
        let app = Router::new()
            .route("/v1/food/orders", post(food))
            .route("/v1/ride/bookings", post(ride))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    /// `ERRAND_HTTP_AGENTS` for errand: food and rides from this provider.
    pub fn agents_setting(&self) -> String {
        format!("food=http://{0},ride=http://{0}", self.addr)
    }

    /// The ledger so far.
    pub fn ledger(&self) -> Ledger {
        lock(&self.shared.book).ledger.clone()
    }
}

impl Drop for LedgerProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn food(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    place(&shared, &headers, |id| {
        let items: Vec<Value> = (body["items"].as_array().into_iter().flatten())
            .map(|i| {
                json!({
                    "name": i["name"].as_str().unwrap_or("item"),
                    "quantity": i["quantity"].as_u64().unwrap_or(1),
                    "unit_price": 899,
                })
            })
            .collect();
        let lines: u64 = (items.iter())
            .map(|i| i["quantity"].as_u64().unwrap_or(1) * 899)
            .sum();
        json!({
            "order_id": format!("LP-{id}"),
            "items": items,
            "total": lines + 299,
            "currency": "GBP",
            "eta_minutes": 20,
            "merchant": "Ledger Kitchen",
            "delivery_fee": 299,
            "address": body["address"].as_str().unwrap_or_default(),
            "charge_id": format!("lp-charge-{id}"),
        })
    })
    .await
}

async fn ride(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    place(&shared, &headers, |id| {
        let place = |name: &Value| json!({"name": name.as_str().unwrap_or_default(), "lat": 51.5, "lon": -0.12});
        json!({
            "booking_id": format!("LB-{id}"),
            "pickup": place(&body["pickup"]),
            "destination": place(&body["destination"]),
            "ride_type": body["ride_type"].as_str().unwrap_or("standard"),
            "seats": body["seats"].as_u64().unwrap_or(1),
            "fare": 2450,
            "currency": "GBP",
            "distance_m": 9000,
            "eta_minutes": 6,
            "charge_id": format!("lb-charge-{id}"),
        })
    })
    .await
}

/// One call: counted; an order placed unless the key was placed before
/// (honest), whose answer is then given again.
async fn place(
    shared: &Shared,
    headers: &HeaderMap,
    answer: impl FnOnce(u64) -> Value,
) -> (StatusCode, Json<Value>) {
    let key = (headers.get("idempotency-key"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if key.is_empty() {
        let problem = json!({"code": "invalid_command", "detail": "Idempotency-Key is required"});
        return (StatusCode::BAD_REQUEST, Json(problem));
    }
    let mut book = lock(&shared.book);
    *book.ledger.calls.entry(key.clone()).or_default() += 1;
    if shared.honour_keys
        && let Some(given) = book.answers.get(&key)
    {
        return (StatusCode::CREATED, Json(given.clone()));
    }
    let placed = book.ledger.placed.entry(key.clone()).or_default();
    *placed += 1;
    let n = book
        .ledger
        .placed
        .values()
        .map(|n| u64::from(*n))
        .sum::<u64>();
    let value = answer(n);
    book.answers.entry(key).or_insert_with(|| value.clone());
    (StatusCode::CREATED, Json(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn call(provider: &LedgerProvider, key: &str) -> Value {
        let body = r#"{"items":[{"name":"burger","quantity":1}],"address":"221B Baker Street"}"#;
        let r = crate::http::request(
            provider.addr,
            "POST",
            "/v1/food/orders",
            &[
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
            body,
        )
        .await
        .expect("the provider answers");
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    }

    #[tokio::test]
    async fn an_honest_provider_places_once_per_key_and_a_broken_one_every_call() {
        let honest = LedgerProvider::start().await;
        let first = call(&honest, "t-1").await;
        assert_eq!(call(&honest, "t-1").await, first, "the same order again");
        call(&honest, "t-2").await;
        let ledger = honest.ledger();
        assert_eq!((ledger.calls_max(), ledger.doubled().len()), (2, 0));
        assert_eq!(ledger.placed.len(), 2);

        let broken = LedgerProvider::ignoring_keys().await;
        let first = call(&broken, "t-1").await;
        assert_ne!(call(&broken, "t-1").await["order_id"], first["order_id"]);
        assert_eq!(broken.ledger().doubled(), ["t-1"]);
    }
}
