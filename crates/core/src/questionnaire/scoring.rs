//! Answers to an instrument: which are acceptable, and the scores they make.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::definition::{Instrument, ItemKind, Scoring, Subscale};
use crate::validation::Invalid;

/// The longest open answer kept.
pub const TEXT_MAX: usize = 2000;

/// One item's answer: a value on its scale, or words for an open item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    Value(i64),
    Text(String),
}

/// A response's answers by item id; an item left open has none.
pub type Answers = BTreeMap<String, Answer>;

/// Checks what a respondent sent (item id → what was typed or picked, as
/// text): blank means left open. Errors name the field `answers.<item>`.
pub fn check_answers<'a>(
    instrument: &Instrument,
    sent: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Answers, Invalid> {
    let mut errors = Invalid::new();
    let mut answers = Answers::new();
    for (id, raw) in sent {
        let field = format!("answers.{id}");
        let Some(item) = instrument.item(id) else {
            errors.add(field, "error-unknown-item");
            continue;
        };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match (item.kind, instrument.scale_of(item)) {
            (ItemKind::Text, _) => {
                if raw.chars().count() > TEXT_MAX {
                    errors.add(field, "error-too-long");
                } else {
                    answers.insert(id.to_string(), Answer::Text(raw.to_string()));
                }
            }
            (ItemKind::Scale, Some(scale)) => match raw.parse::<i64>() {
                Ok(value) if scale.contains(value) => {
                    answers.insert(id.to_string(), Answer::Value(value));
                }
                Ok(_) => errors.add(field, "error-answer-out-of-scale"),
                Err(_) => errors.add(field, "error-not-a-whole-number"),
            },
            // A checked definition gives every scale item its scale.
            (ItemKind::Scale, None) => errors.add(field, "error-unknown-item"),
        }
    }
    errors.finish()?;
    Ok(answers)
}

/// The value an item's answer counts for: reversed on its scale
/// (`min + max - value`) when the item says so.
pub fn scored_value(instrument: &Instrument, item_id: &str, answers: &Answers) -> Option<i64> {
    let item = instrument.item(item_id)?;
    let scale = instrument.scale_of(item)?;
    let Some(Answer::Value(value)) = answers.get(item_id) else {
        return None;
    };
    match (item.reversed, scale.max) {
        (true, Some(max)) => Some(scale.min + max - value),
        _ => Some(*value),
    }
}

/// A subscale's score in one response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Score {
    pub subscale: String,
    /// `None` when fewer items were answered than the subscale needs.
    pub value: Option<f64>,
    pub answered: usize,
    pub items: usize,
}

/// One subscale's score.
pub fn score_subscale(instrument: &Instrument, subscale: &Subscale, answers: &Answers) -> Score {
    let values: Vec<(i64, Option<(i64, i64)>)> = subscale
        .items
        .iter()
        .filter_map(|id| {
            let value = scored_value(instrument, id, answers)?;
            let range = instrument
                .item(id)
                .and_then(|item| instrument.scale_of(item))
                .and_then(|s| s.max.map(|max| (s.min, max)));
            Some((value, range))
        })
        .collect();
    let answered = values.len();
    let items = subscale.items.len();
    let value = (answered >= subscale.min_answered && answered > 0).then(|| {
        let n = answered as f64;
        let sum: f64 = values.iter().map(|(v, _)| *v as f64).sum();
        match subscale.scoring {
            Scoring::Sum => sum * items as f64 / n,
            Scoring::Mean => sum / n,
            Scoring::PercentOfMaximum => {
                values
                    .iter()
                    .map(|(v, range)| match range {
                        Some((min, max)) if max > min => {
                            (*v - *min) as f64 / (*max - *min) as f64 * 100.0
                        }
                        // A one-value scale leaves nothing to be short of.
                        _ => 100.0,
                    })
                    .sum::<f64>()
                    / n
            }
        }
    });
    Score {
        subscale: subscale.id.clone(),
        value,
        answered,
        items,
    }
}

/// Every subscale's score, in the definition's order.
pub fn score(instrument: &Instrument, answers: &Answers) -> Vec<Score> {
    instrument
        .subscales
        .iter()
        .map(|s| score_subscale(instrument, s, answers))
        .collect()
}

/// The lowest and the highest score a subscale can have; `None` when an
/// item's scale has no maximum.
pub fn range(instrument: &Instrument, subscale: &Subscale) -> Option<(f64, f64)> {
    if subscale.scoring == Scoring::PercentOfMaximum {
        return Some((0.0, 100.0));
    }
    let bounds: Vec<(i64, i64)> = subscale
        .items
        .iter()
        .map(|id| {
            let scale = instrument.item(id).and_then(|i| instrument.scale_of(i))?;
            scale.max.map(|max| (scale.min, max))
        })
        .collect::<Option<_>>()?;
    match subscale.scoring {
        Scoring::Sum => Some((
            bounds.iter().map(|b| b.0 as f64).sum(),
            bounds.iter().map(|b| b.1 as f64).sum(),
        )),
        _ => Some((
            bounds.iter().map(|b| b.0).min()? as f64,
            bounds.iter().map(|b| b.1).max()? as f64,
        )),
    }
}
