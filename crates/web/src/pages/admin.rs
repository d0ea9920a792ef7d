//! Administration pages: users, organisations, programmes and norms, teams,
//! workers and secondments. No family content here.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::admin::{
    IssuedPassword, ProgrammeInput, SecondmentInput, UserInput, UserRef, WorkerInput,
};
use wrapcare_app::meeting::DomainOption;
use wrapcare_core::FieldError;
use wrapcare_core::role::Role;

use super::{CsrfForm, Ctx, Fields, PageResult, fail, form_error, html_response, layout, notice};
use crate::AppState;
use crate::forms::{FormData, schedule_field, schedule_setting};
use crate::routes::Routes;
use crate::session::PageUser;

pub fn routes() -> Routes {
    Routes::new()
        .get("/admin", || async { Redirect::to("/admin/users") })
        .get("/admin/users", users)
        .post("/admin/users", create_user)
        .get("/admin/users/{id}", user_form)
        .post("/admin/users/{id}", update_user)
        .post("/admin/users/{id}/deactivate", deactivate_user)
        .post("/admin/users/{id}/activate", activate_user)
        .post("/admin/users/{id}/reset", reset_password)
        .get("/admin/organisations", organisations)
        .post("/admin/organisations", create_organisation)
        .post("/admin/organisations/{id}/field", set_organisation_field)
        .get("/admin/programmes", programmes)
        .post("/admin/programmes", create_programme)
        .get("/admin/programmes/{id}", programme_form)
        .post("/admin/programmes/{id}", update_programme)
        .get("/admin/programmes/{id}/questionnaires", schedule_form)
        .post("/admin/programmes/{id}/questionnaires", save_schedule)
        .get("/admin/teams", teams)
        .post("/admin/teams", create_team)
        .get("/admin/workers", workers)
        .post("/admin/workers", create_worker)
        .post("/admin/workers/{id}/secondment", change_secondment)
        .post("/admin/workers/{id}/end", end_secondment)
        .post("/admin/workers/{id}/expertise", set_worker_expertise)
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn role_options(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                ctx.t(&format!("role-{}", r.as_str())).into_owned(),
            )
        })
        .collect()
}

async fn team_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .app
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id.to_string(), t.name))
        .collect())
}

fn issued(ctx: &Ctx<'_>, p: &IssuedPassword) -> Markup {
    html! {
        div.notice.notice--success role="status" {
            p { (ctx.tr.t1("password-issued", "email", p.user.email.clone())) }
            p { code #issued-password { (p.password) } }
            p { (ctx.t("password-issued-once")) }
        }
    }
}

async fn users_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    shown: Option<&IssuedPassword>,
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let list = state
        .app
        .users(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?;
    let teams = team_options(state)
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/users");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("users-title");
    let team_name = |id: Option<i64>| {
        id.and_then(|id| {
            teams
                .iter()
                .find(|(v, _)| *v == id.to_string())
                .map(|(_, n)| n.clone())
        })
        .unwrap_or_else(|| "–".into())
    };
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        @if let Some(p) = shown { (issued(&ctx, p)) }
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (title) }
                thead { tr {
                    th scope="col" { (ctx.t("col-name")) }
                    th scope="col" { (ctx.t("field-email")) }
                    th scope="col" { (ctx.t("field-role")) }
                    th scope="col" { (ctx.t("field-team")) }
                    th scope="col" { (ctx.t("col-status")) }
                    th scope="col" { span.visually-hidden { (ctx.t("col-actions")) } }
                } }
                tbody {
                    @for u in &list {
                        tr {
                            td { a href={ "/admin/users/" (u.id) } { (u.name) } }
                            td { (u.email) }
                            td { (ctx.t(&format!("role-{}", u.role.as_str()))) }
                            td { (team_name(u.team_id)) }
                            td { @if u.active { span.badge.badge--ok { (ctx.t("active")) } } @else { span.badge.badge--neutral { (ctx.t("inactive")) } } }
                            td {
                                div.actions {
                                    @if u.active && u.id != user.actor.user_id {
                                        form.inline method="post" action={ "/admin/users/" (u.id) "/deactivate" } {
                                            (ctx.csrf())
                                            button.button.button--secondary.button--small type="submit" { (ctx.t("deactivate")) span.visually-hidden { " " (u.name) } }
                                        }
                                    } @else if !u.active {
                                        form.inline method="post" action={ "/admin/users/" (u.id) "/activate" } {
                                            (ctx.csrf())
                                            button.button.button--secondary.button--small type="submit" { (ctx.t("activate")) span.visually-hidden { " " (u.name) } }
                                        }
                                    }
                                    form.inline method="post" action={ "/admin/users/" (u.id) "/reset" } {
                                        (ctx.csrf())
                                        button.button.button--secondary.button--small type="submit" { (ctx.t("reset-password")) span.visually-hidden { " " (u.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("user-create-title")) }
        (fields.summary())
        form.form method="post" action="/admin/users" {
            (ctx.csrf())
            div.field-row {
                (fields.input("name", "col-name", "text", true, None))
                (fields.input("email", "field-email", "email", true, None))
            }
            div.field-row {
                (fields.select("role", "field-role", &role_options(&ctx), true))
                (fields.select("team_id", "field-team", &teams, false))
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("user-create-button")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn users(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    users_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        None,
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn user_input(form: &FormData) -> UserInput {
    UserInput {
        email: form.get("email").to_string(),
        name: form.get("name").to_string(),
        role: form.get("role").to_string(),
        team_id: form.get("team_id").to_string(),
    }
}

async fn create_user(State(state): State<AppState>, CsrfForm(user, form): CsrfForm) -> PageResult {
    match state.app.create_user(&user.actor, &user_input(&form)).await {
        Ok(issued) => {
            users_page(
                &state,
                &user,
                &FormData::default(),
                &[],
                Some(&issued),
                None,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            users_page(
                &state,
                &user,
                &form,
                &errors,
                None,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn user_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: Option<&FormData>,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let list = state
        .app
        .users(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?;
    let found = list
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| fail(state, user, AppError::NotFound))?;
    let teams = team_options(state)
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/users");
    let current = FormData::new(vec![
        ("role".into(), found.role.as_str().to_string()),
        (
            "team_id".into(),
            found.team_id.map(|t| t.to_string()).unwrap_or_default(),
        ),
    ]);
    let fields = Fields::new(ctx.tr, errors, values.unwrap_or(&current));
    let title = format!("{} – {}", ctx.t("user-edit-title"), found.name);
    let body = html! {
        h1 { (title) }
        p { (found.email) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") {
            div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
        }
        form.form method="post" action={ "/admin/users/" (id) } {
            (ctx.csrf())
            input type="hidden" name="version" value=(found.version);
            div.field-row {
                (fields.select("role", "field-role", &role_options(&ctx), true))
                (fields.select("team_id", "field-team", &teams, false))
            }
            div.actions {
                button.button.button--primary type="submit" { (ctx.t("save")) }
                a.button.button--secondary href="/admin/users" { (ctx.t("cancel")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn user_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    user_page(&state, &user, id, None, &[], StatusCode::OK).await
}

async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let version = form.get("version").parse::<i64>().unwrap_or_default();
    match state
        .app
        .set_user_role(&user.actor, id, &user_input(&form), version)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/users?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            user_page(
                &state,
                &user,
                id,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn deactivate_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm,
) -> PageResult {
    state
        .app
        .deactivate_user(Some(&user.actor), UserRef::Id(id))
        .await
        .map_err(|e| fail(&state, &user, e))?;
    Ok(Redirect::to("/admin/users?notice=notice-deactivated").into_response())
}

async fn activate_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm,
) -> PageResult {
    state
        .app
        .activate_user(&user.actor, id)
        .await
        .map_err(|e| fail(&state, &user, e))?;
    Ok(Redirect::to("/admin/users?notice=notice-activated").into_response())
}

async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm,
) -> PageResult {
    let issued = state
        .app
        .reset_password(&user.actor, id)
        .await
        .map_err(|e| fail(&state, &user, e))?;
    users_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        Some(&issued),
        None,
        StatusCode::OK,
    )
    .await
}

async fn organisations_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let list = state
        .app
        .organisations(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?;
    let domains = state
        .app
        .life_domains()
        .await
        .map_err(|e| fail(state, user, e))?;
    let fields_of = state
        .app
        .organisation_fields(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/organisations");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("organisations-title");
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("organisations-lead")) }
        (notice(&ctx, notice_key))
        ul.background-list {
            @for o in &list {
                @let chosen: Vec<&str> = fields_of.iter().filter(|(id, _)| *id == o.id).map(|(_, c)| c.as_str()).collect();
                li {
                    strong { (o.name) }
                    (background_shown(&ctx, &domains, &chosen))
                    (background_form(&ctx, &format!("/admin/organisations/{}/field", o.id), &format!("org-{}", o.id), &o.name, "organisation-field", &domains, &chosen))
                }
            }
        }
        h2 { (ctx.t("organisation-create-title")) }
        (fields.summary())
        form.form method="post" action="/admin/organisations" {
            (ctx.csrf())
            (fields.input("name", "col-name", "text", true, None))
            div.actions { button.button.button--primary type="submit" { (ctx.t("add")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn organisations(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    organisations_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn create_organisation(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state
        .app
        .create_organisation(&user.actor, form.get("name"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/organisations?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            organisations_page(
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

fn programme_input(form: &FormData) -> ProgrammeInput {
    ProgrammeInput {
        name: form.get("name").to_string(),
        starts_on: form.get("starts_on").to_string(),
        ends_on: form.get("ends_on").to_string(),
        families_per_fte: form.get("families_per_fte").to_string(),
        budget_hours_per_family: form.get("budget_hours_per_family").to_string(),
        weekly_hours_per_family: form.get("weekly_hours_per_family").to_string(),
        start_within_weeks: form.get("start_within_weeks").to_string(),
        full_time_hours_per_week: form.get("full_time_hours_per_week").to_string(),
        plan_first_weeks: form.get("plan_first_weeks").to_string(),
        plan_review_weeks: form.get("plan_review_weeks").to_string(),
        hourly_rate: form.get("hourly_rate").to_string(),
        waiting_warning_days: form.get("waiting_warning_days").to_string(),
        budget_warning_percent: form.get("budget_warning_percent").to_string(),
        under_norm_percent: form.get("under_norm_percent").to_string(),
        goal_unchanged_weeks: form.get("goal_unchanged_weeks").to_string(),
        module_start_weeks: form.get("module_start_weeks").to_string(),
        phase1_max_weeks: form.get("phase1_max_weeks").to_string(),
        phase2_max_weeks: form.get("phase2_max_weeks").to_string(),
        phase3_max_weeks: form.get("phase3_max_weeks").to_string(),
        phase4_max_weeks: form.get("phase4_max_weeks").to_string(),
        indication_warning_weeks: form.get("indication_warning_weeks").to_string(),
        no_contact_days: form.get("no_contact_days").to_string(),
    }
}

/// The names of the signal thresholds' fields, in the order of the form.
pub const THRESHOLD_FIELDS: [&str; 11] = [
    "waiting_warning_days",
    "budget_warning_percent",
    "under_norm_percent",
    "goal_unchanged_weeks",
    "module_start_weeks",
    "phase1_max_weeks",
    "phase2_max_weeks",
    "phase3_max_weeks",
    "phase4_max_weeks",
    "indication_warning_weeks",
    "no_contact_days",
];

fn programme_fields(ctx: &Ctx<'_>, fields: &Fields<'_>) -> Markup {
    html! {
        (fields.input("name", "col-name", "text", true, None))
        div.field-row {
            (fields.input("starts_on", "field-starts-on", "date", true, None))
            (fields.input("ends_on", "field-ends-on", "date", false, None))
        }
        fieldset.fieldset {
            legend { (ctx.t("norms-legend")) }
            div.field-row {
                (fields.input("families_per_fte", "field-families-per-fte", "number", true, None))
                (fields.input("full_time_hours_per_week", "field-full-time-hours", "text", true, None))
            }
            div.field-row {
                (fields.input("budget_hours_per_family", "field-budget-hours", "text", true, None))
                (fields.input("weekly_hours_per_family", "field-weekly-hours", "text", true, Some("hint-weekly-hours")))
                (fields.input("start_within_weeks", "field-start-within-weeks", "number", true, None))
            }
            div.field-row {
                (fields.input("plan_first_weeks", "field-plan-first-weeks", "number", false, Some("hint-plan-first-weeks")))
                (fields.input("plan_review_weeks", "field-plan-review-weeks", "number", false, Some("hint-plan-review-weeks")))
            }
            div.field-row {
                (fields.input("hourly_rate", "field-hourly-rate", "text", false, Some("hint-hourly-rate")))
            }
        }
        fieldset.fieldset {
            legend { (ctx.t("thresholds-legend")) }
            p.hint { (ctx.t("thresholds-hint")) }
            div.field-row.field-row--wrap {
                @for name in THRESHOLD_FIELDS {
                    (fields.input(name, &format!("field-{}", name.replace('_', "-")), "number", false, None))
                }
            }
        }
    }
}

async fn programmes_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    state
        .app
        .require(&user.actor, &[Role::Admin], "admin.programmes_page")
        .await
        .map_err(|e| fail(state, user, e))?;
    let list = state
        .app
        .programmes()
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/programmes");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("programmes-title");
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (title) }
                thead { tr {
                    th scope="col" { (ctx.t("col-name")) }
                    th scope="col" { (ctx.t("col-period")) }
                    th scope="col" class="num" { (ctx.t("field-families-per-fte")) }
                    th scope="col" class="num" { (ctx.t("field-budget-hours")) }
                    th scope="col" class="num" { (ctx.t("field-weekly-hours")) }
                    th scope="col" class="num" { (ctx.t("field-start-within-weeks")) }
                } }
                tbody {
                    @for p in &list {
                        tr {
                            td { a href={ "/admin/programmes/" (p.id) } { (p.name) } }
                            td { (ctx.tr.date(p.starts_on)) " – " @if let Some(e) = p.ends_on { (ctx.tr.date(e)) } }
                            td.num { (p.families_per_fte) }
                            td.num { (ctx.tr.dec1(p.budget_minutes_per_family as f64 / 60.0)) }
                            td.num { (ctx.tr.dec1(p.weekly_minutes_per_family as f64 / 60.0)) }
                            td.num { (p.start_within_weeks) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("programme-create-title")) }
        (fields.summary())
        form.form method="post" action="/admin/programmes" {
            (ctx.csrf())
            (programme_fields(&ctx, &fields))
            div.actions { button.button.button--primary type="submit" { (ctx.t("add")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn programmes(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    programmes_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn create_programme(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state
        .app
        .create_programme(&user.actor, &programme_input(&form))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/programmes?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            programmes_page(
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

async fn programme_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: Option<&FormData>,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    state
        .app
        .require(&user.actor, &[Role::Admin], "admin.programme_page")
        .await
        .map_err(|e| fail(state, user, e))?;
    let list = state
        .app
        .programmes()
        .await
        .map_err(|e| fail(state, user, e))?;
    let p = list
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| fail(state, user, AppError::NotFound))?;
    let ctx = Ctx::new(state, user, "/admin/programmes");
    let hours = |m: i64| {
        let h = m as f64 / 60.0;
        if h.fract() == 0.0 {
            format!("{h:.0}")
        } else {
            format!("{h:.2}")
        }
    };
    let current = FormData::new(vec![
        ("name".into(), p.name.clone()),
        ("starts_on".into(), p.starts_on.to_string()),
        (
            "ends_on".into(),
            p.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("families_per_fte".into(), p.families_per_fte.to_string()),
        (
            "budget_hours_per_family".into(),
            hours(p.budget_minutes_per_family),
        ),
        (
            "weekly_hours_per_family".into(),
            hours(p.weekly_minutes_per_family),
        ),
        (
            "start_within_weeks".into(),
            p.start_within_weeks.to_string(),
        ),
        (
            "full_time_hours_per_week".into(),
            hours(p.full_time_minutes_per_week),
        ),
        // Without these, saving the form would reset them to their defaults.
        ("plan_first_weeks".into(), p.plan_first_weeks.to_string()),
        ("plan_review_weeks".into(), p.plan_review_weeks.to_string()),
        (
            "waiting_warning_days".into(),
            p.waiting_warning_days.to_string(),
        ),
        (
            "budget_warning_percent".into(),
            p.budget_warning_percent.to_string(),
        ),
        (
            "under_norm_percent".into(),
            p.under_norm_percent.to_string(),
        ),
        (
            "goal_unchanged_weeks".into(),
            p.goal_unchanged_weeks.to_string(),
        ),
        (
            "module_start_weeks".into(),
            p.module_start_weeks.to_string(),
        ),
        ("phase1_max_weeks".into(), p.phase1_max_weeks.to_string()),
        ("phase2_max_weeks".into(), p.phase2_max_weeks.to_string()),
        ("phase3_max_weeks".into(), p.phase3_max_weeks.to_string()),
        ("phase4_max_weeks".into(), p.phase4_max_weeks.to_string()),
        (
            "indication_warning_weeks".into(),
            p.indication_warning_weeks.to_string(),
        ),
        ("no_contact_days".into(), p.no_contact_days.to_string()),
        (
            "hourly_rate".into(),
            if p.hourly_rate_cents > 0 {
                wrapcare_core::module::format_euros(p.hourly_rate_cents, ',')
            } else {
                String::new()
            },
        ),
    ]);
    let fields = Fields::new(ctx.tr, errors, values.unwrap_or(&current));
    let title = p.name.clone();
    let body = html! {
        h1 { (title) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") {
            div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
        }
        p { a href={ "/admin/programmes/" (id) "/questionnaires" } { (ctx.t("schedule-link")) } }
        form.form method="post" action={ "/admin/programmes/" (id) } {
            (ctx.csrf())
            input type="hidden" name="version" value=(p.version);
            (programme_fields(&ctx, &fields))
            div.actions {
                button.button.button--primary type="submit" { (ctx.t("save")) }
                a.button.button--secondary href="/admin/programmes" { (ctx.t("cancel")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn programme_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    programme_page(&state, &user, id, None, &[], StatusCode::OK).await
}

async fn update_programme(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let version = form.get("version").parse::<i64>().unwrap_or_default();
    match state
        .app
        .update_programme(&user.actor, id, &programme_input(&form), version)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/programmes?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            programme_page(
                &state,
                &user,
                id,
                Some(&form),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A programme's questionnaire schedule as the form shows it.
fn schedule_values(setting: &wrapcare_app::questionnaire::ScheduleSetting) -> FormData {
    use wrapcare_core::questionnaire::When;
    let mut pairs = vec![
        ("version".to_string(), setting.version.to_string()),
        ("grace_days".to_string(), setting.grace_days.to_string()),
    ];
    for p in &setting.schedule {
        let (moment, value) = match p.when {
            When::Start => ("start", "on".to_string()),
            When::Every { weeks } => ("every", weeks.to_string()),
            When::Closure => ("closure", "on".to_string()),
        };
        pairs.push((schedule_field(&p.instrument, p.respondent, moment), value));
    }
    FormData::new(pairs)
}

async fn schedule_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    posted: Option<&FormData>,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let setting = state
        .app
        .questionnaire_schedule(&user.actor, id)
        .await
        .map_err(|e| fail(state, user, e))?;
    let programme = state
        .app
        .programmes()
        .await
        .map_err(|e| fail(state, user, e))?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| fail(state, user, AppError::NotFound))?;
    let catalogue = wrapcare_app::questionnaire::catalogue().map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/programmes");
    let current = schedule_values(&setting);
    let values = posted.unwrap_or(&current);
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx
        .tr
        .t1("schedule-title", "programme", programme.name.clone());
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        p { (ctx.t("schedule-intro")) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") {
            div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
        }
        form.form method="post" action={ "/admin/programmes/" (id) "/questionnaires" } {
            (ctx.csrf())
            input type="hidden" name="version" value=(values.get("version"));
            @for instrument in catalogue.iter() {
                @for respondent in &instrument.respondents {
                    fieldset.fieldset {
                        legend {
                            (instrument.title.get(ctx.tr.lang.code()))
                            @if instrument.respondents.len() > 1 {
                                " · " (super::questionnaire::respondent_label(&ctx, *respondent))
                            }
                        }
                        div.field-row.field-row--wrap {
                            (fields.checkbox(&schedule_field(&instrument.id, *respondent, "start"), "schedule-at-start"))
                            (fields.input(&schedule_field(&instrument.id, *respondent, "every"), "schedule-every-weeks", "number", false, Some("schedule-every-hint")))
                            (fields.checkbox(&schedule_field(&instrument.id, *respondent, "closure"), "schedule-at-closure"))
                        }
                    }
                }
            }
            (fields.input("grace_days", "schedule-grace-days", "number", true, Some("schedule-grace-hint")))
            div.actions {
                button.button.button--primary type="submit" { (ctx.t("save")) }
                a.button.button--secondary href={ "/admin/programmes/" (id) } { (ctx.t("cancel")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn schedule_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    schedule_page(
        &state,
        &user,
        id,
        None,
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn save_schedule(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let catalogue = wrapcare_app::questionnaire::catalogue().map_err(|e| fail(&state, &user, e))?;
    let (setting, line_fields, mut errors) = schedule_setting(&form, catalogue);
    if errors.is_empty() {
        match state
            .app
            .set_questionnaire_schedule(&user.actor, id, &setting)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/admin/programmes/{id}/questionnaires?notice=notice-saved"
                ))
                .into_response());
            }
            Err(e) => {
                // The domain names schedule lines by their place; the form
                // shows each error by the field the line came from.
                errors = form_error(&state, &user, e)?
                    .into_iter()
                    .map(|mut e| {
                        let line = e
                            .field
                            .strip_prefix("schedule[")
                            .and_then(|rest| rest.split_once(']'))
                            .and_then(|(i, _)| i.parse::<usize>().ok())
                            .and_then(|i| line_fields.get(i));
                        if let Some(field) = line {
                            e.field = field.clone();
                        }
                        e
                    })
                    .collect();
            }
        }
    } else {
        // A refused form is still the administrator's to see.
        state
            .app
            .require(
                &user.actor,
                &[Role::Admin],
                "admin.set_questionnaire_schedule",
            )
            .await
            .map_err(|e| fail(&state, &user, e))?;
    }
    schedule_page(
        &state,
        &user,
        id,
        Some(&form),
        &errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn teams_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    state
        .app
        .require(&user.actor, &[Role::Admin], "admin.teams_page")
        .await
        .map_err(|e| fail(state, user, e))?;
    let list = state.app.teams().await.map_err(|e| fail(state, user, e))?;
    let programmes = state
        .app
        .programmes()
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/teams");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("teams-title");
    let options: Vec<(String, String)> = programmes
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (title) }
                thead { tr { th scope="col" { (ctx.t("col-name")) } th scope="col" { (ctx.t("col-programme")) } } }
                tbody { @for t in &list { tr { td { (t.name) } td { (t.programme_name) } } } }
            }
        }
        h2 { (ctx.t("team-create-title")) }
        (fields.summary())
        form.form method="post" action="/admin/teams" {
            (ctx.csrf())
            (fields.input("name", "col-name", "text", true, None))
            (fields.select("programme_id", "field-programme", &options, true))
            div.actions { button.button.button--primary type="submit" { (ctx.t("add")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn teams(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    teams_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn create_team(State(state): State<AppState>, CsrfForm(user, form): CsrfForm) -> PageResult {
    match state
        .app
        .create_team(&user.actor, form.get("name"), form.get("programme_id"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/teams?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            teams_page(
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

async fn workers_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    state
        .app
        .require(&user.actor, &[Role::Admin], "admin.workers_page")
        .await
        .map_err(|e| fail(state, user, e))?;
    let list = state
        .app
        .workers(&user.actor, None)
        .await
        .map_err(|e| fail(state, user, e))?;
    let teams = team_options(state)
        .await
        .map_err(|e| fail(state, user, e))?;
    let organisations: Vec<(String, String)> = state
        .app
        .organisations(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let domains = state
        .app
        .life_domains()
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "/admin/workers");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("workers-title");
    let jobs: Vec<(String, String)> = ["project_leader", "supervisor", "coordinator"]
        .iter()
        .map(|j| (j.to_string(), ctx.t(&format!("job-{j}")).into_owned()))
        .collect();
    let team_name = |id: i64| {
        teams
            .iter()
            .find(|(v, _)| *v == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        (fields.summary())
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (title) }
                thead { tr {
                    th scope="col" { (ctx.t("col-name")) }
                    th scope="col" { (ctx.t("field-team")) }
                    th scope="col" { (ctx.t("col-organisation")) }
                    th scope="col" { (ctx.t("field-job")) }
                    th scope="col" { (ctx.t("col-secondments")) }
                    th scope="col" { (ctx.t("worker-expertise")) }
                    th scope="col" { span.visually-hidden { (ctx.t("col-actions")) } }
                } }
                tbody {
                    @for w in &list {
                        @let running = w.secondments.iter().any(|s| s.ends_on.is_none());
                        tr {
                            td { (w.name) }
                            td { (team_name(w.team_id)) }
                            td { (w.home_organisation) }
                            td { (ctx.t(&format!("job-{}", w.job))) }
                            td {
                                ul {
                                    @for s in &w.secondments {
                                        li {
                                            (ctx.tr.t1("hours-per-week", "hours", ctx.tr.dec1(s.hours_per_week)))
                                            " · " (ctx.tr.date(s.starts_on)) " – " @if let Some(e) = s.ends_on { (ctx.tr.date(e)) }
                                        }
                                    }
                                }
                            }
                            td {
                                @let chosen: Vec<&str> = w.expertise.iter().map(String::as_str).collect();
                                (background_shown(&ctx, &domains, &chosen))
                                (background_form(&ctx, &format!("/admin/workers/{}/expertise", w.id), &format!("worker-{}", w.id), &w.name, "worker-expertise", &domains, &chosen))
                            }
                            td {
                                @if running {
                                    details {
                                        summary { (ctx.t("secondment-change")) span.visually-hidden { " " (w.name) } }
                                        form.form method="post" action={ "/admin/workers/" (w.id) "/secondment" } {
                                            (ctx.csrf())
                                            div.field { label for={ "hours-" (w.id) } { (ctx.t("field-hours-per-week")) }
                                                input.input id={ "hours-" (w.id) } name="hours_per_week" type="text" required; }
                                            div.field { label for={ "from-" (w.id) } { (ctx.t("field-starts-on")) }
                                                input.input id={ "from-" (w.id) } name="starts_on" type="date" required; }
                                            button.button.button--secondary.button--small type="submit" { (ctx.t("save")) }
                                        }
                                        form.form method="post" action={ "/admin/workers/" (w.id) "/end" } {
                                            (ctx.csrf())
                                            div.field { label for={ "end-" (w.id) } { (ctx.t("field-ends-on")) }
                                                input.input id={ "end-" (w.id) } name="ends_on" type="date" required; }
                                            button.button.button--danger.button--small type="submit" { (ctx.t("secondment-end")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("worker-create-title")) }
        form.form method="post" action="/admin/workers" {
            (ctx.csrf())
            div.field-row {
                (fields.input("name", "col-name", "text", true, None))
                (fields.select("job", "field-job", &jobs, true))
            }
            div.field-row {
                (fields.select("team_id", "field-team", &teams, true))
                (fields.select("home_organisation_id", "field-home-organisation", &organisations, true))
            }
            div.field-row {
                (fields.input("hours_per_week", "field-hours-per-week", "text", true, None))
                (fields.input("starts_on", "field-starts-on", "date", true, None))
                (fields.input("user_email", "field-user-email", "email", false, Some("hint-user-email")))
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("add")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

async fn workers(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    workers_page(
        &state,
        &user,
        &FormData::default(),
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn create_worker(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = WorkerInput {
        name: form.get("name").to_string(),
        team_id: form.get("team_id").to_string(),
        home_organisation_id: form.get("home_organisation_id").to_string(),
        job: form.get("job").to_string(),
        user_email: form.get("user_email").to_string(),
        hours_per_week: form.get("hours_per_week").to_string(),
        starts_on: form.get("starts_on").to_string(),
    };
    match state.app.create_worker(&user.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/workers?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            workers_page(
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

async fn change_secondment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = SecondmentInput {
        hours_per_week: form.get("hours_per_week").to_string(),
        starts_on: form.get("starts_on").to_string(),
    };
    match state.app.change_secondment(&user.actor, id, &input).await {
        Ok(()) => Ok(Redirect::to("/admin/workers?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            workers_page(
                &state,
                &user,
                &FormData::default(),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn end_secondment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state
        .app
        .end_secondment(&user.actor, id, form.get("ends_on"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/workers?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            workers_page(
                &state,
                &user,
                &FormData::default(),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The life domains recorded as a background, or that none are.
fn background_shown(ctx: &Ctx<'_>, domains: &[DomainOption], chosen: &[&str]) -> Markup {
    let names: Vec<&str> = domains
        .iter()
        .filter(|d| chosen.contains(&d.code.as_str()))
        .map(|d| super::meeting::domain_label(ctx.tr, d))
        .collect();
    html! {
        p.meta {
            @if names.is_empty() { (ctx.t("background-none")) } @else { (names.join(", ")) }
        }
    }
}

/// A folded form of life-domain checkboxes for an organisation's field or a
/// worker's expertise; `prefix` keeps the ids unique on the page.
fn background_form(
    ctx: &Ctx<'_>,
    action: &str,
    prefix: &str,
    whose: &str,
    summary_key: &str,
    domains: &[DomainOption],
    chosen: &[&str],
) -> Markup {
    html! {
        details {
            summary { (ctx.t(summary_key)) span.visually-hidden { ": " (whose) } }
            form.form method="post" action=(action) {
                (ctx.csrf())
                fieldset {
                    legend { (ctx.t(summary_key)) span.visually-hidden { ": " (whose) } }
                    @for d in domains {
                        div.choice {
                            input type="checkbox" id={ (prefix) "-" (d.code) } name="domains" value=(d.code) checked[chosen.contains(&d.code.as_str())];
                            label for={ (prefix) "-" (d.code) } { (super::meeting::domain_label(ctx.tr, d)) }
                        }
                    }
                }
                button.button.button--secondary.button--small type="submit" { (ctx.t("save")) span.visually-hidden { ": " (whose) } }
            }
        }
    }
}

async fn set_organisation_field(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let domains: Vec<String> = form.all("domains").iter().map(|d| d.to_string()).collect();
    match state
        .app
        .set_organisation_field(&user.actor, id, &domains)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/organisations?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            organisations_page(
                &state,
                &user,
                &FormData::default(),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn set_worker_expertise(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let domains: Vec<String> = form.all("domains").iter().map(|d| d.to_string()).collect();
    match state
        .app
        .set_worker_expertise(&user.actor, id, &domains)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/workers?notice=notice-saved").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            workers_page(
                &state,
                &user,
                &FormData::default(),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
