//! Log in, log out, switch language.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::auth::random_secret;

use super::{Ctx, Posted, home_of, html_response, layout};
use crate::AppState;
use crate::forms::FormData;
use crate::i18n::Lang;
use crate::session::{
    LANG_COOKIE, LOGIN_CSRF_COOKIE, PageLang, SESSION_COOKIE, client_address, cookie, safe_next,
};

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

fn login_form(
    state: &AppState,
    lang: Lang,
    next: Option<&str>,
    email: &str,
    error: Option<&str>,
    detail: Option<String>,
    token: &str,
) -> maud::Markup {
    let ctx = Ctx::anonymous(state, lang, "/login");
    let title = ctx.t("login-title");
    let body = html! {
        div.login {
            h1 { (title) }
            p.lead { (ctx.t("login-lead")) }
            @if let Some(key) = error {
                div.notice.notice--error role="alert" {
                    p { (ctx.t(key)) }
                    @if let Some(detail) = &detail { p { (detail) } }
                }
            }
            form.form method="post" action="/login" {
                input type="hidden" name="csrf" value=(token);
                @if let Some(next) = next { input type="hidden" name="next" value=(next); }
                div.field {
                    label for="email" { (ctx.t("field-email")) }
                    input.input #email name="email" type="email" autocomplete="username" required value=(email);
                }
                div.field {
                    label for="password" { (ctx.t("field-password")) }
                    input.input #password name="password" type="password" autocomplete="current-password" required;
                }
                div.actions { button.button.button--primary type="submit" { (ctx.t("login-button")) } }
            }
        }
    };
    layout(&ctx, &title, body)
}

/// The login form. A fresh random token in a cookie and in the form guards the
/// login itself against cross-site posts.
pub async fn login_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Query(query): Query<LoginQuery>,
    jar: CookieJar,
) -> Response {
    let token = random_secret();
    let next = safe_next(query.next.as_deref());
    let jar = jar.add(cookie(
        LOGIN_CSRF_COOKIE,
        token.clone(),
        state.secure_cookies,
    ));
    (
        jar,
        html_response(
            StatusCode::OK,
            login_form(&state, lang, next.as_deref(), "", None, None, &token),
        ),
    )
        .into_response()
}

pub async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    jar: CookieJar,
    request_parts: ClientAddr,
    axum::Form(pairs): Posted,
) -> Response {
    let form = FormData::new(pairs);
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let next = safe_next(form.opt("next").as_deref());
    let email = form.get("email").trim().to_string();
    let retry = |status: StatusCode, key: &str, detail: Option<String>, jar: CookieJar| {
        let token = random_secret();
        let jar = jar.add(cookie(
            LOGIN_CSRF_COOKIE,
            token.clone(),
            state.secure_cookies,
        ));
        (
            jar,
            html_response(
                status,
                login_form(
                    &state,
                    lang,
                    next.as_deref(),
                    &email,
                    Some(key),
                    detail,
                    &token,
                ),
            ),
        )
            .into_response()
    };
    if !form.csrf_ok(&expected) {
        return retry(StatusCode::FORBIDDEN, "error-csrf", None, jar);
    }
    match state
        .app
        .login(&email, form.get("password"), request_parts.0.as_deref())
        .await
    {
        Ok(session) => {
            let target = next.unwrap_or_else(|| home_of(session.actor.role).to_string());
            let jar = jar
                .remove(cookie(
                    LOGIN_CSRF_COOKIE,
                    String::new(),
                    state.secure_cookies,
                ))
                .add(cookie(SESSION_COOKIE, session.secret, state.secure_cookies));
            (jar, Redirect::to(&target)).into_response()
        }
        Err(AppError::Unauthenticated) => {
            retry(StatusCode::UNAUTHORIZED, "error-login-failed", None, jar)
        }
        Err(e @ AppError::Throttled { seconds, .. }) => {
            let wait = state.i18n.t_args(
                lang,
                "error-throttled-wait",
                &[("seconds", (seconds as i64).into())],
            );
            retry(StatusCode::TOO_MANY_REQUESTS, e.key(), Some(wait), jar)
        }
        Err(e) => super::error_page(&state, lang, None, &e),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    axum::Form(pairs): Posted,
) -> Response {
    let form = FormData::new(pairs);
    if let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        // Only a form from one of our pages may end the session.
        if let Ok((_, csrf)) = state.app.session(&secret, None).await {
            if form.csrf_ok(&csrf) {
                let _ = state.app.logout(&secret).await;
            } else {
                return Redirect::to("/").into_response();
            }
        }
    }
    let jar = jar.remove(cookie(SESSION_COOKIE, String::new(), state.secure_cookies));
    (jar, Redirect::to("/login")).into_response()
}

/// Switches the page language and returns to the page the user came from.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Nl);
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .and_then(|p| safe_next(Some(&p)))
        .unwrap_or_else(|| "/".to_string());
    let mut c = cookie(LANG_COOKIE, lang.code().to_string(), state.secure_cookies);
    c.make_permanent();
    (jar.add(c), Redirect::to(&back)).into_response()
}

/// The client's address for the login throttle.
pub struct ClientAddr(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_address(parts)))
    }
}
