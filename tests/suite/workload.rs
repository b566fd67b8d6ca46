//! Workloads as sources state them: reads and other streams as their own totals, counts of
//! items, per-user quotas, a cache sized by a stated working set, servers sized by
//! throughput alone, powers of two from 2⁰ — each flowing through the estimate, its work
//! lines, the sizing and the sweep's columns alike.

use napkin::figure::{FIGURES, Unit};
use napkin::prelude::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn reads_given_as_a_total_keep_their_calendar() {
    // 10M writes and 100M reads a month, 30-day months.
    let thirty = Conventions::THIRTY_DAY;
    let e = Workload::total(thirty.rate(10e6, Per::Month))
        .reads(thirty.rate(100e6, Per::Month))
        .estimate()
        .unwrap();
    assert!(close(e.reads.per_second(), 100e6 / 2_592_000.0));
    assert!(close(e.reads / e.writes, 10.0));
    assert!(
        e.work("reads")
            .unwrap()
            .ends_with(" ÷ 2,592,000 s/month = 38.6 req/s"),
        "{}",
        e.work("reads").unwrap()
    );
    // Reads made with the exact month in the same workload count 2,628,000 s a month, and
    // the line says what the workload's month would give.
    let mixed = Workload::total(thirty.rate(10e6, Per::Month))
        .reads(per_month(100e6))
        .estimate()
        .unwrap();
    assert!(close(mixed.reads.per_second(), 100e6 / 2_628_000.0));
    assert_eq!(
        mixed.work("reads").unwrap(),
        "100M req/month ÷ 2,628,000 s/month = 38.1 req/s \
         (the exact month; 30-day's 2,592,000 s/month gives 38.6 req/s)"
    );
}

/// A stream asked for by a name that is not there is an error that lists the streams.
#[test]
fn an_unknown_stream_lists_the_streams() {
    let e = Workload::new(users(200e6), per_user_per_day(2.0))
        .stream("search", per_month(10e9))
        .stream("fanout", per_write(10.0))
        .estimate()
        .unwrap();
    assert_eq!(
        e.stream("serach").unwrap_err().to_string(),
        "no stream named \"serach\"; there are: \"search\", \"fanout\""
    );
    assert_eq!(e.stream("fanout").unwrap().name, "fanout");
    let none = Workload::total(qps(1.0)).estimate().unwrap();
    assert_eq!(
        none.stream("search").unwrap_err().to_string(),
        "no stream named \"search\"; there are: none (add one with Workload::stream)"
    );
}

#[test]
fn streams_flow_into_requests_peak_egress_servers_and_the_sweep() {
    let base = Workload::new(users(200e6), per_user_per_day(2.0))
        .reads(per_user_per_day(100.0))
        .stream_sized("search", per_month(10e9), kb(2.0))
        .stream("fanout", per_write(10.0))
        .bytes_per_write(kb(1.0));
    let e = base.estimate().unwrap();
    let search = e.stream("search").unwrap();
    let fanout = e.stream("fanout").unwrap();
    assert!(close(search.rate.per_second(), 10e9 / 2_628_000.0));
    assert!(close(
        fanout.rate.per_second(),
        10.0 * e.writes.per_second()
    ));
    let sum = e.writes.per_second()
        + e.reads.per_second()
        + search.rate.per_second()
        + fanout.rate.per_second();
    assert!(close(e.requests.per_second(), sum));
    assert!(close(e.peak_requests.per_second(), 3.0 * sum));
    assert!(close(
        e.egress.bytes_per_second(),
        e.reads.per_second() * 1e3 + search.rate.per_second() * 2e3
    ));
    let requests = e.work("requests").unwrap();
    assert_eq!(requests.matches(" + ").count(), 3, "{requests}");
    assert!(
        e.work("fanout").unwrap().contains(" × 10 per write = "),
        "{}",
        e.work("fanout").unwrap()
    );
    let sizing = e.servers(&Server::throughput(qps(50_000.0))).unwrap();
    assert_eq!(
        sizing.by_throughput as f64,
        (3.0 * sum / (50_000.0 * 0.7)).ceil()
    );

    // A sweep over users: the per-user streams scale, the total stays, each gets a column.
    let frame = Sweep::new(base)
        .vary(Param::Users, [1e6, 200e6])
        .run()
        .unwrap();
    let get = |name: &str, row: usize| frame.column(name).unwrap().f64().unwrap().get(row).unwrap();
    assert!(close(get("search [req/s]", 0), get("search [req/s]", 1)));
    assert!(close(get("fanout [req/s]", 1), fanout.rate.per_second()));
    assert!(close(get("requests [req/s]", 1), e.requests.per_second()));
    assert!(close(
        get("reads [req/s]", 1) / get("reads [req/s]", 0),
        200.0
    ));
    assert!(close(get("egress [B/s]", 1), e.egress.bytes_per_second()));
}

#[test]
fn stream_mistakes_are_named() {
    let mut w = Workload::total(per_day(1e6));
    for name in ["a", "b", "c", "d", "e"] {
        w = w.stream(name, per_write(1.0));
    }
    assert_eq!(
        w.estimate().unwrap_err().to_string(),
        "cannot add the stream \"e\": a workload takes at most 4 named streams besides its writes and reads"
    );
    // Naming a stream again replaces it.
    let w = Workload::total(per_day(1e6))
        .stream("a", per_write(1.0))
        .stream("a", per_write(2.0));
    assert_eq!(w.streams().count(), 1);
    let err = Workload::total(per_day(1e6))
        .reads(per_user_per_day(5.0))
        .estimate()
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the reads are given per user, but the workload has no users"),
        "{err}"
    );
}

#[test]
fn the_cache_says_which_rule_made_it() {
    // Uber-like location stream: 30-day retention, no reads of old data.
    let drivers = Workload::total(per_second(1e6 / 4.0))
        .bytes_per_write(bytes(100.0))
        .retention(days(30.0));
    let by_items = drivers.estimate().unwrap();
    assert!(
        by_items
            .work("cache")
            .unwrap()
            .starts_with("80/20 rule on stored data")
    );
    assert_eq!(by_items.cache, by_items.cache_by_items);

    let last = drivers.cache_window(minutes(30.0)).estimate().unwrap();
    assert!(close(last.cache.bytes(), 250e3 * 100.0 * 1800.0));
    assert_eq!(
        last.work("cache").unwrap(),
        "last 30m 0s of writes: 25.0 MB/s (200 Mbps) × 1,800 s = 45.0 GB"
    );

    let hot = drivers
        .working_set(items(1e6) * bytes(100.0))
        .estimate()
        .unwrap();
    assert_eq!(hot.cache.to_string(), "100 MB");
    assert_eq!(hot.work("cache").unwrap(), "working set given = 100 MB");
    let sizing = hot
        .servers(&Server::throughput(qps(10_000.0)).memory(gb(64.0)))
        .unwrap();
    assert_eq!(sizing.by_memory, Some(1));
    assert_eq!(sizing.by_storage, None);
    assert!(
        sizing.to_string().contains("100 MB cache ÷ (64.0 GB"),
        "{sizing}"
    );
    assert!(!sizing.to_string().contains("by_storage"), "{sizing}");

    let frame = Sweep::new(drivers.cache_window(minutes(30.0)))
        .vary(Param::Writes, [250e3, 500e3])
        .run()
        .unwrap();
    let cache = frame.column("cache [B]").unwrap().f64().unwrap();
    assert!(close(cache.get(1).unwrap(), 2.0 * cache.get(0).unwrap()));
}

#[test]
fn items_and_per_user_quotas() {
    assert_eq!((users(50e6) * gb(10.0)).to_string(), "500 PB");
    let photos = users(500e6) * per_user(200.0);
    assert_eq!(photos.to_string(), "100bn items");
    assert_eq!((photos * kb(200.0)).to_string(), "20.0 PB");
    assert_eq!("2bn records".parse::<Items>().unwrap().count(), 2e9);
}

#[test]
fn powers_of_two_from_one() {
    assert_eq!(napkin::reference::POWERS_OF_TWO[0].to_string(), "2^0 = 1");
    assert_eq!(
        power_of_two(42).unwrap().to_string(),
        "2^42 = 4,398,046,511,104 ≈ 4 trillion (+9.95 %)"
    );
    assert_eq!(napkin::format::count(4096.0), "4,096");
}

#[test]
fn every_figure_has_a_work_line_and_a_column() {
    let e = Workload::new(users(1e6), per_user_per_day(10.0))
        .reads_per_write(5.0)
        .bytes_per_write(kb(1.0))
        .estimate()
        .unwrap();
    let frame = Sweep::new(e.workload).run().unwrap();
    for figure in FIGURES {
        assert!(
            e.work(figure.name).is_some(),
            "no work line for {}",
            figure.name
        );
        let column = frame.column(figure.column).unwrap();
        assert_eq!(Unit::of_column(column.name()), figure.unit);
    }
}

/// An estimate shows only the figures its workload defines, and no work line multiplies or
/// divides by one (issue: `÷ 1 s/s`, `(1 − 0 %)`, ~15 lines of zeros). Snapshots of what a
/// learner sees: writes alone, writes with a size, and a full workload with reads, a stream,
/// sizes and a server with no headroom.
#[test]
fn estimates_show_what_is_defined_without_identity_steps() {
    let bare = Workload::new(users(10e6), per_user_per_second(1.0 / 30.0))
        .peak_factor(1.0)
        .estimate()
        .unwrap();
    assert_eq!(
        bare.work("writes").unwrap(),
        "10.0M users × 0.0333 req/user/s = 333K req/s"
    );
    assert!(!bare.defines("reads") && !bare.defines("storage_total"));
    // Hidden figures still have their work and their value.
    assert_eq!(
        bare.work("reads").unwrap(),
        "333K req/s × 0 reads per write = 0 req/s"
    );
    insta::assert_snapshot!("estimate_writes_alone", bare.to_string());

    let sized = Workload::total(qps(100.0))
        .bytes_per_write(kb(1.0))
        .estimate()
        .unwrap();
    assert_eq!(sized.work("writes").unwrap(), "given = 100 req/s");
    insta::assert_snapshot!("estimate_writes_with_a_size", sized.to_string());

    let full = Workload::new(users(200e6), per_user_per_day(2.0))
        .reads(per_user_per_day(100.0))
        .stream_sized("search", per_second(5_000.0), kb(2.0))
        .bytes_per_write(bytes(300.0))
        .estimate()
        .unwrap();
    assert!(full.shown_steps().count() == full.steps.len());
    let sizing = full
        .servers(&Server::new(qps(10_000.0), gb(64.0), tb(10.0)).headroom(0.0))
        .unwrap();
    let text = format!("{full}\n{sizing}");
    assert!(
        !text.contains("(1 − 0 %") && !text.contains("÷ 1 s/s"),
        "{text}"
    );
    insta::assert_snapshot!("estimate_full_and_servers_without_headroom", text);
}
