//! The citizen service number (burgerservicenummer, BSN).

use std::fmt;

/// A citizen service number that passed the eleven-test. It can only be made by
/// [`Bsn::parse`], so holding one means it is well-formed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bsn(String);

impl Bsn {
    /// Accepts 8 or 9 digits (an 8-digit number has a leading zero dropped), with
    /// spaces, dots or dashes as separators, and applies the eleven-test:
    /// 9·d1 + 8·d2 + … + 2·d8 − 1·d9 must be a multiple of 11, and not all zeros.
    pub fn parse(input: &str) -> Option<Bsn> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if !(digits.len() == 8 || digits.len() == 9) || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{digits:0>9}");
        let values: Vec<i64> = digits.bytes().map(|b| i64::from(b - b'0')).collect();
        if values.iter().all(|&v| v == 0) {
            return None;
        }
        let sum: i64 = values[..8]
            .iter()
            .zip((2..=9).rev())
            .map(|(v, w)| v * w)
            .sum::<i64>()
            - values[8];
        (sum % 11 == 0).then_some(Bsn(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown on pages: only the last three digits, enough to tell two people apart.
    pub fn masked(&self) -> String {
        format!("••••••{}", &self.0[6..])
    }
}

/// Masks a stored number for display without re-validating it.
pub fn mask(stored: &str) -> String {
    let tail: String = stored
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("••••••{tail}")
}

// Never print the full number in logs or debug output.
impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsn({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_numbers_pass() {
        // Test numbers that satisfy the eleven-test (not real people).
        for n in ["111222333", "123456782", "999999990", "12345672"] {
            assert!(Bsn::parse(n).is_some(), "{n} should pass");
        }
        assert_eq!(
            Bsn::parse("12345672").map(|b| b.as_str().to_string()),
            Some("012345672".into())
        );
    }

    #[test]
    fn invalid_numbers_fail() {
        for n in [
            "123456789",
            "000000000",
            "12345678a",
            "1234567",
            "1234567890",
            "",
        ] {
            assert!(Bsn::parse(n).is_none(), "{n} should fail");
        }
    }

    #[test]
    fn masking_shows_three_digits() {
        let bsn = Bsn::parse("123 456 782").expect("valid");
        assert_eq!(bsn.masked(), "••••••782");
        assert_eq!(format!("{bsn:?}"), "Bsn(••••••782)");
        assert_eq!(mask("123456782"), "••••••782");
    }

    proptest! {
        #[test]
        fn changing_one_digit_breaks_the_check(base in 10_000_000u32..99_999_999u32, pos in 0usize..9, delta in 1u8..10) {
            // Build a valid number by choosing the check digit, then alter one digit.
            let first8 = format!("{base:08}");
            let weighted: i64 = first8.bytes().zip((2..=9).rev()).map(|(b, w)| i64::from(b - b'0') * w).sum();
            let check = weighted % 11;
            prop_assume!(check < 10);
            let valid = format!("{first8}{check}");
            prop_assert!(Bsn::parse(&valid).is_some());
            let mut bytes = valid.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let altered = String::from_utf8(bytes).expect("ascii");
            prop_assert!(Bsn::parse(&altered).is_none());
        }
    }
}
