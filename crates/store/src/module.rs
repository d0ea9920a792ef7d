//! Service modules of providers, their dated tariffs, the referrals of a
//! family's children to them and the units delivered.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::module::{EndReason, ModuleType, ModuleUnit, ReferralState, Tariff};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

#[derive(Debug, Clone, sqlx::FromRow)]
struct ModuleRow {
    id: i64,
    organisation_id: i64,
    organisation_name: String,
    name: String,
    code: String,
    module_type: String,
    unit: String,
    places: Option<i64>,
    active: bool,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct Module {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub name: String,
    /// How the provider's own system names the module in imports.
    pub code: String,
    pub module_type: ModuleType,
    pub unit: ModuleUnit,
    pub places: Option<i64>,
    pub active: bool,
    pub version: i64,
}

impl TryFrom<ModuleRow> for Module {
    type Error = StoreError;
    fn try_from(r: ModuleRow) -> Result<Module> {
        Ok(Module {
            module_type: parse_or_corrupt(ModuleType::parse(&r.module_type), "modules.type")?,
            unit: parse_or_corrupt(ModuleUnit::parse(&r.unit), "modules.unit")?,
            id: r.id,
            organisation_id: r.organisation_id,
            organisation_name: r.organisation_name,
            name: r.name,
            code: r.code,
            places: r.places,
            active: r.active,
            version: r.version,
        })
    }
}

pub struct NewModule<'a> {
    pub organisation_id: i64,
    pub name: &'a str,
    pub code: &'a str,
    pub module_type: ModuleType,
    pub unit: ModuleUnit,
    pub places: Option<i64>,
    pub active: bool,
}

pub async fn insert(tx: &mut Tx, m: &NewModule<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO modules (organisation_id, name, code, module_type, unit, places, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(m.organisation_id)
    .bind(m.name)
    .bind(m.code)
    .bind(m.module_type.as_str())
    .bind(m.unit.as_str())
    .bind(m.places)
    .bind(m.active)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, m: &NewModule<'_>, version: i64) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE modules SET organisation_id = $1, name = $2, code = $3, module_type = $4, unit = $5, \
         places = $6, active = $7, version = version + 1 WHERE id = $8 AND version = $9"
    )
    .bind(m.organisation_id)
    .bind(m.name)
    .bind(m.code)
    .bind(m.module_type.as_str())
    .bind(m.unit.as_str())
    .bind(m.places)
    .bind(m.active)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

const MODULE_SELECT: &str = "SELECT m.id, m.organisation_id, o.name AS organisation_name, m.name, m.code, \
     m.module_type, m.unit, m.places, m.active, m.version \
     FROM modules m JOIN organisations o ON o.id = m.organisation_id";

/// Every module, by provider and name.
pub async fn list(tx: &mut Tx) -> Result<Vec<Module>> {
    let sql = sqlx::AssertSqlSafe(format!("{MODULE_SELECT} ORDER BY o.name, m.name"));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ModuleRow>(sql)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Module::try_from).collect()
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Module>> {
    let sql = sqlx::AssertSqlSafe(format!("{MODULE_SELECT} WHERE m.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, ModuleRow>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(Module::try_from).transpose()
}

/// A module by its provider's name and the provider's own code (for imports).
pub async fn by_code(tx: &mut Tx, provider: &str, code: &str) -> Result<Option<Module>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{MODULE_SELECT} WHERE LOWER(o.name) = LOWER($1) AND m.code = $2"
    ));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, ModuleRow>(sql)
        .bind(provider)
        .bind(code)
        .fetch_optional(c)
        .await)?;
    row.map(Module::try_from).transpose()
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct TariffRow {
    module_id: i64,
    valid_from: NaiveDate,
    cents: i64,
}

/// Adds a tariff from a date on; a tariff for the same date already there is a conflict.
pub async fn add_tariff(
    tx: &mut Tx,
    module_id: i64,
    tariff: Tariff,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO module_tariffs (module_id, valid_from, cents, created_by, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(module_id)
    .bind(tariff.valid_from)
    .bind(tariff.cents)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Tariffs of the given modules (all modules when `None`), oldest first, as `(module_id, tariff)`.
pub async fn tariffs(tx: &mut Tx, module_ids: Option<&[i64]>) -> Result<Vec<(i64, Tariff)>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, TariffRow>(
        "SELECT module_id, valid_from, cents FROM module_tariffs ORDER BY module_id, valid_from"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .filter(|r| module_ids.is_none_or(|ids| ids.contains(&r.module_id)))
        .map(|r| {
            (
                r.module_id,
                Tariff {
                    valid_from: r.valid_from,
                    cents: r.cents,
                },
            )
        })
        .collect())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub(crate) struct ReferralRow {
    id: i64,
    episode_id: i64,
    module_id: i64,
    goal_key: Option<String>,
    state: String,
    requested_on: NaiveDate,
    started_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    end_reason: Option<String>,
    note: String,
    created_at: DateTime<Utc>,
    version: i64,
}

#[derive(Debug, Clone)]
pub struct ModuleReferral {
    pub id: i64,
    pub episode_id: i64,
    pub module_id: i64,
    pub goal_key: Option<String>,
    pub state: ReferralState,
    pub requested_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
    /// Person ids of the children concerned.
    pub children: Vec<i64>,
}

impl ModuleReferral {
    /// Started and ended dates, as far as known.
    pub fn period(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        (self.started_on, self.ended_on)
    }
}

impl TryFrom<ReferralRow> for ModuleReferral {
    type Error = StoreError;
    fn try_from(r: ReferralRow) -> Result<ModuleReferral> {
        let end_reason = match r.end_reason.as_deref() {
            None => None,
            Some(v) => Some(parse_or_corrupt(
                EndReason::parse(v),
                "module_referrals.end_reason",
            )?),
        };
        Ok(ModuleReferral {
            state: parse_or_corrupt(ReferralState::parse(&r.state), "module_referrals.state")?,
            end_reason,
            id: r.id,
            episode_id: r.episode_id,
            module_id: r.module_id,
            goal_key: r.goal_key,
            requested_on: r.requested_on,
            started_on: r.started_on,
            ended_on: r.ended_on,
            note: r.note,
            created_at: r.created_at,
            version: r.version,
            children: Vec::new(),
        })
    }
}

pub struct NewReferral<'a> {
    pub episode_id: i64,
    pub module_id: i64,
    pub goal_key: Option<&'a str>,
    pub requested_on: NaiveDate,
    pub note: &'a str,
    pub children: &'a [i64],
    pub created_by: Option<i64>,
}

pub async fn insert_referral(tx: &mut Tx, r: &NewReferral<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO module_referrals (episode_id, module_id, goal_key, requested_on, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(r.episode_id)
    .bind(r.module_id)
    .bind(r.goal_key)
    .bind(r.requested_on)
    .bind(r.note)
    .bind(r.created_by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    for person_id in r.children {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO module_referral_children (module_referral_id, person_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(person_id)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(id)
}

/// Records the start of a requested module.
pub async fn start(
    tx: &mut Tx,
    id: i64,
    started_on: NaiveDate,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE module_referrals SET state = 'started', started_on = $1, changed_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND state = 'requested'"
    )
    .bind(started_on)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

/// Records the end of a module, with the reason.
pub async fn end(
    tx: &mut Tx,
    id: i64,
    ended_on: NaiveDate,
    reason: EndReason,
    version: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE module_referrals SET state = 'ended', ended_on = $1, end_reason = $2, changed_at = $3, \
         version = version + 1 WHERE id = $4 AND version = $5 AND state <> 'ended'"
    )
    .bind(ended_on)
    .bind(reason.as_str())
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::expect_one(done)
}

pub(crate) const REFERRAL_FIELDS: crate::json::Fields = &[
    ("id", "r.id"),
    ("episode_id", "r.episode_id"),
    ("module_id", "r.module_id"),
    ("goal_key", "r.goal_key"),
    ("state", "r.state"),
    ("requested_on", "r.requested_on"),
    ("started_on", "r.started_on"),
    ("ended_on", "r.ended_on"),
    ("end_reason", "r.end_reason"),
    ("note", "r.note"),
    ("created_at", "r.created_at"),
    ("version", "r.version"),
];

/// Newest request first.
pub(crate) const REFERRAL_ORDER: &str = "r.requested_on DESC, r.id DESC";

static REFERRAL_SELECT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {} FROM module_referrals r",
        crate::json::select_list(REFERRAL_FIELDS)
    )
});

async fn with_children(tx: &mut Tx, rows: Vec<ReferralRow>) -> Result<Vec<ModuleReferral>> {
    let mut referrals = rows
        .into_iter()
        .map(ModuleReferral::try_from)
        .collect::<Result<Vec<_>>>()?;
    if referrals.is_empty() {
        return Ok(referrals);
    }
    let ids: Vec<i64> = referrals.iter().map(|r| r.id).collect();
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT module_referral_id, person_id FROM module_referral_children \
         WHERE module_referral_id IN ({}) ORDER BY person_id",
        crate::id_list(&ids)
    ));
    let pairs = on_tx!(tx, |c| sqlx::query_as::<_, (i64, i64)>(sql)
        .fetch_all(c)
        .await)?;
    for (referral_id, person_id) in pairs {
        if let Some(r) = referrals.iter_mut().find(|r| r.id == referral_id) {
            r.children.push(person_id);
        }
    }
    Ok(referrals)
}

/// The module referrals of an episode, newest request first.
pub async fn of_episode(tx: &mut Tx, episode_id: i64) -> Result<Vec<ModuleReferral>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE r.episode_id = $1 ORDER BY {REFERRAL_ORDER}",
        *REFERRAL_SELECT
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ReferralRow>(sql)
        .bind(episode_id)
        .fetch_all(c)
        .await)?;
    with_children(tx, rows).await
}

/// The module referrals of the episodes of a programme (for its costs).
pub async fn of_programme(tx: &mut Tx, programme_id: i64) -> Result<Vec<ModuleReferral>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} JOIN episodes e ON e.id = r.episode_id WHERE e.programme_id = $1 ORDER BY r.id",
        *REFERRAL_SELECT
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ReferralRow>(sql)
        .bind(programme_id)
        .fetch_all(c)
        .await)?;
    with_children(tx, rows).await
}

pub async fn get_referral(tx: &mut Tx, id: i64) -> Result<Option<ModuleReferral>> {
    let sql = sqlx::AssertSqlSafe(format!("{} WHERE r.id = $1", *REFERRAL_SELECT));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ReferralRow>(sql)
        .bind(id)
        .fetch_all(c)
        .await)?;
    Ok(with_children(tx, rows).await?.into_iter().next())
}

/// The started residential stays of a person, as `(referral id, start, end)`.
pub async fn residential_stays_of(
    tx: &mut Tx,
    person_id: i64,
) -> Result<Vec<(i64, NaiveDate, Option<NaiveDate>)>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<
        _,
        (i64, NaiveDate, Option<NaiveDate>),
    >(
        "SELECT r.id, r.started_on, r.ended_on FROM module_referrals r \
         JOIN module_referral_children rc ON rc.module_referral_id = r.id \
         JOIN modules m ON m.id = r.module_id \
         WHERE rc.person_id = $1 AND m.module_type = 'residential' AND r.started_on IS NOT NULL"
    )
    .bind(person_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Running periods `(start, end)` of every started referral to each module, as `(module_id, start, end)`.
pub async fn running_periods(tx: &mut Tx) -> Result<Vec<(i64, NaiveDate, Option<NaiveDate>)>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<
        _,
        (i64, NaiveDate, Option<NaiveDate>),
    >(
        "SELECT module_id, started_on, ended_on FROM module_referrals WHERE started_on IS NOT NULL"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// Whether any referral to the module has started (its units were counted).
pub async fn has_started_referrals(tx: &mut Tx, module_id: i64) -> Result<bool> {
    let count = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM module_referrals WHERE module_id = $1 AND started_on IS NOT NULL"
    )
    .bind(module_id)
    .fetch_one(c)
    .await
    })?;
    Ok(count > 0)
}

/// Records units a provider delivered on a day; a later report of the same day replaces it.
pub async fn record_delivery(
    tx: &mut Tx,
    referral_id: i64,
    on: NaiveDate,
    units: i64,
    source: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO module_deliveries (module_referral_id, delivered_on, units, source, recorded_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (module_referral_id, delivered_on) DO UPDATE SET units = excluded.units, \
         source = excluded.source, recorded_at = excluded.recorded_at"
    )
    .bind(referral_id)
    .bind(on)
    .bind(units)
    .bind(source)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Delivered units of the given referrals, as `(referral id, day, units)` in date order.
pub async fn deliveries(tx: &mut Tx, referral_ids: &[i64]) -> Result<Vec<(i64, NaiveDate, i64)>> {
    if referral_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT module_referral_id, delivered_on, units FROM module_deliveries \
         WHERE module_referral_id IN ({}) ORDER BY delivered_on, module_referral_id",
        crate::id_list(referral_ids)
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, (i64, NaiveDate, i64)>(sql)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}
