//! [`AgentCaller`]: finds a domain's agents through their process groups
//! (local ones first, round robin over the rest, never one on a node the
//! cluster gave up on) and asks one of them: execute, quote or cancel.

use super::host::{AgentMessage, agent_group};
use super::wire::{CancelRequest, Executed, Wire};
use errand_schemas::{CancelResult, Command, ErrorBody, ErrorCode, Refusal, Summary, TraceId};
use ractor::rpc::CallResult;
use ractor::{ActorCell, ActorRef, RpcReplyPort};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long to wait before looking for an agent again.
const RETRY_PICK: Duration = Duration::from_millis(20);

/// Finds domain agents through their process groups and calls them. The
/// router uses it, and so do the gateway's REST adapters.
#[derive(Clone)]
pub struct AgentCaller {
    pub scope: String,
    pub timeout: Duration,
    next: Arc<AtomicUsize>,
    usable: Option<NodeFilter>,
}

/// Whether agents on a node (by its cluster node id) may be called: the
/// cluster's failure detector says no for a peer that stopped answering.
pub type NodeFilter = Arc<dyn Fn(u64) -> bool + Send + Sync>;

impl AgentCaller {
    pub fn new(scope: impl Into<String>, timeout: Duration) -> Self {
        Self {
            scope: scope.into(),
            timeout,
            next: Arc::new(AtomicUsize::new(0)),
            usable: None,
        }
    }

    /// Skips agents on nodes `usable` rejects.
    pub fn with_node_filter(mut self, usable: NodeFilter) -> Self {
        self.usable = Some(usable);
        self
    }

    /// A member of the domain's group: local ones first, round robin over
    /// the rest, never one on a node the failure detector has given up on.
    fn pick(&self, domain: &str) -> Option<ActorCell> {
        let mut members = ractor::pg::get_scoped_members(&self.scope, &agent_group(domain));
        if let Some(usable) = &self.usable {
            members.retain(|c| c.get_id().is_local() || usable(c.get_id().node()));
        }
        let local: Vec<_> = members
            .iter()
            .filter(|c| c.get_id().is_local())
            .cloned()
            .collect();
        let pool = if local.is_empty() { members } else { local };
        if pool.is_empty() {
            return None;
        }
        let next = self.next.fetch_add(1, Ordering::Relaxed);
        Some(pool[next % pool.len()].clone())
    }

    /// Calls the domain's agent. An agent that is not running (or restarting)
    /// is waited for, up to the call timeout, without failing the command;
    /// one that dies while holding the command, or does not answer, fails it.
    pub async fn call(
        &self,
        command: &Command,
        domain: &str,
    ) -> Result<Executed, (ErrorCode, String)> {
        self.ask(domain, |reply| {
            AgentMessage::Execute(Wire::new(command.clone()), reply)
        })
        .await
    }

    /// Prices `command` with its domain's agent, without side effects.
    /// `Err` is a transient failure (no agent answered).
    pub async fn quote(&self, command: &Command) -> Result<Result<Summary, Refusal>, ErrorBody> {
        self.ask(command.domain(), |reply| {
            AgentMessage::Quote(Wire::new(command.clone()), reply)
        })
        .await
        .map_err(|(code, message)| ErrorBody::new(code, message))
    }

    /// Cancels the placed command `trace_id` of `domain` for `user_id`.
    /// `Err` is a transient failure; the inner result is the agent's answer.
    pub async fn cancel(
        &self,
        domain: &str,
        trace_id: &TraceId,
        user_id: &str,
    ) -> Result<Result<CancelResult, ErrorBody>, ErrorBody> {
        let request = CancelRequest {
            trace_id: trace_id.clone(),
            user_id: user_id.to_owned(),
        };
        self.ask(domain, |reply| {
            AgentMessage::Cancel(Wire::new(request.clone()), reply)
        })
        .await
        .map_err(|(code, message)| ErrorBody::new(code, message))
    }

    /// One request to a member of the domain's group (see [`Self::call`]).
    async fn ask<R: Send + 'static>(
        &self,
        domain: &str,
        request: impl Fn(RpcReplyPort<Wire<Result<R, ErrorBody>>>) -> AgentMessage,
    ) -> Result<R, (ErrorCode, String)> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Err((
                    ErrorCode::AgentUnavailable,
                    format!("no {domain} agent is running"),
                ));
            }
            let Some(agent) = self.pick(domain) else {
                tokio::time::sleep(RETRY_PICK.min(left)).await;
                continue;
            };
            let agent: ActorRef<AgentMessage> = agent.into();
            match agent.call(&request, Some(left)).await {
                Ok(CallResult::Success(Wire {
                    value: Ok(Ok(answer)),
                    ..
                })) => return Ok(answer),
                Ok(CallResult::Success(Wire {
                    value: Ok(Err(transient)),
                    ..
                })) => {
                    return Err((transient.code, transient.message));
                }
                Ok(CallResult::Success(Wire {
                    value: Err(unreadable),
                    ..
                })) => {
                    return Err((
                        ErrorCode::ProcessingFailed,
                        format!("the {domain} agent's answer: {unreadable}"),
                    ));
                }
                Ok(CallResult::Timeout) => {
                    return Err((
                        ErrorCode::AgentUnavailable,
                        format!("the {domain} agent did not answer in time"),
                    ));
                }
                // The reply was dropped: an agent here stopped while
                // handling it (it panicked); across nodes, its session
                // closed or the call outlived the wait on the other side.
                Ok(CallResult::SenderError) if agent.get_id().is_local() => {
                    return Err((
                        ErrorCode::ProcessingFailed,
                        format!("the {domain} agent stopped while handling the command"),
                    ));
                }
                Ok(CallResult::SenderError) => {
                    return Err((
                        ErrorCode::AgentUnavailable,
                        format!(
                            "the {domain} agent on another node did not answer (its node went away, or the call outlived its wait)"
                        ),
                    ));
                }
                // It stopped before taking the request: wait for its restart.
                Err(_) => tokio::time::sleep(RETRY_PICK.min(left)).await,
            }
        }
    }
}
