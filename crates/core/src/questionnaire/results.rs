//! How a family's scores changed: the trend of each subscale over the
//! measurements, and at closure the comparison of the end with the start.
//!
//! Scores are oriented so that higher is better (a reversed item is turned
//! before it counts), so a rise is progress for every shipped instrument.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Instrument, Occasion};

/// A filled-in questionnaire as the results need it.
pub trait Scored {
    fn taken_on(&self) -> NaiveDate;
    fn occasion(&self) -> Occasion;
    /// The subscale's score; `None` when too few items were answered.
    fn value(&self, subscale: &str) -> Option<f64>;
}

impl<T: Scored> Scored for &T {
    fn taken_on(&self) -> NaiveDate {
        (*self).taken_on()
    }
    fn occasion(&self) -> Occasion {
        (*self).occasion()
    }
    fn value(&self, subscale: &str) -> Option<f64> {
        (*self).value(subscale)
    }
}

/// One valid score of a subscale.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    pub taken_on: NaiveDate,
    pub occasion: Occasion,
    pub value: f64,
}

/// Whether a score went up, stayed or went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Better,
    Same,
    Worse,
}

impl Direction {
    /// Differences smaller than this are rounding, not change.
    const SAME_WITHIN: f64 = 1e-9;

    pub fn of(change: f64) -> Direction {
        if change > Self::SAME_WITHIN {
            Direction::Better
        } else if change < -Self::SAME_WITHIN {
            Direction::Worse
        } else {
            Direction::Same
        }
    }
}

/// The closing score against the score at the start of help.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartToClosure {
    pub start: f64,
    pub closure: f64,
    /// Closure minus start.
    pub change: f64,
    pub direction: Direction,
}

/// One subscale over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    pub subscale: String,
    /// The plan's life domain it measures, if any.
    pub domain: Option<String>,
    /// Every valid score, oldest first.
    pub points: Vec<Point>,
    pub first: Option<f64>,
    pub latest: Option<f64>,
    /// Latest minus first; `None` with fewer than two valid scores.
    pub change: Option<f64>,
    /// Present once a closing measurement has a valid score and an earlier
    /// one does too.
    pub start_to_closure: Option<StartToClosure>,
}

/// At closure: in how many subscales the family ended above, level with
/// or below where it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub better: usize,
    pub same: usize,
    pub worse: usize,
}

/// The trend of every subscale of `instrument`, from the measurements of
/// one kind of respondent, oldest first.
pub fn trends<M: Scored>(instrument: &Instrument, taken: &[M]) -> Vec<Trend> {
    instrument
        .subscales
        .iter()
        .map(|subscale| {
            let points: Vec<Point> = taken
                .iter()
                .filter_map(|m| {
                    Some(Point {
                        taken_on: m.taken_on(),
                        occasion: m.occasion(),
                        value: m.value(&subscale.id)?,
                    })
                })
                .collect();
            let first = points.first().map(|p| p.value);
            let latest = points.last().map(|p| p.value);
            let change = match (first, latest) {
                (Some(f), Some(l)) if points.len() > 1 => Some(l - f),
                _ => None,
            };
            Trend {
                subscale: subscale.id.clone(),
                domain: subscale.domain.clone(),
                start_to_closure: start_to_closure(&points),
                first,
                latest,
                change,
                points,
            }
        })
        .collect()
}

/// The closing score against the start: the start measurement's score, or
/// when that one had too few answers the earliest valid score before the
/// closure.
fn start_to_closure(points: &[Point]) -> Option<StartToClosure> {
    let at = points
        .iter()
        .rposition(|p| p.occasion == Occasion::Closure)?;
    let before = &points[..at];
    let start = before
        .iter()
        .find(|p| p.occasion == Occasion::Start)
        .or_else(|| before.first())?
        .value;
    let closure = points[at].value;
    let change = closure - start;
    Some(StartToClosure {
        start,
        closure,
        change,
        direction: Direction::of(change),
    })
}

/// The comparison at closure over the subscales that have one; `None` when
/// none has.
pub fn comparison(trends: &[Trend]) -> Option<Comparison> {
    let mut seen = false;
    let mut counts = Comparison {
        better: 0,
        same: 0,
        worse: 0,
    };
    for c in trends.iter().filter_map(|t| t.start_to_closure.as_ref()) {
        seen = true;
        match c.direction {
            Direction::Better => counts.better += 1,
            Direction::Same => counts.same += 1,
            Direction::Worse => counts.worse += 1,
        }
    }
    seen.then_some(counts)
}
