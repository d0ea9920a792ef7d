//! The family page and the family search.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::access::EmergencyInput;
use wrapcare_app::family::{AccessBasis, EpisodeView, FamilyLine, FamilyView};
use wrapcare_core::FieldError;
use wrapcare_core::access::may_break_glass;
use wrapcare_core::episode::{ClosureReason, EpisodeState, Phase};
use wrapcare_core::role::Role;

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice, page,
    state_badge, urgency_badge,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let q = query.q.unwrap_or_default();
    let lines = state
        .app
        .search_families(&user.actor, &q)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/families");
    let title = ctx.t("families-title");
    let body = html! {
        h1 { (title) }
        form.form.no-print method="get" action="/families" role="search" {
            div.field {
                label for="q" { (ctx.t("search-label")) }
                span.hint #q-hint { (ctx.t("search-hint")) }
                input.input #q name="q" type="search" value=(q) aria-describedby="q-hint" maxlength="100";
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("search-button")) } }
        }
        @if lines.is_empty() {
            p { (ctx.t("search-empty")) }
        } @else {
            (family_table(&ctx, &lines, &title))
        }
    };
    Ok(page(&ctx, &title, body))
}

/// A table of families for search results.
pub fn family_table(ctx: &Ctx<'_>, lines: &[FamilyLine], caption: &str) -> Markup {
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (caption) }
                thead { tr {
                    th scope="col" { (ctx.t("col-family")) }
                    th scope="col" { (ctx.t("field-city")) }
                    th scope="col" { (ctx.t("col-status")) }
                    th scope="col" { (ctx.t("col-phase")) }
                    th scope="col" { (ctx.t("col-coordinator")) }
                    th scope="col" { (ctx.t("plan-title")) }
                    th scope="col" { (ctx.t("col-hours-norms")) }
                } }
                tbody {
                    @for l in lines {
                        tr class=[(l.plan_overdue || super::episode::hours_flagged(l)).then_some("is-flagged")] {
                            td { a href={ "/families/" (l.family_id) } { (ctx.t("family-prefix")) " " (l.surname) } }
                            td { (l.city.as_deref().unwrap_or("–")) }
                            td { (state_badge(ctx, l.state)) }
                            td { @if let Some(p) = l.phase { (ctx.t(&format!("phase-{p}"))) } @else { "–" } }
                            td { (l.coordinator_name.as_deref().unwrap_or("–")) }
                            td { (super::episode::plan_due(ctx, l)) }
                            td { (super::episode::hours_flags(ctx, l)) }
                        }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    family_page(
        &state,
        &user,
        id,
        &FormData::default(),
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn phase_steps(ctx: &Ctx<'_>, current: Option<u8>) -> Markup {
    html! {
        ol.steps aria-label=(ctx.t("phases-label")) {
            @for p in Phase::ALL {
                @let n = p.number();
                @if current == Some(n) {
                    li.is-current aria-current="step" { (ctx.t(&format!("phase-{n}"))) }
                } @else if current.is_some_and(|c| n < c) {
                    li.is-done { span.visually-hidden { (ctx.t("step-done")) " " } (ctx.t(&format!("phase-{n}"))) }
                } @else {
                    li { (ctx.t(&format!("phase-{n}"))) }
                }
            }
        }
    }
}

fn episode_summary(ctx: &Ctx<'_>, e: &EpisodeView) -> Markup {
    html! {
        dl.summary-list {
            div { dt { (ctx.t("col-status")) } dd { (state_badge(ctx, e.state)) " " (urgency_badge(ctx, e.urgency)) } }
            div { dt { (ctx.t("col-programme")) } dd { (e.programme_name) } }
            div { dt { (ctx.t("col-coordinator")) } dd {
                @if let Some(c) = &e.coordinator { (c.name) " (" (ctx.t("since")) " " (ctx.tr.date(c.since)) ")" } @else { "–" }
            } }
            div { dt { (ctx.t(&format!("reference-kind-{}", e.reference_kind))) } dd { (ctx.tr.date(e.reference_date)) } }
            div { dt { (ctx.t("accepted-on")) } dd { (ctx.tr.date(e.accepted_on)) } }
            div { dt { (ctx.t("started-on")) } dd { @if let Some(s) = e.started_on { (ctx.tr.date(s)) } @else { "–" } } }
            @if let Some(days) = e.waiting_days {
                div { dt { (ctx.t("waiting-time")) } dd #waiting-time {
                    (ctx.tr.t1("weeks-value", "weeks", ctx.tr.dec1(days as f64 / 7.0))) " (" (ctx.tr.t1("days-value", "days", days)) ")"
                } }
            }
            @if let Some(days) = e.waited_so_far_days {
                div { dt { (ctx.t("waited-so-far")) } dd {
                    (ctx.tr.t1("weeks-value", "weeks", ctx.tr.dec1(days as f64 / 7.0)))
                    @if e.past_norm { " " span.badge.badge--danger { (ctx.tr.t1("past-norm", "weeks", e.start_within_weeks)) } }
                } }
            }
            @if let Some(w) = e.weeks_in_care {
                div { dt { (ctx.t("weeks-in-care")) } dd { (ctx.tr.t1("weeks-value", "weeks", ctx.tr.dec1(w))) } }
            }
            @if let (Some(on), Some(reason)) = (e.closed_on, e.closure_reason) {
                div { dt { (ctx.t("closed-on")) } dd { (ctx.tr.date(on)) " · " (ctx.t(&format!("closure-{}", reason.as_str()))) } }
            }
            @if let Some(on) = e.withdrawn_on {
                div { dt { (ctx.t("withdrawn-on")) } dd { (ctx.tr.date(on)) @if let Some(r) = &e.withdrawal_reason { " · " (r) } } }
            }
        }
    }
}

fn actions(
    ctx: &Ctx<'_>,
    user: &PageUser,
    family: &FamilyView,
    e: &EpisodeView,
    fields: &Fields<'_>,
    today: &str,
) -> Markup {
    let supervisor = user.actor.role == Role::Supervisor;
    let id = family.id;
    let reasons: Vec<(String, String)> = ClosureReason::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                ctx.t(&format!("closure-{}", r.as_str())).into_owned(),
            )
        })
        .collect();
    let phases: Vec<(String, String)> = Phase::ALL
        .iter()
        .filter(|p| Some(p.number()) != e.phase)
        .map(|p| {
            (
                p.number().to_string(),
                ctx.t(&format!("phase-{}", p.number())).into_owned(),
            )
        })
        .collect();
    html! {
        @if supervisor && e.state.is_open() {
            p { a.button.button--secondary #assign-link href={ "/families/" (id) "/assign" } {
                @if e.coordinator.is_some() { (ctx.t("handover-button")) } @else { (ctx.t("assign-button")) }
            } }
        }
        @if e.state == EpisodeState::Assigned {
            section.card.no-print {
                h3 { (ctx.t("start-help-title")) }
                form.form method="post" action={ "/families/" (id) "/start" } {
                    (ctx.csrf())
                    (fields.input("started_on", "field-started-on", "date", true, Some("hint-started-on")))
                    div.actions { button.button.button--primary #start-help type="submit" { (ctx.t("start-help-button")) } }
                }
            }
        }
        @if e.state == EpisodeState::InCare {
            section.card.no-print {
                h3 { (ctx.t("phase-change-title")) }
                form.form method="post" action={ "/families/" (id) "/phase" } {
                    (ctx.csrf())
                    div.field-row {
                        (fields.select("phase", "field-phase", &phases, true))
                        (fields.input("starts_on", "field-phase-starts-on", "date", false, None))
                    }
                    div.actions { button.button.button--primary type="submit" { (ctx.t("phase-change-button")) } }
                }
            }
        }
        @if matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
            section.card.no-print {
                h3 { (ctx.t("close-title")) }
                form.form method="post" action={ "/families/" (id) "/close" } {
                    (ctx.csrf())
                    div.field-row {
                        (fields.input("closed_on", "field-closed-on", "date", true, None))
                        (fields.select("reason", "field-closure-reason", &reasons, true))
                    }
                    div.actions { button.button.button--danger type="submit" { (ctx.t("close-button")) } }
                }
            }
        }
        @if supervisor && e.state == EpisodeState::Waiting {
            section.card.no-print {
                h3 { (ctx.t("withdraw-title")) }
                form.form method="post" action={ "/families/" (id) "/withdraw" } {
                    (ctx.csrf())
                    input type="hidden" name="withdrawn_on" value=(today);
                    (fields.textarea("reason", "field-withdraw-reason", true, None))
                    div.actions { button.button.button--danger type="submit" { (ctx.t("withdraw-button")) } }
                }
            }
        }
    }
}

/// The family page, optionally with a form's errors (after a refused step).
pub async fn family_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let family = match state.app.family(&user.actor, id).await {
        Ok(family) => family,
        Err(AppError::NotFound) if may_break_glass(user.actor.role) => {
            return Ok(emergency_page(state, user, id, &[], StatusCode::NOT_FOUND));
        }
        Err(e) => return Err(error_page(state, user.lang, Some(user), &e)),
    };
    let emergency = family.access.basis == AccessBasis::Emergency;
    let path = if user.actor.role == Role::Coordinator {
        "/my-families"
    } else {
        "/families"
    };
    let ctx = Ctx::new(state, user, path);
    let fields = Fields::new(ctx.tr, errors, values);
    let today = state.app.today().format("%Y-%m-%d").to_string();
    let title = format!("{} {}", ctx.t("family-prefix"), family.surname);
    let render = || {
        html! {
            h1 { (title) }
            @if let Some(until) = family.access.emergency_until {
                div.notice.notice--warning #emergency-notice role="status" {
                    p { strong { (ctx.t("emergency-active-title")) } }
                    p { (ctx.tr.t1("emergency-active-body", "until", ctx.tr.datetime(until))) }
                }
            }
            (notice(&ctx, notice_key))
            (fields.summary())
            @for e in errors.iter().filter(|e| e.field == "form") {
                div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
            }
            dl.summary-list {
                div { dt { (ctx.t("field-address")) } dd {
                    (family.address.as_deref().unwrap_or("–")) " " (family.postcode.as_deref().unwrap_or("")) " " (family.city.as_deref().unwrap_or(""))
                } }
                div { dt { (ctx.t("field-phone")) } dd { (family.phone.as_deref().unwrap_or("–")) } }
                div { dt { (ctx.t("field-home-language")) } dd { (family.home_language.as_deref().unwrap_or("–")) } }
            }
            @if let Some(e) = &family.episode {
                h2 { (ctx.t("episode-title")) }
                @if e.phase.is_some() { (phase_steps(&ctx, e.phase)) }
                (episode_summary(&ctx, e))
                @if let Some(p) = &family.plan {
                    dl.summary-list {
                        div { dt { (ctx.t("plan-title")) } dd {
                            (ctx.tr.t1("plan-version-n", "number", i64::from(p.number))) " · " (ctx.t(&format!("plan-status-{}", p.status.as_str())))
                            @if p.overdue { " " span.badge.badge--danger { (ctx.t("plan-overdue")) } }
                        } }
                        div { dt { (ctx.t("plan-t-score")) } dd { @if let Some(t) = p.t_score { (ctx.tr.dec1(t)) } @else { "–" } } }
                    }
                }
                @if let Some(h) = &family.hours {
                    @let percent = if h.budget_minutes > 0 { (h.used_minutes * 100 / h.budget_minutes).min(100) } else { 0 };
                    dl.summary-list {
                        div { dt { (ctx.t("contacts-used")) } dd {
                            div class={ "capacity" @match h.budget { wrapcare_core::contact::BudgetFlag::Over => " capacity--full", wrapcare_core::contact::BudgetFlag::Near => " capacity--near", wrapcare_core::contact::BudgetFlag::Within => "" } } {
                                svg.capacity__bar viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                                    rect.capacity__fill x="0" y="0" height="10" width=(percent) {}
                                }
                                span { (ctx.tr.t2("contacts-used-of", ("used", ctx.tr.dec1(h.used_minutes as f64 / 60.0).into()), ("budget", ctx.tr.dec1(h.budget_minutes as f64 / 60.0).into()))) }
                            }
                            @match h.budget {
                                wrapcare_core::contact::BudgetFlag::Over => { span.badge.badge--danger { (ctx.t("contacts-over-budget")) } }
                                wrapcare_core::contact::BudgetFlag::Near => { span.badge.badge--warning { (ctx.t("contacts-near-budget")) } }
                                wrapcare_core::contact::BudgetFlag::Within => {}
                            }
                            @if h.far_under_weekly_norm { " " span.badge.badge--warning { (ctx.t("contacts-far-under")) } }
                        } }
                        div { dt { (ctx.t("contacts-weekly-norm")) } dd {
                            (ctx.tr.t1("hours-value", "hours", ctx.tr.dec1(h.weekly_norm_minutes as f64 / 60.0)))
                        } }
                    }
                    @if !h.recent_weeks.is_empty() {
                        p.meta { (ctx.t("family-weeks-chart-caption")) }
                        (super::contact::weeks_chart(&ctx, &h.recent_weeks, h.weekly_norm_minutes))
                    }
                }
                @if e.state != EpisodeState::Waiting && e.state != EpisodeState::Withdrawn {
                    p.actions {
                        a.button.button--secondary #plan-link href={ "/families/" (family.id) "/plan" } { (ctx.t("plan-link")) }
                        a.button.button--secondary #contacts-link href={ "/families/" (family.id) "/contacts" } { (ctx.t("contacts-link")) }
                        a.button.button--secondary #appointments-link href={ "/families/" (family.id) "/appointments" } { (ctx.t("appointments-title")) }
                        a.button.button--secondary #questionnaires-link href={ "/families/" (family.id) "/questionnaires" } { (ctx.t("questionnaires-title")) }
                        @if user.actor.role == wrapcare_core::role::Role::Coordinator && matches!(e.state, EpisodeState::Assigned | EpisodeState::InCare) {
                            a.button.button--secondary #intervision-link href={ "/families/" (family.id) "/intervision" } { (ctx.t("intervision-title")) }
                        }
                        a.button.button--secondary #modules-link href={ "/families/" (family.id) "/modules" } { (ctx.t("modules-link")) }
                        a.button.button--secondary #timeline-link href={ "/families/" (family.id) "/timeline" } { (ctx.t("timeline-link")) }
                        a.button.button--secondary #costs-link href={ "/families/" (family.id) "/costs" } { (ctx.t("costs-link")) }
                    }
                }
                @if !emergency { (actions(&ctx, user, &family, e, &fields, &today)) }
            }
            h2 { (ctx.t("members-title")) }
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("members-title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-name")) }
                        th scope="col" { (ctx.t("field-member-role")) }
                        th scope="col" { (ctx.t("field-birth-date")) }
                        th scope="col" class="num" { (ctx.t("col-age")) }
                        th scope="col" { (ctx.t("field-bsn")) }
                        th scope="col" { (ctx.t("field-phone")) }
                    } }
                    tbody {
                        @for m in &family.members {
                            tr {
                                td { (m.given_name) " " (m.family_name) }
                                td { (ctx.t(&format!("member-role-{}", m.role.as_str()))) @if m.parental_authority { " · " (ctx.t("parental-authority-short")) } }
                                td {
                                    @if let Some(b) = m.birth_date { (ctx.tr.date(b)) }
                                    @if let Some(e) = m.expected_birth_date { (ctx.t("expected-short")) " " (ctx.tr.date(e)) }
                                }
                                td.num { @if let Some(a) = m.age { (a) } }
                                td { (m.bsn.as_deref().unwrap_or("–")) }
                                td { (m.phone.as_deref().unwrap_or("–")) }
                            }
                        }
                    }
                }
            }
            @if !family.indications.is_empty() {
                h2 { (ctx.t("indications-title")) }
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                    table.data-table {
                        caption.visually-hidden { (ctx.t("indications-title")) }
                        thead { tr {
                            th scope="col" { (ctx.t("col-child")) }
                            th scope="col" { (ctx.t("field-indication-number")) }
                            th scope="col" { (ctx.t("field-indication-product")) }
                            th scope="col" { (ctx.t("col-period")) }
                            th scope="col" { (ctx.t("field-indication-issuer")) }
                        } }
                        tbody {
                            @for i in &family.indications {
                                tr class=[i.ends_soon.then_some("is-flagged")] {
                                    td { (i.given_name) }
                                    td { (i.number) }
                                    td { (i.product) }
                                    td { (ctx.tr.date(i.starts_on)) " – " (ctx.tr.date(i.ends_on))
                                        @if i.ends_soon { " " span.badge.badge--warning { (ctx.t("ends-soon")) } } }
                                    td { (i.issuer) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(e) = &family.episode {
                @if !e.assignments.is_empty() {
                    h2 { (ctx.t("assignments-title")) }
                    div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                        table.data-table {
                            caption.visually-hidden { (ctx.t("assignments-title")) }
                            thead { tr {
                                th scope="col" { (ctx.t("col-coordinator")) }
                                th scope="col" { (ctx.t("col-from")) }
                                th scope="col" { (ctx.t("col-until")) }
                                th scope="col" { (ctx.t("col-override")) }
                            } }
                            tbody {
                                @for a in &e.assignments {
                                    tr {
                                        td { (a.name) }
                                        td { (ctx.tr.date(a.starts_on)) }
                                        td { @if let Some(end) = a.ends_on { (ctx.tr.date(end)) } @else { "–" } }
                                        td { (a.override_reason.as_deref().unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !e.phase_history.is_empty() {
                    h2 { (ctx.t("phase-history-title")) }
                    ul {
                        @for h in &e.phase_history {
                            li { (ctx.tr.date(h.starts_on)) ": " (ctx.t(&format!("phase-{}", h.phase))) }
                        }
                    }
                }
            }
            @if !family.earlier_episodes.is_empty() {
                h2 { (ctx.t("earlier-episodes-title")) }
                @for e in &family.earlier_episodes {
                    section.card {
                        (episode_summary(&ctx, e))
                        @if e.started_on.is_some() {
                            p { a href={ "/families/" (family.id) "/plan?episode=" (e.id) } { (ctx.t("plan-of-episode")) } }
                        }
                    }
                }
            }
            @if !family.other_episodes.is_empty() {
                h2 { (ctx.t("other-episodes-title")) }
                p.meta { (ctx.t("other-episodes-lead")) }
                ul #other-episodes {
                    @for o in &family.other_episodes {
                        li {
                            (o.programme_name) ": " (ctx.tr.date(o.accepted_on)) " – "
                            @if let Some(end) = o.ended_on { (ctx.tr.date(end)) } @else { "…" }
                            " · " (ctx.t(&format!("state-{}", o.state.as_str())))
                            @if let Some(r) = o.closure_reason { " · " (ctx.t(&format!("closure-{}", r.as_str()))) }
                        }
                    }
                }
            }
            @if !family.emergency_accesses.is_empty() {
                h2 #emergency-accesses { (ctx.t("emergency-accesses-title")) }
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("emergency-accesses-title")) {
                    table.data-table {
                        caption.visually-hidden { (ctx.t("emergency-accesses-title")) }
                        thead { tr {
                            th scope="col" { (ctx.t("col-name")) }
                            th scope="col" { (ctx.t("col-from")) }
                            th scope="col" { (ctx.t("col-until")) }
                            th scope="col" { (ctx.t("emergency-reason")) }
                        } }
                        tbody {
                            @for x in &family.emergency_accesses {
                                tr {
                                    td { (x.user_name) " · " (ctx.t(&format!("role-{}", x.user_role))) }
                                    td { (ctx.tr.datetime(x.granted_at)) }
                                    td { (ctx.tr.datetime(x.expires_at)) }
                                    td { (x.reason) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    // Shown as read, with no form filled in: what was rendered of this copy
    // of the file for this session (its CSRF token is in the forms) and
    // language serves again.
    let body = if values.is_empty() && errors.is_empty() {
        let variant = format!(
            "{}|{}|{}",
            ctx.tr.lang.code(),
            user.csrf,
            notice_key.unwrap_or("")
        );
        let html = family
            .renditions
            .get_or_render(&variant, || render().into_string());
        PreEscaped(html.to_string())
    } else {
        render()
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

/// What someone without a need to know sees of a family page: the same
/// "not found" as for a family that does not exist, with the way to open the
/// file in an emergency after giving a reason.
fn emergency_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: &[FieldError],
    status: StatusCode,
) -> axum::response::Response {
    let ctx = Ctx::new(state, user, "");
    let title = ctx.t("error-not-found");
    let empty = FormData::default();
    let fields = Fields::new(ctx.tr, errors, &empty);
    let body = html! {
        h1 { (title) }
        p { (ctx.t("emergency-lead")) }
        section.card {
            h2 { (ctx.t("emergency-title")) }
            p { (ctx.t("emergency-explain")) }
            (fields.summary())
            form.form method="post" action={ "/families/" (id) "/emergency-access" } {
                (ctx.csrf())
                (fields.textarea("reason", "emergency-reason", true, Some("emergency-reason-hint")))
                div.actions { button.button.button--danger #break-glass type="submit" { (ctx.t("emergency-button")) } }
            }
        }
        p { a href="/" { (ctx.t("back-home")) } }
    };
    html_response(status, layout(&ctx, &title, body))
}

/// Opens a family file in an emergency, after a reason.
pub async fn break_glass(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = EmergencyInput {
        reason: form.get("reason").to_string(),
    };
    match state.app.break_glass(&user.actor, id, &input).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!(
            "/families/{id}?notice=notice-emergency-access"
        ))
        .into_response()),
        Err(AppError::NotFound) => Err(error_page(
            &state,
            user.lang,
            Some(&user),
            &AppError::NotFound,
        )),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            Ok(emergency_page(
                &state,
                &user,
                id,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}
