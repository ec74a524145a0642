//! # errand-gateway
//!
//! The front door: the axum application that people's clients talk to.
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`app`](mod@app) | the one list of routes ([`app::routes`]): the router and the OpenAPI document made from it; middleware; `serve` |
//! | [`state`] | `AppState`, what every handler shares |
//! | [`error`] | `ApiError` and the problem+json it answers with |
//! | [`extract`] | the caller, the client's address, JSON bodies |
//! | [`commands`] | REST commands handed to the router (`agent.cmd`) and answered with their result; quotes; a command's state; cancelling |
//! | [`waiters`] | REST callers waiting for their command's final status |
//! | [`services`] | payment charges and place resolution over HTTP |
//! | [`sessions`] | utterances over HTTP and a session's events as SSE |
//! | [`ops`] | health, readiness, metrics, the cluster, hello |
//! | [`ws_text`] | `/v1/ws/text` and `/v1/ws/mic`: the client protocol over a WebSocket |
//! | [`auth`] | bearer tokens: a static list or HS256 JWTs |
//! | [`front`] | what every entry point does with an utterance or a command (validate, trace id, `received`, publish) |
//! | [`hub`] | the sockets of each session, `seq` numbering, replay |
//! | [`fanout`] | the actor that pushes `agent.status` and `agent.out.clarify` to sockets and REST waiters |
//! | [`listener`] | the HTTP listener actor: binds and serves the app, restarted by the gateway role |
//! | [`role`] | the gateway role: the fanout, its ingresses and the HTTP listener |
//! | [`local`] | an in-process client (the REPL and the test harness) |
//! | [`audio`], [`web`] | audio checks for `/v1/ws/mic`; the page |

pub mod app;
pub mod audio;
pub mod auth;
pub mod commands;
pub mod error;
pub mod extract;
pub mod fanout;
pub mod front;
pub mod hub;
pub mod listener;
pub mod local;
pub mod ops;
pub mod role;
pub mod services;
pub mod sessions;
pub mod state;
pub mod waiters;
pub mod web;
pub mod ws_text;

pub use app::{app, serve};
pub use front::{Front, Limits};
pub use hub::SessionHub;
pub use role::GatewayRole;
pub use state::{AppState, ClusterView};
