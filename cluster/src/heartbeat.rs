//! The heartbeat actor: the failure detection `ractor_cluster` lacks. Every
//! node runs one, in the process group `errand.nodes`; each interval it asks
//! every peer's heartbeat for its announcement (an RPC with a timeout), so a
//! hung peer (a stopped process whose socket stays open) is noticed when it
//! stops answering, not only a closed socket. A peer of another protocol
//! version is refused: its session is closed and its agents never called.

use crate::membership::{Announcement, Health, Membership, PROTOCOL_VERSION, WireAnnouncement};
use errand_actors::slot::ActorSlot;
use errand_schemas::now_ms;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use ractor_cluster::{NodeServerMessage, RactorClusterMessage};
use std::time::Duration;

/// The process group every node's heartbeat joins.
pub const GROUP: &str = "errand.nodes";

#[derive(RactorClusterMessage)]
pub enum HeartbeatMessage {
    /// From a peer: who are you? (the answer is the heartbeat)
    #[rpc]
    Ping(RpcReplyPort<WireAnnouncement>),
    /// From this node's timer: ask every peer, expire the silent ones.
    Tick,
}

pub struct Heartbeat;

#[derive(Clone)]
pub struct HeartbeatArgs {
    pub me: Announcement,
    pub membership: Membership,
    pub scope: String,
    pub interval: Duration,
    pub timeout: Duration,
    /// This node's server, for closing sessions to refused peers.
    pub server: ActorSlot<NodeServerMessage>,
}

pub struct HeartbeatState {
    args: HeartbeatArgs,
    timer: tokio::task::JoinHandle<()>,
}

impl Actor for Heartbeat {
    type Msg = HeartbeatMessage;
    type State = HeartbeatState;
    type Arguments = HeartbeatArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: HeartbeatArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        ractor::pg::join_scoped(args.scope.clone(), GROUP.into(), vec![myself.get_cell()]);
        let timer = myself.send_interval(args.interval, || HeartbeatMessage::Tick);
        Ok(HeartbeatState { args, timer })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.timer.abort();
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            HeartbeatMessage::Ping(reply) => {
                let _ = reply.send(WireAnnouncement(Some(state.args.me.clone())));
            }
            HeartbeatMessage::Tick => tick(&myself, &state.args).await,
        }
        Ok(())
    }
}

async fn tick(myself: &ActorRef<HeartbeatMessage>, args: &HeartbeatArgs) {
    let peers = ractor::pg::get_scoped_members(&args.scope, &GROUP.to_owned());
    for cell in peers {
        if cell.get_id() == myself.get_id() || cell.get_id().is_local() {
            continue;
        }
        let node_id = cell.get_id().node();
        let peer: ActorRef<HeartbeatMessage> = cell.into();
        let membership = args.membership.clone();
        // Bounded: each ping gives up after one interval, so pings to a
        // hung peer never pile up.
        let wait = args.interval;
        tokio::spawn(async move {
            let answer = peer.call(HeartbeatMessage::Ping, Some(wait)).await;
            if let Ok(CallResult::Success(WireAnnouncement(Some(announcement)))) = answer {
                let name = announcement.name.clone();
                let protocol = announcement.protocol;
                match membership.heard(node_id, announcement, now_ms()) {
                    _ if protocol != PROTOCOL_VERSION => {}
                    None => tracing::info!(peer = %name, node_id, "peer joined"),
                    Some(Health::Up) => {}
                    Some(before) => {
                        tracing::info!(peer = %name, node_id, ?before, "peer answers again")
                    }
                }
            }
        });
    }
    for name in args
        .membership
        .expire(now_ms(), args.timeout.as_millis() as u64)
    {
        tracing::warn!(
            peer = %name,
            timeout_ms = args.timeout.as_millis() as u64,
            "peer silent past the heartbeat timeout: its agents are skipped until it answers"
        );
    }
    let refused = args.membership.refused_ids();
    if let (false, Some(server)) = (refused.is_empty(), args.server.get()) {
        close_sessions(&server, &refused).await;
    }
}

/// Closes the sessions to peers that speak another protocol version.
async fn close_sessions(server: &ActorRef<NodeServerMessage>, ids: &[u64]) {
    let Ok(CallResult::Success(sessions)) = server
        .call(NodeServerMessage::GetSessions, Some(Duration::from_secs(1)))
        .await
    else {
        return;
    };
    for (id, session) in sessions {
        if ids.contains(&id) {
            tracing::error!(
                node_id = id,
                peer = ?session.peer_name.map(|n| n.name),
                ours = PROTOCOL_VERSION,
                "refusing a peer that speaks another cluster protocol version; upgrade it or roll this node back"
            );
            session
                .actor
                .stop(Some("incompatible cluster protocol".into()));
        }
    }
}
