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
//! | [`node`] | `NodeOptions` (the embedded default and its parts), `Node::start`: a loop over the roles; `NodeOptions::plan` (`errand tree`) |
//! | [`roles`] | the roles a node can run, by name, and their start order |
//! | [`mesh`] | the cluster role: the `NodeServer`, the heartbeat and the seeds |
//! | [`heartbeat`] | the actor that asks every peer for its announcement, and notices a hung one |
//! | [`seeds`] | the actor that keeps this node connected to its seeds |
//! | [`membership`] | the nodes this one knows, their roles and health (`GET /v1/cluster`) |
//! | [`conversations`] | `errand test`: files of conversations run against a gateway |
//! | [`status`] | `errand cluster status` |
//! | [`telemetry`] | logs on stderr and, with `ERRAND_OTLP_ENDPOINT`, spans exported over OTLP/HTTP |
//! | [`trace`] | `errand trace`: a command's lifecycle, from the configured store |

pub mod bench;
pub mod config;
pub mod conversations;
pub mod dlq;
pub mod heartbeat;
pub mod membership;
pub mod mesh;
pub mod nlu_cli;
pub mod node;
pub mod roles;
pub mod scenario;
pub mod seeds;
pub mod settings;
pub mod status;
pub mod telemetry;
pub mod trace;

pub use node::{Node, NodeError, NodeOptions, Stopped};
pub use roles::Role;
