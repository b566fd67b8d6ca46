//! The chain's figures in one table — name, column, unit, formula — which the estimate's work
//! lines, a sweep's columns, tables and charts all read; and the one reading of the unit a
//! column's name carries (`peak_requests [req/s]`, `storage_total [B]`).

use crate::format;

/// The unit of a value, as a column name states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count: `users`, `writes_per_user [req/user/day]`.
    Count,
    /// Requests per second: `[req/s]`.
    RequestsPerSecond,
    /// Bytes: `[B]`.
    Bytes,
    /// Bytes per second: `[B/s]`.
    BytesPerSecond,
    /// A plain number: a ratio, a factor, years.
    Plain,
    /// US dollars per month: `[$/month]`, a sweep's cost column.
    DollarsPerMonth,
}

impl Unit {
    /// The unit a column's name implies: its `[…]` suffix, or `users`.
    pub fn of_column(name: &str) -> Unit {
        let suffix = name
            .rsplit_once('[')
            .and_then(|(_, u)| u.strip_suffix(']'))
            .unwrap_or("");
        match suffix {
            "B" => Unit::Bytes,
            "B/s" => Unit::BytesPerSecond,
            "req/s" => Unit::RequestsPerSecond,
            "$/month" => Unit::DollarsPerMonth,
            s if s.starts_with("req/") => Unit::Count,
            "" if name == "users" => Unit::Count,
            _ => Unit::Plain,
        }
    }

    /// The column suffix for this unit (`[req/s]`), empty for counts and plain numbers.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::RequestsPerSecond => " [req/s]",
            Unit::Bytes => " [B]",
            Unit::BytesPerSecond => " [B/s]",
            Unit::DollarsPerMonth => " [$/month]",
            Unit::Count | Unit::Plain => "",
        }
    }

    /// A value as a table cell shows it: `1.00 TB`, `11.6K`, `2.5`.
    pub fn cell(self, x: f64) -> String {
        match self {
            Unit::Bytes => format::bytes(x),
            Unit::BytesPerSecond => format!("{}/s", format::bytes(x)),
            Unit::Count | Unit::RequestsPerSecond => format::count(x),
            Unit::Plain => format::factor(x),
            Unit::DollarsPerMonth => format!("${}/month", format::count(x)),
        }
    }

    /// A value as an axis label shows it: short, no trailing zeros (`1.5 TB`, `10K`).
    pub fn label(self, x: f64) -> String {
        match self {
            Unit::Count | Unit::RequestsPerSecond => format::compact(x),
            Unit::Bytes | Unit::BytesPerSecond => {
                let text = format::bytes(x);
                match text.split_once(' ') {
                    Some((n, unit)) if n.contains('.') => {
                        format!("{} {unit}", n.trim_end_matches('0').trim_end_matches('.'))
                    }
                    _ => text,
                }
            }
            Unit::Plain => format::factor(x),
            Unit::DollarsPerMonth => format!("${}", format::compact(x)),
        }
    }
}

/// A figure of the estimation chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Output {
    /// Average writes per second.
    Writes,
    /// Average reads per second.
    Reads,
    /// Average requests per second: writes, reads and every stream.
    Requests,
    /// Peak writes per second.
    PeakWrites,
    /// Peak reads per second.
    PeakReads,
    /// Peak requests per second.
    PeakRequests,
    /// New data per day, all copies.
    StoragePerDay,
    /// New data per month, all copies.
    StoragePerMonth,
    /// New data per year, all copies.
    StoragePerYear,
    /// Data held over the retention period, all copies.
    StorageTotal,
    /// Incoming bytes per second.
    Ingress,
    /// Outgoing bytes per second.
    Egress,
    /// The 80/20 rule on a day's reads.
    CacheByReads,
    /// The 80/20 rule on stored data.
    CacheByItems,
    /// The cache by the workload's rule.
    Cache,
}

/// One row of [`FIGURES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    /// Which figure.
    pub output: Output,
    /// Its name in the estimate's work lines (`peak_requests`).
    pub name: &'static str,
    /// Its column in a sweep (`peak_requests [req/s]`).
    pub column: &'static str,
    /// The unit of the column.
    pub unit: Unit,
    /// How it is computed, in words.
    pub formula: &'static str,
}

macro_rules! figures {
    ($($output:ident, $name:literal, $unit:ident, $formula:literal;)*) => {
        /// Every figure of the chain, in the order the estimate shows them.
        pub const FIGURES: &[Figure] = &[$(Figure {
            output: Output::$output,
            name: $name,
            column: concat!($name, figures!(@suffix $unit)),
            unit: Unit::$unit,
            formula: $formula,
        }),*];
        impl Output {
            /// Every output, in column order.
            pub const ALL: &'static [Output] = &[$(Output::$output),*];
        }
    };
    (@suffix RequestsPerSecond) => { " [req/s]" };
    (@suffix Bytes) => { " [B]" };
    (@suffix BytesPerSecond) => { " [B/s]" };
}

figures! {
    Writes, "writes", RequestsPerSecond, "users × writes per user ÷ seconds in its period";
    Reads, "reads", RequestsPerSecond, "writes × reads per write, or the reads given";
    Requests, "requests", RequestsPerSecond, "writes + reads + every stream";
    PeakWrites, "peak_writes", RequestsPerSecond, "writes × peak factor";
    PeakReads, "peak_reads", RequestsPerSecond, "reads × peak factor";
    PeakRequests, "peak_requests", RequestsPerSecond, "requests × peak factor";
    StoragePerDay, "storage_per_day", Bytes, "writes × bytes per write × s/day × copies";
    StoragePerMonth, "storage_per_month", Bytes, "writes × bytes per write × s/month × copies";
    StoragePerYear, "storage_per_year", Bytes, "writes × bytes per write × s/year × copies";
    StorageTotal, "storage_total", Bytes, "storage per year × retention in years";
    Ingress, "ingress", BytesPerSecond, "writes × bytes per write";
    Egress, "egress", BytesPerSecond, "reads × bytes per read + each stream × its size";
    CacheByReads, "cache_by_reads", Bytes, "reads × s/day × bytes per read × hot share";
    CacheByItems, "cache_by_items", Bytes, "stored data (one copy) × hot share";
    Cache, "cache", Bytes, "the working set, the recent writes, or the 80/20 rule";
}

impl Output {
    /// This output's row of [`FIGURES`].
    pub fn figure(self) -> &'static Figure {
        FIGURES
            .iter()
            .find(|f| f.output == self)
            .unwrap_or(&FIGURES[0])
    }

    /// The column name, with its unit.
    pub fn column(self) -> &'static str {
        self.figure().column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_back_their_unit() {
        for f in FIGURES {
            assert_eq!(Unit::of_column(f.column), f.unit, "{}", f.column);
            assert_eq!(f.column, format!("{}{}", f.name, f.unit.suffix()));
        }
        assert_eq!(Unit::of_column("users"), Unit::Count);
        let cost = Unit::of_column("cost_per_month [$/month]");
        assert_eq!(cost, Unit::DollarsPerMonth);
        assert_eq!(cost.suffix(), " [$/month]");
        assert_eq!(cost.cell(157_312.0), "$157K/month");
        assert_eq!(cost.label(150_000.0), "$150K");
        assert_eq!(
            Unit::of_column("writes_per_user [req/user/day]"),
            Unit::Count
        );
        assert_eq!(Unit::of_column("reads_per_write"), Unit::Plain);
    }
}
