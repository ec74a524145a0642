//! Micro-benchmarks of what every turn costs, without sockets:
//!
//! - `nlu/*`: hearing one utterance offline (errand's reading, the trained
//!   reader, the grounding), as the reasoner does without an LLM;
//! - `codec/*`: a lifecycle step into its topic record and a command out
//!   of one (the JSON envelope every hop carries);
//! - `actor_hop`: one `ractor` call to an actor and its reply;
//! - `pipeline/dialogues`: whole two-turn food dialogues ("order me a
//!   burger", the address, confirmed; confirmation off) through an embedded
//!   node's in-process client, 32 sessions at once; its throughput is
//!   dialogues per second.
//!
//! ```sh
//! cargo bench --bench micro              # all
//! cargo bench --bench micro -- nlu       # one group
//! ```

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use errand_actors::agents::food::FoodAgent;
use errand_actors::agents::mart::MartAgent;
use errand_actors::agents::ride::RideAgent;
use errand_actors::bus::OutRecord;
use errand_actors::dialogue::{ConfirmPolicy, hear};
use errand_actors::nlu::TrainedNlu;
use errand_actors::reading::Reading;
use errand_actors::registry::DomainRegistry;
use errand_harness::{TestStack, secs, test_options};
use errand_schemas::codec::decode_record;
use errand_schemas::{
    Command, ItemRequest, OpenCommand, SessionState, SlotMap, SlotValue, Status, StatusUpdate,
    TraceId,
};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use std::hint::black_box;

/// Utterances of every kind the reader meets: orders with and without
/// what is missing, an address, a ride, groceries, a question, small talk.
const UTTERANCES: &[&str] = &[
    "order me a burger",
    "221B Baker Street",
    "two large pepperoni pizzas and a coke from Luigi's to my office",
    "book a cab from home to the airport at 5pm",
    "buy milk, a dozen eggs and some bananas",
    "what's the weather tomorrow",
    "yes",
];

fn nlu(c: &mut Criterion) {
    let registry = DomainRegistry::new()
        .with(FoodAgent::simulated())
        .with(RideAgent::simulated())
        .with(MartAgent::simulated());
    let reading = Reading::new(
        &registry,
        Reading::time_zone("Europe/London").expect("a zone"),
    );
    let reader = TrainedNlu::embedded(errand_actors::agents::catalog::lexicon())
        .expect("the built-in model loads");
    let session = SessionState::new("bench".into(), "demo");
    let mut group = c.benchmark_group("nlu");
    for text in UTTERANCES {
        group.bench_function(*text, |b| {
            b.iter(|| {
                hear::offline(
                    &reading,
                    &registry,
                    &reader,
                    black_box(text),
                    &session,
                    1_700_000_000_000,
                )
            })
        });
    }
    // The load generator's second turn: the address, with a burger's
    // order open and asking where.
    let mut asked = SessionState::new("bench".into(), "demo");
    asked.open = Some(OpenCommand::asking(
        TraceId::generate(),
        "order_food".into(),
        SlotMap::from([(
            "item".to_owned(),
            SlotValue::Items(vec![ItemRequest::new("cheeseburger", 1)]),
        )]),
        vec!["address".into()],
        "Where should I deliver it?".into(),
        1,
    ));
    group.bench_function("221B Baker Street, asked where", |b| {
        b.iter(|| {
            hear::offline(
                &reading,
                &registry,
                &reader,
                black_box("221B Baker Street"),
                &asked,
                1_700_000_000_000,
            )
        })
    });
    group.finish();
}

fn codec(c: &mut Criterion) {
    let step = StatusUpdate {
        reply: Some("Your order from Burger Barn is confirmed.".into()),
        ..StatusUpdate::new(
            TraceId::generate(),
            "bench".into(),
            "demo",
            Status::Confirmed,
            0,
        )
    };
    let command: Command = serde_json::from_value(serde_json::json!({
        "trace_id": TraceId::generate().0,
        "session_id": "bench",
        "user_id": "demo",
        "action": "order_food",
        "items": [{"name": "cheeseburger", "quantity": 2}],
        "address": "221B Baker Street",
        "issued_at_ms": 1_700_000_000_000u64,
        "deadline_ms": 1_700_000_060_000u64
    }))
    .expect("a command");
    let record = OutRecord::json("agent.cmd", "bench", &command);
    let mut group = c.benchmark_group("codec");
    group.bench_function("status step to record", |b| {
        b.iter(|| OutRecord::json("agent.status", "bench", black_box(&step)))
    });
    group.bench_function("command from record", |b| {
        b.iter(|| decode_record::<Command>(black_box(&record.value)).expect("decodes"))
    });
    group.finish();
}

/// Answers every call with how many it has answered.
struct Echo;

enum Ping {
    Count(RpcReplyPort<u64>),
}

impl ractor::Message for Ping {}

impl Actor for Echo {
    type Msg = Ping;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<Self::Msg>,
        Ping::Count(reply): Self::Msg,
        state: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        *state += 1;
        let _ = reply.send(*state);
        Ok(())
    }
}

fn actor_hop(c: &mut Criterion) {
    let rt = runtime();
    let (echo, _) = rt
        .block_on(Actor::spawn(None, Echo, ()))
        .expect("the actor starts");
    c.bench_function("actor_hop", |b| {
        b.iter(|| rt.block_on(async { echo.call(Ping::Count, None).await.expect("a reply") }))
    });
    echo.stop(None);
}

fn pipeline(c: &mut Criterion) {
    const SESSIONS: usize = 32;
    let rt = runtime();
    let stack = rt.block_on(async {
        let mut options = test_options();
        options.dialogue.confirm = ConfirmPolicy::Never;
        // Each session says two things per iteration, many times a second.
        options.limits.utterances_per_second = 1e9;
        options.limits.utterance_burst = 1e9;
        TestStack::start_with_options(options).await
    });
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(SESSIONS as u64));
    group.sample_size(20);
    group.bench_function("dialogues", |b| {
        b.iter(|| {
            rt.block_on(async {
                let dialogues = (0..SESSIONS).map(|i| {
                    let mut person = stack.client(&format!("bench-{i}"));
                    async move {
                        let trace = person.say("order me a burger").await.expect("accepted");
                        person.expect_type("clarify", secs(10)).await;
                        person.say("221B Baker Street").await.expect("accepted");
                        person
                            .expect_status(trace.as_str(), "confirmed", secs(10))
                            .await;
                    }
                });
                futures_util::future::join_all(dialogues).await;
            })
        })
    });
    group.finish();
    rt.block_on(stack.shutdown());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

criterion_group!(benches, nlu, codec, actor_hop, pipeline);
criterion_main!(benches);
