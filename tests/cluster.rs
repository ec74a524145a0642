//! Clusters of `errand node` processes on loopback, with the shared Redis
//! and broker: roles on different nodes, a node killed under load, a hung
//! node detected by heartbeats, a restarted node rejoining, and a node with
//! the wrong cookie refused.

use errand_harness::cluster::{TestCluster, run_load};
use errand_harness::kafka::shared_brokers;
use errand_harness::ledger::LedgerProvider;
use errand_harness::redis::shared_url;
use errand_harness::secs;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Says `text` on `session`; the trace id.
async fn say(cluster: &TestCluster, session: &str, text: &str) -> String {
    cluster
        .say(session, text)
        .await
        .unwrap_or_else(|| panic!("{text:?} was not acknowledged\n{}", cluster.logs()))
}

/// The command's state once its status is one of `want`.
async fn await_status(cluster: &TestCluster, trace: &str, want: &[&str]) -> Value {
    cluster
        .await_command(trace, want, secs(40))
        .await
        .unwrap_or_else(|last| panic!("{trace} never reached {want:?}: {last}\n{}", cluster.logs()))
}

#[tokio::test]
async fn a_dialogue_runs_across_three_nodes_and_a_wrong_cookie_is_refused() {
    let mut cluster = TestCluster::new(&shared_url(), &shared_brokers());
    cluster.spawn("front", "gateway");
    cluster.spawn("brain", "reasoner,router,tracker,errors");
    cluster.spawn("hands", "agents");
    let up = [("front", "up"), ("brain", "up"), ("hands", "up")];
    let status = cluster.await_nodes(&up, secs(30)).await;
    assert!(status.is_ok(), "{status:?}\n{}", cluster.logs());
    let status = status.unwrap();
    let roles = |name: &str| -> Vec<String> {
        status["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .map(|n| serde_json::from_value(n["roles"].clone()).unwrap())
            .unwrap()
    };
    assert_eq!(roles("hands"), ["agents"]);
    assert_eq!(roles("front"), ["gateway"]);
    assert!(cluster.await_ready(secs(30)).await, "{}", cluster.logs());

    let trace = say(&cluster, "s-across", "order me a burger").await;
    let asked = await_status(&cluster, &trace, &["awaiting_clarification"]).await;
    assert_eq!(asked["status"], "awaiting_clarification", "{asked}");
    let same = say(&cluster, "s-across", "221B Baker Street").await;
    assert_eq!(same, trace, "the answer continues the command");
    // The price comes from the agent on the agents node (a quote across
    // the cluster) before the person says yes.
    let asked = await_status(&cluster, &trace, &["awaiting_confirmation", "failed"]).await;
    assert_eq!(asked["status"], "awaiting_confirmation", "{asked}");
    say(&cluster, "s-across", "yes").await;
    let done = await_status(&cluster, &trace, &["confirmed", "failed"]).await;
    assert_eq!(done["status"], "confirmed", "{done}\n{}", cluster.logs());

    // A node with another cookie never joins.
    cluster.spawn_with("intruder", "agents", "not-the-cookie");
    tokio::time::sleep(secs(4)).await;
    let status = cluster.await_nodes(&up, secs(5)).await;
    assert!(status.is_ok(), "the intruder was let in: {status:?}");
}

#[tokio::test]
async fn killing_an_agents_node_under_load_loses_and_doubles_nothing() {
    let mut cluster = TestCluster::new(&shared_url(), &shared_brokers());
    // One utterance per command, placed once understood: this is about the
    // pipeline losing an agents node, not the conversation.
    // Orders and bookings counted where they arrive: at a provider outside
    // every node, which honours Idempotency-Key as errand expects.
    cluster.env.push(("ERRAND_CONFIRM".into(), "never".into()));
    cluster.use_ledger_provider(LedgerProvider::start().await);
    cluster.spawn("core", "gateway,reasoner,router,tracker,errors");
    cluster.spawn("hands-1", "agents");
    cluster.spawn("hands-2", "agents");
    let all = [("core", "up"), ("hands-1", "up"), ("hands-2", "up")];
    assert!(
        cluster.await_nodes(&all, secs(30)).await.is_ok(),
        "{}",
        cluster.logs()
    );
    assert!(cluster.await_ready(secs(30)).await, "{}", cluster.logs());

    // hands-1 dies (SIGKILL) a third of the way through.
    let report = run_load(&cluster, 45, 15.0, secs(60), |k| {
        if k == 15 {
            cluster.signal("hands-1", "KILL");
        }
    })
    .await;
    eprintln!("load: {report:?}");
    assert_eq!(report.acknowledged, 45, "{report:?}");
    assert_eq!(report.lost, 0, "{report:?}\n{}", cluster.logs());
    assert_eq!(report.doubled, 0, "{report:?}");
    assert_eq!(
        report.unplaced, 0,
        "every confirmed command was placed: {report:?}"
    );
    assert_eq!(report.confirmed + report.failed, report.acknowledged);
    let two = [("core", "up"), ("hands-2", "up")];
    assert!(cluster.await_nodes(&two, secs(10)).await.is_ok());

    // It comes back, with a new session: looked up again, used again.
    cluster.spawn("hands-1", "agents");
    assert!(
        cluster.await_nodes(&all, secs(30)).await.is_ok(),
        "{}",
        cluster.logs()
    );

    // hands-2 hangs (SIGSTOP): suspected within the heartbeat timeout, its
    // agents skipped, every command still served by hands-1.
    cluster.signal("hands-2", "STOP");
    let started = Instant::now();
    let hung = [("core", "up"), ("hands-1", "up"), ("hands-2", "suspect")];
    let status = cluster.await_nodes(&hung, secs(10)).await;
    assert!(status.is_ok(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500 + 2000),
        "detected after {:?}",
        started.elapsed()
    );
    let report = run_load(&cluster, 10, 10.0, secs(40), |_| {}).await;
    assert_eq!(report.confirmed, 10, "{report:?}\n{}", cluster.logs());
    cluster.signal("hands-2", "CONT");
    assert!(cluster.await_nodes(&all, secs(10)).await.is_ok());
}

/// A CA and one certificate for 127.0.0.1, made with the openssl command.
fn certificates(dir: &std::path::Path) -> (String, String, String) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=errand test CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "node.key",
        "-out",
        "node.csr",
        "-subj",
        "/CN=errand node",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "node.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "node.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let path = |f: &str| dir.join(f).display().to_string();
    (path("node.pem"), path("node.key"), path("ca.pem"))
}

#[tokio::test]
async fn nodes_talk_tls_and_verify_each_other() {
    let mut cluster = TestCluster::new(&shared_url(), &shared_brokers());
    let (cert, key, ca) = certificates(&cluster.dir);
    cluster.env.extend([
        ("ERRAND_CLUSTER_TLS_CERT".to_owned(), cert),
        ("ERRAND_CLUSTER_TLS_KEY".to_owned(), key),
        ("ERRAND_CLUSTER_TLS_CA".to_owned(), ca),
    ]);
    cluster.spawn("front", "gateway,reasoner,router,tracker,errors");
    cluster.spawn("hands", "agents");
    let both = [("front", "up"), ("hands", "up")];
    let status = cluster.await_nodes(&both, secs(30)).await;
    assert!(status.is_ok(), "{status:?}\n{}", cluster.logs());
    assert!(cluster.await_ready(secs(30)).await, "{}", cluster.logs());
    let trace = say(
        &cluster,
        "s-tls",
        "book a cab from Baker Street to King's Cross",
    )
    .await;
    let asked = await_status(&cluster, &trace, &["awaiting_confirmation", "failed"]).await;
    assert_eq!(asked["status"], "awaiting_confirmation", "{asked}");
    say(&cluster, "s-tls", "yes").await;
    let done = await_status(&cluster, &trace, &["confirmed", "failed"]).await;
    assert_eq!(done["status"], "confirmed", "{done}");

    // A node without TLS cannot join a TLS cluster.
    cluster
        .env
        .retain(|(k, _)| !k.starts_with("ERRAND_CLUSTER_TLS"));
    cluster.spawn("plain", "agents");
    tokio::time::sleep(secs(4)).await;
    let status = cluster.await_nodes(&both, secs(5)).await;
    assert!(status.is_ok(), "a plain node joined: {status:?}");
}

#[test]
fn the_compose_file_deploys_three_nodes_with_different_roles() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = root.join("docker/compose.yaml");
    // Compose v2 when the plugin is installed, else the standalone v1.
    let v2 = std::process::Command::new("docker")
        .args(["compose", "version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut command = if v2 {
        let mut c = std::process::Command::new("docker");
        c.arg("compose");
        c
    } else {
        std::process::Command::new("docker-compose")
    };
    let out = command
        .arg("-f")
        .arg(&file)
        .arg("config")
        .output()
        .expect("docker compose or docker-compose (scripts/test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, roles) in [
        ("edge", "gateway"),
        ("brain", "reasoner,router,tracker,errors"),
        ("hands", "agents"),
    ] {
        assert!(
            text.contains(&format!("{name}:")),
            "{name} missing:\n{text}"
        );
        assert!(text.contains(roles), "{roles} missing:\n{text}");
    }
    for service in ["redpanda:", "redis:"] {
        assert!(text.contains(service), "{service} missing");
    }
    // Every errand service's roles are roles errand knows.
    for roles in ["gateway", "reasoner,router,tracker,errors", "agents"] {
        errand_cluster::settings::parse_roles(roles).unwrap();
    }
}

/// A WebSocket client of one gateway, on one session.
struct Socket {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Socket {
    async fn open(gateway: std::net::SocketAddr, session: &str, after_seq: Option<u64>) -> Self {
        let mut url = format!("ws://{gateway}/v1/ws/text?session={session}");
        if let Some(after) = after_seq {
            url.push_str(&format!("&after_seq={after}"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the socket opens");
        Self { ws }
    }

    async fn say(&mut self, text: &str) {
        use futures_util::SinkExt;
        let frame = serde_json::json!({"type": "utterance", "text": text}).to_string();
        self.ws
            .send(tokio_tungstenite::tungstenite::Message::text(frame))
            .await
            .expect("sent");
    }

    /// Events until one of type `last` (inclusive), within 30 s.
    async fn until(&mut self, last: &str) -> Vec<Value> {
        use futures_util::StreamExt;
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + secs(30);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next()).await;
            let Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text)))) = frame else {
                panic!("no {last} event; got {got:?}");
            };
            let event: Value = serde_json::from_str(&text).expect("JSON");
            let done = event["type"] == last;
            got.push(event);
            if done {
                return got;
            }
        }
    }
}

/// What a shared event is, whichever gateway shows it.
fn shared_event(event: &Value) -> Option<(u64, String)> {
    let kind = event["type"].as_str()?;
    let what = match kind {
        "status" => format!("status {}", event["status"].as_str()?),
        "clarify" | "confirm" | "reply" => kind.to_owned(),
        _ => return None,
    };
    Some((event["seq"].as_u64()?, what))
}

#[tokio::test]
async fn every_gateway_numbers_a_session_alike_and_a_client_resumes_on_another() {
    let mut cluster = TestCluster::new(&shared_url(), &shared_brokers());
    cluster.spawn("front-a", "gateway");
    cluster.spawn("front-b", "gateway");
    cluster.spawn("brain", "reasoner,router,tracker,errors,agents");
    let up = [("front-a", "up"), ("front-b", "up"), ("brain", "up")];
    assert!(
        cluster.await_nodes(&up, secs(30)).await.is_ok(),
        "{}",
        cluster.logs()
    );
    let (a, b) = (
        cluster.node("front-a").http.unwrap(),
        cluster.node("front-b").http.unwrap(),
    );
    for gateway in [a, b] {
        assert!(
            errand_harness::http::await_ready(gateway, secs(30)).await,
            "{}",
            cluster.logs()
        );
    }
    // One watcher on each gateway sees the whole dialogue.
    let mut watch_a = Socket::open(a, "s-two-fronts", Some(0)).await;
    let mut watch_b = Socket::open(b, "s-two-fronts", Some(0)).await;
    // The person starts on A, and A drops after the question.
    let mut person = Socket::open(a, "s-two-fronts", Some(0)).await;
    person.say("order me a burger").await;
    let before = person.until("clarify").await;
    let last_seen = before.last().unwrap()["seq"].as_u64().unwrap();
    drop(person);
    // The answer goes in over HTTP meanwhile (as a page retrying would).
    let trace = say(&cluster, "s-two-fronts", "221B Baker Street").await;
    await_status(&cluster, &trace, &["awaiting_confirmation"]).await;

    let seen_a = watch_a.until("confirm").await;
    let seen_b = watch_b.until("confirm").await;
    let shared = |events: &[Value]| -> Vec<(u64, String)> {
        events.iter().filter_map(shared_event).collect()
    };
    assert_eq!(
        shared(&seen_a),
        shared(&seen_b),
        "both gateways number alike"
    );
    let seqs: Vec<u64> = seen_a.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.is_sorted(), "in order: {seqs:?}");

    // The person comes back on B: exactly what it missed, numbered as A
    // numbered it.
    let mut back = Socket::open(b, "s-two-fronts", Some(last_seen)).await;
    let missed = back.until("confirm").await;
    let expected: Vec<(u64, String)> = (shared(&seen_a).into_iter())
        .filter(|(seq, _)| *seq > last_seen)
        .collect();
    assert_eq!(shared(&missed), expected, "{missed:?}");
    assert!(
        expected
            .iter()
            .any(|(_, what)| what == "status awaiting_confirmation"),
        "{expected:?}"
    );
    assert!(
        missed
            .iter()
            .all(|e| e["seq"].as_u64().unwrap() > last_seen)
    );
}
