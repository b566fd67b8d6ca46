//! The chain's figures in one table — name, quantity, formula, when an estimate shows it, work
//! line — from which the estimate's formulas, fields and work lines, a sweep's columns, tables
//! and charts are built; and the one reading of the unit a column's name carries
//! (`peak_requests [req/s]`, `storage_total [B]`).

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

/// The chain's figures, one row each, in the order an estimate shows them: the one place a
/// figure is written. A row gives the figure's doc, its field (also its name in work lines and
/// sweep columns) and [`Output`] variant, its quantity, its formula over the resolved inputs
/// `i` and the figures above it, the formula in words, when an estimate shows it, and its work
/// line (over the estimate's `Work`).
///
/// `with_figures!(callback)` hands the table to `callback!`, which builds what its module owns
/// from it: here [`Output`] and [`FIGURES`]; in [`crate::estimate`] the formulas, the figure
/// fields of [`Estimate`](crate::estimate::Estimate), its work lines, what it shows, and the
/// pick of one figure a sweep's column loop inlines. A new figure is one row.
///
/// A quantity is `Rate` (requests per second), `Bandwidth per P` (bytes per `P` of the
/// estimate's conventions: per `Second` a byte rate, per `Day`, `Month` or `Year` an amount
/// stored in that period, a sweep column in bytes) or `Bytes`.
macro_rules! with_figures {
    ($then:ident) => {
        $then! {
            inputs: i;

            /// Average writes per second.
            writes (Writes): Rate = i.users * i.writes / i.seconds;
                says "users × writes per user ÷ seconds in its period";
                shown when |_| true;
                work |k| k.writes();

            /// Average reads per second.
            reads (Reads): Rate =
                i.flow(writes, i.reads_per_write, i.reads_total, i.reads_per_user);
                says "writes × reads per write, or the reads given";
                shown when |e| e.workload.has_reads();
                work |k| k.reads();

            /// Average requests per second: writes, reads and every stream.
            requests (Requests): Rate =
                writes + reads + i.stream_rates(writes).iter().sum::<f64>();
                says "writes + reads + every stream";
                shown when |e| e.workload.has_reads() || !e.streams.is_empty();
                work |k| k.requests();

            /// Peak writes per second.
            peak_writes (PeakWrites): Rate = writes * i.peak_factor;
                says "writes × peak factor";
                shown when |_| true;
                work |k| k.peak(&k.e.writes, " (peak factor)", &k.e.peak_writes);

            /// Peak reads per second.
            peak_reads (PeakReads): Rate = reads * i.peak_factor;
                says "reads × peak factor";
                shown when |e| e.workload.has_reads();
                work |k| k.peak(&k.e.reads, " (peak factor)", &k.e.peak_reads);

            /// Peak requests per second.
            peak_requests (PeakRequests): Rate = requests * i.peak_factor;
                says "requests × peak factor";
                shown when |e| e.workload.has_reads() || !e.streams.is_empty();
                work |k| k.peak(&k.e.requests, " (peak factor)", &k.e.peak_requests);

            /// New data stored per day, all copies.
            storage_per_day (StoragePerDay): Bandwidth per Day =
                writes * i.bytes_per_write * i.replication * i.day;
                says "writes × bytes per write × s/day × copies";
                shown when sized;
                work |k| k.stored("day", k.c.day, &k.e.storage_per_day);

            /// New data stored per month, all copies.
            storage_per_month (StoragePerMonth): Bandwidth per Month =
                writes * i.bytes_per_write * i.replication * i.month;
                says "writes × bytes per write × s/month × copies";
                shown when sized;
                work |k| k.stored("month", k.c.month, &k.e.storage_per_month);

            /// New data stored per year, all copies.
            storage_per_year (StoragePerYear): Bandwidth per Year =
                writes * i.bytes_per_write * i.replication * i.year;
                says "writes × bytes per write × s/year × copies";
                shown when sized;
                work |k| k.storage_per_year();

            /// Data held at the end of the retention period, all copies.
            storage_total (StorageTotal): Bytes =
                writes * i.bytes_per_write * i.replication * i.year * i.retention_years;
                says "storage per year × retention in years";
                shown when sized;
                work |k| k.storage_total();

            /// Average incoming bytes per second (writes).
            ingress (Ingress): Bandwidth per Second = writes * i.bytes_per_write;
                says "writes × bytes per write";
                shown when sized;
                work |k| format!("{} × {} = {}", k.e.writes, k.write_size, k.e.ingress);

            /// Average outgoing bytes per second: reads and every stream.
            egress (Egress): Bandwidth per Second =
                reads * i.read_size + i.stream_egress(writes);
                says "reads × bytes per read + each stream × its size";
                shown when sends_bytes;
                work |k| k.egress();

            /// Peak incoming bytes per second.
            peak_ingress (PeakIngress): Bandwidth per Second = ingress * i.peak_factor;
                says "ingress × peak factor";
                shown when sized;
                work |k| k.peak(&k.e.ingress, "", &k.e.peak_ingress);

            /// Peak outgoing bytes per second.
            peak_egress (PeakEgress): Bandwidth per Second = egress * i.peak_factor;
                says "egress × peak factor";
                shown when sends_bytes;
                work |k| k.peak(&k.e.egress, "", &k.e.peak_egress);

            /// Cache memory by the 80/20 rule on traffic: the hot share of one day's reads.
            cache_by_reads (CacheByReads): Bytes =
                reads * i.day * i.read_size * i.cache_fraction;
                says "reads × s/day × bytes per read × hot share";
                shown when |e| e.workload.has_reads() && reads_have_a_size(e);
                work |k| k.cache_by_reads();

            /// Cache memory by the 80/20 rule on data: the hot share of stored items (one copy).
            cache_by_items (CacheByItems): Bytes =
                ingress * i.year * i.retention_years * i.cache_fraction;
                says "stored data (one copy) × hot share";
                shown when sized;
                work |k| k.cache_by_items();

            /// The cache by the workload's rule: its working set, its recent writes, or the
            /// 80/20 rule (on a day's reads; on stored data with no reads). The `cache` work
            /// line names it.
            cache (Cache): Bytes = match i.cache {
                CacheRule::WorkingSet(bytes) => bytes,
                CacheRule::RecentWrites(seconds) => ingress * seconds,
                CacheRule::EightyTwenty if reads > 0.0 => cache_by_reads,
                CacheRule::EightyTwenty => cache_by_items,
            };
                says "the working set, the recent writes, or the 80/20 rule";
                shown when |e| match e.workload.cache {
                    CacheRule::WorkingSet(_) => true,
                    CacheRule::RecentWrites(_) => sized(e),
                    CacheRule::EightyTwenty if e.reads.per_second() > 0.0 => reads_have_a_size(e),
                    CacheRule::EightyTwenty => sized(e),
                };
                work |k| k.cache();
        }
    };
}
pub(crate) use with_figures;

/// A quantity of the table as a module needs it: its column's unit and suffix, and its typed
/// value from a number in base units and the estimate's conventions.
macro_rules! figure_kind {
    (unit Rate) => {
        Unit::RequestsPerSecond
    };
    (unit Bandwidth Second) => {
        Unit::BytesPerSecond
    };
    (unit Bandwidth $per:ident) => {
        Unit::Bytes
    };
    (unit Bytes) => {
        Unit::Bytes
    };
    (suffix Rate) => {
        " [req/s]"
    };
    (suffix Bandwidth Second) => {
        " [B/s]"
    };
    (suffix Bandwidth $per:ident) => {
        " [B]"
    };
    (suffix Bytes) => {
        " [B]"
    };
    (make Rate, $x:expr, $c:expr) => {
        Rate::raw_in($x, Per::Second, $c)
    };
    (make Bandwidth $per:ident, $x:expr, $c:expr) => {
        Bandwidth::raw_in($x, Per::$per, $c)
    };
    (make Bytes, $x:expr, $c:expr) => {
        Bytes::raw($x)
    };
}
pub(crate) use figure_kind;

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

/// [`Output`], [`FIGURES`] and [`Output::ALL`] from the table.
macro_rules! figure_items {
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
        /// A figure of the estimation chain: a sweep's output column.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Output {
            $($(#[doc = $doc])* $output,)*
        }

        /// Every figure of the chain, in the order the estimate shows them.
        pub const FIGURES: &[Figure] = &[$(Figure {
            output: Output::$output,
            name: stringify!($field),
            column: concat!(stringify!($field), figure_kind!(suffix $kind $($per)?)),
            unit: figure_kind!(unit $kind $($per)?),
            formula: $says,
        }),*];

        impl Output {
            /// Every output, in column order.
            pub const ALL: &'static [Output] = &[$(Output::$output),*];
        }
    };
}

with_figures!(figure_items);

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
