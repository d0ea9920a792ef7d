//! Errors as HTTP answers: RFC 9457 problem+json for the API, a page for browsers.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_app::AppError;

use crate::i18n::{I18n, Lang};

/// A problem+json body (RFC 9457) with a field-level list for refused input.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The fields that were refused, each with a message key and text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Seconds to wait before trying again (sent as `Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub key: String,
    pub message: String,
}

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Conflict(_) | AppError::Stale => StatusCode::CONFLICT,
        AppError::Busy | AppError::LogUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) | AppError::Export(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Logs an internal error without personal data: database messages can quote
/// values, so only the kind is written.
pub fn log_internal(error: &AppError) {
    match error {
        AppError::Store(e) => {
            let kind = e.without_personal_data();
            tracing::error!(kind, "request failed");
        }
        // A CSV error names a position, never a value.
        AppError::Export(e) => {
            tracing::error!(kind = "export", position = ?e.position(), "request failed")
        }
        _ => {}
    }
}

impl Problem {
    pub fn of(error: &AppError, i18n: &I18n, lang: Lang) -> Problem {
        log_internal(error);
        let status = status_of(error);
        let errors = match error {
            AppError::Invalid(invalid) => invalid
                .0
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    key: f.key.to_string(),
                    message: i18n.t(lang, f.key).into_owned(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let key = error.key();
        let detail = match error {
            AppError::Throttled { seconds, .. } => Some(i18n.t_args(
                lang,
                "error-throttled-wait",
                &[("seconds", (*seconds as i64).into())],
            )),
            _ => None,
        };
        Problem {
            kind: format!("/problems/{key}"),
            title: i18n.t(lang, key).into_owned(),
            status: status.as_u16(),
            detail,
            errors,
            retry_after: match error {
                AppError::Throttled { seconds, .. } => Some(*seconds),
                AppError::Busy | AppError::LogUnavailable => Some(2),
                _ => None,
            },
        }
    }

    /// A problem for what the request itself got wrong (malformed JSON and the like).
    pub fn bad_request(
        status: StatusCode,
        key: &str,
        detail: Option<String>,
        i18n: &I18n,
        lang: Lang,
    ) -> Problem {
        Problem {
            kind: format!("/problems/{key}"),
            title: i18n.t(lang, key).into_owned(),
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
            retry_after: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".to_string());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        (status, headers, body).into_response()
    }
}
