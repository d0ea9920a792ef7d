//! Plan versions (content as a JSON document), goal scores and the life domains.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::plan::{AgreementMethod, PlanContent, PlanStatus};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct Row {
    id: i64,
    episode_id: i64,
    number: i64,
    status: String,
    content: String,
    created_by: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    agreed_by: Option<String>,
    agreed_on: Option<NaiveDate>,
    agreed_how: Option<String>,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub id: i64,
    pub episode_id: i64,
    pub number: u32,
    pub status: PlanStatus,
    pub content: PlanContent,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub agreed_by: Option<String>,
    pub agreed_on: Option<NaiveDate>,
    pub agreed_how: Option<AgreementMethod>,
    pub version: i64,
}

impl TryFrom<Row> for StoredVersion {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<StoredVersion> {
        Ok(StoredVersion {
            status: parse_or_corrupt(PlanStatus::parse(&r.status), "plan_versions.status")?,
            content: serde_json::from_str(&r.content)
                .map_err(|_| StoreError::Corrupt("plan_versions.content"))?,
            agreed_how: match r.agreed_how {
                Some(h) => Some(parse_or_corrupt(
                    AgreementMethod::parse(&h),
                    "plan_versions.agreed_how",
                )?),
                None => None,
            },
            number: u32::try_from(r.number)
                .map_err(|_| StoreError::Corrupt("plan_versions.number"))?,
            id: r.id,
            episode_id: r.episode_id,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            agreed_by: r.agreed_by,
            agreed_on: r.agreed_on,
            version: r.version,
        })
    }
}

pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "v.id"),
    ("episode_id", "v.episode_id"),
    ("number", "v.number"),
    ("status", "v.status"),
    ("content", "v.content"),
    ("created_by", "v.created_by"),
    ("created_at", "v.created_at"),
    ("updated_at", "v.updated_at"),
    ("agreed_by", "v.agreed_by"),
    ("agreed_on", "v.agreed_on"),
    ("agreed_how", "v.agreed_how"),
    ("version", "v.version"),
];

/// The day the episode's (`v.episode_id`) latest agreed version was agreed.
pub(crate) const LAST_AGREED_ON: &str = "(SELECT a.agreed_on FROM plan_versions a \
     WHERE a.episode_id = v.episode_id AND a.status = 'agreed' ORDER BY a.number DESC LIMIT 1)";

static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::json::select_list(FIELDS));

fn json(content: &PlanContent) -> Result<String> {
    serde_json::to_string(content).map_err(|_| StoreError::Corrupt("plan_versions.content"))
}

pub async fn insert_draft(
    tx: &mut Tx,
    episode_id: i64,
    number: u32,
    content: &PlanContent,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    let body = json(content)?;
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO plan_versions (episode_id, number, status, content, created_by, created_at, updated_at) \
         VALUES ($1, $2, 'draft', $3, $4, $5, $5) RETURNING id"
    )
    .bind(episode_id)
    .bind(i64::from(number))
    .bind(&body)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// Saves a draft's content; refused when the version moved on or it is agreed.
pub async fn update_draft(
    tx: &mut Tx,
    id: i64,
    content: &PlanContent,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let body = json(content)?;
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE plan_versions SET content = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND status = 'draft'"
    )
    .bind(&body)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

/// Who agreed, when and how, and who recorded it.
pub struct Agreement<'a> {
    pub agreed_by: &'a str,
    pub agreed_on: NaiveDate,
    pub how: AgreementMethod,
    pub recorded_by: i64,
    /// The goals of the version agreed to; kept beside it so signals judge
    /// each goal's attainment without reading plan documents.
    pub goals: &'a [wrapcare_core::plan::Goal],
}

pub async fn agree(
    tx: &mut Tx,
    id: i64,
    a: &Agreement<'_>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE plan_versions SET status = 'agreed', agreed_by = $1, agreed_on = $2, agreed_how = $3, \
         agreement_recorded_by = $4, updated_at = $5, version = version + 1 \
         WHERE id = $6 AND version = $7 AND status = 'draft'"
    )
    .bind(a.agreed_by)
    .bind(a.agreed_on)
    .bind(a.how.as_str())
    .bind(a.recorded_by)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)?;
    let episode_id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT episode_id FROM plan_versions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    for goal in a.goals {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO plan_goals (plan_version_id, episode_id, goal_key, domain, description, baseline, agreed_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(id)
        .bind(episode_id)
        .bind(&goal.key)
        .bind(&goal.domain)
        .bind(&goal.description)
        .bind(i64::from(goal.baseline))
        .bind(a.agreed_on)
        .execute(c)
        .await
        .map(|_| ())
        })?;
    }
    // A new baseline can change whether the scores so far moved the goal.
    refresh_current_goals(tx, episode_id, None).await
}

/// Every version of an episode's plan, oldest first.
pub async fn versions(tx: &mut Tx, episode_id: i64) -> Result<Vec<StoredVersion>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM plan_versions v WHERE v.episode_id = $1 ORDER BY v.number",
        *COLUMNS
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(episode_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(StoredVersion::try_from).collect()
}

/// Test hook and guard check: tries to change an agreed version's content directly.
pub async fn overwrite_content(tx: &mut Tx, id: i64, content: &PlanContent) -> Result<()> {
    let body = json(content)?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE plan_versions SET content = $1 WHERE id = $2"
    )
    .bind(&body)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct ScoreRow {
    pub goal_key: String,
    pub scored_on: NaiveDate,
    pub level: i64,
}

pub async fn insert_score(
    tx: &mut Tx,
    episode_id: i64,
    goal_key: &str,
    scored_on: NaiveDate,
    level: i8,
    by: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO goal_scores (episode_id, goal_key, scored_on, level, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(episode_id)
    .bind(goal_key)
    .bind(scored_on)
    .bind(i64::from(level))
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    refresh_current_goals(tx, episode_id, Some(goal_key)).await
}

#[derive(sqlx::FromRow)]
struct LatestGoal {
    goal_key: String,
    description: String,
    baseline: i64,
    first_agreed_on: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    goal_key: String,
    scored_on: NaiveDate,
    level: i64,
}

/// Keeps `current_goals` of an episode (all its goals, or the one named) in
/// step with its latest agreed plan and the scores, so the signals read one
/// row per goal instead of every plan version and score. A goal has a handful
/// of scores: recomputing it whole is simpler than an incremental rule that
/// gets back-dated scores right.
async fn refresh_current_goals(tx: &mut Tx, episode_id: i64, only: Option<&str>) -> Result<()> {
    if only.is_none() {
        // Goals the new version dropped are no longer current.
        on_tx!(tx, |c| {
            sqlx::query(
                "DELETE FROM current_goals WHERE episode_id = $1 AND goal_key NOT IN \
                 (SELECT g.goal_key FROM plan_goals g WHERE g.plan_version_id = \
                    (SELECT MAX(v.id) FROM plan_versions v WHERE v.episode_id = $1 AND v.status = 'agreed'))",
            )
            .bind(episode_id)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    let goals = on_tx!(tx, |c| {
        sqlx::query_as::<_, LatestGoal>(
            "SELECT g.goal_key, g.description, g.baseline, \
               (SELECT MIN(f.agreed_on) FROM plan_goals f \
                WHERE f.episode_id = g.episode_id AND f.goal_key = g.goal_key) AS first_agreed_on \
             FROM plan_goals g WHERE g.plan_version_id = \
               (SELECT MAX(v.id) FROM plan_versions v WHERE v.episode_id = $1 AND v.status = 'agreed') \
             AND ($2 IS NULL OR g.goal_key = $2)",
        )
        .bind(episode_id)
        .bind(only)
        .fetch_all(c)
        .await
    })?;
    if goals.is_empty() {
        return Ok(());
    }
    let scores = on_tx!(tx, |c| {
        sqlx::query_as::<_, LevelRow>(
            "SELECT goal_key, scored_on, level FROM goal_scores \
             WHERE episode_id = $1 AND ($2 IS NULL OR goal_key = $2) ORDER BY goal_key, scored_on, id",
        )
        .bind(episode_id)
        .bind(only)
        .fetch_all(c)
        .await
    })?;
    for goal in goals {
        let levels = scores
            .iter()
            .filter(|s| s.goal_key == goal.goal_key)
            .map(|s| (s.scored_on, level_of(s.level)));
        let changed = wrapcare_core::plan::level_last_changed(level_of(goal.baseline), levels);
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO current_goals \
                   (episode_id, goal_key, description, first_agreed_on, level_changed_on) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (episode_id, goal_key) DO UPDATE SET \
                   description = excluded.description, first_agreed_on = excluded.first_agreed_on, \
                   level_changed_on = excluded.level_changed_on",
            )
            .bind(episode_id)
            .bind(&goal.goal_key)
            .bind(&goal.description)
            .bind(goal.first_agreed_on)
            .bind(changed)
            .execute(c)
            .await
            .map(|_| ())
        })?;
    }
    Ok(())
}

/// Levels are checked on the way in (-2..=2); clamp rather than trust.
fn level_of(stored: i64) -> i8 {
    i8::try_from(stored.clamp(-2, 2)).unwrap_or(0)
}

pub async fn scores(tx: &mut Tx, episode_id: i64) -> Result<Vec<ScoreRow>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, ScoreRow>(
        "SELECT goal_key, scored_on, level FROM goal_scores WHERE episode_id = $1 ORDER BY scored_on, id"
    )
    .bind(episode_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LifeDomain {
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
}

pub async fn life_domains(tx: &mut Tx) -> Result<Vec<LifeDomain>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, LifeDomain>(
        "SELECT code, name_nl, name_en FROM life_domains ORDER BY position"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Each goal's latest score on or before a day (the later entry of a day
/// wins): the scores `s` reached through `join` that meet `condition`, on
/// `on` (a placeholder).
pub(crate) fn latest_scores_from(join: &str, condition: &str, on: &str) -> String {
    format!(
        "FROM goal_scores s {join} WHERE {condition} AND s.scored_on <= {on} \
         AND NOT EXISTS (SELECT 1 FROM goal_scores t WHERE t.episode_id = s.episode_id \
         AND t.goal_key = s.goal_key AND t.scored_on <= {on} \
         AND (t.scored_on > s.scored_on OR (t.scored_on = s.scored_on AND t.id > s.id)))"
    )
}
