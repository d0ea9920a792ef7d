//! The family file as its page shows it, read in one statement.
//!
//! A family page needs the family, its members and their indications, every
//! episode with its programme, phases and coordinators, each episode's newest
//! plan and latest scores, the hours per day, and the emergency accesses: ten
//! kinds of rows. Asked one by one that is ten round trips, which cost more
//! than the reads. Here the database gathers them into one JSON document
//! (`crate::json`), which is also one consistent snapshot without a
//! transaction.
//!
//! The facts the need-to-know rule decides on (the family, the asker's running
//! emergency access, the episodes) come in the same read as the contents; the
//! use case drops whatever the rule does not grant before building anything
//! from it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::{Family, IndicationRow, Member};
use crate::emergency_access::{self, EmergencyAccess};
use crate::episode::{self, Assignment, Episode, Histories, PhaseChange};
use crate::json;
use crate::plan::{self, ScoreRow, StoredVersion};
use crate::programme::{self, Programme};
use crate::{Dialect, Result, Tx, on_tx};

/// What the family page shows besides the family and its episodes.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// The members today, parents first, then children by age.
    pub members: Vec<Member>,
    /// The current members' indications, newest first.
    pub indications: Vec<IndicationRow>,
    /// The programmes of the episodes, by id.
    pub programmes: HashMap<i64, Programme>,
    pub histories: Histories,
    /// Per episode: the newest plan version and when a version was last agreed.
    pub plans: HashMap<i64, (StoredVersion, Option<NaiveDate>)>,
    /// Per episode: each goal's latest score on or before today.
    pub scores: HashMap<i64, Vec<ScoreRow>>,
    /// Per episode: the active minutes per day, in date order.
    pub minutes_per_day: HashMap<i64, Vec<(NaiveDate, i64)>>,
    /// The family's emergency accesses, newest first (at most 50).
    pub emergency_accesses: Vec<EmergencyAccess>,
}

/// The most emergency accesses a file lists.
const EMERGENCY_LIST: i64 = 50;

/// What the need-to-know rule decides on: the first parts of every document
/// about one family (see [`gate_parts`]).
#[derive(Deserialize)]
pub(crate) struct Gate {
    family: Option<Family>,
    emergency: Option<EmergencyAccess>,
    episodes: Vec<episode::Row>,
}

/// What the need-to-know rule decides on: the family, the asker's emergency
/// access to it running now (if asked for), and every episode, newest first.
#[derive(Debug, Clone)]
pub struct Opened {
    pub family: Family,
    pub emergency: Option<EmergencyAccess>,
    pub episodes: Vec<Episode>,
}

impl Gate {
    /// `None` when there is no such family.
    pub(crate) fn open(self) -> Result<Option<Opened>> {
        let Some(family) = self.family else {
            return Ok(None);
        };
        Ok(Some(Opened {
            family,
            emergency: self.emergency,
            episodes: self
                .episodes
                .into_iter()
                .map(Episode::try_from)
                .collect::<Result<_>>()?,
        }))
    }
}

/// Every episode's phase changes and assignments (see [`history_parts`]).
#[derive(Deserialize)]
pub(crate) struct HistoryRows {
    phases: Vec<Of<PhaseChange>>,
    assignments: Vec<Of<Assignment>>,
}

impl HistoryRows {
    pub(crate) fn histories(self) -> Histories {
        let mut out = Histories::default();
        for p in self.phases {
            out.phases.entry(p.episode_id).or_default().push(p.row);
        }
        for a in self.assignments {
            out.assignments.entry(a.episode_id).or_default().push(a.row);
        }
        out
    }
}

#[derive(Deserialize)]
struct Document {
    #[serde(flatten)]
    gate: Gate,
    #[serde(flatten)]
    histories: HistoryRows,
    members: Vec<Member>,
    indications: Vec<IndicationRow>,
    programmes: Vec<Programme>,
    plans: Vec<LatestPlan>,
    scores: Vec<Of<ScoreRow>>,
    minutes: Vec<DayMinutes>,
    emergency_accesses: Vec<EmergencyAccess>,
}

/// A row of one of the family's episodes.
#[derive(Deserialize)]
pub(crate) struct Of<T> {
    pub episode_id: i64,
    #[serde(flatten)]
    pub row: T,
}

#[derive(Deserialize)]
struct LatestPlan {
    #[serde(flatten)]
    row: plan::Row,
    last_agreed_on: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct DayMinutes {
    episode_id: i64,
    day: NaiveDate,
    minutes: i64,
}

/// The statement, per dialect, built once. Placeholders: `$1` the family,
/// `$2` the asker whose running emergency access is wanted (or NULL), `$3`
/// now, `$4` today.
static STATEMENT: json::Statement = json::Statement::new(build);

/// Who asks about which family, for the placeholders every document about a
/// family starts with: `$1` the family, `$2` whose running emergency access
/// counts (or NULL), `$3` now.
pub(crate) struct Asked {
    pub family_id: i64,
    pub emergency_of: Option<i64>,
    pub now: DateTime<Utc>,
}

/// Runs a document about one family (see [`Asked`]; `$4` is `today` when
/// the document has it) and reads it into `T`.
pub(crate) async fn fetch<T: serde::de::DeserializeOwned>(
    tx: &mut Tx,
    statement: &json::Statement,
    asked: &Asked,
    today: Option<NaiveDate>,
    what: &'static str,
) -> Result<T> {
    let statement = statement.of(tx.dialect());
    let sql = sqlx::AssertSqlSafe(statement.sql.as_str());
    let columns = on_tx!(tx, |c| {
        let query = sqlx::query(sql)
            .bind(asked.family_id)
            .bind(asked.emergency_of)
            .bind(asked.now);
        let query = match today {
            Some(day) => query.bind(day),
            None => query,
        };
        let row = query.fetch_one(c).await?;
        json::columns(&row)
    })?;
    statement.parse(&columns, what)
}

/// Joins the family's episodes (`fe`) to a table with an `episode_id` under
/// `alias`; the `WHERE` goes on with [`OF_FAMILY`]. A join, not `IN (…)`: with
/// the list SQLite's planner may walk the other table whole.
pub(crate) fn episode_join(alias: &str) -> String {
    format!("JOIN episodes fe ON fe.id = {alias}.episode_id")
}

/// The condition that keeps the rows of the family `$1` (see [`episode_join`]).
pub(crate) const OF_FAMILY: &str = "fe.family_id = $1";

/// The parts every document about the family `$1` starts with: the family,
/// the running emergency access of `$2` at `$3`, and the episodes, newest first.
pub(crate) fn gate_parts(d: Dialect) -> Vec<(&'static str, String)> {
    vec![
        (
            "family",
            json::first(d, super::FIELDS, "FROM families f WHERE f.id = $1"),
        ),
        (
            "emergency",
            json::first(
                d,
                emergency_access::FIELDS,
                &format!(
                    "{} {}",
                    emergency_access::FROM,
                    emergency_access::running_where("$2", "$1", "$3")
                ),
            ),
        ),
        (
            "episodes",
            json::array(
                d,
                episode::FIELDS,
                &format!("{} WHERE e.family_id = $1", episode::FROM),
                "e.accepted_on DESC, e.id DESC",
            ),
        ),
    ]
}

/// The phase changes and assignments of the family's episodes, in date order.
pub(crate) fn history_parts(d: Dialect) -> Vec<(&'static str, String)> {
    let phases = [
        ("episode_id", "pc.episode_id"),
        ("phase", "pc.phase"),
        ("starts_on", "pc.starts_on"),
    ];
    let assignments = [
        ("episode_id", "a.episode_id"),
        ("id", "a.id"),
        ("worker_id", "a.worker_id"),
        ("worker_name", "w.name"),
        ("starts_on", "a.starts_on"),
        ("ends_on", "a.ends_on"),
        ("override_reason", "a.override_reason"),
    ];
    vec![
        (
            "phases",
            json::array(
                d,
                &phases,
                &format!(
                    "FROM phase_changes pc {} WHERE {OF_FAMILY}",
                    episode_join("pc")
                ),
                "pc.starts_on, pc.id",
            ),
        ),
        (
            "assignments",
            json::array(
                d,
                &assignments,
                &format!(
                    "FROM assignments a JOIN workers w ON w.id = a.worker_id {} WHERE {OF_FAMILY}",
                    episode_join("a")
                ),
                "a.starts_on, a.id",
            ),
        ),
    ]
}

fn build(d: Dialect) -> json::Document {
    let mut latest_plan = plan::FIELDS.to_vec();
    latest_plan.push(("last_agreed_on", plan::LAST_AGREED_ON));
    let scores = [
        ("episode_id", "s.episode_id"),
        ("goal_key", "s.goal_key"),
        ("scored_on", "s.scored_on"),
        ("level", "s.level"),
    ];
    let minutes = [
        ("episode_id", "d.episode_id"),
        ("day", "d.contact_on"),
        ("minutes", "d.minutes"),
    ];
    let mut parts = gate_parts(d);
    parts.extend(history_parts(d));
    parts.extend([
        (
            "members",
            json::array(
                d,
                super::MEMBER_FIELDS,
                &super::members_from("$1", "$4"),
                super::MEMBER_ORDER,
            ),
        ),
        (
            "indications",
            json::array(
                d,
                super::INDICATION_FIELDS,
                &super::indications_from("$1", "$4"),
                super::INDICATION_ORDER,
            ),
        ),
        (
            "programmes",
            json::array(
                d,
                programme::FIELDS,
                "FROM programmes g WHERE g.id IN \
                 (SELECT programme_id FROM episodes WHERE family_id = $1)",
                "g.id",
            ),
        ),
        (
            "plans",
            json::array(
                d,
                &latest_plan,
                &format!(
                    "FROM plan_versions v {} WHERE {OF_FAMILY} \
                     AND v.number = (SELECT MAX(n.number) FROM plan_versions n \
                     WHERE n.episode_id = v.episode_id)",
                    episode_join("v")
                ),
                "v.episode_id",
            ),
        ),
        (
            "scores",
            json::array(
                d,
                &scores,
                &plan::latest_scores_from(&episode_join("s"), OF_FAMILY, "$4"),
                "s.episode_id, s.goal_key",
            ),
        ),
        (
            "minutes",
            json::array(
                d,
                &minutes,
                &format!(
                    "FROM (SELECT c.episode_id, c.contact_on, CAST(SUM(c.minutes) AS BIGINT) AS minutes \
                         FROM contacts c {} WHERE {OF_FAMILY} AND c.status = 'active' \
                         GROUP BY c.episode_id, c.contact_on) d",
                        episode_join("c")
                ),
                "d.episode_id, d.contact_on",
            ),
        ),
        (
            "emergency_accesses",
            json::array(
                d,
                emergency_access::FIELDS,
                &format!(
                    "FROM (SELECT x.* FROM emergency_access x WHERE x.family_id = $1 \
                     ORDER BY {order} LIMIT {EMERGENCY_LIST}) x JOIN users u ON u.id = x.user_id",
                    order = emergency_access::ORDER
                ),
                emergency_access::ORDER,
            ),
        ),
    ]);
    json::Document::new(parts)
}

/// The family file: what the rule decides on and what the page shows, or
/// `None` when there is no such family. `emergency_of`
/// names the asker whose running emergency access to read (none for roles
/// that cannot have one). One statement: run it on [`crate::Store::single_read`].
pub async fn read(
    tx: &mut Tx,
    family_id: i64,
    emergency_of: Option<i64>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Option<(Opened, Contents)>> {
    let asked = Asked {
        family_id,
        emergency_of,
        now,
    };
    let doc: Document = fetch(tx, &STATEMENT, &asked, Some(today), "family file").await?;
    let Some(opened) = doc.gate.open()? else {
        return Ok(None);
    };
    let mut contents = Contents {
        members: doc.members,
        indications: doc.indications,
        programmes: doc.programmes.into_iter().map(|p| (p.id, p)).collect(),
        histories: doc.histories.histories(),
        emergency_accesses: doc.emergency_accesses,
        ..Contents::default()
    };
    for p in doc.plans {
        let version = StoredVersion::try_from(p.row)?;
        contents
            .plans
            .insert(version.episode_id, (version, p.last_agreed_on));
    }
    for s in doc.scores {
        contents.scores.entry(s.episode_id).or_default().push(s.row);
    }
    for m in doc.minutes {
        contents
            .minutes_per_day
            .entry(m.episode_id)
            .or_default()
            .push((m.day, m.minutes));
    }
    Ok(Some((opened, contents)))
}
