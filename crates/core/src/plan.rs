//! The family plan: the family's own words, a safety plan, goals with a Goal
//! Attainment Scale, actions and the natural supports network. A plan belongs
//! to an episode and lives in versions: a draft is edited, an agreed version
//! (the family agreed) is never edited again; changing it starts a new draft.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::Invalid;

/// ρ of the Goal Attainment Scaling T-score: the assumed correlation between goals.
pub const GAS_RHO: f64 = 0.3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Agreed,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Agreed => "agreed",
        }
    }

    pub fn parse(value: &str) -> Option<PlanStatus> {
        match value {
            "draft" => Some(PlanStatus::Draft),
            "agreed" => Some(PlanStatus::Agreed),
            _ => None,
        }
    }
}

/// How the family agreed to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgreementMethod {
    SignedOnPaper,
    InPerson,
    Digital,
}

impl AgreementMethod {
    pub const ALL: [AgreementMethod; 3] = [
        AgreementMethod::SignedOnPaper,
        AgreementMethod::InPerson,
        AgreementMethod::Digital,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgreementMethod::SignedOnPaper => "signed_on_paper",
            AgreementMethod::InPerson => "in_person",
            AgreementMethod::Digital => "digital",
        }
    }

    pub fn parse(value: &str) -> Option<AgreementMethod> {
        AgreementMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == value)
    }
}

/// Who carries out an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OwnerKind {
    FamilyMember,
    Network,
    Coordinator,
    Provider,
}

impl OwnerKind {
    pub const ALL: [OwnerKind; 4] = [
        OwnerKind::FamilyMember,
        OwnerKind::Network,
        OwnerKind::Coordinator,
        OwnerKind::Provider,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::FamilyMember => "family_member",
            OwnerKind::Network => "network",
            OwnerKind::Coordinator => "coordinator",
            OwnerKind::Provider => "provider",
        }
    }

    pub fn parse(value: &str) -> Option<OwnerKind> {
        OwnerKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::Open,
        ActionStatus::Done,
        ActionStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn parse(value: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// The safety and crisis plan: what can go wrong, the signs, who does what, who to call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyPlan {
    pub risks: String,
    pub signs: String,
    pub who_does_what: String,
    pub who_to_call: String,
}

/// One goal with its Goal Attainment Scale. `key` stays the same across versions,
/// so a goal can be followed (and scored) through every version of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    pub key: String,
    /// A life-domain code from the list of domains.
    pub domain: String,
    pub description: String,
    /// The persons (ids) the goal concerns.
    pub persons: Vec<i64>,
    pub target_date: Option<NaiveDate>,
    /// Descriptions of the levels −2, −1, 0, +1, +2 (in that order).
    pub levels: [String; 5],
    /// The level at the start, −2 … +2 (usually −1 or −2).
    pub baseline: i8,
    /// Weight in the T-score; 1 unless the family and coordinator chose otherwise.
    pub weight: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    pub key: String,
    pub goal_key: String,
    pub what: String,
    pub owner_kind: OwnerKind,
    /// Who exactly: a family member's or network member's name, a provider.
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
}

/// Someone from the family's natural supports network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NetworkMember {
    pub key: String,
    pub name: String,
    /// Grandparent, neighbour, friend, teacher, coach…
    pub relation: String,
    pub contact: String,
    /// Their part in the plan.
    pub part: String,
}

/// Everything a plan version says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanContent {
    /// In the family's own words: where they want to be.
    pub vision: String,
    pub strengths: String,
    pub concerns: String,
    pub needs: String,
    pub safety: SafetyPlan,
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub network: Vec<NetworkMember>,
}

/// Why a plan step is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanRefusal {
    #[error("an agreed version is never edited; start a new draft")]
    Agreed,
    #[error("only an agreed version can be the base of a new draft")]
    NotAgreed,
    #[error("an empty plan cannot be agreed")]
    Empty,
}

impl PlanRefusal {
    pub fn key(self) -> &'static str {
        match self {
            PlanRefusal::Agreed => "error-plan-agreed",
            PlanRefusal::NotAgreed => "error-plan-not-agreed",
            PlanRefusal::Empty => "error-plan-empty",
        }
    }
}

/// A plan version with the rule that an agreed one never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanVersion {
    pub number: u32,
    pub status: PlanStatus,
    pub content: PlanContent,
}

impl PlanVersion {
    /// The first draft of a new plan.
    pub fn first() -> PlanVersion {
        PlanVersion {
            number: 1,
            status: PlanStatus::Draft,
            content: PlanContent::default(),
        }
    }

    /// Replaces the content of a draft; an agreed version refuses.
    pub fn edit(&mut self, content: PlanContent) -> Result<(), PlanRefusal> {
        if self.status == PlanStatus::Agreed {
            return Err(PlanRefusal::Agreed);
        }
        self.content = content;
        Ok(())
    }

    /// The family agrees: a draft with at least one goal becomes agreed.
    pub fn agree(&mut self) -> Result<(), PlanRefusal> {
        if self.status == PlanStatus::Agreed {
            return Err(PlanRefusal::Agreed);
        }
        if self.content.goals.is_empty() {
            return Err(PlanRefusal::Empty);
        }
        self.status = PlanStatus::Agreed;
        Ok(())
    }

    /// A new draft that starts as a copy of this agreed version.
    pub fn next_draft(&self) -> Result<PlanVersion, PlanRefusal> {
        if self.status != PlanStatus::Agreed {
            return Err(PlanRefusal::NotAgreed);
        }
        Ok(PlanVersion {
            number: self.number + 1,
            status: PlanStatus::Draft,
            content: self.content.clone(),
        })
    }
}

/// Checks a plan's content: goals need a description, a known life domain, a
/// target date not before the plan's start, a baseline in −2…+2 and a weight;
/// actions need what and an owner and must belong to a goal of the plan.
pub fn validate(
    content: &PlanContent,
    domains: &[&str],
    starts_on: NaiveDate,
) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    let mut keys = std::collections::BTreeSet::new();
    for (i, g) in content.goals.iter().enumerate() {
        let field = format!("goals[{i}]");
        if !keys.insert(g.key.as_str()) || g.key.trim().is_empty() {
            errors.add(format!("{field}.key"), "error-duplicate");
        }
        if g.description.trim().is_empty() {
            errors.add(format!("{field}.description"), "error-required");
        }
        if !domains.contains(&g.domain.as_str()) {
            errors.add(format!("{field}.domain"), "error-choose-option");
        }
        if g.target_date.is_some_and(|d| d < starts_on) {
            errors.add(format!("{field}.target_date"), "error-target-before-plan");
        }
        if !(-2..=2).contains(&g.baseline) {
            errors.add(format!("{field}.baseline"), "error-gas-level");
        }
        if g.weight == 0 || g.weight > 10 {
            errors.add(format!("{field}.weight"), "error-gas-weight");
        }
    }
    for (i, a) in content.actions.iter().enumerate() {
        let field = format!("actions[{i}]");
        if a.what.trim().is_empty() {
            errors.add(format!("{field}.what"), "error-required");
        }
        if a.owner.trim().is_empty() {
            errors.add(format!("{field}.owner"), "error-action-owner");
        }
        if !content.goals.iter().any(|g| g.key == a.goal_key) {
            errors.add(format!("{field}.goal_key"), "error-choose-option");
        }
    }
    for (i, n) in content.network.iter().enumerate() {
        if n.name.trim().is_empty() {
            errors.add(format!("network[{i}].name"), "error-required");
        }
    }
    errors.finish()
}

/// A dated Goal Attainment Scaling score of one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub scored_on: NaiveDate,
    pub level: i8,
}

/// Whether a score is on the scale.
pub fn valid_level(level: i64) -> bool {
    (-2..=2).contains(&level)
}

/// The Goal Attainment Scaling T-score of (weight, level) pairs:
/// T = 50 + 10·Σwᵢxᵢ / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²). `None` without goals.
pub fn t_score(scored: &[(u8, i8)], rho: f64) -> Option<f64> {
    if scored.is_empty() {
        return None;
    }
    let sum_wx: f64 = scored
        .iter()
        .map(|(w, x)| f64::from(*w) * f64::from(*x))
        .sum();
    let sum_w: f64 = scored.iter().map(|(w, _)| f64::from(*w)).sum();
    let sum_w2: f64 = scored.iter().map(|(w, _)| f64::from(*w).powi(2)).sum();
    let denominator = ((1.0 - rho) * sum_w2 + rho * sum_w.powi(2)).sqrt();
    if denominator <= 0.0 {
        return None;
    }
    Some(50.0 + 10.0 * sum_wx / denominator)
}

/// The T-score of a plan on a date: each goal counts with its latest score on or
/// before that date, or its baseline when it has not been scored yet.
pub fn t_score_on(
    goals: &[Goal],
    scores: &BTreeMap<String, Vec<Score>>,
    on: NaiveDate,
) -> Option<f64> {
    let levels: Vec<(u8, i8)> = goals
        .iter()
        .map(|g| {
            let latest = scores
                .get(&g.key)
                .and_then(|list| {
                    list.iter()
                        .filter(|s| s.scored_on <= on)
                        .max_by_key(|s| s.scored_on)
                })
                .map(|s| s.level)
                .unwrap_or(g.baseline);
            (g.weight.max(1), latest)
        })
        .collect();
    t_score(&levels, GAS_RHO)
}

/// The latest day a goal's attainment moved: the day of the latest score
/// whose level differs from the score before it (the baseline, for the
/// first). `scores` are (day, level) in the order recorded by day; `None`
/// while no score ever left the baseline.
pub fn level_last_changed(
    baseline: i8,
    scores: impl IntoIterator<Item = (NaiveDate, i8)>,
) -> Option<NaiveDate> {
    let mut previous = baseline;
    let mut changed = None;
    for (on, level) in scores {
        if level != previous {
            changed = Some(changed.map_or(on, |c: NaiveDate| c.max(on)));
        }
        previous = level;
    }
    changed
}

/// What changed between two versions, by stable key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanDiff {
    pub texts_changed: Vec<String>,
    pub goals: Changes,
    pub actions: Changes,
    pub network: Changes,
}

/// Keys added, removed and changed, with a label for each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    fn of<T: PartialEq>(
        old: &[T],
        new: &[T],
        key: impl Fn(&T) -> &str,
        label: impl Fn(&T) -> String,
    ) -> Changes {
        let mut changes = Changes::default();
        for n in new {
            match old.iter().find(|o| key(o) == key(n)) {
                None => changes.added.push(label(n)),
                Some(o) if o != n => changes.changed.push(label(n)),
                Some(_) => {}
            }
        }
        for o in old {
            if !new.iter().any(|n| key(n) == key(o)) {
                changes.removed.push(label(o));
            }
        }
        changes
    }
}

impl PlanDiff {
    pub fn between(old: &PlanContent, new: &PlanContent) -> PlanDiff {
        let mut texts_changed = Vec::new();
        for (name, a, b) in [
            ("vision", &old.vision, &new.vision),
            ("strengths", &old.strengths, &new.strengths),
            ("concerns", &old.concerns, &new.concerns),
            ("needs", &old.needs, &new.needs),
        ] {
            if a != b {
                texts_changed.push(name.to_string());
            }
        }
        if old.safety != new.safety {
            texts_changed.push("safety".to_string());
        }
        PlanDiff {
            texts_changed,
            goals: Changes::of(
                &old.goals,
                &new.goals,
                |g| &g.key,
                |g| g.description.clone(),
            ),
            actions: Changes::of(&old.actions, &new.actions, |a| &a.key, |a| a.what.clone()),
            network: Changes::of(&old.network, &new.network, |n| &n.key, |n| n.name.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.texts_changed.is_empty()
            && self.goals.is_empty()
            && self.actions.is_empty()
            && self.network.is_empty()
    }
}

/// Review timing: the first agreed plan is due within `first_weeks` of the start
/// of help, and each agreed version is reviewed every `review_weeks`.
pub fn review_due(
    started_on: NaiveDate,
    last_agreed_on: Option<NaiveDate>,
    first_weeks: u32,
    review_weeks: u32,
) -> NaiveDate {
    match last_agreed_on {
        None => started_on + chrono::Duration::weeks(i64::from(first_weeks)),
        Some(agreed) => agreed + chrono::Duration::weeks(i64::from(review_weeks)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn goal(key: &str) -> Goal {
        Goal {
            key: key.into(),
            domain: "housing".into(),
            description: format!("Goal {key}"),
            persons: vec![1],
            target_date: Some(d("2026-12-01")),
            levels: ["a".into(), "b".into(), "c".into(), "d".into(), "e".into()],
            baseline: -1,
            weight: 1,
        }
    }

    fn content() -> PlanContent {
        PlanContent {
            vision: "Rust in huis".into(),
            goals: vec![goal("g1"), goal("g2")],
            actions: vec![Action {
                key: "a1".into(),
                goal_key: "g1".into(),
                what: "Schuldhulp bellen".into(),
                owner_kind: OwnerKind::FamilyMember,
                owner: "Moeder".into(),
                due_on: None,
                status: ActionStatus::Open,
            }],
            network: vec![NetworkMember {
                key: "n1".into(),
                name: "Oma Truus".into(),
                relation: "grootmoeder".into(),
                contact: "06".into(),
                part: "Haalt de kinderen op".into(),
            }],
            ..PlanContent::default()
        }
    }

    #[test]
    fn a_goal_moves_when_a_score_differs_from_the_one_before() {
        let on = |day: &str| d(day);
        assert_eq!(level_last_changed(-1, []), None);
        assert_eq!(
            level_last_changed(-1, [(on("2026-01-05"), -1), (on("2026-02-02"), -1)]),
            None,
            "scored at the baseline twice"
        );
        assert_eq!(
            level_last_changed(
                -1,
                [
                    (on("2026-01-05"), 0),
                    (on("2026-02-02"), 0),
                    (on("2026-03-02"), 0)
                ]
            ),
            Some(on("2026-01-05"))
        );
        assert_eq!(
            level_last_changed(0, [(on("2026-01-05"), 1), (on("2026-02-02"), 0)]),
            Some(on("2026-02-02")),
            "falling back is a change too"
        );
    }

    #[test]
    fn t_score_is_fifty_at_expected_outcome() {
        assert_eq!(t_score(&[(1, 0), (1, 0), (1, 0)], GAS_RHO), Some(50.0));
        assert_eq!(t_score(&[], GAS_RHO), None);
        // One goal at +1: 50 + 10·1/√(0.7 + 0.3) = 60.
        let one = t_score(&[(1, 1)], GAS_RHO).expect("score");
        assert!((one - 60.0).abs() < 1e-9);
        // Two goals at −1 and +2 with weights 1: 50 + 10·1/√(0.7·2 + 0.3·4) = 56.20…
        let two = t_score(&[(1, -1), (1, 2)], GAS_RHO).expect("score");
        assert!((two - (50.0 + 10.0 / (2.6f64).sqrt())).abs() < 1e-9);
    }

    #[test]
    fn t_score_on_a_date_uses_latest_scores_or_baselines() {
        let goals = vec![goal("g1"), goal("g2")];
        let mut scores = BTreeMap::new();
        scores.insert(
            "g1".to_string(),
            vec![
                Score {
                    scored_on: d("2026-03-01"),
                    level: 0,
                },
                Score {
                    scored_on: d("2026-05-01"),
                    level: 2,
                },
            ],
        );
        let before = t_score_on(&goals, &scores, d("2026-02-01")).expect("score");
        let middle = t_score_on(&goals, &scores, d("2026-04-01")).expect("score");
        let after = t_score_on(&goals, &scores, d("2026-06-01")).expect("score");
        assert!(before < middle && middle < after);
        assert!((before - t_score(&[(1, -1), (1, -1)], GAS_RHO).expect("t")).abs() < 1e-9);
    }

    #[test]
    fn agreed_versions_are_never_edited() {
        let mut v = PlanVersion::first();
        assert_eq!(v.agree(), Err(PlanRefusal::Empty));
        v.edit(content()).expect("draft edits");
        v.agree().expect("agree");
        assert_eq!(v.edit(PlanContent::default()), Err(PlanRefusal::Agreed));
        assert_eq!(v.agree(), Err(PlanRefusal::Agreed));
        assert_eq!(v.content, content());
        let next = v.next_draft().expect("next");
        assert_eq!((next.number, next.status), (2, PlanStatus::Draft));
        assert_eq!(next.next_draft(), Err(PlanRefusal::NotAgreed));
    }

    #[test]
    fn validation_names_each_field() {
        let mut c = content();
        c.goals[0].description.clear();
        c.goals[1].target_date = Some(d("2025-01-01"));
        c.goals[1].baseline = 3;
        c.actions[0].owner.clear();
        let err = validate(&c, &["housing"], d("2026-01-01")).expect_err("invalid");
        let found: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.key)).collect();
        assert!(found.contains(&("goals[0].description", "error-required")));
        assert!(found.contains(&("goals[1].target_date", "error-target-before-plan")));
        assert!(found.contains(&("goals[1].baseline", "error-gas-level")));
        assert!(found.contains(&("actions[0].owner", "error-action-owner")));
        assert!(validate(&content(), &["housing"], d("2026-01-01")).is_ok());
        assert!(validate(&content(), &["school"], d("2026-01-01")).is_err());
    }

    #[test]
    fn diff_names_added_removed_and_changed() {
        let old = content();
        let mut new = content();
        new.goals.remove(1);
        new.goals[0].description = "Eigen woning".into();
        new.goals.push(goal("g3"));
        new.network.clear();
        new.vision = "Anders".into();
        let diff = PlanDiff::between(&old, &new);
        assert_eq!(diff.goals.added, vec!["Goal g3".to_string()]);
        assert_eq!(diff.goals.removed, vec!["Goal g2".to_string()]);
        assert_eq!(diff.goals.changed, vec!["Eigen woning".to_string()]);
        assert_eq!(diff.network.removed, vec!["Oma Truus".to_string()]);
        assert_eq!(diff.texts_changed, vec!["vision".to_string()]);
        assert!(PlanDiff::between(&old, &old).is_empty());
    }

    #[test]
    fn reviews_fall_due_after_the_norm() {
        assert_eq!(review_due(d("2026-01-01"), None, 6, 13), d("2026-02-12"));
        assert_eq!(
            review_due(d("2026-01-01"), Some(d("2026-02-01")), 6, 13),
            d("2026-05-03")
        );
    }

    fn levels() -> impl Strategy<Value = Vec<(u8, i8)>> {
        proptest::collection::vec((1u8..5, -2i8..=2), 1..12)
    }

    proptest! {
        #[test]
        fn all_expected_outcomes_give_fifty(weights in proptest::collection::vec(1u8..10, 1..15)) {
            let scored: Vec<(u8, i8)> = weights.iter().map(|w| (*w, 0)).collect();
            let t = t_score(&scored, GAS_RHO).expect("score");
            prop_assert!((t - 50.0).abs() < 1e-9);
        }

        #[test]
        fn raising_any_score_raises_the_t_score(mut scored in levels(), pick in 0usize..12) {
            let i = pick % scored.len();
            prop_assume!(scored[i].1 < 2);
            let before = t_score(&scored, GAS_RHO).expect("score");
            scored[i].1 += 1;
            let after = t_score(&scored, GAS_RHO).expect("score");
            prop_assert!(after > before);
        }

        #[test]
        fn t_score_matches_the_formula(scored in levels()) {
            let sum_wx: f64 = scored.iter().map(|(w, x)| f64::from(*w) * f64::from(*x)).sum();
            let sum_w: f64 = scored.iter().map(|(w, _)| f64::from(*w)).sum();
            let sum_w2: f64 = scored.iter().map(|(w, _)| f64::from(*w).powi(2)).sum();
            let expected = 50.0 + 10.0 * sum_wx / (0.7 * sum_w2 + 0.3 * sum_w * sum_w).sqrt();
            let t = t_score(&scored, GAS_RHO).expect("score");
            prop_assert!((t - expected).abs() < 1e-9);
        }

        #[test]
        fn an_agreed_version_refuses_every_edit(vision in ".{0,20}", goals in 1usize..4) {
            let mut v = PlanVersion::first();
            let mut c = content();
            c.goals = (0..goals).map(|i| goal(&format!("g{i}"))).collect();
            c.actions.clear();
            v.edit(c.clone()).expect("draft");
            v.agree().expect("agree");
            let attempt = PlanContent { vision, ..PlanContent::default() };
            prop_assert_eq!(v.edit(attempt), Err(PlanRefusal::Agreed));
            prop_assert_eq!(&v.content, &c);
            prop_assert_eq!(v.status, PlanStatus::Agreed);
        }
    }
}
