//! The acting user of a use case, with the channel and address it came through.

use wrapcare_core::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Page,
    Api,
    Cli,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Page, Channel::Api, Channel::Cli];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Page => "page",
            Channel::Api => "api",
            Channel::Cli => "cli",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub team_id: Option<i64>,
    /// The worker record of a coordinator or supervisor, if they have one.
    pub worker_id: Option<i64>,
    pub channel: Channel,
    pub address: Option<String>,
    /// The data generation read with the actor's session or token, if they
    /// came with one: kept reads of the same request check against it.
    pub seen: Option<Seen>,
}

/// A data generation and when, in this process's writes, it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub generation: i64,
    /// [`wrapcare_store::Store::writes_begun`] just before it was read.
    pub writes_begun: u64,
}

impl Actor {
    pub fn is(&self, role: Role) -> bool {
        self.role == role
    }

    /// Refuses (403) unless the actor has one of the roles.
    pub fn require(&self, roles: &[Role]) -> crate::Result<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(crate::AppError::Forbidden)
        }
    }

    pub fn having_seen(mut self, seen: Seen) -> Actor {
        self.seen = Some(seen);
        self
    }

    pub fn via(mut self, channel: Channel, address: Option<String>) -> Actor {
        self.channel = channel;
        self.address = address;
        self
    }
}
