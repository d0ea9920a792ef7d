//! The team's caseloads against capacity.

use axum::extract::State;
use maud::html;

use super::episode::capacity_bar;
use super::{Ctx, PageResult, error_page, page};
use crate::AppState;
use crate::session::PageUser;

pub async fn team(State(state): State<AppState>, user: PageUser) -> PageResult {
    let loads = state
        .app
        .caseloads(&user.actor)
        .await
        .map_err(|e| error_page(&state, user.lang, Some(&user), &e))?;
    let ctx = Ctx::new(&state, &user, "/caseloads");
    let title = ctx.t("caseloads-title");
    let total: u32 = loads.iter().map(|l| l.caseload).sum();
    let capacity: f64 = loads.iter().map(|l| l.capacity).sum();
    let body = html! {
        h1 { (title) }
        p.lead { (ctx.tr.t2("caseloads-lead", ("caseload", i64::from(total).into()), ("capacity", ctx.tr.dec1(capacity).into()))) }
        div.table-wrap tabindex="0" role="region" aria-label=(ctx.t("table-region")) {
            table.data-table {
                caption.visually-hidden { (title) }
                thead { tr {
                    th scope="col" { (ctx.t("col-coordinator")) }
                    th scope="col" { (ctx.t("col-organisation")) }
                    th scope="col" class="num" { (ctx.t("col-hours")) }
                    th scope="col" { (ctx.t("col-caseload")) }
                    th scope="col" class="num" { (ctx.t("col-hours-last-week")) }
                    th scope="col" class="num" { (ctx.t("col-hours-this-week")) }
                } }
                tbody {
                    @for l in &loads {
                        tr {
                            td { (l.name) }
                            td { (l.home_organisation) }
                            td.num { (ctx.tr.dec1(l.seconded_hours_per_week)) }
                            td { (capacity_bar(&ctx, l)) }
                            td.num {
                                (ctx.tr.dec1(l.hours_last_week))
                                br; span.hint { (ctx.tr.t1("caseloads-expected", "hours", ctx.tr.dec1(l.expected_weekly_hours))) }
                            }
                            td.num { (ctx.tr.dec1(l.hours_this_week)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, &title, body))
}
