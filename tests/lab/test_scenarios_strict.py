"""Every folder's scenarios judge what the code does, not only what it avoids doing.

A reader could otherwise "fix" a bad pattern by emptying its handler: a handler that
does nothing opens no connection, leaks no session, charges no one twice, never
times out and leaves no background work behind. For every claim of every
`snippets/<REF-ID>/` folder (found, not listed), the scenario must call such code bad,
with a sentence saying what was wrong, and must not crash on it (status `error`).
A snippet without a handler (one layer of a small application, as in ARCH-02) has
each of its public functions emptied instead, and must be judged to give wrong
answers. The good snippet of each pair, put in place of its bad partner, must still
be observed good (and the bad one, in place of the good, bad, for its declared
reasons), as a reader fixing the code in the browser would see.

Everything runs through `sima_lab.runner.run_snippet` on each folder's payload: what
the site's worker calls.
"""

from __future__ import annotations

from functools import cache

import pytest

from conftest import ROOT
from sima_lab import Claim, Folder, load_folder
from sima_lab.mutants import targets
from sima_lab.runner import run_snippet

SNIPPETS = ROOT / "snippets"
FOLDERS = sorted(p.name for p in SNIPPETS.iterdir() if p.is_dir() and p.name[0] not in "._")

#: Bodies that do not do the job, and what the verdict's sentence must then mention
#: for a handler (a layer's emptied functions are judged by the answers they spoil).
DEGENERATE = {
    "returns-none": ("return None", "returned None instead of"),
    "raises": ('raise RuntimeError("boom")', "RuntimeError"),
    "returns-constant": ('return "ok"', "returned 'ok' instead of"),
    "returns-unrelated-dict": ('return {"status": "ok"}', "returned {'status': 'ok'} instead of"),
}


@cache
def folder(ref_id: str) -> Folder:
    return load_folder(SNIPPETS / ref_id, root=ROOT)


@cache
def payload(ref_id: str) -> dict[str, object]:
    return folder(ref_id).to_payload()


def proven(ref_id: str) -> dict[str, Claim]:
    return {name: claim for name, claim in folder(ref_id).claims.items() if claim.proven}


def every_claim() -> list[tuple[str, str]]:
    return [(ref_id, name) for ref_id in FOLDERS for name in proven(ref_id)]


def every_pair() -> list[tuple[str, str, str]]:
    return [
        (ref_id, name, claim.fixes)
        for ref_id in FOLDERS
        for name, claim in proven(ref_id).items()
        if claim.fixes is not None
    ]


def degenerate(source: str, body: str) -> str:
    """The snippet with its handler (or each public function) doing only `body`."""
    names = targets(source)
    if names == ("handler",):
        return f"def handler(event, context):\n    {body}\n"
    return "".join(f"def {name}(*args, **kwargs):\n    {body}\n\n\n" for name in names)


def test_every_folder_is_found_and_proves_something() -> None:
    assert len(FOLDERS) == len([p for p in SNIPPETS.iterdir() if p.is_dir()])
    for ref_id in FOLDERS:
        assert proven(ref_id), f"{ref_id} has no good or bad claim"
        assert folder(ref_id).problems == [], ref_id


@pytest.mark.parametrize("kind", list(DEGENERATE))
@pytest.mark.parametrize(
    ("ref_id", "name"), every_claim(), ids=[f"{r}/{n}" for r, n in every_claim()]
)
def test_code_that_does_not_do_its_job_is_bad(ref_id: str, name: str, kind: str) -> None:
    body, mentioned = DEGENERATE[kind]
    source = folder(ref_id).snippet(name).source
    result = run_snippet(payload(ref_id), name, degenerate(source, body))
    assert result["status"] in ("pass", "fail"), result["message"]
    assert result["observed"] == "bad", result["report"]
    if targets(source) == ("handler",):
        assert mentioned in result["report"], result["report"]
    elif kind == "raises":
        assert "error:RuntimeError" in result["observed_failures"], result["report"]
    else:
        assert "wrong-answer" in result["observed_failures"], result["report"]


@pytest.mark.parametrize(
    ("ref_id", "good", "bad"), every_pair(), ids=[f"{r}/{g}-fixes-{b}" for r, g, b in every_pair()]
)
def test_the_good_snippet_in_place_of_the_bad_is_good(ref_id: str, good: str, bad: str) -> None:
    sources = folder(ref_id)
    fixed = run_snippet(payload(ref_id), bad, sources.snippet(good).source)
    # The `bad` claim no longer holds: the reader fixed it.
    assert (fixed["observed"], fixed["status"]) == ("good", "fail"), fixed["report"]
    broken = run_snippet(payload(ref_id), good, sources.snippet(bad).source)
    assert (broken["observed"], broken["status"]) == ("bad", "fail"), broken["report"]
    assert sorted(broken["observed_failures"]) == sorted(proven(ref_id)[bad].fails), broken[
        "report"
    ]


@pytest.mark.parametrize(
    ("ref_id", "name"), every_claim(), ids=[f"{r}/{n}" for r, n in every_claim()]
)
def test_each_snippet_still_shows_its_claim(ref_id: str, name: str) -> None:
    result = run_snippet(payload(ref_id), name)
    assert result["status"] == "pass", result["message"]
    assert result["observed"] == proven(ref_id)[name].claim
