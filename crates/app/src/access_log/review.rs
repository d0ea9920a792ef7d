//! Reviewing the access log: the privacy officer's view of who looked at or
//! changed which family file, and a supervisor's of their team's families.
//! A review shows family numbers and who acted, never a file's content, and
//! is itself an entry of the log.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::access_log::{
    PAGE_SIZE, ReviewFilter, ReviewInput, Scope, review_filter, review_scope,
};
use wrapcare_store::access_log::{self as store_log, Reviewed, TallyBy, Window};
use wrapcare_store::{emergency_access, user};

use super::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// Rows of a per-family or per-user tally shown beside the entries.
const TALLY_LIMIT: i64 = 200;
/// Emergency accesses shown in one review.
const EMERGENCY_LIMIT: i64 = 500;
/// Entries read per round trip while exporting.
const EXPORT_CHUNK: i64 = 1000;

/// One entry of the log as a reviewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    /// The role the user acted in (`operator` for the command line).
    pub role: String,
    /// `page`, `api` or `cli`.
    pub channel: String,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    /// What was done, e.g. `family.read` or `plan.update`.
    pub action: String,
    /// `allowed`, `refused` or `not_found`.
    pub outcome: String,
    /// The client's network address.
    pub address: Option<String>,
    /// The emergency access the entry was made under, with its reason.
    pub emergency_access_id: Option<i64>,
    pub emergency_reason: Option<String>,
    /// What a change changed, or which families a list showed.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

impl From<Reviewed> for ReviewEntry {
    fn from(r: Reviewed) -> Self {
        ReviewEntry {
            id: r.id,
            at: r.at,
            user_id: r.user_id,
            user_name: r.user_name,
            role: r.role,
            channel: r.channel,
            family_id: r.family_id,
            episode_id: r.episode_id,
            referral_id: r.referral_id,
            action: r.action,
            outcome: r.outcome,
            address: r.address,
            emergency_access_id: r.emergency_access_id,
            emergency_reason: r.emergency_reason,
            detail: r
                .detail
                .map(|d| serde_json::from_str(&d).unwrap_or(serde_json::Value::String(d))),
        }
    }
}

/// How often a user opened one family, or one family was opened by a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewTally {
    /// The family (in a user's tally) or the user (in a family's tally).
    pub id: i64,
    /// The user's name and role, in a family's tally.
    pub name: Option<String>,
    pub role: Option<String>,
    pub entries: i64,
    /// Entries that were refused or found nothing.
    pub refused: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

impl From<store_log::Tally> for ReviewTally {
    fn from(t: store_log::Tally) -> Self {
        ReviewTally {
            id: t.key,
            name: t.name,
            role: t.role,
            entries: t.entries,
            refused: t.refused,
            first_at: t.first_at,
            last_at: t.last_at,
        }
    }
}

/// A user a review can be narrowed to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewUser {
    pub id: i64,
    pub name: String,
    pub role: String,
}

/// A page of the access log with what it was asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessReview {
    #[schema(value_type = Object)]
    pub filter: ReviewFilter,
    /// The team whose families a supervisor's review is limited to.
    pub team_id: Option<i64>,
    pub entries: Vec<ReviewEntry>,
    /// `before` for the next, older page; none when this is the last.
    pub older: Option<i64>,
    /// When one user is asked for: the families they opened.
    pub families: Vec<ReviewTally>,
    /// When one family is asked for: who opened it.
    pub users: Vec<ReviewTally>,
    /// Everyone the review can be narrowed to.
    pub people: Vec<ReviewUser>,
}

/// An emergency access as a reviewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewedEmergencyAccess {
    pub id: i64,
    pub family_id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_role: String,
    /// The reason given when the file was opened.
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Entries made under the access.
    pub entries: i64,
}

impl From<emergency_access::ReviewedAccess> for ReviewedEmergencyAccess {
    fn from(x: emergency_access::ReviewedAccess) -> Self {
        let a = x.access;
        ReviewedEmergencyAccess {
            id: a.id,
            family_id: a.family_id,
            user_id: a.user_id,
            user_name: a.user_name,
            user_role: a.user_role,
            reason: a.reason,
            granted_at: a.granted_at,
            expires_at: a.expires_at,
            entries: x.entries,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmergencyReview {
    #[schema(value_type = Object)]
    pub filter: ReviewFilter,
    pub team_id: Option<i64>,
    pub accesses: Vec<ReviewedEmergencyAccess>,
}

/// The start of a day in the Netherlands, as an instant.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::Amsterdam
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// The instants a review's days cover, the last day included.
fn window(filter: &ReviewFilter) -> Window {
    Window {
        since: filter.from.map(start_of),
        until: filter.until.and_then(|d| d.succ_opt()).map(start_of),
    }
}

fn team_of(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::Team(team) => Some(team),
    }
}

/// What an entry of a review records: the filters that were set, never a result.
fn review_detail(filter: &ReviewFilter) -> String {
    let mut set = serde_json::Map::new();
    if let Ok(serde_json::Value::Object(all)) = serde_json::to_value(filter) {
        set.extend(
            all.into_iter()
                .filter(|(_, v)| !v.is_null() && *v != serde_json::Value::Bool(false)),
        );
    }
    serde_json::json!({ "filter": set }).to_string()
}

impl App {
    /// The reviewer's scope, or the refusal logged and 403.
    async fn reviewer(&self, actor: &Actor, action: &str) -> Result<Scope> {
        match review_scope(actor.role, actor.team_id) {
            Some(scope) => Ok(scope),
            None => {
                self.log_alone(actor, Target::default(), action, Outcome::Refused)
                    .await?;
                Err(AppError::Forbidden)
            }
        }
    }

    /// A review's own entry. The filters (a family among them) go in the
    /// detail: a review is no look at a family's file.
    async fn record_review(
        &self,
        actor: &Actor,
        action: &str,
        filter: &ReviewFilter,
    ) -> Result<()> {
        self.record_detail(
            actor,
            Target::default(),
            action,
            Outcome::Allowed,
            Some(review_detail(filter)),
        )
        .await
    }

    /// A page of the access log, newest first, narrowed by the filters, with
    /// the families a user opened or the users who opened a family beside it.
    pub async fn review_access_log(
        &self,
        actor: &Actor,
        input: &ReviewInput,
    ) -> Result<AccessReview> {
        let action = "access_log.review";
        let scope = self.reviewer(actor, action).await?;
        let filter = review_filter(input)?;
        let window = window(&filter);
        let mut tx = self.store.read_only().await?;
        let mut rows = store_log::review(&mut tx, scope, &filter, window, PAGE_SIZE + 1).await?;
        let older = if rows.len() as i64 > PAGE_SIZE {
            rows.truncate(PAGE_SIZE as usize);
            rows.last().map(|r| r.id)
        } else {
            None
        };
        // One user: which families they opened; one family: who opened it.
        let families = match (filter.user_id, filter.family_id) {
            (Some(_), None) => {
                store_log::tally(
                    &mut tx,
                    scope,
                    &filter,
                    window,
                    TallyBy::Family,
                    TALLY_LIMIT,
                )
                .await?
            }
            _ => Vec::new(),
        };
        let users = match (filter.family_id, filter.user_id) {
            (Some(_), None) => {
                store_log::tally(&mut tx, scope, &filter, window, TallyBy::User, TALLY_LIMIT)
                    .await?
            }
            _ => Vec::new(),
        };
        let people = user::list(&mut tx)
            .await?
            .into_iter()
            .map(|u| ReviewUser {
                id: u.id,
                name: u.name,
                role: u.role.as_str().to_string(),
            })
            .collect();
        tx.rollback().await?;
        self.record_review(actor, action, &filter).await?;
        Ok(AccessReview {
            team_id: team_of(scope),
            entries: rows.into_iter().map(ReviewEntry::from).collect(),
            older,
            families: families.into_iter().map(ReviewTally::from).collect(),
            users: users.into_iter().map(ReviewTally::from).collect(),
            people,
            filter,
        })
    }

    /// The emergency accesses granted in the period, with their reasons and
    /// how much was done under each.
    pub async fn review_emergency_accesses(
        &self,
        actor: &Actor,
        input: &ReviewInput,
    ) -> Result<EmergencyReview> {
        let action = "access_log.emergency_accesses";
        let scope = self.reviewer(actor, action).await?;
        let filter = review_filter(input)?;
        let mut tx = self.store.read_only().await?;
        let accesses = emergency_access::review(
            &mut tx,
            team_of(scope),
            filter.user_id,
            filter.family_id,
            window(&filter),
            EMERGENCY_LIMIT,
        )
        .await?;
        tx.rollback().await?;
        self.record_review(actor, action, &filter).await?;
        Ok(EmergencyReview {
            team_id: team_of(scope),
            accesses: accesses
                .into_iter()
                .map(ReviewedEmergencyAccess::from)
                .collect(),
            filter,
        })
    }

    /// Every entry a review's filters select, as CSV, read in chunks so that
    /// memory does not grow with the log. The export is logged before it starts.
    pub async fn export_access_log(
        &self,
        actor: &Actor,
        input: &ReviewInput,
    ) -> Result<AccessLogExport> {
        let action = "access_log.export";
        let scope = self.reviewer(actor, action).await?;
        let filter = review_filter(input)?;
        self.record_review(actor, action, &filter).await?;
        Ok(AccessLogExport {
            app: self.clone(),
            scope,
            window: window(&filter),
            filter,
            started: false,
            finished: false,
        })
    }
}

/// The columns of the export, in order.
pub const EXPORT_COLUMNS: [&str; 17] = [
    "id",
    "at",
    "user_id",
    "user_name",
    "user_email",
    "role",
    "channel",
    "family_id",
    "episode_id",
    "referral_id",
    "action",
    "outcome",
    "address",
    "emergency_access_id",
    "emergency_reason",
    "detail",
    "hash",
];

/// An export in progress: each call gives the next chunk of CSV.
pub struct AccessLogExport {
    app: App,
    scope: Scope,
    filter: ReviewFilter,
    window: Window,
    started: bool,
    finished: bool,
}

/// A spreadsheet reads a cell that starts with one of these as a formula; a
/// typed reason or name must never run as one, so it gets a leading quote.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

fn num(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl AccessLogExport {
    /// The next chunk of CSV (the header first), or `None` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        if self.finished {
            return Ok(None);
        }
        let mut out = csv::Writer::from_writer(Vec::new());
        if !self.started {
            self.started = true;
            out.write_record(EXPORT_COLUMNS)?;
        }
        let mut tx = self.app.store.read_only().await?;
        let rows =
            store_log::review(&mut tx, self.scope, &self.filter, self.window, EXPORT_CHUNK).await?;
        tx.rollback().await?;
        if (rows.len() as i64) < EXPORT_CHUNK {
            self.finished = true;
        }
        self.filter.before = rows.last().map(|r| r.id).or(self.filter.before);
        for r in &rows {
            out.write_record([
                r.id.to_string(),
                r.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                num(r.user_id),
                cell(r.user_name.as_deref().unwrap_or_default()),
                cell(r.user_email.as_deref().unwrap_or_default()),
                r.role.clone(),
                r.channel.clone(),
                num(r.family_id),
                num(r.episode_id),
                num(r.referral_id),
                r.action.clone(),
                r.outcome.clone(),
                cell(r.address.as_deref().unwrap_or_default()),
                num(r.emergency_access_id),
                cell(r.emergency_reason.as_deref().unwrap_or_default()),
                cell(r.detail.as_deref().unwrap_or_default()),
                r.hash.clone().unwrap_or_default(),
            ])?;
        }
        let bytes = out
            .into_inner()
            .map_err(|e| AppError::Export(e.into_error().into()))?;
        Ok(Some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviews_entry_names_only_the_filters_that_were_set() {
        let filter = ReviewFilter {
            family_id: Some(3),
            emergency_only: true,
            ..ReviewFilter::default()
        };
        assert_eq!(
            review_detail(&filter),
            r#"{"filter":{"emergency_only":true,"family_id":3}}"#
        );
        assert_eq!(review_detail(&ReviewFilter::default()), r#"{"filter":{}}"#);
    }

    #[test]
    fn a_period_covers_its_days_in_the_netherlands() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("day");
        let w = window(&ReviewFilter {
            from: Some(day(1)),
            until: Some(day(2)),
            ..ReviewFilter::default()
        });
        // Amsterdam is UTC+1 in December: midnight there is 23:00 UTC the day before.
        assert_eq!(
            w.since.map(|t| t.to_rfc3339()),
            Some("2026-11-30T23:00:00+00:00".into())
        );
        assert_eq!(
            w.until.map(|t| t.to_rfc3339()),
            Some("2026-12-02T23:00:00+00:00".into())
        );
    }
}
