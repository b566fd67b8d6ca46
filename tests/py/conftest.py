"""Shared fixtures for the Python-side tests: they drive the real napkin-kernel
binary (installed as the "napkin" kernelspec in .venv by scripts/setup) through
real Jupyter clients over real sockets on 127.0.0.1."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Kernelspecs are looked up in sys.prefix/share/jupyter, where scripts/setup installed ours.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
assert (pathlib.Path(sys.prefix) / "share/jupyter/kernels/napkin/kernel.json").exists(), (
    "the napkin kernelspec is not installed in this environment: run scripts/setup"
)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The docs site, built once per test run as `mkdocs build --strict` builds it."""
    site = tmp_path_factory.mktemp("docs") / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
    )
    return site
