"""The docs site really builds (mkdocs build --strict), one page per notebook with
every chart, and nbconvert's Markdown export writes the images it links to."""

import re
import subprocess
import sys

import nbformat

from conftest import NOTEBOOKS, ROOT


def test_mkdocs_builds_a_page_per_notebook_with_its_charts(tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
    )
    for path in NOTEBOOKS:
        page = site / "notebooks" / path.stem / "index.html"
        assert page.exists(), f"no page for {path.name}"
        html = page.read_text()
        nb = nbformat.read(path, as_version=4)
        charts = sum(
            1
            for cell in nb.cells
            if cell.cell_type == "code"
            for out in cell.outputs
            if "image/svg+xml" in out.get("data", {})
        )
        assert html.count("<svg") >= charts, f"{path.name}: {charts} charts in the notebook, fewer in the page"
        assert "Traceback" not in html
        if nb.metadata.get("widgets"):
            # Live views export as their saved widget state (the last values, estimate and
            # chart), which the page's widget manager renders without a kernel.
            assert "application/vnd.jupyter.widget-state+json" in html, path.name
            assert "peak requests" in html and "snapshot" in html, path.name


def test_nbconvert_markdown_images_exist(tmp_path):
    for path in NOTEBOOKS:
        subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "markdown", "--output-dir", str(tmp_path), str(path)],
            check=True,
            capture_output=True,
        )
        md = (tmp_path / f"{path.stem}.md").read_text()
        for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md):
            assert (tmp_path / link).exists(), f"{path.name}: {link} is linked but not written"
