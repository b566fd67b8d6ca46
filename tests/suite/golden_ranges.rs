//! Golden tests of ranges: published estimates whose inputs span a range, run through napkin as
//! one ranged workload, each bound checked against the source's line.

use napkin::prelude::*;

/// Xu vol. 2 ch. 3, Google Maps (booknotes chapter19, "Back-of-the-envelope estimation"):
/// "1bil DAU at 35min of usage per week -> 5bil minutes per day. Assuming gps update requests
/// are batched, we arrive at 200k QPS and 1mil QPS at peak load" (the book's 10^5-s day; the
/// batch is one request per 15 s of navigation). The batch interval is the guess: from one
/// request a second (no batching) to one per 15 s, the source's figure being the low end.
#[test]
fn xu_google_maps_location_updates() {
    let xu = Conventions::NAPKIN; // 10^5 s a day, as vol. 2 counts
    let dau = users(1e9);
    let navigating = minutes(35.0) / 7.0; // a day's share of 35 min a week
    assert_eq!((dau * navigating).to_string(), "5.00bn user-min"); // "5bil minutes per day"
    let every = between(seconds(1.0), seconds(15.0)).likely(seconds(15.0));
    let updates = (navigating / every).map(|n| xu.per_user(n, Per::Day));
    let e = Workload::new(dau, updates)
        .peak_factor(5.0)
        .estimate()
        .unwrap();
    let qps = e.range(|e| e.writes);
    assert_eq!(qps.low.to_string(), "200K req/s");
    assert_eq!(qps.likely.to_string(), "200K req/s");
    assert_eq!(qps.high.to_string(), "3.00M req/s");
    let peak = e.range(|e| e.peak_writes);
    assert_eq!(peak.to_string(), "1.00M req/s (1.00M–15.0M)");
}

/// Tim Mastny's worked answer to Napkin Math problem 1 (timmastny.com/projects/napkin-math/p1):
/// "100,000 requests/s * 1KB/request = 100MB/s", "~ 9TB/day", "9 TB / day * 30 days / month *
/// $0.02 / GB / month = $5400 / month", and kept three days instead: "9 * 3 TB / month * $0.02 /
/// GB / month = $540 / month". The retention is the range; 9 TB a day is Eskildsen's
/// 9×10⁴-s day (sirupsen.com/napkin/problem-2), which the answer rounds 8.64 TB to.
#[test]
fn mastny_log_storage_cost_over_a_retention_range() {
    let sirupsen = Conventions {
        name: "9×10⁴ s/day",
        day: 9e4,
        month: 30.0 * 9e4,
        year: 365.0 * 9e4,
    };
    let kept = between(sirupsen.days(3.0), sirupsen.days(30.0)).likely(sirupsen.days(3.0));
    let e = Workload::total(qps(1e5))
        .bytes_per_write(kb(1.0))
        .conventions(sirupsen)
        .retention(kept)
        .estimate()
        .unwrap();
    assert_eq!(e.storage_per_day.to_string(), "9.00 TB/day (90K-s day)");
    let cost = e.cost(&Pricing::new().storage_per_gb_month(0.02)).unwrap();
    let total = cost.total_range();
    assert!((total.low.value_in(Per::Month) - 540.0).abs() < 1e-6);
    assert!((total.high.value_in(Per::Month) - 5_400.0).abs() < 1e-6);
    assert_eq!(total.likely, total.low);
}
