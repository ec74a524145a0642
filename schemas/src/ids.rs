//! Identifiers and the wall clock.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Encode, Decode, schemars::JsonSchema)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

id_type!(
    /// Identifies one command from its first utterance to its final status.
    /// Time-ordered (UUID v7), so sorting trace ids sorts by creation time.
    TraceId
);
id_type!(
    /// Identifies one conversation: the records of a session share a Kafka key,
    /// so they stay in order.
    SessionId
);

impl TraceId {
    /// A new, time-ordered trace id. The gateway mints one for each
    /// utterance and REST command it accepts; every other trace derives
    /// from one of those ([`TraceId::child`]).
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The `n`th further command started by the utterance whose trace is
    /// `self` ("a burger, and a cab home": the cab is child 1). The same
    /// every time it is derived, so a replayed turn starts the same
    /// commands; still a UUID with its parent's time, so it sorts beside it.
    pub fn child(&self, n: u32) -> TraceId {
        let Ok(parent) = uuid::Uuid::parse_str(&self.0) else {
            return TraceId(format!("{}.{n}", self.0));
        };
        let mut bytes = *parent.as_bytes();
        // SplitMix64 of the parent's random tail and n: bytes 10..16 only,
        // so the version, variant and timestamp stay the parent's.
        let mut tail = [0u8; 8];
        tail.copy_from_slice(&bytes[8..16]);
        let mut z = u64::from_be_bytes(tail) ^ u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        bytes[10..16].copy_from_slice(&z.to_be_bytes()[2..8]);
        TraceId(uuid::Uuid::from_bytes(bytes).to_string())
    }
}

impl SessionId {
    /// A new random session id, for connections that bring none.
    pub fn generate() -> Self {
        Self(format!("s-{}", uuid::Uuid::now_v7().simple()))
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::TraceId;

    #[test]
    fn a_child_trace_is_stable_distinct_and_still_a_uuid() {
        let parent = TraceId::generate();
        let (one, two) = (parent.child(1), parent.child(2));
        assert_eq!(one, parent.child(1), "the same every time");
        assert!(one != parent && one != two && two != parent);
        assert_eq!(one.0[..18], parent.0[..18], "its parent's time and version");
        assert!(uuid::Uuid::parse_str(&one.0).is_ok());
        assert_eq!(TraceId("ext-7".into()).child(1).0, "ext-7.1");
    }
}
