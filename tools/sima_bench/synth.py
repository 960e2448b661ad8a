"""Synthetic knowledge bases for the benchmarks: N entries with realistic shape.

Each entry has front matter like a real one (type, category, priority, 3-6 keywords
from a pool, 2-4 related IDs, a next ID), a body of 300-600 words in sections, and
5-10 mentions of other entries' IDs in its prose. The same seed gives the same
files, so runs compare like with like.

Two layouts are written from one generation:

- `kb`: our layout (`entries/` + the `sima` plugin, as the real site);
- `plain`: the same Markdown bodies as ordinary pages in `docs/entries/`, built by
  mkdocs-material alone (the baseline the plugin's overhead is measured against).
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

PREFIXES = {
    "LESS": "Lesson Learned",
    "INT": "Interface Pattern",
    "ARCH": "Architecture Pattern",
    "DEC": "Design Decision",
}
CATEGORIES = ["Architecture", "Operations", "Performance", "Interfaces", "Testing", "Decisions"]
PRIORITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
WORDS = [
    "container",
    "cold",
    "warm",
    "start",
    "handler",
    "module",
    "state",
    "cache",
    "connection",
    "client",
    "request",
    "invocation",
    "memory",
    "timeout",
    "import",
    "singleton",
    "gateway",
    "interface",
    "core",
    "layer",
    "lock",
    "thread",
    "parameter",
    "config",
    "test",
    "unit",
    "integration",
    "deploy",
    "latency",
    "budget",
    "limit",
    "retry",
    "error",
    "queue",
    "event",
    "payload",
    "storage",
    "bucket",
    "table",
    "index",
    "query",
    "pool",
    "session",
    "token",
    "secret",
    "metric",
    "trace",
    "log",
    "alarm",
    "scale",
    "shard",
    "replica",
    "batch",
    "stream",
    "window",
    "clock",
    "lease",
    "quota",
    "reset",
    "cleanup",
]
SECTIONS = ["Context", "The rule", "Why", "Patterns", "Mistakes", "When this does not apply"]

# Both layouts share the real site's theme features and Markdown extensions, so the
# plain baseline renders the same Markdown the same way and differs only by the plugin.
_SHARED = """\
site_url: !ENV [SIMA_SITE_URL, "http://127.0.0.1:8000/"]
theme:
  name: material
  font: false
  features:
    - navigation.instant
    - navigation.tracking
    - navigation.sections
    - navigation.top
    - search.highlight
    - content.code.copy
markdown_extensions:
  - toc:
      permalink: true
  - tables
  - attr_list
  - md_in_html
  - admonition
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences
"""
MKDOCS_KB = (
    "site_name: Synthetic KB ({count} entries)\n"
    + _SHARED
    + """\
plugins:
  - search
  - sima:
      runner: false
      node_modules: {node_modules}
      prefixes:
{prefixes}
"""
)
MKDOCS_PLAIN = (
    "site_name: Synthetic KB, plain ({count} pages)\n"
    + _SHARED
    + """\
plugins:
  - search
"""
)


@dataclass(frozen=True)
class Generated:
    """The two project folders written."""

    kb: Path
    plain: Path
    count: int


def _ids(count: int, rng: random.Random) -> list[str]:
    kinds = list(PREFIXES)
    return [f"{rng.choice(kinds)}-{n:04d}" for n in range(1, count + 1)]


def _sentence(rng: random.Random, mention: str | None = None) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    if mention is not None:
        words.insert(rng.randint(1, len(words) - 1), mention)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."  # not capitalize(): it lowercases the IDs


def _body(rng: random.Random, mentions: list[str]) -> str:
    target_words = rng.randint(300, 600)
    paragraphs: list[str] = []
    words = 0
    pending = list(mentions)
    section = 0
    while words < target_words or pending:
        if words >= section * target_words / len(SECTIONS) and section < len(SECTIONS):
            paragraphs.append(f"## {SECTIONS[section]}")
            section += 1
        sentences = []
        for _ in range(rng.randint(3, 5)):
            mention = pending.pop() if pending and rng.random() < 0.5 else None
            sentence = _sentence(rng, mention)
            words += len(sentence.split())
            sentences.append(sentence)
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def generate(out: Path, count: int, seed: int = 22, node_modules: Path | None = None) -> Generated:
    """Write `out/kb` and `out/plain` for `count` entries; return their paths."""
    rng = random.Random(seed)
    ids = _ids(count, rng)
    keyword_pool = [f"{rng.choice(WORDS)}-{rng.choice(WORDS)}" for _ in range(max(20, count // 5))]
    kb, plain = out / "kb", out / "plain"
    for folder in (kb / "entries", kb / "docs", plain / "docs" / "entries"):
        folder.mkdir(parents=True, exist_ok=True)
    prefixes = "\n".join(f"        {p}: {m}" for p, m in PREFIXES.items())
    modules = node_modules or Path("node_modules").resolve()
    (kb / "mkdocs.yml").write_text(
        MKDOCS_KB.format(count=count, node_modules=modules, prefixes=prefixes), encoding="utf-8"
    )
    (plain / "mkdocs.yml").write_text(MKDOCS_PLAIN.format(count=count), encoding="utf-8")
    home = f"# Synthetic knowledge base\n\n{count} entries. Start with {ids[0]}.\n"
    (kb / "docs" / "index.md").write_text(home, encoding="utf-8")
    (plain / "docs" / "index.md").write_text(home, encoding="utf-8")
    for ref_id in ids:
        others = [i for i in rng.sample(ids, min(len(ids), 12)) if i != ref_id]
        mentions = others[: rng.randint(5, 10)]
        related = others[:3]
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 6))).title()
        keywords = rng.sample(keyword_pool, rng.randint(3, 6))
        body = _body(rng, mentions)
        front = [
            "---",
            f"REF-ID: {ref_id}",
            f'title: "{title}"',
            f"type: {PREFIXES[ref_id.split('-')[0]]}",
            f"category: {rng.choice(CATEGORIES)}",
            f"priority: {rng.choice(PRIORITIES)}",
            "status: Active",
            "created: 2026-01-01",
            "updated: 2026-11-29",
            f"keywords: [{', '.join(keywords)}]",
            f"related: [{', '.join(related)}]",
            f"next: {others[-1]}",
            f'summary: "{_sentence(rng)}"',
            "---",
            "",
        ]
        (kb / "entries" / f"{ref_id}.md").write_text("\n".join(front) + body, encoding="utf-8")
        page = f"# {ref_id}: {title}\n\n{body}"
        (plain / "docs" / "entries" / f"{ref_id}.md").write_text(page, encoding="utf-8")
    return Generated(kb, plain, count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args(argv)
    made = generate(args.out, args.count, args.seed)
    print(f"wrote {made.kb} and {made.plain}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
