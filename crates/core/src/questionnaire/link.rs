//! One-time links: a parent answers a questionnaire on a phone without an
//! account, once, for a limited time.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How long a one-time link can be used.
pub const LINK_DAYS: i64 = 14;

/// When a link made at `made` stops working.
pub fn expires_at(made: DateTime<Utc>) -> DateTime<Utc> {
    made + Duration::days(LINK_DAYS)
}

/// Where a one-time link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    Open,
    Used,
    Expired,
    Withdrawn,
}

/// A link's state at `now`: used beats withdrawn beats expired; only an
/// open link can be answered.
pub fn state(
    used_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> LinkState {
    if used_at.is_some() {
        LinkState::Used
    } else if withdrawn_at.is_some() {
        LinkState::Withdrawn
    } else if expires_at <= now {
        LinkState::Expired
    } else {
        LinkState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_open_until_its_last_moment() {
        let made = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let until = expires_at(made);
        let just_before = until - Duration::seconds(1);
        assert_eq!(state(None, None, until, just_before), LinkState::Open);
        assert_eq!(state(None, None, until, until), LinkState::Expired);
        assert_eq!(state(None, Some(made), until, made), LinkState::Withdrawn);
        assert_eq!(state(Some(made), Some(made), until, until), LinkState::Used);
    }
}
