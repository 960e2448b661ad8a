"""Claims and scenarios: reading `claims.toml` and `scenarios.py`, from text or a folder.

A snippet folder `snippets/<REF-ID>/` holds the snippet files, a `claims.toml` with
one table per snippet (named by the file's stem) and a `scenarios.py` with the
scenario functions:

```toml
[mistake1_user_sessions]
claim = "bad"                 # "good" or "bad"
says = "One sentence: what happens."
scenario = "user_isolation"   # a function in scenarios.py
fails = ["leak"]              # on a bad snippet: what its scenario observes going wrong
# optional, on a good snippet: the bad snippet it fixes (same scenario)
fixes = "mistake1_user_sessions"
# optional: other files of the folder the snippet imports, by module name
modules = ["core"]

[imported_block]
claim = "unproven"            # code no scenario proves yet (what `sima import` writes)
says = "What the text around it said."
```

An `unproven` claim has only `says` (and may list `modules`): it is shown on its
page as unproven and counted in the proof coverage, but never checked, so it names
no scenario and nothing that fails or is fixed.

The text loaders ([`parse_claims`][sima_lab.claims.parse_claims],
[`load_claims`][sima_lab.claims.load_claims],
[`load_scenarios`][sima_lab.claims.load_scenarios],
[`check_claims`][sima_lab.claims.check_claims]) need no files, for the browser;
[`load_folder`][sima_lab.claims.load_folder] reads a folder and reports every problem
as a [`FolderProblem`][sima_lab.records.FolderProblem] value, never as an exception.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sima_lab.errors import LoadError
from sima_lab.lab import module_name
from sima_lab.records import CLAIM_VALUES, FAILURE_NAME, UNPROVEN, Claim, FolderProblem, Outcome
from sima_lab.verify import Scenario, verify

KEYS = ("claim", "says", "scenario", "fails", "fixes", "modules")
REQUIRED = ("claim", "says", "scenario")
#: What an unproven claim must have; it may also have `modules`, and nothing else.
REQUIRED_UNPROVEN = ("claim", "says")
#: Every value `claim` may take: the proven ones, and `unproven`.
CLAIM_KINDS = (*CLAIM_VALUES, UNPROVEN)
CLAIMS_FILE = "claims.toml"
SCENARIOS_FILE = "scenarios.py"

_HEADER = re.compile(r"""^\s*\[\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_AT_LINE = re.compile(r"at line (\d+)")


def _name(match: re.Match[str]) -> str:
    return next(group for group in match.groups() if group is not None)


def _lines(text: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Where each table and each of its keys is written: name -> (line, {key: line})."""
    found: dict[str, tuple[int, dict[str, int]]] = {}
    current: dict[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = {}
            found.setdefault(_name(header), (number, current))
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        if current is None:  # a top-level key (an inline table, or a stray value)
            found.setdefault(_name(key), (number, {}))
        else:
            current.setdefault(_name(key), number)
    return found


def parse_claims(
    toml_text: str, filename: str = CLAIMS_FILE
) -> tuple[list[Claim], list[FolderProblem]]:
    """Every claim in the text and every problem in it (a claim may have problems).

    Checks each table on its own: required keys, known keys, value types, and that
    `claim` is `good`, `bad` or `unproven`. Checks between claims and files are
    [`check_claims`][sima_lab.claims.check_claims]'s.
    """
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        return [], [FolderProblem(filename, int(at.group(1)) if at else 0, f"invalid TOML: {exc}")]
    where = _lines(toml_text)
    claims: list[Claim] = []
    problems: list[FolderProblem] = []
    for name, table in data.items():
        line, keys = where.get(name, (0, {}))
        if not isinstance(table, dict):
            problems.append(
                FolderProblem(
                    filename, line, f"{name!r} is not a table: write [{name}] with its keys"
                )
            )
            continue
        table_problems = _check_table(name, table, line, keys, filename)
        problems.extend(table_problems)
        raw_modules = table.get("modules", [])
        modules = tuple(raw_modules) if isinstance(raw_modules, list) else ()
        fixes = table.get("fixes")
        raw_fails = table.get("fails", [])
        fails = [raw_fails] if isinstance(raw_fails, str) else raw_fails
        claims.append(
            Claim(
                name=name,
                claim=_text(table.get("claim")),
                says=_text(table.get("says")),
                scenario=_text(table.get("scenario")),
                fails=tuple(str(f) for f in fails) if isinstance(fails, list) else (),
                fixes=fixes if isinstance(fixes, str) else None,
                modules=tuple(str(m) for m in modules),
                line=line,
                filename=filename,
                key_lines=tuple(sorted(keys.items())),
            )
        )
    return claims, problems


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _check_table(
    name: str, table: dict[str, Any], line: int, keys: dict[str, int], filename: str
) -> list[FolderProblem]:
    problems: list[FolderProblem] = []
    unproven = table.get("claim") == UNPROVEN
    for key in REQUIRED_UNPROVEN if unproven else REQUIRED:
        if key not in table:
            problems.append(FolderProblem(filename, line, f"[{name}] is missing {key!r}"))
    if table.get("claim") == "bad" and "fails" not in table:
        problems.append(
            FolderProblem(
                filename,
                line,
                f'[{name}] is bad but does not say what fails: add fails = ["..."] '
                "with the failures its scenario observes",
            )
        )
    for key, value in table.items():
        at = keys.get(key, line)
        if key not in KEYS:
            problems.append(
                FolderProblem(
                    filename, at, f"[{name}] has unknown key {key!r} (known: {', '.join(KEYS)})"
                )
            )
        elif unproven and key in ("scenario", "fails", "fixes"):
            problems.append(
                FolderProblem(
                    filename,
                    at,
                    f"[{name}] is unproven, so it has no {key}: claim it good or bad "
                    "to prove it with a scenario",
                )
            )
        elif key == "modules":
            if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
                problems.append(
                    FolderProblem(filename, at, f"[{name}] modules must be a list of names")
                )
        elif key == "fails":
            problems.extend(_check_fails(name, value, table.get("claim"), at, filename))
        elif not isinstance(value, str):
            problems.append(FolderProblem(filename, at, f"[{name}] {key} must be a string"))
        elif key == "claim" and value not in CLAIM_KINDS:
            problems.append(
                FolderProblem(
                    filename,
                    at,
                    f"[{name}] claim must be 'good', 'bad' or 'unproven', not {value!r}",
                )
            )
        elif key in ("says", "scenario") and not value.strip():
            problems.append(FolderProblem(filename, at, f"[{name}] {key} is empty"))
    return problems


def _check_fails(
    name: str, value: object, claim: object, at: int, filename: str
) -> list[FolderProblem]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return [FolderProblem(filename, at, f"[{name}] fails must be a name or a list of names")]
    if claim == "good":
        return [
            FolderProblem(
                filename, at, f"[{name}] is good, so nothing fails: remove fails, or claim bad"
            )
        ]
    if not names:
        return [FolderProblem(filename, at, f"[{name}] fails is empty: name what goes wrong")]
    return [
        FolderProblem(
            filename,
            at,
            f"[{name}] failure {n!r} is not a name: kebab-case words (stale-config) "
            "or error:<Type> (error:KeyError)",
        )
        for n in names
        if not FAILURE_NAME.fullmatch(n)
    ]


def load_claims(toml_text: str, filename: str = CLAIMS_FILE) -> list[Claim]:
    """The claims in the text; raises `LoadError` listing every problem if any."""
    claims, problems = parse_claims(toml_text, filename)
    if problems:
        raise LoadError(problems)
    return claims


def check_claims(
    claims: Iterable[Claim],
    *,
    snippets: Iterable[str],
    scenarios: Iterable[str] | None,
    snippet_path: Callable[[str], str] = lambda name: f"{name}.py",
) -> list[FolderProblem]:
    """Problems between claims, snippet files and scenarios.

    Args:
        claims: The folder's claims.
        snippets: The stems of the folder's snippet files (helper modules excluded).
        scenarios: The scenario names `scenarios.py` defines (None: not checked,
            because scenarios.py itself could not be loaded).
        snippet_path: A snippet's path from its stem, for messages.

    Reports: a snippet file without a claim, a claim without a file, an unknown
    scenario, a `fixes` naming a missing snippet, a bad snippet, a good snippet, or
    one under another scenario, and a `modules` entry naming a missing file.
    """
    by_name = {claim.name: claim for claim in claims}
    names = set(snippets)
    known = sorted(scenarios) if scenarios is not None else None
    helpers = {module for claim in by_name.values() for module in claim.modules}
    problems = [
        FolderProblem(
            snippet_path(name), 0, f"no claim for {name!r}: add a [{name}] table to claims.toml"
        )
        for name in sorted(names - set(by_name) - helpers)
    ]
    for claim in by_name.values():
        where = claim.filename
        if claim.name not in names:
            problems.append(
                FolderProblem(
                    where, claim.line, f"[{claim.name}] has no snippet file {claim.name}.py"
                )
            )
        if known is not None and claim.scenario and claim.scenario not in known:
            problems.append(
                FolderProblem(
                    where,
                    claim.line_of("scenario"),
                    f"[{claim.name}] scenario {claim.scenario!r} is not a function in "
                    f"scenarios.py (defined: {', '.join(known) or 'none'})",
                )
            )
        for module in claim.modules:
            if module not in names:
                problems.append(
                    FolderProblem(
                        where,
                        claim.line_of("modules"),
                        f"[{claim.name}] module {module!r} has no file {module}.py",
                    )
                )
        problems.extend(_check_fix(claim, by_name))
    return sorted(problems)


def _check_fix(claim: Claim, by_name: Mapping[str, Claim]) -> list[FolderProblem]:
    if claim.fixes is None or claim.claim == UNPROVEN:  # the table's own check says it
        return []
    where, line = claim.filename, claim.line_of("fixes")
    target = by_name.get(claim.fixes)
    if claim.claim == "bad":
        message = f"[{claim.name}] is bad, so it cannot fix {claim.fixes!r}: only good ones fix"
        return [FolderProblem(where, line, message)]
    if target is None:
        return [
            FolderProblem(where, line, f"[{claim.name}] fixes {claim.fixes!r}, which has no claim")
        ]
    if target.claim != "bad":
        return [
            FolderProblem(
                where,
                line,
                f"[{claim.name}] fixes {claim.fixes!r}, which is claimed {target.claim!r}: "
                "a fix must name a bad snippet",
            )
        ]
    if target.scenario != claim.scenario:
        return [
            FolderProblem(
                where,
                line,
                f"[{claim.name}] fixes {claim.fixes!r} but is checked by scenario "
                f"{claim.scenario!r}, and {claim.fixes!r} by {target.scenario!r}: "
                "a fix must use the same scenario",
            )
        ]
    return []


def load_scenarios(source: str, filename: str = SCENARIOS_FILE) -> dict[str, Scenario]:
    """The public functions `scenarios.py` defines, by name.

    The text runs in a fresh module namespace (registered in `sys.modules` only while
    it runs). Functions imported from elsewhere and names starting with `_` are not
    scenarios.

    Raises:
        LoadError: The text does not compile or raises while it runs (with its line).
    """
    name = "_sima_scenarios_" + re.sub(r"\W", "_", filename)
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise LoadError(
            [FolderProblem(filename, exc.lineno or 0, f"SyntaxError: {exc.msg}")]
        ) from None
    module = types.ModuleType(name)
    module.__file__ = filename
    saved = sys.modules.get(name)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        line = 0
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        raise LoadError(
            [FolderProblem(filename, line, f"scenarios.py raised {type(exc).__name__}: {exc}")]
        ) from None
    finally:
        if saved is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = saved
    return {
        key: value
        for key, value in module.__dict__.items()
        if not key.startswith("_")
        and isinstance(value, types.FunctionType)
        and value.__module__ == name
    }


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


@dataclass
class Folder:
    """A snippet folder, read: claims, scenarios, snippets, and every problem found.

    Attributes:
        path: The folder, as messages show it.
        ref_id: The folder's name: the entry's REF-ID.
        claims: Claims by name.
        scenarios: Scenario functions by name.
        snippets: The snippet files, sorted by name.
        problems: Everything wrong, sorted; empty when the folder is sound.
    """

    path: str
    ref_id: str
    claims: dict[str, Claim]
    scenarios: dict[str, Scenario]
    snippets: list[SnippetSpec]
    problems: list[FolderProblem]

    def snippet(self, name: str) -> SnippetSpec:
        """The snippet with that stem (KeyError if none)."""
        for spec in self.snippets:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def verify(self, name: str) -> Outcome:
        """Check one snippet's claim (see [`verify`][sima_lab.verify.verify])."""
        spec = self.snippet(name)
        if spec.claim is None:
            raise KeyError(f"{spec.path} has no claim")
        return verify(
            spec.source, spec.claim, self.scenarios, filename=spec.path, modules=spec.modules
        )

    def verify_all(self) -> list[Outcome]:
        """Check every snippet that has a proven claim (good or bad), in name order."""
        return [
            self.verify(spec.name)
            for spec in self.snippets
            if spec.claim is not None and spec.claim.proven
        ]


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
    """Read a snippet folder; report every problem as a value, never raise for one.

    Args:
        path: The folder, `snippets/<REF-ID>`.
        root: Show paths relative to this folder (e.g. the project root); by default
            they are shown as `path` was given.
    """
    folder = Path(path)
    base = Path(root) if root is not None else None
    shown = _display(folder, base)
    problems: list[FolderProblem] = []

    def rel(name: str) -> str:
        return f"{shown}/{name}"

    claims: list[Claim] = []
    claims_file = folder / CLAIMS_FILE
    if claims_file.is_file():
        text = _read(claims_file, rel(CLAIMS_FILE), problems)
        if text is not None:
            claims, found = parse_claims(text, rel(CLAIMS_FILE))
            problems.extend(found)
    else:
        problems.append(
            FolderProblem(rel(CLAIMS_FILE), 0, "missing: each snippet folder needs claims.toml")
        )

    scenarios: dict[str, Scenario] | None = None
    scenarios_file = folder / SCENARIOS_FILE
    if scenarios_file.is_file():
        text = _read(scenarios_file, rel(SCENARIOS_FILE), problems)
        if text is not None:
            try:
                scenarios = load_scenarios(text, rel(SCENARIOS_FILE))
            except LoadError as exc:
                problems.extend(exc.problems)
    elif claims and all(claim.claim == UNPROVEN for claim in claims):
        scenarios = {}  # nothing to check: a folder of unproven code needs no scenarios
    else:
        problems.append(
            FolderProblem(rel(SCENARIOS_FILE), 0, "missing: each snippet folder needs scenarios.py")
        )

    sources: dict[str, str] = {}
    unreadable: list[str] = []
    for file in sorted(folder.glob("*.py")):
        if file.name == SCENARIOS_FILE:
            continue
        text = _read(file, rel(file.name), problems)
        if text is None:
            unreadable.append(file.stem)  # reported; it still exists for its claim
            continue
        try:
            compile(text, rel(file.name), "exec", dont_inherit=True)
        except SyntaxError as exc:
            problems.append(
                FolderProblem(rel(file.name), exc.lineno or 0, f"SyntaxError: {exc.msg}")
            )
        sources[file.stem] = text

    by_name = {claim.name: claim for claim in claims}
    helpers = {m for claim in claims for m in claim.modules} - set(by_name)
    problems.extend(
        check_claims(
            claims,
            snippets=[*sources, *unreadable],
            scenarios=None if scenarios is None else list(scenarios),
            snippet_path=lambda name: rel(f"{name}.py"),
        )
    )
    snippets = [
        SnippetSpec(
            key=f"{folder.name}/{name}",
            name=name,
            path=rel(f"{name}.py"),
            source=text,
            claim=by_name.get(name),
            modules={
                m: sources[m]
                for m in (by_name[name].modules if name in by_name else ())
                if m in sources
            },
        )
        for name, text in sources.items()
        if name not in helpers
    ]
    bad_names = [n for n in sources if module_name(f"{n}.py") != n]
    problems.extend(
        FolderProblem(
            rel(f"{n}.py"), 0, f"{n!r} is not a usable module name (use letters, digits, _)"
        )
        for n in bad_names
    )
    return Folder(
        path=shown,
        ref_id=folder.name,
        claims=by_name,
        scenarios=scenarios or {},
        snippets=snippets,
        problems=sorted(set(problems)),
    )
