//! Golden tests of [`Estimate::cost`]: published estimates that include a cost, each with its
//! source's line, priced through napkin's `Pricing` with no plain-`f64` step. Both sources are
//! the ones `golden_sources.rs` already cites (there the cost is multiplied out by hand).

use napkin::prelude::*;

/// Xu vol. 1 ch. 14, YouTube (booknotes chapter15 L33–38): 5M DAU, 5 videos watched a day of
/// 0.3 GB each, served from a CDN at $0.02 per GB: "5 million * 5 videos * 0.3GB * $0.02 =
/// $150,000 per day". Only egress is priced, so the upload storage gets no line.
#[test]
fn xu_youtube_cdn_cost() {
    let dau = users(5e6);
    let e = Workload::new(dau * 0.1, per_user_per_day(1.0))
        .bytes_per_write(mb(300.0))
        .reads(dau * per_user_per_day(5.0))
        .bytes_per_read(gb(0.3))
        .estimate()
        .unwrap();
    let cdn = Pricing::new()
        .egress_per_gb(0.02)
        .source("Xu vol. 1 ch. 14: CDN at $0.02/GB");
    let cost = e.cost(&cdn).unwrap();
    assert_eq!(
        cost.egress.unwrap().shown_per(Per::Day).to_string(),
        "$150K/day"
    );
    assert_eq!(
        cost.work("egress").unwrap(),
        "228 PB/month × $0.02/GB = $4.56M/month"
    );
    assert_eq!(cost.storage, None);
    assert_eq!(cost.servers, None);
    assert_eq!(
        cost.total.value_in(Per::Month),
        cost.egress.unwrap().value_in(Per::Month)
    );
}

/// Napkin Math (Simon Eskildsen), sirupsen.com/napkin/problem-2 ("Last Problem's Solution"):
/// "10^3 bytes/request * 9 * 10^4 seconds/day * 10^5 requests/second = 9 * 10^12 bytes/day",
/// kept a month at "$0.01 GB/month": "$3 * 10^3 per month" (exact, a 30-day month of its
/// 9×10⁴-second days: $2,700). The month of logs is the retention; one copy.
#[test]
fn napkin_math_logging_cost() {
    let sirupsen = Conventions {
        name: "9×10⁴ s/day",
        day: 9e4,
        month: 30.0 * 9e4,
        year: 365.0 * 9e4,
    };
    let e = Workload::total(qps(1e5))
        .bytes_per_write(kb(1.0))
        .conventions(sirupsen)
        .retention(sirupsen.months(1.0))
        .estimate()
        .unwrap();
    assert_eq!(e.storage_total.to_string(), "270 TB");
    let cost = e.cost(&Pricing::new().storage_per_gb_month(0.01)).unwrap();
    assert!((cost.total.value_in(Per::Month) - 2_700.0).abs() < 1e-6);
    assert_eq!(cost.total.to_string(), "$2.70K/month (2.7M-s month)");
    assert_eq!(
        cost.work("storage").unwrap(),
        "270 TB at 1 month × $0.01/GB-month = $2.70K/month (2.7M-s month)"
    );
}
