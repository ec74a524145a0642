//! Every bound on what errand holds in memory for work in flight, named in
//! one place. Queues between actors are bounded by the ingress window: an
//! ingress stops reading when `INGRESS_WINDOW` of its records are delivered
//! and not yet settled, so no mailbox behind it grows past that.

/// Records one ingress has delivered and not yet seen settled.
pub const INGRESS_WINDOW: usize = 64;

/// Parallel lanes of the reasoner (sessions spread over them; a slow model
/// call holds up its own lane only).
pub const REASONER_LANES: usize = 64;

/// Parallel lanes of the router (each waits for an agent's answer).
pub const ROUTER_LANES: usize = 128;

/// Parallel lanes of the state tracker.
pub const TRACKER_LANES: usize = 64;

/// Lanes of the error handler: dead letters are rare; one keeps them in order.
pub const ERROR_LANES: usize = 1;

/// Agent hosts per domain on a node: commands for a domain are carried out
/// this many at a time (a provider call or a store round trip no longer
/// holds up every other command of the domain). The router's calls go round
/// robin over them; each is supervised alone, so a panic stops one. A host
/// holds a command for its store calls and their announcements too (see
/// [`crate::agents::host`]): with 8, a node on Redis at 128 sessions made
/// the final step queue for a host (1,719 dialogues/s, confirmed p50
/// 68 ms; with 64, 2,176/s and 39 ms); 128 did no better than 64.
pub const AGENT_HOSTS: usize = 64;

/// Overdue commands the sweeper ends per sweep at most.
pub const SWEEP_BATCH: usize = 256;

/// Records a Kafka subscription has fetched and not yet delivered.
pub const KAFKA_FETCHED: usize = 256;

/// Records a Redis pub/sub subscription has received and not yet delivered.
pub const REDIS_RECEIVED: usize = 1024;

/// Records published in this process that its own Redis pub/sub
/// subscribers have not yet taken (a slower one misses the oldest).
pub const REDIS_LOCAL: usize = 4096;

/// Events kept per session for a reconnecting socket to replay.
pub const SESSION_REPLAY: usize = 256;

/// Bytes of events kept per session for replay (the oldest go first).
pub const SESSION_REPLAY_BYTES: usize = 1 << 20;

/// Sessions a reasoner keeps as it last saved them, so the next turn of
/// one needs no load (a save finds out when another node saved since).
pub const REASONER_SESSIONS: usize = 10_000;

/// Sessions a gateway remembers (sequence, replay, redelivery checks); past
/// it, the one idle longest with no socket open is forgotten.
pub const HUB_SESSIONS: usize = 10_000;

/// A session with no socket open is forgotten after this long without an
/// event (its client resumes from the state store, `GET /v1/commands/…`).
pub const HUB_IDLE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Events buffered per socket before it counts as too slow.
pub const SOCKET_BUFFER: usize = 64;

/// Commands whose state the in-memory store keeps (the oldest written go
/// first; `ERRAND_MEMORY_COMMANDS`).
pub const MEMORY_COMMANDS: usize = 10_000;

/// Dialogue sessions the in-memory store keeps (`ERRAND_MEMORY_SESSIONS`).
pub const MEMORY_SESSIONS: usize = 10_000;

/// Idempotency records the in-memory store keeps (`ERRAND_MEMORY_KEYS`).
pub const MEMORY_KEYS: usize = 25_000;

/// Orders (and bookings, and cancellations) a simulated provider
/// remembers, each for [`PROVIDER_MEMORY`]: what makes a repeated call
/// with the same id change nothing.
pub const PROVIDER_ORDERS: usize = 25_000;

/// How long a simulated provider remembers an order.
pub const PROVIDER_MEMORY: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Records a partition of the in-memory bus keeps on a topic some group
/// reads (read and committed ones go at once; this bounds a group stuck far
/// behind, like a Kafka retention limit).
pub const BUS_RETAINED: usize = 100_000;

/// Records a partition of the in-memory bus keeps on a topic no group reads.
pub const BUS_UNCONSUMED: usize = 1_024;
