"""MkDocs hook: the site loads every script, style and font from itself, never from a CDN.

The browser assets are npm packages pinned in docs-build/package-lock.json and installed by
scripts/setup (`npm ci` in docs-build/). This hook
  - checks the installed packages are the locked ones (else: run scripts/setup),
  - points the notebook pages' scripts at the site's copies: nbconvert's templates import
    Mermaid from cdnjs and load the widget manager from unpkg (`html-manager@*`, unpinned),
    and nothing in mkdocs-jupyter lets a page choose those URLs, so they are rewritten here,
    relative to each page (the site works from any base path, or from a directory),
  - copies the assets into site/assets/vendor/ and prints their sizes and which pages load them.
Material's own Mermaid loader (unpkg) is not used: docs/javascripts/mermaid-local.js defines
the `mermaid` global first, which loads the site's copy when a page has a diagram. Material's
Google Fonts are off (`theme.font: false` in mkdocs.yml): system fonts.
"""

import json
import logging
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
    return config


def on_post_page(output, page, config):
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
