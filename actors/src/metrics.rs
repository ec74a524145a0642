//! Command latency per domain: a Prometheus-style histogram, observed when a
//! command reaches its final status (from `received`, or from `dispatched`
//! for commands that skip the conversation).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Upper bounds of the buckets, in milliseconds.
pub const BUCKETS_MS: [u64; 12] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    /// Count per bucket of `BUCKETS_MS` (not cumulative), then +Inf.
    pub counts: [u64; 13],
    pub sum_ms: u64,
    pub count: u64,
}

impl Histogram {
    pub fn observe(&mut self, ms: u64) {
        let index = BUCKETS_MS
            .iter()
            .position(|b| ms <= *b)
            .unwrap_or(BUCKETS_MS.len());
        self.counts[index] += 1;
        self.sum_ms += ms;
        self.count += 1;
    }
}

/// Latency histograms by (domain, final status).
#[derive(Clone, Default)]
pub struct CommandLatency {
    inner: Arc<Mutex<BTreeMap<(String, String), Histogram>>>,
}

impl CommandLatency {
    pub fn observe(&self, domain: &str, status: &str, ms: u64) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((domain.to_owned(), status.to_owned()))
            .or_default()
            .observe(ms);
    }

    pub fn snapshot(&self) -> BTreeMap<(String, String), Histogram> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Prometheus text of the histograms.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP errand_command_latency_ms Time from a command's first step to its final status."
        );
        let _ = writeln!(out, "# TYPE errand_command_latency_ms histogram");
        for ((domain, status), h) in self.snapshot() {
            let labels = format!("domain=\"{domain}\",status=\"{status}\"");
            let mut cumulative = 0;
            for (bound, count) in BUCKETS_MS.iter().zip(h.counts.iter()) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "errand_command_latency_ms_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "errand_command_latency_ms_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "errand_command_latency_ms_sum{{{labels}}} {}",
                h.sum_ms
            );
            let _ = writeln!(
                out,
                "errand_command_latency_ms_count{{{labels}}} {}",
                h.count
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative() {
        let latency = CommandLatency::default();
        latency.observe("food", "confirmed", 3);
        latency.observe("food", "confirmed", 40);
        latency.observe("food", "confirmed", 100_000);
        let text = latency.render();
        assert!(text.contains(
            r#"errand_command_latency_ms_bucket{domain="food",status="confirmed",le="5"} 1"#
        ));
        assert!(text.contains(
            r#"errand_command_latency_ms_bucket{domain="food",status="confirmed",le="50"} 2"#
        ));
        assert!(text.contains(
            r#"errand_command_latency_ms_bucket{domain="food",status="confirmed",le="+Inf"} 3"#
        ));
        assert!(
            text.contains(r#"errand_command_latency_ms_count{domain="food",status="confirmed"} 3"#)
        );
    }
}
