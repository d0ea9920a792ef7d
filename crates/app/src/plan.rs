//! Use cases of the family plan: read it, save the draft, record the family's
//! agreement, start a new draft from an agreed version, score goals, compare versions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::dates::parse_date;
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::plan::{
    self, Action, ActionStatus, AgreementMethod, Goal, NetworkMember, OwnerKind, PlanContent,
    PlanDiff, PlanStatus, PlanVersion, SafetyPlan, Score,
};
use wrapcare_core::validation::{Invalid, number_or_string};
use wrapcare_store::{Tx, episode, family, plan as store, programme};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// The plan as typed (form or JSON), before validation. Keys of existing goals,
/// actions and network members are kept; new ones get a key here.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PlanInput {
    #[serde(default)]
    pub vision: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub concerns: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub safety: SafetyPlan,
    #[serde(default)]
    pub goals: Vec<GoalInput>,
    #[serde(default)]
    pub actions: Vec<ActionInput>,
    #[serde(default)]
    pub network: Vec<NetworkInput>,
    /// The draft's version as read (0 for a plan that has no version yet).
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct GoalInput {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub persons: Vec<i64>,
    /// YYYY-MM-DD, optional.
    #[serde(default)]
    pub target_date: String,
    /// Descriptions of the levels −2, −1, 0, +1, +2.
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i8)]
    pub baseline: String,
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = Option<u8>)]
    pub weight: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ActionInput {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub goal_key: String,
    #[serde(default)]
    pub what: String,
    /// family_member, network, coordinator or provider.
    #[serde(default)]
    pub owner_kind: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due_on: String,
    /// open, done or dropped; open when omitted.
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NetworkInput {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub part: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AgreeInput {
    /// Who of the family agreed (names).
    #[serde(default)]
    pub agreed_by: String,
    #[serde(default)]
    pub agreed_on: String,
    /// signed_on_paper, in_person or digital.
    #[serde(default)]
    pub how: String,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScoreInput {
    #[serde(default)]
    pub goal_key: String,
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i8)]
    pub level: String,
    /// YYYY-MM-DD; today when omitted.
    #[serde(default)]
    pub scored_on: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub family_id: i64,
    pub episode_id: i64,
    pub episode_state: EpisodeState,
    pub started_on: Option<NaiveDate>,
    pub versions: Vec<VersionSummary>,
    /// The newest version (the draft, or the latest agreed one).
    pub current: Option<VersionView>,
    /// The T-score today, from each goal's latest score (or baseline).
    pub t_score: Option<f64>,
    /// The T-score on each day a score was recorded.
    pub t_history: Vec<TPoint>,
    pub scores: BTreeMap<String, Vec<Score>>,
    /// When the next agreement or review is due, and whether it is past.
    pub review_due: Option<NaiveDate>,
    pub overdue: bool,
    pub domains: Vec<DomainView>,
    pub persons: Vec<PersonRef>,
    /// The family's latest self-sufficiency per life domain (its
    /// questionnaire), to read beside that domain's goals.
    pub self_sufficiency: BTreeMap<String, DomainLevel>,
}

/// A life domain's latest self-sufficiency score, and its first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainLevel {
    pub latest: f64,
    pub taken_on: NaiveDate,
    pub first: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionSummary {
    pub number: u32,
    pub status: PlanStatus,
    pub agreed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub number: u32,
    pub status: PlanStatus,
    pub content: PlanContent,
    pub agreed_by: Option<String>,
    pub agreed_on: Option<NaiveDate>,
    pub agreed_how: Option<AgreementMethod>,
    /// For the next save: a stale one is refused.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TPoint {
    pub on: NaiveDate,
    pub t: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainView {
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub person_id: i64,
    pub name: String,
}

fn new_key(prefix: &str) -> String {
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn optional_date(errors: &mut Invalid, field: &str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let parsed = parse_date(v);
    if parsed.is_none() {
        errors.add(field, "error-date-format");
    }
    parsed
}

impl PlanInput {
    /// The content this input describes, with field errors for what cannot be read.
    pub fn content(&self) -> Result<PlanContent, Invalid> {
        let mut errors = Invalid::new();
        let goals: Vec<Goal> = self
            .goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let field = format!("goals[{i}]");
                let baseline = match g.baseline.trim() {
                    "" => -1,
                    v => v
                        .parse::<i8>()
                        .ok()
                        .filter(|l| plan::valid_level(i64::from(*l)))
                        .unwrap_or_else(|| {
                            errors.add(format!("{field}.baseline"), "error-gas-level");
                            0
                        }),
                };
                let weight = match g.weight.trim() {
                    "" => 1,
                    v => v
                        .parse::<u8>()
                        .ok()
                        .filter(|w| (1..=10).contains(w))
                        .unwrap_or_else(|| {
                            errors.add(format!("{field}.weight"), "error-gas-weight");
                            1
                        }),
                };
                let mut levels: [String; 5] = Default::default();
                for (slot, text) in levels.iter_mut().zip(g.levels.iter()) {
                    *slot = text.trim().to_string();
                }
                Goal {
                    key: if g.key.trim().is_empty() {
                        new_key("g")
                    } else {
                        g.key.trim().to_string()
                    },
                    domain: g.domain.trim().to_string(),
                    description: g.description.trim().to_string(),
                    persons: g.persons.clone(),
                    target_date: optional_date(
                        &mut errors,
                        &format!("{field}.target_date"),
                        &g.target_date,
                    ),
                    levels,
                    baseline,
                    weight,
                }
            })
            .collect();
        let actions = self
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let field = format!("actions[{i}]");
                let owner_kind = OwnerKind::parse(a.owner_kind.trim()).unwrap_or_else(|| {
                    errors.add(format!("{field}.owner_kind"), "error-action-owner");
                    OwnerKind::FamilyMember
                });
                let status = match a.status.trim() {
                    "" => ActionStatus::Open,
                    v => ActionStatus::parse(v).unwrap_or_else(|| {
                        errors.add(format!("{field}.status"), "error-choose-option");
                        ActionStatus::Open
                    }),
                };
                Action {
                    key: if a.key.trim().is_empty() {
                        new_key("a")
                    } else {
                        a.key.trim().to_string()
                    },
                    goal_key: a.goal_key.trim().to_string(),
                    what: a.what.trim().to_string(),
                    owner_kind,
                    owner: a.owner.trim().to_string(),
                    due_on: optional_date(&mut errors, &format!("{field}.due_on"), &a.due_on),
                    status,
                }
            })
            .collect();
        let network = self
            .network
            .iter()
            .map(|n| NetworkMember {
                key: if n.key.trim().is_empty() {
                    new_key("n")
                } else {
                    n.key.trim().to_string()
                },
                name: n.name.trim().to_string(),
                relation: n.relation.trim().to_string(),
                contact: n.contact.trim().to_string(),
                part: n.part.trim().to_string(),
            })
            .collect();
        errors.finish()?;
        Ok(PlanContent {
            vision: self.vision.trim().to_string(),
            strengths: self.strengths.trim().to_string(),
            concerns: self.concerns.trim().to_string(),
            needs: self.needs.trim().to_string(),
            safety: SafetyPlan {
                risks: self.safety.risks.trim().to_string(),
                signs: self.safety.signs.trim().to_string(),
                who_does_what: self.safety.who_does_what.trim().to_string(),
                who_to_call: self.safety.who_to_call.trim().to_string(),
            },
            goals,
            actions,
            network,
        })
    }
}

/// The newest version and the domain's view of it.
fn latest(versions: &[store::StoredVersion]) -> Option<(&store::StoredVersion, PlanVersion)> {
    versions.last().map(|v| {
        (
            v,
            PlanVersion {
                number: v.number,
                status: v.status,
                content: v.content.clone(),
            },
        )
    })
}

impl App {
    /// The family's current episode for plan work (changes need it assigned or in care).
    async fn plan_episode(
        &self,
        actor: &Actor,
        family_id: i64,
        action: &str,
    ) -> Result<(Tx, episode::Episode)> {
        let (tx, e, _) = self
            .episode_for(actor, family_id, FileAction::Care, action, None)
            .await?;
        Ok((tx, e))
    }

    /// Logs a plan step and answers with the plan as it now stands, in the step's transaction.
    async fn plan_done(
        &self,
        mut tx: Tx,
        actor: &Actor,
        e: &episode::Episode,
        action: &str,
    ) -> Result<PlanView> {
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let view = self.plan_view(&mut tx, e).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The plan for its edit form: the work of care, so read-only access
    /// (an emergency) does not get it.
    pub async fn plan_to_edit(&self, actor: &Actor, family_id: i64) -> Result<PlanView> {
        let (tx, e) = self
            .plan_episode(actor, family_id, "plan.edit_form")
            .await?;
        Self::check_plan_open(&e)?;
        self.plan_done(tx, actor, &e, "plan.edit_form").await
    }

    /// The whole plan of the family's current episode.
    pub async fn plan(&self, actor: &Actor, family_id: i64) -> Result<PlanView> {
        self.plan_of_episode(actor, family_id, None).await
    }

    /// The whole plan of one episode of the family (the current one when `None`).
    pub async fn plan_of_episode(
        &self,
        actor: &Actor,
        family_id: i64,
        episode_id: Option<i64>,
    ) -> Result<PlanView> {
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, "plan.read", episode_id)
            .await?;
        let view = self.plan_view(&mut tx, &e).await?;
        tx.commit().await?;
        self.record(actor, target, "plan.read", Outcome::Allowed)
            .await?;
        Ok(view)
    }

    /// The plan in brief, for the family page: the newest version, today's
    /// T-score and when a review is due, from the file's newest version and
    /// latest scores instead of every version and score.
    pub(crate) fn plan_summary(
        &self,
        e: &episode::Episode,
        prog: &programme::Programme,
        contents: &wrapcare_store::family::file::Contents,
    ) -> Option<crate::family::PlanSummary> {
        let today = self.today();
        let (latest, last_agreed) = contents.plans.get(&e.id)?;
        let mut scores: BTreeMap<String, Vec<Score>> = BTreeMap::new();
        for s in contents.scores.get(&e.id).into_iter().flatten() {
            scores.entry(s.goal_key.clone()).or_default().push(Score {
                scored_on: s.scored_on,
                level: i8::try_from(s.level).unwrap_or(0),
            });
        }
        let review_due = e.started_on.map(|s| review_due_of(s, *last_agreed, prog));
        Some(crate::family::PlanSummary {
            number: latest.number,
            status: latest.status,
            t_score: plan::t_score_on(&latest.content.goals, &scores, today),
            overdue: e.state == EpisodeState::InCare && review_due.is_some_and(|d| d < today),
            review_due,
        })
    }

    pub(crate) async fn plan_view(&self, tx: &mut Tx, e: &episode::Episode) -> Result<PlanView> {
        let today = self.today();
        let versions = store::versions(tx, e.id).await?;
        let mut scores: BTreeMap<String, Vec<Score>> = BTreeMap::new();
        for s in store::scores(tx, e.id).await? {
            scores.entry(s.goal_key).or_default().push(Score {
                scored_on: s.scored_on,
                level: i8::try_from(s.level).unwrap_or(0),
            });
        }
        let goals: Vec<Goal> = versions
            .last()
            .map(|v| v.content.goals.clone())
            .unwrap_or_default();
        let mut score_days: Vec<NaiveDate> =
            scores.values().flatten().map(|s| s.scored_on).collect();
        score_days.sort();
        score_days.dedup();
        let t_history = score_days
            .into_iter()
            .filter_map(|on| plan::t_score_on(&goals, &scores, on).map(|t| TPoint { on, t }))
            .collect();
        let norms = programme::get(tx, e.programme_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let last_agreed = versions
            .iter()
            .rev()
            .find(|v| v.status == PlanStatus::Agreed)
            .and_then(|v| v.agreed_on);
        let review_due = e.started_on.map(|s| review_due_of(s, last_agreed, &norms));
        let domains = store::life_domains(tx)
            .await?
            .into_iter()
            .map(|d| DomainView {
                code: d.code,
                name_nl: d.name_nl,
                name_en: d.name_en,
            })
            .collect();
        let self_sufficiency = self_sufficiency_of(tx, e.family_id).await?;
        let persons = family::members(tx, e.family_id, today)
            .await?
            .into_iter()
            .map(|m| PersonRef {
                person_id: m.person_id,
                name: format!("{} {}", m.given_name, m.family_name),
            })
            .collect();
        Ok(PlanView {
            family_id: e.family_id,
            episode_id: e.id,
            episode_state: e.state,
            started_on: e.started_on,
            versions: versions
                .iter()
                .map(|v| VersionSummary {
                    number: v.number,
                    status: v.status,
                    agreed_on: v.agreed_on,
                })
                .collect(),
            current: versions.last().map(version_view),
            t_score: plan::t_score_on(&goals, &scores, today),
            t_history,
            scores,
            overdue: e.state == EpisodeState::InCare && review_due.is_some_and(|d| d < today),
            review_due,
            domains,
            persons,
            self_sufficiency,
        })
    }

    fn check_plan_open(e: &episode::Episode) -> Result<()> {
        match e.state {
            EpisodeState::Assigned | EpisodeState::InCare => Ok(()),
            _ => Err(AppError::Conflict("error-episode-not-open")),
        }
    }

    /// Saves the draft (creating version 1 when the plan has none). An agreed
    /// latest version refuses: start a new draft first.
    pub async fn save_plan(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &PlanInput,
    ) -> Result<PlanView> {
        let content = input.content()?;
        let (mut tx, e) = self.plan_episode(actor, family_id, "plan.save").await?;
        Self::check_plan_open(&e)?;
        let domains: Vec<String> = store::life_domains(&mut tx)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let domain_refs: Vec<&str> = domains.iter().map(String::as_str).collect();
        let starts_on = e.started_on.unwrap_or(e.accepted_on);
        plan::validate(&content, &domain_refs, starts_on)?;
        let versions = store::versions(&mut tx, e.id).await?;
        let now = self.now();
        match latest(&versions) {
            None => {
                if input.version != 0 {
                    return Err(AppError::Stale);
                }
                let mut first = PlanVersion::first();
                first
                    .edit(content)
                    .map_err(|r| AppError::Conflict(r.key()))?;
                store::insert_draft(
                    &mut tx,
                    e.id,
                    first.number,
                    &first.content,
                    actor.user_id,
                    now,
                )
                .await?;
            }
            Some((stored, mut domain)) => {
                domain
                    .edit(content)
                    .map_err(|r| AppError::Conflict(r.key()))?;
                store::update_draft(&mut tx, stored.id, &domain.content, input.version, now)
                    .await?;
            }
        }
        self.plan_done(tx, actor, &e, "plan.save").await
    }

    /// Records that the family agreed to the draft.
    pub async fn agree_plan(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &AgreeInput,
    ) -> Result<PlanView> {
        let mut errors = Invalid::new();
        let agreed_by =
            wrapcare_core::validation::required(&mut errors, "agreed_by", &input.agreed_by);
        let agreed_on =
            wrapcare_core::indication::date_field(&mut errors, "agreed_on", &input.agreed_on);
        let how = AgreementMethod::parse(input.how.trim());
        if how.is_none() {
            errors.add("how", "error-choose-option");
        }
        if agreed_on.is_some_and(|d| d > self.today()) {
            errors.add("agreed_on", "error-date-in-future");
        }
        errors.finish()?;
        let (Some(agreed_on), Some(how)) = (agreed_on, how) else {
            return Err(AppError::invalid("agreed_on", "error-required"));
        };
        let (mut tx, e) = self.plan_episode(actor, family_id, "plan.agree").await?;
        Self::check_plan_open(&e)?;
        let versions = store::versions(&mut tx, e.id).await?;
        let Some((stored, mut domain)) = latest(&versions) else {
            return Err(AppError::Conflict("error-plan-empty"));
        };
        domain.agree().map_err(|r| AppError::Conflict(r.key()))?;
        let agreement = store::Agreement {
            agreed_by: &agreed_by,
            agreed_on,
            how,
            recorded_by: actor.user_id,
            goals: &domain.content.goals,
        };
        store::agree(&mut tx, stored.id, &agreement, input.version, self.now()).await?;
        self.plan_done(tx, actor, &e, "plan.agree").await
    }

    /// Starts a new draft as a copy of the latest agreed version.
    pub async fn new_plan_draft(&self, actor: &Actor, family_id: i64) -> Result<PlanView> {
        let (mut tx, e) = self
            .plan_episode(actor, family_id, "plan.new_draft")
            .await?;
        Self::check_plan_open(&e)?;
        let versions = store::versions(&mut tx, e.id).await?;
        let Some((_, domain)) = latest(&versions) else {
            return Err(AppError::Conflict("error-plan-not-agreed"));
        };
        let next = domain
            .next_draft()
            .map_err(|r| AppError::Conflict(r.key()))?;
        store::insert_draft(
            &mut tx,
            e.id,
            next.number,
            &next.content,
            actor.user_id,
            self.now(),
        )
        .await?;
        self.plan_done(tx, actor, &e, "plan.new_draft").await
    }

    /// Records a dated attainment score (−2 … +2) for a goal of the plan.
    pub async fn score_goal(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &ScoreInput,
    ) -> Result<PlanView> {
        let mut errors = Invalid::new();
        let level = input
            .level
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|l| plan::valid_level(*l));
        if level.is_none() {
            errors.add("level", "error-gas-level");
        }
        let scored_on = match input.scored_on.trim() {
            "" => Some(self.today()),
            v => {
                let d = parse_date(v);
                if d.is_none() {
                    errors.add("scored_on", "error-date-format");
                }
                d
            }
        };
        if scored_on.is_some_and(|d| d > self.today()) {
            errors.add("scored_on", "error-date-in-future");
        }
        errors.finish()?;
        let (Some(level), Some(scored_on)) = (level, scored_on) else {
            return Err(AppError::invalid("level", "error-gas-level"));
        };
        let (mut tx, e) = self.plan_episode(actor, family_id, "plan.score").await?;
        Self::check_plan_open(&e)?;
        let versions = store::versions(&mut tx, e.id).await?;
        let known = versions.last().is_some_and(|v| {
            v.content
                .goals
                .iter()
                .any(|g| g.key == input.goal_key.trim())
        });
        if !known {
            return Err(AppError::invalid("goal_key", "error-choose-option"));
        }
        store::insert_score(
            &mut tx,
            e.id,
            input.goal_key.trim(),
            scored_on,
            i8::try_from(level).unwrap_or(0),
            actor.user_id,
            self.now(),
        )
        .await?;
        self.plan_done(tx, actor, &e, "plan.score").await
    }

    /// One version of the plan, and what changed against another.
    pub async fn plan_version(
        &self,
        actor: &Actor,
        family_id: i64,
        episode_id: Option<i64>,
        number: u32,
        compare_with: Option<u32>,
    ) -> Result<(VersionView, Option<PlanDiff>)> {
        let (mut tx, e, target) = self
            .episode_for(
                actor,
                family_id,
                FileAction::Read,
                "plan.read_version",
                episode_id,
            )
            .await?;
        let versions = store::versions(&mut tx, e.id).await?;
        let find = |n: u32| versions.iter().find(|v| v.number == n);
        let Some(chosen) = find(number) else {
            return Err(self
                .refuse(tx, actor, target, "plan.read_version", Outcome::NotFound)
                .await);
        };
        let diff = match compare_with {
            Some(other) => {
                let base = find(other)
                    .ok_or_else(|| AppError::invalid("compare", "error-plan-version"))?;
                Some(PlanDiff::between(&base.content, &chosen.content))
            }
            None => None,
        };
        let shown = version_view(chosen);
        tx.commit().await?;
        self.record(actor, target, "plan.read_version", Outcome::Allowed)
            .await?;
        Ok((shown, diff))
    }
}

/// When the plan is next due: agreed within the programme's first weeks, then reviewed every so many.
fn review_due_of(
    started_on: NaiveDate,
    last_agreed: Option<NaiveDate>,
    prog: &programme::Programme,
) -> NaiveDate {
    plan::review_due(
        started_on,
        last_agreed,
        u32::try_from(prog.plan_first_weeks.max(1)).unwrap_or(6),
        u32::try_from(prog.plan_review_weeks.max(1)).unwrap_or(13),
    )
}

fn version_view(v: &store::StoredVersion) -> VersionView {
    VersionView {
        number: v.number,
        status: v.status,
        content: v.content.clone(),
        agreed_by: v.agreed_by.clone(),
        agreed_on: v.agreed_on,
        agreed_how: v.agreed_how,
        version: v.version,
    }
}

/// The latest self-sufficiency per life domain of a family, from its
/// measurements (the coordinator's, with the family).
async fn self_sufficiency_of(tx: &mut Tx, family_id: i64) -> Result<BTreeMap<String, DomainLevel>> {
    let measurements: Vec<crate::questionnaire::MeasurementView> =
        wrapcare_store::questionnaire::measurements_of_family(tx, family_id)
            .await?
            .into_iter()
            .filter(|m| m.instrument == "self_sufficiency")
            .map(crate::questionnaire::MeasurementView::from)
            .collect();
    let catalogue = crate::questionnaire::catalogue()?;
    Ok(crate::questionnaire::results(catalogue, &measurements)
        .into_iter()
        .flat_map(|r| r.subscales)
        .filter_map(|s| {
            let domain = s.domain?;
            let last = s.points.last()?;
            Some((
                domain,
                DomainLevel {
                    latest: last.value,
                    taken_on: last.taken_on,
                    first: (s.points.len() > 1).then_some(s.first).flatten(),
                },
            ))
        })
        .collect())
}
