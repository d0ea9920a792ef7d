//! Waiting time: start of help − indication date (or registration date), in days,
//! and its statistics per programme and month without exposing small groups.

use chrono::NaiveDate;
use serde::Serialize;

/// Groups smaller than this are shown as "<5" and their statistics withheld.
pub const SMALL_GROUP: usize = 5;

/// The earliest indication date, or the received date when there is none.
pub fn reference_date(
    indication_dates: impl IntoIterator<Item = NaiveDate>,
    received_on: NaiveDate,
) -> NaiveDate {
    indication_dates.into_iter().min().unwrap_or(received_on)
}

/// Days from the reference date to the start of help.
pub fn waiting_days(reference: NaiveDate, started_on: NaiveDate) -> i64 {
    (started_on - reference).num_days()
}

/// Whether a family still waiting has passed the programme's norm.
pub fn past_norm(reference: NaiveDate, today: NaiveDate, norm_days: i64) -> bool {
    waiting_days(reference, today) > norm_days
}

/// The waiting list's order: more urgent first, then longer waiting first.
pub fn waiting_list_order(
    a: (crate::referral::Urgency, i64),
    b: (crate::referral::Urgency, i64),
) -> std::cmp::Ordering {
    a.0.rank().cmp(&b.0.rank()).then(b.1.cmp(&a.1))
}

/// Statistics of a group of waiting times. `None` figures mean the group is too
/// small to show (fewer than five families).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingStats {
    pub count: Count,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
    /// Share (0–1) of the group that started within the norm.
    pub within_norm_share: Option<f64>,
}

/// A count as it may be published: exact from five on, otherwise only "fewer than five".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Count {
    Exact(usize),
    FewerThanFive,
}

impl Count {
    pub fn of(n: usize) -> Count {
        if n < SMALL_GROUP {
            Count::FewerThanFive
        } else {
            Count::Exact(n)
        }
    }

    pub fn display(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::FewerThanFive => "<5".to_string(),
        }
    }
}

impl WaitingStats {
    pub fn of(days: &[i64], norm_days: i64) -> WaitingStats {
        let count = Count::of(days.len());
        if days.len() < SMALL_GROUP {
            return WaitingStats {
                count,
                mean_days: None,
                median_days: None,
                p90_days: None,
                within_norm_share: None,
            };
        }
        let mut sorted = days.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let mean = sorted.iter().sum::<i64>() as f64 / n as f64;
        let within = sorted.iter().filter(|&&d| d <= norm_days).count() as f64 / n as f64;
        WaitingStats {
            count,
            mean_days: Some(mean),
            median_days: Some(percentile(&sorted, 0.5)),
            p90_days: Some(percentile(&sorted, 0.9)),
            within_norm_share: Some(within),
        }
    }
}

/// Percentile by linear interpolation between closest ranks (as spreadsheets do),
/// on an ascending, non-empty slice.
pub fn percentile(sorted: &[i64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0] as f64,
        n => {
            let rank = p.clamp(0.0, 1.0) * (n - 1) as f64;
            let low = rank.floor() as usize;
            let high = rank.ceil() as usize;
            let fraction = rank - low as f64;
            sorted[low] as f64 + (sorted[high] - sorted[low]) as f64 * fraction
        }
    }
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
    fn waiting_counts_from_the_earliest_indication() {
        let reference = reference_date([d("2026-02-10"), d("2026-01-20")], d("2026-03-01"));
        assert_eq!(reference, d("2026-01-20"));
        assert_eq!(waiting_days(reference, d("2026-03-24")), 63);
        assert_eq!(reference_date([], d("2026-03-01")), d("2026-03-01"));
    }

    #[test]
    fn urgency_goes_before_time_waited() {
        use crate::referral::Urgency::{Crisis, Normal};
        let mut list = vec![(Normal, 10), (Crisis, 2), (Normal, 90)];
        list.sort_by(|a, b| waiting_list_order(*a, *b));
        assert_eq!(list, vec![(Crisis, 2), (Normal, 90), (Normal, 10)]);
    }

    #[test]
    fn small_groups_are_suppressed() {
        let stats = WaitingStats::of(&[10, 20, 30, 40], 63);
        assert_eq!(stats.count, Count::FewerThanFive);
        assert_eq!(stats.count.display(), "<5");
        assert_eq!(stats.mean_days, None);
    }

    #[test]
    fn statistics_of_a_known_group() {
        let stats = WaitingStats::of(&[70, 10, 20, 30, 40], 35);
        assert_eq!(stats.count, Count::Exact(5));
        assert_eq!(stats.mean_days, Some(34.0));
        assert_eq!(stats.median_days, Some(30.0));
        assert_eq!(stats.p90_days, Some(58.0));
        assert_eq!(stats.within_norm_share, Some(0.6));
    }

    proptest! {
        #[test]
        fn statistics_stay_within_the_data(days in proptest::collection::vec(0i64..400, 5..60), norm in 0i64..200) {
            let stats = WaitingStats::of(&days, norm);
            let min = *days.iter().min().expect("non-empty") as f64;
            let max = *days.iter().max().expect("non-empty") as f64;
            for figure in [stats.mean_days, stats.median_days, stats.p90_days] {
                let f = figure.expect("large enough");
                prop_assert!(f >= min - 1e-9 && f <= max + 1e-9);
            }
            prop_assert!(stats.median_days <= stats.p90_days);
            let share = stats.within_norm_share.expect("large enough");
            prop_assert!((0.0..=1.0).contains(&share));
        }

        #[test]
        fn waiting_days_add_up(offset in 0i64..1000, extra in 0i64..1000) {
            let reference = d("2025-01-01") + chrono::Duration::days(offset);
            let start = reference + chrono::Duration::days(extra);
            prop_assert_eq!(waiting_days(reference, start), extra);
        }
    }
}
