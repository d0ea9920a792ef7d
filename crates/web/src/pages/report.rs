//! The dashboard: how fast help starts, for the team, the municipality and
//! researchers, with small numbers withheld from those who do not know the
//! families.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::report::{DashboardQuery, WaitingDashboard};
use wrapcare_core::FieldError;
use wrapcare_core::referral::ReferralSource;
use wrapcare_core::report::waiting::Band;
use wrapcare_core::report::{Grain, Period};
use wrapcare_core::waiting::{Count, WaitingStats};

use super::{Ctx, Fields, PageResult, error_page, form_error, html_response, layout};
use crate::AppState;
use crate::forms::FormData;
use crate::session::PageUser;
use crate::table::{Cell, Table};

fn weeks(ctx: &Ctx<'_>, days: Option<f64>) -> String {
    days.map(|d| ctx.tr.dec1(d / 7.0))
        .unwrap_or_else(|| "–".to_string())
}

fn share(s: &WaitingStats) -> String {
    s.within_norm_share
        .map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "–".to_string())
}

/// A period as a reader names it: "mrt 2026", "K1 2026", "2026", …
pub fn period_label(ctx: &Ctx<'_>, p: &Period) -> String {
    let (year, n) = p.number();
    let year = i64::from(year);
    match p.grain {
        Grain::Month => ctx.tr.month_year(p.start),
        Grain::Quarter => ctx.tr.t2(
            "period-quarter",
            ("n", i64::from(n).into()),
            ("year", year.into()),
        ),
        Grain::HalfYear => ctx.tr.t2(
            "period-half",
            ("n", i64::from(n).into()),
            ("year", year.into()),
        ),
        Grain::Year => year.to_string(),
        Grain::Rolling12 => ctx
            .tr
            .t1("period-rolling", "month", ctx.tr.month_year(p.end)),
    }
}

fn grain_key(g: Grain) -> &'static str {
    match g {
        Grain::Month => "grain-month",
        Grain::Quarter => "grain-quarter",
        Grain::HalfYear => "grain-half-year",
        Grain::Year => "grain-year",
        Grain::Rolling12 => "grain-rolling-12",
    }
}

fn band_label(ctx: &Ctx<'_>, b: &Band) -> String {
    match b.until_weeks {
        Some(until) => ctx.tr.t2(
            "band-weeks",
            ("from", b.from_weeks.into()),
            ("until", until.into()),
        ),
        None => ctx.tr.t1("band-weeks-more", "from", b.from_weeks),
    }
}

/// A period as short as an axis needs: a rolling period by its last month.
fn axis_label(ctx: &Ctx<'_>, p: &Period) -> String {
    match p.grain {
        Grain::Rolling12 => ctx.tr.month_year(p.end),
        _ => period_label(ctx, p),
    }
}

/// Mean weeks per period as bars against the norm (dashed); a withheld
/// period shows its mark where the bar would be. The table beside it has
/// every figure.
fn trend_chart(ctx: &Ctx<'_>, d: &WaitingDashboard) -> Markup {
    let periods = &d.waiting.periods;
    if periods.is_empty() {
        return html! {};
    }
    let (width, height) = (640.0_f64, 220.0_f64);
    let (left, right, top, bottom) = (36.0_f64, 8.0_f64, 12.0_f64, 34.0_f64);
    let norm = d.norm_weeks.map(f64::from);
    let max = periods
        .iter()
        .filter_map(|p| p.stats.mean_days.map(|m| m / 7.0))
        .chain(norm.map(|n| n * 1.25))
        .fold(4.0_f64, f64::max)
        .ceil();
    let slot = (width - left - right) / periods.len() as f64;
    let y = |w: f64| height - bottom - (height - top - bottom) * (w / max);
    // Labels where there is room for them.
    let every = (periods.len() as f64 * 56.0 / (width - left - right))
        .ceil()
        .max(1.0) as usize;
    let ticks: Vec<f64> = (0..=4).map(|i| max * f64::from(i) / 4.0).collect();
    html! {
        svg.chart.chart--trend viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="waiting-trend-title" {
            title #waiting-trend-title { (ctx.t("dashboard-waiting-chart")) }
            @for t in &ticks {
                text.chart__label x=(left - 4.0) y=(format!("{:.1}", y(*t) + 4.0)) text-anchor="end" { (format!("{t:.0}")) }
            }
            @for (i, p) in periods.iter().enumerate() {
                @let x = left + slot * i as f64;
                @if let Some(mean) = p.stats.mean_days {
                    @let top_y = y(mean / 7.0);
                    rect.chart__bar x=(format!("{:.1}", x + slot * 0.15)) y=(format!("{top_y:.1}"))
                        width=(format!("{:.1}", (slot * 0.7).max(1.0))) height=(format!("{:.1}", (height - bottom - top_y).max(0.0))) {}
                } @else if p.stats.count != Count::Exact(0) {
                    text.chart__label x=(format!("{:.1}", x + slot / 2.0)) y=(format!("{:.1}", height - bottom - 4.0)) text-anchor="middle" { (p.stats.count.display()) }
                }
                @if i % every == 0 {
                    text.chart__label x=(format!("{:.1}", x + slot / 2.0)) y=(format!("{:.1}", height - bottom + 16.0)) text-anchor="middle" { (axis_label(ctx, &p.period)) }
                }
            }
            @if let Some(n) = norm {
                line.chart__norm x1=(left) x2=(width - right) y1=(format!("{:.1}", y(n))) y2=(format!("{:.1}", y(n))) {}
            }
            line.chart__axis x1=(left) x2=(width - right) y1=(height - bottom) y2=(height - bottom) {}
        }
    }
}

/// Families per band of weeks as horizontal bars with their counts.
fn bands_chart(ctx: &Ctx<'_>, id: &str, title: &str, bands: &[Band]) -> Markup {
    let (width, row, label_w) = (640.0_f64, 22.0_f64, 150.0_f64);
    let max = bands
        .iter()
        .filter_map(|b| b.count.exact())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = row * bands.len() as f64 + 4.0;
    let bar_w = width - label_w - 60.0;
    html! {
        svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby=(id) {
            title id=(id) { (title) }
            @for (i, b) in bands.iter().enumerate() {
                @let top = row * i as f64 + 2.0;
                text.chart__label x="0" y=(format!("{:.1}", top + 14.0)) { (band_label(ctx, b)) }
                @if let Some(n) = b.count.exact() {
                    rect.chart__bar x=(label_w) y=(format!("{top:.1}")) width=(format!("{:.1}", (bar_w * n as f64 / max).max(if n > 0 { 2.0 } else { 0.0 }))) height="16" {}
                }
                text.chart__label x=(format!("{:.1}", label_w + 6.0 + b.count.exact().map_or(0.0, |n| bar_w * n as f64 / max))) y=(format!("{:.1}", top + 14.0)) { (b.count.display()) }
            }
        }
    }
}

/// Whether no family is counted at all (nothing withheld either).
fn empty(bands: &[Band]) -> bool {
    bands.iter().all(|b| b.count == Count::Exact(0))
}

fn count_cell(c: Count) -> Cell {
    match c.exact() {
        Some(n) => Cell::int(n),
        None => Cell::Text(c.display()),
    }
}

/// Weeks to one decimal, as on the page.
fn weeks_cell(ctx: &Ctx<'_>, days: Option<f64>) -> Cell {
    match days {
        Some(d) => Cell::Number {
            value: (d / 7.0 * 10.0).round() / 10.0,
            shown: ctx.tr.dec1(d / 7.0),
        },
        None => Cell::Text("–".into()),
    }
}

fn share_cell(s: &WaitingStats) -> Cell {
    match s.within_norm_share {
        Some(v) => Cell::Number {
            value: (v * 100.0).round(),
            shown: share(s),
        },
        None => Cell::Text("–".into()),
    }
}

fn stats_cells(ctx: &Ctx<'_>, label: String, s: &WaitingStats) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        count_cell(s.count),
        weeks_cell(ctx, s.mean_days),
        weeks_cell(ctx, s.median_days),
        weeks_cell(ctx, s.p90_days),
        share_cell(s),
    ]
}

fn bands_table(ctx: &Ctx<'_>, id: &'static str, caption: String, bands: &[Band]) -> Table {
    Table {
        id,
        caption,
        caption_hidden: true,
        header: vec![
            ctx.t("col-weeks-waited").into(),
            ctx.t("col-families").into(),
        ],
        numeric: vec![false, true],
        rows: bands
            .iter()
            .map(|b| vec![Cell::Text(band_label(ctx, b)), count_cell(b.count)])
            .collect(),
        total: false,
    }
}

/// The waiting-time section's tables, as shown and as downloaded.
pub fn waiting_tables(ctx: &Ctx<'_>, d: &WaitingDashboard) -> Vec<Table> {
    let w = &d.waiting;
    let mut rows: Vec<Vec<Cell>> = w
        .periods
        .iter()
        .map(|p| stats_cells(ctx, period_label(ctx, &p.period), &p.stats))
        .collect();
    rows.push(stats_cells(ctx, ctx.t("total").into(), &w.total));
    vec![
        Table {
            id: "waiting",
            caption: ctx.t("dashboard-waiting-table").into(),
            caption_hidden: false,
            header: [
                "col-period",
                "col-families",
                "col-mean-weeks",
                "col-median-weeks",
                "col-p90-weeks",
                "col-within-norm",
            ]
            .iter()
            .map(|k| ctx.t(k).into_owned())
            .collect(),
            numeric: vec![false, true, true, true, true, true],
            rows,
            total: true,
        },
        bands_table(
            ctx,
            "distribution",
            ctx.t("dashboard-distribution").into(),
            &w.distribution,
        ),
        bands_table(
            ctx,
            "waiting-list",
            ctx.t("dashboard-waiting-list").into(),
            &w.waiting_list,
        ),
    ]
}

/// The dashboard's selection as a query string, to download what is shown.
fn selection_query(d: &WaitingDashboard) -> String {
    let mut parts = vec![format!("from={}", d.from), format!("until={}", d.until)];
    if !d.waiting.grain_chosen {
        parts.push(format!("grain={}", d.waiting.grain.as_str()));
    }
    let f = &d.filter;
    if let Some(v) = f.programme_id {
        parts.push(format!("programme={v}"));
    }
    if let Some(v) = f.team_id {
        parts.push(format!("team={v}"));
    }
    if let Some(v) = f.source {
        parts.push(format!("source={}", v.as_str()));
    }
    if let Some(v) = f.organisation_id {
        parts.push(format!("organisation={v}"));
    }
    parts.join("&")
}

/// A table with its downloads under it.
fn table_with_downloads(ctx: &Ctx<'_>, d: &WaitingDashboard, table: &Table) -> Markup {
    let query = selection_query(d);
    html! {
        (table.html(&ctx.t("table-region")))
        p.downloads.no-print {
            (ctx.t("download")) ": "
            a href={ "/figures/tables/" (table.id) "?format=csv&" (query) } download {
                "CSV" span.visually-hidden { ", " (table.caption) }
            }
            " · "
            a href={ "/figures/tables/" (table.id) "?format=xlsx&" (query) } download {
                "Excel (XLSX)" span.visually-hidden { ", " (table.caption) }
            }
        }
    }
}

fn waiting_section(ctx: &Ctx<'_>, d: &WaitingDashboard) -> Markup {
    let w = &d.waiting;
    let tables = waiting_tables(ctx, d);
    let grain = ctx.t(grain_key(w.grain));
    html! {
        section.card aria-labelledby="waiting-heading" {
            h2 #waiting-heading { (ctx.t("dashboard-waiting")) }
            dl.figures-tiles {
                div { dt { (ctx.t("col-families")) } dd { (w.total.count.display()) } }
                div { dt { (ctx.t("col-mean-weeks")) } dd { (weeks(ctx, w.total.mean_days)) } }
                div { dt { (ctx.t("col-median-weeks")) } dd { (weeks(ctx, w.total.median_days)) } }
                div { dt { (ctx.t("col-p90-weeks")) } dd { (weeks(ctx, w.total.p90_days)) } }
                div { dt { (ctx.t("col-within-norm")) } dd { (share(&w.total)) } }
            }
            p.meta {
                @if w.grain_chosen {
                    (ctx.tr.t1("dashboard-grain-chosen", "grain", grain.to_string()))
                } @else {
                    (ctx.tr.t1("dashboard-grain-asked", "grain", grain.to_string()))
                }
                @if let Some(n) = d.norm_weeks { " " (ctx.tr.t1("dashboard-norm-line", "weeks", n)) }
            }
            (trend_chart(ctx, d))
            (table_with_downloads(ctx, d, &tables[0]))
            h3 { (ctx.t("dashboard-distribution")) }
            @if empty(&w.distribution) { p.meta { (ctx.t("dashboard-none-started")) } } @else {
                (bands_chart(ctx, "waiting-distribution-title", &ctx.t("dashboard-distribution"), &w.distribution))
                (table_with_downloads(ctx, d, &tables[1]))
            }
            h3 { (ctx.t("dashboard-waiting-list")) }
            @if empty(&w.waiting_list) { p.meta { (ctx.t("dashboard-none-waiting")) } } @else {
                (bands_chart(ctx, "waiting-list-title", &ctx.t("dashboard-waiting-list"), &w.waiting_list))
                (table_with_downloads(ctx, d, &tables[2]))
            }
        }
    }
}

fn filter_form(ctx: &Ctx<'_>, fields: &Fields<'_>, d: Option<&WaitingDashboard>) -> Markup {
    let options = |choices: &[wrapcare_app::report::Choice]| -> Vec<(String, String)> {
        choices
            .iter()
            .map(|c| (c.id.to_string(), c.name.clone()))
            .collect()
    };
    let sources: Vec<(String, String)> = ReferralSource::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                ctx.t(&format!("source-{}", s.as_str())).to_string(),
            )
        })
        .collect();
    let grains: Vec<(String, String)> = Grain::ALL
        .iter()
        .map(|g| (g.as_str().to_string(), ctx.t(grain_key(*g)).to_string()))
        .collect();
    html! {
        form.form.no-print method="get" action="/figures" {
            div.field-row {
                (fields.input("from", "field-from", "date", false, None))
                (fields.input("until", "field-until", "date", false, None))
                (fields.filter_select("grain", "field-grain", "grain-auto", &grains))
            }
            @if let Some(d) = d {
                div.field-row {
                    (fields.filter_select("programme", "field-programme", "filter-all", &options(&d.choices.programmes)))
                    (fields.filter_select("team", "field-team", "filter-all", &options(&d.choices.teams)))
                }
                div.field-row {
                    (fields.filter_select("source", "field-source", "filter-all", &sources))
                    (fields.filter_select("organisation", "field-home-organisation", "filter-all", &options(&d.choices.organisations)))
                }
            }
            div.actions { button.button.button--primary type="submit" { (ctx.t("show-button")) } }
        }
    }
}

pub async fn figures(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let (dashboard, errors): (Option<WaitingDashboard>, Vec<FieldError>) =
        match state.app.waiting_dashboard(&user.actor, &q).await {
            Ok(d) => (Some(d), Vec::new()),
            Err(e) => (None, form_error(&state, &user, e)?),
        };
    // After a refusal, the choices of an unfiltered dashboard to correct it with.
    let choices = match &dashboard {
        Some(_) => None,
        None => state
            .app
            .waiting_dashboard(&user.actor, &DashboardQuery::default())
            .await
            .ok(),
    };
    let ctx = Ctx::new(&state, &user, "/figures");
    let title = ctx.t("figures-title");
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let values = match &dashboard {
        Some(d) => FormData::new(vec![
            ("from".into(), d.from.to_string()),
            ("until".into(), d.until.to_string()),
            (
                "grain".into(),
                if d.waiting.grain_chosen {
                    String::new()
                } else {
                    d.waiting.grain.as_str().into()
                },
            ),
            (
                "programme".into(),
                d.filter
                    .programme_id
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ),
            (
                "team".into(),
                d.filter.team_id.map(|v| v.to_string()).unwrap_or_default(),
            ),
            (
                "source".into(),
                d.filter
                    .source
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default(),
            ),
            (
                "organisation".into(),
                d.filter
                    .organisation_id
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ),
        ]),
        None => FormData::new(vec![
            ("from".into(), text(&q.from)),
            ("until".into(), text(&q.until)),
            ("grain".into(), text(&q.grain)),
            ("programme".into(), text(&q.programme)),
            ("team".into(), text(&q.team)),
            ("source".into(), text(&q.source)),
            ("organisation".into(), text(&q.organisation)),
        ]),
    };
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
        (filter_form(&ctx, &fields, dashboard.as_ref().or(choices.as_ref())))
        @if let Some(d) = &dashboard {
            (waiting_section(&ctx, d))
            @if d.audience.suppressed() { p.meta { (ctx.t("small-groups-note")) } }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    /// `csv` or `xlsx`.
    format: Option<String>,
    #[serde(flatten)]
    dashboard: DashboardQuery,
}

/// A table of the dashboard as CSV or XLSX: the same cells as on the page,
/// for the same reader and selection.
pub async fn download(
    State(state): State<AppState>,
    user: PageUser,
    Path(table): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> PageResult {
    let fail = |e: &AppError| error_page(&state, user.lang, Some(&user), e);
    let format = q.format.as_deref().map(str::trim).unwrap_or("csv");
    if format != "csv" && format != "xlsx" {
        return Err(fail(&AppError::invalid("format", "error-choose-option")));
    }
    let d = state
        .app
        .waiting_dashboard(&user.actor, &q.dashboard)
        .await
        .map_err(|e| fail(&e))?;
    let ctx = Ctx::new(&state, &user, "/figures");
    let Some(table) = waiting_tables(&ctx, &d).into_iter().find(|t| t.id == table) else {
        return Err(fail(&AppError::NotFound));
    };
    let (bytes, content_type) = match format {
        "xlsx" => (
            table.xlsx().map_err(|e| {
                // Writing to memory fails only on a fault of ours: a 500, logged.
                fail(&AppError::Export(csv::Error::from(std::io::Error::other(
                    e.to_string(),
                ))))
            })?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => (
            table.csv().map_err(|e| fail(&AppError::Export(e)))?,
            "text/csv; charset=utf-8",
        ),
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"wrapcare-{}-{}-{}.{format}\"",
                    table.id, d.from, d.until
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
