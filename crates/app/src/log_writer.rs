//! One writer for the access-log entries of reads. A read use case reads in a
//! read-only transaction, hands its entry to the writer and answers only once
//! the writer says the entry is committed. The writer commits whatever entries
//! have queued up while it wrote the last batch in one transaction (group
//! commit), so fifty colleagues opening files cost a handful of commits, not
//! fifty, and no read ever holds SQLite's write lock. Changes keep writing
//! their entry in their own transaction, with the change.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};
use wrapcare_store::{Store, access_log};

/// Entries committed together at most.
const MAX_BATCH: usize = 512;

/// Requests waiting for the writer at most; beyond it a read waits to queue.
const QUEUE: usize = 4096;

/// An entry as it travels to the writer.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub role: String,
    pub channel: String,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub referral_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub address: Option<String>,
    pub emergency_access_id: Option<i64>,
    pub detail: Option<String>,
}

impl Pending {
    pub fn of(e: &access_log::Entry<'_>) -> Pending {
        Pending {
            at: e.at,
            user_id: e.user_id,
            role: e.role.to_string(),
            channel: e.channel.to_string(),
            family_id: e.family_id,
            episode_id: e.episode_id,
            referral_id: e.referral_id,
            action: e.action.to_string(),
            outcome: e.outcome.to_string(),
            address: e.address.map(str::to_string),
            emergency_access_id: e.emergency_access_id,
            detail: e.detail.map(str::to_string),
        }
    }

    fn entry(&self) -> access_log::Entry<'_> {
        access_log::Entry {
            at: self.at,
            user_id: self.user_id,
            role: &self.role,
            channel: &self.channel,
            family_id: self.family_id,
            episode_id: self.episode_id,
            referral_id: self.referral_id,
            action: &self.action,
            outcome: &self.outcome,
            address: self.address.as_deref(),
            emergency_access_id: self.emergency_access_id,
            detail: self.detail.as_deref(),
        }
    }
}

/// Why an entry could not be written (the database error stays in the server's log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the access log cannot be written")]
pub struct Unwritten;

struct Job {
    entry: Pending,
    done: oneshot::Sender<Result<(), Unwritten>>,
}

/// The handle use cases send entries through; the task starts with the first.
#[derive(Clone)]
pub(crate) struct LogWriter {
    store: Store,
    /// How long a batch may wait for the database before the reads in it fail.
    timeout: Duration,
    queue: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl LogWriter {
    pub fn new(store: Store, timeout: Duration) -> LogWriter {
        LogWriter {
            store,
            timeout,
            queue: Arc::new(OnceLock::new()),
        }
    }

    /// Writes the entry with others and returns once it is committed.
    pub async fn write(&self, entry: Pending) -> Result<(), Unwritten> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(run(self.store.clone(), self.timeout, rx));
            tx
        });
        let (done, written) = oneshot::channel();
        queue
            .send(Job { entry, done })
            .await
            .map_err(|_| Unwritten)?;
        written.await.map_err(|_| Unwritten)?
    }
}

/// Takes what has queued up, writes it in one transaction, answers everyone
/// in it; a batch that fails fails its reads, and the next batch tries afresh.
async fn run(store: Store, timeout: Duration, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let result = match tokio::time::timeout(timeout, commit(&store, &batch)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                tracing::error!(
                    error = e.without_personal_data(),
                    entries = batch.len(),
                    "access log batch not written"
                );
                Err(Unwritten)
            }
            Err(_) => {
                tracing::error!(entries = batch.len(), "access log batch timed out");
                Err(Unwritten)
            }
        };
        for job in batch {
            let _ = job.done.send(result);
        }
    }
}

async fn commit(store: &Store, batch: &[Job]) -> wrapcare_store::Result<()> {
    let entries: Vec<access_log::Entry<'_>> = batch.iter().map(|j| j.entry.entry()).collect();
    let mut tx = store.write_uncounted().await?;
    access_log::append(&mut tx, &entries).await?;
    tx.commit().await
}
