//! Administration: organisations, programmes and norms, teams, workers and
//! their secondments, and users. Admins see no family files.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use wrapcare_core::dates::parse_date;
use wrapcare_core::indication::date_field;
use wrapcare_core::programme::Norms;
use wrapcare_core::role::Role;
use wrapcare_core::signal::Thresholds;
use wrapcare_core::validation::{Invalid, required};
use wrapcare_store::{organisation, programme, session, team, user, worker};

use crate::auth::{MIN_PASSWORD_CHARS, hash_password, random_password};
use crate::{Actor, App, AppError, Result};

/// Parses hours as typed ("7", "7,5", "4.5") into whole minutes.
pub fn parse_hours(value: &str) -> Option<u32> {
    let hours: f64 = value.trim().replace(',', ".").parse().ok()?;
    if !hours.is_finite() || hours <= 0.0 || hours > 10_000.0 {
        return None;
    }
    Some((hours * 60.0).round() as u32)
}

fn hours_field(errors: &mut Invalid, field: &str, value: &str) -> u32 {
    match parse_hours(value) {
        Some(m) => m,
        None => {
            errors.add(field, "error-hours");
            0
        }
    }
}

fn count_field(errors: &mut Invalid, field: &str, value: &str) -> u32 {
    match value.trim().parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            errors.add(field, "error-positive-whole");
            0
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProgrammeInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub families_per_fte: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub budget_hours_per_family: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub weekly_hours_per_family: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub start_within_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub full_time_hours_per_week: String,
    /// Weeks from the start of help within which the first plan is agreed (6 when empty).
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub plan_first_weeks: String,
    /// Weeks between plan reviews (13 when empty).
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub plan_review_weeks: String,
    /// What an hour of a coordinator costs, in euros ("92,50"); used for costs.
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<String>)]
    pub hourly_rate: String,
    /// Signal thresholds; each takes the default when empty.
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub waiting_warning_days: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub budget_warning_percent: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub under_norm_percent: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub goal_unchanged_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub module_start_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub phase1_max_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub phase2_max_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub phase3_max_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub phase4_max_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub indication_warning_weeks: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = Option<u32>)]
    pub no_contact_days: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct WorkerInput {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub team_id: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub home_organisation_id: String,
    /// project_leader, supervisor or coordinator.
    #[serde(default)]
    pub job: String,
    /// E-mail of the worker's login, if they have one.
    #[serde(default)]
    pub user_email: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub hours_per_week: String,
    #[serde(default)]
    pub starts_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SecondmentInput {
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub hours_per_week: String,
    #[serde(default)]
    pub starts_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UserInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = String)]
    pub team_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub team_id: Option<i64>,
    pub active: bool,
    pub version: i64,
}

impl From<user::User> for UserView {
    fn from(u: user::User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            team_id: u.team_id,
            active: u.active,
            version: u.version,
        }
    }
}

/// A new or reset password, shown once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedPassword {
    pub user: UserView,
    pub password: String,
}

/// An organisation, for lists and the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: i64,
    pub name: String,
    pub version: i64,
}

impl From<organisation::Organisation> for OrganisationView {
    fn from(o: organisation::Organisation) -> Self {
        OrganisationView {
            id: o.id,
            name: o.name,
            version: o.version,
        }
    }
}

/// A programme with its norms in the units people use (hours, weeks).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgrammeView {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub families_per_fte: i64,
    pub budget_hours_per_family: f64,
    pub weekly_hours_per_family: f64,
    pub start_within_weeks: i64,
    pub full_time_hours_per_week: f64,
    pub plan_first_weeks: i64,
    pub plan_review_weeks: i64,
    /// What an hour of a coordinator costs, in euro cents (0 when not set).
    pub hourly_rate_cents: i64,
    pub thresholds: Thresholds,
    pub version: i64,
}

impl From<programme::Programme> for ProgrammeView {
    fn from(p: programme::Programme) -> Self {
        let hours = |m: i64| m as f64 / 60.0;
        let thresholds = p.thresholds();
        ProgrammeView {
            id: p.id,
            name: p.name,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            families_per_fte: p.families_per_fte,
            budget_hours_per_family: hours(p.budget_minutes_per_family),
            weekly_hours_per_family: hours(p.weekly_minutes_per_family),
            start_within_weeks: p.start_within_weeks,
            full_time_hours_per_week: hours(p.full_time_minutes_per_week),
            plan_first_weeks: p.plan_first_weeks,
            plan_review_weeks: p.plan_review_weeks,
            hourly_rate_cents: p.hourly_rate_cents,
            thresholds,
            version: p.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub programme_id: i64,
    pub programme_name: String,
}

impl From<team::Team> for TeamView {
    fn from(t: team::Team) -> Self {
        TeamView {
            id: t.id,
            name: t.name,
            programme_id: t.programme_id,
            programme_name: t.programme_name,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerView {
    pub id: i64,
    pub name: String,
    pub team_id: i64,
    pub home_organisation: String,
    pub job: String,
    pub user_id: Option<i64>,
    pub secondments: Vec<SecondmentView>,
    /// Life domains the worker knows well beyond their organisation's field:
    /// what the team meeting suggests colleagues by.
    pub expertise: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SecondmentView {
    pub id: i64,
    pub hours_per_week: f64,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

fn valid_email(email: &str) -> bool {
    let email = email.trim();
    let parts: Vec<&str> = email.split('@').collect();
    parts.len() == 2
        && !parts[0].is_empty()
        && parts[1].contains('.')
        && !parts[1].starts_with('.')
        && !parts[1].ends_with('.')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

/// A programme as validated from its form or JSON.
struct ValidProgramme {
    name: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    norms: Norms,
    plan_first_weeks: u32,
    plan_review_weeks: u32,
    hourly_rate_cents: i64,
    thresholds: Thresholds,
}

impl ValidProgramme {
    fn record(&self) -> programme::NewProgramme<'_> {
        programme::NewProgramme {
            name: &self.name,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            norms: self.norms,
            plan_first_weeks: self.plan_first_weeks,
            plan_review_weeks: self.plan_review_weeks,
            hourly_rate_cents: self.hourly_rate_cents,
            thresholds: self.thresholds,
        }
    }
}

/// A whole number for a threshold, or the default when left empty; its range
/// is the domain's to check.
fn threshold_field(errors: &mut Invalid, field: &str, value: &str, default: u32) -> u32 {
    match value.trim() {
        "" => default,
        v => v.parse::<u32>().unwrap_or_else(|_| {
            errors.add(field, "error-whole-number");
            default
        }),
    }
}

fn weeks_field(errors: &mut Invalid, field: &str, value: &str, default: u32) -> u32 {
    match value.trim() {
        "" => default,
        v => match v.parse::<u32>() {
            Ok(n) if (1..=104).contains(&n) => n,
            _ => {
                errors.add(field, "error-norm-weeks");
                default
            }
        },
    }
}

impl ProgrammeInput {
    fn validate(&self) -> Result<ValidProgramme> {
        let mut errors = Invalid::new();
        let name = required(&mut errors, "name", &self.name);
        let starts_on = date_field(&mut errors, "starts_on", &self.starts_on);
        let ends_on = match self.ends_on.trim() {
            "" => None,
            v => {
                let parsed = parse_date(v);
                if parsed.is_none() {
                    errors.add("ends_on", "error-date-format");
                }
                parsed
            }
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errors.add("ends_on", "error-ends-before-start");
        }
        let norms = Norms {
            families_per_fte: count_field(&mut errors, "families_per_fte", &self.families_per_fte),
            budget_minutes_per_family: hours_field(
                &mut errors,
                "budget_hours_per_family",
                &self.budget_hours_per_family,
            ),
            weekly_minutes_per_family: hours_field(
                &mut errors,
                "weekly_hours_per_family",
                &self.weekly_hours_per_family,
            ),
            start_within_weeks: count_field(
                &mut errors,
                "start_within_weeks",
                &self.start_within_weeks,
            ),
            full_time_minutes_per_week: hours_field(
                &mut errors,
                "full_time_hours_per_week",
                &self.full_time_hours_per_week,
            ),
        };
        let plan_first_weeks =
            weeks_field(&mut errors, "plan_first_weeks", &self.plan_first_weeks, 6);
        let plan_review_weeks = weeks_field(
            &mut errors,
            "plan_review_weeks",
            &self.plan_review_weeks,
            13,
        );
        let hourly_rate_cents = match self.hourly_rate.trim() {
            "" => 0,
            v => wrapcare_core::module::parse_euros(v).unwrap_or_else(|key| {
                errors.add("hourly_rate", key);
                0
            }),
        };
        let d = Thresholds::default();
        let thresholds = Thresholds {
            waiting_warning_days: threshold_field(
                &mut errors,
                "waiting_warning_days",
                &self.waiting_warning_days,
                d.waiting_warning_days,
            ),
            budget_warning_percent: threshold_field(
                &mut errors,
                "budget_warning_percent",
                &self.budget_warning_percent,
                d.budget_warning_percent,
            ),
            under_norm_percent: threshold_field(
                &mut errors,
                "under_norm_percent",
                &self.under_norm_percent,
                d.under_norm_percent,
            ),
            goal_unchanged_weeks: threshold_field(
                &mut errors,
                "goal_unchanged_weeks",
                &self.goal_unchanged_weeks,
                d.goal_unchanged_weeks,
            ),
            module_start_weeks: threshold_field(
                &mut errors,
                "module_start_weeks",
                &self.module_start_weeks,
                d.module_start_weeks,
            ),
            phase_max_weeks: [
                threshold_field(
                    &mut errors,
                    "phase1_max_weeks",
                    &self.phase1_max_weeks,
                    d.phase_max_weeks[0],
                ),
                threshold_field(
                    &mut errors,
                    "phase2_max_weeks",
                    &self.phase2_max_weeks,
                    d.phase_max_weeks[1],
                ),
                threshold_field(
                    &mut errors,
                    "phase3_max_weeks",
                    &self.phase3_max_weeks,
                    d.phase_max_weeks[2],
                ),
                threshold_field(
                    &mut errors,
                    "phase4_max_weeks",
                    &self.phase4_max_weeks,
                    d.phase_max_weeks[3],
                ),
            ],
            indication_warning_weeks: threshold_field(
                &mut errors,
                "indication_warning_weeks",
                &self.indication_warning_weeks,
                d.indication_warning_weeks,
            ),
            no_contact_days: threshold_field(
                &mut errors,
                "no_contact_days",
                &self.no_contact_days,
                d.no_contact_days,
            ),
        };
        if errors.is_empty()
            && let Err(e) = norms.validate()
        {
            errors.merge(e);
        }
        if errors.is_empty()
            && let Err(e) = thresholds.validate()
        {
            errors.merge(e);
        }
        errors.finish()?;
        let starts_on =
            starts_on.ok_or_else(|| AppError::invalid("starts_on", "error-required"))?;
        Ok(ValidProgramme {
            name,
            starts_on,
            ends_on,
            norms,
            plan_first_weeks,
            plan_review_weeks,
            hourly_rate_cents,
            thresholds,
        })
    }
}

impl App {
    pub async fn organisations(&self, actor: &Actor) -> Result<Vec<organisation::Organisation>> {
        self.require(actor, &[Role::Admin], "admin.organisations")
            .await?;
        let mut tx = self.write().await?;
        let rows = organisation::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn create_organisation(&self, actor: &Actor, name: &str) -> Result<i64> {
        self.require(actor, &[Role::Admin], "admin.create_organisation")
            .await?;
        let mut errors = Invalid::new();
        let name = required(&mut errors, "name", name);
        errors.finish()?;
        let mut tx = self.write().await?;
        let id = organisation::insert(&mut tx, &name, self.now())
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("name", "error-name-taken"),
                other => other,
            })?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.create_organisation",
            json!({ "organisation_id": id, "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn programmes(&self) -> Result<Vec<programme::Programme>> {
        let mut tx = self.write().await?;
        let rows = programme::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn create_programme(&self, actor: &Actor, input: &ProgrammeInput) -> Result<i64> {
        self.require(actor, &[Role::Admin], "admin.create_programme")
            .await?;
        let valid = input.validate()?;
        let mut tx = self.write().await?;
        let id = programme::insert(&mut tx, &valid.record(), self.now())
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("name", "error-name-taken"),
                other => other,
            })?;
        // A new programme measures as wrapcare advises until its admin says otherwise.
        wrapcare_store::questionnaire::set_schedule(
            &mut tx,
            id,
            &wrapcare_core::questionnaire::schedule::default_schedule(),
        )
        .await?;
        let created = programme::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.create_programme",
            json!({ "programme_id": id, "to": programme_norms(&created) }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_programme(
        &self,
        actor: &Actor,
        id: i64,
        input: &ProgrammeInput,
        version: i64,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.update_programme")
            .await?;
        let valid = input.validate()?;
        let mut tx = self.write().await?;
        let Some(before) = programme::get(&mut tx, id).await? else {
            return Err(AppError::NotFound);
        };
        programme::update(&mut tx, id, &valid.record(), version)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("name", "error-name-taken"),
                other => other,
            })?;
        let after = programme::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (from, to) = changed(programme_norms(&before), programme_norms(&after));
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.update_programme",
            json!({ "programme_id": id, "from": from, "to": to }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn teams(&self) -> Result<Vec<team::Team>> {
        let mut tx = self.write().await?;
        let rows = team::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    pub async fn create_team(&self, actor: &Actor, name: &str, programme_id: &str) -> Result<i64> {
        self.require(actor, &[Role::Admin], "admin.create_team")
            .await?;
        let mut errors = Invalid::new();
        let name = required(&mut errors, "name", name);
        let programme_id = programme_id.trim().parse::<i64>().ok();
        let mut tx = self.write().await?;
        let known = match programme_id {
            Some(id) => programme::get(&mut tx, id).await?.is_some(),
            None => false,
        };
        if !known {
            errors.add("programme_id", "error-unknown-programme");
        }
        errors.finish()?;
        let id = team::insert(&mut tx, &name, programme_id.unwrap_or_default(), self.now())
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("name", "error-name-taken"),
                other => other,
            })?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.create_team",
            json!({ "team_id": id, "name": name, "programme_id": programme_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn workers(&self, actor: &Actor, team_id: Option<i64>) -> Result<Vec<WorkerView>> {
        self.require(actor, &[Role::Admin, Role::Supervisor], "admin.workers")
            .await?;
        let team_id = if actor.role == Role::Supervisor {
            actor.team_id
        } else {
            team_id
        };
        let mut tx = self.write().await?;
        let rows = worker::list(&mut tx, team_id).await?;
        let expertise = wrapcare_store::meeting::expertise(&mut tx).await?;
        let mut result = Vec::with_capacity(rows.len());
        for w in rows {
            let secondments = worker::secondments(&mut tx, w.id).await?;
            let own: Vec<String> = expertise
                .iter()
                .filter(|(worker, _)| *worker == w.id)
                .map(|(_, code)| code.clone())
                .collect();
            result.push(WorkerView {
                id: w.id,
                name: w.name,
                team_id: w.team_id,
                home_organisation: w.home_organisation,
                job: w.job,
                user_id: w.user_id,
                secondments: secondments
                    .into_iter()
                    .map(|s| SecondmentView {
                        id: s.id,
                        hours_per_week: s.minutes_per_week as f64 / 60.0,
                        starts_on: s.starts_on,
                        ends_on: s.ends_on,
                    })
                    .collect(),
                expertise: own,
            });
        }
        tx.commit().await?;
        Ok(result)
    }

    /// Every organisation's field (the life domains it works in), by organisation.
    pub async fn organisation_fields(&self, actor: &Actor) -> Result<Vec<(i64, String)>> {
        self.require(actor, &[Role::Admin], "admin.organisations")
            .await?;
        let mut tx = self.store.single_read().await?;
        let rows = wrapcare_store::meeting::organisation_fields(&mut tx).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Records the life domains an organisation works in.
    pub async fn set_organisation_field(
        &self,
        actor: &Actor,
        organisation_id: i64,
        domains: &[String],
    ) -> Result<()> {
        let action = "admin.organisation_field";
        self.require(actor, &[Role::Admin], action).await?;
        let mut tx = self.write().await?;
        let known = self.known_domains(&mut tx).await?;
        let domains = wrapcare_core::meeting::validate_background(domains, &known)?;
        if !organisation::list(&mut tx)
            .await?
            .iter()
            .any(|o| o.id == organisation_id)
        {
            return Err(AppError::NotFound);
        }
        let codes: Vec<&str> = domains.iter().map(String::as_str).collect();
        wrapcare_store::meeting::set_organisation_domains(&mut tx, organisation_id, &codes).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            action,
            json!({ "organisation_id": organisation_id, "domains": domains }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the life domains a worker knows well.
    pub async fn set_worker_expertise(
        &self,
        actor: &Actor,
        worker_id: i64,
        domains: &[String],
    ) -> Result<()> {
        let action = "admin.worker_expertise";
        self.require(actor, &[Role::Admin], action).await?;
        let mut tx = self.write().await?;
        let known = self.known_domains(&mut tx).await?;
        let domains = wrapcare_core::meeting::validate_background(domains, &known)?;
        if worker::get(&mut tx, worker_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let codes: Vec<&str> = domains.iter().map(String::as_str).collect();
        wrapcare_store::meeting::set_expertise(&mut tx, worker_id, &codes).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            action,
            json!({ "worker_id": worker_id, "domains": domains }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn known_domains(&self, tx: &mut wrapcare_store::Tx) -> Result<Vec<String>> {
        Ok(wrapcare_store::plan::life_domains(tx)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect())
    }

    /// Adds a worker to a team with a first secondment, optionally linked to a login.
    pub async fn create_worker(&self, actor: &Actor, input: &WorkerInput) -> Result<i64> {
        self.require(actor, &[Role::Admin], "admin.create_worker")
            .await?;
        let mut errors = Invalid::new();
        let name = required(&mut errors, "name", &input.name);
        if !matches!(
            input.job.as_str(),
            "project_leader" | "supervisor" | "coordinator"
        ) {
            errors.add("job", "error-choose-option");
        }
        let minutes = hours_field(&mut errors, "hours_per_week", &input.hours_per_week);
        let starts_on = date_field(&mut errors, "starts_on", &input.starts_on);
        let mut tx = self.write().await?;
        let team_id = match input.team_id.trim().parse::<i64>() {
            Ok(id) if team::get(&mut tx, id).await?.is_some() => Some(id),
            _ => {
                errors.add("team_id", "error-unknown-team");
                None
            }
        };
        let organisation_id = match input.home_organisation_id.trim().parse::<i64>() {
            Ok(id) if organisation::get(&mut tx, id).await?.is_some() => Some(id),
            _ => {
                errors.add("home_organisation_id", "error-unknown-organisation");
                None
            }
        };
        let user_id = match input.user_email.trim() {
            "" => None,
            email => match user::by_email(&mut tx, email).await? {
                Some(u) => Some(u.id),
                None => {
                    errors.add("user_email", "error-unknown-user");
                    None
                }
            },
        };
        errors.finish()?;
        let (Some(team_id), Some(organisation_id), Some(starts_on)) =
            (team_id, organisation_id, starts_on)
        else {
            return Err(AppError::invalid("team_id", "error-unknown-team"));
        };
        let id = worker::insert(
            &mut tx,
            &worker::NewWorker {
                name: &name,
                team_id,
                home_organisation_id: organisation_id,
                job: &input.job,
                user_id,
            },
            self.now(),
        )
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::invalid("user_email", "error-user-has-worker"),
            other => other,
        })?;
        worker::insert_secondment(&mut tx, id, i64::from(minutes), starts_on, None).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.create_worker",
            json!({
                "worker_id": id, "team_id": team_id, "organisation_id": organisation_id,
                "job": input.job, "user_id": user_id, "minutes_per_week": minutes,
                "starts_on": starts_on,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a worker's hours from a date: the running secondment ends the day
    /// before, and a new one starts. History stays.
    pub async fn change_secondment(
        &self,
        actor: &Actor,
        worker_id: i64,
        input: &SecondmentInput,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.change_secondment")
            .await?;
        let mut errors = Invalid::new();
        let minutes = hours_field(&mut errors, "hours_per_week", &input.hours_per_week);
        let starts_on = date_field(&mut errors, "starts_on", &input.starts_on);
        errors.finish()?;
        let starts_on =
            starts_on.ok_or_else(|| AppError::invalid("starts_on", "error-required"))?;
        let mut tx = self.write().await?;
        if worker::get(&mut tx, worker_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let existing = worker::secondments(&mut tx, worker_id).await?;
        if existing.iter().any(|s| s.starts_on >= starts_on) {
            return Err(AppError::invalid(
                "starts_on",
                "error-date-before-previous-step",
            ));
        }
        if let Some(running) = existing
            .iter()
            .find(|s| s.ends_on.is_none_or(|e| e > starts_on))
        {
            worker::end_secondment(&mut tx, running.id, starts_on, running.version).await?;
        }
        worker::insert_secondment(&mut tx, worker_id, i64::from(minutes), starts_on, None).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.change_secondment",
            json!({ "worker_id": worker_id, "minutes_per_week": minutes, "starts_on": starts_on }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a worker's secondment on a date (they leave the team).
    pub async fn end_secondment(&self, actor: &Actor, worker_id: i64, ends_on: &str) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.end_secondment")
            .await?;
        let mut errors = Invalid::new();
        let ends_on = date_field(&mut errors, "ends_on", ends_on);
        errors.finish()?;
        let ends_on = ends_on.ok_or_else(|| AppError::invalid("ends_on", "error-required"))?;
        let mut tx = self.write().await?;
        let existing = worker::secondments(&mut tx, worker_id).await?;
        let Some(running) = existing.iter().find(|s| s.ends_on.is_none()) else {
            return Err(AppError::Conflict("error-no-secondment"));
        };
        if ends_on <= running.starts_on {
            return Err(AppError::invalid("ends_on", "error-ends-before-start"));
        }
        worker::end_secondment(&mut tx, running.id, ends_on, running.version).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.end_secondment",
            json!({ "worker_id": worker_id, "ends_on": ends_on }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn users(&self, actor: &Actor) -> Result<Vec<UserView>> {
        self.require(actor, &[Role::Admin], "admin.users").await?;
        let mut tx = self.write().await?;
        let rows = user::list(&mut tx).await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(UserView::from).collect())
    }

    /// Creates a login with a generated password, shown once.
    pub async fn create_user(&self, actor: &Actor, input: &UserInput) -> Result<IssuedPassword> {
        self.require(actor, &[Role::Admin], "admin.create_user")
            .await?;
        let password = random_password();
        let team = input.team_id.trim();
        let team_id = if team.is_empty() {
            None
        } else {
            Some(
                team.parse::<i64>()
                    .map_err(|_| AppError::invalid("team_id", "error-unknown-team"))?,
            )
        };
        let id = self
            .add_user(&input.email, &input.name, &input.role, team_id, &password)
            .await?;
        let mut tx = self.write().await?;
        let created = user::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.create_user",
            json!({ "user_id": id, "role": created.role.as_str(), "team_id": created.team_id }),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedPassword {
            user: created.into(),
            password,
        })
    }

    /// Adds a login (used by the admin page, the CLI and the demo).
    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: &str,
        team_id: Option<i64>,
        password: &str,
    ) -> Result<i64> {
        let mut errors = Invalid::new();
        let email = email.trim().to_lowercase();
        if !valid_email(&email) {
            errors.add("email", "error-email");
        }
        let name = required(&mut errors, "name", name);
        let role = Role::parse(role.trim());
        if role.is_none() {
            errors.add("role", "error-choose-option");
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            errors.add("password", "error-password-short");
        }
        let mut tx = self.write().await?;
        if let Some(id) = team_id {
            if team::get(&mut tx, id).await?.is_none() {
                errors.add("team_id", "error-unknown-team");
            }
        } else if role.is_some_and(Role::needs_team) {
            errors.add("team_id", "error-team-required");
        }
        errors.finish()?;
        let role = role.ok_or_else(|| AppError::invalid("role", "error-choose-option"))?;
        let hash = hash_password(password)?;
        let id = user::insert(
            &mut tx,
            &user::NewUser {
                email: &email,
                name: &name,
                role,
                team_id,
                password_hash: &hash,
            },
            self.now(),
        )
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::invalid("email", "error-email-taken"),
            other => other,
        })?;
        tx.commit().await?;
        Ok(id)
    }

    /// Looks a team up by name (for the CLI).
    pub async fn team_by_name(&self, name: &str) -> Result<i64> {
        let mut tx = self.write().await?;
        let found = team::by_name(&mut tx, name.trim()).await?;
        tx.commit().await?;
        found
            .map(|t| t.id)
            .ok_or_else(|| AppError::invalid("team", "error-unknown-team"))
    }

    /// Deactivates a login: its sessions and tokens end at once.
    pub async fn deactivate_user(
        &self,
        actor: Option<&Actor>,
        email_or_id: UserRef<'_>,
    ) -> Result<()> {
        if let Some(actor) = actor {
            self.require(actor, &[Role::Admin], "admin.deactivate_user")
                .await?;
        }
        let mut tx = self.write().await?;
        let found = match email_or_id {
            UserRef::Id(id) => user::get(&mut tx, id).await?,
            UserRef::Email(email) => user::by_email(&mut tx, email).await?,
        }
        .ok_or(AppError::NotFound)?;
        if actor.is_some_and(|a| a.user_id == found.id) {
            return Err(AppError::Conflict("error-deactivate-self"));
        }
        user::set_active(&mut tx, found.id, false).await?;
        session::delete_for_user(&mut tx, found.id).await?;
        session::delete_tokens_for_user(&mut tx, found.id).await?;
        self.log_change(
            &mut tx,
            actor,
            "admin.deactivate_user",
            json!({ "user_id": found.id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn activate_user(&self, actor: &Actor, id: i64) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.activate_user")
            .await?;
        let mut tx = self.write().await?;
        user::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        user::set_active(&mut tx, id, true).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.activate_user",
            json!({ "user_id": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new generated password, shown once; existing sessions end.
    pub async fn reset_password(&self, actor: &Actor, id: i64) -> Result<IssuedPassword> {
        self.require(actor, &[Role::Admin], "admin.reset_password")
            .await?;
        let password = random_password();
        let hash = hash_password(&password)?;
        let mut tx = self.write().await?;
        let found = user::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        user::set_password(&mut tx, id, &hash).await?;
        session::delete_for_user(&mut tx, id).await?;
        let updated = user::get(&mut tx, id).await?.unwrap_or(found);
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.reset_password",
            json!({ "user_id": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedPassword {
            user: updated.into(),
            password,
        })
    }

    pub async fn set_user_role(
        &self,
        actor: &Actor,
        id: i64,
        input: &UserInput,
        version: i64,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.set_user_role")
            .await?;
        let role = Role::parse(input.role.trim())
            .ok_or_else(|| AppError::invalid("role", "error-choose-option"))?;
        let team_id = match input.team_id.trim() {
            "" => None,
            v => Some(
                v.parse::<i64>()
                    .map_err(|_| AppError::invalid("team_id", "error-unknown-team"))?,
            ),
        };
        let mut tx = self.write().await?;
        let before = user::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        match team_id {
            Some(t) if team::get(&mut tx, t).await?.is_none() => {
                return Err(AppError::invalid("team_id", "error-unknown-team"));
            }
            None if role.needs_team() => {
                return Err(AppError::invalid("team_id", "error-team-required"));
            }
            _ => {}
        }
        if actor.user_id == id && role != Role::Admin {
            return Err(AppError::Conflict("error-demote-self"));
        }
        user::set_role(&mut tx, id, role, team_id, version).await?;
        session::delete_for_user(&mut tx, id).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.set_user_role",
            json!({
                "user_id": id,
                "from": { "role": before.role.as_str(), "team_id": before.team_id },
                "to": { "role": role.as_str(), "team_id": team_id },
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A programme's settings as the access log records them.
fn programme_norms(p: &programme::Programme) -> serde_json::Value {
    json!({
        "name": p.name,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "families_per_fte": p.families_per_fte,
        "budget_minutes_per_family": p.budget_minutes_per_family,
        "weekly_minutes_per_family": p.weekly_minutes_per_family,
        "start_within_weeks": p.start_within_weeks,
        "full_time_minutes_per_week": p.full_time_minutes_per_week,
        "plan_first_weeks": p.plan_first_weeks,
        "plan_review_weeks": p.plan_review_weeks,
        "hourly_rate_cents": p.hourly_rate_cents,
        "waiting_warning_days": p.waiting_warning_days,
        "budget_warning_percent": p.budget_warning_percent,
        "under_norm_percent": p.under_norm_percent,
        "goal_unchanged_weeks": p.goal_unchanged_weeks,
        "module_start_weeks": p.module_start_weeks,
        "phase1_max_weeks": p.phase1_max_weeks,
        "phase2_max_weeks": p.phase2_max_weeks,
        "phase3_max_weeks": p.phase3_max_weeks,
        "phase4_max_weeks": p.phase4_max_weeks,
        "indication_warning_weeks": p.indication_warning_weeks,
        "no_contact_days": p.no_contact_days,
    })
}

/// The settings that differ, before and after.
fn changed(
    before: serde_json::Value,
    after: serde_json::Value,
) -> (serde_json::Value, serde_json::Value) {
    let (mut from, mut to) = (serde_json::Map::new(), serde_json::Map::new());
    if let (serde_json::Value::Object(b), serde_json::Value::Object(a)) = (before, after) {
        for (key, old) in b {
            let new = a.get(&key).cloned().unwrap_or(serde_json::Value::Null);
            if old != new {
                from.insert(key.clone(), old);
                to.insert(key, new);
            }
        }
    }
    (
        serde_json::Value::Object(from),
        serde_json::Value::Object(to),
    )
}

/// A user named by id (pages, API) or e-mail (CLI).
#[derive(Debug, Clone, Copy)]
pub enum UserRef<'a> {
    Id(i64),
    Email(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_with_comma_or_point() {
        assert_eq!(parse_hours("7"), Some(420));
        assert_eq!(parse_hours("7,5"), Some(450));
        assert_eq!(parse_hours(" 4.5 "), Some(270));
        assert_eq!(parse_hours("0"), None);
        assert_eq!(parse_hours("-3"), None);
        assert_eq!(parse_hours("abc"), None);
        assert_eq!(parse_hours("NaN"), None);
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert!(valid_email("a.b@c.nl"));
        assert!(!valid_email("a@b"));
        assert!(!valid_email("a b@c.nl"));
        assert!(!valid_email("@c.nl"));
    }
}
