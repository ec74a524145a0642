//! Multi-process clusters on loopback: `errand node` processes sharing one
//! Redis and one broker, a load driver that counts what happened to every
//! acknowledged utterance, and signals (SIGKILL, SIGSTOP) for the nodes.
//! The `cluster` tests and `scripts/cluster-demo` use it.

use crate::http;
use crate::ledger::LedgerProvider;
use crate::redis::{free_port, unique_prefix};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One `errand node` process.
pub struct ClusterNode {
    pub name: String,
    pub roles: String,
    pub cluster_port: u16,
    pub http: Option<SocketAddr>,
    pub log: PathBuf,
    child: Mutex<Option<Child>>,
}

impl ClusterNode {
    pub fn running(&self) -> bool {
        lock(&self.child).is_some()
    }
}

/// Nodes of one deployment: their shared Redis, broker, cookie and names.
pub struct TestCluster {
    pub redis_url: String,
    pub brokers: String,
    pub topic_prefix: String,
    pub redis_prefix: String,
    pub cluster_name: String,
    pub cookie: String,
    pub dir: PathBuf,
    pub nodes: Vec<ClusterNode>,
    /// Extra environment for every node.
    pub env: Vec<(String, String)>,
    /// The provider food and rides go to, when counted at a ledger
    /// ([`TestCluster::use_ledger_provider`]).
    pub provider: Option<LedgerProvider>,
}

impl TestCluster {
    pub fn new(redis_url: &str, brokers: &str) -> Self {
        let id = unique_prefix().trim_end_matches(':').to_owned();
        let dir = std::env::temp_dir().join(format!("errand-cluster-{id}"));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Self {
            redis_url: redis_url.to_owned(),
            brokers: brokers.to_owned(),
            topic_prefix: format!("{id}."),
            redis_prefix: format!("{id}:"),
            cluster_name: id.clone(),
            cookie: format!("cookie-{id}"),
            dir,
            nodes: Vec::new(),
            env: vec![
                ("ERRAND_HEARTBEAT_MS".into(), "300".into()),
                ("ERRAND_HEARTBEAT_TIMEOUT_MS".into(), "1500".into()),
            ],
            provider: None,
        }
    }

    /// Food and rides go to an external provider that keeps a ledger of
    /// every call (nodes started from now on): what [`run_load`] counts
    /// doubles by. Its quotes are not served: use it with
    /// `ERRAND_CONFIRM=never`.
    pub fn use_ledger_provider(&mut self, provider: LedgerProvider) {
        self.env
            .push(("ERRAND_HTTP_AGENTS".into(), provider.agents_setting()));
        self.provider = Some(provider);
    }

    /// Starts a node; the first node started is every later node's seed.
    /// A gateway node also serves HTTP.
    pub fn spawn(&mut self, name: &str, roles: &str) -> &ClusterNode {
        self.spawn_with(name, roles, &self.cookie.clone())
    }

    /// Starts a node with its own cookie (the wrong one, in a test).
    pub fn spawn_with(&mut self, name: &str, roles: &str, cookie: &str) -> &ClusterNode {
        let cluster_port = self
            .nodes
            .iter()
            .find(|n| n.name == name)
            .map_or_else(free_port, |n| n.cluster_port);
        let http = self
            .nodes
            .iter()
            .find(|n| n.name == name)
            .and_then(|n| n.http)
            .or_else(|| {
                roles
                    .contains("gateway")
                    .then(|| SocketAddr::from(([127, 0, 0, 1], free_port())))
            });
        let log = self.dir.join(format!("{name}.log"));
        let mut command = Command::new(crate::errand_binary());
        command
            .args(["node", "--name", name, "--roles", roles])
            .args(["--cluster-listen", &format!("127.0.0.1:{cluster_port}")])
            .env("ERRAND_REDIS_URL", &self.redis_url)
            .env("ERRAND_REDIS_PREFIX", &self.redis_prefix)
            .env("ERRAND_KAFKA_BROKERS", &self.brokers)
            .env("ERRAND_KAFKA_TOPIC_PREFIX", &self.topic_prefix)
            .env("ERRAND_CLUSTER_NAME", &self.cluster_name)
            .env("ERRAND_CLUSTER_COOKIE", cookie)
            .env(
                "ERRAND_LOG",
                std::env::var("ERRAND_LOG").unwrap_or_else(|_| "info".into()),
            )
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("a log file"));
        if let Some(seed) = self.nodes.iter().find(|n| n.name != name) {
            command.args(["--seed", &format!("127.0.0.1:{}", seed.cluster_port)]);
        }
        if let Some(addr) = http {
            command.args(["--listen", &addr.to_string()]);
        }
        let child = command.spawn().expect("errand node starts");
        // A node started again under its name replaces the dead one.
        self.nodes.retain(|n| n.name != name || n.running());
        self.nodes.push(ClusterNode {
            name: name.to_owned(),
            roles: roles.to_owned(),
            cluster_port,
            http,
            log,
            child: Mutex::new(Some(child)),
        });
        self.nodes.last().expect("just pushed")
    }

    pub fn node(&self, name: &str) -> &ClusterNode {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name}"))
    }

    /// The first gateway's HTTP address.
    pub fn gateway(&self) -> SocketAddr {
        self.nodes
            .iter()
            .find_map(|n| n.http.filter(|_| n.running()))
            .expect("a running gateway node")
    }

    /// Sends `signal` (KILL, STOP, CONT, TERM) to a node.
    pub fn signal(&self, name: &str, signal: &str) {
        let node = self.node(name);
        let mut guard = lock(&node.child);
        let Some(child) = guard.as_mut() else {
            return;
        };
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {name}");
        if signal == "KILL" || signal == "TERM" {
            let _ = child.wait();
            *guard = None;
        }
    }

    /// `GET /v1/cluster` from the gateway.
    pub async fn status(&self) -> Value {
        http::request(self.gateway(), "GET", "/v1/cluster", &[], "")
            .await
            .map(|r| r.json())
            .unwrap_or(Value::Null)
    }

    /// Waits until the gateway reports exactly `names` (with their health),
    /// up to `timeout`; returns the last status.
    pub async fn await_nodes(
        &self,
        expected: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<Value, Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.status().await;
            let seen: BTreeMap<String, String> = status["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| {
                    (
                        n["name"].as_str().unwrap_or_default().to_owned(),
                        n["health"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            let want: BTreeMap<String, String> = expected
                .iter()
                .map(|(n, h)| ((*n).to_owned(), (*h).to_owned()))
                .collect();
            if seen == want {
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err(status);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Says `text` on `session` through the gateway's HTTP API: the trace
    /// id, or `None` when it was not acknowledged.
    pub async fn say(&self, session: &str, text: &str) -> Option<String> {
        http::say(self.gateway(), session, text).await
    }

    /// Polls the gateway's `GET /v1/commands/{trace}` (see
    /// [`http::await_command`]).
    pub async fn await_command(
        &self,
        trace: &str,
        wanted: &[&str],
        timeout: Duration,
    ) -> Result<Value, Value> {
        http::await_command(self.gateway(), trace, wanted, timeout).await
    }

    /// Waits for the gateway's `/readyz`.
    pub async fn await_ready(&self, timeout: Duration) -> bool {
        http::await_ready(self.gateway(), timeout).await
    }

    /// The last lines of every node's log, for a failing test's message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for node in &self.nodes {
            let text = std::fs::read_to_string(&node.log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            out.push_str(&format!("--- {} ({})\n", node.name, node.roles));
            for line in &lines[lines.len().saturating_sub(15)..] {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        for node in &self.nodes {
            if let Some(child) = lock(&node.child).as_mut() {
                // A stopped process must be woken to die cleanly.
                let _ = Command::new("kill")
                    .args(["-CONT", &child.id().to_string()])
                    .status();
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// What happened to every acknowledged utterance.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    pub acknowledged: u64,
    pub confirmed: u64,
    pub failed: u64,
    /// Acknowledged, and no final status by the end.
    pub lost: u64,
    /// Commands the provider placed more than once (by its ledger).
    pub doubled: u64,
    /// The most calls the provider received for one command (a retry
    /// with the same key is a call, not a double).
    pub provider_calls_max: u32,
    /// Confirmed commands the provider has no order for.
    pub unplaced: u64,
    /// Utterances the gateway refused (not acknowledged).
    pub refused: u64,
    /// Received to confirmed, per confirmed command, by the server's clock
    /// (the command's `created_at_ms` to its `updated_at_ms`).
    pub latencies_ms: Vec<u64>,
    /// From the first command received to the last confirmed (server clock).
    pub span_ms: u64,
}

impl LoadReport {
    /// The `q`-quantile (0 to 1) of the confirmed commands' latency.
    pub fn latency(&self, q: f64) -> u64 {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_unstable();
        let index = ((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1);
        sorted.get(index).copied().unwrap_or_default()
    }

    /// Confirmed commands per second of the span.
    pub fn throughput(&self) -> f64 {
        if self.span_ms == 0 {
            return 0.0;
        }
        self.latencies_ms.len() as f64 * 1000.0 / self.span_ms as f64
    }
}

const REQUESTS: &[&str] = &[
    "book a cab from Baker Street to King's Cross",
    "order a burger to 221B Baker Street",
    "get me a taxi from Oxford Street to the airport",
];

/// Sends `count` one-turn requests at `per_second` (each on a session of
/// its own), calls `during(k)` after the `k`-th is acknowledged (to kill a
/// node under load), and waits up to `settle` for every final status. Then
/// reads the provider's ledger (the cluster must
/// [`use a ledger provider`](TestCluster::use_ledger_provider)): commands
/// it placed twice, and confirmed ones it never placed.
pub async fn run_load(
    cluster: &TestCluster,
    count: usize,
    per_second: f64,
    settle: Duration,
    mut during: impl FnMut(usize),
) -> LoadReport {
    let provider = (cluster.provider.as_ref())
        .expect("run_load counts at the provider: call TestCluster::use_ledger_provider first");
    let gateway = cluster.gateway();
    let mut report = LoadReport::default();
    let mut traces = Vec::new();
    let gap = Duration::from_secs_f64(1.0 / per_second.max(0.1));
    // Sessions of this run only: the same words again on a session moments
    // later would be a double tap, one command.
    let run = errand_schemas::TraceId::generate();
    let run = &run.as_str()[run.as_str().len() - 8..];
    for k in 0..count {
        let started = Instant::now();
        let text = REQUESTS[k % REQUESTS.len()];
        let session = format!("load-{k}-{run}");
        match cluster.say(&session, text).await {
            Some(trace) => {
                report.acknowledged += 1;
                traces.push(trace);
            }
            None => report.refused += 1,
        }
        during(k);
        tokio::time::sleep(gap.saturating_sub(started.elapsed())).await;
    }
    // Every acknowledged command, polled to its end.
    let deadline = Instant::now() + settle;
    let mut open: BTreeSet<String> = traces.iter().cloned().collect();
    let (mut first, mut last) = (u64::MAX, 0u64);
    let mut confirmed = Vec::new();
    while !open.is_empty() && Instant::now() < deadline {
        for trace in open.clone() {
            let Some(r) =
                http::request(gateway, "GET", &format!("/v1/commands/{trace}"), &[], "").await
            else {
                continue;
            };
            let state = r.json();
            let status = state["status"].as_str().unwrap_or_default().to_owned();
            match status.as_str() {
                "confirmed" => {
                    report.confirmed += 1;
                    confirmed.push(trace.clone());
                    let created = state["created_at_ms"].as_u64().unwrap_or_default();
                    let updated = state["updated_at_ms"].as_u64().unwrap_or_default();
                    report.latencies_ms.push(updated.saturating_sub(created));
                    first = first.min(created);
                    last = last.max(updated);
                }
                "failed" | "cancelled" | "declined" => report.failed += 1,
                _ => continue,
            }
            open.remove(&trace);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    report.lost = open.len() as u64;
    report.span_ms = last.saturating_sub(first.min(last));
    // Side effects where they arrived.
    let ledger = provider.ledger();
    for trace in ledger.doubled() {
        eprintln!("doubled: {trace}: placed {} times", ledger.placed[trace]);
    }
    report.doubled = ledger.doubled().len() as u64;
    report.provider_calls_max = ledger.calls_max();
    report.unplaced = confirmed
        .iter()
        .filter(|t| !ledger.placed.contains_key(t.as_str()))
        .count() as u64;
    report
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
