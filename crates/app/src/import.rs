//! Imports from providers' systems: module starts, stops and delivered units
//! as CSV. All or nothing: every bad line is reported by line number and
//! field, and then nothing is stored.
//!
//! The file has a header line and these columns (any order):
//! `provider,module,reference,event,date,units,reason`:
//! - `provider`: the organisation's name, `module`: the provider's module code;
//! - `reference`: the module referral's reference (`M-17`);
//! - `event`: `start`, `stop` or `delivered`; `date`: YYYY-MM-DD;
//! - `units`: for `delivered` (days attended, hours, sessions);
//! - `reason`: for `stop`: completed, stopped_early or not_started (empty: completed,
//!   or not_started for a module that never started).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;
use wrapcare_core::indication::date_field;
use wrapcare_core::module::{
    self as rules, EndReason, ImportEvent, default_end_reason, parse_reference,
};
use wrapcare_core::role::Role;
use wrapcare_core::validation::Invalid;
use wrapcare_store::{episode, module as store, organisation};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// Columns an import must have; `units` and `reason` may be left empty per line.
pub const COLUMNS: [&str; 7] = [
    "provider",
    "module",
    "reference",
    "event",
    "date",
    "units",
    "reason",
];

/// What an import stored.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    /// Lines read, the header not counted.
    pub lines: usize,
    pub started: usize,
    pub stopped: usize,
    pub deliveries: usize,
    /// Families whose module referrals changed.
    pub families: usize,
}

/// The field name of a line's error: `lines[3].date` (line 1 is the header).
fn at(line: usize, field: &str) -> String {
    format!("lines[{line}].{field}")
}

/// The line and column of a field error named by [`at`], for the CLI.
pub fn split_field(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("lines[")?;
    let (number, column) = rest.split_once("].")?;
    Some((number.parse().ok()?, column))
}

#[derive(Debug)]
struct Line {
    number: usize,
    values: HashMap<&'static str, String>,
}

impl Line {
    fn get(&self, column: &str) -> &str {
        self.values.get(column).map_or("", |v| v.trim())
    }
}

/// Reads the CSV into lines; a missing column or broken quoting is reported.
fn read_lines(text: &str) -> Result<Vec<Line>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| AppError::invalid(&at(1, "header"), "error-import-csv"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut errors = Invalid::new();
    for column in COLUMNS.iter().take(5) {
        if !headers.iter().any(|h| h == column) {
            errors.add(at(1, column), "error-import-missing-column");
        }
    }
    errors.finish()?;
    let mut lines = Vec::new();
    let mut errors = Invalid::new();
    for (index, record) in reader.records().enumerate() {
        // The reader skips blank lines without counting them; the byte offset
        // where the record starts gives the line as the user's editor shows it.
        let position = match &record {
            Ok(r) => r.position().cloned(),
            Err(e) => e.position().cloned(),
        };
        let number = position.map_or(index + 2, |p| line_at(text, p.byte()));
        match record {
            Ok(record) => {
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                let values = COLUMNS
                    .iter()
                    .filter_map(|c| {
                        let i = headers.iter().position(|h| h == c)?;
                        Some((*c, record.get(i).unwrap_or_default().to_string()))
                    })
                    .collect();
                lines.push(Line { number, values });
            }
            Err(_) => errors.add(at(number, "line"), "error-import-csv"),
        }
    }
    errors.finish()?;
    if lines.is_empty() {
        return Err(AppError::invalid(&at(2, "line"), "error-import-empty"));
    }
    Ok(lines)
}

/// The 1-based line of a byte offset in the text.
fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    // A record's position is where reading began, before any blank lines it skipped.
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Moves a rule's field errors onto the line: `on` → `lines[3].date`.
fn on_line(errors: &mut Invalid, line: usize, refused: Invalid) {
    for e in refused.0 {
        let column = match e.field.as_str() {
            "on" | "started_on" | "ended_on" | "delivered_on" => "date",
            "units" => "units",
            "reason" => "reason",
            _ => "event",
        };
        errors.add(at(line, column), e.key);
    }
}

/// Who may import providers' module records.
pub const IMPORTERS: &[Role] = &[Role::Admin, Role::Supervisor];

impl App {
    /// Imports module starts, stops and delivered units from a provider's CSV.
    /// `progress` is told after each line how many of how many were read.
    pub async fn import_modules(
        &self,
        actor: &Actor,
        text: &str,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<ImportReport> {
        self.require(actor, IMPORTERS, "import.import_modules")
            .await?;
        let lines = read_lines(text)?;
        let total = lines.len();
        let today = self.today();
        let now = self.now();
        let mut tx = self.write().await?;
        // The catalogue is read once; lines are matched against it in memory.
        let modules = store::list(&mut tx).await?;
        let providers: Vec<String> = organisation::list(&mut tx)
            .await?
            .into_iter()
            .map(|o| o.name)
            .collect();
        let mut errors = Invalid::new();
        let mut report = ImportReport {
            lines: total,
            ..ImportReport::default()
        };
        let mut touched_episodes: BTreeSet<i64> = BTreeSet::new();
        // A supervisor imports for the own team's families only; another
        // team's reference is answered as unknown, and the refusal logged.
        let mut team_of_episode: HashMap<i64, Option<episode::Episode>> = HashMap::new();
        let mut refused_targets: BTreeSet<(i64, i64)> = BTreeSet::new();
        for (done, line) in lines.iter().enumerate() {
            let n = line.number;
            let before = errors.0.len();
            let (provider, code) = (line.get("provider"), line.get("module"));
            let module = modules
                .iter()
                .find(|m| m.organisation_name.eq_ignore_ascii_case(provider) && m.code == code)
                .cloned();
            if module.is_none() {
                if providers.iter().any(|p| p.eq_ignore_ascii_case(provider)) {
                    errors.add(at(n, "module"), "error-import-unknown-module");
                } else {
                    errors.add(at(n, "provider"), "error-import-unknown-provider");
                }
            }
            let mut referral = match parse_reference(line.get("reference")) {
                Some(id) => store::get_referral(&mut tx, id).await?,
                None => None,
            };
            if let (Some(r), Role::Supervisor) = (&referral, actor.role) {
                let owner = match team_of_episode.get(&r.episode_id) {
                    Some(e) => e.clone(),
                    None => {
                        let e = episode::get(&mut tx, r.episode_id).await?;
                        team_of_episode.insert(r.episode_id, e.clone());
                        e
                    }
                };
                let ours = owner
                    .as_ref()
                    .is_some_and(|e| actor.team_id == Some(e.team_id));
                if !ours {
                    if let Some(e) = owner {
                        refused_targets.insert((e.family_id, e.id));
                    }
                    referral = None;
                }
            }
            match (&referral, &module) {
                (None, _) => errors.add(at(n, "reference"), "error-import-unknown-reference"),
                (Some(r), Some(m)) if r.module_id != m.id => {
                    errors.add(at(n, "reference"), "error-import-reference-module")
                }
                _ => {}
            }
            let event = ImportEvent::parse(line.get("event"));
            if event.is_none() {
                errors.add(at(n, "event"), "error-import-event");
            }
            let date = date_field(&mut errors, &at(n, "date"), line.get("date"));
            if errors.0.len() > before {
                progress(done + 1, total);
                continue;
            }
            let (Some(r), Some(m), Some(event), Some(date)) = (referral, module, event, date)
            else {
                continue;
            };
            let mut refused = Invalid::new();
            match event {
                ImportEvent::Start => {
                    match rules::validate_start(r.state, r.requested_on, date, today) {
                        Err(e) => refused.merge(e),
                        Ok(()) => match crate::module::start_checked(&mut tx, &r, date).await {
                            Err(AppError::Invalid(e)) => refused.merge(e),
                            Err(other) => return Err(other),
                            Ok(()) => {
                                store::start(&mut tx, r.id, date, r.version, now).await?;
                                report.started += 1;
                            }
                        },
                    }
                }
                ImportEvent::Stop => {
                    let reason = match line.get("reason") {
                        "" => Some(default_end_reason(r.state)),
                        v => EndReason::parse(v),
                    };
                    match reason {
                        None => refused.add("reason", "error-choose-option"),
                        Some(reason) => match rules::validate_end(
                            r.state,
                            r.requested_on,
                            r.started_on,
                            date,
                            reason,
                            today,
                        ) {
                            Err(e) => refused.merge(e),
                            Ok(()) => {
                                store::end(&mut tx, r.id, date, reason, r.version, now).await?;
                                report.stopped += 1;
                            }
                        },
                    }
                }
                ImportEvent::Delivered => {
                    let units = line.get("units").parse::<i64>().ok();
                    match rules::validate_delivery(
                        m.module_type,
                        m.unit,
                        r.children.len(),
                        r.period(),
                        Some(date),
                        units,
                        today,
                    ) {
                        Err(e) => refused.merge(e),
                        Ok(()) => {
                            let units = units.unwrap_or(1);
                            store::record_delivery(&mut tx, r.id, date, units, "import", now)
                                .await?;
                            report.deliveries += 1;
                        }
                    }
                }
            }
            if refused.is_empty() {
                touched_episodes.insert(r.episode_id);
            } else {
                on_line(&mut errors, n, refused);
            }
            progress(done + 1, total);
        }
        if !errors.is_empty() {
            tx.rollback().await?;
            if !refused_targets.is_empty() {
                let mut tx = self.write().await?;
                for (family_id, episode_id) in refused_targets {
                    self.log(
                        &mut tx,
                        actor,
                        Target::episode(family_id, episode_id),
                        "module.import",
                        Outcome::Refused,
                    )
                    .await?;
                }
                tx.commit().await?;
            }
            return Err(AppError::Invalid(errors));
        }
        let mut touched: BTreeSet<(i64, i64)> = BTreeSet::new();
        for episode_id in touched_episodes {
            if let Some(e) = episode::get(&mut tx, episode_id).await? {
                touched.insert((e.family_id, e.id));
            }
        }
        report.families = touched
            .iter()
            .map(|(f, _)| *f)
            .collect::<BTreeSet<_>>()
            .len();
        for (family_id, episode_id) in touched {
            self.log(
                &mut tx,
                actor,
                Target::episode(family_id, episode_id),
                "module.import",
                Outcome::Allowed,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_as_in_the_file() {
        let text = "provider,module,reference,event,date,units,reason\n\
                    Juvent,JUV-DB01,M-3,delivered,2026-11-02,1,\n\
                    \n\
                    Juvent,JUV-DB01,M-3,delivered,2026-11-03,1,\n";
        let lines = read_lines(text).expect("lines");
        assert_eq!(
            lines.iter().map(|l| l.number).collect::<Vec<_>>(),
            vec![2, 4]
        );
        assert_eq!(lines[0].get("reference"), "M-3");
        assert_eq!(split_field("lines[4].date"), Some((4, "date")));
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = read_lines("provider,module,event,date\nA,B,start,2026-01-01\n")
            .expect_err("no reference column");
        match err {
            AppError::Invalid(i) => assert_eq!(i.0[0].field, "lines[1].reference"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            read_lines("provider,module,reference,event,date\n"),
            Err(AppError::Invalid(_))
        ));
    }
}
