//! Signals: what needs attention, for the team's attention page, a
//! coordinator's day and the weekly meeting's proposed agenda.
//!
//! The facts come from a handful of set-based queries over the whole scope
//! (see `wrapcare_store::signal`); the rules are the domain's.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::caseload::Capacity;
use wrapcare_core::contact::week_of;
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::role::Role;
use wrapcare_core::signal::{
    self as rules, ActionItemFacts, CoordinatorFacts, EpisodeFacts, GoalFacts, Item,
    RequestedModule, RunningIndication, Signal, SignalKind, Subject, Urgency,
};
use wrapcare_core::validation::Invalid;
use wrapcare_store::signal::{self as store, Scope};
use wrapcare_store::{Tx, programme};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// The longest warning period a programme may set for indications (104
/// weeks): the query reads no further ahead.
const INDICATION_HORIZON_DAYS: i64 = 104 * 7;

/// The signals of a scope with what is needed to show them.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub signals: Vec<Signal>,
    /// Family id → surname, for the families of the scope.
    pub surnames: HashMap<i64, String>,
    /// Family id → team id.
    pub family_teams: HashMap<i64, i64>,
    /// Worker id → (name, team id), for the coordinators of the scope.
    pub coordinators: HashMap<i64, (String, i64)>,
    /// What an item of a family points at: goal text, module or indication product.
    pub items: HashMap<String, String>,
    pub acknowledgements: Vec<store::AcknowledgementRow>,
    /// Questionnaires due and not yet overdue (those are signals), by family,
    /// the earliest first.
    pub measurements_due: Vec<(i64, wrapcare_core::questionnaire::Due)>,
}

fn action_key(action_item_id: i64) -> String {
    format!("action:{action_item_id}")
}

fn item_key(episode_id: i64, item: &Item) -> String {
    match item {
        Item::Goal(key) => format!("{episode_id}:goal:{key}"),
        Item::ModuleReferral(id) => format!("{episode_id}:module:{id}"),
        Item::Indication(id) => format!("{episode_id}:indication:{id}"),
        Item::Measurement(what) => format!("{episode_id}:measurement:{what}"),
    }
}

/// Gathers the facts of a scope and judges them; `Ok` with no signals for a
/// scope without open families.
pub async fn gather(tx: &mut Tx, scope: Scope, today: NaiveDate) -> Result<Gathered> {
    let this_monday = week_of(today);
    // The two complete weeks before this one.
    let weeks = [
        this_monday - Duration::weeks(2),
        this_monday - Duration::weeks(1),
    ];
    let mut schedules = wrapcare_store::questionnaire::schedules(tx).await?;
    let programmes: HashMap<i64, rules::Rules> = programme::list(tx)
        .await?
        .into_iter()
        .map(|p| {
            let schedule = schedules.remove(&p.id).unwrap_or_default();
            (p.id, p.signal_rules(schedule))
        })
        .collect();
    // The least strict programme decides which goals can be unchanged long
    // enough; each goal is still judged by its own programme's rule.
    let goals_unchanged_at_most = programmes
        .values()
        .map(|r| r.thresholds.goal_unchanged_since_at_most(today))
        .max()
        .unwrap_or(today);
    let episodes = store::episodes(tx, scope, weeks).await?;
    let goals = store::goals(tx, scope, goals_unchanged_at_most).await?;
    let modules = store::requested_modules(tx, scope).await?;
    let indications = store::indications_ending(
        tx,
        scope,
        today,
        today + Duration::days(INDICATION_HORIZON_DAYS),
    )
    .await?;
    let coordinators = store::coordinators(tx, scope, today).await?;
    let acknowledgements = store::acknowledgements(tx, scope).await?;
    let overdue = wrapcare_store::meeting::overdue_actions(tx, scope, today).await?;

    let mut gathered = Gathered {
        acknowledgements,
        ..Gathered::default()
    };
    let mut facts: HashMap<i64, (EpisodeFacts, i64)> = HashMap::with_capacity(episodes.len());
    for row in episodes {
        let Some(state) = EpisodeState::parse(&row.state) else {
            continue;
        };
        gathered.surnames.insert(row.family_id, row.surname);
        gathered.family_teams.insert(row.family_id, row.team_id);
        let phase = row
            .phase
            .and_then(Phase::from_number)
            .zip(row.phase_since.or(row.started_on));
        facts.insert(
            row.episode_id,
            (
                EpisodeFacts {
                    family_id: row.family_id,
                    episode_id: row.episode_id,
                    state,
                    reference_date: row.reference_date,
                    started_on: row.started_on,
                    phase,
                    coordinator_id: row.coordinator_id,
                    plan_agreed_on: row.plan_agreed_on,
                    used_minutes: row.used_minutes,
                    last_two_weeks_minutes: [row.before_last_week_minutes, row.last_week_minutes],
                    last_contact_on: row.last_contact_on,
                    goals: Vec::new(),
                    requested_modules: Vec::new(),
                    indications: Vec::new(),
                    measured: row.measured,
                },
                row.programme_id,
            ),
        );
    }
    for g in goals {
        if let Some((f, _)) = facts.get_mut(&g.episode_id) {
            let since = g
                .last_change_on
                .map_or(g.first_agreed_on, |c| c.max(g.first_agreed_on));
            gathered.items.insert(
                item_key(g.episode_id, &Item::Goal(g.goal_key.clone())),
                g.description,
            );
            f.goals.push(GoalFacts {
                key: g.goal_key,
                unchanged_since: since,
            });
        }
    }
    for m in modules {
        if let Some((f, _)) = facts.get_mut(&m.episode_id) {
            gathered.items.insert(
                item_key(m.episode_id, &Item::ModuleReferral(m.module_referral_id)),
                m.module_name,
            );
            f.requested_modules.push(RequestedModule {
                module_referral_id: m.module_referral_id,
                requested_on: m.requested_on,
            });
        }
    }
    for i in indications {
        if let Some((f, _)) = facts.get_mut(&i.episode_id) {
            gathered.items.insert(
                item_key(i.episode_id, &Item::Indication(i.indication_id)),
                i.product,
            );
            f.indications.push(RunningIndication {
                indication_id: i.indication_id,
                ends_on: i.ends_on,
            });
        }
    }
    let coordinator_facts: Vec<CoordinatorFacts> = coordinators
        .iter()
        .filter_map(|c| {
            let rules = programmes.get(&c.programme_id)?;
            Some(CoordinatorFacts {
                worker_id: c.worker_id,
                caseload: u32::try_from(c.caseload.max(0)).unwrap_or(u32::MAX),
                capacity: Capacity::new(
                    &rules.norms,
                    u32::try_from(c.minutes_per_week.max(0)).unwrap_or(u32::MAX),
                ),
            })
        })
        .collect();
    gathered.coordinators = coordinators
        .into_iter()
        .map(|c| (c.worker_id, (c.name, c.team_id)))
        .collect();
    let action_facts: Vec<ActionItemFacts> = overdue
        .iter()
        .map(|a| ActionItemFacts {
            action_item_id: a.id,
            meeting_id: a.meeting_id,
            owner_worker_id: a.owner_worker_id,
            due_on: a.due_on,
            family_id: a.family_id,
        })
        .collect();
    for a in overdue {
        gathered.items.insert(action_key(a.id), a.description);
    }
    for (f, programme_id) in facts.values() {
        if let Some(rules) = programmes.get(programme_id) {
            for due in rules::measurements_due(f, rules, today) {
                if !due.overdue {
                    gathered.measurements_due.push((f.family_id, due));
                }
            }
        }
    }
    gathered
        .measurements_due
        .sort_by(|a, b| a.1.due_on.cmp(&b.1.due_on).then(a.0.cmp(&b.0)));
    gathered.signals = rules::signals(
        facts
            .values()
            .filter_map(|(f, programme_id)| Some((f, programmes.get(programme_id)?))),
        &coordinator_facts,
        &action_facts,
        today,
    );
    Ok(gathered)
}

impl App {
    /// The signals of a scope today, gathered again only when the data
    /// changed (see `cache`): the attention page is opened all day long and
    /// between two openings rarely anything it shows changed.
    pub(crate) async fn kept_signals(
        &self,
        actor: &Actor,
        scope: Scope,
        today: NaiveDate,
    ) -> Result<Arc<KeptSignals>> {
        self.kept(actor, &self.caches.signals, (scope, today), async {
            let mut tx = self.store.read_only().await?;
            let gathered = gather(&mut tx, scope, today).await?;
            tx.commit().await?;
            Ok(KeptSignals {
                views: gathered.views(),
                gathered,
                renditions: Arc::default(),
                built: std::sync::Mutex::default(),
            })
        })
        .await
    }
}

/// A scope's signals as kept between reads: the facts, and the views made
/// of them once.
pub(crate) struct KeptSignals {
    pub gathered: Gathered,
    pub views: Vec<SignalView>,
    /// What the attention page rendered of them.
    pub renditions: Arc<crate::Renditions>,
    /// The attention views last built of them, by filter: the same filter
    /// gets the same view until the signals change.
    built: std::sync::Mutex<Vec<(AttentionFilter, Arc<AttentionView>)>>,
}

/// Attention views kept per read of signals; the oldest go first.
const BUILT_VIEWS: usize = 4;

/// Who acknowledged a signal, when and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AcknowledgementView {
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A signal as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalView {
    /// Stays the same while the signal lasts; what an acknowledgement names.
    pub key: String,
    pub kind: SignalKind,
    pub urgency: Urgency,
    pub family_id: Option<i64>,
    pub family_surname: Option<String>,
    pub coordinator_id: Option<i64>,
    pub coordinator_name: Option<String>,
    /// The goal, module or indication it is about, in words.
    pub about: Option<String>,
    /// The figures behind the signal, by name (`{"waited_days": 70, …}`).
    #[schema(value_type = HashMap<String, i64>)]
    #[serde(serialize_with = "figures_by_name")]
    pub figures: Vec<rules::Figure>,
    pub days_over: i64,
    /// The fact the signal stands on; an acknowledgement holds while it stays.
    pub cause: String,
    /// Where it is acted on.
    pub link: String,
    pub acknowledged: Option<AcknowledgementView>,
}

fn figures_by_name<S: serde::Serializer>(
    figures: &[rules::Figure],
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(figures.len()))?;
    for f in figures {
        map.serialize_entry(f.name, &f.value)?;
    }
    map.end()
}

impl SignalView {
    pub fn figure(&self, name: &str) -> i64 {
        self.figures
            .iter()
            .find(|f| f.name == name)
            .map_or(0, |f| f.value)
    }
}

/// Where a signal is acted on.
fn link_of(signal: &Signal) -> String {
    match &signal.subject {
        Subject::Episode {
            family_id, item, ..
        } => match (signal.kind, item) {
            (SignalKind::PlanNotAgreed | SignalKind::PlanReviewOverdue, _)
            | (_, Some(Item::Goal(_))) => format!("/families/{family_id}/plan"),
            (
                SignalKind::BudgetNear
                | SignalKind::BudgetOver
                | SignalKind::UnderWeeklyNorm
                | SignalKind::NoRecentContact,
                _,
            ) => format!("/families/{family_id}/contacts"),
            (_, Some(Item::ModuleReferral(_))) => format!("/families/{family_id}/modules"),
            (_, Some(Item::Measurement(_))) => format!("/families/{family_id}/questionnaires"),
            _ => format!("/families/{family_id}"),
        },
        Subject::Coordinator { .. } => "/caseloads".into(),
        Subject::ActionItem { meeting_id, .. } => format!("/meetings/{meeting_id}"),
    }
}

impl Gathered {
    /// The signals as shown, each with its standing acknowledgement (the
    /// latest for the same signal and cause).
    pub fn views(&self) -> Vec<SignalView> {
        let mut acknowledged: HashMap<(&str, &str), &store::AcknowledgementRow> = HashMap::new();
        for k in &self.acknowledgements {
            acknowledged.insert((k.signal_key.as_str(), k.cause.as_str()), k);
        }
        self.signals
            .iter()
            .map(|s| {
                let key = s.key();
                let about = match &s.subject {
                    Subject::Episode {
                        episode_id,
                        item: Some(item),
                        ..
                    } => match item {
                        // The instrument and who answers it; pages put it in words.
                        Item::Measurement(what) => Some(what.clone()),
                        _ => self.items.get(&item_key(*episode_id, item)).cloned(),
                    },
                    Subject::ActionItem { action_item_id, .. } => {
                        self.items.get(&action_key(*action_item_id)).cloned()
                    }
                    _ => None,
                };
                let ack = acknowledged
                    .get(&(key.as_str(), s.cause.as_str()))
                    .map(|k| AcknowledgementView {
                        note: k.note.clone(),
                        by: k.acknowledged_by_name.clone(),
                        at: k.acknowledged_at,
                    });
                SignalView {
                    kind: s.kind,
                    urgency: s.urgency,
                    family_id: s.family_id(),
                    family_surname: s.family_id().and_then(|f| self.surnames.get(&f).cloned()),
                    coordinator_id: s.coordinator_id,
                    coordinator_name: s
                        .coordinator_id
                        .and_then(|w| self.coordinators.get(&w).map(|(n, _)| n.clone())),
                    about,
                    figures: s.figures.clone(),
                    days_over: s.days_over,
                    cause: s.cause.clone(),
                    link: link_of(s),
                    acknowledged: ack,
                    key,
                }
            })
            .collect()
    }
}

/// What the attention page is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttentionFilter {
    /// Only this coordinator's signals.
    pub coordinator: Option<i64>,
    pub kind: Option<SignalKind>,
    pub urgency: Option<Urgency>,
    /// Which page of [`SIGNALS_PAGE`] signals, from 1; past the last is the last.
    pub page: usize,
}

/// Signals on one page of the attention page (and the API's answer): a
/// programme's worth of cards at once helps nobody and costs every reader.
pub const SIGNALS_PAGE: usize = 50;

impl AttentionFilter {
    /// The filter as a query string gives it; empty means all, anything
    /// else unknown is refused by its field.
    pub fn parse(
        coordinator: &str,
        kind: &str,
        urgency: &str,
        page: &str,
    ) -> Result<AttentionFilter> {
        let mut errors = Invalid::new();
        let coordinator = match coordinator.trim() {
            "" => None,
            v => v.parse::<i64>().ok().or_else(|| {
                errors.add("coordinator", "error-choose-option");
                None
            }),
        };
        let kind = match kind.trim() {
            "" => None,
            v => SignalKind::parse(v).or_else(|| {
                errors.add("kind", "error-choose-option");
                None
            }),
        };
        let urgency = match urgency.trim() {
            "" => None,
            v => Urgency::parse(v).or_else(|| {
                errors.add("urgency", "error-choose-option");
                None
            }),
        };
        let page = match page.trim() {
            "" => 1,
            v => v
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .unwrap_or_else(|| {
                    errors.add("page", "error-page-number");
                    1
                }),
        };
        errors.finish()?;
        Ok(AttentionFilter {
            coordinator,
            kind,
            urgency,
            page,
        })
    }
}

/// A coordinator one can filter the attention page by.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoordinatorOption {
    pub worker_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: SignalKind,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UrgencyCount {
    pub urgency: Urgency,
    pub count: usize,
}

/// The team's open signals, by kind and urgency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttentionView {
    /// Where the page keeps what it rendered of this view, as long as the
    /// signals it shows are current.
    #[serde(skip)]
    pub renditions: Arc<crate::Renditions>,
    pub today: NaiveDate,
    /// The signals of this page, most urgent first.
    pub signals: Vec<SignalView>,
    /// Signals after the filters, on all pages.
    pub total: usize,
    /// This page (past the last asked for: the last) and how many there are.
    pub page: usize,
    pub pages: usize,
    /// Signals after the filters per urgency, on all pages.
    pub by_urgency: Vec<UrgencyCount>,
    /// Open signals per kind, before the kind and urgency filters.
    pub counts: Vec<KindCount>,
    pub coordinators: Vec<CoordinatorOption>,
}

/// An acknowledgement as a form or JSON sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcknowledgeInput {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub cause: String,
    /// Why no action is needed now, or what was done.
    #[serde(default)]
    pub note: String,
}

/// The longest acknowledgement note kept.
const NOTE_MAX: usize = 2_000;

impl App {
    /// Whose signals the actor sees: a supervisor their team's, a coordinator
    /// their own families' and their own caseload.
    fn signal_scope(&self, actor: &Actor) -> Result<Scope> {
        match actor.role {
            Role::Supervisor => actor.team_id.map(Scope::Team).ok_or(AppError::Forbidden),
            Role::Coordinator => actor
                .worker_id
                .map(Scope::Coordinator)
                .ok_or(AppError::Forbidden),
            _ => Err(AppError::Forbidden),
        }
    }

    /// The attention page: every open signal of the team (a coordinator:
    /// their own), most urgent first, narrowed by the filter.
    pub async fn attention(
        &self,
        actor: &Actor,
        filter: &AttentionFilter,
    ) -> Result<Arc<AttentionView>> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "signal.attention",
        )
        .await?;
        let scope = self.signal_scope(actor)?;
        let today = self.today();
        let kept = self.kept_signals(actor, scope, today).await?;
        let view = {
            let mut built = kept.built.lock().unwrap_or_else(|p| p.into_inner());
            match built.iter().find(|(f, _)| f == filter) {
                Some((_, view)) => Arc::clone(view),
                None => {
                    let view = Arc::new(attention_view(&kept, filter, today));
                    if built.len() == BUILT_VIEWS {
                        built.remove(0);
                    }
                    built.push((filter.clone(), Arc::clone(&view)));
                    view
                }
            }
        };
        self.record_signals(actor, "signal.attention", &view.signals)
            .await?;
        Ok(view)
    }

    /// A read of signals names the families it showed.
    pub(crate) async fn record_signals(
        &self,
        actor: &Actor,
        action: &str,
        signals: &[SignalView],
    ) -> Result<()> {
        let mut ids: Vec<i64> = signals.iter().filter_map(|s| s.family_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let detail = serde_json::json!({ "families": ids }).to_string();
        self.record_detail(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(detail),
        )
        .await
    }

    /// Acknowledges an open signal with a note. It stays on the page as
    /// acknowledged until its cause changes; nothing is deleted.
    pub async fn acknowledge_signal(&self, actor: &Actor, input: &AcknowledgeInput) -> Result<()> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "signal.acknowledge",
        )
        .await?;
        let note = input.note.trim();
        let mut errors = Invalid::new();
        if note.is_empty() {
            errors.add("note", "error-required");
        } else if note.chars().count() > NOTE_MAX {
            errors.add("note", "error-too-long");
        }
        errors.finish()?;
        let scope = self.signal_scope(actor)?;
        let today = self.today();
        let mut tx = self.write().await?;
        let gathered = gather(&mut tx, scope, today).await?;
        let found = gathered
            .signals
            .iter()
            .find(|s| s.key() == input.key.trim() && s.cause == input.cause.trim());
        let Some(signal) = found else {
            // Gone (its cause changed since the page was shown) or never the
            // actor's to see: either way nothing to acknowledge.
            return Err(self
                .refuse_as(
                    tx,
                    actor,
                    Target::default(),
                    "signal.acknowledge",
                    Outcome::NotFound,
                    AppError::Conflict("error-signal-gone"),
                )
                .await);
        };
        if !rules::may_acknowledge(actor.role, signal.kind) {
            return Err(self
                .refuse_as(
                    tx,
                    actor,
                    Target::default(),
                    "signal.acknowledge",
                    Outcome::Refused,
                    AppError::Forbidden,
                )
                .await);
        }
        let family_id = signal.family_id();
        let team_id = family_id
            .and_then(|f| gathered.family_teams.get(&f).copied())
            .or_else(|| {
                signal
                    .coordinator_id
                    .and_then(|w| gathered.coordinators.get(&w).map(|(_, t)| *t))
            })
            .or(actor.team_id)
            .ok_or(AppError::Forbidden)?;
        store::acknowledge(
            &mut tx,
            &store::NewAcknowledgement {
                team_id,
                family_id,
                signal_key: &signal.key(),
                cause: &signal.cause,
                note,
                acknowledged_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        let target = family_id.map(Target::family).unwrap_or_default();
        self.log(
            &mut tx,
            actor,
            target,
            "signal.acknowledge",
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The attention page's view of kept signals through a filter.
fn attention_view(kept: &KeptSignals, filter: &AttentionFilter, today: NaiveDate) -> AttentionView {
    let by_coordinator: Vec<&SignalView> = kept
        .views
        .iter()
        .filter(|s| filter.coordinator.is_none() || s.coordinator_id == filter.coordinator)
        .collect();
    let counts = SignalKind::ALL
        .into_iter()
        .map(|kind| KindCount {
            kind,
            count: by_coordinator.iter().filter(|s| s.kind == kind).count(),
        })
        .filter(|c| c.count > 0)
        .collect();
    let filtered: Vec<&SignalView> = by_coordinator
        .into_iter()
        .filter(|s| filter.kind.is_none_or(|k| s.kind == k))
        .filter(|s| filter.urgency.is_none_or(|u| s.urgency == u))
        .collect();
    let total = filtered.len();
    let pages = total.div_ceil(SIGNALS_PAGE).max(1);
    let page = filter.page.clamp(1, pages);
    let by_urgency = Urgency::ALL
        .into_iter()
        .map(|urgency| UrgencyCount {
            urgency,
            count: filtered.iter().filter(|s| s.urgency == urgency).count(),
        })
        .filter(|c| c.count > 0)
        .collect();
    let signals: Vec<SignalView> = filtered
        .into_iter()
        .skip((page - 1) * SIGNALS_PAGE)
        .take(SIGNALS_PAGE)
        .cloned()
        .collect();
    let mut coordinators: Vec<CoordinatorOption> = kept
        .gathered
        .coordinators
        .iter()
        .map(|(id, (name, _))| CoordinatorOption {
            worker_id: *id,
            name: name.clone(),
        })
        .collect();
    coordinators.sort_by(|a, b| a.name.cmp(&b.name).then(a.worker_id.cmp(&b.worker_id)));
    AttentionView {
        renditions: Arc::clone(&kept.renditions),
        today,
        signals,
        total,
        page,
        pages,
        by_urgency,
        counts,
        coordinators,
    }
}
