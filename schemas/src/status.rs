//! The command lifecycle: [`Status`], one step of it ([`StatusUpdate`], on
//! `agent.status`) and what the state store keeps ([`CommandState`], under
//! `state:{trace_id}`).

use crate::error::ErrorBody;
use crate::ids::{SessionId, TraceId};
use crate::result::ResultBody;
use crate::slots::SlotMap;
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Where a command stands.
///
/// ```text
/// received ─▶ understood ─▶ awaiting_confirmation ─▶ dispatched ─▶ confirmed ─▶ cancelled
///    │    ▲                     │      ▲                              │
///    ▼    └─────────────────────┼──────┘                              └─▶ failed
/// awaiting_clarification ◀──────┘ (a later turn changed something)
///
/// received ─▶ declined (out of scope) | answered (a question, small talk)
/// ```
///
/// Any status before `confirmed` may also end in `failed` (deadline, dead
/// letter) or `cancelled`; a confirmed command may still be `cancelled` (the
/// person cancelled a placed order and was refunded). Before dispatch, a later
/// dialogue turn may move between `awaiting_clarification`, `understood` and
/// `awaiting_confirmation` as the person changes things; otherwise transitions
/// only move forward (see [`Status::may_follow`]).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Encode,
    Decode,
    schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    AwaitingClarification,
    Understood,
    /// The command is priced and waits for the person's yes.
    AwaitingConfirmation,
    Dispatched,
    Confirmed,
    Failed,
    Declined,
    Cancelled,
    /// The utterance was a question or small talk, answered with a reply;
    /// no command came of it.
    Answered,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Received,
        Status::AwaitingClarification,
        Status::Understood,
        Status::AwaitingConfirmation,
        Status::Dispatched,
        Status::Confirmed,
        Status::Failed,
        Status::Declined,
        Status::Cancelled,
        Status::Answered,
    ];

    /// A final status ends the command's run: its deadline is disarmed. Only
    /// `cancelled` may still follow `confirmed` (a placed order cancelled).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Confirmed
                | Status::Failed
                | Status::Declined
                | Status::Cancelled
                | Status::Answered
        )
    }

    /// Waiting for the person (a question or a confirmation is open).
    pub fn is_waiting(self) -> bool {
        matches!(
            self,
            Status::AwaitingClarification | Status::AwaitingConfirmation
        )
    }

    /// The position in the lifecycle; a step may only raise it (but see
    /// [`Status::may_follow`] for the dialogue's back and forth).
    pub fn rank(self) -> u8 {
        match self {
            Status::Received => 0,
            Status::AwaitingClarification => 1,
            Status::Understood => 2,
            Status::AwaitingConfirmation => 3,
            Status::Dispatched => 4,
            Status::Confirmed => 5,
            Status::Failed | Status::Declined | Status::Cancelled | Status::Answered => 6,
        }
    }

    /// Whether `next` (from dialogue turn `next_turn`) may follow `self`
    /// (recorded at `turn`):
    /// - nothing follows `failed`, `declined`, `cancelled` or `answered`;
    /// - only `cancelled` follows `confirmed`;
    /// - before dispatch, a later turn may go back to a question or a new
    ///   confirmation (the person changed something), and a repeated one from
    ///   the same turn changes nothing (a duplicated event);
    /// - otherwise a step must raise the rank.
    pub fn may_follow(self, turn: u32, next: Status, next_turn: u32) -> bool {
        match self {
            Status::Confirmed => return next == Status::Cancelled,
            s if s.is_final() => return false,
            _ => {}
        }
        let dialogue = |s: Status| {
            matches!(
                s,
                Status::AwaitingClarification | Status::Understood | Status::AwaitingConfirmation
            )
        };
        if dialogue(self) && dialogue(next) && next_turn > turn {
            return true;
        }
        next.rank() > self.rank()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::AwaitingClarification => "awaiting_clarification",
            Status::Understood => "understood",
            Status::AwaitingConfirmation => "awaiting_confirmation",
            Status::Dispatched => "dispatched",
            Status::Confirmed => "confirmed",
            Status::Failed => "failed",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
            Status::Answered => "answered",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One lifecycle step, applied to the state store and then published on
/// `agent.status` (keyed by `session_id`) when it moved the command forward.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct StatusUpdate {
    pub trace_id: TraceId,
    pub session_id: SessionId,
    pub user_id: String,
    pub status: Status,
    /// The dialogue turn that produced this step (1 for the first utterance).
    #[serde(default)]
    pub turn: u32,
    pub at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<SlotMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// What to tell the person, if this step has something to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    /// When the command must have reached a final status (ms since epoch);
    /// set on the steps that (re)arm the deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Where this step stands among its session's events: a number from
    /// the session's counter, which the state store gives a step that
    /// moves a command (or the reasoner reserved for it). Every gateway
    /// numbers the step's events from it, so they agree. 0: not numbered.
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub seq: u64,
}

impl StatusUpdate {
    /// A bare step; fill the optional fields with struct update syntax.
    pub fn new(
        trace_id: TraceId,
        session_id: SessionId,
        user_id: impl Into<String>,
        status: Status,
        turn: u32,
    ) -> Self {
        Self {
            trace_id,
            session_id,
            user_id: user_id.into(),
            status,
            turn,
            at_ms: crate::ids::now_ms(),
            domain: None,
            intent: None,
            slots: None,
            result: None,
            error: None,
            reply: None,
            deadline_ms: None,
            seq: 0,
        }
    }
}

/// One entry of a command's history.
#[derive(
    Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct HistoryEntry {
    pub status: Status,
    pub at_ms: u64,
    #[serde(default)]
    pub turn: u32,
}

/// A command's current status and full history, as stored under
/// `state:{trace_id}` and returned by `GET /v1/commands/{trace_id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct CommandState {
    pub trace_id: TraceId,
    pub session_id: SessionId,
    pub user_id: String,
    pub status: Status,
    pub turn: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slots: Option<SlotMap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
    pub history: Vec<HistoryEntry>,
    /// The session event number of the last step (see [`StatusUpdate::seq`]).
    #[serde(default, skip_serializing_if = "crate::is_zero")]
    pub seq: u64,
}

impl CommandState {
    /// The state of a command whose first step is `step`.
    pub fn from_first(step: &StatusUpdate) -> Self {
        let mut state = Self {
            trace_id: step.trace_id.clone(),
            session_id: step.session_id.clone(),
            user_id: step.user_id.clone(),
            status: step.status,
            turn: step.turn,
            intent: None,
            slots: None,
            domain: None,
            result: None,
            error: None,
            deadline_ms: None,
            created_at_ms: step.at_ms,
            updated_at_ms: step.at_ms,
            history: Vec::new(),
            seq: 0,
        };
        state.absorb(step);
        state
    }

    /// Applies `step` if it moves the command forward; returns whether it did.
    /// This is the one transition rule: every store applies it atomically.
    pub fn apply(&mut self, step: &StatusUpdate) -> bool {
        if !self.status.may_follow(self.turn, step.status, step.turn) {
            return false;
        }
        self.absorb(step);
        true
    }

    fn absorb(&mut self, step: &StatusUpdate) {
        self.status = step.status;
        self.turn = self.turn.max(step.turn);
        self.updated_at_ms = step.at_ms;
        if step.intent.is_some() {
            self.intent.clone_from(&step.intent);
        }
        if step.slots.is_some() {
            self.slots.clone_from(&step.slots);
        }
        if step.domain.is_some() {
            self.domain.clone_from(&step.domain);
        }
        if step.result.is_some() {
            self.result.clone_from(&step.result);
        }
        if step.error.is_some() {
            self.error.clone_from(&step.error);
        }
        if step.status.is_final() {
            self.deadline_ms = None;
        } else if step.deadline_ms.is_some() {
            self.deadline_ms = step.deadline_ms;
        }
        self.history.push(HistoryEntry {
            status: step.status,
            at_ms: step.at_ms,
            turn: step.turn,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(status: Status, turn: u32) -> StatusUpdate {
        StatusUpdate::new("t".into(), "s".into(), "demo", status, turn)
    }

    #[test]
    fn transitions_never_go_backwards() {
        let mut state = CommandState::from_first(&step(Status::Received, 1));
        assert!(state.apply(&step(Status::Understood, 1)));
        assert!(state.apply(&step(Status::Dispatched, 1)));
        assert!(state.apply(&step(Status::Confirmed, 1)));
        assert!(
            !state.apply(&step(Status::Dispatched, 1)),
            "late dispatched"
        );
        assert!(!state.apply(&step(Status::Failed, 1)), "final stays final");
        assert_eq!(state.status, Status::Confirmed);
        let seen: Vec<_> = state.history.iter().map(|h| h.status).collect();
        assert_eq!(
            seen,
            [
                Status::Received,
                Status::Understood,
                Status::Dispatched,
                Status::Confirmed
            ]
        );
    }

    #[test]
    fn clarification_repeats_only_from_a_later_turn() {
        let mut state = CommandState::from_first(&step(Status::Received, 1));
        assert!(state.apply(&step(Status::AwaitingClarification, 1)));
        assert!(
            !state.apply(&step(Status::AwaitingClarification, 1)),
            "duplicate"
        );
        assert!(state.apply(&step(Status::AwaitingClarification, 2)));
        assert!(state.apply(&step(Status::Understood, 3)));
        assert!(state.apply(&step(Status::AwaitingConfirmation, 3)));
        assert!(
            !state.apply(&step(Status::AwaitingConfirmation, 3)),
            "duplicate"
        );
        // The person changed something that needs a question, then answered.
        assert!(state.apply(&step(Status::AwaitingClarification, 4)));
        assert!(state.apply(&step(Status::AwaitingConfirmation, 5)));
        assert!(state.apply(&step(Status::Dispatched, 6)));
        assert!(!state.apply(&step(Status::AwaitingClarification, 7)));
    }

    #[test]
    fn only_a_cancel_follows_a_confirmed_command() {
        let mut state = CommandState::from_first(&step(Status::Dispatched, 1));
        assert!(state.apply(&step(Status::Confirmed, 1)));
        assert!(!state.apply(&step(Status::Failed, 2)));
        assert!(state.apply(&step(Status::Cancelled, 2)));
        assert!(!state.apply(&step(Status::Cancelled, 3)), "final");
        assert!(!state.apply(&step(Status::Confirmed, 3)));
    }
}
