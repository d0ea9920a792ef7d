//! Teams: a team works for one programme and keeps its own waiting list.

use chrono::{DateTime, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub programme_id: i64,
    pub programme_name: String,
    pub version: i64,
}

pub async fn insert(tx: &mut Tx, name: &str, programme_id: i64, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO teams (name, programme_id, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(name)
    .bind(programme_id)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Team>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Team>(
        "SELECT t.id, t.name, t.programme_id, p.name AS programme_name, t.version \
         FROM teams t JOIN programmes p ON p.id = t.programme_id ORDER BY t.name"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Team>> {
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Team>(
        "SELECT t.id, t.name, t.programme_id, p.name AS programme_name, t.version \
         FROM teams t JOIN programmes p ON p.id = t.programme_id WHERE t.id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

pub async fn by_name(tx: &mut Tx, name: &str) -> Result<Option<Team>> {
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Team>(
        "SELECT t.id, t.name, t.programme_id, p.name AS programme_name, t.version \
         FROM teams t JOIN programmes p ON p.id = t.programme_id WHERE LOWER(t.name) = LOWER($1)"
    )
    .bind(name)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}
