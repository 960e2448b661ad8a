"""Bad content through `sima check` and `mkdocs build`: clear messages, nothing half-built.

Each case writes a small project with one problem, then checks what a user sees:
`sima check` prints `path:line: message` and exits 1; `mkdocs build --strict` exits
non-zero with the same message, no Python traceback, and leaves the old site alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup

from conftest import Project, run_mkdocs
from sima.cli import main as sima

GOOD_SNIPPET = "def handler(event, context):\n    return event['n'] + 1\n"
SCENARIOS = """\
from sima_lab import Lab, Verdict
from sima_lab.answers import judge


def adds_one(lab: Lab) -> Verdict:
    result = lab.invoke({"n": 1}).result
    return judge(f"got {result!r}", wrong_answer=result != 2)
"""


def snippet_folder(
    project: Project, ref_id: str, claim: str = "good", code: str = GOOD_SNIPPET
) -> None:
    project.write(f"snippets/{ref_id}/adder.py", code)
    project.write(
        f"snippets/{ref_id}/claims.toml",
        f'[adder]\nclaim = "{claim}"\nsays = "Adds one."\nscenario = "adds_one"\n'
        + ('fails = ["wrong-answer"]\n' if claim == "bad" else ""),
    )
    project.write(f"snippets/{ref_id}/scenarios.py", SCENARIOS)


def sound(project: Project) -> None:
    """A small valid project: two entries that link each other, one snippet."""
    project.entry("LESS-01", "First", "See LESS-02 for more.\n\n@snippet(adder)\n")
    project.entry("LESS-02", "Second", "Back to LESS-01.")
    snippet_folder(project, "LESS-01")


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it, what the message says, and whether it is an error."""

    name: str
    make: Callable[[Project], object]
    expected: str
    error: bool  # errors stop even a non-strict build; warnings only a strict one


def _unknown_id(p: Project) -> None:
    p.entry("LESS-02", "Second", "Back to LESS-01.\n\nAlso see LESS-99.")


def _duplicate(p: Project) -> None:
    p.write("entries/copy/LESS-02.md", (p.root / "entries/LESS-02.md").read_text())


def _bad_priority(p: Project) -> None:
    p.entry("LESS-02", "Second", "Back to LESS-01.", priority="URGENT")


def _bad_yaml(p: Project) -> None:
    p.write("entries/LESS-02.md", "---\nREF-ID: LESS-02\ntitle: [unclosed\ntype: x\n---\nBody\n")


def _not_utf8(p: Project) -> None:
    p.write(
        "entries/LESS-02.md",
        "---\nREF-ID: LESS-02\ntitle: Caf\xe9\ntype: x\n---\n".encode("latin-1"),
    )


def _wrong_claim(p: Project) -> None:
    snippet_folder(p, "LESS-01", claim="bad")


def _broken_claims(p: Project) -> None:
    p.write("snippets/LESS-01/claims.toml", '[adder]\nclaim = "good"\nsays = \n')


def _syntax_error(p: Project) -> None:
    p.write("snippets/LESS-01/adder.py", "def handler(event, context)\n    return 1\n")


def _scenario_raises(p: Project) -> None:
    p.write("snippets/LESS-01/scenarios.py", SCENARIOS.replace("result != 2", "result.missing"))


def _check_never_ran(p: Project) -> None:
    checkless = SCENARIOS.replace(
        'return judge(f"got {result!r}", wrong_answer=result != 2)', "print(result)"
    )
    p.write("snippets/LESS-01/scenarios.py", checkless)


def _endless_module_code(p: Project) -> None:
    p.write("snippets/LESS-01/adder.py", "while True:\n    pass\n" + GOOD_SNIPPET)


def _no_claim(p: Project) -> None:
    p.write("snippets/LESS-01/extra.py", GOOD_SNIPPET)


def _unknown_scenario(p: Project) -> None:
    text = (p.root / "snippets/LESS-01/claims.toml").read_text()
    p.write("snippets/LESS-01/claims.toml", text.replace('"adds_one"', '"adds_two"'))


def _unknown_snippet(p: Project) -> None:
    p.entry("LESS-02", "Second", "Back to LESS-01.\n\n@snippet(missing)\n")


def _unknown_id_in_docs(p: Project) -> None:
    p.write("docs/index.md", "# Home\n\nStart with LESS-01, then LESS-77.\n")


def _unknown_related(p: Project) -> None:
    p.entry("LESS-02", "Second", "Back to LESS-01.", related="[LESS-404]")


CASES = [
    Case("unknown ID", _unknown_id, "entries/LESS-02.md:8: unknown ID LESS-99", error=False),
    Case("duplicate REF-ID", _duplicate, "entries/LESS-02.md", error=True),
    Case("bad priority", _bad_priority, "entries/LESS-02.md:5: key 'priority'", error=True),
    Case("bad YAML", _bad_yaml, "entries/LESS-02.md:4: front matter is not valid YAML", error=True),
    Case("not UTF-8", _not_utf8, "entries/LESS-02.md", error=True),
    Case(
        "claim does not hold",
        _wrong_claim,
        "snippets/LESS-01/adder.py:1: declared bad",
        error=False,
    ),
    Case(
        "scenario raises",
        _scenario_raises,
        "snippets/LESS-01/scenarios.py:7: scenario adds_one() raised AttributeError",
        error=False,
    ),
    Case(
        "check never ran",
        _check_never_ran,
        "returned NoneType, not a Verdict(observed, failures): the check never ran",
        error=False,
    ),
    Case(
        "endless loop in module code",
        _endless_module_code,
        "snippets/LESS-01/adder.py:1: stopped after 500000 steps in module code",
        error=False,
    ),
    Case("snippet without a claim", _no_claim, "snippets/LESS-01/extra.py", error=True),
    Case(
        "unknown scenario",
        _unknown_scenario,
        "snippets/LESS-01/claims.toml:4: [adder] scenario 'adds_two' is not a function",
        error=True,
    ),
    Case("broken claims.toml", _broken_claims, "snippets/LESS-01/claims.toml:3", error=True),
    Case(
        "snippet syntax error",
        _syntax_error,
        "snippets/LESS-01/adder.py:1: SyntaxError",
        error=True,
    ),
    Case(
        "unknown snippet",
        _unknown_snippet,
        "entries/LESS-02.md:8: unknown snippet 'LESS-02/missing'",
        error=False,
    ),
    Case(
        "unknown ID on a docs page",
        _unknown_id_in_docs,
        "docs/index.md:3: unknown ID LESS-77",
        error=False,
    ),
    Case(
        "unknown related ID",
        _unknown_related,
        "entries/LESS-02.md:5: unknown ID LESS-404",
        error=False,
    ),
]


def test_the_sound_project_builds_and_checks(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    sound(project)
    assert sima(["--config", str(project.root / "mkdocs.yml"), "check"]) == 0
    assert capsys.readouterr().out == ""
    result = run_mkdocs(project.root / "mkdocs.yml", "build", "--strict")
    assert result.returncode == 0, result.stderr
    html = (project.root / "site/entries/LESS-01/index.html").read_text(encoding="utf-8")
    assert 'data-snippet="LESS-01/adder"' in html


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_reported_with_file_and_line(
    case: Case, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    sound(project)
    case.make(project)
    config = project.root / "mkdocs.yml"

    # sima check: static problems only; a wrong claim needs `sima verify`.
    runs_claims = case.make in (
        _wrong_claim,
        _scenario_raises,
        _check_never_ran,
        _endless_module_code,
    )
    command = ["verify"] if runs_claims else ["check"]
    assert sima(["--config", str(config), *command]) == 1
    assert case.expected in capsys.readouterr().out

    old_site = project.write("site/index.html", "the previous build")
    strict = run_mkdocs(config, "build", "--strict")
    assert strict.returncode != 0
    assert case.expected in strict.stderr
    assert "Traceback" not in strict.stderr
    assert old_site.read_text() == "the previous build", "a failed build touched site/"

    lenient = run_mkdocs(config, "build")
    assert "Traceback" not in lenient.stderr
    assert (lenient.returncode != 0) == case.error, lenient.stderr
    if not case.error:
        assert case.expected in lenient.stderr  # still said, as a warning


def test_a_wrong_claim_is_shown_on_the_page_when_not_strict(project: Project) -> None:
    sound(project)
    _wrong_claim(project)
    result = run_mkdocs(project.root / "mkdocs.yml", "build")
    assert result.returncode == 0
    html = (project.root / "site/entries/LESS-01/index.html").read_text(encoding="utf-8")
    assert 'data-status="fail"' in html
    assert "The claim does not hold" in html


def test_duplicate_names_both_files(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    sound(project)
    _duplicate(project)
    assert sima(["--config", str(project.root / "mkdocs.yml"), "check"]) == 1
    out = capsys.readouterr().out
    assert "entries/LESS-02.md" in out and "entries/copy/LESS-02.md" in out


def _sidebar_links(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    nav = soup.select_one("nav.md-nav--primary")
    assert nav is not None
    return {str(a["href"]) for a in nav.select("a[href]")}


@pytest.mark.parametrize("explicit_nav", [False, True], ids=["auto nav", "nav: entries/"])
def test_entries_leave_the_sidebar_past_the_nav_limit(project: Project, explicit_nav: bool) -> None:
    sound(project)
    config = project.root / "mkdocs.yml"
    if explicit_nav:
        config.write_text(config.read_text() + "nav:\n  - Home: index.md\n  - Entries: entries/\n")
    home = project.root / "site/index.html"

    listed = run_mkdocs(config, "build", "--strict")
    assert listed.returncode == 0, listed.stderr
    assert {"entries/LESS-01/", "entries/LESS-02/"} <= _sidebar_links(home.read_text())

    text = config.read_text().replace("  - sima:\n", "  - sima:\n      nav_limit: 1\n")
    config.write_text(text)
    over = run_mkdocs(config, "build", "--strict")
    assert over.returncode == 0, over.stderr
    assert not any("LESS-0" in href for href in _sidebar_links(home.read_text()))
    assert "- entries/" not in over.stderr  # not reported as missing from the nav
    # Still built, and reached through the Browse pages.
    assert (project.root / "site/entries/LESS-02/index.html").is_file()
    browse = (project.root / "site/browse/index.html").read_text()
    assert 'href="../entries/LESS-02/"' in browse
