//! Questionnaires: instruments defined as data, the answers families and
//! coordinators give, the scores those make, and when each is due.
//!
//! What the programme is judged on (self-sufficiency regained, the family's
//! appreciation, fidelity to the Wraparound principles) is measured inside
//! the case work with these instruments.

pub mod definition;
pub mod link;
pub mod results;
pub mod schedule;
pub mod scoring;

pub use definition::{
    Catalogue, DefinitionError, Instrument, Item, ItemKind, Place, Problem, Respondent, Scale,
    Scoring, Subscale, Text, shipped,
};
pub use schedule::{Due, EpisodeDates, Occasion, Planned, Taken, When};
pub use scoring::{Answer, Answers, Score};

#[cfg(test)]
mod tests;
