//! Server-side login sessions and personal API tokens. Only hashes of the
//! secrets are stored; the secrets themselves live in the browser or script.

use chrono::{DateTime, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub last_seen_at: DateTime<Utc>,
}

pub async fn insert(
    tx: &mut Tx,
    id_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)"
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(tx: &mut Tx, id_hash: &str) -> Result<Option<Session>> {
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Session>(
        "SELECT id_hash, user_id, csrf_token, last_seen_at FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

pub async fn touch(tx: &mut Tx, id_hash: &str, now: DateTime<Utc>) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2"
    )
    .bind(now)
    .bind(id_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id_hash: &str) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_for_user(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_idle(tx: &mut Tx, seen_before: DateTime<Utc>) -> Result<u64> {
    let done = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE last_seen_at < $1"
    )
    .bind(seen_before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

pub async fn insert_token(
    tx: &mut Tx,
    user_id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id"
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// The user a token belongs to; marks the token as used.
pub async fn touch_token(tx: &mut Tx, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2"
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_tokens_for_user(tx: &mut Tx, user_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM api_tokens WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
