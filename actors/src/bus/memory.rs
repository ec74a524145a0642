//! The in-memory bus of the embedded default: the same semantics as the
//! Kafka bridges (partitions, consumer groups, commits of the acknowledged
//! prefix, redelivery of what was not acknowledged), inside one process.

use super::{AckToken, Bus, BusError, Delivery, OutRecord, Record, Subscription, partition_for};
use async_trait::async_trait;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

use crate::bounds::{BUS_RETAINED, BUS_UNCONSUMED};

/// An in-process bus. Cheap to clone; clones share the topics.
#[derive(Clone)]
pub struct MemoryBus {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    partitions: u32,
}

#[derive(Default)]
struct State {
    topics: HashMap<String, Vec<PartitionLog>>,
    groups: HashMap<String, Group>,
    /// Each member's wake-up, by the topics its group reads: a record
    /// wakes only the subscriptions that may take it, not every one.
    readers: HashMap<String, Vec<(u64, Arc<Notify>)>>,
    next_member: u64,
    closed: bool,
}

impl State {
    /// Wakes every member (to rebalance, or to see the bus closed).
    fn wake_all(&self) {
        for (_, notify) in self.readers.values().flatten() {
            notify.notify_one();
        }
    }
}

#[derive(Default)]
struct PartitionLog {
    /// Offset of `records[0]`.
    start: u64,
    records: VecDeque<Record>,
}

impl PartitionLog {
    fn end(&self) -> u64 {
        self.start + self.records.len() as u64
    }

    fn get(&self, offset: u64) -> Option<&Record> {
        offset
            .checked_sub(self.start)
            .and_then(|i| self.records.get(i as usize))
    }
}

type PartitionId = (String, u32);

#[derive(Default)]
struct Group {
    topics: BTreeSet<String>,
    members: Vec<u64>,
    generation: u64,
    /// Next offset to commit per partition.
    committed: HashMap<PartitionId, u64>,
    /// Acknowledged offsets above the committed one.
    acked: HashMap<PartitionId, BTreeSet<u64>>,
}

impl MemoryBus {
    /// A bus whose topics have `partitions` partitions each.
    pub fn new(partitions: u32) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::default()),
                partitions: partitions.max(1),
            }),
        }
    }

    /// Stops every subscription (they return `None`).
    pub fn close(&self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.wake_all();
    }

    /// How many records of `topic` group `group` has not committed yet (its lag).
    pub fn lag(&self, group: &str, topic: &str) -> u64 {
        let state = self.shared.lock();
        let Some(parts) = state.topics.get(topic) else {
            return 0;
        };
        let group = state.groups.get(group);
        parts
            .iter()
            .enumerate()
            .map(|(p, log)| {
                let committed = group
                    .and_then(|g| g.committed.get(&(topic.to_owned(), p as u32)))
                    .copied()
                    .unwrap_or(log.start);
                log.end().saturating_sub(committed)
            })
            .sum()
    }

    /// Every record currently retained on `topic`, in partition then offset order.
    pub fn records(&self, topic: &str) -> Vec<Record> {
        let state = self.shared.lock();
        state
            .topics
            .get(topic)
            .map(|parts| {
                parts
                    .iter()
                    .flat_map(|p| p.records.iter().cloned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new(4)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock means a panic while holding it; the data is still
        // consistent (every mutation completes before unlocking).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn topic<'a>(&self, state: &'a mut State, topic: &str) -> &'a mut Vec<PartitionLog> {
        state.topics.entry(topic.to_owned()).or_insert_with(|| {
            (0..self.partitions)
                .map(|_| PartitionLog::default())
                .collect()
        })
    }

    fn ack(&self, group: &str, topic: &str, partition: u32, offset: u64) {
        let mut state = self.lock();
        let Some(g) = state.groups.get_mut(group) else {
            return;
        };
        let id = (topic.to_owned(), partition);
        let committed = g.committed.entry(id.clone()).or_insert(0);
        if offset < *committed {
            return; // acknowledged twice, or redelivered after a commit
        }
        let acked = g.acked.entry(id).or_default();
        acked.insert(offset);
        while acked.remove(committed) {
            *committed += 1;
        }
        self.trim(&mut state, topic, partition);
    }

    /// Drops records every group subscribed to `topic` has committed.
    fn trim(&self, state: &mut State, topic: &str, partition: u32) {
        let id = (topic.to_owned(), partition);
        let low = state
            .groups
            .values()
            .filter(|g| g.topics.contains(topic))
            .map(|g| g.committed.get(&id).copied().unwrap_or(0))
            .min();
        if let (Some(low), Some(parts)) = (low, state.topics.get_mut(topic))
            && let Some(log) = parts.get_mut(partition as usize)
        {
            while log.start < low && log.records.pop_front().is_some() {
                log.start += 1;
            }
        }
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, out: OutRecord) -> Result<(), BusError> {
        if out.topic.is_empty() {
            return Err(BusError::Invalid("empty topic name".into()));
        }
        {
            let mut state = self.shared.lock();
            if state.closed {
                return Err(BusError::Closed);
            }
            let partition = partition_for(&out.key, self.shared.partitions);
            let out_topic = out.topic.clone();
            let log = &mut self.shared.topic(&mut state, &out.topic)[partition as usize];
            let record = Record {
                topic: out.topic,
                partition,
                offset: log.end(),
                key: out.key,
                value: out.value,
                headers: out.headers,
            };
            log.records.push_back(record);
            // Like a Kafka retention limit: what no group will read goes
            // soon, and a group stuck far behind cannot take all memory.
            let read = (state.groups.values()).any(|g| g.topics.contains(&out_topic));
            let keep = if read { BUS_RETAINED } else { BUS_UNCONSUMED };
            let log = &mut self.shared.topic(&mut state, &out_topic)[partition as usize];
            while log.records.len() > keep && log.records.pop_front().is_some() {
                log.start += 1;
            }
            for (_, notify) in state.readers.get(&out_topic).into_iter().flatten() {
                // A permit is kept when the member is not waiting yet, so a
                // record published between its poll and its wait is not missed.
                notify.notify_one();
            }
        }
        Ok(())
    }

    fn lags(&self) -> Vec<(String, String, i64)> {
        let pairs: Vec<(String, String)> = {
            let state = self.shared.lock();
            state
                .groups
                .iter()
                .flat_map(|(g, group)| group.topics.iter().map(move |t| (g.clone(), t.clone())))
                .collect()
        };
        pairs
            .into_iter()
            .map(|(g, t)| {
                let lag = self.lag(&g, &t) as i64;
                (g, t, lag)
            })
            .collect()
    }

    async fn subscribe(
        &self,
        group: &str,
        topics: &[String],
    ) -> Result<Box<dyn Subscription>, BusError> {
        let mut state = self.shared.lock();
        if state.closed {
            return Err(BusError::Closed);
        }
        let mut starts = Vec::new();
        for topic in topics {
            for (p, log) in self.shared.topic(&mut state, topic).iter().enumerate() {
                starts.push(((topic.clone(), p as u32), log.start));
            }
        }
        let member = state.next_member;
        state.next_member += 1;
        let g = state.groups.entry(group.to_owned()).or_default();
        g.topics.extend(topics.iter().cloned());
        for (id, start) in starts {
            // A new group starts at the oldest retained record.
            g.committed.entry(id).or_insert(start);
        }
        g.members.push(member);
        g.generation += 1;
        let notify = Arc::new(Notify::new());
        for topic in topics {
            let readers = state.readers.entry(topic.clone()).or_default();
            if !readers.iter().any(|(m, _)| *m == member) {
                readers.push((member, notify.clone()));
            }
        }
        // The group's other members take their new share.
        state.wake_all();
        drop(state);
        Ok(Box::new(MemorySubscription {
            shared: self.shared.clone(),
            notify,
            group: group.to_owned(),
            topics: topics.to_vec(),
            member,
            generation: 0,
            positions: Vec::new(),
            cursor: 0,
        }))
    }
}

struct MemorySubscription {
    shared: Arc<Shared>,
    /// Woken when a record arrives on one of its topics, or the group
    /// changes.
    notify: Arc<Notify>,
    group: String,
    topics: Vec<String>,
    member: u64,
    /// The group generation `positions` was computed for.
    generation: u64,
    /// Next offset to deliver, per assigned partition.
    positions: Vec<(PartitionId, u64)>,
    /// Round-robin start among partitions, so none starves.
    cursor: usize,
}

impl MemorySubscription {
    fn poll(&mut self) -> Option<Option<Delivery>> {
        let shared = self.shared.clone();
        let state = shared.lock();
        if state.closed {
            return Some(None);
        }
        let group = state.groups.get(&self.group)?;
        if group.generation != self.generation {
            self.rebalance(&state);
        }
        let n = self.positions.len();
        for i in 0..n {
            let idx = (self.cursor + i) % n;
            let ((topic, partition), next) = &self.positions[idx];
            let log = &state.topics.get(topic)?[*partition as usize];
            let next = (*next).max(log.start);
            if let Some(record) = log.get(next).cloned() {
                self.positions[idx].1 = next + 1;
                self.cursor = idx + 1;
                let shared = self.shared.clone();
                let group = self.group.clone();
                drop(state);
                let (topic, partition, offset) =
                    (record.topic.clone(), record.partition, record.offset);
                let ack = AckToken::new(move || shared.ack(&group, &topic, partition, offset));
                return Some(Some(Delivery { record, ack }));
            }
        }
        drop(state);
        None
    }

    /// Takes this member's share of the group's partitions, starting from
    /// the committed offsets.
    fn rebalance(&mut self, state: &State) {
        let Some(group) = state.groups.get(&self.group) else {
            return;
        };
        self.generation = group.generation;
        let members = group.members.len().max(1);
        let rank = group
            .members
            .iter()
            .position(|m| *m == self.member)
            .unwrap_or(0);
        let mut all: Vec<PartitionId> = Vec::new();
        for topic in &self.topics {
            for p in 0..self.shared.partitions {
                all.push((topic.clone(), p));
            }
        }
        self.positions = all
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % members == rank)
            .map(|(_, id)| {
                let committed = group.committed.get(&id).copied().unwrap_or(0);
                (id, committed)
            })
            .collect();
        self.cursor = 0;
    }
}

#[async_trait]
impl Subscription for MemorySubscription {
    async fn next(&mut self) -> Option<Delivery> {
        let notify = self.notify.clone();
        loop {
            if let Some(result) = self.poll() {
                return result;
            }
            notify.notified().await;
        }
    }
}

impl Drop for MemorySubscription {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        if let Some(g) = state.groups.get_mut(&self.group) {
            g.members.retain(|m| *m != self.member);
            g.generation += 1;
        }
        for readers in state.readers.values_mut() {
            readers.retain(|(m, _)| *m != self.member);
        }
        state.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn out(topic: &str, key: &str, v: &str) -> OutRecord {
        OutRecord {
            topic: topic.into(),
            key: key.into(),
            value: v.as_bytes().to_vec(),
            headers: vec![],
        }
    }

    async fn next(sub: &mut Box<dyn Subscription>) -> Delivery {
        tokio::time::timeout(Duration::from_secs(2), sub.next())
            .await
            .expect("a record within 2 s")
            .expect("bus open")
    }

    #[tokio::test]
    async fn per_key_order_and_every_group_sees_every_record() {
        let bus = MemoryBus::new(4);
        let topics = vec!["t".to_owned()];
        let mut a = bus.subscribe("a", &topics).await.unwrap();
        let mut b = bus.subscribe("b", &topics).await.unwrap();
        for i in 0..20 {
            bus.publish(out("t", &format!("k{}", i % 3), &i.to_string()))
                .await
                .unwrap();
        }
        for sub in [&mut a, &mut b] {
            let mut seen: HashMap<String, Vec<u32>> = HashMap::new();
            for _ in 0..20 {
                let d = next(sub).await;
                let v: u32 = String::from_utf8(d.record.value.clone())
                    .unwrap()
                    .parse()
                    .unwrap();
                seen.entry(d.record.key.clone()).or_default().push(v);
                d.ack.ack();
            }
            for values in seen.values() {
                assert!(values.windows(2).all(|w| w[0] < w[1]), "order kept per key");
            }
            assert_eq!(seen.values().map(Vec::len).sum::<usize>(), 20);
        }
        assert_eq!(bus.lag("a", "t"), 0);
    }

    #[tokio::test]
    async fn unacknowledged_records_are_delivered_again() {
        let bus = MemoryBus::new(1);
        let topics = vec!["t".to_owned()];
        let mut sub = bus.subscribe("g", &topics).await.unwrap();
        for v in ["one", "two", "three"] {
            bus.publish(out("t", "k", v)).await.unwrap();
        }
        let first = next(&mut sub).await;
        first.ack.ack();
        let second = next(&mut sub).await; // delivered, never acknowledged
        drop(second);
        let third = next(&mut sub).await;
        third.ack.ack();
        assert_eq!(
            bus.lag("g", "t"),
            2,
            "the commit stops at the unacknowledged record"
        );
        drop(sub); // the consumer dies
        let mut again = bus.subscribe("g", &topics).await.unwrap();
        let redelivered = next(&mut again).await;
        assert_eq!(redelivered.record.value, b"two");
        redelivered.ack.ack();
        assert_eq!(bus.lag("g", "t"), 0, "\"three\" was acknowledged already");
    }

    #[tokio::test]
    async fn members_of_a_group_share_partitions() {
        let bus = MemoryBus::new(4);
        let topics = vec!["t".to_owned()];
        let mut a = bus.subscribe("g", &topics).await.unwrap();
        let mut b = bus.subscribe("g", &topics).await.unwrap();
        for i in 0..40 {
            bus.publish(out("t", &format!("key-{i}"), "x"))
                .await
                .unwrap();
        }
        let mut got = 0;
        for sub in [&mut a, &mut b] {
            while let Ok(Some(d)) =
                tokio::time::timeout(Duration::from_millis(100), sub.next()).await
            {
                d.ack.ack();
                got += 1;
            }
        }
        assert_eq!(got, 40, "each record goes to exactly one member");
    }
}
