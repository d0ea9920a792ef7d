//! Need to know: who may see and do what on a family file.
//!
//! One pure rule, used by every use case that touches a family file. A
//! supervisor works on their own team's episodes of the family; a coordinator
//! on the one open episode they coordinate now. Earlier episodes of other teams
//! show only as a summary line. Intake, analysts and administrators never open
//! a family file. Someone without a need to know may read a file for a limited
//! time after giving a reason ("breaking the glass"); that access is read-only.

use chrono::NaiveDate;

use crate::episode::EpisodeState;
use crate::role::Role;

/// How long an emergency access lasts.
pub const EMERGENCY_HOURS: i64 = 24;

/// Longest reason for an emergency access we keep.
pub const MAX_EMERGENCY_REASON: usize = 1000;

/// The person asking, as far as the rule needs to know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub role: Role,
    pub team_id: Option<i64>,
    /// The worker record of a coordinator or supervisor.
    pub worker_id: Option<i64>,
    /// An emergency access to this family that has not yet expired.
    pub emergency: bool,
}

/// The facts of one of the family's episodes that decide who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeAccess {
    pub id: i64,
    pub team_id: i64,
    pub state: EpisodeState,
    pub accepted_on: NaiveDate,
    /// The worker of the open-ended assignment, if any.
    pub coordinator_id: Option<i64>,
}

/// What the viewer wants to do with the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    /// Open the file or one of its parts: plan, contacts, modules, timeline, costs.
    Read,
    /// The work of care: start of help, phases, closure, plan, contacts, modules.
    Care,
    /// What only the team's supervisor does: assign, hand over, withdraw.
    Supervise,
}

/// On what ground the file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    NeedToKnow,
    Emergency,
}

/// What the rule allows: the episode to act on, and how much of the others to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The episode the use case acts on or shows first.
    pub episode_id: i64,
    pub basis: Basis,
    /// Episodes the viewer may see in full, `episode_id` among them, newest first.
    pub full: Vec<i64>,
    /// Earlier episodes shown only as a summary line, newest first.
    pub summary: Vec<i64>,
    /// The viewer works on the family's current episode (the open one, else
    /// the newest): they see who opened the file in an emergency.
    pub family_team: bool,
}

impl Grant {
    pub fn shows_in_full(&self, episode_id: i64) -> bool {
        self.full.contains(&episode_id)
    }
}

/// Why the rule refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This role never opens family files.
    NotForRole,
    /// No need to know this family (the file may be opened in an emergency).
    NoNeedToKnow,
    /// An emergency access allows reading, nothing more.
    ReadOnly,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NotForRole => "error-forbidden",
            Refusal::NoNeedToKnow => "error-not-found",
            Refusal::ReadOnly => "error-emergency-read-only",
        }
    }
}

/// Newest first: by acceptance, then by id.
fn newest_first(episodes: &[EpisodeAccess]) -> Vec<EpisodeAccess> {
    let mut sorted = episodes.to_vec();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.accepted_on, e.id)));
    sorted
}

fn earlier_than(e: &EpisodeAccess, than: &EpisodeAccess) -> bool {
    (e.accepted_on, e.id) < (than.accepted_on, than.id)
}

/// Decides what the viewer may do with a family file whose episodes are given.
pub fn decide(
    viewer: &Viewer,
    episodes: &[EpisodeAccess],
    action: FileAction,
) -> Result<Grant, Refusal> {
    if !role_may(viewer.role, action) {
        return Err(Refusal::NotForRole);
    }
    let episodes = newest_first(episodes);
    match need_to_know(viewer, &episodes) {
        Some(mut grant) => {
            grant.family_team = current_of(&episodes).is_some_and(|c| c.id == grant.episode_id);
            Ok(grant)
        }
        None if !viewer.emergency => Err(Refusal::NoNeedToKnow),
        None if action != FileAction::Read => Err(Refusal::ReadOnly),
        None => emergency(&episodes).ok_or(Refusal::NoNeedToKnow),
    }
}

/// The family's current episode: the open one, else the newest.
fn current_of(newest_first: &[EpisodeAccess]) -> Option<&EpisodeAccess> {
    newest_first
        .iter()
        .find(|e| e.state.is_open())
        .or_else(|| newest_first.first())
}

/// The grant a viewer's own work gives, if any.
fn need_to_know(viewer: &Viewer, episodes: &[EpisodeAccess]) -> Option<Grant> {
    match viewer.role {
        Role::Supervisor => {
            let team = viewer.team_id?;
            let own: Vec<&EpisodeAccess> = episodes.iter().filter(|e| e.team_id == team).collect();
            let current = own
                .iter()
                .find(|e| e.state.is_open())
                .or_else(|| own.first())?;
            let newest_own = own.first()?;
            Some(Grant {
                episode_id: current.id,
                basis: Basis::NeedToKnow,
                full: own.iter().map(|e| e.id).collect(),
                summary: episodes
                    .iter()
                    .filter(|e| e.team_id != team && earlier_than(e, newest_own))
                    .map(|e| e.id)
                    .collect(),
                family_team: false,
            })
        }
        Role::Coordinator => {
            let worker = viewer.worker_id?;
            let mine = episodes
                .iter()
                .find(|e| e.state.is_open() && e.coordinator_id == Some(worker))?;
            Some(one_episode(mine, Basis::NeedToKnow, episodes))
        }
        Role::Admin | Role::Intake | Role::Analyst | Role::PrivacyOfficer => None,
    }
}

/// An emergency access shows the family's current episode (the open one, else
/// the newest) in full and the earlier ones as summary lines.
fn emergency(episodes: &[EpisodeAccess]) -> Option<Grant> {
    current_of(episodes).map(|current| one_episode(current, Basis::Emergency, episodes))
}

/// A grant of one episode in full, with the episodes before it as summary lines.
fn one_episode(shown: &EpisodeAccess, basis: Basis, episodes: &[EpisodeAccess]) -> Grant {
    Grant {
        episode_id: shown.id,
        basis,
        full: vec![shown.id],
        summary: episodes
            .iter()
            .filter(|e| earlier_than(e, shown))
            .map(|e| e.id)
            .collect(),
        family_team: false,
    }
}

/// Whether the role may ever do this to a family file, whichever family.
pub fn role_may(role: Role, action: FileAction) -> bool {
    match action {
        FileAction::Read | FileAction::Care => works_on_files(role),
        FileAction::Supervise => role == Role::Supervisor,
    }
}

/// The roles that do casework; the others never open a family file.
pub fn works_on_files(role: Role) -> bool {
    matches!(role, Role::Supervisor | Role::Coordinator)
}

/// Who may open a file without a need to know, after giving a reason.
pub fn may_break_glass(role: Role) -> bool {
    works_on_files(role)
}

/// The reason given for an emergency access, trimmed, or the message key of its fault.
pub fn emergency_reason(reason: &str) -> Result<&str, &'static str> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err("error-required")
    } else if reason.chars().count() > MAX_EMERGENCY_REASON {
        Err("error-too-long")
    } else {
        Ok(reason)
    }
}

/// Only the coordinator who logged a contact may correct or remove it: the
/// hours are theirs. (That they may work on the episode at all is `decide`'s.)
pub fn may_amend_contact(viewer_worker: Option<i64>, logged_by_worker: i64) -> bool {
    viewer_worker == Some(logged_by_worker)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMERSFOORT: i64 = 1;
    const ZEELAND: i64 = 2;
    const ANNA: i64 = 10; // coordinator in Amersfoort
    const BERT: i64 = 11; // coordinator in Amersfoort, took over from Anna
    const CEES: i64 = 20; // coordinator in Zeeland

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).expect("date")
    }

    fn supervisor(team: i64) -> Viewer {
        Viewer {
            role: Role::Supervisor,
            team_id: Some(team),
            worker_id: Some(100 + team),
            emergency: false,
        }
    }

    fn coordinator(team: i64, worker: i64) -> Viewer {
        Viewer {
            role: Role::Coordinator,
            team_id: Some(team),
            worker_id: Some(worker),
            emergency: false,
        }
    }

    fn episode(
        id: i64,
        team: i64,
        state: EpisodeState,
        on: u32,
        who: Option<i64>,
    ) -> EpisodeAccess {
        EpisodeAccess {
            id,
            team_id: team,
            state,
            accepted_on: day(on),
            coordinator_id: who,
        }
    }

    /// The situations of the authorisation matrix.
    fn waiting() -> Vec<EpisodeAccess> {
        vec![episode(1, AMERSFOORT, EpisodeState::Waiting, 5, None)]
    }
    fn in_care() -> Vec<EpisodeAccess> {
        vec![episode(1, AMERSFOORT, EpisodeState::InCare, 5, Some(BERT))]
    }
    fn closed() -> Vec<EpisodeAccess> {
        vec![episode(1, AMERSFOORT, EpisodeState::Closed, 5, None)]
    }
    /// Closed in Amersfoort, now in care in Zeeland.
    fn moved() -> Vec<EpisodeAccess> {
        vec![
            episode(1, AMERSFOORT, EpisodeState::Closed, 2, None),
            episode(2, ZEELAND, EpisodeState::InCare, 20, Some(CEES)),
        ]
    }

    #[test]
    fn roles_without_casework_never_open_a_file() {
        for role in [
            Role::Admin,
            Role::Intake,
            Role::Analyst,
            Role::PrivacyOfficer,
        ] {
            for emergency in [false, true] {
                let viewer = Viewer {
                    role,
                    team_id: Some(AMERSFOORT),
                    worker_id: None,
                    emergency,
                };
                for situation in [waiting(), in_care(), closed(), moved()] {
                    for action in [FileAction::Read, FileAction::Care, FileAction::Supervise] {
                        assert_eq!(
                            decide(&viewer, &situation, action),
                            Err(Refusal::NotForRole),
                            "{role:?} {action:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_supervisor_works_on_the_own_teams_episodes() {
        let boss = supervisor(AMERSFOORT);
        for situation in [waiting(), in_care(), closed()] {
            for action in [FileAction::Read, FileAction::Care, FileAction::Supervise] {
                let grant = decide(&boss, &situation, action).expect("own team");
                assert_eq!(grant.episode_id, 1);
                assert_eq!(grant.basis, Basis::NeedToKnow);
                assert!(grant.summary.is_empty());
            }
        }
        for situation in [waiting(), in_care(), closed(), moved()] {
            assert_eq!(
                decide(&supervisor(3), &situation, FileAction::Read),
                Err(Refusal::NoNeedToKnow),
                "another team's supervisor"
            );
        }
    }

    #[test]
    fn an_earlier_team_keeps_its_own_episode_and_nothing_of_the_new_one() {
        // Defect 1: the Amersfoort supervisor acted on Zeeland's open episode.
        let old_team = supervisor(AMERSFOORT);
        for action in [FileAction::Read, FileAction::Care, FileAction::Supervise] {
            let grant = decide(&old_team, &moved(), action).expect("own closed episode");
            assert_eq!(grant.episode_id, 1, "acts on its own closed episode only");
            assert_eq!(grant.full, vec![1]);
            assert!(grant.summary.is_empty(), "the later episode is not shown");
        }
        assert!(
            !decide(&old_team, &moved(), FileAction::Read)
                .expect("grant")
                .family_team
        );
        let new_team = supervisor(ZEELAND);
        let grant = decide(&new_team, &moved(), FileAction::Supervise).expect("own episode");
        assert!(grant.family_team, "the family's current team");
        assert_eq!(grant.episode_id, 2);
        assert_eq!(grant.full, vec![2]);
        assert_eq!(
            grant.summary,
            vec![1],
            "the earlier team's episode as a line"
        );
    }

    #[test]
    fn a_coordinator_sees_only_the_episode_they_coordinate_now() {
        let bert = coordinator(AMERSFOORT, BERT);
        let grant = decide(&bert, &in_care(), FileAction::Care).expect("current coordinator");
        assert_eq!(grant.full, vec![1]);
        assert_eq!(
            decide(&bert, &in_care(), FileAction::Supervise),
            Err(Refusal::NotForRole)
        );
        // Anna handed the family over to Bert: she no longer sees it.
        let anna = coordinator(AMERSFOORT, ANNA);
        for situation in [waiting(), in_care(), closed(), moved()] {
            assert_eq!(
                decide(&anna, &situation, FileAction::Read),
                Err(Refusal::NoNeedToKnow)
            );
        }
        // Once closed, not even the last coordinator.
        assert_eq!(
            decide(&bert, &closed(), FileAction::Read),
            Err(Refusal::NoNeedToKnow)
        );
        let cees = coordinator(ZEELAND, CEES);
        let grant = decide(&cees, &moved(), FileAction::Read).expect("Zeeland's coordinator");
        assert_eq!((grant.episode_id, grant.full.clone()), (2, vec![2]));
        assert_eq!(grant.summary, vec![1]);
    }

    #[test]
    fn breaking_the_glass_reads_the_current_episode_and_changes_nothing() {
        for viewer in [supervisor(3), coordinator(AMERSFOORT, ANNA)] {
            let viewer = Viewer {
                emergency: true,
                ..viewer
            };
            let grant = decide(&viewer, &moved(), FileAction::Read).expect("emergency read");
            assert_eq!(grant.basis, Basis::Emergency);
            assert!(!grant.family_team);
            assert_eq!((grant.episode_id, grant.summary.clone()), (2, vec![1]));
            assert_eq!(
                decide(&viewer, &moved(), FileAction::Care),
                Err(Refusal::ReadOnly)
            );
            assert!(
                decide(&viewer, &[], FileAction::Read).is_err(),
                "no episode"
            );
        }
        // Someone with a need to know keeps their own grant.
        let boss = Viewer {
            emergency: true,
            ..supervisor(AMERSFOORT)
        };
        let grant = decide(&boss, &in_care(), FileAction::Care).expect("own team");
        assert_eq!(grant.basis, Basis::NeedToKnow);
        assert!(may_break_glass(Role::Coordinator) && may_break_glass(Role::Supervisor));
        assert!(!may_break_glass(Role::Analyst));
    }

    #[test]
    fn only_the_author_amends_a_contact() {
        assert!(may_amend_contact(Some(BERT), BERT));
        assert!(!may_amend_contact(Some(BERT), ANNA), "defect 4");
        assert!(!may_amend_contact(supervisor(AMERSFOORT).worker_id, BERT));
        assert!(!may_amend_contact(None, BERT));
    }

    #[test]
    fn an_emergency_needs_a_reason() {
        assert_eq!(emergency_reason("  "), Err("error-required"));
        assert_eq!(emergency_reason(" crisis call "), Ok("crisis call"));
        assert_eq!(
            emergency_reason(&"x".repeat(MAX_EMERGENCY_REASON + 1)),
            Err("error-too-long")
        );
    }
}
