//! Use cases of appointments and the coordinator's day: plan a contact ahead,
//! confirm it as a contact once its time has passed (or record that it did
//! not happen), see the day and week, and the personal calendar feed.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::appointment::{
    self as rules, AppointmentInput, AppointmentStatus, Slot, format_time,
};
use wrapcare_core::contact::{ContactKind, week_of};
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::role::Role;
use wrapcare_core::validation::Invalid;
use wrapcare_store::signal::Scope;
use wrapcare_store::{Tx, appointment as store, contact, programme, user};

use crate::access_log::{Outcome, Target};
use crate::auth::{random_secret, sha256_hex};
use crate::contact::ContactInput;
use crate::signal::{SignalView, gather};
use crate::{Actor, App, AppError, Channel, Result};

/// Longest reason kept for an appointment that did not happen.
const REASON_MAX: usize = 500;

/// How far back and ahead the calendar feed lists appointments.
const FEED_PAST_DAYS: i64 = 31;
const FEED_AHEAD_DAYS: i64 = 366;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: i64,
    pub family_id: i64,
    /// The family's surname, for the coordinator's own pages.
    pub family_name: String,
    pub on: NaiveDate,
    /// HH:MM, local time (Europe/Amsterdam).
    pub starts_at: String,
    pub ends_at: String,
    pub minutes: i64,
    pub kind: ContactKind,
    pub place: String,
    pub participants: String,
    pub purpose: String,
    pub status: AppointmentStatus,
    /// The contact it was confirmed as.
    pub contact_id: Option<i64>,
    pub not_happened_reason: Option<String>,
    /// Its time has passed and it waits to be confirmed or called off.
    pub to_settle: bool,
    pub version: i64,
}

fn view(a: store::Appointment, now: NaiveDateTime) -> AppointmentView {
    AppointmentView {
        to_settle: rules::check_settle(a.status, &a.slot, now).is_ok(),
        id: a.id,
        family_id: a.family_id,
        family_name: a.surname,
        on: a.slot.on,
        starts_at: format_time(a.slot.starts_minute),
        ends_at: format_time(a.slot.ends_minute),
        minutes: a.slot.minutes(),
        kind: a.kind,
        place: a.place,
        participants: a.participants,
        purpose: a.purpose,
        status: a.status,
        contact_id: a.contact_id,
        not_happened_reason: a.not_happened_reason,
        version: a.version,
    }
}

/// A family's appointments, latest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyAppointmentsView {
    pub family_id: i64,
    pub episode_id: i64,
    pub episode_state: EpisodeState,
    /// Whether the actor may plan one (the family's coordinator, while open).
    pub may_plan: bool,
    pub appointments: Vec<AppointmentView>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ConfirmInput {
    /// The contact as it happened, prefilled from the appointment.
    #[serde(flatten)]
    pub contact: ContactInput,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NotHappenedInput {
    /// Why it did not happen (cancelled, nobody home, …).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

/// What the settle form shows: the appointment and the contact prefilled.
#[derive(Debug, Clone)]
pub struct SettleForm {
    pub appointment: AppointmentView,
    pub contact: ContactInput,
}

/// Signals the day shows, the most urgent first.
pub const DAY_SIGNALS: usize = 10;

/// The coordinator's day: their home page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayView {
    /// Where the page keeps what it rendered of this view, as long as the
    /// read it was made of is current.
    #[serde(skip)]
    pub renditions: Arc<crate::Renditions>,
    /// The minute the view was made at: which appointments are over depends
    /// on it, and a rendition holds for that minute only.
    #[serde(skip)]
    pub as_of: NaiveDateTime,
    pub today: NaiveDate,
    /// Monday of this week.
    pub week: NaiveDate,
    pub today_appointments: Vec<AppointmentView>,
    /// The rest of this week, after today.
    pub later_this_week: Vec<AppointmentView>,
    /// Past appointments still to be confirmed or called off, oldest first.
    pub to_settle: Vec<AppointmentView>,
    /// The most urgent open signals of their families ([`DAY_SIGNALS`] at
    /// most); the attention page has them all.
    pub signals: Vec<SignalView>,
    /// Open signals of their families, all of them.
    pub signals_total: usize,
    /// Their open action items from the team's meetings, the earliest due first.
    pub actions: Vec<crate::meeting::ActionView>,
    /// Questionnaires due for their families and not yet overdue (overdue
    /// ones are among the signals), the earliest first.
    pub questionnaires_due: Vec<QuestionnaireDue>,
    /// Minutes logged this week (Monday to today) across all families.
    pub week_minutes: i64,
    /// Caseload × the programme's weekly norm per family.
    pub week_norm_minutes: i64,
    pub caseload: i64,
    pub weekly_minutes_per_family: i64,
}

/// A questionnaire due for one of the coordinator's families.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuestionnaireDue {
    pub family_id: i64,
    pub family_surname: String,
    pub instrument: String,
    pub respondent: wrapcare_core::questionnaire::Respondent,
    pub occasion: wrapcare_core::questionnaire::Occasion,
    pub due_on: NaiveDate,
}

/// What a coordinator's day reads from the database on a day.
pub(crate) struct DayRead {
    questionnaires: Vec<QuestionnaireDue>,
    this_week: Vec<store::Appointment>,
    unsettled: Vec<store::Appointment>,
    signals: Vec<SignalView>,
    caseload: i64,
    per_family: i64,
    week_minutes: i64,
    actions: Vec<crate::meeting::ActionView>,
    renditions: Arc<crate::Renditions>,
    /// The view last built of this read, for the minute it was built in:
    /// within a minute every request gets the same view.
    built: std::sync::Mutex<Option<Arc<DayView>>>,
}

/// Whether the user has a calendar feed, and its link right after renewal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarView {
    pub since: Option<DateTime<Utc>>,
    /// The secret part of the feed's address; shown once, when made.
    pub token: Option<String>,
}

impl App {
    /// Now as the users live it, for whether an appointment's time has passed.
    pub fn local_now(&self) -> NaiveDateTime {
        self.now()
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .naive_local()
    }

    /// Plans an appointment with a family for the acting coordinator. An
    /// overlap with another of their appointments is refused until confirmed.
    pub async fn plan_appointment(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &AppointmentInput,
    ) -> Result<AppointmentView> {
        let action = "appointment.plan";
        let (mut tx, e) = self.contact_episode(actor, family_id, action).await?;
        if !matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let worker_id = actor.worker_id.ok_or(AppError::Forbidden)?;
        let planned = rules::validate(input, self.today())?;
        wrapcare_store::worker::lock(&mut tx, worker_id).await?;
        let others: Vec<Slot> =
            store::of_worker(&mut tx, worker_id, planned.slot.on, planned.slot.on)
                .await?
                .into_iter()
                .filter(|a| a.status == AppointmentStatus::Planned)
                .map(|a| a.slot)
                .collect();
        rules::check_overlap(&planned.slot, &others, input.confirm_overlap)?;
        let id = store::insert(
            &mut tx,
            &store::NewAppointment {
                episode_id: e.id,
                worker_id,
                slot: planned.slot,
                kind: planned.kind,
                place: &planned.place,
                participants: &planned.participants,
                purpose: &planned.purpose,
                created_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let saved = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(view(saved, self.local_now()))
    }

    /// A family's appointments, for whoever may read the file.
    pub async fn family_appointments(
        &self,
        actor: &Actor,
        family_id: i64,
    ) -> Result<FamilyAppointmentsView> {
        let action = "appointment.read";
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, action, None)
            .await?;
        let rows = store::of_episode(&mut tx, e.id).await?;
        let coordinator = wrapcare_store::episode::assignments(&mut tx, e.id)
            .await?
            .into_iter()
            .find(|a| a.ends_on.is_none())
            .map(|a| a.worker_id);
        tx.commit().await?;
        self.record(actor, target, action, Outcome::Allowed).await?;
        let now = self.local_now();
        Ok(FamilyAppointmentsView {
            family_id: e.family_id,
            episode_id: e.id,
            episode_state: e.state,
            may_plan: actor.worker_id.is_some()
                && actor.worker_id == coordinator
                && matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare),
            appointments: rows.into_iter().map(|a| view(a, now)).collect(),
        })
    }

    /// The appointment the actor settles, with the family file opened for
    /// care: only its own coordinator's, only once, only after its time.
    async fn appointment_to_settle(
        &self,
        actor: &Actor,
        appointment_id: i64,
        action: &str,
    ) -> Result<(Tx, wrapcare_store::episode::Episode, store::Appointment)> {
        // Only coordinators have appointments: nobody else learns whether one exists.
        self.require(actor, &[Role::Coordinator], action).await?;
        let found = {
            let mut tx = self.store.single_read().await?;
            let found = store::get(&mut tx, appointment_id).await?;
            tx.commit().await?;
            found
        };
        let Some(found) = found else {
            self.record(actor, Target::default(), action, Outcome::NotFound)
                .await?;
            return Err(AppError::NotFound);
        };
        let (mut tx, e) = self.contact_episode(actor, found.family_id, action).await?;
        // Read again inside the transaction that changes it.
        let a = store::get(&mut tx, appointment_id)
            .await?
            .filter(|a| a.episode_id == e.id)
            .ok_or(AppError::NotFound)?;
        if Some(a.worker_id) != actor.worker_id {
            return Err(AppError::Conflict("error-appointment-not-yours"));
        }
        rules::check_settle(a.status, &a.slot, self.local_now()).map_err(AppError::Conflict)?;
        Ok((tx, e, a))
    }

    /// The settle form: the appointment with its contact prefilled (the
    /// planned minutes, kind, participants and purpose as the note).
    pub async fn settle_form(&self, actor: &Actor, appointment_id: i64) -> Result<SettleForm> {
        let action = "appointment.settle_form";
        let (mut tx, e, a) = self
            .appointment_to_settle(actor, appointment_id, action)
            .await?;
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        let contact = ContactInput {
            contact_on: a.slot.on.to_string(),
            minutes: a.slot.minutes().to_string(),
            kind: a.kind.as_str().to_string(),
            participants: a.participants.clone(),
            note: a.purpose.clone(),
        };
        Ok(SettleForm {
            appointment: view(a, self.local_now()),
            contact,
        })
    }

    /// Confirms an appointment as a contact, in one step: the contact is
    /// checked like any other (24 hours a day at most) and both are stored.
    pub async fn confirm_appointment(
        &self,
        actor: &Actor,
        appointment_id: i64,
        input: &ConfirmInput,
    ) -> Result<AppointmentView> {
        let action = "appointment.confirm";
        let (mut tx, e, a) = self
            .appointment_to_settle(actor, appointment_id, action)
            .await?;
        let (worker_id, on, minutes, kind) = self
            .checked_entry(&mut tx, actor, &e, &input.contact, None)
            .await?;
        let contact_id = contact::insert(
            &mut tx,
            &contact::NewContact {
                episode_id: e.id,
                worker_id,
                contact_on: on,
                minutes,
                kind,
                participants: input.contact.participants.trim(),
                note: input.contact.note.trim(),
                replaces_id: None,
                created_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        store::confirm(
            &mut tx,
            a.id,
            contact_id,
            actor.user_id,
            self.now(),
            input.version,
        )
        .await?;
        self.settled(tx, actor, &e, a.id, action).await
    }

    /// Records that an appointment did not happen, with the reason.
    pub async fn appointment_not_happened(
        &self,
        actor: &Actor,
        appointment_id: i64,
        input: &NotHappenedInput,
    ) -> Result<AppointmentView> {
        let action = "appointment.not_happened";
        let (mut tx, e, a) = self
            .appointment_to_settle(actor, appointment_id, action)
            .await?;
        let reason = input.reason.trim();
        let mut errors = Invalid::new();
        if reason.is_empty() {
            errors.add("reason", "error-required");
        } else if reason.chars().count() > REASON_MAX {
            errors.add("reason", "error-too-long");
        }
        errors.finish()?;
        store::not_happened(
            &mut tx,
            a.id,
            reason,
            actor.user_id,
            self.now(),
            input.version,
        )
        .await?;
        self.settled(tx, actor, &e, a.id, action).await
    }

    async fn settled(
        &self,
        mut tx: Tx,
        actor: &Actor,
        e: &wrapcare_store::episode::Episode,
        appointment_id: i64,
        action: &str,
    ) -> Result<AppointmentView> {
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let saved = store::get(&mut tx, appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(view(saved, self.local_now()))
    }

    /// The coordinator's day: today's and this week's appointments, those
    /// still to settle, the signals of their families, and their hours this
    /// week against caseload × the weekly norm.
    pub async fn day(&self, actor: &Actor) -> Result<Arc<DayView>> {
        let action = "day.read";
        self.require(actor, &[Role::Coordinator], action).await?;
        let Some(worker_id) = actor.worker_id else {
            self.record(actor, Target::default(), action, Outcome::Refused)
                .await?;
            return Err(AppError::Forbidden);
        };
        let today = self.today();
        // To the minute, as appointments are planned: one moment for every
        // appointment of the view and its rendition.
        let now = self.local_now();
        let now = now
            .with_second(0)
            .and_then(|n| n.with_nanosecond(0))
            .unwrap_or(now);
        let read = self.kept_day(actor, worker_id, today).await?;
        let view = {
            let mut built = read.built.lock().unwrap_or_else(|p| p.into_inner());
            match built.as_ref() {
                Some(view) if view.as_of == now => Arc::clone(view),
                _ => {
                    let view = Arc::new(build_day(&read, today, now));
                    *built = Some(Arc::clone(&view));
                    view
                }
            }
        };
        self.record_signals(actor, action, &view.signals).await?;
        Ok(view)
    }

    /// What a coordinator's day reads, again only when the data changed (see
    /// `cache`): the home page is where every coordinator lands, many times
    /// a day. Whether an appointment is over is decided per request.
    async fn kept_day(
        &self,
        actor: &Actor,
        worker_id: i64,
        today: NaiveDate,
    ) -> Result<Arc<DayRead>> {
        self.kept(actor, &self.caches.days, (worker_id, today), async {
            let week = week_of(today);
            let mut tx = self.store.read_only().await?;
            let this_week =
                store::of_worker(&mut tx, worker_id, week, week + Duration::days(6)).await?;
            let unsettled = store::unsettled_of_worker(&mut tx, worker_id, today).await?;
            let gathered = gather(&mut tx, Scope::Coordinator(worker_id), today).await?;
            let load =
                wrapcare_store::signal::coordinators(&mut tx, Scope::Coordinator(worker_id), today)
                    .await?
                    .into_iter()
                    .next();
            let week_minutes = contact::minutes_of_worker(&mut tx, worker_id, week, today).await?;
            let actions = self.my_actions(&mut tx, actor).await?;
            let per_family = match &load {
                Some(l) => programme::get(&mut tx, l.programme_id)
                    .await?
                    .map(|p| i64::from(p.norms().weekly_minutes_per_family))
                    .unwrap_or(0),
                None => 0,
            };
            tx.commit().await?;
            let questionnaires = gathered
                .measurements_due
                .iter()
                .map(|(family_id, due)| QuestionnaireDue {
                    family_id: *family_id,
                    family_surname: gathered
                        .surnames
                        .get(family_id)
                        .cloned()
                        .unwrap_or_default(),
                    instrument: due.instrument.clone(),
                    respondent: due.respondent,
                    occasion: due.occasion,
                    due_on: due.due_on,
                })
                .collect();
            Ok(DayRead {
                questionnaires,
                this_week,
                unsettled,
                signals: gathered.views(),
                caseload: load.map_or(0, |l| l.caseload),
                per_family,
                week_minutes,
                actions,
                renditions: Arc::default(),
                built: std::sync::Mutex::default(),
            })
        })
        .await
    }

    /// Whether the actor has a calendar feed.
    pub async fn calendar(&self, actor: &Actor) -> Result<CalendarView> {
        let action = "calendar.read";
        self.require(actor, &[Role::Coordinator], action).await?;
        let mut tx = self.store.single_read().await?;
        let since = store::feed_of(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        self.record(actor, Target::default(), action, Outcome::Allowed)
            .await?;
        Ok(CalendarView { since, token: None })
    }

    /// Makes a new secret for the actor's calendar feed; the old link stops
    /// working. The secret is shown once: only its hash is kept.
    pub async fn renew_calendar(&self, actor: &Actor) -> Result<CalendarView> {
        let action = "calendar.renew";
        self.require(actor, &[Role::Coordinator], action).await?;
        let token = random_secret();
        let now = self.now();
        let mut tx = self.write().await?;
        store::renew_feed(&mut tx, actor.user_id, &sha256_hex(&token), now).await?;
        self.log(&mut tx, actor, Target::default(), action, Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(CalendarView {
            since: Some(now),
            token: Some(token),
        })
    }

    /// The calendar feed behind a secret: the owner's appointments from a
    /// month back to a year ahead, each with a family reference and never a
    /// name or place. An unknown secret is not found (and not logged: it
    /// names nobody).
    pub async fn calendar_feed(&self, token: &str) -> Result<FeedView> {
        let action = "calendar.feed";
        let mut tx = self.write().await?;
        let owner = store::feed_owner(&mut tx, &sha256_hex(token.trim())).await?;
        let Some(account) = (match owner {
            Some(id) => user::get(&mut tx, id).await?.filter(|u| u.active),
            None => None,
        }) else {
            tx.rollback().await?;
            return Err(AppError::NotFound);
        };
        let actor = self.actor_for(&mut tx, account, Channel::Api, None).await?;
        let Some(worker_id) = actor.worker_id.filter(|_| actor.role == Role::Coordinator) else {
            tx.rollback().await?;
            return Err(AppError::NotFound);
        };
        let today = self.today();
        let rows = store::of_worker(
            &mut tx,
            worker_id,
            today - Duration::days(FEED_PAST_DAYS),
            today + Duration::days(FEED_AHEAD_DAYS),
        )
        .await?;
        self.log(&mut tx, &actor, Target::default(), action, Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(FeedView {
            owner: actor.name,
            events: rows
                .into_iter()
                .filter(|a| a.status != AppointmentStatus::NotHappened)
                .map(|a| FeedEvent {
                    id: a.id,
                    family_reference: family_reference(a.family_id),
                    kind: a.kind,
                    slot: a.slot,
                    status: a.status,
                })
                .collect(),
        })
    }
}

/// How a family is named where a name may not go (a calendar on a phone).
pub fn family_reference(family_id: i64) -> String {
    format!("G-{family_id:05}")
}

/// What the calendar feed holds; the web layer writes it as iCalendar.
#[derive(Debug, Clone)]
pub struct FeedView {
    pub owner: String,
    pub events: Vec<FeedEvent>,
}

#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub id: i64,
    pub family_reference: String,
    pub kind: ContactKind,
    pub slot: Slot,
    pub status: AppointmentStatus,
}

/// The day as of `now` (to the minute) from what was read of it today.
fn build_day(read: &DayRead, today: NaiveDate, now: NaiveDateTime) -> DayView {
    let (today_appointments, later_this_week): (Vec<_>, Vec<_>) = read
        .this_week
        .iter()
        .filter(|a| a.slot.on >= today)
        .map(|a| view(a.clone(), now))
        .partition(|a| a.on == today);
    // Today's that are over wait to be settled too, and are listed with today's.
    let to_settle: Vec<AppointmentView> = read
        .unsettled
        .iter()
        .map(|a| view(a.clone(), now))
        .filter(|a| a.on < today)
        .collect();
    DayView {
        renditions: Arc::clone(&read.renditions),
        as_of: now,
        today,
        week: week_of(today),
        today_appointments,
        later_this_week,
        to_settle,
        signals: read.signals.iter().take(DAY_SIGNALS).cloned().collect(),
        signals_total: read.signals.len(),
        actions: read.actions.clone(),
        questionnaires_due: read.questionnaires.clone(),
        week_minutes: read.week_minutes,
        week_norm_minutes: read.caseload * read.per_family,
        caseload: read.caseload,
        weekly_minutes_per_family: read.per_family,
    }
}
