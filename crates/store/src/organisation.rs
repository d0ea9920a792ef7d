//! Organisations: the home organisations of workers and, later, module providers.

use chrono::{DateTime, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub version: i64,
}

pub async fn insert(tx: &mut Tx, name: &str, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO organisations (name, created_at) VALUES ($1, $2) RETURNING id"
    )
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<Organisation>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Organisation>(
        "SELECT id, name, version FROM organisations ORDER BY name"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Organisation>> {
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Organisation>(
        "SELECT id, name, version FROM organisations WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

pub async fn rename(tx: &mut Tx, id: i64, name: &str, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE organisations SET name = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(name)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}
