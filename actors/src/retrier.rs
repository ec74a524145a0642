//! The retrier: every node's dead-letter office.
//!
//! Failed and dropped [envelopes](crate::envelope) report here with their bus
//! acknowledgement. A retryable failure is published again on its source
//! topic (same key, `errand-attempt` header raised) after a backoff; after
//! the last attempt, or at once when it can never succeed, the record goes to
//! `agent.error` as a [`DeadLetter`] under its original key. Only then is the
//! original acknowledged, so a crash in between means a redelivery, never a
//! loss.
//!
//! Bound: failures are rare, and each one waiting for its backoff holds only
//! its record; the ingress windows bound how fast new ones can arrive.

use crate::bus::{Bus, OutRecord};
use crate::envelope::Failure;
pub use crate::envelope::RetrierMessage;
use crate::role::{NodeCtx, Role, RoleError};
use crate::supervisor::ChildSpec;
use errand_schemas::topics::AGENT_ERROR;
use errand_schemas::{DeadLetter, ErrorCode, SessionId, TraceId, now_ms};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::sync::Arc;
use std::time::Duration;

/// How often and how patiently a failed record is tried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first delivery included.
    pub max_attempts: u32,
    /// Delay before the second attempt.
    pub initial_backoff: Duration,
    /// Each further delay is the previous one times this.
    pub multiplier: u32,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts within 10 seconds: retries after 0.5 s and 2 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            multiplier: 4,
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1`, after attempt `attempt` failed.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = self
            .multiplier
            .max(1)
            .saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// The core role, on every node: the [`Retrier`] that every ingress and
/// envelope of the node reports to.
pub struct CoreRole {
    pub retry: RetryPolicy,
}

impl Role for CoreRole {
    fn name(&self) -> &'static str {
        "core"
    }

    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let args = RetrierArgs {
            bus: ctx.bus.clone(),
            policy: self.retry.clone(),
            node: ctx.node_name.clone(),
        };
        Ok(vec![
            ChildSpec::new::<Retrier, _>("retrier", Some(ctx.failures.clone()), move || {
                (Retrier, args.clone())
            })
            .with_detail(format!("▶ {AGENT_ERROR}")),
        ])
    }
}

pub struct Retrier;

#[derive(Clone)]
pub struct RetrierArgs {
    pub bus: Arc<dyn Bus>,
    pub policy: RetryPolicy,
    /// This node's name, recorded in dead letters.
    pub node: String,
}

pub struct RetrierState {
    bus: Arc<dyn Bus>,
    policy: RetryPolicy,
    node: String,
}

impl Actor for Retrier {
    type Msg = RetrierMessage;
    type State = RetrierState;
    type Arguments = RetrierArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: RetrierArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(RetrierState {
            bus: args.bus,
            policy: args.policy,
            node: args.node,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            RetrierMessage::Failed(failure) => {
                let attempt = failure.record.attempt();
                tracing::warn!(
                    topic = %failure.record.topic,
                    key = %failure.record.key,
                    attempt,
                    code = %failure.code,
                    error = %failure.error,
                    "record failed"
                );
                if failure.retryable
                    && attempt < state.policy.max_attempts
                    && failure.record.topic != AGENT_ERROR
                {
                    let delay = state.policy.backoff(attempt);
                    myself.send_after(delay, move || RetrierMessage::Due(failure));
                } else {
                    state.dead_letter(&myself, failure).await;
                }
            }
            RetrierMessage::Due(failure) => {
                let attempt = failure.record.attempt();
                let retry = failure.record.to_retry(attempt + 1);
                match state.bus.publish(retry).await {
                    Ok(()) => failure.ack.ack(),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot republish a retry yet; waiting");
                        let delay = state.policy.max_backoff;
                        myself.send_after(delay, move || RetrierMessage::Due(failure));
                    }
                }
            }
        }
        Ok(())
    }
}

impl RetrierState {
    async fn dead_letter(&self, myself: &ActorRef<RetrierMessage>, failure: Failure) {
        if failure.record.topic == AGENT_ERROR {
            // A dead letter that cannot be handled is not dead-lettered again.
            tracing::error!(
                key = %failure.record.key,
                error = %failure.error,
                "giving up on a dead letter; it stays on agent.error for replay"
            );
            failure.ack.ack();
            return;
        }
        let letter = dead_letter_of(&failure, &self.node);
        tracing::error!(
            id = %letter.id,
            topic = %letter.source_topic,
            key = %letter.key,
            attempts = letter.attempts,
            trace_id = letter.trace_id.as_ref().map(|t| t.as_str()),
            error = %letter.error,
            "dead letter"
        );
        match self
            .bus
            .publish(OutRecord::json(AGENT_ERROR, &failure.record.key, &letter))
            .await
        {
            Ok(()) => failure.ack.ack(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot publish a dead letter yet; waiting");
                let delay = self.policy.max_backoff;
                // Try the whole decision again later; the attempt count is unchanged.
                myself.send_after(delay, move || {
                    RetrierMessage::Failed(Failure {
                        retryable: false,
                        ..failure
                    })
                });
            }
        }
    }
}

/// The dead letter for `failure`, with the ids it can read from the record.
pub fn dead_letter_of(failure: &Failure, node: &str) -> DeadLetter {
    let record = &failure.record;
    let (payload, payload_lossy) = match String::from_utf8(record.value.clone()) {
        Ok(text) => (text, false),
        Err(_) => (String::from_utf8_lossy(&record.value).into_owned(), true),
    };
    let ids = peek_ids(&record.value);
    DeadLetter {
        id: TraceId::generate().0,
        source_topic: record.topic.clone(),
        key: record.key.clone(),
        payload,
        payload_lossy,
        error: failure.error.clone(),
        code: failure.code,
        attempts: record.attempt(),
        node: node.to_owned(),
        at_ms: now_ms(),
        trace_id: ids.trace_id,
        session_id: ids.session_id,
        user_id: ids.user_id,
    }
}

#[derive(Default)]
struct Ids {
    trace_id: Option<TraceId>,
    session_id: Option<SessionId>,
    user_id: Option<String>,
}

/// Reads the ids of a topic value without knowing its type.
fn peek_ids(value: &[u8]) -> Ids {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(value) else {
        return Ids::default();
    };
    let data = json.get("data").unwrap_or(&json);
    let text = |field: &str| data.get(field).and_then(|v| v.as_str()).map(str::to_owned);
    Ids {
        trace_id: text("trace_id").map(TraceId),
        session_id: text("session_id").map(SessionId),
        user_id: text("user_id"),
    }
}

/// The code a dead letter shows the person.
pub fn public_code(code: ErrorCode) -> ErrorCode {
    match code {
        ErrorCode::InvalidMessage | ErrorCode::MalformedJson => ErrorCode::ProcessingFailed,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_fits_in_ten_seconds() {
        let p = RetryPolicy::default();
        let total: Duration = (1..p.max_attempts).map(|a| p.backoff(a)).sum();
        assert_eq!(p.backoff(1), Duration::from_millis(500));
        assert_eq!(p.backoff(2), Duration::from_secs(2));
        assert!(total < Duration::from_secs(10));
    }
}
