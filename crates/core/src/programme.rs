//! Programmes and their norms.
//!
//! Norms belong to a programme, never to the system: the Amersfoort pilot works
//! with about 3 families per coordinator, Zeeland's IPT with 8.

use serde::Serialize;

use crate::validation::Invalid;

/// The norms a programme is watched on. Durations are minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Norms {
    /// Families one full-time coordinator carries.
    pub families_per_fte: u32,
    /// Hour budget per family over the whole episode, in minutes (200 h = 12,000).
    pub budget_minutes_per_family: u32,
    /// Intended weekly intensity per family, in minutes (7 h = 420).
    pub weekly_minutes_per_family: u32,
    /// Help should start within this many weeks of the indication or registration.
    pub start_within_weeks: u32,
    /// What counts as full time for a coordinator of this programme, minutes per week.
    pub full_time_minutes_per_week: u32,
}

impl Norms {
    /// Checks each norm and that they fit together: a full caseload at the weekly
    /// intensity must fit in a full-time week (8 families × 7 h would be 56 h).
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::new();
        if self.families_per_fte == 0 || self.families_per_fte > 50 {
            errors.add("families_per_fte", "error-norm-families");
        }
        if self.budget_minutes_per_family == 0 {
            errors.add("budget_hours_per_family", "error-positive");
        }
        if self.weekly_minutes_per_family == 0 {
            errors.add("weekly_hours_per_family", "error-positive");
        }
        if self.start_within_weeks == 0 || self.start_within_weeks > 104 {
            errors.add("start_within_weeks", "error-norm-weeks");
        }
        if self.full_time_minutes_per_week == 0 || self.full_time_minutes_per_week > 60 * 60 {
            errors.add("full_time_hours_per_week", "error-norm-full-time");
        }
        if errors.is_empty()
            && u64::from(self.families_per_fte) * u64::from(self.weekly_minutes_per_family)
                > u64::from(self.full_time_minutes_per_week)
        {
            errors.add("weekly_hours_per_family", "error-norms-do-not-fit");
        }
        errors.finish()
    }

    /// Waiting longer than the norm, in days.
    pub fn start_within_days(&self) -> i64 {
        start_within_days(self.start_within_weeks)
    }
}

/// The norm for the start of help, given in weeks, in days.
pub fn start_within_days(weeks: u32) -> i64 {
    i64::from(weeks) * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn amersfoort() -> Norms {
        Norms {
            families_per_fte: 3,
            budget_minutes_per_family: 200 * 60,
            weekly_minutes_per_family: 7 * 60,
            start_within_weeks: 9,
            full_time_minutes_per_week: 32 * 60,
        }
    }

    #[test]
    fn seed_norms_fit() {
        assert!(amersfoort().validate().is_ok());
        let zeeland = Norms {
            families_per_fte: 8,
            weekly_minutes_per_family: 4 * 60,
            full_time_minutes_per_week: 36 * 60,
            ..amersfoort()
        };
        assert!(zeeland.validate().is_ok());
    }

    #[test]
    fn eight_families_at_seven_hours_do_not_fit() {
        let norms = Norms {
            families_per_fte: 8,
            full_time_minutes_per_week: 36 * 60,
            ..amersfoort()
        };
        let err = norms.validate().expect_err("56 h a week does not fit");
        assert_eq!(err.0[0].key, "error-norms-do-not-fit");
    }
}
