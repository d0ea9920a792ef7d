//! Server-rendered pages: plain HTML forms that work without JavaScript.

use std::borrow::Cow;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use wrapcare_app::{Actor, AppError};
use wrapcare_core::FieldError;
use wrapcare_core::role::Role;

use crate::AppState;
use crate::forms::FormData;
use crate::i18n::{Lang, Tr};
use crate::routes::Routes;
use crate::session::{PageLang, PageUser};

pub mod access_log;
pub mod admin;
pub mod appointment;
pub mod auth;
pub mod caseload;
pub mod contact;
pub mod episode;
pub mod family;
pub mod meeting;
pub mod module;
pub mod plan;
pub mod questionnaire;
pub mod referral;
pub mod report;
pub mod signal;

pub type PageResult = Result<Response, Response>;

pub fn routes() -> Routes {
    Routes::new()
        .get("/", home)
        .get("/login", auth::login_page)
        .post("/login", auth::login)
        .post("/logout", auth::logout)
        .get("/lang/{code}", auth::switch_language)
        .get("/referrals", referral::mine)
        .post("/referrals", referral::submit)
        .get("/referrals/new", referral::new_form)
        .post("/referrals/new", referral::new_form_more)
        .get("/referrals/{id}", referral::show)
        .post("/referrals/{id}/accept", referral::accept)
        .post("/referrals/{id}/decline", referral::decline)
        .get("/screening", referral::screening)
        .get("/waiting-list", episode::waiting_list)
        .get("/my-families", episode::my_families)
        .get("/families", family::search)
        .get("/families/{id}", family::show)
        .post("/families/{id}/emergency-access", family::break_glass)
        .get("/families/{id}/assign", episode::assign_form)
        .post("/families/{id}/assign", episode::assign)
        .post("/families/{id}/start", episode::start)
        .post("/families/{id}/phase", episode::phase)
        .post("/families/{id}/close", episode::close)
        .post("/families/{id}/withdraw", episode::withdraw)
        .get("/families/{id}/plan", plan::show)
        .get("/families/{id}/plan/edit", plan::edit_form)
        .post("/families/{id}/plan/edit", plan::edit)
        .post("/families/{id}/plan/agree", plan::agree)
        .post("/families/{id}/plan/new-draft", plan::new_draft)
        .post("/families/{id}/plan/scores", plan::score)
        .get("/families/{id}/plan/versions/{number}", plan::version)
        .get("/families/{id}/plan/print", plan::print)
        .get("/families/{id}/plan/pdf", plan::pdf)
        .get("/families/{id}/contacts", contact::show)
        .post("/families/{id}/contacts", contact::log)
        .get(
            "/families/{id}/contacts/{contact}/correct",
            contact::correct_form,
        )
        .post(
            "/families/{id}/contacts/{contact}/correct",
            contact::correct,
        )
        .post("/families/{id}/contacts/{contact}/remove", contact::remove)
        .get("/modules", module::catalogue)
        .post("/modules", module::create)
        .get("/modules/{id}", module::show)
        .post("/modules/{id}", module::update)
        .post("/modules/{id}/tariffs", module::add_tariff)
        .get("/families/{id}/modules", module::family_modules)
        .post("/families/{id}/modules", module::request)
        .post(
            "/families/{id}/modules/{referral}/{step}",
            module::step_posted,
        )
        .get("/families/{id}/timeline", module::timeline)
        .get("/families/{id}/costs", module::family_costs)
        .get("/programmes/{id}/costs", module::programme_costs)
        .get("/caseloads", caseload::team)
        .get("/signals", signal::attention)
        .post("/signals/acknowledge", signal::acknowledge)
        .get("/day", appointment::day)
        .get("/families/{id}/appointments", appointment::family)
        .post("/families/{id}/appointments", appointment::plan)
        .get("/appointments/{id}/settle", appointment::settle_form)
        .post("/appointments/{id}/confirm", appointment::confirm)
        .post("/appointments/{id}/not-happened", appointment::not_happened)
        .get("/calendar", appointment::calendar)
        .post("/calendar/renew", appointment::renew)
        .get("/ical/{file}", appointment::feed)
        .get("/meetings", meeting::list)
        .post("/meetings", meeting::open)
        .get("/meetings/{id}", meeting::show)
        .get("/meetings/{id}/print", meeting::print)
        .get("/meetings/{id}/pdf", meeting::pdf)
        .post("/meetings/{id}/attendance", meeting::attendance)
        .post("/meetings/{id}/items", meeting::add_item)
        .post("/meetings/{id}/items/{item}/move", meeting::move_item)
        .post("/meetings/{id}/items/{item}/remove", meeting::remove_item)
        .post(
            "/meetings/{id}/items/{item}/discussion",
            meeting::discussion,
        )
        .post("/meetings/{id}/items/{item}/actions", meeting::decide)
        .post("/actions/{id}/done", meeting::action_done)
        .get("/families/{id}/questionnaires", questionnaire::family)
        .get(
            "/families/{id}/questionnaires/{instrument}",
            questionnaire::form,
        )
        .post(
            "/families/{id}/questionnaires/{instrument}",
            questionnaire::record,
        )
        .post(
            "/families/{id}/questionnaire-links",
            questionnaire::make_link,
        )
        .post(
            "/families/{id}/questionnaire-links/{link}/withdraw",
            questionnaire::withdraw_link,
        )
        .get("/q/{token}", questionnaire::link_page)
        .post("/q/{token}", questionnaire::link_answer)
        .get("/families/{id}/intervision", meeting::question_form)
        .post("/families/{id}/intervision", meeting::put_forward)
        .get("/figures", report::figures)
        .get("/figures/tables/{table}", report::download)
        .get("/access-log", access_log::review)
        .get("/access-log/export", access_log::export)
        .get(
            "/access-log/emergency-accesses",
            access_log::emergency_accesses,
        )
        .merge(admin::routes())
}

/// Where each role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/users",
        Role::Supervisor => "/waiting-list",
        Role::Coordinator => "/day",
        Role::Intake => "/referrals",
        Role::Analyst => "/figures",
        Role::PrivacyOfficer => "/access-log",
    }
}

async fn home(user: PageUser) -> Response {
    Redirect::to(home_of(user.actor.role)).into_response()
}

/// What a page template needs besides its own data.
pub struct Ctx<'a> {
    pub tr: Tr<'a>,
    pub user: Option<&'a PageUser>,
    /// The current path, to mark the navigation.
    pub path: &'a str,
}

impl<'a> Ctx<'a> {
    pub fn new(state: &'a AppState, user: &'a PageUser, path: &'a str) -> Ctx<'a> {
        Ctx {
            tr: Tr {
                i18n: &state.i18n,
                lang: user.lang,
            },
            user: Some(user),
            path,
        }
    }

    pub fn anonymous(state: &'a AppState, lang: Lang, path: &'a str) -> Ctx<'a> {
        Ctx {
            tr: Tr {
                i18n: &state.i18n,
                lang,
            },
            user: None,
            path,
        }
    }

    pub fn t(&self, key: &str) -> Cow<'a, str> {
        self.tr.t(key)
    }

    /// The hidden CSRF field every form carries.
    pub fn csrf(&self) -> Markup {
        let token = self.user.map(|u| u.csrf.as_str()).unwrap_or("");
        html! { input type="hidden" name="csrf" value=(token); }
    }
}

fn nav_items(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Admin => &[
            ("/admin/users", "nav-users"),
            ("/admin/organisations", "nav-organisations"),
            ("/admin/programmes", "nav-programmes"),
            ("/admin/teams", "nav-teams"),
            ("/admin/workers", "nav-workers"),
            ("/modules", "nav-modules"),
        ],
        Role::Supervisor => &[
            ("/signals", "nav-signals"),
            ("/meetings", "nav-meetings"),
            ("/screening", "nav-screening"),
            ("/waiting-list", "nav-waiting-list"),
            ("/families", "nav-families"),
            ("/caseloads", "nav-caseloads"),
            ("/modules", "nav-modules"),
            ("/figures", "nav-figures"),
            ("/access-log", "nav-access-log"),
        ],
        Role::Coordinator => &[
            ("/day", "nav-day"),
            ("/my-families", "nav-my-families"),
            ("/signals", "nav-signals"),
            ("/meetings", "nav-meetings"),
            ("/modules", "nav-modules"),
            ("/figures", "nav-figures"),
        ],
        Role::Intake => &[
            ("/referrals", "nav-my-referrals"),
            ("/referrals/new", "nav-new-referral"),
        ],
        Role::Analyst => &[("/figures", "nav-figures")],
        Role::PrivacyOfficer => &[
            ("/access-log", "nav-access-log"),
            ("/access-log/emergency-accesses", "nav-emergency-accesses"),
        ],
    }
}

/// The navigation item a path belongs to: the longest one it starts with.
fn current_nav(role: Role, path: &str) -> Option<&'static str> {
    nav_items(role)
        .iter()
        .map(|(href, _)| *href)
        .filter(|href| path == *href || (href.len() > 1 && path.starts_with(&format!("{href}/"))))
        .max_by_key(|href| href.len())
}

/// The page frame: header with navigation, language switch and logout; main; footer.
pub fn layout(ctx: &Ctx<'_>, title: &str, body: Markup) -> Markup {
    let tr = ctx.tr;
    let other = tr.lang.other();
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · wrapcare" }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                a.skip-link href="#main" { (tr.t("skip-to-content")) }
                header.site-header {
                    div.site-header__inner {
                        a.brand href="/" { "wrapcare" }
                        @if let Some(user) = ctx.user {
                            nav.main-nav aria-label=(tr.t("nav-label")) {
                                ul {
                                    @let current = current_nav(user.actor.role, ctx.path);
                                    @for (href, key) in nav_items(user.actor.role) {
                                        li {
                                            @if current == Some(*href) {
                                                a href=(href) aria-current="page" { (tr.t(key)) }
                                            } @else {
                                                a href=(href) { (tr.t(key)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        div.header-tools {
                            @if let Some(user) = ctx.user {
                                span.user { (user.actor.name) " · " (tr.t(&format!("role-{}", user.actor.role.as_str()))) }
                            }
                            a.link-button href={ "/lang/" (other.code()) } lang=(other.code()) { (tr.t("switch-language")) }
                            @if let Some(user) = ctx.user {
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    button.button.button--secondary.button--small type="submit" { (tr.t("logout")) }
                                }
                            }
                        }
                    }
                }
                main #main .page {
                    (body)
                }
                footer.site-footer {
                    p { (tr.t("footer-text")) }
                }
            }
        }
    }
}

/// A finished page as a response.
pub fn page(ctx: &Ctx<'_>, title: &str, body: Markup) -> Response {
    html_response(StatusCode::OK, layout(ctx, title, body))
}

/// An address on this site, on the host the user reached the page at: for
/// what leaves the browser (a calendar subscription, a link for a parent).
pub fn site_url(state: &AppState, headers: &axum::http::HeaderMap, path: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{path}")
}

pub fn html_response(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        markup,
    )
        .into_response()
}

/// A whole page as it was kept, layout and all, served from the kept copy
/// itself: the pages read most between two changes are sent without being
/// rendered or copied again.
pub fn kept_page(html: std::sync::Arc<str>) -> Response {
    struct Page(std::sync::Arc<str>);
    impl AsRef<[u8]> for Page {
        fn as_ref(&self) -> &[u8] {
            self.0.as_bytes()
        }
    }
    (
        StatusCode::OK,
        [
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        axum::body::Body::from(axum::body::Bytes::from_owner(Page(html))),
    )
        .into_response()
}

/// The page for an error, with the right status.
pub fn error_page(
    state: &AppState,
    lang: Lang,
    user: Option<&PageUser>,
    error: &AppError,
) -> Response {
    crate::problem::log_internal(error);
    let status = crate::problem::status_of(error);
    let ctx = Ctx {
        tr: Tr {
            i18n: &state.i18n,
            lang,
        },
        user,
        path: "",
    };
    let title = ctx.t(error.key());
    let body = html! {
        h1 { (title) }
        @if let AppError::Invalid(invalid) = error {
            ul { @for f in &invalid.0 { li { (ctx.t(f.key)) } } }
        }
        p { a href="/" { (ctx.t("back-home")) } }
    };
    html_response(status, layout(&ctx, &title, body))
}

/// The error page for a refused or failed use case, for a logged-in user.
pub fn fail(state: &AppState, user: &PageUser, error: AppError) -> Response {
    error_page(state, user.lang, Some(user), &error)
}

/// The 404 page for unknown addresses.
pub async fn not_found(State(state): State<AppState>, PageLang(lang): PageLang) -> Response {
    error_page(&state, lang, None, &AppError::NotFound)
}

/// The page that refuses a form post whose CSRF token does not match.
fn csrf_refused(state: &AppState, user: &PageUser) -> Response {
    let ctx = Ctx::new(state, user, "");
    let title = ctx.t("error-csrf");
    html_response(
        StatusCode::FORBIDDEN,
        layout(
            &ctx,
            &title,
            html! { h1 { (title) } p { (ctx.t("error-csrf-detail")) } },
        ),
    )
}

/// A form posted by a signed-in user, with the session's CSRF token checked.
/// It is the only way a page handler reads a form, so no handler can forget
/// the check: a missing or forged token is refused (403) before it runs.
pub struct CsrfForm(pub PageUser, pub FormData);

impl axum::extract::FromRequest<AppState> for CsrfForm {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = request.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| {
                error_page(
                    state,
                    user.lang,
                    Some(&user),
                    &AppError::invalid("form", "error-form-unreadable"),
                )
            })?;
        let form = FormData::new(pairs);
        if !form.csrf_ok(&user.csrf) {
            return Err(csrf_refused(state, &user));
        }
        Ok(CsrfForm(user, form))
    }
}

/// A form posted to an address that holds a one-time secret (a parent's
/// questionnaire link), with what the request's parts say of it. There is
/// no session whose token it could carry; the secret in the address is the
/// check: a site that does not know it cannot post there.
pub struct SecretForm(pub axum::http::request::Parts, pub FormData);

impl axum::extract::FromRequest<AppState> for SecretForm {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let request = axum::extract::Request::from_parts(parts.clone(), body);
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| {
                error_page(
                    state,
                    Lang::Nl,
                    None,
                    &AppError::invalid("form", "error-form-unreadable"),
                )
            })?;
        Ok(SecretForm(parts, FormData::new(pairs)))
    }
}

/// The login form and the logout button post without a session's token of
/// their own kind; they check theirs themselves (see `auth`).
pub(crate) type Posted = Form<Vec<(String, String)>>;

/// Form controls that show their error next to them and keep what was typed.
pub struct Fields<'a> {
    pub tr: Tr<'a>,
    pub errors: &'a [FieldError],
    pub values: &'a FormData,
    /// Put before each id, for one of several forms of the same fields on a page.
    prefix: String,
}

pub fn field_id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .replace("--", "-")
}

impl<'a> Fields<'a> {
    pub fn new(tr: Tr<'a>, errors: &'a [FieldError], values: &'a FormData) -> Fields<'a> {
        Fields {
            tr,
            errors,
            values,
            prefix: String::new(),
        }
    }

    /// The same fields with their ids prefixed (`item-7-notes`), for a page
    /// with one such form per item.
    pub fn prefixed(mut self, prefix: &str) -> Fields<'a> {
        self.prefix = prefix.to_string();
        self
    }

    fn id(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            field_id(name)
        } else {
            format!("{}-{}", self.prefix, field_id(name))
        }
    }

    fn error(&self, name: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == name).map(|e| e.key)
    }

    fn wrap(&self, name: &str, label: &str, hint: Option<&str>, control: Markup) -> Markup {
        let id = self.id(name);
        let error = self.error(name);
        html! {
            div class={ "field" @if error.is_some() { " field--error" } } {
                label for=(id) { (label) }
                @if let Some(hint) = hint { span.hint id={ (id) "-hint" } { (hint) } }
                @if let Some(key) = error {
                    span.field-error id={ (id) "-error" } { span.visually-hidden { (self.tr.t("error-prefix")) } (self.tr.t(key)) }
                }
                (control)
            }
        }
    }

    fn described_by(&self, name: &str, hint: bool) -> Option<String> {
        let id = self.id(name);
        let mut parts = Vec::new();
        if hint {
            parts.push(format!("{id}-hint"));
        }
        if self.error(name).is_some() {
            parts.push(format!("{id}-error"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// A text-like input (`kind` = text, date, email, tel, number, password).
    pub fn input(
        &self,
        name: &str,
        label_key: &str,
        kind: &str,
        required: bool,
        hint_key: Option<&str>,
    ) -> Markup {
        let id = self.id(name);
        let hint = hint_key.map(|k| self.tr.t(k));
        let control = html! {
            input.input id=(id) name=(name) type=(kind) value=(self.values.get(name))
                required[required] aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, hint.is_some())]
                autocomplete="off";
        };
        self.wrap(name, &self.tr.t(label_key), hint.as_deref(), control)
    }

    pub fn textarea(
        &self,
        name: &str,
        label_key: &str,
        required: bool,
        hint_key: Option<&str>,
    ) -> Markup {
        let id = self.id(name);
        let hint = hint_key.map(|k| self.tr.t(k));
        let control = html! {
            textarea.textarea id=(id) name=(name) rows="4" required[required]
                aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, hint.is_some())] { (self.values.get(name)) }
        };
        self.wrap(name, &self.tr.t(label_key), hint.as_deref(), control)
    }

    /// A select; `options` are (value, label). An empty first option asks to choose.
    pub fn select(
        &self,
        name: &str,
        label_key: &str,
        options: &[(String, String)],
        required: bool,
    ) -> Markup {
        let id = self.id(name);
        let current = self.values.get(name);
        let control = html! {
            select.select id=(id) name=(name) required[required]
                aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, false)] {
                option value="" { (self.tr.t("choose")) }
                @for (value, label) in options {
                    option value=(value) selected[current == value] { (label) }
                }
            }
        };
        self.wrap(name, &self.tr.t(label_key), None, control)
    }

    /// A select of a filter: the blank first option means every value.
    pub fn filter_select(
        &self,
        name: &str,
        label_key: &str,
        blank_key: &str,
        options: &[(String, String)],
    ) -> Markup {
        let id = self.id(name);
        let current = self.values.get(name);
        let control = html! {
            select.select id=(id) name=(name)
                aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, false)] {
                option value="" { (self.tr.t(blank_key)) }
                @for (value, label) in options {
                    option value=(value) selected[current == value] { (label) }
                }
            }
        };
        self.wrap(name, &self.tr.t(label_key), None, control)
    }

    pub fn checkbox(&self, name: &str, label_key: &str) -> Markup {
        let id = self.id(name);
        html! {
            div.choice {
                input id=(id) name=(name) type="checkbox" checked[self.values.checked(name)];
                label for=(id) { (self.tr.t(label_key)) }
            }
        }
    }

    /// The list of errors at the top of a form, linking to each field.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.errors.is_empty() {
                div.notice.notice--error role="alert" tabindex="-1" {
                    h2 { (self.tr.t("errors-title")) }
                    ul {
                        @for e in self.errors {
                            li { a href={ "#" (self.id(&e.field)) } { (self.tr.t(e.key)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A success notice named in the query (`?notice=…`), if it is one of ours.
pub fn notice(ctx: &Ctx<'_>, key: Option<&str>) -> Markup {
    match key
        .filter(|k| k.starts_with("notice-") && k.len() < 60 && ctx.tr.i18n.has(ctx.tr.lang, k))
    {
        Some(k) => html! { div.notice.notice--success role="status" { p { (ctx.t(k)) } } },
        None => html! {},
    }
}

/// Rows one page of a long list shows (contacts, timeline events): months of
/// intensive help; the rest is a link away, and a phone need not scroll
/// through years.
pub const PAGE_ROWS: usize = 50;

/// Which of `len` rows page `page` (from 1) shows, and how many pages there
/// are. A page beyond the last shows the last; 0 the first.
pub fn page_of(len: usize, page: usize) -> (std::ops::Range<usize>, usize) {
    let pages = len.div_ceil(PAGE_ROWS).max(1);
    let start = (page.clamp(1, pages) - 1) * PAGE_ROWS;
    (start..(start + PAGE_ROWS).min(len), pages)
}

/// A page number from a query string; anything else is the first page.
pub fn page_number(raw: Option<&str>) -> usize {
    raw.and_then(|p| p.parse().ok()).unwrap_or(1)
}

/// The badge of an episode state.
pub fn state_badge(ctx: &Ctx<'_>, state: wrapcare_core::episode::EpisodeState) -> Markup {
    use wrapcare_core::episode::EpisodeState as S;
    let class = match state {
        S::Waiting => "badge badge--warning",
        S::Assigned => "badge badge--info",
        S::InCare => "badge badge--ok",
        S::Closed | S::Withdrawn => "badge badge--neutral",
    };
    html! { span class=(class) { (ctx.t(&format!("state-{}", state.as_str()))) } }
}

pub fn urgency_badge(ctx: &Ctx<'_>, urgency: wrapcare_core::referral::Urgency) -> Markup {
    use wrapcare_core::referral::Urgency as U;
    let class = match urgency {
        U::Crisis => "badge badge--danger",
        U::High => "badge badge--warning",
        U::Normal => "badge badge--neutral",
    };
    html! { span class=(class) { (ctx.t(&format!("urgency-{}", urgency.as_str()))) } }
}

/// A status the user must see for the error and the form again (422), or the error page.
pub fn form_error(
    state: &AppState,
    user: &PageUser,
    error: AppError,
) -> Result<Vec<FieldError>, Response> {
    match error {
        AppError::Invalid(invalid) => Ok(invalid.0),
        AppError::Conflict(key) => Ok(vec![FieldError {
            field: "form".into(),
            key,
        }]),
        AppError::Stale => Ok(vec![FieldError {
            field: "form".into(),
            key: "error-stale",
        }]),
        other => Err(error_page(state, user.lang, Some(user), &other)),
    }
}

/// Whether the actor is a supervisor of a team.
pub fn is_supervisor(actor: &Actor) -> bool {
    actor.role == Role::Supervisor
}

#[cfg(test)]
mod tests {
    /// Every page handler reads a posted form through `CsrfForm`; only the
    /// login and logout (with their own checks, in `auth.rs`) read one raw.
    #[test]
    fn no_page_reads_a_form_without_the_csrf_check() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
        let entries = std::fs::read_dir(&dir).expect("pages directory");
        let mut checked = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".rs") || name == "auth.rs" || name == "mod.rs" {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("page source");
            for raw in ["Posted", "axum::Form", "Form<", "extract::Form"] {
                assert!(
                    !source.contains(raw),
                    "{name} reads a form with {raw}; use CsrfForm"
                );
            }
            checked += 1;
        }
        assert!(checked >= 8, "only {checked} page modules found");
    }
}
