//! Workers on a team and their dated secondments.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Dialect, Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Worker {
    pub id: i64,
    pub name: String,
    pub team_id: i64,
    pub home_organisation_id: i64,
    pub home_organisation: String,
    pub job: String,
    pub user_id: Option<i64>,
    pub version: i64,
}

const SELECT: &str = "SELECT w.id, w.name, w.team_id, w.home_organisation_id, o.name AS home_organisation, \
     w.job, w.user_id, w.version FROM workers w JOIN organisations o ON o.id = w.home_organisation_id";

pub struct NewWorker<'a> {
    pub name: &'a str,
    pub team_id: i64,
    pub home_organisation_id: i64,
    pub job: &'a str,
    pub user_id: Option<i64>,
}

pub async fn insert(tx: &mut Tx, w: &NewWorker<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO workers (name, team_id, home_organisation_id, job, user_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(w.name)
    .bind(w.team_id)
    .bind(w.home_organisation_id)
    .bind(w.job)
    .bind(w.user_id)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Worker>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE w.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Worker>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

pub async fn by_user(tx: &mut Tx, user_id: i64) -> Result<Option<Worker>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE w.user_id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Worker>(sql)
        .bind(user_id)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

pub async fn list(tx: &mut Tx, team_id: Option<i64>) -> Result<Vec<Worker>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE ($1 IS NULL OR w.team_id = $1) ORDER BY w.name"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Worker>(sql)
        .bind(team_id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// The workers seconded to a team on a day: who can attend its meeting that
/// day or take on an action (a colleague who left is named, not chosen).
pub async fn seconded_on(tx: &mut Tx, team_id: i64, day: NaiveDate) -> Result<Vec<i64>> {
    let rows = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT DISTINCT w.id FROM workers w JOIN secondments s ON s.worker_id = w.id \
         WHERE w.team_id = $1 AND s.starts_on <= $2 AND (s.ends_on IS NULL OR s.ends_on > $2) \
         ORDER BY w.id"
    )
    .bind(team_id)
    .bind(day)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

pub async fn set_user(tx: &mut Tx, id: i64, user_id: Option<i64>) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE workers SET user_id = $1, version = version + 1 WHERE id = $2"
    )
    .bind(user_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

/// Serialises assignments to one coordinator: on PostgreSQL the worker row is
/// locked until the transaction ends; SQLite's write transactions are serial already.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM workers WHERE id = $1 FOR UPDATE"
        )
        .bind(id)
        .fetch_optional(c)
        .await)?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Secondment {
    pub id: i64,
    pub worker_id: i64,
    pub minutes_per_week: i64,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i64,
}

pub async fn insert_secondment(
    tx: &mut Tx,
    worker_id: i64,
    minutes_per_week: i64,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO secondments (worker_id, minutes_per_week, starts_on, ends_on) \
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(worker_id)
    .bind(minutes_per_week)
    .bind(starts_on)
    .bind(ends_on)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub async fn end_secondment(tx: &mut Tx, id: i64, ends_on: NaiveDate, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE secondments SET ends_on = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(ends_on)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

pub async fn secondments(tx: &mut Tx, worker_id: i64) -> Result<Vec<Secondment>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Secondment>(
        "SELECT id, worker_id, minutes_per_week, starts_on, ends_on, version FROM secondments \
         WHERE worker_id = $1 ORDER BY starts_on"
    )
    .bind(worker_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// A worker with the secondment hours and caseload that count on a day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Load {
    pub worker_id: i64,
    pub name: String,
    pub home_organisation: String,
    pub job: String,
    pub user_id: Option<i64>,
    pub team_id: i64,
    pub minutes_per_week: i64,
    pub caseload: i64,
}

/// Workers of a team (or one worker) with their secondment on `on` and the number
/// of open, assigned episodes they currently carry. Workers without a running
/// secondment are left out: they cannot take families.
pub async fn loads(
    tx: &mut Tx,
    team_id: Option<i64>,
    worker_id: Option<i64>,
    on: NaiveDate,
) -> Result<Vec<Load>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Load>(
        "SELECT w.id AS worker_id, w.name, o.name AS home_organisation, w.job, w.user_id, w.team_id, \
                s.minutes_per_week, \
                (SELECT COUNT(*) FROM assignments a JOIN episodes e ON e.id = a.episode_id \
                  WHERE a.worker_id = w.id AND a.ends_on IS NULL \
                    AND e.state IN ('assigned', 'in_care')) AS caseload \
         FROM workers w \
         JOIN organisations o ON o.id = w.home_organisation_id \
         JOIN secondments s ON s.worker_id = w.id AND s.starts_on <= $1 AND (s.ends_on IS NULL OR s.ends_on > $1) \
         WHERE ($2 IS NULL OR w.team_id = $2) AND ($3 IS NULL OR w.id = $3) \
         ORDER BY w.name"
    )
    .bind(on)
    .bind(team_id)
    .bind(worker_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}
