"""A snippet folder as one value: its texts, what they declare, and what is wrong.

A snippet folder `snippets/<REF-ID>/` holds the snippet files, a `claims.toml` and a
`scenarios.py` (see [`sima_lab.claims`][sima_lab.claims] for both). Everything that
reads one (the build, `sima verify`, the browser's runner, the parity harness) holds
the same value, a [`Folder`][sima_lab.folder.Folder], made by one constructor from
the folder's texts and where they came from:
[`Folder.from_texts`][sima_lab.folder.Folder.from_texts]. The rest are ways to get
those texts:

- [`load_folder`][sima_lab.folder.load_folder] reads them from disk (reporting a file
  it cannot read as a problem, never raising for one);
- [`Folder.from_payload`][sima_lab.folder.Folder.from_payload] takes them from the
  browser's *payload*, the JSON object the site serves beside each entry, which
  [`Folder.to_payload`][sima_lab.folder.Folder.to_payload] writes:

```json
{"ref_id": "LESS-22", "claims": "<claims.toml text>", "scenarios": "<scenarios.py text>",
 "files": {"mistake1_user_sessions": "<source>", "...": "..."}}
```

Every problem found is a [`FolderProblem`][sima_lab.records.FolderProblem] value
with its path and line, and every check is an
[`Outcome`][sima_lab.records.Outcome] whose `problem` says where it points.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sima_lab.claims import (
    CLAIMS_FILE,
    SCENARIOS_FILE,
    check_claims,
    load_scenarios,
    parse_claims,
)
from sima_lab.errors import LoadError
from sima_lab.lab import module_name
from sima_lab.limits import LabSettings
from sima_lab.records import UNPROVEN, Claim, FolderProblem, Outcome
from sima_lab.verify import Scenario, verify

#: Where the payload's folder is shown in messages: `snippets/<ref_id>`.
PAYLOAD_BASE = "snippets"


@dataclass(frozen=True)
class SnippetSpec:
    """One snippet of a folder: its code and its claim.

    Attributes:
        key: `<REF-ID>/<stem>`, e.g. `LESS-22/mistake1_user_sessions`.
        name: The file's stem.
        path: The file, as messages show it.
        source: The file's text: what is shown, tested and run.
        claim: Its claim, or None when claims.toml has none.
        modules: Other modules it imports, `{module_name: source}`.
    """

    key: str
    name: str
    path: str
    source: str
    claim: Claim | None
    modules: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Folder:
    """A snippet folder: its texts, its claims, scenarios and snippets, every problem.

    Make one with [`from_texts`][sima_lab.folder.Folder.from_texts] (or a reader that
    calls it: [`load_folder`][sima_lab.folder.load_folder],
    [`from_payload`][sima_lab.folder.Folder.from_payload]).

    Attributes:
        path: The folder, as messages show it (`snippets/LESS-22`).
        ref_id: The folder's name: the entry's REF-ID.
        texts: Every file it was made from, by file name (`claims.toml`,
            `scenarios.py`, `<stem>.py`); None for a file that is there but could not
            be read.
        claims: Claims by name.
        scenarios: Scenario functions by name (empty when `scenarios.py` is missing
            or failed to load: its problems say so).
        snippets: The snippet files (helper modules excluded), sorted by name.
        problems: Everything wrong, sorted; empty when the folder is sound.
    """

    path: str
    ref_id: str
    texts: Mapping[str, str | None]
    claims: dict[str, Claim]
    scenarios: dict[str, Scenario]
    snippets: list[SnippetSpec]
    problems: list[FolderProblem]

    @classmethod
    def from_texts(
        cls,
        path: str,
        texts: Mapping[str, str | None],
        *,
        problems: Iterable[FolderProblem] = (),
    ) -> Folder:
        """The folder `path` (as messages show it) made of `texts`; never raises for
        what is wrong in them, it is reported in `problems`.

        Args:
            path: The folder, as messages show it; its last part is the REF-ID.
            texts: Its files' texts by file name: `claims.toml`, `scenarios.py` and
                the snippet files (`<stem>.py`); other names are kept but not read.
                A file that is there but could not be read maps to None.
            problems: What went wrong reading them (a file that is not UTF-8...).
        """
        found = list(problems)

        def rel(name: str) -> str:
            return f"{path}/{name}"

        claims: list[Claim] = []
        if CLAIMS_FILE in texts:
            text = texts[CLAIMS_FILE]
            if text is not None:
                claims, parsed = parse_claims(text, rel(CLAIMS_FILE))
                found.extend(parsed)
        else:
            found.append(
                FolderProblem(rel(CLAIMS_FILE), 0, "missing: each snippet folder needs claims.toml")
            )

        scenarios: dict[str, Scenario] | None = None
        if SCENARIOS_FILE in texts:
            text = texts[SCENARIOS_FILE]
            if text is not None:
                try:
                    scenarios = load_scenarios(text, rel(SCENARIOS_FILE))
                except LoadError as exc:
                    found.extend(exc.problems)
        elif claims and all(claim.claim == UNPROVEN for claim in claims):
            scenarios = {}  # nothing to check: a folder of unproven code needs no scenarios
        else:
            found.append(
                FolderProblem(
                    rel(SCENARIOS_FILE), 0, "missing: each snippet folder needs scenarios.py"
                )
            )

        sources: dict[str, str] = {}
        unreadable: list[str] = []
        for name in sorted(texts):
            stem, dot, suffix = name.rpartition(".")
            if not dot or suffix != "py" or name == SCENARIOS_FILE:
                continue
            text = texts[name]
            if text is None:
                unreadable.append(stem)  # reported; it still exists for its claim
                continue
            try:
                compile(text, rel(name), "exec", dont_inherit=True)
            except SyntaxError as exc:
                found.append(FolderProblem(rel(name), exc.lineno or 0, f"SyntaxError: {exc.msg}"))
            sources[stem] = text

        by_name = {claim.name: claim for claim in claims}
        helpers = {m for claim in claims for m in claim.modules} - set(by_name)
        found.extend(
            check_claims(
                claims,
                snippets=[*sources, *unreadable],
                scenarios=None if scenarios is None else list(scenarios),
                snippet_path=lambda name: rel(f"{name}.py"),
            )
        )
        ref_id = posixpath.basename(path)
        snippets = [
            SnippetSpec(
                key=f"{ref_id}/{name}",
                name=name,
                path=rel(f"{name}.py"),
                source=text,
                claim=by_name.get(name),
                modules=_modules(by_name.get(name), sources),
            )
            for name, text in sources.items()
            if name not in helpers
        ]
        found.extend(
            FolderProblem(
                rel(f"{n}.py"), 0, f"{n!r} is not a usable module name (use letters, digits, _)"
            )
            for n in sources
            if module_name(f"{n}.py") != n
        )
        return cls(
            path=path,
            ref_id=ref_id,
            texts=dict(texts),
            claims=by_name,
            scenarios=scenarios or {},
            snippets=snippets,
            problems=sorted(set(found)),
        )

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, base: str = PAYLOAD_BASE) -> Folder:
        """The folder a payload (see the module docs) holds, shown as `base/<ref_id>`.

        A payload always has both `claims` and `scenarios` (empty for a file the
        folder lacks), so they are taken as written.
        """
        files: Mapping[str, Any] = payload.get("files", {})
        texts: dict[str, str | None] = {
            CLAIMS_FILE: str(payload.get("claims", "")),
            SCENARIOS_FILE: str(payload.get("scenarios", "")),
        }
        texts.update((f"{stem}.py", str(text)) for stem, text in files.items())
        return cls.from_texts(f"{base}/{payload.get('ref_id', 'snippets')}", texts)

    def to_payload(self) -> dict[str, object]:
        """The folder as the browser's runner gets it: its texts as plain data.

        Only `claims.toml`, `scenarios.py` and the snippet files go in (a file that
        could not be read is left out, a missing one is empty);
        [`from_payload`][sima_lab.folder.Folder.from_payload] makes the same folder of it.
        """
        files = {
            name.removesuffix(".py"): text
            for name, text in sorted(self.texts.items())
            if name.endswith(".py") and name != SCENARIOS_FILE and text is not None
        }
        return {
            "ref_id": self.ref_id,
            "claims": self.texts.get(CLAIMS_FILE) or "",
            "scenarios": self.texts.get(SCENARIOS_FILE) or "",
            "files": files,
        }

    @property
    def digest(self) -> str:
        """A hash of the folder's path and every text: the same texts, the same hash."""
        digest = hashlib.sha256(self.path.encode() + b"\0")  # keys carry the folder's name
        for name, text in sorted(self.texts.items()):
            body = b"\1" if text is None else text.encode("utf-8", "surrogatepass")
            digest.update(name.encode() + b"\0" + body + b"\0")
        return digest.hexdigest()

    def problems_in(self, name: str) -> list[FolderProblem]:
        """The problems found in one of its files (`claims.toml`, `scenarios.py`...)."""
        return [p for p in self.problems if p.path == f"{self.path}/{name}"]

    def snippet(self, name: str) -> SnippetSpec:
        """The snippet with that stem (KeyError if none)."""
        for spec in self.snippets:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def verify(
        self, name: str, source: str | None = None, *, settings: LabSettings | None = None
    ) -> Outcome:
        """Check one snippet's claim (see [`verify`][sima_lab.verify.verify]).

        Args:
            name: The snippet's stem.
            source: The code to check instead of the file's (a reader's edit).
            settings: Lab settings (default: `LabSettings()`).

        Raises:
            KeyError: It has no claim, or (with no `source`) no file.
        """
        claim = self.claims.get(name)
        if claim is None:
            raise KeyError(f"{self.path}/{name}.py has no claim")
        code = source if source is not None else self.texts.get(f"{name}.py")
        if code is None:
            raise KeyError(f"{self.path}/{name}.py: no such snippet")
        sources = {n.removesuffix(".py"): t for n, t in self.texts.items() if t is not None}
        return verify(
            code,
            claim,
            self.scenarios,
            filename=f"{self.path}/{name}.py",
            modules=_modules(claim, sources),
            settings=settings,
        )

    def verify_all(self) -> list[Outcome]:
        """Check every snippet that has a proven claim (good or bad), in name order."""
        return [
            self.verify(spec.name)
            for spec in self.snippets
            if spec.claim is not None and spec.claim.proven
        ]


def _modules(claim: Claim | None, sources: Mapping[str, str]) -> dict[str, str]:
    """The other modules a claim's snippet imports, `{name: source}`, of those there."""
    names = claim.modules if claim is not None else ()
    return {m: sources[m] for m in names if m in sources}


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _read(path: Path, shown: str, problems: list[FolderProblem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(FolderProblem(shown, 0, f"not UTF-8: {exc.reason} at byte {exc.start}"))
    except OSError as exc:
        problems.append(FolderProblem(shown, 0, f"cannot read: {exc.strerror}"))
    return None


def load_folder(
    path: str | os.PathLike[str], *, root: str | os.PathLike[str] | None = None
) -> Folder:
    """Read a snippet folder from disk into a [`Folder`][sima_lab.folder.Folder].

    Reads `claims.toml`, `scenarios.py` and every `*.py` file, then hands the texts to
    [`Folder.from_texts`][sima_lab.folder.Folder.from_texts]. A file it cannot read
    is a problem, never an exception.

    Args:
        path: The folder, `snippets/<REF-ID>`.
        root: Show paths relative to this folder (e.g. the project root); by default
            they are shown as `path` was given.
    """
    folder = Path(path)
    shown = _display(folder, Path(root) if root is not None else None)
    problems: list[FolderProblem] = []
    texts: dict[str, str | None] = {}
    files = [folder / CLAIMS_FILE, folder / SCENARIOS_FILE]
    files = [f for f in files if f.is_file()] + [
        f for f in sorted(folder.glob("*.py")) if f.name != SCENARIOS_FILE
    ]
    for file in files:
        texts[file.name] = _read(file, f"{shown}/{file.name}", problems)
    return Folder.from_texts(shown, texts, problems=problems)
