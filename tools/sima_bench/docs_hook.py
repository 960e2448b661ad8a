"""MkDocs hook: put the committed benchmark results into the page that asks for them.

A page containing the line `<!-- bench:results -->` gets, in its place, the tables and
plots of [`sima_bench.report`][sima_bench.report] for `bench/results/` beside mkdocs.yml.
Drawing the plots is most of a small site's build, and the results rarely change, so
the rendered Markdown is kept in `.cache/sima/` under a hash of the results and of
the report's code: `mkdocs serve` redraws only when either changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

import sima_bench.report
from sima_bench.common import RESULTS
from sima_bench.report import load, render

MARKER = "<!-- bench:results -->"


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
