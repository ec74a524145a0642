//! `errand`: run a node.

use anyhow::Context;
use clap::{Parser, Subcommand};
use errand_cluster::{Node, NodeOptions};
use std::net::SocketAddr;

#[derive(Parser)]
#[command(name = "errand", version, about = "A conversational command backend")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One process, all roles, embedded defaults (in-memory bus and state,
    /// offline reasoner), serving the gateway.
    Up {
        /// Where the gateway listens.
        #[arg(long, env = "ERRAND_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ERRAND_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Up { listen } => up(listen).await,
    }
}

async fn up(listen: SocketAddr) -> anyhow::Result<()> {
    let node = Node::start(NodeOptions::embedded()).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "gateway listening");
    let state = node.app_state();
    let server = tokio::spawn(errand_gateway::serve(listener, state));
    wait_for_signal().await;
    tracing::info!("shutting down");
    node.begin_shutdown();
    server.await??;
    node.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
