//! Questionnaires: programmes' schedules, the measurements taken with their
//! scores, and the one-time links parents answer through.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::questionnaire::schedule::Measured;
use wrapcare_core::questionnaire::{Occasion, Planned, Respondent, Score, When};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

fn respondent(value: &str) -> Result<Respondent> {
    parse_or_corrupt(Respondent::parse(value), "questionnaire.respondent")
}

fn occasion(kind: &str, number: i64) -> Result<Occasion> {
    parse_or_corrupt(Occasion::from_parts(kind, number), "questionnaire.occasion")
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    programme_id: i64,
    instrument: String,
    respondent: String,
    moment: String,
    every_weeks: Option<i64>,
}

impl ScheduleRow {
    fn planned(self) -> Result<(i64, Planned)> {
        let when = match (self.moment.as_str(), self.every_weeks) {
            ("start", _) => When::Start,
            ("closure", _) => When::Closure,
            ("every", Some(weeks)) => When::Every {
                weeks: u32::try_from(weeks)
                    .map_err(|_| StoreError::Corrupt("questionnaire_schedules.every_weeks"))?,
            },
            _ => return Err(StoreError::Corrupt("questionnaire_schedules.moment")),
        };
        Ok((
            self.programme_id,
            Planned {
                instrument: self.instrument,
                respondent: respondent(&self.respondent)?,
                when,
            },
        ))
    }
}

const SCHEDULE: &str = "SELECT programme_id, instrument, respondent, moment, every_weeks \
     FROM questionnaire_schedules";

/// A programme's schedule, in its order.
pub async fn schedule_of(tx: &mut Tx, programme_id: i64) -> Result<Vec<Planned>> {
    let sql = sqlx::AssertSqlSafe(format!("{SCHEDULE} WHERE programme_id = $1 ORDER BY line"));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ScheduleRow>(sql)
        .bind(programme_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|r| r.planned().map(|(_, p)| p))
        .collect()
}

/// Every programme's schedule, by programme.
pub async fn schedules(tx: &mut Tx) -> Result<HashMap<i64, Vec<Planned>>> {
    let sql = sqlx::AssertSqlSafe(format!("{SCHEDULE} ORDER BY programme_id, line"));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ScheduleRow>(sql)
        .fetch_all(c)
        .await)?;
    let mut by_programme: HashMap<i64, Vec<Planned>> = HashMap::new();
    for row in rows {
        let (programme_id, planned) = row.planned()?;
        by_programme.entry(programme_id).or_default().push(planned);
    }
    Ok(by_programme)
}

/// Replaces a programme's schedule.
pub async fn set_schedule(tx: &mut Tx, programme_id: i64, schedule: &[Planned]) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM questionnaire_schedules WHERE programme_id = $1"
    )
    .bind(programme_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for (line, planned) in schedule.iter().enumerate() {
        let (moment, weeks) = match planned.when {
            When::Start => ("start", None),
            When::Every { weeks } => ("every", Some(i64::from(weeks))),
            When::Closure => ("closure", None),
        };
        let line = i64::try_from(line).unwrap_or(i64::MAX);
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO questionnaire_schedules (programme_id, line, instrument, respondent, moment, every_weeks) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(programme_id)
        .bind(line)
        .bind(&planned.instrument)
        .bind(planned.respondent.as_str())
        .bind(moment)
        .bind(weeks)
        .execute(c)
        .await
        .map(|_| ())
        })?;
    }
    Ok(())
}

/// Days after its date that a programme counts a measurement overdue.
pub async fn grace_days(tx: &mut Tx) -> Result<HashMap<i64, u32>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT id, measurement_grace_days FROM programmes"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, days)| (id, u32::try_from(days).unwrap_or(0)))
        .collect())
}

/// A measurement to store, with the scores its answers made.
pub struct NewMeasurement<'a> {
    pub episode_id: i64,
    pub instrument: &'a str,
    pub instrument_version: u32,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub taken_on: NaiveDate,
    /// The answers as a JSON object, item id → value or text.
    pub answers: &'a str,
    /// Who entered it; `None` when it came through `link_id`.
    pub recorded_by: Option<i64>,
    pub link_id: Option<i64>,
    pub scores: &'a [Score],
}

/// Stores a measurement. A second one for the same moment, instrument and
/// respondent (or the same link) is refused as `Conflict("unique")`.
pub async fn insert_measurement(
    tx: &mut Tx,
    m: &NewMeasurement<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (kind, number) = m.occasion.parts();
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO measurements (episode_id, instrument, instrument_version, respondent, occasion, \
         occasion_number, taken_on, answers, recorded_by, link_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    )
    .bind(m.episode_id)
    .bind(m.instrument)
    .bind(i64::from(m.instrument_version))
    .bind(m.respondent.as_str())
    .bind(kind)
    .bind(i64::from(number))
    .bind(m.taken_on)
    .bind(m.answers)
    .bind(m.recorded_by)
    .bind(m.link_id)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    for score in m.scores {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO measurement_scores (measurement_id, subscale, value, answered, items) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(id)
        .bind(&score.subscale)
        .bind(score.value)
        .bind(i64::try_from(score.answered).unwrap_or(i64::MAX))
        .bind(i64::try_from(score.items).unwrap_or(i64::MAX))
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(id)
}

/// A subscale's score as stored with its measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredScore {
    pub subscale: String,
    pub value: Option<f64>,
    pub answered: i64,
    pub items: i64,
}

#[derive(Debug, Clone)]
pub struct Measurement {
    pub id: i64,
    pub episode_id: i64,
    pub instrument: String,
    pub instrument_version: u32,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub taken_on: NaiveDate,
    /// The answers as stored: a JSON object.
    pub answers: String,
    pub recorded_by: Option<i64>,
    pub via_link: bool,
    pub scores: Vec<StoredScore>,
}

#[derive(sqlx::FromRow)]
struct MeasurementRow {
    id: i64,
    episode_id: i64,
    instrument: String,
    instrument_version: i64,
    respondent: String,
    occasion: String,
    occasion_number: i64,
    taken_on: NaiveDate,
    answers: String,
    recorded_by: Option<i64>,
    link_id: Option<i64>,
}

/// A family's measurements over all its episodes, oldest first, with their scores.
pub async fn measurements_of_family(tx: &mut Tx, family_id: i64) -> Result<Vec<Measurement>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, MeasurementRow>(
        "SELECT m.id, m.episode_id, m.instrument, m.instrument_version, m.respondent, m.occasion, \
           m.occasion_number, m.taken_on, m.answers, m.recorded_by, m.link_id \
         FROM measurements m JOIN episodes e ON e.id = m.episode_id \
         WHERE e.family_id = $1 ORDER BY m.taken_on, m.id"
    )
    .bind(family_id)
    .fetch_all(c)
    .await
    })?;
    let scores = on_tx!(tx, |c| sqlx::query_as::<
        _,
        (i64, String, Option<f64>, i64, i64),
    >(
        "SELECT s.measurement_id, s.subscale, s.value, s.answered, s.items \
         FROM measurement_scores s JOIN measurements m ON m.id = s.measurement_id \
         JOIN episodes e ON e.id = m.episode_id WHERE e.family_id = $1"
    )
    .bind(family_id)
    .fetch_all(c)
    .await)?;
    let mut by_measurement: HashMap<i64, Vec<StoredScore>> = HashMap::new();
    for (id, subscale, value, answered, items) in scores {
        by_measurement.entry(id).or_default().push(StoredScore {
            subscale,
            value,
            answered,
            items,
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Measurement {
                scores: by_measurement.remove(&r.id).unwrap_or_default(),
                respondent: respondent(&r.respondent)?,
                occasion: occasion(&r.occasion, r.occasion_number)?,
                instrument_version: u32::try_from(r.instrument_version)
                    .map_err(|_| StoreError::Corrupt("measurements.instrument_version"))?,
                id: r.id,
                episode_id: r.episode_id,
                instrument: r.instrument,
                taken_on: r.taken_on,
                answers: r.answers,
                recorded_by: r.recorded_by,
                via_link: r.link_id.is_some(),
            })
        })
        .collect()
}

/// The questionnaires an episode took, from the list kept in
/// `episode_totals.measured` ("instrument/respondent/occasion/n", joined by
/// commas; see migration 0017).
pub(crate) fn measured_list(kept: Option<&str>) -> Result<Vec<Measured>> {
    let Some(kept) = kept.filter(|k| !k.is_empty()) else {
        return Ok(Vec::new());
    };
    kept.split(',')
        .map(|one| {
            let mut parts = one.splitn(4, '/');
            let (Some(instrument), Some(r), Some(kind), Some(number)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(StoreError::Corrupt("episode_totals.measured"));
            };
            let number = number
                .parse::<i64>()
                .map_err(|_| StoreError::Corrupt("episode_totals.measured"))?;
            Ok(Measured {
                instrument: instrument.to_string(),
                respondent: respondent(r)?,
                occasion: occasion(kind, number)?,
            })
        })
        .collect()
}

/// A one-time link to make.
pub struct NewLink<'a> {
    pub episode_id: i64,
    pub instrument: &'a str,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub token_hash: &'a str,
    pub lang: &'a str,
    pub created_by: i64,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_link(tx: &mut Tx, l: &NewLink<'_>, now: DateTime<Utc>) -> Result<i64> {
    let (kind, number) = l.occasion.parts();
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO questionnaire_links (episode_id, instrument, respondent, occasion, occasion_number, \
         token_hash, lang, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(l.episode_id)
    .bind(l.instrument)
    .bind(l.respondent.as_str())
    .bind(kind)
    .bind(i64::from(number))
    .bind(l.token_hash)
    .bind(l.lang)
    .bind(l.created_by)
    .bind(now)
    .bind(l.expires_at)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Link {
    pub id: i64,
    pub episode_id: i64,
    pub family_id: i64,
    pub instrument: String,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    episode_id: i64,
    family_id: i64,
    instrument: String,
    respondent: String,
    occasion: String,
    occasion_number: i64,
    lang: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
}

impl TryFrom<LinkRow> for Link {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> Result<Link> {
        Ok(Link {
            respondent: respondent(&r.respondent)?,
            occasion: occasion(&r.occasion, r.occasion_number)?,
            id: r.id,
            episode_id: r.episode_id,
            family_id: r.family_id,
            instrument: r.instrument,
            lang: r.lang,
            created_at: r.created_at,
            expires_at: r.expires_at,
            used_at: r.used_at,
            withdrawn_at: r.withdrawn_at,
        })
    }
}

const LINK: &str = "SELECT l.id, l.episode_id, e.family_id, l.instrument, l.respondent, l.occasion, \
     l.occasion_number, l.lang, l.created_at, l.expires_at, l.used_at, l.withdrawn_at \
     FROM questionnaire_links l JOIN episodes e ON e.id = l.episode_id";

/// The link whose secret hashes to `token_hash`.
pub async fn link_by_hash(tx: &mut Tx, token_hash: &str) -> Result<Option<Link>> {
    let sql = sqlx::AssertSqlSafe(format!("{LINK} WHERE l.token_hash = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, LinkRow>(sql)
        .bind(token_hash)
        .fetch_optional(c)
        .await)?;
    row.map(Link::try_from).transpose()
}

/// A family's links, newest first.
pub async fn links_of_family(tx: &mut Tx, family_id: i64) -> Result<Vec<Link>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LINK} WHERE e.family_id = $1 ORDER BY l.created_at DESC, l.id DESC"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, LinkRow>(sql)
        .bind(family_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Link::try_from).collect()
}

pub async fn link(tx: &mut Tx, id: i64) -> Result<Option<Link>> {
    let sql = sqlx::AssertSqlSafe(format!("{LINK} WHERE l.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, LinkRow>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Link::try_from).transpose()
}

/// Marks a link used, once: a link already used, withdrawn or expired is
/// `Stale` and nothing changes.
pub async fn use_link(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE questionnaire_links SET used_at = $1 \
         WHERE id = $2 AND used_at IS NULL AND withdrawn_at IS NULL AND expires_at > $1"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

/// Withdraws a link that was not used yet.
pub async fn withdraw_link(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE questionnaire_links SET withdrawn_at = $1 \
         WHERE id = $2 AND used_at IS NULL AND withdrawn_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}
