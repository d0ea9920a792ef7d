//! Families, the persons in them (dated memberships) and the children's indications.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Result, Tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
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

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Family>> {
    let row = on_tx!(tx, |c| {
        sqlx::query_as::<_, Family>(
        "SELECT id, surname, address, postcode, city, phone, home_language, version FROM families WHERE id = $1"
    )
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
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub person_id: i64,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<NaiveDate>,
    pub expected_birth_date: Option<NaiveDate>,
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub role: String,
    pub parental_authority: bool,
    pub member_since: NaiveDate,
}

pub async fn members(tx: &mut Tx, family_id: i64, on: NaiveDate) -> Result<Vec<Member>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, Member>(
        "SELECT p.id AS person_id, p.given_name, p.family_name, p.birth_date, p.expected_birth_date, \
                p.bsn, p.phone, m.role, m.parental_authority, m.starts_on AS member_since \
         FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.family_id = $1 AND (m.ends_on IS NULL OR m.ends_on > $2) \
         ORDER BY CASE m.role WHEN 'parent' THEN 0 WHEN 'child' THEN 1 ELSE 2 END, p.birth_date, p.id"
    )
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

#[derive(Debug, Clone, sqlx::FromRow)]
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

/// Indications of the family's current members, newest first.
pub async fn indications(tx: &mut Tx, family_id: i64, on: NaiveDate) -> Result<Vec<IndicationRow>> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, IndicationRow>(
        "SELECT i.id, i.person_id, p.given_name, i.number, i.product, i.starts_on, i.ends_on, i.issuer \
         FROM indications i JOIN persons p ON p.id = i.person_id \
         JOIN memberships m ON m.person_id = p.id AND m.family_id = $1 AND (m.ends_on IS NULL OR m.ends_on > $2) \
         ORDER BY i.ends_on DESC, i.id"
    )
    .bind(family_id)
    .bind(on)
    .fetch_all(c)
    .await
    })?;
    Ok(rows)
}

#[derive(Debug, sqlx::FromRow)]
struct MemberIndicationRow {
    #[sqlx(flatten)]
    member: Member,
    indication_id: Option<i64>,
    number: Option<String>,
    product: Option<String>,
    indication_starts_on: Option<NaiveDate>,
    indication_ends_on: Option<NaiveDate>,
    issuer: Option<String>,
}

/// The family's current members and their indications, in one read: members
/// parents first, then children by age; indications newest first.
pub async fn members_and_indications(
    tx: &mut Tx,
    family_id: i64,
    on: NaiveDate,
) -> Result<(Vec<Member>, Vec<IndicationRow>)> {
    let rows = on_tx!(tx, |c| {
        sqlx::query_as::<_, MemberIndicationRow>(
            "SELECT p.id AS person_id, p.given_name, p.family_name, p.birth_date, p.expected_birth_date, \
                    p.bsn, p.phone, m.role, m.parental_authority, m.starts_on AS member_since, \
                    i.id AS indication_id, i.number, i.product, i.starts_on AS indication_starts_on, \
                    i.ends_on AS indication_ends_on, i.issuer \
             FROM memberships m JOIN persons p ON p.id = m.person_id \
             LEFT JOIN indications i ON i.person_id = p.id \
             WHERE m.family_id = $1 AND (m.ends_on IS NULL OR m.ends_on > $2) \
             ORDER BY CASE m.role WHEN 'parent' THEN 0 WHEN 'child' THEN 1 ELSE 2 END, \
                      p.birth_date, p.id, i.id",
        )
        .bind(family_id)
        .bind(on)
        .fetch_all(c)
        .await
    })?;
    let mut members: Vec<Member> = Vec::new();
    let mut indications = Vec::new();
    for r in rows {
        if let (
            Some(id),
            Some(number),
            Some(product),
            Some(starts_on),
            Some(ends_on),
            Some(issuer),
        ) = (
            r.indication_id,
            r.number,
            r.product,
            r.indication_starts_on,
            r.indication_ends_on,
            r.issuer,
        ) {
            indications.push(IndicationRow {
                id,
                person_id: r.member.person_id,
                given_name: r.member.given_name.clone(),
                number,
                product,
                starts_on,
                ends_on,
                issuer,
            });
        }
        if members
            .last()
            .is_none_or(|m| m.person_id != r.member.person_id)
        {
            members.push(r.member);
        }
    }
    indications.sort_by(|a, b| b.ends_on.cmp(&a.ends_on).then(a.id.cmp(&b.id)));
    Ok((members, indications))
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
