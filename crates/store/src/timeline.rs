//! What a family's timeline is built from, read in one statement (see
//! `crate::json`): the facts the need-to-know rule decides on, and for every
//! episode its referral's date, phases, coordinators, agreed plans, contacts
//! and module referrals. The use case keeps only the episodes the rule shows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::contact::{self, Contact};
use crate::episode::Histories;
use crate::family::file::{
    Asked, Gate, HistoryRows, OF_FAMILY, Opened, episode_join, fetch, gate_parts, history_parts,
};
use crate::module::{self, ModuleReferral};
use crate::{Dialect, Result, StoreError, Tx, json};

/// The sources of a family's timeline, every episode's included.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Everyone who was ever a member, by person id: (given name, family name).
    pub names: HashMap<i64, (String, String)>,
    /// When each episode's referral was received, by referral id.
    pub received_on: HashMap<i64, NaiveDate>,
    pub histories: Histories,
    /// Per episode: the agreed plan versions, (number, agreed on), in order.
    pub agreed_plans: HashMap<i64, Vec<(u32, NaiveDate)>>,
    /// Per episode: every contact entry, removals and corrections included, newest first.
    pub contacts: HashMap<i64, Vec<Contact>>,
    /// Per episode: the module referrals with their children, newest request first.
    pub module_referrals: HashMap<i64, Vec<ModuleReferral>>,
    /// The modules referred to, by id: (name, provider).
    pub modules: HashMap<i64, (String, String)>,
}

#[derive(Deserialize)]
struct Document {
    #[serde(flatten)]
    gate: Gate,
    #[serde(flatten)]
    histories: HistoryRows,
    names: Vec<Name>,
    referrals: Vec<Received>,
    agreed_plans: Vec<AgreedPlan>,
    contacts: Vec<contact::Row>,
    module_referrals: Vec<module::ReferralRow>,
    referral_children: Vec<ReferralChild>,
    modules: Vec<ModuleName>,
}

#[derive(Deserialize)]
struct Name {
    person_id: i64,
    given_name: String,
    family_name: String,
}

#[derive(Deserialize)]
struct Received {
    id: i64,
    received_on: NaiveDate,
}

#[derive(Deserialize)]
struct AgreedPlan {
    episode_id: i64,
    number: i64,
    agreed_on: NaiveDate,
}

#[derive(Deserialize)]
struct ReferralChild {
    module_referral_id: i64,
    person_id: i64,
}

#[derive(Deserialize)]
struct ModuleName {
    id: i64,
    name: String,
    organisation_name: String,
}

/// The statement per dialect, built once. `$1` the family, `$2` the asker
/// whose running emergency access is wanted (or NULL), `$3` now.
static STATEMENT: json::Statement = json::Statement::new(build);

fn build(d: Dialect) -> json::Document {
    let mut parts = gate_parts(d);
    parts.extend(history_parts(d));
    parts.extend([
        (
            "names",
            json::array(
                d,
                &[
                    ("person_id", "p.id"),
                    ("given_name", "p.given_name"),
                    ("family_name", "p.family_name"),
                ],
                "FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.family_id = $1",
                "p.id",
            ),
        ),
        (
            "referrals",
            json::array(
                d,
                &[("id", "r.id"), ("received_on", "r.received_on")],
                "FROM referrals r WHERE r.id IN \
                 (SELECT referral_id FROM episodes WHERE family_id = $1)",
                "r.id",
            ),
        ),
        (
            "agreed_plans",
            json::array(
                d,
                &[
                    ("episode_id", "v.episode_id"),
                    ("number", "v.number"),
                    ("agreed_on", "v.agreed_on"),
                ],
                &format!(
                    "FROM plan_versions v {} WHERE {OF_FAMILY} \
                     AND v.status = 'agreed' AND v.agreed_on IS NOT NULL",
                    episode_join("v")
                ),
                "v.episode_id, v.number",
            ),
        ),
        (
            "contacts",
            json::array(
                d,
                contact::FIELDS,
                &format!(
                    "{} {} WHERE {OF_FAMILY}",
                    contact::FROM,
                    episode_join("c")
                ),
                contact::ORDER,
            ),
        ),
        (
            "module_referrals",
            json::array(
                d,
                module::REFERRAL_FIELDS,
                &format!(
                    "FROM module_referrals r {} WHERE {OF_FAMILY}",
                    episode_join("r")
                ),
                module::REFERRAL_ORDER,
            ),
        ),
        (
            "referral_children",
            json::array(
                d,
                &[
                    ("module_referral_id", "k.module_referral_id"),
                    ("person_id", "k.person_id"),
                ],
                &format!(
                    "FROM module_referral_children k \
                     JOIN module_referrals r ON r.id = k.module_referral_id {} WHERE {OF_FAMILY}",
                    episode_join("r")
                ),
                "k.person_id",
            ),
        ),
        (
            "modules",
            json::array(
                d,
                &[
                    ("id", "m.id"),
                    ("name", "m.name"),
                    ("organisation_name", "o.name"),
                ],
                &format!(
                    "FROM modules m JOIN organisations o ON o.id = m.organisation_id \
                     WHERE m.id IN (SELECT r.module_id FROM module_referrals r {} WHERE {OF_FAMILY})",
                    episode_join("r")
                ),
                "m.id",
            ),
        ),
    ]);
    json::Document::new(parts)
}

/// What the rule decides on and the timeline's sources, or `None` when there
/// is no such family.
/// `emergency_of` names the asker whose running emergency access to read.
/// One statement: run it on [`crate::Store::single_read`].
pub async fn read(
    tx: &mut Tx,
    family_id: i64,
    emergency_of: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Option<(Opened, Timeline)>> {
    let asked = Asked {
        family_id,
        emergency_of,
        now,
    };
    let doc: Document = fetch(tx, &STATEMENT, &asked, None, "family timeline").await?;
    let Some(opened) = doc.gate.open()? else {
        return Ok(None);
    };
    let mut agreed_plans: HashMap<i64, Vec<(u32, NaiveDate)>> = HashMap::new();
    for p in doc.agreed_plans {
        let number =
            u32::try_from(p.number).map_err(|_| StoreError::Corrupt("plan_versions.number"))?;
        agreed_plans
            .entry(p.episode_id)
            .or_default()
            .push((number, p.agreed_on));
    }
    let mut contacts: HashMap<i64, Vec<Contact>> = HashMap::new();
    for row in doc.contacts {
        let c = Contact::try_from(row)?;
        contacts.entry(c.episode_id).or_default().push(c);
    }
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for k in doc.referral_children {
        children
            .entry(k.module_referral_id)
            .or_default()
            .push(k.person_id);
    }
    let mut module_referrals: HashMap<i64, Vec<ModuleReferral>> = HashMap::new();
    for row in doc.module_referrals {
        let mut r = ModuleReferral::try_from(row)?;
        r.children = children.remove(&r.id).unwrap_or_default();
        module_referrals.entry(r.episode_id).or_default().push(r);
    }
    let timeline = Timeline {
        names: doc
            .names
            .into_iter()
            .map(|n| (n.person_id, (n.given_name, n.family_name)))
            .collect(),
        received_on: doc
            .referrals
            .into_iter()
            .map(|r| (r.id, r.received_on))
            .collect(),
        histories: doc.histories.histories(),
        agreed_plans,
        contacts,
        module_referrals,
        modules: doc
            .modules
            .into_iter()
            .map(|m| (m.id, (m.name, m.organisation_name)))
            .collect(),
    };
    Ok(Some((opened, timeline)))
}
