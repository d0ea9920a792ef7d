//! Who reads a report and which families it is about: the dimensions a
//! dashboard filters on, and the figures beside a selection that a reader
//! could subtract from it.

use serde::Serialize;

use crate::referral::ReferralSource;
use crate::role::Role;

/// Where a group of counted families belongs: what the dashboard filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub programme_id: i64,
    pub team_id: i64,
    pub source: ReferralSource,
    /// The home organisation of the coordinator at the start of help (or,
    /// for a family still waiting, the one assigned now); none when no one is.
    pub organisation_id: Option<i64>,
}

/// The families a report is about; `None` is every value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    pub programme_id: Option<i64>,
    pub team_id: Option<i64>,
    pub source: Option<ReferralSource>,
    pub organisation_id: Option<i64>,
}

impl Filter {
    pub fn matches(&self, k: &Key) -> bool {
        self.programme_id.is_none_or(|p| p == k.programme_id)
            && self.team_id.is_none_or(|t| t == k.team_id)
            && self.source.is_none_or(|s| s == k.source)
            && self
                .organisation_id
                .is_none_or(|o| Some(o) == k.organisation_id)
    }

    /// The selections with one of this one's filters dropped: the reader
    /// can ask for each, and the difference with this one must not be a
    /// small group.
    pub fn wider(&self) -> Vec<Filter> {
        let mut out = Vec::new();
        if self.programme_id.is_some() {
            out.push(Filter {
                programme_id: None,
                ..*self
            });
        }
        if self.team_id.is_some() {
            out.push(Filter {
                team_id: None,
                ..*self
            });
        }
        if self.source.is_some() {
            out.push(Filter {
                source: None,
                ..*self
            });
        }
        if self.organisation_id.is_some() {
            out.push(Filter {
                organisation_id: None,
                ..*self
            });
        }
        out
    }
}

/// Who reads a report, and so what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// A coordinator: the families they are or were coordinator of, in
    /// full; they know these families.
    Own { worker_id: i64 },
    /// A supervisor: the team's families, in full.
    Team { team_id: i64 },
    /// An analyst, the municipality or an administrator: every family, in
    /// aggregate only, small numbers withheld.
    Aggregates,
}

impl Audience {
    /// The audience of a role; `None`: reports are not theirs (intake, the
    /// privacy officer), or a coordinator or supervisor without a worker
    /// record or team.
    pub fn of(role: Role, team_id: Option<i64>, worker_id: Option<i64>) -> Option<Audience> {
        match role {
            Role::Coordinator => worker_id.map(|worker_id| Audience::Own { worker_id }),
            Role::Supervisor => team_id.map(|team_id| Audience::Team { team_id }),
            Role::Analyst | Role::Admin => Some(Audience::Aggregates),
            Role::Intake | Role::PrivacyOfficer => None,
        }
    }

    /// Whether small numbers are withheld from this audience.
    pub fn suppressed(self) -> bool {
        self == Audience::Aggregates
    }

    /// The filter as this audience may have it: a supervisor's is always
    /// their own team.
    pub fn restrict(self, filter: Filter) -> Filter {
        match self {
            Audience::Team { team_id } => Filter {
                team_id: Some(team_id),
                ..filter
            },
            _ => filter,
        }
    }
}
