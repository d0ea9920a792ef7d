//! Costs of care for any period: coordinator hours × the programme's hourly
//! rate, plus module units × the tariff valid on each day. Per family (for
//! those who may open its file) and per programme (totals, no names).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wrapcare_core::access::FileAction;
use wrapcare_core::contact::{EntryStatus, hours_cost};
use wrapcare_core::dates::parse_date;
use wrapcare_core::module::ModuleUnit;
use wrapcare_core::role::Role;
use wrapcare_core::validation::Invalid;
use wrapcare_store::{Tx, contact, episode, module, programme};

use crate::access_log::{Outcome, Target};
use crate::module::Catalogue;
use crate::{Actor, App, AppError, Result};

/// A period of costs; both ends are days included.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// YYYY-MM-DD, the first day counted.
    pub from: Option<String>,
    /// YYYY-MM-DD, the last day counted.
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostLine {
    pub module_id: i64,
    pub module: String,
    pub provider: String,
    pub unit: ModuleUnit,
    pub units: i64,
    pub cents: i64,
    /// Units on days before the module's first tariff (not in `cents`).
    pub unpriced_units: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub programme_id: i64,
    pub programme: String,
    /// Families in care on some day of the period (1 for a family's costs).
    pub families: i64,
    pub coordinator_minutes: i64,
    pub hourly_rate_cents: i64,
    pub coordinator_cents: i64,
    pub modules: Vec<CostLine>,
    pub module_cents: i64,
    pub total_cents: i64,
}

/// Reads a period; without dates, `default` decides.
fn period(query: &PeriodQuery, default: (NaiveDate, NaiveDate)) -> Result<(NaiveDate, NaiveDate)> {
    let mut errors = Invalid::new();
    let mut read = |field: &str, value: &Option<String>, fallback: NaiveDate| match value
        .as_deref()
        .map(str::trim)
    {
        None | Some("") => fallback,
        Some(v) => parse_date(v).unwrap_or_else(|| {
            errors.add(field, "error-date-format");
            fallback
        }),
    };
    let from = read("from", &query.from, default.0);
    let to = read("to", &query.to, default.1);
    if errors.is_empty() && to < from {
        errors.add("to", "error-ends-before-start");
    }
    errors.finish()?;
    Ok((from, to))
}

/// Module costs of referrals within a period, one line per module.
fn module_lines(
    catalogue: &Catalogue,
    referrals: &[module::ModuleReferral],
    deliveries: &[(i64, NaiveDate, i64)],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<CostLine> {
    let mut lines: BTreeMap<(String, String, i64), CostLine> = BTreeMap::new();
    for r in referrals {
        let Some(m) = catalogue.modules.get(&r.module_id) else {
            continue;
        };
        let units = catalogue.units_of(r, deliveries, from, to);
        if units.is_empty() {
            continue;
        }
        let costed = catalogue.cost(r.module_id, &units);
        let line = lines
            .entry((m.organisation_name.clone(), m.name.clone(), m.id))
            .or_insert_with(|| CostLine {
                module_id: m.id,
                module: m.name.clone(),
                provider: m.organisation_name.clone(),
                unit: m.unit,
                units: 0,
                cents: 0,
                unpriced_units: 0,
            });
        line.units += costed.units + costed.unpriced_units;
        line.cents += costed.cents;
        line.unpriced_units += costed.unpriced_units;
    }
    lines.into_values().collect()
}

fn view(
    from: NaiveDate,
    to: NaiveDate,
    p: &programme::Programme,
    families: i64,
    coordinator_minutes: i64,
    modules: Vec<CostLine>,
) -> CostsView {
    let coordinator_cents = hours_cost(coordinator_minutes, p.hourly_rate_cents);
    let module_cents = modules.iter().map(|l| l.cents).sum();
    CostsView {
        from,
        to,
        programme_id: p.id,
        programme: p.name.clone(),
        families,
        coordinator_minutes,
        hourly_rate_cents: p.hourly_rate_cents,
        coordinator_cents,
        modules,
        module_cents,
        total_cents: coordinator_cents + module_cents,
    }
}

impl App {
    /// What the care of a family's current episode cost within a period
    /// (by default from its acceptance until today or its closure).
    pub async fn family_costs(
        &self,
        actor: &Actor,
        family_id: i64,
        query: &PeriodQuery,
    ) -> Result<CostsView> {
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, "cost.read", None)
            .await?;
        let today = self.today();
        let (from, to) = period(query, (e.accepted_on, e.closed_on.unwrap_or(today)))?;
        let p = programme::get(&mut tx, e.programme_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let minutes: i64 = contact::of_episode(&mut tx, e.id)
            .await?
            .iter()
            .filter(|c| {
                c.status == EntryStatus::Active && c.contact_on >= from && c.contact_on <= to
            })
            .map(|c| c.minutes)
            .sum();
        let lines = self.episode_module_lines(&mut tx, &e, from, to).await?;
        tx.commit().await?;
        self.record(actor, target, "cost.read", Outcome::Allowed)
            .await?;
        Ok(view(from, to, &p, 1, minutes, lines))
    }

    async fn episode_module_lines(
        &self,
        tx: &mut Tx,
        e: &episode::Episode,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CostLine>> {
        let catalogue = Catalogue::load(tx).await?;
        let referrals = module::of_episode(tx, e.id).await?;
        let ids: Vec<i64> = referrals.iter().map(|r| r.id).collect();
        let deliveries = module::deliveries(tx, &ids).await?;
        Ok(module_lines(&catalogue, &referrals, &deliveries, from, to))
    }

    /// What a programme's care cost within a period (by default this calendar
    /// year): totals only, without names, for supervisors, analysts and admins.
    pub async fn programme_costs(
        &self,
        actor: &Actor,
        programme_id: i64,
        query: &PeriodQuery,
    ) -> Result<CostsView> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Analyst, Role::Admin],
            "cost.programme_costs",
        )
        .await?;
        let today = self.today();
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let (from, to) = period(query, (year_start, today))?;
        let mut tx = self.store.read_only().await?;
        let p = programme::get(&mut tx, programme_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let minutes = contact::programme_minutes(&mut tx, programme_id, from, to).await?;
        let families = episode::families_in_care(&mut tx, programme_id, from, to).await?;
        let catalogue = Catalogue::load(&mut tx).await?;
        let referrals = module::of_programme(&mut tx, programme_id).await?;
        let ids: Vec<i64> = referrals.iter().map(|r| r.id).collect();
        let deliveries = module::deliveries(&mut tx, &ids).await?;
        let lines = module_lines(&catalogue, &referrals, &deliveries, from, to);
        tx.commit().await?;
        self.record_detail(
            actor,
            Target::default(),
            "cost.programme",
            Outcome::Allowed,
            Some(format!("{{\"programme_id\":{programme_id}}}")),
        )
        .await?;
        Ok(view(from, to, &p, families, minutes, lines))
    }
}
