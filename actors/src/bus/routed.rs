//! [`RoutedBus`]: some topics on one bus, the rest on another.

use super::{Bus, BusError, OutRecord, Subscription};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Sends each topic to the bus routed for it, or to the default bus.
pub struct RoutedBus {
    default: Arc<dyn Bus>,
    routes: BTreeMap<String, Arc<dyn Bus>>,
}

impl RoutedBus {
    pub fn new(default: Arc<dyn Bus>) -> Self {
        Self {
            default,
            routes: BTreeMap::new(),
        }
    }

    /// Routes `topic` to `bus`.
    pub fn route(mut self, topic: &str, bus: Arc<dyn Bus>) -> Self {
        self.routes.insert(topic.to_owned(), bus);
        self
    }

    fn bus_for(&self, topic: &str) -> &Arc<dyn Bus> {
        self.routes.get(topic).unwrap_or(&self.default)
    }
}

#[async_trait]
impl Bus for RoutedBus {
    async fn publish(&self, record: OutRecord) -> Result<(), BusError> {
        self.bus_for(&record.topic).publish(record).await
    }

    async fn subscribe(
        &self,
        group: &str,
        topics: &[String],
    ) -> Result<Box<dyn Subscription>, BusError> {
        let Some(first) = topics.first() else {
            return self.default.subscribe(group, topics).await;
        };
        let bus = self.bus_for(first);
        if topics.iter().any(|t| !Arc::ptr_eq(self.bus_for(t), bus)) {
            return Err(BusError::Invalid(
                "one subscription cannot span topics routed to different buses".into(),
            ));
        }
        bus.subscribe(group, topics).await
    }

    fn redis_fanout(&self, topic: &str) -> Option<super::RedisChannel> {
        self.bus_for(topic).redis_fanout(topic)
    }

    async fn deliver_here(&self, record: OutRecord) -> Result<(), BusError> {
        self.bus_for(&record.topic).deliver_here(record).await
    }

    fn handed_over(&self) -> Vec<(String, u64)> {
        let mut handed = self.default.handed_over();
        for bus in self.routes.values() {
            handed.extend(bus.handed_over());
        }
        handed
    }

    fn lags(&self) -> Vec<(String, String, i64)> {
        let mut lags = self.default.lags();
        for bus in self.routes.values() {
            lags.extend(bus.lags());
        }
        lags
    }

    async fn ready(&self) -> bool {
        if !self.default.ready().await {
            return false;
        }
        for bus in self.routes.values() {
            if !bus.ready().await {
                return false;
            }
        }
        true
    }
}
