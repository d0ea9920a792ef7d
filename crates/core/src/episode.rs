//! An episode: one stretch of care for a family, from acceptance to closure.
//!
//! waiting → (withdrawn) | assigned → in care → closed. Start of help (the date
//! of the first contact) moves an assigned episode into care and starts phase 1.
//! A family has at most one open episode; a returning family gets a new one.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EpisodeState {
    Waiting,
    Withdrawn,
    Assigned,
    InCare,
    Closed,
}

impl EpisodeState {
    pub const ALL: [EpisodeState; 5] = [
        EpisodeState::Waiting,
        EpisodeState::Withdrawn,
        EpisodeState::Assigned,
        EpisodeState::InCare,
        EpisodeState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeState::Waiting => "waiting",
            EpisodeState::Withdrawn => "withdrawn",
            EpisodeState::Assigned => "assigned",
            EpisodeState::InCare => "in_care",
            EpisodeState::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<EpisodeState> {
        EpisodeState::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Open episodes are the ones a family can have only one of.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            EpisodeState::Waiting | EpisodeState::Assigned | EpisodeState::InCare
        )
    }

    /// Episodes that count in a coordinator's caseload.
    pub fn counts_in_caseload(self) -> bool {
        matches!(self, EpisodeState::Assigned | EpisodeState::InCare)
    }
}

/// The four Wraparound phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Phase {
    Engagement = 1,
    PlanDevelopment = 2,
    Implementation = 3,
    Transition = 4,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Engagement,
        Phase::PlanDevelopment,
        Phase::Implementation,
        Phase::Transition,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i64) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| i64::from(p.number()) == n)
    }
}

impl From<Phase> for u8 {
    fn from(p: Phase) -> u8 {
        p.number()
    }
}

impl TryFrom<u8> for Phase {
    type Error = String;
    fn try_from(n: u8) -> Result<Phase, String> {
        Phase::from_number(i64::from(n)).ok_or_else(|| format!("phase {n} is not 1 to 4"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    GoalsReached,
    Moved,
    DroppedOut,
    ReferredElsewhere,
    Other,
}

impl ClosureReason {
    pub const ALL: [ClosureReason; 5] = [
        ClosureReason::GoalsReached,
        ClosureReason::Moved,
        ClosureReason::DroppedOut,
        ClosureReason::ReferredElsewhere,
        ClosureReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::GoalsReached => "goals_reached",
            ClosureReason::Moved => "moved",
            ClosureReason::DroppedOut => "dropped_out",
            ClosureReason::ReferredElsewhere => "referred_elsewhere",
            ClosureReason::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<ClosureReason> {
        ClosureReason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// The facts about an episode that its rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeFacts {
    pub state: EpisodeState,
    pub accepted_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub phase: Option<Phase>,
    /// The date the current phase began.
    pub phase_since: Option<NaiveDate>,
    /// The start of the current coordinator's assignment.
    pub assigned_since: Option<NaiveDate>,
}

/// Why an episode refuses a step; each carries a message key for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EpisodeRefusal {
    #[error("the episode is not open")]
    NotOpen,
    #[error("the episode has no coordinator yet")]
    NotAssigned,
    #[error("help has already started")]
    AlreadyStarted,
    #[error("help has not started yet")]
    NotInCare,
    #[error("the date lies before the episode's acceptance")]
    BeforeAcceptance,
    #[error("the date lies before the previous step")]
    BeforePreviousStep,
    #[error("the date lies in the future")]
    InFuture,
    #[error("the episode is already in that phase")]
    SamePhase,
    #[error("only a waiting episode can be withdrawn")]
    NotWaiting,
}

impl EpisodeRefusal {
    pub fn key(self) -> &'static str {
        match self {
            EpisodeRefusal::NotOpen => "error-episode-not-open",
            EpisodeRefusal::NotAssigned => "error-episode-not-assigned",
            EpisodeRefusal::AlreadyStarted => "error-episode-already-started",
            EpisodeRefusal::NotInCare => "error-episode-not-in-care",
            EpisodeRefusal::BeforeAcceptance => "error-date-before-acceptance",
            EpisodeRefusal::BeforePreviousStep => "error-date-before-previous-step",
            EpisodeRefusal::InFuture => "error-date-in-future",
            EpisodeRefusal::SamePhase => "error-same-phase",
            EpisodeRefusal::NotWaiting => "error-episode-not-waiting",
        }
    }
}

fn not_future(date: NaiveDate, today: NaiveDate) -> Result<(), EpisodeRefusal> {
    if date > today {
        Err(EpisodeRefusal::InFuture)
    } else {
        Ok(())
    }
}

impl EpisodeFacts {
    /// Assigning (or handing over) a coordinator from `on`. A handover may not
    /// start before the current assignment did.
    pub fn assign(&self, on: NaiveDate) -> Result<EpisodeState, EpisodeRefusal> {
        if !self.state.is_open() {
            return Err(EpisodeRefusal::NotOpen);
        }
        if on < self.accepted_on {
            return Err(EpisodeRefusal::BeforeAcceptance);
        }
        if self.assigned_since.is_some_and(|since| on < since) {
            return Err(EpisodeRefusal::BeforePreviousStep);
        }
        Ok(match self.state {
            EpisodeState::Waiting => EpisodeState::Assigned,
            other => other,
        })
    }

    /// Start of help: the first contact. Moves the episode into care in phase 1.
    pub fn start_help(&self, on: NaiveDate, today: NaiveDate) -> Result<(), EpisodeRefusal> {
        match self.state {
            EpisodeState::Assigned => {}
            EpisodeState::Waiting => return Err(EpisodeRefusal::NotAssigned),
            EpisodeState::InCare => return Err(EpisodeRefusal::AlreadyStarted),
            EpisodeState::Withdrawn | EpisodeState::Closed => return Err(EpisodeRefusal::NotOpen),
        }
        not_future(on, today)?;
        if on < self.accepted_on {
            return Err(EpisodeRefusal::BeforeAcceptance);
        }
        Ok(())
    }

    /// Moving to another phase on a date, only while in care.
    pub fn change_phase(
        &self,
        to: Phase,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), EpisodeRefusal> {
        match self.state {
            EpisodeState::InCare => {}
            EpisodeState::Waiting | EpisodeState::Assigned => {
                return Err(EpisodeRefusal::NotInCare);
            }
            EpisodeState::Withdrawn | EpisodeState::Closed => return Err(EpisodeRefusal::NotOpen),
        }
        not_future(on, today)?;
        if self.phase == Some(to) {
            return Err(EpisodeRefusal::SamePhase);
        }
        if self.phase_since.is_some_and(|since| on < since) {
            return Err(EpisodeRefusal::BeforePreviousStep);
        }
        Ok(())
    }

    /// Closing an assigned or in-care episode. A waiting one is withdrawn instead.
    pub fn close(&self, on: NaiveDate, today: NaiveDate) -> Result<(), EpisodeRefusal> {
        match self.state {
            EpisodeState::Assigned | EpisodeState::InCare => {}
            EpisodeState::Waiting => return Err(EpisodeRefusal::NotAssigned),
            EpisodeState::Withdrawn | EpisodeState::Closed => return Err(EpisodeRefusal::NotOpen),
        }
        not_future(on, today)?;
        let latest = [
            Some(self.accepted_on),
            self.started_on,
            self.phase_since,
            self.assigned_since,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.accepted_on);
        if on < latest {
            return Err(EpisodeRefusal::BeforePreviousStep);
        }
        Ok(())
    }

    /// Withdrawing a referral that is still waiting.
    pub fn withdraw(&self, on: NaiveDate, today: NaiveDate) -> Result<(), EpisodeRefusal> {
        if self.state != EpisodeState::Waiting {
            return Err(EpisodeRefusal::NotWaiting);
        }
        not_future(on, today)?;
        if on < self.accepted_on {
            return Err(EpisodeRefusal::BeforeAcceptance);
        }
        Ok(())
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

    fn waiting() -> EpisodeFacts {
        EpisodeFacts {
            state: EpisodeState::Waiting,
            accepted_on: d("2026-03-01"),
            started_on: None,
            phase: None,
            phase_since: None,
            assigned_since: None,
        }
    }

    fn in_care() -> EpisodeFacts {
        EpisodeFacts {
            state: EpisodeState::InCare,
            started_on: Some(d("2026-03-10")),
            phase: Some(Phase::Engagement),
            phase_since: Some(d("2026-03-10")),
            assigned_since: Some(d("2026-03-05")),
            ..waiting()
        }
    }

    const TODAY: &str = "2026-06-01";

    #[test]
    fn start_of_help_needs_a_coordinator_first() {
        let today = d(TODAY);
        assert_eq!(
            waiting().start_help(d("2026-03-10"), today),
            Err(EpisodeRefusal::NotAssigned)
        );
        let assigned = EpisodeFacts {
            state: EpisodeState::Assigned,
            assigned_since: Some(d("2026-03-05")),
            ..waiting()
        };
        assert_eq!(
            assigned.start_help(d("2026-02-01"), today),
            Err(EpisodeRefusal::BeforeAcceptance)
        );
        assert_eq!(
            assigned.start_help(d("2026-07-01"), today),
            Err(EpisodeRefusal::InFuture)
        );
        assert_eq!(assigned.start_help(d("2026-03-10"), today), Ok(()));
    }

    #[test]
    fn phases_change_only_in_care() {
        let today = d(TODAY);
        let closed = EpisodeFacts {
            state: EpisodeState::Closed,
            ..in_care()
        };
        assert_eq!(
            closed.change_phase(Phase::Implementation, d("2026-04-01"), today),
            Err(EpisodeRefusal::NotOpen)
        );
        assert_eq!(
            in_care().change_phase(Phase::Engagement, d("2026-04-01"), today),
            Err(EpisodeRefusal::SamePhase)
        );
        assert_eq!(
            in_care().change_phase(Phase::PlanDevelopment, d("2026-03-01"), today),
            Err(EpisodeRefusal::BeforePreviousStep)
        );
        assert_eq!(
            in_care().change_phase(Phase::PlanDevelopment, d("2026-04-01"), today),
            Ok(())
        );
    }

    #[test]
    fn waiting_episodes_are_withdrawn_not_closed() {
        let today = d(TODAY);
        assert_eq!(
            waiting().close(d("2026-04-01"), today),
            Err(EpisodeRefusal::NotAssigned)
        );
        assert_eq!(waiting().withdraw(d("2026-04-01"), today), Ok(()));
        assert_eq!(
            in_care().withdraw(d("2026-04-01"), today),
            Err(EpisodeRefusal::NotWaiting)
        );
        assert_eq!(in_care().close(d("2026-04-01"), today), Ok(()));
        assert_eq!(
            in_care().close(d("2026-03-09"), today),
            Err(EpisodeRefusal::BeforePreviousStep)
        );
    }

    #[test]
    fn assignment_moves_waiting_to_assigned_and_keeps_later_states() {
        assert_eq!(
            waiting().assign(d("2026-03-02")),
            Ok(EpisodeState::Assigned)
        );
        assert_eq!(in_care().assign(d("2026-04-02")), Ok(EpisodeState::InCare));
        assert_eq!(
            in_care().assign(d("2026-03-01")),
            Err(EpisodeRefusal::BeforePreviousStep)
        );
    }

    fn any_state() -> impl Strategy<Value = EpisodeState> {
        proptest::sample::select(EpisodeState::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn closed_and_withdrawn_episodes_refuse_every_step(state in any_state(), offset in 0i64..200, phase in 1i64..5) {
            prop_assume!(!state.is_open());
            let facts = EpisodeFacts { state, ..in_care() };
            let on = d("2026-03-01") + chrono::Duration::days(offset);
            let today = d("2027-01-01");
            let to = Phase::from_number(phase).expect("1..4");
            prop_assert!(facts.assign(on).is_err());
            prop_assert!(facts.start_help(on, today).is_err());
            prop_assert!(facts.change_phase(to, on, today).is_err());
            prop_assert!(facts.close(on, today).is_err());
            prop_assert!(facts.withdraw(on, today).is_err());
        }

        #[test]
        fn no_step_is_dated_in_the_future(offset in 1i64..400) {
            let today = d(TODAY);
            let on = today + chrono::Duration::days(offset);
            let assigned = EpisodeFacts { state: EpisodeState::Assigned, ..waiting() };
            prop_assert_eq!(assigned.start_help(on, today), Err(EpisodeRefusal::InFuture));
            prop_assert_eq!(in_care().change_phase(Phase::Transition, on, today), Err(EpisodeRefusal::InFuture));
            prop_assert_eq!(in_care().close(on, today), Err(EpisodeRefusal::InFuture));
        }
    }
}
