"""Kernel speed: napkin-kernel against evcxr_jupyter, over real Jupyter clients, in one run.

evcxr_jupyter is the kernelspec "rust" (`cargo install evcxr_jupyter --locked` then
`evcxr_jupyter --install`); its cells load napkin with `:dep`, as a learner would. Measured,
each with min / median / max and the ratio napkin / evcxr_jupyter (lower is faster):

- start -> kernel_info reply;
- new session -> first napkin result, with a warm cache (napkin: the pre-warmed evaluator the
  previous session started is waiting, as it is once a session has run for a minute; and
  without one, NAPKIN_KERNEL_SPARE=0; evcxr with `:cache 1024` after one session filled it)
  and a cold one (an empty napkin cache; evcxr as installed, which compiles every dependency
  in every new session);
- warm cells: `1 + 1`, an estimate, a sweep into a DataFrame, a chart (evcxr's in the
  session that compiled its dependencies, without `:cache`, its fastest; and, for
  information, in a later `:cache` session);
- memory (RSS of the kernel, its evaluator process and their children) after the warm cells,
  and of the pre-warmed evaluator waiting for the next session;
- every notebook in notebooks/ end to end (with --notebooks; evcxr gets a first cell
  with the `:dep`).

Usage: .venv/bin/python benches/kernel.py [--runs N] [--notebooks] [--cold none|evcxr|all]
"""

import argparse
import fcntl
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
NAPKIN_DEP = f':dep napkin = {{ path = "{ROOT}" }}\nuse napkin::prelude::*;'
EVCXR_CACHE = ":cache 1024"
EVCXR_CACHE_DIR = pathlib.Path.home() / ".cache" / "evcxr"
NAPKIN_CACHE = pathlib.Path(
    os.environ.get("NAPKIN_KERNEL_CACHE", pathlib.Path.home() / ".cache" / "napkin-kernel"))

FIRST = "Workload::new(users(1e6), per_user_per_day(10.0)).bytes_per_write(kb(1.0)).estimate().unwrap().peak_writes"
CELLS = {
    "1 + 1": "1 + 1",
    "estimate": FIRST,
    "sweep -> DataFrame": "Sweep::new(Workload::new(users(1e3), per_user_per_day(10.0))).vary(Param::Users, log_range(1e3, 1e8, 2).unwrap()).run().unwrap()",
    "chart": "Chart::journey(&Workload::new(users(1e6), per_user_per_day(10.0))).unwrap()",
}


def available(name):
    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


def execute(kc, code, timeout=3600):
    """Runs `code`, returns its last rich result; raises on an error output."""
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


def descendants(pid):
    """A process and its descendants: pids."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def rss_mib(pid):
    """Resident memory of a process and its descendants, in MiB."""
    total = 0
    for p in descendants(pid):
        try:
            for line in pathlib.Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def temp_build_dirs(pid):
    """The temporary directories (`tempfile`'s `.tmpXXXXXX`) whose files a process or its
    descendants have mapped: evcxr's build directory, where the evaluation process loads each
    cell's shared object from."""
    prefix = os.path.join(tempfile.gettempdir(), ".tmp")
    found = set()
    for p in descendants(pid):
        try:
            maps = pathlib.Path(f"/proc/{p}/maps").read_text()
        except OSError:
            continue
        for line in maps.splitlines():
            fields = line.split(maxsplit=5)
            if len(fields) == 6 and fields[5].startswith(prefix):
                found.add(prefix + fields[5][len(prefix):].split("/")[0])
    return found


def spare_starting():
    """Whether a pre-warmed evaluator holds its lock (warming up or waiting)."""
    for lock in NAPKIN_CACHE.glob("*/spare.lock"):
        with open(lock) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
            except BlockingIOError:
                return True
    return False


def wait_for_spare(timeout=900):
    """Waits until napkin's pre-warmed evaluator listens, starting one if none is on its way
    (a session killed while starting does not start one); returns its pid (None: timed out)."""
    if not spare_starting() and not list(NAPKIN_CACHE.glob("*/spare.sock")):
        binary = KernelSpecManager().get_kernel_spec("napkin").argv[0]
        subprocess.Popen([binary, "spare"], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + timeout
    while time.time() < deadline:
        for socket in NAPKIN_CACHE.glob("*/spare.sock"):
            try:
                return int((socket.parent / "spare.lock").read_text().strip())
            except (OSError, ValueError):
                pass
        time.sleep(0.5)
    return None


def spare_processes():
    """Pids of every `napkin-kernel spare` process."""
    found = []
    for cmdline in pathlib.Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if len(args) > 1 and args[0].endswith(b"napkin-kernel") and args[1] == b"spare":
            found.append(int(cmdline.parent.name))
    return found


class Session:
    """One kernel process, from start to a kernel_info reply."""

    def __init__(self, name, env=None):
        self.km = KernelManager(kernel_name=name)
        t0 = time.perf_counter()
        self.km.start_kernel(env={**os.environ, **(env or {})})
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.kernel_info()
        self.kc.get_shell_msg(timeout=120)
        self.kernel_info = time.perf_counter() - t0
        self.started = t0

    def close(self):
        # evcxr_jupyter leaves its build directory (~0.9 GB with napkin's dependencies) in the
        # temporary directory when its kernel is shut down: a bench run would leave dozens.
        # napkin-kernel's build directories are its cache and are never temporary.
        leftovers = temp_build_dirs(self.km.provisioner.process.pid)
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)


def first_result(name, prefix, env=None):
    """Seconds from starting a kernel to the first napkin result."""
    s = Session(name, env)
    try:
        if prefix:
            execute(s.kc, prefix)
        execute(s.kc, FIRST)
        return time.perf_counter() - s.started
    finally:
        s.close()


def log(text):
    print(text, file=sys.stderr, flush=True)


def warm_cells(kc, runs, suffix=""):
    """Each of CELLS run once, then timed `runs` times."""
    figures = {}
    for label, code in CELLS.items():
        execute(kc, code)  # the first run of a cell is not a warm cell
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            execute(kc, code)
            times.append(time.perf_counter() - t)
        figures[f"warm {label}{suffix}"] = times
    return figures


def measure(name, prefix, runs, cold):
    """Every figure for one kernel. `prefix` loads napkin (evcxr) or is None (napkin)."""
    figures = {}
    log(f"{name}: start -> kernel_info")
    figures["start -> kernel_info"] = []
    for _ in range(runs):
        s = Session(name)
        figures["start -> kernel_info"].append(s.kernel_info)
        s.close()
    if prefix:
        figures.update(measure_evcxr(name, prefix, runs, cold))
        return figures
    if cold == "all":
        log(f"{name}: new session, cold cache (an empty cache: compiles every dependency)")
        with tempfile.TemporaryDirectory() as empty:
            figures["new session -> first result, cold"] = [
                first_result(name, None, {"NAPKIN_KERNEL_CACHE": empty})
            ]
    log(f"{name}: new session, warm cache")
    figures["new session -> first result, warm"] = []
    for _ in range(max(2, runs // 2)):
        # As once the previous session has run for a minute.
        wait_for_spare()
        figures["new session -> first result, warm"].append(first_result(name, None))
    log(f"{name}: new session, warm cache, no pre-warmed evaluator")
    figures["new session -> first result, warm, no spare"] = [
        first_result(name, None, {"NAPKIN_KERNEL_SPARE": "0"})
    ]
    wait_for_spare()
    log(f"{name}: warm cells")
    s = Session(name)
    execute(s.kc, "1")
    # Steady state: the next session's evaluator has finished warming up.
    waiting = wait_for_spare()
    figures.update(warm_cells(s.kc, runs))
    # The waiting spare was started by this kernel (its child until it is adopted).
    kernel = rss_mib(s.km.provisioner.process.pid)
    spare = rss_mib(waiting) if waiting else 0
    adopted = [pid for pid in spare_processes() if pid != waiting]
    figures["memory (kernel + children), MiB"] = [kernel - spare + sum(map(rss_mib, adopted))]
    figures["memory (waiting pre-warmed evaluator), MiB"] = [spare]
    s.close()
    return figures


def measure_evcxr(name, prefix, runs, cold):
    """evcxr_jupyter's figures after kernel_info. Its warm cells are timed at its best: in the
    session that compiled every dependency into its own build directory, without `:cache`
    (as installed). In a later `:cache` session they are slower (also reported): evcxr removes
    its build directory when a kernel shuts down, and the dep-info files its cache restores
    still name the first session's directory, so cargo rebuilds a dozen crates from the cache
    in every cell."""
    figures = {}
    warm_prefix = f"{EVCXR_CACHE}\n{prefix}"
    # evcxr as installed compiles every dependency in every session. Its first session with
    # `:cache` on an empty cache does exactly that (and fills the cache), so it is measured as
    # the cold session: one full compile instead of two.
    shutil.rmtree(EVCXR_CACHE_DIR, ignore_errors=True)
    log(f"{name}: new session, cold (evcxr as installed compiles everything), then warm cells")
    s = Session(name)
    execute(s.kc, warm_prefix)
    execute(s.kc, FIRST)
    if cold != "none":
        figures["new session -> first result, cold"] = [time.perf_counter() - s.started]
    execute(s.kc, ":cache 0")
    figures.update(warm_cells(s.kc, runs))
    figures["memory (kernel + children), MiB"] = [rss_mib(s.km.provisioner.process.pid)]
    s.close()
    log(f"{name}: new session, warm cache")
    figures["new session -> first result, warm"] = [
        first_result(name, warm_prefix) for _ in range(max(2, runs // 2))
    ]
    log(f"{name}: warm cells in a :cache session")
    s = Session(name)
    execute(s.kc, warm_prefix)
    figures.update(warm_cells(s.kc, runs, " (:cache session)"))
    s.close()
    return figures


def notebooks(name, prefix):
    """Seconds to execute each notebook in a new session (napkin loaded by `prefix` if any)."""
    times = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        log(f"{name}: notebook {path.stem}")
        if not prefix:
            wait_for_spare()
        nb = nbformat.read(path, as_version=4)
        if prefix:
            nb.cells.insert(0, nbformat.v4.new_code_cell(prefix))
        t = time.perf_counter()
        NotebookClient(nb, kernel_name=name, timeout=3600).execute()
        times[f"notebook {path.stem}"] = [time.perf_counter() - t]
    return times


def show(label, values):
    if "MiB" in label:
        return f"{label:<44} {values[0]:9.0f} MiB"
    if len(values) == 1:
        return f"{label:<44} {values[0]:9.3f} s"
    return (f"{label:<44} min {min(values):8.3f} s  median {statistics.median(values):8.3f} s"
            f"  max {max(values):8.3f} s  (n={len(values)})")


def targets(napkin, evcxr):
    """The issue's targets, each with the figures it compares."""
    med = {k: statistics.median(v) for k, v in napkin.items()}
    other = {k: statistics.median(v) for k, v in evcxr.items()}
    warm = med["new session -> first result, warm"]
    rows = [
        ("new session, warm cache <= 5 s", f"{warm:.2f} s", warm <= 5),
        ("kernel_info <= 100 ms", f"{med['start -> kernel_info'] * 1e3:.0f} ms",
         med["start -> kernel_info"] <= 0.1),
    ]
    if "new session -> first result, cold" in other:
        x = other["new session -> first result, cold"] / warm
        rows.append((">= 30x evcxr as installed", f"{x:.1f}x", x >= 30))
    x = other["new session -> first result, warm"] / warm
    rows.append((">= 3x evcxr with :cache 1024", f"{x:.1f}x", x >= 3))
    for label, bound in [("1 + 1", 0.6), ("sweep -> DataFrame", 0.35), ("chart", 0.35)]:
        r = med[f"warm {label}"] / other[f"warm {label}"]
        rows.append((f"warm {label} <= {bound}x evcxr", f"{r:.2f}x", r <= bound))
    print("\ntargets")
    for label, figure, ok in rows:
        print(f"{label:<44} {figure:>10}  {'met' if ok else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--notebooks", action="store_true")
    parser.add_argument(
        "--cold", choices=["none", "evcxr", "all"], default="all",
        help="cold-cache sessions to report: none, evcxr's (its first session compiles"
             " everything anyway), or napkin's too (an empty cache: ~8 min on 2 cores)")
    args = parser.parse_args()
    kernels = {"napkin": ("napkin", None)}
    if available("rust"):
        kernels["evcxr_jupyter"] = ("rust", NAPKIN_DEP)
    results = {}
    for label, (name, prefix) in kernels.items():
        results[label] = measure(name, prefix, args.runs, args.cold)
        if args.notebooks:
            results[label].update(notebooks(name, prefix))
    for label, figures in results.items():
        print(f"\n{label}")
        for measure_label, values in figures.items():
            print(show(measure_label, values))
    if "evcxr_jupyter" in results:
        print("\nnapkin / evcxr_jupyter (medians; below 1 is faster)")
        for measure_label, values in results["napkin"].items():
            for suffix in ["", " (:cache session)"]:
                other = results["evcxr_jupyter"].get(measure_label + suffix)
                if other:
                    ratio = statistics.median(values) / statistics.median(other)
                    print(f"{measure_label + suffix:<44} {ratio:8.3f}  ({1 / ratio:.1f}x)")
        print("(evcxr's warm-cache session uses `:cache 1024`; its cold session is evcxr as installed)")
        targets(results["napkin"], results["evcxr_jupyter"])
    else:
        print("\n(evcxr_jupyter is not installed: `cargo install evcxr_jupyter --locked &&"
              " evcxr_jupyter --install` to compare)")


if __name__ == "__main__":
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    main()
