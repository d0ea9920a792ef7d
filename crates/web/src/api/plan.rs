//! The family plan over the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_app::plan::{AgreeInput, PlanInput, PlanView, ScoreInput, VersionView};
use wrapcare_core::plan::PlanDiff;

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/families/{id}/plan", read)
        .post("/api/v1/families/{id}/plan", save)
        .post("/api/v1/families/{id}/plan/agree", agree)
        .post("/api/v1/families/{id}/plan/new-draft", new_draft)
        .post("/api/v1/families/{id}/plan/scores", score)
        .get("/api/v1/families/{id}/plan/versions/{number}", version)
        .get("/api/v1/families/{id}/plan/pdf", pdf)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EpisodeQuery {
    /// An earlier episode of the family; the current one when omitted.
    episode: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/families/{id}/plan", tag = "plan", params(("id" = i64, Path), EpisodeQuery),
    responses((status = 200, description = "The plan of the family's current episode, with versions, scores and T-score", body = PlanView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    Query(q): Query<EpisodeQuery>,
) -> ApiResult<PlanView> {
    state
        .app
        .plan_of_episode(&user.actor, id, q.episode)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/plan", tag = "plan", params(("id" = i64, Path)), request_body = PlanInput,
    responses((status = 200, description = "The draft was saved", body = PlanView),
        (status = 409, description = "Saved by someone else since it was read, or the latest version is agreed", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn save(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<PlanView> {
    state
        .app
        .save_plan(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/plan/agree", tag = "plan", params(("id" = i64, Path)), request_body = AgreeInput,
    responses((status = 200, body = PlanView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn agree(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AgreeInput>,
) -> ApiResult<PlanView> {
    state
        .app
        .agree_plan(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/plan/new-draft", tag = "plan", params(("id" = i64, Path)),
    responses((status = 200, description = "A new draft, copied from the agreed version", body = PlanView),
        (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn new_draft(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<PlanView> {
    state
        .app
        .new_plan_draft(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/plan/scores", tag = "plan", params(("id" = i64, Path)), request_body = ScoreInput,
    responses((status = 200, body = PlanView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn score(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScoreInput>,
) -> ApiResult<PlanView> {
    state
        .app
        .score_goal(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CompareQuery {
    /// Another version number to compare with.
    compare: Option<u32>,
    /// An earlier episode of the family; the current one when omitted.
    episode: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionWithDiff {
    pub version: VersionView,
    /// What changed from the compared version to this one.
    pub diff: Option<PlanDiff>,
}

#[utoipa::path(get, path = "/api/v1/families/{id}/plan/versions/{number}", tag = "plan",
    params(("id" = i64, Path), ("number" = u32, Path), CompareQuery),
    responses((status = 200, body = VersionWithDiff), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn version(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, number)): Path<(i64, u32)>,
    Query(q): Query<CompareQuery>,
) -> ApiResult<VersionWithDiff> {
    state
        .app
        .plan_version(&user.actor, id, q.episode, number, q.compare)
        .await
        .map(|(version, diff)| Json(VersionWithDiff { version, diff }))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/plan/pdf", tag = "plan", params(("id" = i64, Path)),
    responses((status = 200, description = "The current plan version as an A4 PDF (Dutch, or English with Accept-Language: en)", content_type = "application/pdf"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn pdf(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let result = async {
        let plan = state.app.plan(&user.actor, id).await?;
        let family = state.app.family(&user.actor, id).await?;
        let ctx = crate::pages::Ctx::anonymous(&state, user.lang, "");
        let coordinator = family
            .episode
            .as_ref()
            .and_then(|e| e.coordinator.as_ref())
            .map(|c| c.name.clone());
        let document = crate::pages::plan::plan_document(
            &ctx,
            &plan,
            &family.surname,
            coordinator.as_deref(),
            state.app.today(),
        )
        .ok_or(wrapcare_app::AppError::NotFound)?;
        let bytes = crate::pages::plan::render_pdf(document).await?;
        Ok::<_, wrapcare_app::AppError>(crate::pages::plan::pdf_response(bytes, &family.surname))
    }
    .await;
    match result {
        Ok(response) => response,
        Err(e) => fail(&state, user.lang, e).into_response(),
    }
}
