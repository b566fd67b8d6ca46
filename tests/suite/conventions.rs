//! Every figure reads the same in every unit, under every convention: a convention only
//! changes how a day, a month and a year turn into seconds, consistently, everywhere
//! (issue: a figure's value changed with the unit it was read in under PRIMER and NAPKIN).

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
    let e = Workload::total(per_month(10e6))
        .bytes_per_write(bytes(1271.0))
        .retention(years(3.0))
        .conventions(Conventions::PRIMER)
        .estimate()
        .unwrap();
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
    let e = Workload::total(per_month(10e6))
        .conventions(primer)
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

/// Retention given in days stays that many days under a convention with another month or
/// year; given in years it is that many of the convention's years, whichever is set first.
#[test]
fn retention_keeps_the_unit_it_was_given_in() {
    let base = || {
        Workload::total(per_second(1.0))
            .bytes_per_write(bytes(1.0))
            .conventions(Conventions::PRIMER)
    };
    let in_days = base().retention(days(1095.0)).estimate().unwrap();
    assert!(close(in_days.storage_total.bytes(), 1095.0 * 86_400.0));
    let in_years = base().retention(years(3.0)).estimate().unwrap();
    assert!(close(in_years.storage_total.bytes(), 90e6));
    let set_later = Workload::total(per_second(1.0))
        .bytes_per_write(bytes(1.0))
        .retention(years(3.0))
        .conventions(Conventions::PRIMER)
        .estimate()
        .unwrap();
    assert!(close(set_later.storage_total.bytes(), 90e6));
}

proptest! {
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
