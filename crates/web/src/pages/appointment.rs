//! The coordinator's day (their home page), a family's appointments with the
//! form to plan one, settling an appointment (confirm it as a contact or
//! record that it did not happen), and the personal calendar feed.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::appointment::{
    AppointmentView, CalendarView, ConfirmInput, DayView, FeedView, NotHappenedInput,
};
use wrapcare_core::FieldError;
use wrapcare_core::appointment::{AppointmentInput, AppointmentStatus, plannable};
use wrapcare_core::contact::ContactKind;

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

fn hours(ctx: &Ctx<'_>, minutes: i64) -> String {
    ctx.tr.dec1(minutes as f64 / 60.0)
}

fn kind_label(ctx: &Ctx<'_>, kind: ContactKind) -> String {
    ctx.t(&format!("contact-kind-{}", kind.as_str()))
        .into_owned()
}

fn plannable_kinds(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    ContactKind::ALL
        .into_iter()
        .filter(|k| plannable(*k))
        .map(|k| (k.as_str().to_string(), kind_label(ctx, k)))
        .collect()
}

fn contact_kinds(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    ContactKind::ALL
        .into_iter()
        .map(|k| (k.as_str().to_string(), kind_label(ctx, k)))
        .collect()
}

fn status_badge(ctx: &Ctx<'_>, a: &AppointmentView) -> Markup {
    let (class, key) = match a.status {
        AppointmentStatus::Planned if a.to_settle => {
            ("badge badge--warning", "appointment-to-settle")
        }
        AppointmentStatus::Planned => ("badge badge--info", "appointment-status-planned"),
        AppointmentStatus::Confirmed => ("badge badge--ok", "appointment-status-confirmed"),
        AppointmentStatus::NotHappened => {
            ("badge badge--neutral", "appointment-status-not_happened")
        }
    };
    html! { span class=(class) { (ctx.t(key)) } }
}

/// One appointment as a list item: when, with whom, what, and (unless on
/// its own settle page) what to do.
fn item(ctx: &Ctx<'_>, a: &AppointmentView, with_family: bool, with_day: bool) -> Markup {
    item_with(ctx, a, with_family, with_day, true)
}

fn item_with(
    ctx: &Ctx<'_>,
    a: &AppointmentView,
    with_family: bool,
    with_day: bool,
    settle_link: bool,
) -> Markup {
    html! {
        li.appointment {
            p.appointment__when {
                strong {
                    @if with_day { (ctx.tr.date(a.on)) " · " }
                    (a.starts_at) "–" (a.ends_at)
                }
                " " (status_badge(ctx, a))
            }
            p.appointment__what {
                (kind_label(ctx, a.kind))
                @if with_family {
                    " · " a href={ "/families/" (a.family_id) "/appointments" } { (ctx.tr.t1("signal-family", "surname", a.family_name.clone())) }
                }
                @if !a.place.is_empty() { " · " (a.place) }
            }
            @if !a.participants.is_empty() { p.meta { (ctx.t("appointment-participants")) ": " (a.participants) } }
            @if !a.purpose.is_empty() { p.meta { (a.purpose) } }
            @if let Some(reason) = &a.not_happened_reason { p.meta { (ctx.t("appointment-not-happened-reason")) ": " (reason) } }
            @if a.to_settle && settle_link {
                p { a.button.button--secondary.button--small href={ "/appointments/" (a.id) "/settle" } {
                    (ctx.t("appointment-settle")) span.visually-hidden { " " (ctx.tr.date(a.on)) " " (a.starts_at) }
                } }
            }
        }
    }
}

fn list(
    ctx: &Ctx<'_>,
    items: &[AppointmentView],
    with_family: bool,
    with_day: bool,
    empty_key: &str,
) -> Markup {
    html! {
        @if items.is_empty() { p.meta { (ctx.t(empty_key)) } } @else {
            ul.appointments { @for a in items { (item(ctx, a, with_family, with_day)) } }
        }
    }
}

fn day_body(ctx: &Ctx<'_>, view: &DayView, notice_key: Option<&str>) -> Markup {
    let percent = if view.week_norm_minutes > 0 {
        view.week_minutes * 100 / view.week_norm_minutes
    } else {
        0
    };
    html! {
        h1 { (ctx.t("day-title")) }
        p.lead { (ctx.tr.date(view.today)) }
        (notice(ctx, notice_key))
        div.day {
            section.card aria-labelledby="day-today" {
                h2 #day-today { (ctx.t("day-today")) }
                (list(ctx, &view.today_appointments, true, false, "day-no-appointments-today"))
            }
            @if !view.to_settle.is_empty() {
                section.card aria-labelledby="day-to-settle" {
                    h2 #day-to-settle { (ctx.t("day-to-settle")) }
                    p.meta { (ctx.t("day-to-settle-lead")) }
                    (list(ctx, &view.to_settle, true, true, "day-no-appointments"))
                }
            }
            section.card aria-labelledby="day-hours" {
                h2 #day-hours { (ctx.t("day-hours")) }
                p #day-hours-figure {
                    (ctx.tr.t2("day-hours-of", ("done", hours(ctx, view.week_minutes).into()), ("norm", hours(ctx, view.week_norm_minutes).into())))
                    @if view.week_norm_minutes > 0 { " (" (percent) "%)" }
                }
                p.meta { (ctx.tr.t2("day-hours-basis", ("families", view.caseload.into()), ("hours", hours(ctx, view.weekly_minutes_per_family).into()))) }
            }
            section.card aria-labelledby="day-week" {
                h2 #day-week { (ctx.t("day-later-this-week")) }
                @if view.later_this_week.is_empty() { p.meta { (ctx.t("day-no-appointments")) } }
                // By day, as a week is planned; the day is in the heading.
                @for day in view.later_this_week.chunk_by(|a, b| a.on == b.on) {
                    h3.day__date { (ctx.tr.date(day[0].on)) }
                    ul.appointments { @for a in day { (item(ctx, a, true, false)) } }
                }
            }
        }
        section aria-labelledby="day-actions" {
            h2 #day-actions { (ctx.t("day-actions")) }
            (super::meeting::actions_list(ctx, &view.actions, "/day", true))
        }
        @if !view.questionnaires_due.is_empty() {
            section aria-labelledby="day-questionnaires" {
                h2 #day-questionnaires { (ctx.t("day-questionnaires")) }
                ul.list {
                    @for q in &view.questionnaires_due {
                        li {
                            a href={ "/families/" (q.family_id) "/questionnaires" } { (ctx.tr.t1("signal-family", "surname", q.family_surname.clone())) }
                            " · " (super::questionnaire::instrument_title(ctx, &q.instrument))
                            " · " (super::questionnaire::respondent_label(ctx, q.respondent))
                            " · " (ctx.tr.t1("questionnaire-due-on", "date", ctx.tr.date(q.due_on)))
                        }
                    }
                }
            }
        }
        section aria-labelledby="day-signals" {
            h2 #day-signals { (ctx.t("day-signals")) }
            @if view.signals.is_empty() { p.meta { (ctx.t("signals-empty")) } } @else {
                // The most urgent here; all of them on the attention page.
                ul.signal-list { @for s in &view.signals { (super::signal::card(ctx, s, "/day", None)) } }
                @if view.signals_total > view.signals.len() {
                    p { a #day-signals-all href="/signals" { (ctx.tr.t1("day-signals-all", "count", view.signals_total as i64)) " →" } }
                }
            }
        }
        p.no-print { a href="/calendar" { (ctx.t("calendar-link")) } }
    }
}

pub async fn day(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let view = state
        .app
        .day(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/day");
    let title = ctx.t("day-title");
    match q.notice.as_deref() {
        // As read, with no notice: the page rendered of this day for this
        // session (its name and CSRF token are in it) and language in this
        // minute serves again; the next minute may have appointments over.
        None => {
            let variant = format!(
                "{}|{}|{}",
                ctx.tr.lang.code(),
                user.csrf,
                view.as_of.format("%Y-%m-%dT%H:%M")
            );
            let html = view.renditions.get_or_render(&variant, || {
                layout(&ctx, &title, day_body(&ctx, &view, None)).into_string()
            });
            Ok(super::kept_page(html))
        }
        notice => Ok(html_response(
            StatusCode::OK,
            layout(&ctx, &title, day_body(&ctx, &view, notice)),
        )),
    }
}

async fn family_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .family_appointments(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("appointments-title");
    let overlap = errors.iter().any(|e| e.key == "error-appointment-overlap");
    let (coming, past): (Vec<_>, Vec<_>) = view
        .appointments
        .iter()
        .cloned()
        .partition(|a| a.status == AppointmentStatus::Planned && !a.to_settle);
    let mut coming = coming;
    coming.reverse();
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        @if view.may_plan {
            section.card.no-print {
                h2 { (ctx.t("appointment-plan-title")) }
                form.form method="post" action={ "/families/" (id) "/appointments" } {
                    (ctx.csrf())
                    div.field-row {
                        (fields.input("on", "appointment-date", "date", true, None))
                        (fields.input("starts_at", "appointment-starts", "time", true, None))
                        (fields.input("ends_at", "appointment-ends", "time", true, None))
                    }
                    (fields.select("kind", "appointment-kind", &plannable_kinds(&ctx), true))
                    (fields.input("place", "appointment-place", "text", false, Some("hint-appointment-place")))
                    (fields.input("participants", "appointment-participants", "text", false, None))
                    (fields.textarea("purpose", "appointment-purpose", false, Some("hint-appointment-purpose")))
                    @if overlap { (fields.checkbox("confirm_overlap", "appointment-confirm-overlap")) }
                    div.actions { button.button.button--primary #plan-appointment type="submit" { (ctx.t("appointment-plan-button")) } }
                }
            }
        }
        h2 { (ctx.t("appointments-coming")) }
        (list(&ctx, &coming, false, true, "appointments-none-coming"))
        h2 { (ctx.t("appointments-past")) }
        (list(&ctx, &past, false, true, "appointments-none-past"))
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn family(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let today = FormData::new(vec![("on".into(), state.app.today().to_string())]);
    family_page(
        &state,
        &user,
        id,
        &today,
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn appointment_input(form: &FormData) -> AppointmentInput {
    AppointmentInput {
        on: form.get("on").to_string(),
        starts_at: form.get("starts_at").to_string(),
        ends_at: form.get("ends_at").to_string(),
        kind: form.get("kind").to_string(),
        place: form.get("place").to_string(),
        participants: form.get("participants").to_string(),
        purpose: form.get("purpose").to_string(),
        confirm_overlap: form.checked("confirm_overlap"),
    }
}

pub async fn plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state
        .app
        .plan_appointment(&user.actor, id, &appointment_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/appointments?notice=notice-appointment-planned"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            family_page(
                &state,
                &user,
                id,
                &form,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn settle_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: Option<&FormData>,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let form = state
        .app
        .settle_form(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let a = &form.appointment;
    let prefilled = FormData::new(vec![
        ("contact_on".into(), form.contact.contact_on.clone()),
        ("minutes".into(), form.contact.minutes.clone()),
        ("kind".into(), form.contact.kind.clone()),
        ("participants".into(), form.contact.participants.clone()),
        ("note".into(), form.contact.note.clone()),
        ("version".into(), a.version.to_string()),
    ]);
    let values = values.unwrap_or(&prefilled);
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("appointment-settle-title");
    let body = html! {
        p { a href="/day" { "← " (ctx.t("day-title")) } }
        h1 { (title) }
        ul.appointments { (item_with(&ctx, a, true, true, false)) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        section.card {
            h2 { (ctx.t("appointment-confirm-title")) }
            p.meta { (ctx.t("appointment-confirm-lead")) }
            form.form method="post" action={ "/appointments/" (a.id) "/confirm" } {
                (ctx.csrf())
                input type="hidden" name="version" value=(a.version);
                div.field-row {
                    (fields.input("contact_on", "contacts-date", "date", true, None))
                    (fields.input("minutes", "contacts-minutes", "number", true, Some("hint-contacts-minutes")))
                    (fields.select("kind", "contacts-kind", &contact_kinds(&ctx), true))
                }
                (fields.input("participants", "contacts-participants", "text", false, None))
                (fields.textarea("note", "contacts-note", false, None))
                div.actions { button.button.button--primary #confirm-appointment type="submit" { (ctx.t("appointment-confirm-button")) } }
            }
        }
        section.card {
            h2 { (ctx.t("appointment-not-happened-title")) }
            form.form method="post" action={ "/appointments/" (a.id) "/not-happened" } {
                (ctx.csrf())
                input type="hidden" name="version" value=(a.version);
                (fields.input("reason", "appointment-not-happened-reason", "text", true, Some("hint-appointment-not-happened")))
                div.actions { button.button.button--secondary #not-happened type="submit" { (ctx.t("appointment-not-happened-button")) } }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn settle_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    settle_page(&state, &user, id, None, &[], StatusCode::OK).await
}

fn version_of(form: &FormData) -> i64 {
    form.get("version").parse().unwrap_or_default()
}

/// After a settle step: to the day with its notice, or the form again with
/// the errors by the field.
async fn settled(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: &FormData,
    done: wrapcare_app::Result<AppointmentView>,
    notice_key: &str,
) -> PageResult {
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/day?notice={notice_key}")).into_response()),
        Err(e) => {
            let errors = form_error(state, user, e)?;
            settle_page(
                state,
                user,
                id,
                Some(form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = ConfirmInput {
        contact: super::contact::input(&form),
        version: version_of(&form),
    };
    let done = state.app.confirm_appointment(&user.actor, id, &input).await;
    settled(
        &state,
        &user,
        id,
        &form,
        done,
        "notice-appointment-confirmed",
    )
    .await
}

pub async fn not_happened(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = NotHappenedInput {
        reason: form.get("reason").to_string(),
        version: version_of(&form),
    };
    let done = state
        .app
        .appointment_not_happened(&user.actor, id, &input)
        .await;
    settled(
        &state,
        &user,
        id,
        &form,
        done,
        "notice-appointment-not-happened",
    )
    .await
}

/// The address of a feed, as a calendar program subscribes to it: on the
/// host the user reached this page at.
fn feed_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    super::site_url(state, headers, &format!("/ical/{token}.ics"))
}

fn calendar_body(ctx: &Ctx<'_>, url: Option<&str>, view: &CalendarView) -> Markup {
    html! {
        p { a href="/day" { "← " (ctx.t("day-title")) } }
        h1 { (ctx.t("calendar-title")) }
        p.lead { (ctx.t("calendar-lead")) }
        @if let Some(url) = url {
            div.notice.notice--success role="status" {
                p { (ctx.t("calendar-new-link")) }
                p { code #calendar-url { (url) } }
                p { (ctx.t("calendar-new-link-once")) }
            }
        } @else if let Some(since) = view.since {
            p #calendar-since { (ctx.tr.t1("calendar-since", "date", ctx.tr.datetime(since))) }
        } @else {
            p #calendar-since { (ctx.t("calendar-none")) }
        }
        form.form method="post" action="/calendar/renew" {
            (ctx.csrf())
            div.actions { button.button.button--secondary #renew-calendar type="submit" {
                @if view.since.is_some() { (ctx.t("calendar-renew")) } @else { (ctx.t("calendar-make")) }
            } }
        }
    }
}

fn calendar_page(
    state: &AppState,
    user: &PageUser,
    url: Option<&str>,
    view: &CalendarView,
) -> PageResult {
    let ctx = Ctx::new(state, user, "/calendar");
    let title = ctx.t("calendar-title");
    let body = calendar_body(&ctx, url, view);
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

pub async fn calendar(State(state): State<AppState>, user: PageUser) -> PageResult {
    let view = state
        .app
        .calendar(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    calendar_page(&state, &user, None, &view)
}

pub async fn renew(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(user, _form): CsrfForm,
) -> PageResult {
    let view = state
        .app
        .renew_calendar(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let url = view.token.as_deref().map(|t| feed_url(&state, &headers, t));
    calendar_page(&state, &user, url.as_deref(), &view)
}

/// The feed itself: no session, the secret in the address.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    // A secret is 64 hexadecimal digits; anything else is not worth a lookup.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.app.calendar_feed(token).await {
        Ok(view) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            ical(&state, &view),
        )
            .into_response(),
        Err(e) => crate::problem::status_of(&e).into_response(),
    }
}

/// The feed as iCalendar: times in UTC, a family reference and the kind as
/// the summary; never a name, address or note.
pub fn ical(state: &AppState, view: &FeedView) -> String {
    use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
    let tr = crate::i18n::Tr {
        i18n: &state.i18n,
        lang: crate::i18n::Lang::Nl,
    };
    let mut calendar = Calendar::new();
    calendar.name("wrapcare");
    for e in &view.events {
        let utc = |local: chrono::NaiveDateTime| {
            local
                .and_local_timezone(chrono_tz::Europe::Amsterdam)
                .earliest()
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        let (Some(starts), Some(ends)) = (utc(e.slot.starts_at()), utc(e.slot.ends_at())) else {
            continue;
        };
        let summary = format!(
            "{} · {}",
            tr.t(&format!("contact-kind-{}", e.kind.as_str())),
            e.family_reference
        );
        let mut event = Event::new();
        event
            .uid(&format!("appointment-{}@wrapcare", e.id))
            .summary(&summary)
            .starts(starts)
            .ends(ends)
            .status(match e.status {
                AppointmentStatus::NotHappened => EventStatus::Cancelled,
                _ => EventStatus::Confirmed,
            });
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
