//! Arithmetic a learner writes compiles and means what they meant.

use napkin::prelude::*;

#[test]
fn a_share_of_items_per_user() {
    // 10 % of 400 friends are close friends.
    let close = per_user(400.0) * 0.1;
    assert_eq!(close.count(), 40.0);
    assert_eq!((0.1 * per_user(400.0)).count(), 40.0);
    assert_eq!((per_user(400.0) / 4.0).count(), 100.0);
    assert_eq!((per_user(200.0) + per_user(50.0)).count(), 250.0);
    assert_eq!((users(1e6) * close).to_string(), "40.0M items");
}

#[test]
fn items_over_a_time_are_a_rate_of_writes() {
    let uploads = items(1e6) / days(3.0);
    assert_eq!(uploads.to_string(), "3.86 req/s");
    assert_eq!(uploads.shown_per(Per::Day).to_string(), "333K req/day");
    assert_eq!(uploads, requests(1e6) / days(3.0));
}

#[test]
fn a_power_of_two_times_a_size() {
    let two_42 = power_of_two(42).unwrap();
    let total = two_42 * kb(100.0);
    assert_eq!(total, kb(100.0) * two_42);
    assert_eq!(total / kb(100.0), 2f64.powi(42));
    assert_eq!(total.to_string(), "440 PB");
}
