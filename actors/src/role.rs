//! Roles: what a node runs. A [`Role`] is a unit its own module exports
//! beside its actors: it names itself and builds its children from the
//! node's shared parts ([`NodeCtx`]). A node is a loop over the roles it is
//! configured with, each under a supervisor of its own (see
//! [`crate::supervisor`]).

use crate::agents::caller::{AgentCaller, NodeFilter};
use crate::bus::{Bus, BusError, StartAt};
use crate::clock::Clock;
use crate::envelope::{Envelope, FailureSink};
use crate::ingress::{Deliver, Ingress, IngressArgs};
use crate::laned::{LaneWork, LanedArgs, LanedMessage, LanedWorker};
use crate::recorder::Recorder;
use crate::registry::DomainRegistry;
use crate::slot::ActorSlot;
use crate::store::Stores;
use crate::supervisor::ChildSpec;
use errand_schemas::keys::Keys;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// A role a node may run.
pub trait Role: Send + Sync {
    /// Its name in the tree, in `ERRAND_ROLES` and in the cluster's view.
    fn name(&self) -> &'static str;

    /// Its children, in start order (they stop in reverse).
    fn children(&self, ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError>;
}

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("{role}: {message}")]
    Settings { role: &'static str, message: String },
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// What every role builds its children from: the node's shared parts.
#[derive(Clone)]
pub struct NodeCtx {
    pub node_name: String,
    /// The process-group scope: nodes of one deployment share it.
    pub scope: String,
    pub bus: Arc<dyn Bus>,
    pub stores: Stores,
    pub keys: Keys,
    pub registry: DomainRegistry,
    pub clock: Clock,
    /// Records lifecycle steps.
    pub recorder: Recorder,
    /// Where failed and dropped envelopes report (the retrier).
    pub failures: FailureSink,
    /// Records in flight per ingress.
    pub window: usize,
    /// How long a call to an agent may take.
    pub call_timeout: Duration,
    /// In a cluster: which nodes' agents may be called.
    pub node_filter: Option<NodeFilter>,
}

/// What an ingress reads: its consumer group, its topics, where a new
/// group starts.
pub struct Feed {
    pub group: String,
    pub topics: Vec<String>,
    pub start: StartAt,
}

impl Feed {
    /// A role's shared consumer group, from the oldest record it has not
    /// committed.
    pub fn group(group: &str, topics: Vec<String>) -> Self {
        Self {
            group: group.into(),
            topics,
            start: StartAt::Earliest,
        }
    }
}

impl NodeCtx {
    /// Calls domain agents through their process groups (skipping nodes the
    /// cluster gave up on).
    pub fn agents(&self) -> AgentCaller {
        let agents = AgentCaller::new(self.scope.clone(), self.call_timeout);
        match &self.node_filter {
            Some(filter) => agents.with_node_filter(filter.clone()),
            None => agents,
        }
    }

    /// An ingress child that reads `feed` and delivers each envelope to
    /// `slot`, wrapped by `wrap` (`unwrap` gives it back when the target is
    /// not running).
    pub fn ingress<T, M>(
        &self,
        name: &str,
        feed: Feed,
        slot: ActorSlot<M>,
        wrap: fn(Envelope<T>) -> M,
        unwrap: fn(M) -> Option<Envelope<T>>,
    ) -> ChildSpec
    where
        T: DeserializeOwned + Send + 'static,
        M: ractor::Message,
    {
        let deliver: Deliver<T> = Arc::new(move |envelope| {
            slot.send(wrap(envelope))
                .map_err(|back| back.and_then(unwrap))
        });
        let detail = format!("◀ {}", feed.topics.join(", "));
        let args = IngressArgs {
            bus: self.bus.clone(),
            group: feed.group,
            topics: feed.topics,
            window: self.window,
            start: feed.start,
            deliver,
            failures: self.failures.clone(),
        };
        ChildSpec::new::<Ingress<T>, _>(name, None, move || (Ingress::new(), args.clone()))
            .with_detail(detail)
    }

    /// A [`LanedWorker`] doing `work` on `lanes` lanes, and the ingress that
    /// feeds it from `feed` (named `<name>.ingress`).
    pub fn laned<W>(&self, name: &str, work: W, lanes: usize, feed: Feed) -> Vec<ChildSpec>
    where
        W: LaneWork,
        W::Payload: DeserializeOwned,
    {
        let slot = ActorSlot::<LanedMessage<W::Payload>>::new();
        let args = LanedArgs::new(work, lanes);
        vec![
            ChildSpec::new::<LanedWorker<W>, _>(name, Some(slot.clone()), move || {
                (LanedWorker::default(), args.clone())
            })
            .with_detail(match lanes {
                1 => "1 lane".to_owned(),
                n => format!("{n} lanes"),
            }),
            self.ingress(
                &format!("{name}.ingress"),
                feed,
                slot,
                LanedMessage::Work,
                |message| match message {
                    LanedMessage::Work(envelope) => Some(envelope),
                    LanedMessage::Restarts(_) => None,
                },
            ),
        ]
    }
}
