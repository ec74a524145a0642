//! [`LanedWorker`]: the one actor type of every consumer that keeps each
//! session's order (the reasoner, the router, the state tracker).
//!
//! Records with the same key (a session) go to the same lane and are handled
//! one after another, so a conversation keeps its order; different keys run
//! in parallel. Each lane is a [`Lane`] actor the worker spawns linked to
//! itself and supervises: a lane whose handler panics is seen (logged,
//! counted) and started again, and the envelope it held, with the rest of its
//! mailbox, reports itself to the retrier as it is dropped. More than
//! [`Intensity::max_restarts`] lane failures within [`Intensity::within`]
//! make the worker itself fail, so its role's supervisor restarts it.
//!
//! What the worker does with a record is its [`LaneWork`]; the worker and its
//! lanes are the same for every consumer. How much is queued is bounded by the
//! ingress window that feeds the worker ([`crate::bounds::INGRESS_WINDOW`]).

use crate::bus::partition_for;
use crate::envelope::Envelope;
use crate::supervisor::Intensity;
use ractor::{Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

/// What a laned worker does with one record.
pub trait LaneWork: Send + Sync + 'static {
    type Payload: Send + 'static;

    /// The lane key: records with one key are handled in order.
    fn key(payload: &Self::Payload) -> &str;

    /// The span a record is handled in; the lane makes it a child of the
    /// span that published the record (see [`crate::spans`]).
    fn span(_payload: &Self::Payload) -> tracing::Span {
        tracing::Span::none()
    }

    /// Handles one record and settles its envelope (ack, fail or reject).
    fn handle(&self, envelope: Envelope<Self::Payload>) -> impl Future<Output = ()> + Send;
}

/// How a laned worker is built.
pub struct LanedArgs<W> {
    pub work: Arc<W>,
    /// Parallel lanes (keys spread over them).
    pub lanes: usize,
    pub intensity: Intensity,
}

impl<W> Clone for LanedArgs<W> {
    fn clone(&self) -> Self {
        Self {
            work: self.work.clone(),
            lanes: self.lanes,
            intensity: self.intensity,
        }
    }
}

impl<W> LanedArgs<W> {
    pub fn new(work: W, lanes: usize) -> Self {
        Self {
            work: Arc::new(work),
            lanes,
            intensity: Intensity::default(),
        }
    }
}

pub enum LanedMessage<T> {
    /// A record to handle on its key's lane.
    Work(Envelope<T>),
    /// Lanes started again after a failure, since this worker started.
    Restarts(ractor::RpcReplyPort<u64>),
}

impl<T: Send + 'static> ractor::Message for LanedMessage<T> {}

/// The worker: routes each record to its key's lane and supervises the lanes.
pub struct LanedWorker<W>(std::marker::PhantomData<fn() -> W>);

impl<W> Default for LanedWorker<W> {
    fn default() -> Self {
        Self(std::marker::PhantomData)
    }
}

pub struct LanedState<W: LaneWork> {
    work: Arc<W>,
    lanes: Vec<Option<ActorRef<LaneMessage<W::Payload>>>>,
    running: HashMap<ActorId, usize>,
    intensity: Intensity,
    recent: VecDeque<Instant>,
    restarts: u64,
}

impl<W: LaneWork> LanedState<W> {
    async fn start(&mut self, myself: &ActorCell, index: usize) -> Result<(), ActorProcessingErr> {
        let (lane, _) =
            Actor::spawn_linked(None, Lane(self.work.clone()), (), myself.clone()).await?;
        self.running.insert(lane.get_id(), index);
        self.lanes[index] = Some(lane);
        Ok(())
    }

    /// Starts lane `index` again after it failed, unless lanes fail too often.
    async fn restart(
        &mut self,
        myself: &ActorCell,
        index: usize,
        why: &str,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(old) = self.lanes[index].take() {
            self.running.remove(&old.get_id());
        }
        let now = Instant::now();
        self.recent.push_back(now);
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > self.intensity.within)
        {
            self.recent.pop_front();
        }
        if self.recent.len() > self.intensity.max_restarts {
            return Err(format!(
                "lanes failed {} times within {:?}; last: {why}",
                self.recent.len(),
                self.intensity.within
            )
            .into());
        }
        self.restarts += 1;
        tracing::error!(lane = index, reason = %why, restarts = self.restarts, "a lane failed; starting it again");
        self.start(myself, index).await
    }
}

impl<W: LaneWork> Actor for LanedWorker<W> {
    type Msg = LanedMessage<W::Payload>;
    type State = LanedState<W>;
    type Arguments = LanedArgs<W>;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: LanedArgs<W>,
    ) -> Result<Self::State, ActorProcessingErr> {
        let count = args.lanes.max(1);
        let mut state = LanedState {
            work: args.work,
            lanes: vec![None; count],
            running: HashMap::new(),
            intensity: args.intensity,
            recent: VecDeque::new(),
            restarts: 0,
        };
        for index in 0..count {
            state.start(&myself.get_cell(), index).await?;
        }
        Ok(state)
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        // Every lane finishes what it holds, then stops.
        let drains = state.lanes.iter().flatten().map(|lane| {
            let cell = lane.get_cell();
            async move {
                let _ = cell.drain_and_wait(Some(Duration::from_secs(10))).await;
            }
        });
        futures_util::future::join_all(drains).await;
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let envelope = match message {
            LanedMessage::Work(envelope) => envelope,
            LanedMessage::Restarts(reply) => {
                let _ = reply.send(state.restarts);
                return Ok(());
            }
        };
        let index = partition_for(W::key(envelope.payload()), state.lanes.len() as u32) as usize;
        let mut message = LaneMessage(envelope);
        for _ in 0..2 {
            if let Some(lane) = &state.lanes[index] {
                match lane.send_message(message) {
                    Ok(()) => return Ok(()),
                    Err(ractor::MessagingErr::SendErr(back)) => message = back,
                    // Dropped inside ractor: the envelope reported itself.
                    Err(_) => return Ok(()),
                }
            }
            // The lane stopped and its failure is not handled yet.
            state
                .restart(&myself.get_cell(), index, "stopped before taking a record")
                .await?;
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let (cell, why) = match event {
            SupervisionEvent::ActorFailed(cell, error) => (cell, error.to_string()),
            SupervisionEvent::ActorTerminated(cell, _, reason) => {
                (cell, reason.unwrap_or_else(|| "stopped".into()))
            }
            _ => return Ok(()),
        };
        match state.running.get(&cell.get_id()) {
            Some(&index) => state.restart(&myself.get_cell(), index, &why).await,
            None => Ok(()), // already replaced
        }
    }
}

/// One lane's record.
pub struct LaneMessage<T>(Envelope<T>);

impl<T: Send + 'static> ractor::Message for LaneMessage<T> {}

/// One lane: handles its records one at a time.
pub struct Lane<W>(Arc<W>);

impl<W: LaneWork> Actor for Lane<W> {
    type Msg = LaneMessage<W::Payload>;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        LaneMessage(envelope): Self::Msg,
        _state: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        let span = W::span(envelope.payload());
        crate::spans::follow(&span, envelope.record().header(crate::spans::TRACEPARENT));
        self.0.handle(envelope).instrument(span).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{AckToken, Record};
    use crate::envelope::FailureSink;
    use std::sync::Mutex;

    struct Log(Arc<Mutex<Vec<(String, u32)>>>);

    impl LaneWork for Log {
        type Payload = (String, u32);

        fn key(payload: &Self::Payload) -> &str {
            &payload.0
        }

        async fn handle(&self, envelope: Envelope<Self::Payload>) {
            let (key, n) = envelope.payload().clone();
            if n == 999 {
                panic!("poison");
            }
            self.0.lock().unwrap().push((key, n));
            envelope.ack();
        }
    }

    fn envelope(key: &str, n: u32) -> Envelope<(String, u32)> {
        let record = Record {
            topic: "t".into(),
            partition: 0,
            offset: u64::from(n),
            key: key.into(),
            value: vec![],
            headers: vec![],
        };
        Envelope::new(
            (key.into(), n),
            record,
            AckToken::none(),
            FailureSink::new(),
            None,
        )
    }

    #[tokio::test]
    async fn one_key_keeps_its_order_and_a_panicking_lane_is_started_again() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (worker, handle) = Actor::spawn(
            None,
            LanedWorker::<Log>::default(),
            LanedArgs::new(Log(seen.clone()), 4),
        )
        .await
        .unwrap();
        for n in 0..50 {
            worker
                .send_message(LanedMessage::Work(envelope("a", n)))
                .unwrap();
            worker
                .send_message(LanedMessage::Work(envelope("b", n)))
                .unwrap();
        }
        worker
            .send_message(LanedMessage::Work(envelope("a", 999)))
            .unwrap();
        worker
            .send_message(LanedMessage::Work(envelope("a", 1000)))
            .unwrap();
        let restarts = loop {
            let n = ractor::call!(worker, LanedMessage::Restarts).unwrap();
            if n > 0 {
                break n;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        assert_eq!(restarts, 1, "the worker saw the lane fail");
        worker
            .send_message(LanedMessage::Work(envelope("a", 1001)))
            .unwrap();
        worker.drain().unwrap();
        handle.await.unwrap();
        let seen = seen.lock().unwrap();
        let a: Vec<u32> = seen
            .iter()
            .filter(|(k, _)| k == "a")
            .map(|(_, n)| *n)
            .collect();
        assert_eq!(a[..50], (0..50).collect::<Vec<_>>()[..], "order per key");
        assert_eq!(a.last(), Some(&1001), "the lane came back after the panic");
        assert_eq!(seen.iter().filter(|(k, _)| k == "b").count(), 50);
    }
}
