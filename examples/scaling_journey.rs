//! Sweeps 1K → 100M daily users and writes the scaling-journey chart (SVG and PNG) and the sweep table (HTML) to a folder.

use std::path::PathBuf;

use napkin::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --example scaling_journey -- OUT_DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(&out)?;

    // The seed's workload: 10 actions per user per day, 1 KB each, 10 reads per write.
    let you = Workload::new(users(100e6), per_user_per_day(10.0))
        .reads_per_write(10.0)
        .bytes_per_write(kb(1.0));
    let sweep = Sweep::new(you)
        .vary(Param::Users, log_range(1e3, 1e8, 2)?)
        .run()?;

    let chart = Chart::journey(&you)?;
    std::fs::write(out.join("scaling_journey.svg"), chart.to_svg()?)?;
    std::fs::write(out.join("scaling_journey.png"), chart.to_png()?)?;
    let table = sweep.to_table(20);
    std::fs::write(out.join("sweep.html"), table.to_html())?;

    println!("{table}");
    println!("wrote {}", out.join("scaling_journey.svg").display());
    println!("wrote {}", out.join("scaling_journey.png").display());
    println!("wrote {}", out.join("sweep.html").display());
    Ok(())
}
