//! Reading quantities from text: `1.5 KiB`, `10 req/day`, `11.6K req/s`,
//! `8h 45m 36s`. The inverse of [`crate::format`]: what napkin prints, it reads. A number is
//! read as the decimal it is written as, with its magnitude suffix and any decimal unit
//! (`K`, `KB`, `Mbps`, `ms`) applied to the digits and rounded once: `2.01K` is 2,010.

use crate::convention::Per;
use crate::error::Error;
use crate::format::ByteUnits;

/// A number with its unit text, split but not yet interpreted.
pub(crate) struct NumberAndUnit {
    /// The number with any magnitude suffix (K, M, bn or B, T) applied, scaled in decimal:
    /// `2.01K` is 2,010 exactly.
    pub value: f64,
    /// The unit, lower-cased except for byte units, trimmed; may be empty.
    pub unit: String,
    /// The number as written (`2.01`, `1.5e-7`) and the power of ten its suffix adds, so a
    /// unit's decimal factor scales it exactly too ([`NumberAndUnit::times`]).
    number: String,
    pow10: i32,
    input: String,
    expected: &'static str,
}

impl NumberAndUnit {
    /// The value in a unit of `factor` base units: a power of ten (`KB`, `Mbps`, `ms`) is
    /// applied to the decimal text, so `2.01 KB` is 2,010 B exactly; any other factor
    /// (`KiB`, minutes) multiplies the value, rounding once more.
    pub fn times(&self, factor: f64) -> f64 {
        match power_of_ten(factor) {
            Some(k) => decimal(&self.number, self.pow10 + k).unwrap_or(self.value * factor),
            None => self.value * factor,
        }
    }

    /// The error for a unit this quantity does not take.
    pub fn unknown_unit(&self, valid: &str) -> Error {
        Error::parse(
            &self.input,
            self.expected,
            format!("unknown unit {:?} (use {valid})", self.unit),
        )
    }
}

/// Splits `"11.6K req/s"` into 11,600 and `"req/s"`.
///
/// A magnitude suffix must touch the number (`11.6K`, `100M`, `1.00bn`, `1.00B`); a
/// letter after a space is the unit (`1 B` is one byte).
pub(crate) fn number_and_unit(s: &str, expected: &'static str) -> Result<NumberAndUnit, Error> {
    let t = s.trim();
    let t = t.replace(['_', ','], "");
    let end = number_len(&t);
    let number = &t[..end];
    if number.is_empty() || number == "-" || number == "+" {
        return Err(Error::parse(s, expected, "it does not start with a number"));
    }
    let not_a_number = || Error::parse(s, expected, format!("{number:?} is not a number"));
    number.parse::<f64>().map_err(|_| not_a_number())?;
    let mut rest = &t[end..];
    let mut pow10 = 0;
    let touches = |after: &str| after.is_empty() || after.starts_with(char::is_whitespace);
    if let Some(after) = rest.strip_prefix("bn")
        && touches(after)
    {
        pow10 = 9;
        rest = after;
    }
    let mut chars = rest.chars();
    if let Some(c) = chars.next()
        && pow10 == 0
    {
        let after = chars.as_str();
        let touches_end = touches(after);
        let suffix = match c {
            'K' | 'k' => Some(3),
            'M' => Some(6),
            'B' | 'G' => Some(9),
            'T' => Some(12),
            _ => None,
        };
        if let Some(suffix) = suffix
            && touches_end
        {
            pow10 = suffix;
            rest = after;
        }
    }
    // The digits and the suffix's power of ten make one decimal, rounded once.
    let value = decimal(number, pow10).ok_or_else(not_a_number)?;
    if !value.is_finite() {
        return Err(Error::parse(s, expected, "the number is not finite"));
    }
    let unit = rest.trim();
    let unit = if byte_unit(unit.split('/').next().unwrap_or("")).is_some() {
        unit.to_string()
    } else {
        unit.to_lowercase()
    };
    Ok(NumberAndUnit {
        value,
        unit,
        number: number.to_string(),
        pow10,
        input: s.to_string(),
        expected,
    })
}

/// The length of the number at the start of `t`: digits, a point, a
/// leading sign and an exponent (`1.5e-7`).
fn number_len(t: &str) -> usize {
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i
}

/// The number written as `number` (digits, a point, an optional exponent: `2.01`, `1.5e-7`)
/// times 10^`pow10`, scaled in decimal and rounded once: `2.01` with 3 is 2,010 exactly, not
/// 2.01 × 1000 in binary floating point (2009.9999999999998). `None` if it is not a number.
pub(crate) fn decimal(number: &str, pow10: i32) -> Option<f64> {
    let (mantissa, exponent) = match number.find(['e', 'E']) {
        Some(i) => (&number[..i], number[i + 1..].parse::<i32>().ok()?),
        None => (number, 0),
    };
    if mantissa.is_empty() || mantissa.contains(['e', 'E']) {
        return None;
    }
    format!("{mantissa}e{}", exponent.checked_add(pow10)?)
        .parse()
        .ok()
}

/// `k` if `factor` is exactly 10^`k` (as an `f64`), for `k` from -18 to 18.
fn power_of_ten(factor: f64) -> Option<i32> {
    (-18..=18).find(|k| format!("1e{k}").parse::<f64>() == Ok(factor))
}

/// Splits a calendar note off the end of a quantity's text: `10.0M req/month (2.5M-s month)`
/// gives `10.0M req/month` and the month's 2,500,000 s; `(30-day month)` 30 days of 86,400 s
/// ([`crate::convention::Conventions::period_label`] writes them). Text without one — or
/// with another bracket, as a bandwidth's `(92.6 Mbps)` — comes back whole.
pub(crate) fn calendar_note(s: &str) -> (&str, Option<(Per, f64)>) {
    let t = s.trim_end();
    let note = t
        .strip_suffix(')')
        .and_then(|t| t.rfind('(').map(|open| (&t[..open], &t[open + 1..])));
    let Some((head, inside)) = note else {
        return (s, None);
    };
    let Some((length, per)) = inside.trim().rsplit_once(' ') else {
        return (s, None);
    };
    let Some(per) = Per::from_label(per) else {
        return (s, None);
    };
    let seconds = if let Some(days) = length.strip_suffix("-day") {
        days.parse::<f64>().ok().map(|d| d * 86_400.0)
    } else if let Some(count) = length.strip_suffix("-s") {
        let (number, pow10) = match count.strip_suffix("bn") {
            Some(n) => (n, 9),
            None => match count.strip_suffix(['K', 'M']) {
                Some(n) if count.ends_with('K') => (n, 3),
                Some(n) => (n, 6),
                None => (count, 0),
            },
        };
        decimal(number, pow10)
    } else {
        None
    };
    match seconds {
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            (head.trim_end(), Some((per, seconds)))
        }
        _ => (s, None),
    }
}

/// True for the words napkin accepts as "requests".
pub(crate) fn is_request_word(w: &str) -> bool {
    let w = w.trim().to_lowercase();
    matches!(
        w.as_str(),
        "req"
            | "reqs"
            | "request"
            | "requests"
            | "action"
            | "actions"
            | "event"
            | "events"
            | "op"
            | "ops"
            | "operation"
            | "operations"
            | "query"
            | "queries"
            | "write"
            | "writes"
            | "read"
            | "reads"
            | "msg"
            | "msgs"
            | "message"
            | "messages"
            | "item"
            | "items"
    )
}

/// Splits `"req/day"` into `("req", Per::Day)`.
pub(crate) fn split_per(unit: &str) -> Option<(&str, Per)> {
    let (what, per) = unit.rsplit_once('/')?;
    Some((what.trim(), Per::from_label(per)?))
}

/// The size in bytes of a byte unit, and its prefix family.
pub(crate) fn byte_unit(unit: &str) -> Option<(f64, ByteUnits)> {
    use ByteUnits::{Binary, Si};
    let u = unit.trim();
    Some(match u {
        "B" | "byte" | "bytes" => (1.0, Si),
        "bit" | "bits" | "b" => (0.125, Si),
        "KB" | "kB" | "kb" => (1e3, Si),
        "MB" => (1e6, Si),
        "GB" => (1e9, Si),
        "TB" => (1e12, Si),
        "PB" => (1e15, Si),
        "EB" => (1e18, Si),
        "KiB" => (1024.0, Binary),
        "MiB" => (1_048_576.0, Binary),
        "GiB" => (1_073_741_824.0, Binary),
        "TiB" => (1_099_511_627_776.0, Binary),
        "PiB" => (1_125_899_906_842_624.0, Binary),
        "EiB" => (1_152_921_504_606_846_976.0, Binary),
        _ => return None,
    })
}

/// Bits per second in one of a bit-rate unit (`Mbps`, `Gbit/s`).
pub(crate) fn bit_rate_unit(unit: &str) -> Option<f64> {
    let u = unit.trim().to_lowercase();
    Some(match u.as_str() {
        "bps" | "bit/s" => 1.0,
        "kbps" | "kbit/s" => 1e3,
        "mbps" | "mbit/s" => 1e6,
        "gbps" | "gbit/s" => 1e9,
        "tbps" | "tbit/s" => 1e12,
        "pbps" | "pbit/s" => 1e15,
        _ => return None,
    })
}

fn seconds_of(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" | "nanosecond" | "nanoseconds" => 1e-9,
        "µs" | "us" | "μs" | "microsecond" | "microseconds" => 1e-6,
        "ms" | "millisecond" | "milliseconds" => 1e-3,
        _ => {
            return Per::from_label(unit).map(|p| crate::convention::Conventions::EXACT.seconds(p));
        }
    })
}

/// A duration read from text.
pub(crate) struct DurationText {
    /// Its length in seconds, a day, month and year being the default's.
    pub seconds: f64,
    /// The number and the unit, when the text is a number of one time base (`3 days`,
    /// `5.00bn min`), with the number as written (scaled in decimal, not yet multiplied).
    pub unit: Option<(f64, Per)>,
}

/// Reads a duration: `100 ns`, `1.5 ms`, `3 years`, or a ladder `8h 45m 36s`
/// (where a bare `m` means minutes).
pub(crate) fn duration(s: &str) -> Result<DurationText, Error> {
    const EXPECTED: &str = "a duration such as `1.5 ms`, `3 days` or `8h 45m 36s`";
    // Thousands separators, as a count of years prints them: `8,140 years`.
    let t = s.trim().replace(['_', ','], "");
    let t = t.as_str();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    if t.is_empty() {
        return Err(Error::parse(s, EXPECTED, "it is empty"));
    }
    let mut total = 0.0;
    let mut rest = t;
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let end = number_len(rest);
        let number = &rest[..end];
        let not_a_number = || Error::parse(s, EXPECTED, format!("{number:?} is not a number"));
        number.parse::<f64>().map_err(|_| not_a_number())?;
        rest = rest[end..].trim_start();
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
            .unwrap_or(rest.len());
        let mut unit = &rest[..unit_end];
        // A count suffix between the number and the unit: `2.5M s` (the primer's month).
        let suffix = match unit {
            "K" => 3,
            "M" => 6,
            "G" | "B" | "bn" => 9,
            "T" => 12,
            _ => 0,
        };
        let mut pow10 = 0;
        if suffix != 0
            && rest[unit_end..]
                .trim_start()
                .starts_with(char::is_alphabetic)
        {
            rest = rest[unit_end..].trim_start();
            let next_end = rest
                .find(|c: char| c.is_ascii_digit() || c.is_whitespace())
                .unwrap_or(rest.len());
            unit = &rest[..next_end];
            rest = &rest[next_end..];
            pow10 = suffix;
        } else {
            rest = &rest[unit_end..];
        }
        let factor = match unit {
            "m" => 60.0,
            "" => return Err(Error::parse(s, EXPECTED, format!("{number} has no unit"))),
            u => seconds_of(&u.to_lowercase())
                .ok_or_else(|| Error::parse(s, EXPECTED, format!("unknown time unit {u:?}")))?,
        };
        // Decimal units (`1.5 ms`, `2.5M s`) scale the text exactly; others multiply.
        let count = decimal(number, pow10).ok_or_else(not_a_number)?;
        let value = match power_of_ten(factor) {
            Some(k) => decimal(number, pow10 + k).ok_or_else(not_a_number)?,
            None => count * factor,
        };
        total += value;
        parts.push((count, Per::from_label(unit).filter(|_| unit != "m")));
        rest = rest.trim_start();
    }
    let sign = if negative { -1.0 } else { 1.0 };
    let unit = match parts.as_slice() {
        [(count, Some(per))] => Some((sign * count, *per)),
        _ => None,
    };
    Ok(DurationText {
        seconds: sign * total,
        unit,
    })
}
