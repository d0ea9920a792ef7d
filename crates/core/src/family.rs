//! Families (households) and the persons in them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A person's place in a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Parent or carer.
    Parent,
    Child,
    Other,
}

impl MemberRole {
    pub const ALL: [MemberRole; 3] = [MemberRole::Parent, MemberRole::Child, MemberRole::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Parent => "parent",
            MemberRole::Child => "child",
            MemberRole::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<MemberRole> {
        MemberRole::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// A birth date, or for an unborn child the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum Birth {
    Born(NaiveDate),
    Expected(NaiveDate),
}

impl Birth {
    pub fn date(self) -> NaiveDate {
        match self {
            Birth::Born(d) | Birth::Expected(d) => d,
        }
    }

    /// Age in whole years on `on`, for born persons.
    pub fn age_on(self, on: NaiveDate) -> Option<u32> {
        match self {
            Birth::Born(born) => on.years_since(born),
            Birth::Expected(_) => None,
        }
    }
}

/// The name a family goes by on lists: "Gezin Jansen" is written by the page, the
/// domain only picks the surname: that of the first parent, else of the first member.
pub fn household_surname<'a>(members: impl IntoIterator<Item = (MemberRole, &'a str)>) -> String {
    let members: Vec<(MemberRole, &str)> = members.into_iter().collect();
    members
        .iter()
        .find(|(role, _)| *role == MemberRole::Parent)
        .or_else(|| members.first())
        .map(|(_, name)| name.trim().to_string())
        .unwrap_or_default()
}

/// A possible match for a submitted person among existing ones: by citizen service
/// number, or by surname + first name + birth date (case-insensitive).
pub fn is_probable_match(
    submitted: (&str, &str, Option<NaiveDate>, Option<&str>),
    existing: (&str, &str, Option<NaiveDate>, Option<&str>),
) -> bool {
    let (s_given, s_family, s_birth, s_bsn) = submitted;
    let (e_given, e_family, e_birth, e_bsn) = existing;
    if let (Some(a), Some(b)) = (s_bsn, e_bsn)
        && a == b
    {
        return true;
    }
    s_birth.is_some()
        && s_birth == e_birth
        && s_given.trim().eq_ignore_ascii_case(e_given.trim())
        && s_family.trim().eq_ignore_ascii_case(e_family.trim())
}

/// Within a household the family is linked to, the same first and last name
/// is the same person unless the birth dates or citizen service numbers differ.
pub fn is_same_household_member(
    submitted: (&str, &str, Option<NaiveDate>, Option<&str>),
    existing: (&str, &str, Option<NaiveDate>, Option<&str>),
) -> bool {
    if is_probable_match(submitted, existing) {
        return true;
    }
    let (s_given, s_family, s_birth, s_bsn) = submitted;
    let (e_given, e_family, e_birth, e_bsn) = existing;
    let births_conflict = matches!((s_birth, e_birth), (Some(a), Some(b)) if a != b);
    let numbers_conflict = matches!((s_bsn, e_bsn), (Some(a), Some(b)) if a != b);
    s_given.trim().eq_ignore_ascii_case(e_given.trim())
        && s_family.trim().eq_ignore_ascii_case(e_family.trim())
        && !births_conflict
        && !numbers_conflict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;

    #[test]
    fn surname_prefers_a_parent() {
        let members = [
            (MemberRole::Child, "Bakker"),
            (MemberRole::Parent, "de Vries"),
        ];
        assert_eq!(household_surname(members), "de Vries");
        assert_eq!(household_surname([(MemberRole::Child, "Bakker")]), "Bakker");
        assert_eq!(household_surname([]), "");
    }

    #[test]
    fn matches_by_bsn_or_name_and_birth() {
        let born = parse_date("2015-04-02");
        assert!(is_probable_match(
            ("Sem", "Jansen", None, Some("123456782")),
            ("Semmie", "Janssen", born, Some("123456782"))
        ));
        assert!(is_probable_match(
            ("sem", "JANSEN", born, None),
            ("Sem", "Jansen", born, None)
        ));
        assert!(!is_probable_match(
            ("Sem", "Jansen", None, None),
            ("Sem", "Jansen", None, None)
        ));
        assert!(!is_probable_match(
            ("Sem", "Jansen", born, None),
            ("Sem", "Jansen", parse_date("2016-04-02"), None)
        ));
    }

    #[test]
    fn household_members_match_by_name_unless_contradicted() {
        let born = parse_date("1985-04-02");
        assert!(is_same_household_member(
            ("Anna", "Kok", None, None),
            ("anna", "Kok", born, None)
        ));
        assert!(!is_same_household_member(
            ("Anna", "Kok", parse_date("1990-01-01"), None),
            ("Anna", "Kok", born, None)
        ));
        assert!(!is_same_household_member(
            ("Anna", "Kok", None, Some("123456782")),
            ("Anna", "Kok", None, Some("111222333"))
        ));
    }

    #[test]
    fn unborn_children_have_no_age() {
        let on = parse_date("2026-05-01").expect("date");
        assert_eq!(Birth::Expected(on).age_on(on), None);
        let born = parse_date("2016-05-02").expect("date");
        assert_eq!(Birth::Born(born).age_on(on), Some(9));
    }
}
