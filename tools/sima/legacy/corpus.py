"""Import a whole legacy knowledge base (`sima import`): every file that carries an ID.

[`import_paths`][sima.legacy.corpus.import_paths] converts each file with
[`convert`][sima.legacy.convert.convert] and writes, for each entry, `<out>/<REF-ID>.md` and,
when it had Python code blocks, `snippets/<REF-ID>/` with one file per block and a
`claims.toml` that claims each `unproven`. It never stops at the first problem:

- Hub and index pages ([`NotAnEntry`][sima.legacy.convert.NotAnEntry]) are *skipped*, not
  failed.
- ID prefixes the configuration does not list are collected with a meaning guessed
  for each (the `Type` lines of its entries, else the folder they share), so that
  [`prefixes_block`][sima.legacy.corpus.prefixes_block] can print the `prefixes:` block to add
  and [`add_prefixes`][sima.legacy.corpus.add_prefixes] can write it into `mkdocs.yml`.
- IDs that entries name (related, next, links, prose) but nothing defines become
  planned stubs when asked (`stubs=True`).
- Every repair and guess is a warning with the source file and line.

Re-running over the same corpus changes nothing. Every file written is recorded with
the SHA-256 of its bytes in a manifest, `<out>/.sima-import.json`; an entry (with its
snippet folder) whose files were edited since, or were never written by the import,
is *kept* as it is unless `overwrite` is asked for. After writing, the imported files
are checked as `sima check` would, with the new prefixes, and what a strict build
would still refuse is reported.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from sima.content.catalog import load_catalog, split_front_matter
from sima.content.ids import prefix_of
from sima.content.links import MentionScanner
from sima.content.problems import Problem, Severity
from sima.content.settings import Settings, SettingsError, settings_from_text
from sima.legacy.convert import (
    Converted,
    ImportFailure,
    Named,
    NotAnEntry,
    Note,
    convert,
    default_meaning,
)

#: The manifest of what the import wrote, in the output folder.
MANIFEST = ".sima-import.json"
STUB_TITLE = "Not written yet"
_REF_LINE = re.compile(r"^REF-ID:\s*['\"]?(?P<id>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)", re.MULTILINE)


@dataclass(frozen=True)
class PrefixGuess:
    """An ID prefix the configuration does not list, and the meaning guessed for it.

    Attributes:
        prefix: The prefix, e.g. `DT`.
        meaning: Its guessed meaning, the type of its entries without a Type line.
        how: Where the guess came from, in words (for the printed block).
        entries: How many imported entries have it.
    """

    prefix: str
    meaning: str
    how: str
    entries: int


@dataclass(frozen=True)
class Stub:
    """A planned entry written for an ID that entries name and nothing defines.

    Attributes:
        destination: The stub's file.
        ref_id: Its ID.
        where: Where it is first named, as `path:line`.
    """

    destination: Path
    ref_id: str
    where: str


@dataclass
class ImportReport:
    """What [`import_paths`][sima.legacy.corpus.import_paths] did.

    Attributes:
        written: (source, destination, notes) of each entry written or updated.
        unchanged: (source, destination) of each entry already as the import would
            write it.
        kept: (source, file) of each entry left alone because that file was edited
            since the import wrote it (or was not written by it) and `overwrite` was
            off; the file named is the first such one.
        skipped: (source, reason) of each hub or index page: not an entry.
        failed: One problem per file that could not be found, converted or written,
            with the source path and line.
        warnings: Every repair and guess, as a warning with the source path and line.
        prefixes: The ID prefixes found that the configuration does not list.
        stubs: The planned stubs written (or already in place) for IDs named but never
            defined; with `stubs` off, none.
        undefined: IDs named but never defined that got no stub (`stubs` off), each
            with where it is first named.
        snippets: The snippet files written (code, `claims.toml`).
        after: What `sima check` still reports about the imported files, with the new
            prefixes configured: what a strict build would refuse.
        tried: How many files were read.
    """

    written: list[tuple[Path, Path, tuple[Note, ...]]] = field(default_factory=list)
    unchanged: list[tuple[Path, Path]] = field(default_factory=list)
    kept: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    prefixes: list[PrefixGuess] = field(default_factory=list)
    stubs: list[Stub] = field(default_factory=list)
    undefined: list[tuple[str, str]] = field(default_factory=list)
    snippets: list[Path] = field(default_factory=list)
    after: list[Problem] = field(default_factory=list)
    tried: int = 0

    @property
    def converted(self) -> int:
        """Entry files converted (written, unchanged or kept)."""
        return len(self.written) + len(self.unchanged) + len(self.kept)

    @property
    def entry_files(self) -> int:
        """Files read that are entries (not hub or index pages)."""
        return self.tried - len(self.skipped)

    @property
    def rate(self) -> float:
        """Converted entry files out of all entry files read (1.0 when none)."""
        return self.converted / self.entry_files if self.entry_files else 1.0


@dataclass
class _Unit:
    """Files written together: an entry and its snippet folder, or a stub."""

    source: Path | None
    ref_id: str
    files: dict[Path, str]
    folder: Path | None = None
    notes: tuple[Note, ...] = ()


# ----------------------------------------------------------------------------- public


def import_paths(
    sources: Sequence[Path],
    out_dir: Path,
    settings: Settings,
    *,
    overwrite: bool = False,
    stubs: bool = False,
    snippets_dir: Path | None = None,
) -> ImportReport:
    """Convert legacy files and write them as `out_dir/<REF-ID>.md`, with their code.

    Every source is tried: a failure is reported and the next file is converted.
    Folders are searched for `*.md` recursively (skipping `out_dir` if it lies
    inside). A file is written whole or not at all (a temporary file, then an
    atomic rename). When two sources in one run have the same REF-ID, the second
    fails, naming the first.

    Args:
        sources: Legacy files or folders.
        out_dir: Folder to write entries into (created when missing).
        settings: Gives the ID prefixes, the entries folder (whose IDs count as
            defined) and the root that messages are relative to.
        overwrite: Replace files edited since the last import (or never written by
            it); otherwise such an entry is kept as it is.
        stubs: Write a planned stub for each ID named but defined nowhere.
        snippets_dir: Where snippet folders go (default: the settings').

    Returns:
        What was written, kept, skipped and what failed, and the warnings.
    """
    report = ImportReport()
    snippets_root = snippets_dir or settings.snippets_dir
    converted, raws = _convert_all(sources, out_dir, settings, report)
    report.prefixes = guess_prefixes(converted, settings.prefixes, sources)
    guessed = {guess.prefix: guess.meaning for guess in report.prefixes}
    for source, result in list(converted.items()):
        if result.new_prefixes:  # again, with the meanings guessed from all files
            try:
                converted[source] = convert(raws[source], source.name, settings.prefixes, guessed)
            except ImportFailure as exc:
                report.failed.append(Problem(settings.rel(source), exc.line, exc.message))
                del converted[source]
    prefixes = {**settings.prefixes, **guessed}
    existing = _defined_ids(settings.entries_dir, out_dir)
    units = _entry_units(converted, out_dir, snippets_root, settings, report, existing=existing)
    names = _named(converted, units, prefixes, settings)
    defined = {unit.ref_id for unit in units} | set(existing)
    undefined = {ref: where for ref, where in names.items() if ref not in defined}
    stub_units: list[_Unit] = []
    for ref_id, (where, label) in sorted(undefined.items()):
        if stubs:
            destination = out_dir / f"{ref_id}.md"
            meaning = prefixes.get(prefix_of(ref_id), default_meaning(prefix_of(ref_id)))
            text = stub_text(ref_id, label or STUB_TITLE, meaning)
            stub_units.append(_Unit(None, ref_id, {destination: text}))
            report.stubs.append(Stub(destination, ref_id, where))
        else:
            report.undefined.append((ref_id, where))
    _write_units([*units, *stub_units], out_dir, settings, report, overwrite=overwrite)
    report.after = _check_after(units + stub_units, out_dir, snippets_root, settings, prefixes)
    return report


def guess_prefixes(
    converted: Mapping[Path, Converted], configured: Mapping[str, str], roots: Sequence[Path] = ()
) -> list[PrefixGuess]:
    """A meaning for each ID prefix the entries use and the configuration lacks.

    The meaning is the most common `Type` line of the prefix's entries; else, when
    its entries share a folder that holds no entry of another prefix (and is not one
    of the `roots` given to the import), the folder's name in words
    (`decision-trees` -> `Decision Trees`); else `<PREFIX> entry`.
    """
    new = sorted(
        {p for result in converted.values() for p in result.new_prefixes} - set(configured)
    )
    by_prefix: dict[str, list[tuple[Path, Converted]]] = {}
    for source, result in converted.items():
        by_prefix.setdefault(prefix_of(result.ref_id), []).append((source, result))
    folders_of = {
        prefix: {source.parent.resolve() for source, _ in items}
        for prefix, items in by_prefix.items()
    }
    root_folders = {root.resolve() for root in roots}
    guesses: list[PrefixGuess] = []
    for prefix in new:
        items = by_prefix.get(prefix, [])
        types = collections.Counter(r.declared_type for _, r in items if r.declared_type)
        folders = folders_of.get(prefix, set())
        others = set().union(*(f for p, f in folders_of.items() if p != prefix))
        if types:
            meaning, count = sorted(types.items(), key=lambda item: (-item[1], item[0]))[0]
            how = f"from the Type line of {count} of its {len(items)} entries"
        elif len(folders) == 1 and not folders & others and not folders & root_folders:
            folder = next(iter(folders))
            meaning = " ".join(
                word.capitalize() for word in re.split(r"[-_\s]+", folder.name) if word
            )
            how = f"from the folder {folder.name}/ that its entries share"
        elif items:
            meaning, how = default_meaning(prefix), f"unknown: say what {prefix} stands for"
        else:
            meaning = default_meaning(prefix)
            how = f"only named by other entries: say what {prefix} stands for"
        guesses.append(PrefixGuess(prefix, meaning, how, len(items)))
    return guesses


def prefixes_block(configured: Mapping[str, str], guesses: Sequence[PrefixGuess]) -> str:
    """The `prefixes:` block of the `sima` plugin with the new prefixes added, as
    `mkdocs.yml` holds it (indented for `plugins: - sima:`)."""
    lines = ["      prefixes:"]
    lines += [
        f"        {prefix}: {_yaml_scalar(meaning)}" for prefix, meaning in configured.items()
    ]
    lines += [
        f"        {guess.prefix}: {_yaml_scalar(guess.meaning)}  # {guess.how}" for guess in guesses
    ]
    return "\n".join(lines) + "\n"


def add_prefixes(
    config_text: str,
    config_file: Path,
    current: Mapping[str, str],
    new: Mapping[str, str],
    comments: Mapping[str, str] | None = None,
) -> str:
    """`mkdocs.yml`'s text with `new` added to the `sima` plugin's `prefixes`.

    Only lines are added (or, for a bare `- sima`, the one line replaced), so
    comments, tags such as `!ENV` and the order of everything else stay as written.
    Each new line carries its comment from `comments` (say, how its meaning was
    guessed). The result is read back and must configure exactly `current` plus `new`.

    Raises:
        SettingsError: The plugin's block is not in a form this can edit (flow style,
            no `sima` plugin); nothing should be written then.
    """
    lines = config_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    notes = comments or {}
    entries = [
        f"{prefix}: {_yaml_scalar(meaning)}"
        + (f"  # {notes[prefix]}" if prefix in notes else "")
        + "\n"
        for prefix, meaning in new.items()
    ]
    plugin = next(
        (i for i, line in enumerate(lines) if re.match(r"^\s*-\s+sima\s*:?\s*(#.*)?$", line)), None
    )
    if plugin is None:
        raise SettingsError(f"{config_file}: no `- sima` plugin entry to add prefixes to")
    dash = len(lines[plugin]) - len(lines[plugin].lstrip())
    if ":" not in lines[plugin].split("#", 1)[0]:  # `- sima` with no options
        options = dash + 4
        block = [
            " " * dash + "- sima:\n",
            " " * options + "prefixes:\n",
            *(" " * (options + 2) + e for e in _entries(current)),
            *(" " * (options + 2) + e for e in entries),
        ]
        lines[plugin : plugin + 1] = block
    else:
        body = _block(lines, plugin + 1, dash)
        options = min((_indent(lines[i]) for i in body), default=dash + 4)
        at = next(
            (
                i
                for i in body
                if _indent(lines[i]) == options and re.match(r"^\s*prefixes\s*:", lines[i])
            ),
            None,
        )
        if at is None:
            insert = [
                " " * options + "prefixes:\n",
                *(" " * (options + 2) + e for e in _entries(current)),
                *(" " * (options + 2) + e for e in entries),
            ]
            lines[plugin + 1 : plugin + 1] = insert
        else:
            if not re.match(r"^\s*prefixes\s*:\s*(#.*)?$", lines[at]):
                raise SettingsError(
                    f"{config_file}:{at + 1}: `prefixes` is written on one line; "
                    "add the new prefixes by hand"
                )
            children = _block(lines, at + 1, options)
            child = min((_indent(lines[i]) for i in children), default=options + 2)
            last = max(children, default=at)
            lines[last + 1 : last + 1] = [" " * child + e for e in entries]
    text = "".join(lines)
    wanted = {**current, **new}
    if settings_from_text(text, config_file).prefixes != wanted:
        raise SettingsError(
            f"{config_file}: adding the prefixes did not give the configuration expected; "
            "add them by hand"
        )
    return text


def stub_text(ref_id: str, title: str, entry_type: str) -> str:
    """A planned stub: front matter only."""
    data = {"REF-ID": ref_id, "title": title, "type": entry_type, "status": "Planned"}
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    return f"---\n{front}---\n"


def claims_text(result: Converted, source: Path) -> str:
    """`claims.toml` for an entry's imported code: each block claimed `unproven`."""
    lines = [
        f"# Written by `sima import` from {source.name}: the entry's code blocks, shown on its",
        "# page as unproven. To prove one, claim it good or bad, give it a scenario in",
        "# scenarios.py (see docs/authoring.md) and run `sima verify`.",
    ]
    for snippet in result.snippets:
        lines += [
            "",
            f"[{snippet.name}]",
            'claim = "unproven"',
            f"says = {_toml_string(snippet.says)}",
        ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------ conversion


def _convert_all(
    sources: Sequence[Path],
    out_dir: Path,
    settings: Settings,
    report: ImportReport,
) -> tuple[dict[Path, Converted], dict[Path, bytes]]:
    converted: dict[Path, Converted] = {}
    raws: dict[Path, bytes] = {}
    for source in _expand(sources, out_dir, settings, report):
        where = settings.rel(source)
        report.tried += 1
        try:
            raw = source.read_bytes()
        except OSError as exc:
            report.failed.append(Problem(where, 0, f"cannot read the file: {exc.strerror or exc}"))
            continue
        try:
            converted[source] = convert(raw, source.name, settings.prefixes)
        except NotAnEntry as exc:
            report.skipped.append((source, exc.message))
            continue
        except ImportFailure as exc:
            report.failed.append(Problem(where, exc.line, exc.message))
            continue
        raws[source] = raw
    return converted, raws


def _entry_units(
    converted: Mapping[Path, Converted],
    out_dir: Path,
    snippets_root: Path,
    settings: Settings,
    report: ImportReport,
    *,
    existing: Mapping[str, Path],
) -> list[_Unit]:
    units: list[_Unit] = []
    first_source: dict[str, Path] = {}
    for source, result in converted.items():
        where = settings.rel(source)
        first = first_source.get(result.ref_id)
        if first is not None:
            message = (
                f"duplicate REF-ID {result.ref_id}: already imported from "
                f"{settings.rel(first)} in this run"
            )
            report.failed.append(Problem(where, result.ref_line, message))
            continue
        destination = out_dir / f"{result.ref_id}.md"
        owner = existing.get(result.ref_id)
        if owner is not None and owner.resolve() != destination.resolve():
            message = (
                f"duplicate REF-ID {result.ref_id}: already the ID of {settings.rel(owner)}; "
                "nothing written"
            )
            report.failed.append(Problem(where, result.ref_line, message))
            continue
        first_source[result.ref_id] = source
        report.warnings += [
            Problem(where, note.line, note.message, Severity.WARNING) for note in result.notes
        ]
        files = {destination: result.text}
        folder = snippets_root / result.ref_id
        for snippet in result.snippets:
            files[folder / f"{snippet.name}.py"] = snippet.source
        if result.snippets:
            files[folder / "claims.toml"] = claims_text(result, source)
        units.append(_Unit(source, result.ref_id, files, folder, result.notes))
    return units


def _named(
    converted: Mapping[Path, Converted],
    units: Sequence[_Unit],
    prefixes: Mapping[str, str],
    settings: Settings,
) -> dict[str, tuple[str, str]]:
    """Every ID the imported entries name: where it is first named and its label."""
    scanner = MentionScanner(prefixes)
    found: dict[str, tuple[str, str]] = {}
    labels: dict[str, str] = {}
    for unit in units:
        assert unit.source is not None
        source, result = unit.source, converted[unit.source]
        items: list[tuple[Named, str]] = [
            (item, f"{settings.rel(source)}:{item.line}") for item in result.named
        ]
        destination = next(iter(unit.files))
        _, body, body_line = split_front_matter(result.text)
        for mention in scanner.mentions(body):
            place = f"{settings.rel(destination)}:{body_line + mention.line - 1}"
            items.append((Named(mention.ref_id, 0), place))
        for item, place in items:
            found.setdefault(item.ref_id, (place, ""))
            if item.label and item.ref_id not in labels:
                labels[item.ref_id] = item.label
    return {ref: (place, labels.get(ref, "")) for ref, (place, _) in found.items()}


def _defined_ids(*folders: Path) -> dict[str, Path]:
    """The REF-IDs of the entry files already in these folders, with the first file
    that has each."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.md"):
            try:
                head = path.read_bytes()[:4096].decode("utf-8", errors="replace")
            except OSError:
                continue
            match = _REF_LINE.search(head) if head.startswith("---") else None
            if match:
                found.setdefault(match.group("id"), path)
    return found


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


# --------------------------------------------------------------------------- writing


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key(path: Path, settings: Settings) -> str:
    """A file's name in the manifest: relative to the project root when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items()}


def _write_manifest(path: Path, files: Mapping[str, str]) -> None:
    document = {
        "about": "What `sima import` wrote here, with the SHA-256 of each file's bytes: "
        "a re-import leaves alone what was edited since. Keep it with the entries.",
        "files": dict(sorted(files.items())),
    }
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        _write_whole(path, text)


def _write_units(
    units: Sequence[_Unit],
    out_dir: Path,
    settings: Settings,
    report: ImportReport,
    *,
    overwrite: bool,
) -> None:
    manifest_path = out_dir / MANIFEST
    recorded = _read_manifest(manifest_path)
    before = dict(recorded)
    for unit in units:
        planned = {path: text.encode("utf-8") for path, text in unit.files.items()}
        stale = _stale(unit, planned, recorded, settings)
        edited = [
            path
            for path, data in [*planned.items(), *((p, b"") for p in stale)]
            if _edited(path, data, recorded.get(_key(path, settings)))
        ]
        source = unit.source or next(iter(unit.files))
        destination = next(iter(unit.files))
        if edited and not overwrite:
            if unit.source is not None:
                report.kept.append((source, edited[0]))
            continue
        changed = [p for p, data in planned.items() if not p.is_file() or p.read_bytes() != data]
        current = destination
        try:
            for current in changed:
                _write_whole(current, planned[current].decode("utf-8"))
            for current in stale:
                current.unlink(missing_ok=True)
        except OSError as exc:
            where = settings.rel(unit.source) if unit.source else settings.rel(destination)
            message = f"cannot write {settings.rel(current)}: {exc.strerror or exc}"
            report.failed.append(Problem(where, 0, message))
            continue
        for path in stale:
            recorded.pop(_key(path, settings), None)
        for path, data in planned.items():
            recorded[_key(path, settings)] = _digest(data)
        report.snippets += [p for p in changed if p != destination]
        if unit.source is None:
            continue
        if changed or stale:
            report.written.append((unit.source, destination, unit.notes))
        else:
            report.unchanged.append((unit.source, destination))
    if recorded != before or (recorded and not manifest_path.is_file()):
        try:
            _write_manifest(manifest_path, recorded)
        except OSError as exc:
            message = f"cannot write {settings.rel(manifest_path)}: {exc.strerror or exc}"
            report.failed.append(Problem(settings.rel(manifest_path), 0, message))


def _stale(
    unit: _Unit, planned: Mapping[Path, bytes], recorded: Mapping[str, str], settings: Settings
) -> list[Path]:
    """Files an earlier import wrote into the unit's snippet folder that it no longer
    holds (the entry has fewer code blocks now)."""
    if unit.folder is None:
        return []
    prefix = _key(unit.folder, settings) + "/"
    wanted = {_key(path, settings) for path in planned}
    found = []
    for key in recorded:
        if key.startswith(prefix) and key not in wanted:
            path = Path(key) if Path(key).is_absolute() else settings.root / key
            if path.is_file():
                found.append(path)
    return found


def _edited(path: Path, planned: bytes, recorded: str | None) -> bool:
    """True when the file holds something the import neither wrote nor would write,
    or when the import wrote it and it was deleted since (an author's choice too)."""
    if not path.is_file():
        return recorded is not None
    data = path.read_bytes()
    return data != planned and _digest(data) != recorded


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


# ----------------------------------------------------------------------------- after


def _check_after(
    units: Sequence[_Unit],
    out_dir: Path,
    snippets_root: Path,
    settings: Settings,
    prefixes: Mapping[str, str],
) -> list[Problem]:
    """What `sima check` reports about the imported files once the new prefixes are
    configured (the entries folder when `out_dir` is inside it, else `out_dir`)."""
    from sima.proofs.prover import static_problems  # the lab is only needed here

    inside = out_dir.resolve().is_relative_to(settings.entries_dir.resolve())
    check = replace(
        settings,
        entries_dir=settings.entries_dir if inside else out_dir,
        snippets_dir=snippets_root,
        prefixes=dict(prefixes),
    )
    catalog = load_catalog(check)
    mine = {check.rel(path) for unit in units for path in unit.files}
    folders = tuple(check.rel(unit.folder) + "/" for unit in units if unit.folder is not None)
    problems = [*catalog.problems, *static_problems(check, catalog)]
    return sorted(
        {
            p
            for p in problems
            if p.path in mine or p.path.startswith(folders) or p.path + "/" in folders
        }
    )


# ------------------------------------------------------------------------------ text


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when it reads back the same, else quoted."""
    try:
        plain = yaml.safe_load(f"key: {value}") == {"key": value}
    except yaml.YAMLError:
        plain = False
    return value if plain and "#" not in value else json.dumps(value, ensure_ascii=False)


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _entries(prefixes: Mapping[str, str]) -> list[str]:
    return [f"{prefix}: {_yaml_scalar(meaning)}\n" for prefix, meaning in prefixes.items()]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(lines: Sequence[str], start: int, parent: int) -> list[int]:
    """Indexes of the lines (not blank, not comments) nested deeper than `parent`,
    from `start` to the first line that is not."""
    found: list[int] = []
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if not text or text.startswith("#"):
            continue
        if _indent(lines[index]) <= parent:
            break
        found.append(index)
    return found
