//! The waiting-time section of the dashboard: from indication (or
//! registration) to the start of help, as a trend per period with the
//! norm, as a distribution, and the waiting list of today by weeks waited.

use chrono::NaiveDate;
use serde::Serialize;

use super::period::{Grain, Period, fills, periods};
use super::selection::{Audience, Filter, Key};
use super::suppression::{part_shown, shown};
use crate::waiting::{Count, WaitingStats};

/// Families who started help, counted per group, day and waiting time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Started {
    pub key: Key,
    pub started_on: NaiveDate,
    pub waiting_days: i64,
    /// Whether that waiting time was within the family's programme's norm.
    pub within_norm: bool,
    pub families: usize,
}

/// Families still waiting today, counted per group and reference date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StillWaiting {
    pub key: Key,
    /// The indication date, or the registration date without one.
    pub reference_date: NaiveDate,
    pub families: usize,
}

/// A range of weeks waited: `from` up to (not including) `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    pub from_weeks: i64,
    /// `None`: and longer.
    pub until_weeks: Option<i64>,
    pub count: Count,
}

/// The bands of weeks a distribution is cut into, finest first; the norms
/// of the seeds (6 and 9 weeks) and a quarter year fall on edges. Where the
/// fine bands would be mostly withheld, coarser ones are shown.
pub const BAND_SETS: [&[i64]; 3] = [&[0, 2, 4, 6, 9, 13, 26], &[0, 4, 9, 13, 26], &[0, 9, 26]];

fn band_of(edges: &[i64], days: i64) -> usize {
    let weeks = days.max(0) / 7;
    edges.iter().rposition(|&e| weeks >= e).unwrap_or(0)
}

/// Families by weeks waited in the finest bands that can be read (for an
/// audience that knows the families, always the finest).
fn banded(
    rows: &[(i64, usize, Key)],
    filter: Filter,
    wider: &[Filter],
    suppressed: bool,
) -> Vec<Band> {
    let cut = |edges: &[i64]| {
        let mut cells = Cells::new(edges.len(), wider.len());
        for (days, n, key) in rows {
            cells.add(band_of(edges, *days), *n, filter.matches(key), |w| {
                wider[w].matches(key)
            });
        }
        let withheld = if suppressed {
            cells.withheld(true)
        } else {
            vec![false; edges.len()]
        };
        (cells, withheld)
    };
    let mut chosen = None;
    for edges in BAND_SETS {
        let (cells, withheld) = cut(edges);
        let last = edges.len() == BAND_SETS[BAND_SETS.len() - 1].len();
        if !suppressed || last || fills(&cells.selected, &withheld) {
            chosen = Some((edges, cells, withheld));
            break;
        }
    }
    let Some((edges, cells, withheld)) = chosen else {
        return Vec::new();
    };
    edges
        .iter()
        .enumerate()
        .map(|(i, &from_weeks)| {
            let n = cells.selected[i];
            let count = match (withheld[i], shown(n)) {
                (false, _) => Count::Exact(n),
                (true, true) => Count::Withheld,
                (true, false) => Count::FewerThanFive,
            };
            Band {
                from_weeks,
                until_weeks: edges.get(i + 1).copied(),
                count,
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodWaiting {
    pub period: Period,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stats: WaitingStats,
}

/// The waiting-time figures of one selection for one audience.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingReport {
    pub grain: Grain,
    /// Whether the grain was chosen by wrapcare (the finest that fills)
    /// rather than asked for.
    pub grain_chosen: bool,
    pub periods: Vec<PeriodWaiting>,
    /// The whole range.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub total: WaitingStats,
    /// Waiting times of the families who started in the range.
    pub distribution: Vec<Band>,
    /// Families waiting today, by weeks waited so far.
    pub waiting_list: Vec<Band>,
}

/// Counts of one selection and of the wider ones beside it, per cell.
struct Cells {
    selected: Vec<usize>,
    wider: Vec<Vec<usize>>,
}

impl Cells {
    fn new(n: usize, wider: usize) -> Cells {
        Cells {
            selected: vec![0; n],
            wider: vec![vec![0; n]; wider],
        }
    }

    fn add(&mut self, cell: usize, n: usize, selected: bool, in_wider: impl Fn(usize) -> bool) {
        if selected {
            self.selected[cell] += n;
        }
        for (w, counts) in self.wider.iter_mut().enumerate() {
            if in_wider(w) {
                counts[cell] += n;
            }
        }
    }

    /// Which cells are withheld: a small one, one whose difference with a
    /// wider selection is small, and, where the cells add up to a shown
    /// total, a second one beside a single withheld cell.
    fn withheld(&self, adds_up: bool) -> Vec<bool> {
        let mut out: Vec<bool> = (0..self.selected.len())
            .map(|i| {
                let n = self.selected[i];
                !shown(n) || self.wider.iter().any(|w| !part_shown(n, w[i]))
            })
            .collect();
        if adds_up && out.iter().filter(|&&w| w).count() == 1 {
            let second = (0..out.len())
                .filter(|&i| !out[i] && self.selected[i] > 0)
                .min_by_key(|&i| (self.selected[i], i));
            if let Some(i) = second {
                out[i] = true;
            }
        }
        out
    }
}

/// The started families of a selection cut into periods: their waiting
/// times, and the counts of the selection and of the wider ones.
struct ByPeriod {
    cut: Vec<Period>,
    counts_of: Vec<Vec<(i64, usize)>>,
    within_of: Vec<usize>,
    cells: Cells,
}

fn by_period(
    started: &[Started],
    filter: Filter,
    wider: &[Filter],
    grain: Grain,
    from: NaiveDate,
    until: NaiveDate,
) -> ByPeriod {
    let cut = periods(grain, from, until);
    let mut counts_of: Vec<Vec<(i64, usize)>> = vec![Vec::new(); cut.len()];
    let mut within_of = vec![0usize; cut.len()];
    let mut cells = Cells::new(cut.len(), wider.len());
    let (Some(first), Some(last)) = (cut.first(), cut.last()) else {
        return ByPeriod {
            cut,
            counts_of,
            within_of,
            cells,
        };
    };
    let (start, end) = (first.start, last.end);
    for s in started {
        if s.started_on < start || s.started_on > end {
            continue;
        }
        let selected = filter.matches(&s.key);
        let in_wider = |w: usize| wider[w].matches(&s.key);
        for (i, p) in cut.iter().enumerate() {
            if p.contains(s.started_on) {
                cells.add(i, s.families, selected, in_wider);
                if selected {
                    counts_of[i].push((s.waiting_days, s.families));
                    if s.within_norm {
                        within_of[i] += s.families;
                    }
                }
            }
        }
    }
    ByPeriod {
        cut,
        counts_of,
        within_of,
        cells,
    }
}

/// The waiting-time report of `filter` (as the audience may have it) over
/// the families who started from `from` to `until`, and those waiting on
/// `today`. Rows outside the audience's reach must not be passed in.
#[allow(clippy::too_many_arguments)]
pub fn report(
    started: &[Started],
    still_waiting: &[StillWaiting],
    filter: Filter,
    audience: Audience,
    grain: Option<Grain>,
    from: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
) -> WaitingReport {
    let filter = audience.restrict(filter);
    let suppressed = audience.suppressed();
    // An audience sees differences only between selections it can ask for.
    let wider: Vec<Filter> = if suppressed {
        filter.wider()
    } else {
        Vec::new()
    };
    let in_range = |s: &&Started| from <= s.started_on && s.started_on <= until;
    let grain_chosen = grain.is_none();
    // The grain asked for, or the finest that reads once everything that
    // must be withheld is; the periods found on the way are kept.
    let reads = |p: &ByPeriod| {
        let withheld = if suppressed {
            p.cells.withheld(true)
        } else {
            Vec::new()
        };
        fills(&p.cells.selected, &withheld)
    };
    let (grain, by) = match grain {
        Some(g) => (g, by_period(started, filter, &wider, g, from, until)),
        None => Grain::CALENDAR
            .into_iter()
            .map(|g| (g, by_period(started, filter, &wider, g, from, until)))
            .find(|(_, p)| reads(p))
            .unwrap_or_else(|| {
                let g = Grain::Rolling12;
                (g, by_period(started, filter, &wider, g, from, until))
            }),
    };
    let ByPeriod {
        cut,
        counts_of,
        within_of,
        cells: period_cells,
    } = by;

    let mut all_days: Vec<(i64, usize)> = Vec::new();
    let mut all_within = 0;
    let mut total_cells = Cells::new(1, wider.len());
    let mut waited: Vec<(i64, usize, Key)> = Vec::new();
    for s in started.iter().filter(in_range) {
        let selected = filter.matches(&s.key);
        let in_wider = |w: usize| wider[w].matches(&s.key);
        total_cells.add(0, s.families, selected, in_wider);
        waited.push((s.waiting_days, s.families, s.key));
        if selected {
            all_days.push((s.waiting_days, s.families));
            if s.within_norm {
                all_within += s.families;
            }
        }
    }
    let waiting_now: Vec<(i64, usize, Key)> = still_waiting
        .iter()
        .map(|w| ((today - w.reference_date).num_days(), w.families, w.key))
        .collect();

    let hide = |withheld: bool, stats: WaitingStats| {
        if suppressed && (withheld || stats.count.exact().is_none_or(|n| !shown(n))) {
            stats.withheld()
        } else {
            stats
        }
    };
    // Rolling periods overlap: they do not add up to the total.
    let period_withheld = period_cells.withheld(grain != Grain::Rolling12);
    let periods = cut
        .iter()
        .enumerate()
        .map(|(i, p)| PeriodWaiting {
            period: *p,
            stats: hide(
                period_withheld[i],
                WaitingStats::of_counts_in_full(&counts_of[i], within_of[i]),
            ),
        })
        .collect::<Vec<PeriodWaiting>>();
    let total = hide(
        total_cells.withheld(false)[0],
        WaitingStats::of_counts_in_full(&all_days, all_within),
    );
    // A trend starts with the first period that holds families.
    let periods: Vec<PeriodWaiting> = periods
        .into_iter()
        .skip_while(|p: &PeriodWaiting| p.stats.count == Count::Exact(0))
        .collect();
    WaitingReport {
        grain,
        grain_chosen,
        periods,
        total,
        distribution: banded(&waited, filter, &wider, suppressed),
        waiting_list: banded(&waiting_now, filter, &wider, suppressed),
    }
}
