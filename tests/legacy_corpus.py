"""A synthetic legacy knowledge base in every header style `sima import` must read.

Written for these tests (no text of a real corpus): 60 files in folders by kind, the
way an old SIMA tree is laid out. What it holds, and what the import must make of it:

- `decisions/DEC-2x.md`: `# File: DEC-2x.md`, bold lines, no title heading; the title
  is the `**Decision:**` line (style D), or, for DEC-3x, the first sentence of the
  first section. Emoji in priorities (`🟡 HIGH`) and headings (`## 🎯 Context`).
- `decision-trees/DT-0x.md`: a prefix the configuration lacks, no Type line: its
  meaning is guessed from the folder ("Decision Trees").
- `platforms/aws/AWS-LAMBDA-0x.md`: a prefix with letters in the ID, a Type line.
- `gateways/GATE-0x.md`: `# GATE-0x: Title` (style B) with an emoji before the ID.
- `frameworks/FW-0x.md`, `specs/SPEC-*.md`: IDs made of letters (`SPEC-NAMING`), the
  `# NAME.md` header (style C), links to other entries' files and to hubs.
- `lessons/LESS-4x.md`: style A (`# File:`, bold lines, `## Title`), Python code blocks
  (one that compiles, one that does not, one inside a list), a YAML block.
- Related lists naming IDs that no file defines (`LESS-90`, `DEC-99`, `FW-09`...).
- Hub and index pages (`Decisions-Master-Index.md`, `Gateways-Index.md`,
  `SIMA-Navigation-Hub.md`, `README.md`): not entries.
- Two files that cannot be converted: one with no ID at all, one empty.

Run as a script to write it into a folder: `python tests/legacy_corpus.py /tmp/corpus`.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: Files that are entries (everything but the hubs), and of those how many convert.
HUBS = (
    "Decisions-Master-Index.md",
    "gateways/Gateways-Index.md",
    "SIMA-Navigation-Hub.md",
    "README.md",
)
UNCONVERTIBLE = ("notes/scratch-notes.md", "notes/empty.md")
#: IDs the entries name and no file defines.
UNDEFINED = ("DEC-99", "FW-09", "LESS-90", "LESS-91")
#: Prefixes the corpus uses beyond LESS, INT, ARCH and DEC.
NEW_PREFIXES = ("AWS", "DT", "FW", "GATE", "SPEC")

_TOPICS = [
    (
        "Create database clients at module level",
        "connections",
        "a client made per request pays the handshake every time",
    ),
    (
        "Read parameters once per container",
        "configuration",
        "values read at import are reused by warm starts",
    ),
    (
        "Keep handlers free of global counters",
        "state",
        "a counter at module level carries over between requests",
    ),
    (
        "Put heavy imports behind first use",
        "cold-start",
        "rarely used libraries should not slow every cold start",
    ),
    (
        "Clean up temporary files per request",
        "storage",
        "files left in the temporary folder fill it over time",
    ),
    (
        "Bound every in-memory cache",
        "memory",
        "a cache without a limit grows until the container is killed",
    ),
    (
        "Retry with back-off, not at once",
        "resilience",
        "instant retries turn a short outage into a long one",
    ),
    (
        "Log one line per request",
        "observability",
        "one structured line per request is easy to search",
    ),
    (
        "Time out calls before the function does",
        "timeouts",
        "a call that outlives the function leaves work half done",
    ),
    ("Make handlers idempotent", "idempotency", "a retried event must not be processed twice"),
    (
        "Validate events at the edge",
        "validation",
        "bad input is cheapest to reject before any work starts",
    ),
    (
        "Prefer environment variables for static settings",
        "configuration",
        "settings that never change need no network read",
    ),
]


def _decision(number: int, topic: tuple[str, str, str], related: str) -> str:
    title, keyword, why = topic
    return f"""# File: DEC-{number}.md

**REF-ID:** DEC-{number}
**Category:** Decisions
**Priority:** {"🟡 HIGH" if number % 2 else "🔴 CRITICAL"}
**Status:** {"✅ Accepted" if number % 3 else "Proposed"}
**Created:** 2025-0{1 + number % 9}-1{number % 10}
**Decision:** {title}

---

## 🎯 Context

We kept finding that {why}. This decision records what we settled on.

## Decision

{title}. See DT-0{1 + number % 6} for the questions that lead here.

## ⚖️ Consequences

- Less repeated work on warm starts.
- One more thing to explain to new authors.

---

## 🔗 Related Decisions

{related}

---

## Keywords

{keyword}, decision, serverless

---

## Version History

- **2025-0{1 + number % 9}-1{number % 10}**: first written
- **2025-10-02**: wording tidied

---

**END OF FILE**
"""


def _sentence_titled(number: int, topic: tuple[str, str, str]) -> str:
    title, _keyword, why = topic
    return f"""# File: DEC-{number}.md
**REF-ID:** DEC-{number}
**Category:** Decisions
**Priority:** 🟢 Low
**Status:** Draft

---

## Summary

{title}, because {why}. The rest of this note explains when that stops being true.

## Details

Most functions never reach that point; measure before changing anything.

## Related Topics

- **DEC-{number - 10}**: the earlier decision this refines
- **LESS-90**: a lesson that was planned and never written
"""


def _tree(number: int, topic: tuple[str, str, str]) -> str:
    title, _keyword, why = topic
    return f"""# File: DT-0{number}.md

**REF-ID:** DT-0{number}
**Category:** Decision Trees
**Status:** Active
**Last Updated:** 2025-11-0{number}

## Which way for: {title.lower()}?

1. Does the function run more than once per container? If not, stop here.
2. Does it matter that {why}? If so, follow DEC-2{number}.

---

## Related Topics

- **DEC-2{number}**: the decision this tree leads to
- **DT-0{1 + number % 6}**: the next question
"""


def _lambda(number: int, topic: tuple[str, str, str]) -> str:
    title, keyword, why = topic
    return f"""# AWS-LAMBDA-0{number}: {title} on Lambda

**REF-ID:** AWS-LAMBDA-0{number}
**Category:** Platforms
**Type:** Platform Note
**Priority:** 🟠 Medium
**Created:** November {number + 2}, 2025

---

## Summary

On Lambda, {why}.

## How it shows

```python
import json


def handler(event, context):
    return {{"statusCode": 200, "body": json.dumps({{"topic": "{keyword}"}})}}
```

## Related Topics

- **GATE-0{1 + number % 3}**: where requests come in
- **FW-09**: a framework note nobody wrote
"""


def _gateway(number: int, topic: tuple[str, str, str]) -> str:
    title, _keyword, why = topic
    return f"""# 🚪 GATE-0{number}: Gateway {number} — {title}

**REF-ID:** GATE-0{number}
**Type:** Gateway Pattern
**Status:** ✅ Active
**Priority:** 🔴 High

## Summary

The gateway is where {why}; it stays thin and passes calls on.

```python
def handler(event, context):
    route = event.get("route", "default")
    return dispatch(route, event)
```

```python
# pseudo-code, as the old entry wrote it
if request.is_valid:
    ...
else
    reject(request)
```

---

**Next:** GATE-0{1 + number % 3}

**END OF DOCUMENT**
"""


def _framework(number: int, topic: tuple[str, str, str]) -> str:
    title, _keyword, why = topic
    return f"""# FW-0{number}.md

**Version:** 2.{number}
**Date:** 2025-09-2{number}
**Purpose:** A framework note: {why}.
**Category:** Frameworks

## Framework Note {number}: {title}

Read the [naming rules](../specs/SPEC-NAMING.md) first, and the
[master index](../Decisions-Master-Index.md) for everything else.

## Related Topics

- **SPEC-NAMING**: how things are named
- **FW-0{1 + number % 3}**: a sibling note
"""


def _spec(ref_id: str, title: str, text: str) -> str:
    return f"""# {ref_id}.md

**Version:** 1.0
**Date:** 2025-08-30
**Purpose:** {text}
**Category:** Specifications

---

## {title}

{text} Applies to every entry, from LESS-40 to GATE-01.

## Related

- **AWS-LAMBDA-01**: the platform these rules were written for
"""


def _lesson(number: int, topic: tuple[str, str, str]) -> str:
    title, keyword, why = topic
    return f"""# File: LESS-{number}.md

**REF-ID:** LESS-{number}
**Category:** Operations
**Topic:** {keyword}
**Version:** 1.{number % 4}
**Date:** 2025-10-{10 + number % 20}
**Status:** Complete

---

## {title}

---

## Summary

{why.capitalize()}.

## The lesson

**❌ Wrong: state at module level**

```python
_seen = []


def handler(event, context):
    _seen.append(event["id"])
    return len(_seen)
```

**✅ Right: state per request**

```python
def handler(event, context):
    seen = [event["id"]]
    return len(seen)
```

Settings, for reference:

```yaml
timeout: 30
```

- A step with code inside the list:

  ```python
  print("indented")
  ```

See [the decision](../decisions/DEC-2{number % 8}.md) and LESS-4{(number + 1) % 10}.

---

## Related Topics

- **DEC-2{number % 8}**: why we decided so
- **LESS-91**: a lesson still to write
- **LESS-4{(number + 1) % 10}**: the next lesson

---

## Keywords

{keyword}, lessons

---

**File:** `sima/entries/lessons/LESS-{number}.md`
**Next:** LESS-4{(number + 1) % 10}
"""


def _hub(title: str, ids: list[str]) -> str:
    lines = [f"# 📚 {title}", "", "**Version:** 3.0", "", "## Everything here", ""]
    lines += [f"- **{ref_id}**: see its file" for ref_id in ids]
    return "\n".join(lines) + "\n"


def corpus() -> dict[str, str]:
    """The corpus: relative path to text."""
    files: dict[str, str] = {}
    for index in range(8):
        number = 20 + index
        related = "\n".join(
            [
                f"- **DEC-{20 + (index + 1) % 8}**: a neighbouring decision",
                "- **DEC-99**: never written",
            ]
        )
        files[f"decisions/DEC-{number}.md"] = _decision(number, _TOPICS[index], related)
    for index in range(4):
        number = 30 + index
        files[f"decisions/DEC-{number}.md"] = _sentence_titled(number, _TOPICS[index + 8])
    for number in range(1, 7):
        files[f"decision-trees/DT-0{number}.md"] = _tree(number, _TOPICS[number])
    for number in range(1, 5):
        files[f"platforms/aws/AWS-LAMBDA-0{number}.md"] = _lambda(number, _TOPICS[number + 2])
    for number in range(1, 4):
        files[f"gateways/GATE-0{number}.md"] = _gateway(number, _TOPICS[number + 4])
    for number in range(1, 4):
        files[f"frameworks/FW-0{number}.md"] = _framework(number, _TOPICS[number + 6])
    specs = [
        ("SPEC-NAMING", "Naming Rules", "Every file is named after its REF-ID."),
        ("SPEC-LAYOUT", "Folder Layout", "Entries live in one folder per kind."),
        ("SPEC-ERRORS", "Error Messages", "An error names the file and line it concerns."),
    ]
    for ref_id, title, text in specs:
        files[f"specs/{ref_id}.md"] = _spec(ref_id, title, text)
    for index in range(10):
        files[f"lessons/LESS-4{index}.md"] = _lesson(40 + index, _TOPICS[index % len(_TOPICS)])
    for index in range(10):  # more decisions, so that the corpus is large enough to measure
        number = 50 + index
        related = f"- **DEC-{20 + index % 8}**: where this started"
        files[f"decisions/more/DEC-{number}.md"] = _decision(
            number, _TOPICS[(index + 3) % len(_TOPICS)], related
        )
    files["Decisions-Master-Index.md"] = _hub(
        "Decisions Master Index", [f"DEC-{n}" for n in range(20, 28)]
    )
    files["gateways/Gateways-Index.md"] = _hub("Gateways", ["GATE-01", "GATE-02", "GATE-03"])
    files["SIMA-Navigation-Hub.md"] = _hub("SIMA Navigation Hub", ["DEC-20", "DT-01", "LESS-40"])
    files["README.md"] = "# About this folder\n\nThe old knowledge base, kept for reference.\n"
    files["notes/scratch-notes.md"] = "Some thoughts to sort out later, with no ID yet.\n"
    files["notes/empty.md"] = ""
    return files


def write_corpus(folder: Path) -> list[Path]:
    """Write the corpus into `folder`; returns the files written."""
    written = []
    for relative, text in corpus().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    print(f"wrote {len(write_corpus(Path(sys.argv[1])))} files into {sys.argv[1]}")
