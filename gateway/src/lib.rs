//! # errand-gateway
//!
//! The front door: the axum application that people's clients talk to.
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`auth`] | bearer tokens: a static list or HS256 JWTs; the subject of a request |
//! | [`app`](mod@app) | the router (`fn app() -> Router`), health, the status API, `serve(listener, state)` |
//! | [`ws_text`] | `/v1/ws/text`: the client protocol over a WebSocket |
//! | [`front`] | what every entry point does with an utterance (validate, trace id, `received`, publish) |
//! | [`hub`] | the sockets of each session, `seq` numbering, replay |
//! | [`fanout`] | the actor that pushes `agent.status` and `agent.out.clarify` to sockets |
//! | [`listener`] | the HTTP listener actor: binds and serves the app, restarted by the gateway role |
//! | [`role`] | the gateway role: the fanout, its ingresses and the HTTP listener |
//! | [`local`] | an in-process client (the REPL and the test harness) |
//! | [`openapi`] | `/v1/openapi.json`, its schemas generated from the handlers' types |
//! | [`rest`] | the REST adapters per domain, with `Idempotency-Key` |

pub mod app;
pub mod audio;
pub mod auth;
pub mod fanout;
pub mod front;
pub mod hub;
pub mod listener;
pub mod local;
pub mod openapi;
pub mod rest;
pub mod role;
pub mod web;
pub mod ws_text;

pub use app::{AppState, ClusterView, app, serve};
pub use front::{Front, Limits};
pub use hub::SessionHub;
pub use role::GatewayRole;
