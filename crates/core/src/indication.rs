//! Indications: the decisions that give a child access to youth care.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::dates::parse_date;
use crate::validation::{Invalid, required};

/// An indication flagged as ending soon ends within this many days.
pub const ENDING_SOON_DAYS: i64 = 6 * 7;

/// A validated indication for one child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indication {
    pub number: String,
    pub product: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub issuer: String,
}

/// Indication fields as typed, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicationInput {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub product: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
    #[serde(default)]
    pub issuer: String,
}

impl IndicationInput {
    pub fn is_blank(&self) -> bool {
        [
            &self.number,
            &self.product,
            &self.starts_on,
            &self.ends_on,
            &self.issuer,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    /// Validates against the referral's received date and today: an indication
    /// cannot start in the future, after the referral arrived, or end before it starts.
    pub fn validate(
        &self,
        field: &str,
        received_on: Option<NaiveDate>,
        today: NaiveDate,
        errors: &mut Invalid,
    ) -> Option<Indication> {
        let number = required(errors, &format!("{field}.number"), &self.number);
        let product = required(errors, &format!("{field}.product"), &self.product);
        let issuer = required(errors, &format!("{field}.issuer"), &self.issuer);
        let starts_on = date_field(errors, &format!("{field}.starts_on"), &self.starts_on);
        let ends_on = date_field(errors, &format!("{field}.ends_on"), &self.ends_on);
        if let Some(start) = starts_on {
            if start > today {
                errors.add(format!("{field}.starts_on"), "error-date-in-future");
            } else if received_on.is_some_and(|received| start > received) {
                errors.add(
                    format!("{field}.starts_on"),
                    "error-indication-after-received",
                );
            }
        }
        if let (Some(start), Some(end)) = (starts_on, ends_on)
            && end < start
        {
            errors.add(
                format!("{field}.ends_on"),
                "error-indication-ends-before-start",
            );
        }
        let indication = Indication {
            number,
            product,
            starts_on: starts_on?,
            ends_on: ends_on?,
            issuer,
        };
        (!indication.number.is_empty()
            && !indication.product.is_empty()
            && !indication.issuer.is_empty())
        .then_some(indication)
    }
}

/// Parses a required date field, recording `error-required` or `error-date-format`.
pub fn date_field(errors: &mut Invalid, field: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    let parsed = parse_date(value);
    if parsed.is_none() {
        errors.add(field, "error-date-format");
    }
    parsed
}

/// Whether an indication that is still running ends within six weeks of `today`.
pub fn ends_soon(ends_on: NaiveDate, today: NaiveDate) -> bool {
    ends_on >= today && ends_on <= today + Duration::days(ENDING_SOON_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).expect("test date")
    }

    fn input(start: &str, end: &str) -> IndicationInput {
        IndicationInput {
            number: "IND-1".into(),
            product: "Jeugdhulp ambulant".into(),
            starts_on: start.into(),
            ends_on: end.into(),
            issuer: "Intervence".into(),
        }
    }

    fn check(i: &IndicationInput) -> Result<Indication, Vec<&'static str>> {
        let mut errors = Invalid::new();
        let result = i.validate("i", Some(d("2026-03-01")), d("2026-04-01"), &mut errors);
        if errors.is_empty() {
            result.ok_or_else(Vec::new)
        } else {
            Err(errors.0.iter().map(|e| e.key).collect())
        }
    }

    #[test]
    fn valid_indication_passes() {
        assert!(check(&input("2026-02-01", "2026-12-31")).is_ok());
    }

    #[test]
    fn refused_dates() {
        assert_eq!(
            check(&input("2026-05-01", "2026-12-31")),
            Err(vec!["error-date-in-future"])
        );
        assert_eq!(
            check(&input("2026-03-15", "2026-12-31")),
            Err(vec!["error-indication-after-received"])
        );
        assert_eq!(
            check(&input("2026-02-01", "2026-01-31")),
            Err(vec!["error-indication-ends-before-start"])
        );
        assert_eq!(
            check(&input("01-02-2026", "2026-01-31")),
            Err(vec!["error-date-format"])
        );
    }

    #[test]
    fn ending_soon_is_within_six_weeks() {
        let today = d("2026-04-01");
        assert!(ends_soon(d("2026-05-13"), today));
        assert!(!ends_soon(d("2026-05-14"), today));
        assert!(!ends_soon(d("2026-03-31"), today));
    }
}
