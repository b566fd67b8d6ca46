//! A guess, not a number: the day-1 chain with a DAU somewhere between 50M and 80M and reads
//! per write between 5 and 20, its monthly cost at AWS's 2024 list prices, and a sweep over
//! users whose columns carry each figure's low and high.

use napkin::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dau = between(users(50e6), users(80e6));
    let day1 = Workload::new(dau, per_user_per_day(10.0))
        .reads_per_write(between(5.0, 20.0))
        .bytes_per_write(kb(1.0))
        .replication(3.0);
    let e = day1.estimate()?;
    println!("{e}");
    println!("Peak requests: {}", e.range(|e| e.peak_requests));
    println!();

    let server = Server::throughput(qps(10_000.0));
    let cost = e.cost(&Pricing::aws_2024().server(server))?;
    println!("{cost}");
    println!("Total: {}", cost.total_range());
    println!();

    // Users are the axis here (exact), the reads per write still a range.
    let frame = Sweep::new(day1)
        .vary(Param::Users, [1e6, 1e7, 1e8])
        .outputs(&[Output::PeakRequests], false)
        .cost(&Pricing::aws_2024().server(server))
        .run()?;
    println!("{frame}");
    Ok(())
}
