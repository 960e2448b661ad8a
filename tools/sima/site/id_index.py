"""Finding entries by REF-ID: the normaliser and the ID index the site ships.

mkdocs-material's search splits `LESS-22` at the dash, so an ID search finds pages
that mention "less" and "22" anywhere. The site therefore ships a small index of
every ID (`assets/sima/ids.json`) that the search box consults first: the query is
*compacted* (upper case, no spaces, dashes or underscores), so `LESS-22`, `less22`
and `less 22` all become `LESS22`; an exact match is listed first and Enter goes to
it, a partial one (`LESS-2`, or `LESS-` as the go-to-ID shortcut types) lists the
IDs that start with it. A bare word, even a prefix such as `less`, is left to
full-text search. The same index feeds the link previews (title, type, summary).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sima.content.catalog import Catalog

_SEPARATORS = re.compile(r"[\s\-_]+")


def compact(text: str) -> str:
    """`LESS-22`, `less22`, ` less 22 ` and `Less_22` all give `LESS22`."""
    return _SEPARATORS.sub("", text).upper()


@dataclass(frozen=True)
class IdRecord:
    """One entry in the ID index.

    Attributes:
        id: The REF-ID.
        key: Its compact form, what queries are compared with.
        title: Title (for the result and the preview).
        type: Entry type.
        summary: Summary, or "" (for the preview).
        url: Page URL relative to the site root (`entries/LESS-22/`).
        planned: True for a stub.
    """

    id: str
    key: str
    title: str
    type: str
    summary: str
    url: str
    planned: bool


def id_index(catalog: Catalog, use_directory_urls: bool = True) -> dict[str, Any]:
    """The ID index, JSON-ready: the configured prefixes (compacted) and one record
    per entry, sorted by ID."""
    records: list[dict[str, Any]] = []
    for ref_id in sorted(catalog.entries):
        entry = catalog.entries[ref_id]
        url = f"entries/{ref_id}/" if use_directory_urls else f"entries/{ref_id}.html"
        records.append(
            asdict(
                IdRecord(
                    id=ref_id,
                    key=compact(ref_id),
                    title=entry.title,
                    type=entry.meta.type,
                    summary=entry.meta.summary or "",
                    url=url,
                    planned=entry.is_stub,
                )
            )
        )
    prefixes = sorted({compact(p) for p in catalog.settings.prefixes}, key=lambda p: (-len(p), p))
    return {"prefixes": prefixes, "entries": records}
