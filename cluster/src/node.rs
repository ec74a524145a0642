//! A node: the roles it runs, assembled into one supervision tree (drawn in
//! `errand_actors::supervisor`), plus the gateway's front door.

use crate::heartbeat::now_ms;
use crate::membership::{Announcement, Membership, PROTOCOL_VERSION};
use crate::mesh::{ClusterOptions, Mesh, MeshError};
use errand_actors::agents::Services;
use errand_actors::agents::food::FoodAgent;
use errand_actors::agents::host::{AgentHost, AgentHostArgs};
use errand_actors::agents::location::{Gazetteer, LocationActor};
use errand_actors::agents::mart::MartAgent;
use errand_actors::agents::payment::{PaymentActor, PaymentArgs, PaymentConfig};
use errand_actors::agents::ride::RideAgent;
use errand_actors::bus::{Bus, KafkaBus, MemoryBus, RedisFanout, RoutedBus, StartAt};
use errand_actors::clock::Clock;
use errand_actors::dialogue::DialogueConfig;
use errand_actors::envelope::Envelope;
use errand_actors::error_handler::{ErrorHandler, ErrorHandlerArgs, ErrorHandlerMessage};
use errand_actors::ingress::{Deliver, Ingress, IngressArgs};
use errand_actors::llm::{LlmConfig, LlmError, LlmReasoner};
use errand_actors::nlu::{RuleNlu, TrainedNlu, Understand};
use errand_actors::reading::Reading;
use errand_actors::reasoner::{Reasoner, ReasonerArgs, ReasonerMessage};
use errand_actors::registry::{DomainRegistry, DomainSpec};
use errand_actors::retrier::{Retrier, RetrierArgs, RetryPolicy};
use errand_actors::router::{AgentCaller, Router, RouterArgs, RouterMessage};
use errand_actors::slot::ActorSlot;
use errand_actors::store::Stores;
use errand_actors::store::redis::{RedisConfig, RedisStore};
use errand_actors::supervisor::{ChildSpec, Supervisor, SupervisorArgs, SupervisorMessage};
use errand_actors::sweeper::{Sweeper, SweeperArgs};
use errand_actors::tracker::{StateTracker, TrackerMessage};
use errand_actors::tracking::Tracker;
use errand_gateway::fanout::{Fanout, FanoutMessage};
use errand_gateway::{AppState, Front, Limits, SessionHub};
use errand_schemas::keys::Keys;
use errand_schemas::topics::{self, agent_out};
use ractor::{Actor, ActorRef};
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The roles a node can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Gateway,
    Reasoner,
    Router,
    Agents,
    Tracker,
    Errors,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Gateway,
        Role::Reasoner,
        Role::Router,
        Role::Agents,
        Role::Tracker,
        Role::Errors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Gateway => "gateway",
            Role::Reasoner => "reasoner",
            Role::Router => "router",
            Role::Agents => "agents",
            Role::Tracker => "tracker",
            Role::Errors => "errors",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

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
    /// The HTTP address this node serves, announced to its peers.
    pub http_addr: Option<String>,
    /// Speech-to-text for audio on `/v1/ws/mic`.
    pub stt: Option<errand_actors::speech::SpeechConfig>,
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
            window: 64,
            sweep_every: Duration::from_secs(1),
            call_timeout: Duration::from_secs(10),
            limits: Limits::default(),
            clock: Clock::new(),
            default_user: "demo".into(),
            auth: errand_gateway::auth::Auth::default(),
            allowed_origins: Vec::new(),
            cluster: None,
            http_addr: None,
            stt: None,
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
    #[error("cannot start the supervision tree: {0}")]
    Spawn(#[from] ractor::SpawnErr),
    #[error(transparent)]
    Store(#[from] errand_actors::store::StoreError),
    #[error(transparent)]
    Bus(#[from] errand_actors::bus::BusError),
    #[error(transparent)]
    Llm(#[from] LlmError),
    #[error(transparent)]
    Mesh(#[from] MeshError),
    #[error("ERRAND_TIME_ZONE: {0}")]
    TimeZone(String),
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
    pub front: Front,
    pub hub: SessionHub,
    pub tracker: Tracker,
    pub failures: ActorSlot<errand_actors::retrier::RetrierMessage>,
    /// Payment and location, when this node runs the agents role.
    pub services: Option<Services>,
    clients: Arc<errand_gateway::app::ClientSockets>,
    shutdown: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
    /// The node's place in the cluster, when it joined one.
    pub mesh: Option<Arc<Mesh>>,
}

/// What an ingress reads: its consumer group, its topics, where a new
/// group starts.
struct Feed {
    group: String,
    topics: Vec<String>,
    start: StartAt,
}

/// Builds the ingress children of one node.
struct Bridges<'a> {
    options: &'a NodeOptions,
    failures: &'a ActorSlot<errand_actors::retrier::RetrierMessage>,
}

impl Bridges<'_> {
    /// An ingress child that reads `topics` in consumer `group` and
    /// delivers each envelope to `slot`, wrapped by `wrap` (`unwrap` gives
    /// it back when the target is not running).
    fn ingress<T, M>(
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
        let Feed {
            group,
            topics,
            start,
        } = feed;
        let args = IngressArgs {
            bus: self.options.bus.clone(),
            group,
            topics,
            window: self.options.window,
            start,
            deliver,
            failures: self.failures.clone(),
        };
        ChildSpec::new::<Ingress<T>, _>(name, None, move || (Ingress::new(), args.clone()))
    }
}

impl Node {
    /// Starts the node's supervision tree.
    pub async fn start(options: NodeOptions) -> Result<Node, NodeError> {
        let o = &options;
        // Join the cluster first, so the process groups of peers' agents are
        // known by the time commands arrive.
        let mesh = match &o.cluster {
            Some(cluster) => Some(Arc::new(
                Mesh::start(
                    &o.node_name,
                    o.roles.iter().map(|r| r.as_str().to_owned()).collect(),
                    o.http_addr.clone(),
                    &o.scope,
                    cluster,
                )
                .await?,
            )),
            None => None,
        };
        let tracker = Tracker::new(o.stores.state.clone(), o.bus.clone(), o.clock.clone());
        let failures = ActorSlot::new();
        let hub = SessionHub::new();
        let mut roles = Vec::new();
        let mut node_services = None;
        let bridges = Bridges {
            options: o,
            failures: &failures,
        };

        let retrier_args = (o.bus.clone(), o.retry.clone(), o.node_name.clone());
        roles.push(ChildSpec::supervisor(
            "core",
            vec![ChildSpec::new::<Retrier, _>(
                "retrier",
                Some(failures.clone()),
                move || {
                    let (bus, policy, node) = retrier_args.clone();
                    (Retrier, RetrierArgs { bus, policy, node })
                },
            )],
        ));

        if o.roles.contains(&Role::Agents) {
            let payment = ActorSlot::new();
            let location = ActorSlot::new();
            let services = Services::new(payment.clone(), location.clone());
            node_services = Some(services.clone());
            let pay = (
                o.payment.clone(),
                o.stores.idempotency.clone(),
                o.keys.clone(),
            );
            let gazetteer = o.gazetteer.clone();
            let mut children = vec![
                ChildSpec::new::<PaymentActor, _>("payment", Some(payment), move || {
                    let (config, store, keys) = pay.clone();
                    (
                        PaymentActor,
                        PaymentArgs {
                            config,
                            store,
                            keys,
                        },
                    )
                }),
                ChildSpec::new::<LocationActor, _>("location", Some(location), move || {
                    (LocationActor, gazetteer.clone())
                }),
            ];
            for (domain, agent) in o.registry.agents() {
                let args = AgentHostArgs {
                    agent,
                    domain: domain.to_owned(),
                    services: services.clone(),
                    idempotency: o.stores.idempotency.clone(),
                    keys: o.keys.clone(),
                    scope: o.scope.clone(),
                    clock: o.clock.clone(),
                };
                children.push(ChildSpec::new::<AgentHost, _>(domain, None, move || {
                    (AgentHost, args.clone())
                }));
            }
            roles.push(ChildSpec::supervisor("agents", children));
        }

        if o.roles.contains(&Role::Tracker) {
            let slot = ActorSlot::<TrackerMessage>::new();
            let t = tracker.clone();
            let sweeper = SweeperArgs {
                tracker: tracker.clone(),
                every: o.sweep_every,
                batch: 256,
                results: Some((o.stores.idempotency.clone(), o.keys.clone())),
            };
            let topics = o.registry.domains().map(agent_out).collect();
            roles.push(ChildSpec::supervisor(
                "tracker",
                vec![
                    ChildSpec::new::<StateTracker, _>("tracker", Some(slot.clone()), move || {
                        (StateTracker, t.clone())
                    }),
                    bridges.ingress(
                        "tracker.ingress",
                        Feed {
                            group: "errand-tracker".into(),
                            topics,
                            start: StartAt::Earliest,
                        },
                        slot,
                        TrackerMessage::Result,
                        |TrackerMessage::Result(e)| Some(e),
                    ),
                    ChildSpec::new::<Sweeper, _>("sweeper", None, move || {
                        (Sweeper, sweeper.clone())
                    }),
                ],
            ));
        }

        if o.roles.contains(&Role::Router) {
            let slot = ActorSlot::<RouterMessage>::new();
            let args = RouterArgs {
                registry: o.registry.clone(),
                tracker: tracker.clone(),
                scope: o.scope.clone(),
                call_timeout: o.call_timeout,
                lanes: 128,
                node_filter: mesh.as_deref().map(Mesh::node_filter),
            };
            roles.push(ChildSpec::supervisor(
                "router",
                vec![
                    ChildSpec::new::<Router, _>("router", Some(slot.clone()), move || {
                        (Router, args.clone())
                    }),
                    bridges.ingress(
                        "router.ingress",
                        Feed {
                            group: "errand-router".into(),
                            topics: vec![topics::AGENT_CMD.into()],
                            start: StartAt::Earliest,
                        },
                        slot,
                        RouterMessage::Command,
                        |RouterMessage::Command(e)| Some(e),
                    ),
                ],
            ));
        }

        if o.roles.contains(&Role::Reasoner) {
            let slot = ActorSlot::<ReasonerMessage>::new();
            let llm = match &o.llm {
                Some(config) => {
                    tracing::info!(
                        llm.base_url = %config.masked_base_url(),
                        llm.model = %config.model,
                        llm.fallback = config.fallback.as_str(),
                        "the LLM reasoner reads utterances"
                    );
                    let llm = LlmReasoner::new(config.clone(), &o.registry, o.nlu.clone())?;
                    Some(Arc::new(llm))
                }
                None => None,
            };
            let time_zone =
                Reading::time_zone(&o.dialogue.time_zone).map_err(NodeError::TimeZone)?;
            let mut agents = AgentCaller::new(o.scope.clone(), o.call_timeout);
            if let Some(filter) = mesh.as_deref().map(Mesh::node_filter) {
                agents = agents.with_node_filter(filter);
            }
            let args = ReasonerArgs {
                nlu: o.nlu.clone(),
                registry: o.registry.clone(),
                tracker: tracker.clone(),
                sessions: o.stores.sessions.clone(),
                config: o.dialogue.clone(),
                llm,
                lanes: 64,
                agents,
                reading: Arc::new(Reading::new(&o.registry, time_zone)),
            };
            roles.push(ChildSpec::supervisor(
                "reasoner",
                vec![
                    ChildSpec::new::<Reasoner, _>("reasoner", Some(slot.clone()), move || {
                        (Reasoner, args.clone())
                    }),
                    bridges.ingress(
                        "reasoner.ingress",
                        Feed {
                            group: "errand-reasoner".into(),
                            topics: vec![topics::TRANSCRIPT.into()],
                            start: StartAt::Earliest,
                        },
                        slot,
                        ReasonerMessage::Utterance,
                        |ReasonerMessage::Utterance(e)| Some(e),
                    ),
                ],
            ));
        }

        if o.roles.contains(&Role::Errors) {
            let slot = ActorSlot::<ErrorHandlerMessage>::new();
            let args = ErrorHandlerArgs {
                tracker: tracker.clone(),
                dead_letters: o.stores.dead_letters.clone(),
            };
            roles.push(ChildSpec::supervisor(
                "errors",
                vec![
                    ChildSpec::new::<ErrorHandler, _>(
                        "error_handler",
                        Some(slot.clone()),
                        move || (ErrorHandler, args.clone()),
                    ),
                    bridges.ingress(
                        "errors.ingress",
                        Feed {
                            group: "errand-errors".into(),
                            topics: vec![topics::AGENT_ERROR.into()],
                            start: StartAt::Earliest,
                        },
                        slot,
                        ErrorHandlerMessage::DeadLetter,
                        |ErrorHandlerMessage::DeadLetter(e)| Some(e),
                    ),
                ],
            ));
        }

        if o.roles.contains(&Role::Gateway) {
            let slot = ActorSlot::<FanoutMessage>::new();
            let h = hub.clone();
            let group = format!("errand-gateway-{}", o.node_name);
            roles.push(ChildSpec::supervisor(
                "gateway",
                vec![
                    ChildSpec::new::<Fanout, _>("fanout", Some(slot.clone()), move || {
                        (Fanout, h.clone())
                    }),
                    bridges.ingress(
                        "gateway.status",
                        Feed {
                            group: format!("{group}-status"),
                            topics: vec![topics::AGENT_STATUS.into()],
                            start: StartAt::Latest,
                        },
                        slot.clone(),
                        FanoutMessage::Status,
                        |m| match m {
                            FanoutMessage::Status(e) => Some(e),
                            FanoutMessage::Clarify(_) => None,
                        },
                    ),
                    bridges.ingress(
                        "gateway.clarify",
                        Feed {
                            group: format!("{group}-clarify"),
                            topics: vec![topics::AGENT_OUT_CLARIFY.into()],
                            start: StartAt::Latest,
                        },
                        slot,
                        FanoutMessage::Clarify,
                        |m| match m {
                            FanoutMessage::Clarify(e) => Some(e),
                            FanoutMessage::Status(_) => None,
                        },
                    ),
                ],
            ));
        }

        // Topics first: a consumer that subscribes to a topic that does not
        // exist yet waits for a metadata refresh before it joins its group.
        let mut topics: Vec<String> = [
            topics::TRANSCRIPT,
            topics::AGENT_CMD,
            topics::AGENT_OUT_CLARIFY,
            topics::AGENT_STATUS,
            topics::AGENT_ERROR,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        topics.extend(o.registry.domains().map(agent_out));
        o.bus.prepare(&topics).await?;
        let (root, handle) =
            Actor::spawn(None, Supervisor, SupervisorArgs::new("errand", roles)).await?;
        tracing::info!(node = %o.node_name, roles = ?o.roles, "node started");
        let front = Front {
            hub: hub.clone(),
            tracker: tracker.clone(),
            sessions: o.stores.sessions.clone(),
            limits: o.limits.clone(),
            command_deadline: o.dialogue.command_deadline,
            rate: Arc::default(),
        };
        let (shutdown, _) = watch::channel(false);
        Ok(Node {
            root,
            options,
            front,
            hub,
            tracker,
            failures,
            services: node_services,
            clients: Arc::default(),
            shutdown,
            handle,
            mesh,
        })
    }

    /// The state the gateway's HTTP app serves.
    pub fn app_state(&self) -> AppState {
        AppState {
            front: self.front.clone(),
            bus: self.options.bus.clone(),
            agents: {
                let agents = errand_actors::router::AgentCaller::new(
                    self.options.scope.clone(),
                    self.options.call_timeout,
                );
                match &self.mesh {
                    Some(mesh) => agents.with_node_filter(mesh.node_filter()),
                    None => agents,
                }
            },
            services: self.services.clone(),
            idempotency: self.options.stores.idempotency.clone(),
            keys: self.options.keys.clone(),
            user_id: self.options.default_user.clone(),
            auth: self.options.auth.clone(),
            allowed_origins: self.options.allowed_origins.clone(),
            clients: self.clients.clone(),
            requests: Arc::default(),
            shutdown: self.shutdown.subscribe(),
            cluster: self.cluster_view(),
            stt: self
                .options
                .stt
                .clone()
                .map(errand_actors::speech::SpeechToText::new),
            hello: Arc::new(errand_gateway::app::Hello::from_registry(
                &self.options.registry,
            )),
        }
    }

    /// The cluster as this node sees it; a node alone lists itself.
    pub fn cluster_view(&self) -> errand_gateway::ClusterView {
        match &self.mesh {
            Some(mesh) => {
                let membership = mesh.membership();
                Arc::new(move || membership.status(now_ms()))
            }
            None => {
                let me = Announcement {
                    name: self.options.node_name.clone(),
                    roles: self
                        .options
                        .roles
                        .iter()
                        .map(|r| r.as_str().to_owned())
                        .collect(),
                    protocol: PROTOCOL_VERSION,
                    cluster_addr: String::new(),
                    http: self.options.http_addr.clone(),
                    started_ms: now_ms(),
                };
                let membership = Membership::new(me);
                Arc::new(move || membership.status(now_ms()))
            }
        }
    }

    /// An in-process client on `session_id`.
    pub fn client(&self, session_id: &str) -> errand_gateway::local::LocalClient {
        errand_gateway::local::LocalClient::new(
            self.front.clone(),
            session_id.into(),
            self.options.default_user.clone(),
        )
    }

    /// Tells sockets to close, then stops the tree (ingress first, each
    /// worker draining its mailbox).
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        self.root.stop(Some("shutdown".into()));
        let _ = self.handle.await;
        if let Some(mesh) = &self.mesh {
            mesh.stop();
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
    match TrainedNlu::embedded() {
        Ok(reader) => Arc::new(reader),
        Err(error) => {
            tracing::error!(%error, "the built-in NLU model cannot be read; using the rule reader");
            Arc::new(RuleNlu::new())
        }
    }
}
