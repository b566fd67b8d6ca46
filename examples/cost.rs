//! What an estimate costs a month: servers, storage at rest and egress at AWS's 2024 list
//! prices, then at the learner's own, and the cost column of a sweep over users.

use napkin::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 100M DAU × 10 writes a day of 1 KB, 10 reads per write, 3 copies kept 5 years.
    let e = Workload::new(users(100e6), per_user_per_day(10.0))
        .reads_per_write(10.0)
        .bytes_per_write(kb(1.0))
        .replication(3.0)
        .estimate()?;
    let server = Server::throughput(qps(10_000.0));

    // AWS us-east-1 list prices as listed in 2024: S3 Standard $0.023/GB-month, egress
    // $0.09/GB, an m5.large at $0.096/h (napkin::reference's cost table).
    let aws = Pricing::aws_2024().server(server);
    println!("{}", e.cost(&aws)?);

    // The learner's own numbers: a bigger server at $500 a month, object storage whose
    // price already covers its copies, a CDN at $0.02/GB.
    let own = Pricing::new()
        .server(server)
        .server_price(dollars_per_month(500.0))
        .storage_per_gb_month(0.023)
        .replication(1.0)
        .egress_per_gb(0.02);
    let cost = e.cost(&own)?;
    println!("{cost}");
    println!("Total: {} ({} a year)", cost.total, cost.total * years(1.0));
    println!();

    // The same total for 1M to 1bn users, a row each.
    let frame = Sweep::new(e.workload)
        .vary(Param::Users, [1e6, 1e7, 1e8, 1e9])
        .outputs(&[Output::PeakRequests], false)
        .cost(&aws)
        .run()?;
    let users = frame.column("users")?.f64()?;
    let cost = frame.column("cost_per_month [$/month]")?.f64()?;
    for row in 0..frame.height() {
        let (Some(users), Some(dollars)) = (users.get(row), cost.get(row)) else {
            continue;
        };
        println!(
            "{:>12}: {}",
            Users::new(users).to_string(),
            dollars_per_month(dollars)
        );
    }
    Ok(())
}
