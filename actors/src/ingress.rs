//! [`Ingress`]: bridges a bus subscription into an actor.
//!
//! It joins a consumer group, decodes each record, wraps it in an
//! [`Envelope`] and hands it to its target. At most `window` records are in
//! flight (delivered and not yet settled); when the window is full it stops
//! reading, which is the bound on the target's mailbox. A record that cannot
//! be decoded is rejected at once (it goes to the dead letters); one the
//! target cannot take (it is restarting) is failed and retried.

use crate::bus::{Bus, Delivery, StartAt};
use crate::envelope::{Envelope, Failure, FailureSink};
use errand_schemas::ErrorCode;
use errand_schemas::codec::decode_record;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Hands an envelope to the target actor, or gives it back.
pub type Deliver<T> = Arc<dyn Fn(Envelope<T>) -> Result<(), Option<Envelope<T>>> + Send + Sync>;

pub struct Ingress<T>(PhantomData<fn() -> T>);

impl<T> Ingress<T> {
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Ingress<T> {
    fn default() -> Self {
        Self::new()
    }
}

pub struct IngressArgs<T> {
    pub bus: Arc<dyn Bus>,
    pub group: String,
    pub topics: Vec<String>,
    /// Records in flight at most.
    pub window: usize,
    /// Where a new consumer group starts.
    pub start: StartAt,
    pub deliver: Deliver<T>,
    pub failures: FailureSink,
}

impl<T> Clone for IngressArgs<T> {
    fn clone(&self) -> Self {
        Self {
            bus: self.bus.clone(),
            group: self.group.clone(),
            topics: self.topics.clone(),
            window: self.window,
            start: self.start,
            deliver: self.deliver.clone(),
            failures: self.failures.clone(),
        }
    }
}

pub enum IngressMessage {
    /// Records delivered so far by this incarnation.
    Delivered(ractor::RpcReplyPort<u64>),
}

impl ractor::Message for IngressMessage {}

pub struct IngressState {
    pump: JoinHandle<()>,
    delivered: Arc<AtomicU64>,
}

impl<T> Actor for Ingress<T>
where
    T: DeserializeOwned + Send + 'static,
{
    type Msg = IngressMessage;
    type State = IngressState;
    type Arguments = IngressArgs<T>;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: IngressArgs<T>,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut subscription = args
            .bus
            .subscribe_from(&args.group, &args.topics, args.start)
            .await?;
        let window = Arc::new(Semaphore::new(args.window.max(1)));
        let delivered = Arc::new(AtomicU64::new(0));
        let counter = delivered.clone();
        let group = args.group.clone();
        let pump = tokio::spawn(async move {
            loop {
                let Ok(permit) = window.clone().acquire_owned().await else {
                    break;
                };
                let Some(Delivery { record, ack }) = subscription.next().await else {
                    break;
                };
                counter.fetch_add(1, Ordering::Relaxed);
                match decode_record::<T>(&record.value) {
                    Ok(payload) => {
                        let envelope = Envelope::new(
                            payload,
                            record,
                            ack,
                            args.failures.clone(),
                            Some(permit),
                        );
                        if let Err(Some(envelope)) = (args.deliver)(envelope) {
                            envelope.fail(
                                ErrorCode::AgentUnavailable,
                                "the actor for this record is not running",
                            );
                        }
                    }
                    Err(e) => {
                        tracing::warn!(group = %group, topic = %record.topic, key = %record.key, error = %e, "undecodable record");
                        Failure {
                            record,
                            ack,
                            error: format!("cannot decode: {e}"),
                            code: ErrorCode::InvalidMessage,
                            retryable: false,
                        }
                        .report(&args.failures);
                    }
                }
            }
            tracing::info!(group = %group, "subscription ended");
            myself.stop(Some("subscription ended".into()));
        });
        Ok(IngressState { pump, delivered })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.pump.abort();
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            IngressMessage::Delivered(reply) => {
                let _ = reply.send(state.delivered.load(Ordering::Relaxed));
            }
        }
        Ok(())
    }
}
