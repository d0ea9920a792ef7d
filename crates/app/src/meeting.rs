//! Use cases of the team's weekly meeting: the proposed agenda, opening a
//! meeting, the discussion per family or team topic, decisions that become
//! action items returning on each agenda until done, and families put forward
//! with an intervision question. Meeting notes belong to the family file:
//! only the team (its supervisor and coordinators) reads them, and every read
//! is in the access log with the families it showed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::meeting::{
    self as rules, ActionInput, AgendaReason, Background, Principle, PutForward,
};
use wrapcare_core::role::Role;
use wrapcare_core::signal::SignalKind;
use wrapcare_store::signal::Scope;
use wrapcare_store::{Tx, meeting as store, plan, worker};

use crate::access_log::{Outcome, Target};
use crate::signal::gather;
use crate::{Actor, App, AppError, Result};

/// How many colleagues a question gets suggested.
const SUGGESTIONS: usize = 3;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkerRef {
    pub worker_id: i64,
    pub name: String,
    pub organisation: String,
    /// Seconded to the team on the meeting's day (today for a new one): may
    /// attend and take on actions. Others are named on earlier records only.
    pub seconded: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub meeting_id: i64,
    pub held_on: NaiveDate,
    pub family_id: Option<i64>,
    pub family_name: Option<String>,
    /// The topic's title, for an action of a team topic.
    pub topic: String,
    pub description: String,
    pub owner_worker_id: i64,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    pub worker_id: i64,
    pub name: String,
    pub organisation: String,
    /// The question's domains their background covers.
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub reason: AgendaReason,
    pub family_id: Option<i64>,
    pub family_name: Option<String>,
    pub title: String,
    pub principles: Vec<Principle>,
    pub domains: Vec<String>,
    pub question: String,
    pub notes: String,
    pub advice: String,
    /// The family's open signals now, by kind.
    pub signals: Vec<SignalKind>,
    pub actions: Vec<ActionView>,
    pub suggestions: Vec<SuggestionView>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub team_id: i64,
    pub held_on: NaiveDate,
    pub chair_worker_id: Option<i64>,
    pub minute_taker_worker_id: Option<i64>,
    pub attendees: Vec<i64>,
    /// The team's workers, for attendance, owners and suggestions.
    pub workers: Vec<WorkerRef>,
    pub items: Vec<ItemView>,
    /// Actions still open from earlier meetings: they return until done.
    pub open_actions: Vec<ActionView>,
    /// The life domains, for tagging a question.
    pub domains: Vec<DomainOption>,
    /// The team's families with an open episode, to add one.
    pub families: Vec<FamilyOption>,
    /// The actor may change the agenda (the team's supervisor).
    pub may_arrange: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainOption {
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
}

impl From<plan::LifeDomain> for DomainOption {
    fn from(d: plan::LifeDomain) -> Self {
        DomainOption {
            code: d.code,
            name_nl: d.name_nl,
            name_en: d.name_en,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyOption {
    pub family_id: i64,
    pub surname: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposedView {
    pub family_id: i64,
    pub family_name: String,
    pub reason: AgendaReason,
    pub question: String,
    pub signals: Vec<SignalKind>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingLineView {
    pub id: i64,
    pub held_on: NaiveDate,
    pub items: i64,
    pub open_actions: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    pub meeting_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub principles: Vec<Principle>,
    pub advice: String,
    pub actions: Vec<ActionView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingsView {
    /// Where the page keeps what it rendered of this view, as long as the
    /// read it comes from is current.
    #[serde(skip)]
    pub renditions: Arc<crate::Renditions>,
    pub team_id: i64,
    pub today: NaiveDate,
    pub meetings: Vec<MeetingLineView>,
    /// What a meeting opened now would start with.
    pub proposed: Vec<ProposedView>,
    pub open_actions: Vec<ActionView>,
    /// The team's topics, latest first: bottlenecks and what was done.
    pub topics: Vec<TopicView>,
    pub workers: Vec<WorkerRef>,
    pub may_open: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MeetingInput {
    /// YYYY-MM-DD.
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub chair_worker_id: Option<i64>,
    #[serde(default)]
    pub minute_taker_worker_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DiscussionInput {
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub advice: String,
    #[serde(default)]
    pub version: i64,
}

/// What the supervisor adds to an agenda: a family of the team, or a topic.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ItemInput {
    #[serde(default)]
    pub family_id: Option<i64>,
    #[serde(default)]
    pub title: String,
    /// Principle codes, for a topic.
    #[serde(default)]
    pub principles: Vec<String>,
}

/// A family put forward for the next meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PutForwardView {
    pub family_id: i64,
    pub question: String,
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct QuestionInput {
    #[serde(default)]
    pub question: String,
    /// Life-domain codes the question is about.
    #[serde(default)]
    pub domains: Vec<String>,
}

fn action_view(a: store::ActionItem, today: NaiveDate) -> ActionView {
    ActionView {
        overdue: a.done_on.is_none() && a.due_on < today,
        id: a.id,
        meeting_id: a.meeting_id,
        held_on: a.held_on,
        family_id: a.family_id,
        family_name: a.surname,
        topic: a.title,
        description: a.description,
        owner_worker_id: a.owner_worker_id,
        owner_name: a.owner_name,
        due_on: a.due_on,
        done_on: a.done_on,
        version: a.version,
    }
}

fn worker_refs(workers: &[worker::Worker], seconded: &[i64]) -> Vec<WorkerRef> {
    workers
        .iter()
        .map(|w| WorkerRef {
            worker_id: w.id,
            name: w.name.clone(),
            organisation: w.home_organisation.clone(),
            seconded: seconded.contains(&w.id),
        })
        .collect()
}

/// The family ids a set of items and actions shows, for the access log.
fn families_shown(items: &[ItemView], actions: &[ActionView]) -> String {
    let mut ids: Vec<i64> = items
        .iter()
        .filter_map(|i| i.family_id)
        .chain(actions.iter().filter_map(|a| a.family_id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    serde_json::json!({ "families": ids }).to_string()
}

impl App {
    /// The actor's team, if they are its supervisor or one of its
    /// coordinators; anyone else is refused (and logged).
    async fn team_of(&self, actor: &Actor, action: &str) -> Result<i64> {
        self.require(actor, &[Role::Supervisor, Role::Coordinator], action)
            .await?;
        match actor.team_id {
            Some(team) => Ok(team),
            None => {
                self.record(actor, Target::default(), action, Outcome::Refused)
                    .await?;
                Err(AppError::Forbidden)
            }
        }
    }

    /// A meeting of the actor's team, in a transaction opened after the role
    /// check (a refusal is logged outside any write lock); another team's
    /// meeting is not found.
    async fn meeting_of_team(
        &self,
        actor: &Actor,
        meeting_id: i64,
        action: &str,
        write: bool,
    ) -> Result<(Tx, store::Meeting)> {
        let team = self.team_of(actor, action).await?;
        let mut tx = if write {
            self.write().await?
        } else {
            self.store.read_only().await?
        };
        match store::get(&mut tx, meeting_id).await? {
            Some(m) if m.team_id == team => Ok((tx, m)),
            _ => Err(self
                .refuse(tx, actor, Target::default(), action, Outcome::NotFound)
                .await),
        }
    }

    fn may_arrange(actor: &Actor) -> bool {
        actor.role == Role::Supervisor
    }

    /// The team's meetings, the agenda a meeting opened now would start with,
    /// the actions still open and the team's topics over time.
    pub async fn meetings(&self, actor: &Actor) -> Result<MeetingsView> {
        let action = "meeting.list";
        let team = self.team_of(actor, action).await?;
        let today = self.today();
        let kept = self
            .kept(
                actor,
                &self.caches.meeting_lists,
                (team, today),
                self.read_meetings(team, today),
            )
            .await?;
        let mut ids: Vec<i64> = kept
            .proposed
            .iter()
            .map(|p| p.family_id)
            .chain(kept.open_actions.iter().filter_map(|a| a.family_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        self.record_detail(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(serde_json::json!({ "families": ids }).to_string()),
        )
        .await?;
        Ok(MeetingsView {
            may_open: Self::may_arrange(actor),
            ..(*kept).clone()
        })
    }

    /// The meetings page of a team on a day as anyone of the team sees it,
    /// read from the database.
    async fn read_meetings(&self, team: i64, today: NaiveDate) -> Result<MeetingsView> {
        let mut tx = self.store.read_only().await?;
        let lines = store::of_team(&mut tx, team).await?;
        let proposed = self.proposal(&mut tx, team, today).await?;
        let open =
            store::open_actions_before(&mut tx, team, today + chrono::Duration::days(1)).await?;
        let topics = store::topics_of_team(&mut tx, team).await?;
        let mut topic_actions: HashMap<i64, Vec<ActionView>> = HashMap::new();
        for a in store::topic_actions_of_team(&mut tx, team).await? {
            topic_actions
                .entry(a.agenda_item_id)
                .or_default()
                .push(action_view(a, today));
        }
        let topic_views = topics
            .into_iter()
            .map(|(held_on, item)| TopicView {
                meeting_id: item.meeting_id,
                held_on,
                actions: topic_actions.remove(&item.id).unwrap_or_default(),
                title: item.title,
                principles: item.principles,
                advice: item.advice,
            })
            .collect();
        let workers = worker::list(&mut tx, Some(team)).await?;
        let seconded = worker::seconded_on(&mut tx, team, today).await?;
        tx.commit().await?;
        Ok(MeetingsView {
            renditions: Arc::default(),
            team_id: team,
            today,
            meetings: lines
                .into_iter()
                .map(|l| MeetingLineView {
                    id: l.id,
                    held_on: l.held_on,
                    items: l.items,
                    open_actions: l.open_actions,
                })
                .collect(),
            proposed,
            open_actions: open.into_iter().map(|a| action_view(a, today)).collect(),
            topics: topic_views,
            workers: worker_refs(&workers, &seconded),
            may_open: false,
        })
    }

    /// The agenda the domain proposes for the team now.
    async fn proposal(
        &self,
        tx: &mut Tx,
        team: i64,
        today: NaiveDate,
    ) -> Result<Vec<ProposedView>> {
        let gathered = gather(tx, Scope::Team(team), today).await?;
        let questions = store::open_questions(tx, team).await?;
        let asked: Vec<PutForward> = questions
            .iter()
            .map(|q| PutForward {
                family_id: q.family_id,
                question: q.question.clone(),
                domains: q.domains.clone(),
            })
            .collect();
        let mut kinds: HashMap<i64, Vec<SignalKind>> = HashMap::new();
        for s in &gathered.signals {
            if let Some(f) = s.family_id() {
                let k = kinds.entry(f).or_default();
                if !k.contains(&s.kind) {
                    k.push(s.kind);
                }
            }
        }
        let mut names = gathered.surnames.clone();
        for q in &questions {
            if !names.contains_key(&q.family_id)
                && let Some(f) = wrapcare_store::family::get(tx, q.family_id).await?
            {
                names.insert(q.family_id, f.surname);
            }
        }
        Ok(rules::propose_agenda(&gathered.signals, &asked)
            .into_iter()
            .map(|p| ProposedView {
                family_name: names.get(&p.family_id).cloned().unwrap_or_default(),
                signals: kinds.remove(&p.family_id).unwrap_or_default(),
                family_id: p.family_id,
                reason: p.reason,
                question: p.question,
            })
            .collect())
    }

    /// Opens a meeting of the supervisor's team with the proposed agenda.
    pub async fn open_meeting(&self, actor: &Actor, input: &MeetingInput) -> Result<i64> {
        let action = "meeting.open";
        let team = self.team_of(actor, action).await?;
        if !Self::may_arrange(actor) {
            self.record(actor, Target::default(), action, Outcome::Refused)
                .await?;
            return Err(AppError::Forbidden);
        }
        let today = self.today();
        let mut tx = self.write().await?;
        let workers = worker::seconded_on(&mut tx, team, today).await?;
        let held_on = rules::validate_meeting(
            &input.held_on,
            input.chair_worker_id,
            input.minute_taker_worker_id,
            &workers,
            today,
        )?;
        if store::on_day(&mut tx, team, held_on).await?.is_some() {
            return Err(AppError::invalid("held_on", "error-meeting-exists"));
        }
        let id = store::insert(
            &mut tx,
            &store::NewMeeting {
                team_id: team,
                held_on,
                chair_worker_id: input.chair_worker_id,
                minute_taker_worker_id: input.minute_taker_worker_id,
                created_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        let questions = store::open_questions(&mut tx, team).await?;
        let gathered = gather(&mut tx, Scope::Team(team), today).await?;
        let asked: Vec<PutForward> = questions
            .iter()
            .map(|q| PutForward {
                family_id: q.family_id,
                question: q.question.clone(),
                domains: q.domains.clone(),
            })
            .collect();
        for p in rules::propose_agenda(&gathered.signals, &asked) {
            let item = store::insert_item(
                &mut tx,
                &store::NewItem {
                    meeting_id: id,
                    reason: p.reason,
                    family_id: Some(p.family_id),
                    title: "",
                    principles: &[],
                    domains: &p.domains,
                    question: &p.question,
                },
            )
            .await?;
            store::take_questions(&mut tx, team, p.family_id, item).await?;
        }
        self.log(&mut tx, actor, Target::default(), action, Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A meeting of the actor's team with its agenda, discussion, decisions,
    /// the actions still open from before and colleagues to ask.
    pub async fn meeting(&self, actor: &Actor, meeting_id: i64) -> Result<MeetingView> {
        let action = "meeting.read";
        let today = self.today();
        let (mut tx, m) = self
            .meeting_of_team(actor, meeting_id, action, false)
            .await?;
        let items = store::items(&mut tx, m.id).await?;
        let actions = store::actions_of_meeting(&mut tx, m.id).await?;
        let open = store::open_actions_before(&mut tx, m.team_id, m.held_on).await?;
        let attendees = store::attendees(&mut tx, m.id).await?;
        let workers = worker::list(&mut tx, Some(m.team_id)).await?;
        let seconded = worker::seconded_on(&mut tx, m.team_id, m.held_on).await?;
        let backgrounds = store::backgrounds(&mut tx, m.team_id).await?;
        let domains = plan::life_domains(&mut tx).await?;
        let families = store::team_families(&mut tx, m.team_id).await?;
        tx.commit().await?;
        let kept = self
            .kept_signals(actor, Scope::Team(m.team_id), today)
            .await?;
        let gathered = &kept.gathered;
        let background: Vec<Background> = backgrounds
            .into_iter()
            .map(|(worker_id, organisation_domains, expertise)| Background {
                worker_id,
                organisation_domains,
                expertise,
            })
            .collect();
        let by_id: HashMap<i64, &worker::Worker> = workers.iter().map(|w| (w.id, w)).collect();
        let coordinator_of: HashMap<i64, i64> = gathered
            .signals
            .iter()
            .filter_map(|s| Some((s.family_id()?, s.coordinator_id?)))
            .collect();
        let items: Vec<ItemView> = items
            .into_iter()
            .map(|i| {
                let mine: Vec<ActionView> = actions
                    .iter()
                    .filter(|a| a.agenda_item_id == i.id)
                    .cloned()
                    .map(|a| action_view(a, today))
                    .collect();
                let coordinator = i.family_id.and_then(|f| coordinator_of.get(&f).copied());
                let suggestions =
                    rules::suggest_colleagues(&i.domains, &background, coordinator, SUGGESTIONS)
                        .into_iter()
                        .filter_map(|s| {
                            let w = by_id.get(&s.worker_id)?;
                            Some(SuggestionView {
                                worker_id: s.worker_id,
                                name: w.name.clone(),
                                organisation: w.home_organisation.clone(),
                                domains: s.domains,
                            })
                        })
                        .collect();
                let mut signals: Vec<SignalKind> = gathered
                    .signals
                    .iter()
                    .filter(|s| s.family_id().is_some() && s.family_id() == i.family_id)
                    .map(|s| s.kind)
                    .collect();
                signals.dedup();
                ItemView {
                    id: i.id,
                    reason: i.reason,
                    family_id: i.family_id,
                    family_name: i.surname,
                    title: i.title,
                    principles: i.principles,
                    domains: i.domains,
                    question: i.question,
                    notes: i.notes,
                    advice: i.advice,
                    signals,
                    actions: mine,
                    suggestions,
                    version: i.version,
                }
            })
            .collect();
        let open_actions: Vec<ActionView> =
            open.into_iter().map(|a| action_view(a, today)).collect();
        self.record_detail(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(families_shown(&items, &open_actions)),
        )
        .await?;
        Ok(MeetingView {
            id: m.id,
            team_id: m.team_id,
            held_on: m.held_on,
            chair_worker_id: m.chair_worker_id,
            minute_taker_worker_id: m.minute_taker_worker_id,
            attendees,
            workers: worker_refs(&workers, &seconded),
            items,
            open_actions,
            domains: domains.into_iter().map(DomainOption::from).collect(),
            families: families
                .into_iter()
                .map(|(family_id, surname)| FamilyOption { family_id, surname })
                .collect(),
            may_arrange: Self::may_arrange(actor),
        })
    }

    /// Records who attended.
    pub async fn set_attendance(
        &self,
        actor: &Actor,
        meeting_id: i64,
        workers: &[i64],
    ) -> Result<()> {
        let action = "meeting.attendance";
        let (mut tx, m) = self
            .meeting_of_team(actor, meeting_id, action, true)
            .await?;
        let team = worker::seconded_on(&mut tx, m.team_id, m.held_on).await?;
        if workers.iter().any(|w| !team.contains(w)) {
            return Err(AppError::invalid("attendees", "error-choose-option"));
        }
        let mut sorted = workers.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        store::set_attendees(&mut tx, m.id, &sorted).await?;
        self.log(&mut tx, actor, Target::default(), action, Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The item of a meeting of the actor's team, in a write transaction.
    async fn item_of(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
        action: &str,
    ) -> Result<(Tx, store::Meeting, store::AgendaItem)> {
        let (mut tx, m) = self
            .meeting_of_team(actor, meeting_id, action, true)
            .await?;
        let found = store::items(&mut tx, m.id)
            .await?
            .into_iter()
            .find(|i| i.id == item_id);
        match found {
            Some(item) => Ok((tx, m, item)),
            None => Err(self
                .refuse(tx, actor, Target::default(), action, Outcome::NotFound)
                .await),
        }
    }

    fn item_target(item: &store::AgendaItem) -> Target {
        item.family_id.map(Target::family).unwrap_or_default()
    }

    /// Adds a family of the team or a team topic to the agenda (supervisor).
    pub async fn add_agenda_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        input: &ItemInput,
    ) -> Result<()> {
        let action = "meeting.add_item";
        let (mut tx, m) = self
            .meeting_of_team(actor, meeting_id, action, true)
            .await?;
        if !Self::may_arrange(actor) {
            return Err(AppError::Conflict("error-meeting-supervisor-only"));
        }
        let target = match input.family_id {
            Some(family_id) => {
                let in_team = wrapcare_store::episode::of_family(&mut tx, family_id)
                    .await?
                    .iter()
                    .any(|e| e.team_id == m.team_id && e.state.is_open());
                if !in_team {
                    return Err(AppError::invalid(
                        "family_id",
                        "error-meeting-family-not-in-team",
                    ));
                }
                if store::items(&mut tx, m.id)
                    .await?
                    .iter()
                    .any(|i| i.family_id == Some(family_id))
                {
                    return Err(AppError::invalid(
                        "family_id",
                        "error-meeting-family-on-agenda",
                    ));
                }
                store::insert_item(
                    &mut tx,
                    &store::NewItem {
                        meeting_id: m.id,
                        reason: AgendaReason::Added,
                        family_id: Some(family_id),
                        title: "",
                        principles: &[],
                        domains: &[],
                        question: "",
                    },
                )
                .await?;
                Target::family(family_id)
            }
            None => {
                let (title, principles) = rules::validate_topic(&input.title, &input.principles)?;
                store::insert_item(
                    &mut tx,
                    &store::NewItem {
                        meeting_id: m.id,
                        reason: AgendaReason::Topic,
                        family_id: None,
                        title: &title,
                        principles: &principles,
                        domains: &[],
                        question: "",
                    },
                )
                .await?;
                Target::default()
            }
        };
        self.log(&mut tx, actor, target, action, Outcome::Allowed)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an item up or down the agenda (supervisor).
    pub async fn move_agenda_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
        up: bool,
    ) -> Result<()> {
        let action = "meeting.move_item";
        let (mut tx, m, item) = self.item_of(actor, meeting_id, item_id, action).await?;
        if !Self::may_arrange(actor) {
            return Err(AppError::Conflict("error-meeting-supervisor-only"));
        }
        store::move_item(&mut tx, m.id, item.id, up).await?;
        self.log(
            &mut tx,
            actor,
            Self::item_target(&item),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes an item off the agenda (supervisor); one with decisions stays.
    pub async fn remove_agenda_item(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
    ) -> Result<()> {
        let action = "meeting.remove_item";
        let (mut tx, m, item) = self.item_of(actor, meeting_id, item_id, action).await?;
        if !Self::may_arrange(actor) {
            return Err(AppError::Conflict("error-meeting-supervisor-only"));
        }
        let decided = store::actions_of_meeting(&mut tx, m.id)
            .await?
            .iter()
            .any(|a| a.agenda_item_id == item.id);
        if decided {
            return Err(AppError::Conflict("error-meeting-item-has-actions"));
        }
        store::delete_item(&mut tx, item.id).await?;
        self.log(
            &mut tx,
            actor,
            Self::item_target(&item),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the question, discussion notes and advice of an item.
    pub async fn record_discussion(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
        input: &DiscussionInput,
    ) -> Result<()> {
        let action = "meeting.discussion";
        let (mut tx, _, item) = self.item_of(actor, meeting_id, item_id, action).await?;
        let (question, notes, advice) = (
            input.question.trim(),
            input.notes.trim(),
            input.advice.trim(),
        );
        rules::validate_discussion(question, notes, advice)?;
        store::record_discussion(&mut tx, item.id, (question, notes, advice), input.version)
            .await?;
        self.log(
            &mut tx,
            actor,
            Self::item_target(&item),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a decision as an action item with an owner and a due date.
    pub async fn decide(
        &self,
        actor: &Actor,
        meeting_id: i64,
        item_id: i64,
        input: &ActionInput,
    ) -> Result<i64> {
        let action = "meeting.decide";
        let (mut tx, m, item) = self.item_of(actor, meeting_id, item_id, action).await?;
        let team = worker::seconded_on(&mut tx, m.team_id, m.held_on).await?;
        let decided = rules::validate_action(input, &team, m.held_on)?;
        let id = store::insert_action(
            &mut tx,
            &store::NewAction {
                agenda_item_id: item.id,
                description: &decided.description,
                owner_worker_id: decided.owner_worker_id,
                due_on: decided.due_on,
                created_by: actor.user_id,
            },
            self.now(),
        )
        .await?;
        self.log(
            &mut tx,
            actor,
            Self::item_target(&item),
            action,
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Marks an action item of the actor's team as done today.
    pub async fn complete_action(
        &self,
        actor: &Actor,
        action_id: i64,
        version: i64,
    ) -> Result<ActionView> {
        let action = "meeting.action_done";
        let team = self.team_of(actor, action).await?;
        let mut tx = self.write().await?;
        let Some(found) = store::get_action(&mut tx, action_id)
            .await?
            .filter(|a| a.team_id == team)
        else {
            return Err(self
                .refuse(tx, actor, Target::default(), action, Outcome::NotFound)
                .await);
        };
        if found.done_on.is_some() {
            return Err(AppError::Conflict("error-action-done"));
        }
        let today = self.today();
        store::complete_action(&mut tx, found.id, today, actor.user_id, version).await?;
        let target = found.family_id.map(Target::family).unwrap_or_default();
        self.log(&mut tx, actor, target, action, Outcome::Allowed)
            .await?;
        let done = store::get_action(&mut tx, action_id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(action_view(done, today))
    }

    /// A coordinator puts their family forward for the team's next meeting
    /// with an intervision question.
    pub async fn put_forward(
        &self,
        actor: &Actor,
        family_id: i64,
        input: &QuestionInput,
    ) -> Result<PutForwardView> {
        let action = "meeting.put_forward";
        let (mut tx, e) = self.contact_episode(actor, family_id, action).await?;
        if !matches!(
            e.state,
            wrapcare_core::episode::EpisodeState::Assigned
                | wrapcare_core::episode::EpisodeState::InCare
        ) {
            return Err(AppError::Conflict("error-episode-not-open"));
        }
        let worker_id = actor.worker_id.ok_or(AppError::Forbidden)?;
        let known: Vec<String> = plan::life_domains(&mut tx)
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let (question, domains) =
            rules::validate_question(&input.question, &input.domains, &known)?;
        store::put_forward(
            &mut tx,
            &store::NewQuestion {
                family_id: e.family_id,
                team_id: e.team_id,
                worker_id,
                question: &question,
                domains: &domains,
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
        tx.commit().await?;
        Ok(PutForwardView {
            family_id: e.family_id,
            question,
            domains,
        })
    }

    /// The actor's own open action items, for their day.
    pub async fn my_actions(&self, tx: &mut Tx, actor: &Actor) -> Result<Vec<ActionView>> {
        let today = self.today();
        Ok(match actor.worker_id {
            Some(w) => store::open_actions_of_worker(tx, w)
                .await?
                .into_iter()
                .map(|a| action_view(a, today))
                .collect(),
            None => Vec::new(),
        })
    }
}

impl App {
    /// The life domains as (code, name in Dutch), reference data for forms.
    pub async fn life_domains(&self) -> Result<Vec<DomainOption>> {
        let mut tx = self.store.single_read().await?;
        let domains = plan::life_domains(&mut tx).await?;
        tx.commit().await?;
        Ok(domains.into_iter().map(DomainOption::from).collect())
    }
}
