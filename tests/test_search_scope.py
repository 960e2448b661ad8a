"""Which parts of a page Material's search index leaves out."""

from __future__ import annotations

from sima.site.search_scope import api_tables_out_of_search

API = (
    "<p>A container.</p>\n"
    '<p><span class="doc-section-title">Parameters:</span></p>\n    <table>\n'
    "<tr><td><code>deployment</code></td></tr></table>\n"
)


def test_mkdocstrings_section_tables_are_marked_for_search_to_skip() -> None:
    out = api_tables_out_of_search(API)
    assert '<p data-search-exclude><span class="doc-section-title">Parameters:</span></p>' in out
    assert "<table data-search-exclude>" in out
    assert out.replace(" data-search-exclude", "") == API


def test_tables_written_in_markdown_are_left_as_they_are() -> None:
    html = "<p>Modules:</p>\n<table><tr><td>records</td></tr></table>"
    assert api_tables_out_of_search(html) == html
