//! Real Redis servers for tests: `redis-server` from the machine, on free
//! loopback ports.
//!
//! - [`shared_url`]: one server for the whole test run. `scripts/test`
//!   starts it and passes `ERRAND_TEST_REDIS_URL`; without that variable the
//!   first test of a process starts one, which stops when the process ends.
//!   Tests isolate their keys with [`unique_prefix`].
//! - [`RedisServer`]: a server of a test's own, to stop and start again.
//! - [`RedisCluster`]: three servers joined into a Redis Cluster.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A port nobody listens on right now, below the kernel's ephemeral range
/// (32768 and up here), so no outgoing connection of another test takes it
/// between this check and the server's bind: a port the kernel hands out
/// for `:0` is also one it hands to the next `connect`, and a node then
/// failed to start with "Address already in use". Picked at random from
/// 20000-32767 (tests run in parallel processes) and checked free.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static DRAWN: AtomicU64 = AtomicU64::new(0);
    let seed = u64::from(std::process::id())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
    for _ in 0..1_000 {
        let n = DRAWN.fetch_add(1, Ordering::Relaxed);
        // SplitMix64 of the seed and the draw.
        let mut x = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        let port = 20_000 + (x % 12_768) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A key prefix no other test uses.
pub fn unique_prefix() -> String {
    format!(
        "t-{}:",
        errand_schemas::TraceId::generate().0.replace('-', "")
    )
}

/// The URL of the run's shared Redis.
pub fn shared_url() -> String {
    static SHARED: OnceLock<String> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            if let Ok(url) = std::env::var("ERRAND_TEST_REDIS_URL")
                && !url.is_empty()
            {
                return url;
            }
            let server = RedisServer::start();
            let url = server.url();
            // Lives as long as the test process (it is reaped by the watchdog).
            std::mem::forget(server);
            url
        })
        .clone()
}

fn wait_until_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let ping = Command::new("redis-cli")
                .args(["-p", &port.to_string(), "ping"])
                .output();
            // PONG, or NOAUTH from a server with a password: either way it is up.
            if ping.is_ok_and(|o| {
                let answer = String::from_utf8_lossy(&o.stdout);
                answer.contains("PONG") || answer.contains("NOAUTH")
            }) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server on port {port} did not start within 10 s");
}

/// A redis-server of its own; stopped when dropped.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts a server that keeps its data on disk (append-only file), so a
    /// restart keeps what was written.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("errand-redis-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a data directory");
        let mut server = Self {
            port,
            dir,
            child: None,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        };
        server.start_again();
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and data directory.
    pub fn start_again(&mut self) {
        let port = self.port.to_string();
        let dir = self.dir.to_string_lossy().into_owned();
        // A watchdog ends the server when this test process ends, however it ends.
        let script = format!(
            "redis-server --port {port} --bind 127.0.0.1 --dir '{dir}' --pidfile '{dir}/redis.pid' --appendonly yes --appendfsync always --save '' {} & \
             server=$!; while kill -0 {parent} 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 0.2; done; kill $server 2>/dev/null",
            self.extra.join(" "),
            parent = std::process::id(),
        );
        let child = Command::new("bash")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        self.child = Some(child);
        wait_until_up(self.port);
    }

    /// Stops the server (like a crash: no final save beyond the append-only file).
    pub fn stop(&mut self) {
        let pid = std::fs::read_to_string(self.dir.join("redis.pid")).unwrap_or_default();
        if !pid.trim().is_empty() {
            let _ = Command::new("kill").args(["-9", pid.trim()]).output();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.dir.join("redis.pid"));
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs `redis-cli` against this server.
    pub fn cli(&self, args: &[&str]) -> String {
        redis_cli(self.port, args)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `redis-cli -p PORT ARGS...`, its standard output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A three-node Redis Cluster (no replicas).
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                ])
            })
            .collect();
        // Each node keeps its cluster config in its own directory.
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let mut args = vec!["--cluster".to_owned(), "create".to_owned()];
        args.extend(addresses);
        args.extend([
            "--cluster-replicas".into(),
            "0".into(),
            "--cluster-yes".into(),
        ]);
        let out = Command::new("redis-cli")
            .args(&args)
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            out.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            // Every node must see the whole cluster, with every slot served.
            let ready = nodes.iter().all(|n| {
                let info = redis_cli(n.port(), &["cluster", "info"]);
                info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3")
            });
            let info = redis_cli(nodes[0].port(), &["cluster", "info"]);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster did not become ok: {info}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { nodes }
    }

    /// The comma-separated node URLs errand takes for a cluster.
    pub fn url(&self) -> String {
        self.nodes
            .iter()
            .map(RedisServer::url)
            .collect::<Vec<_>>()
            .join(",")
    }
}
