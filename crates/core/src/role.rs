//! Who may do what: the roles of a login.

use serde::{Deserialize, Serialize};

/// A user's role. What each role may see is decided in the application layer;
/// this type only names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Coordinator,
    Intake,
    Analyst,
    /// Reviews the access log; never opens a family file.
    PrivacyOfficer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Supervisor,
        Role::Coordinator,
        Role::Intake,
        Role::Analyst,
        Role::PrivacyOfficer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Coordinator => "coordinator",
            Role::Intake => "intake",
            Role::Analyst => "analyst",
            Role::PrivacyOfficer => "privacy_officer",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Supervisors and coordinators work for one team; their login must name it.
    pub fn needs_team(self) -> bool {
        matches!(self, Role::Supervisor | Role::Coordinator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
