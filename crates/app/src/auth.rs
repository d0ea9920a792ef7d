//! Logins, sessions and API tokens.
//!
//! Passwords are argon2id hashes. Session ids and API tokens are 256-bit random
//! secrets; only their SHA-256 is stored, so a copy of the database opens nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use chrono::Duration as Span;
use rand::RngCore;
use sha2::{Digest, Sha256};
use wrapcare_core::role::Role;
use wrapcare_store::{session, user, worker};

use crate::actor::Seen;
use crate::{Actor, App, AppError, Channel, Result};

/// Shortest password we accept for a login.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn hash_password(password: &str) -> Result<String> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|_| AppError::Conflict("error-internal"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::Conflict("error-internal"))
}

/// Hashes on one of the password threads, so a login burst neither stalls the
/// async workers nor grows memory: each argon2id hash needs 19 MiB, and the
/// allocator keeps what a thread used, so a few long-lived threads do all of it.
pub async fn hash_password_blocking(password: String) -> Result<String> {
    on_password_thread(move || hash_password(&password)).await?
}

/// Checks a password on one of the password threads.
pub async fn verify_password_blocking(password: String, hash: String) -> Result<bool> {
    on_password_thread(move || verify_password(&password, &hash)).await
}

type PasswordJob = Box<dyn FnOnce() + Send>;

/// The queue of the password threads: as many as the machine has cores, started on first use.
fn password_threads() -> &'static std::sync::mpsc::SyncSender<PasswordJob> {
    static QUEUE: std::sync::OnceLock<std::sync::mpsc::SyncSender<PasswordJob>> =
        std::sync::OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<PasswordJob>(1024);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..threads {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        tx
    })
}

async fn on_password_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    let job: PasswordJob = Box::new(move || {
        let _ = done.send(work());
    });
    // The queue is bounded: a full one is waited on by a blocking thread, not a worker.
    match password_threads().try_send(job) {
        Ok(()) => {}
        Err(std::sync::mpsc::TrySendError::Full(job)) => {
            let queue = password_threads().clone();
            tokio::task::spawn_blocking(move || queue.send(job))
                .await
                .map_err(|_| AppError::Conflict("error-internal"))?
                .map_err(|_| AppError::Conflict("error-internal"))?;
        }
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
            return Err(AppError::Conflict("error-internal"));
        }
    }
    result
        .await
        .map_err(|_| AppError::Conflict("error-internal"))
}

/// Checks a password against its stored argon2 hash. The 19 MiB of working
/// memory is the thread's own and used again for the next check: allocating
/// it anew for every login makes the allocator keep hundreds of megabytes.
pub fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm),
    ) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let hashed = WORK_MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            &mut memory[..blocks],
        )
    });
    // `Output` compares in constant time.
    hashed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

thread_local! {
    /// Each password thread's argon2 working memory, kept between checks.
    static WORK_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A fresh random secret, hex-encoded (64 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// A password that is easy to read out once: groups of letters and digits.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn sha256_hex(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Failed logins over the last minute, per account and per address. Checking
/// and counting are one step under one lock: an attempt takes its place before
/// the password is checked, so a parallel burst cannot slip past the limit.
#[derive(Default)]
pub struct Throttle {
    state: Mutex<ThrottleState>,
}

#[derive(Default)]
struct ThrottleState {
    accounts: HashMap<String, Vec<Instant>>,
    addresses: HashMap<String, Vec<Instant>>,
}

/// Why a login may not be tried now, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    /// This account had too many failed attempts.
    Account { seconds: u64 },
    /// This address tried too many times, whichever accounts.
    Address { seconds: u64 },
}

/// A login attempt counted against both limits until it succeeds.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    address: String,
    at: Instant,
}

const WINDOW: Duration = Duration::from_secs(60);

/// Seconds until the oldest of `times` leaves the window (at least one).
fn wait_for(times: &[Instant], now: Instant) -> u64 {
    times
        .iter()
        .min()
        .map(|oldest| WINDOW.saturating_sub(now.duration_since(*oldest)).as_secs() + 1)
        .unwrap_or(1)
}

impl Throttle {
    /// Counts an attempt for the account and the address, or says how long they are locked.
    pub fn begin(
        &self,
        address: Option<&str>,
        email: &str,
        per_account: u32,
        per_address: u32,
    ) -> std::result::Result<Attempt, Locked> {
        let now = Instant::now();
        let account = email.trim().to_lowercase();
        let address = address.unwrap_or("-").to_string();
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ThrottleState {
            accounts,
            addresses,
        } = &mut *state;
        // Keep the maps from growing without bound under a spray of names.
        if accounts.len() + addresses.len() > 20_000 {
            accounts.retain(|_, t| t.iter().any(|at| now.duration_since(*at) < WINDOW));
            addresses.retain(|_, t| t.iter().any(|at| now.duration_since(*at) < WINDOW));
        }
        let by_account = accounts.entry(account.clone()).or_default();
        by_account.retain(|at| now.duration_since(*at) < WINDOW);
        let by_address = addresses.entry(address.clone()).or_default();
        by_address.retain(|at| now.duration_since(*at) < WINDOW);
        if by_account.len() >= per_account as usize {
            return Err(Locked::Account {
                seconds: wait_for(by_account, now),
            });
        }
        if by_address.len() >= per_address as usize {
            return Err(Locked::Address {
                seconds: wait_for(by_address, now),
            });
        }
        by_account.push(now);
        by_address.push(now);
        Ok(Attempt {
            account,
            address,
            at: now,
        })
    }

    /// A successful login: the account's failures are forgotten, and this
    /// attempt no longer counts against the address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.accounts.remove(&attempt.account);
        if let Some(times) = state.addresses.get_mut(&attempt.address)
            && let Some(i) = times.iter().position(|t| *t == attempt.at)
        {
            times.remove(i);
        }
    }
}

/// A signed-in browser session: the secret for the cookie and the CSRF token.
/// How often a session's idle timer or a token's last use is written at most.
const TOUCH_EVERY: Span = Span::seconds(60);

#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub csrf_token: String,
    pub actor: Actor,
}

impl App {
    /// Checks e-mail and password and opens a session. Failed attempts are
    /// throttled per address and e-mail; the answer never tells which was wrong.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
    ) -> Result<NewSession> {
        let attempt = self
            .throttle
            .begin(
                address,
                email,
                self.config.login_attempts_per_minute,
                self.config.login_attempts_per_address_per_minute,
            )
            .map_err(|locked| match locked {
                Locked::Account { seconds } => AppError::Throttled {
                    seconds,
                    account: true,
                },
                Locked::Address { seconds } => AppError::Throttled {
                    seconds,
                    account: false,
                },
            })?;
        // The account is read and the password checked outside any transaction,
        // the hash on a blocking thread: neither holds the database's write lock.
        let mut tx = self.store.read_only().await?;
        let found = user::by_email(&mut tx, email.trim()).await?;
        tx.commit().await?;
        let stored_hash = found
            .as_ref()
            .map(|u| u.password_hash.clone())
            // Spend the same time as a real check so timing does not reveal accounts.
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let verified = verify_password_blocking(password.to_string(), stored_hash).await?;
        let Some(found) = found.filter(|u| verified && u.active) else {
            return Err(AppError::Unauthenticated);
        };
        self.throttle.succeeded(attempt);
        let secret = random_secret();
        let csrf_token = random_secret();
        let mut tx = self.write().await?;
        session::insert(
            &mut tx,
            &sha256_hex(&secret),
            found.id,
            &csrf_token,
            self.now(),
        )
        .await?;
        let actor = self
            .actor_for(&mut tx, found, Channel::Page, address)
            .await?;
        tx.commit().await?;
        Ok(NewSession {
            secret,
            csrf_token,
            actor,
        })
    }

    /// The user behind a session cookie, if the session is alive; refreshes its
    /// idle timer. Most requests only read: the timer is written at most once
    /// a minute, and an ended session is removed when it is found.
    pub async fn session(&self, secret: &str, address: Option<&str>) -> Result<(Actor, String)> {
        let id_hash = sha256_hex(secret);
        let now = self.now();
        let writes_begun = self.store.writes_begun();
        let mut tx = self.store.single_read().await?;
        let found = user::by_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        let Some(found) = found else {
            return Err(AppError::Unauthenticated);
        };
        let last_seen = found.last_used_at.unwrap_or(now);
        let idle = now - last_seen > Span::minutes(self.config.session_idle_minutes);
        if idle || !found.user.active {
            let mut tx = self.write().await?;
            session::delete(&mut tx, &id_hash).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        if now - last_seen > TOUCH_EVERY {
            let mut tx = self.write().await?;
            session::touch(&mut tx, &id_hash, now).await?;
            tx.commit().await?;
        }
        let csrf = found.csrf_token.clone().unwrap_or_default();
        let seen = Seen {
            generation: found.generation,
            writes_begun,
        };
        let actor = actor_of(found.user, found.worker_id, Channel::Page, address);
        Ok((actor.having_seen(seen), csrf))
    }

    pub async fn logout(&self, secret: &str) -> Result<()> {
        let mut tx = self.write().await?;
        session::delete(&mut tx, &sha256_hex(secret)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user behind a bearer token; its last use is written at most once a minute.
    pub async fn token_actor(&self, token: &str, address: Option<&str>) -> Result<Actor> {
        let token_hash = sha256_hex(token);
        let now = self.now();
        let writes_begun = self.store.writes_begun();
        let mut tx = self.store.single_read().await?;
        let found = user::by_token(&mut tx, &token_hash).await?;
        tx.commit().await?;
        let Some(found) = found.filter(|f| f.user.active) else {
            return Err(AppError::Unauthenticated);
        };
        if found.last_used_at.is_none_or(|at| now - at > TOUCH_EVERY) {
            let mut tx = self.write().await?;
            session::touch_token(&mut tx, &token_hash, now).await?;
            tx.commit().await?;
        }
        let seen = Seen {
            generation: found.generation,
            writes_begun,
        };
        Ok(actor_of(found.user, found.worker_id, Channel::Api, address).having_seen(seen))
    }

    /// The acting user for the command line, by e-mail.
    pub async fn cli_actor(&self, email: &str) -> Result<Actor> {
        let mut tx = self.write().await?;
        let account = user::by_email(&mut tx, email).await?;
        let Some(account) = account.filter(|u| u.active) else {
            tx.rollback().await?;
            return Err(AppError::NotFound);
        };
        let actor = self.actor_for(&mut tx, account, Channel::Cli, None).await?;
        tx.commit().await?;
        Ok(actor)
    }

    /// Creates a personal API token for a user; the token is returned once.
    pub async fn create_token(&self, email: &str) -> Result<String> {
        let mut tx = self.write().await?;
        let Some(account) = user::by_email(&mut tx, email).await?.filter(|u| u.active) else {
            tx.rollback().await?;
            return Err(AppError::NotFound);
        };
        let token = format!("wct_{}", random_secret());
        session::insert_token(&mut tx, account.id, &sha256_hex(&token), self.now()).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub(crate) async fn actor_for(
        &self,
        tx: &mut wrapcare_store::Tx,
        account: user::User,
        channel: Channel,
        address: Option<&str>,
    ) -> Result<Actor> {
        let worker_id = if matches!(account.role, Role::Coordinator | Role::Supervisor) {
            worker::by_user(tx, account.id).await?.map(|w| w.id)
        } else {
            None
        };
        Ok(actor_of(account, worker_id, channel, address))
    }
}

/// The acting user as use cases see them. Only coordinators and supervisors
/// act through their worker record.
fn actor_of(
    account: user::User,
    worker_id: Option<i64>,
    channel: Channel,
    address: Option<&str>,
) -> Actor {
    let worker_id =
        worker_id.filter(|_| matches!(account.role, Role::Coordinator | Role::Supervisor));
    Actor {
        user_id: account.id,
        name: account.name,
        email: account.email,
        role: account.role,
        team_id: account.team_id,
        worker_id,
        channel,
        address: address.map(str::to_string),
        seen: None,
    }
}

// An argon2id hash of a random string, checked against when the account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4tG3fM0cOaDQGm0G8kR4S1dA2tqk3Uq4GkQbH9H4x1M";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("x", "not a hash"));
        // Hashes made with other parameters (older installations) still check.
        let other = Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(4096, 3, 1, Some(32)).expect("params"),
        );
        let salt = SaltString::encode_b64(b"sixteen byte salt").expect("salt");
        let older = other
            .hash_password(b"another secret phrase", &salt)
            .expect("hash")
            .to_string();
        assert!(verify_password("another secret phrase", &older));
        assert!(!verify_password("another secret phrase.", &older));
        // The stand-in for a missing account is a real hash: it costs a real check.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret());
        assert_eq!(sha256_hex("abc").len(), 64);
        assert_eq!(random_password().len(), 23);
    }

    #[test]
    fn throttle_limits_each_account_and_each_address() {
        let t = Throttle::default();
        for _ in 0..3 {
            t.begin(Some("10.0.0.1"), "A@x.nl", 3, 5)
                .expect("within limit");
        }
        // The account is locked from any address, and says for how long.
        match t.begin(Some("10.0.0.2"), "a@x.nl ", 3, 5) {
            Err(Locked::Account { seconds }) => assert!((1..=61).contains(&seconds)),
            other => panic!("expected a locked account, got {other:?}"),
        }
        // One address cannot try many accounts.
        t.begin(Some("10.0.0.1"), "b@x.nl", 3, 5).expect("fourth");
        t.begin(Some("10.0.0.1"), "c@x.nl", 3, 5).expect("fifth");
        assert!(matches!(
            t.begin(Some("10.0.0.1"), "d@x.nl", 3, 5),
            Err(Locked::Address { .. })
        ));
        assert!(t.begin(Some("10.0.0.3"), "d@x.nl", 3, 5).is_ok());
    }

    #[test]
    fn a_success_frees_the_account_and_its_place() {
        let t = Throttle::default();
        for _ in 0..2 {
            t.begin(None, "a@x.nl", 3, 3).expect("attempt");
        }
        let good = t.begin(None, "a@x.nl", 3, 3).expect("third");
        t.succeeded(good);
        assert!(t.begin(None, "a@x.nl", 3, 3).is_ok());
    }

    #[test]
    fn a_parallel_burst_gets_no_more_than_the_limit() {
        let t = std::sync::Arc::new(Throttle::default());
        let handles: Vec<_> = (0..32)
            .map(|_| {
                let t = t.clone();
                std::thread::spawn(move || t.begin(Some("10.0.0.9"), "x@x.nl", 5, 100).is_ok())
            })
            .collect();
        let passed = handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .filter(|ok| *ok)
            .count();
        assert_eq!(passed, 5);
    }
}
