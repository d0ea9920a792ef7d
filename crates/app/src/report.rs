//! Figures for analysts: aggregated, never a name.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::role::Role;
use wrapcare_core::waiting::WaitingStats;
use wrapcare_store::{programme, report};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingFigures {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub programmes: Vec<ProgrammeWaiting>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgrammeWaiting {
    pub programme_id: i64,
    pub programme_name: String,
    pub start_within_weeks: u32,
    /// The whole period.
    #[schema(value_type = Object)]
    pub total: WaitingStats,
    pub months: Vec<MonthWaiting>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthWaiting {
    /// YYYY-MM of the start of help.
    pub month: String,
    #[schema(value_type = Object)]
    pub stats: WaitingStats,
}

impl App {
    /// Waiting time (start of help − indication or registration) per programme
    /// and month of the start of help. Groups under five are shown as "<5".
    pub async fn waiting_figures(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Result<WaitingFigures> {
        self.require(
            actor,
            &[Role::Analyst, Role::Supervisor, Role::Admin],
            "report.waiting_figures",
        )
        .await?;
        let until = until.unwrap_or_else(|| self.today());
        let from = from.unwrap_or_else(|| until - chrono::Duration::days(548));
        if from > until {
            return Err(AppError::invalid("from", "error-period"));
        }
        let mut tx = self.store.read_only().await?;
        let programmes = programme::list(&mut tx).await?;
        let rows = report::started_episodes(&mut tx, from, until).await?;
        tx.commit().await?;
        self.record(actor, Target::default(), "report.waiting", Outcome::Allowed)
            .await?;
        let mut result = Vec::new();
        for p in programmes {
            let norm_days = p.norms().start_within_days();
            let mine: Vec<&report::StartedEpisode> =
                rows.iter().filter(|r| r.programme_id == p.id).collect();
            let mut by_month: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for r in &mine {
                by_month
                    .entry(format!(
                        "{:04}-{:02}",
                        r.started_on.year(),
                        r.started_on.month()
                    ))
                    .or_default()
                    .push(r.waiting_days);
            }
            let all: Vec<i64> = mine.iter().map(|r| r.waiting_days).collect();
            result.push(ProgrammeWaiting {
                programme_id: p.id,
                programme_name: p.name.clone(),
                start_within_weeks: p.norms().start_within_weeks,
                total: WaitingStats::of(&all, norm_days),
                months: by_month
                    .into_iter()
                    .map(|(month, days)| MonthWaiting {
                        month,
                        stats: WaitingStats::of(&days, norm_days),
                    })
                    .collect(),
            });
        }
        Ok(WaitingFigures {
            from,
            until,
            programmes: result,
        })
    }
}
