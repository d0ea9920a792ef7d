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

use wrapcare_store::signal::Scope;

use crate::appointment::DayRead;
use crate::meeting::MeetingsView;
use crate::signal::KeptSignals;
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

impl crate::App {
    /// The copy of `key` in `cache` if nothing changed since it was read,
    /// else what `read` reads now, kept for the next request. The generation
    /// is asked for before `read` runs: the copy is never older than its tag.
    pub(crate) async fn kept<K, V>(
        &self,
        actor: &crate::Actor,
        cache: &Cache<K, V>,
        key: K,
        read: impl std::future::Future<Output = crate::Result<V>>,
    ) -> crate::Result<Arc<V>>
    where
        K: Eq + Hash + Clone,
    {
        let generation = self.generation(actor).await?;
        if let Some(copy) = cache.get(&key, generation) {
            return Ok(copy);
        }
        let copy = Arc::new(read.await?);
        cache.put(key, generation, Arc::clone(&copy));
        Ok(copy)
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

/// A kept timeline read with the timeline built from it: building and
/// sorting hundreds of events costs more than serving them. A copy is kept
/// per viewer ([`FileKey::asker`]: every role that reads files may break the
/// glass), so one set of episodes is seen in full;
/// the build is still tied to that set, so that a copy shared by viewers
/// could never hand one viewer's episodes to another.
pub(crate) struct KeptTimeline {
    pub read: Timeline,
    built: Mutex<Vec<Built>>,
}

/// A timeline built for the episodes a viewer sees in full (their ids),
/// with the pages made of it.
type Built = (Vec<i64>, Arc<[TimelineEntry]>, Arc<Renditions>);

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
    /// built once per read, and the place to keep what is rendered of it.
    pub fn built_for(
        &self,
        episodes: &[i64],
        build: impl FnOnce() -> Vec<TimelineEntry>,
    ) -> (Arc<[TimelineEntry]>, Arc<Renditions>) {
        // A panic elsewhere while holding it leaves the list as it was: usable.
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, entries, renditions)) = built.iter().find(|(ids, ..)| ids == episodes) {
            return (Arc::clone(entries), Arc::clone(renditions));
        }
        let entries: Arc<[TimelineEntry]> = build().into();
        let renditions = Arc::new(Renditions::default());
        if built.len() == BUILT_PER_READ {
            built.remove(0);
        }
        built.push((
            episodes.to_vec(),
            Arc::clone(&entries),
            Arc::clone(&renditions),
        ));
        (entries, renditions)
    }
}

/// What a page made of a view built from a kept read (its HTML, by
/// variant: language, filter, page), kept with that read: it is as current
/// as the read, so it goes when the read does. Only for what depends on the
/// view and the variant alone, nothing of a session.
#[derive(Default)]
pub struct Renditions {
    kept: Mutex<Vec<(String, Arc<str>)>>,
}

/// Renditions kept of one view at most; the oldest go first.
const RENDITIONS: usize = 4;

impl Renditions {
    /// The rendition of `variant`, rendered now if it was not kept.
    pub fn get_or_render(&self, variant: &str, render: impl FnOnce() -> String) -> Arc<str> {
        if let Some(html) = self.find(variant) {
            return html;
        }
        // Rendered without the lock: a slow page holds up no other.
        let html: Arc<str> = render().into();
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if !kept.iter().any(|(v, _)| v == variant) {
            if kept.len() == RENDITIONS {
                kept.remove(0);
            }
            kept.push((variant.to_string(), Arc::clone(&html)));
        }
        html
    }

    fn find(&self, variant: &str) -> Option<Arc<str>> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.iter()
            .find(|(v, _)| v == variant)
            .map(|(_, html)| Arc::clone(html))
    }
}

impl std::fmt::Debug for Renditions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renditions")
    }
}

/// A kept read of a family file, and what pages rendered of it.
pub(crate) struct KeptFile {
    pub contents: Contents,
    pub renditions: Arc<Renditions>,
}

/// The copies the application keeps.
pub(crate) struct Caches {
    pub files: Cache<FileKey, FileCopy<KeptFile>>,
    pub timelines: Cache<FileKey, FileCopy<KeptTimeline>>,
    /// A team's waiting list on a day, with each programme's start norm in weeks.
    pub waiting_lists: Cache<(i64, NaiveDate), Vec<(ListedRow, i64)>>,
    /// The signals of a team or a coordinator on a day.
    pub signals: Cache<(Scope, NaiveDate), KeptSignals>,
    /// What a coordinator's day reads, on a day (worker id).
    pub days: Cache<(i64, NaiveDate), DayRead>,
    /// A team's meetings page on a day, the proposed agenda with it.
    pub meeting_lists: Cache<(i64, NaiveDate), MeetingsView>,
}

impl Default for Caches {
    fn default() -> Self {
        // A file is a few kilobytes, a timeline with its contact notes some
        // tens, a waiting list a few: together well within the memory budget.
        Caches {
            files: Cache::new(2_000),
            timelines: Cache::new(500),
            waiting_lists: Cache::new(200),
            // A scope's signals are a few hundred small rows; a day and a
            // meetings page some tens of kilobytes.
            signals: Cache::new(500),
            days: Cache::new(1_000),
            meeting_lists: Cache::new(200),
        }
    }
}
