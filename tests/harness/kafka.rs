//! Kafka-protocol brokers for tests.
//!
//! - [`shared_brokers`]: the `nisshi` broker (a Kafka-compatible broker
//!   from crates.io) for the whole run. `scripts/test` installs it when
//!   missing, starts it and passes `ERRAND_TEST_KAFKA_BROKERS`; without that
//!   variable the first test of a process starts one. Tests isolate their
//!   topics with [`unique_topic_prefix`].
//! - [`Nisshi`]: a broker of a test's own.
//! - librdkafka's in-process `MockCluster` is used directly by the
//!   functional tests (`rdkafka::mocking::MockCluster`).

use crate::redis::free_port;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A topic prefix no other test uses.
pub fn unique_topic_prefix() -> String {
    format!(
        "t{}.",
        errand_schemas::TraceId::generate().0.replace('-', "")
    )
}

/// The bootstrap servers of the run's shared broker.
pub fn shared_brokers() -> String {
    static SHARED: OnceLock<String> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            if let Ok(brokers) = std::env::var("ERRAND_TEST_KAFKA_BROKERS")
                && !brokers.is_empty()
            {
                return brokers;
            }
            let broker = Nisshi::start();
            let brokers = broker.brokers();
            std::mem::forget(broker);
            brokers
        })
        .clone()
}

/// A `nisshi` broker of its own, in memory; stopped when dropped.
pub struct Nisshi {
    port: u16,
    child: Option<Child>,
}

impl Nisshi {
    pub fn start() -> Self {
        let mut broker = Self {
            port: free_port(),
            child: None,
        };
        broker.start_again();
        broker
    }

    /// Starts the broker (again) on the same port; it keeps topics in
    /// memory, so a restarted broker has none.
    pub fn start_again(&mut self) {
        let port = self.port;
        let script = format!(
            "nisshi broker --listener-url tcp://127.0.0.1:{port} --advertised-listener-url tcp://127.0.0.1:{port} \
             --storage-engine memory://nisshi/ & broker=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $broker 2>/dev/null; do sleep 0.2; done; kill -9 $broker 2>/dev/null",
            parent = std::process::id()
        );
        let child = Command::new("bash")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nisshi is installed (scripts/test installs it)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nisshi did not start within 20 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
    }

    /// Kills the broker (`kill -9`).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("pkill")
                .args([
                    "-9",
                    "-f",
                    &format!("listener-url tcp://127.0.0.1:{} ", self.port),
                ])
                .output();
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn brokers(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Nisshi {
    fn drop(&mut self) {
        self.stop();
    }
}
