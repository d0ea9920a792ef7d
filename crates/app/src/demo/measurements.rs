//! The demo's questionnaires: every family in care measured as the default
//! schedule asks, at the start, every round since and at closure, with
//! answers that mostly improve over the episode, so that change scores and
//! fidelity per principle show. Some families with more than one round behind
//! them leave the latest open, so that due and overdue measurements show too.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use wrapcare_core::questionnaire::schedule::EpisodeDates;
use wrapcare_core::questionnaire::scoring::{self, Answer, Answers};
use wrapcare_core::questionnaire::{Catalogue, Instrument, ItemKind, Occasion, When};
use wrapcare_store::Tx;
use wrapcare_store::questionnaire as store;

use crate::Result;

/// One demo episode as the schedule sees it.
pub(super) struct Measured {
    pub episode_id: i64,
    pub dates: EpisodeDates,
    /// Who entered the measurements (the coordinator's login, or the supervisor's).
    pub recorded_by: i64,
    /// Leave each repeating line's latest round to be done, as in a busy
    /// week, where more than one round is behind the family.
    pub leave_latest: bool,
    /// Leave it open even when it is the only round since the start.
    pub leave_only_round: bool,
}

/// Every moment the schedule asked for up to `today`, with its date.
fn moments(when: When, dates: &EpisodeDates, today: NaiveDate) -> Vec<(Occasion, NaiveDate)> {
    let Some(started) = dates.started.filter(|s| *s <= today) else {
        return Vec::new();
    };
    let end = dates
        .transition
        .or(dates.closed)
        .unwrap_or(today + Duration::days(1));
    match when {
        When::Start => vec![(Occasion::Start, started)],
        When::Every { weeks } if weeks > 0 => (1..)
            .map(|n: u32| {
                (
                    n,
                    started + Duration::weeks(i64::from(weeks) * i64::from(n)),
                )
            })
            .take_while(|(_, on)| *on <= today && *on < end)
            .map(|(n, on)| (Occasion::Repeat(n), on))
            .collect(),
        When::Every { .. } => Vec::new(),
        When::Closure => dates
            .closed
            .map(|closed| vec![(Occasion::Closure, closed)])
            .unwrap_or_default(),
    }
}

/// Answers `progress` (0 at the start, 1 at the end) of the way from the
/// family's starting point to where the help brought it; a few items left
/// open, as families skip what does not apply.
fn answers(
    instrument: &Instrument,
    progress: f64,
    start: f64,
    gain: f64,
    rng: &mut StdRng,
) -> Answers {
    let mut answers = Answers::new();
    for item in &instrument.items {
        if item.kind == ItemKind::Text {
            if rng.random_bool(0.3) {
                let text = if progress > 0.5 {
                    "Het gaat echt beter sinds we samen een plan hebben."
                } else {
                    "Fijn dat er één vaste persoon is."
                };
                answers.insert(item.id.clone(), Answer::Text(text.to_string()));
            }
            continue;
        }
        let Some(scale) = instrument.scale_of(item) else {
            continue;
        };
        let Some(max) = scale.max else {
            continue;
        };
        // Not every domain applies to every family.
        let skip = match item.id.as_str() {
            "justice" => 0.7,
            "substance_use" | "work_education" => 0.3,
            _ => 0.05,
        };
        if rng.random_bool(skip) {
            continue;
        }
        let span = (max - scale.min) as f64;
        let share = (start + gain * progress + rng.random_range(-0.15..0.15)).clamp(0.0, 1.0);
        let mut value = scale.min + (share * span).round() as i64;
        if item.reversed {
            value = scale.min + max - value;
        }
        answers.insert(item.id.clone(), Answer::Value(value.clamp(scale.min, max)));
    }
    answers
}

/// Writes the measurements of one episode.
/// Measures one episode; answers whether an only round was left open.
pub(super) async fn measure(
    tx: &mut Tx,
    rng: &mut StdRng,
    catalogue: &Catalogue,
    plan: &[wrapcare_core::questionnaire::Planned],
    episode: &Measured,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut left_only_round = false;
    let Some(started) = episode.dates.started else {
        return Ok(false);
    };
    let end = episode.dates.closed.unwrap_or(today);
    let length = (end - started).num_days().max(1) as f64;
    // Where this family starts and how far the help takes it.
    let start = rng.random_range(0.15..0.45);
    let gain = rng.random_range(0.05..0.45);
    for line in plan {
        let Some(instrument) = catalogue.get(&line.instrument) else {
            continue;
        };
        let mut due = moments(line.when, &episode.dates, today);
        // The start is always measured: without it there is no change to
        // show. A round left open is rarely the only one since the start, so
        // most families with a round behind them have a later one too.
        let only = due.len() == 1;
        if episode.leave_latest
            && matches!(line.when, When::Every { .. })
            && (due.len() >= 2 || (only && episode.leave_only_round))
        {
            due.pop();
            left_only_round |= only;
        }
        for (occasion, on) in due {
            let taken_on = (on + Duration::days(rng.random_range(0..10))).min(today);
            let progress = ((taken_on - started).num_days() as f64 / length).clamp(0.0, 1.0);
            // Appreciation and fidelity are high from the start; self-sufficiency is not.
            let (from, up) = if instrument.id == "self_sufficiency" {
                (start, gain)
            } else {
                (0.55 + start / 2.0, gain / 2.0)
            };
            let answers = answers(instrument, progress, from, up, rng);
            if answers.is_empty() {
                continue;
            }
            let scores = scoring::score(instrument, &answers);
            let json = serde_json::to_string(&answers).unwrap_or_default();
            store::insert_measurement(
                tx,
                &store::NewMeasurement {
                    episode_id: episode.episode_id,
                    instrument: &instrument.id,
                    instrument_version: instrument.version,
                    respondent: line.respondent,
                    occasion,
                    taken_on,
                    answers: &json,
                    recorded_by: Some(episode.recorded_by),
                    link_id: None,
                    scores: &scores,
                },
                now,
            )
            .await?;
        }
    }
    Ok(left_only_round)
}
