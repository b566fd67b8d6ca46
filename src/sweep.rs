//! Scenario sweeps: the Cartesian product of named parameters (explicit
//! lists or log ranges such as 1K to 100M users, 2 points per decade), with
//! every output of the estimation chain computed for each row into a polars
//! `DataFrame`.
//!
//! Numeric columns hold base-unit values with the unit in the column name
//! (`peak_requests [req/s]`, `storage_per_year [B]`), so polars itself can
//! filter, sort and aggregate them; `stage` is the scaling-journey stage
//! (1–5) of each row, by its users (by its peak rate when the workload is a
//! total with no user count).
//!
//! ```
//! use napkin::prelude::*;
//! let base = Workload::new(users(1e3), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
//! let frame = Sweep::new(base)
//!     .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
//!     .run()
//!     .unwrap();
//! assert_eq!(frame.height(), 11);
//! let peak = frame.column("peak_requests [req/s]").unwrap().f64().unwrap();
//! assert!((peak.get(10).unwrap() - 34_722.2).abs() < 0.1); // 100M users
//! ```

use std::fmt;

use polars::prelude::{
    Column, DataFrame, Float64Chunked, IntoSeries, NamedFrom, Series, UInt32Chunked,
};

use crate::cost::{Pricing, dollars_per_second};
use crate::error::Error;
use crate::estimate::{Bound, Figures, ForFigure, Inputs, Workload};
use crate::frame::Frame;
use crate::journey::STAGES;

/// A workload parameter a sweep can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
    /// Active users (DAU for per-day rates).
    Users,
    /// Writes per user (or in total) per the base workload's time base.
    Writes,
    /// Reads per write.
    ReadsPerWrite,
    /// Bytes stored by each write.
    BytesPerWrite,
    /// Bytes returned by each read.
    BytesPerRead,
    /// Peak over average.
    PeakFactor,
    /// Copies of each byte.
    Replication,
    /// Retention in years.
    RetentionYears,
    /// Hot share of data for the cache.
    CacheFraction,
}

impl Param {
    /// How many parameters there are.
    pub(crate) const COUNT: usize = 9;
    /// Every parameter, in order.
    pub(crate) const ALL: [Param; Param::COUNT] = [
        Param::Users,
        Param::Writes,
        Param::ReadsPerWrite,
        Param::BytesPerWrite,
        Param::BytesPerRead,
        Param::PeakFactor,
        Param::Replication,
        Param::RetentionYears,
        Param::CacheFraction,
    ];

    /// The parameter's place in [`Param::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The column name this parameter gets in a sweep of `base`.
    pub fn column(self, base: &Workload) -> String {
        let per = base.writes_per.label();
        match self {
            Param::Users => "users".to_string(),
            Param::Writes if base.users.is_some() => format!("writes_per_user [req/user/{per}]"),
            Param::Writes => format!("writes_given [req/{per}]"),
            Param::ReadsPerWrite => "reads_per_write".to_string(),
            Param::BytesPerWrite => "bytes_per_write [B]".to_string(),
            Param::BytesPerRead => "bytes_per_read [B]".to_string(),
            Param::PeakFactor => "peak_factor".to_string(),
            Param::Replication => "replication".to_string(),
            Param::RetentionYears => "retention [years]".to_string(),
            Param::CacheFraction => "cache_fraction".to_string(),
        }
    }

    /// This parameter's value in `w` (reads per write: 0 when the reads are a total).
    pub fn value(self, w: &Workload) -> f64 {
        match self {
            Param::Users => w.users.unwrap_or(1.0),
            Param::Writes => w.writes,
            Param::ReadsPerWrite => match w.reads {
                crate::estimate::Traffic::PerWrite(n) => n,
                _ => 0.0,
            },
            Param::BytesPerWrite => w.bytes_per_write,
            Param::BytesPerRead => w.bytes_per_read.unwrap_or(w.bytes_per_write),
            Param::PeakFactor => w.peak_factor,
            Param::Replication => w.replication,
            Param::RetentionYears => w.retention_years,
            Param::CacheFraction => w.cache_fraction,
        }
    }

    /// Sets this parameter of `w` to `v`: an exact value, so a range it was given goes.
    #[inline]
    pub(crate) fn set(self, w: &mut Workload, v: f64) {
        w.clear_range(self);
        match self {
            Param::Users => w.users = Some(v),
            Param::Writes => w.writes = v,
            Param::ReadsPerWrite => w.reads = crate::estimate::Traffic::PerWrite(v),
            Param::BytesPerWrite => w.bytes_per_write = v,
            Param::BytesPerRead => w.bytes_per_read = Some(v),
            Param::PeakFactor => w.peak_factor = v,
            Param::Replication => w.replication = v,
            Param::RetentionYears => w.retention_years = v,
            Param::CacheFraction => w.cache_fraction = v,
        }
    }
}

pub use crate::figure::Output;

/// The largest grid a sweep builds: 100 million rows.
pub const MAX_ROWS: usize = 100_000_000;

/// `per_decade` points per power of ten from `from` to `to`, both included:
/// `log_range(1e3, 1e8, 2)` is 1K, 3.16K, 10K, …, 100M (11 values).
pub fn log_range(from: f64, to: f64, per_decade: usize) -> Result<Vec<f64>, Error> {
    crate::error::check("from", from, |v| v > 0.0, "a finite number > 0")?;
    crate::error::check("to", to, |v| v >= from, "a finite number ≥ from")?;
    if per_decade == 0 || per_decade > 1000 {
        return Err(Error::invalid(
            "per_decade",
            per_decade,
            "a whole number of points per decade from 1 to 1000",
        ));
    }
    let decades = (to / from).log10();
    let steps = (decades * per_decade as f64).round() as usize;
    if steps > MAX_ROWS {
        return Err(Error::invalid("to", to, "a range of at most 100M points"));
    }
    let mut values: Vec<f64> = (0..=steps)
        .map(|i| from * 10f64.powf(i as f64 / per_decade as f64))
        .collect();
    // Land exactly on the ends (10^x is not exact in binary).
    values[0] = from;
    if let Some(last) = values.last_mut() {
        *last = to;
    }
    Ok(values)
}

/// A grid of workloads: a base workload and the parameters to vary.
#[derive(Debug, Clone)]
pub struct Sweep {
    base: Workload,
    axes: Vec<(Param, Vec<f64>)>,
    outputs: Vec<Output>,
    stage: bool,
    pricing: Option<Pricing>,
}

impl Sweep {
    /// A sweep of `base`, varying nothing yet (one row), with every output.
    pub fn new(base: Workload) -> Sweep {
        Sweep {
            base,
            axes: Vec::new(),
            outputs: Output::ALL.to_vec(),
            stage: true,
            pricing: None,
        }
    }

    /// Varies `param` over `values` (the last axis varies fastest). Varying
    /// the same parameter again replaces its values.
    pub fn vary(mut self, param: Param, values: impl IntoIterator<Item = f64>) -> Sweep {
        let values: Vec<f64> = values.into_iter().collect();
        match self.axes.iter_mut().find(|(p, _)| *p == param) {
            Some(axis) => axis.1 = values,
            None => self.axes.push((param, values)),
        }
        self
    }

    /// Computes only these outputs (and the `stage` column if `stage`).
    pub fn outputs(mut self, outputs: &[Output], stage: bool) -> Sweep {
        self.outputs = outputs.to_vec();
        self.stage = stage;
        self
    }

    /// Adds a `cost_per_month [$/month]` column: each row's [`Estimate::cost`] total at
    /// `pricing`, in dollars per month of the workload's conventions (servers, storage at rest
    /// and egress, by the same formulas).
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let base = Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
    /// let frame = Sweep::new(base)
    ///     .vary(Param::Users, [1e6, 1e8])
    ///     .cost(&Pricing::new().storage_per_gb_month(0.023))
    ///     .run()?;
    /// let cost = frame.column("cost_per_month [$/month]")?.f64()?;
    /// let e = Workload::new(users(1e8), per_user_per_day(10.0))
    ///     .bytes_per_write(kb(1.0))
    ///     .estimate()?;
    /// let one = e.cost(&Pricing::new().storage_per_gb_month(0.023))?;
    /// assert!((cost.get(1).unwrap() - one.total.value_in(Per::Month)).abs() < 1e-6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`Estimate::cost`]: crate::estimate::Estimate::cost
    pub fn cost(mut self, pricing: &Pricing) -> Sweep {
        self.pricing = Some(*pricing);
        self
    }

    /// The output columns: the figures asked for, then each stream's rate (with the
    /// requests figures), then the cost.
    fn columns(&self) -> Vec<Col> {
        let mut columns: Vec<Col> = self.outputs.iter().map(|o| Col::Figure(*o)).collect();
        if self.outputs.contains(&Output::Requests) {
            for (i, stream) in self.base.streams.iter().enumerate() {
                if let Some(stream) = stream {
                    columns.push(Col::Stream(i, stream.name));
                }
            }
        }
        if self.pricing.is_some() {
            columns.push(Col::Cost);
        }
        columns
    }

    /// Rows the sweep will produce, or an error past [`MAX_ROWS`].
    pub fn rows(&self) -> Result<usize, Error> {
        self.axes.iter().try_fold(1usize, |n, (p, values)| {
            n.checked_mul(values.len())
                .filter(|n| *n <= MAX_ROWS)
                .ok_or_else(|| Error::TooManyRows {
                    max: crate::format::grouped(MAX_ROWS as f64),
                    column: p.column(&self.base),
                    values: values.len(),
                })
        })
    }

    /// Checks the base workload and every value of every axis.
    fn validate(&self) -> Result<(), Error> {
        self.base.validate()?;
        if let Some(pricing) = &self.pricing {
            pricing.validate()?;
            if let Some(server) = &pricing.server {
                // The server's own checks (headroom, capacities), as Estimate::servers makes.
                self.base.estimate()?.servers(server)?;
            }
        }
        for (param, values) in &self.axes {
            if values.is_empty() {
                return Err(Error::NoValues {
                    column: param.column(&self.base),
                });
            }
            for &v in values {
                let mut w = self.base;
                param.set(&mut w, v);
                w.validate()?;
            }
        }
        Ok(())
    }

    /// Computes every row into a [`Frame`] (a polars `DataFrame`).
    ///
    /// A base workload with ranged inputs ([`crate::guess`]) gives each output column a
    /// `…_low` and a `…_high` column after it: the rows at every ranged input's low and high
    /// (a varied parameter takes the axis's value in all three).
    ///
    /// ```
    /// use napkin::prelude::*;
    /// let base = Workload::new(users(1e6), between(per_user_per_day(5.0), per_user_per_day(20.0)));
    /// let frame = Sweep::new(base)
    ///     .vary(Param::Users, [1e6, 1e8])
    ///     .outputs(&[Output::PeakRequests], false)
    ///     .run()?;
    /// assert_eq!(
    ///     frame.get_column_names().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
    ///     ["users", "peak_requests [req/s]", "peak_requests_low [req/s]", "peak_requests_high [req/s]"]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self) -> Result<Frame, Error> {
        self.validate()?;
        let likely = self.run_point()?;
        if !self.base.is_ranged() {
            return Ok(Frame::from(likely));
        }
        let at = |bound: Bound| {
            Sweep {
                base: self.base.at(bound),
                stage: false,
                ..self.clone()
            }
            .run_point()
        };
        let (low, high) = (at(Bound::Low)?, at(Bound::High)?);
        let outputs: Vec<String> = self.columns().into_iter().map(Col::name).collect();
        let mut columns = Vec::new();
        for column in likely.columns() {
            columns.push(column.clone());
            let name = column.name().to_string();
            if outputs.contains(&name) {
                for (frame, suffix) in [(&low, "_low"), (&high, "_high")] {
                    let mut bound = frame.column(&name)?.clone();
                    bound.rename(bounded(&name, suffix).into());
                    columns.push(bound);
                }
            }
        }
        let df = DataFrame::new(likely.height(), columns)?;
        Ok(Frame::from(df))
    }

    /// Computes every row at the base's likely inputs.
    fn run_point(&self) -> Result<DataFrame, Error> {
        let n = self.rows()?;
        let columns = self.columns();
        let mut inputs: Vec<Vec<f64>> = self.axes.iter().map(|_| vec![0.0; n]).collect();
        let mut outputs: Vec<Vec<f64>> = columns.iter().map(|_| vec![0.0; n]).collect();
        let mut stages: Vec<u32> = vec![0; if self.stage { n } else { 0 }];
        {
            let threads = std::thread::available_parallelism()
                .map(|t| t.get())
                .unwrap_or(1)
                .min(8);
            let chunk = if n >= 200_000 {
                n.div_ceil(threads)
            } else {
                n.max(1)
            };
            let mut in_slices: Vec<_> = inputs.iter_mut().map(|v| v.chunks_mut(chunk)).collect();
            let mut out_slices: Vec<_> = outputs.iter_mut().map(|v| v.chunks_mut(chunk)).collect();
            let mut stage_slices = stages.chunks_mut(chunk);
            std::thread::scope(|scope| {
                let mut start = 0;
                while start < n {
                    let len = chunk.min(n - start);
                    let part = Part {
                        start,
                        inputs: in_slices.iter_mut().filter_map(Iterator::next).collect(),
                        outputs: out_slices.iter_mut().filter_map(Iterator::next).collect(),
                        stages: if self.stage {
                            stage_slices.next()
                        } else {
                            None
                        },
                    };
                    if start + len >= n {
                        self.fill(part, len);
                    } else {
                        scope.spawn(move || self.fill(part, len));
                    }
                    start += len;
                }
            });
        }
        let names = columns;
        let mut columns: Vec<Column> = Vec::with_capacity(inputs.len() + outputs.len() + 1);
        for ((param, _), values) in self.axes.iter().zip(inputs) {
            columns.push(
                Float64Chunked::from_vec(param.column(&self.base).into(), values)
                    .into_series()
                    .into(),
            );
        }
        for (column, values) in names.iter().zip(outputs) {
            columns.push(
                Float64Chunked::from_vec(column.name().into(), values)
                    .into_series()
                    .into(),
            );
        }
        if self.stage {
            columns.push(
                UInt32Chunked::from_vec("stage".into(), stages)
                    .into_series()
                    .into(),
            );
        }
        if columns.is_empty() {
            columns.push(Series::new("rows".into(), &[n as u32]).into());
        }
        DataFrame::new(n, columns).map_err(Error::from)
    }

    /// Fills rows `part.start .. part.start + len`, a batch at a time.
    fn fill(&self, mut part: Part<'_>, len: usize) {
        let mut base = self.base.inputs();
        if self.axes.iter().any(|(p, _)| *p == Param::ReadsPerWrite) {
            // Varying reads per write replaces reads given as a total or per user.
            base.reads_total = 0.0;
            base.reads_per_user = 0.0;
        }
        let mut batch = Batch::new(base);
        let columns = self.columns();
        // Without its own value, the read size follows the write size.
        let reads_follow_writes = self.base.bytes_per_read.is_none()
            && self.axes.iter().any(|(p, _)| *p == Param::BytesPerWrite)
            && !self.axes.iter().any(|(p, _)| *p == Param::BytesPerRead);
        // Rows between changes of each axis's value (the last axis changes every row).
        let mut strides = vec![1usize; self.axes.len()];
        for k in (0..self.axes.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * self.axes[k + 1].1.len();
        }
        let stage_users: [f64; 4] = std::array::from_fn(|i| STAGES[i + 1].from_users);
        let stage_peaks: [f64; 4] = std::array::from_fn(|i| STAGES[i + 1].from_peak().per_second());
        let by_users =
            self.base.users.is_some() || self.axes.iter().any(|(p, _)| *p == Param::Users);
        let mut done = 0;
        while done < len {
            let rows = BATCH.min(len - done);
            let first = part.start + done;
            for (k, (param, values)) in self.axes.iter().enumerate() {
                let stride = strides[k];
                let mut index = (first / stride) % values.len();
                let mut left = stride - first % stride;
                let field = batch.field(*param);
                let column = &mut part.inputs[k][done..done + rows];
                let mut row = 0;
                while row < rows {
                    let run = left.min(rows - row);
                    let v = values[index];
                    field[row..row + run].fill(v);
                    column[row..row + run].fill(v);
                    row += run;
                    index = if index + 1 == values.len() {
                        0
                    } else {
                        index + 1
                    };
                    left = stride;
                }
            }
            if reads_follow_writes {
                batch.read_size[..rows].copy_from_slice(&batch.bytes_per_write[..rows]);
            }
            for (out, column) in part.outputs.iter_mut().zip(&columns) {
                batch.compute(*column, &mut out[done..done + rows], self.pricing.as_ref());
            }
            if let Some(stages) = part.stages.as_mut() {
                for (row, stage) in stages[done..done + rows].iter_mut().enumerate() {
                    // By users, as the seed's journey is; by peak rate for totals.
                    let passed = if by_users {
                        let users = batch.users[row];
                        stage_users.iter().filter(|t| users >= **t).count()
                    } else {
                        let peak = batch.at(row).figures().peak_requests;
                        stage_peaks.iter().filter(|t| peak >= **t).count()
                    };
                    *stage = 1 + passed as u32;
                }
            }
            done += rows;
        }
    }
}

/// A column's bound: `peak_requests [req/s]` → `peak_requests_low [req/s]`.
pub(crate) fn bounded(column: &str, suffix: &str) -> String {
    match column.split_once(" [") {
        Some((name, unit)) => format!("{name}{suffix} [{unit}"),
        None => format!("{column}{suffix}"),
    }
}

/// Rows computed together: few enough that a batch's inputs stay in the L1 cache.
const BATCH: usize = 256;

/// The chain's inputs for a batch of rows, one array per field, so that each
/// output is computed by a tight loop the compiler vectorises. Fields no axis
/// varies keep the base workload's value in every slot.
struct Batch {
    users: [f64; BATCH],
    writes: [f64; BATCH],
    reads_per_write: [f64; BATCH],
    bytes_per_write: [f64; BATCH],
    read_size: [f64; BATCH],
    peak_factor: [f64; BATCH],
    replication: [f64; BATCH],
    retention_years: [f64; BATCH],
    cache_fraction: [f64; BATCH],
    base: Inputs,
}

impl Batch {
    fn new(base: Inputs) -> Batch {
        Batch {
            users: [base.users; BATCH],
            writes: [base.writes; BATCH],
            reads_per_write: [base.reads_per_write; BATCH],
            bytes_per_write: [base.bytes_per_write; BATCH],
            read_size: [base.read_size; BATCH],
            peak_factor: [base.peak_factor; BATCH],
            replication: [base.replication; BATCH],
            retention_years: [base.retention_years; BATCH],
            cache_fraction: [base.cache_fraction; BATCH],
            base,
        }
    }

    /// The slots `param` sets.
    fn field(&mut self, param: Param) -> &mut [f64; BATCH] {
        match param {
            Param::Users => &mut self.users,
            Param::Writes => &mut self.writes,
            Param::ReadsPerWrite => &mut self.reads_per_write,
            Param::BytesPerWrite => &mut self.bytes_per_write,
            Param::BytesPerRead => &mut self.read_size,
            Param::PeakFactor => &mut self.peak_factor,
            Param::Replication => &mut self.replication,
            Param::RetentionYears => &mut self.retention_years,
            Param::CacheFraction => &mut self.cache_fraction,
        }
    }

    /// Row `row`'s inputs.
    #[inline(always)]
    fn at(&self, row: usize) -> Inputs {
        Inputs {
            users: self.users[row],
            writes: self.writes[row],
            reads_per_write: self.reads_per_write[row],
            bytes_per_write: self.bytes_per_write[row],
            read_size: self.read_size[row],
            peak_factor: self.peak_factor[row],
            replication: self.replication[row],
            retention_years: self.retention_years[row],
            cache_fraction: self.cache_fraction[row],
            ..self.base
        }
    }

    /// Writes `output` for the first `out.len()` rows: one loop per output,
    /// in which the figures it does not need are never computed.
    fn compute(&self, column: Col, out: &mut [f64], pricing: Option<&Pricing>) {
        let rows = out.len().min(BATCH);
        let out = &mut out[..rows];
        match column {
            Col::Figure(output) => output.with(Fill { batch: self, out }),
            Col::Stream(i, _) => {
                for (row, slot) in out.iter_mut().enumerate() {
                    let inputs = self.at(row);
                    *slot = inputs.stream_rates(inputs.figures().writes)[i];
                }
            }
            Col::Cost => {
                if let Some(pricing) = pricing {
                    let month = self.base.month;
                    for (row, slot) in out.iter_mut().enumerate() {
                        let inputs = self.at(row);
                        let f = inputs.figures();
                        *slot = dollars_per_second(pricing, &f, inputs.replication, month) * month;
                    }
                }
            }
        }
    }
}

/// One figure's column for a batch's first `out.len()` rows: a loop the compiler builds once
/// per figure ([`ForFigure`]), in which the figures it does not need are never computed.
struct Fill<'a> {
    batch: &'a Batch,
    out: &'a mut [f64],
}

impl ForFigure for Fill<'_> {
    type Out = ();

    #[inline(always)]
    fn run(self, figure: impl Fn(&Figures) -> f64 + Copy) {
        for (row, slot) in self.out.iter_mut().enumerate() {
            *slot = figure(&self.batch.at(row).figures());
        }
    }
}

/// An output column: a figure of the chain, or one stream's rate.
#[derive(Debug, Clone, Copy)]
enum Col {
    Figure(Output),
    Stream(usize, &'static str),
    /// The monthly cost at the sweep's pricing.
    Cost,
}

impl Col {
    fn name(self) -> String {
        match self {
            Col::Figure(output) => output.column().to_string(),
            Col::Stream(_, name) => format!("{name} [req/s]"),
            Col::Cost => "cost_per_month [$/month]".to_string(),
        }
    }
}

/// One thread's share of the columns.
struct Part<'a> {
    start: usize,
    inputs: Vec<&'a mut [f64]>,
    outputs: Vec<&'a mut [f64]>,
    stages: Option<&'a mut [u32]>,
}

impl fmt::Display for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sweep over")?;
        for (p, v) in &self.axes {
            write!(f, " {} ({} values)", p.column(&self.base), v.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn log_ranges() {
        let v = log_range(1e3, 1e8, 2).unwrap();
        assert_eq!(v.len(), 11);
        assert_eq!(v[0], 1e3);
        assert_eq!(v[10], 1e8);
        assert!((v[1] - 3162.28).abs() < 0.01);
        assert!(log_range(0.0, 1e3, 2).is_err());
        assert!(log_range(1e3, 1e2, 2).is_err());
        assert!(log_range(1e3, 1e4, 0).is_err());
    }

    #[test]
    fn rows_match_the_chain() {
        let base = Workload::new(users(1e3), per_user_per_day(10.0))
            .reads_per_write(5.0)
            .bytes_per_write(kb(1.0));
        let frame = Sweep::new(base)
            .vary(Param::Users, [1e3, 1e6, 100e6])
            .vary(Param::BytesPerWrite, [500.0, 1000.0])
            .run()
            .unwrap();
        assert_eq!(frame.height(), 6);
        let e = Workload::new(users(100e6), per_user_per_day(10.0))
            .reads_per_write(5.0)
            .bytes_per_write(kb(1.0))
            .estimate()
            .unwrap();
        let last = |name: &str| frame.column(name).unwrap().f64().unwrap().get(5).unwrap();
        assert_eq!(last("users"), 100e6);
        assert_eq!(last("bytes_per_write [B]"), 1000.0);
        assert_eq!(last("peak_requests [req/s]"), e.peak_requests.per_second());
        assert_eq!(
            last("storage_per_year [B]"),
            e.storage_per_year.value_in(Per::Year)
        );
        let stage = frame.column("stage").unwrap().u32().unwrap();
        assert_eq!(stage.get(0), Some(1));
        assert_eq!(stage.get(5), Some(5));
    }

    #[test]
    fn every_column_is_its_figure() {
        let w = Workload::new(users(2e6), per_user_per_day(7.0))
            .reads_per_write(3.0)
            .bytes_per_write(kb(2.0))
            .stream("search", per_month(1e9))
            .replication(3.0);
        let frame = Sweep::new(w).vary(Param::Users, [1e3, 2e6]).run().unwrap();
        let f = w.figures();
        for figure in crate::figure::FIGURES {
            let column = frame.column(figure.column).unwrap().f64().unwrap();
            assert_eq!(column.get(1), Some(f.get(figure.output)), "{}", figure.name);
            assert!(f.get(figure.output) > 0.0, "{} is zero here", figure.name);
        }
        let search = frame.column("search [req/s]").unwrap().f64().unwrap();
        let e = w.estimate().unwrap();
        assert_eq!(
            search.get(1),
            Some(e.stream("search").unwrap().rate.per_second())
        );
    }

    #[test]
    fn bad_values_are_named() {
        let base = Workload::new(users(1e3), per_user_per_day(10.0));
        let err = Sweep::new(base)
            .vary(Param::PeakFactor, [3.0, 0.5])
            .run()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid peak_factor = 0.5"),
            "{err}"
        );
        let err = Sweep::new(base)
            .vary(Param::Users, log_range(1.0, 1e9, 100).unwrap())
            .vary(Param::Writes, vec![1.0; 1000])
            .vary(Param::PeakFactor, vec![3.0; 1000])
            .run()
            .unwrap_err();
        assert!(
            err.to_string().contains("more than 100,000,000 rows"),
            "{err}"
        );
    }

    #[test]
    fn a_value_set_on_a_ranged_parameter_is_exact() {
        // A live view's slider (or an axis) on a guessed input replaces the guess; the other
        // guesses stay.
        let mut w = Workload::new(between(users(1e6), users(4e6)), per_user_per_day(10.0))
            .peak_factor(between(2.0, 4.0));
        Param::Users.set(&mut w, 9e6);
        assert_eq!(w.range(Param::Users), None);
        assert_eq!(w.range(Param::PeakFactor), Some((2.0, 4.0)));
        let e = w.estimate().unwrap();
        assert_eq!(e.low().writes, e.writes);
        assert!(e.low().peak_writes < e.peak_writes);
    }

    #[test]
    fn large_sweeps_split_across_threads_identically() {
        let base = Workload::new(users(1e3), per_user_per_day(10.0)).bytes_per_write(kb(1.0));
        let frame = Sweep::new(base)
            .vary(Param::Users, log_range(1e3, 1e8, 100).unwrap())
            .vary(Param::Writes, (1..=500).map(f64::from))
            .run()
            .unwrap();
        assert_eq!(frame.height(), 501 * 500);
        let users = frame.column("users").unwrap().f64().unwrap();
        let writes = frame.column("writes [req/s]").unwrap().f64().unwrap();
        for row in [0, 1, 499, 500, 125_249, 125_250, 250_499] {
            let u = users.get(row).unwrap();
            let per_user = (row % 500 + 1) as f64;
            assert!((writes.get(row).unwrap() - u * per_user / 86_400.0).abs() < 1e-6);
        }
    }

    #[test]
    fn cost_column_matches_each_rows_estimate() {
        let base = Workload::new(users(1e6), per_user_per_day(10.0))
            .reads_per_write(10.0)
            .bytes_per_write(kb(1.0));
        let pricing = Pricing::aws_2024()
            .server(Server::throughput(qps(10_000.0)).storage(tb(10.0)))
            .egress_per_gb(0.05);
        let (user_values, copies) = ([1e6, 1e7, 1e8], [1.0, 3.0]);
        let frame = Sweep::new(base)
            .vary(Param::Users, user_values)
            .vary(Param::Replication, copies)
            .outputs(&[], false)
            .cost(&pricing)
            .run()
            .unwrap();
        let cost = frame
            .column("cost_per_month [$/month]")
            .unwrap()
            .f64()
            .unwrap();
        assert_eq!(cost.len(), 6);
        for (row, (u, r)) in user_values
            .iter()
            .flat_map(|u| copies.iter().map(move |r| (*u, *r)))
            .enumerate()
        {
            let mut w = base;
            w.users = Some(u);
            let e = w.replication(r).estimate().unwrap();
            let expected = e.cost(&pricing).unwrap().total.value_in(Per::Month);
            let got = cost.get(row).unwrap();
            assert!(
                (got - expected).abs() < 1e-9 * expected,
                "row {row}: {got} vs {expected}"
            );
        }
        // A chart of the cost over the scaling journey, its axis in dollars.
        let journey = Sweep::new(base)
            .vary(Param::Users, log_range(1e3, 1e8, 2).unwrap())
            .outputs(&[], false)
            .cost(&pricing)
            .run()
            .unwrap();
        let chart = crate::chart::Chart::lines(
            &journey,
            "users",
            &["cost_per_month [$/month]"],
            true,
            true,
        )
        .unwrap();
        let svg = chart.to_svg().unwrap();
        assert!(svg.contains("$1K") || svg.contains("$10K"), "{svg}");
        let err = Sweep::new(base)
            .cost(&Pricing::new().egress_per_gb(-1.0))
            .run()
            .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid egress_per_gb"),
            "{err}"
        );
    }
}
