//! Trace context across hops, for OpenTelemetry.
//!
//! Each hop of a command has a span: the gateway's `utterance` (or a REST
//! adapter's `rest_command`), the reasoner's `reason`, the router's `route`,
//! the agent's `execute`, the tracker's `track`. A hop's span is a child of
//! the span that sent it its record or call: publishers write the current
//! span's W3C `traceparent` on every bus record ([`inject`], called by
//! [`OutRecord::json`](crate::bus::OutRecord::json)) and on every cluster
//! call to an agent ([`Wire`](crate::agents::wire::Wire)); consumers make
//! their span its child ([`follow`]).
//!
//! One command is one trace, whatever its turns: the trace id is the errand
//! trace id (its 16 bytes), the first turn's span is the root, with a span
//! id derived from the trace id, and every later turn is a child of that
//! root ([`start_command`]). So a dialogue reads as one trace in Jaeger or
//! Tempo, found by the trace id a person's screen shows.
//!
//! With no OpenTelemetry layer installed (no `ERRAND_OTLP_ENDPOINT`), spans
//! carry no context and none of this writes anything.

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
use std::cell::Cell;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The header a record's trace context travels in.
pub const TRACEPARENT: &str = errand_schemas::topics::headers::TRACEPARENT;

thread_local! {
    /// The ids the next span built on this thread takes (see [`CommandIds`]).
    static PINNED: Cell<Option<(TraceId, SpanId)>> = const { Cell::new(None) };
}

/// The id generator errand's tracer uses: random ids, except for the root
/// span of a command, which takes the command's own ids.
#[derive(Debug, Default)]
pub struct CommandIds(RandomIdGenerator);

impl IdGenerator for CommandIds {
    fn new_trace_id(&self) -> TraceId {
        match PINNED.get() {
            Some((trace, _)) => trace,
            None => self.0.new_trace_id(),
        }
    }

    fn new_span_id(&self) -> SpanId {
        match PINNED.get() {
            Some((_, span)) => span,
            None => self.0.new_span_id(),
        }
    }
}

/// The OpenTelemetry trace id of an errand trace: a UUID's 16 bytes, or,
/// for an id that is not one, a stable hash of it.
pub fn trace_id_of(trace: &str) -> TraceId {
    let hex: String = trace.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32
        && let Ok(id) = u128::from_str_radix(&hex, 16)
        && id != 0
    {
        return TraceId::from(id);
    }
    let high = u128::from(fnv(trace.as_bytes(), 0xcbf2_9ce4_8422_2325));
    let low = u128::from(fnv(trace.as_bytes(), 0x6c62_272e_07bb_0142));
    TraceId::from((high << 64) | low.max(1))
}

/// The span id of a command's root span, derived from its trace id.
fn root_span_id(trace: TraceId) -> SpanId {
    let id = fnv(&trace.to_bytes(), 0xcbf2_9ce4_8422_2325);
    SpanId::from(id.max(1))
}

/// FNV-1a, 64 bits, from `seed`.
fn fnv(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Makes `span` a hop of the command `trace`: its root when `first` (the
/// turn that started the command), else a child of that root.
pub fn start_command(span: &Span, trace: &errand_schemas::TraceId, first: bool) {
    let trace_id = trace_id_of(trace.as_str());
    let root = root_span_id(trace_id);
    if first {
        let _ = span.set_parent(Context::new());
        PINNED.set(Some((trace_id, root)));
        // Builds the span now, on this thread, so it takes the pinned ids.
        let _ = span.context();
        PINNED.set(None);
    } else {
        let parent = SpanContext::new(
            trace_id,
            root,
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        let _ = span.set_parent(Context::new().with_remote_span_context(parent));
    }
}

/// Writes the current span's context on `headers` as `traceparent`; does
/// nothing when the span has none.
pub fn inject(headers: &mut Vec<(String, String)>) {
    let cx = Span::current().context();
    if cx.span().span_context().is_valid() {
        TraceContextPropagator::new().inject_context(&cx, &mut Out(headers));
    }
}

/// The current span's context as a `traceparent`, when it has one.
pub fn current() -> Option<String> {
    let mut headers = Vec::new();
    inject(&mut headers);
    headers
        .into_iter()
        .find(|(k, _)| k == TRACEPARENT)
        .map(|(_, v)| v)
}

/// Makes `span` a child of the span that sent `traceparent`; a missing or
/// unreadable one leaves `span` where it is.
pub fn follow(span: &Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent else {
        return;
    };
    let carrier = [(TRACEPARENT.to_owned(), traceparent.to_owned())];
    let cx = TraceContextPropagator::new().extract(&In(&carrier));
    if cx.span().span_context().is_valid() {
        let _ = span.set_parent(cx);
    }
}

/// The `traceparent` of the command `trace`'s root span: what a record
/// written outside any span (or with tracing off) carries, so readers of
/// the topics still see one trace per command.
pub fn of_command(trace: &str) -> String {
    let trace_id = trace_id_of(trace);
    format!("00-{trace_id}-{}-01", root_span_id(trace_id))
}

/// Headers being written, as a propagation carrier.
struct Out<'a>(&'a mut Vec<(String, String)>);

/// Headers being read, as a propagation carrier.
struct In<'a>(&'a [(String, String)]);

impl Injector for Out<'_> {
    fn set(&mut self, key: &str, value: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }
}

impl Extractor for In<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_trace_is_its_own_trace_id_and_any_other_is_hashed_stably() {
        let uuid = "01a20cf0-161b-776f-886a-aa11e4f56c4d";
        assert_eq!(
            trace_id_of(uuid).to_string(),
            "01a20cf0161b776f886aaa11e4f56c4d"
        );
        let other = trace_id_of("http-3f2a");
        assert_eq!(other, trace_id_of("http-3f2a"));
        assert_ne!(other, trace_id_of("http-3f2b"));
        assert_ne!(other, TraceId::INVALID);
        assert_ne!(root_span_id(other), SpanId::INVALID);
    }

    #[test]
    fn a_commands_traceparent_names_its_trace_and_root() {
        let parent = of_command("01a20cf0-161b-776f-886a-aa11e4f56c4d");
        let parts: Vec<&str> = parent.split('-').collect();
        assert_eq!(parts[0], "00");
        assert_eq!(parts[1], "01a20cf0161b776f886aaa11e4f56c4d");
        assert_eq!(parts[2].len(), 16);
        assert_eq!(parts[3], "01");
        assert_eq!(parent, of_command("01a20cf0-161b-776f-886a-aa11e4f56c4d"));
    }
}
