//! [`Aging`]: a map that forgets. It keeps at most a number of entries,
//! each for at most an age after it was last written; the entry written
//! longest ago goes first. The in-memory stores are built on it, so the
//! embedded default's memory is bounded however many commands, sessions
//! and idempotency keys its clients make up.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::time::Duration;
use tokio::time::Instant;

pub struct Aging<K, V> {
    map: HashMap<K, Entry<V>>,
    /// Writes, oldest first; a key written again has a stale earlier write
    /// here, recognised by its number and skipped.
    order: VecDeque<(u64, K)>,
    written: u64,
    max: usize,
    ttl: Duration,
}

struct Entry<V> {
    value: V,
    write: u64,
    at: Instant,
}

impl<K: Hash + Eq + Clone, V> Aging<K, V> {
    /// Keeps at most `max` entries (at least one), each for `ttl`.
    pub fn new(max: usize, ttl: Duration) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            written: 0,
            max: max.max(1),
            ttl,
        }
    }

    /// The value of `key`, unless it is older than the age limit.
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        (self.map.get(key))
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| &e.value)
    }

    /// Takes `key`'s value out, unless it is older than the age limit.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // Its write stays in the log, skipped as one of a key gone.
        (self.map.remove(key))
            .filter(|e| e.at.elapsed() < self.ttl)
            .map(|e| e.value)
    }

    /// Writes `key`; returns what was forgotten to make room (or for age).
    pub fn insert(&mut self, key: K, value: V) -> Vec<(K, V)> {
        self.written += 1;
        let write = self.written;
        self.order.push_back((write, key.clone()));
        self.map.insert(
            key,
            Entry {
                value,
                write,
                at: Instant::now(),
            },
        );
        self.forget()
    }

    /// Entries kept now (some may be past their age until the next write).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn forget(&mut self) -> Vec<(K, V)> {
        let mut gone = Vec::new();
        while let Some((write, key)) = self.order.front() {
            let Some(entry) = self.map.get(key) else {
                self.order.pop_front();
                continue;
            };
            if entry.write != *write {
                // Written again since: that later write is further back.
                self.order.pop_front();
                continue;
            }
            if self.map.len() <= self.max && entry.at.elapsed() < self.ttl {
                break;
            }
            let (_, key) = self.order.pop_front().expect("a front");
            if let Some(entry) = self.map.remove(&key) {
                gone.push((key, entry.value));
            }
        }
        if self.order.len() > 2 * self.map.len() + 1024 {
            // Many rewrites of the same keys: drop their stale writes.
            let map = &self.map;
            self.order
                .retain(|(write, key)| map.get(key).is_some_and(|e| e.write == *write));
        }
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_written_goes_first_and_a_rewrite_makes_an_entry_young() {
        let mut map = Aging::new(2, Duration::from_secs(60));
        assert!(map.insert("a", 1).is_empty());
        assert!(map.insert("b", 2).is_empty());
        assert!(map.insert("a", 3).is_empty(), "a rewrite adds nothing");
        assert_eq!(map.insert("c", 4), vec![("b", 2)]);
        assert_eq!(
            (map.get(&"a"), map.get(&"b"), map.get(&"c")),
            (Some(&3), None, Some(&4))
        );
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn a_removed_entry_is_gone_and_its_key_can_come_back() {
        let mut map = Aging::new(2, Duration::from_secs(60));
        map.insert("a", 1);
        map.insert("b", 2);
        assert_eq!(map.remove(&"a"), Some(1));
        assert_eq!((map.remove(&"a"), map.len()), (None, 1));
        assert!(map.insert("c", 3).is_empty(), "room was made");
        assert!(map.insert("a", 4).len() == 1, "the oldest, b, goes");
        assert_eq!((map.get(&"a"), map.get(&"b")), (Some(&4), None));
    }

    #[test]
    fn rewrites_of_a_few_keys_keep_the_write_log_small() {
        let mut map = Aging::new(10, Duration::from_secs(60));
        for i in 0..100_000 {
            map.insert(i % 3, i);
        }
        assert_eq!(map.len(), 3);
        assert!(map.order.len() <= 2 * 3 + 1025);
    }

    #[tokio::test(start_paused = true)]
    async fn an_entry_past_its_age_is_gone() {
        let mut map = Aging::new(10, Duration::from_secs(60));
        map.insert("old", 1);
        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(map.get(&"old"), None);
        assert_eq!(map.insert("new", 2), vec![("old", 1)]);
        assert_eq!(map.len(), 1);
    }
}
