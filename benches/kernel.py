"""Kernel speed: napkin-kernel and, when installed, evcxr_jupyter (kernelspec "rust",
from `cargo install evcxr_jupyter --locked && evcxr_jupyter --install`), over real Jupyter
clients, in one run. Prints min / median / max for each measure and the ratio.

Usage: .venv/bin/python benches/kernel.py [--runs N] [--notebooks]
"""

import argparse
import os
import pathlib
import statistics
import time

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAPKIN_DEP = f':dep napkin = {{ path = "{ROOT}" }}\nuse napkin::prelude::*;'

CELLS = {
    "1 + 1": "1 + 1",
    "estimate": "Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0)).estimate().unwrap().peak_writes",
    "sweep -> DataFrame": "Sweep::new(Workload::new(users(1e3), per_user_per_day(10.0))).vary(Param::Users, log_range(1e3, 1e8, 2).unwrap()).run().unwrap()",
    "chart": "Chart::journey(&Workload::new(users(1e6), per_user_per_day(10.0))).unwrap()",
}


def available(name):
    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


def execute(kc, code, timeout=1800):
    msg_id = kc.execute(code)
    result = None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] in ("execute_result", "display_data"):
            result = msg["content"]["data"]
        if msg["msg_type"] == "error":
            raise RuntimeError(f"{code!r}: {msg['content']['evalue']}")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return result


def rss_kib(pid):
    """Resident memory of a process and its descendants, in KiB."""
    total, todo = 0, [pid]
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    while todo:
        p = todo.pop()
        try:
            for line in pathlib.Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def start(name):
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.kernel_info()
    kc.get_shell_msg(timeout=120)
    return km, kc, time.perf_counter() - t0


def measure(name, runs, prefix):
    figures = {}
    info = []
    for _ in range(runs):
        km, kc, t = start(name)
        info.append(t)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    figures["start -> kernel_info"] = info
    first = []
    for _ in range(max(1, runs // 2)):
        km, kc, t0 = start(name)
        t = time.perf_counter()
        if prefix:
            execute(kc, prefix)
        execute(kc, CELLS["estimate"])
        first.append(time.perf_counter() - t + t0)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    figures["new session -> first napkin result"] = first
    km, kc, _ = start(name)
    if prefix:
        execute(kc, prefix)
    for label, code in CELLS.items():
        execute(kc, code)  # warm-up
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            execute(kc, code)
            times.append(time.perf_counter() - t)
        figures[f"warm {label}"] = times
    figures["memory (kernel + child), MiB"] = [rss_kib(km.provisioner.process.pid) / 1024]
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    return figures


def notebooks():
    times = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        t = time.perf_counter()
        NotebookClient(nb, kernel_name="napkin", timeout=1800).execute()
        times.append((path.stem, time.perf_counter() - t))
    return times


def show(label, values, unit="s"):
    if unit == "MiB":
        return f"{label:<40} {values[0]:8.0f} MiB"
    return f"{label:<40} min {min(values):7.3f} s  median {statistics.median(values):7.3f} s  max {max(values):7.3f} s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--notebooks", action="store_true")
    args = parser.parse_args()
    results = {"napkin": measure("napkin", args.runs, None)}
    if available("rust"):
        results["evcxr_jupyter"] = measure("rust", args.runs, NAPKIN_DEP)
    for kernel, figures in results.items():
        print(f"\n{kernel}")
        for label, values in figures.items():
            print(show(label, values, "MiB" if "MiB" in label else "s"))
    if "evcxr_jupyter" in results:
        print("\nratio napkin / evcxr_jupyter (median; lower is faster)")
        for label, values in results["napkin"].items():
            other = results["evcxr_jupyter"][label]
            print(f"{label:<40} {statistics.median(values) / statistics.median(other):6.2f}")
    else:
        print("\n(evcxr_jupyter is not installed: `cargo install evcxr_jupyter --locked && evcxr_jupyter --install` to compare)")
    if args.notebooks:
        print("\nnotebooks end to end (napkin-kernel)")
        for stem, t in notebooks():
            print(f"{stem:<40} {t:7.1f} s")


if __name__ == "__main__":
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    main()
