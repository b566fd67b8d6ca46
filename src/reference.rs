//! Reference figures for back-of-envelope estimates, as documented data:
//! latency numbers (the classic ~2012 list, a 2020 set and napkin-math's 2026 measured set),
//! powers of two,
//! availability "nines", per-node capacity rules of thumb, and a few cloud
//! prices.
//!
//! This module owns the figures, their sources and the tables that show them.
//! Every figure carries its source and year in its doc comment and, for
//! table rows, in a `source` or `note` field; each table's note names its
//! sources. The raw data is public (`pub const` slices of structs with pub
//! fields) so estimates can compute with it; the `*_table()` functions
//! return [`Table`]s for text, Markdown and HTML.
//!
//! These are orders of magnitude for learning and interviews, not
//! benchmarks: hardware, workloads and prices differ and change. Measure
//! your own system, and check current prices before spending money.

use crate::convention::{Conventions, Per};
use crate::error::Error;
use crate::format;
use crate::quantity::{Bandwidth, Bytes, Duration};
use crate::table::{Column, Table};

// ---------------------------------------------------------------------------
// Latency
// ---------------------------------------------------------------------------

/// One latency figure: how long an operation typically takes.
///
/// ```
/// use napkin::prelude::*;
/// use napkin::reference::latency_2012::DISK_SEEK;
/// assert_eq!(DISK_SEEK.duration().to_string(), "10.0 ms");
/// let seeks = seconds(1.0) / DISK_SEEK.duration(); // a plain number: 100 seeks a second
/// assert_eq!(seeks, 100.0);
/// let d: Duration = DISK_SEEK.into();
/// assert_eq!(d, milliseconds(10.0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Latency {
    /// What is timed, e.g. `"Main memory reference"`.
    pub operation: &'static str,
    /// Typical time, in seconds (as a [`Duration`]: [`Latency::duration`]).
    pub seconds: f64,
    /// Context: comparisons, or the figure other versions of the list give.
    pub note: &'static str,
}

impl Latency {
    /// The typical time as a [`Duration`], to compute with: `DISK_SEEK.duration() * 3.0`.
    pub fn duration(&self) -> Duration {
        Duration::raw_seconds(self.seconds)
    }
}

impl From<Latency> for Duration {
    fn from(latency: Latency) -> Duration {
        latency.duration()
    }
}

/// The classic latency list, "Latency Comparison Numbers (~2012)".
///
/// Source: Jeff Dean's "Numbers Everyone Should Know" (Google talks, 2009
/// and later), building on Peter Norvig's table in "Teach Yourself
/// Programming in Ten Years" (2001), as popularised in Jonas Bonér's gist
/// "Latency Numbers Every Programmer Should Know" (2012,
/// <https://gist.github.com/jboner/2841832>), which added the SSD rows.
/// The system-design-primer (donnemartin, 2017+) reproduces the list with
/// some older figures (mutex 100 ns, Zippy 10 µs, disk 30 ms); each entry
/// notes such variants. Hardware of the early 2010s.
pub mod latency_2012 {
    use super::Latency;

    /// L1 cache reference: 0.5 ns. Dean / Bonér gist (~2012).
    pub const L1_CACHE_REFERENCE: Latency = Latency {
        operation: "L1 cache reference",
        seconds: 0.5e-9,
        note: "",
    };
    /// Branch mispredict: 5 ns. Dean / Bonér gist (~2012).
    pub const BRANCH_MISPREDICT: Latency = Latency {
        operation: "Branch mispredict",
        seconds: 5e-9,
        note: "",
    };
    /// L2 cache reference: 7 ns. Dean / Bonér gist (~2012).
    pub const L2_CACHE_REFERENCE: Latency = Latency {
        operation: "L2 cache reference",
        seconds: 7e-9,
        note: "14× L1",
    };
    /// Mutex lock/unlock: 25 ns. Dean / Bonér gist (~2012), also Norvig
    /// (2001); the system-design-primer (2017+) and some earlier versions of
    /// Dean's slides give 100 ns. We use 25 ns.
    pub const MUTEX_LOCK_UNLOCK: Latency = Latency {
        operation: "Mutex lock/unlock",
        seconds: 25e-9,
        note: "100 ns in some versions (e.g. system-design-primer)",
    };
    /// Main memory reference: 100 ns. Dean / Bonér gist (~2012).
    pub const MAIN_MEMORY_REFERENCE: Latency = Latency {
        operation: "Main memory reference",
        seconds: 100e-9,
        note: "20× L2, 200× L1",
    };
    /// Compress 1 KB with Zippy (now Snappy): 3 µs. Dean / Bonér gist
    /// (~2012); older versions and the system-design-primer give 10 µs.
    pub const COMPRESS_1KB_ZIPPY: Latency = Latency {
        operation: "Compress 1 KB with Zippy (Snappy)",
        seconds: 3e-6,
        note: "10 µs in older versions",
    };
    /// Send 1 KB over a 1 Gbps network: 10 µs (serialisation time at
    /// 1 Gbps). Bonér gist (~2012); Norvig (2001) and Dean's slides phrase
    /// it as 2 KB in 20 µs.
    pub const SEND_1KB_OVER_1GBPS: Latency = Latency {
        operation: "Send 1 KB over 1 Gbps network",
        seconds: 10e-6,
        note: "older versions: 2 KB in 20 µs",
    };
    /// Read 4 KB randomly from SSD: 150 µs. Bonér gist (2012), which
    /// assumes a ~1 GB/s SSD.
    pub const READ_4KB_RANDOM_SSD: Latency = Latency {
        operation: "Read 4 KB randomly from SSD",
        seconds: 150e-6,
        note: "~1 GB/s SSD",
    };
    /// Read 1 MB sequentially from memory: 250 µs (≈ 4 GB/s). Dean /
    /// Bonér gist (~2012), also Norvig (2001).
    pub const READ_1MB_SEQUENTIAL_MEMORY: Latency = Latency {
        operation: "Read 1 MB sequentially from memory",
        seconds: 250e-6,
        note: "≈ 4 GB/s",
    };
    /// Round trip within the same datacenter: 500 µs. Dean / Bonér gist
    /// (~2012).
    pub const ROUND_TRIP_SAME_DATACENTER: Latency = Latency {
        operation: "Round trip within same datacenter",
        seconds: 500e-6,
        note: "≈ 2,000 round trips/s",
    };
    /// Read 1 MB sequentially from SSD: 1 ms. Bonér gist (2012), which
    /// assumes a ~1 GB/s SSD.
    pub const READ_1MB_SEQUENTIAL_SSD: Latency = Latency {
        operation: "Read 1 MB sequentially from SSD",
        seconds: 1e-3,
        note: "~1 GB/s SSD, 4× memory",
    };
    /// Disk (HDD) seek: 10 ms. Dean / Bonér gist (~2012); Norvig (2001)
    /// gives 8 ms.
    pub const DISK_SEEK: Latency = Latency {
        operation: "Disk seek",
        seconds: 10e-3,
        note: "20× datacenter round trip",
    };
    /// Read 1 MB sequentially from disk (HDD): 20 ms (≈ 50 MB/s). Dean /
    /// Bonér gist (~2012), also Norvig (2001); the system-design-primer and
    /// some of Dean's older slides give 30 ms.
    pub const READ_1MB_SEQUENTIAL_DISK: Latency = Latency {
        operation: "Read 1 MB sequentially from disk",
        seconds: 20e-3,
        note: "30 ms in some versions (e.g. system-design-primer)",
    };
    /// Send a packet California → Netherlands → California: 150 ms. Dean /
    /// Bonér gist (~2012), also Norvig (2001, "US to Europe and back").
    pub const PACKET_CA_NETHERLANDS_CA: Latency = Latency {
        operation: "Send packet CA → Netherlands → CA",
        seconds: 150e-3,
        note: "≈ 6–7 intercontinental round trips/s",
    };

    /// All of the above, fastest first (the list's order).
    pub const ALL: &[Latency] = &[
        L1_CACHE_REFERENCE,
        BRANCH_MISPREDICT,
        L2_CACHE_REFERENCE,
        MUTEX_LOCK_UNLOCK,
        MAIN_MEMORY_REFERENCE,
        COMPRESS_1KB_ZIPPY,
        SEND_1KB_OVER_1GBPS,
        READ_4KB_RANDOM_SSD,
        READ_1MB_SEQUENTIAL_MEMORY,
        ROUND_TRIP_SAME_DATACENTER,
        READ_1MB_SEQUENTIAL_SSD,
        DISK_SEEK,
        READ_1MB_SEQUENTIAL_DISK,
        PACKET_CA_NETHERLANDS_CA,
    ];
}

/// A 2020 latency set: Colin Scott's "Numbers Every Programmer Should Know
/// By Year" with the year set to 2020
/// (<https://colin-scott.github.io/personal_website/research/interactive_latency.html>,
/// source at <https://github.com/colin-scott/interactive_latencies>).
///
/// These are not measurements: the page extrapolates each figure from
/// older data with published hardware trends (e.g. clock speed flat at
/// ~3 GHz since 2005, NIC bandwidth doubling every 2 years, SSD bandwidth
/// every 3). Figures are as the page displays them for 2020; where its
/// rounding hides a notable difference the entry says so. "1 MB" here is
/// 1,000,000 bytes.
pub mod latency_2020 {
    use super::Latency;

    /// L1 cache reference: 1 ns (3 cycles at 3 GHz). Colin Scott, 2020.
    pub const L1_CACHE_REFERENCE: Latency = Latency {
        operation: "L1 cache reference",
        seconds: 1e-9,
        note: "3 cycles at 3 GHz",
    };
    /// Branch mispredict: 3 ns (10 cycles; 3.3 ns unrounded). Colin Scott, 2020.
    pub const BRANCH_MISPREDICT: Latency = Latency {
        operation: "Branch mispredict",
        seconds: 3e-9,
        note: "10 cycles",
    };
    /// L2 cache reference: 4 ns (13 cycles; 4.3 ns unrounded). Colin Scott, 2020.
    pub const L2_CACHE_REFERENCE: Latency = Latency {
        operation: "L2 cache reference",
        seconds: 4e-9,
        note: "13 cycles",
    };
    /// Mutex lock/unlock: 17 ns (50 cycles). Colin Scott, 2020.
    pub const MUTEX_LOCK_UNLOCK: Latency = Latency {
        operation: "Mutex lock/unlock",
        seconds: 17e-9,
        note: "50 cycles",
    };
    /// Main memory reference: 100 ns (held flat since 2000). Colin Scott, 2020.
    pub const MAIN_MEMORY_REFERENCE: Latency = Latency {
        operation: "Main memory reference",
        seconds: 100e-9,
        note: "unchanged since ~2000",
    };
    /// Compress 1 KB with Zippy (Snappy): 2 µs (6,000 cycles). Colin Scott, 2020.
    pub const COMPRESS_1KB_ZIPPY: Latency = Latency {
        operation: "Compress 1 KB with Zippy (Snappy)",
        seconds: 2e-6,
        note: "6,000 cycles",
    };
    /// Send 2 KB over a commodity network: 44 ns. Colin Scott, 2020. This
    /// is serialisation time only, on an extrapolated ~45 GB/s NIC
    /// (bandwidth doubling every 2 years from 1 Gbps in 2003); real 2020
    /// NICs were mostly 10–100 Gbps, i.e. 160 ns–1.6 µs for 2 KB.
    pub const SEND_2KB_COMMODITY_NETWORK: Latency = Latency {
        operation: "Send 2 KB over commodity network",
        seconds: 44e-9,
        note: "model extrapolation; 1.6 µs at 10 Gbps",
    };
    /// SSD random read: 16 µs. Colin Scott, 2020 (flat since ~2015 in the model).
    pub const SSD_RANDOM_READ: Latency = Latency {
        operation: "SSD random read",
        seconds: 16e-6,
        note: "",
    };
    /// Read 1 MB sequentially from memory: 3 µs (≈ 330 GB/s in the
    /// model; 2.97 µs unrounded). Colin Scott, 2020.
    pub const READ_1MB_SEQUENTIAL_MEMORY: Latency = Latency {
        operation: "Read 1 MB sequentially from memory",
        seconds: 3e-6,
        note: "model extrapolation (≈ 330 GB/s)",
    };
    /// Round trip within the same datacenter: 500 µs (held constant).
    /// Colin Scott, 2020.
    pub const ROUND_TRIP_SAME_DATACENTER: Latency = Latency {
        operation: "Round trip within same datacenter",
        seconds: 500e-6,
        note: "held constant",
    };
    /// Read 1 MB sequentially from SSD: 49 µs (≈ 20 GB/s). Colin Scott, 2020.
    pub const READ_1MB_SEQUENTIAL_SSD: Latency = Latency {
        operation: "Read 1 MB sequentially from SSD",
        seconds: 49e-6,
        note: "≈ 20 GB/s",
    };
    /// Disk (HDD) seek: 2 ms as displayed (the model computes ≈ 2.5 ms).
    /// Colin Scott, 2020.
    pub const DISK_SEEK: Latency = Latency {
        operation: "Disk seek",
        seconds: 2e-3,
        note: "model: ≈ 2.5 ms",
    };
    /// Read 1 MB sequentially from disk (HDD): 825 µs (≈ 1.2 GB/s).
    /// Colin Scott, 2020.
    pub const READ_1MB_SEQUENTIAL_DISK: Latency = Latency {
        operation: "Read 1 MB sequentially from disk",
        seconds: 825e-6,
        note: "≈ 1.2 GB/s",
    };
    /// Packet round trip California → Netherlands → California: 150 ms
    /// (held constant: bounded by the speed of light in fibre). Colin Scott, 2020.
    pub const PACKET_CA_NETHERLANDS_CA: Latency = Latency {
        operation: "Send packet CA → Netherlands → CA",
        seconds: 150e-3,
        note: "held constant (speed of light)",
    };

    /// All of the above, in the order of the 2012 list.
    pub const ALL: &[Latency] = &[
        L1_CACHE_REFERENCE,
        BRANCH_MISPREDICT,
        L2_CACHE_REFERENCE,
        MUTEX_LOCK_UNLOCK,
        MAIN_MEMORY_REFERENCE,
        COMPRESS_1KB_ZIPPY,
        SEND_2KB_COMMODITY_NETWORK,
        SSD_RANDOM_READ,
        READ_1MB_SEQUENTIAL_MEMORY,
        ROUND_TRIP_SAME_DATACENTER,
        READ_1MB_SEQUENTIAL_SSD,
        DISK_SEEK,
        READ_1MB_SEQUENTIAL_DISK,
        PACKET_CA_NETHERLANDS_CA,
    ];
}

/// The classic ~2012 latency list (Jeff Dean / Peter Norvig, via Jonas
/// Bonér's 2012 gist); see [`latency_2012`] for each figure's source.
pub const LATENCY_2012: &[Latency] = latency_2012::ALL;

/// A 2020 latency list (Colin Scott's interactive latency numbers, year
/// 2020; model extrapolations); see [`latency_2020`] for each figure.
pub const LATENCY_2020: &[Latency] = latency_2020::ALL;

/// The classic ~2012 latency numbers as a table, with a column that
/// rescales every figure so that an L1 cache reference takes one second.
pub fn latency_table() -> Table {
    latency_rows(LATENCY_2012)
        .title("Latency numbers every programmer should know (~2012)")
        .note(
            "Source: Jeff Dean, \"Numbers Everyone Should Know\" (2009/2012), after Peter Norvig \
             (2001), as popularised by Jonas Bonér's gist (2012) and the system-design-primer \
             (donnemartin, 2017+). Early-2010s hardware; orders of magnitude, not benchmarks.",
        )
}

/// The 2020 latency numbers (Colin Scott's interactive page) as a table,
/// with the same "if L1 took one second" column as [`latency_table`].
pub fn latency_table_recent() -> Table {
    latency_rows(LATENCY_2020)
        .title("Latency numbers (2020, extrapolated)")
        .note(
            "Source: Colin Scott, \"Numbers Every Programmer Should Know By Year\", year 2020 \
             (colin-scott.github.io). Extrapolated from older figures with hardware trends, not \
             measured; network and SSD figures in particular differ from real 2020 hardware.",
        )
}

fn latency_rows(list: &[Latency]) -> Table {
    let l1 = list.first().map_or(1.0, |first| first.seconds);
    let mut table = Table::with_columns(vec![
        Column::left("Operation"),
        Column::right("Latency"),
        Column::right("If L1 took 1 s"),
        Column::left("Note"),
    ]);
    for entry in list {
        table.push_row(vec![
            entry.operation.to_string(),
            format::duration(entry.seconds),
            format::duration(entry.seconds / l1),
            entry.note.to_string(),
        ]);
    }
    table
}

// ---------------------------------------------------------------------------
// Measured (napkin-math, 2026)
// ---------------------------------------------------------------------------

/// One row of a measured latency/throughput table.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Measured {
    /// What is timed, as the source names it.
    pub operation: &'static str,
    /// Latency of one operation, in seconds, if the source gives one.
    pub latency: Option<f64>,
    /// Sustained throughput, in bytes per second, if the source gives one.
    pub throughput: Option<f64>,
    /// True for rows re-measured on the source's machine and date ([`MEASURED_2026_ON`]);
    /// false for rows it carries over from earlier versions or from other sources (network,
    /// HDD, proxies, database queries, blob storage latency).
    pub remeasured: bool,
}

impl Measured {
    /// The latency of one operation as a [`Duration`], if the source gives one:
    /// `measured_2026::SSD_RANDOM_READ.duration()` is `Some(100 µs)`.
    pub fn duration(&self) -> Option<Duration> {
        self.latency.map(Duration::raw_seconds)
    }
    /// The sustained throughput as a [`Bandwidth`] (per second), if the source gives one.
    pub fn bandwidth(&self) -> Option<Bandwidth> {
        self.throughput
            .map(|t| Bandwidth::raw_in(t, Per::Second, &Conventions::EXACT))
    }
}

/// The [`MEASURED_2026`] row named `name`: its constant's name (`SSD_RANDOM_READ`, any case,
/// `ssd_random_read`) or the start of its operation (`"Random SSD read"`). An error lists
/// the names there are.
///
/// ```
/// use napkin::reference::{measured, measured_2026};
/// assert_eq!(measured("ssd_random_read")?, measured_2026::SSD_RANDOM_READ);
/// assert_eq!(measured("Random SSD read")?, measured_2026::SSD_RANDOM_READ);
/// let err = measured("ssd read").unwrap_err().to_string();
/// assert!(err.contains("SSD_RANDOM_READ"), "{err}");
/// # Ok::<(), napkin::Error>(())
/// ```
pub fn measured(name: &str) -> Result<Measured, Error> {
    let wanted = name.trim();
    let by_name = measured_2026::NAMES
        .iter()
        .zip(MEASURED_2026)
        .find(|(n, _)| n.eq_ignore_ascii_case(wanted));
    if let Some((_, m)) = by_name {
        return Ok(*m);
    }
    let lower = wanted.to_lowercase();
    let by_operation: Vec<&Measured> = MEASURED_2026
        .iter()
        .filter(|m| !lower.is_empty() && m.operation.to_lowercase().starts_with(&lower))
        .collect();
    match by_operation.as_slice() {
        [one] => Ok(**one),
        _ => Err(Error::NoName {
            what: "MEASURED_2026 row",
            name: name.to_string(),
            available: measured_2026::NAMES.join(", "),
        }),
    }
}

/// Where the [`MEASURED_2026`] rows come from.
pub const MEASURED_2026_SOURCE: &str = "Simon Eskildsen, sirupsen/napkin-math README \
     (github.com/sirupsen/napkin-math, commit aae5832)";

/// The machine and date of the [`MEASURED_2026`] rows that were re-measured.
pub const MEASURED_2026_ON: &str = "GCP c4-standard-48-lssd, Intel Xeon 6985P-C, 48 vCPU / 24 \
     cores, 180 GB RAM, Ubuntu 22.04.5; March 8, 2026";

const GIB: f64 = 1_073_741_824.0;
const MIB: f64 = 1_048_576.0;

macro_rules! measured {
    ($($name:ident, $op:literal, $lat:expr, $thr:expr, $re:literal;)*) => {
        /// The [`MEASURED_2026`] rows by name, each a [`Measured`] documented with the
        /// source's operation: `measured_2026::SSD_RANDOM_READ.duration()` is 100 µs. Look one
        /// up by a name held in text with [`measured`].
        pub mod measured_2026 {
            use super::{GIB, MIB, Measured};
            $(
                #[doc = concat!("\"", $op, "\" ([`super::MEASURED_2026_SOURCE`]).")]
                pub const $name: Measured = Measured {
                    operation: $op,
                    latency: $lat,
                    throughput: $thr,
                    remeasured: $re,
                };
            )*
            /// Every row, in the source's order (the order of [`super::MEASURED_2026`]).
            pub const ALL: &[Measured] = &[$($name),*];
            /// The rows' constant names, in the same order.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        }
        /// The most recent measured set: sirupsen/napkin-math's table, whose single-host rows
        /// were re-measured on [`MEASURED_2026_ON`] ([`MEASURED_2026_SOURCE`]). Rounded for
        /// memorisation, as the source says; `remeasured` marks the rows measured then. Each
        /// row has a name in [`measured_2026`] (`measured_2026::SSD_RANDOM_READ`).
        pub const MEASURED_2026: &[Measured] = measured_2026::ALL;
    };
}

measured! {
    MEMORY_SEQUENTIAL_RW, "Sequential memory R/W (64 bytes), one thread", Some(0.5e-9), Some(20.0 * GIB), true;
    MEMORY_SEQUENTIAL_RW_THREADED, "Sequential memory R/W, threaded", None, Some(200.0 * GIB), true;
    HASH, "Hashing, not crypto-safe (64 bytes)", Some(10e-9), Some(5.0 * GIB), true;
    MEMORY_RANDOM_RW, "Random memory R/W (64 bytes)", Some(20e-9), Some(3.0 * GIB), true;
    SYSTEM_CALL, "System call", Some(300e-9), None, true;
    HASH_CRYPTO, "Hashing, crypto-safe (64 bytes)", Some(100e-9), Some(GIB), true;
    SSD_SEQUENTIAL_READ, "Sequential SSD read (8 KiB)", Some(1e-6), Some(8.0 * GIB), true;
    CONTEXT_SWITCH, "Context switch", Some(10e-6), None, true;
    SSD_SEQUENTIAL_WRITE, "Sequential SSD write, no fsync (8 KiB)", Some(2e-6), Some(3.0 * GIB), true;
    TCP_ECHO_SERVER, "TCP echo server (32 KiB)", Some(50e-6), Some(500.0 * MIB), true;
    SSD_RANDOM_READ, "Random SSD read (8 KiB)", Some(100e-6), Some(70.0 * MIB), true;
    DECOMPRESSION, "Decompression", None, Some(GIB), true;
    COMPRESSION, "Compression", None, Some(500.0 * MIB), true;
    SORTING, "Sorting (64-bit integers)", None, Some(500.0 * MIB), true;
    SSD_SEQUENTIAL_WRITE_FSYNC, "Sequential SSD write, with fsync (8 KiB)", Some(300e-6), Some(30.0 * MIB), true;
    NETWORK_SAME_ZONE, "Network, same zone (inside VPC)", None, Some(10.0 * GIB), false;
    PROXY, "Proxy (Envoy, Nginx, HAProxy)", Some(50e-6), None, false;
    NETWORK_WITHIN_REGION, "Network within a region", Some(250e-6), Some(2.0 * GIB), false;
    DATABASE_QUERY, "{MySQL, Memcached, Redis} query", Some(500e-6), None, false;
    HDD_SEQUENTIAL_READ, "Sequential HDD read (8 KiB)", Some(10e-3), Some(250.0 * MIB), false;
    HDD_RANDOM_READ, "Random HDD read (8 KiB)", Some(10e-3), Some(0.7 * MIB), false;
    BLOB_GET, "Blob storage GET, 1 connection (128 KiB)", Some(80e-3), Some(100.0 * MIB), false;
    BLOB_PUT, "Blob storage PUT, 1 connection (128 KiB)", Some(200e-3), Some(100.0 * MIB), false;
    NETWORK_NA_EAST_WEST, "Network NA East <-> West", Some(60e-3), Some(25.0 * MIB), false;
    NETWORK_EU_WEST_SINGAPORE, "Network EU West <-> Singapore", Some(160e-3), Some(25.0 * MIB), false;
}

/// The 2026 measured set as a table: latency, throughput, how long 1 GiB takes at that
/// throughput, and whether the row was re-measured in 2026.
pub fn measured_table() -> Table {
    let mut table = Table::with_columns(vec![
        Column::left("Operation"),
        Column::right("Latency"),
        Column::right("Throughput"),
        Column::right("1 GiB takes"),
        Column::left("Measured"),
    ])
    .title("Measured latency and throughput (napkin-math, 2026)")
    .note(format!(
        "Source: {MEASURED_2026_SOURCE}. Re-measured rows: {MEASURED_2026_ON}; the others are \
         carried over from earlier versions of the table. Rounded for memorisation."
    ));
    for m in MEASURED_2026 {
        table.push_row(vec![
            m.operation.to_string(),
            m.latency.map_or("—".into(), format::duration),
            m.throughput
                .map_or("—".into(), |t| format!("{}/s", format::bytes_binary(t))),
            m.throughput
                .map_or("—".into(), |t| format::duration(GIB / t)),
            if m.remeasured {
                "2026-03-08"
            } else {
                "carried over"
            }
            .to_string(),
        ]);
    }
    table
}

// ---------------------------------------------------------------------------
// Powers of two
// ---------------------------------------------------------------------------

/// A power of two and the decimal figure it is usually rounded to: 2ⁿ ≈ 2^(n mod 10) ×
/// 10^(3·⌊n/10⌋), each 2¹⁰ taken as 10³.
///
/// ```
/// use napkin::reference::power_of_two;
/// let p = power_of_two(42).unwrap();
/// assert_eq!(p.exact(), 4_398_046_511_104);
/// assert_eq!(p.to_string(), "2^42 = 4,398,046,511,104 ≈ 4 trillion (+9.95 %)");
/// assert_eq!(power_of_two(12).unwrap().to_string(), "2^12 = 4,096 ≈ 4 thousand (+2.40 %)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PowerOfTwo {
    /// The exponent `n` in 2ⁿ.
    pub exponent: u32,
}

/// The largest exponent [`power_of_two`] takes: 2¹²⁷ is the largest exact `u128` power.
pub const MAX_EXPONENT: u32 = 127;

/// 2ⁿ with its exact value and its decimal approximation, for `n` up to [`MAX_EXPONENT`].
pub fn power_of_two(n: u32) -> Result<PowerOfTwo, Error> {
    if n > MAX_EXPONENT {
        return Err(Error::invalid(
            "n",
            n,
            "an exponent from 0 to 127 (2^127 is the largest exact power napkin holds)",
        ));
    }
    Ok(PowerOfTwo { exponent: n })
}

const THOUSANDS: [&str; 13] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
    "sextillion",
    "septillion",
    "octillion",
    "nonillion",
    "decillion",
    "undecillion",
];
const BINARY: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
const DECIMAL: [&str; 9] = ["B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

impl PowerOfTwo {
    /// The exact value 2ⁿ.
    pub fn exact(&self) -> u128 {
        1u128 << self.exponent
    }

    /// The exact value 2ⁿ as a float (exact: a power of two).
    pub fn value(&self) -> f64 {
        2f64.powi(self.exponent as i32)
    }

    /// The decimal figure it is rounded to: 2^(n mod 10) × 10^(3·⌊n/10⌋).
    pub fn decimal(&self) -> f64 {
        2f64.powi((self.exponent % 10) as i32) * 1e3f64.powi((self.exponent / 10) as i32)
    }

    /// Relative error of the decimal figure: 2ⁿ / decimal − 1 (0.0737 for 2³⁰ ≈ 10⁹).
    pub fn relative_error(&self) -> f64 {
        self.value() / self.decimal() - 1.0
    }

    /// The decimal figure in words: `4 trillion`, `1 thousand`, `8`.
    pub fn words(&self) -> String {
        let lead = 1u32 << (self.exponent % 10);
        let scale = THOUSANDS[(self.exponent / 10) as usize];
        if scale.is_empty() {
            lead.to_string()
        } else {
            format!("{lead} {scale}")
        }
    }

    /// The byte amount in binary units ≈ decimal units: `4 GiB ≈ 4 GB` (from 2⁸⁰ on, `≈`
    /// words only).
    pub fn bytes(&self) -> String {
        let lead = 1u32 << (self.exponent % 10);
        let k = (self.exponent / 10) as usize;
        match (BINARY.get(k), DECIMAL.get(k)) {
            (Some(b), Some(d)) if k > 0 => format!("{lead} {b} ≈ {lead} {d}"),
            _ => format!("{lead} B"),
        }
    }
}

/// 2ⁿ things of a size: `power_of_two(42)? * kb(100.0)` is 2⁴² × 100 KB (440 PB).
impl std::ops::Mul<Bytes> for PowerOfTwo {
    type Output = Bytes;
    fn mul(self, rhs: Bytes) -> Bytes {
        rhs * self.value()
    }
}

impl std::ops::Mul<PowerOfTwo> for Bytes {
    type Output = Bytes;
    fn mul(self, rhs: PowerOfTwo) -> Bytes {
        self * rhs.value()
    }
}

impl PowerOfTwo {
    /// Shows the power in an evcxr-based Jupyter kernel (a cell's final value).
    pub fn evcxr_display(&self) {
        crate::display::emit(&[("text/plain", self.to_string())]);
    }
}

/// Prints what `Display` prints, so `[power_of_two(10)?, power_of_two(20)?]` reads as powers.
impl std::fmt::Debug for PowerOfTwo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        format::debug_as_display(self, f)
    }
}

impl std::fmt::Display for PowerOfTwo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let exact = format::grouped_u128(self.exact());
        if self.exponent < 10 {
            return write!(f, "2^{} = {exact}", self.exponent);
        }
        write!(
            f,
            "2^{} = {exact} ≈ {} (+{})",
            self.exponent,
            self.words(),
            format::percent(self.relative_error())
        )
    }
}

/// Powers of two every estimate uses, from 2⁰, with their decimal approximations (as in the
/// system-design-primer's table). The error grows with each step of 2¹⁰ ≈ 10³: 2.4 % for
/// KiB, 4.9 % for MiB, 7.4 % for GiB, 10 % for TiB, 12.6 % for PiB.
pub const POWERS_OF_TWO: &[PowerOfTwo] = &[
    two(0),
    two(1),
    two(2),
    two(3),
    two(4),
    two(5),
    two(6),
    two(7),
    two(8),
    two(10),
    two(16),
    two(20),
    two(24),
    two(30),
    two(32),
    two(40),
    two(50),
    two(60),
    two(64),
];

/// 2ⁿ, for the table above.
const fn two(exponent: u32) -> PowerOfTwo {
    PowerOfTwo { exponent }
}

/// Powers of two as a table: exact value, words, byte units, and the error
/// of treating the binary unit as the decimal one.
pub fn powers_of_two_table() -> Table {
    let mut table = Table::with_columns(vec![
        Column::left("Power"),
        Column::right("Exact value"),
        Column::left("Approx."),
        Column::left("Bytes"),
        Column::right("Error of ≈"),
    ])
    .title("Powers of two")
    .note(
        "Error of ≈: how much larger the binary unit is than the decimal one (2ⁿ / 10^k − 1). \
         Layout after the system-design-primer (donnemartin, 2017+); IEC binary prefixes \
         (KiB, MiB, …) per IEC 80000-13. `power_of_two(n)` gives any other.",
    );
    for power in POWERS_OF_TWO {
        table.push_row(vec![
            format!("2^{}", power.exponent),
            format::grouped_u128(power.exact()),
            format!("≈ {}", power.words()),
            power.bytes(),
            format::percent(power.relative_error()),
        ]);
    }
    table
}

// ---------------------------------------------------------------------------
// Availability
// ---------------------------------------------------------------------------

/// Seconds in a day.
pub const SECONDS_PER_DAY: f64 = crate::convention::Conventions::EXACT.day;
/// Seconds in a week.
pub const SECONDS_PER_WEEK: f64 = 7.0 * SECONDS_PER_DAY;
/// Seconds in a 365-day year, the convention for downtime budgets.
pub const SECONDS_PER_YEAR: f64 = 365.0 * SECONDS_PER_DAY;
/// Seconds in a month taken as a twelfth of a 365-day year (30.4 days).
pub const SECONDS_PER_MONTH: f64 = SECONDS_PER_YEAR / 12.0;

/// An availability level ("number of nines").
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Nines {
    /// Availability as a fraction, e.g. `0.999`.
    pub availability: f64,
    /// Its common name, e.g. `"three nines"`.
    pub name: &'static str,
}

impl Nines {
    /// Allowed downtime in a 365-day year, in seconds.
    pub fn downtime_per_year(&self) -> f64 {
        downtime(self.availability, SECONDS_PER_YEAR)
    }

    /// Allowed downtime in a month (a twelfth of a 365-day year), in seconds.
    pub fn downtime_per_month(&self) -> f64 {
        downtime(self.availability, SECONDS_PER_MONTH)
    }

    /// Allowed downtime in a week, in seconds.
    pub fn downtime_per_week(&self) -> f64 {
        downtime(self.availability, SECONDS_PER_WEEK)
    }

    /// Allowed downtime in a day, in seconds.
    pub fn downtime_per_day(&self) -> f64 {
        downtime(self.availability, SECONDS_PER_DAY)
    }
}

/// The usual availability levels, from one nine to five nines.
pub const NINES: &[Nines] = &[
    Nines {
        availability: 0.9,
        name: "one nine",
    },
    Nines {
        availability: 0.99,
        name: "two nines",
    },
    Nines {
        availability: 0.999,
        name: "three nines",
    },
    Nines {
        availability: 0.9995,
        name: "three and a half nines",
    },
    Nines {
        availability: 0.9999,
        name: "four nines",
    },
    Nines {
        availability: 0.99999,
        name: "five nines",
    },
];

/// Allowed downtime, in seconds, over a period of `period_seconds` at the
/// given availability: `(1 − availability) × period`.
pub fn downtime(availability: f64, period_seconds: f64) -> f64 {
    (1.0 - availability) * period_seconds
}

/// The availability levels in [`NINES`] with their downtime budgets per
/// year, month, week and day.
pub fn availability_table() -> Table {
    let mut table = Table::with_columns(vec![
        Column::right("Availability"),
        Column::left("Nines"),
        Column::right("Downtime / year"),
        Column::right("Downtime / month"),
        Column::right("Downtime / week"),
        Column::right("Downtime / day"),
    ])
    .title("Availability and downtime budgets")
    .note(
        "Downtime = (1 − availability) × period; year = 365 days, month = year / 12 \
         (30.4 days). Pure arithmetic: SLAs define their own measurement windows.",
    );
    for level in NINES {
        table.push_row(vec![
            percent_exact(level.availability),
            level.name.to_string(),
            format::duration(level.downtime_per_year()),
            format::duration(level.downtime_per_month()),
            format::duration(level.downtime_per_week()),
            format::duration(level.downtime_per_day()),
        ]);
    }
    table
}

/// Why an availability computation was rejected.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ReferenceError {
    /// An availability was not a finite number in `[0, 1]`.
    #[error(
        "availability at index {index} is {value}: expected a finite fraction between 0 and 1 \
         (e.g. 0.999 for 99.9 %)"
    )]
    InvalidAvailability {
        /// Position of the offending value in the input slice.
        index: usize,
        /// The offending value.
        value: f64,
    },
}

fn validate(availabilities: &[f64]) -> Result<(), ReferenceError> {
    match availabilities
        .iter()
        .enumerate()
        .find(|(_, a)| !(a.is_finite() && (0.0..=1.0).contains(*a)))
    {
        Some((index, &value)) => Err(ReferenceError::InvalidAvailability { index, value }),
        None => Ok(()),
    }
}

/// Availability of components in series (all must be up): the product
/// ∏ aᵢ. Two 99.9 % services in a chain give 99.8001 %.
///
/// An empty slice gives 1 (the empty product). Each availability must be a
/// finite fraction in `[0, 1]`, otherwise the error names the first bad
/// index and value.
pub fn serial(availabilities: &[f64]) -> Result<f64, ReferenceError> {
    validate(availabilities)?;
    Ok(availabilities.iter().product())
}

/// Availability of redundant components in parallel (at least one must be
/// up), assuming independent failures: 1 − ∏ (1 − aᵢ). Two 99 % replicas
/// give 99.99 %.
///
/// An empty slice gives 0 (nothing to be up). Each availability must be a
/// finite fraction in `[0, 1]`, otherwise the error names the first bad
/// index and value.
pub fn parallel(availabilities: &[f64]) -> Result<f64, ReferenceError> {
    validate(availabilities)?;
    Ok(1.0 - availabilities.iter().map(|a| 1.0 - a).product::<f64>())
}

// ---------------------------------------------------------------------------
// Capacity rules of thumb
// ---------------------------------------------------------------------------

/// The unit of a [`Capacity`] range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CapacityUnit {
    /// Requests per second (`req/s`).
    RequestsPerSecond,
    /// Queries per second (`QPS`).
    QueriesPerSecond,
    /// Operations per second (`ops/s`).
    OperationsPerSecond,
    /// Messages per second (`msg/s`).
    MessagesPerSecond,
    /// Bytes per second, shown with SI prefixes (`MB/s`).
    BytesPerSecond,
    /// Bytes per second, shown as a bit rate (`Gbps`).
    BitsPerSecond,
    /// Bytes, shown with SI prefixes (`TB`), as disks are sold.
    Bytes,
    /// Bytes, shown with binary prefixes (`GiB`), as memory is sized.
    BinaryBytes,
}

impl CapacityUnit {
    /// Formats a value in this unit with the fewest significant figures
    /// (up to four) that show it exactly: `3.5K req/s`, `512 GiB`, `25 Gbps`.
    pub fn format(self, value: f64) -> String {
        let (number, unit) = self.parts(value);
        format!("{number} {unit}")
    }

    /// Formats a range `low–high`, sharing the unit when both ends use the
    /// same prefix (`64–512 GiB`, `10–25 Gbps`, `1K–10K req/s`) and giving
    /// a single value when `low == high`.
    pub fn format_range(self, low: f64, high: f64) -> String {
        if low == high {
            return self.format(low);
        }
        let (low_number, low_unit) = self.parts(low);
        let (high_number, high_unit) = self.parts(high);
        if low_unit == high_unit {
            format!("{low_number}–{high_number} {high_unit}")
        } else {
            format!("{low_number} {low_unit} – {high_number} {high_unit}")
        }
    }

    /// `(number with count suffix, unit)`: `("3.5K", "req/s")`, `("512", "GiB")`.
    fn parts(self, value: f64) -> (String, String) {
        const SIG: usize = 4;
        let split = |text: String| match text.rsplit_once(' ') {
            Some((number, unit)) => (number.to_string(), unit.to_string()),
            None => (text, String::new()),
        };
        match self {
            CapacityUnit::RequestsPerSecond => (
                shortest(SIG, |s| format::count_sig(value, s)),
                "req/s".into(),
            ),
            CapacityUnit::QueriesPerSecond => {
                (shortest(SIG, |s| format::count_sig(value, s)), "QPS".into())
            }
            CapacityUnit::OperationsPerSecond => (
                shortest(SIG, |s| format::count_sig(value, s)),
                "ops/s".into(),
            ),
            CapacityUnit::MessagesPerSecond => (
                shortest(SIG, |s| format::count_sig(value, s)),
                "msg/s".into(),
            ),
            CapacityUnit::BytesPerSecond => {
                let (number, unit) = split(shortest(SIG, |s| {
                    format::bytes_sig(value, s, format::ByteUnits::Si)
                }));
                (number, format!("{unit}/s"))
            }
            CapacityUnit::BitsPerSecond => {
                split(shortest(SIG, |s| format::bits_per_second(value, s)))
            }
            CapacityUnit::Bytes => split(shortest(SIG, |s| {
                format::bytes_sig(value, s, format::ByteUnits::Si)
            })),
            CapacityUnit::BinaryBytes => split(shortest(SIG, |s| {
                format::bytes_sig(value, s, format::ByteUnits::Binary)
            })),
        }
    }
}

/// A per-node capacity rule of thumb: a range, its unit, and where it comes
/// from. Byte-valued ranges are stored in bytes (or bytes per second).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Capacity {
    /// The component, e.g. `"Redis (single instance)"`.
    pub component: &'static str,
    /// What is measured and under which assumptions.
    pub measure: &'static str,
    /// Low end of the typical range.
    pub low: f64,
    /// High end of the typical range (equal to `low` for a documented limit).
    pub high: f64,
    /// Unit of `low` and `high`.
    pub unit: CapacityUnit,
    /// Where the figure comes from.
    pub source: &'static str,
}

impl Capacity {
    /// The range as text, e.g. `1K–10K req/s`.
    pub fn range_text(&self) -> String {
        self.unit.format_range(self.low, self.high)
    }
}

/// Stateless application/API server: 1K–10K requests/s per node (4–16
/// vCPUs doing real work per request: parsing, auth, a cache or database
/// call). Rule of thumb used in system-design practice; trivial handlers in
/// the TechEmpower Framework Benchmarks reach far higher, heavy ones far
/// lower.
pub const APP_SERVER: Capacity = Capacity {
    component: "Application server (stateless API)",
    measure: "HTTP requests, real work per request",
    low: 1e3,
    high: 1e4,
    unit: CapacityUnit::RequestsPerSecond,
    source: "Rule of thumb; trivial handlers go far higher (TechEmpower benchmarks)",
};

/// Reverse proxy / load balancer such as nginx: 10K–100K requests/s per
/// node. Rule of thumb; NGINX's own benchmarks ("Testing the Performance of
/// NGINX and NGINX Plus Web Servers", NGINX blog, 2017) show higher rates
/// for small responses on many-core machines; TLS handshakes and large
/// bodies bring it down.
pub const REVERSE_PROXY: Capacity = Capacity {
    component: "Reverse proxy / load balancer (nginx)",
    measure: "HTTP requests proxied",
    low: 1e4,
    high: 1e5,
    unit: CapacityUnit::RequestsPerSecond,
    source: "Rule of thumb; cf. NGINX blog benchmarks (2017)",
};

/// SQL database, single primary on commodity hardware: 5K–20K read
/// queries/s (indexed point reads, working set in memory). Rule of thumb;
/// measure with pgbench or sysbench, results vary by an order of magnitude
/// with query shape and hardware.
pub const SQL_READS: Capacity = Capacity {
    component: "SQL database (single primary)",
    measure: "Simple indexed reads, working set in RAM",
    low: 5e3,
    high: 2e4,
    unit: CapacityUnit::QueriesPerSecond,
    source: "Rule of thumb; measure with pgbench/sysbench",
};

/// SQL database, single primary on commodity hardware: 1K–5K write
/// queries/s (durable commits, indexes to maintain). Rule of thumb; group
/// commit and batching raise it, many indexes lower it.
pub const SQL_WRITES: Capacity = Capacity {
    component: "SQL database (single primary)",
    measure: "Durable single-row writes",
    low: 1e3,
    high: 5e3,
    unit: CapacityUnit::QueriesPerSecond,
    source: "Rule of thumb; measure with pgbench/sysbench",
};

/// Redis, single instance: ~100K simple operations/s (50K–150K) without
/// pipelining; pipelining reaches 1M+ ops/s. Source: Redis documentation,
/// "Redis benchmark" (redis-benchmark examples), and common practice.
pub const REDIS: Capacity = Capacity {
    component: "Redis (single instance)",
    measure: "GET/SET, no pipelining",
    low: 5e4,
    high: 1.5e5,
    unit: CapacityUnit::OperationsPerSecond,
    source: "Redis docs, \"Redis benchmark\"; pipelining gives 1M+",
};

/// Kafka broker: 100K–1M small messages/s. Source: Jay Kreps,
/// "Benchmarking Apache Kafka: 2 Million Writes Per Second (On Three Cheap
/// Machines)", LinkedIn Engineering, 2014 (100-byte messages; ~0.8M
/// msg/s from one producer thread to a 3-broker cluster without
/// replication).
pub const KAFKA_BROKER_MESSAGES: Capacity = Capacity {
    component: "Kafka broker",
    measure: "Small (~100 B) messages produced",
    low: 1e5,
    high: 1e6,
    unit: CapacityUnit::MessagesPerSecond,
    source: "Kreps, LinkedIn Engineering (2014): 2M writes/s on 3 machines",
};

/// Kafka broker: 50–200 MB/s of produce throughput, usually limited by
/// disk and network; replication multiplies the write traffic. Rule of
/// thumb consistent with Kreps (LinkedIn Engineering, 2014: 78 MB/s from
/// one producer thread, 193 MB/s from three producers with 3× replication
/// on three 2014-era machines).
pub const KAFKA_BROKER_THROUGHPUT: Capacity = Capacity {
    component: "Kafka broker",
    measure: "Produce throughput",
    low: 50e6,
    high: 200e6,
    unit: CapacityUnit::BytesPerSecond,
    source: "Rule of thumb; cf. Kreps, LinkedIn Engineering (2014)",
};

/// Amazon S3: 3,500 PUT/COPY/POST/DELETE requests/s per partitioned
/// prefix. Source: AWS, Amazon S3 User Guide, "Best practices design
/// patterns: optimizing Amazon S3 performance" (limits in force since
/// July 2018); throughput scales with the number of prefixes.
pub const S3_WRITES_PER_PREFIX: Capacity = Capacity {
    component: "Amazon S3 (per prefix)",
    measure: "PUT/COPY/POST/DELETE requests",
    low: 3_500.0,
    high: 3_500.0,
    unit: CapacityUnit::RequestsPerSecond,
    source: "AWS S3 User Guide, performance guidelines (since 2018)",
};

/// Amazon S3: 5,500 GET/HEAD requests/s per partitioned prefix. Source:
/// AWS, Amazon S3 User Guide, "Best practices design patterns: optimizing
/// Amazon S3 performance" (limits in force since July 2018).
pub const S3_READS_PER_PREFIX: Capacity = Capacity {
    component: "Amazon S3 (per prefix)",
    measure: "GET/HEAD requests",
    low: 5_500.0,
    high: 5_500.0,
    unit: CapacityUnit::RequestsPerSecond,
    source: "AWS S3 User Guide, performance guidelines (since 2018)",
};

/// Memory of a typical server: 64–512 GiB. Rule of thumb for 2020s
/// commodity servers; e.g. AWS EC2 general-purpose m6i instances range from
/// 8 GiB (m6i.large) to 512 GiB (m6i.32xlarge).
pub const SERVER_MEMORY: Capacity = Capacity {
    component: "Server",
    measure: "RAM",
    low: 64.0 * 1_073_741_824.0,
    high: 512.0 * 1_073_741_824.0,
    unit: CapacityUnit::BinaryBytes,
    source: "Rule of thumb; cf. AWS EC2 m6i sizes (up to 512 GiB)",
};

/// Local storage of a typical server: 1–30 TB of NVMe SSD. Rule of thumb
/// for 2020s servers; e.g. AWS EC2 storage-optimised i4i instances carry up
/// to 30 TB of local NVMe (i4i.32xlarge).
pub const SERVER_DISK: Capacity = Capacity {
    component: "Server",
    measure: "Local SSD storage",
    low: 1e12,
    high: 30e12,
    unit: CapacityUnit::Bytes,
    source: "Rule of thumb; cf. AWS EC2 i4i (up to 30 TB NVMe)",
};

/// Network bandwidth of a typical server: 10–25 Gbps. Rule of thumb for
/// 2020s datacenter servers and mid-size cloud instances (cloud providers
/// advertise "up to 10/12.5/25 Gbps" for such sizes).
pub const SERVER_NETWORK: Capacity = Capacity {
    component: "Server",
    measure: "Network bandwidth",
    low: 10e9 / 8.0,
    high: 25e9 / 8.0,
    unit: CapacityUnit::BitsPerSecond,
    source: "Rule of thumb for 2020s servers and cloud VMs",
};

/// All capacity rules of thumb, in table order.
pub const CAPACITIES: &[Capacity] = &[
    APP_SERVER,
    REVERSE_PROXY,
    SQL_READS,
    SQL_WRITES,
    REDIS,
    KAFKA_BROKER_MESSAGES,
    KAFKA_BROKER_THROUGHPUT,
    S3_WRITES_PER_PREFIX,
    S3_READS_PER_PREFIX,
    SERVER_MEMORY,
    SERVER_DISK,
    SERVER_NETWORK,
];

/// Per-node capacity rules of thumb as a table, each row with its source.
pub fn capacity_table() -> Table {
    let mut table = Table::with_columns(vec![
        Column::left("Component"),
        Column::left("Measure"),
        Column::right("Typical range"),
        Column::left("Source"),
    ])
    .title("Per-node capacity: rules of thumb")
    .note(
        "Rules of thumb for first estimates (2020s commodity hardware), not benchmarks: real \
         capacity varies by an order of magnitude with workload, payload size and hardware. \
         The S3 figures are documented AWS limits per prefix. Measure before you commit.",
    );
    for capacity in CAPACITIES {
        table.push_row(vec![
            capacity.component.to_string(),
            capacity.measure.to_string(),
            capacity.range_text(),
            capacity.source.to_string(),
        ]);
    }
    table
}

// ---------------------------------------------------------------------------
// Cloud costs
// ---------------------------------------------------------------------------

/// A list price, in US dollars, and the same price at a napkin-friendly scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Cost {
    /// What is bought, e.g. `"S3 Standard storage"`.
    pub item: &'static str,
    /// Price in USD per `unit`.
    pub usd: f64,
    /// The billing unit, e.g. `"GB-month"`.
    pub unit: &'static str,
    /// How many `unit`s make one `scaled_unit` (e.g. 1,000 GB per TB).
    pub scale: f64,
    /// A larger unit for estimates, e.g. `"TB-month"`.
    pub scaled_unit: &'static str,
    /// Where and when the price was listed.
    pub source: &'static str,
}

impl Cost {
    /// The price per `scaled_unit`: `usd × scale`.
    pub fn scaled_usd(&self) -> f64 {
        self.usd * self.scale
    }
}

/// Hours in a month as cloud providers bill them (730 = 8,760 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Amazon S3 Standard storage: $0.023 per GB-month (first 50 TB/month),
/// US East (N. Virginia). AWS public pricing page (aws.amazon.com/s3/pricing),
/// as listed in 2024; unchanged since 2016. Prices change: check current
/// pricing.
pub const S3_STANDARD_STORAGE: Cost = Cost {
    item: "S3 Standard storage (first 50 TB)",
    usd: 0.023,
    unit: "GB-month",
    scale: 1_000.0,
    scaled_unit: "TB-month",
    source: "AWS S3 pricing, us-east-1, 2024",
};

/// Amazon S3 Standard PUT/COPY/POST/LIST requests: $0.005 per 1,000, US
/// East (N. Virginia). AWS public pricing page, as listed in 2024. Prices
/// change: check current pricing.
pub const S3_PUT_REQUESTS: Cost = Cost {
    item: "S3 PUT/COPY/POST/LIST requests",
    usd: 0.005,
    unit: "1,000 requests",
    scale: 1_000.0,
    scaled_unit: "1M requests",
    source: "AWS S3 pricing, us-east-1, 2024",
};

/// Amazon S3 Standard GET/SELECT requests: $0.0004 per 1,000, US East
/// (N. Virginia). AWS public pricing page, as listed in 2024. Prices
/// change: check current pricing.
pub const S3_GET_REQUESTS: Cost = Cost {
    item: "S3 GET requests",
    usd: 0.0004,
    unit: "1,000 requests",
    scale: 1_000.0,
    scaled_unit: "1M requests",
    source: "AWS S3 pricing, us-east-1, 2024",
};

/// Data transfer out from AWS to the internet: $0.09 per GB (first
/// 10 TB/month, after the first 100 GB/month free), US East (N. Virginia).
/// AWS EC2 on-demand pricing page, "Data Transfer", as listed in 2024.
/// Prices change: check current pricing.
pub const EGRESS_TO_INTERNET: Cost = Cost {
    item: "Data transfer out to internet (first 10 TB)",
    usd: 0.09,
    unit: "GB",
    scale: 1_000.0,
    scaled_unit: "TB",
    source: "AWS data transfer pricing, us-east-1, 2024",
};

/// General-purpose VM: AWS EC2 m5.large (2 vCPU, 8 GiB), Linux on-demand,
/// $0.096 per hour, US East (N. Virginia). AWS EC2 on-demand pricing page,
/// as listed in 2024. Prices change: check current pricing.
pub const VM_GENERAL_PURPOSE: Cost = Cost {
    item: "VM: EC2 m5.large (2 vCPU, 8 GiB), on-demand",
    usd: 0.096,
    unit: "hour",
    scale: HOURS_PER_MONTH,
    scaled_unit: "month (730 h)",
    source: "AWS EC2 pricing, us-east-1, Linux, 2024",
};

/// Block storage: AWS EBS gp3 volumes, $0.08 per GB-month (baseline IOPS
/// and throughput included), US East (N. Virginia). AWS EBS pricing page,
/// as listed in 2024. Prices change: check current pricing.
pub const BLOCK_STORAGE_SSD: Cost = Cost {
    item: "Block storage: EBS gp3 SSD",
    usd: 0.08,
    unit: "GB-month",
    scale: 1_000.0,
    scaled_unit: "TB-month",
    source: "AWS EBS pricing, us-east-1, 2024",
};

/// napkin-math's provider-neutral monthly prices (sirupsen/napkin-math README at commit
/// aae5832, 2026; the table itself is undated and unchanged since its previous version).
const NAPKIN_MATH_COSTS: &str =
    "sirupsen/napkin-math, cost table (README at aae5832, 2026; undated)";

/// One CPU core for a month, on demand: $15 (napkin-math, 2026 README).
pub const CPU_MONTH: Cost = Cost {
    item: "CPU core, on demand (napkin-math)",
    usd: 15.0,
    unit: "core-month",
    scale: 100.0,
    scaled_unit: "100 cores, month",
    source: NAPKIN_MATH_COSTS,
};

/// One GB of memory for a month, on demand: $2 (napkin-math, 2026 README).
pub const MEMORY_MONTH: Cost = Cost {
    item: "Memory, on demand (napkin-math)",
    usd: 2.0,
    unit: "GB-month",
    scale: 1_000.0,
    scaled_unit: "TB-month",
    source: NAPKIN_MATH_COSTS,
};

/// Blob storage (S3, GCS): $0.02 per GB-month (napkin-math, 2026 README).
pub const BLOB_STORAGE_MONTH: Cost = Cost {
    item: "Blob storage, S3/GCS (napkin-math)",
    usd: 0.02,
    unit: "GB-month",
    scale: 1_000.0,
    scaled_unit: "TB-month",
    source: NAPKIN_MATH_COSTS,
};

/// Zonal SSD: $0.2 per GB-month (napkin-math, 2026 README).
pub const ZONAL_SSD_MONTH: Cost = Cost {
    item: "Zonal SSD (napkin-math)",
    usd: 0.2,
    unit: "GB-month",
    scale: 1_000.0,
    scaled_unit: "TB-month",
    source: NAPKIN_MATH_COSTS,
};

/// Internet egress: $0.1 per GB (napkin-math, 2026 README).
pub const INTERNET_EGRESS: Cost = Cost {
    item: "Internet egress (napkin-math)",
    usd: 0.1,
    unit: "GB",
    scale: 1_000.0,
    scaled_unit: "TB",
    source: NAPKIN_MATH_COSTS,
};

/// CDN egress: $0.05 per GB (napkin-math, 2026 README).
pub const CDN_EGRESS: Cost = Cost {
    item: "CDN egress (napkin-math)",
    usd: 0.05,
    unit: "GB",
    scale: 1_000.0,
    scaled_unit: "TB",
    source: NAPKIN_MATH_COSTS,
};

/// All cloud list prices, in table order: AWS's (2024), then napkin-math's (2026 README).
pub const COSTS: &[Cost] = &[
    S3_STANDARD_STORAGE,
    S3_PUT_REQUESTS,
    S3_GET_REQUESTS,
    EGRESS_TO_INTERNET,
    VM_GENERAL_PURPOSE,
    BLOCK_STORAGE_SSD,
    CPU_MONTH,
    MEMORY_MONTH,
    BLOB_STORAGE_MONTH,
    ZONAL_SSD_MONTH,
    INTERNET_EGRESS,
    CDN_EGRESS,
];

/// Cloud list prices as a table, each with a scaled-up equivalent.
pub fn cost_table() -> Table {
    let mut table = Table::with_columns(vec![
        Column::left("Item"),
        Column::right("Price"),
        Column::left("Per"),
        Column::right("At scale"),
        Column::left("Per"),
        Column::left("Source"),
    ])
    .title("Cloud prices (USD)")
    .note(
        "AWS public pricing pages, US East (N. Virginia), on-demand list prices as of 2024; \
         napkin-math's provider-neutral figures from its 2026 README. Prices change and vary \
         by region, tier and commitment: check current pricing before relying on them.",
    );
    for cost in COSTS {
        table.push_row(vec![
            cost.item.to_string(),
            format!("${}", shortest(4, |s| format::significant(cost.usd, s))),
            cost.unit.to_string(),
            format!(
                "${}",
                shortest(3, |s| format::significant(cost.scaled_usd(), s))
            ),
            cost.scaled_unit.to_string(),
            cost.source.to_string(),
        ]);
    }
    table
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The shortest of `render(1..=max_sig)` that shows the same value and unit
/// as `render(max_sig)`: `0.023` rather than `0.02300`, `3.5K` rather than
/// `3.500K`.
fn shortest(max_sig: usize, render: impl Fn(usize) -> String) -> String {
    fn key(text: &str) -> (Option<f64>, &str) {
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(text.len());
        (text[..end].parse().ok(), &text[end..])
    }
    let target = render(max_sig);
    (1..max_sig)
        .map(&render)
        .find(|text| key(text) == key(&target))
        .unwrap_or(target)
}

/// An availability as an exact percentage: `99.95 %`, `90 %`.
fn percent_exact(fraction: f64) -> String {
    format!(
        "{} %",
        shortest(6, |s| format::significant(fraction * 100.0, s))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn three_nines_downtime() {
        let three = NINES.iter().find(|n| n.availability == 0.999).unwrap();
        assert_eq!(format::duration(three.downtime_per_year()), "8h 45m 36s");
        assert_eq!(format::duration(three.downtime_per_month()), "43m 48s");
        assert_eq!(format::duration(three.downtime_per_week()), "10m 5s");
        assert_eq!(format::duration(three.downtime_per_day()), "1m 26s");
        let five = NINES.last().unwrap();
        assert_eq!(format::duration(five.downtime_per_year()), "5m 15s");
        assert_eq!(format::duration(five.downtime_per_day()), "864 ms");
    }

    #[test]
    fn measured_2026_rows() {
        let ssd = measured_2026::SSD_SEQUENTIAL_READ;
        assert_eq!(ssd.throughput, Some(8.0 * GIB));
        assert_eq!(
            ssd.bandwidth().unwrap().to_string(),
            "8.59 GB/s (68.7 Gbps)"
        );
        let text = measured_table().to_text();
        assert!(text.contains("8.00 GiB/s"), "{text}");
        assert!(text.contains("March 8, 2026"), "{text}");
        assert!(MEASURED_2026.iter().any(|m| !m.remeasured));
    }

    /// Every row has a name, and [`measured`] finds it by that name or by its operation; a
    /// name that is not there is an error listing the names.
    #[test]
    fn measured_rows_by_name() {
        assert_eq!(measured_2026::NAMES.len(), MEASURED_2026.len());
        for (name, row) in measured_2026::NAMES.iter().zip(MEASURED_2026) {
            assert_eq!(measured(name).unwrap(), *row);
            assert_eq!(measured(&name.to_lowercase()).unwrap(), *row);
            assert_eq!(measured(row.operation).unwrap(), *row, "{}", row.operation);
        }
        let ssd = measured_2026::SSD_RANDOM_READ;
        assert_eq!(ssd.operation, "Random SSD read (8 KiB)");
        assert_eq!(ssd.duration().unwrap().to_string(), "100 µs");
        assert_eq!(measured("Random SSD read").unwrap(), ssd);
        assert_eq!(measured_2026::COMPRESSION.duration(), None);
        // Two rows start with this: ambiguous, so an error.
        let err = measured("Sequential SSD write").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "no MEASURED_2026 row named \"Sequential SSD write\"; there are: \
                 MEMORY_SEQUENTIAL_RW, MEMORY_SEQUENTIAL_RW_THREADED, HASH,"
            ),
            "{err}"
        );
        assert!(err.contains("SSD_SEQUENTIAL_WRITE_FSYNC"), "{err}");
    }

    #[test]
    fn classic_latencies_are_durations() {
        use crate::prelude::*;
        assert_eq!(latency_2012::DISK_SEEK.duration(), milliseconds(10.0));
        assert_eq!(
            latency_2020::SSD_RANDOM_READ.duration().to_string(),
            "16.0 µs"
        );
        let reads = latency_2012::READ_1MB_SEQUENTIAL_DISK.duration() * 1000.0;
        assert_eq!(reads.to_string(), "20.0 s");
        for l in LATENCY_2012.iter().chain(LATENCY_2020) {
            assert_eq!(Duration::from(*l).seconds(), l.seconds);
        }
    }

    #[test]
    fn power_of_two_errors() {
        let gib = POWERS_OF_TWO.iter().find(|p| p.exponent == 30).unwrap();
        assert_eq!(gib.value(), 1_073_741_824.0);
        assert_eq!(format::percent(gib.relative_error()), "7.37 %");
        assert_eq!(format::grouped(gib.value()), "1,073,741,824");
        let kib = power_of_two(10).unwrap();
        assert_eq!(format::percent(kib.relative_error()), "2.40 %");
        assert_eq!(POWERS_OF_TWO[0].exact(), 1);
        assert_eq!(format::percent(POWERS_OF_TWO[0].relative_error()), "0 %");
        assert_eq!(
            power_of_two(64).unwrap().exact(),
            18_446_744_073_709_551_616
        );
        assert!(power_of_two(128).is_err());
        let pib = power_of_two(50).unwrap();
        assert_eq!(format::grouped(pib.value()), "1,125,899,906,842,624");
        for power in POWERS_OF_TWO {
            assert!(power.relative_error() >= 0.0 && power.relative_error() < 0.19);
        }
    }

    #[test]
    fn serial_and_parallel() {
        assert!(close(serial(&[0.999, 0.999]).unwrap(), 0.998001));
        assert!(close(parallel(&[0.99, 0.99]).unwrap(), 0.9999));
        assert_eq!(serial(&[]).unwrap(), 1.0);
        assert_eq!(parallel(&[]).unwrap(), 0.0);
        assert_eq!(serial(&[0.0, 1.0]).unwrap(), 0.0);
        assert_eq!(parallel(&[0.0, 1.0]).unwrap(), 1.0);
    }

    #[test]
    fn invalid_availability_names_index_and_value() {
        let error = serial(&[0.99, 1.5, -1.0]).unwrap_err();
        assert_eq!(
            error,
            ReferenceError::InvalidAvailability {
                index: 1,
                value: 1.5
            }
        );
        let message = error.to_string();
        assert!(message.contains("index 1"), "{message}");
        assert!(message.contains("1.5"), "{message}");
        let error = parallel(&[0.9, f64::NAN]).unwrap_err();
        assert!(error.to_string().contains("index 1 is NaN"), "{error}");
        assert!(parallel(&[f64::INFINITY]).is_err());
        assert!(serial(&[-0.1]).is_err());
    }

    #[test]
    fn latency_lists_are_sorted_sensibly() {
        assert_eq!(LATENCY_2012.len(), 14);
        assert_eq!(LATENCY_2020.len(), 14);
        assert_eq!(latency_2012::MUTEX_LOCK_UNLOCK.seconds, 25e-9);
        assert_eq!(latency_2020::L1_CACHE_REFERENCE.seconds, 1e-9);
        for list in [LATENCY_2012, LATENCY_2020] {
            assert!(list.iter().all(|l| l.seconds > 0.0 && l.seconds < 1.0));
            assert_eq!(list.last().unwrap().seconds, 150e-3);
        }
        let sorted = LATENCY_2012
            .windows(2)
            .all(|w| w[0].seconds <= w[1].seconds);
        assert!(sorted, "the 2012 list is in increasing order");
    }

    #[test]
    fn latency_table_rows() {
        let table = latency_table();
        assert_eq!(table.row_count(), LATENCY_2012.len());
        let memory = &table.rows()[4];
        assert_eq!(memory[0], "Main memory reference");
        assert_eq!(memory[1], "100 ns");
        assert_eq!(memory[2], "3m 20s");
        assert_eq!(table.rows()[0][2], "1.00 s");
        assert_eq!(latency_table_recent().rows()[4][2], "1m 40s");
    }

    #[test]
    fn capacity_ranges() {
        assert_eq!(APP_SERVER.range_text(), "1K–10K req/s");
        assert_eq!(S3_WRITES_PER_PREFIX.range_text(), "3.5K req/s");
        assert_eq!(S3_READS_PER_PREFIX.range_text(), "5.5K req/s");
        assert_eq!(REDIS.range_text(), "50K–150K ops/s");
        assert_eq!(KAFKA_BROKER_MESSAGES.range_text(), "100K–1M msg/s");
        assert_eq!(KAFKA_BROKER_THROUGHPUT.range_text(), "50–200 MB/s");
        assert_eq!(SERVER_MEMORY.range_text(), "64–512 GiB");
        assert_eq!(SERVER_DISK.range_text(), "1–30 TB");
        assert_eq!(SERVER_NETWORK.range_text(), "10–25 Gbps");
        assert_eq!(
            CapacityUnit::Bytes.format_range(500e9, 2e12),
            "500 GB – 2 TB"
        );
        for capacity in CAPACITIES {
            assert!(capacity.low > 0.0 && capacity.low <= capacity.high);
            assert!(!capacity.source.is_empty());
        }
    }

    #[test]
    fn cost_cells() {
        let table = cost_table();
        let rows = table.rows();
        assert_eq!(rows[0][1..5], ["$0.023", "GB-month", "$23", "TB-month"]);
        assert_eq!(
            rows[2][1..5],
            ["$0.0004", "1,000 requests", "$0.4", "1M requests"]
        );
        assert_eq!(rows[4][1..5], ["$0.096", "hour", "$70.1", "month (730 h)"]);
    }

    #[test]
    fn availability_cells() {
        let table = availability_table();
        let column: Vec<&str> = table.rows().iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            column,
            ["90 %", "99 %", "99.9 %", "99.95 %", "99.99 %", "99.999 %"]
        );
        assert_eq!(table.rows()[2][2], "8h 45m 36s");
        assert_eq!(table.rows()[3][2], "4h 22m 48s");
    }

    #[test]
    fn every_table_renders_everywhere() {
        let tables = [
            (latency_table(), LATENCY_2012.len()),
            (latency_table_recent(), LATENCY_2020.len()),
            (powers_of_two_table(), POWERS_OF_TWO.len()),
            (availability_table(), NINES.len()),
            (capacity_table(), CAPACITIES.len()),
            (cost_table(), COSTS.len()),
            (measured_table(), MEASURED_2026.len()),
        ];
        for (table, rows) in tables {
            assert_eq!(table.row_count(), rows);
            assert!(table.title_text().is_some_and(|t| !t.is_empty()));
            assert!(table.note_text().is_some_and(|n| !n.is_empty()));

            // Text: title, blank, header, rule, rows, blank, note.
            let text = table.to_text();
            assert_eq!(text.lines().count(), 2 + 2 + rows + 2, "{text}");

            // Markdown: bold title, blank, header, alignment, rows, blank, note.
            let markdown = table.to_markdown();
            let table_lines = markdown.lines().filter(|l| l.starts_with('|')).count();
            assert_eq!(table_lines, 2 + rows, "{markdown}");

            // HTML: one header row, one row per entry, one note row.
            let html = table.to_html();
            assert_eq!(html.matches("<tr>").count(), 1 + rows + 1, "{html}");
            assert_eq!(html.matches("</tr>").count(), 1 + rows + 1);
            crate::table::tests::assert_well_formed(&html);
        }
    }
}
