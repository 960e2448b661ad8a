"""The REF-ID grammar.

A REF-ID is a configured prefix followed by one or more dash-separated upper-case
segments: `LESS-22`, `LANG-PY-01`, `ARCH-SUGA`. Prefixes come from `mkdocs.yml`
(see [`Settings.prefixes`][sima.content.settings.Settings]); nothing here hard-codes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Any ID-shaped token, whatever its prefix (used to report unknown prefixes).
ANY_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")

_SEGMENTS = r"(?:-[A-Z0-9]+)+"


def prefix_of(ref_id: str) -> str:
    """The prefix of an ID: the part before the first dash (`LANG-PY-01` -> `LANG`)."""
    return ref_id.split("-", 1)[0]


def id_regex(prefixes: Iterable[str]) -> str:
    """A regular expression (source) matching an ID with one of `prefixes`.

    The match is bounded so that it never starts or ends inside a word, a path or a
    longer ID: `XLESS-22`, `/LESS-22` and `LESS-22-` do not match as `LESS-22`.
    Longer prefixes are tried first so that overlapping prefixes both work.
    """
    names = sorted({re.escape(p) for p in prefixes}, key=lambda p: (-len(p), p))
    if not names:
        return r"(?!x)x"
    return rf"(?<![\w/#.-])(?:{'|'.join(names)}){_SEGMENTS}(?![\w-])"


def compile_id_pattern(prefixes: Iterable[str]) -> re.Pattern[str]:
    """Compiled [`id_regex`][sima.content.ids.id_regex]."""
    return re.compile(id_regex(prefixes))


def is_valid_id(ref_id: str, prefixes: Iterable[str]) -> bool:
    """True when `ref_id` is a whole, well-formed ID with a known prefix."""
    return bool(ANY_ID.match(ref_id)) and prefix_of(ref_id) in set(prefixes)


def slug(ref_id: str) -> str:
    """The page file stem of an entry: the ID itself (IDs are URL-safe)."""
    return ref_id
