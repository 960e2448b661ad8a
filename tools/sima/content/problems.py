"""One shape for every content problem: where it is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a problem is. Both fail `sima check` and a strict build."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A problem in a content file, reported as `path:line: message`.

    Attributes:
        path: The file, as given to the loader (usually relative to the project root).
        line: 1-based line number, or 0 when the problem concerns the whole file.
        message: What is wrong and, where it helps, what was expected.
        severity: Errors stop a build at once; warnings fail only a strict build.
    """

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"
