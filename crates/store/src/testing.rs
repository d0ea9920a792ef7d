//! Throw-away databases for tests: a fresh SQLite file, or a fresh PostgreSQL
//! database created through the server in `WRAPCARE_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432`) and dropped afterwards. Tests never
//! touch a database they did not create.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use crate::Store;

/// Databases made by tests are named with this prefix, so a run can sweep up
/// what a crashed earlier run left.
pub const PREFIX: &str = "wrapcare_test_";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

pub fn postgres_base() -> String {
    std::env::var("WRAPCARE_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
        .trim_end_matches('/')
        .to_string()
}

/// Whether the PostgreSQL server for tests answers (benchmarks skip it when not).
pub async fn postgres_reachable() -> bool {
    match sqlx::PgConnection::connect(&format!("{}/postgres", postgres_base())).await {
        Ok(c) => {
            let _ = c.close().await;
            true
        }
        Err(_) => false,
    }
}

pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { name: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("wrapcare-test-{}", unique()));
        let store = Store::open_data_dir(&dir).await.expect("open test SQLite");
        store.migrate().await.expect("migrate test SQLite");
        TestDb {
            store,
            url: format!("sqlite://{}", dir.join("wrapcare.db").display()),
            cleanup: Cleanup::Dir(dir),
        }
    }

    pub async fn postgres() -> TestDb {
        let base = postgres_base();
        let name = format!("{PREFIX}{}", unique());
        let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("PostgreSQL for tests is not reachable (set WRAPCARE_TEST_PG)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let url = format!("{base}/{name}");
        let store = Store::connect(&url).await.expect("connect test database");
        store.migrate().await.expect("migrate test PostgreSQL");
        TestDb {
            store,
            url,
            cleanup: Cleanup::Postgres { name },
        }
    }

    pub async fn of(kind: &str) -> TestDb {
        match kind {
            "postgres" => TestDb::postgres().await,
            _ => TestDb::sqlite().await,
        }
    }

    /// Closes the pool and removes the database.
    pub async fn cleanup(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { name } => {
                if let Ok(mut admin) =
                    sqlx::PgConnection::connect(&format!("{}/postgres", postgres_base())).await
                {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}

/// Runs a test body against a fresh database of the given kind and removes the
/// database afterwards, also when the body panics.
pub async fn run<F, Fut>(kind: &str, body: F)
where
    F: FnOnce(Store) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let db = TestDb::of(kind).await;
    let store = db.store.clone();
    let outcome = tokio::spawn(body(store)).await;
    db.cleanup().await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("test task failed: {e}");
    }
}

/// Declares each listed async test (`async fn name(store: Store)`) twice: once
/// on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    $crate::testing::run("sqlite", super::$test).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    $crate::testing::run("postgres", super::$test).await;
                }
            }
        )*
    };
}

/// Tables a request may write to without changing anything of a file: the
/// access log itself and the bookkeeping of signing in.
const NOT_FINGERPRINTED: [&str; 4] = ["access_log", "sessions", "api_tokens", "_sqlx_migrations"];

/// A summary of every table that changes when a row is added, removed, or
/// updated through its version or by filling a column: per table the number
/// of rows, the sum of `version` and the number of non-empty values. Tests
/// compare it before and after requests that must change nothing.
pub async fn fingerprint(store: &Store) -> Vec<(String, i64, i64, i64)> {
    let mut tx = store.read_only().await.expect("read transaction");
    let tables: Vec<(String, String)> = match &mut tx {
        crate::Tx::Sqlite(t) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
        )
        .fetch_all(&mut **t)
        .await
        .expect("tables"),
        crate::Tx::Postgres(t) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
        )
        .fetch_all(&mut **t)
        .await
        .expect("tables"),
    };
    let mut columns: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (table, column) in tables {
        if !NOT_FINGERPRINTED.contains(&table.as_str()) {
            columns.entry(table).or_default().push(column);
        }
    }
    let mut out = Vec::new();
    for (table, cols) in columns {
        let version = if cols.iter().any(|c| c == "version") {
            "COALESCE(SUM(version), 0)"
        } else {
            "0"
        };
        let filled = cols
            .iter()
            .map(|c| format!("COUNT(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" + ");
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST({version} AS BIGINT), CAST({filled} AS BIGINT) \
             FROM \"{table}\""
        );
        let (rows, versions, values): (i64, i64, i64) = match &mut tx {
            crate::Tx::Sqlite(t) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut **t)
                .await
                .expect("count"),
            crate::Tx::Postgres(t) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut **t)
                .await
                .expect("count"),
        };
        out.push((table, rows, versions, values));
    }
    let _ = tx.rollback().await;
    out
}

/// The access log, newest first, of one family or all: what tests check that
/// an access left behind. (Reviewers read it through the application.)
pub async fn access_log(
    store: &Store,
    family_id: Option<i64>,
    limit: i64,
) -> Vec<crate::access_log::Logged> {
    let mut tx = store.read_only().await.expect("read transaction");
    let rows = crate::access_log::list(&mut tx, family_id, None, limit)
        .await
        .expect("access log");
    tx.rollback().await.expect("rollback");
    rows
}

/// Every family's id, in order.
pub async fn family_ids(tx: &mut crate::Tx) -> Vec<i64> {
    crate::on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM families ORDER BY id"
    )
    .fetch_all(c)
    .await)
    .expect("family ids")
}

/// Runs a statement as a test's own change to the data (an expired link, a
/// day gone by), outside any use case.
pub async fn execute(store: &Store, sql: &str) {
    // One statement on a connection of its own, committing by itself (and
    // so able to run what no transaction may, like VACUUM).
    let mut connection = store.single_read().await.expect("connection");
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    crate::on_tx!(&mut connection, |c| sqlx::query(sql)
        .execute(c)
        .await
        .map(|_| ()))
    .expect("statement");
    connection.commit().await.expect("done");
}
