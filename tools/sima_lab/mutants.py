"""Mutants: broken variants of a snippet that its claim must reject.

A claim is evidence only if it can fail. A bad claim that names what goes wrong
(`fails = ["tmp-full"]`) must not hold for code that goes wrong in some other way, and
a good claim must not hold for code that does not do its job. So for every snippet the
lab generates variants that are broken for no reason the claim could expect, checks
each against the snippet's own claim, and expects every one to be *rejected*: its
check must come out `fail`, never `pass`.

The variants change what the platform (or, for a module of a package, the rest of the
package) calls: the snippet's `handler`, or, where the snippet defines none, every
public function it defines at module level. They are written as code appended to the
snippet, so every line of the original keeps its number:

| kind | what the variant does |
|---|---|
| `raises` | each target raises an error no claim expects, before doing anything |
| `does-nothing` | each target returns None at once |
| `drops-answer` | each target does its work, then returns None |
| `fails-after` | each target does its work, then raises an error no claim expects |
| `init-fails` | the module code runs, then raises: every cold start fails |

The error is `UnrelatedError`, a class the variant defines, so no `fails` entry of a
real claim can name it by accident.

A variant that behaves exactly as the snippet does (the same answers, errors and
counts in every invocation: `drops-answer` of a handler that always raises, say) is
*equivalent*: no check could tell the two apart, so it is reported as such and not
held against the claim.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from sima_lab.answers import text_of
from sima_lab.folder import Folder
from sima_lab.limits import LabSettings
from sima_lab.records import Claim, Invocation, Outcome
from sima_lab.verify import Scenario, verify

KINDS: Mapping[str, str] = {
    "raises": "raises an unrelated error before doing anything",
    "does-nothing": "returns None without doing anything",
    "drops-answer": "does its work, then returns None",
    "fails-after": "does its work, then raises an unrelated error",
    "init-fails": "its module code raises an unrelated error after running",
}
"""Every kind of variant, with what it does, in the order they are generated."""

_ERROR = '''

class UnrelatedError(Exception):
    """Raised by a mutant of this snippet: no claim expects it."""
'''

_BODIES: Mapping[str, str] = {
    "raises": '    raise UnrelatedError("mutant: {name} raises")\n',
    "does-nothing": "    return None\n",
    "drops-answer": "    _mutant_{name}(*args, **kwargs)\n    return None\n",
    "fails-after": (
        "    _mutant_{name}(*args, **kwargs)\n"
        '    raise UnrelatedError("mutant: {name} failed after its work")\n'
    ),
}


@dataclass(frozen=True)
class Mutant:
    """One broken variant of a snippet.

    Attributes:
        kind: One of [`KINDS`][sima_lab.mutants.KINDS].
        targets: The functions it changes (empty for `init-fails`).
        source: The variant's code: the snippet's, with the change appended.
    """

    kind: str
    targets: tuple[str, ...]
    source: str

    @property
    def describe(self) -> str:
        """What the variant does, as a phrase: 'handler raises an unrelated error...'."""
        if not self.targets:
            return KINDS[self.kind]
        return f"{', '.join(self.targets)} {KINDS[self.kind]}"


def targets(source: str) -> tuple[str, ...]:
    """What the variants change: `handler` if the module defines one, else its public
    module-level functions (an empty tuple when the source does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    functions = [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and not node.name.startswith("_")
    ]
    if "handler" in functions:
        return ("handler",)
    return tuple(dict.fromkeys(functions))


def mutants(source: str) -> list[Mutant]:
    """Every variant of `source`, one per kind (those with no target are left out)."""
    names = targets(source)
    found: list[Mutant] = []
    base = source if source.endswith("\n") else source + "\n"
    for kind in KINDS:
        if kind == "init-fails":
            extra = f'{_ERROR}\n\nraise UnrelatedError("mutant: the module code fails")\n'
            found.append(Mutant(kind, (), base + extra))
            continue
        if not names:
            continue
        parts = [_ERROR]
        for name in names:
            keep = f"\n_mutant_{name} = {name}\n" if "_mutant_" in _BODIES[kind] else "\n"
            body = _BODIES[kind].format(name=name)
            parts.append(f"{keep}\ndef {name}(*args, **kwargs):\n{body}")
        found.append(Mutant(kind, names, base + "".join(parts)))
    return found


@dataclass(frozen=True)
class Trial:
    """One variant checked against the snippet's claim.

    Attributes:
        mutant: The variant.
        outcome: Its check.
    """

    mutant: Mutant
    outcome: Outcome
    equivalent: bool = False

    @property
    def rejected(self) -> bool:
        """True when the claim did not hold for the variant and the check ran cleanly,
        or when the variant is equivalent to the snippet (nothing could reject it)."""
        return self.outcome.status == "fail" or self.equivalent

    def format(self, path: str) -> str:
        """One line: `path: mutant <kind> (what it does): rejected|SURVIVED|ERROR ...`."""
        head = f"{path}: mutant {self.mutant.kind} ({self.mutant.describe})"
        if self.equivalent:
            return f"{head}: equivalent (it behaves exactly as the snippet)"
        if self.rejected:
            return f"{head}: rejected"
        if self.outcome.status == "pass":
            seen = self.outcome.verdict.observed if self.outcome.verdict else ""
            return (
                f"{head}: SURVIVED: the claim still holds, so its scenario cannot tell this "
                f"snippet from a broken one ({seen})"
            )
        return f"{head}: ERROR: the check could not judge it: {self.outcome.message}"


def trials(
    source: str,
    claim: Claim,
    scenarios: Mapping[str, Scenario],
    *,
    filename: str,
    modules: Mapping[str, str] | None = None,
    settings: LabSettings | None = None,
) -> list[Trial]:
    """Check every variant of `source` against `claim` (see [`verify`][sima_lab.verify.verify])."""

    def check(code: str) -> Outcome:
        return verify(code, claim, scenarios, filename=filename, modules=modules, settings=settings)

    original = _behaviour(check(source).trace)
    found: list[Trial] = []
    for mutant in mutants(source):
        outcome = check(mutant.source)
        found.append(Trial(mutant, outcome, _behaviour(outcome.trace) == original))
    return found


def _behaviour(trace: list[Invocation]) -> list[tuple[object, ...]]:
    """What a check can see of each invocation: where, answer, error, counts."""
    return [
        (
            r.container_id,
            r.cold,
            text_of(r.result),
            (r.error.type, r.error.line, r.error.message) if r.error else None,
            tuple(sorted(r.counts.items())),
        )
        for r in trace
    ]


def folder_trials(folder: Folder) -> dict[str, list[Trial]]:
    """Every snippet of a folder with a proven claim, by name, with the trials of its
    variants (unproven code has no check that could reject one)."""
    found: dict[str, list[Trial]] = {}
    for spec in folder.snippets:
        if spec.claim is None or not spec.claim.proven:
            continue
        found[spec.name] = trials(
            spec.source,
            spec.claim,
            folder.scenarios,
            filename=spec.path,
            modules=spec.modules,
        )
    return found
