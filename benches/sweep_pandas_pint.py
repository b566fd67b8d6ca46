"""The same 1,000,000-row sweep in Python, as a good Python engineer would write it:
vectorised numpy arrays of pint quantities into a pandas DataFrame."""

import statistics
import sys
import time

import numpy as np
import pandas as pd
import pint

ureg = pint.UnitRegistry()
WARMUP = 3


def sweep():
    dau = np.logspace(3, 8, 101)[:100]
    actions = np.arange(1, 101, dtype=float)
    size = np.arange(1, 101, dtype=float) * 100.0
    d, a, s = (x.ravel() for x in np.meshgrid(dau, actions, size, indexing="ij"))
    users = d * ureg.dimensionless
    per_user = a / ureg.day
    item = s * ureg.byte
    avg = (users * per_user).to(1 / ureg.second)
    peak = avg * 3
    per_day = (avg * item * (1 * ureg.day)).to(ureg.byte)
    per_year = (avg * item * (365 * ureg.day)).to(ureg.byte)
    return pd.DataFrame(
        {
            "users": d,
            "writes_per_user [req/user/day]": a,
            "bytes_per_write [B]": s,
            "requests [req/s]": avg.magnitude,
            "peak_requests [req/s]": peak.magnitude,
            "storage_per_day [B]": per_day.magnitude,
            "storage_per_year [B]": per_year.magnitude,
        },
        copy=False,
    )


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    for _ in range(WARMUP):  # untimed, as on the Rust side
        sweep()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        df = sweep()
        times.append(time.perf_counter() - start)
    rows = len(df)
    median = statistics.median(times)
    print(f"pandas + pint sweep: {rows} rows × {df.shape[1]} columns, {runs} runs after {WARMUP} warm-up runs")
    print(f"  time   min {min(times)*1e3:.1f} ms  median {median*1e3:.1f} ms  max {max(times)*1e3:.1f} ms")
    print(f"  rows/s {rows/median/1e6:.1f} M (median)")
    print(f"RESULT rows_per_second={rows/median:.0f}")


if __name__ == "__main__":
    main()
