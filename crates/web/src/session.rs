//! Who is asking: session cookies for pages, bearer tokens for the API, and the
//! preferred language.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use wrapcare_app::{Actor, AppError};

use crate::AppState;
use crate::i18n::Lang;
use crate::problem::Problem;

pub const SESSION_COOKIE: &str = "wc_session";
pub const LANG_COOKIE: &str = "wc_lang";
pub const LOGIN_CSRF_COOKIE: &str = "wc_login";

/// The client's address, when the server knows it.
pub fn client_address(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// The page language: the language cookie, else Dutch.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = jar
            .get(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or(Lang::Nl);
        Ok(PageLang(lang))
    }
}

/// The API language: English unless the client prefers Dutch.
#[derive(Debug, Clone, Copy)]
pub struct ApiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ApiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let prefers_dutch = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("nl"));
        Ok(ApiLang(if prefers_dutch { Lang::Nl } else { Lang::En }))
    }
}

/// A signed-in page user, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PageLang(lang) = PageLang::from_request_parts(parts, state)
            .await
            .unwrap_or(PageLang(Lang::Nl));
        let jar = CookieJar::from_headers(&parts.headers);
        let to_login = || {
            let next = parts.uri.path();
            let target = if next == "/" {
                "/login".to_string()
            } else {
                format!("/login?next={}", urlencode(next))
            };
            Redirect::to(&target).into_response()
        };
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(to_login());
        };
        match state
            .app
            .session(&secret, client_address(parts).as_deref())
            .await
        {
            Ok((actor, csrf)) => Ok(PageUser { actor, csrf, lang }),
            Err(AppError::Unauthenticated) => Err(to_login()),
            Err(e) => Err(crate::pages::error_page(state, lang, None, &e)),
        }
    }
}

/// An API caller authenticated by a bearer token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    pub actor: Actor,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ApiLang(lang) = ApiLang::from_request_parts(parts, state)
            .await
            .unwrap_or(ApiLang(Lang::En));
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200);
        let Some(token) = token else {
            return Err(Problem::of(&AppError::Unauthenticated, &state.i18n, lang).into_response());
        };
        match state
            .app
            .token_actor(token, client_address(parts).as_deref())
            .await
        {
            Ok(actor) => Ok(ApiUser { actor, lang }),
            Err(e) => Err(Problem::of(&e, &state.i18n, lang).into_response()),
        }
    }
}

/// A cookie with the attributes every cookie of ours carries.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only a path of this site may be a redirect target after login: no scheme,
/// no `//` (another host), no backslash, no control characters or whitespace
/// (browsers drop a tab, so `/\t/evil.example` would become `//evil.example`).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.len() < 200
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    })
    .map(str::to_string)
}

pub fn forbidden_status() -> StatusCode {
    StatusCode::FORBIDDEN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/families/3")), Some("/families/3".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(None), None);
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "/\u{a0}/evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(
            safe_next(Some("/families?q=de%20vries")),
            Some("/families?q=de%20vries".into())
        );
    }
}
