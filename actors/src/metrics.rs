//! Command latency per domain: a Prometheus histogram, observed when a
//! command reaches its final status (from `received`, or from `dispatched`
//! for commands that skip the conversation).
//!
//! Recorded with `metrics` into a recorder of this node's own (no global
//! recorder: several nodes in one process count apart), rendered by
//! `metrics-exporter-prometheus`.

use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The histogram's name.
pub const COMMAND_LATENCY: &str = "errand_command_latency_ms";

/// Upper bounds of the buckets, in milliseconds.
pub const BUCKETS_MS: [f64; 12] = [
    5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0,
];

/// Observations between two upkeeps (samples wait in the recorder until
/// one, or a render, folds them into the buckets).
const UPKEEP_EVERY: u64 = 256;

/// Latency histograms by (domain, final status).
#[derive(Clone)]
pub struct CommandLatency {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    observed: Arc<AtomicU64>,
}

impl Default for CommandLatency {
    fn default() -> Self {
        let builder = PrometheusBuilder::new();
        let builder = match builder
            .set_buckets_for_metric(Matcher::Full(COMMAND_LATENCY.into()), &BUCKETS_MS)
        {
            Ok(builder) => builder,
            // Only for empty buckets, which BUCKETS_MS is not.
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        metrics::with_local_recorder(&recorder, || {
            metrics::describe_histogram!(
                COMMAND_LATENCY,
                "Time from a command's first step to its final status."
            );
        });
        Self {
            handle: recorder.handle(),
            recorder: Arc::new(recorder),
            observed: Arc::default(),
        }
    }
}

impl CommandLatency {
    pub fn observe(&self, domain: &str, status: &str, ms: u64) {
        metrics::with_local_recorder(self.recorder.as_ref(), || {
            metrics::histogram!(
                COMMAND_LATENCY,
                "domain" => domain.to_owned(),
                "status" => status.to_owned()
            )
            .record(ms as f64);
        });
        if self.observed.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
        }
    }

    /// Prometheus text of the histograms.
    pub fn render(&self) -> String {
        self.handle.render()
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

    #[test]
    fn the_text_is_what_prometheus_reads() {
        let latency = CommandLatency::default();
        assert!(
            !latency
                .render()
                .contains("errand_command_latency_ms_bucket")
        );
        latency.observe("ride", "failed", 30_000);
        let text = latency.render();
        assert!(text.contains(
            "# HELP errand_command_latency_ms Time from a command's first step to its final status.\n"
        ));
        assert!(text.contains("# TYPE errand_command_latency_ms histogram\n"));
        assert!(text.contains(
            r#"errand_command_latency_ms_bucket{domain="ride",status="failed",le="10000"} 0"#
        ));
        assert!(text.contains(
            r#"errand_command_latency_ms_bucket{domain="ride",status="failed",le="30000"} 1"#
        ));
        assert!(
            text.contains(r#"errand_command_latency_ms_sum{domain="ride",status="failed"} 30000"#)
        );
        let buckets = text.matches("errand_command_latency_ms_bucket{").count();
        assert_eq!(buckets, BUCKETS_MS.len() + 1, "{text}");
    }

    #[test]
    fn each_tracker_counts_its_own() {
        let (a, b) = (CommandLatency::default(), CommandLatency::default());
        a.observe("food", "confirmed", 7);
        a.clone().observe("food", "confirmed", 7);
        assert!(
            a.render()
                .contains(r#"errand_command_latency_ms_count{domain="food",status="confirmed"} 2"#)
        );
        assert!(!b.render().contains("errand_command_latency_ms_count"));
    }

    #[test]
    fn many_observations_stay_counted_across_upkeeps() {
        let latency = CommandLatency::default();
        for ms in 0..(UPKEEP_EVERY * 3 + 5) {
            latency.observe("mart", "confirmed", ms % 20);
        }
        let text = latency.render();
        let count = UPKEEP_EVERY * 3 + 5;
        assert!(
            text.contains(&format!(
                r#"errand_command_latency_ms_count{{domain="mart",status="confirmed"}} {count}"#
            )),
            "{text}"
        );
    }
}
