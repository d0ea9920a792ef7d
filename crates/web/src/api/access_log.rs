//! The access-log review over the API, for privacy officers and supervisors.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use wrapcare_app::access_log::{AccessReview, EmergencyReview};
use wrapcare_core::access_log::ReviewInput;

use super::{ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/access-log", review)
        .get("/api/v1/access-log/export", export)
        .get("/api/v1/access-log/emergency-accesses", emergency_accesses)
}

#[utoipa::path(get, path = "/api/v1/access-log", tag = "access-log", params(ReviewInput),
    responses((status = 200, description = "At most 100 entries, newest first; `older` is the `before` of the next page. With `user`, the families they opened; with `family`, who opened it.", body = AccessReview),
        (status = 403, description = "Only privacy officers and supervisors (their team's families) review the log", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date that is none, a reversed period, an id that is no number…", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    user: ApiUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<AccessReview> {
    state
        .app
        .review_access_log(&user.actor, &ReviewInput::from_pairs(&pairs))
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/access-log/emergency-accesses", tag = "access-log", params(ReviewInput),
    responses((status = 200, description = "Emergency accesses granted in the period, newest first, with their reasons and the number of entries made under each", body = EmergencyReview),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn emergency_accesses(
    State(state): State<AppState>,
    user: ApiUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<EmergencyReview> {
    state
        .app
        .review_emergency_accesses(&user.actor, &ReviewInput::from_pairs(&pairs))
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/access-log/export", tag = "access-log", params(ReviewInput),
    responses((status = 200, description = "Every entry the filters select, newest first, as CSV (columns: id, at, user_id, user_name, user_email, role, channel, family_id, episode_id, referral_id, action, outcome, address, emergency_access_id, emergency_reason, detail, hash)", content_type = "text/csv"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    user: ApiUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let export = state
        .app
        .export_access_log(&user.actor, &ReviewInput::from_pairs(&pairs))
        .await
        .map_err(|e| fail(&state, user.lang, e))?;
    Ok(crate::pages::access_log::csv_response(
        export,
        &state.app.today().to_string(),
    ))
}
