use chrono::NaiveDate;

use super::*;

fn d(text: &str) -> NaiveDate {
    crate::dates::parse_date(text).expect("test date")
}

#[test]
fn calendar_periods_cover_the_range_without_gaps() {
    let months = periods(Grain::Month, d("2024-01-15"), d("2024-03-01"));
    assert_eq!(months.len(), 3);
    assert_eq!(
        (months[0].start, months[0].end),
        (d("2024-01-01"), d("2024-01-31"))
    );
    // A leap year's February.
    assert_eq!(months[1].end, d("2024-02-29"));
    let quarters = periods(Grain::Quarter, d("2023-11-30"), d("2024-04-01"));
    assert_eq!(
        quarters
            .iter()
            .map(|p| (p.start, p.end))
            .collect::<Vec<_>>(),
        vec![
            (d("2023-10-01"), d("2023-12-31")),
            (d("2024-01-01"), d("2024-03-31")),
            (d("2024-04-01"), d("2024-06-30")),
        ]
    );
    assert_eq!(quarters[1].number(), (2024, 1));
    let halves = periods(Grain::HalfYear, d("2024-07-01"), d("2024-07-01"));
    assert_eq!(
        (halves[0].start, halves[0].end),
        (d("2024-07-01"), d("2024-12-31"))
    );
    assert_eq!(halves[0].number(), (2024, 2));
    let years = periods(Grain::Year, d("2023-12-31"), d("2024-01-01"));
    assert_eq!(years.len(), 2);
    for grain in Grain::CALENDAR {
        let cut = periods(grain, d("2021-03-17"), d("2026-11-02"));
        for pair in cut.windows(2) {
            assert_eq!(pair[0].end.succ_opt(), Some(pair[1].start), "{grain:?}");
        }
    }
}

#[test]
fn a_rolling_period_ends_with_each_month_and_spans_twelve() {
    let rolling = periods(Grain::Rolling12, d("2025-01-10"), d("2025-03-10"));
    assert_eq!(rolling.len(), 3);
    assert_eq!(
        (rolling[0].start, rolling[0].end),
        (d("2024-02-01"), d("2025-01-31"))
    );
    assert_eq!(
        (rolling[2].start, rolling[2].end),
        (d("2024-04-01"), d("2025-03-31"))
    );
    assert_eq!(rolling[2].number(), (2025, 3));
}

#[test]
fn grains_read_back_from_their_names() {
    for grain in Grain::ALL {
        assert_eq!(Grain::parse(grain.as_str()), Some(grain));
    }
    assert_eq!(Grain::parse("week"), None);
}

#[test]
fn counts_are_shown_from_five_and_zero_is_shown() {
    assert!(shown(0));
    assert!(!shown(1));
    assert!(!shown(4));
    assert!(shown(5));
    assert!(shown(6));
}

#[test]
fn a_part_is_withheld_when_the_rest_is_small() {
    // Team A 20 of 24: the other team's 4 would follow from the difference.
    assert!(!part_shown(20, 24));
    assert!(part_shown(20, 25));
    assert!(part_shown(20, 26));
    assert!(part_shown(20, 20), "the filter selects everything");
    assert!(!part_shown(4, 30), "small itself");
    assert!(part_shown(5, 30));
    assert!(part_shown(6, 30));
}

#[test]
fn one_small_cell_takes_a_second_with_it() {
    // 4 alone would be the total minus the others.
    let w = withheld(&[4, 9, 6, 0]);
    assert_eq!(w.cells, vec![true, false, true, false]);
    assert!(!w.total);
    // At five nothing is withheld; two small cells protect each other.
    assert_eq!(withheld(&[5, 9, 6]).cells, vec![false; 3]);
    assert_eq!(withheld(&[6, 9]).cells, vec![false; 2]);
    assert_eq!(withheld(&[3, 2, 9]).cells, vec![true, true, false]);
    // A small cell with nothing beside it: the total would be it.
    let w = withheld(&[3, 0, 0]);
    assert_eq!(w.cells, vec![true, false, false]);
    assert!(w.total);
    let w = withheld(&[3, 1]);
    assert!(w.total, "a total under five is withheld too");
    assert!(
        !withheld(&[4, 2]).total,
        "two small cells of six hide each other"
    );
}

#[test]
fn the_readable_grain_is_the_finest_that_fills() {
    let from = d("2025-01-01");
    let until = d("2025-12-31");
    // Ten families a month: months read.
    let busy: Vec<(NaiveDate, usize)> = (1..=12)
        .map(|m| (NaiveDate::from_ymd_opt(2025, m, 3).expect("day"), 10))
        .collect();
    assert_eq!(
        readable_grain(busy.iter().copied(), from, until),
        Grain::Month
    );
    // The seeds' scale: fifteen families in a year, about one a month,
    // fills half years (7 and 8) but not quarters.
    let small: Vec<(NaiveDate, usize)> = (1..=12)
        .map(|m| {
            let n = if m % 4 == 0 { 2 } else { 1 };
            (NaiveDate::from_ymd_opt(2025, m, 15).expect("day"), n)
        })
        .collect();
    assert_eq!(small.iter().map(|x| x.1).sum::<usize>(), 15);
    assert_eq!(
        readable_grain(small.iter().copied(), from, until),
        Grain::HalfYear
    );
    // Four families in a year: not even the year; rolling months then.
    let few = [(d("2025-02-01"), 2), (d("2025-09-01"), 2)];
    assert_eq!(
        readable_grain(few.iter().copied(), from, until),
        Grain::Rolling12
    );
    // Nothing at all reads at any grain.
    assert_eq!(
        readable_grain(std::iter::empty(), from, until),
        Grain::Month
    );
    // One small quarter in four is allowed, two are not: at the edge.
    let quarters = |q3: [usize; 2], q4: [usize; 2]| {
        vec![
            (d("2025-01-05"), 3),
            (d("2025-02-05"), 2),
            (d("2025-04-05"), 3),
            (d("2025-05-05"), 2),
            (d("2025-07-05"), q3[0]),
            (d("2025-08-05"), q3[1]),
            (d("2025-10-05"), q4[0]),
            (d("2025-11-05"), q4[1]),
        ]
    };
    let one_small = quarters([3, 3], [2, 2]);
    assert_eq!(
        readable_grain(one_small.iter().copied(), from, until),
        Grain::Quarter
    );
    let two_small = quarters([2, 2], [2, 1]);
    assert_eq!(
        readable_grain(two_small.iter().copied(), from, until),
        Grain::HalfYear
    );
}

mod waiting_report {
    use super::*;
    use crate::referral::ReferralSource;
    use crate::report::waiting::{Started, StillWaiting, report};
    use crate::waiting::Count;

    fn key(team_id: i64, source: ReferralSource) -> Key {
        Key {
            programme_id: 1,
            team_id,
            source,
            organisation_id: Some(10),
        }
    }

    fn started(team: i64, on: &str, days: i64, n: usize) -> Started {
        Started {
            key: key(team, ReferralSource::Cjg),
            started_on: d(on),
            waiting_days: days,
            within_norm: days <= 42,
            families: n,
        }
    }

    #[test]
    fn an_analyst_sees_from_five_and_a_team_sees_all() {
        for (n, expected) in [
            (4, Count::FewerThanFive),
            (5, Count::Exact(5)),
            (6, Count::Exact(6)),
        ] {
            let rows = [started(1, "2025-03-10", 30, n)];
            let r = report(
                &rows,
                &[],
                Filter::default(),
                Audience::Aggregates,
                Some(Grain::Year),
                d("2025-01-01"),
                d("2025-12-31"),
                d("2026-01-05"),
            );
            assert_eq!(r.total.count, expected, "{n} families");
            assert_eq!(r.total.mean_days.is_some(), n >= 5);
            let team = report(
                &rows,
                &[],
                Filter::default(),
                Audience::Team { team_id: 1 },
                Some(Grain::Year),
                d("2025-01-01"),
                d("2025-12-31"),
                d("2026-01-05"),
            );
            assert_eq!(team.total.count, Count::Exact(n));
            assert_eq!(team.total.mean_days, Some(30.0));
        }
    }

    #[test]
    fn a_filter_is_withheld_when_its_difference_with_the_whole_is_small() {
        // Team 1 has 20, team 2 has 4, 5 or 6: the dashboard of team 1
        // beside the whole would give team 2 away at 4.
        for (other, team_shown) in [(4, false), (5, true), (6, true)] {
            let rows = [
                started(1, "2025-03-10", 30, 20),
                started(2, "2025-03-11", 50, other),
            ];
            let only_team = Filter {
                team_id: Some(1),
                ..Filter::default()
            };
            let r = report(
                &rows,
                &[],
                only_team,
                Audience::Aggregates,
                Some(Grain::Year),
                d("2025-01-01"),
                d("2025-12-31"),
                d("2026-01-05"),
            );
            assert_eq!(
                r.total.count.exact().is_some(),
                team_shown,
                "other team {other}"
            );
            let whole = report(
                &rows,
                &[],
                Filter::default(),
                Audience::Aggregates,
                Some(Grain::Year),
                d("2025-01-01"),
                d("2025-12-31"),
                d("2026-01-05"),
            );
            assert_eq!(whole.total.count, Count::Exact(20 + other));
        }
        // Two filters: team 1 from the CJG beside team 1 from anywhere.
        let rows = [
            started(1, "2025-03-10", 30, 20),
            Started {
                key: key(1, ReferralSource::IndicationBody),
                ..started(1, "2025-03-12", 40, 3)
            },
            started(2, "2025-03-11", 50, 9),
        ];
        let both = Filter {
            team_id: Some(1),
            source: Some(ReferralSource::Cjg),
            ..Filter::default()
        };
        let r = report(
            &rows,
            &[],
            both,
            Audience::Aggregates,
            Some(Grain::Year),
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        assert_eq!(r.total.count, Count::Withheld, "23 − 20 would be 3");
    }

    #[test]
    fn one_small_period_withholds_a_second_beside_it() {
        let rows = [
            started(1, "2025-02-10", 30, 9),
            started(1, "2025-05-10", 30, 7),
            started(1, "2025-08-10", 30, 3),
            started(1, "2025-11-10", 30, 12),
        ];
        let r = report(
            &rows,
            &[],
            Filter::default(),
            Audience::Aggregates,
            Some(Grain::Quarter),
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        let counts: Vec<Count> = r.periods.iter().map(|p| p.stats.count).collect();
        assert_eq!(
            counts,
            vec![
                Count::Exact(9),
                Count::Withheld,
                Count::FewerThanFive,
                Count::Exact(12)
            ]
        );
        assert_eq!(r.total.count, Count::Exact(31));
    }

    #[test]
    fn the_grain_is_chosen_unless_asked_and_the_bands_count_weeks() {
        let rows: Vec<Started> = (1..=12)
            .map(|m| {
                started(
                    1,
                    &format!("2025-{m:02}-15"),
                    7 * i64::from(m),
                    if m % 4 == 0 { 2 } else { 1 },
                )
            })
            .collect();
        let r = report(
            &rows,
            &[],
            Filter::default(),
            Audience::Aggregates,
            None,
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        assert!(r.grain_chosen);
        assert_eq!(r.grain, Grain::HalfYear);
        assert!(r.periods.iter().all(|p| p.stats.count.exact().is_some()));
        let asked = report(
            &rows,
            &[],
            Filter::default(),
            Audience::Team { team_id: 1 },
            Some(Grain::Month),
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        assert!(!asked.grain_chosen);
        assert_eq!(asked.periods.len(), 12);
        // 1..12 weeks: bands 0–2 (1), 2–4 (2, 3), 4–6 (4: 2 families, 5),
        // 6–9 (6, 7, 8: 2 families), 9–13 (9..12).
        let team: Vec<Count> = asked.distribution.iter().map(|b| b.count).collect();
        assert_eq!(
            team[..5],
            [
                Count::Exact(1),
                Count::Exact(2),
                Count::Exact(3),
                Count::Exact(4),
                Count::Exact(5)
            ]
        );

        let waiting = [
            StillWaiting {
                key: key(1, ReferralSource::Cjg),
                reference_date: d("2025-12-29"),
                families: 6,
            },
            StillWaiting {
                key: key(1, ReferralSource::Cjg),
                reference_date: d("2025-10-01"),
                families: 2,
            },
        ];
        let r = report(
            &rows,
            &waiting,
            Filter::default(),
            Audience::Aggregates,
            None,
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        let list: Vec<Count> = r.waiting_list.iter().map(|b| b.count).collect();
        // Six waited a week, two 13 weeks: the two are small and the six go
        // too, or the list's length gives the two back. No cut reads, so the
        // coarsest bands show: up to 9 weeks, 9 to 26, and longer.
        assert_eq!(
            list,
            vec![Count::Withheld, Count::FewerThanFive, Count::Exact(0)]
        );
        assert_eq!(r.waiting_list[1].from_weeks, 9);
        assert_eq!(r.waiting_list[1].until_weeks, Some(26));
        // Ten waited a week and six 13 weeks: the fine bands read.
        let busy = [
            StillWaiting {
                key: key(1, ReferralSource::Cjg),
                reference_date: d("2025-12-29"),
                families: 10,
            },
            StillWaiting {
                key: key(1, ReferralSource::Cjg),
                reference_date: d("2025-10-01"),
                families: 6,
            },
        ];
        let r = report(
            &rows,
            &busy,
            Filter::default(),
            Audience::Aggregates,
            None,
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        assert_eq!(r.waiting_list.len(), 7);
        assert_eq!(r.waiting_list[5].count, Count::Exact(6));
        let team = report(
            &rows,
            &waiting,
            Filter::default(),
            Audience::Team { team_id: 1 },
            None,
            d("2025-01-01"),
            d("2025-12-31"),
            d("2026-01-05"),
        );
        assert_eq!(team.waiting_list[0].count, Count::Exact(6));
        assert_eq!(team.waiting_list[5].count, Count::Exact(2));
    }
}

#[test]
fn the_grain_is_one_that_reads_after_subtraction_is_ruled_out() {
    use crate::referral::ReferralSource;
    use crate::report::waiting::{Started, report};
    let row = |programme_id: i64, on: &str, n: usize| Started {
        key: Key {
            programme_id,
            team_id: programme_id,
            source: ReferralSource::Cjg,
            organisation_id: None,
        },
        started_on: d(on),
        waiting_days: 40,
        within_norm: true,
        families: n,
    };
    // Six a quarter in programme 1, two in programme 2: programme 1's
    // quarters and half years beside the whole would give programme 2 away.
    let rows: Vec<Started> = ["2025-02-01", "2025-05-01", "2025-08-01", "2025-11-01"]
        .iter()
        .flat_map(|on| [row(1, on, 6), row(2, on, 2)])
        .collect();
    let first = Filter {
        programme_id: Some(1),
        ..Filter::default()
    };
    let (from, until, today) = (d("2025-01-01"), d("2025-12-31"), d("2026-01-05"));
    let analyst = report(
        &rows,
        &[],
        first,
        Audience::Aggregates,
        None,
        from,
        until,
        today,
    );
    assert_eq!(analyst.grain, Grain::Year);
    assert_eq!(
        analyst.periods[0].stats.count,
        crate::waiting::Count::Exact(24)
    );
    let team = report(
        &rows,
        &[],
        first,
        Audience::Team { team_id: 1 },
        None,
        from,
        until,
        today,
    );
    assert_eq!(
        team.grain,
        Grain::Month,
        "the team's own figures need no such care"
    );
}
