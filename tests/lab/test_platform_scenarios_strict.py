"""The scenarios of LESS-30 to LESS-33 and AP-01 judge what a handler does.

A handler that does nothing opens no connection, charges no one twice, never times
out and leaves no background work behind: each of these scenarios must still call it
bad, with a sentence that says what was wrong, and must not crash on it. The good
snippet of each pair, put in place of its bad partner, must be observed good (and the
bad one in place of the good, bad), as a reader fixing the code in the browser sees.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

import pytest

from conftest import ROOT
from sima.proofs.prover import lab_payload
from sima_lab.runner import run_snippet

FOLDERS = ("LESS-30", "LESS-31", "LESS-32", "LESS-33", "AP-01")

#: Handlers that do not do the job, and what the verdict's sentence must mention.
DEGENERATE = {
    "returns-none": ("def handler(event, context):\n    return None\n", "returned None instead of"),
    "raises": ('def handler(event, context):\n    raise RuntimeError("boom")\n', "RuntimeError"),
    "returns-unrelated-dict": (
        'def handler(event, context):\n    return {"status": "ok"}\n',
        "returned {'status': 'ok'} instead of",
    ),
}


@cache
def payload(ref_id: str) -> dict[str, object]:
    return lab_payload(ROOT / "snippets" / ref_id)


@cache
def claims(ref_id: str) -> dict[str, dict[str, Any]]:
    with (ROOT / "snippets" / ref_id / "claims.toml").open("rb") as file:
        return tomllib.load(file)


def source_of(ref_id: str, name: str) -> str:
    files = payload(ref_id)["files"]
    assert isinstance(files, dict)
    source = files[name]
    assert isinstance(source, str)
    return source


def every_claim() -> list[tuple[str, str]]:
    return [(ref_id, name) for ref_id in FOLDERS for name in claims(ref_id)]


def every_pair() -> list[tuple[str, str, str]]:
    return [
        (ref_id, name, claim["fixes"])
        for ref_id in FOLDERS
        for name, claim in claims(ref_id).items()
        if "fixes" in claim
    ]


def test_each_entry_has_at_least_two_proven_pairs() -> None:
    for ref_id in FOLDERS:
        pairs = [pair for pair in every_pair() if pair[0] == ref_id]
        assert len(pairs) >= 2, ref_id
        bad = {name for name, claim in claims(ref_id).items() if claim["claim"] == "bad"}
        assert bad == {fixed for _, _, fixed in pairs}, ref_id
        assert all(claims(ref_id)[name]["fails"] for name in bad), ref_id


@pytest.mark.parametrize("kind", list(DEGENERATE))
@pytest.mark.parametrize(
    ("ref_id", "name"), every_claim(), ids=[f"{r}/{n}" for r, n in every_claim()]
)
def test_a_handler_that_does_not_do_its_job_is_bad(ref_id: str, name: str, kind: str) -> None:
    source, mentioned = DEGENERATE[kind]
    result = run_snippet(payload(ref_id), name, source)
    assert result["status"] in ("pass", "fail"), result["message"]
    assert result["observed"] == "bad", result["report"]
    assert mentioned in result["report"], result["report"]


@pytest.mark.parametrize(
    ("ref_id", "good", "bad"), every_pair(), ids=[f"{r}/{g}-fixes-{b}" for r, g, b in every_pair()]
)
def test_the_good_snippet_in_place_of_the_bad_is_good(ref_id: str, good: str, bad: str) -> None:
    fixed = run_snippet(payload(ref_id), bad, source_of(ref_id, good))
    assert (fixed["observed"], fixed["status"]) == ("good", "fail"), fixed["report"]
    broken = run_snippet(payload(ref_id), good, source_of(ref_id, bad))
    assert (broken["observed"], broken["status"]) == ("bad", "fail"), broken["report"]
    assert broken["observed_failures"] == claims(ref_id)[bad]["fails"], broken["report"]
