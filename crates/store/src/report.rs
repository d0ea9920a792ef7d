//! Raw figures for reports; the statistics are computed in the domain.

use chrono::NaiveDate;

use crate::{Result, Tx, on_tx};

/// One started episode: when help started and how long the family waited.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StartedEpisode {
    pub programme_id: i64,
    pub started_on: NaiveDate,
    pub waiting_days: i64,
}

pub async fn started_episodes(
    tx: &mut Tx,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<StartedEpisode>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, StartedEpisode>(
        "SELECT programme_id, started_on, waiting_days FROM episodes \
         WHERE started_on IS NOT NULL AND waiting_days IS NOT NULL AND started_on >= $1 AND started_on <= $2 \
         ORDER BY programme_id, started_on"
    )
    .bind(from)
    .bind(until)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

/// Families who started help, counted per programme, team, referral
/// source, home organisation of the coordinator at the start, day and
/// waiting time. `team` and `worker` narrow it to a team or to the
/// families a coordinator is or was assigned to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StartedCount {
    pub programme_id: i64,
    pub team_id: i64,
    pub source: String,
    pub organisation_id: Option<i64>,
    pub started_on: NaiveDate,
    pub waiting_days: i64,
    pub families: i64,
}

/// The home organisation of the episode's coordinator on `day_column`: the
/// assignment begun last by then.
fn organisation_on(day_column: &str) -> String {
    format!(
        "(SELECT w.home_organisation_id FROM assignments a JOIN workers w ON w.id = a.worker_id \
          WHERE a.episode_id = e.id AND a.starts_on <= {day_column} \
          ORDER BY a.starts_on DESC, a.id DESC LIMIT 1)"
    )
}

/// Narrows to a team (placeholder `team`) and to a coordinator's families
/// (placeholder `worker`), each when bound to a value.
fn scope(team: &str, worker: &str) -> String {
    format!(
        "(CAST({team} AS BIGINT) IS NULL OR e.team_id = {team}) AND (CAST({worker} AS BIGINT) IS NULL OR EXISTS \
         (SELECT 1 FROM assignments s WHERE s.episode_id = e.id AND s.worker_id = {worker}))"
    )
}

pub async fn started_counts(
    tx: &mut Tx,
    from: NaiveDate,
    until: NaiveDate,
    team: Option<i64>,
    worker: Option<i64>,
) -> Result<Vec<StartedCount>> {
    // Only fixed text and placeholders are put together here.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT programme_id, team_id, source, organisation_id, started_on, waiting_days, COUNT(*) AS families FROM ( \
           SELECT e.programme_id, e.team_id, r.source, {org} AS organisation_id, e.started_on, e.waiting_days \
           FROM episodes e JOIN referrals r ON r.id = e.referral_id \
           WHERE e.started_on IS NOT NULL AND e.waiting_days IS NOT NULL \
             AND e.started_on >= $1 AND e.started_on <= $2 AND {scope} \
         ) s GROUP BY programme_id, team_id, source, organisation_id, started_on, waiting_days",
        org = organisation_on("e.started_on"),
        scope = scope("$3", "$4"),
    ));
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, StartedCount>(sql)
            .bind(from)
            .bind(until)
            .bind(team)
            .bind(worker)
            .fetch_all(c)
            .await
    })?;
    Ok(rows)
}

/// Families on the waiting list now (not started yet), counted per
/// programme, team, source, home organisation of the coordinator assigned
/// (if any) and reference date.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingCount {
    pub programme_id: i64,
    pub team_id: i64,
    pub source: String,
    pub organisation_id: Option<i64>,
    pub reference_date: NaiveDate,
    pub families: i64,
}

pub async fn waiting_counts(
    tx: &mut Tx,
    today: NaiveDate,
    team: Option<i64>,
    worker: Option<i64>,
) -> Result<Vec<WaitingCount>> {
    // Only fixed text and placeholders are put together here.
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT programme_id, team_id, source, organisation_id, reference_date, COUNT(*) AS families FROM ( \
           SELECT e.programme_id, e.team_id, r.source, {org} AS organisation_id, e.reference_date \
           FROM episodes e JOIN referrals r ON r.id = e.referral_id \
           WHERE e.state IN ('waiting', 'assigned') AND e.reference_date <= $1 AND {scope} \
         ) s GROUP BY programme_id, team_id, source, organisation_id, reference_date",
        org = organisation_on("$1"),
        scope = scope("$2", "$3"),
    ));
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, WaitingCount>(sql)
            .bind(today)
            .bind(team)
            .bind(worker)
            .fetch_all(c)
            .await
    })?;
    Ok(rows)
}
