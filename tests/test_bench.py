"""The benchmarks still work: tiny runs of the generator, the build and serve timings.

Nothing here checks a time (timing belongs to `make bench`); these check that each
benchmark measures what it says on a knowledge base small enough for the test suite.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, run_mkdocs
from sima_bench import build, serve
from sima_bench.first_verdict import plain_markdown
from sima_bench.synth import generate

NODE_MODULES = ROOT / "node_modules"


def test_synthetic_entries_mention_real_ids_and_build_strictly(tmp_path: Path) -> None:
    made = generate(tmp_path, 30, node_modules=NODE_MODULES)
    ids = {p.stem for p in (made.kb / "entries").glob("*.md")}
    assert len(ids) == 30
    for path in (made.kb / "entries").glob("*.md"):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        mentioned = set(re.findall(r"\b(?:LESS|INT|ARCH|DEC)-\d{4}\b", body))
        assert 5 <= len(mentioned) <= 10 and mentioned <= ids - {path.stem}, path.name
        keywords = re.search(r"^keywords: \[(.*)\]$", front, re.MULTILINE)
        assert keywords is not None and 3 <= len(keywords.group(1).split(", ")) <= 6
    plain_bodies = list((made.plain / "docs" / "entries").glob("*.md"))
    assert len(plain_bodies) == 30
    result = run_mkdocs(made.kb / "mkdocs.yml", "build", "--strict", "-d", str(tmp_path / "s"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "s" / "entries" / sorted(ids)[0] / "index.html").read_text()
    assert 'class="sima-ref"' in html  # the mentions became links


def test_build_benchmark_compares_both_projects() -> None:
    data = build.measure([20], runs=1, node_modules=NODE_MODULES)
    sizes = data["sizes"]["20"]
    assert sizes["plugin_s"].runs == 1 and sizes["plain_s"].runs == 1
    assert sizes["overhead_ratio"] == round(sizes["plugin_s"].median / sizes["plain_s"].median, 3)


def test_serve_benchmark_sees_the_edit_in_both_servers() -> None:
    data = serve.measure(20, edits=1, node_modules=NODE_MODULES)
    assert data["plugin_s"].runs == 1 and data["plain_s"].runs == 1
    assert data["plugin_s"].median > 0 and data["plain_s"].median > 0


def test_build_profile_splits_the_build_into_phases() -> None:
    data = build.profile(20, NODE_MODULES, top=5)
    shares = data["share_by_phase"]
    assert abs(sum(shares.values()) - 1) < 0.01
    assert shares["Markdown to HTML (Python-Markdown)"] > 0
    assert shares["sima: entry, index and graph pages"] > 0
    assert len(data["top_own_time"]) == 5


def test_the_plain_baseline_shows_the_snippets_code_as_ordinary_fences() -> None:
    """The plain Material page the entry page is weighed against carries the same code
    a reader sees (as fenced blocks); the prose-only one keeps the `@snippet` lines."""
    prose = plain_markdown(ROOT, with_code=False)
    with_code = plain_markdown(ROOT, with_code=True)
    names = re.findall(r"^@snippet\((\w+)\)$", prose, re.MULTILINE)
    assert len(names) > 10
    assert "@snippet(" not in with_code
    for name in names:
        code = (ROOT / "snippets" / "LESS-22" / f"{name}.py").read_text(encoding="utf-8")
        fence = f'```python title="{name}.py" linenums="1"\n{code.rstrip()}\n```'
        assert fence in with_code, name
