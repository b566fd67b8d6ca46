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
    /// A workload was given more named streams than it takes.
    #[error(
        "cannot add the stream {name:?}: a workload takes at most {max} named streams besides its writes and reads"
    )]
    TooManyStreams {
        /// The stream that did not fit.
        name: &'static str,
        /// How many a workload takes.
        max: usize,
    },
    /// A workload's rate is per user, but the workload has no user count.
    #[error(
        "the {what} are given per user, but the workload has no users: start from Workload::new(users(…), …) or give a total rate"
    )]
    PerUserWithoutUsers {
        /// Which traffic (`reads`, `stream "search"`).
        what: String,
    },
    /// A sweep would build more rows than it may.
    #[error(
        "the sweep has more than {max} rows (at {column} with {values} values); vary fewer values"
    )]
    TooManyRows {
        /// The most rows a sweep builds, grouped (`100,000,000`).
        max: String,
        /// The column at which the count passed it.
        column: String,
        /// Its number of values.
        values: usize,
    },
    /// A sweep axis has no values.
    #[error("{column} has no values to vary over")]
    NoValues {
        /// The axis's column.
        column: String,
    },
    /// A name (a stream, a reference row) that is not there.
    #[error("no {what} named {name:?}; there are: {available}")]
    NoName {
        /// What was looked up (`stream`, `MEASURED_2026 row`).
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The names there are, comma-separated.
        available: String,
    },
    /// A chart or frame was asked for a column it does not have.
    #[error("no column {name:?}; the frame has: {available}")]
    NoColumn {
        /// The column asked for.
        name: String,
        /// The columns there are, quoted and comma-separated.
        available: String,
    },
    /// A column is not numbers.
    #[error("column {name:?} is not numeric: {reason}")]
    NotNumeric {
        /// The column.
        name: String,
        /// What polars said.
        reason: String,
    },
    /// A chart has nothing it can draw.
    #[error("nothing to plot: {0}")]
    NothingToPlot(&'static str),
    /// Drawing or encoding a chart failed (a font, plotters, the PNG encoder).
    #[error("chart drawing failed: {0}")]
    Chart(String),
    /// polars refused a frame.
    #[error("polars: {0}")]
    Polars(String),
}

impl From<polars::prelude::PolarsError> for Error {
    /// polars' own error, as [`Error::Polars`].
    fn from(e: polars::prelude::PolarsError) -> Error {
        Error::Polars(e.to_string())
    }
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
