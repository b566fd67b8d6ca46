//! Golden tests, second set: twenty published estimates written in napkin's API with no plain
//! `f64` step, each with its source's convention and the line it comes from. Sources:
//! donnemartin/system-design-primer (commit 0889f04), Alex Xu's *System Design Interview*
//! vol. 1–2 (quoted from the book; chapter notes in preslavmihaylov/booknotes),
//! ratatoskr-app/Grokking-System-Design (notes on Educative's course), and Simon Eskildsen's
//! Napkin Math newsletter. Where a source rounds before multiplying, the exact chain is
//! asserted and the source's figure noted.

use napkin::prelude::*;

/// `actual` within `tolerance` (relative) of `expected`.
fn close(what: &str, actual: f64, expected: f64, tolerance: f64) {
    let error = (actual - expected).abs() / expected.abs();
    assert!(
        error <= tolerance,
        "{what}: expected {expected} (±{:.1} %), got {actual} (off by {:.2} %)",
        tolerance * 100.0,
        error * 100.0
    );
}

/// 10⁵ s/day, as Xu's vol. 2 states: "10^5 is used throughout this book to represent seconds
/// in a day". Rates are made in it (`XU_DAY.per_user(10.0, Per::Day)`); the estimate shows
/// its results in the writes' calendar.
const XU_DAY: Conventions = Conventions::NAPKIN;

/// primer, solutions/system_design/sales_rank/README.md L38–39, L55–60, L64: "1 billion
/// transactions per month", "100 billion read requests per month", "~40 bytes" each, "40 GB
/// of new transaction content per month", "1.44 TB … in 3 years", "400 transactions per
/// second", "40,000 read requests per second", "2.5 million seconds per month". Reads are a
/// separate monthly total.
#[test]
fn primer_sales_rank() {
    let primer = Conventions::PRIMER;
    let e = Workload::total(primer.rate(1e9, Per::Month))
        .reads(primer.rate(100e9, Per::Month))
        .bytes_per_write(bytes(40.0))
        .retention(primer.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "400 req/s");
    assert_eq!(e.reads.to_string(), "40.0K req/s");
    assert_eq!(
        e.storage_per_month.to_string(),
        "40.0 GB/month (2.5M-s month)"
    );
    assert_eq!(e.storage_total.to_string(), "1.44 TB");
}

/// primer, social_graph/README.md L28–30, L38–40, L44: "100 million users", "50 friends per
/// user average", "1 billion friend searches per month" → "5 billion friend relationships",
/// "400 search requests per second" (2.5M s/month). Relationships are items; searches a
/// stream of their own.
#[test]
fn primer_social_graph() {
    let links = users(100e6) * per_user(50.0);
    assert_eq!(links.to_string(), "5.00bn items");
    let primer = Conventions::PRIMER;
    let e = Workload::total(primer.rate(0.0, Per::Month))
        .stream("search", primer.rate(1e9, Per::Month))
        .estimate()
        .unwrap();
    assert_eq!(e.stream("search").unwrap().rate.to_string(), "400 req/s");
    assert_eq!(e.requests.to_string(), "400 req/s");
}

/// Xu vol. 1 ch. 2 (booknotes chapter03 L61–71): 300M MAU, 50 % daily, 2 tweets a day, 10 %
/// with 1 MB of media, 5 years. "Tweets QPS = 150 million * 2 tweets / 24 hour / 3600
/// seconds = ~3500", "Peak QPS = 2 * QPS = ~7000", "30 TB per day", "30 TB * 365 * 5 =
/// ~55 PB". The book doubles the rounded 3,500; exact peak 6,944.
#[test]
fn xu_twitter() {
    let e = Workload::new(users(300e6) * 0.5, per_user_per_day(2.0))
        .peak_factor(2.0)
        .bytes_per_write(mb(1.0) * 0.1)
        .retention(years(5.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "3.47K req/s");
    assert_eq!(e.peak_writes.to_string(), "6.94K req/s");
    assert_eq!(e.storage_per_day.to_string(), "30.0 TB/day");
    assert_eq!(e.storage_total.to_string(), "54.8 PB");
}

/// Xu vol. 1 ch. 9, web crawler (booknotes chapter10 L46–49): "1,000,000,000 / 30 days / 24
/// hours / 3600 seconds = ~400 pages per second", "Peak QPS = 2 * QPS = 800", "500 TB storage
/// per month", "500 TB * 12 months * 5 years = 30 PB": a 30-day month, twelve to a year.
#[test]
fn xu_web_crawler() {
    let xu = Conventions::THIRTY_DAY;
    let e = Workload::total(xu.rate(1e9, Per::Month))
        .bytes_per_write(kb(500.0))
        .peak_factor(2.0)
        .retention(xu.years(5.0))
        .estimate()
        .unwrap();
    close("pages/s", e.writes.per_second(), 385.8, 1e-3); // "~400"
    close("peak", e.peak_writes.per_second(), 771.6, 1e-3); // "800" = 2 × the rounded 400
    assert_eq!(
        e.storage_per_month.to_string(),
        "500 TB/month (30-day month)"
    );
    assert_eq!(e.storage_total.to_string(), "30.0 PB");
    assert_eq!(
        e.work("storage_per_year").unwrap(),
        "16.7 TB/day × 360 days = 6.00 PB/year (360-day year)"
    );
    assert_eq!(
        e.work("storage_total").unwrap(),
        "6.00 PB/year (360-day year) × 5 years = 30.0 PB"
    );
    // Sixty of its months are the same five years, and the work line says so.
    let by_months = Workload::total(xu.rate(1e9, Per::Month))
        .bytes_per_write(kb(500.0))
        .retention(xu.months(60.0))
        .estimate()
        .unwrap();
    assert_eq!(by_months.storage_total, e.storage_total);
    assert_eq!(
        by_months.work("storage_total").unwrap(),
        e.work("storage_total").unwrap()
    );
}

/// Xu vol. 1 ch. 13, autocomplete (booknotes chapter14 L29–33): "10,000,000 users * 10
/// queries / day * 20 characters / 24 hours / 3600 seconds" = "~24,000", "Peak QPS = QPS * 2
/// = ~48,000", "10 million * 10 queries / day * 20 byte per query * 20% = 0.4 GB". Each
/// keystroke is a request; exact 23,148/s.
#[test]
fn xu_autocomplete() {
    let e = Workload::new(users(10e6), per_user_per_day(10.0) * 20.0)
        .peak_factor(2.0)
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "23.1K req/s");
    assert_eq!(e.peak_writes.to_string(), "46.3K req/s");
    let new_queries = Workload::new(users(10e6), per_user_per_day(10.0) * 0.2)
        .bytes_per_write(bytes(20.0))
        .estimate()
        .unwrap();
    assert_eq!(new_queries.storage_per_day.to_string(), "400 MB/day");
}

/// Xu vol. 1 ch. 14, YouTube (booknotes chapter15 L33–38): 5M DAU, 5 videos watched a day,
/// 10 % upload one a day of 300 MB: "5 million * 10% * 300 MB = 150TB" a day, "5 million * 5
/// videos * 0.3GB * $0.02 = $150,000 per day". Views are a separate daily total.
#[test]
fn xu_youtube() {
    let dau = users(5e6);
    let e = Workload::new(dau * 0.1, per_user_per_day(1.0))
        .bytes_per_write(mb(300.0))
        .reads(dau * per_user_per_day(5.0))
        .bytes_per_read(gb(0.3))
        .estimate()
        .unwrap();
    assert_eq!(e.storage_per_day.to_string(), "150 TB/day");
    let served = e.egress * days(1.0);
    assert_eq!(served.to_string(), "7.50 PB");
    let cdn = dollars(0.02) * (served / gb(1.0));
    assert_eq!(cdn.to_string(), "$150K");
}

/// Xu vol. 1 ch. 15, Google Drive (booknotes chapter16 L39–45): "50 million * 10 GB = 500
/// Petabyte", "10 million * 2 uploads / 24 hours / 3600 seconds = ~ 240", "Peak QPS = QPS *
/// 2 = 480" (exact 231.5 and 463). A per-user quota.
#[test]
fn xu_google_drive() {
    assert_eq!((users(50e6) * gb(10.0)).to_string(), "500 PB");
    let e = Workload::new(users(10e6), per_user_per_day(2.0))
        .bytes_per_write(kb(500.0))
        .reads_per_write(1.0)
        .peak_factor(2.0)
        .estimate()
        .unwrap();
    close("uploads/s", e.writes.per_second(), 231.48, 1e-4);
    assert_eq!(e.peak_writes.to_string(), "463 req/s");
    assert_eq!(e.storage_per_day.to_string(), "10.0 TB/day");
}

/// Xu vol. 2 ch. 1, proximity service (booknotes chapter17 L29–30): "Search QPS = 100
/// million * 5 / 10^5 = 5,000". Searches are reads; no writes.
#[test]
fn xu_proximity() {
    let searches = Workload::new(users(100e6), XU_DAY.per_user(0.0, Per::Day))
        .reads(XU_DAY.per_user(5.0, Per::Day))
        .estimate()
        .unwrap();
    assert_eq!(searches.reads.to_string(), "5.00K req/s");
    // With 86,400 s/day it is 15.7 % more.
    let exact = Workload::new(users(100e6), per_user_per_day(0.0))
        .reads(per_user_per_day(5.0))
        .estimate()
        .unwrap();
    assert_eq!(exact.reads.to_string(), "5.79K req/s");
}

/// Xu vol. 2 ch. 2, nearby friends (booknotes chapter18 L33–37): "10% * 100 million = 10
/// million" concurrent, an update every 30 s: "10 million / 30 = ~334,000"; 400 friends, 10 %
/// of them online and nearby: "~14mil location updates per second" to push (exact 13.3M; the
/// book rounds 13.3M up).
#[test]
fn xu_nearby_friends() {
    let e = Workload::new(users(100e6) * 0.1, per_user_per_second(1.0) / 30.0)
        .stream("fanout", per_write(400.0 * 0.1))
        .peak_factor(1.0)
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "333K req/s");
    assert_eq!(e.stream("fanout").unwrap().rate.to_string(), "13.3M req/s");
}

/// Xu vol. 2 ch. 6, ad click aggregation (booknotes chapter22 L43–48): "10^9 events / 10^5
/// seconds in a day = 10,000", "Peak QPS = 50,000", "0.1 KB * 1 billion = 100 GB", "about
/// 3TB" a month (30 days).
#[test]
fn xu_ad_clicks() {
    let e = Workload::new(users(1e9), XU_DAY.per_user(1.0, Per::Day))
        .peak_factor(5.0)
        .bytes_per_write(kb(0.1))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "10.0K req/s");
    assert_eq!(e.peak_writes.to_string(), "50.0K req/s");
    assert_eq!(e.storage_per_day.to_string(), "100 GB/day (100K-s day)");
    assert_eq!(
        e.storage_per_month.to_string(),
        "3.00 TB/month (3M-s month)"
    );
}

/// Xu vol. 2 ch. 7, hotel reservation (booknotes chapter23 L28–34): "(1 million * 0.7) / 3 =
/// 233,333 (rounding up to ~240,000)", "240,000 / 10^5 seconds in a day = ~3"; each step of
/// the funnel 10× the next: 30 views of the reservation page, 300 of room details; "5000 *
/// 20 * 2 (years) * 365 (days) = 73mil rows". Exact chain: 2.33/s.
#[test]
fn xu_hotel() {
    let reservations = requests(1e6) * 0.7 / XU_DAY.days(3.0);
    assert_eq!(reservations.to_string(), "2.33 req/s");
    let e = Workload::total(reservations)
        .reads_per_write(10.0)
        .stream("room details", per_write(100.0))
        .estimate()
        .unwrap();
    assert_eq!(e.reads.to_string(), "23.3 req/s");
    assert_eq!(
        e.stream("room details").unwrap().rate.to_string(),
        "233 req/s"
    );
    let rows = items(5_000.0) * 20.0 * 365.0 * 2.0;
    assert_eq!(rows.to_string(), "73.0M items");
}

/// Xu vol. 2 ch. 8, distributed email (booknotes chapter24 L23–26): "10^9 * 10 / (10^5) =
/// 100,000" sends a second; "1 billion users * 40 emails / day * 365 days * 50 KB = 730
/// PB"; "… * 20% * 500 KB = 1,460 PB". Sends and receives are separate per-user totals.
#[test]
fn xu_email() {
    let sends = Workload::new(users(1e9), XU_DAY.per_user(10.0, Per::Day))
        .estimate()
        .unwrap();
    assert_eq!(sends.writes.to_string(), "100K req/s");
    let received = Workload::new(users(1e9), XU_DAY.per_user(40.0, Per::Day))
        .bytes_per_write(kb(50.0))
        .estimate()
        .unwrap();
    assert_eq!(
        received.storage_per_year.to_string(),
        "730 PB/year (36.5M-s year)"
    );
    let attachments = Workload::new(users(1e9), XU_DAY.per_user(40.0, Per::Day))
        .bytes_per_write(kb(500.0) * 0.2)
        .estimate()
        .unwrap();
    close(
        "attachments per year",
        attachments.storage_per_year.value_in(Per::Year),
        1_460e15,
        1e-12,
    );
}

/// Xu vol. 2 ch. 10, leaderboard (booknotes chapter26 L15, L34–39): 5M DAU, 10 games a day:
/// "50 * 10 = ~500. Peak QPS is 5x of the average: 500 * 5 = 2,500"; the top 10 fetched once
/// a day: "QPS is 50"; "26 bytes * 25mil = ~650MB".
#[test]
fn xu_leaderboard() {
    let e = Workload::new(users(5e6), XU_DAY.per_user(10.0, Per::Day))
        .reads(XU_DAY.per_user(1.0, Per::Day))
        .peak_factor(5.0)
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "500 req/s");
    assert_eq!(e.peak_writes.to_string(), "2.50K req/s");
    assert_eq!(e.reads.to_string(), "50 req/s");
    assert_eq!((users(25e6) * bytes(26.0)).to_string(), "650 MB");
}

/// Grokking, designs/facebook-messenger.md L25–34: "500M * 40 => 20B/Day", "20 billion
/// messages * 100 bytes => 2 TB/day", "2 TB * 365 days * 5 years ~= 3.6 PB", "2 TB / 86400
/// sec ~= 25 MB/s" (exact 3.65 PB and 23.1 MB/s).
#[test]
fn grokking_messenger() {
    let e = Workload::new(users(500e6), per_user_per_day(40.0))
        .bytes_per_write(bytes(100.0))
        .retention(years(5.0))
        .estimate()
        .unwrap();
    assert_eq!((e.writes * days(1.0)).to_string(), "20.0bn req");
    assert_eq!(e.storage_per_day.to_string(), "2.00 TB/day");
    assert_eq!(e.storage_total.to_string(), "3.65 PB");
    close("bandwidth", e.ingress.bytes_per_second(), 23.148e6, 1e-4);
}

/// Grokking, designs/twitter.md L30–49, L70–71: 100M tweets a day, "200M users * 5 favorites
/// => 1B favorites", "200M DAU * ((2 + 5) * 20 tweets) => 28B/day" views, "100M * (280 + 30)
/// bytes => 30GB/day", "Write Rate : 1160/s", "Read Rate : 325K/s" (exact 1,157 and 324K).
#[test]
fn grokking_twitter() {
    let dau = users(200e6);
    let e = Workload::total(per_day(100e6))
        .reads(dau * (per_user_per_day(2.0 + 5.0) * 20.0))
        .stream("favorite", dau * per_user_per_day(5.0))
        .bytes_per_write(bytes(280.0) + bytes(30.0))
        .estimate()
        .unwrap();
    assert_eq!(e.writes.to_string(), "1.16K req/s");
    assert_eq!(e.reads.to_string(), "324K req/s");
    assert_eq!(
        (e.stream("favorite").unwrap().rate * days(1.0)).to_string(),
        "1.00bn req"
    );
    assert_eq!(e.storage_per_day.to_string(), "31.0 GB/day");
}

/// Grokking, designs/dropbox.md L37–40: "500M total users", "200 files/photos" each, "100
/// billion total files", "100B * 100KB => 10PB". Counted on all users, not DAU; with binary
/// kilobytes it is 2.4 % more.
#[test]
fn grokking_dropbox() {
    let files = users(500e6) * per_user(200.0);
    assert_eq!(files.to_string(), "100bn items");
    assert_eq!((files * kb(100.0)).to_string(), "10.0 PB");
    assert_eq!((files * kib(100.0)).si().to_string(), "10.2 PB");
}

/// Grokking, designs/facebook-newsfeed.md L22–27: 300M DAU fetching five times a day: "1.5B
/// newsfeed requests per day or approximately 17,500 requests per second" (exact 17,361);
/// "500KB of data per user", "150TB of memory", "If a server can hold 100GB we would need
/// around 1500 machines". A working set per user, and servers sized by memory alone.
#[test]
fn grokking_newsfeed() {
    let dau = users(300e6);
    let e = Workload::new(dau, per_user_per_day(0.0))
        .reads(per_user_per_day(5.0))
        .working_set(dau * (kb(1.0) * 500.0))
        .estimate()
        .unwrap();
    assert_eq!(e.reads.to_string(), "17.4K req/s");
    assert_eq!(e.cache.to_string(), "150 TB");
    let sizing = e
        .servers(&Server::throughput(qps(1e6)).memory(gb(100.0)).headroom(0.0))
        .unwrap();
    assert_eq!(sizing.by_memory, Some(1_500));
    assert_eq!(sizing.binding, Constraint::Memory);
}

/// Grokking, designs/ticketmaster.md L32–38: "500 cities * 10 cinemas * 2000 seats * 2 shows
/// * (50+50) bytes = 2GB / day", "five years … around 3.6TB" (exact 3.65 TB).
#[test]
fn grokking_ticketmaster() {
    let seats = items(500.0) * 10.0 * 2_000.0 * 2.0;
    assert_eq!((seats * (bytes(50.0) + bytes(50.0))).to_string(), "2.00 GB");
    let e = Workload::total(per_day(seats.count()))
        .bytes_per_write(bytes(100.0))
        .retention(years(5.0))
        .estimate()
        .unwrap();
    assert_eq!(e.storage_per_day.to_string(), "2.00 GB/day");
    assert_eq!(e.storage_total.to_string(), "3.65 TB");
}

/// Grokking, designs/web-crawler.md L22–40: "15B / (4 weeks * 7 days * 86400 sec) ~= 6200
/// pages/sec", "15B * (100KB + 500) ~= 1.5 petabytes", "1.5 petabytes / 0.7 ~= 2.14
/// petabytes" (exact 1.51 PB and 2.15 PB: the source divides the rounded figure).
#[test]
fn grokking_web_crawler() {
    let rate = requests(15e9) / weeks(4.0);
    assert_eq!(rate.shown_per(Per::Second).to_string(), "6.20K req/s");
    let stored = items(15e9) * (kb(100.0) + bytes(500.0));
    assert_eq!(stored.to_string(), "1.51 PB");
    assert_eq!((stored / 0.7).to_string(), "2.15 PB");
}

/// Napkin Math (Simon Eskildsen), sirupsen.com/napkin/problem-2 ("Last Problem's Solution"):
/// "10^3 bytes/request * 9 * 10^4 seconds/day * 10^5 requests/second = 9 * 10^12 bytes/day",
/// at "$0.01 GB/month": "$3 * 10^3 per month" (exact, a 30-day month: $2,700). A 9×10⁴-second
/// day of its own.
#[test]
fn napkin_math_logging() {
    let sirupsen = Conventions {
        name: "9×10⁴ s/day",
        day: 9e4,
        month: 30.0 * 9e4,
        year: 365.0 * 9e4,
    };
    let e = Workload::total(qps(1e5))
        .bytes_per_write(kb(1.0))
        .conventions(sirupsen)
        .estimate()
        .unwrap();
    assert_eq!(e.storage_per_day.to_string(), "9.00 TB/day (90K-s day)");
    let kept = e.storage_per_month * sirupsen.months(1.0);
    let cost = dollars(0.01) * (kept / gb(1.0));
    assert_eq!(cost.to_string(), "$2.70K");
}
