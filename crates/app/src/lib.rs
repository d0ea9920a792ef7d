//! wrapcare's application services: one function per use case.
//!
//! Each takes the acting user, checks what that user may do, runs the domain
//! rules, and stores the result with its access-log entry in one transaction;
//! a read reads without the write lock and answers once its entry, written
//! with others' by the log writer, is committed. Pages, API and CLI call these functions and nothing else, so
//! they cannot differ in what they allow.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_store::{Store, StoreError, Tx};

pub mod access;
pub mod access_log;
pub mod actor;
pub mod admin;
pub mod appointment;
pub mod auth;
mod cache;
pub mod caseload;
pub mod contact;
pub mod cost;
pub mod demo;
pub mod episode;
pub mod error;
pub mod family;
pub mod import;
mod log_writer;
pub mod meeting;
pub mod module;
pub mod plan;
pub mod questionnaire;
pub mod referral;
pub mod report;
pub mod signal;
pub mod timeline;

pub use actor::{Actor, Channel, Seen};
pub use cache::Renditions;
pub use error::AppError;
pub use wrapcare_core as core;
pub use wrapcare_store as store;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Settings an operator may change.
#[derive(Debug, Clone)]
pub struct Config {
    /// Failed logins allowed per account in a minute before it is locked for the rest of it.
    pub login_attempts_per_minute: u32,
    /// Login attempts allowed per client address in a minute, whichever accounts.
    pub login_attempts_per_address_per_minute: u32,
    /// Minutes of inactivity after which a session ends.
    pub session_idle_minutes: i64,
    /// How long the reads of a batch wait for their access-log entries to be
    /// committed before they fail with 503.
    pub access_log_timeout: std::time::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            login_attempts_per_minute: 5,
            login_attempts_per_address_per_minute: 30,
            session_idle_minutes: 30,
            access_log_timeout: std::time::Duration::from_secs(5),
        }
    }
}

/// The application: a store, a clock and settings, shared by every channel.
#[derive(Clone)]
pub struct App {
    pub(crate) store: Store,
    pub(crate) config: Arc<Config>,
    pub(crate) throttle: Arc<auth::Throttle>,
    pub(crate) log_writer: log_writer::LogWriter,
    /// Recent reads of family files (see `cache`).
    pub(crate) caches: Arc<cache::Caches>,
}

impl App {
    pub fn new(store: Store, config: Config) -> App {
        App {
            log_writer: log_writer::LogWriter::new(store.clone(), config.access_log_timeout),
            store,
            config: Arc::new(config),
            throttle: Arc::new(auth::Throttle::default()),
            caches: Arc::new(cache::Caches::default()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Now, in UTC, for timestamps.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Today's date as the users live it: in Europe/Amsterdam.
    pub fn today(&self) -> NaiveDate {
        Utc::now()
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .date_naive()
    }

    pub(crate) async fn write(&self) -> Result<Tx> {
        Ok(self.store.write().await?)
    }

    pub async fn healthy(&self) -> bool {
        self.store.ping().await.is_ok()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale => AppError::Stale,
            StoreError::Busy => AppError::Busy,
            StoreError::Conflict("assignment_overlap") => {
                AppError::Conflict("error-assignment-overlap")
            }
            StoreError::Conflict("open_episode") => AppError::Conflict("error-open-episode"),
            StoreError::Conflict("unique") => AppError::Conflict("error-duplicate"),
            StoreError::Conflict("plan_version_agreed") => AppError::Conflict("error-plan-agreed"),
            StoreError::Conflict("plan_version_exists") => AppError::Stale,
            StoreError::Conflict(_) => AppError::Conflict("error-conflict"),
            other => AppError::Store(other),
        }
    }
}
