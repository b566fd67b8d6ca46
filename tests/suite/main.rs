//! napkin's integration tests, in one binary (one link of polars, not one per file).

mod arithmetic;
mod compile_fail;
mod conventions;
mod debug;
mod examples;
mod format_props;
mod golden;
mod golden_costs;
mod golden_ranges;
mod golden_sources;
mod output;
mod props;
mod ranges;
mod workload;
