//! The access log: who read or changed which family file, when, how and with what outcome.

use chrono::{DateTime, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub role: &'a str,
    pub channel: &'a str,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: &'a str,
    pub outcome: &'a str,
    pub address: Option<&'a str>,
    /// The emergency access the entry was made under, if any.
    pub emergency_access_id: Option<i64>,
}

pub async fn insert(tx: &mut Tx, e: &Entry<'_>) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO access_log (at, user_id, role, channel, family_id, episode_id, referral_id, action, outcome, \
         address, emergency_access_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(e.at)
    .bind(e.user_id)
    .bind(e.role)
    .bind(e.channel)
    .bind(e.family_id)
    .bind(e.episode_id)
    .bind(e.referral_id)
    .bind(e.action)
    .bind(e.outcome)
    .bind(e.address)
    .bind(e.emergency_access_id)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Logged {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub role: String,
    pub channel: String,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub address: Option<String>,
    pub emergency_access_id: Option<i64>,
}

/// Entries, newest first, optionally of one family or one user.
pub async fn list(
    tx: &mut Tx,
    family_id: Option<i64>,
    user_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Logged>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Logged>(
        "SELECT id, at, user_id, role, channel, family_id, episode_id, referral_id, action, outcome, address, \
         emergency_access_id \
         FROM access_log WHERE ($1 IS NULL OR family_id = $1) AND ($2 IS NULL OR user_id = $2) \
         ORDER BY id DESC LIMIT $3"
    )
    .bind(family_id)
    .bind(user_id)
    .bind(limit)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}
