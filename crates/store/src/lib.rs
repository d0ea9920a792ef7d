//! wrapcare's database: one schema, two dialects.
//!
//! Every query is written once with `$n` placeholders and runs on SQLite and on
//! PostgreSQL alike; [`on_tx!`] compiles the same statement for each driver. What
//! differs between the two (DDL, row locks, transaction start) stays in this file
//! and in the two migration folders.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Database, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub mod access_log;
pub mod appointment;
pub mod contact;
pub mod emergency_access;
pub mod episode;
pub mod family;
pub mod generation;
mod json;
pub mod meeting;
pub mod module;
pub mod organisation;
pub mod plan;
pub mod programme;
pub mod questionnaire;
pub mod referral;
pub mod report;
pub mod session;
pub mod signal;
pub mod team;
pub mod timeline;
pub mod user;
pub mod worker;

#[cfg(feature = "testing")]
pub mod testing;

/// Runs the same body against whichever driver the transaction belongs to.
/// Inside, `$c` is a `&mut` connection of that driver.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c: &mut ::sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c: &mut ::sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness, overlap or other constraint refused the change; the name says which.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Someone saved the row since it was read (its version moved on).
    #[error("the row was changed by someone else")]
    Stale,
    /// The database is busy (SQLite write lock, PostgreSQL serialisation): try again.
    #[error("the database is busy")]
    Busy,
    /// A stored value this version does not understand.
    #[error("unexpected stored value in {0}")]
    Corrupt(&'static str),
    #[error("database unreachable or misconfigured: {0}")]
    Connect(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Db(sqlx::Error),
}

impl StoreError {
    /// What went wrong, for the server's log: database messages can quote
    /// values, so only the kind and the database's error code are given.
    pub fn without_personal_data(&self) -> String {
        match self {
            StoreError::Db(e) => match e.as_database_error() {
                Some(db) => format!("database error code {}", db.code().unwrap_or_default()),
                None => "database error".to_string(),
            },
            StoreError::Corrupt(what) => format!("unexpected stored value in {what}"),
            StoreError::Migrate(_) => "migration error".to_string(),
            StoreError::Connect(_) => "database connection error".to_string(),
            other => other.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            sqlx::Error::Database(db) => {
                let code = db.code().unwrap_or_default();
                let message = db.message();
                if code == "23P01" || message.contains("assignment_overlap") {
                    StoreError::Conflict("assignment_overlap")
                } else if message.contains("plan_version_agreed") {
                    StoreError::Conflict("plan_version_agreed")
                } else if message.contains("plan_versions") && db.is_unique_violation() {
                    StoreError::Conflict("plan_version_exists")
                } else if message.contains("episodes_one_open")
                    || message.contains("episodes.family_id")
                {
                    StoreError::Conflict("open_episode")
                } else if db.is_unique_violation() {
                    StoreError::Conflict("unique")
                } else if db.is_foreign_key_violation() {
                    StoreError::Conflict("reference")
                } else if matches!(
                    code.as_ref(),
                    "5" | "6" | "261" | "517" | "40001" | "40P01" | "55P03"
                ) {
                    StoreError::Busy
                } else {
                    StoreError::Db(error)
                }
            }
            _ => StoreError::Db(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection pool to one wrapcare database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Write transactions this process has begun (all clones share it): while
    /// it stands still, a data generation read earlier still holds for this
    /// process's own requests. See [`Store::writes_begun`].
    writes_begun: Arc<AtomicU64>,
}

/// One transaction; every store function takes one so a use case and its
/// access-log entry commit or fail together.
pub enum Tx {
    Sqlite(Handle<Sqlite>),
    Postgres(Handle<Postgres>),
}

/// What a [`Tx`] runs its statements on: a transaction, or for a read that is
/// a single statement (its own snapshot) a bare connection, which spares the
/// `BEGIN` and `COMMIT` round trips that would cost more than the read.
pub enum Handle<DB: Database> {
    Transaction(Transaction<'static, DB>),
    Statement(PoolConnection<DB>),
}

impl<DB: Database> std::ops::Deref for Handle<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Handle::Transaction(t) => t,
            Handle::Statement(c) => c,
        }
    }
}

impl<DB: Database> std::ops::DerefMut for Handle<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Handle::Transaction(t) => t,
            Handle::Statement(c) => c,
        }
    }
}

impl<DB: Database> Handle<DB> {
    async fn commit(self) -> Result<()> {
        if let Handle::Transaction(t) = self {
            t.commit().await?;
        }
        Ok(())
    }

    async fn rollback(self) -> Result<()> {
        if let Handle::Transaction(t) = self {
            t.rollback().await?;
        }
        Ok(())
    }
}

impl Store {
    fn of(pool: Pool) -> Store {
        Store {
            pool,
            writes_begun: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many write transactions this process has begun. A request that
    /// read the data generation earlier (with its session) may rely on it only
    /// while this count has not moved: then not even the request itself has
    /// written since. Changes from outside the process are as if they came
    /// just after that earlier read.
    pub fn writes_begun(&self) -> u64 {
        self.writes_begun.load(Ordering::Acquire)
    }

    /// Opens `postgres://…` URLs on PostgreSQL and anything else (`sqlite://…`) on SQLite.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No JIT: its compile time (a fifth of a second for the signals'
            // query at 10,000 families) is more than any of our queries runs;
            // they are index lookups and small aggregates, not analytics.
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(e.to_string()))?
                .options([("jit", "off")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            Ok(Store::of(Pool::Postgres(pool)))
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Connect(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(options)
                .await
                .map_err(|e| StoreError::Connect(e.to_string()))?;
            Ok(Store::of(Pool::Sqlite(pool)))
        }
    }

    /// The SQLite file `wrapcare.db` in a data directory.
    pub async fn open_data_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Connect(e.to_string()))?;
        let file = dir.join("wrapcare.db");
        Store::connect(&format!("sqlite://{}", file.display())).await
    }

    pub fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so concurrent writers queue instead of failing late.
    pub async fn write(&self) -> Result<Tx> {
        // Counted before it begins, so a generation read after this cannot be
        // mistaken for one from before the change.
        self.writes_begun.fetch_add(1, Ordering::AcqRel);
        self.write_uncounted().await
    }

    /// A write transaction for the access log only, whose entries no kept
    /// read shows ([`crate::generation::UNCOUNTED`]): it leaves
    /// [`Store::writes_begun`] alone, so logging reads does not void them.
    pub async fn write_uncounted(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(Handle::Transaction(
                pool.begin_with("BEGIN IMMEDIATE").await?,
            )),
            Pool::Postgres(pool) => Tx::Postgres(Handle::Transaction(pool.begin().await?)),
        })
    }

    /// A transaction for reading (that may still write the access log).
    pub async fn read(&self) -> Result<Tx> {
        // SQLite upgrades a deferred transaction to a writer when the access log is
        // written, which can fail under load; reads that log take the lock up front too.
        self.write().await
    }

    /// A transaction that only reads: it never waits for SQLite's write lock.
    /// Writing in it is a mistake (SQLite would have to upgrade it late).
    pub async fn read_only(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(Handle::Transaction(
                pool.begin_with("BEGIN DEFERRED").await?,
            )),
            Pool::Postgres(pool) => Tx::Postgres(Handle::Transaction(
                pool.begin_with("BEGIN READ ONLY").await?,
            )),
        })
    }

    /// A connection for a read that is one statement: no transaction around it,
    /// since a single statement already sees one consistent state. Only for
    /// store functions documented as one statement; anything more wants
    /// [`Store::read_only`].
    pub async fn single_read(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(Handle::Statement(pool.acquire().await?)),
            Pool::Postgres(pool) => Tx::Postgres(Handle::Statement(pool.acquire().await?)),
        })
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
        };
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Refreshes the planner's statistics, after a bulk load (the demo) made
    /// them stale: otherwise the first hours run on plans for empty tables.
    /// Not inside a transaction (PostgreSQL's VACUUM cannot be).
    pub async fn analyze(&self) -> Result<()> {
        match &self.pool {
            // SQLite's own advice: analyse only what would profit.
            Pool::Sqlite(pool) => sqlx::query("PRAGMA optimize")
                .execute(pool)
                .await?
                .rows_affected(),
            // Vacuumed too: otherwise autovacuum takes up the freshly loaded
            // tables a minute later, in the middle of the first hours' work.
            Pool::Postgres(pool) => sqlx::query("VACUUM (ANALYZE)")
                .execute(pool)
                .await?
                .rows_affected(),
        };
        Ok(())
    }

    /// Whether the database holds no users yet (the demo loads only then).
    pub async fn is_empty(&self) -> Result<bool> {
        let mut tx = self.write().await?;
        let count = user::count(&mut tx).await?;
        tx.commit().await?;
        Ok(count == 0)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Sqlite(_) => Dialect::Sqlite,
            Tx::Postgres(_) => Dialect::Postgres,
        }
    }
}

/// Checks that an UPDATE guarded by `version = $n` touched its row.
pub(crate) fn expect_one(rows: u64) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Stale)
    }
}

/// Ids for an `IN (…)` list. They are our own integers, never user text, so
/// listing them inline is safe and keeps a list lookup to one query.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn parse_or_corrupt<T>(value: Option<T>, what: &'static str) -> Result<T> {
    value.ok_or(StoreError::Corrupt(what))
}
