//! Calendar dates as the users mean them: ISO input, weeks with one decimal.

use chrono::NaiveDate;

/// Parses a `YYYY-MM-DD` date as typed in a form or sent in JSON.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// Days between two dates, negative when `to` precedes `from`.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// Weeks with one decimal, as pages show waiting times (e.g. 65 days → 9.3).
pub fn weeks_one_decimal(days: i64) -> f64 {
    (days as f64 / 7.0 * 10.0).round() / 10.0
}

/// Whether `day` falls in the half-open range `[starts_on, ends_on)`; an open end runs forever.
pub fn in_half_open(day: NaiveDate, starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> bool {
    day >= starts_on && ends_on.is_none_or(|end| day < end)
}

/// Whether two half-open ranges share at least one day.
pub fn half_open_overlap(
    a: (NaiveDate, Option<NaiveDate>),
    b: (NaiveDate, Option<NaiveDate>),
) -> bool {
    let a_before_b_ends = b.1.is_none_or(|end| a.0 < end);
    let b_before_a_ends = a.1.is_none_or(|end| b.0 < end);
    let a_nonempty = a.1.is_none_or(|end| a.0 < end);
    let b_nonempty = b.1.is_none_or(|end| b.0 < end);
    a_nonempty && b_nonempty && a_before_b_ends && b_before_a_ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(parse_date("2026-02-28"), Some(d("2026-02-28")));
        assert_eq!(parse_date("28-02-2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn weeks_have_one_decimal() {
        assert_eq!(weeks_one_decimal(63), 9.0);
        assert_eq!(weeks_one_decimal(65), 9.3);
        assert_eq!(weeks_one_decimal(0), 0.0);
    }

    #[test]
    fn handover_on_the_same_day_does_not_overlap() {
        let old = (d("2026-01-01"), Some(d("2026-03-01")));
        let new = (d("2026-03-01"), None);
        assert!(!half_open_overlap(old, new));
        assert!(half_open_overlap(old, (d("2026-02-28"), None)));
        assert!(half_open_overlap(
            (d("2026-01-01"), None),
            (d("2027-01-01"), None)
        ));
    }
}
