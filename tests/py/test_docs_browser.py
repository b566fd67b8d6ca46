"""The built docs site, served by `python -m http.server` on 127.0.0.1 and opened in
headless Chromium with every request to another host refused and recorded: its Mermaid
diagrams and its widget views render from the site's own copies (docs-build/), and no page
asks for anything outside the site."""

import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

from test_browser import CHROMIUM, FLAGS, free_port

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/test installs it)")

# Material draws each diagram into a closed shadow root; opened, the test can see its svg.
OPEN_SHADOWS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };
"""


@pytest.fixture(scope="module")
def served(built_site, tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("http") / "http.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(built_site)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if time.time() > deadline:
                proc.kill()
                pytest.fail("python -m http.server did not start")
            time.sleep(0.2)
    yield url, built_site
    proc.terminate()
    proc.wait(timeout=30)


class Offline:
    """One page in a browser that only reaches 127.0.0.1: every other request is aborted
    and recorded in `external`; `local` lists the site's files the page loaded."""

    def __init__(self, p, site_url, site_dir):
        self.browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        self.context = self.browser.new_context(viewport={"width": 1300, "height": 1000})
        self.site_url, self.site_dir = site_url, site_dir
        self.external, self.local, self.errors = [], [], []
        self.context.route("**/*", self._route)
        self.context.add_init_script(OPEN_SHADOWS)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route):
        url = route.request.url
        if urllib.parse.urlsplit(url).hostname == "127.0.0.1":
            self.local.append(url)
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def open(self, path):
        self.page.goto(f"{self.site_url}/{path}", wait_until="load")
        return self.page

    def loaded_bytes(self, prefix=""):
        """Bytes of the site's files under `prefix` (e.g. assets/vendor/) the page loaded."""
        total = 0
        for url in dict.fromkeys(self.local):
            path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).lstrip("/")
            file = self.site_dir / path
            if file.is_dir():
                file = file / "index.html"
            if path.startswith(prefix) and file.exists():
                total += file.stat().st_size
        return total


def diagrams_render(page, timeout=60_000):
    """Waits until no Mermaid source is left unrendered and every diagram holds an svg;
    returns how many."""
    page.wait_for_function(
        """() => {
            const left = document.querySelectorAll("pre.mermaid, code.language-mermaid").length;
            const drawn = [...document.querySelectorAll("div.mermaid")];
            return left === 0 && drawn.length > 0
                && drawn.every(d => d.shadowRoot && d.shadowRoot.querySelector("svg"));
        }""",
        timeout=timeout,
    )
    return page.evaluate("() => document.querySelectorAll('div.mermaid').length")


@pytest.mark.parametrize("path", ["", "notebooks/scaling-journey/"])
def test_mermaid_diagrams_render_from_the_site(served, path):
    url, site = served
    source = (site / path / "index.html").read_text()
    want = source.count('<pre class="mermaid">') + source.count("language-mermaid")
    assert want, f"{path or 'index'}: no diagram in the page"
    with sync_playwright() as p:
        b = Offline(p, url, site)
        page = b.open(path)
        try:
            drawn = diagrams_render(page)
        except Exception:
            page.screenshot(path=str(site.parent / "mermaid-failure.png"))
            pytest.fail(f"diagrams not rendered; page errors: {b.errors}; external: {b.external}")
        assert drawn == want, f"{drawn} of {want} diagrams drawn"
        page.wait_for_timeout(500)
        assert b.external == [], f"requests outside the site: {b.external}"
        assert b.errors == [], f"errors in the page: {b.errors}"
        assert any("/assets/vendor/mermaid/" in u for u in b.local), b.local
        print(f"\n{path or 'index'}: {drawn} diagrams, {b.loaded_bytes('assets/vendor/') / 1e6:.2f} MB of vendor assets")
        b.browser.close()


def test_widget_views_render_from_the_site(served):
    url, site = served
    with sync_playwright() as p:
        b = Offline(p, url, site)
        page = b.open("notebooks/what-if/")
        try:
            # The saved views: sliders (noUiSlider handles), the estimate and its chart.
            page.locator(".widget-slider .noUi-handle").first.wait_for(timeout=60_000)
            page.locator(".widget-html-content:has-text('peak requests')").first.wait_for(timeout=10_000)
        except Exception:
            page.screenshot(path=str(site.parent / "widgets-failure.png"))
            pytest.fail(f"widget views not rendered; page errors: {b.errors}; external: {b.external}")
        assert page.locator(".widget-html-content svg").count() >= 1
        assert page.locator(".widget-slider").count() >= 5
        page.wait_for_timeout(500)
        assert b.external == [], f"requests outside the site: {b.external}"
        assert b.errors == [], f"errors in the page: {b.errors}"
        assert any(u.endswith("/assets/vendor/html-manager/embed.js") for u in b.local), b.local
        print(f"\nwhat-if: {b.loaded_bytes('assets/vendor/') / 1e6:.2f} MB of vendor assets")
        b.browser.close()
