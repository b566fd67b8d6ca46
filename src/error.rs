//! The one error type of the napkin library: every message names the
//! parameter or text at fault, the value, and what would be valid.

/// What went wrong, in words a learner can act on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter's value is outside the range where the estimate means anything.
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// The parameter, as named in the API (`peak_factor`).
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// The valid range, in words (`a finite number ≥ 1`).
        expected: &'static str,
    },
    /// Text could not be read as a quantity.
    #[error("cannot read {input:?} as {expected}: {reason}")]
    Parse {
        /// The text given.
        input: String,
        /// What kind of value was expected, with an example.
        expected: String,
        /// Why it failed.
        reason: String,
    },
    /// A sweep, table or chart was asked for something it cannot build.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    /// An [`Error::InvalidParameter`].
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: &'static str,
    ) -> Error {
        Error::InvalidParameter {
            name,
            value: value.to_string(),
            expected,
        }
    }

    /// An [`Error::Parse`].
    pub fn parse(input: &str, expected: &str, reason: impl Into<String>) -> Error {
        Error::Parse {
            input: input.to_string(),
            expected: expected.to_string(),
            reason: reason.into(),
        }
    }
}

/// Checks a parameter: finite and within `[min, max]` (either end open when
/// `open` says so), or an [`Error::InvalidParameter`] naming it.
pub(crate) fn check(
    name: &'static str,
    value: f64,
    ok: impl Fn(f64) -> bool,
    expected: &'static str,
) -> Result<f64, Error> {
    if value.is_finite() && ok(value) {
        Ok(value)
    } else {
        Err(Error::invalid(
            name,
            crate::format::significant(value, 6),
            expected,
        ))
    }
}
