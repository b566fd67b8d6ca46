//! Number formatting for estimates: significant figures, magnitude suffixes
//! (K, M, bn, T), SI and binary byte prefixes, bits, and durations on a human ladder.
//!
//! Every function here takes any `f64`, finite or not, and never panics.
//! Rounding happens once, at the end: `999.95` with three significant figures
//! becomes `1.00K`, not `1000`.

/// Significant figures used when nothing else is asked for.
pub const DEFAULT_SIG_FIGS: usize = 3;

/// Largest number of significant figures the formatter will print.
pub const MAX_SIG_FIGS: usize = 15;

/// Which byte prefixes to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ByteUnits {
    /// Powers of 1000: KB, MB, GB, TB, PB, EB (1 KB = 1000 B).
    #[default]
    Si,
    /// Powers of 1024: KiB, MiB, GiB, TiB, PiB, EiB (1 KiB = 1024 B).
    Binary,
}

/// Count suffixes. A billion is `bn`, never `B`, which is a byte: `5.00bn` vs `5.00 B`.
const COUNT_LADDER: &[(f64, &str)] = &[(1.0, ""), (1e3, "K"), (1e6, "M"), (1e9, "bn"), (1e12, "T")];

/// Counts from here on print in scientific notation (`5.40e15`), not as thousands of T.
const COUNT_SCIENTIFIC: f64 = 1e15;

/// Whole counts below this print exactly when rounding would change them (`4,096`, not
/// `4.10K`). Larger ones keep three figures, so a computed 133,200 reads "133K" beside its
/// neighbours; the HTML display shows every value's exact number on hover.
const EXACT_BELOW: f64 = 1e4;

const SI_BYTES: &[(f64, &str)] = &[
    (1.0, "B"),
    (1e3, "KB"),
    (1e6, "MB"),
    (1e9, "GB"),
    (1e12, "TB"),
    (1e15, "PB"),
    (1e18, "EB"),
];

const BINARY_BYTES: &[(f64, &str)] = &[
    (1.0, "B"),
    (1024.0, "KiB"),
    (1_048_576.0, "MiB"),
    (1_073_741_824.0, "GiB"),
    (1_099_511_627_776.0, "TiB"),
    (1_125_899_906_842_624.0, "PiB"),
    (1_152_921_504_606_846_976.0, "EiB"),
];

const BITS: &[(f64, &str)] = &[
    (1.0, "bps"),
    (1e3, "Kbps"),
    (1e6, "Mbps"),
    (1e9, "Gbps"),
    (1e12, "Tbps"),
    (1e15, "Pbps"),
];

/// Rounds `x` to `sig` significant figures and returns the text, with the
/// number of decimals that shows exactly `sig` figures (`1.00`, `11.6`, `365`).
///
/// Values too small or too large for positional notation use scientific
/// notation (`1.50e-7`). Non-finite values become `NaN`, `inf` or `-inf`.
pub fn significant(x: f64, sig: usize) -> String {
    let sig = sig.clamp(1, MAX_SIG_FIGS);
    if !x.is_finite() {
        return non_finite(x);
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..21).contains(&magnitude) {
        return format!("{:.*e}", sig - 1, x);
    }
    // Round first, then decide the decimals: 9.996 → 10.0 (not 10.00).
    let rounded = round_to(x, sig as i32 - 1 - magnitude);
    if rounded == 0.0 {
        return "0".to_string();
    }
    let magnitude = rounded.abs().log10().floor() as i32;
    let decimals = sig as i32 - 1 - magnitude;
    if decimals >= 0 {
        format!("{:.*}", decimals as usize, rounded)
    } else {
        format!("{:.0}", round_to(rounded, decimals))
    }
}

/// Rounds `x` to `decimals` decimal places (negative `decimals` round to tens,
/// hundreds, …), half away from zero on the number as written: the shortest
/// decimal text that reads back as `x`, so 0.125 → 0.13 and 312.5 → 313, as a
/// learner rounds by hand (not to even, and not by the binary value's last bits).
fn round_to(x: f64, decimals: i32) -> f64 {
    let text = format!("{:e}", x.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|d| d - b'0')
        .collect();
    // Digits kept: those down to 10^-decimals; the first digit is 10^exponent.
    let keep = exponent + 1 + decimals;
    if keep < 0 {
        return 0.0;
    }
    let keep = keep as usize;
    let mut kept: Vec<u8> = digits.iter().copied().take(keep).collect();
    kept.resize(keep, 0);
    let mut value = kept.iter().fold(0f64, |acc, d| acc * 10.0 + f64::from(*d));
    if digits.get(keep).is_some_and(|d| *d >= 5) {
        value += 1.0;
    }
    // value counts units of 10^-decimals.
    let magnitude = if decimals >= 0 {
        value / 10f64.powi(decimals)
    } else {
        value * 10f64.powi(-decimals)
    };
    magnitude.copysign(x)
}

fn non_finite(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

/// Picks the ladder step for `x` and returns `(scaled text, suffix)`.
///
/// The step is chosen after rounding, so `999.95` becomes `("1.00", "K")`.
fn scaled(x: f64, sig: usize, ladder: &[(f64, &'static str)]) -> (String, &'static str) {
    if !x.is_finite() {
        return (non_finite(x), ladder[0].1);
    }
    let abs = x.abs();
    let mut index = ladder
        .iter()
        .rposition(|(factor, _)| abs >= *factor)
        .unwrap_or(0);
    loop {
        let (factor, suffix) = ladder[index];
        let text = significant(x / factor, sig);
        let shown: f64 = text.parse().unwrap_or(0.0);
        let next = ladder.get(index + 1);
        match next {
            Some((next_factor, _)) if shown.abs() * factor >= *next_factor => index += 1,
            _ => return (text, suffix),
        }
    }
}

/// A plain count with a magnitude suffix: `11.6K`, `100M`, `1.00bn`, `42`.
///
/// K = thousand, M = million, bn = billion, T = trillion (short scale, as
/// interviewers say them).
pub fn count(x: f64) -> String {
    count_sig(x, DEFAULT_SIG_FIGS)
}

/// [`count`] with a chosen number of significant figures.
///
/// A whole number below ten thousand that the rounding would change prints in
/// full (`4,096`, `1,234`); one it would not stays short (`1.00K`), and so do larger
/// ones (`65.5K` for 65,536).
/// From 10¹⁵ on, counts use scientific notation (`5.40e15`).
pub fn count_sig(x: f64, sig: usize) -> String {
    if x.is_finite() && x.abs() >= COUNT_SCIENTIFIC {
        return format!("{:.*e}", sig.clamp(1, MAX_SIG_FIGS) - 1, x);
    }
    let (text, suffix) = scaled(x, sig, COUNT_LADDER);
    if let Some(x) = whole(x)
        && x.abs() < EXACT_BELOW
    {
        let factor = COUNT_LADDER
            .iter()
            .find(|(_, s)| *s == suffix)
            .map_or(1.0, |(f, _)| *f);
        let shown: f64 = text.parse().unwrap_or(f64::NAN);
        if shown * factor != x {
            return grouped(x);
        }
        if suffix.is_empty() {
            return format!("{x:.0}");
        }
    }
    format!("{text}{suffix}")
}

/// [`count`] without trailing zeros, for labels: `1M`, `1.5K`, `11.6K`.
pub fn compact(x: f64) -> String {
    let (text, suffix) = scaled(x, DEFAULT_SIG_FIGS, COUNT_LADDER);
    let text = if text.contains('.') && !text.contains('e') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{suffix}")
}

/// `x` as a whole number, if it is one up to float noise (5e6 × 1 / 10⁵ is 50.000000000000007):
/// within 10⁻¹² of it, relatively.
fn whole(x: f64) -> Option<f64> {
    let w = x.round();
    (x.is_finite() && (x - w).abs() <= 1e-12 * w.abs()).then_some(w)
}

/// A byte amount with SI prefixes: `1.00 TB`, `512 B`.
pub fn bytes(x: f64) -> String {
    bytes_sig(x, DEFAULT_SIG_FIGS, ByteUnits::Si)
}

/// A byte amount with binary prefixes: `1.00 TiB`, `1.50 KiB`.
pub fn bytes_binary(x: f64) -> String {
    bytes_sig(x, DEFAULT_SIG_FIGS, ByteUnits::Binary)
}

/// A byte amount with a chosen precision and prefix family.
pub fn bytes_sig(x: f64, sig: usize, units: ByteUnits) -> String {
    let ladder = match units {
        ByteUnits::Si => SI_BYTES,
        ByteUnits::Binary => BINARY_BYTES,
    };
    let (text, unit) = scaled(x, sig, ladder);
    if let Some(x) = whole(x)
        && unit == "B"
    {
        // Whole bytes are whole: `50 B`, not `50.0 B`.
        return format!("{x:.0} B");
    }
    format!("{text} {unit}")
}

/// A bit rate from a byte rate: `92.6 Mbps` for 11.6 MB/s.
pub fn bits_per_second(bytes_per_second: f64, sig: usize) -> String {
    let (text, unit) = scaled(bytes_per_second * 8.0, sig, BITS);
    format!("{text} {unit}")
}

/// A duration in seconds, on a human ladder.
///
/// Below a minute the value is shown with three significant figures in the
/// best of ns, µs, ms and s (`100 ns`, `1.50 ms`, `45.0 s`). From a minute on,
/// up to three adjacent components of y (365 days), d, h, m, s are shown, the
/// last one rounded: `8h 45m 36s`, `1d 1h 1m`, `3y 0d 0h`. From a hundred
/// years on, only years are shown: `312 years`, `9.51K years`.
pub fn duration(seconds: f64) -> String {
    duration_sig(seconds, DEFAULT_SIG_FIGS)
}

/// [`duration`] with a chosen precision for sub-minute values.
pub fn duration_sig(seconds: f64, sig: usize) -> String {
    if !seconds.is_finite() {
        return format!("{} s", non_finite(seconds));
    }
    if seconds < 0.0 {
        return format!("-{}", duration_sig(-seconds, sig));
    }
    if seconds == 0.0 {
        return "0 s".to_string();
    }
    let small: &[(f64, &str)] = &[(1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s")];
    let short = significant(seconds, sig);
    let shown: f64 = short.parse().unwrap_or(seconds);
    if shown < 60.0 {
        let (text, unit) = scaled(seconds, sig, small);
        if seconds < 1e-9 {
            return format!("{} ns", significant(seconds * 1e9, sig));
        }
        return format!("{text} {unit}");
    }
    ladder(seconds)
}

const LADDER: &[(f64, &str)] = &[
    (31_536_000.0, "y"),
    (86_400.0, "d"),
    (3_600.0, "h"),
    (60.0, "m"),
    (1.0, "s"),
];

fn ladder(seconds: f64) -> String {
    let years = seconds / LADDER[0].0;
    if years >= 99.5 {
        return format!("{} years", count_sig(years, DEFAULT_SIG_FIGS));
    }
    let first = LADDER
        .iter()
        .position(|(size, _)| seconds >= *size)
        .unwrap_or(LADDER.len() - 1);
    let last = (first + 2).min(LADDER.len() - 1);
    let unit = LADDER[last].0;
    let mut rest = (seconds / unit).round() * unit;
    // Rounding may carry into a larger unit (59.6 s → 1m 0s); start again from the top.
    let first = LADDER
        .iter()
        .position(|(size, _)| rest >= *size)
        .unwrap_or(first);
    let last = (first + 2).min(LADDER.len() - 1);
    let mut parts = Vec::with_capacity(3);
    for (size, name) in &LADDER[first..=last] {
        let whole = (rest / size).floor();
        rest -= whole * size;
        parts.push(format!("{whole}{name}"));
    }
    parts.join(" ")
}

/// A whole count with its noun, grouped and agreeing in number: `1 server`,
/// `391,072 servers`.
///
/// ```
/// use napkin::format::counted;
/// assert_eq!(counted(1.0, "server", "servers"), "1 server");
/// assert_eq!(counted(391_072.0, "server", "servers"), "391,072 servers");
/// ```
pub fn counted(n: f64, singular: &str, plural: &str) -> String {
    let noun = if n == 1.0 { singular } else { plural };
    format!("{} {noun}", grouped(n))
}

/// A number with thousands separators and no rounding to significant
/// figures: `86,400`, `2,500,000`, `0.5`.
pub fn grouped(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let abs = x.abs();
    let whole = abs.trunc();
    let frac = abs - whole;
    let mut out = group_digits(&format!("{whole:.0}"));
    let tail = format!("{frac:.3}");
    let tail = tail.trim_end_matches('0').trim_end_matches('.');
    if let Some(decimals) = tail.strip_prefix('0') {
        out.push_str(decimals);
    }
    format!("{sign}{out}")
}

/// A whole number with thousands separators, exactly: `18,446,744,073,709,551,616`.
pub fn grouped_u128(n: u128) -> String {
    group_digits(&n.to_string())
}

/// `1234567` → `1,234,567`.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plain factor or ratio: up to three significant figures, no trailing
/// zeros (`3`, `2.5`, `100`, `0.2`).
pub fn factor(x: f64) -> String {
    let s = significant(x, DEFAULT_SIG_FIGS);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Writes `value`'s `Display` text as its `Debug` text, as `std::time::Duration` does, so a
/// tuple, `Vec` or `Option` of napkin values reads `(34.7K req/s, 365 TB/year)`. A precision
/// (`{:.4?}`) is passed on; the alternate flag of `{:#?}` (pretty structs) is not, so a size
/// keeps its prefix family inside a pretty-printed struct.
pub(crate) fn debug_as_display(
    value: &impl std::fmt::Display,
    f: &mut std::fmt::Formatter<'_>,
) -> std::fmt::Result {
    match f.precision() {
        Some(precision) => write!(f, "{value:.precision$}"),
        None => write!(f, "{value}"),
    }
}

/// A percentage with three significant figures: `13.6 %`, `-0.25 %`.
pub fn percent(fraction: f64) -> String {
    format!("{} %", significant(fraction * 100.0, DEFAULT_SIG_FIGS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_figures() {
        assert_eq!(significant(11574.074, 3), "11600");
        assert_eq!(significant(1.0, 3), "1.00");
        assert_eq!(significant(9.996, 3), "10.0");
        assert_eq!(significant(0.000123456, 3), "0.000123");
        assert_eq!(significant(1.5e-7, 3), "1.50e-7");
        assert_eq!(significant(f64::NAN, 3), "NaN");
    }

    #[test]
    fn counts_pick_the_suffix_after_rounding() {
        assert_eq!(count(11574.074), "11.6K");
        assert_eq!(count(34722.2), "34.7K");
        assert_eq!(count(999.95), "1.00K");
        assert_eq!(count(999.4), "999");
        assert_eq!(count(100e6), "100M");
        assert_eq!(count(1e9), "1.00bn");
        assert_eq!(count(5.4e15), "5.40e15");
        assert_eq!(count(999e12), "999T");
        assert_eq!(count(-2500.0), "-2.50K");
        assert_eq!(count(0.5), "0.500");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(f64::INFINITY), "inf");
    }

    #[test]
    fn whole_counts_print_exactly_when_rounding_would_change_them() {
        assert_eq!(count(4096.0), "4,096");
        assert_eq!(count(1234.0), "1,234");
        assert_eq!(count(100e3), "100K");
        assert_eq!(count(1000.0), "1.00K");
        assert_eq!(count(42.0), "42");
        assert_eq!(count(2f64.powi(42)), "4.40T");
        assert_eq!(bytes(50.0), "50 B");
        assert_eq!(bytes(50.5), "50.5 B");
    }

    #[test]
    fn ties_round_away_from_zero() {
        assert_eq!(significant(312.5, 3), "313");
        assert_eq!(significant(0.125, 2), "0.13");
        assert_eq!(significant(-2.5, 1), "-3");
        assert_eq!(significant(1.005, 3), "1.01");
        assert_eq!(bytes(312.5e6), "313 MB");
    }

    #[test]
    fn byte_prefixes() {
        assert_eq!(bytes(1e12), "1.00 TB");
        assert_eq!(bytes(365e12), "365 TB");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(999_950.0), "1.00 MB");
        assert_eq!(bytes_binary(1536.0), "1.50 KiB");
        assert_eq!(bytes_binary(1024.0 * 1024.0), "1.00 MiB");
        assert_eq!(bits_per_second(11.574e6, 3), "92.6 Mbps");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(31_536.0), "8h 45m 36s");
        assert_eq!(duration(90_061.0), "1d 1h 1m");
        assert_eq!(duration(59.96), "1m 0s");
        assert_eq!(duration(1.5e-3), "1.50 ms");
        assert_eq!(duration(100e-9), "100 ns");
        assert_eq!(duration(0.5e-9), "0.500 ns");
        assert_eq!(duration(45.0), "45.0 s");
        assert_eq!(duration(3.0 * 31_536_000.0), "3y 0d 0h");
        assert_eq!(duration(5e9 * 60.0), "9.51K years");
        assert_eq!(duration(312.0 * 31_536_000.0), "312 years");
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped(86_400.0), "86,400");
        assert_eq!(grouped(2_500_000.0), "2,500,000");
        assert_eq!(grouped(100.0), "100");
        assert_eq!(grouped(0.5), "0.5");
        assert_eq!(grouped(-1234.0), "-1,234");
    }
}
