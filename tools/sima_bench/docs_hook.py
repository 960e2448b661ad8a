"""MkDocs hook for this site's own pages: the committed benchmark results, and the
stylesheets only some pages need.

A page containing the line `<!-- bench:results -->` gets, in its place, the tables and
plots of [`sima_bench.report`][sima_bench.report] for `bench/results/` beside mkdocs.yml.
Drawing the plots is most of a small site's build, and the results rarely change, so
the rendered Markdown is kept in `.cache/sima/` under a hash of the results and of
the report's code: `mkdocs serve` redraws only when either changed.

The plots' stylesheet and mkdocstrings' (which it adds to every page) are linked from
the pages that show plots or API reference alone: each stylesheet in a page's head is
a request that holds its first paint, and on Lighthouse's mobile profile LESS-22 first
painted 0.3 to 0.9 s later with them than without.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

import sima_bench.report
from sima_bench.common import RESULTS
from sima_bench.report import load, render

MARKER = "<!-- bench:results -->"
#: Stylesheets (site paths) linked only from the pages whose HTML has the mark.
PAGE_STYLESHEETS = {
    "stylesheets/bench.css": 'class="sima-plot"',
    "assets/_mkdocstrings.css": 'class="doc doc-',
}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    # (Hooks run after the plugins: mkdocstrings has added its stylesheet by now.)
    config.extra_css[:] = [path for path in config.extra_css if path not in PAGE_STYLESHEETS]
    return config


def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str:
    return with_page_stylesheets(output, page.url)


def with_page_stylesheets(html: str, url: str) -> str:
    """`html` (the page served at `url`) with a `<link>` at the end of its head for
    each of [`PAGE_STYLESHEETS`][sima_bench.docs_hook.PAGE_STYLESHEETS] it needs."""
    links = "".join(
        f'<link rel="stylesheet" href="{get_relative_url(path, url)}">'
        for path, mark in PAGE_STYLESHEETS.items()
        if mark in html
    )
    return html.replace("</head>", links + "</head>", 1) if links else html


def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if MARKER not in markdown:
        return markdown
    root = Path(config.config_file_path).parent
    return markdown.replace(MARKER, cached_render(root / RESULTS, root / ".cache" / "sima"))


def cached_render(results: Path, cache: Path) -> str:
    """[`render`][sima_bench.report.render] of the results folder, from `cache` when
    neither the results nor the report's code changed since it was drawn."""
    digest = hashlib.sha256(Path(sima_bench.report.__file__).read_bytes())
    for file in sorted(results.glob("*.json")) if results.is_dir() else []:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    kept = cache / f"bench-{digest.hexdigest()[:16]}.md"
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    text = render(load(results))
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("bench-*.md"):
        old.unlink()
    kept.write_text(text, encoding="utf-8")
    return text
