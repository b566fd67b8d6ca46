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

#[test]
fn user_time_from_users_and_minutes() {
    // Xu's Google Maps: 1bn DAU navigating 35 minutes a week, 5 a day.
    let navigating = users(1e9) * (minutes(35.0) / 7.0);
    assert_eq!(navigating.to_string(), "5.00bn user-min");
    assert_eq!((minutes(5.0) * users(1e9)).user_seconds(), 3e11);
    // Over a day: users online at once; per user: the time each spends.
    assert_eq!((navigating / days(1.0)).to_string(), "3.47M users");
    assert_eq!((navigating / users(1e9)).to_string(), "5 min");
    // One location update per user every 15 s of navigation.
    let updates = navigating * per_user_per_second(1.0 / 15.0);
    assert_eq!(updates.to_string(), "20.0bn req");
    assert_eq!(
        (updates / days(1.0)).shown_per(Per::Second).to_string(),
        "231K req/s"
    );
    // Shown in hours, and read back.
    let hours = navigating.shown_in(Per::Hour);
    assert_eq!(hours.to_string(), "83.3M user-h");
    let back: UserTime = hours.to_string().parse().unwrap();
    assert!((back.user_seconds() / hours.user_seconds() - 1.0).abs() < 1e-3);
    assert!("5 user-month".parse::<UserTime>().is_err());
}

#[test]
fn counts_can_be_named() {
    // Xu's Google Maps: 4.4 trillion tiles at zoom 21, 100 KB each.
    let tiles = items(4.4e12).named("tiles");
    assert_eq!(tiles.to_string(), "4.40T tiles");
    assert_eq!((tiles * kb(100.0)).to_string(), "440 PB");
    // Arithmetic keeps the name; the text reads back with it.
    assert_eq!((tiles * 0.1).to_string(), "440bn tiles");
    let back: Items = "4.40T tiles".parse().unwrap();
    assert_eq!(back.name(), "tiles");
    assert_eq!(back.count(), 4.4e12);
    assert_eq!(items(5.0).name(), "items");
    assert_eq!("5 rows".parse::<Items>().unwrap().to_string(), "5 rows");
}

#[test]
fn lengths_and_areas_for_maps() {
    // A zoom-21 web-map tile at the equator, and the Earth's surface in such tiles.
    let side = km(40_075.0) / 2f64.powi(21);
    assert_eq!(side.to_string(), "19.1 m");
    let tile = side * side;
    assert_eq!(tile.to_string(), "365 m²");
    assert_eq!((tile / side).to_string(), "19.1 m");
    let tiles = items(km2(510e6) / tile).named("tiles");
    assert_eq!(tiles.to_string(), "1.40T tiles");
    assert_eq!(km2(510e6).to_string(), "510M km²");
    assert_eq!(meters(1500.0).to_string(), "1.50 km");
    // Text reads back, and ranges carry through.
    let back: Area = "510M km²".parse().unwrap();
    assert_eq!(back.square_meters(), 510e12);
    assert_eq!("2 km2".parse::<Area>().unwrap().square_meters(), 2e6);
    assert_eq!("12.0 km".parse::<Length>().unwrap().meters(), 12e3);
    assert!("12 miles".parse::<Length>().is_err());
    let area = between(km(1.0), km(2.0)) * km(3.0);
    assert_eq!(area.to_string(), "4.24 km² (3–6)");
}

#[test]
fn densities_count_per_area() {
    // The Earth's zoom-21 tiles per km², and a city's users from its density.
    let tiles = items(1.40e12).named("tiles") / km2(510e6);
    assert_eq!(tiles.to_string(), "2.75K tiles/km²");
    assert_eq!((tiles * km2(2.0)).to_string(), "5.49K tiles");
    let city = per_km2(4_000.0).named("users");
    assert_eq!((city * km2(600.0)).to_string(), "2.40M users");
    assert_eq!((km2(600.0) * city).to_string(), "2.40M users");
    assert_eq!((items(2.4e6) / city).to_string(), "600 km²");
    assert!((per_km2(1e6).per_square_meter() - 1.0).abs() < 1e-12);
    // Text reads back with its name.
    let back: Density = "2.75K tiles/km²".parse().unwrap();
    assert_eq!(back.name(), "tiles");
    assert!((back.per_km2() - 2750.0).abs() < 1e-9);
    assert_eq!("3 items/m2".parse::<Density>().unwrap().per_km2(), 3e6);
    assert!("3 tiles/acre".parse::<Density>().is_err());
    // Ranges carry through.
    let guessed = between(per_km2(1e3), per_km2(4e3)) * km2(100.0);
    assert_eq!(guessed.to_string(), "200K items (100K–400K)");
}
