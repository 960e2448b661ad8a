"""Proving every snippet claim: CPython (`sima verify`) against Pyodide under Node.

Per run, in alternation:

- `sima verify`: the wall time of the command, start-up and imports included;
- the Node harness (`sima.proofs.parity`): the wall time of the `node` process, which loads
  the Pyodide and lab wheel the site ships and runs every claim, with its own split
  into loading and running;
- the claims alone in this process with CPython (`sima_lab.runner.run_snippet`),
  to set beside the harness's running time.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sima.content.settings import load_settings
from sima.proofs import parity
from sima.proofs.prover import snippet_folders
from sima.runtime.assemble import LOCK_FILE, SITE_DIR, prepare_runtime
from sima_bench.common import Figure, arguments, record
from sima_lab.runner import run_snippet


def _seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr}")
    return seconds


def measure(root: Path, runs: int) -> dict[str, Any]:
    payloads, claim_runs = parity.claim_runs(snippet_folders(load_settings(root / "mkdocs.yml")))
    pyodide_dir = root / "node_modules" / "pyodide"
    runtime = prepare_runtime(pyodide_dir, root / "tools" / "sima_lab", root / ".cache" / "sima")
    lock = runtime.files[f"{SITE_DIR}/{LOCK_FILE}"]
    verify = [str(Path(sys.executable).with_name("sima")), "verify"]
    samples: dict[str, list[float]] = {k: [] for k in ("cpython", "node", "load", "run", "inproc")}
    with tempfile.TemporaryDirectory() as tmp:
        input_path = parity.write_input(Path(tmp) / "input.json", payloads, claim_runs)
        for _ in range(runs):
            samples["cpython"].append(_seconds(verify, root))
            start = time.perf_counter()
            document = parity.harness_document(parity.run_harness(pyodide_dir, lock, input_path))
            samples["node"].append(time.perf_counter() - start)
            samples["load"].append(document["load_ms"] / 1000)
            samples["run"].append(document["run_ms"] / 1000)
            start = time.perf_counter()
            for run in claim_runs:
                run_snippet(payloads[run.payload], run.name)
            samples["inproc"].append(time.perf_counter() - start)
    cpython, node = Figure.of(samples["cpython"]), Figure.of(samples["node"])
    run_py, run_node = Figure.of(samples["inproc"]), Figure.of(samples["run"])
    return {
        "unit": "seconds of wall time",
        "claims": len(claim_runs),
        "pyodide": document["pyodide"],
        "sima_verify_s": cpython,
        "pyodide_node_s": node,
        "pyodide_load_s": Figure.of(samples["load"]),
        "pyodide_claims_s": run_node,
        "cpython_claims_s": run_py,
        "ratio_wall": round(node.ratio_to(cpython), 2),
        "ratio_claims": round(run_node.ratio_to(run_py), 2),
    }


def report(data: dict[str, Any]) -> str:
    verify, node = data["sima_verify_s"], data["pyodide_node_s"]
    return "\n".join(
        [
            f"{data['claims']} claims",
            f"  sima verify (CPython):       {verify.median:6.2f} s "
            f"(min {verify.min:.2f}, max {verify.max:.2f})",
            f"  Pyodide {data['pyodide']} in Node:     {node.median:6.2f} s "
            f"(load {data['pyodide_load_s'].median:.2f} s, "
            f"claims {data['pyodide_claims_s'].median:.2f} s), ratio {data['ratio_wall']}",
            f"  claims alone: CPython {data['cpython_claims_s'].median:.2f} s, "
            f"Pyodide {data['pyodide_claims_s'].median:.2f} s, ratio {data['ratio_claims']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, runs=5).parse_args(argv)
    data = measure(args.root.resolve(), args.runs)
    return record("claims", data, args.runs, args.root, report(data))


if __name__ == "__main__":
    raise SystemExit(main())
