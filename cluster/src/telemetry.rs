//! What errand tells about itself as it runs: logs on stderr, filtered by
//! `ERRAND_LOG`, and, when `ERRAND_OTLP_ENDPOINT` names an OTLP/HTTP
//! endpoint (a collector, Jaeger, Tempo), its spans: one trace per command,
//! parented across topics and nodes (see [`errand_actors::spans`]).
//!
//! Only errand's own spans are exported (not those of the HTTP, Kafka or
//! Redis clients it uses), whatever `ERRAND_LOG` lets through to the logs.

use errand_actors::spans::CommandIds;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The path OTLP/HTTP takes spans on.
const TRACES_PATH: &str = "/v1/traces";

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("ERRAND_OTLP_ENDPOINT {endpoint:?}: {reason}")]
    Endpoint { endpoint: String, reason: String },
}

/// The installed logs and span export; [`Telemetry::shutdown`] sends the
/// spans not yet exported.
pub struct Telemetry {
    spans: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Installs the logs (`ERRAND_LOG`, else `default_log`) and, when
    /// `otlp_endpoint` is given, the span export.
    pub fn install(default_log: &str, otlp_endpoint: Option<&str>) -> Result<Self, TelemetryError> {
        let logs = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_filter(
                EnvFilter::try_from_env("ERRAND_LOG")
                    .unwrap_or_else(|_| EnvFilter::new(default_log)),
            );
        let spans = otlp_endpoint
            .filter(|e| !e.trim().is_empty())
            .map(exporter)
            .transpose()?;
        let export = spans.as_ref().map(|provider| {
            tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("errand"))
                .with_filter(Targets::new().with_target("errand", LevelFilter::INFO))
        });
        tracing_subscriber::registry()
            .with(logs)
            .with(export)
            .init();
        Ok(Self { spans })
    }

    /// Exports the spans still buffered, then stops exporting.
    pub async fn shutdown(self) {
        if let Some(provider) = self.spans {
            // It waits for the export thread: not on a runtime worker.
            let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
            if let Ok(Err(e)) = flushed {
                eprintln!("errand: spans not exported at shutdown: {e}");
            }
        }
    }
}

/// A tracer provider exporting to `endpoint` (its `/v1/traces` when it
/// names only the collector), batched, with command-rooted trace ids.
fn exporter(endpoint: &str) -> Result<SdkTracerProvider, TelemetryError> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    let url = if endpoint.ends_with(TRACES_PATH) {
        endpoint.to_owned()
    } else {
        format!("{endpoint}{TRACES_PATH}")
    };
    let refuse = |reason: String| TelemetryError::Endpoint {
        endpoint: endpoint.to_owned(),
        reason,
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(refuse("an http:// or https:// URL is needed".into()));
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .build()
        .map_err(|e| refuse(e.to_string()))?;
    let mut resource = Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name("errand");
    }
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_id_generator(CommandIds::default())
        .with_resource(resource.build())
        .build())
}
