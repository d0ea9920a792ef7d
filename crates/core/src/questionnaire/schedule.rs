//! When a family is asked to fill in which instrument: a programme's
//! schedule, and which measurements are due or overdue on a day.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::definition::{Catalogue, Respondent};
use crate::validation::Invalid;

/// Days after its date that a measurement counts as overdue.
pub const DEFAULT_GRACE_DAYS: u32 = 14;
/// After the episode closed, a missing closing measurement is asked for this
/// many days; then it lapses.
pub const CLOSURE_LAPSE_DAYS: i64 = 42;
/// The longest interval a schedule may repeat at, in weeks.
pub const EVERY_MAX_WEEKS: u32 = 104;
/// The longest grace period a programme may give, in days: past a quarter
/// year a "late" measurement no longer says when things stood where.
pub const GRACE_MAX_DAYS: u32 = 91;

/// At which moment of an episode a schedule asks for a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "at")]
pub enum When {
    /// At the start of help.
    Start,
    /// Every so many weeks after the start of help, until the transition.
    Every { weeks: u32 },
    /// In the transition phase, before the episode closes.
    Closure,
}

/// One line of a programme's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Planned {
    pub instrument: String,
    pub respondent: Respondent,
    pub when: When,
}

/// The measurement moment a response belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "number")]
pub enum Occasion {
    Start,
    /// The n-th repeat (1 = the first after the start).
    Repeat(u32),
    Closure,
}

impl Occasion {
    /// As the store keeps it: a kind and, for a repeat, its number.
    pub fn parts(self) -> (&'static str, u32) {
        match self {
            Occasion::Start => ("start", 0),
            Occasion::Repeat(n) => ("repeat", n),
            Occasion::Closure => ("closure", 0),
        }
    }

    pub fn from_parts(kind: &str, number: i64) -> Option<Occasion> {
        match kind {
            "start" => Some(Occasion::Start),
            "closure" => Some(Occasion::Closure),
            "repeat" => u32::try_from(number)
                .ok()
                .filter(|n| *n > 0)
                .map(Occasion::Repeat),
            _ => None,
        }
    }
}

/// What the schedule looks at of one episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeDates {
    /// The start of help; nothing is due before it.
    pub started: Option<NaiveDate>,
    /// The day the transition phase began, if it did.
    pub transition: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
}

/// A measurement taken in an episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken<'a> {
    pub instrument: &'a str,
    pub respondent: Respondent,
    pub occasion: Occasion,
}

/// A measurement taken, owned: as gathered for a whole team at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub instrument: String,
    pub respondent: Respondent,
    pub occasion: Occasion,
}

impl Measured {
    pub fn taken(&self) -> Taken<'_> {
        Taken {
            instrument: &self.instrument,
            respondent: self.respondent,
            occasion: self.occasion,
        }
    }
}

/// A measurement the schedule asks for and nobody took yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    pub instrument: String,
    pub respondent: Respondent,
    pub occasion: Occasion,
    /// From this day on.
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// The measurements due in an episode on `today`. A missed repeat lapses
/// when the next one comes due, so a late family is asked once, not once per
/// missed round; after the transition began only the closing one is asked.
pub fn due(
    schedule: &[Planned],
    episode: EpisodeDates,
    taken: &[Taken<'_>],
    today: NaiveDate,
    grace_days: u32,
) -> Vec<Due> {
    let Some(started) = episode.started.filter(|s| *s <= today) else {
        return Vec::new();
    };
    let grace = Duration::days(i64::from(grace_days));
    let done = |planned: &Planned, occasion: Occasion| {
        taken.iter().any(|t| {
            t.instrument == planned.instrument
                && t.respondent == planned.respondent
                && t.occasion == occasion
        })
    };
    // Repeats stop where the transition (or the closure) begins.
    let repeats_end = episode.transition.or(episode.closed);
    let mut due = Vec::new();
    for planned in schedule {
        let asked = match planned.when {
            When::Start if episode.closed.is_none() => Some((Occasion::Start, started)),
            When::Start => None,
            When::Every { weeks } if weeks > 0 => {
                let step = i64::from(weeks) * 7;
                let rounds = (today - started).num_days() / step;
                let latest = u32::try_from(rounds).ok().filter(|n| *n > 0).map(|n| {
                    (
                        Occasion::Repeat(n),
                        started + Duration::days(i64::from(n) * step),
                    )
                });
                latest.filter(|_| repeats_end.is_none_or(|end| today < end))
            }
            When::Every { .. } => None,
            When::Closure => match (episode.transition, episode.closed) {
                (_, Some(closed)) if today - closed > Duration::days(CLOSURE_LAPSE_DAYS) => None,
                (Some(transition), _) => Some((Occasion::Closure, transition)),
                (None, Some(closed)) => Some((Occasion::Closure, closed)),
                (None, None) => None,
            },
        };
        let Some((occasion, due_on)) = asked else {
            continue;
        };
        if done(planned, occasion) {
            continue;
        }
        let overdue = match occasion {
            // The closing measurement may wait for the end of the transition.
            Occasion::Closure => episode.closed.is_some_and(|closed| today > closed),
            _ => today > due_on + grace,
        };
        due.push(Due {
            instrument: planned.instrument.clone(),
            respondent: planned.respondent,
            occasion,
            due_on,
            overdue,
        });
    }
    due.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.due_on.cmp(&b.due_on))
            .then(a.instrument.cmp(&b.instrument))
    });
    due
}

/// Checks a programme's schedule against the instruments: each names a
/// known instrument, a respondent it is meant for, and a sensible interval.
/// Fields are `schedule[i].instrument`, `.respondent` and `.weeks`.
pub fn check_schedule(schedule: &[Planned], catalogue: &Catalogue) -> Result<(), Invalid> {
    let mut errors = Invalid::new();
    for (i, planned) in schedule.iter().enumerate() {
        let field = |name: &str| format!("schedule[{i}].{name}");
        match catalogue.get(&planned.instrument) {
            None => errors.add(field("instrument"), "error-choose-option"),
            Some(instrument) if !instrument.respondents.contains(&planned.respondent) => {
                errors.add(field("respondent"), "error-respondent-not-asked");
            }
            Some(_) => {}
        }
        if let When::Every { weeks } = planned.when
            && !(1..=EVERY_MAX_WEEKS).contains(&weeks)
        {
            errors.add(field("weeks"), "error-out-of-range");
        }
        let twice = schedule[..i].iter().any(|earlier| {
            earlier.instrument == planned.instrument
                && earlier.respondent == planned.respondent
                && std::mem::discriminant(&earlier.when) == std::mem::discriminant(&planned.when)
        });
        if twice {
            errors.add(field("instrument"), "error-duplicate");
        }
    }
    errors.finish()
}

/// Checks a programme's questionnaire setting: its schedule (see
/// [`check_schedule`]) and its grace period (field `grace_days`).
pub fn check_setting(
    schedule: &[Planned],
    grace_days: u32,
    catalogue: &Catalogue,
) -> Result<(), Invalid> {
    let mut errors = match check_schedule(schedule, catalogue) {
        Ok(()) => Invalid::new(),
        Err(errors) => errors,
    };
    if grace_days > GRACE_MAX_DAYS {
        errors.add("grace_days", "error-out-of-range");
    }
    errors.finish()
}

/// The schedule a new programme starts with: self-sufficiency and fidelity
/// at the start, every 13 weeks and at closure; the family's appreciation
/// halfway through the year and at closure.
pub fn default_schedule() -> Vec<Planned> {
    let line = |instrument: &str, respondent, when| Planned {
        instrument: instrument.to_string(),
        respondent,
        when,
    };
    vec![
        line("self_sufficiency", Respondent::Coordinator, When::Start),
        line(
            "self_sufficiency",
            Respondent::Coordinator,
            When::Every { weeks: 13 },
        ),
        line("self_sufficiency", Respondent::Coordinator, When::Closure),
        line(
            "fidelity_parent",
            Respondent::Parent,
            When::Every { weeks: 13 },
        ),
        line(
            "fidelity_coordinator",
            Respondent::Coordinator,
            When::Every { weeks: 13 },
        ),
        line(
            "appreciation",
            Respondent::Parent,
            When::Every { weeks: 26 },
        ),
        line("appreciation", Respondent::Parent, When::Closure),
    ]
}
