//! Service modules: what providers offer (residential stays, day treatment,
//! ambulatory help, specific activities), what a unit of it costs on a given day,
//! and the referrals of a family's children to them with the units they use.
//!
//! Money is whole euro cents; a tariff holds from its date until the next one,
//! so a new tariff never changes what earlier days cost.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dates::half_open_overlap;
use crate::validation::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModuleType {
    Residential,
    DayTreatment,
    Ambulatory,
    SpecificActivity,
    Other,
}

impl ModuleType {
    pub const ALL: [ModuleType; 5] = [
        ModuleType::Residential,
        ModuleType::DayTreatment,
        ModuleType::Ambulatory,
        ModuleType::SpecificActivity,
        ModuleType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModuleType::Residential => "residential",
            ModuleType::DayTreatment => "day_treatment",
            ModuleType::Ambulatory => "ambulatory",
            ModuleType::SpecificActivity => "specific_activity",
            ModuleType::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<ModuleType> {
        ModuleType::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// Residential and day-treatment modules have a fixed number of places.
    pub fn has_places(self) -> bool {
        matches!(self, ModuleType::Residential | ModuleType::DayTreatment)
    }

    /// Units follow from the dates of the stay (nights) rather than from delivery records.
    pub fn counts_nights(self) -> bool {
        self == ModuleType::Residential
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModuleUnit {
    Day,
    Night,
    Hour,
    Session,
}

impl ModuleUnit {
    pub const ALL: [ModuleUnit; 4] = [
        ModuleUnit::Day,
        ModuleUnit::Night,
        ModuleUnit::Hour,
        ModuleUnit::Session,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModuleUnit::Day => "day",
            ModuleUnit::Night => "night",
            ModuleUnit::Hour => "hour",
            ModuleUnit::Session => "session",
        }
    }

    pub fn parse(value: &str) -> Option<ModuleUnit> {
        ModuleUnit::ALL.into_iter().find(|u| u.as_str() == value)
    }
}

/// Parses an amount of money typed in euros ("185", "185,50", "185.5") into
/// whole cents; refuses negative amounts and fractions of a cent.
pub fn parse_euros(value: &str) -> Result<i64, &'static str> {
    let typed: String = value
        .trim()
        .trim_start_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if typed.is_empty() {
        return Err("error-required");
    }
    // With both separators ("1.234,56", "1,234.56") the last one is the decimal one.
    let text = match typed.rfind([',', '.']) {
        Some(at) if typed[..at].contains([',', '.']) => {
            format!(
                "{}.{}",
                typed[..at].replace([',', '.'], ""),
                &typed[at + 1..]
            )
        }
        _ => typed.replace(',', "."),
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("error-amount");
    }
    if fraction.len() > 2 {
        return Err("error-tariff-whole-cents");
    }
    let euros: i64 = whole.parse().map_err(|_| "error-amount")?;
    let cents: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| "error-amount")?;
    euros
        .checked_mul(100)
        .and_then(|c| c.checked_add(cents))
        .filter(|c| *c <= MAX_TARIFF_CENTS)
        .ok_or("error-amount")
}

/// Parses a tariff given in cents ("18550"); refuses "185.5" and other fractions.
pub fn parse_cents(value: &str) -> Result<i64, &'static str> {
    let text = value.trim();
    if text.is_empty() {
        return Err("error-required");
    }
    match text.parse::<i64>() {
        Ok(c) if (0..=MAX_TARIFF_CENTS).contains(&c) => Ok(c),
        Ok(_) => Err("error-amount"),
        Err(_) if text.parse::<f64>().is_ok() => Err("error-tariff-whole-cents"),
        Err(_) => Err("error-amount"),
    }
}

/// No unit of care costs more than € 100,000.
pub const MAX_TARIFF_CENTS: i64 = 10_000_000;

/// Formats cents as euros with two decimals and the given decimal separator.
pub fn format_euros(cents: i64, separator: char) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    let thousands = if separator == ',' { '.' } else { ',' };
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(thousands);
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{separator}{:02}", abs % 100)
}

/// One tariff of a module: `cents` per unit from `valid_from` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tariff {
    pub valid_from: NaiveDate,
    pub cents: i64,
}

/// The tariff that holds on `day`: the latest one valid from that day or earlier.
pub fn tariff_on(tariffs: &[Tariff], day: NaiveDate) -> Option<i64> {
    tariffs
        .iter()
        .filter(|t| t.valid_from <= day)
        .max_by_key(|t| t.valid_from)
        .map(|t| t.cents)
}

/// Checks a module's places: required and positive for residential and day
/// treatment, absent for the other types.
pub fn validate_places(module_type: ModuleType, places: Option<i64>) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    match (module_type.has_places(), places) {
        (true, None) => errors.add("places", "error-required"),
        (true, Some(p)) if !(1..=10_000).contains(&p) => {
            errors.add("places", "error-positive-whole")
        }
        (false, Some(_)) => errors.add("places", "error-places-not-for-type"),
        _ => {}
    }
    errors.finish()
}

/// Where a module referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralState {
    Requested,
    Started,
    Ended,
}

impl ReferralState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralState::Requested => "requested",
            ReferralState::Started => "started",
            ReferralState::Ended => "ended",
        }
    }

    pub fn parse(value: &str) -> Option<ReferralState> {
        [
            ReferralState::Requested,
            ReferralState::Started,
            ReferralState::Ended,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// Why a module referral ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Completed,
    StoppedEarly,
    NotStarted,
}

impl EndReason {
    pub const ALL: [EndReason; 3] = [
        EndReason::Completed,
        EndReason::StoppedEarly,
        EndReason::NotStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Completed => "completed",
            EndReason::StoppedEarly => "stopped_early",
            EndReason::NotStarted => "not_started",
        }
    }

    pub fn parse(value: &str) -> Option<EndReason> {
        EndReason::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// The reasons a referral in this state can end with: a request was not
    /// started; a started module was completed or stopped early.
    pub fn allowed_for(state: ReferralState) -> &'static [EndReason] {
        match state {
            ReferralState::Requested => &[EndReason::NotStarted],
            ReferralState::Started => &[EndReason::Completed, EndReason::StoppedEarly],
            ReferralState::Ended => &[],
        }
    }
}

/// Checks a request: requested on a day not in the future and not before the
/// episode was accepted.
pub fn validate_request(
    requested_on: NaiveDate,
    accepted_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    if requested_on > today {
        errors.add("requested_on", "error-date-in-future");
    } else if requested_on < accepted_on {
        errors.add("requested_on", "error-date-before-acceptance");
    }
    errors.finish()
}

/// Checks a start: only a requested referral starts, not before its request
/// nor in the future.
pub fn validate_start(
    state: ReferralState,
    requested_on: NaiveDate,
    started_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    if state != ReferralState::Requested {
        errors.add("form", "error-module-not-requested");
    } else if started_on > today {
        errors.add("started_on", "error-date-in-future");
    } else if started_on < requested_on {
        errors.add("started_on", "error-module-start-before-request");
    }
    errors.finish()
}

/// Checks an end: "not started" ends a request, "completed" and "stopped early"
/// end a started module on or after its start; never in the future.
pub fn validate_end(
    state: ReferralState,
    requested_on: NaiveDate,
    started_on: Option<NaiveDate>,
    ended_on: NaiveDate,
    reason: EndReason,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    match (state, reason) {
        (ReferralState::Ended, _) => errors.add("form", "error-module-already-ended"),
        (ReferralState::Requested, EndReason::NotStarted) => {
            if ended_on < requested_on {
                errors.add("ended_on", "error-module-end-before-start");
            }
        }
        (ReferralState::Requested, _) => errors.add("reason", "error-module-not-started-yet"),
        (ReferralState::Started, EndReason::NotStarted) => {
            errors.add("reason", "error-module-already-started")
        }
        (ReferralState::Started, _) => {
            if started_on.is_some_and(|s| ended_on < s) {
                errors.add("ended_on", "error-module-end-before-start");
            }
        }
    }
    if ended_on > today {
        errors.add("ended_on", "error-date-in-future");
    }
    errors.finish()
}

/// Checks units a provider delivered on a day: only for a started module, on a
/// day it ran, never in the future; a stay's nights follow from its dates, and
/// a day unit counts at most one day per child concerned.
pub fn validate_delivery(
    module_type: ModuleType,
    unit: ModuleUnit,
    children: usize,
    period: (Option<NaiveDate>, Option<NaiveDate>),
    on: Option<NaiveDate>,
    units: Option<i64>,
    today: NaiveDate,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    if module_type.counts_nights() {
        errors.add("units", "error-delivery-nights-follow-dates");
        return errors.finish();
    }
    match (on, period) {
        (Some(d), _) if d > today => errors.add("delivered_on", "error-date-in-future"),
        (Some(_), (None, _)) => errors.add("delivered_on", "error-module-not-started-yet"),
        (Some(d), (Some(start), end)) if d < start || end.is_some_and(|e| d > e) => {
            errors.add("delivered_on", "error-delivery-outside-module")
        }
        _ => {}
    }
    let most = if unit == ModuleUnit::Day {
        children.max(1) as i64
    } else {
        MAX_UNITS_PER_DAY
    };
    match units {
        Some(u) if (1..=most).contains(&u) => {}
        _ => errors.add("units", "error-units-per-day"),
    }
    errors.finish()
}

/// No more than this many units are delivered in one day to one referral.
pub const MAX_UNITS_PER_DAY: i64 = 1000;

/// What a provider's system reports about a module referral in an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportEvent {
    Start,
    Stop,
    Delivered,
}

impl ImportEvent {
    pub fn parse(value: &str) -> Option<ImportEvent> {
        match value.trim().to_ascii_lowercase().as_str() {
            "start" => Some(ImportEvent::Start),
            "stop" | "end" => Some(ImportEvent::Stop),
            "delivered" | "units" => Some(ImportEvent::Delivered),
            _ => None,
        }
    }
}

/// The reference a provider gets for a module referral: "M-17" (or just "17").
pub fn reference(id: i64) -> String {
    format!("M-{id}")
}

pub fn parse_reference(value: &str) -> Option<i64> {
    let v = value.trim();
    let digits = v
        .strip_prefix("M-")
        .or_else(|| v.strip_prefix("m-"))
        .unwrap_or(v);
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

/// The reason a stop means when the provider leaves it empty: a module that
/// never started was not started; one that ran was completed.
pub fn default_end_reason(state: ReferralState) -> EndReason {
    if state == ReferralState::Requested {
        EndReason::NotStarted
    } else {
        EndReason::Completed
    }
}

/// A residential stay of one child: `[start, end)` in nights; a running stay has no end.
pub type Stay = (NaiveDate, Option<NaiveDate>);

/// Whether a new stay overlaps any of the child's other residential stays. A stay
/// that starts the day another ends does not overlap (one leaves, the other begins).
pub fn stays_overlap(stay: Stay, others: &[Stay]) -> bool {
    // A same-day stay (0 nights) still occupies its day.
    let widen = |(s, e): Stay| (s, e.map(|e| if e == s { e + Duration::days(1) } else { e }));
    others
        .iter()
        .any(|other| half_open_overlap(widen(stay), widen(*other)))
}

/// Nights of a stay from `start` to `end` (the 1st to the 3rd is 2 nights)
/// that begin before `until`. A night belongs to the day it begins, so costs up
/// to and including a day pass the day after as `until`.
pub fn nights(start: NaiveDate, end: Option<NaiveDate>, until: NaiveDate) -> i64 {
    let last = end.map_or(until, |e| e.min(until));
    (last - start).num_days().max(0)
}

/// The dates of each night of a stay within `[from, to)`, for costing per day's tariff.
pub fn night_dates(
    start: NaiveDate,
    end: Option<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> impl Iterator<Item = NaiveDate> {
    let first = start.max(from);
    let stop = end.map_or(to, |e| e.min(to));
    first.iter_days().take_while(move |d| *d < stop)
}

/// Units on one day, as a provider delivered them or as the stay's nights imply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedUnits {
    pub on: NaiveDate,
    pub units: i64,
}

/// Cost in cents of dated units, each at the tariff valid on its day. Days
/// before the first tariff are returned apart, as units without a price.
pub fn cost_of(units: &[DatedUnits], tariffs: &[Tariff]) -> Costed {
    let mut costed = Costed::default();
    for u in units {
        match tariff_on(tariffs, u.on) {
            Some(cents) => {
                costed.cents += cents * u.units;
                costed.units += u.units;
            }
            None => costed.unpriced_units += u.units,
        }
    }
    costed
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Costed {
    pub units: i64,
    pub cents: i64,
    /// Units on days before the module's first tariff.
    pub unpriced_units: i64,
}

/// Places in use per day of `[from, to]` given each referral's running period
/// `[start, end]` in days. Residential stays occupy the nights `[start, end)`.
pub fn places_in_use(
    periods: &[(NaiveDate, Option<NaiveDate>)],
    nights_only: bool,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<NaiveDate, i64> {
    let mut days: BTreeMap<NaiveDate, i64> = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|d| (d, 0))
        .collect();
    for (start, end) in periods {
        let first = (*start).max(from);
        let last = match end {
            Some(e) if nights_only => *e - Duration::days(1),
            Some(e) => *e,
            None => to,
        }
        .min(to);
        for d in first.iter_days().take_while(|d| *d <= last) {
            *days.entry(d).or_insert(0) += 1;
        }
    }
    days
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
    fn a_stay_from_the_first_to_the_third_is_two_nights() {
        assert_eq!(
            nights(d("2026-03-01"), Some(d("2026-03-03")), d("2026-12-01")),
            2
        );
        assert_eq!(
            nights(d("2026-03-01"), Some(d("2026-03-01")), d("2026-12-01")),
            0
        );
        assert_eq!(nights(d("2026-03-01"), None, d("2026-03-11")), 10);
        assert_eq!(nights(d("2026-03-05"), None, d("2026-03-01")), 0);
        let listed: Vec<_> = night_dates(
            d("2026-03-01"),
            Some(d("2026-03-03")),
            d("2026-01-01"),
            d("2027-01-01"),
        )
        .collect();
        assert_eq!(listed, vec![d("2026-03-01"), d("2026-03-02")]);
    }

    #[test]
    fn a_new_tariff_never_changes_earlier_days() {
        let tariffs = [
            Tariff {
                valid_from: d("2026-01-01"),
                cents: 20_000,
            },
            Tariff {
                valid_from: d("2026-07-01"),
                cents: 22_500,
            },
        ];
        assert_eq!(tariff_on(&tariffs, d("2025-12-31")), None);
        assert_eq!(tariff_on(&tariffs, d("2026-06-30")), Some(20_000));
        assert_eq!(tariff_on(&tariffs, d("2026-07-01")), Some(22_500));
        let stay: Vec<DatedUnits> = night_dates(
            d("2026-06-29"),
            Some(d("2026-07-02")),
            d("2026-01-01"),
            d("2027-01-01"),
        )
        .map(|on| DatedUnits { on, units: 1 })
        .collect();
        let costed = cost_of(&stay, &tariffs);
        assert_eq!(costed.units, 3);
        assert_eq!(costed.cents, 2 * 20_000 + 22_500);
        let early = cost_of(
            &[DatedUnits {
                on: d("2025-12-01"),
                units: 2,
            }],
            &tariffs,
        );
        assert_eq!((early.cents, early.unpriced_units), (0, 2));
    }

    #[test]
    fn tariffs_are_whole_cents() {
        assert_eq!(parse_euros("185"), Ok(18_500));
        assert_eq!(parse_euros("185,5"), Ok(18_550));
        assert_eq!(parse_euros(" 0.05 "), Ok(5));
        assert_eq!(parse_euros("€ 1.234,56"), Ok(123_456));
        assert_eq!(parse_euros("185,505"), Err("error-tariff-whole-cents"));
        assert_eq!(parse_euros("-3"), Err("error-amount"));
        assert_eq!(parse_euros("abc"), Err("error-amount"));
        assert_eq!(parse_euros(""), Err("error-required"));
        assert_eq!(parse_cents("18550"), Ok(18_550));
        assert_eq!(parse_cents("185.5"), Err("error-tariff-whole-cents"));
        assert_eq!(parse_cents("-1"), Err("error-amount"));
        assert_eq!(format_euros(1_234_567, ','), "12.345,67");
        assert_eq!(format_euros(5, '.'), "0.05");
    }

    #[test]
    fn places_belong_to_residential_and_day_treatment() {
        assert!(validate_places(ModuleType::Residential, Some(6)).is_ok());
        assert!(validate_places(ModuleType::Residential, None).is_err());
        assert!(validate_places(ModuleType::DayTreatment, Some(0)).is_err());
        assert!(validate_places(ModuleType::Ambulatory, None).is_ok());
        assert!(validate_places(ModuleType::Ambulatory, Some(3)).is_err());
    }

    #[test]
    fn module_steps_follow_in_order() {
        let today = d("2026-11-25");
        let req = d("2026-10-01");
        assert!(validate_start(ReferralState::Requested, req, d("2026-10-05"), today).is_ok());
        assert!(validate_start(ReferralState::Requested, req, d("2026-09-30"), today).is_err());
        assert!(validate_start(ReferralState::Started, req, d("2026-10-05"), today).is_err());
        let started = Some(d("2026-10-05"));
        let end = |state, on, reason| validate_end(state, req, started, d(on), reason, today);
        assert!(end(ReferralState::Started, "2026-10-05", EndReason::Completed).is_ok());
        let before = end(ReferralState::Started, "2026-10-04", EndReason::Completed)
            .expect_err("a module cannot end before it starts");
        assert_eq!(before.0[0].key, "error-module-end-before-start");
        assert!(
            end(
                ReferralState::Requested,
                "2026-10-02",
                EndReason::NotStarted
            )
            .is_ok()
        );
        assert!(end(ReferralState::Requested, "2026-10-02", EndReason::Completed).is_err());
        assert!(end(ReferralState::Started, "2026-10-06", EndReason::NotStarted).is_err());
        assert!(end(ReferralState::Ended, "2026-10-06", EndReason::Completed).is_err());
        assert!(end(ReferralState::Started, "2026-12-06", EndReason::Completed).is_err());
    }

    #[test]
    fn the_reasons_offered_are_the_reasons_accepted() {
        let (req, start, today) = (d("2026-10-01"), d("2026-10-05"), d("2026-11-25"));
        for state in [
            ReferralState::Requested,
            ReferralState::Started,
            ReferralState::Ended,
        ] {
            for reason in EndReason::ALL {
                let accepted =
                    validate_end(state, req, Some(start), d("2026-10-10"), reason, today).is_ok();
                assert_eq!(
                    accepted,
                    EndReason::allowed_for(state).contains(&reason),
                    "{state:?} {reason:?}"
                );
            }
        }
    }

    #[test]
    fn one_child_cannot_stay_in_two_places_at_once() {
        let running: Stay = (d("2026-03-01"), None);
        let ended: Stay = (d("2026-01-01"), Some(d("2026-02-01")));
        assert!(stays_overlap(
            (d("2026-04-01"), Some(d("2026-04-05"))),
            &[running]
        ));
        assert!(!stays_overlap(
            (d("2026-02-01"), Some(d("2026-02-10"))),
            &[ended]
        ));
        assert!(stays_overlap(
            (d("2026-01-31"), Some(d("2026-02-10"))),
            &[ended]
        ));
        assert!(stays_overlap(
            (d("2026-01-15"), Some(d("2026-01-15"))),
            &[ended]
        ));
    }

    #[test]
    fn places_in_use_count_nights_for_stays_and_days_for_day_treatment() {
        let periods = [
            (d("2026-03-01"), Some(d("2026-03-03"))),
            (d("2026-03-02"), None),
        ];
        let nights = places_in_use(&periods, true, d("2026-03-01"), d("2026-03-04"));
        assert_eq!(
            nights.values().copied().collect::<Vec<_>>(),
            vec![1, 2, 1, 1]
        );
        let days = places_in_use(&periods, false, d("2026-03-01"), d("2026-03-04"));
        assert_eq!(days.values().copied().collect::<Vec<_>>(), vec![1, 2, 2, 1]);
    }

    #[test]
    fn import_references_and_events() {
        assert_eq!(parse_reference("M-17"), Some(17));
        assert_eq!(parse_reference(" 17 "), Some(17));
        assert_eq!(parse_reference("M-0"), None);
        assert_eq!(parse_reference("X-17"), None);
        assert_eq!(reference(17), "M-17");
        assert_eq!(ImportEvent::parse("Start"), Some(ImportEvent::Start));
        assert_eq!(
            ImportEvent::parse("delivered"),
            Some(ImportEvent::Delivered)
        );
        assert_eq!(ImportEvent::parse("begin"), None);
        assert_eq!(
            default_end_reason(ReferralState::Requested),
            EndReason::NotStarted
        );
        assert_eq!(
            default_end_reason(ReferralState::Started),
            EndReason::Completed
        );
    }

    #[test]
    fn deliveries_fall_within_the_module() {
        let today = d("2026-11-25");
        let period = (Some(d("2026-10-01")), Some(d("2026-10-31")));
        let check = |t, unit, on: &str, units| {
            validate_delivery(t, unit, 1, period, Some(d(on)), Some(units), today)
        };
        assert!(check(ModuleType::DayTreatment, ModuleUnit::Day, "2026-10-05", 1).is_ok());
        assert!(check(ModuleType::DayTreatment, ModuleUnit::Day, "2026-10-05", 2).is_err());
        assert!(check(ModuleType::Ambulatory, ModuleUnit::Hour, "2026-10-05", 3).is_ok());
        assert!(check(ModuleType::Ambulatory, ModuleUnit::Hour, "2026-11-05", 3).is_err());
        assert!(check(ModuleType::Ambulatory, ModuleUnit::Hour, "2026-10-05", 0).is_err());
        assert!(check(ModuleType::Residential, ModuleUnit::Night, "2026-10-05", 1).is_err());
        let not_started = validate_delivery(
            ModuleType::Other,
            ModuleUnit::Session,
            1,
            (None, None),
            Some(d("2026-10-05")),
            Some(1),
            today,
        );
        assert!(not_started.is_err());
    }

    proptest! {
        #[test]
        fn nights_add_up_across_any_split(start in 0i64..400, len in 0i64..200, cut in 0i64..200) {
            let s = d("2026-01-01") + Duration::days(start);
            let e = s + Duration::days(len);
            let m = s + Duration::days(cut.min(len));
            let whole = night_dates(s, Some(e), d("2025-01-01"), d("2030-01-01")).count() as i64;
            let first = night_dates(s, Some(e), d("2025-01-01"), m).count() as i64;
            let second = night_dates(s, Some(e), m, d("2030-01-01")).count() as i64;
            prop_assert_eq!(whole, len);
            prop_assert_eq!(whole, nights(s, Some(e), d("2030-01-01")));
            prop_assert_eq!(first + second, whole);
        }

        #[test]
        fn cost_across_a_tariff_change_is_the_sum_of_its_parts(
            before in 1i64..50_000, after in 1i64..50_000, len in 1i64..120, change in 0i64..120,
        ) {
            let s = d("2026-01-01");
            let tariffs = [
                Tariff { valid_from: s, cents: before },
                Tariff { valid_from: s + Duration::days(change), cents: after },
            ];
            let units: Vec<DatedUnits> = night_dates(s, Some(s + Duration::days(len)), s, d("2030-01-01"))
                .map(|on| DatedUnits { on, units: 1 })
                .collect();
            let at_old = change.min(len);
            prop_assert_eq!(cost_of(&units, &tariffs).cents, at_old * before + (len - at_old) * after);
        }

        #[test]
        fn euros_and_cents_round_trip(cents in 0i64..MAX_TARIFF_CENTS) {
            prop_assert_eq!(parse_euros(&format_euros(cents, ',')), Ok(cents));
            prop_assert_eq!(parse_euros(&format_euros(cents, '.')), Ok(cents));
            prop_assert_eq!(parse_cents(&cents.to_string()), Ok(cents));
        }
    }
}
