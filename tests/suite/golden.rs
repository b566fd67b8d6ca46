//! Golden tests: the seed's Day-1 chain and published estimates, each with
//! the convention its source used, reproduced within the source's own
//! rounding. Where a source's arithmetic is itself off, the exact value is
//! asserted and the discrepancy documented.

use napkin::prelude::*;

/// system-design-primer's calendar: 2.5M s a month, twelve to a year. A source's rates and
/// periods are made in its calendar; the workload shows its results in the writes' calendar.
const PRIMER: Conventions = Conventions::PRIMER;

/// Asserts `actual` is within `tolerance` (relative) of `expected`.
fn close(what: &str, actual: f64, expected: f64, tolerance: f64) {
    let error = (actual - expected).abs() / expected.abs();
    assert!(
        error <= tolerance,
        "{what}: expected {expected} (±{:.1} %), got {actual} (off by {:.2} %)",
        tolerance * 100.0,
        error * 100.0
    );
}

#[test]
fn seed_day_one() {
    // Seed: "100M DAU × 10 / 86400 → ~12K QPS, peak 36K; 1KB per action → daily ~1TB, yearly ~365TB".
    let e = Workload::new(users(100e6), per_user_per_day(10.0))
        .bytes_per_write(kb(1.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "11.6K req/s");
    assert_eq!(e.peak_writes.to_string(), "34.7K req/s");
    assert_eq!(e.storage_per_day.to_string(), "1.00 TB/day");
    assert_eq!(e.storage_per_year.to_string(), "365 TB/year");
    // The seed's 36K is 12K × 3: it rounded before multiplying. Exact: 34,722.2.
    close("peak", e.peak_writes.per_second(), 34_722.22, 1e-6);
    assert_eq!(
        e.work("writes").unwrap(),
        "100M users × 10 req/user/day ÷ 86,400 s/day = 11.6K req/s"
    );
}

/// system-design-primer, solutions/system_design/pastebin: 10M writes and
/// 100M reads a month, 1,271 B per paste, 2.5M s per month, 3 years.
#[test]
fn primer_pastebin() {
    let e = Workload::total(PRIMER.rate(10e6, Per::Month))
        .reads_per_write(10.0)
        .bytes_per_write(bytes(1_271.0))
        .retention(PRIMER.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "4 req/s"); // "4 paste writes per second"
    assert_eq!(e.reads.to_string(), "40 req/s"); // "40 read requests per second"
    assert_eq!(
        e.storage_per_month.to_string(),
        "12.7 GB/month (2.5M-s month)"
    ); // "12.7 GB … per month"
    // "~450 GB of new paste content in 3 years": 12.71 GB × 36 is 457.6 GB;
    // the source rounds down.
    close("3-year storage", e.storage_total.bytes(), 457.56e9, 1e-9);
    assert_eq!(e.storage_total.to_string(), "458 GB");
    // "360 million shortlinks in 3 years": 4 writes/s over 36 primer months.
    let three_years = 3.0 * PRIMER.year;
    close(
        "shortlinks",
        e.writes.per_second() * three_years,
        360e6,
        1e-9,
    );
}

/// system-design-primer, twitter: 15B tweets and 250B reads a month, ~10 KB
/// per tweet. The source counts 500M/day × 30 days = 15B a month but
/// converts to rates with 2.5M s/month; we follow its per-month figures.
#[test]
fn primer_twitter() {
    let e = Workload::total(PRIMER.rate(15e9, Per::Month))
        .reads_per_write(250.0 / 15.0)
        .bytes_per_write(kb(10.0))
        .retention(PRIMER.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "6.00K req/s"); // "6,000 tweets per second"
    assert_eq!(e.reads.to_string(), "100K req/s"); // "100 thousand read requests per second"
    assert_eq!(
        e.storage_per_month.to_string(),
        "150 TB/month (2.5M-s month)"
    ); // "150 TB … per month"
    assert_eq!(e.storage_total.to_string(), "5.40 PB"); // "5.4 PB … in 3 years"
    // Fanout: 150B deliveries a month → "60 thousand … per second".
    let fanout = Workload::total(PRIMER.rate(150e9, Per::Month))
        .estimate()
        .unwrap();
    assert_eq!(fanout.writes.to_string(), "60.0K req/s");
    // Search: 10B a month → "4,000 search requests per second".
    let search = Workload::total(PRIMER.rate(10e9, Per::Month))
        .estimate()
        .unwrap();
    assert_eq!(search.writes.to_string(), "4.00K req/s");
    // The source's "~10 KB" drops 180 B of fields: 10,180 B exactly gives 152.7 TB/month.
    let exact = Workload::total(PRIMER.rate(15e9, Per::Month))
        .bytes_per_write(bytes(10_180.0))
        .estimate()
        .unwrap();
    assert_eq!(
        exact.storage_per_month.to_string(),
        "153 TB/month (2.5M-s month)"
    );
}

/// system-design-primer, mint: 5B transactions and 500M reads a month, 50 B each.
#[test]
fn primer_mint() {
    let e = Workload::total(PRIMER.rate(5e9, Per::Month))
        .reads_per_write(0.1) // "10:1 write to read ratio"
        .bytes_per_write(bytes(50.0))
        .retention(PRIMER.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "2.00K req/s"); // "2,000 transactions per second"
    assert_eq!(e.reads.to_string(), "200 req/s"); // "200 read requests per second"
    assert_eq!(
        e.storage_per_month.to_string(),
        "250 GB/month (2.5M-s month)"
    );
    assert_eq!(e.storage_total.to_string(), "9.00 TB"); // "9 TB … in 3 years"
}

/// system-design-primer, web_crawler: 4B pages a month (1B links refreshed
/// weekly, a 4-week month in the source), 500 KB a page, 100B searches a month.
#[test]
fn primer_web_crawler() {
    let e = Workload::total(PRIMER.rate(4e9, Per::Month))
        .reads_per_write(25.0)
        .bytes_per_write(kb(500.0))
        .retention(PRIMER.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "1.60K req/s"); // "1,600 write requests per second"
    assert_eq!(e.reads.to_string(), "40.0K req/s"); // "40,000 search requests per second"
    assert_eq!(
        e.storage_per_month.to_string(),
        "2.00 PB/month (2.5M-s month)"
    ); // "2 PB … per month"
    assert_eq!(e.storage_total.to_string(), "72.0 PB"); // "72 PB … in 3 years"
}

/// system-design-primer, query_cache: 10B queries a month, 270 B per entry.
#[test]
fn primer_query_cache() {
    let e = Workload::total(PRIMER.rate(10e9, Per::Month))
        .bytes_per_write(bytes(50.0 + 20.0 + 200.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "4.00K req/s"); // "4,000 requests per second"
    assert_eq!(
        e.storage_per_month.to_string(),
        "2.70 TB/month (2.5M-s month)"
    ); // "2.7 TB of cache data per month"
}

/// system-design-primer, scaling_aws: 1B writes a month, 1 KB each, 100:1.
#[test]
fn primer_scaling_aws() {
    let e = Workload::total(PRIMER.rate(1e9, Per::Month))
        .reads_per_write(100.0)
        .bytes_per_write(kb(1.0))
        .retention(PRIMER.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "400 req/s");
    assert_eq!(e.reads.to_string(), "40.0K req/s");
    assert_eq!(
        e.storage_per_month.to_string(),
        "1.00 TB/month (2.5M-s month)"
    );
    assert_eq!(e.storage_total.to_string(), "36.0 TB");
}

/// Grokking the System Design Interview (Educative), TinyURL: 500M new URLs
/// a month (30-day months), 100:1, 500 B per object, 5 years, cache 20 % of
/// a day's reads. The source rounds 192.9 writes/s to 200 and 19.3K reads/s
/// to 20K before going on; its 170 GB cache is 166.7 GB exactly.
#[test]
fn grokking_url_shortener() {
    let thirty_day = Conventions::THIRTY_DAY;
    let e = Workload::total(thirty_day.rate(500e6, Per::Month))
        .reads_per_write(100.0)
        .bytes_per_write(bytes(500.0))
        .retention(thirty_day.years(5.0))
        .estimate()
        .unwrap();
    close("writes", e.writes.per_second(), 192.9, 1e-3); // "~200/s"
    close("reads", e.reads.per_second(), 19_290.0, 1e-3); // "~20K/s"
    assert_eq!(e.storage_total.to_string(), "15.0 TB"); // "30B objects × 500 B = 15 TB"
    close("ingress", e.ingress.bytes_per_second(), 96_450.0, 1e-3); // "100 KB/s" from 200/s
    close("egress", e.egress.bytes_per_second(), 9.645e6, 1e-3); // "10 MB/s" from 20K/s
    close("cache", e.cache_by_reads.bytes(), 166.67e9, 1e-3); // "170 GB" from 20K/s
}
