//! The attention page: every open signal of the team (a coordinator's own),
//! most urgent first, each with its reason, the figures behind it and where
//! it is acted on; acknowledging one takes a note.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use fluent_bundle::FluentValue;
use maud::{Markup, html};
use wrapcare_app::signal::{
    AcknowledgeInput, AttentionFilter, AttentionView, SIGNALS_PAGE, SignalView,
};
use wrapcare_core::FieldError;
use wrapcare_core::role::Role;
use wrapcare_core::signal::{SignalKind, Urgency, may_acknowledge};

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

/// The reason of a signal in words, from its figures; minutes are also
/// offered as hours (`last_week_minutes` → `last_week_hours`).
pub fn reason(ctx: &Ctx<'_>, s: &SignalView) -> String {
    let mut args: Vec<(String, FluentValue<'static>)> = Vec::with_capacity(s.figures.len() * 2);
    for f in &s.figures {
        args.push((f.name.to_string(), FluentValue::from(f.value)));
        if let Some(base) = f.name.strip_suffix("_minutes") {
            args.push((
                format!("{base}_hours"),
                FluentValue::from(ctx.tr.dec1(f.value as f64 / 60.0)),
            ));
        }
        if f.name == "capacity_tenths" {
            args.push((
                "capacity".into(),
                FluentValue::from(ctx.tr.dec1(f.value as f64 / 10.0)),
            ));
        }
    }
    let borrowed: Vec<(&str, FluentValue<'_>)> =
        args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    ctx.tr.i18n.t_args(
        ctx.tr.lang,
        &format!("signal-reason-{}", s.kind.as_str()),
        &borrowed,
    )
}

pub fn kind_label(ctx: &Ctx<'_>, kind: SignalKind) -> String {
    ctx.t(&format!("signal-kind-{}", kind.as_str()))
        .into_owned()
}

fn urgency_class(u: Urgency) -> &'static str {
    match u {
        Urgency::Now => "badge badge--danger",
        Urgency::Soon => "badge badge--warning",
        Urgency::Watch => "badge badge--info",
    }
}

/// The link that says where a signal is acted on.
fn act_label(ctx: &Ctx<'_>, s: &SignalView) -> String {
    let what = if s.link.ends_with("/plan") {
        "signal-open-plan"
    } else if s.link.ends_with("/contacts") {
        "signal-open-contacts"
    } else if s.link.ends_with("/modules") {
        "signal-open-modules"
    } else if s.link.ends_with("/questionnaires") {
        "signal-open-questionnaires"
    } else if s.link == "/caseloads" {
        "signal-open-caseloads"
    } else if s.link.starts_with("/meetings/") {
        "signal-open-meeting"
    } else {
        "signal-open-family"
    };
    ctx.t(what).into_owned()
}

/// What a signal is about, in words: a questionnaire's title and who
/// answers it in the reader's language, anything else as gathered.
fn about_text(ctx: &Ctx<'_>, s: &SignalView, about: &str) -> String {
    if s.kind != wrapcare_core::signal::SignalKind::MeasurementOverdue {
        return about.to_string();
    }
    let (instrument, respondent) = about.split_once('/').unwrap_or((about, ""));
    let title = wrapcare_app::questionnaire::catalogue()
        .ok()
        .and_then(|c| c.get(instrument))
        .map_or_else(
            || instrument.to_string(),
            |i| i.title.get(ctx.tr.lang.code()).to_string(),
        );
    match wrapcare_core::questionnaire::Respondent::parse(respondent) {
        Some(r) => format!(
            "{title} · {}",
            super::questionnaire::respondent_label(ctx, r)
        ),
        None => title,
    }
}

/// What a failed acknowledgement brings back to the page.
pub(crate) struct Refused<'a> {
    key: &'a str,
    errors: &'a [FieldError],
    values: &'a FormData,
}

/// One signal as a card: whom it is about, why, and what to do.
pub(crate) fn card(
    ctx: &Ctx<'_>,
    s: &SignalView,
    back: &str,
    refused: Option<&Refused<'_>>,
) -> Markup {
    let role = ctx.user.map(|u| u.actor.role);
    let may = role.is_some_and(|r| may_acknowledge(r, s.kind));
    let refused_here = refused.filter(|r| r.key == s.key);
    let form_id = format!("ack-{}", s.key.replace(['/', ':'], "-"));
    let empty = FormData::default();
    html! {
        li class={ "signal signal--" (s.urgency.as_str()) @if s.acknowledged.is_some() { " signal--acknowledged" } } {
            div.signal__head {
                span class=(urgency_class(s.urgency)) { (ctx.t(&format!("signal-urgency-{}", s.urgency.as_str()))) }
                " "
                strong { (kind_label(ctx, s.kind)) }
                @if s.acknowledged.is_some() { " " span.badge.badge--neutral { (ctx.t("signal-acknowledged")) } }
            }
            p.signal__who {
                @if let (Some(id), Some(name)) = (s.family_id, &s.family_surname) {
                    a href={ "/families/" (id) } { (ctx.tr.t1("signal-family", "surname", name.clone())) }
                    @if let Some(c) = &s.coordinator_name { span.meta { " · " (c) } }
                } @else if let Some(name) = &s.coordinator_name {
                    strong { (name) }
                }
            }
            p.signal__reason { (reason(ctx, s)) }
            @if let Some(about) = &s.about { p.signal__about { (about_text(ctx, s, about)) } }
            p { a href=(s.link) { (act_label(ctx, s)) } }
            @if let Some(ack) = &s.acknowledged {
                p.signal__ack {
                    (ctx.tr.t2("signal-acknowledged-by", ("name", ack.by.clone().into()), ("date", ctx.tr.datetime(ack.at).into())))
                    ": " (ack.note)
                }
            } @else if may {
                details.signal__acknowledge open[refused_here.is_some()] {
                    summary { (ctx.t("signal-acknowledge")) }
                    form method="post" action="/signals/acknowledge" id=(form_id) {
                        (ctx.csrf())
                        input type="hidden" name="key" value=(s.key);
                        input type="hidden" name="cause" value=(s.cause);
                        input type="hidden" name="back" value=(back);
                        // One note field per card: ids of their own, so that
                        // each label and hint belongs to its own field.
                        @let fields = match refused_here {
                            Some(r) => Fields::new(ctx.tr, r.errors, r.values),
                            None => Fields::new(ctx.tr, &[], &empty),
                        }.prefixed(&form_id);
                        (fields.summary())
                        @let note = fields.textarea("note", "field-acknowledge-note", true, Some("hint-acknowledge-note"));
                        (note)
                        button.button.button--secondary type="submit" { (ctx.t("button-acknowledge")) }
                    }
                }
            }
        }
    }
}

/// The filter's query string, to come back to the same view after a post.
fn query_of(filter: &AttentionFilter) -> String {
    let mut parts = Vec::new();
    if let Some(c) = filter.coordinator {
        parts.push(format!("coordinator={c}"));
    }
    if let Some(k) = filter.kind {
        parts.push(format!("kind={}", k.as_str()));
    }
    if let Some(u) = filter.urgency {
        parts.push(format!("urgency={}", u.as_str()));
    }
    parts.join("&")
}

fn render(
    ctx: &Ctx<'_>,
    view: &AttentionView,
    filter: &AttentionFilter,
    notice_key: Option<&str>,
    refused: Option<&Refused<'_>>,
) -> Markup {
    let title = ctx.t("signals-title");
    let is_supervisor = ctx.user.is_some_and(|u| u.actor.role == Role::Supervisor);
    let query = query_of(filter);
    // The app hands one page of signals; the links lead to the others.
    let page = view.page;
    let pages = view.pages;
    let from = (page - 1) * SIGNALS_PAGE + usize::from(!view.signals.is_empty());
    let to = (page - 1) * SIGNALS_PAGE + view.signals.len();
    let page_link = |to: usize| {
        let mut link = String::from("/signals?");
        if !query.is_empty() {
            link.push_str(&query);
            link.push('&');
        }
        link.push_str(&format!("page={to}"));
        link
    };
    let back = match (query.is_empty(), page) {
        (true, 1) => "/signals".to_string(),
        (false, 1) => format!("/signals?{query}"),
        _ => page_link(page),
    };
    let selected_coordinator = filter
        .coordinator
        .map(|c| c.to_string())
        .unwrap_or_default();
    let selected_kind = filter.kind.map(|k| k.as_str()).unwrap_or("");
    let selected_urgency = filter.urgency.map(|u| u.as_str()).unwrap_or("");
    html! {
        h1 { (title) }
        (notice(ctx, notice_key))
        @if let Some(r) = refused {
            @if !view.signals.iter().any(|s| s.key == r.key) {
                div.notice.notice--error role="alert" { @for e in r.errors { p { (ctx.t(e.key)) } } }
            }
        }
        p.lead { (ctx.tr.t1("signals-lead", "count", view.total as i64)) }
        form.filter method="get" action="/signals" {
            div.filter__fields {
                @if is_supervisor {
                    div.field {
                        label for="coordinator" { (ctx.t("filter-coordinator")) }
                        select.select id="coordinator" name="coordinator" {
                            option value="" { (ctx.t("filter-all")) }
                            @for c in &view.coordinators {
                                option value=(c.worker_id) selected[selected_coordinator == c.worker_id.to_string()] { (c.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="kind" { (ctx.t("filter-kind")) }
                    select.select id="kind" name="kind" {
                        option value="" { (ctx.t("filter-all")) }
                        @for k in SignalKind::ALL {
                            option value=(k.as_str()) selected[selected_kind == k.as_str()] { (kind_label(ctx, k)) }
                        }
                    }
                }
                div.field {
                    label for="urgency" { (ctx.t("filter-urgency")) }
                    select.select id="urgency" name="urgency" {
                        option value="" { (ctx.t("filter-all")) }
                        @for u in Urgency::ALL {
                            option value=(u.as_str()) selected[selected_urgency == u.as_str()] { (ctx.t(&format!("signal-urgency-{}", u.as_str()))) }
                        }
                    }
                }
            }
            button.button type="submit" { (ctx.t("filter-apply")) }
        }
        @if !view.counts.is_empty() {
            h2.visually-hidden { (ctx.t("signals-by-kind")) }
            ul.chips aria-label=(ctx.t("signals-by-kind")) {
                @for c in &view.counts {
                    li { a.chip href={ "/signals?kind=" (c.kind.as_str()) @if let Some(w) = filter.coordinator { "&coordinator=" (w) } }
                        aria-current=[(filter.kind == Some(c.kind)).then_some("true")] {
                        (kind_label(ctx, c.kind)) " " span.chip__count { (c.count) } } }
                }
            }
        }
        @if view.signals.is_empty() {
            p.empty { (ctx.t("signals-empty")) }
        }
        @for urgency in Urgency::ALL {
            @let of_urgency: Vec<&SignalView> = view.signals.iter().filter(|s| s.urgency == urgency).collect();
            @if !of_urgency.is_empty() {
                @let all = view.by_urgency.iter().find(|c| c.urgency == urgency).map_or(0, |c| c.count);
                section.signals aria-labelledby={ "urgency-" (urgency.as_str()) } {
                    h2 id={ "urgency-" (urgency.as_str()) } { (ctx.t(&format!("signals-heading-{}", urgency.as_str()))) " (" (all) ")" }
                    ol.signal-list {
                        @for s in of_urgency { (card(ctx, s, &back, refused)) }
                    }
                }
            }
        }
        @if pages > 1 {
            nav.pager aria-label=(ctx.t("signals-pages")) {
                p { (ctx.tr.t3("signals-page-of", ("from", (from as i64).into()), ("to", (to as i64).into()), ("count", (view.total as i64).into()))) }
                @if page > 1 {
                    p { a #signals-previous href=(page_link(page - 1)) { "← " (ctx.t("signals-previous")) } }
                }
                @if page < pages {
                    p { a #signals-next href=(page_link(page + 1)) { (ctx.tr.t1("signals-next", "count", view.total.saturating_sub(to) as i64)) " →" } }
                }
            }
        }
    }
}

fn filter_of(
    state: &AppState,
    user: &PageUser,
    q: &FormData,
) -> Result<AttentionFilter, axum::response::Response> {
    AttentionFilter::parse(
        q.get("coordinator"),
        q.get("kind"),
        q.get("urgency"),
        q.get("page"),
    )
    .map_err(|e| error_page(state, user.lang, Some(user), &e))
}

pub async fn attention(
    State(state): State<AppState>,
    user: PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let q = FormData::new(pairs);
    let filter = filter_of(&state, &user, &q)?;
    let view = state
        .app
        .attention(&user.actor, &filter)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/signals");
    let title = ctx.t("signals-title");
    let notice_key = q.opt("notice");
    match notice_key.as_deref() {
        // As read, with no notice: the page rendered of these signals for
        // this session (its name and CSRF token are in it), language and
        // filter serves again.
        None => {
            let variant = format!(
                "{}|{}|{}|{}",
                ctx.tr.lang.code(),
                user.csrf,
                query_of(&filter),
                view.page
            );
            let html = view.renditions.get_or_render(&variant, || {
                layout(&ctx, &title, render(&ctx, &view, &filter, None, None)).into_string()
            });
            Ok(super::kept_page(html))
        }
        notice => Ok(html_response(
            StatusCode::OK,
            layout(&ctx, &title, render(&ctx, &view, &filter, notice, None)),
        )),
    }
}

/// Where to go back to after acknowledging: the attention page with its
/// filter, or the coordinator's day; never elsewhere.
fn back_to(raw: &str) -> &str {
    let allowed = raw == "/" || raw == "/day" || raw == "/signals" || raw.starts_with("/signals?");
    let safe = raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/?=&_-".contains(c));
    if allowed && safe { raw } else { "/signals" }
}

pub async fn acknowledge(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = AcknowledgeInput {
        key: form.get("key").to_string(),
        cause: form.get("cause").to_string(),
        note: form.get("note").to_string(),
    };
    let back = back_to(form.get("back"));
    match state.app.acknowledge_signal(&user.actor, &input).await {
        Ok(()) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(
                Redirect::to(&format!("{back}{sep}notice=notice-signal-acknowledged"))
                    .into_response(),
            )
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            let query = back.split_once('?').map_or("", |(_, q)| q);
            let pairs: Vec<(String, String)> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let filter = filter_of(&state, &user, &FormData::new(pairs))?;
            let view = state
                .app
                .attention(&user.actor, &filter)
                .await
                .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
            let ctx = Ctx::new(&state, &user, "/signals");
            let title = ctx.t("signals-title");
            let refused = Refused {
                key: &input.key,
                errors: &errors,
                values: &form,
            };
            let body = render(&ctx, &view, &filter, None, Some(&refused));
            Ok(html_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(&ctx, &title, body),
            ))
        }
    }
}
