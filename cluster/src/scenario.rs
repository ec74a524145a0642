//! What `errand bench --scenario` runs errand on: the embedded default, or a
//! `redis-server` (and a `nisshi` Kafka-protocol broker) it starts as child
//! processes on free loopback ports, stopped when the run ends; `cluster`
//! also starts three errand nodes as child processes (this same binary)
//! that join one cluster on them, the load going to the gateway node.

use anyhow::Context;
use errand_actors::bus::KafkaConfig;
use errand_actors::store::redis::RedisConfig;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::config::Config;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// In-memory bus and state, in this process.
    Embedded,
    /// State in a Redis started here (the bus in memory, fanned out
    /// through Redis).
    Redis,
    /// State in Redis and every topic on a nisshi broker, both started here.
    Kafka,
    /// Three nodes on Redis and nisshi, started here: `front` (gateway),
    /// `brain` (reasoner, router, tracker, errors) and `hands` (agents).
    Cluster,
}

/// The nodes of the `cluster` scenario: name and roles.
pub const NODES: [(&str, &str); 3] = [
    ("front", "gateway"),
    ("brain", "reasoner,router,tracker,errors"),
    ("hands", "agents"),
];

/// A gateway the scenario started in another process.
pub struct Gateway {
    pub url: String,
    pub pid: u32,
}

/// The servers a scenario started; dropping it stops them.
pub struct Servers {
    children: Vec<Child>,
    dir: std::path::PathBuf,
    /// Where the load goes, when errand runs in other processes.
    pub gateway: Option<Gateway>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Scenario {
    /// Starts what the scenario needs and points `config` at it.
    pub fn start(self, config: &mut Config) -> anyhow::Result<Servers> {
        let dir = std::env::temp_dir().join(format!("errand-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut servers = Servers {
            children: Vec::new(),
            dir,
            gateway: None,
        };
        config.redis = None;
        config.kafka = None;
        if self == Scenario::Embedded {
            return Ok(servers);
        }
        let redis = free_port()?;
        servers.children.push(spawn(
            Command::new("redis-server")
                .args(["--port", &redis.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .current_dir(&servers.dir),
            "redis-server",
        )?);
        wait_for(redis, "redis-server")?;
        config.redis = Some(RedisConfig::new(format!("redis://127.0.0.1:{redis}")));
        if matches!(self, Scenario::Kafka | Scenario::Cluster) {
            let broker = free_port()?;
            let url = format!("tcp://127.0.0.1:{broker}");
            servers.children.push(spawn(
                Command::new("nisshi")
                    .args(["broker", "--listener-url", &url])
                    .args(["--advertised-listener-url", &url])
                    .args(["--storage-engine", "memory://nisshi/"])
                    .args(["--group-initial-rebalance-delay", "0s"]),
                "nisshi",
            )?);
            wait_for(broker, "nisshi")?;
            config.kafka = Some(KafkaConfig::new(format!("127.0.0.1:{broker}")));
            if self == Scenario::Cluster {
                start_nodes(&mut servers, redis, broker)?;
            }
        }
        Ok(servers)
    }
}

/// Starts [`NODES`] on the Redis and broker at these ports, each seeded
/// with the first; the first serves HTTP.
fn start_nodes(servers: &mut Servers, redis: u16, broker: u16) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot find this errand binary")?;
    let cookie = errand_schemas::TraceId::generate().0;
    let mut seed: Option<u16> = None;
    for (name, roles) in NODES {
        let cluster = free_port()?;
        let mut command = Command::new(&exe);
        command
            .args(["node", "--name", name, "--roles", roles])
            .args(["--cluster-listen", &format!("127.0.0.1:{cluster}")])
            .env("ERRAND_REDIS_URL", format!("redis://127.0.0.1:{redis}"))
            .env("ERRAND_KAFKA_BROKERS", format!("127.0.0.1:{broker}"))
            .env("ERRAND_CLUSTER_NAME", "errand-bench")
            .env("ERRAND_CLUSTER_COOKIE", &cookie)
            .stderr(std::fs::File::create(
                servers.dir.join(format!("{name}.log")),
            )?);
        if let Some(seed) = seed {
            command.args(["--seed", &format!("127.0.0.1:{seed}")]);
        }
        let web = (servers.gateway.is_none() && roles.contains("gateway"))
            .then(free_port)
            .transpose()?;
        if let Some(web) = web {
            command.args(["--listen", &format!("127.0.0.1:{web}")]);
        }
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start errand node {name}"))?;
        if let Some(web) = web {
            servers.gateway = Some(Gateway {
                url: format!("ws://127.0.0.1:{web}/v1/ws/text"),
                pid: child.id(),
            });
        }
        servers.children.push(child);
        seed.get_or_insert(cluster);
    }
    Ok(())
}

fn spawn(command: &mut Command, name: &str) -> anyhow::Result<Child> {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {name}: is it installed and on PATH?"))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits up to 30 s for `port` to take connections.
fn wait_for(port: u16, name: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    anyhow::bail!("{name} did not listen on 127.0.0.1:{port} within 30 s")
}
