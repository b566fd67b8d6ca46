//! Monthly cost of an estimate: servers, storage at rest and egress at a [`Pricing`], each a
//! `$/month` with its work line, and the total.
//!
//! ```
//! use napkin::prelude::*;
//! let e = Workload::new(users(100e6), per_user_per_day(10.0))
//!     .reads_per_write(10.0)
//!     .bytes_per_write(kb(1.0))
//!     .replication(3.0)
//!     .estimate()?;
//! let cost = e.cost(&Pricing::aws_2024().server(Server::throughput(qps(10_000.0))))?;
//! assert_eq!(
//!     cost.work("storage").unwrap(),
//!     "1.83 PB at 5 years × 3 replicas × $0.023/GB-month = $126K/month"
//! );
//! assert_eq!(cost.total.to_string(), "$157K/month"); // 55 servers, storage, egress
//! # Ok::<(), napkin::Error>(())
//! ```
//!
//! Prices are the learner's own ([`Pricing::new`] and its setters) or a dated reference set
//! ([`Pricing::aws_2024`], [`Pricing::napkin_math`]) built from the rows of
//! [`crate::reference`]'s cost table, each naming its source. A month is the estimate's:
//! the month of its [`Conventions`] (2,628,000 s by default,
//! 730 hours, as AWS bills an hour-priced server).

use std::fmt;

use crate::convention::{Conventions, Per};
use crate::display::{Bundle, Rich};
use crate::error::{Error, check};
use crate::estimate::{Estimate, Figures, Server, Step};
use crate::format;
use crate::guess::{Guess, add_range};
use crate::quantity::Spend;
use crate::reference;
use crate::table::{Align, Table};

/// Bytes in a GB, as cloud prices count them (decimal, as napkin's sizes do).
const GB: f64 = 1e9;

/// What a month of servers, stored data and egress costs. Build one with [`Pricing::new`]
/// (the learner's own prices) or a reference set ([`Pricing::aws_2024`]), then the setters;
/// [`Estimate::cost`] checks it, naming the first parameter out of range.
///
/// An item with no price (or that the workload does not define: no stored bytes, no egress,
/// no server) gets no line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    /// The server type the estimate is sized on ([`Estimate::servers`]); `None`: no servers.
    pub server: Option<Server>,
    /// A number of servers the learner already knows ("100 vCPUs 24/7"), priced as given
    /// instead of sized from the estimate.
    pub fleet: Option<u64>,
    /// What one server costs (`dollars_per_hour(0.096)`, `dollars_per_month(500.0)`).
    pub server_price: Option<Spend>,
    /// Dollars per GB stored for a month.
    pub storage_per_gb_month: Option<f64>,
    /// Dollars per GB sent out.
    pub egress_per_gb: Option<f64>,
    /// Copies of the data kept at rest; `None`: the workload's
    /// [`replication`](crate::estimate::Workload::replication). An object store's price
    /// already covers its own redundancy, so a learner pricing S3 may set 1.
    pub replication: Option<f64>,
    /// Where the prices come from, and when they were listed.
    pub source: &'static str,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing::new()
    }
}

impl Pricing {
    /// No prices yet: the learner's own, given with the setters.
    pub fn new() -> Pricing {
        Pricing {
            server: None,
            fleet: None,
            server_price: None,
            storage_per_gb_month: None,
            egress_per_gb: None,
            replication: None,
            source: "your own prices",
        }
    }

    /// AWS on-demand list prices, US East (N. Virginia), as listed in 2024 (the rows of
    /// [`crate::reference`]'s cost table): S3 Standard storage $0.023/GB-month for the first
    /// 50 TB (<https://aws.amazon.com/s3/pricing/>,
    /// [`reference::S3_STANDARD_STORAGE`]), data transfer out to the internet $0.09/GB for
    /// the first 10 TB/month (<https://aws.amazon.com/ec2/pricing/on-demand/>,
    /// [`reference::EGRESS_TO_INTERNET`]), and an EC2 m5.large (2 vCPU, 8 GiB, Linux) at
    /// $0.096/hour ([`reference::VM_GENERAL_PURPOSE`]) as the server's price. The server
    /// itself — what one serves — is the learner's: [`Pricing::server`]. Larger volumes are
    /// billed at lower tiers; prices change: check current pricing.
    pub fn aws_2024() -> Pricing {
        Pricing {
            server_price: Some(Spend::raw_in(
                reference::VM_GENERAL_PURPOSE.usd,
                Per::Hour,
                &Conventions::EXACT,
            )),
            storage_per_gb_month: Some(reference::S3_STANDARD_STORAGE.usd),
            egress_per_gb: Some(reference::EGRESS_TO_INTERNET.usd),
            source: "AWS list prices, us-east-1, as listed in 2024: \
                     aws.amazon.com/s3/pricing, aws.amazon.com/ec2/pricing/on-demand",
            ..Pricing::new()
        }
    }

    /// napkin-math's provider-neutral prices (sirupsen/napkin-math README at aae5832, 2026;
    /// the table is undated): blob storage $0.02/GB-month
    /// ([`reference::BLOB_STORAGE_MONTH`]) and internet egress $0.1/GB
    /// ([`reference::INTERNET_EGRESS`]). It prices cores and memory, not servers: give a
    /// server and its price with [`Pricing::server`] and [`Pricing::server_price`].
    pub fn napkin_math() -> Pricing {
        Pricing {
            storage_per_gb_month: Some(reference::BLOB_STORAGE_MONTH.usd),
            egress_per_gb: Some(reference::INTERNET_EGRESS.usd),
            source: "napkin-math README (sirupsen/napkin-math at aae5832, 2026; undated)",
            ..Pricing::new()
        }
    }

    /// The server type to size the fleet on: [`Estimate::servers`] says how many.
    pub fn server(mut self, server: Server) -> Pricing {
        self.server = Some(server);
        self
    }

    /// `n` servers, as the source states them, instead of a fleet sized on a
    /// [`Pricing::server`]: each at [`Pricing::server_price`].
    pub fn fleet(mut self, n: u64) -> Pricing {
        self.fleet = Some(n);
        self
    }

    /// What one server costs: `dollars_per_hour(0.096)`, `dollars_per_month(500.0)`.
    pub fn server_price(mut self, each: Spend) -> Pricing {
        self.server_price = Some(each);
        self
    }

    /// Dollars per GB stored for a month (`0.023` for S3 Standard).
    pub fn storage_per_gb_month(mut self, dollars: f64) -> Pricing {
        self.storage_per_gb_month = Some(dollars);
        self
    }

    /// Dollars per GB sent out (`0.09` for AWS egress to the internet).
    pub fn egress_per_gb(mut self, dollars: f64) -> Pricing {
        self.egress_per_gb = Some(dollars);
        self
    }

    /// Copies of the data kept at rest (≥ 1), instead of the workload's replication.
    pub fn replication(mut self, copies: f64) -> Pricing {
        self.replication = Some(copies);
        self
    }

    /// Where the prices come from (shown in the cost's title).
    pub fn source(mut self, source: &'static str) -> Pricing {
        self.source = source;
        self
    }

    /// Checks every price, naming the first one out of range.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(price) = self.server_price {
            check(
                "server_price",
                price.value_in(Per::Second),
                |v| v >= 0.0,
                "a finite price ≥ 0 (dollars_per_hour(0.096))",
            )?;
        }
        if let Some(price) = self.storage_per_gb_month {
            check(
                "storage_per_gb_month",
                price,
                |v| v >= 0.0,
                "a finite price ≥ 0 in dollars (0.023 for S3 Standard)",
            )?;
        }
        if let Some(price) = self.egress_per_gb {
            check(
                "egress_per_gb",
                price,
                |v| v >= 0.0,
                "a finite price ≥ 0 in dollars (0.09 for AWS egress)",
            )?;
        }
        if let Some(copies) = self.replication {
            check(
                "replication",
                copies,
                |v| v >= 1.0,
                "a finite number of copies ≥ 1",
            )?;
        }
        if (self.server.is_some() || self.fleet.is_some()) && self.server_price.is_none() {
            return Err(Error::invalid(
                "server_price",
                "none".to_string(),
                "a price for the server given (Pricing::server_price(dollars_per_hour(…)))",
            ));
        }
        Ok(())
    }
}

/// Servers needed for `figures` on `server`: the largest of the needs by peak throughput,
/// memory and disk, at least 1 (as [`Estimate::servers`] counts them).
fn servers_needed(server: &Server, f: &Figures) -> f64 {
    let usable = 1.0 - server.headroom;
    let mut n = (f.peak_requests / (server.requests.per_second() * usable)).ceil();
    if let Some(memory) = server.memory {
        n = n.max((f.cache / (memory.bytes() * usable)).ceil());
    }
    if let Some(storage) = server.storage {
        n = n.max((f.storage_total / (storage.bytes() * usable)).ceil());
    }
    n.max(1.0)
}

/// The retention as a learner would say it: `5 years`, `1 month`, `90 days`, in the
/// estimate's calendar.
fn horizon(years: f64, c: &Conventions) -> String {
    let whole = |x: f64| (x - x.round()).abs() < 1e-9 * x.max(1.0);
    let months = years * c.year / c.month;
    let days = years * c.year / c.day;
    if whole(years) {
        format::counted(years.round(), "year", "years")
    } else if whole(months) {
        format::counted(months.round(), "month", "months")
    } else if whole(days) {
        format::counted(days.round(), "day", "days")
    } else {
        format!("{} years", format::factor(years))
    }
}

/// The monthly cost of one row of figures in dollars per second, for the sweep: the same
/// items and formulas as [`Estimate::cost`]. `replication` is the workload's; `month` its
/// month in seconds.
pub(crate) fn dollars_per_second(
    pricing: &Pricing,
    f: &Figures,
    replication: f64,
    month: f64,
) -> f64 {
    let mut total = 0.0;
    if let Some(price) = pricing.server_price {
        let n = match (pricing.fleet, &pricing.server) {
            (Some(n), _) => n as f64,
            (None, Some(server)) => servers_needed(server, f),
            (None, None) => 0.0,
        };
        total += n * price.value_in(Per::Second);
    }
    if let Some(price) = pricing.storage_per_gb_month {
        let copies = pricing.replication.unwrap_or(replication);
        total += f.storage_total / replication * copies / GB * price / month;
    }
    if let Some(price) = pricing.egress_per_gb {
        total += f.egress / GB * price;
    }
    total
}

/// What an estimate costs a month, item by item: each a [`Spend`] per month of the
/// estimate's conventions, with its work line.
#[derive(Debug, Clone)]
pub struct MonthlyCost {
    /// The servers' cost, if the pricing gives a server.
    pub servers: Option<Spend>,
    /// The data at rest (at the end of the retention, all copies), if the workload stores
    /// bytes and the pricing prices storage.
    pub storage: Option<Spend>,
    /// The bytes sent out, if the workload sends some and the pricing prices egress.
    pub egress: Option<Spend>,
    /// The sum of the items.
    pub total: Spend,
    /// The work behind each item (`servers`, `storage`, `egress`) and the `total`.
    pub steps: Vec<Step>,
    /// Where the prices come from.
    pub source: &'static str,
    /// For a ranged estimate, the costs at every input's low and at every input's high.
    bounds: Option<Box<[MonthlyCost; 2]>>,
}

impl MonthlyCost {
    /// The cost at every ranged input's low end (the cost itself for a plain estimate).
    pub fn low(&self) -> &MonthlyCost {
        self.bounds.as_ref().map_or(self, |b| &b[0])
    }

    /// The cost at every ranged input's high end.
    pub fn high(&self) -> &MonthlyCost {
        self.bounds.as_ref().map_or(self, |b| &b[1])
    }

    /// The total with its range: `$841/month ($600–$1.2K)`.
    pub fn total_range(&self) -> Guess<Spend> {
        Guess {
            low: self.low().total,
            likely: self.total,
            high: self.high().total,
        }
    }

    /// An item's spend by its step's name.
    fn item(&self, name: &str) -> Option<Spend> {
        match name {
            "servers" => self.servers,
            "storage" => self.storage,
            "egress" => self.egress,
            "total" => Some(self.total),
            _ => None,
        }
    }

    /// The work line behind an item (`"servers"`, `"storage"`, `"egress"`, `"total"`), or
    /// `None` for an item that has no line.
    pub fn work(&self, name: &str) -> Option<&str> {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.work.as_str())
    }

    /// The cost as a table: item, $/month, work.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["item", "per month", "work"])
            .title(format!("Monthly cost — {}", self.total))
            .note(format!("Prices: {}.", self.source));
        for step in &self.steps {
            let value = step
                .work
                .rsplit_once(" = ")
                .map(|(_, v)| v.to_string())
                .unwrap_or_default();
            t.push_row(vec![step.name.to_string(), value, step.work.clone()]);
        }
        t.align(1, Align::Right)
    }

    /// Shows the cost as a card in an evcxr-based Jupyter kernel.
    pub fn evcxr_display(&self) {
        crate::display::emit(&self.mime_bundle());
    }
}

impl fmt::Display for MonthlyCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Monthly cost ({})", self.source)?;
        let width = self.steps.iter().map(|s| s.name.len()).max().unwrap_or(0);
        for s in &self.steps {
            writeln!(f, "  {:width$}  {}", s.name, s.work)?;
        }
        Ok(())
    }
}

impl Rich for MonthlyCost {
    fn mime_bundle(&self) -> Bundle {
        crate::display::table_bundle(self.to_string(), &self.table())
    }
}

impl Estimate {
    /// What this estimate costs a month at `pricing`: its servers (sized by
    /// [`Estimate::servers`] on the pricing's server, or the [`Pricing::fleet`] given), its data at rest at the end of the
    /// retention (one copy × the replicas × $/GB-month) and its egress (a month of it ×
    /// $/GB), each with a work line, and the total. An item the workload does not define
    /// (no stored bytes, no egress) or the pricing does not price has no line. A month is
    /// the estimate's conventions' month. Fails, naming it, on a price out of range.
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let e = Workload::new(users(10e6), per_user_per_day(10.0))
    ///     .reads_per_write(10.0)
    ///     .bytes_per_write(kb(1.0))
    ///     .estimate()?;
    /// let cost = e.cost(&Pricing::new().egress_per_gb(0.09))?;
    /// assert_eq!(
    ///     cost.work("egress").unwrap(),
    ///     "30.4 TB/month × $0.09/GB = $2.74K/month"
    /// );
    /// assert_eq!(cost.storage, None); // no storage price: no line
    /// assert_eq!(cost.total.to_string(), "$2.74K/month");
    /// # Ok::<(), napkin::Error>(())
    /// ```
    pub fn cost(&self, pricing: &Pricing) -> Result<MonthlyCost, Error> {
        let mut cost = self.cost_at_point(pricing)?;
        if !self.is_ranged() {
            return Ok(cost);
        }
        let bounds = [
            self.low().cost_at_point(pricing)?,
            self.high().cost_at_point(pricing)?,
        ];
        // Each item's work ends with its range, as the estimate's figures do.
        let mut steps = std::mem::take(&mut cost.steps);
        for step in &mut steps {
            let (Some(likely), Some(low), Some(high)) = (
                cost.item(step.name),
                bounds[0].item(step.name),
                bounds[1].item(step.name),
            ) else {
                continue;
            };
            add_range(
                &mut step.work,
                &likely.to_string(),
                &low.to_string(),
                &high.to_string(),
            );
        }
        cost.steps = steps;
        cost.bounds = Some(Box::new(bounds));
        Ok(cost)
    }

    fn cost_at_point(&self, pricing: &Pricing) -> Result<MonthlyCost, Error> {
        pricing.validate()?;
        let w = &self.workload;
        let c = w.conventions;
        let monthly = |dollars: f64| Spend::raw_in(dollars, Per::Month, &c);
        let mut steps = Vec::new();

        let fleet = match (pricing.fleet, &pricing.server) {
            (Some(n), _) => Some((n, "given".to_string())),
            (None, Some(server)) => {
                let sizing = self.servers(server)?;
                Some((sizing.servers, format!("{} binds", sizing.binding)))
            }
            (None, None) => None,
        };
        let servers = match (fleet, pricing.server_price) {
            (Some((n, why)), Some(price)) => {
                // The price per month of the estimate's calendar: $0.096/h is $70.1/month.
                let each = monthly(price.value_in(Per::Second) * c.month);
                let spend = each * n as f64;
                steps.push(Step {
                    name: "servers",
                    work: format!(
                        "{} ({why}) × {each} = {spend}",
                        format::counted(n as f64, "server", "servers"),
                    ),
                });
                Some(spend)
            }
            _ => None,
        };

        let storage = match pricing.storage_per_gb_month {
            Some(price) if self.defines("storage_total") => {
                let one_copy = self.storage_total / w.replication;
                let copies = pricing.replication.unwrap_or(w.replication);
                let spend = monthly(one_copy.bytes() * copies / GB * price);
                let replicas = if copies == 1.0 {
                    String::new()
                } else {
                    format!(" × {} replicas", format::factor(copies))
                };
                steps.push(Step {
                    name: "storage",
                    work: format!(
                        "{one_copy} at {}{replicas} × ${}/GB-month = {spend}",
                        horizon(w.retention_years, &c),
                        format::factor(price),
                    ),
                });
                Some(spend)
            }
            _ => None,
        };

        let egress = match pricing.egress_per_gb {
            Some(price) if self.defines("egress") => {
                let spend = monthly(self.egress.bytes_per_second() * c.month / GB * price);
                steps.push(Step {
                    name: "egress",
                    work: format!(
                        "{} × ${}/GB = {spend}",
                        self.egress.shown_per(Per::Month),
                        format::factor(price)
                    ),
                });
                Some(spend)
            }
            _ => None,
        };

        let items: Vec<Spend> = [servers, storage, egress].into_iter().flatten().collect();
        let total = items.iter().fold(monthly(0.0), |sum, s| sum + *s);
        let work = match items.len() {
            0 => format!("nothing priced = {total}"),
            1 => format!("{} = {total}", steps[0].name),
            _ => format!(
                "{} = {total}",
                items
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
        };
        steps.push(Step {
            name: "total",
            work,
        });
        Ok(MonthlyCost {
            servers,
            storage,
            egress,
            total,
            steps,
            source: pricing.source,
            bounds: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// `bytes` at `price` $/GB.
    fn gb_price(bytes: Bytes, price: f64) -> f64 {
        bytes.bytes() / GB * price
    }

    fn stored() -> Estimate {
        // 100M users × 10 writes a day of 1 KB, 3 copies, 5 years: 1.83 PB one copy.
        Workload::new(users(100e6), per_user_per_day(10.0))
            .reads_per_write(10.0)
            .bytes_per_write(kb(1.0))
            .replication(3.0)
            .estimate()
            .unwrap()
    }

    #[test]
    fn storage_at_rest_counts_the_replicas() {
        let e = stored();
        let cost = e.cost(&Pricing::new().storage_per_gb_month(0.023)).unwrap();
        let one_copy = e.storage_total / 3.0;
        let expected = gb_price(one_copy, 0.023) * 3.0;
        let got = cost.storage.unwrap().value_in(Per::Month);
        assert!(
            (got - expected).abs() < 1e-6 * expected,
            "{got} vs {expected}"
        );
        assert_eq!(
            cost.work("storage").unwrap(),
            "1.83 PB at 5 years × 3 replicas × $0.023/GB-month = $126K/month"
        );
        assert_eq!(cost.work("total").unwrap(), "storage = $126K/month");
        assert_eq!(cost.servers, None);
        assert_eq!(cost.egress, None);
        // The pricing's replication replaces the workload's: S3's price covers its copies.
        let s3 = e
            .cost(&Pricing::new().storage_per_gb_month(0.023).replication(1.0))
            .unwrap();
        assert_eq!(
            s3.work("storage").unwrap(),
            "1.83 PB at 5 years × $0.023/GB-month = $42.0K/month"
        );
    }

    #[test]
    fn the_brief_petabyte() {
        // 1.00 PB × 3 replicas × $0.023/GB-month = $69.0K/month.
        let e = Workload::total(per_year(1e12))
            .bytes_per_write(kb(1.0))
            .replication(3.0)
            .retention(years(1.0))
            .estimate()
            .unwrap();
        let cost = e.cost(&Pricing::new().storage_per_gb_month(0.023)).unwrap();
        assert_eq!(
            cost.work("storage").unwrap(),
            "1.00 PB at 1 year × 3 replicas × $0.023/GB-month = $69.0K/month"
        );
    }

    #[test]
    fn egress_is_a_month_of_it() {
        let e = stored();
        let cost = e.cost(&Pricing::new().egress_per_gb(0.09)).unwrap();
        let month = e.egress * months(1.0);
        let expected = gb_price(month, 0.09);
        let got = cost.egress.unwrap().value_in(Per::Month);
        assert!((got - expected).abs() < 1e-6 * expected);
        assert_eq!(
            cost.work("egress").unwrap(),
            "304 TB/month × $0.09/GB = $27.4K/month"
        );
    }

    #[test]
    fn servers_are_sized_then_priced() {
        let e = stored();
        let server = Server::throughput(qps(10_000.0));
        let cost = e
            .cost(&Pricing::aws_2024().server(server).replication(1.0))
            .unwrap();
        let sizing = e.servers(&server).unwrap();
        assert_eq!(sizing.servers, 55);
        // $0.096/h × 730 h = $70.08 a month each.
        let got = cost.servers.unwrap().value_in(Per::Month);
        assert!((got - 55.0 * 70.08).abs() < 1e-6, "{got}");
        assert_eq!(
            cost.work("servers").unwrap(),
            "55 servers (throughput binds) × $70.1/month = $3.85K/month"
        );
        let total = cost.servers.unwrap() + cost.storage.unwrap() + cost.egress.unwrap();
        assert_eq!(cost.total.value_in(Per::Month), total.value_in(Per::Month));
        assert_eq!(
            cost.work("total").unwrap(),
            format!(
                "{} + {} + {} = {}",
                cost.servers.unwrap(),
                cost.storage.unwrap(),
                cost.egress.unwrap(),
                cost.total
            )
        );
        // The sweep's formula gives the same total.
        let per_second = dollars_per_second(
            &Pricing::aws_2024().server(server).replication(1.0),
            &e.workload.figures(),
            3.0,
            e.workload.conventions.month,
        );
        assert!((per_second - cost.total.value_in(Per::Second)).abs() < 1e-9 * per_second);
    }

    #[test]
    fn a_fleet_given_is_priced_as_given() {
        let e = stored();
        let pricing = Pricing::new()
            .server(Server::throughput(qps(10_000.0)))
            .fleet(7)
            .server_price(dollars_per_month(100.0));
        let cost = e.cost(&pricing).unwrap();
        assert_eq!(
            cost.work("servers").unwrap(),
            "7 servers (given) × $100/month = $700/month"
        );
        let per_second = dollars_per_second(
            &pricing,
            &e.workload.figures(),
            3.0,
            e.workload.conventions.month,
        );
        assert!((per_second - cost.total.value_in(Per::Second)).abs() < 1e-12);
        let err = e.cost(&Pricing::new().fleet(7)).unwrap_err();
        assert!(err.to_string().starts_with("invalid server_price"), "{err}");
    }

    #[test]
    fn only_items_the_workload_defines() {
        // Requests only: no stored bytes, no egress, so no storage or egress line.
        let e = Workload::total(qps(100.0)).estimate().unwrap();
        let cost = e.cost(&Pricing::aws_2024()).unwrap();
        assert_eq!(cost.steps.len(), 1);
        assert_eq!(cost.work("total").unwrap(), "nothing priced = $0/month");
        assert!(!cost.to_string().contains("storage"), "{cost}");
    }

    #[test]
    fn the_month_is_the_estimates() {
        // Under the 30-day convention a server-month is 720 hours: $69.1, not $70.1.
        let e = Workload::total(qps(100.0))
            .conventions(Conventions::THIRTY_DAY)
            .estimate()
            .unwrap();
        let cost = e
            .cost(
                &Pricing::new()
                    .server(Server::throughput(qps(1_000.0)))
                    .server_price(dollars_per_hour(0.096)),
            )
            .unwrap();
        assert!((cost.total.value_in(Per::Month) - 0.096 * 720.0).abs() < 1e-9);
        assert!(
            cost.total.to_string().starts_with("$69.1/month"),
            "{}",
            cost.total
        );
    }

    #[test]
    fn bad_prices_name_the_parameter() {
        let e = stored();
        let err = e
            .cost(&Pricing::new().storage_per_gb_month(-0.023))
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid storage_per_gb_month = -0.023"),
            "{err}"
        );
        let err = e.cost(&Pricing::new().egress_per_gb(f64::NAN)).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid egress_per_gb = NaN"),
            "{err}"
        );
        let err = e.cost(&Pricing::aws_2024().replication(0.5)).unwrap_err();
        assert!(err.to_string().starts_with("invalid replication"), "{err}");
        let err = e
            .cost(&Pricing::new().server(Server::throughput(qps(1e4))))
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid server_price"), "{err}");
        let err = e
            .cost(
                &Pricing::new()
                    .server(Server::throughput(qps(1e4)).headroom(1.0))
                    .server_price(dollars_per_month(100.0)),
            )
            .unwrap_err();
        assert!(err.to_string().contains("headroom"), "{err}");
    }

    #[test]
    fn cost_card_has_text_html_and_markdown() {
        let cost = stored().cost(&Pricing::aws_2024()).unwrap();
        let bundle = cost.mime_bundle();
        let mimes: Vec<_> = bundle.iter().map(|(m, _)| *m).collect();
        assert_eq!(mimes, ["text/plain", "text/html", "text/markdown"]);
        assert!(bundle[0].1.starts_with("Monthly cost (AWS list prices"));
        assert!(bundle[1].1.contains("$0.023/GB-month"));
        assert_eq!(cost.table().row_count(), 3); // storage, egress, total
    }
}
