use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::definition::{check, parse};
use super::schedule::{EpisodeDates, due};
use super::scoring::{self, check_answers, score, scored_value};
use super::*;

const SMALL: &str = r#"
id = "small"
version = 1
respondents = ["parent"]
title = { nl = "Klein", en = "Small" }
intro = { nl = "Inleiding", en = "Introduction" }

[[scales]]
id = "agree"
min = 1
max = 5
labels = [{ value = 1, nl = "Oneens", en = "Disagree" }, { value = 5, nl = "Eens", en = "Agree" }]

[[scales]]
id = "count"
min = 0

[[items]]
id = "a"
scale = "agree"
text = { nl = "A", en = "A" }

[[items]]
id = "b"
scale = "agree"
reversed = true
text = { nl = "B", en = "B" }

[[items]]
id = "c"
scale = "count"
text = { nl = "C", en = "C" }

[[items]]
id = "note"
kind = "text"
text = { nl = "Opmerking", en = "Comment" }

[[subscales]]
id = "ab"
title = { nl = "AB", en = "AB" }
items = ["a", "b"]
scoring = "mean"
min_answered = 2

[[subscales]]
id = "ab_pomp"
title = { nl = "AB %", en = "AB %" }
items = ["a", "b"]
scoring = "percent_of_maximum"
min_answered = 1

[[subscales]]
id = "all"
title = { nl = "Alles", en = "All" }
items = ["a", "b", "c"]
scoring = "sum"
min_answered = 2
"#;

fn small() -> Instrument {
    parse("small.toml", SMALL).expect("the small instrument is consistent")
}

/// The problem `edit` introduces into the small definition.
fn problem_after(edit: impl Fn(&mut Instrument)) -> (Place, Problem) {
    let mut instrument = small();
    edit(&mut instrument);
    check(&instrument).expect_err("the edit makes it inconsistent")
}

#[test]
fn every_shipped_instrument_loads() {
    let catalogue = Catalogue::shipped().expect("the shipped instruments load");
    let ids: Vec<&str> = catalogue.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "appreciation",
            "fidelity_coordinator",
            "fidelity_parent",
            "self_sufficiency"
        ]
    );
    let domains = [
        "financial",
        "work_education",
        "daytime",
        "housing",
        "family_relations",
        "mental_health",
        "physical_health",
        "substance_use",
        "daily_living",
        "social_network",
        "community",
        "justice",
        "parenting",
        "child_development",
        "school",
    ];
    catalogue
        .check_domains(&domains)
        .expect("self-sufficiency names the plan's domains");
    let self_sufficiency = catalogue.get("self_sufficiency").expect("shipped");
    for domain in domains {
        let subscale = self_sufficiency
            .subscales
            .iter()
            .find(|s| s.domain.as_deref() == Some(domain))
            .unwrap_or_else(|| panic!("a subscale for {domain}"));
        let item = self_sufficiency.item(&subscale.items[0]).expect("its item");
        assert_eq!(item.levels.len(), 5, "five levels for {domain}");
    }
    let principles = [
        "voice_choice",
        "team_based",
        "natural_supports",
        "collaboration",
        "community_based",
        "culturally_competent",
        "individualised",
        "strengths_based",
        "persistence",
        "outcome_based",
    ];
    for id in ["fidelity_parent", "fidelity_coordinator"] {
        let fidelity = catalogue.get(id).expect("shipped");
        for principle in principles {
            assert!(
                fidelity.subscale(principle).is_some(),
                "{id} scores {principle}"
            );
        }
        assert!(fidelity.subscale("total").is_some(), "{id} has a total");
    }
    let appreciation = catalogue.get("appreciation").expect("shipped");
    assert!(appreciation.items.len() >= 10);
    assert!(appreciation.items.iter().any(|i| i.kind == ItemKind::Text));
    let mark = appreciation.subscale("mark").expect("an overall mark");
    let item = appreciation.item(&mark.items[0]).expect("its item");
    let scale = appreciation.scale_of(item).expect("its scale");
    assert_eq!((scale.min, scale.max), (1, Some(10)));
}

#[test]
fn a_definition_error_names_the_file_and_the_item() {
    let broken = SMALL.replace("reversed = true", "reversed = true\nscale = \"agree\"");
    let err = parse("small.toml", &broken).expect_err("a key twice is not TOML");
    assert!(err.to_string().starts_with("small.toml: "), "{err}");

    let unbounded = SMALL.replace(
        "id = \"c\"\nscale = \"count\"",
        "id = \"c\"\nscale = \"count\"\nreversed = true",
    );
    let err = parse("small.toml", &unbounded).expect_err("reversed on a count");
    assert_eq!(
        err.to_string(),
        "small.toml: item `c`: the scale has no maximum, so it cannot be reversed"
    );

    let typo = SMALL.replace(
        "min_answered = 2\n\n[[subscales]]\nid = \"ab_pomp\"",
        "min_answerd = 2\n\n[[subscales]]\nid = \"ab_pomp\"",
    );
    let err = parse("small.toml", &typo).expect_err("an unknown key");
    assert!(err.to_string().contains("min_answerd"), "{err}");
}

#[test]
fn inconsistent_definitions_are_refused() {
    let item = |id: &str| Place::Item(id.to_string());
    let sub = |id: &str| Place::Subscale(id.to_string());
    assert_eq!(
        problem_after(|i| i.items[1].id = "a".into()),
        (item("a"), Problem::DuplicateId)
    );
    assert_eq!(
        problem_after(|i| i.scales[1].id = "agree".into()),
        (Place::Scale("agree".into()), Problem::DuplicateId)
    );
    assert_eq!(
        problem_after(|i| i.items[0].scale = Some("nope".into())),
        (item("a"), Problem::UnknownScale("nope".into()))
    );
    assert_eq!(
        problem_after(|i| i.items[2].reversed = true),
        (item("c"), Problem::ReversedUnbounded)
    );
    assert_eq!(
        problem_after(|i| i.items[1].text.en.clear()),
        (item("b"), Problem::MissingText("en"))
    );
    assert_eq!(
        problem_after(|i| i.title.nl = "  ".into()),
        (Place::Instrument, Problem::MissingText("nl"))
    );
    assert_eq!(
        problem_after(|i| i.subscales[2].items.retain(|id| id != "c")),
        (item("c"), Problem::Unscored)
    );
    assert_eq!(
        problem_after(|i| i.subscales[0].min_answered = 3),
        (
            sub("ab"),
            Problem::MinAnsweredOutOfRange { found: 3, items: 2 }
        )
    );
    assert_eq!(
        problem_after(|i| i.subscales[0].min_answered = 0),
        (
            sub("ab"),
            Problem::MinAnsweredOutOfRange { found: 0, items: 2 }
        )
    );
    assert_eq!(
        problem_after(|i| i.subscales[1].items.push("c".into())),
        (sub("ab_pomp"), Problem::PercentOfUnbounded("c".into()))
    );
    assert_eq!(
        problem_after(|i| i.subscales[0].items.push("note".into())),
        (sub("ab"), Problem::OpenItemScored("note".into()))
    );
    assert_eq!(
        problem_after(|i| i.subscales[0].items.push("zz".into())),
        (sub("ab"), Problem::UnknownItem("zz".into()))
    );
    assert_eq!(
        problem_after(|i| i.scales[0].labels[1].value = 6),
        (Place::Scale("agree".into()), Problem::LabelOutOfRange(6))
    );
    assert_eq!(
        problem_after(|i| i.items[0].levels = vec![Text {
            nl: "x".into(),
            en: "x".into()
        }]),
        (
            item("a"),
            Problem::LevelsMismatch {
                found: 1,
                expected: 5
            }
        )
    );
    assert_eq!(
        problem_after(|i| i.respondents.clear()),
        (Place::Instrument, Problem::NoRespondents)
    );
}

#[test]
fn two_files_with_one_id_are_refused() {
    let err = Catalogue::load([("one.toml", SMALL), ("two.toml", SMALL)]).expect_err("an id twice");
    assert_eq!(
        err.to_string(),
        "two.toml: the instrument: the id is used twice"
    );
}

#[test]
fn answers_outside_the_scale_are_refused_by_field() {
    let instrument = small();
    let err = check_answers(
        &instrument,
        [("a", "6"), ("b", "two"), ("c", "-1"), ("zz", "1")],
    )
    .expect_err("four wrong answers");
    let fields: Vec<(&str, &str)> = err.0.iter().map(|e| (e.field.as_str(), e.key)).collect();
    assert_eq!(
        fields,
        [
            ("answers.a", "error-answer-out-of-scale"),
            ("answers.b", "error-not-a-whole-number"),
            ("answers.c", "error-answer-out-of-scale"),
            ("answers.zz", "error-unknown-item"),
        ]
    );
    let answers = check_answers(
        &instrument,
        [("a", "5"), ("b", " "), ("c", "40"), ("note", " fijn ")],
    )
    .expect("acceptable");
    assert_eq!(answers.get("b"), None, "blank is left open");
    assert_eq!(
        answers.get("c"),
        Some(&Answer::Value(40)),
        "a count has no maximum"
    );
    assert_eq!(answers.get("note"), Some(&Answer::Text("fijn".into())));
}

#[test]
fn scores_by_hand() {
    let instrument = small();
    let answers = check_answers(&instrument, [("a", "4"), ("b", "2"), ("c", "3")]).expect("ok");
    let scores = score(&instrument, &answers);
    // b = 2 reversed on 1..5 is 4.
    assert_eq!(scores[0].value, Some(4.0));
    assert_eq!(scores[1].value, Some(75.0));
    assert_eq!(scores[2].value, Some(11.0));

    // c left open: the sum of a and b is prorated to three items.
    let answers = check_answers(&instrument, [("a", "4"), ("b", "2")]).expect("ok");
    let scores = score(&instrument, &answers);
    assert_eq!(scores[2].value, Some(12.0));
    assert_eq!((scores[2].answered, scores[2].items), (2, 3));

    // One answer is under the two the mean needs; the share needs one.
    let answers = check_answers(&instrument, [("a", "1")]).expect("ok");
    let scores = score(&instrument, &answers);
    assert_eq!(scores[0].value, None);
    assert_eq!(scores[1].value, Some(0.0));
    assert_eq!(scores[2].value, None);

    let ranges: Vec<Option<(f64, f64)>> = instrument
        .subscales
        .iter()
        .map(|s| scoring::range(&instrument, s))
        .collect();
    assert_eq!(
        ranges,
        [Some((1.0, 5.0)), Some((0.0, 100.0)), None],
        "a count has no maximum"
    );
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn plan(instrument: &str, when: When) -> Planned {
    Planned {
        instrument: instrument.into(),
        respondent: Respondent::Parent,
        when,
    }
}

#[test]
fn start_is_due_from_the_start_of_help_and_overdue_after_the_grace() {
    let schedule = [plan("x", When::Start)];
    let episode = EpisodeDates {
        started: Some(day("2026-03-02")),
        transition: None,
        closed: None,
    };
    assert!(due(&schedule, episode, &[], day("2026-03-01"), 14).is_empty());
    let on = due(&schedule, episode, &[], day("2026-03-02"), 14);
    assert_eq!(on.len(), 1);
    assert!(!on[0].overdue);
    assert!(!due(&schedule, episode, &[], day("2026-03-16"), 14)[0].overdue);
    assert!(due(&schedule, episode, &[], day("2026-03-17"), 14)[0].overdue);
    let taken = [Taken {
        instrument: "x",
        respondent: Respondent::Parent,
        occasion: Occasion::Start,
    }];
    assert!(due(&schedule, episode, &taken, day("2026-03-17"), 14).is_empty());
    let other = [Taken {
        respondent: Respondent::Youth,
        ..taken[0]
    }];
    assert_eq!(
        due(&schedule, episode, &other, day("2026-03-17"), 14).len(),
        1
    );
}

#[test]
fn a_repeat_comes_due_each_interval_and_a_missed_one_lapses() {
    let schedule = [plan("x", When::Every { weeks: 4 })];
    let started = day("2026-01-05");
    let episode = EpisodeDates {
        started: Some(started),
        transition: None,
        closed: None,
    };
    let at = |days: i64| due(&schedule, episode, &[], started + Duration::days(days), 14);
    assert!(at(27).is_empty(), "the day before the first round");
    assert_eq!(at(28)[0].occasion, Occasion::Repeat(1));
    assert_eq!(at(28)[0].due_on, day("2026-02-02"));
    assert!(!at(42)[0].overdue);
    assert!(at(43)[0].overdue);
    assert_eq!(at(56).len(), 1, "only the latest round is asked for");
    assert_eq!(at(56)[0].occasion, Occasion::Repeat(2));
    assert!(!at(56)[0].overdue);

    let in_transition = EpisodeDates {
        transition: Some(started + Duration::days(56)),
        ..episode
    };
    let before = due(
        &schedule,
        in_transition,
        &[],
        started + Duration::days(55),
        14,
    );
    assert_eq!(
        before[0].occasion,
        Occasion::Repeat(1),
        "the day before the transition"
    );
    assert!(before[0].overdue);
    assert!(
        due(
            &schedule,
            in_transition,
            &[],
            started + Duration::days(56),
            14
        )
        .is_empty(),
        "in the transition only the closing measurement is asked"
    );
}

#[test]
fn closure_is_due_in_the_transition_and_lapses_after_closing() {
    let schedule = [plan("x", When::Closure), plan("y", When::Start)];
    let episode = EpisodeDates {
        started: Some(day("2026-01-05")),
        transition: Some(day("2026-06-01")),
        closed: None,
    };
    let now = due(&schedule, episode, &[], day("2026-07-01"), 14);
    let closure = now.iter().find(|d| d.instrument == "x").expect("due");
    assert_eq!(closure.due_on, day("2026-06-01"));
    assert!(!closure.overdue, "the transition may take its time");
    let closed = EpisodeDates {
        closed: Some(day("2026-07-10")),
        ..episode
    };
    let after = due(&schedule, closed, &[], day("2026-07-11"), 14);
    assert_eq!(after.len(), 1, "a closed episode is not asked its start");
    assert!(after[0].overdue);
    assert_eq!(due(&schedule, closed, &[], day("2026-08-21"), 14).len(), 1);
    assert!(due(&schedule, closed, &[], day("2026-08-22"), 14).is_empty());
}

#[test]
fn the_default_schedule_fits_the_shipped_instruments() {
    let catalogue = Catalogue::shipped().expect("loads");
    schedule::check_schedule(&schedule::default_schedule(), &catalogue).expect("consistent");
    let wrong = [
        plan("nope", When::Start),
        Planned {
            instrument: "fidelity_coordinator".into(),
            respondent: Respondent::Parent,
            when: When::Every { weeks: 0 },
        },
    ];
    let err = schedule::check_schedule(&wrong, &catalogue).expect_err("two errors");
    let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "schedule[0].instrument",
            "schedule[1].respondent",
            "schedule[1].weeks"
        ]
    );
}

#[test]
fn a_setting_bounds_its_grace_period() {
    let catalogue = Catalogue::shipped().expect("loads");
    let schedule = schedule::default_schedule();
    schedule::check_setting(&schedule, 0, &catalogue).expect("no grace is allowed");
    schedule::check_setting(&schedule, schedule::GRACE_MAX_DAYS, &catalogue).expect("the most");
    let err = schedule::check_setting(&schedule, schedule::GRACE_MAX_DAYS + 1, &catalogue)
        .expect_err("too long");
    assert_eq!(err.0.len(), 1);
    assert_eq!(err.0[0].field, "grace_days");
    // An empty schedule asks nothing: a programme may measure nothing.
    schedule::check_setting(&[], 14, &catalogue).expect("empty is allowed");
}

/// A small instrument of `n` items on a 1..=`top` scale, some reversed, in
/// one subscale scored `scoring` that needs `min` answers.
fn generated(n: usize, top: i64, reversed: &[bool], scoring: Scoring, min: usize) -> Instrument {
    let text = || Text {
        nl: "t".into(),
        en: "t".into(),
    };
    Instrument {
        id: "gen".into(),
        version: 1,
        respondents: vec![Respondent::Parent],
        title: text(),
        intro: text(),
        scales: vec![Scale {
            id: "s".into(),
            min: 1,
            max: Some(top),
            labels: vec![],
        }],
        items: (0..n)
            .map(|i| Item {
                id: format!("i{i}"),
                kind: ItemKind::Scale,
                scale: Some("s".into()),
                reversed: reversed[i],
                text: text(),
                levels: vec![],
            })
            .collect(),
        subscales: vec![Subscale {
            id: "all".into(),
            title: text(),
            items: (0..n).map(|i| format!("i{i}")).collect(),
            scoring,
            min_answered: min,
            domain: None,
        }],
    }
}

fn scoring_strategy() -> impl Strategy<Value = Scoring> {
    prop_oneof![
        Just(Scoring::Sum),
        Just(Scoring::Mean),
        Just(Scoring::PercentOfMaximum)
    ]
}

proptest! {
    /// Reversing an item and mirroring its answer gives the same score.
    #[test]
    fn reversal_mirrors_the_answer(
        n in 1usize..6,
        top in 2i64..11,
        flags in proptest::collection::vec(any::<bool>(), 6),
        raw in proptest::collection::vec(proptest::option::of(0i64..100), 6),
        scoring in scoring_strategy(),
    ) {
        let forward = generated(n, top, &[false; 6], scoring, 1);
        let mixed = generated(n, top, &flags, scoring, 1);
        prop_assert!(check(&mixed).is_ok());
        let mut plain = Answers::new();
        let mut mirrored = Answers::new();
        for i in 0..n {
            if let Some(r) = raw[i] {
                let v = 1 + r % top;
                plain.insert(format!("i{i}"), Answer::Value(v));
                let m = if flags[i] { 1 + top - v } else { v };
                mirrored.insert(format!("i{i}"), Answer::Value(m));
            }
        }
        prop_assert_eq!(score(&forward, &plain), score(&mixed, &mirrored));
        for i in 0..n {
            let id = format!("i{i}");
            if let Some(v) = scored_value(&mixed, &id, &mirrored) {
                prop_assert!((1..=top).contains(&v));
            }
        }
    }

    /// A score exists exactly when enough items were answered, and lies
    /// within what its scoring allows.
    #[test]
    fn the_validity_threshold_and_the_bounds_hold(
        n in 1usize..8,
        top in 2i64..8,
        min_seed in 0usize..8,
        raw in proptest::collection::vec(proptest::option::of(1i64..8), 8),
        scoring in scoring_strategy(),
    ) {
        let min = 1 + min_seed % n;
        let instrument = generated(n, top, &[false; 8], scoring, min);
        prop_assert!(check(&instrument).is_ok());
        let answers: Answers = (0..n)
            .filter_map(|i| raw[i].map(|v| (format!("i{i}"), Answer::Value(v.min(top)))))
            .collect();
        let answered = answers.len();
        let s = &score(&instrument, &answers)[0];
        prop_assert_eq!(s.answered, answered);
        prop_assert_eq!(s.value.is_some(), answered >= min);
        if let Some(value) = s.value {
            let (low, high) = match scoring {
                Scoring::Sum => (n as f64, (n as i64 * top) as f64),
                Scoring::Mean => (1.0, top as f64),
                Scoring::PercentOfMaximum => (0.0, 100.0),
            };
            prop_assert!(value >= low - 1e-9 && value <= high + 1e-9, "{} not in {}..{}", value, low, high);
        }
    }

    /// With every item answered the prorated sum is the plain sum, and a
    /// subscale of a subset scores as an instrument of that subset alone.
    #[test]
    fn subscales_score_their_own_items(
        values in proptest::collection::vec(1i64..6, 2..7),
        split in 1usize..6,
    ) {
        let n = values.len();
        let split = split.min(n - 1);
        let mut instrument = generated(n, 5, &[false; 7], Scoring::Sum, n);
        instrument.subscales.push(Subscale {
            id: "head".into(),
            title: instrument.title.clone(),
            items: (0..split).map(|i| format!("i{i}")).collect(),
            scoring: Scoring::Mean,
            min_answered: 1,
            domain: None,
        });
        prop_assert!(check(&instrument).is_ok());
        let answers: Answers = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("i{i}"), Answer::Value(*v)))
            .collect();
        let scores = score(&instrument, &answers);
        prop_assert_eq!(scores[0].value, Some(values.iter().sum::<i64>() as f64));
        let head: i64 = values[..split].iter().sum();
        prop_assert_eq!(scores[1].value, Some(head as f64 / split as f64));
    }
}

/// A measurement for the results tests: its moment and one score per
/// subscale (`None`: too few answers).
struct Taken1 {
    on: &'static str,
    occasion: Occasion,
    ab: Option<f64>,
}

impl results::Scored for Taken1 {
    fn taken_on(&self) -> NaiveDate {
        day(self.on)
    }
    fn occasion(&self) -> Occasion {
        self.occasion
    }
    fn value(&self, subscale: &str) -> Option<f64> {
        (subscale == "ab").then_some(self.ab).flatten()
    }
}

fn ab_trend(taken: &[Taken1]) -> results::Trend {
    results::trends(&small(), taken)
        .into_iter()
        .find(|t| t.subscale == "ab")
        .expect("the small instrument has ab")
}

#[test]
fn a_trend_skips_invalid_scores_and_needs_two_for_a_change() {
    let one = ab_trend(&[Taken1 {
        on: "2026-01-05",
        occasion: Occasion::Start,
        ab: Some(2.0),
    }]);
    assert_eq!(
        (one.first, one.latest, one.change),
        (Some(2.0), Some(2.0), None)
    );
    assert_eq!(one.start_to_closure, None);

    let three = ab_trend(&[
        Taken1 {
            on: "2026-01-05",
            occasion: Occasion::Start,
            ab: None,
        },
        Taken1 {
            on: "2026-04-06",
            occasion: Occasion::Repeat(1),
            ab: Some(2.5),
        },
        Taken1 {
            on: "2026-07-06",
            occasion: Occasion::Repeat(2),
            ab: Some(4.0),
        },
    ]);
    assert_eq!(three.points.len(), 2);
    assert_eq!(three.first, Some(2.5));
    assert_eq!(three.change, Some(1.5));
    assert_eq!(three.start_to_closure, None, "no closure yet");
}

#[test]
fn closure_is_compared_with_the_start_not_with_the_repeat_before_it() {
    let t = ab_trend(&[
        Taken1 {
            on: "2026-01-05",
            occasion: Occasion::Start,
            ab: Some(2.0),
        },
        Taken1 {
            on: "2026-04-06",
            occasion: Occasion::Repeat(1),
            ab: Some(4.5),
        },
        Taken1 {
            on: "2026-07-06",
            occasion: Occasion::Closure,
            ab: Some(3.5),
        },
    ]);
    let c = t.start_to_closure.expect("closure and start");
    assert_eq!((c.start, c.closure, c.change), (2.0, 3.5, 1.5));
    assert_eq!(c.direction, results::Direction::Better);

    // Without a valid start score the earliest valid one stands in.
    let t = ab_trend(&[
        Taken1 {
            on: "2026-01-05",
            occasion: Occasion::Start,
            ab: None,
        },
        Taken1 {
            on: "2026-04-06",
            occasion: Occasion::Repeat(1),
            ab: Some(4.0),
        },
        Taken1 {
            on: "2026-07-06",
            occasion: Occasion::Closure,
            ab: Some(4.0),
        },
    ]);
    let c = t.start_to_closure.expect("closure and an earlier score");
    assert_eq!(c.direction, results::Direction::Same);

    // A closure with nothing before it compares with nothing.
    let t = ab_trend(&[Taken1 {
        on: "2026-07-06",
        occasion: Occasion::Closure,
        ab: Some(3.0),
    }]);
    assert_eq!(t.start_to_closure, None);
}

#[test]
fn the_comparison_counts_each_direction_at_the_edge_of_rounding() {
    assert_eq!(results::Direction::of(0.0), results::Direction::Same);
    assert_eq!(results::Direction::of(1e-12), results::Direction::Same);
    assert_eq!(results::Direction::of(-1e-12), results::Direction::Same);
    assert_eq!(results::Direction::of(0.01), results::Direction::Better);
    assert_eq!(results::Direction::of(-0.01), results::Direction::Worse);

    let closed = |start: f64, end: f64| {
        ab_trend(&[
            Taken1 {
                on: "2026-01-05",
                occasion: Occasion::Start,
                ab: Some(start),
            },
            Taken1 {
                on: "2026-07-06",
                occasion: Occasion::Closure,
                ab: Some(end),
            },
        ])
    };
    let open = ab_trend(&[Taken1 {
        on: "2026-01-05",
        occasion: Occasion::Start,
        ab: Some(1.0),
    }]);
    let all = [
        closed(2.0, 3.0),
        closed(3.0, 3.0),
        closed(4.0, 2.0),
        closed(1.0, 5.0),
        open.clone(),
    ];
    assert_eq!(
        results::comparison(&all),
        Some(results::Comparison {
            better: 2,
            same: 1,
            worse: 1
        })
    );
    assert_eq!(results::comparison(&[open]), None);
}
