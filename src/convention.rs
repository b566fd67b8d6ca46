//! Conventions: how long a day, a month and a year are, and which of them
//! an estimate used.
//!
//! Sources disagree, and learners trip over it: system-design-primer uses
//! 2.5 million seconds per month, interviewers round a day to 10⁵ s, most
//! people use 86,400 s and a 365-day year. napkin defaults to the exact
//! figures and prints the convention next to every figure that depends on it.

use std::fmt;

/// A time base: the denominator a rate is expressed and shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Per {
    /// Per second.
    Second,
    /// Per minute (60 s).
    Minute,
    /// Per hour (3,600 s).
    Hour,
    /// Per day (86,400 s by default).
    Day,
    /// Per week (7 days).
    Week,
    /// Per month (a twelfth of a year by default).
    Month,
    /// Per year (365 days by default).
    Year,
}

impl Per {
    /// All time bases, shortest first.
    pub const ALL: [Per; 7] = [
        Per::Second,
        Per::Minute,
        Per::Hour,
        Per::Day,
        Per::Week,
        Per::Month,
        Per::Year,
    ];

    /// The short label used after a slash: `s`, `min`, `h`, `day`, `week`, `month`, `year`.
    pub fn label(self) -> &'static str {
        match self {
            Per::Second => "s",
            Per::Minute => "min",
            Per::Hour => "h",
            Per::Day => "day",
            Per::Week => "week",
            Per::Month => "month",
            Per::Year => "year",
        }
    }

    /// Reads a time-base label (`s`, `sec`, `second`, `min`, `h`, `hr`, `hour`,
    /// `d`, `day`, `wk`, `week`, `mo`, `month`, `y`, `yr`, `year`), singular or plural.
    pub fn from_label(label: &str) -> Option<Per> {
        let l = label.trim().to_ascii_lowercase();
        let l = l.strip_suffix('s').filter(|s| s.len() > 1).unwrap_or(&l);
        Some(match l {
            "s" | "sec" | "second" => Per::Second,
            "min" | "minute" => Per::Minute,
            "h" | "hr" | "hour" => Per::Hour,
            "d" | "day" => Per::Day,
            "wk" | "week" => Per::Week,
            "mo" | "month" => Per::Month,
            "y" | "yr" | "year" | "a" => Per::Year,
            _ => return None,
        })
    }
}

impl fmt::Display for Per {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The lengths of a day, a month and a year an estimate uses.
///
/// ```
/// use napkin::convention::{Conventions, Per};
/// assert_eq!(Conventions::EXACT.seconds(Per::Day), 86_400.0);
/// assert_eq!(Conventions::PRIMER.seconds(Per::Month), 2_500_000.0);
/// assert_eq!(Conventions::NAPKIN.seconds(Per::Day), 100_000.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Conventions {
    /// A short name printed next to figures: `exact`, `napkin`, `primer`.
    pub name: &'static str,
    /// Seconds in a day.
    pub day: f64,
    /// Seconds in a month.
    pub month: f64,
    /// Seconds in a year.
    pub year: f64,
}

impl Conventions {
    /// 86,400 s/day, a 365-day year, a month of a twelfth of that (2,628,000 s).
    /// napkin's default.
    pub const EXACT: Conventions = Conventions {
        name: "exact",
        day: 86_400.0,
        month: 2_628_000.0,
        year: 31_536_000.0,
    };

    /// The interview shortcut: 10⁵ s/day (15.7 % longer than a real day, so
    /// per-second rates come out 13.6 % low), 30-day months, 365-day years.
    pub const NAPKIN: Conventions = Conventions {
        name: "napkin",
        day: 100_000.0,
        month: 3_000_000.0,
        year: 36_500_000.0,
    };

    /// system-design-primer's (donnemartin, 2017–) handy conversion:
    /// 2.5 million seconds per month ("1 request per second = 2.5 million
    /// requests per month"), a 12-month year of 30 million seconds.
    pub const PRIMER: Conventions = Conventions {
        name: "primer",
        day: 86_400.0,
        month: 2_500_000.0,
        year: 30_000_000.0,
    };

    /// 86,400 s/day, 30-day months (2,592,000 s) and 12-month (360-day) years
    /// (31,104,000 s), as the published solutions that count a month as 30 days count a
    /// year: "30 days × 86,400 s" a month, "500 TB × 12 months × 5 years = 30 PB".
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let thirty = Conventions::THIRTY_DAY;
    /// assert_eq!(thirty.years(1.0).seconds(), 360.0 * 86_400.0);
    /// assert_eq!(thirty.years(5.0), thirty.months(60.0));
    /// ```
    pub const THIRTY_DAY: Conventions = Conventions {
        name: "30-day",
        day: 86_400.0,
        month: 2_592_000.0,
        year: 31_104_000.0,
    };

    /// The conventions napkin names, the default first: what a calendar note read from text
    /// ([`Conventions::with_period`]) is matched against.
    pub const NAMED: [Conventions; 4] = [
        Conventions::EXACT,
        Conventions::NAPKIN,
        Conventions::PRIMER,
        Conventions::THIRTY_DAY,
    ];

    /// How text names this convention's `per` where it is not the default's
    /// ([`Conventions::EXACT`]): `2.5M-s month` for the primer's month, `100K-s day` for the
    /// napkin day, `30-day month` for a month of 30 days of 86,400 s. `None` where `per` is
    /// as long as the default's (seconds, minutes and hours always are), so a quantity shows
    /// its calendar exactly where the calendar changes what its text means.
    ///
    /// ```
    /// use napkin::convention::{Conventions, Per};
    /// assert_eq!(Conventions::PRIMER.period_label(Per::Month).unwrap(), "2.5M-s month");
    /// assert_eq!(Conventions::NAPKIN.period_label(Per::Day).unwrap(), "100K-s day");
    /// assert_eq!(Conventions::THIRTY_DAY.period_label(Per::Month).unwrap(), "30-day month");
    /// assert_eq!(Conventions::THIRTY_DAY.period_label(Per::Year).unwrap(), "360-day year");
    /// assert_eq!(Conventions::PRIMER.period_label(Per::Day), None);
    /// ```
    pub fn period_label(&self, per: Per) -> Option<String> {
        let seconds = self.seconds(per);
        let default = Conventions::EXACT.seconds(per);
        if (seconds - default).abs() <= 1e-12 * default {
            return None;
        }
        let days = seconds / 86_400.0;
        let label = if matches!(per, Per::Month | Per::Year) && days == days.round() {
            format!("{days}-day {}", per.label())
        } else {
            format!("{}-s {}", exact_compact(seconds), per.label())
        };
        Some(label)
    }

    /// The calendar a text's `per` of `seconds` reads back as: the first named convention
    /// ([`Conventions::NAMED`]) whose `per` is that long, else the default with that length of
    /// `per` (named `custom`), so the text's amount reads back the same.
    pub fn with_period(per: Per, seconds: f64) -> Conventions {
        if let Some(named) = Conventions::NAMED
            .into_iter()
            .find(|c| (c.seconds(per) - seconds).abs() <= 1e-12 * seconds.abs())
        {
            return named;
        }
        let mut custom = Conventions {
            name: "custom",
            ..Conventions::EXACT
        };
        match per {
            Per::Day => custom.day = seconds,
            Per::Week => custom.day = seconds / 7.0,
            Per::Month => custom.month = seconds,
            Per::Year => custom.year = seconds,
            // Seconds, minutes and hours have one length.
            Per::Second | Per::Minute | Per::Hour => {}
        }
        custom
    }

    /// Seconds in one `per`.
    pub fn seconds(&self, per: Per) -> f64 {
        match per {
            Per::Second => 1.0,
            Per::Minute => 60.0,
            Per::Hour => 3_600.0,
            Per::Day => self.day,
            Per::Week => 7.0 * self.day,
            Per::Month => self.month,
            Per::Year => self.year,
        }
    }

    /// The relative error of this convention's `per` against [`Conventions::EXACT`]:
    /// `NAPKIN.error(Per::Day)` is +0.157 (a day 15.7 % too long).
    pub fn error(&self, per: Per) -> f64 {
        self.seconds(per) / Conventions::EXACT.seconds(per) - 1.0
    }

    /// One line describing the convention, for printing beside results:
    /// `exact: 86,400 s/day, month = 2,628,000 s (year/12), year = 365 days`.
    pub fn describe(&self) -> String {
        use crate::format::grouped;
        format!(
            "{}: {} s/day, {} s/month, {} s/year",
            self.name,
            grouped(self.day),
            grouped(self.month),
            grouped(self.year)
        )
    }
}

/// `x` with a count suffix, exactly and as short as it goes: `2.5M`, `100K`, `2.592M`, `90K`
/// (Rust prints the shortest decimal that reads back as the same `f64`).
fn exact_compact(x: f64) -> String {
    let (factor, suffix) = [(1e9, "bn"), (1e6, "M"), (1e3, "K")]
        .into_iter()
        .find(|(factor, _)| x.abs() >= *factor)
        .unwrap_or((1.0, ""));
    format!("{}{suffix}", x / factor)
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions::EXACT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for per in Per::ALL {
            assert_eq!(Per::from_label(per.label()), Some(per));
        }
        assert_eq!(Per::from_label("days"), Some(Per::Day));
        assert_eq!(Per::from_label("sec"), Some(Per::Second));
        assert_eq!(Per::from_label("fortnight"), None);
    }

    #[test]
    fn period_labels_read_back_as_their_calendar() {
        for c in Conventions::NAMED {
            for per in Per::ALL {
                match c.period_label(per) {
                    None => assert_eq!(c.seconds(per), Conventions::EXACT.seconds(per)),
                    Some(label) => {
                        let back = Conventions::with_period(per, c.seconds(per));
                        assert_eq!(back, c, "{label}");
                    }
                }
            }
        }
        assert_eq!(
            Conventions::NAPKIN.period_label(Per::Year).unwrap(),
            "36.5M-s year"
        );
        assert_eq!(
            Conventions::NAPKIN.period_label(Per::Week).unwrap(),
            "700K-s week"
        );
        assert_eq!(
            Conventions::PRIMER.period_label(Per::Year).unwrap(),
            "30M-s year"
        );
        assert_eq!(
            Conventions::THIRTY_DAY.period_label(Per::Year).unwrap(),
            "360-day year"
        );
        let back = Conventions::with_period(Per::Year, 360.0 * 86_400.0);
        assert_eq!(back, Conventions::THIRTY_DAY);
        // A 30-day month in a 365-day year: its year has no note, its month the 30-day one.
        let custom = Conventions {
            year: 365.0 * 86_400.0,
            ..Conventions::THIRTY_DAY
        };
        assert_eq!(custom.period_label(Per::Year), None);
        assert_eq!(custom.period_label(Per::Month).unwrap(), "30-day month");
        let back = Conventions::with_period(Per::Year, 364.0 * 86_400.0);
        assert_eq!((back.name, back.year), ("custom", 31_449_600.0));
    }

    #[test]
    fn napkin_day_error() {
        let e = Conventions::NAPKIN.error(Per::Day);
        assert!((e - 0.157_407).abs() < 1e-5, "{e}");
    }
}
