//! A family's timeline: referral, acceptance, coordinators, start of help,
//! phases, agreed plans, contacts, module referrals and closure, in date order,
//! across every episode of the family.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::contact::{ContactKind, EntryStatus};
use wrapcare_core::episode::ClosureReason;
use wrapcare_core::module::EndReason;
use wrapcare_core::timeline::{EventKind, sort_events};
use wrapcare_store::{contact, episode, module, timeline};

use crate::access_log::Outcome;
use crate::cache::{KeptTimeline, Renditions};
use crate::{Actor, App, Result};

/// One event. Which fields are set depends on the kind.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub on: NaiveDate,
    pub kind: Option<EventKind>,
    pub episode_id: i64,
    /// The coordinator: assigned, handed over to, or who logged a contact.
    pub coordinator: Option<String>,
    /// The coordinator handed over from.
    pub previous_coordinator: Option<String>,
    pub contact_kind: Option<ContactKind>,
    pub minutes: Option<i64>,
    /// A contact that was removed later (kept visible, marked).
    pub removed: bool,
    pub participants: Option<String>,
    pub phase: Option<i64>,
    pub plan_version: Option<u32>,
    pub module: Option<String>,
    pub provider: Option<String>,
    pub children: Vec<String>,
    pub end_reason: Option<EndReason>,
    pub closure_reason: Option<ClosureReason>,
    /// A short text as the user wrote it (a contact's note, a reason).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineView {
    pub family_id: i64,
    pub surname: String,
    /// Shared with the kept copy it was built from.
    #[schema(value_type = Vec<TimelineEntry>)]
    pub entries: Arc<[TimelineEntry]>,
    /// Where pages keep what they rendered of these entries, as long as the
    /// copy they come from is current.
    #[serde(skip)]
    pub renditions: Arc<Renditions>,
}

/// Everything the timeline is built from, as the store returns it.
#[derive(Debug, Clone, Default)]
pub struct TimelineSources {
    pub episodes: Vec<EpisodeSources>,
    /// Names of the family's persons by id.
    pub names: HashMap<i64, String>,
    /// Module id → (name, provider).
    pub modules: HashMap<i64, (String, String)>,
}

#[derive(Debug, Clone)]
pub struct EpisodeSources {
    pub episode: episode::Episode,
    pub received_on: Option<NaiveDate>,
    pub assignments: Vec<episode::Assignment>,
    pub phases: Vec<episode::PhaseChange>,
    /// Agreed plan versions: (number, agreed on).
    pub agreed_plans: Vec<(u32, NaiveDate)>,
    pub contacts: Vec<contact::Contact>,
    pub module_referrals: Vec<module::ModuleReferral>,
}

/// Builds the timeline in date order; no I/O, so it can be measured on its own.
pub fn build(sources: &TimelineSources) -> Vec<TimelineEntry> {
    let mut entries: Vec<(TimelineEntry, i64)> = Vec::new();
    let mut push = |entry: TimelineEntry, seq: i64| entries.push((entry, seq));
    for s in &sources.episodes {
        let e = &s.episode;
        let base = || TimelineEntry {
            episode_id: e.id,
            ..TimelineEntry::default()
        };
        let at = |on: NaiveDate, kind: EventKind| TimelineEntry {
            on,
            kind: Some(kind),
            ..base()
        };
        if let Some(received) = s.received_on {
            push(at(received, EventKind::ReferralReceived), 0);
        }
        push(at(e.accepted_on, EventKind::Accepted), 0);
        let mut previous: Option<&str> = None;
        for a in &s.assignments {
            let kind = if previous.is_some() {
                EventKind::Handover
            } else {
                EventKind::Assigned
            };
            push(
                TimelineEntry {
                    coordinator: Some(a.worker_name.clone()),
                    previous_coordinator: previous.map(str::to_string),
                    note: a.override_reason.clone(),
                    ..at(a.starts_on, kind)
                },
                a.id,
            );
            previous = Some(&a.worker_name);
        }
        if let Some(started) = e.started_on {
            push(at(started, EventKind::HelpStarted), 0);
        }
        for (i, p) in s.phases.iter().enumerate() {
            push(
                TimelineEntry {
                    phase: Some(p.phase),
                    ..at(p.starts_on, EventKind::PhaseChanged)
                },
                i as i64,
            );
        }
        for (number, on) in &s.agreed_plans {
            push(
                TimelineEntry {
                    plan_version: Some(*number),
                    ..at(*on, EventKind::PlanAgreed)
                },
                i64::from(*number),
            );
        }
        for c in s
            .contacts
            .iter()
            .filter(|c| c.status != EntryStatus::Corrected)
        {
            push(
                TimelineEntry {
                    coordinator: Some(c.worker_name.clone()),
                    contact_kind: Some(c.kind),
                    minutes: Some(c.minutes),
                    removed: c.status == EntryStatus::Removed,
                    participants: Some(c.participants.clone()).filter(|p| !p.is_empty()),
                    note: Some(c.note.clone()).filter(|n| !n.is_empty()),
                    ..at(c.contact_on, EventKind::Contact)
                },
                c.id,
            );
        }
        for r in &s.module_referrals {
            let (name, provider) = sources.modules.get(&r.module_id).cloned().unzip();
            let step = |on: NaiveDate, kind: EventKind| TimelineEntry {
                module: name.clone(),
                provider: provider.clone(),
                children: r
                    .children
                    .iter()
                    .filter_map(|id| sources.names.get(id).cloned())
                    .collect(),
                ..at(on, kind)
            };
            push(
                TimelineEntry {
                    note: Some(r.note.clone()).filter(|n| !n.is_empty()),
                    ..step(r.requested_on, EventKind::ModuleRequested)
                },
                r.id,
            );
            if let Some(on) = r.started_on {
                push(step(on, EventKind::ModuleStarted), r.id);
            }
            if let Some(on) = r.ended_on {
                push(
                    TimelineEntry {
                        end_reason: r.end_reason,
                        ..step(on, EventKind::ModuleEnded)
                    },
                    r.id,
                );
            }
        }
        if let Some(on) = e.withdrawn_on {
            push(
                TimelineEntry {
                    note: e.withdrawal_reason.clone(),
                    ..at(on, EventKind::Withdrawn)
                },
                0,
            );
        }
        if let Some(on) = e.closed_on {
            push(
                TimelineEntry {
                    closure_reason: e.closure_reason,
                    ..at(on, EventKind::Closed)
                },
                0,
            );
        }
    }
    sort_events(&mut entries, |(e, seq)| {
        (e.on, e.kind.unwrap_or(EventKind::Contact), *seq)
    });
    entries.into_iter().map(|(e, _)| e).collect()
}

impl App {
    /// Everything around the family in date order, from referral to closure.
    pub async fn timeline(&self, actor: &Actor, family_id: i64) -> Result<TimelineView> {
        let now = self.now();
        let (file, kept) = self
            .read_whole(
                actor,
                family_id,
                "timeline.read",
                &self.caches.timelines,
                async |tx, key| {
                    let read = timeline::read(tx, family_id, key.asker, now).await?;
                    Ok(read.map(|(opened, read)| (opened, KeptTimeline::new(read))))
                },
            )
            .await?;
        let episodes: Vec<i64> = file.full_episodes().map(|e| e.id).collect();
        let (entries, renditions) = kept.built_for(&episodes, || {
            let read = &kept.read;
            // Members who left the family still appear under their name in its history.
            let mut sources = TimelineSources {
                modules: read.modules.clone(),
                names: read
                    .names
                    .iter()
                    .map(|(id, (given, family))| (*id, format!("{given} {family}")))
                    .collect(),
                ..TimelineSources::default()
            };
            // Only the episodes the viewer may see in full (the read is a copy
            // others use too, so what is taken of it is cloned).
            fn of<T: Clone>(rows: &HashMap<i64, Vec<T>>, id: i64) -> Vec<T> {
                rows.get(&id).cloned().unwrap_or_default()
            }
            for e in file.full_episodes().cloned() {
                sources.episodes.push(EpisodeSources {
                    received_on: read.received_on.get(&e.referral_id).copied(),
                    assignments: of(&read.histories.assignments, e.id),
                    phases: of(&read.histories.phases, e.id),
                    agreed_plans: of(&read.agreed_plans, e.id),
                    contacts: of(&read.contacts, e.id),
                    module_referrals: of(&read.module_referrals, e.id),
                    episode: e,
                });
            }
            build(&sources)
        });
        self.record(actor, file.target(), "timeline.read", Outcome::Allowed)
            .await?;
        Ok(TimelineView {
            family_id,
            surname: file.family.surname.clone(),
            entries,
            renditions,
        })
    }
}
