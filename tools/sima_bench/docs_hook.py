"""MkDocs hook: put the committed benchmark results into the page that asks for them.

A page containing the line `<!-- bench:results -->` gets, in its place, the tables and
plots of [`sima_bench.report`][sima_bench.report] for `bench/results/` beside mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from sima_bench.common import RESULTS
from sima_bench.report import load, render

MARKER = "<!-- bench:results -->"


def on_page_markdown(markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    if MARKER not in markdown:
        return markdown
    root = Path(config.config_file_path).parent
    return markdown.replace(MARKER, render(load(root / RESULTS)))
