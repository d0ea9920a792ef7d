//! Signals: what needs someone's attention this week, and why.
//!
//! Each rule is a pure function of facts the store gathers for a whole team or
//! programme at once, so the team's attention page, a coordinator's day and the
//! weekly meeting's proposed agenda all see the same signals. Thresholds are a
//! programme's settings, with the defaults below.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::caseload::Capacity;
use crate::contact::week_of;
use crate::episode::{EpisodeState, Phase};
use crate::programme::Norms;
use crate::questionnaire::schedule::{self, Due, EpisodeDates, Measured, Planned, Taken};
use crate::role::Role;
use crate::validation::Invalid;

/// A programme's thresholds for the signals; the norms themselves (waiting,
/// budget, weekly hours, caseload) come from [`Norms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Thresholds {
    /// Warn this many days before a waiting family passes the norm.
    pub waiting_warning_days: u32,
    /// Warn when the hours used reach this share of the budget, in percent.
    pub budget_warning_percent: u32,
    /// "Far under the weekly norm": under this share of it, in percent, two weeks running.
    pub under_norm_percent: u32,
    /// A goal whose attainment has not changed for this many weeks.
    pub goal_unchanged_weeks: u32,
    /// A module requested this many weeks ago or longer and not started.
    pub module_start_weeks: u32,
    /// The longest a family should stay in each phase (1 to 4), in weeks.
    pub phase_max_weeks: [u32; 4],
    /// Warn this many weeks before an indication ends.
    pub indication_warning_weeks: u32,
    /// A family in care without any contact for this many days.
    pub no_contact_days: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            waiting_warning_days: 14,
            budget_warning_percent: 80,
            under_norm_percent: 50,
            goal_unchanged_weeks: 8,
            module_start_weeks: 2,
            phase_max_weeks: [6, 6, 52, 13],
            indication_warning_weeks: 6,
            no_contact_days: 14,
        }
    }
}

impl Thresholds {
    /// The latest day a goal's level may last have changed for it to count
    /// as unchanged today; a read may leave out the goals changed since.
    pub fn goal_unchanged_since_at_most(&self, today: NaiveDate) -> NaiveDate {
        today - Duration::weeks(i64::from(self.goal_unchanged_weeks))
    }

    /// Each threshold within a range that still says something.
    pub fn validate(&self) -> Result<(), Invalid> {
        let mut errors = Invalid::new();
        let mut within = |field: &str, value: u32, low: u32, high: u32, key: &'static str| {
            if value < low || value > high {
                errors.add(field, key);
            }
        };
        within(
            "waiting_warning_days",
            self.waiting_warning_days,
            1,
            90,
            "error-threshold-days",
        );
        within(
            "budget_warning_percent",
            self.budget_warning_percent,
            1,
            100,
            "error-threshold-percent",
        );
        within(
            "under_norm_percent",
            self.under_norm_percent,
            1,
            100,
            "error-threshold-percent",
        );
        within(
            "goal_unchanged_weeks",
            self.goal_unchanged_weeks,
            1,
            104,
            "error-norm-weeks",
        );
        within(
            "module_start_weeks",
            self.module_start_weeks,
            1,
            104,
            "error-norm-weeks",
        );
        for (i, weeks) in self.phase_max_weeks.iter().enumerate() {
            within(
                &format!("phase{}_max_weeks", i + 1),
                *weeks,
                1,
                104,
                "error-norm-weeks",
            );
        }
        within(
            "indication_warning_weeks",
            self.indication_warning_weeks,
            1,
            104,
            "error-norm-weeks",
        );
        within(
            "no_contact_days",
            self.no_contact_days,
            1,
            90,
            "error-threshold-days",
        );
        errors.finish()
    }

    pub fn phase_max_weeks(&self, phase: Phase) -> u32 {
        self.phase_max_weeks[usize::from(phase.number() - 1)]
    }
}

/// Everything a programme's signals are judged against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub norms: Norms,
    /// The first plan is agreed within this many weeks of the start of help.
    pub plan_first_weeks: u32,
    /// An agreed plan is reviewed every this many weeks.
    pub plan_review_weeks: u32,
    pub thresholds: Thresholds,
    /// Which questionnaires are asked when, and the days after which one
    /// not taken counts as overdue.
    pub measurements: Vec<Planned>,
    pub measurement_grace_days: u32,
}

/// What a signal is about. The order is the order of the attention page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    WaitingPastNorm,
    WaitingNearNorm,
    PlanNotAgreed,
    PlanReviewOverdue,
    BudgetOver,
    BudgetNear,
    UnderWeeklyNorm,
    NoRecentContact,
    GoalUnchanged,
    ModuleNotStarted,
    PhaseTooLong,
    IndicationEnding,
    CoordinatorOverCapacity,
    ActionItemOverdue,
    MeasurementOverdue,
}

impl SignalKind {
    pub const ALL: [SignalKind; 15] = [
        SignalKind::WaitingPastNorm,
        SignalKind::WaitingNearNorm,
        SignalKind::PlanNotAgreed,
        SignalKind::PlanReviewOverdue,
        SignalKind::BudgetOver,
        SignalKind::BudgetNear,
        SignalKind::UnderWeeklyNorm,
        SignalKind::NoRecentContact,
        SignalKind::GoalUnchanged,
        SignalKind::ModuleNotStarted,
        SignalKind::PhaseTooLong,
        SignalKind::IndicationEnding,
        SignalKind::CoordinatorOverCapacity,
        SignalKind::ActionItemOverdue,
        SignalKind::MeasurementOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::WaitingPastNorm => "waiting_past_norm",
            SignalKind::WaitingNearNorm => "waiting_near_norm",
            SignalKind::PlanNotAgreed => "plan_not_agreed",
            SignalKind::PlanReviewOverdue => "plan_review_overdue",
            SignalKind::BudgetOver => "budget_over",
            SignalKind::BudgetNear => "budget_near",
            SignalKind::UnderWeeklyNorm => "under_weekly_norm",
            SignalKind::NoRecentContact => "no_recent_contact",
            SignalKind::GoalUnchanged => "goal_unchanged",
            SignalKind::ModuleNotStarted => "module_not_started",
            SignalKind::PhaseTooLong => "phase_too_long",
            SignalKind::IndicationEnding => "indication_ending",
            SignalKind::CoordinatorOverCapacity => "coordinator_over_capacity",
            SignalKind::ActionItemOverdue => "action_item_overdue",
            SignalKind::MeasurementOverdue => "measurement_overdue",
        }
    }

    pub fn parse(value: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// How soon someone should act on this kind of signal.
    pub fn urgency(self) -> Urgency {
        match self {
            SignalKind::WaitingPastNorm
            | SignalKind::PlanNotAgreed
            | SignalKind::BudgetOver
            | SignalKind::NoRecentContact
            | SignalKind::CoordinatorOverCapacity => Urgency::Now,
            SignalKind::WaitingNearNorm
            | SignalKind::PlanReviewOverdue
            | SignalKind::BudgetNear
            | SignalKind::UnderWeeklyNorm
            | SignalKind::ModuleNotStarted
            | SignalKind::IndicationEnding
            | SignalKind::ActionItemOverdue => Urgency::Soon,
            SignalKind::GoalUnchanged
            | SignalKind::PhaseTooLong
            | SignalKind::MeasurementOverdue => Urgency::Watch,
        }
    }
}

/// How soon to act: now, within days, or keep an eye on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Now,
    Soon,
    Watch,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Now, Urgency::Soon, Urgency::Watch];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Now => "now",
            Urgency::Soon => "soon",
            Urgency::Watch => "watch",
        }
    }

    pub fn parse(value: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == value)
    }
}

/// Who or what a signal is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A family's episode; `item` names the goal, module referral or
    /// indication the signal is about, when it is about one.
    Episode {
        family_id: i64,
        episode_id: i64,
        item: Option<Item>,
    },
    Coordinator {
        worker_id: i64,
    },
    /// A meeting's action item, and the family it is about (none for a
    /// team topic's).
    ActionItem {
        action_item_id: i64,
        meeting_id: i64,
        family_id: Option<i64>,
    },
}

/// The part of a family's episode a signal points at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Item {
    Goal(String),
    ModuleReferral(i64),
    Indication(i64),
    /// A questionnaire the schedule asks of a respondent (`appreciation/parent`).
    Measurement(String),
}

/// One named figure behind a signal ("waited_days": 70).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub name: &'static str,
    pub value: i64,
}

/// Something that needs attention: the rule that fired, whom it is about,
/// the figures behind it, and the fact that, once changed, ends an
/// acknowledgement of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signal {
    pub kind: SignalKind,
    pub urgency: Urgency,
    pub subject: Subject,
    /// The coordinator whose work it is (the family's coordinator, the
    /// coordinator over capacity, the action item's owner), if any.
    pub coordinator_id: Option<i64>,
    pub figures: Vec<Figure>,
    /// Days past the threshold (0 on the day it fires; the near-norm
    /// warning counts down to the norm instead). Within one urgency, more
    /// days first.
    pub days_over: i64,
    /// What the signal stands on, e.g. the reference date of a waiting
    /// family; an acknowledgement holds while this stays the same.
    pub cause: String,
}

impl Signal {
    /// Identifies a signal across days: its kind and subject, not its figures.
    pub fn key(&self) -> String {
        let subject = match &self.subject {
            Subject::Episode {
                episode_id, item, ..
            } => match item {
                None => format!("episode:{episode_id}"),
                Some(Item::Goal(key)) => format!("episode:{episode_id}:goal:{key}"),
                Some(Item::ModuleReferral(id)) => format!("episode:{episode_id}:module:{id}"),
                Some(Item::Indication(id)) => format!("episode:{episode_id}:indication:{id}"),
                Some(Item::Measurement(what)) => format!("episode:{episode_id}:measurement:{what}"),
            },
            Subject::Coordinator { worker_id } => format!("coordinator:{worker_id}"),
            Subject::ActionItem { action_item_id, .. } => format!("action_item:{action_item_id}"),
        };
        format!("{}/{subject}", self.kind.as_str())
    }

    pub fn family_id(&self) -> Option<i64> {
        match self.subject {
            Subject::Episode { family_id, .. } => Some(family_id),
            Subject::ActionItem { family_id, .. } => family_id,
            Subject::Coordinator { .. } => None,
        }
    }

    pub fn figure(&self, name: &str) -> Option<i64> {
        self.figures
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value)
    }
}

/// Who may acknowledge a signal: a supervisor any of the team's; a
/// coordinator those about their own work, but not their own caseload,
/// which is the supervisor's to weigh.
pub fn may_acknowledge(role: Role, kind: SignalKind) -> bool {
    match role {
        Role::Supervisor => true,
        Role::Coordinator => kind != SignalKind::CoordinatorOverCapacity,
        _ => false,
    }
}

/// The most urgent first; within an urgency the longest overdue, then by kind
/// and key so the order is stable from one page load to the next.
pub fn attention_order(a: &Signal, b: &Signal) -> std::cmp::Ordering {
    a.urgency
        .cmp(&b.urgency)
        .then(b.days_over.cmp(&a.days_over))
        .then(a.kind.cmp(&b.kind))
        .then_with(|| a.key().cmp(&b.key()))
}

/// A goal of the current plan and since when its attainment stands where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalFacts {
    pub key: String,
    /// The day of the latest score that changed the level (the plan's
    /// agreement when it was never scored differently from the baseline).
    pub unchanged_since: NaiveDate,
}

/// A module referral requested and not yet started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedModule {
    pub module_referral_id: i64,
    pub requested_on: NaiveDate,
}

/// A running indication of one of the family's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningIndication {
    pub indication_id: i64,
    pub ends_on: NaiveDate,
}

/// What the signals need to know of one open episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeFacts {
    pub family_id: i64,
    pub episode_id: i64,
    pub state: EpisodeState,
    pub reference_date: NaiveDate,
    pub started_on: Option<NaiveDate>,
    /// The current phase and the day it began.
    pub phase: Option<(Phase, NaiveDate)>,
    pub coordinator_id: Option<i64>,
    /// The day the latest plan version was agreed, if one was.
    pub plan_agreed_on: Option<NaiveDate>,
    /// Active minutes of the whole episode.
    pub used_minutes: i64,
    /// Active minutes in the two complete weeks before this one: the week
    /// before last, then last week.
    pub last_two_weeks_minutes: [i64; 2],
    pub last_contact_on: Option<NaiveDate>,
    pub goals: Vec<GoalFacts>,
    pub requested_modules: Vec<RequestedModule>,
    pub indications: Vec<RunningIndication>,
    /// The questionnaires taken in the episode.
    pub measured: Vec<Measured>,
}

/// A coordinator's caseload and what it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoordinatorFacts {
    pub worker_id: i64,
    pub caseload: u32,
    pub capacity: Capacity,
}

/// An open action item from a team meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemFacts {
    pub action_item_id: i64,
    pub meeting_id: i64,
    pub owner_worker_id: i64,
    pub due_on: NaiveDate,
    pub family_id: Option<i64>,
}

fn fig(name: &'static str, value: i64) -> Figure {
    Figure { name, value }
}

/// Whole weeks in a number of days, rounded down.
fn weeks(days: i64) -> i64 {
    days.div_euclid(7)
}

/// Every signal of one episode on `today`.
pub fn episode_signals(facts: &EpisodeFacts, rules: &Rules, today: NaiveDate) -> Vec<Signal> {
    let mut out = Vec::new();
    let t = &rules.thresholds;
    let signal = |kind: SignalKind,
                  item: Option<Item>,
                  figures: Vec<Figure>,
                  days_over: i64,
                  cause: String| Signal {
        kind,
        urgency: kind.urgency(),
        subject: Subject::Episode {
            family_id: facts.family_id,
            episode_id: facts.episode_id,
            item,
        },
        coordinator_id: facts.coordinator_id,
        figures,
        days_over,
        cause,
    };
    if !facts.state.is_open() {
        return out;
    }

    // Waiting: from the indication (or registration) until help starts.
    if facts.started_on.is_none() {
        let waited = (today - facts.reference_date).num_days();
        let norm = i64::from(rules.norms.start_within_weeks) * 7;
        let figures = vec![
            fig("waited_days", waited),
            fig("waited_weeks", weeks(waited)),
            fig("norm_weeks", i64::from(rules.norms.start_within_weeks)),
        ];
        let cause = facts.reference_date.to_string();
        if waited > norm {
            out.push(signal(
                SignalKind::WaitingPastNorm,
                None,
                figures,
                waited - norm,
                cause,
            ));
        } else {
            // The first day past the norm is `norm + 1` days after the reference.
            let days_left = norm + 1 - waited;
            if days_left <= i64::from(t.waiting_warning_days) {
                let mut figures = figures;
                figures.push(fig("days_left", days_left));
                out.push(signal(
                    SignalKind::WaitingNearNorm,
                    None,
                    figures,
                    -days_left,
                    cause,
                ));
            }
        }
    }

    for ind in &facts.indications {
        let days_left = (ind.ends_on - today).num_days();
        if (0..=i64::from(t.indication_warning_weeks) * 7).contains(&days_left) {
            out.push(signal(
                SignalKind::IndicationEnding,
                Some(Item::Indication(ind.indication_id)),
                vec![
                    fig("days_left", days_left),
                    fig("weeks_left", weeks(days_left)),
                ],
                -days_left,
                ind.ends_on.to_string(),
            ));
        }
    }

    let in_care = facts.state == EpisodeState::InCare;
    let Some(started) = facts.started_on.filter(|_| in_care) else {
        return out;
    };

    // The plan: the first agreement, then each review.
    match facts.plan_agreed_on {
        None => {
            let due = started + Duration::weeks(i64::from(rules.plan_first_weeks));
            if today > due {
                out.push(signal(
                    SignalKind::PlanNotAgreed,
                    None,
                    vec![
                        fig("weeks_in_care", weeks((today - started).num_days())),
                        fig("norm_weeks", i64::from(rules.plan_first_weeks)),
                        fig("days_overdue", (today - due).num_days()),
                    ],
                    (today - due).num_days(),
                    started.to_string(),
                ));
            }
        }
        Some(agreed) => {
            let due = agreed + Duration::weeks(i64::from(rules.plan_review_weeks));
            if today > due {
                out.push(signal(
                    SignalKind::PlanReviewOverdue,
                    None,
                    vec![
                        fig("weeks_since_agreed", weeks((today - agreed).num_days())),
                        fig("norm_weeks", i64::from(rules.plan_review_weeks)),
                        fig("days_overdue", (today - due).num_days()),
                    ],
                    (today - due).num_days(),
                    agreed.to_string(),
                ));
            }
        }
    }

    // Hours against the budget: in whole minutes, so "at 80 %" is exact.
    let budget = i64::from(rules.norms.budget_minutes_per_family);
    if budget > 0 {
        let used = facts.used_minutes;
        let percent = used * 100 / budget;
        let figures = vec![
            fig("used_hours", used / 60),
            fig("budget_hours", budget / 60),
            fig("percent", percent),
        ];
        if used > budget {
            out.push(signal(
                SignalKind::BudgetOver,
                None,
                figures,
                (used - budget) / 60,
                "over".into(),
            ));
        } else if used * 100 >= budget * i64::from(t.budget_warning_percent) {
            out.push(signal(
                SignalKind::BudgetNear,
                None,
                figures,
                percent - i64::from(t.budget_warning_percent),
                "near".into(),
            ));
        }
    }

    // The weekly intensity: both complete weeks before this one far under it,
    // and help already under way in the first of them.
    let this_monday = week_of(today);
    let first_monday = this_monday - Duration::weeks(2);
    let weekly = i64::from(rules.norms.weekly_minutes_per_family);
    let under = |minutes: i64| minutes * 100 < weekly * i64::from(t.under_norm_percent);
    if week_of(started) <= first_monday && facts.last_two_weeks_minutes.iter().all(|m| under(*m)) {
        let [before_last, last] = facts.last_two_weeks_minutes;
        out.push(signal(
            SignalKind::UnderWeeklyNorm,
            None,
            vec![
                fig("week_before_last_minutes", before_last),
                fig("last_week_minutes", last),
                fig("norm_minutes", weekly),
            ],
            0,
            first_monday.to_string(),
        ));
    }

    // Contact: the latest contact, or the start of help when there was none.
    let last_seen = facts.last_contact_on.unwrap_or(started).max(started);
    let silent = (today - last_seen).num_days();
    if silent >= i64::from(t.no_contact_days) {
        out.push(signal(
            SignalKind::NoRecentContact,
            None,
            vec![fig("days_without_contact", silent)],
            silent - i64::from(t.no_contact_days),
            last_seen.to_string(),
        ));
    }

    let goal_days = i64::from(t.goal_unchanged_weeks) * 7;
    let unchanged_at_most = t.goal_unchanged_since_at_most(today);
    for goal in &facts.goals {
        let unchanged = (today - goal.unchanged_since).num_days();
        if goal.unchanged_since <= unchanged_at_most {
            out.push(signal(
                SignalKind::GoalUnchanged,
                Some(Item::Goal(goal.key.clone())),
                vec![
                    fig("weeks_unchanged", weeks(unchanged)),
                    fig("norm_weeks", i64::from(t.goal_unchanged_weeks)),
                ],
                unchanged - goal_days,
                goal.unchanged_since.to_string(),
            ));
        }
    }

    let module_days = i64::from(t.module_start_weeks) * 7;
    for module in &facts.requested_modules {
        let waiting = (today - module.requested_on).num_days();
        if waiting > module_days {
            out.push(signal(
                SignalKind::ModuleNotStarted,
                Some(Item::ModuleReferral(module.module_referral_id)),
                vec![
                    fig("days_requested", waiting),
                    fig("weeks_requested", weeks(waiting)),
                    fig("norm_weeks", i64::from(t.module_start_weeks)),
                ],
                waiting - module_days,
                module.requested_on.to_string(),
            ));
        }
    }

    if let Some((phase, since)) = facts.phase {
        let max_days = i64::from(t.phase_max_weeks(phase)) * 7;
        let in_phase = (today - since).num_days();
        if in_phase > max_days {
            out.push(signal(
                SignalKind::PhaseTooLong,
                None,
                vec![
                    fig("phase", i64::from(phase.number())),
                    fig("weeks_in_phase", weeks(in_phase)),
                    fig("norm_weeks", i64::from(t.phase_max_weeks(phase))),
                    fig("days_over", in_phase - max_days),
                ],
                in_phase - max_days,
                format!("{}:{since}", phase.number()),
            ));
        }
    }
    // A questionnaire the programme's schedule asks for, past its grace
    // days; the closing one waits for the episode to close.
    let grace = i64::from(rules.measurement_grace_days);
    for due in measurements_due(facts, rules, today) {
        if !due.overdue {
            continue;
        }
        let since = (today - due.due_on).num_days();
        let (occasion, number) = due.occasion.parts();
        out.push(signal(
            SignalKind::MeasurementOverdue,
            Some(Item::Measurement(format!(
                "{}/{}",
                due.instrument,
                due.respondent.as_str()
            ))),
            vec![
                fig("days_overdue", since - grace),
                fig("weeks_since_due", weeks(since)),
            ],
            since - grace,
            format!("{occasion}:{number}:{}", due.due_on),
        ));
    }
    out
}

/// The questionnaires the programme's schedule asks of an open episode on
/// `today`, overdue or not.
pub fn measurements_due(facts: &EpisodeFacts, rules: &Rules, today: NaiveDate) -> Vec<Due> {
    let dates = EpisodeDates {
        started: facts.started_on,
        transition: facts
            .phase
            .filter(|(p, _)| *p == Phase::Transition)
            .map(|(_, since)| since),
        closed: None,
    };
    let taken: Vec<Taken<'_>> = facts.measured.iter().map(Measured::taken).collect();
    schedule::due(
        &rules.measurements,
        dates,
        &taken,
        today,
        rules.measurement_grace_days,
    )
}

/// A coordinator above capacity: more families than the secondment carries.
pub fn coordinator_signal(facts: &CoordinatorFacts) -> Option<Signal> {
    let c = &facts.capacity;
    let over = u64::from(facts.caseload) * u64::from(c.full_time_minutes_per_week)
        > u64::from(c.families_per_fte) * u64::from(c.seconded_minutes_per_week);
    over.then(|| Signal {
        kind: SignalKind::CoordinatorOverCapacity,
        urgency: SignalKind::CoordinatorOverCapacity.urgency(),
        subject: Subject::Coordinator {
            worker_id: facts.worker_id,
        },
        coordinator_id: Some(facts.worker_id),
        figures: vec![
            fig("caseload", i64::from(facts.caseload)),
            // Tenths of a family: a half-time secondment of 3 carries 1.5.
            fig("capacity_tenths", (c.families() * 10.0).round() as i64),
        ],
        days_over: 0,
        cause: facts.caseload.to_string(),
    })
}

/// An open action item past its due date.
pub fn action_item_signal(facts: &ActionItemFacts, today: NaiveDate) -> Option<Signal> {
    let overdue = (today - facts.due_on).num_days();
    (overdue > 0).then(|| Signal {
        kind: SignalKind::ActionItemOverdue,
        urgency: SignalKind::ActionItemOverdue.urgency(),
        subject: Subject::ActionItem {
            action_item_id: facts.action_item_id,
            meeting_id: facts.meeting_id,
            family_id: facts.family_id,
        },
        coordinator_id: Some(facts.owner_worker_id),
        figures: vec![fig("days_overdue", overdue)],
        days_over: overdue,
        cause: facts.due_on.to_string(),
    })
}

/// All signals of a set of episodes, coordinators and action items, most
/// urgent first.
pub fn signals<'a>(
    episodes: impl IntoIterator<Item = (&'a EpisodeFacts, &'a Rules)>,
    coordinators: &[CoordinatorFacts],
    action_items: &[ActionItemFacts],
    today: NaiveDate,
) -> Vec<Signal> {
    let mut out: Vec<Signal> = episodes
        .into_iter()
        .flat_map(|(facts, rules)| episode_signals(facts, rules, today))
        .collect();
    out.extend(coordinators.iter().filter_map(coordinator_signal));
    out.extend(
        action_items
            .iter()
            .filter_map(|a| action_item_signal(a, today)),
    );
    // Ties end on the subject, so the order is the same on every read.
    out.sort_unstable_by(|a, b| {
        (
            a.urgency,
            std::cmp::Reverse(a.days_over),
            a.kind,
            &a.subject,
        )
            .cmp(&(
                b.urgency,
                std::cmp::Reverse(b.days_over),
                b.kind,
                &b.subject,
            ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn rules() -> Rules {
        Rules {
            norms: Norms {
                families_per_fte: 3,
                budget_minutes_per_family: 200 * 60,
                weekly_minutes_per_family: 7 * 60,
                start_within_weeks: 9,
                full_time_minutes_per_week: 32 * 60,
            },
            plan_first_weeks: 6,
            plan_review_weeks: 13,
            thresholds: Thresholds::default(),
            measurements: vec![],
            measurement_grace_days: 14,
        }
    }

    /// Wednesday 2 December 2026.
    fn today() -> NaiveDate {
        d("2026-12-02")
    }

    fn waiting(reference: NaiveDate) -> EpisodeFacts {
        EpisodeFacts {
            family_id: 1,
            episode_id: 10,
            state: EpisodeState::Waiting,
            reference_date: reference,
            started_on: None,
            phase: None,
            coordinator_id: None,
            plan_agreed_on: None,
            used_minutes: 0,
            last_two_weeks_minutes: [0, 0],
            last_contact_on: None,
            goals: vec![],
            requested_modules: vec![],
            indications: vec![],
            measured: vec![],
        }
    }

    /// In care, with everything in order: started ten weeks ago, a recent
    /// plan, enough hours, a contact yesterday.
    fn in_care() -> EpisodeFacts {
        let started = today() - Duration::weeks(10);
        EpisodeFacts {
            state: EpisodeState::InCare,
            started_on: Some(started),
            phase: Some((Phase::Implementation, started + Duration::weeks(5))),
            coordinator_id: Some(7),
            plan_agreed_on: Some(started + Duration::weeks(4)),
            used_minutes: 60 * 60,
            last_two_weeks_minutes: [7 * 60, 7 * 60],
            last_contact_on: Some(today() - Duration::days(1)),
            ..waiting(started - Duration::weeks(8))
        }
    }

    fn kinds(facts: &EpisodeFacts, on: NaiveDate) -> Vec<SignalKind> {
        episode_signals(facts, &rules(), on)
            .into_iter()
            .map(|s| s.kind)
            .collect()
    }

    fn fires(facts: &EpisodeFacts, on: NaiveDate, kind: SignalKind) -> bool {
        kinds(facts, on).contains(&kind)
    }

    #[test]
    fn a_measurement_fires_the_day_after_its_grace_days() {
        use crate::questionnaire::{Occasion, Respondent, When};
        let with_schedule = Rules {
            measurements: vec![
                Planned {
                    instrument: "self_sufficiency".into(),
                    respondent: Respondent::Coordinator,
                    when: When::Start,
                },
                Planned {
                    instrument: "appreciation".into(),
                    respondent: Respondent::Parent,
                    when: When::Closure,
                },
            ],
            ..rules()
        };
        let started = |days_ago: i64| EpisodeFacts {
            started_on: Some(today() - Duration::days(days_ago)),
            phase: Some((Phase::Engagement, today() - Duration::days(days_ago))),
            plan_agreed_on: None,
            ..in_care()
        };
        let measurement = |facts: &EpisodeFacts| {
            episode_signals(facts, &with_schedule, today())
                .into_iter()
                .filter(|s| s.kind == SignalKind::MeasurementOverdue)
                .collect::<Vec<_>>()
        };
        assert!(measurement(&started(14)).is_empty(), "at the grace days");
        let over = measurement(&started(15));
        assert_eq!(over.len(), 1, "the day after");
        assert_eq!(over[0].figure("days_overdue"), Some(1));
        assert_eq!(
            over[0].key(),
            "measurement_overdue/episode:10:measurement:self_sufficiency/coordinator"
        );
        assert_eq!(over[0].urgency, Urgency::Watch);
        let taken = EpisodeFacts {
            measured: vec![Measured {
                instrument: "self_sufficiency".into(),
                respondent: Respondent::Coordinator,
                occasion: Occasion::Start,
            }],
            ..started(40)
        };
        assert!(measurement(&taken).is_empty(), "taken");
        // In the transition the closing one is asked, but not yet overdue.
        let closing = EpisodeFacts {
            phase: Some((Phase::Transition, today() - Duration::days(60))),
            ..taken
        };
        assert!(measurement(&closing).is_empty());
    }

    #[test]
    fn a_family_in_order_has_no_signals() {
        assert_eq!(kinds(&in_care(), today()), vec![]);
    }

    #[test]
    fn waiting_past_the_norm_fires_the_day_after_nine_weeks() {
        let norm = Duration::weeks(9);
        // Exactly nine weeks: at the norm, not past it.
        let at = waiting(today() - norm);
        assert!(!fires(&at, today(), SignalKind::WaitingPastNorm));
        assert!(fires(&at, today(), SignalKind::WaitingNearNorm));
        let over = waiting(today() - norm - Duration::days(1));
        let signals = episode_signals(&over, &rules(), today());
        assert_eq!(signals[0].kind, SignalKind::WaitingPastNorm);
        assert_eq!(signals[0].figure("waited_days"), Some(64));
        assert_eq!(signals[0].figure("waited_weeks"), Some(9));
        assert_eq!(signals[0].days_over, 1);
        assert!(!fires(&over, today(), SignalKind::WaitingNearNorm));
    }

    #[test]
    fn the_warning_starts_two_weeks_before_the_norm_passes() {
        // Passes the norm on day 64; the warning starts 14 days before, on day 50.
        let day_49 = waiting(today() - Duration::days(49));
        assert!(!fires(&day_49, today(), SignalKind::WaitingNearNorm));
        let day_50 = waiting(today() - Duration::days(50));
        let s = episode_signals(&day_50, &rules(), today());
        assert_eq!(s[0].kind, SignalKind::WaitingNearNorm);
        assert_eq!(s[0].figure("days_left"), Some(14));
        let day_51 = waiting(today() - Duration::days(51));
        assert!(fires(&day_51, today(), SignalKind::WaitingNearNorm));
    }

    #[test]
    fn an_assigned_family_not_yet_started_still_waits() {
        let mut f = waiting(today() - Duration::weeks(12));
        f.state = EpisodeState::Assigned;
        f.coordinator_id = Some(3);
        let s = episode_signals(&f, &rules(), today());
        assert_eq!(s[0].kind, SignalKind::WaitingPastNorm);
        assert_eq!(s[0].coordinator_id, Some(3));
    }

    #[test]
    fn closed_and_withdrawn_episodes_have_no_signals() {
        for state in [EpisodeState::Closed, EpisodeState::Withdrawn] {
            let mut f = waiting(today() - Duration::weeks(30));
            f.state = state;
            assert_eq!(kinds(&f, today()), vec![]);
        }
    }

    #[test]
    fn the_first_plan_is_due_six_weeks_after_the_start() {
        let mut f = in_care();
        f.plan_agreed_on = None;
        let started = f.started_on.expect("started");
        let due = started + Duration::weeks(6);
        assert!(!fires(
            &f,
            due - Duration::days(1),
            SignalKind::PlanNotAgreed
        ));
        assert!(!fires(&f, due, SignalKind::PlanNotAgreed));
        let after = episode_signals(&f, &rules(), due + Duration::days(1));
        let s = after
            .iter()
            .find(|s| s.kind == SignalKind::PlanNotAgreed)
            .expect("fires the day after");
        assert_eq!(s.figure("days_overdue"), Some(1));
        assert_eq!(s.figure("weeks_in_care"), Some(6));
    }

    #[test]
    fn an_agreed_plan_is_reviewed_every_thirteen_weeks() {
        let mut f = in_care();
        let agreed = today() - Duration::weeks(13);
        f.plan_agreed_on = Some(agreed);
        assert!(!fires(
            &f,
            today() - Duration::days(1),
            SignalKind::PlanReviewOverdue
        ));
        assert!(!fires(&f, today(), SignalKind::PlanReviewOverdue));
        assert!(fires(
            &f,
            today() + Duration::days(1),
            SignalKind::PlanReviewOverdue
        ));
        assert!(!fires(
            &f,
            today() + Duration::days(1),
            SignalKind::PlanNotAgreed
        ));
    }

    #[test]
    fn budget_warnings_at_eighty_and_past_one_hundred_percent() {
        let mut f = in_care();
        let budget = 200 * 60;
        f.used_minutes = budget * 8 / 10 - 1;
        assert!(!fires(&f, today(), SignalKind::BudgetNear));
        f.used_minutes = budget * 8 / 10;
        assert!(fires(&f, today(), SignalKind::BudgetNear));
        f.used_minutes = budget;
        assert!(fires(&f, today(), SignalKind::BudgetNear));
        assert!(!fires(&f, today(), SignalKind::BudgetOver));
        f.used_minutes = budget + 1;
        assert!(fires(&f, today(), SignalKind::BudgetOver));
        assert!(!fires(&f, today(), SignalKind::BudgetNear));
    }

    #[test]
    fn far_under_the_weekly_norm_needs_two_complete_weeks() {
        let mut f = in_care();
        // Half of 7 h is 210 minutes: just under in both weeks fires.
        f.last_two_weeks_minutes = [209, 209];
        assert!(fires(&f, today(), SignalKind::UnderWeeklyNorm));
        f.last_two_weeks_minutes = [210, 209];
        assert!(!fires(&f, today(), SignalKind::UnderWeeklyNorm));
        f.last_two_weeks_minutes = [209, 210];
        assert!(!fires(&f, today(), SignalKind::UnderWeeklyNorm));
    }

    #[test]
    fn the_weekly_norm_counts_from_the_week_help_started() {
        let mut f = in_care();
        f.last_two_weeks_minutes = [0, 0];
        // Started on the Monday of the week before last: both weeks count.
        let this_monday = week_of(today());
        f.started_on = Some(this_monday - Duration::weeks(2));
        f.last_contact_on = Some(today());
        assert!(fires(&f, today(), SignalKind::UnderWeeklyNorm));
        // Started on that week's Sunday: still that week.
        f.started_on = Some(this_monday - Duration::days(8));
        assert!(fires(&f, today(), SignalKind::UnderWeeklyNorm));
        // Started last Monday: one complete week only.
        f.started_on = Some(this_monday - Duration::days(7));
        assert!(!fires(&f, today(), SignalKind::UnderWeeklyNorm));
        // On the Sunday the current week is still incomplete; on Monday the
        // week that just ended joins.
        let sunday = this_monday + Duration::days(6);
        assert!(!fires(&f, sunday, SignalKind::UnderWeeklyNorm));
        assert!(fires(
            &f,
            sunday + Duration::days(1),
            SignalKind::UnderWeeklyNorm
        ));
    }

    #[test]
    fn fourteen_days_without_contact() {
        let mut f = in_care();
        f.last_contact_on = Some(today() - Duration::days(13));
        assert!(!fires(&f, today(), SignalKind::NoRecentContact));
        f.last_contact_on = Some(today() - Duration::days(14));
        assert!(fires(&f, today(), SignalKind::NoRecentContact));
        f.last_contact_on = None;
        let started = f.started_on.expect("started");
        assert!(!fires(
            &f,
            started + Duration::days(13),
            SignalKind::NoRecentContact
        ));
        assert!(fires(
            &f,
            started + Duration::days(14),
            SignalKind::NoRecentContact
        ));
    }

    #[test]
    fn a_goal_unchanged_for_eight_weeks() {
        let mut f = in_care();
        let since = today() - Duration::weeks(8);
        f.goals = vec![GoalFacts {
            key: "g1".into(),
            unchanged_since: since,
        }];
        assert!(!fires(
            &f,
            today() - Duration::days(1),
            SignalKind::GoalUnchanged
        ));
        let s = episode_signals(&f, &rules(), today());
        let goal = s
            .iter()
            .find(|s| s.kind == SignalKind::GoalUnchanged)
            .expect("at eight weeks");
        assert_eq!(goal.key(), "goal_unchanged/episode:10:goal:g1");
        assert_eq!(goal.urgency, Urgency::Watch);
    }

    #[test]
    fn a_module_requested_more_than_two_weeks_ago() {
        let mut f = in_care();
        f.requested_modules = vec![RequestedModule {
            module_referral_id: 5,
            requested_on: today() - Duration::weeks(2),
        }];
        assert!(!fires(&f, today(), SignalKind::ModuleNotStarted));
        assert!(fires(
            &f,
            today() + Duration::days(1),
            SignalKind::ModuleNotStarted
        ));
    }

    #[test]
    fn longer_in_a_phase_than_the_programme_allows() {
        let mut f = in_care();
        let since = today() - Duration::weeks(6);
        f.phase = Some((Phase::Engagement, since));
        assert!(!fires(&f, today(), SignalKind::PhaseTooLong));
        let s = episode_signals(&f, &rules(), today() + Duration::days(1));
        let phase = s
            .iter()
            .find(|s| s.kind == SignalKind::PhaseTooLong)
            .expect("a day past six weeks");
        assert_eq!(phase.figure("phase"), Some(1));
        assert_eq!(phase.cause, format!("1:{since}"));
        // Implementation may take a year.
        f.phase = Some((Phase::Implementation, since));
        assert!(!fires(
            &f,
            today() + Duration::days(1),
            SignalKind::PhaseTooLong
        ));
    }

    #[test]
    fn an_indication_ending_within_six_weeks() {
        let mut f = waiting(today());
        let ind = |ends_on| RunningIndication {
            indication_id: 3,
            ends_on,
        };
        f.indications = vec![ind(today() + Duration::weeks(6) + Duration::days(1))];
        assert!(!fires(&f, today(), SignalKind::IndicationEnding));
        f.indications = vec![ind(today() + Duration::weeks(6))];
        assert!(fires(&f, today(), SignalKind::IndicationEnding));
        f.indications = vec![ind(today())];
        assert!(fires(&f, today(), SignalKind::IndicationEnding));
        f.indications = vec![ind(today() - Duration::days(1))];
        assert!(!fires(&f, today(), SignalKind::IndicationEnding));
    }

    #[test]
    fn a_coordinator_above_capacity_not_at_it() {
        let capacity = Capacity::new(&rules().norms, 16 * 60);
        let facts = |caseload| CoordinatorFacts {
            worker_id: 4,
            caseload,
            capacity,
        };
        // Half time carries 1.5 families: one fits, two are over.
        assert!(coordinator_signal(&facts(1)).is_none());
        let s = coordinator_signal(&facts(2)).expect("over");
        assert_eq!(s.figure("capacity_tenths"), Some(15));
        let full = Capacity::new(&rules().norms, 32 * 60);
        assert!(
            coordinator_signal(&CoordinatorFacts {
                worker_id: 4,
                caseload: 3,
                capacity: full
            })
            .is_none()
        );
    }

    #[test]
    fn an_action_item_past_its_due_date() {
        let mut item = ActionItemFacts {
            action_item_id: 9,
            meeting_id: 4,
            owner_worker_id: 2,
            due_on: today(),
            family_id: None,
        };
        assert!(action_item_signal(&item, today()).is_none());
        let s = action_item_signal(&item, today() + Duration::days(1)).expect("overdue");
        assert_eq!(s.coordinator_id, Some(2));
        assert_eq!(s.figure("days_overdue"), Some(1));
        assert_eq!(s.family_id(), None, "a team topic's action");
        item.family_id = Some(7);
        let s = action_item_signal(&item, today() + Duration::days(1)).expect("overdue");
        assert_eq!(s.family_id(), Some(7), "brings its family to the agenda");
        assert_eq!(s.key(), "action_item_overdue/action_item:9");
    }

    #[test]
    fn most_urgent_first_then_longest_overdue() {
        let mut a = waiting(today() - Duration::weeks(12));
        a.episode_id = 1;
        let mut b = waiting(today() - Duration::weeks(10));
        b.episode_id = 2;
        let mut c = waiting(today() - Duration::days(55));
        c.episode_id = 3;
        let r = rules();
        let all = signals([(&c, &r), (&b, &r), (&a, &r)], &[], &[], today());
        let order: Vec<_> = all
            .iter()
            .map(|s| match s.subject {
                Subject::Episode { episode_id, .. } => episode_id,
                _ => 0,
            })
            .collect();
        assert_eq!(order, vec![1, 2, 3]);
    }

    #[test]
    fn default_thresholds_are_valid_and_nonsense_is_refused() {
        assert!(Thresholds::default().validate().is_ok());
        let bad = Thresholds {
            budget_warning_percent: 0,
            phase_max_weeks: [6, 0, 52, 13],
            ..Thresholds::default()
        };
        let fields: Vec<_> = bad
            .validate()
            .expect_err("refused")
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["budget_warning_percent", "phase2_max_weeks"]);
    }

    #[test]
    fn kinds_round_trip() {
        for kind in SignalKind::ALL {
            assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
        }
    }
}
