"""Every snippet claim gives the same result in Pyodide (under Node) as in CPython.

The site's browser runs claims with `sima_lab.runner` inside Pyodide, from the lab
wheel registered in the site's `pyodide-lock.json`; `sima verify` and the build run
them with CPython. This test builds that same runtime (`sima.runtime.assemble.prepare_runtime`),
runs every claimed snippet of every `snippets/<REF-ID>/` folder in both, once, and
compares status, observed and declared verdicts, the failures declared and observed, and
messages, and that both draw the same timeline.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from sima.content.settings import load_settings
from sima.proofs import parity as harness
from sima.proofs.parity import MARKER, Payload, Run
from sima.proofs.prover import snippet_folders
from sima.runtime.assemble import LOCK_FILE, SITE_DIR, RuntimeError_, prepare_runtime
from sima_lab.folder import Folder
from sima_lab.runner import run_snippet

PYODIDE_DIR = ROOT / "node_modules" / "pyodide"
LAB_DIR = ROOT / "tools" / "sima_lab"
SETTINGS = load_settings(ROOT / "mkdocs.yml")
SNIPPETS_DIR = SETTINGS.snippets_dir
#: Result fields that must be identical in CPython and Pyodide.
COMPARED = ("status", "observed", "declared", "fails", "observed_failures", "message")
#: Seconds the harness may take (Pyodide loads in a few seconds).
TIMEOUT = 300
#: Payload key prefix of the deliberately mislabelled copy.
MISLABELLED = "mislabelled:"

Result = dict[str, Any]


@dataclass(frozen=True)
class Parity:
    """Both runtimes' results by run id, and what was run.

    Attributes:
        claimed: Ids (`<REF-ID>/<name>`) of every claimed snippet in `snippets/`.
        mislabelled: Id of the copy of a bad snippet whose claim says `good`.
        cpython: CPython's `run_snippet` results by id.
        pyodide: The harness's results by id.
        info: The harness's document without its results (versions, timings).
    """

    claimed: list[str]
    mislabelled: str
    cpython: dict[str, Result]
    pyodide: dict[str, Result]
    info: dict[str, Any]


def node_executable() -> str:
    try:
        return harness.node()
    except harness.ParityError as exc:
        pytest.fail(str(exc))


def run_harness(lock: Path, input_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the harness once; a non-zero exit is returned, a timeout fails the test."""
    try:
        return harness.run_harness(PYODIDE_DIR, lock, input_path, TIMEOUT)
    except harness.ParityError as exc:
        pytest.fail(str(exc))


def harness_document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    try:
        return harness.harness_document(result)
    except harness.ParityError as exc:
        pytest.fail(str(exc))


def flip_to_good(claims: str, name: str) -> str:
    """`claims` with table `[name]`'s `claim = "bad"` changed to `"good"` (else unchanged)."""
    header = re.search(rf"^\[{re.escape(name)}\][ \t]*$", claims, re.MULTILINE)
    if header is None:
        return claims
    following = re.compile(r"^\[", re.MULTILINE).search(claims, header.end())
    end = following.start() if following else len(claims)
    section = re.sub(
        r'^(claim[ \t]*=[ \t]*)"bad"',
        r'\1"good"',
        claims[header.end() : end],
        count=1,
        flags=re.MULTILINE,
    )
    return claims[: header.end()] + section + claims[end:]


def mislabelled_copy(payloads: dict[str, Payload]) -> tuple[str, Payload, str]:
    """A copy of the first payload with a `bad` claim, that claim flipped to `good`.

    Returns:
        The copy's key, the copy, and the flipped snippet's name.
    """
    for key, payload in payloads.items():
        for name, claim in Folder.from_payload(payload).claims.items():
            if claim.claim != "bad":
                continue
            copy = {**payload, "claims": flip_to_good(str(payload["claims"]), name)}
            if Folder.from_payload(copy).claims[name].claim == "good":
                return MISLABELLED + key, copy, name
    pytest.fail("no snippet claims `bad`: nothing to mislabel")


def runtime_lock(cache_dir: Path) -> Path:
    """The site's `pyodide-lock.json` with the lab wheel, built like the site's."""
    node_modules = "node_modules/pyodide is missing or incomplete: run `make setup`"
    if not (PYODIDE_DIR / "pyodide.mjs").is_file():
        pytest.fail(node_modules)
    try:
        runtime = prepare_runtime(PYODIDE_DIR, LAB_DIR, cache_dir)
    except RuntimeError_ as exc:
        pytest.fail(f"{exc} ({node_modules})")
    lock = runtime.files[f"{SITE_DIR}/{LOCK_FILE}"]
    wheel = runtime.files[f"{SITE_DIR}/{runtime.wheel}"]
    # The harness finds the wheel beside the lock, as the browser does in assets/pyodide/.
    assert wheel.parent == lock.parent, f"{wheel} is not beside {lock}"
    return lock


@pytest.fixture(scope="session")
def lock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lock and wheel built for this session (the wheel sits beside the lock)."""
    node_executable()  # fail early, before building anything
    return runtime_lock(tmp_path_factory.mktemp("pyodide-runtime"))


@pytest.fixture(scope="session")
def parity(lock: Path, tmp_path_factory: pytest.TempPathFactory) -> Parity:
    """Every claim run in CPython and, in one Node process, in Pyodide."""
    work = tmp_path_factory.mktemp("pyodide-parity")

    try:
        payloads, runs = harness.claim_runs(snippet_folders(SETTINGS))
    except harness.ParityError as exc:
        pytest.fail(str(exc))
    claimed = [run.id for run in runs]
    key, copy, name = mislabelled_copy(payloads)
    payloads[key] = copy
    mislabelled = Run(f"{key}/{name}", key, name)
    runs.append(mislabelled)

    input_path = harness.write_input(work / "input.json", payloads, runs)
    cpython = {run.id: run_snippet(payloads[run.payload], run.name) for run in runs}
    document = harness_document(run_harness(lock, input_path))
    pyodide: dict[str, Result] = document.pop("results")
    return Parity(claimed, mislabelled.id, cpython, pyodide, document)


def _cell(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def difference_table(differences: list[tuple[str, str, object, object]]) -> str:
    """Rows (snippet, field, CPython's value, Pyodide's value) as an aligned table."""
    rows = [("snippet", "field", "CPython", "Pyodide")]
    rows += [(run, field, _cell(a), _cell(b)) for run, field, a, b in differences]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def test_there_are_claims_to_check(parity: Parity) -> None:
    assert parity.claimed, f"no claimed snippet found under {SNIPPETS_DIR}"


def test_pyodide_runs_every_snippet_cpython_runs(parity: Parity) -> None:
    expected = {*parity.claimed, parity.mislabelled}
    assert set(parity.cpython) == expected
    missing = sorted(expected - set(parity.pyodide))
    extra = sorted(set(parity.pyodide) - expected)
    assert not missing and not extra, f"not run in Pyodide: {missing}; unexpected: {extra}"


def test_pyodide_results_match_cpython(parity: Parity) -> None:
    differences = [
        (run, field, parity.cpython[run].get(field), parity.pyodide.get(run, {}).get(field))
        for run in parity.claimed
        for field in COMPARED
        if parity.cpython[run].get(field) != parity.pyodide.get(run, {}).get(field)
    ]
    assert not differences, (
        f"{len({d[0] for d in differences})} of {len(parity.claimed)} snippets differ between "
        f"CPython and Pyodide {parity.info.get('pyodide')}:\n{difference_table(differences)}"
    )


def _shapes(svg: str) -> str:
    """A timeline without its tooltips, which quote results: those may hold sizes that
    differ by platform (LESS-17 measures a lock's bytes, 32-bit in Pyodide)."""
    return re.sub(r"<title>[^<]*</title>", "<title/>", svg)


def test_pyodide_draws_the_same_timelines(parity: Parity) -> None:
    differences = [
        run
        for run in parity.claimed
        if _shapes(parity.cpython[run]["timeline"])
        != _shapes(parity.pyodide.get(run, {}).get("timeline", ""))
    ]
    assert parity.claimed and not differences, differences


def test_the_lab_in_pyodide_is_the_built_wheel(parity: Parity, lock: Path) -> None:
    entry = json.loads(lock.read_text(encoding="utf-8"))["packages"]["sima-lab"]
    assert parity.info["lab_version"] == entry["version"], parity.info


def test_a_mislabelled_claim_fails_in_both(parity: Parity) -> None:
    """The check can fail: a bad snippet whose claim says `good` fails in both runtimes."""
    cpython, pyodide = parity.cpython[parity.mislabelled], parity.pyodide[parity.mislabelled]
    for result in (cpython, pyodide):
        assert (result["status"], result["declared"], result["observed"]) == (
            "fail",
            "good",
            "bad",
        ), result
        assert result["message"], result
    assert {f: pyodide[f] for f in COMPARED} == {f: cpython[f] for f in COMPARED}


def test_harness_rejects_a_wheel_that_does_not_match_the_lock(lock: Path, tmp_path: Path) -> None:
    """Node's Pyodide skips the lock's sha256 for local wheels: the harness checks it."""
    tampered = tmp_path / "tampered"
    shutil.copytree(lock.parent, tampered)
    [wheel] = tampered.glob("*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps({"payloads": {}, "runs": []}), encoding="utf-8")
    result = run_harness(tampered / LOCK_FILE, input_path)
    assert result.returncode != 0, result.stdout
    assert "does not match the lock" in result.stderr, result.stderr
    assert MARKER not in result.stdout
