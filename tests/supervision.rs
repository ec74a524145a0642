//! The supervised core loses nothing: a poison record is retried and finally
//! failed with the person told while other records complete; a dropped
//! envelope reaches the error handler; overdue commands are swept.

use async_trait::async_trait;
use errand_actors::agents::Services;
use errand_actors::bus::MemoryBus;
use errand_actors::clock::Clock;
use errand_actors::envelope::DROPPED;
use errand_actors::laned::LanedMessage;
use errand_actors::recorder::Recorder;
use errand_actors::registry::{ActionSpec, DomainAgent, DomainSpec, SlotKind, SlotSpec};
use errand_actors::retrier::RetryPolicy;
use errand_actors::store::Stores;
use errand_actors::supervisor::SupervisorMessage;
use errand_actors::sweeper::{Sweeper, SweeperArgs};
use errand_harness::{TestStack, envelope, failure_probe, secs};
use errand_schemas::topics::{AGENT_CMD, AGENT_STATUS};
use errand_schemas::{
    Action, Command, CustomAction, DeadLetter, ErrorBody, ErrorCode, Json, ResultBody, SessionId,
    SlotValue, Status, StatusUpdate, TraceId,
};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A domain whose agent panics on any command whose `what` slot is "poison".
struct Flaky {
    panics: Arc<AtomicUsize>,
}

#[async_trait]
impl DomainAgent for Flaky {
    fn spec(&self) -> DomainSpec {
        DomainSpec {
            name: "flaky".into(),
            description: "a test domain".into(),
            actions: vec![ActionSpec {
                name: "do".into(),
                description: "do something".into(),
                slots: vec![SlotSpec::required("what", SlotKind::Text, "what", "What?")],
            }],
            ..DomainSpec::default()
        }
    }

    async fn execute(&self, command: &Command, _: &Services) -> Result<ResultBody, ErrorBody> {
        let Action::Custom(action) = &command.action else {
            return Err(ErrorBody::new(ErrorCode::InvalidCommand, "custom only"));
        };
        if action.slots.get("what") == Some(&SlotValue::Text("poison".into())) {
            self.panics.fetch_add(1, Ordering::SeqCst);
            panic!("poison record");
        }
        Ok(ResultBody::Other(Json(serde_json::json!({"done": true}))))
    }

    fn confirmation(&self, _: &ResultBody) -> String {
        "Done.".into()
    }
}

fn flaky_command(session: &str, what: &str) -> Command {
    Command {
        trace_id: TraceId::generate(),
        session_id: SessionId(session.into()),
        user_id: "demo".into(),
        action: Action::Custom(CustomAction {
            domain: "flaky".into(),
            name: "do".into(),
            slots: [("what".to_owned(), SlotValue::Text(what.into()))].into(),
        }),
        issued_at_ms: 0,
        turn: 1,
        deadline_ms: None,
    }
}

#[tokio::test]
async fn poison_record_is_retried_then_failed_and_the_person_told_while_others_complete() {
    let panics = Arc::new(AtomicUsize::new(0));
    let flaky = Flaky {
        panics: panics.clone(),
    };
    let stack = TestStack::start_with(|o| {
        o.registry.register(flaky);
    })
    .await;
    let mut person = stack.client("s-poison");
    let poison = flaky_command("s-poison", "poison");
    let fine: Vec<Command> = (0..4)
        .map(|i| flaky_command("s-poison", &format!("job {i}")))
        .collect();
    stack.publish(AGENT_CMD, "s-poison", &poison).await;
    for c in &fine {
        stack.publish(AGENT_CMD, "s-poison", c).await;
    }

    for c in &fine {
        let state = stack.await_final(&c.trace_id, secs(10)).await;
        assert_eq!(
            state.status,
            Status::Confirmed,
            "{} completes despite the poison",
            c.trace_id
        );
    }
    let state = stack.await_final(&poison.trace_id, secs(10)).await;
    assert_eq!(state.status, Status::Failed);
    assert_eq!(
        state.error.as_ref().map(|e| e.code),
        Some(ErrorCode::ProcessingFailed)
    );

    // The person is told, on their socket.
    let trace = poison.trace_id.to_string();
    person.expect_status(&trace, "failed", secs(5)).await;
    let reply = person.expect_type("reply", secs(5)).await;
    assert_eq!(reply["trace_id"], trace.as_str());
    assert!(
        reply["text"]
            .as_str()
            .unwrap_or("")
            .contains("couldn't complete")
    );

    // Tried exactly as often as the policy says, each time crashing the
    // agent, which its supervisor restarted.
    assert_eq!(panics.load(Ordering::SeqCst), 3);
    let letters = stack.node.options.stores.dead_letters.list().await.unwrap();
    let letter = letters
        .iter()
        .find(|l| l.trace_id.as_ref() == Some(&poison.trace_id))
        .expect("kept for replay");
    assert_eq!(letter.attempts, 3);
    assert_eq!(letter.source_topic, AGENT_CMD);
    let agents = find_role(&stack, "agents").await;
    let restarts = agents
        .call(SupervisorMessage::Restarts, Some(secs(1)))
        .await
        .unwrap()
        .unwrap();
    assert!(
        restarts >= 3,
        "the agent was restarted after each crash ({restarts})"
    );

    // And the restarted agent still works.
    let after = flaky_command("s-poison", "after");
    stack.publish(AGENT_CMD, "s-poison", &after).await;
    assert_eq!(
        stack.await_final(&after.trace_id, secs(5)).await.status,
        Status::Confirmed
    );
    stack.shutdown().await;
}

async fn find_role(stack: &TestStack, role: &str) -> ActorRef<SupervisorMessage> {
    let children = stack
        .node
        .root
        .call(SupervisorMessage::Children, Some(secs(1)))
        .await
        .unwrap()
        .unwrap();
    let (_, cell) = children
        .into_iter()
        .find(|(n, _)| n == role)
        .expect("role running");
    cell.into()
}

/// A test actor that panics on every message: whatever it holds is dropped
/// unacknowledged.
struct Crashes;

impl Actor for Crashes {
    type Msg = CrashMessage;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _: ActorRef<Self::Msg>,
        message: Self::Msg,
        _: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        let CrashMessage(envelope) = message;
        let _held = envelope;
        panic!("crash while holding an envelope");
    }
}

struct CrashMessage(errand_actors::envelope::Envelope<Command>);
impl ractor::Message for CrashMessage {}

#[tokio::test]
async fn an_envelope_dropped_by_a_crashing_actor_reports_itself() {
    let (sink, mut failures) = failure_probe().await;
    let (actor, handle) = Actor::spawn(None, Crashes, ()).await.unwrap();
    let command = flaky_command("s-drop", "anything");
    let queued = flaky_command("s-drop", "queued behind it");
    actor
        .send_message(CrashMessage(envelope(
            AGENT_CMD,
            "s-drop",
            command.clone(),
            &sink,
        )))
        .unwrap();
    actor
        .send_message(CrashMessage(envelope(
            AGENT_CMD,
            "s-drop",
            queued.clone(),
            &sink,
        )))
        .unwrap();
    let _ = handle.await;
    let mut reported = Vec::new();
    for _ in 0..2 {
        let failure = tokio::time::timeout(secs(2), failures.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(failure.error, DROPPED);
        assert!(failure.retryable);
        let cmd: Command = errand_schemas::codec::decode_record(&failure.record.value).unwrap();
        reported.push(cmd.trace_id);
    }
    assert!(
        reported.contains(&command.trace_id),
        "the envelope being handled"
    );
    assert!(
        reported.contains(&queued.trace_id),
        "the envelope left in the dead mailbox"
    );
}

#[tokio::test]
async fn a_dropped_envelope_reaches_the_error_handler() {
    let stack = TestStack::start_with(|o| {
        o.retry = RetryPolicy {
            max_attempts: 1,
            ..o.retry.clone()
        };
    })
    .await;
    let mut person = stack.client("s-lost");
    let command = flaky_command("s-lost", "dropped");
    let mut errors = stack.watch(errand_schemas::topics::AGENT_ERROR).await;
    drop(envelope(
        AGENT_CMD,
        "s-lost",
        command.clone(),
        &stack.node.failures,
    ));

    let letter: DeadLetter = errors
        .next_matching(secs(5), |l: &DeadLetter| {
            l.trace_id.as_ref() == Some(&command.trace_id)
        })
        .await
        .expect("the dropped record is dead-lettered on agent.error");
    assert_eq!(letter.error, DROPPED);
    let state = stack
        .await_status(&command.trace_id, Status::Failed, secs(5))
        .await;
    assert!(state.error.is_some());
    person
        .expect_status(command.trace_id.as_str(), "failed", secs(5))
        .await;
    assert!(
        stack
            .node
            .options
            .stores
            .dead_letters
            .get(&letter.id)
            .await
            .unwrap()
            .is_some()
    );
    stack.shutdown().await;
}

#[tokio::test]
async fn undecodable_records_go_to_the_dead_letters_at_once() {
    let stack = TestStack::start().await;
    let mut errors = stack.watch(errand_schemas::topics::AGENT_ERROR).await;
    stack
        .publish_raw(AGENT_CMD, "s-garbage", b"\xff\xfe not json")
        .await;
    let letter: DeadLetter = errors
        .next_matching(secs(5), |_: &DeadLetter| true)
        .await
        .expect("dead letter");
    assert_eq!(letter.attempts, 1);
    assert_eq!(letter.code, ErrorCode::InvalidMessage);
    assert!(letter.payload_lossy);
    stack.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_sweeper_fails_overdue_commands_and_tells_the_person() {
    let stores = Stores::memory();
    let bus = MemoryBus::new(1);
    let clock = Clock::new();
    let tracker = Recorder::new(stores.state.clone(), Arc::new(bus.clone()), clock.clone());
    let mut status = errand_harness::TopicWatch::on(&bus, AGENT_STATUS).await;

    let silent = TraceId::generate();
    let waiting = TraceId::generate();
    let done = TraceId::generate();
    let now = clock.now_ms();
    for (trace, deadline) in [(&silent, 30_000), (&waiting, 30 * 60_000), (&done, 30_000)] {
        tracker
            .record(StatusUpdate {
                deadline_ms: Some(now + deadline),
                ..StatusUpdate::new(trace.clone(), "s".into(), "demo", Status::Received, 0)
            })
            .await
            .unwrap();
    }
    tracker
        .record(StatusUpdate {
            deadline_ms: Some(now + 30 * 60_000),
            ..StatusUpdate::new(
                waiting.clone(),
                "s".into(),
                "demo",
                Status::AwaitingClarification,
                1,
            )
        })
        .await
        .unwrap();
    tracker
        .record(StatusUpdate::new(
            done.clone(),
            "s".into(),
            "demo",
            Status::Confirmed,
            1,
        ))
        .await
        .unwrap();

    let (sweeper, _) = Actor::spawn(
        None,
        Sweeper,
        SweeperArgs {
            recorder: tracker.clone(),
            every: Duration::from_secs(1),
            batch: 100,
            results: None,
        },
    )
    .await
    .unwrap();

    tokio::time::advance(Duration::from_secs(29)).await;
    assert_eq!(
        stores.state.get(&silent).await.unwrap().unwrap().status,
        Status::Received
    );

    tokio::time::advance(Duration::from_secs(2)).await;
    let failed: StatusUpdate = status
        .next_matching(secs(5), |u: &StatusUpdate| u.status == Status::Failed)
        .await
        .expect("the person is told");
    assert_eq!(failed.trace_id, silent);
    assert_eq!(
        failed.error.as_ref().map(|e| e.code),
        Some(ErrorCode::DeadlineExceeded)
    );
    assert!(failed.reply.is_some());
    assert_eq!(
        stores.state.get(&done).await.unwrap().unwrap().status,
        Status::Confirmed
    );
    assert_eq!(
        stores.state.get(&waiting).await.unwrap().unwrap().status,
        Status::AwaitingClarification
    );

    tokio::time::advance(Duration::from_secs(30 * 60)).await;
    let cancelled: StatusUpdate = status
        .next_matching(secs(5), |u: &StatusUpdate| u.status == Status::Cancelled)
        .await
        .expect("an unanswered question expires");
    assert_eq!(cancelled.trace_id, waiting);
    sweeper.stop(None);
}

#[tokio::test(start_paused = true)]
async fn an_overdue_command_whose_agent_answered_ends_with_the_answer() {
    let stores = Stores::memory();
    let bus = MemoryBus::new(1);
    let clock = Clock::new();
    let tracker = Recorder::new(stores.state.clone(), Arc::new(bus.clone()), clock.clone());
    let keys = errand_schemas::keys::Keys::default();
    let trace = TraceId::generate();
    tracker
        .record(StatusUpdate {
            deadline_ms: Some(clock.now_ms() + 1_000),
            domain: Some("flaky".into()),
            ..StatusUpdate::new(trace.clone(), "s".into(), "demo", Status::Dispatched, 1)
        })
        .await
        .unwrap();
    // The agent answered; its announcement never arrived.
    let answer = errand_schemas::AgentResult {
        trace_id: trace.clone(),
        session_id: "s".into(),
        user_id: "demo".into(),
        domain: "flaky".into(),
        outcome: errand_schemas::Outcome::Confirmed {
            result: ResultBody::Other(Json(serde_json::json!({"done": true}))),
        },
        reply: "Done.".into(),
        at_ms: 0,
    };
    stores
        .idempotency
        .put_if_absent(
            &keys.idempotency(trace.as_str(), "flaky"),
            &errand_schemas::codec::to_json(&answer),
        )
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    let ended =
        errand_actors::sweeper::sweep(&tracker, 10, Some(&(stores.idempotency.clone(), keys)))
            .await;
    assert_eq!(ended, 1);
    let state = stores.state.get(&trace).await.unwrap().unwrap();
    assert_eq!(
        state.status,
        Status::Confirmed,
        "the answer, not a false failure"
    );
}

/// The offline reader, except that it panics the first time it reads an
/// utterance with "panic" in it.
struct PanicsOnce {
    inner: Arc<dyn errand_actors::nlu::Understand>,
    panicked: std::sync::atomic::AtomicBool,
}

impl errand_actors::nlu::Understand for PanicsOnce {
    fn parse(
        &self,
        text: &str,
        context: &errand_actors::nlu::Context,
    ) -> errand_actors::nlu::Parse {
        if text.contains("panic") && !self.panicked.swap(true, Ordering::SeqCst) {
            panic!("the reader fell over");
        }
        self.inner.parse(text, context)
    }
}

#[tokio::test]
async fn a_lane_that_panics_is_restarted_by_its_worker_and_its_record_retried() {
    let stack = TestStack::start_with(|o| {
        o.nlu = Arc::new(PanicsOnce {
            inner: o.nlu.clone(),
            panicked: Default::default(),
        });
    })
    .await;
    let mut person = stack.client("s-panic");
    person
        .say("order me a burger, don't panic")
        .await
        .expect("acknowledged");
    // The retried utterance is read again, and the dialogue goes on.
    let question = person.expect_type("clarify", secs(10)).await;
    assert_eq!(question["missing"][0], "address", "{question}");

    let reasoner = find_role(&stack, "reasoner").await;
    let children = reasoner
        .call(SupervisorMessage::Children, Some(secs(1)))
        .await
        .unwrap()
        .unwrap();
    let (_, worker) = children
        .into_iter()
        .find(|(name, _)| name == "reasoner")
        .expect("the laned worker runs");
    let worker: ActorRef<LanedMessage<errand_schemas::Utterance>> = worker.into();
    let restarts = ractor::call!(worker, LanedMessage::Restarts).unwrap();
    assert_eq!(
        restarts, 1,
        "the worker saw its lane fail and started it again"
    );
    let tree = stack.node.tree().await.expect("the tree answers");
    assert!(tree.children.iter().all(|role| role.running), "{tree:?}");
    stack.shutdown().await;
}

#[tokio::test]
async fn when_the_root_gives_up_the_node_says_so_and_is_not_ready() {
    use tower::ServiceExt;
    let mut stack = TestStack::start().await;
    let app = errand_gateway::app(stack.node.gateway.clone().expect("a gateway"));
    let ready = |app: axum::Router| async move {
        let request = axum::http::Request::get("/readyz")
            .body(axum::body::Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
        )
    };
    let (status, body) = ready(app.clone()).await;
    assert_eq!(status, 200, "{body}");

    stack.node.root.kill();
    tokio::time::timeout(secs(5), stack.node.root_gave_up())
        .await
        .expect("the node notices its root stopped");
    let (status, body) = ready(app).await;
    assert_eq!(status, 503, "{body}");
    let down = body["roles_down"].as_array().unwrap();
    assert!(down.iter().any(|r| r == "reasoner"), "{body}");
    stack.shutdown().await;
}

#[tokio::test]
async fn a_node_whose_root_gives_up_stops_with_a_non_zero_exit_code() {
    // `errand up` and `errand node` exit with what `run_until` says.
    let stack = TestStack::start().await;
    let root = stack.node.root.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        root.kill();
    });
    let stopped = tokio::time::timeout(secs(10), stack.node.run_until(std::future::pending()))
        .await
        .expect("the node stops on its own");
    assert_eq!(stopped, errand_cluster::Stopped::RootGaveUp);
    assert_eq!(stopped.exit_code(), 70);

    let stack = TestStack::start().await;
    let stopped = stack.node.run_until(std::future::ready(())).await;
    assert_eq!(
        (stopped, stopped.exit_code()),
        (errand_cluster::Stopped::Asked, 0)
    );
}
