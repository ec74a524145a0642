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
//! | [`sessions`] | what errand can do (`/v1/hello`), utterances over HTTP, a session's events as SSE |
//! | [`origin`] | the browser edge: cross-site requests that act or stream are refused |
//! | [`ops`] | what every node serves: health, readiness, metrics, the cluster |
//! | [`ws_text`] | `/v1/ws/text` and `/v1/ws/mic`: the client protocol over a WebSocket |
//! | [`auth`] | bearer tokens: a static list or HS256 JWTs |
//! | [`front`] | what every entry point does with an utterance or a command (validate, trace id, `received`, publish) |
//! | [`hub`] | the sockets of each session, `seq` numbering, replay |
//! | [`fanout`] | the actor that pushes `agent.status` and `agent.out.clarify` to sockets and REST waiters |
//! | [`listener`] | the HTTP listener actor: binds and serves the app, restarted by the gateway role |
//! | [`role`] | the gateway role (the fanout, its ingresses, the HTTP listener) and the listener of a node that is not a gateway |
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
pub mod order;
pub mod origin;
pub mod role;
pub mod services;
pub mod sessions;
pub mod state;
pub mod waiters;
pub mod web;
pub mod ws_text;

pub use app::{app, ops_app, serve};
pub use front::{Front, Limits};
pub use hub::{HubLimits, SessionHub};
pub use ops::{ClusterView, Ops};
pub use role::{GatewayRole, OpsRole};
pub use state::AppState;
