//! Ranges through the chain: a workload with guessed inputs gives, for every figure, the value
//! of the same workload at the likely inputs, at every input's low and at every input's high;
//! work lines, the card, sweeps, charts and costs carry the bounds.

use napkin::prelude::*;

fn day1(dau: impl napkin::guess::Given<Users>) -> Workload {
    Workload::new(dau, per_user_per_day(10.0))
        .reads_per_write(10.0)
        .bytes_per_write(kb(1.0))
}

#[test]
fn the_day1_chain_with_a_guessed_dau() {
    let dau = between(users(80e6), users(128e6)).likely(users(100e6));
    let e = day1(dau).estimate().unwrap();
    assert!(e.is_ranged());
    assert_eq!(e.writes.to_string(), "11.6K req/s");
    assert_eq!(
        e.range(|e| e.writes).to_string(),
        "11.6K req/s (9.26K–14.8K)"
    );
    assert_eq!(
        e.work("writes").unwrap(),
        "100M users (80.0M–128M) × 10 req/user/day ÷ 86,400 s/day = 11.6K req/s (9.26K–14.8K)"
    );
    assert_eq!(
        e.work("peak_writes").unwrap(),
        "11.6K req/s × 3 (peak factor) = 34.7K req/s (27.8K–44.4K)"
    );
    assert_eq!(
        e.work("storage_per_day").unwrap(),
        "11.6K req/s × 1.00 KB × 86,400 s/day = 1.00 TB/day (800 GB/day–1.28 TB/day)"
    );
    // The text and the card say what the bounds mean.
    let text = e.to_string();
    assert!(text.contains(napkin::estimate::RANGE_NOTE), "{text}");
    let html = e.table().to_html();
    assert!(html.contains("(9.26K–14.8K)"), "{html}");
}

/// For every parameter given as a range, alone or together: the estimate's likely figures are
/// the plain workload's at the likely values, its low and high the plain workload's at the
/// lows and at the highs.
#[test]
fn bounds_are_the_chain_at_every_inputs_low_and_high() {
    type Build = fn(Workload, f64) -> Workload;
    let params: [(Build, f64, f64, f64); 7] = [
        (|w, v| w.reads_per_write(v), 2.0, 10.0, 30.0),
        (|w, v| w.bytes_per_write(kb(v)), 0.5, 1.0, 4.0),
        (|w, v| w.bytes_per_read(kb(v)), 1.0, 2.0, 8.0),
        (|w, v| w.peak_factor(v), 2.0, 3.0, 5.0),
        (|w, v| w.replication(v), 1.0, 3.0, 5.0),
        (|w, v| w.retention(years(v)), 1.0, 5.0, 10.0),
        (|w, v| w.cache_fraction(v), 0.1, 0.2, 0.5),
    ];
    type Ranged = fn(Workload, (f64, f64, f64)) -> Workload;
    let ranged: [Ranged; 7] = [
        |w, (l, m, h)| w.reads_per_write(between(l, h).likely(m)),
        |w, (l, m, h)| w.bytes_per_write(between(kb(l), kb(h)).likely(kb(m))),
        |w, (l, m, h)| w.bytes_per_read(between(kb(l), kb(h)).likely(kb(m))),
        |w, (l, m, h)| w.peak_factor(between(l, h).likely(m)),
        |w, (l, m, h)| w.replication(between(l, h).likely(m)),
        |w, (l, m, h)| w.retention(between(years(l), years(h)).likely(years(m))),
        |w, (l, m, h)| w.cache_fraction(between(l, h).likely(m)),
    ];
    let figures = |e: &Estimate| {
        [
            e.writes.per_second(),
            e.reads.per_second(),
            e.peak_requests.per_second(),
            e.storage_per_day.bytes_per_second(),
            e.storage_total.bytes(),
            e.egress.bytes_per_second(),
            e.peak_egress.bytes_per_second(),
            e.cache.bytes(),
            e.cache_by_items.bytes(),
        ]
    };
    // Each subset of the parameters (by bit mask) ranged at once, users ranged or not.
    for mask in 0u32..(1 << params.len()) {
        for users_ranged in [false, true] {
            let dau = |v: f64| users(v);
            let (ul, um, uh) = (5e6, 10e6, 40e6);
            let base = |u: f64| Workload::new(dau(u), per_user_per_day(10.0));
            let mut plain = [base(ul), base(um), base(uh)];
            if !users_ranged {
                plain = [base(um); 3];
            }
            let mut guessed = if users_ranged {
                Workload::new(
                    between(users(ul), users(uh)).likely(users(um)),
                    per_user_per_day(10.0),
                )
            } else {
                base(um)
            };
            for (i, (set, l, m, h)) in params.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    guessed = ranged[i](guessed, (*l, *m, *h));
                    plain = [set(plain[0], *l), set(plain[1], *m), set(plain[2], *h)];
                } else {
                    plain = plain.map(|w| set(w, *m));
                    guessed = set(guessed, *m);
                }
            }
            let e = guessed.estimate().unwrap();
            let [low, likely, high] = plain.map(|w| w.estimate().unwrap());
            let close = |a: [f64; 9], b: [f64; 9], what: &str| {
                for (k, (a, b)) in a.iter().zip(b).enumerate() {
                    assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "mask {mask:#b}, users {users_ranged}: {what} figure {k}: {a} vs {b}"
                    );
                }
            };
            close(figures(&e), figures(&likely), "likely");
            close(figures(e.low()), figures(&low), "low");
            close(figures(e.high()), figures(&high), "high");
            assert_eq!(e.is_ranged(), mask != 0 || users_ranged);
        }
    }
}

#[test]
fn a_bound_out_of_range_names_its_parameter() {
    let err = day1(users(1e6))
        .peak_factor(between(0.5, 3.0))
        .estimate()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid peak_factor = 0.500000: expected a finite number ≥ 1 (the peak is at least the average)"
    );
    let err = day1(users(1e6))
        .cache_fraction(between(0.1, 2.0))
        .estimate()
        .unwrap_err();
    assert!(
        err.to_string().starts_with("invalid cache_fraction = 2"),
        "{err}"
    );
}

#[test]
fn a_ranged_sweep_has_low_and_high_columns_equal_to_the_estimates() {
    let base = day1(users(1e6)).peak_factor(between(2.0, 5.0).likely(3.0));
    let frame = Sweep::new(base)
        .vary(Param::Users, [1e4, 1e6, 1e8])
        .outputs(&[Output::PeakRequests, Output::StoragePerYear], true)
        .cost(
            &Pricing::new()
                .storage_per_gb_month(0.023)
                .egress_per_gb(0.09),
        )
        .run()
        .unwrap();
    let names = frame
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>();
    assert_eq!(
        names,
        [
            "users",
            "peak_requests [req/s]",
            "peak_requests_low [req/s]",
            "peak_requests_high [req/s]",
            "storage_per_year [B]",
            "storage_per_year_low [B]",
            "storage_per_year_high [B]",
            "cost_per_month [$/month]",
            "cost_per_month_low [$/month]",
            "cost_per_month_high [$/month]",
            "stage",
        ]
    );
    let col = |name: &str| -> Vec<f64> {
        frame
            .column(name)
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    let pricing = Pricing::new()
        .storage_per_gb_month(0.023)
        .egress_per_gb(0.09);
    for (row, u) in [1e4, 1e6, 1e8].into_iter().enumerate() {
        let e = day1(users(u))
            .peak_factor(between(2.0, 5.0).likely(3.0))
            .estimate()
            .unwrap();
        let peak = e.range(|e| e.peak_requests);
        assert!((col("peak_requests_low [req/s]")[row] - peak.low.per_second()).abs() < 1e-6);
        assert!((col("peak_requests [req/s]")[row] - peak.likely.per_second()).abs() < 1e-6);
        assert!((col("peak_requests_high [req/s]")[row] - peak.high.per_second()).abs() < 1e-6);
        let cost = e.cost(&pricing).unwrap().total_range();
        for (name, spend) in [
            ("cost_per_month_low [$/month]", cost.low),
            ("cost_per_month [$/month]", cost.likely),
            ("cost_per_month_high [$/month]", cost.high),
        ] {
            let want = spend.value_in(Per::Month);
            assert!(
                (col(name)[row] - want).abs() <= 1e-9 * want,
                "{name} row {row}"
            );
        }
    }
}

#[test]
fn charts_draw_a_range_as_a_band() {
    let plain = Chart::journey(&day1(users(1e6))).unwrap().to_svg().unwrap();
    let ranged = Chart::journey(&day1(users(1e6)).reads_per_write(between(5.0, 50.0)))
        .unwrap()
        .to_svg()
        .unwrap();
    let polygons = |svg: &str| svg.matches("<polygon").count();
    // One band on each panel (peak requests, storage per year: writes are not ranged, so
    // the storage band is a line's width — it is still drawn).
    assert_eq!(polygons(&ranged), polygons(&plain) + 2);

    let frame = Sweep::new(day1(users(1e6)).peak_factor(between(2.0, 5.0)))
        .vary(Param::Users, [1e4, 1e6, 1e8])
        .outputs(&[Output::PeakRequests], false)
        .run()
        .unwrap();
    let svg = Chart::lines(&frame, "users", &["peak_requests [req/s]"], true, true)
        .unwrap()
        .to_svg()
        .unwrap();
    assert_eq!(polygons(&svg), 1, "one band for the one ranged line");
    // A column named without its unit draws the same chart, labelled with the unit.
    let short = Chart::lines(&frame, "users", &["peak_requests"], true, true)
        .unwrap()
        .to_svg()
        .unwrap();
    assert_eq!(short, svg);
}

#[test]
fn a_ranged_cost_gives_each_item_its_range() {
    let e = day1(between(users(50e6), users(80e6)))
        .replication(3.0)
        .estimate()
        .unwrap();
    let cost = e
        .cost(&Pricing::aws_2024().server(Server::throughput(qps(10_000.0))))
        .unwrap();
    let total = cost.total_range();
    assert!(total.is_range());
    assert!(total.low < total.likely && total.likely < total.high);
    assert_eq!(
        cost.work("total").unwrap().rsplit_once(" = ").unwrap().1,
        total.to_string()
    );
    let egress = cost.work("egress").unwrap();
    assert!(egress.ends_with(')') && egress.contains('–'), "{egress}");
    // The bounds are the costs of the estimates at the bounds.
    let low = e
        .low()
        .cost(&Pricing::aws_2024().server(Server::throughput(qps(10_000.0))));
    assert_eq!(low.unwrap().total, total.low);
}

#[test]
fn learner_arithmetic_with_guesses() {
    // A guessed share of a guessed audience.
    let dau = between(users(50e6), users(80e6)) * between(0.1, 0.2);
    assert_eq!(dau.low.count(), 5e6);
    assert_eq!(dau.high.count(), 16e6);
    // Sizes × counts, and a rate over a guessed window.
    let stored = between(items(1e6), items(2e6)) * kb(100.0);
    assert_eq!(stored.to_string(), "141 GB (100–200)");
    let rate = requests(7e5) / between(days(1.0), days(3.0));
    assert_eq!(rate.low.shown_per(Per::Day).to_string(), "233K req/day");
    assert_eq!(rate.high.shown_per(Per::Day).to_string(), "700K req/day");
    // Mapping through a unit change keeps the bounds in order.
    let minutes = between(seconds(60.0), seconds(600.0)).shown_in(Per::Minute);
    assert_eq!(minutes.low.to_string(), "1 min");
    // A plain amount plus or minus a range, either way round.
    let total = kb(1.0) + between(kb(1.0), kb(3.0));
    assert_eq!((total.low.bytes(), total.high.bytes()), (2e3, 4e3));
    let left = gb(10.0) - between(gb(1.0), gb(4.0));
    assert_eq!(
        (left.low.bytes(), left.likely.bytes(), left.high.bytes()),
        (6e9, 8e9, 9e9)
    ); // the likely size is 2 GB, the geometric mean
    let right = between(gb(1.0), gb(4.0)) - gb(0.5);
    assert_eq!((right.low.bytes(), right.high.bytes()), (0.5e9, 3.5e9));
}
