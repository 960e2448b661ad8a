"""The benchmarks page: the committed results as tables and SVG plots.

Pure functions from the JSON files `make bench` writes (`bench/results/*.json`) to
Markdown. Plots are drawn with matplotlib's object API into SVG text at build time,
so the page loads nothing and the figures are searchable text. A missing result file
gives a note saying which command writes it, never a failed build.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure as Plot
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

Result = Mapping[str, Any]

#: Which command writes each results file.
COMMANDS = {
    "build": "python -m sima_bench.build --sizes 100 1000 5000 --runs 3 --profile 5000",
    "serve": "python -m sima_bench.serve --size 1000 --runs 3",
    "claims": "python -m sima_bench.claims --runs 5",
    "first_verdict": "python -m sima_bench.first_verdict --runs 5",
    "search": "python -m sima_bench.search --runs 5",
}
#: Two colours that read on the light and the (inverted) dark page.
PLUGIN, PLAIN = "#3f51b5", "#9e9e9e"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable, in the page's font
    "svg.hashsalt": "sima",  # stable element ids, so a rebuild gives the same page
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def load(folder: Path) -> dict[str, Result]:
    """Every `<name>.json` of `folder` that parses, by name."""
    results: dict[str, Result] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            results[path.stem] = data
    return results


def svg(plot: Plot, label: str) -> str:
    """The plot as inline SVG text, labelled for assistive technology."""
    buffer = io.StringIO()
    plot.savefig(
        buffer, format="svg", bbox_inches="tight", transparent=True, metadata={"Date": None}
    )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML prolog or doctype inside HTML
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    return text.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def figure(plot: Plot, label: str, caption: str) -> str:
    return (
        f'<figure class="sima-plot">{svg(plot, label)}'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _new_plot(width: float = 6.4, height: float = 3.0) -> Plot:
    return Plot(figsize=(width, height), layout="constrained")


def _plain_log_axis(axis: Any) -> None:
    """Log scale with ticks at 1, 2 and 5 of each decade, labelled as plain numbers."""
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(
        FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1 else f"{value:g}")
    )
    axis.set_minor_formatter(NullFormatter())


def _fig(data: Mapping[str, Any]) -> str:
    """`median (min to max)` of a figure dict, in its own unit."""
    return f"{_num(data['median'])} ({_num(data['min'])}&ndash;{_num(data['max'])})"


def _num(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def machine(result: Result) -> str:
    info = result.get("machine", {})
    return (
        f"*Measured on {info.get('cores', '?')} cores, {info.get('memory_gib', '?')} GiB, "
        f"Python {info.get('python', '?')}, {info.get('platform', '?')}; "
        f"{result.get('runs', '?')} runs per figure, shown as median (min&ndash;max).*"
    )


def missing(name: str) -> list[str]:
    return [f"Not measured yet: `{COMMANDS[name]}` writes `bench/results/{name}.json`.", ""]


def build_section(result: Result) -> list[str]:
    sizes = result["sizes"]
    keys = sorted(sizes, key=int)
    rows = [
        [
            f"{int(k):,}",
            _fig(sizes[k]["plugin_s"]),
            _fig(sizes[k]["plain_s"]),
            f"{sizes[k]['overhead_ratio']:.2f}",
        ]
        for k in keys
    ]
    out = [machine(result), ""]
    out += _table(["entries", "with the plugin (s)", "plain Material (s)", "ratio"], rows)
    growth = result.get("growth", {})
    if growth:
        out += _table(
            ["sizes", "entries &times;", "build time &times;"],
            [[k, f"{v['size_factor']:.0f}", f"{v['time_factor']:.2f}"] for k, v in growth.items()],
        )
    plot = _new_plot()
    ax = plot.subplots()
    x = [int(k) for k in keys]
    for series, colour, label in (
        ("plugin_s", PLUGIN, "with the plugin"),
        ("plain_s", PLAIN, "plain"),
    ):
        ys = [sizes[k][series]["median"] for k in keys]
        low = [sizes[k][series]["median"] - sizes[k][series]["min"] for k in keys]
        high = [sizes[k][series]["max"] - sizes[k][series]["median"] for k in keys]
        ax.errorbar(x, ys, yerr=[low, high], marker="o", color=colour, label=label, capsize=3)
    if "1000" in sizes:  # where linear growth from 1,000 entries would be
        base = sizes["1000"]["plugin_s"]["median"] / 1000
        ax.plot(x, [base * n for n in x], linestyle=":", color=PLUGIN, label="linear from 1,000")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _plain_log_axis(ax.yaxis)
    ax.set_xticks(x, [f"{n:,}" for n in x])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("entries")
    ax.set_ylabel("seconds per build")
    ax.legend(frameon=False)
    out.append(
        figure(
            plot,
            "Build time against entry count, with the plugin and plain, log scales",
            "Build time by entry count (log-log: a straight line of slope 1 is linear growth).",
        )
    )
    out.append("")
    profile = result.get("profile")
    if profile:
        out += [
            f"Where the time goes in one profiled build of {profile['entries']:,} entries "
            "(share of the whole build):",
            "",
        ]
        shares = profile["share_by_phase"]
        out += _table(["phase", "share"], [[k, f"{v:.0%}"] for k, v in shares.items()])
        top = profile.get("top_own_time", [])[:8]
        if top:
            out += ["The functions with the most time of their own:", ""]
            out += _table(
                ["function", "share", "calls"],
                [[f"`{t['function']}`", f"{t['share']:.1%}", f"{t['calls']:,}"] for t in top],
            )
    return out


def serve_section(result: Result) -> list[str]:
    rows = [
        ["with the plugin", _fig(result["plugin_s"])],
        ["plain Material", _fig(result["plain_s"])],
        ["ratio", f"{result['ratio']:.2f}"],
    ]
    out = [
        machine(result),
        "",
        f"Edit one of {result['entries']:,} entries ({result['edited']}) under `mkdocs serve`; "
        "seconds until the served page shows the edit:",
        "",
        *_table(["", "seconds"], rows),
    ]
    own = result.get("this_site")
    if own:
        out += [
            "",
            f"This site ({own['entries']} entries, its snippets proven and its runner "
            f"built), editing {own['edited']}: {_fig(own['seconds'])} s.",
        ]
    return out


def claims_section(result: Result) -> list[str]:
    rows = [
        ["`sima verify` (CPython, whole command)", _fig(result["sima_verify_s"]), "1"],
        [
            f"Pyodide {result['pyodide']} in Node (whole process)",
            _fig(result["pyodide_node_s"]),
            f"{result['ratio_wall']:.2f}",
        ],
        ["of which loading Pyodide and the lab", _fig(result["pyodide_load_s"]), ""],
        ["claims alone, CPython", _fig(result["cpython_claims_s"]), "1"],
        [
            "claims alone, Pyodide",
            _fig(result["pyodide_claims_s"]),
            f"{result['ratio_claims']:.2f}",
        ],
    ]
    return [
        machine(result),
        "",
        f"All {result['claims']} claims:",
        "",
        *_table(["", "seconds", "ratio"], rows),
    ]


#: What each runner series is, in the order of the tables.
RUNNER_SERIES = {
    "bare": "bare page: load Pyodide as shipped, run 1+1",
    "first": "fresh page, Run clicked at once",
    "first (snapshot)": "the same, start forced from the snapshot",
    "first (plain)": "the same, start forced plain",
    "warm": "warm re-run",
    "prefetched": "after 15 s on the page, snippet in view",
    "repeat": "repeat visit, new tab",
    "offline": "network cut after one visit",
}


def runner_targets(result: Result) -> list[list[str]]:
    """The issue's targets against what was measured: one row each."""
    profiles = result.get("profiles", {})

    def median(profile: str, series: str, block: str = "figures") -> float | None:
        found = profiles.get(profile, {}).get(block, {}).get(series)
        return None if found is None else float(found["median"])

    def row(what: str, value: float | None, limit: float, unit: str = "ms") -> list[str]:
        if value is None:
            return [what, f"at most {limit:,.0f} {unit}", "not measured", ""]
        met = "yes" if value <= limit else "**no**"
        return [what, f"at most {limit:,.0f} {unit}", f"{value:,.0f} {unit}", met]

    rows = [
        row("fresh page, click at once, 10 Mbit/s", median("10mbit", "first"), 6000),
        row("fresh page, click at once, unthrottled", median("unthrottled", "first"), 500),
        row("after 15 s on the page, 10 Mbit/s", median("10mbit", "prefetched"), 1000),
        row("repeat visit, 10 Mbit/s", median("10mbit", "repeat"), 500),
        row(
            "runtime bytes the server sent on the repeat visit",
            median("10mbit", "repeat_runtime_bytes", "first_run"),
            0,
            "bytes",
        ),
    ]
    offline = median("10mbit", "offline")
    failed = profiles.get("10mbit", {}).get("failures", {}).get("offline", 0)
    rows.append(
        [
            "network cut after one visit",
            "a verdict",
            "not measured"
            if offline is None and not failed
            else (f"verdict in {offline:,.0f} ms" if offline is not None else "no verdict"),
            "yes" if offline is not None and not failed else "**no**",
        ]
    )
    lighthouse = result.get("lighthouse")
    if lighthouse:
        pages = lighthouse["pages"]
        rows.append(
            row(
                "Lighthouse mobile: total blocking time, LESS-22",
                pages["LESS-22"]["tbt_ms"]["median"],
                200,
            )
        )
        ours, plain = pages["LESS-22"]["score"]["median"], pages["plain"]["score"]["median"]
        rows.append(
            [
                "Lighthouse mobile: performance score",
                f"at least the plain page's ({plain:.2f})",
                f"{ours:.2f}",
                "yes" if ours >= plain else "**no**",
            ]
        )
    ratio = result.get("page_weight_ratio")
    if ratio is not None:
        rows.append(
            [
                "page weight before interaction, to the plain page",
                "at most 1.5",
                f"{ratio:.2f}",
                "yes" if ratio <= 1.5 else "**no**",
            ]
        )
    return rows


def first_verdict_section(result: Result) -> list[str]:
    out = [machine(result), ""]
    out += [
        "Targets (LESS-22's first snippet; the site served by a plain static host that "
        "sends `Cache-Control: no-cache` and does not compress):",
        "",
        *_table(["target", "limit", "measured (median)", "met"], runner_targets(result)),
    ]
    for profile in result["profiles"].values():
        figures = profile["figures"]
        ratios = profile.get("ratios_to_bare", {})
        network = profile.get("network", {})
        if network.get("mbit_s"):
            what = f"{network['mbit_s']:g} Mbit/s, {network['latency_ms']:g} ms round trip"
        else:
            what = "unthrottled (localhost)"
        order = [k for k in RUNNER_SERIES if k in figures]
        rows = [[RUNNER_SERIES[k], _fig(figures[k]), f"{ratios.get(k, 1.0):.2f}"] for k in order]
        out += [f"Click to verdict, {what}:", ""]
        out += _table(["", "ms", "&times; bare"], rows)
        first = profile.get("first_run", {})
        extra = [
            (label, first[key]["median"])
            for key, label in (
                ("bytes", "bytes the server sent from the first click to its verdict"),
                ("bytes (snapshot)", "the same, start forced from the snapshot"),
                ("bytes (plain)", "the same, start forced plain"),
                ("repeat_runtime_bytes", "runtime bytes the server sent on the repeat visit"),
                ("repeat_bytes", "all bytes the server sent on the repeat visit"),
                ("long_tasks", "main-thread long tasks (>50 ms), first run"),
            )
            if key in first
        ]
        if extra:
            out += _table(["", "median"], [[label, f"{value:,.0f}"] for label, value in extra])
        if profile.get("failures"):
            listed = ", ".join(f"{k}: {v}" for k, v in sorted(profile["failures"].items()))
            out += [f"Samples without a verdict: {listed}.", ""]
    plot = _new_plot(height=3.2)
    ax = plot.subplots()
    labels: list[str] = []
    values: list[float] = []
    colours: list[str] = []
    for name, profile in result["profiles"].items():
        for key in ("bare", "first", "prefetched", "repeat"):
            if key in profile["figures"]:
                labels.append(f"{RUNNER_SERIES[key].split(':')[0]} ({name})")
                values.append(profile["figures"][key]["median"])
                colours.append(PLAIN if key == "bare" else PLUGIN)
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, values, color=colours)
    ax.set_yticks(ys, labels)
    ax.set_xscale("log")
    _plain_log_axis(ax.xaxis)
    ax.set_xlabel("ms from click to verdict (median, log scale)")
    out += [
        figure(plot, "Click-to-verdict times, log scale", "Click to verdict, median of the runs."),
        "",
    ]
    lighthouse = result.get("lighthouse")
    if lighthouse:
        names = {
            "LESS-22": "LESS-22",
            "plain": "the same Markdown, plain Material (snippets as fenced code)",
            "plain (prose only)": "the same Markdown, plain Material (no snippet code)",
            "guide": "the authoring guide (no snippets)",
        }
        rows = [
            [
                names.get(page, page),
                _fig(figs["score"]),
                _fig(figs["tbt_ms"]),
                _fig(figs["fcp_ms"]),
                _fig(figs["lcp_ms"]),
                _fig(figs["main_thread_ms"]) if "main_thread_ms" in figs else "",
                _fig(figs["a11y"]) if "a11y" in figs else "",
            ]
            for page, figs in lighthouse["pages"].items()
        ]
        out += [
            f"Lighthouse 12, mobile profile (simulated throttling), {lighthouse['runs']} runs "
            "per page, alternating:",
            "",
            *_table(
                [
                    "page",
                    "score",
                    "total blocking ms",
                    "FCP ms",
                    "LCP ms",
                    "main thread ms",
                    "accessibility",
                ],
                rows,
            ),
        ]
    out += weight_section(result)
    out += first_search_section(result)
    return out


def first_search_section(result: Result) -> list[str]:
    """What holding the search index until a reader is about to search costs them."""
    searches = result.get("first_search")
    if not searches:
        return []
    rows = []
    for name, search in searches.items():
        figs = search["figures"]
        ratio = search.get("ratio_to_plain")
        rows.append(
            [
                name,
                _fig(figs["LESS-22"]) if "LESS-22" in figs else "no result",
                _fig(figs["plain"]) if "plain" in figs else "no result",
                "" if ratio is None else f"{ratio:.2f}",
            ]
        )
    word = next(iter(searches.values()))["word"]
    return [
        "The search index waits until a reader is about to search, so the first search "
        "pays for it. From the `/` key on a fresh page to the first full-text result for "
        f"*{word}*, typed at once: LESS-22, whose index (the whole site's text) is "
        "fetched then, against the plain page, which fetched its own one-page index at "
        "load:",
        "",
        *_table(["profile", "LESS-22 ms", "plain page ms", "ratio"], rows),
    ]


def weight_section(result: Result) -> list[str]:
    ours = result["bytes_before_interaction"]
    theirs = result.get("plain_material_page")
    if theirs is None:
        return [
            f"Bytes before any interaction: {ours['total']:,} (Pyodide: {ours['pyodide']:,}).",
            "",
        ]
    kinds = sorted(set(ours["by_type"]) | set(theirs["by_type"]))
    rows = [
        [kind, f"{ours['by_type'].get(kind, 0):,}", f"{theirs['by_type'].get(kind, 0):,}"]
        for kind in kinds
    ]
    rows.append(["**sent by the server**", f"**{ours['total']:,}**", f"**{theirs['total']:,}**"])
    out = [
        "Bytes before any interaction: the LESS-22 page against the same Markdown as a "
        "plain Material page (each snippet's code as an ordinary fenced block), by type "
        "as the page received them, and in total as the server sent them (the service "
        f"worker keeping files included; ratio {ours['total'] / theirs['total']:.2f}; "
        f"Pyodide's share: {ours['pyodide']:,} bytes).",
        "",
        *_table(["type", "LESS-22", "plain page"], rows),
    ]
    prose = result.get("plain_prose_page")
    if prose is not None:
        out += [
            "",
            f"Against the prose alone as a plain page (its `@snippet` lines as text, no "
            f"code: {prose['total']:,} bytes), the ratio is "
            f"{ours['total'] / prose['total']:.2f}.",
        ]
    plot = _new_plot(height=1.8)
    ax = plot.subplots()
    for row, data in enumerate((theirs, ours)):
        left = 0.0
        for index, kind in enumerate(kinds):
            size = data["by_type"].get(kind, 0) / 1e6
            ax.barh(row, size, left=left, color=f"C{index}", label=kind if row == 0 else None)
            left += size
    ax.set_yticks([0, 1], ["plain page", "LESS-22"])
    ax.set_xlabel("MB before interaction")
    ax.legend(frameon=False, ncols=3, fontsize=8, loc="lower right")
    out += [figure(plot, "Page weight by resource type", "Page weight before interaction."), ""]
    return out


def search_section(result: Result) -> list[str]:
    times = result["keystroke_ms"]
    ratios = result.get("keystroke_ratio_with_to_without", {})
    rows = [
        [
            f"`{q}`",
            kind,
            _fig(times["with"][q]),
            _fig(times["without"][q]),
            f"{ratios.get(q, 0):.2f}",
        ]
        for q, kind in result["queries"].items()
    ]
    index = result["index_bytes"]
    return [
        machine(result),
        "",
        f"At {result['entries']:,} entries, from the last keystroke to the answer on screen:",
        "",
        *_table(["query", "kind", "with the ID index (ms)", "without (ms)", "ratio"], rows),
        f"Index: {index['with']['per_entry']:,.0f} bytes per entry "
        f"({index['with']['gzip_per_entry']:,.0f} gzipped) against "
        f"{index['without']['per_entry']:,.0f} without the ID index, ratio "
        f"{result['index_ratio_with_to_without']:.3f}.",
        "",
    ]


SECTIONS: dict[str, tuple[str, Callable[[Result], list[str]]]] = {
    "build": ("Build", build_section),
    "serve": ("Rebuild under mkdocs serve", serve_section),
    "claims": ("Proving the claims", claims_section),
    "first_verdict": ("Running a snippet in the page", first_verdict_section),
    "search": ("Search", search_section),
}


def render(results: Mapping[str, Result]) -> str:
    """The results as Markdown: one section per benchmark, in a fixed order."""
    out: list[str] = []
    with mpl.rc_context(_RC):  # type: ignore[arg-type]  # plots take their style when they are made
        for name, (title, section) in SECTIONS.items():
            out += [f"## {title}", ""]
            try:
                out += section(results[name]) if name in results else missing(name)
            except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
                out += [
                    f"`bench/results/{name}.json` does not have the expected shape ({exc!r}); "
                    f"run `{COMMANDS[name]}` again.",
                    "",
                ]
    return "\n".join(out)
