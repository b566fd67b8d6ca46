"""Shared fixtures for the Python-side tests: they drive the real napkin-kernel
binary (installed as the "napkin" kernelspec in .venv by scripts/setup) through
real Jupyter clients over real sockets on 127.0.0.1."""

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Kernelspecs are looked up in sys.prefix/share/jupyter, where scripts/setup installed ours.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
assert (pathlib.Path(sys.prefix) / "share/jupyter/kernels/napkin/kernel.json").exists(), (
    "the napkin kernelspec is not installed in this environment: run scripts/setup"
)
