//! The seeds actor: connects this node to every seed it has no session
//! with, a second after each look, so a seed that restarts is found again (and through
//! it, transitively, the rest of the cluster).

use errand_actors::slot::ActorSlot;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use ractor_cluster::NodeServerMessage;
use std::time::Duration;
use tokio_rustls::rustls;

/// How often the seeds are looked at.
const EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct SeedsArgs {
    pub server: ActorSlot<NodeServerMessage>,
    /// `host:port` of each seed (this node's own address left out).
    pub seeds: Vec<String>,
    pub tls: Option<tokio_rustls::TlsConnector>,
}

pub enum SeedsMessage {
    Tick,
}

impl ractor::Message for SeedsMessage {}

pub struct Seeds;

impl Actor for Seeds {
    type Msg = SeedsMessage;
    type State = SeedsArgs;
    type Arguments = SeedsArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: SeedsArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let _ = myself.send_message(SeedsMessage::Tick);
        Ok(args)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        SeedsMessage::Tick: Self::Msg,
        args: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(server) = args.server.get() {
            connect_missing(&server, args).await;
        }
        // The next look after this one ends: ticks never pile up.
        myself.send_after(EVERY, || SeedsMessage::Tick);
        Ok(())
    }
}

async fn connect_missing(server: &ActorRef<NodeServerMessage>, args: &SeedsArgs) {
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
    for seed in args.seeds.iter().filter(|s| !connected.contains(s)) {
        let result = match &args.tls {
            None => ractor_cluster::client_connect(server, seed.as_str()).await,
            Some(connector) => {
                let host = seed.rsplit_once(':').map_or(seed.as_str(), |(h, _)| h);
                match rustls::pki_types::ServerName::try_from(host.to_owned()) {
                    Ok(name) => {
                        ractor_cluster::node::client::connect_enc(
                            server,
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
}
