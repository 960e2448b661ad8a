"""`sima import`: legacy bold-header entries become valid front-matter entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sima.content.catalog import load_catalog, parse_entry
from sima.content.settings import Settings
from sima.legacy.convert import (
    KEY_ORDER,
    Converted,
    ImportFailure,
    NotAnEntry,
    convert,
    parse_date,
)
from sima.legacy.corpus import import_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "legacy"
SEED = Path(__file__).parent / "fixtures/seed/LESS-22.md"  # the original entry, as given
PREFIXES = {
    "LESS": "Lesson Learned",
    "INT": "Interface Pattern",
    "ARCH": "Architecture Pattern",
    "DEC": "Design Decision",
    "LANG": "Language Pattern",
    "AP": "Anti-Pattern",
}


def settings_for(root: Path) -> Settings:
    return Settings.from_options(root, {"prefixes": PREFIXES})


def split(text: str) -> tuple[dict[str, Any], str]:
    """Front matter (parsed back with YAML) and body of a converted entry."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data, body


def convert_fixture(relative: str) -> Converted:
    path = FIXTURES / relative
    return convert(path.read_bytes(), path.name, PREFIXES)


def convert_text(text: str, name: str = "legacy.md") -> Converted:
    return convert(text.encode("utf-8"), name, PREFIXES)


def with_code(converted: Converted) -> str:
    """The body with each `@snippet(name)` line put back as the code block it was."""
    _, body = split(converted.text)
    for snippet in converted.snippets:
        block = f"```python\n{snippet.source}```"
        body = body.replace(f"@snippet({snippet.name})", block, 1)
    return body


def failure(relative_or_text: str, name: str = "legacy.md") -> ImportFailure:
    path = FIXTURES / relative_or_text
    raw = path.read_bytes() if path.is_file() else relative_or_text.encode("utf-8")
    with pytest.raises(ImportFailure) as caught:
        convert(raw, path.name if path.is_file() else name, PREFIXES)
    return caught.value


# ----------------------------------------------------------------------- the seed


def test_seed_less_22_converts() -> None:
    converted = convert(SEED.read_bytes(), SEED.name, PREFIXES)
    meta, body = split(converted.text)
    assert converted.ref_id == "LESS-22"
    assert meta == {
        "REF-ID": "LESS-22",
        "title": "State Management in Stateless Environments",
        "type": "Lesson Learned",
        "category": "Architecture/Operations",
        "priority": "HIGH",
        "status": "Active",
        "created": dt.date(2025, 11, 1),
        "updated": dt.date(2025, 11, 1),
        "keywords": [
            "state-management",
            "serverless",
            "container-lifecycle",
            "warm-start",
            "cold-start",
            "module-level",
            "handler-level",
            "singleton-pattern",
            "memory-management",
        ],
        "related": ["LESS-18", "INT-09", "ARCH-02", "LESS-17", "DEC-14"],
        "next": "LESS-29",
        "summary": (
            "Stateless execution environments require careful state management - "
            "distinguish between module-level initialization (runs once per container) "
            "and handler-level state (runs per invocation). Warm container reuse enables "
            "optimization but requires understanding lifecycle boundaries."
        ),
    }
    assert "â" not in converted.text
    assert "✅" in body and "⌠" not in body  # ❌ is only in code, now snippets
    for gone in ("Related Topics", "## Keywords", "Version History", "END OF DOCUMENT"):
        assert gone not in body
    for gone in ("**REF-ID:**", "# Filename:", "# LESS-22:", "**File:**", "**Next:**"):
        assert gone not in body
    assert body.startswith("## Summary\n\nStateless execution environments")
    assert body.endswith("**But require cleanup:**\n@snippet(but_require_cleanup)\n")
    assert "\n---\n\n## Context\n" in body  # rules between kept sections stay
    # Every code block is now an unproven snippet, named by the words above it.
    assert [(s.name, s.says, s.line) for s in converted.snippets][:3] == [
        ("cold_start_new_container", "Cold Start (new container)", 32),
        ("warm_start_reused_container", "Warm Start (reused container)", 46),
        ("module_level_persistent_across_warm", "Module-Level (persistent across warm starts)", 59),
    ]
    assert len(converted.snippets) == 15 and "```" not in body
    sources = {s.name: s.source for s in converted.snippets}
    assert (
        "# ✅ GOOD - Immutable resources, connections\n"
        in sources["module_level_persistent_across_warm"]
    )
    assert "# ❌ BAD - Mutable state\n" in sources["module_level_persistent_across_warm"]
    assert [(n.line, n.message) for n in converted.notes] == [
        (
            32,
            "15 Python code block(s) became unproven snippets (lines 32, 46, 59, 71, 85, 113, "
            "126, 146 and 7 more): give each a claim and a scenario to prove it",
        ),
        (
            60,
            "repaired mis-encoded text (9 places on lines 60, 65, 73, 147, 158, 171, 183, 194 "
            "and 1 more)",
        ),
        (65, "rebuilt 4 character(s) whose byte 0x9D was lost (such as ❌)"),
    ]
    # With each snippet put back as its code block, the body is the seed's text
    # verbatim, apart from the repaired lines.
    seed_lines = SEED.read_text(encoding="utf-8").splitlines()
    restored = with_code(converted).splitlines()
    repaired = [line for line in restored if line not in seed_lines]
    assert len(repaired) == 9
    assert all("✅" in line or "❌" in line for line in repaired)
    start = seed_lines.index("## Summary")
    assert [line for line in restored if line in seed_lines] == [
        line for line in seed_lines[start : start + len(restored)] if line in restored
    ]


# ------------------------------------------------------------------ header styles


def test_style_a_file_line_bold_lines_then_title_heading() -> None:
    converted = convert_fixture("good/style-a.md")
    meta, body = split(converted.text)
    assert converted.ref_id == "INT-09"
    assert converted.ref_line == 3
    assert meta == {
        "REF-ID": "INT-09",
        "title": "Singleton Interface",
        "type": "Interface Pattern",
        "category": "Interfaces",
        "status": "Active",
        "created": dt.date(2025, 10, 12),
        "updated": dt.date(2025, 10, 30),
        "keywords": ["singleton", "lazy-creation", "registry"],
        "related": ["LESS-18", "DEC-14"],
        "next": "LESS-18",
        "summary": (
            "Build costly objects once per container and hand the same one back on every "
            "later call. Create them on first use, not at import."
        ),
    }
    assert body == (
        "## Summary\n"
        "\n"
        "Build costly objects once per container and hand the same one back on every later "
        "call.\n"
        "Create them on first use, not at import.\n"
        "\n"
        "---\n"
        "\n"
        "## Rules\n"
        "\n"
        "1. One instance per name.\n"
        "2. Lazy creation.\n"
        "\n"
        "@snippet(code_1)\n"
    )
    assert [(s.name, s.source, s.line) for s in converted.snippets] == [
        ("code_1", "## not a heading: a comment inside code\n_registry = {}\n", 28)
    ]
    assert [(n.line, n.message) for n in converted.notes] == [  # in the order of lines
        (3, "type 'Interface Pattern' taken from the meaning of the prefix INT"),
        (
            5,
            "dropped header fields the front matter has no place for: Topic (Singletons), "
            "Version (2.1.0)",
        ),
        (8, "status 'Complete' mapped to Active"),
        (
            28,
            "1 Python code block(s) became unproven snippets (line 28): give each a claim "
            "and a scenario to prove it",
        ),
        (49, "created 2025-10-12: the earliest date of the Version History"),
    ]


def test_front_matter_keys_in_stable_order_and_yaml_text() -> None:
    text = convert_fixture("good/style-a.md").text
    meta, _ = split(text)
    assert list(meta) == [key for key in KEY_ORDER if key in meta]
    assert text.startswith(
        "---\nREF-ID: INT-09\ntitle: Singleton Interface\ntype: Interface Pattern\n"
        "category: Interfaces\nstatus: Active\ncreated: 2025-10-12\nupdated: 2025-10-30\n"
        "keywords:\n- singleton\n- lazy-creation\n- registry\nrelated:\n- LESS-18\n- DEC-14\n"
        "next: LESS-18\nsummary: "
    )


def test_style_b_emoji_priority_crlf_dates_and_related_cleanup() -> None:
    converted = convert_fixture("good/style-b.md")
    meta, body = split(converted.text)
    assert meta == {
        "REF-ID": "DEC-14",
        "title": "Lazy Loading of Interfaces",
        "type": "Design Decision",
        "category": "Decisions",
        "priority": "HIGH",
        "status": "Active",
        "created": dt.date(2025, 11, 3),
        "updated": dt.date(2025, 11, 5),
        "keywords": ["lazy-loading", "cold-start"],
        "related": ["ARCH-02"],
    }
    assert body == ("## Decision\n\nThe gateway imports each router the first time it is called.\n")
    assert "\r" not in converted.text
    assert converted.messages == (
        "converted Windows line ends (CRLF) to LF",
        "read Created 'November 3, 2025' as 2025-11-03",
        "status '✅ Complete' mapped to Active",
        "priority '🔴 High' read as HIGH",
        "dropped 1 repeated keyword(s)",
        "dropped DEC-14 from related: an entry does not relate to itself",
        "dropped Related Topics text that names no ID (line 27)",
    )


def test_style_c_id_without_number_comes_from_the_file_name() -> None:
    converted = convert_fixture("good/ARCH-SUGA.md")
    meta, body = split(converted.text)
    assert converted.ref_id == "ARCH-SUGA"
    assert converted.ref_line == 1
    assert meta == {
        "REF-ID": "ARCH-SUGA",
        "title": "Gateway, Interface, Core",
        "type": "Architecture Pattern",
        "category": "Architecture",
        "status": "Active",
        "created": dt.date(2025, 9, 14),
        "updated": dt.date(2025, 9, 14),
        "related": ["ARCH-02", "LANG-PY-01"],
        "summary": "Route every call through one gateway so that cores never import each other.",
    }
    assert body == (
        "### Layers\n\nGateway passes calls on; the interface routes; the core does the work.\n"
    )
    assert "REF-ID ARCH-SUGA taken from the file-name line" in converted.messages
    assert "created: &" not in converted.text  # no YAML anchors for equal dates


def test_style_c_id_with_two_dashes_and_a_summary_section() -> None:
    converted = convert_fixture("good/LANG-PY-01.md")
    meta, body = split(converted.text)
    assert meta == {
        "REF-ID": "LANG-PY-01",
        "title": "Python Idioms for Handlers",
        "type": "Language Pattern",
        "category": "Languages",
        "status": "Active",
        "created": dt.date(2025, 10, 14),
        "updated": dt.date(2025, 10, 14),
        "keywords": ["python", "idioms"],
        "summary": "Prefer plain functions and module constants; keep per-request data local.",
    }
    assert body == (
        "## Summary\n\nPrefer plain functions and module constants;\nkeep per-request data "
        "local.\n\n## Details\n\nUse `functools.cache` for pure lookups.\n"
    )
    assert "dropped the Purpose line: summary is the first paragraph of ## Summary" in (
        converted.messages
    )
    assert "read Date '14/10/2025' as 2025-10-14" in converted.messages


def test_id_from_the_source_file_name_when_the_file_names_none() -> None:
    text = "**Version:** 1\n**Category:** Languages\n\n## Typing Tips\n\nUse `typing.Final`.\n"
    converted = convert_text(text, name="LANG-PY-02.md")
    meta, body = split(converted.text)
    assert meta["REF-ID"] == "LANG-PY-02"
    assert meta["title"] == "Typing Tips"
    assert body == "Use `typing.Final`.\n"
    assert converted.ref_line == 0
    assert "REF-ID LANG-PY-02 taken from the file name" in converted.messages


def test_disagreeing_ids_use_the_ref_id_line_and_say_so() -> None:
    text = "# File: LESS-41.md\n\n**REF-ID:** LESS-42\n\n## Title Here\n\nBody.\n"
    converted = convert_text(text, name="LESS-43.md")
    assert converted.ref_id == "LESS-42"
    assert converted.messages[0] == (
        "REF-ID LESS-42 taken from the REF-ID line, although the file-name line says "
        "LESS-41; the file name says LESS-43"
    )


def test_yaml_quoting_is_left_to_pyyaml() -> None:
    text = "# LESS-60: Yes: No #1 'quoted'\n\n**Category:** null\n\nBody.\n"
    meta, _ = split(convert_text(text).text)
    assert meta["title"] == "Yes: No #1 'quoted'"
    assert meta["category"] == "null"


# ----------------------------------------------------------------------- encoding


def test_mis_encoded_utf8_is_repaired_everywhere() -> None:
    converted = convert_fixture("good/mojibake.md")
    meta, _body = split(converted.text)
    assert meta == {
        "REF-ID": "LESS-31",
        "title": "Naïve Retries — a Cautionary Tale",
        "type": "Lesson Learned",
        "priority": "MEDIUM",
        "status": "Draft",
        "summary": (
            "Retrying at once, with no back-off, turns a hiccup into an outage — "
            "the “fix” makes it worse."
        ),
    }
    assert with_code(converted) == (
        "## Summary\n"
        "\n"
        "Retrying at once, with no back-off, turns a hiccup into an outage — the “fix” makes "
        "it worse.\n"
        "\n"
        "## Examples\n"
        "\n"
        "```python\n"
        "# ✅ GOOD: back off between tries\n"
        "# ❌ BAD: retry in a tight loop\n"
        "```\n"
        "\n"
        "Café-style queues (first come, first served) hide the problem.\n"
    )
    assert converted.messages == (
        "repaired mis-encoded text (9 places on lines 1, 6, 10, 15, 16, 19)",
        "priority '🟠 Medium' read as MEDIUM",
        "rebuilt 2 character(s) whose byte 0x9D was lost (such as ❌)",
        "1 Python code block(s) became unproven snippets (line 14): give each a claim and a "
        "scenario to prove it",
    )
    assert [s.name for s in converted.snippets] == ["examples"]


def test_correct_utf8_comes_out_unchanged() -> None:
    source = (FIXTURES / "good/clean-utf8.md").read_text(encoding="utf-8")
    converted = convert_fixture("good/clean-utf8.md")
    meta, body = split(converted.text)
    assert meta["title"] == "Café Notes — Encoding"
    assert body == source.split("\n\n", 2)[2]  # everything after the header, verbatim
    assert body == (
        "## Lesson\n\nLe café déjà prêt — ✅ keep it, ❌ don\u2019t “fix” it.\n"
        # ftfy.fix_text would unescape &lt;, split the ligature and narrow the letters.
        "Entities like &lt;b&gt; and the ﬁ ligature stay as written; so do "
        "\uff26\uff35\uff2c\uff2c width letters.\n"
    )
    assert not any("encod" in note for note in converted.messages)


def test_windows_1252_bytes_are_decoded_and_reported() -> None:
    raw = (FIXTURES / "good/cp1252.md").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    converted = convert_fixture("good/cp1252.md")
    meta, body = split(converted.text)
    assert meta["title"] == "Résumé of “Cold” Starts"
    assert meta["created"] == dt.date(2025, 8, 1)
    assert body == (
        "## Summary\n\nA cold start costs about 200 ms — sometimes more; a warm one costs "
        "nothing extra.\nPrice: 0,20 € per million calls.\n"
    )
    assert converted.messages == (
        "not valid UTF-8: decoded lines 1, 10, 11 as Windows-1252 (cp1252)",
    )


def test_only_the_bad_lines_of_a_mixed_file_are_decoded_as_cp1252() -> None:
    raw = "# LESS-61: Mixed ✅\n\nGood UTF-8 é.\n".encode() + "Old café.\n".encode("cp1252")
    converted = convert(raw, "x.md", PREFIXES)
    meta, body = split(converted.text)
    assert meta["title"] == "Mixed"
    assert body == "Good UTF-8 é.\nOld café.\n"
    assert converted.messages == (
        "dropped emoji from the ends of the title 'Mixed ✅'",
        "type 'Lesson Learned' taken from the meaning of the prefix LESS",
        "not valid UTF-8: decoded line 4 as Windows-1252 (cp1252)",
    )


def test_undefined_cp1252_bytes_are_flagged() -> None:
    raw = b"# LESS-62: Odd\n\nA \x81 byte and \xe9.\n"
    converted = convert(raw, "x.md", PREFIXES)
    assert split(converted.text)[1] == "A \ufffd byte and é.\n"
    assert "1 byte(s) undefined in Windows-1252 became U+FFFD; check them" in converted.messages


def test_utf8_byte_order_mark_is_dropped() -> None:
    raw = "\ufeff# LESS-63: Marked\n\nText.\n".encode()
    assert split(convert(raw, "x.md", PREFIXES).text)[0]["REF-ID"] == "LESS-63"


# ------------------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Active", "Active"),
        ("Complete", "Active"),
        ("✅ Done", "Active"),
        ("In Progress", "Draft"),
        ("WIP", "Draft"),
        ("Not started", "Planned"),
        ("Obsolete", "Deprecated"),
        ("Frozen solid", "Active"),
    ],
)
def test_status_mapping(written: str, expected: str) -> None:
    converted = convert_text(f"# LESS-64: S\n\n**Status:** {written}\n\nBody.\n")
    assert split(converted.text)[0]["status"] == expected
    if written == "Frozen solid":
        assert "status 'Frozen solid' not recognised: set to Active" in converted.messages


def test_footer_status_is_used_when_the_header_has_none() -> None:
    text = "# LESS-65: F\n\nBody.\n\n---\n\n**File:** x.md\n**Status:** Deprecated\n"
    converted = convert_text(text)
    meta, body = split(converted.text)
    assert meta["status"] == "Deprecated"
    assert body == "Body.\n"
    assert "status 'Deprecated' (from the footer) mapped to Deprecated" in converted.messages


@pytest.mark.parametrize(
    ("written", "expected"),
    [("🔴 High", "HIGH"), ("critical", "CRITICAL"), ("🟢 LOW", "LOW"), ("Med", "MEDIUM")],
)
def test_priority_mapping(written: str, expected: str) -> None:
    converted = convert_text(f"# LESS-66: P\n\n**Priority:** {written}\n\nBody.\n")
    assert split(converted.text)[0]["priority"] == expected


def test_unknown_priority_is_left_out_with_a_note() -> None:
    converted = convert_text("# LESS-67: P\n\n**Priority:** Someday\n\nBody.\n")
    assert "priority" not in split(converted.text)[0]
    assert "priority 'Someday' not recognised: left out" in converted.messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-01", dt.date(2025, 11, 1)),
        ("2025/11/01 (first)", dt.date(2025, 11, 1)),
        ("2025-11-01T10:30:00", dt.date(2025, 11, 1)),
        ("Nov 3, 2025", dt.date(2025, 11, 3)),
        ("3rd November 2025", dt.date(2025, 11, 3)),
        ("25/12/2025", dt.date(2025, 12, 25)),
        ("12/25/2025", dt.date(2025, 12, 25)),
        ("03/04/2025", None),
        ("2025-13-01", None),
        ("soon", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def test_unreadable_date_is_left_out_with_a_note() -> None:
    converted = convert_text("# LESS-68: D\n\n**Created:** someday\n\nBody.\n")
    assert "created" not in split(converted.text)[0]
    assert "could not read Created 'someday' as a date: left out" in converted.messages


def test_rules_that_separated_removed_sections_go_real_ones_stay() -> None:
    text = (
        "# LESS-69: Rules\n\n---\n\n## A\n\nOne.\n\n---\n\n## Keywords\n\nx, y\n\n---\n\n"
        "## B\n\nTwo.\n\n```yaml\n---\nkey: value\n---\n```\n\nSetext\n---\n\n"
        "---\n\n## Related Topics\n\n- **LESS-1**: one\n\n---\n"
    )
    meta, body = split(convert_text(text).text)
    assert meta["keywords"] == ["x", "y"]
    assert meta["related"] == ["LESS-1"]
    assert body == (
        "## A\n\nOne.\n\n---\n\n## B\n\nTwo.\n\n```yaml\n---\nkey: value\n---\n```\n\nSetext\n---\n"
    )


# ------------------------------------------------------------------------ failures


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("bad/empty.md", 0, "empty file: there is nothing to import"),
        (
            "bad/no-id.md",
            0,
            "no REF-ID: the file has no **REF-ID:** line and no ID in its title heading, "
            "and its file name 'no-id.md' is not an ID (such as ARCH-02.md)",
        ),
        (
            "bad/header-only.md",
            0,
            "not a SIMA entry: no title heading (expected '# ID: Title', or a '## Title' "
            "heading after the bold header lines) and no text to take one from",
        ),
    ],
)
def test_broken_files_fail_with_a_reason_and_line(fixture: str, line: int, message: str) -> None:
    error = failure(fixture)
    assert (error.line, error.message) == (line, message)


def test_an_unknown_prefix_converts_and_is_listed_as_new() -> None:
    converted = convert_fixture("good/unknown-prefix.md")
    meta, _ = split(converted.text)
    assert (meta["REF-ID"], meta["type"]) == ("XYZ-07", "Lesson Learned")
    assert converted.new_prefixes == ("XYZ",)
    assert converted.declared_type == "Lesson Learned"
    text = "# LESS-70: R\n\nBody.\n\n## Related Topics\n\n- **FOO-1**: x\n\n**Next:** BAR-2\n"
    converted = convert_text(text)
    assert converted.new_prefixes == ("BAR", "FOO")
    assert [(n.ref_id, n.line, n.label) for n in converted.named] == [
        ("FOO-1", 7, "x"),
        ("BAR-2", 9, ""),
    ]


def test_without_a_type_line_a_new_prefix_takes_the_guessed_meaning() -> None:
    text = "# File: DT-03.md\n\n**REF-ID:** DT-03\n\n## Which cache?\n\nAsk first.\n"
    assert split(convert_text(text).text)[0]["type"] == "DT entry"
    guessed = convert(text.encode(), "DT-03.md", PREFIXES, {"DT": "Decision Tree"})
    assert split(guessed.text)[0]["type"] == "Decision Tree"
    assert (3, "type 'Decision Tree' taken from the meaning guessed for the new prefix DT") in [
        (n.line, n.message) for n in guessed.notes
    ]


@pytest.mark.parametrize(
    ("name", "text", "hub"),
    [
        ("Decisions-Master-Index.md", "# Decisions\n\n- **DEC-01**: one\n", True),
        ("overview.md", "# 📚 SIMA Navigation Hub\n\nStart here.\n", True),
        ("README.md", "# About\n\nOld files.\n", True),
        ("DEC-INDEX.md", "# Decisions\n\nAll of them.\n", True),
        # Files with an ID of their own are entries, whatever their headings say.
        ("ARCH-05.md", "# ARCH-05.md\n\n**Version:** 1\n\n## Database Index Design\n\nX.\n", False),
        ("Index-notes.md", "**REF-ID:** LESS-77\n\n## Index Notes\n\nY.\n", False),
        ("x.md", "# LESS-78: The Hub Pattern\n\nZ.\n", False),
    ],
)
def test_hub_and_index_pages_are_not_entries(name: str, text: str, hub: bool) -> None:
    if hub:
        with pytest.raises(NotAnEntry, match="not an entry: a hub or index page"):
            convert_text(text, name=name)
    else:
        assert convert_text(text, name=name).ref_id in ("ARCH-05", "LESS-77", "LESS-78")


@pytest.mark.parametrize(
    ("text", "title", "note"),
    [
        (
            "# File: DEC-40.md\n**REF-ID:** DEC-40\n**Decision:** 🚀 Pin every dependency\n\n"
            "## Context\n\nBuilds broke.\n",
            "Pin every dependency",
            (3, "title taken from the Decision line"),
        ),
        (
            "# File: DEC-41.md\n**REF-ID:** DEC-41\n**Topic:** Caching layers\n\n"
            "## Context\n\nText.\n",
            "Caching layers",
            (3, "title taken from the Topic line"),
        ),
        (
            "# File: DEC-42.md\n**REF-ID:** DEC-42\n\n---\n\n### Choosing a Queue\n\nText.\n",
            "Choosing a Queue",
            (6, "title taken from the first heading of the body, 'Choosing a Queue'"),
        ),
        (
            "# File: DEC-43.md\n**REF-ID:** DEC-43\n\n## 🎯 Context\n\n"
            "**Why:**\n\nKeep the **handler** thin. It only routes.\n",
            "Keep the handler thin",
            (8, "title taken from the first sentence of the body: no title heading"),
        ),
        (
            "# 🚪 GATE-05: 🧭 Routing ✨\n\nText.\n",
            "Routing",
            (1, "dropped emoji from the ends of the title '🧭 Routing ✨'"),
        ),
    ],
    ids=["decision line", "topic line", "first heading", "first sentence", "emoji"],
)
def test_titles_without_a_title_heading(text: str, title: str, note: tuple[int, str]) -> None:
    converted = convert(text.encode(), "x.md", {**PREFIXES, "GATE": "Gateway"})
    assert split(converted.text)[0]["title"] == title
    assert note in [(n.line, n.message) for n in converted.notes]


def test_code_blocks_are_named_by_their_labels_and_left_alone_when_not_snippets() -> None:
    text = (
        "# LESS-80: Code\n\n**Scenarios:**\n```python\nx = 1\n```\n\n**Scenarios:**\n"
        "```py\ny = 2\n```\n\n1st try:\n```python3\nz = 3\n```\n\n```python\n```\n\n"
        "```python\nopen\n"
    )
    converted = convert_text(text)
    assert [(s.name, s.source, s.says, s.line) for s in converted.snippets] == [
        ("scenarios_code", "x = 1\n", "Scenarios", 4),
        ("scenarios_code_2", "y = 2\n", "Scenarios", 9),
        ("code_1st_try", "z = 3\n", "1st try", 14),
    ]
    body = split(converted.text)[1]
    assert "@snippet(scenarios_code)\n" in body
    assert body.rstrip().endswith("```python\n```\n\n```python\nopen")  # empty; never closed
    assert "the Python block on line 18 stays as code (it is empty): unproven" in (
        converted.messages
    )


def test_links_to_entry_files_point_at_their_pages_and_hub_links_become_text() -> None:
    text = (
        "# LESS-79: Links\n\nSee [the tree](../trees/DT-02.md#step-2), [a hub](../Index.md), "
        "`[code](X-1.md)`, [a site](https://example.com/LESS-1.md) and ![a picture](p.png).\n"
    )
    converted = convert_text(text)
    assert split(converted.text)[1] == (
        "See [the tree](DT-02.md#step-2), a hub, `[code](X-1.md)`, "
        "[a site](https://example.com/LESS-1.md) and ![a picture](p.png).\n"
    )
    assert [(n.ref_id, n.line) for n in converted.named] == [("DT-02", 3)]
    assert converted.new_prefixes == ("DT",)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "**REF-ID:** to be decided\n\n# Some Title\n",
            1,
            "the REF-ID line holds 'to be decided', which is not an ID (expected e.g. LESS-22)",
        ),
        (
            "# LESS-72\n\n**Status:** Active\n",
            1,
            "the title heading holds the ID LESS-72 but no title",
        ),
        (
            "---\nREF-ID: LESS-73\ntitle: T\n---\nBody.\n",
            1,
            "already a front-matter entry (it starts with YAML front matter): copy it "
            "instead of importing it",
        ),
        ("# LESS-74: T\n\x00\x01", 2, "not a text file: it contains NUL bytes"),
        (" \n\n\t\n", 0, "empty file: there is nothing to import"),
    ],
)
def test_other_failures(text: str, line: int, message: str) -> None:
    error = failure(text)
    assert (error.line, error.message) == (line, message)


# -------------------------------------------------------------------- import_paths


def test_import_paths_writes_good_files_and_reports_every_bad_one(tmp_path: Path) -> None:
    out = tmp_path / "entries"
    settings = settings_for(tmp_path)
    report = import_paths([FIXTURES / "good", FIXTURES / "bad"], out, settings)
    written = sorted(destination.name for _, destination, _ in report.written)
    assert written == [
        "ARCH-SUGA.md",
        "DEC-14.md",
        "INT-09.md",
        "LANG-PY-01.md",
        "LESS-31.md",
        "LESS-32.md",
        "LESS-33.md",
        "LESS-50.md",
        "XYZ-07.md",
    ]
    # No temporary files left; the manifest records what was written.
    assert sorted(p.name for p in out.iterdir()) == [".sima-import.json", *written]
    failed = sorted((Path(p.path).name, p.line) for p in report.failed)
    assert failed == [("empty.md", 0), ("header-only.md", 0), ("no-id.md", 0)]
    assert (report.tried, report.converted, f"{report.rate:.3f}") == (12, 9, "0.750")
    assert all(p.path.endswith(f"bad/{Path(p.path).name}") for p in report.failed)
    assert report.skipped == []
    for source, destination, notes in report.written:
        assert (
            destination.read_text(encoding="utf-8")
            == convert_fixture(source.relative_to(FIXTURES).as_posix()).text
        )
        assert notes == convert_fixture(source.relative_to(FIXTURES).as_posix()).notes


def test_written_entries_load_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "entries"
    report = import_paths([FIXTURES / "good"], out, settings_for(tmp_path))
    assert [(g.prefix, g.meaning) for g in report.prefixes] == [("XYZ", "Lesson Learned")]
    known = {**PREFIXES, "XYZ": "Lesson Learned"}  # with the new prefix configured
    catalog = load_catalog(Settings.from_options(tmp_path, {"prefixes": known}))
    assert catalog.errors == ()
    assert sorted(catalog.entries) == [
        "ARCH-SUGA",
        "DEC-14",
        "INT-09",
        "LANG-PY-01",
        "LESS-31",
        "LESS-32",
        "LESS-33",
        "LESS-50",
        "XYZ-07",
    ]
    for path in out.glob("*.md"):
        assert not isinstance(parse_entry(path.name, path.read_bytes(), known), list)


def test_duplicate_ref_id_in_one_run_fails_naming_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = import_paths([FIXTURES / "dup"], out, settings_for(FIXTURES.parent.parent))
    assert [(s.name, d.name) for s, d, _ in report.written] == [("LESS-40.md", "LESS-40.md")]
    assert [str(p) for p in report.failed] == [
        "fixtures/legacy/dup/copy-of-lesson.md:3: duplicate REF-ID LESS-40: already imported "
        "from fixtures/legacy/dup/LESS-40.md in this run"
    ]
    assert "Keep Handlers Small\n" in (out / "LESS-40.md").read_text(encoding="utf-8")


def test_existing_files_are_skipped_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    existing = out / "INT-09.md"
    existing.write_text("hand-edited\n", encoding="utf-8")
    source = FIXTURES / "good/style-a.md"
    settings = settings_for(tmp_path)

    report = import_paths([source], out, settings)
    assert report.kept == [(source, existing)]
    assert report.written == []
    assert existing.read_text(encoding="utf-8") == "hand-edited\n"
    assert not (tmp_path / "snippets/INT-09").exists()  # nothing of the entry is written

    report = import_paths([source], out, settings, overwrite=True)
    assert [d for _, d, _ in report.written] == [existing]
    assert existing.read_text(encoding="utf-8").startswith("---\nREF-ID: INT-09\n")
    assert sorted(p.name for p in out.iterdir()) == [".sima-import.json", "INT-09.md"]


def test_missing_sources_and_empty_folders_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = import_paths(
        [tmp_path / "absent.md", tmp_path / "empty", FIXTURES / "good/style-b.md"],
        tmp_path / "out",
        settings_for(tmp_path),
    )
    assert [str(p) for p in report.failed] == [
        "absent.md: no such file or folder",
        "empty: no .md files in this folder",
    ]
    assert [d.name for _, d, _ in report.written] == ["DEC-14.md"]


def test_output_folder_inside_a_source_folder_is_not_reimported(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "LESS-75.md").write_text("# LESS-75: Once\n\nBody.\n", encoding="utf-8")
    settings = settings_for(tmp_path)
    import_paths([legacy], legacy / "out", settings)
    report = import_paths([legacy], legacy / "out", settings, overwrite=True)
    assert [s.name for s, _ in report.unchanged] == ["LESS-75.md"]
    assert (report.failed, report.written) == ([], [])


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sima.legacy.corpus.os.replace", broken_replace)
    report = import_paths([FIXTURES / "good/style-b.md"], out, settings_for(tmp_path))
    assert report.written == []
    assert len(report.failed) == 1
    assert report.failed[0].message == "cannot write out/DEC-14.md: No space left on device"
    assert list(out.iterdir()) == []
