//! Waiting list, "my families", assignment and the steps of an episode.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::caseload::CoordinatorLoad;
use wrapcare_app::episode::{AssignInput, CloseInput, PhaseInput, StartInput, WithdrawInput};
use wrapcare_core::FieldError;
use wrapcare_core::caseload::Load;
use wrapcare_core::contact::BudgetFlag;

use super::family::family_page;
use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice, page,
    urgency_badge,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn waiting_list(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let lines = state
        .app
        .waiting_list(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/waiting-list");
    let title = ctx.t("waiting-list-title");
    let past = lines.iter().filter(|l| l.past_norm).count();
    let body = html! {
        h1 { (title) }
        (notice(&ctx, q.notice.as_deref()))
        p.lead { (ctx.tr.t2("waiting-list-lead", ("count", (lines.len() as i64).into()), ("past", (past as i64).into()))) }
        @if lines.is_empty() {
            p { (ctx.t("waiting-list-empty")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-urgency")) }
                        th scope="col" { (ctx.t("col-family")) }
                        th scope="col" { (ctx.t("field-city")) }
                        th scope="col" { (ctx.t("col-waiting-since")) }
                        th scope="col" class="num" { (ctx.t("col-weeks-waited")) }
                        th scope="col" { span.visually-hidden { (ctx.t("col-actions")) } }
                    } }
                    tbody {
                        @for l in &lines {
                            tr class=[l.past_norm.then_some("is-flagged")] {
                                td { (urgency_badge(&ctx, l.urgency)) }
                                td { a href={ "/families/" (l.family_id) } { (ctx.t("family-prefix")) " " (l.surname) } }
                                td { (l.city.as_deref().unwrap_or("–")) }
                                td { (ctx.tr.date(l.reference_date)) }
                                td.num {
                                    (ctx.tr.dec1(l.waited_weeks))
                                    @if l.past_norm { " " span.badge.badge--danger { (ctx.t("past-norm-short")) } }
                                }
                                td { a href={ "/families/" (l.family_id) "/assign" } { (ctx.t("assign-button")) span.visually-hidden { " " (l.surname) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, &title, body))
}

pub async fn my_families(State(state): State<AppState>, user: PageUser) -> PageResult {
    let lines = state
        .app
        .my_families(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/my-families");
    let title = ctx.t("my-families-title");
    let body = html! {
        h1 { (title) }
        @if lines.is_empty() {
            p { (ctx.t("my-families-empty")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-family")) }
                        th scope="col" { (ctx.t("col-phase")) }
                        th scope="col" { (ctx.t("started-on")) }
                        th scope="col" class="num" { (ctx.t("weeks-in-care")) }
                        th scope="col" { (ctx.t("col-indications")) }
                        th scope="col" { (ctx.t("plan-title")) }
                        th scope="col" { (ctx.t("col-hours-norms")) }
                    } }
                    tbody {
                        @for l in &lines {
                            tr class=[(l.indication_ends_soon.is_some() || l.plan_overdue || hours_flagged(l)).then_some("is-flagged")] {
                                td { a href={ "/families/" (l.family_id) } { (ctx.t("family-prefix")) " " (l.surname) } }
                                td {
                                    @if let Some(p) = l.phase { (ctx.t(&format!("phase-{p}"))) }
                                    @else { span.badge.badge--info { (ctx.t("state-assigned")) } }
                                }
                                td { @if let Some(s) = l.started_on { (ctx.tr.date(s)) } @else { "–" } }
                                td.num { @if let Some(w) = l.weeks_in_care { (ctx.tr.dec1(w)) } @else { "–" } }
                                td { @if let Some(end) = l.indication_ends_soon {
                                    span.badge.badge--warning { (ctx.tr.t1("indication-ends-on", "date", ctx.tr.date(end))) }
                                } }
                                td { (plan_due(&ctx, l)) }
                                td { (hours_flags(&ctx, l)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, &title, body))
}

/// Whether a family's hours need attention: near or past the budget, or two thin weeks.
pub fn hours_flagged(l: &wrapcare_app::family::FamilyLine) -> bool {
    l.far_under_weekly_norm || matches!(l.budget, Some(BudgetFlag::Near | BudgetFlag::Over))
}

/// Badges for the hours against the norms.
pub fn hours_flags(ctx: &Ctx<'_>, l: &wrapcare_app::family::FamilyLine) -> Markup {
    html! {
        @match l.budget {
            Some(BudgetFlag::Over) => { span.badge.badge--danger { (ctx.t("contacts-over-budget")) } " " }
            Some(BudgetFlag::Near) => { span.badge.badge--warning { (ctx.t("contacts-near-budget")) } " " }
            _ => {}
        }
        @if l.far_under_weekly_norm { span.badge.badge--warning { (ctx.t("contacts-far-under")) } }
    }
}

/// The plan's next agreement or review date, flagged when past.
pub fn plan_due(ctx: &Ctx<'_>, l: &wrapcare_app::family::FamilyLine) -> Markup {
    html! {
        @if let Some(due) = l.plan_review_due {
            @if l.plan_overdue {
                span.badge.badge--danger { (ctx.tr.t1("plan-overdue-since", "date", ctx.tr.date(due))) }
            } @else {
                (ctx.tr.t1("plan-due-on", "date", ctx.tr.date(due)))
            }
        }
    }
}

/// A bar of caseload against capacity.
pub fn capacity_bar(ctx: &Ctx<'_>, l: &CoordinatorLoad) -> Markup {
    let class = match l.load {
        Load::Full => "capacity capacity--full",
        Load::Near => "capacity capacity--near",
        Load::Room => "capacity",
    };
    let width = l.percent_used.min(100);
    html! {
        div class=(class) {
            svg.capacity__bar viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                rect.capacity__fill x="0" y="0" height="10" width=(width) {}
            }
            span { (ctx.tr.t2("caseload-of-capacity", ("caseload", i64::from(l.caseload).into()), ("capacity", ctx.tr.dec1(l.capacity).into()))) }
            @match l.load {
                Load::Full => { " " span.badge.badge--danger { (ctx.t("load-full")) } }
                Load::Near => { " " span.badge.badge--warning { (ctx.t("load-near")) } }
                Load::Room => {}
            }
        }
    }
}

async fn assign_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let (family, loads) = state
        .app
        .assignment_options(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "/waiting-list");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = format!(
        "{} – {} {}",
        ctx.t("assign-title"),
        ctx.t("family-prefix"),
        family.surname
    );
    let current = family.episode.as_ref().and_then(|e| e.coordinator.as_ref());
    let chosen = values.get("worker_id");
    let worker_error = errors.iter().find(|e| e.field == "worker_id");
    let body = html! {
        h1 { (title) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") {
            div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
        }
        @if let Some(c) = current {
            p { (ctx.tr.t1("current-coordinator", "name", c.name.clone())) }
        }
        form.form method="post" action={ "/families/" (id) "/assign" } {
            (ctx.csrf())
            fieldset.fieldset #worker-id class=[worker_error.map(|_| "field--error")] {
                legend { (ctx.t("choose-coordinator")) }
                @if let Some(e) = worker_error { span.field-error { (ctx.t(e.key)) } }
                @for l in &loads {
                    div.choice {
                        input id={ "worker-" (l.worker_id) } type="radio" name="worker_id" value=(l.worker_id)
                            checked[chosen == l.worker_id.to_string()] disabled[current.is_some_and(|c| c.worker_id == l.worker_id)];
                        label for={ "worker-" (l.worker_id) } {
                            strong { (l.name) } " · " (l.home_organisation) " · " (ctx.tr.t1("hours-per-week", "hours", ctx.tr.dec1(l.seconded_hours_per_week)))
                            (capacity_bar(&ctx, l))
                        }
                    }
                }
            }
            (fields.input("starts_on", "field-assign-starts-on", "date", false, Some("hint-assign-starts-on")))
            (fields.textarea("override_reason", "field-override-reason", false, Some("hint-override-reason")))
            div.actions {
                button.button.button--primary #assign type="submit" { (ctx.t("assign-submit")) }
                a.button.button--secondary href={ "/families/" (id) } { (ctx.t("cancel")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn assign_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    assign_page(&state, &user, id, &FormData::default(), &[], StatusCode::OK).await
}

pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let Ok(worker_id) = form.get("worker_id").trim().parse::<i64>() else {
        let errors = vec![FieldError {
            field: "worker_id".into(),
            key: "error-choose-coordinator",
        }];
        return assign_page(
            &state,
            &user,
            id,
            &form,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = AssignInput {
        worker_id,
        starts_on: form.opt("starts_on"),
        override_reason: form.opt("override_reason"),
    };
    match state.app.assign(&user.actor, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/families/{id}?notice=notice-assigned")).into_response())
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            assign_page(
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

/// Runs an episode step from the family page; on refusal the page comes back with the error by the field.
async fn step(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: &FormData,
    result: Result<wrapcare_app::family::FamilyView, AppError>,
    notice_key: &str,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/families/{id}?notice={notice_key}")).into_response()),
        Err(e) => {
            let errors = form_error(state, user, e)?;
            family_page(
                state,
                user,
                id,
                form,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn start(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = StartInput {
        started_on: form.get("started_on").to_string(),
    };
    let result = state.app.start_help(&user.actor, id, &input).await;
    step(&state, &user, id, &form, result, "notice-started").await
}

pub async fn phase(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let result = match form.get("phase").trim().parse::<u8>() {
        Ok(phase) => {
            state
                .app
                .change_phase(
                    &user.actor,
                    id,
                    &PhaseInput {
                        phase,
                        starts_on: form.opt("starts_on"),
                    },
                )
                .await
        }
        Err(_) => Err(AppError::invalid("phase", "error-phase")),
    };
    step(&state, &user, id, &form, result, "notice-phase-changed").await
}

pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = CloseInput {
        closed_on: form.get("closed_on").to_string(),
        reason: form.get("reason").to_string(),
    };
    let result = state.app.close(&user.actor, id, &input).await;
    step(&state, &user, id, &form, result, "notice-closed").await
}

pub async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = WithdrawInput {
        withdrawn_on: form.opt("withdrawn_on"),
        reason: form.get("reason").to_string(),
    };
    match state.app.withdraw(&user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to("/waiting-list?notice=notice-withdrawn").into_response()),
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
