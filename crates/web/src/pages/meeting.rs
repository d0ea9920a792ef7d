//! The team's weekly meeting: the list with the proposed agenda and the
//! team's topics over time, one meeting with its agenda, discussion,
//! decisions and action items, its print view, and putting a family forward
//! with an intervision question.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use wrapcare_app::meeting::{
    ActionView, DiscussionInput, DomainOption, ItemInput, ItemView, MeetingInput, MeetingView,
    MeetingsView, QuestionInput,
};
use wrapcare_core::FieldError;
use wrapcare_core::meeting::{ActionInput, AgendaReason, Principle};

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn principle_label(ctx: &Ctx<'_>, p: Principle) -> String {
    ctx.t(&format!("principle-{}", p.as_str())).into_owned()
}

fn reason_badge(ctx: &Ctx<'_>, reason: AgendaReason) -> Markup {
    let class = match reason {
        AgendaReason::Signals => "badge badge--warning",
        AgendaReason::Intervision => "badge badge--info",
        AgendaReason::Added | AgendaReason::Topic => "badge badge--neutral",
    };
    html! { span class=(class) { (ctx.t(&format!("agenda-reason-{}", reason.as_str()))) } }
}

/// The open or done actions as a list, with a button to mark an open one done.
pub(crate) fn actions_list(
    ctx: &Ctx<'_>,
    actions: &[ActionView],
    back: &str,
    show_origin: bool,
) -> Markup {
    html! {
        @if actions.is_empty() { p.meta { (ctx.t("actions-none")) } } @else {
            ul.actions-list {
                @for a in actions {
                    li.action-item class=[a.overdue.then_some("is-flagged")] {
                        p {
                            strong { (a.description) }
                            " · " (a.owner_name) " · "
                            (ctx.tr.t1("action-due", "date", ctx.tr.date(a.due_on)))
                            @if a.overdue { " " span.badge.badge--danger { (ctx.t("action-overdue")) } }
                            @if let Some(done) = a.done_on { " " span.badge.badge--ok { (ctx.tr.t1("action-done-on", "date", ctx.tr.date(done))) } }
                        }
                        @if show_origin {
                            p.meta {
                                a href={ "/meetings/" (a.meeting_id) } { (ctx.tr.t1("action-from-meeting", "date", ctx.tr.date(a.held_on))) }
                                @if let Some(name) = &a.family_name { " · " (ctx.tr.t1("signal-family", "surname", name.clone())) }
                                @if !a.topic.is_empty() { " · " (a.topic) }
                            }
                        }
                        @if a.done_on.is_none() {
                            form method="post" action={ "/actions/" (a.id) "/done" } {
                                (ctx.csrf())
                                input type="hidden" name="version" value=(a.version);
                                input type="hidden" name="back" value=(back);
                                button.button.button--secondary.button--small type="submit" {
                                    (ctx.t("action-mark-done")) span.visually-hidden { ": " (a.description) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A life domain's name in the reader's language.
pub(crate) fn domain_label<'a>(tr: crate::i18n::Tr<'_>, d: &'a DomainOption) -> &'a str {
    if tr.lang == crate::i18n::Lang::En {
        &d.name_en
    } else {
        &d.name_nl
    }
}

/// A domain code's name among the known ones; the code itself if unknown.
fn domain_of<'a>(ctx: &Ctx<'_>, domains: &'a [DomainOption], code: &'a str) -> &'a str {
    domains
        .iter()
        .find(|o| o.code == code)
        .map_or(code, |o| domain_label(ctx.tr, o))
}

/// The colleagues to choose from: those seconded to the team then.
fn worker_options(view_workers: &[wrapcare_app::meeting::WorkerRef]) -> Vec<(String, String)> {
    view_workers
        .iter()
        .filter(|w| w.seconded)
        .map(|w| (w.worker_id.to_string(), w.name.clone()))
        .collect()
}

fn list_body(
    ctx: &Ctx<'_>,
    view: &MeetingsView,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
) -> Markup {
    let fields = Fields::new(ctx.tr, errors, values);
    let workers = worker_options(&view.workers);
    html! {
        h1 { (ctx.t("meetings-title")) }
        p.lead { (ctx.t("meetings-lead")) }
        (notice(ctx, notice_key))
        (fields.summary())
        section aria-labelledby="proposed" {
            h2 #proposed { (ctx.t("meetings-proposed")) }
            @if view.proposed.is_empty() { p.meta { (ctx.t("meetings-proposed-none")) } } @else {
                ol.agenda-proposal {
                    @for p in &view.proposed {
                        li {
                            a href={ "/families/" (p.family_id) } { (ctx.tr.t1("signal-family", "surname", p.family_name.clone())) }
                            " " (reason_badge(ctx, p.reason))
                            @if !p.signals.is_empty() {
                                span.meta { " · " @for (n, k) in p.signals.iter().enumerate() { @if n > 0 { ", " } (super::signal::kind_label(ctx, *k)) } }
                            }
                            @if !p.question.is_empty() { p.meta { (p.question) } }
                        }
                    }
                }
            }
            @if view.may_open {
                form.form.card method="post" action="/meetings" {
                    h3 { (ctx.t("meetings-open-title")) }
                    (ctx.csrf())
                    div.field-row {
                        (fields.input("held_on", "meeting-date", "date", true, None))
                        (fields.select("chair_worker_id", "meeting-chair", &workers, false))
                        (fields.select("minute_taker_worker_id", "meeting-minute-taker", &workers, false))
                    }
                    div.actions { button.button.button--primary #open-meeting type="submit" { (ctx.t("meetings-open-button")) } }
                }
            }
        }
        section aria-labelledby="meetings-held" {
            h2 #meetings-held { (ctx.t("meetings-list")) }
            @if view.meetings.is_empty() { p.meta { (ctx.t("meetings-none")) } } @else {
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                    table.data-table {
                        caption.visually-hidden { (ctx.t("meetings-list")) }
                        thead { tr {
                            th scope="col" { (ctx.t("meeting-date")) }
                            th scope="col" class="num" { (ctx.t("meetings-items")) }
                            th scope="col" class="num" { (ctx.t("meetings-open-actions")) }
                        } }
                        tbody { @for m in &view.meetings { tr {
                            td { a href={ "/meetings/" (m.id) } { (ctx.tr.date(m.held_on)) } }
                            td.num { (m.items) }
                            td.num { (m.open_actions) }
                        } } }
                    }
                }
            }
        }
        section aria-labelledby="open-actions" {
            h2 #open-actions { (ctx.t("meetings-actions-open")) }
            (actions_list(ctx, &view.open_actions, "/meetings", true))
        }
        section aria-labelledby="topics" {
            h2 #topics { (ctx.t("meetings-topics")) }
            p.meta { (ctx.t("meetings-topics-lead")) }
            @if view.topics.is_empty() { p.meta { (ctx.t("meetings-topics-none")) } } @else {
                ul.topics {
                    @for t in &view.topics {
                        li.card {
                            h3 { (t.title) }
                            p.meta {
                                a href={ "/meetings/" (t.meeting_id) } { (ctx.tr.date(t.held_on)) }
                                " · " @for (n, p) in t.principles.iter().enumerate() { @if n > 0 { ", " } (principle_label(ctx, *p)) }
                            }
                            @if !t.advice.is_empty() { p { (t.advice) } }
                            (actions_list(ctx, &t.actions, "/meetings", false))
                        }
                    }
                }
            }
        }
    }
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .meetings(&user.actor)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "/meetings");
    let title = ctx.t("meetings-title");
    let body = if status == StatusCode::OK && errors.is_empty() && notice_key.is_none() {
        // As read: what was rendered of this view for this session (its
        // CSRF token is in the forms) and language serves again.
        let variant = format!("{}|{}", ctx.tr.lang.code(), user.csrf);
        let html = view.renditions.get_or_render(&variant, || {
            list_body(&ctx, &view, values, errors, None).into_string()
        });
        PreEscaped(html.to_string())
    } else {
        list_body(&ctx, &view, values, errors, notice_key)
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let today = FormData::new(vec![("held_on".into(), state.app.today().to_string())]);
    list_page(
        &state,
        &user,
        &today,
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn optional_id(form: &FormData, name: &str) -> Option<i64> {
    form.get(name).trim().parse().ok()
}

pub async fn open(State(state): State<AppState>, CsrfForm(user, form): CsrfForm) -> PageResult {
    let input = MeetingInput {
        held_on: form.get("held_on").to_string(),
        chair_worker_id: optional_id(&form, "chair_worker_id"),
        minute_taker_worker_id: optional_id(&form, "minute_taker_worker_id"),
    };
    match state.app.open_meeting(&user.actor, &input).await {
        Ok(id) => Ok(
            Redirect::to(&format!("/meetings/{id}?notice=notice-meeting-opened")).into_response(),
        ),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            list_page(
                &state,
                &user,
                &form,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// What a failed form on the meeting page brings back: which item, its
/// errors and what was typed.
struct Refused<'a> {
    item: Option<i64>,
    form: &'a str,
    errors: &'a [FieldError],
    values: &'a FormData,
}

fn item_section(
    ctx: &Ctx<'_>,
    view: &MeetingView,
    n: usize,
    i: &ItemView,
    refused: Option<&Refused<'_>>,
) -> Markup {
    let empty = FormData::default();
    let here = |form: &str| refused.filter(|r| r.item == Some(i.id) && r.form == form);
    let discussion = FormData::new(vec![
        ("question".into(), i.question.clone()),
        ("notes".into(), i.notes.clone()),
        ("advice".into(), i.advice.clone()),
    ]);
    let prefix = format!("item-{}", i.id);
    let d_fields = match here("discussion") {
        Some(r) => Fields::new(ctx.tr, r.errors, r.values),
        None => Fields::new(ctx.tr, &[], &discussion),
    }
    .prefixed(&prefix);
    let a_fields = match here("action") {
        Some(r) => Fields::new(ctx.tr, r.errors, r.values),
        None => Fields::new(ctx.tr, &[], &empty),
    }
    .prefixed(&prefix);
    let workers = worker_options(&view.workers);
    let base = format!("/meetings/{}/items/{}", view.id, i.id);
    let recorded = !(i.question.is_empty() && i.notes.is_empty() && i.advice.is_empty());
    let heading = match (&i.family_name, i.family_id) {
        (Some(name), Some(_)) => ctx.tr.t1("signal-family", "surname", name.clone()),
        _ => i.title.clone(),
    };
    html! {
        section.card.agenda-item id={ "item-" (i.id) } aria-labelledby={ "item-title-" (i.id) } {
            h2 id={ "item-title-" (i.id) } { (n + 1) ". " (heading) " " (reason_badge(ctx, i.reason)) }
            @if let Some(f) = i.family_id { p.no-print { a href={ "/families/" (f) } { (ctx.t("meeting-open-file")) } } }
            @if !i.principles.is_empty() {
                p.meta { (ctx.t("meeting-principles")) ": " @for (k, p) in i.principles.iter().enumerate() { @if k > 0 { ", " } (principle_label(ctx, *p)) } }
            }
            @if !i.signals.is_empty() {
                p.meta { (ctx.t("meeting-signals")) ": " @for (k, s) in i.signals.iter().enumerate() { @if k > 0 { ", " } (super::signal::kind_label(ctx, *s)) } }
            }
            @if !i.domains.is_empty() {
                p.meta { (ctx.t("meeting-domains")) ": " @for (k, d) in i.domains.iter().enumerate() { @if k > 0 { ", " } (domain_of(ctx, &view.domains, d)) } }
            }
            @if !i.suggestions.is_empty() {
                div.suggestions {
                    p { strong { (ctx.t("meeting-suggestions")) } }
                    ul { @for s in &i.suggestions { li {
                        (s.name) " (" (s.organisation) ") · "
                        @for (k, d) in s.domains.iter().enumerate() { @if k > 0 { ", " } (domain_of(ctx, &view.domains, d)) }
                    } } }
                }
            }
            @if view.may_arrange {
                div.item-tools.no-print {
                    @for (dir, key) in [("up", "meeting-move-up"), ("down", "meeting-move-down")] {
                        form method="post" action={ (base) "/move" } {
                            (ctx.csrf())
                            input type="hidden" name="direction" value=(dir);
                            button.button.button--secondary.button--small type="submit" { (ctx.t(key)) span.visually-hidden { ": " (heading) } }
                        }
                    }
                    @if i.actions.is_empty() {
                        form method="post" action={ (base) "/remove" } {
                            (ctx.csrf())
                            button.button.button--secondary.button--small type="submit" { (ctx.t("meeting-remove-item")) span.visually-hidden { ": " (heading) } }
                        }
                    }
                }
            }
            @if recorded {
                div.discussion {
                    @if !i.question.is_empty() { p { strong { (ctx.t("meeting-question")) ": " } (i.question) } }
                    @if !i.notes.is_empty() { p { strong { (ctx.t("meeting-notes")) ": " } (i.notes) } }
                    @if !i.advice.is_empty() { p { strong { (ctx.t("meeting-advice")) ": " } (i.advice) } }
                }
            }
            details.no-print.discussion-form open[!recorded || here("discussion").is_some()] {
                summary { (ctx.t(if recorded { "meeting-edit-discussion" } else { "meeting-record-discussion" })) span.visually-hidden { ": " (heading) } }
                form.form method="post" action={ (base) "/discussion" } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(i.version);
                    @if here("discussion").is_some() { (d_fields.summary()) }
                    (d_fields.textarea("question", "meeting-question", false, None))
                    (d_fields.textarea("notes", "meeting-notes", false, None))
                    (d_fields.textarea("advice", "meeting-advice", false, None))
                    div.actions { button.button.button--secondary type="submit" { (ctx.t("meeting-save-discussion")) span.visually-hidden { ": " (heading) } } }
                }
            }
            h3 { (ctx.t("meeting-decisions")) }
            (actions_list(ctx, &i.actions, &format!("/meetings/{}", view.id), false))
            form.form.no-print method="post" action={ (base) "/actions" } {
                (ctx.csrf())
                @if here("action").is_some() { (a_fields.summary()) }
                (a_fields.input("description", "action-description", "text", true, None))
                div.field-row {
                    (a_fields.select("owner_worker_id", "action-owner", &workers, true))
                    (a_fields.input("due_on", "action-due-on", "date", true, None))
                }
                div.actions { button.button.button--primary type="submit" { (ctx.t("action-add")) span.visually-hidden { ": " (heading) } } }
            }
        }
    }
}

fn meeting_body(
    ctx: &Ctx<'_>,
    view: &MeetingView,
    notice_key: Option<&str>,
    refused: Option<&Refused<'_>>,
) -> Markup {
    let name_of = |id: Option<i64>| {
        id.and_then(|w| view.workers.iter().find(|x| x.worker_id == w))
            .map(|w| w.name.clone())
            .unwrap_or_else(|| "—".into())
    };
    let empty = FormData::default();
    let add = match refused.filter(|r| r.form == "add") {
        Some(r) => Fields::new(ctx.tr, r.errors, r.values),
        None => Fields::new(ctx.tr, &[], &empty),
    };
    let families: Vec<(String, String)> = view
        .families
        .iter()
        .map(|f| (f.family_id.to_string(), f.surname.clone()))
        .collect();
    html! {
        p.no-print { a href="/meetings" { "← " (ctx.t("meetings-title")) } }
        h1 { (ctx.tr.t1("meeting-title", "date", ctx.tr.date(view.held_on))) }
        (notice(ctx, notice_key))
        @for e in refused.map(|r| r.errors).unwrap_or(&[]).iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        dl.summary-list {
            div { dt { (ctx.t("meeting-chair")) } dd { (name_of(view.chair_worker_id)) } }
            div { dt { (ctx.t("meeting-minute-taker")) } dd { (name_of(view.minute_taker_worker_id)) } }
        }
        p.no-print {
            a href={ "/meetings/" (view.id) "/print" } { (ctx.t("meeting-print")) }
            " · "
            a href={ "/meetings/" (view.id) "/pdf" } { (ctx.t("meeting-pdf")) }
        }
        p.attendees {
            strong { (ctx.t("meeting-attendees")) ": " }
            @if view.attendees.is_empty() { (ctx.t("meeting-attendees-none")) } @else {
                @for (k, w) in view.workers.iter().filter(|w| view.attendees.contains(&w.worker_id)).enumerate() { @if k > 0 { ", " } (w.name) }
            }
        }
        details.card.no-print {
            summary { (ctx.t("meeting-attendance")) }
            form.form method="post" action={ "/meetings/" (view.id) "/attendance" } {
                (ctx.csrf())
                fieldset {
                    legend { (ctx.t("meeting-attendees")) }
                    @for w in view.workers.iter().filter(|w| w.seconded || view.attendees.contains(&w.worker_id)) {
                        div.choice {
                            input type="checkbox" id={ "attendee-" (w.worker_id) } name="attendees" value=(w.worker_id) checked[view.attendees.contains(&w.worker_id)];
                            label for={ "attendee-" (w.worker_id) } { (w.name) " (" (w.organisation) ")" }
                        }
                    }
                }
                button.button.button--secondary type="submit" { (ctx.t("save")) }
            }
        }
        h2 { (ctx.t("meeting-agenda")) }
        @if view.items.is_empty() { p.meta { (ctx.t("meeting-agenda-empty")) } }
        @for (n, i) in view.items.iter().enumerate() { (item_section(ctx, view, n, i, refused)) }
        section.card aria-labelledby="earlier-actions" {
            h2 #earlier-actions { (ctx.t("meeting-earlier-actions")) }
            (actions_list(ctx, &view.open_actions, &format!("/meetings/{}", view.id), true))
        }
        @if view.may_arrange {
            section.card.no-print aria-labelledby="add-item" {
                h2 #add-item { (ctx.t("meeting-add-title")) }
                @if refused.is_some_and(|r| r.form == "add") { (add.summary()) }
                form.form method="post" action={ "/meetings/" (view.id) "/items" } {
                    (ctx.csrf())
                    (add.select("family_id", "meeting-add-family", &families, false))
                    div.actions { button.button.button--secondary #add-family type="submit" { (ctx.t("meeting-add-family-button")) } }
                }
                form.form method="post" action={ "/meetings/" (view.id) "/items" } {
                    (ctx.csrf())
                    (add.input("title", "meeting-topic-title", "text", true, Some("hint-meeting-topic")))
                    fieldset {
                        legend { (ctx.t("meeting-principles")) }
                        @for p in Principle::ALL {
                            div.choice {
                                input type="checkbox" id={ "principle-" (p.as_str()) } name="principles" value=(p.as_str());
                                label for={ "principle-" (p.as_str()) } { (principle_label(ctx, p)) }
                            }
                        }
                    }
                    div.actions { button.button.button--secondary #add-topic type="submit" { (ctx.t("meeting-add-topic-button")) } }
                }
            }
        }
    }
}

async fn meeting_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice_key: Option<&str>,
    refused: Option<&Refused<'_>>,
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .meeting(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "/meetings");
    let title = ctx
        .tr
        .t1("meeting-title", "date", ctx.tr.date(view.held_on));
    let body = meeting_body(&ctx, &view, notice_key, refused);
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    meeting_page(&state, &user, id, q.notice.as_deref(), None, StatusCode::OK).await
}

/// The print view: the agenda and minutes without forms.
pub async fn print(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let view = state
        .app
        .meeting(&user.actor, id)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/meetings");
    let title = ctx
        .tr
        .t1("meeting-title", "date", ctx.tr.date(view.held_on));
    let attended: Vec<&str> = view
        .workers
        .iter()
        .filter(|w| view.attendees.contains(&w.worker_id))
        .map(|w| w.name.as_str())
        .collect();
    let body = html! {
        p.no-print { a href={ "/meetings/" (view.id) } { "← " (title) } }
        h1 { (title) }
        p { strong { (ctx.t("meeting-attendees")) ": " } (if attended.is_empty() { "—".to_string() } else { attended.join(", ") }) }
        @for (n, i) in view.items.iter().enumerate() {
            section.print-item {
                h2 { (n + 1) ". " (i.family_name.as_ref().map(|s| ctx.tr.t1("signal-family", "surname", s.clone())).unwrap_or_else(|| i.title.clone())) }
                @if !i.question.is_empty() { p { strong { (ctx.t("meeting-question")) ": " } (i.question) } }
                @if !i.notes.is_empty() { p { strong { (ctx.t("meeting-notes")) ": " } (i.notes) } }
                @if !i.advice.is_empty() { p { strong { (ctx.t("meeting-advice")) ": " } (i.advice) } }
                @if !i.actions.is_empty() {
                    ul { @for a in &i.actions { li { (a.description) " · " (a.owner_name) " · " (ctx.tr.t1("action-due", "date", ctx.tr.date(a.due_on))) } } }
                }
            }
        }
        @if !view.open_actions.is_empty() {
            h2 { (ctx.t("meeting-earlier-actions")) }
            ul { @for a in &view.open_actions { li { (a.description) " · " (a.owner_name) " · " (ctx.tr.t1("action-due", "date", ctx.tr.date(a.due_on))) } } }
        }
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

/// Which form of the meeting page was posted, about which item.
struct Sent<'a> {
    item: Option<i64>,
    form: &'a str,
    values: &'a FormData,
}

/// After a form of the meeting page: back to it with the notice (at the item),
/// or the page again with the errors by that form's fields.
async fn after(
    state: &AppState,
    user: &PageUser,
    id: i64,
    done: wrapcare_app::Result<()>,
    notice_key: &str,
    posted: Sent<'_>,
) -> PageResult {
    let Sent {
        item,
        form: form_name,
        values: form,
    } = posted;
    match done {
        Ok(()) => {
            let anchor = item.map(|i| format!("#item-{i}")).unwrap_or_default();
            Ok(
                Redirect::to(&format!("/meetings/{id}?notice={notice_key}{anchor}"))
                    .into_response(),
            )
        }
        Err(e) => {
            let errors = form_error(state, user, e)?;
            let refused = Refused {
                item,
                form: form_name,
                errors: &errors,
                values: form,
            };
            meeting_page(
                state,
                user,
                id,
                None,
                Some(&refused),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn attendance(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let workers: Vec<i64> = form
        .all("attendees")
        .iter()
        .filter_map(|w| w.parse().ok())
        .collect();
    let done = state.app.set_attendance(&user.actor, id, &workers).await;
    after(
        &state,
        &user,
        id,
        done,
        "notice-meeting-attendance",
        Sent {
            item: None,
            form: "attendance",
            values: &form,
        },
    )
    .await
}

pub async fn add_item(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = ItemInput {
        family_id: optional_id(&form, "family_id"),
        title: form.get("title").to_string(),
        principles: form
            .all("principles")
            .iter()
            .map(|p| p.to_string())
            .collect(),
    };
    let done = state.app.add_agenda_item(&user.actor, id, &input).await;
    after(
        &state,
        &user,
        id,
        done,
        "notice-meeting-item-added",
        Sent {
            item: None,
            form: "add",
            values: &form,
        },
    )
    .await
}

pub async fn move_item(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let up = form.get("direction") == "up";
    let done = state.app.move_agenda_item(&user.actor, id, item, up).await;
    after(
        &state,
        &user,
        id,
        done,
        "notice-meeting-item-moved",
        Sent {
            item: Some(item),
            form: "move",
            values: &form,
        },
    )
    .await
}

pub async fn remove_item(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let done = state.app.remove_agenda_item(&user.actor, id, item).await;
    after(
        &state,
        &user,
        id,
        done,
        "notice-meeting-item-removed",
        Sent {
            item: None,
            form: "remove",
            values: &form,
        },
    )
    .await
}

pub async fn discussion(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = DiscussionInput {
        question: form.get("question").to_string(),
        notes: form.get("notes").to_string(),
        advice: form.get("advice").to_string(),
        version: form.get("version").parse().unwrap_or_default(),
    };
    let done = state
        .app
        .record_discussion(&user.actor, id, item, &input)
        .await;
    after(
        &state,
        &user,
        id,
        done,
        "notice-meeting-discussion",
        Sent {
            item: Some(item),
            form: "discussion",
            values: &form,
        },
    )
    .await
}

pub async fn decide(
    State(state): State<AppState>,
    Path((id, item)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = ActionInput {
        description: form.get("description").to_string(),
        owner_worker_id: form.get("owner_worker_id").to_string(),
        due_on: form.get("due_on").to_string(),
    };
    let done = state
        .app
        .decide(&user.actor, id, item, &input)
        .await
        .map(|_| ());
    after(
        &state,
        &user,
        id,
        done,
        "notice-action-added",
        Sent {
            item: Some(item),
            form: "action",
            values: &form,
        },
    )
    .await
}

/// Where to go back to after marking an action done: a meeting, the list or
/// the coordinator's day; never elsewhere.
fn back_to(raw: &str) -> String {
    let meeting = raw
        .strip_prefix("/meetings/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if meeting || raw == "/meetings" || raw == "/day" {
        raw.to_string()
    } else {
        "/meetings".into()
    }
}

pub async fn action_done(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let version = form.get("version").parse().unwrap_or_default();
    let back = back_to(form.get("back"));
    match state.app.complete_action(&user.actor, id, version).await {
        Ok(_) => Ok(Redirect::to(&format!("{back}?notice=notice-action-done")).into_response()),
        Err(e) => Err(error_page(&state, user.lang, Some(&user), &e)),
    }
}

async fn question_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    // The family's file decides who may put it forward; reading it checks access.
    let family = state
        .app
        .family(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let domains = state
        .app
        .life_domains()
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("intervision-title");
    let chosen = values.all("domains");
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        p.lead { (ctx.tr.t1("intervision-lead", "surname", family.surname.clone())) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        form.form method="post" action={ "/families/" (id) "/intervision" } {
            (ctx.csrf())
            (fields.textarea("question", "meeting-question", true, Some("hint-intervision-question")))
            fieldset id="domains" {
                legend { (ctx.t("meeting-domains")) }
                @for d in &domains {
                    div.choice {
                        input type="checkbox" id={ "domain-" (d.code) } name="domains" value=(d.code) checked[chosen.contains(&d.code.as_str())];
                        label for={ "domain-" (d.code) } { (domain_label(ctx.tr, d)) }
                    }
                }
            }
            div.actions { button.button.button--primary #put-forward type="submit" { (ctx.t("intervision-button")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn question_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    question_page(&state, &user, id, &FormData::default(), &[], StatusCode::OK).await
}

pub async fn put_forward(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = QuestionInput {
        question: form.get("question").to_string(),
        domains: form.all("domains").iter().map(|d| d.to_string()).collect(),
    };
    match state.app.put_forward(&user.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/families/{id}?notice=notice-put-forward")).into_response())
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            question_page(
                &state,
                &user,
                id,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The agenda and minutes as a PDF, with the same content as the print view.
pub async fn pdf(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, axum::response::Response> {
    let view = state
        .app
        .meeting(&user.actor, id)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/meetings");
    let document = minutes_document(&ctx, &view);
    let bytes = super::plan::render_off_thread(move || wrapcare_pdf::minutes_pdf(&document))
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    Ok(super::plan::pdf_file(
        bytes,
        "teamoverleg",
        &view.held_on.format("%Y%m%d").to_string(),
    ))
}

fn minutes_document(ctx: &Ctx<'_>, view: &MeetingView) -> wrapcare_pdf::MinutesDocument {
    use wrapcare_pdf::{MinutesDocument, MinutesItem, Section, Table};
    let name_of = |id: Option<i64>| {
        id.and_then(|w| view.workers.iter().find(|x| x.worker_id == w))
            .map_or_else(|| "—".to_string(), |w| w.name.clone())
    };
    let attended: Vec<&str> = view
        .workers
        .iter()
        .filter(|w| view.attendees.contains(&w.worker_id))
        .map(|w| w.name.as_str())
        .collect();
    let table = |heading: String, actions: &[ActionView], origin: bool| Table {
        heading,
        empty: ctx.t("actions-none").into_owned(),
        columns: vec![
            ctx.t("action-description").into_owned(),
            ctx.t("action-owner").into_owned(),
            ctx.t("action-due-on").into_owned(),
        ],
        rows: actions
            .iter()
            .map(|a| {
                let mut what = a.description.clone();
                if origin {
                    let from = ctx
                        .tr
                        .t1("action-from-meeting", "date", ctx.tr.date(a.held_on));
                    let about = a
                        .family_name
                        .as_ref()
                        .map(|s| ctx.tr.t1("signal-family", "surname", s.clone()))
                        .unwrap_or_else(|| a.topic.clone());
                    what = format!("{what} ({from} · {about})");
                }
                let due = match a.done_on {
                    Some(done) => format!(
                        "{} · {}",
                        ctx.tr.date(a.due_on),
                        ctx.tr.t1("action-done-on", "date", ctx.tr.date(done))
                    ),
                    None => ctx.tr.date(a.due_on),
                };
                vec![what, a.owner_name.clone(), due]
            })
            .collect(),
    };
    let items = view
        .items
        .iter()
        .enumerate()
        .map(|(n, i)| {
            let heading = match &i.family_name {
                Some(name) => ctx.tr.t1("signal-family", "surname", name.clone()),
                None => i.title.clone(),
            };
            let mut meta = vec![
                ctx.t(&format!("agenda-reason-{}", i.reason.as_str()))
                    .into_owned(),
            ];
            if !i.principles.is_empty() {
                let names: Vec<String> = i
                    .principles
                    .iter()
                    .map(|p| principle_label(ctx, *p))
                    .collect();
                meta.push(format!(
                    "{}: {}",
                    ctx.t("meeting-principles"),
                    names.join(", ")
                ));
            }
            MinutesItem {
                heading: format!("{}. {heading}", n + 1),
                meta: meta.join(" · "),
                sections: [
                    ("meeting-question", &i.question),
                    ("meeting-notes", &i.notes),
                    ("meeting-advice", &i.advice),
                ]
                .into_iter()
                .map(|(key, text)| Section {
                    heading: ctx.t(key).into_owned(),
                    text: text.clone(),
                })
                .collect(),
                actions: table(ctx.t("meeting-decisions").into_owned(), &i.actions, false),
            }
        })
        .collect();
    let lines = vec![
        format!(
            "{}: {}",
            ctx.t("meeting-chair"),
            name_of(view.chair_worker_id)
        ),
        format!(
            "{}: {}",
            ctx.t("meeting-minute-taker"),
            name_of(view.minute_taker_worker_id)
        ),
        format!(
            "{}: {}",
            ctx.t("meeting-attendees"),
            if attended.is_empty() {
                ctx.t("meeting-attendees-none").into_owned()
            } else {
                attended.join(", ")
            }
        ),
    ];
    MinutesDocument {
        lang: ctx.tr.lang.code().to_string(),
        title: ctx
            .tr
            .t1("meeting-title", "date", ctx.tr.date(view.held_on)),
        lines,
        footer: ctx.t("meeting-pdf-footer").into_owned(),
        items,
        earlier: table(
            ctx.t("meeting-earlier-actions").into_owned(),
            &view.open_actions,
            true,
        ),
    }
}
