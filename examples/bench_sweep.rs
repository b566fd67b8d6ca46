//! Times a 1,000,000-row sweep (DAU × actions × bytes per write → average and peak QPS, storage per day and per year, in a polars DataFrame) and a plain copy of the same columns, and prints rows/s.

use std::time::Instant;

use napkin::prelude::*;

fn main() -> Result<(), Error> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(7);
    let base = Workload::new(users(1e3), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
    let sweep = Sweep::new(base)
        .vary(Param::Users, log_range(1e3, 1e8, 20)?.into_iter().take(100))
        .vary(Param::Writes, (1..=100).map(f64::from))
        .vary(Param::BytesPerWrite, (1..=100).map(|k| k as f64 * 100.0))
        .outputs(
            &[
                Output::Requests,
                Output::PeakRequests,
                Output::StoragePerDay,
                Output::StoragePerYear,
            ],
            false,
        );
    let rows = sweep.rows()?;
    let mut times = Vec::with_capacity(runs);
    let mut frame = None;
    for _ in 0..runs {
        let start = Instant::now();
        let f = sweep.run()?;
        times.push(start.elapsed().as_secs_f64());
        frame = Some(f);
    }
    let frame = frame.expect("at least one run");
    // Baseline: copying the frame's 7 columns (what the sweep must at least write).
    let columns: Vec<Vec<f64>> = frame
        .columns()
        .iter()
        .map(|c| {
            c.f64()
                .map(|ca| ca.cont_slice().map(<[f64]>::to_vec).unwrap_or_default())
        })
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let mut copies = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let copied: Vec<Vec<f64>> = columns.to_vec();
        copies.push(start.elapsed().as_secs_f64());
        std::hint::black_box(copied);
    }
    times.sort_by(f64::total_cmp);
    copies.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let copy = copies[copies.len() / 2];
    let bytes = (columns.len() * rows * 8) as f64;
    println!(
        "napkin sweep: {rows} rows × {} columns, {runs} runs",
        frame.width()
    );
    println!(
        "  time   min {:.1} ms  median {:.1} ms  max {:.1} ms",
        times[0] * 1e3,
        median * 1e3,
        times[times.len() - 1] * 1e3
    );
    println!("  rows/s {:.1} M (median)", rows as f64 / median / 1e6);
    println!(
        "  copying the same {:.0} MB of columns: {:.1} ms ({:.1} GB/s); the sweep takes {:.1}× the copy",
        bytes / 1e6,
        copy * 1e3,
        bytes / copy / 1e9,
        median / copy
    );
    println!("RESULT rows_per_second={:.0}", rows as f64 / median);
    Ok(())
}
