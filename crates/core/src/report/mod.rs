//! Reports: figures over many families for the team, the municipality and
//! researchers. Periods of a chosen grain, the grain at which a small team's
//! figures can be read, and small numbers withheld so that nobody can pick
//! out a family, not even by subtracting one figure from another.

pub mod period;
pub mod selection;
pub mod suppression;
pub mod waiting;

pub use period::{Grain, Period, periods, readable_grain};
pub use selection::{Audience, Filter, Key};
pub use suppression::{THRESHOLD, Withheld, part_shown, shown, withheld};

#[cfg(test)]
mod tests;
