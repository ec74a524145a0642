//! [`Lanes`]: an actor's work spread over parallel lanes, one key per lane.
//!
//! Records with the same key (a session) go to the same lane and are handled
//! one after another, so a conversation keeps its order; different keys run
//! in parallel. A lane whose handler panicked is replaced on the next
//! dispatch (the envelope it held reported itself as it was dropped). How
//! much is queued is bounded by the ingress window that feeds the actor.

use crate::bus::partition_for;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

type Handler<T> = Arc<dyn Fn(T) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

pub struct Lanes<T> {
    lanes: Vec<(mpsc::UnboundedSender<T>, JoinHandle<()>)>,
    handler: Handler<T>,
}

impl<T: Send + 'static> Lanes<T> {
    pub fn new<F, Fut>(count: usize, handler: F) -> Self
    where
        F: Fn(T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler: Handler<T> = Arc::new(move |item| Box::pin(handler(item)));
        let lanes = (0..count.max(1)).map(|_| spawn(handler.clone())).collect();
        Self { lanes, handler }
    }

    /// Queues `item` on the lane of `key`.
    pub fn dispatch(&mut self, key: &str, item: T) {
        let index = partition_for(key, self.lanes.len() as u32) as usize;
        if let Err(mpsc::error::SendError(item)) = self.lanes[index].0.send(item) {
            tracing::warn!(
                lane = index,
                "a lane stopped (its handler panicked); replacing it"
            );
            self.lanes[index] = spawn(self.handler.clone());
            let _ = self.lanes[index].0.send(item);
        }
    }

    /// Lets every lane finish what it has queued (up to `timeout`).
    pub async fn drain(self, timeout: Duration) {
        let handles: Vec<JoinHandle<()>> = self.lanes.into_iter().map(|(_, h)| h).collect();
        let _ = tokio::time::timeout(timeout, async {
            for handle in handles {
                let _ = handle.await;
            }
        })
        .await;
    }
}

fn spawn<T: Send + 'static>(handler: Handler<T>) -> (mpsc::UnboundedSender<T>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<T>();
    let handle = tokio::spawn(async move {
        while let Some(item) = rx.recv().await {
            handler(item).await;
        }
    });
    (tx, handle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn one_key_keeps_its_order_and_a_panicking_lane_is_replaced() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut lanes = Lanes::new(4, move |(key, n): (String, u32)| {
            let log = log.clone();
            async move {
                if n == 999 {
                    panic!("poison");
                }
                log.lock().unwrap().push((key, n));
            }
        });
        for n in 0..50 {
            lanes.dispatch("a", ("a".into(), n));
            lanes.dispatch("b", ("b".into(), n));
        }
        lanes.dispatch("a", ("a".into(), 999));
        tokio::time::sleep(Duration::from_millis(50)).await;
        lanes.dispatch("a", ("a".into(), 1000));
        lanes.drain(Duration::from_secs(2)).await;
        let seen = seen.lock().unwrap();
        let a: Vec<u32> = seen
            .iter()
            .filter(|(k, _)| k == "a")
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(a.len(), 51, "the lane came back after the panic");
        assert!(a.windows(2).all(|w| w[0] < w[1]), "order per key");
    }
}
