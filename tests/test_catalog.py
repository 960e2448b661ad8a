"""Reading entries: the schema, line numbers in messages, cross-reference checks."""

from __future__ import annotations

import json

from conftest import Project, entry_text
from sima.content.catalog import load_catalog, parse_entry
from sima.content.problems import Severity
from sima.content.schema import SCHEMA_FILE, json_schema_text

PREFIXES = {"LESS": "Lesson Learned", "INT": "Interface Pattern"}


def messages(raw: str | bytes) -> list[str]:
    data = raw.encode() if isinstance(raw, str) else raw
    result = parse_entry("e.md", data, PREFIXES)
    assert isinstance(result, list), "expected problems"
    return [str(p) for p in result]


def test_valid_entry_reads_all_fields() -> None:
    text = entry_text(
        "LESS-22",
        "State",
        "Body line.",
        priority="HIGH",
        keywords="[cold-start, warm-start]",
        related="[INT-09]",
        next="LESS-29",
        created="2025-11-01",
    )
    entry = parse_entry("e.md", text.encode(), PREFIXES)
    assert not isinstance(entry, list)
    assert entry.ref_id == "LESS-22"
    assert entry.meta.keywords == ["cold-start", "warm-start"]
    assert entry.meta.related == ["INT-09"]
    assert str(entry.meta.created) == "2025-11-01"
    assert entry.body == "Body line.\n"
    assert entry.body_line == 11
    assert entry.key_lines["related"] == 7


def test_missing_ref_id() -> None:
    assert messages("---\ntitle: T\ntype: X\n---\n") == ["e.md:1: missing required key 'REF-ID'"]


def test_wrong_types_name_key_and_line() -> None:
    text = "---\nREF-ID: LESS-1\ntitle: T\ntype: X\nkeywords:\n  - ok\n  - [nested]\n---\n"
    assert messages(text) == [
        "e.md:7: key 'keywords[2]': Input should be a valid string (got ['nested'])"
    ]


def test_unknown_key_lists_allowed_keys() -> None:
    (message,) = messages("---\nREF-ID: LESS-1\ntitle: T\ntype: X\ntitel: typo\n---\n")
    assert message.startswith("e.md:5: unknown key 'titel' (allowed: REF-ID, category,")


def test_bad_date_and_priority() -> None:
    text = "---\nREF-ID: LESS-1\ntitle: T\ntype: X\npriority: URGENT\ncreated: 2025-13-01\n---\n"
    found = messages(text)
    assert found[0].startswith("e.md:5: key 'priority': Input should be 'CRITICAL', 'HIGH'")
    assert found[1].startswith("e.md:6: key 'created':")


def test_unknown_prefix() -> None:
    (message,) = messages("---\nREF-ID: FOO-1\ntitle: T\ntype: X\n---\n")
    assert message == (
        "e.md:2: key 'REF-ID': unknown ID prefix 'FOO' (configured: INT, LESS) (got 'FOO-1')"
    )


def test_malformed_yaml_points_at_line() -> None:
    (message,) = messages("---\nREF-ID: LESS-1\ntitle: [unclosed\ntype: X\n---\n")
    assert message.startswith("e.md:4: front matter is not valid YAML:")


def test_duplicate_key() -> None:
    assert messages("---\nREF-ID: LESS-1\ntitle: A\ntitle: B\ntype: X\n---\n") == [
        "e.md:4: key 'title' is given twice"
    ]


def test_empty_no_front_matter_unclosed_and_not_utf8() -> None:
    assert messages("") == ["e.md:1: empty file: expected YAML front matter opened by '---'"]
    assert messages("# Title\n") == [
        "e.md:1: expected YAML front matter: the first line must be '---'"
    ]
    assert messages("---\nREF-ID: LESS-1\n") == [
        "e.md:1: front matter opened by '---' on line 1 is never closed"
    ]
    assert messages(b"---\nREF-ID: LESS-1\ntitle: caf\xe9\n---\n") == [
        "e.md:3: not UTF-8 (byte 0xe9); save the file as UTF-8 or convert it with `sima import`"
    ]
    assert messages("---\n- a list\n---\n") == [
        "e.md:1: front matter must be a mapping of keys to values"
    ]


def test_catalog_duplicate_ids_name_both_files(project: Project) -> None:
    project.write("entries/a/LESS-1.md", entry_text("LESS-1", "One"))
    project.write("entries/b/copy.md", entry_text("LESS-1", "Copy"))
    catalog = load_catalog(project.settings)
    assert [str(p) for p in catalog.errors] == [
        "entries/b/copy.md:2: duplicate REF-ID LESS-1: already used by entries/a/LESS-1.md"
    ]
    assert list(catalog.entries) == ["LESS-1"]


def test_catalog_warns_unknown_ids_with_file_lines(project: Project) -> None:
    project.entry("LESS-1", "One", "Text.\n\nSee LESS-404 and `LESS-405`.", related="[INT-404]")
    catalog = load_catalog(project.settings)
    assert [(str(p), p.severity) for p in catalog.problems] == [
        ("entries/LESS-1.md:5: unknown ID INT-404", Severity.WARNING),
        ("entries/LESS-1.md:9: unknown ID LESS-404", Severity.WARNING),
    ]


def test_catalog_warns_mislabelled_related_items(project: Project) -> None:
    project.entry("LESS-17", "Threading Locks Are Unnecessary")
    project.entry("LESS-22", "State", "Related:\n\n- **LESS-17**: Performance optimization\n")
    (problem,) = load_catalog(project.settings).problems
    assert str(problem) == (
        "entries/LESS-22.md:8: label 'Performance optimization' for LESS-17 disagrees with its "
        "title 'Threading Locks Are Unnecessary'; write the ID alone and the site shows the title"
    )


def test_stub_with_body_is_flagged(project: Project) -> None:
    project.entry("LESS-1", "One", "Oops, content.", status="Planned")
    (problem,) = load_catalog(project.settings).problems
    assert problem.message == "a Planned stub has a body; set status: Active"


def test_committed_json_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text()
    schema = json.loads(json_schema_text())
    assert schema["required"] == ["REF-ID", "title", "type"]
    assert schema["additionalProperties"] is False
