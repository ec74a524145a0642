//! A node: the roles it runs, each a unit that builds its own children,
//! assembled into one supervision tree under the root supervisor.

use crate::membership::{Announcement, Membership, PROTOCOL_VERSION};
use crate::mesh::{ClusterOptions, ClusterRole, MeshError};
use crate::roles::Role;
use errand_actors::agents::Services;
use errand_actors::agents::food::FoodAgent;
use errand_actors::agents::location::Gazetteer;
use errand_actors::agents::mart::MartAgent;
use errand_actors::agents::payment::PaymentConfig;
use errand_actors::agents::ride::RideAgent;
use errand_actors::agents::role::AgentsRole;
use errand_actors::bounds::INGRESS_WINDOW;
use errand_actors::bus::{Bus, KafkaBus, MemoryBus, RedisFanout, RoutedBus};
use errand_actors::clock::Clock;
use errand_actors::dialogue::DialogueConfig;
use errand_actors::envelope::FailureSink;
use errand_actors::error_handler::ErrorsRole;
use errand_actors::llm::LlmConfig;
use errand_actors::nlu::{RuleNlu, TrainedNlu, Understand};
use errand_actors::reasoner::ReasonerRole;
use errand_actors::recorder::Recorder;
use errand_actors::registry::{DomainRegistry, DomainSpec};
use errand_actors::retrier::{CoreRole, RetryPolicy};
use errand_actors::role::{NodeCtx, Role as RoleUnit, RoleError};
use errand_actors::router::RouterRole;
use errand_actors::store::Stores;
use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_actors::supervisor::{
    ChildSpec, Health, Supervisor, SupervisorArgs, SupervisorMessage, TreeNode,
};
use errand_actors::tracker::TrackerRole;
use errand_gateway::listener::Bound;
use errand_gateway::{AppState, GatewayRole, Limits, Ops, OpsRole};
use errand_schemas::keys::Keys;
use errand_schemas::now_ms;
use errand_schemas::topics::{self, agent_out};
use ractor::{Actor, ActorRef};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Everything a node is made of. [`NodeOptions::embedded`] gives the
/// embedded default; tests and deployments replace parts.
#[derive(Clone)]
pub struct NodeOptions {
    pub node_name: String,
    pub roles: BTreeSet<Role>,
    pub bus: Arc<dyn Bus>,
    pub stores: Stores,
    pub keys: Keys,
    pub registry: DomainRegistry,
    pub payment: PaymentConfig,
    pub gazetteer: Gazetteer,
    pub nlu: Arc<dyn Understand>,
    /// The LLM reasoner's endpoint: when set, the model reads utterances
    /// and `nlu` is its fallback.
    pub llm: Option<LlmConfig>,
    pub retry: RetryPolicy,
    pub dialogue: DialogueConfig,
    /// Records in flight per ingress.
    pub window: usize,
    pub sweep_every: Duration,
    /// How long the router waits for an agent.
    pub call_timeout: Duration,
    /// The process-group scope: nodes of one deployment share it.
    pub scope: String,
    pub limits: Limits,
    pub clock: Clock,
    /// The subject of unauthenticated sessions.
    pub default_user: String,
    /// Bearer tokens the gateway accepts (off when empty).
    pub auth: errand_gateway::auth::Auth,
    /// Origins WebSocket upgrades may come from (any when empty).
    pub allowed_origins: Vec<String>,
    /// Joining a cluster of nodes (none: this node alone).
    pub cluster: Option<ClusterOptions>,
    /// Where the node's HTTP listener binds (`:0` for a free port): the
    /// gateway's app, or a node's health, readiness, metrics and cluster;
    /// none: in-process clients only.
    pub listen: Option<SocketAddr>,
    /// Speech-to-text for audio on `/v1/ws/mic`.
    pub stt: Option<errand_actors::speech::SpeechConfig>,
    /// What the gateway remembers of sessions.
    pub hub: errand_gateway::HubLimits,
}

impl NodeOptions {
    /// One process, all roles, in-memory bus and stores, offline reasoner,
    /// the built-in simulated food, ride and mart providers.
    pub fn embedded() -> Self {
        let node_name = format!("node-{}", &uuid_suffix());
        Self {
            scope: format!("errand-{node_name}"),
            node_name,
            roles: Role::ALL.into_iter().collect(),
            bus: Arc::new(MemoryBus::default()),
            stores: Stores::memory(),
            keys: Keys::default(),
            registry: DomainRegistry::new()
                .with(FoodAgent::simulated())
                .with(RideAgent::simulated())
                .with(MartAgent::simulated()),
            payment: PaymentConfig::default(),
            gazetteer: Gazetteer::builtin(),
            nlu: default_reader(),
            llm: None,
            retry: RetryPolicy::default(),
            dialogue: DialogueConfig::default(),
            window: INGRESS_WINDOW,
            sweep_every: Duration::from_secs(1),
            call_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            clock: Clock::new(),
            default_user: "demo".into(),
            auth: errand_gateway::auth::Auth::default(),
            allowed_origins: Vec::new(),
            cluster: None,
            listen: None,
            stt: None,
            hub: errand_gateway::HubLimits::default(),
        }
    }
}

fn uuid_suffix() -> String {
    errand_schemas::TraceId::generate()
        .0
        .chars()
        .rev()
        .take(8)
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// What failed at the bottom of the supervisors that could not start.
    #[error("cannot start the supervision tree: {0}")]
    Spawn(String),
    #[error(transparent)]
    Store(#[from] errand_actors::store::StoreError),
    #[error(transparent)]
    Bus(#[from] errand_actors::bus::BusError),
    #[error(transparent)]
    Role(#[from] RoleError),
    #[error(transparent)]
    Mesh(#[from] MeshError),
}

/// A tree that could not start is told by what failed at its bottom (each
/// supervisor wraps its child's failure).
impl From<ractor::SpawnErr> for NodeError {
    fn from(error: ractor::SpawnErr) -> Self {
        let mut cause: &(dyn std::error::Error + 'static) = &error;
        while let Some(source) = cause.source() {
            cause = source;
        }
        NodeError::Spawn(cause.to_string())
    }
}

impl NodeOptions {
    /// The embedded default with `config` applied: with a Redis URL, state,
    /// sessions, idempotency records and dead letters live in Redis, and
    /// statuses fan out to every gateway through Redis pub/sub.
    pub async fn from_config(config: &crate::config::Config) -> Result<Self, NodeError> {
        let mut options = Self::embedded();
        if let Some(name) = &config.node_name {
            options.node_name.clone_from(name);
        }
        options.roles = config.roles.clone();
        options.cluster = config.cluster.clone();
        if options.cluster.is_some() {
            // Nodes of one deployment share the process groups.
            options.scope = config.cluster_name.clone();
        }
        options.dialogue.command_deadline = config.command_deadline;
        options.dialogue.confirm = config.confirm;
        options.dialogue.time_zone = config.time_zone.clone();
        options.payment.max_charge = config.max_charge;
        options.auth = config.auth.clone();
        options.allowed_origins = config.allowed_origins.clone();
        options.limits = config.limits.clone();
        options.stores = Stores::memory_with(config.memory);
        options.hub = config.hub;
        options.llm = config.llm.clone();
        options.stt = config.stt.clone();
        for (domain, url) in &config.http_agents {
            options.use_http_agent(domain, url)?;
        }
        for domain in &config.external_domains {
            options.registry.register_external(DomainSpec {
                name: domain.clone(),
                description: format!("{domain}, served by an external agent"),
                ..DomainSpec::default()
            });
        }
        if let Some(kafka) = &config.kafka {
            let mut kafka = kafka.clone();
            kafka.client_id = options.node_name.clone();
            options.bus = Arc::new(KafkaBus::connect(kafka)?);
            if let Some(redis) = &config.redis {
                // Statuses fan out through Kafka; Redis keeps the state.
                let store = RedisStore::connect(redis.clone()).await?;
                options.use_redis_state(store, redis);
            }
        } else if let Some(redis) = &config.redis {
            options.use_redis(redis.clone()).await?;
        }
        Ok(options)
    }

    /// Sends `domain`'s commands to the HTTP service at `base_url` (same
    /// contract as the REST adapters) instead of the built-in agent.
    pub fn use_http_agent(&mut self, domain: &str, base_url: &str) -> Result<(), NodeError> {
        let spec = self
            .registry
            .spec(domain)
            .cloned()
            .unwrap_or_else(|| DomainSpec {
                name: domain.to_owned(),
                description: format!("{domain}, served over HTTP"),
                ..DomainSpec::default()
            });
        let agent = errand_actors::agents::http::HttpAgent::new(spec, base_url, self.call_timeout)
            .map_err(errand_actors::bus::BusError::Unavailable)?;
        self.registry.register(agent);
        Ok(())
    }

    /// Keeps state, sessions, idempotency records and dead letters in Redis.
    pub fn use_redis_state(&mut self, store: RedisStore, config: &RedisConfig) {
        self.keys = store.keys().clone();
        self.stores = Stores::redis(store);
        self.dialogue.clarification_timeout = config.session_ttl;
    }

    /// Keeps state in Redis and fans statuses out through it.
    pub async fn use_redis(&mut self, config: RedisConfig) -> Result<(), NodeError> {
        let store = RedisStore::connect(config.clone()).await?;
        self.use_redis_store(store, config).await
    }

    /// As [`NodeOptions::use_redis`], with a store already connected (to
    /// read its round-trip counter, say).
    pub async fn use_redis_store(
        &mut self,
        store: RedisStore,
        config: RedisConfig,
    ) -> Result<(), NodeError> {
        tracing::info!(redis = %config.masked_url(), prefix = %config.prefix, "state in Redis");
        self.use_redis_state(store, &config);
        let first_url = config
            .url
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let fanout: Arc<dyn Bus> =
            Arc::new(RedisFanout::connect(&first_url, self.keys.clone(), config.timeout).await?);
        self.bus = Arc::new(
            RoutedBus::new(self.bus.clone())
                .route(topics::AGENT_STATUS, fanout.clone())
                .route(topics::AGENT_OUT_CLARIFY, fanout),
        );
        Ok(())
    }
}

/// A running node.
pub struct Node {
    pub root: ActorRef<SupervisorMessage>,
    pub options: NodeOptions,
    pub recorder: Recorder,
    pub failures: FailureSink,
    /// Payment and location, when this node runs the agents role.
    pub services: Option<Services>,
    /// The gateway's state, when this node runs the gateway role.
    pub gateway: Option<AppState>,
    /// The nodes this one knows (itself alone outside a cluster).
    pub membership: Membership,
    /// The roles, running or not.
    pub health: Health,
    bound: Bound,
    shutdown: watch::Sender<bool>,
    root_stopped: Option<tokio::task::JoinHandle<()>>,
}

impl NodeOptions {
    /// Whether this node runs `role`.
    fn runs(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// What this node tells its peers about itself.
    fn announcement(&self) -> Announcement {
        Announcement {
            name: self.node_name.clone(),
            roles: self.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            protocol: PROTOCOL_VERSION,
            cluster_addr: String::new(),
            http: self.listen.map(|a| a.to_string()),
            started_ms: now_ms(),
        }
    }

    /// Every topic a node may read or write: created before any consumer
    /// subscribes (one that subscribes to a missing topic waits for a
    /// metadata refresh before it joins its group).
    fn topics(&self) -> Vec<String> {
        let fixed = [
            topics::TRANSCRIPT,
            topics::AGENT_CMD,
            topics::AGENT_OUT_CLARIFY,
            topics::AGENT_STATUS,
            topics::AGENT_ERROR,
        ];
        let fixed = fixed.into_iter().map(str::to_owned);
        fixed
            .chain(self.registry.domains().map(agent_out))
            .collect()
    }

    /// What the node serves over HTTP, a gateway or not: health,
    /// readiness, metrics, the cluster's view, who may come in.
    fn ops(&self, parts: &Parts, hub: Option<errand_gateway::SessionHub>) -> Ops {
        let membership = parts.membership.clone();
        Ops {
            recorder: parts.ctx.recorder.clone(),
            bus: self.bus.clone(),
            roles: parts.health.clone(),
            cluster: Arc::new(move || membership.status(now_ms())),
            requests: Arc::default(),
            door: errand_gateway::extract::Door::new(self.auth.clone(), &self.default_user),
            hub,
        }
    }

    /// The gateway's state: its front door, the agents' services and the
    /// cluster's view, for the HTTP app and in-process clients.
    fn app_state(&self, parts: &Parts) -> AppState {
        let hub = errand_gateway::SessionHub::with_limits(self.hub);
        let front = errand_gateway::Front {
            hub: hub.clone(),
            recorder: parts.ctx.recorder.clone(),
            bus: self.bus.clone(),
            sessions: self.stores.sessions.clone(),
            idempotency: self.stores.idempotency.clone(),
            keys: self.keys.clone(),
            limits: self.limits.clone(),
            command_deadline: self.dialogue.command_deadline,
            rate: Arc::default(),
        };
        AppState {
            front,
            ops: self.ops(parts, Some(hub)),
            agents: parts.ctx.agents(),
            services: parts.agents.as_ref().map(|a| a.services.clone()),
            idempotency: self.stores.idempotency.clone(),
            keys: self.keys.clone(),
            allowed_origins: self.allowed_origins.clone(),
            clients: Arc::default(),
            shutdown: parts.shutdown.subscribe(),
            stt: (self.stt.clone()).map(errand_actors::speech::SpeechToText::new),
            hello: Arc::new(errand_gateway::state::Hello::from_registry(&self.registry)),
            waiters: Default::default(),
        }
    }

    /// The role units this node runs, in start order: the cluster (when it
    /// joins one) and the core first.
    fn units(&self, parts: &Parts) -> Vec<Box<dyn RoleUnit>> {
        let mut units: Vec<Box<dyn RoleUnit>> = Vec::new();
        if let Some(cluster) = &parts.cluster {
            units.push(Box::new(cluster.clone()));
        }
        units.push(Box::new(CoreRole {
            retry: self.retry.clone(),
        }));
        for role in Role::START_ORDER.into_iter().filter(|r| self.runs(*r)) {
            units.push(match role {
                Role::Agents => Box::new(parts.agents.clone().unwrap_or_else(|| {
                    AgentsRole::new(self.payment.clone(), self.gazetteer.clone())
                })),
                Role::Tracker => Box::new(TrackerRole {
                    sweep_every: self.sweep_every,
                }),
                Role::Router => Box::new(RouterRole),
                Role::Reasoner => Box::new(ReasonerRole {
                    nlu: self.nlu.clone(),
                    llm: self.llm.clone(),
                    dialogue: self.dialogue.clone(),
                }),
                Role::Errors => Box::new(ErrorsRole),
                Role::Gateway => match &parts.gateway {
                    Some(gateway) => Box::new(gateway.clone()),
                    None => continue,
                },
            });
        }
        if let Some(http) = &parts.http {
            units.push(Box::new(http.clone()));
        }
        units
    }
}

/// Why a node stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// A signal (or its owner) asked it to.
    Asked,
    /// Its supervision tree gave up: a role kept failing past its restart
    /// intensity.
    RootGaveUp,
}

impl Stopped {
    /// The process's exit status: 0, or 70 (EX_SOFTWARE) when the tree
    /// gave up.
    pub fn exit_code(self) -> u8 {
        match self {
            Stopped::Asked => 0,
            Stopped::RootGaveUp => 70,
        }
    }
}

/// What a node's roles share while it is assembled.
struct Parts {
    ctx: NodeCtx,
    cluster: Option<ClusterRole>,
    membership: Membership,
    agents: Option<AgentsRole>,
    gateway: Option<GatewayRole>,
    /// The HTTP listener of a node that is not a gateway.
    http: Option<OpsRole>,
    health: Health,
    shutdown: watch::Sender<bool>,
}

impl NodeOptions {
    /// The parts the roles share, and the roles' units.
    fn assemble(&self) -> Result<Parts, NodeError> {
        let o = self;
        let cluster = (o.cluster.as_ref())
            .map(|c| ClusterRole::new(c, &o.scope, o.announcement()))
            .transpose()?;
        let mut parts = Parts {
            ctx: NodeCtx {
                node_name: o.node_name.clone(),
                scope: o.scope.clone(),
                bus: o.bus.clone(),
                stores: o.stores.clone(),
                keys: o.keys.clone(),
                registry: o.registry.clone(),
                clock: o.clock.clone(),
                recorder: Recorder::new(o.stores.state.clone(), o.bus.clone(), o.clock.clone()),
                failures: FailureSink::new(),
                window: o.window,
                call_timeout: o.call_timeout,
                node_filter: cluster.as_ref().map(ClusterRole::node_filter),
            },
            membership: (cluster.as_ref()).map_or_else(
                || Membership::new(o.announcement()),
                ClusterRole::membership,
            ),
            cluster,
            agents: (o.runs(Role::Agents))
                .then(|| AgentsRole::new(o.payment.clone(), o.gazetteer.clone())),
            gateway: None,
            http: None,
            health: Health::default(),
            shutdown: watch::channel(false).0,
        };
        if o.runs(Role::Gateway) {
            parts.gateway = Some(GatewayRole::new(o.app_state(&parts), o.listen));
        } else if let Some(listen) = o.listen {
            parts.http = Some(OpsRole {
                ops: o.ops(&parts, None),
                listen,
                shutdown: parts.shutdown.subscribe(),
                bound: Bound::default(),
            });
        }
        Ok(parts)
    }

    /// One supervisor per role, over the children the role builds.
    fn roles(&self, parts: &Parts) -> Result<Vec<ChildSpec>, NodeError> {
        let supervisor = |unit: Box<dyn RoleUnit>| {
            Ok(ChildSpec::supervisor(
                unit.name(),
                unit.children(&parts.ctx)?,
            ))
        };
        self.units(parts).into_iter().map(supervisor).collect()
    }

    /// The tree a node started with these options runs, without starting it
    /// (`errand tree`).
    pub fn plan(&self) -> Result<TreeNode, NodeError> {
        let roles = self.roles(&self.assemble()?)?;
        Ok(ChildSpec::supervisor("errand", roles).plan())
    }
}

impl Node {
    /// Starts the node's supervision tree: one supervisor per role, under
    /// the root.
    pub async fn start(options: NodeOptions) -> Result<Node, NodeError> {
        let o = &options;
        let parts = o.assemble()?;
        let roles = o.roles(&parts)?;
        o.bus.prepare(&o.topics()).await?;
        let args = SupervisorArgs {
            health: Some(parts.health.clone()),
            ..SupervisorArgs::new("errand", roles)
        };
        let (root, handle) = Actor::spawn(None, Supervisor, args).await?;
        tracing::info!(node = %o.node_name, roles = ?o.roles, "node started");
        let Parts {
            ctx,
            membership,
            agents,
            gateway,
            http,
            health,
            shutdown,
            ..
        } = parts;
        Ok(Node {
            root,
            recorder: ctx.recorder,
            failures: ctx.failures,
            services: agents.map(|a| a.services),
            bound: match (&gateway, &http) {
                (Some(gateway), _) => gateway.bound.clone(),
                (None, Some(http)) => http.bound.clone(),
                (None, None) => Bound::default(),
            },
            gateway: gateway.map(|g| g.state),
            membership,
            health,
            shutdown,
            root_stopped: Some(handle),
            options,
        })
    }

    /// The address the node's HTTP listener bound, once it has.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.bound.get()
    }

    /// The supervision tree as it runs.
    pub async fn tree(&self) -> Option<TreeNode> {
        let tree = self
            .root
            .call(SupervisorMessage::Tree, Some(Duration::from_secs(5)));
        match tree.await {
            Ok(ractor::rpc::CallResult::Success(tree)) => Some(tree),
            _ => None,
        }
    }

    /// An in-process client on `session_id`, when this node runs the
    /// gateway role.
    pub fn client(&self, session_id: &str) -> Option<errand_gateway::local::LocalClient> {
        let gateway = self.gateway.as_ref()?;
        Some(errand_gateway::local::LocalClient::new(
            gateway.front.clone(),
            session_id.into(),
            self.options.default_user.clone(),
        ))
    }

    /// Resolves when the supervision tree stopped on its own: the root gave
    /// up after its roles failed past their restart intensity. (Never
    /// resolves again once it has, nor after [`Node::shutdown`] began.)
    pub async fn root_gave_up(&mut self) {
        match self.root_stopped.as_mut() {
            Some(handle) => {
                let _ = handle.await;
                self.root_stopped = None;
            }
            None => std::future::pending().await,
        }
    }

    /// Runs until `stop` resolves (a signal) or the root gives up, then shuts
    /// down; says which, so `errand` exits non-zero when the tree gave up
    /// and an orchestrator restarts it.
    pub async fn run_until(mut self, stop: impl std::future::Future<Output = ()>) -> Stopped {
        let stopped = tokio::select! {
            () = stop => Stopped::Asked,
            () = self.root_gave_up() => Stopped::RootGaveUp,
        };
        if stopped == Stopped::RootGaveUp {
            tracing::error!(node = %self.options.node_name, "the supervision tree gave up: its roles kept failing");
        }
        self.shutdown().await;
        stopped
    }

    /// Tells sockets to close, then stops the tree (roles in the reverse
    /// order they started, each worker draining its mailbox).
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        self.root.stop(Some("shutdown".into()));
        if let Some(handle) = self.root_stopped.take() {
            let _ = handle.await;
        }
        tracing::info!(node = %self.options.node_name, "node stopped");
    }

    /// Signals open sockets that the node is shutting down.
    pub fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// The offline reader: the trained model built into the binary (a test
/// checks it loads), or the rule reader if it ever could not be read.
fn default_reader() -> Arc<dyn Understand> {
    match TrainedNlu::embedded(errand_actors::agents::catalog::lexicon()) {
        Ok(reader) => Arc::new(reader),
        Err(error) => {
            tracing::error!(%error, "the built-in NLU model cannot be read; using the rule reader");
            Arc::new(RuleNlu::new(errand_actors::agents::catalog::lexicon()))
        }
    }
}
