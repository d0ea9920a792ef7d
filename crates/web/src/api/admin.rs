//! Administration over the API: users, organisations, programmes and norms,
//! teams, workers and secondments — what the admin pages do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use wrapcare_app::admin::{
    IssuedPassword, OrganisationView, ProgrammeInput, ProgrammeView, SecondmentInput, TeamView,
    UserInput, UserRef, UserView, WorkerInput, WorkerView,
};
use wrapcare_app::questionnaire::ScheduleSetting;
use wrapcare_core::role::Role;

use super::{ApiJson, ApiResult, fail};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/admin/users", list_users)
        .post("/api/v1/admin/users", create_user)
        .post("/api/v1/admin/users/{id}/role", set_role)
        .post("/api/v1/admin/users/{id}/deactivate", deactivate_user)
        .post("/api/v1/admin/users/{id}/activate", activate_user)
        .post("/api/v1/admin/users/{id}/reset-password", reset_password)
        .get("/api/v1/admin/organisations", list_organisations)
        .post("/api/v1/admin/organisations", create_organisation)
        .get("/api/v1/admin/programmes", list_programmes)
        .post("/api/v1/admin/programmes", create_programme)
        .post("/api/v1/admin/programmes/{id}", update_programme)
        .get(
            "/api/v1/admin/programmes/{id}/questionnaire-schedule",
            questionnaire_schedule,
        )
        .post(
            "/api/v1/admin/programmes/{id}/questionnaire-schedule",
            set_questionnaire_schedule,
        )
        .get("/api/v1/admin/teams", list_teams)
        .post("/api/v1/admin/teams", create_team)
        .get("/api/v1/admin/workers", list_workers)
        .post("/api/v1/admin/workers", create_worker)
        .post("/api/v1/admin/workers/{id}/secondment", change_secondment)
        .post("/api/v1/admin/workers/{id}/end", end_secondment)
}

/// A created record's id.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

fn created(id: i64) -> Response {
    (StatusCode::CREATED, Json(Created { id })).into_response()
}

fn done() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NameInput {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TeamInput {
    #[serde(default)]
    pub name: String,
    #[serde(
        default,
        deserialize_with = "wrapcare_core::validation::number_or_string"
    )]
    #[schema(value_type = i64)]
    pub programme_id: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RoleInput {
    #[serde(flatten)]
    pub user: UserInput,
    /// The user's version as read; a stale one is refused.
    pub version: i64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ProgrammeUpdate {
    #[serde(flatten)]
    pub programme: ProgrammeInput,
    pub version: i64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct EndInput {
    #[serde(default)]
    pub ends_on: String,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = [UserView]), (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_users(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<UserView>> {
    state
        .app
        .users(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = UserInput,
    responses((status = 201, description = "Created; the password is shown only here", body = IssuedPassword),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<UserInput>,
) -> Response {
    match state.app.create_user(&user.actor, &input).await {
        Ok(issued) => (StatusCode::CREATED, Json(issued)).into_response(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/role", tag = "admin", params(("id" = i64, Path)), request_body = RoleInput,
    responses((status = 204, description = "Changed; the user's sessions end"), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_role(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Response {
    match state
        .app
        .set_user_role(&user.actor, id, &input.user, input.version)
        .await
    {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/deactivate", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204, description = "Deactivated; sessions and tokens end")), security(("bearer" = [])))]
pub async fn deactivate_user(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Response {
    match state
        .app
        .deactivate_user(Some(&user.actor), UserRef::Id(id))
        .await
    {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/activate", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204)), security(("bearer" = [])))]
pub async fn activate_user(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> Response {
    match state.app.activate_user(&user.actor, id).await {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/reset-password", tag = "admin", params(("id" = i64, Path)),
    responses((status = 200, description = "The new password, shown only here", body = IssuedPassword)), security(("bearer" = [])))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<IssuedPassword> {
    state
        .app
        .reset_password(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/admin/organisations", tag = "admin",
    responses((status = 200, body = [OrganisationView])), security(("bearer" = [])))]
pub async fn list_organisations(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<OrganisationView>> {
    state
        .app
        .organisations(&user.actor)
        .await
        .map(|list| Json(list.into_iter().map(OrganisationView::from).collect()))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/admin/organisations", tag = "admin", request_body = NameInput,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_organisation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<NameInput>,
) -> Response {
    match state
        .app
        .create_organisation(&user.actor, &input.name)
        .await
    {
        Ok(id) => created(id),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/programmes", tag = "admin",
    responses((status = 200, body = [ProgrammeView])), security(("bearer" = [])))]
pub async fn list_programmes(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<ProgrammeView>> {
    if let Err(e) = state
        .app
        .require(&user.actor, &[Role::Admin], "admin.programmes")
        .await
    {
        return Err(fail(&state, user.lang, e));
    }
    state
        .app
        .programmes()
        .await
        .map(|list| Json(list.into_iter().map(ProgrammeView::from).collect()))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/admin/programmes", tag = "admin", request_body = ProgrammeInput,
    responses((status = 201, body = Created), (status = 422, description = "Refused, e.g. norms that do not fit together", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_programme(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<ProgrammeInput>,
) -> Response {
    match state.app.create_programme(&user.actor, &input).await {
        Ok(id) => created(id),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/programmes/{id}", tag = "admin", params(("id" = i64, Path)), request_body = ProgrammeUpdate,
    responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn update_programme(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProgrammeUpdate>,
) -> Response {
    match state
        .app
        .update_programme(&user.actor, id, &input.programme, input.version)
        .await
    {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/programmes/{id}/questionnaire-schedule", tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 200, body = ScheduleSetting), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn questionnaire_schedule(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ScheduleSetting> {
    state
        .app
        .questionnaire_schedule(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

/// A programme's questionnaire setting to store; every field is required
/// (missing ones are named in the 422).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ScheduleInput {
    /// The programme's version as read.
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub grace_days: Option<u32>,
    #[serde(default)]
    pub schedule: Option<Vec<wrapcare_core::questionnaire::Planned>>,
}

/// Replaces the programme's schedule whole; `version` is the one read.
#[utoipa::path(post, path = "/api/v1/admin/programmes/{id}/questionnaire-schedule", tag = "admin",
    params(("id" = i64, Path)), request_body = ScheduleInput,
    responses((status = 204),
        (status = 409, description = "The programme changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused, e.g. an unknown instrument or a respondent it is not meant for; fields are `schedule[i].instrument`, `.respondent`, `.weeks` and `grace_days`", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn set_questionnaire_schedule(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Response {
    // Who may comes before what is missing, so a refusal says no more.
    if let Err(e) = state
        .app
        .require(
            &user.actor,
            &[Role::Admin],
            "admin.set_questionnaire_schedule",
        )
        .await
    {
        return fail(&state, user.lang, e);
    }
    let given = [
        ("version", input.version.is_some()),
        ("grace_days", input.grace_days.is_some()),
        ("schedule", input.schedule.is_some()),
    ];
    let (Some(version), Some(grace_days), Some(schedule)) =
        (input.version, input.grace_days, input.schedule)
    else {
        let mut missing = wrapcare_core::Invalid::new();
        for (name, present) in given {
            if !present {
                missing.add(name, "error-required");
            }
        }
        return fail(&state, user.lang, wrapcare_app::AppError::Invalid(missing));
    };
    let setting = ScheduleSetting {
        version,
        grace_days,
        schedule,
    };
    match state
        .app
        .set_questionnaire_schedule(&user.actor, id, &setting)
        .await
    {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/teams", tag = "admin",
    responses((status = 200, body = [TeamView])), security(("bearer" = [])))]
pub async fn list_teams(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<TeamView>> {
    if let Err(e) = state
        .app
        .require(&user.actor, &[Role::Admin], "admin.teams")
        .await
    {
        return Err(fail(&state, user.lang, e));
    }
    state
        .app
        .teams()
        .await
        .map(|list| Json(list.into_iter().map(TeamView::from).collect()))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/admin/teams", tag = "admin", request_body = TeamInput,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_team(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<TeamInput>,
) -> Response {
    match state
        .app
        .create_team(&user.actor, &input.name, &input.programme_id)
        .await
    {
        Ok(id) => created(id),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/admin/workers", tag = "admin",
    responses((status = 200, body = [WorkerView])), security(("bearer" = [])))]
pub async fn list_workers(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<WorkerView>> {
    state
        .app
        .workers(&user.actor, None)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/admin/workers", tag = "admin", request_body = WorkerInput,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_worker(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<WorkerInput>,
) -> Response {
    match state.app.create_worker(&user.actor, &input).await {
        Ok(id) => created(id),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/workers/{id}/secondment", tag = "admin", params(("id" = i64, Path)), request_body = SecondmentInput,
    responses((status = 204, description = "The running secondment ends and a new one starts")), security(("bearer" = [])))]
pub async fn change_secondment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SecondmentInput>,
) -> Response {
    match state.app.change_secondment(&user.actor, id, &input).await {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/workers/{id}/end", tag = "admin", params(("id" = i64, Path)), request_body = EndInput,
    responses((status = 204)), security(("bearer" = [])))]
pub async fn end_secondment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EndInput>,
) -> Response {
    match state
        .app
        .end_secondment(&user.actor, id, &input.ends_on)
        .await
    {
        Ok(()) => done(),
        Err(e) => fail(&state, user.lang, e),
    }
}
