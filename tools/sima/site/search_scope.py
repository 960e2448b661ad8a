"""What of a page Material's search index takes: API reference tables stay out.

Material's search plugin indexes the full text of every page and sends the whole
index to each reader who searches (at load, without
[`search_hold`][sima.site.search_hold]). mkdocstrings writes every object's
parameters, attributes, returns and raises as tables under a section title; on this
site that was half of the index (300 of 590 KB), for text a reader reaches
from the object's heading, which stays in the index with its summary paragraph.

Material skips any element that carries `data-search-exclude`; this adds it to those
section titles and their tables, and to nothing else (a table someone wrote in a
page's Markdown has no such title).
"""

from __future__ import annotations

import re

#: mkdocstrings' section title ("Parameters:", "Attributes:"...) and the table after it.
_SECTION = re.compile(
    r'<p><span class="doc-section-title">(?P<title>[^<]*)</span></p>(?P<gap>\s*)<table>'
)


def api_tables_out_of_search(html: str) -> str:
    """The page's HTML with mkdocstrings' section tables marked `data-search-exclude`
    (unchanged when it has none)."""
    if "doc-section-title" not in html:
        return html
    return _SECTION.sub(
        r'<p data-search-exclude><span class="doc-section-title">\g<title></span></p>'
        r"\g<gap><table data-search-exclude>",
        html,
    )
