"""The plugin installs from its wheel into another MkDocs project and works there.

Builds the wheel of this repository, installs it into a fresh virtual environment
(its dependencies pinned by constraints.txt), and in a second, tiny knowledge base
(its own mkdocs.yml, two entries, one snippet pair made by `sima new`) runs `sima
verify` and a strict build, then checks the links and the runner's assets.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT

pytestmark = pytest.mark.slow

MKDOCS_YML = """\
site_name: Another team's knowledge base
site_url: http://127.0.0.1:8000/
theme:
  name: material
  font: false
plugins:
  - search
  - sima:
      node_modules: {node_modules}
      prefixes:
        OPS: Operations Note
"""
SECOND = """\
---
REF-ID: OPS-2
title: "Retry budgets"
type: Operations Note
---
Retries build on OPS-1: its greeting example shows where state lives.
"""


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1", "HOME": str(cwd or ROOT)},
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_installs_into_another_project_and_builds_it(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", wheels, ROOT)  # fmt: skip
    (wheel,) = wheels.glob("mkdocs_sima-*.whl")
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel)

    project = tmp_path / "kb"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Operations notes\n\nStart at OPS-1.\n")
    (project / "mkdocs.yml").write_text(MKDOCS_YML.format(node_modules=ROOT / "node_modules"))
    sima = env / "bin" / "sima"
    run(sima, "new", "OPS-1", "--title", "Greetings keep no state", cwd=project)
    (project / "entries" / "ops" / "OPS-2.md").write_text(SECOND)
    verified = run(sima, "verify", "--mutants", cwd=project)
    assert verified.stdout.splitlines()[-1] == "2 passed, 0 failed"
    run(env / "bin" / "mkdocs", "build", "--strict", cwd=project)

    site = project / "site"
    page = BeautifulSoup((site / "entries/OPS-2/index.html").read_text("utf-8"), "html.parser")
    link = page.select_one('article a[href$="OPS-1/"]')
    assert link is not None and "Greetings keep no state" in str(link.get("title", ""))
    first = (site / "entries/OPS-1/index.html").read_text("utf-8")
    assert 'data-snippet="OPS-1/example_bad"' in first and "OPS-2" in first  # a backlink
    assert list((site / "assets/pyodide").glob("pyodide.asm-*.wasm.gz"))
    for bundle in ("site.js", "run.js", "python-worker.js", "config.js"):
        assert (site / "assets/sima" / bundle).is_file(), f"the site lacks {bundle}"
    assert (site / "assets/vendor/editor.js").is_file(), "the editor bundle is missing"
