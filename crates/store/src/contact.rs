//! Logged contacts and hours of an episode.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::contact::{ContactKind, EntryStatus};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct Row {
    id: i64,
    episode_id: i64,
    worker_id: i64,
    worker_name: String,
    contact_on: NaiveDate,
    minutes: i64,
    kind: String,
    participants: String,
    note: String,
    status: String,
    replaces_id: Option<i64>,
    created_at: DateTime<Utc>,
    changed_at: Option<DateTime<Utc>>,
    change_reason: Option<String>,
    changed_by_name: Option<String>,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: i64,
    pub episode_id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub contact_on: NaiveDate,
    pub minutes: i64,
    pub kind: ContactKind,
    pub participants: String,
    pub note: String,
    pub status: EntryStatus,
    pub replaces_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub changed_at: Option<DateTime<Utc>>,
    pub change_reason: Option<String>,
    pub changed_by_name: Option<String>,
    pub version: i64,
}

impl TryFrom<Row> for Contact {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Contact> {
        Ok(Contact {
            kind: parse_or_corrupt(ContactKind::parse(&r.kind), "contacts.kind")?,
            status: parse_or_corrupt(EntryStatus::parse(&r.status), "contacts.status")?,
            id: r.id,
            episode_id: r.episode_id,
            worker_id: r.worker_id,
            worker_name: r.worker_name,
            contact_on: r.contact_on,
            minutes: r.minutes,
            participants: r.participants,
            note: r.note,
            replaces_id: r.replaces_id,
            created_at: r.created_at,
            changed_at: r.changed_at,
            change_reason: r.change_reason,
            changed_by_name: r.changed_by_name,
            version: r.version,
        })
    }
}

pub struct NewContact<'a> {
    pub episode_id: i64,
    pub worker_id: i64,
    pub contact_on: NaiveDate,
    pub minutes: i64,
    pub kind: ContactKind,
    pub participants: &'a str,
    pub note: &'a str,
    pub replaces_id: Option<i64>,
    pub created_by: i64,
}

pub async fn insert(tx: &mut Tx, c: &NewContact<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO contacts (episode_id, worker_id, contact_on, minutes, kind, participants, note, replaces_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(c.episode_id)
    .bind(c.worker_id)
    .bind(c.contact_on)
    .bind(c.minutes)
    .bind(c.kind.as_str())
    .bind(c.participants)
    .bind(c.note)
    .bind(c.replaces_id)
    .bind(c.created_by)
    .bind(now)
    .fetch_one(conn)
    .await
    })?;
    Ok(id)
}

/// Marks an active entry corrected or removed, with who, when and why.
pub async fn retire(
    tx: &mut Tx,
    id: i64,
    status: EntryStatus,
    reason: &str,
    by: i64,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = on_tx!(tx, |conn| {
        sqlx::query(
        "UPDATE contacts SET status = $1, change_reason = $2, changed_by = $3, changed_at = $4, version = version + 1 \
         WHERE id = $5 AND version = $6 AND status = 'active'"
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "c.id"),
    ("episode_id", "c.episode_id"),
    ("worker_id", "c.worker_id"),
    ("worker_name", "w.name"),
    ("contact_on", "c.contact_on"),
    ("minutes", "c.minutes"),
    ("kind", "c.kind"),
    ("participants", "c.participants"),
    ("note", "c.note"),
    ("status", "c.status"),
    ("replaces_id", "c.replaces_id"),
    ("created_at", "c.created_at"),
    ("changed_at", "c.changed_at"),
    ("change_reason", "c.change_reason"),
    ("changed_by_name", "u.name"),
    ("version", "c.version"),
];

pub(crate) const FROM: &str = "FROM contacts c JOIN workers w ON w.id = c.worker_id \
     LEFT JOIN users u ON u.id = c.changed_by";

/// Newest first.
pub(crate) const ORDER: &str = "c.contact_on DESC, c.id DESC";

fn select() -> &'static str {
    static SELECT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {} {FROM}", crate::json::select_list(FIELDS)));
    &SELECT
}

/// Every entry of an episode, corrections and removals included, newest first.
pub async fn of_episode(tx: &mut Tx, episode_id: i64) -> Result<Vec<Contact>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE c.episode_id = $1 ORDER BY {ORDER}",
        select()
    ));
    let rows = on_tx!(tx, |conn| sqlx::query_as::<_, Row>(sql)
        .bind(episode_id)
        .fetch_all(conn)
        .await)?;
    rows.into_iter().map(Contact::try_from).collect()
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Contact>> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE c.id = $1", select()));
    let row = on_tx!(tx, |conn| sqlx::query_as::<_, Row>(sql)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    row.map(Contact::try_from).transpose()
}

/// Minutes a coordinator has active on a day, across all families.
pub async fn minutes_on_day(tx: &mut Tx, worker_id: i64, day: NaiveDate) -> Result<i64> {
    let total = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM contacts WHERE worker_id = $1 AND contact_on = $2 AND status = 'active'"
    )
    .bind(worker_id)
    .bind(day)
    .fetch_one(conn)
    .await
    })?;
    Ok(total)
}

/// Minutes a coordinator has active within `[from, to]`, across all families.
pub async fn minutes_of_worker(
    tx: &mut Tx,
    worker_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64> {
    let total = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM contacts \
             WHERE worker_id = $1 AND contact_on >= $2 AND contact_on <= $3 AND status = 'active'",
        )
        .bind(worker_id)
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await
    })?;
    Ok(total)
}

/// Active minutes logged in a programme's episodes within `[from, to]`.
pub async fn programme_minutes(
    tx: &mut Tx,
    programme_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64> {
    let total = on_tx!(tx, |conn| {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(c.minutes), 0) AS BIGINT) \
             FROM contacts c JOIN episodes e ON e.id = c.episode_id \
             WHERE e.programme_id = $1 AND c.status = 'active' AND c.contact_on >= $2 AND c.contact_on <= $3",
        )
        .bind(programme_id)
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await
    })?;
    Ok(total)
}

/// Active minutes each coordinator logged within `[from, to]`, across all families.
pub async fn minutes_by_worker(
    tx: &mut Tx,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i64)>> {
    let rows = on_tx!(tx, |conn| {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT worker_id, CAST(SUM(minutes) AS BIGINT) FROM contacts \
             WHERE status = 'active' AND contact_on >= $1 AND contact_on <= $2 GROUP BY worker_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await
    })?;
    Ok(rows)
}

/// Active entries `(episode id, day, minutes)` of the given episodes.
pub async fn active_of_episodes(
    tx: &mut Tx,
    episode_ids: &[i64],
) -> Result<Vec<(i64, NaiveDate, i64)>> {
    if episode_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT episode_id, contact_on, minutes FROM contacts \
         WHERE status = 'active' AND episode_id IN ({})",
        crate::id_list(episode_ids)
    ));
    let rows = on_tx!(tx, |conn| sqlx::query_as::<_, (i64, NaiveDate, i64)>(sql)
        .fetch_all(conn)
        .await)?;
    Ok(rows)
}
