//! An instrument's definition as its data file states it, and the checks a
//! definition passes before wrapcare uses it.
//!
//! Instruments are TOML files in `crates/core/questionnaires/`; the build
//! embeds every file there, so adding one needs no code. A file is refused
//! as a whole when any part of it is inconsistent, and the error names the
//! file and the item, scale or subscale at fault.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

/// Who answers an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Respondent {
    /// A parent or carer.
    Parent,
    Youth,
    Coordinator,
    /// A member of the family's network (a grandparent, a neighbour, a teacher).
    Network,
}

impl Respondent {
    pub const ALL: [Respondent; 4] = [
        Respondent::Parent,
        Respondent::Youth,
        Respondent::Coordinator,
        Respondent::Network,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Respondent::Parent => "parent",
            Respondent::Youth => "youth",
            Respondent::Coordinator => "coordinator",
            Respondent::Network => "network",
        }
    }

    pub fn parse(value: &str) -> Option<Respondent> {
        Respondent::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// Someone outside the team, who may answer through a one-time link.
    pub fn answers_by_link(self) -> bool {
        self != Respondent::Coordinator
    }
}

/// A text in both of wrapcare's languages. Either may be missing in a file;
/// the checks refuse that, naming where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub en: String,
}

impl Text {
    /// The text in a language by its code (`nl`, `en`); Dutch otherwise.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.nl }
    }

    fn missing(&self) -> Option<&'static str> {
        missing_language(&self.nl, &self.en)
    }
}

/// The first language whose text is blank.
fn missing_language(nl: &str, en: &str) -> Option<&'static str> {
    if nl.trim().is_empty() {
        Some("nl")
    } else if en.trim().is_empty() {
        Some("en")
    } else {
        None
    }
}

/// A response scale: whole numbers from `min` to `max`. A scale without a
/// maximum (a count, say) can be summed but neither reversed nor expressed
/// as a share of its maximum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub min: i64,
    #[serde(default)]
    pub max: Option<i64>,
    /// What the values mean, for the ones that have words (often the ends).
    #[serde(default)]
    pub labels: Vec<Label>,
}

impl Scale {
    pub fn contains(&self, value: i64) -> bool {
        value >= self.min && self.max.is_none_or(|max| value <= max)
    }

    /// The values a respondent picks from, for a bounded scale.
    pub fn values(&self) -> Option<std::ops::RangeInclusive<i64>> {
        self.max.map(|max| self.min..=max)
    }

    pub fn label(&self, value: i64) -> Option<&Label> {
        self.labels.iter().find(|l| l.value == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub value: i64,
    #[serde(default)]
    pub nl: String,
    #[serde(default)]
    pub en: String,
}

impl Label {
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.nl }
    }
}

/// What an item asks for: a value on a scale, or words (an open comment,
/// never scored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    #[default]
    Scale,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    #[serde(default)]
    pub kind: ItemKind,
    /// The scale's id, for a scale item.
    #[serde(default)]
    pub scale: Option<String>,
    /// Scored the other way round: a high answer means a low score.
    #[serde(default)]
    pub reversed: bool,
    pub text: Text,
    /// A description per value of the scale, lowest first (the levels of
    /// self-sufficiency), when each value needs its own words.
    #[serde(default)]
    pub levels: Vec<Text>,
}

/// How a subscale's answered items make its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// The sum, prorated to all items when some were left open.
    Sum,
    Mean,
    /// The share of the maximum possible, 0 to 100 (each item's distance
    /// from its scale's minimum, as a share of its range, averaged).
    PercentOfMaximum,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Subscale {
    pub id: String,
    pub title: Text,
    pub items: Vec<String>,
    pub scoring: Scoring,
    /// Fewer answered items than this and the subscale has no score.
    pub min_answered: usize,
    /// The plan's life domain it measures, shown beside that domain's goals.
    #[serde(default)]
    pub domain: Option<String>,
}

/// One instrument, as its file defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: String,
    /// Raised whenever items or scoring change; a measurement records the
    /// version it was taken with.
    pub version: u32,
    pub respondents: Vec<Respondent>,
    pub title: Text,
    pub intro: Text,
    #[serde(default)]
    pub scales: Vec<Scale>,
    pub items: Vec<Item>,
    #[serde(default)]
    pub subscales: Vec<Subscale>,
}

impl Instrument {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// The scale an item is answered on; `None` for an open item.
    pub fn scale_of(&self, item: &Item) -> Option<&Scale> {
        match item.kind {
            ItemKind::Scale => item.scale.as_deref().and_then(|s| self.scale(s)),
            ItemKind::Text => None,
        }
    }

    pub fn subscale(&self, id: &str) -> Option<&Subscale> {
        self.subscales.iter().find(|s| s.id == id)
    }
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Instrument,
    Scale(String),
    Item(String),
    Subscale(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Instrument => f.write_str("the instrument"),
            Place::Scale(id) => write!(f, "scale `{id}`"),
            Place::Item(id) => write!(f, "item `{id}`"),
            Place::Subscale(id) => write!(f, "subscale `{id}`"),
        }
    }
}

/// What is wrong in a definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the id is empty or not made of a-z, 0-9 and _")]
    BadId,
    #[error("the id is used twice")]
    DuplicateId,
    #[error("the version must be 1 or higher")]
    NoVersion,
    #[error("nobody is named to answer it")]
    NoRespondents,
    #[error("it has no items")]
    NoItems,
    #[error("the text in {0} is missing")]
    MissingText(&'static str),
    #[error("a scale item needs a scale")]
    NoScale,
    #[error("an open (text) item cannot have a scale, levels or be reversed")]
    TextItemWithScale,
    #[error("it names scale `{0}`, which is not defined")]
    UnknownScale(String),
    #[error("the maximum is below the minimum")]
    MaxBelowMin,
    #[error("a label for {0} lies outside the scale")]
    LabelOutOfRange(i64),
    #[error("the scale has no maximum, so it cannot be reversed")]
    ReversedUnbounded,
    #[error("it has {found} level descriptions; its scale has {expected} values")]
    LevelsMismatch { found: usize, expected: usize },
    #[error("it is in no subscale, so it is never scored")]
    Unscored,
    #[error("it names item `{0}`, which is not defined")]
    UnknownItem(String),
    #[error("it names the open item `{0}`, which has no value to score")]
    OpenItemScored(String),
    #[error("it names item `{0}` twice")]
    ItemTwice(String),
    #[error("min_answered is {found}; it must be from 1 to its {items} items")]
    MinAnsweredOutOfRange { found: usize, items: usize },
    #[error("a share of the maximum needs every item on a scale with a maximum; `{0}` has none")]
    PercentOfUnbounded(String),
    #[error("life domain `{0}` is not one of the plan's domains")]
    UnknownDomain(String),
}

/// Why a definition file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    /// Not valid TOML, or not the shape of an instrument; the message names
    /// the line.
    #[error("{file}: {message}")]
    Unreadable { file: String, message: String },
    #[error("{file}: {place}: {problem}")]
    Inconsistent {
        file: String,
        place: Place,
        problem: Problem,
    },
}

fn well_formed_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Reads one definition file and checks it.
pub fn parse(file: &str, source: &str) -> Result<Instrument, DefinitionError> {
    let instrument: Instrument =
        toml::from_str(source).map_err(|e| DefinitionError::Unreadable {
            file: file.to_string(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
    check(&instrument).map_err(|(place, problem)| DefinitionError::Inconsistent {
        file: file.to_string(),
        place,
        problem,
    })?;
    Ok(instrument)
}

/// The first inconsistency of a definition, if any.
pub fn check(instrument: &Instrument) -> Result<(), (Place, Problem)> {
    use Place as P;
    let whole = |problem| Err((P::Instrument, problem));
    if !well_formed_id(&instrument.id) {
        return whole(Problem::BadId);
    }
    if instrument.version == 0 {
        return whole(Problem::NoVersion);
    }
    if instrument.respondents.is_empty() {
        return whole(Problem::NoRespondents);
    }
    if instrument.items.is_empty() {
        return whole(Problem::NoItems);
    }
    for text in [&instrument.title, &instrument.intro] {
        if let Some(lang) = text.missing() {
            return whole(Problem::MissingText(lang));
        }
    }

    let mut scales = HashMap::new();
    for scale in &instrument.scales {
        let here = || P::Scale(scale.id.clone());
        if !well_formed_id(&scale.id) {
            return Err((here(), Problem::BadId));
        }
        if scales.insert(scale.id.as_str(), scale).is_some() {
            return Err((here(), Problem::DuplicateId));
        }
        if scale.max.is_some_and(|max| max < scale.min) {
            return Err((here(), Problem::MaxBelowMin));
        }
        for label in &scale.labels {
            if !scale.contains(label.value) {
                return Err((here(), Problem::LabelOutOfRange(label.value)));
            }
            if let Some(lang) = missing_language(&label.nl, &label.en) {
                return Err((here(), Problem::MissingText(lang)));
            }
        }
    }

    let mut items = HashMap::new();
    for item in &instrument.items {
        let here = || P::Item(item.id.clone());
        if !well_formed_id(&item.id) {
            return Err((here(), Problem::BadId));
        }
        if items.insert(item.id.as_str(), item).is_some() {
            return Err((here(), Problem::DuplicateId));
        }
        if let Some(lang) = item.text.missing() {
            return Err((here(), Problem::MissingText(lang)));
        }
        match item.kind {
            ItemKind::Text => {
                if item.scale.is_some() || item.reversed || !item.levels.is_empty() {
                    return Err((here(), Problem::TextItemWithScale));
                }
            }
            ItemKind::Scale => {
                let Some(scale_id) = &item.scale else {
                    return Err((here(), Problem::NoScale));
                };
                let Some(scale) = scales.get(scale_id.as_str()) else {
                    return Err((here(), Problem::UnknownScale(scale_id.clone())));
                };
                if item.reversed && scale.max.is_none() {
                    return Err((here(), Problem::ReversedUnbounded));
                }
                if !item.levels.is_empty() {
                    let expected = scale.values().map_or(0, |v| v.count());
                    if item.levels.len() != expected {
                        return Err((
                            here(),
                            Problem::LevelsMismatch {
                                found: item.levels.len(),
                                expected,
                            },
                        ));
                    }
                    if let Some(lang) = item.levels.iter().find_map(Text::missing) {
                        return Err((here(), Problem::MissingText(lang)));
                    }
                }
            }
        }
    }

    let mut subscale_ids = BTreeSet::new();
    let mut scored = BTreeSet::new();
    for subscale in &instrument.subscales {
        let here = || P::Subscale(subscale.id.clone());
        if !well_formed_id(&subscale.id) {
            return Err((here(), Problem::BadId));
        }
        if !subscale_ids.insert(subscale.id.as_str()) {
            return Err((here(), Problem::DuplicateId));
        }
        if let Some(lang) = subscale.title.missing() {
            return Err((here(), Problem::MissingText(lang)));
        }
        let mut named = BTreeSet::new();
        for id in &subscale.items {
            let Some(item) = items.get(id.as_str()) else {
                return Err((here(), Problem::UnknownItem(id.clone())));
            };
            if item.kind == ItemKind::Text {
                return Err((here(), Problem::OpenItemScored(id.clone())));
            }
            if !named.insert(id.as_str()) {
                return Err((here(), Problem::ItemTwice(id.clone())));
            }
            let bounded = item
                .scale
                .as_deref()
                .and_then(|s| scales.get(s))
                .is_some_and(|s| s.max.is_some());
            if subscale.scoring == Scoring::PercentOfMaximum && !bounded {
                return Err((here(), Problem::PercentOfUnbounded(id.clone())));
            }
            scored.insert(id.as_str());
        }
        if subscale.min_answered == 0 || subscale.min_answered > subscale.items.len() {
            return Err((
                here(),
                Problem::MinAnsweredOutOfRange {
                    found: subscale.min_answered,
                    items: subscale.items.len(),
                },
            ));
        }
    }
    if let Some(item) = instrument
        .items
        .iter()
        .find(|i| i.kind == ItemKind::Scale && !scored.contains(i.id.as_str()))
    {
        return Err((P::Item(item.id.clone()), Problem::Unscored));
    }
    Ok(())
}

/// The instruments wrapcare knows, by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    instruments: Vec<Instrument>,
}

impl Catalogue {
    /// Reads every file (name, contents); refuses all if one is wrong or two
    /// share an id.
    pub fn load<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalogue, DefinitionError> {
        let mut instruments: Vec<Instrument> = Vec::new();
        let mut files_of: HashMap<String, String> = HashMap::new();
        for (file, source) in files {
            let instrument = parse(file, source)?;
            if files_of
                .insert(instrument.id.clone(), file.to_string())
                .is_some()
            {
                return Err(DefinitionError::Inconsistent {
                    file: file.to_string(),
                    place: Place::Instrument,
                    problem: Problem::DuplicateId,
                });
            }
            instruments.push(instrument);
        }
        instruments.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalogue { instruments })
    }

    /// The instruments shipped with wrapcare (`crates/core/questionnaires/`).
    pub fn shipped() -> Result<Catalogue, DefinitionError> {
        Catalogue::load(SHIPPED.iter().copied())
    }

    /// Refuses a subscale that names a life domain the plans do not have.
    pub fn check_domains(&self, domains: &[&str]) -> Result<(), DefinitionError> {
        for instrument in &self.instruments {
            for subscale in &instrument.subscales {
                if let Some(domain) = &subscale.domain
                    && !domains.contains(&domain.as_str())
                {
                    return Err(DefinitionError::Inconsistent {
                        file: format!("{}.toml", instrument.id),
                        place: Place::Subscale(subscale.id.clone()),
                        problem: Problem::UnknownDomain(domain.clone()),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Instrument> {
        self.instruments.iter()
    }
}

/// The shipped instruments, read once. A broken file is an error here and
/// in the test that loads every shipped definition, never a panic.
pub fn shipped() -> Result<&'static Catalogue, &'static DefinitionError> {
    static SHIPPED_CATALOGUE: std::sync::LazyLock<Result<Catalogue, DefinitionError>> =
        std::sync::LazyLock::new(Catalogue::shipped);
    SHIPPED_CATALOGUE.as_ref()
}

/// Every file of `crates/core/questionnaires/` as (file name, contents),
/// gathered by the build script.
pub static SHIPPED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/questionnaires.rs"));
