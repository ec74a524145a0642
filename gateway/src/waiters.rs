//! [`Waiters`]: REST callers waiting for their command's final status.
//!
//! A REST adapter hands its command to the router on `agent.cmd` like any
//! other command, then waits here by trace id; this gateway's fanout, which
//! sees every `agent.status` step, hands each final one to whoever waits
//! for it.

use errand_schemas::{StatusUpdate, TraceId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

#[derive(Clone, Default)]
pub struct Waiters {
    waiting: Arc<Mutex<HashMap<TraceId, Vec<oneshot::Sender<StatusUpdate>>>>>,
}

/// One caller's wait for `trace_id`; dropping it (a caller gone, a wait
/// timed out) forgets it.
pub struct Waiter {
    trace_id: TraceId,
    waiters: Waiters,
    finished: oneshot::Receiver<StatusUpdate>,
}

impl Waiters {
    /// Waits for `trace_id`'s final step from now on.
    pub fn wait_for(&self, trace_id: &TraceId) -> Waiter {
        let (tx, finished) = oneshot::channel();
        self.lock().entry(trace_id.clone()).or_default().push(tx);
        Waiter {
            trace_id: trace_id.clone(),
            waiters: self.clone(),
            finished,
        }
    }

    /// Hands a final step to everyone waiting for its command.
    pub fn finish(&self, step: &StatusUpdate) {
        if !step.status.is_final() {
            return;
        }
        let Some(waiting) = self.lock().remove(&step.trace_id) else {
            return;
        };
        for waiter in waiting {
            let _ = waiter.send(step.clone());
        }
    }

    /// How many commands someone waits for.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<TraceId, Vec<oneshot::Sender<StatusUpdate>>>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Waiter {
    /// The final step, or `None` if `deadline` passes first.
    pub async fn finished(mut self, deadline: std::time::Duration) -> Option<StatusUpdate> {
        tokio::time::timeout(deadline, &mut self.finished)
            .await
            .ok()
            .and_then(Result::ok)
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        // Closed first, so its sender below reads as nobody's.
        self.finished.close();
        let mut waiting = self.waiters.lock();
        if let Some(senders) = waiting.get_mut(&self.trace_id) {
            senders.retain(|s| !s.is_closed());
            if senders.is_empty() {
                waiting.remove(&self.trace_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_schemas::{SessionId, Status};
    use std::time::Duration;

    fn step(status: Status) -> StatusUpdate {
        StatusUpdate::new(TraceId("t".into()), SessionId("s".into()), "u", status, 0)
    }

    #[tokio::test]
    async fn a_final_step_reaches_its_waiter_and_is_forgotten() {
        let waiters = Waiters::default();
        let waiter = waiters.wait_for(&TraceId("t".into()));
        waiters.finish(&step(Status::Dispatched));
        assert_eq!(waiters.len(), 1, "a step on the way is not the end");
        waiters.finish(&step(Status::Confirmed));
        let finished = waiter.finished(Duration::from_secs(1)).await;
        assert_eq!(finished.map(|s| s.status), Some(Status::Confirmed));
        assert!(waiters.is_empty());
    }

    #[tokio::test]
    async fn a_wait_that_times_out_is_forgotten() {
        let waiters = Waiters::default();
        let waiter = waiters.wait_for(&TraceId("t".into()));
        assert!(waiter.finished(Duration::from_millis(10)).await.is_none());
        assert!(waiters.is_empty());
    }
}
