//! Referral pages: intake submits and follows its referrals; supervisors screen them.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::referral::{AcceptInput, DeclineInput, FamilyMatch, ReferralView};
use wrapcare_core::FieldError;
use wrapcare_core::family::MemberRole;
use wrapcare_core::referral::{ReferralSource, Urgency};
use wrapcare_core::role::Role;

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice, page,
    urgency_badge,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Default member slots on a new form: two adults and two children.
const DEFAULT_SLOTS: usize = 4;

fn status_badge(ctx: &Ctx<'_>, r: &ReferralView) -> Markup {
    use wrapcare_core::referral::IntakeStatus as S;
    let class = match r.status {
        S::Submitted => "badge badge--info",
        S::Declined | S::Withdrawn => "badge badge--neutral",
        S::Waiting => "badge badge--warning",
        S::Assigned | S::InCare => "badge badge--ok",
        S::Closed => "badge badge--neutral",
    };
    html! { span class=(class) { (ctx.t(&format!("intake-status-{}", r.status.as_str()))) } }
}

/// Intake's own referrals with their status.
pub async fn mine(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let list = state
        .app
        .my_referrals(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/referrals");
    let title = ctx.t("my-referrals-title");
    let body = html! {
        h1 { (title) }
        (notice(&ctx, q.notice.as_deref()))
        p { a.button.button--primary #new-referral href="/referrals/new" { (ctx.t("nav-new-referral")) } }
        @if list.is_empty() {
            p { (ctx.t("my-referrals-empty")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-received")) }
                        th scope="col" { (ctx.t("col-family")) }
                        th scope="col" { (ctx.t("col-programme")) }
                        th scope="col" { (ctx.t("col-urgency")) }
                        th scope="col" { (ctx.t("col-status")) }
                    } }
                    tbody {
                        @for r in &list {
                            tr {
                                td { (ctx.tr.date(r.received_on)) }
                                td { a href={ "/referrals/" (r.id) } { (ctx.t("family-prefix")) " " (r.surname) } }
                                td { (r.programme_name) }
                                td { (urgency_badge(&ctx, r.urgency)) }
                                td { (status_badge(&ctx, r)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, &title, body))
}

fn options<T: Copy>(
    ctx: &Ctx<'_>,
    all: &[T],
    code: impl Fn(T) -> &'static str,
    prefix: &str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| {
            (
                code(*v).to_string(),
                ctx.t(&format!("{prefix}{}", code(*v))).into_owned(),
            )
        })
        .collect()
}

async fn referral_form(
    state: &AppState,
    user: &PageUser,
    values: &FormData,
    errors: &[FieldError],
    slots: usize,
    status: StatusCode,
) -> PageResult {
    let programmes = state
        .app
        .programmes()
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "/referrals/new");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("new-referral-title");
    let programme_options: Vec<(String, String)> = programmes
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let roles = options(&ctx, &MemberRole::ALL, MemberRole::as_str, "member-role-");
    let form_errors: Vec<&FieldError> = errors
        .iter()
        .filter(|e| e.field == "members" || e.field == "form")
        .collect();
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("new-referral-lead")) }
        (fields.summary())
        form.form method="post" action="/referrals" novalidate {
            (ctx.csrf())
            fieldset.fieldset {
                legend { (ctx.t("referral-section-programme")) }
                (fields.select("programme_id", "field-programme", &programme_options, true))
                div.field-row {
                    (fields.select("source", "field-source", &options(&ctx, &ReferralSource::ALL, ReferralSource::as_str, "source-"), true))
                    (fields.select("urgency", "field-urgency", &options(&ctx, &Urgency::ALL, Urgency::as_str, "urgency-"), true))
                    (fields.input("received_on", "field-received-on", "date", true, None))
                }
                div.field-row {
                    (fields.input("referrer_name", "field-referrer-name", "text", true, None))
                    (fields.input("referrer_contact", "field-referrer-contact", "text", true, Some("hint-referrer-contact")))
                }
                (fields.textarea("reason", "field-reason", true, Some("hint-reason")))
            }
            fieldset.fieldset {
                legend { (ctx.t("referral-section-household")) }
                div.field-row {
                    (fields.input("address", "field-address", "text", false, None))
                    (fields.input("postcode", "field-postcode", "text", false, None))
                    (fields.input("city", "field-city", "text", false, None))
                }
                div.field-row {
                    (fields.input("phone", "field-phone", "tel", false, None))
                    (fields.input("home_language", "field-home-language", "text", false, Some("hint-home-language")))
                }
            }
            @for e in &form_errors {
                div.notice.notice--error #members role="alert" { p { (ctx.t(e.key)) } }
            }
            @for i in 0..slots {
                @let p = format!("members[{i}]");
                fieldset.fieldset {
                    legend { (ctx.tr.t1("member-legend", "number", (i + 1) as i64)) }
                    div.field-row {
                        (fields.input(&format!("{p}.given_name"), "field-given-name", "text", false, None))
                        (fields.input(&format!("{p}.family_name"), "field-family-name", "text", false, None))
                        (fields.select(&format!("{p}.role"), "field-member-role", &roles, false))
                    }
                    div.field-row {
                        (fields.input(&format!("{p}.birth_date"), "field-birth-date", "date", false, None))
                        (fields.input(&format!("{p}.expected_birth_date"), "field-expected-birth-date", "date", false, Some("hint-expected-birth-date")))
                        (fields.input(&format!("{p}.bsn"), "field-bsn", "text", false, Some("hint-bsn")))
                    }
                    div.field-row {
                        (fields.input(&format!("{p}.phone"), "field-phone", "tel", false, None))
                    }
                    (fields.checkbox(&format!("{p}.parental_authority"), "field-parental-authority"))
                    details open[!values.get(&format!("{p}.indications[0].number")).is_empty() || errors.iter().any(|e| e.field.starts_with(&format!("{p}.indications")))] {
                        summary { (ctx.t("indication-summary")) }
                        @let q = format!("{p}.indications[0]");
                        div.field-row {
                            (fields.input(&format!("{q}.number"), "field-indication-number", "text", false, None))
                            (fields.input(&format!("{q}.product"), "field-indication-product", "text", false, None))
                            (fields.input(&format!("{q}.issuer"), "field-indication-issuer", "text", false, None))
                        }
                        div.field-row {
                            (fields.input(&format!("{q}.starts_on"), "field-indication-starts-on", "date", false, None))
                            (fields.input(&format!("{q}.ends_on"), "field-indication-ends-on", "date", false, None))
                        }
                    }
                }
            }
            div.actions {
                button.button.button--primary #submit-referral type="submit" { (ctx.t("submit-referral")) }
                button.button.button--secondary type="submit" formaction="/referrals/new" name="more" value="1" { (ctx.t("add-member")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

/// Only intake and supervisors refer a family; the form says nothing to others.
async fn may_refer(state: &AppState, user: &PageUser) -> Result<(), axum::response::Response> {
    state
        .app
        .require(
            &user.actor,
            &[Role::Intake, Role::Supervisor],
            "referral.new_form",
        )
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))
}

pub async fn new_form(State(state): State<AppState>, user: PageUser) -> PageResult {
    may_refer(&state, &user).await?;
    referral_form(
        &state,
        &user,
        &FormData::default(),
        &[],
        DEFAULT_SLOTS,
        StatusCode::OK,
    )
    .await
}

/// "Add a family member": the same form with one more slot, nothing stored.
pub async fn new_form_more(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    may_refer(&state, &user).await?;
    let slots =
        (form.member_slots().max(DEFAULT_SLOTS) + 1).min(wrapcare_core::referral::MAX_MEMBERS);
    referral_form(&state, &user, &form, &[], slots, StatusCode::OK).await
}

pub async fn submit(State(state): State<AppState>, CsrfForm(user, form): CsrfForm) -> PageResult {
    match state
        .app
        .submit_referral(&user.actor, &form.referral(), None)
        .await
    {
        Ok(done) => Ok(Redirect::to(&format!(
            "/referrals/{}?notice=notice-referral-submitted",
            done.referral.id
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            let slots = form.member_slots().max(DEFAULT_SLOTS);
            referral_form(
                &state,
                &user,
                &form,
                &errors,
                slots,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// Referrals of the supervisor's programme waiting to be screened.
pub async fn screening(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let list = state
        .app
        .referrals_to_screen(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/screening");
    let title = ctx.t("screening-title");
    let body = html! {
        h1 { (title) }
        (notice(&ctx, q.notice.as_deref()))
        @if list.is_empty() {
            p { (ctx.t("screening-empty")) }
        } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (title) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-received")) }
                        th scope="col" { (ctx.t("col-family")) }
                        th scope="col" { (ctx.t("col-source")) }
                        th scope="col" { (ctx.t("col-urgency")) }
                        th scope="col" { (ctx.t("col-children")) }
                    } }
                    tbody {
                        @for r in &list {
                            tr {
                                td { (ctx.tr.date(r.received_on)) }
                                td { a href={ "/referrals/" (r.id) } { (ctx.t("family-prefix")) " " (r.surname) } }
                                td { @if let Some(d) = &r.detail { (ctx.t(&format!("source-{}", d.source.as_str()))) } }
                                td { (urgency_badge(&ctx, r.urgency)) }
                                td.num { @if let Some(d) = &r.detail { (d.members.iter().filter(|m| m.role == MemberRole::Child).count()) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, &title, body))
}

async fn referral_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: &[FieldError],
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let r = state
        .app
        .referral(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let matches: Vec<FamilyMatch> =
        if r.detail.is_some() && r.status == wrapcare_core::referral::IntakeStatus::Submitted {
            state
                .app
                .referral_matches(&user.actor, id)
                .await
                .map_err(|e| error_page(state, user.lang, Some(user), &e))?
        } else {
            Vec::new()
        };
    let path = if user.actor.role == Role::Supervisor {
        "/screening"
    } else {
        "/referrals"
    };
    let ctx = Ctx::new(state, user, path);
    let title = format!("{} {}", ctx.t("referral-title"), r.surname);
    let empty = FormData::default();
    let fields = Fields::new(ctx.tr, errors, &empty);
    let body = html! {
        h1 { (title) }
        (notice(&ctx, notice_key))
        (fields.summary())
        dl.summary-list {
            div { dt { (ctx.t("col-status")) } dd { (status_badge(&ctx, &r)) } }
            div { dt { (ctx.t("col-programme")) } dd { (r.programme_name) } }
            div { dt { (ctx.t("col-received")) } dd { (ctx.tr.date(r.received_on)) } }
            div { dt { (ctx.t("col-urgency")) } dd { (urgency_badge(&ctx, r.urgency)) } }
            @if let Some(reason) = &r.decline_reason {
                div { dt { (ctx.t("decline-reason")) } dd { (reason) } }
            }
        }
        @if let Some(d) = &r.detail {
            h2 { (ctx.t("referral-section-programme")) }
            dl.summary-list {
                div { dt { (ctx.t("field-source")) } dd { (ctx.t(&format!("source-{}", d.source.as_str()))) } }
                div { dt { (ctx.t("field-referrer-name")) } dd { (d.referrer_name) } }
                div { dt { (ctx.t("field-referrer-contact")) } dd { (d.referrer_contact) } }
                div { dt { (ctx.t("field-reason")) } dd { (d.reason) } }
                div { dt { (ctx.t("reference-date")) } dd { (ctx.tr.date(d.reference_date)) } }
                div { dt { (ctx.t("field-address")) } dd { (d.address.as_deref().unwrap_or("–")) " " (d.postcode.as_deref().unwrap_or("")) " " (d.city.as_deref().unwrap_or("")) } }
                div { dt { (ctx.t("field-home-language")) } dd { (d.home_language.as_deref().unwrap_or("–")) } }
            }
            h2 { (ctx.t("members-title")) }
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("members-title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-name")) }
                        th scope="col" { (ctx.t("field-member-role")) }
                        th scope="col" { (ctx.t("field-birth-date")) }
                        th scope="col" { (ctx.t("field-bsn")) }
                        th scope="col" { (ctx.t("col-indications")) }
                    } }
                    tbody {
                        @for m in &d.members {
                            tr {
                                td { (m.given_name) " " (m.family_name) }
                                td { (ctx.t(&format!("member-role-{}", m.role.as_str()))) @if m.parental_authority { " · " (ctx.t("parental-authority-short")) } }
                                td {
                                    @if let Some(b) = m.birth_date { (ctx.tr.date(b)) }
                                    @if let Some(e) = m.expected_birth_date { (ctx.t("expected-short")) " " (ctx.tr.date(e)) }
                                }
                                td { (m.bsn.as_deref().unwrap_or("–")) }
                                td {
                                    @for i in &m.indications {
                                        div { (i.number) " · " (i.product) " · " (ctx.tr.date(i.starts_on)) "–" (ctx.tr.date(i.ends_on)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if r.status == wrapcare_core::referral::IntakeStatus::Submitted {
                h2 { (ctx.t("screen-title")) }
                form.form method="post" action={ "/referrals/" (r.id) "/accept" } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(r.version);
                    @if matches.is_empty() {
                        p { (ctx.t("no-matches")) }
                        input type="hidden" name="family_id" value="";
                    } @else {
                        fieldset.fieldset {
                            legend { (ctx.t("matches-legend")) }
                            div.choice {
                                input #family-new type="radio" name="family_id" value="" checked;
                                label for="family-new" { (ctx.t("match-new-family")) }
                            }
                            @for m in &matches {
                                div.choice {
                                    input id={ "family-" (m.family_id) } type="radio" name="family_id" value=(m.family_id) disabled[m.has_open_episode]
                                        aria-describedby={ "family-" (m.family_id) "-hint" };
                                    label for={ "family-" (m.family_id) } {
                                        @if let Some(on) = m.last_closed_on {
                                            (ctx.tr.t2("match-known-family-closed", ("count", (m.earlier_episodes as i64).into()), ("date", ctx.tr.date(on).into())))
                                        } @else {
                                            (ctx.tr.t1("match-known-family", "count", m.earlier_episodes as i64))
                                        }
                                    }
                                    span.hint id={ "family-" (m.family_id) "-hint" } {
                                        (ctx.t(if m.by_bsn { "match-by-bsn" } else { "match-by-name" })) " " (m.matching_persons.join(", "))
                                        @if m.has_open_episode { " · " (ctx.t("match-has-open-episode")) }
                                    }
                                }
                            }
                        }
                        @if matches.iter().any(|m| m.address_differs || m.phone_differs) {
                            fieldset.fieldset {
                                legend { (ctx.t("match-update-legend")) }
                                @if matches.iter().any(|m| m.address_differs) {
                                    div.choice {
                                        input #update-address type="checkbox" name="update_address" checked;
                                        label for="update-address" {
                                            (ctx.t("match-update-address")) " "
                                            (d.address.as_deref().unwrap_or("")) " " (d.postcode.as_deref().unwrap_or("")) " " (d.city.as_deref().unwrap_or(""))
                                        }
                                    }
                                }
                                @if matches.iter().any(|m| m.phone_differs) {
                                    div.choice {
                                        input #update-phone type="checkbox" name="update_phone" checked;
                                        label for="update-phone" { (ctx.t("match-update-phone")) " " (d.phone.as_deref().unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                    div.actions { button.button.button--primary #accept type="submit" { (ctx.t("accept-referral")) } }
                }
                form.form method="post" action={ "/referrals/" (r.id) "/decline" } {
                    (ctx.csrf())
                    input type="hidden" name="version" value=(r.version);
                    (fields.textarea("reason", "decline-reason", true, Some("hint-decline-reason")))
                    div.actions { button.button.button--danger type="submit" { (ctx.t("decline-referral")) } }
                }
            } @else if let Some(family_id) = d.family_id {
                p { a href={ "/families/" (family_id) } { (ctx.t("to-family")) } }
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
    referral_page(&state, &user, id, &[], q.notice.as_deref(), StatusCode::OK).await
}

fn version_of(form: &FormData) -> Option<i64> {
    form.get("version").trim().parse().ok()
}

pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let family_id = match form.get("family_id").trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            error_page(
                &state,
                user.lang,
                Some(&user),
                &wrapcare_app::AppError::invalid("family_id", "error-not-a-match"),
            )
        })?),
    };
    let input = AcceptInput {
        family_id,
        version: version_of(&form),
        update_address: form.checked("update_address"),
        update_phone: form.checked("update_phone"),
    };
    match state.app.accept_referral(&user.actor, id, &input).await {
        Ok(done) => Ok(Redirect::to(&format!(
            "/families/{}?notice=notice-referral-accepted",
            done.family_id
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            referral_page(&state, &user, id, &errors, None, StatusCode::CONFLICT).await
        }
    }
}

pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = DeclineInput {
        reason: form.get("reason").to_string(),
        version: version_of(&form),
    };
    match state.app.decline_referral(&user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to("/screening?notice=notice-referral-declined").into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            referral_page(
                &state,
                &user,
                id,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
