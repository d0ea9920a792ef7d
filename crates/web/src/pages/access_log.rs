//! The access-log review for privacy officers and supervisors: who looked at
//! or changed which family file, emergency accesses with their reasons, and
//! the export. Families appear by number only; nothing of a file is shown.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use wrapcare_app::AppError;
use wrapcare_app::access_log::{AccessLogExport, ReviewEntry, ReviewTally, ReviewUser};
use wrapcare_core::access_log::{Outcome, ReviewInput};

use super::{Ctx, Fields, PageResult, error_page, form_error, html_response, layout};
use crate::AppState;
use crate::forms::FormData;
use crate::session::{PageUser, urlencode};

/// The filters in the order the form shows them, as they came in the query.
const FILTERS: [&str; 7] = [
    "from",
    "until",
    "user",
    "family",
    "action",
    "outcome",
    "emergency",
];

/// The filters as a query string (without the page cursor), to link on.
fn query_of(pairs: &[(String, String)], replace: &[(&str, &str)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for name in FILTERS {
        let value = replace
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .or_else(|| {
                pairs
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.trim().to_string())
            });
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", urlencode(&v)));
        }
    }
    parts.join("&")
}

fn link(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

fn form_values(pairs: &[(String, String)]) -> FormData {
    FormData::new(
        FILTERS
            .iter()
            .filter_map(|name| {
                pairs
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(k, v)| (k.clone(), v.clone()))
            })
            .collect(),
    )
}

fn role_label(ctx: &Ctx<'_>, role: &str) -> String {
    let key = format!("role-{role}");
    if ctx.tr.i18n.has(ctx.tr.lang, &key) {
        ctx.t(&key).into_owned()
    } else {
        role.to_string()
    }
}

fn outcome_badge(ctx: &Ctx<'_>, outcome: &str) -> Markup {
    let class = match Outcome::parse(outcome) {
        Some(Outcome::Allowed) => "badge badge--ok",
        Some(Outcome::Refused) => "badge badge--danger",
        Some(Outcome::NotFound) | None => "badge badge--warning",
    };
    html! { span class=(class) { (ctx.t(&format!("outcome-{outcome}"))) } }
}

/// The links between the review's views, the current one marked.
fn views(ctx: &Ctx<'_>, current: &str) -> Markup {
    let items = [
        ("/access-log", "access-log-view-all"),
        ("/access-log?outcome=refused", "access-log-view-refused"),
        ("/access-log?emergency=on", "access-log-view-emergency"),
        (
            "/access-log/emergency-accesses",
            "access-log-view-emergency-accesses",
        ),
    ];
    html! {
        nav.subnav aria-label=(ctx.t("access-log-views")) {
            ul {
                @for (href, key) in items {
                    li {
                        @if href == current { a href=(href) aria-current="page" { (ctx.t(key)) } }
                        @else { a href=(href) { (ctx.t(key)) } }
                    }
                }
            }
        }
    }
}

/// The filter form; `path` is where it sends to.
fn filter_form(
    ctx: &Ctx<'_>,
    fields: &Fields<'_>,
    path: &str,
    people: &[ReviewUser],
    with_entries: bool,
) -> Markup {
    let users: Vec<(String, String)> = people
        .iter()
        .map(|u| {
            (
                u.id.to_string(),
                format!("{} ({})", u.name, role_label(ctx, &u.role)),
            )
        })
        .collect();
    let outcomes: Vec<(String, String)> = Outcome::ALL
        .iter()
        .map(|o| {
            (
                o.as_str().to_string(),
                ctx.t(&format!("outcome-{}", o.as_str())).into_owned(),
            )
        })
        .collect();
    html! {
        form.form.no-print method="get" action=(path) {
            div.field-row {
                (fields.input("from", "field-from", "date", false, None))
                (fields.input("until", "field-until", "date", false, None))
            }
            div.field-row {
                (fields.select("user", "access-log-field-user", &users, false))
                (fields.input("family", "access-log-field-family", "text", false, Some("access-log-field-family-hint")))
            }
            @if with_entries {
                div.field-row {
                    (fields.input("action", "access-log-field-action", "text", false, Some("access-log-field-action-hint")))
                    (fields.select("outcome", "access-log-field-outcome", &outcomes, false))
                }
                (fields.checkbox("emergency", "access-log-field-emergency"))
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("show-button")) } }
        }
    }
}

fn tally_table(
    ctx: &Ctx<'_>,
    caption: &str,
    rows: &[ReviewTally],
    by_user: bool,
    pairs: &[(String, String)],
) -> Markup {
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(caption) {
            table.data-table {
                caption.visually-hidden { (caption) }
                thead { tr {
                    th scope="col" { @if by_user { (ctx.t("access-log-col-user")) } @else { (ctx.t("access-log-col-family")) } }
                    th scope="col" class="num" { (ctx.t("access-log-col-entries")) }
                    th scope="col" class="num" { (ctx.t("access-log-col-refused")) }
                    th scope="col" { (ctx.t("access-log-col-first")) }
                    th scope="col" { (ctx.t("access-log-col-last")) }
                } }
                tbody {
                    @for t in rows {
                        tr {
                            @let id = t.id.to_string();
                            th scope="row" {
                                @if by_user {
                                    a href=(link("/access-log", &query_of(pairs, &[("user", &id), ("family", "")]))) {
                                        (t.name.clone().unwrap_or_else(|| id.clone()))
                                    }
                                    @if let Some(role) = &t.role { br; span.hint { (role_label(ctx, role)) } }
                                } @else {
                                    a href=(link("/access-log", &query_of(pairs, &[("family", &id), ("user", "")]))) {
                                        (ctx.tr.t1("access-log-family-number", "id", t.id))
                                    }
                                }
                            }
                            td.num { (t.entries) }
                            td.num { (t.refused) }
                            td { (ctx.tr.datetime(t.first_at)) }
                            td { (ctx.tr.datetime(t.last_at)) }
                        }
                    }
                }
            }
        }
    }
}

/// What a list showed or a change changed, short enough for a table cell.
fn detail_text(entry: &ReviewEntry) -> Option<String> {
    let text = entry.detail.as_ref()?.to_string();
    let mut short: String = text.chars().take(120).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    Some(short)
}

fn entries_table(ctx: &Ctx<'_>, entries: &[ReviewEntry], pairs: &[(String, String)]) -> Markup {
    let at = ctx.t("access-log-col-at");
    let who = ctx.t("access-log-col-user");
    let family = ctx.t("access-log-col-family");
    let action = ctx.t("access-log-col-action");
    let outcome = ctx.t("access-log-col-outcome");
    let how = ctx.t("access-log-col-how");
    let detail = ctx.t("access-log-col-detail");
    // On a phone each entry stacks its cells under their names; the explicit
    // roles keep it a table for screen readers when CSS changes its display.
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("access-log-entries")) {
            table.data-table.stack-table #access-entries role="table" {
                caption.visually-hidden { (ctx.t("access-log-entries")) }
                thead role="rowgroup" { tr role="row" {
                    @for name in [&at, &who, &family, &action, &outcome, &how, &detail] {
                        th scope="col" role="columnheader" { (name) }
                    }
                } }
                tbody role="rowgroup" {
                    @for e in entries {
                        tr role="row" {
                            td.when role="cell" data-label=(at) { (ctx.tr.datetime(e.at)) }
                            td role="cell" data-label=(who) {
                                @match (e.user_id, &e.user_name) {
                                    (Some(id), Some(name)) => {
                                        a href=(link("/access-log", &query_of(pairs, &[("user", &id.to_string())]))) { (name) }
                                    }
                                    _ => {}
                                }
                                " " span.hint.hint--inline { (role_label(ctx, &e.role)) }
                            }
                            td role="cell" data-label=(family) {
                                @if let Some(f) = e.family_id {
                                    a href=(link("/access-log", &query_of(pairs, &[("family", &f.to_string())]))) {
                                        (ctx.tr.t1("access-log-family-number", "id", f))
                                    }
                                }
                            }
                            td role="cell" data-label=(action) { code { (e.action) } }
                            td role="cell" data-label=(outcome) { (outcome_badge(ctx, &e.outcome)) }
                            td role="cell" data-label=(how) {
                                (ctx.t(&format!("channel-{}", e.channel)))
                                @if let Some(a) = &e.address { " " span.hint.hint--inline { (a) } }
                            }
                            td role="cell" data-label=(detail) {
                                @if let Some(reason) = &e.emergency_reason {
                                    span.badge.badge--warning { (ctx.t("access-log-emergency")) }
                                    " " (reason)
                                }
                                @if let Some(d) = detail_text(e) { code.detail { (d) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The review: the filters, the tally of a user or a family, and the entries.
pub async fn review(
    State(state): State<AppState>,
    user: PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let input = ReviewInput::from_pairs(&pairs);
    let (review, errors) = match state.app.review_access_log(&user.actor, &input).await {
        Ok(r) => (Some(r), Vec::new()),
        Err(e) => (None, form_error(&state, &user, e)?),
    };
    let ctx = Ctx::new(&state, &user, "/access-log");
    let title = ctx.t("access-log-title");
    let values = form_values(&pairs);
    let fields = Fields::new(ctx.tr, &errors, &values);
    let current = if input.outcome.as_deref() == Some("refused") && input.emergency.is_none() {
        "/access-log?outcome=refused"
    } else if input.emergency.is_some() && input.outcome.is_none() {
        "/access-log?emergency=on"
    } else {
        "/access-log"
    };
    let people = review
        .as_ref()
        .map(|r| r.people.as_slice())
        .unwrap_or_default();
    let query = query_of(&pairs, &[]);
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("access-log-lead")) }
        @if review.as_ref().is_some_and(|r| r.team_id.is_some()) {
            p.notice.notice--info { (ctx.t("access-log-team-scope")) }
        }
        (views(&ctx, current))
        (fields.summary())
        (filter_form(&ctx, &fields, "/access-log", people, true))
        @if let Some(r) = &review {
            p.actions {
                a.button.button--secondary #export-csv href=(link("/access-log/export", &query)) download {
                    (ctx.t("access-log-export"))
                }
            }
            @if !r.families.is_empty() {
                h2 { (ctx.t("access-log-families-of-user")) }
                (tally_table(&ctx, &ctx.t("access-log-families-of-user"), &r.families, false, &pairs))
            }
            @if !r.users.is_empty() {
                h2 { (ctx.t("access-log-users-of-family")) }
                (tally_table(&ctx, &ctx.t("access-log-users-of-family"), &r.users, true, &pairs))
            }
            h2 { (ctx.t("access-log-entries")) }
            @if r.entries.is_empty() {
                p #no-entries { (ctx.t("access-log-none")) }
            } @else {
                (entries_table(&ctx, &r.entries, &pairs))
                @if let Some(older) = r.older {
                    p.actions {
                        a.button.button--secondary href=(link("/access-log", &format!("{}before={older}", if query.is_empty() { String::new() } else { format!("{query}&") }))) {
                            (ctx.t("access-log-older"))
                        }
                    }
                }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

/// The emergency accesses of the period with their reasons.
pub async fn emergency_accesses(
    State(state): State<AppState>,
    user: PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let input = ReviewInput::from_pairs(&pairs);
    let (review, errors) = match state
        .app
        .review_emergency_accesses(&user.actor, &input)
        .await
    {
        Ok(r) => (Some(r), Vec::new()),
        Err(e) => (None, form_error(&state, &user, e)?),
    };
    // The users to narrow to come from the entries' review, which the same scope allows.
    let ctx = Ctx::new(&state, &user, "/access-log/emergency-accesses");
    let title = ctx.t("emergency-review-title");
    let values = form_values(&pairs);
    let fields = Fields::new(ctx.tr, &errors, &values);
    let people: Vec<ReviewUser> = review
        .as_ref()
        .map(|r| {
            let mut seen: Vec<ReviewUser> = Vec::new();
            for a in &r.accesses {
                if !seen.iter().any(|u| u.id == a.user_id) {
                    seen.push(ReviewUser {
                        id: a.user_id,
                        name: a.user_name.clone(),
                        role: a.user_role.clone(),
                    });
                }
            }
            seen.sort_by(|a, b| a.name.cmp(&b.name));
            seen
        })
        .unwrap_or_default();
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("emergency-review-lead")) }
        @if review.as_ref().is_some_and(|r| r.team_id.is_some()) {
            p.notice.notice--info { (ctx.t("access-log-team-scope")) }
        }
        (views(&ctx, "/access-log/emergency-accesses"))
        (fields.summary())
        (filter_form(&ctx, &fields, "/access-log/emergency-accesses", &people, false))
        @if let Some(r) = &review {
            @if r.accesses.is_empty() {
                p #no-emergency-accesses { (ctx.t("emergency-review-none")) }
            } @else {
                ul.access-cards #emergency-review {
                    @for a in &r.accesses {
                        li.card.card--warning {
                            h2 {
                                (ctx.tr.t1("access-log-family-number", "id", a.family_id))
                                " · " (ctx.tr.datetime(a.granted_at))
                            }
                            dl.summary-list {
                                div { dt { (ctx.t("access-log-col-user")) } dd { (a.user_name) " (" (role_label(&ctx, &a.user_role)) ")" } }
                                div { dt { (ctx.t("emergency-reason")) } dd.reason { (a.reason) } }
                                div { dt { (ctx.t("emergency-review-col-until")) } dd { (ctx.tr.datetime(a.expires_at)) } }
                            }
                            p {
                                a href={ "/access-log?emergency=on&user=" (a.user_id) "&family=" (a.family_id) } {
                                    (ctx.tr.t1("emergency-review-entries", "count", a.entries))
                                }
                            }
                        }
                    }
                }
                // What was done under these accesses: from the period's first
                // day on, as entries follow their access (up to a day later).
                p.actions {
                    a.button.button--secondary #export-emergency-csv
                        href=(link("/access-log/export", &query_of(&pairs, &[("emergency", "on"), ("until", "")]))) download {
                        (ctx.t("emergency-review-export"))
                    }
                }
            }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

/// The entries a review selects as CSV, streamed in chunks.
pub async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let input = ReviewInput::from_pairs(&pairs);
    let export = state
        .app
        .export_access_log(&user.actor, &input)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    Ok(csv_response(export, &state.app.today().to_string()))
}

/// A CSV download that reads the export chunk by chunk as the client takes it.
pub fn csv_response(export: AccessLogExport, day: &str) -> Response {
    let stream = futures_stream(export);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"access-log-{day}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// The export as a stream of body chunks; an error ends it, which cuts the
/// download short rather than leaving a file that looks complete.
fn futures_stream(
    export: AccessLogExport,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, AppError>> + Send {
    futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                crate::problem::log_internal(&e);
                Some((Err(e), None))
            }
        }
    })
}
