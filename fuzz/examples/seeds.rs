//! Writes the seeds of the decoding targets from real values, serialised
//! as errand serialises them: topic records (`encode_record`), cluster
//! messages (`Wire<T>` in bincode) and REST bodies (JSON). Run from fuzz/:
//! `cargo run --example seeds`; the files land in corpus/<target>/.

use errand_actors::agents::payment::ChargeRequest;
use errand_actors::agents::wire::{AgentReply, CancelReply, CancelRequest, QuoteReply, Wire};
use errand_schemas::codec::{decode_record, encode_record};
use errand_schemas::{
    Action, AgentResult, CancelResult, Clarification, Command, DeadLetter, ErrorBody, ErrorCode,
    FoodOrder, ItemRequest, LineItem, MartOrder, OrderResult, Outcome, Refusal, ResultBody,
    RideBooking, RideType, SessionId, SlotValue, Status, StatusUpdate, Summary, TraceId, Utterance,
    UtteranceSource,
};
use ractor::BytesConvertable;
use std::path::Path;

const AT: u64 = 1_781_600_000_000; // a Tuesday in June 2026
const TRACE: &str = "01a23ed4-cb5e-7285-bdf6-e603ce0af904";
const PARENT: &str = "00-01a23ed4cb5e7285bdf6e603ce0af904-4f1c2a3b5d6e7f80-01";

fn ids() -> (TraceId, SessionId) {
    (TraceId(TRACE.into()), SessionId("demo:s1".into()))
}

fn burger() -> FoodOrder {
    FoodOrder {
        items: vec![ItemRequest {
            note: Some("no onions".into()),
            ..ItemRequest::new("cheeseburger", 2)
        }],
        restaurant: Some("Burger Barn".into()),
        cuisine: None,
        address: "221B Baker Street".into(),
        instructions: None,
    }
}

fn airport() -> RideBooking {
    RideBooking {
        pickup: "home".into(),
        destination: "Gatwick Airport".into(),
        ride_type: RideType::Xl,
        seats: 5,
        bags: 0,
        pickup_at: Some("2026-06-16T17:00:00+01:00".into()),
        instructions: None,
    }
}

fn groceries() -> MartOrder {
    MartOrder {
        items: vec![ItemRequest::new("milk", 2), ItemRequest::new("eggs", 12)],
        address: "work".into(),
        instructions: None,
    }
}

fn command(action: Action) -> Command {
    let (trace_id, session_id) = ids();
    Command {
        trace_id,
        session_id,
        user_id: "demo".into(),
        action,
        issued_at_ms: AT,
        turn: 2,
        deadline_ms: Some(AT + 30_000),
    }
}

fn order() -> OrderResult {
    OrderResult {
        order_id: "ord-1".into(),
        items: vec![LineItem {
            name: "cheeseburger".into(),
            quantity: 2,
            unit_price: 899,
            note: Some("no onions".into()),
        }],
        total: 2_047,
        currency: "GBP".into(),
        eta_minutes: 25,
        merchant: "Burger Barn".into(),
        delivery_fee: 249,
        address: "221B Baker Street".into(),
        charge_id: "ch-1".into(),
    }
}

fn summary() -> Summary {
    Summary {
        domain: "food".into(),
        merchant: Some("Burger Barn".into()),
        items: order().items,
        delivery_fee: Some(249),
        total: Some(2_047),
        address: Some("221B Baker Street".into()),
        currency: Some("GBP".into()),
        eta_minutes: Some(25),
        notes: vec!["Burger Barn can't do extra cheese.".into()],
        ..Summary::default()
    }
}

fn agent_result(outcome: Outcome) -> AgentResult {
    let (trace_id, session_id) = ids();
    AgentResult {
        trace_id,
        session_id,
        user_id: "demo".into(),
        domain: "food".into(),
        outcome,
        reply: "Ordered: 2 cheeseburgers from Burger Barn, £20.47.".into(),
        at_ms: AT,
    }
}

/// `wire` as sent from a span: with the sender's trace context.
fn sent<T>(mut wire: Wire<T>) -> Wire<T> {
    wire.traceparent = Some(PARENT.into());
    wire
}

/// A topic record of `value`, checked to read back as `value`.
fn record<T>(dir: &Path, name: &str, value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let bytes = encode_record(value);
    assert_eq!(&decode_record::<T>(&bytes).expect(name), value);
    write(dir, name, &bytes);
}

/// A cluster message, checked to read back the same.
fn wire<T>(dir: &Path, name: &str, message: Wire<T>)
where
    T: bincode::Encode + bincode::Decode<()> + Clone + PartialEq + std::fmt::Debug,
{
    let bytes = message.clone().into_bytes();
    assert_eq!(
        Wire::<T>::from_bytes(bytes.clone()).value,
        message.value,
        "{name}"
    );
    write(dir, name, &bytes);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("a corpus folder");
    std::fs::write(dir.join(name), bytes).expect("a seed written");
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let (trace_id, session_id) = ids();

    let topic = corpus.join("topic_record");
    let utterance = Utterance {
        utterance_id: "u1".into(),
        trace_id: trace_id.clone(),
        session_id: session_id.clone(),
        user_id: "demo".into(),
        text: "order me a burger".into(),
        source: UtteranceSource::Voice,
        received_at_ms: AT,
        session_version: 0,
        act: None,
    };
    record(&topic, "utterance", &utterance);
    let food = command(Action::OrderFood(burger()));
    record(&topic, "command", &food);
    record(
        &topic,
        "command_ride",
        &command(Action::BookRide(airport())),
    );
    record(
        &topic,
        "command_mart",
        &command(Action::OrderMart(groceries())),
    );
    let confirmed = Outcome::Confirmed {
        result: ResultBody::Order(order()),
    };
    record(&topic, "agent_result", &agent_result(confirmed));
    let failed = Outcome::Failed {
        error: ErrorBody::new(ErrorCode::OutOfStock, "The mart is out of eggs."),
    };
    record(&topic, "agent_failed", &agent_result(failed));
    let clarification = Clarification {
        trace_id: trace_id.clone(),
        session_id: session_id.clone(),
        user_id: "demo".into(),
        intent: "order_food".into(),
        missing: vec!["address".into()],
        question: "Where should I deliver it?".into(),
        turn: 1,
        reply: None,
        summary: None,
    };
    record(&topic, "clarification", &clarification);
    let confirmation = Clarification {
        missing: Vec::new(),
        question: "2 cheeseburgers from Burger Barn, £20.47: shall I order?".into(),
        summary: Some(summary()),
        ..clarification
    };
    record(&topic, "confirmation", &confirmation);
    let status = StatusUpdate {
        at_ms: AT,
        domain: Some("food".into()),
        intent: Some("order_food".into()),
        slots: Some([("address".to_owned(), SlotValue::Text("work".into()))].into()),
        result: Some(ResultBody::Order(order())),
        reply: Some("Ordered.".into()),
        ..StatusUpdate::new(
            trace_id.clone(),
            session_id.clone(),
            "demo",
            Status::Confirmed,
            2,
        )
    };
    record(&topic, "status", &status);
    let letter = DeadLetter {
        id: "dl-1".into(),
        source_topic: "agent.cmd".into(),
        key: session_id.0.clone(),
        payload: String::from_utf8_lossy(&encode_record(&food)).into_owned(),
        payload_lossy: false,
        error: "the food agent did not answer".into(),
        code: ErrorCode::AgentUnavailable,
        attempts: 4,
        node: "node-a".into(),
        at_ms: AT,
        trace_id: Some(trace_id.clone()),
        session_id: Some(session_id.clone()),
        user_id: Some("demo".into()),
    };
    record(&topic, "dead_letter", &letter);
    write(&topic, "old_version", br#"{"v":9,"data":{}}"#);

    let cluster = corpus.join("cluster_message");
    wire(&cluster, "command", sent(Wire::new(food.clone())));
    let ride = command(Action::BookRide(airport()));
    wire(&cluster, "command_ride", Wire::new(ride));
    let cancel = CancelRequest {
        trace_id: trace_id.clone(),
        user_id: "demo".into(),
    };
    wire(&cluster, "cancel_request", sent(Wire::new(cancel)));
    let confirmed = Outcome::Confirmed {
        result: ResultBody::Order(order()),
    };
    let reply: AgentReply = Wire::new(Ok(agent_result(confirmed)));
    wire(&cluster, "agent_reply", reply);
    let quote: QuoteReply = Wire::new(Ok(Ok(summary())));
    wire(&cluster, "quote_reply", quote);
    let refusal = Refusal::of(
        "restaurant",
        ErrorBody::new(ErrorCode::UnknownRestaurant, "I don't know Pizza Palace."),
    );
    let refused: QuoteReply = Wire::new(Ok(Err(refusal)));
    wire(&cluster, "quote_refused", refused);
    let cancelled: CancelReply = Wire::new(Ok(Ok(CancelResult {
        cancelled: "ord-1".into(),
        refund: 2_047,
        currency: "GBP".into(),
        charge_id: "ch-1".into(),
    })));
    wire(&cluster, "cancel_reply", cancelled);
    let broken: AgentReply = Wire::broken("an unreadable message: unexpected end");
    wire(&cluster, "broken", broken);

    let rest = corpus.join("rest_body");
    write(&rest, "food", &json(&burger()));
    write(&rest, "ride", &json(&airport()));
    write(&rest, "mart", &json(&groceries()));
    write(&rest, "utterance", br#"{"text":"order me a burger"}"#);
    let charge = ChargeRequest {
        idempotency_key: TRACE.into(),
        user_id: "demo".into(),
        amount: 2_047,
        currency: "GBP".into(),
        description: "Burger Barn".into(),
    };
    write(&rest, "charge", &json(&charge));
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("a body serialises")
}
