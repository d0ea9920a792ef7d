//! The facts signals are judged on, gathered for a whole team, programme or
//! coordinator at once: one statement per kind of fact, never one per family.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::questionnaire::schedule::Measured;

use crate::{Result, Tx, on_tx};

/// Whose signals: a team's, a programme's (all its teams), or one coordinator's
/// (the families currently assigned to them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Team(i64),
    Programme(i64),
    Coordinator(i64),
}

impl Scope {
    pub(crate) fn id(self) -> i64 {
        match self {
            Scope::Team(id) | Scope::Programme(id) | Scope::Coordinator(id) => id,
        }
    }

    /// Which episodes `e` (joined with its running assignment `a`) belong to
    /// the scope; `$1` is the scope's id.
    pub(crate) fn episodes(self) -> &'static str {
        match self {
            Scope::Team(_) => "e.team_id = $1",
            Scope::Programme(_) => "e.programme_id = $1",
            Scope::Coordinator(_) => "a.worker_id = $1",
        }
    }

    /// Which workers `w` (of team `t`) belong to the scope.
    fn workers(self) -> &'static str {
        match self {
            Scope::Team(_) => "w.team_id = $1",
            Scope::Programme(_) => "t.programme_id = $1",
            Scope::Coordinator(_) => "w.id = $1",
        }
    }

    /// Which teams' acknowledgements `k` belong to the scope.
    fn acknowledgements(self) -> &'static str {
        match self {
            Scope::Team(_) => "k.team_id = $1",
            Scope::Programme(_) => {
                "k.team_id IN (SELECT t.id FROM teams t WHERE t.programme_id = $1)"
            }
            Scope::Coordinator(_) => {
                "k.team_id = (SELECT w.team_id FROM workers w WHERE w.id = $1)"
            }
        }
    }
}

/// The quoted states for an `IN (…)` list, from the domain's own list.
fn states_where(keep: fn(EpisodeState) -> bool) -> String {
    let states: Vec<String> = EpisodeState::ALL
        .into_iter()
        .filter(|s| keep(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    states.join(", ")
}

/// The open episodes (waiting, assigned, in care).
pub(crate) fn open_states() -> String {
    states_where(EpisodeState::is_open)
}

/// The episodes a coordinator's caseload counts.
fn caseload_states() -> String {
    states_where(EpisodeState::counts_in_caseload)
}

/// An open episode with what its signals need.
#[derive(Debug, Clone)]
pub struct EpisodeRow {
    pub family_id: i64,
    pub surname: String,
    pub episode_id: i64,
    pub programme_id: i64,
    pub team_id: i64,
    pub state: String,
    pub reference_date: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub phase: Option<i64>,
    pub phase_since: Option<NaiveDate>,
    pub coordinator_id: Option<i64>,
    pub plan_agreed_on: Option<NaiveDate>,
    pub used_minutes: i64,
    pub before_last_week_minutes: i64,
    pub last_week_minutes: i64,
    pub last_contact_on: Option<NaiveDate>,
    /// The questionnaires taken in the episode.
    pub measured: Vec<Measured>,
}

/// An [`EpisodeRow`] as read, its questionnaires still in their kept list.
#[derive(sqlx::FromRow)]
struct EpisodeRecord {
    family_id: i64,
    surname: String,
    episode_id: i64,
    programme_id: i64,
    team_id: i64,
    state: String,
    reference_date: NaiveDate,
    started_on: Option<NaiveDate>,
    phase: Option<i64>,
    phase_since: Option<NaiveDate>,
    coordinator_id: Option<i64>,
    plan_agreed_on: Option<NaiveDate>,
    used_minutes: i64,
    before_last_week_minutes: i64,
    last_week_minutes: i64,
    last_contact_on: Option<NaiveDate>,
    measured: Option<String>,
}

impl EpisodeRecord {
    fn into_row(self) -> Result<EpisodeRow> {
        Ok(EpisodeRow {
            measured: crate::questionnaire::measured_list(self.measured.as_deref())?,
            family_id: self.family_id,
            surname: self.surname,
            episode_id: self.episode_id,
            programme_id: self.programme_id,
            team_id: self.team_id,
            state: self.state,
            reference_date: self.reference_date,
            started_on: self.started_on,
            phase: self.phase,
            phase_since: self.phase_since,
            coordinator_id: self.coordinator_id,
            plan_agreed_on: self.plan_agreed_on,
            used_minutes: self.used_minutes,
            before_last_week_minutes: self.before_last_week_minutes,
            last_week_minutes: self.last_week_minutes,
            last_contact_on: self.last_contact_on,
        })
    }
}

/// The scope's open episodes. `weeks` are the Mondays of the week before
/// last and of last week. The minutes so far and per week, the latest
/// contact with the family, the phase's and the plan's days and the
/// questionnaires taken all come from the totals kept with each write: one
/// row per episode, looked up by key.
pub async fn episodes(tx: &mut Tx, scope: Scope, weeks: [NaiveDate; 2]) -> Result<Vec<EpisodeRow>> {
    let open = open_states();
    let in_scope = scope.episodes();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT e.family_id, f.surname, e.id AS episode_id, e.programme_id, e.team_id, e.state, \
           e.reference_date, e.started_on, e.phase, t.phase_since, a.worker_id AS coordinator_id, \
           t.plan_agreed_on, CAST(COALESCE(t.active_minutes, 0) AS BIGINT) AS used_minutes, \
           CAST(COALESCE(w1.minutes, 0) AS BIGINT) AS before_last_week_minutes, \
           CAST(COALESCE(w2.minutes, 0) AS BIGINT) AS last_week_minutes, \
           t.last_family_contact_on AS last_contact_on, t.measured \
         FROM episodes e JOIN families f ON f.id = e.family_id \
         LEFT JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL \
         LEFT JOIN episode_totals t ON t.episode_id = e.id \
         LEFT JOIN episode_week_minutes w1 ON w1.episode_id = e.id AND w1.week_of = $2 \
         LEFT JOIN episode_week_minutes w2 ON w2.episode_id = e.id AND w2.week_of = $3 \
         WHERE e.state IN ({open}) AND {in_scope}"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, EpisodeRecord>(sql)
        .bind(scope.id())
        .bind(weeks[0])
        .bind(weeks[1])
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(EpisodeRecord::into_row).collect()
}

/// A goal of an episode's current plan with the day it was first agreed and
/// the latest day a score changed its level (from the previous score, or from
/// the baseline for the first).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GoalRow {
    pub episode_id: i64,
    pub goal_key: String,
    pub description: String,
    pub first_agreed_on: NaiveDate,
    pub last_change_on: Option<NaiveDate>,
}

/// The goals of the scope's families in care that have not changed since
/// `unchanged_at_most` or earlier: only these can be unchanged long enough
/// (the day is the domain's, `Thresholds::goal_unchanged_since_at_most`).
pub async fn goals(
    tx: &mut Tx,
    scope: Scope,
    unchanged_at_most: NaiveDate,
) -> Result<Vec<GoalRow>> {
    // Only a coordinator's scope needs the running assignment.
    let (assignment, in_scope) = match scope {
        Scope::Coordinator(_) => (
            "JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL",
            "a.worker_id = $1",
        ),
        other => ("", other.episodes()),
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT g.episode_id, g.goal_key, g.description, g.first_agreed_on, \
           g.level_changed_on AS last_change_on \
         FROM episodes e {assignment} \
         JOIN current_goals g ON g.episode_id = e.id \
         WHERE e.state = 'in_care' AND {in_scope} \
           AND g.first_agreed_on <= $2 \
           AND (g.level_changed_on IS NULL OR g.level_changed_on <= $2)"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, GoalRow>(sql)
        .bind(scope.id())
        .bind(unchanged_at_most)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// A module referral of an episode in care, requested and not started.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestedModuleRow {
    pub episode_id: i64,
    pub module_referral_id: i64,
    pub requested_on: NaiveDate,
    pub module_name: String,
}

pub async fn requested_modules(tx: &mut Tx, scope: Scope) -> Result<Vec<RequestedModuleRow>> {
    let in_scope = scope.episodes();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT mr.episode_id, mr.id AS module_referral_id, mr.requested_on, m.name AS module_name \
         FROM module_referrals mr JOIN modules m ON m.id = mr.module_id \
         JOIN episodes e ON e.id = mr.episode_id \
         LEFT JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL \
         WHERE mr.state = 'requested' AND e.state = 'in_care' AND {in_scope}"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, RequestedModuleRow>(sql)
        .bind(scope.id())
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// An indication of a current member of a family with an open episode,
/// ending in `[from, until]`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndicationRow {
    pub episode_id: i64,
    pub indication_id: i64,
    pub ends_on: NaiveDate,
    pub product: String,
}

pub async fn indications_ending(
    tx: &mut Tx,
    scope: Scope,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<IndicationRow>> {
    let open = open_states();
    let in_scope = scope.episodes();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT e.id AS episode_id, i.id AS indication_id, i.ends_on, i.product \
         FROM episodes e LEFT JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL \
         JOIN memberships m ON m.family_id = e.family_id AND m.ends_on IS NULL \
         JOIN indications i ON i.person_id = m.person_id \
         WHERE e.state IN ({open}) AND {in_scope} AND i.ends_on >= $2 AND i.ends_on <= $3"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, IndicationRow>(sql)
        .bind(scope.id())
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// A coordinator with a running secondment and their caseload.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CoordinatorRow {
    pub worker_id: i64,
    pub name: String,
    pub team_id: i64,
    pub programme_id: i64,
    pub minutes_per_week: i64,
    pub caseload: i64,
}

pub async fn coordinators(tx: &mut Tx, scope: Scope, on: NaiveDate) -> Result<Vec<CoordinatorRow>> {
    let in_scope = scope.workers();
    let counted = caseload_states();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT w.id AS worker_id, w.name, w.team_id, t.programme_id, s.minutes_per_week, \
           (SELECT COUNT(*) FROM assignments a JOIN episodes e ON e.id = a.episode_id \
             WHERE a.worker_id = w.id AND a.ends_on IS NULL AND e.state IN ({counted})) AS caseload \
         FROM workers w JOIN teams t ON t.id = w.team_id \
         JOIN secondments s ON s.worker_id = w.id AND s.starts_on <= $2 AND (s.ends_on IS NULL OR s.ends_on > $2) \
         WHERE w.job = 'coordinator' AND {in_scope}"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, CoordinatorRow>(sql)
        .bind(scope.id())
        .bind(on)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// A recorded acknowledgement of a signal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AcknowledgementRow {
    pub id: i64,
    pub team_id: i64,
    pub family_id: Option<i64>,
    pub signal_key: String,
    pub cause: String,
    pub note: String,
    pub acknowledged_by: i64,
    pub acknowledged_by_name: String,
    pub acknowledged_at: DateTime<Utc>,
}

/// The scope's acknowledgements, oldest first (a later one for the same
/// signal and cause replaces the earlier in what is shown).
pub async fn acknowledgements(tx: &mut Tx, scope: Scope) -> Result<Vec<AcknowledgementRow>> {
    let in_scope = scope.acknowledgements();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT k.id, k.team_id, k.family_id, k.signal_key, k.cause, k.note, k.acknowledged_by, \
           u.name AS acknowledged_by_name, k.acknowledged_at \
         FROM signal_acknowledgements k JOIN users u ON u.id = k.acknowledged_by \
         WHERE {in_scope} ORDER BY k.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, AcknowledgementRow>(sql)
        .bind(scope.id())
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

pub struct NewAcknowledgement<'a> {
    pub team_id: i64,
    pub family_id: Option<i64>,
    pub signal_key: &'a str,
    pub cause: &'a str,
    pub note: &'a str,
    pub acknowledged_by: i64,
}

pub async fn acknowledge(
    tx: &mut Tx,
    k: &NewAcknowledgement<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO signal_acknowledgements (team_id, family_id, signal_key, cause, note, \
         acknowledged_by, acknowledged_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(k.team_id)
    .bind(k.family_id)
    .bind(k.signal_key)
    .bind(k.cause)
    .bind(k.note)
    .bind(k.acknowledged_by)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}
