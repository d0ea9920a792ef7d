//! Use cases of service modules: the catalogue of providers' modules with dated
//! tariffs and places (admin), and a family's module referrals: request, start,
//! end, delivered units, places in use.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::indication::date_field;
use wrapcare_core::module::{
    self as rules, Costed, DatedUnits, EndReason, ModuleType, ModuleUnit, ReferralState, Tariff,
};
use wrapcare_core::role::Role;
use wrapcare_core::validation::{Invalid, number_or_string, required};
use wrapcare_store::{Tx, episode, family, module as store, organisation, plan};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// Longest note kept with a module referral.
pub const MAX_NOTE: usize = 2000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModuleInput {
    /// The providing organisation.
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i64)]
    pub organisation_id: String,
    #[serde(default)]
    pub name: String,
    /// How the provider's system names the module in imports.
    #[serde(default)]
    pub code: String,
    /// residential, day_treatment, ambulatory, specific_activity or other.
    #[serde(default)]
    pub module_type: String,
    /// day, night, hour or session.
    #[serde(default)]
    pub unit: String,
    /// Places, for residential and day-treatment modules only.
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = Option<i64>)]
    pub places: String,
    /// false takes the module out of new referrals; earlier ones stay.
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::bool_or_string"
    )]
    #[schema(value_type = Option<bool>)]
    pub active: String,
}

/// A changed module, with the version it was read at.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModuleUpdate {
    #[serde(flatten)]
    pub module: ModuleInput,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TariffInput {
    /// YYYY-MM-DD: the tariff holds from this day until the next tariff.
    #[serde(default)]
    pub valid_from: String,
    /// Euro cents per unit, a whole number ("18550").
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = Option<i64>)]
    pub tariff_cents: String,
    /// Or euros per unit as typed in a form ("185,50").
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = Option<String>)]
    pub tariff_euros: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModuleView {
    pub id: i64,
    pub organisation_id: i64,
    pub provider: String,
    pub name: String,
    pub code: String,
    pub module_type: ModuleType,
    pub unit: ModuleUnit,
    pub places: Option<i64>,
    /// Places taken today (residential: tonight's stays; day treatment: running referrals).
    pub places_in_use: Option<i64>,
    pub active: bool,
    /// The tariff that holds today, in cents per unit.
    pub current_tariff_cents: Option<i64>,
    pub tariffs: Vec<Tariff>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayPlaces {
    pub day: NaiveDate,
    pub in_use: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccupancyView {
    pub module: ModuleView,
    pub days: Vec<DayPlaces>,
}

/// Who a module referral concerns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChildRef {
    pub person_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModuleReferralView {
    pub id: i64,
    pub module_id: i64,
    pub module_name: String,
    pub provider: String,
    pub module_type: ModuleType,
    pub unit: ModuleUnit,
    pub children: Vec<ChildRef>,
    /// The plan goal the module serves.
    pub goal_key: Option<String>,
    pub goal: Option<String>,
    pub state: ReferralState,
    pub requested_on: NaiveDate,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub note: String,
    /// Nights of a stay, or delivered days, hours or sessions, up to today.
    pub units: i64,
    /// Cost of those units at the tariff of each day, in cents.
    pub cost_cents: i64,
    /// Units on days before the module's first tariff.
    pub unpriced_units: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalRef {
    pub key: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModuleReferralsView {
    pub family_id: i64,
    pub episode_id: i64,
    pub episode_state: EpisodeState,
    pub referrals: Vec<ModuleReferralView>,
    /// The family's children, who a new referral can concern.
    pub children: Vec<ChildRef>,
    /// Goals of the current plan, which a referral can serve.
    pub goals: Vec<GoalRef>,
    /// Modules open for new referrals.
    pub modules: Vec<ModuleView>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModuleReferralInput {
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i64)]
    pub module_id: String,
    /// Person ids of the children concerned (one or more).
    #[serde(default)]
    pub children: Vec<i64>,
    /// The key of the plan goal it serves.
    #[serde(default)]
    pub goal_key: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub requested_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ModuleStepInput {
    /// YYYY-MM-DD: the day of the start or end.
    #[serde(default)]
    pub on: String,
    /// For an end: completed, stopped_early or not_started.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DeliveryInput {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub delivered_on: String,
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i64)]
    pub units: String,
}

struct ValidModule {
    organisation_id: i64,
    name: String,
    code: String,
    module_type: ModuleType,
    unit: ModuleUnit,
    places: Option<i64>,
    active: bool,
}

impl ValidModule {
    /// What the access log records of a module's settings.
    fn logged(&self) -> serde_json::Value {
        serde_json::json!({
            "organisation_id": self.organisation_id,
            "name": self.name,
            "code": self.code,
            "module_type": self.module_type.as_str(),
            "unit": self.unit.as_str(),
            "places": self.places,
            "active": self.active,
        })
    }

    fn record(&self) -> store::NewModule<'_> {
        store::NewModule {
            organisation_id: self.organisation_id,
            name: &self.name,
            code: &self.code,
            module_type: self.module_type,
            unit: self.unit,
            places: self.places,
            active: self.active,
        }
    }
}

impl ModuleInput {
    async fn validate(&self, tx: &mut Tx) -> Result<ValidModule> {
        let mut errors = Invalid::new();
        let organisation_id = match self.organisation_id.trim().parse::<i64>() {
            Ok(id) if organisation::get(tx, id).await?.is_some() => Some(id),
            _ => {
                errors.add("organisation_id", "error-unknown-organisation");
                None
            }
        };
        let name = required(&mut errors, "name", &self.name);
        let code = required(&mut errors, "code", &self.code);
        let module_type = ModuleType::parse(self.module_type.trim());
        if module_type.is_none() {
            errors.add("module_type", "error-choose-option");
        }
        let unit = ModuleUnit::parse(self.unit.trim());
        if unit.is_none() {
            errors.add("unit", "error-choose-option");
        }
        let places = match self.places.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.add("places", "error-positive-whole");
                    None
                }
            },
        };
        if let Some(t) = module_type
            && !errors.0.iter().any(|e| e.field == "places")
            && let Err(e) = rules::validate_places(t, places)
        {
            errors.merge(e);
        }
        let active = !matches!(self.active.trim(), "false" | "0" | "off" | "no");
        errors.finish()?;
        match (organisation_id, module_type, unit) {
            (Some(organisation_id), Some(module_type), Some(unit)) => Ok(ValidModule {
                organisation_id,
                name,
                code,
                module_type,
                unit,
                places,
                active,
            }),
            _ => Err(AppError::invalid("module_type", "error-choose-option")),
        }
    }
}

impl TariffInput {
    fn validate(&self) -> Result<Tariff> {
        let mut errors = Invalid::new();
        let valid_from = date_field(&mut errors, "valid_from", &self.valid_from);
        let cents = match (self.tariff_cents.trim(), self.tariff_euros.trim()) {
            ("", "") => {
                errors.add("tariff_euros", "error-required");
                None
            }
            (cents, "") => rules::parse_cents(cents)
                .map_err(|key| errors.add("tariff_cents", key))
                .ok(),
            (_, euros) => rules::parse_euros(euros)
                .map_err(|key| errors.add("tariff_euros", key))
                .ok(),
        };
        errors.finish()?;
        match (valid_from, cents) {
            (Some(valid_from), Some(cents)) => Ok(Tariff { valid_from, cents }),
            _ => Err(AppError::invalid("tariff_euros", "error-required")),
        }
    }
}

/// Everything about the catalogue needed to show modules and cost referrals.
pub(crate) struct Catalogue {
    pub modules: HashMap<i64, store::Module>,
    pub tariffs: HashMap<i64, Vec<Tariff>>,
}

impl Catalogue {
    pub(crate) async fn load(tx: &mut Tx) -> Result<Catalogue> {
        let modules = store::list(tx).await?;
        let mut tariffs: HashMap<i64, Vec<Tariff>> = HashMap::new();
        for (module_id, t) in store::tariffs(tx, None).await? {
            tariffs.entry(module_id).or_default().push(t);
        }
        Ok(Catalogue {
            modules: modules.into_iter().map(|m| (m.id, m)).collect(),
            tariffs,
        })
    }

    fn tariffs_of(&self, module_id: i64) -> &[Tariff] {
        self.tariffs.get(&module_id).map_or(&[], Vec::as_slice)
    }

    /// Dated units of a referral within `[from, to]`: a stay's nights, or what was delivered.
    pub(crate) fn units_of(
        &self,
        r: &store::ModuleReferral,
        deliveries: &[(i64, NaiveDate, i64)],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<DatedUnits> {
        let counts_nights = self
            .modules
            .get(&r.module_id)
            .is_some_and(|m| m.module_type.counts_nights());
        if counts_nights {
            match r.started_on {
                Some(start) => rules::night_dates(start, r.ended_on, from, to + Duration::days(1))
                    .map(|on| DatedUnits { on, units: 1 })
                    .collect(),
                None => Vec::new(),
            }
        } else {
            deliveries
                .iter()
                .filter(|(id, on, _)| *id == r.id && *on >= from && *on <= to)
                .map(|(_, on, units)| DatedUnits {
                    on: *on,
                    units: *units,
                })
                .collect()
        }
    }

    pub(crate) fn cost(&self, module_id: i64, units: &[DatedUnits]) -> Costed {
        rules::cost_of(units, self.tariffs_of(module_id))
    }

    fn view(&self, m: &store::Module, today: NaiveDate, in_use: Option<i64>) -> ModuleView {
        let tariffs = self.tariffs_of(m.id).to_vec();
        ModuleView {
            id: m.id,
            organisation_id: m.organisation_id,
            provider: m.organisation_name.clone(),
            name: m.name.clone(),
            code: m.code.clone(),
            module_type: m.module_type,
            unit: m.unit,
            places: m.places,
            places_in_use: m.module_type.has_places().then_some(in_use.unwrap_or(0)),
            active: m.active,
            current_tariff_cents: rules::tariff_on(&tariffs, today),
            tariffs,
            version: m.version,
        }
    }
}

/// Places in use per module on each day of `[from, to]`.
async fn occupancy(
    tx: &mut Tx,
    catalogue: &Catalogue,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, BTreeMap<NaiveDate, i64>>> {
    let mut periods: HashMap<i64, Vec<(NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (module_id, start, end) in store::running_periods(tx).await? {
        periods.entry(module_id).or_default().push((start, end));
    }
    Ok(catalogue
        .modules
        .values()
        .filter(|m| m.module_type.has_places())
        .map(|m| {
            let p = periods.get(&m.id).map_or(&[][..], Vec::as_slice);
            (
                m.id,
                rules::places_in_use(p, m.module_type.counts_nights(), from, to),
            )
        })
        .collect())
}

fn not_a_name_clash(e: wrapcare_store::StoreError) -> AppError {
    match AppError::from(e) {
        AppError::Conflict(_) => AppError::invalid("name", "error-module-taken"),
        other => other,
    }
}

impl App {
    /// The module catalogue, with today's tariff and places in use.
    pub async fn modules(&self, actor: &Actor) -> Result<Vec<ModuleView>> {
        self.require(
            actor,
            &[Role::Admin, Role::Supervisor, Role::Coordinator],
            "module.modules",
        )
        .await?;
        let mut tx = self.write().await?;
        let today = self.today();
        let catalogue = Catalogue::load(&mut tx).await?;
        let taken = occupancy(&mut tx, &catalogue, today, today).await?;
        tx.commit().await?;
        let mut views: Vec<ModuleView> = catalogue
            .modules
            .values()
            .map(|m| {
                let in_use = taken.get(&m.id).and_then(|d| d.get(&today)).copied();
                catalogue.view(m, today, in_use)
            })
            .collect();
        views.sort_by(|a, b| (&a.provider, &a.name).cmp(&(&b.provider, &b.name)));
        Ok(views)
    }

    /// One module with its places in use per day over `[from, to]` (at most a year).
    pub async fn module_occupancy(
        &self,
        actor: &Actor,
        module_id: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<OccupancyView> {
        self.require(
            actor,
            &[Role::Admin, Role::Supervisor, Role::Coordinator],
            "module.module_occupancy",
        )
        .await?;
        let today = self.today();
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to - Duration::days(27));
        if from > to {
            return Err(AppError::invalid("from", "error-ends-before-start"));
        }
        if (to - from).num_days() > 366 {
            return Err(AppError::invalid("from", "error-period-too-long"));
        }
        let mut tx = self.write().await?;
        let catalogue = Catalogue::load(&mut tx).await?;
        let m = catalogue
            .modules
            .get(&module_id)
            .ok_or(AppError::NotFound)?;
        // One pass over the period and today, wherever today falls.
        let taken = occupancy(&mut tx, &catalogue, from.min(today), to.max(today)).await?;
        tx.commit().await?;
        let days = taken.get(&module_id).cloned().unwrap_or_default();
        Ok(OccupancyView {
            module: catalogue.view(m, today, days.get(&today).copied()),
            days: days
                .range(from..=to)
                .map(|(day, in_use)| DayPlaces {
                    day: *day,
                    in_use: *in_use,
                })
                .collect(),
        })
    }

    pub async fn create_module(&self, actor: &Actor, input: &ModuleInput) -> Result<i64> {
        self.require(actor, &[Role::Admin], "module.create_module")
            .await?;
        let mut tx = self.write().await?;
        let valid = input.validate(&mut tx).await?;
        let id = store::insert(&mut tx, &valid.record(), self.now())
            .await
            .map_err(not_a_name_clash)?;
        self.log_change(
            &mut tx,
            Some(actor),
            "module.create_module",
            serde_json::json!({ "module_id": id, "to": valid.logged() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a module with its first tariff, both or neither.
    pub async fn create_module_with_tariff(
        &self,
        actor: &Actor,
        input: &ModuleInput,
        tariff: &TariffInput,
    ) -> Result<i64> {
        self.require(actor, &[Role::Admin], "module.create_module_with_tariff")
            .await?;
        let mut tx = self.write().await?;
        let valid = input.validate(&mut tx).await;
        let tariff = tariff.validate();
        let (valid, tariff) = match (valid, tariff) {
            (Ok(v), Ok(t)) => (v, t),
            (Err(AppError::Invalid(mut a)), Err(AppError::Invalid(b))) => {
                a.merge(b);
                return Err(AppError::Invalid(a));
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let id = store::insert(&mut tx, &valid.record(), self.now())
            .await
            .map_err(not_a_name_clash)?;
        store::add_tariff(&mut tx, id, tariff, Some(actor.user_id), self.now()).await?;
        self.log_change(
            &mut tx,
            Some(actor),
            "module.create_module",
            serde_json::json!({
                "module_id": id, "to": valid.logged(),
                "tariff": { "valid_from": tariff.valid_from, "cents": tariff.cents },
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_module(
        &self,
        actor: &Actor,
        id: i64,
        input: &ModuleInput,
        version: i64,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "module.update_module")
            .await?;
        let mut tx = self.write().await?;
        let old = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let valid = input.validate(&mut tx).await?;
        if valid.module_type != old.module_type || valid.unit != old.unit {
            // Earlier referrals were counted and costed in the old type and unit.
            if store::has_started_referrals(&mut tx, id).await? {
                return Err(AppError::invalid("module_type", "error-module-type-in-use"));
            }
        }
        store::update(&mut tx, id, &valid.record(), version)
            .await
            .map_err(not_a_name_clash)?;
        self.log_change(
            &mut tx,
            Some(actor),
            "module.update_module",
            serde_json::json!({ "module_id": id, "to": valid.logged() }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a tariff from a date on; earlier days keep the tariff they had.
    pub async fn add_tariff(
        &self,
        actor: &Actor,
        module_id: i64,
        input: &TariffInput,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "module.add_tariff")
            .await?;
        let tariff = input.validate()?;
        let mut tx = self.write().await?;
        store::get(&mut tx, module_id)
            .await?
            .ok_or(AppError::NotFound)?;
        store::add_tariff(&mut tx, module_id, tariff, Some(actor.user_id), self.now())
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("valid_from", "error-tariff-date-taken"),
                other => other,
            })?;
        self.log_change(
            &mut tx,
            Some(actor),
            "module.add_tariff",
            serde_json::json!({
                "module_id": module_id,
                "valid_from": tariff.valid_from,
                "cents": tariff.cents,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn module_referrals_view(
        &self,
        tx: &mut Tx,
        e: &episode::Episode,
    ) -> Result<ModuleReferralsView> {
        let today = self.today();
        let catalogue = Catalogue::load(tx).await?;
        let rows = store::of_episode(tx, e.id).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let deliveries = store::deliveries(tx, &ids).await?;
        let members = family::members(tx, e.family_id, today).await?;
        let names: HashMap<i64, String> = members
            .iter()
            .map(|m| (m.person_id, format!("{} {}", m.given_name, m.family_name)))
            .collect();
        let goals = current_goals(tx, e.id).await?;
        let referrals = rows
            .iter()
            .map(|r| {
                let m = catalogue.modules.get(&r.module_id);
                let units = catalogue.units_of(r, &deliveries, r.requested_on, today);
                let costed = catalogue.cost(r.module_id, &units);
                ModuleReferralView {
                    id: r.id,
                    module_id: r.module_id,
                    module_name: m.map(|m| m.name.clone()).unwrap_or_default(),
                    provider: m.map(|m| m.organisation_name.clone()).unwrap_or_default(),
                    module_type: m.map_or(ModuleType::Other, |m| m.module_type),
                    unit: m.map_or(ModuleUnit::Session, |m| m.unit),
                    children: r
                        .children
                        .iter()
                        .map(|id| ChildRef {
                            person_id: *id,
                            name: names.get(id).cloned().unwrap_or_default(),
                        })
                        .collect(),
                    goal: r.goal_key.as_ref().and_then(|k| {
                        goals
                            .iter()
                            .find(|g| &g.key == k)
                            .map(|g| g.description.clone())
                    }),
                    goal_key: r.goal_key.clone(),
                    state: r.state,
                    requested_on: r.requested_on,
                    started_on: r.started_on,
                    ended_on: r.ended_on,
                    end_reason: r.end_reason,
                    note: r.note.clone(),
                    units: costed.units + costed.unpriced_units,
                    cost_cents: costed.cents,
                    unpriced_units: costed.unpriced_units,
                    version: r.version,
                }
            })
            .collect();
        let taken = occupancy(tx, &catalogue, today, today).await?;
        let mut modules: Vec<ModuleView> = catalogue
            .modules
            .values()
            .filter(|m| m.active)
            .map(|m| {
                let in_use = taken.get(&m.id).and_then(|d| d.get(&today)).copied();
                catalogue.view(m, today, in_use)
            })
            .collect();
        modules.sort_by(|a, b| (&a.provider, &a.name).cmp(&(&b.provider, &b.name)));
        Ok(ModuleReferralsView {
            family_id: e.family_id,
            episode_id: e.id,
            episode_state: e.state,
            referrals,
            children: members
                .iter()
                .filter(|m| m.role == "child")
                .map(|m| ChildRef {
                    person_id: m.person_id,
                    name: format!("{} {}", m.given_name, m.family_name),
                })
                .collect(),
            goals,
            modules,
        })
    }

    /// The module referrals of the family's current episode.
    pub async fn module_referrals(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> Result<ModuleReferralsView> {
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, "module.read", None)
            .await?;
        let view = self.module_referrals_view(&mut tx, &e).await?;
        tx.commit().await?;
        self.record(actor, target, "module.read", Outcome::Allowed)
            .await?;
        Ok(view)
    }

    async fn modules_done(
        &self,
        mut tx: Tx,
        actor: &Actor,
        e: &episode::Episode,
        action: &str,
    ) -> Result<ModuleReferralsView> {
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let view = self.module_referrals_view(&mut tx, e).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Requests a module for one or more of the family's children.
    pub async fn request_module(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &ModuleReferralInput,
    ) -> Result<ModuleReferralsView> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Supervisor],
            "module.request_module",
        )
        .await?;
        let (mut tx, e, _) = self
            .episode_for(actor, family_id, FileAction::Care, "module.request", None)
            .await?;
        if !matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let mut errors = Invalid::new();
        let module = match input.module_id.trim().parse::<i64>() {
            Ok(id) => store::get(&mut tx, id).await?.filter(|m| m.active),
            Err(_) => None,
        };
        if module.is_none() {
            errors.add("module_id", "error-unknown-module");
        }
        let today = self.today();
        let children = family::members(&mut tx, family_id, today).await?;
        if input.children.is_empty() {
            errors.add("children", "error-choose-child");
        } else if input.children.iter().any(|id| {
            !children
                .iter()
                .any(|m| m.person_id == *id && m.role == "child")
        }) {
            errors.add("children", "error-not-a-child-of-family");
        }
        let goal_key = match input.goal_key.trim() {
            "" => None,
            key => {
                if !current_goals(&mut tx, e.id)
                    .await?
                    .iter()
                    .any(|g| g.key == key)
                {
                    errors.add("goal_key", "error-unknown-goal");
                }
                Some(key.to_string())
            }
        };
        let requested_on = date_field(&mut errors, "requested_on", &input.requested_on);
        if let Some(on) = requested_on
            && let Err(more) = rules::validate_request(on, e.accepted_on, today)
        {
            errors.merge(more);
        }
        if input.note.chars().count() > MAX_NOTE {
            errors.add("note", "error-too-long");
        }
        errors.finish()?;
        let (Some(module), Some(requested_on)) = (module, requested_on) else {
            return Err(AppError::invalid("module_id", "error-unknown-module"));
        };
        let mut ids = input.children.clone();
        ids.sort_unstable();
        ids.dedup();
        store::insert_referral(
            &mut tx,
            &store::NewReferral {
                episode_id: e.id,
                module_id: module.id,
                goal_key: goal_key.as_deref(),
                requested_on,
                note: input.note.trim(),
                children: &ids,
                created_by: Some(actor.user_id),
            },
            self.now(),
        )
        .await?;
        self.modules_done(tx, actor, &e, "module.request").await
    }

    async fn referral_of(
        &self,
        tx: &mut Tx,
        e: &episode::Episode,
        id: i64,
    ) -> Result<store::ModuleReferral> {
        store::get_referral(tx, id)
            .await?
            .filter(|r| r.episode_id == e.id)
            .ok_or(AppError::NotFound)
    }

    /// Records the start of a requested module.
    pub async fn start_module(
        &self,
        actor: &Actor,
        family_id: i64,
        referral_id: i64,
        input: &ModuleStepInput,
    ) -> Result<ModuleReferralsView> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Supervisor],
            "module.start_module",
        )
        .await?;
        let (mut tx, e, _) = self
            .episode_for(actor, family_id, FileAction::Care, "module.start", None)
            .await?;
        // A closed episode starts nothing new; its modules may still end and
        // have deliveries recorded (providers' records come late).
        if !matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let r = match self.referral_of(&mut tx, &e, referral_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, "module.start", Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        let mut errors = Invalid::new();
        let on = date_field(&mut errors, "on", &input.on);
        errors.finish()?;
        let on = on.ok_or_else(|| AppError::invalid("on", "error-required"))?;
        rules::validate_start(r.state, r.requested_on, on, self.today())
            .map_err(|e| rename(e, "started_on", "on"))?;
        start_checked(&mut tx, &r, on).await?;
        store::start(&mut tx, r.id, on, input.version, self.now()).await?;
        self.modules_done(tx, actor, &e, "module.start").await
    }

    /// Records the end of a module: completed, stopped early or not started.
    pub async fn end_module(
        &self,
        actor: &Actor,
        family_id: i64,
        referral_id: i64,
        input: &ModuleStepInput,
    ) -> Result<ModuleReferralsView> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Supervisor],
            "module.end_module",
        )
        .await?;
        let (mut tx, e, _) = self
            .episode_for(actor, family_id, FileAction::Care, "module.end", None)
            .await?;
        let r = match self.referral_of(&mut tx, &e, referral_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, "module.end", Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        let mut errors = Invalid::new();
        let on = date_field(&mut errors, "on", &input.on);
        let reason = EndReason::parse(input.reason.trim());
        if reason.is_none() {
            errors.add("reason", "error-choose-option");
        }
        errors.finish()?;
        let (Some(on), Some(reason)) = (on, reason) else {
            return Err(AppError::invalid("on", "error-required"));
        };
        rules::validate_end(
            r.state,
            r.requested_on,
            r.started_on,
            on,
            reason,
            self.today(),
        )
        .map_err(|e| rename(e, "ended_on", "on"))?;
        store::end(&mut tx, r.id, on, reason, input.version, self.now()).await?;
        self.modules_done(tx, actor, &e, "module.end").await
    }

    /// Records units delivered on a day (days attended, hours, sessions); a stay's nights follow from its dates.
    pub async fn record_delivery(
        &self,
        actor: &Actor,
        family_id: i64,
        referral_id: i64,
        input: &DeliveryInput,
    ) -> Result<ModuleReferralsView> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Supervisor],
            "module.record_delivery",
        )
        .await?;
        let (mut tx, e, _) = self
            .episode_for(actor, family_id, FileAction::Care, "module.delivery", None)
            .await?;
        let r = match self.referral_of(&mut tx, &e, referral_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, "module.delivery", Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        let module = store::get(&mut tx, r.module_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut errors = Invalid::new();
        let on = date_field(&mut errors, "delivered_on", &input.delivered_on);
        let units = input.units.trim().parse::<i64>().ok();
        if let Err(more) = rules::validate_delivery(
            module.module_type,
            module.unit,
            r.children.len(),
            r.period(),
            on,
            units,
            self.today(),
        ) {
            errors.merge(more);
        }
        errors.finish()?;
        let (Some(on), Some(units)) = (on, units) else {
            return Err(AppError::invalid("units", "error-required"));
        };
        store::record_delivery(&mut tx, r.id, on, units, "coordinator", self.now()).await?;
        self.modules_done(tx, actor, &e, "module.delivery").await
    }
}

/// Refuses a residential start that would put a child in two places at once.
pub(crate) async fn start_checked(
    tx: &mut Tx,
    r: &store::ModuleReferral,
    on: NaiveDate,
) -> Result<()> {
    let module = store::get(tx, r.module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if module.module_type != ModuleType::Residential {
        return Ok(());
    }
    for child in &r.children {
        let others: Vec<rules::Stay> = store::residential_stays_of(tx, *child)
            .await?
            .into_iter()
            .filter(|(id, _, _)| *id != r.id)
            .map(|(_, s, e)| (s, e))
            .collect();
        if rules::stays_overlap((on, None), &others) {
            return Err(AppError::invalid("on", "error-stay-overlap"));
        }
    }
    Ok(())
}

fn rename(mut invalid: Invalid, from: &str, to: &str) -> AppError {
    for e in &mut invalid.0 {
        if e.field == from {
            e.field = to.to_string();
        }
    }
    AppError::Invalid(invalid)
}

/// Goals of the episode's newest plan version (draft or agreed).
async fn current_goals(tx: &mut Tx, episode_id: i64) -> Result<Vec<GoalRef>> {
    let versions = plan::versions(tx, episode_id).await?;
    Ok(versions
        .iter()
        .max_by_key(|v| v.number)
        .map(|v| {
            v.content
                .goals
                .iter()
                .map(|g| GoalRef {
                    key: g.key.clone(),
                    description: g.description.clone(),
                })
                .collect()
        })
        .unwrap_or_default())
}
