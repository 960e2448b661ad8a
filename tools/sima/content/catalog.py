"""Read entries into plain data and report every problem with file and line.

[`load_catalog`][sima.content.catalog.load_catalog] never raises for content errors: a broken
entry becomes a [`Problem`][sima.content.problems.Problem] and the others still load, so one
run lists everything that is wrong. No MkDocs import here; the plugin and the CLI
share this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sima.content.links import Backlink, MentionScanner, collect_backlinks, mislabelled
from sima.content.problems import Problem, Severity
from sima.content.schema import FrontMatter
from sima.content.settings import Settings

FENCE = "---"


# libyaml's parser when PyYAML was built with it (its nodes carry the same line marks):
# it reads front matter about ten times faster than the pure-Python one.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML, but dates stay strings so that the schema reports bad ones."""


def _date_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


@dataclass(frozen=True)
class Entry:
    """One entry file, validated.

    Attributes:
        meta: The validated front matter.
        path: The file, relative to the project root (for messages and edit links).
        body: The Markdown after the front matter.
        body_line: The file line on which `body` starts (1-based).
        key_lines: File line of each top-level front-matter key.
    """

    meta: FrontMatter
    path: str
    body: str
    body_line: int
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def ref_id(self) -> str:
        """The entry's REF-ID."""
        return self.meta.ref_id

    @property
    def title(self) -> str:
        """The entry's title."""
        return self.meta.title

    @property
    def is_stub(self) -> bool:
        """True for a planned entry with no content yet."""
        return self.meta.is_stub


@dataclass(frozen=True)
class Catalog:
    """Every valid entry by ID, and every problem found while reading them."""

    settings: Settings
    entries: Mapping[str, Entry]
    problems: tuple[Problem, ...] = ()
    #: A scanner to reuse (an [`EntryReader`][sima.content.catalog.EntryReader]'s,
    #: which remembers the texts it scanned); by default one of the catalog's own.
    given_scanner: MentionScanner | None = field(default=None, compare=False, repr=False)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that make the content unusable."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems a strict build refuses."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @cached_property
    def scanner(self) -> MentionScanner:
        """The mention scanner for this catalog's prefixes (compiled once)."""
        return self.given_scanner or MentionScanner(self.settings.prefixes)

    @cached_property
    def backlinks(self) -> dict[str, list[Backlink]]:
        """Who cites each entry, with the citing sentence (computed once)."""
        documents = ((e.ref_id, e.body, e.meta.related, e.meta.next) for e in self.entries.values())
        return collect_backlinks(documents, self.scanner)

    @cached_property
    def types(self) -> tuple[str, ...]:
        """Every entry type, sorted."""
        return tuple(sorted({e.meta.type for e in self.entries.values()}))


class _EntryError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split `---` delimited YAML front matter from the body.

    Returns:
        The YAML text, the body, and the 1-based file line where the body starts.

    Raises:
        _EntryError: When there is no front matter or it is not closed.
    """
    lines = text.splitlines(keepends=True)
    if not text.strip():
        raise _EntryError(1, "empty file: expected YAML front matter opened by '---'")
    if lines[0].rstrip("\r\n") != FENCE:
        raise _EntryError(1, "expected YAML front matter: the first line must be '---'")
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") == FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise _EntryError(1, "front matter opened by '---' on line 1 is never closed")


def _node_lines(node: yaml.Node, offset: int) -> tuple[dict[tuple[str | int, ...], int], list[str]]:
    """Map each key path of a composed YAML mapping to its file line; list duplicates."""
    lines: dict[tuple[str | int, ...], int] = {}
    duplicates: list[str] = []

    def walk(current: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = current.start_mark.line + offset
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                name = str(key.value)
                if not path and name in seen:
                    duplicates.append(name)
                seen.add(name)
                lines[(*path, name)] = key.start_mark.line + offset
                walk(value, (*path, name))
                lines[(*path, name)] = key.start_mark.line + offset
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                walk(item, (*path, index))

    walk(node, ())
    return lines, duplicates


def _describe(error: Any) -> str:
    loc = [str(part) for part in error["loc"]]
    key = loc[0] if loc else "front matter"
    where = key + "".join(f"[{int(p) + 1}]" if p.isdigit() else f".{p}" for p in loc[1:])
    if error["type"] == "extra_forbidden":
        return f"unknown key '{key}' (allowed: {', '.join(sorted(_ALLOWED))})"
    if error["type"] == "missing":
        return f"missing required key '{key}'"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"key '{where}': {message} (got {error['input']!r})"


_ALLOWED = [f.alias or name for name, f in FrontMatter.model_fields.items()]


def parse_entry(path: str, raw: bytes, prefixes: Iterable[str]) -> Entry | list[Problem]:
    """Parse one entry file's bytes.

    Args:
        path: The file's path, used in messages.
        raw: The file's bytes (must be UTF-8).
        prefixes: The configured ID prefixes.

    Returns:
        The entry, or the list of problems that prevent reading it.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [
            Problem(
                path,
                line,
                f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8 "
                "or convert it with `sima import`",
            )
        ]
    try:
        front, body, body_line = split_front_matter(text.removeprefix("\ufeff"))
    except _EntryError as exc:
        return [Problem(path, exc.line, exc.message)]
    loader = _FrontMatterLoader(front)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        detail = getattr(exc, "problem", None) or str(exc)
        return [Problem(path, line, f"front matter is not valid YAML: {detail}")]
    finally:
        loader.dispose()
    if not isinstance(data, dict) or node is None:
        return [Problem(path, 1, "front matter must be a mapping of keys to values")]
    lines, duplicates = _node_lines(node, offset=2)
    problems = [
        Problem(path, lines.get((name,), 1), f"key '{name}' is given twice") for name in duplicates
    ]
    try:
        meta = FrontMatter.model_validate(data, context={"prefixes": set(prefixes)})
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), 1)
            problems.append(Problem(path, line, _describe(error)))
        return sorted(problems)
    if problems:
        return problems
    key_lines = {str(k[0]): v for k, v in lines.items() if len(k) == 1}
    return Entry(meta=meta, path=path, body=body, body_line=body_line, key_lines=key_lines)


def entry_files(settings: Settings) -> list[Path]:
    """All entry files, in a stable order."""
    if not settings.entries_dir.is_dir():
        return []
    return sorted(p for p in settings.entries_dir.rglob("*.md") if p.is_file())


@dataclass
class EntryReader:
    """Parsed entries by file content, and one mention scanner, kept between builds.

    Under `mkdocs serve` the plugin keeps one reader, so a rebuild parses and scans
    only the files an edit changed. Parsing is pure: the same path, bytes and
    prefixes give the same entry. Only the last build's files are kept.
    """

    _parsed: dict[tuple[str, bytes], Entry | list[Problem]] = field(default_factory=dict)
    _fresh: dict[tuple[str, bytes], Entry | list[Problem]] = field(default_factory=dict)
    _scanner: MentionScanner | None = None
    _prefixes: tuple[str, ...] = ()

    def start(self, prefixes: Iterable[str]) -> MentionScanner:
        """Begin a build with these prefixes; returns the scanner to use for it."""
        wanted = tuple(prefixes)
        if self._scanner is None or wanted != self._prefixes:
            self._scanner, self._prefixes, self._parsed = MentionScanner(wanted), wanted, {}
        else:
            self._parsed = self._fresh or self._parsed
        self._fresh = {}
        return self._scanner

    def parse(self, rel: str, data: bytes) -> Entry | list[Problem]:
        """[`parse_entry`][sima.content.catalog.parse_entry], or its remembered result."""
        key = (rel, data)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = parse_entry(rel, data, self._prefixes)
        self._fresh[key] = parsed
        return parsed


def load_catalog(settings: Settings, reader: EntryReader | None = None) -> Catalog:
    """Read and cross-check every entry under `settings.entries_dir`.

    Errors: unreadable or invalid files, duplicate IDs (naming both files).
    Warnings: unknown IDs in text, `related` or `next`; a hand-written label that
    disagrees with the target's title; a stub that has a body.

    With a `reader` kept from the last build, unchanged files are not parsed again.
    """
    reader = reader or EntryReader()
    scanner = reader.start(settings.prefixes)
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    if not settings.entries_dir.is_dir():
        problems.append(Problem(settings.rel(settings.entries_dir), 0, "entries folder not found"))
    for file in entry_files(settings):
        rel = settings.rel(file)
        parsed = reader.parse(rel, file.read_bytes())
        if isinstance(parsed, list):
            problems.extend(parsed)
            continue
        first = entries.get(parsed.ref_id)
        if first is not None:
            problems.append(
                Problem(
                    rel,
                    parsed.key_lines.get("REF-ID", 1),
                    f"duplicate REF-ID {parsed.ref_id}: already used by {first.path}",
                )
            )
            continue
        entries[parsed.ref_id] = parsed
    ordered = dict(sorted(entries.items()))
    catalog = Catalog(settings=settings, entries=ordered, given_scanner=scanner)
    problems.extend(check_references(catalog))
    return Catalog(
        settings=settings, entries=ordered, problems=tuple(problems), given_scanner=scanner
    )


def check_references(catalog: Catalog) -> list[Problem]:
    """Warnings for every reference that does not resolve or is mislabelled."""
    scanner = catalog.scanner
    titles = {ref: e.title for ref, e in catalog.entries.items()}
    found: list[Problem] = []
    for entry in catalog.entries.values():
        for key in ("related", "next"):
            value = getattr(entry.meta, key)
            for ref in [value] if isinstance(value, str) else value or []:
                if ref not in catalog.entries:
                    found.append(_warn(entry, entry.key_lines.get(key, 1), f"unknown ID {ref}"))
        for mention in scanner.mentions(entry.body):
            if mention.ref_id not in catalog.entries:
                line = entry.body_line + mention.line - 1
                found.append(_warn(entry, line, f"unknown ID {mention.ref_id}"))
        for line, ref_id, label, title in mislabelled(entry.body, titles):
            found.append(
                _warn(
                    entry,
                    entry.body_line + line - 1,
                    f"label '{label}' for {ref_id} disagrees with its title '{title}'; "
                    "write the ID alone and the site shows the title",
                )
            )
        if entry.is_stub and entry.body.strip():
            found.append(
                _warn(entry, entry.body_line, "a Planned stub has a body; set status: Active")
            )
    return found


def _warn(entry: Entry, line: int, message: str) -> Problem:
    return Problem(entry.path, line, message, Severity.WARNING)


def docs_problems(settings: Settings, catalog: Catalog) -> list[Problem]:
    """Unknown IDs mentioned on the hand-written pages of `settings.docs_dir`."""
    if settings.docs_dir is None or not settings.docs_dir.is_dir():
        return []
    found = []
    for page in sorted(settings.docs_dir.rglob("*.md")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for mention in catalog.scanner.mentions(text):
            if mention.ref_id not in catalog.entries:
                message = f"unknown ID {mention.ref_id}"
                found.append(Problem(settings.rel(page), mention.line, message, Severity.WARNING))
    return found
