//! The domains through the router: each confirms with the fields a client
//! relies on; redelivery never orders twice; payment caps and voids; places
//! resolve or fail clearly; a new domain is one agent and one registry entry.

use async_trait::async_trait;
use errand_actors::agents::Services;
use errand_actors::agents::food::{FoodAgent, SimulatedRestaurants};
use errand_actors::agents::payment::{ChargeStatus, PaymentMessage};
use errand_actors::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use errand_harness::{TestStack, secs};
use errand_schemas::topics::{AGENT_CMD, AGENT_OUT_FOOD};
use errand_schemas::{
    Action, AgentResult, Command, CustomAction, ErrorBody, ErrorCode, FoodOrder, ItemRequest, Json,
    MartOrder, Outcome, ResultBody, RideBooking, RideType, SessionId, SlotValue, Status, TraceId,
};
use std::sync::Arc;

fn command(action: Action) -> Command {
    Command {
        trace_id: TraceId::generate(),
        session_id: SessionId("s-domains".into()),
        user_id: "demo".into(),
        action,
        issued_at_ms: 0,
        turn: 1,
        deadline_ms: None,
    }
}

fn food(items: &[(&str, u32)], address: &str) -> Action {
    Action::OrderFood(FoodOrder {
        items: items
            .iter()
            .map(|(n, q)| ItemRequest::new(*n, *q))
            .collect(),
        restaurant: None,
        cuisine: None,
        address: address.into(),
        instructions: None,
    })
}

#[tokio::test]
async fn food_ride_and_mart_each_end_confirmed_with_their_result_fields() {
    let stack = TestStack::start().await;
    let food = command(food(
        &[("cheeseburger", 2), ("fries", 1)],
        "221B Baker Street",
    ));
    let ride = command(Action::BookRide(RideBooking {
        pickup: "home".into(),
        destination: "the airport".into(),
        ride_type: RideType::Xl,
        seats: 3,
        bags: 0,
        pickup_at: None,
        instructions: None,
    }));
    let mart = command(Action::OrderMart(MartOrder {
        items: vec![ItemRequest::new("milk", 2), ItemRequest::new("eggs", 1)],
        address: "work".into(),
        instructions: None,
    }));
    for c in [&food, &ride, &mart] {
        stack.publish(AGENT_CMD, c.session_id.as_str(), c).await;
    }

    let state = stack.await_final(&food.trace_id, secs(5)).await;
    assert_eq!(state.status, Status::Confirmed);
    let Some(ResultBody::Order(order)) = &state.result else {
        panic!("an order: {state:?}")
    };
    assert!(order.order_id.starts_with("FO-"));
    assert_eq!(order.items.len(), 2);
    assert_eq!(order.items[0].name, "cheeseburger");
    assert_eq!(order.items[0].quantity, 2);
    assert_eq!(order.items[0].unit_price, 899);
    assert_eq!(order.total, 2 * 899 + 349 + order.delivery_fee);
    assert_eq!(order.currency, "GBP");
    assert!(order.eta_minutes > 5);
    let history: Vec<Status> = state.history.iter().map(|h| h.status).collect();
    assert_eq!(history, [Status::Dispatched, Status::Confirmed]);

    let state = stack.await_final(&ride.trace_id, secs(5)).await;
    let Some(ResultBody::Ride(r)) = &state.result else {
        panic!("a ride: {state:?}")
    };
    assert!(r.booking_id.starts_with("RB-"));
    assert_eq!(r.pickup.name, "221B Baker Street");
    assert_eq!(r.destination.name, "Heathrow Airport");
    assert_eq!(r.ride_type, RideType::Xl);
    assert!(
        r.distance_m > 20_000,
        "Baker Street to Heathrow is over 20 km"
    );
    assert!(
        r.fare > 4000,
        "an XL ride that far costs more than £40 ({})",
        r.fare
    );
    assert_eq!(r.currency, "GBP");

    let state = stack.await_final(&mart.trace_id, secs(5)).await;
    let Some(ResultBody::Order(order)) = &state.result else {
        panic!("a mart order: {state:?}")
    };
    assert_eq!(order.items[0].name, "milk");
    assert_eq!(order.total, 2 * 129 + 289 + order.delivery_fee);
    assert_eq!(order.address, "1 Canada Square");
    stack.shutdown().await;
}

#[tokio::test]
async fn the_same_command_twice_places_one_order() {
    let restaurants = Arc::new(SimulatedRestaurants::default());
    let provider = restaurants.clone();
    let stack = TestStack::start_with(move |o| {
        o.registry.register(FoodAgent::with_provider(provider));
    })
    .await;
    let mut outputs = stack.watch(AGENT_OUT_FOOD).await;
    let c = command(food(&[("pizza", 1)], "home"));
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let first: AgentResult = outputs
        .next_matching(secs(5), |r: &AgentResult| r.trace_id == c.trace_id)
        .await
        .unwrap();
    let second: AgentResult = outputs
        .next_matching(secs(5), |r: &AgentResult| r.trace_id == c.trace_id)
        .await
        .unwrap();
    assert_eq!(first, second, "the redelivery returns the first result");
    assert_eq!(restaurants.calls(), 1, "the kitchen was asked once");
    assert_eq!(restaurants.placed_count(), 1, "one order placed");
    let state = stack.state(&c.trace_id).await.unwrap();
    assert_eq!(
        state
            .history
            .iter()
            .filter(|h| h.status == Status::Confirmed)
            .count(),
        1
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn what_the_courier_is_asked_reaches_the_kitchen_with_the_order() {
    let restaurants = Arc::new(SimulatedRestaurants::default());
    let provider = restaurants.clone();
    let stack = TestStack::start_with(move |o| {
        o.registry.register(FoodAgent::with_provider(provider));
    })
    .await;
    let mut c = command(food(&[("pizza", 1)], "home"));
    if let Action::OrderFood(order) = &mut c.action {
        order.instructions = Some("leave it with reception".into());
    }
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let state = stack.await_final(&c.trace_id, secs(5)).await;
    let Some(ResultBody::Order(order)) = &state.result else {
        panic!("an order: {state:?}")
    };
    assert_eq!(
        restaurants.instructions(&order.order_id).as_deref(),
        Some("leave it with reception")
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_charge_over_the_cap_fails_cleanly() {
    let stack = TestStack::start_with(|o| o.payment.max_charge = 1_500).await;
    let c = command(food(&[("cheeseburger", 2)], "home"));
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let state = stack.await_final(&c.trace_id, secs(5)).await;
    assert_eq!(state.status, Status::Failed);
    let error = state.error.unwrap();
    assert_eq!(error.code, ErrorCode::OverLimit);
    assert!(error.message.contains("£15.00"), "{}", error.message);
    stack.shutdown().await;
}

/// A kitchen that prices every order and then cannot make it.
struct BrokenKitchen(SimulatedRestaurants);

#[async_trait]
impl errand_actors::agents::food::FoodProvider for BrokenKitchen {
    async fn quote(
        &self,
        order: &FoodOrder,
    ) -> Result<errand_actors::agents::food::FoodQuote, ErrorBody> {
        self.0.quote(order).await
    }

    async fn place(
        &self,
        _: &str,
        quote: &errand_actors::agents::food::FoodQuote,
        _: &errand_schemas::Place,
        _: Option<&str>,
    ) -> Result<u32, ErrorBody> {
        Err(ErrorBody::new(
            ErrorCode::ProcessingFailed,
            format!("{} can't make it right now.", quote.restaurant),
        ))
    }

    async fn cancel(&self, _: &str) -> Result<(), ErrorBody> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_order_voids_its_charge() {
    let stack = TestStack::start_with(|o| {
        o.registry.register(FoodAgent::new(BrokenKitchen(
            SimulatedRestaurants::default(),
        )));
    })
    .await;
    // The charge succeeds, placing fails: the charge is voided.
    let c = command(food(&[("cheeseburger", 2)], "home"));
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let state = stack.await_final(&c.trace_id, secs(5)).await;
    assert_eq!(state.status, Status::Failed);
    assert!(
        state
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("can't make it")
    );
    let charge_id = errand_actors::agents::stable_id("ch", c.trace_id.as_str());
    let payment = stack.node.services.as_ref().unwrap().payment.get().unwrap();
    let charge = payment
        .call(|reply| PaymentMessage::Get(charge_id, reply), Some(secs(1)))
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .expect("the charge exists");
    assert_eq!(charge.status, ChargeStatus::Voided);
    assert_eq!(charge.amount, 2 * 899 + 299);
    stack.shutdown().await;
}

#[tokio::test]
async fn more_than_a_kitchen_makes_is_refused_before_any_charge() {
    let stack = TestStack::start().await;
    let c = command(food(&[("cheeseburger", 25)], "home"));
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let state = stack.await_final(&c.trace_id, secs(5)).await;
    assert_eq!(state.status, Status::Failed);
    assert_eq!(state.error.as_ref().unwrap().code, ErrorCode::OverLimit);
    let charge_id = errand_actors::agents::stable_id("ch", c.trace_id.as_str());
    let payment = stack.node.services.as_ref().unwrap().payment.get().unwrap();
    let charge = payment
        .call(|reply| PaymentMessage::Get(charge_id, reply), Some(secs(1)))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(charge.is_none(), "nothing was charged");
    stack.shutdown().await;
}

#[tokio::test]
async fn unknown_places_items_and_stock_fail_with_clear_errors() {
    let stack = TestStack::start().await;
    let nowhere = command(food(&[("burger", 1)], "Atlantis"));
    let unknown_item = command(food(&[("unicorn steak", 1)], "home"));
    let out_of_stock = command(Action::OrderMart(MartOrder {
        items: vec![ItemRequest::new("avocado", 2)],
        address: "home".into(),
        instructions: None,
    }));
    for c in [&nowhere, &unknown_item, &out_of_stock] {
        stack.publish(AGENT_CMD, "s-domains", c).await;
    }
    let expect = [
        (
            &nowhere,
            ErrorCode::UnknownPlace,
            "I couldn't find \"Atlantis\".",
        ),
        (&unknown_item, ErrorCode::UnknownItem, "unicorn steak"),
        (
            &out_of_stock,
            ErrorCode::OutOfStock,
            "avocado is out of stock",
        ),
    ];
    for (c, code, text) in expect {
        let state = stack.await_final(&c.trace_id, secs(5)).await;
        assert_eq!(state.status, Status::Failed);
        let error = state.error.unwrap();
        assert_eq!(error.code, code);
        assert!(error.message.contains(text), "{}", error.message);
    }
    stack.shutdown().await;
}

/// The README's walk-through: a pharmacy domain is one agent and one
/// registry entry.
pub struct PharmacyAgent;

#[async_trait]
impl DomainAgent for PharmacyAgent {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "pharmacy".into(),
            description: "Delivers over-the-counter medicine.".into(),
            actions: vec![ActionSpec {
                name: "order_medicine".into(),
                description: "Order medicine for delivery.".into(),
                slots: vec![
                    SlotSpec::required(
                        "medicine",
                        SlotKind::Text,
                        "what to deliver",
                        "Which medicine?",
                    ),
                    SlotSpec::required(
                        "address",
                        SlotKind::Place,
                        "where to",
                        "Where should I deliver it?",
                    ),
                ],
            }],
            examples: vec![
                "order [ibuprofen](medicine) to [work](address)".into(),
                "I need some [paracetamol](medicine) at [home](address)".into(),
                "can you send [antihistamines](medicine) to [the office](address)".into(),
                "get me some [plasters](medicine) delivered [home](address)".into(),
            ],
            words: vec!["medicine".into(), "pharmacy".into()],
            ..DomainSpec::default()
        }
    }

    async fn execute(
        &self,
        command: &Command,
        services: &Services,
    ) -> Result<ResultBody, ErrorBody> {
        let Action::Custom(CustomAction { slots, .. }) = &command.action else {
            return Err(ErrorBody::new(
                ErrorCode::InvalidCommand,
                "pharmacy takes order_medicine",
            ));
        };
        let text = |name: &str| {
            slots
                .get(name)
                .and_then(SlotValue::as_text)
                .unwrap_or_default()
                .to_owned()
        };
        let place = services.resolve(&text("address"), &command.user_id).await?;
        Ok(ResultBody::Other(Json(serde_json::json!({
            "order_id": errand_actors::agents::stable_id("RX", command.trace_id.as_str()),
            "medicine": text("medicine"),
            "address": place.name,
            "eta_minutes": 25,
        }))))
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        "Your medicine is on its way.".into()
    }
}

/// README.md's "Adding a domain" shows this file's pharmacy as it is.
#[test]
fn the_readme_shows_this_pharmacy() {
    let agent = |text: &str| -> String {
        let start = text
            .find("pub struct PharmacyAgent;")
            .expect("the agent is there");
        let rest = &text[start..];
        let confirmation = rest.find("fn confirmation").expect("its confirmation");
        let end = confirmation + rest[confirmation..].find("\n}\n").expect("its end");
        rest[..end].split_whitespace().collect()
    };
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Adding a domain").expect("the section")..];
    assert_eq!(agent(section), agent(include_str!("domains.rs")));
}

#[tokio::test]
async fn a_new_domain_is_one_agent_and_one_registry_entry() {
    let stack = TestStack::start_with(|o| {
        o.registry.register(PharmacyAgent);
    })
    .await;
    let c = command(Action::Custom(CustomAction {
        domain: "pharmacy".into(),
        name: "order_medicine".into(),
        slots: [
            ("medicine".to_owned(), SlotValue::Text("ibuprofen".into())),
            ("address".to_owned(), SlotValue::Text("home".into())),
        ]
        .into(),
    }));
    let mut outputs = stack.watch("agent.out.pharmacy").await;
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let result: AgentResult = outputs
        .next_matching(secs(5), |_: &AgentResult| true)
        .await
        .unwrap();
    assert!(matches!(result.outcome, Outcome::Confirmed { .. }));
    let state = stack.await_final(&c.trace_id, secs(5)).await;
    assert_eq!(state.status, Status::Confirmed);
    let Some(ResultBody::Other(Json(body))) = state.result else {
        panic!("custom result")
    };
    assert_eq!(body["medicine"], "ibuprofen");
    assert_eq!(body["address"], "221B Baker Street");

    // A domain nobody registered fails clearly.
    let unknown = command(Action::Custom(CustomAction {
        domain: "spaceflight".into(),
        name: "launch".into(),
        slots: Default::default(),
    }));
    stack.publish(AGENT_CMD, "s-domains", &unknown).await;
    let state = stack.await_final(&unknown.trace_id, secs(5)).await;
    assert_eq!(state.error.unwrap().code, ErrorCode::UnknownDomain);
    stack.shutdown().await;
}

#[tokio::test]
async fn a_new_domain_is_reachable_by_conversation_without_a_model() {
    let stack = TestStack::start_with(|o| {
        o.registry.register(PharmacyAgent);
    })
    .await;
    let mut person = stack.client("s-pharmacy");
    let help = person.say("what can you do?").await.unwrap().to_string();
    let reply = person
        .expect(secs(5), "the answer", |e| {
            e["type"] == "reply" && e["trace_id"] == help.as_str()
        })
        .await;
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .contains("over-the-counter medicine"),
        "{reply}"
    );
    let trace = person
        .say("I need some medicine")
        .await
        .unwrap()
        .to_string();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["question"], "Which medicine?");
    person.say("ibuprofen").await.unwrap();
    let q = person.expect_type("clarify", secs(5)).await;
    assert_eq!(q["missing"], serde_json::json!(["address"]));
    person.say("home").await.unwrap();
    // It prices nothing ahead: the confirmation lists what was asked.
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["details"]["medicine"], "ibuprofen");
    let done = person.final_status(&trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    // It cannot cancel a placed request, and says so.
    person.say("cancel my last order").await.unwrap();
    person.expect_confirm().await;
    person.say("yes").await.unwrap();
    let refusal = person
        .expect(secs(5), "the refusal", |e| e["type"] == "reply")
        .await;
    assert!(
        refusal["text"].as_str().unwrap().contains("can't cancel"),
        "{refusal}"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_new_domain_is_understood_from_its_examples_without_a_model() {
    let stack = TestStack::start_with(|o| {
        o.registry.register(PharmacyAgent);
    })
    .await;
    let mut person = stack.client("s-pharmacy-examples");
    let help = person.say("What can you do?").await.unwrap().to_string();
    let reply = person
        .expect(secs(5), "the answer", |e| {
            e["type"] == "reply" && e["trace_id"] == help.as_str()
        })
        .await;
    let said = reply["text"].as_str().unwrap();
    assert!(said.contains("over-the-counter medicine"), "{said}");
    assert!(said.contains("\"order ibuprofen to work\""), "{said}");
    assert!(
        !said.contains('[') && !said.contains("(medicine)"),
        "{said}"
    );

    // Said as no example says it, with a medicine the examples name.
    let trace = person
        .say("I need some ibuprofen delivered to work")
        .await
        .unwrap()
        .to_string();
    let confirm = person
        .expect(secs(5), "the pharmacy's confirmation", |e| {
            e["type"] == "confirm" && e["trace_id"] == trace.as_str()
        })
        .await;
    assert_eq!(confirm["summary"]["domain"], "pharmacy", "{confirm}");
    assert_eq!(confirm["summary"]["details"]["medicine"], "ibuprofen");
    assert_eq!(confirm["summary"]["details"]["address"], "work");
    person.say("yes").await.unwrap();
    let (done, told) = final_and_reply(&mut person, &trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");
    assert_eq!(told, "Your medicine is on its way.");

    // A medicine no example names, where the examples put one.
    let trace = person
        .say("could you order some antacids to home please")
        .await
        .unwrap()
        .to_string();
    let confirm = person.approve(&trace).await;
    assert_eq!(confirm["summary"]["details"]["medicine"], "antacids");
    assert_eq!(confirm["summary"]["details"]["address"], "home");
    let (done, _) = final_and_reply(&mut person, &trace).await;
    assert_eq!(done["status"], "confirmed", "{done}");

    // A ride is still a ride.
    let trace = person
        .say("book a cab to the airport")
        .await
        .unwrap()
        .to_string();
    let next = person
        .expect(secs(5), "a question about the ride", |e| {
            e["trace_id"] == trace.as_str() && (e["type"] == "clarify" || e["type"] == "confirm")
        })
        .await;
    assert!(
        next["missing"] == serde_json::json!(["pickup"]) || next["summary"]["domain"] == "ride",
        "{next}"
    );
    stack.shutdown().await;
}

/// The final status of `trace` and what the person is told about it,
/// whichever comes first.
async fn final_and_reply(
    person: &mut errand_harness::Person,
    trace: &str,
) -> (serde_json::Value, String) {
    let (mut done, mut told) = (None, None);
    while done.is_none() || told.is_none() {
        let event = person
            .expect(secs(10), "the final status and its reply", |e| {
                e["trace_id"] == trace && (e["type"] == "reply" || e["type"] == "status")
            })
            .await;
        if event["type"] == "reply" {
            told = event["text"].as_str().map(str::to_owned);
        } else if ["confirmed", "failed", "declined", "cancelled"]
            .contains(&event["status"].as_str().unwrap_or(""))
        {
            done = Some(event);
        }
    }
    (done.unwrap(), told.unwrap())
}

#[tokio::test]
async fn an_unreadable_first_result_is_an_error_never_a_second_order() {
    let stack = TestStack::start().await;
    let c = command(food(&[("cheeseburger", 1)], "home"));
    // What the agent stored the first time it ran this command, damaged.
    let key = (stack.node.options.keys).idempotency(c.trace_id.as_str(), "food");
    (stack.node.options.stores.idempotency)
        .put_if_absent(&key, b"{not json")
        .await
        .unwrap();
    stack.publish(AGENT_CMD, "s-domains", &c).await;
    let state = stack.await_final(&c.trace_id, secs(10)).await;
    assert_eq!(state.status, Status::Failed, "{state:?}");
    assert_eq!(
        state.error.as_ref().unwrap().code,
        ErrorCode::ProcessingFailed,
        "the person is told it failed, with a code"
    );
    let charge_id = errand_actors::agents::stable_id("ch", c.trace_id.as_str());
    let payment = stack.node.services.as_ref().unwrap().payment.get().unwrap();
    let charge = payment
        .call(|reply| PaymentMessage::Get(charge_id, reply), Some(secs(1)))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(charge.is_none(), "nothing was charged again");
    let letters = stack.node.options.stores.dead_letters.list().await.unwrap();
    assert!(
        letters
            .iter()
            .any(|l| l.trace_id.as_ref() == Some(&c.trace_id)),
        "the command reached the dead letters"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn a_command_past_its_deadline_is_never_placed_and_the_sweepers_failure_stands() {
    use errand_actors::recorder::Recorder;
    use errand_schemas::StatusUpdate;
    let restaurants = Arc::new(SimulatedRestaurants::default());
    let provider = restaurants.clone();
    let stack = TestStack::start_with(move |o| {
        o.registry.register(FoodAgent::with_provider(provider));
    })
    .await;
    let now = errand_schemas::now_ms();

    // Its deadline passed while it waited for the agent (a backlog).
    let late = Command {
        deadline_ms: Some(now - 1),
        ..command(food(&[("pizza", 1)], "home"))
    };
    stack.publish(AGENT_CMD, "s-domains", &late).await;
    let state = stack.await_final(&late.trace_id, secs(10)).await;
    assert_eq!(state.status, Status::Failed);
    assert_eq!(state.error.unwrap().code, ErrorCode::DeadlineExceeded);
    assert_eq!(restaurants.calls(), 0, "the kitchen was never asked");

    // The sweeper failed it first; the agent gets it afterwards with time
    // left by its own clock (a link that healed): still not placed.
    let swept = Command {
        deadline_ms: Some(now + 60_000),
        ..command(food(&[("pizza", 1)], "home"))
    };
    let options = &stack.node.options;
    let recorder = Recorder::new(
        options.stores.state.clone(),
        options.bus.clone(),
        options.clock.clone(),
    );
    let step = |status| StatusUpdate {
        domain: Some("food".into()),
        deadline_ms: Some(now - 1),
        ..StatusUpdate::new(
            swept.trace_id.clone(),
            swept.session_id.clone(),
            "demo",
            status,
            1,
        )
    };
    recorder.record(step(Status::Received)).await.unwrap();
    recorder.record(step(Status::Understood)).await.unwrap();
    let results = (options.stores.idempotency.clone(), options.keys.clone());
    errand_actors::sweeper::sweep(&recorder, 10, Some(&results)).await;
    let mut outputs = stack.watch(AGENT_OUT_FOOD).await;
    stack.publish(AGENT_CMD, "s-domains", &swept).await;
    let answer: AgentResult = outputs
        .next_matching(secs(5), |r: &AgentResult| r.trace_id == swept.trace_id)
        .await
        .unwrap();
    assert!(
        matches!(answer.outcome, Outcome::Failed { ref error } if error.code == ErrorCode::DeadlineExceeded),
        "{answer:?}"
    );
    assert_eq!(restaurants.calls(), 0, "the kitchen was never asked");
    let state = stack.state(&swept.trace_id).await.unwrap();
    assert_eq!(state.status, Status::Failed);
    stack.shutdown().await;
}

/// A kitchen whose order takes so long that the command's deadline is
/// declared while it cooks (the sweeper's failure lands first), and which
/// can take an order back.
struct LateKitchen {
    idempotency: Arc<dyn errand_actors::store::IdempotencyStore>,
    keys: errand_schemas::keys::Keys,
    cancelled: Arc<std::sync::atomic::AtomicU32>,
}

#[async_trait]
impl DomainAgent for LateKitchen {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "late".into(),
            description: "Cooks slowly.".into(),
            actions: vec![ActionSpec {
                name: "order_late".into(),
                description: "Order something slow.".into(),
                slots: vec![],
            }],
            ..DomainSpec::default()
        }
    }

    async fn execute(&self, command: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        // Meanwhile the sweeper declares the deadline.
        let state = errand_schemas::CommandState::from_first(&errand_schemas::StatusUpdate::new(
            command.trace_id.clone(),
            command.session_id.clone(),
            "demo",
            Status::Dispatched,
            1,
        ));
        let failure = errand_actors::sweeper::overdue_result(&state, "late", 0);
        let key = self.keys.idempotency(command.trace_id.as_str(), "late");
        self.idempotency
            .put_if_absent(&key, &errand_schemas::codec::to_json(&failure))
            .await
            .unwrap();
        Ok(ResultBody::Other(Json(
            serde_json::json!({"order_id": "LATE-1"}),
        )))
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        "Cooked.".into()
    }

    async fn cancel(
        &self,
        _: &AgentResult,
        _: u64,
        _: &Services,
    ) -> Result<errand_schemas::CancelResult, ErrorBody> {
        self.cancelled
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(errand_schemas::CancelResult {
            cancelled: "LATE-1".into(),
            refund: 0,
            currency: "GBP".into(),
            charge_id: String::new(),
        })
    }
}

#[tokio::test]
async fn an_order_placed_after_its_deadline_was_declared_is_taken_back() {
    let cancelled = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = cancelled.clone();
    let stack = TestStack::start_with(move |o| {
        o.registry.register(LateKitchen {
            idempotency: o.stores.idempotency.clone(),
            keys: o.keys.clone(),
            cancelled: counter,
        });
    })
    .await;
    let order = command(Action::Custom(CustomAction {
        domain: "late".into(),
        name: "order_late".into(),
        slots: Default::default(),
    }));
    let mut outputs = stack.watch("agent.out.late").await;
    stack.publish(AGENT_CMD, "s-domains", &order).await;
    let answer: AgentResult = outputs
        .next_matching(secs(5), |r: &AgentResult| r.trace_id == order.trace_id)
        .await
        .unwrap();
    assert!(
        matches!(answer.outcome, Outcome::Failed { ref error } if error.code == ErrorCode::DeadlineExceeded),
        "the person hears the failure they were told: {answer:?}"
    );
    assert_eq!(
        cancelled.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "and the order is taken back"
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn an_http_provider_cancels_by_the_trace_id_or_says_it_cannot() {
    use errand_actors::agents::http::HttpAgent;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let stack = TestStack::start().await;
    let services = stack.node.services.clone().unwrap();
    let spec = stack.node.options.registry.spec("food").unwrap().clone();
    let placed = AgentResult {
        trace_id: TraceId::generate(),
        session_id: SessionId("s-domains".into()),
        user_id: "demo".into(),
        domain: "food".into(),
        outcome: Outcome::Confirmed {
            result: ResultBody::Order(errand_schemas::OrderResult {
                order_id: "P-1".into(),
                items: vec![],
                total: 1_198,
                currency: "GBP".into(),
                eta_minutes: 20,
                merchant: "Provider".into(),
                delivery_fee: 299,
                address: "221B Baker Street".into(),
                charge_id: "ch-P-1".into(),
            }),
        },
        reply: String::new(),
        at_ms: 0,
    };
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/commands/{}/cancel", placed.trace_id)))
        .and(header("idempotency-key", placed.trace_id.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&provider)
        .await;
    let agent = HttpAgent::new(spec.clone(), provider.uri(), secs(5)).unwrap();
    let cancelled = agent.cancel(&placed, 0, &services).await.unwrap();
    assert_eq!(
        (
            cancelled.cancelled.as_str(),
            cancelled.refund,
            cancelled.charge_id.as_str()
        ),
        ("P-1", 1_198, "ch-P-1"),
        "the whole order given back"
    );
    // A provider without the route cannot cancel.
    let plain = MockServer::start().await;
    let agent = HttpAgent::new(spec, plain.uri(), secs(5)).unwrap();
    let refused = agent.cancel(&placed, 0, &services).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::CancelNotSupported);
    // Taking back what a lost call may have placed: nothing placed (404)
    // is no error.
    let lost = command(food(&[("pizza", 1)], "home"));
    assert!(agent.withdraw(&lost, &services).await.is_ok());
    stack.shutdown().await;
}

/// A provider whose answers are lost (every call times out), and which
/// counts what it is asked to take back.
struct Lossy {
    withdrawn: Arc<std::sync::atomic::AtomicU32>,
}

#[async_trait]
impl DomainAgent for Lossy {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "lossy".into(),
            description: "Never answers in time.".into(),
            ..DomainSpec::default()
        }
    }

    async fn execute(&self, _: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        Err(ErrorBody::new(
            ErrorCode::AgentUnavailable,
            "the provider did not answer in time",
        ))
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        String::new()
    }

    async fn withdraw(&self, _: &Command, _: &Services) -> Result<(), ErrorBody> {
        self.withdrawn
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

#[tokio::test]
async fn a_call_whose_answer_was_lost_is_taken_back_once_the_command_failed() {
    use errand_actors::agents::host::{AgentHostArgs, execute_once};
    let stack = TestStack::start().await;
    let withdrawn = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let options = &stack.node.options;
    let args = AgentHostArgs {
        agent: Arc::new(Lossy {
            withdrawn: withdrawn.clone(),
        }),
        domain: "lossy".into(),
        services: stack.node.services.clone().unwrap(),
        idempotency: options.stores.idempotency.clone(),
        recorder: stack.node.recorder.clone(),
        keys: options.keys.clone(),
        scope: options.scope.clone(),
    };
    let order = command(Action::Custom(CustomAction {
        domain: "lossy".into(),
        name: "anything".into(),
        slots: Default::default(),
    }));
    let count = || withdrawn.load(std::sync::atomic::Ordering::Relaxed);
    assert!(execute_once(&args, order.clone()).await.is_err(), "retried");
    assert_eq!(
        count(),
        0,
        "nothing is taken back while it may still succeed"
    );
    // The deadline is declared; the next delivery finds the failure.
    let state = errand_schemas::CommandState::from_first(&errand_schemas::StatusUpdate::new(
        order.trace_id.clone(),
        order.session_id.clone(),
        "demo",
        Status::Dispatched,
        1,
    ));
    let failure = errand_actors::sweeper::overdue_result(&state, "lossy", 0);
    let key = options.keys.idempotency(order.trace_id.as_str(), "lossy");
    options
        .stores
        .idempotency
        .put_if_absent(&key, &errand_schemas::codec::to_json(&failure))
        .await
        .unwrap();
    let answer = execute_once(&args, order.clone()).await.unwrap();
    assert!(matches!(answer.result.outcome, Outcome::Failed { .. }));
    assert!(
        !answer.recorded,
        "a result found kept leaves its step to the tracker"
    );
    assert_eq!(
        count(),
        1,
        "what the lost call may have placed is taken back"
    );
    execute_once(&args, order).await.unwrap();
    assert_eq!(count(), 1, "once");
    stack.shutdown().await;
}

/// An agent that counts what it places and takes back; when given a
/// recorder, the command is cancelled while it places it (as its
/// question's deadline passing would).
struct Ending {
    placed: Arc<std::sync::atomic::AtomicU32>,
    taken_back: Arc<std::sync::atomic::AtomicU32>,
    cancel_meanwhile: Option<errand_actors::recorder::Recorder>,
}

#[async_trait]
impl DomainAgent for Ending {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "ending".into(),
            description: "Places orders that may have ended.".into(),
            ..DomainSpec::default()
        }
    }

    async fn execute(&self, command: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        self.placed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(recorder) = &self.cancel_meanwhile {
            let cancelled = errand_schemas::StatusUpdate::new(
                command.trace_id.clone(),
                command.session_id.clone(),
                "demo",
                Status::Cancelled,
                command.turn,
            );
            recorder.record(cancelled).await.unwrap();
        }
        Ok(ResultBody::Other(Json(
            serde_json::json!({"order_id": "END-1"}),
        )))
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        "Placed.".into()
    }

    async fn cancel(
        &self,
        _: &AgentResult,
        _: u64,
        _: &Services,
    ) -> Result<errand_schemas::CancelResult, ErrorBody> {
        self.taken_back
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(errand_schemas::CancelResult {
            cancelled: "END-1".into(),
            refund: 0,
            currency: "GBP".into(),
            charge_id: String::new(),
        })
    }
}

#[tokio::test]
async fn a_command_that_ended_before_its_host_took_it_is_not_placed_and_one_ended_meanwhile_is_taken_back()
 {
    use errand_actors::agents::host::{AgentHostArgs, execute_once};
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let stack = TestStack::start().await;
    let options = &stack.node.options;
    let recorder = stack.node.recorder.clone();
    let (placed, taken_back) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let host = |cancel_meanwhile| AgentHostArgs {
        agent: Arc::new(Ending {
            placed: placed.clone(),
            taken_back: taken_back.clone(),
            cancel_meanwhile,
        }),
        domain: "ending".into(),
        services: stack.node.services.clone().unwrap(),
        idempotency: options.stores.idempotency.clone(),
        recorder: recorder.clone(),
        keys: options.keys.clone(),
        scope: options.scope.clone(),
    };
    let order = || {
        command(Action::Custom(CustomAction {
            domain: "ending".into(),
            name: "anything".into(),
            slots: Default::default(),
        }))
    };
    let step = |order: &Command, status| {
        errand_schemas::StatusUpdate::new(
            order.trace_id.clone(),
            order.session_id.clone(),
            "demo",
            status,
            order.turn,
        )
    };

    // Cancelled (its question went unanswered) before a host took it.
    let late = order();
    for status in [
        Status::Received,
        Status::AwaitingConfirmation,
        Status::Cancelled,
    ] {
        recorder.record(step(&late, status)).await.unwrap();
    }
    let answer = execute_once(&host(None), late.clone()).await.unwrap();
    assert_eq!(placed.load(Relaxed), 0, "nothing is placed");
    assert!(matches!(answer.result.outcome, Outcome::Failed { .. }));
    let state = stack.await_final(&late.trace_id, secs(2)).await;
    assert_eq!(state.status, Status::Cancelled, "the person was told so");

    // Cancelled while its host placed it: what was placed is taken back.
    let racing = order();
    recorder
        .record(step(&racing, Status::AwaitingConfirmation))
        .await
        .unwrap();
    execute_once(&host(Some(recorder.clone())), racing.clone())
        .await
        .unwrap();
    assert_eq!(placed.load(Relaxed), 1);
    assert_eq!(
        taken_back.load(Relaxed),
        1,
        "the placed order is taken back"
    );
    let state = stack.await_final(&racing.trace_id, secs(2)).await;
    assert_eq!(state.status, Status::Cancelled);
    stack.shutdown().await;
}
