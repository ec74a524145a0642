//! A REPL for errand's conversation.
//!
//! By default it starts an in-process stack configured as `errand up` is
//! (the environment over `ERRAND_CONFIG`; the embedded default when nothing
//! is set); with `--url ws://HOST:PORT/v1/ws/text` it talks to a
//! running gateway. It reads one utterance per line, waits for that
//! utterance's events to settle (a question, a final status, or an error),
//! and exits at the end of its input.
//!
//! ```sh
//! printf 'order me a burger\n221B Baker Street\n' | cargo run --release --example repl -- --json
//! ```

use anyhow::Context;
use clap::Parser;
use errand_schemas::ClientEvent;
use futures_util::{SinkExt, StreamExt};
use std::io::IsTerminal;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
#[command(about = "Talk to errand")]
struct Args {
    /// A running gateway's text socket, e.g. ws://127.0.0.1:8080/v1/ws/text
    #[arg(long)]
    url: Option<String>,
    /// Print every server event as one JSON line.
    #[arg(long)]
    json: bool,
    /// The session to use (a new one by default).
    #[arg(long)]
    session: Option<String>,
    /// How long to wait for an utterance's events to settle, in seconds.
    #[arg(long, default_value_t = 40)]
    timeout: u64,
}

/// Where utterances go and events come from.
struct Link {
    say: mpsc::Sender<String>,
    events: mpsc::Receiver<ClientEvent>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber_init();
    let session = args
        .session
        .clone()
        .unwrap_or_else(|| errand_schemas::SessionId::generate().0);
    let mut node = None;
    let mut link = match &args.url {
        Some(url) => remote(url, &session).await?,
        None => {
            // Configured as `errand up` is: the environment (ERRAND_LLM_*,
            // ERRAND_REDIS_URL, ...) over the TOML file ERRAND_CONFIG names.
            let config = errand_cluster::config::Config::from_env()?;
            let options = errand_cluster::NodeOptions::from_config(&config).await?;
            let started = errand_cluster::Node::start(options).await?;
            let link = local(&started, &session)?;
            node = Some(started);
            link
        }
    };
    let interactive = std::io::stdin().is_terminal();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        if interactive && !args.json {
            eprint!("> ");
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
        if line.trim().is_empty() && interactive {
            continue;
        }
        link.say.send(line).await.context("the connection closed")?;
        settle(&mut link.events, &args, Duration::from_secs(args.timeout)).await;
    }
    if let Some(node) = node {
        node.shutdown().await;
    }
    Ok(())
}

fn tracing_subscriber_init() {
    // Logs go to stderr and stay quiet unless ERRAND_LOG asks for more.
    let filter = std::env::var("ERRAND_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .init();
}

/// Prints events until the utterance has settled: a question, an error, or
/// a final status followed by a short quiet spell (a reply may follow it, or
/// a new command after a switch of domain).
async fn settle(events: &mut mpsc::Receiver<ClientEvent>, args: &Args, timeout: Duration) {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut settled = false;
    loop {
        let wait = if settled {
            Duration::from_millis(300)
        } else {
            deadline.saturating_duration_since(tokio::time::Instant::now())
        };
        let Ok(Some(event)) = tokio::time::timeout(wait, events.recv()).await else {
            if !settled {
                eprintln!("(no answer within {}s)", timeout.as_secs());
            }
            return;
        };
        print_event(&event, args.json);
        let value = serde_json::to_value(&event).unwrap_or_default();
        let kind = value["type"].as_str().unwrap_or("");
        let status = value["status"].as_str().unwrap_or("");
        settled = settled
            || kind == "clarify"
            || kind == "confirm"
            || kind == "error"
            || (kind == "status"
                && ["confirmed", "failed", "declined", "cancelled", "answered"].contains(&status));
    }
}

fn print_event(event: &ClientEvent, json: bool) {
    let value = serde_json::to_value(event).unwrap_or_default();
    if json {
        println!("{value}");
        return;
    }
    let v = &value;
    match v["type"].as_str().unwrap_or("") {
        "ack" => {}
        "clarify" => println!("? {}", v["question"].as_str().unwrap_or("")),
        "confirm" => println!(
            "? {}  (yes / no / a change)",
            v["question"].as_str().unwrap_or("")
        ),
        "reply" => println!("< {}", v["text"].as_str().unwrap_or("")),
        "error" => println!(
            "! {} ({})",
            v["message"].as_str().unwrap_or(""),
            v["code"].as_str().unwrap_or("")
        ),
        "status" => println!(
            "  [{}] {}",
            short(v["trace_id"].as_str().unwrap_or("")),
            v["status"].as_str().unwrap_or("")
        ),
        "transcript" => println!("~ {}", v["text"].as_str().unwrap_or("")),
        _ => println!("{value}"),
    }
}

fn short(trace: &str) -> &str {
    trace.get(trace.len().saturating_sub(6)..).unwrap_or(trace)
}

fn local(node: &errand_cluster::Node, session: &str) -> anyhow::Result<Link> {
    let (say_tx, mut say_rx) = mpsc::channel::<String>(16);
    let (event_tx, event_rx) = mpsc::channel(256);
    let mut client = node
        .client(session)
        .context("ERRAND_ROLES leaves out the gateway: nothing to talk to")?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                line = say_rx.recv() => match line {
                    Some(line) => { let _ = client.say(&line).await; }
                    None => break,
                },
                event = client.next(Duration::from_secs(3600)) => {
                    if let Some(event) = event && event_tx.send(event).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    Ok(Link {
        say: say_tx,
        events: event_rx,
    })
}

async fn remote(url: &str, session: &str) -> anyhow::Result<Link> {
    let url = if url.contains('?') {
        url.to_owned()
    } else {
        format!("{url}?session={session}")
    };
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    let (mut sink, mut stream) = socket.split();
    let (say_tx, mut say_rx) = mpsc::channel::<String>(16);
    let (event_tx, event_rx) = mpsc::channel(256);
    tokio::spawn(async move {
        while let Some(line) = say_rx.recv().await {
            let frame = serde_json::json!({"type": "utterance", "text": line}).to_string();
            if sink.send(Message::text(frame)).await.is_err() {
                break;
            }
        }
    });
    tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message
                && let Ok(event) = serde_json::from_str::<ClientEvent>(&text)
                && event_tx.send(event).await.is_err()
            {
                break;
            }
        }
    });
    Ok(Link {
        say: say_tx,
        events: event_rx,
    })
}
