//! Supervision: one [`Supervisor`] actor type, used for the root and for
//! every role.
//!
//! ```text
//! errand (root)
//! ├── core ─────── retrier                    every node: failed records, retries, dead letters
//! ├── gateway ──── fanout ◀─ ingress(agent.status, agent.out.clarify)   pushes events to sockets
//! ├── reasoner ─── reasoner ◀─ ingress(transcript)
//! ├── router ───── router ◀─ ingress(agent.cmd)
//! ├── agents ───── food, ride, mart, <registered domains…>, payment, location
//! ├── tracker ──── tracker ◀─ ingress(agent.out.<domain>…), sweeper
//! └── errors ───── error handler ◀─ ingress(agent.error)
//! ```
//!
//! A node starts the roles it runs (`errand up` runs them all). Each role
//! supervisor starts its children in order and restarts one that fails
//! (panics, returns an error, or stops on its own), filling its
//! [`ActorSlot`](crate::slot::ActorSlot) so the others reach the new
//! incarnation. A child restarted more than `max_restarts` times within
//! `within` makes its supervisor fail, so the parent restarts the whole role:
//! the failure escalates instead of looping. On stop, children stop in the
//! reverse order they started (ingress before worker), each draining its
//! mailbox.

use ractor::{Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, SpawnErr, SupervisionEvent};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

type StartFuture = Pin<Box<dyn Future<Output = Result<ActorCell, SpawnErr>> + Send>>;

/// Starts one child, linked to the supervisor cell it is given.
pub type StartFn = Arc<dyn Fn(ActorCell) -> StartFuture + Send + Sync>;

/// How to (re)start one child.
#[derive(Clone)]
pub struct ChildSpec {
    pub name: String,
    pub start: StartFn,
}

impl ChildSpec {
    /// A child made by `make` (called again for every restart); when given,
    /// `slot` is filled with each new incarnation.
    pub fn new<A, F>(
        name: impl Into<String>,
        slot: Option<crate::slot::ActorSlot<A::Msg>>,
        make: F,
    ) -> Self
    where
        A: Actor,
        F: Fn() -> (A, A::Arguments) + Send + Sync + 'static,
    {
        let make = Arc::new(make);
        Self {
            name: name.into(),
            start: Arc::new(move |supervisor: ActorCell| {
                let make = make.clone();
                let slot = slot.clone();
                Box::pin(async move {
                    let (actor, args) = make();
                    let (actor_ref, _) = Actor::spawn_linked(None, actor, args, supervisor).await?;
                    if let Some(slot) = slot {
                        slot.set(actor_ref.clone());
                    }
                    Ok(actor_ref.get_cell())
                })
            }),
        }
    }

    /// A child that is itself a [`Supervisor`] over `children`.
    pub fn supervisor(name: impl Into<String>, children: Vec<ChildSpec>) -> Self {
        let name = name.into();
        let child_name = name.clone();
        Self::new::<Supervisor, _>(name, None, move || {
            (
                Supervisor,
                SupervisorArgs::new(child_name.clone(), children.clone()),
            )
        })
    }
}

/// Restart intensity: more than `max_restarts` within `within` escalates.
#[derive(Clone, Copy, Debug)]
pub struct Intensity {
    pub max_restarts: usize,
    pub within: Duration,
}

impl Default for Intensity {
    fn default() -> Self {
        Self {
            max_restarts: 10,
            within: Duration::from_secs(10),
        }
    }
}

pub struct SupervisorArgs {
    pub name: String,
    pub children: Vec<ChildSpec>,
    pub intensity: Intensity,
}

impl SupervisorArgs {
    pub fn new(name: impl Into<String>, children: Vec<ChildSpec>) -> Self {
        Self {
            name: name.into(),
            children,
            intensity: Intensity::default(),
        }
    }
}

pub enum SupervisorMessage {
    /// The running children, in start order: name and cell.
    Children(ractor::RpcReplyPort<Vec<(String, ActorCell)>>),
    /// How many restarts this supervisor has made.
    Restarts(ractor::RpcReplyPort<u64>),
}

impl ractor::Message for SupervisorMessage {}

pub struct Supervisor;

pub struct SupervisorState {
    name: String,
    specs: Vec<ChildSpec>,
    intensity: Intensity,
    /// Running child by actor id: its index in `specs`.
    running: HashMap<ActorId, usize>,
    /// Running cell per spec.
    cells: Vec<Option<ActorCell>>,
    recent: VecDeque<Instant>,
    restarts: u64,
}

impl SupervisorState {
    async fn start(&mut self, myself: &ActorCell, index: usize) -> Result<(), SpawnErr> {
        let cell = (self.specs[index].start)(myself.clone()).await?;
        self.running.insert(cell.get_id(), index);
        self.cells[index] = Some(cell);
        Ok(())
    }

    async fn restart(
        &mut self,
        myself: &ActorCell,
        id: ActorId,
        why: String,
    ) -> Result<(), ActorProcessingErr> {
        let Some(index) = self.running.remove(&id) else {
            return Ok(()); // not ours, or already replaced
        };
        self.cells[index] = None;
        let child = self.specs[index].name.clone();
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
            tracing::error!(supervisor = %self.name, child = %child, reason = %why, "restart intensity exceeded; escalating");
            return Err(format!(
                "{}: child {child} failed {} times within {:?}",
                self.name,
                self.recent.len(),
                self.intensity.within
            )
            .into());
        }
        tracing::warn!(supervisor = %self.name, child = %child, reason = %why, "restarting child");
        self.restarts += 1;
        self.start(myself, index).await?;
        Ok(())
    }
}

impl Actor for Supervisor {
    type Msg = SupervisorMessage;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SupervisorArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let count = args.children.len();
        let mut state = SupervisorState {
            name: args.name,
            specs: args.children,
            intensity: args.intensity,
            running: HashMap::new(),
            cells: vec![None; count],
            recent: VecDeque::new(),
            restarts: 0,
        };
        for index in 0..count {
            state.start(&myself.get_cell(), index).await?;
        }
        tracing::debug!(supervisor = %state.name, children = count, "started");
        Ok(state)
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        for cell in state.cells.iter_mut().rev() {
            if let Some(cell) = cell.take() {
                state.running.remove(&cell.get_id());
                // Drain: finish what is in the mailbox, then stop.
                let _ = cell.drain_and_wait(Some(Duration::from_secs(10))).await;
                if cell.get_status() != ractor::ActorStatus::Stopped {
                    cell.stop(Some("shutdown".into()));
                }
            }
        }
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SupervisorMessage::Children(reply) => {
                let children = state
                    .cells
                    .iter()
                    .zip(&state.specs)
                    .filter_map(|(cell, spec)| cell.clone().map(|c| (spec.name.clone(), c)))
                    .collect();
                let _ = reply.send(children);
            }
            SupervisorMessage::Restarts(reply) => {
                let _ = reply.send(state.restarts);
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorFailed(cell, err) => {
                state
                    .restart(&myself.get_cell(), cell.get_id(), err.to_string())
                    .await
            }
            SupervisionEvent::ActorTerminated(cell, _, reason) => {
                let why = reason.unwrap_or_else(|| "stopped".into());
                state.restart(&myself.get_cell(), cell.get_id(), why).await
            }
            _ => Ok(()),
        }
    }
}
