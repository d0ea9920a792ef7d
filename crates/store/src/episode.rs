//! Episodes, their phase history and coordinator assignments.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::episode::{ClosureReason, EpisodeState, Phase};
use wrapcare_core::referral::Urgency;

use crate::{Dialect, Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct Row {
    id: i64,
    family_id: i64,
    referral_id: i64,
    team_id: i64,
    programme_id: i64,
    state: String,
    urgency: String,
    accepted_on: NaiveDate,
    reference_date: NaiveDate,
    started_on: Option<NaiveDate>,
    waiting_days: Option<i64>,
    phase: Option<i64>,
    phase_since: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    closure_reason: Option<String>,
    withdrawn_on: Option<NaiveDate>,
    withdrawal_reason: Option<String>,
    coordinator_id: Option<i64>,
    coordinator_name: Option<String>,
    coordinator_user_id: Option<i64>,
    assigned_since: Option<NaiveDate>,
    #[serde(deserialize_with = "crate::json::flag")]
    from_indication: bool,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct Episode {
    pub id: i64,
    pub family_id: i64,
    pub referral_id: i64,
    pub team_id: i64,
    pub programme_id: i64,
    pub state: EpisodeState,
    pub urgency: Urgency,
    pub accepted_on: NaiveDate,
    pub reference_date: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub waiting_days: Option<i64>,
    pub phase: Option<Phase>,
    pub phase_since: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    /// The worker currently assigned (open-ended assignment), if any.
    pub coordinator_id: Option<i64>,
    pub coordinator_name: Option<String>,
    pub coordinator_user_id: Option<i64>,
    pub assigned_since: Option<NaiveDate>,
    /// Whether the referral brought an indication (the wait counts from it)
    /// rather than only a registration.
    pub from_indication: bool,
    pub version: i64,
}

impl TryFrom<Row> for Episode {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Episode> {
        Ok(Episode {
            state: parse_or_corrupt(EpisodeState::parse(&r.state), "episodes.state")?,
            urgency: parse_or_corrupt(Urgency::parse(&r.urgency), "episodes.urgency")?,
            phase: match r.phase {
                Some(n) => Some(parse_or_corrupt(Phase::from_number(n), "episodes.phase")?),
                None => None,
            },
            closure_reason: match r.closure_reason {
                Some(s) => Some(parse_or_corrupt(
                    ClosureReason::parse(&s),
                    "episodes.closure_reason",
                )?),
                None => None,
            },
            id: r.id,
            family_id: r.family_id,
            referral_id: r.referral_id,
            team_id: r.team_id,
            programme_id: r.programme_id,
            accepted_on: r.accepted_on,
            reference_date: r.reference_date,
            started_on: r.started_on,
            waiting_days: r.waiting_days,
            phase_since: r.phase_since,
            closed_on: r.closed_on,
            withdrawn_on: r.withdrawn_on,
            withdrawal_reason: r.withdrawal_reason,
            coordinator_id: r.coordinator_id,
            coordinator_name: r.coordinator_name,
            coordinator_user_id: r.coordinator_user_id,
            assigned_since: r.assigned_since,
            from_indication: r.from_indication,
            version: r.version,
        })
    }
}

impl Episode {
    pub fn facts(&self) -> wrapcare_core::episode::EpisodeFacts {
        wrapcare_core::episode::EpisodeFacts {
            state: self.state,
            accepted_on: self.accepted_on,
            started_on: self.started_on,
            phase: self.phase,
            phase_since: self.phase_since,
            assigned_since: self.assigned_since,
        }
    }
}

/// An episode's fields, for its queries and for one-statement reads (`crate::json`).
pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "e.id"),
    ("family_id", "e.family_id"),
    ("referral_id", "e.referral_id"),
    ("team_id", "e.team_id"),
    ("programme_id", "e.programme_id"),
    ("state", "e.state"),
    ("urgency", "e.urgency"),
    ("accepted_on", "e.accepted_on"),
    ("reference_date", "e.reference_date"),
    ("started_on", "e.started_on"),
    ("waiting_days", "e.waiting_days"),
    ("phase", "e.phase"),
    (
        "phase_since",
        "(SELECT MAX(pc.starts_on) FROM phase_changes pc WHERE pc.episode_id = e.id)",
    ),
    ("closed_on", "e.closed_on"),
    ("closure_reason", "e.closure_reason"),
    ("withdrawn_on", "e.withdrawn_on"),
    ("withdrawal_reason", "e.withdrawal_reason"),
    ("coordinator_id", "a.worker_id"),
    ("coordinator_name", "w.name"),
    ("coordinator_user_id", "w.user_id"),
    ("assigned_since", "a.starts_on"),
    (
        "from_indication",
        "EXISTS (SELECT 1 FROM indications i WHERE i.referral_id = e.referral_id)",
    ),
    ("version", "e.version"),
];

/// The tables behind [`FIELDS`]: the episode with its open assignment.
pub(crate) const FROM: &str = "FROM episodes e \
     LEFT JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL \
     LEFT JOIN workers w ON w.id = a.worker_id";

fn select() -> &'static str {
    static SELECT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {} {FROM}", crate::json::select_list(FIELDS)));
    &SELECT
}

pub struct NewEpisode {
    pub family_id: i64,
    pub referral_id: i64,
    pub team_id: i64,
    pub programme_id: i64,
    pub urgency: Urgency,
    pub accepted_on: NaiveDate,
    pub reference_date: NaiveDate,
}

pub async fn insert(tx: &mut Tx, e: &NewEpisode, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO episodes (family_id, referral_id, team_id, programme_id, state, urgency, accepted_on, \
         reference_date, created_at) VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $8) RETURNING id"
    )
    .bind(e.family_id)
    .bind(e.referral_id)
    .bind(e.team_id)
    .bind(e.programme_id)
    .bind(e.urgency.as_str())
    .bind(e.accepted_on)
    .bind(e.reference_date)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Episode>> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE e.id = $1", select()));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Episode::try_from).transpose()
}

/// Locks the episode row on PostgreSQL so two steps on it cannot interleave.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT id FROM episodes WHERE id = $1 FOR UPDATE"
        )
        .bind(id)
        .fetch_optional(c)
        .await)?;
    }
    Ok(())
}

/// All episodes of a family, newest first: the current one, then history.
pub async fn of_family(tx: &mut Tx, family_id: i64) -> Result<Vec<Episode>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE e.family_id = $1 ORDER BY e.accepted_on DESC, e.id DESC",
        select()
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(family_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Episode::try_from).collect()
}

pub async fn open_of_family(tx: &mut Tx, family_id: i64) -> Result<Option<Episode>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE e.family_id = $1 AND e.state IN ('waiting', 'assigned', 'in_care')",
        select()
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(family_id)
        .fetch_optional(c)
        .await)?;
    row.map(Episode::try_from).transpose()
}

/// Moves an episode to a new state with the columns that step sets; the
/// version guard refuses a stale change.
pub struct StateChange {
    pub state: EpisodeState,
    pub started_on: Option<NaiveDate>,
    pub waiting_days: Option<i64>,
    pub phase: Option<Phase>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<ClosureReason>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
}

impl StateChange {
    /// The change that keeps everything of `episode` but what the caller overrides.
    pub fn from(episode: &Episode) -> StateChange {
        StateChange {
            state: episode.state,
            started_on: episode.started_on,
            waiting_days: episode.waiting_days,
            phase: episode.phase,
            closed_on: episode.closed_on,
            closure_reason: episode.closure_reason,
            withdrawn_on: episode.withdrawn_on,
            withdrawal_reason: episode.withdrawal_reason.clone(),
        }
    }
}

pub async fn update(tx: &mut Tx, id: i64, change: &StateChange, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE episodes SET state = $1, started_on = $2, waiting_days = $3, phase = $4, closed_on = $5, \
         closure_reason = $6, withdrawn_on = $7, withdrawal_reason = $8, version = version + 1 \
         WHERE id = $9 AND version = $10"
    )
    .bind(change.state.as_str())
    .bind(change.started_on)
    .bind(change.waiting_days)
    .bind(change.phase.map(|p| i64::from(p.number())))
    .bind(change.closed_on)
    .bind(change.closure_reason.map(ClosureReason::as_str))
    .bind(change.withdrawn_on)
    .bind(&change.withdrawal_reason)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

pub async fn insert_phase_change(
    tx: &mut Tx,
    episode_id: i64,
    phase: Phase,
    starts_on: NaiveDate,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO phase_changes (episode_id, phase, starts_on, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(episode_id)
    .bind(i64::from(phase.number()))
    .bind(starts_on)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct PhaseChange {
    pub phase: i64,
    pub starts_on: NaiveDate,
}

/// The phase changes and coordinator assignments of a family's episodes.
#[derive(Debug, Clone, Default)]
pub struct Histories {
    pub phases: std::collections::HashMap<i64, Vec<PhaseChange>>,
    pub assignments: std::collections::HashMap<i64, Vec<Assignment>>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Assignment {
    pub id: i64,
    pub worker_id: i64,
    pub worker_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub override_reason: Option<String>,
}

pub async fn assignments(tx: &mut Tx, episode_id: i64) -> Result<Vec<Assignment>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Assignment>(
        "SELECT a.id, a.worker_id, w.name AS worker_name, a.starts_on, a.ends_on, a.override_reason \
         FROM assignments a JOIN workers w ON w.id = a.worker_id WHERE a.episode_id = $1 ORDER BY a.starts_on, a.id"
    )
    .bind(episode_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

/// Ends the open assignment of an episode on `on` (a handover day).
pub async fn end_assignment(tx: &mut Tx, episode_id: i64, on: NaiveDate) -> Result<u64> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE assignments SET ends_on = $1 WHERE episode_id = $2 AND ends_on IS NULL"
    )
    .bind(on)
    .bind(episode_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

pub struct NewAssignment<'a> {
    pub episode_id: i64,
    pub worker_id: i64,
    pub starts_on: NaiveDate,
    pub override_reason: Option<&'a str>,
    pub assigned_by: i64,
}

pub async fn insert_assignment(
    tx: &mut Tx,
    a: &NewAssignment<'_>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO assignments (episode_id, worker_id, starts_on, override_reason, assigned_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(a.episode_id)
    .bind(a.worker_id)
    .bind(a.starts_on)
    .bind(a.override_reason)
    .bind(a.assigned_by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// One line of a list of families: the family with its open (or latest) episode.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedRow {
    pub family_id: i64,
    pub surname: String,
    pub city: Option<String>,
    pub episode_id: i64,
    pub state: String,
    pub urgency: String,
    pub programme_id: i64,
    pub team_id: i64,
    pub accepted_on: NaiveDate,
    pub reference_date: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub phase: Option<i64>,
    pub coordinator_id: Option<i64>,
    pub coordinator_name: Option<String>,
    pub indication_ends_on: Option<NaiveDate>,
    /// The date the latest agreed plan version was agreed, if any.
    pub plan_agreed_on: Option<NaiveDate>,
    pub plan_first_weeks: i64,
    pub plan_review_weeks: i64,
}

const LISTED_COLUMNS: &str = "SELECT f.id AS family_id, f.surname, f.city, e.id AS episode_id, e.state, e.urgency, \
     e.programme_id, e.team_id, e.accepted_on, e.reference_date, e.started_on, e.phase, \
     a.worker_id AS coordinator_id, w.name AS coordinator_name, \
     (SELECT MIN(i.ends_on) FROM indications i JOIN memberships m ON m.person_id = i.person_id \
       WHERE m.family_id = f.id AND m.ends_on IS NULL AND i.ends_on >= $1) AS indication_ends_on, \
     (SELECT MAX(pv.agreed_on) FROM plan_versions pv WHERE pv.episode_id = e.id AND pv.status = 'agreed') AS plan_agreed_on, \
     pr.plan_first_weeks, pr.plan_review_weeks";
const LISTED_FROM: &str = "FROM episodes e JOIN families f ON f.id = e.family_id \
     JOIN programmes pr ON pr.id = e.programme_id \
     LEFT JOIN assignments a ON a.episode_id = e.id AND a.ends_on IS NULL \
     LEFT JOIN workers w ON w.id = a.worker_id";

/// The team's waiting list, unordered (the domain orders it by urgency and
/// time waited), each line with the team's norm for the start of help in
/// weeks. One statement: it may run on [`crate::Store::single_read`].
pub async fn waiting_list(
    tx: &mut Tx,
    team_id: i64,
    today: NaiveDate,
) -> Result<Vec<(ListedRow, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Waiting {
        #[sqlx(flatten)]
        line: ListedRow,
        team_start_within_weeks: i64,
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "{LISTED_COLUMNS}, (SELECT g.start_within_weeks FROM teams t \
         JOIN programmes g ON g.id = t.programme_id WHERE t.id = $2) AS team_start_within_weeks \
         {LISTED_FROM} WHERE e.team_id = $2 AND e.state = 'waiting'"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Waiting>(sql)
        .bind(today)
        .bind(team_id)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.line, r.team_start_within_weeks))
        .collect())
}

/// Open episodes currently assigned to a worker.
pub async fn of_coordinator(
    tx: &mut Tx,
    worker_id: i64,
    today: NaiveDate,
) -> Result<Vec<ListedRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{LISTED_COLUMNS} {LISTED_FROM} WHERE a.worker_id = $2 AND e.state IN ('assigned', 'in_care') ORDER BY f.surname, f.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ListedRow>(sql)
        .bind(today)
        .bind(worker_id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Families of a team (the team's latest episode of each) whose surname, city
/// or member names contain the query; an empty query lists the open ones.
pub async fn search(
    tx: &mut Tx,
    team_id: i64,
    query: &str,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<ListedRow>> {
    let pattern = format!("%{}%", query.trim().to_lowercase().replace(['%', '_'], ""));
    let sql = sqlx::AssertSqlSafe(format!(
        "{LISTED_COLUMNS} {LISTED_FROM} WHERE e.team_id = $2 \
           AND e.id = (SELECT MAX(e2.id) FROM episodes e2 WHERE e2.family_id = f.id AND e2.team_id = $2) \
           AND (($3 = '%%' AND e.state IN ('waiting', 'assigned', 'in_care')) \
                OR ($3 <> '%%' AND (LOWER(f.surname) LIKE $3 OR LOWER(COALESCE(f.city, '')) LIKE $3 \
                    OR EXISTS (SELECT 1 FROM memberships m JOIN persons p ON p.id = m.person_id \
                               WHERE m.family_id = f.id AND (LOWER(p.given_name) LIKE $3 OR LOWER(p.family_name) LIKE $3))))) \
         ORDER BY f.surname, f.id LIMIT $4"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ListedRow>(sql)
        .bind(today)
        .bind(team_id)
        .bind(&pattern)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Families with an episode of the programme in care (assigned, in care or
/// closed later) on at least one day of `[from, to]`.
pub async fn families_in_care(
    tx: &mut Tx,
    programme_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64> {
    let count = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COUNT(DISTINCT family_id) AS BIGINT) FROM episodes \
         WHERE programme_id = $1 AND state IN ('assigned', 'in_care', 'closed') \
         AND accepted_on <= $3 AND (closed_on IS NULL OR closed_on >= $2)"
    )
    .bind(programme_id)
    .bind(from)
    .bind(to)
    .fetch_one(c)
    .await)?;
    Ok(count)
}
