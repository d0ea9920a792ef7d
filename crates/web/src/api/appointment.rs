//! Appointments and the coordinator's day over the API.

use axum::Json;
use axum::extract::{Path, State};
use wrapcare_app::appointment::{
    AppointmentView, ConfirmInput, DayView, FamilyAppointmentsView, NotHappenedInput,
};
use wrapcare_core::appointment::AppointmentInput;

use axum::response::Response;

use super::{ApiJson, ApiResult, fail, kept_json};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/day", day)
        .get("/api/v1/families/{id}/appointments", list)
        .post("/api/v1/families/{id}/appointments", plan)
        .post("/api/v1/appointments/{id}/confirm", confirm)
        .post("/api/v1/appointments/{id}/not-happened", not_happened)
}

#[utoipa::path(get, path = "/api/v1/day", tag = "appointments",
    responses((status = 200, description = "The coordinator's day: today's and this week's appointments, those still to settle, the signals of their families and their hours this week against caseload × the weekly norm", body = DayView),
        (status = 403, description = "Only coordinators with a worker record", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn day(State(state): State<AppState>, user: ApiUser) -> Result<Response, Response> {
    let view = state
        .app
        .day(&user.actor)
        .await
        .map_err(|e| fail(&state, user.lang, e))?;
    // Whether an appointment is over is decided to the minute.
    let variant = format!("json|{}", view.as_of.format("%Y-%m-%dT%H:%M"));
    Ok(kept_json(&view.renditions, &variant, &view))
}

#[utoipa::path(get, path = "/api/v1/families/{id}/appointments", tag = "appointments", params(("id" = i64, Path)),
    responses((status = 200, description = "The family's appointments, latest first", body = FamilyAppointmentsView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<FamilyAppointmentsView> {
    state
        .app
        .family_appointments(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/appointments", tag = "appointments", params(("id" = i64, Path)), request_body = AppointmentInput,
    responses((status = 200, description = "Planned", body = AppointmentView),
        (status = 422, description = "A day in the past, an end before the start, or an overlap with another appointment of the coordinator not confirmed with `confirm_overlap`", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn plan(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AppointmentInput>,
) -> ApiResult<AppointmentView> {
    state
        .app
        .plan_appointment(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/confirm", tag = "appointments", params(("id" = i64, Path)), request_body = ConfirmInput,
    responses((status = 200, description = "Confirmed: the contact is logged with it", body = AppointmentView),
        (status = 409, description = "Not over yet, already settled, or another coordinator's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The contact is refused, e.g. more than 24 hours that day", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn confirm(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<AppointmentView> {
    state
        .app
        .confirm_appointment(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/not-happened", tag = "appointments", params(("id" = i64, Path)), request_body = NotHappenedInput,
    responses((status = 200, description = "Recorded as not having happened, with the reason", body = AppointmentView),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn not_happened(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NotHappenedInput>,
) -> ApiResult<AppointmentView> {
    state
        .app
        .appointment_not_happened(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}
