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

/// Tim Mastny's worked Napkin Math problem 1 (timmastny.com/projects/napkin-math/p1): "100,000
/// requests/s * 1KB/request = 100MB/s", "100MB/s * 3600s/hour * 24hours/day ~ 9TB/day", "9
/// TB / day * 30 days / month * $0.02 / GB / month = $5400 / month"; kept three days, "9 * 3
/// TB / month * $0.02 / GB / month = $540 / month". A 30-day month; the source rounds 8.64 TB
/// a day up to 9 before multiplying, so the exact chain gives $5,184 and $518.
#[test]
fn mastny_log_storage_cost() {
    let logs = Workload::total(qps(1e5))
        .bytes_per_write(kb(1.0))
        .conventions(Conventions::THIRTY_DAY);
    let blob = Pricing::new()
        .storage_per_gb_month(0.02)
        .source("the source's blob storage at $0.02/GB-month");
    let month = logs.retention(days(30.0)).estimate().unwrap();
    assert_eq!(month.storage_per_day.to_string(), "8.64 TB/day");
    let cost = month.cost(&blob).unwrap();
    assert_eq!(
        cost.work("storage").unwrap(),
        "259 TB at 1 month × $0.02/GB-month = $5,184/month (30-day month)"
    );
    assert!((cost.total.value_in(Per::Month) - 5_184.0).abs() < 1e-6);
    let three_days = logs.retention(days(3.0)).estimate().unwrap();
    let cost = three_days.cost(&blob).unwrap();
    assert_eq!(
        cost.work("storage").unwrap(),
        "25.9 TB at 3 days × $0.02/GB-month = $518/month (30-day month)"
    );
}

/// Knowledge Guide, "Drill: rough monthly cloud bill"
/// (knowledge-mathan.pages.dev/system-design/capacity-estimation/014-drill-rough-monthly-cloud-bill.html):
/// "A service stores 500 TB in object storage, runs 100 vCPUs 24/7, and serves 50 TB/month
/// egress" at "$0.02/GB-mo storage, $0.05/vCPU-hr, $0.09/GB egress": "500,000 GB × $0.02 =
/// $10,000/mo", "100 × $0.05 × 730 hr ≈ $3,650/mo", "50,000 GB × $0.09 = $4,500/mo", "Total
/// ≈ $18K/month" ($18,150). The 500 TB are a year of 1 MB objects kept a year; the 100
/// vCPUs a fleet given, each a server.
#[test]
fn drill_monthly_cloud_bill() {
    let e = Workload::total(per_year(500e6))
        .bytes_per_write(mb(1.0))
        .retention(years(1.0))
        .reads(per_month(50e6))
        .bytes_per_read(mb(1.0))
        .estimate()
        .unwrap();
    assert_eq!(e.storage_total.to_string(), "500 TB");
    let pricing = Pricing::new()
        .storage_per_gb_month(0.02)
        .fleet(100)
        .server_price(dollars_per_hour(0.05))
        .egress_per_gb(0.09)
        .source("the drill's anchors");
    let cost = e.cost(&pricing).unwrap();
    assert_eq!(
        cost.work("servers").unwrap(),
        "100 servers (given) × $36.5/month = $3.65K/month"
    );
    assert_eq!(
        cost.work("storage").unwrap(),
        "500 TB at 1 year × $0.02/GB-month = $10.0K/month"
    );
    assert_eq!(
        cost.work("egress").unwrap(),
        "50.0 TB/month × $0.09/GB = $4.50K/month"
    );
    assert_eq!(cost.total.to_string(), "$18.2K/month");
    assert!((cost.total.value_in(Per::Month) - 18_150.0).abs() < 1e-6);
}
