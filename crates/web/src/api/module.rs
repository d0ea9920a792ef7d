//! Service modules, a family's module referrals, its timeline and costs over the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use wrapcare_app::AppError;
use wrapcare_app::cost::{CostsView, PeriodQuery};
use wrapcare_app::module::{
    DeliveryInput, ModuleInput, ModuleReferralInput, ModuleReferralsView, ModuleStepInput,
    ModuleUpdate, ModuleView, OccupancyView, TariffInput,
};
use wrapcare_app::timeline::TimelineView;
use wrapcare_core::dates::parse_date;

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/modules", list_modules)
        .post("/api/v1/modules", create_module)
        .get("/api/v1/modules/{id}", occupancy)
        .post("/api/v1/modules/{id}", update_module)
        .post("/api/v1/modules/{id}/tariffs", add_tariff)
        .get("/api/v1/families/{id}/modules", family_modules)
        .post("/api/v1/families/{id}/modules", request_module)
        .post(
            "/api/v1/families/{id}/modules/{referral}/start",
            start_module,
        )
        .post("/api/v1/families/{id}/modules/{referral}/end", end_module)
        .post(
            "/api/v1/families/{id}/modules/{referral}/deliveries",
            record_delivery,
        )
        .get("/api/v1/families/{id}/timeline", timeline)
        .get("/api/v1/families/{id}/costs", family_costs)
        .get("/api/v1/programmes/{id}/costs", programme_costs)
}

#[utoipa::path(get, path = "/api/v1/modules", tag = "modules",
    responses((status = 200, description = "The catalogue with today's tariff and places in use", body = Vec<ModuleView>),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_modules(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<ModuleView>> {
    state
        .app
        .modules(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OccupancyQuery {
    /// YYYY-MM-DD, 27 days before `to` by default.
    from: Option<String>,
    /// YYYY-MM-DD, today by default.
    to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/modules/{id}", tag = "modules", params(("id" = i64, Path), OccupancyQuery),
    responses((status = 200, description = "The module with its tariffs and places in use per day", body = OccupancyView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date that is not YYYY-MM-DD, or a period longer than a year", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn occupancy(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<OccupancyQuery>,
) -> ApiResult<OccupancyView> {
    let date = |field: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_date(text)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, "error-date-format")),
    };
    let result = match (date("from", &q.from), date("to", &q.to)) {
        (Ok(from), Ok(to)) => state.app.module_occupancy(&user.actor, id, from, to).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    result.map(Json).map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/modules", tag = "modules", request_body = ModuleInput,
    responses((status = 200, body = Created),
        (status = 422, description = "An unknown provider, places for a type without them…", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_module(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<ModuleInput>,
) -> ApiResult<Created> {
    state
        .app
        .create_module(&user.actor, &input)
        .await
        .map(|id| Json(Created { id }))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/modules/{id}", tag = "modules", params(("id" = i64, Path)), request_body = ModuleUpdate,
    responses((status = 200, body = Created),
        (status = 409, description = "Changed by someone else since it was read", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_module(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ModuleUpdate>,
) -> ApiResult<Created> {
    state
        .app
        .update_module(&user.actor, id, &input.module, input.version)
        .await
        .map(|()| Json(Created { id }))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/modules/{id}/tariffs", tag = "modules", params(("id" = i64, Path)), request_body = TariffInput,
    responses((status = 200, description = "The module with its tariffs", body = OccupancyView),
        (status = 422, description = "Not a whole number of cents, or a date that already has a tariff", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_tariff(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TariffInput>,
) -> ApiResult<OccupancyView> {
    let result = match state.app.add_tariff(&user.actor, id, &input).await {
        Ok(()) => {
            state
                .app
                .module_occupancy(&user.actor, id, None, None)
                .await
        }
        Err(e) => Err(e),
    };
    result.map(Json).map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/modules", tag = "modules", params(("id" = i64, Path)),
    responses((status = 200, description = "Module referrals of the current episode with units and costs", body = ModuleReferralsView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn family_modules(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ModuleReferralsView> {
    state
        .app
        .module_referrals(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/modules", tag = "modules", params(("id" = i64, Path)), request_body = ModuleReferralInput,
    responses((status = 200, body = ModuleReferralsView),
        (status = 422, description = "An unknown module, no child, a goal not in the plan…", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn request_module(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ModuleReferralInput>,
) -> ApiResult<ModuleReferralsView> {
    state
        .app
        .request_module(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/modules/{referral}/start", tag = "modules",
    params(("id" = i64, Path), ("referral" = i64, Path)), request_body = ModuleStepInput,
    responses((status = 200, body = ModuleReferralsView),
        (status = 422, description = "A start before the request, or a child already staying elsewhere", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn start_module(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, referral)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ModuleStepInput>,
) -> ApiResult<ModuleReferralsView> {
    state
        .app
        .start_module(&user.actor, id, referral, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/modules/{referral}/end", tag = "modules",
    params(("id" = i64, Path), ("referral" = i64, Path)), request_body = ModuleStepInput,
    responses((status = 200, body = ModuleReferralsView),
        (status = 422, description = "An end before the start, or a reason that does not fit the step", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn end_module(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, referral)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ModuleStepInput>,
) -> ApiResult<ModuleReferralsView> {
    state
        .app
        .end_module(&user.actor, id, referral, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/modules/{referral}/deliveries", tag = "modules",
    params(("id" = i64, Path), ("referral" = i64, Path)), request_body = DeliveryInput,
    responses((status = 200, description = "A later report of the same day replaces the earlier one", body = ModuleReferralsView),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn record_delivery(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, referral)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> ApiResult<ModuleReferralsView> {
    state
        .app
        .record_delivery(&user.actor, id, referral, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/timeline", tag = "families", params(("id" = i64, Path)),
    responses((status = 200, description = "Everything around the family in date order", body = TimelineView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<TimelineView> {
    state
        .app
        .timeline(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/costs", tag = "costs", params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "Coordinator hours and module units at the tariff of each day", body = CostsView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn family_costs(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<CostsView> {
    state
        .app
        .family_costs(&user.actor, id, &q)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/programmes/{id}/costs", tag = "costs", params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "Totals of the programme, without names", body = CostsView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn programme_costs(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<CostsView> {
    state
        .app
        .programme_costs(&user.actor, id, &q)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
