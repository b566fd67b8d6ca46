#!/usr/bin/env bash
# Benchmark: a 1,000,000-row sweep in napkin (Rust, polars) and in pandas + pint, in one run,
# and the ratio of their throughputs; napkin's ranged sweep (low/high columns) beside them.
# Needs scripts/setup's .venv (pandas and pint).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-21}"
cargo build --locked --quiet --example bench_sweep
rust=$(cargo run --locked --quiet --example bench_sweep -- "$runs")
python=$(.venv/bin/python benches/sweep_pandas_pint.py "$runs")
echo "$rust"
echo
echo "$python"
r=$(echo "$rust" | sed -n 's/^RESULT rows_per_second=//p')
ranged=$(echo "$rust" | sed -n 's/^RESULT ranged_rows_per_second=//p')
p=$(echo "$python" | sed -n 's/^RESULT rows_per_second=//p')
echo
awk -v r="$r" -v p="$p" 'BEGIN { printf "napkin / pandas+pint throughput: %.1fx (target: at least 2x)\n", r / p }'
awk -v q="$ranged" -v p="$p" 'BEGIN { printf "napkin ranged sweep (3 columns per output) / pandas+pint plain: %.1fx\n", q / p }'
