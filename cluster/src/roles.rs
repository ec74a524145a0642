//! The roles a node can run, by name (`ERRAND_ROLES`), and the order a node
//! starts them in.

/// A role a node can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Gateway,
    Reasoner,
    Router,
    Agents,
    Tracker,
    Errors,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Gateway,
        Role::Reasoner,
        Role::Router,
        Role::Agents,
        Role::Tracker,
        Role::Errors,
    ];

    /// The order a node starts its roles in: who takes work before who
    /// gives it, the gateway last (it stops first).
    pub const START_ORDER: [Role; 6] = [
        Role::Agents,
        Role::Tracker,
        Role::Router,
        Role::Reasoner,
        Role::Errors,
        Role::Gateway,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Gateway => "gateway",
            Role::Reasoner => "reasoner",
            Role::Router => "router",
            Role::Agents => "agents",
            Role::Tracker => "tracker",
            Role::Errors => "errors",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}
