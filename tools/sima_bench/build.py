"""Build time with the plugin against plain mkdocs-material, on synthetic knowledge bases.

For each size, one generation gives two projects with the same Markdown (see
[`sima_bench.synth`][sima_bench.synth]); both are built with `mkdocs build`, in
alternation, several times, in this one run. Reported: medians with min and max,
the overhead ratio (plugin / plain) per size, and how build time grows with size.
"""

from __future__ import annotations

import itertools
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from sima_bench.common import Figure, arguments, record
from sima_bench.site import run_mkdocs, run_python
from sima_bench.synth import generate


def timed_build(project: Path, out: Path) -> float:
    """Seconds for one `mkdocs build` of `project` (a failed build stops the benchmark)."""
    start = time.perf_counter()
    result = run_mkdocs(project / "mkdocs.yml", "build", "-q", "-d", str(out))
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"build of {project} failed:\n{result.stderr[-2000:]}")
    return seconds


#: Where a build's time goes: label -> (file path suffix, function name), cumulative.
PHASES = {
    "Markdown to HTML (Python-Markdown)": ("markdown/core.py", "convert"),
    "page templates (Material, Jinja)": ("jinja2/environment.py", "render"),
    "search index (Material search plugin)": (
        "material/plugins/search/plugin.py",
        "on_page_context",
    ),
    "sima: entry, index and graph pages": ("sima/plugin.py", "on_files"),
    "sima: reading and checking entries": ("sima/plugin.py", "on_pre_build"),
    "sima: graphs into the HTML": ("sima/plugin.py", "on_post_page"),
}
TOTAL = ("mkdocs/commands/build.py", "build")


def profile(size: int, node_modules: Path, top: int = 12) -> dict[str, Any]:
    """One plugin build of `size` entries under cProfile: shares by phase, top functions.

    Shares, not seconds: profiling slows Python code by about half again.
    """
    with tempfile.TemporaryDirectory() as tmp:
        made = generate(Path(tmp), size, node_modules=node_modules)
        out = Path(tmp) / "build.prof"
        args = ["-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q"]
        result = run_python(*args, "-f", str(made.kb / "mkdocs.yml"), "-d", str(Path(tmp) / "s"))
        if result.returncode != 0:
            raise SystemExit(f"profiled build failed:\n{result.stderr[-2000:]}")
        stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]

    def cumulative(suffix: str, name: str) -> float:
        return float(
            sum(
                row[3]
                for (file, _, func), row in stats.items()
                if func == name and file.endswith(suffix)
            )
        )

    total = cumulative(*TOTAL)
    phases = {label: round(cumulative(*where) / total, 3) for label, where in PHASES.items()}
    phases["everything else (files, nav, sitemap, writing)"] = round(1 - sum(phases.values()), 3)
    own = sorted(stats.items(), key=lambda item: -item[1][2])[:top]
    return {
        "entries": size,
        "profiled_total_s": round(total, 1),
        "share_by_phase": phases,
        "top_own_time": [
            {
                "function": f"{_short(file)}:{line}({func})",
                "share": round(row[2] / total, 3),
                "calls": row[1],
            }
            for (file, line, func), row in own
        ],
    }


def _short(path: str) -> str:
    for marker in ("site-packages/", "tools/", "lib/python"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def measure(sizes: list[int], runs: int, node_modules: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            made = generate(Path(tmp), size, node_modules=node_modules)
            plugin: list[float] = []
            plain: list[float] = []
            for _ in range(runs):
                plugin.append(timed_build(made.kb, Path(tmp) / "kb-site"))
                plain.append(timed_build(made.plain, Path(tmp) / "plain-site"))
        with_plugin, baseline = Figure.of(plugin), Figure.of(plain)
        results[str(size)] = {
            "plugin_s": with_plugin,
            "plain_s": baseline,
            "overhead_ratio": round(with_plugin.ratio_to(baseline), 3),
        }
        print(
            f"{size:>6} entries: plugin {with_plugin.median:7.2f} s, plain "
            f"{baseline.median:7.2f} s, ratio {with_plugin.ratio_to(baseline):.2f}",
            flush=True,
        )
    growth = {}
    keys = sorted(results, key=int)
    for small, large in itertools.pairwise(keys):
        factor = int(large) / int(small)
        ratio = results[large]["plugin_s"].median / results[small]["plugin_s"].median
        growth[f"{large}/{small}"] = {"size_factor": factor, "time_factor": round(ratio, 2)}
    return {"unit": "seconds of wall time per mkdocs build", "sizes": results, "growth": growth}


def main(argv: list[str] | None = None) -> int:
    parser = arguments(__doc__, runs=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument(
        "--profile", type=int, metavar="SIZE", help="also profile one build of SIZE entries"
    )
    args = parser.parse_args(argv)
    data = measure(args.sizes, args.runs, (args.root / "node_modules").resolve())
    lines = [
        f"growth {key}: size x{value['size_factor']:.0f}, time x{value['time_factor']}"
        for key, value in data["growth"].items()
    ]
    if args.profile:
        data["profile"] = profile(args.profile, (args.root / "node_modules").resolve())
        lines.append(f"profile of one build of {args.profile} entries (share of the build):")
        lines += [f"  {s:6.1%}  {label}" for label, s in data["profile"]["share_by_phase"].items()]
    return record("build", data, args.runs, args.root, "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
