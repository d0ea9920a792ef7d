//! The access log as a privacy officer reviews it: who may see which entries,
//! and what a review may ask for.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::dates::parse_date;
use crate::role::Role;

/// What came of an access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allowed,
    Refused,
    NotFound,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Allowed, Outcome::Refused, Outcome::NotFound];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Refused => "refused",
            Outcome::NotFound => "not_found",
        }
    }

    pub fn parse(value: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == value)
    }
}

/// Which entries a reviewer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The privacy officer: every entry, of every family and user.
    All,
    /// A supervisor: the entries about the families whose current episode is
    /// their team's (after a handover to another team, only the privacy
    /// officer reviews what happened to the family).
    Team(i64),
}

/// Who may review the access log, and how much of it. A privacy officer sees
/// all of it and none of the files; a supervisor sees what happened to the
/// families their team has now; nobody else reviews.
pub fn review_scope(role: Role, team_id: Option<i64>) -> Option<Scope> {
    match role {
        Role::PrivacyOfficer => Some(Scope::All),
        Role::Supervisor => team_id.map(Scope::Team),
        Role::Admin | Role::Coordinator | Role::Intake | Role::Analyst => None,
    }
}

/// Entries per page of a review; the export has no limit.
pub const PAGE_SIZE: i64 = 100;

/// The longest action filter accepted (action names are short dotted words).
const ACTION_MAX: usize = 64;

/// A review's filters, as typed in a form or a query string.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReviewInput {
    /// First day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    pub until: Option<String>,
    /// The user who acted.
    pub user: Option<String>,
    /// The family file.
    pub family: Option<String>,
    /// The start of the action's name, e.g. `family` or `plan.update`.
    pub action: Option<String>,
    /// `allowed`, `refused` or `not_found`.
    pub outcome: Option<String>,
    /// Only what was done under an emergency access.
    pub emergency: Option<String>,
    /// Entries older than this id (the next page).
    pub before: Option<String>,
}

impl ReviewInput {
    /// The filters from a query's pairs: a repeated key is no error (the last
    /// value counts) and keys the review does not know are left out.
    pub fn from_pairs(pairs: &[(String, String)]) -> ReviewInput {
        let get = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        ReviewInput {
            from: get("from"),
            until: get("until"),
            user: get("user"),
            family: get("family"),
            action: get("action"),
            outcome: get("outcome"),
            emergency: get("emergency"),
            before: get("before"),
        }
    }
}

/// A review's filters, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewFilter {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub user_id: Option<i64>,
    pub family_id: Option<i64>,
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    pub emergency_only: bool,
    pub before: Option<i64>,
}

impl ReviewFilter {
    /// Whether anything narrows the review (an unfiltered export is the whole log).
    pub fn is_narrowed(&self) -> bool {
        self.from.is_some()
            || self.until.is_some()
            || self.user_id.is_some()
            || self.family_id.is_some()
            || self.action.is_some()
            || self.outcome.is_some()
            || self.emergency_only
    }
}

fn text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn id(errors: &mut Invalid, field: &str, value: &Option<String>) -> Option<i64> {
    let value = text(value)?;
    match value.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errors.add(field, "error-positive-whole");
            None
        }
    }
}

/// Years a review's period may name: the log has nothing before 1900, and
/// both databases store any day up to 9999.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

fn date(errors: &mut Invalid, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    let value = text(value)?;
    let parsed = parse_date(value).filter(|d| YEARS.contains(&d.year()));
    if parsed.is_none() {
        errors.add(field, "error-date-format");
    }
    parsed
}

/// Checks a review's filters; every refused field is named.
pub fn review_filter(input: &ReviewInput) -> Result<ReviewFilter, Invalid> {
    let mut errors = Invalid::new();
    let from = date(&mut errors, "from", &input.from);
    let until = date(&mut errors, "until", &input.until);
    if let (Some(f), Some(u)) = (from, until)
        && f > u
    {
        errors.add("from", "error-period");
    }
    let user_id = id(&mut errors, "user", &input.user);
    let family_id = id(&mut errors, "family", &input.family);
    let before = id(&mut errors, "before", &input.before);
    let action = text(&input.action).map(str::to_lowercase);
    if let Some(a) = &action
        && (a.len() > ACTION_MAX
            || !a
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'))
    {
        errors.add("action", "error-action-filter");
    }
    let outcome = match text(&input.outcome) {
        None => None,
        Some(v) => {
            let parsed = Outcome::parse(v);
            if parsed.is_none() {
                errors.add("outcome", "error-choose-option");
            }
            parsed
        }
    };
    let emergency_only = match text(&input.emergency) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") | Some("on") => true,
        Some(_) => {
            errors.add("emergency", "error-choose-option");
            false
        }
    };
    errors.finish()?;
    Ok(ReviewFilter {
        from,
        until,
        user_id,
        family_id,
        action,
        outcome,
        emergency_only,
        before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(&str, &str)]) -> ReviewInput {
        let mut i = ReviewInput::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "from" => i.from = v,
                "until" => i.until = v,
                "user" => i.user = v,
                "family" => i.family = v,
                "action" => i.action = v,
                "outcome" => i.outcome = v,
                "emergency" => i.emergency = v,
                "before" => i.before = v,
                _ => unreachable!(),
            }
        }
        i
    }

    #[test]
    fn the_last_of_a_repeated_key_counts() {
        let pairs: Vec<(String, String)> = [("user", "1"), ("x", "y"), ("user", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let i = ReviewInput::from_pairs(&pairs);
        assert_eq!(i.user.as_deref(), Some("2"));
        assert_eq!(i.family, None);
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn only_privacy_officers_and_supervisors_review() {
        assert_eq!(review_scope(Role::PrivacyOfficer, None), Some(Scope::All));
        assert_eq!(
            review_scope(Role::Supervisor, Some(4)),
            Some(Scope::Team(4))
        );
        assert_eq!(review_scope(Role::Supervisor, None), None);
        for role in [Role::Admin, Role::Coordinator, Role::Intake, Role::Analyst] {
            assert_eq!(review_scope(role, Some(4)), None, "{role:?}");
        }
    }

    #[test]
    fn an_empty_review_asks_for_everything() {
        let f = review_filter(&input(&[("from", " "), ("action", "")])).expect("valid");
        assert_eq!(f, ReviewFilter::default());
        assert!(!f.is_narrowed());
    }

    #[test]
    fn filters_are_read() {
        let f = review_filter(&input(&[
            ("from", "2026-01-01"),
            ("until", "2026-01-31"),
            ("user", "7"),
            ("family", " 3 "),
            ("action", "Family.Read"),
            ("outcome", "refused"),
            ("emergency", "on"),
            ("before", "900"),
        ]))
        .expect("valid");
        assert_eq!(f.from, NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(f.until, NaiveDate::from_ymd_opt(2026, 1, 31));
        assert_eq!(
            (f.user_id, f.family_id, f.before),
            (Some(7), Some(3), Some(900))
        );
        assert_eq!(f.action.as_deref(), Some("family.read"));
        assert_eq!(f.outcome, Some(Outcome::Refused));
        assert!(f.emergency_only && f.is_narrowed());
    }

    #[test]
    fn every_wrong_field_is_named() {
        let e = review_filter(&input(&[
            ("from", "1-2-2026"),
            ("user", "-1"),
            ("family", "drie"),
            ("action", "x'; drop"),
            ("outcome", "maybe"),
            ("emergency", "yes please"),
            ("before", "0"),
        ]))
        .expect_err("invalid");
        assert_eq!(
            fields(e),
            [
                "from",
                "user",
                "family",
                "before",
                "action",
                "outcome",
                "emergency"
            ]
        );
        let e = review_filter(&input(&[("from", "2026-02-01"), ("until", "2026-01-01")]))
            .expect_err("reversed period");
        assert_eq!(fields(e), ["from"]);
        // A year chrono reads but no database stores is no day either.
        let e = review_filter(&input(&[
            ("from", "-5000-01-01"),
            ("until", "+262143-12-31"),
        ]))
        .expect_err("out of range");
        assert_eq!(fields(e), ["from", "until"]);
        let long = "a".repeat(ACTION_MAX + 1);
        assert!(review_filter(&input(&[("action", &long)])).is_err());
    }

    #[test]
    fn outcomes_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
    }
}
