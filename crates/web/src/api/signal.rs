//! Signals over the API: the attention list and acknowledgements.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use wrapcare_app::signal::{AcknowledgeInput, AttentionFilter, AttentionView};

use super::{ApiJson, fail, kept_json};
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/signals", attention)
        .post("/api/v1/signals/acknowledge", acknowledge)
}

#[utoipa::path(get, path = "/api/v1/signals", tag = "signals",
    params(("coordinator" = Option<i64>, Query, description = "Only this coordinator's signals (worker id)"),
        ("kind" = Option<String>, Query, description = "One kind, e.g. `waiting_past_norm`"),
        ("urgency" = Option<String>, Query, description = "`now`, `soon` or `watch`"),
        ("page" = Option<usize>, Query, description = "Which page of 50 signals, from 1 (default); past the last gives the last")),
    responses((status = 200, description = "Open signals of the team (a coordinator: their own), most urgent first, each with its figures, cause and acknowledgement", body = AttentionView),
        (status = 403, description = "Only supervisors and coordinators", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown kind or urgency, a coordinator or page that is no number", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn attention(
    State(state): State<AppState>,
    user: ApiUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let filter =
        AttentionFilter::parse(get("coordinator"), get("kind"), get("urgency"), get("page"))
            .map_err(|e| fail(&state, user.lang, e))?;
    let view = state
        .app
        .attention(&user.actor, &filter)
        .await
        .map_err(|e| fail(&state, user.lang, e))?;
    let variant = format!(
        "json|{:?}|{:?}|{:?}|{}",
        filter.coordinator, filter.kind, filter.urgency, view.page
    );
    Ok(kept_json(&view.renditions, &variant, &view))
}

#[utoipa::path(post, path = "/api/v1/signals/acknowledge", tag = "signals", request_body = AcknowledgeInput,
    responses((status = 204, description = "Acknowledged; the signal stays listed as acknowledged until its cause changes"),
        (status = 409, description = "The signal is gone: its cause changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No note", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<AcknowledgeInput>,
) -> Result<Response, Response> {
    state
        .app
        .acknowledge_signal(&user.actor, &input)
        .await
        .map(|()| StatusCode::NO_CONTENT.into_response())
        .map_err(|e| fail(&state, user.lang, e))
}
