"""The lab's plain records: what a run, a check and a claims file produce.

Every module of the lab that only *reads* these values imports them from here, and
this module imports nothing from the lab, so it sits at the bottom of the lab's
import graph:

- [`Verdict`][sima_lab.records.Verdict]: what a scenario concludes, with the names of
  what went wrong ([`FAILURE_NAME`][sima_lab.records.FAILURE_NAME] says their form);
- [`Invocation`][sima_lab.records.Invocation]: the record of one invocation, and
  [`ErrorInfo`][sima_lab.records.ErrorInfo], the error that ended it;
- [`Claim`][sima_lab.records.Claim]: one snippet's claim as `claims.toml` declares it
  ([`CLAIM_VALUES`][sima_lab.records.CLAIM_VALUES] and
  [`UNPROVEN`][sima_lab.records.UNPROVEN]: what `claim` may say);
- [`Outcome`][sima_lab.records.Outcome]: the result of checking one claim;
- [`FolderProblem`][sima_lab.records.FolderProblem]: something wrong in a snippet
  folder's files, with its path and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

CLAIM_VALUES = ("good", "bad")
"""The claims a scenario proves."""

UNPROVEN = "unproven"
"""A claim no scenario proves yet (an imported code block): shown, never checked."""

FAILURE_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?::[A-Za-z_][A-Za-z0-9_.]*)?")
"""What a failure's name looks like: kebab-case words (`stale-config`), or `error:`
and an exception's type name, for an error nobody expected (`error:KeyError`)."""


@dataclass(frozen=True)
class Verdict:
    """What a scenario concludes about the snippet it ran.

    Attributes:
        observed: One sentence of what the lab saw, with the numbers of the run.
        failures: The names of what went wrong (`leak`, `tmp-full`, `wrong-answer`,
            `error:KeyError`): empty when the behaviour the scenario checks for was
            right. A bad claim declares the names it expects (`fails` in
            `claims.toml`), and the check compares them with these.

    Raises:
        ValueError: A failure's name is not of the form of
            [`FAILURE_NAME`][sima_lab.records.FAILURE_NAME].
    """

    observed: str
    failures: AbstractSet[str] = frozenset()

    def __post_init__(self) -> None:
        failures = self.failures
        if isinstance(failures, str) or not all(isinstance(f, str) for f in failures):
            raise ValueError(f"failures must be a set of names, not {failures!r}")
        object.__setattr__(self, "failures", frozenset(failures))
        for name in self.failures:
            if not FAILURE_NAME.fullmatch(name):
                raise ValueError(f"failure name {name!r} is not kebab-case words (or error:<Type>)")

    @property
    def good(self) -> bool:
        """True when nothing went wrong."""
        return not self.failures


@dataclass(frozen=True)
class ErrorInfo:
    """An exception that ended a phase of an invocation.

    Attributes:
        type: The exception's class name (`UnboundLocalError`), or the platform's
            failure: `Timeout`, `InitTimeout`, `OutOfMemory`, `ExitError`,
            `HandlerNotFound`, `SnippetHalted`.
        message: The exception's text (for `OSError`, the errno's name rather than
            its number, which differs between platforms: `[ENOSPC] No space...`).
        phase: `init` (module code of a cold start) or `handler`.
        filename: The snippet file where it happened, when known.
        line: The line in that file, when known.
    """

    type: str
    message: str
    phase: str
    filename: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.type}: {self.message}{where}" if self.message else f"{self.type}{where}"


@dataclass(frozen=True)
class Invocation:
    """The record of one invocation: where it ran, how long it took, what it did.

    Attributes:
        number: 1, 2... in the order the lab ran them.
        container_id: The container that served it (`c1`...).
        cold: True when it started a new container (its module code ran first).
        event: The event it was given.
        result: What the handler returned (None on error): a deep copy taken when it
            returned, as the platform serialises the response, so later changes to
            module state do not show in earlier records.
        error: What ended it with an error, or None.
        start_ms: Virtual time it started, in milliseconds since the lab began.
        init_ms: Virtual time of the module code, for a cold start (else 0).
        duration_ms: Virtual time in all: module code (if cold) plus handler.
        counts: What the fakes did during it, e.g. `{"db.connect": 1}` (non-zero only).
        init_counts: The part of `counts` done by the module code of a cold start (in
            the init phase, before the handler); empty for a warm start.
        state_changes: How the handler changed module state and singletons, one
            line per name (`+name = ...`, `name: old -> new`, `-name`).
        memory_mb: The container's memory in use afterwards.
        tmp_mb: The container's `/tmp` in use afterwards.
        request_id: `context.aws_request_id`; a retry of an event keeps the request
            id of its first attempt, as Lambda's retries do.
        output: What the code printed.
        notes: What the platform did around it (a container retired...).
        attempt: Which delivery attempt of its event this was: 1, then 2 and 3 for
            the retries of `Lab.deliver` after an error.
        timed_out: True when the function timeout killed it (`error.type` is
            `Timeout`): the work in flight was cut off, what it wrote before stays.
        restored: True for the first invocation of a container restored from a
            SnapStart snapshot: its module code did not run, its after-restore hooks did
            (`init_ms` and `init_counts` are theirs).
        background_done: Background tasks whose work completed and whose function
            ran during this invocation (by name; a task may have been started by an
            earlier invocation).
        background_frozen: Background tasks left unfinished when the container froze
            after this invocation.
    """

    number: int
    container_id: str
    cold: bool
    event: Any
    result: Any
    error: ErrorInfo | None
    start_ms: float
    init_ms: float
    duration_ms: float
    counts: Mapping[str, int]
    state_changes: tuple[str, ...]
    memory_mb: float
    tmp_mb: float
    request_id: str
    output: str = ""
    notes: tuple[str, ...] = field(default=())
    init_counts: Mapping[str, int] = field(default_factory=dict)
    attempt: int = 1
    timed_out: bool = False
    restored: bool = False
    background_done: tuple[str, ...] = ()
    background_frozen: tuple[str, ...] = ()

    def handler_counts(self, key: str) -> int:
        """How often the handler (not the module code) did `key`, e.g. `db.connect`."""
        return self.counts.get(key, 0) - self.init_counts.get(key, 0)

    @property
    def ok(self) -> bool:
        """True when it ended without an error."""
        return self.error is None

    @property
    def error_type(self) -> str | None:
        """The error's type name, or None."""
        return self.error.type if self.error else None


@dataclass(frozen=True)
class Claim:
    """One snippet's claim, as `claims.toml` declares it.

    Attributes:
        name: The table's name: the snippet file's stem.
        claim: `good`, `bad` or `unproven` (anything else is reported as a problem).
        says: One sentence: what happens when this code runs.
        scenario: The name of the scenario function that checks it.
        fails: On a bad snippet, the names of the failures its scenario must observe
            (no more, no fewer): `("leak",)`. Empty on a good one.
        fixes: On a good snippet, the bad snippet it fixes (same scenario), or None.
        modules: Other files of the folder the snippet imports, by module name.
        line: Line of the table's header in `claims.toml` (0 if unknown).
        filename: The claims file, as messages show it.
        key_lines: (key, line) for each key written in the table.
    """

    name: str
    claim: str
    says: str
    scenario: str
    fails: tuple[str, ...] = ()
    fixes: str | None = None
    modules: tuple[str, ...] = ()
    line: int = 0
    filename: str = "claims.toml"
    key_lines: tuple[tuple[str, int], ...] = field(default=(), repr=False)

    def line_of(self, key: str) -> int:
        """The line of `key` in the table, else the table's own line."""
        return dict(self.key_lines).get(key, self.line)

    @property
    def proven(self) -> bool:
        """True for a `good` or `bad` claim, which a scenario checks; False for
        `unproven` code, which is shown but never checked."""
        return self.claim in CLAIM_VALUES


@dataclass(frozen=True)
class Outcome:
    """The result of checking one snippet's claim.

    Attributes:
        name: The claim's name (the snippet file's stem).
        filename: The snippet file, as messages show it.
        declared: What the claim says: `good` or `bad`.
        observed: What the check observed (`good` or `bad`), or None if it never ran.
        declared_failures: What the claim says fails (`fails`; empty for good).
        observed_failures: What the check observed failing, sorted (empty when it
            observed good or never ran).
        status: `pass` (observed == declared, and for a bad claim the failures
            observed are exactly those declared), `fail` (it ran and disagreed), or
            `error` (it could not run: syntax error, scenario crashed or returned no
            verdict, snippet stopped as an endless loop, unknown scenario).
        problem: For `fail` and `error`, what went wrong and where: the path and line
            it points at (the snippet's, the scenario's or the claim's) as fields;
            None for `pass`.
        verdict: The scenario's verdict, when it returned one.
        trace: The invocations the scenario ran.
    """

    name: str
    filename: str
    declared: str
    observed: str | None
    status: str
    problem: FolderProblem | None
    verdict: Verdict | None
    trace: list[Invocation]
    declared_failures: tuple[str, ...] = ()
    observed_failures: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        """True when the check observed what the claim declares, for its reason."""
        return (
            self.observed is not None
            and self.observed == self.declared
            and set(self.observed_failures) == set(self.declared_failures)
        )

    @property
    def message(self) -> str:
        """The problem as one line, `path:line: text` (`path: text` with no line);
        empty for `pass`."""
        return str(self.problem) if self.problem is not None else ""


@dataclass(frozen=True, order=True)
class FolderProblem:
    """A problem in a snippet folder, printed as `path:line: message`.

    Attributes:
        path: The file, as the loader was given it (for example
            `snippets/LESS-22/claims.toml`).
        line: 1-based line number, or 0 when the problem concerns the whole file.
        message: What is wrong and, where it helps, what was expected.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"
