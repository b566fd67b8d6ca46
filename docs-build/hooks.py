"""MkDocs hook: the site loads every script, style and font from itself, never from a CDN.

The browser assets are npm packages pinned in docs-build/package-lock.json and installed by
scripts/setup (`npm ci` in docs-build/). This hook
  - checks the installed packages are the locked ones (else: run scripts/setup),
  - points the notebook pages' scripts at the site's copies: nbconvert's templates import
    Mermaid from cdnjs and load the widget manager from unpkg (`html-manager@*`, unpinned),
    and nothing in mkdocs-jupyter lets a page choose those URLs, so they are rewritten here,
    relative to each page (the site works from any base path, or from a directory),
  - copies the assets pages load into site/assets/vendor/ and prints their sizes and which
    pages load them.
napkin's live views (`explore`, `what_if`) exported with NAPKIN_GRID=1 carry their answers at a
grid of slider stops in their HTML snapshot, which docs/javascripts/napkin-grid.js turns into
sliders that work with no kernel. Such a view is shown as that snapshot, not as the widgets of
its saved state (which would be a second, dead set of sliders); a page left with no widget
view loads no widget manager. The build prints the grid bytes each page carries and fails
(a warning, under `--strict`) over GRID_BUDGET.
Material's own Mermaid loader (unpkg) is not used: docs/javascripts/mermaid-local.js defines
the `mermaid` global first, which loads the site's copy when a page has a diagram. Material's
Google Fonts are off (`theme.font: false` in mkdocs.yml): system fonts.
"""

import json
import logging
import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url
from nbconvert.exporters.html import HTMLExporter

log = logging.getLogger("mkdocs.hooks.napkin_assets")

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
MODULES = HERE / "node_modules"
VENDOR = "assets/vendor"

# Directory under VENDOR -> (npm package, its directory to copy from, the files to copy from
# there (globs; the first is the entry a page loads), license files (relative to the package)).
ASSETS = {
    "mermaid": ("mermaid", "dist", ["mermaid.esm.min.mjs", "chunks/mermaid.esm.min/*.mjs"], ["LICENSE"]),
    # embed.js is the standalone manager (the built-in controls, no require.js), with the
    # Font Awesome fonts it loads from beside itself (webpack's automatic public path).
    "html-manager": (
        "@jupyter-widgets/html-manager",
        "dist",
        ["embed.js", "*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg"],
        ["dist/embed.js.LICENSE.txt"],
    ),
}
MERMAID = f"{VENDOR}/mermaid/mermaid.esm.min.mjs"
WIDGETS = f"{VENDOR}/html-manager/embed.js"


def _cdn_urls():
    """The CDN URLs nbconvert's lab templates put in a page, as this nbconvert writes them,
    each with the site file that replaces it ("" = none: the template then skips it)."""
    e = HTMLExporter()
    base = e.jupyter_widgets_base_url
    return {
        e.mermaid_js_url: MERMAID,
        # ELK layouts (`layout: elk`) are not used by the notebooks; without it Mermaid draws
        # every diagram with its default layout.
        e.mermaid_layout_elk_js_url: "",
        f"{base}@jupyter-widgets/html-manager@{e.html_manager_semver_range}/dist/embed-amd.js": WIDGETS,
        # The template's fallback for widget state older than ipywidgets 7; ours is v2.
        f"{base}@jupyter-js-widgets@*/dist/embed.js": WIDGETS,
    }


CDN = _cdn_urls()
_users = {"mermaid": [], "html-manager": []}
# Page -> (napkin views with a grid, bytes of their grids' JSON).
_grids = {}
# The most bytes of precomputed answers a page may carry.
GRID_BUDGET = 2_000_000

# A widget output as nbconvert's lab template writes it (data_widget_view), its attributes in
# any order (the page arrives with them reordered and a tabindex added).
WIDGET_VIEW = re.compile(
    r'<div\b[^>]*\bclass="jupyter-widgets jp-OutputArea-output(?P<extra>[^"]*)"[^>]*>\s*'
    r"<script type=\"text/javascript\">\s*var element = document\.getElementById\('[^']*'\);\s*</script>\s*"
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(?P<json>.*?)</script>\s*</div>',
    re.S,
)
# The page's saved widget state, and the loader of the widget manager (jupyter_widgets.html.j2).
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>', re.S)
WIDGET_LOADER = re.compile(r"<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\).*?</script>", re.S)
GRID = re.compile(r'<script type="application/json" class="napkin-grid">(.*?)</script>', re.S)


def _locked_versions():
    lock = json.loads(LOCK.read_text())["packages"]
    return {name: lock[f"node_modules/{name}"]["version"] for name, *_ in ASSETS.values()}


def on_config(config):
    for name, want in _locked_versions().items():
        manifest = MODULES / name / "package.json"
        have = json.loads(manifest.read_text())["version"] if manifest.exists() else None
        if have != want:
            raise PluginError(
                f"docs-build/node_modules has {name} {have or '(not installed)'}, "
                f"docs-build/package-lock.json pins {want}: run scripts/setup, which installs them "
                "with npm (Node.js) (or: cd docs-build && npm ci --ignore-scripts)"
            )
    for users in _users.values():
        users.clear()
    _grids.clear()
    return config


def _grid_snapshots(notebook):
    """model id -> the HTML snapshot of each napkin view in `notebook` (JSON) that carries a
    grid."""
    found = {}
    for cell in notebook.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            view = data.get("application/vnd.jupyter.widget-view+json")
            html = data.get("text/html")
            html = "".join(html) if isinstance(html, list) else html
            if isinstance(view, dict) and html and 'class="napkin-grid"' in html:
                found[view.get("model_id")] = html
    return found


def show_grids(output, notebook):
    """The page `output` with each widget view of a napkin view that has a grid replaced by
    its snapshot, as nbconvert writes a text/html output; with no widget view left, without
    the saved widget state and the widget manager's loader."""
    snapshots = _grid_snapshots(notebook)
    if not snapshots:
        return output

    def replace(m):
        try:
            model = json.loads(m["json"]).get("model_id")
        except ValueError:
            return m[0]
        html = snapshots.get(model)
        if html is None:
            return m[0]
        return (
            f'<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output{m["extra"]}" '
            f'data-mime-type="text/html">\n{html}\n</div>'
        )

    output = WIDGET_VIEW.sub(replace, output)
    if '<script type="application/vnd.jupyter.widget-view+json">' not in output:
        output = WIDGET_LOADER.sub("", WIDGET_STATE.sub("", output))
    return output


def on_post_page(output, page, config):
    if page.file.src_uri.endswith(".ipynb"):
        output = show_grids(output, json.loads(Path(page.file.abs_src_path).read_text()))
        grids = GRID.findall(output)
        if grids:
            _grids[page.file.src_uri] = (len(grids), sum(len(g.encode()) for g in grids))
    for url, local in CDN.items():
        if url in output:
            output = output.replace(url, get_relative_url(local, page.url) if local else "")
    if 'class="mermaid"' in output or "language-mermaid" in output:
        _users["mermaid"].append(page.file.src_uri)
    if "application/vnd.jupyter.widget-view+json" in output:
        _users["html-manager"].append(page.file.src_uri)
    return output


def _size(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def on_post_build(config):
    versions = _locked_versions()
    site = Path(config.site_dir) / VENDOR
    shutil.rmtree(site, ignore_errors=True)
    lines, total = [], 0
    for dest, (name, base, patterns, licenses) in ASSETS.items():
        if not _users[dest]:
            lines.append(f"{name} {versions[name]}: not copied, no page loads it")
            continue
        src = MODULES / name / base
        files = sorted({f for p in patterns for f in src.glob(p)})
        if not files:
            raise PluginError(f"{name}: nothing matches {patterns} in {src}")
        for f in files:
            out = site / dest / f.relative_to(src)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
        for lic in licenses:
            shutil.copyfile(MODULES / name / lic, site / dest / Path(lic).name)
        size = sum(f.stat().st_size for f in files)
        total += size
        entry = (src / patterns[0]).stat().st_size
        users = _users[dest]
        lines.append(
            f"{name} {versions[name]}: {_size(size)} in {len(files)} files, entry {_size(entry)}"
            f" (loaded on {len(users)} page{'s' * (len(users) != 1)}: {', '.join(users) or 'none'})"
        )
    log.info(
        "assets pinned in docs-build/package-lock.json, copied into %s/ (%s in all): %s; "
        "mermaid's chunks load as a diagram needs them, the widget manager's fonts as its icons do",
        VENDOR, _size(total), "; ".join(lines),
    )
    for page, (views, size) in sorted(_grids.items()):
        log.info(
            "napkin views' precomputed answers: %s: %d view%s with a grid, %s (%d bytes)",
            page, views, "s" * (views != 1), _size(size), size,
        )
        if size > GRID_BUDGET:
            log.warning("%s carries %s of precomputed answers, over the %s budget", page, _size(size), _size(GRID_BUDGET))
