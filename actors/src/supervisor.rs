//! Supervision: one [`Supervisor`] actor type, used for the root and for
//! every role.
//!
//! `errand tree` draws the tree a configuration runs (README.md shows
//! `errand up`'s): the root, one supervisor per role, the role's children.
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
    /// What it is, in the drawing of the tree (topics, lanes).
    pub detail: Option<String>,
    /// A supervisor's own children; empty for a worker.
    pub children: Vec<ChildSpec>,
}

impl ChildSpec {
    /// A child started by `start` (called again for every restart), which
    /// spawns it linked to the supervisor cell it is given.
    pub fn custom(name: impl Into<String>, start: StartFn) -> Self {
        Self {
            name: name.into(),
            start,
            detail: None,
            children: Vec::new(),
        }
    }

    /// The same child, described in the drawing of the tree.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

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
        Self::custom(
            name,
            Arc::new(move |supervisor: ActorCell| {
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
        )
    }

    /// A child that is itself a [`Supervisor`] over `children`.
    pub fn supervisor(name: impl Into<String>, children: Vec<ChildSpec>) -> Self {
        let name = name.into();
        let child_name = name.clone();
        let specs = children.clone();
        let mut spec = Self::new::<Supervisor, _>(name, None, move || {
            (
                Supervisor,
                SupervisorArgs::new(child_name.clone(), specs.clone()),
            )
        });
        spec.children = children;
        spec
    }

    /// The tree this spec starts, before it runs.
    pub fn plan(&self) -> TreeNode {
        TreeNode {
            name: self.name.clone(),
            detail: self.detail.clone(),
            running: false,
            restarts: 0,
            children: self.children.iter().map(ChildSpec::plan).collect(),
        }
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
    /// Kept up to date with this supervisor and its children (the root's:
    /// the roles), for readiness.
    pub health: Option<Health>,
}

impl SupervisorArgs {
    pub fn new(name: impl Into<String>, children: Vec<ChildSpec>) -> Self {
        Self {
            name: name.into(),
            children,
            intensity: Intensity::default(),
            health: None,
        }
    }
}

pub enum SupervisorMessage {
    /// The running children, in start order: name and cell.
    Children(ractor::RpcReplyPort<Vec<(String, ActorCell)>>),
    /// How many restarts this supervisor has made.
    Restarts(ractor::RpcReplyPort<u64>),
    /// The tree under this supervisor, as it runs.
    Tree(ractor::RpcReplyPort<TreeNode>),
}

/// One supervisor's children as they run: the supervisor itself and each
/// child, running or not. `up` is true while all of them run.
#[derive(Clone, Default)]
pub struct Health {
    inner: Arc<std::sync::RwLock<HealthInner>>,
}

#[derive(Default)]
struct HealthInner {
    supervisor: Option<ActorCell>,
    children: Vec<(String, Option<ActorCell>)>,
}

impl Health {
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HealthInner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, index: usize, name: &str, cell: Option<ActorCell>) {
        let mut inner = self.write();
        if inner.children.len() <= index {
            inner.children.resize(index + 1, (String::new(), None));
        }
        inner.children[index] = (name.to_owned(), cell);
    }

    /// The children not running now (all of them once the supervisor
    /// itself stopped).
    pub fn down(&self) -> Vec<String> {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let running = |cell: &Option<ActorCell>| cell.as_ref().is_some_and(alive);
        let alive = running(&inner.supervisor);
        if inner.supervisor.is_none() {
            return vec!["(not started)".into()];
        }
        inner
            .children
            .iter()
            .filter(|(_, cell)| !alive || !running(cell))
            .map(|(name, _)| name.clone())
            .collect()
    }

    pub fn up(&self) -> bool {
        self.down().is_empty()
    }

    /// The tree under this supervisor as it runs now, or `None` while it
    /// is not running (or does not answer within two seconds).
    pub async fn tree(&self) -> Option<TreeNode> {
        let cell = self
            .inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .supervisor
            .clone()?;
        let supervisor: ActorRef<SupervisorMessage> = cell.into();
        match supervisor
            .call(SupervisorMessage::Tree, Some(Duration::from_secs(2)))
            .await
        {
            Ok(ractor::rpc::CallResult::Success(tree)) => Some(tree),
            _ => None,
        }
    }
}

/// Started (its supervisor saw it start) and not stopping.
fn alive(cell: &ActorCell) -> bool {
    use ractor::ActorStatus::{Running, Starting, Upgrading};
    matches!(cell.get_status(), Starting | Running | Upgrading)
}

/// A node of the supervision tree: its name, what it is, whether it runs,
/// how often its supervisor started it again, and its children.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TreeNode {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub running: bool,
    pub restarts: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// The tree as text, one line a node (`errand tree`, the README).
    pub fn draw(&self) -> String {
        let mut out = format!("{}\n", self.label());
        self.draw_children("", &mut out);
        out
    }

    fn label(&self) -> String {
        let mut label = self.name.clone();
        if let Some(detail) = &self.detail {
            label.push_str(&format!(" ({detail})"));
        }
        if self.restarts > 0 {
            label.push_str(&format!(" [restarted {}]", self.restarts));
        }
        label
    }

    /// Children one after another with one name and no children of their
    /// own (a pool, such as a domain's agent hosts) are one line, `× n`.
    fn draw_children(&self, indent: &str, out: &mut String) {
        let mut groups: Vec<(&TreeNode, u64, u64)> = Vec::new();
        for child in &self.children {
            match groups.last_mut() {
                Some((first, count, restarts))
                    if first.name == child.name
                        && first.children.is_empty()
                        && child.children.is_empty() =>
                {
                    *count += 1;
                    *restarts += child.restarts;
                }
                _ => groups.push((child, 1, child.restarts)),
            }
        }
        for (i, (child, count, restarts)) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let (branch, next) = if last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let label = if *count > 1 {
                TreeNode {
                    name: format!("{} ×{count}", child.name),
                    restarts: *restarts,
                    children: Vec::new(),
                    ..(*child).clone()
                }
                .label()
            } else {
                child.label()
            };
            out.push_str(&format!("{indent}{branch}{label}\n"));
            child.draw_children(&format!("{indent}{next}"), out);
        }
    }
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
    /// Restarts per child.
    restarts_of: Vec<u64>,
    health: Option<Health>,
}

impl SupervisorState {
    async fn start(&mut self, myself: &ActorCell, index: usize) -> Result<(), SpawnErr> {
        let cell = (self.specs[index].start)(myself.clone()).await?;
        self.running.insert(cell.get_id(), index);
        if let Some(health) = &self.health {
            health.set(index, &self.specs[index].name, Some(cell.clone()));
        }
        self.cells[index] = Some(cell);
        Ok(())
    }

    /// The tree under this supervisor: supervisors among the children are
    /// asked for theirs.
    async fn tree(&self) -> TreeNode {
        let mut children = Vec::with_capacity(self.specs.len());
        for ((spec, cell), restarts) in self.specs.iter().zip(&self.cells).zip(&self.restarts_of) {
            let running = cell.as_ref().is_some_and(alive);
            let mut node = spec.plan();
            if let (Some(cell), false) = (cell, spec.children.is_empty()) {
                let supervisor: ActorRef<SupervisorMessage> = cell.clone().into();
                if let Ok(ractor::rpc::CallResult::Success(tree)) = supervisor
                    .call(SupervisorMessage::Tree, Some(Duration::from_secs(2)))
                    .await
                {
                    node = tree;
                }
            }
            node.running = running;
            node.restarts = *restarts;
            children.push(node);
        }
        TreeNode {
            name: self.name.clone(),
            detail: None,
            running: true,
            restarts: 0,
            children,
        }
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
        if let Some(health) = &self.health {
            health.set(index, &child, None);
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
        self.restarts_of[index] += 1;
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
            restarts_of: vec![0; count],
            health: args.health,
        };
        if let Some(health) = &state.health {
            health.write().supervisor = Some(myself.get_cell());
        }
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
            SupervisorMessage::Tree(reply) => {
                let _ = reply.send(state.tree().await);
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
