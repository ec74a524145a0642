//! # errand-cluster
//!
//! The node runtime: which roles a node runs and how they are assembled into
//! one supervision tree ([`node`]), and the `errand` binary (`src/main.rs`).
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`node`] | `Role`, `NodeOptions` (the embedded default and its parts), `Node::start` |

pub mod node;

pub use node::{Node, NodeError, NodeOptions, Role};
