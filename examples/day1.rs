//! The seed's Day-1 capacity estimate: 100M DAU × 10 actions → QPS → peak → storage, with its work.

use napkin::prelude::*;

fn main() -> Result<(), Error> {
    let day1 = Workload::new(users(100e6), per_user_per_day(10.0))
        .bytes_per_write(kb(1.0))
        .estimate()?;

    println!("Day 1: 100M DAU, 10 actions per user per day, 1 KB per action");
    println!("({})", day1.workload.conventions.describe());
    println!();
    for name in [
        "writes",
        "peak_writes",
        "storage_per_day",
        "storage_per_year",
    ] {
        println!("{:<17} {}", name, day1.work(name).unwrap_or("?"));
    }
    println!();
    println!(
        "Average {}, peak {}, {} stored, {}.",
        day1.writes, day1.peak_writes, day1.storage_per_day, day1.storage_per_year
    );

    // The seed says "~12K QPS, peak 36K": it rounded 11.6K up to 12K before
    // multiplying by 3. napkin rounds once, at the end.
    let rounded_first = per_second(12_000.0) * 3.0;
    println!(
        "Not rounded before multiplying: peak is {} (rounding the average to 12K first gives {}, {} high).",
        day1.peak_writes,
        rounded_first,
        napkin::format::percent(rounded_first / day1.peak_writes - 1.0)
    );
    Ok(())
}
