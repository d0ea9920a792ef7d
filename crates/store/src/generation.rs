//! The data generation: a counter that every change to what a page shows
//! raises, in the change's own transaction (triggers of migration 0011, for
//! every table but the access log, sessions and API tokens). While it stands
//! still nothing a file shows has changed, whoever changed it: this server,
//! another one on the same PostgreSQL, or the command line. Caches of reads
//! are valid as long as it is.

use crate::{Result, Tx, on_tx};

/// The generation now. Read it *before* the rows it will vouch for: rows read
/// later are at least as new, so a cached copy is never older than its tag.
pub async fn current(tx: &mut Tx) -> Result<i64> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT n FROM data_generation WHERE id = 1")
            .fetch_one(c)
            .await
    })?;
    Ok(n)
}

/// Tables whose changes do not raise the generation: they change on every
/// request and no cached read shows them.
pub const UNCOUNTED: [&str; 4] = ["access_log", "sessions", "api_tokens", "data_generation"];
