//! Logins, sessions and API tokens.
//!
//! Passwords are argon2id hashes. Session ids and API tokens are 256-bit random
//! secrets; only their SHA-256 is stored, so a copy of the database opens nothing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Duration as Span;
use rand::RngCore;
use sha2::{Digest, Sha256};
use wrapcare_core::role::Role;
use wrapcare_store::{session, user, worker};

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

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
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

/// Counts failed logins per (address, e-mail) over the last minute.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    fn key(address: Option<&str>, email: &str) -> String {
        format!("{}|{}", address.unwrap_or("-"), email.to_lowercase())
    }

    fn too_many(&self, key: &str, limit: u32) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let window = Duration::from_secs(60);
        let entry = map.entry(key.to_string()).or_default();
        entry.retain(|t| t.elapsed() < window);
        entry.len() >= limit as usize
    }

    fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().push(Instant::now());
        // Keep the map from growing without bound under a spray of addresses.
        if map.len() > 10_000 {
            let window = Duration::from_secs(60);
            map.retain(|_, times| times.iter().any(|t| t.elapsed() < window));
        }
    }

    fn clear(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }
}

/// A signed-in browser session: the secret for the cookie and the CSRF token.
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
        let key = Throttle::key(address, email.trim());
        if self
            .throttle
            .too_many(&key, self.config.login_attempts_per_minute)
        {
            return Err(AppError::Throttled);
        }
        let mut tx = self.write().await?;
        let found = user::by_email(&mut tx, email.trim()).await?;
        let verified = match &found {
            Some(u) => verify_password(password, &u.password_hash) && u.active,
            None => {
                // Spend the same time as a real check so timing does not reveal accounts.
                let _ = verify_password(password, DUMMY_HASH);
                false
            }
        };
        let Some(found) = found.filter(|_| verified) else {
            tx.rollback().await?;
            self.throttle.fail(&key);
            return Err(AppError::Unauthenticated);
        };
        self.throttle.clear(&key);
        let secret = random_secret();
        let csrf_token = random_secret();
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

    /// The user behind a session cookie, if the session is alive; refreshes its idle timer.
    pub async fn session(&self, secret: &str, address: Option<&str>) -> Result<(Actor, String)> {
        let id_hash = sha256_hex(secret);
        let mut tx = self.write().await?;
        let Some(found) = session::get(&mut tx, &id_hash).await? else {
            tx.rollback().await?;
            return Err(AppError::Unauthenticated);
        };
        let now = self.now();
        if now - found.last_seen_at > Span::minutes(self.config.session_idle_minutes) {
            session::delete(&mut tx, &id_hash).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        }
        let account = user::get(&mut tx, found.user_id).await?;
        let Some(account) = account.filter(|u| u.active) else {
            session::delete(&mut tx, &id_hash).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated);
        };
        // Write the idle timer at most once a minute: most requests then only read.
        if now - found.last_seen_at > Span::seconds(60) {
            session::touch(&mut tx, &id_hash, now).await?;
        }
        let actor = self
            .actor_for(&mut tx, account, Channel::Page, address)
            .await?;
        tx.commit().await?;
        Ok((actor, found.csrf_token))
    }

    pub async fn logout(&self, secret: &str) -> Result<()> {
        let mut tx = self.write().await?;
        session::delete(&mut tx, &sha256_hex(secret)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user behind a bearer token.
    pub async fn token_actor(&self, token: &str, address: Option<&str>) -> Result<Actor> {
        let mut tx = self.write().await?;
        let user_id = session::user_of_token(&mut tx, &sha256_hex(token), self.now()).await?;
        let account = match user_id {
            Some(id) => user::get(&mut tx, id).await?,
            None => None,
        };
        let Some(account) = account.filter(|u| u.active) else {
            tx.rollback().await?;
            return Err(AppError::Unauthenticated);
        };
        let actor = self
            .actor_for(&mut tx, account, Channel::Api, address)
            .await?;
        tx.commit().await?;
        Ok(actor)
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

    async fn actor_for(
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
        Ok(Actor {
            user_id: account.id,
            name: account.name,
            email: account.email,
            role: account.role,
            team_id: account.team_id,
            worker_id,
            channel,
            address: address.map(str::to_string),
        })
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
    fn throttle_counts_per_key() {
        let t = Throttle::default();
        let key = Throttle::key(Some("127.0.0.1"), "A@x.nl");
        for _ in 0..3 {
            assert!(!t.too_many(&key, 3));
            t.fail(&key);
        }
        assert!(t.too_many(&key, 3));
        assert!(!t.too_many(&Throttle::key(Some("127.0.0.1"), "b@x.nl"), 3));
        t.clear(&key);
        assert!(!t.too_many(&key, 3));
    }
}
