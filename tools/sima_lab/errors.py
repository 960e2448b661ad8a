"""Errors and problems of the lab.

Three kinds of trouble are kept apart:

- [`FolderProblem`][sima_lab.records.FolderProblem] (a record, in
  [`sima_lab.records`][sima_lab.records]): something wrong in a snippet folder's files
  (a syntax error, a claim without a file...). Loaders report these as values;
  [`LoadError`][sima_lab.errors.LoadError] carries them from a strict loader.
- [`LabError`][sima_lab.errors.LabError]: a scenario used the lab wrongly (for
  example it named a container that was already retired). A scenario that raises is
  an error of the check, reported with the scenario's file and line.
- [`SnippetHalted`][sima_lab.errors.SnippetHalted]: the lab stopped snippet code that
  would never finish (an endless loop). It derives from `BaseException` so that a
  snippet's `except Exception:` cannot swallow it.
- [`Interrupted`][sima_lab.errors.Interrupted]: the lab's caller (a person pressing
  Ctrl+C at `sima verify`) stops it; the one exception a container lets through.

Exceptions that the simulated platform raises *inside* snippet code (too many
connections, a missing parameter, a full `/tmp`...) are ordinary exceptions defined in
[`sima_lab.fakes`][sima_lab.fakes]; they are recorded on the invocation, not raised
to the scenario.
"""

from __future__ import annotations

from sima_lab.records import FolderProblem


class LabError(Exception):
    """A scenario asked the lab for something it cannot do."""


class LoadError(Exception):
    """Text given to a strict loader had problems.

    Attributes:
        problems: Every problem found, in file order.
    """

    def __init__(self, problems: list[FolderProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems) or "load error")


class SnippetHalted(BaseException):
    """The lab stopped snippet code: it ran past the step budget (an endless loop?).

    Attributes:
        filename: The snippet file that was running.
        line: The line it was on when stopped.
        phase: `init` (module code during a cold start) or `handler`.
        steps: The step budget that was exhausted.
        reason: What happened, without the file and line.
    """

    def __init__(self, filename: str, line: int, phase: str, steps: int) -> None:
        self.filename = filename
        self.line = line
        self.phase = phase
        self.steps = steps
        where = "module code (cold start)" if phase == "init" else "the handler"
        self.reason = f"stopped after {steps} steps in {where}: an endless loop?"
        super().__init__(f"{filename}:{line}: {self.reason}")

    def __str__(self) -> str:
        return str(self.args[0])


class PlatformAbort(BaseException):
    """The simulated platform ends an invocation: timeout, out of memory, init budget.

    Internal: raised inside snippet code by the lab's fakes and caught by the
    container, which records it on the invocation (as `error.type` = `kind`) and
    retires the container, as AWS Lambda replaces an environment after such a failure.
    It derives from `BaseException` so that a snippet's `except Exception:` cannot
    swallow it.

    Attributes:
        kind: `Timeout`, `InitTimeout`, `OutOfMemory` or `ExitError`.
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


class Interrupted(BaseException):
    """Raised from outside the lab (the `sima` command's Ctrl+C handler) to stop it.

    A container records every other exception snippet code raises, `SystemExit` and
    `KeyboardInterrupt` included, as that invocation's error; this one it lets
    through, so that the person running the command can still stop it.
    """
