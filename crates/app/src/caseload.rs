//! Caseloads against capacity, per coordinator.

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::caseload::{Capacity, Load};
use wrapcare_core::contact::week_of;
use wrapcare_core::role::Role;
use wrapcare_store::{Tx, contact, programme, team, worker};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoordinatorLoad {
    pub worker_id: i64,
    pub name: String,
    pub home_organisation: String,
    pub job: String,
    /// Hours per week of the running secondment.
    pub seconded_hours_per_week: f64,
    /// Open, assigned families.
    pub caseload: u32,
    /// Families this coordinator can carry under the programme's norm.
    pub capacity: f64,
    pub percent_used: u32,
    #[schema(value_type = String)]
    pub load: Load,
    pub has_room: bool,
    /// Hours logged this week (Monday up to today), across all families.
    pub hours_this_week: f64,
    /// Hours logged last week (Monday to Sunday).
    pub hours_last_week: f64,
    /// The caseload times the programme's weekly hours per family.
    pub expected_weekly_hours: f64,
}

impl App {
    /// The caseload of each coordinator of the supervisor's team (a coordinator
    /// sees their own line only).
    pub async fn caseloads(&self, actor: &Actor) -> Result<Vec<CoordinatorLoad>> {
        self.require(
            actor,
            &[Role::Supervisor, Role::Coordinator],
            "caseload.caseloads",
        )
        .await?;
        let mut tx = self.store.read_only().await?;
        let loads = match actor.role {
            Role::Coordinator => match actor.worker_id {
                Some(w) => self.loads(&mut tx, actor.team_id, Some(w)).await?,
                None => Vec::new(),
            },
            _ => self.loads(&mut tx, actor.team_id, None).await?,
        };
        tx.commit().await?;
        self.record(actor, Target::default(), "caseload.list", Outcome::Allowed)
            .await?;
        Ok(loads)
    }

    pub(crate) async fn loads(
        &self,
        tx: &mut Tx,
        team_id: Option<i64>,
        worker_id: Option<i64>,
    ) -> Result<Vec<CoordinatorLoad>> {
        let team_id = team_id.ok_or(AppError::Forbidden)?;
        let found = team::get(tx, team_id).await?.ok_or(AppError::Forbidden)?;
        let norms = programme::get(tx, found.programme_id)
            .await?
            .ok_or(AppError::NotFound)?
            .norms();
        let today = self.today();
        let rows = worker::loads(tx, Some(team_id), worker_id, today).await?;
        let monday = week_of(today);
        let this_week = contact::minutes_by_worker(tx, monday, today).await?;
        let last_week =
            contact::minutes_by_worker(tx, monday - Duration::weeks(1), monday - Duration::days(1))
                .await?;
        let hours_of = |list: &[(i64, i64)], w: i64| {
            list.iter().find(|(id, _)| *id == w).map_or(0, |(_, m)| *m) as f64 / 60.0
        };
        Ok(rows
            .into_iter()
            .filter(|r| r.job == "coordinator")
            .map(|r| {
                let minutes = u32::try_from(r.minutes_per_week.max(0)).unwrap_or(u32::MAX);
                let caseload = u32::try_from(r.caseload.max(0)).unwrap_or(u32::MAX);
                let capacity = Capacity::new(&norms, minutes);
                CoordinatorLoad {
                    worker_id: r.worker_id,
                    name: r.name,
                    home_organisation: r.home_organisation,
                    job: r.job,
                    seconded_hours_per_week: f64::from(minutes) / 60.0,
                    caseload,
                    capacity: (capacity.families() * 10.0).round() / 10.0,
                    percent_used: capacity.percent_used(caseload),
                    load: capacity.status(caseload),
                    has_room: capacity.has_room_for_one_more(caseload),
                    hours_this_week: hours_of(&this_week, r.worker_id),
                    hours_last_week: hours_of(&last_week, r.worker_id),
                    expected_weekly_hours: f64::from(caseload)
                        * f64::from(norms.weekly_minutes_per_family)
                        / 60.0,
                }
            })
            .collect())
    }
}
