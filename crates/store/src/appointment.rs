//! Appointments: planned contacts, and what became of them.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::appointment::{AppointmentStatus, Slot};
use wrapcare_core::contact::ContactKind;

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: i64,
    pub episode_id: i64,
    pub family_id: i64,
    /// The family's surname, for the coordinator's own pages (never the feed).
    pub surname: String,
    pub worker_id: i64,
    pub slot: Slot,
    pub kind: ContactKind,
    pub place: String,
    pub participants: String,
    pub purpose: String,
    pub status: AppointmentStatus,
    pub contact_id: Option<i64>,
    pub not_happened_reason: Option<String>,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    episode_id: i64,
    family_id: i64,
    surname: String,
    worker_id: i64,
    day: NaiveDate,
    starts_minute: i64,
    ends_minute: i64,
    kind: String,
    place: String,
    participants: String,
    purpose: String,
    status: String,
    contact_id: Option<i64>,
    not_happened_reason: Option<String>,
    version: i64,
}

impl TryFrom<Row> for Appointment {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Appointment> {
        let minute =
            |m: i64| u16::try_from(m).map_err(|_| StoreError::Corrupt("appointments.minute"));
        Ok(Appointment {
            slot: Slot {
                on: r.day,
                starts_minute: minute(r.starts_minute)?,
                ends_minute: minute(r.ends_minute)?,
            },
            kind: parse_or_corrupt(ContactKind::parse(&r.kind), "appointments.kind")?,
            status: parse_or_corrupt(AppointmentStatus::parse(&r.status), "appointments.status")?,
            id: r.id,
            episode_id: r.episode_id,
            family_id: r.family_id,
            surname: r.surname,
            worker_id: r.worker_id,
            place: r.place,
            participants: r.participants,
            purpose: r.purpose,
            contact_id: r.contact_id,
            not_happened_reason: r.not_happened_reason,
            version: r.version,
        })
    }
}

const SELECT: &str = "SELECT a.id, a.episode_id, e.family_id, f.surname, a.worker_id, a.day, \
     a.starts_minute, a.ends_minute, a.kind, a.place, a.participants, a.purpose, a.status, \
     a.contact_id, a.not_happened_reason, a.version \
     FROM appointments a JOIN episodes e ON e.id = a.episode_id JOIN families f ON f.id = e.family_id";

pub struct NewAppointment<'a> {
    pub episode_id: i64,
    pub worker_id: i64,
    pub slot: Slot,
    pub kind: ContactKind,
    pub place: &'a str,
    pub participants: &'a str,
    pub purpose: &'a str,
    pub created_by: i64,
}

pub async fn insert(tx: &mut Tx, a: &NewAppointment<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO appointments (episode_id, worker_id, day, starts_minute, ends_minute, kind, place, \
         participants, purpose, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    )
    .bind(a.episode_id)
    .bind(a.worker_id)
    .bind(a.slot.on)
    .bind(i64::from(a.slot.starts_minute))
    .bind(i64::from(a.slot.ends_minute))
    .bind(a.kind.as_str())
    .bind(a.place)
    .bind(a.participants)
    .bind(a.purpose)
    .bind(a.created_by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Appointment>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Appointment::try_from).transpose()
}

/// A coordinator's appointments from `from` to `to` (both included), in
/// time order.
pub async fn of_worker(
    tx: &mut Tx,
    worker_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Appointment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.worker_id = $1 AND a.day >= $2 AND a.day <= $3 \
         ORDER BY a.day, a.starts_minute, a.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(worker_id)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Appointment::try_from).collect()
}

/// A coordinator's appointments before `before` still waiting to be
/// confirmed or called off, oldest first.
pub async fn unsettled_of_worker(
    tx: &mut Tx,
    worker_id: i64,
    before: NaiveDate,
) -> Result<Vec<Appointment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.worker_id = $1 AND a.day < $2 AND a.status = 'planned' \
         ORDER BY a.day, a.starts_minute, a.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(worker_id)
        .bind(before)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Appointment::try_from).collect()
}

/// The appointments of an episode, latest first.
pub async fn of_episode(tx: &mut Tx, episode_id: i64) -> Result<Vec<Appointment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.episode_id = $1 ORDER BY a.day DESC, a.starts_minute DESC, a.id DESC"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(episode_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Appointment::try_from).collect()
}

/// Records that a planned appointment took place as the given contact.
pub async fn confirm(
    tx: &mut Tx,
    id: i64,
    contact_id: i64,
    by: i64,
    now: DateTime<Utc>,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE appointments SET status = 'confirmed', contact_id = $1, settled_by = $2, settled_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5 AND status = 'planned'"
    )
    .bind(contact_id)
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

/// Records that a planned appointment did not happen, and why.
pub async fn not_happened(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE appointments SET status = 'not_happened', not_happened_reason = $1, settled_by = $2, \
         settled_at = $3, version = version + 1 WHERE id = $4 AND version = $5 AND status = 'planned'"
    )
    .bind(reason)
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

/// The calendar feed of a user, by the hash of its secret.
pub async fn feed_owner(tx: &mut Tx, token_hash: &str) -> Result<Option<i64>> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT user_id FROM calendar_feeds WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(id)
}

/// When the user's feed was made, if they have one.
pub async fn feed_of(tx: &mut Tx, user_id: i64) -> Result<Option<DateTime<Utc>>> {
    let at = on_tx!(tx, |c| sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT created_at FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(c)
    .await)?;
    Ok(at)
}

/// Gives the user a (new) feed secret; the old link stops working.
pub async fn renew_feed(
    tx: &mut Tx,
    user_id: i64,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)"
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
