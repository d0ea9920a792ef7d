//! Reads kept in memory while nothing they show has changed.
//!
//! Colleagues open the same few files and lists all day, and between two
//! openings they rarely changed. Every such read first learns the data
//! generation (`wrapcare_store::generation`): read with the session or token
//! of the request if this process has written nothing since, else with a
//! tiny statement of its own. A
//! copy read under the same generation, on the same day, is what the database
//! still holds, whoever changed what since (this server, another one, the
//! command line), and the read itself is skipped. The need-to-know rule still
//! decides on every request, on the copy's facts, and every read is still
//! logged before it is answered.

use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use wrapcare_store::episode::ListedRow;
use wrapcare_store::family::file::{Contents, Opened};
use wrapcare_store::generation;
use wrapcare_store::timeline::Timeline;

use crate::timeline::TimelineEntry;

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

impl crate::App {
    /// The data generation a kept read of this request checks against: the
    /// one the actor's session lookup read, unless this process has begun a
    /// write since (the request's own change, say), then a fresh one.
    pub(crate) async fn generation(&self, actor: &crate::Actor) -> crate::Result<i64> {
        match actor.seen {
            Some(seen) if seen.writes_begun == self.store.writes_begun() => Ok(seen.generation),
            _ => {
                let mut tx = self.store.single_read().await?;
                let n = generation::current(&mut tx).await?;
                tx.commit().await?;
                Ok(n)
            }
        }
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

/// A kept timeline read with the timelines built from it, one for each set
/// of episodes a viewer may see in full: few (the coordinator's, the team's),
/// and building and sorting hundreds of events costs more than serving them.
pub(crate) struct KeptTimeline {
    pub read: Timeline,
    built: Mutex<Vec<Built>>,
}

/// A timeline built for the episodes a viewer sees in full (their ids).
type Built = (Vec<i64>, Arc<[TimelineEntry]>);

/// Built timelines one read keeps at most.
const BUILT_PER_READ: usize = 8;

impl KeptTimeline {
    pub fn new(read: Timeline) -> KeptTimeline {
        KeptTimeline {
            read,
            built: Mutex::new(Vec::new()),
        }
    }

    /// The timeline of `episodes` (ids in the order the file gives them),
    /// built once per read.
    pub fn built_for(
        &self,
        episodes: &[i64],
        build: impl FnOnce() -> Vec<TimelineEntry>,
    ) -> Arc<[TimelineEntry]> {
        // A panic elsewhere while holding it leaves the list as it was: usable.
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, entries)) = built.iter().find(|(ids, _)| ids == episodes) {
            return Arc::clone(entries);
        }
        let entries: Arc<[TimelineEntry]> = build().into();
        if built.len() == BUILT_PER_READ {
            built.remove(0);
        }
        built.push((episodes.to_vec(), Arc::clone(&entries)));
        entries
    }
}

/// The copies the application keeps.
pub(crate) struct Caches {
    pub files: Cache<FileKey, FileCopy<Contents>>,
    pub timelines: Cache<FileKey, FileCopy<KeptTimeline>>,
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
