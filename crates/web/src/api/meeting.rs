//! The team's weekly meeting over the API.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;
use wrapcare_app::meeting::{
    ActionView, DiscussionInput, ItemInput, MeetingInput, MeetingView, MeetingsView,
    PutForwardView, QuestionInput,
};
use wrapcare_core::meeting::ActionInput;

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/meetings", list)
        .post("/api/v1/meetings", open)
        .get("/api/v1/meetings/{id}", show)
        .post("/api/v1/meetings/{id}/items", add_item)
        .post("/api/v1/meetings/{id}/items/{item}/discussion", discussion)
        .post("/api/v1/meetings/{id}/items/{item}/actions", decide)
        .post("/api/v1/actions/{id}/done", done)
        .post("/api/v1/families/{id}/intervision", put_forward)
}

#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    responses((status = 200, description = "The team's meetings, the agenda a meeting opened now would start with, open actions and the team's topics", body = MeetingsView),
        (status = 403, description = "Only the team's supervisor and coordinators", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, user: ApiUser) -> ApiResult<MeetingsView> {
    state
        .app
        .meetings(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingInput,
    responses((status = 200, description = "Opened with the proposed agenda", body = MeetingView),
        (status = 403, description = "Only the team's supervisor opens a meeting", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No date, one the team already meets on, a chair from outside the team", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn open(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<MeetingInput>,
) -> ApiResult<MeetingView> {
    let app = &state.app;
    let opened = async {
        let id = app.open_meeting(&user.actor, &input).await?;
        app.meeting(&user.actor, id).await
    };
    opened
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, description = "The agenda with the discussion, decisions, open actions from earlier meetings and colleagues to ask", body = MeetingView),
        (status = 404, description = "Not a meeting of the caller's team", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<MeetingView> {
    state
        .app
        .meeting(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/items", tag = "meetings", params(("id" = i64, Path)), request_body = ItemInput,
    responses((status = 200, description = "Added at the end of the agenda", body = MeetingView),
        (status = 422, description = "A family outside the team or already on the agenda, a topic without title or principle", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ItemInput>,
) -> ApiResult<MeetingView> {
    let app = &state.app;
    let added = async {
        app.add_agenda_item(&user.actor, id, &input).await?;
        app.meeting(&user.actor, id).await
    };
    added
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/discussion", tag = "meetings",
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = DiscussionInput,
    responses((status = 200, body = MeetingView),
        (status = 409, description = "Saved by someone else since it was read", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn discussion(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<DiscussionInput>,
) -> ApiResult<MeetingView> {
    let app = &state.app;
    let saved = async {
        app.record_discussion(&user.actor, id, item, &input).await?;
        app.meeting(&user.actor, id).await
    };
    saved
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/actions", tag = "meetings",
    params(("id" = i64, Path), ("item" = i64, Path)), request_body = ActionInput,
    responses((status = 200, description = "The decision is an action item; it returns on each agenda until done", body = MeetingView),
        (status = 422, description = "No owner, no due date, an owner outside the team, a due date before the meeting", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, item)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<ActionInput>,
) -> ApiResult<MeetingView> {
    let app = &state.app;
    let decided = async {
        app.decide(&user.actor, id, item, &input).await?;
        app.meeting(&user.actor, id).await
    };
    decided
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DoneInput {
    #[serde(default)]
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/actions/{id}/done", tag = "meetings", params(("id" = i64, Path)), request_body = DoneInput,
    responses((status = 200, description = "Done today", body = ActionView),
        (status = 404, description = "Not an action of the caller's team", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already done, or changed since it was read", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn done(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DoneInput>,
) -> ApiResult<ActionView> {
    state
        .app
        .complete_action(&user.actor, id, input.version)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/intervision", tag = "meetings", params(("id" = i64, Path)), request_body = QuestionInput,
    responses((status = 200, description = "On the proposed agenda of the team's next meeting", body = PutForwardView),
        (status = 422, description = "No question, an unknown life domain", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn put_forward(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<QuestionInput>,
) -> ApiResult<PutForwardView> {
    state
        .app
        .put_forward(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
