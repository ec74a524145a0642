//! The floor under the WebSocket benchmarks: a server that does no work.
//!
//! It records the frames a running errand sends for one food dialogue (the
//! load generator's two utterances), then serves them back: the n-th
//! utterance on a connection gets the frames of turn n (cycling), written
//! one frame at a time as errand writes them, on sockets with `TCP_NODELAY`.
//! `../shared/bench/loadgen` against it measures what the load generator,
//! the kernel's loopback and the WebSocket framing cost on this machine, so
//! errand's own share of a turn is what lies above it (BENCHMARKS.md).
//!
//! ```sh
//! ERRAND_CONFIRM=never ERRAND_LISTEN=127.0.0.1:8080 target/release/errand up &
//! cargo run --release --example floor -- --from ws://127.0.0.1:8080/v1/ws/text --listen 127.0.0.1:8090
//! loadgen ws://127.0.0.1:8090/v1/ws/text 32 8 1
//! ```

use anyhow::Context;
use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
#[command(about = "Serve a recorded dialogue's frames, doing no work")]
struct Args {
    /// A running errand's text socket to record one dialogue from.
    #[arg(long)]
    from: String,
    /// Where to serve the recording.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
}

/// The load generator's dialogue: each utterance and the event that ends
/// its turn.
const DIALOGUE: [(&str, &str); 2] = [
    ("order me a burger", "clarify"),
    ("221B Baker Street", "confirmed"),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let turns = Arc::new(record(&args.from).await?);
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    eprintln!(
        "serving {} turns of {:?} frames on {}",
        turns.len(),
        turns.iter().map(Vec::len).collect::<Vec<_>>(),
        args.listen
    );
    loop {
        let (tcp, _) = listener.accept().await?;
        tcp.set_nodelay(true)?;
        let turns = turns.clone();
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let mut turn = 0;
            while let Some(Ok(message)) = ws.next().await {
                if !message.is_text() {
                    continue;
                }
                for frame in &turns[turn % turns.len()] {
                    if ws.send(Message::text(frame.as_str())).await.is_err() {
                        return;
                    }
                }
                turn += 1;
            }
        });
    }
}

/// Each turn's frames, as errand sent them.
async fn record(url: &str) -> anyhow::Result<Vec<Vec<String>>> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .with_context(|| format!("connecting to {url}"))?;
    let mut turns = Vec::new();
    for (text, last) in DIALOGUE {
        let utterance = serde_json::json!({"type": "utterance", "text": text});
        ws.send(Message::text(utterance.to_string())).await?;
        let mut frames = Vec::new();
        loop {
            let message = ws.next().await.context("errand closed the socket")??;
            let Message::Text(frame) = message else {
                continue;
            };
            let event: serde_json::Value = serde_json::from_str(&frame)?;
            frames.push(frame.to_string());
            if event["type"] == "error" || event["type"] == "confirm" || event["status"] == "failed"
            {
                anyhow::bail!(
                    "errand answered {frame}: the floor records a dialogue confirmed without a question (run errand with ERRAND_CONFIRM=never)"
                );
            }
            if event["type"] == last || event["status"] == last {
                break;
            }
        }
        turns.push(frames);
    }
    Ok(turns)
}
