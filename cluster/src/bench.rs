//! `errand bench`: whole dialogues over WebSockets against a running
//! gateway or an errand it starts in this process, as many at once as asked
//! (closed loop) or started at a steady rate (open loop). Every dialogue is
//! a fresh session, as new people would be, so a run also shows whether the
//! server's memory stays bounded.
//!
//! A dialogue answers each question with its next line and each
//! confirmation with the Confirm button, so it works with confirmation on
//! or off. A turn is the time from a line sent to the server's next
//! question, confirmation or final status.

use crate::config::Config;
use crate::node::{Node, NodeOptions};
use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// A running gateway's text socket (ws://host:port/v1/ws/text); without
    /// it, an errand configured from the environment is started here
    #[arg(long, conflicts_with = "scenario")]
    pub url: Option<String>,
    /// Start errand here on this: the embedded default, or Redis (or Redis
    /// and a nisshi broker) started as child processes for the run
    #[arg(long, value_enum)]
    pub scenario: Option<crate::scenario::Scenario>,
    /// Dialogues at once (closed loop: each starts another when it ends);
    /// with --rate, the most in flight is 64 times this
    #[arg(long, default_value_t = 32)]
    pub sessions: usize,
    /// Open loop: start this many dialogues a second, whatever is in flight
    #[arg(long)]
    pub rate: Option<f64>,
    /// How long to measure, in seconds
    #[arg(long, visible_alias = "duration", default_value_t = 10.0)]
    pub seconds: f64,
    /// Seconds of load before measuring
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// Which dialogue: food, ride, mart or mixed (the three in turn)
    #[arg(long, value_enum, default_value_t = Dialogue::Food)]
    pub dialogue: Dialogue,
    /// The server's process id, to report its memory (an errand started
    /// here is this process)
    #[arg(long)]
    pub pid: Option<u32>,
    /// One JSON object instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialogue {
    Food,
    Ride,
    Mart,
    Mixed,
}

impl Dialogue {
    /// What the person says first, then the answer to each question.
    fn lines(self, n: u64) -> &'static [&'static str] {
        match self {
            Dialogue::Food => &["order me a burger", "221B Baker Street"],
            Dialogue::Ride => &["book a ride from home to the airport", "home"],
            Dialogue::Mart => &["buy milk and eggs", "221B Baker Street"],
            Dialogue::Mixed => {
                [Dialogue::Food, Dialogue::Ride, Dialogue::Mart][n as usize % 3].lines(n)
            }
        }
    }
}

/// What a run measured.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub dialogue: String,
    pub mode: String,
    pub seconds: f64,
    pub dialogues: u64,
    pub throughput_per_s: f64,
    pub turns: u64,
    pub turn_latency_us: Percentiles,
    pub errors: BTreeMap<String, u64>,
    pub server_rss_bytes: Option<u64>,
}

#[derive(Debug, serde::Serialize)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// What the dialogues record while the run is measured.
struct Tally {
    measuring: bool,
    dialogues: u64,
    turns: Histogram<u64>,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn error(&mut self, code: &str) {
        if self.measuring {
            *self.errors.entry(code.to_owned()).or_default() += 1;
        }
    }
}

type Shared = Arc<Mutex<Tally>>;

/// Runs the benchmark and prints its report.
pub async fn run(args: BenchArgs) -> anyhow::Result<Report> {
    if let Some(url) = &args.url {
        let target = (url.clone(), args.pid);
        return measure(args, target, None, None).await;
    }
    let mut config = Config::from_env()?;
    // Stopped when the run ends (after the node).
    let servers = match args.scenario {
        Some(scenario) => Some(scenario.start(&mut config)?),
        None => None,
    };
    // The scenario's own gateway in another process, or a node here.
    if let Some(gateway) = servers.as_ref().and_then(|s| s.gateway.as_ref()) {
        await_cluster(&gateway.url).await?;
        let target = (gateway.url.clone(), Some(gateway.pid));
        return measure(args, target, None, servers).await;
    }
    let mut options = NodeOptions::from_config(&config).await?;
    options.listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
    let node = Node::start(options).await?;
    let address = node
        .http_addr()
        .context("the gateway did not bind its address")?;
    let target = (
        format!("ws://{address}/v1/ws/text"),
        Some(std::process::id()),
    );
    measure(args, target, Some(node), servers).await
}

/// Drives the load at `url` (the server's `pid`, for its RSS) and reports;
/// stops the local node, then the servers, after the run.
async fn measure(
    args: BenchArgs,
    (url, pid): (String, Option<u32>),
    local: Option<Node>,
    servers: Option<crate::scenario::Servers>,
) -> anyhow::Result<Report> {
    let tally: Shared = Arc::new(Mutex::new(Tally {
        measuring: false,
        dialogues: 0,
        turns: Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds"),
        errors: BTreeMap::new(),
    }));
    let stop = Instant::now() + secs(args.warmup + args.seconds);
    let load = {
        let (url, tally, args) = (url.clone(), tally.clone(), args.clone());
        tokio::spawn(async move {
            match args.rate {
                Some(rate) => open_loop(&url, &args, rate, tally, stop).await,
                None => closed_loop(&url, &args, tally, stop).await,
            }
        })
    };
    tokio::time::sleep(secs(args.warmup)).await;
    tally.lock().unwrap_or_else(|e| e.into_inner()).measuring = true;
    let measured = Instant::now();
    tokio::time::sleep(secs(args.seconds)).await;
    let elapsed = measured.elapsed().as_secs_f64();
    let report = {
        let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
        t.measuring = false;
        let q = |p: f64| t.turns.value_at_quantile(p);
        Report {
            dialogue: format!("{:?}", args.dialogue).to_lowercase(),
            mode: match args.rate {
                Some(rate) => format!("open loop, {rate}/s"),
                None => format!("closed loop, {} at once", args.sessions),
            },
            seconds: elapsed,
            dialogues: t.dialogues,
            throughput_per_s: t.dialogues as f64 / elapsed,
            turns: t.turns.len(),
            turn_latency_us: Percentiles {
                p50: q(0.5),
                p90: q(0.9),
                p99: q(0.99),
                p999: q(0.999),
                max: t.turns.max(),
            },
            errors: t.errors.clone(),
            server_rss_bytes: pid.and_then(rss_bytes),
        }
    };
    load.abort();
    if let Some(node) = local {
        node.shutdown().await;
    }
    drop(servers);
    Ok(report)
}

/// Waits until the gateway at `ws_url` is ready and sees every node of the
/// `cluster` scenario up (60 s at most).
async fn await_cluster(ws_url: &str) -> anyhow::Result<()> {
    let base = ws_url
        .replacen("ws://", "http://", 1)
        .trim_end_matches("/v1/ws/text")
        .to_owned();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        let ready = client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if let Ok(response) = client.get(format!("{base}/v1/cluster")).send().await
            && let Ok(status) = response.json::<serde_json::Value>().await
        {
            let nodes = status["nodes"].as_array().cloned().unwrap_or_default();
            let up = nodes.iter().filter(|n| n["health"] == "up").count();
            if ready && up == crate::scenario::NODES.len() {
                return Ok(());
            }
            last = status.to_string();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("the cluster did not come up within 60 s: {last}")
}

/// Prints `report` as a table, or one JSON object (a closed pipe, as
/// `| head` makes, is not an error).
pub fn print(report: &Report, json: bool) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string(report).unwrap_or_default());
        return;
    }
    let ms = |us: u64| format!("{:.2} ms", us as f64 / 1000.0);
    let l = &report.turn_latency_us;
    let errors: Vec<String> = (report.errors.iter())
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    let mut lines = vec![
        format!(
            "dialogues     {} in {:.1} s: {:.1}/s ({}, {})",
            report.dialogues, report.seconds, report.throughput_per_s, report.dialogue, report.mode
        ),
        format!(
            "turn latency  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  ({} turns)",
            ms(l.p50),
            ms(l.p90),
            ms(l.p99),
            ms(l.p999),
            ms(l.max),
            report.turns
        ),
        format!(
            "errors        {}",
            if errors.is_empty() {
                "none".to_owned()
            } else {
                errors.join(", ")
            }
        ),
    ];
    if let Some(rss) = report.server_rss_bytes {
        lines.push(format!(
            "server RSS    {:.1} MiB",
            rss as f64 / (1024.0 * 1024.0)
        ));
    }
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
}

async fn closed_loop(url: &str, args: &BenchArgs, tally: Shared, stop: Instant) {
    let workers = (0..args.sessions.max(1)).map(|w| {
        let (url, tally, dialogue) = (url.to_owned(), tally.clone(), args.dialogue);
        tokio::spawn(async move {
            let mut n = w as u64;
            while Instant::now() < stop {
                one(&url, dialogue.lines(n), &tally).await;
                n += 1;
            }
        })
    });
    for worker in workers.collect::<Vec<_>>() {
        let _ = worker.await;
    }
}

async fn open_loop(url: &str, args: &BenchArgs, rate: f64, tally: Shared, stop: Instant) {
    let in_flight = Arc::new(tokio::sync::Semaphore::new(args.sessions.max(1) * 64));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.001)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut n = 0u64;
    while Instant::now() < stop {
        ticks.tick().await;
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            tally
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .error("client_overloaded");
            continue;
        };
        let (url, tally, lines) = (url.to_owned(), tally.clone(), args.dialogue.lines(n));
        tokio::spawn(async move {
            one(&url, lines, &tally).await;
            drop(permit);
        });
        n += 1;
    }
}

/// One dialogue on a fresh session; records its turns, or its error.
async fn one(url: &str, lines: &[&str], tally: &Shared) {
    let session = errand_schemas::SessionId::generate();
    let separator = if url.contains('?') { '&' } else { '?' };
    let connected = tokio::time::timeout(
        secs(10.0),
        tokio_tungstenite::connect_async(format!("{url}{separator}session={session}")),
    )
    .await;
    let mut socket = match connected {
        Ok(Ok((socket, _))) => socket,
        _ => {
            // Keep a closed loop from spinning on a server that is down.
            tokio::time::sleep(secs(0.1)).await;
            return tally
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .error("connect_failed");
        }
    };
    if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = socket.get_ref() {
        let _ = tcp.set_nodelay(true);
    }
    let mut next = lines.iter();
    let mut turns = Vec::new();
    let mut sent = Instant::now();
    let say = |text: String| Message::text(text);
    if socket
        .send(say(next.next().copied().unwrap_or("hello").to_owned()))
        .await
        .is_err()
    {
        return tally
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .error("socket_closed");
    }
    let outcome: Result<(), String> = loop {
        let frame = match tokio::time::timeout(secs(30.0), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
            Ok(_) => break Err("socket_closed".into()),
            Err(_) => break Err("timeout".into()),
        };
        let event: Value = serde_json::from_str(&frame).unwrap_or_default();
        let reply = match event["type"].as_str() {
            Some("clarify") => match next.next() {
                Some(answer) => (*answer).to_owned(),
                None => break Err("unexpected_question".into()),
            },
            Some("confirm") => {
                json!({"type": "confirm", "trace_id": event["trace_id"]}).to_string()
            }
            Some("status") => match event["status"].as_str() {
                Some("confirmed") => {
                    turns.push(sent.elapsed());
                    break Ok(());
                }
                Some("failed" | "declined" | "cancelled") => {
                    let code = event["error"]["code"].as_str();
                    break Err(code
                        .unwrap_or(event["status"].as_str().unwrap_or(""))
                        .to_owned());
                }
                _ => continue,
            },
            Some("error") => break Err(event["code"].as_str().unwrap_or("error").to_owned()),
            _ => continue,
        };
        turns.push(sent.elapsed());
        sent = Instant::now();
        if socket.send(say(reply)).await.is_err() {
            break Err("socket_closed".into());
        }
    };
    let _ = socket.close(None).await;
    let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
    match outcome {
        Ok(()) if t.measuring => {
            t.dialogues += 1;
            for turn in turns {
                let _ = t.turns.record((turn.as_micros() as u64).max(1));
            }
        }
        Ok(()) => {}
        Err(code) => t.error(&code),
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

/// A process's resident memory, from /proc (Linux).
fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = (status.lines())
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}
