"""`sima import` over a whole legacy knowledge base: rate, warnings, prefixes, stubs, re-runs.

The corpus is [`legacy_corpus`](legacy_corpus.py), written for these tests in every
header style a real SIMA tree has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

import legacy_corpus
from conftest import Project, run_mkdocs
from sima.cli import main as sima
from sima.content.catalog import load_catalog
from sima.content.settings import DEFAULT_PREFIXES, Settings, SettingsError, load_settings
from sima.legacy.corpus import MANIFEST, ImportReport, add_prefixes, import_paths


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "legacy"
    legacy_corpus.write_corpus(folder)
    return folder


def front(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


def warnings_of(report: ImportReport, name: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in report.warnings if p.path.endswith(f"/{name}")]


def snapshot(*folders: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file under the folders with its bytes and modification time."""
    found = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                found[path] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def config_of(project: Project) -> str:
    return str(project.root / "mkdocs.yml")


# -------------------------------------------------------------------------- the rate


def test_at_least_95_percent_of_the_corpus_converts(corpus: Path, project: Project) -> None:
    report = import_paths([corpus], project.root / "entries/legacy", project.settings)
    files = legacy_corpus.corpus()
    assert report.tried == len(files) >= 40
    assert sorted(s.relative_to(corpus).as_posix() for s, _ in report.skipped) == sorted(
        legacy_corpus.HUBS
    )
    assert sorted(p.path.split("legacy/", 1)[1] for p in report.failed) == sorted(
        legacy_corpus.UNCONVERTIBLE
    )
    every_id = len(files) - len(legacy_corpus.HUBS) - len(legacy_corpus.UNCONVERTIBLE)
    assert report.converted == len(report.written) == every_id  # each file with an ID
    assert report.entry_files == len(files) - len(legacy_corpus.HUBS)
    assert report.rate >= 0.95, f"{report.converted} of {report.entry_files}"


def test_each_guess_is_a_warning_with_file_and_line(corpus: Path, project: Project) -> None:
    out = project.root / "entries/legacy"
    report = import_paths([corpus], out, project.settings)

    # `# File:` and bold lines, no title heading: the title is the Decision line.
    decision = warnings_of(report, "decisions/DEC-21.md")
    assert (8, "title taken from the Decision line") in decision
    assert (5, "priority '🟡 HIGH' read as HIGH") in decision
    meta = front(out / "DEC-21.md")
    assert meta["title"] == "Read parameters once per container"
    assert (meta["priority"], meta["status"]) == ("HIGH", "Draft")  # "Proposed"
    assert meta["related"] == ["DEC-22", "DEC-99"]
    assert "## 🎯 Context" in (out / "DEC-21.md").read_text(encoding="utf-8")

    # No Decision line either: the first sentence of the first section.
    assert (11, "title taken from the first sentence of the body: no title heading") in (
        warnings_of(report, "decisions/DEC-30.md")
    )
    assert front(out / "DEC-30.md")["title"] == "Time out calls before the function does"

    # A prefix the configuration lacks: the type is its guessed meaning.
    assert (3, "type 'Decision Trees' taken from the meaning guessed for the new prefix DT") in (
        warnings_of(report, "decision-trees/DT-02.md")
    )
    assert front(out / "DT-02.md")["type"] == "Decision Trees"
    # IDs with letters, from the `# NAME.md` line; an emoji before the ID in a title.
    assert front(out / "SPEC-NAMING.md")["title"] == "Naming Rules"
    assert front(out / "AWS-LAMBDA-03.md")["type"] == "Platform Note"
    gate = front(out / "GATE-02.md")
    assert (gate["REF-ID"], gate["title"]) == (
        "GATE-02",
        "Gateway 2 — Retry with back-off, not at once",
    )
    # Links to entry files point at their pages; links to hubs keep their text only.
    framework = (out / "FW-01.md").read_text(encoding="utf-8")
    assert "[naming rules](SPEC-NAMING.md)" in framework
    assert "the\nmaster index for everything else" in framework
    assert (11, "kept only the text of links to Markdown files that are not entries (line 11)") in (
        warnings_of(report, "frameworks/FW-01.md")
    )
    assert all(p.path.startswith("legacy/") and p.line >= 0 for p in report.warnings)


def test_code_blocks_become_unproven_snippets(corpus: Path, project: Project) -> None:
    out = project.root / "entries/legacy"
    report = import_paths([corpus], out, project.settings)
    folder = project.root / "snippets/LESS-42"
    assert sorted(p.name for p in folder.iterdir()) == [
        "claims.toml",
        "right_state_per_request.py",
        "wrong_state_at_module_level.py",
    ]
    assert (folder / "right_state_per_request.py").read_text(encoding="utf-8") == (
        'def handler(event, context):\n    seen = [event["id"]]\n    return len(seen)\n'
    )
    claims = (folder / "claims.toml").read_text(encoding="utf-8")
    assert (
        '[wrong_state_at_module_level]\nclaim = "unproven"\nsays = "Wrong: state at module level"'
        in (claims)
    )
    body = (out / "LESS-42.md").read_text(encoding="utf-8")
    assert "@snippet(wrong_state_at_module_level)" in body
    assert "```yaml\ntimeout: 30\n```" in body  # not Python: stays as it is
    assert '  ```python\n  print("indented")\n  ```' in body  # inside a list: stays
    gate = warnings_of(report, "gateways/GATE-01.md")
    assert (
        18,
        "the Python block on line 18 stays as code (SyntaxError on its line 4: expected "
        "':'): unproven",
    ) in gate
    assert set(report.snippets) >= set(folder.iterdir())
    # With the new prefixes configured, the imported entries and snippets load clean.
    prefixes = {**project.settings.prefixes, **{g.prefix: g.meaning for g in report.prefixes}}
    catalog = load_catalog(Settings.from_options(project.root, {"prefixes": prefixes}))
    assert catalog.errors == ()


# ---------------------------------------------------------------- prefixes and stubs


def test_new_prefixes_are_collected_with_a_meaning_for_each(corpus: Path, project: Project) -> None:
    report = import_paths([corpus], project.root / "entries/legacy", project.settings)
    assert [(g.prefix, g.meaning, g.entries) for g in report.prefixes] == [
        ("AWS", "Platform Note", 4),
        ("DT", "Decision Trees", 6),
        ("FW", "Frameworks", 3),
        ("GATE", "Gateway Pattern", 3),
        ("SPEC", "Specs", 3),
    ]
    assert tuple(g.prefix for g in report.prefixes) == legacy_corpus.NEW_PREFIXES
    assert report.prefixes[1].how == "from the folder decision-trees/ that its entries share"


def test_ids_named_and_never_defined_become_stubs_when_asked(
    corpus: Path, project: Project
) -> None:
    out = project.root / "entries/legacy"
    without = import_paths([corpus], out, project.settings)
    assert sorted(ref for ref, _ in without.undefined) == sorted(legacy_corpus.UNDEFINED)
    assert not any((out / f"{ref}.md").exists() for ref in legacy_corpus.UNDEFINED)
    unknown = sorted({p.message for p in without.after})
    assert unknown == [f"unknown ID {ref}" for ref in sorted(legacy_corpus.UNDEFINED)]

    report = import_paths([corpus], out, project.settings, stubs=True)
    assert sorted(stub.ref_id for stub in report.stubs) == sorted(legacy_corpus.UNDEFINED)
    assert report.after == []  # nothing left that a strict build refuses
    stub = front(out / "FW-09.md")
    assert stub == {
        "REF-ID": "FW-09",
        "title": "a framework note nobody wrote",  # its label in the related list
        "type": "Frameworks",
        "status": "Planned",
    }
    where = {stub.ref_id: stub.where for stub in report.stubs}
    assert where["FW-09"] == "legacy/platforms/aws/AWS-LAMBDA-01.md:28"


def test_add_prefixes_keeps_the_configuration_as_written(project: Project) -> None:
    config = Path(config_of(project))
    text = config.read_text(encoding="utf-8").replace(
        "  - sima:\n", "  - sima:\n      # our kinds of entry\n      run_timeout: !ENV [T, 10]\n"
    )
    current = load_settings(config).prefixes
    added = add_prefixes(text, config, current, {"DT": "Decision Trees"}, {"DT": "a guess"})
    assert added == text.replace(
        "        LANG: Language Pattern\n",
        "        LANG: Language Pattern\n        DT: Decision Trees  # a guess\n",
    )


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [
        ("  - sima\n", "  - sima:\n      prefixes:\n"),
        ("  - sima:\n      runner: false\n", "  - sima:\n      prefixes:\n"),
    ],
    ids=["bare", "no prefixes option"],
)
def test_add_prefixes_writes_the_defaults_too_where_none_are_configured(
    tmp_path: Path, plugin: str, expected: str
) -> None:
    config = tmp_path / "mkdocs.yml"
    text = f"site_name: x\nplugins:\n  - search\n{plugin}"
    added = add_prefixes(text, config, DEFAULT_PREFIXES, {"FW": "Framework Note"})
    assert expected in added
    assert dict(load_settings_text(added, config).prefixes) == {
        **DEFAULT_PREFIXES,
        "FW": "Framework Note",
    }


def load_settings_text(text: str, config: Path) -> Settings:
    config.write_text(text, encoding="utf-8")
    return load_settings(config)


def test_add_prefixes_refuses_what_it_cannot_edit(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    flow = "plugins:\n  - sima:\n      prefixes: {LESS: Lesson Learned}\n"
    with pytest.raises(SettingsError, match=r"mkdocs.yml:3: `prefixes` is written on one line"):
        add_prefixes(flow, config, {"LESS": "Lesson Learned"}, {"DT": "Decision Trees"})
    with pytest.raises(SettingsError, match="no `- sima` plugin"):
        add_prefixes("plugins:\n  - search\n", config, {}, {"DT": "Decision Trees"})


# -------------------------------------------------------------------------- re-runs


def test_a_second_import_changes_nothing(corpus: Path, project: Project) -> None:
    out = project.root / "entries/legacy"
    first = import_paths([corpus], out, project.settings, stubs=True)
    assert (out / MANIFEST).is_file()
    before = snapshot(out, project.root / "snippets")
    again = import_paths([corpus], out, project.settings, stubs=True, overwrite=True)
    assert snapshot(out, project.root / "snippets") == before  # not even rewritten
    assert (again.written, again.snippets, again.kept) == ([], [], [])
    assert len(again.unchanged) == len(first.written)


def test_edited_or_deleted_files_are_kept_unless_overwrite(corpus: Path, project: Project) -> None:
    out = project.root / "entries/legacy"
    import_paths([corpus], out, project.settings)
    entry = out / "DEC-22.md"
    entry.write_text(entry.read_text(encoding="utf-8") + "\nA line of my own.\n", encoding="utf-8")
    claims = project.root / "snippets/LESS-43/claims.toml"
    claims.write_text(
        claims.read_text(encoding="utf-8").replace('claim = "unproven"', 'claim = "good"', 1)
    )
    deleted = project.root / "snippets/GATE-02/code_1.py"
    deleted.unlink()

    report = import_paths([corpus], out, project.settings)
    kept = {edited.relative_to(project.root).as_posix() for _, edited in report.kept}
    assert kept == {
        "entries/legacy/DEC-22.md",
        "snippets/LESS-43/claims.toml",
        "snippets/GATE-02/code_1.py",
    }
    assert entry.read_text(encoding="utf-8").endswith("A line of my own.\n")
    assert 'claim = "good"' in claims.read_text(encoding="utf-8")
    assert not deleted.exists()

    report = import_paths([corpus], out, project.settings, overwrite=True)
    assert len(report.written) == 3
    assert "A line of my own." not in entry.read_text(encoding="utf-8")
    assert deleted.is_file()


def test_a_changed_source_updates_what_no_one_edited(corpus: Path, project: Project) -> None:
    out = project.root / "entries/legacy"
    import_paths([corpus], out, project.settings)
    source = corpus / "lessons/LESS-44.md"
    text = source.read_text(encoding="utf-8")
    start = text.index("**✅ Right")
    end = text.index("Settings, for reference")
    source.write_text(text[:start] + text[end:], encoding="utf-8")  # one code block fewer
    report = import_paths([corpus], out, project.settings)
    assert [s.name for s, _, _ in report.written] == ["LESS-44.md"]
    assert sorted(p.name for p in (project.root / "snippets/LESS-44").iterdir()) == [
        "claims.toml",
        "wrong_state_at_module_level.py",
    ]


# ------------------------------------------------------------- the command and build


@pytest.fixture
def imported(corpus: Path, project: Project, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    """`sima import --stubs` run over the corpus into the project; yields its output."""
    out = project.root / "entries/legacy"
    command = ["--config", config_of(project), "import", str(corpus), "--out", str(out), "--stubs"]
    assert sima(command) == 1  # two files cannot be converted
    yield capsys.readouterr().out


def test_import_prints_warnings_skips_and_the_prefixes_block(imported: str, corpus: Path) -> None:
    lines = imported.splitlines()  # paths relative to the project, which holds the corpus
    assert "legacy/decisions/DEC-21.md -> entries/legacy/DEC-21.md" in lines
    assert "legacy/decisions/DEC-21.md:8: warning: title taken from the Decision line" in lines
    assert any(
        line.startswith("legacy/SIMA-Navigation-Hub.md: skipped: not an entry: a hub")
        for line in lines
    )
    assert any(line.startswith("legacy/notes/scratch-notes.md: no REF-ID") for line in lines)
    assert any(
        line.startswith("entries/legacy/DEC-99.md: planned stub for DEC-99, named at legacy/")
        for line in lines
    )
    start = lines.index("      prefixes:")
    assert lines[start + 1 : start + 11] == [
        "        LESS: Lesson Learned",
        "        INT: Interface Pattern",
        "        ARCH: Architecture Pattern",
        "        DEC: Design Decision",
        "        LANG: Language Pattern",
        "        AWS: Platform Note  # from the Type line of 4 of its 4 entries",
        "        DT: Decision Trees  # from the folder decision-trees/ that its entries share",
        "        FW: Frameworks  # from the folder frameworks/ that its entries share",
        "        GATE: Gateway Pattern  # from the Type line of 3 of its 3 entries",
        "        SPEC: Specs  # from the folder specs/ that its entries share",
    ]


def test_the_imported_folder_builds_strictly_once_the_prefixes_are_added(
    imported: str, corpus: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_of(project)
    # The printed block, pasted in place of the configured one.
    lines = imported.splitlines()
    start = lines.index("      prefixes:")
    block = "\n".join(lines[start : start + 11]) + "\n"
    text = Path(config).read_text(encoding="utf-8")
    configured = text[text.index("      prefixes:\n") :]
    Path(config).write_text(text.replace(configured, block), encoding="utf-8")

    assert sima(["--config", config, "check"]) == 0
    err = capsys.readouterr().err
    assert "entries/legacy/LESS-42.md: 0 of 3 code blocks proven (0%)" in err
    result = run_mkdocs(Path(config), "build", "--strict")
    assert result.returncode == 0, result.stderr
    site = project.root / "site"
    page = BeautifulSoup((site / "entries/LESS-42/index.html").read_text(), "html.parser")
    assert len(page.select(".sima-badge--unproven")) == 2
    assert not page.select("[data-snippet]")
    proof = page.select_one(".sima-proof")
    assert proof is not None and "0 of 3 code blocks proven (0%): no scenario" in proof.get_text()
    browse = BeautifulSoup((site / "browse/index.html").read_text(), "html.parser")
    coverage = browse.select_one(".sima-coverage")
    assert coverage is not None and "Proof coverage: 0 of" in coverage.get_text()
    stub = (site / "entries/DEC-99/index.html").read_text()
    assert "Planned entry" in stub


def test_write_prefixes_adds_them_to_mkdocs_yml(
    corpus: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project.root / "entries/legacy"
    config = config_of(project)
    command = ["--config", config, "import", str(corpus), "--out", str(out), "--stubs"]
    sima([*command, "--write-prefixes"])
    captured = capsys.readouterr()
    assert f"added the ID prefixes AWS, DT, FW, GATE, SPEC to {config}" in captured.out
    assert "prefixes:\n" not in captured.out.split("added the ID prefixes")[1]
    prefixes = load_settings(Path(config)).prefixes
    assert {p: prefixes[p] for p in legacy_corpus.NEW_PREFIXES} == {
        "AWS": "Platform Note",
        "DT": "Decision Trees",
        "FW": "Frameworks",
        "GATE": "Gateway Pattern",
        "SPEC": "Specs",
    }
    assert "DT: Decision Trees  # added by sima import, from the folder decision-trees/" in (
        Path(config).read_text(encoding="utf-8")
    )
    sima(command)  # again: nothing to add, nothing changed
    again = capsys.readouterr()
    assert "ID prefix(es) are not configured" not in again.out
    assert "0 written" in again.err


def test_an_id_the_project_already_has_is_not_imported_again(
    corpus: Path, project: Project
) -> None:
    mine = project.entry("DEC-21", "Our own decision", "Written here.")
    report = import_paths([corpus], project.root / "entries/legacy", project.settings)
    assert [(p.path, p.line, p.message) for p in report.failed if "DEC-21" in p.message] == [
        (
            "legacy/decisions/DEC-21.md",
            3,
            "duplicate REF-ID DEC-21: already the ID of entries/DEC-21.md; nothing written",
        )
    ]
    assert not (project.root / "entries/legacy/DEC-21.md").exists()
    assert "Written here." in mine.read_text(encoding="utf-8")
