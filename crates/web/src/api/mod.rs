//! The JSON API under `/api/v1/`, bearer-token authenticated, described by
//! OpenAPI 3.1 at `/api/openapi.json`. Errors are problem+json (RFC 9457).

pub mod access_log;
pub mod admin;
pub mod appointment;
pub mod contact;
pub mod import;
pub mod meeting;
pub mod module;
pub mod plan;
pub mod questionnaire;
pub mod report;
pub mod signal;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use wrapcare_app::AppError;
use wrapcare_app::access::{EmergencyAccessView, EmergencyInput};
use wrapcare_app::caseload::CoordinatorLoad;
use wrapcare_app::episode::{AssignInput, CloseInput, PhaseInput, StartInput, WithdrawInput};
use wrapcare_app::family::{FamilyLine, FamilyView};
use wrapcare_app::referral::{AcceptInput, Accepted, DeclineInput, FamilyMatch, ReferralView};
use wrapcare_app::report::WaitingFigures;
use wrapcare_core::dates::parse_date;
use wrapcare_core::referral::ReferralInput;

use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::{ApiLang, ApiUser};

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/openapi.json", openapi)
        .get("/api/v1/referrals", my_referrals)
        .post("/api/v1/referrals", submit_referral)
        .get("/api/v1/referrals/{id}", referral)
        .get("/api/v1/referrals/{id}/matches", referral_matches)
        .post("/api/v1/referrals/{id}/accept", accept_referral)
        .post("/api/v1/referrals/{id}/decline", decline_referral)
        .get("/api/v1/screening", screening)
        .get("/api/v1/waiting-list", waiting_list)
        .get("/api/v1/my-families", my_families)
        .get("/api/v1/families", search_families)
        .get("/api/v1/families/{id}", family)
        .post("/api/v1/families/{id}/emergency-access", break_glass)
        .post("/api/v1/families/{id}/assignment", assign)
        .post("/api/v1/families/{id}/start", start)
        .post("/api/v1/families/{id}/phase", phase)
        .post("/api/v1/families/{id}/close", close)
        .post("/api/v1/families/{id}/withdraw", withdraw)
        .get("/api/v1/caseloads", caseloads)
        .get("/api/v1/figures/waiting", waiting_figures)
        .merge(admin::routes())
        .merge(access_log::routes())
        .merge(plan::routes())
        .merge(contact::routes())
        .merge(module::routes())
        .merge(signal::routes())
        .merge(appointment::routes())
        .merge(meeting::routes())
        .merge(questionnaire::routes())
        .merge(report::routes())
        .get("/api/{*rest}", unknown)
        .post("/api/{*rest}", unknown)
}

/// JSON bodies whose rejections are problem+json too.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = if req
            .headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("nl"))
        {
            crate::Lang::Nl
        } else {
            crate::Lang::En
        };
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let (status, key) = match &rejection {
                    JsonRejection::MissingJsonContentType(_) => (
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "error-json-content-type",
                    ),
                    JsonRejection::JsonSyntaxError(_) => {
                        (StatusCode::BAD_REQUEST, "error-json-syntax")
                    }
                    JsonRejection::JsonDataError(_) => {
                        (StatusCode::UNPROCESSABLE_ENTITY, "error-json-data")
                    }
                    JsonRejection::BytesRejection(_) => {
                        (StatusCode::PAYLOAD_TOO_LARGE, "error-too-large")
                    }
                    _ => (StatusCode::BAD_REQUEST, "error-json-syntax"),
                };
                // serde's message names the field and what was expected; it holds no stored data.
                let detail = Some(rejection.body_text());
                Err(Problem::bad_request(status, key, detail, &state.i18n, lang).into_response())
            }
        }
    }
}

pub(crate) fn fail(state: &AppState, lang: crate::Lang, e: AppError) -> Response {
    Problem::of(&e, &state.i18n, lang).into_response()
}

pub(crate) type ApiResult<T> = Result<Json<T>, Response>;

/// A view's JSON as serialised once for its kept read: the views read most
/// (the day, the signals) are asked for again and again between changes,
/// and serialising them cost more than the rest of the request.
pub(crate) fn kept_json<T: serde::Serialize>(
    renditions: &wrapcare_app::Renditions,
    variant: &str,
    view: &T,
) -> Response {
    // These views hold no map with non-text keys, so serialising cannot fail.
    let body =
        renditions.get_or_render(variant, || serde_json::to_string(view).unwrap_or_default());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3.1 description")))]
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_pretty_json().unwrap_or_default(),
    )
        .into_response()
}

async fn unknown(State(state): State<AppState>, ApiLang(lang): ApiLang) -> Response {
    fail(&state, lang, AppError::NotFound)
}

#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals",
    request_body = ReferralInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeating a request with the same key returns the first referral")),
    responses(
        (status = 201, description = "Created", body = ReferralView),
        (status = 200, description = "Already created with this Idempotency-Key", body = ReferralView),
        (status = 422, description = "Refused input, by field", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn submit_referral(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ReferralInput>,
) -> Response {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    match state.app.submit_referral(&user.actor, &input, key).await {
        Ok(done) => {
            let status = if done.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(done.referral)).into_response()
        }
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals",
    responses((status = 200, description = "The caller's submitted referrals with their status", body = [ReferralView])),
    security(("bearer" = [])))]
async fn my_referrals(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<ReferralView>> {
    state
        .app
        .my_referrals(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReferralView), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ReferralView> {
    state
        .app
        .referral(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/referrals/{id}/matches", tag = "referrals",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Existing families sharing a person with the referral", body = [FamilyMatch])),
    security(("bearer" = [])))]
async fn referral_matches(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<FamilyMatch>> {
    state
        .app
        .referral_matches(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "referrals",
    params(("id" = i64, Path)), request_body = AcceptInput,
    responses((status = 201, body = Accepted), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn accept_referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> Response {
    match state.app.accept_referral(&user.actor, id, &input).await {
        Ok(done) => (StatusCode::CREATED, Json(done)).into_response(),
        Err(e) => fail(&state, user.lang, e),
    }
}

#[utoipa::path(post, path = "/api/v1/referrals/{id}/decline", tag = "referrals",
    params(("id" = i64, Path)), request_body = DeclineInput,
    responses((status = 200, body = ReferralView), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn decline_referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DeclineInput>,
) -> ApiResult<ReferralView> {
    state
        .app
        .decline_referral(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/screening", tag = "referrals",
    responses((status = 200, description = "Referrals of the supervisor's programme awaiting screening", body = [ReferralView])),
    security(("bearer" = [])))]
async fn screening(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<ReferralView>> {
    state
        .app
        .referrals_to_screen(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/waiting-list", tag = "families",
    responses((status = 200, description = "The team's waiting list: by urgency, then time waited", body = [FamilyLine])),
    security(("bearer" = [])))]
async fn waiting_list(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<FamilyLine>> {
    state
        .app
        .waiting_list(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/my-families", tag = "families",
    responses((status = 200, description = "The families the coordinator coordinates now", body = [FamilyLine])),
    security(("bearer" = [])))]
async fn my_families(State(state): State<AppState>, user: ApiUser) -> ApiResult<Vec<FamilyLine>> {
    state
        .app
        .my_families(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct SearchQuery {
    /// Part of a surname, given name or place; empty lists the open families.
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/families", tag = "families", params(SearchQuery),
    responses((status = 200, body = [FamilyLine])),
    security(("bearer" = [])))]
async fn search_families(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Vec<FamilyLine>> {
    state
        .app
        .search_families(&user.actor, q.q.as_deref().unwrap_or(""))
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/families/{id}", tag = "families",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The family file with its current episode", body = FamilyView),
        (status = 404, description = "Missing, or not yours to see", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn family(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<FamilyView> {
    state
        .app
        .family(&user.actor, id)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

/// Opens the file without a need to know, read-only for 24 hours, after a
/// reason; the family's team sees it on the file.
#[utoipa::path(post, path = "/api/v1/families/{id}/emergency-access", tag = "families",
    params(("id" = i64, Path)), request_body = EmergencyInput,
    responses((status = 201, body = EmergencyAccessView),
        (status = 403, description = "This role cannot open family files", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The caller already has access", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn break_glass(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EmergencyInput>,
) -> Result<(StatusCode, Json<EmergencyAccessView>), Response> {
    state
        .app
        .break_glass(&user.actor, id, &input)
        .await
        .map(|granted| (StatusCode::CREATED, Json(granted)))
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/assignment", tag = "families",
    params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = FamilyView),
        (status = 409, description = "Overlapping assignment or closed episode", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "At capacity without a reason, or unknown coordinator", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn assign(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<FamilyView> {
    state
        .app
        .assign(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/start", tag = "families",
    params(("id" = i64, Path)), request_body = StartInput,
    responses((status = 200, body = FamilyView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn start(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StartInput>,
) -> ApiResult<FamilyView> {
    state
        .app
        .start_help(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/phase", tag = "families",
    params(("id" = i64, Path)), request_body = PhaseInput,
    responses((status = 200, body = FamilyView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn phase(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PhaseInput>,
) -> ApiResult<FamilyView> {
    state
        .app
        .change_phase(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/close", tag = "families",
    params(("id" = i64, Path)), request_body = CloseInput,
    responses((status = 200, body = FamilyView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn close(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CloseInput>,
) -> ApiResult<FamilyView> {
    state
        .app
        .close(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(post, path = "/api/v1/families/{id}/withdraw", tag = "families",
    params(("id" = i64, Path)), request_body = WithdrawInput,
    responses((status = 200, body = FamilyView), (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
async fn withdraw(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WithdrawInput>,
) -> ApiResult<FamilyView> {
    state
        .app
        .withdraw(&user.actor, id, &input)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[utoipa::path(get, path = "/api/v1/caseloads", tag = "caseloads",
    responses((status = 200, description = "Each coordinator's caseload against capacity", body = [CoordinatorLoad])),
    security(("bearer" = [])))]
async fn caseloads(
    State(state): State<AppState>,
    user: ApiUser,
) -> ApiResult<Vec<CoordinatorLoad>> {
    state
        .app
        .caseloads(&user.actor)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct PeriodQuery {
    /// First day (YYYY-MM-DD); 18 months before `until` when omitted.
    from: Option<String>,
    /// Last day (YYYY-MM-DD); today when omitted.
    until: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/figures/waiting", tag = "figures", params(PeriodQuery),
    responses((status = 200, description = "Waiting time per programme and month; groups under 5 withheld", body = WaitingFigures)),
    security(("bearer" = [])))]
async fn waiting_figures(
    State(state): State<AppState>,
    user: ApiUser,
    Query(q): Query<PeriodQuery>,
) -> ApiResult<WaitingFigures> {
    let date = |field: &str, v: &Option<String>| match v
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) => parse_date(v)
            .map(Some)
            .ok_or_else(|| AppError::invalid(field, "error-date-format")),
    };
    let from = date("from", &q.from).map_err(|e| fail(&state, user.lang, e))?;
    let until = date("until", &q.until).map_err(|e| fail(&state, user.lang, e))?;
    state
        .app
        .waiting_figures(&user.actor, from, until)
        .await
        .map(Json)
        .map_err(|e| fail(&state, user.lang, e))
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal token from `wrapcare token create`"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "wrapcare API", description = "Referrals, waiting list, coordinators and episodes of Wraparound Care. Every read or change of a family file is logged."),
    paths(openapi, submit_referral, my_referrals, referral, referral_matches, accept_referral, decline_referral, screening,
        waiting_list, my_families, search_families, family, break_glass, assign, start, phase, close, withdraw, caseloads, waiting_figures,
        admin::list_users, admin::create_user, admin::set_role, admin::deactivate_user, admin::activate_user, admin::reset_password,
        admin::list_organisations, admin::create_organisation, admin::list_programmes, admin::create_programme, admin::update_programme,
        admin::questionnaire_schedule, admin::set_questionnaire_schedule,
        admin::list_teams, admin::create_team, admin::list_workers, admin::create_worker, admin::change_secondment, admin::end_secondment,
        plan::read, plan::save, plan::agree, plan::new_draft, plan::score, plan::version, plan::pdf,
        contact::list, contact::log, contact::correct, contact::remove,
        module::list_modules, module::occupancy, module::create_module, module::update_module, module::add_tariff,
        module::family_modules, module::request_module, module::start_module, module::end_module, module::record_delivery,
        module::timeline, module::family_costs, module::programme_costs, import::modules,
        access_log::review, access_log::emergency_accesses, access_log::export,
        signal::attention, signal::acknowledge,
        appointment::day, appointment::list, appointment::plan, appointment::confirm, appointment::not_happened,
        meeting::list, meeting::open, meeting::show, meeting::add_item, meeting::discussion, meeting::decide, meeting::done, meeting::put_forward,
        questionnaire::instruments, questionnaire::family, questionnaire::record, questionnaire::links, questionnaire::make_link, questionnaire::withdraw_link,
        report::waiting),
    components(schemas(Problem, crate::problem::ProblemField)),
    modifiers(&BearerAuth),
    tags((name = "referrals"), (name = "families"), (name = "caseloads"), (name = "figures"), (name = "plan"), (name = "contacts"), (name = "modules"), (name = "costs"), (name = "signals"), (name = "appointments"), (name = "meetings"), (name = "questionnaires"), (name = "admin"), (name = "access-log"), (name = "meta"))
)]
pub struct ApiDoc;
