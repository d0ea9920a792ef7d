//! A coordinator's caseload against capacity.
//!
//! Capacity is the programme's families-per-FTE scaled by the secondment's
//! hours: a 16-of-32-hour secondment carries half. Arithmetic stays in whole
//! minutes so "exactly at capacity" is never a rounding question.

use serde::Serialize;

use crate::programme::Norms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capacity {
    pub families_per_fte: u32,
    pub seconded_minutes_per_week: u32,
    pub full_time_minutes_per_week: u32,
}

impl Capacity {
    pub fn new(norms: &Norms, seconded_minutes_per_week: u32) -> Capacity {
        Capacity {
            families_per_fte: norms.families_per_fte,
            seconded_minutes_per_week,
            full_time_minutes_per_week: norms.full_time_minutes_per_week.max(1),
        }
    }

    /// Families this coordinator can carry, possibly fractional (1.5 for half of 3).
    pub fn families(&self) -> f64 {
        f64::from(self.families_per_fte) * f64::from(self.seconded_minutes_per_week)
            / f64::from(self.full_time_minutes_per_week)
    }

    /// Whether one more family fits: (caseload + 1) ≤ capacity, in exact integers.
    pub fn has_room_for_one_more(&self, caseload: u32) -> bool {
        (u64::from(caseload) + 1) * u64::from(self.full_time_minutes_per_week)
            <= u64::from(self.families_per_fte) * u64::from(self.seconded_minutes_per_week)
    }

    /// How full the caseload is, in percent of capacity (rounded), for bars and lists.
    pub fn percent_used(&self, caseload: u32) -> u32 {
        let capacity = self.families();
        if capacity <= 0.0 {
            return if caseload == 0 { 0 } else { 100 };
        }
        ((f64::from(caseload) / capacity) * 100.0).round() as u32
    }

    pub fn status(&self, caseload: u32) -> Load {
        if !self.has_room_for_one_more(caseload) {
            Load::Full
        } else if self.percent_used(caseload + 1) >= 100 {
            Load::Near
        } else {
            Load::Room
        }
    }
}

/// How a caseload stands: room for more, one place left, or full (or over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Load {
    Room,
    Near,
    Full,
}

/// What an assignment needs from the capacity rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentCheck {
    /// Within capacity.
    Fits,
    /// Beyond capacity but the supervisor recorded why.
    Override(String),
}

/// The capacity rule at assignment: beyond capacity only with a recorded reason.
pub fn check_assignment(
    capacity: &Capacity,
    caseload: u32,
    override_reason: Option<&str>,
) -> Result<AssignmentCheck, CapacityRefusal> {
    if capacity.has_room_for_one_more(caseload) {
        return Ok(AssignmentCheck::Fits);
    }
    match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => Ok(AssignmentCheck::Override(reason.to_string())),
        None => Err(CapacityRefusal {
            caseload,
            capacity: capacity.families(),
        }),
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("caseload {caseload} is at or over capacity {capacity:.1}")]
pub struct CapacityRefusal {
    pub caseload: u32,
    pub capacity: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norms(families: u32) -> Norms {
        Norms {
            families_per_fte: families,
            budget_minutes_per_family: 12_000,
            weekly_minutes_per_family: 420,
            start_within_weeks: 9,
            full_time_minutes_per_week: 32 * 60,
        }
    }

    #[test]
    fn part_time_secondment_carries_a_share() {
        let half = Capacity::new(&norms(3), 16 * 60);
        assert_eq!(half.families(), 1.5);
        assert!(half.has_room_for_one_more(0));
        assert!(!half.has_room_for_one_more(1), "2 families exceed 1.5");
        let full = Capacity::new(&norms(3), 32 * 60);
        assert!(full.has_room_for_one_more(2));
        assert!(!full.has_room_for_one_more(3));
        assert_eq!(full.status(2), Load::Near);
        assert_eq!(full.status(3), Load::Full);
        assert_eq!(full.status(0), Load::Room);
    }

    #[test]
    fn override_needs_a_reason() {
        let full = Capacity::new(&norms(3), 32 * 60);
        assert!(check_assignment(&full, 3, None).is_err());
        assert!(check_assignment(&full, 3, Some("   ")).is_err());
        assert_eq!(
            check_assignment(&full, 3, Some(" crisis ")),
            Ok(AssignmentCheck::Override("crisis".into()))
        );
        assert_eq!(check_assignment(&full, 2, None), Ok(AssignmentCheck::Fits));
    }

    proptest! {
        #[test]
        fn room_matches_the_fractional_capacity(families in 1u32..12, hours in 1u32..40, caseload in 0u32..20) {
            let cap = Capacity::new(&norms(families), hours * 60);
            let fits = cap.has_room_for_one_more(caseload);
            // Exact comparison done in floating point with a margin away from the boundary.
            let exact = f64::from(caseload + 1) <= cap.families() + 1e-9;
            prop_assert_eq!(fits, exact);
        }

        #[test]
        fn more_hours_never_reduce_room(families in 1u32..12, hours in 1u32..39, caseload in 0u32..20) {
            let less = Capacity::new(&norms(families), hours * 60);
            let more = Capacity::new(&norms(families), (hours + 1) * 60);
            prop_assert!(!less.has_room_for_one_more(caseload) || more.has_room_for_one_more(caseload));
        }
    }
}
