//! Use cases on a family's episode: waiting list, assignment and handover,
//! start of help, phases, closure and withdrawal.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::caseload::{AssignmentCheck, Capacity, check_assignment};
use wrapcare_core::dates::parse_date;
use wrapcare_core::episode::{ClosureReason, EpisodeRefusal, EpisodeState, Phase};
use wrapcare_core::programme::start_within_days;
use wrapcare_core::referral::MAX_TEXT;
use wrapcare_core::role::Role;
use wrapcare_core::waiting::{waiting_days, waiting_list_order};
use wrapcare_store::{Tx, episode, programme, worker};

use crate::access::OpenFile;
use crate::access_log::Outcome;
use crate::family::{FamilyLine, FamilyView};
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AssignInput {
    pub worker_id: i64,
    /// First day of the assignment (YYYY-MM-DD); today when omitted.
    #[serde(default)]
    pub starts_on: Option<String>,
    /// Required when the coordinator is at or over capacity.
    #[serde(default)]
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StartInput {
    /// The date of the first contact (YYYY-MM-DD).
    #[serde(default)]
    pub started_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PhaseInput {
    /// 1 engagement, 2 plan development, 3 implementation, 4 transition.
    pub phase: u8,
    /// YYYY-MM-DD; today when omitted.
    #[serde(default)]
    pub starts_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CloseInput {
    #[serde(default)]
    pub closed_on: String,
    /// goals_reached, moved, dropped_out, referred_elsewhere or other.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct WithdrawInput {
    #[serde(default)]
    pub withdrawn_on: Option<String>,
    #[serde(default)]
    pub reason: String,
}

fn refusal(field: &str, r: EpisodeRefusal) -> AppError {
    match r {
        EpisodeRefusal::BeforeAcceptance
        | EpisodeRefusal::BeforePreviousStep
        | EpisodeRefusal::InFuture => AppError::invalid(field, r.key()),
        _ => AppError::Conflict(r.key()),
    }
}

/// A date field that may be omitted (then today).
fn date_or_today(field: &str, value: Option<&str>, today: NaiveDate) -> Result<NaiveDate> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(today),
        Some(v) => parse_date(v).ok_or_else(|| AppError::invalid(field, "error-date-format")),
    }
}

fn required_date(field: &str, value: &str) -> Result<NaiveDate> {
    if value.trim().is_empty() {
        return Err(AppError::invalid(field, "error-required"));
    }
    parse_date(value).ok_or_else(|| AppError::invalid(field, "error-date-format"))
}

impl App {
    /// The supervisor's team's waiting list: by urgency, then longest waiting first.
    pub async fn waiting_list(&self, actor: &Actor) -> Result<Vec<FamilyLine>> {
        self.require(actor, &[Role::Supervisor], "episode.waiting_list")
            .await?;
        let team_id = actor.team_id.ok_or(AppError::Forbidden)?;
        let today = self.today();
        let rows = self
            .kept(actor, &self.caches.waiting_lists, (team_id, today), async {
                let mut tx = self.store.single_read().await?;
                let rows = episode::waiting_list(&mut tx, team_id, today).await?;
                tx.commit().await?;
                Ok(rows)
            })
            .await?;
        let mut lines: Vec<FamilyLine> = rows
            .iter()
            .filter_map(|(r, weeks)| {
                let norm_days = start_within_days(u32::try_from((*weeks).max(0)).ok()?);
                FamilyLine::of(r.clone(), today, norm_days)
            })
            .collect();
        lines.sort_by(|a, b| {
            waiting_list_order((a.urgency, a.waited_days), (b.urgency, b.waited_days))
                .then(a.family_id.cmp(&b.family_id))
        });
        self.record_list(actor, "waiting_list.read", &lines).await?;
        Ok(lines)
    }

    /// The families a coordinator coordinates now.
    pub async fn my_families(&self, actor: &Actor) -> Result<Vec<FamilyLine>> {
        self.require(actor, &[Role::Coordinator], "episode.my_families")
            .await?;
        let Some(worker_id) = actor.worker_id else {
            return Ok(Vec::new());
        };
        let mut tx = self.store.read_only().await?;
        let today = self.today();
        let norm_days = self.team_norm_days(&mut tx, actor).await.unwrap_or(63);
        let rows = episode::of_coordinator(&mut tx, worker_id, today).await?;
        let mut lines: Vec<FamilyLine> = rows
            .into_iter()
            .filter_map(|r| FamilyLine::of(r, today, norm_days))
            .collect();
        self.flag_hours(&mut tx, &mut lines).await?;
        tx.commit().await?;
        self.record_list(actor, "my_families.read", &lines).await?;
        Ok(lines)
    }

    /// The open episode the actor works on, locked for change.
    async fn open_episode(
        &self,
        actor: &Actor,
        family_id: i64,
        action: FileAction,
        log_action: &str,
    ) -> Result<(Tx, OpenFile)> {
        let (tx, file) = self
            .file(actor, family_id, action, log_action, None)
            .await?;
        if !file.episode.state.is_open() {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        Ok((tx, file))
    }

    async fn finish(
        &self,
        mut tx: Tx,
        actor: &Actor,
        file: &OpenFile,
        action: &str,
    ) -> Result<FamilyView> {
        self.log(&mut tx, actor, file.target(), action, Outcome::Allowed)
            .await?;
        let (file, contents) = file.reread(&mut tx, self).await?;
        let view = self.family_view(&file, &contents)?;
        tx.commit().await?;
        Ok(view)
    }

    /// Assigns a coordinator of the team to the family's open episode, or hands
    /// it over from the current one on the given day. Beyond the coordinator's
    /// capacity only with a recorded reason.
    pub async fn assign(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &AssignInput,
    ) -> Result<FamilyView> {
        self.require(actor, &[Role::Supervisor], "episode.assign")
            .await?;
        let today = self.today();
        let on = date_or_today("starts_on", input.starts_on.as_deref(), today)?;
        if on > today + chrono::Duration::days(366) {
            return Err(AppError::invalid("starts_on", "error-date-too-far"));
        }
        let reason = input
            .override_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if reason.is_some_and(|r| r.chars().count() > MAX_TEXT) {
            return Err(AppError::invalid("override_reason", "error-too-long"));
        }
        let (mut tx, file) = self
            .open_episode(actor, family_id, FileAction::Supervise, "episode.assign")
            .await?;
        let current = file.episode.clone();
        let coordinator = worker::get(&mut tx, input.worker_id).await?;
        let Some(coordinator) =
            coordinator.filter(|w| w.team_id == current.team_id && w.job == "coordinator")
        else {
            return Err(AppError::invalid("worker_id", "error-unknown-coordinator"));
        };
        if current.coordinator_id == Some(coordinator.id) {
            return Err(AppError::Conflict("error-already-assigned"));
        }
        let next_state = current
            .facts()
            .assign(on)
            .map_err(|r| refusal("starts_on", r))?;
        worker::lock(&mut tx, coordinator.id).await?;
        let load = worker::loads(&mut tx, None, Some(coordinator.id), on)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::invalid("worker_id", "error-no-secondment"))?;
        let norms = programme::get(&mut tx, current.programme_id)
            .await?
            .ok_or(AppError::NotFound)?
            .norms();
        let capacity = Capacity::new(
            &norms,
            u32::try_from(load.minutes_per_week.max(0)).unwrap_or(0),
        );
        let caseload = u32::try_from(load.caseload.max(0)).unwrap_or(u32::MAX);
        let checked = check_assignment(&capacity, caseload, reason)
            .map_err(|_| AppError::invalid("override_reason", "error-capacity-reached"))?;
        let override_reason = match &checked {
            AssignmentCheck::Fits => None,
            AssignmentCheck::Override(r) => Some(r.as_str()),
        };
        episode::end_assignment(&mut tx, current.id, on).await?;
        episode::insert_assignment(
            &mut tx,
            &episode::NewAssignment {
                episode_id: current.id,
                worker_id: coordinator.id,
                starts_on: on,
                override_reason,
                assigned_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        let mut change = episode::StateChange::from(&current);
        change.state = next_state;
        episode::update(&mut tx, current.id, &change, current.version).await?;
        let action = if current.coordinator_id.is_some() {
            "episode.handover"
        } else {
            "episode.assign"
        };
        self.finish(tx, actor, &file, action).await
    }

    /// Records the start of help (the first contact): in care, phase 1.
    pub async fn start_help(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &StartInput,
    ) -> Result<FamilyView> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "episode.start_help",
        )
        .await?;
        let on = required_date("started_on", &input.started_on)?;
        let (mut tx, file) = self
            .open_episode(actor, family_id, FileAction::Care, "episode.start")
            .await?;
        let current = &file.episode;
        current
            .facts()
            .start_help(on, self.today())
            .map_err(|r| refusal("started_on", r))?;
        let mut change = episode::StateChange::from(current);
        change.state = EpisodeState::InCare;
        change.started_on = Some(on);
        change.waiting_days = Some(waiting_days(current.reference_date, on));
        change.phase = Some(Phase::Engagement);
        episode::update(&mut tx, current.id, &change, current.version).await?;
        episode::insert_phase_change(
            &mut tx,
            current.id,
            Phase::Engagement,
            on,
            actor.user_id,
            self.now(),
        )
        .await?;
        self.finish(tx, actor, &file, "episode.start").await
    }

    /// Moves the episode to another phase from a date.
    pub async fn change_phase(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &PhaseInput,
    ) -> Result<FamilyView> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "episode.change_phase",
        )
        .await?;
        let to = Phase::from_number(i64::from(input.phase))
            .ok_or_else(|| AppError::invalid("phase", "error-phase"))?;
        let on = date_or_today("starts_on", input.starts_on.as_deref(), self.today())?;
        let (mut tx, file) = self
            .open_episode(actor, family_id, FileAction::Care, "episode.phase")
            .await?;
        let current = &file.episode;
        current
            .facts()
            .change_phase(to, on, self.today())
            .map_err(|r| refusal("starts_on", r))?;
        let mut change = episode::StateChange::from(current);
        change.phase = Some(to);
        episode::update(&mut tx, current.id, &change, current.version).await?;
        episode::insert_phase_change(&mut tx, current.id, to, on, actor.user_id, self.now())
            .await?;
        self.finish(tx, actor, &file, "episode.phase").await
    }

    /// Closes the episode with a date and reason; the coordinator's assignment ends that day.
    pub async fn close(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &CloseInput,
    ) -> Result<FamilyView> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "episode.close",
        )
        .await?;
        let on = required_date("closed_on", &input.closed_on)?;
        let reason = ClosureReason::parse(input.reason.trim())
            .ok_or_else(|| AppError::invalid("reason", "error-choose-option"))?;
        let (mut tx, file) = self
            .open_episode(actor, family_id, FileAction::Care, "episode.close")
            .await?;
        let current = &file.episode;
        current
            .facts()
            .close(on, self.today())
            .map_err(|r| refusal("closed_on", r))?;
        episode::end_assignment(&mut tx, current.id, on).await?;
        let mut change = episode::StateChange::from(current);
        change.state = EpisodeState::Closed;
        change.closed_on = Some(on);
        change.closure_reason = Some(reason);
        episode::update(&mut tx, current.id, &change, current.version).await?;
        self.finish(tx, actor, &file, "episode.close").await
    }

    /// Withdraws a referral that is still on the waiting list.
    pub async fn withdraw(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &WithdrawInput,
    ) -> Result<FamilyView> {
        self.require(actor, &[Role::Supervisor], "episode.withdraw")
            .await?;
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "error-required"));
        }
        if reason.chars().count() > MAX_TEXT {
            return Err(AppError::invalid("reason", "error-too-long"));
        }
        let on = date_or_today("withdrawn_on", input.withdrawn_on.as_deref(), self.today())?;
        let (mut tx, file) = self
            .open_episode(actor, family_id, FileAction::Supervise, "episode.withdraw")
            .await?;
        let current = &file.episode;
        current
            .facts()
            .withdraw(on, self.today())
            .map_err(|r| refusal("withdrawn_on", r))?;
        let mut change = episode::StateChange::from(current);
        change.state = EpisodeState::Withdrawn;
        change.withdrawn_on = Some(on);
        change.withdrawal_reason = Some(reason.to_string());
        episode::update(&mut tx, current.id, &change, current.version).await?;
        self.finish(tx, actor, &file, "episode.withdraw").await
    }

    /// Coordinators the family could be assigned to, with their load.
    pub async fn assignment_options(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> Result<(FamilyView, Vec<crate::caseload::CoordinatorLoad>)> {
        let (mut tx, file) = self
            .file(
                actor,
                family_id,
                FileAction::Supervise,
                "episode.assign_options",
                None,
            )
            .await?;
        let (_, contents) = file.reread(&mut tx, self).await?;
        let view = self.family_view(&file, &contents)?;
        let loads = self
            .loads(&mut tx, Some(file.episode.team_id), None)
            .await?;
        self.log(
            &mut tx,
            actor,
            file.target(),
            "episode.assign_options",
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok((view, loads))
    }
}
