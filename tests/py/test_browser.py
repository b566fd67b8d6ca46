"""Real-browser tests: JupyterLab served on 127.0.0.1, opened in headless Chromium
(Playwright driving Debian's chromium). The scaling-journey notebook run with its
outputs cleared shows its chart; the what-if notebook's sliders, moved in the page,
change the estimate and the chart."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from playwright.sync_api import sync_playwright

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    for source, name in [("scaling-journey", "journey"), ("what-if", "what-if")]:
        nb = nbformat.read(ROOT / "notebooks" / f"{source}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    port, token = free_port(), "napkin-browser-test"
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter", "lab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}",
            "--LabApp.expose_app_in_browser=True",
            # A workspace of its own: never restore tabs from another run.
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--allow-root",
        ],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
    yield url, token, tmp_path
    proc.terminate()
    proc.wait(timeout=30)


# The chart is sent as SVG with a PNG fallback: JupyterLab renders the SVG for trusted
# outputs and the PNG otherwise. Both classes sit on the output element itself.
CHART = (
    ".jp-OutputArea-output.jp-RenderedSVG svg, .jp-OutputArea-output.jp-RenderedSVG img,"
    " .jp-OutputArea-output.jp-RenderedImage img"
)
ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def wait_for_chart(page, tmp_path, timeout=900):
    """Polls for the chart; fails at once, with what the page shows, on an error output."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        chart = page.query_selector(CHART)
        if chart and chart.is_visible():
            return chart
        errors = [e.inner_text() for e in page.query_selector_all(ERRORS)]
        if any("error" in e.lower() for e in errors):
            break
        page.wait_for_timeout(1000)
    page.screenshot(path=str(tmp_path / "failure.png"))
    outputs = [o.inner_text()[:500] for o in page.query_selector_all(".jp-OutputArea-output")]
    log = (tmp_path / "lab.log").read_text()[-3000:]
    pytest.fail(f"no chart in the page; outputs: {outputs}\nlab log:\n{log}")


def open_and_run(page, url, token, name):
    """Opens notebook `name` in JupyterLab and runs all its cells."""
    page.goto(f"{url}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session",
        timeout=120_000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/test installs it)")
def test_chart_renders_in_jupyterlab(lab):
    url, token, tmp_path = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        open_and_run(page, url, token, "journey.ipynb")
        chart = wait_for_chart(page, tmp_path)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 200, box
        # JupyterLab's "get notified about news?" toast would cover part of the screenshot.
        no_news = page.locator(".jp-toast-button:has-text('No')")
        if no_news.count():
            no_news.first.click()
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        errors = page.query_selector_all(ERRORS)
        assert not [e.inner_text() for e in errors if "error" in e.inner_text().lower()]
        if os.environ.get("NAPKIN_SCREENSHOT"):
            shutil.copy(tmp_path / "jupyterlab.png", os.environ["NAPKIN_SCREENSHOT"])
        browser.close()



@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/test installs it)")
def test_sliders_move_the_estimate_and_the_chart(lab):
    url, token, tmp_path = lab
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        open_and_run(page, url, token, "what-if.ipynb")
        # The first view: its sliders (noUiSlider handles) and its estimate, from the kernel.
        estimate = page.locator(".widget-html-content:has-text('peak requests')").first
        try:
            estimate.wait_for(timeout=900_000)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            log = (tmp_path / "lab.log").read_text()[-3000:]
            outputs = [o.inner_text()[:300] for o in page.query_selector_all(".jp-OutputArea-output")]
            pytest.fail(f"no live estimate; outputs: {outputs}\nlab log:\n{log}")
        assert "100M users" in estimate.inner_text()
        chart = page.locator(".widget-html-content svg").first
        before = chart.inner_html()
        assert "100M" in before
        # The users slider is the first: End moves it to its maximum, a billion.
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press("End")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.widget-html-content')]"
            ".some(e => e.innerText.includes('1.00bn users'))",
            timeout=30_000,
        )
        page.wait_for_function(
            "(before) => { const s = document.querySelector('.widget-html-content svg');"
            " return s && s.innerHTML !== before && s.innerHTML.includes('1.00bn'); }",
            arg=before,
            timeout=30_000,
        )
        assert "peak requests" in estimate.inner_text()
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "what-if.png"))
        if os.environ.get("NAPKIN_WHAT_IF_SCREENSHOT"):
            shutil.copy(tmp_path / "what-if.png", os.environ["NAPKIN_WHAT_IF_SCREENSHOT"])
        errors = page.query_selector_all(ERRORS)
        assert not [e.inner_text() for e in errors if "error" in e.inner_text().lower()]
        browser.close()
