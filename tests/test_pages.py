"""Pure helpers of the page writer (sima.site.pages)."""

from __future__ import annotations

import itertools
import posixpath

from sima.content.links import LinkTarget, MentionScanner
from sima.site.pages import relative

#: Page paths as the build makes them: entries, index pages, keyword pages, the home.
PATHS = [
    "index.md",
    "entries/LESS-22.md",
    "entries/LESS-22/index.md",
    "entries/LESS-22",
    "entries/AP-01.md",
    "browse/types.md",
    "browse/keywords/cold-start.md",
    "browse/index.md",
    "browse",
    "a/b/c/d.md",
    "../outside.md",
    "./entries/x.md",
]


def test_relative_is_relpath_from_the_pages_folder() -> None:
    for start, target in itertools.product(PATHS, repeat=2):
        expected = posixpath.relpath(target, posixpath.dirname(start) or ".")
        assert relative(start, target) == expected, (start, target)


def test_the_scanner_gives_the_same_mentions_each_time_it_reads_a_text() -> None:
    scanner = MentionScanner(["LESS", "AP"])
    text = "See LESS-22.\n\nAnd `AP-01` in code, then AP-01 in prose.\n"
    first = scanner.mentions(text)
    first.clear()  # a caller's list is its own
    again = scanner.mentions(text)
    assert [(m.ref_id, m.line) for m in again] == [("LESS-22", 1), ("AP-01", 3)]


def test_linked_text_follows_its_targets() -> None:
    scanner = MentionScanner(["LESS"])
    text = "LESS-22 then LESS-17.\n"
    titles = {"LESS-22": "State", "LESS-17": "Threads"}

    def resolve(ref_id: str) -> LinkTarget | None:
        title = titles.get(ref_id)
        return None if title is None else LinkTarget(f"{ref_id}.md", title)

    assert scanner.link(text, resolve).count('"State"') == 1
    titles["LESS-22"] = "State, renamed"  # the target's title changed: the link follows
    assert '"State, renamed"' in scanner.link(text, resolve)
    del titles["LESS-17"]  # a target gone: its mention stays plain text
    assert "[LESS-17]" not in scanner.link(text, resolve)
    assert "[LESS-17]" not in scanner.link(text, resolve)
