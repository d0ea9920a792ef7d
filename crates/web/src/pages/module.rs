//! Service modules: the catalogue (with tariffs and places in use), a family's
//! module referrals (request, start, end, delivered units), the family's
//! timeline and the costs of care.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use wrapcare_app::cost::{CostsView, PeriodQuery};
use wrapcare_app::module::{
    DeliveryInput, ModuleInput, ModuleReferralInput, ModuleReferralView, ModuleStepInput,
    ModuleView, OccupancyView, TariffInput,
};
use wrapcare_app::timeline::{TimelineEntry, TimelineView};
use wrapcare_core::FieldError;
use wrapcare_core::episode::EpisodeState;
use wrapcare_core::module::{EndReason, ModuleType, ModuleUnit, ReferralState, format_euros};
use wrapcare_core::role::Role;
use wrapcare_core::timeline::EventKind;

use super::{
    CsrfForm, Ctx, Fields, PageResult, fail, field_id, form_error, html_response, layout, notice,
    page_number, page_of,
};
use crate::AppState;
use crate::forms::FormData;
use crate::i18n::Lang;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// Money as people here read it: "€ 1.234,56" (Dutch) or "€1,234.56" (English).
pub fn euros(ctx: &Ctx<'_>, cents: i64) -> String {
    match ctx.tr.lang {
        Lang::Nl => format!("€ {}", format_euros(cents, ',')),
        Lang::En => format!("€{}", format_euros(cents, '.')),
    }
}

fn type_label(ctx: &Ctx<'_>, t: ModuleType) -> String {
    ctx.t(&format!("module-type-{}", t.as_str())).into_owned()
}

fn unit_label(ctx: &Ctx<'_>, u: ModuleUnit) -> String {
    ctx.t(&format!("module-unit-{}", u.as_str())).into_owned()
}

fn places_cell(ctx: &Ctx<'_>, m: &ModuleView) -> Markup {
    match (m.places, m.places_in_use) {
        (Some(places), Some(in_use)) => html! {
            span class=[(in_use > places).then_some("badge badge--danger")] {
                (ctx.tr.t2("module-places-in-use", ("used", in_use.into()), ("places", places.into())))
            }
        },
        _ => html! { "–" },
    }
}

// ---------------------------------------------------------------- catalogue

fn module_fields(ctx: &Ctx<'_>, fields: &Fields<'_>, organisations: &[(String, String)]) -> Markup {
    let types: Vec<(String, String)> = ModuleType::ALL
        .iter()
        .map(|t| (t.as_str().to_string(), type_label(ctx, *t)))
        .collect();
    let units: Vec<(String, String)> = ModuleUnit::ALL
        .iter()
        .map(|u| (u.as_str().to_string(), unit_label(ctx, *u)))
        .collect();
    html! {
        (fields.select("organisation_id", "module-provider", organisations, true))
        div.field-row {
            (fields.input("name", "col-name", "text", true, None))
            (fields.input("code", "module-code", "text", true, Some("hint-module-code")))
        }
        div.field-row {
            (fields.select("module_type", "module-type", &types, true))
            (fields.select("unit", "module-unit", &units, true))
            (fields.input("places", "module-places", "number", false, Some("hint-module-places")))
        }
    }
}

async fn organisation_options(
    state: &AppState,
    user: &PageUser,
) -> Result<Vec<(String, String)>, axum::response::Response> {
    Ok(state
        .app
        .organisations(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect())
}

async fn catalogue_page(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let list = state
        .app
        .modules(&user.actor)
        .await
        .map_err(|e| fail(state, user, e))?;
    let is_admin = user.actor.is(Role::Admin);
    let organisations = if is_admin {
        organisation_options(state, user).await?
    } else {
        Vec::new()
    };
    let ctx = Ctx::new(state, user, "/modules");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("modules-title");
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        @if list.is_empty() { p { (ctx.t("modules-none")) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (ctx.t("module-provider")) }
                        th scope="col" { (ctx.t("col-name")) }
                        th scope="col" { (ctx.t("module-type")) }
                        th scope="col" class="num" { (ctx.t("module-tariff-now")) }
                        th scope="col" { (ctx.t("module-places")) }
                    } }
                    tbody {
                        @for m in &list {
                            tr class=[(!m.active).then_some("is-inactive")] {
                                td { (m.provider) }
                                td { a href={ "/modules/" (m.id) } { (m.name) } @if !m.active { " " span.badge.badge--neutral { (ctx.t("module-inactive")) } } }
                                td { (type_label(&ctx, m.module_type)) }
                                td.num { @match m.current_tariff_cents {
                                    Some(c) => { (euros(&ctx, c)) " / " (unit_label(&ctx, m.unit)) }
                                    None => { "–" }
                                } }
                                td { (places_cell(&ctx, m)) }
                            }
                        }
                    }
                }
            }
        }
        @if is_admin {
            section.card {
                h2 { (ctx.t("module-create-title")) }
                (fields.summary())
                form.form method="post" action="/modules" {
                    (ctx.csrf())
                    (module_fields(&ctx, &fields, &organisations))
                    fieldset.fieldset {
                        legend { (ctx.t("module-first-tariff")) }
                        div.field-row {
                            (fields.input("valid_from", "module-valid-from", "date", true, None))
                            (fields.input("tariff_euros", "module-tariff", "text", true, Some("hint-module-tariff")))
                        }
                    }
                    div.actions { button.button.button--primary #create-module type="submit" { (ctx.t("add")) } }
                }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn catalogue(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let today = FormData::new(vec![("valid_from".into(), state.app.today().to_string())]);
    catalogue_page(
        &state,
        &user,
        &today,
        &[],
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

fn module_input(form: &FormData) -> ModuleInput {
    ModuleInput {
        organisation_id: form.get("organisation_id").to_string(),
        name: form.get("name").to_string(),
        code: form.get("code").to_string(),
        module_type: form.get("module_type").to_string(),
        unit: form.get("unit").to_string(),
        places: form.get("places").to_string(),
        // The create form has no checkbox: a new module is active.
        active: (!form.checked("edit") || form.checked("active")).to_string(),
    }
}

fn tariff_input(form: &FormData) -> TariffInput {
    TariffInput {
        valid_from: form.get("valid_from").to_string(),
        tariff_cents: String::new(),
        tariff_euros: form.get("tariff_euros").to_string(),
    }
}

pub async fn create(State(state): State<AppState>, CsrfForm(user, form): CsrfForm) -> PageResult {
    let result = state
        .app
        .create_module_with_tariff(&user.actor, &module_input(&form), &tariff_input(&form))
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/modules/{id}?notice=notice-saved")).into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            catalogue_page(
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

/// Places in use per day as bars against the number of places (dashed line).
fn occupancy_chart(ctx: &Ctx<'_>, view: &OccupancyView) -> Markup {
    let Some(places) = view.module.places else {
        return html! {};
    };
    if view.days.is_empty() {
        return html! {};
    }
    let (width, height, pad) = (600.0_f64, 140.0_f64, 16.0_f64);
    let max = view
        .days
        .iter()
        .map(|d| d.in_use)
        .max()
        .unwrap_or(0)
        .max(places)
        .max(1) as f64;
    let slot = (width - 2.0 * pad) / view.days.len() as f64;
    let y = |v: f64| height - pad - (height - 2.0 * pad) * (v / max);
    html! {
        svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="places-title" {
            title #places-title { (ctx.t("module-places-chart")) }
            @for (i, d) in view.days.iter().enumerate() {
                @let top = y(d.in_use as f64);
                rect class={ "chart__bar" @if d.in_use > places { " chart__bar--over" } }
                    x=(format!("{:.1}", pad + slot * i as f64 + 1.0)) y=(format!("{top:.1}"))
                    width=(format!("{:.1}", (slot - 2.0).max(1.0))) height=(format!("{:.1}", height - pad - top)) {}
            }
            line.chart__norm x1=(pad) x2=(width - pad) y1=(format!("{:.1}", y(places as f64))) y2=(format!("{:.1}", y(places as f64))) {}
            text.chart__label x=(pad) y=(format!("{:.1}", y(places as f64) - 4.0)) { (ctx.tr.t1("module-places-n", "places", places)) }
            @if let (Some(first), Some(last)) = (view.days.first(), view.days.last()) {
                text.chart__label x=(pad) y=(height - 2.0) { (ctx.tr.date(first.day)) }
                text.chart__label x=(width - pad) y=(height - 2.0) text-anchor="end" { (ctx.tr.date(last.day)) }
            }
        }
    }
}

async fn module_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: Option<&FormData>,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .module_occupancy(&user.actor, id, None, None)
        .await
        .map_err(|e| fail(state, user, e))?;
    let m = &view.module;
    let is_admin = user.actor.is(Role::Admin);
    let organisations = if is_admin {
        organisation_options(state, user).await?
    } else {
        Vec::new()
    };
    let current = FormData::new(vec![
        ("organisation_id".into(), m.organisation_id.to_string()),
        ("name".into(), m.name.clone()),
        ("code".into(), m.code.clone()),
        ("module_type".into(), m.module_type.as_str().into()),
        ("unit".into(), m.unit.as_str().into()),
        (
            "places".into(),
            m.places.map(|p| p.to_string()).unwrap_or_default(),
        ),
        (
            "active".into(),
            if m.active { "on".into() } else { String::new() },
        ),
        ("valid_from".into(), state.app.today().to_string()),
    ]);
    let ctx = Ctx::new(state, user, "/modules");
    let fields = Fields::new(ctx.tr, errors, values.unwrap_or(&current));
    let title = m.name.clone();
    let body = html! {
        p { a href="/modules" { "← " (ctx.t("modules-title")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        dl.summary-list {
            div { dt { (ctx.t("module-provider")) } dd { (m.provider) } }
            div { dt { (ctx.t("module-type")) } dd { (type_label(&ctx, m.module_type)) " · " (unit_label(&ctx, m.unit)) } }
            div { dt { (ctx.t("module-code")) } dd { code { (m.code) } } }
            div { dt { (ctx.t("module-places")) } dd { (places_cell(&ctx, m)) } }
        }
        h2 { (ctx.t("module-tariffs")) }
        @if m.tariffs.is_empty() { p { (ctx.t("module-no-tariff")) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("module-tariffs")) }
                    thead { tr { th scope="col" { (ctx.t("module-valid-from")) } th scope="col" class="num" { (ctx.t("module-tariff")) } } }
                    tbody { @for t in m.tariffs.iter().rev() {
                        tr class=[(Some(t.cents) == m.current_tariff_cents && t.valid_from <= state.app.today()).then_some("is-current")] {
                            td { (ctx.tr.date(t.valid_from)) } td.num { (euros(&ctx, t.cents)) " / " (unit_label(&ctx, m.unit)) }
                        }
                    } }
                }
            }
        }
        @if m.places.is_some() {
            h2 { (ctx.t("module-places-per-day")) }
            (occupancy_chart(&ctx, &view))
            details {
                summary { (ctx.t("module-places-table")) }
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                    table.data-table {
                        caption.visually-hidden { (ctx.t("module-places-per-day")) }
                        thead { tr { th scope="col" { (ctx.t("contacts-date")) } th scope="col" class="num" { (ctx.t("module-in-use")) } } }
                        tbody { @for d in view.days.iter().rev() { tr { td { (ctx.tr.date(d.day)) } td.num { (d.in_use) } } } }
                    }
                }
            }
        }
        @if is_admin {
            section.card {
                h2 { (ctx.t("module-add-tariff")) }
                p.hint { (ctx.t("module-add-tariff-lead")) }
                form.form method="post" action={ "/modules/" (id) "/tariffs" } {
                    (ctx.csrf())
                    div.field-row {
                        (fields.input("valid_from", "module-valid-from", "date", true, None))
                        (fields.input("tariff_euros", "module-tariff", "text", true, Some("hint-module-tariff")))
                    }
                    div.actions { button.button.button--primary #add-tariff type="submit" { (ctx.t("module-add-tariff")) } }
                }
            }
            section.card {
                h2 { (ctx.t("module-edit-title")) }
                (fields.summary())
                form.form method="post" action={ "/modules/" (id) } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(m.version);
                    input type="hidden" name="edit" value="on";
                    (module_fields(&ctx, &fields, &organisations))
                    (fields.checkbox("active", "module-active"))
                    div.actions { button.button.button--primary type="submit" { (ctx.t("save")) } }
                }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    module_page(
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

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let version = form.get("version").parse::<i64>().unwrap_or(0);
    match state
        .app
        .update_module(&user.actor, id, &module_input(&form), version)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/modules/{id}?notice=notice-saved")).into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            module_page(
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
    }
}

pub async fn add_tariff(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    match state
        .app
        .add_tariff(&user.actor, id, &tariff_input(&form))
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/modules/{id}?notice=notice-tariff-added")).into_response())
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            module_page(
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
    }
}

// ------------------------------------------------------- family's modules

/// Which referral's form failed, so its error shows by its own fields.
struct Failed<'a> {
    referral: Option<i64>,
    form: &'a str,
    errors: &'a [FieldError],
    values: &'a FormData,
}

fn units_text(ctx: &Ctx<'_>, r: &ModuleReferralView) -> String {
    ctx.tr.t2(
        "module-units-used",
        ("units", r.units.into()),
        ("unit", unit_label(ctx, r.unit).into()),
    )
}

fn step_field(
    ctx: &Ctx<'_>,
    failed: &Failed<'_>,
    referral: i64,
    form: &str,
    [name, label_key, kind]: [&str; 3],
    default: &str,
) -> Markup {
    let id = format!("{form}-{referral}-{}", field_id(name));
    let mine = failed.referral == Some(referral) && failed.form == form;
    let error = mine
        .then(|| failed.errors.iter().find(|e| e.field == name))
        .flatten();
    let value = if mine {
        failed.values.get(name)
    } else {
        default
    };
    html! {
        div class={ "field" @if error.is_some() { " field--error" } } {
            label for=(id) { (ctx.t(label_key)) }
            @if let Some(e) = error {
                span.field-error id={ (id) "-error" } { span.visually-hidden { (ctx.t("error-prefix")) } (ctx.t(e.key)) }
            }
            input.input id=(id) name=(name) type=(kind) value=(value) required
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
        }
    }
}

fn referral_actions(
    ctx: &Ctx<'_>,
    family_id: i64,
    r: &ModuleReferralView,
    failed: &Failed<'_>,
    today: &str,
) -> Markup {
    let base = format!("/families/{family_id}/modules/{}", r.id);
    let open = |form: &str| failed.referral == Some(r.id) && failed.form == form;
    let reasons = EndReason::allowed_for(r.state);
    let reason_id = format!("end-{}-reason", r.id);
    html! {
        @if r.state == ReferralState::Requested {
            details open[open("start")] {
                summary { (ctx.t("module-start")) span.visually-hidden { " " (r.module_name) } }
                form.form method="post" action={ (base) "/start" } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(r.version);
                    (step_field(ctx, failed, r.id, "start", ["on", "module-started-on", "date"], today))
                    button.button.button--primary.button--small type="submit" { (ctx.t("module-start")) }
                }
            }
        }
        @if r.state != ReferralState::Ended {
            details open[open("end")] {
                summary { (ctx.t("module-end")) span.visually-hidden { " " (r.module_name) } }
                form.form method="post" action={ (base) "/end" } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(r.version);
                    (step_field(ctx, failed, r.id, "end", ["on", "module-ended-on", "date"], today))
                    div.field {
                        label for=(reason_id) { (ctx.t("module-end-reason")) }
                        select.select id=(reason_id) name="reason" required {
                            @for reason in reasons {
                                option value=(reason.as_str()) { (ctx.t(&format!("module-end-{}", reason.as_str()))) }
                            }
                        }
                    }
                    button.button.button--secondary.button--small type="submit" { (ctx.t("module-end")) }
                }
            }
        }
        @if r.state == ReferralState::Started && !r.module_type.counts_nights() {
            details open[open("delivery")] {
                summary { (ctx.t("module-record-delivery")) span.visually-hidden { " " (r.module_name) } }
                form.form method="post" action={ (base) "/deliveries" } {
                    (ctx.csrf())
                    (step_field(ctx, failed, r.id, "delivery", ["delivered_on", "contacts-date", "date"], today))
                    (step_field(ctx, failed, r.id, "delivery", ["units", "module-units", "number"], "1"))
                    button.button.button--secondary.button--small type="submit" { (ctx.t("module-record-delivery")) }
                }
            }
        }
    }
}

async fn family_modules_page(
    state: &AppState,
    user: &PageUser,
    family_id: i64,
    failed: Failed<'_>,
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .module_referrals(&user.actor, family_id)
        .await
        .map_err(|e| fail(state, user, e))?;
    let ctx = Ctx::new(state, user, "");
    let today = state.app.today().to_string();
    let request_errors: &[FieldError] = if failed.form == "request" {
        failed.errors
    } else {
        &[]
    };
    let defaults = FormData::new(vec![("requested_on".into(), today.clone())]);
    let fields = Fields::new(
        ctx.tr,
        request_errors,
        if failed.form == "request" {
            failed.values
        } else {
            &defaults
        },
    );
    let open = matches!(
        view.episode_state,
        EpisodeState::Assigned | EpisodeState::InCare
    );
    let module_options: Vec<(String, String)> = view
        .modules
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                format!(
                    "{} — {} ({})",
                    m.name,
                    m.provider,
                    type_label(&ctx, m.module_type)
                ),
            )
        })
        .collect();
    let goal_options: Vec<(String, String)> = view
        .goals
        .iter()
        .map(|g| (g.key.clone(), g.description.clone()))
        .collect();
    let chosen: Vec<&str> = if failed.form == "request" {
        failed.values.all("children")
    } else {
        Vec::new()
    };
    let title = ctx.t("modules-family-title");
    let body = html! {
        p { a href={ "/families/" (family_id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        @for e in failed.errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        @if failed.form != "request" && !failed.errors.is_empty() {
            div.notice.notice--error role="alert" { ul { @for e in failed.errors.iter().filter(|e| e.field != "form") { li { (ctx.t(e.key)) } } } }
        }
        @if view.referrals.is_empty() { p { (ctx.t("modules-family-none")) } } @else {
            // One card per referral: readable at any width, with its steps beside it.
            ol.module-list #module-referrals aria-label=(title) {
                @for r in &view.referrals {
                    li.module-card id={ "referral-" (r.id) } {
                        div.module-card__head {
                            h2.module-card__title { (r.module_name) }
                            span class={ "badge " @match r.state { ReferralState::Requested => "badge--warning", ReferralState::Started => "badge--ok", ReferralState::Ended => "badge--neutral" } } {
                                (ctx.t(&format!("module-state-{}", r.state.as_str())))
                            }
                        }
                        p.hint { (r.provider) " · " (type_label(&ctx, r.module_type)) " · " (ctx.t("module-reference")) ": " code { (wrapcare_core::module::reference(r.id)) } }
                        dl.module-card__facts {
                            div { dt { (ctx.t("module-children")) } dd { @for (i, c) in r.children.iter().enumerate() { @if i > 0 { ", " } (c.name) } } }
                            div { dt { (ctx.t("module-goal")) } dd { (r.goal.as_deref().unwrap_or("–")) } }
                            div { dt { (ctx.t("module-dates")) } dd {
                                (ctx.t("module-requested-on")) " " (ctx.tr.date(r.requested_on))
                                @if let Some(d) = r.started_on { br; (ctx.t("module-started-on")) " " (ctx.tr.date(d)) }
                                @if let Some(d) = r.ended_on { br; (ctx.t("module-ended-on")) " " (ctx.tr.date(d)) }
                                @if let Some(reason) = r.end_reason { " (" (ctx.t(&format!("module-end-{}", reason.as_str()))) ")" }
                            } }
                            div { dt { (ctx.t("module-units")) } dd.units { (units_text(&ctx, r)) } }
                            div { dt { (ctx.t("costs-amount")) } dd.cost { (euros(&ctx, r.cost_cents)) @if r.unpriced_units > 0 { " " span.badge.badge--warning { (ctx.t("module-unpriced")) } } } }
                        }
                        @if !r.note.is_empty() { p.module-card__note { (r.note) } }
                        @if open { div.module-card__actions { (referral_actions(&ctx, family_id, r, &failed, &today)) } }
                    }
                }
            }
        }
        @if open {
            section.card.no-print {
                h2 { (ctx.t("module-request-title")) }
                (fields.summary())
                @if view.modules.is_empty() { p { (ctx.t("modules-none")) } } @else {
                    form.form method="post" action={ "/families/" (family_id) "/modules" } {
                        (ctx.csrf())
                        (fields.select("module_id", "module", &module_options, true))
                        fieldset class={ "fieldset" @if request_errors.iter().any(|e| e.field == "children") { " field--error" } } #children {
                            legend { (ctx.t("module-children")) }
                            @if let Some(e) = request_errors.iter().find(|e| e.field == "children") {
                                span.field-error { span.visually-hidden { (ctx.t("error-prefix")) } (ctx.t(e.key)) }
                            }
                            @for c in &view.children {
                                div.choice {
                                    input id={ "child-" (c.person_id) } name="children" type="checkbox" value=(c.person_id)
                                        checked[chosen.contains(&c.person_id.to_string().as_str()) || view.children.len() == 1];
                                    label for={ "child-" (c.person_id) } { (c.name) }
                                }
                            }
                        }
                        (fields.select("goal_key", "module-goal", &goal_options, false))
                        (fields.input("requested_on", "module-requested-on", "date", true, None))
                        (fields.textarea("note", "contacts-note", false, None))
                        div.actions { button.button.button--primary #request-module type="submit" { (ctx.t("module-request-button")) } }
                    }
                }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

fn no_failure(values: &FormData) -> Failed<'_> {
    Failed {
        referral: None,
        form: "",
        errors: &[],
        values,
    }
}

pub async fn family_modules(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let empty = FormData::default();
    family_modules_page(
        &state,
        &user,
        id,
        no_failure(&empty),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

pub async fn request(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = ModuleReferralInput {
        module_id: form.get("module_id").to_string(),
        children: form
            .all("children")
            .iter()
            .filter_map(|c| c.parse::<i64>().ok())
            .collect(),
        goal_key: form.get("goal_key").to_string(),
        requested_on: form.get("requested_on").to_string(),
        note: form.get("note").to_string(),
    };
    match state.app.request_module(&user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/modules?notice=notice-module-requested"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            let failed = Failed {
                referral: None,
                form: "request",
                errors: &errors,
                values: &form,
            };
            family_modules_page(
                &state,
                &user,
                id,
                failed,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn step(
    state: AppState,
    user: PageUser,
    family_id: i64,
    referral_id: i64,
    form: FormData,
    form_name: &'static str,
) -> PageResult {
    let version = form.get("version").parse::<i64>().unwrap_or(0);
    let step_input = ModuleStepInput {
        on: form.get("on").to_string(),
        reason: form.get("reason").to_string(),
        version,
    };
    let (result, notice_key) = match form_name {
        "start" => (
            state
                .app
                .start_module(&user.actor, family_id, referral_id, &step_input)
                .await,
            "notice-module-started",
        ),
        "end" => (
            state
                .app
                .end_module(&user.actor, family_id, referral_id, &step_input)
                .await,
            "notice-module-ended",
        ),
        _ => (
            state
                .app
                .record_delivery(
                    &user.actor,
                    family_id,
                    referral_id,
                    &DeliveryInput {
                        delivered_on: form.get("delivered_on").to_string(),
                        units: form.get("units").to_string(),
                    },
                )
                .await,
            "notice-delivery-recorded",
        ),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{family_id}/modules?notice={notice_key}"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            let failed = Failed {
                referral: Some(referral_id),
                form: form_name,
                errors: &errors,
                values: &form,
            };
            family_modules_page(
                &state,
                &user,
                family_id,
                failed,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A step of a referral posted from its card: `start`, `end` or `deliveries`.
pub async fn step_posted(
    State(state): State<AppState>,
    Path((id, referral, step_name)): Path<(i64, i64, String)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let form_name = match step_name.as_str() {
        "start" => "start",
        "end" => "end",
        "deliveries" => "delivery",
        _ => return Err(fail(&state, &user, wrapcare_app::AppError::NotFound)),
    };
    step(state, user, id, referral, form, form_name).await
}

// ---------------------------------------------------------------- timeline

fn timeline_text(ctx: &Ctx<'_>, e: &TimelineEntry) -> Markup {
    let kind = e.kind.unwrap_or(EventKind::Contact);
    html! {
        @match kind {
            EventKind::Contact => {
                (ctx.t(&format!("contact-kind-{}", e.contact_kind.map_or("administration", |k| k.as_str()))))
                " · " (ctx.tr.t1("minutes-value", "minutes", e.minutes.unwrap_or(0)))
                @if let Some(c) = &e.coordinator { " · " (c) }
                @if e.removed { " " span.badge.badge--neutral { (ctx.t("contacts-status-removed")) } }
                @if let Some(p) = &e.participants { br; span.timeline__note { (ctx.t("contacts-participants")) ": " (p) } }
            }
            EventKind::Assigned => { (e.coordinator.as_deref().unwrap_or("")) }
            EventKind::Handover => { (e.previous_coordinator.as_deref().unwrap_or("")) " → " (e.coordinator.as_deref().unwrap_or("")) }
            EventKind::PhaseChanged => { (ctx.t(&format!("phase-{}", e.phase.unwrap_or(1)))) }
            EventKind::PlanAgreed => { (ctx.tr.t1("plan-version-n", "number", i64::from(e.plan_version.unwrap_or(1)))) }
            EventKind::ModuleRequested | EventKind::ModuleStarted | EventKind::ModuleEnded => {
                strong { (e.module.as_deref().unwrap_or("")) } " (" (e.provider.as_deref().unwrap_or("")) ")"
                @if !e.children.is_empty() { " · " (e.children.join(", ")) }
                @if let Some(r) = e.end_reason { " · " (ctx.t(&format!("module-end-{}", r.as_str()))) }
            }
            EventKind::Closed => { @if let Some(r) = e.closure_reason { (ctx.t(&format!("closure-{}", r.as_str()))) } }
            _ => {}
        }
        @if let Some(note) = &e.note { br; span.timeline__note { (note) } }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TimelineQuery {
    /// "contacts" leaves the contacts out, to see the main steps at a glance.
    without: Option<String>,
    /// 1 is the latest events, 2 the ones before them, and so on.
    page: Option<String>,
}

/// Which of `len` events (in date order) page `page` shows, counting pages
/// from the latest (1), and how many pages there are. A page beyond the
/// last shows the last.
pub fn timeline_page(len: usize, page: usize) -> (std::ops::Range<usize>, usize) {
    let (from_latest, pages) = page_of(len, page);
    (len - from_latest.end..len - from_latest.start, pages)
}

/// The events the timeline shows, with or without the contacts.
fn shown_events(view: &TimelineView, without_contacts: bool) -> Vec<&TimelineEntry> {
    view.entries
        .iter()
        .filter(|e| !(without_contacts && e.kind == Some(EventKind::Contact)))
        .collect()
}

/// The timeline as a page body; measured by the benchmark together with `build`.
pub fn timeline_body(
    ctx: &Ctx<'_>,
    view: &TimelineView,
    without_contacts: bool,
    page: usize,
) -> Markup {
    let base = format!("/families/{}/timeline", view.family_id);
    let contacts = view
        .entries
        .iter()
        .filter(|e| e.kind == Some(EventKind::Contact))
        .count();
    let shown = shown_events(view, without_contacts);
    let (range, pages) = timeline_page(shown.len(), page);
    let page = page.clamp(1, pages);
    let page_link = |to: usize| {
        let filter = if without_contacts {
            "without=contacts&"
        } else {
            ""
        };
        format!("{base}?{filter}page={to}")
    };
    let earlier = range.start;
    let later = shown.len() - range.end;
    html! {
        p { a href={ "/families/" (view.family_id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (ctx.tr.t1("timeline-title", "family", view.surname.clone())) }
        nav.filter aria-label=(ctx.t("timeline-filter")) {
            @if without_contacts {
                a href=(base) { (ctx.tr.t1("timeline-with-contacts", "count", contacts)) }
                " · " strong aria-current="page" { (ctx.t("timeline-without-contacts")) }
            } @else {
                strong aria-current="page" { (ctx.tr.t1("timeline-with-contacts", "count", contacts)) }
                " · " a href={ (base) "?without=contacts" } { (ctx.t("timeline-without-contacts")) }
            }
        }
        @if shown.is_empty() { p { (ctx.t("timeline-none")) } } @else {
            @if pages > 1 {
                p.timeline__pages #timeline-range {
                    (ctx.tr.t3("timeline-range",
                        ("from", (range.start + 1).into()),
                        ("to", range.end.into()),
                        ("total", shown.len().into())))
                }
            }
            @if earlier > 0 {
                p { a #timeline-earlier href=(page_link(page + 1)) { "↑ " (ctx.tr.t1("timeline-earlier", "count", earlier)) } }
            }
            ol.timeline #timeline start=(range.start + 1) {
                @for e in &shown[range] {
                    @let kind = e.kind.unwrap_or(EventKind::Contact);
                    li class={ "timeline__item timeline__item--" (kind.as_str()) } {
                        time datetime=(e.on) { (ctx.tr.date(e.on)) }
                        span.timeline__kind { (ctx.t(&format!("timeline-{}", kind.as_str()))) }
                        div.timeline__text { (timeline_text(ctx, e)) }
                    }
                }
            }
            @if later > 0 {
                p { a #timeline-later href=(page_link(page - 1)) { "↓ " (ctx.tr.t1("timeline-later", "count", later)) } }
            }
        }
    }
}

pub async fn timeline(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<TimelineQuery>,
) -> PageResult {
    let view = state
        .app
        .timeline(&user.actor, id)
        .await
        .map_err(|e| fail(&state, &user, e))?;
    let ctx = Ctx::new(&state, &user, "");
    let title = ctx.tr.t1("timeline-title", "family", view.surname.clone());
    // Not a number: the latest page, as a link without one would show (a
    // number too large to read, too).
    let page = page_number(q.page.as_deref());
    let without_contacts = q.without.as_deref() == Some("contacts");
    // Clamped here too, so that every number past the last page is one
    // variant, not one each crowding out the others.
    let shown = shown_events(&view, without_contacts).len();
    let page = page.clamp(1, timeline_page(shown, page).1);
    // The body shows the view alone (no form, nothing of the session), so
    // what was rendered of this copy of it serves again.
    let variant = format!("{}|{without_contacts}|{page}", ctx.tr.lang.code());
    let body = view.renditions.get_or_render(&variant, || {
        timeline_body(&ctx, &view, without_contacts, page).into_string()
    });
    Ok(html_response(
        StatusCode::OK,
        layout(&ctx, &title, PreEscaped(body.to_string())),
    ))
}

// ------------------------------------------------------------------- costs

fn costs_body(ctx: &Ctx<'_>, view: &CostsView, action: &str) -> Markup {
    let hours = ctx.tr.dec1(view.coordinator_minutes as f64 / 60.0);
    html! {
        form.form.form--inline method="get" action=(action) {
            div.field-row {
                div.field { label for="from" { (ctx.t("costs-from")) } input.input #from name="from" type="date" value=(view.from); }
                div.field { label for="to" { (ctx.t("costs-to")) } input.input #to name="to" type="date" value=(view.to); }
            }
            div.actions { button.button.button--secondary type="submit" { (ctx.t("costs-show")) } }
        }
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table #costs {
                caption { (ctx.tr.t2("costs-period", ("from", ctx.tr.date(view.from).into()), ("to", ctx.tr.date(view.to).into()))) }
                thead { tr {
                    th scope="col" { (ctx.t("costs-item")) }
                    th scope="col" class="num" { (ctx.t("module-units")) }
                    th scope="col" class="num" { (ctx.t("costs-amount")) }
                } }
                tbody {
                    tr {
                        th scope="row" { (ctx.t("costs-coordinator")) br; span.hint {
                            @if view.hourly_rate_cents > 0 { (ctx.tr.t1("costs-rate", "rate", euros(ctx, view.hourly_rate_cents))) } @else { (ctx.t("costs-no-rate")) }
                        } }
                        td.num { (ctx.tr.t1("hours-value", "hours", hours)) }
                        td.num { (euros(ctx, view.coordinator_cents)) }
                    }
                    @for l in &view.modules {
                        tr {
                            th scope="row" { (l.module) br; span.hint { (l.provider) } }
                            td.num { (l.units) " × " (unit_label(ctx, l.unit)) @if l.unpriced_units > 0 { br; span.badge.badge--warning { (ctx.t("module-unpriced")) } } }
                            td.num { (euros(ctx, l.cents)) }
                        }
                    }
                }
                tfoot { tr { th scope="row" colspan="2" { (ctx.t("costs-total")) } td.num #costs-total { strong { (euros(ctx, view.total_cents)) } } } }
            }
        }
    }
}

pub async fn family_costs(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let view = state
        .app
        .family_costs(&user.actor, id, &q)
        .await
        .map_err(|e| fail(&state, &user, e))?;
    let ctx = Ctx::new(&state, &user, "");
    let title = ctx.t("costs-family-title");
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (costs_body(&ctx, &view, &format!("/families/{id}/costs")))
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

pub async fn programme_costs(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let view = state
        .app
        .programme_costs(&user.actor, id, &q)
        .await
        .map_err(|e| fail(&state, &user, e))?;
    let ctx = Ctx::new(&state, &user, "/figures");
    let title = ctx
        .tr
        .t1("costs-programme-title", "programme", view.programme.clone());
    let body = html! {
        p { a href="/figures" { "← " (ctx.t("nav-figures")) } }
        h1 { (title) }
        p { (ctx.tr.t1("costs-families", "count", view.families)) }
        (costs_body(&ctx, &view, &format!("/programmes/{id}/costs")))
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_pages_count_from_the_latest_events() {
        assert_eq!(timeline_page(0, 1), (0..0, 1));
        assert_eq!(timeline_page(30, 1), (0..30, 1));
        assert_eq!(timeline_page(30, 7), (0..30, 1));
        assert_eq!(timeline_page(120, 1), (70..120, 3));
        assert_eq!(timeline_page(120, 2), (20..70, 3));
        assert_eq!(timeline_page(120, 3), (0..20, 3));
        assert_eq!(timeline_page(120, 0), (70..120, 3));
        assert_eq!(timeline_page(100, 2), (0..50, 2));
        assert_eq!(timeline_page(120, usize::MAX), (0..20, 3));
    }
}
