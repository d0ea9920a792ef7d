//! Questionnaires over the API: the instruments, a family's measurements
//! and what is due, and entering a filled-in questionnaire.

use axum::Json;
use axum::extract::{Path, State};
use wrapcare_app::questionnaire::{
    LinkInput, LinkView, MeasurementInput, MeasurementView, NewLinkView, QuestionnairesView,
};
use wrapcare_core::questionnaire::Instrument;

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/questionnaires", instruments)
        .get("/api/v1/families/{id}/questionnaires", family)
        .post("/api/v1/families/{id}/questionnaires", record)
        .get("/api/v1/families/{id}/questionnaire-links", links)
        .post("/api/v1/families/{id}/questionnaire-links", make_link)
        .post(
            "/api/v1/families/{id}/questionnaire-links/{link}/withdraw",
            withdraw_link,
        )
}

#[utoipa::path(get, path = "/api/v1/questionnaires", tag = "questionnaires",
    responses((status = 200, description = "Every instrument: items, response scales, reversed items, subscales and their scoring, who answers, texts in Dutch and English", body = Vec<Instrument>),
        (status = 403, description = "Only coordinators, supervisors and analysts", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn instruments(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<Instrument>> {
    state
        .app
        .instruments(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/questionnaires", tag = "questionnaires", params(("id" = i64, Path)),
    responses((status = 200, description = "What the programme's schedule asks now, the measurements taken with their scores, and each subscale's first and latest score", body = QuestionnairesView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn family(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<QuestionnairesView> {
    state
        .app
        .questionnaires(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/questionnaires", tag = "questionnaires", params(("id" = i64, Path)), request_body = MeasurementInput,
    responses((status = 200, description = "Stored, with its scores", body = MeasurementView),
        (status = 403, description = "Only the family's own coordinator enters a questionnaire", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not due for this family now, or already filled in for this measurement", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown instrument or respondent, an answer outside its item's scale, or no answer at all", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MeasurementInput>,
) -> ApiResult<MeasurementView> {
    state
        .app
        .record_measurement(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/questionnaire-links", tag = "questionnaires", params(("id" = i64, Path)),
    responses((status = 200, description = "The family's one-time links, newest first, with whether each is open, used, expired or withdrawn; never their secret", body = Vec<LinkView>),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn links(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<LinkView>> {
    state
        .app
        .questionnaire_links(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/questionnaire-links", tag = "questionnaires", params(("id" = i64, Path)), request_body = LinkInput,
    responses((status = 200, description = "A link for a due measurement a parent, the youth or a network member answers without an account, at `/q/{token}`: usable once, for 14 days. Its secret is in this answer only.", body = NewLinkView),
        (status = 403, description = "Only the family's own coordinator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The measurement is not due", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown instrument, or a respondent who does not answer it through a link", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn make_link(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> ApiResult<NewLinkView> {
    state
        .app
        .create_link(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/questionnaire-links/{link}/withdraw", tag = "questionnaires",
    params(("id" = i64, Path), ("link" = i64, Path)),
    responses((status = 200, description = "The link no longer opens; it stays listed as withdrawn. The family's links, newest first.", body = Vec<LinkView>),
        (status = 403, description = "Only those who care for the file: its coordinator and supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link of this family", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was already used, withdrawn or expired", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn withdraw_link(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, link)): Path<(i64, i64)>,
) -> ApiResult<Vec<LinkView>> {
    state
        .app
        .withdraw_link(&user.actor, id, link)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
