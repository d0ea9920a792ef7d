//! Referrals (aanmeldingen): the fixed intake record of a family's request for help.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::bsn::Bsn;
use crate::family::{Birth, MemberRole};
use crate::indication::{Indication, IndicationInput, date_field};
use crate::validation::{Invalid, optional, required};

/// Where a referral came from: an indication body (Intervence, formerly Bureau
/// Jeugdzorg) or a Centre for Youth and Family, which may come without indication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralSource {
    IndicationBody,
    Cjg,
    Other,
}

impl ReferralSource {
    pub const ALL: [ReferralSource; 3] = [
        ReferralSource::IndicationBody,
        ReferralSource::Cjg,
        ReferralSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralSource::IndicationBody => "indication_body",
            ReferralSource::Cjg => "cjg",
            ReferralSource::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<ReferralSource> {
        ReferralSource::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Urgency orders the waiting list before time waited does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Crisis,
    High,
    Normal,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Crisis, Urgency::High, Urgency::Normal];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Crisis => "crisis",
            Urgency::High => "high",
            Urgency::Normal => "normal",
        }
    }

    pub fn parse(value: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == value)
    }

    /// Lower ranks come first on the waiting list.
    pub fn rank(self) -> u8 {
        match self {
            Urgency::Crisis => 0,
            Urgency::High => 1,
            Urgency::Normal => 2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Submitted,
    Accepted,
    Declined,
}

impl ReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Submitted => "submitted",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
        }
    }

    pub fn parse(value: &str) -> Option<ReferralStatus> {
        [
            ReferralStatus::Submitted,
            ReferralStatus::Accepted,
            ReferralStatus::Declined,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// A family member as typed by intake, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberInput {
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub parental_authority: bool,
    #[serde(default)]
    pub birth_date: String,
    /// For an unborn child instead of `birth_date`.
    #[serde(default)]
    pub expected_birth_date: String,
    #[serde(default)]
    pub bsn: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub indications: Vec<IndicationInput>,
}

impl MemberInput {
    /// An untouched form slot: ignored rather than refused.
    pub fn is_blank(&self) -> bool {
        [
            &self.given_name,
            &self.family_name,
            &self.birth_date,
            &self.expected_birth_date,
            &self.bsn,
            &self.phone,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
            && self.indications.iter().all(IndicationInput::is_blank)
    }
}

/// A referral as typed by intake (form or JSON), before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralInput {
    /// The programme's id, as a number or a string.
    #[serde(default, deserialize_with = "crate::validation::number_or_string")]
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub programme_id: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub referrer_name: String,
    #[serde(default)]
    pub referrer_contact: String,
    #[serde(default)]
    pub received_on: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub home_language: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub members: Vec<MemberInput>,
}

/// A validated family member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub given_name: String,
    pub family_name: String,
    pub role: MemberRole,
    pub parental_authority: bool,
    pub birth: Option<Birth>,
    /// Kept as the validated 9 digits; pages show it masked.
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub indications: Vec<IndicationRecord>,
}

/// An indication as stored with the referral's submitted persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicationRecord {
    pub number: String,
    pub product: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: String,
}

impl From<Indication> for IndicationRecord {
    fn from(i: Indication) -> Self {
        IndicationRecord {
            number: i.number,
            product: i.product,
            starts_on: i.starts_on,
            ends_on: i.ends_on,
            issuer: i.issuer,
        }
    }
}

/// A validated referral, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub programme_id: i64,
    pub source: ReferralSource,
    pub referrer_name: String,
    pub referrer_contact: String,
    pub received_on: NaiveDate,
    pub urgency: Urgency,
    pub reason: String,
    pub home_language: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub members: Vec<Member>,
}

impl NewReferral {
    /// The date waiting time counts from: the earliest indication of the children,
    /// or the received date for a registration without indication.
    pub fn reference_date(&self) -> NaiveDate {
        crate::waiting::reference_date(
            self.members
                .iter()
                .filter(|m| m.role == MemberRole::Child)
                .flat_map(|m| m.indications.iter().map(|i| i.starts_on)),
            self.received_on,
        )
    }
}

/// Longest free text we keep in one field; longer input is refused, not cut.
pub const MAX_TEXT: usize = 4000;
pub const MAX_MEMBERS: usize = 20;

impl ReferralInput {
    /// Validates everything at once so a form can show every error by its field.
    pub fn validate(&self, today: NaiveDate) -> Result<NewReferral, Invalid> {
        let mut errors = Invalid::new();
        let programme_id = self.programme_id.trim().parse::<i64>().ok();
        if programme_id.is_none() {
            errors.add("programme_id", "error-unknown-programme");
        }
        let source = ReferralSource::parse(self.source.trim());
        if source.is_none() {
            errors.add("source", "error-choose-option");
        }
        let urgency = Urgency::parse(self.urgency.trim());
        if urgency.is_none() {
            errors.add("urgency", "error-choose-option");
        }
        let referrer_name = required(&mut errors, "referrer_name", &self.referrer_name);
        let referrer_contact = required(&mut errors, "referrer_contact", &self.referrer_contact);
        let reason = required(&mut errors, "reason", &self.reason);
        if reason.chars().count() > MAX_TEXT {
            errors.add("reason", "error-too-long");
        }
        let received_on = date_field(&mut errors, "received_on", &self.received_on);
        if received_on.is_some_and(|r| r > today) {
            errors.add("received_on", "error-date-in-future");
        }

        let submitted: Vec<(usize, &MemberInput)> = self
            .members
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_blank())
            .collect();
        if submitted.is_empty() {
            errors.add("members", "error-empty-family");
        } else if submitted.len() > MAX_MEMBERS {
            errors.add("members", "error-too-many-members");
        }
        let mut members = Vec::new();
        for (index, input) in submitted.iter().copied() {
            if let Some(member) = validate_member(index, input, received_on, today, &mut errors) {
                members.push(member);
            }
        }
        if !submitted.is_empty() && !submitted.iter().any(|(_, m)| m.role.trim() == "child") {
            errors.add("members", "error-no-child");
        }
        errors.finish()?;
        match (programme_id, source, urgency, received_on) {
            (Some(programme_id), Some(source), Some(urgency), Some(received_on)) => {
                Ok(NewReferral {
                    programme_id,
                    source,
                    referrer_name,
                    referrer_contact,
                    received_on,
                    urgency,
                    reason,
                    home_language: optional(Some(&self.home_language)),
                    address: optional(Some(&self.address)),
                    postcode: optional(Some(&self.postcode)),
                    city: optional(Some(&self.city)),
                    phone: optional(Some(&self.phone)),
                    members,
                })
            }
            // Each of these was refused above, so `finish` already returned.
            _ => Err(Invalid::one("referral", "error-invalid")),
        }
    }
}

fn validate_member(
    index: usize,
    input: &MemberInput,
    received_on: Option<NaiveDate>,
    today: NaiveDate,
    errors: &mut Invalid,
) -> Option<Member> {
    let field = format!("members[{index}]");
    let given_name = required(errors, &format!("{field}.given_name"), &input.given_name);
    let family_name = required(errors, &format!("{field}.family_name"), &input.family_name);
    let role = MemberRole::parse(input.role.trim());
    if role.is_none() {
        errors.add(format!("{field}.role"), "error-choose-option");
    }
    let born = optional_date(errors, &format!("{field}.birth_date"), &input.birth_date);
    let expected = optional_date(
        errors,
        &format!("{field}.expected_birth_date"),
        &input.expected_birth_date,
    );
    let birth = match (born, expected) {
        (Some(Ok(b)), _) if b > today => {
            errors.add(format!("{field}.birth_date"), "error-date-in-future");
            None
        }
        (Some(Ok(b)), None) => Some(Birth::Born(b)),
        (Some(Ok(_)), Some(_)) => {
            errors.add(
                format!("{field}.expected_birth_date"),
                "error-born-and-expected",
            );
            None
        }
        (None, Some(Ok(e))) if e < today => {
            errors.add(
                format!("{field}.expected_birth_date"),
                "error-expected-in-past",
            );
            None
        }
        (None, Some(Ok(e))) => Some(Birth::Expected(e)),
        _ => None,
    };
    if role == Some(MemberRole::Child) && born.is_none() && expected.is_none() {
        errors.add(format!("{field}.birth_date"), "error-child-birth-date");
    }
    let bsn = match input.bsn.trim() {
        "" => None,
        typed => match Bsn::parse(typed) {
            Some(bsn) => Some(bsn.as_str().to_string()),
            None => {
                errors.add(format!("{field}.bsn"), "error-bsn-invalid");
                None
            }
        },
    };
    let mut indications = Vec::new();
    for (i, indication) in input.indications.iter().enumerate() {
        if indication.is_blank() {
            continue;
        }
        let ind_field = format!("{field}.indications[{i}]");
        if role != Some(MemberRole::Child) {
            errors.add(format!("{ind_field}.number"), "error-indication-not-child");
            continue;
        }
        if let Some(valid) = indication.validate(&ind_field, received_on, today, errors) {
            indications.push(valid.into());
        }
    }
    Some(Member {
        given_name,
        family_name,
        role: role?,
        parental_authority: input.parental_authority,
        birth,
        bsn,
        phone: optional(Some(&input.phone)),
        indications,
    })
}

/// `None` when blank, `Some(Err)` (already recorded) when malformed.
fn optional_date(errors: &mut Invalid, field: &str, value: &str) -> Option<Result<NaiveDate, ()>> {
    if value.trim().is_empty() {
        return None;
    }
    Some(date_field(errors, field, value).ok_or(()))
}

/// What intake may see of a referral's progress, and nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    Submitted,
    Declined,
    Waiting,
    Withdrawn,
    Assigned,
    InCare,
    Closed,
}

impl IntakeStatus {
    pub fn of(
        status: ReferralStatus,
        episode: Option<crate::episode::EpisodeState>,
    ) -> IntakeStatus {
        use crate::episode::EpisodeState as E;
        match (status, episode) {
            (ReferralStatus::Submitted, _) => IntakeStatus::Submitted,
            (ReferralStatus::Declined, _) => IntakeStatus::Declined,
            (ReferralStatus::Accepted, None | Some(E::Waiting)) => IntakeStatus::Waiting,
            (ReferralStatus::Accepted, Some(E::Withdrawn)) => IntakeStatus::Withdrawn,
            (ReferralStatus::Accepted, Some(E::Assigned)) => IntakeStatus::Assigned,
            (ReferralStatus::Accepted, Some(E::InCare)) => IntakeStatus::InCare,
            (ReferralStatus::Accepted, Some(E::Closed)) => IntakeStatus::Closed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IntakeStatus::Submitted => "submitted",
            IntakeStatus::Declined => "declined",
            IntakeStatus::Waiting => "waiting",
            IntakeStatus::Withdrawn => "withdrawn",
            IntakeStatus::Assigned => "assigned",
            IntakeStatus::InCare => "in_care",
            IntakeStatus::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    fn today() -> NaiveDate {
        parse_date("2026-04-01").expect("date")
    }

    pub fn valid_input() -> ReferralInput {
        ReferralInput {
            programme_id: "1".into(),
            source: "indication_body".into(),
            referrer_name: "M. de Boer".into(),
            referrer_contact: "030-1234567".into(),
            received_on: "2026-03-01".into(),
            urgency: "normal".into(),
            reason: "Vastgelopen hulp".into(),
            home_language: "nl".into(),
            members: vec![
                MemberInput {
                    given_name: "Anna".into(),
                    family_name: "Jansen".into(),
                    role: "parent".into(),
                    parental_authority: true,
                    ..Default::default()
                },
                MemberInput {
                    given_name: "Sem".into(),
                    family_name: "Jansen".into(),
                    role: "child".into(),
                    birth_date: "2015-06-01".into(),
                    bsn: "123456782".into(),
                    indications: vec![IndicationInput {
                        number: "IND-7".into(),
                        product: "IPT".into(),
                        starts_on: "2026-02-10".into(),
                        ends_on: "2026-12-31".into(),
                        issuer: "Intervence".into(),
                    }],
                    ..Default::default()
                },
                MemberInput::default(),
            ],
            ..Default::default()
        }
    }

    fn keys(input: &ReferralInput) -> Vec<(String, &'static str)> {
        match input.validate(today()) {
            Ok(_) => vec![],
            Err(e) => e.0.into_iter().map(|f| (f.field, f.key)).collect(),
        }
    }

    #[test]
    fn valid_referral_ignores_blank_slots() {
        let referral = valid_input().validate(today()).expect("valid");
        assert_eq!(referral.members.len(), 2);
        assert_eq!(
            referral.reference_date(),
            parse_date("2026-02-10").expect("date")
        );
    }

    #[test]
    fn registration_without_indication_counts_from_received() {
        let mut input = valid_input();
        input.source = "cjg".into();
        input.members[1].indications.clear();
        let referral = input.validate(today()).expect("valid");
        assert_eq!(referral.reference_date(), referral.received_on);
    }

    #[test]
    fn empty_family_is_refused() {
        let mut input = valid_input();
        input.members = vec![MemberInput::default()];
        assert_eq!(keys(&input), vec![("members".into(), "error-empty-family")]);
    }

    #[test]
    fn child_without_birth_date_and_bad_bsn_are_refused() {
        let mut input = valid_input();
        input.members[1].birth_date.clear();
        input.members[1].bsn = "123456789".into();
        assert_eq!(
            keys(&input),
            vec![
                ("members[1].birth_date".into(), "error-child-birth-date"),
                ("members[1].bsn".into(), "error-bsn-invalid"),
            ]
        );
    }

    #[test]
    fn unborn_child_with_expected_date_passes() {
        let mut input = valid_input();
        input.members[1].birth_date.clear();
        input.members[1].bsn.clear();
        input.members[1].expected_birth_date = "2026-08-01".into();
        let referral = input.validate(today()).expect("valid");
        assert_eq!(
            referral.members[1].birth,
            Some(Birth::Expected(parse_date("2026-08-01").expect("date")))
        );
    }

    #[test]
    fn malformed_and_unknown_values_are_named() {
        let mut input = valid_input();
        input.programme_id = "x".into();
        input.received_on = "1-3-2026".into();
        input.urgency = "asap".into();
        let found = keys(&input);
        assert!(found.contains(&("programme_id".into(), "error-unknown-programme")));
        assert!(found.contains(&("received_on".into(), "error-date-format")));
        assert!(found.contains(&("urgency".into(), "error-choose-option")));
    }

    #[test]
    fn indication_after_received_is_refused() {
        let mut input = valid_input();
        input.members[1].indications[0].starts_on = "2026-03-05".into();
        assert_eq!(
            keys(&input),
            vec![(
                "members[1].indications[0].starts_on".into(),
                "error-indication-after-received"
            )]
        );
    }

    #[test]
    fn intake_sees_a_coarse_status() {
        use crate::episode::EpisodeState;
        assert_eq!(
            IntakeStatus::of(ReferralStatus::Accepted, Some(EpisodeState::InCare)),
            IntakeStatus::InCare
        );
        assert_eq!(
            IntakeStatus::of(ReferralStatus::Declined, None),
            IntakeStatus::Declined
        );
    }
}
