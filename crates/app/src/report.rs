//! Figures for analysts: aggregated, never a name.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use wrapcare_core::Invalid;
use wrapcare_core::referral::ReferralSource;
use wrapcare_core::report::waiting::{Started, StillWaiting, WaitingReport};
use wrapcare_core::report::{Audience, Filter, Grain, Key};
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

/// What a dashboard is asked for, as a form or a query string sends it;
/// blank is "every" (or the default period).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// First day (YYYY-MM-DD); two years before `until` when omitted.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); today when omitted.
    pub until: Option<String>,
    pub programme: Option<String>,
    pub team: Option<String>,
    /// `indication_body`, `cjg` or `other`.
    pub source: Option<String>,
    /// The coordinators' home organisation.
    pub organisation: Option<String>,
    /// `month`, `quarter`, `half_year`, `year` or `rolling_12`; omitted:
    /// the finest at which the figures can be shown.
    pub grain: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A choice among known ids, or a field error.
fn id_among(
    errors: &mut Invalid,
    field: &str,
    value: &Option<String>,
    known: &[i64],
) -> Option<i64> {
    let v = given(value)?;
    match v.parse::<i64>().ok().filter(|id| known.contains(id)) {
        Some(id) => Some(id),
        None => {
            errors.add(field, "error-choose-option");
            None
        }
    }
}

/// A name to choose by in a filter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardChoices {
    pub programmes: Vec<Choice>,
    pub teams: Vec<Choice>,
    pub organisations: Vec<Choice>,
}

/// The dashboard's waiting-time section for one reader and selection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitingDashboard {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub filter: Filter,
    pub audience: Audience,
    /// The norm to draw, in weeks: that of the programme in view, or of
    /// every programme when they share one.
    pub norm_weeks: Option<u32>,
    pub waiting: WaitingReport,
    pub choices: DashboardChoices,
}

impl App {
    /// Waiting time from indication to the start of help, as a trend at
    /// the grain asked for (or the finest that can be shown), a
    /// distribution, and today's waiting list. A coordinator sees their
    /// own families, a supervisor the team's, analysts and administrators
    /// every family with small numbers withheld.
    pub async fn waiting_dashboard(
        &self,
        actor: &Actor,
        query: &DashboardQuery,
    ) -> Result<WaitingDashboard> {
        let action = "report.dashboard";
        let Some(audience) = Audience::of(actor.role, actor.team_id, actor.worker_id) else {
            self.log_alone(actor, Target::default(), action, Outcome::Refused)
                .await?;
            return Err(AppError::Forbidden);
        };
        let mut tx = self.store.read_only().await?;
        let programmes = programme::list(&mut tx).await?;
        let teams = wrapcare_store::team::list(&mut tx).await?;
        let organisations = wrapcare_store::organisation::list(&mut tx).await?;

        let mut errors = Invalid::new();
        let mut date = |field: &str, v: &Option<String>| {
            let text = given(v)?;
            let parsed = wrapcare_core::dates::parse_date(text);
            if parsed.is_none() {
                errors.add(field, "error-date-format");
            }
            parsed
        };
        let until = date("until", &query.until).unwrap_or_else(|| self.today());
        let from = date("from", &query.from).unwrap_or_else(|| {
            until
                .checked_sub_months(chrono::Months::new(24))
                .map_or(until, |d| d + chrono::Duration::days(1))
        });
        if from > until {
            errors.add("from", "error-period");
        }
        let programme_ids: Vec<i64> = programmes.iter().map(|p| p.id).collect();
        let team_ids: Vec<i64> = teams.iter().map(|t| t.id).collect();
        let organisation_ids: Vec<i64> = organisations.iter().map(|o| o.id).collect();
        let filter = Filter {
            programme_id: id_among(&mut errors, "programme", &query.programme, &programme_ids),
            team_id: id_among(&mut errors, "team", &query.team, &team_ids),
            organisation_id: id_among(
                &mut errors,
                "organisation",
                &query.organisation,
                &organisation_ids,
            ),
            source: given(&query.source).and_then(|v| {
                let s = ReferralSource::parse(v);
                if s.is_none() {
                    errors.add("source", "error-choose-option");
                }
                s
            }),
        };
        let grain = given(&query.grain).and_then(|v| {
            let g = Grain::parse(v);
            if g.is_none() {
                errors.add("grain", "error-choose-option");
            }
            g
        });
        if !errors.is_empty() {
            return Err(errors.into());
        }

        let (team, worker) = match audience {
            Audience::Own { worker_id } => (None, Some(worker_id)),
            Audience::Team { team_id } => (Some(team_id), None),
            Audience::Aggregates => (None, None),
        };
        // Rolling periods reach back eleven months before `from`.
        let data_from = from
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(from);
        let started = report::started_counts(&mut tx, data_from, until, team, worker).await?;
        let waiting = report::waiting_counts(&mut tx, self.today(), team, worker).await?;
        tx.commit().await?;
        self.record(actor, Target::default(), action, Outcome::Allowed)
            .await?;

        let norm_days: BTreeMap<i64, i64> = programmes
            .iter()
            .map(|p| (p.id, p.norms().start_within_days()))
            .collect();
        let key = |programme_id, team_id, source: &str, organisation_id| {
            Some(Key {
                programme_id,
                team_id,
                source: ReferralSource::parse(source)?,
                organisation_id,
            })
        };
        let started: Vec<Started> = started
            .iter()
            .filter_map(|r| {
                Some(Started {
                    key: key(r.programme_id, r.team_id, &r.source, r.organisation_id)?,
                    started_on: r.started_on,
                    waiting_days: r.waiting_days,
                    within_norm: norm_days
                        .get(&r.programme_id)
                        .is_some_and(|&n| r.waiting_days <= n),
                    families: usize::try_from(r.families).unwrap_or(0),
                })
            })
            .collect();
        let still_waiting: Vec<StillWaiting> = waiting
            .iter()
            .filter_map(|r| {
                Some(StillWaiting {
                    key: key(r.programme_id, r.team_id, &r.source, r.organisation_id)?,
                    reference_date: r.reference_date,
                    families: usize::try_from(r.families).unwrap_or(0),
                })
            })
            .collect();
        let filter = audience.restrict(filter);
        let report = wrapcare_core::report::waiting::report(
            &started,
            &still_waiting,
            filter,
            audience,
            grain,
            from,
            until,
            self.today(),
        );
        // The team a supervisor is held to belongs to one programme.
        let in_view: Vec<&programme::Programme> = programmes
            .iter()
            .filter(|p| {
                filter.programme_id.is_none_or(|id| id == p.id)
                    && filter.team_id.is_none_or(|t| {
                        teams
                            .iter()
                            .any(|team| team.id == t && team.programme_id == p.id)
                    })
            })
            .collect();
        let norms: Vec<u32> = in_view
            .iter()
            .map(|p| p.norms().start_within_weeks)
            .collect();
        let norm_weeks = norms
            .first()
            .copied()
            .filter(|first| norms.iter().all(|n| n == first));
        let choices = DashboardChoices {
            programmes: programmes
                .iter()
                .map(|p| Choice {
                    id: p.id,
                    name: p.name.clone(),
                })
                .collect(),
            teams: teams
                .iter()
                .filter(|t| match audience {
                    Audience::Team { team_id } => t.id == team_id,
                    _ => true,
                })
                .map(|t| Choice {
                    id: t.id,
                    name: t.name.clone(),
                })
                .collect(),
            organisations: organisations
                .iter()
                .map(|o| Choice {
                    id: o.id,
                    name: o.name.clone(),
                })
                .collect(),
        };
        Ok(WaitingDashboard {
            from,
            until,
            filter,
            audience,
            norm_weeks,
            waiting: report,
            choices,
        })
    }
}
