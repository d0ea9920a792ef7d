//! Writing the access log from use cases. An entry that cannot be written
//! fails the access: it shares the use case's transaction.

use wrapcare_store::Tx;

use wrapcare_core::role::Role;

use crate::{Actor, App, AppError, Result};

mod review;
pub use review::*;

/// What was touched: a family file, possibly through an episode or referral.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target {
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    /// The emergency access the actor acts under, if any.
    pub emergency_access_id: Option<i64>,
}

impl Target {
    pub fn family(family_id: i64) -> Target {
        Target {
            family_id: Some(family_id),
            ..Target::default()
        }
    }

    pub fn episode(family_id: i64, episode_id: i64) -> Target {
        Target {
            family_id: Some(family_id),
            episode_id: Some(episode_id),
            ..Target::default()
        }
    }

    pub fn referral(referral_id: i64) -> Target {
        Target {
            referral_id: Some(referral_id),
            ..Target::default()
        }
    }
}

pub use wrapcare_core::access_log::Outcome;

impl App {
    /// An entry for what the actor did (without one, the operator at the
    /// command line did it).
    fn entry<'a>(
        &self,
        actor: Option<&'a Actor>,
        target: Target,
        action: &'a str,
        outcome: Outcome,
        detail: Option<&'a str>,
    ) -> wrapcare_store::access_log::Entry<'a> {
        wrapcare_store::access_log::Entry {
            at: self.now(),
            user_id: actor.map(|a| a.user_id),
            role: actor.map_or("operator", |a| a.role.as_str()),
            channel: actor.map_or("cli", |a| a.channel.as_str()),
            family_id: target.family_id,
            episode_id: target.episode_id,
            referral_id: target.referral_id,
            action,
            outcome: outcome.as_str(),
            address: actor.and_then(|a| a.address.as_deref()),
            emergency_access_id: target.emergency_access_id,
            detail,
        }
    }

    pub(crate) async fn log(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
    ) -> Result<()> {
        let entry = self.entry(Some(actor), target, action, outcome, None);
        wrapcare_store::access_log::insert(tx, &entry).await?;
        Ok(())
    }

    /// Records an administrator's change in the change's transaction, with
    /// what changed: ids and values, never a password or a person's name.
    /// Without an actor it was the operator at the command line.
    pub(crate) async fn log_change(
        &self,
        tx: &mut Tx,
        actor: Option<&Actor>,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let detail = detail.to_string();
        let entry = self.entry(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(&detail),
        );
        wrapcare_store::access_log::insert(tx, &entry).await?;
        Ok(())
    }

    /// Records a refused access in its own transaction (the attempted one is
    /// rolled back) and answers 404, the same as for a missing file.
    pub(crate) async fn refuse(
        &self,
        tx: Tx,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
    ) -> AppError {
        self.refuse_as(tx, actor, target, action, outcome, AppError::NotFound)
            .await
    }

    /// Records a refused access like [`App::refuse`] and answers with `answer`.
    pub(crate) async fn refuse_as(
        &self,
        tx: Tx,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
        answer: AppError,
    ) -> AppError {
        if let Err(e) = tx.rollback().await {
            return e.into();
        }
        match self.log_alone(actor, target, action, outcome).await {
            Ok(()) => answer,
            Err(e) => e,
        }
    }

    /// Writes one entry through the log writer, with other requests' entries,
    /// and returns once it is committed: what a read shows is never shown
    /// before its entry is stored. 503 when the log cannot be written.
    pub(crate) async fn record(
        &self,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
    ) -> Result<()> {
        self.record_detail(actor, target, action, outcome, None)
            .await
    }

    /// [`App::record`] with what a list showed or a change changed (JSON).
    pub(crate) async fn record_detail(
        &self,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
        detail: Option<String>,
    ) -> Result<()> {
        let entry = self.entry(Some(actor), target, action, outcome, detail.as_deref());
        self.log_writer
            .write(crate::log_writer::Pending::of(&entry))
            .await
            .map_err(|_| AppError::LogUnavailable)
    }

    /// A list read's entry, naming the families it showed (never what it was searched for).
    pub(crate) async fn record_list(
        &self,
        actor: &Actor,
        action: &str,
        lines: &[crate::family::FamilyLine],
    ) -> Result<()> {
        let ids: Vec<i64> = lines.iter().map(|l| l.family_id).collect();
        let detail = serde_json::json!({ "families": ids }).to_string();
        self.record_detail(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(detail),
        )
        .await
    }

    pub(crate) async fn log_alone(
        &self,
        actor: &Actor,
        target: Target,
        action: &str,
        outcome: Outcome,
    ) -> Result<()> {
        self.record(actor, target, action, outcome).await
    }

    /// Refuses (403) unless the actor has one of the roles; a refusal is logged.
    /// Pages that are one role's own (the administrator's lists) ask it first.
    pub async fn require(&self, actor: &Actor, roles: &[Role], action: &str) -> Result<()> {
        if roles.contains(&actor.role) {
            return Ok(());
        }
        self.log_alone(actor, Target::default(), action, Outcome::Refused)
            .await?;
        Err(AppError::Forbidden)
    }
}

impl App {
    /// Walks the access log's chain (the operator's `wrapcare audit verify`).
    pub async fn verify_access_log(
        &self,
        anchor: Option<&wrapcare_store::access_log::Head>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<wrapcare_store::access_log::Verdict> {
        Ok(wrapcare_store::access_log::verify(self.store(), anchor, progress).await?)
    }

    /// The chain's last entry, to keep outside the database.
    pub async fn access_log_head(&self) -> Result<Option<wrapcare_store::access_log::Head>> {
        let mut tx = self.store().read_only().await?;
        let head = wrapcare_store::access_log::head(&mut tx).await?;
        tx.rollback().await?;
        Ok(head)
    }
}
