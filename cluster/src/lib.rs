//! # errand-cluster
//!
//! The node runtime: which roles a node runs and how they are assembled into
//! one supervision tree ([`node`]), and the `errand` binary (`src/main.rs`).
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`config`] | `Config`: the effective configuration a node runs with, validated at start |
//! | [`settings`] | every setting (flag, `ERRAND_…` variable, TOML key) as one typed struct; `errand env`, `errand config show` |
//! | [`dlq`] | `errand dlq list` and `errand dlq replay`: dead letters on `agent.error` |
//! | [`nlu_cli`] | `errand nlu predict` and `errand nlu eval` on labelled utterances |
//! | [`node`] | `Role`, `NodeOptions` (the embedded default and its parts), `Node::start` |
//! | [`trace`] | `errand trace`: a command's lifecycle, from the configured store |

pub mod config;
pub mod conversations;
pub mod dlq;
pub mod heartbeat;
pub mod membership;
pub mod mesh;
pub mod nlu_cli;
pub mod node;
pub mod roles;
pub mod seeds;
pub mod settings;
pub mod status;
pub mod trace;

pub use node::{Node, NodeError, NodeOptions};
pub use roles::Role;
