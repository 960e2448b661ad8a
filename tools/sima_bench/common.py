"""What every benchmark shares: statistics, the machine, the results folder."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path("bench/results")


@dataclass(frozen=True)
class Figure:
    """One measured quantity: the median of several runs, with min and max."""

    median: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Figure:
        if not samples:
            raise ValueError("no samples")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples))

    def ratio_to(self, base: Figure) -> float:
        """Median over the baseline's median."""
        return self.median / base.median


def machine() -> dict[str, Any]:
    """Cores, memory and software, recorded beside every result."""
    memory_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write(name: str, data: dict[str, Any], root: Path) -> Path:
    """Write `bench/results/<name>.json` (figures turned into plain dicts)."""

    def plain(value: Any) -> Any:
        if isinstance(value, Figure):
            return asdict(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    path = root / RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), **plain(data)}, indent=2) + "\n")
    return path


def arguments(doc: str | None, runs: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: `--runs` and `--root` (the project folder)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    return parser


def record(name: str, data: dict[str, Any], runs: int, root: Path, summary: str) -> int:
    """Write the results with their run count, print the summary and the file; exit 0."""
    data["runs"] = runs
    path = write(name, data, root)
    print(summary)
    print(f"wrote {path}")
    return 0
