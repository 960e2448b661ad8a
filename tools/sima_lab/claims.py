"""Claims and scenarios: reading `claims.toml` and `scenarios.py` from their text.

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

Everything here works on text and needs no files:
[`parse_claims`][sima_lab.claims.parse_claims] (every claim and every problem of a
`claims.toml`), [`load_claims`][sima_lab.claims.load_claims] (the same, raising on a
problem), [`check_claims`][sima_lab.claims.check_claims] (the problems between claims,
snippet files and scenarios) and [`load_scenarios`][sima_lab.claims.load_scenarios]
(the functions of a `scenarios.py`). A whole folder is put together from its texts by
[`Folder.from_texts`][sima_lab.folder.Folder.from_texts], in
[`sima_lab.folder`][sima_lab.folder].
"""

from __future__ import annotations

import re
import sys
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sima_lab.errors import LoadError
from sima_lab.records import CLAIM_VALUES, FAILURE_NAME, UNPROVEN, Claim, FolderProblem
from sima_lab.verify import Scenario

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
