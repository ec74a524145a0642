//! The node's place in the cluster, as a role: a `ractor_cluster`
//! `NodeServer` (cookie authentication, optional mutual TLS), joining
//! through seed nodes (transitive: a node learns the rest from the ones it
//! reaches) with the [`Seeds`] actor that finds them again after they
//! restart, session events into the [`Membership`], and the [`Heartbeat`]
//! that notices a hung peer.

use crate::heartbeat::{Heartbeat, HeartbeatArgs};
use crate::membership::{Announcement, Membership, PROTOCOL_VERSION};
use crate::seeds::{Seeds, SeedsArgs};
use errand_actors::agents::caller::NodeFilter;
use errand_actors::role::{NodeCtx, Role, RoleError};
use errand_actors::slot::ActorSlot;
use errand_actors::supervisor::{ChildSpec, StartFn};
use ractor::Actor;
use ractor_cluster::node::{
    NodeConnectionMode, NodeEventSubscription, NodeServerSessionInformation,
};
use ractor_cluster::{IncomingEncryptionMode, NodeServer, NodeServerMessage};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls;

/// How this node joins a cluster.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// Where the node server listens for peers.
    pub listen: SocketAddr,
    /// The host peers should use to reach this node (default: the listen IP).
    pub advertise: Option<String>,
    /// Peers to join through (`host:port`).
    pub seeds: Vec<String>,
    /// The shared secret peers authenticate with.
    pub cookie: String,
    pub tls: Option<TlsFiles>,
    pub heartbeat: Duration,
    pub heartbeat_timeout: Duration,
}

/// PEM files for TLS between nodes: this node's certificate chain and key,
/// and the CA that signs every node's certificate (both ends verify).
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub ca: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum MeshError {
    #[error("cannot start the cluster node server: {0}")]
    Spawn(#[from] ractor::SpawnErr),
    #[error("cluster TLS: {0}")]
    Tls(String),
}

/// The cluster role: this node's `NodeServer`, its [`Heartbeat`], and the
/// [`Seeds`] that keep it joined. It starts before every other role, so the
/// process groups of peers' agents are known by the time commands arrive.
#[derive(Clone)]
pub struct ClusterRole {
    options: ClusterOptions,
    node_name: String,
    scope: String,
    me: Announcement,
    membership: Membership,
    tls: Option<(tokio_rustls::TlsAcceptor, tokio_rustls::TlsConnector)>,
    server: ActorSlot<NodeServerMessage>,
}

struct Events(Membership);

impl NodeEventSubscription for Events {
    fn node_session_opened(&self, _: NodeServerSessionInformation) {}

    fn node_session_disconnected(&self, ses: NodeServerSessionInformation) {
        let name = self.0.gone(ses.node_id);
        tracing::warn!(node_id = ses.node_id, peer = ?name, addr = %ses.peer_addr, "peer disconnected");
    }

    fn node_session_authenticated(&self, ses: NodeServerSessionInformation) {
        tracing::info!(node_id = ses.node_id, addr = %ses.peer_addr, "peer authenticated");
    }
}

impl ClusterRole {
    /// The role of a node that announces itself as `me` (its cluster
    /// address is filled in here) and keeps what it hears in `membership`.
    pub fn new(
        options: &ClusterOptions,
        scope: &str,
        mut me: Announcement,
    ) -> Result<Self, MeshError> {
        let tls = options.tls.as_ref().map(tls_configs).transpose()?;
        me.cluster_addr = format!("{}:{}", advertised_host(options), options.listen.port());
        Ok(Self {
            options: options.clone(),
            node_name: me.name.clone(),
            scope: scope.to_owned(),
            membership: Membership::new(me.clone()),
            me,
            tls,
            server: ActorSlot::new(),
        })
    }

    pub fn membership(&self) -> Membership {
        self.membership.clone()
    }

    /// Whether a node's agents may be called (see [`Membership::usable`]).
    pub fn node_filter(&self) -> NodeFilter {
        let membership = self.membership.clone();
        Arc::new(move |node_id| membership.usable(node_id))
    }

    fn node_server(&self) -> ChildSpec {
        let options = self.options.clone();
        let name = self.node_name.clone();
        let acceptor = self.tls.as_ref().map(|(acceptor, _)| acceptor.clone());
        let membership = self.membership.clone();
        let slot = self.server.clone();
        let start: StartFn = Arc::new(move |supervisor| {
            let server = NodeServer::new(
                options.listen.port(),
                options.cookie.clone(),
                name.clone(),
                advertised_host(&options),
                acceptor.clone().map(IncomingEncryptionMode::Tls),
                Some(NodeConnectionMode::Transitive),
            )
            .with_listen_addr(options.listen.ip());
            let membership = membership.clone();
            let slot = slot.clone();
            let (name, listen, tls) = (name.clone(), options.listen, acceptor.is_some());
            Box::pin(async move {
                let (server, _) = Actor::spawn_linked(None, server, (), supervisor).await?;
                let _ = server.cast(NodeServerMessage::SubscribeToEvents {
                    id: "errand.membership".into(),
                    subscription: Box::new(Events(membership)),
                });
                slot.set(server.clone());
                tracing::info!(node = %name, listen = %listen, tls, protocol = PROTOCOL_VERSION, "cluster node server started");
                Ok(server.get_cell())
            })
        });
        ChildSpec::custom("node_server", start).with_detail(self.options.listen.to_string())
    }
}

impl Role for ClusterRole {
    fn name(&self) -> &'static str {
        "cluster"
    }

    fn children(&self, _ctx: &NodeCtx) -> Result<Vec<ChildSpec>, RoleError> {
        let heartbeat = HeartbeatArgs {
            me: self.me.clone(),
            membership: self.membership.clone(),
            scope: self.scope.clone(),
            interval: self.options.heartbeat,
            timeout: self.options.heartbeat_timeout,
            server: self.server.clone(),
        };
        let mut children = vec![
            self.node_server(),
            ChildSpec::new::<Heartbeat, _>("heartbeat", None, move || {
                (Heartbeat, heartbeat.clone())
            }),
        ];
        let seeds: Vec<String> = (self.options.seeds.iter())
            .filter(|s| **s != self.me.cluster_addr)
            .cloned()
            .collect();
        if !seeds.is_empty() {
            let args = SeedsArgs {
                server: self.server.clone(),
                seeds,
                tls: self.tls.as_ref().map(|(_, connector)| connector.clone()),
            };
            children.push(ChildSpec::new::<Seeds, _>("seeds", None, move || {
                (Seeds, args.clone())
            }));
        }
        Ok(children)
    }
}

/// The host peers use to reach this node.
fn advertised_host(options: &ClusterOptions) -> String {
    options
        .advertise
        .clone()
        .unwrap_or_else(|| options.listen.ip().to_string())
}

/// The acceptor (verifies peers' client certificates) and the connector
/// (verifies the peer's server certificate), both against the cluster CA.
fn tls_configs(
    files: &TlsFiles,
) -> Result<(tokio_rustls::TlsAcceptor, tokio_rustls::TlsConnector), MeshError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, path: &PathBuf, e: &dyn std::fmt::Display| {
        MeshError::Tls(format!("{what} {}: {e}", path.display()))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad("certificate", &files.cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("certificate", &files.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad("key", &files.key, &e))?;
    let mut roots = rustls::RootCertStore::empty();
    for ca in CertificateDer::pem_file_iter(&files.ca).map_err(|e| bad("CA", &files.ca, &e))? {
        let ca = ca.map_err(|e| bad("CA", &files.ca, &e))?;
        roots.add(ca).map_err(|e| bad("CA", &files.ca, &e))?;
    }
    let roots = Arc::new(roots);
    let verifier = rustls::server::WebPkiClientVerifier::builder(roots.clone())
        .build()
        .map_err(|e| MeshError::Tls(e.to_string()))?;
    let server = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs.clone(), key.clone_key())
        .map_err(|e| MeshError::Tls(e.to_string()))?;
    let client = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .map_err(|e| MeshError::Tls(e.to_string()))?;
    Ok((
        tokio_rustls::TlsAcceptor::from(Arc::new(server)),
        tokio_rustls::TlsConnector::from(Arc::new(client)),
    ))
}
