//! Logins. A user is not a worker: a coordinator is a worker with a user.

use chrono::{DateTime, Utc};
use wrapcare_core::role::Role;

use crate::{Result, StoreError, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    team_id: Option<i64>,
    password_hash: String,
    active: bool,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<i64>,
    pub password_hash: String,
    pub active: bool,
    pub version: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            role: crate::parse_or_corrupt(Role::parse(&r.role), "users.role")?,
            id: r.id,
            email: r.email,
            name: r.name,
            team_id: r.team_id,
            password_hash: r.password_hash,
            active: r.active,
            version: r.version,
        })
    }
}

const COLUMNS: &str = "id, email, name, role, team_id, password_hash, active, version";

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub password_hash: &'a str,
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO users (email, name, role, team_id, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(u.email)
    .bind(u.name)
    .bind(u.role.as_str())
    .bind(u.team_id)
    .bind(u.password_hash)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    let n = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await)?;
    Ok(n)
}

pub async fn by_email(tx: &mut Tx, email: &str) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE LOWER(email) = LOWER($1)"
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(sql)
        .bind(email)
        .fetch_optional(c)
        .await)?;
    row.map(User::try_from).transpose()
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM users WHERE id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(User::try_from).transpose()
}

pub async fn list(tx: &mut Tx) -> Result<Vec<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users ORDER BY active DESC, name"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, UserRow>(sql).fetch_all(c).await)?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn set_active(tx: &mut Tx, id: i64, active: bool) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET active = $1, version = version + 1 WHERE id = $2"
    )
    .bind(active)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $1, version = version + 1 WHERE id = $2"
    )
    .bind(password_hash)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

pub async fn set_role(
    tx: &mut Tx,
    id: i64,
    role: Role,
    team_id: Option<i64>,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE users SET role = $1, team_id = $2, version = version + 1 WHERE id = $3 AND version = $4"
    )
    .bind(role.as_str())
    .bind(team_id)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct AskingRow {
    #[sqlx(flatten)]
    user: UserRow,
    worker_id: Option<i64>,
    last_used_at: Option<DateTime<Utc>>,
    csrf_token: Option<String>,
    generation: i64,
}

/// Who is asking, from a session or a token, in one query: the user, their
/// worker record, when the session or token was last used, the session's
/// CSRF token, and the data generation (read with it, which spares kept
/// reads of the same request a statement of their own).
#[derive(Debug, Clone)]
pub struct Asking {
    pub user: User,
    pub worker_id: Option<i64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub csrf_token: Option<String>,
    /// As [`crate::generation::current`] would have read it.
    pub generation: i64,
}

const ASKING: &str = "u.id, u.email, u.name, u.role, u.team_id, u.password_hash, u.active, u.version, \
     w.id AS worker_id, (SELECT n FROM data_generation WHERE id = 1) AS generation";

async fn asking(tx: &mut Tx, sql: String, key: &str) -> Result<Option<Asking>> {
    let sql = sqlx::AssertSqlSafe(sql);
    let row = on_tx!(tx, |c| sqlx::query_as::<_, AskingRow>(sql)
        .bind(key)
        .fetch_optional(c)
        .await)?;
    row.map(|r| {
        Ok(Asking {
            user: User::try_from(r.user)?,
            worker_id: r.worker_id,
            last_used_at: r.last_used_at,
            csrf_token: r.csrf_token,
            generation: r.generation,
        })
    })
    .transpose()
}

/// The user behind a session (by the hash of its id).
pub async fn by_session(tx: &mut Tx, id_hash: &str) -> Result<Option<Asking>> {
    asking(
        tx,
        format!(
            "SELECT {ASKING}, s.last_seen_at AS last_used_at, s.csrf_token FROM sessions s \
             JOIN users u ON u.id = s.user_id LEFT JOIN workers w ON w.user_id = u.id \
             WHERE s.id_hash = $1"
        ),
        id_hash,
    )
    .await
}

/// The user behind an API token (by its hash).
pub async fn by_token(tx: &mut Tx, token_hash: &str) -> Result<Option<Asking>> {
    asking(
        tx,
        format!(
            "SELECT {ASKING}, t.last_used_at, NULL AS csrf_token FROM api_tokens t \
             JOIN users u ON u.id = t.user_id LEFT JOIN workers w ON w.user_id = u.id \
             WHERE t.token_hash = $1"
        ),
        token_hash,
    )
    .await
}
