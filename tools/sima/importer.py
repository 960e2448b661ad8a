"""Convert legacy bold-header entries into front-matter entries (`sima import`).

The old knowledge base keeps its metadata in bold lines (`**REF-ID:** LESS-22`) under a
heading, and ends each file with Keywords, Related Topics, Version History and a footer.
[`convert`][sima.importer.convert] turns one such file into an entry that
[`parse_entry`][sima.catalog.parse_entry] accepts; [`import_paths`][sima.importer.import_paths]
converts many files and writes them, reporting every failure instead of stopping.

Three header styles are read:

- Style A: `# File: NAME.md`, bold lines (`REF-ID`, `Category`, `Topic`, `Version`,
  `Date`, `Status`), then the title as a `##` heading.
- Style B: `# ID: Title`, then bold lines (`REF-ID`, `Category`, `Type`, `Created`,
  `Last Updated`, `Status`, `Priority`); an optional `# Filename: NAME.md` line first.
- Style C: `# NAME.md`, bold lines (`Version`, `Date`, `Purpose`, `Category`), no
  REF-ID line (the ID is the file name), then the title as a heading.

Mapping (every guess or repair is listed in [`Converted.notes`][sima.importer.Converted]):

- REF-ID: the `REF-ID` line, else the ID before the title (`# ID: Title`), else the
  file name in a `# File: NAME.md` line, else the source file's name.
- type: the `Type` line, else the meaning of the ID's prefix in the settings.
- priority: emoji and other marks removed, case normalised; see `PRIORITY_WORDS`.
- status: mapped onto the schema's four values; see `STATUS_WORDS`. Without a
  Status line the footer's is used; a missing or unknown status becomes Active (the
  schema's default), noted when unknown. The key is always written.
- created: `Created`, else the earliest date of `## Version History`, else `Date`.
- updated: `Last Updated`, else `Date`, else the latest Version History date.
- summary: the first paragraph of `## Summary`, else the `Summary` or `Purpose` line.
- keywords: `## Keywords` (comma separated); related: the IDs of `## Related Topics`;
  next: the footer's `Next`. These sections, Version History and the footer are removed.
- `Topic`, `Version` and other fields with no place in the schema are dropped.

Mis-encoded text (UTF-8 read as Windows-1252, e.g. `âœ…` for ✅) is repaired with
`ftfy.fix_encoding`, line by line, not `ftfy.fix_text`: the latter also straightens
curly quotes, unescapes HTML entities, replaces ligatures and full-width letters and
normalises Unicode, which would change correct text. Lines that are not valid UTF-8
at all are decoded as Windows-1252.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import difflib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import yaml
from ftfy.badness import is_bad

from sima.catalog import parse_entry
from sima.ids import ANY_ID, prefix_of
from sima.problems import Problem
from sima.settings import Settings

#: Status words (lower case) of legacy files and the schema status each becomes.
STATUS_WORDS: Mapping[str, str] = {
    "active": "Active",
    "complete": "Active",
    "completed": "Active",
    "done": "Active",
    "final": "Active",
    "stable": "Active",
    "current": "Active",
    "published": "Active",
    "approved": "Active",
    "production": "Active",
    "live": "Active",
    "draft": "Draft",
    "wip": "Draft",
    "in progress": "Draft",
    "review": "Draft",
    "in review": "Draft",
    "proposed": "Draft",
    "planned": "Planned",
    "todo": "Planned",
    "not started": "Planned",
    "stub": "Planned",
    "pending": "Planned",
    "deprecated": "Deprecated",
    "obsolete": "Deprecated",
    "superseded": "Deprecated",
    "archived": "Deprecated",
    "retired": "Deprecated",
}

#: Priority words (lower case) of legacy files and the schema priority each becomes.
PRIORITY_WORDS: Mapping[str, str] = {
    "critical": "CRITICAL",
    "urgent": "CRITICAL",
    "blocker": "CRITICAL",
    "p0": "CRITICAL",
    "high": "HIGH",
    "p1": "HIGH",
    "medium": "MEDIUM",
    "med": "MEDIUM",
    "moderate": "MEDIUM",
    "normal": "MEDIUM",
    "p2": "MEDIUM",
    "low": "LOW",
    "minor": "LOW",
    "p3": "LOW",
}

#: Front-matter keys in the order they are written.
KEY_ORDER = (
    "REF-ID",
    "title",
    "type",
    "category",
    "priority",
    "status",
    "created",
    "updated",
    "keywords",
    "related",
    "next",
    "summary",
)

# Header field names (normalised: lower case, words separated by one space) and the
# role each plays. Fields whose role is "drop" have no place in the front matter.
_FIELD_ROLES: Mapping[str, str] = {
    "ref id": "ref",
    "refid": "ref",
    "ref": "ref",
    "id": "ref",
    "category": "category",
    "type": "type",
    "date": "date",
    "created": "created",
    "date created": "created",
    "last updated": "updated",
    "updated": "updated",
    "modified": "updated",
    "last modified": "updated",
    "status": "status",
    "priority": "priority",
    "purpose": "purpose",
    "summary": "summary",
    "keywords": "keywords",
    "tags": "keywords",
    "related": "related",
    "related topics": "related",
    "next": "next",
    "topic": "drop",
    "version": "drop",
    "author": "drop",
    "owner": "drop",
}

_SECTION_ROLES: Mapping[str, str] = {
    "keywords": "keywords",
    "tags": "keywords",
    "related topics": "related",
    "related": "related",
    "related entries": "related",
    "version history": "history",
    "changelog": "history",
    "change log": "history",
}

# Headings that start a body section; never taken for a title.
_SECTION_NAMES = frozenset(
    {"summary", "context", "overview", "purpose", "description", "the lesson", "lesson"}
    | set(_SECTION_ROLES)
)

_ID_TOKEN = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])")
_FILE_HEADING = re.compile(
    r"^#{1,2}\s+(?:file\s*(?:name)?\s*:\s*)?`?(?P<name>[^\s`]+\.md)`?\s*$", re.IGNORECASE
)
_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
_TITLE_WITH_ID = re.compile(
    r"^(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\s*(?::|[-\u2013\u2014](?=\s))\s*(?P<title>.*)$"
)
_BOLD_FIELD = re.compile(r"^\*\*(?P<key>[^*]+?)\s*(?::\*\*|\*\*\s*:)\s*(?P<value>.*?)\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<rest>.*)$")
_END_MARKER = re.compile(r"^\W*END\s+OF\s+(?:DOCUMENT|FILE)\b", re.IGNORECASE)
_FOOTER_KEYS = frozenset({"file", "lines", "next", "total lines", "location", "path"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Windows-1252 characters standing for UTF-8 continuation bytes (0x80-0xBF), plus the
# C1 controls that some decoders keep for the five bytes cp1252 leaves undefined.
_CONTINUATION = {
    bytes([b]).decode("cp1252"): b
    for b in range(0x80, 0xC0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
} | {chr(b): b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_CONT_CLASS = "".join(re.escape(c) for c in _CONTINUATION)
# "â" (0xE2) and one continuation character, not followed by another: a three-byte
# character that lost a byte cp1252 cannot decode (0x9D), which decoders drop.
_LOST_BYTE = re.compile(rf"â([{_CONT_CLASS}])(?![{_CONT_CLASS}])")


class _SafeDumper(yaml.SafeDumper):
    """`yaml.safe_dump`'s dumper, without anchors and aliases (`&id001`): equal dates
    in `created` and `updated` must both be written out."""

    def ignore_aliases(self, data: object) -> bool:
        return True


class ImportFailure(Exception):
    """A legacy file that cannot be converted.

    Attributes:
        message: Why, as a sentence.
        line: The 1-based source line concerned, or 0 for the whole file.
    """

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Converted:
    """One converted entry.

    Attributes:
        ref_id: The entry's REF-ID (the output file is `<ref_id>.md`).
        text: The whole entry file: YAML front matter between `---` lines, then the body.
        notes: Repairs and guesses made, in words, e.g.
            "repaired mis-encoded text (9 places on lines 60, 66, ...)".
        ref_line: The source line the REF-ID was read from (0: from the file name).
    """

    ref_id: str
    text: str
    notes: tuple[str, ...] = ()
    ref_line: int = 0


@dataclass
class ImportReport:
    """What [`import_paths`][sima.importer.import_paths] did.

    Attributes:
        written: (source, destination, notes) of each entry written.
        failed: One problem per file that could not be found, converted or written,
            with the source path and line.
        skipped: (source, destination) of each entry not written because the
            destination exists and `overwrite` was off.
    """

    written: list[tuple[Path, Path, tuple[str, ...]]] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    skipped: list[tuple[Path, Path]] = field(default_factory=list)


@dataclass(frozen=True)
class _Field:
    label: str
    value: str
    line: int


@dataclass
class _Header:
    fields: dict[str, _Field] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    file_name: _Field | None = None
    title: str | None = None
    title_id: str | None = None
    title_line: int = 0
    end: int = 0


@dataclass
class _Tail:
    keywords: list[str] = field(default_factory=list)
    related: list[tuple[str, int]] = field(default_factory=list)
    history: list[dt.date] = field(default_factory=list)
    footer: dict[str, _Field] = field(default_factory=dict)
    summary: str | None = None
    body: str = ""


# ----------------------------------------------------------------------------- public


def convert(raw: bytes, source_name: str, prefixes: Mapping[str, str]) -> Converted:
    """Convert one legacy entry file into a front-matter entry.

    Args:
        raw: The legacy file's bytes.
        source_name: The file's name (or path), used for an ID taken from the file
            name and in messages.
        prefixes: The configured ID prefixes and their meanings.

    Returns:
        The entry text, valid for [`parse_entry`][sima.catalog.parse_entry], its
        REF-ID, and notes on every repair and guess.

    Raises:
        ImportFailure: When the file cannot become a valid entry; the message says
            why and `line` where.
    """
    lines, notes = decode_lines(raw)
    lines, repair_notes = repair_mojibake(lines)
    notes += repair_notes
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    _refuse_front_matter(lines)
    header = _read_header(lines)
    ref_id, ref_line = _choose_ref_id(header, source_name, notes)
    _check_prefix(ref_id, "REF-ID", ref_line, prefixes)
    title = _title(header, lines)
    tail = _read_body(lines, header.end, notes)

    data: dict[str, object] = {"REF-ID": ref_id, "title": title}
    data["type"] = _type(header, ref_id, prefixes, notes)
    category = _value(header, "category")
    if category:
        data["category"] = category
    priority = _priority(header, notes)
    if priority:
        data["priority"] = priority
    data["status"] = _status(header, tail, notes)
    created, updated = _dates(header, tail, notes)
    if created:
        data["created"] = created
    if updated:
        data["updated"] = updated
    keywords = _keywords(header, tail, notes)
    if keywords:
        data["keywords"] = keywords
    related = _related(header, tail, ref_id, prefixes, notes)
    if related:
        data["related"] = related
    next_id = _next(header, tail, prefixes, notes)
    if next_id:
        data["next"] = next_id
    summary = _summary(header, tail, notes)
    if summary:
        data["summary"] = summary
    dropped = header.dropped + [
        f"{item.label} ({_clean(item.value)})" if _clean(item.value) else item.label
        for key, item in header.fields.items()
        if _FIELD_ROLES[key] == "drop"
    ]
    if dropped:
        notes.append(
            f"dropped header fields the front matter has no place for: {', '.join(dropped)}"
        )

    ordered = {key: data[key] for key in KEY_ORDER if key in data}
    front = yaml.dump(
        ordered,
        Dumper=_SafeDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    text = f"---\n{front}---\n{tail.body}"
    result = parse_entry(source_name, text.encode("utf-8"), prefixes)
    if isinstance(result, list):
        reasons = "; ".join(problem.message for problem in result)
        raise ImportFailure(f"the converted entry would not be valid: {reasons}")
    return Converted(ref_id=ref_id, text=text, notes=tuple(notes), ref_line=ref_line)


def import_paths(
    sources: Sequence[Path], out_dir: Path, settings: Settings, *, overwrite: bool = False
) -> ImportReport:
    """Convert legacy files and write them as `out_dir/<REF-ID>.md`.

    Every source is tried: a failure is reported and the next file is converted.
    Folders are searched for `*.md` recursively (skipping `out_dir` if it lies
    inside). A file is written whole or not at all (a temporary file in `out_dir`,
    then an atomic rename). When two sources in one run have the same REF-ID, the
    second fails, naming the first.

    Args:
        sources: Legacy files or folders.
        out_dir: Folder to write entries into (created when missing).
        settings: Gives the ID prefixes, and the root that messages are relative to.
        overwrite: Replace existing destination files; otherwise they are skipped.

    Returns:
        What was written, skipped and what failed.
    """
    report = ImportReport()
    first_source: dict[str, Path] = {}
    for source in _expand(sources, out_dir, settings, report):
        where = settings.rel(source)
        try:
            raw = source.read_bytes()
        except OSError as exc:
            report.failed.append(Problem(where, 0, f"cannot read the file: {exc.strerror or exc}"))
            continue
        try:
            converted = convert(raw, source.name, settings.prefixes)
        except ImportFailure as exc:
            report.failed.append(Problem(where, exc.line, exc.message))
            continue
        first = first_source.get(converted.ref_id)
        if first is not None:
            message = (
                f"duplicate REF-ID {converted.ref_id}: already imported from "
                f"{settings.rel(first)} in this run"
            )
            report.failed.append(Problem(where, converted.ref_line, message))
            continue
        first_source[converted.ref_id] = source
        destination = out_dir / f"{converted.ref_id}.md"
        if destination.exists() and not overwrite:
            report.skipped.append((source, destination))
            continue
        try:
            _write_whole(destination, converted.text)
        except OSError as exc:
            message = f"cannot write {settings.rel(destination)}: {exc.strerror or exc}"
            report.failed.append(Problem(where, 0, message))
            continue
        report.written.append((source, destination, converted.notes))
    return report


def _expand(
    sources: Sequence[Path], out_dir: Path, settings: Settings, report: ImportReport
) -> Iterator[Path]:
    seen: set[Path] = set()
    out_resolved = out_dir.resolve()
    for source in sources:
        if source.is_dir():
            found = sorted(
                path
                for path in source.rglob("*.md")
                if path.is_file() and not path.resolve().is_relative_to(out_resolved)
            )
            if not found:
                report.failed.append(
                    Problem(settings.rel(source), 0, "no .md files in this folder")
                )
        elif source.is_file():
            found = [source]
        else:
            report.failed.append(Problem(settings.rel(source), 0, "no such file or folder"))
            continue
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def _write_whole(destination: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename over."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- decoding


def _line_list(numbers: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def decode_lines(raw: bytes) -> tuple[list[str], list[str]]:
    """Decode a legacy file into lines (without line ends) and notes.

    UTF-8 is expected. A UTF-8 byte-order mark is dropped, UTF-16 with a byte-order
    mark is accepted, and each line that is not valid UTF-8 is decoded as
    Windows-1252 (a whole cp1252 file, or a UTF-8 file edited in a cp1252 editor).
    Windows line ends become `\\n`.

    Raises:
        ImportFailure: For an empty file, or one holding NUL bytes (not text).
    """
    notes: list[str] = []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            chunks = raw.decode("utf-16").split("\n")
        except UnicodeDecodeError as exc:
            raise ImportFailure("not a text file: it starts like UTF-16 but is not") from exc
        notes.append("decoded UTF-16 text")
    else:
        raw = raw.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in raw:
            line = raw[: raw.index(b"\x00")].count(b"\n") + 1
            raise ImportFailure("not a text file: it contains NUL bytes", line)
        chunks = []
        legacy: list[int] = []
        for number, chunk in enumerate(raw.split(b"\n"), start=1):
            try:
                chunks.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                chunks.append(chunk.decode("cp1252", errors="replace"))
                legacy.append(number)
        if legacy:
            notes.append(f"not valid UTF-8: decoded {_line_list(legacy)} as Windows-1252 (cp1252)")
            undefined = sum(chunks[n - 1].count("\ufffd") for n in legacy)
            if undefined:
                notes.append(
                    f"{undefined} byte(s) undefined in Windows-1252 became U+FFFD; check them"
                )
    if any(chunk.endswith("\r") for chunk in chunks):
        notes.append("converted Windows line ends (CRLF) to LF")
    lines = [chunk.removesuffix("\r") for chunk in chunks]
    if not "".join(lines).strip("\ufeff \t\r\n"):
        raise ImportFailure("empty file: there is nothing to import")
    return lines, notes


def repair_mojibake(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """Repair UTF-8 text that was read as Windows-1252, line by line.

    Each line goes through `ftfy.fix_encoding`, which changes only what it judges to
    be mojibake, so correct text is left alone. A line that ftfy would change is
    first searched for `â` plus one Windows-1252 character that no other follows:
    a three-byte character that lost its byte 0x9D (undefined in cp1252, dropped by
    the decoder). `â€` so damaged was a closing quote `”`; any other was a dingbat of
    U+2740-U+277F, such as ❌ (ftfy alone would turn `âŒ ` into `⌠`, eating the space).

    Returns:
        The lines, and notes saying how many places were repaired, on which lines,
        and which lines still look mis-encoded.
    """
    fixed: list[str] = []
    places = 0
    changed: list[int] = []
    rebuilt = 0
    doubtful: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line.isascii() or ftfy.fix_encoding(line) == line:
            fixed.append(line)
            continue
        restored, count = _LOST_BYTE.subn(_restore_lost_byte, line)
        result = ftfy.fix_encoding(restored)
        rebuilt += count
        matcher = difflib.SequenceMatcher(None, line, result, autojunk=False)
        places += sum(1 for op in matcher.get_opcodes() if op[0] != "equal")
        changed.append(number)
        if is_bad(result):
            doubtful.append(number)
        fixed.append(result)
    notes: list[str] = []
    if changed:
        notes.append(f"repaired mis-encoded text ({places} places on {_line_list(changed)})")
    if rebuilt:
        notes.append(f"rebuilt {rebuilt} character(s) whose byte 0x9D was lost (such as ❌)")
    if doubtful:
        notes.append(f"{_line_list(doubtful)} may still be mis-encoded; check them")
    return fixed, notes


def _restore_lost_byte(match: re.Match[str]) -> str:
    byte = _CONTINUATION[match.group(1)]
    data = b"\xe2\x80\x9d" if byte == 0x80 else bytes([0xE2, 0x9D, byte])
    return data.decode("utf-8")


# ----------------------------------------------------------------------------- header


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _clean(value: str) -> str:
    """A field value without surrounding code or emphasis marks."""
    value = value.strip()
    changed = True
    while changed:
        changed = False
        for mark in ("`", "**", "*", "_"):
            if len(value) > 2 * len(mark) and value.startswith(mark) and value.endswith(mark):
                value = value[len(mark) : -len(mark)].strip()
                changed = True
    return value


def _heading(line: str) -> tuple[int, str] | None:
    """Level and text of an ATX heading (at most three spaces of indent)."""
    if len(line) - len(line.lstrip(" ")) > 3:
        return None
    match = _HEADING.match(line.strip())
    return (len(match.group("marks")), match.group("text")) if match else None


def _refuse_front_matter(lines: Sequence[str]) -> None:
    content = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if (
        len(content) > 1
        and content[0][1].rstrip() == "---"
        and re.match(r"^[A-Za-z][\w-]*:(\s|$)", content[1][1])
    ):
        raise ImportFailure(
            "already a front-matter entry (it starts with YAML front matter): "
            "copy it instead of importing it",
            content[0][0],
        )


def _read_header(lines: Sequence[str]) -> _Header:
    """Read the header: file-name line, title heading, bold field lines."""
    header = _Header()
    index = 0
    while index < len(lines):
        text = lines[index].strip()
        number = index + 1
        if not text or _RULE.match(text):
            index += 1
            continue
        file_match = _FILE_HEADING.match(text)
        if file_match and header.title is None and header.file_name is None:
            header.file_name = _Field("file name", file_match.group("name"), number)
            index += 1
            continue
        heading = _heading(lines[index])
        if heading is not None:
            level, heading_text = heading
            if header.title is not None or level > 2 or _norm(heading_text) in _SECTION_NAMES:
                break
            _read_title(header, _clean(heading_text), number)
            index += 1
            continue
        bold = _BOLD_FIELD.match(text)
        if bold is None:
            break
        key, label = _norm(bold.group("key")), bold.group("key").strip()
        if key in _FIELD_ROLES:
            if key in header.fields:
                header.dropped.append(f"{label} (repeated on line {number})")
            else:
                header.fields[key] = _Field(label, bold.group("value"), number)
        elif header.title is None:
            header.dropped.append(f"{label} ({_clean(bold.group('value'))})")
        else:
            break
        index += 1
    header.end = index
    return header


def _read_title(header: _Header, text: str, number: int) -> None:
    header.title_line = number
    with_id = _TITLE_WITH_ID.match(text)
    if with_id:
        header.title_id = with_id.group("id")
        text = with_id.group("title").strip()
    elif ANY_ID.match(text):
        header.title_id = text
        text = ""
    header.title = text


def _find(header: _Header, role: str) -> _Field | None:
    for key, item in header.fields.items():
        if _FIELD_ROLES[key] == role and _clean(item.value):
            return item
    return None


def _value(header: _Header, role: str) -> str | None:
    item = _find(header, role)
    return _clean(item.value) if item else None


def _choose_ref_id(header: _Header, source_name: str, notes: list[str]) -> tuple[str, int]:
    """The REF-ID and the line it came from; disagreeing sources are noted."""
    candidates: list[tuple[str, str, int]] = []
    item = _find(header, "ref")
    if item is not None:
        value = _clean(item.value)
        token = _ID_TOKEN.match(value) or _ID_TOKEN.match(value.upper())
        if token is None:
            raise ImportFailure(
                f"the REF-ID line holds '{value}', which is not an ID (expected e.g. LESS-22)",
                item.line,
            )
        if token.group(0) != value:
            notes.append(f"REF-ID '{value}' read as {token.group(0)}")
        candidates.append(("the REF-ID line", token.group(0), item.line))
    if header.title_id:
        candidates.append(("the title heading", header.title_id, header.title_line))
    if header.file_name is not None:
        stem = Path(header.file_name.value).stem
        if ANY_ID.match(stem):
            candidates.append(("the file-name line", stem, header.file_name.line))
    stem = Path(source_name).stem
    if ANY_ID.match(stem):
        candidates.append(("the file name", stem, 0))
    if not candidates:
        raise ImportFailure(
            "no REF-ID: the file has no **REF-ID:** line and no ID in its title heading, "
            f"and its file name '{Path(source_name).name}' is not an ID (such as ARCH-02.md)"
        )
    origin, ref_id, line = candidates[0]
    others = [f"{o} says {i}" for o, i, _ in candidates[1:] if i != ref_id]
    if others:
        notes.append(f"REF-ID {ref_id} taken from {origin}, although {'; '.join(others)}")
    elif origin not in ("the REF-ID line", "the title heading"):
        notes.append(f"REF-ID {ref_id} taken from {origin}")
    return ref_id, line


def _check_prefix(ref_id: str, what: str, line: int, prefixes: Mapping[str, str]) -> None:
    prefix = prefix_of(ref_id)
    if prefix not in prefixes:
        known = ", ".join(sorted(prefixes)) or "none"
        raise ImportFailure(
            f"unknown ID prefix '{prefix}' in {what} {ref_id} (configured prefixes: {known})",
            line,
        )


def _title(header: _Header, lines: Sequence[str]) -> str:
    if header.title is None:
        line = header.end + 1 if header.end < len(lines) else 0
        raise ImportFailure(
            "not a SIMA entry: no title heading (expected '# ID: Title', or a '## Title' "
            "heading after the bold header lines)",
            line,
        )
    if not header.title:
        raise ImportFailure(
            f"the title heading holds the ID {header.title_id} but no title", header.title_line
        )
    return header.title


def _type(header: _Header, ref_id: str, prefixes: Mapping[str, str], notes: list[str]) -> str:
    value = _value(header, "type")
    if value:
        return value
    meaning = prefixes[prefix_of(ref_id)]
    notes.append(f"type '{meaning}' taken from the meaning of the prefix {prefix_of(ref_id)}")
    return meaning


def _words(value: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", value.lower())


def _lookup(value: str, table: Mapping[str, str]) -> str | None:
    """The table entry for the whole value's words, else for its first known word."""
    words = _words(value)
    phrase = " ".join(words)
    if phrase in table:
        return table[phrase]
    for size in (2, 1):
        for start in range(len(words) - size + 1):
            found = table.get(" ".join(words[start : start + size]))
            if found:
                return found
    return None


def _priority(header: _Header, notes: list[str]) -> str | None:
    value = _value(header, "priority")
    if not value:
        return None
    found = _lookup(value, PRIORITY_WORDS)
    if found is None:
        notes.append(f"priority '{value}' not recognised: left out")
    elif value.upper() != found:
        notes.append(f"priority '{value}' read as {found}")
    return found


def _status(header: _Header, tail: _Tail, notes: list[str]) -> str:
    item = _find(header, "status")
    origin = ""
    if item is None and "status" in tail.footer and _clean(tail.footer["status"].value):
        item, origin = tail.footer["status"], " (from the footer)"
    if item is None:
        return "Active"
    value = _clean(item.value)
    found = _lookup(value, STATUS_WORDS)
    if found is None:
        notes.append(f"status '{value}'{origin} not recognised: set to Active")
        return "Active"
    if value != found or origin:
        notes.append(f"status '{value}'{origin} mapped to {found}")
    return found


# ------------------------------------------------------------------------------ dates


def parse_date(text: str) -> dt.date | None:
    """The first date in `text`, or None.

    Read: `2025-11-01` (also with `/` or `.`), `November 1, 2025`, `1 Nov 2025`,
    and `01/11/2025` style dates only when the day is over 12 (otherwise ambiguous).
    """
    for pattern, order in (
        (r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)", "ymd"),
        (r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", "mdy"),
        (r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?!\d)", "dmy"),
        (r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)", "ambiguous"),
    ):
        match = re.search(pattern, text)
        if match is None:
            continue
        first, second, third = match.groups()
        try:
            if order == "ymd":
                return dt.date(int(first), int(second), int(third))
            if order == "mdy" and first.lower() in _MONTHS:
                return dt.date(int(third), _MONTHS[first.lower()], int(second))
            if order == "dmy" and second.lower() in _MONTHS:
                return dt.date(int(third), _MONTHS[second.lower()], int(first))
            if order == "ambiguous" and int(first) > 12:
                return dt.date(int(third), int(second), int(first))
            if order == "ambiguous" and int(second) > 12:
                return dt.date(int(third), int(first), int(second))
        except ValueError:
            continue
    return None


def _field_date(item: _Field | None, notes: list[str]) -> dt.date | None:
    if item is None:
        return None
    value = _clean(item.value)
    found = parse_date(value)
    if found is None:
        notes.append(f"could not read {item.label} '{value}' as a date: left out")
    elif found.isoformat() != value:
        notes.append(f"read {item.label} '{value}' as {found.isoformat()}")
    return found


def _dates(header: _Header, tail: _Tail, notes: list[str]) -> tuple[dt.date | None, dt.date | None]:
    created = _field_date(_find(header, "created"), notes)
    updated = _field_date(_find(header, "updated"), notes)
    date = _field_date(_find(header, "date"), notes)
    if created is None and tail.history:
        created = min(tail.history)
        notes.append(f"created {created.isoformat()}: the earliest date of the Version History")
    if created is None and date is not None:
        created = date
        notes.append(f"created {created.isoformat()}: the Date line (no Created line)")
    if updated is None and date is not None:
        updated = date
    if updated is None and tail.history:
        updated = max(tail.history)
        notes.append(f"updated {updated.isoformat()}: the latest date of the Version History")
    return created, updated


# ------------------------------------------------------------------------------- body


def _fence_mask(lines: Sequence[str]) -> list[bool]:
    """True for each line inside (or opening or closing) a fenced code block."""
    mask: list[bool] = []
    fence: str | None = None
    for line in lines:
        if fence is None:
            match = _FENCE.match(line)
            if match:
                fence = match.group("fence")
            mask.append(match is not None)
            continue
        mask.append(True)
        stripped = line.strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            fence = None
    return mask


def _footer(
    lines: Sequence[str], mask: Sequence[bool], offset: int
) -> tuple[int, dict[str, _Field]]:
    """Where the closing footer starts (len(lines) when there is none) and its fields.

    The footer is a block of bold field lines (`File`, `Lines`, `Status`, `Next`)
    and/or an END OF DOCUMENT / END OF FILE line, at the very end of the file.
    """
    fields: dict[str, _Field] = {}
    start = len(lines)
    has_marker = False
    index = len(lines) - 1
    while index >= 0 and not mask[index]:
        text = lines[index].strip()
        bold = _BOLD_FIELD.match(text)
        if not text:
            pass
        elif _END_MARKER.match(text) and not fields:
            has_marker, start = True, index
        elif _RULE.match(text):
            if fields:
                break
        elif bold:
            fields[_norm(bold.group("key"))] = _Field(
                bold.group("key").strip(), bold.group("value"), offset + index + 1
            )
            start = index
        else:
            break
        index -= 1
    if not has_marker and not fields.keys() & _FOOTER_KEYS:
        return len(lines), {}
    return start, fields


def _sections(lines: Sequence[str], mask: Sequence[bool]) -> list[tuple[int, int, str]]:
    """(heading index, end index, normalised name) of each level-1 or -2 section."""
    heads: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        heading = None if mask[index] else _heading(line)
        if heading is not None and heading[0] <= 2:
            heads.append((index, _norm(heading[1])))
    ends = [index for index, _ in heads[1:]] + [len(lines)] * bool(heads)
    return [(index, end, name) for (index, name), end in zip(heads, ends, strict=True)]


def _first_paragraph(lines: Sequence[str]) -> str | None:
    paragraph: list[str] = []
    for line in lines:
        text = line.strip()
        if not text or _RULE.match(text) or _heading(line) or _FENCE.match(line):
            if paragraph:
                break
            if _FENCE.match(line) or _heading(line):
                return None
            continue
        paragraph.append(text)
    return " ".join(paragraph) or None


def _read_body(lines: Sequence[str], start: int, notes: list[str]) -> _Tail:
    """Take Keywords, Related Topics, Version History and the footer out of the body."""
    tail = _Tail()
    body = list(lines[start:])
    mask = _fence_mask(body)
    footer_at, tail.footer = _footer(body, mask, start)
    keep = [index < footer_at for index in range(len(body))]
    dropped_related: list[int] = []
    for head, end, name in _sections(body[:footer_at], mask):
        role = _SECTION_ROLES.get(name)
        content = range(head + 1, end)
        if name == "summary" and tail.summary is None:
            tail.summary = _first_paragraph([body[i] for i in content])
        if role is None:
            continue
        for index in range(head, end):
            keep[index] = False
        for index in content:
            text = body[index].strip()
            if not text or _RULE.match(text):
                continue
            if role == "keywords":
                tail.keywords += _split_keywords(text)
            elif role == "related":
                bullet = _BULLET.match(text)
                lead = re.sub(r"^[\s*_`\[]+", "", bullet.group("rest") if bullet else text)
                token = _ID_TOKEN.match(lead)
                if token:
                    tail.related.append((token.group(0), start + index + 1))
                else:
                    dropped_related.append(start + index + 1)
            elif role == "history":
                found = parse_date(text)
                if found is not None:
                    tail.history.append(found)
    if dropped_related:
        notes.append(
            f"dropped Related Topics text that names no ID ({_line_list(dropped_related)})"
        )
    kept = [line for line, wanted in zip(body, keep, strict=True) if wanted]
    tidy = _tidy(kept)
    tail.body = "\n".join(tidy) + "\n" if tidy else ""
    return tail


def _split_keywords(text: str) -> list[str]:
    bullet = _BULLET.match(text)
    text = bullet.group("rest") if bullet else text
    return [word for part in re.split(r"[,;]", text) if (word := _clean(part))]


def _tidy(lines: Sequence[str]) -> list[str]:
    """Drop blank lines and rules at both ends; merge runs of rules left by removals.

    A run of blank lines and horizontal rules between two pieces of content is kept
    as it is when it holds at most one rule; more rules (what separated a removed
    section) become one. Code blocks and setext underlines are never touched.
    """
    mask = _fence_mask(lines)
    out: list[str] = []
    run: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        after_gap = index == 0 or not lines[index - 1].strip() or bool(run)
        separator = not mask[index] and (not text or (bool(_RULE.match(text)) and after_gap))
        if separator:
            run.append(line)
            continue
        if out:
            rules = sum(1 for item in run if item.strip())
            out += ["", "---", ""] if rules > 1 else run
        run = []
        out.append(line)
    return out


def _keywords(header: _Header, tail: _Tail, notes: list[str]) -> list[str]:
    words = list(tail.keywords)
    inline = _value(header, "keywords")
    if inline:
        words += _split_keywords(inline)
    unique = list(dict.fromkeys(words))
    if len(unique) < len(words):
        notes.append(f"dropped {len(words) - len(unique)} repeated keyword(s)")
    return unique


def _related(
    header: _Header, tail: _Tail, ref_id: str, prefixes: Mapping[str, str], notes: list[str]
) -> list[str]:
    items = list(tail.related)
    inline = _find(header, "related")
    if inline is not None:
        items += [(m.group(0), inline.line) for m in _ID_TOKEN.finditer(inline.value)]
    related: list[str] = []
    for item, line in items:
        _check_prefix(item, "Related Topics", line, prefixes)
        if item == ref_id:
            notes.append(f"dropped {item} from related: an entry does not relate to itself")
        elif item in related:
            notes.append(f"dropped {item} repeated in related")
        else:
            related.append(item)
    return related


def _next(
    header: _Header, tail: _Tail, prefixes: Mapping[str, str], notes: list[str]
) -> str | None:
    item = tail.footer.get("next") or _find(header, "next")
    if item is None or not _clean(item.value):
        return None
    token = _ID_TOKEN.search(item.value)
    if token is None:
        notes.append(f"Next '{_clean(item.value)}' names no ID: left out")
        return None
    _check_prefix(token.group(0), "Next", item.line, prefixes)
    return token.group(0)


def _summary(header: _Header, tail: _Tail, notes: list[str]) -> str | None:
    line = _find(header, "summary") or _find(header, "purpose")
    if tail.summary:
        if line is not None and _clean(line.value) != tail.summary:
            notes.append(
                f"dropped the {line.label} line: summary is the first paragraph of ## Summary"
            )
        return tail.summary
    return _clean(line.value) if line is not None else None
