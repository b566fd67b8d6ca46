//! The named quantities a learner works with — [`Users`], [`Items`], [`Requests`],
//! [`Rate`], [`UserRate`], [`Bytes`], [`Bandwidth`], [`Duration`], [`Money`],
//! [`Spend`], [`UserTime`], [`Length`], [`Area`], [`Density`] — their constructors and the
//! arithmetic between them.
//!
//! Each is a concrete newtype over a uom quantity of napkin's own system of dimensions, so
//! a cell's `let peak = avg * 3.0;` has a type a notebook can name, and a
//! dimension mistake reads `expected Bytes, found Rate`. Only the products
//! and quotients that mean something exist:
//!
//! | left | op | right | result |
//! |---|---|---|---|
//! | `Users` | × | `UserRate` | `Rate` |
//! | `Users` | × | `PerUser` | `Items` |
//! | `Users` | × | `Bytes` (per user, a quota) | `Bytes` |
//! | `Items` | × | `Bytes` (per item) | `Bytes` |
//! | `Rate` | × | `Duration` | `Requests` |
//! | `Requests` | ÷ | `Duration` | `Rate` |
//! | `Rate` | × | `Bytes` (per request) | `Bandwidth` |
//! | `Bandwidth` | × | `Duration` | `Bytes` |
//! | `Bytes` | ÷ | `Duration` | `Bandwidth` |
//! | `Bytes` | ÷ | `Bandwidth` | `Duration` |
//! | `Requests` | × | `Bytes` (per request) | `Bytes` |
//! | `Spend` | × | `Duration` | `Money` |
//! | `Users` | × | `Duration` | `UserTime` |
//! | `UserTime` | ÷ | `Duration` | `Users` (online at once) |
//! | `UserTime` | × | `UserRate` | `Requests` |
//! | `Length` | × | `Length` | `Area` |
//! | `Area` | ÷ | `Length` | `Length` |
//! | `Items` | ÷ | `Area` | `Density` (tiles per km²) |
//! | `Density` | × | `Area` | `Items` |
//! | `Items` | ÷ | `Density` | `Area` |
//!
//! Like quantities add, subtract, scale by `f64` and divide into a plain
//! `f64` ratio. Rates remember the time base they were made in and display
//! in it (`10 req/user/day`), but compare and convert by their value.
//!
//! `Debug` prints what `Display` prints, as std's `Duration` does: `{:?}` of a tuple, `Vec` or
//! `Option` of quantities reads `(34.7K req/s, 365 TB/year)`.
//!
//! ```compile_fail
//! use napkin::prelude::*;
//! let qps = per_second(100.0);
//! let bw = bytes_per_second(1e6);
//! let nonsense = qps + bw; // cannot add a Bandwidth to a Rate
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::iter::Sum;
use std::ops::{AddAssign, Mul, Neg, SubAssign};
use std::str::FromStr;

use crate::convention::{Conventions, Per};
use crate::dimension::data_rate::byte_per_second;
use crate::dimension::f64 as q;
use crate::dimension::information::byte;
use crate::dimension::money::dollar;
use crate::dimension::money_rate::dollar_per_second;
use crate::dimension::ratio::one;
use crate::dimension::request_rate::request_per_second;
use crate::dimension::requests::request;
use crate::dimension::time::second;
use crate::dimension::user_rate::request_per_user_second;
use crate::dimension::users::user;
use crate::error::Error;
use crate::format::{self, ByteUnits, DEFAULT_SIG_FIGS};
use crate::parse;

/// One thousand (10³).
pub const THOUSAND: f64 = 1e3;
/// One million (10⁶).
pub const MILLION: f64 = 1e6;
/// One billion (10⁹, short scale).
pub const BILLION: f64 = 1e9;
/// One trillion (10¹², short scale).
pub const TRILLION: f64 = 1e12;

/// `x` thousands: `thousand(5.0)` is 5,000.
pub fn thousand(x: f64) -> f64 {
    x * THOUSAND
}
/// `x` millions: `million(100.0)` is 100,000,000.
pub fn million(x: f64) -> f64 {
    x * MILLION
}
/// `x` billions: `billion(1.5)` is 1,500,000,000.
pub fn billion(x: f64) -> f64 {
    x * BILLION
}

/// Adds the like-quantity arithmetic every napkin quantity has: `+`, `-`,
/// scaling by `f64`, division into a plain ratio, `Sum`, comparison.
macro_rules! linear {
    ($t:ident: $mul:ident, $div:ident, $add:ident, $sub:ident) => {
        // `..self` copies display metadata; for types without any, clippy calls it needless.
        #[allow(clippy::needless_update)]
        const _: () = {
            impl crate::ops::$add<$t> for $t {
                type Output = $t;
                fn add(self, rhs: $t) -> $t {
                    $t {
                        q: self.q + rhs.q,
                        ..self
                    }
                }
            }
            impl crate::ops::$sub<$t> for $t {
                type Output = $t;
                fn sub(self, rhs: $t) -> $t {
                    $t {
                        q: self.q - rhs.q,
                        ..self
                    }
                }
            }
            impl AddAssign for $t {
                fn add_assign(&mut self, rhs: $t) {
                    self.q += rhs.q;
                }
            }
            impl SubAssign for $t {
                fn sub_assign(&mut self, rhs: $t) {
                    self.q -= rhs.q;
                }
            }
            impl Neg for $t {
                type Output = $t;
                fn neg(self) -> $t {
                    $t { q: -self.q, ..self }
                }
            }
            impl crate::ops::$mul<f64> for $t {
                type Output = $t;
                fn mul(self, rhs: f64) -> $t {
                    $t {
                        q: self.q * rhs,
                        ..self
                    }
                }
            }
            impl Mul<$t> for f64 {
                type Output = $t;
                fn mul(self, rhs: $t) -> $t {
                    $t {
                        q: rhs.q * self,
                        ..rhs
                    }
                }
            }
            impl crate::ops::$div<f64> for $t {
                type Output = $t;
                fn div(self, rhs: f64) -> $t {
                    $t {
                        q: self.q / rhs,
                        ..self
                    }
                }
            }
            /// The ratio of two like quantities is a plain number.
            impl crate::ops::$div<$t> for $t {
                type Output = f64;
                fn div(self, rhs: $t) -> f64 {
                    (self.q / rhs.q).value
                }
            }
            impl PartialEq for $t {
                fn eq(&self, other: &$t) -> bool {
                    self.q == other.q
                }
            }
            impl PartialOrd for $t {
                fn partial_cmp(&self, other: &$t) -> Option<Ordering> {
                    self.q.partial_cmp(&other.q)
                }
            }
            impl Sum for $t {
                fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                    iter.fold($t::default(), |a, b| a + b)
                }
            }
            impl FromStr for $t {
                type Err = Error;
                fn from_str(s: &str) -> Result<$t, Error> {
                    $t::parse(s)
                }
            }
            impl $t {
                /// True when the value is a finite number.
                pub fn is_finite(&self) -> bool {
                    self.q.value.is_finite()
                }
                /// The larger of two values.
                pub fn max(self, other: $t) -> $t {
                    if other > self { other } else { self }
                }
                /// The smaller of two values.
                pub fn min(self, other: $t) -> $t {
                    if other < self { other } else { self }
                }
            }
        };
    };
}

/// `Debug` prints what `Display` prints ([`format::debug_as_display`]): `34.7K req/s`, not the
/// fields, so tuples, `Vec`s and `Option`s of quantities read as numbers with units.
macro_rules! debug_as_display {
    ($($t:ident),* $(,)?) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                format::debug_as_display(self, f)
            }
        }
    )*};
}

debug_as_display!(
    Users, Items, PerUser, Requests, Rate, UserRate, Bytes, Bandwidth, Duration, Money, Spend,
    UserTime, Length, Area, Density,
);

/// `n` if a constructor may take it: a finite number ≥ 0. Anything else stops the program at
/// the caller's line (the notebook cell's line), naming the constructor and the value, as
/// `std::time::Duration::from_secs_f64` does: a NaN is never a size or a count, and a negative
/// one only arises as a difference (`users(a) - users(b)`), which arithmetic still gives.
#[track_caller]
fn given(what: &str, n: f64) -> f64 {
    if n.is_finite() && n >= 0.0 {
        return n;
    }
    let why = if n.is_nan() {
        "NaN is not a number (often 0.0 / 0.0, or a value that failed to parse)"
    } else if n.is_infinite() {
        "an infinite value is not a quantity (often a division by zero)"
    } else {
        "a negative amount is only a difference: write `a - b` of two quantities"
    };
    panic!("{what}({n}): {why}")
}

fn sig(f: &fmt::Formatter<'_>) -> usize {
    f.precision().unwrap_or(DEFAULT_SIG_FIGS)
}

/// Writes ` (2.5M-s month)` after a value shown per `per` when `calendar`'s `per` is not the
/// default's ([`Conventions::period_label`]), so two different amounts never print the same:
/// `10.0M req/month` is 3.81 req/s, `10.0M req/month (2.5M-s month)` 4 req/s.
fn write_calendar(f: &mut fmt::Formatter<'_>, calendar: &Conventions, per: Per) -> fmt::Result {
    match calendar.period_label(per) {
        Some(label) => write!(f, " ({label})"),
        None => Ok(()),
    }
}

/// The calendar a rate's text was written in: the one its calendar note names
/// (`(2.5M-s month)`: the primer's), else the default. A note for another time base than the
/// rate's is an error.
fn calendar_read(
    s: &str,
    expected: &'static str,
    note: Option<(Per, f64)>,
    per: Per,
) -> Result<Conventions, Error> {
    match note {
        None => Ok(Conventions::EXACT),
        Some((noted, seconds)) if noted == per => Ok(Conventions::with_period(per, seconds)),
        Some((noted, _)) => Err(Error::parse(
            s,
            expected,
            format!("its calendar note gives the length of a {noted}, but it is per {per}"),
        )),
    }
}

// ---------------------------------------------------------------- calendars

/// Quantities made with a convention's day, month and year, so a learner working from a
/// source that uses, say, system-design-primer's 2.5M-second month writes
/// `Conventions::PRIMER.months(36.0)` and `Conventions::PRIMER.rate(10e6, Per::Month)`. Each
/// keeps its true amount and its calendar wherever it goes: a workload, its streams, a sweep
/// and a live view count 4 req/s for the primer's 10M a month, shown per month or per second.
///
/// ```
/// use napkin::prelude::*;
/// let primer = Conventions::PRIMER;
/// assert_eq!(primer.months(36.0).seconds(), 90e6);
/// assert_eq!(primer.rate(10e6, Per::Month).per_second(), 4.0);
/// assert_eq!(primer.rate(10e6, Per::Month).to_string(), "10.0M req/month (2.5M-s month)");
/// assert_eq!(per_month(10e6).to_string(), "10.0M req/month"); // 3.81 req/s
/// let written = primer.rate(10e6, Per::Month) * primer.months(36.0);
/// assert_eq!(written.to_string(), "360M req");
/// ```
impl Conventions {
    /// `n` days of this convention.
    #[track_caller]
    pub fn days(&self, n: f64) -> Duration {
        let n = given("days", n);
        Duration::of_in(n, Per::Day, self)
    }
    /// `n` weeks (seven days) of this convention.
    #[track_caller]
    pub fn weeks(&self, n: f64) -> Duration {
        let n = given("weeks", n);
        Duration::of_in(n, Per::Week, self)
    }
    /// `n` months of this convention.
    #[track_caller]
    pub fn months(&self, n: f64) -> Duration {
        let n = given("months", n);
        Duration::of_in(n, Per::Month, self)
    }
    /// `n` years of this convention.
    #[track_caller]
    pub fn years(&self, n: f64) -> Duration {
        let n = given("years", n);
        Duration::of_in(n, Per::Year, self)
    }
    /// `n` requests per `per` of this convention.
    #[track_caller]
    pub fn rate(&self, n: f64, per: Per) -> Rate {
        let n = given("rate", n);
        Rate::per_in(n, per, self)
    }
    /// `n` requests per user per `per` of this convention.
    #[track_caller]
    pub fn per_user(&self, n: f64, per: Per) -> UserRate {
        let n = given("per_user", n);
        UserRate::per_in(n, per, self)
    }
    /// `n` bytes per `per` of this convention.
    #[track_caller]
    pub fn bandwidth(&self, n: f64, per: Per) -> Bandwidth {
        let n = given("bandwidth", n);
        Bandwidth::per_in(n, per, self)
    }
}

// ---------------------------------------------------------------- Users

/// A number of users: daily or monthly active users, sign-ups.
///
/// ```
/// use napkin::prelude::*;
/// assert_eq!(users(100e6).to_string(), "100M users");
/// ```
#[derive(Clone, Copy, Default)]
pub struct Users {
    q: q::Users,
}
linear!(Users: UsersMul, UsersDiv, UsersAdd, UsersSub);

impl Users {
    /// `n` users.
    #[track_caller]
    pub fn new(n: f64) -> Users {
        Users::raw(given("Users::new", n))
    }
    /// `n` unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw(n: f64) -> Users {
        Users {
            q: q::Users::new::<user>(n),
        }
    }
    /// The plain count.
    pub fn count(&self) -> f64 {
        self.q.get::<user>()
    }
    /// Reads `100M users`, `1.5K`, `250000 users`.
    pub fn parse(s: &str) -> Result<Users, Error> {
        let p = parse::number_and_unit(s, "a user count such as `100M users`")?;
        match p.unit.as_str() {
            "" | "user" | "users" | "dau" | "mau" => Ok(Users::raw(p.value)),
            _ => Err(p.unknown_unit("users")),
        }
    }
}

/// `n` users (`users(100e6)` is 100M users).
#[track_caller]
pub fn users(n: f64) -> Users {
    let n = given("users", n);
    Users::raw(n)
}

impl fmt::Display for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} users", format::count_sig(self.count(), sig(f)))
    }
}

// ---------------------------------------------------------------- Items

/// A count of things that are neither users nor requests: items, records, photos,
/// relationships, rows. `users × per_user(n)` gives one; `Items × Bytes` is storage.
///
/// ```
/// use napkin::prelude::*;
/// let links = users(500e6) * per_user(200.0); // friend links
/// assert_eq!(links.to_string(), "100bn items");
/// assert_eq!((links * bytes(16.0)).to_string(), "1.60 TB");
/// ```
#[derive(Clone, Copy, Default)]
pub struct Items {
    q: q::Ratio,
    /// What is counted (`tiles`); empty: items.
    name: &'static str,
}
linear!(Items: ItemsMul, ItemsDiv, ItemsAdd, ItemsSub);

impl Items {
    /// `n` items.
    #[track_caller]
    pub fn new(n: f64) -> Items {
        Items::raw(given("Items::new", n))
    }
    /// `n` items, unchecked.
    pub(crate) fn raw(n: f64) -> Items {
        Items {
            q: q::Ratio::new::<one>(n),
            name: "",
        }
    }
    /// The same count of `name` (a plural noun): `items(4.4e12).named("tiles")` prints
    /// `4.40T tiles`. Sums, differences and scalings keep the left operand's name.
    pub fn named(self, name: &'static str) -> Items {
        Items { name, ..self }
    }
    /// What is counted: `items` unless [`Items::named`].
    pub fn name(&self) -> &'static str {
        if self.name.is_empty() {
            "items"
        } else {
            self.name
        }
    }
    /// The plain count.
    pub fn count(&self) -> f64 {
        self.q.get::<one>()
    }
    /// Reads `100M items`, `2bn records`, `5K rows`, and a named count as napkin prints it
    /// (`4.40T tiles`: a count of tiles).
    pub fn parse(s: &str) -> Result<Items, Error> {
        let p = parse::number_and_unit(s, "a count of items such as `100M items`")?;
        match count_name(&p.unit) {
            Some(name) => Ok(Items::raw(p.value).named(name)),
            None => Err(p.unknown_unit("items")),
        }
    }
}

/// `n` items, records or objects: `items(5e9)` photos.
#[track_caller]
pub fn items(n: f64) -> Items {
    let n = given("items", n);
    Items::new(n)
}

impl fmt::Display for Items {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format::count_sig(self.count(), sig(f)),
            self.name()
        )
    }
}

/// What a count's unit word names: `""` for plain items (`items`, `item`, none), else the word
/// itself (`tiles`, `rows`, `read-replicas`); `None` when it is not a word.
fn count_name(word: &str) -> Option<&'static str> {
    match word {
        "" | "item" | "items" => Some(""),
        word if word
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '_') =>
        {
            Some(intern(word))
        }
        _ => None,
    }
}

/// `name` as a `&'static str`, each distinct name stored once for the process: the names a
/// learner's counts read back with (`4.40T tiles`).
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

// ---------------------------------------------------------------- Length, Area

/// A distance, in metres: `km(40_075.0)` round the equator. Lengths multiply into an
/// [`Area`]; napkin keeps them for the maps and grids estimates count (tiles per km²).
///
/// ```
/// use napkin::prelude::*;
/// let side = km(40_075.0) / 2f64.powi(21); // a zoom-21 map tile at the equator
/// assert_eq!(side.to_string(), "19.1 m");
/// let tile = side * side;
/// assert_eq!(tile.to_string(), "365 m²");
/// let tiles = items(km2(510e6) / tile).named("tiles"); // Earth's surface in such tiles
/// assert_eq!(tiles.to_string(), "1.40T tiles");
/// ```
#[derive(Clone, Copy, Default)]
pub struct Length {
    q: q::Ratio,
}
linear!(Length: LengthMul, LengthDiv, LengthAdd, LengthSub);

impl Length {
    /// Metres.
    pub fn meters(&self) -> f64 {
        self.q.get::<one>()
    }
    fn raw(meters: f64) -> Length {
        Length {
            q: q::Ratio::new::<one>(meters),
        }
    }
    /// The square with this side: `km(2.0).squared()` is 4 km².
    pub fn squared(self) -> Area {
        self * self
    }
    /// Reads `19.1 m`, `40.1K km`, `12 kilometres`.
    pub fn parse(s: &str) -> Result<Length, Error> {
        let p = parse::number_and_unit(s, "a length such as `12.0 km`")?;
        let scale = match p.unit.as_str() {
            "m" | "meter" | "meters" | "metre" | "metres" => 1.0,
            "km" | "kilometer" | "kilometers" | "kilometre" | "kilometres" => 1e3,
            _ => return Err(p.unknown_unit("m, km")),
        };
        Ok(Length::raw(p.value * scale))
    }
}

/// `n` metres.
#[track_caller]
pub fn meters(n: f64) -> Length {
    Length::raw(given("meters", n))
}

/// `n` kilometres.
#[track_caller]
pub fn km(n: f64) -> Length {
    Length::raw(given("km", n) * 1e3)
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.meters();
        if m.abs() >= 1e3 {
            write!(f, "{} km", format::count_sig(m / 1e3, sig(f)))
        } else {
            write!(f, "{} m", format::count_sig(m, sig(f)))
        }
    }
}

/// A surface, in square metres: `km2(510e6)` is the Earth's. Divide areas for a count
/// (`km2(510e6) / tile` tiles), divide by a [`Length`] for a length.
#[derive(Clone, Copy, Default)]
pub struct Area {
    q: q::Ratio,
}
linear!(Area: AreaMul, AreaDiv, AreaAdd, AreaSub);

impl Area {
    /// Square metres.
    pub fn square_meters(&self) -> f64 {
        self.q.get::<one>()
    }
    fn raw(square_meters: f64) -> Area {
        Area {
            q: q::Ratio::new::<one>(square_meters),
        }
    }
    /// Reads `365 m²`, `510M km²`, `2 km2`.
    pub fn parse(s: &str) -> Result<Area, Error> {
        let p = parse::number_and_unit(s, "an area such as `510M km²`")?;
        let scale = match p.unit.as_str() {
            "m²" | "m2" | "sq m" => 1.0,
            "km²" | "km2" | "sq km" => 1e6,
            _ => return Err(p.unknown_unit("m², km²")),
        };
        Ok(Area::raw(p.value * scale))
    }
}

/// `n` square metres.
#[track_caller]
pub fn m2(n: f64) -> Area {
    Area::raw(given("m2", n))
}

/// `n` square kilometres.
#[track_caller]
pub fn km2(n: f64) -> Area {
    Area::raw(given("km2", n) * 1e6)
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m2 = self.square_meters();
        if m2.abs() >= 1e6 {
            write!(f, "{} km²", format::count_sig(m2 / 1e6, sig(f)))
        } else {
            write!(f, "{} m²", format::count_sig(m2, sig(f)))
        }
    }
}

impl crate::ops::LengthMul<Length> for Length {
    type Output = Area;
    /// Length × length = area.
    fn mul(self, rhs: Length) -> Area {
        Area::raw(self.meters() * rhs.meters())
    }
}

impl crate::ops::AreaDiv<Length> for Area {
    type Output = Length;
    /// Area ÷ length = length.
    fn div(self, rhs: Length) -> Length {
        Length::raw(self.square_meters() / rhs.meters())
    }
}

/// How many of something per unit of surface: tiles, users or sensors per km², kept in
/// square metres underneath. Make one by dividing a count by an [`Area`]
/// (`items(1.4e12).named("tiles") / km2(510e6)`) or with [`per_km2`]; multiply it by an area
/// for a count again. It keeps the count's name.
///
/// ```
/// use napkin::prelude::*;
/// let city = per_km2(4_000.0).named("users");
/// assert_eq!(city.to_string(), "4.00K users/km²");
/// assert_eq!((city * km2(600.0)).to_string(), "2.40M users");
/// ```
#[derive(Clone, Copy, Default)]
pub struct Density {
    q: q::Ratio,
    /// What is counted (`tiles`); empty: items.
    name: &'static str,
}
linear!(Density: DensityMul, DensityDiv, DensityAdd, DensitySub);

impl Density {
    /// How many per square metre.
    pub fn per_square_meter(&self) -> f64 {
        self.q.get::<one>()
    }
    /// How many per square kilometre.
    pub fn per_km2(&self) -> f64 {
        self.per_square_meter() * 1e6
    }
    fn raw(per_square_meter: f64, name: &'static str) -> Density {
        Density {
            q: q::Ratio::new::<one>(per_square_meter),
            name,
        }
    }
    /// The same density of `name` (a plural noun): `per_km2(4e3).named("users")` prints
    /// `4.00K users/km²`.
    pub fn named(self, name: &'static str) -> Density {
        Density { name, ..self }
    }
    /// What is counted: `items` unless [`Density::named`].
    pub fn name(&self) -> &'static str {
        if self.name.is_empty() {
            "items"
        } else {
            self.name
        }
    }
    /// Reads `4.00K users/km²`, `2.75K tiles/km2`, `3 items/m²`.
    pub fn parse(s: &str) -> Result<Density, Error> {
        let p = parse::number_and_unit(s, "a density such as `4.00K users/km²`")?;
        let (word, area) = p.unit.rsplit_once('/').unwrap_or(("", &p.unit));
        let scale = match area.trim() {
            "km²" | "km2" | "sq km" => 1e-6,
            "m²" | "m2" | "sq m" => 1.0,
            _ => return Err(p.unknown_unit("items/km², items/m²")),
        };
        let Some(name) = count_name(word.trim()) else {
            return Err(p.unknown_unit("items/km², items/m²"));
        };
        Ok(Density::raw(p.value * scale, name))
    }
}

/// `n` items per square kilometre: `per_km2(4_000.0).named("users")`.
#[track_caller]
pub fn per_km2(n: f64) -> Density {
    Density::raw(given("per_km2", n) / 1e6, "")
}

impl fmt::Display for Density {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}/km²",
            format::count_sig(self.per_km2(), sig(f)),
            self.name()
        )
    }
}

impl crate::ops::ItemsDiv<Area> for Items {
    type Output = Density;
    /// Items ÷ area = density; it keeps the count's name.
    fn div(self, rhs: Area) -> Density {
        Density::raw(self.count() / rhs.square_meters(), self.name)
    }
}

impl crate::ops::DensityMul<Area> for Density {
    type Output = Items;
    /// Density × area = items, named as the density is.
    fn mul(self, rhs: Area) -> Items {
        Items::raw(self.per_square_meter() * rhs.square_meters()).named(self.name)
    }
}

impl crate::ops::AreaMul<Density> for Area {
    type Output = Items;
    /// Area × density = items, named as the density is.
    fn mul(self, rhs: Density) -> Items {
        rhs * self
    }
}

impl crate::ops::ItemsDiv<Density> for Items {
    type Output = Area;
    /// Items ÷ density = the area they cover.
    fn div(self, rhs: Density) -> Area {
        Area::raw(self.count() / rhs.per_square_meter())
    }
}

// ---------------------------------------------------------------- UserTime

/// Time spent by users, in user-seconds: `users(1e9) * minutes(5.0)` is 5bn user-minutes of
/// navigation a day. Over a period it is the users online at once (`÷ days(1.0)`: 3.47M
/// users); times a per-user rate, the requests they send (`× per_user_per_second(1.0 / 15.0)`).
///
/// ```
/// use napkin::prelude::*;
/// let navigating = users(1e9) * minutes(5.0);
/// assert_eq!(navigating.to_string(), "5.00bn user-min");
/// assert_eq!((navigating / days(1.0)).to_string(), "3.47M users");
/// let updates = navigating * per_user_per_second(1.0 / 15.0);
/// assert_eq!(updates.to_string(), "20.0bn req");
/// ```
#[derive(Clone, Copy)]
pub struct UserTime {
    q: q::Ratio,
    /// The unit of time it shows in (the duration's: `user-min`).
    per: Per,
}
linear!(UserTime: UserTimeMul, UserTimeDiv, UserTimeAdd, UserTimeSub);

impl Default for UserTime {
    fn default() -> UserTime {
        UserTime::raw(0.0, Per::Second)
    }
}

impl UserTime {
    /// User-seconds.
    pub fn user_seconds(&self) -> f64 {
        self.q.get::<one>()
    }
    fn raw(user_seconds: f64, per: Per) -> UserTime {
        UserTime {
            q: q::Ratio::new::<one>(user_seconds),
            per,
        }
    }
    /// The same amount, shown in user-`unit`s (`Per::Hour`: `user-h`).
    pub fn shown_in(self, unit: Per) -> UserTime {
        UserTime { per: unit, ..self }
    }
    /// Reads `5.00bn user-min`, `3 user-h`, `10 user-seconds`.
    pub fn parse(s: &str) -> Result<UserTime, Error> {
        const EXPECTED: &str = "user time such as `5.00bn user-min`";
        let p = parse::number_and_unit(s, EXPECTED)?;
        let per = p
            .unit
            .strip_prefix("user-")
            .and_then(Per::from_label)
            .filter(|per| !matches!(per, Per::Month | Per::Year));
        match per {
            Some(per) => Ok(UserTime::raw(
                p.value * Conventions::EXACT.seconds(per),
                per,
            )),
            None => Err(p.unknown_unit("user-min, user-h")),
        }
    }
}

impl fmt::Display for UserTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = match self.per {
            // A month or year of user time has no single length: show days.
            Per::Month | Per::Year => Per::Day,
            per => per,
        };
        let n = self.user_seconds() / Conventions::EXACT.seconds(per);
        write!(f, "{} user-{}", format::count_sig(n, sig(f)), per.label())
    }
}

impl crate::ops::UsersMul<Duration> for Users {
    type Output = UserTime;
    /// Users × time each = user time: `users(1e8) * minutes(35.0)`.
    fn mul(self, rhs: Duration) -> UserTime {
        UserTime::raw(self.count() * rhs.seconds(), rhs.per)
    }
}

impl crate::ops::DurationMul<Users> for Duration {
    type Output = UserTime;
    fn mul(self, rhs: Users) -> UserTime {
        rhs * self
    }
}

impl crate::ops::UserTimeDiv<Duration> for UserTime {
    type Output = Users;
    /// User time over a period = users online at once, on average.
    fn div(self, rhs: Duration) -> Users {
        Users::raw(self.user_seconds() / rhs.seconds())
    }
}

impl crate::ops::UserTimeDiv<Users> for UserTime {
    type Output = Duration;
    /// User time per user = the time each spends.
    fn div(self, rhs: Users) -> Duration {
        Duration::raw_seconds(self.user_seconds() / rhs.count()).shown_in(self.per)
    }
}

impl crate::ops::UserTimeMul<UserRate> for UserTime {
    type Output = Requests;
    /// User time × requests per user per second = requests.
    fn mul(self, rhs: UserRate) -> Requests {
        Requests::raw(self.user_seconds() * rhs.per_second())
    }
}

impl crate::ops::UserRateMul<UserTime> for UserRate {
    type Output = Requests;
    fn mul(self, rhs: UserTime) -> Requests {
        rhs * self
    }
}

/// Items per user, with no time base: 200 friends each, 10 GB quota → use `Users × Bytes`.
/// `users(…) × per_user(n)` is [`Items`].
#[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct PerUser {
    n: f64,
}

impl PerUser {
    /// Items per user.
    pub fn count(&self) -> f64 {
        self.n
    }
}

/// `n` items per user: `users(500e6) * per_user(200.0)` is 100bn items.
#[track_caller]
pub fn per_user(n: f64) -> PerUser {
    PerUser {
        n: given("per_user", n),
    }
}

impl fmt::Display for PerUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per user", format::count_sig(self.n, sig(f)))
    }
}

/// Scaling items per user: `per_user(400.0) * 0.1` is 10 % of 400 friends, 40 per user.
impl crate::ops::PerUserMul<f64> for PerUser {
    type Output = PerUser;
    fn mul(self, rhs: f64) -> PerUser {
        PerUser { n: self.n * rhs }
    }
}

impl Mul<PerUser> for f64 {
    type Output = PerUser;
    fn mul(self, rhs: PerUser) -> PerUser {
        rhs * self
    }
}

impl crate::ops::PerUserDiv<f64> for PerUser {
    type Output = PerUser;
    fn div(self, rhs: f64) -> PerUser {
        PerUser { n: self.n / rhs }
    }
}

impl crate::ops::PerUserAdd<PerUser> for PerUser {
    type Output = PerUser;
    /// 200 friends + 50 groups per user = 250 items per user.
    fn add(self, rhs: PerUser) -> PerUser {
        PerUser { n: self.n + rhs.n }
    }
}

impl crate::ops::PerUserSub<PerUser> for PerUser {
    type Output = PerUser;
    fn sub(self, rhs: PerUser) -> PerUser {
        PerUser { n: self.n - rhs.n }
    }
}

/// The ratio of two per-user amounts is a plain number.
impl crate::ops::PerUserDiv<PerUser> for PerUser {
    type Output = f64;
    fn div(self, rhs: PerUser) -> f64 {
        self.n / rhs.n
    }
}

impl crate::ops::UsersMul<PerUser> for Users {
    type Output = Items;
    /// Users × items per user = items.
    fn mul(self, rhs: PerUser) -> Items {
        Items::raw(self.count() * rhs.n)
    }
}

impl crate::ops::ItemsMul<Bytes> for Items {
    type Output = Bytes;
    /// Items × bytes per item = bytes.
    fn mul(self, rhs: Bytes) -> Bytes {
        Bytes {
            q: rhs.q * self.count(),
            ..rhs
        }
    }
}

impl crate::ops::BytesMul<Items> for Bytes {
    type Output = Bytes;
    fn mul(self, rhs: Items) -> Bytes {
        rhs * self
    }
}

impl crate::ops::UsersMul<Bytes> for Users {
    type Output = Bytes;
    /// Users × bytes per user (a quota) = bytes: `users(50e6) * gb(10.0)` is 500 PB.
    fn mul(self, rhs: Bytes) -> Bytes {
        Bytes {
            q: rhs.q * self.count(),
            ..rhs
        }
    }
}

impl crate::ops::BytesMul<Users> for Bytes {
    type Output = Bytes;
    fn mul(self, rhs: Users) -> Bytes {
        rhs * self
    }
}

// ---------------------------------------------------------------- Requests

/// A number of requests (or actions, events, operations, items).
#[derive(Clone, Copy, Default)]
pub struct Requests {
    q: q::Requests,
}
linear!(Requests: RequestsMul, RequestsDiv, RequestsAdd, RequestsSub);

impl Requests {
    /// `n` requests.
    #[track_caller]
    pub fn new(n: f64) -> Requests {
        Requests::raw(given("Requests::new", n))
    }
    /// `n` unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw(n: f64) -> Requests {
        Requests {
            q: q::Requests::new::<request>(n),
        }
    }
    /// The plain count.
    pub fn count(&self) -> f64 {
        self.q.get::<request>()
    }
    /// Reads `1.00bn req`, `500 requests`, `3M events`.
    pub fn parse(s: &str) -> Result<Requests, Error> {
        let p = parse::number_and_unit(s, "a request count such as `1.00bn req`")?;
        if parse::is_request_word(&p.unit) || p.unit.is_empty() {
            Ok(Requests::raw(p.value))
        } else {
            Err(p.unknown_unit("requests"))
        }
    }
}

/// `n` requests, actions or events.
#[track_caller]
pub fn requests(n: f64) -> Requests {
    let n = given("requests", n);
    Requests::raw(n)
}

impl fmt::Display for Requests {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} req", format::count_sig(self.count(), sig(f)))
    }
}

// ---------------------------------------------------------------- Rate

/// Requests per unit of time: QPS, writes per second, events per day.
///
/// The value is held per second, its true amount; the time base it was made in is kept for
/// display (`1.00bn req/day`) and can be changed with [`Rate::shown_per`], and so is the
/// calendar it was made in, which the text names wherever it changes what the time base
/// means: the primer's 10M a month prints `10.0M req/month (2.5M-s month)` and reads back
/// as itself.
///
/// ```
/// use napkin::prelude::*;
/// let avg = users(100e6) * per_user_per_day(10.0);
/// assert_eq!(avg.to_string(), "1.00bn req/day");
/// assert_eq!(avg.shown_per(Per::Second).to_string(), "11.6K req/s");
/// let primer = Conventions::PRIMER.rate(10e6, Per::Month);
/// assert_eq!(primer.to_string(), "10.0M req/month (2.5M-s month)");
/// assert_eq!(primer.shown_per(Per::Second).to_string(), "4 req/s");
/// let back: Rate = primer.to_string().parse().unwrap();
/// assert_eq!((back.per_second(), *back.calendar()), (4.0, Conventions::PRIMER));
/// ```
#[derive(Clone, Copy)]
pub struct Rate {
    q: q::RequestRate,
    per: Per,
    calendar: Conventions,
}
linear!(Rate: RateMul, RateDiv, RateAdd, RateSub);

impl Default for Rate {
    fn default() -> Self {
        Rate::per(0.0, Per::Second)
    }
}

impl Rate {
    /// `n` requests per `per` (default conventions: 86,400 s/day, 365-day year).
    #[track_caller]
    pub fn per(n: f64, per: Per) -> Rate {
        Rate::per_in(n, per, &Conventions::EXACT)
    }
    /// `n` requests per `per`, a day, month or year being `calendar`'s: under
    /// [`Conventions::PRIMER`] 10M per month is 4 req/s. [`Conventions::rate`] says the same.
    #[track_caller]
    pub fn per_in(n: f64, per: Per, calendar: &Conventions) -> Rate {
        Rate::raw_in(given("Rate::per_in", n), per, calendar)
    }
    /// [`Rate::per_in`] unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw_in(n: f64, per: Per, calendar: &Conventions) -> Rate {
        Rate {
            q: q::RequestRate::new::<request_per_second>(n / calendar.seconds(per)),
            per,
            calendar: *calendar,
        }
    }
    /// The conventions this rate reads a day, a month and a year with.
    pub fn calendar(&self) -> &Conventions {
        &self.calendar
    }
    /// The same rate (the same requests per second), read with `calendar`'s day, month and
    /// year from now on.
    pub fn in_calendar(self, calendar: &Conventions) -> Rate {
        Rate {
            calendar: *calendar,
            ..self
        }
    }
    /// Requests per second.
    pub fn per_second(&self) -> f64 {
        self.q.get::<request_per_second>()
    }
    /// Requests per `per`, a day, month or year being this rate's [`Rate::calendar`]'s.
    pub fn value_in(&self, per: Per) -> f64 {
        self.per_second() * self.calendar.seconds(per)
    }
    /// Requests per second if this rate's own time base is read with
    /// `conventions` (e.g. "10M per month" with a 2.5M-second month is 4 req/s).
    pub fn per_second_with(&self, conventions: &Conventions) -> f64 {
        self.value_in(self.per) / conventions.seconds(self.per)
    }
    /// The time base the rate is shown in.
    pub fn time_base(&self) -> Per {
        self.per
    }
    /// The same rate, shown per `per`.
    pub fn shown_per(self, per: Per) -> Rate {
        Rate { per, ..self }
    }
    /// Reads `11.6K req/s`, `10 req/day`, `500 QPS`, `4 writes/s`, and the calendar note
    /// napkin prints: `10.0M req/month (2.5M-s month)` is the primer's 10M a month.
    pub fn parse(s: &str) -> Result<Rate, Error> {
        const EXPECTED: &str = "a request rate such as `11.6K req/s`";
        let (head, note) = parse::calendar_note(s);
        let p = parse::number_and_unit(head, EXPECTED)?;
        let unit = p.unit.as_str();
        let per = if matches!(unit, "qps" | "rps" | "tps" | "ops") {
            Per::Second
        } else {
            match parse::split_per(unit) {
                Some((what, per)) if parse::is_request_word(what) => per,
                _ => return Err(p.unknown_unit("req/s, req/day, QPS")),
            }
        };
        let calendar = calendar_read(s, EXPECTED, note, per)?;
        Ok(Rate::raw_in(p.value, per, &calendar))
    }
}

/// `n` requests per second.
#[track_caller]
pub fn per_second(n: f64) -> Rate {
    let n = given("per_second", n);
    Rate::per(n, Per::Second)
}
/// `n` requests per second (queries per second).
#[track_caller]
pub fn qps(n: f64) -> Rate {
    let n = given("qps", n);
    Rate::per(n, Per::Second)
}
/// `n` requests per minute.
#[track_caller]
pub fn per_minute(n: f64) -> Rate {
    let n = given("per_minute", n);
    Rate::per(n, Per::Minute)
}
/// `n` requests per hour.
#[track_caller]
pub fn per_hour(n: f64) -> Rate {
    let n = given("per_hour", n);
    Rate::per(n, Per::Hour)
}
/// `n` requests per day.
#[track_caller]
pub fn per_day(n: f64) -> Rate {
    let n = given("per_day", n);
    Rate::per(n, Per::Day)
}
/// `n` requests per week.
#[track_caller]
pub fn per_week(n: f64) -> Rate {
    let n = given("per_week", n);
    Rate::per(n, Per::Week)
}
/// `n` requests per month.
#[track_caller]
pub fn per_month(n: f64) -> Rate {
    let n = given("per_month", n);
    Rate::per(n, Per::Month)
}
/// `n` requests per year.
#[track_caller]
pub fn per_year(n: f64) -> Rate {
    let n = given("per_year", n);
    Rate::per(n, Per::Year)
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} req/{}",
            format::count_sig(self.value_in(self.per), sig(f)),
            self.per
        )?;
        write_calendar(f, &self.calendar, self.per)
    }
}

/// A rate serializes as its true amount per second, the time base it is shown in and its
/// calendar.
fn serialize_rate<S: serde::Serializer>(
    serializer: S,
    name: &'static str,
    per_second: f64,
    per: Per,
    calendar: &Conventions,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut s = serializer.serialize_struct(name, 3)?;
    s.serialize_field("per_second", &per_second)?;
    s.serialize_field("per", &per)?;
    s.serialize_field("calendar", calendar)?;
    s.end()
}

impl serde::Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rate(
            serializer,
            "Rate",
            self.per_second(),
            self.per,
            &self.calendar,
        )
    }
}

impl serde::Serialize for UserRate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_rate(
            serializer,
            "UserRate",
            self.per_second(),
            self.per,
            &self.calendar,
        )
    }
}

// ---------------------------------------------------------------- UserRate

/// Requests per user per unit of time: "10 actions per user per day".
///
/// Multiply by [`Users`] to get a [`Rate`]; it is not a rate by itself, so
/// passing it where a `Rate` is expected does not compile.
#[derive(Clone, Copy)]
pub struct UserRate {
    q: q::UserRate,
    per: Per,
    calendar: Conventions,
}
linear!(UserRate: UserRateMul, UserRateDiv, UserRateAdd, UserRateSub);

impl Default for UserRate {
    fn default() -> Self {
        UserRate::per(0.0, Per::Day)
    }
}

impl UserRate {
    /// `n` requests per user per `per`.
    #[track_caller]
    pub fn per(n: f64, per: Per) -> UserRate {
        UserRate::per_in(n, per, &Conventions::EXACT)
    }
    /// `n` requests per user per `per`, a day, month or year being `calendar`'s.
    #[track_caller]
    pub fn per_in(n: f64, per: Per, calendar: &Conventions) -> UserRate {
        UserRate::raw_in(given("UserRate::per_in", n), per, calendar)
    }
    /// [`UserRate::per_in`] unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw_in(n: f64, per: Per, calendar: &Conventions) -> UserRate {
        UserRate {
            q: q::UserRate::new::<request_per_user_second>(n / calendar.seconds(per)),
            per,
            calendar: *calendar,
        }
    }
    /// Requests per user per second: the true amount, whatever unit it is shown in.
    pub fn per_second(&self) -> f64 {
        self.q.get::<request_per_user_second>()
    }
    /// Requests per user per `per`, a day, month or year being this rate's calendar's.
    pub fn value_in(&self, per: Per) -> f64 {
        self.per_second() * self.calendar.seconds(per)
    }
    /// The conventions this rate reads a day, a month and a year with: the calendar it was
    /// made in.
    pub fn calendar(&self) -> &Conventions {
        &self.calendar
    }
    /// The time base it was made in.
    pub fn time_base(&self) -> Per {
        self.per
    }
    /// The same rate, shown per `per`.
    pub fn shown_per(self, per: Per) -> UserRate {
        UserRate { per, ..self }
    }
    /// Reads `10 req/user/day`, `2 actions/user/s`, `10 req/user/day (100K-s day)`.
    pub fn parse(s: &str) -> Result<UserRate, Error> {
        const EXPECTED: &str = "a per-user rate such as `10 req/user/day`";
        let (head, note) = parse::calendar_note(s);
        let p = parse::number_and_unit(head, EXPECTED)?;
        let parts: Vec<&str> = p.unit.split('/').map(str::trim).collect();
        if let [what, who, per] = parts[..]
            && parse::is_request_word(what)
            && matches!(who, "user" | "users" | "u")
            && let Some(per) = Per::from_label(per)
        {
            let calendar = calendar_read(s, EXPECTED, note, per)?;
            return Ok(UserRate::raw_in(p.value, per, &calendar));
        }
        Err(p.unknown_unit("req/user/day"))
    }
}

/// `n` requests per user per second.
#[track_caller]
pub fn per_user_per_second(n: f64) -> UserRate {
    let n = given("per_user_per_second", n);
    UserRate::per(n, Per::Second)
}
/// `n` requests (actions) per user per day.
#[track_caller]
pub fn per_user_per_day(n: f64) -> UserRate {
    let n = given("per_user_per_day", n);
    UserRate::per(n, Per::Day)
}
/// `n` requests per user per week.
#[track_caller]
pub fn per_user_per_week(n: f64) -> UserRate {
    let n = given("per_user_per_week", n);
    UserRate::per(n, Per::Week)
}
/// `n` requests per user per month.
#[track_caller]
pub fn per_user_per_month(n: f64) -> UserRate {
    let n = given("per_user_per_month", n);
    UserRate::per(n, Per::Month)
}

impl fmt::Display for UserRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} req/user/{}",
            format::count_sig(self.value_in(self.per), sig(f)),
            self.per
        )?;
        write_calendar(f, &self.calendar, self.per)
    }
}

// ---------------------------------------------------------------- Bytes

/// An amount of information: an item's size, storage, memory.
///
/// SI prefixes by default (1 KB = 1,000 B); values made with binary
/// constructors ([`kib`], [`gib`], …) or [`Bytes::binary`] display with
/// binary prefixes (1 KiB = 1,024 B). `{:#}` shows the other family.
///
/// ```
/// use napkin::prelude::*;
/// assert_eq!(kb(1.0).to_string(), "1.00 KB");
/// assert_eq!(kib(1.0).to_string(), "1.00 KiB");
/// assert_eq!(format!("{:#}", kib(1.0)), "1.02 KB");
/// assert_eq!(kib(1.0) / kb(1.0), 1.024);
/// ```
#[derive(Clone, Copy, Default)]
pub struct Bytes {
    q: q::Information,
    units: ByteUnits,
}
linear!(Bytes: BytesMul, BytesDiv, BytesAdd, BytesSub);

impl Bytes {
    /// `n` bytes, shown with SI prefixes.
    #[track_caller]
    pub fn new(n: f64) -> Bytes {
        Bytes::raw(given("Bytes::new", n))
    }
    /// `n` unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw(n: f64) -> Bytes {
        Bytes {
            q: q::Information::new::<byte>(n),
            units: ByteUnits::Si,
        }
    }
    /// The number of bytes.
    pub fn bytes(&self) -> f64 {
        self.q.get::<byte>()
    }
    /// The number of bits.
    pub fn bits(&self) -> f64 {
        self.bytes() * 8.0
    }
    /// The same amount, shown with binary prefixes (KiB, MiB, …).
    pub fn binary(self) -> Bytes {
        Bytes {
            units: ByteUnits::Binary,
            ..self
        }
    }
    /// The same amount, shown with SI prefixes (KB, MB, …).
    pub fn si(self) -> Bytes {
        Bytes {
            units: ByteUnits::Si,
            ..self
        }
    }
    /// Which prefixes it is shown with.
    pub fn byte_units(&self) -> ByteUnits {
        self.units
    }
    /// Reads `1.5 KiB`, `1 KB`, `365 TB`, `512 bytes`, `8 bits`.
    pub fn parse(s: &str) -> Result<Bytes, Error> {
        let p = parse::number_and_unit(s, "a size such as `1.5 KiB` or `1 KB`")?;
        match parse::byte_unit(&p.unit) {
            Some((factor, units)) => Ok(Bytes {
                units,
                ..Bytes::raw(p.times(factor))
            }),
            None => Err(p.unknown_unit("B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, bits")),
        }
    }
}

/// `n` bytes.
#[track_caller]
pub fn bytes(n: f64) -> Bytes {
    let n = given("bytes", n);
    Bytes::raw(n)
}
/// `n` bits (8 bits = 1 byte).
#[track_caller]
pub fn bits(n: f64) -> Bytes {
    let n = given("bits", n);
    Bytes::raw(n / 8.0)
}
/// `n` kilobytes (1 KB = 1,000 B).
#[track_caller]
pub fn kb(n: f64) -> Bytes {
    let n = given("kb", n);
    Bytes::raw(n * 1e3)
}
/// `n` megabytes (10⁶ B).
#[track_caller]
pub fn mb(n: f64) -> Bytes {
    let n = given("mb", n);
    Bytes::raw(n * 1e6)
}
/// `n` gigabytes (10⁹ B).
#[track_caller]
pub fn gb(n: f64) -> Bytes {
    let n = given("gb", n);
    Bytes::raw(n * 1e9)
}
/// `n` terabytes (10¹² B).
#[track_caller]
pub fn tb(n: f64) -> Bytes {
    let n = given("tb", n);
    Bytes::raw(n * 1e12)
}
/// `n` petabytes (10¹⁵ B).
#[track_caller]
pub fn pb(n: f64) -> Bytes {
    let n = given("pb", n);
    Bytes::raw(n * 1e15)
}
/// `n` kibibytes (1 KiB = 1,024 B).
#[track_caller]
pub fn kib(n: f64) -> Bytes {
    let n = given("kib", n);
    Bytes::raw(n * 1024.0).binary()
}
/// `n` mebibytes (2²⁰ B).
#[track_caller]
pub fn mib(n: f64) -> Bytes {
    let n = given("mib", n);
    Bytes::raw(n * 1_048_576.0).binary()
}
/// `n` gibibytes (2³⁰ B).
#[track_caller]
pub fn gib(n: f64) -> Bytes {
    let n = given("gib", n);
    Bytes::raw(n * 1_073_741_824.0).binary()
}
/// `n` tebibytes (2⁴⁰ B).
#[track_caller]
pub fn tib(n: f64) -> Bytes {
    let n = given("tib", n);
    Bytes::raw(n * 1_099_511_627_776.0).binary()
}

fn other(units: ByteUnits) -> ByteUnits {
    match units {
        ByteUnits::Si => ByteUnits::Binary,
        ByteUnits::Binary => ByteUnits::Si,
    }
}

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = if f.alternate() {
            other(self.units)
        } else {
            self.units
        };
        f.write_str(&format::bytes_sig(self.bytes(), sig(f), units))
    }
}

// ---------------------------------------------------------------- Bandwidth

/// Information per unit of time: ingress, egress, replication traffic.
///
/// Displayed in bytes and bits per second: `11.6 MB/s (92.6 Mbps)`.
#[derive(Clone, Copy)]
pub struct Bandwidth {
    q: q::DataRate,
    per: Per,
    calendar: Conventions,
    units: ByteUnits,
}
linear!(Bandwidth: BandwidthMul, BandwidthDiv, BandwidthAdd, BandwidthSub);

impl Default for Bandwidth {
    fn default() -> Self {
        bytes_per_second(0.0)
    }
}

impl Bandwidth {
    /// `n` bytes per `per`.
    #[track_caller]
    pub fn per(n: f64, per: Per) -> Bandwidth {
        Bandwidth::per_in(n, per, &Conventions::EXACT)
    }
    /// `n` bytes per `per`, a day, month or year being `calendar`'s.
    #[track_caller]
    pub fn per_in(n: f64, per: Per, calendar: &Conventions) -> Bandwidth {
        Bandwidth::raw_in(given("Bandwidth::per_in", n), per, calendar)
    }
    /// [`Bandwidth::per_in`] unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw_in(n: f64, per: Per, calendar: &Conventions) -> Bandwidth {
        Bandwidth {
            q: q::DataRate::new::<byte_per_second>(n / calendar.seconds(per)),
            per,
            calendar: *calendar,
            units: ByteUnits::Si,
        }
    }
    /// The conventions this bandwidth reads a day, a month and a year with.
    pub fn calendar(&self) -> &Conventions {
        &self.calendar
    }
    /// The same bandwidth (the same bytes per second), read with `calendar`'s day, month
    /// and year from now on.
    pub fn in_calendar(self, calendar: &Conventions) -> Bandwidth {
        Bandwidth {
            calendar: *calendar,
            ..self
        }
    }
    /// Bytes per second.
    pub fn bytes_per_second(&self) -> f64 {
        self.q.get::<byte_per_second>()
    }
    /// Bits per second.
    pub fn bits_per_second(&self) -> f64 {
        self.bytes_per_second() * 8.0
    }
    /// Bytes per `per`, a day, month or year being this bandwidth's [`Bandwidth::calendar`]'s.
    pub fn value_in(&self, per: Per) -> f64 {
        self.bytes_per_second() * self.calendar.seconds(per)
    }
    /// The same bandwidth, shown per `per` (`1.00 TB/day`).
    pub fn shown_per(self, per: Per) -> Bandwidth {
        Bandwidth { per, ..self }
    }
    /// The same bandwidth, shown with binary prefixes.
    pub fn binary(self) -> Bandwidth {
        Bandwidth {
            units: ByteUnits::Binary,
            ..self
        }
    }
    /// Reads `11.6 MB/s`, `1 TB/day`, `92.6 Mbps`, `1 Gbit/s`, `1.00 TB/day (100K-s day)`.
    pub fn parse(s: &str) -> Result<Bandwidth, Error> {
        const EXPECTED: &str = "a bandwidth such as `11.6 MB/s` or `1 Gbps`";
        let (head, note) = parse::calendar_note(s);
        // The display form adds the bit rate in brackets; the byte rate is enough.
        let head = head.split('(').next().unwrap_or(head);
        let p = parse::number_and_unit(head, EXPECTED)?;
        if let Some(bits_per_second) = parse::bit_rate_unit(&p.unit) {
            return Ok(Bandwidth::raw_in(
                p.times(bits_per_second) / 8.0,
                Per::Second,
                &Conventions::EXACT,
            ));
        }
        if let Some((what, per)) = parse::split_per(&p.unit)
            && let Some((factor, units)) = parse::byte_unit(what)
        {
            let calendar = calendar_read(s, EXPECTED, note, per)?;
            return Ok(Bandwidth {
                units,
                ..Bandwidth::raw_in(p.times(factor), per, &calendar)
            });
        }
        Err(p.unknown_unit("B/s, MB/s, GB/day, Mbps, Gbps"))
    }
}

/// `n` bytes per second.
#[track_caller]
pub fn bytes_per_second(n: f64) -> Bandwidth {
    let n = given("bytes_per_second", n);
    Bandwidth::per(n, Per::Second)
}
/// `n` megabits per second (network link speeds: 10⁶ bit/s).
#[track_caller]
pub fn mbps(n: f64) -> Bandwidth {
    let n = given("mbps", n);
    bytes_per_second(n * 1e6 / 8.0)
}
/// `n` gigabits per second (10⁹ bit/s).
#[track_caller]
pub fn gbps(n: f64) -> Bandwidth {
    let n = given("gbps", n);
    bytes_per_second(n * 1e9 / 8.0)
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = sig(f);
        let units = if f.alternate() {
            other(self.units)
        } else {
            self.units
        };
        let amount = format::bytes_sig(self.value_in(self.per), s, units);
        write!(f, "{amount}/{}", self.per)?;
        write_calendar(f, &self.calendar, self.per)?;
        if self.per == Per::Second {
            write!(
                f,
                " ({})",
                format::bits_per_second(self.bytes_per_second(), s)
            )?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- Duration

/// A span of time: latency, retention, downtime.
///
/// A duration shows on a ladder of 365-day years, 86,400-s days, hours, minutes and seconds
/// (`8h 45m 36s`), except where that would hide what it means: one made in a calendar whose
/// day, week, month or year is not the default's shows as a number of them, with the
/// calendar's note as rates show it (`3 days (100K-s day)`), and
/// [`Duration::shown_in`] shows any duration as a number of the unit asked for. Text reads
/// back as the same amount, in the same calendar.
///
/// ```
/// use napkin::prelude::*;
/// assert_eq!(milliseconds(1.5).to_string(), "1.50 ms");
/// assert_eq!(seconds(31_536.0).to_string(), "8h 45m 36s");
/// assert_eq!(Conventions::NAPKIN.days(3.0).to_string(), "3 days (100K-s day)");
/// assert_eq!(Conventions::PRIMER.months(1.0).to_string(), "1 month (2.5M-s month)");
/// assert_eq!(Conventions::PRIMER.years(3.0).to_string(), "3 years (30M-s year)");
/// assert_eq!(minutes(5e9).to_string(), "9.51K years");
/// assert_eq!(minutes(5e9).shown_in(Per::Minute).to_string(), "5.00bn min");
/// let back: Duration = "3 days (100K-s day)".parse().unwrap();
/// assert_eq!((back.seconds(), *back.calendar()), (300_000.0, Conventions::NAPKIN));
/// ```
#[derive(Clone, Copy)]
pub struct Duration {
    q: q::Time,
    /// The unit it was made in (`years(3.0)`: years), or the one it is shown in.
    per: Per,
    calendar: Conventions,
    /// True when it shows as a number of `per` ([`Duration::shown_in`]) even where `per` is
    /// the default's.
    shown: bool,
}
linear!(Duration: DurationMul, DurationDiv, DurationAdd, DurationSub);

impl Default for Duration {
    fn default() -> Self {
        Duration::raw_seconds(0.0)
    }
}

impl Duration {
    /// `s` seconds.
    #[track_caller]
    pub fn from_seconds(s: f64) -> Duration {
        Duration::raw_seconds(given("Duration::from_seconds", s))
    }
    /// `s` seconds unchecked.
    pub(crate) fn raw_seconds(s: f64) -> Duration {
        Duration {
            q: q::Time::new::<second>(s),
            per: Per::Second,
            calendar: Conventions::EXACT,
            shown: false,
        }
    }
    /// `n` of `per` under the default conventions (`Duration::of(5.0, Per::Year)`).
    #[track_caller]
    pub fn of(n: f64, per: Per) -> Duration {
        Duration::of_in(n, per, &Conventions::EXACT)
    }
    /// `n` of `per`, a day, month or year being `calendar`'s: `PRIMER`'s 36 months are
    /// 90,000,000 s. [`Conventions::months`] and its siblings say the same.
    #[track_caller]
    pub fn of_in(n: f64, per: Per, calendar: &Conventions) -> Duration {
        Duration::raw_in(given("Duration::of_in", n), per, calendar)
    }
    /// [`Duration::of_in`] unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw_in(n: f64, per: Per, calendar: &Conventions) -> Duration {
        Duration {
            q: q::Time::new::<second>(n * calendar.seconds(per)),
            per,
            calendar: *calendar,
            shown: false,
        }
    }
    /// Seconds.
    pub fn seconds(&self) -> f64 {
        self.q.get::<second>()
    }
    /// How many `per` this is, a day, month or year being this duration's calendar's.
    pub fn value_in(&self, per: Per) -> f64 {
        self.seconds() / self.calendar.seconds(per)
    }
    /// The unit this duration was made in (`years(3.0)` → [`Per::Year`]), or the one it is
    /// shown in ([`Duration::shown_in`]), and how many of them it is.
    pub fn count(&self) -> (f64, Per) {
        (self.value_in(self.per), self.per)
    }
    /// The conventions this duration reads a day, a month and a year with.
    pub fn calendar(&self) -> &Conventions {
        &self.calendar
    }
    /// The same duration (the same seconds), read with `calendar`'s day, month and year from
    /// now on: `years(5.0).in_calendar(&Conventions::PRIMER).shown_in(Per::Year)` is
    /// `5.26 years (30M-s year)`.
    pub fn in_calendar(self, calendar: &Conventions) -> Duration {
        Duration {
            calendar: *calendar,
            ..self
        }
    }
    /// The same duration, shown as a number of `per` (a day, month or year being its
    /// calendar's), as [`Rate::shown_per`] shows a rate per `per`: `5.00bn min` for five
    /// billion minutes, which the ladder shows as `9.51K years`.
    ///
    /// ```
    /// use napkin::prelude::*;
    /// assert_eq!(minutes(5e9).shown_in(Per::Minute).to_string(), "5.00bn min");
    /// assert_eq!(years(3.0).shown_in(Per::Day).to_string(), "1,095 days");
    /// assert_eq!(Conventions::NAPKIN.days(3.0).shown_in(Per::Hour).to_string(), "83.3 h");
    /// assert_eq!(days(1.0).shown_in(Per::Day).to_string(), "1 day");
    /// ```
    #[doc(alias = "shown_per")]
    pub fn shown_in(self, per: Per) -> Duration {
        Duration {
            per,
            shown: true,
            ..self
        }
    }
    /// Reads `8h 45m 36s`, `100 ns`, `1.5 ms`, `3 years`, `2 days`, and the calendar note
    /// napkin prints: `3 days (100K-s day)` is three napkin days. A number of one unit
    /// (`5.00bn min`, `3 days`) shows in that unit again.
    pub fn parse(s: &str) -> Result<Duration, Error> {
        const EXPECTED: &str = "a duration such as `1.5 ms`, `3 days` or `8h 45m 36s`";
        let (head, note) = parse::calendar_note(s);
        let read = parse::duration(head)?;
        match (read.unit, note) {
            (None, None) => Ok(Duration::raw_seconds(read.seconds)),
            (Some((n, per)), note) => {
                let calendar = calendar_read(s, EXPECTED, note, per)?;
                let d = Duration::raw_in(n, per, &calendar);
                Ok(if note.is_some() { d } else { d.shown_in(per) })
            }
            (None, Some((noted, _))) => Err(Error::parse(
                s,
                EXPECTED,
                format!(
                    "its calendar note gives the length of a {noted}, but it is not a number of {noted}s"
                ),
            )),
        }
    }
}

/// The word after a number of `per`: `s`, `min`, `h`, and `day`, `week`, `month`, `year` in
/// the singular for a count shown as `1`.
fn unit_word(per: Per, count: &str) -> String {
    match per {
        Per::Second | Per::Minute | Per::Hour => per.label().to_string(),
        _ if count == "1" || count == "-1" => per.label().to_string(),
        _ => format!("{}s", per.label()),
    }
}

/// `n` nanoseconds.
#[track_caller]
pub fn nanoseconds(n: f64) -> Duration {
    let n = given("nanoseconds", n);
    Duration::raw_seconds(n * 1e-9)
}
/// `n` microseconds.
#[track_caller]
pub fn microseconds(n: f64) -> Duration {
    let n = given("microseconds", n);
    Duration::raw_seconds(n * 1e-6)
}
/// `n` milliseconds.
#[track_caller]
pub fn milliseconds(n: f64) -> Duration {
    let n = given("milliseconds", n);
    Duration::raw_seconds(n * 1e-3)
}
/// `n` seconds.
#[track_caller]
pub fn seconds(n: f64) -> Duration {
    let n = given("seconds", n);
    Duration::raw_seconds(n)
}
/// `n` minutes.
#[track_caller]
pub fn minutes(n: f64) -> Duration {
    let n = given("minutes", n);
    Duration::of(n, Per::Minute)
}
/// `n` hours.
#[track_caller]
pub fn hours(n: f64) -> Duration {
    let n = given("hours", n);
    Duration::of(n, Per::Hour)
}
/// `n` days of 86,400 s.
#[track_caller]
pub fn days(n: f64) -> Duration {
    let n = given("days", n);
    Duration::of(n, Per::Day)
}
/// `n` weeks.
#[track_caller]
pub fn weeks(n: f64) -> Duration {
    let n = given("weeks", n);
    Duration::of(n, Per::Week)
}
/// `n` months of a twelfth of a 365-day year.
#[track_caller]
pub fn months(n: f64) -> Duration {
    let n = given("months", n);
    Duration::of(n, Per::Month)
}
/// `n` years of 365 days.
#[track_caller]
pub fn years(n: f64) -> Duration {
    let n = given("years", n);
    Duration::of(n, Per::Year)
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A number of its unit where the ladder's units would not say what it means: its
        // calendar's day, week, month or year is not the default's, or it was asked for.
        if self.shown || self.calendar.period_label(self.per).is_some() {
            let count = format::count_sig(self.value_in(self.per), sig(f));
            write!(f, "{count} {}", unit_word(self.per, &count))?;
            return write_calendar(f, &self.calendar, self.per);
        }
        f.write_str(&format::duration_sig(self.seconds(), sig(f)))
    }
}

// ---------------------------------------------------------------- Money

/// An amount of money in US dollars.
#[derive(Clone, Copy, Default)]
pub struct Money {
    q: q::Money,
}
linear!(Money: MoneyMul, MoneyDiv, MoneyAdd, MoneySub);

impl Money {
    /// `n` dollars.
    #[track_caller]
    pub fn new(n: f64) -> Money {
        Money::raw(given("Money::new", n))
    }
    /// `n` unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw(n: f64) -> Money {
        Money {
            q: q::Money::new::<dollar>(n),
        }
    }
    /// Dollars.
    pub fn dollars(&self) -> f64 {
        self.q.get::<dollar>()
    }
    /// Reads `$12.3K`, `$0.023`, `500 USD`.
    pub fn parse(s: &str) -> Result<Money, Error> {
        let t = s.trim();
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, t),
        };
        let (t, had_sign) = match t.strip_prefix('$') {
            Some(rest) => (rest, true),
            None => (t, false),
        };
        let p = parse::number_and_unit(t, "an amount such as `$12.3K` or `500 USD`")?;
        let value = if negative { -p.value } else { p.value };
        match p.unit.as_str() {
            "" if had_sign => Ok(Money::raw(value)),
            "usd" | "dollar" | "dollars" | "$" => Ok(Money::raw(value)),
            _ => Err(p.unknown_unit("$ or USD")),
        }
    }
}

/// `n` US dollars.
#[track_caller]
pub fn dollars(n: f64) -> Money {
    let n = given("dollars", n);
    Money::raw(n)
}

fn money_text(x: f64, sig: usize) -> String {
    if x < 0.0 {
        format!("-${}", format::count_sig(-x, sig))
    } else {
        format!("${}", format::count_sig(x, sig))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&money_text(self.dollars(), sig(f)))
    }
}

/// Money per unit of time: a monthly bill.
#[derive(Clone, Copy)]
pub struct Spend {
    q: q::MoneyRate,
    per: Per,
    calendar: Conventions,
}
linear!(Spend: SpendMul, SpendDiv, SpendAdd, SpendSub);

impl Default for Spend {
    fn default() -> Self {
        Spend::per(0.0, Per::Month)
    }
}

impl Spend {
    /// `n` dollars per `per`.
    #[track_caller]
    pub fn per(n: f64, per: Per) -> Spend {
        Spend::per_in(n, per, &Conventions::EXACT)
    }
    /// `n` dollars per `per`, a day, month or year being `calendar`'s.
    #[track_caller]
    pub fn per_in(n: f64, per: Per, calendar: &Conventions) -> Spend {
        Spend::raw_in(given("Spend::per_in", n), per, calendar)
    }
    /// [`Spend::per_in`] unchecked: a computed value, or a difference read back from text.
    pub(crate) fn raw_in(n: f64, per: Per, calendar: &Conventions) -> Spend {
        Spend {
            q: q::MoneyRate::new::<dollar_per_second>(n / calendar.seconds(per)),
            per,
            calendar: *calendar,
        }
    }
    /// Dollars per `per`, a day, month or year being this spend's calendar's.
    pub fn value_in(&self, per: Per) -> f64 {
        self.q.get::<dollar_per_second>() * self.calendar.seconds(per)
    }
    /// The time base the spend is shown in.
    pub fn time_base(&self) -> Per {
        self.per
    }
    /// The conventions this spend reads a day, a month and a year with.
    pub fn calendar(&self) -> &Conventions {
        &self.calendar
    }
    /// The same spend, shown per `per`.
    pub fn shown_per(self, per: Per) -> Spend {
        Spend { per, ..self }
    }
    /// Reads `$12.3K/month`, `$0.10/h`, `$300/month (2.5M-s month)`.
    pub fn parse(s: &str) -> Result<Spend, Error> {
        const EXPECTED: &str = "a spend such as `$12.3K/month`";
        let (head, note) = parse::calendar_note(s);
        let Some((amount, per)) = head.rsplit_once('/') else {
            return Err(Error::parse(s, EXPECTED, "no `/` time base"));
        };
        let per =
            Per::from_label(per).ok_or_else(|| Error::parse(s, EXPECTED, "unknown time base"))?;
        let calendar = calendar_read(s, EXPECTED, note, per)?;
        Ok(Spend::raw_in(
            Money::parse(amount)?.dollars(),
            per,
            &calendar,
        ))
    }
}

/// `n` dollars per month.
#[track_caller]
pub fn dollars_per_month(n: f64) -> Spend {
    let n = given("dollars_per_month", n);
    Spend::per(n, Per::Month)
}
/// `n` dollars per hour (on-demand instance prices).
#[track_caller]
pub fn dollars_per_hour(n: f64) -> Spend {
    let n = given("dollars_per_hour", n);
    Spend::per(n, Per::Hour)
}

impl fmt::Display for Spend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            money_text(self.value_in(self.per), sig(f)),
            self.per
        )?;
        write_calendar(f, &self.calendar, self.per)
    }
}

// ---------------------------------------------------------------- cross-type arithmetic

/// The time base a quotient by `d` is best shown in: per day for one day (of `d`'s
/// calendar), …
fn per_for(d: Duration) -> Per {
    Per::ALL
        .into_iter()
        .find(|per| (d.seconds() - d.calendar.seconds(*per)).abs() < 1e-9)
        .unwrap_or(Per::Second)
}

impl crate::ops::UsersMul<UserRate> for Users {
    type Output = Rate;
    /// Users × requests per user per day = requests per day.
    fn mul(self, rhs: UserRate) -> Rate {
        Rate {
            q: self.q * rhs.q,
            per: rhs.per,
            calendar: rhs.calendar,
        }
    }
}

impl crate::ops::UserRateMul<Users> for UserRate {
    type Output = Rate;
    fn mul(self, rhs: Users) -> Rate {
        rhs * self
    }
}

impl crate::ops::RateDiv<Users> for Rate {
    type Output = UserRate;
    fn div(self, rhs: Users) -> UserRate {
        UserRate {
            q: self.q / rhs.q,
            per: self.per,
            calendar: self.calendar,
        }
    }
}

impl crate::ops::RateMul<Duration> for Rate {
    type Output = Requests;
    fn mul(self, rhs: Duration) -> Requests {
        Requests { q: self.q * rhs.q }
    }
}

impl crate::ops::DurationMul<Rate> for Duration {
    type Output = Requests;
    fn mul(self, rhs: Rate) -> Requests {
        rhs * self
    }
}

impl crate::ops::RequestsDiv<Duration> for Requests {
    type Output = Rate;
    fn div(self, rhs: Duration) -> Rate {
        Rate {
            q: self.q / rhs.q,
            per: per_for(rhs),
            calendar: rhs.calendar,
        }
    }
}

impl crate::ops::ItemsDiv<Duration> for Items {
    type Output = Rate;
    /// Items over a time are a rate, one request (a write) per item: `items(1e6) / days(3.0)`
    /// is 3.86 req/s.
    fn div(self, rhs: Duration) -> Rate {
        Requests::raw(self.count()) / rhs
    }
}

impl crate::ops::RequestsDiv<Rate> for Requests {
    type Output = Duration;
    fn div(self, rhs: Rate) -> Duration {
        Duration::raw_seconds((self.q / rhs.q).value)
    }
}

/// One request, to read "bytes per request" as bytes × requests⁻¹.
fn one_request() -> q::Requests {
    q::Requests::new::<request>(1.0)
}

impl crate::ops::RateMul<Bytes> for Rate {
    type Output = Bandwidth;
    /// Requests per second × bytes per request = bytes per second.
    fn mul(self, rhs: Bytes) -> Bandwidth {
        Bandwidth {
            q: self.q * (rhs.q / one_request()),
            per: self.per,
            calendar: self.calendar,
            units: rhs.units,
        }
    }
}

impl crate::ops::BytesMul<Rate> for Bytes {
    type Output = Bandwidth;
    fn mul(self, rhs: Rate) -> Bandwidth {
        rhs * self
    }
}

impl crate::ops::RequestsMul<Bytes> for Requests {
    type Output = Bytes;
    /// Requests × bytes per request = bytes.
    fn mul(self, rhs: Bytes) -> Bytes {
        Bytes {
            q: (self.q / one_request()) * rhs.q,
            units: rhs.units,
        }
    }
}

impl crate::ops::BytesMul<Requests> for Bytes {
    type Output = Bytes;
    fn mul(self, rhs: Requests) -> Bytes {
        rhs * self
    }
}

impl crate::ops::BandwidthMul<Duration> for Bandwidth {
    type Output = Bytes;
    fn mul(self, rhs: Duration) -> Bytes {
        Bytes {
            q: self.q * rhs.q,
            units: self.units,
        }
    }
}

impl crate::ops::DurationMul<Bandwidth> for Duration {
    type Output = Bytes;
    fn mul(self, rhs: Bandwidth) -> Bytes {
        rhs * self
    }
}

impl crate::ops::BytesDiv<Duration> for Bytes {
    type Output = Bandwidth;
    fn div(self, rhs: Duration) -> Bandwidth {
        Bandwidth {
            q: self.q / rhs.q,
            per: per_for(rhs),
            calendar: rhs.calendar,
            units: self.units,
        }
    }
}

impl crate::ops::BytesDiv<Bandwidth> for Bytes {
    type Output = Duration;
    fn div(self, rhs: Bandwidth) -> Duration {
        Duration::raw_seconds((self.q / rhs.q).value)
    }
}

impl crate::ops::BandwidthDiv<Rate> for Bandwidth {
    type Output = Bytes;
    /// Bytes per second ÷ requests per second = bytes per request.
    fn div(self, rhs: Rate) -> Bytes {
        Bytes {
            q: (self.q / rhs.q) * one_request(),
            units: self.units,
        }
    }
}

impl crate::ops::SpendMul<Duration> for Spend {
    type Output = Money;
    fn mul(self, rhs: Duration) -> Money {
        Money { q: self.q * rhs.q }
    }
}

impl crate::ops::MoneyDiv<Duration> for Money {
    type Output = Spend;
    fn div(self, rhs: Duration) -> Spend {
        Spend {
            q: self.q / rhs.q,
            per: per_for(rhs),
            calendar: rhs.calendar,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_chain() {
        let avg = users(100e6) * per_user_per_day(10.0);
        assert_eq!(avg.to_string(), "1.00bn req/day");
        assert!((avg.per_second() - 11_574.074).abs() < 1e-3);
        let peak = avg.shown_per(Per::Second) * 3.0;
        assert_eq!(peak.to_string(), "34.7K req/s");
        let per_day = avg * kb(1.0) * days(1.0);
        assert_eq!(per_day.to_string(), "1.00 TB");
        assert_eq!((avg * kb(1.0) * years(1.0)).to_string(), "365 TB");
    }

    #[test]
    fn quotients_pick_a_time_base() {
        assert_eq!((requests(1e9) / days(1.0)).to_string(), "1.00bn req/day");
        assert_eq!((tb(1.0) / days(1.0)).to_string(), "1.00 TB/day");
        assert_eq!(
            (tb(1.0) / days(1.0)).shown_per(Per::Second).to_string(),
            "11.6 MB/s (92.6 Mbps)"
        );
    }

    #[test]
    fn conventions_reinterpret_the_time_base() {
        let writes = per_month(10e6);
        assert!((writes.per_second_with(&Conventions::PRIMER) - 4.0).abs() < 1e-12);
        assert!((writes.per_second() - 3.805).abs() < 1e-3);
    }

    #[test]
    fn precision_and_alternate() {
        assert_eq!(format!("{:.4}", per_second(11_574.074)), "11.57K req/s");
        assert_eq!(format!("{:#}", kb(1.0)), "1000 B");
        assert_eq!(format!("{:#}", mib(1.0)), "1.05 MB");
    }

    #[test]
    fn money() {
        assert_eq!(dollars(1_234.0).to_string(), "$1,234");
        assert_eq!(dollars(12_345.0).to_string(), "$12.3K");
        assert_eq!(dollars(12_345.6).to_string(), "$12.3K");
        assert_eq!(dollars_per_month(300.0).to_string(), "$300/month");
        assert_eq!(
            (dollars_per_month(300.0) * years(1.0)).to_string(),
            "$3.60K"
        );
    }
}
