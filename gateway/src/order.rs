//! [`Order`]: how one gateway numbers one session's events, so that every
//! gateway numbers them alike and a page never drops a new one.
//!
//! A step or a question carries its *session event number* (`n`, from the
//! session's counter in the state store: one per step or question, by
//! one). Its events are shown as `seq = n × STRIDE + i` (i = 0 for the
//! status, 1 for its reply, …), the same on every gateway, so a client
//! that resumes on another gateway with `after_seq` gets exactly what it
//! missed. Events only this gateway has (an `ack`, an error about a frame,
//! a transcript echo) take the next number after the last one given,
//! between two shared numbers.
//!
//! The topics may bring numbered events out of order (a question and a
//! step travel on two topics; several roles record steps). An event ahead
//! of the next expected number is held until the gap fills, for at most
//! [`GAP_WAIT`]; then the gap is given up and what was held is shown. An
//! event that comes after its gap was given up is still shown (numbered
//! after the last one), never dropped. A number shown once is not shown
//! again (a redelivery).

use errand_schemas::ServerEvent;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio::time::Instant;

/// The `seq` room of one session event number: its events and the local
/// events after it. `n` starts at the clock in ms, so `seq` stays below
/// 2^53 (exact in JavaScript) until the 23rd century.
pub const STRIDE: u64 = 1024;

/// How long an event ahead of a missing number waits for it.
pub const GAP_WAIT: Duration = Duration::from_millis(250);

/// Events held at most (beyond, the oldest gap is given up at once).
const MAX_HELD: usize = 64;

#[derive(Default)]
pub struct Order {
    /// The last `seq` given.
    cursor: u64,
    /// The session event number expected next (unknown until one arrives).
    next: Option<u64>,
    /// The first number shown: every number from it up to `next` was
    /// shown, but for the `skipped` ones.
    first: Option<u64>,
    /// Groups that arrived ahead of `next`, with when they arrived.
    held: BTreeMap<u64, (Vec<ServerEvent>, Instant)>,
    /// Numbers given up waiting for (the newest [`MAX_SKIPPED`]): one that
    /// comes after all is shown late.
    skipped: BTreeSet<u64>,
}

/// Given-up numbers remembered at most.
const MAX_SKIPPED: usize = 64;

/// A group of events to show now, with its session event number.
pub type Group = (u64, Vec<ServerEvent>);

impl Order {
    /// The `seq` of a local event (one only this gateway has).
    pub fn local(&mut self) -> u64 {
        self.cursor += 1;
        self.cursor
    }

    /// The first `seq` of `len` events numbered `n`: `n × STRIDE` when that
    /// is ahead of every number given, else the next one (a late group).
    pub fn base(&mut self, n: u64, len: usize) -> u64 {
        let room = n.saturating_mul(STRIDE);
        let base = if room > self.cursor {
            room
        } else {
            self.cursor + 1
        };
        self.cursor = base + (len as u64).saturating_sub(1);
        base
    }

    /// A client has seen every event up to `after` (it resumed): what this
    /// gateway gives next is above it, even if it forgot the session.
    pub fn seen_up_to(&mut self, after: u64) {
        self.cursor = self.cursor.max(after);
    }

    /// Whether anything waits for a missing number.
    pub fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// A group numbered `n` arrived: the groups to show now, in order
    /// (none while it waits for a missing number, none for a redelivery).
    pub fn arrive(&mut self, n: u64, events: Vec<ServerEvent>, now: Instant) -> Vec<Group> {
        if self.was_shown(n) || self.held.contains_key(&n) {
            return Vec::new();
        }
        if let Some(next) = self.next
            && n > next
        {
            self.held.insert(n, (events, now));
            if self.held.len() > MAX_HELD {
                return self.give_up_gap();
            }
            return Vec::new();
        }
        self.skipped.remove(&n);
        let mut out = vec![self.show(n, events)];
        out.extend(self.drain());
        out
    }

    /// Whether `n` was shown before (a redelivery).
    fn was_shown(&self, n: u64) -> bool {
        match (self.first, self.next) {
            (Some(first), Some(next)) => (first..next).contains(&n) && !self.skipped.contains(&n),
            _ => false,
        }
    }

    /// Gives up the gaps something has waited [`GAP_WAIT`] for: the
    /// groups to show now.
    pub fn release_due(&mut self, now: Instant) -> Vec<Group> {
        let mut out = Vec::new();
        while (self.held.values()).any(|(_, at)| now.duration_since(*at) >= GAP_WAIT) {
            out.extend(self.give_up_gap());
        }
        out
    }

    fn give_up_gap(&mut self) -> Vec<Group> {
        let Some(ahead) = self.held.keys().next().copied() else {
            return Vec::new();
        };
        let from = self
            .next
            .unwrap_or(ahead)
            .max(ahead.saturating_sub(MAX_SKIPPED as u64));
        self.skipped.extend(from..ahead);
        while self.skipped.len() > MAX_SKIPPED {
            self.skipped.pop_first();
        }
        self.next = Some(ahead);
        self.drain()
    }

    /// Shows the held groups that follow on from `next`.
    fn drain(&mut self) -> Vec<Group> {
        let mut out = Vec::new();
        while let Some(next) = self.next
            && let Some((events, _)) = self.held.remove(&next)
        {
            out.push(self.show(next, events));
        }
        out
    }

    fn show(&mut self, n: u64, events: Vec<ServerEvent>) -> Group {
        self.next = Some(self.next.map_or(n + 1, |next| next.max(n + 1)));
        self.first = Some(self.first.map_or(n, |first| first.min(n)));
        (n, events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_schemas::TraceId;

    fn said(text: &str) -> Vec<ServerEvent> {
        vec![ServerEvent::Reply {
            trace_id: TraceId("t".into()),
            text: text.into(),
        }]
    }

    fn numbers(groups: &[Group]) -> Vec<u64> {
        groups.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn events_ahead_of_a_missing_number_wait_for_it() {
        let mut order = Order::default();
        let now = Instant::now();
        assert_eq!(numbers(&order.arrive(10, said("a"), now)), [10]);
        assert!(order.arrive(12, said("c"), now).is_empty(), "11 first");
        assert!(order.holding());
        assert_eq!(numbers(&order.arrive(11, said("b"), now)), [11, 12]);
        assert!(!order.holding());
        assert!(order.arrive(11, said("b"), now).is_empty(), "shown");
    }

    #[test]
    fn a_gap_is_given_up_after_the_wait_and_a_late_event_is_still_shown() {
        let mut order = Order::default();
        let now = Instant::now();
        order.arrive(10, said("a"), now);
        order.arrive(12, said("c"), now);
        assert!(order.release_due(now + GAP_WAIT / 2).is_empty());
        let released = order.release_due(now + GAP_WAIT);
        assert_eq!(numbers(&released), [12]);
        let base = order.base(12, 1);
        assert_eq!(base, 12 * STRIDE);
        // 11 comes after all: shown, after 12's events.
        assert_eq!(numbers(&order.arrive(11, said("b"), now)), [11]);
        assert_eq!(order.base(11, 1), 12 * STRIDE + 1);
        assert!(order.arrive(11, said("b"), now).is_empty(), "once");
        assert!(order.arrive(12, said("c"), now).is_empty(), "once");
        assert!(order.arrive(10, said("a"), now).is_empty(), "once");
    }

    #[test]
    fn local_events_fall_between_shared_ones_and_resume_raises_the_floor() {
        let mut order = Order::default();
        assert_eq!(order.base(7, 2), 7 * STRIDE);
        assert_eq!(order.local(), 7 * STRIDE + 2);
        assert_eq!(order.base(8, 1), 8 * STRIDE);
        let mut forgot = Order::default();
        forgot.seen_up_to(8 * STRIDE + 5);
        assert_eq!(forgot.local(), 8 * STRIDE + 6);
        assert_eq!(forgot.base(9, 1), 9 * STRIDE);
    }

    #[test]
    fn too_many_held_give_up_the_oldest_gap_at_once() {
        let mut order = Order::default();
        let now = Instant::now();
        order.arrive(1, said("a"), now);
        let mut shown = Vec::new();
        for n in 3..(3 + MAX_HELD as u64 + 1) {
            shown.extend(numbers(&order.arrive(n, said("x"), now)));
        }
        assert_eq!(shown.first(), Some(&3), "{shown:?}");
        assert!(!order.holding());
    }
}
