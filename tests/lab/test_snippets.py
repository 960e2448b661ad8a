"""Every snippet's claim holds: one test per snippet, found on disk (no test code per snippet)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sima_lab import Folder, SnippetSpec, format_outcome, load_folder

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = ROOT / "snippets"


@cache
def folders() -> tuple[Folder, ...]:
    found = sorted(p for p in SNIPPETS.glob("*") if p.is_dir() and any(p.iterdir()))
    return tuple(load_folder(path, root=ROOT) for path in found)


def snippets() -> list[tuple[Folder, SnippetSpec]]:
    return [(folder, spec) for folder in folders() for spec in folder.snippets]


@pytest.mark.parametrize("folder", folders(), ids=lambda folder: folder.ref_id)
def test_snippet_folder_has_no_problems(folder: Folder) -> None:
    assert [str(problem) for problem in folder.problems] == []


@pytest.mark.parametrize(("folder", "spec"), snippets(), ids=[spec.key for _, spec in snippets()])
def test_claim_holds(folder: Folder, spec: SnippetSpec) -> None:
    assert spec.claim is not None, f"{spec.path} has no claim"
    outcome = folder.verify(spec.name)
    assert outcome.status == "pass", f"{outcome.message}\n\n{format_outcome(outcome)}"
    assert outcome.holds
    assert outcome.verdict is not None
    assert any(ch.isdigit() for ch in outcome.verdict.observed), "observed should carry numbers"


def test_every_less22_bad_snippet_has_a_good_fix() -> None:
    [folder] = [f for f in folders() if f.ref_id == "LESS-22"]
    bad = {name for name, claim in folder.claims.items() if claim.claim == "bad"}
    fixed = {claim.fixes for claim in folder.claims.values() if claim.fixes}
    assert bad - fixed == set()
    assert 15 <= len(folder.snippets) <= 25  # one lesson, not a catalogue


def test_every_folder_verifies_as_a_whole() -> None:
    # How long this takes is measured by `python -m sima_bench.claims` (make bench),
    # never asserted here.
    outcomes = [outcome for folder in folders() for outcome in folder.verify_all()]
    assert outcomes and all(outcome.status == "pass" for outcome in outcomes)
