//! Printable documents laid out with Typst and written as PDF, with the fonts
//! embedded in the binary (no system font lookups).
//!
//! The caller passes a document already translated and formatted; this crate
//! only lays it out. The data travels to the Typst template as JSON, so no
//! user text is ever parsed as Typst markup.

use std::sync::OnceLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the document could not be laid out: {0}")]
    Layout(String),
}

/// The family plan, ready to print: every text already in the reader's language.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanDocument {
    /// `nl` or `en`, for hyphenation.
    pub lang: String,
    pub title: String,
    pub subtitle: String,
    pub footer: String,
    /// Headed texts: the family's words, strengths, concerns, needs.
    pub sections: Vec<Section>,
    pub goals_heading: String,
    pub goals: Vec<GoalBlock>,
    pub actions: Table,
    pub network: Table,
    pub safety_heading: String,
    pub safety: Vec<Section>,
    pub signatures_heading: String,
    pub signatures: Vec<String>,
    pub signature_line: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GoalBlock {
    pub title: String,
    pub meta: String,
    /// Rows of the attainment scale, +2 first: level, description, marker (baseline, latest score).
    pub levels: Vec<[String; 3]>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub heading: String,
    /// Shown instead of the table when there are no rows.
    pub empty: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A team meeting's agenda and minutes, ready to print.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MinutesDocument {
    /// `nl` or `en`, for hyphenation.
    pub lang: String,
    pub title: String,
    /// Chair, minute-taker and who attended, one line each.
    pub lines: Vec<String>,
    pub footer: String,
    pub items: Vec<MinutesItem>,
    /// Action items from earlier meetings still open.
    pub earlier: Table,
}

/// One agenda item: a family or a team topic.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MinutesItem {
    pub heading: String,
    /// Why it is on the agenda, its signals or principles.
    pub meta: String,
    /// The question, the discussion and the advice.
    pub sections: Vec<Section>,
    pub actions: Table,
}

const PLAN_TEMPLATE: &str = include_str!("plan.typ");
const MINUTES_TEMPLATE: &str = include_str!("minutes.typ");

/// Lays out the family plan as an A4 PDF.
pub fn plan_pdf(document: &PlanDocument) -> Result<Vec<u8>, PdfError> {
    render(document, PLAN_TEMPLATE)
}

/// Lays out a meeting's agenda and minutes as an A4 PDF.
pub fn minutes_pdf(document: &MinutesDocument) -> Result<Vec<u8>, PdfError> {
    render(document, MINUTES_TEMPLATE)
}

fn render(document: &impl Serialize, template: &str) -> Result<Vec<u8>, PdfError> {
    let json = serde_json::to_string(document).map_err(|e| PdfError::Layout(e.to_string()))?;
    // A Typst string literal holding the JSON: only backslashes and quotes need escaping
    // (serde_json writes control characters inside strings as escapes already).
    let literal = json.replace('\\', "\\\\").replace('"', "\\\"");
    let source = format!("#let data = json(bytes(\"{literal}\"))\n{template}");
    let world = DocumentWorld::new(source);
    let compiled = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| {
            PdfError::Layout(
                errors
                    .iter()
                    .map(|e| e.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
    typst_pdf::pdf(&compiled, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Layout(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The embedded fonts, parsed once per process.
fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// A world of one source file and the embedded fonts; it reads no files.
struct DocumentWorld {
    source: Source,
}

impl DocumentWorld {
    fn new(text: String) -> DocumentWorld {
        DocumentWorld {
            source: Source::detached(text),
        }
    }
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts().book
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // Dates on the document come from the caller, already formatted.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_with_awkward_text_become_a_pdf() {
        let table = |rows: Vec<Vec<String>>| Table {
            heading: "Besluiten".into(),
            empty: "Geen".into(),
            columns: vec!["Wat".into(), "Wie".into(), "Klaar op".into()],
            rows,
        };
        let doc = MinutesDocument {
            lang: "nl".into(),
            title: "Teamoverleg van 3-12-2026 #set $x$".into(),
            lines: vec!["Voorzitter: \"A\" \\ B".into(), "Aanwezig: C, D".into()],
            footer: "wrapcare".into(),
            items: vec![MinutesItem {
                heading: "1. Gezin *de* Vries".into(),
                meta: "signalen".into(),
                sections: vec![Section {
                    heading: "Bespreking".into(),
                    text: "Regel één\nRegel [twee] = markup".into(),
                }],
                actions: table(vec![vec!["Bellen".into(), "E".into(), "10-12-2026".into()]]),
            }],
            earlier: table(Vec::new()),
        };
        let pdf = minutes_pdf(&doc).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_plan_with_awkward_text_becomes_a_pdf() {
        let doc = PlanDocument {
            lang: "nl".into(),
            title: "Gezinsplan – Gezin \"de Vries\" \\ #test $x$ *niet vet*".into(),
            subtitle: "versie 2 · afgesproken".into(),
            footer: "wrapcare".into(),
            sections: vec![Section {
                heading: "Visie".into(),
                text: "Regel één\nRegel twee = [geen] markup".into(),
            }],
            goals_heading: "Doelen".into(),
            goals: vec![GoalBlock {
                title: "Doel 1: Naar school".into(),
                meta: "School".into(),
                levels: vec![
                    ["+2".into(), "Elke dag".into(), String::new()],
                    ["-1".into(), "Soms".into(), "beginniveau".into()],
                ],
            }],
            actions: Table {
                heading: "Acties".into(),
                empty: "Geen".into(),
                columns: vec!["Wat".into(), "Wie".into()],
                rows: vec![vec!["Bellen".into(), "Moeder".into()]],
            },
            network: Table {
                heading: "Netwerk".into(),
                empty: "Nog niemand".into(),
                columns: vec!["Naam".into()],
                rows: vec![],
            },
            safety_heading: "Veiligheid".into(),
            safety: vec![Section {
                heading: "Wie bellen we?".into(),
                text: "Oma".into(),
            }],
            signatures_heading: "Handtekeningen".into(),
            signatures: vec!["Gezinslid".into(), "Gezinscoach".into()],
            signature_line: "Naam, datum en handtekening".into(),
        };
        let pdf = plan_pdf(&doc).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
    }
}
