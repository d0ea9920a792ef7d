//! Contacts and hours over the API.

use axum::Json;
use axum::extract::{Path, State};
use wrapcare_app::contact::{ContactInput, ContactsView, CorrectInput, RemoveInput};

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/families/{id}/contacts", list)
        .post("/api/v1/families/{id}/contacts", log)
        .post("/api/v1/families/{id}/contacts/{contact}/correct", correct)
        .post("/api/v1/families/{id}/contacts/{contact}/remove", remove)
}

#[utoipa::path(get, path = "/api/v1/families/{id}/contacts", tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, description = "Every entry (corrections and removals included) and hours against the norms", body = ContactsView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ContactsView> {
    state
        .app
        .contacts(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/contacts", tag = "contacts", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 200, body = ContactsView),
        (status = 422, description = "Zero or negative minutes, more than 24 hours on a day, a date in the future…", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn log(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<ContactsView> {
    state
        .app
        .log_contact(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/contacts/{contact}/correct", tag = "contacts",
    params(("id" = i64, Path), ("contact" = i64, Path)), request_body = CorrectInput,
    responses((status = 200, description = "The old entry stays, marked corrected with the reason", body = ContactsView),
        (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn correct(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, contact)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<CorrectInput>,
) -> ApiResult<ContactsView> {
    state
        .app
        .correct_contact(&user.actor, id, contact, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/contacts/{contact}/remove", tag = "contacts",
    params(("id" = i64, Path), ("contact" = i64, Path)), request_body = RemoveInput,
    responses((status = 200, description = "The entry stays, marked removed with the reason", body = ContactsView),
        (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, contact)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<RemoveInput>,
) -> ApiResult<ContactsView> {
    state
        .app
        .remove_contact(&user.actor, id, contact, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
