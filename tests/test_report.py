"""The benchmarks page: committed results become tables and SVG plots, and bad or
missing results files give a note instead of a failed build."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import markdown
from bs4 import BeautifulSoup

from sima_bench.report import COMMANDS, load, render


def fig(median: float, low: float, high: float) -> dict[str, float]:
    return {"median": median, "min": low, "max": high, "runs": 3}


MACHINE = {"cores": 2, "memory_gib": 23.5, "python": "3.12.1", "platform": "Linux"}
BUILD = {
    "machine": MACHINE,
    "runs": 3,
    "sizes": {
        "100": {
            "plugin_s": fig(2.9, 2.8, 3.1),
            "plain_s": fig(1.3, 1.2, 1.4),
            "overhead_ratio": 2.23,
        },
        "1000": {
            "plugin_s": fig(20.5, 19, 22),
            "plain_s": fig(26.0, 25, 27),
            "overhead_ratio": 0.79,
        },
    },
    "growth": {"1000/100": {"size_factor": 10, "time_factor": 7.07}},
    "profile": {
        "entries": 1000,
        "profiled_total_s": 40.0,
        "share_by_phase": {"Markdown to HTML (Python-Markdown)": 0.52, "everything else": 0.48},
        "top_own_time": [{"function": "markdown/x.py:1(f)", "share": 0.07, "calls": 12}],
    },
}


def page(results: Mapping[str, Mapping[str, Any]]) -> BeautifulSoup:
    return BeautifulSoup(markdown.markdown(render(results), extensions=["tables"]), "html.parser")


def test_build_results_become_a_table_and_a_plot() -> None:
    soup = page({"build": BUILD})
    rows = [
        [td.get_text() for td in tr.select("td")] for tr in soup.select("table")[0].select("tr")
    ]
    assert ["1,000", "20.5 (19.0\u201322.0)", "26.0 (25.0\u201327.0)", "0.79"] in rows
    svg = soup.select_one("figure.sima-plot svg")
    assert svg is not None and svg["role"] == "img" and svg["aria-label"]
    assert "with the plugin" in svg.get_text() and "1,000" in svg.get_text()  # text stays text
    assert "2 cores, 23.5 GiB" in soup.get_text()
    assert "52%" in soup.get_text()  # the profile's share of Markdown


def test_each_missing_result_says_which_command_writes_it() -> None:
    text = page({"build": BUILD}).get_text()
    for name in ("serve", "claims", "first_verdict", "search"):
        assert f"Not measured yet: {COMMANDS[name]} writes bench/results/{name}.json" in text


def test_a_malformed_result_is_a_note_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "build.json").write_text(json.dumps({"sizes": {"100": {}}}), encoding="utf-8")
    (tmp_path / "claims.json").write_text("{not json", encoding="utf-8")
    results = load(tmp_path)
    assert set(results) == {"build"}  # unparsable files are skipped
    text = page(results).get_text()
    assert "bench/results/build.json does not have the expected shape" in text
    assert "Not measured yet: " + COMMANDS["claims"] in text


def test_rendering_twice_gives_the_same_page() -> None:
    assert render({"build": BUILD}) == render({"build": BUILD})


def test_the_page_is_drawn_again_only_when_the_results_change(tmp_path: Path) -> None:
    from sima_bench.docs_hook import cached_render

    results, cache = tmp_path / "results", tmp_path / "cache"
    results.mkdir()
    (results / "build.json").write_text(json.dumps(BUILD), encoding="utf-8")
    first = cached_render(results, cache)
    assert first == render(load(results))
    (kept,) = cache.glob("bench-*.md")
    kept.write_text("drawn before", encoding="utf-8")  # stands for the saved drawing
    assert cached_render(results, cache) == "drawn before"
    changed = {**BUILD, "runs": 5}
    (results / "build.json").write_text(json.dumps(changed), encoding="utf-8")
    assert cached_render(results, cache) == render(load(results))
    assert len(list(cache.glob("bench-*.md"))) == 1
