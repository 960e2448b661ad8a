"""Proof coverage: how much of an entry's code a scenario proves, and where it was proven.

Every code block of an entry counts: each `@snippet(name)` line, and each fenced
Python block written in the body itself. A block is *proven* when it is a snippet
with a `good` or `bad` claim (its scenario checks it on every build); an `unproven`
snippet (what `sima import` makes of a legacy code block), a snippet that does not
exist and plain Python in the body are not. Pure functions: `sima check`, the pages
and the plugin share them.

[`Provenance`][sima.proofs.coverage.Provenance] says where the claims were proven: the
CPython that ran them at build time, the Pyodide that re-runs them in the browser,
and the build's date (from `SOURCE_DATE_EPOCH` when set, so that a build can be
reproduced byte for byte).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sima.content.catalog import Catalog, Entry
from sima.site.pages import snippet_markers

#: Info-string words that mark a fenced block as Python.
PYTHON_INFO = frozenset({"python", "py", "python3", "py3", "pycon"})
#: The claims a scenario checks.
PROVEN_CLAIMS = frozenset({"good", "bad"})

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\s`{]*)")


@dataclass(frozen=True)
class Coverage:
    """Proven code blocks out of all.

    Attributes:
        proven: Code blocks whose claim a scenario checks.
        total: All code blocks.
    """

    proven: int = 0
    total: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.proven + other.proven, self.total + other.total)

    @property
    def percent(self) -> int:
        """Whole percent proven, rounded down (100 only when all are); 100 for no code."""
        return 100 if not self.total else self.proven * 100 // self.total

    def describe(self) -> str:
        """`3 of 4 code blocks proven (75%)`."""
        noun = "code block" if self.total == 1 else "code blocks"
        return f"{self.proven} of {self.total} {noun} proven ({self.percent}%)"


def python_blocks(body: str) -> int:
    """How many fenced Python code blocks the Markdown holds (at any indent)."""
    count = 0
    fence: str | None = None
    for line in body.splitlines():
        match = _FENCE.match(line)
        if fence is None:
            if match is not None:
                fence = match.group("fence")
                count += match.group("info").lower() in PYTHON_INFO
            continue
        stripped = line.strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            fence = None
    return count


def entry_coverage(entry: Entry, claims: Mapping[str, str]) -> Coverage:
    """An entry's coverage.

    Args:
        entry: The entry.
        claims: Each snippet's key (`<REF-ID>/<name>`) to its claim (`good`, `bad`
            or `unproven`).
    """
    if entry.is_stub:
        return Coverage()
    shown = list(snippet_markers(entry).values())
    proven = sum(claims.get(key) in PROVEN_CLAIMS for key in shown)
    return Coverage(proven, len(shown) + python_blocks(entry.body))


def catalog_coverage(catalog: Catalog, claims: Mapping[str, str]) -> dict[str, Coverage]:
    """Every entry's coverage, by REF-ID (entries with no code have total 0)."""
    return {ref: entry_coverage(entry, claims) for ref, entry in catalog.entries.items()}


def site_coverage(coverages: Iterable[Coverage]) -> Coverage:
    """The sum of entries' coverages."""
    return sum(coverages, Coverage())


def coverage_lines(catalog: Catalog, coverages: Mapping[str, Coverage]) -> list[str]:
    """A line per entry that has code, then the site's total (for `sima check`)."""
    lines = [
        f"{catalog.entries[ref].path}: {coverage.describe()}"
        for ref, coverage in coverages.items()
        if coverage.total
    ]
    total = site_coverage(coverages.values())
    with_code = sum(1 for c in coverages.values() if c.total)
    lines.append(f"proof coverage: {total.describe()} in {with_code} entries with code")
    return lines


@dataclass(frozen=True)
class Provenance:
    """Where and when an entry's claims were proven.

    Attributes:
        python: The interpreter that proved them at build time, e.g. `CPython 3.12.1`.
        built: The build's date (UTC).
        pyodide: The pinned Pyodide the browser re-runs them in, e.g. `314.0.7`, or
            None when the site has no runner.
        pyodide_python: The Python version inside that Pyodide, e.g. `3.14.2`.
    """

    python: str
    built: dt.date
    pyodide: str | None = None
    pyodide_python: str | None = None

    def sentence(self) -> str:
        """`by the build of 2026-05-09 in CPython 3.12.1; Run re-checks them ...`."""
        text = f"by the build of {self.built.isoformat()} in {self.python}"
        if self.pyodide:
            inside = f" (Python {self.pyodide_python})" if self.pyodide_python else ""
            text += f"; Run re-checks them in your browser in Pyodide {self.pyodide}{inside}"
        return text


def build_date(environ: Mapping[str, str], today: dt.date | None = None) -> dt.date:
    """The build's date: `SOURCE_DATE_EPOCH` (seconds, UTC) when set and valid, else
    `today` (default: the current UTC date)."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return today or dt.datetime.now(tz=dt.UTC).date()


def pinned_pyodide(pyodide_dir: Path) -> tuple[str | None, str | None]:
    """The npm Pyodide package's version and the Python version inside it (from its
    `package.json` and `pyodide-lock.json`); None for what cannot be read."""

    def read(name: str) -> dict[str, object]:
        try:
            data = json.loads((pyodide_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    version = read("package.json").get("version")
    info = read("pyodide-lock.json").get("info")
    python = info.get("python") if isinstance(info, dict) else None
    return (
        version if isinstance(version, str) else None,
        python if isinstance(python, str) else None,
    )


def build_provenance(
    environ: Mapping[str, str],
    pyodide: str | None = None,
    pyodide_python: str | None = None,
) -> Provenance:
    """The provenance of this build: the running CPython, the date, and Pyodide."""
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return Provenance(python, build_date(environ), pyodide, pyodide_python)
