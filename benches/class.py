"""Class benchmark: N learners on one machine, each in their own kernel, all at once (issue 21).

A class is one machine and many learners who press "Run All" at about the same time. For each
N (default 1, 5, 10, 20), N simulated learners each start their own napkin kernel (a
jupyter_client KernelManager over real sockets on 127.0.0.1, one connection each, one client
thread each) and run the whole 24-cell learner session of benches/kernel.py, learner i
starting at i * 10 / N s (all within 10 s), every learner against the same, already-warm
dependency cache (the default one, or --cache DIR as NAPKIN_KERNEL_CACHE; the kernel keeps
their sessions apart). Then the same with N IPython kernels running the Python session (pint,
pandas, matplotlib). Each kernel kind gets one untimed warm-up cell first (it would show a cold
cache: a first cell that builds the cache takes minutes, not seconds).

Measured, per N and per kernel kind: cells right (every cell checked as benches/kernel.py
checks it), per-cell latency p50 / p95 / max over every warm cell (all cells but each learner's
first) of every learner, the first cells, kernel start -> ready, the time for the whole class to
finish (from the first learner's start to the last learner's last result), peak total memory
(the sums of VmRSS and of PSS over every kernel and all its processes, rustc included, sampled
every 0.5 s by a thread; the memory target is judged on PSS, which counts the pages every
rustc and kernel of the class share once) and per learner, memory with every notebook open and idle at the end (VmRSS sum,
and PSS sum: VmRSS counts each shared library once per process that maps it, PSS splits it
between them), and CPU seconds used by the kernels and everything they ran (reaped children's
times, after the kernels stopped). Then ratios: p95 at N vs p95 at N = 1, napkin vs IPython.
The last line says how many learners per core the figures support (the largest N whose napkin
p95 stays <= 2 s, over os.cpu_count()), memory per learner, and whether the targets are met:
every cell right at every N, peak memory (PSS) per learner <= 250 MiB at the largest N, p95 at
N = 10 <= 10 x p95 at N = 1.

Usage: .venv/bin/python benches/class.py [--learners 1,5,10,20 | --quick] [--binary PATH]
       [--cache DIR] [--only napkin|python] [--spread SECONDS] [--cell-timeout SECONDS]

--quick runs N = 1, 2 (a smoke test, a couple of minutes). --binary runs that napkin-kernel
through a temporary kernelspec (default: the installed kernelspec "napkin"). The full run
keeps every core busy for many minutes. Progress goes to stderr, the figures to stdout.
"""

import argparse
import importlib.util
import json
import os
import pathlib
import queue
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

HERE = pathlib.Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("napkin_bench_kernel", HERE / "kernel.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
log, fmt, right = bench.log, bench.fmt, bench.right

P95_LIMIT = 2.0  # seconds: the p95 warm cell a learner can still work with
MEMORY_TARGET = 250  # MiB per learner
RATIO_TARGET = 10  # p95 at N = 10 over p95 at N = 1


class Sampler(threading.Thread):
    """Every `period` s, the sums of VmRSS and of PSS over every registered kernel and its
    descendants: VmRSS counts a shared page (rustc's own library, napkin's, the crate metadata
    every rustc of the class maps) once per process, PSS splits it between them, so the PSS
    sum is what the class costs the machine."""

    def __init__(self, period=0.5):
        super().__init__(daemon=True)
        self.period, self.roots, self.lock = period, set(), threading.Lock()
        self.peak, self.peak_pss, self.samples, self.halt = 0.0, 0.0, 0, threading.Event()

    def add(self, pid):
        with self.lock:
            self.roots.add(pid)

    def discard(self, pid):
        with self.lock:
            self.roots.discard(pid)

    def pids(self):
        children = bench.process_children()
        with self.lock:
            roots = list(self.roots)
        return {p for root in roots for p in bench.descendants(root, children)}

    def total(self):
        return sum(status_kib(p, "VmRSS") for p in self.pids()) / 1024

    def run(self):
        while not self.halt.is_set():
            pids = self.pids()
            self.peak = max(self.peak, sum(status_kib(p, "VmRSS") for p in pids) / 1024)
            self.peak_pss = max(self.peak_pss, sum(pss_kib(p) for p in pids) / 1024)
            self.samples += 1
            self.halt.wait(self.period)

    def stop(self):
        self.halt.set()
        self.join()
        return self.peak


def status_kib(pid, field):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def pss_kib(pid):
    """Proportional set size: shared pages split between the processes that map them."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def process_lines(root):
    """One line per process of a kernel's tree: pid, name, VmRSS (anonymous + file-backed:
    the mapped binary and libraries, which the kernel may page out when idle), PSS; MiB."""
    lines = []
    for p in bench.descendants(root):
        try:
            name = pathlib.Path(f"/proc/{p}/comm").read_text().strip()
        except OSError:
            continue
        mib = {f: status_kib(p, f) / 1024 for f in ("VmRSS", "RssAnon", "RssFile")}
        lines.append(f"    {p:>7} {name:<16} VmRSS {mib['VmRSS']:6.1f} (anon {mib['RssAnon']:6.1f}, "
                     f"file {mib['RssFile']:6.1f})  PSS {pss_kib(p) / 1024:6.1f}")
    return lines


class ClassSession(bench.Session):
    """benches/kernel.py's Session, telling the sampler its pid as soon as the process runs
    (before it answers) and stopping the kernel if it never answers."""

    def __init__(self, kernel, env, sampler, ready_timeout):
        self.started = time.perf_counter()
        self.km = KernelManager(kernel_name=kernel)
        self.km.start_kernel(env={**os.environ, **env})
        self.pid = self.km.provisioner.process.pid
        sampler.add(self.pid)
        try:
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=ready_timeout)
        except BaseException:
            sampler.discard(self.pid)
            self.km.shutdown_kernel(now=True)
            raise


class Learner:
    def __init__(self, index, start_at):
        self.index, self.start_at = index, start_at
        self.session = None
        self.times, self.wrong, self.error = [], [], None
        self.began = self.ready = self.finished = None


def run_learner(learner, kind, t0, sampler, args):
    kernel, cells, setup, env = kind["kernel"], kind["cells"], kind["setup"], kind["env"]
    time.sleep(max(0.0, t0 + learner.start_at - time.perf_counter()))
    learner.began = time.perf_counter() - t0
    try:
        learner.session = ClassSession(kernel, env, sampler, ready_timeout=args.cell_timeout)
        learner.ready = time.perf_counter() - t0 - learner.began
        if setup:
            learner.session.run(setup, timeout=args.cell_timeout)
        for i, (code, expected) in enumerate(cells):
            seconds, status, shown, ename = learner.session.run(code, timeout=args.cell_timeout)
            learner.times.append(seconds)
            if not right(expected, status, shown, ename):
                learner.wrong.append((i, code.splitlines()[0][:60], status, (ename or shown)[:160]))
    except queue.Empty:
        learner.error = f"no answer within {args.cell_timeout:.0f} s (cell {len(learner.times) + 1})"
    except Exception as error:  # a kernel that fails to start or dies: the learner's cells are wrong
        learner.error = repr(error)[:300]
    learner.finished = time.perf_counter() - t0
    done = len(learner.times) - len(learner.wrong)
    log(f"  learner {learner.index + 1}: {done}/{len(cells)} right, "
        f"finished at {learner.finished:.1f} s" + (f" ({learner.error})" if learner.error else ""))


def percentile(values, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    values = sorted(values)
    if not values:
        return float("nan")
    at = (len(values) - 1) * q
    low = int(at)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (at - low)


def cpu_children():
    t = os.times()
    return t.children_user + t.children_system


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_class(kind, n, args):
    """N learners of one kernel kind at once: a dict of figures."""
    log(f"{kind['name']}: {n} learner{'s' if n > 1 else ''}, starting within {args.spread:g} s")
    sampler = Sampler()
    cpu_before, self_before = cpu_children(), cpu_self()
    learners = [Learner(i, i * args.spread / n) for i in range(n)]
    sampler.start()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=run_learner, args=(learner, kind, t0, sampler, args),
                                daemon=True) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    finished = max(learner.finished for learner in learners)

    # Every notebook still open, every kernel idle: what the class holds between cells.
    time.sleep(1)
    pids = sampler.pids()
    idle_rss = sum(status_kib(p, "VmRSS") for p in pids) / 1024
    idle_pss = sum(pss_kib(p) for p in pids) / 1024
    first = next((lr for lr in learners if lr.session), None)
    if first and n == min(args.learners):
        log("  processes of learner 1's kernel, idle at the end (MiB):")
        for line in process_lines(first.session.pid):
            log(line)

    def stop(learner):
        if learner.session:
            sampler.discard(learner.session.pid)
            try:
                learner.session.stop()
            except Exception as error:
                log(f"  learner {learner.index + 1}: stopping its kernel failed: {error!r}")

    stoppers = [threading.Thread(target=stop, args=(learner,)) for learner in learners]
    for thread in stoppers:
        thread.start()
    for thread in stoppers:
        thread.join()
    peak = sampler.stop()
    peak_pss = sampler.peak_pss
    cpu = cpu_children() - cpu_before
    client_cpu = cpu_self() - self_before

    cells = kind["cells"]
    warm = [s for lr in learners for s in lr.times[1:]]
    first_cells = [lr.times[0] for lr in learners if lr.times]
    right_count = sum(len(lr.times) - len(lr.wrong) for lr in learners)
    for lr in learners:
        for i, code, status, detail in lr.wrong:
            log(f"  wrong (learner {lr.index + 1}, cell {i + 1}): {code} -> {status}: {detail}")
    slowest = sorted(((s, lr.index, i) for lr in learners for i, s in enumerate(lr.times) if i),
                     reverse=True)[:3]
    for s, li, i in slowest:
        log(f"  slow: {fmt(s):>8}  learner {li + 1}, cell {i + 1}: {cells[i][0].splitlines()[0][:60]}")
    figures = {
        "right": right_count, "cells": n * len(cells),
        "p50": percentile(warm, 0.5), "p95": percentile(warm, 0.95),
        "max": max(warm) if warm else float("nan"),
        "first_p50": statistics.median(first_cells) if first_cells else float("nan"),
        "first_max": max(first_cells) if first_cells else float("nan"),
        "ready_max": max((lr.ready for lr in learners if lr.ready is not None), default=float("nan")),
        "finished": finished, "peak": peak, "peak_pss": peak_pss, "idle_rss": idle_rss, "idle_pss": idle_pss,
        "cpu": cpu, "client_cpu": client_cpu, "samples": sampler.samples,
    }
    log(f"  {right_count}/{n * len(cells)} cells right, warm p50 {fmt(figures['p50'])}, "
        f"p95 {fmt(figures['p95'])}, class finished in {finished:.1f} s, peak {peak:,.0f} MiB "
        f"({sampler.samples} samples), CPU {cpu:.1f} s (this client {client_cpu:.1f} s)")
    return figures


def warm_up(kind, args):
    """One untimed kernel and first cell per kind: a cold cache shows here, not in the class."""
    log(f"{kind['name']}: warm-up (one kernel, its first cell, untimed)")
    started = time.perf_counter()
    session = ClassSession(kind["kernel"], kind["env"], Sampler(), ready_timeout=args.cell_timeout)
    try:
        if kind["setup"]:
            session.run(kind["setup"], timeout=args.cell_timeout)
        _, status, _, ename = session.run(kind["cells"][0][0], timeout=args.cell_timeout)
    finally:
        session.stop()
    seconds = time.perf_counter() - started
    log(f"  warm-up: {status} in {seconds:.1f} s" + (f" ({ename})" if ename else ""))
    if status != "ok":
        sys.exit(f"{kind['name']}: the warm-up cell failed: {ename}\n(napkin: is the cache warm "
                 "for this binary, and are napkin's sources where it was built, or NAPKIN_PATH?)")
    if seconds > 60:
        log("  the warm-up took over a minute: the cache was cold (it is warm now)")


def temp_kernelspec(binary):
    """A kernelspec running `binary`, in a new directory put first on JUPYTER_PATH."""
    binary = pathlib.Path(binary).resolve()
    if not os.access(binary, os.X_OK):
        sys.exit(f"--binary {binary}: not an executable file")
    spec = {"argv": [str(binary), "--connection-file", "{connection_file}"],
            "display_name": f"Rust (napkin, {binary.name})", "language": "rust",
            "interrupt_mode": "message", "env": {}, "metadata": {"debugger": False}}
    try:
        installed = KernelSpecManager().get_kernel_spec("napkin").to_dict()
        spec.update({k: installed[k] for k in ("interrupt_mode", "env", "metadata") if k in installed})
        spec["argv"] = [str(binary)] + installed["argv"][1:]
    except NoSuchKernel:
        pass
    directory = pathlib.Path(tempfile.mkdtemp(prefix="napkin-class-spec-"))
    (directory / "kernels" / "napkin-class").mkdir(parents=True)
    (directory / "kernels" / "napkin-class" / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(directory), os.environ.get("JUPYTER_PATH")) if p)
    return "napkin-class", directory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="1,5,10,20",
                        help="comma-separated class sizes (default 1,5,10,20)")
    parser.add_argument("--quick", action="store_true", help="class sizes 1,2: a smoke test")
    parser.add_argument("--binary", type=pathlib.Path,
                        help="run this napkin-kernel (default: the installed kernelspec `napkin`)")
    parser.add_argument("--cache", type=pathlib.Path,
                        help="NAPKIN_KERNEL_CACHE for every learner (default: the kernel's own)")
    parser.add_argument("--spread", type=float, default=10.0,
                        help="learners start within this many seconds (default 10)")
    parser.add_argument("--cell-timeout", type=float, default=600.0,
                        help="seconds a cell (or a kernel start) may take before it counts as wrong")
    parser.add_argument("--only", choices=["napkin", "python"],
                        help="run one kernel kind only (default: both)")
    args = parser.parse_args()
    args.learners = [1, 2] if args.quick else sorted({int(n) for n in args.learners.split(",")})
    if not args.learners or min(args.learners) < 1:
        sys.exit("--learners: positive class sizes, e.g. 1,5,10,20")

    spec_dir, napkin, kinds = None, None, []
    if args.only != "python":
        if args.binary:
            napkin, spec_dir = temp_kernelspec(args.binary)
        elif bench.available("napkin"):
            napkin = "napkin"
        else:
            sys.exit("the napkin kernelspec is not installed (run scripts/setup) and no --binary given")
        kinds.append({"name": "napkin-kernel", "kernel": napkin, "cells": bench.RUST_SESSION,
                      "setup": None,
                      "env": {"NAPKIN_KERNEL_CACHE": str(args.cache.resolve())} if args.cache else {}})
    if args.only != "napkin":
        if not bench.available("python3"):
            sys.exit("no python3 kernelspec (ipykernel) in this environment: run scripts/setup")
        kinds.append({"name": "IPython+pint", "kernel": "python3", "cells": bench.PY_SESSION,
                      "setup": bench.PY_SETUP, "env": {}})
    cores = os.cpu_count() or 1
    log(f"class benchmark: N = {', '.join(map(str, args.learners))} on {cores} cores" + (
        f"; napkin kernelspec {napkin} ({KernelSpecManager().get_kernel_spec(napkin).argv[0]}), "
        f"cache {args.cache or os.environ.get('NAPKIN_KERNEL_CACHE') or 'the default'}"
        if napkin else ""))

    started = time.perf_counter()
    results = {}
    try:
        for kind in kinds:
            warm_up(kind, args)
            for n in args.learners:
                results[kind["name"], n] = run_class(kind, n, args)
    finally:
        if spec_dir:
            shutil.rmtree(spec_dir, ignore_errors=True)
    log(f"done in {time.perf_counter() - started:.0f} s")
    report(kinds, args.learners, results, cores)


def ratio(a, b):
    if not b or b != b or a != a:
        return ""
    return f"{a / b:.1f}x" if a / b >= 0.1 else f"{a / b:.2g}x"


def report(kinds, sizes, results, cores):
    base = sizes[0]
    head = [f"N={n}" for n in sizes]
    mib = lambda v: f"{v:,.0f} MiB"  # noqa: E731
    rows = []
    for kind in kinds:
        rows.append((kind["name"], None))
        r = [results[kind["name"], n] for n in sizes]
        rows += [
            ("cells right", [f"{f['right']}/{f['cells']}" for f in r]),
            ("warm cell p50", [fmt(f["p50"]) for f in r]),
            ("warm cell p95", [fmt(f["p95"]) for f in r]),
            ("warm cell max", [fmt(f["max"]) for f in r]),
            (f"p95 vs p95 at N={base}", [ratio(f["p95"], r[0]["p95"]) for f in r]),
            ("first cell p50 / max", [f"{fmt(f['first_p50'])} / {fmt(f['first_max'])}" for f in r]),
            ("kernel start -> ready, max", [fmt(f["ready_max"]) for f in r]),
            ("whole class finished", [fmt(f["finished"]) for f in r]),
            ("peak memory, all kernels (VmRSS)", [mib(f["peak"]) for f in r]),
            ("peak memory per learner, VmRSS", [mib(f["peak"] / n) for f, n in zip(r, sizes)]),
            ("peak memory, all kernels (PSS)", [mib(f["peak_pss"]) for f in r]),
            ("peak memory per learner, PSS", [mib(f["peak_pss"] / n) for f, n in zip(r, sizes)]),
            ("idle at the end per learner, VmRSS", [mib(f["idle_rss"] / n) for f, n in zip(r, sizes)]),
            ("idle at the end per learner, PSS", [mib(f["idle_pss"] / n) for f, n in zip(r, sizes)]),
            ("CPU seconds, kernels", [f"{f['cpu']:.1f} s" for f in r]),
            ("CPU seconds per learner", [f"{f['cpu'] / n:.1f} s" for f, n in zip(r, sizes)]),
        ]
    if len(kinds) == 2:
        a, b = kinds[0]["name"], kinds[1]["name"]
        rows.append((f"{a} / {b}", None))
        pairs = [(results[a, n], results[b, n], n) for n in sizes]
        rows += [
            ("warm cell p95", [ratio(x["p95"], y["p95"]) for x, y, _ in pairs]),
            ("whole class finished", [ratio(x["finished"], y["finished"]) for x, y, _ in pairs]),
            ("peak memory per learner, PSS", [ratio(x["peak_pss"], y["peak_pss"]) for x, y, _ in pairs]),
            ("CPU seconds", [ratio(x["cpu"], y["cpu"]) for x, y, _ in pairs]),
        ]
    width = max(len(name) for name, _ in rows) + 2
    cols = [max(len(h), *(len(v[i]) for _, v in rows if v)) for i, h in enumerate(head)]
    print(f"\n{'':{width}}" + "  ".join(f"{h:>{c}}" for h, c in zip(head, cols)))
    for name, values in rows:
        if values is None:
            print(name)
        else:
            print(f"  {name:{width - 2}}" + "  ".join(f"{v:>{c}}" for v, c in zip(values, cols)))

    if kinds[0]["name"] != "napkin-kernel":
        return
    napkin = kinds[0]["name"]
    r = {n: results[napkin, n] for n in sizes}
    all_right = all(f["right"] == f["cells"] for f in r.values())
    fast = [n for n in sizes if r[n]["p95"] <= P95_LIMIT and r[n]["right"] == r[n]["cells"]]
    largest = max(fast, default=0)
    top = sizes[-1]
    # What the class costs the machine: shared pages counted once (PSS).
    per_learner = r[top]["peak_pss"] / top
    if 1 in r and 10 in r:
        scale = r[10]["p95"] / r[1]["p95"]
        scale_text = f"p95 at N=10 is {scale:.1f}x N=1 (target <= {RATIO_TARGET}x: " \
                     f"{'met' if scale <= RATIO_TARGET else 'NOT met'})"
    else:
        scale_text = f"p95 at N=10 vs N=1: not measured (target <= {RATIO_TARGET}x)"
    print("\ntargets:")
    print(f"  {'met' if all_right else 'NOT met'}: every napkin cell right at every N")
    print(f"  {'met' if per_learner <= MEMORY_TARGET else 'NOT met'}: peak memory per learner "
          f"<= {MEMORY_TARGET} MiB at N={top}, PSS ({per_learner:,.0f} MiB)")
    print(f"  {scale_text}")
    print(f"\nsummary: {largest / cores:g} learners per core (napkin p95 <= {P95_LIMIT:g} s up to "
          f"N={largest}{'' if largest < top else ', the largest measured'}, {cores} cores); "
          f"memory per learner {per_learner:,.0f} MiB PSS at N={top} (target <= {MEMORY_TARGET}: "
          f"{'met' if per_learner <= MEMORY_TARGET else 'NOT met'}); {scale_text}; every cell right: "
          f"{'met' if all_right else 'NOT met'}")


if __name__ == "__main__":
    main()
