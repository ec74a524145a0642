//! `errand`: run a node, or look at what it did.

use anyhow::Context;
use clap::{Parser, Subcommand};
use errand_actors::store::StateStore;
use errand_actors::store::redis::RedisStore;
use errand_cluster::Role;
use errand_cluster::config::Config;
use errand_cluster::settings::{self, Flags};
use errand_cluster::telemetry::Telemetry;
use errand_cluster::{Node, NodeOptions, nlu_cli};
use errand_schemas::TraceId;
use std::net::SocketAddr;
use std::process::ExitCode;

/// errand allocates and frees many small values per event (records,
/// JSON, words being read); mimalloc serves them faster than the system
/// allocator and keeps threads from contending on one arena.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "errand", version, about = "A conversational command backend")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One process, all roles, serving the gateway. Embedded defaults
    /// (in-memory bus and state, offline reasoner) unless configured
    /// otherwise (ERRAND_REDIS_URL). Settings come from the flags, then the
    /// environment, then the TOML file (--config).
    Up {
        /// Listen on a non-loopback address without authentication.
        #[arg(long)]
        insecure: bool,
        #[command(flatten)]
        flags: Flags,
    },
    /// One node of a cluster, running some roles. Settings come from the
    /// flags, then the environment, then the TOML file (--config). A node
    /// serves the HTTP API when it is a gateway or is given --listen (or
    /// ERRAND_LISTEN).
    Node(NodeArgs),
    /// The cluster as a node sees it.
    Cluster {
        #[command(subcommand)]
        command: ClusterCommand,
    },
    /// Prints a command's lifecycle from the configured store (ERRAND_REDIS_URL).
    Trace {
        trace_id: String,
        /// Print the stored state as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dead letters: records that could not be processed after their last attempt.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// The offline reader on files of labelled utterances (JSON lines).
    Nlu {
        #[command(subcommand)]
        command: NluCommand,
    },
    /// The effective configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Lists the environment variables errand reads.
    Env,
    /// Draws the supervision tree this configuration runs (what `errand up`
    /// or `errand node` would start), without starting it; with --url, the
    /// tree a running node runs now (GET /v1/tree), with restarts.
    Tree {
        #[command(flatten)]
        flags: Flags,
        /// A running node's HTTP address (http://host:port)
        #[arg(long)]
        url: Option<String>,
        /// A bearer token, when the node requires one [env: ERRAND_TOKEN]
        #[arg(long, env = "ERRAND_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Print the JSON the node answers (with --url).
        #[arg(long, requires = "url")]
        json: bool,
    },
    /// Drives whole dialogues over WebSockets (each a fresh session) against
    /// a running gateway or an errand started here, and reports dialogues a
    /// second, each turn's latency, errors by code and the server's memory.
    Bench(errand_cluster::bench::BenchArgs),
    /// Runs files of conversations (TOML; see README) against an errand it
    /// starts in this process, or a running gateway with --url; prints each
    /// conversation's result and "N passed, M failed".
    Test {
        /// Conversation files, or folders of them.
        #[arg(required = true)]
        paths: Vec<std::path::PathBuf>,
        /// A running gateway's text socket (ws://host:port/v1/ws/text)
        #[arg(long)]
        url: Option<String>,
        /// A bearer token, when the gateway requires one [env: ERRAND_TOKEN]
        #[arg(long, env = "ERRAND_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Conversations run at once.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
        /// The errand started here believes it is this time (RFC 3339, e.g.
        /// 2026-06-16T09:00:00+01:00) and its clock runs on from there, so
        /// "tonight" and "at 9" mean the same whenever the files run.
        #[arg(long, conflicts_with = "url", value_parser = pinned_now)]
        now: Option<u64>,
    },
}

#[derive(clap::Args)]
struct NodeArgs {
    /// Listen on a non-loopback address without authentication.
    #[arg(long)]
    insecure: bool,
    #[command(flatten)]
    flags: Flags,
}

#[derive(Subcommand)]
enum ClusterCommand {
    /// Nodes, roles, health and last heartbeat, from a node's GET /v1/cluster.
    Status {
        /// The node's HTTP address
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// A bearer token, when the node requires one [env: ERRAND_TOKEN]
        #[arg(long, env = "ERRAND_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Print the JSON the node answers.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Prints the effective settings as JSON (keyed as in the TOML file),
    /// secrets masked.
    Show {
        #[command(flatten)]
        flags: Flags,
    },
}

#[derive(Subcommand)]
enum NluCommand {
    /// One JSON line per input line: id, intent, slots, latency_us.
    Predict {
        files: Vec<String>,
        #[command(flatten)]
        reader: nlu_cli::ReaderArgs,
    },
    /// One JSON object: macro_f1, accuracy, false accepts, slot and per-intent scores, latency.
    Eval {
        files: Vec<String>,
        #[command(flatten)]
        reader: nlu_cli::ReaderArgs,
    },
    /// Trains the reader's model on labelled lines and writes it.
    Train(nlu_cli::TrainArgs),
    /// Distils a pretrained encoder (scripts/nlu-encoder fetches it) into
    /// the token table the reader runs on.
    Distil(nlu_cli::DistilArgs),
}

#[derive(Subcommand)]
enum DlqCommand {
    /// One line per dead letter: id, source topic, key, error, attempts.
    List,
    /// Publishes a dead letter's original record again on its source topic.
    Replay { id: String },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli: Cli = settings::parse_command_line();
    // A conversation run prints its own results; a node's info lines would bury them.
    let default_log = match cli.command {
        Command::Test { .. } | Command::Bench(_) => "warn",
        _ => "info",
    };
    let otlp = settings::process_env("ERRAND_OTLP_ENDPOINT");
    let telemetry = match Telemetry::install(default_log, otlp.as_deref()) {
        Ok(telemetry) => telemetry,
        Err(e) => {
            eprintln!("errand: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Up { flags, insecure } => match Config::load(&flags, settings::process_env) {
            Ok(config) => run(config, insecure, true).await,
            Err(e) => Err(e.into()),
        },
        Command::Node(args) => node(args).await,
        Command::Cluster {
            command: ClusterCommand::Status { url, token, json },
        } => errand_cluster::status::print(&url, token.as_deref(), json)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Trace { trace_id, json } => trace(&trace_id, json).await,
        Command::Dlq { command } => dlq(command).await,
        Command::Nlu { command } => nlu(command),
        Command::Config {
            command: ConfigCommand::Show { flags },
        } => settings::show(&flags, &settings::process_env)
            .map_err(anyhow::Error::from)
            .map(|shown| {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&shown).unwrap_or_default()
                );
                ExitCode::SUCCESS
            }),
        Command::Test {
            paths,
            url,
            token,
            parallel,
            now,
        } => test(paths, url, token, parallel, now).await,
        Command::Tree {
            url: Some(url),
            token,
            json,
            ..
        } => errand_cluster::status::print_tree(&url, token.as_deref(), json)
            .await
            .map(|()| ExitCode::SUCCESS),
        Command::Tree { flags, .. } => tree(&flags).await,
        Command::Bench(args) => {
            let json = args.json;
            errand_cluster::bench::run(args).await.map(|report| {
                errand_cluster::bench::print(&report, json);
                ExitCode::SUCCESS
            })
        }
        Command::Env => {
            for (name, default, meaning) in settings::variables() {
                println!("{name:<30} {default:<22} {meaning}");
            }
            Ok(ExitCode::SUCCESS)
        }
    };
    telemetry.shutdown().await;
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("errand: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn node(args: NodeArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.flags, settings::process_env)?;
    // A node serves HTTP when it is a gateway or was told where to listen.
    let serve = config.roles.contains(&Role::Gateway)
        || args.flags.given("listen")
        || std::env::var_os("ERRAND_LISTEN").is_some();
    run(config, args.insecure, serve).await
}

/// Starts a node from `config`, serving the HTTP API when `serve`, until a
/// signal.
async fn run(config: Config, insecure: bool, serve: bool) -> anyhow::Result<ExitCode> {
    let listen = config.listen;
    if serve && !listen.ip().is_loopback() && !config.auth.enabled() && !insecure {
        anyhow::bail!(
            "refusing to listen on {listen} without authentication: set ERRAND_AUTH_TOKENS or \
             ERRAND_AUTH_JWT_SECRET, or pass --insecure"
        );
    }
    if config.cluster.is_some() && config.redis.is_none() {
        // Each node would keep a state of its own: an agent's host records
        // a command's steps where the gateway's node never sees them.
        anyhow::bail!(
            "the nodes of a cluster share their state in Redis: set ERRAND_REDIS_URL on every node"
        );
    }
    let mut options = NodeOptions::from_config(&config).await?;
    options.listen = serve.then_some(listen);
    let node = Node::start(options).await?;
    let stopped = node
        .run_until(async {
            wait_for_signal().await;
            tracing::info!("shutting down");
        })
        .await;
    Ok(ExitCode::from(stopped.exit_code()))
}

/// `errand tree`: the roles this configuration runs and their children.
async fn tree(flags: &Flags) -> anyhow::Result<ExitCode> {
    let config = Config::load(flags, settings::process_env)?;
    let serve = config.roles.contains(&Role::Gateway) || flags.given("listen");
    let mut options = NodeOptions::from_config(&config).await?;
    options.listen = serve.then_some(config.listen);
    print!("{}", options.plan()?.draw());
    Ok(ExitCode::SUCCESS)
}

async fn trace(trace_id: &str, json: bool) -> anyhow::Result<ExitCode> {
    let config = Config::from_env()?;
    let Some(redis) = config.redis else {
        anyhow::bail!(
            "errand trace reads the configured store, and none is configured: set ERRAND_REDIS_URL \
             (the embedded default keeps state in the memory of the running process; use \
             GET /v1/commands/{{trace_id}} there)"
        );
    };
    let store = RedisStore::connect(redis).await?;
    match store.get(&TraceId(trace_id.to_owned())).await? {
        Some(state) if json => {
            println!("{}", serde_json::to_string_pretty(&state)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(state) => {
            print!("{}", errand_cluster::trace::render(&state));
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("errand: no command {trace_id} in the store");
            Ok(ExitCode::from(1))
        }
    }
}

async fn dlq(command: DlqCommand) -> anyhow::Result<ExitCode> {
    let config = Config::from_env()?;
    match (command, &config.kafka, &config.redis) {
        (DlqCommand::List, Some(kafka), _) => {
            for letter in errand_cluster::dlq::list(kafka).await? {
                println!("{}", errand_cluster::dlq::line(&letter));
            }
        }
        (DlqCommand::List, None, Some(redis)) => {
            use errand_actors::store::DeadLetterStore;
            let store = RedisStore::connect(redis.clone()).await?;
            for letter in store.list().await? {
                println!("{}", errand_cluster::dlq::line(&letter));
            }
        }
        (DlqCommand::Replay { id }, Some(kafka), _) => {
            let letter = errand_cluster::dlq::replay(kafka, &id).await?;
            eprintln!(
                "replayed {} on {} (key {})",
                letter.id, letter.source_topic, letter.key
            );
        }
        (DlqCommand::Replay { .. }, None, _) => anyhow::bail!(
            "replaying needs the topics: set ERRAND_KAFKA_BROKERS (the in-memory bus lives inside one process)"
        ),
        (DlqCommand::List, None, None) => anyhow::bail!(
            "dead letters live on agent.error (ERRAND_KAFKA_BROKERS) or in Redis (ERRAND_REDIS_URL); neither is configured"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn nlu(command: NluCommand) -> anyhow::Result<ExitCode> {
    match command {
        NluCommand::Predict { files, reader } => nlu_cli::predict_files(&files, &reader),
        NluCommand::Eval { files, reader } => nlu_cli::eval_files(&files, &reader),
        NluCommand::Train(args) => nlu_cli::train(&args),
        NluCommand::Distil(args) => nlu_cli::distil(&args),
    }
    .map_err(anyhow::Error::msg)?;
    Ok(ExitCode::SUCCESS)
}

/// `errand test`: against `url`, or an errand started here (configured
/// from the environment like `errand up`, on a free loopback port).
async fn test(
    paths: Vec<std::path::PathBuf>,
    url: Option<String>,
    token: Option<String>,
    parallel: usize,
    now: Option<u64>,
) -> anyhow::Result<ExitCode> {
    use errand_cluster::conversations::{self, Target};
    let conversations = conversations::load(&paths)?;
    let mut local = None;
    let url = match url {
        Some(url) => url,
        None => {
            let config = Config::from_env()?;
            let mut options = NodeOptions::from_config(&config).await?;
            options.listen = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
            if let Some(at_ms) = now {
                options.clock = errand_actors::clock::Clock::starting_at(at_ms);
            }
            let node = Node::start(options).await?;
            let address = node
                .http_addr()
                .context("the gateway did not bind its address")?;
            local = Some(node);
            format!("ws://{address}/v1/ws/text")
        }
    };
    let target = Target {
        url,
        token,
        parallel,
    };
    let outcomes = conversations::run(conversations, &target, |outcome| match &outcome.failure {
        None => println!("ok    {}: {}", outcome.file, outcome.name),
        Some(why) => println!("FAIL  {}: {}\n      {why}", outcome.file, outcome.name),
    })
    .await;
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    if let Some(node) = local {
        node.shutdown().await;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--now`: an RFC 3339 time, as milliseconds since the epoch.
fn pinned_now(text: &str) -> Result<u64, String> {
    let at: jiff::Timestamp = text
        .parse()
        .map_err(|e| format!("not an RFC 3339 time (e.g. 2026-06-16T09:00:00+01:00): {e}"))?;
    u64::try_from(at.as_millisecond()).map_err(|_| "a time after 1970".to_owned())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = ctrl_c.await;
            return;
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
