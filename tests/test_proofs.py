"""Snippet folders as the site sees them: static problems, proofs and the serve cache."""

from __future__ import annotations

from conftest import Project
from sima.content.catalog import load_catalog
from sima.content.problems import Severity
from sima.proofs.prover import SnippetCache, static_problems
from test_build import snippet_folder, sound


def test_cache_reruns_only_the_folder_that_changed(project: Project) -> None:
    sound(project)
    project.entry("LESS-02", "Second", "Back to LESS-01.\n\n@snippet(adder)\n")
    snippet_folder(project, "LESS-02")
    catalog = load_catalog(project.settings)
    cache = SnippetCache()
    first, problems = cache.collect(project.settings, catalog)
    assert problems == []
    project.write("snippets/LESS-02/adder.py", "def handler(event, context):\n    return 0\n")
    second, problems = cache.collect(project.settings, catalog)
    assert second["LESS-01/adder"] is first["LESS-01/adder"]  # reused, not re-run
    assert second["LESS-02/adder"].status == "fail"  # re-run on the new code
    assert [p.path for p in problems] == ["snippets/LESS-02/adder.py"]


def test_orphans_are_warnings(project: Project) -> None:
    sound(project)
    snippet_folder(project, "LESS-09")  # no entry LESS-09
    project.write("snippets/LESS-01/unused.py", "def handler(event, context):\n    return 1\n")
    claims = project.root / "snippets/LESS-01/claims.toml"
    claims.write_text(
        claims.read_text() + '\n[unused]\nclaim = "good"\nsays = "x"\nscenario = "adds_one"\n'
    )
    found = static_problems(project.settings, load_catalog(project.settings))
    messages = {(p.path, p.severity): p.message for p in found}
    assert "unknown ID LESS-09" in messages["snippets/LESS-09", Severity.WARNING]
    assert "no entry shows this snippet" in messages["snippets/LESS-01/unused.py", Severity.WARNING]
    assert len(found) == 2  # LESS-09's own snippet is not reported again
