//! Reads kept in memory while nothing they show has changed.
//!
//! Colleagues open the same few files and lists all day, and between two
//! openings they rarely changed. Every such read first asks the database for
//! its data generation (`wrapcare_store::generation`, one tiny statement); a
//! copy read under the same generation, on the same day, is what the database
//! still holds, whoever changed what since (this server, another one, the
//! command line), and the read itself is skipped. The need-to-know rule still
//! decides on every request, on the copy's facts, and every read is still
//! logged before it is answered.

use std::hash::Hash;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_store::episode::ListedRow;
use wrapcare_store::family::file::{Contents, Opened};
use wrapcare_store::timeline::Timeline;

/// Copies of one kind of read, at most `capacity` of them; when it is full
/// the least used go first.
pub(crate) struct Cache<K, V> {
    copies: quick_cache::sync::Cache<K, (i64, Arc<V>)>,
}

impl<K: Eq + Hash + Clone, V> Cache<K, V> {
    pub fn new(capacity: usize) -> Cache<K, V> {
        Cache {
            copies: quick_cache::sync::Cache::new(capacity),
        }
    }

    /// The copy for `key` if it was read under `generation`.
    pub fn get(&self, key: &K, generation: i64) -> Option<Arc<V>> {
        match self.copies.get(key) {
            Some((read_under, copy)) if read_under == generation => Some(copy),
            Some(_) => {
                self.copies.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps what was read after `generation` was asked for: the copy is at
    /// least as new as its generation says, never older.
    pub fn put(&self, key: K, generation: i64, copy: Arc<V>) {
        self.copies.insert(key, (generation, copy));
    }
}

/// A read of one family depends on the family, on whose running emergency
/// access it holds, and on the day (members, indications, scores "today").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileKey {
    pub family_id: i64,
    pub asker: Option<i64>,
    pub today: NaiveDate,
}

/// One read of a family: what the rule decides on and what the use case shows.
pub(crate) struct FileCopy<T> {
    pub opened: Opened,
    pub rest: Arc<T>,
}

impl<T> FileCopy<T> {
    /// Time alone ends an emergency access, with no change to count: a copy
    /// holding one is current only while it runs.
    pub fn runs_at(&self, now: DateTime<Utc>) -> bool {
        self.opened
            .emergency
            .as_ref()
            .is_none_or(|e| e.expires_at > now)
    }
}

/// The copies the application keeps.
pub(crate) struct Caches {
    pub files: Cache<FileKey, FileCopy<Contents>>,
    pub timelines: Cache<FileKey, FileCopy<Timeline>>,
    /// A team's waiting list on a day, with each programme's start norm in weeks.
    pub waiting_lists: Cache<(i64, NaiveDate), Vec<(ListedRow, i64)>>,
}

impl Default for Caches {
    fn default() -> Self {
        // A file is a few kilobytes, a timeline with its contact notes some
        // tens, a waiting list a few: together well within the memory budget.
        Caches {
            files: Cache::new(2_000),
            timelines: Cache::new(500),
            waiting_lists: Cache::new(200),
        }
    }
}
