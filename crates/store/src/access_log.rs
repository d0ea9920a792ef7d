//! The access log: who read or changed which family file, when, how and with what outcome.

use chrono::{DateTime, Timelike, Utc};
use sha2::{Digest, Sha256};

use wrapcare_core::access_log::{ReviewFilter, Scope};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub role: &'a str,
    pub channel: &'a str,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: &'a str,
    pub outcome: &'a str,
    pub address: Option<&'a str>,
    /// The emergency access the entry was made under, if any.
    pub emergency_access_id: Option<i64>,
    /// What a change changed, or which families a list showed (JSON).
    pub detail: Option<&'a str>,
}

/// Appends one entry to the chain, in the caller's transaction.
pub async fn insert(tx: &mut Tx, e: &Entry<'_>) -> Result<()> {
    append(tx, std::slice::from_ref(e)).await
}

/// Appends entries to the chain in the given order, in the caller's
/// transaction: each gets the next id and the hash of its fields and of the
/// entry before it. Appenders take turns (SQLite's write lock; an advisory
/// lock on PostgreSQL, held to the end of the transaction) so the chain never
/// forks.
pub async fn append(tx: &mut Tx, entries: &[Entry<'_>]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(CHAIN_LOCK)
            .execute(&mut **t)
            .await?;
    }
    let last: Option<(i64, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(c)
            .await
    })?;
    let (mut id, mut prev) = last.map_or((0, String::new()), |(id, h)| (id, h.unwrap_or_default()));
    // Each entry gets its id and chained hash first; then they go in as
    // multi-row INSERTs, a few statements for a whole batch of reads.
    let mut sealed = Vec::with_capacity(entries.len());
    for e in entries {
        id += 1;
        // Stored to the microsecond on both databases, so hashed that way.
        let entry = Entry {
            at: to_micros(e.at),
            ..e.clone()
        };
        let hash = digest(&prev, &entry);
        sealed.push((id, entry, std::mem::replace(&mut prev, hash.clone()), hash));
    }
    if let Tx::Postgres(t) = tx {
        // One statement of one shape for any batch: the columns as arrays.
        // Rows as VALUES would mean seven shapes of up to 960 parameters,
        // each prepared anew on every pooled connection it meets.
        let ints = |f: fn(&Sealed<'_>) -> Option<i64>| sealed.iter().map(f).collect::<Vec<_>>();
        let texts = |f: for<'r> fn(&'r Sealed<'_>) -> Option<&'r str>| {
            sealed.iter().map(f).collect::<Vec<_>>()
        };
        sqlx::query(
            "INSERT INTO access_log (id, at, user_id, role, channel, family_id, episode_id, \
             referral_id, action, outcome, address, emergency_access_id, detail, prev_hash, hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], \
             $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], \
             $11::text[], $12::bigint[], $13::text[], $14::text[], $15::text[])",
        )
        .bind(ints(|r| Some(r.0)))
        .bind(sealed.iter().map(|r| r.1.at).collect::<Vec<_>>())
        .bind(ints(|r| r.1.user_id))
        .bind(texts(|r| Some(r.1.role)))
        .bind(texts(|r| Some(r.1.channel)))
        .bind(ints(|r| r.1.family_id))
        .bind(ints(|r| r.1.episode_id))
        .bind(ints(|r| r.1.referral_id))
        .bind(texts(|r| Some(r.1.action)))
        .bind(texts(|r| Some(r.1.outcome)))
        .bind(texts(|r| r.1.address))
        .bind(ints(|r| r.1.emergency_access_id))
        .bind(texts(|r| r.1.detail))
        .bind(texts(|r| Some(r.2.as_str())))
        .bind(texts(|r| Some(r.3.as_str())))
        .execute(&mut **t)
        .await?;
        return Ok(());
    }
    let mut rest = sealed.as_slice();
    while !rest.is_empty() {
        // Only a few statement shapes, so they stay in the prepared-statement cache.
        let take = INSERT_ROWS
            .iter()
            .copied()
            .find(|&n| n <= rest.len())
            .unwrap_or(1);
        let (chunk, after) = rest.split_at(take);
        rest = after;
        // SQLite looks a numbered parameter's name up by walking a list,
        // which for a thousand `$n` made binding them cost more than the
        // insert; its anonymous `?` are bound by position.
        let row = format!("({})", ["?"; 15].join(", "));
        let rows = vec![row; chunk.len()];
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO access_log (id, at, user_id, role, channel, family_id, episode_id, \
             referral_id, action, outcome, address, emergency_access_id, detail, prev_hash, hash) \
             VALUES {}",
            rows.join(", ")
        ));
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sql);
            for (id, e, prev, hash) in chunk {
                q = q
                    .bind(*id)
                    .bind(e.at)
                    .bind(e.user_id)
                    .bind(e.role)
                    .bind(e.channel)
                    .bind(e.family_id)
                    .bind(e.episode_id)
                    .bind(e.referral_id)
                    .bind(e.action)
                    .bind(e.outcome)
                    .bind(e.address)
                    .bind(e.emergency_access_id)
                    .bind(e.detail)
                    .bind(prev.as_str())
                    .bind(hash.as_str());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Entries per INSERT statement on SQLite, largest first: 15 values each,
/// well within its limit on the number of placeholders. Powers of two, so
/// a batch of up to 127 entries takes at most seven statements of only seven
/// shapes, which stay in the prepared-statement cache.
const INSERT_ROWS: [usize; 7] = [64, 32, 16, 8, 4, 2, 1];

/// An entry with its id, the hash before it and its own hash.
type Sealed<'a> = (i64, Entry<'a>, String, String);

/// The key of the PostgreSQL advisory lock appenders take turns on ("7513", NEN 7513).
const CHAIN_LOCK: i64 = 7513;

fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(at.nanosecond() / 1000 * 1000)
        .unwrap_or(at)
}

/// The hash an entry gets when it follows an entry with hash `prev`; for
/// checking the chain outside wrapcare.
pub fn hash_of(prev: &str, e: &Entry<'_>) -> String {
    digest(
        prev,
        &Entry {
            at: to_micros(e.at),
            ..e.clone()
        },
    )
}

/// SHA-256 (hex) over the previous hash and the entry's fields, each written
/// with its length so no two different entries read the same.
fn digest(prev: &str, e: &Entry<'_>) -> String {
    let mut hasher = Sha256::new();
    let mut field = |value: Option<&str>| match value {
        Some(v) => {
            hasher.update(v.len().to_string().as_bytes());
            hasher.update(b":");
            hasher.update(v.as_bytes());
        }
        None => hasher.update(b"-"),
    };
    let number = |n: Option<i64>| n.map(|n| n.to_string());
    // The id is not covered: the chain orders entries by their links, so an
    // entry put in between shows as such rather than as its successor altered.
    field(Some(prev));
    field(Some(&e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()));
    field(number(e.user_id).as_deref());
    field(Some(e.role));
    field(Some(e.channel));
    field(number(e.family_id).as_deref());
    field(number(e.episode_id).as_deref());
    field(number(e.referral_id).as_deref());
    field(Some(e.action));
    field(Some(e.outcome));
    field(e.address);
    field(number(e.emergency_access_id).as_deref());
    field(e.detail);
    let bytes = hasher.finalize();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Logged {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub role: String,
    pub channel: String,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub address: Option<String>,
    pub emergency_access_id: Option<i64>,
    pub detail: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

impl Logged {
    /// The entry as it was written (to the microsecond), to check its hash.
    pub fn entry(&self) -> Entry<'_> {
        Entry {
            at: to_micros(self.at),
            user_id: self.user_id,
            role: &self.role,
            channel: &self.channel,
            family_id: self.family_id,
            episode_id: self.episode_id,
            referral_id: self.referral_id,
            action: &self.action,
            outcome: &self.outcome,
            address: self.address.as_deref(),
            emergency_access_id: self.emergency_access_id,
            detail: self.detail.as_deref(),
        }
    }
}

const COLUMNS: &str = "id, at, user_id, role, channel, family_id, episode_id, referral_id, action, \
     outcome, address, emergency_access_id, detail, prev_hash, hash";

/// The last entry of the chain: its id and hash, to keep outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub id: i64,
    pub hash: String,
}

pub async fn head(tx: &mut Tx) -> Result<Option<Head>> {
    let row: Option<(i64, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(c)
            .await
    })?;
    Ok(row.map(|(id, hash)| Head {
        id,
        hash: hash.unwrap_or_default(),
    }))
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry is as it was written. `unsealed` entries from before the
    /// chain (no hash) come first and cannot be checked.
    Intact {
        entries: u64,
        unsealed: u64,
        head: Option<Head>,
    },
    /// The first place where the chain breaks.
    Broken { id: i64, fault: Fault },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The entry's fields no longer give its hash.
    Altered,
    /// Entries before this one are missing (after entry `after`).
    Removed { after: i64 },
    /// This entry was put in between: the next one links past it.
    Inserted,
    /// An entry without a hash after the chain began.
    Unsealed,
    /// The anchored head is not in the chain as it was exported.
    HeadMissing,
}

/// Walks the whole chain in id order, a page at a time (memory does not grow
/// with the log), calling `progress(done, total)` as it goes. With `anchor`, a
/// head exported earlier must still be in the chain with the same hash.
pub async fn verify(
    store: &crate::Store,
    anchor: Option<&Head>,
    progress: &(dyn Fn(u64, u64) + Send + Sync),
) -> Result<Verdict> {
    const PAGE: i64 = 5000;
    let mut tx = store.read_only().await?;
    let total: i64 = on_tx!(&mut tx, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM access_log")
            .fetch_one(c)
            .await
    })?;
    let total = u64::try_from(total).unwrap_or(0);
    let (mut done, mut unsealed) = (0u64, 0u64);
    // The last two entries seen: an entry linking to the one before last names its predecessor as inserted.
    let mut before_last: Option<(i64, String)> = None;
    let mut last: Option<(i64, String)> = None;
    let mut anchor_seen = anchor.is_none();
    let mut after = 0i64;
    loop {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM access_log WHERE id > $1 ORDER BY id LIMIT $2"
        ));
        let page: Vec<Logged> = on_tx!(&mut tx, |c| {
            sqlx::query_as(sql)
                .bind(after)
                .bind(PAGE)
                .fetch_all(c)
                .await
        })?;
        let Some(end) = page.last().map(|e| e.id) else {
            break;
        };
        for e in &page {
            done += 1;
            let Some(hash) = &e.hash else {
                if last.is_some() {
                    return Ok(Verdict::Broken {
                        id: e.id,
                        fault: Fault::Unsealed,
                    });
                }
                unsealed += 1;
                continue;
            };
            let prev = e.prev_hash.clone().unwrap_or_default();
            if digest(&prev, &e.entry()) != *hash {
                return Ok(Verdict::Broken {
                    id: e.id,
                    fault: Fault::Altered,
                });
            }
            let expected = last.as_ref().map_or("", |(_, h)| h.as_str());
            if prev != expected {
                let fault = match &before_last {
                    Some((_, h)) if *h == prev => {
                        let (inserted, _) = last.clone().unwrap_or_default();
                        return Ok(Verdict::Broken {
                            id: inserted,
                            fault: Fault::Inserted,
                        });
                    }
                    _ => Fault::Removed {
                        after: last.as_ref().map_or(0, |(id, _)| *id),
                    },
                };
                return Ok(Verdict::Broken { id: e.id, fault });
            }
            if let Some(a) = anchor
                && a.id == e.id
            {
                if a.hash != *hash {
                    return Ok(Verdict::Broken {
                        id: e.id,
                        fault: Fault::HeadMissing,
                    });
                }
                anchor_seen = true;
            }
            before_last = last.take();
            last = Some((e.id, hash.clone()));
        }
        progress(done, total);
        after = end;
    }
    let _ = tx.rollback().await;
    if !anchor_seen {
        return Ok(Verdict::Broken {
            id: anchor.map_or(0, |a| a.id),
            fault: Fault::HeadMissing,
        });
    }
    Ok(Verdict::Intact {
        entries: done,
        unsealed,
        head: last.map(|(id, hash)| Head { id, hash }),
    })
}

/// Entries, newest first, optionally of one family or one user.
pub async fn list(
    tx: &mut Tx,
    family_id: Option<i64>,
    user_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Logged>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Logged>(
        "SELECT id, at, user_id, role, channel, family_id, episode_id, referral_id, action, outcome, address, \
         emergency_access_id, detail, prev_hash, hash \
         FROM access_log WHERE ($1 IS NULL OR family_id = $1) AND ($2 IS NULL OR user_id = $2) \
         ORDER BY id DESC LIMIT $3"
    )
    .bind(family_id)
    .bind(user_id)
    .bind(limit)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

/// The instants a review's period covers: from `since` (inclusive) to `until`
/// (exclusive). The application turns the reviewer's days into these.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The families whose current episode is a team's (a family has at most one
/// open episode, always its newest): the ones the team's supervisor reviews,
/// as the file shows its emergency accesses to the current team only. `?` is
/// the team.
pub(crate) const TEAM_FAMILIES: &str = "SELECT e.family_id FROM episodes e WHERE e.team_id = ? \
     AND NOT EXISTS (SELECT 1 FROM episodes n WHERE n.family_id = e.family_id \
     AND (n.accepted_on > e.accepted_on OR (n.accepted_on = e.accepted_on AND n.id > e.id)))";

/// A value bound to a review query's placeholder.
enum Arg {
    Int(i64),
    Text(String),
    At(DateTime<Utc>),
}

/// The WHERE clause of a review (on `access_log l`) and its arguments.
fn review_where(scope: Scope, f: &ReviewFilter, w: Window) -> (String, Vec<Arg>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut push = |clause: &str, arg: Arg| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("${}", args.len())));
    };
    if let Scope::Team(team) = scope {
        push(&format!("l.family_id IN ({TEAM_FAMILIES})"), Arg::Int(team));
    }
    if let Some(since) = w.since {
        push("l.at >= ?", Arg::At(since));
    }
    if let Some(until) = w.until {
        push("l.at < ?", Arg::At(until));
    }
    if let Some(user) = f.user_id {
        push("l.user_id = ?", Arg::Int(user));
    }
    if let Some(family) = f.family_id {
        push("l.family_id = ?", Arg::Int(family));
    }
    if let Some(action) = &f.action {
        // The action is a prefix; `_` and `%` are wildcards to LIKE, so escaped.
        let pattern = action
            .replace('\\', "\\\\")
            .replace('_', "\\_")
            .replace('%', "\\%");
        push(
            "l.action LIKE ? ESCAPE '\\'",
            Arg::Text(format!("{pattern}%")),
        );
    }
    if let Some(outcome) = f.outcome {
        push("l.outcome = ?", Arg::Text(outcome.as_str().to_string()));
    }
    if let Some(before) = f.before {
        push("l.id < ?", Arg::Int(before));
    }
    if f.emergency_only {
        clauses.push("l.emergency_access_id IS NOT NULL".to_string());
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

/// Binds a review's arguments in order, on either database.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::At(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// One entry as a reviewer sees it: with the name of who acted and the
/// reason of the emergency access it was made under.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reviewed {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub role: String,
    pub channel: String,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub address: Option<String>,
    pub emergency_access_id: Option<i64>,
    pub emergency_reason: Option<String>,
    pub detail: Option<String>,
    pub hash: Option<String>,
}

const REVIEWED: &str = "SELECT l.id, l.at, l.user_id, u.name AS user_name, u.email AS user_email, \
     l.role, l.channel, l.family_id, l.episode_id, l.referral_id, l.action, l.outcome, l.address, \
     l.emergency_access_id, x.reason AS emergency_reason, l.detail, l.hash \
     FROM access_log l LEFT JOIN users u ON u.id = l.user_id \
     LEFT JOIN emergency_access x ON x.id = l.emergency_access_id";

/// The entries a review asks for, newest first, at most `limit`.
pub async fn review(
    tx: &mut Tx,
    scope: Scope,
    filter: &ReviewFilter,
    window: Window,
    limit: i64,
) -> Result<Vec<Reviewed>> {
    let (clause, mut args) = review_where(scope, filter, window);
    args.push(Arg::Int(limit));
    let sql = sqlx::AssertSqlSafe(format!(
        "{REVIEWED}{clause} ORDER BY l.id DESC LIMIT ${}",
        args.len()
    ));
    let rows = on_tx!(tx, |c| bind_all!(sqlx::query_as::<_, Reviewed>(sql), &args)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// The entries of a review grouped by family (what a user opened) or by user
/// (who opened a family): how many, the first and the last.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tally {
    /// The family or the user the row counts.
    pub key: i64,
    /// The user's name, when grouped by user.
    pub name: Option<String>,
    pub role: Option<String>,
    pub entries: i64,
    pub refused: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyBy {
    Family,
    User,
}

/// A review's entries counted per family or per user, most recent first.
pub async fn tally(
    tx: &mut Tx,
    scope: Scope,
    filter: &ReviewFilter,
    window: Window,
    by: TallyBy,
    limit: i64,
) -> Result<Vec<Tally>> {
    // The page's "older" cursor moves through entries, not through the tally.
    let filter = ReviewFilter {
        before: None,
        ..filter.clone()
    };
    let (clause, mut args) = review_where(scope, &filter, window);
    let (key, name, role, present) = match by {
        TallyBy::Family => ("l.family_id", "NULL", "NULL", "l.family_id IS NOT NULL"),
        TallyBy::User => (
            "l.user_id",
            "MAX(u.name)",
            "MAX(u.role)",
            "l.user_id IS NOT NULL",
        ),
    };
    let clause = if clause.is_empty() {
        format!(" WHERE {present}")
    } else {
        format!("{clause} AND {present}")
    };
    args.push(Arg::Int(limit));
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {key} AS key, {name} AS name, {role} AS role, COUNT(*) AS entries, \
         SUM(CASE WHEN l.outcome = 'allowed' THEN 0 ELSE 1 END) AS refused, \
         MIN(l.at) AS first_at, MAX(l.at) AS last_at \
         FROM access_log l LEFT JOIN users u ON u.id = l.user_id{clause} \
         GROUP BY {key} ORDER BY MAX(l.at) DESC, {key} LIMIT ${}",
        args.len()
    ));
    let rows = on_tx!(tx, |c| bind_all!(sqlx::query_as::<_, Tally>(sql), &args)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}
