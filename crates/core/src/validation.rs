//! Field-level validation results.
//!
//! A rule that refuses input names the field and a message key; the web layer
//! translates the key (Dutch or English) and shows it by the field, the API lists
//! it in a problem+json body, the CLI prints it with the line.

use serde::Serialize;

/// One refused field: `field` is the input's name (e.g. `members[0].bsn`),
/// `key` the message-catalogue key that explains the refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
}

/// All the fields a submission got wrong, gathered so a form shows every error at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{} ({})", e.field, e.key)).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn one(field: impl Into<String>, key: &'static str) -> Self {
        let mut errors = Self::new();
        errors.add(field, key);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, key: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            key,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was refused, so validators can end with `errors.finish()?`.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn merge(&mut self, other: Invalid) {
        self.0.extend(other.0);
    }
}

/// Trims a required text field; records `error-required` when it is empty.
pub fn required(errors: &mut Invalid, field: &str, value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.add(field, "error-required");
    }
    trimmed.to_string()
}

/// Trims an optional text field to `None` when blank.
pub fn optional(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// Reads a JSON number or string as text: forms send text, JSON clients numbers,
/// and the validators parse either the same way.
pub fn number_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Whole(i64),
        Decimal(f64),
        Text(String),
    }
    Ok(
        match <Either as serde::Deserialize>::deserialize(deserializer)? {
            Either::Whole(n) => n.to_string(),
            Either::Decimal(x) => x.to_string(),
            Either::Text(s) => s,
        },
    )
}

/// Reads a JSON boolean, number or string as text ("true", "false", "1", "on"…),
/// so forms and JSON clients reach the same validation.
pub fn bool_or_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Either {
        Flag(bool),
        Whole(i64),
        Text(String),
    }
    Ok(
        match <Either as serde::Deserialize>::deserialize(deserializer)? {
            Either::Flag(b) => b.to_string(),
            Either::Whole(n) => n.to_string(),
            Either::Text(s) => s,
        },
    )
}
