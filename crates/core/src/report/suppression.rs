//! Small numbers withheld: what an analyst or the municipality sees never
//! counts fewer than five families, and no figure can be had back by
//! subtracting shown figures from each other (complementary suppression).

/// Fewer families than this are never shown as a number.
pub const THRESHOLD: usize = crate::waiting::SMALL_GROUP;

/// Whether a count may be shown on its own: none, or five or more.
pub fn shown(n: usize) -> bool {
    n == 0 || n >= THRESHOLD
}

/// Whether a count that is part of a whole the same reader can see may be
/// shown: the rest (whole − part) must not be small either, or the two
/// figures subtracted give it away.
pub fn part_shown(part: usize, whole: usize) -> bool {
    shown(part) && shown(whole.saturating_sub(part))
}

/// Which cells of a row that adds up to a total are withheld, and whether
/// the total is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withheld {
    pub cells: Vec<bool>,
    pub total: bool,
}

/// Withholds every small cell; when that is exactly one, the smallest other
/// cell with families is withheld too, since the total minus the others
/// would give it back; with no such cell the total is withheld instead.
pub fn withheld(cells: &[usize]) -> Withheld {
    let mut out: Vec<bool> = cells.iter().map(|&n| !shown(n)).collect();
    let total: usize = cells.iter().sum();
    let mut total_withheld = !shown(total);
    if out.iter().filter(|&&w| w).count() == 1 && !total_withheld {
        let second = cells
            .iter()
            .enumerate()
            .filter(|&(i, &n)| !out[i] && n > 0)
            .min_by_key(|&(i, &n)| (n, i))
            .map(|(i, _)| i);
        match second {
            Some(i) => out[i] = true,
            None => total_withheld = true,
        }
    }
    Withheld {
        cells: out,
        total: total_withheld,
    }
}
