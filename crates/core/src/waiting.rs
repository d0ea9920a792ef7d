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
    /// Five or more, withheld because together with the figures beside it
    /// it would give a small one away.
    Withheld,
}

impl Count {
    /// Whether the exact figure may be shown.
    pub fn exact(self) -> Option<usize> {
        match self {
            Count::Exact(n) => Some(n),
            _ => None,
        }
    }

    /// None at all is shown as 0: it gives no family away.
    pub fn of(n: usize) -> Count {
        if n > 0 && n < SMALL_GROUP {
            Count::FewerThanFive
        } else {
            Count::Exact(n)
        }
    }

    pub fn display(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::FewerThanFive => "<5".to_string(),
            Count::Withheld => "×".to_string(),
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

    /// The same statistics from waiting times counted per number of days
    /// (as a report query groups them), without a row per family;
    /// `within_norm` of them started within their programme's norm.
    pub fn of_counts(counts: &[(i64, usize)], within_norm: usize) -> WaitingStats {
        let full = WaitingStats::of_counts_in_full(counts, within_norm);
        match full.count {
            Count::Exact(n) if n >= SMALL_GROUP => full,
            _ => full.withheld(),
        }
    }

    /// The statistics of any group, however small: for readers who know
    /// the families (their coordinator, the team's supervisor).
    pub fn of_counts_in_full(counts: &[(i64, usize)], within_norm: usize) -> WaitingStats {
        let mut sorted: Vec<(i64, usize)> = counts.iter().copied().filter(|c| c.1 > 0).collect();
        sorted.sort_unstable();
        let n: usize = sorted.iter().map(|c| c.1).sum();
        if n == 0 {
            return WaitingStats {
                count: Count::Exact(0),
                mean_days: None,
                median_days: None,
                p90_days: None,
                within_norm_share: None,
            };
        }
        let total: i64 = sorted.iter().map(|&(d, k)| d * k as i64).sum();
        let within = within_norm.min(n);
        WaitingStats {
            count: Count::Exact(n),
            mean_days: Some(total as f64 / n as f64),
            median_days: Some(percentile_of_counts(&sorted, n, 0.5)),
            p90_days: Some(percentile_of_counts(&sorted, n, 0.9)),
            within_norm_share: Some(within as f64 / n as f64),
        }
    }

    /// The same group, withheld as a whole: a count that may not be shown
    /// takes its statistics with it. An empty group has nothing to hide.
    pub fn withheld(self) -> WaitingStats {
        let count = match self.count {
            Count::Exact(0) => return self,
            Count::Exact(n) if n >= SMALL_GROUP => Count::Withheld,
            Count::Withheld => Count::Withheld,
            _ => Count::FewerThanFive,
        };
        WaitingStats {
            count,
            mean_days: None,
            median_days: None,
            p90_days: None,
            within_norm_share: None,
        }
    }
}

/// `percentile` of the values the counts stand for, ascending, `n` in all.
fn percentile_of_counts(sorted: &[(i64, usize)], n: usize, p: f64) -> f64 {
    let value_at = |index: usize| {
        let mut seen = 0;
        for &(days, k) in sorted {
            seen += k;
            if index < seen {
                return days;
            }
        }
        sorted.last().map_or(0, |c| c.0)
    };
    if n == 1 {
        return value_at(0) as f64;
    }
    let rank = p.clamp(0.0, 1.0) * (n - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    let (a, b) = (value_at(low), value_at(high));
    a as f64 + (b - a) as f64 * (rank - low as f64)
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
        fn counted_statistics_equal_the_statistics_of_every_family(
            counts in proptest::collection::vec((0i64..300, 0usize..6), 0..40),
            norm in 0i64..200,
        ) {
            let every: Vec<i64> = counts
                .iter()
                .flat_map(|&(days, n)| std::iter::repeat_n(days, n))
                .collect();
            let by_row = WaitingStats::of(&every, norm);
            let within: usize = counts.iter().filter(|c| c.0 <= norm).map(|c| c.1).sum();
            let by_count = WaitingStats::of_counts(&counts, within);
            prop_assert_eq!(by_row.count, by_count.count);
            for (a, b) in [
                (by_row.mean_days, by_count.mean_days),
                (by_row.median_days, by_count.median_days),
                (by_row.p90_days, by_count.p90_days),
                (by_row.within_norm_share, by_count.within_norm_share),
            ] {
                match (a, b) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b),
                    (a, b) => prop_assert_eq!(a, b),
                }
            }
        }

        #[test]
        fn waiting_days_add_up(offset in 0i64..1000, extra in 0i64..1000) {
            let reference = d("2025-01-01") + chrono::Duration::days(offset);
            let start = reference + chrono::Duration::days(extra);
            prop_assert_eq!(waiting_days(reference, start), extra);
        }
    }
}
