//! Appointments: contacts planned ahead (a home visit, a network meeting, a
//! meeting with a provider). Once its time has passed the coordinator confirms
//! one as a contact, with the minutes prefilled, or records that it did not
//! happen. Times are local (Europe/Amsterdam) minutes since midnight.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::contact::ContactKind;
use crate::dates::parse_date;
use crate::validation::Invalid;

/// What became of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Planned,
    /// Confirmed as a contact; the contact holds the minutes and the note.
    Confirmed,
    /// Did not happen (cancelled, the family was not home), with the reason.
    NotHappened,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 3] = [
        AppointmentStatus::Planned,
        AppointmentStatus::Confirmed,
        AppointmentStatus::NotHappened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Planned => "planned",
            AppointmentStatus::Confirmed => "confirmed",
            AppointmentStatus::NotHappened => "not_happened",
        }
    }

    pub fn parse(value: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// The kinds of contact one plans: travel and administration are not met.
pub fn plannable(kind: ContactKind) -> bool {
    matches!(
        kind,
        ContactKind::HomeVisit
            | ContactKind::PhoneVideo
            | ContactKind::NetworkMeeting
            | ContactKind::ProviderMeeting
    )
}

/// When an appointment is: a day and a start and end within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub on: NaiveDate,
    /// Minutes since midnight, local time.
    pub starts_minute: u16,
    pub ends_minute: u16,
}

impl Slot {
    pub fn minutes(&self) -> i64 {
        i64::from(self.ends_minute) - i64::from(self.starts_minute)
    }

    /// Two slots of the same day that share at least a minute; one ending
    /// when the next starts does not overlap.
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.on == other.on
            && self.starts_minute < other.ends_minute
            && other.starts_minute < self.ends_minute
    }

    pub fn starts_at(&self) -> NaiveDateTime {
        self.on.and_time(time_of(self.starts_minute))
    }

    pub fn ends_at(&self) -> NaiveDateTime {
        self.on.and_time(time_of(self.ends_minute))
    }

    /// Whether its time has passed, so it can be confirmed or called off as
    /// not having happened.
    pub fn is_over(&self, now: NaiveDateTime) -> bool {
        now >= self.ends_at()
    }
}

fn time_of(minute: u16) -> NaiveTime {
    // 24:00 is the end of the day: the last representable minute.
    let m = u32::from(minute.min(24 * 60 - 1));
    NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// "09:30" (or "9:30") as minutes since midnight; "24:00" ends a day.
pub fn parse_time(value: &str) -> Option<u16> {
    let (hh, mm) = value.trim().split_once(':')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&hh.len()) || mm.len() != 2 || !digits(hh) || !digits(mm) {
        return None;
    }
    let (h, m): (u16, u16) = (hh.parse().ok()?, mm.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// "09:30" from minutes since midnight.
pub fn format_time(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The form or JSON of an appointment, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentInput {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub on: String,
    /// HH:MM, local time.
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub place: String,
    /// Who takes part (the family, network members, providers).
    #[serde(default)]
    pub participants: String,
    /// What it is for; prefills the contact's note when confirmed.
    #[serde(default)]
    pub purpose: String,
    /// Plan it even though it overlaps another of the same coordinator.
    #[serde(default)]
    pub confirm_overlap: bool,
}

/// An appointment that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub slot: Slot,
    pub kind: ContactKind,
    pub place: String,
    pub participants: String,
    pub purpose: String,
}

const TEXT_MAX: usize = 500;

/// Checks an appointment as typed: a real day not in the past, a start
/// before the end, a kind one meets in, texts of sensible length.
pub fn validate(input: &AppointmentInput, today: NaiveDate) -> Result<Planned, Invalid> {
    let mut errors = Invalid::new();
    let on = match input.on.trim() {
        "" => {
            errors.add("on", "error-required");
            None
        }
        v => parse_date(v).or_else(|| {
            errors.add("on", "error-date-format");
            None
        }),
    };
    if on.is_some_and(|d| d < today) {
        errors.add("on", "error-appointment-in-past");
    }
    if on.is_some_and(|d| d > today + chrono::Duration::days(366)) {
        errors.add("on", "error-appointment-too-far");
    }
    let time = |errors: &mut Invalid, field: &str, value: &str| match value.trim() {
        "" => {
            errors.add(field, "error-required");
            None
        }
        v => parse_time(v).or_else(|| {
            errors.add(field, "error-time-format");
            None
        }),
    };
    let starts = time(&mut errors, "starts_at", &input.starts_at);
    let ends = time(&mut errors, "ends_at", &input.ends_at);
    if let (Some(s), Some(e)) = (starts, ends)
        && e <= s
    {
        errors.add("ends_at", "error-appointment-ends-before-start");
    }
    let kind = ContactKind::parse(input.kind.trim()).filter(|k| plannable(*k));
    if kind.is_none() {
        errors.add("kind", "error-choose-option");
    }
    for (field, value) in [
        ("place", &input.place),
        ("participants", &input.participants),
        ("purpose", &input.purpose),
    ] {
        if value.chars().count() > TEXT_MAX {
            errors.add(field, "error-too-long");
        }
    }
    errors.finish()?;
    match (on, starts, ends, kind) {
        (Some(on), Some(starts_minute), Some(ends_minute), Some(kind)) => Ok(Planned {
            slot: Slot {
                on,
                starts_minute,
                ends_minute,
            },
            kind,
            place: input.place.trim().to_string(),
            participants: input.participants.trim().to_string(),
            purpose: input.purpose.trim().to_string(),
        }),
        _ => Err(Invalid::one("on", "error-required")),
    }
}

/// An overlap with another planned appointment of the same coordinator is a
/// warning: refused until the coordinator confirms they mean it.
pub fn check_overlap(slot: &Slot, others: &[Slot], confirmed: bool) -> Result<(), Invalid> {
    if !confirmed && others.iter().any(|o| o.overlaps(slot)) {
        return Err(Invalid::one("starts_at", "error-appointment-overlap"));
    }
    Ok(())
}

/// Whether an appointment can be settled now (confirmed, or recorded as not
/// having happened): only a planned one whose time has passed.
pub fn check_settle(
    status: AppointmentStatus,
    slot: &Slot,
    now: NaiveDateTime,
) -> Result<(), &'static str> {
    if status != AppointmentStatus::Planned {
        return Err("error-appointment-settled");
    }
    if !slot.is_over(now) {
        return Err("error-appointment-not-over");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn input(on: &str, start: &str, end: &str) -> AppointmentInput {
        AppointmentInput {
            on: on.into(),
            starts_at: start.into(),
            ends_at: end.into(),
            kind: "home_visit".into(),
            place: "Thuis".into(),
            participants: "moeder, oma".into(),
            purpose: "Plan bespreken".into(),
            confirm_overlap: false,
        }
    }

    fn keys(r: Result<Planned, Invalid>) -> Vec<&'static str> {
        r.err()
            .map(|e| e.0.iter().map(|f| f.key).collect())
            .unwrap_or_default()
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(parse_time("09:30"), Some(570));
        assert_eq!(parse_time("9:05"), Some(545));
        assert_eq!(parse_time("24:00"), Some(1440));
        for bad in ["24:01", "12:60", "12", "ab:cd", "-1:00", "12:005", ""] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(format_time(545), "09:05");
    }

    #[test]
    fn an_appointment_ends_after_it_starts() {
        let today = d("2026-12-02");
        assert!(validate(&input("2026-12-02", "09:00", "10:30"), today).is_ok());
        assert_eq!(
            keys(validate(&input("2026-12-02", "10:00", "10:00"), today)),
            vec!["error-appointment-ends-before-start"]
        );
        assert_eq!(
            keys(validate(&input("2026-12-02", "10:00", "09:59"), today)),
            vec!["error-appointment-ends-before-start"]
        );
        assert_eq!(
            keys(validate(&input("2026-12-01", "10:00", "11:00"), today)),
            vec!["error-appointment-in-past"]
        );
        assert_eq!(
            keys(validate(&input("2026-12-40", "1000", "11:00"), today)),
            vec!["error-date-format", "error-time-format"]
        );
        let mut travel = input("2026-12-03", "10:00", "11:00");
        travel.kind = "travel".into();
        assert_eq!(keys(validate(&travel, today)), vec!["error-choose-option"]);
    }

    #[test]
    fn overlaps_share_a_minute() {
        let at = |s: &str, e: &str| {
            let p = validate(&input("2026-12-03", s, e), d("2026-12-02")).expect("valid");
            p.slot
        };
        let visit = at("09:00", "10:00");
        assert!(visit.overlaps(&at("09:59", "11:00")));
        assert!(!visit.overlaps(&at("10:00", "11:00")), "back to back");
        assert!(!visit.overlaps(&at("08:00", "09:00")));
        assert!(visit.overlaps(&at("08:00", "12:00")));
        let other_day = Slot {
            on: d("2026-12-04"),
            ..visit
        };
        assert!(!visit.overlaps(&other_day));
        assert!(check_overlap(&visit, &[at("09:30", "09:45")], false).is_err());
        assert!(check_overlap(&visit, &[at("09:30", "09:45")], true).is_ok());
    }

    #[test]
    fn settled_only_once_and_after_its_time() {
        let slot = validate(&input("2026-12-02", "09:00", "10:00"), d("2026-12-02"))
            .expect("valid")
            .slot;
        let at = |t: &str| {
            d("2026-12-02").and_time(NaiveTime::parse_from_str(t, "%H:%M").expect("time"))
        };
        assert_eq!(
            check_settle(AppointmentStatus::Planned, &slot, at("09:59")),
            Err("error-appointment-not-over")
        );
        assert!(check_settle(AppointmentStatus::Planned, &slot, at("10:00")).is_ok());
        assert_eq!(
            check_settle(AppointmentStatus::Confirmed, &slot, at("11:00")),
            Err("error-appointment-settled")
        );
        assert_eq!(slot.minutes(), 60);
    }
}
