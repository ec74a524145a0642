//! Idle WebSocket sessions held at once, and memory per idle session.
//!
//! Starts `errand up` (release), opens `ERRAND_BENCH_SOCKETS` (10,000 by
//! default) sockets on `/v1/ws/text`, each on its own session, keeps them
//! open and idle, and reads the server's resident memory before and after.
//!
//! ```sh
//! cargo bench --bench idle_sockets
//! ERRAND_BENCH_SOCKETS=5000 cargo bench --bench idle_sockets
//! ```

use errand_harness::errand_binary;
use errand_harness::redis::free_port;
use std::time::{Duration, Instant};

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("ERRAND_BENCH_SOCKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let port = free_port();
    let mut server = std::process::Command::new(errand_binary())
        .arg("up")
        .env("ERRAND_LISTEN", format!("127.0.0.1:{port}"))
        .env("ERRAND_MAX_SOCKETS_PER_CLIENT", (count + 10).to_string())
        .env("ERRAND_IDLE_TIMEOUT_SECS", "3600")
        .env("ERRAND_LOG", "warn")
        .spawn()
        .expect("errand up starts");
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(Instant::now() < deadline, "errand up listens");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib(server.id());

    let started = Instant::now();
    let mut sockets = Vec::with_capacity(count);
    let mut failed = 0;
    for batch in (0..count).collect::<Vec<_>>().chunks(250) {
        let connects = batch.iter().map(|i| {
            let url = format!("ws://{addr}/v1/ws/text?session=idle-{i}");
            async move {
                tokio_tungstenite::connect_async(url)
                    .await
                    .map(|(ws, _)| ws)
            }
        });
        for result in futures_util::future::join_all(connects).await {
            match result {
                Ok(ws) => sockets.push(ws),
                Err(_) => failed += 1,
            }
        }
    }
    let opened = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(server.id());
    let held = sockets.len();
    println!(
        "{held} idle sockets held ({failed} refused), opened in {:.1} s",
        opened.as_secs_f64()
    );
    println!(
        "server RSS: {:.1} MiB before, {:.1} MiB with the sockets: {:.1} KiB per idle session",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / held.max(1) as f64
    );
    drop(sockets);
    let _ = server.kill();
    let _ = server.wait();
}
