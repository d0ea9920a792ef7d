//! The family file: members, indications, the current episode and its history.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::access::Basis;
use wrapcare_core::dates::weeks_one_decimal;
use wrapcare_core::episode::{ClosureReason, EpisodeState};
use wrapcare_core::family::{Birth, MemberRole};
use wrapcare_core::indication::ends_soon;
use wrapcare_core::referral::Urgency;
use wrapcare_core::role::Role;
use wrapcare_core::waiting::{past_norm, waiting_days};
use wrapcare_store::family::file::Contents;
use wrapcare_store::{Tx, episode, programme};

use crate::access::OpenFile;
use crate::access_log::Outcome;
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyView {
    /// Where the page keeps what it rendered of this view, as long as the
    /// read it comes from is current (empty for a view read afresh).
    #[serde(skip)]
    pub renditions: Arc<crate::Renditions>,
    pub id: i64,
    pub surname: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub home_language: Option<String>,
    pub members: Vec<MemberView>,
    pub indications: Vec<FamilyIndication>,
    /// The episode the viewer works on: the open one, else their latest.
    pub episode: Option<EpisodeView>,
    /// Other episodes the viewer may see in full (their team's), newest first.
    pub earlier_episodes: Vec<EpisodeView>,
    /// Earlier episodes of other teams, as one summary line each.
    pub other_episodes: Vec<EpisodeSummary>,
    /// On what ground the viewer opened the file.
    pub access: FileAccess,
    /// Who opened the file in an emergency (shown to the family's team only).
    pub emergency_accesses: Vec<crate::access::EmergencyAccessView>,
    /// The current episode's plan in brief.
    pub plan: Option<PlanSummary>,
    /// The current episode's hours against the norms.
    pub hours: Option<HoursSummary>,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessBasis {
    /// The viewer works on the family's care.
    NeedToKnow,
    /// Opened in an emergency, for a limited time; read-only.
    Emergency,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileAccess {
    pub basis: AccessBasis,
    /// When the emergency access ends.
    pub emergency_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Another team's earlier episode: what the viewer may know of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EpisodeSummary {
    pub programme_name: String,
    pub state: EpisodeState,
    pub accepted_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    /// Closed or withdrawn on.
    pub ended_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoursSummary {
    pub used_minutes: i64,
    pub budget_minutes: i64,
    pub budget: wrapcare_core::contact::BudgetFlag,
    pub far_under_weekly_norm: bool,
    pub weekly_norm_minutes: i64,
    /// Minutes per week over the last twelve weeks.
    pub recent_weeks: Vec<crate::contact::WeekMinutes>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanSummary {
    pub number: u32,
    pub status: wrapcare_core::plan::PlanStatus,
    /// The Goal Attainment Scaling T-score today.
    pub t_score: Option<f64>,
    pub review_due: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub person_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub role: MemberRole,
    pub parental_authority: bool,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub age: Option<u32>,
    /// Masked: only the last three digits.
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub member_since: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyIndication {
    pub person_id: i64,
    pub given_name: String,
    pub number: String,
    pub product: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: String,
    /// Ends within six weeks.
    pub ends_soon: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EpisodeView {
    pub id: i64,
    pub state: EpisodeState,
    pub urgency: Urgency,
    pub programme_id: i64,
    pub programme_name: String,
    pub team_id: i64,
    pub accepted_on: NaiveDate,
    /// The indication date (earliest of the children's) or the registration date.
    pub reference_date: NaiveDate,
    /// `indication` or `registration`: what the reference date is.
    pub reference_kind: String,
    pub started_on: Option<NaiveDate>,
    /// Start of help − reference date, once help started.
    pub waiting_days: Option<i64>,
    /// Days waited so far while still waiting for help.
    pub waited_so_far_days: Option<i64>,
    pub past_norm: bool,
    pub start_within_weeks: u32,
    #[schema(value_type = Option<u8>)]
    pub phase: Option<u8>,
    pub phase_since: Option<NaiveDate>,
    pub phase_history: Vec<PhaseStep>,
    pub coordinator: Option<CoordinatorRef>,
    pub assignments: Vec<AssignmentView>,
    pub weeks_in_care: Option<f64>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhaseStep {
    pub phase: i64,
    pub starts_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoordinatorRef {
    pub worker_id: i64,
    pub name: String,
    pub since: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub worker_id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Set when the assignment went beyond capacity.
    pub override_reason: Option<String>,
}

/// A line on a list of families (waiting list, my families, search results).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyLine {
    pub family_id: i64,
    pub surname: String,
    pub city: Option<String>,
    pub episode_id: i64,
    pub state: EpisodeState,
    pub urgency: Urgency,
    pub reference_date: NaiveDate,
    pub accepted_on: NaiveDate,
    /// Days since the indication or registration (to today, or to the start of help).
    pub waited_days: i64,
    pub waited_weeks: f64,
    pub past_norm: bool,
    pub started_on: Option<NaiveDate>,
    pub weeks_in_care: Option<f64>,
    #[schema(value_type = Option<u8>)]
    pub phase: Option<u8>,
    pub coordinator_name: Option<String>,
    /// The earliest end of a running indication, when within six weeks.
    pub indication_ends_soon: Option<NaiveDate>,
    /// When the plan's first agreement or next review is due (in care only).
    pub plan_review_due: Option<NaiveDate>,
    /// The plan's agreement or review is past due.
    pub plan_overdue: bool,
    /// Hours used against the programme's budget (in care only).
    pub budget: Option<wrapcare_core::contact::BudgetFlag>,
    /// Each of the last two complete weeks had less than half the weekly norm.
    pub far_under_weekly_norm: bool,
}

impl FamilyLine {
    pub(crate) fn of(
        row: episode::ListedRow,
        today: NaiveDate,
        norm_days: i64,
    ) -> Option<FamilyLine> {
        let state = EpisodeState::parse(&row.state)?;
        let urgency = Urgency::parse(&row.urgency)?;
        let until = row.started_on.unwrap_or(today);
        let waited = waiting_days(row.reference_date, until);
        let plan_review_due = row
            .started_on
            .filter(|_| state == EpisodeState::InCare)
            .map(|started| {
                wrapcare_core::plan::review_due(
                    started,
                    row.plan_agreed_on,
                    u32::try_from(row.plan_first_weeks.max(1)).unwrap_or(6),
                    u32::try_from(row.plan_review_weeks.max(1)).unwrap_or(13),
                )
            });
        Some(FamilyLine {
            budget: None,
            far_under_weekly_norm: false,
            plan_review_due,
            plan_overdue: plan_review_due.is_some_and(|d| d < today),
            family_id: row.family_id,
            surname: row.surname,
            city: row.city,
            episode_id: row.episode_id,
            state,
            urgency,
            reference_date: row.reference_date,
            accepted_on: row.accepted_on,
            waited_days: waited,
            waited_weeks: weeks_one_decimal(waited),
            past_norm: state == EpisodeState::Waiting
                && past_norm(row.reference_date, today, norm_days),
            started_on: row.started_on,
            weeks_in_care: row
                .started_on
                .filter(|_| state == EpisodeState::InCare)
                .map(|s| weeks_one_decimal(waiting_days(s, today))),
            phase: row.phase.and_then(|p| u8::try_from(p).ok()),
            coordinator_name: row.coordinator_name,
            indication_ends_soon: row.indication_ends_on.filter(|d| ends_soon(*d, today)),
        })
    }
}

/// Hours against the norms, from the minutes per day the database added up.
fn hours_summary(
    e: &episode::Episode,
    started_on: NaiveDate,
    norms: &wrapcare_core::programme::Norms,
    per_day: &[(NaiveDate, i64)],
    today: NaiveDate,
) -> HoursSummary {
    let standing = wrapcare_core::contact::standing(
        per_day,
        norms,
        (started_on, e.closed_on.unwrap_or(today)),
        e.state == EpisodeState::InCare,
        today,
    );
    let recent = standing.weeks.len().saturating_sub(12);
    HoursSummary {
        used_minutes: standing.used_minutes,
        budget_minutes: i64::from(norms.budget_minutes_per_family),
        budget: standing.budget,
        far_under_weekly_norm: standing.far_under_weekly_norm,
        weekly_norm_minutes: i64::from(norms.weekly_minutes_per_family),
        recent_weeks: standing.weeks[recent..]
            .iter()
            .map(|(week, minutes)| crate::contact::WeekMinutes {
                week: *week,
                minutes: *minutes,
            })
            .collect(),
    }
}

impl App {
    /// The whole family file, as the family page and `GET /families/{id}` show it.
    pub async fn family(&self, actor: &Actor, family_id: i64) -> Result<FamilyView> {
        let (file, kept) = self.read_file(actor, family_id, "family.read").await?;
        let mut view = self.family_view(&file, &kept.contents)?;
        view.renditions = Arc::clone(&kept.renditions);
        self.record(actor, file.target(), "family.read", Outcome::Allowed)
            .await?;
        Ok(view)
    }

    /// The file as the grant allows: the chosen episode and the others the
    /// viewer may see in full, earlier ones of other teams as summary lines.
    pub(crate) fn family_view(&self, file: &OpenFile, contents: &Contents) -> Result<FamilyView> {
        let today = self.today();
        let found = &file.family;
        let programme_of = |e: &episode::Episode| {
            contents
                .programmes
                .get(&e.programme_id)
                .ok_or(AppError::NotFound)
        };
        let stored = &file.episode;
        let prog = programme_of(stored)?;
        let mut histories = contents.histories.clone();
        let episode = episode_view(stored.clone(), prog, &mut histories, today);
        let mut earlier_episodes = Vec::new();
        for e in file.full_episodes().filter(|e| e.id != file.episode.id) {
            earlier_episodes.push(episode_view(
                e.clone(),
                programme_of(e)?,
                &mut histories,
                today,
            ));
        }
        let mut other_episodes = Vec::new();
        for e in file.summary_episodes() {
            other_episodes.push(episode_summary(e, programme_of(e)?));
        }
        let plan = self.plan_summary(stored, prog, contents);
        let hours = stored.started_on.map(|started_on| {
            hours_summary(
                stored,
                started_on,
                &prog.norms(),
                contents
                    .minutes_per_day
                    .get(&stored.id)
                    .map_or(&[][..], Vec::as_slice),
                today,
            )
        });
        let emergency_accesses = App::emergency_accesses_shown(file, contents);
        Ok(FamilyView {
            renditions: Arc::default(),
            plan,
            hours,
            access: FileAccess {
                basis: match file.grant.basis {
                    Basis::NeedToKnow => AccessBasis::NeedToKnow,
                    Basis::Emergency => AccessBasis::Emergency,
                },
                emergency_until: file.emergency.as_ref().map(|x| x.expires_at),
            },
            emergency_accesses,
            id: found.id,
            surname: found.surname.clone(),
            address: found.address.clone(),
            postcode: found.postcode.clone(),
            city: found.city.clone(),
            phone: found.phone.clone(),
            home_language: found.home_language.clone(),
            members: contents
                .members
                .iter()
                .cloned()
                .map(|m| MemberView {
                    person_id: m.person_id,
                    age: m.birth_date.and_then(|b| Birth::Born(b).age_on(today)),
                    role: MemberRole::parse(&m.role).unwrap_or(MemberRole::Other),
                    given_name: m.given_name,
                    family_name: m.family_name,
                    parental_authority: m.parental_authority,
                    birth_date: m.birth_date,
                    expected_birth_date: m.expected_birth_date,
                    bsn: m.bsn.as_deref().map(wrapcare_core::bsn::mask),
                    phone: m.phone,
                    member_since: m.member_since,
                })
                .collect(),
            indications: contents
                .indications
                .iter()
                .cloned()
                .map(|i| FamilyIndication {
                    ends_soon: ends_soon(i.ends_on, today),
                    person_id: i.person_id,
                    given_name: i.given_name,
                    number: i.number,
                    product: i.product,
                    starts_on: i.starts_on,
                    ends_on: i.ends_on,
                    issuer: i.issuer,
                })
                .collect(),
            episode: Some(episode),
            earlier_episodes,
            other_episodes,
            version: found.version,
        })
    }
}

/// The line another team's earlier episode shows: programme, dates, closure reason.
fn episode_summary(e: &episode::Episode, prog: &programme::Programme) -> EpisodeSummary {
    EpisodeSummary {
        programme_name: prog.name.clone(),
        state: e.state,
        accepted_on: e.accepted_on,
        started_on: e.started_on,
        ended_on: e.closed_on.or(e.withdrawn_on),
        closure_reason: e.closure_reason,
    }
}

/// An episode as the file shows it, with its phases and coordinators taken
/// from the family's histories.
fn episode_view(
    e: episode::Episode,
    prog: &programme::Programme,
    histories: &mut episode::Histories,
    today: NaiveDate,
) -> EpisodeView {
    let norms = prog.norms();
    let from_indication = e.from_indication;
    let history = histories.phases.remove(&e.id).unwrap_or_default();
    let assignments = histories.assignments.remove(&e.id).unwrap_or_default();
    let waited_so_far = (e.state == EpisodeState::Waiting || e.state == EpisodeState::Assigned)
        .then(|| waiting_days(e.reference_date, today));
    EpisodeView {
        id: e.id,
        state: e.state,
        urgency: e.urgency,
        programme_id: e.programme_id,
        programme_name: prog.name.clone(),
        team_id: e.team_id,
        accepted_on: e.accepted_on,
        reference_date: e.reference_date,
        reference_kind: if from_indication {
            "indication"
        } else {
            "registration"
        }
        .to_string(),
        started_on: e.started_on,
        waiting_days: e.waiting_days,
        waited_so_far_days: waited_so_far,
        past_norm: waited_so_far.is_some_and(|d| d > norms.start_within_days()),
        start_within_weeks: norms.start_within_weeks,
        phase: e.phase.map(|p| p.number()),
        phase_since: e.phase_since,
        phase_history: history
            .into_iter()
            .map(|h| PhaseStep {
                phase: h.phase,
                starts_on: h.starts_on,
            })
            .collect(),
        coordinator: match (e.coordinator_id, &e.coordinator_name, e.assigned_since) {
            (Some(worker_id), Some(name), Some(since)) if e.state.is_open() => {
                Some(CoordinatorRef {
                    worker_id,
                    name: name.clone(),
                    since,
                })
            }
            _ => None,
        },
        assignments: assignments
            .into_iter()
            .map(|a| AssignmentView {
                worker_id: a.worker_id,
                name: a.worker_name,
                starts_on: a.starts_on,
                ends_on: a.ends_on,
                override_reason: a.override_reason,
            })
            .collect(),
        weeks_in_care: e
            .started_on
            .filter(|_| e.state == EpisodeState::InCare)
            .map(|s| weeks_one_decimal(waiting_days(s, today))),
        closed_on: e.closed_on,
        closure_reason: e.closure_reason,
        withdrawn_on: e.withdrawn_on,
        withdrawal_reason: e.withdrawal_reason,
        version: e.version,
    }
}

impl App {
    /// Searches the supervisor's team's families by name or place; an empty
    /// query lists the open ones.
    pub async fn search_families(&self, actor: &Actor, query: &str) -> Result<Vec<FamilyLine>> {
        self.require(actor, &[Role::Supervisor], "family.search_families")
            .await?;
        if query.chars().count() > 100 {
            return Err(AppError::invalid("q", "error-too-long"));
        }
        let team_id = actor.team_id.ok_or(AppError::Forbidden)?;
        let mut tx = self.store.read_only().await?;
        let today = self.today();
        let norm_days = self.team_norm_days(&mut tx, actor).await?;
        let rows = episode::search(&mut tx, team_id, query, today, 200).await?;
        let mut lines: Vec<FamilyLine> = rows
            .into_iter()
            .filter_map(|r| FamilyLine::of(r, today, norm_days))
            .collect();
        self.flag_hours(&mut tx, &mut lines).await?;
        tx.commit().await?;
        self.record_list(actor, "family.search", &lines).await?;
        Ok(lines)
    }

    /// Flags each family in care whose hours near or pass the budget, or that
    /// had two thin weeks, as the family page does.
    pub(crate) async fn flag_hours(&self, tx: &mut Tx, lines: &mut [FamilyLine]) -> Result<()> {
        let ids: Vec<i64> = lines
            .iter()
            .filter(|l| l.state == EpisodeState::InCare)
            .map(|l| l.episode_id)
            .collect();
        let entries = wrapcare_store::contact::active_of_episodes(tx, &ids).await?;
        let mut norms_of: std::collections::HashMap<i64, wrapcare_core::programme::Norms> =
            std::collections::HashMap::new();
        let today = self.today();
        for line in lines.iter_mut().filter(|l| ids.contains(&l.episode_id)) {
            let Some(e) = episode::get(tx, line.episode_id).await? else {
                continue;
            };
            let norms = match norms_of.get(&e.programme_id) {
                Some(n) => *n,
                None => {
                    let Some(p) = programme::get(tx, e.programme_id).await? else {
                        continue;
                    };
                    norms_of.insert(e.programme_id, p.norms());
                    p.norms()
                }
            };
            let mine: Vec<(NaiveDate, i64)> = entries
                .iter()
                .filter(|(id, _, _)| *id == e.id)
                .map(|(_, d, m)| (*d, *m))
                .collect();
            let standing = wrapcare_core::contact::standing(
                &mine,
                &norms,
                (e.started_on.unwrap_or(e.accepted_on), today),
                true,
                today,
            );
            line.budget = Some(standing.budget);
            line.far_under_weekly_norm = standing.far_under_weekly_norm;
        }
        Ok(())
    }

    pub(crate) async fn team_norm_days(&self, tx: &mut Tx, actor: &Actor) -> Result<i64> {
        let programme_id = self.team_programme(tx, actor).await?;
        let found = programme::get(tx, programme_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(found.norms().start_within_days())
    }
}
