//! The family plan pages: read the plan, edit the draft, record the family's
//! agreement, start a new version, score goals, compare versions, print.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use maud::{Markup, html};
use serde::Deserialize;
use wrapcare_app::AppError;
use wrapcare_app::plan::{AgreeInput, PlanView, ScoreInput, VersionView};
use wrapcare_core::FieldError;
use wrapcare_core::plan::{
    ActionStatus, AgreementMethod, OwnerKind, PlanContent, PlanDiff, PlanStatus,
};

use super::{
    CsrfForm, Ctx, Fields, PageResult, error_page, form_error, html_response, layout, notice,
};
use crate::AppState;
use crate::forms::FormData;
use crate::i18n::Lang;
use crate::session::PageUser;

#[derive(Debug, Deserialize)]
pub struct PlanQuery {
    notice: Option<String>,
    /// An earlier episode, to read its plan.
    episode: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    compare: Option<u32>,
    episode: Option<i64>,
}

/// A self-sufficiency score in words: the level and its name (3 "barely self-sufficient").
fn self_sufficiency_level(ctx: &Ctx<'_>, value: f64) -> String {
    let level = value.round() as i64;
    let name = wrapcare_app::questionnaire::catalogue()
        .ok()
        .and_then(|c| c.get("self_sufficiency"))
        .and_then(|i| i.scale("level"))
        .and_then(|s| s.label(level))
        .map(|l| l.get(ctx.tr.lang.code()).to_string());
    match name {
        Some(name) => format!("{} ({name})", ctx.tr.dec1(value)),
        None => ctx.tr.dec1(value),
    }
}

fn domain_name(ctx: &Ctx<'_>, plan: &PlanView, code: &str) -> String {
    plan.domains
        .iter()
        .find(|d| d.code == code)
        .map(|d| {
            if ctx.tr.lang == Lang::En {
                d.name_en.clone()
            } else {
                d.name_nl.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

fn person_names(plan: &PlanView, ids: &[i64]) -> String {
    ids.iter()
        .filter_map(|id| {
            plan.persons
                .iter()
                .find(|p| p.person_id == *id)
                .map(|p| p.name.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn level_label(level: i8) -> String {
    if level > 0 {
        format!("+{level}")
    } else {
        level.to_string()
    }
}

fn status_badge(ctx: &Ctx<'_>, status: PlanStatus) -> Markup {
    match status {
        PlanStatus::Draft => html! { span.badge.badge--info { (ctx.t("plan-status-draft")) } },
        PlanStatus::Agreed => html! { span.badge.badge--ok { (ctx.t("plan-status-agreed")) } },
    }
}

/// The T-score over time as a small SVG line (50 = the expected outcome), with
/// the same figures in a table for screen readers and print.
fn t_history(ctx: &Ctx<'_>, plan: &PlanView) -> Markup {
    if plan.t_history.is_empty() {
        return html! {};
    }
    let (width, height, pad) = (600.0_f64, 160.0_f64, 24.0_f64);
    let n = plan.t_history.len();
    let x = |i: usize| {
        if n == 1 {
            width / 2.0
        } else {
            pad + (width - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    // T-scores of −2…+2 on every goal span roughly 20…80.
    let y = |t: f64| pad + (height - 2.0 * pad) * (1.0 - ((t.clamp(20.0, 80.0) - 20.0) / 60.0));
    let points: Vec<String> = plan
        .t_history
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.t)))
        .collect();
    html! {
        h2 { (ctx.t("plan-t-history")) }
        svg.chart viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby="t-history-title" {
            title #t-history-title { (ctx.t("plan-t-history")) }
            line.chart__norm x1=(pad) x2=(width - pad) y1=(y(50.0)) y2=(y(50.0)) {}
            text.chart__label x=(pad) y=(y(50.0) - 4.0) { "50" }
            polyline.chart__line points=(points.join(" ")) {}
            @for (i, p) in plan.t_history.iter().enumerate() {
                circle.chart__point cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(p.t))) r="4" {}
            }
        }
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (ctx.t("plan-t-history")) }
                thead { tr { th scope="col" { (ctx.t("plan-scored-on")) } th scope="col" class="num" { (ctx.t("plan-t-score-short")) } } }
                tbody { @for p in &plan.t_history { tr { td { (ctx.tr.date(p.on)) } td.num { (ctx.tr.dec1(p.t)) } } } }
            }
        }
    }
}

/// The content of a version, as the family page, the version page and print show it.
fn content_view(
    ctx: &Ctx<'_>,
    plan: &PlanView,
    content: &PlanContent,
    with_scores: bool,
    csrf: bool,
) -> Markup {
    let text = |key: &str, value: &str| {
        html! {
            @if !value.is_empty() { h3 { (ctx.t(key)) } p.plan-text { (value) } }
        }
    };
    html! {
        (text("plan-vision", &content.vision))
        (text("plan-strengths", &content.strengths))
        (text("plan-concerns", &content.concerns))
        (text("plan-needs", &content.needs))
        h2 { (ctx.t("plan-goals")) }
        @if content.goals.is_empty() { p { (ctx.t("plan-no-goals")) } }
        @for (i, g) in content.goals.iter().enumerate() {
            @let latest = plan.scores.get(&g.key).and_then(|s| s.iter().max_by_key(|s| s.scored_on)).map(|s| s.level);
            section.card.goal {
                h3 { (ctx.tr.t1("plan-goal-number", "number", (i + 1) as i64)) ": " (g.description) }
                p.meta {
                    (domain_name(ctx, plan, &g.domain))
                    @if !g.persons.is_empty() { " · " (person_names(plan, &g.persons)) }
                    @if let Some(t) = g.target_date { " · " (ctx.t("plan-target-date")) " " (ctx.tr.date(t)) }
                    @if g.weight != 1 { " · " (ctx.t("plan-weight")) " " (g.weight) }
                }
                @if let Some(level) = plan.self_sufficiency.get(&g.domain) {
                    p.meta.goal__self-sufficiency {
                        (ctx.tr.t2("plan-self-sufficiency", ("level", self_sufficiency_level(ctx, level.latest).into()), ("date", ctx.tr.date(level.taken_on).into())))
                        @if let Some(first) = level.first { " " (ctx.tr.t1("plan-self-sufficiency-first", "level", ctx.tr.dec1(first))) }
                    }
                }
                div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                    table.data-table {
                        caption.visually-hidden { (ctx.t("plan-gas")) }
                        thead { tr { th scope="col" { (ctx.t("plan-level")) } th scope="col" { (ctx.t("plan-level-description")) } th scope="col" { span.visually-hidden { (ctx.t("col-status")) } } } }
                        tbody {
                            @for (l, label) in g.levels.iter().enumerate().rev() {
                                @let level = l as i8 - 2;
                                tr class=[(latest == Some(level)).then_some("is-flagged")] {
                                    td.num { (level_label(level)) }
                                    td { (label) }
                                    td {
                                        @if g.baseline == level { span.badge.badge--neutral { (ctx.t("plan-baseline")) } " " }
                                        @if latest == Some(level) { span.badge.badge--ok { (ctx.t("plan-latest-score")) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if with_scores && csrf {
                    form.form.no-print method="post" action={ "/families/" (plan.family_id) "/plan/scores" } {
                        (ctx.csrf())
                        input type="hidden" name="goal_key" value=(g.key);
                        div.field-row {
                            div.field {
                                label for={ "score-" (i) } { (ctx.t("plan-score-level")) }
                                select.select id={ "score-" (i) } name="level" required {
                                    option value="" { (ctx.t("choose")) }
                                    @for level in (-2i8..=2).rev() { option value=(level) { (level_label(level)) } }
                                }
                            }
                            div.field {
                                label for={ "scored-on-" (i) } { (ctx.t("plan-scored-on")) }
                                input.input id={ "scored-on-" (i) } name="scored_on" type="date";
                            }
                        }
                        div.actions { button.button.button--secondary.button--small type="submit" { (ctx.t("plan-score-button")) span.visually-hidden { " " (g.description) } } }
                    }
                }
            }
        }
        h2 { (ctx.t("plan-actions")) }
        @if content.actions.is_empty() { p { (ctx.t("plan-no-actions")) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("plan-actions")) }
                    thead { tr {
                        th scope="col" { (ctx.t("plan-action-what")) }
                        th scope="col" { (ctx.t("plan-action-goal")) }
                        th scope="col" { (ctx.t("plan-action-who")) }
                        th scope="col" { (ctx.t("plan-action-due")) }
                        th scope="col" { (ctx.t("col-status")) }
                    } }
                    tbody {
                        @for a in &content.actions {
                            tr {
                                td { (a.what) }
                                td { (content.goals.iter().position(|g| g.key == a.goal_key).map(|i| (i + 1).to_string()).unwrap_or_default()) }
                                td { (a.owner) " (" (ctx.t(&format!("owner-{}", a.owner_kind.as_str()))) ")" }
                                td { @if let Some(d) = a.due_on { (ctx.tr.date(d)) } @else { "–" } }
                                td { (ctx.t(&format!("action-status-{}", a.status.as_str()))) }
                            }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("plan-network")) }
        @if content.network.is_empty() { p { (ctx.t("plan-no-network")) } } @else {
            div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
                table.data-table {
                    caption.visually-hidden { (ctx.t("plan-network")) }
                    thead { tr {
                        th scope="col" { (ctx.t("col-name")) }
                        th scope="col" { (ctx.t("plan-network-relation")) }
                        th scope="col" { (ctx.t("plan-network-contact")) }
                        th scope="col" { (ctx.t("plan-network-part")) }
                    } }
                    tbody { @for n in &content.network { tr { td { (n.name) } td { (n.relation) } td { (n.contact) } td { (n.part) } } } }
                }
            }
        }
        h2 { (ctx.t("plan-safety")) }
        dl.summary-list {
            div { dt { (ctx.t("plan-safety-risks")) } dd { (content.safety.risks) } }
            div { dt { (ctx.t("plan-safety-signs")) } dd { (content.safety.signs) } }
            div { dt { (ctx.t("plan-safety-who-does-what")) } dd { (content.safety.who_does_what) } }
            div { dt { (ctx.t("plan-safety-who-to-call")) } dd { (content.safety.who_to_call) } }
        }
    }
}

async fn load(
    state: &AppState,
    user: &PageUser,
    id: i64,
) -> Result<PlanView, axum::response::Response> {
    load_episode(state, user, id, None).await
}

async fn load_episode(
    state: &AppState,
    user: &PageUser,
    id: i64,
    episode: Option<i64>,
) -> Result<PlanView, axum::response::Response> {
    state
        .app
        .plan_of_episode(&user.actor, id, episode)
        .await
        .map_err(|e| error_page(state, user.lang, Some(user), &e))
}

async fn plan_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    errors: &[FieldError],
    values: &FormData,
    notice_key: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let plan = load(state, user, id).await?;
    let ctx = Ctx::new(state, user, "");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("plan-title");
    let open = matches!(
        plan.episode_state,
        wrapcare_core::episode::EpisodeState::Assigned
            | wrapcare_core::episode::EpisodeState::InCare
    );
    let methods: Vec<(String, String)> = AgreementMethod::ALL
        .iter()
        .map(|m| {
            (
                m.as_str().to_string(),
                ctx.t(&format!("agreed-how-{}", m.as_str())).into_owned(),
            )
        })
        .collect();
    let body = html! {
        p.no-print { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        (notice(&ctx, notice_key))
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        dl.summary-list {
            @if let Some(v) = &plan.current {
                div { dt { (ctx.t("plan-version")) } dd { (v.number) " " (status_badge(&ctx, v.status)) } }
                @if let (Some(by), Some(on), Some(how)) = (&v.agreed_by, v.agreed_on, v.agreed_how) {
                    div { dt { (ctx.t("plan-agreed")) } dd { (by) ", " (ctx.tr.date(on)) " (" (ctx.t(&format!("agreed-how-{}", how.as_str()))) ")" } }
                }
            }
            div { dt { (ctx.t("plan-t-score")) } dd #t-score { @if let Some(t) = plan.t_score { (ctx.tr.dec1(t)) } @else { "–" } } }
            @if let Some(due) = plan.review_due {
                div { dt { (ctx.t("plan-review-due")) } dd { (ctx.tr.date(due)) @if plan.overdue { " " span.badge.badge--danger { (ctx.t("plan-overdue")) } } } }
            }
            @if plan.versions.len() > 1 {
                div { dt { (ctx.t("plan-versions")) } dd {
                    @for v in &plan.versions {
                        a href={ "/families/" (id) "/plan/versions/" (v.number) @if v.number > 1 { "?compare=" (v.number - 1) } } { (ctx.tr.t1("plan-version-n", "number", i64::from(v.number))) }
                        " "
                    }
                } }
            }
        }
        div.actions.no-print {
            @if open {
                @match plan.current.as_ref().map(|v| v.status) {
                    None => { a.button.button--primary #plan-edit href={ "/families/" (id) "/plan/edit" } { (ctx.t("plan-write")) } }
                    Some(PlanStatus::Draft) => { a.button.button--primary #plan-edit href={ "/families/" (id) "/plan/edit" } { (ctx.t("plan-edit")) } }
                    Some(PlanStatus::Agreed) => {
                        form.inline method="post" action={ "/families/" (id) "/plan/new-draft" } {
                            (ctx.csrf())
                            button.button.button--primary #plan-new-draft type="submit" { (ctx.t("plan-new-draft")) }
                        }
                    }
                }
            }
            @if plan.current.is_some() {
                a.button.button--secondary href={ "/families/" (id) "/plan/print" } { (ctx.t("plan-print")) }
                a.button.button--secondary #plan-pdf href={ "/families/" (id) "/plan/pdf" } { (ctx.t("plan-pdf")) }
            }
        }
        @if let Some(v) = &plan.current {
            (content_view(&ctx, &plan, &v.content, v.status == PlanStatus::Agreed || plan.versions.len() > 1, open))
            (t_history(&ctx, &plan))
            @if open && v.status == PlanStatus::Draft {
                section.card.no-print {
                    h2 { (ctx.t("plan-agree-title")) }
                    form.form method="post" action={ "/families/" (id) "/plan/agree" } {
                        (ctx.csrf())
                        input type="hidden" name="version" value=(v.version);
                        (fields.input("agreed_by", "plan-agreed-by", "text", true, Some("hint-agreed-by")))
                        div.field-row {
                            (fields.input("agreed_on", "plan-agreed-on", "date", true, None))
                            (fields.select("how", "plan-agreed-how", &methods, true))
                        }
                        div.actions { button.button.button--primary #plan-agree type="submit" { (ctx.t("plan-agree-button")) } }
                    }
                }
            }
        } @else {
            p { (ctx.t("plan-none")) }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<PlanQuery>,
) -> PageResult {
    if let Some(episode) = q.episode {
        return earlier_plan_page(&state, &user, id, episode).await;
    }
    plan_page(
        &state,
        &user,
        id,
        &[],
        &FormData::default(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

/// The plan of an earlier episode: read only, every version reachable.
async fn earlier_plan_page(state: &AppState, user: &PageUser, id: i64, episode: i64) -> PageResult {
    let plan = load_episode(state, user, id, Some(episode)).await?;
    let ctx = Ctx::new(state, user, "");
    let title = format!(
        "{} – {}",
        ctx.t("plan-title"),
        ctx.t("plan-earlier-episode")
    );
    let body = html! {
        p { a href={ "/families/" (id) } { "← " (ctx.t("plan-back-to-family")) } }
        h1 { (title) }
        @if let Some(v) = &plan.current {
            p.meta {
                @for s in &plan.versions {
                    a href={ "/families/" (id) "/plan/versions/" (s.number) "?episode=" (episode) } { (ctx.tr.t1("plan-version-n", "number", i64::from(s.number))) }
                    " "
                }
            }
            p { (ctx.tr.t1("plan-version-n", "number", i64::from(v.number))) " " (status_badge(&ctx, v.status)) }
            (content_view(&ctx, &plan, &v.content, false, false))
            (t_history(&ctx, &plan))
        } @else {
            p { (ctx.t("plan-none-earlier")) }
        }
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

/// The stored content as form values, to edit.
fn values_of(content: &PlanContent, version: i64) -> FormData {
    let mut pairs: Vec<(String, String)> = vec![
        ("vision".into(), content.vision.clone()),
        ("strengths".into(), content.strengths.clone()),
        ("concerns".into(), content.concerns.clone()),
        ("needs".into(), content.needs.clone()),
        ("safety.risks".into(), content.safety.risks.clone()),
        ("safety.signs".into(), content.safety.signs.clone()),
        (
            "safety.who_does_what".into(),
            content.safety.who_does_what.clone(),
        ),
        (
            "safety.who_to_call".into(),
            content.safety.who_to_call.clone(),
        ),
        ("version".into(), version.to_string()),
    ];
    for (i, g) in content.goals.iter().enumerate() {
        let p = format!("goals[{i}]");
        pairs.push((format!("{p}.key"), g.key.clone()));
        pairs.push((format!("{p}.domain"), g.domain.clone()));
        pairs.push((format!("{p}.description"), g.description.clone()));
        pairs.push((
            format!("{p}.target_date"),
            g.target_date.map(|d| d.to_string()).unwrap_or_default(),
        ));
        pairs.push((format!("{p}.baseline"), g.baseline.to_string()));
        pairs.push((format!("{p}.weight"), g.weight.to_string()));
        for (l, text) in g.levels.iter().enumerate() {
            pairs.push((format!("{p}.levels[{l}]"), text.clone()));
        }
        for person in &g.persons {
            pairs.push((format!("{p}.persons"), person.to_string()));
        }
    }
    for (i, a) in content.actions.iter().enumerate() {
        let p = format!("actions[{i}]");
        pairs.push((format!("{p}.key"), a.key.clone()));
        pairs.push((format!("{p}.goal_key"), a.goal_key.clone()));
        pairs.push((format!("{p}.what"), a.what.clone()));
        pairs.push((format!("{p}.owner_kind"), a.owner_kind.as_str().to_string()));
        pairs.push((format!("{p}.owner"), a.owner.clone()));
        pairs.push((
            format!("{p}.due_on"),
            a.due_on.map(|d| d.to_string()).unwrap_or_default(),
        ));
        pairs.push((format!("{p}.status"), a.status.as_str().to_string()));
    }
    for (i, n) in content.network.iter().enumerate() {
        let p = format!("network[{i}]");
        pairs.push((format!("{p}.key"), n.key.clone()));
        pairs.push((format!("{p}.name"), n.name.clone()));
        pairs.push((format!("{p}.relation"), n.relation.clone()));
        pairs.push((format!("{p}.contact"), n.contact.clone()));
        pairs.push((format!("{p}.part"), n.part.clone()));
    }
    FormData::new(pairs)
}

/// Empty slots shown beyond what the plan has, so goals, actions and people can be added without JavaScript.
const EXTRA_SLOTS: usize = 1;

async fn edit_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    values: &FormData,
    errors: &[FieldError],
    theirs: Option<&VersionView>,
    status: StatusCode,
) -> PageResult {
    let plan = load(state, user, id).await?;
    let ctx = Ctx::new(state, user, "");
    let fields = Fields::new(ctx.tr, errors, values);
    let title = ctx.t("plan-edit-title");
    let goals = values.slots("goals") + EXTRA_SLOTS;
    let actions = values.slots("actions") + EXTRA_SLOTS;
    let network = values.slots("network") + EXTRA_SLOTS;
    let domains: Vec<(String, String)> = plan
        .domains
        .iter()
        .map(|d| (d.code.clone(), domain_name(&ctx, &plan, &d.code)))
        .collect();
    let levels: Vec<(String, String)> = (-2i8..=2)
        .map(|l| (l.to_string(), level_label(l)))
        .collect();
    let owners: Vec<(String, String)> = OwnerKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                ctx.t(&format!("owner-{}", k.as_str())).into_owned(),
            )
        })
        .collect();
    let statuses: Vec<(String, String)> = ActionStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                ctx.t(&format!("action-status-{}", s.as_str())).into_owned(),
            )
        })
        .collect();
    let goal_options: Vec<(String, String)> = (0..values.slots("goals"))
        .filter(|i| !values.get(&format!("goals[{i}].key")).is_empty())
        .map(|i| {
            (
                values.get(&format!("goals[{i}].key")).to_string(),
                format!(
                    "{}: {}",
                    i + 1,
                    values.get(&format!("goals[{i}].description"))
                ),
            )
        })
        .collect();
    let body = html! {
        p { a href={ "/families/" (id) "/plan" } { "← " (ctx.t("plan-title")) } }
        h1 { (title) }
        (fields.summary())
        @for e in errors.iter().filter(|e| e.field == "form") { div.notice.notice--error role="alert" { p { (ctx.t(e.key)) } } }
        @if let Some(v) = theirs {
            div.notice.notice--warning role="alert" {
                h2 { (ctx.t("plan-conflict-title")) }
                p { (ctx.t("plan-conflict-detail")) }
                ul { @for g in &v.content.goals { li { (g.description) } } }
            }
        }
        form.form method="post" action={ "/families/" (id) "/plan/edit" } novalidate {
            (ctx.csrf())
            input type="hidden" name="version" value=(values.get("version"));
            fieldset.fieldset {
                legend { (ctx.t("plan-family-words")) }
                (fields.textarea("vision", "plan-vision", false, Some("hint-plan-vision")))
                (fields.textarea("strengths", "plan-strengths", false, None))
                (fields.textarea("concerns", "plan-concerns", false, None))
                (fields.textarea("needs", "plan-needs", false, None))
            }
            @for i in 0..goals {
                @let p = format!("goals[{i}]");
                fieldset.fieldset {
                    legend { (ctx.tr.t1("plan-goal-number", "number", (i + 1) as i64)) }
                    input type="hidden" name={ (p) ".key" } value=(values.get(&format!("{p}.key")));
                    (fields.textarea(&format!("{p}.description"), "plan-goal-description", false, None))
                    div.field-row {
                        (fields.select(&format!("{p}.domain"), "plan-goal-domain", &domains, false))
                        (fields.input(&format!("{p}.target_date"), "plan-target-date", "date", false, None))
                    }
                    fieldset.fieldset {
                        legend { (ctx.t("plan-goal-persons")) }
                        @for person in &plan.persons {
                            @let checked = values.all(&format!("{p}.persons")).contains(&person.person_id.to_string().as_str());
                            div.choice {
                                input id={ "goal-" (i) "-person-" (person.person_id) } type="checkbox" name={ (p) ".persons" } value=(person.person_id) checked[checked];
                                label for={ "goal-" (i) "-person-" (person.person_id) } { (person.name) }
                            }
                        }
                    }
                    @for l in (0..5).rev() {
                        (fields.input(&format!("{p}.levels[{l}]"), &format!("plan-level-{l}"), "text", false, None))
                    }
                    div.field-row {
                        (fields.select(&format!("{p}.baseline"), "plan-baseline", &levels, false))
                        (fields.input(&format!("{p}.weight"), "plan-weight", "number", false, Some("hint-plan-weight")))
                    }
                }
            }
            fieldset.fieldset {
                legend { (ctx.t("plan-actions")) }
                @if goal_options.is_empty() { p.hint { (ctx.t("hint-actions-after-goals")) } }
                @for i in 0..actions {
                    @let p = format!("actions[{i}]");
                    div.field-row {
                        input type="hidden" name={ (p) ".key" } value=(values.get(&format!("{p}.key")));
                        (fields.input(&format!("{p}.what"), "plan-action-what", "text", false, None))
                        (fields.select(&format!("{p}.goal_key"), "plan-action-goal", &goal_options, false))
                    }
                    div.field-row {
                        (fields.select(&format!("{p}.owner_kind"), "plan-action-owner-kind", &owners, false))
                        (fields.input(&format!("{p}.owner"), "plan-action-who", "text", false, None))
                        (fields.input(&format!("{p}.due_on"), "plan-action-due", "date", false, None))
                        (fields.select(&format!("{p}.status"), "col-status", &statuses, false))
                    }
                }
            }
            fieldset.fieldset {
                legend { (ctx.t("plan-network")) }
                @for i in 0..network {
                    @let p = format!("network[{i}]");
                    input type="hidden" name={ (p) ".key" } value=(values.get(&format!("{p}.key")));
                    div.field-row {
                        (fields.input(&format!("{p}.name"), "col-name", "text", false, None))
                        (fields.input(&format!("{p}.relation"), "plan-network-relation", "text", false, None))
                        (fields.input(&format!("{p}.contact"), "plan-network-contact", "text", false, None))
                    }
                    (fields.input(&format!("{p}.part"), "plan-network-part", "text", false, None))
                }
            }
            fieldset.fieldset {
                legend { (ctx.t("plan-safety")) }
                (fields.textarea("safety.risks", "plan-safety-risks", false, None))
                (fields.textarea("safety.signs", "plan-safety-signs", false, None))
                (fields.textarea("safety.who_does_what", "plan-safety-who-does-what", false, None))
                (fields.textarea("safety.who_to_call", "plan-safety-who-to-call", false, None))
            }
            div.actions {
                button.button.button--primary #plan-save type="submit" name="do" value="save" { (ctx.t("save")) }
                button.button.button--secondary type="submit" name="do" value="more-goals" { (ctx.t("plan-add-goal")) }
                button.button.button--secondary type="submit" name="do" value="more-actions" { (ctx.t("plan-add-action")) }
                button.button.button--secondary type="submit" name="do" value="more-network" { (ctx.t("plan-add-network")) }
            }
        }
    };
    Ok(html_response(status, layout(&ctx, &title, body)))
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let plan = state
        .app
        .plan_to_edit(&user.actor, id)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let values = match &plan.current {
        Some(v) if v.status == PlanStatus::Draft => values_of(&v.content, v.version),
        Some(_) => return Ok(Redirect::to(&format!("/families/{id}/plan")).into_response()),
        None => values_of(&PlanContent::default(), 0),
    };
    edit_page(&state, &user, id, &values, &[], None, StatusCode::OK).await
}

pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    // "Add a goal/action/person": the same form with one more slot, nothing stored.
    let group = match form.get("do") {
        "more-goals" => Some("goals"),
        "more-actions" => Some("actions"),
        "more-network" => Some("network"),
        _ => None,
    };
    if let Some(group) = group {
        let mut pairs = form.pairs();
        pairs.push((
            format!("{group}[{}].key", form.slots(group) + EXTRA_SLOTS - 1),
            String::new(),
        ));
        let grown = FormData::new(pairs);
        return edit_page(&state, &user, id, &grown, &[], None, StatusCode::OK).await;
    }
    match state.app.save_plan(&user.actor, id, &form.plan()).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/families/{id}/plan?notice=notice-plan-saved")).into_response(),
        ),
        Err(AppError::Stale) => {
            // Someone saved in between: keep what this user typed, show what the other saved,
            // and take the newer version so saving again is a deliberate choice.
            let plan = load(&state, &user, id).await?;
            let theirs = plan.current.clone();
            let mut pairs: Vec<(String, String)> = form
                .pairs()
                .into_iter()
                .filter(|(k, _)| k != "version")
                .collect();
            pairs.push((
                "version".into(),
                theirs
                    .as_ref()
                    .map(|v| v.version)
                    .unwrap_or_default()
                    .to_string(),
            ));
            let kept = FormData::new(pairs);
            edit_page(
                &state,
                &user,
                id,
                &kept,
                &[],
                theirs.as_ref(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            edit_page(
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

pub async fn agree(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = AgreeInput {
        agreed_by: form.get("agreed_by").to_string(),
        agreed_on: form.get("agreed_on").to_string(),
        how: form.get("how").to_string(),
        version: form.get("version").trim().parse().unwrap_or_default(),
    };
    match state.app.agree_plan(&user.actor, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/families/{id}/plan?notice=notice-plan-agreed")).into_response(),
        ),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            plan_page(
                &state,
                &user,
                id,
                &errors,
                &form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn new_draft(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm,
) -> PageResult {
    match state.app.new_plan_draft(&user.actor, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/families/{id}/plan/edit")).into_response()),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            plan_page(
                &state,
                &user,
                id,
                &errors,
                &FormData::default(),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

pub async fn score(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm,
) -> PageResult {
    let input = ScoreInput {
        goal_key: form.get("goal_key").to_string(),
        level: form.get("level").to_string(),
        scored_on: form.get("scored_on").to_string(),
    };
    match state.app.score_goal(&user.actor, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/families/{id}/plan?notice=notice-plan-scored")).into_response(),
        ),
        Err(e) => {
            let errors = form_error(&state, &user, e)?;
            plan_page(
                &state,
                &user,
                id,
                &errors,
                &FormData::default(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

fn diff_list(ctx: &Ctx<'_>, title_key: &str, changes: &wrapcare_core::plan::Changes) -> Markup {
    html! {
        @if !changes.is_empty() {
            h3 { (ctx.t(title_key)) }
            ul.diff {
                @for a in &changes.added { li.diff-added { strong { (ctx.t("diff-added")) } " " (a) } }
                @for r in &changes.removed { li.diff-removed { strong { (ctx.t("diff-removed")) } " " (r) } }
                @for c in &changes.changed { li.diff-changed { strong { (ctx.t("diff-changed")) } " " (c) } }
            }
        }
    }
}

fn diff_view(ctx: &Ctx<'_>, diff: &PlanDiff) -> Markup {
    html! {
        section.card #plan-diff {
            h2 { (ctx.t("plan-diff-title")) }
            @if diff.is_empty() { p { (ctx.t("plan-diff-none")) } }
            @if !diff.texts_changed.is_empty() {
                p { (ctx.t("plan-diff-texts")) " " (diff.texts_changed.iter().map(|t| ctx.t(&format!("plan-{t}"))).collect::<Vec<_>>().join(", ")) }
            }
            (diff_list(ctx, "plan-goals", &diff.goals))
            (diff_list(ctx, "plan-actions", &diff.actions))
            (diff_list(ctx, "plan-network", &diff.network))
        }
    }
}

pub async fn version(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, number)): Path<(i64, u32)>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let plan = load_episode(&state, &user, id, q.episode).await?;
    let (v, diff) = state
        .app
        .plan_version(&user.actor, id, q.episode, number, q.compare)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "");
    let title = format!(
        "{} – {}",
        ctx.t("plan-title"),
        ctx.tr.t1("plan-version-n", "number", i64::from(number))
    );
    let body = html! {
        p { a href={ "/families/" (id) "/plan" } { "← " (ctx.t("plan-title")) } }
        h1 { (title) " " (status_badge(&ctx, v.status)) }
        @if let Some(d) = &diff { (diff_view(&ctx, d)) }
        (content_view(&ctx, &plan, &v.content, false, false))
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}

/// The plan as a document to lay out as PDF, in the reader's language.
pub fn plan_document(
    ctx: &Ctx<'_>,
    plan: &PlanView,
    surname: &str,
    coordinator: Option<&str>,
    printed_on: chrono::NaiveDate,
) -> Option<wrapcare_pdf::PlanDocument> {
    use wrapcare_pdf::{GoalBlock, PlanDocument, Section, Table};
    let v = plan.current.as_ref()?;
    let c = &v.content;
    let section = |key: &str, text: &str| Section {
        heading: ctx.t(key).into_owned(),
        text: text.to_string(),
    };
    let mut subtitle = format!(
        "{} · {}",
        ctx.tr.t1("plan-version-n", "number", i64::from(v.number)),
        ctx.t(&format!("plan-status-{}", v.status.as_str()))
    );
    if let (Some(by), Some(on)) = (&v.agreed_by, v.agreed_on) {
        subtitle.push_str(&format!(
            " · {} {by}, {}",
            ctx.t("plan-agreed"),
            ctx.tr.date(on)
        ));
    }
    if let Some(name) = coordinator {
        subtitle.push_str(&format!(" · {}: {name}", ctx.t("col-coordinator")));
    }
    Some(PlanDocument {
        lang: ctx.tr.lang.code().to_string(),
        title: format!(
            "{} – {} {}",
            ctx.t("plan-title"),
            ctx.t("family-prefix"),
            surname
        ),
        subtitle,
        footer: format!("{} {}", ctx.t("plan-printed-on"), ctx.tr.date(printed_on)),
        sections: vec![
            section("plan-vision", &c.vision),
            section("plan-strengths", &c.strengths),
            section("plan-concerns", &c.concerns),
            section("plan-needs", &c.needs),
        ],
        goals_heading: ctx.t("plan-goals").into_owned(),
        goals: c
            .goals
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let latest = plan
                    .scores
                    .get(&g.key)
                    .and_then(|s| s.iter().max_by_key(|s| s.scored_on))
                    .map(|s| s.level);
                let mut meta = domain_name(ctx, plan, &g.domain);
                if !g.persons.is_empty() {
                    meta.push_str(&format!(" · {}", person_names(plan, &g.persons)));
                }
                if let Some(t) = g.target_date {
                    meta.push_str(&format!(
                        " · {} {}",
                        ctx.t("plan-target-date"),
                        ctx.tr.date(t)
                    ));
                }
                GoalBlock {
                    title: format!(
                        "{}: {}",
                        ctx.tr.t1("plan-goal-number", "number", (i + 1) as i64),
                        g.description
                    ),
                    meta,
                    levels: g
                        .levels
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(l, text)| {
                            let level = l as i8 - 2;
                            let mut marks = Vec::new();
                            if g.baseline == level {
                                marks.push(ctx.t("plan-baseline"));
                            }
                            if latest == Some(level) {
                                marks.push(ctx.t("plan-latest-score"));
                            }
                            [level_label(level), text.clone(), marks.join(", ")]
                        })
                        .collect(),
                }
            })
            .collect(),
        actions: Table {
            heading: ctx.t("plan-actions").into_owned(),
            empty: ctx.t("plan-no-actions").into_owned(),
            columns: [
                "plan-action-what",
                "plan-action-goal",
                "plan-action-who",
                "plan-action-due",
                "col-status",
            ]
            .iter()
            .map(|k| ctx.t(k).into_owned())
            .collect(),
            rows: c
                .actions
                .iter()
                .map(|a| {
                    vec![
                        a.what.clone(),
                        c.goals
                            .iter()
                            .position(|g| g.key == a.goal_key)
                            .map(|i| (i + 1).to_string())
                            .unwrap_or_default(),
                        format!(
                            "{} ({})",
                            a.owner,
                            ctx.t(&format!("owner-{}", a.owner_kind.as_str()))
                        ),
                        a.due_on.map(|d| ctx.tr.date(d)).unwrap_or_default(),
                        ctx.t(&format!("action-status-{}", a.status.as_str()))
                            .into_owned(),
                    ]
                })
                .collect(),
        },
        network: Table {
            heading: ctx.t("plan-network").into_owned(),
            empty: ctx.t("plan-no-network").into_owned(),
            columns: [
                "col-name",
                "plan-network-relation",
                "plan-network-contact",
                "plan-network-part",
            ]
            .iter()
            .map(|k| ctx.t(k).into_owned())
            .collect(),
            rows: c
                .network
                .iter()
                .map(|n| {
                    vec![
                        n.name.clone(),
                        n.relation.clone(),
                        n.contact.clone(),
                        n.part.clone(),
                    ]
                })
                .collect(),
        },
        safety_heading: ctx.t("plan-safety").into_owned(),
        safety: vec![
            section("plan-safety-risks", &c.safety.risks),
            section("plan-safety-signs", &c.safety.signs),
            section("plan-safety-who-does-what", &c.safety.who_does_what),
            section("plan-safety-who-to-call", &c.safety.who_to_call),
        ],
        signatures_heading: ctx.t("plan-signatures").into_owned(),
        signatures: vec![
            ctx.t("plan-signature-family").into_owned(),
            ctx.t("plan-signature-family").into_owned(),
            ctx.t("plan-signature-coordinator").into_owned(),
        ],
        signature_line: ctx.t("plan-signature-name-date").into_owned(),
    })
}

/// Lays out a plan document as PDF off the async threads (layout takes a moment).
pub async fn render_pdf(document: wrapcare_pdf::PlanDocument) -> Result<Vec<u8>, AppError> {
    render_off_thread(move || wrapcare_pdf::plan_pdf(&document)).await
}

/// Runs a PDF layout on the blocking pool; a failed layout is logged
/// (without the document) and answered as a conflict.
pub async fn render_off_thread(
    layout: impl FnOnce() -> Result<Vec<u8>, wrapcare_pdf::PdfError> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(layout)
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|e| {
            tracing::error!(error = %e, "PDF layout failed");
            AppError::Conflict("error-pdf")
        })
}

pub fn pdf_response(bytes: Vec<u8>, surname: &str) -> axum::response::Response {
    pdf_file(bytes, "gezinsplan", surname)
}

/// A PDF shown in the browser, named `{kind}-{what}.pdf` with only ASCII
/// letters and digits of `what`, never cached.
pub fn pdf_file(bytes: Vec<u8>, kind: &str, what: &str) -> axum::response::Response {
    let name: String = what.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{kind}-{name}.pdf\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The plan as PDF, to print and sign.
pub async fn pdf(State(state): State<AppState>, user: PageUser, Path(id): Path<i64>) -> PageResult {
    let plan = load(&state, &user, id).await?;
    let family = state
        .app
        .family(&user.actor, id)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "");
    let coordinator = family
        .episode
        .as_ref()
        .and_then(|e| e.coordinator.as_ref())
        .map(|c| c.name.clone());
    let document = plan_document(
        &ctx,
        &plan,
        &family.surname,
        coordinator.as_deref(),
        state.app.today(),
    )
    .ok_or_else(|| error_page(&state, user.lang, Some(&user), &AppError::NotFound))?;
    let bytes = render_pdf(document)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    Ok(pdf_response(bytes, &family.surname))
}

/// A clean printable plan with room for signatures.
pub async fn print(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let plan = load(&state, &user, id).await?;
    let family = state
        .app
        .family(&user.actor, id)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "");
    let Some(v) = &plan.current else {
        return Err(error_page(
            &state,
            user.lang,
            Some(&user),
            &AppError::NotFound,
        ));
    };
    let title = format!(
        "{} – {} {}",
        ctx.t("plan-title"),
        ctx.t("family-prefix"),
        family.surname
    );
    let body = html! {
        h1 { (title) }
        p.meta {
            (ctx.tr.t1("plan-version-n", "number", i64::from(v.number))) " · " (ctx.t(&format!("plan-status-{}", v.status.as_str())))
            @if let Some(c) = family.episode.as_ref().and_then(|e| e.coordinator.as_ref()) { " · " (ctx.t("col-coordinator")) ": " (c.name) }
            " · " (ctx.t("plan-printed-on")) " " (ctx.tr.date(state.app.today()))
        }
        (content_view(&ctx, &plan, &v.content, false, false))
        section.signatures {
            h2 { (ctx.t("plan-signatures")) }
            div.signature-grid {
                @for who in ["plan-signature-family", "plan-signature-family", "plan-signature-coordinator"] {
                    div.signature { p { (ctx.t(who)) } p.signature-line { (ctx.t("plan-signature-name-date")) } }
                }
            }
        }
    };
    Ok(html_response(StatusCode::OK, layout(&ctx, &title, body)))
}
