//! Property tests for the formatter and parser: what napkin prints, it reads
//! back to the shown precision; rounding is monotonic; nothing panics.

use napkin::prelude::*;
use proptest::prelude::*;

/// Finite values over the whole range estimates use, both signs.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-15.0f64..21.0).prop_map(|e| 10f64.powf(e)),
        (-15.0f64..21.0).prop_map(|e| -(10f64.powf(e))),
        Just(0.0),
        Just(999.95),
        Just(999_950.0),
        Just(-999.95),
    ]
}

/// Parsing the text of `x` gives back a value that prints the same, within
/// `tolerance` of `x`.
fn round_trips<T: std::fmt::Display + std::str::FromStr>(
    x: f64,
    make: impl Fn(f64) -> T,
    read: impl Fn(&T) -> f64,
    tolerance: f64,
) -> Result<(), TestCaseError>
where
    T::Err: std::fmt::Debug,
{
    let shown = make(x).to_string();
    let back: T = shown
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{shown:?} did not parse: {e:?}")))?;
    // Shown again, the value read back reads back as itself. (Not always the same text: "3.00"
    // read back is exactly 3, which prints "3".)
    let again: T = back
        .to_string()
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{back} did not parse: {e:?}")))?;
    prop_assert_eq!(
        read(&again),
        read(&back),
        "{} → {} → {}",
        shown,
        back,
        again
    );
    let error = (read(&back) - x).abs();
    prop_assert!(
        error <= tolerance * x.abs() + f64::MIN_POSITIVE,
        "{} read back as {} from {:?}",
        x,
        read(&back),
        shown
    );
    Ok(())
}

/// `make` for any sign: a negative quantity is a difference, `-make(-x)`, since constructors
/// take only amounts ≥ 0.
fn signed<T: std::ops::Neg<Output = T>>(make: impl Fn(f64) -> T) -> impl Fn(f64) -> T {
    move |x| if x < 0.0 { -make(-x) } else { make(x) }
}

proptest! {
    #[test]
    fn rates_round_trip(x in value()) {
        round_trips(x, signed(per_second), |r: &Rate| r.per_second(), 0.005)?;
        round_trips(x, signed(per_day), |r: &Rate| r.value_in(Per::Day), 0.005)?;
    }

    #[test]
    fn bytes_round_trip(x in value()) {
        round_trips(x, signed(bytes), |b: &Bytes| b.bytes(), 0.005)?;
        // "512 B" does not say which prefix family it came from: read it back as binary.
        let shown = signed(bytes)(x).binary().to_string();
        let back = shown.parse::<Bytes>().unwrap().binary();
        let again = back.to_string().parse::<Bytes>().unwrap().binary();
        prop_assert_eq!(again.bytes(), back.bytes());
        prop_assert!((back.bytes() - x).abs() <= 0.005 * x.abs());
    }

    #[test]
    fn counts_round_trip(x in value()) {
        round_trips(x, signed(users), |u: &Users| u.count(), 0.005)?;
        round_trips(x, signed(requests), |r: &Requests| r.count(), 0.005)?;
        round_trips(x, signed(dollars), |m: &Money| m.dollars(), 0.005)?;
        round_trips(x, signed(per_user_per_day), |r: &UserRate| r.value_in(Per::Day), 0.005)?;
    }

    #[test]
    fn bandwidth_round_trips(x in value()) {
        round_trips(x, signed(bytes_per_second), |b: &Bandwidth| b.bytes_per_second(), 0.005)?;
    }

    #[test]
    fn durations_round_trip(x in value()) {
        // The ladder rounds to its last unit: 1m 0s is within 0.5 s of 60.4 s.
        round_trips(x, signed(seconds), |d: &Duration| d.seconds(), 0.01)?;
    }

    #[test]
    fn rounding_is_monotonic(a in value(), b in value()) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let read = |x: f64| signed(per_second)(x).to_string().parse::<Rate>().unwrap().per_second();
        prop_assert!(read(lo) <= read(hi), "{} → {}, {} → {}", lo, read(lo), hi, read(hi));
        let read = |x: f64| signed(bytes)(x).to_string().parse::<Bytes>().unwrap().bytes();
        prop_assert!(read(lo) <= read(hi));
    }

    #[test]
    fn nothing_panics_on_any_f64(bits in any::<u64>()) {
        // Any f64 reaches a quantity through arithmetic (`× x`), NaN and infinities included.
        let x = f64::from_bits(bits);
        for text in [
            (per_second(1.0) * x).to_string(),
            (bytes(1.0) * x).to_string(),
            (kib(1.0) * x).to_string(),
            (seconds(1.0) * x).to_string(),
            (users(1.0) * x).to_string(),
            (bytes_per_second(1.0) * x).to_string(),
            (dollars(1.0) * x).to_string(),
            napkin::format::grouped(x),
            napkin::format::percent(x),
        ] {
            prop_assert!(!text.is_empty());
            // Reading any of it back is an answer or an error, never a panic.
            let _ = text.parse::<Rate>();
            let _ = text.parse::<Bytes>();
            let _ = text.parse::<Duration>();
        }
    }
}

/// A constructor given NaN, an infinity or a negative amount stops at the caller's line and
/// names itself and the value; a difference of two quantities may be negative.
#[test]
fn constructors_refuse_what_is_not_an_amount() {
    let message = |f: fn()| {
        let payload = std::panic::catch_unwind(f).unwrap_err();
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        message(|| {
            let _ = users(f64::NAN);
        }),
        "users(NaN): NaN is not a number (often 0.0 / 0.0, or a value that failed to parse)"
    );
    assert_eq!(
        message(|| {
            let _ = kb(-1.0);
        }),
        "kb(-1): a negative amount is only a difference: write `a - b` of two quantities"
    );
    assert!(
        message(|| {
            let _ = per_day(f64::INFINITY);
        })
        .starts_with("per_day(inf): ")
    );
    assert!(
        message(|| {
            let _ = Conventions::PRIMER.months(-3.0);
        })
        .starts_with("months(-3): ")
    );
    assert_eq!((users(5.0) - users(10.0)).to_string(), "-5 users");
    assert_eq!("-5 users".parse::<Users>().unwrap().count(), -5.0);
}

#[test]
fn parse_errors_say_what_was_expected() {
    let err = "ten req/s".parse::<Rate>().unwrap_err().to_string();
    assert_eq!(
        err,
        "cannot read \"ten req/s\" as a request rate such as `11.6K req/s`: it does not start with a number"
    );
    let err = "5 parsecs".parse::<Bytes>().unwrap_err().to_string();
    assert!(err.contains("unknown unit \"parsecs\""), "{err}");
    assert_eq!("1.5 KiB".parse::<Bytes>().unwrap().bytes(), 1536.0);
    assert_eq!("1 KB".parse::<Bytes>().unwrap().bytes(), 1000.0);
    assert_eq!(
        "10 req/day".parse::<Rate>().unwrap().value_in(Per::Day),
        10.0
    );
    assert_eq!(
        "8h 45m 36s".parse::<Duration>().unwrap().seconds(),
        31_536.0
    );
    assert_eq!(
        "92.6 Mbps".parse::<Bandwidth>().unwrap().bytes_per_second(),
        11.575e6
    );
}
