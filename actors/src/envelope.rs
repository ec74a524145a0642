//! [`Envelope`]: a record that must not be lost.
//!
//! ractor never hands a supervisor the message that crashed a child, and it
//! drops a dead actor's mailbox. So a record travels in an envelope that, if
//! it is dropped without being acknowledged (the handler panicked, the actor
//! stopped, the mailbox was dropped), reports itself to the node's
//! [retrier](crate::retrier) together with its bus acknowledgement. The
//! retrier tries it again or dead-letters it, and only then acknowledges it:
//! a bus offset is never committed for a record nobody took responsibility for.

use crate::bus::{AckToken, Record};
use crate::slot::ActorSlot;
use errand_schemas::ErrorCode;
use std::fmt;
use tokio::sync::OwnedSemaphorePermit;

/// What the [retrier](crate::retrier) takes: failed and dropped envelopes.
pub enum RetrierMessage {
    /// A record could not be processed (or its envelope was dropped).
    Failed(Failure),
    /// A retry whose backoff has passed.
    Due(Failure),
}

impl ractor::Message for RetrierMessage {}

/// Where failed and dropped envelopes report.
pub type FailureSink = ActorSlot<RetrierMessage>;

/// A record that could not be processed, with its acknowledgement.
pub struct Failure {
    pub record: Record,
    pub ack: AckToken,
    pub error: String,
    pub code: ErrorCode,
    /// `false` sends it to the dead letters at once (e.g. it cannot be decoded).
    pub retryable: bool,
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("record", &self.record)
            .field("error", &self.error)
            .field("code", &self.code)
            .field("retryable", &self.retryable)
            .finish()
    }
}

impl Failure {
    /// Hands the failure to `sink`; if there is no retrier to take it, the
    /// acknowledgement is dropped, so the bus delivers the record again.
    pub fn report(self, sink: &FailureSink) {
        if let Err(Some(RetrierMessage::Failed(lost) | RetrierMessage::Due(lost))) =
            sink.send(RetrierMessage::Failed(self))
        {
            {
                tracing::error!(
                    topic = %lost.record.topic,
                    key = %lost.record.key,
                    offset = lost.record.offset,
                    error = %lost.error,
                    "no retrier to take a failed record; it stays uncommitted and will be delivered again"
                );
            }
        }
    }
}

/// The reason given for an envelope dropped without acknowledgement.
pub const DROPPED: &str =
    "dropped without acknowledgement (the actor handling it stopped or panicked)";

/// A decoded record on its way through an actor.
pub struct Envelope<T> {
    inner: Option<Box<Inner<T>>>,
}

struct Inner<T> {
    payload: T,
    record: Record,
    ack: AckToken,
    sink: FailureSink,
    /// The slot this record holds in its ingress window; freed when settled.
    _permit: Option<OwnedSemaphorePermit>,
}

impl<T> Envelope<T> {
    pub fn new(
        payload: T,
        record: Record,
        ack: AckToken,
        sink: FailureSink,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Self {
        Self {
            inner: Some(Box::new(Inner {
                payload,
                record,
                ack,
                sink,
                _permit: permit,
            })),
        }
    }

    fn inner(&self) -> &Inner<T> {
        match &self.inner {
            Some(inner) => inner,
            // `inner` is only taken by the consuming methods below.
            None => unreachable_settled(),
        }
    }

    pub fn payload(&self) -> &T {
        &self.inner().payload
    }

    pub fn record(&self) -> &Record {
        &self.inner().record
    }

    /// The delivery attempt (1 for the first).
    pub fn attempt(&self) -> u32 {
        self.inner().record.attempt()
    }

    /// Done: the bus may commit it.
    pub fn ack(mut self) {
        if let Some(inner) = self.inner.take() {
            inner.ack.ack();
        }
    }

    /// Could not process it this time: retry with backoff, then dead-letter.
    pub fn fail(mut self, code: ErrorCode, error: impl fmt::Display) {
        if let Some(inner) = self.inner.take() {
            (*inner).fail(code, error.to_string(), true);
        }
    }

    /// Can never process it: dead-letter at once.
    pub fn reject(mut self, code: ErrorCode, error: impl fmt::Display) {
        if let Some(inner) = self.inner.take() {
            (*inner).fail(code, error.to_string(), false);
        }
    }
}

impl<T> Inner<T> {
    fn fail(self, code: ErrorCode, error: String, retryable: bool) {
        let Inner {
            record, ack, sink, ..
        } = self;
        Failure {
            record,
            ack,
            error,
            code,
            retryable,
        }
        .report(&sink);
    }
}

impl<T> Drop for Envelope<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            tracing::warn!(
                topic = %inner.record.topic,
                key = %inner.record.key,
                offset = inner.record.offset,
                "envelope dropped without acknowledgement"
            );
            (*inner).fail(ErrorCode::ProcessingFailed, DROPPED.to_owned(), true);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Envelope<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Some(inner) => f
                .debug_struct("Envelope")
                .field("record", &inner.record)
                .field("payload", &inner.payload)
                .finish(),
            None => f.write_str("Envelope(settled)"),
        }
    }
}

#[cold]
fn unreachable_settled() -> ! {
    panic!("envelope used after it was settled")
}
