//! Programmes and their norms.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::programme::Norms;
use wrapcare_core::questionnaire::Planned;
use wrapcare_core::signal::{Rules, Thresholds};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Programme {
    pub id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub families_per_fte: i64,
    pub budget_minutes_per_family: i64,
    pub weekly_minutes_per_family: i64,
    pub start_within_weeks: i64,
    pub full_time_minutes_per_week: i64,
    /// The first plan is agreed within this many weeks of the start of help.
    pub plan_first_weeks: i64,
    /// An agreed plan is reviewed every this many weeks.
    pub plan_review_weeks: i64,
    /// What an hour of a coordinator costs, in euro cents (0 when not set).
    pub hourly_rate_cents: i64,
    pub waiting_warning_days: i64,
    pub budget_warning_percent: i64,
    pub under_norm_percent: i64,
    pub goal_unchanged_weeks: i64,
    pub module_start_weeks: i64,
    pub phase1_max_weeks: i64,
    pub phase2_max_weeks: i64,
    pub phase3_max_weeks: i64,
    pub phase4_max_weeks: i64,
    pub indication_warning_weeks: i64,
    pub no_contact_days: i64,
    /// Days after its date that a questionnaire not taken counts as overdue.
    pub measurement_grace_days: i64,
    pub version: i64,
}

impl Programme {
    pub fn norms(&self) -> Norms {
        let clamp = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        Norms {
            families_per_fte: clamp(self.families_per_fte),
            budget_minutes_per_family: clamp(self.budget_minutes_per_family),
            weekly_minutes_per_family: clamp(self.weekly_minutes_per_family),
            start_within_weeks: clamp(self.start_within_weeks),
            full_time_minutes_per_week: clamp(self.full_time_minutes_per_week),
        }
    }

    pub fn thresholds(&self) -> Thresholds {
        let clamp = |v: i64| u32::try_from(v.max(1)).unwrap_or(u32::MAX);
        Thresholds {
            waiting_warning_days: clamp(self.waiting_warning_days),
            budget_warning_percent: clamp(self.budget_warning_percent),
            under_norm_percent: clamp(self.under_norm_percent),
            goal_unchanged_weeks: clamp(self.goal_unchanged_weeks),
            module_start_weeks: clamp(self.module_start_weeks),
            phase_max_weeks: [
                clamp(self.phase1_max_weeks),
                clamp(self.phase2_max_weeks),
                clamp(self.phase3_max_weeks),
                clamp(self.phase4_max_weeks),
            ],
            indication_warning_weeks: clamp(self.indication_warning_weeks),
            no_contact_days: clamp(self.no_contact_days),
        }
    }

    /// Everything the programme's signals are judged against, with its
    /// schedule of questionnaires (kept in a table of its own).
    pub fn signal_rules(&self, measurements: Vec<Planned>) -> Rules {
        let weeks = |v: i64, default: u32| u32::try_from(v.max(1)).unwrap_or(default);
        Rules {
            norms: self.norms(),
            plan_first_weeks: weeks(self.plan_first_weeks, 6),
            plan_review_weeks: weeks(self.plan_review_weeks, 13),
            thresholds: self.thresholds(),
            measurements,
            measurement_grace_days: u32::try_from(self.measurement_grace_days.max(0)).unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewProgramme<'a> {
    pub name: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub norms: Norms,
    /// Weeks from the start of help to the first agreed plan, and between reviews.
    pub plan_first_weeks: u32,
    pub plan_review_weeks: u32,
    pub hourly_rate_cents: i64,
    pub thresholds: Thresholds,
}

pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "g.id"),
    ("name", "g.name"),
    ("starts_on", "g.starts_on"),
    ("ends_on", "g.ends_on"),
    ("families_per_fte", "g.families_per_fte"),
    ("budget_minutes_per_family", "g.budget_minutes_per_family"),
    ("weekly_minutes_per_family", "g.weekly_minutes_per_family"),
    ("start_within_weeks", "g.start_within_weeks"),
    ("full_time_minutes_per_week", "g.full_time_minutes_per_week"),
    ("plan_first_weeks", "g.plan_first_weeks"),
    ("plan_review_weeks", "g.plan_review_weeks"),
    ("hourly_rate_cents", "g.hourly_rate_cents"),
    ("waiting_warning_days", "g.waiting_warning_days"),
    ("budget_warning_percent", "g.budget_warning_percent"),
    ("under_norm_percent", "g.under_norm_percent"),
    ("goal_unchanged_weeks", "g.goal_unchanged_weeks"),
    ("module_start_weeks", "g.module_start_weeks"),
    ("phase1_max_weeks", "g.phase1_max_weeks"),
    ("phase2_max_weeks", "g.phase2_max_weeks"),
    ("phase3_max_weeks", "g.phase3_max_weeks"),
    ("phase4_max_weeks", "g.phase4_max_weeks"),
    ("indication_warning_weeks", "g.indication_warning_weeks"),
    ("no_contact_days", "g.no_contact_days"),
    ("measurement_grace_days", "g.measurement_grace_days"),
    ("version", "g.version"),
];

static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::json::select_list(FIELDS));

pub async fn insert(tx: &mut Tx, p: &NewProgramme<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO programmes (name, starts_on, ends_on, families_per_fte, budget_minutes_per_family, \
         weekly_minutes_per_family, start_within_weeks, full_time_minutes_per_week, plan_first_weeks, \
         plan_review_weeks, hourly_rate_cents, created_at, waiting_warning_days, budget_warning_percent, \
         under_norm_percent, goal_unchanged_weeks, module_start_weeks, phase1_max_weeks, phase2_max_weeks, \
         phase3_max_weeks, phase4_max_weeks, indication_warning_weeks, no_contact_days) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id"
    )
    .bind(p.name)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(i64::from(p.norms.families_per_fte))
    .bind(i64::from(p.norms.budget_minutes_per_family))
    .bind(i64::from(p.norms.weekly_minutes_per_family))
    .bind(i64::from(p.norms.start_within_weeks))
    .bind(i64::from(p.norms.full_time_minutes_per_week))
    .bind(i64::from(p.plan_first_weeks))
    .bind(i64::from(p.plan_review_weeks))
    .bind(p.hourly_rate_cents)
    .bind(now)
    .bind(i64::from(p.thresholds.waiting_warning_days))
    .bind(i64::from(p.thresholds.budget_warning_percent))
    .bind(i64::from(p.thresholds.under_norm_percent))
    .bind(i64::from(p.thresholds.goal_unchanged_weeks))
    .bind(i64::from(p.thresholds.module_start_weeks))
    .bind(i64::from(p.thresholds.phase_max_weeks[0]))
    .bind(i64::from(p.thresholds.phase_max_weeks[1]))
    .bind(i64::from(p.thresholds.phase_max_weeks[2]))
    .bind(i64::from(p.thresholds.phase_max_weeks[3]))
    .bind(i64::from(p.thresholds.indication_warning_weeks))
    .bind(i64::from(p.thresholds.no_contact_days))
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, p: &NewProgramme<'_>, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE programmes SET name = $1, starts_on = $2, ends_on = $3, families_per_fte = $4, \
         budget_minutes_per_family = $5, weekly_minutes_per_family = $6, start_within_weeks = $7, \
         full_time_minutes_per_week = $8, plan_first_weeks = $9, plan_review_weeks = $10, hourly_rate_cents = $11, \
         waiting_warning_days = $14, budget_warning_percent = $15, under_norm_percent = $16, \
         goal_unchanged_weeks = $17, module_start_weeks = $18, phase1_max_weeks = $19, phase2_max_weeks = $20, \
         phase3_max_weeks = $21, phase4_max_weeks = $22, indication_warning_weeks = $23, no_contact_days = $24, \
         version = version + 1 WHERE id = $12 AND version = $13"
    )
    .bind(p.name)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(i64::from(p.norms.families_per_fte))
    .bind(i64::from(p.norms.budget_minutes_per_family))
    .bind(i64::from(p.norms.weekly_minutes_per_family))
    .bind(i64::from(p.norms.start_within_weeks))
    .bind(i64::from(p.norms.full_time_minutes_per_week))
    .bind(i64::from(p.plan_first_weeks))
    .bind(i64::from(p.plan_review_weeks))
    .bind(p.hourly_rate_cents)
    .bind(id)
    .bind(version)
    .bind(i64::from(p.thresholds.waiting_warning_days))
    .bind(i64::from(p.thresholds.budget_warning_percent))
    .bind(i64::from(p.thresholds.under_norm_percent))
    .bind(i64::from(p.thresholds.goal_unchanged_weeks))
    .bind(i64::from(p.thresholds.module_start_weeks))
    .bind(i64::from(p.thresholds.phase_max_weeks[0]))
    .bind(i64::from(p.thresholds.phase_max_weeks[1]))
    .bind(i64::from(p.thresholds.phase_max_weeks[2]))
    .bind(i64::from(p.thresholds.phase_max_weeks[3]))
    .bind(i64::from(p.thresholds.indication_warning_weeks))
    .bind(i64::from(p.thresholds.no_contact_days))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

/// Sets the days after which a measurement counts as overdue, if the
/// programme is still at `version`; the version moves on.
pub async fn set_grace_days(tx: &mut Tx, id: i64, days: u32, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE programmes SET measurement_grace_days = $1, version = version + 1 \
         WHERE id = $2 AND version = $3"
    )
    .bind(i64::from(days))
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Programme>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM programmes g ORDER BY g.name",
        *COLUMNS
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Programme>(sql)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Programme>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM programmes g WHERE g.id = $1",
        *COLUMNS
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Programme>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}
