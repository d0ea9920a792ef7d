//! Use cases of contacts and hours: log a contact or piece of work, correct or
//! remove one (visibly, with a reason), and see hours against the norms.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::FileAction;
use wrapcare_core::contact::{self, BudgetFlag, ContactKind, EntryStatus, validate_entry};
use wrapcare_core::dates::parse_date;
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::validation::{Invalid, number_or_string};
use wrapcare_store::{Tx, contact as store, episode, programme, worker};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// Longest note kept with a contact.
pub const MAX_NOTE: usize = 2000;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContactInput {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub contact_on: String,
    #[serde(default, deserialize_with = "number_or_string")]
    #[schema(value_type = i64)]
    pub minutes: String,
    /// home_visit, phone_video, network_meeting, provider_meeting, travel or administration.
    #[serde(default)]
    pub kind: String,
    /// Who took part.
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CorrectInput {
    #[serde(flatten)]
    pub contact: ContactInput,
    /// Why the entry is corrected.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RemoveInput {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub contact_on: NaiveDate,
    pub minutes: i64,
    pub kind: ContactKind,
    pub worker_name: String,
    pub participants: String,
    pub note: String,
    pub status: EntryStatus,
    /// The entry this one corrects.
    pub replaces_id: Option<i64>,
    pub change_reason: Option<String>,
    pub changed_by: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeekMinutes {
    /// The Monday of the week.
    pub week: NaiveDate,
    pub minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactsView {
    pub family_id: i64,
    pub episode_id: i64,
    pub episode_state: EpisodeState,
    pub entries: Vec<ContactView>,
    /// Active minutes in the episode.
    pub used_minutes: i64,
    pub budget_minutes: i64,
    pub budget: BudgetFlag,
    pub weekly_norm_minutes: i64,
    /// Minutes per week since the start of help (or acceptance).
    pub weeks: Vec<WeekMinutes>,
    /// Each of the last two complete weeks had less than half the weekly norm.
    pub far_under_weekly_norm: bool,
}

struct Entry {
    on: Option<NaiveDate>,
    minutes: Option<i64>,
    kind: Option<ContactKind>,
}

fn read(input: &ContactInput, errors: &mut Invalid) -> Entry {
    let on = match input.contact_on.trim() {
        "" => {
            errors.add("contact_on", "error-required");
            None
        }
        v => parse_date(v).or_else(|| {
            errors.add("contact_on", "error-date-format");
            None
        }),
    };
    let minutes = match input.minutes.trim().parse::<i64>() {
        Ok(m) => Some(m),
        Err(_) => {
            errors.add("minutes", "error-minutes-positive");
            None
        }
    };
    let kind = ContactKind::parse(input.kind.trim());
    if kind.is_none() {
        errors.add("kind", "error-choose-option");
    }
    if input.note.chars().count() > MAX_NOTE {
        errors.add("note", "error-too-long");
    }
    Entry { on, minutes, kind }
}

impl App {
    /// The episode whose contacts are logged or amended: the one the actor works on.
    pub(crate) async fn contact_episode(
        &self,
        actor: &Actor,
        family_id: i64,
        action: &str,
    ) -> Result<(Tx, episode::Episode)> {
        let (tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Care, action, None)
            .await?;
        // Hours are a coordinator's own: who has no worker record logs none.
        if actor.worker_id.is_none() {
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
        Ok((tx, e))
    }

    /// The entry to correct, for the correction form: only its author's, while active.
    pub async fn contact_to_correct(
        &self,
        actor: &Actor,
        family_id: i64,
        contact_id: i64,
    ) -> Result<(ContactsView, ContactView)> {
        let action = "contact.correct_form";
        let (mut tx, e) = self.contact_episode(actor, family_id, action).await?;
        if !matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let entry = match self.entry_of(&mut tx, actor, &e, contact_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, action, Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        if entry.status != EntryStatus::Active {
            return Err(AppError::Conflict("error-contact-not-active"));
        }
        let view = self.contacts_done(tx, actor, &e, action).await?;
        let shown = view
            .entries
            .iter()
            .find(|c| c.id == contact_id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok((view, shown))
    }

    pub(crate) async fn contacts_view(
        &self,
        tx: &mut Tx,
        e: &episode::Episode,
    ) -> Result<ContactsView> {
        let rows = store::of_episode(tx, e.id).await?;
        let norms = programme::get(tx, e.programme_id)
            .await?
            .ok_or(AppError::NotFound)?
            .norms();
        Ok(summarise(e, norms, rows, self.today()))
    }

    /// Contacts and hours of the family's current episode against its norms.
    pub async fn contacts(&self, actor: &Actor, family_id: i64) -> Result<ContactsView> {
        let (mut tx, e, target) = self
            .episode_for(actor, family_id, FileAction::Read, "contact.read", None)
            .await?;
        let view = self.contacts_view(&mut tx, &e).await?;
        tx.commit().await?;
        self.record(actor, target, "contact.read", Outcome::Allowed)
            .await?;
        Ok(view)
    }

    /// Checks an entry for the acting coordinator and returns what to store.
    pub(crate) async fn checked_entry(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        e: &episode::Episode,
        input: &ContactInput,
        freed: Option<(NaiveDate, i64)>,
    ) -> Result<(i64, NaiveDate, i64, ContactKind)> {
        if !matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let worker_id = actor.worker_id.ok_or(AppError::Forbidden)?;
        let mut errors = Invalid::new();
        let entry = read(input, &mut errors);
        worker::lock(tx, worker_id).await?;
        let already = match entry.on {
            Some(day) => {
                let logged = store::minutes_on_day(tx, worker_id, day).await?;
                // A correction frees the minutes of the entry it replaces.
                logged
                    - freed
                        .filter(|(d, _)| *d == day)
                        .map(|(_, m)| m)
                        .unwrap_or(0)
            }
            None => 0,
        };
        if let Err(more) = validate_entry(
            entry.on,
            entry.minutes,
            e.accepted_on,
            self.today(),
            already,
        ) {
            errors.merge(more);
        }
        errors.finish()?;
        match (entry.on, entry.minutes, entry.kind) {
            (Some(on), Some(minutes), Some(kind)) => Ok((worker_id, on, minutes, kind)),
            _ => Err(AppError::invalid("contact_on", "error-required")),
        }
    }

    async fn contacts_done(
        &self,
        mut tx: Tx,
        actor: &Actor,
        e: &episode::Episode,
        action: &str,
    ) -> Result<ContactsView> {
        self.log(
            &mut tx,
            actor,
            Target::episode(e.family_id, e.id),
            action,
            Outcome::Allowed,
        )
        .await?;
        let view = self.contacts_view(&mut tx, e).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Logs a contact or piece of work by the acting coordinator.
    pub async fn log_contact(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &ContactInput,
    ) -> Result<ContactsView> {
        let (mut tx, e) = self
            .contact_episode(actor, family_id, "contact.log")
            .await?;
        let (worker_id, on, minutes, kind) =
            self.checked_entry(&mut tx, actor, &e, input, None).await?;
        store::insert(
            &mut tx,
            &store::NewContact {
                episode_id: e.id,
                worker_id,
                contact_on: on,
                minutes,
                kind,
                participants: input.participants.trim(),
                note: input.note.trim(),
                replaces_id: None,
                created_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        self.contacts_done(tx, actor, &e, "contact.log").await
    }

    /// An entry of the episode that the actor may correct or remove: only
    /// the coordinator who logged it (the hours are theirs).
    async fn entry_of(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        e: &episode::Episode,
        contact_id: i64,
    ) -> Result<store::Contact> {
        let entry = store::get(tx, contact_id)
            .await?
            .filter(|c| c.episode_id == e.id)
            .ok_or(AppError::NotFound)?;
        if !wrapcare_core::access::may_amend_contact(actor.worker_id, entry.worker_id) {
            return Err(AppError::Conflict("error-contact-not-yours"));
        }
        Ok(entry)
    }

    /// Corrects an entry: the old one stays, marked corrected with the reason; a new one replaces it.
    pub async fn correct_contact(
        &self,
        actor: &Actor,
        family_id: i64,
        contact_id: i64,
        input: &CorrectInput,
    ) -> Result<ContactsView> {
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "error-required"));
        }
        let (mut tx, e) = self
            .contact_episode(actor, family_id, "contact.correct")
            .await?;
        let old = match self.entry_of(&mut tx, actor, &e, contact_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, "contact.correct", Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        if old.status != EntryStatus::Active {
            return Err(AppError::Conflict("error-contact-not-active"));
        }
        let (worker_id, on, minutes, kind) = self
            .checked_entry(
                &mut tx,
                actor,
                &e,
                &input.contact,
                Some((old.contact_on, old.minutes)),
            )
            .await?;
        let now = self.now();
        store::retire(
            &mut tx,
            old.id,
            EntryStatus::Corrected,
            reason,
            actor.user_id,
            input.version,
            now,
        )
        .await?;
        store::insert(
            &mut tx,
            &store::NewContact {
                episode_id: e.id,
                worker_id,
                contact_on: on,
                minutes,
                kind,
                participants: input.contact.participants.trim(),
                note: input.contact.note.trim(),
                replaces_id: Some(old.id),
                created_by: actor.user_id,
            },
            now,
        )
        .await?;
        self.contacts_done(tx, actor, &e, "contact.correct").await
    }

    /// Removes an entry visibly: it stays, marked removed with who, when and why.
    pub async fn remove_contact(
        &self,
        actor: &Actor,
        family_id: i64,
        contact_id: i64,
        input: &RemoveInput,
    ) -> Result<ContactsView> {
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "error-required"));
        }
        let (mut tx, e) = self
            .contact_episode(actor, family_id, "contact.remove")
            .await?;
        let old = match self.entry_of(&mut tx, actor, &e, contact_id).await {
            Err(AppError::NotFound) => {
                let target = Target::episode(e.family_id, e.id);
                return Err(self
                    .refuse(tx, actor, target, "contact.remove", Outcome::NotFound)
                    .await);
            }
            other => other?,
        };
        if old.status != EntryStatus::Active {
            return Err(AppError::Conflict("error-contact-not-active"));
        }
        store::retire(
            &mut tx,
            old.id,
            EntryStatus::Removed,
            reason,
            actor.user_id,
            input.version,
            self.now(),
        )
        .await?;
        self.contacts_done(tx, actor, &e, "contact.remove").await
    }
}

/// Minutes per day a coordinator may log at most (for forms' hints).
pub const MINUTES_PER_DAY: i64 = contact::MINUTES_PER_DAY;

/// Hours of an episode against the programme's norms, from its logged entries;
/// no I/O, so pages, API and the benchmark compute it the same way.
pub fn summarise(
    e: &episode::Episode,
    norms: wrapcare_core::programme::Norms,
    rows: Vec<store::Contact>,
    today: NaiveDate,
) -> ContactsView {
    let active: Vec<(NaiveDate, i64)> = rows
        .iter()
        .filter(|r| r.status == EntryStatus::Active)
        .map(|r| (r.contact_on, r.minutes))
        .collect();
    let standing = contact::standing(
        &active,
        &norms,
        (
            e.started_on.unwrap_or(e.accepted_on),
            e.closed_on.unwrap_or(today),
        ),
        e.state == EpisodeState::InCare,
        today,
    );
    ContactsView {
        family_id: e.family_id,
        episode_id: e.id,
        episode_state: e.state,
        used_minutes: standing.used_minutes,
        budget_minutes: i64::from(norms.budget_minutes_per_family),
        budget: standing.budget,
        weekly_norm_minutes: i64::from(norms.weekly_minutes_per_family),
        far_under_weekly_norm: standing.far_under_weekly_norm,
        weeks: standing
            .weeks
            .into_iter()
            .map(|(week, minutes)| WeekMinutes { week, minutes })
            .collect(),
        entries: rows
            .into_iter()
            .map(|r| ContactView {
                id: r.id,
                contact_on: r.contact_on,
                minutes: r.minutes,
                kind: r.kind,
                worker_name: r.worker_name,
                participants: r.participants,
                note: r.note,
                status: r.status,
                replaces_id: r.replaces_id,
                change_reason: r.change_reason,
                changed_by: r.changed_by_name,
                version: r.version,
            })
            .collect(),
    }
}
