"""`sima new`: start an entry and its snippet folder that already build and verify.

The new entry is a Draft with one good/bad snippet pair and a scenario that tells
them apart, so an author starts from a page that works and replaces it piece by
piece. Nothing existing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sima.content.catalog import Catalog, load_catalog
from sima.content.ids import ANY_ID, prefix_of
from sima.content.settings import Settings


class ScaffoldError(Exception):
    """The entry cannot be created (bad ID, already exists...); nothing was written."""


def _entry_text(ref_id: str, title: str, kind: str, today: dt.date) -> str:
    return f"""---
REF-ID: {ref_id}
title: {json.dumps(title)}
type: {kind}
status: Draft
created: {today.isoformat()}
updated: {today.isoformat()}
keywords: []
related: []
summary: "One or two sentences: the rule and why it matters."
---

## The rule

State the rule in one paragraph, and why it holds.

## Patterns

Each pattern is a snippet in `snippets/{ref_id}/`, proven by its claim.

@snippet(example_bad)

@snippet(example_good)

## When it does not apply

Say where the rule stops being true.
"""


_CLAIMS = """# One table per snippet file (by stem); `sima verify` checks each claim.

[example_bad]
claim = "bad"
says = "The first caller's name is kept at module level; later callers are greeted with it."
scenario = "greets_each_caller"
fails = ["stale-greeting"]

[example_good]
claim = "good"
says = "The name is read from each event, so every caller is greeted by name."
scenario = "greets_each_caller"
fixes = "example_bad"
"""

_SCENARIOS = '''"""Scenarios: each drives a lab holding one snippet and returns a Verdict."""

from sima_lab import Lab, Verdict
from sima_lab.answers import errors_in, judge, same, text_of, unexpected_errors, wrong_answers


def greets_each_caller(lab: Lab) -> Verdict:
    """Two callers hit the same warm container; each must be greeted by name.

    Failures: `stale-greeting` (a later caller was greeted with an earlier name).
    """
    records = [lab.invoke({"name": "ada"}), lab.invoke({"name": "grace"})]
    stale = records[1].ok and same(records[1].result, "hello ada")
    return judge(
        f"first got {text_of(records[0].result)}, second got {text_of(records[1].result)}; "
        f"{errors_in(records)}",
        unexpected_errors(records),
        stale_greeting=stale,
        wrong_answer=not stale
        and wrong_answers(
            records,
            lambda r: same(r.result, f"hello {r.event['name']}"),
            lambda r: f"'hello {r.event['name']}'",
        ),
    )
'''

_BAD = """GREETING = {}


def handler(event, context):
    GREETING.setdefault("name", event["name"])
    return f"hello {GREETING['name']}"
"""

_GOOD = """def handler(event, context):
    return f"hello {event['name']}"
"""


def _entry_folder(settings: Settings, catalog: Catalog, prefix: str) -> Path:
    """Where entries of this prefix already live, else `entries/<prefix>/`."""
    for entry in catalog.entries.values():
        if prefix_of(entry.ref_id) == prefix:
            return (settings.root / entry.path).parent
    return settings.entries_dir / prefix.lower()


def scaffold(
    settings: Settings,
    ref_id: str,
    title: str,
    kind: str | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Create `entries/…/<ref_id>.md` and `snippets/<ref_id>/`; return the new files.

    Raises:
        ScaffoldError: The ID is malformed or has an unknown prefix, the title is
            empty, or the entry or its snippet folder exists already.
    """
    if not ANY_ID.match(ref_id):
        raise ScaffoldError(f"{ref_id!r} is not a REF-ID (expected e.g. LESS-23 or LANG-PY-01)")
    prefix = prefix_of(ref_id)
    if prefix not in settings.prefixes:
        known = ", ".join(sorted(settings.prefixes))
        raise ScaffoldError(f"unknown prefix {prefix!r} (mkdocs.yml configures: {known})")
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    catalog = load_catalog(settings)
    if ref_id in catalog.entries:
        existing = catalog.entries[ref_id].path
        raise ScaffoldError(f"{ref_id} exists already: {existing}")
    entry_file = _entry_folder(settings, catalog, prefix) / f"{ref_id}.md"
    snippet_dir = settings.snippets_dir / ref_id
    for path in (entry_file, snippet_dir):
        if path.exists():
            raise ScaffoldError(f"{settings.rel(path)} exists already; nothing was written")
    files = {
        entry_file: _entry_text(
            ref_id, title.strip(), kind or settings.prefixes[prefix], today or dt.date.today()
        ),
        snippet_dir / "claims.toml": _CLAIMS,
        snippet_dir / "scenarios.py": _SCENARIOS,
        snippet_dir / "example_bad.py": _BAD,
        snippet_dir / "example_good.py": _GOOD,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
