//! [`LocalClient`]: talks to the stack in-process, as a socket would.

use crate::front::Front;
use crate::front::Said;
use crate::hub::Subscription;
use errand_schemas::{ClientEvent, ErrorBody, SessionId, TraceId};
use std::time::Duration;

pub struct LocalClient {
    front: Front,
    sub: Subscription,
    user_id: String,
}

impl LocalClient {
    pub fn new(front: Front, session_id: SessionId, user_id: impl Into<String>) -> Self {
        let sub = front.hub.join(&session_id);
        Self {
            front,
            sub,
            user_id: user_id.into(),
        }
    }

    pub fn session_id(&self) -> &SessionId {
        &self.sub.session_id
    }

    /// Says something; the `ack` (or `error`) also arrives as an event.
    pub async fn say(&self, text: &str) -> Result<TraceId, ErrorBody> {
        self.front
            .submit(
                &self.sub.session_id,
                &self.user_id,
                Said::typed(text),
                Some(self.sub.id),
            )
            .await
    }

    /// The next event, or `None` if none arrives within `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Option<ClientEvent> {
        tokio::time::timeout(timeout, self.sub.events.recv())
            .await
            .ok()
            .flatten()
            .map(std::sync::Arc::unwrap_or_clone)
    }
}
