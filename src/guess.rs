//! Ranges: a learner's inputs are guesses. [`between`] makes a [`Guess`] — a low, a likely and a
//! high value of one quantity — and the arithmetic of napkin's quantities carries it along, so
//! `between(users(50e6), users(80e6)) * per_user_per_day(10.0)` is a rate with a range; a
//! [`Workload`](crate::estimate::Workload) takes a guess for any of its inputs and its
//! estimate gives every figure with its range.
//!
//! What a range means: **interval bounds**, not a probability. The low is the smallest value
//! the arithmetic can give from inputs inside their ranges, the high the largest; the likely
//! value is the arithmetic on the likely inputs. Products, quotients, sums and differences take
//! the extremes of their operands' bounds; every figure of napkin's estimate rises with every
//! input, so an estimate's low is the chain run on every input's low and its high on every
//! input's high. Bounds are exact for that chain, and wider than a 90 % interval would be (two
//! inputs at their lows at once is the worst case, not a likely one).
//!
//! ```
//! use napkin::prelude::*;
//! let dau = between(users(80e6), users(128e6)).likely(users(100e6));
//! let avg = (dau * per_user_per_day(10.0)).shown_per(Per::Second);
//! assert_eq!(avg.to_string(), "11.6K req/s (9.26K–14.8K)");
//! assert_eq!((avg * 3.0).high.to_string(), "44.4K req/s");
//! ```

use std::fmt;
use std::ops::{Add, Div, Mul, Sub};

use crate::convention::Per;
use crate::format;
use crate::quantity::{
    Area, Bandwidth, Bytes, Density, Duration, Items, Length, Money, PerUser, Rate, Requests,
    Spend, UserRate, UserTime, Users,
};

/// A guessed quantity: its `low` and `high` bounds and the `likely` value between them.
///
/// Made by [`between`] (and [`Guess::likely`]); a plain quantity is a guess with no spread
/// (`Guess::from(users(1e6))`). It prints as its likely value with the bounds after it:
/// `11.6K req/s (9.26K–14.8K)`; `{:?}` prints the same.
#[derive(Clone, Copy, PartialEq)]
pub struct Guess<Q> {
    /// The smallest value.
    pub low: Q,
    /// The value the arithmetic gives on the likely inputs.
    pub likely: Q,
    /// The largest value.
    pub high: Q,
}

/// A quantity a [`Guess`] can hold: napkin's quantities and plain `f64` factors.
pub trait Amount: Copy + PartialOrd + fmt::Display {
    /// The value halfway between `low` and `high` on a log scale (their geometric mean), or
    /// on a linear one when a bound is 0 or below.
    fn middle(low: Self, high: Self) -> Self;
    /// The value as text (a factor prints as `2.5`, not `2.5000000000000004`).
    fn text(&self) -> String {
        self.to_string()
    }
}

macro_rules! amount {
    ($($t:ty),* $(,)?) => {$(
        impl Amount for $t {
            fn middle(low: $t, high: $t) -> $t {
                let ratio = high / low;
                if low > low * 0.0 && ratio.is_finite() {
                    low * ratio.sqrt()
                } else {
                    low * 0.5 + high * 0.5
                }
            }
        }
    )*};
}

amount!(
    Users, Items, Requests, Rate, UserRate, Bytes, Bandwidth, Duration, Money, Spend, UserTime,
    Length, Area, Density
);

impl Amount for PerUser {
    fn middle(low: PerUser, high: PerUser) -> PerUser {
        let ratio = f64::middle(low.count(), high.count()) / low.count();
        if ratio.is_finite() {
            low * ratio
        } else {
            low * 0.5 + high * 0.5
        }
    }
}

impl Amount for f64 {
    fn middle(low: f64, high: f64) -> f64 {
        if low > 0.0 && (high / low).is_finite() {
            (low * high).sqrt()
        } else {
            (low + high) / 2.0
        }
    }
    fn text(&self) -> String {
        format::factor(*self)
    }
}

/// A guess from `low` to `high`, its likely value halfway on a log scale (the geometric mean:
/// `between(users(1e6), users(100e6))` is likely 10M), as fits a guess of a size or a rate.
/// Say the likely value with [`Guess::likely`].
///
/// # Panics
///
/// At the caller's line when `low` is above `high`, or a bound is not a number, as std's
/// constructors do: `between(80M users, 50M users): low is above high`.
#[track_caller]
pub fn between<Q: Amount>(low: Q, high: Q) -> Guess<Q> {
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    if !(low <= high) {
        let why = if low > high {
            "low is above high (write `between(low, high)`)"
        } else {
            "a bound is not a number"
        };
        panic!("between({}, {}): {why}", low.text(), high.text());
    }
    Guess {
        low,
        likely: Q::middle(low, high),
        high,
    }
}

impl<Q: Amount> Guess<Q> {
    /// The same range with `likely` as its likely value.
    ///
    /// # Panics
    ///
    /// At the caller's line when `likely` is outside the range.
    #[track_caller]
    pub fn likely(self, likely: Q) -> Guess<Q> {
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(self.low <= likely && likely <= self.high) {
            panic!(
                "Guess::likely({}): outside the range {}–{}",
                likely.text(),
                self.low.text(),
                self.high.text()
            );
        }
        Guess { likely, ..self }
    }

    /// True when the low and the high differ: a guess, not a single value.
    pub fn is_range(&self) -> bool {
        self.low < self.high
    }

    /// Applies `f` to the low, the likely and the high value. `f` must be monotone (rising or
    /// falling: the bounds are sorted after), as unit changes and scalings are.
    pub fn map<R: Amount>(self, f: impl Fn(Q) -> R) -> Guess<R> {
        sorted(f(self.low), f(self.likely), f(self.high))
    }
}

/// A guess from the three values, bounds in order.
pub(crate) fn sorted<R: Amount>(a: R, likely: R, b: R) -> Guess<R> {
    if b < a {
        Guess {
            low: b,
            likely,
            high: a,
        }
    } else {
        Guess {
            low: a,
            likely,
            high: b,
        }
    }
}

/// The smallest and largest of the values.
fn extremes<R: Amount>(likely: R, values: [R; 4]) -> Guess<R> {
    let mut low = values[0];
    let mut high = values[0];
    for v in values {
        if v < low {
            low = v;
        }
        if v > high {
            high = v;
        }
    }
    Guess { low, likely, high }
}

impl<Q: Amount> From<Q> for Guess<Q> {
    fn from(q: Q) -> Guess<Q> {
        Guess {
            low: q,
            likely: q,
            high: q,
        }
    }
}

/// A value a napkin input takes: a quantity `Q` or a [`Guess`] of one (a range). Workload
/// builders take `impl Given<Q>`, so `.bytes_per_write(kb(1.0))` and
/// `.bytes_per_write(between(kb(1.0), kb(4.0)))` both read.
#[diagnostic::on_unimplemented(
    message = "expected `{Q}` or a range of it (`between(low, high)`), found `{Self}`",
    label = "expected `{Q}` here"
)]
pub trait Given<Q> {
    /// The value as a guess (a plain value: a guess with no spread).
    fn given(self) -> Guess<Q>;
}

impl<Q: Amount> Given<Q> for Q {
    fn given(self) -> Guess<Q> {
        Guess::from(self)
    }
}

impl<Q: Amount> Given<Q> for Guess<Q> {
    fn given(self) -> Guess<Q> {
        self
    }
}

/// One `Given<Q>` per input kind, so that a wrong argument's compiler error says how to make
/// the kind expected (`expected `Bytes` …, found `Bandwidth`: make `Bytes` with … `Bandwidth` ×
/// `Duration``). Each holds for exactly what `Given<Q>` holds for.
macro_rules! given_kinds {
    ($($name:ident $q:ident $msg:literal,)*) => {$(
        #[doc = concat!("A [`", stringify!($q), "`] or a [`Guess`] of one: what `Given<", stringify!($q), ">` is, with its own compiler message.")]
        #[diagnostic::on_unimplemented(message = $msg, label = "another kind of quantity")]
        pub trait $name: Given<$q> {}
        impl<T: Given<$q>> $name for T {}
    )*};
}

given_kinds! {
    GivenUsers Users "expected `Users` or a range of it (`between(low, high)`), found `{Self}`: make `Users` with `users(…)` or `UserTime` ÷ `Duration`",
    GivenUserRate UserRate "expected `UserRate` or a range of it (`between(low, high)`), found `{Self}`: make `UserRate` (requests per user) with `per_user_per_day(…)` or `Rate` ÷ `Users`",
    GivenRate Rate "expected `Rate` or a range of it (`between(low, high)`), found `{Self}`: make `Rate` with `per_second(…)`, `Users` × `UserRate`, `Items` ÷ `Duration` or `Requests` ÷ `Duration`",
    GivenBytes Bytes "expected `Bytes` or a range of it (`between(low, high)`), found `{Self}`: make `Bytes` with `kb(…)`, `Bandwidth` × `Duration`, `Bandwidth` ÷ `Rate` or a count × `Bytes`",
    GivenDuration Duration "expected `Duration` or a range of it (`between(low, high)`), found `{Self}`: make `Duration` with `days(…)`, `Requests` ÷ `Rate`, `Bytes` ÷ `Bandwidth` or `UserTime` ÷ `Users`",
}

/// `likely (low–high)`, the unit written once when the three share it: `11.6K req/s
/// (9.26K–14.8K)`, `1.00 TB (800 GB–1.20 TB)`.
pub(crate) fn spread_text(likely: &str, low: &str, high: &str) -> String {
    // A trailing note: the calendar (`(2.7M-s month)`), or a bandwidth in bits (`(58.6 Mbps)`).
    // One the three share is written once, last: `$540/month ($540–$5.40K) (2.7M-s month)`;
    // the bounds' own bits notes are left out: `7.32 MB/s (58.6 Mbps) (5.79 MB/s–9.26 MB/s)`.
    let (core, note) = split_note(likely);
    let (low_core, low_note) = split_note(low);
    let (high_core, high_note) = split_note(high);
    if !note.is_empty() && note == low_note && note == high_note {
        return format!("{}{note}", spread_text(core, low_core, high_core));
    }
    if !note.is_empty() || !low_note.is_empty() || !high_note.is_empty() {
        return format!("{likely} ({low_core}–{high_core})");
    }
    match (number_part(likely), number_part(low), number_part(high)) {
        (Some((_, unit)), Some((lo, u1)), Some((hi, u2))) if unit == u1 && unit == u2 => {
            format!("{likely} ({lo}–{hi})")
        }
        _ => format!("{likely} ({low}–{high})"),
    }
}

/// Ends a work line's result with its range: `… = 11.6K req/s` becomes `… = 11.6K req/s
/// (9.26K–14.8K)`. Nothing changes when the bounds print the same or the line lacks the result.
pub(crate) fn add_range(work: &mut String, likely: &str, low: &str, high: &str) {
    let result = format!("= {likely}");
    if low != high
        && let Some(at) = work.rfind(&result)
    {
        work.replace_range(
            at..at + result.len(),
            &format!("= {}", spread_text(likely, low, high)),
        );
    }
}

/// `("7.32 MB/s", " (58.6 Mbps)")`: the text and its trailing parenthesised note, if any.
fn split_note(text: &str) -> (&str, &str) {
    match text.rfind(" (") {
        Some(at) if text.ends_with(')') && at > 0 => (&text[..at], &text[at..]),
        _ => (text, ""),
    }
}

/// `("11.6K", " req/s")` from `11.6K req/s`, `("$2.74K", "/month")` from `$2.74K/month`: the
/// number (with its sign, currency and SI suffix) and a unit that holds no digit. `None` when
/// the rest is not a plain unit (`1h 30m`).
fn number_part(text: &str) -> Option<(&str, &str)> {
    let start = usize::from(text.starts_with(['-', '$']));
    let digits = text[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .map_or(text.len(), |i| i + start);
    if digits == start {
        return None;
    }
    let end = match text[digits..].chars().next() {
        Some(c @ ('K' | 'M' | 'B' | 'T'))
            if !text[digits + 1..].starts_with(char::is_alphabetic) =>
        {
            digits + c.len_utf8()
        }
        _ => digits,
    };
    let unit = &text[end..];
    let plain = unit.is_empty()
        || (unit.starts_with([' ', '/', '%', '×']) && !unit.contains(|c: char| c.is_ascii_digit()));
    plain.then_some((&text[..end], unit))
}

impl<Q: Amount> fmt::Display for Guess<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_range() {
            return f.write_str(&self.likely.text());
        }
        f.write_str(&spread_text(
            &self.likely.text(),
            &self.low.text(),
            &self.high.text(),
        ))
    }
}

impl<Q: Amount> fmt::Debug for Guess<Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

macro_rules! guess_ops {
    ($($op:ident $method:ident),* $(,)?) => {$(
        impl<A, B> $op<Guess<B>> for Guess<A>
        where
            A: Amount + $op<B>,
            B: Amount,
            A::Output: Amount,
        {
            type Output = Guess<A::Output>;
            fn $method(self, rhs: Guess<B>) -> Guess<A::Output> {
                let (a, b) = (self, rhs);
                extremes(
                    a.likely.$method(b.likely),
                    [
                        a.low.$method(b.low),
                        a.low.$method(b.high),
                        a.high.$method(b.low),
                        a.high.$method(b.high),
                    ],
                )
            }
        }
        guess_ops!(@right $op $method: f64, Users, Items, PerUser, Requests, Rate, UserRate,
            Bytes, Bandwidth, Duration, Money, Spend, UserTime, Length, Area, Density);
    )*};
    (@right $op:ident $method:ident: $($t:ty),*) => {$(
        impl<A> $op<$t> for Guess<A>
        where
            A: Amount + $op<$t>,
            A::Output: Amount,
        {
            type Output = Guess<A::Output>;
            fn $method(self, rhs: $t) -> Guess<A::Output> {
                sorted(self.low.$method(rhs), self.likely.$method(rhs), self.high.$method(rhs))
            }
        }
    )*};
    (@left $op:ident $method:ident: f64) => {
        impl<B> $op<Guess<B>> for f64
        where
            B: Amount,
            f64: $op<B>,
            <f64 as $op<B>>::Output: Amount,
        {
            type Output = Guess<<f64 as $op<B>>::Output>;
            fn $method(self, rhs: Guess<B>) -> Self::Output {
                sorted(self.$method(rhs.high), self.$method(rhs.likely), self.$method(rhs.low))
            }
        }
    };
}

guess_ops!(Mul mul, Div div, Add add, Sub sub);
// A number times or over a guess: `10.0 * between(…)`. A quantity and a guess
// (`users(1e6) * between(0.1, 0.2)`, `kb(1.0) + between(…)`) go through the quantity's own
// traits, in `crate::ops`.
guess_ops!(@left Mul mul: f64);
guess_ops!(@left Div div: f64);

macro_rules! shown_per {
    ($($t:ty),*) => {$(
        impl Guess<$t> {
            /// The same range, shown per `per`.
            pub fn shown_per(self, per: Per) -> Guess<$t> {
                self.map(|q| q.shown_per(per))
            }
        }
    )*};
}

shown_per!(Rate, UserRate, Bandwidth, Spend);

impl Guess<Duration> {
    /// The same range, shown in `unit` (`Per::Minute`: minutes).
    pub fn shown_in(self, unit: Per) -> Guess<Duration> {
        self.map(|d| d.shown_in(unit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn a_range_travels_through_the_arithmetic() {
        let dau = between(users(80e6), users(128e6)).likely(users(100e6));
        let avg = (dau * per_user_per_day(10.0)).shown_per(Per::Second);
        assert_eq!(avg.to_string(), "11.6K req/s (9.26K–14.8K)");
        let per_day = avg * kb(1.0) * days(1.0);
        assert_eq!(per_day.to_string(), "1.00 TB (800 GB–1.28 TB)");
        // A quotient's low is the smallest numerator over the largest denominator.
        let q = between(requests(100.0), requests(200.0)) / between(seconds(10.0), seconds(20.0));
        assert_eq!((q.low.per_second(), q.high.per_second()), (5.0, 20.0));
        // A difference's low is the low minus the high.
        let d = between(users(10.0), users(20.0)) - users(5.0);
        assert_eq!((d.low.count(), d.high.count()), (5.0, 15.0));
        let d = Guess::from(users(30.0)) - between(users(10.0), users(20.0));
        assert_eq!((d.low.count(), d.high.count()), (10.0, 20.0));
    }

    #[test]
    fn between_takes_the_log_middle_and_checks_its_bounds() {
        let g = between(users(1e6), users(100e6));
        assert_eq!(g.likely.count().round(), 10e6);
        assert_eq!(between(0.0, 4.0).likely, 2.0);
        assert_eq!(between(2.0, 4.5).to_string(), "3 (2–4.5)");
        let r = std::panic::catch_unwind(|| between(users(80e6), users(50e6)));
        let message = *r.unwrap_err().downcast::<String>().unwrap();
        assert_eq!(
            message,
            "between(80.0M users, 50.0M users): low is above high (write `between(low, high)`)"
        );
        assert!(std::panic::catch_unwind(|| between(1.0, 2.0).likely(3.0)).is_err());
    }

    #[test]
    fn the_unit_is_written_once_when_shared() {
        assert_eq!(
            spread_text("$2.74K/month", "$1K/month", "$3K/month"),
            "$2.74K/month ($1K–$3K)"
        );
        assert_eq!(
            spread_text("1.00 TB", "800 GB", "1.20 TB"),
            "1.00 TB (800 GB–1.20 TB)"
        );
        assert_eq!(spread_text("1h 30m", "1h", "2h 30m"), "1h 30m (1h–2h 30m)");
        assert_eq!(
            spread_text("20.0 %", "10.0 %", "30.0 %"),
            "20.0 % (10.0–30.0)"
        );
        assert_eq!(
            spread_text(
                "7.32 MB/s (58.6 Mbps)",
                "5.79 MB/s (46.3 Mbps)",
                "9.26 MB/s (74.1 Mbps)"
            ),
            "7.32 MB/s (58.6 Mbps) (5.79 MB/s–9.26 MB/s)"
        );
        assert_eq!(
            spread_text(
                "$540/month (2.7M-s month)",
                "$540/month (2.7M-s month)",
                "$5.40K/month (2.7M-s month)"
            ),
            "$540/month ($540–$5.40K) (2.7M-s month)"
        );
    }

    #[test]
    fn a_plain_value_is_a_guess_without_spread() {
        let g: Guess<Users> = users(5.0).given();
        assert!(!g.is_range());
        assert_eq!(g.to_string(), "5 users");
        assert_eq!(
            format!("{:?}", (g * per_user_per_day(1.0)).shown_per(Per::Day)),
            "5 req/day"
        );
    }
}
