"""LESS-22's scenarios judge what a handler does, not only what it avoids doing.

A reader could otherwise "fix" a bad pattern by emptying its handler: a handler that
does nothing opens no connection, leaks no session and fills no `/tmp`. Every claim's
scenario must call such a handler bad, with a sentence saying what was wrong, and
must not crash on it (status `error`). The good snippet of each pair, put in place of
its bad partner, must still be observed good (and the bad one, in place of the good,
bad), as a reader fixing the code in the browser would see.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

import pytest

from conftest import ROOT
from sima.proofs.prover import lab_payload
from sima_lab.runner import run_snippet

FOLDER = ROOT / "snippets" / "LESS-22"

#: Handlers that do not do the job, and what the verdict's sentence must mention.
DEGENERATE = {
    "returns-none": (
        "def handler(event, context):\n    return None\n",
        "returned None instead of",
    ),
    "raises": (
        'def handler(event, context):\n    raise RuntimeError("boom")\n',
        "RuntimeError",
    ),
    "returns-constant": (
        'def handler(event, context):\n    return "ok"\n',
        "returned 'ok' instead of",
    ),
    "returns-unrelated-dict": (
        'def handler(event, context):\n    return {"status": "ok"}\n',
        "returned {'status': 'ok'} instead of",
    ),
}


@cache
def payload() -> dict[str, object]:
    return lab_payload(FOLDER)


def source_of(name: str) -> str:
    files = payload()["files"]
    assert isinstance(files, dict)
    source = files[name]
    assert isinstance(source, str)
    return source


def claims() -> dict[str, dict[str, Any]]:
    with (FOLDER / "claims.toml").open("rb") as file:
        return tomllib.load(file)


def pairs() -> list[tuple[str, str]]:
    """(good, bad) for every good claim that `fixes` a bad one."""
    return [(name, claim["fixes"]) for name, claim in claims().items() if "fixes" in claim]


def test_the_claims_and_pairs_are_found() -> None:
    assert len(claims()) >= 15
    assert len(pairs()) >= 7


@pytest.mark.parametrize("kind", list(DEGENERATE))
@pytest.mark.parametrize("name", list(claims()))
def test_a_handler_that_does_not_do_its_job_is_bad(name: str, kind: str) -> None:
    source, mentioned = DEGENERATE[kind]
    result = run_snippet(payload(), name, source)
    assert result["status"] in ("pass", "fail"), result["message"]
    assert result["observed"] == "bad", result["report"]
    assert mentioned in result["report"], result["report"]


@pytest.mark.parametrize(("good", "bad"), pairs(), ids=[f"{g}-fixes-{b}" for g, b in pairs()])
def test_the_good_snippet_in_place_of_the_bad_is_good(good: str, bad: str) -> None:
    fixed = run_snippet(payload(), bad, source_of(good))
    assert fixed["observed"] == "good", fixed["report"]
    assert fixed["status"] == "fail"  # the `bad` claim no longer holds: the reader fixed it
    broken = run_snippet(payload(), good, source_of(bad))
    assert broken["observed"] == "bad", broken["report"]
    assert broken["status"] == "fail"


@pytest.mark.parametrize("name", list(claims()))
def test_each_snippet_still_shows_its_claim(name: str) -> None:
    result = run_snippet(payload(), name)
    assert result["status"] == "pass", result["message"]
    assert result["observed"] == claims()[name]["claim"]
