//! Figures for analysts: waiting time per programme and month, no names.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_core::FieldError;
use wrapcare_core::dates::parse_date;
use wrapcare_core::waiting::WaitingStats;

use super::{Ctx, Fields, PageResult, form_error, html_response, layout};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    from: Option<String>,
    until: Option<String>,
}

fn weeks(ctx: &Ctx<'_>, days: Option<f64>) -> String {
    days.map(|d| ctx.tr.dec1(d / 7.0))
        .unwrap_or_else(|| "–".to_string())
}

fn row(ctx: &Ctx<'_>, label: &str, s: &WaitingStats, strong: bool) -> Markup {
    html! {
        tr {
            @if strong { th scope="row" { (label) } } @else { td { (label) } }
            td.num { (s.count.display()) }
            td.num { (weeks(ctx, s.mean_days)) }
            td.num { (weeks(ctx, s.median_days)) }
            td.num { (weeks(ctx, s.p90_days)) }
            td.num { @if let Some(share) = s.within_norm_share { (format!("{:.0}%", share * 100.0)) } @else { "–" } }
        }
    }
}

pub async fn figures(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut parse = |name: &str, value: &Option<String>| match value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => {
            let d = parse_date(v);
            if d.is_none() {
                errors.push(FieldError {
                    field: name.to_string(),
                    key: "error-date-format",
                });
            }
            d
        }
    };
    let from = parse("from", &q.from);
    let until = parse("until", &q.until);
    let figures = if errors.is_empty() {
        match state.app.waiting_figures(&user.actor, from, until).await {
            Ok(f) => Some(f),
            Err(e) => {
                errors = form_error(&state, &user, e)?;
                None
            }
        }
    } else {
        None
    };
    let ctx = Ctx::new(&state, &user, "/figures");
    let title = ctx.t("figures-title");
    let values = FormData::new(vec![
        (
            "from".into(),
            figures
                .as_ref()
                .map(|f| f.from.to_string())
                .or(q.from.clone())
                .unwrap_or_default(),
        ),
        (
            "until".into(),
            figures
                .as_ref()
                .map(|f| f.until.to_string())
                .or(q.until.clone())
                .unwrap_or_default(),
        ),
    ]);
    let fields = Fields::new(ctx.tr, &errors, &values);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("figures-lead")) }
        (fields.summary())
        form.form.no-print method="get" action="/figures" {
            div.field-row {
                (fields.input("from", "field-from", "date", false, None))
                (fields.input("until", "field-until", "date", false, None))
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("show-button")) } }
        }
        @if let Some(f) = &figures {
            @for p in &f.programmes {
                h2 { (p.programme_name) }
                p.meta {
                    (ctx.tr.t1("norm-weeks", "weeks", p.start_within_weeks))
                    " · " a href={ "/programmes/" (p.programme_id) "/costs" } { (ctx.t("costs-link")) }
                }
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                    table.data-table {
                        caption { (ctx.tr.t1("waiting-caption", "programme", p.programme_name.clone())) }
                        thead { tr {
                            th scope="col" { (ctx.t("col-month")) }
                            th scope="col" class="num" { (ctx.t("col-count")) }
                            th scope="col" class="num" { (ctx.t("col-mean-weeks")) }
                            th scope="col" class="num" { (ctx.t("col-median-weeks")) }
                            th scope="col" class="num" { (ctx.t("col-p90-weeks")) }
                            th scope="col" class="num" { (ctx.t("col-within-norm")) }
                        } }
                        tbody {
                            @for m in &p.months { (row(&ctx, &m.month, &m.stats, false)) }
                            (row(&ctx, &ctx.t("total"), &p.total, true))
                        }
                    }
                }
            }
            p.meta { (ctx.t("small-groups-note")) }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}
