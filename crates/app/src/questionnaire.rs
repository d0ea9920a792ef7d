//! Questionnaires in the case work: what is due for a family, filling one
//! in on the family page, and the scores and their change over time.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::episode::{EpisodeState, Phase};
use wrapcare_core::questionnaire::{
    self as rules, Catalogue, Due, EpisodeDates, Instrument, Occasion, Respondent, Taken, results,
    schedule, scoring,
};
use wrapcare_core::role::Role;
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

pub use wrapcare_core::questionnaire::results::{
    Comparison, Direction, Point, StartToClosure, Trend,
};

impl wrapcare_core::questionnaire::results::Scored for MeasurementView {
    fn taken_on(&self) -> NaiveDate {
        self.taken_on
    }
    fn occasion(&self) -> Occasion {
        self.occasion
    }
    fn value(&self, subscale: &str) -> Option<f64> {
        self.scores.iter().find(|s| s.subscale == subscale)?.value
    }
}

/// An instrument's results for one kind of respondent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    pub instrument: String,
    pub respondent: Respondent,
    pub measurements: usize,
    pub subscales: Vec<Trend>,
    /// Once the closing measurement is in: how many subscales ended above,
    /// level with or below the start.
    pub closure: Option<Comparison>,
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
    /// Whether the actor may withdraw an open link: the coordinator, or
    /// the supervisor who shares care of the file.
    pub may_withdraw_links: bool,
}

/// A measurement due now, with the file opened for it.
struct DueMeasurement {
    tx: wrapcare_store::Tx,
    e: Episode,
    instrument: &'static Instrument,
    respondent: Respondent,
    occasion: Occasion,
}

/// Answers as a form or a JSON client sends them: item id → value (a
/// number, or words for an open item); blank or absent is left open.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MeasurementInput {
    /// The instrument's id, e.g. `self_sufficiency`.
    pub instrument: String,
    /// `parent`, `youth`, `coordinator` or `network`.
    pub respondent: String,
    #[serde(default, deserialize_with = "answers_as_text")]
    #[schema(value_type = BTreeMap<String, String>, example = json!({"financial": 3, "comment": "Fijn contact"}))]
    pub answers: BTreeMap<String, String>,
}

/// JSON clients send numbers, forms text: both are read as text and
/// checked against the item's scale the same way.
fn answers_as_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Whole(i64),
        Text(String),
    }
    let raw = BTreeMap::<String, Either>::deserialize(deserializer)?;
    Ok(raw
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Either::Whole(n) => n.to_string(),
                Either::Text(t) => t,
            };
            (k, text)
        })
        .collect())
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
            let subscales = results::trends(instrument, &taken);
            Some(ResultView {
                instrument: id.to_string(),
                respondent,
                measurements: taken.len(),
                closure: results::comparison(&subscales),
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

    /// The measurement the actor takes now, or makes a link for: the file
    /// opened for care by its coordinator, the instrument and respondent
    /// asked for (through a link only someone outside the team), and the
    /// moment the schedule has due for them.
    async fn due_measurement(
        &self,
        actor: &Actor,
        family_id: i64,
        action: &str,
        instrument: &str,
        respondent: &str,
        by_link: bool,
    ) -> Result<DueMeasurement> {
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Care, action, None)
            .await?;
        // Care of the file is its coordinator's and its supervisor's; the
        // measurement is the coordinator's work.
        if actor.role != Role::Coordinator || actor.worker_id.is_none() {
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
        let Some(instrument) = catalogue()?.get(instrument.trim()) else {
            return Err(AppError::invalid("instrument", "error-choose-option"));
        };
        let Some(respondent) = Respondent::parse(respondent.trim())
            .filter(|r| instrument.respondents.contains(r) && (!by_link || r.answers_by_link()))
        else {
            return Err(AppError::invalid("respondent", "error-choose-option"));
        };
        let taken: Vec<MeasurementView> = store::measurements_of_family(&mut tx, family_id)
            .await?
            .into_iter()
            .map(MeasurementView::from)
            .collect();
        // Nothing is due before the start of help.
        let due = self.due_of(&mut tx, &e, &taken).await?;
        let Some(occasion) = due
            .iter()
            .find(|d| d.instrument == instrument.id && d.respondent == respondent)
            .map(|d| d.occasion)
        else {
            return Err(AppError::Conflict("error-no-questionnaire-due"));
        };
        Ok(DueMeasurement {
            tx,
            e,
            instrument,
            respondent,
            occasion,
        })
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
        // The running assignment's coordinator, or the last one of a closed episode.
        let coordinator = match e.coordinator_id {
            Some(id) => Some(id),
            None => wrapcare_store::episode::assignments(&mut tx, e.id)
                .await?
                .into_iter()
                .max_by_key(|a| a.starts_on)
                .map(|a| a.worker_id),
        };
        let may_record = actor.role == Role::Coordinator
            && actor.worker_id.is_some()
            && actor.worker_id == coordinator
            && matches!(e.state, EpisodeState::InCare | EpisodeState::Closed);
        tx.commit().await?;
        self.record(actor, target, action, Outcome::Allowed).await?;
        Ok(QuestionnairesView {
            family_id,
            episode_id: e.id,
            due: due.into_iter().map(DueView::from).collect(),
            results: results(catalogue()?, &measurements),
            measurements,
            may_withdraw_links: may_record || actor.role == Role::Supervisor,
            may_record,
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
        let DueMeasurement {
            mut tx,
            e,
            instrument,
            respondent,
            occasion,
        } = self
            .due_measurement(
                actor,
                family_id,
                action,
                &input.instrument,
                &input.respondent,
                false,
            )
            .await?;
        let (id, scores) = store_answers(
            &mut tx,
            Answered {
                episode_id: e.id,
                instrument,
                respondent,
                occasion,
                taken_on: self.today(),
                recorded_by: Some(actor.user_id),
                link_id: None,
            },
            &input.answers,
            self.now(),
            "error-measurement-exists",
        )
        .await?;
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

    /// Every instrument's definition, for those who work with them. They
    /// hold no personal data, so only a refusal is logged.
    pub async fn instruments(&self, actor: &Actor) -> Result<Vec<Instrument>> {
        self.require(
            actor,
            &[Role::Coordinator, Role::Supervisor, Role::Analyst],
            "questionnaire.instruments",
        )
        .await?;
        Ok(catalogue()?.iter().cloned().collect())
    }
}

/// A programme's questionnaire setting: which instruments are asked when,
/// and the days after which one not taken counts as overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleSetting {
    /// The programme's version, to send back with a change.
    pub version: i64,
    pub grace_days: u32,
    pub schedule: Vec<schedule::Planned>,
}

impl App {
    /// A programme's questionnaire setting, for the administrator.
    pub async fn questionnaire_schedule(
        &self,
        actor: &Actor,
        programme_id: i64,
    ) -> Result<ScheduleSetting> {
        self.require(actor, &[Role::Admin], "admin.questionnaire_schedule")
            .await?;
        let mut tx = self.store.read_only().await?;
        let programme = wrapcare_store::programme::get(&mut tx, programme_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let planned = store::schedule_of(&mut tx, programme_id).await?;
        tx.commit().await?;
        Ok(ScheduleSetting {
            version: programme.version,
            grace_days: u32::try_from(programme.measurement_grace_days.max(0)).unwrap_or(0),
            schedule: planned,
        })
    }

    /// Replaces a programme's questionnaire setting, checked against the
    /// instruments; refused whole when any line is wrong, and when the
    /// programme changed since `setting.version` was read.
    pub async fn set_questionnaire_schedule(
        &self,
        actor: &Actor,
        programme_id: i64,
        setting: &ScheduleSetting,
    ) -> Result<()> {
        self.require(actor, &[Role::Admin], "admin.set_questionnaire_schedule")
            .await?;
        schedule::check_setting(&setting.schedule, setting.grace_days, catalogue()?)?;
        let mut tx = self.write().await?;
        let Some(before) = wrapcare_store::programme::get(&mut tx, programme_id).await? else {
            return Err(AppError::NotFound);
        };
        let planned_before = store::schedule_of(&mut tx, programme_id).await?;
        wrapcare_store::programme::set_grace_days(
            &mut tx,
            programme_id,
            setting.grace_days,
            setting.version,
        )
        .await?;
        store::set_schedule(&mut tx, programme_id, &setting.schedule).await?;
        // What changed, as the instruments' ids and moments: no personal data.
        self.log_change(
            &mut tx,
            Some(actor),
            "admin.set_questionnaire_schedule",
            serde_json::json!({
                "programme_id": programme_id,
                "from": { "grace_days": before.measurement_grace_days, "schedule": planned_before },
                "to": { "grace_days": setting.grace_days, "schedule": setting.schedule },
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub use wrapcare_core::questionnaire::link::LinkState;

/// A one-time link as the family's page lists it (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: i64,
    pub instrument: String,
    pub respondent: Respondent,
    pub occasion: Occasion,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub state: LinkState,
}

fn link_view(l: &store::Link, now: chrono::DateTime<chrono::Utc>) -> LinkView {
    let state =
        wrapcare_core::questionnaire::link::state(l.used_at, l.withdrawn_at, l.expires_at, now);
    LinkView {
        id: l.id,
        instrument: l.instrument.clone(),
        respondent: l.respondent,
        occasion: l.occasion,
        created_at: l.created_at,
        expires_at: l.expires_at,
        state,
    }
}

/// A link just made: its secret is shown this once, to hand to the parent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewLinkView {
    pub link: LinkView,
    /// The secret part of the link's address (`/q/{token}`).
    pub token: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LinkInput {
    pub instrument: String,
    /// `parent`, `youth` or `network`: who answers on their own phone.
    pub respondent: String,
    /// The language the questionnaire opens in: `nl` (default) or `en`.
    #[serde(default)]
    pub lang: String,
}

/// What a parent sees through a link: the instrument, nothing of the file.
#[derive(Debug, Clone)]
pub struct LinkFormView {
    pub instrument: &'static Instrument,
    pub lang: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl App {
    /// The family's links, newest first.
    pub async fn questionnaire_links(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> Result<Vec<LinkView>> {
        let action = "questionnaire.links";
        let (mut tx, _, target) = self
            .episode_for(actor, family_id, FileAction::Read, action, None)
            .await?;
        let links = store::links_of_family(&mut tx, family_id).await?;
        tx.commit().await?;
        self.record(actor, target, action, Outcome::Allowed).await?;
        let now = self.now();
        Ok(links.iter().map(|l| link_view(l, now)).collect())
    }

    /// Makes a one-time link for a measurement that is due and answered
    /// outside the team (a parent, the youth, a network member). An open
    /// link for the same measurement is withdrawn: one works at a time.
    pub async fn create_link(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &LinkInput,
    ) -> Result<NewLinkView> {
        let action = "questionnaire.link_create";
        let lang = match input.lang.trim() {
            "" | "nl" => "nl",
            "en" => "en",
            _ => return Err(AppError::invalid("lang", "error-choose-option")),
        };
        let DueMeasurement {
            mut tx,
            e,
            instrument,
            respondent,
            occasion,
        } = self
            .due_measurement(
                actor,
                family_id,
                action,
                &input.instrument,
                &input.respondent,
                true,
            )
            .await?;
        let now = self.now();
        for open in store::links_of_family(&mut tx, family_id).await? {
            let same = open.episode_id == e.id
                && open.instrument == instrument.id
                && open.respondent == respondent
                && open.occasion == occasion;
            if same && link_view(&open, now).state == LinkState::Open {
                store::withdraw_link(&mut tx, open.id, now).await?;
            }
        }
        let token = crate::auth::random_secret();
        let expires_at = wrapcare_core::questionnaire::link::expires_at(now);
        let id = store::insert_link(
            &mut tx,
            &store::NewLink {
                episode_id: e.id,
                instrument: &instrument.id,
                respondent,
                occasion,
                token_hash: &crate::auth::sha256_hex(&token),
                lang,
                created_by: actor.user_id,
                expires_at,
            },
            now,
        )
        .await?;
        self.log(
            &mut tx,
            actor,
            Target::episode(family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(NewLinkView {
            link: LinkView {
                id,
                instrument: instrument.id.clone(),
                respondent,
                occasion,
                created_at: now,
                expires_at,
                state: LinkState::Open,
            },
            token,
        })
    }

    /// Withdraws a family's open link, for one handed to the wrong person
    /// or no longer wanted: whoever cares for the file may, and the link
    /// stays listed as withdrawn. Returns the family's links.
    pub async fn withdraw_link(
        &self,
        actor: &Actor,
        family_id: i64,
        link_id: i64,
    ) -> Result<Vec<LinkView>> {
        let action = "questionnaire.link_withdraw";
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Care, action, None)
            .await?;
        let now = self.now();
        let links = store::links_of_family(&mut tx, family_id).await?;
        // Only a link of the episode the actor cares for: not one of an
        // earlier or a later team's.
        let Some(link) = links
            .iter()
            .find(|l| l.id == link_id && l.episode_id == e.id)
        else {
            return Err(self
                .refuse_as(
                    tx,
                    actor,
                    target,
                    action,
                    Outcome::NotFound,
                    AppError::NotFound,
                )
                .await);
        };
        if link_view(link, now).state != LinkState::Open {
            return Err(self
                .refuse_as(
                    tx,
                    actor,
                    target,
                    action,
                    Outcome::Refused,
                    AppError::Conflict("error-link-not-open"),
                )
                .await);
        }
        store::withdraw_link(&mut tx, link.id, now).await?;
        self.log(
            &mut tx,
            actor,
            Target::episode(family_id, link.episode_id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let links = store::links_of_family(&mut tx, family_id).await?;
        tx.commit().await?;
        Ok(links.iter().map(|l| link_view(l, now)).collect())
    }

    /// The entry for what happened through a link: the respondent has no
    /// account, so it names the family and the link's role, never a user.
    fn link_entry<'a>(
        &self,
        link: Option<&store::Link>,
        action: &'a str,
        outcome: Outcome,
        address: Option<&'a str>,
    ) -> wrapcare_store::access_log::Entry<'a> {
        wrapcare_store::access_log::Entry {
            at: self.now(),
            user_id: None,
            role: "respondent",
            channel: "page",
            family_id: link.map(|l| l.family_id),
            episode_id: link.map(|l| l.episode_id),
            referral_id: None,
            action,
            outcome: outcome.as_str(),
            address,
            emergency_access_id: None,
            detail: None,
        }
    }

    /// Logs a link's use on its own, through the log writer.
    async fn record_link(
        &self,
        link: Option<&store::Link>,
        action: &str,
        outcome: Outcome,
        address: Option<&str>,
    ) -> Result<()> {
        let entry = self.link_entry(link, action, outcome, address);
        self.log_writer
            .write(crate::log_writer::Pending::of(&entry))
            .await
            .map_err(|_| AppError::LogUnavailable)
    }

    /// The link behind a secret. Only a well-formed secret is looked up.
    async fn link_of(
        &self,
        tx: &mut wrapcare_store::Tx,
        token: &str,
    ) -> Result<Option<store::Link>> {
        let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
        if !well_formed {
            return Ok(None);
        }
        Ok(store::link_by_hash(tx, &crate::auth::sha256_hex(token)).await?)
    }

    /// Whether a link can still be answered: one that is unknown, expired
    /// or withdrawn is not found (the three look alike from outside); a
    /// used one says so.
    fn usable(&self, link: Option<&store::Link>) -> Result<()> {
        match link.map(|l| link_view(l, self.now()).state) {
            Some(LinkState::Open) => Ok(()),
            Some(LinkState::Used) => Err(AppError::Conflict("error-link-used")),
            _ => Err(AppError::NotFound),
        }
    }

    /// The questionnaire a one-time link opens, and nothing else of the file.
    pub async fn link_form(&self, token: &str, address: Option<&str>) -> Result<LinkFormView> {
        let action = "questionnaire.link_open";
        let mut tx = self.store.single_read().await?;
        let link = self.link_of(&mut tx, token).await?;
        tx.commit().await?;
        if let Err(refused) = self.usable(link.as_ref()) {
            self.record_link(link.as_ref(), action, Outcome::Refused, address)
                .await?;
            return Err(refused);
        }
        let Some(link) = link else {
            return Err(AppError::NotFound);
        };
        let instrument = instrument(&link.instrument)?;
        self.record_link(Some(&link), action, Outcome::Allowed, address)
            .await?;
        Ok(LinkFormView {
            instrument,
            lang: link.lang,
            expires_at: link.expires_at,
        })
    }

    /// The language a link's questionnaire is in, for its error pages; Dutch
    /// when the secret names no link.
    pub async fn link_lang(&self, token: &str) -> Result<String> {
        let mut tx = self.store.single_read().await?;
        let link = self.link_of(&mut tx, token).await?;
        tx.commit().await?;
        Ok(link.map_or_else(|| "nl".to_string(), |l| l.lang))
    }

    /// Stores what a parent answered through a link, once: the link is used
    /// up in the same transaction, so a second submission (a double tap)
    /// finds it used and stores nothing.
    pub async fn answer_link(
        &self,
        token: &str,
        answers: &BTreeMap<String, String>,
        address: Option<&str>,
    ) -> Result<()> {
        let action = "questionnaire.link_answer";
        let mut tx = self.write().await?;
        let link = self.link_of(&mut tx, token).await?;
        let refused = match (self.usable(link.as_ref()), &link) {
            (Err(e), _) => Some(e),
            (Ok(()), None) => Some(AppError::NotFound),
            (Ok(()), Some(_)) => None,
        };
        if let Some(refused) = refused {
            tx.rollback().await?;
            self.record_link(link.as_ref(), action, Outcome::Refused, address)
                .await?;
            return Err(refused);
        }
        let Some(link) = link else {
            return Err(AppError::NotFound);
        };
        let instrument = instrument(&link.instrument)?;
        let now = self.now();
        match store::use_link(&mut tx, link.id, now).await {
            Ok(()) => {}
            Err(StoreError::Stale) => return Err(AppError::Conflict("error-link-used")),
            Err(e) => return Err(e.into()),
        }
        // Refused answers roll the use of the link back with the rest.
        store_answers(
            &mut tx,
            Answered {
                episode_id: link.episode_id,
                instrument,
                respondent: link.respondent,
                occasion: link.occasion,
                taken_on: self.today(),
                recorded_by: None,
                link_id: Some(link.id),
            },
            answers,
            now,
            // Entered another way meanwhile: this link has nothing left to do.
            "error-link-used",
        )
        .await?;
        let entry = self.link_entry(Some(&link), action, Outcome::Allowed, address);
        wrapcare_store::access_log::insert(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Who answered what, for which measurement.
struct Answered {
    episode_id: i64,
    instrument: &'static Instrument,
    respondent: Respondent,
    occasion: Occasion,
    taken_on: NaiveDate,
    recorded_by: Option<i64>,
    link_id: Option<i64>,
}

/// Checks answers as sent against the instrument, scores them and stores
/// the measurement: refused by field, or with `taken` when this moment was
/// already answered.
async fn store_answers(
    tx: &mut wrapcare_store::Tx,
    answered: Answered,
    sent: &BTreeMap<String, String>,
    now: chrono::DateTime<chrono::Utc>,
    taken: &'static str,
) -> Result<(i64, Vec<rules::Score>)> {
    let instrument = answered.instrument;
    let answers = scoring::check_answers(
        instrument,
        sent.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    if answers.is_empty() {
        return Err(AppError::invalid("answers", "error-no-answers"));
    }
    let scores = scoring::score(instrument, &answers);
    let json = serde_json::to_string(&answers).unwrap_or_default();
    let inserted = store::insert_measurement(
        tx,
        &store::NewMeasurement {
            episode_id: answered.episode_id,
            instrument: &instrument.id,
            instrument_version: instrument.version,
            respondent: answered.respondent,
            occasion: answered.occasion,
            taken_on: answered.taken_on,
            answers: &json,
            recorded_by: answered.recorded_by,
            link_id: answered.link_id,
            scores: &scores,
        },
        now,
    )
    .await;
    match inserted {
        Ok(id) => Ok((id, scores)),
        Err(StoreError::Conflict(_)) => Err(AppError::Conflict(taken)),
        Err(e) => Err(e.into()),
    }
}
