//! [`ActorSlot`]: a stable handle to the current incarnation of a supervised
//! actor. A supervisor fills the slot every time it (re)starts the actor, so
//! whoever holds the slot reaches the live one without a global name.

use ractor::{ActorRef, Message, MessagingErr};
use std::sync::{Arc, RwLock};

pub struct ActorSlot<M: Message> {
    inner: Arc<RwLock<Option<ActorRef<M>>>>,
}

impl<M: Message> Clone for ActorSlot<M> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<M: Message> Default for ActorSlot<M> {
    fn default() -> Self {
        Self {
            inner: Arc::new(RwLock::new(None)),
        }
    }
}

impl<M: Message> ActorSlot<M> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A slot that already holds `actor`.
    pub fn of(actor: ActorRef<M>) -> Self {
        let slot = Self::new();
        slot.set(actor);
        slot
    }

    pub fn set(&self, actor: ActorRef<M>) {
        *self.inner.write().unwrap_or_else(|e| e.into_inner()) = Some(actor);
    }

    pub fn get(&self) -> Option<ActorRef<M>> {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends to the current incarnation. When there is none, or it has
    /// stopped, the message comes back (`Err(Some(message))`) so the caller
    /// can retry or dead-letter it; `Err(None)` means ractor consumed it.
    pub fn send(&self, message: M) -> Result<(), Option<M>> {
        match self.get() {
            Some(actor) => actor.send_message(message).map_err(|e| match e {
                MessagingErr::SendErr(m) => Some(m),
                _ => None,
            }),
            None => Err(Some(message)),
        }
    }
}
