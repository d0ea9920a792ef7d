//! Emergency accesses to family files: who, which family, why, and until when.

use chrono::{DateTime, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct EmergencyAccess {
    pub id: i64,
    pub family_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_role: String,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    tx: &mut Tx,
    family_id: i64,
    user_id: i64,
    reason: &str,
    granted_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO emergency_access (family_id, user_id, reason, granted_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(family_id)
    .bind(user_id)
    .bind(reason)
    .bind(granted_at)
    .bind(expires_at)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "x.id"),
    ("family_id", "x.family_id"),
    ("user_id", "x.user_id"),
    ("user_name", "u.name"),
    ("user_role", "u.role"),
    ("reason", "x.reason"),
    ("granted_at", "x.granted_at"),
    ("expires_at", "x.expires_at"),
];
pub(crate) const FROM: &str = "FROM emergency_access x JOIN users u ON u.id = x.user_id";

/// The user's access to the family running at `now` (placeholders), latest ending first.
pub(crate) fn running_where(user: &str, family: &str, now: &str) -> String {
    format!(
        "WHERE x.user_id = {user} AND x.family_id = {family} AND x.expires_at > {now} \
         ORDER BY x.expires_at DESC"
    )
}

/// Newest first.
pub(crate) const ORDER: &str = "x.granted_at DESC, x.id DESC";

static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::json::select_list(FIELDS));

/// The user's emergency access to the family that is still running at `now`, if any.
pub async fn running(
    tx: &mut Tx,
    user_id: i64,
    family_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<EmergencyAccess>> {
    let columns = &*COLUMNS;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {columns} {FROM} {} LIMIT 1",
        running_where("$1", "$2", "$3")
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, EmergencyAccess>(sql)
        .bind(user_id)
        .bind(family_id)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

/// An emergency access as a reviewer sees it: with how much was done under it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewedAccess {
    #[sqlx(flatten)]
    pub access: EmergencyAccess,
    /// Access-log entries made under it (reads of the file).
    pub entries: i64,
}

/// Emergency accesses granted in the window, newest first; of one team's
/// families, one user or one family when asked.
pub async fn review(
    tx: &mut Tx,
    team_id: Option<i64>,
    user_id: Option<i64>,
    family_id: Option<i64>,
    window: crate::access_log::Window,
    limit: i64,
) -> Result<Vec<ReviewedAccess>> {
    let mut clauses = vec!["1 = 1".to_string()];
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if team_id.is_some() {
        let team = next();
        clauses.push(format!(
            "x.family_id IN ({})",
            crate::access_log::TEAM_FAMILIES.replace('?', &team)
        ));
    }
    if user_id.is_some() {
        clauses.push(format!("x.user_id = {}", next()));
    }
    if family_id.is_some() {
        clauses.push(format!("x.family_id = {}", next()));
    }
    if window.since.is_some() {
        clauses.push(format!("x.granted_at >= {}", next()));
    }
    if window.until.is_some() {
        clauses.push(format!("x.granted_at < {}", next()));
    }
    let limit_at = next();
    let columns = &*COLUMNS;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {columns}, \
         (SELECT COUNT(*) FROM access_log l WHERE l.emergency_access_id = x.id) AS entries \
         {FROM} WHERE {} ORDER BY {ORDER} LIMIT {limit_at}",
        clauses.join(" AND ")
    ));
    let rows = on_tx!(tx, |c| {
        let mut q = sqlx::query_as::<_, ReviewedAccess>(sql);
        for v in [team_id, user_id, family_id].into_iter().flatten() {
            q = q.bind(v);
        }
        for at in [window.since, window.until].into_iter().flatten() {
            q = q.bind(at);
        }
        q.bind(limit).fetch_all(c).await
    })?;
    Ok(rows)
}
