//! Referrals: the fixed intake record, and its screening.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::referral::{Member, NewReferral, ReferralSource, ReferralStatus, Urgency};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: i64,
    programme_id: i64,
    programme_name: String,
    source: String,
    referrer_name: String,
    referrer_contact: String,
    received_on: NaiveDate,
    urgency: String,
    reason: String,
    home_language: Option<String>,
    address: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
    phone: Option<String>,
    submitted_persons: String,
    reference_date: NaiveDate,
    submitted_by: i64,
    submitted_at: DateTime<Utc>,
    status: String,
    decline_reason: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    family_id: Option<i64>,
    episode_id: Option<i64>,
    episode_state: Option<String>,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct Referral {
    pub id: i64,
    pub programme_id: i64,
    pub programme_name: String,
    pub source: ReferralSource,
    pub referrer_name: String,
    pub referrer_contact: String,
    pub received_on: NaiveDate,
    pub urgency: Urgency,
    pub reason: String,
    pub home_language: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub members: Vec<Member>,
    pub reference_date: NaiveDate,
    pub submitted_by: i64,
    pub submitted_at: DateTime<Utc>,
    pub status: ReferralStatus,
    pub decline_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub episode_state: Option<EpisodeState>,
    pub version: i64,
}

impl TryFrom<Row> for Referral {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Referral> {
        let members: Vec<Member> = serde_json::from_str(&r.submitted_persons)
            .map_err(|_| StoreError::Corrupt("referrals.submitted_persons"))?;
        Ok(Referral {
            source: parse_or_corrupt(ReferralSource::parse(&r.source), "referrals.source")?,
            urgency: parse_or_corrupt(Urgency::parse(&r.urgency), "referrals.urgency")?,
            status: parse_or_corrupt(ReferralStatus::parse(&r.status), "referrals.status")?,
            episode_state: match r.episode_state {
                Some(s) => Some(parse_or_corrupt(EpisodeState::parse(&s), "episodes.state")?),
                None => None,
            },
            id: r.id,
            programme_id: r.programme_id,
            programme_name: r.programme_name,
            referrer_name: r.referrer_name,
            referrer_contact: r.referrer_contact,
            received_on: r.received_on,
            reason: r.reason,
            home_language: r.home_language,
            address: r.address,
            postcode: r.postcode,
            city: r.city,
            phone: r.phone,
            members,
            reference_date: r.reference_date,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            decline_reason: r.decline_reason,
            decided_at: r.decided_at,
            family_id: r.family_id,
            episode_id: r.episode_id,
            version: r.version,
        })
    }
}

const SELECT: &str = "SELECT r.id, r.programme_id, p.name AS programme_name, r.source, r.referrer_name, \
     r.referrer_contact, r.received_on, r.urgency, r.reason, r.home_language, r.address, r.postcode, \
     r.city, r.phone, r.submitted_persons, r.reference_date, r.submitted_by, r.submitted_at, r.status, \
     r.decline_reason, r.decided_at, r.family_id, e.id AS episode_id, e.state AS episode_state, r.version \
     FROM referrals r JOIN programmes p ON p.id = r.programme_id \
     LEFT JOIN episodes e ON e.referral_id = r.id";

pub async fn insert(
    tx: &mut Tx,
    r: &NewReferral,
    submitted_by: i64,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let persons = serde_json::to_string(&r.members)
        .map_err(|_| StoreError::Corrupt("referrals.submitted_persons"))?;
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO referrals (programme_id, source, referrer_name, referrer_contact, received_on, urgency, \
         reason, home_language, address, postcode, city, phone, submitted_persons, reference_date, \
         submitted_by, submitted_at, idempotency_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id"
    )
    .bind(r.programme_id)
    .bind(r.source.as_str())
    .bind(&r.referrer_name)
    .bind(&r.referrer_contact)
    .bind(r.received_on)
    .bind(r.urgency.as_str())
    .bind(&r.reason)
    .bind(&r.home_language)
    .bind(&r.address)
    .bind(&r.postcode)
    .bind(&r.city)
    .bind(&r.phone)
    .bind(&persons)
    .bind(r.reference_date())
    .bind(submitted_by)
    .bind(now)
    .bind(idempotency_key)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Referral>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Referral::try_from).transpose()
}

pub async fn by_idempotency_key(tx: &mut Tx, user_id: i64, key: &str) -> Result<Option<Referral>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.submitted_by = $1 AND r.idempotency_key = $2"
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(user_id)
        .bind(key)
        .fetch_optional(c)
        .await)?;
    row.map(Referral::try_from).transpose()
}

/// Referrals one intake user submitted, newest first.
pub async fn submitted_by(tx: &mut Tx, user_id: i64) -> Result<Vec<Referral>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.submitted_by = $1 ORDER BY r.submitted_at DESC, r.id DESC"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(user_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Referral::try_from).collect()
}

/// Referrals waiting to be screened for a programme, oldest first.
pub async fn to_screen(tx: &mut Tx, programme_id: i64) -> Result<Vec<Referral>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.status = 'submitted' AND r.programme_id = $1 ORDER BY r.received_on, r.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(programme_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Referral::try_from).collect()
}

pub async fn accept(
    tx: &mut Tx,
    id: i64,
    family_id: i64,
    by: i64,
    now: DateTime<Utc>,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE referrals SET status = 'accepted', family_id = $1, decided_by = $2, decided_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5 AND status = 'submitted'"
    )
    .bind(family_id)
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

pub async fn decline(
    tx: &mut Tx,
    id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE referrals SET status = 'declined', decline_reason = $1, decided_by = $2, decided_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5 AND status = 'submitted'"
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
