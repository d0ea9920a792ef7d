//! The team's weekly meeting: peer supervision and case discussions. Its
//! proposed agenda (families with signals, most urgent first, then families a
//! coordinator put forward with an intervision question), the decisions that
//! become action items with an owner and a due date, team topics tagged with
//! the Wraparound principles they touch, and which colleagues' background fits
//! a question.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::parse_date;
use crate::signal::{Signal, Urgency};
use crate::validation::Invalid;

/// The ten principles of Wraparound care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Principle {
    FamilyVoiceAndChoice,
    TeamBased,
    NaturalSupports,
    Collaboration,
    CommunityBased,
    CulturallyCompetent,
    Individualised,
    StrengthsBased,
    Persistence,
    OutcomeBased,
}

impl Principle {
    pub const ALL: [Principle; 10] = [
        Principle::FamilyVoiceAndChoice,
        Principle::TeamBased,
        Principle::NaturalSupports,
        Principle::Collaboration,
        Principle::CommunityBased,
        Principle::CulturallyCompetent,
        Principle::Individualised,
        Principle::StrengthsBased,
        Principle::Persistence,
        Principle::OutcomeBased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Principle::FamilyVoiceAndChoice => "family_voice_and_choice",
            Principle::TeamBased => "team_based",
            Principle::NaturalSupports => "natural_supports",
            Principle::Collaboration => "collaboration",
            Principle::CommunityBased => "community_based",
            Principle::CulturallyCompetent => "culturally_competent",
            Principle::Individualised => "individualised",
            Principle::StrengthsBased => "strengths_based",
            Principle::Persistence => "persistence",
            Principle::OutcomeBased => "outcome_based",
        }
    }

    pub fn parse(value: &str) -> Option<Principle> {
        Principle::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// Why a family is on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgendaReason {
    /// Signals of the family ask for attention.
    Signals,
    /// Its coordinator put it forward with an intervision question.
    Intervision,
    /// The supervisor added it.
    Added,
    /// A team topic: a bottleneck or an improvement to try.
    Topic,
}

impl AgendaReason {
    pub const ALL: [AgendaReason; 4] = [
        AgendaReason::Signals,
        AgendaReason::Intervision,
        AgendaReason::Added,
        AgendaReason::Topic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgendaReason::Signals => "signals",
            AgendaReason::Intervision => "intervision",
            AgendaReason::Added => "added",
            AgendaReason::Topic => "topic",
        }
    }

    pub fn parse(value: &str) -> Option<AgendaReason> {
        AgendaReason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// A family put forward for the meeting with an intervision question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutForward {
    pub family_id: i64,
    pub question: String,
    pub domains: Vec<String>,
}

/// A family on the proposed agenda, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub family_id: i64,
    pub reason: AgendaReason,
    pub question: String,
    pub domains: Vec<String>,
}

fn urgency_rank(u: Urgency) -> u8 {
    match u {
        Urgency::Now => 0,
        Urgency::Soon => 1,
        Urgency::Watch => 2,
    }
}

/// The proposed agenda: families with signals, the most urgent first (by
/// their most urgent signal, then the longest past its threshold), then the
/// families put forward with a question. A family appears once; one with
/// signals that was also put forward keeps its question.
pub fn propose_agenda(signals: &[Signal], put_forward: &[PutForward]) -> Vec<Proposed> {
    let mut worst: Vec<(i64, u8, i64)> = Vec::new();
    for s in signals {
        let Some(family_id) = s.family_id() else {
            continue;
        };
        let rank = urgency_rank(s.urgency);
        match worst.iter_mut().find(|(f, _, _)| *f == family_id) {
            Some(w) => {
                if (rank, -s.days_over) < (w.1, -w.2) {
                    *w = (family_id, rank, s.days_over);
                }
            }
            None => worst.push((family_id, rank, s.days_over)),
        }
    }
    worst.sort_by_key(|(family_id, rank, days)| (*rank, -days, *family_id));
    let question_of = |family_id: i64| put_forward.iter().find(|p| p.family_id == family_id);
    let mut out: Vec<Proposed> = worst
        .iter()
        .map(|(family_id, _, _)| {
            let asked = question_of(*family_id);
            Proposed {
                family_id: *family_id,
                reason: if asked.is_some() {
                    AgendaReason::Intervision
                } else {
                    AgendaReason::Signals
                },
                question: asked.map(|p| p.question.clone()).unwrap_or_default(),
                domains: asked.map(|p| p.domains.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let listed: HashSet<i64> = out.iter().map(|p| p.family_id).collect();
    let mut seen = HashSet::new();
    for p in put_forward {
        if !listed.contains(&p.family_id) && seen.insert(p.family_id) {
            out.push(Proposed {
                family_id: p.family_id,
                reason: AgendaReason::Intervision,
                question: p.question.clone(),
                domains: p.domains.clone(),
            });
        }
    }
    out
}

const TEXT_MAX: usize = 4_000;
const LINE_MAX: usize = 300;

/// Checks an intervision question: some words, at most a few lines, and only
/// known life domains.
pub fn validate_question(
    question: &str,
    domains: &[String],
    known: &[String],
) -> Result<(String, Vec<String>), Invalid> {
    let mut errors = Invalid::new();
    let q = question.trim();
    if q.is_empty() {
        errors.add("question", "error-required");
    } else if q.chars().count() > LINE_MAX * 4 {
        errors.add("question", "error-too-long");
    }
    let domains = distinct(domains);
    if domains.iter().any(|d| !known.contains(d)) {
        errors.add("domains", "error-choose-option");
    }
    errors.finish()?;
    Ok((q.to_string(), domains))
}

/// A background as chosen: life domains an organisation works in or a
/// worker knows well, each once; none is allowed (nothing recorded).
pub fn validate_background(domains: &[String], known: &[String]) -> Result<Vec<String>, Invalid> {
    let domains = distinct(domains);
    if domains.iter().any(|d| !known.contains(d)) {
        return Err(Invalid::one("domains", "error-choose-option"));
    }
    Ok(domains)
}

fn distinct(values: &[String]) -> Vec<String> {
    let set: BTreeSet<String> = values
        .iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    set.into_iter().collect()
}

/// A team topic as typed: a title and the principles it touches.
pub fn validate_topic(
    title: &str,
    principles: &[String],
) -> Result<(String, Vec<Principle>), Invalid> {
    let mut errors = Invalid::new();
    let t = title.trim();
    if t.is_empty() {
        errors.add("title", "error-required");
    } else if t.chars().count() > LINE_MAX {
        errors.add("title", "error-too-long");
    }
    let mut parsed = Vec::new();
    let mut unknown = false;
    for p in distinct(principles) {
        match Principle::parse(&p) {
            Some(p) => parsed.push(p),
            None => unknown = true,
        }
    }
    if unknown {
        errors.add("principles", "error-choose-option");
    } else if parsed.is_empty() {
        errors.add("principles", "error-topic-principle");
    }
    errors.finish()?;
    parsed.sort();
    Ok((t.to_string(), parsed))
}

/// The discussion of an agenda item: texts of sensible length.
pub fn validate_discussion(question: &str, notes: &str, advice: &str) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    for (field, value) in [("question", question), ("notes", notes), ("advice", advice)] {
        if value.chars().count() > TEXT_MAX {
            errors.add(field, "error-too-long");
        }
    }
    errors.finish()
}

/// A decision as typed: what is to be done, by whom (a worker of the team),
/// by when (not before the meeting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionInput {
    #[serde(default)]
    pub description: String,
    /// The worker who does it.
    #[serde(default, deserialize_with = "crate::validation::number_or_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub owner_worker_id: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub description: String,
    pub owner_worker_id: i64,
    pub due_on: NaiveDate,
}

pub fn validate_action(
    input: &ActionInput,
    team_workers: &[i64],
    held_on: NaiveDate,
) -> Result<Action, Invalid> {
    let mut errors = Invalid::new();
    let description = input.description.trim();
    if description.is_empty() {
        errors.add("description", "error-required");
    } else if description.chars().count() > LINE_MAX * 2 {
        errors.add("description", "error-too-long");
    }
    let owner = match input.owner_worker_id.trim() {
        "" => {
            errors.add("owner_worker_id", "error-action-item-owner");
            None
        }
        v => match v.parse::<i64>().ok().filter(|id| team_workers.contains(id)) {
            Some(id) => Some(id),
            None => {
                errors.add("owner_worker_id", "error-choose-option");
                None
            }
        },
    };
    let due = match input.due_on.trim() {
        "" => {
            errors.add("due_on", "error-action-due");
            None
        }
        v => match parse_date(v) {
            Some(d) if d < held_on => {
                errors.add("due_on", "error-action-due-before-meeting");
                None
            }
            Some(d) if d > held_on + chrono::Duration::days(366) => {
                errors.add("due_on", "error-action-due-too-far");
                None
            }
            Some(d) => Some(d),
            None => {
                errors.add("due_on", "error-date-format");
                None
            }
        },
    };
    errors.finish()?;
    match (owner, due) {
        (Some(owner_worker_id), Some(due_on)) => Ok(Action {
            description: description.to_string(),
            owner_worker_id,
            due_on,
        }),
        _ => Err(Invalid::one("description", "error-required")),
    }
}

/// A colleague and the life domains their background covers: their home
/// organisation's field and their own recorded expertise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Background {
    pub worker_id: i64,
    pub organisation_domains: Vec<String>,
    pub expertise: Vec<String>,
}

/// A colleague whose background fits a question, with the domains it fits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub worker_id: i64,
    pub domains: Vec<String>,
}

/// The colleagues (not the family's own coordinator) whose background covers
/// most of the question's domains, at most `max`; a colleague who covers none
/// is not suggested. Own expertise counts before the organisation's field
/// when two cover as many.
pub fn suggest_colleagues(
    domains: &[String],
    colleagues: &[Background],
    coordinator: Option<i64>,
    max: usize,
) -> Vec<Suggestion> {
    let mut scored: Vec<(usize, usize, Suggestion)> = colleagues
        .iter()
        .filter(|c| Some(c.worker_id) != coordinator)
        .filter_map(|c| {
            let own: Vec<String> = domains
                .iter()
                .filter(|d| c.expertise.contains(d))
                .cloned()
                .collect();
            let all: Vec<String> = domains
                .iter()
                .filter(|d| c.expertise.contains(d) || c.organisation_domains.contains(d))
                .cloned()
                .collect();
            (!all.is_empty()).then_some((
                all.len(),
                own.len(),
                Suggestion {
                    worker_id: c.worker_id,
                    domains: all,
                },
            ))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(a.2.worker_id.cmp(&b.2.worker_id))
    });
    scored.into_iter().take(max).map(|(_, _, s)| s).collect()
}

/// A meeting is held on a day by a team; its chair and minute-taker, if
/// named, are workers of the team.
pub fn validate_meeting(
    held_on: &str,
    chair: Option<i64>,
    minute_taker: Option<i64>,
    team_workers: &[i64],
    today: NaiveDate,
) -> Result<NaiveDate, Invalid> {
    let mut errors = Invalid::new();
    let on = match held_on.trim() {
        "" => {
            errors.add("held_on", "error-required");
            None
        }
        v => parse_date(v).or_else(|| {
            errors.add("held_on", "error-date-format");
            None
        }),
    };
    if on.is_some_and(|d| {
        d < today - chrono::Duration::days(366) || d > today + chrono::Duration::days(366)
    }) {
        errors.add("held_on", "error-meeting-date-range");
    }
    for (field, who) in [
        ("chair_worker_id", chair),
        ("minute_taker_worker_id", minute_taker),
    ] {
        if who.is_some_and(|w| !team_workers.contains(&w)) {
            errors.add(field, "error-choose-option");
        }
    }
    errors.finish()?;
    on.ok_or_else(|| Invalid::one("held_on", "error-required"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::{Figure, SignalKind, Subject};

    #[test]
    fn a_background_is_known_domains_each_once() {
        let known = vec!["housing".to_string(), "justice".to_string()];
        let chosen = vec![
            " justice".to_string(),
            "housing".to_string(),
            "justice".to_string(),
        ];
        assert_eq!(
            validate_background(&chosen, &known).expect("valid"),
            vec!["housing".to_string(), "justice".to_string()]
        );
        assert!(validate_background(&[], &known).expect("none").is_empty());
        let err = validate_background(&["astrology".to_string()], &known).expect_err("unknown");
        assert_eq!(err.0[0].field, "domains");
    }

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn signal(family_id: i64, kind: SignalKind, days_over: i64) -> Signal {
        Signal {
            kind,
            urgency: kind.urgency(),
            subject: Subject::Episode {
                family_id,
                episode_id: family_id * 10,
                item: None,
            },
            coordinator_id: None,
            figures: Vec::<Figure>::new(),
            days_over,
            cause: String::new(),
        }
    }

    fn asked(family_id: i64, question: &str) -> PutForward {
        PutForward {
            family_id,
            question: question.into(),
            domains: vec!["housing".into()],
        }
    }

    #[test]
    fn the_most_urgent_family_comes_first_and_each_family_once() {
        let signals = [
            signal(1, SignalKind::GoalUnchanged, 30),
            signal(2, SignalKind::WaitingPastNorm, 3),
            signal(3, SignalKind::WaitingPastNorm, 10),
            signal(1, SignalKind::BudgetNear, 0),
        ];
        let agenda = propose_agenda(&signals, &[asked(4, "Hoe verder?"), asked(1, "Wie helpt?")]);
        let order: Vec<i64> = agenda.iter().map(|p| p.family_id).collect();
        assert_eq!(
            order,
            vec![3, 2, 1, 4],
            "now before soon, longer over first, then asked"
        );
        assert_eq!(
            agenda[2].reason,
            AgendaReason::Intervision,
            "asked and signalled"
        );
        assert_eq!(agenda[2].question, "Wie helpt?");
        assert_eq!(agenda[0].reason, AgendaReason::Signals);
        assert!(propose_agenda(&[], &[]).is_empty());
    }

    #[test]
    fn an_action_needs_an_owner_of_the_team_and_a_due_date() {
        let held = d("2026-12-07");
        let ok = ActionInput {
            description: "Schoolarts bellen".into(),
            owner_worker_id: "7".into(),
            due_on: "2026-12-14".into(),
        };
        assert_eq!(
            validate_action(&ok, &[7, 8], held).map(|a| a.owner_worker_id),
            Ok(7)
        );
        let keys = |input: ActionInput| {
            validate_action(&input, &[7, 8], held)
                .err()
                .map(|e| {
                    e.0.iter()
                        .map(|f| (f.field.clone(), f.key))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(
            keys(ActionInput {
                owner_worker_id: String::new(),
                due_on: String::new(),
                ..ok.clone()
            }),
            vec![
                ("owner_worker_id".to_string(), "error-action-item-owner"),
                ("due_on".to_string(), "error-action-due")
            ]
        );
        assert_eq!(
            keys(ActionInput {
                owner_worker_id: "9".into(),
                ..ok.clone()
            }),
            vec![("owner_worker_id".to_string(), "error-choose-option")],
            "not of the team"
        );
        assert_eq!(
            keys(ActionInput {
                due_on: "2026-12-06".into(),
                ..ok.clone()
            }),
            vec![("due_on".to_string(), "error-action-due-before-meeting")]
        );
        assert!(
            validate_action(
                &ActionInput {
                    due_on: "2026-12-07".into(),
                    ..ok
                },
                &[7],
                held
            )
            .is_ok(),
            "due the same day"
        );
    }

    #[test]
    fn colleagues_are_suggested_by_background() {
        let colleagues = [
            Background {
                worker_id: 1,
                organisation_domains: vec!["mental_health".into()],
                expertise: vec![],
            },
            Background {
                worker_id: 2,
                organisation_domains: vec![],
                expertise: vec!["mental_health".into(), "parenting".into()],
            },
            Background {
                worker_id: 3,
                organisation_domains: vec!["mental_health".into()],
                expertise: vec!["housing".into()],
            },
            Background {
                worker_id: 4,
                organisation_domains: vec!["school".into()],
                expertise: vec![],
            },
        ];
        let asked = vec!["mental_health".to_string(), "parenting".to_string()];
        let suggested = suggest_colleagues(&asked, &colleagues, Some(3), 3);
        let ids: Vec<i64> = suggested.iter().map(|s| s.worker_id).collect();
        assert_eq!(
            ids,
            vec![2, 1],
            "both domains first; the family's coordinator and a miss left out"
        );
        assert_eq!(suggested[0].domains, asked);
        assert!(suggest_colleagues(&[], &colleagues, None, 3).is_empty());
    }

    #[test]
    fn a_topic_touches_known_principles() {
        let (title, principles) = validate_topic(
            " Netwerk blijft weg ",
            &[
                "natural_supports".into(),
                "team_based".into(),
                "natural_supports".into(),
            ],
        )
        .expect("valid");
        assert_eq!(title, "Netwerk blijft weg");
        assert_eq!(
            principles,
            vec![Principle::TeamBased, Principle::NaturalSupports]
        );
        assert!(validate_topic("X", &[]).is_err(), "at least one principle");
        assert!(validate_topic("X", &["speed".into()]).is_err());
        assert!(validate_topic(" ", &["team_based".into()]).is_err());
    }

    #[test]
    fn a_meeting_is_within_a_year_and_led_by_the_team() {
        let today = d("2026-12-03");
        assert_eq!(
            validate_meeting("2026-12-07", Some(1), Some(2), &[1, 2], today),
            Ok(d("2026-12-07"))
        );
        assert!(validate_meeting("2026-12-07", Some(5), None, &[1, 2], today).is_err());
        assert!(validate_meeting("2028-01-01", None, None, &[1], today).is_err());
        assert!(validate_meeting("7 december", None, None, &[1], today).is_err());
    }
}
