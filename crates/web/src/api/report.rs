//! The dashboard's figures over the API: counts and statistics, never a
//! family; small numbers withheld from analysts and the municipality.

use axum::Json;
use axum::extract::{Query, State};
use wrapcare_app::report::{DashboardQuery, WaitingDashboard};

use super::{ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/reports/waiting", waiting)
}

#[utoipa::path(get, path = "/api/v1/reports/waiting", tag = "figures", params(DashboardQuery),
    responses((status = 200, description = "Waiting time from indication to the start of help for the selection: per period at the grain asked for or the finest that can be shown (and which was chosen), in total, as a distribution by weeks, and today's waiting list. A coordinator gets their own families, a supervisor the team's; analysts and administrators every family with counts under 5 shown as fewer than five and figures that would give one away withheld.", body = WaitingDashboard),
        (status = 403, description = "Intake and the privacy officer have no figures", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date, period, programme, team, source, organisation or grain that is not one", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn waiting(
    State(state): State<AppState>,
    user: ApiUser,
    Query(query): Query<DashboardQuery>,
) -> ApiResult<WaitingDashboard> {
    state
        .app
        .waiting_dashboard(&user.actor, &query)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
