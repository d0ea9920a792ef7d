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
