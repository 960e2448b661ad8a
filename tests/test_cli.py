"""The `sima` command as an author uses it: check, verify, run, new, import."""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT, Project, run_mkdocs
from sima.cli import main as sima

CONFIG = str(ROOT / "mkdocs.yml")
LESS22 = ROOT / "snippets" / "LESS-22"


def test_check_passes_on_the_real_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert sima(["--config", CONFIG, "check"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 problem(s)" in captured.err


def test_verify_prints_a_line_per_snippet_and_the_totals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert sima(["--config", CONFIG, "verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    total = sum(
        len(tomllib.loads((folder / "claims.toml").read_text(encoding="utf-8")))
        for folder in (ROOT / "snippets").iterdir()
        if folder.is_dir()
    )
    assert lines[-1] == f"{total} passed, 0 failed"
    claims = tomllib.loads((LESS22 / "claims.toml").read_text(encoding="utf-8"))
    for name, claim in claims.items():
        assert any(
            line.startswith(f"PASS snippets/LESS-22/{name}.py: {claim['claim']}, ")
            for line in lines
        ), name


def test_run_prints_the_trace_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(LESS22 / "mistake2_counter_as_written.py")
    assert sima(["--config", CONFIG, "run", path]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["#", "container", "start"]
    assert "UnboundLocalError" in out
    assert (
        "verdict: observed bad (error:UnboundLocalError), declared bad "
        "(error:UnboundLocalError): the claim holds." in out
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("README.md", "not a snippet"),
        ("snippets/LESS-22/nope.py", "no such file"),
        ("snippets/LESS-22/claims.toml", "not a snippet"),
    ],
)
def test_run_explains_what_is_not_a_snippet(
    given: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sima(["--config", CONFIG, "run", str(ROOT / given)]) == 1
    assert expected in capsys.readouterr().out


def test_verify_fails_for_a_mislabelled_snippet(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copy a bad LESS-22 snippet and declare it good: verify must say it is not."""
    folder = project.root / "snippets" / "LESS-22"
    shutil.copytree(LESS22, folder)
    project.entry("LESS-22", "State")
    text = (folder / "claims.toml").read_text(encoding="utf-8")
    start = text.index("[mistake1_user_sessions]")
    text = text[:start] + text[start:].replace('claim = "bad"', 'claim = "good"', 1).replace(
        'fails = ["session-leak"]\n', "", 1
    )
    (folder / "claims.toml").write_text(text, encoding="utf-8")
    config = str(project.root / "mkdocs.yml")
    assert sima(["--config", config, "verify", str(folder / "mistake1_user_sessions.py")]) == 1
    out = capsys.readouterr().out
    assert "FAIL snippets/LESS-22/mistake1_user_sessions.py:" in out
    assert "declared good, but the check observed bad (session-leak)" in out
    # The pairing is now wrong too: the good fix names a snippet claimed good.
    assert "claims.toml:32: [mistake1_request_scoped] fixes 'mistake1_user_sessions'" in out
    assert out.splitlines()[-1] == "0 passed, 2 failed"


def test_new_scaffolds_an_entry_that_checks_verifies_and_builds(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(project.root / "mkdocs.yml")
    assert sima(["--config", config, "new", "LESS-23", "--title", "Caches need an owner"]) == 0
    out = capsys.readouterr().out
    assert "created entries/less/LESS-23.md" in out
    assert "created snippets/LESS-23/claims.toml" in out
    text = (project.root / "entries/less/LESS-23.md").read_text(encoding="utf-8")
    assert 'title: "Caches need an owner"' in text
    assert f"created: {dt.date.today().isoformat()}" in text

    assert sima(["--config", config, "check"]) == 0
    assert sima(["--config", config, "verify"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 passed, 0 failed"
    built = run_mkdocs(project.root / "mkdocs.yml", "build", "--strict")
    assert built.returncode == 0, built.stderr


def test_new_puts_an_entry_beside_others_of_its_prefix(project: Project) -> None:
    project.write("entries/lessons/LESS-01.md", "---\nREF-ID: LESS-01\ntitle: A\ntype: x\n---\n")
    config = str(project.root / "mkdocs.yml")
    assert sima(["--config", config, "new", "LESS-02", "--title", "B"]) == 0
    assert (project.root / "entries/lessons/LESS-02.md").is_file()


@pytest.mark.parametrize(
    ("ref_id", "title", "expected"),
    [
        ("LESS-01", "Again", "LESS-01 exists already: entries/LESS-01.md"),
        ("FOO-1", "Unknown prefix", "unknown prefix 'FOO'"),
        ("less-2", "Lower case", "is not a REF-ID"),
        ("LESS-3", "  ", "the title must not be empty"),
    ],
)
def test_new_refuses_and_writes_nothing(
    project: Project, ref_id: str, title: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    project.entry("LESS-01", "Existing")
    before = sorted(p.relative_to(project.root) for p in project.root.rglob("*"))
    config = str(project.root / "mkdocs.yml")
    assert sima(["--config", config, "new", ref_id, "--title", title]) == 1
    assert expected in capsys.readouterr().err
    assert sorted(p.relative_to(project.root) for p in project.root.rglob("*")) == before


def test_import_converts_the_seed_and_reports_failures(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = ROOT / "tests/fixtures/seed/LESS-22.md"
    broken = project.write("legacy/broken.md", "no header at all\n")
    config = str(project.root / "mkdocs.yml")
    out_dir = project.root / "entries"
    assert sima(["--config", config, "import", str(seed), str(broken), "--out", str(out_dir)]) == 1
    captured = capsys.readouterr()
    assert "LESS-22.md" in captured.out and "broken.md" in captured.out
    assert "1 of 2 entry files converted (50.0%): 1 written" in captured.err
    assert "1 failed" in captured.err
    written = (out_dir / "LESS-22.md").read_text(encoding="utf-8")
    assert written.startswith("---\nREF-ID: LESS-22\n")
    assert "âœ" not in written and "✅" in written


def test_a_missing_config_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sima(["--config", str(tmp_path / "nope.yml"), "check"]) == 2
    assert "cannot read" in capsys.readouterr().err
