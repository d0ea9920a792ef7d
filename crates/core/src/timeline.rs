//! A family's timeline: everything that happened around the family, in date
//! order. Within one day, events keep the order in which care unfolds (a
//! referral before its acceptance, a start before the contacts of that day,
//! closure last), so a day reads as it happened.

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ReferralReceived,
    Accepted,
    Assigned,
    Handover,
    HelpStarted,
    PhaseChanged,
    PlanAgreed,
    ModuleRequested,
    ModuleStarted,
    Contact,
    ModuleEnded,
    Withdrawn,
    Closed,
}

impl EventKind {
    pub const ALL: [EventKind; 13] = [
        EventKind::ReferralReceived,
        EventKind::Accepted,
        EventKind::Assigned,
        EventKind::Handover,
        EventKind::HelpStarted,
        EventKind::PhaseChanged,
        EventKind::PlanAgreed,
        EventKind::ModuleRequested,
        EventKind::ModuleStarted,
        EventKind::Contact,
        EventKind::ModuleEnded,
        EventKind::Withdrawn,
        EventKind::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ReferralReceived => "referral_received",
            EventKind::Accepted => "accepted",
            EventKind::Assigned => "assigned",
            EventKind::Handover => "handover",
            EventKind::HelpStarted => "help_started",
            EventKind::PhaseChanged => "phase_changed",
            EventKind::PlanAgreed => "plan_agreed",
            EventKind::ModuleRequested => "module_requested",
            EventKind::ModuleStarted => "module_started",
            EventKind::Contact => "contact",
            EventKind::ModuleEnded => "module_ended",
            EventKind::Withdrawn => "withdrawn",
            EventKind::Closed => "closed",
        }
    }
}

/// Sorts events by day, then by the order care unfolds within a day, then by
/// `seq` (the order they were recorded); the sort is stable.
pub fn sort_events<T>(events: &mut [T], key: impl Fn(&T) -> (NaiveDate, EventKind, i64)) {
    events.sort_by_key(|e| key(e));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    #[test]
    fn a_day_reads_as_it_happened() {
        let d = |s: &str| parse_date(s).expect("test date");
        let mut events = vec![
            (d("2026-03-02"), EventKind::Closed, 9),
            (d("2026-03-02"), EventKind::Contact, 2),
            (d("2026-03-01"), EventKind::Contact, 1),
            (d("2026-03-02"), EventKind::Contact, 1),
            (d("2026-03-02"), EventKind::HelpStarted, 5),
            (d("2026-02-27"), EventKind::ReferralReceived, 0),
        ];
        sort_events(&mut events, |e| *e);
        let kinds: Vec<_> = events.iter().map(|e| (e.1, e.2)).collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::ReferralReceived, 0),
                (EventKind::Contact, 1),
                (EventKind::HelpStarted, 5),
                (EventKind::Contact, 1),
                (EventKind::Contact, 2),
                (EventKind::Closed, 9),
            ]
        );
    }
}
