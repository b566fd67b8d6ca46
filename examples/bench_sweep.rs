//! Times a 1,000,000-row sweep (DAU × actions × bytes per write → average and peak QPS, storage per day and per year, in a polars DataFrame) against writing and copying the same columns, and the same sweep with ranged inputs (low and high columns), and prints rows/s.

use std::time::Instant;

use napkin::prelude::*;

/// Untimed runs before the timed ones.
const WARMUP: usize = 3;

fn main() -> Result<(), Error> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(21);
    let base = Workload::new(users(1e3), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
    let sweep = grid(base)?;
    let rows = sweep.rows()?;
    // Warm-up runs are not timed (the first touches of fresh memory are the
    // operating system's cost, not the sweep's); the Python side does the same.
    for _ in 0..WARMUP {
        std::hint::black_box(sweep.run()?);
    }
    let mut times = Vec::with_capacity(runs);
    let mut frame = None;
    for _ in 0..runs {
        let start = Instant::now();
        let f = sweep.run()?;
        times.push(start.elapsed().as_secs_f64());
        frame = Some(f);
    }
    let frame = frame.expect("at least one run");
    // Baselines: writing the frame's columns (what the sweep must at least do)
    // and copying them, into buffers that are already in memory.
    let columns: Vec<Vec<f64>> = frame
        .columns()
        .iter()
        .map(|c| {
            c.f64()
                .map(|ca| ca.cont_slice().map(<[f64]>::to_vec).unwrap_or_default())
        })
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Polars(e.to_string()))?;
    let mut targets: Vec<Vec<f64>> = columns.iter().map(|c| vec![0.0; c.len()]).collect();
    let fill = median_time(runs, &mut targets, |t| {
        t.iter_mut().for_each(|c| c.fill(1.0))
    });
    let copy = median_time(runs, &mut targets, |t| {
        t.iter_mut()
            .zip(&columns)
            .for_each(|(d, s)| d.copy_from_slice(s))
    });
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let bytes = (columns.len() * rows * 8) as f64;
    println!(
        "napkin sweep: {rows} rows × {} columns, {runs} runs after {WARMUP} warm-up runs",
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
        "  memory: writing the same {:.0} MB of columns takes {:.1} ms ({:.1} GB/s), copying them {:.1} ms;",
        bytes / 1e6,
        fill * 1e3,
        bytes / fill / 1e9,
        copy * 1e3,
    );
    println!(
        "  the sweep runs at {:.0}% of the write bandwidth ({:.1}× the time of writing its output)",
        fill / median * 100.0,
        median / fill
    );
    // The same grid with guessed inputs off the axes: every output gains a low and a high
    // column, computed by two more passes over the rows.
    let ranged = grid(
        base.peak_factor(between(2.0, 5.0))
            .replication(between(1.0, 3.0)),
    )?;
    for _ in 0..WARMUP {
        std::hint::black_box(ranged.run()?);
    }
    let mut ranged_times: Vec<f64> = Vec::with_capacity(runs);
    let mut width = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let f = ranged.run()?;
        ranged_times.push(start.elapsed().as_secs_f64());
        width = f.width();
    }
    ranged_times.sort_by(f64::total_cmp);
    let ranged_median = ranged_times[ranged_times.len() / 2];
    println!(
        "napkin ranged sweep (peak factor 2–5, 1–3 copies): {rows} rows × {width} columns, median {:.1} ms, {:.1} M rows/s ({:.2}× the plain sweep's time)",
        ranged_median * 1e3,
        rows as f64 / ranged_median / 1e6,
        ranged_median / median
    );
    println!("RESULT rows_per_second={:.0}", rows as f64 / median);
    println!(
        "RESULT ranged_rows_per_second={:.0}",
        rows as f64 / ranged_median
    );
    Ok(())
}

/// The timed grid over `base`: 100 DAU values × 100 actions × 100 sizes, four outputs.
fn grid(base: Workload) -> Result<Sweep, Error> {
    Ok(Sweep::new(base)
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
        ))
}

/// The median time of `runs` calls of `f` on `targets`, after [`WARMUP`] untimed ones.
fn median_time(runs: usize, targets: &mut [Vec<f64>], mut f: impl FnMut(&mut [Vec<f64>])) -> f64 {
    let mut times: Vec<f64> = (0..runs + WARMUP)
        .map(|_| {
            let start = Instant::now();
            f(targets);
            std::hint::black_box(&*targets);
            start.elapsed().as_secs_f64()
        })
        .skip(WARMUP)
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
