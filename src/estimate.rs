//! The estimation chain: users and their actions → average and peak request
//! rates → storage per day, month, year and over the retention period →
//! bandwidth → cache memory, each figure with the one line of work that
//! produced it.
//!
//! ```
//! use napkin::prelude::*;
//! let day1 = Workload::new(users(100e6), per_user_per_day(10.0))
//!     .bytes_per_write(kb(1.0))
//!     .estimate()
//!     .unwrap();
//! assert_eq!(day1.writes.to_string(), "11.6K req/s");
//! assert_eq!(day1.peak_writes.to_string(), "34.7K req/s");
//! assert_eq!(day1.storage_per_day.to_string(), "1.00 TB/day");
//! assert_eq!(day1.storage_per_year.to_string(), "365 TB/year");
//! assert_eq!(
//!     day1.work("writes").unwrap(),
//!     "100M users × 10 req/user/day ÷ 86,400 s/day = 11.6K req/s"
//! );
//! ```
//!
//! Nothing is rounded before the last step: the seed's "~12K QPS, peak 36K"
//! rounds 11.6K up to 12K before multiplying by 3; napkin says 34.7K.
//!
//! Sources that state reads, searches or fan-out as their own totals, and a cache by its
//! working set, are written as they are stated:
//!
//! ```
//! use napkin::prelude::*;
//! let e = Workload::new(users(200e6), per_user_per_day(2.0))
//!     .reads(per_user_per_day(100.0))
//!     .stream("fanout", per_write(200.0))
//!     .stream("search", per_month(10e9))
//!     .working_set(users(200e6) * (bytes(300.0) * 800.0))
//!     .estimate()
//!     .unwrap();
//! assert_eq!(e.stream("fanout").unwrap().rate.to_string(), "926K req/s");
//! assert_eq!(e.work("cache").unwrap(), "working set given = 48.0 TB");
//! let sizing = e
//!     .servers(&Server::throughput(qps(5_000.0)).memory(gb(64.0)))
//!     .unwrap();
//! assert_eq!(sizing.binding, Constraint::Memory);
//! assert_eq!(sizing.by_storage, None);
//! ```

use std::fmt;

use crate::convention::{Conventions, Per};
use crate::error::{Error, check};
use crate::figure::{Output, figure_kind, with_figures};
use crate::format;
use crate::guess::{
    Amount, Given, GivenBytes, GivenDuration, GivenRate, GivenUserRate, GivenUsers, Guess,
    add_range, spread_text,
};
use crate::quantity::{Bandwidth, Bytes, Duration, Rate, UserRate, Users, years};
use crate::sweep::Param;

/// The inputs of an estimate. Build one with [`Workload::new`] and the
/// chained setters, then call [`Workload::estimate`].
///
/// "Writes" are the actions that store data (posts, uploads, pastes); each
/// stores [`bytes_per_write`](Workload::bytes_per_write). Reads are given as
/// a ratio to writes or as rates of their own. The seed's "10 actions per user per day, 1 KB
/// per action" are writes with no reads.
///
/// Every rate and duration given keeps its true amount, in the calendar it was made in; the
/// [`conventions`](Workload::conventions) only say how results are shown:
///
/// ```
/// use napkin::prelude::*;
/// let primer = Conventions::PRIMER.rate(10e6, Per::Month);
/// for writes in [primer, primer.shown_per(Per::Second)] {
///     let e = Workload::total(writes).estimate().unwrap();
///     assert_eq!(e.writes.to_string(), "4 req/s");
/// }
/// let exact = Workload::total(per_month(10e6)).conventions(Conventions::PRIMER);
/// assert_eq!(exact.estimate().unwrap().writes.to_string(), "3.81 req/s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Workload {
    /// Active users in the period of the per-user rate (DAU for per-day
    /// rates); `None` when the writes are given as a total.
    pub users: Option<f64>,
    /// Writes per `writes_per` (a day, month or year being `writes_calendar`'s): per user
    /// when `users` is set, else in total.
    pub writes: f64,
    /// The time base the writes were given in.
    pub writes_per: Per,
    /// The calendar the writes were made in (`Conventions::PRIMER.rate(…)`: the primer's
    /// month), so they keep their true amount whatever [`Workload::conventions`] says.
    pub writes_calendar: Conventions,
    /// The reads: so many per write (`reads_per_write(100.0)` for 100:1, the default being
    /// none), a total rate (`reads(per_month(100e6))`) or a rate per user, each with its own
    /// calendar.
    pub reads: Traffic,
    /// Other request streams (searches, fan-out deliveries, …), each flowing into the
    /// requests, their peak, the egress and the servers like the reads do.
    pub streams: [Option<Stream>; MAX_STREAMS],
    /// Bytes stored by one write. Default 0 (no storage figures).
    pub bytes_per_write: f64,
    /// Bytes returned by one read. Default: the same as a write.
    pub bytes_per_read: Option<f64>,
    /// Peak traffic over average. Default 3, as in the seed.
    pub peak_factor: f64,
    /// Copies of every byte stored. Default 1.
    pub replication: f64,
    /// How long data is kept, in years of the conventions. Default 5.
    pub retention_years: f64,
    /// The share of data that is hot and cached (the 80/20 rule). Default 0.2.
    pub cache_fraction: f64,
    /// The cache the learner states: a working set in bytes, or the last so many seconds of
    /// writes. Default: the 80/20 rule on a day's reads (on stored data with no reads).
    pub cache: CacheRule,
    /// The day, month and year the results are shown in (storage per day, month and year,
    /// retention in years). Default: the writes' calendar. Inputs keep their own.
    pub conventions: Conventions,
    /// The retention [`Workload::retention`] was given, in seconds, so that conventions set
    /// afterwards count its years with their own year.
    #[serde(skip)]
    retention_given: Option<f64>,
    /// A stream that did not fit, reported by [`Workload::validate`].
    #[serde(skip)]
    overflow: Option<&'static str>,
    /// The inputs given as ranges ([`Guess`]): each [`Param`]'s low and high, in the units
    /// [`Param::value`] reads (the retention in seconds).
    #[serde(skip)]
    spreads: [Option<(f64, f64)>; Param::COUNT],
}

/// Which end of the inputs' ranges a workload is run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Low,
    High,
}

/// How many named streams a workload takes besides its writes and reads.
pub const MAX_STREAMS: usize = 4;

/// A stream's traffic: a total rate, a rate per user, or so many per write. A rate keeps its
/// true amount and its calendar: `Conventions::PRIMER.rate(10e9, Per::Month)` is 4,000 req/s
/// in any workload, shown per second or per month.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Traffic {
    /// Requests in total: `per_month(10e9)` searches.
    Total(Rate),
    /// Requests per user: `per_user_per_day(5.0)`.
    PerUser(UserRate),
    /// `n` per write: 10 fan-out deliveries per post.
    PerWrite(f64),
}

impl From<Rate> for Traffic {
    fn from(rate: Rate) -> Traffic {
        Traffic::Total(rate)
    }
}

impl From<UserRate> for Traffic {
    fn from(rate: UserRate) -> Traffic {
        Traffic::PerUser(rate)
    }
}

/// `n` requests for each write: `.stream("fanout", per_write(10.0))` delivers each post to
/// ten timelines.
#[track_caller]
pub fn per_write(n: f64) -> Traffic {
    if !(n.is_finite() && n >= 0.0) {
        panic!("per_write({n}): expected a finite number ≥ 0");
    }
    Traffic::PerWrite(n)
}

impl Traffic {
    /// (per write, total per second, per user per second), one of them non-zero: each rate's
    /// true amount, whatever unit it is shown in.
    fn parts(self) -> (f64, f64, f64) {
        match self {
            Traffic::PerWrite(n) => (n, 0.0, 0.0),
            Traffic::Total(rate) => (0.0, rate.per_second(), 0.0),
            Traffic::PerUser(rate) => (0.0, 0.0, rate.per_second()),
        }
    }

    /// The amount to validate: per second, or per write.
    fn value(self) -> f64 {
        match self {
            Traffic::Total(rate) => rate.per_second(),
            Traffic::PerUser(rate) => rate.per_second(),
            Traffic::PerWrite(n) => n,
        }
    }

    /// The given side of a work line, `10.0bn req/month ÷ 2,592,000 s/month`, each rate in
    /// its own unit and calendar, and a note for the line's end when the results' calendar
    /// reads that unit otherwise ([`calendar_note`]).
    fn given(self, users: Option<f64>, writes: &Rate, results: &Conventions) -> (String, String) {
        match self {
            Traffic::PerWrite(n) => (
                format!("{writes} × {} per write", format::factor(n)),
                String::new(),
            ),
            Traffic::Total(rate) => {
                let per = rate.time_base();
                (
                    per_second_work(&rate.to_string(), rate.calendar(), per),
                    calendar_note(per, rate.calendar(), results, &rate, false),
                )
            }
            Traffic::PerUser(rate) => {
                let per = rate.time_base();
                let users = Users::raw(users.unwrap_or(1.0));
                (
                    per_second_work(&format!("{users} × {rate}"), rate.calendar(), per),
                    calendar_note(per, rate.calendar(), results, &(users * rate), false),
                )
            }
        }
    }
}

/// The work that turns `given`, per `per` of `calendar`, into a rate per second: `given ÷
/// 86,400 s/day`; a total already per second is `given` (no `÷ 1 s/s`), a product per
/// second (`10.0M users × 0.0333 req/user/s`) stays as it is.
fn per_second_work(given: &str, calendar: &Conventions, per: Per) -> String {
    match per {
        Per::Second if given.contains(" × ") => given.to_string(),
        Per::Second => "given".to_string(),
        _ => format!("{given} ÷ {}", seconds_per(calendar, per)),
    }
}

/// `2,500,000 s/month`: the seconds in one `per` of `calendar`.
fn seconds_per(calendar: &Conventions, per: Per) -> String {
    format!(
        "{} s/{}",
        format::grouped(calendar.seconds(per)),
        per.label()
    )
}

/// What a rate given per `per` of the `given` calendar would be in another: when the results'
/// calendar has another `per` (` (the exact month; primer's 2,500,000 s/month gives 4 req/s)`,
/// a hint for a learner who set the workload's conventions expecting them to reread the
/// input), else, for the writes (`exact_off`), when `given` is not the exact calendar
/// (` (napkin conventions; with 86,400 s/day it is 11.6K req/s, -13.6 % off)`). `rate` is the
/// rate as given.
fn calendar_note(
    per: Per,
    given: &Conventions,
    results: &Conventions,
    rate: &Rate,
    exact_off: bool,
) -> String {
    let seconds = given.seconds(per);
    let per_second = |calendar: &Conventions| {
        Rate::raw_in(
            rate.per_second() * seconds / calendar.seconds(per),
            Per::Second,
            calendar,
        )
    };
    let exact = Conventions::EXACT;
    if (results.seconds(per) - seconds).abs() > 1e-9 * seconds {
        format!(
            " (the {} {}; {}'s {} gives {})",
            given.name,
            per.label(),
            results.name,
            seconds_per(results, per),
            per_second(results)
        )
    } else if exact_off && (exact.seconds(per) - seconds).abs() > 1e-9 * seconds {
        let exact_rate = per_second(&exact);
        format!(
            " ({} conventions; with {} it is {exact_rate}, {} off)",
            given.name,
            seconds_per(&exact, per),
            format::percent(rate.per_second() / exact_rate.per_second() - 1.0),
        )
    } else {
        String::new()
    }
}

/// A named request stream besides the writes and reads: searches, fan-out deliveries,
/// location pings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Stream {
    /// Its name, as the estimate and the sweep's columns show it (`search`).
    pub name: &'static str,
    /// How much of it there is.
    pub traffic: Traffic,
    /// Bytes sent back by each request (0: counted in requests only).
    pub bytes_each: f64,
}

/// Which rule sizes the cache.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum CacheRule {
    /// The hot share ([`Workload::cache_fraction`]) of one day's reads; with no reads, of the
    /// stored data (one copy). The default.
    EightyTwenty,
    /// A working set the learner states, in bytes: hot items × size, top-K × size.
    WorkingSet(f64),
    /// The last so many seconds of writes (one copy): a stream's recent window.
    RecentWrites(f64),
}

impl Workload {
    /// `users` active users, each making `writes` (e.g. `per_user_per_day(10.0)`). The
    /// results are shown in the writes' calendar unless [`Workload::conventions`] says
    /// otherwise.
    ///
    /// Either may be a range, as may every input of the builders below:
    /// `Workload::new(between(users(50e6), users(80e6)), per_user_per_day(10.0))` gives every
    /// figure with its low and high ([`crate::guess`] says what the bounds mean).
    pub fn new(users: impl GivenUsers, writes: impl GivenUserRate) -> Workload {
        let (users, writes) = (users.given(), writes.given());
        let per = writes.likely.time_base();
        let calendar = *writes.likely.calendar();
        let seconds = calendar.seconds(per);
        Workload {
            users: Some(users.likely.count()),
            ..Workload::total(Rate::raw_in(writes.likely.value_in(per), per, &calendar))
        }
        .spread(Param::Users, users.low.count(), users.high.count())
        .spread(
            Param::Writes,
            writes.low.per_second() * seconds,
            writes.high.per_second() * seconds,
        )
    }

    /// A workload given by its total write rate (`per_month(10e6)`,
    /// `Conventions::PRIMER.rate(10e6, Per::Month)`), for sources that state totals rather
    /// than users × actions. The results are shown in the rate's calendar unless
    /// [`Workload::conventions`] says otherwise.
    pub fn total(writes: impl GivenRate) -> Workload {
        let writes = writes.given();
        let per = writes.likely.time_base();
        let calendar = *writes.likely.calendar();
        let seconds = calendar.seconds(per);
        Workload {
            users: None,
            writes: writes.likely.value_in(per),
            writes_per: per,
            writes_calendar: calendar,
            reads: Traffic::PerWrite(0.0),
            streams: [None; MAX_STREAMS],
            bytes_per_write: 0.0,
            bytes_per_read: None,
            peak_factor: 3.0,
            replication: 1.0,
            retention_years: 5.0,
            cache_fraction: 0.2,
            cache: CacheRule::EightyTwenty,
            conventions: calendar,
            retention_given: None,
            overflow: None,
            spreads: [None; Param::COUNT],
        }
        .spread(
            Param::Writes,
            writes.low.per_second() * seconds,
            writes.high.per_second() * seconds,
        )
    }

    /// Records `param`'s range (none when `low` is `high`).
    fn spread(mut self, param: Param, low: f64, high: f64) -> Workload {
        self.spreads[param.index()] = (low < high).then_some((low, high));
        self
    }

    /// The low and high of `param` when it was given as a range (the retention in seconds,
    /// other parameters in the units [`Param::value`] reads).
    pub fn range(&self, param: Param) -> Option<(f64, f64)> {
        self.spreads[param.index()]
    }

    /// Forgets `param`'s range: a value set by a sweep's axis or a slider is exact.
    pub(crate) fn clear_range(&mut self, param: Param) {
        self.spreads[param.index()] = None;
    }

    /// True when an input was given as a range: its estimate gives each figure's low and high.
    pub fn is_ranged(&self) -> bool {
        self.spreads.iter().any(Option::is_some)
    }

    /// This workload with every ranged input at its low (or high) end, and no ranges.
    pub(crate) fn at(&self, bound: Bound) -> Workload {
        let mut w = *self;
        w.spreads = [None; Param::COUNT];
        for param in Param::ALL {
            if let Some((low, high)) = self.range(param) {
                let v = if bound == Bound::Low { low } else { high };
                if param == Param::RetentionYears {
                    w.retention_given = Some(v);
                    w.retention_years = v / w.conventions.year;
                } else {
                    param.set(&mut w, v);
                }
            }
        }
        w
    }

    /// True when the workload has reads: any but the default of none (0 per write).
    pub(crate) fn has_reads(&self) -> bool {
        !matches!(self.reads, Traffic::PerWrite(n) if n == 0.0)
    }

    /// Reads per write: `reads_per_write(100.0)` for a 100:1 read-heavy system.
    pub fn reads_per_write(mut self, ratio: impl Given<f64>) -> Workload {
        let ratio = ratio.given();
        self.reads = Traffic::PerWrite(ratio.likely);
        self.spread(Param::ReadsPerWrite, ratio.low, ratio.high)
    }

    /// The reads as the source gives them: a total (`reads(per_month(100e6))`), a rate per
    /// user (`reads(per_user_per_day(50.0))`) or [`per_write`]. Replaces
    /// [`Workload::reads_per_write`]. A rate counts with its true amount, in its own calendar.
    pub fn reads(mut self, reads: impl Into<Traffic>) -> Workload {
        self.reads = reads.into();
        self.clear_range(Param::ReadsPerWrite);
        self
    }

    /// A named request stream besides writes and reads (`.stream("search", per_month(10e9))`,
    /// `.stream("fanout", per_write(10.0))`): it adds to the requests, their peak and the
    /// servers needed, and gets its own line in the estimate and column in a sweep. Naming a
    /// stream again replaces it; a workload takes up to [`MAX_STREAMS`].
    pub fn stream(self, name: &'static str, traffic: impl Into<Traffic>) -> Workload {
        self.stream_sized(name, traffic, Bytes::raw(0.0))
    }

    /// [`Workload::stream`] whose requests each send back `size` bytes (counted in egress).
    pub fn stream_sized(
        mut self,
        name: &'static str,
        traffic: impl Into<Traffic>,
        size: Bytes,
    ) -> Workload {
        let stream = Stream {
            name,
            traffic: traffic.into(),
            bytes_each: size.bytes(),
        };
        let slot = self
            .streams
            .iter()
            .position(|s| s.is_some_and(|s| s.name == name))
            .or_else(|| self.streams.iter().position(Option::is_none));
        match slot {
            Some(i) => self.streams[i] = Some(stream),
            None => self.overflow = Some(name),
        }
        self
    }

    /// The streams given, in order.
    pub fn streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams.iter().flatten()
    }

    /// The cache is this working set (hot items × their size, the top K, …), not the 80/20
    /// rule: `.working_set(items(2e6) * kb(1.0))`.
    pub fn working_set(mut self, size: Bytes) -> Workload {
        self.cache = CacheRule::WorkingSet(size.bytes());
        self
    }

    /// The cache holds the last `window` of writes (one copy): the recent part of a stream,
    /// such as the last 30 minutes of location updates.
    pub fn cache_window(mut self, window: Duration) -> Workload {
        self.cache = CacheRule::RecentWrites(window.seconds());
        self
    }

    /// Bytes stored by each write.
    pub fn bytes_per_write(mut self, size: impl GivenBytes) -> Workload {
        let size = size.given();
        self.bytes_per_write = size.likely.bytes();
        self.spread(Param::BytesPerWrite, size.low.bytes(), size.high.bytes())
    }

    /// Bytes sent back by each read (default: the write size).
    pub fn bytes_per_read(mut self, size: impl GivenBytes) -> Workload {
        let size = size.given();
        self.bytes_per_read = Some(size.likely.bytes());
        self.spread(Param::BytesPerRead, size.low.bytes(), size.high.bytes())
    }

    /// Peak traffic as a multiple of the average (≥ 1; default 3).
    pub fn peak_factor(mut self, factor: impl Given<f64>) -> Workload {
        let factor = factor.given();
        self.peak_factor = factor.likely;
        self.spread(Param::PeakFactor, factor.low, factor.high)
    }

    /// Copies of each byte stored (≥ 1; default 1).
    pub fn replication(mut self, copies: impl Given<f64>) -> Workload {
        let copies = copies.given();
        self.replication = copies.likely;
        self.spread(Param::Replication, copies.low, copies.high)
    }

    /// How long data is kept (default 5 of the conventions' years). The period keeps its true
    /// length: `years(3.0)` is three 365-day years, `Conventions::PRIMER.years(3.0)` three of
    /// the primer's 30,000,000-s years, whatever the workload's conventions.
    pub fn retention(mut self, period: impl GivenDuration) -> Workload {
        let period = period.given();
        self.retention_given = Some(period.likely.seconds());
        self.retention_years = period.likely.seconds() / self.conventions.year;
        self.spread(
            Param::RetentionYears,
            period.low.seconds(),
            period.high.seconds(),
        )
    }

    /// Share of data that is hot (0 < f ≤ 1; default 0.2, the 80/20 rule).
    pub fn cache_fraction(mut self, fraction: impl Given<f64>) -> Workload {
        let fraction = fraction.given();
        self.cache_fraction = fraction.likely;
        self.spread(Param::CacheFraction, fraction.low, fraction.high)
    }

    /// The day, month and year the results are shown in (storage per day, month and year;
    /// the retention counted in years): [`Conventions::EXACT`], [`Conventions::NAPKIN`],
    /// [`Conventions::PRIMER`], … Default: the writes' calendar.
    ///
    /// Conventions never change what an input means: `per_month(10e6)` is 10M per
    /// 2,628,000-s month under any of them (3.81 req/s; its work line says what the primer's
    /// month would give). To give an input in a source's calendar, make it with that
    /// calendar: `Conventions::PRIMER.rate(10e6, Per::Month)` is 4 req/s everywhere.
    pub fn conventions(mut self, conventions: Conventions) -> Workload {
        self.conventions = conventions;
        if let Some(seconds) = self.retention_given {
            self.retention_years = seconds / conventions.year;
        }
        self
    }

    /// Checks every parameter, naming the first one out of range.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(users) = self.users {
            check("users", users, |v| v > 0.0, "a finite number of users > 0")?;
        }
        check("writes", self.writes, |v| v >= 0.0, "a finite rate ≥ 0")?;
        check(
            "reads",
            self.reads.value(),
            |v| v >= 0.0,
            "a finite rate or ratio ≥ 0 (100 for a 100:1 read:write ratio)",
        )?;
        if self.users.is_none() {
            let per_user = |t: Traffic| matches!(t, Traffic::PerUser(..));
            let what = if per_user(self.reads) {
                Some("reads".to_string())
            } else {
                self.streams()
                    .find(|s| per_user(s.traffic))
                    .map(|s| format!("{:?} requests", s.name))
            };
            if let Some(what) = what {
                return Err(Error::PerUserWithoutUsers { what });
            }
        }
        if let Some(name) = self.overflow {
            return Err(Error::TooManyStreams {
                name,
                max: MAX_STREAMS,
            });
        }
        for stream in self.streams() {
            check(
                "stream",
                stream.traffic.value(),
                |v| v >= 0.0,
                "a finite rate or ratio ≥ 0",
            )?;
            check(
                "stream size",
                stream.bytes_each,
                |v| v >= 0.0,
                "a finite size ≥ 0",
            )?;
        }
        match self.cache {
            CacheRule::WorkingSet(b) => {
                check("working_set", b, |v| v >= 0.0, "a finite size ≥ 0")?;
            }
            CacheRule::RecentWrites(s) => {
                check("cache_window", s, |v| v >= 0.0, "a finite duration ≥ 0")?;
            }
            CacheRule::EightyTwenty => {}
        }
        check(
            "bytes_per_write",
            self.bytes_per_write,
            |v| v >= 0.0,
            "a finite size ≥ 0",
        )?;
        if let Some(b) = self.bytes_per_read {
            check("bytes_per_read", b, |v| v >= 0.0, "a finite size ≥ 0")?;
        }
        check(
            "peak_factor",
            self.peak_factor,
            |v| v >= 1.0,
            "a finite number ≥ 1 (the peak is at least the average)",
        )?;
        check(
            "replication",
            self.replication,
            |v| v >= 1.0,
            "a finite number of copies ≥ 1",
        )?;
        check(
            "retention",
            self.retention_years,
            |v| v > 0.0,
            "a finite period > 0",
        )?;
        check(
            "cache_fraction",
            self.cache_fraction,
            |v| v > 0.0 && v <= 1.0,
            "a fraction in (0, 1] (0.2 for the 80/20 rule)",
        )?;
        let c = &self.conventions;
        for (name, v) in [
            ("conventions.day", c.day),
            ("conventions.month", c.month),
            ("conventions.year", c.year),
            (
                "writes' calendar",
                self.writes_calendar.seconds(self.writes_per),
            ),
        ] {
            check(name, v, |v| v > 0.0, "a finite number of seconds > 0")?;
        }
        if self.is_ranged() {
            self.at(Bound::Low).validate()?;
            self.at(Bound::High).validate()?;
        }
        Ok(())
    }

    /// Runs the chain. Fails, naming the parameter, if any input is out of range.
    pub fn estimate(&self) -> Result<Estimate, Error> {
        self.validate()?;
        Ok(Estimate::from_workload(*self))
    }

    /// The stream called `name`, if the workload has one.
    pub fn stream_named(&self, name: &str) -> Option<&Stream> {
        self.streams().find(|s| s.name == name)
    }
}

/// A stream's inputs: one of the three rates is non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct StreamInputs {
    pub per_write: f64,
    pub total: f64,
    pub per_user: f64,
    pub bytes_each: f64,
}

/// The chain's inputs as plain numbers, with the defaults resolved: what the figure table's
/// formulas read (`Inputs::figures`), for one workload ([`Workload::figures`]) and for
/// batches of rows ([`crate::sweep`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Inputs {
    /// Users (1 when the writes are a total).
    pub users: f64,
    /// Writes per user (or in total) per `seconds`.
    pub writes: f64,
    /// Seconds in the writes' time base.
    pub seconds: f64,
    /// Reads per write, reads per second in total, reads per user per second.
    pub reads_per_write: f64,
    pub reads_total: f64,
    pub reads_per_user: f64,
    pub streams: [StreamInputs; MAX_STREAMS],
    pub bytes_per_write: f64,
    /// Bytes per read (the write size unless given).
    pub read_size: f64,
    pub peak_factor: f64,
    pub replication: f64,
    pub retention_years: f64,
    pub cache_fraction: f64,
    pub cache: CacheRule,
    /// Seconds in a day, a month and a year.
    pub day: f64,
    pub month: f64,
    pub year: f64,
}

impl Inputs {
    /// Requests per second given per write, in total and per user, at `writes` per second.
    #[inline(always)]
    pub(crate) fn flow(self, writes: f64, per_write: f64, total: f64, per_user: f64) -> f64 {
        writes * per_write + total + self.users * per_user
    }

    /// Each stream's requests per second (0 for an empty slot) at `writes` per second.
    #[inline(always)]
    pub(crate) fn stream_rates(self, writes: f64) -> [f64; MAX_STREAMS] {
        self.streams
            .map(|s| self.flow(writes, s.per_write, s.total, s.per_user))
    }

    /// The bytes every stream sends back per second at `writes` per second.
    #[inline(always)]
    fn stream_egress(self, writes: f64) -> f64 {
        self.stream_rates(writes)
            .iter()
            .zip(&self.streams)
            .map(|(rate, s)| rate * s.bytes_each)
            .sum()
    }
}

impl Workload {
    /// The chain's inputs with the defaults resolved.
    #[inline]
    pub(crate) fn inputs(&self) -> Inputs {
        let c = &self.conventions;
        let (reads_per_write, reads_total, reads_per_user) = self.reads.parts();
        let streams = self.streams.map(|s| match s {
            Some(s) => {
                let (per_write, total, per_user) = s.traffic.parts();
                StreamInputs {
                    per_write,
                    total,
                    per_user,
                    bytes_each: s.bytes_each,
                }
            }
            None => StreamInputs::default(),
        });
        Inputs {
            users: self.users.unwrap_or(1.0),
            writes: self.writes,
            seconds: self.writes_calendar.seconds(self.writes_per),
            reads_per_write,
            reads_total,
            reads_per_user,
            streams,
            bytes_per_write: self.bytes_per_write,
            read_size: self.bytes_per_read.unwrap_or(self.bytes_per_write),
            peak_factor: self.peak_factor,
            replication: self.replication,
            retention_years: self.retention_years,
            cache_fraction: self.cache_fraction,
            cache: self.cache,
            day: c.day,
            month: c.month,
            year: c.year,
        }
    }

    /// The chain's numbers, unchecked: call [`Workload::validate`] first.
    #[inline]
    pub(crate) fn figures(&self) -> Figures {
        self.inputs().figures()
    }
}

/// One derived figure's work: `writes: 100M users × … = 11.6K req/s`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Step {
    /// The figure's name (`writes`, `peak_writes`, `storage_per_day`, …).
    pub name: &'static str,
    /// The arithmetic, with the result.
    pub work: String,
}

/// One named stream's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEstimate {
    /// The stream's name (`search`).
    pub name: &'static str,
    /// Its average requests per second.
    pub rate: Rate,
    /// Its peak requests per second.
    pub peak: Rate,
    /// The bytes it sends back per second.
    pub egress: Bandwidth,
}

impl Estimate {
    fn from_workload(w: Workload) -> Estimate {
        let mut e = Estimate::of_point(w);
        if !w.is_ranged() {
            return e;
        }
        let bounds = [
            Estimate::of_point(w.at(Bound::Low)),
            Estimate::of_point(w.at(Bound::High)),
        ];
        // Each figure's work ends with its range: `= 11.6K req/s (9.26K–14.8K)`.
        let mut steps = std::mem::take(&mut e.steps);
        for step in &mut steps {
            let (Some(likely), Some(low), Some(high)) = (
                e_figure(&e, step.name),
                e_figure(&bounds[0], step.name),
                e_figure(&bounds[1], step.name),
            ) else {
                continue;
            };
            add_range(&mut step.work, &likely, &low, &high);
        }
        e.steps = steps;
        e.bounds = Some(Box::new(bounds));
        e
    }

    /// The estimate at every ranged input's low end: each figure's low (every figure rises
    /// with every input). The estimate itself when no input is a range.
    pub fn low(&self) -> &Estimate {
        self.bounds.as_ref().map_or(self, |b| &b[0])
    }

    /// The estimate at every ranged input's high end: each figure's high.
    pub fn high(&self) -> &Estimate {
        self.bounds.as_ref().map_or(self, |b| &b[1])
    }

    /// A figure with its range: `e.range(|e| e.peak_requests)` is `34.7K req/s (27.8K–44.4K)`.
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let e = Workload::new(between(users(50e6), users(80e6)), per_user_per_day(10.0))
    ///     .estimate()?;
    /// assert_eq!(e.range(|e| e.writes).to_string(), "7.32K req/s (5.79K–9.26K)");
    /// assert_eq!(e.low().writes.to_string(), "5.79K req/s");
    /// # Ok::<(), napkin::Error>(())
    /// ```
    pub fn range<Q: Amount>(&self, figure: impl Fn(&Estimate) -> Q) -> Guess<Q> {
        Guess {
            low: figure(self.low()),
            likely: figure(self),
            high: figure(self.high()),
        }
    }

    /// True when the workload had a ranged input, so figures have a low and a high.
    pub fn is_ranged(&self) -> bool {
        self.bounds.is_some()
    }

    fn of_point(w: Workload) -> Estimate {
        let f = w.figures();
        let c = w.conventions;
        // Every figure carries its true per-second value and the estimate's conventions, so
        // it reads the same in any unit: `storage_per_month.shown_per(Per::Day)` is
        // `storage_per_day`, and `× c.years(n)` gives the total.
        let qps = |x: f64| Rate::raw_in(x, Per::Second, &c);
        let streams: Vec<StreamEstimate> = w
            .streams
            .iter()
            .zip(w.inputs().stream_rates(f.writes))
            .filter_map(|(s, rate)| s.map(|s| (s, rate)))
            .map(|(s, rate)| StreamEstimate {
                name: s.name,
                rate: qps(rate),
                peak: qps(rate * w.peak_factor),
                egress: Bandwidth::raw_in(rate * s.bytes_each, Per::Second, &c),
            })
            .collect();
        let mut e = Estimate::of_figures(w, &f, streams);
        let work = Work::of(&e);
        let mut steps = Vec::with_capacity(ENTRIES.len() + e.streams.len());
        for entry in ENTRIES {
            steps.push(Step {
                name: entry.name,
                work: (entry.work)(&work),
            });
            // Each named stream's line follows the reads.
            if entry.name == "reads" {
                steps.extend(work.streams());
            }
        }
        e.steps = steps;
        e
    }

    /// The named stream's figures (`"search"`), or an error that lists the streams there are
    /// (`no stream named "serach"; there are: "search", "fanout"`).
    pub fn stream(&self, name: &str) -> Result<&StreamEstimate, Error> {
        self.streams
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| Error::NoName {
                what: "stream",
                name: name.to_string(),
                available: if self.streams.is_empty() {
                    "none (add one with Workload::stream)".to_string()
                } else {
                    self.streams
                        .iter()
                        .map(|s| format!("{:?}", s.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })
    }

    /// True when the workload defines the figure `name`, so the estimate shows it (its
    /// `Display`, its card, the live view): the writes always; reads (and their peak, the
    /// cache by a day's reads) when it has reads; the requests in total when there is more
    /// than the writes; storage, ingress and the cache by stored data when writes have a
    /// size; egress when reads or streams send bytes; each named stream. The others are zero
    /// or repeat another figure; [`Estimate::work`] and the fields still give them.
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let e = Workload::total(qps(100.0)).estimate()?;
    /// assert!(e.defines("peak_writes"));
    /// assert!(!e.defines("reads") && !e.defines("storage_per_day"));
    /// assert_eq!(e.to_string().lines().count(), 1 + 2); // the title, writes, peak_writes
    /// # Ok::<(), napkin::Error>(())
    /// ```
    pub fn defines(&self, name: &str) -> bool {
        match entry(name) {
            Some(entry) => (entry.defined)(self),
            None => self.streams.iter().any(|s| s.name == name),
        }
    }

    /// The steps of the figures the workload defines ([`Estimate::defines`]), in order: what
    /// the estimate shows.
    pub fn shown_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| self.defines(s.name))
    }

    /// The work line behind a figure (`"writes"`, `"peak_requests"`,
    /// `"storage_per_year"`, …), or `None` for an unknown name.
    pub fn work(&self, name: &str) -> Option<&str> {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.work.as_str())
    }

    /// Sizes a fleet of `server`s for this estimate: by peak throughput, and by cache memory
    /// and by storage where the server states them; names the constraint that binds.
    ///
    /// Memory holds [`Estimate::cache`], the cache by the workload's rule.
    pub fn servers(&self, server: &Server) -> Result<Sizing, Error> {
        server.validate()?;
        let usable = 1.0 - server.headroom;
        let h = format::percent(server.headroom);
        // `(10.0K req/s × (1 − 30.0 % headroom))`; with no headroom, the capacity alone.
        let usable_of = |capacity: &dyn fmt::Display, label: &str| {
            if server.headroom == 0.0 {
                capacity.to_string()
            } else {
                format!("({capacity} × (1 − {h}{label}))")
            }
        };
        let servers = |n: f64| format::counted(n, "server", "servers");
        let by_throughput =
            (self.peak_requests.per_second() / (server.requests.per_second() * usable)).ceil();
        let mut steps = vec![Step {
            name: "by_throughput",
            work: format!(
                "{} ÷ {} = {}",
                self.peak_requests,
                usable_of(&server.requests, " headroom"),
                servers(by_throughput)
            ),
        }];
        let by_memory = server.memory.map(|memory| {
            let n = (self.cache.bytes() / (memory.bytes() * usable)).ceil();
            steps.push(Step {
                name: "by_memory",
                work: format!(
                    "{} cache ÷ {} = {}",
                    self.cache,
                    usable_of(&memory, ""),
                    servers(n)
                ),
            });
            n
        });
        let by_storage = server.storage.map(|storage| {
            let n = (self.storage_total.bytes() / (storage.bytes() * usable)).ceil();
            steps.push(Step {
                name: "by_storage",
                work: format!(
                    "{} ÷ {} = {}",
                    self.storage_total,
                    usable_of(&storage, ""),
                    servers(n)
                ),
            });
            n
        });
        let mut needs = vec![(Constraint::Throughput, by_throughput)];
        needs.extend(by_memory.map(|n| (Constraint::Memory, n)));
        needs.extend(by_storage.map(|n| (Constraint::Storage, n)));
        needs.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (binding, most) = needs[0];
        Ok(Sizing {
            servers: most.max(1.0) as u64,
            by_throughput: by_throughput as u64,
            by_memory: by_memory.map(|n| n as u64),
            by_storage: by_storage.map(|n| n as u64),
            binding,
            steps,
        })
    }
}

/// What one server can take, and how much of it to leave free. Memory and disk are optional:
/// [`Server::throughput`] sizes by requests alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Server {
    /// Requests per second one server serves.
    pub requests: Rate,
    /// Memory one server gives to cache, if it counts.
    pub memory: Option<Bytes>,
    /// Disk one server stores, if it counts.
    pub storage: Option<Bytes>,
    /// Share of each resource kept free (0 ≤ h < 1; default 0.3).
    pub headroom: f64,
}

impl Server {
    /// A server with the given capacities and 30 % headroom.
    pub fn new(requests: Rate, memory: Bytes, storage: Bytes) -> Server {
        Server {
            memory: Some(memory),
            storage: Some(storage),
            ..Server::throughput(requests)
        }
    }

    /// A server sized by its throughput alone (a stateless web or API tier): no memory or
    /// disk to fill in. Add them with [`Server::memory`] and [`Server::storage`].
    pub fn throughput(requests: Rate) -> Server {
        Server {
            requests,
            memory: None,
            storage: None,
            headroom: 0.3,
        }
    }

    /// The same server with `size` of memory for cache.
    pub fn memory(mut self, size: Bytes) -> Server {
        self.memory = Some(size);
        self
    }

    /// The same server with `size` of disk.
    pub fn storage(mut self, size: Bytes) -> Server {
        self.storage = Some(size);
        self
    }

    /// The same server with another headroom (0 ≤ h < 1).
    pub fn headroom(mut self, headroom: f64) -> Server {
        self.headroom = headroom;
        self
    }

    fn validate(&self) -> Result<(), Error> {
        check(
            "server.requests",
            self.requests.per_second(),
            |v| v > 0.0,
            "a finite rate > 0",
        )?;
        if let Some(memory) = self.memory {
            check(
                "server.memory",
                memory.bytes(),
                |v| v > 0.0,
                "a finite size > 0",
            )?;
        }
        if let Some(storage) = self.storage {
            check(
                "server.storage",
                storage.bytes(),
                |v| v > 0.0,
                "a finite size > 0",
            )?;
        }
        check(
            "headroom",
            self.headroom,
            |v| (0.0..1.0).contains(&v),
            "a fraction in [0, 1) (0.3 keeps 30 % free)",
        )?;
        Ok(())
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "server: {}", self.requests)?;
        if let Some(memory) = self.memory {
            write!(f, ", {memory} memory")?;
        }
        if let Some(storage) = self.storage {
            write!(f, ", {storage} disk")?;
        }
        write!(f, ", {} kept free", format::percent(self.headroom))
    }
}

/// The resource that decides how many servers are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Constraint {
    /// Peak requests per second.
    Throughput,
    /// Cache memory.
    Memory,
    /// Disk.
    Storage,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Constraint::Throughput => "throughput",
            Constraint::Memory => "memory",
            Constraint::Storage => "storage",
        })
    }
}

/// How many servers an estimate needs, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizing {
    /// Servers needed: the largest of the needs, at least 1.
    pub servers: u64,
    /// Servers needed for peak throughput.
    pub by_throughput: u64,
    /// Servers needed to hold the cache (`None`: the server states no memory).
    pub by_memory: Option<u64>,
    /// Servers needed to hold the data (`None`: the server states no disk).
    pub by_storage: Option<u64>,
    /// The constraint that binds.
    pub binding: Constraint,
    /// The work behind each need.
    pub steps: Vec<Step>,
}

impl fmt::Display for Sizing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({} binds)",
            format::counted(self.servers as f64, "server", "servers"),
            self.binding
        )?;
        for s in &self.steps {
            writeln!(f, "  {}: {}", s.name, s.work)?;
        }
        Ok(())
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Estimate ({})", self.workload.conventions.describe())?;
        if self.is_ranged() {
            writeln!(f, "  {RANGE_NOTE}")?;
        }
        let width = self.shown_steps().map(|s| s.name.len()).max().unwrap_or(0);
        for s in self.shown_steps() {
            writeln!(f, "  {:width$}  {}", s.name, s.work)?;
        }
        Ok(())
    }
}

/// A figure of `e` as it prints, by its step's name; `None` for a name without one value.
fn e_figure(e: &Estimate, name: &str) -> Option<String> {
    match entry(name) {
        Some(entry) => Some((entry.shown)(e)),
        // A stream's line ends with its average; its peak is in parentheses.
        None => Some(e.streams.iter().find(|s| s.name == name)?.rate.to_string()),
    }
}

/// One figure of an estimate: its name in the work lines, its value as shown, whether the
/// workload defines it (so the estimate shows it), and how its work line reads. The work
/// lines, [`Estimate::defines`] and a ranged figure's `(low–high)` all read [`ENTRIES`], which
/// comes from the figure table ([`with_figures`]).
struct Entry {
    name: &'static str,
    shown: fn(&Estimate) -> String,
    defined: fn(&Estimate) -> bool,
    work: fn(&Work) -> String,
}

/// The figure named `name`.
fn entry(name: &str) -> Option<&'static Entry> {
    ENTRIES.iter().find(|entry| entry.name == name)
}

/// Work on one figure, chosen at run time: [`Output::with`] calls `run` with a reader of that
/// figure of [`Figures`], a closure type of its own per figure, so the work (a sweep's loop
/// over rows) is compiled once per figure and computes only what that figure needs.
pub(crate) trait ForFigure {
    /// What the work gives back.
    type Out;
    /// Does the work with `figure`, the reader of the chosen figure.
    fn run(self, figure: impl Fn(&Figures) -> f64 + Copy) -> Self::Out;
}

#[cfg(test)]
impl Figures {
    /// The figure `output`, read as a sweep's loop reads it.
    pub(crate) fn get(&self, output: Output) -> f64 {
        struct Read<'a>(&'a Figures);
        impl ForFigure for Read<'_> {
            type Out = f64;
            fn run(self, figure: impl Fn(&Figures) -> f64 + Copy) -> f64 {
                figure(self.0)
            }
        }
        output.with(Read(self))
    }
}

/// What this module builds from the figure table ([`with_figures`]): [`Figures`] and their
/// formulas, [`Estimate`] with a field per figure, [`ENTRIES`], and [`Output::with`].
macro_rules! estimate_items {
    (
        inputs: $i:ident;
        $(
            $(#[doc = $doc:literal])*
            $field:ident ($output:ident): $kind:ident $(per $per:ident)? = $formula:expr;
            says $says:literal;
            shown when $shown:expr;
            work $work:expr;
        )*
    ) => {
        /// The chain's numbers for one workload, in base units: per second, bytes, and storage
        /// per day, month or year in bytes per that period. [`Estimate`] gives them their types
        /// and work lines; [`crate::sweep`] computes them for every row of a grid.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub(crate) struct Figures {
            $($(#[doc = $doc])* pub $field: f64,)*
        }

        impl Inputs {
            /// The chain's numbers, unchecked: validate the workload first. Always inlined, so
            /// a caller that reads one figure computes only the formulas it needs.
            #[inline(always)]
            pub(crate) fn figures(self) -> Figures {
                let $i = self;
                $(let $field: f64 = $formula;)*
                Figures { $($field),* }
            }
        }

        /// The results of the chain. Every figure is a typed quantity; rates are
        /// per second, storage figures include replication.
        #[derive(Debug, Clone)]
        pub struct Estimate {
            /// The inputs.
            pub workload: Workload,
            $($(#[doc = $doc])* pub $field: $kind,)*
            /// Each named stream's average and peak rate and egress, in the workload's order.
            pub streams: Vec<StreamEstimate>,
            /// The work behind each figure, in the order computed.
            pub steps: Vec<Step>,
            /// For a ranged workload, the estimates at every input's low and at every input's
            /// high.
            bounds: Option<Box<[Estimate; 2]>>,
        }

        impl Estimate {
            /// `w`'s figures `f`, each typed in `w`'s conventions, with `streams` and no work
            /// lines yet.
            fn of_figures(w: Workload, f: &Figures, streams: Vec<StreamEstimate>) -> Estimate {
                let c = w.conventions;
                Estimate {
                    workload: w,
                    $($field: figure_kind!(make $kind $($per)?, f.$field, &c),)*
                    streams,
                    steps: Vec::new(),
                    bounds: None,
                }
            }
        }

        /// Every figure, in the order the estimate shows them (each named stream after the
        /// reads).
        const ENTRIES: &[Entry] = &[$(Entry {
            name: stringify!($field),
            shown: |e| e.$field.to_string(),
            defined: $shown,
            work: $work,
        }),*];

        impl Output {
            /// Runs `job` with the reader of this figure ([`ForFigure`]).
            #[inline(always)]
            pub(crate) fn with<J: ForFigure>(self, job: J) -> J::Out {
                match self {
                    $(Output::$output => job.run(|f: &Figures| f.$field),)*
                }
            }
        }
    };
}

with_figures!(estimate_items);

/// Writes have a size, so storage, ingress and the cache by stored data mean something.
fn sized(e: &Estimate) -> bool {
    e.workload.bytes_per_write > 0.0
}

/// Reads (or, with no size of their own, writes) have a size.
fn reads_have_a_size(e: &Estimate) -> bool {
    let w = &e.workload;
    w.bytes_per_read.unwrap_or(w.bytes_per_write) > 0.0
}

/// Reads or streams send bytes back.
fn sends_bytes(e: &Estimate) -> bool {
    let w = &e.workload;
    (w.has_reads() && reads_have_a_size(e)) || w.streams().any(|s| s.bytes_each > 0.0)
}

/// What the work lines read: the estimate, and the texts several of them share.
struct Work<'a> {
    e: &'a Estimate,
    c: Conventions,
    write_size: Bytes,
    read_size: Bytes,
    /// The peak factor (`3`).
    peak: String,
    /// ` × 3 copies`, or nothing for one copy.
    copies: String,
    /// The cache's hot share (`20.0 %`).
    hot: String,
}

impl<'a> Work<'a> {
    fn of(e: &'a Estimate) -> Work<'a> {
        let w = &e.workload;
        Work {
            e,
            c: w.conventions,
            write_size: Bytes::raw(w.bytes_per_write),
            read_size: Bytes::raw(w.bytes_per_read.unwrap_or(w.bytes_per_write)),
            peak: format::factor(w.peak_factor),
            copies: if w.replication == 1.0 {
                String::new()
            } else {
                format!(" × {} copies", format::factor(w.replication))
            },
            hot: format::percent(w.cache_fraction),
        }
    }

    /// `average × 3 (peak factor) = peak`; with a factor of 1 the peak is the average, said
    /// so rather than multiplied by 1.
    fn peak(&self, average: &dyn fmt::Display, label: &str, peak: &dyn fmt::Display) -> String {
        if self.e.workload.peak_factor == 1.0 {
            format!("the average (peak factor 1) = {peak}")
        } else {
            format!("{average} × {}{label} = {peak}", self.peak)
        }
    }

    fn storage_total(&self) -> String {
        let e = self.e;
        let years = format::factor(e.workload.retention_years);
        format!(
            "{} × {years} years = {}",
            e.storage_per_year, e.storage_total
        )
    }

    fn cache_by_reads(&self) -> String {
        let e = self.e;
        format!(
            "{} × {} s/day × {} × {} = {}",
            e.reads,
            format::grouped(self.c.day),
            self.read_size,
            self.hot,
            e.cache_by_reads
        )
    }

    fn cache_by_items(&self) -> String {
        let e = self.e;
        let one_copy = e.storage_total / e.workload.replication;
        format!(
            "{one_copy} stored (one copy) × {} = {}",
            self.hot, e.cache_by_items
        )
    }

    /// `writes × size × seconds in a period × copies = stored per period`.
    fn stored(&self, per: &str, seconds: f64, result: &Bandwidth) -> String {
        format!(
            "{} × {} × {} s/{per}{} = {result}",
            self.e.writes,
            self.write_size,
            format::grouped(seconds),
            self.copies
        )
    }

    fn writes(&self) -> String {
        let w = &self.e.workload;
        let (calendar, per) = (&w.writes_calendar, w.writes_per);
        // A ranged input reads with its range: `65.0M users (50.0M–80.0M) × 10 req/user/day`.
        let ranged =
            |param: Param, likely: String, show: &dyn Fn(f64) -> String| match w.range(param) {
                Some((low, high)) => spread_text(&likely, &show(low), &show(high)),
                None => likely,
            };
        let writes_given = |v: f64| match w.users {
            Some(_) => UserRate::raw_in(v, per, calendar).to_string(),
            None => Rate::raw_in(v, per, calendar).to_string(),
        };
        let writes_text = ranged(Param::Writes, writes_given(w.writes), &writes_given);
        let given = match w.users {
            Some(users) => format!(
                "{} × {writes_text}",
                ranged(Param::Users, Users::raw(users).to_string(), &|v| {
                    Users::raw(v).to_string()
                }),
            ),
            None => writes_text,
        };
        format!(
            "{} = {}{}",
            per_second_work(&given, calendar, per),
            self.e.writes,
            calendar_note(per, calendar, &self.c, &self.e.writes, true)
        )
    }

    fn reads(&self) -> String {
        let (w, e) = (&self.e.workload, self.e);
        match w.reads {
            Traffic::PerWrite(n) => {
                format!(
                    "{} × {} reads per write = {}",
                    e.writes,
                    format::factor(n),
                    e.reads
                )
            }
            other => {
                let (given, note) = other.given(w.users, &e.writes, &self.c);
                format!("{given} = {}{note}", e.reads)
            }
        }
    }

    /// One line per named stream: its rate, and its peak.
    fn streams(&self) -> Vec<Step> {
        let (w, e) = (&self.e.workload, self.e);
        w.streams()
            .zip(&e.streams)
            .map(|(s, figures)| {
                let (given, note) = s.traffic.given(w.users, &e.writes, &self.c);
                Step {
                    name: s.name,
                    work: if w.peak_factor == 1.0 {
                        format!("{given} = {}{note}", figures.rate)
                    } else {
                        format!(
                            "{given} = {} (peak × {} = {}){note}",
                            figures.rate, self.peak, figures.peak
                        )
                    },
                }
            })
            .collect()
    }

    fn requests(&self) -> String {
        let e = self.e;
        let mut summands = vec![e.writes.to_string()];
        if e.workload.has_reads() {
            summands.push(e.reads.to_string());
        }
        summands.extend(e.streams.iter().map(|s| s.rate.to_string()));
        format!("{} = {}", summands.join(" + "), e.requests)
    }

    /// A year of whole days (365 exact or napkin days, the 30-day convention's 360) reads as
    /// that many days; the primer's 30,000,000 s does not.
    fn storage_per_year(&self) -> String {
        let days_a_year = self.c.year / self.c.day;
        if days_a_year == days_a_year.round() {
            format!(
                "{} × {} days = {}",
                self.e.storage_per_day,
                format::grouped(days_a_year),
                self.e.storage_per_year
            )
        } else {
            self.stored("year", self.c.year, &self.e.storage_per_year)
        }
    }

    fn egress(&self) -> String {
        let (w, e) = (&self.e.workload, self.e);
        let mut parts = Vec::new();
        if w.has_reads() && self.read_size.bytes() > 0.0 {
            parts.push(format!("{} × {}", e.reads, self.read_size));
        }
        for (s, figures) in w.streams().zip(&e.streams) {
            if s.bytes_each > 0.0 {
                parts.push(format!("{} × {}", figures.rate, Bytes::raw(s.bytes_each)));
            }
        }
        if parts.is_empty() {
            format!("no reads or streams send bytes = {}", e.egress)
        } else {
            format!("{} = {}", parts.join(" + "), e.egress)
        }
    }

    fn cache(&self) -> String {
        let e = self.e;
        match e.workload.cache {
            CacheRule::WorkingSet(_) => format!("working set given = {}", e.cache),
            CacheRule::RecentWrites(seconds) => format!(
                "last {} of writes: {} × {} s = {}",
                Duration::raw_seconds(seconds),
                e.ingress,
                format::grouped(seconds),
                e.cache
            ),
            CacheRule::EightyTwenty if e.reads.per_second() > 0.0 => {
                format!("80/20 rule on a day's reads (cache_by_reads) = {}", e.cache)
            }
            CacheRule::EightyTwenty => {
                format!(
                    "80/20 rule on stored data (cache_by_items; no reads) = {}",
                    e.cache
                )
            }
        }
    }
}

/// What an estimate's ranges mean, as its text and card say.
pub const RANGE_NOTE: &str = "Ranges (low–high): the chain run on every input's low and on every \
     input's high; every figure rises with every input.";

/// Default retention of [`Workload`], for documentation and tests.
pub fn default_retention() -> Duration {
    years(5.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn the_figure_table_gives_every_work_line_and_sweep_column() {
        let entries: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
        let columns: Vec<&str> = crate::figure::FIGURES.iter().map(|f| f.name).collect();
        assert_eq!(entries, columns, "FIGURES and ENTRIES disagree");
        // Each figure's name is unique, and every work line comes from the table.
        let e = Workload::new(users(1e6), per_user_per_day(10.0))
            .reads_per_write(4.0)
            .bytes_per_write(kb(1.0))
            .estimate()
            .unwrap();
        let names: Vec<&str> = e.steps.iter().map(|s| s.name).collect();
        assert_eq!(names, entries);
        let f = e.workload.figures();
        for (entry, figure) in ENTRIES.iter().zip(crate::figure::FIGURES) {
            assert_eq!(ENTRIES.iter().filter(|x| x.name == entry.name).count(), 1);
            // Each line ends with the figure it derives, as the estimate shows it.
            let work = e.work(entry.name).unwrap();
            assert!(work.ends_with(&(entry.shown)(&e)), "{}: {work}", entry.name);
            // The sweep's reader of a figure reads that figure.
            let read = f.get(figure.output);
            let shown = figure.unit.cell(read);
            assert!(
                (entry.shown)(&e).starts_with(shown.split(' ').next().unwrap()),
                "{}: {read} read as {shown}, shown as {}",
                entry.name,
                (entry.shown)(&e)
            );
        }
    }

    fn day1() -> Estimate {
        Workload::new(users(100e6), per_user_per_day(10.0))
            .bytes_per_write(kb(1.0))
            .estimate()
            .unwrap()
    }

    #[test]
    fn seed_chain() {
        let e = day1();
        assert_eq!(e.writes.to_string(), "11.6K req/s");
        assert_eq!(e.peak_writes.to_string(), "34.7K req/s");
        assert_eq!(e.storage_per_day.to_string(), "1.00 TB/day");
        assert_eq!(e.storage_per_year.to_string(), "365 TB/year");
        assert_eq!(
            e.work("peak_writes").unwrap(),
            "11.6K req/s × 3 (peak factor) = 34.7K req/s"
        );
    }

    #[test]
    fn napkin_day_shows_its_error() {
        let e = Workload::new(users(100e6), Conventions::NAPKIN.per_user(10.0, Per::Day))
            .estimate()
            .unwrap();
        assert_eq!(e.writes.to_string(), "10.0K req/s");
        assert_eq!(e.workload.conventions, Conventions::NAPKIN);
        let work = e.work("writes").unwrap();
        assert!(
            work.ends_with(
                "= 10.0K req/s (napkin conventions; with 86,400 s/day it is 11.6K req/s, -13.6 % off)"
            ),
            "{work}"
        );
    }

    #[test]
    fn conventions_set_later_do_not_reread_an_input() {
        // 10M a month made with the exact month stays 3.81 req/s under the primer's
        // conventions, and the work line says what the primer's month would give.
        let e = Workload::total(per_month(10e6))
            .reads(per_month(100e6))
            .conventions(Conventions::PRIMER)
            .estimate()
            .unwrap();
        assert_eq!(e.writes.to_string(), "3.81 req/s");
        assert_eq!(
            e.work("writes").unwrap(),
            "10.0M req/month ÷ 2,628,000 s/month = 3.81 req/s \
             (the exact month; primer's 2,500,000 s/month gives 4 req/s)"
        );
        assert_eq!(
            e.work("reads").unwrap(),
            "100M req/month ÷ 2,628,000 s/month = 38.1 req/s \
             (the exact month; primer's 2,500,000 s/month gives 40 req/s)"
        );
    }

    #[test]
    fn bad_input_names_the_parameter() {
        let err = Workload::new(users(100e6), per_user_per_day(10.0))
            .peak_factor(0.5)
            .estimate()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid peak_factor = 0.500000: expected a finite number ≥ 1 (the peak is at least the average)"
        );
        let err = Workload::new(users(100e6) * f64::NAN, per_user_per_day(10.0))
            .estimate()
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid users = NaN"), "{err}");
    }

    #[test]
    fn servers_name_the_binding_constraint() {
        let e = Workload::new(users(100e6), per_user_per_day(10.0))
            .reads_per_write(10.0)
            .bytes_per_write(kb(1.0))
            .estimate()
            .unwrap();
        let s = e
            .servers(&Server::new(qps(10_000.0), gb(64.0), tb(10.0)))
            .unwrap();
        assert_eq!(s.binding, Constraint::Storage);
        assert_eq!(s.by_throughput, 55); // 382K ÷ 7K
        let err = e
            .servers(&Server::new(qps(10_000.0), gb(64.0), tb(10.0)).headroom(1.0))
            .unwrap_err();
        assert!(err.to_string().contains("headroom"));
    }
}
