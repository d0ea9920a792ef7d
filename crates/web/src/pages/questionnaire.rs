//! A family's questionnaires: what is due, filling one in with the family,
//! and the results as small charts with a table beside each.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::questionnaire::{MeasurementInput, QuestionnairesView, ResultView};
use wrapcare_core::FieldError;
use wrapcare_core::questionnaire::{Instrument, ItemKind, Occasion, Respondent, scoring};

use super::{
    CsrfForm, Ctx, PageResult, error_page, field_id, form_error, html_response, layout, notice,
};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    notice: Option<String>,
    respondent: Option<String>,
}

fn lang(ctx: &Ctx<'_>) -> &'static str {
    ctx.tr.lang.code()
}

pub fn respondent_label(ctx: &Ctx<'_>, r: Respondent) -> String {
    ctx.t(&format!("respondent-{}", r.as_str())).into_owned()
}

pub fn occasion_label(ctx: &Ctx<'_>, o: Occasion) -> String {
    match o {
        Occasion::Start => ctx.t("occasion-start").into_owned(),
        Occasion::Repeat(n) => ctx.tr.t1("occasion-repeat", "number", i64::from(n)),
        Occasion::Closure => ctx.t("occasion-closure").into_owned(),
    }
}

pub fn instrument_title(ctx: &Ctx<'_>, id: &str) -> String {
    wrapcare_app::questionnaire::catalogue()
        .ok()
        .and_then(|c| c.get(id))
        .map_or_else(|| id.to_string(), |i| i.title.get(lang(ctx)).to_string())
}

fn subscale_title(ctx: &Ctx<'_>, instrument: &Instrument, id: &str) -> String {
    instrument
        .subscale(id)
        .map_or_else(|| id.to_string(), |s| s.title.get(lang(ctx)).to_string())
}

fn score_text(ctx: &Ctx<'_>, value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| ctx.tr.dec1(v))
}

fn change_text(ctx: &Ctx<'_>, value: Option<f64>) -> String {
    match value {
        Some(v) if v > 0.0 => format!("+{}", ctx.tr.dec1(v)),
        Some(v) => ctx.tr.dec1(v),
        None => "–".to_string(),
    }
}

/// First and latest score per subscale as paired horizontal bars, each on
/// its subscale's own range; the table beside it carries the figures.
fn result_chart(ctx: &Ctx<'_>, instrument: &Instrument, result: &ResultView, n: usize) -> Markup {
    let rows: Vec<_> = result
        .subscales
        .iter()
        .filter(|s| s.latest.is_some())
        .filter_map(|s| {
            let subscale = instrument.subscale(&s.subscale)?;
            let (low, high) = scoring::range(instrument, subscale)?;
            Some((s, low, high))
        })
        .collect();
    if rows.is_empty() {
        return html! {};
    }
    // Narrow, so that the labels stay legible when a phone shrinks it.
    let (width, label_w, row_h, pad) = (420.0_f64, 200.0_f64, 26.0_f64, 8.0_f64);
    let height = pad * 2.0 + row_h * rows.len() as f64;
    let bar_w = width - label_w - pad * 2.0;
    let share = |v: f64, low: f64, high: f64| {
        if high > low {
            ((v - low) / (high - low)).clamp(0.0, 1.0)
        } else {
            1.0
        }
    };
    let title_id = format!("result-chart-{n}");
    html! {
        svg.chart.chart--result viewBox={ "0 0 " (width) " " (format!("{height:.0}")) } role="img" aria-labelledby=(title_id) {
            title id=(title_id) { (ctx.tr.t1("questionnaire-chart-title", "instrument", instrument.title.get(lang(ctx)).to_string())) }
            @for (i, (s, low, high)) in rows.iter().enumerate() {
                @let top = pad + row_h * i as f64;
                text.chart__label x="0" y=(format!("{:.1}", top + 15.0)) { (subscale_title(ctx, instrument, &s.subscale)) }
                @if let (Some(first), true) = (s.first, s.points.len() > 1) {
                    rect.chart__bar--first x=(label_w) y=(format!("{:.1}", top + 2.0))
                        width=(format!("{:.1}", (bar_w * share(first, *low, *high)).max(1.0))) height="9" {}
                }
                @if let Some(latest) = s.latest {
                    rect.chart__bar x=(label_w) y=(format!("{:.1}", top + 12.0))
                        width=(format!("{:.1}", (bar_w * share(latest, *low, *high)).max(1.0))) height="9" {}
                }
            }
        }
        p.meta { (ctx.t("questionnaire-chart-legend")) }
    }
}

fn results_section(ctx: &Ctx<'_>, view: &QuestionnairesView) -> Markup {
    let Ok(catalogue) = wrapcare_app::questionnaire::catalogue() else {
        return html! {};
    };
    html! {
        @for (n, result) in view.results.iter().enumerate() {
            @if let Some(instrument) = catalogue.get(&result.instrument) {
                section.card {
                    h2 { (instrument.title.get(lang(ctx))) " · " (respondent_label(ctx, result.respondent)) }
                    p.meta { (ctx.tr.t1("questionnaire-measurements", "count", result.measurements as i64)) }
                    (result_chart(ctx, instrument, result, n))
                    @if let Some(c) = &result.closure {
                        p.closure-summary { (ctx.tr.t3("questionnaire-closure-summary",
                            ("better", (c.better as i64).into()),
                            ("same", (c.same as i64).into()),
                            ("worse", (c.worse as i64).into()))) }
                        (closure_table(ctx, instrument, result))
                    } @else {
                        (trend_table(ctx, instrument, result))
                    }
                }
            }
        }
    }
}

/// First, latest and change per subscale, while the family is in care.
fn trend_table(ctx: &Ctx<'_>, instrument: &Instrument, result: &ResultView) -> Markup {
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (instrument.title.get(lang(ctx))) }
                thead { tr {
                    th scope="col" { (ctx.t("questionnaire-subscale")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-first")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-latest")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-change")) }
                } }
                tbody {
                    @for s in &result.subscales {
                        tr {
                            th scope="row" { (subscale_title(ctx, instrument, &s.subscale)) }
                            td.num { (score_text(ctx, s.first)) }
                            td.num { (score_text(ctx, s.latest)) }
                            td.num { (change_text(ctx, s.change)) }
                        }
                    }
                }
            }
        }
    }
}

/// At closure: the end against the start per subscale, with the direction
/// in words (not by colour alone).
fn closure_table(ctx: &Ctx<'_>, instrument: &Instrument, result: &ResultView) -> Markup {
    use wrapcare_app::questionnaire::Direction;
    html! {
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (instrument.title.get(lang(ctx))) ": " (ctx.t("questionnaire-closure-caption")) }
                thead { tr {
                    th scope="col" { (ctx.t("questionnaire-subscale")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-at-start")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-at-closure")) }
                    th scope="col" class="num" { (ctx.t("questionnaire-change")) }
                    th scope="col" { (ctx.t("questionnaire-direction")) }
                } }
                tbody {
                    @for s in &result.subscales {
                        tr {
                            th scope="row" { (subscale_title(ctx, instrument, &s.subscale)) }
                            @if let Some(c) = &s.start_to_closure {
                                td.num { (ctx.tr.dec1(c.start)) }
                                td.num { (ctx.tr.dec1(c.closure)) }
                                td.num { (change_text(ctx, Some(c.change))) }
                                td { (ctx.t(match c.direction {
                                    Direction::Better => "questionnaire-better",
                                    Direction::Same => "questionnaire-same",
                                    Direction::Worse => "questionnaire-worse",
                                })) }
                            } @else {
                                td.num { "–" } td.num { "–" } td.num { "–" }
                                td { (ctx.t("questionnaire-not-compared")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub async fn family(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    family_page(&state, &user, id, q.notice.as_deref(), &[], StatusCode::OK).await
}

async fn family_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    notice_key: Option<&str>,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let view = state
        .app
        .questionnaires(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let links = state
        .app
        .questionnaire_links(&user.actor, id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let title = ctx.t("questionnaires-title");
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        @for e in errors { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        section.card {
            h2 { (ctx.t("questionnaires-due")) }
            @if view.due.is_empty() { p.meta { (ctx.t("questionnaires-none-due")) } } @else {
                ul.list {
                    @for d in &view.due {
                        li {
                            strong { (instrument_title(&ctx, &d.instrument)) }
                            " · " (respondent_label(&ctx, d.respondent))
                            " · " (occasion_label(&ctx, d.occasion))
                            " · " (ctx.tr.t1("questionnaire-due-on", "date", ctx.tr.date(d.due_on)))
                            @if d.overdue { " " span.badge.badge--warning { (ctx.t("questionnaire-overdue")) } }
                            @if view.may_record {
                                div.actions {
                                    a.button.button--secondary.button--small
                                        href={ "/families/" (id) "/questionnaires/" (d.instrument) "?respondent=" (d.respondent.as_str()) } {
                                        (ctx.t("questionnaire-fill-in"))
                                        span.visually-hidden { ": " (instrument_title(&ctx, &d.instrument)) ", " (respondent_label(&ctx, d.respondent)) }
                                    }
                                    @if d.respondent.answers_by_link() {
                                        form.inline method="post" action={ "/families/" (id) "/questionnaire-links" } {
                                            (ctx.csrf())
                                            input type="hidden" name="instrument" value=(d.instrument);
                                            input type="hidden" name="respondent" value=(d.respondent.as_str());
                                            input type="hidden" name="lang" value=(lang(&ctx));
                                            button.button.button--secondary.button--small type="submit" {
                                                (ctx.t("link-make"))
                                                span.visually-hidden { ": " (instrument_title(&ctx, &d.instrument)) ", " (respondent_label(&ctx, d.respondent)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (results_section(&ctx, &view))
        @if !links.is_empty() {
            h2 { (ctx.t("links-title")) }
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("links-title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("questionnaire-instrument")) }
                        th scope="col" { (ctx.t("questionnaire-respondent")) }
                        th scope="col" { (ctx.t("link-made-on")) }
                        th scope="col" { (ctx.t("link-expires")) }
                        th scope="col" { (ctx.t("link-state")) }
                        @if view.may_withdraw_links { th scope="col" { span.visually-hidden { (ctx.t("col-actions")) } } }
                    } }
                    tbody {
                        @for l in &links {
                            tr {
                                td { (instrument_title(&ctx, &l.instrument)) }
                                td { (respondent_label(&ctx, l.respondent)) }
                                td { (ctx.tr.date(l.created_at.date_naive())) }
                                td { (ctx.tr.date(l.expires_at.date_naive())) }
                                td { (ctx.t(match l.state {
                                    wrapcare_app::questionnaire::LinkState::Open => "link-state-open",
                                    wrapcare_app::questionnaire::LinkState::Used => "link-state-used",
                                    wrapcare_app::questionnaire::LinkState::Expired => "link-state-expired",
                                    wrapcare_app::questionnaire::LinkState::Withdrawn => "link-state-withdrawn",
                                })) }
                                @if view.may_withdraw_links {
                                    td {
                                        @if l.state == wrapcare_app::questionnaire::LinkState::Open {
                                            form.inline method="post" action={ "/families/" (id) "/questionnaire-links/" (l.id) "/withdraw" } {
                                                (ctx.csrf())
                                                button.button.button--secondary.button--small type="submit" {
                                                    (ctx.t("link-withdraw"))
                                                    span.visually-hidden { ": " (instrument_title(&ctx, &l.instrument)) ", " (ctx.tr.date(l.created_at.date_naive())) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("questionnaires-history")) }
        @if view.measurements.is_empty() { p.meta { (ctx.t("questionnaires-none-taken")) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("questionnaires-history")) }
                    thead { tr {
                        th scope="col" { (ctx.t("questionnaire-taken-on")) }
                        th scope="col" { (ctx.t("questionnaire-instrument")) }
                        th scope="col" { (ctx.t("questionnaire-respondent")) }
                        th scope="col" { (ctx.t("questionnaire-occasion")) }
                        th scope="col" { (ctx.t("questionnaire-how")) }
                    } }
                    tbody {
                        @for m in view.measurements.iter().rev() {
                            tr {
                                td { (ctx.tr.date(m.taken_on)) }
                                td { (instrument_title(&ctx, &m.instrument)) }
                                td { (respondent_label(&ctx, m.respondent)) }
                                td { (occasion_label(&ctx, m.occasion)) }
                                td { (ctx.t(if m.via_link { "questionnaire-via-link" } else { "questionnaire-entered" })) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

/// The items of an instrument as form controls: a group of choices per
/// scale item (its levels described when it has them), a text area per
/// open item. Errors show by the item; what was chosen stays chosen.
pub fn items_form(
    ctx: &Ctx<'_>,
    instrument: &Instrument,
    values: &FormData,
    errors: &[FieldError],
) -> Markup {
    let lang = lang(ctx);
    html! {
        @for item in &instrument.items {
            @let name = format!("answers.{}", item.id);
            @let id = field_id(&name);
            @let error = errors.iter().find(|e| e.field == name).map(|e| e.key);
            @match (item.kind, instrument.scale_of(item).and_then(|s| s.values().map(|v| (s, v)))) {
                (ItemKind::Scale, Some((scale, values_range))) => {
                    fieldset.fieldset.question class=[error.map(|_| "field--error")] id=(id)
                        aria-describedby=[error.map(|_| format!("{id}-error"))] {
                        legend { (item.text.get(lang)) }
                        @if let Some(key) = error {
                            p.field-error id={ (id) "-error" } { span.visually-hidden { (ctx.t("error-prefix")) } (ctx.t(key)) }
                        }
                        @for (i, value) in values_range.enumerate() {
                            @let choice = format!("{id}-{value}");
                            div.choice {
                                input id=(choice) name=(name) type="radio" value=(value)
                                    checked[values.get(&name) == value.to_string()];
                                label for=(choice) {
                                    strong { (value) }
                                    @if let Some(label) = scale.label(value) { " " (label.get(lang)) }
                                    @if let Some(level) = item.levels.get(i) { span.choice__hint { (level.get(lang)) } }
                                }
                            }
                        }
                    }
                }
                _ => {
                    div class={ "field" @if error.is_some() { " field--error" } } {
                        label for=(id) { (item.text.get(lang)) }
                        @if let Some(key) = error {
                            span.field-error id={ (id) "-error" } { span.visually-hidden { (ctx.t("error-prefix")) } (ctx.t(key)) }
                        }
                        textarea.textarea id=(id) name=(name) rows="4"
                            aria-invalid=[error.map(|_| "true")]
                            aria-describedby=[error.map(|_| format!("{id}-error"))] { (values.get(&name)) }
                    }
                }
            }
        }
    }
}

/// The errors at the top of a questionnaire form, each linking to its item.
pub fn errors_summary(ctx: &Ctx<'_>, errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.notice.notice--error role="alert" tabindex="-1" {
                h2 { (ctx.t("errors-title")) }
                ul { @for e in errors { li { a href={ "#" (field_id(&e.field)) } { (ctx.t(e.key)) } } } }
            }
        }
    }
}

/// Which questionnaire a form is for: the family, the instrument and who answers.
struct Asked<'a> {
    family_id: i64,
    instrument: &'a str,
    respondent: &'a str,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    asked: Asked<'_>,
    values: &FormData,
    errors: &[FieldError],
    status: StatusCode,
) -> PageResult {
    let Asked {
        family_id,
        instrument: instrument_id,
        respondent,
    } = asked;
    let view = state
        .app
        .questionnaires(&user.actor, family_id)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let instrument = state
        .app
        .instrument(instrument_id)
        .map_err(|e| error_page(state, user.lang, Some(user), &e))?;
    let ctx = Ctx::new(state, user, "");
    let due = view
        .due
        .iter()
        .find(|d| d.instrument == instrument.id && d.respondent.as_str() == respondent);
    let title = instrument.title.get(lang(&ctx)).to_string();
    let body = html! {
        p { a href={ "/families/" (family_id) "/questionnaires" } { "← " (ctx.t("questionnaires-title")) } }
        h1 { (title) }
        @match (due, view.may_record) {
            (Some(due), true) => {
                p.meta {
                    (respondent_label(&ctx, due.respondent)) " · " (occasion_label(&ctx, due.occasion))
                    " · " (ctx.tr.t1("questionnaire-due-on", "date", ctx.tr.date(due.due_on)))
                }
                p { (instrument.intro.get(lang(&ctx))) }
                (errors_summary(&ctx, errors))
                @for e in errors.iter().filter(|e| !e.field.starts_with("answers.")) {
                    @if e.field == "form" || e.field == "instrument" || e.field == "respondent" || e.field == "answers" {
                        div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } }
                    }
                }
                form.form method="post" action={ "/families/" (family_id) "/questionnaires/" (instrument.id) } {
                    (ctx.csrf())
                    input type="hidden" name="respondent" value=(respondent);
                    (items_form(&ctx, instrument, values, errors))
                    div.actions { button.button.button--primary #save-questionnaire type="submit" { (ctx.t("questionnaire-save")) } }
                }
            }
            _ => { p.meta { (ctx.t("error-no-questionnaire-due")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn form(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, instrument)): Path<(i64, String)>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let respondent = q.respondent.unwrap_or_default();
    form_page(
        &state,
        &user,
        Asked {
            family_id: id,
            instrument: &instrument,
            respondent: &respondent,
        },
        &FormData::default(),
        &[],
        StatusCode::OK,
    )
    .await
}

/// The answers of a posted questionnaire form: every `answers.<item>` field.
pub fn answers_of(form: &FormData) -> std::collections::BTreeMap<String, String> {
    form.pairs()
        .into_iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("answers.")?.to_string(), v)))
        .collect()
}

pub async fn record(
    State(state): State<AppState>,
    Path((id, instrument)): Path<(i64, String)>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = MeasurementInput {
        instrument: instrument.clone(),
        respondent: form.get("respondent").to_string(),
        answers: answers_of(&form),
    };
    match state.app.record_measurement(&user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/questionnaires?notice=notice-measurement-recorded"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            form_page(
                &state,
                &user,
                Asked {
                    family_id: id,
                    instrument: &instrument,
                    respondent: form.get("respondent"),
                },
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ------------------------------------------------------------ one-time links

fn link_lang(raw: Option<&str>, fallback: &str) -> crate::i18n::Lang {
    raw.and_then(crate::i18n::Lang::parse)
        .or_else(|| crate::i18n::Lang::parse(fallback))
        .unwrap_or(crate::i18n::Lang::Nl)
}

/// The page a link shows: no navigation, no account, nothing of the file.
fn link_layout(ctx: &Ctx<'_>, title: &str, switch: Option<&str>, body: Markup) -> Markup {
    let other = ctx.tr.lang.other();
    html! {
        (maud::DOCTYPE)
        html lang=(ctx.tr.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/assets/link.css";
            }
            body {
                main {
                    @if let Some(token) = switch {
                        p.lang { a href={ "/q/" (token) "?lang=" (other.code()) } lang=(other.code()) { (ctx.tr.t("switch-language")) } }
                    }
                    (body)
                }
            }
        }
    }
}

fn link_response(status: StatusCode, markup: Markup) -> axum::response::Response {
    (
        status,
        [
            (axum::http::header::CACHE_CONTROL, "no-store"),
            // The secret is in the address: it must not travel on in a Referer.
            (axum::http::header::REFERRER_POLICY, "no-referrer"),
        ],
        markup,
    )
        .into_response()
}

/// A link that cannot be answered (any more): said plainly, the same page
/// for an unknown, an expired and a withdrawn link.
fn link_refused(
    state: &AppState,
    lang: crate::i18n::Lang,
    e: &wrapcare_app::AppError,
) -> axum::response::Response {
    let ctx = Ctx::anonymous(state, lang, "");
    let (status, title_key, text_key) = match e {
        wrapcare_app::AppError::Conflict("error-link-used") => {
            (StatusCode::CONFLICT, "link-used-title", "link-used-text")
        }
        wrapcare_app::AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "link-invalid-title",
            "link-invalid-text",
        ),
        other => {
            crate::problem::log_internal(other);
            (
                crate::problem::status_of(other),
                "link-failed-title",
                "link-failed-text",
            )
        }
    };
    let title = ctx.t(title_key);
    link_response(
        status,
        link_layout(
            &ctx,
            &title,
            None,
            html! { h1 { (title) } p { (ctx.t(text_key)) } },
        ),
    )
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    lang: Option<String>,
}

fn link_form_page(
    ctx: &Ctx<'_>,
    token: &str,
    view: &wrapcare_app::questionnaire::LinkFormView,
    values: &FormData,
    errors: &[FieldError],
) -> Markup {
    let instrument = view.instrument;
    let lang = lang(ctx);
    let title = instrument.title.get(lang).to_string();
    link_layout(
        ctx,
        &title,
        Some(token),
        html! {
            h1 { (title) }
            p { (instrument.intro.get(lang)) }
            p.meta { (ctx.tr.t1("link-until", "date", ctx.tr.date(view.expires_at.date_naive()))) }
            (errors_summary(ctx, errors))
            @for e in errors.iter().filter(|e| e.field == "answers") {
                div.notice role="alert" { p { (ctx.t(e.key)) } }
            }
            form method="post" action={ "/q/" (token) "?lang=" (lang) } {
                (items_form(ctx, instrument, values, errors))
                p { button #send-answers type="submit" { (ctx.t("link-send")) } }
            }
        },
    )
}

pub async fn link_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LinkQuery>,
    parts: axum::http::request::Parts,
) -> axum::response::Response {
    let address = crate::session::client_address(&parts);
    match state.app.link_form(&token, address.as_deref()).await {
        Ok(view) => {
            let lang = link_lang(q.lang.as_deref(), &view.lang);
            let ctx = Ctx::anonymous(&state, lang, "");
            link_response(
                StatusCode::OK,
                link_form_page(&ctx, &token, &view, &FormData::default(), &[]),
            )
        }
        Err(e) => link_refused(&state, link_lang(q.lang.as_deref(), "nl"), &e),
    }
}

pub async fn link_answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LinkQuery>,
    super::SecretForm(parts, form): super::SecretForm,
) -> axum::response::Response {
    let address = crate::session::client_address(&parts);
    match state
        .app
        .answer_link(&token, &answers_of(&form), address.as_deref())
        .await
    {
        Ok(()) => {
            let lang = link_lang(q.lang.as_deref(), "nl");
            let ctx = Ctx::anonymous(&state, lang, "");
            let title = ctx.t("link-thanks-title");
            link_response(
                StatusCode::OK,
                link_layout(
                    &ctx,
                    &title,
                    None,
                    html! { div.notice.notice--ok role="status" { h1 { (title) } p { (ctx.t("link-thanks-text")) } } },
                ),
            )
        }
        Err(wrapcare_app::AppError::Invalid(invalid)) => {
            // Shown again with what was chosen and the errors by the items.
            let lang = link_lang(q.lang.as_deref(), "nl");
            match state.app.link_form(&token, address.as_deref()).await {
                Ok(view) => {
                    let ctx = Ctx::anonymous(&state, lang, "");
                    link_response(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        link_form_page(&ctx, &token, &view, &form, &invalid.0),
                    )
                }
                Err(e) => link_refused(&state, lang, &e),
            }
        }
        Err(e) => link_refused(&state, link_lang(q.lang.as_deref(), "nl"), &e),
    }
}

/// A QR code of `text` as inline SVG, for a phone's camera; the link is
/// printed beside it, so the code needs no other text alternative than its
/// label.
fn qr_svg(ctx: &Ctx<'_>, text: &str) -> Markup {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return html! {};
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML the XML declaration has no place.
    let svg = match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg.as_str(),
    };
    let label = ctx.t("link-qr-label");
    let svg = svg.replacen(
        "<svg",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\"",
            maud::html! { (label) }.into_string()
        ),
        1,
    );
    html! { div.qr { (maud::PreEscaped(svg)) } }
}

/// Withdraws an open link and goes back to the family's questionnaires.
pub async fn withdraw_link(
    State(state): State<AppState>,
    Path((id, link)): Path<(i64, i64)>,
    CsrfForm(user, _form): CsrfForm,
) -> PageResult {
    match state.app.withdraw_link(&user.actor, id, link).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/families/{id}/questionnaires?notice=notice-link-withdrawn"
        ))
        .into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            family_page(&state, &user, id, None, &errors, StatusCode::CONFLICT).await
        }
    }
}

/// Makes a one-time link and shows it this once, as an address and a QR code.
pub async fn make_link(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = wrapcare_app::questionnaire::LinkInput {
        instrument: form.get("instrument").to_string(),
        respondent: form.get("respondent").to_string(),
        lang: form.get("lang").to_string(),
    };
    let made = match state.app.create_link(&user.actor, id, &input).await {
        Ok(made) => made,
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            return family_page(
                &state,
                &user,
                id,
                None,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let ctx = Ctx::new(&state, &user, "");
    let url = super::site_url(&state, &headers, &format!("/q/{}", made.token));
    let title = ctx.t("link-made-title");
    let body = html! {
        p { a href={ "/families/" (id) "/questionnaires" } { "← " (ctx.t("questionnaires-title")) } }
        h1 { (title) }
        p {
            strong { (instrument_title(&ctx, &made.link.instrument)) }
            " · " (respondent_label(&ctx, made.link.respondent))
            " · " (occasion_label(&ctx, made.link.occasion))
        }
        p { (ctx.tr.t1("link-made-text", "date", ctx.tr.date(made.link.expires_at.date_naive()))) }
        (qr_svg(&ctx, &url))
        p.link-address { a #one-time-link href=(url) rel="noreferrer" { (url) } }
        p.meta { (ctx.t("link-made-once")) }
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}
