//! # errand-actors
//!
//! errand's services as supervised `ractor` actors, and what they stand on:
//! the bus and the stores behind traits (in memory here; Kafka and Redis in
//! production), the envelope that keeps records from being lost, and the
//! offline reasoner.
//!
//! # Layout
//!
//! | module | concept |
//! | --- | --- |
//! | [`bus`] | topics of keyed records: at least once, per-key order, done on acknowledgement; [`bus::MemoryBus`] |
//! | [`envelope`] | a record that reports itself to the retrier if dropped unacknowledged |
//! | [`laned`] | the laned worker: one actor type for every consumer that keeps per-session order, its lanes supervised |
//! | [`ingress`] | the actor that bridges a bus subscription into an actor, with a bounded window |
//! | [`retrier`] | every node's dead-letter office: retries with backoff, then `agent.error` |
//! | [`error_handler`] | consumes `agent.error`: marks the command failed, tells the person, keeps it |
//! | [`supervisor`] | one supervisor type for the root and every role; the tree as data (`TreeNode`), readiness (`Health`) |
//! | [`role`] | what a role is: a unit that builds its children from the node's shared parts (`NodeCtx`) |
//! | [`bounds`] | every bound on work in flight, named in one place |
//! | [`slot`] | a stable handle to the current incarnation of a supervised actor |
//! | [`store`] | command state, sessions, idempotency records, dead letters; memory implementations |
//! | [`recorder`] | the lifecycle recorder: records steps and announces them on `agent.status` |
//! | [`tracker`] | the state tracker actor: final steps from `agent.out.<domain>` its agent's host did not record |
//! | [`sweeper`] | fails commands past their deadline |
//! | [`nlu`] | the offline reader (the `errand-nlu` crate): intent and slots from an utterance; [`agents::catalog`] feeds it what errand sells |
//! | [`reading`] | what errand reads itself: typos, amounts, restaurants, places, times, yes and no, questions |
//! | [`dialogue`] | the dialogue policy: ask, correct, cancel, switch, decline |
//! | [`llm`] | the LLM reasoner: tool calling on an OpenAI-compatible endpoint, checked against the slot specs |
//! | [`reasoner`] | the reasoner actor: `transcript` to `agent.cmd` or a question |
//! | [`registry`] | domains, their actions and slots, and the `DomainAgent` trait |
//! | [`router`] | dispatches commands to domain agents found through process groups |
//! | [`agents`] | food, ride, mart, payment, location, the actor that hosts an agent, the caller that finds one, the agents role |
//! | [`metrics`] | command latency histograms per domain |
//! | [`spans`] | trace context across hops: `traceparent` on records and agent calls, one trace per command |
//! | [`clock`] | milliseconds that follow tokio's (pausable) clock |

pub mod agents;
pub mod bounds;
pub mod bus;
pub mod clock;
pub mod dialogue;
pub mod envelope;
pub mod error_handler;
pub mod ingress;
pub mod laned;
pub mod llm;
pub mod metrics;
/// The offline reader, its own crate.
pub use errand_nlu as nlu;
pub mod reading;
pub mod reasoner;
pub mod recorder;
pub mod registry;
pub mod retrier;
pub mod role;
pub mod router;
pub mod slot;
pub mod spans;
pub mod speech;
pub mod store;
pub mod supervisor;
pub mod sweeper;
pub mod tracker;
