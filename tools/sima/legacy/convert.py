"""Convert one legacy bold-header entry into a front-matter entry.

The old knowledge base keeps its metadata in bold lines (`**REF-ID:** LESS-22`) under a
heading, and ends each file with Keywords, Related Topics, Version History and a footer.
[`convert`][sima.legacy.convert.convert] turns one such file into an entry that
[`parse_entry`][sima.content.catalog.parse_entry] accepts, and its Python code blocks
into unproven snippets; [`sima.legacy.corpus`][sima.legacy.corpus] imports a whole
knowledge base with it.
Nothing here touches the disk.

Header styles read:

- Style A: `# File: NAME.md`, bold lines (`REF-ID`, `Category`, `Topic`, `Version`,
  `Date`, `Status`), then the title as a `##` heading.
- Style B: `# ID: Title`, then bold lines (`REF-ID`, `Category`, `Type`, `Created`,
  `Last Updated`, `Status`, `Priority`); an optional `# Filename: NAME.md` line first.
- Style C: `# NAME.md`, bold lines (`Version`, `Date`, `Purpose`, `Category`), no
  REF-ID line (the ID is the file name), then the title as a heading.
- Style D: `# File: NAME.md` and bold lines with no title heading at all: the title
  is a `Title`, `Decision`, `Lesson`, `Pattern` or `Name` line, else the `Topic`
  line, else the first heading of the body when it is not a generic section name
  (`Context`, `Problem`...), else the first sentence of the body.

Headings, field names and values may carry emoji (`## 🎯 Summary`, `🟡 HIGH`): they are
read through, and dropped from the ends of titles. Files that carry no ID of their
own and whose name or heading says hub, index or navigation
(`Decisions-Master-Index.md`, `SIMA-Navigation-Hub.md`) are not entries:
[`NotAnEntry`][sima.legacy.convert.NotAnEntry].

Mapping (every guess or repair is a [`Note`][sima.legacy.convert.Note] with its line):

- REF-ID: the `REF-ID` line, else the ID before the title (`# ID: Title`), else the
  file name in a `# File: NAME.md` line, else the source file's name. An ID may have
  letters and several parts (`SPEC-NAMING`, `AWS-LAMBDA-01`).
- ID prefixes the settings do not list are accepted and listed in
  [`Converted.new_prefixes`][sima.legacy.convert.Converted]; the entry is valid once they are
  configured.
- type: the `Type` line, else the meaning of the ID's prefix (for a new prefix, the
  meaning the caller guessed, else `<PREFIX> entry`).
- priority: emoji and other marks removed, case normalised; see `PRIORITY_WORDS`.
- status: mapped onto the schema's four values; see `STATUS_WORDS`. Without a
  Status line the footer's is used; a missing or unknown status becomes Active (the
  schema's default), noted when unknown. The key is always written.
- created: `Created`, else the earliest date of `## Version History`, else `Date`.
- updated: `Last Updated`, else `Date`, else the latest Version History date.
- summary: the first paragraph of `## Summary`, else the `Summary` or `Purpose` line.
- keywords: `## Keywords` (comma separated); related: the IDs of `## Related Topics`
  (or `## Related Decisions`, `## See Also`...), with the label written after each;
  next: the footer's `Next`. These sections, Version History and the footer are removed.
- `Topic`, `Version` and other fields with no place in the schema are dropped.
- Python code blocks at the left margin that compile become snippets
  ([`ImportedSnippet`][sima.legacy.convert.ImportedSnippet], claimed `unproven`) and an
  `@snippet(name)` line takes each one's place; other code stays as it is.
- Relative links to `.md` files: to an entry's file (`../lessons/LESS-18.md`) they
  point to its page; to any other file (a hub) they become their text.

Mis-encoded text (UTF-8 read as Windows-1252, e.g. `âœ…` for ✅) is repaired with
`ftfy.fix_encoding`, line by line, not `ftfy.fix_text`: the latter also straightens
curly quotes, unescapes HTML entities, replaces ligatures and full-width letters and
normalises Unicode, which would change correct text. Lines that are not valid UTF-8
at all are decoded as Windows-1252.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
import yaml
from ftfy.badness import is_bad

from sima.content.catalog import parse_entry
from sima.content.ids import ANY_ID, prefix_of
from sima.proofs.coverage import PYTHON_INFO

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
    "accepted": "Active",
    "adopted": "Active",
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

#: Words of a file name or heading that mark a hub or index page, not an entry.
HUB_WORDS = frozenset(
    {
        "index",
        "indexes",
        "hub",
        "navigation",
        "nav",
        "master",
        "catalog",
        "catalogue",
        "toc",
        "contents",
        "readme",
        "directory",
        "sitemap",
    }
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
    "title": "title",
    "name": "title",
    "decision": "title",
    "lesson": "title",
    "pattern": "title",
    "topic": "topic",
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
    "see also": "related",
    "cross references": "related",
    "version history": "history",
    "changelog": "history",
    "change log": "history",
}

# Headings that start a body section; never taken for a title.
_SECTION_NAMES = frozenset(
    {
        "summary",
        "context",
        "overview",
        "purpose",
        "description",
        "the lesson",
        "lesson",
        "problem",
        "the problem",
        "solution",
        "the solution",
        "decision",
        "the decision",
        "rationale",
        "background",
        "alternatives",
        "alternatives considered",
        "options",
        "options considered",
        "consequences",
        "implementation",
        "examples",
        "example",
        "notes",
        "details",
        "key points",
        "usage",
        "when to use",
        "how it works",
        "quick reference",
        "trade offs",
        "tradeoffs",
        "impact",
        "pattern",
        "the pattern",
        "principle",
        "rule",
        "rules",
        "specification",
        "definition",
    }
    | set(_SECTION_ROLES)
)

_ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"
_ID_TOKEN = re.compile(rf"(?<![\w-]){_ID}(?![\w-])")
_FILE_HEADING = re.compile(
    r"^#{1,2}\s+(?:file\s*(?:name)?\s*:\s*)?`?(?P<name>[^\s`]+\.md)`?\s*$", re.IGNORECASE
)
_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
_TITLE_WITH_ID = re.compile(rf"^(?P<id>{_ID})\s*(?::|\||[-\u2013\u2014](?=\s))\s*(?P<title>.*)$")
_BOLD_FIELD = re.compile(r"^\*\*(?P<key>[^*]+?)\s*(?::\*\*|\*\*\s*:)\s*(?P<value>.*?)\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<rest>.*)$")
_END_MARKER = re.compile(r"^\W*END\s+OF\s+(?:DOCUMENT|FILE)\b", re.IGNORECASE)
_FOOTER_KEYS = frozenset({"file", "lines", "next", "total lines", "location", "path"})
# A Markdown link (not an image) and its target; the target has no spaces.
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")
#: Most characters of a title taken from a sentence.
TITLE_LIMIT = 90
_RESERVED_NAMES = frozenset({"scenarios", "lab", "claims"})

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


class NotAnEntry(ImportFailure):
    """A file that is not an entry (a hub, index or navigation page): skip it."""


@dataclass(frozen=True)
class Note:
    """A repair or guess the conversion made.

    Attributes:
        line: The source line it concerns (1-based), or 0 for the whole file.
        message: What was repaired or guessed, in words.
    """

    line: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ImportedSnippet:
    """A Python code block of a legacy entry, as an unproven snippet.

    Attributes:
        name: The snippet's name (file stem): from the words just above the block,
            e.g. `pattern_1_singleton_manager`, else `code_<n>`.
        source: The block's code (what the snippet file holds).
        says: What the text said of it (the label above it), for `claims.toml`.
        line: The source line of the block's opening fence.
    """

    name: str
    source: str
    says: str
    line: int


@dataclass(frozen=True)
class Named:
    """An ID the entry names in its front matter or links.

    Attributes:
        ref_id: The ID.
        line: The source line naming it.
        label: The words written after it in a related list ('' if none).
    """

    ref_id: str
    line: int
    label: str = ""


@dataclass(frozen=True)
class Converted:
    """One converted entry.

    Attributes:
        ref_id: The entry's REF-ID (the output file is `<ref_id>.md`).
        text: The whole entry file: YAML front matter between `---` lines, then the body.
        notes: Repairs and guesses made, each with its source line, e.g.
            "repaired mis-encoded text (9 places on lines 60, 66, ...)".
        ref_line: The source line the REF-ID was read from (0: from the file name).
        snippets: The code blocks that became snippets, in order.
        named: IDs named by `related`, `next` and links, with their lines.
        new_prefixes: ID prefixes (of the REF-ID, `related`, `next`, links) that were not
            in the prefixes given, sorted.
        declared_type: The `Type` line's value, or None.
        title_line: The source line the title came from (0 if unknown).
    """

    ref_id: str
    text: str
    notes: tuple[Note, ...] = ()
    ref_line: int = 0
    snippets: tuple[ImportedSnippet, ...] = ()
    named: tuple[Named, ...] = ()
    new_prefixes: tuple[str, ...] = ()
    declared_type: str | None = None
    title_line: int = 0

    @property
    def messages(self) -> tuple[str, ...]:
        """The notes' messages, without lines."""
        return tuple(note.message for note in self.notes)


@dataclass(frozen=True)
class _Field:
    label: str
    value: str
    line: int


@dataclass
class _Header:
    fields: dict[str, _Field] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    dropped_line: int = 0
    file_name: _Field | None = None
    title: str | None = None
    title_written: str = ""
    title_id: str | None = None
    title_line: int = 0
    first_heading: str = ""
    end: int = 0


@dataclass
class _Tail:
    keywords: list[str] = field(default_factory=list)
    keywords_line: int = 0
    related: list[Named] = field(default_factory=list)
    history: list[dt.date] = field(default_factory=list)
    history_line: int = 0
    footer: dict[str, _Field] = field(default_factory=dict)
    summary: str | None = None
    body: str = ""
    lines: int = 0  # lines in the whole file
    snippets: list[ImportedSnippet] = field(default_factory=list)
    links: list[Named] = field(default_factory=list)
    first_heading: tuple[int, int, str] | None = None  # (source line, level, text)
    first_paragraph: tuple[int, str] | None = None  # (source line, text)


# ----------------------------------------------------------------------------- public


def default_meaning(prefix: str) -> str:
    """The type given to entries of a prefix nobody said the meaning of."""
    return f"{prefix} entry"


def convert(
    raw: bytes,
    source_name: str,
    prefixes: Mapping[str, str],
    guessed: Mapping[str, str] | None = None,
) -> Converted:
    """Convert one legacy entry file into a front-matter entry.

    Args:
        raw: The legacy file's bytes.
        source_name: The file's name (or path), used for an ID taken from the file
            name and in messages.
        prefixes: The configured ID prefixes and their meanings.
        guessed: Meanings guessed for prefixes the configuration does not list
            (see [`sima.legacy.corpus`][sima.legacy.corpus]); a prefix in neither gets
            [`default_meaning`][sima.legacy.convert.default_meaning].

    Returns:
        The entry text, valid for [`parse_entry`][sima.content.catalog.parse_entry] once its
        new prefixes are configured, its REF-ID, its snippets, and notes on every
        repair and guess.

    Raises:
        NotAnEntry: The file is a hub or index page.
        ImportFailure: When the file cannot become a valid entry; the message says
            why and `line` where.
    """
    guessed = guessed or {}
    lines, notes = decode_lines(raw)
    lines, repair_notes = repair_mojibake(lines)
    notes += repair_notes
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    _refuse_front_matter(lines)
    header = _read_header(lines)
    _refuse_hub(header, source_name)
    ref_id, ref_line = _choose_ref_id(header, source_name, notes)
    tail = _read_body(lines, header.end, notes)
    title, title_line = _title(header, tail, notes)

    data: dict[str, object] = {"REF-ID": ref_id, "title": title}
    data["type"] = _type(header, ref_id, ref_line, prefixes, guessed, notes)
    category = _value(header, "category")
    if category:
        data["category"] = _strip_decor(category) or category
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
    related = _related(header, tail, ref_id, notes)
    if related:
        data["related"] = [item.ref_id for item in related]
    next_item = _next(header, tail, notes)
    if next_item:
        data["next"] = next_item.ref_id
    summary = _summary(header, tail, notes)
    if summary:
        data["summary"] = summary
    dropped = header.dropped + [
        f"{item.label} ({_clean(item.value)})" if _clean(item.value) else item.label
        for key, item in header.fields.items()
        if _FIELD_ROLES[key] == "drop" or (_FIELD_ROLES[key] == "topic" and title_line != item.line)
    ]
    if dropped:
        first = min(
            [header.dropped_line] * bool(header.dropped)
            + [
                item.line
                for key, item in header.fields.items()
                if _FIELD_ROLES[key] in ("drop", "topic") and item.line != title_line
            ]
        )
        notes.append(
            Note(
                first,
                f"dropped header fields the front matter has no place for: {', '.join(dropped)}",
            )
        )

    named = [*related, *([next_item] if next_item else []), *tail.links]
    ids = [ref_id, *(item.ref_id for item in named)]
    new = sorted({prefix_of(i) for i in ids} - set(prefixes))
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
    result = parse_entry(source_name, text.encode("utf-8"), {*prefixes, *new})
    if isinstance(result, list):
        reasons = "; ".join(problem.message for problem in result)
        raise ImportFailure(f"the converted entry would not be valid: {reasons}")
    return Converted(
        ref_id=ref_id,
        text=text,
        notes=tuple(sorted(notes, key=lambda note: note.line)),
        ref_line=ref_line,
        snippets=tuple(tail.snippets),
        named=tuple(named),
        new_prefixes=tuple(new),
        declared_type=_value(header, "type"),
        title_line=title_line,
    )


# --------------------------------------------------------------------------- decoding


def _line_list(numbers: Sequence[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def decode_lines(raw: bytes) -> tuple[list[str], list[Note]]:
    """Decode a legacy file into lines (without line ends) and notes.

    UTF-8 is expected. A UTF-8 byte-order mark is dropped, UTF-16 with a byte-order
    mark is accepted, and each line that is not valid UTF-8 is decoded as
    Windows-1252 (a whole cp1252 file, or a UTF-8 file edited in a cp1252 editor).
    Windows line ends become `\\n`.

    Raises:
        ImportFailure: For an empty file, or one holding NUL bytes (not text).
    """
    notes: list[Note] = []
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            chunks = raw.decode("utf-16").split("\n")
        except UnicodeDecodeError as exc:
            raise ImportFailure("not a text file: it starts like UTF-16 but is not") from exc
        notes.append(Note(0, "decoded UTF-16 text"))
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
            notes.append(
                Note(
                    legacy[0],
                    f"not valid UTF-8: decoded {_line_list(legacy)} as Windows-1252 (cp1252)",
                )
            )
            undefined = [n for n in legacy if "\ufffd" in chunks[n - 1]]
            if undefined:
                count = sum(chunks[n - 1].count("\ufffd") for n in undefined)
                notes.append(
                    Note(
                        undefined[0],
                        f"{count} byte(s) undefined in Windows-1252 became U+FFFD; check them",
                    )
                )
    if any(chunk.endswith("\r") for chunk in chunks):
        notes.append(Note(0, "converted Windows line ends (CRLF) to LF"))
    lines = [chunk.removesuffix("\r") for chunk in chunks]
    if not "".join(lines).strip("\ufeff \t\r\n"):
        raise ImportFailure("empty file: there is nothing to import")
    return lines, notes


def repair_mojibake(lines: Sequence[str]) -> tuple[list[str], list[Note]]:
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
    rebuilt_at = 0
    doubtful: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line.isascii() or ftfy.fix_encoding(line) == line:
            fixed.append(line)
            continue
        restored, count = _LOST_BYTE.subn(_restore_lost_byte, line)
        result = ftfy.fix_encoding(restored)
        rebuilt += count
        rebuilt_at = rebuilt_at or (number if count else 0)
        matcher = difflib.SequenceMatcher(None, line, result, autojunk=False)
        places += sum(1 for op in matcher.get_opcodes() if op[0] != "equal")
        changed.append(number)
        if is_bad(result):
            doubtful.append(number)
        fixed.append(result)
    notes: list[Note] = []
    if changed:
        message = f"repaired mis-encoded text ({places} places on {_line_list(changed)})"
        notes.append(Note(changed[0], message))
    if rebuilt:
        message = f"rebuilt {rebuilt} character(s) whose byte 0x9D was lost (such as ❌)"
        notes.append(Note(rebuilt_at, message))
    if doubtful:
        notes.append(
            Note(doubtful[0], f"{_line_list(doubtful)} may still be mis-encoded; check them")
        )
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


def _is_decor(char: str) -> bool:
    """Emoji, other symbols, their modifiers and joiners, and white space."""
    return char.isspace() or unicodedata.category(char) in ("So", "Sk", "Cf", "Mn", "Cn")


def _strip_decor(text: str, *, end_too: bool = True) -> str:
    """`text` without emoji and other symbols at either end (`🎯 Title ✅` -> `Title`),
    or, with `end_too` false, at its start only."""
    start, end = 0, len(text)
    while start < end and _is_decor(text[start]):
        start += 1
    while end_too and end > start and _is_decor(text[end - 1]):
        end -= 1
    return text[start:end]


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


_FILE_NAME = re.compile(r"^(?:file\s*(?:name)?\s*:\s*)?`?(?P<name>[^\s`]+\.md)`?$", re.IGNORECASE)


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
        heading = _heading(lines[index])
        if heading is not None:
            level, written = heading
            heading_text = _strip_decor(_clean(written))
            file_match = _FILE_NAME.match(heading_text) if level <= 2 else None
            if file_match and header.title is None and header.file_name is None:
                header.file_name = _Field("file name", file_match.group("name"), number)
                index += 1
                continue
            header.first_heading = header.first_heading or heading_text
            if header.title is not None or level > 2 or _norm(heading_text) in _SECTION_NAMES:
                break
            _read_title(header, _clean(written), number)
            index += 1
            continue
        bold = _BOLD_FIELD.match(text)
        if bold is None:
            break
        key, label = _norm(bold.group("key")), bold.group("key").strip()
        if key in _FIELD_ROLES:
            if key in header.fields:
                header.dropped.append(f"{label} (repeated on line {number})")
                header.dropped_line = header.dropped_line or number
            else:
                header.fields[key] = _Field(label, bold.group("value"), number)
        elif header.title is None:
            header.dropped.append(f"{label} ({_clean(bold.group('value'))})")
            header.dropped_line = header.dropped_line or number
        else:
            break
        index += 1
    header.end = index
    return header


def _read_title(header: _Header, written: str, number: int) -> None:
    header.title_line = number
    text = _strip_decor(written, end_too=False)
    with_id = _TITLE_WITH_ID.match(text)
    if with_id:
        header.title_id = with_id.group("id")
        header.title_written = with_id.group("title").strip()
        text = _strip_decor(header.title_written)
    elif ANY_ID.match(text):
        header.title_id = text
        text = ""
    else:
        header.title_written = written.strip()
    header.title = text


def _find(header: _Header, role: str) -> _Field | None:
    for key, item in header.fields.items():
        if _FIELD_ROLES[key] == role and _clean(item.value):
            return item
    return None


def _value(header: _Header, role: str) -> str | None:
    item = _find(header, role)
    return _clean(item.value) if item else None


def _name_words(name: str) -> set[str]:
    """The words of a file name or heading: `SIMA-Navigation-Hub` -> sima, navigation, hub."""
    return {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)}


def _refuse_hub(header: _Header, source_name: str) -> None:
    """Raise NotAnEntry for a hub or index page: no ID of its own, and a name or first
    heading that says index, hub, navigation...

    A file named by an ID (`ARCH-05.md`) is a hub only when that name says so
    (`DEC-INDEX.md`): its heading may well be a title such as "Database Index Design".
    """
    if _find(header, "ref") is not None or header.title_id:
        return
    names = [Path(source_name).stem]
    if header.file_name is not None:
        names.append(Path(header.file_name.value).stem)
    named_by_id = [name for name in names if ANY_ID.match(name)]
    if named_by_id:
        names = named_by_id
    elif header.first_heading:
        names.append(header.first_heading)
    for name in names:
        found = sorted(_name_words(name) & HUB_WORDS)
        if found:
            raise NotAnEntry(
                f"not an entry: a hub or index page ('{name}' says {', '.join(found)}, "
                "and the file has no REF-ID of its own)"
            )


def _choose_ref_id(header: _Header, source_name: str, notes: list[Note]) -> tuple[str, int]:
    """The REF-ID and the line it came from; disagreeing sources are noted."""
    candidates: list[tuple[str, str, int]] = []
    item = _find(header, "ref")
    if item is not None:
        value = _clean(item.value)
        bare = _strip_decor(value)
        token = _ID_TOKEN.match(bare) or _ID_TOKEN.match(bare.upper())
        if token is None:
            raise ImportFailure(
                f"the REF-ID line holds '{value}', which is not an ID (expected e.g. LESS-22)",
                item.line,
            )
        if token.group(0) != value:
            notes.append(Note(item.line, f"REF-ID '{value}' read as {token.group(0)}"))
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
        message = f"REF-ID {ref_id} taken from {origin}, although {'; '.join(others)}"
        notes.append(Note(line, message))
    elif origin not in ("the REF-ID line", "the title heading"):
        notes.append(Note(line, f"REF-ID {ref_id} taken from {origin}"))
    return ref_id, line


def _plain(text: str) -> str:
    """Markdown text as plain words: links become their text, emphasis marks go."""
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)", "", text)
    return " ".join(text.split())


def _sentence_title(text: str) -> str:
    """The first sentence of `text`; when longer than `TITLE_LIMIT` characters, its
    first clause (up to a comma, semicolon or dash) if that has three words or more,
    else the sentence cut at a word."""
    sentence = _SENTENCE_END.split(_plain(text), maxsplit=1)[0].rstrip(" .:;")
    if len(sentence) <= TITLE_LIMIT:
        return sentence
    clause = re.split(r"[,;:]\s|\s[-\u2013\u2014]\s", sentence, maxsplit=1)[0]
    if len(clause.split()) >= 3 and len(clause) <= TITLE_LIMIT:
        return clause
    return sentence[:TITLE_LIMIT].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def _title(header: _Header, tail: _Tail, notes: list[Note]) -> tuple[str, int]:
    """The title and the line it came from, with a note for each guess."""
    if header.title:
        if header.title != header.title_written:
            message = f"dropped emoji from the ends of the title '{header.title_written}'"
            notes.append(Note(header.title_line, message))
        return header.title, header.title_line
    field_item = _find(header, "title") or _find(header, "topic")
    if field_item is not None:
        title = _strip_decor(_plain(_clean(field_item.value)))
        if title:
            notes.append(Note(field_item.line, f"title taken from the {field_item.label} line"))
            return title, field_item.line
    if tail.first_heading is not None:
        line, _, text = tail.first_heading
        if _norm(text) not in _SECTION_NAMES and _norm(text):
            notes.append(Note(line, f"title taken from the first heading of the body, '{text}'"))
            return text, line
    if tail.first_paragraph is not None:
        line, text = tail.first_paragraph
        title = _sentence_title(text)
        if title:
            notes.append(
                Note(line, "title taken from the first sentence of the body: no title heading")
            )
            return title, line
    if header.title == "":
        raise ImportFailure(
            f"the title heading holds the ID {header.title_id} but no title", header.title_line
        )
    raise ImportFailure(
        "not a SIMA entry: no title heading (expected '# ID: Title', or a '## Title' "
        "heading after the bold header lines) and no text to take one from",
        header.end + 1 if header.end < tail.lines else 0,
    )


def _type(  # noqa: PLR0917
    header: _Header,
    ref_id: str,
    ref_line: int,
    prefixes: Mapping[str, str],
    guessed: Mapping[str, str],
    notes: list[Note],
) -> str:
    value = _value(header, "type")
    if value:
        return _strip_decor(value) or value
    prefix = prefix_of(ref_id)
    if prefix in prefixes:
        meaning = prefixes[prefix]
        notes.append(
            Note(ref_line, f"type '{meaning}' taken from the meaning of the prefix {prefix}")
        )
    elif prefix in guessed:
        meaning = guessed[prefix]
        message = f"type '{meaning}' taken from the meaning guessed for the new prefix {prefix}"
        notes.append(Note(ref_line, message))
    else:
        meaning = default_meaning(prefix)
        message = (
            f"type '{meaning}' given for the new prefix {prefix}: no Type line says what "
            f"{prefix} entries are"
        )
        notes.append(Note(ref_line, message))
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


def _priority(header: _Header, notes: list[Note]) -> str | None:
    item = _find(header, "priority")
    if item is None:
        return None
    value = _clean(item.value)
    found = _lookup(value, PRIORITY_WORDS)
    if found is None:
        notes.append(Note(item.line, f"priority '{value}' not recognised: left out"))
    elif value.upper() != found:
        notes.append(Note(item.line, f"priority '{value}' read as {found}"))
    return found


def _status(header: _Header, tail: _Tail, notes: list[Note]) -> str:
    item = _find(header, "status")
    origin = ""
    if item is None and "status" in tail.footer and _clean(tail.footer["status"].value):
        item, origin = tail.footer["status"], " (from the footer)"
    if item is None:
        return "Active"
    value = _clean(item.value)
    found = _lookup(value, STATUS_WORDS)
    if found is None:
        notes.append(Note(item.line, f"status '{value}'{origin} not recognised: set to Active"))
        return "Active"
    if value != found or origin:
        notes.append(Note(item.line, f"status '{value}'{origin} mapped to {found}"))
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


def _field_date(item: _Field | None, notes: list[Note]) -> dt.date | None:
    if item is None:
        return None
    value = _clean(item.value)
    found = parse_date(value)
    if found is None:
        notes.append(Note(item.line, f"could not read {item.label} '{value}' as a date: left out"))
    elif found.isoformat() != value:
        notes.append(Note(item.line, f"read {item.label} '{value}' as {found.isoformat()}"))
    return found


def _dates(
    header: _Header, tail: _Tail, notes: list[Note]
) -> tuple[dt.date | None, dt.date | None]:
    created = _field_date(_find(header, "created"), notes)
    updated = _field_date(_find(header, "updated"), notes)
    date_item = _find(header, "date")
    date = _field_date(date_item, notes)
    if created is None and tail.history:
        created = min(tail.history)
        message = f"created {created.isoformat()}: the earliest date of the Version History"
        notes.append(Note(tail.history_line, message))
    if created is None and date is not None and date_item is not None:
        created = date
        message = f"created {created.isoformat()}: the Date line (no Created line)"
        notes.append(Note(date_item.line, message))
    if updated is None and date is not None:
        updated = date
    if updated is None and tail.history:
        updated = max(tail.history)
        message = f"updated {updated.isoformat()}: the latest date of the Version History"
        notes.append(Note(tail.history_line, message))
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


def _section_role(name: str) -> str | None:
    """What a section holds: keywords, related (`Related ...`, `See Also`), history."""
    role = _SECTION_ROLES.get(name)
    if role is None and name.startswith("related "):
        return "related"
    return role


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


_LABEL_LINE = re.compile(r"^\*\*[^*]+\*\*:?$|^\*\*[^*]+:\*\*$")


def _lead(
    kept: Sequence[tuple[str, int]],
) -> tuple[tuple[int, int, str] | None, tuple[int, str] | None]:
    """The body's first heading (line, level, text) and first paragraph of prose
    (line, text), outside code; label lines such as `**Cold start:**` are not prose."""
    lines = [line for line, _ in kept]
    mask = _fence_mask(lines)
    first_heading: tuple[int, int, str] | None = None
    paragraph: list[str] = []
    start = 0
    for index, (line, number) in enumerate(kept):
        text = line.strip()
        heading = None if mask[index] else _heading(line)
        if heading is not None and first_heading is None:
            first_heading = (number, heading[0], _strip_decor(_clean(heading[1])))
        prose = (
            text
            and not mask[index]
            and heading is None
            and not _RULE.match(text)
            and not _LABEL_LINE.match(text)
            and not _BOLD_FIELD.match(text)
        )
        if prose:
            start = start or number
            paragraph.append(_BULLET.sub(r"\g<rest>", text))
        elif paragraph:
            break
    return first_heading, ((start, " ".join(paragraph)) if paragraph else None)


def _read_body(lines: Sequence[str], start: int, notes: list[Note]) -> _Tail:
    """Take Keywords, Related Topics, Version History and the footer out of the body;
    point links at entry pages; turn Python code blocks into snippets."""
    tail = _Tail(lines=len(lines))
    body = list(lines[start:])
    mask = _fence_mask(body)
    footer_at, tail.footer = _footer(body, mask, start)
    keep = [index < footer_at for index in range(len(body))]
    dropped_related: list[int] = []
    for head, end, name in _sections(body[:footer_at], mask):
        role = _section_role(name)
        content = range(head + 1, end)
        if name == "summary" and tail.summary is None:
            tail.summary = _first_paragraph([body[i] for i in content])
        if role is None:
            continue
        for index in range(head, end):
            keep[index] = False
        if role == "keywords":
            tail.keywords_line = tail.keywords_line or start + head + 1
        elif role == "history":
            tail.history_line = tail.history_line or start + head + 1
        for index in content:
            text = body[index].strip()
            if not text or _RULE.match(text):
                continue
            if role == "keywords":
                tail.keywords += _split_keywords(text)
            elif role == "related":
                item = _related_item(text, start + index + 1)
                if item is not None:
                    tail.related.append(item)
                else:
                    dropped_related.append(start + index + 1)
            elif role == "history":
                found = parse_date(text)
                if found is not None:
                    tail.history.append(found)
    if dropped_related:
        message = f"dropped Related Topics text that names no ID ({_line_list(dropped_related)})"
        notes.append(Note(dropped_related[0], message))
    kept = [
        (line, start + index + 1)
        for index, (line, wanted) in enumerate(zip(body, keep, strict=True))
        if wanted
    ]
    kept = _rewrite_links(kept, notes, tail)
    tail.first_heading, tail.first_paragraph = _lead(kept)
    tidy = _tidy(_extract_snippets(kept, notes, tail))
    tail.body = "\n".join(tidy) + "\n" if tidy else ""
    return tail


def _related_item(text: str, line: int) -> Named | None:
    """The ID a related-list line names, with the words written after it."""
    bullet = _BULLET.match(text)
    lead = re.sub(r"^[\s*_`\[]+", "", bullet.group("rest") if bullet else text)
    lead = _strip_decor(lead)
    lead = re.sub(r"^[\s*_`\[]+", "", lead)
    token = _ID_TOKEN.match(lead)
    if token is None:
        return None
    rest = lead[token.end() :]
    rest = re.sub(r"^[\s*_`\]]*(?:\([^)]*\))?[\s*_`]*(?::|[-\u2013\u2014]{1,2}|\|)?\s*", "", rest)
    return Named(token.group(0), line, _strip_decor(_plain(rest)))


def _rewrite_links(
    kept: list[tuple[str, int]], notes: list[Note], tail: _Tail
) -> list[tuple[str, int]]:
    """Point relative links to entry files at the entries' pages (`LESS-18.md`), and
    turn links to other Markdown files (hubs, indexes) into their text."""
    mask = _fence_mask([line for line, _ in kept])
    pointed: list[int] = []
    removed: list[int] = []
    out: list[tuple[str, int]] = []
    for (line, number), in_code in zip(kept, mask, strict=True):
        if in_code or "](" not in line:
            out.append((line, number))
            continue

        def replace(match: re.Match[str], number: int = number) -> str:
            target = match.group("target")
            if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith(("#", "/")):
                return match.group(0)
            path, _, anchor = target.partition("#")
            if not path.lower().endswith(".md"):
                return match.group(0)
            stem = Path(path).stem
            if ANY_ID.match(stem):
                tail.links.append(Named(stem, number))
                page = f"{stem}.md" + (f"#{anchor}" if anchor else "")
                if page != target:
                    pointed.append(number)
                return f"[{match.group('text')}]({page}{match.group('title') or ''})"
            removed.append(number)
            return match.group("text")

        # Inline code (odd pieces of a split on backtick runs) is left as written.
        pieces = re.split(r"(`+[^`]*`+)", line)
        rewritten = "".join(
            piece if index % 2 else _LINK.sub(replace, piece) for index, piece in enumerate(pieces)
        )
        out.append((rewritten, number))
    if pointed:
        notes.append(
            Note(
                pointed[0],
                f"pointed links to entry files at the entries' pages ({_line_list(pointed)})",
            )
        )
    if removed:
        notes.append(
            Note(
                removed[0],
                "kept only the text of links to Markdown files that are not entries "
                f"({_line_list(removed)})",
            )
        )
    return out


def _label_above(out: Sequence[str]) -> str:
    """The words just above a code block, when they label it: a heading, a bold line,
    or a short line ending with a colon."""
    for line in reversed(out[-3:]):
        text = line.strip()
        if not text:
            continue
        heading = _heading(line)
        if heading is not None:
            return _strip_decor(_plain(heading[1]))
        if text.startswith("**") or (text.endswith(":") and len(text) <= 120):
            return _strip_decor(_plain(text).rstrip(":").strip())
        return ""
    return ""


def _snippet_name(label: str, taken: set[str]) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_label.lower())[:6]
    name = ""
    for word in words:
        if len(name) + len(word) + 1 > 40:
            break
        name = f"{name}_{word}" if name else word
    if not name:
        name = f"code_{len(taken) + 1}"
    if name[0].isdigit():
        name = f"code_{name}"
    if name in _RESERVED_NAMES:
        name = f"{name}_code"
    unique, count = name, 1
    while unique in taken:
        count += 1
        unique = f"{name}_{count}"
    taken.add(unique)
    return unique


def _extract_snippets(kept: Sequence[tuple[str, int]], notes: list[Note], tail: _Tail) -> list[str]:
    """Replace each Python code block at the left margin that compiles by an
    `@snippet(name)` line, and record it in `tail.snippets`."""
    out: list[str] = []
    taken: set[str] = set()
    converted: list[int] = []
    indented: list[int] = []
    index = 0
    while index < len(kept):
        line, number = kept[index]
        match = _FENCE.match(line)
        if match is None:
            out.append(line)
            index += 1
            continue
        fence = match.group("fence")
        info = line[match.end() :].strip().split(maxsplit=1)
        end = index + 1
        while end < len(kept):
            stripped = kept[end][0].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                break
            end += 1
        block = [text for text, _ in kept[index : end + 1]]
        python = bool(info) and info[0].lower().strip("{}.") in PYTHON_INFO
        if not python or end >= len(kept):
            out += block
            index = end + 1
            continue
        if line[0] in " \t":
            indented.append(number)
            out += block
            index = end + 1
            continue
        source = "\n".join(text for text, _ in kept[index + 1 : end]).rstrip() + "\n"
        problem = _compile_problem(source)
        if problem or not source.strip():
            reason = problem or "it is empty"
            notes.append(
                Note(
                    number, f"the Python block on line {number} stays as code ({reason}): unproven"
                )
            )
            out += block
            index = end + 1
            continue
        label = _label_above(out)
        name = _snippet_name(label, taken)
        says = label or "Code the legacy entry showed, with no scenario to prove it yet."
        tail.snippets.append(ImportedSnippet(name, source, says, number))
        converted.append(number)
        out.append(f"@snippet({name})")
        index = end + 1
    if converted:
        notes.append(
            Note(
                converted[0],
                f"{len(converted)} Python code block(s) became unproven snippets "
                f"({_line_list(converted)}): give each a claim and a scenario to prove it",
            )
        )
    if indented:
        notes.append(
            Note(
                indented[0],
                f"indented Python blocks stay as code, unproven ({_line_list(indented)})",
            )
        )
    return out


def _compile_problem(source: str) -> str:
    """Why `source` does not compile ('' when it does)."""
    try:
        compile(source, "<imported>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"SyntaxError on its line {exc.lineno or 0}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    return ""


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


def _keywords(header: _Header, tail: _Tail, notes: list[Note]) -> list[str]:
    words = list(tail.keywords)
    inline = _find(header, "keywords")
    if inline is not None:
        words += _split_keywords(_clean(inline.value))
    unique = list(dict.fromkeys(words))
    if len(unique) < len(words):
        line = tail.keywords_line or (inline.line if inline else 0)
        notes.append(Note(line, f"dropped {len(words) - len(unique)} repeated keyword(s)"))
    return unique


def _related(header: _Header, tail: _Tail, ref_id: str, notes: list[Note]) -> list[Named]:
    items = list(tail.related)
    inline = _find(header, "related")
    if inline is not None:
        items += [Named(m.group(0), inline.line) for m in _ID_TOKEN.finditer(inline.value)]
    related: list[Named] = []
    seen: set[str] = set()
    for item in items:
        if item.ref_id == ref_id:
            message = f"dropped {item.ref_id} from related: an entry does not relate to itself"
            notes.append(Note(item.line, message))
        elif item.ref_id in seen:
            notes.append(Note(item.line, f"dropped {item.ref_id} repeated in related"))
        else:
            seen.add(item.ref_id)
            related.append(item)
    return related


def _next(header: _Header, tail: _Tail, notes: list[Note]) -> Named | None:
    item = tail.footer.get("next") or _find(header, "next")
    if item is None or not _clean(item.value):
        return None
    token = _ID_TOKEN.search(item.value)
    if token is None:
        notes.append(Note(item.line, f"Next '{_clean(item.value)}' names no ID: left out"))
        return None
    return Named(token.group(0), item.line)


def _summary(header: _Header, tail: _Tail, notes: list[Note]) -> str | None:
    line = _find(header, "summary") or _find(header, "purpose")
    if tail.summary:
        if line is not None and _clean(line.value) != tail.summary:
            notes.append(
                Note(
                    line.line,
                    f"dropped the {line.label} line: summary is the first paragraph of ## Summary",
                )
            )
        return tail.summary
    return _clean(line.value) if line is not None else None
