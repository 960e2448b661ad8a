"""Unproven code: shown as such, skipped by verify, counted in the proof coverage."""

from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, Project, run_mkdocs
from sima.cli import main as sima
from sima.content.catalog import load_catalog
from sima.proofs.coverage import Coverage, build_date, entry_coverage, pinned_pyodide, python_blocks
from test_build import sound

IMPORTED = "def handler(event, context):\n    return {'seen': event}\n"


def with_unproven(project: Project) -> None:
    """LESS-01 shows a proven snippet; LESS-02 an unproven one and a plain Python block."""
    sound(project)
    project.entry(
        "LESS-02",
        "Second",
        "Back to LESS-01.\n\n@snippet(as_imported)\n\n```python\nx = 1\n```\n",
    )
    project.write("snippets/LESS-02/as_imported.py", IMPORTED)
    project.write(
        "snippets/LESS-02/claims.toml",
        '[as_imported]\nclaim = "unproven"\nsays = "The handler echoes the event."\n',
    )


def config(project: Project) -> str:
    return str(project.root / "mkdocs.yml")


def test_python_blocks_are_counted_at_any_indent_and_only_python() -> None:
    body = (
        "```python\na = 1\n```\n\n- item\n\n  ```py\n  b = 2\n  ```\n\n"
        "```yaml\nkey: 1\n```\n\n````text\n```python\nnot a block\n```\n````\n"
    )
    assert python_blocks(body) == 2


def test_coverage_sums_and_describes() -> None:
    total = Coverage(1, 2) + Coverage(3, 3)
    assert total == Coverage(4, 5)
    assert total.describe() == "4 of 5 code blocks proven (80%)"
    assert Coverage(2, 3).percent == 66  # rounded down: 100% means all
    assert Coverage().percent == 100


def test_entry_coverage_counts_snippets_by_claim_and_plain_python(project: Project) -> None:
    with_unproven(project)
    catalog = load_catalog(project.settings)
    claims = {"LESS-01/adder": "good", "LESS-02/as_imported": "unproven"}
    assert entry_coverage(catalog.entries["LESS-01"], claims) == Coverage(1, 1)
    assert entry_coverage(catalog.entries["LESS-02"], claims) == Coverage(0, 2)


def test_check_reports_coverage_per_entry_and_for_the_site(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    with_unproven(project)
    assert sima(["--config", config(project), "check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # coverage is not a problem
    assert captured.err.splitlines() == [
        "entries/LESS-01.md: 1 of 1 code block proven (100%)",
        "entries/LESS-02.md: 0 of 2 code blocks proven (0%)",
        "proof coverage: 1 of 3 code blocks proven (33%) in 2 entries with code",
        "2 entries (0 planned), 0 problem(s)",
    ]


def test_the_real_content_is_fully_proven(capsys: pytest.CaptureFixture[str]) -> None:
    assert sima(["--config", str(ROOT / "mkdocs.yml"), "check"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "proven (" in line]
    assert lines[-1].startswith("proof coverage: ")
    assert len(lines) > 1
    assert all("proven (100%)" in line for line in lines), lines


def test_verify_and_mutants_skip_unproven_code_and_say_so(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    with_unproven(project)
    assert sima(["--config", config(project), "verify", "--mutants"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "SKIP snippets/LESS-02/as_imported.py: unproven, no scenario checks it" in lines
    assert "snippets/LESS-02: 0 of 0 mutants rejected (1 unproven snippet(s) skipped)" in lines
    assert lines[-1] == "1 passed, 0 failed, 1 unproven skipped"
    path = str(project.root / "snippets/LESS-02/as_imported.py")
    assert sima(["--config", config(project), "run", path]) == 1
    assert "unproven: no scenario checks it" in capsys.readouterr().out


def test_build_date_follows_source_date_epoch() -> None:
    assert build_date({"SOURCE_DATE_EPOCH": "1767225600"}) == dt.date(2026, 1, 1)
    assert build_date({}, today=dt.date(2030, 5, 6)) == dt.date(2030, 5, 6)
    assert build_date({"SOURCE_DATE_EPOCH": "soon"}, today=dt.date(2030, 5, 6)) == dt.date(
        2030, 5, 6
    )


def test_pages_show_unproven_code_coverage_and_where_claims_were_proven(
    tmp_path: Path,
) -> None:
    project = Project(tmp_path, runner=True)  # (the page names the runner's Pyodide)
    with_unproven(project)
    result = run_mkdocs(
        project.root / "mkdocs.yml",
        "build",
        "--strict",
        env={"SOURCE_DATE_EPOCH": "1767225600"},
    )
    assert result.returncode == 0, result.stderr
    site = project.root / "site"

    second = BeautifulSoup((site / "entries/LESS-02/index.html").read_text(), "html.parser")
    block = second.select_one('[data-unproven="LESS-02/as_imported"]')
    assert block is not None
    assert block.get("data-snippet") is None  # the runner does not attach: no Run, no verdict
    assert block.get("data-claim") == "unproven"
    badge = block.select_one(".sima-badge--unproven")
    assert badge is not None and badge.get_text() == "unproven"  # a word, not only a colour
    assert "echoes the event" in block.get_text()
    assert block.select_one(".sima-trace") is None  # nothing was observed
    proof = second.select_one(".sima-proof")
    assert proof is not None
    assert "0 of 2 code blocks proven (0%): no scenario checks" in proof.get_text()

    first = BeautifulSoup((site / "entries/LESS-01/index.html").read_text(), "html.parser")
    proof = first.select_one(".sima-proof")
    assert proof is not None
    pyodide, python = pinned_pyodide(ROOT / "node_modules/pyodide")
    assert pyodide and python
    assert " ".join(proof.get_text().split()) == (
        "Proof: 1 of 1 code block proven (100%) by the build of 2026-01-01 in "
        f"{platform.python_implementation()} {platform.python_version()}; Run re-checks "
        f"them in your browser in Pyodide {pyodide} (Python {python})."
    )

    browse = BeautifulSoup((site / "browse/index.html").read_text(), "html.parser")
    coverage = browse.select_one(".sima-coverage")
    assert coverage is not None
    assert "Proof coverage: 1 of 3 code blocks proven (33%), in 2 entries" in coverage.get_text()
    rows = {
        tr.select("td")[0].get_text(): tr.select("td")[-1].get_text()
        for tr in browse.select("tbody tr")
    }
    assert rows == {"LESS-01": "1 of 1", "LESS-02": "0 of 2"}
