"""The docs site really builds (mkdocs build --strict), one page per notebook with
every chart, with no script, style or font from outside the site; and nbconvert's
Markdown export writes the images it links to."""

import importlib.util
import re
import subprocess
import sys
from html.parser import HTMLParser

import nbformat

from conftest import NOTEBOOKS, ROOT


def test_mkdocs_builds_a_page_per_notebook_with_its_charts(built_site):
    site = built_site
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
            # napkin's live views export as their snapshot with the answers precomputed at a
            # grid of slider stops, which napkin-grid.js moves through without a kernel; not as
            # the widgets of their saved state, which would be a second, dead set of sliders.
            views = sum(
                1
                for cell in nb.cells
                if cell.cell_type == "code"
                for out in cell.outputs
                if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
            )
            assert html.count('<script type="application/json" class="napkin-grid">') == views, path.name
            assert "application/vnd.jupyter.widget-state+json" not in html, path.name
            assert "addWidgetsRenderer" not in html, path.name
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


# An absolute or protocol-relative URL: a request to another host.
EXTERNAL = r"(?:https?:)?//"
CSS_URLS = [
    re.compile(r"url\(\s*['\"]?\s*(" + EXTERNAL + r"[^'\")\s]*)", re.I),
    re.compile(r"@import\s+['\"]\s*(" + EXTERNAL + r"[^'\"]*)", re.I),
]
# Inline scripts: a module imported from elsewhere, or a script, style or font URL (or any
# URL on a CDN) in a string, as nbconvert's templates write them. Comments and prose URLs
# (MDN, the SVG DTD) are neither.
SCRIPT_URLS = [
    re.compile(r"\bimport\s*\(\s*['\"`](" + EXTERNAL + r"[^'\"`]*)"),
    re.compile(r"\b(?:import|from)\s*['\"](" + EXTERNAL + r"[^'\"]*)"),
    re.compile(r"['\"`](https?://[^'\"`\s]+\.(?:m?js|css|woff2?|ttf|otf|eot))(?:[?#][^'\"`]*)?['\"`]"),
    re.compile(
        r"['\"`](" + EXTERNAL
        + r"(?:unpkg\.com|cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net|fonts\.googleapis\.com|fonts\.gstatic\.com)[^'\"`]*)"
    ),
]


class ExternalRefs(HTMLParser):
    """Collects every reference in a page that makes the browser fetch from another host:
    src/srcset/poster/data of any element, href of anything but a link in prose (<a>), CSS
    url()/@import in <style> and style="", and URLs in inline scripts."""

    def __init__(self):
        super().__init__()
        self.found, self._in = [], None

    def handle_starttag(self, tag, attrs):
        self._in = tag if tag in ("script", "style") else None
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "poster") or (name == "data" and tag == "object"):
                urls = [value]
            elif name == "srcset":
                urls = [c.split()[0] for c in value.split(",") if c.strip()]
            elif name in ("href", "xlink:href") and tag != "a":
                urls = [value]
            elif name == "style":
                urls = [m for r in CSS_URLS for m in r.findall(value)]
            else:
                continue
            self.found += [f"<{tag} {name}={u}>" for u in urls if re.match(EXTERNAL, u.strip(), re.I)]

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "style":
            self.found += [f"<style> {u}" for r in CSS_URLS for u in r.findall(data)]
        elif self._in == "script":
            self.found += [f"<script> {u}" for r in SCRIPT_URLS for u in r.findall(data)]


def external_refs(site):
    offenders = []
    for page in sorted(site.rglob("*.html")):
        parser = ExternalRefs()
        parser.feed(page.read_text())
        offenders += [f"{page.relative_to(site)}: {ref}" for ref in dict.fromkeys(parser.found)]
    for css in sorted(site.rglob("*.css")):
        text = css.read_text()
        found = [u for r in CSS_URLS for u in r.findall(text)]
        offenders += [f"{css.relative_to(site)}: {u}" for u in dict.fromkeys(found)]
    return offenders


def test_no_script_style_or_font_from_outside_the_site(built_site):
    # The site's own .js files are not read here (Material's bundle names unpkg URLs it only
    # uses when the page lacks something, e.g. a `mermaid` global); the browser test
    # (test_docs_browser.py) loads the pages and sees every request they make.
    offenders = external_refs(built_site)
    assert not offenders, f"{len(offenders)} external references:\n" + "\n".join(offenders)


def test_the_checker_sees_each_kind_of_external_reference(tmp_path):
    (tmp_path / "page.html").write_text(
        """<html><head>
        <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
        <link rel="preconnect" href="https://fonts.gstatic.com">
        <script src="//unpkg.com/x.js"></script>
        <style>@import url("https://a.example/s.css"); .x { background: url(http://a.example/i.png) }</style>
        <script type="module">const m = await import("https://cdnjs.cloudflare.com/m.mjs");
          s.src = 'https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js';
          // @see https://developer.mozilla.org/en-US/docs/Glossary/Void_element
          const dtd = "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd";</script>
        </head><body>
        <img src="https://a.example/i.png" srcset="/local.png 1x, https://a.example/i2.png 2x">
        <iframe src="https://a.example/frame"></iframe>
        <div style="background: url('//a.example/b.png')"></div>
        <a href="https://example.com/prose">a link in prose stays</a>
        <svg xmlns="http://www.w3.org/2000/svg"><image href="https://a.example/i.svg"/></svg>
        <img src="data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>">
        <script src="../assets/local.js"></script>
        </body></html>"""
    )
    (tmp_path / "a.css").write_text(
        "@import 'https://a.example/t.css';\n"
        "@font-face { src: url(https://fonts.gstatic.com/r.woff2) }\n"
        ".i { background: url(\"data:image/svg+xml;charset=utf-8,<svg xmlns='http://www.w3.org/2000/svg'/>\") }\n"
    )
    found = external_refs(tmp_path)
    want = [
        "https://fonts.googleapis.com/css?family=Roboto",
        "https://fonts.gstatic.com",
        "//unpkg.com/x.js",
        "https://a.example/s.css",
        "http://a.example/i.png",
        "https://cdnjs.cloudflare.com/m.mjs",
        "https://unpkg.com/@jupyter-widgets/html-manager@*/dist/embed-amd.js",
        "https://a.example/i.png",
        "https://a.example/i2.png",
        "https://a.example/frame",
        "//a.example/b.png",
        "https://a.example/i.svg",
        "https://a.example/t.css",
        "https://fonts.gstatic.com/r.woff2",
    ]
    for url in want:
        assert any(f.endswith(url) or f.endswith(url + ">") for f in found), (url, found)
    assert not [f for f in found if "example.com/prose" in f or "w3.org" in f or "mozilla" in f], found
    assert len(found) == len(want), found


def load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs-build" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks


def widget_output(div_id, model_id):
    """A widget view as it arrives in a page from mkdocs-jupyter (nbconvert's lab template, its
    attributes reordered)."""
    return (
        f'<div class="jupyter-widgets jp-OutputArea-output" id="{div_id}" tabindex="0">\n'
        f'<script type="text/javascript">\nvar element = document.getElementById(\'{div_id}\');\n</script>\n'
        f'<script type="application/vnd.jupyter.widget-view+json">\n'
        f'{{"model_id": "{model_id}", "version_major": 2, "version_minor": 0}}\n</script>\n</div>'
    )


def test_a_view_with_a_grid_shows_as_its_snapshot_and_others_keep_their_widgets():
    hooks = load_hooks()
    state = '<script type="application/vnd.jupyter.widget-state+json">\n{"state": {}}\n</script>'
    loader = (
        "<script>\n(function() {\n  function addWidgetsRenderer() {\n"
        "    var mimeElement = document.querySelector('script[type=\"application/vnd.jupyter.widget-view+json\"]');\n"
        "  }\n  document.addEventListener('DOMContentLoaded', addWidgetsRenderer);\n}());\n</script>"
    )
    grid = '<div class="napkin-what-if"><p>a</p><script type="application/json" class="napkin-grid">{}</script></div>'

    def notebook(*outputs):
        return {"cells": [{"cell_type": "code", "outputs": list(outputs)}]}

    def output(model_id, html):
        view = {"model_id": model_id, "version_major": 2, "version_minor": 0}
        return {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": view, "text/html": [html]}}

    page = f"<head>{loader}</head><body>{widget_output('d1', 'm1')}{widget_output('d2', 'm2')}{state}</body>"
    # Both views have grids: both shown as snapshots, and no widget manager at all.
    shown = hooks.show_grids(page, notebook(output("m1", grid), output("m2", grid)))
    assert shown.count(grid) == 2 and shown.count('data-mime-type="text/html"') == 2
    assert "widget-view+json" not in shown and "widget-state+json" not in shown, shown
    # A view without a grid keeps its widgets, and the page its widget manager.
    shown = hooks.show_grids(page, notebook(output("m1", grid), output("m2", "<b>snapshot</b>")))
    assert shown.count(grid) == 1 and widget_output("d2", "m2") in shown
    assert state in shown and loader in shown
    # No grids: the page as it was.
    assert hooks.show_grids(page, notebook(output("m1", "<b>snapshot</b>"))) == page
