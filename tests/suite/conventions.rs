//! Every figure reads the same in every unit, under every convention: a convention only
//! changes how a day, a month and a year turn into seconds, consistently, everywhere
//! (issue: a figure's value changed with the unit it was read in under PRIMER and NAPKIN).
//! And every input keeps its true amount: a rate made in one calendar counts the same in any
//! workload, stream, sweep or live view, whatever unit it is shown in (issue: a primer rate
//! gave 3.81 req/s as made and 4 req/s shown per second).

use napkin::prelude::*;
use proptest::prelude::*;

const ALL: [Conventions; 4] = [
    Conventions::EXACT,
    Conventions::NAPKIN,
    Conventions::PRIMER,
    Conventions::THIRTY_DAY,
];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12
}

/// The issue's own example: the primer's 10M writes a month of 1,271 B, kept 3 years.
#[test]
fn a_primer_figure_reads_the_same_in_any_unit() {
    let primer = Conventions::PRIMER;
    let e = Workload::total(primer.rate(10e6, Per::Month))
        .bytes_per_write(bytes(1271.0))
        .retention(primer.years(3.0))
        .estimate()
        .unwrap();
    assert_eq!(e.workload.conventions, primer);
    let per_second = e.storage_per_month.shown_per(Per::Second);
    assert!(close(
        per_second.bytes_per_second(),
        e.ingress.bytes_per_second()
    ));
    assert_eq!(per_second.to_string(), e.ingress.to_string()); // 5.08 KB/s
    assert_eq!(
        e.storage_per_month.shown_per(Per::Day).to_string(),
        e.storage_per_day.to_string()
    );
    assert_eq!(e.storage_per_day.to_string(), "439 MB/day");
    // Three of the convention's years hold the total the chain computed (458 GB).
    let held = e.storage_per_day * Conventions::PRIMER.years(3.0);
    assert!(close(held.bytes(), e.storage_total.bytes()));
    assert_eq!(e.storage_total.to_string(), "458 GB");
}

/// Durations and rates made with a convention: the primer's 36 months of 10M writes are
/// 360M writes, as the source (and the chain) say.
#[test]
fn conventions_make_durations_and_rates() {
    let primer = Conventions::PRIMER;
    let e = Workload::total(primer.rate(10e6, Per::Month))
        .estimate()
        .unwrap();
    let written = e.writes * primer.months(36.0);
    assert_eq!(written.to_string(), "360M req");
    assert_eq!(primer.rate(10e6, Per::Month).per_second(), 4.0);
    // 700K requests over three napkin days (10⁵ s each) are 2.33 req/s, not 2.70.
    let rate = requests(700e3) / Conventions::NAPKIN.days(3.0);
    assert!(close(rate.per_second(), 700e3 / 3e5), "{rate:?}");
    // A 30-day month.
    assert_eq!(
        Conventions::THIRTY_DAY.months(1.0).seconds(),
        30.0 * 86_400.0
    );
}

/// A retention keeps its true length under any conventions, set before or after it: 1,095
/// days are 1,095 days, three 365-day years are 94,608,000 s (3.15 of the primer's years),
/// three of the primer's years 90,000,000 s.
#[test]
fn retention_keeps_its_true_length() {
    let primer = Conventions::PRIMER;
    let base = || {
        Workload::total(per_second(1.0))
            .bytes_per_write(bytes(1.0))
            .conventions(primer)
    };
    let in_days = base().retention(days(1095.0)).estimate().unwrap();
    assert!(close(in_days.storage_total.bytes(), 1095.0 * 86_400.0));
    let in_years = base().retention(years(3.0)).estimate().unwrap();
    assert!(close(in_years.storage_total.bytes(), 3.0 * 31_536_000.0));
    assert!(close(in_years.workload.retention_years, 3.1536));
    let in_primer_years = base().retention(primer.years(3.0)).estimate().unwrap();
    assert!(close(in_primer_years.storage_total.bytes(), 90e6));
    for (period, seconds) in [(primer.years(3.0), 90e6), (years(3.0), 94.608e6)] {
        let set_later = Workload::total(per_second(1.0))
            .bytes_per_write(bytes(1.0))
            .retention(period)
            .conventions(primer)
            .estimate()
            .unwrap();
        assert!(close(set_later.storage_total.bytes(), seconds));
    }
}

proptest! {
    #![proptest_config(crate::props::config())]

    /// For every convention and every storage figure, reading it per second, minute, hour,
    /// day, week, month or year gives the same bytes per second; the yearly figure times the
    /// retention in the convention's years is the total; nothing is NaN or infinite.
    #[test]
    fn figures_agree_in_every_unit(
        convention in 0usize..4,
        users in 1.0f64..1e10,
        actions in 0.01f64..1e4,
        size in 1.0f64..1e7,
        reads in 0.0f64..1e3,
        retention in 0.1f64..20.0,
    ) {
        let c = ALL[convention];
        let e = Workload::new(napkin::prelude::users(users), per_user_per_day(actions))
            .bytes_per_write(bytes(size))
            .reads_per_write(reads)
            .retention(c.years(retention))
            .conventions(c)
            .estimate()
            .unwrap();
        let stored = e.storage_per_day.bytes_per_second();
        for figure in [e.storage_per_day, e.storage_per_month, e.storage_per_year] {
            prop_assert!(figure.is_finite());
            for per in Per::ALL {
                let read = figure.shown_per(per);
                prop_assert!(close(read.bytes_per_second(), stored));
                prop_assert!(close(read.value_in(per), stored * c.seconds(per)));
            }
        }
        prop_assert!(close(stored, e.ingress.bytes_per_second()));
        let total = e.storage_per_year * c.years(retention);
        prop_assert!(close(total.bytes(), e.storage_total.bytes()));
        for rate in [e.writes, e.reads, e.peak_writes, e.peak_reads] {
            prop_assert!(rate.is_finite());
            prop_assert!(!rate.to_string().contains("NaN") && !rate.to_string().contains("inf"));
        }
    }
}

/// A week is a time base like the others, and durations read a count suffix: the primer's
/// month is written `2.5M s`.
#[test]
fn weeks_and_count_suffixed_durations() {
    assert!(close(per_week(7.0).per_second(), 7.0 / (7.0 * 86_400.0)));
    assert_eq!(per_week(7.0).to_string(), "7 req/week");
    assert!(close(
        (users(10.0) * per_user_per_week(7.0)).per_second(),
        70.0 / 604_800.0
    ));
    let month: Duration = "2.5M s".parse().unwrap();
    assert_eq!(month.seconds(), 2.5e6);
    let long: Duration = "1.5K years".parse().unwrap();
    assert!(close(long.seconds(), 1500.0 * 31_536_000.0));
    assert_eq!(
        "8h 45m 36s".parse::<Duration>().unwrap().seconds(),
        31_536.0
    );
    assert!("2.5M".parse::<Duration>().is_err());
}

/// The rate `n` per `per` of `c`, made by constructor number `how`: `Conventions::rate`,
/// `Rate::per_in`, requests over one `per` of `c`, users × a per-user rate, or (for the exact
/// calendar) the plain constructor of that time base.
fn made(how: usize, n: f64, per: Per, c: Conventions) -> Rate {
    match how {
        0 => c.rate(n, per),
        1 => Rate::per_in(n, per, &c),
        2 => requests(n) / Duration::of_in(1.0, per, &c),
        3 => users(n / 4.0) * c.per_user(4.0, per),
        _ if c == Conventions::EXACT => match per {
            Per::Second => per_second(n),
            Per::Minute => per_minute(n),
            Per::Hour => per_hour(n),
            Per::Day => per_day(n),
            Per::Week => per_week(n),
            Per::Month => per_month(n),
            Per::Year => per_year(n),
        },
        _ => c.rate(n, per),
    }
}

/// The per-user rate `n` per `per` of `c`, by constructor number `how`.
fn made_per_user(how: usize, n: f64, per: Per, c: Conventions) -> UserRate {
    match (how % 3, per) {
        (0, _) => c.per_user(n, per),
        (1, _) => UserRate::per_in(n, per, &c),
        (_, Per::Second) if c == Conventions::EXACT => per_user_per_second(n),
        (_, Per::Day) if c == Conventions::EXACT => per_user_per_day(n),
        (_, Per::Week) if c == Conventions::EXACT => per_user_per_week(n),
        (_, Per::Month) if c == Conventions::EXACT => per_user_per_month(n),
        _ => c.per_user(n, per),
    }
}

proptest! {
    #![proptest_config(crate::props::config())]

    /// For every calendar and constructor, a rate used as a workload's writes, reads or
    /// stream, in any workload's conventions, counts its true amount: the same per second as
    /// the rate itself and as the same rate shown per second (or in any other unit), in the
    /// estimate and in a sweep.
    #[test]
    fn a_rate_counts_its_true_amount_wherever_it_is_used(
        made_in in 0usize..4,
        results in 0usize..5,
        per in 0usize..7,
        shown in 0usize..7,
        how in 0usize..5,
        n in 1e-3f64..1e12,
        people in 1.0f64..1e9,
    ) {
        let (c, per, shown) = (ALL[made_in], Per::ALL[per], Per::ALL[shown]);
        let conventions = |w: Workload| match ALL.get(results) {
            Some(r) => w.conventions(*r),
            None => w,
        };
        let rate = made(how, n, per, c);
        let truth = rate.per_second();
        prop_assert!(close(truth, n / c.seconds(per)), "{rate}: {truth}");
        for r in [rate, rate.shown_per(Per::Second), rate.shown_per(shown)] {
            prop_assert!(close(r.per_second(), truth));
            let e = conventions(Workload::total(r).stream("search", r).reads(r))
                .estimate()
                .unwrap();
            prop_assert!(close(e.writes.per_second(), truth), "{}", e.work("writes").unwrap());
            prop_assert!(close(e.reads.per_second(), truth), "{}", e.work("reads").unwrap());
            prop_assert!(close(e.stream("search").unwrap().rate.per_second(), truth));
            let frame = Sweep::new(e.workload).run().unwrap();
            let column = |name: &str| frame.column(name).unwrap().f64().unwrap().get(0).unwrap();
            prop_assert!(close(column("writes [req/s]"), truth));
            prop_assert!(close(column("reads [req/s]"), truth));
            prop_assert!(close(column("search [req/s]"), truth));
        }
        let each = made_per_user(how, n, per, c);
        let truth = each.per_second() * people;
        prop_assert!(close(each.per_second(), n / c.seconds(per)));
        for u in [each, each.shown_per(Per::Second), each.shown_per(shown)] {
            let e = conventions(Workload::new(users(people), u).reads(u).stream("search", u))
                .estimate()
                .unwrap();
            prop_assert!(close(e.writes.per_second(), truth), "{}", e.work("writes").unwrap());
            prop_assert!(close(e.reads.per_second(), truth));
            prop_assert!(close(e.stream("search").unwrap().rate.per_second(), truth));
            let frame = Sweep::new(e.workload).vary(Param::Users, [people]).run().unwrap();
            let column = |name: &str| frame.column(name).unwrap().f64().unwrap().get(0).unwrap();
            prop_assert!(close(column("writes [req/s]"), truth));
            prop_assert!(close(column("reads [req/s]"), truth));
        }
    }
}

/// A live view over a workload made in the primer's calendar shows the primer's 4 req/s, and
/// a slider over its writes moves them in the primer's month.
#[test]
fn a_live_view_counts_the_true_amount() {
    use napkin::display::Rich;
    let primer = Conventions::PRIMER;
    for writes in [
        primer.rate(10e6, Per::Month),
        primer.rate(10e6, Per::Month).shown_per(Per::Second),
    ] {
        let w = Workload::total(writes).bytes_per_write(kb(1.0));
        let html = explore(&w)
            .vary(Param::Writes, 1.0..=1e8)
            .mime_bundle()
            .into_iter()
            .find(|(mime, _)| *mime == "text/html")
            .map(|(_, html)| html)
            .unwrap();
        assert!(html.contains("= 4 req/s"), "{html}");
    }
}
