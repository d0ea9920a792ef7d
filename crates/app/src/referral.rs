//! Use cases around referrals: submit, look up, screen (accept or decline).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use wrapcare_core::family::{
    Birth, MemberRole, household_surname, is_probable_match, is_same_household_member,
};
use wrapcare_core::referral::{
    IntakeStatus, MAX_TEXT, Member, ReferralInput, ReferralSource, ReferralStatus, Urgency,
};
use wrapcare_core::role::Role;
use wrapcare_core::validation::Invalid;
use wrapcare_store::{Tx, episode, family, programme, referral, team};

use crate::access_log::{Outcome, Target};
use crate::{Actor, App, AppError, Result};

/// A referral as its viewer may see it. Intake sees only the status part;
/// supervisors of the programme see the whole intake record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: i64,
    pub programme_id: i64,
    pub programme_name: String,
    pub received_on: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    /// The household's surname as submitted.
    pub surname: String,
    pub urgency: Urgency,
    pub status: IntakeStatus,
    pub decline_reason: Option<String>,
    /// Present for supervisors only.
    pub detail: Option<ReferralDetail>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralDetail {
    pub source: ReferralSource,
    pub referrer_name: String,
    pub referrer_contact: String,
    pub reason: String,
    pub home_language: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub members: Vec<SubmittedMember>,
    /// The indication date (earliest of the children) or the registration date.
    pub reference_date: NaiveDate,
    pub family_id: Option<i64>,
    pub episode_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmittedMember {
    pub given_name: String,
    pub family_name: String,
    pub role: MemberRole,
    pub parental_authority: bool,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    /// The citizen service number, masked.
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub indications: Vec<IndicationView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicationView {
    pub number: String,
    pub product: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: String,
}

impl SubmittedMember {
    fn of(m: &Member) -> SubmittedMember {
        SubmittedMember {
            given_name: m.given_name.clone(),
            family_name: m.family_name.clone(),
            role: m.role,
            parental_authority: m.parental_authority,
            birth_date: match m.birth {
                Some(Birth::Born(d)) => Some(d),
                _ => None,
            },
            expected_birth_date: match m.birth {
                Some(Birth::Expected(d)) => Some(d),
                _ => None,
            },
            bsn: m.bsn.as_deref().map(wrapcare_core::bsn::mask),
            phone: m.phone.clone(),
            indications: m
                .indications
                .iter()
                .map(|i| IndicationView {
                    number: i.number.clone(),
                    product: i.product.clone(),
                    starts_on: i.starts_on,
                    ends_on: i.ends_on,
                    issuer: i.issuer.clone(),
                })
                .collect(),
        }
    }
}

fn surname_of(r: &referral::Referral) -> String {
    household_surname(r.members.iter().map(|m| (m.role, m.family_name.as_str())))
}

fn view(r: &referral::Referral, with_detail: bool) -> ReferralView {
    ReferralView {
        id: r.id,
        programme_id: r.programme_id,
        programme_name: r.programme_name.clone(),
        received_on: r.received_on,
        submitted_at: r.submitted_at,
        surname: surname_of(r),
        urgency: r.urgency,
        status: IntakeStatus::of(r.status, r.episode_state),
        decline_reason: r.decline_reason.clone(),
        detail: with_detail.then(|| ReferralDetail {
            source: r.source,
            referrer_name: r.referrer_name.clone(),
            referrer_contact: r.referrer_contact.clone(),
            reason: r.reason.clone(),
            home_language: r.home_language.clone(),
            address: r.address.clone(),
            postcode: r.postcode.clone(),
            city: r.city.clone(),
            phone: r.phone.clone(),
            members: r.members.iter().map(SubmittedMember::of).collect(),
            reference_date: r.reference_date,
            family_id: r.family_id,
            episode_id: r.episode_id,
        }),
        version: r.version,
    }
}

/// The result of a submission: the referral, and whether this call created it
/// (a repeated Idempotency-Key returns the first one).
#[derive(Debug, Clone)]
pub struct Submitted {
    pub referral: ReferralView,
    pub created: bool,
}

/// Existing families that share a person with a referral.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyMatch {
    pub family_id: i64,
    /// The referral's persons (as the referral names them) who are known.
    pub matching_persons: Vec<String>,
    /// At least one of them matched by citizen service number (else by name and birth date).
    pub by_bsn: bool,
    /// Episodes the family had before, in any team.
    pub earlier_episodes: usize,
    /// When the latest of them ended.
    pub last_closed_on: Option<NaiveDate>,
    /// The family is in care or waiting now; it cannot be linked until that ends.
    pub has_open_episode: bool,
    /// The referral gives another address than the family's; linking may take it over.
    pub address_differs: bool,
    /// The referral gives another phone number than the family's.
    pub phone_differs: bool,
}

/// A contact detail as given: trimmed, and `None` when empty.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// How to accept: onto the supervisor's team, linked to an existing family or a new one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptInput {
    /// Link to this existing family (one of the proposed matches); omit to create a new family.
    #[serde(default)]
    pub family_id: Option<i64>,
    /// The version of the referral as read; a stale one is refused.
    #[serde(default)]
    pub version: Option<i64>,
    /// When linking: take over the referral's address for the family.
    #[serde(default)]
    pub update_address: bool,
    /// When linking: take over the referral's phone number for the family.
    #[serde(default)]
    pub update_phone: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DeclineInput {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Accepted {
    pub referral_id: i64,
    pub family_id: i64,
    pub episode_id: i64,
}

/// Longest Idempotency-Key we keep.
const MAX_IDEMPOTENCY_KEY: usize = 200;

impl App {
    /// Intake (or a supervisor) submits a referral. Nothing is stored unless all
    /// of it is valid; a repeated Idempotency-Key returns the first referral.
    pub async fn submit_referral(
        &self,
        actor: &Actor,
        input: &ReferralInput,
        idempotency_key: Option<&str>,
    ) -> Result<Submitted> {
        self.require(
            actor,
            &[Role::Intake, Role::Supervisor],
            "referral.submit_referral",
        )
        .await?;
        let key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
        if key.is_some_and(|k| k.len() > MAX_IDEMPOTENCY_KEY) {
            return Err(AppError::invalid("Idempotency-Key", "error-too-long"));
        }
        let mut tx = self.write().await?;
        if let Some(key) = key
            && let Some(existing) =
                referral::by_idempotency_key(&mut tx, actor.user_id, key).await?
        {
            self.log(
                &mut tx,
                actor,
                Target::referral(existing.id),
                "referral.submit.repeat",
                Outcome::Allowed,
            )
            .await?;
            tx.commit().await?;
            return Ok(Submitted {
                referral: view(&existing, false),
                created: false,
            });
        }
        let today = self.today();
        let validated = input.validate(today);
        let mut errors = match &validated {
            Ok(_) => Invalid::new(),
            Err(e) => e.clone(),
        };
        // The programme must exist and run on the received date.
        if let Ok(id) = input.programme_id.trim().parse::<i64>() {
            match programme::get(&mut tx, id).await? {
                None => errors.add("programme_id", "error-unknown-programme"),
                Some(p) => {
                    if let Ok(r) = &validated
                        && (r.received_on < p.starts_on
                            || p.ends_on.is_some_and(|e| r.received_on > e))
                    {
                        errors.add("received_on", "error-outside-programme-period");
                    }
                }
            }
        }
        if !errors.is_empty() {
            tx.rollback().await?;
            return Err(AppError::Invalid(errors));
        }
        let new = validated?;
        let id = match referral::insert(&mut tx, &new, actor.user_id, key, self.now()).await {
            Ok(id) => id,
            Err(wrapcare_store::StoreError::Conflict(_)) if key.is_some() => {
                // A concurrent request with the same key won: answer with its referral.
                tx.rollback().await?;
                let mut tx = self.write().await?;
                let existing =
                    referral::by_idempotency_key(&mut tx, actor.user_id, key.unwrap_or_default())
                        .await?
                        .ok_or(AppError::Busy)?;
                tx.commit().await?;
                return Ok(Submitted {
                    referral: view(&existing, false),
                    created: false,
                });
            }
            Err(e) => return Err(e.into()),
        };
        self.log(
            &mut tx,
            actor,
            Target::referral(id),
            "referral.submit",
            Outcome::Allowed,
        )
        .await?;
        let stored = referral::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Submitted {
            referral: view(&stored, false),
            created: true,
        })
    }

    /// The referrals an intake user submitted, with their status only.
    pub async fn my_referrals(&self, actor: &Actor) -> Result<Vec<ReferralView>> {
        self.require(
            actor,
            &[Role::Intake, Role::Supervisor],
            "referral.my_referrals",
        )
        .await?;
        let mut tx = self.store.read_only().await?;
        let rows = referral::submitted_by(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        self.record_detail(
            actor,
            Target::default(),
            "referral.my_referrals",
            Outcome::Allowed,
            Some(serde_json::json!({ "referrals": ids }).to_string()),
        )
        .await?;
        Ok(rows.iter().map(|r| view(r, false)).collect())
    }

    /// Referrals of the supervisor's programme that await screening.
    pub async fn referrals_to_screen(&self, actor: &Actor) -> Result<Vec<ReferralView>> {
        self.require(actor, &[Role::Supervisor], "referral.referrals_to_screen")
            .await?;
        let mut tx = self.store.read_only().await?;
        let programme_id = self.team_programme(&mut tx, actor).await?;
        let rows = referral::to_screen(&mut tx, programme_id).await?;
        tx.commit().await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        self.record_detail(
            actor,
            Target::default(),
            "referral.screening_list",
            Outcome::Allowed,
            Some(serde_json::json!({ "referrals": ids }).to_string()),
        )
        .await?;
        Ok(rows.iter().map(|r| view(r, true)).collect())
    }

    /// One referral: its submitter sees the status; the whole record is for the
    /// programme's supervisors while it awaits screening or was declined, and
    /// for the accepting team's supervisors once it was accepted. Anyone else
    /// gets 404 (and the refusal is logged).
    pub async fn referral(&self, actor: &Actor, id: i64) -> Result<ReferralView> {
        // Only who submits or screens referrals ever reads one.
        self.require(actor, &[Role::Intake, Role::Supervisor], "referral.read")
            .await?;
        let mut tx = self.store.read_only().await?;
        let found = referral::get(&mut tx, id).await?;
        let target = Target {
            referral_id: Some(id),
            family_id: found.as_ref().and_then(|r| r.family_id),
            episode_id: found.as_ref().and_then(|r| r.episode_id),
            emergency_access_id: None,
        };
        let Some(found) = found else {
            return Err(self
                .refuse(tx, actor, target, "referral.read", Outcome::NotFound)
                .await);
        };
        let accepted_by_team = match found.episode_id {
            Some(episode_id) => episode::get(&mut tx, episode_id).await?.map(|e| e.team_id),
            None => None,
        };
        let screens = match accepted_by_team {
            Some(team) => actor.team_id == Some(team),
            None => self.team_programme(&mut tx, actor).await.ok() == Some(found.programme_id),
        };
        let detail = match actor.role {
            Role::Supervisor if screens => true,
            _ if found.submitted_by == actor.user_id => false,
            _ => {
                return Err(self
                    .refuse(tx, actor, target, "referral.read", Outcome::Refused)
                    .await);
            }
        };
        tx.commit().await?;
        self.record(actor, target, "referral.read", Outcome::Allowed)
            .await?;
        Ok(view(&found, detail))
    }

    /// Existing families that share a person with the referral (by citizen
    /// service number, or surname, given name and birth date).
    pub async fn referral_matches(&self, actor: &Actor, id: i64) -> Result<Vec<FamilyMatch>> {
        self.require(actor, &[Role::Supervisor], "referral.matches")
            .await?;
        let mut tx = self.store.read_only().await?;
        let found = self.screenable(&mut tx, actor, id).await;
        let found = match found {
            Ok(r) => r,
            Err(outcome) => {
                return Err(self
                    .refuse(tx, actor, Target::referral(id), "referral.matches", outcome)
                    .await);
            }
        };
        let matches = self.matches(&mut tx, &found).await?;
        tx.commit().await?;
        self.record(
            actor,
            Target::referral(id),
            "referral.matches",
            Outcome::Allowed,
        )
        .await?;
        Ok(matches)
    }

    /// Known families that share a person with the referral. Screening
    /// shows only that a family is known, not who or where it is: nothing of
    /// another team's file reaches the screening supervisor.
    async fn matches(&self, tx: &mut Tx, r: &referral::Referral) -> Result<Vec<FamilyMatch>> {
        let mut by_family: BTreeMap<i64, FamilyMatch> = BTreeMap::new();
        for m in &r.members {
            let birth = match m.birth {
                Some(Birth::Born(d)) => Some(d),
                _ => None,
            };
            for c in family::candidates(tx, m.bsn.as_deref(), &m.family_name, birth).await? {
                let submitted = (
                    m.given_name.as_str(),
                    m.family_name.as_str(),
                    birth,
                    m.bsn.as_deref(),
                );
                let existing = (
                    c.given_name.as_str(),
                    c.family_name.as_str(),
                    c.birth_date,
                    c.bsn.as_deref(),
                );
                if !is_probable_match(submitted, existing) {
                    continue;
                }
                let entry = by_family.entry(c.family_id).or_insert_with(|| FamilyMatch {
                    family_id: c.family_id,
                    matching_persons: Vec::new(),
                    by_bsn: false,
                    earlier_episodes: 0,
                    last_closed_on: None,
                    has_open_episode: false,
                    address_differs: false,
                    phone_differs: false,
                });
                entry.by_bsn |= m.bsn.is_some() && m.bsn == c.bsn;
                let named = format!("{} {}", m.given_name, m.family_name);
                if !entry.matching_persons.contains(&named) {
                    entry.matching_persons.push(named);
                }
            }
        }
        for m in by_family.values_mut() {
            let episodes = episode::of_family(tx, m.family_id).await?;
            m.has_open_episode = episodes.iter().any(|e| e.state.is_open());
            m.earlier_episodes = episodes.iter().filter(|e| !e.state.is_open()).count();
            m.last_closed_on = episodes
                .iter()
                .filter_map(|e| e.closed_on.or(e.withdrawn_on))
                .max();
            if let Some(known) = family::get(tx, m.family_id).await? {
                m.address_differs = given(&r.address).is_some()
                    && (given(&r.address), given(&r.postcode), given(&r.city))
                        != (
                            given(&known.address),
                            given(&known.postcode),
                            given(&known.city),
                        );
                m.phone_differs =
                    given(&r.phone).is_some() && given(&r.phone) != given(&known.phone);
            }
        }
        Ok(by_family.into_values().collect())
    }

    /// Accepts a referral onto the supervisor's team's waiting list: links it to
    /// an existing family (one of its matches) or creates one, and opens an episode.
    pub async fn accept_referral(
        &self,
        actor: &Actor,
        id: i64,
        input: &AcceptInput,
    ) -> Result<Accepted> {
        self.require(actor, &[Role::Supervisor], "referral.accept_referral")
            .await?;
        let mut tx = self.write().await?;
        let found = match self.screenable(&mut tx, actor, id).await {
            Ok(r) => r,
            Err(outcome) => {
                return Err(self
                    .refuse(tx, actor, Target::referral(id), "referral.accept", outcome)
                    .await);
            }
        };
        if found.status != ReferralStatus::Submitted {
            return Err(AppError::Conflict("error-referral-decided"));
        }
        if input.version.is_some_and(|v| v != found.version) {
            return Err(AppError::Stale);
        }
        let today = self.today();
        let now = self.now();
        let team_id = actor.team_id.ok_or(AppError::Forbidden)?;
        let family_id = match input.family_id {
            Some(family_id) => {
                let matches = self.matches(&mut tx, &found).await?;
                let Some(chosen) = matches.iter().find(|m| m.family_id == family_id) else {
                    return Err(AppError::invalid("family_id", "error-not-a-match"));
                };
                if chosen.has_open_episode {
                    return Err(AppError::Conflict("error-open-episode"));
                }
                self.add_members(&mut tx, family_id, &found, true, now)
                    .await?;
                let address = (input.update_address && chosen.address_differs).then_some((
                    found.address.as_deref(),
                    found.postcode.as_deref(),
                    found.city.as_deref(),
                ));
                let phone =
                    (input.update_phone && chosen.phone_differs).then_some(found.phone.as_deref());
                if address.is_some() || phone.is_some() {
                    family::update_contact_details(&mut tx, family_id, address, phone).await?;
                }
                family_id
            }
            None => {
                let surname = surname_of(&found);
                let family_id = family::insert(
                    &mut tx,
                    &family::NewFamily {
                        surname: &surname,
                        address: found.address.as_deref(),
                        postcode: found.postcode.as_deref(),
                        city: found.city.as_deref(),
                        phone: found.phone.as_deref(),
                        home_language: found.home_language.as_deref(),
                    },
                    now,
                )
                .await?;
                self.add_members(&mut tx, family_id, &found, false, now)
                    .await?;
                family_id
            }
        };
        let episode_id = episode::insert(
            &mut tx,
            &episode::NewEpisode {
                family_id,
                referral_id: found.id,
                team_id,
                programme_id: found.programme_id,
                urgency: found.urgency,
                accepted_on: today.max(found.received_on),
                reference_date: found.reference_date,
            },
            now,
        )
        .await?;
        referral::accept(
            &mut tx,
            found.id,
            family_id,
            actor.user_id,
            now,
            found.version,
        )
        .await?;
        self.log(
            &mut tx,
            actor,
            Target {
                family_id: Some(family_id),
                episode_id: Some(episode_id),
                referral_id: Some(found.id),
                emergency_access_id: None,
            },
            "referral.accept",
            Outcome::Allowed,
        )
        .await?;
        tx.commit().await?;
        Ok(Accepted {
            referral_id: found.id,
            family_id,
            episode_id,
        })
    }

    /// Declines a referral with a reason, which intake will see.
    pub async fn decline_referral(
        &self,
        actor: &Actor,
        id: i64,
        input: &DeclineInput,
    ) -> Result<ReferralView> {
        self.require(actor, &[Role::Supervisor], "referral.decline_referral")
            .await?;
        // Whether the referral is the actor's to screen comes first: another
        // team learns nothing from how its input would have been judged.
        let mut tx = self.write().await?;
        let found = match self.screenable(&mut tx, actor, id).await {
            Ok(r) => r,
            Err(outcome) => {
                return Err(self
                    .refuse(tx, actor, Target::referral(id), "referral.decline", outcome)
                    .await);
            }
        };
        let reason = input.reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "error-required"));
        }
        if reason.chars().count() > MAX_TEXT {
            return Err(AppError::invalid("reason", "error-too-long"));
        }
        if found.status != ReferralStatus::Submitted {
            return Err(AppError::Conflict("error-referral-decided"));
        }
        if input.version.is_some_and(|v| v != found.version) {
            return Err(AppError::Stale);
        }
        referral::decline(
            &mut tx,
            id,
            reason,
            actor.user_id,
            self.now(),
            found.version,
        )
        .await?;
        self.log(
            &mut tx,
            actor,
            Target::referral(id),
            "referral.decline",
            Outcome::Allowed,
        )
        .await?;
        let stored = referral::get(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(view(&stored, true))
    }

    /// The referral if this supervisor may screen it, else how to log the refusal.
    async fn screenable(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: i64,
    ) -> std::result::Result<referral::Referral, Outcome> {
        if actor.role != Role::Supervisor {
            return Err(Outcome::Refused);
        }
        let found = referral::get(tx, id).await.map_err(|_| Outcome::NotFound)?;
        let Some(found) = found else {
            return Err(Outcome::NotFound);
        };
        match self.team_programme(tx, actor).await {
            Ok(programme_id) if programme_id == found.programme_id => Ok(found),
            _ => Err(Outcome::Refused),
        }
    }

    /// The programme the actor's team works for.
    pub(crate) async fn team_programme(&self, tx: &mut Tx, actor: &Actor) -> Result<i64> {
        let team_id = actor.team_id.ok_or(AppError::Forbidden)?;
        let found = team::get(tx, team_id).await?.ok_or(AppError::Forbidden)?;
        Ok(found.programme_id)
    }

    /// Creates the submitted persons in a family; when linking to an existing
    /// family, a person who matches a current member is that member.
    async fn add_members(
        &self,
        tx: &mut Tx,
        family_id: i64,
        r: &referral::Referral,
        linking: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let existing = if linking {
            family::members(tx, family_id, r.received_on).await?
        } else {
            Vec::new()
        };
        for m in &r.members {
            let birth = match m.birth {
                Some(Birth::Born(d)) => Some(d),
                _ => None,
            };
            let known = existing.iter().find(|e| {
                is_same_household_member(
                    (&m.given_name, &m.family_name, birth, m.bsn.as_deref()),
                    (
                        &e.given_name,
                        &e.family_name,
                        e.birth_date,
                        e.bsn.as_deref(),
                    ),
                )
            });
            let person_id = match known {
                Some(e) => e.person_id,
                None => {
                    let person_id = family::insert_person(
                        tx,
                        &family::NewPerson {
                            given_name: &m.given_name,
                            family_name: &m.family_name,
                            birth_date: birth,
                            expected_birth_date: match m.birth {
                                Some(Birth::Expected(d)) => Some(d),
                                _ => None,
                            },
                            bsn: m.bsn.as_deref(),
                            phone: m.phone.as_deref(),
                        },
                        now,
                    )
                    .await?;
                    family::insert_membership(
                        tx,
                        family_id,
                        person_id,
                        m.role.as_str(),
                        m.parental_authority,
                        r.received_on,
                    )
                    .await?;
                    person_id
                }
            };
            for i in &m.indications {
                family::insert_indication(
                    tx,
                    &family::NewIndication {
                        person_id,
                        referral_id: Some(r.id),
                        number: &i.number,
                        product: &i.product,
                        starts_on: i.starts_on,
                        ends_on: i.ends_on,
                        issuer: &i.issuer,
                    },
                )
                .await?;
            }
        }
        Ok(())
    }
}
