//! Contacts and hours of a family: log, correct or remove (visibly), and the
//! hours against the programme's budget and weekly intensity.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::contact::{ContactInput, ContactsView, CorrectInput, RemoveInput, WeekMinutes};
use wrapcare_core::FieldError;
use wrapcare_core::contact::{BudgetFlag, ContactKind, EntryStatus};

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice,
    page_number, page_of,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct ContactsQuery {
    notice: Option<String>,
    /// 1 is the latest entries, 2 the ones before them, and so on.
    page: Option<String>,
}

/// What a link to the contacts page asks for besides the family.
#[derive(Debug, Clone, Copy, Default)]
struct Asked<'a> {
    notice_key: Option<&'a str>,
    /// 1 (or 0) is the latest entries.
    page: usize,
}

fn hours(ctx: &Ctx<'_>, minutes: i64) -> String {
    ctx.tr.dec1(minutes as f64 / 60.0)
}

fn kinds(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    ContactKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                ctx.t(&format!("contact-kind-{}", k.as_str())).into_owned(),
            )
        })
        .collect()
}

/// Hours per week as bars against the weekly norm (dashed line), as SVG; the
/// last 26 weeks at most.
pub fn weeks_chart(ctx: &Ctx<'_>, weeks: &[WeekMinutes], weekly_norm_minutes: i64) -> Markup {
    let weeks = &weeks[weeks.len().saturating_sub(26)..];
    if weeks.is_empty() {
        return html! {};
    }
    let (width, height, pad) = (600.0_f64, 150.0_f64, 20.0_f64);
    let max = weeks
        .iter()
        .map(|w| w.minutes)
        .max()
        .unwrap_or(0)
        .max(weekly_norm_minutes * 3 / 2)
        .max(60) as f64;
    let slot = (width - 2.0 * pad) / weeks.len() as f64;
    let y = |m: f64| height - pad - (height - 2.0 * pad) * (m / max);
    html! {
        svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="weeks-title" {
            title #weeks-title { (ctx.t("contacts-weeks-chart")) }
            @for (i, w) in weeks.iter().enumerate() {
                @let top = y(w.minutes as f64);
                rect.chart__bar x=(format!("{:.1}", pad + slot * i as f64 + 2.0)) y=(format!("{top:.1}"))
                    width=(format!("{:.1}", (slot - 4.0).max(1.0))) height=(format!("{:.1}", height - pad - top)) {}
            }
            line.chart__norm x1=(pad) x2=(width - pad) y1=(format!("{:.1}", y(weekly_norm_minutes as f64))) y2=(format!("{:.1}", y(weekly_norm_minutes as f64))) {}
        }
    }
}

/// Hours against the budget and the weekly norm, with the chart and the recent weeks.
pub fn norms(ctx: &Ctx<'_>, view: &ContactsView) -> Markup {
    let percent = if view.budget_minutes > 0 {
        view.used_minutes * 100 / view.budget_minutes
    } else {
        0
    };
    let recent: Vec<_> = view.weeks.iter().rev().take(5).collect();
    html! {
        dl.summary-list {
            div { dt { (ctx.t("contacts-used")) } dd #hours-used {
                (ctx.tr.t2("contacts-used-of", ("used", hours(ctx, view.used_minutes).into()), ("budget", hours(ctx, view.budget_minutes).into())))
                " (" (percent) "%)"
                @match view.budget {
                    BudgetFlag::Over => { " " span.badge.badge--danger { (ctx.t("contacts-over-budget")) } }
                    BudgetFlag::Near => { " " span.badge.badge--warning { (ctx.t("contacts-near-budget")) } }
                    BudgetFlag::Within => {}
                }
            } }
            div { dt { (ctx.t("contacts-weekly-norm")) } dd {
                (ctx.tr.t1("hours-value", "hours", hours(ctx, view.weekly_norm_minutes)))
                @if view.far_under_weekly_norm { " " span.badge.badge--warning { (ctx.t("contacts-far-under")) } }
            } }
        }
        (weeks_chart(ctx, &view.weeks, view.weekly_norm_minutes))
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption { (ctx.t("contacts-recent-weeks")) }
                thead { tr { th scope="col" { (ctx.t("contacts-week-of")) } th scope="col" class="num" { (ctx.t("contacts-hours")) } } }
                tbody { @for w in recent { tr class=[(w.minutes * 2 < view.weekly_norm_minutes).then_some("is-flagged")] { td { (ctx.tr.date(w.week)) } td.num { (hours(ctx, w.minutes)) } } } }
            }
        }
    }
}

async fn contacts_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    asked: Asked<'_>,
    status: StatusCode,
) -> PageResult {
    let Asked { notice_key, page } = asked;
    let view = state
        .app
        .contacts(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("contacts-title");
    let open = matches!(
        view.episode_state,
        wrapcare_core::episode::EpisodeState::Assigned
            | wrapcare_core::episode::EpisodeState::InCare
    );
    // The latest entries first; older ones a page further.
    let (shown, pages) = page_of(view.entries.len(), page);
    let page = page.clamp(1, pages);
    let page_link = |to: usize| format!("/families/{id}/contacts?page={to}#entries");
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        (norms(&ctx, &view))
        @if open && user.actor.worker_id.is_some() {
            section.card.no-print {
                h2 { (ctx.t("contacts-log-title")) }
                form.form method="post" action={ "/families/" (id) "/contacts" } {
                    (ctx.csrf())
                    div.field-row {
                        (fields.input("contact_on", "contacts-date", "date", true, None))
                        (fields.input("minutes", "contacts-minutes", "number", true, Some("hint-contacts-minutes")))
                        (fields.select("kind", "contacts-kind", &kinds(&ctx), true))
                    }
                    (fields.input("participants", "contacts-participants", "text", false, None))
                    (fields.textarea("note", "contacts-note", false, None))
                    div.actions { button.button.button--primary #log-contact type="submit" { (ctx.t("contacts-log-button")) } }
                }
            }
        }
        h2 #entries { (ctx.t("contacts-entries")) }
        @if view.entries.is_empty() { p { (ctx.t("contacts-none")) } } @else {
            @if pages > 1 {
                p #contacts-range {
                    (ctx.tr.t3("contacts-range",
                        ("from", (shown.start + 1).into()),
                        ("to", shown.end.into()),
                        ("total", view.entries.len().into())))
                }
            }
            @if page > 1 {
                p { a #contacts-newer href=(page_link(page - 1)) { "↑ " (ctx.tr.t1("contacts-newer", "count", shown.start)) } }
            }
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("contacts-entries")) }
                    thead { tr {
                        th scope="col" { (ctx.t("contacts-date")) }
                        th scope="col" class="num" { (ctx.t("contacts-minutes")) }
                        th scope="col" { (ctx.t("contacts-kind")) }
                        th scope="col" { (ctx.t("col-coordinator")) }
                        th scope="col" { (ctx.t("contacts-participants")) }
                        th scope="col" { (ctx.t("contacts-note")) }
                        th scope="col" { (ctx.t("col-status")) }
                    } }
                    tbody {
                        @for c in &view.entries[shown.clone()] {
                            tr class=[(c.status != EntryStatus::Active).then_some("is-retired")] {
                                td { (ctx.tr.date(c.contact_on)) }
                                td.num { (c.minutes) }
                                td { (ctx.t(&format!("contact-kind-{}", c.kind.as_str()))) }
                                td { (c.worker_name) }
                                td { (c.participants) }
                                td { (c.note) }
                                td {
                                    @match c.status {
                                        EntryStatus::Active => {
                                            @if open && user.actor.worker_id.is_some() {
                                                a href={ "/families/" (id) "/contacts/" (c.id) "/correct" } { (ctx.t("contacts-correct")) span.visually-hidden { " " (ctx.tr.date(c.contact_on)) } }
                                                details {
                                                    summary { (ctx.t("contacts-remove")) span.visually-hidden { " " (ctx.tr.date(c.contact_on)) } }
                                                    form.form method="post" action={ "/families/" (id) "/contacts/" (c.id) "/remove" } {
                                                        (ctx.csrf())
                                                        input type="hidden" name="version" value=(c.version);
                                                        div.field { label for={ "remove-" (c.id) } { (ctx.t("contacts-reason")) } input.input id={ "remove-" (c.id) } name="reason" type="text" required; }
                                                        button.button.button--danger.button--small type="submit" { (ctx.t("contacts-remove")) }
                                                    }
                                                }
                                            }
                                        }
                                        EntryStatus::Corrected => { span.badge.badge--neutral { (ctx.t("contacts-status-corrected")) } " " (c.change_reason.as_deref().unwrap_or("")) @if let Some(by) = &c.changed_by { " (" (by) ")" } }
                                        EntryStatus::Removed => { span.badge.badge--neutral { (ctx.t("contacts-status-removed")) } " " (c.change_reason.as_deref().unwrap_or("")) @if let Some(by) = &c.changed_by { " (" (by) ")" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if shown.end < view.entries.len() {
                p { a #contacts-older href=(page_link(page + 1)) { "↓ " (ctx.tr.t1("contacts-older", "count", view.entries.len() - shown.end)) } }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ContactsQuery>,
) -> PageResult {
    let today = FormData::new(vec![("contact_on".into(), state.app.today().to_string())]);
    contacts_page(
        &state,
        &user,
        id,
        &today,
        &[],
        Asked {
            notice_key: q.notice.as_deref(),
            page: page_number(q.page.as_deref()),
        },
        StatusCode::OK,
    )
    .await
}

/// A contact as the form sent it (also the form that confirms an appointment).
pub(crate) fn input(form: &FormData) -> ContactInput {
    ContactInput {
        contact_on: form.get("contact_on").to_string(),
        minutes: form.get("minutes").to_string(),
        kind: form.get("kind").to_string(),
        participants: form.get("participants").to_string(),
        note: form.get("note").to_string(),
    }
}

pub async fn log(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state.app.log_contact(&user.actor, id, &input(&form)).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/contacts?notice=notice-contact-logged"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            contacts_page(
                &state,
                &user,
                id,
                &form,
                &errors,
                Asked::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path((id, contact)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = RemoveInput {
        reason: form.get("reason").to_string(),
        version: form.get("version").parse().unwrap_or_default(),
    };
    match state
        .app
        .remove_contact(&user.actor, id, contact, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/contacts?notice=notice-contact-removed"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            contacts_page(
                &state,
                &user,
                id,
                &FormData::default(),
                &errors,
                Asked::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn correct_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    contact: i64,
    values: Option<&FormData>,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let (_, entry) = state
        .app
        .contact_to_correct(&user.actor, id, contact)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let current = FormData::new(vec![
        ("contact_on".into(), entry.contact_on.to_string()),
        ("minutes".into(), entry.minutes.to_string()),
        ("kind".into(), entry.kind.as_str().to_string()),
        ("participants".into(), entry.participants),
        ("note".into(), entry.note),
        ("version".into(), entry.version.to_string()),
    ]);
    let values = values.unwrap_or(&current);
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("contacts-correct-title");
    let body = html! {
        p { a href={ "/families/" (id) "/contacts" } { "← " (ctx.t("contacts-title")) } }
        h1 { (title) }
        p.lead { (ctx.t("contacts-correct-lead")) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        form.form method="post" action={ "/families/" (id) "/contacts/" (contact) "/correct" } {
            (ctx.csrf())
            input type="hidden" name="version" value=(values.get("version"));
            div.field-row {
                (fields.input("contact_on", "contacts-date", "date", true, None))
                (fields.input("minutes", "contacts-minutes", "number", true, None))
                (fields.select("kind", "contacts-kind", &kinds(&ctx), true))
            }
            (fields.input("participants", "contacts-participants", "text", false, None))
            (fields.textarea("note", "contacts-note", false, None))
            (fields.input("reason", "contacts-reason", "text", true, Some("hint-contacts-reason")))
            div.actions {
                button.button.button--primary type="submit" { (ctx.t("save")) }
                a.button.button--secondary href={ "/families/" (id) "/contacts" } { (ctx.t("cancel")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn correct_form(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, contact)): Path<(i64, i64)>,
) -> PageResult {
    correct_page(&state, &user, id, contact, None, &[], StatusCode::OK).await
}

pub async fn correct(
    State(state): State<AppState>,
    Path((id, contact)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = CorrectInput {
        contact: input(&form),
        reason: form.get("reason").to_string(),
        version: form.get("version").parse().unwrap_or_default(),
    };
    match state
        .app
        .correct_contact(&user.actor, id, contact, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/contacts?notice=notice-contact-corrected"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            correct_page(
                &state,
                &user,
                id,
                contact,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
