//! Questionnaires in the case work: what is due for a family, filling one
//! in on the family page, and the scores and their change over time.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::questionnaire::{
    self as rules, Catalogue, Due, EpisodeDates, Instrument, Occasion, Respondent, Taken, schedule,
    scoring,
};
use wrapcare_store::StoreError;
use wrapcare_store::episode::Episode;
use wrapcare_store::questionnaire as store;

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// The instruments wrapcare ships; a broken definition is a server error,
/// and the test loading every shipped file keeps that from being released.
pub fn catalogue() -> Result<&'static Catalogue> {
    rules::shipped().map_err(|e| {
        tracing::error!(error = %e, "an instrument definition is broken");
        AppError::Conflict("error-instrument-broken")
    })
}

fn instrument(id: &str) -> Result<&'static Instrument> {
    catalogue()?.get(id).ok_or(AppError::NotFound)
}

/// What the schedule looks at of an episode.
pub(crate) fn dates_of(e: &Episode) -> EpisodeDates {
    EpisodeDates {
        started: e.started_on,
        transition: e.phase_since.filter(|_| e.phase == Some(Phase::Transition)),
        closed: e.closed_on,
    }
}

/// A measurement the schedule asks for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DueView {
    pub instrument: String,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

impl From<Due> for DueView {
    fn from(d: Due) -> DueView {
        DueView {
            instrument: d.instrument,
            respondent: d.respondent,
            occasion: d.occasion,
            due_on: d.due_on,
            overdue: d.overdue,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreView {
    pub subscale: String,
    /// `None`: too few items answered for a valid score.
    pub value: Option<f64>,
    pub answered: i64,
    pub items: i64,
}

/// A filled-in questionnaire with its scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeasurementView {
    pub id: i64,
    pub episode_id: i64,
    pub instrument: String,
    pub instrument_version: u32,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub taken_on: NaiveDate,
    /// Answered by a parent through a one-time link rather than entered by the coordinator.
    pub via_link: bool,
    pub scores: Vec<ScoreView>,
}

impl From<store::Measurement> for MeasurementView {
    fn from(m: store::Measurement) -> MeasurementView {
        MeasurementView {
            id: m.id,
            episode_id: m.episode_id,
            instrument: m.instrument,
            instrument_version: m.instrument_version,
            respondent: m.respondent,
            occasion: m.occasion,
            taken_on: m.taken_on,
            via_link: m.via_link,
            scores: m
                .scores
                .into_iter()
                .map(|s| ScoreView {
                    subscale: s.subscale,
                    value: s.value,
                    answered: s.answered,
                    items: s.items,
                })
                .collect(),
        }
    }
}

/// One subscale over time: every valid score, the first and the latest.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubscaleTrend {
    pub subscale: String,
    /// The plan's life domain it measures, if any.
    pub domain: Option<String>,
    pub points: Vec<TrendPoint>,
    pub first: Option<f64>,
    pub latest: Option<f64>,
    /// Latest minus first; `None` with fewer than two valid scores.
    pub change: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    pub taken_on: NaiveDate,
    pub occasion: Occasion,
    pub value: f64,
}

/// An instrument's results for one kind of respondent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    pub instrument: String,
    pub respondent: Respondent,
    pub measurements: usize,
    pub subscales: Vec<SubscaleTrend>,
}

/// A family's questionnaires: what is due, what was filled in, and how
/// the scores changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionnairesView {
    pub family_id: i64,
    pub episode_id: i64,
    pub due: Vec<DueView>,
    /// Oldest first.
    pub measurements: Vec<MeasurementView>,
    pub results: Vec<ResultView>,
    /// Whether the actor may fill one in now (the family's own coordinator).
    pub may_record: bool,
}

/// Answers as a form or a JSON client sends them: item id → value as text
/// (a number, or words for an open item); blank or absent is left open.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MeasurementInput {
    pub instrument: String,
    pub respondent: String,
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
}

/// The trend of every subscale of each instrument and respondent, from
/// measurements oldest first.
pub fn results(catalogue: &Catalogue, measurements: &[MeasurementView]) -> Vec<ResultView> {
    let mut groups: BTreeMap<(&str, Respondent), Vec<&MeasurementView>> = BTreeMap::new();
    for m in measurements {
        groups
            .entry((m.instrument.as_str(), m.respondent))
            .or_default()
            .push(m);
    }
    groups
        .into_iter()
        .filter_map(|((id, respondent), taken)| {
            let instrument = catalogue.get(id)?;
            let subscales = instrument
                .subscales
                .iter()
                .map(|subscale| {
                    let points: Vec<TrendPoint> = taken
                        .iter()
                        .filter_map(|m| {
                            let value =
                                m.scores.iter().find(|s| s.subscale == subscale.id)?.value?;
                            Some(TrendPoint {
                                taken_on: m.taken_on,
                                occasion: m.occasion,
                                value,
                            })
                        })
                        .collect();
                    let first = points.first().map(|p| p.value);
                    let latest = points.last().map(|p| p.value);
                    SubscaleTrend {
                        subscale: subscale.id.clone(),
                        domain: subscale.domain.clone(),
                        change: (points.len() > 1)
                            .then(|| latest.zip(first).map(|(l, f)| l - f))
                            .flatten(),
                        first,
                        latest,
                        points,
                    }
                })
                .collect();
            Some(ResultView {
                instrument: id.to_string(),
                respondent,
                measurements: taken.len(),
                subscales,
            })
        })
        .collect()
}

impl App {
    /// What the schedule asks of an episode today, given what was taken.
    async fn due_of(
        &self,
        tx: &mut wrapcare_store::Tx,
        e: &Episode,
        taken: &[MeasurementView],
    ) -> Result<Vec<Due>> {
        let plan = store::schedule_of(tx, e.programme_id).await?;
        let grace = store::grace_days(tx)
            .await?
            .get(&e.programme_id)
            .copied()
            .unwrap_or(schedule::DEFAULT_GRACE_DAYS);
        let taken: Vec<Taken<'_>> = taken
            .iter()
            .filter(|m| m.episode_id == e.id)
            .map(|m| Taken {
                instrument: &m.instrument,
                respondent: m.respondent,
                occasion: m.occasion,
            })
            .collect();
        Ok(schedule::due(
            &plan,
            dates_of(e),
            &taken,
            self.today(),
            grace,
        ))
    }

    /// A family's questionnaires, for whoever may read the file.
    pub async fn questionnaires(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> Result<QuestionnairesView> {
        let action = "questionnaire.read";
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, action, None)
            .await?;
        let measurements: Vec<MeasurementView> = store::measurements_of_family(&mut tx, family_id)
            .await?
            .into_iter()
            .map(MeasurementView::from)
            .collect();
        let due = self.due_of(&mut tx, &e, &measurements).await?;
        tx.commit().await?;
        self.record(actor, target, action, Outcome::Allowed).await?;
        Ok(QuestionnairesView {
            family_id,
            episode_id: e.id,
            due: due.into_iter().map(DueView::from).collect(),
            results: results(catalogue()?, &measurements),
            measurements,
            may_record: actor.worker_id.is_some() && actor.worker_id == e.coordinator_id,
        })
    }

    /// Records a filled-in questionnaire for a measurement that is due: the
    /// family's coordinator enters it, with the family or as their own
    /// assessment. Refused by field when an answer lies outside its scale.
    pub async fn record_measurement(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &MeasurementInput,
    ) -> Result<MeasurementView> {
        let action = "questionnaire.record";
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Care, action, None)
            .await?;
        if actor.worker_id.is_none() || actor.worker_id != e.coordinator_id {
            return Err(self
                .refuse_as(
                    tx,
                    actor,
                    target,
                    action,
                    Outcome::Refused,
                    AppError::Forbidden,
                )
                .await);
        }
        if !matches!(e.state, EpisodeState::InCare | EpisodeState::Closed) {
            return Err(AppError::Conflict("error-no-questionnaire-due"));
        }
        let instrument = match catalogue()?.get(input.instrument.trim()) {
            Some(i) => i,
            None => return Err(AppError::invalid("instrument", "error-choose-option")),
        };
        let Some(respondent) = Respondent::parse(input.respondent.trim())
            .filter(|r| instrument.respondents.contains(r))
        else {
            return Err(AppError::invalid("respondent", "error-choose-option"));
        };
        let taken: Vec<MeasurementView> = store::measurements_of_family(&mut tx, family_id)
            .await?
            .into_iter()
            .map(MeasurementView::from)
            .collect();
        let due = self.due_of(&mut tx, &e, &taken).await?;
        let Some(occasion) = due
            .iter()
            .find(|d| d.instrument == instrument.id && d.respondent == respondent)
            .map(|d| d.occasion)
        else {
            return Err(AppError::Conflict("error-no-questionnaire-due"));
        };
        let answers = scoring::check_answers(
            instrument,
            input.answers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?;
        if answers.is_empty() {
            return Err(AppError::invalid("answers", "error-no-answers"));
        }
        let scores = scoring::score(instrument, &answers);
        let answers_json = serde_json::to_string(&answers).unwrap_or_default();
        let now = self.now();
        let inserted = store::insert_measurement(
            &mut tx,
            &store::NewMeasurement {
                episode_id: e.id,
                instrument: &instrument.id,
                instrument_version: instrument.version,
                respondent,
                occasion,
                taken_on: self.today(),
                answers: &answers_json,
                recorded_by: Some(actor.user_id),
                link_id: None,
                scores: &scores,
            },
            now,
        )
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(StoreError::Conflict(_)) => {
                return Err(AppError::Conflict("error-measurement-exists"));
            }
            Err(e) => return Err(e.into()),
        };
        self.log(
            &mut tx,
            actor,
            Target::episode(family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(MeasurementView {
            id,
            episode_id: e.id,
            instrument: instrument.id.clone(),
            instrument_version: instrument.version,
            respondent,
            occasion,
            taken_on: self.today(),
            via_link: false,
            scores: scores
                .into_iter()
                .map(|s| ScoreView {
                    subscale: s.subscale,
                    value: s.value,
                    answered: i64::try_from(s.answered).unwrap_or(i64::MAX),
                    items: i64::try_from(s.items).unwrap_or(i64::MAX),
                })
                .collect(),
        })
    }

    /// The instrument to fill in, for the form.
    pub fn instrument(&self, id: &str) -> Result<&'static Instrument> {
        instrument(id)
    }
}
