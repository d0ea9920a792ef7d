//! Families, the persons in them (dated memberships) and the children's indications.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Result, Tx, on_tx};

pub mod file;

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Family {
    pub id: i64,
    pub surname: String,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub home_language: Option<String>,
    pub version: i64,
}

pub struct NewFamily<'a> {
    pub surname: &'a str,
    pub address: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub city: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub home_language: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, f: &NewFamily<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO families (surname, address, postcode, city, phone, home_language, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(f.surname)
    .bind(f.address)
    .bind(f.postcode)
    .bind(f.city)
    .bind(f.phone)
    .bind(f.home_language)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub(crate) const FIELDS: crate::json::Fields = &[
    ("id", "f.id"),
    ("surname", "f.surname"),
    ("address", "f.address"),
    ("postcode", "f.postcode"),
    ("city", "f.city"),
    ("phone", "f.phone"),
    ("home_language", "f.home_language"),
    ("version", "f.version"),
];

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Family>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM families f WHERE f.id = $1",
        crate::json::select_list(FIELDS)
    ));
    let row = on_tx!(tx, |c| {
        sqlx::query_as::<_, Family>(sql)
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(row)
}

pub struct NewPerson<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub bsn: Option<&'a str>,
    pub phone: Option<&'a str>,
}

pub async fn insert_person(tx: &mut Tx, p: &NewPerson<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO persons (given_name, family_name, birth_date, expected_birth_date, bsn, phone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(p.birth_date)
    .bind(p.expected_birth_date)
    .bind(p.bsn)
    .bind(p.phone)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

pub async fn insert_membership(
    tx: &mut Tx,
    family_id: i64,
    person_id: i64,
    role: &str,
    parental_authority: bool,
    starts_on: NaiveDate,
) -> Result<i64> {
    let id = on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO memberships (family_id, person_id, role, parental_authority, starts_on) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(family_id)
    .bind(person_id)
    .bind(role)
    .bind(parental_authority)
    .bind(starts_on)
    .fetch_one(c)
    .await)?;
    Ok(id)
}

/// A current member of a family (membership without end, or ending after `on`).
#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct Member {
    pub person_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub role: String,
    #[serde(deserialize_with = "crate::json::flag")]
    pub parental_authority: bool,
    pub member_since: NaiveDate,
}

pub(crate) const MEMBER_FIELDS: crate::json::Fields = &[
    ("person_id", "p.id"),
    ("given_name", "p.given_name"),
    ("family_name", "p.family_name"),
    ("birth_date", "p.birth_date"),
    ("expected_birth_date", "p.expected_birth_date"),
    ("bsn", "p.bsn"),
    ("phone", "p.phone"),
    ("role", "m.role"),
    ("parental_authority", "m.parental_authority"),
    ("member_since", "m.starts_on"),
];

/// The family's members on a day, from the placeholders naming the two.
pub(crate) fn members_from(family: &str, on: &str) -> String {
    format!(
        "FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.family_id = {family} AND (m.ends_on IS NULL OR m.ends_on > {on})"
    )
}

/// Parents first, then children by age.
pub(crate) const MEMBER_ORDER: &str =
    "CASE m.role WHEN 'parent' THEN 0 WHEN 'child' THEN 1 ELSE 2 END, p.birth_date, p.id";

pub async fn members(tx: &mut Tx, family_id: i64, on: NaiveDate) -> Result<Vec<Member>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} {} ORDER BY {MEMBER_ORDER}",
        crate::json::select_list(MEMBER_FIELDS),
        members_from("$1", "$2")
    ));
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Member>(sql)
            .bind(family_id)
            .bind(on)
            .fetch_all(c)
            .await
    })?;
    Ok(rows)
}

pub struct NewIndication<'a> {
    pub person_id: i64,
    pub referral_id: Option<i64>,
    pub number: &'a str,
    pub product: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: &'a str,
}

pub async fn insert_indication(tx: &mut Tx, i: &NewIndication<'_>) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO indications (person_id, referral_id, number, product, starts_on, ends_on, issuer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
    )
    .bind(i.person_id)
    .bind(i.referral_id)
    .bind(i.number)
    .bind(i.product)
    .bind(i.starts_on)
    .bind(i.ends_on)
    .bind(i.issuer)
    .fetch_one(c)
    .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Deserialize)]
pub struct IndicationRow {
    pub id: i64,
    pub person_id: i64,
    pub given_name: String,
    pub number: String,
    pub product: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: String,
}

pub(crate) const INDICATION_FIELDS: crate::json::Fields = &[
    ("id", "i.id"),
    ("person_id", "i.person_id"),
    ("given_name", "p.given_name"),
    ("number", "i.number"),
    ("product", "i.product"),
    ("starts_on", "i.starts_on"),
    ("ends_on", "i.ends_on"),
    ("issuer", "i.issuer"),
];

/// The indications of the family's members on a day.
pub(crate) fn indications_from(family: &str, on: &str) -> String {
    format!(
        "FROM indications i JOIN persons p ON p.id = i.person_id \
         JOIN memberships m ON m.person_id = p.id AND m.family_id = {family} \
         AND (m.ends_on IS NULL OR m.ends_on > {on})"
    )
}

/// Newest first.
pub(crate) const INDICATION_ORDER: &str = "i.ends_on DESC, i.id";

/// Indications of the family's current members, newest first.
pub async fn indications(tx: &mut Tx, family_id: i64, on: NaiveDate) -> Result<Vec<IndicationRow>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {} {} ORDER BY {INDICATION_ORDER}",
        crate::json::select_list(INDICATION_FIELDS),
        indications_from("$1", "$2")
    ));
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, IndicationRow>(sql)
        .bind(family_id)
        .bind(on)
        .fetch_all(c)
        .await)?;
    Ok(rows)
}

/// Someone already known who may be the submitted person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub person_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    pub bsn: Option<String>,
    pub family_id: i64,
    pub surname: String,
    pub city: Option<String>,
}

/// Persons with this citizen service number, or this surname and birth date,
/// with the families they belong to. The domain decides which are matches.
pub async fn candidates(
    tx: &mut Tx,
    bsn: Option<&str>,
    family_name: &str,
    birth_date: Option<NaiveDate>,
) -> Result<Vec<Candidate>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Candidate>(
        "SELECT p.id AS person_id, p.given_name, p.family_name, p.birth_date, p.bsn, \
                f.id AS family_id, f.surname, f.city \
         FROM persons p JOIN memberships m ON m.person_id = p.id JOIN families f ON f.id = m.family_id \
         WHERE ($1 IS NOT NULL AND p.bsn = $1) \
            OR ($3 IS NOT NULL AND LOWER(p.family_name) = LOWER($2) AND p.birth_date = $3) \
         ORDER BY f.id, p.id LIMIT 50"
    )
    .bind(bsn)
    .bind(family_name)
    .bind(birth_date)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

pub async fn person_in_family(tx: &mut Tx, family_id: i64, person_id: i64) -> Result<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships WHERE family_id = $1 AND person_id = $2 AND ends_on IS NULL"
    )
    .bind(family_id)
    .bind(person_id)
    .fetch_one(c)
    .await
    })?;
    Ok(n > 0)
}

/// Takes over the address (street, postcode and city together) and/or the
/// phone number from a newer referral; `None` leaves that part as it is.
pub async fn update_contact_details(
    tx: &mut Tx,
    id: i64,
    address: Option<(Option<&str>, Option<&str>, Option<&str>)>,
    phone: Option<Option<&str>>,
) -> Result<()> {
    let (street, postcode, city) = address.unwrap_or((None, None, None));
    on_tx!(tx, |c| sqlx::query(
        "UPDATE families SET \
           address = CASE WHEN $2 THEN $3 ELSE address END, \
           postcode = CASE WHEN $2 THEN $4 ELSE postcode END, \
           city = CASE WHEN $2 THEN $5 ELSE city END, \
           phone = CASE WHEN $6 THEN $7 ELSE phone END, \
           version = version + 1 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(address.is_some())
    .bind(street)
    .bind(postcode)
    .bind(city)
    .bind(phone.is_some())
    .bind(phone.flatten())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
