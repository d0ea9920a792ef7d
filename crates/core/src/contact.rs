//! Contacts and hours: each contact or piece of work a coordinator logs for a
//! family, and the norms they are held against (hour budget, weekly intensity).
//! Durations are minutes; nothing is deleted: corrections and removals are kept.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::Invalid;

/// Longest a coordinator can work in one day, in minutes.
pub const MINUTES_PER_DAY: i64 = 24 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    HomeVisit,
    PhoneVideo,
    NetworkMeeting,
    ProviderMeeting,
    Travel,
    Administration,
}

impl ContactKind {
    pub const ALL: [ContactKind; 6] = [
        ContactKind::HomeVisit,
        ContactKind::PhoneVideo,
        ContactKind::NetworkMeeting,
        ContactKind::ProviderMeeting,
        ContactKind::Travel,
        ContactKind::Administration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::HomeVisit => "home_visit",
            ContactKind::PhoneVideo => "phone_video",
            ContactKind::NetworkMeeting => "network_meeting",
            ContactKind::ProviderMeeting => "provider_meeting",
            ContactKind::Travel => "travel",
            ContactKind::Administration => "administration",
        }
    }

    pub fn parse(value: &str) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Whether the family (or its network) took part: travel, administration
    /// and meetings with providers alone are work for a family, not contact.
    pub fn is_with_family(self) -> bool {
        matches!(
            self,
            ContactKind::HomeVisit | ContactKind::PhoneVideo | ContactKind::NetworkMeeting
        )
    }
}

/// A logged entry's standing: active, replaced by a correction, or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Active,
    Corrected,
    Removed,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Active => "active",
            EntryStatus::Corrected => "corrected",
            EntryStatus::Removed => "removed",
        }
    }

    pub fn parse(value: &str) -> Option<EntryStatus> {
        [
            EntryStatus::Active,
            EntryStatus::Corrected,
            EntryStatus::Removed,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// Checks one entry: a date not in the future and not before the episode's
/// acceptance, and a duration of 1 minute to 24 hours that, with what the
/// coordinator already logged that day, stays within 24 hours.
pub fn validate_entry(
    on: Option<NaiveDate>,
    minutes: Option<i64>,
    accepted_on: NaiveDate,
    today: NaiveDate,
    already_that_day: i64,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    match on {
        Some(d) if d > today => errors.add("contact_on", "error-date-in-future"),
        Some(d) if d < accepted_on => errors.add("contact_on", "error-date-before-acceptance"),
        _ => {}
    }
    match minutes {
        Some(m) if m <= 0 => errors.add("minutes", "error-minutes-positive"),
        Some(m) if m > MINUTES_PER_DAY => errors.add("minutes", "error-minutes-day"),
        Some(m) if on.is_some() && already_that_day + m > MINUTES_PER_DAY => {
            errors.add("minutes", "error-minutes-day-total")
        }
        _ => {}
    }
    errors.finish()
}

/// The Monday of a date's ISO week.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Minutes per ISO week (keyed by Monday) from `from` to `until`, weeks without
/// contacts included as zero.
pub fn weekly_minutes(
    entries: &[(NaiveDate, i64)],
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<(NaiveDate, i64)> {
    let mut weeks: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut monday = week_of(from);
    while monday <= until {
        weeks.insert(monday, 0);
        monday += Duration::weeks(1);
    }
    for (day, minutes) in entries {
        if *day >= week_of(from) && *day <= until {
            *weeks.entry(week_of(*day)).or_insert(0) += minutes;
        }
    }
    weeks.into_iter().collect()
}

/// What `minutes` of a coordinator's time cost at an hourly rate, in whole
/// cents (half a cent rounds up).
pub fn hours_cost(minutes: i64, cents_per_hour: i64) -> i64 {
    (minutes * cents_per_hour + 30).div_euclid(60)
}

/// How a family's hours stand against the programme's norms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BudgetFlag {
    Within,
    /// 80 % of the budget or more.
    Near,
    /// Past the budget.
    Over,
}

pub fn budget_flag(used_minutes: i64, budget_minutes: i64) -> BudgetFlag {
    if budget_minutes <= 0 {
        return BudgetFlag::Within;
    }
    if used_minutes > budget_minutes {
        BudgetFlag::Over
    } else if used_minutes * 10 >= budget_minutes * 8 {
        BudgetFlag::Near
    } else {
        BudgetFlag::Within
    }
}

/// Where an episode's hours stand against its programme's norms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Active minutes in the episode.
    pub used_minutes: i64,
    pub budget: BudgetFlag,
    /// Minutes per ISO week from the start of help (or acceptance) to `until`.
    pub weeks: Vec<(NaiveDate, i64)>,
    /// In care, and each of the last two complete weeks under half the weekly norm.
    pub far_under_weekly_norm: bool,
}

/// The hours of an episode against the budget and the weekly intensity, from
/// its active entries; `in_care` because only help under way can fall behind.
pub fn standing(
    active: &[(NaiveDate, i64)],
    norms: &crate::programme::Norms,
    (from, until): (NaiveDate, NaiveDate),
    in_care: bool,
    today: NaiveDate,
) -> Standing {
    let used_minutes = active.iter().map(|(_, m)| m).sum();
    let weeks = weekly_minutes(active, from, until);
    let weekly = i64::from(norms.weekly_minutes_per_family);
    Standing {
        used_minutes,
        budget: budget_flag(used_minutes, i64::from(norms.budget_minutes_per_family)),
        far_under_weekly_norm: in_care && far_under_weekly_norm(&weeks, today, weekly),
        weeks,
    }
}

/// "Far under the weekly norm for two weeks": each of the last two complete
/// weeks had less than half the weekly intensity.
pub fn far_under_weekly_norm(
    weeks: &[(NaiveDate, i64)],
    today: NaiveDate,
    weekly_norm: i64,
) -> bool {
    let this_week = week_of(today);
    let complete: Vec<i64> = weeks
        .iter()
        .filter(|(monday, _)| *monday < this_week)
        .map(|(_, m)| *m)
        .collect();
    complete.len() >= 2
        && complete[complete.len() - 2..]
            .iter()
            .all(|m| m * 2 < weekly_norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    #[test]
    fn entries_need_sensible_minutes_and_dates() {
        let today = d("2026-11-23");
        let accepted = d("2026-10-01");
        assert!(validate_entry(Some(today), Some(90), accepted, today, 0).is_ok());
        let keys = |r: Result<(), Invalid>| {
            r.err()
                .map(|e| e.0.iter().map(|f| f.key).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(
            keys(validate_entry(Some(today), Some(0), accepted, today, 0)),
            vec!["error-minutes-positive"]
        );
        assert_eq!(
            keys(validate_entry(Some(today), Some(-5), accepted, today, 0)),
            vec!["error-minutes-positive"]
        );
        assert_eq!(
            keys(validate_entry(Some(today), Some(1441), accepted, today, 0)),
            vec!["error-minutes-day"]
        );
        assert_eq!(
            keys(validate_entry(
                Some(today),
                Some(120),
                accepted,
                today,
                1400
            )),
            vec!["error-minutes-day-total"]
        );
        assert_eq!(
            keys(validate_entry(
                Some(d("2026-12-01")),
                Some(60),
                accepted,
                today,
                0
            )),
            vec!["error-date-in-future"]
        );
        assert_eq!(
            keys(validate_entry(
                Some(d("2026-09-01")),
                Some(60),
                accepted,
                today,
                0
            )),
            vec!["error-date-before-acceptance"]
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_include_empty_ones() {
        assert_eq!(week_of(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(week_of(d("2026-11-29")), d("2026-11-23"));
        let weeks = weekly_minutes(
            &[
                (d("2026-11-03"), 60),
                (d("2026-11-05"), 30),
                (d("2026-11-17"), 45),
            ],
            d("2026-11-02"),
            d("2026-11-23"),
        );
        assert_eq!(
            weeks,
            vec![
                (d("2026-11-02"), 90),
                (d("2026-11-09"), 0),
                (d("2026-11-16"), 45),
                (d("2026-11-23"), 0)
            ]
        );
    }

    #[test]
    fn standing_joins_budget_and_weeks() {
        let norms = crate::programme::Norms {
            families_per_fte: 3,
            budget_minutes_per_family: 600,
            weekly_minutes_per_family: 420,
            start_within_weeks: 9,
            full_time_minutes_per_week: 32 * 60,
        };
        let today = d("2026-11-25");
        let active = [(d("2026-11-03"), 500), (d("2026-11-04"), 30)];
        let period = (d("2026-11-02"), today);
        let s = standing(&active, &norms, period, true, today);
        assert_eq!(s.used_minutes, 530);
        assert_eq!(s.budget, BudgetFlag::Near);
        assert!(s.far_under_weekly_norm, "two empty weeks after the first");
        assert!(!standing(&active, &norms, period, false, today).far_under_weekly_norm);
    }

    #[test]
    fn hours_cost_by_the_minute() {
        assert_eq!(hours_cost(60, 9_500), 9_500);
        assert_eq!(hours_cost(90, 9_500), 14_250);
        assert_eq!(hours_cost(1, 9_500), 158);
        assert_eq!(hours_cost(0, 9_500), 0);
    }

    #[test]
    fn budget_flags_at_eighty_and_hundred_percent() {
        assert_eq!(budget_flag(9_599, 12_000), BudgetFlag::Within);
        assert_eq!(budget_flag(9_600, 12_000), BudgetFlag::Near);
        assert_eq!(budget_flag(12_000, 12_000), BudgetFlag::Near);
        assert_eq!(budget_flag(12_001, 12_000), BudgetFlag::Over);
    }

    #[test]
    fn two_thin_weeks_raise_the_flag() {
        let today = d("2026-11-25");
        let thin = vec![
            (d("2026-11-02"), 400),
            (d("2026-11-09"), 100),
            (d("2026-11-16"), 150),
            (d("2026-11-23"), 0),
        ];
        assert!(far_under_weekly_norm(&thin, today, 420));
        let one_thin = vec![
            (d("2026-11-09"), 400),
            (d("2026-11-16"), 100),
            (d("2026-11-23"), 0),
        ];
        assert!(!far_under_weekly_norm(&one_thin, today, 420));
        assert!(
            !far_under_weekly_norm(&[(d("2026-11-23"), 0)], today, 420),
            "too early to tell"
        );
    }

    proptest! {
        #[test]
        fn weekly_totals_add_up_to_the_entries(entries in proptest::collection::vec((0i64..60, 1i64..600), 0..40)) {
            let start = d("2026-01-05");
            let dated: Vec<(NaiveDate, i64)> = entries.iter().map(|(o, m)| (start + Duration::days(*o), *m)).collect();
            let weeks = weekly_minutes(&dated, start, start + Duration::days(59));
            prop_assert_eq!(weeks.iter().map(|(_, m)| m).sum::<i64>(), dated.iter().map(|(_, m)| m).sum::<i64>());
            prop_assert!(weeks.windows(2).all(|w| w[1].0 - w[0].0 == Duration::weeks(1)));
        }

        #[test]
        fn more_hours_never_lower_the_budget_flag(used in 0i64..30_000, extra in 0i64..5_000, budget in 1i64..20_000) {
            let rank = |f: BudgetFlag| match f { BudgetFlag::Within => 0, BudgetFlag::Near => 1, BudgetFlag::Over => 2 };
            prop_assert!(rank(budget_flag(used + extra, budget)) >= rank(budget_flag(used, budget)));
        }
    }
}
