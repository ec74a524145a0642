//! The clock deadlines are measured with: wall-clock milliseconds anchored
//! to tokio's clock, so tests that pause and advance tokio time move
//! deadlines too (accelerated time instead of sleeps).

use std::sync::Arc;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock {
    anchor: Arc<(u64, Instant)>,
}

impl Clock {
    /// A clock that reads the wall clock now and advances with tokio time.
    pub fn new() -> Self {
        Self {
            anchor: Arc::new((errand_schemas::now_ms(), Instant::now())),
        }
    }

    /// A clock that reads `at_ms` (milliseconds since the Unix epoch) now
    /// and advances with tokio time: a pinned "now" for runs whose words
    /// ("tonight", "at 9") must mean the same whenever they run.
    pub fn starting_at(at_ms: u64) -> Self {
        Self {
            anchor: Arc::new((at_ms, Instant::now())),
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        let (base, start) = *self.anchor;
        base + start.elapsed().as_millis() as u64
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
