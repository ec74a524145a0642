//! The HTTP listener actor: binds the node's HTTP address and serves an app
//! on it (the gateway's, or a node's health and metrics), as a child of its
//! role. If the server ends while the node
//! is not shutting down, the actor fails and its supervisor starts it
//! again, on the same address (the port a first `:0` bind was given, too).

use crate::app::serve;
use axum::Router;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The address the gateway serves, once bound.
#[derive(Clone, Default)]
pub struct Bound(Arc<Mutex<Option<SocketAddr>>>);

impl Bound {
    pub fn get(&self) -> Option<SocketAddr> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, addr: SocketAddr) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(addr);
    }
}

#[derive(Clone)]
pub struct ListenerArgs {
    pub router: Router,
    /// Turns `true` when the node shuts down.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Where to listen (`:0` for any free port).
    pub listen: SocketAddr,
    pub bound: Bound,
}

pub enum ListenerMessage {
    /// The server ended (with why).
    Ended(String),
}

impl ractor::Message for ListenerMessage {}

pub struct Listener;

pub struct ListenerState {
    server: JoinHandle<()>,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl Actor for Listener {
    type Msg = ListenerMessage;
    type State = ListenerState;
    type Arguments = ListenerArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: ListenerArgs,
    ) -> Result<Self::State, ActorProcessingErr> {
        let addr = args.bound.get().unwrap_or(args.listen);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let local = listener.local_addr()?;
        args.bound.set(local);
        tracing::info!(address = %local, "listening");
        let shutdown = args.shutdown.clone();
        let server = tokio::spawn(async move {
            let why = match serve(listener, args.router, args.shutdown).await {
                Ok(()) => "the server stopped".to_owned(),
                Err(e) => format!("the server failed: {e}"),
            };
            let _ = myself.send_message(ListenerMessage::Ended(why));
        });
        Ok(ListenerState { server, shutdown })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if *state.shutdown.borrow() {
            // Requests in flight finish; sockets were told to close.
            let _ = tokio::time::timeout(Duration::from_secs(10), &mut state.server).await;
        }
        state.server.abort();
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let ListenerMessage::Ended(why) = message;
        if *state.shutdown.borrow() {
            return Ok(());
        }
        Err(why.into())
    }
}
