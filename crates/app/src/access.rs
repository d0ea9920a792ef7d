//! Opening a family file under the need-to-know rule of `core::access`, and
//! emergency access ("breaking the glass").
//!
//! Every use case on a family file goes through [`App::file`]: it reads
//! the family's episodes, asks the domain rule, logs a refusal, and hands back
//! the one episode the rule allowed, locked and read again for changes.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::access::{
    self as rule, Basis, EMERGENCY_HOURS, EpisodeAccess, FileAction, Grant, Refusal, Viewer,
};
use wrapcare_store::family::file::Opened;
use wrapcare_store::{Tx, emergency_access, episode, family};

use crate::access_log::{Outcome, Target};
use crate::cache::{Cache, FileCopy, FileKey, KeptFile};
use crate::{Actor, App, AppError, Result};

/// A family file as the rule opened it for one use case.
#[derive(Debug, Clone)]
pub(crate) struct OpenFile {
    pub family: family::Family,
    /// Every episode of the family, newest first; show only what `grant` allows.
    pub episodes: Vec<episode::Episode>,
    pub grant: Grant,
    /// The episode the use case acts on.
    pub episode: episode::Episode,
    /// The emergency access this opening rests on, if it does.
    pub emergency: Option<emergency_access::EmergencyAccess>,
}

impl OpenFile {
    /// What the access-log entry of this use case names.
    pub fn target(&self) -> Target {
        Target {
            family_id: Some(self.family.id),
            episode_id: Some(self.episode.id),
            referral_id: None,
            emergency_access_id: self.emergency.as_ref().map(|x| x.id),
        }
    }

    /// The same file read again after a change, with its contents, under the
    /// grant it was opened with: a step's answer shows what the step did, even
    /// when (as with a closure) the actor would not be let in again afterwards.
    pub async fn reread(
        &self,
        tx: &mut Tx,
        app: &App,
    ) -> Result<(OpenFile, family::file::Contents)> {
        let (read, contents) = family::file::read(tx, self.family.id, None, app.now(), app.today())
            .await?
            .ok_or(AppError::NotFound)?;
        let episode = read
            .episodes
            .iter()
            .find(|e| e.id == self.episode.id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        let file = OpenFile {
            family: read.family,
            episodes: read.episodes,
            grant: self.grant.clone(),
            episode,
            emergency: self.emergency.clone(),
        };
        Ok((file, contents))
    }

    /// The episodes the viewer sees in full, newest first.
    pub fn full_episodes(&self) -> impl Iterator<Item = &episode::Episode> {
        self.episodes
            .iter()
            .filter(|e| self.grant.shows_in_full(e.id))
    }

    /// Earlier episodes the viewer sees only as a summary line.
    pub fn summary_episodes(&self) -> impl Iterator<Item = &episode::Episode> {
        self.episodes
            .iter()
            .filter(|e| self.grant.summary.contains(&e.id))
    }
}

pub(crate) fn viewer(actor: &Actor, emergency: bool) -> Viewer {
    Viewer {
        role: actor.role,
        team_id: actor.team_id,
        worker_id: actor.worker_id,
        emergency,
    }
}

pub(crate) fn facts(episodes: &[episode::Episode]) -> Vec<EpisodeAccess> {
    episodes
        .iter()
        .map(|e| EpisodeAccess {
            id: e.id,
            team_id: e.team_id,
            state: e.state,
            accepted_on: e.accepted_on,
            coordinator_id: e.coordinator_id.filter(|_| e.state.is_open()),
        })
        .collect()
}

/// The asker whose running emergency access counts: none for roles that
/// cannot break the glass.
fn emergency_of(actor: &Actor) -> Option<i64> {
    rule::may_break_glass(actor.role).then_some(actor.user_id)
}

/// A refused opening: what the log records and what the asker is answered.
struct Refused {
    outcome: Outcome,
    answer: AppError,
}

impl Refused {
    fn forbidden() -> Refused {
        Refused {
            outcome: Outcome::Refused,
            answer: AppError::Forbidden,
        }
    }

    fn not_found() -> Refused {
        Refused {
            outcome: Outcome::NotFound,
            answer: AppError::NotFound,
        }
    }
}

/// The need-to-know rule on what was read of a family: the file opened on
/// the episode the rule (or `episode_id`, when the rule shows it) chose.
fn open(
    actor: &Actor,
    family: family::Family,
    emergency: Option<emergency_access::EmergencyAccess>,
    episodes: Vec<episode::Episode>,
    action: FileAction,
    episode_id: Option<i64>,
) -> std::result::Result<OpenFile, Refused> {
    let grant = rule::decide(
        &viewer(actor, emergency.is_some()),
        &facts(&episodes),
        action,
    )
    .map_err(|refusal| Refused {
        outcome: Outcome::Refused,
        answer: match refusal {
            Refusal::NoNeedToKnow => AppError::NotFound,
            Refusal::NotForRole | Refusal::ReadOnly => AppError::Forbidden,
        },
    })?;
    let chosen = match episode_id {
        None => grant.episode_id,
        Some(id) if grant.shows_in_full(id) => id,
        Some(_) => {
            return Err(Refused {
                outcome: Outcome::Refused,
                answer: AppError::NotFound,
            });
        }
    };
    let episode = episodes
        .iter()
        .find(|e| e.id == chosen)
        .cloned()
        .ok_or(Refused::not_found())?;
    Ok(OpenFile {
        family,
        episodes,
        grant,
        episode,
        emergency,
    })
}

/// An emergency access as the family's team and the person who asked see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmergencyAccessView {
    pub id: i64,
    pub user_name: String,
    pub user_role: String,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<emergency_access::EmergencyAccess> for EmergencyAccessView {
    fn from(x: emergency_access::EmergencyAccess) -> Self {
        EmergencyAccessView {
            id: x.id,
            user_name: x.user_name,
            user_role: x.user_role,
            reason: x.reason,
            granted_at: x.granted_at,
            expires_at: x.expires_at,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EmergencyInput {
    /// Why the file is needed now, for the family's team and the privacy officer.
    #[serde(default)]
    pub reason: String,
}

impl App {
    /// Opens a family file for a use case under the need-to-know rule, or logs
    /// the refusal and answers 403 (a role that never opens files, or a change
    /// under emergency access) or 404 (no need to know, the same as missing).
    /// `episode_id` asks for one episode; otherwise the rule's choice is used.
    /// For anything but reading, the episode is locked and the rule asked again
    /// on what was read under the lock. A read of the whole file goes through
    /// [`App::read_file`] instead, which needs no transaction.
    pub(crate) async fn file(
        &self,
        actor: &Actor,
        family_id: i64,
        action: FileAction,
        log_action: &str,
        episode_id: Option<i64>,
    ) -> Result<(Tx, OpenFile)> {
        let asked = Target {
            family_id: Some(family_id),
            episode_id,
            ..Target::default()
        };
        // The role alone decides first, so the answer says nothing of the family.
        if !rule::role_may(actor.role, action) {
            return Err(self
                .refused(actor, asked, log_action, Refused::forbidden())
                .await);
        }
        // Reading never waits for the write lock; its entry goes to the log writer.
        let mut tx = if action == FileAction::Read {
            self.store.read_only().await?
        } else {
            self.write().await?
        };
        let Some(found) = family::get(&mut tx, family_id).await? else {
            return Err(self
                .refuse(tx, actor, asked, log_action, Outcome::NotFound)
                .await);
        };
        let emergency = match emergency_of(actor) {
            Some(user_id) => {
                emergency_access::running(&mut tx, user_id, family_id, self.now()).await?
            }
            None => None,
        };
        let episodes = episode::of_family(&mut tx, family_id).await?;
        let file = match open(actor, found, emergency, episodes, action, episode_id) {
            Ok(file) => file,
            Err(refused) => {
                tx.rollback().await?;
                return Err(self.refused(actor, asked, log_action, refused).await);
            }
        };
        if action == FileAction::Read {
            return Ok((tx, file));
        }
        let chosen = file.episode.id;
        episode::lock(&mut tx, chosen).await?;
        // Read again under the lock: a handover or closure may have come first.
        let episodes = episode::of_family(&mut tx, family_id).await?;
        let still = rule::decide(
            &viewer(actor, file.emergency.is_some()),
            &facts(&episodes),
            action,
        )
        .is_ok_and(|g| g.shows_in_full(chosen) && (episode_id.is_some() || g.episode_id == chosen));
        let episode = episodes.iter().find(|e| e.id == chosen).cloned();
        match episode {
            Some(episode) if still => Ok((
                tx,
                OpenFile {
                    episodes,
                    episode,
                    ..file
                },
            )),
            _ => Err(self
                .refuse(tx, actor, asked, log_action, Outcome::Refused)
                .await),
        }
    }

    /// Opens a family file to read it whole, with everything its page shows,
    /// in one statement and without a transaction (see `family::file`), or
    /// from a copy of that read nothing has changed since.
    /// Refusals are logged and answered as by [`App::file`].
    pub(crate) async fn read_file(
        &self,
        actor: &Actor,
        family_id: i64,
        log_action: &str,
    ) -> Result<(OpenFile, Arc<KeptFile>)> {
        let now = self.now();
        self.read_whole(
            actor,
            family_id,
            log_action,
            &self.caches.files,
            async |tx, key| {
                let read = family::file::read(tx, family_id, key.asker, now, key.today).await?;
                Ok(read.map(|(opened, contents)| {
                    let renditions = Arc::default();
                    (
                        opened,
                        KeptFile {
                            contents,
                            renditions,
                        },
                    )
                }))
            },
        )
        .await
    }

    /// Opens a family file with a read of one statement that brings the
    /// facts the rule decides on together with what the use case shows
    /// (`read` gets the connection and the key: whose emergency access
    /// counts, which day), or with the copy in `cache` under that key if the
    /// data generation says it is current.
    pub(crate) async fn read_whole<T>(
        &self,
        actor: &Actor,
        family_id: i64,
        log_action: &str,
        cache: &Cache<FileKey, FileCopy<T>>,
        read: impl AsyncFnOnce(&mut Tx, &FileKey) -> wrapcare_store::Result<Option<(Opened, T)>>,
    ) -> Result<(OpenFile, Arc<T>)> {
        let asked = Target::family(family_id);
        if !rule::role_may(actor.role, FileAction::Read) {
            return Err(self
                .refused(actor, asked, log_action, Refused::forbidden())
                .await);
        }
        let key = FileKey {
            family_id,
            asker: emergency_of(actor),
            today: self.today(),
        };
        let generation = self.generation(actor).await?;
        let kept = cache
            .get(&key, generation)
            .filter(|copy| copy.runs_at(self.now()));
        let found = match kept {
            Some(copy) => Some((copy.opened.clone(), Arc::clone(&copy.rest))),
            None => {
                let mut tx = self.store.single_read().await?;
                let read = read(&mut tx, &key).await?;
                tx.commit().await?;
                read.map(|(opened, rest)| {
                    let rest = Arc::new(rest);
                    let copy = FileCopy {
                        opened: opened.clone(),
                        rest: Arc::clone(&rest),
                    };
                    cache.put(key, generation, Arc::new(copy));
                    (opened, rest)
                })
            }
        };
        let Some((opened, rest)) = found else {
            return Err(self
                .refused(actor, asked, log_action, Refused::not_found())
                .await);
        };
        match open(
            actor,
            opened.family,
            opened.emergency,
            opened.episodes,
            FileAction::Read,
            None,
        ) {
            Ok(file) => Ok((file, rest)),
            // Nothing of what was read leaves this function.
            Err(refused) => Err(self.refused(actor, asked, log_action, refused).await),
        }
    }

    /// Logs a refusal made before or after the file was read, and gives its answer.
    async fn refused(
        &self,
        actor: &Actor,
        asked: Target,
        log_action: &str,
        refused: Refused,
    ) -> AppError {
        match self.record(actor, asked, log_action, refused.outcome).await {
            Ok(()) => refused.answer,
            Err(e) => e,
        }
    }

    /// The episode a use case works on, with the log target naming it.
    pub(crate) async fn episode_for(
        &self,
        actor: &Actor,
        family_id: i64,
        action: FileAction,
        log_action: &str,
        episode_id: Option<i64>,
    ) -> Result<(Tx, episode::Episode, Target)> {
        let (tx, file) = self
            .file(actor, family_id, action, log_action, episode_id)
            .await?;
        let target = file.target();
        Ok((tx, file.episode, target))
    }

    /// Opens a family file without a need to know, for 24 hours, after the
    /// actor gave a reason. Only reading; the family's team sees it on the file.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &EmergencyInput,
    ) -> Result<EmergencyAccessView> {
        let action = "family.emergency_access";
        let target = Target::family(family_id);
        if !rule::may_break_glass(actor.role) {
            let tx = self.write().await?;
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
        let reason = rule::emergency_reason(&input.reason)
            .map_err(|key| AppError::invalid("reason", key))?;
        let mut tx = self.write().await?;
        if family::get(&mut tx, family_id).await?.is_none() {
            return Err(self
                .refuse(tx, actor, target, action, Outcome::NotFound)
                .await);
        }
        let episodes = episode::of_family(&mut tx, family_id).await?;
        // Who may read the file already, by their work or an access still running, needs none.
        if rule::decide(&viewer(actor, false), &facts(&episodes), FileAction::Read).is_ok()
            || emergency_access::running(&mut tx, actor.user_id, family_id, self.now())
                .await?
                .is_some()
        {
            return Err(AppError::Conflict("error-emergency-not-needed"));
        }
        if episodes.is_empty() {
            return Err(self
                .refuse(tx, actor, target, action, Outcome::NotFound)
                .await);
        }
        let now = self.now();
        let expires_at = now + Duration::hours(EMERGENCY_HOURS);
        let id =
            emergency_access::insert(&mut tx, family_id, actor.user_id, reason, now, expires_at)
                .await?;
        self.log(
            &mut tx,
            actor,
            Target {
                emergency_access_id: Some(id),
                ..target
            },
            action,
            Outcome::Allowed,
        )
        .await?;
        let granted = emergency_access::running(&mut tx, actor.user_id, family_id, now)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(granted.into())
    }

    /// The emergency accesses to a file as its page lists them: for its own
    /// team only (newest first, at most 50).
    pub(crate) fn emergency_accesses_shown(
        file: &OpenFile,
        contents: &family::file::Contents,
    ) -> Vec<EmergencyAccessView> {
        if !(file.grant.family_team && file.grant.basis == Basis::NeedToKnow) {
            return Vec::new();
        }
        contents
            .emergency_accesses
            .iter()
            .cloned()
            .map(EmergencyAccessView::from)
            .collect()
    }
}
