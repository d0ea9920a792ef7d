//! The team's weekly meetings: agenda items, their discussion, action items,
//! intervision questions put forward, and the background colleagues bring.

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_core::meeting::{AgendaReason, Principle};

use crate::{Result, StoreError, Tx, on_tx, parse_or_corrupt};

/// Codes kept as one comma-separated text.
fn joined<S: AsRef<str>>(codes: &[S]) -> String {
    codes
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(",")
}

fn split(codes: &str) -> Vec<String> {
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Meeting {
    pub id: i64,
    pub team_id: i64,
    pub held_on: NaiveDate,
    pub chair_worker_id: Option<i64>,
    pub minute_taker_worker_id: Option<i64>,
    pub version: i64,
}

pub struct NewMeeting {
    pub team_id: i64,
    pub held_on: NaiveDate,
    pub chair_worker_id: Option<i64>,
    pub minute_taker_worker_id: Option<i64>,
    pub created_by: i64,
}

pub async fn insert(tx: &mut Tx, m: &NewMeeting, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO meetings (team_id, held_on, chair_worker_id, minute_taker_worker_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(m.team_id)
    .bind(m.held_on)
    .bind(m.chair_worker_id)
    .bind(m.minute_taker_worker_id)
    .bind(m.created_by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

const MEETING: &str =
    "SELECT id, team_id, held_on, chair_worker_id, minute_taker_worker_id, version FROM meetings";

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Meeting>> {
    let sql = sqlx::AssertSqlSafe(format!("{MEETING} WHERE id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Meeting>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

pub async fn on_day(tx: &mut Tx, team_id: i64, held_on: NaiveDate) -> Result<Option<Meeting>> {
    let sql = sqlx::AssertSqlSafe(format!("{MEETING} WHERE team_id = $1 AND held_on = $2"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, Meeting>(sql)
        .bind(team_id)
        .bind(held_on)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

/// A team's meeting in a list: how many items it had and its open actions.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingLine {
    pub id: i64,
    pub held_on: NaiveDate,
    pub items: i64,
    pub open_actions: i64,
}

/// A team's meetings, the latest first.
pub async fn of_team(tx: &mut Tx, team_id: i64) -> Result<Vec<MeetingLine>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, MeetingLine>(
        "SELECT m.id, m.held_on, \
           CAST((SELECT COUNT(*) FROM agenda_items i WHERE i.meeting_id = m.id) AS BIGINT) AS items, \
           CAST((SELECT COUNT(*) FROM action_items x JOIN agenda_items i ON i.id = x.agenda_item_id \
                 WHERE i.meeting_id = m.id AND x.done_on IS NULL) AS BIGINT) AS open_actions \
         FROM meetings m WHERE m.team_id = $1 ORDER BY m.held_on DESC"
    )
    .bind(team_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

pub async fn set_attendees(tx: &mut Tx, meeting_id: i64, workers: &[i64]) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM meeting_attendees WHERE meeting_id = $1"
    )
    .bind(meeting_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for w in workers {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO meeting_attendees (meeting_id, worker_id) VALUES ($1, $2)"
        )
        .bind(meeting_id)
        .bind(w)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

pub async fn attendees(tx: &mut Tx, meeting_id: i64) -> Result<Vec<i64>> {
    let rows = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT worker_id FROM meeting_attendees WHERE meeting_id = $1 ORDER BY worker_id"
    )
    .bind(meeting_id)
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub id: i64,
    pub meeting_id: i64,
    pub position: i64,
    pub reason: AgendaReason,
    pub family_id: Option<i64>,
    pub surname: Option<String>,
    pub title: String,
    pub principles: Vec<Principle>,
    pub domains: Vec<String>,
    pub question: String,
    pub notes: String,
    pub advice: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    meeting_id: i64,
    position: i64,
    reason: String,
    family_id: Option<i64>,
    surname: Option<String>,
    title: String,
    principles: String,
    domains: String,
    question: String,
    notes: String,
    advice: String,
    version: i64,
}

impl TryFrom<ItemRow> for AgendaItem {
    type Error = StoreError;
    fn try_from(r: ItemRow) -> Result<AgendaItem> {
        let principles = split(&r.principles)
            .iter()
            .map(|p| parse_or_corrupt(Principle::parse(p), "agenda_items.principles"))
            .collect::<Result<Vec<_>>>()?;
        Ok(AgendaItem {
            reason: parse_or_corrupt(AgendaReason::parse(&r.reason), "agenda_items.reason")?,
            principles,
            domains: split(&r.domains),
            id: r.id,
            meeting_id: r.meeting_id,
            position: r.position,
            family_id: r.family_id,
            surname: r.surname,
            title: r.title,
            question: r.question,
            notes: r.notes,
            advice: r.advice,
            version: r.version,
        })
    }
}

const ITEM: &str = "SELECT i.id, i.meeting_id, i.position, i.reason, i.family_id, f.surname, i.title, \
     i.principles, i.domains, i.question, i.notes, i.advice, i.version \
     FROM agenda_items i LEFT JOIN families f ON f.id = i.family_id";

pub struct NewItem<'a> {
    pub meeting_id: i64,
    pub reason: AgendaReason,
    pub family_id: Option<i64>,
    pub title: &'a str,
    pub principles: &'a [Principle],
    pub domains: &'a [String],
    pub question: &'a str,
}

/// Adds an item at the end of the agenda.
pub async fn insert_item(tx: &mut Tx, item: &NewItem<'_>) -> Result<i64> {
    let principles: Vec<&str> = item.principles.iter().map(|p| p.as_str()).collect();
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO agenda_items (meeting_id, position, reason, family_id, title, principles, domains, question) \
         VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $1), \
                 $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(item.meeting_id)
    .bind(item.reason.as_str())
    .bind(item.family_id)
    .bind(item.title)
    .bind(joined(&principles))
    .bind(joined(item.domains))
    .bind(item.question)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// A meeting's agenda in order.
pub async fn items(tx: &mut Tx, meeting_id: i64) -> Result<Vec<AgendaItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ITEM} WHERE i.meeting_id = $1 ORDER BY i.position, i.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ItemRow>(sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(AgendaItem::try_from).collect()
}

/// The team topics of a team's meetings, latest first: its bottlenecks and
/// what was done about them, reviewable over time.
pub async fn topics_of_team(tx: &mut Tx, team_id: i64) -> Result<Vec<(NaiveDate, AgendaItem)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        held_on: NaiveDate,
        #[sqlx(flatten)]
        item: ItemRow,
    }
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT m.held_on, x.* FROM ({ITEM}) x JOIN meetings m ON m.id = x.meeting_id \
         WHERE m.team_id = $1 AND x.reason = 'topic' ORDER BY m.held_on DESC, x.position"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(sql)
        .bind(team_id)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|r| Ok((r.held_on, AgendaItem::try_from(r.item)?)))
        .collect()
}

pub async fn record_discussion(
    tx: &mut Tx,
    item_id: i64,
    (question, notes, advice): (&str, &str, &str),
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE agenda_items SET question = $1, notes = $2, advice = $3, version = version + 1 \
         WHERE id = $4 AND version = $5"
    )
    .bind(question)
    .bind(notes)
    .bind(advice)
    .bind(item_id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// Swaps an item with the one before (`up`) or after it; at either end
/// nothing moves.
pub async fn move_item(tx: &mut Tx, meeting_id: i64, item_id: i64, up: bool) -> Result<()> {
    let order = items(tx, meeting_id).await?;
    let Some(at) = order.iter().position(|i| i.id == item_id) else {
        return Err(StoreError::NotFound);
    };
    let other = if up { at.checked_sub(1) } else { Some(at + 1) };
    let Some(other) = other.and_then(|o| order.get(o)) else {
        return Ok(());
    };
    let mine = &order[at];
    for (id, position) in [(mine.id, other.position), (other.id, mine.position)] {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE agenda_items SET position = $1, version = version + 1 WHERE id = $2"
        )
        .bind(position)
        .bind(id)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Takes an item off the agenda (one without decisions; checked before).
pub async fn delete_item(tx: &mut Tx, item_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE intervision_questions SET agenda_item_id = NULL WHERE agenda_item_id = $1"
    )
    .bind(item_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    let done = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM agenda_items WHERE id = $1"
    )
    .bind(item_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::expect_one(done)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionItem {
    pub id: i64,
    pub agenda_item_id: i64,
    pub meeting_id: i64,
    pub held_on: NaiveDate,
    pub team_id: i64,
    pub family_id: Option<i64>,
    pub surname: Option<String>,
    /// The topic's title, for an action of a team topic.
    pub title: String,
    pub description: String,
    pub owner_worker_id: i64,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub version: i64,
}

const ACTION: &str = "SELECT x.id, x.agenda_item_id, i.meeting_id, m.held_on, m.team_id, i.family_id, \
     f.surname, i.title, x.description, x.owner_worker_id, w.name AS owner_name, x.due_on, x.done_on, x.version \
     FROM action_items x JOIN agenda_items i ON i.id = x.agenda_item_id \
     JOIN meetings m ON m.id = i.meeting_id JOIN workers w ON w.id = x.owner_worker_id \
     LEFT JOIN families f ON f.id = i.family_id";

pub struct NewAction<'a> {
    pub agenda_item_id: i64,
    pub description: &'a str,
    pub owner_worker_id: i64,
    pub due_on: NaiveDate,
    pub created_by: i64,
}

pub async fn insert_action(tx: &mut Tx, a: &NewAction<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO action_items (agenda_item_id, description, owner_worker_id, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(a.agenda_item_id)
    .bind(a.description)
    .bind(a.owner_worker_id)
    .bind(a.due_on)
    .bind(a.created_by)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn get_action(tx: &mut Tx, id: i64) -> Result<Option<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!("{ACTION} WHERE x.id = $1"));
    let row = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row)
}

/// The actions decided in a meeting, in agenda order.
pub async fn actions_of_meeting(tx: &mut Tx, meeting_id: i64) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION} WHERE i.meeting_id = $1 ORDER BY i.position, x.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(meeting_id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// The actions decided on a team's topics, in every meeting: one statement
/// for the team's list of bottlenecks and what was done about them.
pub async fn topic_actions_of_team(tx: &mut Tx, team_id: i64) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION} WHERE m.team_id = $1 AND i.reason = 'topic' ORDER BY i.position, x.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(team_id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// A team's actions still open from meetings before `before`, the earliest
/// due first: they come back on each agenda until done.
pub async fn open_actions_before(
    tx: &mut Tx,
    team_id: i64,
    before: NaiveDate,
) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION} WHERE m.team_id = $1 AND m.held_on < $2 AND x.done_on IS NULL \
         ORDER BY x.due_on, x.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(team_id)
        .bind(before)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// A worker's open actions, the earliest due first.
pub async fn open_actions_of_worker(tx: &mut Tx, worker_id: i64) -> Result<Vec<ActionItem>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION} WHERE x.owner_worker_id = $1 AND x.done_on IS NULL ORDER BY x.due_on, x.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(worker_id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Open actions due before `today` of a team's meetings, a programme's, or
/// one worker's (of any meeting), for the signals.
pub async fn overdue_actions(
    tx: &mut Tx,
    scope: crate::signal::Scope,
    today: NaiveDate,
) -> Result<Vec<ActionItem>> {
    use crate::signal::Scope;
    let which = match scope {
        Scope::Team(_) => "m.team_id = $2",
        Scope::Programme(_) => "m.team_id IN (SELECT t.id FROM teams t WHERE t.programme_id = $2)",
        Scope::Coordinator(_) => "x.owner_worker_id = $2",
    };
    let id = match scope {
        Scope::Team(id) | Scope::Programme(id) | Scope::Coordinator(id) => id,
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "{ACTION} WHERE x.done_on IS NULL AND x.due_on < $1 AND {which} ORDER BY x.due_on, x.id"
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, ActionItem>(sql)
        .bind(today)
        .bind(id)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

pub async fn complete_action(
    tx: &mut Tx,
    id: i64,
    on: NaiveDate,
    by: i64,
    version: i64,
) -> Result<()> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE action_items SET done_on = $1, done_by = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND done_on IS NULL"
    )
    .bind(on)
    .bind(by)
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub family_id: i64,
    pub worker_id: i64,
    pub question: String,
    pub domains: Vec<String>,
}

pub struct NewQuestion<'a> {
    pub family_id: i64,
    pub team_id: i64,
    pub worker_id: i64,
    pub question: &'a str,
    pub domains: &'a [String],
}

pub async fn put_forward(tx: &mut Tx, q: &NewQuestion<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO intervision_questions (family_id, team_id, worker_id, question, domains, asked_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(q.family_id)
    .bind(q.team_id)
    .bind(q.worker_id)
    .bind(q.question)
    .bind(joined(q.domains))
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

/// Questions put forward in a team and not yet on an agenda, oldest first.
pub async fn open_questions(tx: &mut Tx, team_id: i64) -> Result<Vec<Question>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        family_id: i64,
        worker_id: i64,
        question: String,
        domains: String,
    }
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, Row>(
        "SELECT id, family_id, worker_id, question, domains FROM intervision_questions \
         WHERE team_id = $1 AND agenda_item_id IS NULL ORDER BY asked_at, id"
    )
    .bind(team_id)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| Question {
            id: r.id,
            family_id: r.family_id,
            worker_id: r.worker_id,
            question: r.question,
            domains: split(&r.domains),
        })
        .collect())
}

/// Marks the open questions about a family as taken onto an agenda item.
pub async fn take_questions(tx: &mut Tx, team_id: i64, family_id: i64, item_id: i64) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE intervision_questions SET agenda_item_id = $1 \
         WHERE team_id = $2 AND family_id = $3 AND agenda_item_id IS NULL"
    )
    .bind(item_id)
    .bind(team_id)
    .bind(family_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The background of each worker of a team: their home organisation's
/// domains and their own expertise.
pub async fn backgrounds(
    tx: &mut Tx,
    team_id: i64,
) -> Result<Vec<(i64, Vec<String>, Vec<String>)>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, (i64, String, String)>(
        "SELECT w.id, 'org', d.domain_code FROM workers w \
           JOIN organisation_domains d ON d.organisation_id = w.home_organisation_id WHERE w.team_id = $1 \
         UNION ALL \
         SELECT w.id, 'own', e.domain_code FROM workers w \
           JOIN worker_expertise e ON e.worker_id = w.id WHERE w.team_id = $1"
    )
    .bind(team_id)
    .fetch_all(c)
    .await
    })?;
    let mut out: Vec<(i64, Vec<String>, Vec<String>)> = Vec::new();
    for (worker, source, code) in rows {
        let at = match out.iter().position(|(w, _, _)| *w == worker) {
            Some(at) => at,
            None => {
                out.push((worker, Vec::new(), Vec::new()));
                out.len() - 1
            }
        };
        if source == "org" {
            out[at].1.push(code);
        } else {
            out[at].2.push(code);
        }
    }
    Ok(out)
}

/// Every organisation's field, as (organisation, domain) rows.
pub async fn organisation_fields(tx: &mut Tx) -> Result<Vec<(i64, String)>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, (i64, String)>(
        "SELECT organisation_id, domain_code FROM organisation_domains \
         ORDER BY organisation_id, domain_code"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

/// The workers' own expertise, as (worker, domain) rows.
pub async fn expertise(tx: &mut Tx) -> Result<Vec<(i64, String)>> {
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, (i64, String)>(
        "SELECT worker_id, domain_code FROM worker_expertise ORDER BY worker_id, domain_code"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows)
}

pub async fn set_expertise(tx: &mut Tx, worker_id: i64, domains: &[&str]) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM worker_expertise WHERE worker_id = $1"
    )
    .bind(worker_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for d in domains {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO worker_expertise (worker_id, domain_code) VALUES ($1, $2)"
        )
        .bind(worker_id)
        .bind(d)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

pub async fn set_organisation_domains(
    tx: &mut Tx,
    organisation_id: i64,
    domains: &[&str],
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM organisation_domains WHERE organisation_id = $1"
    )
    .bind(organisation_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    for d in domains {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO organisation_domains (organisation_id, domain_code) VALUES ($1, $2)"
        )
        .bind(organisation_id)
        .bind(d)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// The families with an open episode in a team, by surname, for adding one
/// to an agenda.
pub async fn team_families(tx: &mut Tx, team_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, (i64, String)>(
        "SELECT f.id, f.surname FROM episodes e JOIN families f ON f.id = e.family_id \
         WHERE e.team_id = $1 AND e.state IN ('waiting', 'assigned', 'in_care') ORDER BY f.surname, f.id"
    )
    .bind(team_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}
