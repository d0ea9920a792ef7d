//! A table of figures, written once and shown three ways: as HTML beside
//! its chart, as CSV and as an XLSX workbook to download. The same cells in
//! all three, so a download can never differ from the page.

use maud::{Markup, html};

/// One cell: words, or a number with the text it shows as on the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number { value: f64, shown: String },
}

impl Cell {
    pub fn int(n: usize) -> Cell {
        Cell::Number {
            value: n as f64,
            shown: n.to_string(),
        }
    }

    fn shown(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            Cell::Number { shown, .. } => shown,
        }
    }

    /// As a machine reads it: numbers with a decimal point, words as shown.
    fn plain(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number { value, .. } if value.fract() == 0.0 => format!("{value:.0}"),
            Cell::Number { value, .. } => {
                let text = format!("{value:.4}");
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// Its name in a download's address and file name.
    pub id: &'static str,
    pub caption: String,
    /// Whether the caption is read by screen readers only (a heading above
    /// already names the table).
    pub caption_hidden: bool,
    pub header: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<Cell>>,
    /// The last row is a total.
    pub total: bool,
}

impl Table {
    pub fn html(&self, region_label: &str) -> Markup {
        let last = self.rows.len().saturating_sub(1);
        html! {
            div.table-wrap tabindex="0" role="region" aria-label=(region_label) {
                table.data-table {
                    @if self.caption_hidden { caption.visually-hidden { (self.caption) } } @else { caption { (self.caption) } }
                    thead { tr {
                        @for (i, h) in self.header.iter().enumerate() {
                            th scope="col" class=[self.numeric.get(i).copied().unwrap_or(false).then_some("num")] { (h) }
                        }
                    } }
                    tbody {
                        @for (r, row) in self.rows.iter().enumerate() {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    @let num = self.numeric.get(i).copied().unwrap_or(false);
                                    @if i == 0 && self.total && r == last {
                                        th scope="row" { (cell.shown()) }
                                    } @else {
                                        td class=[num.then_some("num")] { (cell.shown()) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// RFC 4180 CSV with a header row; numbers with a decimal point.
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(&self.header)?;
        for row in &self.rows {
            out.write_record(row.iter().map(Cell::plain))?;
        }
        out.into_inner().map_err(|e| e.into_error().into())
    }

    /// A workbook of one sheet: the caption, the header in bold, numbers as
    /// numbers and withheld figures as their marks.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name(self.id)?;
        sheet.write_string_with_format(0, 0, &self.caption, &bold)?;
        for (c, h) in self.header.iter().enumerate() {
            sheet.write_string_with_format(2, col(c), h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let at = u32::try_from(r + 3).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(t) => sheet.write_string(at, col(c), t)?,
                    Cell::Number { value, .. } => sheet.write_number(at, col(c), *value)?,
                };
            }
        }
        sheet.autofit();
        book.save_to_buffer()
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}
