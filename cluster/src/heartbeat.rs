//! The heartbeat actor: the failure detection `ractor_cluster` lacks. Every
//! node runs one, in the process group `errand.nodes`; each interval it asks
//! every peer's heartbeat for its announcement (an RPC with a timeout), so a
//! hung peer (a stopped process whose socket stays open) is noticed when it
//! stops answering, not only a closed socket. A peer silent for
//! [`RECONNECT_AFTER`] heartbeat timeouts has its session closed, so the
//! link is dialled afresh (a connection that lost its way through a
//! partition never recovers by itself). A peer of another protocol version
//! is refused: its session is closed and its agents never called.

use crate::membership::{Announcement, Health, Membership, PROTOCOL_VERSION, WireAnnouncement};
use errand_actors::slot::ActorSlot;
use errand_schemas::now_ms;
use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use ractor_cluster::{NodeServerMessage, RactorClusterMessage};
use std::time::Duration;

/// Heartbeat timeouts of silence after which a peer's session is closed.
pub const RECONNECT_AFTER: u32 = 3;

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
    let after = args.timeout * RECONNECT_AFTER;
    let silent = (args.membership).long_silent(now_ms(), after.as_millis() as u64);
    let refused = args.membership.refused_ids();
    if silent.is_empty() && refused.is_empty() {
        return;
    }
    let Some(server) = args.server.get() else {
        return;
    };
    for (_, name) in &silent {
        tracing::warn!(peer = %name, silent_ms = after.as_millis() as u64, "peer silent for three heartbeat timeouts: closing its session so the link is dialled again");
    }
    let silent: Vec<u64> = silent.into_iter().map(|(id, _)| id).collect();
    close_sessions(&server, &silent, "silent past the heartbeat timeout").await;
    for (id, peer) in close_sessions(&server, &refused, "incompatible cluster protocol").await {
        tracing::error!(
            node_id = id,
            peer = ?peer,
            ours = PROTOCOL_VERSION,
            "refusing a peer that speaks another cluster protocol version; upgrade it or roll this node back"
        );
    }
}

/// Closes the sessions to `ids`; the ids and peer names it closed.
async fn close_sessions(
    server: &ActorRef<NodeServerMessage>,
    ids: &[u64],
    why: &str,
) -> Vec<(u64, Option<String>)> {
    if ids.is_empty() {
        return Vec::new();
    }
    let Ok(CallResult::Success(sessions)) = server
        .call(NodeServerMessage::GetSessions, Some(Duration::from_secs(1)))
        .await
    else {
        return Vec::new();
    };
    let mut closed = Vec::new();
    for (id, session) in sessions {
        if ids.contains(&id) {
            session.actor.stop(Some(why.into()));
            closed.push((id, session.peer_name.map(|n| n.name)));
        }
    }
    closed
}
