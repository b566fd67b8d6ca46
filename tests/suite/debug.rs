//! `Debug` prints what `Display` prints, as `std::time::Duration` does, so a tuple, a `Vec` or
//! an `Option` of napkin values — what a notebook shows with `{:?}` — reads as numbers with
//! units (issue: `(Rate(34722.222222222226 req/s, shown per Second), Bandwidth(…))`).

use napkin::prelude::*;
use napkin::reference::power_of_two;

#[test]
fn a_tuple_of_estimate_figures_reads_as_displayed() {
    let e = Workload::new(users(100e6), per_user_per_day(10.0))
        .bytes_per_write(kb(1.0))
        .estimate()
        .unwrap();
    assert_eq!(
        format!("{:?}", (e.peak_writes, e.storage_per_year)),
        "(34.7K req/s, 365 TB/year)"
    );
}

#[test]
fn every_value_type_debugs_as_it_displays() {
    let texts = [
        (format!("{:?}", users(100e6)), users(100e6).to_string()),
        (format!("{:?}", items(5e9)), "5.00bn items".to_string()),
        (format!("{:?}", per_user(200.0)), "200 per user".to_string()),
        (format!("{:?}", requests(1e9)), "1.00bn req".to_string()),
        (
            format!("{:?}", per_user_per_day(10.0)),
            "10 req/user/day".to_string(),
        ),
        (format!("{:?}", kib(1.5)), "1.50 KiB".to_string()),
        (
            format!("{:?}", mbps(100.0)),
            "12.5 MB/s (100 Mbps)".to_string(),
        ),
        (format!("{:?}", seconds(31_536.0)), "8h 45m 36s".to_string()),
        (format!("{:?}", dollars(12_345.0)), "$12.3K".to_string()),
        (
            format!("{:?}", dollars_per_month(300.0)),
            "$300/month".to_string(),
        ),
        (
            format!("{:?}", power_of_two(10).unwrap()),
            "2^10 = 1,024 ≈ 1 thousand (+2.40 %)".to_string(),
        ),
    ];
    for (debug, display) in texts {
        assert_eq!(debug, display);
    }
}

#[test]
fn vecs_and_options_of_quantities() {
    let sizes = vec![kb(1.0), mb(2.5), tb(365.0)];
    assert_eq!(format!("{sizes:?}"), "[1.00 KB, 2.50 MB, 365 TB]");
    let latency: Option<Duration> = Some(milliseconds(1.5));
    assert_eq!(format!("{latency:?}"), "Some(1.50 ms)");
    let none: Option<Rate> = None;
    assert_eq!(format!("{none:?}"), "None");
    let rates = vec![Some(per_second(11_574.074)), None];
    assert_eq!(format!("{rates:?}"), "[Some(11.6K req/s), None]");
}

#[test]
fn precision_passes_through_and_pretty_printing_keeps_the_prefix_family() {
    assert_eq!(format!("{:.4?}", per_second(11_574.074)), "11.57K req/s");
    // `{:#?}` sets the alternate flag for every field; a size keeps its own prefixes.
    assert_eq!(format!("{:#?}", (kb(1.0),)), "(\n    1.00 KB,\n)");
    let server = Server::throughput(qps(5_000.0)).memory(gb(64.0));
    let debug = format!("{server:?}");
    assert!(debug.contains("requests: 5.00K req/s"), "{debug}");
    assert!(debug.contains("memory: Some(64.0 GB)"), "{debug}");
}
