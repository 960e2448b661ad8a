"""Run snippet claims in Pyodide under Node, the way the site's worker does.

The harness (`run_claims.mjs`, beside this module) loads exactly the lock and lab
wheel the site ships ([`prepare_runtime`][sima.runtime.assemble.prepare_runtime]) and calls
`sima_lab.runner.run_snippet_json` for each run. The parity tests compare its results
with CPython's; the claims benchmark times it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sima_lab.folder import load_folder

HARNESS = Path(__file__).with_name("run_claims.mjs")
#: The harness's one line of result on stdout starts with this.
MARKER = "SIMA-PARITY-RESULT "

Payload = dict[str, object]


class ParityError(Exception):
    """The harness could not be run, or did not give one result line."""


@dataclass(frozen=True)
class Run:
    """One snippet to check: its id in the results, its payload's key, its name."""

    id: str
    payload: str
    name: str


def claim_runs(folders: Iterable[Path]) -> tuple[dict[str, Payload], list[Run]]:
    """The payload of each snippet folder, and one run per snippet with a proven claim
    (unproven code has no scenario to run), from one reading of each folder."""
    payloads: dict[str, Payload] = {}
    runs: list[Run] = []
    for path in folders:
        folder = load_folder(path)
        payloads[folder.ref_id] = folder.to_payload()
        runs += [
            Run(f"{folder.ref_id}/{name}", folder.ref_id, name)
            for name, claim in folder.claims.items()
            if claim.proven
        ]
    return payloads, runs


def write_input(path: Path, payloads: dict[str, Payload], runs: Iterable[Run]) -> Path:
    """The harness's input file: payloads by key and the runs, in order."""
    document = {"payloads": payloads, "runs": [asdict(run) for run in runs]}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def node() -> str:
    """The `node` executable (Node.js 20 or newer)."""
    found = shutil.which("node")
    if found is None:
        raise ParityError("node (Node.js 20) is not on PATH: run `make setup`")
    return found


def run_harness(
    pyodide_dir: Path, lock: Path, input_path: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the harness once; never raises on a non-zero exit (the caller reads it).

    Raises:
        ParityError: Node is missing, or the harness ran longer than `timeout` seconds.
    """
    command = [node(), str(HARNESS), str(pyodide_dir), str(lock), str(input_path)]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        raise ParityError(f"the Pyodide harness did not finish in {timeout} s:\n{stderr}") from exc


def harness_document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The harness's result line, parsed.

    Returns:
        `{"pyodide", "python", "lab_version", "load_ms", "run_ms", "results"}`.

    Raises:
        ParityError: The harness failed, or printed no single result line.
    """
    if result.returncode != 0:
        exit_status = result.returncode
        raise ParityError(f"the Pyodide harness failed (exit {exit_status}):\n{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARKER)]
    if len(lines) != 1:
        raise ParityError(
            f"expected one {MARKER.strip()} line from the harness, got {len(lines)}:\n"
            f"stdout:\n{result.stdout[:2000]}\nstderr:\n{result.stderr}"
        )
    document: dict[str, Any] = json.loads(lines[0].removeprefix(MARKER))
    return document
