"""Material's search index is requested when a reader is about to search, not at load.

mkdocs-material's bundle asks for `search/search_index.json` (the whole site's text)
while the page is still being parsed, so a script that holds that request must run
before the bundle: `extra_javascript` comes after it, and module scripts run later
still. This puts the hold script (`assets/sima/hold-search.js`, bundled from
`frontend/entries/hold-search.mjs`) just before Material's bundle, at the end of the
body, where it blocks nothing the reader sees. What counts as intent is in
`frontend/site/search-index.mjs`.
"""

from __future__ import annotations

import re

#: The site path of the hold script.
HOLD_SCRIPT = "assets/sima/hold-search.js"

#: Material's bundle, with the relative prefix the page uses for the site's root.
_BUNDLE = re.compile(
    r'<script src="(?P<root>[^"]*?)assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>'
)


def hold_search_index(html: str) -> str:
    """`html` with the hold script right before Material's bundle (unchanged when the
    page has no Material bundle, or has the hold script already)."""
    if HOLD_SCRIPT in html:
        return html
    match = _BUNDLE.search(html)
    if match is None:
        return html
    tag = f'<script src="{match["root"]}{HOLD_SCRIPT}"></script>'
    return html[: match.start()] + tag + html[match.start() :]
