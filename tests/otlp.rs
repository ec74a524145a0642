//! Spans exported over OTLP/HTTP to a receiver in the test: a whole
//! dialogue is one trace whose spans link the gateway, the reasoner, the
//! router, the agent and the tracker, on the embedded default and across
//! three nodes on Kafka.

use axum::body::Bytes;
use axum::extract::State;
use errand_harness::cluster::TestCluster;
use errand_harness::http;
use errand_harness::kafka::shared_brokers;
use errand_harness::redis::{free_port, shared_url};
use errand_harness::secs;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One exported span: what a trace viewer links by.
#[derive(Clone, Debug)]
struct Span {
    name: String,
    trace_id: String,
    span_id: String,
    parent: Option<String>,
    service: String,
}

/// An OTLP/HTTP receiver (protobuf on `POST /v1/traces`) on loopback.
struct Receiver {
    addr: SocketAddr,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Receiver {
    async fn start() -> Self {
        let spans = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/v1/traces", axum::routing::post(receive))
            .with_state(spans.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, spans }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The spans of `trace` once every name in `names` has arrived as
    /// often as it is listed, every parent named has arrived, and nothing
    /// more has come for a second (each process exports in its own
    /// batches, so a child can arrive before its parent), or what arrived
    /// by `timeout`.
    async fn trace(&self, trace: &str, names: &[&str], timeout: Duration) -> Vec<Span> {
        let trace = trace.replace('-', "");
        let deadline = Instant::now() + timeout;
        let mut settled: Option<(usize, Instant)> = None;
        loop {
            let spans: Vec<Span> = (self.spans.lock().unwrap().iter())
                .filter(|s| s.trace_id == trace)
                .cloned()
                .collect();
            let count = |name: &str| spans.iter().filter(|s| s.name == name).count();
            let wanted = |name: &&str| names.iter().filter(|n| *n == name).count();
            let linked = spans
                .iter()
                .all(|s| (s.parent.as_ref()).is_none_or(|p| spans.iter().any(|o| &o.span_id == p)));
            let complete = names.iter().all(|n| count(n) >= wanted(n)) && linked;
            settled = match settled {
                Some((n, since)) if complete && n == spans.len() => {
                    if since.elapsed() >= Duration::from_secs(1) {
                        return spans;
                    }
                    Some((n, since))
                }
                _ if complete => Some((spans.len(), Instant::now())),
                _ => None,
            };
            if Instant::now() > deadline {
                return spans;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn receive(
    State(spans): State<Arc<Mutex<Vec<Span>>>>,
    body: Bytes,
) -> ([(&'static str, &'static str); 1], Vec<u8>) {
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
    let mut got = spans.lock().unwrap();
    for resource in request.resource_spans {
        let service = (resource.resource.iter())
            .flat_map(|r| &r.attributes)
            .find(|a| a.key == "service.name")
            .and_then(|a| a.value.as_ref())
            .map(|v| format!("{:?}", v.value))
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                got.push(Span {
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent: (!span.parent_span_id.is_empty()).then(|| hex(&span.parent_span_id)),
                    service: service.clone(),
                });
            }
        }
    }
    let answer = ExportTraceServiceResponse::default().encode_to_vec();
    ([("content-type", "application/x-protobuf")], answer)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The burger dialogue's hops: three turns through the gateway and the
/// reasoner, then the order through the router, the agent and the tracker.
const HOPS: [&str; 9] = [
    "utterance",
    "utterance",
    "utterance",
    "reason",
    "reason",
    "reason",
    "route",
    "agent",
    "track",
];

/// Checks `spans` form one trace: one root (the first utterance), every
/// other span's parent among them, and the order's path from the tracker
/// back to the person's words.
fn assert_one_linked_trace(spans: &[Span]) {
    let shown = || {
        spans
            .iter()
            .map(|s| format!("{} {} <- {:?}", s.name, s.span_id, s.parent))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for hop in HOPS {
        assert!(
            spans.iter().any(|s| s.name == hop),
            "no {hop} span:\n{}",
            shown()
        );
    }
    assert!(spans.iter().all(|s| s.service.contains("errand")));
    let by_id: HashMap<&str, &Span> = spans.iter().map(|s| (s.span_id.as_str(), s)).collect();
    assert_eq!(by_id.len(), spans.len(), "span ids repeat:\n{}", shown());
    let roots: Vec<&Span> = spans.iter().filter(|s| s.parent.is_none()).collect();
    assert_eq!(roots.len(), 1, "one root:\n{}", shown());
    assert_eq!(roots[0].name, "utterance");
    for span in spans {
        if let Some(parent) = &span.parent {
            assert!(
                by_id.contains_key(parent.as_str()),
                "{}'s parent {parent} is not in the trace:\n{}",
                span.name,
                shown()
            );
        }
    }
    let parent_of = |span: &Span| -> String {
        let parent = span.parent.as_deref().unwrap_or_default();
        by_id
            .get(parent)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let named = |name: &'static str| spans.iter().filter(move |s| s.name == name);
    // An agent is called by the reasoner (a quote) and the router (the order).
    for (child, parents) in [
        ("reason", &["utterance"][..]),
        ("route", &["reason"]),
        ("agent", &["reason", "route"]),
        ("track", &["route"]),
    ] {
        assert!(
            named(child).all(|s| parents.contains(&parent_of(s).as_str())),
            "every {child} span is a child of a {parents:?} span:\n{}",
            shown()
        );
    }
    assert!(
        named("agent").any(|s| parent_of(s) == "route"),
        "the order reached an agent from the router:\n{}",
        shown()
    );
    // Later turns hang from the first.
    for later in named("utterance").filter(|s| s.parent.is_some()) {
        assert_eq!(later.parent, Some(roots[0].span_id.clone()));
    }
}

/// An `errand up` process, killed when dropped.
struct Up(std::process::Child);

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The burger dialogue on `session` through the gateway at `addr`: its
/// trace id, once confirmed.
async fn burger(addr: SocketAddr, session: &str, logs: impl Fn() -> String) -> String {
    let trace = http::say(addr, session, "order me a burger")
        .await
        .unwrap_or_else(|| panic!("not acknowledged\n{}", logs()));
    let asked = http::await_command(addr, &trace, &["awaiting_clarification"], secs(30)).await;
    assert!(asked.is_ok(), "{asked:?}\n{}", logs());
    let same = http::say(addr, session, "221B Baker Street").await;
    assert_eq!(same.as_deref(), Some(trace.as_str()));
    let asked = http::await_command(addr, &trace, &["awaiting_confirmation"], secs(30)).await;
    assert!(asked.is_ok(), "{asked:?}\n{}", logs());
    http::say(addr, session, "yes").await;
    let done = http::await_command(addr, &trace, &["confirmed", "failed"], secs(30)).await;
    assert_eq!(
        done.as_ref().map(|d| d["status"].clone()),
        Ok("confirmed".into()),
        "{done:?}\n{}",
        logs()
    );
    trace
}

#[tokio::test]
async fn otlp_a_dialogue_is_one_trace_from_the_gateway_to_the_tracker() {
    let receiver = Receiver::start().await;
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let log = std::env::temp_dir().join(format!("errand-otlp-{}.log", addr.port()));
    let up = Up(std::process::Command::new(errand_harness::errand_binary())
        .args(["up", "--listen", &addr.to_string()])
        .env("ERRAND_OTLP_ENDPOINT", receiver.endpoint())
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("ERRAND_LOG", "warn")
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap());
    let logs = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(http::await_ready(addr, secs(20)).await, "{}", logs());

    let trace = burger(addr, "s-otlp", logs).await;
    let spans = receiver.trace(&trace, &HOPS, secs(15)).await;
    assert_one_linked_trace(&spans);
    drop(up);
}

#[tokio::test]
async fn otlp_over_kafka_a_dialogue_across_three_nodes_is_one_trace() {
    let receiver = Receiver::start().await;
    let mut cluster = TestCluster::new(&shared_url(), &shared_brokers());
    cluster.env.extend([
        ("ERRAND_OTLP_ENDPOINT".into(), receiver.endpoint()),
        ("OTEL_BSP_SCHEDULE_DELAY".into(), "100".into()),
    ]);
    cluster.spawn("front", "gateway");
    cluster.spawn("brain", "reasoner,router,tracker,errors");
    cluster.spawn("hands", "agents");
    let up = [("front", "up"), ("brain", "up"), ("hands", "up")];
    let status = cluster.await_nodes(&up, secs(30)).await;
    assert!(status.is_ok(), "{status:?}\n{}", cluster.logs());
    assert!(cluster.await_ready(secs(30)).await, "{}", cluster.logs());

    let trace = burger(cluster.gateway(), "s-otlp-kafka", || cluster.logs()).await;
    let spans = receiver.trace(&trace, &HOPS, secs(20)).await;
    assert_one_linked_trace(&spans);
}
