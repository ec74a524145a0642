//! What `errand bench --scenario` runs errand on: the embedded default, or a
//! `redis-server` (and a `nisshi` Kafka-protocol broker) it starts as child
//! processes on free loopback ports, stopped when the run ends.

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
}

/// The servers a scenario started; dropping it stops them.
pub struct Servers {
    children: Vec<Child>,
    dir: std::path::PathBuf,
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
        if self == Scenario::Kafka {
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
        }
        Ok(servers)
    }
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
