//! What a use case can answer besides success. Every variant but `Store` is the
//! user's to fix or to know; `Store` is ours (a 500, logged without personal data).

use wrapcare_core::Invalid;
use wrapcare_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input refused, field by field.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Missing, or not for this user: the two look the same from outside.
    #[error("not found")]
    NotFound,
    /// The user may not do this at all (wrong role), whatever the target.
    #[error("forbidden")]
    Forbidden,
    /// Not logged in, or the session ended.
    #[error("not authenticated")]
    Unauthenticated,
    /// Too many failed logins for this account, or from this address.
    #[error("too many attempts; try again in {seconds} s")]
    Throttled { seconds: u64, account: bool },
    /// A rule of the domain refuses the step; the key explains it to the user.
    #[error("refused: {0}")]
    Conflict(&'static str),
    /// Someone changed the record since it was read.
    #[error("changed by someone else")]
    Stale,
    /// The database is busy; trying again will likely work.
    #[error("busy")]
    Busy,
    /// The access log cannot be written, so nothing of a file is shown.
    #[error("the access log cannot be written")]
    LogUnavailable,
    #[error(transparent)]
    Store(StoreError),
    /// Writing an export failed (ours, like `Store`).
    #[error("export: {0}")]
    Export(#[from] csv::Error),
}

impl AppError {
    /// The message-catalogue key that explains the error to a user.
    pub fn key(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "error-invalid",
            AppError::NotFound => "error-not-found",
            AppError::Forbidden => "error-forbidden",
            AppError::Unauthenticated => "error-unauthenticated",
            AppError::Throttled { account: true, .. } => "error-throttled-account",
            AppError::Throttled { account: false, .. } => "error-throttled-address",
            AppError::Conflict(key) => key,
            AppError::Stale => "error-stale",
            AppError::Busy => "error-busy",
            AppError::LogUnavailable => "error-log-unavailable",
            AppError::Store(_) | AppError::Export(_) => "error-internal",
        }
    }

    pub fn invalid(field: &str, key: &'static str) -> AppError {
        AppError::Invalid(Invalid::one(field, key))
    }
}
