//! Imports from providers' systems over the API: the CSV is the request body.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use wrapcare_app::import::{IMPORTERS, ImportReport};

use super::fail;
use crate::AppState;
use crate::problem::Problem;
use crate::routes::Routes;
use crate::session::ApiUser;

/// Largest import accepted in one request (about 200,000 lines).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new().post("/api/v1/imports/modules", modules)
}

#[utoipa::path(post, path = "/api/v1/imports/modules", tag = "modules",
    request_body(content = String, content_type = "text/csv",
        description = "Header `provider,module,reference,event,date,units,reason`; event is start, stop or delivered; reference is the module referral's M-number."),
    responses((status = 200, description = "Everything was stored", body = ImportReport),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nothing was stored; every bad line is listed as lines[N].field", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn modules(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // Who may not import is told so first, whatever they sent.
    if let Err(e) = state
        .app
        .require(&user.actor, IMPORTERS, "import.import_modules")
        .await
    {
        return fail(&state, user.lang, e);
    }
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    if !is_csv {
        return Problem::bad_request(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "error-import-content-type",
            None,
            &state.i18n,
            user.lang,
        )
        .into_response();
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return Problem::bad_request(
            StatusCode::UNPROCESSABLE_ENTITY,
            "error-import-utf8",
            None,
            &state.i18n,
            user.lang,
        )
        .into_response();
    };
    match state
        .app
        .import_modules(&user.actor, text, &|_, _| {})
        .await
    {
        Ok(report) => Json(report).into_response(),
        Err(e) => fail(&state, user.lang, e),
    }
}
