//! The node's place in the cluster: a `ractor_cluster` `NodeServer`
//! (cookie authentication, optional mutual TLS), joining through seed nodes
//! (transitive: a node learns the rest from the ones it reaches), a
//! reconnect loop that finds seeds again after they restart, session events
//! into the [`Membership`], and the [`Heartbeat`] that notices a hung peer.

use crate::heartbeat::{Heartbeat, HeartbeatArgs, HeartbeatMessage, now_ms};
use crate::membership::{Announcement, Membership, PROTOCOL_VERSION};
use errand_actors::router::NodeFilter;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorRef};
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

pub struct Mesh {
    server: ActorRef<NodeServerMessage>,
    heartbeat: ActorRef<HeartbeatMessage>,
    membership: Membership,
    reconnect: tokio::task::JoinHandle<()>,
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

impl Mesh {
    pub async fn start(
        node_name: &str,
        roles: Vec<String>,
        http: Option<String>,
        scope: &str,
        options: &ClusterOptions,
    ) -> Result<Self, MeshError> {
        let host = options
            .advertise
            .clone()
            .unwrap_or_else(|| options.listen.ip().to_string());
        let tls = options.tls.as_ref().map(tls_configs).transpose()?;
        let encryption = tls
            .as_ref()
            .map(|(acceptor, _)| IncomingEncryptionMode::Tls(acceptor.clone()));
        let server = NodeServer::new(
            options.listen.port(),
            options.cookie.clone(),
            node_name.to_owned(),
            host.clone(),
            encryption,
            Some(NodeConnectionMode::Transitive),
        )
        .with_listen_addr(options.listen.ip());
        let (server, _) = Actor::spawn(None, server, ()).await?;
        let me = Announcement {
            name: node_name.to_owned(),
            roles,
            protocol: PROTOCOL_VERSION,
            cluster_addr: format!("{host}:{}", options.listen.port()),
            http,
            started_ms: now_ms(),
        };
        let membership = Membership::new(me.clone());
        let _ = server.cast(NodeServerMessage::SubscribeToEvents {
            id: "errand.membership".into(),
            subscription: Box::new(Events(membership.clone())),
        });
        let (heartbeat, _) = Actor::spawn(
            None,
            Heartbeat,
            HeartbeatArgs {
                me: me.clone(),
                membership: membership.clone(),
                scope: scope.to_owned(),
                interval: options.heartbeat,
                timeout: options.heartbeat_timeout,
                server: server.clone(),
            },
        )
        .await?;
        let reconnect = tokio::spawn(keep_seeds(
            server.clone(),
            options.seeds.clone(),
            me.cluster_addr.clone(),
            tls.map(|(_, connector)| connector),
        ));
        tracing::info!(node = node_name, listen = %options.listen, seeds = ?options.seeds, tls = options.tls.is_some(), protocol = PROTOCOL_VERSION, "cluster node server started");
        Ok(Self {
            server,
            heartbeat,
            membership,
            reconnect,
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

    pub fn stop(&self) {
        self.reconnect.abort();
        self.heartbeat.stop(None);
        self.server.stop(None);
    }
}

/// Connects to every seed this node has no session with, now and whenever
/// one is lost (a seed that restarts is found again).
async fn keep_seeds(
    server: ActorRef<NodeServerMessage>,
    seeds: Vec<String>,
    me: String,
    tls: Option<tokio_rustls::TlsConnector>,
) {
    let seeds: Vec<String> = seeds.into_iter().filter(|s| *s != me).collect();
    if seeds.is_empty() {
        return;
    }
    loop {
        let connected: Vec<String> = match server
            .call(NodeServerMessage::GetSessions, Some(Duration::from_secs(2)))
            .await
        {
            Ok(CallResult::Success(sessions)) => sessions
                .values()
                .filter_map(|s| s.peer_name.as_ref().map(|n| n.connection_string.clone()))
                .collect(),
            _ => Vec::new(),
        };
        for seed in seeds.iter().filter(|s| !connected.contains(s)) {
            let result = match &tls {
                None => ractor_cluster::client_connect(&server, seed.as_str()).await,
                Some(connector) => {
                    let host = seed.rsplit_once(':').map_or(seed.as_str(), |(h, _)| h);
                    match rustls::pki_types::ServerName::try_from(host.to_owned()) {
                        Ok(name) => {
                            ractor_cluster::node::client::connect_enc(
                                &server,
                                seed.as_str(),
                                connector.clone(),
                                name,
                            )
                            .await
                        }
                        Err(e) => {
                            tracing::error!(seed, error = %e, "a seed's host is not a valid TLS name");
                            continue;
                        }
                    }
                }
            };
            if let Err(error) = result {
                tracing::debug!(seed, %error, "seed not reachable yet");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
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
