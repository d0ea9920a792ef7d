//! Raw figures for reports; the statistics are computed in the domain.

use chrono::NaiveDate;

use crate::{Result, Tx, on_tx};

/// One started episode: when help started and how long the family waited.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StartedEpisode {
    pub programme_id: i64,
    pub started_on: NaiveDate,
    pub waiting_days: i64,
}

pub async fn started_episodes(
    tx: &mut Tx,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<StartedEpisode>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, StartedEpisode>(
        "SELECT programme_id, started_on, waiting_days FROM episodes \
         WHERE started_on IS NOT NULL AND waiting_days IS NOT NULL AND started_on >= $1 AND started_on <= $2 \
         ORDER BY programme_id, started_on"
    )
    .bind(from)
    .bind(until)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}
