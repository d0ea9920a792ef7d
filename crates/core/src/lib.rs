//! wrapcare's domain: the rules and calculations of Wraparound Care, free of I/O.
//!
//! Every business rule lives here so that pages, API and CLI cannot differ. The
//! store persists what these types describe; the application layer calls these
//! rules inside a transaction and records the outcome.

pub mod access;
pub mod access_log;
pub mod appointment;
pub mod bsn;
pub mod caseload;
pub mod contact;
pub mod dates;
pub mod episode;
pub mod family;
pub mod indication;
pub mod meeting;
pub mod module;
pub mod plan;
pub mod programme;
pub mod questionnaire;
pub mod referral;
pub mod report;
pub mod role;
pub mod signal;
pub mod timeline;
pub mod validation;
pub mod waiting;

pub use validation::{FieldError, Invalid};
