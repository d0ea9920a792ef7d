//! Periods of a report: months, quarters, half years, years, or rolling
//! twelve months, and the finest of them a small team's figures fill.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::suppression::THRESHOLD;

/// How finely a trend is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Month,
    Quarter,
    HalfYear,
    Year,
    /// Each month's figure over the twelve months up to and including it.
    Rolling12,
}

impl Grain {
    /// Finest first: the order in which a readable grain is looked for.
    pub const CALENDAR: [Grain; 4] = [Grain::Month, Grain::Quarter, Grain::HalfYear, Grain::Year];
    pub const ALL: [Grain; 5] = [
        Grain::Month,
        Grain::Quarter,
        Grain::HalfYear,
        Grain::Year,
        Grain::Rolling12,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Month => "month",
            Grain::Quarter => "quarter",
            Grain::HalfYear => "half_year",
            Grain::Year => "year",
            Grain::Rolling12 => "rolling_12",
        }
    }

    pub fn parse(value: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.as_str() == value)
    }

    /// The months one step of the grain advances.
    fn step(self) -> u32 {
        match self {
            Grain::Month | Grain::Rolling12 => 1,
            Grain::Quarter => 3,
            Grain::HalfYear => 6,
            Grain::Year => 12,
        }
    }

    /// The months one period covers.
    fn span(self) -> u32 {
        match self {
            Grain::Rolling12 => 12,
            g => g.step(),
        }
    }

    /// The first day of the calendar step holding `day`.
    fn step_start(self, day: NaiveDate) -> NaiveDate {
        let step = self.step();
        let month0 = day.month0() / step * step;
        NaiveDate::from_ymd_opt(day.year(), month0 + 1, 1).unwrap_or(day)
    }
}

/// One period of a trend: its first and last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub grain: Grain,
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    /// The calendar year and the period's number in it (month 1–12,
    /// quarter 1–4, half 1–2, 1 for a year), by its last month for a
    /// rolling period: what a label is made of.
    pub fn number(&self) -> (i32, u32) {
        let at = match self.grain {
            Grain::Rolling12 => self.end,
            _ => self.start,
        };
        let number = match self.grain {
            Grain::Month | Grain::Rolling12 => at.month(),
            Grain::Quarter => at.month0() / 3 + 1,
            Grain::HalfYear => at.month0() / 6 + 1,
            Grain::Year => 1,
        };
        (at.year(), number)
    }
}

/// The periods of `grain` from the one holding `from` to the one holding
/// `until`, oldest first. A rolling period ends with each month of the
/// range and starts eleven months before it, so it may begin before `from`.
pub fn periods(grain: Grain, from: NaiveDate, until: NaiveDate) -> Vec<Period> {
    let mut out = Vec::new();
    let mut step = grain.step_start(from);
    while step <= until {
        let Some(next) = step.checked_add_months(Months::new(grain.step())) else {
            break;
        };
        let end = next.pred_opt().unwrap_or(next);
        let start = match grain {
            Grain::Rolling12 => next
                .checked_sub_months(Months::new(grain.span()))
                .unwrap_or(step),
            _ => step,
        };
        out.push(Period { grain, start, end });
        step = next;
    }
    out
}

/// Whether a trend cut into periods can be read: at most one in four of the
/// periods that hold families is withheld (`withheld[i]`, or fewer than five
/// when nothing else withholds it).
pub fn fills(counts: &[usize], withheld: &[bool]) -> bool {
    let filled = counts.iter().filter(|&&n| n > 0).count();
    let small = counts
        .iter()
        .zip(withheld.iter().chain(std::iter::repeat(&false)))
        .filter(|&(&n, &w)| n > 0 && (w || n < THRESHOLD))
        .count();
    small * 4 <= filled
}

/// The finest calendar grain at which at most one in four of the periods
/// that hold families holds fewer than five, so that a trend does not turn
/// into a wall of withheld cells; when not even years do, rolling twelve
/// months. `days` are the dates that are counted (one per family).
pub fn readable_grain(
    days: impl IntoIterator<Item = (NaiveDate, usize)> + Clone,
    from: NaiveDate,
    until: NaiveDate,
) -> Grain {
    for grain in Grain::CALENDAR {
        let cut = periods(grain, from, until);
        let mut counts = vec![0usize; cut.len()];
        for (day, n) in days.clone() {
            if let Some(i) = cut.iter().position(|p| p.contains(day)) {
                counts[i] += n;
            }
        }
        if fills(&counts, &[]) {
            return grain;
        }
    }
    Grain::Rolling12
}
